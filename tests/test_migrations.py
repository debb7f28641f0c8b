"""pilotflow's own migrations (Alembic) on SQLite and PostgreSQL.

The revisions must end exactly where ``make_metadata()`` is: same tables, columns, keys and
indexes as ``create_all``, under any prefix and (PostgreSQL) schema. A migrated database is
accepted by ``SQLStore(create=False)`` and runs a campaign; a database the installed
pilotflow does not know is refused with a clear message.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import main as alembic_main
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import pilotflow as pf
from pilotflow.store import migrate
from pilotflow.store.codec import decode_materials, loads
from pilotflow.store.sql import SCHEMA_VERSION, SQLStore, configure_sqlite, make_metadata
from pilotflow.store.sql import triggers as trigger_sql
from schema3 import schema_3_rows, v3_data

from conftest import forward, nominate

TABLES = ("nominations", "submissions", "listed", "events", "texts", "quota", "receipts", "lists", "meta")
HEAD = migrate.head()


@dataclass
class Target:
    """A place for pilotflow's tables: a database, a prefix and (PostgreSQL) a schema."""

    engine: sa.Engine
    url: str
    prefix: str
    schema: str | None

    @property
    def tables(self) -> list[str]:
        return [f"{self.prefix}{t}" for t in TABLES]

    def table(self, name: str) -> sa.Table:
        """One of pilotflow's tables, as ``make_metadata()`` describes it here."""
        key = f"{self.schema}.{self.prefix}{name}" if self.schema else f"{self.prefix}{name}"
        return make_metadata(self.prefix, self.schema).tables[key]

    def store(self, **options: Any) -> SQLStore:
        return SQLStore(self.engine, prefix=self.prefix, schema=self.schema, **options)


def _pg_engine(url: str) -> sa.Engine:
    return sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1])


@pytest.fixture(params=["sqlite", "postgres"])
def make_target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Target]]:
    """Build empty targets on each SQL engine: SQLite files with a prefix; on PostgreSQL,
    fresh schemas (dropped afterwards) with a prefix."""
    engines: list[sa.Engine] = []
    schemas: list[str] = []
    pg_url = request.getfixturevalue("pg_url") if request.param == "postgres" else None

    def build(prefix: str) -> Target:
        if pg_url is None:
            url = f"sqlite:///{tmp_path / f'{prefix}{len(engines)}.db'}"
            engine = configure_sqlite(sa.create_engine(url))
            engines.append(engine)
            return Target(engine, url, prefix, None)
        schema = f"pf_mig_{uuid.uuid4().hex[:10]}"
        schemas.append(schema)
        engine = _pg_engine(pg_url)
        engines.append(engine)
        return Target(engine, pg_url, prefix, schema)

    yield build
    if pg_url is not None:
        with engines[0].begin() as conn:
            for schema in schemas:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    for engine in engines:
        engine.dispose()


def _where(index: dict[str, Any]) -> str | None:
    options = index.get("dialect_options", {})
    found = options.get("sqlite_where", options.get("postgresql_where"))
    return None if found is None else str(found)


def snapshot(target: Target) -> dict[str, Any]:
    """Every table's columns, primary key, unique constraints and indexes, as reflected
    (the schema's name is blanked out of server defaults such as ``nextval(...)``)."""
    with target.engine.connect() as conn:
        inspector = sa.inspect(conn)
        out: dict[str, Any] = {}
        for table in target.tables:
            kw = {"schema": target.schema}
            columns = [
                (c["name"], str(c["type"]), c["nullable"],
                 str(c.get("default")).replace(f"{target.schema}.", ""), c.get("autoincrement"))
                for c in inspector.get_columns(table, **kw)
            ]  # fmt: skip
            out[table] = {
                "columns": columns,
                "primary_key": inspector.get_pk_constraint(table, **kw),
                "unique": sorted(
                    (u["name"], tuple(u["column_names"]))
                    for u in inspector.get_unique_constraints(table, **kw)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), bool(i["unique"]), _where(dict(i)))
                    for i in inspector.get_indexes(table, **kw)
                ),
            }
        out["triggers"] = triggers(conn, target)
        return out


def triggers(conn: sa.Connection, target: Target) -> list[tuple[str, ...]]:
    """The triggers on pilotflow's tables (name, table), and on PostgreSQL every function of
    the target's schema (a fresh one per target)."""
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'")
        return sorted(tuple(r) for r in rows if str(r[1]).startswith(target.prefix))
    found = conn.execute(
        sa.text(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND NOT t.tgisinternal"
        ),
        {"s": target.schema},
    )
    functions = conn.execute(
        sa.text(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = :s"
        ),
        {"s": target.schema},
    )
    return sorted([*(tuple(r) for r in found), *((f"function {r[0]}",) for r in functions)])


def table_names(target: Target) -> set[str]:
    with target.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names(schema=target.schema))


def differences(target: Target) -> list[Any]:
    """What Alembic's autogenerate would still change to reach ``make_metadata()``."""
    schema = target.schema

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return type_ != "schema" or name == schema

    with target.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": schema is not None,
                "include_name": include_name,
                "version_table": migrate.version_table(target.prefix),
                "version_table_schema": schema,
                "compare_type": True,
            },
        )
        return list(compare_metadata(context, make_metadata(target.prefix, schema)))


def round_trip(target: Target, campaign: pf.Campaign, clock: pf.FixedClock) -> pf.CampaignRun:
    """Nominate, stamp and recommend one level up on the target's tables."""
    run = pf.CampaignRun(campaign, store=target.store(create=False), lists=pf.empty_lists(campaign),
                         clock=clock)  # fmt: skip
    n = nominate(run, 1)
    forward(run, n.id)
    return run


@pytest.mark.parametrize("prefix", ["pf_", "gov_pf_"])
def test_upgrade_creates_what_make_metadata_describes(
    make_target: Callable[[str], Target], prefix: str
) -> None:
    """On an empty database, ``upgrade`` creates the same tables, columns, keys, indexes and
    triggers as ``make_metadata().create_all`` (reflected side by side), autogenerate finds nothing
    left to do, and the only extra table is pilotflow's own Alembic version table."""
    migrated, created = make_target(prefix), make_target(prefix)
    assert HEAD == migrate.upgrade(migrated.engine, prefix=prefix, schema=migrated.schema)
    created.store(create=True).close()
    assert snapshot(created) == snapshot(migrated)
    guarded = {(f"{prefix}{t}_versioned", f"{prefix}{t}") for t in ("nominations", "submissions")}
    assert guarded <= set(snapshot(migrated)["triggers"])  # (schema 7: versions guarded)
    assert [] == differences(migrated)
    assert {*migrated.tables, f"{prefix}alembic_version"} == table_names(migrated)


def test_migrated_database_runs_a_campaign(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """``SQLStore(create=False)`` accepts a migrated database (the migration records the
    schema version) and a nominate → stamp → recommend round trip commits, quota and the
    unit's letter included."""
    target = make_target("gov_pf_")
    migrate.upgrade(target.url if target.schema is None else target.engine, prefix="gov_pf_",
                    schema=target.schema)  # fmt: skip
    run = round_trip(target, campaign, clock)
    (n,) = run.nominations()
    assert ("in_review", "371000", 2) == (n.state, n.holder, n.version)  # filed, recommended
    assert {("371002", "enterprise"): 1, ("371002", "*"): 1} == run.store.quota_usage(campaign.id)
    reopened = target.store(create=False)
    assert [e.action for e in run.events()] == [e.action for e in reopened.events(campaign.id)]
    (letter,) = reopened.submissions(campaign.id)  # its stamped letter, sent
    assert ("sent", (n.id,)) == (letter.state, letter.units)
    assert set(run.graph["371002"].stamping) == set(letter.stamps)


def test_upgrade_adopts_a_database_made_by_create_all(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Tables made by ``SQLStore(create=True)`` carry no Alembic revision: ``current``
    reports the one matching their schema version, ``upgrade`` stamps it and changes
    nothing else, and the data stays."""
    target = make_target("pf_")
    target.store(create=True).close()
    run = round_trip(target, campaign, clock)
    before = snapshot(target)
    assert HEAD == migrate.current(target.engine, schema=target.schema)
    assert {*target.tables} == table_names(target)
    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    assert before == snapshot(target)
    assert {*target.tables, "pf_alembic_version"} == table_names(target)
    reopened = target.store(create=False)
    assert [n.id for n in run.nominations()] == [n.id for n in reopened.nominations(campaign.id)]


def test_create_true_on_a_migrated_database_changes_nothing(make_target: Callable[[str], Target]) -> None:
    """``SQLStore(create=True)`` on a migrated database accepts it as it is."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    before = snapshot(target)
    target.store(create=True).close()
    assert before == snapshot(target)
    assert HEAD == migrate.current(target.engine, schema=target.schema)


def _hand_edit_moves_the_version(target: Target, run: pf.CampaignRun) -> bool:
    """Edit the one nomination's unit name outside pilotflow, its version left alone: was the
    version raised?"""
    (n,) = run.nominations()
    nominations = target.table("nominations")
    with target.engine.begin() as conn:
        conn.execute(sa.update(nominations).where(nominations.c.id == n.id).values(unit_name="更正"))
        version = conn.execute(sa.select(nominations.c.version).where(nominations.c.id == n.id)).scalar()
    return bool(version == n.version + 1)


def test_the_version_guard_migrates_both_ways(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Migration 0007 adds the triggers that raise a version an edit outside pilotflow left
    as it was (an edit by hand then raises it), and its downgrade removes them (with
    PostgreSQL's functions) and records schema version 6 (the same edit leaves the version);
    upgrading again puts them back as ``create_all`` makes them, and they fire."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    with_guard = snapshot(target)["triggers"]
    run = round_trip(target, campaign, clock)
    assert _hand_edit_moves_the_version(target, run)
    assert "0006" == migrate.downgrade(target.engine, "0006", schema=target.schema)
    assert not [t for t in snapshot(target)["triggers"] if "versioned" in t[0]]
    with target.engine.connect() as conn:
        meta = target.table("meta")
        assert "6" == conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    assert not _hand_edit_moves_the_version(target, run)
    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    assert with_guard == snapshot(target)["triggers"]
    assert _hand_edit_moves_the_version(target, run)


def _drop_versioned_triggers(target: Target) -> None:
    """Drop the version guards of the nominations and letters tables (as a host's own
    migrations leave them: autogenerate makes no trigger)."""
    pg = target.engine.dialect.name == "postgresql"
    within = f'"{target.schema}".' if target.schema else ""
    with target.engine.begin() as conn:
        for table in ("pf_nominations", "pf_submissions"):
            on = f' ON {within}"{table}"' if pg else ""
            conn.exec_driver_sql(f'DROP TRIGGER "{table}_versioned"{on}')


def test_a_hosts_own_tables_are_guarded_by_the_sql_pilotflow_gives(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A host whose own migrations create pilotflow's tables (autogenerate makes no
    trigger) runs the SQL ``pilotflow.store.sql.triggers`` gives; a hand edit then raises the
    version as on tables pilotflow made, the triggers are those pilotflow makes, and the SQL
    may be run again (on tables that have them already: nothing changes)."""
    target = make_target("pf_")
    target.store(create=True).close()
    made = snapshot(target)
    run = round_trip(target, campaign, clock)
    _drop_versioned_triggers(target)
    assert not _hand_edit_moves_the_version(target, run)
    for _ in range(2):
        with target.engine.begin() as conn:
            for statement in trigger_sql("pf_", target.schema, target.engine.dialect.name):
                conn.exec_driver_sql(statement)
    assert made["triggers"] == snapshot(target)["triggers"]
    assert _hand_edit_moves_the_version(target, run)


def test_a_store_that_writes_refuses_tables_without_their_triggers(
    make_target: Callable[[str], Target],
) -> None:
    """Tables that lack pilotflow's triggers (made by a host's own migrations that left them
    out) are refused when a store that writes is opened on them, with ``create`` True or
    False, naming each missing trigger and the SQL to run, in English and Chinese; nothing is
    created. A store opened ``read_only`` reads them (the triggers guard writes). Once the
    SQL is run, a store opens."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    made = snapshot(target)
    _drop_versioned_triggers(target)
    dropped = snapshot(target)
    for create in (False, True):
        fresh = Target(_fresh_engine(target), target.url, target.prefix, target.schema)
        both = r"pf_nominations_versioned.*pf_submissions_versioned"
        with pytest.raises(pf.StoreError, match=both) as caught:
            fresh.store(create=create)
        assert "pilotflow.store.sql.triggers('pf_'" in str(caught.value)
        assert "pf_nominations 表的 pf_nominations_versioned" in caught.value.zh
        assert "the database" not in caught.value.zh
        fresh.engine.dispose()
    assert dropped == snapshot(target)
    options = {"schema": target.schema} if target.schema else {}
    reader = SQLStore.from_url(target.url, read_only=True, **options)
    assert [] == reader.nominations("any")
    reader.close()
    with target.engine.begin() as conn:
        for statement in trigger_sql("pf_", target.schema, target.engine.dialect.name):
            conn.exec_driver_sql(statement)
    assert made == snapshot(target)
    again = Target(_fresh_engine(target), target.url, target.prefix, target.schema)
    again.store(create=False).close()
    again.engine.dispose()


def test_sqlite_events_written_without_the_texts_trigger_are_read_back_once_it_is_run(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """On SQLite, the events written while the trigger that stores their texts was missing
    are not read back: a store refuses the tables, saying so, and the SQL ``triggers`` gives
    stores those events' texts as the trigger would have, so that every event is read back."""
    url = f"sqlite:///{tmp_path / 'host.db'}"
    engine = configure_sqlite(sa.create_engine(url))
    target = Target(engine, url, "pf_", None)
    SQLStore(engine).close()
    run = round_trip(target, campaign, clock)  # (this engine's store checked its tables once)
    written = len(run.events())
    with engine.begin() as conn:
        conn.exec_driver_sql('DROP TRIGGER "pf_events_texts"')
    nominate(run, 2)
    assert written == len(run.events())  # the new filing's event is not read back
    fresh = configure_sqlite(sa.create_engine(url))
    with pytest.raises(pf.StoreError, match=r"pf_events_texts.*not read back") as caught:
        SQLStore(fresh, create=False)
    assert "无法读出" in caught.value.zh
    with engine.begin() as conn:
        for statement in trigger_sql("pf_", None, "sqlite"):
            conn.exec_driver_sql(statement)
    store = SQLStore(fresh, create=False)
    assert written + 1 == len(list(store.events(campaign.id)))
    pending = "SELECT count(*) FROM pf_events WHERE typeof(shape) = 'text'"
    with engine.connect() as conn:
        assert 0 == conn.exec_driver_sql(pending).scalar()
    store.close()
    fresh.dispose()


def test_a_trigger_named_in_another_case_counts_on_sqlite(tmp_path: Path) -> None:
    """SQLite reads names without regard to case: a version guard a host created under an
    upper-case name guards the table, and a store opens on it."""
    url = f"sqlite:///{tmp_path / 'host.db'}"
    engine = configure_sqlite(sa.create_engine(url))
    SQLStore(engine).close()
    with engine.begin() as conn:
        conn.exec_driver_sql('DROP TRIGGER "pf_nominations_versioned"')
        (statement,) = [s for s in trigger_sql("pf_", None, "sqlite") if "pf_nominations_versioned" in s]
        conn.exec_driver_sql(statement.replace('"pf_nominations_versioned"', "PF_NOMINATIONS_VERSIONED"))
    fresh = configure_sqlite(sa.create_engine(url))
    SQLStore(fresh, create=False).close()
    fresh.dispose()
    engine.dispose()


def test_postgresql_without_a_schema_finds_the_triggers_on_the_search_path(pg_url: str) -> None:
    """On PostgreSQL without a schema, the tables are those the connection's search path
    finds, and so are their triggers: tables in the second schema of the path, the first
    existing and empty, open."""
    empty, holding = (f"pf_mig_{uuid.uuid4().hex[:10]}" for _ in range(2))
    admin = _pg_engine(pg_url)
    path = f"-c search_path={empty},{holding}"
    engine = sa.create_engine(
        "postgresql+psycopg://" + pg_url.split("://", 1)[1], connect_args={"options": path}
    )
    try:
        with admin.begin() as conn:
            conn.execute(sa.schema.CreateSchema(empty))
        migrate.upgrade(admin, schema=holding)
        store = SQLStore(engine, create=False)
        assert [] == store.nominations("any")
        store.close()
    finally:
        engine.dispose()
        with admin.begin() as conn:
            for schema in (empty, holding):
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _fresh_engine(target: Target) -> sa.Engine:
    """An engine of its own on ``target``'s database (a store checks the schema once per
    engine)."""
    if target.engine.dialect.name == "postgresql":
        return _pg_engine(target.url)
    return configure_sqlite(sa.create_engine(target.url))


@pytest.mark.parametrize(
    ("arguments", "wrong"),
    [
        (("pf_", None, "mysql"), "dialect"),
        (("pf_", None, None), "dialect"),
        (("pf-x", None, "sqlite"), "prefix"),
        ((3, None, "sqlite"), "prefix"),
        (("pf_", 'a"b', "postgresql"), "schema"),
    ],
)
def test_triggers_checks_its_arguments(arguments: tuple[Any, Any, Any], wrong: str) -> None:
    """``pilotflow.store.sql.triggers`` refuses a dialect it does not know, a prefix or a
    schema pilotflow cannot use, naming the argument, in English and Chinese."""
    with pytest.raises(pf.InvalidInput, match=wrong) as caught:
        trigger_sql(*arguments)
    assert caught.value.zh


def test_downgrade_to_base_drops_the_tables(make_target: Callable[[str], Target]) -> None:
    """``downgrade(..., "base")`` removes every pilotflow table; upgrading again rebuilds them."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    assert None is migrate.downgrade(target.engine, "base", schema=target.schema)
    assert {"pf_alembic_version"} == table_names(target)
    assert None is migrate.current(target.engine, schema=target.schema)
    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    assert [] == differences(target)


def test_prefixes_keep_two_installations_apart(make_target: Callable[[str], Target]) -> None:
    """Two prefixes in one database are migrated and versioned independently."""
    first = make_target("a_")
    second = Target(first.engine, first.url, "b_", first.schema)
    migrate.upgrade(first.engine, prefix="a_", schema=first.schema)
    assert None is migrate.current(first.engine, prefix="b_", schema=first.schema)
    migrate.upgrade(first.engine, prefix="b_", schema=first.schema)
    assert {*first.tables, *second.tables, "a_alembic_version", "b_alembic_version"} == table_names(first)


def test_unknown_schema_version_is_refused(make_target: Callable[[str], Target]) -> None:
    """A migrated database whose schema version this pilotflow does not know is refused by
    ``SQLStore`` with a clear message (nothing is created or changed)."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    meta = target.table("meta")
    with target.engine.begin() as conn:
        conn.execute(sa.update(meta).where(meta.c.key == "schema_version").values(value="99"))
    for create in (False, True):
        with pytest.raises(pf.StoreError, match=f"schema version '99'.*needs '{SCHEMA_VERSION}'"):
            target.store(create=create)


def test_revision_from_a_newer_pilotflow_is_refused(make_target: Callable[[str], Target]) -> None:
    """A database stamped with a revision this pilotflow does not ship (migrated by a newer
    pilotflow) is refused by ``upgrade`` and ``current`` with a message saying so."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    version = sa.table(migrate.version_table("pf_"), sa.column("version_num"), schema=target.schema)
    with target.engine.begin() as conn:
        conn.execute(sa.update(version).values(version_num="0099"))
    for call in (migrate.upgrade, migrate.current):
        with pytest.raises(pf.StoreError, match=r"'0099'.*newer pilotflow") as caught:
            call(target.engine, schema=target.schema)
        assert "请升级 pilotflow" in caught.value.zh


def test_tables_without_a_schema_version_are_refused(make_target: Callable[[str], Target]) -> None:
    """Tables a host created from ``make_metadata()`` without recording the schema version
    are not guessed at: ``upgrade`` refuses them and says how to proceed."""
    target = make_target("pf_")
    with target.engine.begin() as conn:
        if target.schema:
            conn.execute(sa.schema.CreateSchema(target.schema))
        make_metadata("pf_", target.schema).create_all(conn)
    with pytest.raises(pf.StoreError, match=r"no schema version.*create=True"):
        migrate.upgrade(target.engine, schema=target.schema)


def test_empty_database_is_refused_without_create(make_target: Callable[[str], Target]) -> None:
    """``SQLStore(create=False)`` on a database without pilotflow's tables is refused."""
    target = make_target("pf_")
    if target.schema:
        with target.engine.begin() as conn:
            conn.execute(sa.schema.CreateSchema(target.schema))
    with pytest.raises(pf.StoreError, match="holds no pilotflow tables"):
        target.store(create=False)


def test_upgrade_takes_a_url(tmp_path: Path) -> None:
    """``upgrade`` and ``current`` take a store URL as ``open_store`` does."""
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    assert None is migrate.current(url)
    assert HEAD == migrate.upgrade(url, revision=HEAD)
    assert HEAD == migrate.current(url)
    store = pf.open_store(url)
    assert [] == store.nominations("any")
    store.close()


def test_upgrade_joins_the_callers_transaction(tmp_path: Path) -> None:
    """Given a Connection inside a transaction, ``upgrade`` runs in it: a rollback undoes it."""
    engine = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    with engine.connect() as conn:
        conn.begin()
        assert HEAD == migrate.upgrade(conn)
        conn.rollback()
    assert None is migrate.current(engine)
    engine.dispose()


def test_bad_arguments_are_invalid_input(tmp_path: Path) -> None:
    """A prefix that is not an identifier, a non-database target, or the memory store is
    ``InvalidInput``."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for call in (
        lambda: migrate.upgrade(url, prefix="pf-; DROP"),
        lambda: migrate.upgrade(42),  # type: ignore[arg-type]
        lambda: migrate.upgrade("memory://"),
    ):
        with pytest.raises(pf.InvalidInput):
            call()


@pytest.mark.parametrize("revision", [None, 5, "", "  ", ["head"], "x" * 1000])
def test_a_revision_that_is_no_text_is_refused_and_makes_no_file(tmp_path: Path, revision: object) -> None:
    """``upgrade``/``downgrade`` given a revision that is no revision text name ``revision``
    (InvalidInput, not a TypeError or an AssertionError from Alembic) and create no file."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    for call in (
        lambda: migrate.upgrade(url, revision=revision),  # type: ignore[arg-type]
        lambda: migrate.downgrade(url, revision),  # type: ignore[arg-type]
    ):
        with pytest.raises(pf.InvalidInput, match="revision"):
            call()
    assert list(tmp_path.iterdir()) == []


def test_a_migration_that_fails_on_a_new_file_leaves_no_file(tmp_path: Path) -> None:
    """An unknown revision is a StoreError, and the SQLite file the call would have made is
    not left behind; on a database that was there, it is left as it was."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(pf.StoreError, match="nope"):
        migrate.upgrade(url, revision="nope")
    assert list(tmp_path.iterdir()) == []
    assert migrate.upgrade(url) == HEAD
    with pytest.raises(pf.StoreError, match="nope"):
        migrate.upgrade(url, revision="nope")
    assert migrate.current(url) == HEAD


def test_a_closed_connection_or_no_connection_is_refused(tmp_path: Path) -> None:
    """A Connection already closed is a StoreError from ``current`` and ``upgrade`` (not the
    raw ResourceClosedError); ``alembic_config(connection=...)`` given something that is no
    Connection is InvalidInput naming it."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    conn = engine.connect()
    conn.close()
    for call in (lambda: migrate.current(conn), lambda: migrate.upgrade(conn)):
        with pytest.raises(pf.StoreError, match="closed"):
            call()
    with pytest.raises(pf.InvalidInput, match="connection"):
        migrate.alembic_config(connection=5)  # type: ignore[arg-type]
    engine.dispose()


def test_current_of_a_missing_file_creates_none(tmp_path: Path) -> None:
    """``current`` writes nothing: of a SQLite file that is not there it says None and does not
    create it."""
    assert migrate.current(f"sqlite:///{tmp_path / 'x.db'}") is None
    assert list(tmp_path.iterdir()) == []


def test_current_reads_a_sqlite_file_from_its_url_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``current`` tells a SQLite file that is not there from its URL, as opening a store
    reads it, with no engine made and disposed just to ask: a missing file is None, a folder
    that does not exist is refused with the store's own message, and nothing is created."""
    made: list[object] = []
    create_engine = sa.create_engine

    def counted(*args: Any, **kwargs: Any) -> sa.Engine:
        made.append(args[0])
        return create_engine(*args, **kwargs)

    monkeypatch.setattr(sa, "create_engine", counted)
    assert migrate.current(f"sqlite:///{tmp_path / 'x.db'}") is None
    with pytest.raises(pf.InvalidInput, match="the folder of the SQLite file does not exist") as refused:
        migrate.current(f"sqlite:///{tmp_path / 'no' / 'x.db'}")
    assert "SQLite 文件所在目录不存在" in refused.value.zh
    with pytest.raises(pf.InvalidInput, match="only its main schema"):
        migrate.current(f"sqlite:///{tmp_path / 'x.db'}", schema="other")
    assert [] == made
    assert [] == list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["folder", "fifo", "text"])
def test_a_target_that_is_no_database_is_a_store_error(tmp_path: Path, kind: str) -> None:
    """``current``/``upgrade`` on a folder, a FIFO or a text file is a StoreError (not the
    driver's raw error), and the file is left as it was."""
    target = tmp_path / "target"
    if kind == "folder":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.write_text("not a database\n", encoding="utf-8")
    url = f"sqlite:///{target}"
    for call in (lambda: migrate.current(url), lambda: migrate.upgrade(url)):
        with pytest.raises(pf.StoreError):
            call()
    if kind == "text":
        assert target.read_text(encoding="utf-8") == "not a database\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]


def test_alembic_command_line_with_x_options(tmp_path: Path) -> None:
    """The stock ``alembic`` command runs pilotflow's migrations from a two-line ini file,
    with the database and the prefix given as ``-x`` options."""
    ini = tmp_path / "alembic.ini"
    ini.write_text("[alembic]\nscript_location = pilotflow.store:migrations\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    alembic_main(["-c", str(ini), "-x", f"url={url}", "-x", "prefix=cli_", "upgrade", "head"])
    assert HEAD == migrate.current(url, prefix="cli_")
    engine = configure_sqlite(sa.create_engine(url))
    SQLStore(engine, prefix="cli_", create=False).close()


def test_workers_starting_together_migrate_once(make_target: Callable[[str], Target]) -> None:
    """Several workers running ``upgrade`` at the same moment on an empty database: one
    migrates, the others wait and find it done; all answer with the head revision."""
    target = make_target("pf_")
    barrier = threading.Barrier(4)
    answers: list[str | None] = []
    errors: list[BaseException] = []

    def worker() -> None:
        barrier.wait(timeout=10)
        try:
            answers.append(migrate.upgrade(target.engine, schema=target.schema))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert [] == errors
    assert [HEAD] * 4 == answers
    assert [] == differences(target)


def test_processes_starting_together_migrate_once(make_target: Callable[[str], Target]) -> None:
    """Worker processes running ``upgrade`` on one database at the same moment (as web
    workers at start-up do): the database serialises them, so exactly one migrates."""
    target = make_target("pf_")
    start = time.time() + 3
    script = (
        "import sys, time; from pilotflow.store import migrate; "
        f"time.sleep(max(0.0, {start} - time.time())); "
        f"print(migrate.upgrade({target.url!r}, schema={target.schema!r}))"
    )
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    done = [w.communicate(timeout=120) for w in workers]
    assert [(f"{HEAD}\n", "")] * 4 == done
    assert [] == differences(target)


def test_head_records_the_schema_version_sqlstore_needs() -> None:
    """The newest revision writes the ``schema_version`` that ``SQLStore`` checks, and a
    database made by ``create_all`` at that version is adopted as that revision."""
    script = ScriptDirectory.from_config(migrate.alembic_config())
    newest = script.get_revision(migrate.head())
    assert newest is not None
    assert SCHEMA_VERSION == newest.module.SCHEMA_VERSION
    assert migrate.head() == migrate.REVISION_OF_SCHEMA[SCHEMA_VERSION]
    assert [newest.revision] == list(script.get_heads())


def test_create_true_leaves_a_database_at_another_version_alone(
    make_target: Callable[[str], Target],
) -> None:
    """``SQLStore(create=True)`` on a database recording another schema version creates no
    table before refusing it: the tables are left for the migrations."""
    target = make_target("pf_")
    with target.engine.begin() as conn:
        if target.schema:
            conn.execute(sa.schema.CreateSchema(target.schema))
        target.table("meta").create(conn)
        conn.execute(sa.insert(target.table("meta")).values(key="schema_version", value="0"))
    with pytest.raises(pf.StoreError, match=r"schema version '0'.*migrate\.upgrade"):
        target.store(create=True)
    assert {"pf_meta"} == table_names(target)


# -- schema 3 data, upgraded -------------------------------------------------------------


def _write_schema_3(target: Target, store: pf.Store, campaign: str) -> None:
    """Write a store's nominations, letters and events into schema 3's tables, in schema 3's
    form (:mod:`schema3`), as pilotflow wrote them before schema 4."""
    with target.engine.begin() as conn:
        for name, rows in schema_3_rows(store, campaign).items():
            columns = (sa.column(c) for c in rows[0])
            conn.execute(sa.table(f"{target.prefix}{name}", *columns, schema=target.schema).insert(), rows)


def test_schema_3_log_upgraded_reads_back_equal(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A schema-3 database holding a campaign's log (written in schema 3's form) upgraded to
    schema 4 reads back what was written: every event equal field by field, each moment at
    the offset it was written with (one written at UTC stays at UTC), and the nominations and
    letters equal, their moments' offsets too."""
    target = make_target("pf_")
    assert "0003" == migrate.upgrade(target.engine, schema=target.schema, revision="0003")
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    first = nominate(run, 1)
    forward(run, first.id)
    clock.set(datetime(2023, 10, 17, 3, 30, 0, 250, tzinfo=UTC))  # another offset, microseconds
    second = nominate(run, 2)
    run.withdraw(
        pf.Actor.applicant(second.unit_code, "applicant"), second.id, reason="改报下一批 / next batch"
    )
    _write_schema_3(target, run.store, campaign.id)
    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    store = target.store(create=False)
    written, read = run.store.events(campaign.id), store.events(campaign.id)
    assert written == read
    for w, r in zip(written, read, strict=True):
        assert (w.at.utcoffset(), w.at.isoformat()) == (r.at.utcoffset(), r.at.isoformat())
        assert (w.actor, w.shape, dict(w.data), w.reason) == (r.actor, r.shape, dict(r.data), r.reason)
    assert {"nominate", "stamp_letter", "recommend", "withdraw"} <= {e.action for e in read}
    assert run.store.nominations(campaign.id) == store.nominations(campaign.id)
    for w_n, r_n in zip(run.store.nominations(campaign.id), store.nominations(campaign.id), strict=True):
        assert (w_n.created_at.isoformat(), w_n.updated_at.isoformat()) == (
            r_n.created_at.isoformat(),
            r_n.updated_at.isoformat(),
        )
    assert run.store.submissions(campaign.id) == store.submissions(campaign.id)
    # New actions go on from the migrated log.
    live = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    forward(live, first.id)
    assert live.replay().nominations[first.id] == live.get(first.id)
    # And back: the downgrade writes schema 3's rows again (moments as ISO text, data in full).
    assert "0003" == migrate.downgrade(target.engine, "0003", schema=target.schema)
    events = sa.table("pf_events", sa.column("seq"), sa.column("at"), sa.column("data"), schema=target.schema)
    with target.engine.connect() as conn:
        rows = conn.execute(sa.select(events.c.at, events.c.data).order_by(events.c.seq)).all()
    assert [e.at.isoformat() for e in written] == [at for at, _ in rows[: len(written)]]
    assert v3_data(written[0].data) == rows[0][1]


def _stored_materials(target: Target) -> dict[str, str | None]:
    """Each nomination row's own ``materials`` column, as stored (NULL: those it was filed with)."""
    n = target.table("nominations")
    with target.engine.connect() as conn:
        return dict(conn.execute(sa.select(n.c.id, n.c.materials)).all())  # type: ignore[arg-type]


def test_materials_are_stored_once_and_migrate_both_ways(
    make_target: Callable[[str], Target], campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Schema 6 keeps a nomination's materials once: a row whose materials are those it was
    filed with stores NULL and reads them from its filing event; a row whose materials
    changed (one attached later) stores its own. Downgrading to schema 5 writes every row's
    materials back; upgrading again sets the unchanged ones to NULL again, and the store reads
    the same nominations at every step."""
    target = make_target("pf_")
    migrate.upgrade(target.engine, schema=target.schema)
    run = pf.CampaignRun(campaign, store=target.store(create=False), lists=pf.empty_lists(campaign),
                         clock=clock)  # fmt: skip
    kept = nominate(run, 1)
    bare = nominate(run, 2, materials=False)
    added = run.attach(pf.Actor.applicant(bare.unit_code, "applicant"), bare.id,
                       pf.Material("application_form_paper", copies=3))  # fmt: skip
    assert len(kept.materials) > 1
    assert len(added.materials) == 1
    stored = _stored_materials(target)
    assert stored[kept.id] is None  # the filing event holds them
    assert stored[bare.id] is not None
    assert "application_form_paper" in stored[bare.id]
    written = run.nominations()
    assert written == target.store(create=False).nominations(campaign.id)

    assert "0005" == migrate.downgrade(target.engine, "0005", schema=target.schema)
    restored = _stored_materials(target)
    assert all(v is not None for v in restored.values())
    assert kept.materials == decode_materials(loads(restored[kept.id] or ""))

    assert HEAD == migrate.upgrade(target.engine, schema=target.schema)
    again = _stored_materials(target)
    assert again[kept.id] is None
    assert again[bare.id] is not None
    assert written == target.store(create=False).nominations(campaign.id)


def test_migrations_are_frozen() -> None:
    """A migration rewrites stored rows the way its schema version stored them, whatever
    pilotflow writes later: it imports nothing of pilotflow but the migration options (no
    codec, no domain type whose later change would change what an old migration writes)."""
    versions = Path(migrate.__file__).parent / "migrations" / "versions"
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    for path in sorted(versions.glob("0*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pilotflow"):
                found[path.name, node.module] = tuple(sorted(a.name for a in node.names))
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("pilotflow") for a in node.names), path.name
    assert len({name for name, _ in found}) == len(list(versions.glob("0*.py")))
    assert set(found.values()) == {("migration_options",)}
    assert {module for _, module in found} == {"pilotflow.store.migrate"}


def test_a_schema_named_with_percent_signs_gets_its_tables_and_guards(
    pg_url: str, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A PostgreSQL schema whose name holds ``%`` (``50%``, ``%(table)s``) gets pilotflow's
    tables and their version guards from ``create=True``, and runs a campaign on them: the
    guards' SQL is not read as a format string (table creation failed with a raw TypeError,
    or named another schema), nor ``%(table)s`` in a compiled statement as a parameter (a
    filing failed with a raw KeyError)."""
    for name in (f"pf pct 50% {uuid.uuid4().hex[:6]}", f"pf pct %(table)s {uuid.uuid4().hex[:6]}"):
        engine = _pg_engine(pg_url)
        try:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{name.replace("%", "%%")}"')
            target = Target(engine, pg_url, "pf_", name)
            target.store(create=True).close()
            run = round_trip(target, campaign, clock)
            assert _hand_edit_moves_the_version(target, run)
        finally:
            with engine.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name.replace("%", "%%")}" CASCADE')
            engine.dispose()
