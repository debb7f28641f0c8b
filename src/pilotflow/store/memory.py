"""A store in the process's memory: for tests, notebooks and the speed benchmark.

It keeps the same contract as the SQL stores (atomic commits, optimistic versions, quota
seats checked under a lock, one live nomination per unit) and passes the same contract tests.
"""

from __future__ import annotations

import sys
import threading
from array import array
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ConflictError, DuplicateNomination, InvalidInput, NominationNotFound
from ..events import Event, build_event
from ..nomination import Nomination
from .base import Change, Receipt, ReceiptExists, SeatUnavailable, Store

__all__ = ["MemoryStore"]


_OWN: Any = object()  # marks a shape whose events each carry their own ``data``


class _Log:
    """One campaign's audit log; with ``compact``, about 60 bytes an event instead of an object.

    What events share (action, states, holders, verdicts, revision, list versions, reason and
    a shared ``data`` mapping such as a stamp's) is stored once as a *shape*; each event keeps
    its nomination id, actor and moment (references to objects that exist anyway), its
    shape's number and its version: 32 bytes, plus its share of the shapes and of a
    ``nominate``'s own data. A ``data`` dict of its own (``nominate``'s, a ranked
    recommendation's) is kept per event as its keys (shared) and values. New events wait as
    objects in ``pending`` and are packed in batches; reading builds :class:`Event` objects
    again, equal to the ones appended. Packing costs about 0.5-0.9 µs an event, so it is
    optional (:class:`MemoryStore` ``compact_log``): without it every event stays pending.
    """

    __slots__ = (
        "actors",
        "ats",
        "batch",
        "data",
        "ids",
        "keys",
        "pending",
        "shape_index",
        "shape_of",
        "shapes",
        "versions",
    )  # fmt: skip

    BATCH = 4096

    def __init__(self, compact: bool) -> None:
        self.batch = self.BATCH if compact else sys.maxsize
        self.pending: list[Event] = []
        self.ids: list[str] = []
        self.actors: list[Any] = []
        self.ats: list[Any] = []
        self.shape_of = array("I")
        self.versions = array("I")
        self.shapes: list[tuple[Any, ...]] = []
        self.shape_index: dict[tuple[Any, ...], int] = {}
        self.data: dict[int, tuple[tuple[str, ...], tuple[Any, ...]]] = {}
        self.keys: dict[tuple[str, ...], tuple[str, ...]] = {}

    def __len__(self) -> int:
        return len(self.ids) + len(self.pending)

    def append(self, e: Event) -> None:
        pending = self.pending
        pending.append(e)
        if len(pending) >= self.batch:
            self.pack()

    def pack(self) -> None:
        """Move the pending events into the columns."""
        shapes, index, data, keys = self.shapes, self.shape_index, self.data, self.keys
        ids, actors, ats, shape_of, versions = self.ids, self.actors, self.ats, self.shape_of, self.versions
        position = len(ids)
        for e in self.pending:
            d = e.data
            shared: Any = d if type(d) is not dict else _OWN
            # The objects behind the id()s stay alive: the shape keeps them.
            key = (e.action, e.from_state, e.to_state, e.from_holder, e.to_holder, e.reason,
                   e.revision, id(e.verdicts), id(e.lists), id(shared))  # fmt: skip
            shape = index.get(key)
            if shape is None:
                shape = index[key] = len(shapes)
                shapes.append((e.action, e.from_state, e.to_state, e.from_holder, e.to_holder,
                               e.verdicts, e.revision, e.lists, e.reason, shared))  # fmt: skip
            if shared is _OWN:
                names = tuple(d)
                data[position] = (keys.setdefault(names, names), tuple(d.values()))
            ids.append(e.nomination_id)
            actors.append(e.actor)
            ats.append(e.at)
            shape_of.append(shape)
            versions.append(e.version)
            position += 1
        self.pending = []

    def event(self, i: int) -> Event:
        packed = len(self.ids)
        if i >= packed:
            return self.pending[i - packed]
        action, from_state, to_state, from_holder, to_holder, verdicts, revision, lists, reason, data = (
            self.shapes[self.shape_of[i]]
        )
        if data is _OWN:
            names, values = self.data[i]
            data = dict(zip(names, values, strict=True))
        return build_event(
            self.ids[i], self.versions[i], action, self.actors[i], self.ats[i], from_state, to_state,
            from_holder, to_holder, verdicts, revision, lists, reason, data,
        )  # fmt: skip

    def nomination_id(self, i: int) -> str:
        packed = len(self.ids)
        return self.ids[i] if i < packed else self.pending[i - packed].nomination_id

    def __iter__(self) -> Iterator[Event]:
        return (self.event(i) for i in range(len(self)))


def _index(index: dict[str, array[int]], nomination_id: str, position: int) -> None:
    mine = index.get(nomination_id)
    if mine is None:
        index[nomination_id] = array("I", (position,))
    else:
        mine.append(position)


class MemoryStore(Store):
    """Nominations, events and quota use held in dicts, guarded by one lock.

    ``compact_log=True`` packs the audit log into columns (about 60 bytes an event instead of
    about 180; see ``benchmarks/README.md``) at a cost of under a microsecond an event: for a
    notebook holding a whole campaign's log in memory.
    """

    def __init__(self, *, compact_log: bool = False) -> None:
        if not isinstance(compact_log, bool):
            raise InvalidInput("compact_log must be True or False", "compact_log 参数必须是布尔值")
        self._compact = compact_log
        self._nominations: dict[str, Nomination] = {}
        self._logs: dict[str, _Log] = {}
        # One nomination's events: an index over the log, built on the first such query and
        # kept up to date from then on (None until then: commits append to the log only).
        # (positions in its campaign's log, by nomination id)
        self._by_nomination: dict[str, array[int]] | None = None
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
        with self._lock:
            log = self._logs.get(campaign)
            if log is None:
                return []
            if nomination_id is None:
                return list(log)
            index = self._by_nomination
            if index is None:
                index = self._by_nomination = {}
                for other in self._logs.values():
                    for i in range(len(other)):
                        _index(index, other.nomination_id(i), i)
            n = len(log)
            return [
                log.event(i)
                for i in index.get(nomination_id, ())
                if i < n and log.nomination_id(i) == nomination_id
            ]

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
            moved: list[tuple[tuple[str, str, str], int]] | None = None
            if ch.seats:
                moved = []
                for seat in ch.seats:  # check every counter first: nothing is written if one is full
                    for unit_type, limit in seat.counters:
                        k = (campaign, seat.authority, unit_type)
                        used = self._quota.get(k, 0)
                        if seat.delta > 0 and limit is not None and used + seat.delta > limit:
                            raise SeatUnavailable(seat, used, limit, unit_type)
                        moved.append((k, used + seat.delta))
            self._nominations[nid] = after
            log = self._logs.get(campaign)
            if log is None:
                log = self._log(campaign)
            if self._by_nomination is not None:
                _index(self._by_nomination, nid, len(log))
            log.append(ch.event)
            if moved is not None:
                for k, value in moved:
                    self._quota[k] = value
            if key is not None:
                if claims:
                    self._live[key] = nid
                elif holder == nid:
                    del self._live[key]

    def _log(self, campaign: str) -> _Log:
        log = self._logs.get(campaign)
        if log is None:
            log = self._logs[campaign] = _Log(self._compact)
        return log

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
            log = self._log(campaign)
            for ch in changes:
                self._nominations[ch.after.id] = ch.after
                if self._by_nomination is not None:
                    _index(self._by_nomination, ch.after.id, len(log))
                log.append(ch.event)
            self._quota.update(quota)
            for key, live_id in live.items():
                if live_id is None:
                    self._live.pop(key, None)
                else:
                    self._live[key] = live_id
