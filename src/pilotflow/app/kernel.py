"""The kernel of the application service: how every action is dated, judged and committed.

An action on a nomination goes through :meth:`Kernel._act`: the actor is checked, the moment
dated (:meth:`Kernel._dated`), the nomination read, a guard :class:`~pilotflow.domain.guards.Context`
built (:meth:`Kernel._context`), the transition judged by the campaign's machine
(:meth:`Kernel._change`, which also builds the event and applies it), and the one change
committed with its quota seats (:meth:`Kernel._commit`). The phases (:mod:`.hops`,
:mod:`.selection`, :mod:`.ministry`, :mod:`.rereview`, :mod:`.sweep`, :mod:`.queries`)
are subclasses that add public actions; :class:`~pilotflow.app.run.CampaignRun` joins them.

This is the hot path of pilotflow. The measured speed tricks it uses are named where they
sit, each with a line saying what it buys (the figures are in benchmarks/README.md):
:data:`_new_context`, :data:`_new_change`, :func:`stamp_data`, the inlined atomic scope in
:meth:`Kernel._act`, and :mod:`.kept` (an action judged on a kept state, skipping its read).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from attrs import evolve

from ..domain.authorities import Authority, AuthorityGraph
from ..domain.calendar import MOMENT_YEARS, Clock, SystemClock, in_zone, moment, zone_info
from ..domain.campaign import Campaign, check_campaign
from ..domain.events import (
    ENTERED_AT,
    EventShape,
    FrozenData,
    apply,
    build_event,
    event_data,
    seat_counters,
    seat_key,
)
from ..domain.guards import Context, _quota_reason
from ..domain.inputs import NAME, check_flag, check_sequence
from ..domain.machine import HopPlan, Transition, Workflow
from ..domain.names import (
    ACTION_NAMES_ZH,
    ANNOUNCE,
    APPLY,
    ATTACH,
    CHECK,
    CONCLUDE,
    CUT,
    DECLINE,
    DISMISS,
    EXAMINE,
    LAPSE,
    OBJECT,
    PROPOSE,
    PUBLISH,
    RECOMMEND,
    RETURN,
    SCORE,
    STAMP,
    SUBMISSION_ACTIONS,
    TRACK_RE_REVIEW,
    UPHOLD,
    WITHDRAW,
)
from ..domain.records import Actor, Nomination
from ..domain.routes import routed
from ..domain.rules import (
    HOP_MOVES,
    KEEPS_EARLIER_DEADLINE,
    MINISTRY_ACTIONS,
    applied_through,
    deadline_hop_index,
    out_of_time_order,
    review_facts,
    share_count,
)
from ..domain.screening import UnitList
from ..domain.seats import seat_name, soft_limits, tag_seats
from ..errors import (
    ActionRefused,
    InvalidInput,
    MomentRefused,
    PilotflowError,
    QuotaExceeded,
    Reason,
    shown,
)
from ..files._io import existing_folder
from ..store import AnyChange, Change, MemoryStore, Receipt, Seat, SeatUnavailable, Store, SubmissionChange
from .admission import Admission
from .applicants import seat_released
from .arguments import Arguments
from .idempotency import ReceiptFor, at_version, atomically, once, ref
from .judged import JudgedLists
from .kept import on_kept

T = TypeVar("T")
_FIRST_YEAR, _LAST_YEAR = MOMENT_YEARS

#: The actions :meth:`~pilotflow.CampaignRun.explain` and ``available_actions`` know.
PUBLIC_ACTIONS = (
    ATTACH, EXAMINE, STAMP, RECOMMEND, RETURN, DECLINE, WITHDRAW, APPLY, SCORE, CONCLUDE,
    CHECK, PROPOSE, PUBLISH, OBJECT, UPHOLD, DISMISS, ANNOUNCE,
)  # fmt: skip

#: The units' own actions that take a unit out of the submission (推荐函) carrying it.
LEAVES_LETTER = frozenset({WITHDRAW, DECLINE, LAPSE, CUT, RETURN})

#: The key of a recommendation's data that records the reason to exceed a soft quota cap.
EXCEED_QUOTA = "exceed_quota_reason"

#: At most this many materials in one action (the 2023 campaign asks for nine kinds).
MAX_MATERIALS = 100

# -- speed tricks (figures: benchmarks/README.md, "The hot path") -----------------------------
#: A guard context made without running ``Context.__init__`` (its slots are filled by
#: :meth:`Kernel._context`): saves the keyword-argument call of every action.
_new_context = object.__new__
#: A :class:`~pilotflow.store.Change` (a named tuple) made without its Python-level ``__new__``.
_new_change = tuple.__new__


@functools.lru_cache(maxsize=256)
def stamp_data(department: str | None) -> Mapping[str, Any]:
    """The (read-only, shared) data of a stamp event: one mapping per department, not per
    event (a stamp is the most common action: no dict per event)."""
    return FrozenData({"department": department})


def refusal(
    action: str, nomination_id: str | None, reasons: Sequence[Reason], *, record_zh: str | None = None
) -> ActionRefused:
    """The error of a refused action: ``QuotaExceeded`` when a full quota is among its reasons.
    Its Chinese names the action as civil servants do, and what ``nomination_id`` is the id of
    (``record_zh``; by default a submission for a submission's own action, else a nomination)."""
    kind = QuotaExceeded if any(r.code == "quota_full" for r in reasons) else ActionRefused
    if record_zh is None:
        record_zh = "推荐函" if action in SUBMISSION_ACTIONS else "申报"
    return kind(
        action, nomination_id, reasons, action_zh=ACTION_NAMES_ZH.get(action, action), record_zh=record_zh
    )


def _checked_arguments(
    campaign: object, graph: object, store: object, clock: object, backfill: object
) -> None:
    """Refuse what a :class:`~pilotflow.CampaignRun` cannot run with, naming the argument."""
    check_campaign(campaign)
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
    check_flag("backfill", backfill)
    if clock is not None:
        _check_clock(clock)


def _check_clock(clock: object) -> None:
    """Refuse a clock without a ``now()`` method (what it reads is judged by ``_now``)."""
    if not callable(getattr(clock, "now", None)):
        raise InvalidInput(
            f"clock must have a now() method (a Clock), got {type(clock).__name__}",
            "clock 参数必须是时钟对象（具有 now() 方法）",
        )


def _clock_failed(exc: Exception) -> InvalidInput:
    """A clock whose ``now()`` raised (a :class:`~pilotflow.errors.PilotflowError` it raises
    passes as it is)."""
    return InvalidInput(
        f"clock.now() failed: {type(exc).__name__}: {shown(str(exc), 200)}", "本次运行所用的时钟读取时间失败"
    )


def _checked_lists(campaign: Campaign, lists: Iterable[UnitList]) -> dict[str, UnitList]:
    """The lists by id; every disqualification list the campaign consults must be given."""
    found: dict[str, UnitList] = {}
    for lst in check_sequence(lists, "lists"):
        if not isinstance(lst, UnitList):
            raise InvalidInput(
                f"lists must hold UnitList objects, got {type(lst).__name__}",
                "lists 参数只能包含 UnitList 名单对象",
            )
        found[lst.id] = lst
    required = campaign.required_lists
    missing = [k for k in required if k not in found]
    if missing:
        raise InvalidInput(
            f"campaign {campaign.id} consults lists not given: {', '.join(missing)} "
            "(pass UnitList.empty(id) for a list known to be empty)",
            f"本次遴选需核查的名单未提供：{'、'.join(required[k].zh for k in missing)}"
            "（确无单位列入的名单，请提供空名单）",
        )
    return found


def _documents_option(value: object) -> Path | bool | None:
    """``documents`` checked: None, False, or an existing folder."""
    if value is None or value is False:
        return value
    if isinstance(value, (str, os.PathLike)):
        return existing_folder(value, "documents")
    raise InvalidInput(
        f"documents must be a folder, False or None, got {type(value).__name__}",
        "documents 参数须为文件夹、False 或 None",
    )


def moved_seats(
    before: Nomination | None,
    after: Nomination,
    ctx: Context,
    limits_at: Callable[[Nomination, str], tuple[tuple[str, int | None], ...]],
) -> tuple[Seat, ...]:
    """The quota seats a change takes (with their caps, as the guards judged them) and gives
    back; ``limits_at(n, authority)``: the caps of a seat the guards did not judge."""
    old = before.seats if before is not None else ()
    new = after.seats
    if old == new:
        return ()
    seats = []
    tagged = {seat: (key, limits) for seat, key, limits in ctx.quota_seats or ()}
    for authority in new:
        if authority not in old:
            if authority in tagged:  # a seat the unit's tags decide (a group's, the holder's)
                key, limits = tagged[authority]
                seats.append(Seat(key, 1, soft_limits(ctx, authority, limits)))
            elif authority == ctx.plan.holder.code and ctx.quota_limits:  # judged by the guard
                seats.append(Seat(authority, 1, soft_limits(ctx, authority, ctx.quota_limits)))
            else:
                seats.append(Seat(authority, 1, limits_at(after, authority)))
    for authority in old:
        if authority not in new:
            counters = tuple((c, None) for c in seat_counters(after))
            seats.append(Seat(seat_key(authority), -1, counters))
    return tuple(seats)


def _code_names(campaign: Campaign) -> dict[str, str]:
    """The Chinese names of every code a refusal may mention: the campaign's lists, materials,
    unit types and departments."""
    return {
        **{k: v.name.zh for k, v in campaign.list_rules().items()},
        **{k: v.name.zh for k, v in campaign.materials.items()},
        **{k: v.name.zh for k, v in campaign.unit_types.items()},
        **{k: v.zh for k, v in campaign.departments.items()},
    }


def _base_extra(campaign: Campaign, top: Authority) -> dict[str, Any]:
    """What every guard context's ``extra`` holds: the top authority (its code and name), the
    experts needed, and the phases as configured steps (the filing deadline, the steps held,
    the campaign itself for its on-site checks below the top)."""
    experts = campaign.ministry.min_experts if campaign.phases.review else 0
    return {"top": top.code, "top_name": top.name, "min_experts": experts, "filing": campaign.filing,
            "phases": campaign.phases, "campaign": campaign}  # fmt: skip


class Kernel(Arguments):
    """A campaign running on a store: the state every phase shares, and the one way an
    action is dated, judged and committed."""

    #: The actions :meth:`explain` and :meth:`available_actions` know.
    ACTIONS: tuple[str, ...] = PUBLIC_ACTIONS

    def __init__(
        self,
        campaign: Campaign,
        *,
        store: Store | None = None,
        graph: AuthorityGraph | None = None,
        lists: Iterable[UnitList] | None = None,
        clock: Clock | None = None,
        backfill: bool = False,
        documents: str | os.PathLike[str] | bool | None = None,
    ) -> None:
        _checked_arguments(campaign, graph, store, clock, backfill)
        #: What a letter's sending generates (its summary table and letter draft): None, the
        #: documents with their hashes recorded; a folder, written there too; False, none.
        self._documents = _documents_option(documents)
        self._generated: dict[str, Any] = {}  # a letter's documents between judging and committing
        # The campaign adds the authorities its notice names, and says which of its
        # departments act where (its ``authorities`` and ``acting``).
        base = graph if graph is not None else AuthorityGraph.bundled()
        self.graph = base.with_authorities(campaign.authorities).with_departments(campaign.acting)
        if not campaign.routed and not campaign.scope.is_empty:  # built in code: its routes found here
            campaign = evolve(campaign, routed=routed(campaign, self.graph))
        self.campaign = campaign
        self.store = store if store is not None else MemoryStore()
        #: The zone every moment of the run is kept in (docs/display.md, "Moments").
        self._zone = zone_info(campaign.timezone)
        self._reading: tuple[object, datetime | None] = (None, None)  # the last clock reading converted
        self._clock: Clock = SystemClock(campaign.timezone)
        if clock is not None:
            self.clock = clock  # checked: a clock that fails or reads no moment is refused
        #: A run that records facts of the past (a campaign run on paper, imported): ``at`` may
        #: be any earlier moment, and every event it writes says so (``Event.entered_at``).
        self.backfill = backfill
        self._tolerance = campaign.clock_tolerance
        self.workflow = Workflow(campaign, self.graph)
        self._department_names = _code_names(campaign)
        self._members = self.graph.members
        self._plans = self.workflow.plans
        self._quota_actions = self.workflow.quota_actions
        self._quota_used_bound = self._quota_used  # one bound method, not one per action
        self._admit = Admission(campaign)
        self._limit_cache: dict[tuple[str, str], tuple[tuple[str, int | None], ...]] = {}
        #: The campaign's top authority (the ministry, or a province's own top)
        self._top = self.graph[campaign.top or self.graph.top.code]
        self._base_extra = _base_extra(campaign, self._top)
        self._lists = _checked_lists(campaign, self._lists_in_use(lists))
        #: The lists routing and entry rules name (None: no rule asks anything of the unit).
        self._routing_lists = campaign.routing_lists if campaign.unit_routed or campaign.entries else None
        tagged = any(rule.exempt or rule.group_list for rule in campaign.quotas)  # else no call
        self._tagger = functools.partial(tag_seats, campaign, self._lists) if tagged else None
        self._refresh_lists()

    def _lists_in_use(self, given: Iterable[UnitList] | None) -> Iterable[UnitList]:
        """The lists a new run judges with: those given (with the stored ones: see .unit_lists)."""
        return () if given is None else given

    def _refresh_lists(self) -> None:
        self._judged = JudgedLists(self.campaign, self._lists)
        self._list_versions = tuple((lst.id, lst.version) for lst in self._lists.values())
        # One EventShape per (transition, from, to): every event of that kind refers to it.
        self._shapes: dict[tuple[Transition, str | None, str], EventShape] = {}

    def __repr__(self) -> str:
        return f"<CampaignRun {self.campaign.id} {self.campaign.revision} on {self.store!r}>"

    @property
    def lists(self) -> Mapping[str, UnitList]:
        return dict(self._lists)

    def use_list(self, unit_list: UnitList) -> None:
        """Replace (or add) a list; later actions are judged with it and record its version."""
        if not isinstance(unit_list, UnitList):
            raise InvalidInput("use_list takes a UnitList", "use_list 参数必须是 UnitList 名单")
        self._lists[unit_list.id] = unit_list
        self._refresh_lists()

    @property
    def clock(self) -> Clock:
        """What the run reads the time from (a :class:`~pilotflow.Clock`: ``now()`` gives an
        aware ``datetime``). It may be replaced (a test moving time on); the new clock is read
        once and refused, as :class:`~pilotflow.errors.InvalidInput`, unless it reads a moment."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        _check_clock(clock)
        before = (self._clock, self._reading)
        self._clock, self._reading = clock, (None, None)
        try:
            self._now()  # a clock that fails, or reads no moment pilotflow keeps, is refused here
        except PilotflowError:
            self._clock, self._reading = before
            raise

    def _now(self) -> datetime:
        """The clock's reading, as a standard ``datetime`` in the campaign's zone: as read
        when the clock reads so (the system clock), else converted once per distinct reading
        (a clock standing still keeps one moment, shared by the events it dates)."""
        try:  # (inline: the hot path of every action)
            raw = self._clock.now()
        except PilotflowError:
            raise
        except Exception as exc:
            raise _clock_failed(exc) from exc
        if type(raw) is datetime and raw.tzinfo is self._zone:
            if not _FIRST_YEAR <= raw.year <= _LAST_YEAR:
                moment(raw, "clock.now()")  # a clock moved past the years pilotflow keeps: refused
            return raw
        last = self._reading
        if last[0] is raw and last[1] is not None:
            return last[1]
        now = in_zone(moment(raw, "clock.now()"), self._zone)  # refuses a clock gone wrong
        self._reading = (raw, now)  # one tuple, replaced whole
        return now

    def _at(self, at: datetime | None) -> datetime:
        """The moment a question is asked about (``explain``, ``position``...): any moment,
        in the campaign's zone."""
        return self._now() if at is None else in_zone(moment(at, "at"), self._zone)

    def _dated(self, at: datetime | None, what: str = "at") -> datetime:
        """The moment an action is recorded at: the clock's reading, or ``at`` when it lies
        within the campaign's tolerance of it (a backfill run: any moment not after the clock),
        as a standard ``datetime`` in the campaign's zone (one conversion per action at most).
        The one place the dating rule of docs/architecture.md ("Moments") is enforced."""
        now = self._now()
        if at is None:
            return now
        when = in_zone(moment(at, what), self._zone)
        if self.backfill:
            if when - now > self._tolerance:
                raise MomentRefused(when, now, self._tolerance, True, what)
        elif abs(when - now) > self._tolerance:
            raise MomentRefused(when, now, self._tolerance, False, what)
        return when

    def _atomically(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in one transaction of the store (see :func:`.idempotency.atomically`)."""
        return atomically(self.store, fn, *args)

    def _context(
        self,
        n: Nomination,
        actor: Actor | None,
        at: datetime,
        action: str,
        extra: Mapping[str, Any] | None = None,
        shares: dict[str, int] | None = None,
    ) -> Context:
        """What the guards of ``action`` on ``n`` see, each fact computed once (``shares``:
        re-review caps already counted in this action, see :meth:`_limits`)."""
        plan = self._plans.get(n.route) or self.workflow.stored_plan(n.route)
        hop = plan.hops[n.hop]
        ctx = _new_context(Context)
        ctx.actor = actor
        ctx.at = at
        ctx.nomination = n
        ctx.plan = hop
        ctx.deadline_plan = (
            plan.hops[deadline_hop_index(n, action, hop.next is None)]
            if action in KEEPS_EARLIER_DEADLINE  # no call for the others (the hot path)
            else hop
        )
        ctx.quota_limits = (
            self._limits(n, hop, shares) if hop.next is not None and action in self._quota_actions else ()
        )
        ctx.quota_used = self._quota_used_bound
        tagger = self._tagger  # the seats a unit's tags decide: only with rules that look at them
        ctx.quota_seats = tagger(n, hop, at, ctx.quota_limits) if tagger and ctx.quota_limits else None
        ctx.quota_exceed = None  # set by recommend when a reason to exceed a soft cap is given
        judged = self._judged  # the lists scoped to n's track, unit type and holder
        ctx.lists, ctx.listed, ctx.admit = judged.of(n, hop.holder) if judged.scoped else judged.everywhere
        ctx.department_names = self._department_names
        ctx.registered_in = None  # set by nominate and register, the actions that judge it
        ctx.entry = False  # set by nominate
        if action in MINISTRY_ACTIONS:
            ctx.extra = {**self._base_extra, **review_facts(n, action, self.campaign), **(extra or {})}
        else:
            ctx.extra = self._base_extra
        return ctx

    def _limits(
        self, n: Nomination, hop: HopPlan, shares: dict[str, int] | None = None
    ) -> tuple[tuple[str, int | None], ...]:
        """The quota counters a recommendation of ``n`` from ``hop`` moves (``seat_counters``)
        with their caps: the sender's quota rule; for a re-review unit sent to the top, the
        campaign's share of those that applied through the sender (once per selection)."""
        if n.track == TRACK_RE_REVIEW:
            (counter,) = seat_counters(n)
            if not hop.to_top:
                return ((counter, None),)
            authority = hop.holder.code
            cap = None if shares is None else shares.get(authority)
            if cap is None:
                nominations = self.store.nominations(self.campaign.id)
                applied = applied_through(nominations, authority, self._revoked_by)
                rules = self.campaign.re_review
                cap = share_count(applied, rules.max_share, rules.rounding)
                if shares is not None:
                    shares[authority] = cap
            return ((counter, cap),)
        key = (hop.holder.code, n.unit_type)
        limits = self._limit_cache.get(key)
        if limits is None:
            rule = hop.quota_rule
            caps = rule.caps(hop.holder.code, n.unit_type) if rule else (None, None)
            limits = self._limit_cache[key] = tuple(zip(seat_counters(n), caps, strict=True))
        return limits

    def _revoked_by(self, n: Nomination) -> str:
        """The action that revoked ``n`` (its last event's): see :func:`~pilotflow.domain.rules.applied`."""
        return self.store.events(self.campaign.id, n.id)[-1].action

    def _in_order(self, n: Nomination, at: datetime) -> None:
        """Refuse an action at ``at`` on ``n`` that comes before its last one (InvalidInput)."""
        late = out_of_time_order(n, at)
        if late is not None:
            raise InvalidInput(late.en, late.zh)

    def _at_version(self, receipt: Any) -> Nomination:
        """The nomination as it was at the version a receipt names (see :mod:`.idempotency`)."""
        return at_version(self.store, self.campaign.id, receipt)

    def _quota_used(self, authority: str, unit_type: str) -> int:
        return self.store.quota_used(self.campaign.id, authority, unit_type)

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
                raise refusal(action, n.id if n is not None else None, reasons)
        nominee = n if n is not None else new
        assert nominee is not None
        route, hop = nominee.route, nominee.hop
        from_holder = route[hop] if n is not None else None
        to_holder = route[hop + HOP_MOVES.get(action, 0)]
        shape = self._shapes.get((transition, from_holder, to_holder))
        if shape is None:
            shape = self._shapes[transition, from_holder, to_holder] = EventShape(
                action, transition.source, transition.dest, from_holder, to_holder, transition.codes,
                self.campaign.revision, self._list_versions,
            )  # fmt: skip
        if ctx.quota_seats is not None and action == RECOMMEND:  # the seats the tags decide
            data = {**(data or {}), "seats": [seat for seat, _, _ in ctx.quota_seats]}
        if self.backfill:  # a fact of the past: the log says when it was entered
            data = {**(data or {}), ENTERED_AT: self._now().isoformat()}
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
        if n is not None and not after.claims_unit and n.claims_unit:  # (a seat it took: see .applicants)
            released = seat_released(self.store, self.campaign.id, n)
            seats = (*moved_seats(n, after, ctx, self._limits_at), *released)
            return _new_change(Change, (n, after, event, seats))
        if n is not None and after.seats is n.seats:  # most actions move no seat
            return _new_change(Change, (n, after, event, ()))
        return _new_change(Change, (n, after, event, moved_seats(n, after, ctx, self._limits_at)))

    def _limits_at(self, n: Nomination, authority: str) -> tuple[tuple[str, int | None], ...]:
        """The counters and caps of a seat of ``n`` at ``authority``, on its route."""
        plan = self._plans.get(n.route) or self.workflow.stored_plan(n.route)
        return self._limits(n, plan.hops[n.route.index(authority)])

    def _commit(self, action: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
        """Commit ``changes`` (one transaction), with the submissions a unit leaves (withdrawn,
        declined, returned...: :meth:`_letters_left`); a seat a concurrent request took is
        refused as a full quota."""
        for ch in changes:
            if ch.event.shape.action in LEAVES_LETTER:
                changes = [*changes, *self._letters_left(changes)]
                break
        try:
            self.store.commit(self.campaign.id, changes, receipt)
        except SeatUnavailable as exc:  # a concurrent recommendation took the last seat
            seat = exc.seat
            nid = next((c.after.id for c in changes if isinstance(c, Change) and seat in c.seats), None)
            raise refusal(
                action,
                nid,
                [
                    _quota_reason(
                        seat.authority,
                        exc.key,
                        exc.limit,
                        exc.used,
                        "store",
                        seat_name(self.graph, seat.authority, self._department_names),
                        self._department_names.get(exc.key, ""),
                    )
                ],
                record_zh="申报",  # (the unit the seat was for, whatever its action)
            ) from exc

    def _letters_left(self, changes: Sequence[AnyChange]) -> list[SubmissionChange]:
        """The changes of the submissions the units of ``changes`` leave (see
        :mod:`.submissions`, which fills this in)."""
        return []

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
        """One action on one nomination, once per idempotency ``key``."""
        self._actor(actor)
        if reason is not None:
            reason = self._reasoned(action, reason)
        if key is None:  # no idempotency key: no fingerprint tuple, no copy of data
            if self.store.recent is not None:
                done = on_kept(self.store, nomination, Nomination, lambda k: self._atomically(
                    self._perform, action, actor, nomination, at, reason, data, extra, None, k))  # fmt: skip
                if done is not None:
                    return done
            if self.store.atomic is None:
                # atomically()'s first case, without its call: measured at 100,000 nominations,
                # the extra frame and argument tuple cost about 0.05 of the benchmark's ratio.
                return self._perform(action, actor, nomination, at, reason, data, extra, None)
            return self._atomically(self._perform, action, actor, nomination, at, reason, data, extra, None)
        nid = nomination.id if isinstance(nomination, Nomination) else nomination
        return once(
            self.store,
            self.campaign.id,
            key,
            (action, actor, nid, reason, dict(data or {}), at),
            lambda receipt: self._perform(action, actor, nomination, at, reason, data, extra, receipt),
            ref,
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
        kept: Nomination | None = None,
    ) -> Nomination:
        """One checked action on one nomination: judge it, commit its change, return the result.
        ``kept``: the nomination's kept state, judged instead of a read (:mod:`.kept`)."""
        when = self._dated(at)
        n = (
            kept
            if kept is not None
            else self.store.get(nomination)  # an id as pilotflow makes them: plain ASCII, read at once
            if type(nomination) is str
            and len(nomination) <= NAME
            and nomination.isascii()
            and nomination.isprintable()
            else self._nomination(nomination)
        )
        if n.campaign != self.campaign.id:
            raise self._other_campaign(n)
        late = out_of_time_order(n, when)
        if late is not None:
            raise InvalidInput(late.en, late.zh)
        ctx = self._context(n, actor, when, action, extra)
        ctx.quota_exceed = data.get(EXCEED_QUOTA) if data else None
        if action == CONCLUDE and "combined" in ctx.extra:
            data = {"combined": ctx.extra["combined"]}
        change = self._change(n, ctx, action, actor, when, n.state, reason, data)
        self._commit(action, (change,), receipt_for(change.after) if receipt_for else None)
        return change.after
