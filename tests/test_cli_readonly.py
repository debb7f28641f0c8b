"""Opening a store for reading only (``open_store(url, read_only=True)``, what the commands
that read a store use): a file that is not a pilotflow database — missing, empty, a folder, a
FIFO, a text file, another application's SQLite database — is refused before anything is
written to it (byte for byte and mtime the same, no -wal or -shm file made), and a pilotflow
database is read without creating tables, switching its journal mode or accepting a write."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import pilotflow as pf
from pilotflow.cli.commands import cli

from conftest import CAMPAIGN_ID, nominate, shanghai

Snapshot = dict[str, tuple[bytes, int]]


def snapshot(folder: Path) -> Snapshot:
    """Every regular file in ``folder``: its bytes and its mtime (ns)."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()}


def other_app_db(path: Path, *, wal: bool = False) -> Path:
    """A SQLite database of another application (a table and a row), closed."""
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    conn.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    conn.commit()
    conn.close()
    return path


def pilotflow_db(path: Path, *, nominations: int = 2) -> Path:
    """A pilotflow database holding a few nominations, closed."""
    campaign = pf.load_campaign(CAMPAIGN_ID)
    store = pf.open_store(f"sqlite:///{path}")
    run = pf.CampaignRun(
        campaign, store=store, lists=pf.empty_lists(campaign), clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )
    for n in range(nominations):
        nominate(run, n, materials=False)
    store.close()
    return path


def url(path: Path) -> str:
    return f"sqlite:///{path}"


# -- the library option ---------------------------------------------------------------------


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_read_only_refuses_another_applications_database(tmp_path: Path, wal: bool) -> None:
    """Another application's SQLite file (in either journal mode) is refused as not a
    pilotflow database, and left exactly as it was: same bytes, same mtime, no tables added,
    no -wal or -shm file made beside it."""
    path = other_app_db(tmp_path / "invoices.db", wal=wal)
    before = snapshot(tmp_path)
    with pytest.raises(pf.InvalidInput, match="not a pilotflow database") as info:
        pf.open_store(url(path), read_only=True)
    assert "其他应用程序" in info.value.zh
    assert before == snapshot(tmp_path)
    assert ["invoices.db"] == sorted(p.name for p in tmp_path.iterdir())


Maker = Callable[[Path], object]
NOT_DATABASES: dict[str, tuple[Maker, str, str]] = {
    "text": (lambda p: p.write_text("name,amount\n威海,1\n" * 20), "not a SQLite database", "不是 SQLite"),
    "empty": (lambda p: p.touch(), "is empty", "空文件"),
    "folder": (lambda p: p.mkdir(), "is a folder", "文件夹"),
    "fifo": (lambda p: os.mkfifo(p), "not a regular file", "不是普通文件"),
    "short": (lambda p: p.write_bytes(b"SQLite format 3"), "not a SQLite database", "不是 SQLite"),
}


@pytest.mark.parametrize("kind", sorted(NOT_DATABASES))
def test_read_only_refuses_what_is_not_a_database(tmp_path: Path, kind: str) -> None:
    """A text file, an empty file, a folder, a FIFO (never opened, so nothing blocks) or a
    truncated header is refused with a bilingual message naming what it is; nothing changes."""
    make, en, zh = NOT_DATABASES[kind]
    path = tmp_path / "store.db"
    make(path)
    before = snapshot(tmp_path)
    with pytest.raises(pf.InvalidInput, match=en) as info:
        pf.open_store(url(path), read_only=True)
    assert zh in info.value.zh
    assert before == snapshot(tmp_path)
    assert ["store.db"] == sorted(p.name for p in tmp_path.iterdir())


def test_read_only_never_creates_a_missing_file(tmp_path: Path) -> None:
    """A missing file is reported, not created (nor its -wal or -shm)."""
    with pytest.raises(pf.InvalidInput, match="no such database file"):
        pf.open_store(url(tmp_path / "absent.db"), read_only=True)
    assert [] == list(tmp_path.iterdir())


def test_read_only_reads_pilotflow_keeps_its_journal_mode_and_refuses_writes(tmp_path: Path) -> None:
    """A pilotflow database in rollback-journal mode is read as it is: its journal mode stays
    ``delete`` (not switched to WAL), a write through the store is refused (StoreError), and
    the file is unchanged afterwards."""
    path = pilotflow_db(tmp_path / "pilotflow.db")
    conn = sqlite3.connect(path)
    assert "delete" == conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    conn.close()
    before = snapshot(tmp_path)
    campaign = pf.load_campaign(CAMPAIGN_ID)
    store = pf.open_store(url(path), read_only=True)
    try:
        run = pf.CampaignRun(
            campaign,
            store=store,
            lists=pf.empty_lists(campaign),
            clock=pf.FixedClock(shanghai(2023, 10, 17, 10)),
        )
        assert 2 == len(run.nominations())
        with pytest.raises(pf.StoreError):
            nominate(run, 99, materials=False)
    finally:
        store.close()
    assert before == snapshot(tmp_path)
    conn = sqlite3.connect(path)
    assert "delete" == conn.execute("PRAGMA journal_mode").fetchone()[0]
    conn.close()


def test_read_only_leaves_no_wal_files_beside_a_wal_database(tmp_path: Path) -> None:
    """A pilotflow database in WAL mode (as pilotflow makes them) is read, and no -wal or
    -shm file is left beside it afterwards."""
    path = pilotflow_db(tmp_path / "pilotflow.db")
    store = pf.open_store(url(path), read_only=True)
    campaign = pf.load_campaign(CAMPAIGN_ID)
    assert 2 == len(pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign)).nominations())
    store.close()
    assert ["pilotflow.db"] == sorted(p.name for p in tmp_path.iterdir())


def test_read_only_refuses_another_pilotflow_schema_version(tmp_path: Path) -> None:
    """A pilotflow database at another schema version is refused (to be migrated), not
    migrated or changed."""
    path = pilotflow_db(tmp_path / "pilotflow.db", nominations=0)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE pf_meta SET value = '99' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(pf.StoreError, match="schema version"):
        pf.open_store(url(path), read_only=True)
    assert before == snapshot(tmp_path)


def test_read_only_creates_no_tables_in_postgresql(pg_url: str) -> None:
    """On PostgreSQL, reading a schema without pilotflow's tables is refused and creates
    neither the schema nor a table."""
    import sqlalchemy as sa

    schema = f"pf_ro_{uuid.uuid4().hex[:10]}"
    with pytest.raises(pf.InvalidInput, match="not a pilotflow database"):
        pf.open_store(pg_url, schema=schema, read_only=True)
    engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    try:
        with engine.connect() as conn:
            assert schema not in sa.inspect(conn).get_schema_names()
    finally:
        engine.dispose()


# -- the commands that read a store ---------------------------------------------------------

READERS = {
    "nominations": ("nominations",),
    "quota": ("quota", "371000"),
    "history": ("history", "0123456789abcdef"),
    "explain": ("explain", "0123456789abcdef", "stamp", "--at", "2023-10-18T10:00+08:00"),
}
FILES: dict[str, Callable[[Path], object]] = {
    "another application's database": other_app_db,
    "another application's WAL database": lambda p: other_app_db(p, wal=True),
    "text file": lambda p: p.write_text("名单\n威海,1\n" * 50, encoding="utf-8"),
    "empty file": lambda p: p.touch(),
}


@pytest.mark.parametrize("kind", sorted(FILES))
@pytest.mark.parametrize("command", sorted(READERS))
def test_read_commands_refuse_a_file_that_is_not_pilotflow_and_leave_it_byte_identical(
    tmp_path: Path, command: str, kind: str
) -> None:
    """``nominations``, ``quota``, ``history`` and ``explain`` given a file that is not a
    pilotflow database: exit 2 with a bilingual message; the file keeps its bytes and mtime,
    and no -wal or -shm file appears beside it."""
    path = tmp_path / "data.db"
    FILES[kind](path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(cli, [*READERS[command], "--db", str(path)])
    assert 2 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "✗ error:" in result.output
    assert "✗ 错误" in result.output
    assert before == snapshot(tmp_path)
    assert ["data.db"] == sorted(p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize("command", ["nominations", "quota"])
def test_read_commands_read_a_pilotflow_database_and_leave_no_wal_files(tmp_path: Path, command: str) -> None:
    """A pilotflow database is read (exit 0) and nothing is left beside it afterwards."""
    path = pilotflow_db(tmp_path / "pilotflow.db")
    result = CliRunner().invoke(cli, [*READERS[command], "--db", str(path)])
    assert 0 == result.exit_code, result.output
    assert ["pilotflow.db"] == sorted(p.name for p in tmp_path.iterdir())


def test_a_missing_db_is_not_created(tmp_path: Path) -> None:
    """A --db that does not exist: exit 2, the hint to run the demo, no file created."""
    result = CliRunner().invoke(cli, ["nominations", "--db", str(tmp_path / "none.db")])
    assert 2 == result.exit_code
    assert "pilotflow demo" in result.output.replace("\n", "")
    assert [] == list(tmp_path.iterdir())


def test_read_only_reads_pilotflow_tables_in_postgresql(pg_url: str) -> None:
    """On PostgreSQL, a schema holding pilotflow's tables is read through ``read_only``."""
    import sqlalchemy as sa

    schema = f"pf_ro_{uuid.uuid4().hex[:10]}"
    pf.open_store(pg_url, schema=schema).close()
    engine = sa.create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    try:
        campaign = pf.load_campaign(CAMPAIGN_ID)
        store = pf.open_store(pg_url, schema=schema, read_only=True)
        try:
            assert [] == pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign)).nominations()
        finally:
            store.close()
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
