"""Route plans: what is fixed about each position on a nomination's route.

A route is the chain of authorities a nomination climbs (origin first), derived from the
authority graph and the campaign. Its :class:`RoutePlan` holds one :class:`HopPlan` per
authority on it (the deadline that applies there, the materials it requires, the quota rule
of its recommendation), computed once per route by :func:`plan_route`. Guards read the hop
plan of the nomination's position; the state machine (:mod:`pilotflow.domain.machine`)
caches the plans per campaign.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from attrs import frozen

from ..errors import PilotflowError
from .authorities import Authority, AuthorityGraph
from .campaign import Campaign, MaterialRequirement, QuotaRule, UnitFacts

__all__ = [
    "ROUTE_BUDGET", "HopPlan", "RoutePlan", "misplaced", "next_hops", "plan_route", "routed", "walk_routes",
]  # fmt: skip


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
    #: Does this hop's authority recommend straight to the top of the route (the ministry, or
    #: the province in a province's own campaign)?
    to_top: bool = False
    #: What the hop additionally needs from a new application (its track's own materials).
    new_materials: tuple[MaterialRequirement, ...] = ()
    #: What the sender's submission (推荐函) carries once for all its units at this hop:
    #: the hop's materials of ``per: submission`` (the others are each unit's).
    letter_materials: tuple[MaterialRequirement, ...] = ()


@frozen
class RoutePlan:
    """A route with its per-hop plans (deadlines, materials, quota rules)."""

    route: tuple[str, ...]
    hops: tuple[HopPlan, ...]


def split_materials(
    campaign: Campaign, materials: Sequence[MaterialRequirement]
) -> tuple[tuple[MaterialRequirement, ...], tuple[MaterialRequirement, ...]]:
    """A hop's materials as (each unit's, the submission's): see ``MaterialType.per``."""
    kinds = campaign.materials
    letter = tuple(m for m in materials if m.kind in kinds and kinds[m.kind].of_submission)
    if not letter:
        return tuple(materials), ()
    return tuple(m for m in materials if m not in letter), letter


def misplaced(campaign: Campaign, graph: AuthorityGraph, route: Sequence[str]) -> int | None:
    """The index of the first authority of ``route`` (codes, origin first; an unknown one
    refused by the graph, by name) out of place, or None. A route rises through the
    campaign's levels (never to a lower one) to its last level, which only its end reaches,
    each authority once, and ends at the campaign's top where it has one. The one rule of a
    route's shape: :meth:`Workflow.plan <pilotflow.domain.machine.Workflow.plan>` holds every
    route to it, and the campaign file reader the routes its reporting rules make."""
    levels = campaign.level_codes
    last, top, below = len(levels) - 1, campaign.top, -1
    for i, code in enumerate(route):
        level = graph[code].level
        rank = levels.index(level) if level in levels else -1
        at_top = i == len(route) - 1
        if (rank < 0 or rank < below or (rank == last) != at_top or code in route[:i]
                or (at_top and top is not None and code != top)):  # fmt: skip
            return i
        below = rank
    return None


def plan_route(campaign: Campaign, graph: AuthorityGraph, route: Sequence[str]) -> RoutePlan:
    """The plan of ``route`` (authority codes, origin first) in ``campaign``."""
    authorities = [graph[code] for code in route]
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
        unit_materials, letter_materials = split_materials(campaign, own.materials if own is not None else ())
        hops.append(
            HopPlan(
                i,
                a,
                nxt,
                deadline,
                label,
                unit_materials,
                campaign.quota_rule(a) if nxt is not None else None,
                a.level,
                own.re_review_materials if own is not None else (),
                i == 0 and (a.level == campaign.level_codes[0] or not graph.children(a.code)),
                i + 2 == len(authorities),
                own.new_materials if own is not None else (),
                letter_materials,
            )
        )
    return RoutePlan(tuple(route), tuple(hops))


#: How much walking the routes that reporting rules make for some units may take (routes ×
#: reporting rules): beyond it a campaign file is refused, and a campaign built in code gets
#: the authorities on its routes for every unit (:func:`routed`) from its plain routes.
ROUTE_BUDGET = 2_000_000


def walk_routes(
    campaign: Campaign,
    graph: AuthorityGraph,
    walk: Callable[[Authority, UnitFacts | None], tuple[str, ...] | None],
    too_many: Callable[[int], bool] | None = None,
) -> None:
    """Call ``walk(start, unit)`` (which gives the route it walked, or None where it could
    not) once for every route of the campaign's scope: from every authority of its lowest
    level in scope, then from every authority at another of its levels in scope that no
    earlier route passed (provinces without districts, central enterprises...): a route's
    tail is the route of the authority it passes. Where a reporting rule sends some units'
    nominations elsewhere (a scenario another recommender takes), the route such a unit's
    nomination takes from each start whose route the rule changes, and from each of the
    rule's senders (a unit may start there by an entry rule); ``too_many(routes)`` sees how
    many first, and False stops the walk there (a caller bounding the work)."""
    if not campaign.levels:
        return
    lowest = campaign.levels[0].code
    levels = frozenset(campaign.level_codes)
    starts = [a for a in graph if a.level == lowest and campaign.in_scope(a)]
    starts += [a for a in graph if a.level != lowest and a.level in levels and campaign.in_scope(a)]
    covered: set[str] = set()
    bases: list[tuple[Authority, tuple[str, ...]]] = []
    for start in starts:
        if start.code not in covered:
            route = walk(start, None)
            if route is not None:
                covered.update(route)
                bases.append((start, route))
    variants = _unit_variants(graph, campaign)
    todo = [
        (start, unit) for start, route in bases for unit, senders in variants if not senders.isdisjoint(route)
    ]
    for unit, senders in variants:
        for code in sorted(senders):
            sender = graph[code]
            if sender.level in levels and campaign.in_scope(sender):
                todo.append((sender, unit))
    if todo and too_many is not None and not too_many(len(todo)):
        return
    for start, unit in todo:
        walk(start, unit)


#: The most kinds of unit :func:`_unit_variants` tells apart one by one (scenarios × unit types
#: × sets of lists the reporting rules name); beyond, one unit per rule's scenario and type.
_KINDS_OF_UNIT = 4096


def _unit_variants(graph: AuthorityGraph, campaign: Campaign) -> list[tuple[UnitFacts, frozenset[str]]]:
    """The units whose nominations some reporting rule sends elsewhere, each with the
    authorities whose route it may change (the senders of the rules it meets): one unit for
    each set of rules some unit meets — of the scenarios, unit types and lists the rules name
    (and of none of them), every combination — so that a rule a unit meets only with an
    earlier rule it does not meet is walked too; beyond :data:`_KINDS_OF_UNIT` combinations,
    one unit per scenario and per unit type a rule names, on all its lists."""
    conditional = [rule for rule in campaign.reporting if not rule.unit.is_empty]
    if not conditional:
        return []
    senders = [frozenset(a.code for a in graph if rule.sender.matches(a)) for rule in conditional]
    scenarios = [*sorted(set().union(*(rule.unit.scenarios for rule in conditional))), ""]
    unit_types = [*sorted(set().union(*(rule.unit.unit_types for rule in conditional))), ""]
    lists = sorted(set().union(*(rule.unit.lists for rule in conditional)))
    if len(lists) > 12 or (len(scenarios) * len(unit_types) << len(lists)) > _KINDS_OF_UNIT:
        candidates: Iterable[UnitFacts] = (unit for rule in conditional for unit in rule.unit.examples())
    else:
        candidates = (
            UnitFacts(scenario, unit_type, frozenset(on))
            for scenario in scenarios
            for unit_type in unit_types
            for k in range(len(lists) + 1)
            for on in itertools.combinations(lists, k)
        )
    units: dict[tuple[bool, ...], UnitFacts] = {}
    for unit in candidates:
        meets = tuple(rule.unit.holds(unit) for rule in conditional)
        if any(meets) and meets not in units:
            units[meets] = unit
    return [
        (unit, frozenset().union(*(s for s, met in zip(senders, meets, strict=True) if met)))
        for meets, unit in units.items()
    ]


def routed(campaign: Campaign, graph: AuthorityGraph) -> frozenset[str]:
    """Every authority a route of the campaign's scope passes (:func:`walk_routes`): what
    :attr:`Campaign.routed` holds for a campaign read from a file. A start whose route cannot
    be walked adds nothing (a nomination starting there is refused, saying why); past
    :data:`ROUTE_BUDGET`, the routes for some units are not walked."""
    seen: set[str] = set()

    def walk(start: Authority, unit: UnitFacts | None) -> tuple[str, ...] | None:
        try:
            route = graph.route(start.code, campaign.routing(unit))
        except PilotflowError:
            return None
        seen.update(route)
        return route

    walk_routes(campaign, graph, walk, lambda routes: routes * len(campaign.reporting) <= ROUTE_BUDGET)
    return frozenset(seen)


def next_hops(campaign: Campaign, graph: AuthorityGraph, sender: Authority) -> frozenset[str]:
    """Where ``sender`` may send the nominations it holds: the next authority at one of the
    campaign's levels along its parents, or where a reporting rule sends them, for any unit
    (a rule for some units adds its receiver; one for every unit replaces the parent), the
    authorities of levels the campaign does not use passed over, as
    :meth:`AuthorityGraph.route` walks. Empty at the campaign's last level."""
    levels = campaign.level_codes
    if not levels or sender.level == levels[-1]:
        return frozenset()
    found: set[str] = set()
    seen = {sender.code}
    todo = [sender]
    while todo:
        here = todo.pop()
        ways: list[str | None] = []
        for rule in campaign.reporting:
            if rule.sender.matches(here):
                ways.append(rule.to)
                if rule.unit.is_empty:  # (the first rule for every unit: the parent never)
                    break
        else:
            ways.append(here.parent)
        for code in ways:
            if code is None or code in seen or code not in graph:
                continue
            seen.add(code)
            nxt = graph[code]
            if nxt.level in levels:
                found.add(code)
            else:  # (a level the campaign does not use: passed over)
                todo.append(nxt)
    return frozenset(found)
