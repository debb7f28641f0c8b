"""What a commit writes, on any SQL database: a new nomination's row, the columns a change
moved, the events, the seats, a receipt. Run inside the caller's transaction, through a
DB-API cursor, with the statements of :class:`~._fast.Statements`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...domain.submissions import listing_moves
from ...errors import ConflictError, DuplicateNomination, PilotflowError, ReceiptExists, SeatUnavailable
from ..base import AnyChange, CounterMove, Receipt, SubmissionChange, add_seat, net_cap
from ..codec import event_row, event_values
from ._driver import _StaleRows
from ._fast import commit_pipelined, ids_value, one_statement_params
from .columns import changed, nomination_row
from .letters import moved, submission_row

if TYPE_CHECKING:
    from ...domain.events import Event
    from ...domain.records import Nomination
    from ._fast import CompiledSql, Statements

__all__ = ["new_nomination_check", "new_nomination_refusal", "write_changes", "write_receipt"]


def write_changes(
    cur: Any, stmts: Statements, campaign: str, changes: Sequence[AnyChange], integrity: type[Exception]
) -> None:
    """Write ``changes`` through the cursor ``cur``, inside the caller's transaction: check
    each new claim and each new id, update the rows (only the columns that moved, version
    checked), insert the events, move the seats. Any failure raises (the caller rolls back):
    a claim taken, an id or a version found changed, a seat that cannot be taken."""
    if stmts.one_pipeline and commit_pipelined(cur, stmts, campaign, changes):
        return  # PostgreSQL: committed in one round trip
    # Net seat moves per counter, applied once per commit (a selection of 100 candidates
    # moves two counters, not 200): (authority, counter) -> CounterMove (see add_seat).
    moves: dict[tuple[str, str], CounterMove] = {}
    # Updates (grouped by the columns they write) go to the driver as one executemany each;
    # the events, in the commit's order, as one executemany per run of the same statement
    # (psycopg: pipelined; SQLite: one prepared statement). On PostgreSQL each update and
    # its event are one statement (a step that counts as an update).
    updates: dict[tuple[str, ...], list[Any]] = {}
    expected: list[tuple[str, int]] = []
    steps: list[tuple[CompiledSql, Any]] = []  # (statement, its row), in the commit's order
    ev_sql, one = stmts.insert_event, stmts.pg
    for change in changes:
        if type(change) is SubmissionChange:
            steps.append(_write_submission(cur, stmts, campaign, change, expected))
            continue
        ch = change
        assert not isinstance(ch, SubmissionChange)
        after = ch.after
        if ch.before is None:
            _check_new(cur, stmts, campaign, after)
            sql = stmts.insert_nomination
            cur.execute(sql.text, sql.params(nomination_row(after, ch.event)))
            steps.append(_event_step(stmts, campaign, ch.event))
        else:
            if after.claims_unit and not ch.before.claims_unit:
                _check_claim(cur, stmts, campaign, after)
            values = changed(ch.before, after)
            expected.append((after.id, ch.before.version))
            if one:
                sql = stmts.one_statement(tuple(values))
                steps.append(
                    (sql, one_statement_params(sql, values, after.id, ch.before.version, campaign, ch.event))
                )
            else:
                sql = stmts.update(tuple(values))
                if sql.ordered:
                    row: Any = (*values.values(), after.id, ch.before.version)
                else:
                    named = {"v_" + c: v for c, v in values.items()}
                    named["p_id"], named["p_expected"] = after.id, ch.before.version
                    row = sql.params(named)
                updates.setdefault(tuple(values), []).append(row)
                steps.append(_event_step(stmts, campaign, ch.event))
        for seat in ch.seats:
            add_seat(moves, seat)
    matched = 0
    for columns, rows in updates.items():
        matched += _run(cur, stmts.update(columns).text, rows)
    if not one and matched != len(expected):  # (before the events: their versions would clash)
        raise _StaleRows(expected)
    try:
        start = 0
        for k in range(1, len(steps) + 1):  # runs of the same statement
            if k == len(steps) or steps[k][0] is not steps[start][0]:
                sql = steps[start][0]
                done = _run(cur, sql.text, [r for _, r in steps[start:k]])
                if sql is not ev_sql:
                    matched += done
                start = k
    except integrity as exc:
        first = changes[0]
        raise ConflictError(first.after.id, first.event.version - 1, None) from exc
    if matched != len(expected):
        raise _StaleRows(expected)
    _move_seats(cur, stmts, campaign, moves)


def _check_new(cur: Any, stmts: Statements, campaign: str, after: Nomination) -> None:
    """Refuse a new nomination whose claim another holds (:class:`DuplicateNomination`) or
    whose id a row has (:class:`ConflictError`): one round trip for both."""
    sql, params = new_nomination_check(stmts, campaign, after)
    cur.execute(sql.text, sql.params(params))
    refused = new_nomination_refusal(after, cur.fetchone())
    if refused is not None:
        raise refused


def new_nomination_check(
    stmts: Statements, campaign: str, after: Nomination
) -> tuple[CompiledSql, dict[str, Any]]:
    """The read that finds what stands in the way of the new nomination ``after`` (its
    parameters): for a claiming one, the claim another row holds and the version a row of its
    id has; else that version."""
    if not after.claims_unit:
        return stmts.version, {"p_id": after.id}
    return stmts.claim_and_version, _claim_key(campaign, after)


def new_nomination_refusal(after: Nomination, row: Sequence[Any] | None) -> PilotflowError | None:
    """What refuses the new nomination ``after``, from the row :func:`new_nomination_check`
    read: :class:`DuplicateNomination` naming the nomination that claims its unit, or
    :class:`ConflictError` for a row with its id; None when nothing stands in the way."""
    if not after.claims_unit:
        other, exists = None, (row[0] if row is not None else None)
    else:
        other, exists = row if row is not None else (None, None)
    if other is not None:
        return DuplicateNomination(after.unit_code, other)
    if exists is not None:
        return ConflictError(after.id, 0, exists)
    return None


def _check_claim(cur: Any, stmts: Statements, campaign: str, after: Nomination) -> None:
    """Refuse a change that makes ``after`` claim a unit another nomination claims."""
    sql = stmts.claim
    cur.execute(sql.text, sql.params(_claim_key(campaign, after)))
    other = cur.fetchone()
    if other is not None:
        raise DuplicateNomination(after.unit_code, other[0])


def _claim_key(campaign: str, after: Nomination) -> dict[str, Any]:
    return {"p_campaign": campaign, "p_unit_code": after.unit_code, "p_track": after.track,
            "p_project": after.project, "p_id": after.id}  # fmt: skip


def _run(cur: Any, text: str, rows: list[Any]) -> int:
    """Run ``text`` once per row (one executemany when there are several); the rows it wrote."""
    if len(rows) == 1:
        cur.execute(text, rows[0])
    else:
        cur.executemany(text, rows)
    done: int = cur.rowcount
    return done


def _event_step(stmts: Statements, campaign: str, event: Event) -> tuple[CompiledSql, Any]:
    """The INSERT of ``event``'s row, as a step of :func:`write_changes`."""
    ev_sql = stmts.insert_event
    if ev_sql.ordered:
        return ev_sql, event_values(campaign, event)
    return ev_sql, ev_sql.params(event_row(campaign, event))


def _move_seats(
    cur: Any, stmts: Statements, campaign: str, moves: dict[tuple[str, str], CounterMove]
) -> None:
    """Move each counter's net seats (``moves``: (authority, counter) -> its net move and cap),
    one statement each that creates the counter's row on its first seat (psycopg: all in one
    pipelined executemany); :class:`SeatUnavailable` when a capped one cannot be taken."""
    if not moves:  # (a stamp, an attached material, a recall: no counter moves)
        return
    take = stmts.take
    todo = [(key, move) for key, move in sorted(moves.items(), key=lambda m: m[0]) if move[0] != 0]
    rows = [take.params({"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type,
                         "p_delta": move[0], "p_limit": net_cap(move)})
            for (authority, unit_type), move in todo]  # fmt: skip
    taken: list[bool] = []
    if stmts.pipelined and rows:  # one round trip, each statement saying if it took its seat
        cur.executemany(take.text, rows, returning=True)
        while True:
            taken.append(cur.fetchone() is not None)
            if not cur.nextset():
                break
    else:  # one at a time, up to the first one refused (the caller rolls back)
        for row in rows:
            cur.execute(take.text, row)
            taken.append(cur.rowcount == 1)
            if not taken[-1]:
                break
    for ((authority, unit_type), (_, _, seat, limit)), done in zip(todo, taken, strict=False):
        if not done:
            quota = stmts.quota
            cur.execute(quota.text, quota.params({"p_campaign": campaign, "p_authority": authority,
                                                  "p_unit_type": unit_type}))  # fmt: skip
            row = cur.fetchone()
            raise SeatUnavailable(seat, int(row[0] or 0) if row else 0, limit or 0, unit_type)


def _write_submission(
    cur: Any, stmts: Statements, campaign: str, ch: SubmissionChange, expected: list[tuple[str, int]]
) -> tuple[CompiledSql, Any]:
    """Insert a new submission's row, or rewrite one whose stored version is the one the change
    was computed from (else the commit fails as a conflict: on PostgreSQL, its row and version
    are added to ``expected``); list the units its draft claims and let go of those it releases
    (a unit another draft lists is a conflict). The step that writes the change's event
    (on PostgreSQL, with the row's update: one statement)."""
    after = ch.after
    claims, releases = listing_moves(ch.before, after)
    if releases:  # one executemany (psycopg: pipelined) however many units the letter lets go
        sql = stmts.unlist_unit
        rows = [sql.params({"p_campaign": campaign, "p_id": unit, "p_sid": after.id}) for unit in releases]
        cur.executemany(sql.text, rows)
    if claims:  # one executemany: each unit listed unless a draft lists it already
        _list_units(cur, stmts, campaign, after.id, claims)
    if ch.before is None:
        sql = stmts.submission_version
        cur.execute(sql.text, sql.params({"p_id": after.id}))
        exists = cur.fetchone()
        if exists is not None:
            raise ConflictError(after.id, 0, exists[0])
        sql = stmts.insert_submission
        cur.execute(sql.text, sql.params(submission_row(after)))
        return _event_step(stmts, campaign, ch.event)
    values = moved(ch.before, after)
    if stmts.pg:
        expected.append((after.id, ch.before.version))
        sql = stmts.one_statement(tuple(values), "submissions")
        return sql, one_statement_params(sql, values, after.id, ch.before.version, campaign, ch.event)
    params = {"v_" + c: v for c, v in values.items()}
    params["p_id"], params["p_expected"] = after.id, ch.before.version
    sql = stmts.update(tuple(values), "submissions")
    cur.execute(sql.text, sql.params(params))
    if cur.rowcount != 1:
        raise _StaleRows([(after.id, ch.before.version)])
    return _event_step(stmts, campaign, ch.event)


def _list_units(cur: Any, stmts: Statements, campaign: str, sid: str, units: Sequence[str]) -> None:
    """List ``units`` in the draft ``sid``: psycopg, one pipelined executemany, each statement
    saying if its unit was free; elsewhere one read of those a draft lists already, then one
    executemany. :class:`ConflictError` naming the first unit a draft lists already."""
    if stmts.pipelined:
        sql = stmts.list_free
        rows = [
            sql.params({"campaign": campaign, "nomination_id": unit, "submission_id": sid}) for unit in units
        ]
        cur.executemany(sql.text, rows, returning=True)
        for unit in units:
            if cur.fetchone() is None:
                raise ConflictError(unit, 0, None)
            cur.nextset()
        return
    listed = stmts.listed
    cur.execute(listed.text, listed.params({"p_campaign": campaign, "p_ids": ids_value(stmts.pg, units)}))
    taken = {row[0] for row in cur.fetchall()}
    for unit in units:
        if unit in taken:
            raise ConflictError(unit, 0, None)
    sql = stmts.list_unit
    cur.executemany(
        sql.text,
        [sql.params({"campaign": campaign, "nomination_id": u, "submission_id": sid}) for u in units],
    )


def write_receipt(cur: Any, stmts: Statements, campaign: str, receipt: Receipt) -> None:
    """Store ``receipt`` through ``cur``; :class:`~pilotflow.errors.ReceiptExists` if its key is."""
    found = stmts.receipt
    cur.execute(found.text, found.params({"p_campaign": campaign, "p_key": receipt.key}))
    if cur.fetchone() is not None:
        raise ReceiptExists(receipt.key)
    insert = stmts.insert_receipt
    values = {"campaign": campaign, "key": receipt.key, "fingerprint": receipt.fingerprint,
              "result": receipt.result}  # fmt: skip
    cur.execute(insert.text, insert.params(values))
