"""SQLite: one action's read and write share one BEGIN IMMEDIATE transaction (Store.atomic)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store.sql import SQLStore

from conftest import nominate, refused, state_of


def test_simultaneous_stamps_on_sqlite_are_serialised_not_lost(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """Three departments stamping the same nomination at the same instant, each on its own
    store and connection: all three succeed one after the other on one letter (the first
    drafts it; its versions 2, 3, 4 are the stamps), none is refused with ConflictError and
    none is lost."""
    url = f"sqlite:///{tmp_path / 'pf.db'}"
    with pf.open_store(url) as store:
        nid = nominate(make_run(store), 1).id
    start = threading.Barrier(3)
    versions: list[int] = []
    errors: list[BaseException] = []

    def clerk(department: str) -> None:
        with pf.open_store(url) as store:
            run = make_run(store)
            start.wait(timeout=10)
            try:
                versions.append(run.stamp(pf.Actor("371002", department, "clerk"), nid).version)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=clerk, args=(d,)) for d in ("industry", "civil_affairs", "health")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [] == errors
    assert [1, 1, 1] == versions  # the nomination itself is unchanged: the stamps are its letter's
    with pf.open_store(url) as store:
        (letter,) = make_run(store).submissions()
    assert (nid,) == letter.units
    assert {"industry", "civil_affairs", "health"} == set(letter.stamps)
    assert 4 == letter.version


def test_a_refused_action_ends_the_transaction_and_writes_nothing(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A refusal raised inside the scope rolls the transaction back: the state is unchanged,
    and the write lock is released (another connection can write at once)."""
    path = tmp_path / "pf.db"
    with pf.open_store(f"sqlite:///{path}") as store:
        run = make_run(store)
        n = nominate(run, 1)
        before = state_of(run)
        refused(lambda: run.recommend(pf.Actor("371002", "industry", "clerk"), n.id))  # no stamps yet
        assert before == state_of(run)
        other = sqlite3.connect(path, timeout=0.1)  # would time out if the lock were still held
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()
        run.stamp(pf.Actor("371002", "industry", "clerk"), n.id)
        letter = run.carrying(n.id)
        assert letter is not None
        assert ("industry",) == letter.stamps


def test_the_memory_and_host_connection_stores_have_no_atomic_scope(tmp_path: Path) -> None:
    """Only pilotflow's own SQLite connection offers the scope; the memory store and a store
    on a host's connection act call by call (the host owns its transaction)."""
    assert pf.MemoryStore().atomic is None
    with pf.open_store(f"sqlite:///{tmp_path / 'own.db'}") as own:
        assert own.atomic is not None
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with engine.connect() as conn:
        hosted = SQLStore(conn)
        assert hosted.atomic is None
    engine.dispose()


def test_a_connection_opened_while_another_holds_the_write_lock_waits_for_it(tmp_path: Path) -> None:
    """Opening a SQLite store while another connection holds the write lock (a worker
    migrating or writing as this one starts) waits for the lock instead of failing with
    "database is locked": the switch to WAL is retried, and the store then works."""
    path = tmp_path / "pf.db"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(1.0, holder.execute, ("COMMIT",))
    release.start()
    try:
        with pf.open_store(f"sqlite:///{path}") as store:
            assert isinstance(store, SQLStore)
            with store.engine.connect() as conn:
                assert "wal" == conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            assert [] == store.nominations("c")
    finally:
        release.join()
        holder.close()


def test_claim_reads_inside_the_scope_see_its_own_uncommitted_writes(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """find_claim and count_claims read on the scope's own transaction: inside it they see a
    nomination it filed and has not committed (another connection does not), and after a
    rollback nothing is claimed."""
    url = f"sqlite:///{tmp_path / 'pf.db'}"
    with pf.open_store(url) as store, pf.open_store(url) as other:
        run = make_run(store)
        atomic = store.atomic
        assert atomic is not None

        class Undo(Exception):
            pass

        seen: list[object] = []

        def inside() -> None:
            with atomic():
                n = nominate(run, 1)
                seen.extend([n.unit_code, store.find_claim(run.campaign.id, n.unit_code), n.id])
                seen.extend([store.count_claims(run.campaign.id, n.unit_code),
                             other.count_claims(run.campaign.id, n.unit_code)])  # fmt: skip
                raise Undo

        with pytest.raises(Undo):
            inside()
        code, found, nid, mine, others = seen
        assert isinstance(found, pf.Nomination)
        assert nid == found.id
        assert (1, 0) == (mine, others)
        assert isinstance(code, str)
        assert None is store.find_claim(run.campaign.id, code)
        assert 0 == store.count_claims(run.campaign.id, code)
