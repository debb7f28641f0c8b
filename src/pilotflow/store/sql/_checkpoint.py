"""SQLite: the write-ahead log checkpointed on a thread of its own, off the writers' path.

In WAL mode with ``synchronous=NORMAL`` a commit appends its pages to the ``-wal`` file and
does not wait for the disk; every thousand pages or so, SQLite copies them back into the
database file (a *checkpoint*), and that waits for the disk twice (``fsync``). By default
the connection whose commit crosses the threshold runs it, so one action in about sixty
stalls while the disk flushes. On a disk with a slow flush the national benchmark spent
about a third of its wall time there (``benchmarks/README.md``, "The checkpoint off the
writer's path").

:class:`Checkpointer` takes that work off the writers: each of a store's own connections
counts its commits, every :data:`EVERY` of them wakes one thread that runs a ``PASSIVE``
checkpoint on its own connection (it never blocks a reader or a writer; the driver releases
the GIL while SQLite waits for the disk), and the writers' automatic checkpoint stays as a
safety net at :data:`SAFETY_NET` pages, for a thread that cannot keep up. The thread ends
when no commit has woken it for :data:`IDLE` seconds (a store left open does not keep one)
and is started again by the next; :meth:`Checkpointer.close` ends it at once, and so does
the interpreter's exit for a store left open (its connection closed, the last connection to
the file removes the ``-wal`` file as before). A commit stands when no thread can be started.
What is written and when it is durable do not change: a checkpoint is the one SQLite would run.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from typing import Any

from sqlalchemy.engine import Engine

__all__ = ["EVERY", "IDLE", "JOIN", "SAFETY_NET", "Checkpointer"]

#: Commits between two checkpoints (a filing appends about 15 pages: ~1,000 pages a time,
#: SQLite's own default threshold)
EVERY = 64
#: The writers' own ``wal_autocheckpoint`` (pages), for when the thread falls behind
SAFETY_NET = 4_000
#: Seconds without a commit after which the thread ends
IDLE = 2.0
#: Seconds :meth:`Checkpointer.close` waits for the thread (a PASSIVE checkpoint never waits
#: for a lock, only for the disk)
JOIN = 30.0


#: Held while a checkpointer thread is inside SQLite (opening, checkpointing, closing): a
#: fork waits for it, so a child never inherits one of SQLite's mutexes locked by a thread
#: that does not exist in it.
_INSIDE = threading.Lock()
#: The checkpointers' connections open in this process; a forked child keeps the ones it
#: inherits alive and never uses or closes them (SQLite forbids carrying one across fork).
_OPEN: set[Any] = set()
_ORPHANS: list[Any] = []


def _before_fork() -> None:
    _INSIDE.acquire()


def _after_fork_in_parent() -> None:
    _INSIDE.release()


def _after_fork_in_child() -> None:
    global _INSIDE
    _INSIDE = threading.Lock()
    _ORPHANS.extend(_OPEN)
    _OPEN.clear()


#: Every checkpointer of this process, ended at exit (:func:`_at_exit`)
_ALL: weakref.WeakSet[Checkpointer] = weakref.WeakSet()


@atexit.register
def _at_exit() -> None:
    """End every thread before the interpreter stops its daemon threads, so that its
    connection is closed: the last connection to close copies the log into the database file
    and removes the ``-wal`` and ``-shm`` files, as it did for a store left open before."""
    for checkpointer in list(_ALL):
        checkpointer.close()


if hasattr(os, "register_at_fork"):  # pragma: no branch - POSIX
    os.register_at_fork(
        before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child
    )


#: Where a failed checkpoint is reported (a warning for a thread's first failure, then
#: debug lines: the next wake tries again, and the writers' own checkpoint still holds)
log = logging.getLogger("pilotflow.store.checkpoint")


def _failed(what: str, exc: Exception, failures: int) -> None:
    level = logging.WARNING if failures == 1 else logging.DEBUG
    log.log(level, "SQLite WAL checkpoint thread: %s (%s: %s); SQLite's own checkpoint at %d pages "
            "still applies / SQLite 预写日志检查点线程出错，SQLite 自身每 %d 页的检查点仍然有效",
            what, type(exc).__name__, exc, SAFETY_NET, SAFETY_NET)  # fmt: skip


class Checkpointer:
    """One thread checkpointing a SQLite file's WAL for the connections that report their
    commits (:meth:`committed`). See the module docstring."""

    __slots__ = ("__weakref__", "_closed", "_commits", "_engine", "_thread", "_wake", "checkpoints", "every")

    def __init__(self, engine: Engine, every: int = EVERY) -> None:
        self._engine = engine
        self.every = every
        self._commits = 0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False  # (closed: no thread starts again, whatever a writer reports)
        #: Checkpoints run so far (what the tests read)
        self.checkpoints = 0
        _ALL.add(self)

    @property
    def running(self) -> bool:
        """Whether this checkpointer's thread is running."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def committed(self) -> None:
        """A writer committed: every :attr:`every` commits, wake the thread (starting it if
        it is not running, as after a fork or an idle spell); once closed, nothing."""
        self._commits += 1  # (several writer threads may race here: a lost count is harmless)
        if self._commits < self.every or self._closed:
            return
        self._commits = 0
        # (No lock: two writers racing here may start two threads for a moment, the older
        # ending after its idle spell; a lock held by a thread a fork left behind would hang.)
        if not self.running:  # (after a fork: not running in the child)
            # A new Event for each thread: one a fork caught while another thread held its
            # lock would hang the child's first set().
            wake = self._wake = threading.Event()
            thread = threading.Thread(
                target=self._run, args=(wake,), name="pilotflow-checkpoint", daemon=True
            )
            self._thread = thread
            try:
                thread.start()
            except RuntimeError:  # no thread to be had (a limit, the interpreter stopping):
                self._thread = None  # the commit stands, and the writers' own checkpoint holds
                return
        self._wake.set()

    def _run(self, wake: threading.Event) -> None:
        conn: Any = None
        failures = 0
        try:
            with _INSIDE:  # (its connect listeners set WAL and the busy timeout)
                fairy = self._engine.raw_connection()
                conn = fairy.driver_connection
                fairy.detach()
                _OPEN.add(conn)
            while wake.wait(IDLE):
                wake.clear()
                if self._thread is not threading.current_thread():
                    return  # closed, or replaced
                try:
                    with _INSIDE:
                        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                    self.checkpoints += 1
                except Exception as exc:  # busy or gone: the next wake tries again
                    failures += 1
                    _failed("a checkpoint failed", exc, failures)
        except Exception as exc:  # (the writers' own checkpoint still holds)
            _failed("its connection could not be opened", exc, 1)
            return
        finally:
            if self._thread is threading.current_thread():
                self._thread = None
            if conn is not None:
                with _INSIDE:
                    _OPEN.discard(conn)
                    conn.close()

    def close(self) -> None:
        """End the thread (after the checkpoint it may be running) and wait for it; no
        thread starts again (a writer still committing on its own connection after the
        store closed: the writers' own checkpoint holds)."""
        self._closed = True
        thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._wake.set()
            thread.join(JOIN)
