"""``open_store``'s arguments are checked before any database is touched: a refused call names
the argument in English and Chinese and creates no SQLite file, no PostgreSQL table and no
schema."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store import migrate
from pilotflow.store.sql import SQLStore, make_metadata, sqlite_url

BAD: list[tuple[dict[str, Any], str]] = [
    ({"prefix": 'a";'}, "prefix"),
    ({"prefix": 1}, "prefix"),
    ({"prefix": "p" * 42}, "prefix"),
    ({"prefix": "前缀_"}, "prefix"),
    ({"schema": ""}, "schema"),
    ({"schema": 1}, "schema"),
    ({"schema": "a\x00b"}, "schema"),
    ({"schema": "pf_\n"}, "schema"),  # (written unquoted by SQLAlchemy, refused by the server)
    ({"schema": "s" * 64}, "schema"),
    ({"schema": "遴选" * 11}, "schema"),  # (66 bytes in UTF-8)
    ({"schema": 'a"b'}, "schema"),
    ({"create": "no"}, "create"),
    ({"read_only": 1}, "read_only"),
    ({"no_such_option": 1}, "no_such_option"),
    ({"query_cache_size": -5}, "query_cache_size"),  # (SQLAlchemy's cache looped forever)
    ({"pool_recycle": "x"}, "pool_recycle"),  # (refused only at the first connection)
    ({"echo": "loud"}, "echo"),  # (a raw KeyError)
    ({"pool_timeout": float("nan")}, "pool_timeout"),
    ({"poolclass": 5}, "poolclass"),  # (a raw AttributeError; the host's own engine's to set)
    ({"execution_options": {"isolation_level": "BOGUS"}}, "execution_options"),
    ({"isolation_level": "AUTOCOMMIT"}, "isolation_level"),  # (pilotflow's transactions need theirs)
]


@pytest.mark.parametrize(("options", "named"), BAD, ids=[named + str(i) for i, (_, named) in enumerate(BAD)])
def test_a_sqlite_store_refused_for_its_arguments_leaves_no_file(
    tmp_path: Path, options: dict[str, Any], named: str
) -> None:
    """Each bad argument is refused with InvalidInput naming it (in both languages where the
    name is the argument's), and the folder holds no new file."""
    with pytest.raises(pf.InvalidInput, match=named) as info:
        pf.open_store(sqlite_url(tmp_path / "pf.db"), **options)
    assert info.value.zh != info.value.en
    assert [] == list(tmp_path.iterdir())


def test_sqlite_refusals_of_their_own_leave_no_file(tmp_path: Path) -> None:
    """``create=False`` on a file that does not exist, a schema other than ``main`` on a
    SQLite file, a NUL in the URL, a URL that is no text, a connect argument the driver
    refuses at its first connection (an unknown one, or a value it cannot take), and the
    migrations given a bad prefix are refused before any file is left behind."""
    url = sqlite_url(tmp_path / "pf.db")
    with pytest.raises(pf.InvalidInput, match="create=False") as info:
        pf.open_store(url, create=False)
    assert "create=False" in info.value.zh
    with pytest.raises(pf.InvalidInput, match="schema") as info:
        pf.open_store(url, schema="pilotflow")
    assert "schema" in info.value.zh
    with pytest.raises(pf.InvalidInput, match="NUL"):
        pf.open_store(sqlite_url(tmp_path / "a\x00b.db"))
    with pytest.raises(pf.InvalidInput, match="text"):
        SQLStore.from_url(None)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="connect_args"):
        pf.open_store(url, connect_args={"bogus": 1})
    with pytest.raises(pf.InvalidInput, match="connect_args"):  # (a raw ValueError)
        pf.open_store(url, connect_args={"isolation_level": "x"})
    for call in (
        lambda: migrate.upgrade(url, prefix="bad-prefix"),
        lambda: migrate.downgrade(url, "base", prefix="bad-prefix"),
        lambda: migrate.current(url, prefix="bad-prefix"),
    ):
        with pytest.raises(pf.InvalidInput, match="prefix"):
            call()
    assert [] == list(tmp_path.iterdir())
    pf.open_store(url, schema="main").close()  # made, then opened without creating
    pf.open_store(url, create=False).close()


def test_a_store_on_an_engine_checks_its_flag(tmp_path: Path) -> None:
    """``SQLStore(engine, create=...)`` takes True or False only (a text was taken as true
    and made the tables)."""
    engine = sa.create_engine(sqlite_url(tmp_path / "h.db"))
    try:
        with pytest.raises(pf.InvalidInput, match="create"):
            SQLStore(engine, create="no")  # type: ignore[arg-type]
        assert [] == sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_postgres_schema_name_is_any_text_postgres_takes(pg_url: str) -> None:
    """A schema with a hyphen, capitals or Chinese characters (quoted in every statement) is
    a name pilotflow takes, as it did before the names were checked."""
    name = f"pf-遴选-{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    try:
        pf.open_store(pg_url, schema=name).close()
        assert "pf_nominations" in sa.inspect(engine).get_table_names(schema=name)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        engine.dispose()


@pytest.mark.parametrize(("options", "named"), BAD, ids=[named + str(i) for i, (_, named) in enumerate(BAD)])
def test_a_postgres_store_refused_for_its_arguments_creates_nothing(
    pg_url: str, options: dict[str, Any], named: str
) -> None:
    """On PostgreSQL the same arguments are refused the same way, and the database gains no
    table and no schema."""
    engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    try:
        before = _names(engine)
        with pytest.raises(pf.InvalidInput, match=named):
            pf.open_store(pg_url, **options)
        assert before == _names(engine)
    finally:
        engine.dispose()


def _names(engine: sa.Engine) -> tuple[list[str], list[str]]:
    inspector = sa.inspect(engine)
    schemas = inspector.get_schema_names()
    return schemas, [f"{s}.{t}" for s in schemas for t in inspector.get_table_names(schema=s)]


def test_the_same_rule_holds_for_the_tables_the_migrations_and_a_host_engine(tmp_path: Path) -> None:
    """The one rule for a prefix and a schema name applies to ``make_metadata``, the
    migrations and ``SQLStore`` on a host's engine, and a prefix may be empty."""
    for call in (
        lambda: make_metadata(prefix="a-b"),
        lambda: migrate.current(sqlite_url(tmp_path / "m.db"), prefix="a b"),
        lambda: SQLStore(sa.create_engine(sqlite_url(tmp_path / "h.db")), prefix='x"'),
    ):
        with pytest.raises(pf.InvalidInput, match="prefix"):
            call()
    assert "nominations" in make_metadata(prefix="").tables
    assert "s.pf_nominations" in make_metadata(schema="s").tables


def test_the_engine_options_a_store_takes_reach_its_engine(tmp_path: Path) -> None:
    """The pool's options given to ``open_store`` reach the engine it makes: a pool of 3, a
    ``NullPool`` (behind a pooler such as pgbouncer), a recycle time in seconds as a float, a
    connect-argument mapping of any kind."""
    from collections import OrderedDict

    from sqlalchemy.pool import NullPool

    for options, check in (
        ({"pool_size": 3, "pool_pre_ping": True}, lambda e: e.pool.size() == 3),
        ({"poolclass": NullPool}, lambda e: isinstance(e.pool, NullPool)),
        ({"pool_recycle": 1800.0}, lambda e: e.pool._recycle == 1800.0),
        ({"connect_args": OrderedDict(timeout=7)}, lambda e: e.pool is not None),
    ):
        store = pf.open_store(sqlite_url(tmp_path / "pf.db"), **options)
        try:
            assert check(store.engine), options  # type: ignore[attr-defined]
            assert [] == store.nominations("any")
        finally:
            store.close()


def test_a_raised_isolation_level_reaches_a_postgres_store(pg_url: str) -> None:
    """``isolation_level="SERIALIZABLE"`` (a host that wants it) reaches the connections of
    a PostgreSQL store, which then files as usual."""
    schema = f"pf_iso_{uuid.uuid4().hex[:8]}"
    store = pf.open_store(pg_url, schema=schema, isolation_level="SERIALIZABLE")
    try:
        assert isinstance(store, SQLStore)
        with store.engine.connect() as conn:
            assert "SERIALIZABLE" == conn.get_isolation_level()
        assert [] == store.nominations("any")
    finally:
        store.close()
        engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_an_isolation_level_sqlite_has_not_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    """An isolation level pilotflow takes but SQLite does not have (REPEATABLE READ), or a
    connect argument too large for the driver, is refused as the options' fault at the first
    connection, and the file it made is removed."""
    url = sqlite_url(tmp_path / "pf.db")
    for options in ({"isolation_level": "REPEATABLE READ"}, {"connect_args": {"cached_statements": 10**20}}):
        with pytest.raises(pf.InvalidInput, match="could not be opened with these options"):
            pf.open_store(url, **options)
        assert [] == list(tmp_path.iterdir())


def test_the_memory_store_takes_no_options() -> None:
    """``open_store("memory://", ...)`` with any option (a schema, read_only, an engine
    option) is refused by name instead of ignoring it silently (a read-only memory store
    would have taken writes)."""
    for options in ({"schema": 5}, {"read_only": True}, {"pool_size": 3}):
        with pytest.raises(pf.InvalidInput, match=next(iter(options))):
            pf.open_store("memory://", **options)
    assert isinstance(pf.open_store("memory://"), pf.MemoryStore)


def test_a_sqlite_url_with_a_tilde_naming_no_user_is_refused_by_its_folder(tmp_path: Path) -> None:
    """``sqlite:///~user/...`` naming no user is a folder that does not exist: InvalidInput
    from ``open_store`` and the migrations (read-only or not), never a RuntimeError."""
    url = "sqlite:///~pf-no-such-user/x.db"
    for call in (
        lambda: pf.open_store(url),
        lambda: pf.open_store(url, read_only=True),
        lambda: migrate.current(url),
        lambda: migrate.upgrade(url),
    ):
        with pytest.raises(pf.InvalidInput, match="pf-no-such-user"):
            call()


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://u:secret@host:port/db", "cannot be read"),
        ("postgresql://u:se/cret@host:port/db", "cannot be read"),
        ("postgresql://u@host:port/db?password=secret", "cannot be read"),
        ("mysql://root:secret@host/db", "unsupported store URL"),
        ("postgresql+nosuchdriver://host/db", "driver"),
        ("sqlite+nosuchdriver:///x.db", "driver|no such database file"),
        ("sqlite:///x.db?timeout=soon", "cannot be read|no such database file"),
        ("sqlite:///" + "n" * 300 + ".db", "255 bytes|File name too long"),
        ("sqlite:///" + "d/" * 3000 + "x.db", "usable file name"),
        ("postgresql://u\ud800:secret@127.0.0.1/test", "not valid Unicode"),
        ("sqlite:///x\ud800.db", "not valid Unicode"),
    ],
)
def test_a_store_url_that_cannot_be_read_is_invalid_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str, named: str
) -> None:
    """A URL with a port that is no number, a driver that is not installed, a query value
    of the wrong kind or a file name no file system takes is InvalidInput saying so, from
    ``open_store`` (read-only too) and the migrations alike (not a ValueError, ImportError or
    OSError; a lone surrogate no driver can send is said to be one, where it blamed the
    options, "none"), in a short message with no password shown (one holding a ``/``, one given in
    the query, one of a database pilotflow does not take), and no file made."""
    monkeypatch.chdir(tmp_path)
    for call in (
        lambda: pf.open_store(url),
        lambda: pf.open_store(url, read_only=True),
        lambda: migrate.current(url),
    ):
        with pytest.raises(pf.InvalidInput, match=named) as refused:
            call()
        assert "secret" not in str(refused.value)
        assert len(str(refused.value)) < 1500
    assert list(tmp_path.iterdir()) == []


def test_a_database_that_cannot_be_reached_is_explained_in_chinese() -> None:
    """A server that refuses the connection is a StoreError whose Chinese says what kind of
    failure it is (the database cannot be reached or used) before the driver's own English
    text, which follows as 数据库原文; the English keeps the driver's error and text."""
    with pytest.raises(pf.StoreError) as caught:
        pf.open_store("postgresql://pilotflow@127.0.0.1:1/none")
    assert caught.value.zh.startswith("数据库错误：无法连接或使用数据库")
    assert "数据库原文：" in caught.value.zh
    assert caught.value.en.startswith("database error: OperationalError")


@pytest.mark.parametrize(
    "query", ["mode=ro&uri=true", "mode=ro", "uri=true", "mode=rwc&uri=true", "cache=shared"]
)
@pytest.mark.parametrize("read_only", [False, True])
def test_a_sqlite_url_with_sqlite_uri_options_is_refused_saying_how_to_read_only(
    tmp_path: Path, query: str, read_only: bool
) -> None:
    """``sqlite:///x.db?mode=ro&uri=true`` and the like (SQLite's URI options without the
    ``file:`` form) are refused, writing or reading, in English and Chinese: the driver would
    make and write another file (``x.db?mode=ro``) or ignore them, never read only. The
    refusal names the options and ``read_only=True``; no file appears and the database is
    unchanged. The driver's own ``timeout`` is still taken."""
    db = tmp_path / "x.db"
    pf.open_store(sqlite_url(db)).close()
    before = db.read_bytes()
    with pytest.raises(pf.InvalidInput) as refused:
        pf.open_store(f"{sqlite_url(db)}?{query}", read_only=read_only)
    key = query.split("=", 1)[0]
    assert f"'{key}'" in refused.value.en
    assert "read_only=True" in refused.value.en
    assert "read_only=True" in refused.value.zh
    assert "只读" in refused.value.zh
    assert ["x.db"] == sorted(p.name for p in tmp_path.iterdir())
    assert before == db.read_bytes()
    pf.open_store(f"{sqlite_url(db)}?timeout=3", read_only=read_only).close()


def test_a_postgres_schema_without_pilotflows_tables_is_refused_as_such(pg_url: str) -> None:
    """A PostgreSQL schema that holds no pilotflow tables, opened read-only or without
    creating, is refused for that, in English and Chinese, not as a fault of the options
    (pilotflow's own refusal was taken for a driver's), and nothing is created."""
    schema = f"pf_none_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    try:
        before = _names(engine)
        with pytest.raises(pf.PilotflowError) as caught:
            pf.open_store(pg_url, schema=schema, read_only=True)
        assert "options" not in str(caught.value)
        assert "选项" not in caught.value.zh
        with pytest.raises(pf.StoreError, match="holds no pilotflow tables") as refused:
            pf.open_store(pg_url, schema=schema, create=False)
        assert "没有 pilotflow 的表" in refused.value.zh
        assert before == _names(engine)
    finally:
        engine.dispose()
