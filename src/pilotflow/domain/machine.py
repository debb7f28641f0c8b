"""The state machine of a nomination: the only module that imports ``transitions``.

One ``transitions.Machine`` is built per campaign, with no model attached: it is the table of
states, actions (triggers), branches and guards. Nominations are never registered as models
(a model costs ~12 KB of attached helpers and registration is quadratic); instead the machine's
own transition table is compiled once into a dict keyed by ``(state, action)`` and each
action looks its transition up there, runs *all* its guards (so a refusal lists every reason)
and picks the branch.

States::

    new ──nominate──▶ in_review ──recommend (to the top)──▶ received
                       │  ▲  ╰─stamp / attach / recommend (to the next level)─╮
                       │  ╰──────────────return (to the lower level)──────────┤
                       ├──decline──▶ declined       received ──decline──▶ declined
                       ├──withdraw─▶ withdrawn      received ──withdraw─▶ withdrawn
                       ├──cut──────▶ not_recommended (quota, at a selection)
                       ╰──lapse────▶ lapsed (the hop's deadline passed: the deadline sweep)

Where the nomination is (which authority, which level) is its ``holder``: the route is data,
derived from the authority graph and the campaign by :class:`RoutePlan`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from attrs import field, frozen
from transitions import Machine

from ..errors import Reason
from . import guards as g
from .authorities import Authority, AuthorityGraph
from .campaign import Campaign, MaterialRequirement, QuotaRule

__all__ = ["ACTIONS", "STATES", "HopPlan", "RoutePlan", "Transition", "Workflow"]

_NONE: dict[str, tuple[Transition, ...]] = {}  # no transitions from a state

STATES = (
    "new", "awaiting_application", "in_review", "received", "reviewed", "proposed", "on_notice",
    "objected", "announced", "declined", "withdrawn", "not_recommended", "lapsed", "rejected",
    "removed", "revoked",
)  # fmt: skip
ACTIONS = (
    "nominate", "attach", "stamp", "recommend", "return", "decline", "withdraw", "cut", "lapse",
    "register", "apply", "revoke_unapplied", "score", "conclude", "select_for_check", "check",
    "propose", "publish", "object", "uphold", "dismiss", "announce",
)  # fmt: skip
#: Each action as a civil servant names it (for messages in Chinese).
ACTION_ZH = {
    "nominate": "申报", "attach": "提交材料", "stamp": "盖章", "recommend": "推荐", "return": "退回",
    "decline": "不予推荐", "withdraw": "撤回", "cut": "名额外不予推荐", "lapse": "逾期失效",
    "register": "登记复核单位", "apply": "申请复核", "revoke_unapplied": "逾期未申请撤销",
    "score": "专家评分", "conclude": "评审结论", "select_for_check": "抽取实地核查", "check": "实地核查",
    "propose": "拟入选", "publish": "公示", "object": "异议", "uphold": "异议成立", "dismiss": "异议不成立",
    "announce": "公告",
}  # fmt: skip
assert set(ACTION_ZH) == set(ACTIONS)


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
        n = ctx.nomination
        return n.hop + 2 == len(n.route)


class Passed(Branch):
    """Did the unit pass (the expert review's combined score, or its spot check)?"""

    name = "passed"

    def __call__(self, ctx: g.Context) -> bool:
        return bool(ctx.extra.get("passed"))


class ReReview(Branch):
    """Is this an earlier winner's re-review (failing it revokes the title)?"""

    name = "re_review"

    def __call__(self, ctx: g.Context) -> bool:
        return ctx.nomination is not None and ctx.nomination.track == "re_review"


_RECOMMEND_GUARDS = (
    g.actor_holds(),
    g.before_deadline(),
    g.not_listed(),
    g.stamps_complete(),
    g.materials_complete(),
    g.quota_free(),
)

# The machine's definition: transitions' own dict format, guards as conditions.
_DEFINITION: list[dict[str, Any]] = [
    {"trigger": "nominate", "source": "new", "dest": "in_review",
     "conditions": [g.actor_at_origin(), g.origin_fits_unit(), g.before_deadline(), g.not_listed()]},
    {"trigger": "attach", "source": "in_review", "dest": None,
     "conditions": [g.actor_holds_or_applicant(), g.before_deadline()]},
    {"trigger": "stamp", "source": "in_review", "dest": None,
     "conditions": [g.actor_holds(), g.before_deadline(), g.not_stamped_yet(), g.not_listed()]},
    {"trigger": "recommend", "source": "in_review", "dest": "received",
     "conditions": [ToTop(), *_RECOMMEND_GUARDS]},
    {"trigger": "recommend", "source": "in_review", "dest": "in_review",
     "unless": [ToTop()], "conditions": list(_RECOMMEND_GUARDS)},
    {"trigger": "return", "source": ["in_review", "received"], "dest": "in_review",
     "conditions": [g.actor_holds(), g.has_previous()]},
    {"trigger": "decline", "source": ["in_review", "received"], "dest": "declined",
     "conditions": [g.actor_holds()]},
    {"trigger": "withdraw", "source": ["in_review", "received"], "dest": "withdrawn",
     "conditions": [g.actor_holds_or_applicant(), g.before_deadline()]},
    {"trigger": "cut", "source": "in_review", "dest": "not_recommended",
     "conditions": [g.actor_holds()]},
    {"trigger": "lapse", "source": "in_review", "dest": "lapsed",
     "conditions": [g.deadline_passed()]},
    # Re-review (复核) of earlier winners: registered by the ministry, applied for by the unit.
    {"trigger": "register", "source": "new", "dest": "awaiting_application",
     "conditions": [g.actor_is_top(), g.origin_fits_unit()]},
    {"trigger": "apply", "source": "awaiting_application", "dest": "in_review",
     "conditions": [g.actor_at_origin(), g.before_deadline(), g.not_listed()]},
    {"trigger": "revoke_unapplied", "source": "awaiting_application", "dest": "revoked",
     "conditions": [g.deadline_passed()]},
    # The ministry phase.
    {"trigger": "score", "source": "received", "dest": None,
     "conditions": [g.actor_holds(), g.expert_not_scored()]},
    {"trigger": "conclude", "source": "received", "dest": "reviewed",
     "conditions": [Passed(), g.actor_holds(), g.enough_scores()]},
    {"trigger": "conclude", "source": "received", "dest": "revoked",
     "unless": [Passed()], "conditions": [ReReview(), g.actor_holds(), g.enough_scores()]},
    {"trigger": "conclude", "source": "received", "dest": "rejected",
     "unless": [Passed(), ReReview()], "conditions": [g.actor_holds(), g.enough_scores()]},
    {"trigger": "select_for_check", "source": "reviewed", "dest": None,
     "conditions": [g.actor_holds(), g.not_drawn()]},
    {"trigger": "check", "source": "reviewed", "dest": "reviewed",
     "conditions": [Passed(), g.actor_holds(), g.drawn_for_check()]},
    {"trigger": "check", "source": "reviewed", "dest": "revoked",
     "unless": [Passed()], "conditions": [ReReview(), g.actor_holds(), g.drawn_for_check()]},
    {"trigger": "check", "source": "reviewed", "dest": "rejected",
     "unless": [Passed(), ReReview()], "conditions": [g.actor_holds(), g.drawn_for_check()]},
    {"trigger": "propose", "source": "reviewed", "dest": "proposed",
     "conditions": [g.actor_holds(), g.check_settled()]},
    {"trigger": "publish", "source": "proposed", "dest": "on_notice",
     "conditions": [g.actor_holds()]},
    {"trigger": "object", "source": "on_notice", "dest": "objected",
     "conditions": [g.notice_open()]},
    {"trigger": "uphold", "source": "objected", "dest": "revoked",
     "conditions": [ReReview(), g.actor_holds()]},
    {"trigger": "uphold", "source": "objected", "dest": "removed",
     "unless": [ReReview()], "conditions": [g.actor_holds()]},
    {"trigger": "dismiss", "source": "objected", "dest": "on_notice",
     "conditions": [g.actor_holds()]},
    {"trigger": "announce", "source": "on_notice", "dest": "announced",
     "conditions": [g.actor_holds(), g.notice_closed()]},
]  # fmt: skip


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


@frozen
class HopPlan:
    """Everything fixed about one position on a route, computed once per route."""

    index: int
    holder: Authority
    next: Authority | None
    deadline: datetime | None
    deadline_label: str
    materials: tuple[MaterialRequirement, ...]
    quota_rule: QuotaRule | None
    level: str
    re_review_materials: tuple[MaterialRequirement, ...] = ()
    #: May a nomination start here? At the campaign's first level, or where nothing reports
    #: to the authority (XPCC, a central enterprise): only for the first hop of a route.
    starts_route: bool = False

    @property
    def to_top(self) -> bool:
        """Does this hop's authority recommend straight to the top of the route?"""
        return self.next is not None and self.next.parent is None


@frozen
class RoutePlan:
    """A route with its per-hop plans (deadlines, materials, quota rules)."""

    route: tuple[str, ...]
    hops: tuple[HopPlan, ...]


class Workflow:
    """The campaign's machine and route plans. Pure: it reads, it never writes."""

    def __init__(self, campaign: Campaign, graph: AuthorityGraph) -> None:
        self.campaign = campaign
        self.graph = graph
        self.machine = Machine(
            model=None,
            states=list(STATES),
            transitions=_DEFINITION,
            initial="new",
            auto_transitions=False,
        )
        # The table by state, then action: two lookups on interned strings are cheaper than
        # hashing a (state, action) tuple on every action.
        self._table: dict[str, dict[str, tuple[Transition, ...]]] = {}
        for action, event in self.machine.events.items():
            for source, transitions in event.transitions.items():
                compiled = []
                for t in transitions:
                    branches = tuple((c.func, c.target) for c in t.conditions if isinstance(c.func, Branch))
                    guards = tuple(c.func for c in t.conditions if isinstance(c.func, g.Guard))
                    compiled.append(
                        Transition(
                            action, source, t.dest or source, branches, guards, tuple(x.code for x in guards)
                        )
                    )
                self._table.setdefault(source, {})[action] = tuple(compiled)
        self._triggers = {s: tuple(self.machine.get_triggers(s)) for s in STATES}
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

    # -- the table -------------------------------------------------------------------

    def transitions(self, state: str, action: str) -> tuple[Transition, ...]:
        """The transitions ``action`` may take from ``state`` (empty if none)."""
        return self._table.get(state, _NONE).get(action, ())

    def actions_from(self, state: str) -> tuple[str, ...]:
        """The actions the machine defines from ``state``."""
        return self._triggers.get(state, ())

    # -- routes ----------------------------------------------------------------------

    def route(self, origin: str) -> tuple[str, ...]:
        """The route from ``origin`` (cached; the same tuple object for the same origin)."""
        return self._route(origin)

    def _compute_route(self, origin: str) -> tuple[str, ...]:
        return self.graph.route(origin, self.campaign)

    def plan(self, route: tuple[str, ...]) -> RoutePlan:
        plan = self.plans.get(route)
        if plan is None:
            plan = self.plans[route] = self._make_plan(route)
        return plan

    def _make_plan(self, route: Sequence[str]) -> RoutePlan:
        campaign = self.campaign
        authorities = [self.graph[code] for code in route]
        rules = [
            campaign.hop_rule(a, authorities[i + 1]) if i + 1 < len(authorities) else None
            for i, a in enumerate(authorities)
        ]
        hops = []
        for i, a in enumerate(authorities):
            nxt = authorities[i + 1] if i + 1 < len(authorities) else None
            # A hop without a deadline of its own inherits the next one set further up the
            # route: forwarding later could never reach the top in time.
            deadline, label = None, ""
            for j in range(i, len(rules)):
                rule = rules[j]
                if rule is not None and rule.deadline is not None:
                    deadline = rule.deadline
                    label = f"{authorities[j].name} → {authorities[j + 1].name}"
                    if j != i:
                        label += "（上级期限 / inherited）"
                    break
            own = rules[i]
            hops.append(
                HopPlan(
                    i,
                    a,
                    nxt,
                    deadline,
                    label,
                    own.materials if own is not None else (),
                    campaign.quota_rule(a) if nxt is not None else None,
                    a.level,
                    own.re_review_materials if own is not None else (),
                    i == 0 and (a.level == campaign.level_codes[0] or not self.graph.children(a.code)),
                )
            )
        return RoutePlan(tuple(route), tuple(hops))

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
                    f"当前状态 {state!r} 下不能执行 {action!r}",
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
