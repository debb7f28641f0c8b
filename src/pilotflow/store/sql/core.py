"""The SQL store itself: :class:`SQLStore` on an engine or on a host's connection, and the
engine a store URL names. The dialects' own parts are in :mod:`.sqlite` and :mod:`.postgres`,
what a commit writes in :mod:`.write`, the speed tricks in :mod:`._fast`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any, TypeGuard

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ...domain.events import Event
from ...domain.records import Nomination
from ...domain.submissions import Submission
from ...errors import (
    ConflictError,
    DuplicateNomination,
    InvalidInput,
    NominationNotFound,
    PilotflowError,
    ReceiptExists,
    StoreError,
    SubmissionNotFound,
    shown,
)
from ..base import (
    CAMPAIGNS_LISTED,
    MALFORMED,
    AnyChange,
    Change,
    Receipt,
    Store,
    check_changes,
    check_limit,
    findable,
    id_list,
    malformed,
)
from ..base import given as _given
from ..recent import Recent
from . import postgres, sqlite
from ._driver import (
    _StaleRows,
    check_dialect,
    check_engine_options,
    dbapi_error,
    options_refused,
    shown_url,
    store_error,
)
from ._fast import (
    CompiledSql,
    RowDecoder,
    ThreadConnections,
    binding,
    commit_in_one_statement,
    fresh_pool_after_fork,
    ids_value,
    one_statement_change,
)
from .letters import decode_submission
from .lists import ListTable
from .reads import ScalingReads
from .schema import (
    SCHEMA_VERSION,
    check_names,
    missing_triggers,
    recorded_version,
    triggers_error,
    version_error,
)
from .write import new_nomination_check, new_nomination_refusal, write_changes, write_receipt

__all__ = ["SQLStore", "engine_for"]


def engine_for(
    url: str,
    *,
    read_only: bool = False,
    prefix: str = "pf_",
    schema: str | None = None,
    create: bool = True,
    **options: Any,
) -> Engine:
    """The engine on the database ``url`` names (``sqlite:///file.db``, ``postgresql://...``),
    set up for pilotflow; ``read_only``: a SQLite file must exist and hold pilotflow's tables;
    ``create`` False: a SQLite file must exist. ``options`` go to ``create_engine``. Nothing is
    opened or created here: a SQLite file is made by the first connection."""
    if _is_sqlite(url, schema):
        return sqlite.sqlite_engine(url, read_only=read_only, create=create, prefix=prefix, **options)
    if postgres.is_postgres_url(url):
        return postgres.postgres_engine(url, **options)
    raise InvalidInput(
        f"unsupported store URL {shown_url(url)}: use memory://, sqlite:///file.db or postgresql://...",
        f"不支持的存储地址 {shown_url(url)}",
    )


def missing_sqlite_file(url: object, *, schema: str | None = None) -> bool:
    """Whether ``url`` is a SQLite store URL whose file is not there (which a connection would
    create), from the URL alone: checked as :func:`engine_for` checks it, no engine built."""
    if not _is_sqlite(url, schema):
        return False
    file = sqlite.sqlite_file(url)
    if file.exists():
        return False
    check_dialect(url)  # (a URL no engine would take is refused all the same)
    return True


def _is_sqlite(url: object, schema: str | None) -> TypeGuard[str]:
    """Whether the store URL ``url`` (text, no NUL: else :class:`InvalidInput`) is SQLite's;
    a SQLite file opened by its URL has only its main schema (any other refused)."""
    if not isinstance(url, str):
        raise InvalidInput(
            f"a store URL must be text, got {type(url).__name__}", "存储地址必须是文本（字符串）"
        )
    if "\x00" in url:
        raise InvalidInput("the store URL contains a NUL character", "存储地址中含有空字符（NUL）")
    if not url.startswith("sqlite"):
        return False
    if schema not in (None, "main"):
        raise InvalidInput(
            f"a SQLite file opened by its URL has only its main schema: leave schema out "
            f"(got {shown(schema)})",
            f"按地址打开的 SQLite 数据库文件只有 main 这一个 schema，请不要指定 schema"
            f"（收到的是 {shown(schema)}）",
        )
    return True


def _flags(**flags: object) -> None:
    """Refuse a store's flag (``create``, ``read_only``) that is not True or False."""
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise InvalidInput(
                f"{name} must be True or False, got {type(flag).__name__}", f"{name} 必须是 True 或 False"
            )


#: An engine option marking the engine of a store opened ``read_only`` (by :meth:`SQLStore.from_url`).
READS_ONLY = "pilotflow_store_reads_only"


def _from_url(cls: type[SQLStore], url: str, options: dict[str, Any]) -> SQLStore:
    """:meth:`SQLStore.from_url`: the store's own options taken out and checked, the engine
    made, the store built on it; an opening refused at its first connection leaves no
    engine open and no empty SQLite file behind."""
    prefix = options.pop("prefix", "pf_")
    schema = options.pop("schema", None)
    create = options.pop("create", True)
    # read_only: check first that the database holds pilotflow's tables (a SQLite file:
    # without creating, locking or changing anything), then never create or migrate.
    read_only = options.pop("read_only", False)
    check_names(prefix, schema)
    _flags(create=create, read_only=read_only)
    check_engine_options(options)
    engine = engine_for(url, read_only=read_only, prefix=prefix, schema=schema, create=create, **options)
    level = options.get("isolation_level", "SERIALIZABLE")
    if engine.dialect.name == "sqlite" and level != "SERIALIZABLE":  # (nothing opened yet)
        engine.dispose()
        raise options_refused(
            options, ValueError(f"SQLite has no isolation level {level} (only SERIALIZABLE)")
        )
    made = sqlite.new_file(engine)  # (None: not SQLite, or the file is there already)
    try:
        try:
            if read_only and engine.dialect.name != "sqlite":  # (SQLite: checked by engine_for)
                postgres.holds_pilotflow(engine, prefix, schema)
            if read_only:  # (its triggers not checked: they guard writes)
                return cls(engine.execution_options(**{READS_ONLY: True}), prefix=prefix, schema=schema,
                           create=False)  # fmt: skip
            return cls(engine, prefix=prefix, schema=schema, create=create)
        except PilotflowError:  # (pilotflow's own refusal, InvalidInput a ValueError too)
            raise
        # (a connect argument the driver does not take, an isolation level the dialect has not)
        except (TypeError, ValueError, OverflowError, sa.exc.ArgumentError) as exc:
            raise options_refused(options, exc) from exc
    except BaseException:
        engine.dispose()  # close the file now (SQLite then removes its -wal and -shm)
        sqlite.remove_if_empty(made)  # (an opening refused at its first connection)
        raise


class SQLStore(ListTable, ScalingReads, Store):
    """A store on a SQLAlchemy ``Engine`` (SQLite file or PostgreSQL), or on a host's
    ``Connection``.

    Given a ``Connection``, pilotflow reads and writes through it: its writes join the
    host's transaction (inside a SAVEPOINT, so a refused commit undoes only pilotflow's part)
    and a host rollback leaves no pilotflow trace. Given an ``Engine``, each commit is its own
    transaction.
    """

    def __init__(
        self,
        bind: Engine | Connection,
        *,
        prefix: str = "pf_",
        schema: str | None = None,
        create: bool = True,
    ) -> None:
        check_names(prefix, schema)
        _flags(create=create)
        if isinstance(bind, Connection):
            self._conn: Connection | None = bind
            engine = bind.engine
        elif isinstance(bind, Engine):
            self._conn = None
            engine = bind
        else:
            raise InvalidInput(
                f"SQLStore needs a SQLAlchemy Engine or Connection, got {type(bind).__name__}",
                "SQLStore 需要 SQLAlchemy 的 Engine 或 Connection",
            )
        self.engine = engine
        if self._conn is None:  # (a host's connection is the host's to manage across fork)
            fresh_pool_after_fork(engine)
        bound = binding(engine, prefix, schema)  # made once per engine, prefix and schema
        self.metadata = bound.metadata
        tables = bound.tables
        self._n, self._e = tables["nominations"], tables["events"]
        self._pg = engine.dialect.name == "postgresql"
        self._list_table = tables["lists"]  # (the lists loaded: see .lists)
        self._prefix = prefix
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._dbapi_integrity: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError
        self._sql = bound.sql
        self._rows = RowDecoder()
        if self._conn is None:  # (on a host's connection the host commits, out of our sight)
            self.recent = Recent()
        self._threads = (
            ThreadConnections(engine, self.recent)
            if self.recent is not None and ThreadConnections.usable(engine, self._conn)
            else None
        )
        if self._threads is not None:
            self.atomic = self._threads.atomic
        if not bound.checked:  # once per engine: later stores on it neither create nor check
            bound.checked = self._check_schema(tables["meta"], schema, create)

    def _check_schema(self, meta: sa.Table, schema: str | None, create: bool) -> bool:
        """Create the tables if asked and missing; refuse a database at another schema version.
        Whether the finding holds for later stores: not when the tables were just created in
        a host's transaction, which the host may still roll back."""
        made = False
        with self._wrap():
            if create:
                with self._write_conn() as conn:
                    if schema and self._pg:
                        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
                    # Only a database with no recorded version gets tables: one at another
                    # version is left untouched (and refused below) for the migrations.
                    if recorded_version(conn, meta, schema) is None:
                        self.metadata.create_all(conn)
                        conn.execute(sa.insert(meta).values(key="schema_version", value=SCHEMA_VERSION))
                        made = True
            with self._read_conn() as conn:
                found = recorded_version(conn, meta, schema)
                # (a store that only reads needs no guard of writes)
                reads_only = self.engine.get_execution_options().get(READS_ONLY, False)
                missing = (
                    []
                    if found != SCHEMA_VERSION or reads_only
                    else missing_triggers(conn, self._prefix, schema)
                )
        if found != SCHEMA_VERSION:
            raise version_error(found, meta.fullname)
        if missing:
            raise triggers_error(missing, self._prefix, schema, self.engine.dialect.name)
        return not (made and self._conn is not None)

    @cached_property
    def _reader(self) -> Engine:
        """The engine for reads outside a host connection: autocommit (PostgreSQL: no
        BEGIN/ROLLBACK round trips; SQLite: no write lock, see configure_sqlite)."""
        if self._pg:
            return self.engine.execution_options(isolation_level="AUTOCOMMIT")
        return self.engine.execution_options(**{sqlite.READ_ONLY: True})

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SQLStore:
        """A store on the database ``url`` names, on an engine of its own (closed by
        :meth:`close`). ``prefix``, ``schema``, ``create`` and ``read_only`` are the store's;
        the pool's and logging options of SQLAlchemy's ``create_engine`` go to it, and
        ``connect_args`` to the driver (the options and what each may be:
        :data:`~pilotflow.store.sql._driver.ENGINE_OPTIONS`: ``pool_size``, ``poolclass``,
        ``isolation_level`` READ COMMITTED or stronger...); for anything else (a driver
        module, a connection factory, execution options) make the engine yourself and give it
        to ``SQLStore(engine)``. Everything is checked before the database is touched: a
        refused call creates no file."""
        return _from_url(cls, url, options)

    def __repr__(self) -> str:
        url = self.engine.url
        try:
            return f"<SQLStore {url.render_as_string(hide_password=True)}>"
        except UnicodeEncodeError:  # (a file name holding a byte no UTF-8 text has)
            return f"<SQLStore {url.drivername} {shown(url.database)}>"

    def close(self) -> None:
        if self._conn is None:
            if self._threads is not None:
                self._threads.close()
            self.engine.dispose()

    # -- connections -----------------------------------------------------------------

    def _fetch(self, sql: CompiledSql, values: Mapping[str, Any]) -> list[Any]:
        """All rows of a compiled read (autocommit, outside any transaction of ours)."""
        if self._threads is not None:
            return self._threads.fetch(sql.text, sql.params(values))
        with self._wrap(), self._cursor(False) as cur:
            cur.execute(sql.text, sql.params(values))
            rows: list[Any] = cur.fetchall()
        return rows

    @contextmanager
    def _read_conn(self) -> Iterator[Connection]:
        if self._conn is not None:
            yield self._conn
        else:
            with self._reader.connect() as conn:
                yield conn

    @contextmanager
    def _write_conn(self) -> Iterator[Connection]:
        """A transaction: our own, or a SAVEPOINT inside the host's."""
        if self._conn is not None:
            if self._conn.in_transaction():
                with self._conn.begin_nested():
                    yield self._conn
            else:
                with self._conn.begin():
                    yield self._conn
        else:
            with self.engine.begin() as conn:
                yield conn

    @contextmanager
    def _cursor(self, write: bool) -> Iterator[Any]:
        """A DB-API cursor on the SQLAlchemy-managed connection: for a write, inside a
        transaction (our own, committed at the end, or a SAVEPOINT inside the host's); for a
        read outside a host connection, in autocommit (no write lock, no BEGIN round trip)."""
        if self._conn is not None:
            if write:
                with self._write_conn() as conn:
                    yield conn.connection.cursor()
            else:
                # The host's connection: let SQLAlchemy begin its transaction as it would.
                if not self._conn.in_transaction():
                    self._conn.begin()
                yield self._conn.connection.cursor()
            return
        raw = self.engine.raw_connection()
        try:
            dbapi: Any = raw.driver_connection
            cur = dbapi.cursor()
            if not write:
                if self._pg:
                    dbapi.autocommit = True
                    try:
                        yield cur
                    finally:
                        dbapi.autocommit = False
                else:
                    yield cur
                return
            if self._pg:
                try:
                    yield cur
                except BaseException:
                    dbapi.rollback()
                    raise
                dbapi.commit()
                return
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                if dbapi.in_transaction:
                    dbapi.rollback()
                raise
            cur.execute("COMMIT")
        except self._dbapi_error as exc:
            if self.engine.dialect.is_disconnect(exc, raw, None):  # type: ignore[arg-type]
                raw.invalidate(exc)
            raise
        finally:
            raw.close()

    @contextmanager
    def _wrap(self) -> Iterator[None]:
        try:
            yield
        except PilotflowError:
            raise
        except sa.exc.SQLAlchemyError as exc:
            raise store_error(exc) from exc
        except self._dbapi_error as exc:  # a statement run on the driver's cursor
            wrapped = dbapi_error(exc, self._dbapi_error, self.engine.dialect)
            raise store_error(wrapped) from wrapped

    # -- reads -----------------------------------------------------------------------

    def get(self, nomination_id: str) -> Nomination:
        if not findable(nomination_id, what="nomination_id"):
            raise NominationNotFound(nomination_id)
        if self._threads is not None:
            rows = self._threads.fetch(self._sql.get.text, (nomination_id,))
        else:
            rows = self._fetch(self._sql.get, {"p_id": nomination_id})
        if not rows:
            raise NominationNotFound(nomination_id)
        found = self._rows.nomination(rows[0])
        if self.recent is not None:
            self.recent.keep((found,))
        return found

    def get_many(self, nomination_ids: Sequence[str]) -> list[Nomination]:
        ids = id_list(nomination_ids)
        if len(ids) < 2:
            return [self.get(nid) for nid in ids]
        # The ids a store could hold, up to the first that is no text; then, in order, the
        # first that is no text (InvalidInput) or found nowhere is named, as one get at a time would.
        asked = []
        for nid in ids:
            if not isinstance(nid, str):
                break
            if findable(nid, what="nomination_id"):
                asked.append(nid)
        decode = self._rows.nomination
        given = {"p_ids": ids_value(self._pg, asked)}
        found = {row[0]: row for row in self._fetch(self._sql.get_many, given)} if asked else {}
        for nid in ids:
            if not isinstance(nid, str):
                findable(nid, what="nomination_id")  # (raises InvalidInput)
            if nid not in found:
                raise NominationNotFound(nid)
        read = [decode(found[nid]) for nid in ids]
        if self.recent is not None:
            self.recent.keep(read)
        return read

    def find_claim(
        self, campaign: str, unit_code: str, track: str = "new", project: str = ""
    ) -> Nomination | None:
        if not findable(campaign, unit_code, track, project, what="campaign, unit_code, track and project"):
            return None
        values = {"p_campaign": campaign, "p_unit_code": unit_code, "p_track": track, "p_project": project}
        rows = self._fetch(self._sql.find_claim, values)
        return self._rows.nomination(rows[0]) if rows else None

    def count_claims(self, campaign: str, unit_code: str, track: str = "new") -> int:
        if not findable(campaign, unit_code, track, what="campaign, unit_code and track"):
            return 0
        rows = self._fetch(self._sql.count_claims, {"p_campaign": campaign, "p_unit_code": unit_code,
                                                    "p_track": track})  # fmt: skip
        return int(rows[0][0] or 0) if rows else 0

    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        if not findable(campaign, *_given(holder, state, unit_type), what="campaign and the filters"):
            return []
        values = {"p_campaign": campaign}
        for name, value in (("holder", holder), ("state", state), ("unit_type", unit_type)):
            if value is not None:
                values["p_" + name] = value
        decode = self._rows.nomination
        return [decode(r) for r in self._fetch(self._sql.listing(tuple(values)), values)]

    def events(self, campaign: str, nomination_id: str | None = None) -> list[Event]:
        if not findable(campaign, *_given(nomination_id), what="campaign and nomination_id"):
            return []
        return list(self.iter_events(campaign, nomination_id=nomination_id))

    def get_submission(self, submission_id: str) -> Submission:
        if not findable(submission_id, what="submission_id"):
            raise SubmissionNotFound(submission_id)
        rows = self._fetch(self._sql.get_submission, {"p_id": submission_id})
        if not rows:
            raise SubmissionNotFound(submission_id)
        found = decode_submission(rows[0])
        if self.recent is not None:
            self.recent.keep((found,))
        return found

    def submissions(
        self,
        campaign: str,
        *,
        sender: str | None = None,
        receiver: str | None = None,
        state: str | None = None,
    ) -> list[Submission]:
        if not findable(campaign, *_given(sender, receiver, state), what="campaign and the filters"):
            return []
        values = {"p_campaign": campaign}
        for name, value in (("sender", sender), ("receiver", receiver), ("state", state)):
            if value is not None:
                values["p_" + name] = value
        return [
            decode_submission(r) for r in self._fetch(self._sql.submission_listing(tuple(values)), values)
        ]

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        if not findable(campaign, authority, unit_type, what="campaign, authority and unit_type"):
            return 0
        params = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type}
        rows = self._fetch(self._sql.quota, params)
        return _seats(rows[0][0] or 0, authority, unit_type) if rows else 0

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        if not findable(campaign, what="campaign"):
            return {}
        rows = self._fetch(self._sql.quota_usage, {"p_campaign": campaign})
        return {(a, t): _seats(u, a, t) for a, t, u in rows}

    def campaign_ids(self, limit: int = CAMPAIGNS_LISTED) -> tuple[str, ...] | None:
        check_limit(limit)
        return tuple(r[0] for r in self._fetch(self._sql.campaign_ids, {}))[:limit]

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        if not findable(campaign, key, what="campaign and key"):
            return None
        rows = self._fetch(self._sql.receipt, {"p_campaign": campaign, "p_key": key})
        return Receipt(key, rows[0][0], rows[0][1]) if rows else None

    # -- writes ----------------------------------------------------------------------

    def commit(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
        if type(changes) is not tuple and type(changes) is not list:
            check_changes(changes)
        try:
            one = None
            if self._pg and self._conn is None and receipt is None:
                one = one_statement_change(changes)
            if one is not None:
                commit_in_one_statement(self._sql, self._autocommit, campaign, one)
            elif self._threads is not None:
                self._threads.commit(self._write, campaign, changes, receipt)
            else:
                with self._wrap(), self._cursor(True) as cur:
                    self._write(cur, campaign, changes, receipt)
        except _StaleRows as stale:  # rolled back: name the first row another writer changed
            for nid, expected in stale.expected:
                rows = self._fetch(self._sql.version, {"p_id": nid}) or self._fetch(
                    self._sql.submission_version, {"p_id": nid}
                )
                actual = rows[0][0] if rows else None
                if actual != expected:
                    raise ConflictError(nid, expected, actual) from None
            raise ConflictError(stale.expected[0][0], stale.expected[0][1], None) from None
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, sa.exc.IntegrityError):
                raise _classify(self, campaign, changes, receipt, cause) from cause
            raise
        if self.recent is not None:  # committed (in an atomic scope: when the scope commits)
            self.recent.keep([ch.after for ch in changes])

    def _write(self, cur: Any, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None) -> None:
        if receipt is not None:
            write_receipt(cur, self._sql, campaign, receipt)
        write_changes(cur, self._sql, campaign, changes, self._dbapi_integrity)

    def _autocommit(self, text: str, params: Any) -> int:
        """Run one statement (driver SQL and its parameters) in autocommit; the number of rows
        it wrote."""
        with self._wrap(), self._cursor(False) as cur:
            cur.execute(text, params)
            done: int = cur.rowcount
        return done


def _classify(
    store: SQLStore,
    campaign: str,
    changes: Sequence[AnyChange],
    receipt: Receipt | None,
    exc: sa.exc.IntegrityError,
) -> PilotflowError:
    """Name the constraint a concurrent writer won on (read after the rollback)."""
    if receipt is not None and store.receipt(campaign, receipt.key) is not None:
        return ReceiptExists(receipt.key)
    filed = changes[0] if len(changes) == 1 else None
    if receipt is None and isinstance(filed, Change) and filed.before is None:
        # A filing: what the checked path says of it (one read for the claim and the id)
        sql, params = new_nomination_check(store._sql, campaign, filed.after)
        rows = store._fetch(sql, params)
        refused = new_nomination_refusal(filed.after, rows[0] if rows else None)
        if refused is not None:
            return refused
    for ch in changes:
        if isinstance(ch, Change) and ch.after.claims_unit:
            other = store.find_claim(campaign, ch.after.unit_code, ch.after.track, ch.after.project)
            if other is not None and other.id != ch.after.id:
                return DuplicateNomination(ch.after.unit_code, other.id)
    first = changes[0].after if changes else None
    if first is None:
        return StoreError(f"integrity error: {exc}", f"数据完整性错误：{exc}")
    try:
        actual: int | None = (
            store.get(first.id) if isinstance(first, Nomination) else store.get_submission(first.id)
        ).version
    except NominationNotFound:  # (a SubmissionNotFound too)
        actual = None
    return ConflictError(first.id, (changes[0].before.version if changes[0].before else 0), actual)


def _seats(used: Any, authority: str, unit_type: str) -> int:
    """A quota counter's seats taken, as stored."""
    try:
        if type(used) is not int:  # (2.5 would be taken as 2; below zero is pilotflow's own: a
            # release made before any seat was taken, see _fast's seat statement)
            raise ValueError(f"seats taken must be a whole number: {used!r}")
        return used
    except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
        raise malformed(
            f"the quota counter of {authority} ({unit_type})", f"{authority} 的名额计数", exc
        ) from exc
