"""pilotflow's own migrations (Alembic), run from Python: no ``alembic.ini`` needed.

The revisions live in ``pilotflow/store/migrations/versions``; each creates or changes
exactly what :func:`~pilotflow.store.sql.make_metadata` describes at that version and
records the matching ``schema_version`` in the ``pf_meta`` table, which is what
:class:`~pilotflow.store.sql.SQLStore` checks before it runs. Alembic's own bookkeeping goes
to a table named after the prefix (``pf_alembic_version``), in the same schema, so it never
collides with a host application's ``alembic_version``.

>>> import tempfile, pathlib
>>> from pilotflow.store import migrate
>>> migrate.head()
'0007'
>>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'pilotflow.db'}"
>>> migrate.current(url) is None          # an empty database
True
>>> migrate.upgrade(url)
'0007'
>>> migrate.upgrade(url)                  # already there: nothing to do
'0007'

A database made by ``SQLStore(create=True)`` (``create_all``) carries no Alembic revision;
:func:`upgrade` adopts it by stamping the revision that matches its ``schema_version`` and
goes on from there, so the two ways of creating the tables can be mixed.

From the Alembic command line, point ``script_location`` at the package
(``script_location = pilotflow.store:migrations``) and pass the options with ``-x``:
``alembic -x url=postgresql://... -x prefix=pf_ -x schema=selection upgrade head``.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy.engine import Connection, Engine

from ..errors import InvalidInput, StoreError, shown
from .sql import make_metadata
from .sql.core import engine_for as _engine
from .sql.core import missing_sqlite_file
from .sql.schema import check_names
from .sql.sqlite import new_file, remove_if_empty

__all__ = [
    "SCRIPT_LOCATION",
    "alembic_config",
    "current",
    "downgrade",
    "head",
    "migration_options",
    "upgrade",
    "version_table",
]

SCRIPT_LOCATION = Path(__file__).resolve().with_name("migrations")

# The Alembic revision that leaves a database at each pf_meta schema_version: what a
# database created by ``create_all`` is adopted as.
REVISION_OF_SCHEMA: Mapping[str, str] = {
    "1": "0001", "2": "0002", "3": "0003", "4": "0004", "5": "0005", "6": "0006", "7": "0007"
}  # fmt: skip

# Alembic's ``context``/``op`` are module-level proxies: one migration at a time per process.
_IN_PROCESS = threading.Lock()
_PREFIX = "pilotflow.prefix"
_SCHEMA = "pilotflow.schema"
_CONNECTION = "connection"


def version_table(prefix: str = "pf_") -> str:
    """The name of the table where Alembic records pilotflow's revision (never the host's
    ``alembic_version``, even with an empty prefix)."""
    return f"{prefix or 'pilotflow_'}alembic_version"


def alembic_config(
    *, prefix: str = "pf_", schema: str | None = None, connection: Connection | None = None
) -> Config:
    """An Alembic ``Config`` for pilotflow's migrations (for ``alembic.command`` calls)."""
    check_names(prefix, schema)
    if connection is not None and not isinstance(connection, Connection):
        raise InvalidInput(
            f"connection must be a SQLAlchemy Connection or None, got {type(connection).__name__}",
            f"connection 参数应为 SQLAlchemy 的 Connection 或 None，收到 {type(connection).__name__}",
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    cfg.attributes[_PREFIX] = prefix
    cfg.attributes[_SCHEMA] = schema
    if connection is not None:
        cfg.attributes[_CONNECTION] = connection
    return cfg


def head() -> str:
    """The newest revision this pilotflow ships."""
    found = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert found is not None
    return found


def upgrade(
    bind: str | Engine | Connection,
    *,
    prefix: str = "pf_",
    schema: str | None = None,
    revision: str = "head",
) -> str | None:
    """Migrate pilotflow's tables to ``revision`` (the newest by default); return the
    revision the database is at afterwards.

    ``bind`` is a store URL (``sqlite:///file.db``, ``postgresql://...``), an ``Engine`` or
    a ``Connection``. Everything runs in one transaction (a ``Connection`` already in a
    transaction is used as it is: the caller commits). On PostgreSQL the ``schema`` is
    created if missing. A database whose tables were made by ``SQLStore(create=True)`` is
    first stamped with the revision matching its ``schema_version``.
    """
    _revision(revision)
    with _IN_PROCESS, _connection(bind, prefix, schema) as conn:
        cfg = alembic_config(prefix=prefix, schema=schema, connection=conn)
        with _alembic_errors():
            _lock(conn, prefix, schema)
            found = _stamped(conn, prefix, schema)
            if found is None:
                adopted = _adoptable(conn, prefix, schema)
                if adopted is not None:
                    command.stamp(cfg, adopted)
            elif found not in _known_revisions():
                raise _newer(found)
            command.upgrade(cfg, revision)
        return _stamped(conn, prefix, schema)


def downgrade(
    bind: str | Engine | Connection,
    revision: str,
    *,
    prefix: str = "pf_",
    schema: str | None = None,
) -> str | None:
    """Migrate back to ``revision`` (``"base"``: drop every pilotflow table, and its data)."""
    _revision(revision)
    with _IN_PROCESS, _connection(bind, prefix, schema) as conn:
        cfg = alembic_config(prefix=prefix, schema=schema, connection=conn)
        with _alembic_errors():
            _lock(conn, prefix, schema)
            found = _stamped(conn, prefix, schema)
            if found is not None and found not in _known_revisions():
                raise _newer(found)
            command.downgrade(cfg, revision)
        return _stamped(conn, prefix, schema)


def current(bind: str | Engine | Connection, *, prefix: str = "pf_", schema: str | None = None) -> str | None:
    """The revision the database is at; ``None`` if it holds no pilotflow tables.

    For tables made by ``create_all`` (never stamped), the revision matching their
    ``schema_version``. Writes nothing: a SQLite file that does not exist is not created.
    """
    if _no_file(bind, prefix, schema):
        return None
    with _connection(bind, prefix, schema) as conn, _alembic_errors():
        found = _stamped(conn, prefix, schema)
        if found is None:
            found = _adoptable(conn, prefix, schema)
        elif found not in _known_revisions():
            raise _newer(found)
        return found


def migration_options() -> tuple[str, str | None]:
    """``(prefix, schema)`` of the migration running now (for use in revision files)."""
    from alembic import context

    attributes = context.config.attributes
    return attributes[_PREFIX], attributes[_SCHEMA]


# -- env.py ------------------------------------------------------------------------------


def run_env() -> None:
    """The body of ``migrations/env.py`` (call it only from there, while Alembic runs).

    Options come from the ``Config`` attributes (:func:`alembic_config`), else from
    ``alembic -x prefix=... -x schema=... -x url=...``, else from ``sqlalchemy.url`` in
    the ini file. A connection handed in through the attributes is used as it is.
    """
    from alembic import context

    cfg = context.config
    x = context.get_x_argument(as_dictionary=True)
    prefix = cfg.attributes.get(_PREFIX) or x.get("prefix") or "pf_"
    schema = cfg.attributes.get(_SCHEMA) if _SCHEMA in cfg.attributes else x.get("schema")
    schema = schema or None
    check_names(prefix, schema)
    cfg.attributes[_PREFIX] = prefix
    cfg.attributes[_SCHEMA] = schema
    opts: dict[str, Any] = {
        "target_metadata": make_metadata(prefix, schema),
        "version_table": version_table(prefix),
        "version_table_schema": schema,
        "include_schemas": schema is not None,
        "include_name": _only_schema(schema),
        "transactional_ddl": True,
    }
    if context.is_offline_mode():
        context.configure(url=_url(cfg, x), literal_binds=True, **opts)
        _migrate(schema)
        return
    given = cfg.attributes.get(_CONNECTION)
    if given is not None:
        context.configure(connection=given, **opts)
        _migrate(schema)
        return
    engine = _engine(_url(cfg, x))
    try:
        with engine.begin() as conn:
            context.configure(connection=conn, **opts)
            _migrate(schema)
    finally:
        engine.dispose()


def _migrate(schema: str | None) -> None:
    """Create the schema (PostgreSQL: the version table goes there too), then migrate."""
    from alembic import context

    if schema is not None and context.get_context().dialect.name == "postgresql":
        context.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    with context.begin_transaction():
        context.run_migrations()


def _only_schema(schema: str | None) -> Any:
    """Autogenerate looks at pilotflow's schema only, not at the host's other schemas."""

    def include_name(name: str | None, type_: str, _parents: Mapping[str, str | None]) -> bool:
        return type_ != "schema" or name == schema

    return include_name


def _url(cfg: Config, x: Mapping[str, str]) -> str:
    url = x.get("url") or cfg.get_main_option("sqlalchemy.url")
    if not url:
        raise InvalidInput(
            "no database to migrate: call pilotflow.store.migrate.upgrade(url_or_engine), "
            "or pass -x url=... (or sqlalchemy.url in the ini file) to alembic",
            "未指定要迁移的数据库：请调用 pilotflow.store.migrate.upgrade(url_or_engine)，"
            "或在 alembic 命令行传入 -x url=...",
        )
    return url


# -- helpers -----------------------------------------------------------------------------


def _revision(revision: object) -> None:
    """Refuse a revision that is no text (Alembic would fail on it with a TypeError)."""
    if not isinstance(revision, str) or not revision.strip() or len(revision) > 100:
        raise InvalidInput(
            f"revision must be a revision of pilotflow's migrations such as 'head', '0004' or "
            f"'base', got {shown(revision)}",
            f"revision 参数应为 pilotflow 的迁移版本，如 'head'、'0004' 或 'base'，收到 {shown(revision)}",
        )


def _no_file(bind: object, prefix: str, schema: str | None) -> bool:
    """Whether ``bind`` is the URL of a SQLite file that is not there (which a connection
    would create), read from the URL as opening a store reads it: no engine is built."""
    if not isinstance(bind, str) or bind.startswith("memory"):
        return False
    check_names(prefix, schema)
    return missing_sqlite_file(bind, schema=schema)


@contextmanager
def _connection(bind: str | Engine | Connection, prefix: str, schema: str | None) -> Iterator[Connection]:
    """One transaction on ``bind``: our own, or the caller's if it already runs one; the
    names checked first (a refusal creates no SQLite file; nor does a migration that fails).
    A database that cannot be opened is a :class:`StoreError`."""
    check_names(prefix, schema)
    if isinstance(bind, Connection):
        with _alembic_errors():  # (a closed connection: StoreError)
            joined = bind.in_transaction()
        if joined:
            yield bind
        else:
            with _alembic_errors(), bind.begin():
                yield bind
    elif isinstance(bind, Engine):
        with _alembic_errors(), bind.begin() as conn:
            yield conn
    elif isinstance(bind, str):
        if bind.startswith("memory"):
            raise InvalidInput("the memory store has no tables to migrate", "内存存储没有需要迁移的数据表")
        engine = _engine(bind, schema=schema)
        made = new_file(engine)  # (None: not SQLite, or the file is there already)
        try:
            with _alembic_errors(), engine.begin() as conn:
                yield conn
        except BaseException:
            engine.dispose()
            remove_if_empty(made, tables=True)  # (a migration refused leaves no new file behind)
            raise
        finally:
            engine.dispose()
    else:
        raise InvalidInput(
            f"migrate needs a store URL, an Engine or a Connection, got {type(bind).__name__}",
            "迁移需要数据库地址、SQLAlchemy Engine 或 Connection",
        )


def _lock(conn: Connection, prefix: str, schema: str | None) -> None:
    """Let one migration run at a time across processes (workers may start together).

    PostgreSQL: a transaction-level advisory lock on the prefix and schema, released at
    commit or rollback. SQLite needs none: ``configure_sqlite`` begins with ``BEGIN
    IMMEDIATE``, which takes the file's write lock up front.
    """
    if conn.dialect.name == "postgresql":
        key = zlib.crc32(f"pilotflow.migrate:{schema or ''}.{prefix}".encode()) - 2**31
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _stamped(conn: Connection, prefix: str, schema: str | None) -> str | None:
    """The revision recorded in pilotflow's version table (None: never stamped)."""
    ctx = MigrationContext.configure(
        conn, opts={"version_table": version_table(prefix), "version_table_schema": schema}
    )
    return ctx.get_current_revision()


def _known_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {s.revision for s in script.walk_revisions()}


def _adoptable(conn: Connection, prefix: str, schema: str | None) -> str | None:
    """For tables made without Alembic: the revision matching their ``schema_version``
    (None for a database with no pilotflow tables at all)."""
    inspector = sa.inspect(conn)
    tables = [t.name for t in make_metadata(prefix, schema).sorted_tables]
    present = [t for t in tables if inspector.has_table(t, schema=schema)]
    if not present:
        return None
    meta = f"{prefix}meta"
    found = None
    if meta in present:
        t = sa.table(meta, sa.column("key"), sa.column("value"), schema=schema)
        found = conn.execute(sa.select(t.c.value).where(t.c.key == "schema_version")).scalar()
    if found is None:
        where = f"{schema}." if schema else ""
        raise StoreError(
            f"the database has pilotflow tables ({where}{', '.join(present)}) but no schema "
            f"version in {where}{meta}: open it once with SQLStore(..., create=True) to record "
            "it, or stamp it (alembic stamp) before migrating",
            f"数据库中已有 pilotflow 数据表，但 {where}{meta} 中没有表结构版本：请先用 "
            "SQLStore(..., create=True) 打开一次以记录版本，或先执行 alembic stamp",
        )
    revision = REVISION_OF_SCHEMA.get(found)
    if revision is None:
        raise StoreError(
            f"the database holds pilotflow schema version {found!r}, which this pilotflow "
            f"does not know (it knows {', '.join(map(repr, REVISION_OF_SCHEMA))}): upgrade "
            "pilotflow",
            f"数据库中的 pilotflow 表结构版本 {found!r} 为本程序所不知，请升级 pilotflow",
        )
    return revision


def _newer(revision: str) -> StoreError:
    return StoreError(
        f"the database is at pilotflow migration {revision!r}, which this pilotflow does not "
        f"ship (its newest is {head()!r}): it was migrated by a newer pilotflow; upgrade pilotflow",
        f"数据库的 pilotflow 迁移版本 {revision!r} 不在本程序的迁移脚本中（最新为 {head()!r}），"
        "应是由更新版本的 pilotflow 迁移的，请升级 pilotflow",
    )


@contextmanager
def _alembic_errors() -> Iterator[None]:
    """Alembic's and the driver's errors as :class:`StoreError` (``raise ... from``)."""
    try:
        yield
    except CommandError as exc:
        raise StoreError(f"migration failed: {exc}", f"迁移失败：{exc}") from exc
    except sa.exc.SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        raise StoreError(f"migration failed: {type(exc).__name__}: {first}", f"迁移失败：{first}") from exc
