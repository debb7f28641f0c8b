"""Commands that run once: idempotency keys, receipts, and retrying a lost race.

A host retries a request whose answer it did not get (a timeout, a dropped connection). With
an ``idempotency_key``, the action's result is stored with the action in one transaction, as
a receipt; the same command sent again returns the first result and writes nothing, and
another command under the same key is refused. :func:`retry_on_conflict` is the other half: a
request that lost a race (``ConflictError``) is tried again after a jittered back-off.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from ..domain.events import replay
from ..domain.inputs import KEY, check_number, check_text
from ..domain.records import Nomination
from ..domain.submissions import Submission, apply_submission
from ..errors import ConflictError, InvalidInput, PilotflowError, StoreError, SubmissionNotFound, shown
from ..store import Receipt, Store
from ..store.base import MALFORMED, malformed

__all__ = ["ReceiptFor", "at_version", "atomically", "once", "ref", "retry_on_conflict"]

T = TypeVar("T")
#: What an action is given to make its receipt from its result (None: no key, no receipt).
ReceiptFor = Callable[[Any], Receipt] | None


def atomically(store: Store, fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` inside the store's :attr:`~pilotflow.store.Store.atomic` scope, if it
    has one: the reads ``fn`` makes and its commit share one transaction."""
    atomic = store.atomic
    if atomic is None:
        return fn(*args)
    with atomic():
        return fn(*args)


def _fingerprint(part: object) -> str:
    """One argument of a command as its fingerprint sees it: a moment as its instant (the same
    moment written with ZoneInfo, a fixed offset or UTC is the same command), anything else
    as its repr."""
    if isinstance(part, datetime) and part.utcoffset() is not None:
        try:
            return "instant:" + part.astimezone(UTC).isoformat()
        except (OverflowError, ValueError):
            pass  # refused by the action itself
    return repr(part)


def ref(n: Nomination) -> dict[str, Any]:
    """A nomination as a receipt records it: its id and version."""
    return {"nomination": n.id, "version": n.version}


def at_version(store: Store, campaign: str, receipt: Any) -> Nomination:
    """The nomination as it was at the version a receipt names (rebuilt from its log)."""
    nid, version = receipt["nomination"], receipt["version"]
    events = [e for e in store.events(campaign, nid) if e.version <= version]
    return replay(events).nominations[nid]


def letter_at_version(store: Store, campaign: str, receipt: Any) -> Submission:
    """The letter (推荐函) as it was at the version a receipt names (rebuilt from its log)."""
    sid, version = receipt["submission"], receipt["version"]
    letter: Submission | None = None
    for event in store.events(campaign, sid):
        if event.version > version:
            break
        letter = apply_submission(letter, event)
    if letter is None:
        raise SubmissionNotFound(sid)
    return letter


def checked_key(key: object) -> str:
    """An idempotency key as it is kept (the text rule; " k" and "k" are one key)."""
    return check_text(key, "idempotency_key", KEY, zh="幂等键")


def once(
    store: Store,
    campaign: str,
    key: str | None,
    parts: Sequence[object],
    perform: Callable[[ReceiptFor], T],
    encode: Callable[[T], Any],
    decode: Callable[[Any], T],
) -> T:
    """Run ``perform`` once per idempotency ``key``, inside the store's atomic scope: a
    repeat with the same arguments returns the first result and writes nothing; other
    arguments are refused.

    The receipt is read in the same transaction as the action (a store with an atomic
    scope serialises the two requests), and read again when the action is refused or
    loses a race: a repeat sent while the first request was still running answers with
    the first request's result, not with the refusal its success causes.
    """
    if key is None:
        return atomically(store, perform, None)
    key = checked_key(key)
    fingerprint = hashlib.sha256(
        json.dumps([_fingerprint(p) for p in parts], ensure_ascii=False).encode()
    ).hexdigest()

    def receipt_for(result: Any) -> Receipt:
        return Receipt(key, fingerprint, json.dumps(encode(result), ensure_ascii=False))

    def attempt() -> tuple[Receipt | None, T | None]:
        found = store.receipt(campaign, key)
        if found is not None:
            return found, None
        return None, perform(receipt_for)

    try:
        found, result = atomically(store, attempt)
    except StoreError:
        raise  # the database failed: nothing to look past
    except PilotflowError:
        # Any refusal (a guard, a lost race, an order naming what is no longer a candidate...)
        # may come from the same command done meanwhile by a request still running when this
        # one read: then its result is the answer (read after our rollback).
        found = store.receipt(campaign, key)
        if found is None:
            raise
    if found is None:
        return result  # type: ignore[return-value]  # performed now
    if found.fingerprint != fingerprint:
        raise InvalidInput(
            f"idempotency key {key!r} was already used for a different command",
            f"幂等键 {key!r} 已用于另一项不同的操作，不能复用",
        )
    try:
        return decode(json.loads(found.result))
    except MALFORMED as exc:  # (a receipt pilotflow did not write: edited, or damaged)
        raise malformed(
            f"the result kept for idempotency key {key!r}", f"幂等键 {key!r} 保存的结果", exc
        ) from exc


def retry_on_conflict(
    action: Callable[[], T],
    *,
    attempts: int = 5,
    base_delay: float = 0.02,
    max_delay: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``action`` again when it raises ConflictError, up to ``attempts`` times in all,
    sleeping a jittered exponential back-off in between ("full jitter": a uniform draw from
    0 to ``min(max_delay, base_delay * 2**n)``). Other errors, and the last conflict,
    propagate. ``action`` must re-read what it acts on (pass ids, not stale objects).

    >>> calls = []
    >>> def flaky():
    ...     calls.append(1)
    ...     if len(calls) < 3:
    ...         raise ConflictError("n1", 1, 2)
    ...     return "done"
    >>> retry_on_conflict(flaky, sleep=lambda s: None), len(calls)
    ('done', 3)
    """
    if not callable(action) or not callable(sleep):
        raise InvalidInput(
            "action and sleep must be callables (functions)", "action 与 sleep 参数必须是可调用的函数"
        )
    if isinstance(attempts, bool) or not isinstance(attempts, int) or not 1 <= attempts <= 100:
        raise InvalidInput(
            f"attempts must be a whole number from 1 to 100, got {shown(attempts)}",
            "重试次数 attempts 必须是 1 到 100 的整数",
        )
    check_number("base_delay", base_delay, 0, 60)
    check_number("max_delay", max_delay, 0, 3600)
    for n in range(attempts):
        try:
            return action()
        except ConflictError:
            if n == attempts - 1:
                raise
            sleep(secrets.SystemRandom().uniform(0, min(max_delay, base_delay * 2**n)))
    raise AssertionError("unreachable")  # pragma: no cover
