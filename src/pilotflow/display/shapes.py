"""The shapes of a diagram — boxes, arrows, groups — as plain records: what
:mod:`.diagrams` builds and :mod:`._svg` draws (neither imports the other's module for them)."""

from __future__ import annotations

from attrs import frozen

__all__ = ["Drawing", "Edge", "Group", "Node"]


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


@frozen
class Drawing:
    """What a diagram draws: nodes, edges, groups. ``layout`` is ``"layered"`` (ranks, for
    machines and routes) or ``"grouped"`` (the first node, then one box per group: authority
    trees)."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()
    direction: str = "TB"
    layout: str = "layered"
    kind: str = "flowchart"  # or "state" (Mermaid stateDiagram-v2)
