"""SQLite: the write-ahead log is checkpointed on a thread of its own, off the writers' path
(store/sql/_checkpoint.py)."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store.sql import _checkpoint, sqlite_url
from pilotflow.store.sql._checkpoint import EVERY, SAFETY_NET

from conftest import nominate


def _until(holds: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not holds():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _file(run: pf.CampaignRun, first: int, count: int) -> None:
    for n in range(first, first + count):
        nominate(run, n)


def test_a_thread_of_its_own_copies_the_log_into_the_database_file(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """Every EVERY commits wake one thread that checkpoints: the database file grows by the
    pages the commits appended to the ``-wal`` file, and the writers' own automatic checkpoint
    is left as a safety net at SAFETY_NET pages, which these commits do not reach. Every
    nomination filed reads back."""
    path = tmp_path / "pf.db"
    with pf.open_store(sqlite_url(path)) as store:
        run = make_run(store)
        _file(run, 0, 1)
        threads = store._threads  # type: ignore[attr-defined]
        assert [(SAFETY_NET,)] == threads.connection().execute("PRAGMA wal_autocheckpoint").fetchall()
        assert not threads.checkpointer.running
        before = path.stat().st_size
        _file(run, 1, EVERY - 1)
        assert threads.checkpointer.running
        assert _until(lambda: threads.checkpointer.checkpoints >= 1)
        assert path.stat().st_size > before
        assert EVERY == len(run.nominations())


def test_the_thread_ends_when_the_store_closes_and_after_an_idle_spell(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store left open keeps no thread once commits stop coming (after IDLE seconds); the
    next EVERY commits start one again; closing the store ends it at once."""
    monkeypatch.setattr(_checkpoint, "IDLE", 0.2)
    with pf.open_store(sqlite_url(tmp_path / "pf.db")) as store:
        run = make_run(store)
        checkpointer = store._threads.checkpointer  # type: ignore[attr-defined]
        _file(run, 0, EVERY)
        assert _until(lambda: checkpointer.checkpoints == 1)
        assert _until(lambda: not checkpointer.running)
        _file(run, EVERY, EVERY)
        assert _until(lambda: checkpointer.checkpoints == 2)
        assert checkpointer.running
    assert not checkpointer.running


def test_no_thread_starts_again_once_the_store_is_closed(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A store used after ``close()`` (its next commit opens a connection again) starts no
    checkpoint thread: what it commits stands, under the writers' own automatic checkpoint,
    and nothing is left running that the caller thought it had ended."""
    store = pf.open_store(sqlite_url(tmp_path / "pf.db"))
    run = make_run(store)
    checkpointer = store._threads.checkpointer  # type: ignore[attr-defined]
    _file(run, 0, EVERY)
    assert checkpointer.running
    store.close()
    assert not checkpointer.running
    _file(run, EVERY, EVERY)
    assert not checkpointer.running
    assert 2 * EVERY == len(run.nominations())
    store.close()


@pytest.mark.skipif(sys.platform == "win32", reason="needs os.fork")
def test_a_forked_child_checkpoints_with_a_thread_and_connection_of_its_own(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A child forked while the parent's thread runs, and while another thread holds the
    lock of its wake-up, neither hangs nor uses the parent's connections: its commits start
    its own thread, which checkpoints; the parent's goes on."""
    path = tmp_path / "pf.db"
    with pf.open_store(sqlite_url(path)) as store:
        run = make_run(store)
        checkpointer = store._threads.checkpointer  # type: ignore[attr-defined]
        _file(run, 0, EVERY)
        assert checkpointer.running
        held, go = threading.Event(), threading.Event()

        def inside() -> None:  # the fork lands while another thread is inside the wake-up's lock
            with checkpointer._wake._cond:
                held.set()
                go.wait()

        holder = threading.Thread(target=inside)
        holder.start()
        held.wait()
        pid = os.fork()
        if pid == 0:  # the child: file EVERY more, report whether its own thread checkpointed
            threading.Timer(30, lambda: os._exit(7)).start()  # (a hang fails the test, not the run)
            ok = False
            try:
                ran = checkpointer.checkpoints
                _file(run, EVERY, EVERY)
                ok = checkpointer.running and _until(lambda: checkpointer.checkpoints > ran)
            finally:
                os._exit(0 if ok else 1)
        go.set()
        holder.join()
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        _file(run, 2 * EVERY, EVERY)
        assert _until(lambda: checkpointer.checkpoints >= 2)
        assert 3 * EVERY == len(run.nominations())


def test_a_commit_stands_when_no_thread_can_be_started(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the process may start no thread (a limit on threads, an interpreter stopping),
    the commit that would have woken one still succeeds and is not reported as failed: the
    writers' own checkpoint is left to do the work."""

    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    with pf.open_store(sqlite_url(tmp_path / "pf.db")) as store:
        run = make_run(store)
        monkeypatch.setattr(threading.Thread, "start", refuse)
        _file(run, 0, EVERY + 1)
        monkeypatch.undo()
        assert EVERY + 1 == len(run.nominations())
        assert not store._threads.checkpointer.running  # type: ignore[attr-defined]


LEFT_OPEN = """
import sys
sys.path.insert(0, {tests!r})
import pilotflow as pf
from pilotflow.store.sql import sqlite_url
from pilotflow.store.sql._checkpoint import EVERY
from conftest import bundled, nominate, shanghai
campaign = bundled()
store = pf.open_store(sqlite_url({path!r}))
run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign),
                     clock=pf.FixedClock(shanghai(2023, 10, 17, 9)))
for n in range(EVERY + 6):
    nominate(run, n)
assert store._threads.checkpointer.running
"""


def test_a_store_left_open_leaves_no_log_beside_its_file_at_exit(tmp_path: Path) -> None:
    """A process that exits without closing its store (a script, a notebook) ends the
    thread first: the last connection copies the log into the database file and removes the
    ``-wal`` and ``-shm`` files, as before the thread existed, so copying the file alone
    copies every commit."""
    path = tmp_path / "pf.db"
    script = LEFT_OPEN.format(tests=str(Path(__file__).parent), path=str(path))
    subprocess.run([sys.executable, "-c", script], check=True, timeout=300)
    assert ["pf.db"] == sorted(p.name for p in tmp_path.iterdir())


def test_a_failed_checkpoint_is_logged_once_as_a_warning_then_as_debug_lines(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A checkpoint that fails (here: the thread's connection can only read the file) is
    reported on the ``pilotflow.store.checkpoint`` logger: a warning for the thread's first
    failure, debug lines for the next ones, and the thread goes on; a connection that cannot
    be opened (no such folder) is reported as a warning and the thread ends."""
    path = tmp_path / "pf.db"
    made = sqlite3.connect(path)
    made.execute("PRAGMA journal_mode=wal")
    made.execute("CREATE TABLE t (x)")
    made.commit()
    caplog.set_level(logging.DEBUG, logger="pilotflow.store.checkpoint")
    checkpointer = _checkpoint.Checkpointer(
        sa.create_engine(f"sqlite:///file:{path}?mode=ro&uri=true"), every=1
    )
    try:
        checkpointer.committed()
        assert _until(lambda: len(caplog.records) == 1)
        checkpointer.committed()
        assert _until(lambda: len(caplog.records) == 2)
        assert ["WARNING", "DEBUG"] == [r.levelname for r in caplog.records]
        assert "a checkpoint failed" in caplog.records[0].getMessage()
        assert "检查点" in caplog.records[0].getMessage()
        assert 0 == checkpointer.checkpoints
        assert checkpointer.running
    finally:
        checkpointer.close()
        made.close()
    caplog.clear()
    gone = _checkpoint.Checkpointer(sa.create_engine(f"sqlite:///{tmp_path / 'no' / 'pf.db'}"), every=1)
    gone.committed()
    assert _until(lambda: not gone.running)
    assert ["WARNING"] == [r.levelname for r in caplog.records]
    assert "could not be opened" in caplog.records[0].getMessage()
