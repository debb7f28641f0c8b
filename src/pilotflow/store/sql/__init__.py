"""The SQL store (SQLAlchemy 2 Core): SQLite by default, PostgreSQL for many processes.

Tables (names carry a prefix, ``pf_`` by default, and may live in a schema)::

    pf_nominations  one row per nomination: its current version, state and holder
    pf_events       the audit log; UNIQUE (nomination_id, version) backs optimistic locking
    pf_quota        seats used per (campaign, authority, unit type), "*" for all types
    pf_receipts     idempotency keys of commands already carried out, with their results
    pf_meta         schema version

A commit runs in one transaction. A nomination row is updated only ``WHERE version =
expected`` (else :class:`~pilotflow.errors.ConflictError`); a seat is taken only by
``UPDATE ... SET used = used + 1 WHERE used + 1 <= limit`` — a single statement the database
serialises on the row (SQLite: the whole file, taken up front with ``BEGIN IMMEDIATE``;
PostgreSQL: the row lock, with the condition re-checked after a wait), so two writers can
never both take the last seat. Driver errors are wrapped in
:class:`~pilotflow.errors.StoreError` (``raise ... from``).
"""

from __future__ import annotations

import operator
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import attrs
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from ...domain.events import FIXED_FIELDS, Event, build_nomination
from ...domain.records import MinistryRecord, Nomination
from ...errors import (
    ConflictError,
    DuplicateNomination,
    InvalidInput,
    NominationNotFound,
    PilotflowError,
    StoreError,
)
from ...files._io import NotRegular, read_head
from ..base import Change, Receipt, ReceiptExists, SeatUnavailable, Store, check_changes, findable
from ..base import given as _given
from ..codec import (
    EVENT_COLUMNS,
    converter,
    decode_materials,
    dumps,
    encode_materials,
    event_row,
    event_values,
    loads,
    moment_values,
    row_event,
    tuple_json,
)

__all__ = ["SCHEMA_VERSION", "SQLStore", "configure_sqlite", "make_metadata"]

SCHEMA_VERSION = "1"
_READ_ONLY = "pilotflow_read_only"


def make_metadata(prefix: str = "pf_", schema: str | None = None) -> sa.MetaData:
    """pilotflow's tables as SQLAlchemy ``MetaData`` (for a host's migrations, too)."""
    md = sa.MetaData(schema=schema)
    claims: sa.ColumnClause[bool] = sa.column("claims_unit")
    sa.Table(
        f"{prefix}nominations",
        md,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("unit_code", sa.String(18), nullable=False),
        sa.Column("unit_name", sa.Text, nullable=False),
        sa.Column("unit_type", sa.String(50), nullable=False),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("hop", sa.Integer, nullable=False),
        sa.Column("holder", sa.String(50), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("claims_unit", sa.Boolean, nullable=False),
        sa.Column("stamps", sa.Text, nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("seats", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("track", sa.String(20), nullable=False),
        sa.Column("batch", sa.Integer),
        sa.Column("ministry", sa.Text),
        sa.Index(
            f"{prefix}uq_unit_claim",
            "campaign",
            "track",
            "unit_code",
            unique=True,
            sqlite_where=claims == sa.true(),
            postgresql_where=claims == sa.true(),
        ),
        sa.Index(f"{prefix}ix_holder", "campaign", "holder", "state"),
    )
    sa.Table(
        f"{prefix}events",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("nomination_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor_authority", sa.String(50), nullable=False),
        sa.Column("actor_department", sa.String(50), nullable=False),
        sa.Column("actor_person", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("at_utc", sa.BigInteger, nullable=False),
        sa.Column("from_state", sa.String(30), nullable=False),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("from_holder", sa.String(50)),
        sa.Column("to_holder", sa.String(50), nullable=False),
        sa.Column("verdicts", sa.Text, nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("lists", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("nomination_id", "version", name=f"{prefix}uq_event_version"),
        sa.Index(f"{prefix}ix_events_campaign", "campaign", "seq"),
    )  # fmt: skip
    sa.Table(
        f"{prefix}quota",
        md,
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("authority", sa.String(50), primary_key=True),
        sa.Column("unit_type", sa.String(50), primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
    )
    sa.Table(
        f"{prefix}receipts",
        md,
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    sa.Table(
        f"{prefix}meta",
        md,
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    return md


class _Sql:
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


class _Own:
    """A DB-API connection taken from the engine (so its ``connect`` listeners, e.g.
    :func:`configure_sqlite`'s pragmas, have run) and detached from the pool: owned by one
    thread of one process (``fork`` is the process generation it was opened in)."""

    __slots__ = ("__weakref__", "conn", "fork")

    def __init__(self, conn: Any, fork: int) -> None:
        self.conn = conn
        self.fork = fork


#: Process generation: bumped in a forked child, whose inherited connections are never used
#: (nor closed: SQLite forbids carrying a connection across fork) but kept alive here.
_FORK = [0]
_ALL_OWN: weakref.WeakSet[_Own] = weakref.WeakSet()
_ORPHANS: list[_Own] = []


def _after_fork() -> None:
    _FORK[0] += 1
    _ORPHANS.extend(_ALL_OWN)


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(after_in_child=_after_fork)


class _StaleRows(Exception):
    """Raised inside a commit's transaction (so that it rolls back) when a version-checked
    UPDATE matched fewer rows than it was given; the versions are read after the rollback."""

    def __init__(self, expected: list[tuple[str, int]]) -> None:
        super().__init__(expected)
        self.expected = expected


def _is_retryable(exc: sa.exc.OperationalError) -> bool:
    """A deadlock or serialization failure (PostgreSQL) or a busy SQLite file."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc.orig)


_fromiso = datetime.fromisoformat

#: The fields an action can change, and how each column is written when it does. Every other
#: field is fixed when a nomination is filed (``events.apply`` copies it; a test pins that),
#: so an update compares and writes only these. ``holder`` and ``claims_unit`` are derived:
#: written when ``hop`` or ``state`` change.
_MOVING: dict[str, Any] = {
    "hop": None,
    "state": None,
    "stamps": tuple_json,  # tuples of strings: JSON arrays (cached by value)
    "materials": lambda v: dumps(encode_materials(v)),
    "seats": tuple_json,
    "updated_at": lambda v: moment_values(v)[0],
    "ministry": lambda v: None if v is None else dumps(converter.unstructure(v)),
}
_GET_MOVING = operator.attrgetter(*_MOVING)
if {*_MOVING, *FIXED_FIELDS, "version"} != {a.name for a in attrs.fields(Nomination)}:  # pragma: no cover
    raise ImportError("pilotflow.store.sql: _MOVING and events.FIXED_FIELDS must cover Nomination")
_MOVING_ENCODERS = tuple(_MOVING.items())


def _store_error(exc: sa.exc.SQLAlchemyError) -> PilotflowError:
    if isinstance(exc, sa.exc.OperationalError) and _is_retryable(exc):
        return ConflictError("(transaction)", 0, None)
    return StoreError(
        f"database error: {type(exc).__name__}: {exc}".splitlines()[0],
        "数据库错误：" + str(exc).splitlines()[0],
    )


def _sqlite_url(url: str) -> str:
    path = (sa.engine.make_url(url).database or "") if "///" in url else ""  # %-decoded, no ?query
    if not path or path == ":memory:":
        raise InvalidInput(
            "the SQLite store needs a real file: sqlite:///path/to/pilotflow.db",
            "SQLite 存储需要一个真实文件路径：sqlite:///path/to/pilotflow.db",
        )
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise InvalidInput(
            f"the folder of the SQLite file does not exist: {parent}",
            f"SQLite 文件所在目录不存在：{parent}",
        )
    return url


#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """``sqlite:///path`` for a file path, with the characters a URL would read otherwise
    (``%``, ``?``) percent-encoded."""
    return "sqlite:///" + os.fspath(path).replace("%", "%25").replace("?", "%3F")


def _existing_sqlite(url: str, prefix: str) -> sa.URL:
    """For ``read_only``: the URL of an existing SQLite file that holds pilotflow's tables,
    opened without ever creating it (``mode=rw``), once it is checked to be one without
    creating, locking or changing anything: a regular file (a folder, a FIFO or a device is
    refused, never read), with SQLite's header and a ``{prefix}meta`` table."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if not name or name == ":memory:" or parsed.query.get("uri"):
        raise InvalidInput(
            "reading a SQLite store needs the path of an existing file: sqlite:///path/to/pilotflow.db",
            "只读打开 SQLite 存储需要一个已存在文件的路径：sqlite:///path/to/pilotflow.db",
        )
    path = os.path.abspath(os.path.expanduser(name))
    head = _sqlite_head(name, path)
    if not head:
        raise InvalidInput(
            f"{name} is empty, not a pilotflow database", f"{name} 是空文件，不是 pilotflow 数据库"
        )
    if not head.startswith(SQLITE_HEADER):
        raise InvalidInput(
            f"{name} is not a SQLite database, so not a pilotflow database",
            f"{name} 不是 SQLite 数据库文件，因而不是 pilotflow 数据库",
        )
    # A WAL-mode file without its -wal file is complete: read it as immutable, so that no
    # -wal or -shm file is made beside a file that may not be ours.
    immutable = head[18] == 2 and not os.path.exists(path + "-wal")
    check = f"file:{quote(path)}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(check, uri=True)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"{prefix}meta",)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot read the SQLite file {name}: {exc}",
            f"无法读取 SQLite 文件 {name}（文件可能已损坏或正被锁定）",
        ) from exc
    if found is None:
        raise InvalidInput(
            f"{name} is not a pilotflow database (it has no {prefix}meta table): "
            "a database of another application?",
            f"{name} 不是 pilotflow 数据库（可能是其他应用程序的数据库）",
        )
    query = {**parsed.query, "uri": "true", "mode": "rw"}
    return sa.engine.URL.create("sqlite", database=f"file:{quote(path)}", query=query)


def _sqlite_head(name: str, path: str) -> bytes:
    """The first 100 bytes of a regular file (SQLite's header), refusing anything else
    before opening it (a FIFO would block, a device may act on being opened)."""
    try:
        return read_head(path, 100)
    except NotRegular:
        raise _not_a_file(name, os.path.isdir(path)) from None
    except FileNotFoundError:
        raise InvalidInput(f"no such database file: {name}", f"数据库文件不存在：{name}") from None
    except OSError as exc:
        denied = isinstance(exc, PermissionError)
        raise InvalidInput(
            f"cannot read the database file {name}: {exc.strerror or exc}",
            f"无法读取数据库文件 {name}" + ("（没有读取权限）" if denied else ""),
        ) from None


def _holds_pilotflow(engine: Engine, prefix: str, schema: str | None) -> None:
    """For ``read_only`` on a server database: refuse one without pilotflow's tables."""
    try:
        with engine.connect() as conn:
            found = sa.inspect(conn).has_table(f"{prefix}meta", schema=schema)
    except sa.exc.SQLAlchemyError as exc:
        raise _store_error(exc) from exc
    if not found:
        where = f"{schema}.{prefix}meta" if schema else f"{prefix}meta"
        raise InvalidInput(
            f"the database holds no pilotflow tables (no {where} table): not a pilotflow database",
            "该数据库中没有 pilotflow 的数据表，不是 pilotflow 数据库",
        )


def _not_a_file(name: str, folder: bool) -> InvalidInput:
    if folder:
        return InvalidInput(f"{name} is a folder, not a database file", f"{name} 是文件夹，不是数据库文件")
    return InvalidInput(
        f"{name} is not a regular file (a FIFO, a device or a socket), so not a database file",
        f"{name} 不是普通文件（而是管道、设备或套接字），不是数据库文件",
    )


_BUSY_TIMEOUT_MS = 30_000


def _switch_to_wal(cur: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the database's
    write lock. SQLite does not call the busy handler for this switch (it would have to
    raise a lock it may already share), so a process connecting while another migrates or
    writes, as web workers starting together do, got "database is locked" at once."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def configure_sqlite(engine: Engine, *, read_only: bool = False) -> Engine:
    """Make a SQLite engine transactional the way pilotflow needs (and return it).

    Python's sqlite3 driver defers BEGIN and so breaks SAVEPOINTs and host rollbacks; this
    installs SQLAlchemy's documented recipe (pilotflow issues ``BEGIN IMMEDIATE`` itself,
    taking the write lock up front) plus WAL, a busy timeout and foreign keys. A host that
    hands pilotflow its own SQLite engine or connection must call this on the engine first.
    ``read_only``: leave the journal mode as it is and refuse every write
    (``PRAGMA query_only``).
    """

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        else:
            _switch_to_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # pilotflow's own reads run in autocommit (one statement, a consistent snapshot in
        # WAL) instead of taking the write lock; every transaction that writes takes it.
        if not conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _engine(url: str, *, read_only: bool = False, prefix: str = "pf_", **options: Any) -> Engine:
    if url.startswith("sqlite") and read_only:
        return configure_sqlite(sa.create_engine(_existing_sqlite(url, prefix), **options), read_only=True)
    if url.startswith("sqlite"):
        return configure_sqlite(sa.create_engine(_sqlite_url(url), **options))
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql"):
        try:
            import psycopg  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise StoreError(
                "PostgreSQL needs psycopg 3: pip install 'pilotflow[postgres]'",
                "使用 PostgreSQL 需要安装 psycopg 3：pip install 'pilotflow[postgres]'",
            ) from exc
        return sa.create_engine(url, **options)
    raise InvalidInput(
        f"unsupported store URL {url!r}: use memory://, sqlite:///file.db or postgresql://...",
        f"不支持的存储地址 {url!r}",
    )


def _version_error(found: str | None, table: str) -> StoreError:
    """Refuse a database at another schema version, saying what to do about it."""
    if found is None:
        en = (
            "create the tables with SQLStore(..., create=True) or "
            "pilotflow.store.migrate.upgrade(url_or_engine)"
        )
        zh = "请用 SQLStore(..., create=True) 或 pilotflow.store.migrate.upgrade(...) 建表"
    elif found.isdigit() and int(found) < int(SCHEMA_VERSION):
        en = "migrate it first: pilotflow.store.migrate.upgrade(url_or_engine)"
        zh = "请先迁移：pilotflow.store.migrate.upgrade(...)"
    else:
        en = "it was written by a newer pilotflow: upgrade pilotflow"
        zh = "它由更新版本的 pilotflow 写入，请升级 pilotflow"
    return StoreError(
        f"the database holds pilotflow schema version {found!r} (in {table}); this pilotflow "
        f"needs {SCHEMA_VERSION!r}: {en}",
        f"数据库中的 pilotflow 表结构版本为 {found!r}（{table}），本程序需要 {SCHEMA_VERSION!r}：{zh}",
    )


class SQLStore(Store):
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
        self.metadata = make_metadata(prefix, schema)
        t = self.metadata.tables
        key = (schema + ".") if schema else ""
        self._n = t[f"{key}{prefix}nominations"]
        self._e = t[f"{key}{prefix}events"]
        self._q = t[f"{key}{prefix}quota"]
        self._m = t[f"{key}{prefix}meta"]
        self._r = t[f"{key}{prefix}receipts"]
        self._pg = engine.dialect.name == "postgresql"
        # Reads outside a host connection: autocommit (PostgreSQL: no BEGIN/ROLLBACK round
        # trips; SQLite: no write lock, see configure_sqlite).
        self._reader = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._pg
            else engine.execution_options(**{_READ_ONLY: True})
        )
        self._dbapi_error: type[Exception] = engine.dialect.loaded_dbapi.Error
        self._dbapi_integrity: type[Exception] = engine.dialect.loaded_dbapi.IntegrityError
        # SQLite on our own engine: each thread keeps one DB-API connection (no pool
        # checkout and return per call; see _own). Pools that share one connection between
        # threads or callers (StaticPool, SingletonThreadPool) keep the pooled path.
        self._own_ok = (
            self._conn is None
            and engine.dialect.name == "sqlite"
            and engine.dialect.driver == "pysqlite"
            and isinstance(engine.pool, (sa.pool.QueuePool, sa.pool.NullPool))
        )
        self._local = threading.local()
        self._owned: weakref.WeakSet[_Own] = weakref.WeakSet()
        if self._own_ok:
            self.atomic = self._atomic
        self._prepare_statements()
        meta = self._m
        with self._wrap():
            if create:
                with self._write_conn() as conn:
                    if schema and self._pg:
                        conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
                    # Only a database with no recorded version gets tables: one at another
                    # version is left untouched (and refused below) for the migrations.
                    if self._recorded_version(conn, schema) is None:
                        self.metadata.create_all(conn)
                        conn.execute(sa.insert(meta).values(key="schema_version", value=SCHEMA_VERSION))
            with self._read_conn() as conn:
                found = self._recorded_version(conn, schema)
        if found != SCHEMA_VERSION:
            raise _version_error(found, f"{key}{meta.name}")

    def _prepare_statements(self) -> None:
        """Statements built once: SQLAlchemy then only looks up its compiled form, instead
        of building a statement and its cache key from 21 literal values on every call.

        The hot ones (read a nomination, update it, append its event, move a seat) are also
        compiled once for this dialect to driver SQL and run on the DB-API cursor of the
        SQLAlchemy-managed connection, inside the same transaction (see :meth:`_cursor`)."""
        n, q, b = self._n, self._q, sa.bindparam
        self._get_stmt = sa.select(n).where(n.c.id == b("p_id"))
        self._version_stmt = sa.select(n.c.version).where(n.c.id == b("p_id"))
        self._insert_nomination = sa.insert(n)
        self._update_nomination = sa.update(n).where(n.c.id == b("p_id"), n.c.version == b("p_expected"))
        self._insert_event = sa.insert(self._e)
        key = (q.c.campaign == b("p_campaign"), q.c.authority == b("p_authority"),
               q.c.unit_type == b("p_unit_type"))  # fmt: skip
        self._quota_stmt = sa.select(q.c.used).where(*key)
        self._take = sa.update(q).where(*key).values(used=q.c.used + b("p_delta"))
        self._take_capped = self._take.where(q.c.used + b("p_delta") <= b("p_limit"))
        self._insert_quota: sa.Executable
        if self._pg:
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            self._insert_quota = pg_insert(q).on_conflict_do_nothing()
        else:
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            self._insert_quota = sqlite_insert(q).on_conflict_do_nothing()
        r = self._r
        self._columns = [c.name for c in n.c]
        event_columns = [c.name for c in self._e.c if c.name != "seq"]
        self._sql_get = self._compile(self._get_stmt)
        self._sql_version = self._compile(self._version_stmt)
        self._sql_insert_nomination = self._compile(self._insert_nomination, self._columns)
        self._sql_insert_event = self._compile(self._insert_event, event_columns)
        self._sql_insert_event.ordered = self._sql_insert_event.names == EVENT_COLUMNS
        self._sql_quota = self._compile(self._quota_stmt)
        self._sql_take = self._compile(self._take)
        self._sql_take_capped = self._compile(self._take_capped)
        self._sql_insert_quota = self._compile(
            self._insert_quota, ["campaign", "authority", "unit_type", "used"]
        )
        self._sql_claim = self._compile(
            sa.select(n.c.id).where(n.c.campaign == b("p_campaign"), n.c.unit_code == b("p_unit_code"),
                                    n.c.track == b("p_track"), n.c.claims_unit == sa.true(),
                                    n.c.id != b("p_id"))
        )  # fmt: skip
        self._sql_receipt = self._compile(
            sa.select(r.c.fingerprint, r.c.result).where(
                r.c.campaign == b("p_campaign"), r.c.key == b("p_key")
            )
        )
        self._sql_insert_receipt = self._compile(sa.insert(r), ["campaign", "key", "fingerprint", "result"])
        self._sql_updates: dict[tuple[str, ...], _Sql] = {}
        self._sql_lists: dict[tuple[str, ...], _Sql] = {}
        self._one_sql: dict[tuple[str, ...], _Sql] = {}
        self._decoded: dict[str, Any] = {}
        self._last_materials: tuple[str, Any] = ("", ())

    def _compile(self, stmt: sa.ClauseElement, column_keys: list[str] | None = None) -> _Sql:
        compiled = stmt.compile(dialect=self.engine.dialect, column_keys=column_keys)
        return _Sql(compiled.string, getattr(compiled, "positiontup", None))

    def _update_sql(self, columns: tuple[str, ...]) -> _Sql:
        """``UPDATE nominations SET <only these columns> WHERE id = ? AND version = ?``."""
        sql = self._sql_updates.get(columns)
        if sql is None:
            n, b = self._n, sa.bindparam
            stmt = (
                sa.update(n)
                .where(n.c.id == b("p_id"), n.c.version == b("p_expected"))
                .ordered_values(*((n.c[c], b("v_" + c)) for c in columns))  # SET in our order
            )
            sql = self._sql_updates[columns] = self._compile(stmt)
            sql.ordered = sql.names == (*("v_" + c for c in columns), "p_id", "p_expected")
        return sql

    def _recorded_version(self, conn: Connection, schema: str | None) -> str | None:
        """The schema version recorded in the meta table (None: no table, or no row)."""
        meta = self._m
        if not sa.inspect(conn).has_table(meta.name, schema=schema):
            return None
        found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
        return None if found is None else str(found)

    @classmethod
    def from_url(cls, url: str, **options: Any) -> SQLStore:
        prefix = options.pop("prefix", "pf_")
        schema = options.pop("schema", None)
        create = options.pop("create", True)
        # read_only: check first that the database holds pilotflow's tables (a SQLite file:
        # without creating, locking or changing anything), then never create or migrate.
        read_only = bool(options.pop("read_only", False))
        engine = _engine(url, read_only=read_only, prefix=prefix, **options)
        try:
            if read_only and engine.dialect.name != "sqlite":  # (SQLite: checked by _engine)
                _holds_pilotflow(engine, prefix, schema)
            return cls(engine, prefix=prefix, schema=schema, create=create and not read_only)
        except BaseException:
            engine.dispose()  # close the file now (SQLite then removes its -wal and -shm)
            raise

    def __repr__(self) -> str:
        return f"<SQLStore {self.engine.url.render_as_string(hide_password=True)}>"

    def close(self) -> None:
        if self._conn is None:
            fork = _FORK[0]
            for own in list(self._owned):
                if own.fork == fork:
                    with suppress(Exception):
                        own.conn.close()
                self._owned.discard(own)
            self._local = threading.local()
            self.engine.dispose()

    def _own(self) -> Any:
        """This thread's own DB-API connection (SQLite, autocommit: ``isolation_level`` is
        None, BEGIN is issued explicitly), opened through the engine on first use."""
        own: _Own | None = getattr(self._local, "own", None)
        if own is None or own.fork != _FORK[0]:
            fairy = self.engine.raw_connection()
            try:
                conn = fairy.driver_connection
                fairy.detach()
            except BaseException:
                fairy.close()
                raise
            own = self._local.own = _Own(conn, _FORK[0])
            self._owned.add(own)
            _ALL_OWN.add(own)
        return own.conn

    def _driver_failed(self, exc: Exception) -> NoReturn:
        """Raise a driver error of our own connection as SQLAlchemy would have wrapped it,
        dropping the connection if it is gone."""
        own: _Own | None = getattr(self._local, "own", None)
        if own is not None and self.engine.dialect.is_disconnect(exc, own.conn, None):  # type: ignore[arg-type]
            self._local.own = None
            self._owned.discard(own)
            with suppress(Exception):
                own.conn.close()
        wrapped = sa.exc.DBAPIError.instance(None, None, exc, self._dbapi_error, dialect=self.engine.dialect)
        wrapped.__cause__ = exc
        raise _store_error(wrapped) from wrapped

    def _fetch(self, sql: _Sql, values: Mapping[str, Any]) -> list[Any]:
        """All rows of a compiled read (autocommit, outside any transaction of ours)."""
        if self._own_ok:
            try:
                rows: list[Any] = self._own().execute(sql.text, sql.params(values)).fetchall()
            except self._dbapi_error as exc:
                self._driver_failed(exc)
            except sa.exc.SQLAlchemyError as exc:
                raise _store_error(exc) from exc
            return rows
        with self._wrap(), self._cursor(False) as cur:
            cur.execute(sql.text, sql.params(values))
            rows = cur.fetchall()
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
            raise _store_error(exc) from exc
        except self._dbapi_error as exc:  # a statement run on the driver's cursor
            wrapped = sa.exc.DBAPIError.instance(
                None, None, exc, self._dbapi_error, dialect=self.engine.dialect
            )
            wrapped.__cause__ = exc
            raise _store_error(wrapped) from wrapped

    # -- rows ------------------------------------------------------------------------

    @staticmethod
    def _row(n: Nomination) -> dict[str, Any]:
        return {
            "id": n.id,
            "campaign": n.campaign,
            "revision": n.revision,
            "unit_code": n.unit_code,
            "unit_name": n.unit_name,
            "unit_type": n.unit_type,
            "scenario": n.scenario,
            "route": dumps(list(n.route)),
            "hop": n.hop,
            "holder": n.holder,
            "state": n.state,
            "claims_unit": n.claims_unit,
            "stamps": dumps(list(n.stamps)),
            "materials": dumps(encode_materials(n.materials)),
            "seats": dumps(list(n.seats)),
            "version": n.version,
            "created_at": n.created_at.isoformat(),
            "updated_at": n.updated_at.isoformat(),
            "track": n.track,
            "batch": n.batch,
            "ministry": None if n.ministry is None else dumps(converter.unstructure(n.ministry)),
        }

    def _nomination(self, r: Sequence[Any]) -> Nomination:
        """A nomination from a row in table order (a driver tuple or a SQLAlchemy Row); JSON
        columns are decoded once per distinct text (a cache: the values are immutable)."""
        (nid, campaign, revision, unit_code, unit_name, unit_type, scenario, route, hop, _holder,
         state, _claims, stamps, materials, seats, version, created_at, updated_at, track, batch,
         ministry) = r  # fmt: skip
        cache = self._decoded
        if len(cache) > 8192:
            cache.clear()
        route_v = cache.get(route)
        if route_v is None:
            route_v = cache[route] = tuple(loads(route))
        stamps_v = cache.get(stamps)
        if stamps_v is None:
            stamps_v = cache[stamps] = tuple(loads(stamps))
        seats_v = cache.get(seats)
        if seats_v is None:
            seats_v = cache[seats] = tuple(loads(seats))
        last = self._last_materials  # rows in a listing mostly share one (long) materials text:
        if materials == last[0]:  # comparing with the last one is cheaper than hashing it
            materials_v = last[1]
        else:
            materials_v = cache.get(materials)
            if materials_v is None:
                materials_v = cache[materials] = decode_materials(loads(materials))
            self._last_materials = (materials, materials_v)
        return build_nomination(
            nid, campaign, revision, unit_code, unit_name, unit_type, scenario, route_v, hop, state,
            stamps_v, materials_v, seats_v, version, _fromiso(created_at), _fromiso(updated_at),
            track, batch,
            None if ministry is None else converter.structure(loads(ministry), MinistryRecord),
        )  # fmt: skip

    # -- reads -----------------------------------------------------------------------

    def get(self, nomination_id: str) -> Nomination:
        if not findable(nomination_id, what="nomination_id"):
            raise NominationNotFound(nomination_id)
        if self._own_ok:
            try:
                rows = self._own().execute(self._sql_get.text, (nomination_id,)).fetchall()
            except self._dbapi_error as exc:
                self._driver_failed(exc)
            except sa.exc.SQLAlchemyError as exc:
                raise _store_error(exc) from exc
        else:
            rows = self._fetch(self._sql_get, {"p_id": nomination_id})
        if not rows:
            raise NominationNotFound(nomination_id)
        return self._nomination(rows[0])

    def find_claim(self, campaign: str, unit_code: str, track: str = "new") -> Nomination | None:
        if not findable(campaign, unit_code, track, what="campaign, unit_code and track"):
            return None
        n = self._n
        with self._wrap(), self._read_conn() as conn:
            row = conn.execute(
                sa.select(n).where(n.c.campaign == campaign, n.c.unit_code == unit_code, n.c.track == track,
                                   n.c.claims_unit == sa.true())
            ).first()  # fmt: skip
        return None if row is None else self._nomination(row)

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
        key = tuple(values)
        sql = self._sql_lists.get(key)
        if sql is None:  # compiled once per combination of filters
            n = self._n
            q = sa.select(n).where(*(n.c[k[2:]] == sa.bindparam(k) for k in key))
            sql = self._sql_lists[key] = self._compile(q.order_by(n.c.created_at, n.c.id))
        return [self._nomination(r) for r in self._fetch(sql, values)]

    def events(self, campaign: str, nomination_id: str | None = None) -> list[Event]:
        if not findable(campaign, *_given(nomination_id), what="campaign and nomination_id"):
            return []
        e = self._e
        q = sa.select(e).where(e.c.campaign == campaign)
        if nomination_id is not None:
            q = q.where(e.c.nomination_id == nomination_id)
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(q.order_by(e.c.seq)).mappings().all()
        return [row_event(r) for r in rows]

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        if not findable(campaign, authority, unit_type, what="campaign, authority and unit_type"):
            return 0
        sql = self._sql_quota
        params = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type}
        rows = self._fetch(sql, params)
        return int(rows[0][0] or 0) if rows else 0

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        if not findable(campaign, what="campaign"):
            return {}
        q = self._q
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(
                sa.select(q.c.authority, q.c.unit_type, q.c.used).where(
                    q.c.campaign == campaign, q.c.used != 0
                )
            ).all()
        return {(a, t): int(u) for a, t, u in rows}

    # -- writes ----------------------------------------------------------------------

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        if not findable(campaign, key, what="campaign and key"):
            return None
        sql = self._sql_receipt
        rows = self._fetch(sql, {"p_campaign": campaign, "p_key": key})
        return Receipt(key, rows[0][0], rows[0][1]) if rows else None

    def commit(self, campaign: str, changes: Sequence[Change], receipt: Receipt | None = None) -> None:
        if type(changes) is not tuple and type(changes) is not list:
            check_changes(changes)
        try:
            if self._pg and self._conn is None and receipt is None and len(changes) == 1:
                ch = changes[0]
                if (
                    ch.before is not None
                    and not ch.seats
                    and (ch.before.claims_unit or not ch.after.claims_unit)
                ):
                    self._commit_one(campaign, ch, ch.before)
                    return
            if self._own_ok:
                self._commit_own(campaign, changes, receipt)
            else:
                with self._wrap(), self._cursor(True) as cur:
                    if receipt is not None:
                        self._write_receipt(cur, campaign, receipt)
                    self._write(cur, campaign, changes)
        except _StaleRows as stale:  # rolled back: name the first row another writer changed
            sql = self._sql_version
            for nid, expected in stale.expected:
                rows = self._fetch(sql, {"p_id": nid})
                actual = rows[0][0] if rows else None
                if actual != expected:
                    raise ConflictError(nid, expected, actual) from None
            raise ConflictError(stale.expected[0][0], stale.expected[0][1], None) from None
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, sa.exc.IntegrityError):
                raise self._classify(campaign, changes, receipt, cause) from cause
            raise

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """SQLite: one action's reads and its commit in one ``BEGIN IMMEDIATE`` transaction on
        this thread's connection (see :attr:`Store.atomic`); nested scopes join the outer one."""
        conn = self._own()
        if getattr(self._local, "atomic", False):
            yield
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except self._dbapi_error as exc:
            self._driver_failed(exc)
        self._local.atomic = True
        try:
            yield
        except BaseException:
            self._local.atomic = False
            if conn.in_transaction:
                conn.rollback()
            raise
        self._local.atomic = False
        try:
            conn.execute("COMMIT")
        except self._dbapi_error as exc:
            if conn.in_transaction:
                conn.rollback()
            self._driver_failed(exc)

    def _commit_own(self, campaign: str, changes: Sequence[Change], receipt: Receipt | None) -> None:
        """SQLite on this thread's own connection: ``BEGIN IMMEDIATE`` ... ``COMMIT``,
        rolled back on any error; inside an :meth:`_atomic` scope, only the writes (the
        scope commits, or rolls back when this raises)."""
        try:
            conn = self._own()
            cur = conn.cursor()
            own = not getattr(self._local, "atomic", False)  # else the scope commits
            if own:
                cur.execute("BEGIN IMMEDIATE")
            try:
                if receipt is not None:
                    self._write_receipt(cur, campaign, receipt)
                self._write(cur, campaign, changes)
                if own:
                    cur.execute("COMMIT")
            except BaseException:
                if own and conn.in_transaction:
                    conn.rollback()
                raise
        except self._dbapi_error as exc:
            self._driver_failed(exc)
        except sa.exc.SQLAlchemyError as exc:
            raise _store_error(exc) from exc

    def _commit_one(self, campaign: str, ch: Change, before: Nomination) -> None:
        """PostgreSQL, one change that takes no seat: the version-checked UPDATE and the
        event INSERT as one statement (``WITH u AS (UPDATE ... RETURNING) INSERT ... SELECT
        FROM u``), run in autocommit: atomic by itself, one round trip. No row updated: no
        event inserted, nothing written."""
        values = self._changed(before, ch.after)
        columns = tuple(values)
        sql = self._one_sql.get(columns)
        if sql is None:
            n, e, b = self._n, self._e, sa.bindparam
            upd = (
                sa.update(n)
                .where(n.c.id == b("p_id"), n.c.version == b("p_expected"))
                .values({n.c[c]: b("v_" + c) for c in columns})
                .returning(n.c.id)
                .cte("pf_updated")
            )
            cols = [c for c in e.c if c.name != "seq"]
            select = sa.select(*[sa.cast(b("e_" + c.name), c.type) for c in cols]).select_from(upd)
            sql = self._one_sql[columns] = self._compile(sa.insert(e).from_select(cols, select))
        params = {"v_" + c: v for c, v in values.items()}
        params["p_id"], params["p_expected"] = ch.after.id, before.version
        for c, v in event_row(campaign, ch.event).items():
            params["e_" + c] = v
        with self._wrap(), self._cursor(False) as cur:
            cur.execute(sql.text, sql.params(params))
            done = cur.rowcount
        if done != 1:
            raise _StaleRows([(ch.after.id, before.version)])

    def _write_receipt(self, cur: Any, campaign: str, receipt: Receipt) -> None:
        sql = self._sql_receipt
        cur.execute(sql.text, sql.params({"p_campaign": campaign, "p_key": receipt.key}))
        if cur.fetchone() is not None:
            raise ReceiptExists(receipt.key)
        sql = self._sql_insert_receipt
        values = {"campaign": campaign, "key": receipt.key, "fingerprint": receipt.fingerprint,
                  "result": receipt.result}  # fmt: skip
        cur.execute(sql.text, sql.params(values))

    def _classify(
        self,
        campaign: str,
        changes: Sequence[Change],
        receipt: Receipt | None,
        exc: sa.exc.IntegrityError,
    ) -> PilotflowError:
        """Name the constraint a concurrent writer won on (read after the rollback)."""
        if receipt is not None and self.receipt(campaign, receipt.key) is not None:
            return ReceiptExists(receipt.key)
        for ch in changes:
            if ch.after.claims_unit:
                other = self.find_claim(campaign, ch.after.unit_code, ch.after.track)
                if other is not None and other.id != ch.after.id:
                    return DuplicateNomination(ch.after.unit_code, other.id)
        first = changes[0].after if changes else None
        if first is None:
            return StoreError(f"integrity error: {exc}", f"数据完整性错误：{exc}")
        try:
            actual: int | None = self.get(first.id).version
        except NominationNotFound:
            actual = None
        return ConflictError(first.id, (changes[0].before.version if changes[0].before else 0), actual)

    def _changed(self, before: Nomination, after: Nomination) -> dict[str, Any]:
        """The columns of ``after`` that differ from ``before``, encoded (a stamp writes
        stamps, version and updated_at, not the materials or the route)."""
        out: dict[str, Any] = {}
        # By identity: apply() carries an unchanged value over as the same object, so a new
        # object is (nearly always) a new value; writing an equal one again is harmless and
        # cheaper than comparing (a moment from the clock against one read back from the row
        # costs a time-zone conversion per comparison).
        # (hop and state are an int and a short string: compared by value.)
        for (f, enc), old, new in zip(_MOVING_ENCODERS, _GET_MOVING(before), _GET_MOVING(after), strict=True):
            if new is not old and (enc is not None or new != old):
                out[f] = new if enc is None else enc(new)
        if "hop" in out:
            out["holder"] = after.holder
        if "state" in out:
            out["claims_unit"] = after.claims_unit
        out["version"] = after.version
        return out

    def _write(self, cur: Any, campaign: str, changes: Sequence[Change]) -> None:
        # Net seat moves per counter, applied once per commit (a selection of 100 candidates
        # moves two counters, not 200): (authority, counter) -> [delta, limit, a seat].
        moves: dict[tuple[str, str], list[Any]] = {}
        # Updates (grouped by the columns they write) and events go to the driver as one
        # executemany each (psycopg: pipelined; SQLite: one prepared statement).
        updates: dict[tuple[str, ...], list[Any]] = {}
        expected: list[tuple[str, int]] = []
        events: list[Any] = []
        ev_sql = self._sql_insert_event
        for ch in changes:
            after = ch.after
            if after.claims_unit and (ch.before is None or not ch.before.claims_unit):
                sql = self._sql_claim
                cur.execute(sql.text, sql.params({"p_campaign": campaign, "p_unit_code": after.unit_code,
                                                  "p_track": after.track, "p_id": after.id}))  # fmt: skip
                other = cur.fetchone()
                if other is not None:
                    raise DuplicateNomination(after.unit_code, other[0])
            if ch.before is None:
                sql = self._sql_version
                cur.execute(sql.text, sql.params({"p_id": after.id}))
                exists = cur.fetchone()
                if exists is not None:
                    raise ConflictError(after.id, 0, exists[0])
                sql = self._sql_insert_nomination
                cur.execute(sql.text, sql.params(self._row(after)))
            else:
                values = self._changed(ch.before, after)
                columns = tuple(values)
                sql = self._update_sql(columns)
                if sql.ordered:
                    row: Any = (*values.values(), after.id, ch.before.version)
                else:
                    params = {"v_" + c: v for c, v in values.items()}
                    params["p_id"], params["p_expected"] = after.id, ch.before.version
                    row = sql.params(params)
                updates.setdefault(columns, []).append(row)
                expected.append((after.id, ch.before.version))
            if ev_sql.ordered:
                events.append(event_values(campaign, ch.event))
            else:
                events.append(ev_sql.params(event_row(campaign, ch.event)))
            for seat in ch.seats:
                for unit_type, limit in seat.counters:
                    move = moves.get((seat.authority, unit_type))
                    if move is None:
                        move = moves[seat.authority, unit_type] = [0, None, seat]
                    move[0] += seat.delta
                    if seat.delta > 0 and limit is not None:
                        move[1] = limit if move[1] is None else min(move[1], limit)
                        move[2] = seat
        matched = 0
        for columns, rows in updates.items():
            text = self._update_sql(columns).text
            if len(rows) == 1:
                cur.execute(text, rows[0])
            else:
                cur.executemany(text, rows)
            matched += cur.rowcount
        if matched != len(expected):
            raise _StaleRows(expected)
        try:
            if len(events) == 1:
                cur.execute(ev_sql.text, events[0])
            elif events:
                cur.executemany(ev_sql.text, events)
        except self._dbapi_integrity as exc:
            first = changes[0]
            raise ConflictError(first.after.id, first.event.version - 1, None) from exc
        quota = self._sql_quota
        for (authority, unit_type), (delta, limit, seat) in sorted(moves.items(), key=lambda m: m[0]):
            if delta == 0:
                continue
            values = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type,
                      "p_delta": delta, "p_limit": limit}  # fmt: skip
            sql = self._sql_take_capped if delta > 0 and limit is not None else self._sql_take
            params = sql.params(values)
            cur.execute(sql.text, params)
            if cur.rowcount == 1:
                continue
            cur.execute(quota.text, quota.params(values))
            row = cur.fetchone()
            if row is None:  # the counter's first seat: create its row, then take
                self._ensure_quota_row(cur, campaign, authority, unit_type)
                cur.execute(sql.text, params)
                if cur.rowcount == 1:
                    continue
                cur.execute(quota.text, quota.params(values))
                row = cur.fetchone()
            raise SeatUnavailable(seat, int(row[0] or 0) if row else 0, limit or 0, unit_type)

    def _ensure_quota_row(self, cur: Any, campaign: str, authority: str, unit_type: str) -> None:
        sql = self._sql_insert_quota
        values = {"campaign": campaign, "authority": authority, "unit_type": unit_type, "used": 0}
        cur.execute(sql.text, sql.params(values))
