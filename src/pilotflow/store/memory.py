"""A store in the process's memory: for tests, notebooks and the speed benchmark.

It keeps the same contract as the SQL stores (atomic commits, optimistic versions, quota
seats checked under a lock, one live nomination per unit) and passes the same contract tests.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_right
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ..domain.events import Event, EventShape, build_event
from ..domain.records import Actor, Nomination, claim_key
from ..domain.screening import UnitList
from ..domain.submissions import Submission, listing_moves
from ..errors import ConflictError, DuplicateNomination, NominationNotFound, SubmissionNotFound
from .base import (
    CAMPAIGNS_LISTED,
    EVENT_PAGE,
    AnyChange,
    Change,
    Group,
    ListLoad,
    Receipt,
    ReceiptExists,
    SeatUnavailable,
    Store,
    SubmissionChange,
    check_changes,
    check_groups,
    check_limit,
    check_list_load,
    check_reading,
    findable,
    version_clash,
)
from .base import given as _given

__all__ = ["MemoryStore"]


class _Names(tuple[str, ...]):
    """The keys of an event's own ``data`` dict, shared by every such dict with those keys;
    in the log's kinds, it marks an event whose data values sit in the log's value column."""

    __slots__ = ()


class _Log:
    """One campaign's audit log, in columns: about 40 bytes an event and 8 a value of its own
    data, instead of an object.

    Each event keeps references to its nomination id, actor, shape and ``data`` (objects that
    exist anyway and that many events share: an :class:`EventShape` is shared by every event
    of one transition between two authorities, a stamp's data by every stamp of one
    department) and its version in an array. A ``data`` dict of the event's own (``nominate``'s,
    a ranked recommendation's, a letter's) is kept as its keys, shared by every such dict with
    those keys, and its values, appended to one flat column of values. Moments are kept once
    per run of events that share theirs (the events of one action), with where each run
    starts; a reason sits in a side table by position. Reading builds :class:`Event` objects
    again, equal to the ones appended. No object per event is kept, so the garbage collector
    has none to traverse either (see ``benchmarks/README.md``).
    """

    __slots__ = ("_names", "actors", "at_starts", "ats", "checkpoints", "data", "ids", "reasons",
                 "shapes", "values", "versions")  # fmt: skip

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.actors: list[Actor] = []
        self.shapes: list[EventShape] = []
        self.data: list[Any] = []  # a shared mapping, or the keys (_Names) of the event's own dict
        self.versions = array("B")  # widened to "H", then "I", when a version needs it
        self.values: list[Any] = []  # the values of the events' own data dicts, in log order
        # Where the values of event i start: ``checkpoints[i // _EVERY]`` gives it for the
        # first event of i's stretch of _EVERY, the own dicts between give the rest.
        self.checkpoints = array("I")
        self.ats: list[datetime] = []  # each moment once per run of events sharing it...
        self.at_starts = array("I")  # ...and the position of the run's first event
        self.reasons: dict[int, str] = {}
        self._names: dict[tuple[str, ...], _Names] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def append(self, e: Event) -> None:
        ids = self.ids
        position = len(ids)
        if not position % _EVERY:
            self.checkpoints.append(len(self.values))
        data: Any = e.data
        if type(data) is dict:  # a dict of its own (a shared mapping is referred to)
            names = tuple(data)
            self.values.extend(data.values())
            data = self._names.get(names)
            if data is None:
                data = self._names[names] = _Names(names)
        if e.reason is not None:
            self.reasons[position] = e.reason
        ats = self.ats
        if not ats or ats[-1] is not e.at:
            ats.append(e.at)
            self.at_starts.append(position)
        try:
            self.versions.append(e.version)
        except OverflowError:  # a version past the array's type: widen it (once or twice)
            self.versions = array("H" if self.versions.typecode == "B" else "I", self.versions)
            self.versions.append(e.version)
        ids.append(e.nomination_id)
        self.actors.append(e.actor)
        self.shapes.append(e.shape)
        self.data.append(data)

    def _start(self, i: int) -> int:
        """Where the values of event ``i``'s own data start in :attr:`values`."""
        first = i - i % _EVERY
        start = self.checkpoints[i // _EVERY]
        data = self.data
        for j in range(first, i):
            names = data[j]
            if type(names) is _Names:
                start += len(names)
        return start

    def event(self, i: int, run: int | None = None, start: int | None = None) -> Event:
        """Event ``i``; ``run`` (the index of its moment's run) and ``start`` (where its own
        values start) when the caller knows them."""
        data = self.data[i]
        if type(data) is _Names:
            if start is None:
                start = self._start(i)
            data = dict(zip(data, self.values[start : start + len(data)], strict=True))
        if run is None:
            run = bisect_right(self.at_starts, i) - 1
        reason = self.reasons.get(i) if self.reasons else None
        return build_event(
            self.ids[i], self.versions[i], self.actors[i], self.ats[run], self.shapes[i], reason, data
        )

    def __iter__(self) -> Iterator[Event]:
        at_starts, data = self.at_starts, self.data
        run, runs, start = -1, len(at_starts), 0
        for i in range(len(self)):
            if run + 1 < runs and at_starts[run + 1] == i:
                run += 1
            yield self.event(i, run, start)
            names = data[i]
            if type(names) is _Names:
                start += len(names)


#: Events per stretch of the log whose values' start is kept (see ``_Log.checkpoints``).
_EVERY = 32


def _index(index: dict[str, array[int]], nomination_id: str, position: int) -> None:
    mine = index.get(nomination_id)
    if mine is None:
        index[nomination_id] = array("I", (position,))
    else:
        mine.append(position)


class _Reads:
    """The memory store's reads that scale (see :class:`~pilotflow.store.base.Store`): the
    log a page at a time under the lock, nominations by id, by track and by (route, hop)."""

    _nominations: dict[str, Nomination]
    _logs: dict[str, _Log]
    _by_nomination: dict[str, array[int]] | None
    _lock: threading.Lock

    def _positions(self, log: _Log, ids: Iterable[str]) -> list[int]:
        """The positions in ``log`` of the events of ``ids``, in log order (under the lock)."""
        index = self._by_nomination
        if index is None:
            index = self._by_nomination = {}
            for other in self._logs.values():
                for i, nid in enumerate(other.ids):
                    _index(index, nid, i)
        n = len(log)
        found = [i for nid in set(ids) for i in index.get(nid, ()) if i < n and log.ids[i] == nid]
        found.sort()
        return found

    def iter_events(
        self,
        campaign: str,
        *,
        nomination_id: str | None = None,
        ids: Collection[str] | None = None,
        action: str | None = None,
        until: datetime | None = None,
    ) -> Iterator[Event]:
        reading = check_reading(campaign, nomination_id, ids, action, until)
        if not reading.findable:
            return iter(())
        with self._lock:
            log = self._logs.get(campaign)
            positions: list[int] | None = None
            if log is not None and (nomination_id is not None or ids is not None):
                chosen: set[str] = set(reading.ids) if reading.ids is not None else set()
                if nomination_id is not None:
                    chosen = {nomination_id} if ids is None else chosen & {nomination_id}
                positions = self._positions(log, chosen)
        if log is None:
            return iter(())
        return self._paged(log, positions, action, until)

    def _paged(
        self, log: _Log, positions: list[int] | None, action: str | None, until: datetime | None
    ) -> Iterator[Event]:
        """The events at ``positions`` (None: the whole log, to its end as it grows), built a
        page at a time under the lock."""
        start = 0
        while True:
            with self._lock:
                end = len(log) if positions is None else len(positions)
                stop = min(end, start + EVENT_PAGE)
                page = [log.event(i if positions is None else positions[i]) for i in range(start, stop)]
            for e in page:
                if (action is None or e.action == action) and (until is None or not e.at > until):
                    yield e
            if stop >= end:
                return
            start = stop

    def count_events(self, campaign: str, nomination_id: str | None = None) -> int:
        findable(campaign, *_given(nomination_id), what="campaign and nomination_id")
        with self._lock:
            log = self._logs.get(campaign)
            if log is None:
                return 0
            return len(log) if nomination_id is None else len(self._positions(log, (nomination_id,)))

    def _of(self, campaign: str, state: str | None = None, track: str | None = None) -> list[Nomination]:
        """The nominations of ``campaign`` (in ``state``, in ``track``), oldest first."""
        found = [
            n
            for n in self._nominations.values()
            if n.campaign == campaign
            and (state is None or n.state == state)
            and (track is None or n.track == track)
        ]
        found.sort(key=lambda n: (n.created_at, n.id))
        return found

    def track_nominations(self, campaign: str, track: str) -> list[Nomination]:
        findable(campaign, track, what="campaign and track")
        return self._of(campaign, track=track)

    def route_groups(self, campaign: str, state: str) -> list[Group]:
        findable(campaign, state, what="campaign and state")
        return sorted({(n.route, n.hop) for n in self._nominations.values()
                       if n.campaign == campaign and n.state == state})  # fmt: skip

    def nominations_at(self, campaign: str, state: str, groups: Iterable[Group]) -> list[Nomination]:
        findable(campaign, state, what="campaign and state")
        wanted = set(check_groups(groups))
        return [n for n in self._of(campaign, state) if (n.route, n.hop) in wanted] if wanted else []


class MemoryStore(_Reads, Store):
    """Nominations, events and quota use held in dicts, guarded by one lock; the audit log
    in columns (about 40 bytes an event: see ``_Log``)."""

    def __init__(self) -> None:
        self._nominations: dict[str, Nomination] = {}
        self._submissions: dict[str, Submission] = {}
        # The same letters by (campaign, sender) and by (campaign, receiver): a listing by sender
        # or receiver (every draft prepared, every per-unit stamp) reads only those, not all.
        self._by_sender: dict[tuple[str, str], dict[str, Submission]] = {}
        self._by_receiver: dict[tuple[str, str], dict[str, Submission]] = {}
        self._listed: dict[tuple[str, str], str] = {}  # (campaign, unit) -> the draft listing it
        self._logs: dict[str, _Log] = {}
        # One nomination's events: an index over the log, built on the first such query and
        # kept up to date from then on (None until then: commits append to the log only).
        # (positions in its campaign's log, by nomination id)
        self._by_nomination: dict[str, array[int]] | None = None
        self._live: dict[tuple[str, str], str] = {}
        # The nominations claiming each unit, by (campaign, track, unit code): built on the first
        # count_claims (a campaign with a cap per applicant) and kept up to date from then on.
        self._unit_claims: dict[tuple[str, str, str], set[str]] | None = None
        self._quota: dict[tuple[str, str, str], int] = {}
        self._receipts: dict[tuple[str, str], Receipt] = {}
        # Lists loaded: every load in order, and each version's list, by campaign.
        self._list_loads: dict[str, list[ListLoad]] = {}
        self._list_versions: dict[tuple[str, str, str], UnitList] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self._nominations)} nominations>"

    def get(self, nomination_id: str) -> Nomination:
        try:
            return self._nominations[nomination_id]
        except (KeyError, TypeError):
            findable(nomination_id, what="nomination_id")  # not text: says so
            raise NominationNotFound(nomination_id) from None

    def find_claim(
        self, campaign: str, unit_code: str, track: str = "new", project: str = ""
    ) -> Nomination | None:
        findable(campaign, unit_code, track, project, what="campaign, unit_code, track and project")
        nid = self._live.get((campaign, claim_key(unit_code, track, project)))
        return None if nid is None else self._nominations[nid]

    def count_claims(self, campaign: str, unit_code: str, track: str = "new") -> int:
        findable(campaign, unit_code, track, what="campaign, unit_code and track")
        with self._lock:
            index = self._unit_claims
            if index is None:
                index = self._unit_claims = {}
                for nid in self._live.values():
                    self._index_claim(nid, True)
            return len(index.get((campaign, track, unit_code), ()))

    def _index_claim(self, nid: str, claims: bool) -> None:
        """Keep the index of claims by unit (when there is one) up to date for ``nid``."""
        index = self._unit_claims
        if index is not None:
            n = self._nominations[nid]
            held = index.setdefault((n.campaign, n.track, n.unit_code), set())
            if claims:
                held.add(nid)
            else:
                held.discard(nid)

    def _claim(self, key: tuple[str, str], nid: str) -> None:
        """``nid`` (already stored) claims its unit under ``key``."""
        if self._live.get(key, nid) != nid:
            self._unclaim(key)
        self._live[key] = nid
        self._index_claim(nid, True)

    def _unclaim(self, key: tuple[str, str]) -> None:
        nid = self._live.pop(key, None)
        if nid is not None:
            self._index_claim(nid, False)

    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        findable(campaign, *_given(holder, state, unit_type), what="campaign and the filters")
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
        findable(campaign, *_given(nomination_id), what="campaign and nomination_id")
        with self._lock:
            log = self._logs.get(campaign)
            if log is None:
                return []
            if nomination_id is None:
                return list(log)
            return [log.event(i) for i in self._positions(log, (nomination_id,))]

    def get_submission(self, submission_id: str) -> Submission:
        try:
            return self._submissions[submission_id]
        except (KeyError, TypeError):
            findable(submission_id, what="submission_id")  # not text: says so
            raise SubmissionNotFound(submission_id) from None

    def submissions(
        self,
        campaign: str,
        *,
        sender: str | None = None,
        receiver: str | None = None,
        state: str | None = None,
    ) -> list[Submission]:
        findable(campaign, *_given(sender, receiver, state), what="campaign and the filters")
        if sender is not None:
            pool: Iterable[Submission] = self._by_sender.get((campaign, sender), {}).values()
        elif receiver is not None:
            pool = self._by_receiver.get((campaign, receiver), {}).values()
        else:
            pool = self._submissions.values()
        found = [
            s
            for s in pool
            if s.campaign == campaign
            and (sender is None or s.sender == sender)
            and (receiver is None or s.receiver == receiver)
            and (state is None or s.state == state)
        ]
        found.sort(key=lambda s: (s.created_at, s.id))
        return found

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        if type(campaign) is not str or type(authority) is not str or type(unit_type) is not str:
            findable(campaign, authority, unit_type, what="campaign, authority and unit_type")
        return self._quota.get((campaign, authority, unit_type), 0)

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        findable(campaign, what="campaign")
        return {(a, t): n for (c, a, t), n in self._quota.items() if c == campaign and n}

    def campaign_ids(self, limit: int = CAMPAIGNS_LISTED) -> tuple[str, ...] | None:
        check_limit(limit)
        with self._lock:
            held = {n.campaign for n in self._nominations.values()} | set(self._list_loads)
        return tuple(sorted(held)[:limit])

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        findable(campaign, key, what="campaign and key")
        return self._receipts.get((campaign, key))

    # -- lists -------------------------------------------------------------------------

    def save_list(self, campaign: str, unit_list: UnitList, load: ListLoad) -> bool:
        check_list_load(campaign, unit_list, load)
        with self._lock:
            key = (campaign, unit_list.id, unit_list.version)
            kept = self._list_versions.get(key)
            if kept is not None and kept.entries != unit_list.entries:
                raise version_clash(campaign, unit_list.id, unit_list.version)
            loads = self._list_loads.setdefault(campaign, [])
            current = next((x for x in reversed(loads) if x.list_id == unit_list.id), None)
            if current is not None and current.version == unit_list.version:
                return False
            self._list_versions[key] = unit_list
            loads.append(load)
            return True

    def list_loads(self, campaign: str, list_id: str | None = None) -> list[ListLoad]:
        findable(campaign, *_given(list_id), what="campaign and list_id")
        with self._lock:
            loads = self._list_loads.get(campaign, ())
            return [x for x in loads if list_id is None or x.list_id == list_id]

    def stored_list(self, campaign: str, list_id: str, version: str | None = None) -> UnitList | None:
        findable(campaign, list_id, *_given(version), what="campaign, list_id and version")
        if version is None:
            loads = self.list_loads(campaign, list_id)
            if not loads:
                return None
            version = loads[-1].version
        return self._list_versions.get((campaign, list_id, version))

    def commit(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
        if type(changes) is not tuple and type(changes) is not list:
            check_changes(changes)
        if len(changes) == 1 and receipt is None and type(changes[0]) is Change:
            self._commit_one(campaign, changes[0])
        else:
            self._commit_many(campaign, changes, receipt)

    def _commit_one(self, campaign: str, ch: Change) -> None:
        """Speed: one action's commit in one pass, without the batch's overlay dicts.

        :meth:`_commit_many` is the reference and keeps the same rules for any number of
        changes; the store contract also runs with every commit sent there, and a property
        test plays one script both ways (``tests/test_store_contract.py``,
        ``tests/test_properties.py``). What an action costs on this store:
        ``benchmarks/README.md``, ``bench_core.py``."""
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
                    self._live[key] = nid  # (no other holder: checked above)
                    if self._unit_claims is not None:
                        self._index_claim(nid, True)
                elif holder == nid:
                    self._unclaim(key)

    def _check_submission(
        self,
        campaign: str,
        ch: SubmissionChange,
        versions: dict[str, int],
        listed: dict[tuple[str, str], str | None],
    ) -> None:
        """A submission's change is computed from the version stored (optimistic locking),
        and lists no unit another draft lists."""
        sid = ch.after.id
        claims, releases = listing_moves(ch.before, ch.after)
        for unit in releases:
            listed[campaign, unit] = None
        for unit in claims:
            key = (campaign, unit)
            holder = listed[key] if key in listed else self._listed.get(key)
            if holder is not None and holder != sid:
                raise ConflictError(unit, 0, None)
            listed[key] = sid
        if sid in versions:
            current: int | None = versions[sid]
        else:
            stored = self._submissions.get(sid)
            current = None if stored is None else stored.version
        expected = None if ch.before is None else ch.before.version
        if current != expected or ch.after.version != (expected or 0) + 1:
            raise ConflictError(sid, expected or 0, current)
        versions[sid] = ch.after.version

    def _log(self, campaign: str) -> _Log:
        log = self._logs.get(campaign)
        if log is None:
            log = self._logs[campaign] = _Log()
        return log

    def _commit_many(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None) -> None:
        """Check every change against the store and the changes before it, then write them
        all (and ``receipt``), under the lock; nothing is written if one check fails."""
        with self._lock:
            if receipt is not None and (campaign, receipt.key) in self._receipts:
                raise ReceiptExists(receipt.key)
            versions: dict[str, int] = {}
            listed: dict[tuple[str, str], str | None] = {}  # drafts' listings this batch moves
            quota: dict[tuple[str, str, str], int] = {}
            live: dict[tuple[str, str], str | None] = {}
            # Phase 1: check everything; nothing is written if anything fails.
            for ch in changes:
                if type(ch) is SubmissionChange:
                    self._check_submission(campaign, ch, versions, listed)
                    continue
                assert type(ch) is Change
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
                if type(ch) is SubmissionChange:
                    letter = ch.after
                    self._submissions[letter.id] = letter
                    self._by_sender.setdefault((letter.campaign, letter.sender), {})[letter.id] = letter
                    self._by_receiver.setdefault((letter.campaign, letter.receiver), {})[letter.id] = letter
                else:
                    self._nominations[ch.after.id] = ch.after  # type: ignore[assignment]
                if self._by_nomination is not None:
                    _index(self._by_nomination, ch.after.id, len(log))
                log.append(ch.event)
            self._quota.update(quota)
            for unit, sid in listed.items():
                if sid is None:
                    self._listed.pop(unit, None)
                else:
                    self._listed[unit] = sid
            for key, live_id in live.items():
                if live_id is None:
                    self._unclaim(key)
                else:
                    self._claim(key, live_id)
