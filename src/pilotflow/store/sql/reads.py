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
* **Nominations** by id in batches (:meth:`~ScalingReads.get_many`), by track, and by the
  (route, hop) of their deadline (:meth:`~ScalingReads.route_groups`,
  :meth:`~ScalingReads.nominations_at`): ``GROUP BY hop, route`` over ``(campaign, state)``,
  answered from an index on ``(campaign, state, hop, route)`` where the schema has one (a
  scan of the table's rows without decoding them where it has not).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, suppress
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ...domain.events import Event
from ...domain.names import WITHDRAWN
from ...domain.records import Nomination
from ..base import EVENT_PAGE, Group, check_groups, check_ids, check_reading, findable
from ..base import given as _given
from ..codec import loads, moment_values, row_event
from ._fast import CompiledSql, RowDecoder, Statements

__all__ = ["ScalingReads", "decode_row"]

#: Ids per ``IN (...)`` list (well under every driver's limit on parameters).
ID_CHUNK = 500
#: The values of an event's data that many events repeat (every unit filed with the same
#: materials, the units of one district on one route): a stream hands on one object for
#: equal ones (immutable tuples), so that what a reader keeps of them (``replay``'s
#: nominations) is shared as it is in the store that wrote them.
_SHARED_KEYS = frozenset(("materials", "route", "campaign", "scenario", "unit_type", "track", "project"))
#: At most this many distinct shared values are remembered.
SHARED_MAX = 20_000


def decode_row(row: Any) -> Event:
    """An event from its row (a mapping by column name): the one place the SQL store decodes
    the log."""
    return row_event(row)


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

    def _read_conn(self) -> AbstractContextManager[Connection]:  # pragma: no cover - SQLStore's
        raise NotImplementedError

    def _fetch(self, sql: CompiledSql, values: Mapping[str, Any]) -> list[Any]:  # pragma: no cover
        raise NotImplementedError

    def _wrap(self) -> AbstractContextManager[None]:  # pragma: no cover - SQLStore's
        raise NotImplementedError

    # -- the log -------------------------------------------------------------------------

    def iter_events(
        self,
        campaign: str,
        *,
        nomination_id: str | None = None,
        ids: Collection[str] | None = None,
        action: str | None = None,
        until: datetime | None = None,
    ) -> Iterator[Event]:
        check_reading(campaign, nomination_id, ids, action, until)
        if not findable(campaign, *_given(nomination_id, action), what="campaign, nomination_id and action"):
            return iter(())
        bound = None if until is None else moment_values(until)[1] + 1
        # (at_utc is whole microseconds, within one of the moment's: the bound lets in one more
        # and the decoded moment is checked exactly)
        if ids is None and nomination_id is None:
            if self._pg:
                e = self._e
                where: list[Any] = [e.c.campaign == campaign]
                if action is not None:
                    where.append(e.c.action == action)
                if bound is not None:
                    where.append(e.c.at_utc <= bound)
                return self._events(self._streamed(sa.select(e).where(*where).order_by(e.c.seq)), until)
            filters = {"action": action, "until": bound}
            return self._events(
                self._pages(campaign, {k: v for k, v in filters.items() if v is not None}), until
            )
        chosen: set[str] = set()
        if ids is not None:
            chosen = {i for i in check_ids(ids) if findable(i, what="an id")}
        if nomination_id is not None:
            chosen = {nomination_id} if ids is None else chosen & {nomination_id}
        parts = [self._by_id(campaign, part, action, bound) for part in _chunks(sorted(chosen))]
        rows = parts[0] if len(parts) == 1 else heapq.merge(*parts, key=lambda r: r[0])
        return self._events(rows, until) if parts else iter(())

    def _by_id(
        self, campaign: str, ids: list[str], action: str | None, bound: int | None
    ) -> Iterator[tuple[int, Any]]:
        """(seq, row) of the events of ``ids`` (a chunk), in log order: found by the index on
        the nomination id (the campaign is checked on the rows, so that no database takes the
        campaign's index and walks its whole log), sorted here (a chunk's events are few)."""
        e, b = self._e, sa.bindparam

        def build() -> sa.Select[Any]:
            where: list[Any] = [e.c.nomination_id.in_([b(f"p_in{i}") for i in range(len(ids))])]
            if action is not None:
                where.append(e.c.action == b("p_action"))
            if bound is not None:
                where.append(e.c.at_utc <= b("p_until"))
            return sa.select(e).where(*where)

        sql = self._compiled(("events by id", len(ids), action is not None, bound is not None), build)
        values: dict[str, Any] = {f"p_in{i}": v for i, v in enumerate(ids)}
        values.update(p_action=action, p_until=bound)
        names = [c.name for c in e.c]
        rows = [dict(zip(names, r, strict=True)) for r in self._fetch(sql, values)]
        yield from sorted(((r["seq"], r) for r in rows if r["campaign"] == campaign), key=lambda x: x[0])

    def _compiled(self, key: tuple[Any, ...], build: Callable[[], sa.ClauseElement]) -> CompiledSql:
        """The statement of ``key``, compiled once (``build`` makes it)."""
        cache: dict[tuple[Any, ...], CompiledSql] = self.__dict__.setdefault("_read_statements", {})
        sql = cache.get(key)
        if sql is None:
            sql = cache[key] = self._sql.compile(build())
        return sql

    @staticmethod
    def _events(rows: Iterable[tuple[int, Any]], until: datetime | None) -> Iterator[Event]:
        shared: dict[Any, Any] = {}  # equal materials and routes, one object each
        for _, row in rows:
            event = decode_row(row)
            if until is None or not event.at > until:
                data = event.data
                if type(data) is dict:
                    for key in _SHARED_KEYS.intersection(data):
                        value = data[key]
                        with suppress(TypeError):  # (an unhashable value stays as it is)
                            data[key] = shared.setdefault(value, value)
                    if len(shared) > SHARED_MAX:
                        shared.clear()
                yield event

    def _pages(self, campaign: str, filters: dict[str, Any]) -> Iterator[tuple[int, Any]]:
        """SQLite: (seq, row) of the events of ``campaign`` matching ``filters``
        (``nomination_id``, ``action``, ``until``: at_utc at most), in log order, a page at a
        time: one statement per shape compiled once, run on the store's own connection."""
        e = self._e
        page = EVENT_PAGE
        key = (*sorted(filters), str(page))
        cache: dict[tuple[str, ...], CompiledSql] = self.__dict__.setdefault("_page_statements", {})
        sql = cache.get(key)
        if sql is None:
            b = sa.bindparam
            where = [e.c.campaign == b("p_campaign"), e.c.seq > b("p_after")]
            for name in key[:-1]:
                where.append(e.c.at_utc <= b("p_until") if name == "until" else e.c[name] == b("p_" + name))
            query = sa.select(e).where(*where).order_by(e.c.seq).suffix_with(f"LIMIT {int(page)}")
            sql = cache[key] = self._sql.compile(query)
        names = [c.name for c in e.c]
        values = {"p_" + k: v for k, v in filters.items()}
        values.update(p_campaign=campaign, p_after=-(2**62))
        while True:
            rows = self._fetch(sql, values)
            for row in rows:
                yield row[0], dict(zip(names, row, strict=True))
            if len(rows) < page:
                return
            values["p_after"] = rows[-1][0]

    def _streamed(self, query: sa.Select[Any]) -> Iterator[tuple[int, Any]]:
        """PostgreSQL: one statement on a server-side cursor, fetched a page at a time (on
        the host's connection, in its transaction; else on a connection of our own)."""
        options = {"stream_results": True, "yield_per": EVENT_PAGE}
        if self._conn is not None:
            with self._wrap():
                result = self._conn.execute(query, execution_options=options).mappings()
                for row in result:
                    yield row["seq"], row
            return
        with self._wrap(), self.engine.connect() as conn:
            for row in conn.execute(query, execution_options=options).mappings():
                yield row["seq"], row

    def count_events(self, campaign: str, nomination_id: str | None = None) -> int:
        if not findable(campaign, *_given(nomination_id), what="campaign and nomination_id"):
            return 0
        e = self._e
        if nomination_id is not None:  # by the id index (see _by_id), the campaign checked here
            q = sa.select(e.c.campaign).where(e.c.nomination_id == nomination_id)
            with self._wrap(), self._read_conn() as conn:
                return sum(1 for (c,) in conn.execute(q) if c == campaign)
        q = sa.select(sa.func.count()).select_from(e).where(e.c.campaign == campaign)
        with self._wrap(), self._read_conn() as conn:
            return int(conn.execute(q).scalar() or 0)

    # -- nominations -----------------------------------------------------------------------

    def _listing(self, query: sa.Select[Any]) -> list[Nomination]:
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(query).all()
        decode = self._rows.nomination
        return [decode(r) for r in rows]

    def get_many(self, ids: Iterable[str]) -> list[Nomination]:
        wanted = check_ids(ids)
        n = self._n
        found: dict[str, Nomination] = {}
        decode = self._rows.nomination
        for part in _chunks(sorted({i for i in wanted if findable(i, what="a nomination id")})):
            sql = self._compiled(("nominations by id", len(part)), partial(_by_ids, n, len(part)))
            for row in self._fetch(sql, {f"p_in{i}": v for i, v in enumerate(part)}):
                x = decode(row)
                found[x.id] = x
        return [found[i] for i in wanted if i in found]

    def track_nominations(self, campaign: str, track: str) -> list[Nomination]:
        if not findable(campaign, track, what="campaign and track"):
            return []
        n = self._n
        # Those that claim their unit (all but the withdrawn) through the partial index of
        # claims, (campaign, track, ...) WHERE claims_unit; the withdrawn ones by state.
        claiming = sa.select(n).where(
            n.c.campaign == campaign, n.c.track == track, n.c.claims_unit == sa.true()
        )
        withdrawn = sa.select(n).where(n.c.campaign == campaign, n.c.state == WITHDRAWN, n.c.track == track)
        found = self._listing(claiming) + self._listing(withdrawn)
        found.sort(key=lambda x: (x.created_at, x.id))
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
        return sorted({(tuple(loads(route)), int(hop)) for hop, route in rows})

    def nominations_at(self, campaign: str, state: str, groups: Iterable[Group]) -> list[Nomination]:
        wanted = set(check_groups(groups))
        if not wanted or not findable(campaign, state, what="campaign and state"):
            return []
        n = self._n
        hops = sorted({hop for _, hop in wanted})
        q = sa.select(n).where(n.c.campaign == campaign, n.c.state == state, n.c.hop.in_(hops))
        found = self._listing(q.order_by(n.c.created_at, n.c.id))
        return [x for x in found if (x.route, x.hop) in wanted]
