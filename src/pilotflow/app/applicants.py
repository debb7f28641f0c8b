"""The cap per applicant (``applicants.per_applicant``) as the store enforces it: a seat on the
unit's own counter, ``applicant:<unit code>``, taken when it files a nomination and given back
when the nomination stops claiming it (withdrawn). The store takes seats atomically with the
nomination's row (every store: a conditional UPDATE in SQL, under the lock in memory), so two
concurrent filings of one unit cannot both take its last seat; the guard
(:func:`~pilotflow.domain.guards.applicant_within_cap`) explains the same refusal beforehand."""

from __future__ import annotations

from attrs import evolve

from ..domain.campaign import Campaign
from ..domain.events import Snapshot
from ..domain.names import QUOTA_ALL_TYPES, TRACK_NEW
from ..domain.records import Nomination
from ..store.base import Seat

__all__ = ["APPLICANT_SEAT", "applicant_seat", "seat_released", "seat_taken", "with_applicant_seats"]

APPLICANT_SEAT = "applicant:"
"""The prefix of a unit's own seat counter (the authority column of the quota table)."""


def applicant_seat(unit_code: str) -> str:
    """The counter of the nominations ``unit_code`` holds."""
    return APPLICANT_SEAT + unit_code


def seat_taken(unit_code: str, cap: int) -> Seat:
    """The seat a new nomination of ``unit_code`` takes, at most ``cap`` in use."""
    return Seat(applicant_seat(unit_code), 1, ((QUOTA_ALL_TYPES, cap),))


def seat_released(n: Nomination) -> tuple[Seat, ...]:
    """The seat ``n`` gives back when it stops claiming its unit (new applications only:
    a re-review took none)."""
    if n.track != TRACK_NEW:
        return ()
    return (Seat(applicant_seat(n.unit_code), -1, ((QUOTA_ALL_TYPES, None),)),)


def with_applicant_seats(campaign: Campaign, snapshot: Snapshot) -> Snapshot:
    """``snapshot`` (rebuilt from the log) with the seats its units hold under the campaign's
    cap per applicant: one per new application that claims its unit, as the store counts."""
    if campaign.per_applicant is None:
        return snapshot
    quota = dict(snapshot.quota)
    for n in snapshot.nominations.values():
        if n.track == TRACK_NEW and n.claims_unit:
            key = (applicant_seat(n.unit_code), QUOTA_ALL_TYPES)
            quota[key] = quota.get(key, 0) + 1
    return evolve(snapshot, quota=quota)
