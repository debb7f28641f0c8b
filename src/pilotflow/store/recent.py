"""Speed: the last committed state of the records a store wrote or read, kept to skip a read.

An action judges a record's stored state, then commits on the condition that the record is
still at the version it judged (every commit does: :class:`~pilotflow.errors.ConflictError`
otherwise). On PostgreSQL the read costs a round trip as long as the write. A store on its
own engine therefore keeps the last committed state of each nomination and letter it wrote
or read (:class:`Recent`, bounded), and the application judges an action on that state when
it has one (``app/kept.py``): if the record has moved on meanwhile, the
commit finds another version and changes nothing, and the action is judged again on a fresh
read, as it would have been without this. A refusal judged on a kept state is judged again
on a fresh read too: only a commit proves the kept state was the stored one.

What makes this exact: only *committed* states are kept, and a record's version then names
one content (a commit raises the version by one; rows are never deleted). A state read or
written inside a transaction that is not yet committed (the SQLite store's atomic scope)
waits in a per-thread list until the scope commits, and is dropped if it rolls back. A store
bound to a host's connection keeps nothing: the host commits, or not, out of pilotflow's sight.

Measured in ``benchmarks/README.md`` ("A letter's stamp in one round trip").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import TypeVar

from ..domain.records import Nomination
from ..domain.submissions import Submission

__all__ = ["RECENT_SIZE", "Recent"]

#: Records of each kind kept (nominations; letters): the oldest kept goes first. A filed
#: nomination with its materials takes about 0.5 KB (8,192 of them about 4 MB, measured); a
#: letter grows with its units' ids.
RECENT_SIZE = 8192

R = TypeVar("R", Nomination, Submission)


class Recent:
    """The last committed state of up to ``size`` nominations and ``size`` letters, by id.

    Safe to share between threads without a lock (each step is one dictionary operation
    under the interpreter lock; a race can only keep an older state, which costs a
    :class:`~pilotflow.errors.ConflictError` and a fresh read, never a wrong answer) and
    across ``fork`` (a child inherits committed states, which stay true)."""

    __slots__ = ("_local", "_nominations", "_size", "_submissions")

    def __init__(self, size: int = RECENT_SIZE) -> None:
        self._size = size
        self._nominations: OrderedDict[str, Nomination] = OrderedDict()
        self._submissions: OrderedDict[str, Submission] = OrderedDict()
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"<Recent {len(self._nominations)} nominations, {len(self._submissions)} letters>"

    def nomination(self, nomination_id: str) -> Nomination | None:
        """The last committed state kept of this nomination, or None."""
        return self._nominations.get(nomination_id)

    def submission(self, submission_id: str) -> Submission | None:
        """The last committed state kept of this letter, or None."""
        return self._submissions.get(submission_id)

    def keep(self, records: Iterable[Nomination | Submission]) -> None:
        """Keep ``records``, committed states (inside :meth:`hold`, once it commits: what the
        transaction holds is trimmed to its last ``2 * size`` once over ``4 * size``)."""
        pending: list[Nomination | Submission] | None = getattr(self._local, "pending", None)
        if pending is not None:
            pending.extend(records)
            if len(pending) > 4 * self._size:  # (a long scope: what it would keep last, and more)
                del pending[: -2 * self._size]
            return
        for record in records:
            if type(record) is Submission:
                self._put(self._submissions, record)
            elif isinstance(record, Nomination):
                self._put(self._nominations, record)

    def drop(self, record_id: str) -> None:
        """Forget what is kept of the record ``record_id`` (a nomination or a letter)."""
        self._nominations.pop(record_id, None)
        self._submissions.pop(record_id, None)

    def holding(self) -> bool:
        """Whether this thread is inside a transaction :meth:`hold` opened: an action there
        is not judged on a kept state (its retry on a fresh read could not undo what the first
        attempt wrote in the transaction, and what the transaction wrote is not kept yet)."""
        return getattr(self._local, "pending", None) is not None

    def hold(self) -> None:
        """This thread opens a transaction: what it keeps waits for :meth:`release`."""
        self._local.pending = []

    def release(self, committed: bool) -> None:
        """This thread's transaction ended: keep what it held if it ``committed``."""
        pending: list[Nomination | Submission] | None = getattr(self._local, "pending", None)
        self._local.pending = None
        if committed and pending:
            self.keep(pending)

    def _put(self, kept: OrderedDict[str, R], record: R) -> None:
        old = kept.get(record.id)
        if old is not None and old.version >= record.version:
            return  # (a state read after a newer one was kept: the newer stays)
        kept[record.id] = record
        try:
            kept.move_to_end(record.id)
        except KeyError:  # (dropped by another thread meanwhile)
            return
        while len(kept) > self._size:
            try:
                kept.popitem(last=False)
            except KeyError:  # (emptied by another thread)
                return
