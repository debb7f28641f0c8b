"""Turning nominations and events into plain JSON-able data and back (cattrs).

Shared by every store that serialises (SQL now; files or queues later). Moments are written
as ISO 8601 with their offset and read back as aware datetimes, so replayed state compares
equal to live state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ..domain.events import Event
from ..domain.records import Actor, Material, Nomination
from ._json import compact_dumps

__all__ = [
    "EVENT_COLUMNS", "converter", "decode_data", "dumps", "encode_data", "event_values", "loads",
    "moment_values", "tuple_json",
]  # fmt: skip

converter = cattrs.Converter()
converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))
# A nomination of no project (every campaign without ``applicants``) is written as before.
converter.register_unstructure_hook(
    Nomination, make_dict_unstructure_fn(Nomination, converter, project=override(omit_if_default=True))
)


#: Compact, key-sorted JSON, non-ASCII as is (the same text as ``json.dumps(value,
#: ensure_ascii=False, separators=(",", ":"), sort_keys=True)``); see :mod:`._json`.
dumps = compact_dumps()


def loads(text: str) -> Any:
    return json.loads(text)


def encode_materials(materials: tuple[Material, ...]) -> list[dict[str, Any]]:
    return [converter.unstructure(m) for m in materials]


def decode_materials(value: list[dict[str, Any]]) -> tuple[Material, ...]:
    return tuple(converter.structure(m, Material) for m in value)


def encode_data(action: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "material" in out:
        out["material"] = converter.unstructure(out["material"])
    if "materials" in out:
        out["materials"] = encode_materials(out["materials"])
    if "route" in out:
        out["route"] = list(out["route"])
    return out


def decode_data(action: str, data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "material" in out:
        out["material"] = converter.structure(out["material"], Material)
    if "materials" in out:
        out["materials"] = decode_materials(out["materials"])
    if "route" in out:
        out["route"] = tuple(out["route"])
    return out


#: The columns of an event row (all but ``seq``), in table order: see :func:`event_values`.
EVENT_COLUMNS = ("campaign", "nomination_id", "version", "action", "actor_authority",
                 "actor_department", "actor_person", "at", "at_utc", "from_state", "to_state",
                 "from_holder", "to_holder", "verdicts", "revision", "lists", "reason", "data")  # fmt: skip
_ENCODED_DATA_KEYS = frozenset(("material", "materials", "route"))
#: JSON of verdict and list-version tuples, by value (few distinct ones; immutable).
_TUPLE_JSON: dict[Any, str] = {}


_LAST_MOMENT: tuple[Any, str, int] = (None, "", 0)


def moment_values(at: datetime) -> tuple[str, int]:
    """``at`` as ISO 8601 text with its offset, and as UTC microseconds since the epoch.

    The last moment is remembered (by identity: datetimes are immutable), so the events of
    one selection, which share their moment, and a version's ``updated_at``, which is its
    event's moment, are formatted once.
    """
    global _LAST_MOMENT
    last = _LAST_MOMENT
    if last[0] is at:
        return last[1], last[2]
    text, micros = at.isoformat(), int(at.timestamp() * 1_000_000)
    _LAST_MOMENT = (at, text, micros)  # one tuple, replaced whole: safe across threads
    return text, micros


#: The same, by identity (an event's verdicts and list versions are shared tuples): no hashing
#: of the tuple's contents. Each entry keeps its tuple alive, so the id cannot be reused.
_TUPLE_JSON_BY_ID: dict[int, tuple[tuple[Any, ...], str]] = {}


def _shared_tuple_json(value: tuple[Any, ...]) -> str:
    """:func:`tuple_json` of a tuple many events share (verdicts, list versions): by identity."""
    hit = _TUPLE_JSON_BY_ID.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = tuple_json(value)
    if len(_TUPLE_JSON_BY_ID) > 4096:
        _TUPLE_JSON_BY_ID.clear()
    _TUPLE_JSON_BY_ID[id(value)] = (value, text)
    return text


def tuple_json(value: tuple[Any, ...]) -> str:
    """``dumps`` of a tuple of strings (or of tuples of strings), cached by value."""
    try:
        text = _TUPLE_JSON.get(value)
    except TypeError:  # something unhashable inside: not cached
        return dumps(value)
    if text is None:
        if len(_TUPLE_JSON) > 4096:
            _TUPLE_JSON.clear()
        text = _TUPLE_JSON[value] = dumps(value)
    return text


def _data_json(action: str, data: Mapping[str, Any]) -> str:
    if not data:
        return "{}"
    if _ENCODED_DATA_KEYS.isdisjoint(data):
        return dumps(data if type(data) is dict else dict(data))
    return dumps(encode_data(action, data))


def event_values(campaign: str, e: Event) -> tuple[Any, ...]:
    """An event's row as a tuple in :data:`EVENT_COLUMNS` order."""
    at, at_utc = moment_values(e.at)
    actor = e.actor
    return (campaign, e.nomination_id, e.version, e.action, actor.authority, actor.department,
            actor.person, at, at_utc, e.from_state,
            e.to_state, e.from_holder, e.to_holder, _shared_tuple_json(e.verdicts), e.revision,
            _shared_tuple_json(e.lists), e.reason, _data_json(e.action, e.data))  # fmt: skip


def event_row(campaign: str, e: Event) -> dict[str, Any]:
    return dict(zip(EVENT_COLUMNS, event_values(campaign, e), strict=True))


def row_event(r: Any) -> Event:
    return Event.of(
        r["nomination_id"],
        r["version"],
        r["action"],
        Actor(r["actor_authority"], r["actor_department"], r["actor_person"]),
        datetime.fromisoformat(r["at"]),
        r["from_state"],
        r["to_state"],
        r["from_holder"],
        r["to_holder"],
        tuple(loads(r["verdicts"])),
        r["revision"],
        tuple((a, b) for a, b in loads(r["lists"])),
        r["reason"],
        decode_data(r["action"], loads(r["data"])),
    )
