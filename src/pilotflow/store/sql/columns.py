"""How a nomination is written as a row: every column of a new one, and the columns a change
moved (an update compares and writes only those). Also how SQLite is given a moment and
shared event data."""

from __future__ import annotations

import operator
import sqlite3
from typing import Any

import attrs

from ...domain.events import FIXED_FIELDS, Event
from ...domain.records import Nomination
from ..codec import Instant, SharedText, converter, dumps, encode_materials, moment_values, tuple_json

__all__ = ["changed", "nomination_row"]

#: The fields an action can change, and how each column is written when it does. Every other
#: field is fixed when a nomination is filed (``events.apply`` copies it; a test pins that),
#: so an update compares and writes only these. ``holder`` and ``claims_unit`` are derived:
#: written when ``hop`` or ``state`` change.
_MOVING: dict[str, Any] = {
    "hop": None,
    "state": None,
    "examined": tuple_json,  # tuples of strings: JSON arrays (cached by value)
    "materials": lambda v: dumps(encode_materials(v)),
    "seats": tuple_json,
    "updated_at": lambda v: moment_values(v)[0],  # (and updated_offset: see changed)
    "ministry": lambda v: None if v is None else dumps(converter.unstructure(v)),
}
_GET_MOVING = operator.attrgetter(*_MOVING)
if {*_MOVING, *FIXED_FIELDS, "version"} != {a.name for a in attrs.fields(Nomination)}:  # pragma: no cover
    raise ImportError("pilotflow.store.sql.columns: _MOVING and events.FIXED_FIELDS must cover Nomination")
_MOVING_ENCODERS = tuple(_MOVING.items())


def nomination_row(n: Nomination, filing: Event | None = None) -> dict[str, Any]:
    """A new nomination's row, every column encoded; the materials NULL when they are those
    of ``filing``, the event that files it, which keeps them (schema 6: stored once)."""
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
        "examined": dumps(list(n.examined)),
        "materials": None if filed_with(n, filing) else dumps(encode_materials(n.materials)),
        "seats": dumps(list(n.seats)),
        "version": n.version,
        "created_at": moment_values(n.created_at)[0],
        "created_offset": moment_values(n.created_at)[1],
        "updated_at": moment_values(n.updated_at)[0],
        "updated_offset": moment_values(n.updated_at)[1],
        "track": n.track,
        "batch": n.batch,
        "ministry": None if n.ministry is None else dumps(converter.unstructure(n.ministry)),
        "project": n.project,
    }


def filed_with(n: Nomination, filing: Event | None) -> bool:
    """Whether ``n``'s materials are those its filing event carries (as ``events.apply``
    builds a new nomination: the data's ``materials``, none when it names none)."""
    if filing is None:
        return False
    filed = filing.data.get("materials", ())
    return filed is n.materials or tuple(filed) == n.materials


def changed(before: Nomination, after: Nomination) -> dict[str, Any]:
    """The columns of ``after`` that differ from ``before``, encoded (an examination writes
    examined, version and updated_at, not the materials or the route)."""
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
    if "updated_at" in out:
        out["updated_offset"] = moment_values(after.updated_at)[1]
    out["version"] = after.version
    return out


def _adapt_instant(value: Instant) -> int:
    return value.micros


def _adapt_shared(value: SharedText) -> bytes:
    return value.encode()


# SQLite stores an Instant as its integer of UTC microseconds (only this class: a host's own
# datetimes are left alone). PostgreSQL gets it as the aware datetime it is (timestamptz).
sqlite3.register_adapter(Instant, _adapt_instant)
# SQLite gets shared event data as a BLOB, which the schema's trigger stores once in the texts
# table (PostgreSQL gets the string).
sqlite3.register_adapter(SharedText, _adapt_shared)
