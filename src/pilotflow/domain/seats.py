"""Which quota seats a recommendation takes when the campaign's quota rules look at the unit's
tags (lists given to the run): exemptions (不占属地指标), caps per group across authorities,
and soft caps (原则上不超过) exceeded with a recorded reason. Used by the kernel's hot path only
when the campaign has such rules (see ``Kernel._context``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .authorities import AuthorityGraph
from .campaign import Campaign
from .events import group_seat, seat_counters, seat_key
from .guards import Context, group_name, may_exceed
from .machine import HopPlan
from .names import TRACK_RE_REVIEW
from .records import Nomination
from .screening import Listing, UnitList

__all__ = ["Limits", "TaggedSeats", "seat_name", "soft_limits", "tag_seats"]

#: (counter, cap or None) for each counter a seat moves.
Limits = tuple[tuple[str, int | None], ...]
#: (seat as kept in ``Nomination.seats``, counter key, limits) for each seat taken.
TaggedSeats = tuple[tuple[str, str, Limits], ...]


def _listing(lists: Mapping[str, UnitList], list_id: str, unit_code: str, at: datetime) -> Listing | None:
    found = lists.get(list_id)
    return None if found is None else found.hit(unit_code, at)


def tag_seats(
    campaign: Campaign,
    lists: Mapping[str, UnitList],
    n: Nomination,
    hop: HopPlan,
    at: datetime,
    limits: Limits,
) -> TaggedSeats | None:
    """The seats a recommendation of ``n`` by ``hop``'s holder takes when the unit's tags
    decide them: none at the holder for a unit on one of its rule's ``exempt`` lists, and a
    seat of its group for each group rule (its group: the unit's listing on the rule's list).
    None: just the holder's seat (with ``limits``), as without tag rules."""
    if n.track == TRACK_RE_REVIEW:
        return None
    holder = hop.holder.code
    rule = hop.quota_rule
    exempt = rule is not None and any(_listing(lists, k, n.unit_code, at) for k in rule.exempt)
    seats = [] if exempt else [(holder, holder, limits)]
    for group_rule in campaign.group_rules(hop.holder):
        list_id = group_rule.group_list or ""
        listing = _listing(lists, list_id, n.unit_code, at)
        if listing is not None and listing.group:
            seat = group_seat(list_id, listing.group, holder)
            caps = group_rule.caps(seat_key(seat), n.unit_type)
            seats.append((seat, seat_key(seat), tuple(zip(seat_counters(n), caps, strict=True))))
    return None if not exempt and len(seats) == 1 else tuple(seats)


def soft_limits(ctx: Context, authority: str, limits: Limits) -> Limits:
    """The caps the store enforces on a seat at ``authority``: none when the actor exceeds the
    holder's soft cap with a reason (the quota guard judged it), else ``limits``."""
    if ctx.quota_exceed is None or authority != ctx.plan.holder.code or not may_exceed(ctx):
        return limits
    return tuple((counter, None) for counter, _ in limits)


def seat_name(graph: AuthorityGraph, key: str, names: Mapping[str, str]) -> str:
    """The Chinese name of a seat's counter key: an authority's, or a group's (list and group)."""
    return graph[key].name if key in graph else group_name(key, names)
