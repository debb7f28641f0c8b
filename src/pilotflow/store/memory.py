"""A store in the process's memory: for tests, notebooks and the speed benchmark.

It keeps the same contract as the SQL stores (atomic commits, optimistic versions, quota
seats checked under a lock, one live nomination per unit) and passes the same contract tests.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ..errors import ConflictError, DuplicateNomination, NominationNotFound
from ..events import Event
from ..nomination import Nomination
from .base import Change, Receipt, ReceiptExists, SeatUnavailable, Store

__all__ = ["MemoryStore"]


class MemoryStore(Store):
    """Nominations, events and quota use held in dicts, guarded by one lock."""

    def __init__(self) -> None:
        self._nominations: dict[str, Nomination] = {}
        self._events: dict[str, list[Event]] = {}
        # One nomination's events: an index over the log, built on the first such query and
        # kept up to date from then on (None until then: commits append to the log only).
        self._by_nomination: dict[str, list[Event]] | None = None
        self._live: dict[tuple[str, str], str] = {}
        self._quota: dict[tuple[str, str, str], int] = {}
        self._receipts: dict[tuple[str, str], Receipt] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self._nominations)} nominations>"

    def get(self, nomination_id: str) -> Nomination:
        try:
            return self._nominations[nomination_id]
        except KeyError:
            raise NominationNotFound(nomination_id) from None

    def find_claim(self, campaign: str, unit_code: str, track: str = "new") -> Nomination | None:
        nid = self._live.get((campaign, unit_code if track == "new" else f"{track}:{unit_code}"))
        return None if nid is None else self._nominations[nid]

    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        found = [
            n
            for n in self._nominations.values()
            if n.campaign == campaign
            and (holder is None or n.holder == holder)
            and (state is None or n.state == state)
            and (unit_type is None or n.unit_type == unit_type)
        ]
        found.sort(key=lambda n: (n.created_at, n.id))
        return found

    def events(self, campaign: str, nomination_id: str | None = None) -> list[Event]:
        if nomination_id is not None:
            with self._lock:
                index = self._by_nomination
                if index is None:
                    index = self._by_nomination = {}
                    for log in self._events.values():
                        for e in log:
                            mine = index.get(e.nomination_id)
                            if mine is None:
                                index[e.nomination_id] = [e]
                            else:
                                mine.append(e)
                return list(index.get(nomination_id, ()))
        return list(self._events.get(campaign, ()))

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        return self._quota.get((campaign, authority, unit_type), 0)

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        return {(a, t): n for (c, a, t), n in self._quota.items() if c == campaign and n}

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        return self._receipts.get((campaign, key))

    def commit(self, campaign: str, changes: Sequence[Change], receipt: Receipt | None = None) -> None:
        if len(changes) != 1 or receipt is not None:
            self._commit_many(campaign, changes, receipt)
            return
        # The common case, one change and no receipt, on a shorter path.
        ch = changes[0]
        after = ch.after
        nid = after.id
        before = ch.before
        with self._lock:
            stored = self._nominations.get(nid)
            current = None if stored is None else stored.version
            expected = None if before is None else before.version
            if current != expected or after.version != (expected or 0) + 1:
                raise ConflictError(nid, expected or 0, current)
            # The unit's claim can move only when the nomination is new or changes state
            # (whether it claims the unit depends on its state; its claim key never changes).
            key = holder = None
            claims = True
            if before is None or before.state != after.state:
                claims = after.claims_unit
                key = (campaign, after.claim_key)
                holder = self._live.get(key)
                if claims and holder is not None and holder != nid:
                    raise DuplicateNomination(after.unit_code, holder)
            moved: list[tuple[tuple[str, str, str], int]] = []
            if ch.seats:
                for seat in ch.seats:  # check every counter first: nothing is written if one is full
                    for unit_type, limit in seat.counters:
                        k = (campaign, seat.authority, unit_type)
                        used = self._quota.get(k, 0)
                        if seat.delta > 0 and limit is not None and used + seat.delta > limit:
                            raise SeatUnavailable(seat, used, limit, unit_type)
                        moved.append((k, used + seat.delta))
            self._nominations[nid] = after
            log = self._events.get(campaign)
            if log is None:
                log = self._events[campaign] = []
            log.append(ch.event)
            index = self._by_nomination
            if index is not None:
                mine = index.get(nid)
                if mine is None:
                    index[nid] = [ch.event]
                else:
                    mine.append(ch.event)
            for k, value in moved:
                self._quota[k] = value
            if key is not None:
                if claims:
                    self._live[key] = nid
                elif holder == nid:
                    del self._live[key]

    def _commit_many(self, campaign: str, changes: Sequence[Change], receipt: Receipt | None) -> None:
        with self._lock:
            if receipt is not None and (campaign, receipt.key) in self._receipts:
                raise ReceiptExists(receipt.key)
            versions: dict[str, int] = {}
            quota: dict[tuple[str, str, str], int] = {}
            live: dict[tuple[str, str], str | None] = {}
            # Phase 1: check everything; nothing is written if anything fails.
            for ch in changes:
                after = ch.after
                nid = after.id
                if nid in versions:
                    current: int | None = versions[nid]
                else:
                    stored = self._nominations.get(nid)
                    current = None if stored is None else stored.version
                expected = None if ch.before is None else ch.before.version
                if current != expected or after.version != (expected or 0) + 1:
                    raise ConflictError(nid, expected or 0, current)
                versions[nid] = after.version
                key = (campaign, after.claim_key)
                holder: str | None = live[key] if key in live else self._live.get(key)
                if after.claims_unit:
                    if holder is not None and holder != nid:
                        raise DuplicateNomination(after.unit_code, holder)
                    live[key] = nid
                elif holder == nid:
                    live[key] = None
                for seat in ch.seats:
                    for unit_type, limit in seat.counters:
                        k = (campaign, seat.authority, unit_type)
                        used = quota[k] if k in quota else self._quota.get(k, 0)
                        if seat.delta > 0 and limit is not None and used + seat.delta > limit:
                            raise SeatUnavailable(seat, used, limit, unit_type)
                        quota[k] = used + seat.delta
            # Phase 2: write.
            if receipt is not None:
                self._receipts[campaign, receipt.key] = receipt
            log = self._events.setdefault(campaign, [])
            for ch in changes:
                self._nominations[ch.after.id] = ch.after
                log.append(ch.event)
                if self._by_nomination is not None:
                    self._by_nomination.setdefault(ch.after.id, []).append(ch.event)
            self._quota.update(quota)
            for key, live_id in live.items():
                if live_id is None:
                    self._live.pop(key, None)
                else:
                    self._live[key] = live_id
