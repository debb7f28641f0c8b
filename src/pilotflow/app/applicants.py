"""The cap per applicant (``applicants.per_applicant``) as the store enforces it: a seat on the
unit's own counter, ``applicant:<unit code>``, taken when it files a nomination and given back
when the nomination stops claiming it (withdrawn). The store takes seats atomically with the
nomination's row (every store: a conditional UPDATE in SQL, under the lock in memory), so two
concurrent filings of one unit cannot both take its last seat; the guard
(:func:`~pilotflow.domain.guards.applicant_within_cap`) explains the same refusal beforehand.

A nomination holds a seat when it was filed under the cap: its filing event names the guard
among its verdicts (:func:`took_seat`), and gives it back when it stops claiming its unit,
whatever the campaign's revision says now. One filed before a revision added the cap took
none, and gives none back; one filed under a cap a later revision removed still gives its
seat back, so that the counter is right if the cap returns."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from attrs import evolve

from ..domain.events import Event, Snapshot, replay
from ..domain.guards import applicant_within_cap
from ..domain.names import NOMINATE, QUOTA_ALL_TYPES, TRACK_NEW
from ..domain.records import Nomination
from ..store.base import Seat, Store

__all__ = [
    "APPLICANT_SEAT", "applicant_seat", "replay_with_seats", "seat_released", "seat_taken", "took_seat",
]  # fmt: skip

APPLICANT_SEAT = "applicant:"
"""The prefix of a unit's own seat counter (the authority column of the quota table)."""


def applicant_seat(unit_code: str) -> str:
    """The counter of the nominations ``unit_code`` holds."""
    return APPLICANT_SEAT + unit_code


def seat_taken(unit_code: str, cap: int) -> Seat:
    """The seat a new nomination of ``unit_code`` takes, at most ``cap`` in use."""
    return Seat(applicant_seat(unit_code), 1, ((QUOTA_ALL_TYPES, cap),))


_CAP_GUARD = applicant_within_cap().code


def took_seat(filing: Event) -> bool:
    """Did the nomination filed by ``filing`` (its ``nominate`` event) take a seat? Yes when
    it was judged under the cap (the guard is among the event's verdicts)."""
    return _CAP_GUARD in filing.verdicts


def seat_released(store: Store, campaign: str, n: Nomination) -> tuple[Seat, ...]:
    """The seat ``n`` gives back when it stops claiming its unit: the one its filing took, if
    it took one (a re-review takes none; nor did a filing before the campaign had its cap)."""
    if n.track != TRACK_NEW:
        return ()
    filing = next(store.iter_events(campaign, nomination_id=n.id, action=NOMINATE), None)
    if filing is None or not took_seat(filing):
        return ()
    return (Seat(applicant_seat(n.unit_code), -1, ((QUOTA_ALL_TYPES, None),)),)


def replay_with_seats(events: Iterable[Event], until: datetime | None = None) -> Snapshot:
    """The snapshot :func:`~pilotflow.domain.events.replay` rebuilds from ``events``, with the
    seats units hold on their own counters, as the store counts them: one per new application
    that claims its unit and took a seat when filed (under a cap of this revision or an
    earlier one)."""
    seated: set[str] = set()

    def noting(events: Iterable[Event]) -> Iterator[Event]:
        for e in events:
            if e.action == NOMINATE and took_seat(e):
                seated.add(e.nomination_id)
            yield e

    snapshot = replay(noting(events), until=until)
    if not seated:
        return snapshot
    quota = dict(snapshot.quota)
    for nid in seated:
        n = snapshot.nominations.get(nid)  # (None: filed after ``until``)
        if n is not None and n.track == TRACK_NEW and n.claims_unit:
            key = (applicant_seat(n.unit_code), QUOTA_ALL_TYPES)
            quota[key] = quota.get(key, 0) + 1
    return evolve(snapshot, quota=quota)
