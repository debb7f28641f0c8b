"""The SQL store's measured speed tricks, each behind one name, with what it buys in one line.

The measurements are in ``benchmarks/README.md`` ("SQL stores"): with the rest of that work,
these took a single stamp from 0.07 to 0.61 of a raw-driver floor on SQLite and from about
0.3 to 0.99 on PostgreSQL, a bulk selection of 100 from 0.10 to 0.53 and from about 0.4 to 2.4.
None of them changes what is written or read.

* :class:`Statements` — hot statements compiled once to driver SQL: no statement built per call.
* :func:`binding` — the tables and their statements made once per engine, prefix and schema,
  the schema version checked once: binding a store to a host's connection costs microseconds.
* :class:`RowDecoder` — each distinct JSON text in the rows decoded once, not once per row.
* :class:`ThreadConnections` — SQLite: a connection per thread, one ``BEGIN IMMEDIATE`` an action,
  the WAL checkpointed on a thread of its own (:mod:`._checkpoint`).
* :func:`commit_in_one_statement` — PostgreSQL: a change that takes no seat in one round trip
  (a unit's, or a letter's stamp or material), and a nomination's filing, each one statement
  in autocommit; :meth:`Statements.one_statement` also writes each unit of a send with its
  event, one pipelined ``executemany`` for all (:mod:`.write`).
* :func:`commit_pipelined` — PostgreSQL: a commit of changes to existing rows (a letter's
  send, its units' moves and seats) or of new nominations in one round trip, ``BEGIN`` to
  ``COMMIT``, every check made by the server.

What a commit checks and writes is in :mod:`.write` and :mod:`.core`.
"""

from __future__ import annotations

import os
import re
import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, suppress
from typing import Any, NoReturn, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite as sqlite_sql
from sqlalchemy.engine import Connection, Engine

from ...domain.events import Event, build_nomination
from ...domain.names import STATES
from ...domain.records import MinistryRecord, Nomination
from ...domain.submissions import Submission, listing_moves
from ..base import (
    MALFORMED,
    MAX_CAMPAIGNS_LISTED,
    AnyChange,
    Change,
    CounterMove,
    SubmissionChange,
    add_seat,
    malformed,
    net_cap,
)
from ..codec import (
    EVENT_COLUMNS,
    codes_of,
    converter,
    decode_materials,
    dumps,
    event_row,
    event_values,
    loads,
    moment_of,
)
from ..recent import Recent
from ._checkpoint import SAFETY_NET, Checkpointer
from ._driver import _StaleRows, dbapi_error, store_error
from .columns import changed, nomination_row
from .letters import moved, submission_row
from .schema import make_metadata, nomination_select

#: psycopg's ``pq.TransactionStatus.IDLE``: a connection outside any transaction
_IDLE = 0

__all__ = [
    "Binding",
    "CompiledSql",
    "RowDecoder",
    "Statements",
    "ThreadConnections",
    "binding",
    "commit_in_one_statement",
    "commit_pipelined",
    "ids_value",
    "one_statement_change",
    "one_statement_params",
]


# -- compiled statements ----------------------------------------------------------------


def _positional(sql: CompiledSql) -> CompiledSql:
    """``sql`` (psycopg's named ``%(name)s`` parameters) with positional ``%s`` ones, its
    parameters' names in order: a row is then a tuple. A ``%%`` (a literal ``%``, as in a
    schema's name: ``"50%%(x)s"``) stays as it is, and starts no parameter."""
    names: list[str] = []

    def positional(found: re.Match[str]) -> str:
        name = found.group(1)
        if name is None:
            return "%%"
        names.append(name)
        return "%s"

    return CompiledSql(_NAMED.sub(positional, sql.text), names)


_NAMED = re.compile(r"%%|%\((\w+)\)s")


def _pipeline_mode() -> bool:
    """Whether psycopg's libpq has pipeline mode (libpq 14 or later)."""
    from psycopg import Pipeline

    return bool(Pipeline.is_supported())


def _logged(events: sa.Table, written: Any) -> sa.Insert:
    """``INSERT INTO events SELECT <the event's parameters> FROM written``: the event's row
    (its parameters ``e_<column>``), inserted only when the data-modifying CTE ``written``
    wrote its row."""
    cols = [c for c in events.c if c.name != "seq"]
    select = sa.select(*[sa.cast(sa.bindparam("e_" + c.name), c.type) for c in cols]).select_from(written)
    return sa.insert(events).from_select(cols, select)


def _take_or_create(table: sa.Table, insert: Callable[[sa.Table], Any]) -> Any:
    """Move a quota counter by ``p_delta`` in one statement, creating its row on its first
    seat: ``INSERT ... ON CONFLICT DO UPDATE`` (``insert``: the dialect's), both branches
    taking the seat only while ``used + p_delta <= p_limit`` (``p_limit`` NULL: no cap). One
    row written when the seat was taken; none when the cap stands in the way (nothing
    written)."""
    b = sa.bindparam
    delta, limit = sa.cast(b("p_delta"), sa.Integer), sa.cast(b("p_limit"), sa.Integer)
    key = (sa.cast(b("p_campaign"), table.c.campaign.type), sa.cast(b("p_authority"), table.c.authority.type),
           sa.cast(b("p_unit_type"), table.c.unit_type.type))  # fmt: skip
    row: Any = sa.select(sa.literal_column("1")).where(
        table.c.campaign == key[0], table.c.authority == key[1], table.c.unit_type == key[2]
    )
    # The new row's cap, unless the row exists: then the update's own condition decides (its
    # ``used`` may be below zero, a release made before any seat was taken). (A WHERE: SQLite
    # then reads ON as the upsert's.)
    first = sa.select(*key, delta).where(sa.or_(limit.is_(None), delta <= limit, row.exists()))
    stmt = insert(table).from_select(["campaign", "authority", "unit_type", "used"], first)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.campaign, table.c.authority, table.c.unit_type],
        set_={"used": table.c.used + stmt.excluded.used},
        where=sa.or_(limit.is_(None), table.c.used + stmt.excluded.used <= limit),
    )


def _among(column: Any, pg: bool) -> Any:
    """``column`` is one of the ids ``p_ids`` gives: on PostgreSQL an array (``= ANY``), on
    SQLite a JSON array (``IN (SELECT value FROM json_each(...))``), each found by the
    column's index."""
    ids: Any = sa.bindparam("p_ids")
    if pg:
        return column == sa.func.any(ids)
    return column.in_(sa.select(sa.column("value")).select_from(sa.func.json_each(ids)).scalar_subquery())


def ids_value(pg: bool, ids: Sequence[str]) -> Any:
    """The value of ``p_ids`` for :func:`_among`: a list on PostgreSQL, a JSON array on SQLite."""
    return list(ids) if pg else dumps(list(ids))


#: What the server's log says when a pipelined commit's statement wrote no row (the row moved
#: on, or the seat's cap was reached): the commit is rolled back and the checked path decides
_NO_ROW = (
    "pilotflow: no row written (changed concurrently, or no seat left); "
    "rolled back, the action is checked again"
)


def _one_or_fail(written: Any) -> sa.Select[Any]:
    """``SELECT 1 FROM written``, failing when the data-modifying CTE ``written`` wrote no
    row, which aborts the transaction it runs in. (PostgreSQL logs the failure as an
    ``ERROR`` line: it reads as :data:`_NO_ROW`, not as a division by zero a DBA would take
    for a bug. The text is cast at run time, when the count is known.)"""
    fail = f"CAST(CASE WHEN count(*) = 0 THEN '{_NO_ROW}' ELSE '1' END AS integer)"  # (no parameter)
    return sa.select(sa.literal_column(fail)).select_from(written)


class CompiledSql:
    """A statement compiled once for a dialect: driver SQL text and, for positional
    paramstyles (SQLite's ``?``), the order of its parameter names."""

    __slots__ = ("names", "ordered", "text")

    def __init__(self, text: str, names: Sequence[str] | None) -> None:
        self.text = text
        self.names = tuple(names) if names else None
        #: Whether the positional parameters are in the order the caller builds its tuple
        #: in (set by the caller that knows it); then the tuple is passed as is.
        self.ordered = False

    def params(self, values: Mapping[str, Any]) -> Any:
        names = self.names
        return values if names is None else tuple([values[k] for k in names])


class Statements:
    """Speed: hot statements compiled once to driver SQL: no statement built per call.

    They run on the DB-API cursor (of the SQLAlchemy-managed connection, or of
    :class:`ThreadConnections`), without SQLAlchemy building a statement and its cache key
    from 21 literal values on every call. The fixed ones are attributes; :meth:`update`,
    :meth:`listing` and :meth:`one_statement` compile one statement per shape (the columns an
    update writes, the filters a listing uses) on first use and keep it.
    """

    def __init__(self, tables: Mapping[str, sa.Table], dialect: sa.Dialect, pg: bool) -> None:
        # Weakly: the statements are kept per dialect (:func:`binding`), which they must not
        # keep alive.
        self._dialect = weakref.ref(dialect)
        n, e, q, r = tables["nominations"], tables["events"], tables["quota"], tables["receipts"]
        self.n, self.e = n, e
        #: PostgreSQL: a row's UPDATE and its event INSERT go as one statement (:meth:`one_statement`)
        self.pg = pg
        b = sa.bindparam
        self.columns = [c.name for c in n.c]
        event_columns = [c.name for c in e.c if c.name != "seq"]
        #: A nomination's row, its materials whole (schema 6 keeps unchanged ones in the
        #: filing event only): every read of nominations starts from it.
        self.select_nominations = nomination_select(tables, pg)
        rows = self.select_nominations
        self.get = self.compile(rows.where(n.c.id == b("p_id")))
        # Several rows by id in one statement (a letter's units): PostgreSQL takes an array;
        # SQLite a JSON array of the ids, each found by the primary key's index.
        self.get_many = self.compile(rows.where(_among(n.c.id, pg)))
        version = sa.select(n.c.version).where(n.c.id == b("p_id"))
        self.version = self.compile(version)
        self.insert_nomination = self.compile(sa.insert(n), self.columns)
        self.insert_event = self.compile(sa.insert(e), event_columns)
        self.insert_event.ordered = self.insert_event.names == EVENT_COLUMNS
        if pg:  # a new nomination's row and its event as one statement (:func:`commit_in_one_statement`)
            filed = sa.insert(n).values({c: b(c.name) for c in n.c}).returning(n.c.id).cte("pf_filed")
            self.file = _positional(self.compile(_logged(e, filed)))
            self.file.ordered = self.file.names == (*self.columns, *("e_" + c for c in EVENT_COLUMNS))
        key = (q.c.campaign == b("p_campaign"), q.c.authority == b("p_authority"),
               q.c.unit_type == b("p_unit_type"))  # fmt: skip
        self.quota = self.compile(sa.select(q.c.used).where(*key))
        #: psycopg 3: an executemany is pipelined and can give each statement's rows back
        self.pipelined = pg and dialect.driver == "psycopg"
        #: :func:`commit_pipelined` applies (libpq 14 or later: pipeline mode)
        self.one_pipeline = self.pipelined and _pipeline_mode()
        #: The driver's error (:func:`commit_pipelined` rolls back on it and lets the checked
        #: path name what stood in the way)
        self.driver_error: type[Exception] = dialect.loaded_dbapi.Error
        insert = postgresql.insert if pg else sqlite_sql.insert
        # A counter's seats moved in one statement, its row created on its first seat; a
        # row written when taken (psycopg: ``used`` returned, every counter of a commit in
        # one pipelined executemany).
        take = _take_or_create(q, insert)
        self.take = self.compile(take.returning(q.c.used) if self.pipelined else take)
        if self.pipelined:  # (:func:`commit_pipelined`: the same, failing when the seat is not taken)
            self.take_or_fail = self.compile(_one_or_fail(take.returning(q.c.used).cte("pf_taken")))
        claim = sa.select(n.c.id).where(n.c.campaign == b("p_campaign"), n.c.unit_code == b("p_unit_code"),
                                        n.c.track == b("p_track"), n.c.project == b("p_project"),
                                        n.c.claims_unit == sa.true(), n.c.id != b("p_id"))  # fmt: skip
        self.claim = self.compile(claim)
        # A new claiming nomination's two checks in one round trip: the claim another row
        # holds, the version a row of its id has.
        self.claim_and_version = self.compile(sa.select(claim.scalar_subquery(), version.scalar_subquery()))
        unit = (n.c.campaign == b("p_campaign"), n.c.unit_code == b("p_unit_code"), n.c.track == b("p_track"),
                n.c.claims_unit == sa.true())  # fmt: skip
        # (at most one row: the unique index pf_uq_unit_claim)
        self.find_claim = self.compile(rows.where(*unit, n.c.project == b("p_project")))
        self.count_claims = self.compile(sa.select(sa.func.count()).select_from(n).where(*unit))
        self.quota_usage = self.compile(
            sa.select(q.c.authority, q.c.unit_type, q.c.used).where(
                q.c.campaign == b("p_campaign"), q.c.used != sa.literal_column("0")
            )
        )
        self.receipt = self.compile(
            sa.select(r.c.fingerprint, r.c.result).where(
                r.c.campaign == b("p_campaign"), r.c.key == b("p_key")
            )
        )
        self.insert_receipt = self.compile(sa.insert(r), ["campaign", "key", "fingerprint", "result"])
        s = tables["submissions"]
        self.s = s
        held = sa.union(sa.select(n.c.campaign).distinct(), sa.select(tables["lists"].c.campaign).distinct())
        # (the first ids in order, as many as may be asked for: a caller takes fewer)
        held_ids = held.subquery().c.campaign
        self.campaign_ids = self.compile(
            sa.select(held_ids)
            .order_by(held_ids)
            .limit(sa.literal_column(str(MAX_CAMPAIGNS_LISTED)))
            .offset(sa.literal_column("0"))
        )
        self.get_submission = self.compile(sa.select(s).where(s.c.id == b("p_id")))
        self.submission_version = self.compile(sa.select(s.c.version).where(s.c.id == b("p_id")))
        self.insert_submission = self.compile(sa.insert(s), [c.name for c in s.c])
        lt = tables["listed"]
        if self.pipelined:  # a letter's units listed in one executemany, each saying if it was free
            self.list_free = self.compile(
                insert(lt).on_conflict_do_nothing().returning(lt.c.nomination_id),
                ["campaign", "nomination_id", "submission_id"],
            )
        else:  # which of a letter's units a draft lists already (one read), then each listed
            self.listed = self.compile(
                sa.select(lt.c.nomination_id).where(
                    lt.c.campaign == b("p_campaign"), _among(lt.c.nomination_id, pg)
                )
            )
            self.list_unit = self.compile(sa.insert(lt), ["campaign", "nomination_id", "submission_id"])
        self.unlist_unit = self.compile(
            sa.delete(lt).where(lt.c.campaign == b("p_campaign"), lt.c.nomination_id == b("p_id"),
                                lt.c.submission_id == b("p_sid"))
        )  # fmt: skip
        if self.pipelined:  # a letter's units let go, or listed, in one statement (:func:`commit_pipelined`)
            self.unlist_units = self.compile(
                sa.delete(lt).where(lt.c.campaign == b("p_campaign"), lt.c.submission_id == b("p_sid"),
                                    lt.c.nomination_id == sa.func.any(b("p_ids")))
            )  # fmt: skip
            ids = sa.func.unnest(b("p_ids", type_=postgresql.ARRAY(sa.String)))
            self.list_units = self.compile(  # (a unit a draft lists already: the key refuses it)
                sa.insert(lt).from_select(["campaign", "nomination_id", "submission_id"],
                                          sa.select(b("p_campaign"), ids, b("p_sid")))
            )  # fmt: skip
        self._updates: dict[tuple[str, ...], CompiledSql] = {}
        self._listings: dict[tuple[str, ...], CompiledSql] = {}
        self._one: dict[tuple[str, ...], CompiledSql] = {}
        self._checked: dict[tuple[str, ...], CompiledSql] = {}
        #: The streamed and batch reads (:mod:`.reads`), compiled on first use, by shape.
        self.reads: dict[tuple[Any, ...], CompiledSql] = {}

    def compile(self, stmt: sa.ClauseElement, column_keys: list[str] | None = None) -> CompiledSql:
        """``stmt`` as driver SQL for this store's dialect."""
        compiled = stmt.compile(dialect=self._dialect(), column_keys=column_keys)
        return CompiledSql(compiled.string, getattr(compiled, "positiontup", None))

    def update(self, columns: tuple[str, ...], table: str = "nominations") -> CompiledSql:
        """``UPDATE <table> SET <only these columns> WHERE id = ? AND version = ?`` (``table``:
        ``nominations`` or ``submissions``)."""
        key = columns if table == "nominations" else (table, *columns)
        sql = self._updates.get(key)
        if sql is None:
            t, b = (self.n if table == "nominations" else self.s), sa.bindparam
            stmt = (
                sa.update(t)
                .where(t.c.id == b("p_id"), t.c.version == b("p_expected"))
                .ordered_values(*((t.c[c], b("v_" + c)) for c in columns))  # SET in our order
            )
            sql = self._updates[key] = self.compile(stmt)
            sql.ordered = sql.names == (*("v_" + c for c in columns), "p_id", "p_expected")
        return sql

    def listing(self, filters: tuple[str, ...]) -> CompiledSql:
        """The nominations matching ``filters`` (``p_campaign``, ``p_holder``, ...), oldest first."""
        sql = self._listings.get(filters)
        if sql is None:
            n = self.n
            q = self.select_nominations.where(*(n.c[k[2:]] == sa.bindparam(k) for k in filters))
            sql = self._listings[filters] = self.compile(q.order_by(n.c.created_at, n.c.id))
        return sql

    def submission_listing(self, filters: tuple[str, ...]) -> CompiledSql:
        """The submissions matching ``filters`` (``p_campaign``, ``p_sender``, ...), oldest first."""
        key = ("submissions", *filters)
        sql = self._listings.get(key)
        if sql is None:
            s = self.s
            q = sa.select(s).where(*(s.c[k[2:]] == sa.bindparam(k) for k in filters))
            sql = self._listings[key] = self.compile(q.order_by(s.c.created_at, s.c.id))
        return sql

    def one_statement(
        self, columns: tuple[str, ...], table: str = "nominations", *, checked: bool = False
    ) -> CompiledSql:
        """PostgreSQL: the version-checked UPDATE of ``columns`` of a row of ``table``
        (``nominations`` or ``submissions``) and the event INSERT as one statement
        (``WITH u AS (UPDATE ... RETURNING) INSERT ... SELECT FROM u``). ``checked``: a
        statement that fails (:func:`_one_or_fail`) when the row was not at the expected version,
        which aborts its transaction (:func:`commit_pipelined`)."""
        key = (table, *columns)
        kept = self._checked if checked else self._one
        sql = kept.get(key)
        if sql is None:
            t, e, b = (self.n if table == "nominations" else self.s), self.e, sa.bindparam
            upd = (
                sa.update(t)
                .where(t.c.id == b("p_id"), t.c.version == b("p_expected"))
                .ordered_values(*((t.c[c], b("v_" + c)) for c in columns))  # SET in our order
                .returning(t.c.id)
                .cte("pf_updated")
            )
            insert = _logged(e, upd)
            stmt: sa.ClauseElement = (
                _one_or_fail(insert.returning(e.c.seq).cte("pf_logged")) if checked else insert
            )
            # Positional (``%s``): a row's parameters a tuple, built without a dict
            sql = kept[key] = _positional(self.compile(stmt))
            sql.ordered = sql.names == (*("v_" + c for c in columns), "p_id", "p_expected",
                                        *("e_" + c for c in EVENT_COLUMNS))  # fmt: skip
        return sql


# -- rows --------------------------------------------------------------------------------


#: The states a nomination's row may name
_STATES = frozenset(STATES)


class RowDecoder:
    """Speed: each distinct JSON text in the rows decoded once, not once per row.

    Route, examined, seats and materials texts are mostly shared between rows (a listing's
    rows mostly share one long materials text); the decoded values are immutable."""

    __slots__ = ("_cache", "_last_materials")

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}
        self._last_materials: tuple[str, Any] = ("", ())

    def nomination(self, r: Sequence[Any]) -> Nomination:
        """A nomination from a row in table order (a driver tuple or a SQLAlchemy Row)."""
        try:
            (nid, campaign, revision, unit_code, unit_name, unit_type, scenario, route, hop, _holder,
             state, _claims, examined, materials, seats, version, created_at, updated_at, track, batch,
             ministry, project, created_offset, updated_offset) = r  # fmt: skip
            cache = self._cache
            if len(cache) > 8192:
                cache.clear()
            route_v = cache.get(route)
            if route_v is None:
                route_v = cache[route] = codes_of(route)
            examined_v = cache.get(examined)
            if examined_v is None:
                examined_v = cache[examined] = codes_of(examined)
            seats_v = cache.get(seats)
            if seats_v is None:
                seats_v = cache[seats] = codes_of(seats)
            last = self._last_materials  # rows in a listing mostly share one (long) materials text:
            if materials == last[0]:  # comparing with the last one is cheaper than hashing it
                materials_v = last[1]
            else:
                materials_v = cache.get(materials)
                if materials_v is None:
                    materials_v = cache[materials] = decode_materials(loads(materials))
                self._last_materials = (materials, materials_v)
            if type(hop) is not int or not 0 <= hop < len(route_v) or type(version) is not int:
                raise ValueError(f"hop {hop!r} on route {route}, version {version!r}")
            if state not in _STATES:
                raise ValueError(f"no state is named {state!r}")
            return build_nomination(
                nid, campaign, revision, unit_code, unit_name, unit_type, scenario, route_v, hop, state,
                examined_v, materials_v, seats_v, version, moment_of(created_at, created_offset),
                moment_of(updated_at, updated_offset),
                track, batch,
                None if ministry is None else converter.structure(loads(ministry), MinistryRecord), project,
            )  # fmt: skip
        except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
            raise malformed(f"nomination {r[0]}", f"申报记录 {r[0]}", exc) from exc


# -- SQLite: one connection per thread ---------------------------------------------------


class _Own:
    """A DB-API connection taken from the engine (so its ``connect`` listeners, e.g.
    :func:`~.sqlite.configure_sqlite`'s pragmas, have run) and detached from the pool: owned
    by one thread of one process (``fork`` is the process generation it was opened in).
    ``tx``: a cursor kept for the scope's ``BEGIN IMMEDIATE`` and ``COMMIT`` (statements that
    run to their end, so it never holds a read open), not one made for each."""

    __slots__ = ("__weakref__", "conn", "fork", "tx")

    def __init__(self, conn: Any, fork: int) -> None:
        self.conn = conn
        self.fork = fork
        self.tx = conn.cursor()


#: Process generation: bumped in a forked child, whose inherited connections are never used
#: (nor closed: SQLite forbids carrying a connection across fork) but kept alive here.
_FORK = [0]
_ALL_OWN: weakref.WeakSet[_Own] = weakref.WeakSet()
_ORPHANS: list[Any] = []
#: The engines stores are built on (:func:`fresh_pool_after_fork`)
_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()


def fresh_pool_after_fork(engine: Engine) -> None:
    """In a forked child, ``engine`` hands out new connections, never one its parent left in
    the pool: two processes on one SQLite connection can corrupt the file, on one PostgreSQL
    socket they garble each other's replies (a web server forking its workers after the
    application opened its store, a ``multiprocessing`` pool). The inherited pool is kept
    alive, unused and unclosed, as SQLAlchemy's ``dispose(close=False)`` advises. Only a
    pool that hands connections from one caller to the next (``QueuePool``): a
    ``StaticPool`` or ``SingletonThreadPool`` holds an in-memory SQLite database, whose copy
    in the child is the child's own and would be lost with its connection."""
    if isinstance(engine.pool, sa.pool.QueuePool):
        _ENGINES.add(engine)


def _after_fork() -> None:
    _FORK[0] += 1
    _ORPHANS.extend(_ALL_OWN)
    for engine in list(_ENGINES):
        _ORPHANS.append(engine.pool)  # (its connections are the parent's: never closed here)
        engine.dispose(close=False)


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork)


class ThreadConnections:
    """Speed: SQLite: a connection per thread, one ``BEGIN IMMEDIATE`` an action.

    On the store's own engine each thread keeps one DB-API connection (autocommit, ``BEGIN``
    issued explicitly) instead of a pool checkout and return per call, and :meth:`atomic`
    runs an action's reads and its commit in one transaction (``benchmarks/README.md``,
    "What moved SQLite"). Forked children never use the connections they inherit."""

    __slots__ = ("_engine", "_error", "_local", "_owned", "checkpointer", "recent")

    def __init__(self, engine: Engine, recent: Recent) -> None:
        self._engine = engine
        self._error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._local = threading.local()
        self._owned: weakref.WeakSet[_Own] = weakref.WeakSet()
        #: The thread that checkpoints the WAL for these connections (:mod:`._checkpoint`)
        self.checkpointer = Checkpointer(engine)
        #: The store's kept states (:mod:`..recent`): an atomic scope holds what it reads and
        #: writes until its COMMIT
        self.recent = recent

    @staticmethod
    def usable(engine: Engine, host: Connection | None) -> bool:
        """Whether a store may keep its own connections: SQLite through pysqlite on its own
        engine, whose pool does not share one connection between threads or callers (with
        ``StaticPool`` or ``SingletonThreadPool``, or on a host's connection, it does not)."""
        return (
            host is None
            and engine.dialect.name == "sqlite"
            and engine.dialect.driver == "pysqlite"
            and isinstance(engine.pool, (sa.pool.QueuePool, sa.pool.NullPool))
        )

    def connection(self) -> Any:
        """This thread's own DB-API connection (SQLite, autocommit: ``isolation_level`` is
        None, BEGIN is issued explicitly), opened through the engine on first use."""
        own: _Own | None = getattr(self._local, "own", None)
        if own is None or own.fork != _FORK[0]:
            fairy = self._engine.raw_connection()
            try:
                conn: Any = fairy.driver_connection
                fairy.detach()
                conn.execute(f"PRAGMA wal_autocheckpoint={SAFETY_NET}")  # (the checkpointer's)
            except BaseException:
                fairy.close()
                raise
            own = self._local.own = _Own(conn, _FORK[0])
            self._owned.add(own)
            _ALL_OWN.add(own)
        return own.conn

    def failed(self, exc: Exception) -> NoReturn:
        """Raise a driver error of our own connection as SQLAlchemy would have wrapped it,
        dropping the connection if it is gone."""
        own: _Own | None = getattr(self._local, "own", None)
        dialect = self._engine.dialect
        if own is not None and dialect.is_disconnect(exc, own.conn, None):  # type: ignore[arg-type]
            self._local.own = None
            self._owned.discard(own)
            with suppress(Exception):
                own.conn.close()
        wrapped = dbapi_error(exc, self._error, dialect)
        raise store_error(wrapped) from wrapped

    def fetch(self, text: str, params: Any) -> list[Any]:
        """All rows of a read on this thread's connection (autocommit, or inside the
        :meth:`atomic` scope's transaction)."""
        try:
            rows: list[Any] = self.connection().execute(text, params).fetchall()
        except self._error as exc:
            self.failed(exc)
        except sa.exc.SQLAlchemyError as exc:
            raise store_error(exc) from exc
        return rows

    def atomic(self) -> AbstractContextManager[None]:
        """One action's reads and its commit in one ``BEGIN IMMEDIATE`` transaction on this
        thread's connection (see :attr:`~pilotflow.store.Store.atomic`); nested scopes join
        the outer one."""
        return _Atomic(self)

    def commit(self, write: Callable[..., None], *args: Any) -> None:
        """``write(cursor, *args)`` on this thread's connection between ``BEGIN IMMEDIATE``
        and ``COMMIT``, rolled back on any error; inside an :meth:`atomic` scope, only the
        writes (the scope commits, or rolls back when this raises)."""
        try:
            conn = self.connection()
            cur = conn.cursor()
            own = not getattr(self._local, "atomic", False)  # else the scope commits
            if own:
                cur.execute("BEGIN IMMEDIATE")
            try:
                write(cur, *args)
                if own:
                    cur.execute("COMMIT")
                    self.checkpointer.committed()
            except BaseException:
                if own and conn.in_transaction:
                    conn.rollback()
                raise
        except self._error as exc:
            self.failed(exc)
        except sa.exc.SQLAlchemyError as exc:
            raise store_error(exc) from exc

    def close(self) -> None:
        """Close the connections this process opened (a forked child's inherited ones are
        left alone) and forget them all, after the checkpointer's thread has ended."""
        self.checkpointer.close()
        fork = _FORK[0]
        for own in list(self._owned):
            if own.fork == fork:
                with suppress(Exception):
                    own.conn.close()
            self._owned.discard(own)
        self._local = threading.local()


class _Atomic:
    """The scope :meth:`ThreadConnections.atomic` gives: ``BEGIN IMMEDIATE`` on entry,
    ``COMMIT`` on a clean exit, a rollback on any exception; inside another scope of the same
    thread, nothing (the outer one commits). A plain object with ``__enter__`` and
    ``__exit__``: every action on SQLite enters one, and a generator-based context manager
    costs a generator, its wrapper and two frame resumptions more."""

    __slots__ = ("_depth", "_own", "_threads")

    def __init__(self, threads: ThreadConnections) -> None:
        self._threads = threads
        self._own: _Own | None = None
        self._depth = 0  # this very scope entered again while open: joined, like any inner one

    def __enter__(self) -> None:
        threads = self._threads
        local = threads._local
        own: _Own | None = getattr(local, "own", None)
        if own is None or own.fork != _FORK[0]:
            threads.connection()
            own = local.own
        if getattr(local, "atomic", False):
            if self._own is not None:
                self._depth += 1
            return  # joins the outer scope (which commits)
        try:
            own.tx.execute("BEGIN IMMEDIATE")
        except threads._error as exc:
            threads.failed(exc)
        local.atomic = True
        self._own = own
        threads.recent.hold()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        own = self._own
        if own is None:
            return
        if self._depth:
            self._depth -= 1
            return
        self._own = None
        threads = self._threads
        threads._local.atomic = False
        conn = own.conn
        if kind is not None:
            threads.recent.release(False)
            if conn.in_transaction:
                conn.rollback()
            return  # the exception goes on
        try:
            own.tx.execute("COMMIT")
        except threads._error as error:
            threads.recent.release(False)
            if conn.in_transaction:
                conn.rollback()
            threads.failed(error)
        threads.recent.release(True)
        threads.checkpointer.committed()


# -- PostgreSQL: one round trip ----------------------------------------------------------


def one_statement_change(changes: Sequence[AnyChange]) -> AnyChange | None:
    """The change of a commit (without a receipt) when it fits :func:`commit_in_one_statement`:
    one change to an existing nomination that takes no seat and claims no unit it did not
    claim, or to an existing letter that lists or lets go of no unit (a stamp, an attached
    material), or a new nomination that takes no seat (its filing); else None."""
    if len(changes) != 1:
        return None
    ch = changes[0]
    before = ch.before
    if type(ch) is SubmissionChange:
        return ch if before is not None and listing_moves(ch.before, ch.after) == ((), ()) else None
    if not isinstance(ch, Change) or ch.seats:
        return None
    was = ch.before
    if was is not None and ch.after.claims_unit and not was.claims_unit:
        return None
    return ch


def one_statement_params(
    sql: CompiledSql, values: Mapping[str, Any], row_id: str, expected: int, campaign: str, event: Event
) -> Any:
    """The parameters of ``sql``, a :meth:`Statements.one_statement`: the columns' new
    ``values``, the row and the version it must still be at, the event's columns (a tuple in
    that order when the statement takes them so)."""
    if sql.ordered:
        return (*values.values(), row_id, expected, *event_values(campaign, event))
    params = {"v_" + c: v for c, v in values.items()}
    params["p_id"], params["p_expected"] = row_id, expected
    for c, v in zip(EVENT_COLUMNS, event_values(campaign, event), strict=True):
        params["e_" + c] = v
    return sql.params(params)


def _filing_params(stmts: Statements, campaign: str, ch: Change) -> Any:
    """The parameters of :attr:`Statements.file` (positional): the new row's columns in table
    order, then its event's."""
    row = nomination_row(ch.after, ch.event)
    sql = stmts.file
    if sql.ordered:
        return (*[row[c] for c in stmts.columns], *event_values(campaign, ch.event))
    for c, v in zip(EVENT_COLUMNS, event_values(campaign, ch.event), strict=True):
        row["e_" + c] = v
    return sql.params(row)


def commit_in_one_statement(
    statements: Statements, execute: Callable[[str, Any], int], campaign: str, ch: AnyChange
) -> None:
    """Speed: PostgreSQL: a change that takes no seat, or a new nomination's filing, in one
    round trip.

    The version-checked UPDATE (a filing: its row's INSERT) and the event INSERT go as one
    statement, run in autocommit (``execute`` runs the driver SQL with its parameters and
    gives back the rows it wrote): atomic by itself, no BEGIN and COMMIT round trips. No row
    updated: no event inserted, nothing written (a conflict). A filing whose claim another
    nomination holds (the claims' unique index) or whose id a row has (the key) fails as a
    whole, nothing written: the driver's integrity error goes to the caller, which names what
    stood in the way as the checked path does (:func:`~.write.new_nomination_refusal`)."""
    before = ch.before
    if before is None:
        sql, params = statements.file, _filing_params(statements, campaign, cast(Change, ch))
    else:
        if type(ch) is SubmissionChange:
            values = moved(cast(Submission, before), ch.after)
            sql = statements.one_statement(tuple(values), "submissions")
        else:
            values = changed(cast(Nomination, before), cast(Nomination, ch.after))
            sql = statements.one_statement(tuple(values))
        params = one_statement_params(sql, values, ch.after.id, before.version, campaign, ch.event)
    if execute(sql.text, params) != 1:
        raise _StaleRows([(ch.after.id, before.version if before is not None else 0)])


# -- PostgreSQL: a commit in one round trip ---------------------------------------------


def _pipeline_plan(
    stmts: Statements, campaign: str, changes: Sequence[AnyChange]
) -> list[tuple[str, list[Any]]] | None:
    """What :func:`commit_pipelined` sends for ``changes``: (statement, its rows) in order,
    consecutive rows of one statement together; None when a change needs a read first (a
    nomination claiming its unit anew) or takes a seat for a new row."""
    steps: list[tuple[str, list[Any]]] = []  # (in the commit's order, as the checked path writes)
    moves: dict[tuple[str, str], CounterMove] = {}  # (authority, counter) -> see add_seat
    for ch in changes:
        before = ch.before
        if type(ch) is SubmissionChange:
            after: Any = ch.after
            claims, released = listing_moves(ch.before, after)
            # Its units let go, then its new ones listed, then its row, at its place in the
            # commit, as the checked path writes them (a unit let go here may be listed by a
            # later change; one listed by an earlier is refused).
            units = {"p_campaign": campaign, "p_sid": after.id}
            if released:
                steps.append((stmts.unlist_units.text, [{**units, "p_ids": list(released)}]))
            if claims:  # (a unit a draft lists already: the key of the listed units refuses it)
                steps.append((stmts.list_units.text, [{**units, "p_ids": list(claims)}]))
            if before is None:  # a new letter: its row and its event (an id taken: the key refuses it)
                sql = stmts.insert_submission
                steps.append((sql.text, [sql.params(submission_row(after))]))
                steps.append((stmts.insert_event.text, [event_row(campaign, ch.event)]))
                continue
            values = moved(cast(Submission, before), after)
            sql = stmts.one_statement(tuple(values), "submissions", checked=True)
        elif before is None:
            # A new nomination: its row and its event; a unit another holds (the claims' unique
            # index) or an id taken (the key) fails the INSERT, and the checked path says which.
            new = cast(Change, ch)
            steps.append((stmts.insert_nomination.text, [nomination_row(new.after, new.event)]))
            steps.append((stmts.insert_event.text, [event_row(campaign, new.event)]))
            if new.seats:  # (filing takes no seat; one that did is written the checked way)
                return None
            continue
        else:
            assert isinstance(ch, Change)
            was, after = ch.before, ch.after
            if was is None or (after.claims_unit and not was.claims_unit):
                return None
            values = changed(was, after)
            sql = stmts.one_statement(tuple(values), checked=True)
            for seat in ch.seats:
                add_seat(moves, seat)
        row = one_statement_params(sql, values, after.id, before.version, campaign, ch.event)
        if steps and steps[-1][0] is sql.text:
            steps[-1][1].append(row)
        else:
            steps.append((sql.text, [row]))
    take = stmts.take_or_fail
    seats = [{"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type, "p_delta": move[0],
              "p_limit": net_cap(move)}
             for (authority, unit_type), move in sorted(moves.items()) if move[0] != 0]  # fmt: skip
    return [*steps, *([(take.text, seats)] if seats else [])]


def _begin(conn: Any) -> str:
    """The ``BEGIN`` psycopg would send on ``conn``: with its isolation level, read-only and
    deferrable settings, when set (the pool sets the isolation level back to the server's)."""
    from psycopg import IsolationLevel

    parts = ["BEGIN"]
    if conn.isolation_level is not None:
        parts.append("ISOLATION LEVEL " + IsolationLevel(conn.isolation_level).name.replace("_", " "))
    if conn.read_only is not None:
        parts.append("READ ONLY" if conn.read_only else "READ WRITE")
    if conn.deferrable is not None:
        parts.append("DEFERRABLE" if conn.deferrable else "NOT DEFERRABLE")
    return " ".join(parts)


def commit_pipelined(cur: Any, stmts: Statements, campaign: str, changes: Sequence[AnyChange]) -> bool:
    """Speed: PostgreSQL: a commit of changes to existing rows, or of a new nomination or
    letter, in one round trip.

    ``BEGIN``, each row's version-checked UPDATE with its event (a new nomination or letter:
    its row's INSERT and its event's; a letter's units let go in one DELETE, its new units
    listed in one INSERT) in the commit's order, the quota counters moved, ``COMMIT``: one
    psycopg pipeline, one Sync (a send of 10 units: one round trip instead of six; a new
    letter: one instead of six; a new nomination: one instead of four, where it is not filed
    as one statement by :func:`commit_in_one_statement`). The server makes every check: a
    row not at the expected version, or a seat the cap refuses, fails its statement
    (:meth:`Statements.one_statement` ``checked``, ``take_or_fail``), and the rest of the
    pipeline, ``COMMIT`` included, is skipped; so does a unit another draft lists, or an id
    taken (their keys refuse the INSERT). The transaction is then rolled back and False
    returned: the caller writes the changes the checked way (:func:`~.write.write_changes`),
    which names what stood in the way (a conflict, a seat, a unit another nomination claims).
    Only on a connection outside any transaction (a store's own, no receipt written before),
    for changes that claim no unit anew (a new nomination's claim is checked by the claims'
    unique index) and take no seat for a new row; otherwise False at once.
    True: committed (the caller's own ``COMMIT`` then finds the connection idle and sends
    nothing)."""
    conn = cur.connection
    if conn.pgconn.transaction_status != _IDLE:
        return False
    plan = _pipeline_plan(stmts, campaign, changes)
    if plan is None:
        return False
    was = conn.autocommit
    conn.autocommit = True  # (idle: no round trip) BEGIN and COMMIT go in the pipeline
    failed: Exception | None = None
    try:
        try:
            with conn.pipeline():
                try:
                    cur.execute(_begin(conn))
                    for text, rows in plan:
                        conn.cursor().executemany(text, rows)
                    cur.execute("COMMIT")
                except stmts.driver_error as exc:  # (raised while sending: left in the block,
                    failed = exc  # the aborted pipeline ends quietly, no warning logged)
        except stmts.driver_error as exc:
            failed = failed or exc
        if failed is not None:
            if conn.broken or conn.closed:
                raise failed
            conn.rollback()  # the failed statement left the transaction aborted: nothing written
            return False
    finally:
        if conn.pgconn.transaction_status == _IDLE:
            conn.autocommit = was
        else:  # never give a connection back in autocommit: the pool drops a closed one
            conn.close()
    return True


# -- binding: once per engine ------------------------------------------------------------


class Binding:
    """What every store on one engine, prefix and schema shares: the tables, their compiled
    :class:`Statements`, and whether the database was found at this pilotflow's schema
    version (``checked``: then a store bound later neither creates nor checks again)."""

    __slots__ = ("checked", "metadata", "sql", "tables")

    def __init__(self, dialect: sa.Dialect, prefix: str, schema: str | None) -> None:
        self.metadata = make_metadata(prefix, schema)
        key = (schema + ".") if schema else ""
        self.tables = {name: self.metadata.tables[f"{key}{prefix}{name}"]
                       for name in ("nominations", "submissions", "listed", "events", "quota", "meta",
                                    "receipts", "lists", "texts")}  # fmt: skip
        self.sql = Statements(self.tables, dialect, dialect.name == "postgresql")
        self.checked = False


#: Per engine (by its dialect, which an engine's ``execution_options`` copies share, and
#: which nothing here keeps alive): (prefix, schema) -> its :class:`Binding`.
_BINDINGS: weakref.WeakKeyDictionary[sa.Dialect, dict[tuple[str, str | None], Binding]] = (
    weakref.WeakKeyDictionary()
)
_BINDINGS_LOCK = threading.Lock()


def binding(engine: Engine, prefix: str, schema: str | None) -> Binding:
    """Speed: the tables and their statements made once per engine, prefix and schema.

    A web host binds a store to its connection on every request: compiling the statements
    (about 25 ms) and checking the schema version (a round trip or two) each time would cost
    more than the request's action (``benchmarks/README.md``, "binding")."""
    dialect = engine.dialect
    per = _BINDINGS.get(dialect)
    found = None if per is None else per.get((prefix, schema))
    if found is not None:
        return found
    with _BINDINGS_LOCK:  # one compilation per key, even when requests start together
        per = _BINDINGS.get(dialect)
        if per is None:
            per = _BINDINGS[dialect] = {}
        found = per.get((prefix, schema))
        if found is None:
            found = per[prefix, schema] = Binding(dialect, prefix, schema)
    return found
