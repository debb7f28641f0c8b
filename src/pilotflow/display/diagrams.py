"""Diagrams of a campaign: its state machine, a route, an authority's subtree, one
nomination's path. Each is a :class:`Diagram`, which gives Mermaid text
(:meth:`Diagram.mermaid`), Graphviz DOT (:meth:`Diagram.dot`) and SVG (:meth:`Diagram.svg`),
and shows itself as SVG in a notebook (nothing fetched when the page is viewed).

>>> import pilotflow as pf
>>> from pilotflow.display import state_machine
>>> d = state_machine(pf.load_campaign("smart-health-elderly-care-2023"))
>>> len(d.nodes), len(d.edges)
(16, 50)
>>> print(d.mermaid().splitlines()[3])
stateDiagram-v2
>>> "in_review --> received : 推荐（报至最高一级）" in d.mermaid()
True
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from attrs import frozen

from ..app.run import CampaignRun
from ..domain.authorities import Authority, AuthorityGraph
from ..domain.calendar import moment
from ..domain.campaign import Campaign
from ..domain.inputs import check_flag, escaped
from ..domain.machine import Workflow
from ..domain.names import (
    ACTION_EN,
    ACTION_ZH,
    FINAL_STATES,
    IN_REVIEW,
    INITIAL_STATE,
    RECOMMEND,
    STATE_EN,
    STATE_ZH,
    STATES,
)
from ..domain.records import Nomination
from ..errors import InvalidInput, shown
from ..files._io import fs_path, write_files, write_refused
from . import _svg
from ._html import esc
from .shapes import MAX_NODES, Drawing, Edge, Group, Node

__all__ = [
    "BRANCH_LABELS",
    "GUARD_LABELS",
    "Diagram",
    "Edge",
    "Group",
    "Node",
    "authority_tree",
    "nomination_path",
    "route",
    "state_machine",
]

#: Short labels of the guards (by code) for diagrams, in English and Chinese.
GUARD_LABELS: dict[str, tuple[str, str]] = {
    "actor_holds": ("holder acts", "本级办理"),
    "actor_holds_or_applicant": ("holder or applicant acts", "本级或申报单位办理"),
    "actor_at_origin": ("filed at the origin", "在申报地办理"),
    "origin_fits_unit": ("origin fits the unit", "申报地与登记地相符"),
    "before_deadline": ("before the deadline", "未过报送期限"),
    "not_listed": ("on no barring list", "不在限制名单"),
    "examined": ("examined one by one", "逐一审查完成"),
    "materials_complete": ("materials complete", "材料齐全"),
    "quota_free": ("quota left", "名额未满"),
    "not_examined_yet": ("not examined yet", "未重复审查"),
    "materials_room": ("room for one more material", "材料数量未达上限"),
    "has_previous": ("a lower level exists", "有下级可退回"),
    "deadline_passed": ("deadline passed", "报送期限已过"),
    "expert_not_scored": ("expert has not scored", "该专家未评分"),
    "enough_scores": ("enough experts scored", "评分专家人数足够"),
    "check_state": ("check in the required state", "核查状态相符"),
    "not_drawn": ("not drawn before", "未被抽取过"),
    "notice_window": ("notice window", "公示期状态相符"),
    "actor_is_top": ("the top acts", "最高一级办理"),
    "drawn_for_check": ("drawn for a check", "已被抽取核查"),
    "check_settled": ("no check pending", "无待完成的核查"),
    "notice_open": ("notice running", "公示期内"),
    "notice_closed": ("notice closed", "公示期满"),
    "phase_held": ("the step is held", "设有该环节"),
    "notice_skipped": ("no public notice", "不设公示"),
    "check_at_level": ("a check is held here", "本级设实地抽查"),
    "applicant_within_cap": ("within the cap per applicant", "未超单位申报数上限"),
}

#: Labels of the branch conditions that pick between transitions of one action.
BRANCH_LABELS: dict[tuple[str, bool], tuple[str, str]] = {
    ("to_top", True): ("to the top", "报至最高一级"),
    ("to_top", False): ("to the next level", "报至上一级"),
    ("passed", True): ("passed", "通过"),
    ("passed", False): ("failed", "未通过"),
    ("re_review", True): ("re-review", "复核单位"),
    ("re_review", False): ("new nomination", "新申报单位"),
}

#: The most seconds the ``dot`` program may take to draw one diagram.
DOT_TIMEOUT = 30
LANGUAGES = ("zh", "en")


@frozen
class Diagram(Drawing):
    """A diagram: nodes, edges, groups (:class:`Drawing`), as Mermaid, DOT or SVG."""

    def __repr__(self) -> str:
        return escaped(f"<Diagram {self.title}: {len(self.nodes)} nodes, {len(self.edges)} edges>")

    # -- Mermaid ---------------------------------------------------------------------

    def mermaid(self) -> str:
        """The diagram as Mermaid text (``stateDiagram-v2`` for a state machine, else a
        ``flowchart``), its title in the front matter; labels are made safe for Mermaid
        (quotes, brackets and angle brackets as entities, line breaks as ``<br/>``)."""
        ids = _ids(self)
        head = f"---\ntitle: {json.dumps(_mm(self.title), ensure_ascii=False)}\n---\n"
        if self.kind == "state":
            return head + self._mermaid_states(ids)
        lines = [f"flowchart {self.direction}"]
        grouped: dict[str, list[Node]] = {}
        for n in self.nodes:
            if n.group is None:
                lines.append(f'    {ids[n.id]}["{_mm(n.label)}"]')
            else:
                grouped.setdefault(n.group, []).append(n)
        for gr in self.groups:
            lines.append(f'    subgraph {ids[gr.id]}["{_mm(gr.label)}"]')
            lines.append("        direction LR")
            lines.extend(f'        {ids[n.id]}["{_mm(n.label)}"]' for n in grouped.get(gr.id, ()))
            lines.append("    end")
        for e in self.edges:
            arrow = "-.->" if e.kind == "dashed" else "-->"
            label = f'|"{_mm(e.label)}"|' if e.label else ""
            lines.append(f"    {ids[e.source]} {arrow}{label} {ids[e.target]}")
        lines.extend(_mermaid_classes(self, ids))
        return head + "\n".join(lines) + "\n"

    def _mermaid_states(self, ids: dict[str, str]) -> str:
        lines = ["stateDiagram-v2", f"    direction {self.direction}"]
        lines.extend(f'    state "{_mm(n.label)}" as {ids[n.id]}' for n in self.nodes)
        lines.extend(f"    [*] --> {ids[n.id]}" for n in self.nodes if n.kind == "initial")
        for e in self.edges:
            label = f" : {_mm(e.label)}" if e.label else ""
            lines.append(f"    {ids[e.source]} --> {ids[e.target]}{label}")
        lines.extend(f"    {ids[n.id]} --> [*]" for n in self.nodes if n.kind == "final")
        lines.extend(_mermaid_classes(self, ids))
        return "\n".join(lines) + "\n"

    # -- Graphviz --------------------------------------------------------------------

    def dot(self) -> str:
        """The diagram as Graphviz DOT (UTF-8 text; render with ``dot -Tsvg``)."""
        font = '"Noto Sans CJK SC,Source Han Sans SC,PingFang SC,Microsoft YaHei,sans-serif"'
        rankdir = "LR" if self.direction == "LR" else "TB"
        lines = [
            f"digraph {_dq(self.title)} {{",
            f"    graph [rankdir={rankdir}, fontname={font}, compound=true, labelloc=t, "
            f"label={_dq(self.title)}];",
            f'    node [shape=box, style="rounded,filled", fontname={font}, fontsize=11];',
            f"    edge [fontname={font}, fontsize=9];",
        ]
        grouped: dict[str, list[Node]] = {}
        for n in self.nodes:
            if n.group is None:
                lines.append(f"    {_dot_node(n)}")
            else:
                grouped.setdefault(n.group, []).append(n)
        for i, gr in enumerate(self.groups):
            lines.append(f"    subgraph cluster_{i} {{")
            lines.append(f'        label={_dq(gr.label)}; style="rounded,filled"; fillcolor="#f8f9fa";')
            lines.extend(f"        {_dot_node(n)}" for n in grouped.get(gr.id, ()))
            lines.append("    }")
        cluster = {gr.id: i for i, gr in enumerate(self.groups)}
        first = {g: members[0].id for g, members in grouped.items()}
        # The edges that keep their node, as one loop per node (Graphviz draws several loops
        # of one node on top of each other).
        loops: dict[str, list[str]] = {}
        for e in self.edges:
            if e.source == e.target:
                loops.setdefault(e.source, []).append(e.label)
        edges = [e for e in self.edges if e.source != e.target]
        edges += [Edge(node, node, "\n".join(x for x in labels if x)) for node, labels in loops.items()]
        for e in edges:
            attrs = []
            target = e.target
            if target in cluster:  # an edge to a group: to its first node, clipped at the box
                if target not in first:
                    continue
                attrs.append(f"lhead=cluster_{cluster[target]}")
                target = first[target]
            if e.label:
                attrs.append(f"label={_dq(e.label)}")
            if e.kind == "dashed":
                attrs.append("style=dashed")
            tail = f" [{', '.join(attrs)}]" if attrs else ""
            lines.append(f"    {_dq(e.source)} -> {_dq(target)}{tail};")
        lines.append("}")
        return "\n".join(lines) + "\n"

    # -- SVG -------------------------------------------------------------------------

    def svg(self, engine: str = "auto") -> str:
        """The diagram as an SVG document (text).

        ``engine``: ``"graphviz"`` runs the ``dot`` program (Graphviz must be installed);
        ``"builtin"`` draws it in Python (no program needed); ``"auto"`` (the default) uses
        ``dot`` when it is on the ``PATH`` for layered diagrams, else the built-in drawing.
        Grouped authority trees are always drawn by the built-in layout (a grid per city).
        """
        if engine not in ("auto", "graphviz", "builtin"):
            raise InvalidInput(
                f"engine must be 'auto', 'graphviz' or 'builtin', got {engine!r}",
                "engine 参数应为 'auto'、'graphviz' 或 'builtin'",
            )
        if self.layout == "grouped" and engine != "graphviz":
            return _svg.grouped_tree(self, self.columns)
        if engine == "builtin" or (engine == "auto" and shutil.which("dot") is None):
            return _svg.layered(self)
        return self._graphviz(required=engine == "graphviz")

    def _graphviz(self, *, required: bool) -> str:
        program = shutil.which("dot")
        if program is None:
            if required:
                raise InvalidInput(
                    "the Graphviz program 'dot' is not installed (apt-get install graphviz), "
                    "or use engine='builtin'",
                    "未安装 Graphviz 的 dot 程序（可执行 apt-get install graphviz），或改用 engine='builtin'",
                )
            return _svg.layered(self)
        try:
            done = subprocess.run(
                [program, "-Tsvg"], input=self.dot().encode(), capture_output=True, timeout=DOT_TIMEOUT,
                check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            if required:
                raise InvalidInput(f"Graphviz dot failed: {exc}", "Graphviz dot 程序运行失败") from exc
            return _svg.layered(self)
        if done.returncode != 0:
            if required:
                message = done.stderr.decode(errors="replace")[:500]
                raise InvalidInput(f"Graphviz dot failed: {message}", "Graphviz dot 程序运行失败")
            return _svg.layered(self)
        text = done.stdout.decode()
        start = text.find("<svg")
        return text[start:] if start >= 0 else text

    def save(self, path: str | Path) -> Path:
        """Write the diagram to ``path``, by its suffix: ``.svg``, ``.dot``/``.gv``, ``.mmd``
        (Mermaid) or ``.html`` (the SVG and the Mermaid text, viewable offline). A path the
        operating system refuses (a folder, a missing folder, no permission) is
        :class:`InvalidInput` and leaves no file."""
        target = Path(fs_path(path, "path"))
        page = f'<!DOCTYPE html><meta charset="utf-8"><title>{esc(self.title)}</title>'
        writers: dict[str, Callable[[], str]] = {
            ".svg": self.svg, ".dot": self.dot, ".gv": self.dot, ".mmd": self.mermaid,
            ".html": lambda: page + self._repr_html_(),
        }  # fmt: skip
        writer = writers.get(target.suffix.lower())
        if writer is None:
            raise InvalidInput(
                f"unknown diagram file type {target.suffix!r}; use .svg, .dot, .gv, .mmd or .html",
                f"不支持的图文件类型 {target.suffix!r}：应为 .svg、.dot、.gv、.mmd 或 .html",
            )
        data = writer().encode("utf-8")
        try:
            write_files([(target, data)])  # (through a partial file: never half a diagram)
        except OSError as exc:
            raise write_refused("path", target, exc) from None
        return target

    # -- notebooks -------------------------------------------------------------------

    def _repr_svg_(self) -> str:
        return self.svg()

    def _repr_html_(self) -> str:
        return (
            f'<div class="pilotflow-diagram">{self.svg()}'
            "<details><summary>Mermaid</summary>"
            f"<pre>{esc(self.mermaid())}</pre></details></div>"
        )


# -- text helpers --------------------------------------------------------------------

_SAFE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,60}")
_MERMAID_WORDS = {"end", "state", "class", "classDef", "graph", "subgraph", "click", "style", "direction",
                  "flowchart", "default", "note"}  # fmt: skip


def _ids(d: Diagram) -> dict[str, str]:
    """A Mermaid id for every node and group: its own where it is a plain name (``a`` before
    a code: ``a371002``), else made from its place."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for i, key in enumerate([n.id for n in d.nodes] + [g.id for g in d.groups]):
        mid = key if _SAFE_ID.fullmatch(key) and key not in _MERMAID_WORDS else f"n{i}_"
        if key.isascii() and key.isalnum() and key[0].isdigit() and len(key) <= 60:
            mid = "a" + key
        while mid in used:
            mid += "_"
        used.add(mid)
        out.setdefault(key, mid)
    return out


#: Characters written as Mermaid entity codes inside labels.
_MERMAID_ENTITIES = {
    "#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;", ";": "#59;", ":": "#58;",
    "\r": "", "\n": "<br/>", "`": "#96;", "[": "#91;", "]": "#93;", "{": "#123;", "}": "#125;",
}  # fmt: skip


def _mm(text: str) -> str:
    """Text safe inside a Mermaid label (one pass: an entity is never escaped again)."""
    return "".join(_MERMAID_ENTITIES.get(c, c) for c in text)


def _mermaid_classes(d: Diagram, ids: dict[str, str]) -> list[str]:
    lines = []
    kinds = sorted({n.kind for n in d.nodes if n.kind})
    for kind in kinds:
        fill, stroke = _svg.COLOURS.get(kind, _svg.COLOURS[""])
        lines.append(f"    classDef {kind} fill:{fill},stroke:{stroke}")
        lines.append(f"    class {','.join(ids[n.id] for n in d.nodes if n.kind == kind)} {kind}")
    return lines


def _dq(text: str) -> str:
    """A DOT double-quoted string."""
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "\\n")
    return f'"{body}"'


def _dot_node(n: Node) -> str:
    fill, stroke = _svg.COLOURS.get(n.kind, _svg.COLOURS[""])
    width = ", penwidth=2.5" if n.kind == "current" else ""
    style = ', style="rounded,filled,dashed"' if n.kind == "note" else ""
    return f'{_dq(n.id)} [label={_dq(n.label)}, fillcolor="{fill}", color="{stroke}"{width}{style}];'


def _lang(lang: object) -> str:
    if lang not in LANGUAGES:
        raise InvalidInput(
            f"lang must be 'zh' or 'en', got {shown(lang)}", "lang 参数应为 'zh'（中文）或 'en'（英文）"
        )
    return str(lang)


def _wrap(parts: Sequence[str], per_line: int, sep: str) -> str:
    return "\n".join(sep.join(parts[i : i + per_line]) for i in range(0, len(parts), per_line))


def _chunks(text: str, width: int) -> str:
    """``text`` broken into lines of at most ``width`` characters."""
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


# -- what the diagrams are of ---------------------------------------------------------


def _workflow(source: object) -> Workflow:
    if isinstance(source, CampaignRun):
        return source.workflow
    if isinstance(source, Workflow):
        return source
    if isinstance(source, Campaign):
        graph = AuthorityGraph.bundled().with_authorities(source.authorities).with_departments(source.acting)
        return Workflow(source, graph)
    raise InvalidInput(
        f"expected a Campaign or a CampaignRun, got {type(source).__name__}",
        "参数应为 Campaign 遴选活动或 CampaignRun 运行实例",
    )


def _graph(source: object) -> tuple[AuthorityGraph, Campaign | None]:
    if isinstance(source, CampaignRun):
        return source.graph, source.campaign
    if isinstance(source, AuthorityGraph):
        return source, None
    if isinstance(source, Campaign):
        wf = _workflow(source)
        return wf.graph, source
    raise InvalidInput(
        f"expected a CampaignRun, a Campaign or an AuthorityGraph, got {type(source).__name__}",
        "参数应为 CampaignRun 运行实例、Campaign 遴选活动或 AuthorityGraph 机关图",
    )


def state_machine(
    source: Campaign | CampaignRun | Workflow, *, lang: str = "zh", guards: bool = True
) -> Diagram:
    """The state machine of a campaign's nominations: every state, every transition with its
    action, its branch (``推荐（报至最高一级）``) and, with ``guards``, the guards it checks
    in this campaign (a guard the campaign makes moot, such as a step it does not hold, is
    left out, as the machine leaves it out)."""
    lang = _lang(lang)
    check_flag("guards", guards)
    wf = _workflow(source)
    zh = lang == "zh"
    state_name, action_name = (STATE_ZH, ACTION_ZH) if zh else (STATE_EN, ACTION_EN)
    nodes = tuple(
        Node(
            s,
            f"{state_name.get(s, s)}\n{s}",
            "initial" if s == INITIAL_STATE else "final" if s in FINAL_STATES else "",
        )
        for s in STATES
    )
    edges = []
    for s in STATES:
        for action in wf.actions_from(s):
            for t in wf.transitions(s, action):
                label = action_name.get(action, action)
                branch = [
                    BRANCH_LABELS.get((getattr(fn, "name", ""), target), ("", ""))[0 if not zh else 1]
                    for fn, target in t.branches
                ]
                branch = [b for b in branch if b]
                if branch:
                    label += f"（{'，'.join(branch)}）" if zh else f" ({', '.join(branch)})"
                if guards and t.guards:
                    names = [GUARD_LABELS.get(x.code, (x.doc, "其他条件"))[1 if zh else 0] for x in t.guards]
                    label += "\n" + _wrap(names, 3, "·" if zh else ", ")
                edges.append(Edge(s, t.dest, label))
    title = f"状态机：{wf.campaign.title.zh}" if zh else f"State machine: {wf.campaign.title.en}"
    return Diagram(title, nodes, tuple(edges), direction="TB", kind="state")


def _level_name(campaign: Campaign | None, level: str, zh: bool) -> str:
    if campaign is not None:
        for lv in campaign.levels:
            if lv.code == level:
                return lv.name.zh if zh else lv.name.en
    return level


def _moment(value: datetime | None, campaign: Campaign | None) -> str:
    if value is None:
        return ""
    if campaign is not None:
        from ..app.views import local_moment

        value = local_moment(value, campaign.timezone)
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else ""


def route(run: CampaignRun, origin: str, *, lang: str = "zh") -> Diagram:
    """The route of a nomination filed at ``origin`` (a code or a Chinese name): each hop
    with its level, deadline, materials and quota."""
    lang = _lang(lang)
    if not isinstance(run, CampaignRun):
        raise InvalidInput("route needs a CampaignRun", "route 需要 CampaignRun 运行实例")
    code = _authority(run.graph, origin).code
    plan = run.workflow.plan(run.workflow.route(code))
    zh = lang == "zh"
    nodes, edges = [], []
    for hop in plan.hops:
        a = hop.holder
        parts = [f"{a.name}（{a.code}）", _level_name(run.campaign, hop.level, zh)]
        if hop.materials:
            parts.append(f"材料 {len(hop.materials)} 项" if zh else f"{len(hop.materials)} materials")
        rule = hop.quota_rule
        if rule is not None:
            caps, total = rule.limits_of(a.code)
            limits = "、".join(f"{_unit_type(run.campaign, t, zh)} {n}" for t, n in sorted(caps.items())) or (
                f"合计 {total}" if zh else f"total {total}"
            )
            parts.append(f"名额：{limits}" if zh else f"quota: {limits}")
        kind = "initial" if hop.index == 0 else "final" if hop.next is None else ""
        nodes.append(Node(a.code, "\n".join(parts), kind))
        if hop.next is not None:
            due = _moment(hop.deadline, run.campaign)
            label = ("推荐" if zh else "recommend") + (
                f"\n截止 {due}" if zh and due else f"\nby {due}" if due else ""
            )
            edges.append(Edge(a.code, hop.next.code, label))
    first = plan.hops[0].holder.name
    title = f"推荐路线：{first}" if zh else f"Route from {first}"
    return Diagram(title, tuple(nodes), tuple(edges), direction="LR")


def _unit_type(campaign: Campaign, code: str, zh: bool) -> str:
    t = campaign.unit_types.get(code)
    return code if t is None else (t.name.zh if zh else t.name.en)


def _authority(graph: AuthorityGraph, key: object) -> Authority:
    if not isinstance(key, str):
        raise InvalidInput(
            f"an authority is given by its code or Chinese name, got {type(key).__name__}",
            "机关应以代码或中文名称给出",
        )
    return graph[key] if key in graph else graph.find(key)


def authority_tree(
    source: CampaignRun | Campaign | AuthorityGraph, authority: str, *, depth: int = 2, columns: int = 4
) -> Diagram:
    """``authority`` (a code or a Chinese name) and the authorities reporting to it, to
    ``depth`` levels (1 or 2). At depth 2 each child with its own children is a box holding
    them (a province: one box per city, ~150 authorities on one page); children without
    children of their own share a last box."""
    if isinstance(depth, bool) or depth not in (1, 2):
        raise InvalidInput(f"depth must be 1 or 2, got {shown(depth)}", "depth 参数应为 1 或 2")
    if isinstance(columns, bool) or not isinstance(columns, int) or not 1 <= columns <= 12:
        raise InvalidInput("columns must be a whole number from 1 to 12", "columns 参数应为 1 至 12 的整数")
    graph, _ = _graph(source)
    root = _authority(graph, authority)
    nodes = [Node(root.code, f"{root.name}\n{root.code}", "initial")]
    groups: list[Group] = []
    edges: list[Edge] = []
    loose: list[Node] = []
    for child in graph.children(root.code):
        below = graph.children(child.code) if depth == 2 else ()
        if below:
            gid = f"g{child.code}"
            groups.append(Group(gid, f"{child.name}（{child.code}，下辖 {len(below)} 个）"))
            nodes.append(Node(child.code, f"{child.name}（本级）", "done", gid))
            nodes.extend(Node(c.code, c.name, "", gid) for c in below)
            edges.append(Edge(root.code, gid))
        else:
            loose.append(Node(child.code, child.name))
            edges.append(Edge(root.code, child.code))
        if len(nodes) + len(loose) > MAX_NODES:
            raise InvalidInput(
                f"{root.name} has more than {MAX_NODES} authorities to that depth; use depth=1 "
                "or a lower authority",
                f"{root.name} 下辖机关超过 {MAX_NODES} 个，请改用 depth=1 或下一级机关",
            )
    nodes.extend(loose)
    count = len(nodes) - 1
    return Diagram(
        f"{root.name}及下辖机关（{count} 个）",
        tuple(nodes),
        tuple(edges),
        tuple(groups),
        "LR",
        "grouped",
        columns=columns,
    )


def nomination_path(
    run: CampaignRun, nomination: str | Nomination, *, at: datetime | None = None, lang: str = "zh"
) -> Diagram:
    """One nomination's route: the hops it has passed, where it is now (its state) and what
    it waits for there (the reasons ``run.explain`` gives for its next step)."""
    lang = _lang(lang)
    if not isinstance(run, CampaignRun):
        raise InvalidInput("nomination_path needs a CampaignRun", "nomination_path 需要 CampaignRun 运行实例")
    if at is not None:  # (checked whatever the unit's state: only a unit in review uses it)
        moment(at, "at")
    n = run.get(nomination.id if isinstance(nomination, Nomination) else nomination)
    zh = lang == "zh"
    state_name = STATE_ZH if zh else STATE_EN
    nodes, edges = [], []
    for i, code in enumerate(n.route):
        a = run.graph[code]
        if i < n.hop:
            kind, extra = "done", ("已推荐" if zh else "recommended")
        elif i == n.hop:
            kind, extra = "current", state_name.get(n.state, n.state)
        else:
            kind, extra = "", ""
        nodes.append(Node(code, f"{a.name}\n{extra}" if extra else a.name, kind))
        if i + 1 < len(n.route):
            edges.append(Edge(code, n.route[i + 1], "推荐" if zh else "recommend"))
    waits: list[str] = []
    if n.state == IN_REVIEW:
        waits = [r.zh if zh else r.en for r in run.explain(n, RECOMMEND, at=at)]
        head = "推荐前尚需：" if zh else "before it can be recommended:"
        if not waits:
            waits = ["条件已满足，可以推荐"] if zh else ["nothing: it may be recommended"]
    elif n.state in FINAL_STATES:
        head = "已结束：" if zh else "finished:"
        waits = [state_name.get(n.state, n.state)]
    else:
        head = "下一步：" if zh else "next steps:"
        names = ACTION_ZH if zh else ACTION_EN
        waits = [names.get(x, x) for x in run.workflow.actions_from(n.state)]
    text = "\n".join([head, *(_chunks(w, 28) for w in waits[:8])])
    nodes.append(Node("waiting", text, "waiting" if n.state == IN_REVIEW else "note"))
    edges.append(Edge(n.holder, "waiting", "", "dashed"))
    title = f"申报路径：{n.unit_name}" if zh else f"Path of {n.unit_name}"
    return Diagram(title, tuple(nodes), tuple(edges), direction="LR")
