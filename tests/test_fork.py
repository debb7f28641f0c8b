"""A store opened before a fork: each child process works on connections of its own, never
on one it inherited from its parent (a web server forking its workers after the application
opened its store; a ``multiprocessing`` pool started from a notebook)."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store.sql import SQLStore, sqlite_url

from conftest import nominate

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs os.fork")


def _connections(store: Any) -> set[Any]:
    """What identifies the connections ``store`` holds now: PostgreSQL backends' process ids
    (one per connection, on the server), SQLite connection objects' ids (a child's copy of
    an inherited object keeps its parent's id)."""
    engine = store.engine
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            return {conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()}
    records = list(engine.pool._pool.queue)
    found = {id(r.dbapi_connection) for r in records if r.dbapi_connection is not None}
    own = getattr(store._threads._local, "own", None)  # (this thread's, if it has one: not made here)
    return found | ({id(own.conn)} if own is not None else set())


def _child(run: pf.CampaignRun, store: Any, number: int, parents: set[Any]) -> int:
    """In a forked child: file nomination ``number``, read the campaign back; 0 if it found
    ``number`` nominations (each earlier one filed by the parent or an earlier child) on
    connections none of which is one of ``parents``, else what went wrong (1, 2)."""
    nominate(run, number)
    if len(run.nominations()) != number + 1:
        return 2
    return 1 if _connections(store) & parents else 0


def _fork(run: pf.CampaignRun, store: Any, number: int) -> None:
    parents = _connections(store)
    pid = os.fork()
    if pid == 0:
        threading.Timer(60, lambda: os._exit(9)).start()  # (a hang fails the test, not the run)
        code = 3
        try:
            code = _child(run, store, number, parents)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    what = {1: "an inherited connection", 2: "wrong count"}.get(code, "failed")
    assert 0 == code, f"child {number}: {what}"


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_children_forked_from_a_process_with_an_open_store_work_on_connections_of_their_own(
    engine: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A child forked right after the store was opened (its pool holding the connection that
    checked the schema), and one forked after the parent has written and read, each file a
    nomination and read the campaign back on connections their parent never had; the
    parent's store goes on working and sees every nomination."""
    if engine == "sqlite":
        store = pf.open_store(sqlite_url(tmp_path / "pf.db"))
    else:
        store = pf.open_store(request.getfixturevalue("pg_url"), schema=request.getfixturevalue("pg_schema"))
    try:
        run = make_run(store)
        _fork(run, store, 0)
        nominate(run, 1)
        assert 2 == len(run.nominations())
        _fork(run, store, 2)
        nominate(run, 3)
        assert 4 == len(run.nominations())
    finally:
        store.close()


def test_a_child_keeps_its_copy_of_an_in_memory_database(make_run: Callable[..., pf.CampaignRun]) -> None:
    """A store on an in-memory SQLite database (one connection for every caller) is the
    child's own copy after a fork: the child reads what the parent wrote before it, and
    writes to its copy without touching the parent's."""
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    store = SQLStore(engine)
    try:
        run = make_run(store)
        nominate(run, 0)
        pid = os.fork()
        if pid == 0:
            threading.Timer(60, lambda: os._exit(9)).start()
            code = 3
            try:
                nominate(run, 1)
                code = 0 if len(run.nominations()) == 2 else 2
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert 0 == os.waitstatus_to_exitcode(status)
        assert 1 == len(run.nominations())
    finally:
        store.close()
