"""The state machine of a nomination: the only module that imports ``transitions``.

One ``transitions.Machine`` is built per campaign, with no model attached: it is the table of
states, actions (triggers), branches and guards. Nominations are never registered as models
(a model costs ~12 KB of attached helpers and registration is quadratic); instead the machine's
own transition table is compiled once into a dict keyed by ``(state, action)`` and each
action looks its transition up there, runs *all* its guards (so a refusal lists every reason)
and picks the branch.

The table checks itself when a machine is built (:func:`check_table`, once per table shape):
every state it names is declared, every state is reachable from ``new``, every live state has
a way out towards a final state, and no final state has a transition. A faulty table is
refused with :class:`MachineTableError`.

States (``[final]`` states have no transitions; names in :mod:`pilotflow.domain.names`)::

    new ──nominate──▶ in_review ──recommend (to the top)──▶ received
     │                 │  ▲  ╰─examine / attach / recommend (to the next level)─╮
     │                 │  ╰──────return, recall (to the lower level; also from received)┤
     │                 ├──decline──▶ [declined]       received ──decline──▶ [declined]
     │                 ├──withdraw─▶ [withdrawn]      received ──withdraw─▶ [withdrawn]
     │                 ├──cut──────▶ [not_recommended] (quota, at a selection)
     │                 ├──lapse────▶ [lapsed] (the hop's deadline passed: the deadline sweep)
     │                 ├──select_for_check / check (passed)──▶ in_review  (a level's own
     │                 ╰──check (failed)──▶ [rejected]                     on-site check)
     │
     ╰──register──▶ awaiting_application ──apply──▶ in_review   (re-review of earlier winners)
                     ╰──revoke_unapplied──▶ [revoked]            (not applied by the deadline)

An earlier winner's re-review that is declined, withdrawn, cut, failed at a level's on-site
check or not forwarded in time (lapse), at any level, ends ``[revoked]`` instead of declined,
withdrawn, not_recommended, rejected or lapsed (复核未通过的或未申请复核的单位将撤销称号并摘牌):
a unit that fails at any level loses its title; its event still names the action and the
reason.

The ministry phase (docs/ministry-phase.md); ``revoked`` instead of ``rejected``,
``removed`` or ``declined`` for an earlier winner's re-review::

    received ──score (each expert once)──▶ received
    received ──conclude──▶ reviewed (passed) | [rejected] / [revoked] (failed)
    reviewed ──select_for_check──▶ reviewed ──check──▶ reviewed | [rejected] / [revoked]
    reviewed ──propose*──▶ proposed ──publish*──▶ on_notice ──announce*──▶ [announced]
                           proposed ──announce* (the campaign holds no notice)──▶ [announced]
                                                   │   ▲ (notice closed)
                                            object │   │ dismiss
                                                   ▼   │
                                                  objected ──uphold──▶ [removed] / [revoked]
    reviewed / proposed / on_notice ──decline──▶ [declined] / [revoked]

    * also judged against the disqualification lists (as scoped at the top): a listed unit
      stays where it is (refused, or skipped by publish_notice, announce and the sweep) until
      its listing ends or the top declines it.

A unit moves up with its sender's submission (推荐函, :mod:`pilotflow.domain.submissions`):
``recommend`` is recorded on each unit when its letter is sent (the letter's own rules — its
stamps and materials — judged there), ``recall`` when the sender recalls it, ``return`` when
the receiver returns it; ``examine`` records one department's examination of the unit
(逐一审查), where the campaign asks for it.

Where the nomination is (which authority, which level) is its ``holder``: the route is data,
derived from the authority graph and the campaign by
:func:`~pilotflow.domain.routes.plan_route`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen
from transitions import Machine

from ..errors import InvalidInput, MachineTableError, Reason
from . import guards as g
from . import names
from .authorities import AuthorityGraph
from .campaign import Campaign, UnitFacts
from .inputs import wrong_argument
from .names import (
    ANNOUNCE,
    ANNOUNCED,
    APPLY,
    ATTACH,
    AWAITING_APPLICATION,
    CHECK,
    CONCLUDE,
    CUT,
    DECLINE,
    DECLINED,
    DISMISS,
    EXAMINE,
    IN_REVIEW,
    INITIAL_STATE,
    LAPSE,
    LAPSED,
    NEW,
    NOMINATE,
    NOT_RECOMMENDED,
    OBJECT,
    OBJECTED,
    ON_NOTICE,
    PROPOSE,
    PROPOSED,
    PUBLISH,
    RECALL,
    RECEIVED,
    RECOMMEND,
    REGISTER,
    REJECTED,
    REMOVED,
    RETURN,
    REVIEWED,
    REVOKE_UNAPPLIED,
    REVOKED,
    SCORE,
    SELECT_FOR_CHECK,
    TRACK_RE_REVIEW,
    UPHOLD,
    WITHDRAW,
    WITHDRAWN,
)
from .routes import HopPlan, RoutePlan, misplaced, next_hops, plan_route

__all__ = [
    "ACTIONS",
    "ACTION_ZH",
    "STATES",
    "STATE_TABLE",
    "TRANSITION_TABLE",
    "HopPlan",
    "MachineTableError",
    "RoutePlan",
    "Transition",
    "Workflow",
    "build_machine",
    "check_table",
]

_NONE: dict[str, tuple[Transition, ...]] = {}  # no transitions from a state

# Kept here for the modules that import them from the machine; spelled in names.py.
STATES = names.STATES
ACTIONS = names.ACTIONS
#: Each action as a civil servant names it (for messages in Chinese).
ACTION_ZH = names.ACTION_ZH


class Branch:
    """A branch predicate, not a guard: it picks between transitions of one action."""

    name = "branch"

    def __call__(self, ctx: g.Context) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<branch {self.name}>"


class ToTop(Branch):
    """Is the next authority the top of the route?"""

    name = "to_top"

    def __call__(self, ctx: g.Context) -> bool:
        return ctx.plan.to_top


class Passed(Branch):
    """Did the unit pass (the expert review's combined score, or its spot check)?"""

    name = "passed"

    def __call__(self, ctx: g.Context) -> bool:
        return bool(ctx.extra.get("passed"))


class ReReview(Branch):
    """Is this an earlier winner's re-review (failing it revokes the title)?"""

    name = "re_review"

    def __call__(self, ctx: g.Context) -> bool:
        return ctx.nomination is not None and ctx.nomination.track == TRACK_RE_REVIEW


_RECOMMEND_GUARDS = (
    g.actor_holds(),
    g.before_deadline(),
    g.not_listed(),
    g.examined(),
    g.materials_complete(),
    g.quota_free(),
    g.check_settled_at_level(),  # a unit drawn for an on-site check at this level (``checks``)
)

#: The machine's states, in transitions' own dict format. ``final``: nothing leaves the state
#: (an outcome of the campaign for the nomination; a unit that withdrew may file anew, as a
#: new nomination). Building the machine refuses a transition out of a final state.
STATE_TABLE: tuple[dict[str, Any], ...] = (
    {"name": NEW},
    {"name": AWAITING_APPLICATION},
    {"name": IN_REVIEW},
    {"name": RECEIVED},
    {"name": REVIEWED},
    {"name": PROPOSED},
    {"name": ON_NOTICE},
    {"name": OBJECTED},
    {"name": ANNOUNCED, "final": True},  # named (or, re-reviewed, retained) by the announcement
    {"name": DECLINED, "final": True},  # an authority on the route would not recommend it
    {"name": WITHDRAWN, "final": True},  # the applicant or the holder took it back
    {"name": NOT_RECOMMENDED, "final": True},  # cut by quota at a selection
    {"name": LAPSED, "final": True},  # not forwarded before its hop's deadline
    {"name": REJECTED, "final": True},  # failed the expert review or the on-site check
    {"name": REMOVED, "final": True},  # an objection to it was upheld
    {"name": REVOKED, "final": True},  # an earlier winner's title revoked (撤销称号并摘牌)
)

#: Where a holder may decline a nomination: on its way up, at the top once received, and in
#: the top's steps before the announcement (a unit a disqualification list keeps from going on).
_DECLINABLE = [IN_REVIEW, RECEIVED, REVIEWED, PROPOSED, ON_NOTICE]

#: The machine's transitions: transitions' own dict format, guards as conditions.
TRANSITION_TABLE: tuple[dict[str, Any], ...] = (
    {"trigger": NOMINATE, "source": NEW, "dest": IN_REVIEW,
     "conditions": [g.actor_at_origin(), g.origin_fits_unit(), g.before_deadline(), g.not_listed(),
                    g.applicant_within_cap()]},
    {"trigger": ATTACH, "source": IN_REVIEW, "dest": None,
     "conditions": [g.actor_holds_or_applicant(), g.before_deadline(), g.materials_room()]},
    {"trigger": EXAMINE, "source": IN_REVIEW, "dest": None,
     "conditions": [g.actor_holds(), g.before_deadline(), g.not_examined_yet()]},
    {"trigger": RECOMMEND, "source": IN_REVIEW, "dest": RECEIVED,
     "conditions": [ToTop(), *_RECOMMEND_GUARDS]},
    {"trigger": RECOMMEND, "source": IN_REVIEW, "dest": IN_REVIEW,
     "unless": [ToTop()], "conditions": list(_RECOMMEND_GUARDS)},
    {"trigger": RETURN, "source": [IN_REVIEW, RECEIVED], "dest": IN_REVIEW,
     "conditions": [g.actor_holds(), g.has_previous()]},
    # The sender recalls its submission: the unit comes back (who may recall, and that the
    # receiver has not acted on it, is the submission's rule: pilotflow.domain.submissions).
    {"trigger": RECALL, "source": [IN_REVIEW, RECEIVED], "dest": IN_REVIEW,
     "conditions": [g.has_previous()]},
    # An earlier winner's re-review that is declined, withdrawn, cut, failed at a level's
    # check or lapsed at any level ends revoked: 复核未通过的或未申请复核的单位将撤销称号并摘牌
    # (a withdrawn application is no application). The event still names the action and its
    # reason.
    {"trigger": DECLINE, "source": _DECLINABLE, "dest": REVOKED,
     "conditions": [ReReview(), g.actor_holds()]},
    {"trigger": DECLINE, "source": _DECLINABLE, "dest": DECLINED,
     "unless": [ReReview()], "conditions": [g.actor_holds()]},
    {"trigger": WITHDRAW, "source": [IN_REVIEW, RECEIVED], "dest": REVOKED,
     "conditions": [ReReview(), g.actor_holds_or_applicant(), g.before_deadline()]},
    {"trigger": WITHDRAW, "source": [IN_REVIEW, RECEIVED], "dest": WITHDRAWN,
     "unless": [ReReview()], "conditions": [g.actor_holds_or_applicant(), g.before_deadline()]},
    {"trigger": CUT, "source": IN_REVIEW, "dest": REVOKED,
     "conditions": [ReReview(), g.actor_holds()]},
    {"trigger": CUT, "source": IN_REVIEW, "dest": NOT_RECOMMENDED,
     "unless": [ReReview()], "conditions": [g.actor_holds()]},
    {"trigger": LAPSE, "source": IN_REVIEW, "dest": REVOKED,
     "conditions": [ReReview(), g.deadline_passed()]},
    {"trigger": LAPSE, "source": IN_REVIEW, "dest": LAPSED,
     "unless": [ReReview()], "conditions": [g.deadline_passed()]},
    # Re-review (复核) of earlier winners: registered by the ministry, applied for by the unit.
    {"trigger": REGISTER, "source": NEW, "dest": AWAITING_APPLICATION,
     "conditions": [g.actor_is_top(), g.origin_fits_unit()]},
    {"trigger": APPLY, "source": AWAITING_APPLICATION, "dest": IN_REVIEW,
     "conditions": [g.actor_at_origin(), g.before_deadline(), g.not_listed()]},
    {"trigger": REVOKE_UNAPPLIED, "source": AWAITING_APPLICATION, "dest": REVOKED,
     "conditions": [g.deadline_passed()]},
    # The ministry phase.
    {"trigger": SCORE, "source": RECEIVED, "dest": None,
     "conditions": [g.actor_holds(), g.phase_held("review"), g.expert_not_scored()]},
    {"trigger": CONCLUDE, "source": RECEIVED, "dest": REVIEWED,
     "conditions": [Passed(), g.actor_holds(), g.enough_scores()]},
    {"trigger": CONCLUDE, "source": RECEIVED, "dest": REVOKED,
     "unless": [Passed()], "conditions": [ReReview(), g.actor_holds(), g.enough_scores()]},
    {"trigger": CONCLUDE, "source": RECEIVED, "dest": REJECTED,
     "unless": [Passed(), ReReview()], "conditions": [g.actor_holds(), g.enough_scores()]},
    # An on-site check below the top (the campaign's ``checks``): drawn, then passed or failed.
    {"trigger": SELECT_FOR_CHECK, "source": IN_REVIEW, "dest": None,
     "conditions": [g.actor_holds(), g.check_at_level(), g.not_drawn()]},
    {"trigger": CHECK, "source": IN_REVIEW, "dest": IN_REVIEW,
     "conditions": [Passed(), g.actor_holds(), g.check_at_level(), g.drawn_for_check()]},
    {"trigger": CHECK, "source": IN_REVIEW, "dest": REVOKED, "unless": [Passed()],
     "conditions": [ReReview(), g.actor_holds(), g.check_at_level(), g.drawn_for_check()]},
    {"trigger": CHECK, "source": IN_REVIEW, "dest": REJECTED, "unless": [Passed(), ReReview()],
     "conditions": [g.actor_holds(), g.check_at_level(), g.drawn_for_check()]},
    {"trigger": SELECT_FOR_CHECK, "source": REVIEWED, "dest": None,
     "conditions": [g.actor_holds(), g.phase_held("spot_check"), g.not_drawn()]},
    {"trigger": CHECK, "source": REVIEWED, "dest": REVIEWED,
     "conditions": [Passed(), g.actor_holds(), g.drawn_for_check()]},
    {"trigger": CHECK, "source": REVIEWED, "dest": REVOKED,
     "unless": [Passed()], "conditions": [ReReview(), g.actor_holds(), g.drawn_for_check()]},
    {"trigger": CHECK, "source": REVIEWED, "dest": REJECTED,
     "unless": [Passed(), ReReview()], "conditions": [g.actor_holds(), g.drawn_for_check()]},
    # The lists are judged at every step up to the announcement (the top's lists, as they are
    # scoped): a listed unit stays where it is until the listing ends or the top declines it.
    {"trigger": PROPOSE, "source": REVIEWED, "dest": PROPOSED,
     "conditions": [g.actor_holds(), g.check_settled(), g.not_listed("propose")]},
    {"trigger": PUBLISH, "source": PROPOSED, "dest": ON_NOTICE,
     "conditions": [g.actor_holds(), g.phase_held("notice"), g.not_listed("publish")]},
    {"trigger": OBJECT, "source": ON_NOTICE, "dest": OBJECTED,
     "conditions": [g.notice_open()]},
    {"trigger": UPHOLD, "source": OBJECTED, "dest": REVOKED,
     "conditions": [ReReview(), g.actor_holds()]},
    {"trigger": UPHOLD, "source": OBJECTED, "dest": REMOVED,
     "unless": [ReReview()], "conditions": [g.actor_holds()]},
    {"trigger": DISMISS, "source": OBJECTED, "dest": ON_NOTICE,
     "conditions": [g.actor_holds()]},
    {"trigger": ANNOUNCE, "source": ON_NOTICE, "dest": ANNOUNCED,
     "conditions": [g.actor_holds(), g.notice_closed(), g.not_listed("announce")]},
    # A campaign without a public notice announces what the top proposed.
    {"trigger": ANNOUNCE, "source": PROPOSED, "dest": ANNOUNCED,
     "conditions": [g.actor_holds(), g.notice_skipped(), g.not_listed("announce")]},
)  # fmt: skip

assert tuple(s["name"] for s in STATE_TABLE) == STATES
assert frozenset(s["name"] for s in STATE_TABLE if s.get("final")) == names.FINAL_STATES


# -- the table checks itself -----------------------------------------------------------

_WILDCARD_ALL = "*"  # transitions' "every state" source
_WILDCARD_SAME = "="  # transitions' "the source state" destination

#: A table's shape: its states (name, final), its transitions (trigger, sources, dest) and
#: its initial state. What :func:`check_table` checks, and what its verdicts are cached by.
_Shape = tuple[tuple[tuple[str, bool], ...], tuple[tuple[str, tuple[str, ...], str | None], ...], str]


#: The most states and transitions a table may have (the bundled one: 16 and 40 or so).
MAX_TABLE = 10_000


def _malformed(en: str, zh: str) -> MachineTableError:
    return MachineTableError("malformed", (), en, zh)


def _name(value: object, where: str, where_zh: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 200:
        raise _malformed(
            f"{where} must be a name (text of 1 to 200 characters)", f"{where_zh}应为 1 至 200 个字符的名称"
        )
    return value


def _shape(
    states: Iterable[str | Mapping[str, Any]], transitions: Iterable[Mapping[str, Any]], initial: str
) -> _Shape:
    """The table as plain tuples (the cache key), every part checked for its type and size."""
    if isinstance(states, (str, bytes, Mapping)) or not isinstance(states, Iterable):
        raise _malformed("states must be a sequence of states", "states 应为状态的序列")
    if isinstance(transitions, (str, bytes, Mapping)) or not isinstance(transitions, Iterable):
        raise _malformed("transitions must be a sequence of transitions", "transitions 应为转换的序列")
    declared: list[tuple[str, bool]] = []
    for i, s in enumerate(states):
        if i >= MAX_TABLE:
            raise _malformed(f"more than {MAX_TABLE} states", f"状态多于 {MAX_TABLE} 个")
        if isinstance(s, str):
            declared.append((_name(s, f"state {i}", f"第 {i} 个状态"), False))
        elif isinstance(s, Mapping):
            name = _name(s.get("name"), f"state {i} name", f"第 {i} 个状态的名称")
            declared.append((name, s.get("final", False) is True))
        else:
            raise _malformed(
                f"state {i} must be a name or a mapping with a name", f"第 {i} 个状态应为名称或含 name 的映射"
            )
    moves = []
    for i, t in enumerate(transitions):
        if i >= MAX_TABLE:
            raise _malformed(f"more than {MAX_TABLE} transitions", f"转换多于 {MAX_TABLE} 个")
        if not isinstance(t, Mapping):
            raise _malformed(f"transition {i} must be a mapping", f"第 {i} 个转换应为映射")
        source = t.get("source")
        if isinstance(source, (list, tuple)) and 0 < len(source) <= MAX_TABLE:
            sources = tuple(_name(x, f"transition {i} source", f"第 {i} 个转换的起始状态") for x in source)
        else:
            sources = (_name(source, f"transition {i} source", f"第 {i} 个转换的起始状态"),)
        dest = t.get("dest")
        trigger = _name(t.get("trigger"), f"transition {i} trigger", f"第 {i} 个转换的操作")
        to = None if dest is None else _name(dest, f"transition {i} dest", f"第 {i} 个转换的目标状态")
        moves.append((trigger, sources, to))
    return tuple(declared), tuple(moves), _name(initial, "initial state", "初始状态")


def check_table(
    states: Iterable[str | Mapping[str, Any]],
    transitions: Iterable[Mapping[str, Any]],
    initial: str = INITIAL_STATE,
) -> None:
    """Refuse a table (states in transitions' format, names or dicts with ``name`` and
    ``final``; transitions as dicts with ``trigger``, ``source``, ``dest``) that is not a
    sound machine, with :class:`MachineTableError`:

    * ``malformed``: a part that is not what it must be (a name, a mapping, a sequence; at
      most :data:`MAX_TABLE` states and transitions);
    * ``duplicate_state``: a state declared twice;
    * ``unknown_state``: the initial state, a source or a destination that is not declared;
    * ``final_with_transitions``: a final state with a transition (even one that stays);
    * ``unreachable``: a state no chain of transitions leads to from the initial state;
    * ``dead_end``: a live (not final) state with no transition to another state;
    * ``no_way_to_final``: a live state from which no final state can be reached.

    The first of these problems found is raised (in this order), naming every state that has
    it. A table's verdict is cached by its shape, so checking the same table again is cheap.

    >>> check_table(["a", {"name": "b", "final": True}], [{"trigger": "go", "source": "a", "dest": "b"}], "a")
    >>> try:
    ...     check_table(["a", "b"], [{"trigger": "go", "source": "a", "dest": "b"}], "a")
    ... except MachineTableError as e:
    ...     print(e.problem, e.states)
    dead_end ('b',)
    """
    _check_shape(_shape(states, transitions, initial))


def _listed(states: Iterable[str], sep: str = ", ") -> str:
    return sep.join(repr(s) for s in states)


@functools.lru_cache(maxsize=64)
def _check_shape(shape: _Shape) -> None:
    states, moves, initial = shape
    declared = [name for name, _ in states]
    final = {name for name, is_final in states if is_final}
    known = set(declared)

    twice = [s for i, s in enumerate(declared) if s in declared[:i]]
    if twice:
        raise MachineTableError(
            "duplicate_state", twice,
            f"states declared more than once: {_listed(twice)}",
            f"以下状态重复声明：{_listed(twice, '、')}",
        )  # fmt: skip

    # The graph: which states each state leads to, and the triggers defined from it.
    leads_to: dict[str, set[str]] = {s: set() for s in declared}
    triggers: dict[str, list[str]] = {s: [] for s in declared}
    unknown: list[str] = []
    where: list[str] = []
    if initial not in known:
        unknown.append(initial)
        where.append(f"initial {initial!r}")
    for trigger, sources, dest in moves:
        for source in declared if sources == (_WILDCARD_ALL,) else sources:
            to = source if dest is None or dest == _WILDCARD_SAME else str(dest)
            bad = [s for s in (source, to) if s not in known]
            if bad:
                unknown.extend(s for s in bad if s not in unknown)
                where.append(f"{source!r} ─{trigger}→ {to!r}")
                continue
            triggers[source].append(trigger)
            if to != source:
                leads_to[source].add(to)
    if unknown:
        raise MachineTableError(
            "unknown_state", unknown,
            f"states not declared: {_listed(unknown)} (in {'; '.join(where)})",
            f"引用了未声明的状态：{_listed(unknown, '、')}（见 {'；'.join(where)}）",
        )  # fmt: skip

    busy = [s for s in declared if s in final and triggers[s]]
    if busy:
        what = "; ".join(f"{s!r} ({', '.join(dict.fromkeys(triggers[s]))})" for s in busy)
        raise MachineTableError(
            "final_with_transitions", busy,
            f"final states cannot have transitions: {what}",
            f"终态不能再有转换：{what}",
        )  # fmt: skip

    reached = _closure([initial], leads_to)
    unreachable = [s for s in declared if s not in reached]
    if unreachable:
        raise MachineTableError(
            "unreachable", unreachable,
            f"states unreachable from the initial state {initial!r}: {_listed(unreachable)}",
            f"从初始状态 {initial!r} 无法到达以下状态：{_listed(unreachable, '、')}",
        )  # fmt: skip

    stuck = [s for s in declared if s not in final and not leads_to[s]]
    if stuck:
        raise MachineTableError(
            "dead_end", stuck,
            f"live states with no transition out of them: {_listed(stuck)} "
            "(declare them final, or give them a transition to another state)",
            f"以下非终态没有通往其他状态的转换：{_listed(stuck, '、')}"
            "（应声明为终态，或增加离开该状态的转换）",
        )  # fmt: skip

    comes_from: dict[str, set[str]] = {s: set() for s in declared}
    for source, targets in leads_to.items():
        for to in targets:
            comes_from[to].add(source)
    ending = _closure(final, comes_from)
    trapped = [s for s in declared if s not in ending]
    if trapped:
        raise MachineTableError(
            "no_way_to_final", trapped,
            f"live states from which no final state can be reached: {_listed(trapped)}",
            f"以下非终态无法到达任何终态：{_listed(trapped, '、')}",
        )  # fmt: skip


def _closure(start: Iterable[str], edges: Mapping[str, set[str]]) -> set[str]:
    """The states reachable from ``start`` along ``edges`` (``start`` included)."""
    seen = set(start)
    todo = list(seen)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def build_machine(
    states: Sequence[str | Mapping[str, Any]] = STATE_TABLE,
    transitions: Sequence[Mapping[str, Any]] = TRANSITION_TABLE,
    initial: str = INITIAL_STATE,
) -> Machine:
    """A model-less ``transitions.Machine`` of the table, once :func:`check_table` passes it."""
    check_table(states, transitions, initial)
    return Machine(
        model=None,
        states=list(states),
        transitions=list(transitions),
        initial=initial,
        auto_transitions=False,
    )


@frozen(eq=False)  # compared and hashed as itself: the service keys event shapes by it
class Transition:
    """A compiled transition: its branch conditions, its guards, its destination."""

    action: str
    source: str
    dest: str
    branches: tuple[tuple[Callable[[g.Context], bool], bool], ...]
    guards: tuple[g.Guard, ...]
    codes: tuple[str, ...]  # the guards' codes, once: every event of this transition shares it
    #: The guards' bound ``__call__`` methods: calling one is cheaper than calling the guard.
    checks: tuple[Callable[[g.Context], Reason | None], ...] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(guard.__call__ for guard in self.guards))


class Workflow:
    """The campaign's machine and route plans. Pure: it reads, it never writes."""

    def __init__(
        self,
        campaign: Campaign,
        graph: AuthorityGraph,
        *,
        states: Sequence[str | Mapping[str, Any]] = STATE_TABLE,
        transitions: Sequence[Mapping[str, Any]] = TRANSITION_TABLE,
    ) -> None:
        self.campaign = campaign
        self.graph = graph
        #: Raises :class:`MachineTableError` if the table is not a sound machine.
        self.machine = build_machine(states, transitions)
        # The table by state, then action: two lookups on interned strings are cheaper than
        # hashing a (state, action) tuple on every action.
        self._table: dict[str, dict[str, tuple[Transition, ...]]] = {}
        for action, event in self.machine.events.items():
            for source, candidates in event.transitions.items():
                compiled = []
                for t in candidates:
                    branches = tuple((c.func, c.target) for c in t.conditions if isinstance(c.func, Branch))
                    # A guard that cannot refuse anything in this campaign is left out (Guard.needed).
                    guards = tuple(
                        c.func
                        for c in t.conditions
                        if isinstance(c.func, g.Guard) and c.func.needed(campaign)
                    )
                    compiled.append(
                        Transition(
                            action, source, t.dest or source, branches, guards, tuple(x.code for x in guards)
                        )
                    )
                self._table.setdefault(source, {})[action] = tuple(compiled)
        self._triggers = {s: tuple(self.machine.get_triggers(s)) for s in self.machine.states}
        #: The actions some of whose transitions check a quota (only they need its counters).
        self.quota_actions = frozenset(
            action
            for by_action in self._table.values()
            for action, ts in by_action.items()
            for t in ts
            if "quota_free" in t.codes
        )
        self._route = functools.lru_cache(maxsize=None)(self._compute_route)
        #: Route plans made so far, by route (read directly on the hot path; see :meth:`plan`).
        self.plans: dict[tuple[str, ...], RoutePlan] = {}
        self._next: dict[str, frozenset[str]] = {}  # see next_hops

    # -- the table -------------------------------------------------------------------

    def transitions(self, state: str, action: str) -> tuple[Transition, ...]:
        """The transitions ``action`` may take from ``state`` (empty if none)."""
        if not isinstance(state, str) or not isinstance(action, str):
            argument, value = ("state", state) if not isinstance(state, str) else ("action", action)
            raise wrong_argument(argument, "text (a str)", "文字", value)
        return self._table.get(state, _NONE).get(action, ())

    def actions_from(self, state: str) -> tuple[str, ...]:
        """The actions the machine defines from ``state``."""
        if not isinstance(state, str):
            raise wrong_argument("state", "text (a str)", "文字", state)
        return self._triggers.get(state, ())

    # -- routes ----------------------------------------------------------------------

    def route(self, origin: str, unit: UnitFacts | None = None) -> tuple[str, ...]:
        """The route from ``origin`` of a nomination of ``unit`` (cached; the same tuple
        object for the same origin, and unit where the campaign routes by unit). ``origin``
        must take part in the campaign (:meth:`Campaign.taking_part`)."""
        if unit is not None and not isinstance(unit, UnitFacts):
            self.campaign.taking_part(self.graph[origin], "origin")  # (the origin is named first)
            raise InvalidInput(
                f"unit must be a UnitFacts or None, got {type(unit).__name__}",
                "unit 参数必须是 UnitFacts 对象或 None",
            )
        try:
            return self._route(origin, unit if self.campaign.unit_routed else None)
        except TypeError:  # an unhashable origin: not a code, as the graph says
            self.graph[origin]
            raise

    def next_hops(self, sender: str) -> frozenset[str]:
        """Where ``sender`` (taking part in the campaign) may send the nominations it holds,
        for any unit: :func:`~pilotflow.domain.routes.next_hops` (empty at the top)."""
        authority = self.campaign.taking_part(self.graph[sender], "sender")
        hops = self._next.get(authority.code)
        if hops is None:
            hops = self._next[authority.code] = next_hops(self.campaign, self.graph, authority)
        return hops

    def _compute_route(self, origin: str, unit: UnitFacts | None) -> tuple[str, ...]:
        # Computed once per origin (and unit), so the scope is checked once too.
        self.campaign.taking_part(self.graph[origin], "origin")
        return self.graph.route(origin, self.campaign.routing(unit))

    def plan(self, route: tuple[str, ...]) -> RoutePlan:
        """The plan of ``route`` (as :meth:`route` gives it: authority codes, origin first),
        made and checked the first time it is asked for, then cached."""
        try:
            plan = self.plans.get(route)
        except TypeError:  # unhashable (a list...): refused as not a tuple below
            plan = None
        if plan is None:
            self._check_route(route)
            plan = self.plans[route] = self._make_plan(route)
        return plan

    def stored_plan(self, route: tuple[str, ...]) -> RoutePlan:
        """The plan of a route a stored nomination holds (cached), unchecked: one stored under
        an earlier revision of the campaign still plans, and never stops the deadline sweep or
        an action on it (:meth:`plan` checks a route a caller gives)."""
        plan = self.plans.get(route)
        if plan is None:
            plan = self.plans[route] = self._make_plan(route)
        return plan

    def _check_route(self, route: object) -> None:
        """``route`` as :meth:`route` could give it: a tuple of the codes of known authorities,
        each at one of the campaign's levels, rising to its last level (its top), none twice.
        Else :class:`InvalidInput` saying what is wrong and where. (Not the scope: a route
        stored under an earlier revision of the campaign still plans; :meth:`route` checks
        where a new one may start.)"""
        if not isinstance(route, tuple) or not route:
            raise InvalidInput(
                f"route must be a non-empty tuple of authority codes, origin first (see "
                f"Workflow.route), got {type(route).__name__ if route else 'an empty one'}",
                "route 参数必须是由机关代码组成的非空元组，起点在前（见 Workflow.route）",
            )
        i = misplaced(self.campaign, self.graph, route)
        if i is not None:
            levels = self.campaign.levels
            a = self.graph[route[i]]
            raise InvalidInput(
                f"route[{i}]: {a.code} ({a.name}) is out of place: a route rises through the "
                f"campaign's levels ({', '.join(lv.code for lv in levels)}) to the last, each authority once",
                f"route[{i}]：{a.name}在推荐路线中的位置不对：推荐路线应逐级向上，经本次遴选的层级（"
                f"{'、'.join(lv.name.zh for lv in levels)}）直至最高一级，每个机关只出现一次",
            )

    def _make_plan(self, route: Sequence[str]) -> RoutePlan:
        return plan_route(self.campaign, self.graph, route)

    # -- judging ---------------------------------------------------------------------

    def judge(self, state: str, action: str, ctx: g.Context) -> tuple[Transition | None, tuple[Reason, ...]]:
        """Pick the transition for ``action`` and run all its guards.

        Returns the transition (None if the machine has none from ``state``) and every
        blocking reason (empty: the action may go ahead).
        """
        candidates = self._table.get(state, _NONE).get(action)
        if not candidates:
            return None, (
                Reason(
                    "not_allowed_in_state",
                    f"{action!r} is not possible in state {state!r}",
                    f"当前状态（{names.STATE_ZH.get(state, '未知状态')}）下"
                    f"不能执行“{names.ACTION_ZH.get(action, '该操作')}”",
                    {"state": state, "action": action},
                ),
            )
        chosen = candidates[0]
        if len(candidates) > 1:
            for t in candidates:
                for fn, target in t.branches:
                    if bool(fn(ctx)) != target:
                        break
                else:  # every branch condition holds
                    chosen = t
                    break
        reasons: list[Reason] | None = None
        for check in chosen.checks:
            reason = check(ctx)
            if reason is not None:
                if reasons is None:
                    reasons = [reason]
                else:
                    reasons.append(reason)
        return chosen, () if reasons is None else tuple(reasons)
