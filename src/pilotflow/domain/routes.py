"""Route plans: what is fixed about each position on a nomination's route.

A route is the chain of authorities a nomination climbs (origin first), derived from the
authority graph and the campaign. Its :class:`RoutePlan` holds one :class:`HopPlan` per
authority on it (the deadline that applies there, the materials it requires, the quota rule
of its recommendation), computed once per route by :func:`plan_route`. Guards read the hop
plan of the nomination's position; the state machine (:mod:`pilotflow.domain.machine`)
caches the plans per campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from attrs import frozen

from .authorities import Authority, AuthorityGraph
from .campaign import Campaign, MaterialRequirement, QuotaRule

__all__ = ["HopPlan", "RoutePlan", "misplaced", "plan_route"]


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
