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

from .errors import Reason

if TYPE_CHECKING:
    from .authorities import Authority
    from .campaign import MaterialRequirement
    from .nomination import Actor, Material, Nomination
    from .screening import UnitList

__all__ = [
    "Context",
    "Guard",
    "actor_at_origin",
    "actor_holds",
    "actor_holds_or_applicant",
    "before_deadline",
    "deadline_passed",
    "has_previous",
    "materials_complete",
    "not_listed",
    "not_stamped_yet",
    "quota_free",
    "stamps_complete",
]


class Context:
    """The facts one action is judged on. Built by the workflow; guards only read it."""

    __slots__ = (
        "actor",
        "at",
        "deadline",
        "deadline_label",
        "department_names",
        "extra",
        "holder",
        "hop",
        "lists",
        "materials",
        "next_authority",
        "nomination",
        "quota_limits",
        "quota_rule_name",
        "quota_used",
        "required_materials",
        "route_len",
        "stamps",
        "unit_code",
        "unit_type",
    )

    def __init__(
        self,
        *,
        actor: Actor | None,
        at: datetime,
        holder: Authority,
        next_authority: Authority | None,
        hop: int,
        route_len: int,
        unit_code: str,
        unit_type: str,
        stamps: tuple[str, ...],
        materials: tuple[Material, ...],
        deadline: datetime | None,
        deadline_label: str,
        required_materials: tuple[MaterialRequirement, ...],
        quota_limits: tuple[tuple[str, int | None], ...],
        quota_rule_name: str,
        quota_used: Callable[[str, str], int],
        lists: tuple[UnitList, ...],
        department_names: Mapping[str, str],
        nomination: Nomination | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.actor = actor
        self.at = at
        self.holder = holder
        self.next_authority = next_authority
        self.hop = hop
        self.route_len = route_len
        self.unit_code = unit_code
        self.unit_type = unit_type
        self.stamps = stamps
        self.materials = materials
        self.deadline = deadline
        self.deadline_label = deadline_label
        self.required_materials = required_materials
        self.quota_limits = quota_limits
        self.quota_rule_name = quota_rule_name
        self.quota_used = quota_used
        self.lists = lists
        self.department_names = department_names
        self.nomination = nomination
        self.extra = extra if extra is not None else {}

    def zh(self, departments: Iterable[str]) -> str:
        """Department codes as their Chinese names, joined."""
        return "、".join(self.department_names.get(d, d) for d in departments)


class Guard:
    """Base of every guard: ``guard(context) -> Reason | None``."""

    code: ClassVar[str]
    doc: ClassVar[str]

    def __call__(self, ctx: Context) -> Reason | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<guard {self.code}: {self.doc}>"


def _not_member(ctx: Context) -> Reason | None:
    actor = ctx.actor
    if actor is None:
        return None
    holder = ctx.holder
    if actor.authority != holder.code:
        return Reason(
            "not_authorized",
            f"{actor.authority} cannot act here: the nomination is held by {holder.code} ({holder.name})",
            f"{actor.authority} 无权操作：该申报目前由 {holder.code}（{holder.name}）办理",
            {"actor_authority": actor.authority, "holder": holder.code},
        )
    if actor.department not in holder.departments:
        return Reason(
            "not_authorized",
            f"department {actor.department!r} is not one of {holder.code}'s departments "
            f"({', '.join(holder.departments)})",
            f"部门 {actor.department!r} 不属于 {holder.name}（{ctx.zh(holder.departments)}）",
            {"department": actor.department, "departments": holder.departments},
        )
    return None


@frozen(repr=False)
class _ActorHolds(Guard):
    code = "actor_holds"
    doc = "the actor belongs to the holding authority and acts as one of its departments"

    def __call__(self, ctx: Context) -> Reason | None:
        return _not_member(ctx)


@frozen(repr=False)
class _ActorHoldsOrApplicant(Guard):
    code = "actor_holds_or_applicant"
    doc = "the actor is the applicant unit or a department of the holding authority"

    def __call__(self, ctx: Context) -> Reason | None:
        actor = ctx.actor
        if actor is not None and actor.is_applicant:
            if actor.authority == ctx.unit_code:
                return None
            return Reason(
                "not_authorized",
                f"applicant {actor.authority} is not the unit of this nomination ({ctx.unit_code})",
                f"申报单位 {actor.authority} 不是本申报的单位（{ctx.unit_code}）",
                {"actor_authority": actor.authority, "unit_code": ctx.unit_code},
            )
        return _not_member(ctx)


@frozen(repr=False)
class _ActorAtOrigin(_ActorHoldsOrApplicant):
    code = "actor_at_origin"
    doc = "the applicant itself or a department of the origin authority files the nomination"


@frozen(repr=False)
class _BeforeDeadline(Guard):
    code = "before_deadline"
    doc = "the hop's deadline (Asia/Shanghai) has not passed"

    def __call__(self, ctx: Context) -> Reason | None:
        deadline = ctx.deadline
        if deadline is None or ctx.at < deadline:
            return None
        return Reason(
            "deadline_passed",
            f"the deadline of {ctx.deadline_label} has passed: it closed at "
            f"{deadline.isoformat()}, the action is at {ctx.at.isoformat()}",
            f"{ctx.deadline_label} 的报送期限已过：截止于 {deadline.isoformat()}，"
            f"本次操作时间为 {ctx.at.isoformat()}",
            {"deadline": deadline.isoformat(), "at": ctx.at.isoformat(), "hop": ctx.deadline_label},
        )


@frozen(repr=False)
class _NotListed(Guard):
    code = "not_listed"
    doc = "the unit is on no disqualification list at the moment of the action"

    def __call__(self, ctx: Context) -> Reason | None:
        for lst in ctx.lists:
            hit = lst.hit(ctx.unit_code, ctx.at)
            if hit is not None:
                return Reason(
                    "disqualified",
                    f"unit {ctx.unit_code} is on list {lst.id!r} (version {lst.version}) since "
                    f"{hit.since.date().isoformat()}: {hit.reason or 'no reason given'}",
                    f"单位 {ctx.unit_code} 自 {hit.since.date().isoformat()} 起被列入 "
                    f"{lst.id!r}（版本 {lst.version}），不得推荐：{hit.reason or '未注明原因'}",
                    {"list": lst.id, "list_version": lst.version, "reason": hit.reason},
                )
        return None


@frozen(repr=False)
class _StampsComplete(Guard):
    code = "stamps_complete"
    doc = "every department of the holding authority has stamped (联合盖章)"

    def __call__(self, ctx: Context) -> Reason | None:
        missing = [d for d in ctx.holder.departments if d not in ctx.stamps]
        if not missing:
            return None
        return Reason(
            "stamps_missing",
            f"the joint stamp of {ctx.holder.code} is incomplete: missing {', '.join(missing)}",
            f"{ctx.holder.name} 联合盖章未完成，尚缺：{ctx.zh(missing)}",
            {"missing": tuple(missing), "authority": ctx.holder.code},
        )


@frozen(repr=False)
class _MaterialsComplete(Guard):
    code = "materials_complete"
    doc = "the materials the hop requires are attached"

    def __call__(self, ctx: Context) -> Reason | None:
        missing = []
        for req in ctx.required_materials:
            if not req.applies_to(ctx.unit_type):
                continue
            have = sum(m.copies for m in ctx.materials if m.kind == req.kind)
            if have < req.copies:
                missing.append((req.kind, req.copies, have))
        if not missing:
            return None
        text = ", ".join(f"{k} ({h}/{n})" for k, n, h in missing)
        return Reason(
            "materials_missing",
            f"materials missing for this hop: {text}",
            f"本环节所需材料不全：{text}",
            {"missing": tuple(k for k, _, _ in missing), "counts": tuple(missing)},
        )


@frozen(repr=False)
class _QuotaFree(Guard):
    code = "quota_free"
    doc = "the recommending authority has quota left for the unit type"

    def __call__(self, ctx: Context) -> Reason | None:
        holder = ctx.holder.code
        for counter, limit in ctx.quota_limits:
            if limit is None:
                continue
            used = ctx.quota_used(holder, counter)
            if used >= limit:
                return _quota_reason(holder, counter, limit, used, ctx.quota_rule_name)
        return None


def _quota_reason(authority: str, unit_type: str, limit: int, used: int, rule: str) -> Reason:
    what, what_zh = {
        "*": ("all unit types together", "全部类型合计"),
        "re_review": ("re-review recommendations (share of applicants)", "复核推荐（按申请数比例）"),
    }.get(unit_type, (f"unit type {unit_type!r}", f"{unit_type} 类"))
    return Reason(
        "quota_full",
        f"quota of {authority} for {what} is full: {used} of {limit} used (rule {rule!r})",
        f"{authority} 的{what_zh}推荐名额已满：已用 {used} 个，限额 {limit} 个",
        {"authority": authority, "unit_type": unit_type, "limit": limit, "used": used},
    )


@frozen(repr=False)
class _NotStampedYet(Guard):
    code = "not_stamped_yet"
    doc = "the acting department has not stamped already"

    def __call__(self, ctx: Context) -> Reason | None:
        actor = ctx.actor
        # Only a department of the holder can have stamped; an outsider is refused as such.
        if actor is None or actor.authority != ctx.holder.code or actor.department not in ctx.stamps:
            return None
        return Reason(
            "already_stamped",
            f"department {actor.department!r} of {ctx.holder.code} has already stamped",
            f"{ctx.holder.name} 的{ctx.zh([actor.department])}部门已盖章，不能重复盖章",
            {"department": actor.department},
        )


@frozen(repr=False)
class _HasPrevious(Guard):
    code = "has_previous"
    doc = "there is a lower authority to return the nomination to"

    def __call__(self, ctx: Context) -> Reason | None:
        if ctx.hop > 0:
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
        deadline = ctx.deadline
        if deadline is not None and ctx.at >= deadline:
            return None
        when = "no deadline" if deadline is None else f"it closes at {deadline.isoformat()}"
        return Reason(
            "deadline_not_passed",
            f"the deadline of {ctx.deadline_label or 'this hop'} has not passed ({when})",
            f"{ctx.deadline_label or '本环节'} 的报送期限尚未届满",
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


def before_deadline() -> Guard:
    """The relevant hop's deadline has not passed at the moment of the action."""
    return _BeforeDeadline()


def not_listed() -> Guard:
    """The unit is on none of the campaign's disqualification lists at that moment."""
    return _NotListed()


def stamps_complete() -> Guard:
    """All departments of the holding authority have stamped."""
    return _StampsComplete()


def materials_complete() -> Guard:
    """The hop's required materials are attached in the required number of copies."""
    return _MaterialsComplete()


def quota_free() -> Guard:
    """The holder's quota for the unit type (and in total) is not used up."""
    return _QuotaFree()


def not_stamped_yet() -> Guard:
    """The acting department has not yet stamped at this level."""
    return _NotStampedYet()


def has_previous() -> Guard:
    """There is a lower authority on the route."""
    return _HasPrevious()
