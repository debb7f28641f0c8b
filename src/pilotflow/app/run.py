"""The application service: one campaign run on one store.

:class:`CampaignRun` is what a backend, a notebook or the CLI talks to. Each public action is
a plain method taking an :class:`~pilotflow.Actor`, a timezone-aware moment (the injected
clock by default) and, where it matters, a reason. An action reads the nomination, judges it
with the campaign's machine (every guard, every reason), and, only if nothing blocks, commits
one new version, one audit event and its quota seats atomically. A refused action raises
:class:`~pilotflow.errors.ActionRefused` (or ``QuotaExceeded``) and changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import json
import math
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from attrs import field, frozen

from ..domain.authorities import AuthorityGraph
from ..domain.calendar import MOMENT_YEARS, Clock, SystemClock, moment
from ..domain.campaign import YEARS, Campaign
from ..domain.codes import validate_unit_code
from ..domain.events import (
    ENTERED_AT,
    Event,
    EventShape,
    FrozenData,
    Snapshot,
    apply,
    build_event,
    build_nomination,
    event_data,
    replay,
    seat_counters,
)
from ..domain.guards import SYSTEM, Context, _quota_reason
from ..domain.inputs import KEY, LONG_TEXT, NAME, check_ids, check_sequence, check_text
from ..domain.machine import ACTION_ZH, ACTIONS, STATES, HopPlan, Transition, Workflow
from ..domain.records import APPLICANT, OBJECTOR, PUBLIC, Actor, Material, Nomination
from ..domain.screening import UnitList
from ..errors import (
    ActionRefused,
    ConflictError,
    DuplicateNomination,
    InvalidInput,
    MomentRefused,
    PilotflowError,
    QuotaExceeded,
    Reason,
    StoreError,
    UnknownAuthority,
)
from ..files.materials import inspect_campaign_material, inspection_of, is_inspected, paper_material
from ..store import Change, MemoryStore, Receipt, Seat, SeatUnavailable, Store

__all__ = ["CampaignRun", "Position", "QuotaLine", "SelectionResult", "Winner", "retry_on_conflict"]

T = TypeVar("T")
_FIRST_YEAR, _LAST_YEAR = MOMENT_YEARS
ReceiptFor = Callable[[Any], Receipt] | None
_SEQUENCE = itertools.count()
_EPOCH_NS = time.time_ns() - time.monotonic_ns()  # wall clock at start; monotonic after


# The last part of ids: random per process, drawn again in a forked child (ids must differ
# between processes; within one, time and a counter already make them unique).
_ID_SUFFIX = [secrets.token_hex(6)]
os.register_at_fork(after_in_child=lambda: _ID_SUFFIX.__setitem__(0, secrets.token_hex(6)))


def new_id() -> str:
    """A nomination id: 32 hex characters that sort in creation order (time, counter, random)."""
    return f"{_EPOCH_NS + time.monotonic_ns():016x}{next(_SEQUENCE) % 0x10000:04x}{_ID_SUFFIX[0]}"


_PUBLIC_ACTIONS = (
    "attach", "stamp", "recommend", "return", "decline", "withdraw", "apply", "score", "conclude",
    "check", "propose", "object", "uphold", "dismiss", "announce",
)  # fmt: skip


def _nonempty(what: str, value: object) -> None:
    check_text(value, what, NAME)


def _year(what: str, value: object) -> None:
    low, high = YEARS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            f"{what} must be a year (a whole number), got {value!r}", f"{what} 必须是年份（整数）"
        )


@frozen
class Winner:
    """An earlier batch's winner to re-review: its unit, type, batch year and authority
    (the district-level authority it applies through)."""

    unit_code: str = field(validator=lambda _i, _a, v: validate_unit_code(v, "winner unit_code"))
    unit_name: str = field(validator=lambda _i, _a, v: _nonempty("winner unit_name", v))
    unit_type: str = field(validator=lambda _i, _a, v: _nonempty("winner unit_type", v))
    batch: int = field(validator=lambda _i, _a, v: _year("winner batch", v))
    authority: str = field(validator=lambda _i, _a, v: _nonempty("winner authority", v))
    scenario: str = field(
        default="medical_elderly_care_integration",
        validator=lambda _i, _a, v: _nonempty("winner scenario", v),
    )


@frozen
class Position:
    """Where a nomination is and what it still lacks to move on."""

    nomination_id: str
    state: str
    authority: str
    authority_name: str
    level: str
    next_authority: str | None
    deadline: datetime | None
    missing_stamps: tuple[str, ...]
    missing_materials: tuple[str, ...]


@frozen
class QuotaLine:
    """Quota of one authority for one unit type (``"*"``: all types together)."""

    authority: str
    unit_type: str
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@frozen
class SelectionResult:
    """What a selection at one level did (or, with ``dry_run``, would do)."""

    authority: str
    unit_type: str
    ranked: tuple[str, ...]
    recommended: tuple[str, ...]
    cut: tuple[str, ...]
    skipped: Mapping[str, tuple[Reason, ...]] = field(factory=dict)
    dry_run: bool = False


_MINISTRY_ACTIONS = frozenset(
    {"register", "score", "conclude", "select_for_check", "check", "propose", "publish", "object",
     "uphold", "dismiss", "announce"}
)  # fmt: skip


def combine_scores(scores: Sequence[float], rule: str) -> float:
    """Expert scores made one by the campaign's rule.

    >>> combine_scores([70, 80, 90, 20, 85], "trimmed_mean")  # drops 20 and 90
    78.33
    >>> combine_scores([70, 80, 90], "median"), combine_scores([70, 80], "mean")
    (80.0, 75.0)
    """
    values = sorted(scores)
    if rule == "median":
        return float(statistics.median(values))
    if rule == "trimmed_mean" and len(values) >= 3:
        values = values[1:-1]
    return round(statistics.fmean(values), 2)


_NOT_APPLIED = frozenset({"awaiting_application", "withdrawn"})


def _applied(n: Nomination) -> bool:
    """Did this re-review unit apply? A winner the sweep revoked for not applying is
    ``revoked`` without a ministry record; one the ministry revoked has one."""
    return n.state not in _NOT_APPLIED and not (n.state == "revoked" and n.ministry is None)


_ROUNDINGS: dict[str, Callable[[float], int]] = {
    "floor": math.floor,
    "ceil": math.ceil,
    "round_half_up": lambda x: math.floor(x + 0.5),
}


def share_of(applicants: int, share: float, rounding: str) -> int:
    """How many of ``applicants`` a share allows, rounded by ``rounding``.

    The count is computed with a small tolerance so that 70% of 10 is 7, not 6.99...→6:

    >>> [share_of(n, 0.7, "floor") for n in (1, 2, 3, 4, 5, 10)]
    [0, 1, 2, 2, 3, 7]
    >>> [share_of(n, 0.7, "round_half_up") for n in (1, 2, 3, 4, 5, 10)]
    [1, 1, 2, 3, 4, 7]
    >>> [share_of(n, 0.7, "ceil") for n in (1, 2, 3, 4, 5, 10)]
    [1, 2, 3, 3, 4, 7]
    """
    exact = applicants * share
    nearest = round(exact)
    if abs(exact - nearest) < 1e-9:
        return int(nearest)
    return _ROUNDINGS[rounding](exact)


def _number(name: str, value: object, low: float, high: float) -> None:
    """Refuse anything but a number from ``low`` to ``high`` (a bool is not a number here)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InvalidInput(
            f"{name} must be a number from {low} to {high}, got {value!r}",
            f"{name} 必须是 {low} 到 {high} 之间的数值，收到 {value!r}",
        )


def _flag(name: str, value: object) -> None:
    """Refuse anything but True or False for a yes/no argument."""
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be True or False, got {value!r}", f"{name} 参数必须是 True 或 False")


#: At most this many materials in one action (the 2023 campaign asks for nine kinds).
MAX_MATERIALS = 100


def _declared_paper(m: Material) -> bool:
    """A paper material as it must be declared: its kind and number of copies, nothing else."""
    return (
        m.sha256 is None
        and m.filename is None
        and m.size is None
        and m.media_type is None
        and m.pages is None
        and m.duration is None
    )


def _fingerprint(part: object) -> str:
    """One argument of a command as its fingerprint sees it: a moment as its instant (the same
    moment written with ZoneInfo, a fixed offset or UTC is the same command), anything else
    as its repr."""
    if isinstance(part, datetime) and part.utcoffset() is not None:
        try:
            return "instant:" + part.astimezone(UTC).isoformat()
        except (OverflowError, ValueError):
            pass  # refused by the action itself
    return repr(part)


def _ref(n: Nomination) -> dict[str, Any]:
    return {"nomination": n.id, "version": n.version}


def _selection_data(r: SelectionResult) -> dict[str, Any]:
    return {
        "authority": r.authority,
        "unit_type": r.unit_type,
        "ranked": list(r.ranked),
        "recommended": list(r.recommended),
        "cut": list(r.cut),
        "skipped": {k: [[x.code, x.en, x.zh] for x in v] for k, v in r.skipped.items()},
    }


def _selection_from(d: dict[str, Any]) -> SelectionResult:
    return SelectionResult(
        d["authority"],
        d["unit_type"],
        tuple(d["ranked"]),
        tuple(d["recommended"]),
        tuple(d["cut"]),
        {k: tuple(Reason(*x) for x in v) for k, v in d["skipped"].items()},
    )


@functools.lru_cache(maxsize=256)
def _stamp_data(department: str | None) -> Mapping[str, Any]:
    """The (read-only, shared) data of a stamp event: one mapping per department, not per event."""
    return FrozenData({"department": department})


_new_context = object.__new__
_new_change = tuple.__new__  # Change is a named tuple: skip its Python-level __new__


def _refusal(action: str, nomination_id: str | None, reasons: Sequence[Reason]) -> ActionRefused:
    if any(r.code == "quota_full" for r in reasons):
        return QuotaExceeded(action, nomination_id, reasons)
    return ActionRefused(action, nomination_id, reasons)


class CampaignRun:
    """A campaign running on a store.

    ``lists`` must hold every disqualification list the campaign names (pass
    ``UnitList.empty(id)`` for one that is known to be empty) plus any priority lists used
    for ranking (a missing priority list ranks nobody first).
    """

    #: The actions :meth:`explain` and :meth:`available_actions` know.
    ACTIONS: tuple[str, ...] = _PUBLIC_ACTIONS

    def __init__(
        self,
        campaign: Campaign,
        *,
        store: Store | None = None,
        graph: AuthorityGraph | None = None,
        lists: Iterable[UnitList] = (),
        clock: Clock | None = None,
        backfill: bool = False,
    ) -> None:
        if not isinstance(campaign, Campaign):
            raise InvalidInput(
                f"campaign must be a Campaign (see load_campaign), got {type(campaign).__name__}",
                "campaign 参数必须是 Campaign 对象（请用 load_campaign 加载）",
            )
        if graph is not None and not isinstance(graph, AuthorityGraph):
            raise InvalidInput(
                f"graph must be an AuthorityGraph, got {type(graph).__name__}",
                "graph 参数必须是 AuthorityGraph 机关关系图",
            )
        if store is not None and not isinstance(store, Store):
            raise InvalidInput(
                f"store must be a Store (see open_store), got {type(store).__name__}",
                "store 参数必须是存储对象 Store（请用 open_store 打开）",
            )
        _flag("backfill", backfill)
        self.campaign = campaign
        self.graph = graph if graph is not None else AuthorityGraph.bundled()
        self.store = store if store is not None else MemoryStore()
        self.clock = clock if clock is not None else SystemClock(campaign.timezone)
        if not callable(getattr(self.clock, "now", None)):
            raise InvalidInput(
                f"clock must have a now() method (a Clock), got {type(self.clock).__name__}",
                "clock 参数必须是时钟对象（具有 now() 方法）",
            )
        try:
            moment(self.clock.now(), "clock.now()")  # a clock reading naive times is refused here
        except PilotflowError:
            raise
        except Exception as exc:
            raise InvalidInput(
                f"clock.now() failed: {type(exc).__name__}: {exc}", "时钟 clock.now() 调用失败"
            ) from exc
        #: A run that records facts of the past (a campaign run on paper, imported): ``at`` may
        #: be any earlier moment, and every event it writes says so (``Event.entered_at``).
        self.backfill = backfill
        self._tolerance = campaign.clock_tolerance
        self.workflow = Workflow(campaign, self.graph)
        # Chinese names of every code a refusal may mention.
        self._department_names = {
            **{k: v.zh for k, v in campaign.screening_lists.items()},
            **{k: v.name.zh for k, v in campaign.materials.items()},
            **{k: v.name.zh for k, v in campaign.unit_types.items()},
            **{k: v.zh for k, v in campaign.departments.items()},
        }
        self._members = self.graph.members
        self._plans = self.workflow.plans
        self._quota_actions = self.workflow.quota_actions
        self._quota_used_bound = self._quota_used  # one bound method, not one per action
        self._paper: dict[tuple[str, int], Material] = {}
        self._limit_cache: dict[tuple[str, str], tuple[tuple[str, int | None], ...]] = {}
        self._base_extra = {"top": self.graph.top.code, "min_experts": campaign.ministry.min_experts}
        self._lists: dict[str, UnitList] = {}
        for lst in check_sequence(lists, "lists"):
            if not isinstance(lst, UnitList):
                raise InvalidInput(
                    f"lists must hold UnitList objects, got {type(lst).__name__}",
                    "lists 参数只能包含 UnitList 名单对象",
                )
            self._lists[lst.id] = lst
        missing = [k for k in campaign.screening_lists if k not in self._lists]
        if missing:
            raise InvalidInput(
                f"campaign {campaign.id} consults lists not given: {', '.join(missing)} "
                "(pass UnitList.empty(id) for a list known to be empty)",
                f"遴选 {campaign.id} 需核查的名单未提供：{'、'.join(missing)}",
            )
        self._refresh_lists()

    def _refresh_lists(self) -> None:
        self._screening = tuple(self._lists[k] for k in self.campaign.screening_lists)
        self._listed = frozenset(e.unit_code for lst in self._screening for e in lst.entries)
        self._list_versions = tuple((lst.id, lst.version) for lst in self._lists.values())
        # One EventShape per (transition, from, to): every event of that kind refers to it.
        self._shapes: dict[tuple[Transition, str | None, str], EventShape] = {}

    def __repr__(self) -> str:
        return f"<CampaignRun {self.campaign.id} {self.campaign.revision} on {self.store!r}>"

    # -- lists ------------------------------------------------------------------------

    @property
    def lists(self) -> Mapping[str, UnitList]:
        return dict(self._lists)

    def use_list(self, unit_list: UnitList) -> None:
        """Replace (or add) a list; later actions are judged with it and record its version."""
        if not isinstance(unit_list, UnitList):
            raise InvalidInput("use_list takes a UnitList", "use_list 参数必须是 UnitList 名单")
        self._lists[unit_list.id] = unit_list
        self._refresh_lists()

    # -- input checks ----------------------------------------------------------------

    def _at(self, at: datetime | None) -> datetime:
        """The moment a question is asked about (``explain``, ``position``...): any moment."""
        return self.clock.now() if at is None else moment(at, "at")

    def _dated(self, at: datetime | None) -> datetime:
        """The moment an action is recorded at: the clock's reading, or ``at`` when it lies
        within the campaign's tolerance of it (a backfill run: any moment not after the clock).
        The one place the dating rule of docs/architecture.md ("Moments") is enforced."""
        now = self.clock.now()
        try:
            dated = _FIRST_YEAR <= now.year <= _LAST_YEAR
        except AttributeError:  # not a datetime: the clock broke since the run was made
            dated = False
        if not dated:
            moment(now, "clock.now()")  # a clock moved past the years pilotflow keeps: refused
        if at is None:
            return now
        when = moment(at, "at")
        if self.backfill:
            if when - now > self._tolerance:
                raise MomentRefused(when, now, self._tolerance, True)
        elif abs(when - now) > self._tolerance:
            raise MomentRefused(when, now, self._tolerance, False)
        return when

    def _actor(self, actor: object) -> Actor:
        if type(actor) is Actor and (actor.authority, actor.department) in self._members:
            return actor  # a department of a known authority: the common case, one lookup
        if not isinstance(actor, Actor):
            raise InvalidInput(
                f"actor must be an Actor, got {type(actor).__name__}",
                "actor 参数必须是 Actor（机关、部门、经办人）",
            )
        if actor.department == APPLICANT:
            validate_unit_code(actor.authority, "actor.authority (applicant unit code)")
        elif actor.authority == PUBLIC and actor.department == OBJECTOR:
            pass  # a member of the public filing an objection, named by actor.person
        else:
            self.graph[actor.authority].check_department(actor.department)
        return actor

    def _nomination(self, nomination: str | Nomination) -> Nomination:
        nid = nomination.id if isinstance(nomination, Nomination) else nomination
        if not isinstance(nid, str):
            raise InvalidInput(
                f"nomination must be an id or a Nomination, got {type(nomination).__name__}",
                "nomination 参数必须是申报编号或 Nomination 对象",
            )
        check_text(nid, "nomination id", NAME, zh="申报编号")
        found = self.store.get(nid)
        if found.campaign != self.campaign.id:
            raise self._other_campaign(found)
        return found

    def _other_campaign(self, n: Nomination) -> InvalidInput:
        return InvalidInput(
            f"nomination {n.id} belongs to campaign {n.campaign}, not {self.campaign.id}",
            f"申报 {n.id} 属于遴选 {n.campaign}，不属于 {self.campaign.id}",
        )

    def _atomically(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` inside the store's :attr:`~pilotflow.store.Store.atomic` scope, if it
        has one: the reads ``fn`` makes and its commit share one transaction."""
        atomic = self.store.atomic
        if atomic is None:
            return fn(*args)
        with atomic():
            return fn(*args)

    # -- judging ---------------------------------------------------------------------

    def _context(
        self,
        n: Nomination,
        actor: Actor | None,
        at: datetime,
        action: str,
        extra: Mapping[str, Any] | None = None,
    ) -> Context:
        plan = self._plans.get(n.route) or self.workflow.plan(n.route)
        hop = plan.hops[n.hop]
        ctx = _new_context(Context)
        ctx.actor = actor
        ctx.at = at
        ctx.nomination = n
        ctx.plan = hop
        # A withdrawal at the top keeps the deadline of the hop that brought it there.
        at_top = action == "withdraw" and hop.next is None and n.hop > 0
        ctx.deadline_plan = plan.hops[n.hop - 1] if at_top else hop
        ctx.quota_limits = (
            self._limits(n, hop) if hop.next is not None and action in self._quota_actions else ()
        )
        ctx.quota_used = self._quota_used_bound
        ctx.lists = self._screening
        ctx.listed = self._listed
        ctx.department_names = self._department_names
        ctx.registered_in = None  # set by nominate and register, the actions that judge it
        ctx.extra = self._extra(n, action, extra) if action in _MINISTRY_ACTIONS else self._base_extra
        return ctx

    def _extra(self, n: Nomination, action: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """Facts the ministry-phase guards and branches need beyond the nomination."""
        extra = dict(self._base_extra)
        if action == "conclude" and n.ministry is not None and n.ministry.scores:
            combined = combine_scores([s.score for s in n.ministry.scores], self.campaign.ministry.combine)
            extra["combined"] = combined
            extra["passed"] = combined >= self.campaign.ministry.pass_score
        extra.update(given or {})
        return extra

    def _limits(self, n: Nomination, hop: HopPlan) -> tuple[tuple[str, int | None], ...]:
        """The quota counters a recommendation of ``n`` from ``hop`` moves, with their caps."""
        if n.track == "re_review":
            return (("re_review", self._share_limit(hop) if hop.to_top else None),)
        key = (hop.holder.code, n.unit_type)
        limits = self._limit_cache.get(key)
        if limits is None:
            rule = hop.quota_rule
            limits = self._limit_cache[key] = (
                (n.unit_type, rule.limits.get(n.unit_type) if rule else None),
                ("*", rule.total if rule else None),
            )
        return limits

    def _share_limit(self, hop: HopPlan) -> int:
        """How many re-review applicants ``hop``'s authority may recommend to the top: the
        campaign's share of the units that applied through it, rounded by its rule."""
        authority = hop.holder.code
        applied = sum(
            1
            for n in self.store.nominations(self.campaign.id)
            if n.track == "re_review" and authority in n.route and _applied(n)
        )
        return share_of(applied, self.campaign.re_review.max_share, self.campaign.re_review.rounding)

    def _quota_used(self, authority: str, unit_type: str) -> int:
        return self.store.quota_used(self.campaign.id, authority, unit_type)

    @staticmethod
    def _out_of_order(n: Nomination, at: datetime) -> InvalidInput:
        """The refusal of an action at ``at``, earlier than the last action on ``n``."""
        return InvalidInput(
            f"at ({at.isoformat()}) is earlier than the last action on {n.id} "
            f"({n.updated_at.isoformat()}); actions on a nomination must be in time order",
            f"操作时间 {at.isoformat()} 早于申报 {n.id} 的上一次操作时间 {n.updated_at.isoformat()}",
        )

    def explain(
        self,
        nomination: str | Nomination,
        action: str,
        *,
        actor: Actor | None = None,
        at: datetime | None = None,
    ) -> tuple[Reason, ...]:
        """Every reason ``action`` would be refused now (empty: it would go ahead).

        Changes nothing. Without ``actor`` the authorisation guard is not judged.
        """
        if action not in _PUBLIC_ACTIONS:
            raise InvalidInput(
                f"unknown action {action!r}; expected one of {', '.join(_PUBLIC_ACTIONS)}",
                f"未知操作 {action!r}；应为 {'、'.join(_PUBLIC_ACTIONS)} 之一",
            )
        n = self._nomination(nomination)
        when = self._at(at)
        if actor is not None:
            self._actor(actor)
        ctx = self._context(n, actor, when, action)
        reasons = self.workflow.judge(n.state, action, ctx)[1]
        if when < n.updated_at:
            reasons += (
                Reason(
                    "out_of_time_order",
                    f"{when.isoformat()} is earlier than the last action on this nomination "
                    f"({n.updated_at.isoformat()})",
                    f"操作时间早于该申报上一次操作时间（{n.updated_at.isoformat()}）",
                ),
            )
        return reasons

    def available_actions(
        self, actor: Actor, nomination: str | Nomination, *, at: datetime | None = None
    ) -> tuple[str, ...]:
        """The actions ``actor`` may take on the nomination now."""
        n = self._nomination(nomination)
        self._actor(actor)
        when = self._at(at)
        out = []
        for action in self.workflow.actions_from(n.state):
            if action not in _PUBLIC_ACTIONS:
                continue
            ctx = self._context(n, actor, when, action)
            if action == "stamp" and actor.is_applicant:
                continue
            if not self.workflow.judge(n.state, action, ctx)[1]:
                out.append(action)
        return tuple(out)

    # -- actions ---------------------------------------------------------------------

    def _change(
        self,
        n: Nomination | None,
        ctx: Context,
        action: str,
        actor: Actor,
        at: datetime,
        state: str,
        reason: str | None,
        data: Mapping[str, Any] | None,
        new: Nomination | None = None,
        judged: Transition | None = None,
    ) -> Change:
        """Judge ``action`` (unless the caller passes the transition it ``judged`` to go ahead);
        return the change to commit, or raise the refusal."""
        transition = judged
        if transition is None:
            transition, reasons = self.workflow.judge(state, action, ctx)
            if reasons or transition is None:
                raise _refusal(action, n.id if n is not None else None, reasons)
        nominee = n if n is not None else new
        assert nominee is not None
        route, hop = nominee.route, nominee.hop
        from_holder = route[hop] if n is not None else None
        to_holder = route[hop + 1 if action == "recommend" else hop - 1 if action == "return" else hop]
        shape = self._shapes.get((transition, from_holder, to_holder))
        if shape is None:
            shape = self._shapes[transition, from_holder, to_holder] = EventShape(
                action, transition.source, transition.dest, from_holder, to_holder, transition.codes,
                self.campaign.revision, self._list_versions,
            )  # fmt: skip
        if self.backfill:  # a fact of the past: the log says when it was entered
            data = {**(data or {}), ENTERED_AT: self.clock.now().isoformat()}
        event = build_event(
            nominee.id,
            (n.version if n is not None else 0) + 1,
            actor,
            at,
            shape,
            reason,
            event_data(data),
        )
        after = apply(n, event)
        if n is not None and after.seats is n.seats:  # most actions move no seat
            return _new_change(Change, (n, after, event, ()))
        return _new_change(Change, (n, after, event, self._seats(n, after)))

    def _seats(self, before: Nomination | None, after: Nomination) -> tuple[Seat, ...]:
        old = before.seats if before is not None else ()
        new = after.seats
        if old == new:
            return ()
        seats = []
        plan = self._plans.get(after.route) or self.workflow.plan(after.route)
        for authority in new:
            if authority not in old:
                hop = plan.hops[after.route.index(authority)]
                seats.append(Seat(authority, 1, self._limits(after, hop)))
        for authority in old:
            if authority not in new:
                counters = tuple((c, None) for c in seat_counters(after))
                seats.append(Seat(authority, -1, counters))
        return tuple(seats)

    def _commit(self, action: str, changes: Sequence[Change], receipt: Receipt | None = None) -> None:
        try:
            self.store.commit(self.campaign.id, changes, receipt)
        except SeatUnavailable as exc:  # a concurrent recommendation took the last seat
            seat = exc.seat
            nid = next((c.after.id for c in changes if seat in c.seats), None)
            raise QuotaExceeded(
                action,
                nid,
                [
                    _quota_reason(
                        seat.authority,
                        exc.key,
                        exc.limit,
                        exc.used,
                        "store",
                        self.graph[seat.authority].name,
                        self._department_names.get(exc.key, ""),
                    )
                ],
            ) from exc

    # -- idempotency -------------------------------------------------------------------

    def _once(
        self,
        key: str | None,
        parts: Sequence[object],
        perform: Callable[[ReceiptFor], T],
        encode: Callable[[T], Any],
        decode: Callable[[Any], T],
    ) -> T:
        """Run ``perform`` once per idempotency ``key``, inside the store's atomic scope: a
        repeat with the same arguments returns the first result and writes nothing; other
        arguments are refused.

        The receipt is read in the same transaction as the action (a store with an atomic
        scope serialises the two requests), and read again when the action is refused or
        loses a race: a repeat sent while the first request was still running answers with
        the first request's result, not with the refusal its success causes.
        """
        if key is None:
            return self._atomically(perform, None)
        key = check_text(key, "idempotency_key", KEY, zh="幂等键")  # " k" and "k" are one key
        fingerprint = hashlib.sha256(
            json.dumps([_fingerprint(p) for p in parts], ensure_ascii=False).encode()
        ).hexdigest()

        def receipt_for(result: Any) -> Receipt:
            return Receipt(key, fingerprint, json.dumps(encode(result), ensure_ascii=False))

        def attempt() -> tuple[Receipt | None, T | None]:
            found = self.store.receipt(self.campaign.id, key)
            if found is not None:
                return found, None
            return None, perform(receipt_for)

        try:
            found, result = self._atomically(attempt)
        except StoreError:
            raise  # the database failed: nothing to look past
        except PilotflowError:
            # Any refusal (a guard, a lost race, an order naming what is no longer a
            # candidate...) may come from the same command done meanwhile by a request still
            # running when this one read: then its result is the answer (read after our
            # rollback).
            found = self.store.receipt(self.campaign.id, key)
            if found is None:
                raise
        if found is None:
            return result  # type: ignore[return-value]  # performed now
        if found.fingerprint != fingerprint:
            raise InvalidInput(
                f"idempotency key {key!r} was already used for a different command",
                f"幂等键 {key!r} 已用于另一项不同的操作，不能复用",
            )
        return decode(json.loads(found.result))

    def _at_version(self, ref: Any) -> Nomination:
        """The nomination as it was at the version a receipt names (rebuilt from its log)."""
        nid, version = ref["nomination"], ref["version"]
        events = [e for e in self.store.events(self.campaign.id, nid) if e.version <= version]
        return replay(events).nominations[nid]

    def _act(
        self,
        action: str,
        actor: Actor,
        nomination: str | Nomination,
        at: datetime | None,
        reason: str | None,
        data: Mapping[str, Any] | None = None,
        key: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Nomination:
        self._actor(actor)
        if reason is not None:
            reason = self._reasoned(action, reason)
        if key is None:  # no idempotency key: no fingerprint tuple, no copy of data
            if self.store.atomic is None:
                # _atomically's first case, without its call: measured at 100,000 nominations,
                # the extra frame and argument tuple cost about 0.05 of the benchmark's ratio.
                return self._perform(action, actor, nomination, at, reason, data, extra, None)
            return self._atomically(self._perform, action, actor, nomination, at, reason, data, extra, None)
        nid = nomination.id if isinstance(nomination, Nomination) else nomination
        return self._once(
            key,
            (action, actor, nid, reason, dict(data or {}), at),
            lambda receipt: self._perform(action, actor, nomination, at, reason, data, extra, receipt),
            _ref,
            self._at_version,
        )

    def _perform(
        self,
        action: str,
        actor: Actor,
        nomination: str | Nomination,
        at: datetime | None,
        reason: str | None,
        data: Mapping[str, Any] | None,
        extra: Mapping[str, Any] | None,
        receipt_for: ReceiptFor,
    ) -> Nomination:
        """One checked action on one nomination: judge it, commit its change, return the result."""
        when = self._dated(at)
        n = (
            self.store.get(nomination)  # an id as pilotflow makes them: plain ASCII, read at once
            if type(nomination) is str
            and len(nomination) <= NAME
            and nomination.isascii()
            and nomination.isprintable()
            else self._nomination(nomination)
        )
        if n.campaign != self.campaign.id:
            raise self._other_campaign(n)
        if when < n.updated_at:
            raise self._out_of_order(n, when)
        ctx = self._context(n, actor, when, action, extra)
        if action == "conclude" and "combined" in ctx.extra:
            data = {"combined": ctx.extra["combined"]}
        change = self._change(n, ctx, action, actor, when, n.state, reason, data)
        self._commit(action, (change,), receipt_for(change.after) if receipt_for else None)
        return change.after

    def nominate(
        self,
        actor: Actor,
        *,
        unit_code: str,
        unit_name: str,
        unit_type: str,
        scenario: str,
        origin: str,
        materials: Iterable[Material] = (),
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """File a unit's nomination at its origin authority (the district level).

        ``actor`` is the applicant (``Actor.applicant(unit_code, person)``) or a department
        of ``origin``. Refused if the unit already has a live nomination, is on a
        disqualification list, or the first hop's deadline has passed.
        """
        self._actor(actor)
        materials = check_sequence(materials, "materials", MAX_MATERIALS)
        if idempotency_key is None:
            return self._atomically(
                self._nominate, actor, unit_code, unit_name, unit_type, scenario, origin, materials, at,
                reason, None,
            )  # fmt: skip
        parts = ("nominate", actor, unit_code, unit_name, unit_type, scenario, origin, materials, at, reason)
        return self._once(
            idempotency_key,
            parts,
            lambda receipt_for: self._nominate(
                actor, unit_code, unit_name, unit_type, scenario, origin, materials, at, reason, receipt_for
            ),
            _ref,
            self._at_version,
        )

    def _nominate(
        self,
        actor: Actor,
        unit_code: str,
        unit_name: str,
        unit_type: str,
        scenario: str,
        origin: str,
        materials: tuple[Material, ...],
        at: datetime | None,
        reason: str | None,
        receipt_for: ReceiptFor,
    ) -> Nomination:
        when = self._dated(at)
        if reason is not None:
            reason = self._reasoned("nominate", reason)
        if not (actor.is_applicant and unit_code == actor.authority):  # else _actor checked it
            validate_unit_code(unit_code)
        unit_name = check_text(unit_name, "unit_name", NAME, zh="单位名称")
        self._unit_type(unit_type)
        if not isinstance(scenario, str) or scenario not in self.campaign.scenarios:
            raise InvalidInput(
                f"unknown scenario {scenario!r}; see campaign.scenarios",
                f"未知的应用场景 {scenario!r}",
            )
        if not isinstance(origin, str) or origin not in self.graph:
            raise UnknownAuthority(repr(origin) if not isinstance(origin, str) else origin, "origin")
        mats = self._materials(materials)
        route = self._route_from(origin, "origin")
        if actor.is_applicant and actor.authority != unit_code:
            raise _refusal(
                "nominate",
                None,
                [
                    Reason(
                        "not_authorized",
                        f"applicant {actor.authority} cannot nominate another unit ({unit_code})",
                        f"申报单位 {actor.authority} 不能替其他单位（{unit_code}）申报",
                    )
                ],
            )
        new = build_nomination(
            new_id(), self.campaign.id, self.campaign.revision, unit_code,
            unit_name, unit_type, scenario, route, 0, "new", (), mats, (), 0, when, when,
            "new", None, None,
        )  # fmt: skip
        ctx = self._context(new, actor, when, "nominate")
        ctx.registered_in = self.graph.registered_in(unit_code)
        data = {
            "campaign": self.campaign.id,
            "unit_code": unit_code,
            "unit_name": new.unit_name,
            "unit_type": unit_type,
            "scenario": scenario,
            "route": route,
            "materials": mats,
        }
        change = self._change(None, ctx, "nominate", actor, when, "new", reason, data, new)
        # Only someone entitled to file learns whether the unit already has a nomination.
        existing = self.store.find_claim(self.campaign.id, unit_code)
        if existing is not None:
            raise DuplicateNomination(unit_code, existing.id)
        self._commit("nominate", [change], receipt_for(change.after) if receipt_for else None)
        return change.after

    def _route_from(self, origin: str, where: str) -> tuple[str, ...]:
        """The route from ``origin``, which must lie below the top of the graph."""
        route = self.workflow.route(origin)
        if len(route) < 2:
            raise InvalidInput(
                f"{where}: {origin} is the top of the route; a nomination starts below it",
                f"{where}：{origin} 为最高一级机关，不能作为申报起点",
            )
        return route

    def _materials(self, materials: tuple[object, ...]) -> tuple[Material, ...]:
        """:meth:`_material` for each; a checked file or a declared paper kind passes at once."""
        specs = self.campaign.materials
        out: list[Material] = []
        for m in materials:  # a tuple the caller has checked (check_sequence)
            if type(m) is Material:
                spec = specs.get(m.kind)
                if spec is not None:
                    if spec.paper:
                        if _declared_paper(m):
                            # One record per (kind, copies): records are immutable, and every
                            # nomination declaring three copies of a form needs none of its own.
                            out.append(self._paper.setdefault((m.kind, m.copies), m))
                            continue
                    elif is_inspected(m, self.campaign):
                        out.append(m)
                        continue
            out.append(self._material(m))  # says what is wrong
        return tuple(out)

    def _material(self, material: object) -> Material:
        """A material may be attached only as the campaign has it: a paper kind as a
        declared number of copies, an electronic kind only as a file pilotflow has checked
        (``attach_file``, or a record from ``inspect_material``)."""
        if not isinstance(material, Material):
            raise InvalidInput(
                f"materials must be Material objects, got {type(material).__name__}",
                "材料必须是 Material 对象",
            )
        spec = self.campaign.materials.get(material.kind)
        if spec is None:
            raise InvalidInput(
                f"unknown material kind {material.kind!r}; this campaign knows "
                f"{', '.join(self.campaign.materials)}",
                f"未知的材料类型 {material.kind!r}",
            )
        if spec.paper and not _declared_paper(material):
            raise InvalidInput(
                f"{material.kind!r} is a paper material: declare its kind and copies only, not a file",
                f"{spec.name.zh}为纸质材料，只需申报份数，不要上传文件",
            )
        if (
            not spec.paper
            and inspection_of(material) is not None
            and not is_inspected(material, self.campaign)
        ):
            raise InvalidInput(
                f"{material.kind!r} was checked against other rules than this campaign's (another "
                "material type or other video bounds): check it with attach_file, or "
                "inspect_campaign_material for this campaign",
                f"{spec.name.zh}的核验标准与本次遴选不一致（材料类型或视频时长要求不同），"
                "请通过 attach_file 按本次遴选的要求重新上传核验",
            )
        if not spec.paper and not is_inspected(material, self.campaign):
            raise InvalidInput(
                f"{material.kind!r} is an electronic file: attach it with attach_file (or a record "
                "from pilotflow.materials.inspect_campaign_material), so that its bytes are checked",
                f"{spec.name.zh}为电子文件，请通过 attach_file 上传并核验，不能仅作声明",
            )
        return material

    def attach(
        self,
        actor: Actor,
        nomination: str | Nomination,
        material: Material,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Attach a material (by the applicant or the holding authority)."""
        m = self._materials((material,))[0]
        return self._act("attach", actor, nomination, at, None, {"material": m}, idempotency_key)

    def attach_file(
        self,
        actor: Actor,
        nomination: str | Nomination,
        kind: str,
        path: str | os.PathLike[str],
        *,
        root: str | os.PathLike[str] | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Attach a material as a real file, checked first (see :mod:`pilotflow.materials`):
        its SHA-256, size and type from its bytes; a PDF that opens unencrypted, a valid
        Word file, an MP4 of the campaign's length. A bad file raises ``MaterialRejected``
        and nothing is written. With ``root``, ``path`` must lie inside it."""
        self._actor(actor)
        self._nomination(nomination)  # an unknown nomination is refused before any file work
        material = inspect_campaign_material(self.campaign, kind, path, root=root)
        return self.attach(actor, nomination, material, at=at, idempotency_key=idempotency_key)

    def attach_paper(
        self,
        actor: Actor,
        nomination: str | Nomination,
        kind: str,
        copies: int = 1,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Declare ``copies`` of a paper material (e.g. the application form, 一式三份)."""
        if not isinstance(kind, str) or kind not in self.campaign.materials:
            raise InvalidInput(f"unknown material kind {kind!r}", f"未知的材料类型 {kind!r}")
        material = paper_material(self.campaign.materials[kind], copies)
        return self.attach(actor, nomination, material, at=at, idempotency_key=idempotency_key)

    def stamp(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """One department of the holding authority stamps the joint recommendation."""
        department = actor.department if isinstance(actor, Actor) else None
        if department == APPLICANT:
            raise InvalidInput("an applicant cannot stamp", "申报单位不能代替主管部门盖章")
        return self._act("stamp", actor, nomination, at, None, _stamp_data(department), idempotency_key)

    def recommend(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Forward to the next authority on the route (takes a quota seat)."""
        return self._act("recommend", actor, nomination, at, reason, None, idempotency_key)

    def _reasoned(self, action: str, reason: object, what: str = "reason", what_zh: str = "理由") -> str:
        """A written reason (or opinion, objection...) for ``action``, by the text rule."""
        action_zh = ACTION_ZH.get(action, action)
        if reason is None or (isinstance(reason, str) and not reason.strip()):
            raise InvalidInput(
                f"{action} needs a {what} (a non-empty string)", f"{action_zh}操作必须填写{what_zh}"
            )
        return check_text(reason, f"{action} {what}", LONG_TEXT, multiline=True, zh=f"{action_zh}{what_zh}")

    def decline(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Decline at this level (final). Seats already used below stay used."""
        return self._act(
            "decline", actor, nomination, at, self._reasoned("decline", reason), None, idempotency_key
        )

    def return_for_revision(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Send back to the previous authority; its seat there is given back."""
        return self._act(
            "return", actor, nomination, at, self._reasoned("return", reason), None, idempotency_key
        )

    def withdraw(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Withdraw (the applicant or the holder), before the hop's deadline; frees all seats."""
        return self._act("withdraw", actor, nomination, at, reason, None, idempotency_key)

    # -- selection -------------------------------------------------------------------

    def rank(
        self,
        authority: str,
        unit_type: str,
        order: Sequence[str] = (),
        *,
        at: datetime | None = None,
        track: str = "new",
    ) -> tuple[Nomination, ...]:
        """The authority's candidates of ``unit_type``, ranked: units on the campaign's
        priority lists at ``at`` first (in the lists' order), then ``order`` (nomination
        ids), then by filing time."""
        when = self._at(at)
        self.graph[authority]
        self._unit_type(unit_type)
        order = check_ids(order, "order")
        if track not in ("new", "re_review"):
            raise InvalidInput(f"track must be 'new' or 're_review', got {track!r}",
                               "track 参数必须是 new（新申报）或 re_review（复核）")  # fmt: skip
        candidates = [
            n
            for n in self.store.nominations(
                self.campaign.id, holder=authority, state="in_review", unit_type=unit_type
            )
            if n.track == track
        ]
        ids = {c.id for c in candidates}
        unknown = [i for i in order if i not in ids]
        if unknown:
            raise InvalidInput(
                f"order names nominations that are not candidates of {authority} for "
                f"{unit_type}: {', '.join(unknown)}",
                f"排序中包含不属于{self.graph[authority].name}"
                f"{self._department_names.get(unit_type, unit_type)}类待推荐名单的申报：{'、'.join(unknown)}",
            )
        position = {nid: i for i, nid in enumerate(order)}
        priority = [self._lists.get(k) for k in self.campaign.ranking.priority_lists]

        lists = [(i, lst) for i, lst in enumerate(priority) if lst is not None and lst.entries]
        if not lists and not position:
            return tuple(candidates)  # the store lists them by filing time already
        last, unplaced = len(priority), len(position)

        def key(n: Nomination) -> tuple[int, int, datetime]:
            tier = last
            for i, lst in lists:
                if lst.hit(n.unit_code, when):
                    tier = i
                    break
            return (tier, position.get(n.id, unplaced), n.created_at)

        return tuple(sorted(candidates, key=key))

    def _unit_type(self, unit_type: object) -> None:
        if not isinstance(unit_type, str) or unit_type not in self.campaign.unit_types:
            raise InvalidInput(
                f"unknown unit_type {unit_type!r}; this campaign has {', '.join(self.campaign.unit_types)}",
                f"未知的申报类型 {unit_type!r}；本次遴选的类型为 {'、'.join(self.campaign.unit_types)}",
            )

    def select(
        self,
        actor: Actor,
        unit_type: str,
        *,
        order: Sequence[str] = (),
        at: datetime | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        track: str = "new",
    ) -> SelectionResult:
        """Rank the actor's authority's candidates and recommend up to quota, in one commit.

        Candidates ranked past the quota are cut (``not_recommended``, reason "quota");
        candidates that fail another guard (stamps, materials, lists, deadline) are skipped
        and reported with their reasons. ``dry_run`` computes the same result and writes
        nothing (the "what-if"). ``track="re_review"`` selects among earlier winners applying
        for re-review (capped at the province by the campaign's share of applicants).
        """
        self._actor(actor)
        _flag("dry_run", dry_run)
        order = check_ids(order, "order")
        if dry_run:
            return self._select(actor, unit_type, order, at, True, None, track)  # writes nothing: no scope
        return self._once(
            idempotency_key,
            ("select", actor, unit_type, order, at, track),
            lambda receipt_for: self._select(actor, unit_type, order, at, False, receipt_for, track),
            _selection_data,
            _selection_from,
        )

    def _select(
        self,
        actor: Actor,
        unit_type: str,
        order: Sequence[str],
        at: datetime | None,
        dry_run: bool,
        receipt_for: ReceiptFor,
        track: str,
    ) -> SelectionResult:
        when = self._at(at) if dry_run else self._dated(at)
        ranked = self.rank(actor.authority, unit_type, order, at=when, track=track)
        taken: dict[str, int] = {}
        changes: list[Change] = []
        recommended: list[str] = []
        cut: list[str] = []
        skipped: dict[str, tuple[Reason, ...]] = {}

        stored: dict[tuple[str, str], int] = {}  # read once per counter (the store re-checks)

        def used(authority: str, key: str) -> int:
            if (authority, key) not in stored:
                stored[authority, key] = self._quota_used(authority, key)
            return stored[authority, key] + taken.get(key, 0)

        # Compared with rows read back from SQL (fixed UTC offsets) in UTC: comparing a zoned
        # clock reading against another time zone costs a conversion per candidate.
        when_utc = when.astimezone(UTC)
        for n in ranked:
            last = n.updated_at
            if (when < last) if last.tzinfo is when.tzinfo else (when_utc < last):
                raise self._out_of_order(n, when)
            ctx = self._context(n, actor, when, "recommend")
            ctx.quota_used = used
            transition, reasons = self.workflow.judge(n.state, "recommend", ctx)
            blocking = tuple(r for r in reasons if r.code != "quota_full") if reasons else ()
            if blocking or transition is None:
                skipped[n.id] = blocking
                continue
            if reasons:  # only the quota blocks: cut
                changes.append(
                    self._change(
                        n, self._context(n, actor, when, "cut"), "cut", actor, when, n.state,
                        "not recommended: quota full / 名额已满，未予推荐",
                        {"quota": [r.details for r in reasons]},
                    )
                )  # fmt: skip
                cut.append(n.id)
                continue
            rank = {"rank": len(recommended) + 1}
            changes.append(
                self._change(n, ctx, "recommend", actor, when, n.state, None, rank, judged=transition)
            )
            recommended.append(n.id)
            for counter in seat_counters(n):
                taken[counter] = taken.get(counter, 0) + 1
        result = SelectionResult(
            actor.authority,
            unit_type,
            tuple(n.id for n in ranked),
            tuple(recommended),
            tuple(cut),
            skipped,
            dry_run,
        )
        if not dry_run and (changes or receipt_for):
            self._commit("select", changes, receipt_for(result) if receipt_for else None)
        return result

    # -- the ministry phase ------------------------------------------------------------

    def score(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        score: float,
        opinion: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """An expert (the actor's person id, acting for a ministry department) scores a
        received unit from 0 to 100 with a written opinion; each expert scores once."""
        _number("score", score, 0, 100)
        text = self._reasoned("score", opinion, "opinion", "意见")
        data = {"expert": actor.person if isinstance(actor, Actor) else "", "score": float(score),
                "opinion": text}  # fmt: skip
        return self._act("score", actor, nomination, at, None, data, idempotency_key)

    def conclude_review(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Combine the expert scores by the campaign's rule: at least ``pass_score`` → reviewed;
        below → rejected (a re-review unit: revoked). Needs ``min_experts`` scores."""
        return self._act("conclude", actor, nomination, at, None, None, idempotency_key)

    def draw_spot_checks(
        self,
        actor: Actor,
        *,
        rate: float | None = None,
        nominations: Sequence[str] | None = None,
        seed: int | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[str, ...]:
        """Draw reviewed units for an on-site spot check, in one commit: the ``nominations``
        the ministry names, or a random ``rate`` of them (the campaign's by default, rounded
        up; ``seed`` makes the draw repeatable). Returns the ids drawn. With an idempotency
        key a repeated request returns the first draw instead of drawing again."""
        self._actor(actor)
        if nominations is not None:
            nominations = check_ids(nominations, "nominations")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) >= 2**64):
            raise InvalidInput(
                f"seed must be a whole number (below 2**64) or None, got {type(seed).__name__}",
                "seed 随机种子必须是整数（小于 2**64）或 None",
            )
        if rate is not None:
            _number("rate", rate, 0, 1)
        return self._once(
            idempotency_key,
            ("draw", actor, rate, nominations, seed, at),
            lambda receipt_for: self._draw(actor, rate, nominations, seed, at, receipt_for),
            list,
            tuple,
        )

    def _draw(
        self,
        actor: Actor,
        rate: float | None,
        nominations: Sequence[str] | None,
        seed: int | None,
        at: datetime | None,
        receipt_for: ReceiptFor,
    ) -> tuple[str, ...]:
        when = self._dated(at)
        reviewed = [n for n in self.store.nominations(self.campaign.id, state="reviewed")
                    if n.ministry is not None and n.ministry.check is None]  # fmt: skip
        if nominations is not None:
            by_id = {n.id: n for n in reviewed}
            unknown = [i for i in nominations if i not in by_id]
            if unknown:
                raise InvalidInput(
                    f"not reviewed units awaiting a draw: {', '.join(unknown)}",
                    f"以下申报不是待抽检的已评审单位：{'、'.join(unknown)}",
                )
            drawn = [by_id[i] for i in nominations]
        else:
            share = self.campaign.ministry.spot_check_rate if rate is None else rate
            _number("rate", share, 0, 1)
            count = share_of(len(reviewed), float(share), "ceil")
            drawn = random.Random(seed).sample(reviewed, count)
        for n in drawn:
            if when < n.updated_at:
                raise self._out_of_order(n, when)
        changes = [
            self._change(n, self._context(n, actor, when, "select_for_check"), "select_for_check",
                         actor, when, n.state, None, None)
            for n in drawn
        ]  # fmt: skip
        ids = tuple(n.id for n in drawn)
        if changes or receipt_for:
            self._commit("select_for_check", changes, receipt_for(ids) if receipt_for else None)
        return ids

    def record_spot_check(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        passed: bool,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """The result of a drawn unit's on-site check: failed → rejected (re-review: revoked)."""
        _flag("passed", passed)
        return self._act("check", actor, nomination, at, self._reasoned("check", reason),
                         {"passed": passed}, idempotency_key, {"passed": passed})  # fmt: skip

    def propose(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Put a reviewed unit (whose spot check, if drawn, passed) on the proposed list."""
        return self._act("propose", actor, nomination, at, None, None, idempotency_key)

    def publish_notice(self, actor: Actor, *, at: datetime | None = None) -> tuple[str, ...]:
        """Publish the proposed list (公示): every proposed unit goes on notice, in one commit,
        until the end of the campaign's number of working days (Chinese calendar)."""
        from ..domain.workdays import add_working_days

        self._actor(actor)
        when = self._dated(at)
        until = add_working_days(when, self.campaign.notice.working_days, timezone=self.campaign.timezone)
        proposed = self.store.nominations(self.campaign.id, state="proposed")
        for n in proposed:
            if when < n.updated_at:
                raise self._out_of_order(n, when)
        changes = [
            self._change(n, self._context(n, actor, when, "publish"), "publish", actor, when,
                         n.state, None, {"until": until.isoformat()})
            for n in proposed
        ]  # fmt: skip
        if changes:
            self._commit("publish", changes)
        return tuple(n.id for n in proposed)

    def file_objection(
        self,
        nomination: str | Nomination,
        *,
        objector: str,
        grounds: str,
        evidence: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """A named objection to a unit on notice, inside the window; it suspends only that
        unit until the ministry rules on it."""
        who = check_text(objector, "objector (the objector's real name)", NAME, zh="异议人（实名）")
        data = {"objector": who, "grounds": self._reasoned("object", grounds, "grounds", "事实与理由"),
                "evidence": self._reasoned("object", evidence, "evidence", "证据")}  # fmt: skip
        actor = Actor(PUBLIC, OBJECTOR, who)
        return self._act("object", actor, nomination, at, None, data, idempotency_key)

    def rule_on_objection(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        upheld: bool,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Upheld → the unit is removed (re-review: revoked); dismissed → back on notice."""
        _flag("upheld", upheld)
        action = "uphold" if upheld else "dismiss"
        return self._act(action, actor, nomination, at, self._reasoned(action, reason), None,
                         idempotency_key)  # fmt: skip

    def announce(self, actor: Actor | None = None, *, at: datetime | None = None) -> tuple[str, ...]:
        """Announce (公告) every unit whose notice has closed without a standing objection.
        Without ``actor`` this is the deadline sweep's doing."""
        when = self._dated(at)
        if actor is not None:
            self._actor(actor)
        done = []
        for n in self.store.nominations(self.campaign.id, state="on_notice"):
            who = actor if actor is not None else Actor(n.holder, SYSTEM, "deadline-sweep")
            ctx = self._context(n, who, when, "announce")
            reasons = self.workflow.judge(n.state, "announce", ctx)[1]
            if actor is not None and any(r.code == "not_authorized" for r in reasons):
                raise _refusal("announce", n.id, reasons)
            if reasons or when < n.updated_at:
                continue  # notice still open, or acted on after `when`
            try:
                self._commit("announce", [self._change(n, ctx, "announce", who, when, n.state, None, None)])
            except ConflictError:
                continue
            done.append(n.id)
        return tuple(done)

    # -- re-review of earlier winners ------------------------------------------------

    def register_winners(
        self,
        actor: Actor,
        winners: Iterable[Winner],
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Nomination, ...]:
        """Register earlier winners for re-review (复核), in one commit: each awaits its
        application at its authority. Refused whole if any row is bad or already registered;
        with an idempotency key a repeated request returns the first registrations."""
        self._actor(actor)
        rows = check_sequence(winners, "winners")
        return self._once(
            idempotency_key,
            ("register", actor, rows, at),
            lambda receipt_for: self._register(actor, rows, at, receipt_for),
            lambda done: [_ref(n) for n in done],
            lambda refs: tuple(self._at_version(r) for r in refs),
        )

    def _register(
        self,
        actor: Actor,
        winners: Sequence[Winner],
        at: datetime | None,
        receipt_for: ReceiptFor,
    ) -> tuple[Nomination, ...]:
        when = self._dated(at)
        rows = list(winners)
        batches = set(self.campaign.re_review.batches)
        changes = []
        seen: set[str] = set()
        for i, w in enumerate(rows, start=1):
            where = f"winner {i}"
            if not isinstance(w, Winner):
                raise InvalidInput(
                    f"{where}: expected a Winner, got {type(w).__name__}", f"第 {i} 行不是 Winner"
                )
            validate_unit_code(w.unit_code, f"{where}: unit_code")
            self._unit_type(w.unit_type)
            if w.scenario not in self.campaign.scenarios:
                raise InvalidInput(
                    f"{where}: unknown scenario {w.scenario!r}", f"{where}：未知的应用场景 {w.scenario!r}"
                )
            if batches and w.batch not in batches:
                raise InvalidInput(
                    f"{where}: batch {w.batch} is not re-reviewed by this campaign "
                    f"({', '.join(map(str, sorted(batches)))})",
                    f"{where}：{w.batch} 年批次不在本次复核范围内",
                )
            if w.authority not in self.graph:
                raise UnknownAuthority(w.authority, f"{where}: authority")
            if w.unit_code in seen or self.store.find_claim(self.campaign.id, w.unit_code, "re_review"):
                raise DuplicateNomination(w.unit_code, "re-review registration")
            seen.add(w.unit_code)
            route = self._route_from(w.authority, f"{where}: authority")
            name = w.unit_name.strip()  # as nominate keeps a name
            new = Nomination(
                new_id(), self.campaign.id, self.campaign.revision, w.unit_code, name,
                w.unit_type, w.scenario, route, 0, "new", (), (), (), 0, when, when,
                "re_review", w.batch,
            )  # fmt: skip
            data = {"campaign": self.campaign.id, "unit_code": w.unit_code, "unit_name": name,
                    "unit_type": w.unit_type, "scenario": w.scenario, "route": route,
                    "track": "re_review", "batch": w.batch}  # fmt: skip
            ctx = self._context(new, actor, when, "register")
            ctx.registered_in = self.graph.registered_in(w.unit_code)
            changes.append(self._change(None, ctx, "register", actor, when, "new", None, data, new))
        if changes:
            done = tuple(c.after for c in changes)
            self._commit("register", changes, receipt_for(done) if receipt_for else None)
        return tuple(c.after for c in changes)

    def apply_for_re_review(
        self,
        actor: Actor,
        unit_code: str,
        *,
        materials: Iterable[Material] = (),
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """An earlier winner applies for re-review at its authority, with its materials (the
        re-review form and, where the campaign asks, the video), before the first deadline."""
        validate_unit_code(unit_code)
        found = self.store.find_claim(self.campaign.id, unit_code, "re_review")
        if found is None:
            raise InvalidInput(
                f"unit {unit_code} is not registered for re-review in this campaign",
                f"单位 {unit_code} 不在本次复核名单中",
            )
        mats = self._materials(check_sequence(materials, "materials", MAX_MATERIALS))
        return self._act("apply", actor, found.id, at, None, {"materials": mats}, idempotency_key)

    # -- time ------------------------------------------------------------------------

    def tick(self, now: datetime | None = None) -> tuple[str, ...]:
        """The deadline sweep: lapse every nomination whose hop deadline has passed at
        ``now`` while it was still in review (never forwarded in time), revoke every earlier
        winner that did not apply for re-review in time, and announce every unit whose public
        notice has closed without a standing objection.

        Safe to run often and from several processes at once: each transition is an ordinary
        versioned commit, so it fires exactly once (a concurrent sweep that loses the race sees
        a conflict and moves on). Returns the ids this call moved. ``now`` obeys the rule of
        every action's moment: it may differ from the clock only within the campaign's
        tolerance (a backfill run: not later than the clock).
        """
        when = self._dated(now)
        fired = []
        for state, action, why in (
            ("in_review", "lapse", "deadline passed / 报送期限已过"),
            ("awaiting_application", "revoke_unapplied",
             "no re-review application by the deadline: title revoked / 逾期未申请复核，撤销称号并摘牌"),
        ):  # fmt: skip
            for n in self.store.nominations(self.campaign.id, state=state):
                ctx = self._context(n, None, when, action)
                deadline = ctx.deadline_plan.deadline
                if deadline is None or when < deadline or when < n.updated_at:
                    continue
                system = Actor(n.holder, SYSTEM, "deadline-sweep")
                try:
                    change = self._change(n, ctx, action, system, when, n.state, why, None)
                    self._commit(action, [change])
                except (ConflictError, ActionRefused):
                    continue  # another sweep (or an action) got there first
                fired.append(n.id)
        fired += self.announce(at=when)
        return tuple(fired)

    # -- queries ---------------------------------------------------------------------

    def get(self, nomination_id: str) -> Nomination:
        """The current version of a nomination."""
        return self._nomination(nomination_id)

    def nominations(
        self,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        """This campaign's nominations, filtered (an unknown holder, state or unit type is
        refused rather than matching nothing)."""
        if holder is not None:
            self.graph[holder]
        if state is not None and state not in STATES:
            raise InvalidInput(
                f"unknown state {state!r}; states are {', '.join(STATES)}",
                f"未知的状态 {state!r}",
            )
        if unit_type is not None:
            self._unit_type(unit_type)
        return self.store.nominations(self.campaign.id, holder=holder, state=state, unit_type=unit_type)

    def history(self, nomination: str | Nomination) -> list[Event]:
        """The audit events of one nomination, oldest first."""
        n = self._nomination(nomination)
        return self.store.events(self.campaign.id, n.id)

    def events(self) -> list[Event]:
        """The whole audit log of this campaign, in append order."""
        return self.store.events(self.campaign.id)

    def position(self, nomination: str | Nomination, *, at: datetime | None = None) -> Position:
        """Which authority and level hold the nomination, and what it still lacks."""
        n = self._nomination(nomination)
        ctx = self._context(n, None, self._at(at), "recommend")
        reasons = self.workflow.judge(n.state, "recommend", ctx)[1] if n.state == "in_review" else ()
        stamps: tuple[str, ...] = ()
        mats: tuple[str, ...] = ()
        for r in reasons:
            if r.code == "stamps_missing":
                stamps = tuple(r.details["missing"])
            elif r.code == "materials_missing":
                mats = tuple(r.details["missing"])
        holder = self.graph[n.holder]
        return Position(
            n.id, n.state, holder.code, holder.name, holder.level, n.next_authority,
            ctx.deadline_plan.deadline, stamps, mats,
        )  # fmt: skip

    def quota(self, authority: str) -> tuple[QuotaLine, ...]:
        """Limit, use and remaining quota of ``authority`` per unit type, and in total."""
        a = self.graph[authority]
        rule = self.campaign.quota_rule(a)
        lines = [
            QuotaLine(
                authority,
                t,
                rule.limits.get(t) if rule else None,
                self._quota_used(authority, t),
            )
            for t in self.campaign.unit_types
        ]
        lines.append(
            QuotaLine(authority, "*", rule.total if rule else None, self._quota_used(authority, "*"))
        )
        return tuple(lines)

    def quota_table(self, authorities: Iterable[str] | None = None) -> list[QuotaLine]:
        """:meth:`quota` for several authorities (default: every one with seats in use)."""
        if authorities is None:
            authorities = sorted({a for a, _ in self.store.quota_usage(self.campaign.id)})
        return [line for a in check_sequence(authorities, "authorities") for line in self.quota(a)]

    # -- the log ---------------------------------------------------------------------

    def replay(self) -> Snapshot:
        """State and quota use rebuilt from the audit log alone."""
        return replay(self.events())

    def as_of(self, when: datetime) -> Snapshot:
        """State and quota use as they were at ``when`` (rebuilt from the log)."""
        return replay(self.events(), until=moment(when, "as_of moment"))


assert set(_PUBLIC_ACTIONS) <= set(ACTIONS)


def retry_on_conflict(
    action: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.02,
    max_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``action`` again when it raises ConflictError, up to ``attempts`` times in all,
    sleeping a jittered exponential back-off in between ("full jitter": a uniform draw from
    0 to ``min(max_delay, base_delay * 2**n)``). Other errors, and the last conflict,
    propagate. ``action`` must re-read what it acts on (pass ids, not stale objects).

    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConflictError("n1", 1, 2)
    ...     return "done"
    >>> retry_on_conflict(flaky, sleep=lambda s: None), len(calls)
    ('done', 3)
    """
    if not callable(action) or not callable(sleep):
        raise InvalidInput(
            "action and sleep must be callables (functions)", "action 与 sleep 参数必须是可调用的函数"
        )
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 100:
        raise InvalidInput(
            f"attempts must be a whole number from 1 to 100, got {attempts!r}",
            "重试次数 attempts 必须是 1 到 100 的整数",
        )
    _number("base_delay", base_delay, 0, 60)
    _number("max_delay", max_delay, 0, 3600)
    for n in range(attempts):
        try:
            return action()
        except ConflictError:
            if n == attempts - 1:
                raise
            sleep(secrets.SystemRandom().uniform(0, min(max_delay, base_delay * 2**n)))
    raise AssertionError("unreachable")  # pragma: no cover
