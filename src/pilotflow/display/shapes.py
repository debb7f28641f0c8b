"""The shapes of a diagram — boxes, arrows, groups — as plain records: what
:mod:`.diagrams` builds and :mod:`._svg` draws (neither imports the other's module for them).

A :class:`Drawing` checks what it is made of, since a caller may build one: every text a
string, every node a :class:`Node` with a kind of :data:`NODE_KINDS`, every edge between a
node or group it holds, no id twice; else :class:`~pilotflow.errors.InvalidInput` names the
part. Control characters, lone surrogates and bidirectional controls in its texts (a name
from a campaign file may hold them) are kept as visible escapes (``\\x1b``), as the command
line shows them: an SVG holding one would be no XML, a file holding a surrogate no UTF-8.
"""

from __future__ import annotations

from typing import Any

from attrs import evolve, field, frozen

from ..domain.inputs import check_choice, escaped, wrong_argument
from ..errors import InvalidInput, shown

__all__ = ["DIRECTIONS", "EDGE_KINDS", "LAYOUTS", "NODE_KINDS", "Drawing", "Edge", "Group", "Node"]

#: The kinds of box a diagram styles (and names as Mermaid classes).
NODE_KINDS = ("", "initial", "final", "current", "done", "waiting", "note")
#: The kinds of arrow.
EDGE_KINDS = ("", "dashed")
DIRECTIONS = ("TB", "LR")
LAYOUTS = ("layered", "grouped")
DRAWING_KINDS = ("flowchart", "state")


@frozen
class Node:
    """A box: ``kind`` styles it (``initial``, ``final``, ``current``, ``done``, ``waiting``,
    ``note`` or ``""``); ``group`` is the id of the :class:`Group` it is drawn in."""

    id: str
    label: str
    kind: str = ""
    group: str | None = None


@frozen
class Edge:
    """An arrow from node ``source`` to node (or group) ``target``."""

    source: str
    target: str
    label: str = ""
    kind: str = ""


@frozen
class Group:
    """A box around nodes (a city's districts and counties)."""

    id: str
    label: str


def visible(text: Any) -> Any:
    """``text`` as a diagram shows it: control characters but tabs and line breaks (an SVG
    with one is no XML), lone surrogates (no UTF-8 file can hold one) and the characters that
    reorder or break the text around them written as escapes (``\\x1b``, ``\\u202e``), as
    the command line shows them (:func:`~pilotflow.inputs.escaped`); what is no text is left
    for the checks to refuse."""
    return escaped(text, keep_lines=True) if isinstance(text, str) else text


def _shown(item: Any) -> Any:
    """A node, edge or group with its texts made :func:`visible` (anything else as it is)."""
    if isinstance(item, Node):
        return evolve(item, id=visible(item.id), label=visible(item.label), group=visible(item.group))
    if isinstance(item, Edge):
        return evolve(
            item, source=visible(item.source), target=visible(item.target), label=visible(item.label)
        )
    if isinstance(item, Group):
        return evolve(item, id=visible(item.id), label=visible(item.label))
    return item


#: The most nodes, and groups, one diagram may have (a province with its cities and
#: counties: about 200); the most edges (a state machine: about 60). A diagram is for reading:
#: more is refused before it is drawn.
MAX_NODES = 2000
MAX_EDGES = 4 * MAX_NODES


def _nodes(value: object) -> tuple[Node, ...]:
    return _items(value, "nodes", MAX_NODES)


def _edges(value: object) -> tuple[Edge, ...]:
    return _items(value, "edges", MAX_EDGES)


def _groups(value: object) -> tuple[Group, ...]:
    return _items(value, "groups", MAX_NODES)


@frozen
class Drawing:
    """What a diagram draws: nodes, edges, groups. ``layout`` is ``"layered"`` (ranks, for
    machines and routes) or ``"grouped"`` (the first node, then one box per group: authority
    trees)."""

    title: str = field(converter=visible)
    nodes: tuple[Node, ...] = field(converter=_nodes)
    edges: tuple[Edge, ...] = field(converter=_edges)
    groups: tuple[Group, ...] = field(default=(), converter=_groups)
    direction: str = "TB"
    layout: str = "layered"
    kind: str = "flowchart"  # or "state" (Mermaid stateDiagram-v2)
    #: Nodes per line inside a group's box (the grouped layout).
    columns: int = 4

    def __attrs_post_init__(self) -> None:
        if isinstance(self.columns, bool) or not isinstance(self.columns, int) or not 1 <= self.columns <= 12:
            raise InvalidInput(
                f"columns must be a whole number from 1 to 12, got {shown(self.columns)}",
                "columns 参数应为 1 至 12 的整数",
            )
        _text(self.title, "title")
        check_choice("direction", self.direction, DIRECTIONS)
        check_choice("layout", self.layout, LAYOUTS)
        check_choice("kind", self.kind, DRAWING_KINDS)
        ids: set[str] = set()
        for what, items, cls in (("groups", self.groups, Group), ("nodes", self.nodes, Node)):
            for i, item in enumerate(items):
                where = f"{what}[{i}]"
                if not isinstance(item, cls):
                    raise wrong_argument(where, f"a {cls.__name__}", f" {cls.__name__} 对象", item)
                _text(item.id, f"{where}.id")
                _text(item.label, f"{where}.label")
                if item.id in ids:
                    raise InvalidInput(
                        f"{where}.id {shown(item.id)} is the id of another node or group",
                        f"{where}.id {shown(item.id)} 与另一节点或分组的编号重复",
                    )
                ids.add(item.id)
        groups = {g.id for g in self.groups}
        for i, n in enumerate(self.nodes):
            check_choice(f"nodes[{i}].kind", n.kind, NODE_KINDS)
            if n.group is not None and n.group not in groups:
                raise _unknown(f"nodes[{i}].group", n.group, "group")
        for i, e in enumerate(self.edges):
            where = f"edges[{i}]"
            if not isinstance(e, Edge):
                raise wrong_argument(where, "an Edge", " Edge 对象", e)
            for end in ("source", "target"):
                _text(getattr(e, end), f"{where}.{end}")
                if getattr(e, end) not in ids:
                    raise _unknown(f"{where}.{end}", getattr(e, end), "node or group")
            _text(e.label, f"{where}.label")
            check_choice(f"{where}.kind", e.kind, EDGE_KINDS)


def _items(value: object, what: str, most: int) -> tuple[Any, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) > most:
            raise InvalidInput(
                f"a diagram has at most {most} {what}, got {len(value)}",
                f"一张图最多 {most} 个{_WHAT_ZH[what]}，收到 {len(value)} 个",
            )
        return tuple(_shown(item) for item in value)
    raise wrong_argument(what, "a tuple or list", "元组或列表", value)


_WHAT_ZH = {"nodes": "节点", "edges": "连线", "groups": "分组"}


def _unknown(what: str, value: str, kind: str) -> InvalidInput:
    return InvalidInput(
        f"{what} {shown(value)} names no {kind} of the diagram",
        f"{what} {shown(value)} 不是图中的{'分组' if kind == 'group' else '节点或分组'}",
    )


def _text(value: object, what: str) -> None:
    """Refuse what is no string."""
    if not isinstance(value, str):
        raise wrong_argument(what, "a string", "文本（字符串）", value)
