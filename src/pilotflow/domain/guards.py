"""Guards: small frozen callables that look at a :class:`Context` and return a verdict.

Each guard has a stable ``code`` and returns ``None`` when the action may go ahead, or a
:class:`~pilotflow.errors.Reason` (code, English, Chinese, details) when it blocks. Guards
never raise for a blocked action and never change anything, so ``explain()`` can run all of
them and report every blocking reason at once.

>>> actor_holds()
<guard actor_holds: the actor belongs to the holding authority and acts as one of its departments>
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from attrs import frozen

from ..errors import Reason
from ._fast import LastPass
from .authorities import AuthorityGraph
from .names import (
    CHECK_SELECTED,
    OBJECTOR,
    PUBLIC,
    QUOTA_ALL_TYPES,
    ROLE_EN,
    ROLE_ZH,
    ROLES,
    SYSTEM,
    TRACK_NEW,
    TRACK_RE_REVIEW,
)
from .rules import FILING_STATES, closing

if TYPE_CHECKING:
    from .authorities import Authority
    from .campaign import Campaign, FilingRules, MaterialRequirement
    from .records import Actor, Material, Nomination
    from .routes import HopPlan
    from .screening import UnitList

__all__ = [
    "LISTED_CODES",
    "LIST_STAGES",
    "MOST_MATERIALS",
    "SYSTEM",  # spelled in names.py; kept here for the modules that import it from the guards
    "Context",
    "Guard",
    "actor_at_origin",
    "actor_holds",
    "actor_holds_or_applicant",
    "actor_is_top",
    "acts_for",
    "applicant_cap_reason",
    "applicant_within_cap",
    "before_deadline",
    "check_at_level",
    "check_settled",
    "check_settled_at_level",
    "deadline_passed",
    "drawn_for_check",
    "enough_scores",
    "examined",
    "expert_not_scored",
    "has_previous",
    "list_loader_refused",
    "materials_complete",
    "materials_full",
    "materials_room",
    "missing_copies",
    "not_drawn",
    "not_examined_yet",
    "not_listed",
    "notice_closed",
    "notice_open",
    "notice_skipped",
    "origin_fits_unit",
    "phase_held",
    "phase_refused",
    "quota_free",
    "role_refused",
    "stamp_refused",
    "top_refused",
]


class Context:
    """The facts one action is judged on. Built by the service (``CampaignRun._context``, one
    per action, its slots set directly); guards only read it.

    What the nomination and its route plan already hold is read from them (``nomination``,
    ``plan``) rather than copied.
    """

    __slots__ = (
        "actor",
        "admit",
        "at",
        "deadline_plan",
        "department_names",
        "entry",
        "extra",
        "listed",
        "lists",
        "nomination",
        "plan",
        "quota_exceed",
        "quota_limits",
        "quota_seats",
        "quota_used",
        "registered_in",
    )

    actor: Actor | None  # None: explain() without an actor, or the deadline sweep's check
    at: datetime
    nomination: Nomination  # for nominate: the nomination about to be filed
    plan: HopPlan  # the hop the nomination is at
    deadline_plan: HopPlan  # the hop whose deadline applies (at the top, withdraw: the one below)
    quota_limits: tuple[tuple[str, int | None], ...]  # (counter, limit) a recommendation moves
    quota_used: Callable[[str, str], int]
    #: The seats a recommendation takes when the campaign's tag rules decide them (exempt
    #: units, group caps): (seat, counter key, ((counter, limit), ...)); None: the holder's.
    quota_seats: tuple[tuple[str, str, tuple[tuple[str, int | None], ...]], ...] | None
    quota_exceed: str | None  # the reason given to exceed a soft cap (recommend)
    lists: tuple[UnitList, ...]
    listed: frozenset[str] | None  # every unit code on any of ``lists`` (None: not known)
    admit: tuple[UnitList, ...]  # the lists a unit must be on (eligibility), for this nomination
    department_names: Mapping[str, str]
    extra: Mapping[str, Any]
    registered_in: Authority | None  # nominate, register: the division that registered the unit
    entry: bool  # nominate: the campaign lets this unit's nomination start here (an EntryRule)

    @property
    def required_materials(self) -> tuple[MaterialRequirement, ...]:
        """The materials the hop requires of this nomination (its track decides)."""
        plan = self.plan
        if self.nomination.track == TRACK_NEW:
            return plan.materials + plan.new_materials if plan.new_materials else plan.materials
        return plan.materials + plan.re_review_materials

    def zh(self, codes: Iterable[str]) -> str:
        """Codes (departments, unit types, materials, lists) as their Chinese names, joined."""
        return "、".join(self.department_names.get(c, c) for c in codes)


class Guard:
    """Base of every guard: ``guard(context) -> Reason | None``."""

    code: ClassVar[str]
    doc: ClassVar[str]

    def __call__(self, ctx: Context) -> Reason | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def needed(self, campaign: Campaign) -> bool:
        """Can this guard refuse anything in ``campaign``? A guard of a step the campaign
        configures (``phase_held``, a level's ``check_settled``) cannot when the campaign
        holds the step, or has no such checks: the machine leaves it out of the campaign's
        transitions (and of their events' verdicts)."""
        return True

    def __repr__(self) -> str:
        return f"<guard {self.code}: {self.doc}>"


def _not_member(ctx: Context) -> Reason | None:
    return acts_for(ctx.actor, ctx.plan.holder, ctx.department_names)


#: What ``acts_for`` says the holder holds: (English, Chinese) before its name.
HELD_NOMINATION = ("the nomination is held by", "该申报目前由")
HELD_SUBMISSION = ("this action on the submission is for", "该推荐函的此项操作应由")
HELD_TOP = ("this step of the campaign is for", "本次遴选的该环节应由")


def acts_for(
    actor: Actor | None, holder: Authority, names: Mapping[str, str], held: tuple[str, str] = HELD_NOMINATION
) -> Reason | None:
    """Why ``actor`` may not act for ``holder`` (not one of its acting departments), or None.
    The one rule of who acts where, for a unit's actions, a submission's and the top's batch
    steps alike (``held``: what the refusal says ``holder`` holds, :data:`HELD_NOMINATION`,
    :data:`HELD_SUBMISSION` or :data:`HELD_TOP`)."""
    if actor is None:
        return None
    if actor.department == SYSTEM and actor.authority == holder.code:
        return None  # pilotflow's own time-driven transitions (the deadline sweep)
    if actor.authority != holder.code:
        return Reason(
            "not_authorized",
            f"{actor.authority} cannot act here: {held[0]} {holder.code} ({holder.name})",
            f"操作人所属机关无权办理：{held[1]}{holder.name}（{holder.code}）办理",
            {"actor_authority": actor.authority, "holder": holder.code},
        )
    if actor.department not in holder.departments:
        return Reason(
            "not_authorized",
            f"department {actor.department!r} is not one of {holder.code}'s departments "
            f"({', '.join(holder.departments)})",
            f"{names.get(actor.department) or f'所填部门（{actor.department!r}）'}"
            f"不是{holder.name}参与本次遴选的部门"
            f"（{'、'.join(names.get(d, d) for d in holder.departments)}）",
            {"department": actor.department, "departments": holder.departments},
        )
    return None


def role_refused(actor: Actor, doing: str, doing_zh: str) -> Reason | None:
    """Why ``actor`` may not do what only a department of an authority does (``doing``: "a
    list is loaded", ``doing_zh``: "载入名单"), or None: an applicant unit or an objector is
    refused (``not_authorized``; the system acts only through the deadline sweep)."""
    role = OBJECTOR if actor.authority == PUBLIC else actor.department
    if role not in ROLES:
        return None
    return Reason(
        "not_authorized",
        f"{doing} by a department of an authority, not by the {ROLE_EN.get(role, role)}",
        f"{doing_zh}须由机关的部门办理，{ROLE_ZH.get(role, '该经办人')}不能办理",
        {"department": actor.department},
    )


def spot_drawer_refused(actor: Actor, campaign: Campaign, graph: AuthorityGraph) -> Reason | None:
    """Why ``actor`` may not draw units for an on-site spot check, or None. The one rule of
    who draws: a department of the top authority (for the top's spot checks), or of an
    authority below it at which one of the campaign's ``checks`` rules applies (by one of the
    departments the rule names, if it names them); never an applicant, an objector or the
    system. (Each unit drawn is judged by the guards as well: this rule also stands when
    there is nothing to draw.)"""
    refused = role_refused(actor, "units for an on-site check are drawn", "抽取实地抽查单位")
    if refused is not None:
        return refused
    if actor.authority == (campaign.top or graph.top.code):  # (the campaign's top: a province's own)
        return None
    holder = graph[actor.authority]
    rules = [r for r in campaign.checks if r.applies(holder, TRACK_NEW) or r.applies(holder, TRACK_RE_REVIEW)]
    if not rules:
        return Reason(
            "not_authorized",
            f"no on-site check of the campaign is held at {holder.code}: it may not draw units for one",
            f"{holder.name}不进行本次遴选的实地抽查，不能抽取抽查单位",
            {"authority": holder.code},
        )
    if all(r.by and actor.department not in r.by for r in rules):
        by = sorted({d for r in rules for d in r.by})
        return Reason(
            "not_authorized",
            f"the on-site checks at {holder.code} are carried out by {', '.join(by)}, "
            f"not {actor.department!r}",
            f"{holder.name}的实地抽查由其他部门进行，该部门不能抽取抽查单位",
            {"authority": holder.code, "department": actor.department, "by": tuple(by)},
        )
    return None


def list_loader_refused(
    actor: Actor, campaign: Campaign, list_id: str, graph: AuthorityGraph
) -> Reason | None:
    """Why ``actor`` may not load the list ``list_id`` of ``campaign``, or None. The one rule
    of who loads a list: a department of an authority (not an applicant, an objector or the
    system) whose reach covers every place the list is judged. A list judged everywhere
    (its rule names no ``within``, or the campaign describes no rule for it) is loaded by the
    campaign's top authority alone; a list judged within some authorities, by one of them
    or an authority they lie within (:attr:`Authority.ancestors`), for each of them. Never by
    an authority outside the campaign's top (the ministry in a province's own campaign), and
    a place outside it is no place where the list is judged."""
    by_role = role_refused(actor, "a list is loaded", "载入名单")
    if by_role is not None:
        return by_role
    loader = graph[actor.authority]
    top = graph[campaign.top or graph.top.code]

    def covers(outer: str, code: str) -> bool:  # (is or contains)
        return code == outer or outer in graph[code].ancestors

    rule = campaign.list_rules().get(list_id)
    name = rule.name.zh if rule is not None else list_id
    # (a code the graph does not hold, or outside the campaign's top, names no place where
    # the campaign judges the list)
    within = sorted(c for c in rule.within if c in graph and covers(top.code, c)) if rule is not None else []
    details = {"authority": loader.code, "list": list_id, "within": tuple(within)}

    def refused(en: str, zh: str, **more: Any) -> Reason:
        return Reason("not_authorized", en, zh, {**details, **more})

    if not covers(top.code, loader.code):
        return refused(
            f"{loader.code} is not within the campaign's top authority ({top.code}): it may not load the "
            f"campaign's list {list_id}",
            f"{loader.name}不属于本次遴选最高一级机关（{top.name}）及其所辖机关，不能载入{name}",
            top=top.code,
        )
    if not within:
        if loader.code == top.code:
            return None
        return refused(
            f"the list {list_id} is judged everywhere in the campaign: only a department of its top "
            f"authority ({top.code}) may load it, not {loader.code}",
            f"{name}在本次遴选的所有机关适用，须由最高一级机关（{top.name}）的部门载入，{loader.name}不能载入",
            top=top.code,
        )
    outside = [code for code in within if not covers(loader.code, code)]
    if not outside:
        return None
    return refused(
        f"the list {list_id} is judged within {', '.join(within)}: it is loaded by a department of an "
        f"authority that is or contains each of them; {loader.code} does not cover {', '.join(outside)}",
        f"{name}适用于{'、'.join(graph[code].name for code in within)}及其所辖机关，须由涵盖上述全部地区的"
        f"机关的部门载入；{loader.name}不涵盖{'、'.join(graph[code].name for code in outside)}",
        outside=tuple(outside),
    )


@frozen(repr=False)
class _ActorHolds(Guard):
    code = "actor_holds"
    doc = "the actor belongs to the holding authority and acts as one of its departments"

    def __call__(self, ctx: Context) -> Reason | None:
        actor, holder = ctx.actor, ctx.plan.holder
        if actor is not None and actor.authority == holder.code and actor.department in holder.departments:
            return None  # the common case, without a further call
        return _not_member(ctx)


@frozen(repr=False)
class _ActorHoldsOrApplicant(Guard):
    code = "actor_holds_or_applicant"
    doc = "the actor is the applicant unit or a department of the holding authority"

    def __call__(self, ctx: Context) -> Reason | None:
        actor = ctx.actor
        if actor is not None and actor.is_applicant:
            unit_code = ctx.nomination.unit_code
            if actor.authority == unit_code:
                return None
            return Reason(
                "not_authorized",
                f"applicant {actor.authority} is not the unit of this nomination ({unit_code})",
                f"申报单位 {actor.authority} 不是本申报的单位（{unit_code}）",
                {"actor_authority": actor.authority, "unit_code": unit_code},
            )
        return _not_member(ctx)


@frozen(repr=False)
class _ActorAtOrigin(_ActorHoldsOrApplicant):
    code = "actor_at_origin"
    doc = "the applicant itself or a department of the origin authority files the nomination"


@frozen(repr=False)
class _OriginFitsUnit(Guard):
    code = "origin_fits_unit"
    doc = "the nomination starts where nominations start, within the division that registered the unit"

    def __call__(self, ctx: Context) -> Reason | None:
        origin = ctx.plan.holder
        unit_code = ctx.nomination.unit_code
        if ctx.entry:  # an entry rule: the unit files here, registered anywhere within it
            registered = ctx.registered_in
            if registered is not None and (
                origin.code in registered.ancestors or AuthorityGraph.covers(origin, registered)
            ):
                return None
        elif not ctx.plan.starts_route:
            return Reason(
                "origin_not_first_level",
                f"nominations do not start at {origin.code} ({origin.name}): file the unit at "
                "the authority below it where the unit is registered",
                f"申报不能从{origin.name}发起，请向单位注册地所在的下一级主管部门申报",
                {"origin": origin.code},
            )
        if origin.kind == "central_enterprise":
            # A central enterprise files for its member units, wherever they are registered:
            # its headquarters vouches for membership, so an applicant cannot file there alone.
            actor = ctx.actor  # its headquarters, or the ministry registering an earlier winner
            if actor is None or actor.authority in (origin.code, ctx.extra.get("top")):
                return None
            return Reason(
                "origin_outside_registration",
                f"a unit is filed at the central enterprise {origin.code} ({origin.name}) by its "
                "headquarters, which vouches that the unit is one of its members",
                f"中央企业成员单位须由{origin.name}集团总部组织申报，申报单位不能自行向中央企业申报",
                {"origin": origin.code, "unit_code": unit_code},
            )
        registered = ctx.registered_in
        if registered is not None and AuthorityGraph.covers(origin, registered):
            return None
        division = unit_code[2:8]
        where = f"{registered.code} ({registered.name})" if registered is not None else "an unknown division"
        where_zh = registered.name if registered is not None else "未知的行政区划"
        return Reason(
            "origin_outside_registration",
            f"unit {unit_code} is registered in {where} (division code {division} in its unified "
            f"social credit code); it cannot be filed at {origin.code} ({origin.name}), which lies "
            "outside that division",
            f"单位 {unit_code} 的登记管理机关位于{where_zh}（统一社会信用代码第 3-8 位），"
            f"不能向辖区以外的{origin.name}申报",
            {
                "origin": origin.code,
                "division": division,
                "registered_in": registered.code if registered else None,
            },
        )


@frozen(repr=False)
class _BeforeDeadline(Guard):
    code = "before_deadline"
    doc = "the hop's deadline (Asia/Shanghai) has not passed"

    def __call__(self, ctx: Context) -> Reason | None:
        deadline = ctx.deadline_plan.deadline
        state = ctx.nomination.state
        filing = ctx.extra.get("filing")
        closes = closing(deadline, state, filing)  # nominate, apply: the filing deadline too
        if closes is None or ctx.at < closes:
            return None
        if filing is not None and state in FILING_STATES and ctx.at >= filing.deadline:
            return _filing_closed(filing, ctx.at)
        assert deadline is not None  # (closes is the hop's deadline)
        label = ctx.deadline_plan.deadline_label
        return Reason(
            "deadline_passed",
            f"the deadline of {label} has passed: it closed at "
            f"{deadline.isoformat()}, the action is at {ctx.at.isoformat()}",
            f"{label} 的报送期限已过：截止于 {deadline.isoformat()}，本次操作时间为 {ctx.at.isoformat()}",
            {"deadline": deadline.isoformat(), "at": ctx.at.isoformat(), "hop": label},
        )


def _filing_closed(filing: FilingRules, at: datetime) -> Reason:
    closed = filing.deadline.isoformat()
    return Reason(
        "filing_deadline_passed",
        f"the filing deadline ({filing.deadline_text}) has passed: filing closed at {closed}, "
        f"the action is at {at.isoformat()}",
        f"申报（填报）截止时间（{filing.deadline_text}）已过：截止于 {closed}，"
        f"本次操作时间为 {at.isoformat()}",
        {"deadline": closed, "at": at.isoformat(), "hop": "filing"},
    )


#: What a listing forbids at each stage where the lists are judged: (English, Chinese).
#: ``recommend`` covers every action below the top (filing, applying, stamping, recommending);
#: the others are the top's steps up to the announcement (docs/ministry-phase.md).
LIST_STAGES: dict[str, tuple[str, str]] = {
    "recommend": ("recommended", "推荐"),
    "propose": ("put on the proposed list", "列入拟认定名单"),
    "publish": ("put on public notice", "公示"),
    "announce": ("announced", "公告"),
}

#: The codes of the reasons :func:`not_listed` gives (a bar list, an admit list).
LISTED_CODES: frozenset[str] = frozenset({"disqualified", "not_eligible"})


@frozen(repr=False)
class _NotListed(Guard):
    code = "not_listed"
    doc = "the unit is on no list that bars it, and on every list that admits it, at the moment of the action"
    stage: str = "recommend"

    def __call__(self, ctx: Context) -> Reason | None:
        unit_code = ctx.nomination.unit_code
        en_stage, zh_stage = LIST_STAGES[self.stage]
        if ctx.admit:
            for lst in ctx.admit:
                if lst.hit(unit_code, ctx.at) is None:
                    return Reason(
                        "not_eligible",
                        f"unit {unit_code} is not on list {lst.id!r} (version {lst.version}) at "
                        f"{ctx.at.date().isoformat()}: only units on it may be {en_stage}",
                        f"单位 {unit_code} 于 {ctx.at.date().isoformat()} 不在{ctx.zh([lst.id])}"
                        f"（版本 {lst.version}）中，不得{zh_stage}",
                        {"list": lst.id, "list_version": lst.version, "stage": self.stage},
                    )
        if ctx.listed is not None and unit_code not in ctx.listed:
            return None  # on no list at all: one set lookup instead of one per list
        for lst in ctx.lists:
            hit = lst.hit(unit_code, ctx.at)
            if hit is not None:
                en = (
                    f"unit {unit_code} is on list {lst.id!r} (version {lst.version}) since "
                    f"{hit.since.date().isoformat()}: {hit.reason or 'no reason given'}"
                )
                return Reason(
                    "disqualified",
                    en if self.stage == "recommend" else f"{en}; it may not be {en_stage}",
                    f"单位 {unit_code} 自 {hit.since.date().isoformat()} 起被列入"
                    f"{ctx.zh([lst.id])}（版本 {lst.version}），不得{zh_stage}：{hit.reason or '未注明原因'}",
                    {"list": lst.id, "list_version": lst.version, "reason": hit.reason, "stage": self.stage},
                )
        return None


@frozen(repr=False)
class _Examined(Guard):
    code = "examined"
    doc = "every department the campaign names has examined the unit at the holding authority (逐一审查)"

    def __call__(self, ctx: Context) -> Reason | None:
        holder = ctx.plan.holder
        if not holder.examining:
            return None  # the campaign asks for no per-unit examination here
        done = ctx.nomination.examined
        missing = [d for d in holder.examining if d not in done]
        if not missing:
            return None
        return Reason(
            "examinations_missing",
            f"the unit has not been examined at {holder.code} by: {', '.join(missing)}",
            f"{holder.name} 尚未完成对该单位的逐一审查，尚缺：{ctx.zh(missing)}",
            {"missing": tuple(missing), "authority": holder.code},
        )


_COMPLETE = LastPass()  # speed: see pilotflow.domain._fast.LastPass


def missing_copies(
    materials: Iterable[Material], required: Iterable[MaterialRequirement], unit_type: str | None = None
) -> list[tuple[str, int, int]]:
    """What ``required`` lacks among ``materials`` (copies of a kind add up), as (kind, copies
    needed, copies there); a requirement of other unit types than ``unit_type`` does not
    count. The one rule of "materials complete", for a unit's and for a letter's."""
    have: dict[str, int] = {}
    for m in materials:
        have[m.kind] = have.get(m.kind, 0) + m.copies
    return [
        (req.kind, req.copies, have.get(req.kind, 0))
        for req in required
        if have.get(req.kind, 0) < req.copies and (unit_type is None or req.applies_to(unit_type))
    ]


@frozen(repr=False)
class _MaterialsComplete(Guard):
    code = "materials_complete"
    doc = "the materials the hop requires are attached"

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        materials, unit_type = n.materials, n.unit_type
        required = ctx.required_materials
        if _COMPLETE.holds(materials, required, unit_type):
            return None
        missing = missing_copies(materials, required, unit_type)
        if not missing:
            _COMPLETE.remember(materials, required, unit_type)
            return None  # everything required is there
        text = ", ".join(f"{k} ({h}/{n})" for k, n, h in missing)
        text_zh = "、".join(f"{ctx.zh([k])}（已有 {h} 份，需 {n} 份）" for k, n, h in missing)
        return Reason(
            "materials_missing",
            f"materials missing for this hop: {text}",
            f"本环节所需材料不全：{text_zh}",
            {"missing": tuple(k for k, _, _ in missing), "counts": tuple(missing)},
        )


@frozen(repr=False)
class _QuotaFree(Guard):
    code = "quota_free"
    doc = "the recommending authority has quota left for the unit type"

    def __call__(self, ctx: Context) -> Reason | None:
        plan = ctx.plan
        holder = plan.holder.code
        asked = ctx.quota_exceed is not None  # a reason to exceed a soft cap was given
        soft = asked and may_exceed(ctx)
        if asked and not soft:
            return Reason(
                "quota_exceed_not_allowed",
                f"only a department the quota rule names may exceed the quota of {holder}",
                f"{plan.holder.name} 的推荐名额不允许由该部门超出（仅限名额规则指定的部门，且须说明理由）",
                {"authority": holder},
            )
        # The seats the unit's tags decide (the holder's, a group's), or the holder's alone.
        seats = ctx.quota_seats if ctx.quota_seats is not None else ((holder, holder, ctx.quota_limits),)
        full = False
        for seat, key, limits in seats:
            own = seat == holder
            for counter, limit in limits:
                if limit is None:
                    continue
                used = ctx.quota_used(key, counter)
                if used < limit:
                    continue
                if own and soft:  # the holder's soft cap, exceeded with a recorded reason
                    full = True
                    continue
                rule = (plan.quota_rule.name if plan.quota_rule is not None else "") if own else key
                name = plan.holder.name if own else group_name(key, ctx.department_names)
                return _quota_reason(key, counter, limit, used, rule, name, ctx.zh([counter]))
        if asked and not full:
            return Reason(
                "quota_not_full",
                f"the quota of {holder} is not full: there is nothing to exceed, recommend without a reason",
                f"{plan.holder.name} 的推荐名额尚未用满，无需说明超出名额的理由，请直接推荐",
                {"authority": holder},
            )
        return None


def may_exceed(ctx: Context) -> bool:
    """The actor may exceed the holder's soft cap: the rule is soft, the actor's department
    is one it names, and a reason was given (recorded in the event)."""
    rule = ctx.plan.quota_rule
    actor = ctx.actor
    return (
        rule is not None
        and bool(rule.exceed_by)
        and ctx.nomination.track == TRACK_NEW  # a re-review share is no rule's cap
        and ctx.quota_exceed is not None
        and actor is not None
        and actor.authority == ctx.plan.holder.code
        and actor.department in rule.exceed_by
    )


def group_name(key: str, names: Mapping[str, str]) -> str:
    """``group:<list>:<group>`` in Chinese: the list's name and the group."""
    _, list_id, group = key.split(":", 2)
    return f"{names.get(list_id, list_id)}（{group}）"


def _quota_reason(
    authority: str,
    unit_type: str,
    limit: int,
    used: int,
    rule: str,
    authority_zh: str = "",
    unit_type_zh: str = "",
) -> Reason:
    what, what_zh = {
        QUOTA_ALL_TYPES: ("all unit types together", "全部类型合计"),
        TRACK_RE_REVIEW: ("re-review recommendations (share of applicants)", "复核推荐（按申请数比例）"),
    }.get(unit_type, (f"unit type {unit_type!r}", f"{unit_type_zh or unit_type}类"))
    return Reason(
        "quota_full",
        f"quota of {authority} for {what} is full: {used} of {limit} used (rule {rule!r})",
        f"{authority_zh or authority} 的{what_zh}推荐名额已满：已用 {used} 个，限额 {limit} 个",
        {"authority": authority, "unit_type": unit_type, "limit": limit, "used": used},
    )


def stamp_refused(
    actor: Actor | None, holder: Authority, stamps: Iterable[str], names: Mapping[str, str]
) -> Reason | None:
    """Why ``actor`` may not stamp the joint letter of ``holder`` that already bears
    ``stamps`` (not a stamping department there, or stamped already), or None. An outsider
    is refused by :func:`acts_for`."""
    if actor is None or actor.authority != holder.code:
        return None
    zh = names.get(actor.department, actor.department)
    if actor.department not in holder.stamping and actor.department in holder.departments:
        return Reason(
            "not_a_stamping_department",
            f"department {actor.department!r} reviews at {holder.code} but does not stamp its "
            f"recommendation (stamping: {', '.join(holder.stamping)})",
            f"{zh}部门参与{holder.name}的审核，但不在推荐函上盖章"
            f"（盖章部门：{'、'.join(names.get(d, d) for d in holder.stamping)}）",
            {"department": actor.department, "stamping": holder.stamping},
        )
    if actor.department not in stamps:
        return None
    return Reason(
        "already_stamped",
        f"department {actor.department!r} of {holder.code} has already stamped",
        f"{holder.name} 的{zh}部门已盖章，不能重复盖章",
        {"department": actor.department},
    )


@frozen(repr=False)
class _NotExaminedYet(Guard):
    code = "not_examined_yet"
    doc = "the acting department examines units at the holding authority and has not examined this one yet"

    def __call__(self, ctx: Context) -> Reason | None:
        actor = ctx.actor
        holder = ctx.plan.holder
        if actor is None or actor.authority != holder.code or actor.department not in holder.departments:
            return None  # an outsider is refused as such (actor_holds)
        if actor.department not in holder.examining:
            return Reason(
                "not_an_examining_department",
                f"department {actor.department!r} does not examine units one by one at {holder.code}"
                + (f" (examining: {', '.join(holder.examining)})" if holder.examining else
                   ": the campaign asks for no per-unit examination there"),
                f"{ctx.zh([actor.department])}部门不负责{holder.name}的逐一审查"
                + (f"（审查部门：{ctx.zh(holder.examining)}）" if holder.examining
                   else "（本次遴选此处无需逐一审查）"),
                {"department": actor.department, "examining": holder.examining},
            )  # fmt: skip
        if actor.department not in ctx.nomination.examined:
            return None
        return Reason(
            "already_examined",
            f"department {actor.department!r} of {holder.code} has already examined this unit",
            f"{holder.name} 的{ctx.zh([actor.department])}部门已审查过该单位，不能重复审查",
            {"department": actor.department},
        )


@frozen(repr=False)
class _HasPrevious(Guard):
    code = "has_previous"
    doc = "there is a lower authority to return the nomination to"

    def __call__(self, ctx: Context) -> Reason | None:
        if ctx.nomination.hop > 0:
            return None
        return Reason(
            "at_origin",
            "the nomination is at its origin: there is no lower level to return it to "
            "(decline it, or the applicant withdraws it)",
            "申报位于最初受理机关，无下级可退回（可不予推荐，或由申报单位撤回）",
        )


@frozen(repr=False)
class _DeadlinePassed(Guard):
    code = "deadline_passed"
    doc = "the hop's deadline has passed (time-driven transitions only)"

    def __call__(self, ctx: Context) -> Reason | None:
        # (a winner awaiting its application: the filing deadline, if it closes first)
        deadline = closing(ctx.deadline_plan.deadline, ctx.nomination.state, ctx.extra.get("filing"))
        if deadline is not None and ctx.at >= deadline:
            return None
        when = "no deadline" if deadline is None else f"it closes at {deadline.isoformat()}"
        label = ctx.deadline_plan.deadline_label
        return Reason(
            "deadline_not_passed",
            f"the deadline of {label or 'this hop'} has not passed ({when})",
            f"{label or '本环节'} 的报送期限尚未届满",
            {"deadline": None if deadline is None else deadline.isoformat()},
        )


def deadline_passed() -> Guard:
    """The hop's deadline has passed (the deadline sweep lapses what was not forwarded)."""
    return _DeadlinePassed()


def actor_holds() -> Guard:
    """The actor belongs to the holding authority, as one of its departments."""
    return _ActorHolds()


def actor_holds_or_applicant() -> Guard:
    """The actor is the applicant unit itself, or a department of the holding authority."""
    return _ActorHoldsOrApplicant()


def actor_at_origin() -> Guard:
    """The nomination is filed by the applicant or by a department of the origin authority."""
    return _ActorAtOrigin()


def origin_fits_unit() -> Guard:
    """The nomination starts at an authority where nominations start (the campaign's first
    level, or one with nothing below it such as XPCC), within the division that registered
    the unit or one that admits it; at a central enterprise, filed by its headquarters."""
    return _OriginFitsUnit()


def before_deadline() -> Guard:
    """The relevant hop's deadline has not passed at the moment of the action."""
    return _BeforeDeadline()


def not_listed(stage: str = "recommend") -> Guard:
    """The unit is on none of the campaign's lists that bar it and on every list that admits
    it (eligibility) at that moment, as the lists are scoped to its track, unit type and the
    holding authority. ``stage`` (one of :data:`LIST_STAGES`) names, in a refusal, what the
    listing forbids: a recommendation below the top, or the top's proposal, public notice or
    announcement."""
    if stage not in LIST_STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return _NotListed(stage)


def examined() -> Guard:
    """Every department the campaign names has examined the unit at the holder (逐一审查)."""
    return _Examined()


def materials_complete() -> Guard:
    """The hop's required materials are attached in the required number of copies."""
    return _MaterialsComplete()


def quota_free() -> Guard:
    """The holder's quota for the unit type (and in total) is not used up."""
    return _QuotaFree()


#: At most this many materials one nomination or one letter holds (the 2023 campaign asks
#: for nine kinds): each attach adds one and every later action carries them.
MOST_MATERIALS = 200


def materials_full(held: int, what: str, what_zh: str, **details: Any) -> Reason | None:
    """Why one more material may not be attached to ``what`` holding ``held`` already, or
    None: it holds :data:`MOST_MATERIALS`."""
    if held < MOST_MATERIALS:
        return None
    return _simple("materials_full", f"{what} already holds {held} materials, the most one may hold",
                   f"{what_zh}已有 {held} 份材料，达到上限（{MOST_MATERIALS} 份），不能再添加",
                   held=held, most=MOST_MATERIALS, **details)  # fmt: skip


@frozen(repr=False)
class _MaterialsRoom(Guard):
    code = "materials_room"
    doc = f"the nomination holds fewer than {MOST_MATERIALS} materials"

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        return materials_full(len(n.materials), f"nomination {n.id}", f"申报 {n.unit_name}", nomination=n.id)


def materials_room() -> Guard:
    """The nomination holds fewer than :data:`MOST_MATERIALS` materials (one more may be
    attached)."""
    return _MaterialsRoom()


def not_examined_yet() -> Guard:
    """The acting department examines units here and has not examined this one yet."""
    return _NotExaminedYet()


def has_previous() -> Guard:
    """There is a lower authority on the route."""
    return _HasPrevious()


def _simple(code: str, en: str, zh: str, **details: Any) -> Reason:
    return Reason(code, en, zh, details)


@frozen(repr=False)
class _ExpertNotScored(Guard):
    code = "expert_not_scored"
    doc = "this expert has not scored the unit yet"

    def __call__(self, ctx: Context) -> Reason | None:
        n, actor = ctx.nomination, ctx.actor
        if n is None or n.ministry is None or actor is None:
            return None
        if any(s.expert == actor.person for s in n.ministry.scores):
            return _simple("already_scored", f"expert {actor.person} has already scored this unit",
                           f"专家 {actor.person} 已对该单位评分", expert=actor.person)  # fmt: skip
        return None


@frozen(repr=False)
class _EnoughScores(Guard):
    code = "enough_scores"
    doc = "at least the campaign's minimum number of experts have scored"

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        have = len(n.ministry.scores) if n is not None and n.ministry is not None else 0
        need = int(ctx.extra.get("min_experts", 1))
        if have >= need:
            return None
        return _simple("scores_missing", f"{have} of the {need} expert scores needed",
                       f"专家评分不足：已有 {have} 份，至少需要 {need} 份", have=have, need=need)  # fmt: skip


@frozen(repr=False)
class _CheckState(Guard):
    """The spot-check mark is (``want`` True) or is not (False) "selected"."""

    code = "check_state"
    doc = "the on-site spot check is in the required state"
    want: bool = True

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        selected = n is not None and n.ministry is not None and n.ministry.check == CHECK_SELECTED
        if selected == self.want:
            return None
        if self.want:
            return _simple("not_selected_for_check", "the unit was not drawn for an on-site check",
                           "该单位未被抽中实地抽检")  # fmt: skip
        return _simple("spot_check_pending", "the unit's on-site spot check has no result yet",
                       "该单位的实地抽检尚无结果")  # fmt: skip


@frozen(repr=False)
class _NotDrawn(Guard):
    code = "not_drawn"
    doc = "the unit has not been drawn for an on-site check already"

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        if n is not None and n.ministry is not None and n.ministry.check is not None:
            return _simple("already_drawn", "the unit was already drawn for an on-site check",
                           "该单位已被抽中实地抽检")  # fmt: skip
        return None


@frozen(repr=False)
class _NoticeWindow(Guard):
    """The public notice is open (``open`` True) or has closed (False) at the moment."""

    code = "notice_window"
    doc = "the public notice window is in the required state"
    open: bool = True

    def __call__(self, ctx: Context) -> Reason | None:
        n = ctx.nomination
        until = n.ministry.notice_until if n is not None and n.ministry is not None else None
        if until is None:
            return _simple("not_on_notice", "the unit is not on public notice", "该单位未在公示中")
        is_open = ctx.at < until
        if is_open == self.open:
            return None
        if self.open:
            return _simple("notice_closed", f"the public notice closed at {until.isoformat()}",
                           f"公示期已于 {until.isoformat()} 结束", until=until.isoformat())  # fmt: skip
        return _simple("notice_open", f"the public notice runs until {until.isoformat()}",
                       f"公示期至 {until.isoformat()} 方结束", until=until.isoformat())  # fmt: skip


@frozen(repr=False)
class _ActorIsTop(Guard):
    code = "actor_is_top"
    doc = "the actor is a department of the top authority (the ministry, or a province's own top)"

    def __call__(self, ctx: Context) -> Reason | None:
        top = ctx.extra.get("top")
        return None if top is None else top_refused(ctx.actor, top, ctx.extra.get("top_name") or top)


def top_refused(actor: Actor | None, top: str, top_name: str) -> Reason | None:
    """Why ``actor`` may not do what only the campaign's top authority ``top`` does
    (registering earlier winners for re-review), or None: the one rule of ``actor_is_top``,
    also said before a batch finds no unit to judge."""
    if actor is None or actor.authority == top:
        return None
    return _simple("not_authorized", f"only the top of the campaign ({top}) may do this",
                   f"仅本次遴选的最高一级机关（{top_name}）可执行此操作",
                   actor_authority=actor.authority)  # fmt: skip


def expert_not_scored() -> Guard:
    """The acting expert (the actor's person id) has not scored the unit yet."""
    return _ExpertNotScored()


def enough_scores() -> Guard:
    """At least the campaign's minimum number of experts have scored."""
    return _EnoughScores()


@frozen(repr=False)
class _DrawnForCheck(_CheckState):
    code = "drawn_for_check"
    doc = "the unit was drawn for an on-site spot check and has no result yet"
    want: bool = True


@frozen(repr=False)
class _CheckSettled(_CheckState):
    code = "check_settled"
    doc = "no on-site spot check is pending for the unit"
    want: bool = False


@frozen(repr=False)
class _NoticeOpen(_NoticeWindow):
    code = "notice_open"
    doc = "the public notice is running at the moment of the action"
    open: bool = True


@frozen(repr=False)
class _NoticeClosed(_NoticeWindow):
    code = "notice_closed"
    doc = "the public notice has closed at the moment of the action"
    open: bool = False


@frozen(repr=False)
class _SettledAtLevel(_CheckSettled):
    doc = "no on-site check of the campaign's checks is pending for the unit at this level"

    def needed(self, campaign: Campaign) -> bool:
        return bool(campaign.checks)


def check_settled_at_level() -> Guard:
    """No on-site check (the campaign's ``checks``) is pending for the unit at this level."""
    return _SettledAtLevel()


def drawn_for_check() -> Guard:
    """The unit was drawn for an on-site spot check and has no result yet."""
    return _DrawnForCheck()


def check_settled() -> Guard:
    """No on-site spot check is pending for the unit."""
    return _CheckSettled()


def not_drawn() -> Guard:
    """The unit has not been drawn for an on-site check before."""
    return _NotDrawn()


def notice_open() -> Guard:
    """The public notice is running at the moment of the action."""
    return _NoticeOpen()


def notice_closed() -> Guard:
    """The public notice has closed at the moment of the action."""
    return _NoticeClosed()


def actor_is_top() -> Guard:
    """The actor belongs to the top authority of the graph."""
    return _ActorIsTop()


# -- phases as configured steps (docs/ministry-phase.md) ---------------------------------------

#: The steps of the phase at the top a campaign may hold or not (``Campaign.phases``), and
#: how a refusal names them.
_STEPS = {
    "review": ("expert review", "专家评审"),
    "spot_check": ("on-site spot checks", "实地抽检"),
    "notice": ("public notice", "公示"),
}


@frozen(repr=False)
class _PhaseHeld(Guard):
    """The campaign holds the step ``step`` (``Campaign.phases``)."""

    code = "phase_held"
    doc = "the campaign holds this step of the phase at the top"
    step: str = "review"

    def needed(self, campaign: Campaign) -> bool:
        return not getattr(campaign.phases, self.step)

    def __call__(self, ctx: Context) -> Reason | None:
        return phase_refused(ctx.extra.get("phases"), self.step)


def phase_refused(phases: Any, step: str) -> Reason | None:
    """Why a campaign of ``phases`` (``Campaign.phases``) has no step ``step`` (``review``,
    ``spot_check``, ``notice``), or None: the one rule of ``phase_held``, also said before a
    batch finds no unit to judge."""
    if phases is None or getattr(phases, step):
        return None
    en, zh = _STEPS[step]
    return _simple("phase_absent", f"this campaign holds no {en}: it has no such step",
                   f"本次遴选不设{zh}环节", step=step)  # fmt: skip


@frozen(repr=False)
class _NoticeSkipped(Guard):
    code = "notice_skipped"
    doc = "the campaign holds no public notice: a proposed unit is announced directly"

    def __call__(self, ctx: Context) -> Reason | None:
        phases = ctx.extra.get("phases")
        if phases is not None and not phases.notice:
            return None
        return _simple("notice_required", "this campaign publishes the proposed list first (公示)",
                       "本次遴选须先公示拟认定名单，公示期满后方可公告")  # fmt: skip


@frozen(repr=False)
class _CheckAtLevel(Guard):
    code = "check_at_level"
    doc = "an on-site check rule of the campaign applies at the holder, by the acting department"

    def __call__(self, ctx: Context) -> Reason | None:
        campaign = ctx.extra.get("campaign")
        holder, n = ctx.plan.holder, ctx.nomination
        rule = campaign.check_rule(holder, n.track) if campaign is not None else None
        if rule is None:
            return _simple("no_check_here", f"no on-site check is held at {holder.code} ({holder.name}) "
                           "for this nomination", f"{holder.name}不对该申报进行实地抽查",
                           holder=holder.code)  # fmt: skip
        actor = ctx.actor
        if actor is None or not rule.by or actor.department in rule.by or actor.department == SYSTEM:
            return None
        return _simple("not_authorized", f"the on-site check {rule.name!r} is carried out by "
                       f"{', '.join(rule.by)}, not {actor.department!r}",
                       f"实地抽查由{ctx.zh(rule.by)}部门进行，{ctx.zh([actor.department])}部门不能办理",
                       department=actor.department, by=rule.by)  # fmt: skip


def phase_held(step: str) -> Guard:
    """The campaign holds ``step`` (``review``, ``spot_check`` or ``notice``)."""
    if step not in _STEPS:
        raise ValueError(f"unknown step {step!r}")
    return _PhaseHeld(step)


def notice_skipped() -> Guard:
    """The campaign holds no public notice (a proposed unit may be announced directly)."""
    return _NoticeSkipped()


def check_at_level() -> Guard:
    """An on-site check rule applies at the holder to the nomination's track, and the actor
    is one of the departments that carry it out."""
    return _CheckAtLevel()


#: ``Context.extra`` keys of the cap per applicant (set by nominate when the campaign has one).
PER_APPLICANT = "per_applicant"
APPLICANT_CLAIMS = "applicant_claims"


def applicant_cap_reason(unit_code: str, cap: int, held: int) -> Reason:
    """The refusal of a nomination beyond the campaign's cap per applicant."""
    return Reason(
        "applicant_cap",
        f"unit {unit_code} already holds {held} nomination(s) in this campaign; "
        f"the campaign allows at most {cap} per applicant",
        f"申报主体 {unit_code} 在本次遴选中已有 {held} 个申报项目，同一申报主体最多不超过 {cap} 个项目",
        {"unit_code": unit_code, "limit": cap, "held": held},
    )


@frozen(repr=False)
class _ApplicantWithinCap(Guard):
    code = "applicant_within_cap"
    doc = "the unit holds fewer nominations than the campaign's cap per applicant (applicants.per_applicant)"

    def needed(self, campaign: Campaign) -> bool:
        return campaign.per_applicant is not None

    def __call__(self, ctx: Context) -> Reason | None:
        cap = ctx.extra.get(PER_APPLICANT)
        if cap is None:
            return None
        held = int(ctx.extra.get(APPLICANT_CLAIMS, 0))
        return None if held < cap else applicant_cap_reason(ctx.nomination.unit_code, cap, held)


def applicant_within_cap() -> Guard:
    """The unit may file one more nomination under the campaign's cap per applicant."""
    return _ApplicantWithinCap()
