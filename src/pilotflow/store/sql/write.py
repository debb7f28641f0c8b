"""What a commit writes, on any SQL database: a new nomination's row, the columns a change
moved, the events, the seats, a receipt. Run inside the caller's transaction, through a
DB-API cursor, with the statements of :class:`~._fast.Statements`."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from ...domain.events import FIXED_FIELDS
from ...domain.records import Nomination
from ...errors import ConflictError, DuplicateNomination, ReceiptExists, SeatUnavailable
from ..base import Change, Receipt
from ..codec import converter, dumps, encode_materials, event_row, event_values, moment_values, tuple_json
from ._driver import _StaleRows

if TYPE_CHECKING:
    from ._fast import Statements

__all__ = ["changed", "nomination_row", "write_changes", "write_receipt"]

#: The fields an action can change, and how each column is written when it does. Every other
#: field is fixed when a nomination is filed (``events.apply`` copies it; a test pins that),
#: so an update compares and writes only these. ``holder`` and ``claims_unit`` are derived:
#: written when ``hop`` or ``state`` change.
_MOVING: dict[str, Any] = {
    "hop": None,
    "state": None,
    "stamps": tuple_json,  # tuples of strings: JSON arrays (cached by value)
    "materials": lambda v: dumps(encode_materials(v)),
    "seats": tuple_json,
    "updated_at": lambda v: moment_values(v)[0],
    "ministry": lambda v: None if v is None else dumps(converter.unstructure(v)),
}
_GET_MOVING = operator.attrgetter(*_MOVING)
if {*_MOVING, *FIXED_FIELDS, "version"} != {a.name for a in attrs.fields(Nomination)}:  # pragma: no cover
    raise ImportError("pilotflow.store.sql.write: _MOVING and events.FIXED_FIELDS must cover Nomination")
_MOVING_ENCODERS = tuple(_MOVING.items())


def nomination_row(n: Nomination) -> dict[str, Any]:
    """A new nomination's row, every column encoded."""
    return {
        "id": n.id,
        "campaign": n.campaign,
        "revision": n.revision,
        "unit_code": n.unit_code,
        "unit_name": n.unit_name,
        "unit_type": n.unit_type,
        "scenario": n.scenario,
        "route": dumps(list(n.route)),
        "hop": n.hop,
        "holder": n.holder,
        "state": n.state,
        "claims_unit": n.claims_unit,
        "stamps": dumps(list(n.stamps)),
        "materials": dumps(encode_materials(n.materials)),
        "seats": dumps(list(n.seats)),
        "version": n.version,
        "created_at": n.created_at.isoformat(),
        "updated_at": n.updated_at.isoformat(),
        "track": n.track,
        "batch": n.batch,
        "ministry": None if n.ministry is None else dumps(converter.unstructure(n.ministry)),
    }


def changed(before: Nomination, after: Nomination) -> dict[str, Any]:
    """The columns of ``after`` that differ from ``before``, encoded (a stamp writes
    stamps, version and updated_at, not the materials or the route)."""
    out: dict[str, Any] = {}
    # By identity: apply() carries an unchanged value over as the same object, so a new
    # object is (nearly always) a new value; writing an equal one again is harmless and
    # cheaper than comparing (a moment from the clock against one read back from the row
    # costs a time-zone conversion per comparison).
    # (hop and state are an int and a short string: compared by value.)
    for (f, enc), old, new in zip(_MOVING_ENCODERS, _GET_MOVING(before), _GET_MOVING(after), strict=True):
        if new is not old and (enc is not None or new != old):
            out[f] = new if enc is None else enc(new)
    if "hop" in out:
        out["holder"] = after.holder
    if "state" in out:
        out["claims_unit"] = after.claims_unit
    out["version"] = after.version
    return out


def write_changes(
    cur: Any, stmts: Statements, campaign: str, changes: Sequence[Change], integrity: type[Exception]
) -> None:
    """Write ``changes`` through the cursor ``cur``, inside the caller's transaction: check
    each new claim and each new id, update the rows (only the columns that moved, version
    checked), insert the events, move the seats. Any failure raises (the caller rolls back):
    a claim taken, an id or a version found changed, a seat that cannot be taken."""
    # Net seat moves per counter, applied once per commit (a selection of 100 candidates
    # moves two counters, not 200): (authority, counter) -> [delta, limit, a seat].
    moves: dict[tuple[str, str], list[Any]] = {}
    # Updates (grouped by the columns they write) and events go to the driver as one
    # executemany each (psycopg: pipelined; SQLite: one prepared statement).
    updates: dict[tuple[str, ...], list[Any]] = {}
    expected: list[tuple[str, int]] = []
    events: list[Any] = []
    ev_sql = stmts.insert_event
    for ch in changes:
        after = ch.after
        if after.claims_unit and (ch.before is None or not ch.before.claims_unit):
            sql = stmts.claim
            cur.execute(sql.text, sql.params({"p_campaign": campaign, "p_unit_code": after.unit_code,
                                              "p_track": after.track, "p_id": after.id}))  # fmt: skip
            other = cur.fetchone()
            if other is not None:
                raise DuplicateNomination(after.unit_code, other[0])
        if ch.before is None:
            sql = stmts.version
            cur.execute(sql.text, sql.params({"p_id": after.id}))
            exists = cur.fetchone()
            if exists is not None:
                raise ConflictError(after.id, 0, exists[0])
            sql = stmts.insert_nomination
            cur.execute(sql.text, sql.params(nomination_row(after)))
        else:
            values = changed(ch.before, after)
            columns = tuple(values)
            sql = stmts.update(columns)
            if sql.ordered:
                row: Any = (*values.values(), after.id, ch.before.version)
            else:
                params = {"v_" + c: v for c, v in values.items()}
                params["p_id"], params["p_expected"] = after.id, ch.before.version
                row = sql.params(params)
            updates.setdefault(columns, []).append(row)
            expected.append((after.id, ch.before.version))
        if ev_sql.ordered:
            events.append(event_values(campaign, ch.event))
        else:
            events.append(ev_sql.params(event_row(campaign, ch.event)))
        for seat in ch.seats:
            for unit_type, limit in seat.counters:
                move = moves.get((seat.authority, unit_type))
                if move is None:
                    move = moves[seat.authority, unit_type] = [0, None, seat]
                move[0] += seat.delta
                if seat.delta > 0 and limit is not None:
                    move[1] = limit if move[1] is None else min(move[1], limit)
                    move[2] = seat
    matched = 0
    for columns, rows in updates.items():
        text = stmts.update(columns).text
        if len(rows) == 1:
            cur.execute(text, rows[0])
        else:
            cur.executemany(text, rows)
        matched += cur.rowcount
    if matched != len(expected):
        raise _StaleRows(expected)
    try:
        if len(events) == 1:
            cur.execute(ev_sql.text, events[0])
        elif events:
            cur.executemany(ev_sql.text, events)
    except integrity as exc:
        first = changes[0]
        raise ConflictError(first.after.id, first.event.version - 1, None) from exc
    quota = stmts.quota
    for (authority, unit_type), (delta, limit, seat) in sorted(moves.items(), key=lambda m: m[0]):
        if delta == 0:
            continue
        values = {"p_campaign": campaign, "p_authority": authority, "p_unit_type": unit_type,
                  "p_delta": delta, "p_limit": limit}  # fmt: skip
        sql = stmts.take_capped if delta > 0 and limit is not None else stmts.take
        params = sql.params(values)
        cur.execute(sql.text, params)
        if cur.rowcount == 1:
            continue
        cur.execute(quota.text, quota.params(values))
        row = cur.fetchone()
        if row is None:  # the counter's first seat: create its row, then take
            _ensure_quota_row(cur, stmts, campaign, authority, unit_type)
            cur.execute(sql.text, params)
            if cur.rowcount == 1:
                continue
            cur.execute(quota.text, quota.params(values))
            row = cur.fetchone()
        raise SeatUnavailable(seat, int(row[0] or 0) if row else 0, limit or 0, unit_type)


def _ensure_quota_row(cur: Any, stmts: Statements, campaign: str, authority: str, unit_type: str) -> None:
    insert = stmts.insert_quota
    values = {"campaign": campaign, "authority": authority, "unit_type": unit_type, "used": 0}
    cur.execute(insert.text, insert.params(values))


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
