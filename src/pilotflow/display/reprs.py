"""How pilotflow's records look in a notebook (``_repr_html_``) and on a console
(a compact ``__repr__`` where the attrs one runs to pages).

:func:`install` sets these methods on the classes once, when :mod:`pilotflow` is imported:
the records stay plain attrs classes in the domain (which must not know about HTML, and whose
modules on the hot path stay untouched), and how everything looks is decided here, in one
place. Setting a class attribute costs nothing per instance and changes neither equality,
hashing, pickling nor the slots. See docs/display.md.

The ``__repr__`` of :class:`~pilotflow.Nomination`, :class:`~pilotflow.Actor` and
:class:`~pilotflow.Material` is kept as it is: a command's idempotency fingerprint is made
of its arguments' reprs, and receipts already stored must keep matching.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..app.results import Position, QuotaLine, SelectionResult
from ..app.views import EventList, EventLog, NominationList, QuotaTable, SelectionList, View, selection_rows
from ..domain.authorities import Authority, AuthorityGraph
from ..domain.campaign import Campaign
from ..domain.events import Event
from ..domain.inputs import escaped
from ..domain.names import ACTION_NAMES_ZH, STATE_ZH, SUBMISSION_STATE_ZH, TRACK_ZH
from ..domain.records import Material, Nomination
from ..domain.routes import HopPlan, RoutePlan
from ..domain.submissions import Submission
from ..errors import ActionRefused, Reason
from ._html import card, esc, table

__all__ = ["HEADERS", "install", "view_html"]

#: Column headers (Chinese, then the column's key) of the tables.
HEADERS: dict[str, str] = {
    "id": "编号", "unit_code": "统一社会信用代码", "unit_name": "单位名称", "unit_type": "单位类型",
    "scenario": "应用场景", "track": "类别", "project": "项目", "state": "状态代码", "state_zh": "状态",
    "holder": "办理机关代码", "holder_name": "办理机关", "hop": "环节", "route": "推荐路线",
    "examined": "已审查部门数", "materials": "材料数", "version": "版本", "created_at": "申报时间",
    "updated_at": "更新时间", "nomination_id": "申报编号", "at": "时间", "action": "操作代码",
    "action_zh": "操作", "actor_authority": "操作机关代码", "actor_name": "操作机关",
    "actor_department": "部门代码", "actor_department_zh": "部门", "actor_person": "经办人",
    "from_state": "原状态代码", "to_state": "新状态代码", "to_state_zh": "新状态",
    "from_holder": "原办理机关代码", "to_holder": "新办理机关代码", "to_holder_name": "新办理机关",
    "reason": "理由", "authority": "机关代码", "authority_name": "机关", "unit_type_zh": "单位类型名称",
    "limit": "名额", "used": "已用", "remaining": "剩余", "rank": "排序", "outcome": "结果代码",
    "outcome_zh": "结果", "reasons": "原因代码", "reasons_zh": "原因", "dry_run": "试算",
}  # fmt: skip

#: The columns each view shows in HTML (to_frame() has them all).
SHOWN: dict[type[View[Any]], tuple[str, ...]] = {
    NominationList: ("unit_name", "unit_code", "unit_type", "state_zh", "holder_name", "route", "version",
                     "updated_at", "id"),
    EventList: ("version", "at", "action_zh", "actor_name", "actor_department_zh", "actor_person",
                "to_state_zh", "to_holder_name", "reason", "nomination_id"),
    QuotaTable: ("authority_name", "authority", "unit_type_zh", "limit", "used", "remaining"),
    SelectionList: ("authority_name", "unit_type", "rank", "nomination_id", "outcome_zh", "reasons_zh"),
}  # fmt: skip


#: The code column shown, labelled as a code, in place of a name column when a view lacks
#: what names it (its authority graph, its campaign: a record shown on its own), where the
#: name would only repeat the code under a header that promises a name.
CODE_OF_NAME: dict[str, tuple[str, str]] = {
    "holder_name": ("graph", "holder"), "actor_name": ("graph", "actor_authority"),
    "to_holder_name": ("graph", "to_holder"), "authority_name": ("graph", "authority"),
    "actor_department_zh": ("campaign", "actor_department"),
}  # fmt: skip


def _shown(keys: tuple[str, ...], view: object) -> tuple[str, ...]:
    """``keys``, each name column that ``view`` cannot fill replaced by its code column."""
    out = []
    for k in keys:
        needs, code = CODE_OF_NAME.get(k, ("", k))
        out.append(code if needs and getattr(view, needs, None) is None else k)
    return tuple(out)


def _columns(keys: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(k, HEADERS.get(k, k)) for k in keys]


def view_html(view: View[Any]) -> str:
    """A view (``run.nominations()``...) as an HTML table, with its count as the caption;
    without a graph, authorities are shown by their codes under headers that say so."""
    en, zh = view.title
    keys = _shown(SHOWN.get(type(view), view.columns), view)
    return table(_columns(keys), view.rows(), caption=f"{zh} / {en}：{len(view)}")


def _campaign_html(c: Campaign) -> str:
    levels = " → ".join(lv.name.zh for lv in c.levels)
    pairs = [
        ("活动 / campaign", c.id), ("名称", c.title.zh), ("title", c.title.en), ("年度", c.year),
        ("时区", c.timezone), ("层级", levels),
        ("部门", "、".join(d.zh for d in c.departments.values())),
        ("单位类型", "、".join(t.name.zh for t in c.unit_types.values())),
        ("应用场景", len(c.scenarios)), ("名额规则", len(c.quotas)), ("报送环节", len(c.hops)),
        ("版本 / revision", c.revision[:12]), ("来源", c.source),
    ]  # fmt: skip
    return card(f"遴选活动 {c.title.zh}", pairs)


def _campaign_repr(c: Campaign) -> str:
    return f"<Campaign {c.id} ({c.year}): {c.title.zh}, revision {c.revision[:12]}>"


def _graph_html(g: AuthorityGraph) -> str:
    levels: dict[str, int] = {}
    for a in g:
        levels[a.level] = levels.get(a.level, 0) + 1
    pairs = [("机关总数 / authorities", len(g)), ("最高一级 / top", f"{g.top.name}（{g.top.code}）")]
    pairs += [(f"层级 {k}", v) for k, v in sorted(levels.items())]
    return card("机关图 / authority graph", pairs)


def _authority_html(a: Authority) -> str:
    pairs = [
        ("代码 / code", a.code), ("名称 / name", a.name), ("层级 / level", a.level), ("类别 / kind", a.kind),
        ("上报至 / reports to", a.parent), ("所在地 / lies in", a.admin_parent or a.parent),
        ("履职部门 / departments", "、".join(a.departments)), ("盖章部门 / stamping", "、".join(a.stamping)),
    ]  # fmt: skip
    return card(f"机关 {a.name}", pairs)


def _hop_row(h: HopPlan) -> dict[str, Any]:
    rule = h.quota_rule
    quota = ""
    if rule is not None:
        limits, total = rule.limits_of(h.holder.code)
        quota = "、".join(f"{k} {v}" for k, v in sorted(limits.items()))
        if total is not None:
            quota += f"（合计 {total}）"
    return {
        "index": h.index, "authority": f"{h.holder.name}（{h.holder.code}）", "level": h.level,
        "next": f"{h.next.name}（{h.next.code}）" if h.next is not None else "—",
        "deadline": h.deadline, "deadline_label": h.deadline_label,
        "materials": "、".join(f"{m.kind}×{m.copies}" for m in h.materials), "quota": quota,
    }  # fmt: skip


def _route_html(p: RoutePlan) -> str:
    columns = [
        ("index", "环节"), ("authority", "机关"), ("level", "层级"), ("next", "推荐至"),
        ("deadline", "报送截止"), ("deadline_label", "期限"), ("materials", "所需材料"), ("quota", "名额"),
    ]  # fmt: skip
    caption = "推荐路线 / route: " + " → ".join(h.holder.name for h in p.hops)
    return table(columns, [_hop_row(h) for h in p.hops], caption=caption)


def _route_repr(p: RoutePlan) -> str:
    return "<RoutePlan " + " → ".join(f"{h.holder.name}({h.holder.code})" for h in p.hops) + ">"


def _hop_repr(h: HopPlan) -> str:
    nxt = f" → {h.next.name}" if h.next is not None else " (top)"
    return f"<HopPlan {h.index}: {h.holder.name}({h.holder.code}){nxt}>"


#: Said under the card of a record shown on its own (not through a run): the names of its
#: authorities, departments, unit type, scenario and materials are the campaign's, so the card
#: shows their codes, labelled as codes, and says where the names are.
BARE_NOTE = (
    "机关、部门、单位类型、应用场景和材料的中文名称由遴选活动确定，此卡片未结合活动，故列其代码；"
    "结合活动查看名称：run.position(…)、run.nominations()、run.submissions()。"
    " / Names of authorities, departments, unit types, scenarios and materials come from the "
    "campaign: this card, shown without one, lists their codes; a run's views name them."
)


def _bare_note() -> str:
    return f'<p style="font-size:12px;color:#555">{esc(BARE_NOTE)}</p>'


def _materials(materials: tuple[Material, ...]) -> str:
    return "、".join(f"{m.kind}×{m.copies}" for m in materials)


def _nomination_html(n: Nomination) -> str:
    pairs = [
        ("单位 / unit", f"{n.unit_name}（{n.unit_code}）"), ("单位类型代码 / unit type (code)", n.unit_type),
        ("应用场景代码 / scenario (code)", n.scenario), ("类别 / track", TRACK_ZH.get(n.track, n.track)),
        ("状态 / state", f"{STATE_ZH.get(n.state, n.state)}（{n.state}）"),
        ("办理机关代码 / holder (code)", n.holder), ("路线（机关代码）/ route (codes)", " → ".join(n.route)),
        ("已逐一审查的部门代码 / examined by (codes)", "、".join(n.examined)),
        ("材料（类别代码×份数）/ materials (kind × copies)", _materials(n.materials)),
        ("版本 / version", n.version), ("申报时间 / created", n.created_at),
        ("更新时间 / updated", n.updated_at),
        ("编号 / id", n.id),
    ]  # fmt: skip
    if n.project:
        pairs.insert(2, ("项目 / project", n.project))
    return card(f"申报 {n.unit_name}", pairs, extra=_bare_note())


def _submission_html(s: Submission) -> str:
    pairs = [
        ("报送机关代码 / sender (code)", s.sender), ("收函机关代码 / receiver (code)", s.receiver),
        ("状态 / state", f"{SUBMISSION_STATE_ZH.get(s.state, s.state)}（{s.state}）"),
        ("推荐对象编号 / units (in order)", "、".join(s.units)),
        ("已盖章的部门代码 / stamped by (codes)", "、".join(s.stamps)),
        ("材料（类别代码×份数）/ materials (kind × copies)", _materials(s.materials)),
        ("生成文件 / documents",
         "、".join(f"{m.filename}（sha256 {(m.sha256 or '')[:12]}…）" for m in s.documents)),
        ("版本 / version", s.version), ("起草时间 / created", s.created_at),
        ("报送时间 / sent", s.sent_at or ""),
        ("编号 / id", s.id),
    ]  # fmt: skip
    title = f"推荐函（报送机关代码 {s.sender} → 收函机关代码 {s.receiver}）"
    return card(title, pairs, extra=_bare_note())


def _event_repr(e: Event) -> str:
    a = e.actor
    return (
        f"<Event {e.nomination_id[:12]} v{e.version} {e.action} by {a.authority}/{a.department}/{a.person} "
        f"at {e.at.isoformat()}: {e.from_state}@{e.from_holder} → {e.to_state}@{e.to_holder}>"
    )


def _quota_html(q: QuotaLine) -> str:
    return view_html(QuotaTable([q]))


def _selection_html(r: SelectionResult) -> str:
    what = "试算（未写入）" if r.dry_run else "已执行"
    columns = _columns(("rank", "nomination_id", "outcome_zh", "reasons_zh"))
    caption = (
        f"遴选 {r.authority} {r.unit_type}（{what}）：排序 {len(r.ranked)}，推荐 {len(r.recommended)}，"
        f"名额外 {len(r.cut)}，有阻碍 {len(r.skipped)}"
    )
    return table(columns, selection_rows(r), caption=caption)


def _selection_repr(r: SelectionResult) -> str:
    dry = " dry run" if r.dry_run else ""
    return (
        f"<SelectionResult {r.authority} {r.unit_type}{dry}: {len(r.ranked)} ranked, "
        f"{len(r.recommended)} recommended, {len(r.cut)} cut, {len(r.skipped)} skipped>"
    )


def _position_html(p: Position) -> str:
    pairs = [
        ("状态 / state", f"{STATE_ZH.get(p.state, p.state)}（{p.state}）"),
        ("办理机关 / holder", f"{p.authority_name}（{p.authority}）"), ("层级 / level", p.level),
        ("推荐至 / next", p.next_authority), ("报送截止 / deadline", p.deadline),
        ("尚缺盖章 / stamps missing", "、".join(p.missing_stamps)),
        ("尚缺材料 / materials missing", "、".join(p.missing_materials)), ("编号 / id", p.nomination_id),
    ]  # fmt: skip
    return card("申报进度 / position", pairs)


def _reasons_table(reasons: tuple[Reason, ...], caption: str) -> str:
    rows = [{"code": r.code, "zh": r.zh, "en": r.en} for r in reasons]
    return table([("code", "原因代码"), ("zh", "原因"), ("en", "reason")], rows, caption=caption)


def _refused_html(e: ActionRefused) -> str:
    action = e.action_zh if e.action_zh != e.action else ACTION_NAMES_ZH.get(e.action, e.action)
    target = f"（{e.record_zh} {e.nomination_id}）" if e.nomination_id else ""
    return _reasons_table(e.reasons, f"操作“{action}”被拒绝{target} / {e.action} refused")


def _reason_html(r: Reason) -> str:
    return _reasons_table((r,), "")


def _event_list_html(e: Event) -> str:
    return view_html(EventList([e]))


def _event_log_html(log: EventLog) -> str:
    """The whole log (``run.events()``): its first events, its count as the caption."""
    shown = log.head()
    en, zh = log.title
    more = f"（前 {len(shown)} 条 / first {len(shown)}）" if len(shown) < len(log) else ""
    return table(
        _columns(_shown(SHOWN[EventList], log)), shown.rows(), caption=f"{zh} / {en}：{len(log)}{more}"
    )


_INSTALLED: list[bool] = []


def _printable(fn: Callable[[Any], str]) -> Callable[[Any], str]:
    """``fn``, a one-line console repr, with the control and bidirectional characters of the
    names it shows (a campaign file's names may hold them), line breaks and carriage returns
    included, written as escapes (:func:`~pilotflow.inputs.escaped`): printed in a terminal,
    a repr stays on its line, never overwrites one, moves the cursor, recolours or reorders
    the text. (A view's repr, one line per item, escapes each line itself.)"""

    @functools.wraps(fn)
    def printable(self: Any) -> str:
        return escaped(fn(self))

    return printable


def install() -> None:
    """Give the classes their notebook and console looks (once; later calls do nothing)."""
    if _INSTALLED:
        return
    html_of: dict[type, Callable[[Any], str]] = {
        Campaign: _campaign_html, AuthorityGraph: _graph_html, Authority: _authority_html,
        RoutePlan: _route_html, Nomination: _nomination_html, Event: _event_list_html,
        QuotaLine: _quota_html, SelectionResult: _selection_html, Position: _position_html,
        ActionRefused: _refused_html, Reason: _reason_html, View: view_html, Submission: _submission_html,
        EventLog: _event_log_html,
    }  # fmt: skip
    for cls, fn in html_of.items():
        setattr(cls, "_repr_html_", fn)  # noqa: B010
    repr_of: dict[type, Callable[[Any], str]] = {
        Campaign: _campaign_repr, RoutePlan: _route_repr, HopPlan: _hop_repr, Event: _event_repr,
        SelectionResult: _selection_repr,
    }  # fmt: skip
    for cls, fn in repr_of.items():
        setattr(cls, "__repr__", _printable(fn))  # noqa: B010
    _INSTALLED.append(True)
