"""The SQL store's reads that scale: the log streamed a page at a time, nominations by id in
batches, the groups the deadline sweep judges at once. :class:`SQLStore` takes them from
:class:`ScalingReads` (a mixin: it supplies the tables and connections named below).

* **The log, streamed** (:meth:`ScalingReads.iter_events`): SQLite reads it in pages by keyset
  (``seq > last ORDER BY seq LIMIT page``), each page a short read of its own, so a huge log is
  never held and a writer is never kept waiting (SQLite's writers are serialised, so a commit
  is seen whole or not at all, and never behind a page already read). PostgreSQL reads it with
  one server-side cursor (``stream_results``): one statement, one snapshot, a page of rows
  fetched at a time (keyset pages there could skip a commit whose ``seq`` was drawn earlier
  but committed later). A moment filter is applied in the database on ``at_utc`` and checked
  exactly on the decoded event. Each row is decoded by :func:`decode_row`, the one place.
* **Nominations** by track, and by the
  (route, hop) of their deadline (:meth:`~ScalingReads.route_groups`,
  :meth:`~ScalingReads.nominations_at`): ``GROUP BY hop, route`` over ``(campaign, state)``,
  answered from an index on ``(campaign, state, hop, route)`` where the schema has one (a
  scan of the table's rows without decoding them where it has not).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ...domain.events import Event
from ...domain.names import WITHDRAWN
from ...domain.records import Nomination
from ..base import EVENT_PAGE, MALFORMED, Group, check_groups, check_ids, check_reading, findable, malformed
from ..base import given as _given
from ..codec import codes_of, decode_event_row, moment_values
from ._fast import CompiledSql, RowDecoder, Statements
from .schema import event_count, event_select

__all__ = ["ScalingReads", "decode_row"]

#: Ids per ``IN (...)`` list (well under every driver's limit on parameters).
ID_CHUNK = 500
#: :meth:`ScalingReads.nominations_at` filters on at most this many hops in SQL (a route has
#: a few levels: more hops than this are no hops of a route, and would strain a statement's
#: parameters)
_FEW_HOPS = 64
#: Events of more ids than this are read from the campaign's log, a page at a time, and
#: those of the ids kept: memory bound by a page, where the merge of one query per
#: ``ID_CHUNK`` ids holds every chosen event at once (about 7 KB an id: 70 MB here, 680 MB
#: for 100,000 ids). The pass over the log costs what ``events()`` does (benchmarks/README.md).
SCAN_IDS = 20 * ID_CHUNK


def decode_row(row: Sequence[Any]) -> Event:
    """An event from its row (``event_select``'s nine columns): the one place the SQL store
    decodes the log."""
    return decode_event_row(row)


def _by_ids(table: sa.Table, k: int) -> sa.Select[Any]:
    """The rows of ``table`` whose id is one of ``k`` parameters ``p_in0``..."""
    return sa.select(table).where(table.c.id.in_([sa.bindparam(f"p_in{i}") for i in range(k)]))


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


class ScalingReads:
    """The reads that scale, for :class:`~pilotflow.store.sql.core.SQLStore` (which defines
    the attributes and connection helpers declared here)."""

    engine: Engine
    _conn: Connection | None
    _n: sa.Table
    _e: sa.Table
    _pg: bool
    _rows: RowDecoder
    _sql: Statements
    metadata: sa.MetaData
    _prefix: str

    def _read_conn(self) -> AbstractContextManager[Connection]:  # pragma: no cover - SQLStore's
        raise NotImplementedError

    def _fetch(self, sql: CompiledSql, values: Mapping[str, Any]) -> list[Any]:  # pragma: no cover
        raise NotImplementedError

    def _wrap(self) -> AbstractContextManager[None]:  # pragma: no cover - SQLStore's
        raise NotImplementedError

    # -- the log -------------------------------------------------------------------------

    def _log_sql(self, *, ids: int = 0, until: bool = False, page: bool = False) -> CompiledSql:
        """The log's statement of this shape (:func:`~.schema.event_select`), compiled once."""

        def build() -> sa.ClauseElement:
            q = event_select(self.metadata, self._prefix, self._pg, ids=ids, until=until, after=page)
            return q.suffix_with(f"LIMIT {int(EVENT_PAGE)}") if page else q

        return self._compiled(("log", ids, until, page), build)

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
        # (the instant is exact: the moment filter in the database lets in what the decoded
        # moment's check lets in)
        bound = None if until is None else moment_values(until)[0]
        rows: Iterable[tuple[int, Sequence[Any]]]
        if ids is None and nomination_id is None:
            return self._events(self._log(campaign, bound), action, until)
        chosen: set[str] = set()
        if reading.ids is not None:
            chosen = set(reading.ids)
        if nomination_id is not None:
            chosen = {nomination_id} if ids is None else chosen & {nomination_id}
        if len(chosen) > SCAN_IDS:  # (row[1]: the event's nomination id)
            return self._events((r for r in self._log(campaign, bound) if r[1][1] in chosen), action, until)
        parts = [self._by_id(campaign, part, bound) for part in _chunks(sorted(chosen))]
        if not parts:
            return iter(())
        rows = parts[0] if len(parts) == 1 else heapq.merge(*parts, key=lambda r: r[0])
        return self._events(rows, action, until)

    def _log(self, campaign: str, bound: datetime | None) -> Iterator[tuple[int, Sequence[Any]]]:
        """(seq, row) of the events of ``campaign`` (dated at or before ``bound``) in log
        order, a page at a time."""
        return self._streamed(campaign, bound) if self._pg else self._pages(campaign, bound)

    def _by_id(
        self, campaign: str, ids: list[str], bound: datetime | None
    ) -> Iterator[tuple[int, Sequence[Any]]]:
        """(seq, row) of the events of ``ids`` (a chunk), in log order: found by the index on
        the nomination id (the campaign is checked on the rows, so that no database takes the
        campaign's index and walks its whole log), sorted here (a chunk's events are few)."""
        sql = self._log_sql(ids=len(ids), until=bound is not None)
        values: dict[str, Any] = {f"p_in{i}": v for i, v in enumerate(ids)}
        values.update(p_campaign=campaign, p_until=bound)
        rows = [(r[0], r[:9]) for r in self._fetch(sql, values) if r[9]]
        rows.sort(key=lambda x: x[0])
        yield from rows

    def _compiled(self, key: tuple[Any, ...], build: Callable[[], sa.ClauseElement]) -> CompiledSql:
        """The statement of ``key``, compiled once per engine, prefix and schema (``build``
        makes it): kept with the binding's other statements, so that a store bound to a
        host's connection for one request compiles nothing."""
        cache = self._sql.reads
        sql = cache.get(key)
        if sql is None:
            sql = cache[key] = self._sql.compile(build())
        return sql

    @staticmethod
    def _events(
        rows: Iterable[tuple[int, Sequence[Any]]], action: str | None, until: datetime | None
    ) -> Iterator[Event]:
        for _, row in rows:
            event = decode_row(row)
            if (action is None or event.action == action) and (until is None or not event.at > until):
                yield event

    def _pages(self, campaign: str, bound: datetime | None) -> Iterator[tuple[int, Sequence[Any]]]:
        """SQLite: (seq, row) of the events of ``campaign`` (dated at or before ``bound``), in
        log order, a page at a time: one statement per shape compiled once, each page a short
        read of its own on the store's connection."""
        sql = self._log_sql(until=bound is not None, page=True)
        values: dict[str, Any] = {"p_campaign": campaign, "p_until": bound, "p_after": -(2**62)}
        while True:
            rows = self._fetch(sql, values)
            for row in rows:
                yield row[0], row
            if len(rows) < EVENT_PAGE:
                return
            values["p_after"] = rows[-1][0]

    def _streamed(self, campaign: str, bound: datetime | None) -> Iterator[tuple[int, Sequence[Any]]]:
        """PostgreSQL: one statement on a server-side cursor, fetched a page at a time (on
        the host's connection, in its transaction; else on a connection of our own)."""
        query = event_select(self.metadata, self._prefix, True, until=bound is not None)
        params = {"p_campaign": campaign, "p_until": bound}
        options = {"stream_results": True, "yield_per": EVENT_PAGE}
        if self._conn is not None:
            with self._wrap():
                for row in self._conn.execute(query, params, execution_options=options):
                    yield row[0], row
            return
        with self._wrap(), self.engine.connect() as conn:
            for row in conn.execute(query, params, execution_options=options):
                yield row[0], row

    def count_events(self, campaign: str, nomination_id: str | None = None) -> int:
        if not findable(campaign, *_given(nomination_id), what="campaign and nomination_id"):
            return 0
        if nomination_id is not None:  # by the id index (see _by_id): a nomination's are few
            return sum(1 for _ in self.iter_events(campaign, nomination_id=nomination_id))
        sql = self._compiled(("count",), lambda: event_count(self.metadata, self._prefix, self._pg))
        rows = self._fetch(sql, {"p_campaign": campaign})
        return int(rows[0][0] or 0) if rows else 0

    # -- nominations -----------------------------------------------------------------------

    def _listing(self, query: sa.Select[Any]) -> list[Nomination]:
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(query).all()
        decode = self._rows.nomination
        return [decode(r) for r in rows]

    def track_nominations(self, campaign: str, track: str) -> list[Nomination]:
        if not findable(campaign, track, what="campaign and track"):
            return []
        n = self._n
        # Those that claim their unit (all but the withdrawn) through the partial index of
        # claims, (campaign, track, ...) WHERE claims_unit; the withdrawn ones by state.
        rows = self._sql.select_nominations
        claiming = rows.where(n.c.campaign == campaign, n.c.track == track, n.c.claims_unit == sa.true())
        withdrawn = rows.where(n.c.campaign == campaign, n.c.state == WITHDRAWN, n.c.track == track)
        found = self._listing(claiming) + self._listing(withdrawn)
        found.sort(key=lambda x: (x.created_at, x.id))
        return found

    def claimed(
        self, campaign: str, unit_codes: Collection[str], track: str = "new", project: str = ""
    ) -> set[str]:
        # (the claims' unique index: the units' claiming rows, ID_CHUNK codes a query)
        codes = [c for c in check_ids(unit_codes, "unit_codes") if findable(c, what="unit_codes")]
        if not findable(campaign, track, project, what="campaign, track and project") or not codes:
            return set()
        n = self._n
        found: set[str] = set()
        with self._wrap(), self._read_conn() as conn:
            for i in range(0, len(codes), ID_CHUNK):
                q = sa.select(n.c.unit_code).where(
                    n.c.campaign == campaign, n.c.unit_code.in_(codes[i : i + ID_CHUNK]), n.c.track == track,
                    n.c.project == project, n.c.claims_unit == sa.true(),
                )  # fmt: skip
                found.update(code for (code,) in conn.execute(q))
        return found

    def route_groups(self, campaign: str, state: str) -> list[Group]:
        if not findable(campaign, state, what="campaign and state"):
            return []
        n = self._n
        q = (
            sa.select(n.c.hop, n.c.route)
            .where(n.c.campaign == campaign, n.c.state == state)
            .group_by(n.c.hop, n.c.route)  # (the index's order: one pass over it)
        )
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(q).all()
        try:
            return sorted({(codes_of(route), int(hop)) for hop, route in rows})
        except MALFORMED as exc:  # (rows pilotflow did not write: edited, or damaged)
            raise malformed(
                f"the routes of campaign {campaign}'s nominations", "申报记录的报送路线", exc
            ) from exc

    def nominations_at(self, campaign: str, state: str, groups: Iterable[Group]) -> list[Nomination]:
        held = findable(campaign, state, what="campaign and state")
        wanted = set(check_groups(groups))
        if not wanted or not held:
            return []
        n = self._n
        hops = sorted({hop for _, hop in wanted})
        q = self._sql.select_nominations.where(n.c.campaign == campaign, n.c.state == state)
        if len(hops) <= _FEW_HOPS:  # (else every hop is read; the groups are kept below)
            q = q.where(n.c.hop.in_(hops))
        found = self._listing(q.order_by(n.c.created_at, n.c.id))
        return [x for x in found if (x.route, x.hop) in wanted]
