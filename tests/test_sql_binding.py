"""Binding a store to a host's connection, once per request: the tables' statements are
compiled and the schema version checked once per engine, prefix and schema; the reads run
compiled statements on the host's transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store.sql import SQLStore, configure_sqlite, file_uri, sqlite_url

from conftest import nominate


@pytest.fixture
def engine(sql_engine: tuple[sa.Engine, str | None]) -> tuple[sa.Engine, str | None]:
    """A host's engine (SQLite file, or PostgreSQL with a fresh schema) and the schema to use."""
    return sql_engine


def statements_run(engine: sa.Engine) -> list[str]:
    """Every statement SQLAlchemy sends on ``engine`` from now on (appended as they run)."""
    seen: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _count(_conn: Any, _cur: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    return seen


def test_a_second_binding_reuses_the_statements_and_checks_no_schema(
    engine: tuple[sa.Engine, str | None],
) -> None:
    """The first store on an engine checks the schema version; a store bound to a host's
    connection afterwards (one per request) shares its compiled statements and sends nothing
    to the database: no schema check, no table inspection."""
    eng, schema = engine
    first = SQLStore(eng, schema=schema)
    seen = statements_run(eng)
    with eng.connect() as conn, conn.begin():
        before = len(seen)
        second = SQLStore(conn, schema=schema, create=False)
        assert before == len(seen)  # binding itself sent no statement
        assert second._sql is first._sql
        assert second.metadata is first.metadata
        assert [] == second.nominations("c")


def test_another_prefix_or_schema_gets_its_own_statements_and_tables(tmp_path: Path) -> None:
    """A store on the same engine with another table prefix compiles its own statements
    (naming its own tables) and creates its own tables on first binding."""
    eng = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    try:
        a = SQLStore(eng)
        b = SQLStore(eng, prefix="gov_pf_")
        assert a._sql is not b._sql
        assert "gov_pf_nominations" in b._sql.get.text
        assert "gov_pf_nominations" not in a._sql.get.text
        assert {"pf_meta", "gov_pf_meta"} <= set(sa.inspect(eng).get_table_names())
        with eng.connect() as conn:
            assert SQLStore(conn, prefix="gov_pf_", create=False)._sql is b._sql
    finally:
        eng.dispose()


def test_a_database_at_another_version_is_refused_at_every_binding_until_migrated(tmp_path: Path) -> None:
    """The schema version is remembered only once found right: a database at another version
    is refused on its engine's first binding and on every later one (nothing written), and
    accepted once it is at this pilotflow's version."""
    path = tmp_path / "host.db"
    setup = configure_sqlite(sa.create_engine(f"sqlite:///{path}"))
    SQLStore(setup)
    with setup.begin() as conn:
        conn.execute(sa.text("UPDATE pf_meta SET value = '99' WHERE key = 'schema_version'"))
    setup.dispose()
    eng = configure_sqlite(sa.create_engine(f"sqlite:///{path}"))
    try:
        for _ in range(2):
            with eng.connect() as conn, pytest.raises(pf.StoreError, match="'99'"):
                SQLStore(conn, create=False)
            with pytest.raises(pf.StoreError, match="'99'"):
                SQLStore(eng)
        with eng.begin() as conn:
            conn.execute(sa.text(f"UPDATE pf_meta SET value = '{pf.store.sql.SCHEMA_VERSION}'"))
        with eng.connect() as conn:
            assert [] == SQLStore(conn, create=False).nominations("c")
    finally:
        eng.dispose()


def test_claim_and_quota_reads_run_compiled_on_the_hosts_transaction(
    engine: tuple[sa.Engine, str | None], make_run: Callable[..., pf.CampaignRun]
) -> None:
    """find_claim, count_claims and quota_usage read inside the host's transaction (they see
    its uncommitted nomination) through compiled statements: SQLAlchemy executes none of its
    own statements for them."""
    eng, schema = engine
    SQLStore(eng, schema=schema)
    with eng.connect() as conn, conn.begin():
        store = SQLStore(conn, schema=schema, create=False)
        run = make_run(store)
        n = nominate(run, 1)
        executed: list[object] = []
        sa.event.listen(conn, "before_execute", lambda *a: executed.append(a[1]))
        found = store.find_claim(run.campaign.id, n.unit_code)
        assert found is not None
        assert n.id == found.id
        assert 1 == store.count_claims(run.campaign.id, n.unit_code)
        assert None is store.find_claim(run.campaign.id, n.unit_code, project="other")
        assert 0 == store.count_claims(run.campaign.id, n.unit_code, "renewal")
        assert {} == store.quota_usage(run.campaign.id)
        assert [] == executed
        conn.rollback()
    with eng.connect() as conn:
        assert 0 == SQLStore(conn, schema=schema, create=False).count_claims(run.campaign.id, n.unit_code)


def test_tables_made_in_a_hosts_rolled_back_transaction_are_made_again(tmp_path: Path) -> None:
    """A store bound with create=True to a host's transaction makes the tables in it; when
    the host rolls back, the next binding on that engine makes them again (the first
    finding is not remembered), and its writes work."""
    eng = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    try:
        with eng.connect() as conn, conn.begin():
            SQLStore(conn)
            conn.rollback()
        assert "pf_meta" not in sa.inspect(eng).get_table_names()
        with eng.connect() as conn, conn.begin():
            assert [] == SQLStore(conn).nominations("c")
        assert "pf_meta" in sa.inspect(eng).get_table_names()
    finally:
        eng.dispose()


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: file_uri(None), "path must be a path"),
        (lambda: file_uri("\ud800"), "path is not a usable file name"),
        (lambda: sqlite_url(None), "path must be a path"),
        (lambda: sqlite_url("\ud800"), "path is not a usable file name"),
        (lambda: configure_sqlite(None), "engine must be a SQLAlchemy engine of SQLite"),
        (lambda: configure_sqlite("sqlite:///x.db"), "got str"),
        (
            lambda: configure_sqlite(sa.create_engine("postgresql+psycopg://u@127.0.0.1/x")),
            "got a postgresql engine",
        ),
        (
            lambda: configure_sqlite(sa.create_engine("sqlite://"), read_only="no"),
            "read_only must be True or False",
        ),
    ],
)
def test_the_sqlite_helpers_refuse_what_is_no_path_or_engine(call: Callable[[], object], says: str) -> None:
    """``file_uri``, ``sqlite_url`` and ``configure_sqlite`` (public in ``pilotflow.store.sql``)
    refuse a path that is none, or that no file system could name, and anything but a SQLite
    engine, with an InvalidInput naming the argument: they raised TypeError,
    UnicodeEncodeError or SQLAlchemy's InvalidRequestError, or made a URL of a lone surrogate."""
    with pytest.raises(pf.InvalidInput, match=re.escape(says)) as refused:
        call()
    assert refused.value.zh
