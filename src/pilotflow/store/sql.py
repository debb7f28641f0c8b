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

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from ..errors import (
    ConflictError,
    DuplicateNomination,
    InvalidInput,
    NominationNotFound,
    PilotflowError,
    StoreError,
)
from ..events import Event
from ..nomination import MinistryRecord, Nomination
from .base import Change, Receipt, ReceiptExists, SeatUnavailable, Store
from .codec import converter, decode_materials, dumps, encode_materials, event_row, loads, row_event

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


def _sqlite_url(url: str) -> str:
    path = url.split("///", 1)[1] if "///" in url else ""
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


def configure_sqlite(engine: Engine) -> Engine:
    """Make a SQLite engine transactional the way pilotflow needs (and return it).

    Python's sqlite3 driver defers BEGIN and so breaks SAVEPOINTs and host rollbacks; this
    installs SQLAlchemy's documented recipe (pilotflow issues ``BEGIN IMMEDIATE`` itself,
    taking the write lock up front) plus WAL, a busy timeout and foreign keys. A host that
    hands pilotflow its own SQLite engine or connection must call this on the engine first.
    """

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # pilotflow's own reads run in autocommit (one statement, a consistent snapshot in
        # WAL) instead of taking the write lock; every transaction that writes takes it.
        if not conn.get_execution_options().get(_READ_ONLY):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _engine(url: str, **options: Any) -> Engine:
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
        of building a statement and its cache key from 21 literal values on every call."""
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
        return cls(_engine(url, **options), prefix=prefix, schema=schema, create=create)

    def __repr__(self) -> str:
        return f"<SQLStore {self.engine.url.render_as_string(hide_password=True)}>"

    def close(self) -> None:
        if self._conn is None:
            self.engine.dispose()

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
    def _wrap(self) -> Iterator[None]:
        try:
            yield
        except PilotflowError:
            raise
        except sa.exc.OperationalError as exc:
            if _is_retryable(exc):
                raise ConflictError("(transaction)", 0, None) from exc
            raise StoreError(
                f"database error: {type(exc).__name__}: {exc}".splitlines()[0],
                "数据库错误：" + str(exc).splitlines()[0],
            ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(
                f"database error: {type(exc).__name__}: {exc}".splitlines()[0],
                "数据库错误：" + str(exc).splitlines()[0],
            ) from exc

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

    @staticmethod
    def _nomination(r: sa.RowMapping | Mapping[str, Any]) -> Nomination:
        return Nomination(
            r["id"], r["campaign"], r["revision"], r["unit_code"], r["unit_name"],
            r["unit_type"], r["scenario"], tuple(loads(r["route"])), r["hop"], r["state"],
            tuple(loads(r["stamps"])), decode_materials(loads(r["materials"])),
            tuple(loads(r["seats"])), r["version"], datetime.fromisoformat(r["created_at"]),
            datetime.fromisoformat(r["updated_at"]), r["track"], r["batch"],
            None if r["ministry"] is None else converter.structure(loads(r["ministry"]), MinistryRecord),
        )  # fmt: skip

    # -- reads -----------------------------------------------------------------------

    def get(self, nomination_id: str) -> Nomination:
        with self._wrap(), self._read_conn() as conn:
            row = conn.execute(self._get_stmt, {"p_id": nomination_id}).mappings().first()
        if row is None:
            raise NominationNotFound(nomination_id)
        return self._nomination(row)

    def find_claim(self, campaign: str, unit_code: str, track: str = "new") -> Nomination | None:
        n = self._n
        with self._wrap(), self._read_conn() as conn:
            row = conn.execute(
                sa.select(n).where(n.c.campaign == campaign, n.c.unit_code == unit_code, n.c.track == track,
                                   n.c.claims_unit == sa.true())
            ).mappings().first()  # fmt: skip
        return None if row is None else self._nomination(row)

    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        n = self._n
        q = sa.select(n).where(n.c.campaign == campaign)
        if holder is not None:
            q = q.where(n.c.holder == holder)
        if state is not None:
            q = q.where(n.c.state == state)
        if unit_type is not None:
            q = q.where(n.c.unit_type == unit_type)
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(q.order_by(n.c.created_at, n.c.id)).mappings().all()
        return [self._nomination(r) for r in rows]

    def events(self, campaign: str, nomination_id: str | None = None) -> list[Event]:
        e = self._e
        q = sa.select(e).where(e.c.campaign == campaign)
        if nomination_id is not None:
            q = q.where(e.c.nomination_id == nomination_id)
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(q.order_by(e.c.seq)).mappings().all()
        return [row_event(r) for r in rows]

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        params = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type}
        with self._wrap(), self._read_conn() as conn:
            used = conn.execute(self._quota_stmt, params).scalar()
        return int(used or 0)

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
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
        r = self._r
        with self._wrap(), self._read_conn() as conn:
            row = conn.execute(
                sa.select(r.c.fingerprint, r.c.result).where(r.c.campaign == campaign, r.c.key == key)
            ).first()
        return None if row is None else Receipt(key, row[0], row[1])

    def commit(self, campaign: str, changes: Sequence[Change], receipt: Receipt | None = None) -> None:
        try:
            with self._wrap(), self._write_conn() as conn:
                if receipt is not None:
                    self._write_receipt(conn, campaign, receipt)
                self._write(conn, campaign, changes)
        except _StaleRows as stale:  # rolled back: name the first row another writer changed
            for nid, expected in stale.expected:
                with self._wrap(), self._read_conn() as conn:
                    actual = conn.execute(self._version_stmt, {"p_id": nid}).scalar()
                if actual != expected:
                    raise ConflictError(nid, expected, actual) from None
            raise ConflictError(stale.expected[0][0], stale.expected[0][1], None) from None
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, sa.exc.IntegrityError):
                raise self._classify(campaign, changes, receipt, cause) from cause
            raise

    def _write_receipt(self, conn: Connection, campaign: str, receipt: Receipt) -> None:
        r = self._r
        exists = conn.execute(
            sa.select(r.c.key).where(r.c.campaign == campaign, r.c.key == receipt.key)
        ).first()
        if exists is not None:
            raise ReceiptExists(receipt.key)
        conn.execute(
            sa.insert(r).values(campaign=campaign, key=receipt.key,
                                fingerprint=receipt.fingerprint, result=receipt.result)
        )  # fmt: skip

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

    def _write(self, conn: Connection, campaign: str, changes: Sequence[Change]) -> None:
        n = self._n
        # Net seat moves per counter, applied once per commit (a selection of 100 candidates
        # moves two counters, not 200): (authority, counter) -> [delta, limit, a seat].
        moves: dict[tuple[str, str], list[Any]] = {}
        # Updates and events go to the driver as one executemany each (psycopg: pipelined,
        # one round trip; events: a multi-row INSERT), not one statement per nomination.
        updates: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for ch in changes:
            after = ch.after
            if after.claims_unit and (ch.before is None or not ch.before.claims_unit):
                other = conn.execute(
                    sa.select(n.c.id).where(n.c.campaign == campaign,
                                            n.c.unit_code == after.unit_code,
                                            n.c.track == after.track,
                                            n.c.claims_unit == sa.true(), n.c.id != after.id)
                ).scalar()  # fmt: skip
                if other is not None:
                    raise DuplicateNomination(after.unit_code, other)
            if ch.before is None:
                exists = conn.execute(self._version_stmt, {"p_id": after.id}).scalar()
                if exists is not None:
                    raise ConflictError(after.id, 0, exists)
                conn.execute(self._insert_nomination, self._row(after))
            else:
                params = self._row(after)
                params["p_id"], params["p_expected"] = after.id, ch.before.version
                updates.append(params)
            events.append(event_row(campaign, ch.event))
            for seat in ch.seats:
                for unit_type, limit in seat.counters:
                    move = moves.setdefault((seat.authority, unit_type), [0, None, seat])
                    move[0] += seat.delta
                    if seat.delta > 0 and limit is not None:
                        move[1] = limit if move[1] is None else min(move[1], limit)
                        move[2] = seat
        if updates and conn.execute(self._update_nomination, updates).rowcount != len(updates):
            raise _StaleRows([(p["p_id"], p["p_expected"]) for p in updates])
        try:
            if events:
                conn.execute(self._insert_event, events)
        except sa.exc.IntegrityError as exc:
            first = changes[0]
            raise ConflictError(first.after.id, first.event.version - 1, None) from exc
        for (authority, unit_type), (delta, limit, seat) in sorted(moves.items(), key=lambda m: m[0]):
            if delta == 0:
                continue
            params = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type,
                      "p_delta": delta, "p_limit": limit}  # fmt: skip
            stmt = self._take_capped if delta > 0 and limit is not None else self._take
            if conn.execute(stmt, params).rowcount == 1:
                continue
            used = conn.execute(self._quota_stmt, params).scalar()
            if used is None:  # the counter's first seat: create its row, then take
                self._ensure_quota_row(conn, campaign, authority, unit_type)
                if conn.execute(stmt, params).rowcount == 1:
                    continue
                used = conn.execute(self._quota_stmt, params).scalar()
            raise SeatUnavailable(seat, int(used or 0), limit or 0, unit_type)

    def _ensure_quota_row(self, conn: Connection, campaign: str, authority: str, unit_type: str) -> None:
        values = {"campaign": campaign, "authority": authority, "unit_type": unit_type, "used": 0}
        conn.execute(self._insert_quota, values)
