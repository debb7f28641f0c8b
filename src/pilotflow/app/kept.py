"""Speed: an action judged on the state its store kept (:mod:`pilotflow.store.recent`), not a
fresh read of its record: on PostgreSQL a letter's stamp is one round trip instead of two, a
district's send one instead of three (reads an action makes of other rows, quota counters or
a re-review's shares, are still made; ``benchmarks/README.md``, "A letter's stamp in one
round trip").

The kernel (:meth:`~.kernel.Kernel._act`) and the letters (:meth:`~.letters.Letters._letter_act`)
try an action on a kept state first (:func:`on_kept`); one that does not commit (its commit
found another version, or it was refused) forgets the state and is
judged again on a fresh read, so that its answer is always the one a fresh read gives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..domain.records import Nomination
from ..domain.submissions import Submission
from ..errors import ActionRefused, ConflictError, InvalidInput
from ..store import Store

__all__ = ["JUDGED_AGAIN", "kept", "kept_units", "on_kept"]

T = TypeVar("T")

#: How an action judged on a kept state may end that a fresh read could change
#: (the state is no longer the stored one): the action is judged again on a fresh read.
#: (An ``InvalidInput`` a kept state gives repeats on the fresh read, a kept state being never
#: newer than the stored one; judged again all the same, so that what a caller is told always
#: comes from the stored state.)
JUDGED_AGAIN = (ActionRefused, ConflictError, InvalidInput)


def kept(store: Store, record: object, kind: type[Nomination] | type[Submission]) -> Any:
    """The kept state (of ``kind``) of the record ``record`` names (an id, or a record of
    ``kind``: only its id is used), or None: None too while this thread is in a transaction
    of the store's atomic scope (a host's, which an action joins: a second try could not undo
    the first's writes there, and what the scope wrote is not kept yet)."""
    recent = store.recent
    rid = record if type(record) is str else record.id if isinstance(record, kind) else None
    if recent is None or type(rid) is not str or recent.holding():
        return None
    return recent.submission(rid) if kind is Submission else recent.nomination(rid)


def kept_units(store: Store, ids: tuple[str, ...]) -> list[Nomination] | None:
    """The kept states of the nominations ``ids`` if ``store`` kept every one, else None
    (judged with a kept letter: its commit checks each unit's version too)."""
    recent = store.recent
    if recent is None:
        return None
    found = [recent.nomination(nid) for nid in ids]
    return None if None in found else found  # type: ignore[return-value]


def on_kept(store: Store, record: object, kind: type[Nomination] | type[Submission],
            attempt: Callable[[Any], T]) -> T | None:  # fmt: skip
    """``attempt(state)``: the action judged on the kept state of the record ``record`` names
    (:func:`kept`), given to the action's ``kept`` argument, which no public method passes on
    (a caller cannot make pilotflow judge a state it made up). None when there is no kept
    state, or when the attempt did not commit: then the action is judged on a fresh read."""
    state = kept(store, record, kind)
    if state is None:
        return None
    try:
        return attempt(state)
    except JUDGED_AGAIN:  # (it did not commit: the state is forgotten)
        if store.recent is not None:
            store.recent.drop(state.id)
        return None
