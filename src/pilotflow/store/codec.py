"""Turning nominations and events into stored values and back.

Shared by every store that serialises (SQL now; files or queues later). What an event row
holds (schema version 4, :mod:`pilotflow.store.sql.schema`)::

    campaign, nomination_id, version, actor, at, at_offset, shape, reason, data

* ``actor`` — JSON ``{"authority", "department", "person"}``;
* ``at`` — the moment as UTC microseconds since 1970 (:class:`Instant`: an integer on
  SQLite, a ``timestamptz`` on PostgreSQL), ``at_offset`` its UTC offset in seconds, so the
  moment reads back with the offset it was written with;
* ``shape`` — JSON of what the event shares with others of its kind (its
  :class:`~pilotflow.domain.events.EventShape`: action, from/to state and holder, verdicts,
  campaign revision, list versions);
* ``data`` — compact JSON of what the action added (a material written without its empty
  fields).

On SQLite the campaign, nomination id, actor and shape texts, and data many events share
(:class:`SharedText`), are stored once each, in a dictionary table (the schema's trigger does
it); on PostgreSQL they are ``jsonb`` values in the row. Either
way the writer hands over the same tuple (:func:`event_values`) and the reader gets the
texts back (:func:`decode_event_row`), decoding each distinct text once.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override

from ..domain.events import NO_DATA, Event, EventShape, FrozenData, build_event
from ..domain.records import Actor, Material, Nomination, stored_actor
from ._json import compact_dumps, scanning_loads
from .base import MALFORMED, malformed

__all__ = [
    "EVENT_COLUMNS", "EventDecoder", "Instant", "SharedText", "codes_of", "converter", "decode_event_row",
    "decode_materials",
    "dumps", "encode_materials", "event_row", "event_values", "loads", "moment_of", "moment_values",
    "tuple_json",
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
#: ``json.loads``, through the C scanner called directly where it gives the same; see :mod:`._json`.
loads: Callable[[str], Any] = scanning_loads()


# -- moments -----------------------------------------------------------------------------


class Instant(datetime):
    """A stored moment: the aware datetime at its UTC offset, with :attr:`micros`, its UTC
    microseconds since 1970. SQLite stores the integer (:mod:`pilotflow.store.sql.columns`
    registers the adapter, for this class only), PostgreSQL the ``timestamptz`` (psycopg's own
    datetime adaptation). Its offset is stored next to it (:func:`moment_values`)."""

    __slots__ = ("micros",)
    micros: int


_EPOCH = datetime(1970, 1, 1)  # naive: UTC wall time
_EPOCH_DAY = _EPOCH.toordinal()
_ZONES: dict[int, timezone] = {0: UTC}
_LAST_MOMENT: tuple[Any, Any, int] = (None, None, 0)


def _zone(offset: int) -> timezone:
    tz = _ZONES.get(offset)
    if tz is None:
        tz = _ZONES[offset] = timezone(timedelta(seconds=offset))
    return tz


def moment_values(at: datetime) -> tuple[Instant, int]:
    """``at`` as a stored instant (its UTC microseconds by exact integer arithmetic) and its
    UTC offset in seconds.

    The last moment is remembered (by identity: datetimes are immutable), so the events of
    one selection, which share their moment, and a version's ``updated_at``, which is its
    event's moment, are converted once.
    """
    global _LAST_MOMENT
    last = _LAST_MOMENT
    if last[0] is at:
        return last[1], last[2]
    off = at.utcoffset()
    if off is None:
        raise ValueError(f"a stored moment must carry its offset: {at!r}")
    offset = off.days * 86400 + off.seconds
    seconds = (at.toordinal() - _EPOCH_DAY) * 86400 + at.hour * 3600 + at.minute * 60 + at.second - offset
    instant = Instant(at.year, at.month, at.day, at.hour, at.minute, at.second, at.microsecond, _zone(offset))
    instant.micros = seconds * 1_000_000 + at.microsecond
    _LAST_MOMENT = (at, instant, offset)  # one tuple, replaced whole: safe across threads
    return instant, offset


def moment_of(instant: int | datetime, offset: int) -> datetime:
    """The moment :func:`moment_values` gave, back: an aware datetime at its offset (from
    the integer SQLite stores, or from the aware datetime PostgreSQL gives back)."""
    tz = _zone(offset)
    if isinstance(instant, datetime):
        return instant.astimezone(tz)
    return (_EPOCH + timedelta(microseconds=instant + offset * 1_000_000)).replace(tzinfo=tz)


# -- materials and event data ------------------------------------------------------------

_MATERIAL_DEFAULTS = tuple((a.name, a.default) for a in attrs.fields(Material))
_MATERIALS: dict[Any, Material] = {}


def material_value(m: Material) -> dict[str, Any]:
    """A material as a JSON object without its default fields (``kind`` always)."""
    return {
        name: v
        for name, default in _MATERIAL_DEFAULTS
        if (v := getattr(m, name)) != default or name == "kind"
    }


def material_of(value: Mapping[str, Any]) -> Material:
    """The material :func:`material_value` (or the full object of schema 3) gave; each
    distinct one built once (they were checked when written)."""
    key = tuple(value.items())
    found = _MATERIALS.get(key)
    if found is None:
        if len(_MATERIALS) > 8192:
            _MATERIALS.clear()
        found = _MATERIALS[key] = Material(**value)
    return found


def encode_materials(materials: Sequence[Material]) -> list[dict[str, Any]]:
    return [material_value(m) for m in materials]


def decode_materials(value: Sequence[Mapping[str, Any]]) -> tuple[Material, ...]:
    return tuple([material_of(m) for m in value])


def encode_data(data: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "material" in out:
        out["material"] = material_value(out["material"])
    if "materials" in out:
        out["materials"] = encode_materials(out["materials"])
    if "route" in out:
        out["route"] = list(out["route"])
    return out


#: The values of an event's data that many events repeat (every unit filed with the same
#: materials, the units of one district on one route, the campaign, the unit types): a
#: decoder hands on one object for equal ones (immutable), so that what a reader keeps of
#: them (``replay``'s nominations) is shared as it is in the store that wrote them.
SHARED_KEYS = frozenset(("materials", "route", "campaign", "scenario", "unit_type", "track", "project"))
#: At most this many distinct shared values are remembered.
SHARED_MAX = 20_000


def decode_data(data: dict[str, Any], shared: dict[Any, Any] | None = None) -> Mapping[str, Any]:
    """Event data as read (materials and the route rebuilt), read-only; ``shared``: equal
    values of :data:`SHARED_KEYS` given as the one object this dictionary keeps."""
    if not data:
        return NO_DATA
    if "material" in data:
        data["material"] = material_of(data["material"])
    if "materials" in data:
        data["materials"] = decode_materials(data["materials"])
    if "route" in data:
        data["route"] = tuple(data["route"])
    if shared is not None:
        for key in SHARED_KEYS.intersection(data):
            value = data[key]
            with suppress(TypeError):  # (an unhashable value stays as it is)
                data[key] = shared.setdefault(value, value)
        if len(shared) > SHARED_MAX:
            shared.clear()
    return FrozenData(data)


# -- writing an event --------------------------------------------------------------------

#: The columns of an event row (all but ``seq``), in table order: see :func:`event_values`.
EVENT_COLUMNS = (
    "campaign",
    "nomination_id",
    "version",
    "actor",
    "at",
    "at_offset",
    "shape",
    "reason",
    "data",
)
_ENCODED_DATA_KEYS = frozenset(("material", "materials", "route"))
#: JSON of verdict and list-version tuples, by value (few distinct ones; immutable).
_TUPLE_JSON: dict[Any, str] = {}
#: JSON of shared immutable values (shapes, actors, shared data), by identity: no hashing of
#: their contents. Each entry keeps its value alive, so the id cannot be reused.
_BY_ID: dict[int, tuple[Any, str]] = {}


def _shared_json(value: Any, encode: Callable[[Any], str]) -> str:
    hit = _BY_ID.get(id(value))
    if hit is not None and hit[0] is value:
        return hit[1]
    text = encode(value)
    if len(_BY_ID) > 8192:
        _BY_ID.clear()
    _BY_ID[id(value)] = (value, text)
    return text


def codes_of(text: str) -> tuple[str, ...]:
    """A JSON array of texts (a route, the departments that examined, the seats) as a tuple;
    ValueError for any other JSON (a text alone would be taken letter by letter, a mapping by
    its keys)."""
    value = loads(text)
    if type(value) is not list or not all(type(v) is str for v in value):
        raise ValueError(f"expected a JSON array of texts, got {text[:40]!r}")
    return tuple(value)


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


def _shape_text(s: EventShape) -> str:
    return dumps({"action": s.action, "from_state": s.from_state, "to_state": s.to_state,
                  "from_holder": s.from_holder, "to_holder": s.to_holder, "verdicts": s.verdicts,
                  "revision": s.revision, "lists": s.lists})  # fmt: skip


def _actor_text(a: Actor) -> str:
    return dumps({"authority": a.authority, "department": a.department, "person": a.person})


def _data_text(data: Mapping[str, Any]) -> str:
    if _ENCODED_DATA_KEYS.isdisjoint(data):
        return dumps(data if type(data) is dict else dict(data))
    return dumps(encode_data(data))


class SharedText(str):
    """JSON text many events share (the data of a stamp: its department; empty data): SQLite
    stores it once, in the texts table (:mod:`pilotflow.store.sql.columns` has the driver send
    it as a BLOB, which the schema's trigger replaces by its reference); elsewhere a string."""

    __slots__ = ()


_NO_DATA_TEXT = SharedText("{}")


def _shared_data_text(data: Mapping[str, Any]) -> SharedText:
    return SharedText(_data_text(data))


def _data_json(data: Mapping[str, Any]) -> str:
    if not data:
        return _NO_DATA_TEXT
    if type(data) is FrozenData:  # shared by many events (a stamp's department)
        return _shared_json(data, _shared_data_text)
    return _data_text(data)


def event_values(campaign: str, e: Event) -> tuple[Any, ...]:
    """An event's row as a tuple in :data:`EVENT_COLUMNS` order."""
    at, offset = moment_values(e.at)
    return (campaign, e.nomination_id, e.version, _shared_json(e.actor, _actor_text), at, offset,
            _shared_json(e.shape, _shape_text), e.reason, _data_json(e.data))  # fmt: skip


def event_row(campaign: str, e: Event) -> dict[str, Any]:
    return dict(zip(EVENT_COLUMNS, event_values(campaign, e), strict=True))


# -- reading an event --------------------------------------------------------------------


class EventDecoder:
    """Event rows back into :class:`~pilotflow.domain.events.Event` values, each distinct
    text decoded once.

    A row is ``(seq, nomination_id, version, actor, at, at_offset, shape, reason, data)``
    (:func:`pilotflow.store.sql.schema.event_select` reads it so on both dialects). Shapes and
    actors are few: each is built once and shared by every event that has it (they were
    checked when written, so they are not checked again). Data texts are shared too (a
    stamp's department); what is decoded is read-only. The caches are bounded."""

    __slots__ = ("_actors", "_data", "_moment", "_shapes", "_shared")

    LIMIT = 65536
    DATA_LIMIT = 4096

    def __init__(self) -> None:
        self._shapes: dict[str, EventShape] = {}
        self._actors: dict[str, Actor] = {}
        self._data: dict[str, Mapping[str, Any]] = {}
        self._shared: dict[Any, Any] = {}  # (equal data values, one object each)
        self._moment: tuple[Any, int, datetime | None] = (None, 0, None)

    def __call__(self, row: Sequence[Any]) -> Event:
        try:
            _seq, nid, version, actor, at, offset, shape, reason, data = row
            if nid is None:
                raise ValueError("the event's nomination id is missing")
            s = self._shapes.get(shape)
            if s is None:
                s = self._shape(shape)
            a = self._actors.get(actor)
            if a is None:
                a = self._actor(actor)
            d = self._data.get(data)
            if d is None:
                d = self._datum(data)
            last = self._moment
            if last[0] == at and last[1] == offset:
                moment = last[2]
            else:
                moment = moment_of(at, offset)
                self._moment = (at, offset, moment)
            return build_event(nid, version, a, moment, s, reason, d)
        except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
            raise malformed(f"event {row[0]} of the audit log", f"审计日志第 {row[0]} 条记录", exc) from exc

    def _shape(self, text: str) -> EventShape:
        v = loads(text)
        lists = tuple([(a, b) for a, b in v["lists"]])
        # (states, holders and the revision interned: a state's name, say, is one object
        # in every nomination the shapes leave in it)
        shape = EventShape(_interned(v["action"]), _interned(v["from_state"]), _interned(v["to_state"]),
                           _interned(v["from_holder"]), _interned(v["to_holder"]), tuple(v["verdicts"]),
                           _interned(v["revision"]), lists)  # fmt: skip
        if len(self._shapes) > self.LIMIT:
            self._shapes.clear()
        self._shapes[text] = shape
        return shape

    def _actor(self, text: str) -> Actor:
        v = loads(text)
        actor = stored_actor(v["authority"], v["department"], v["person"])
        if len(self._actors) > self.LIMIT:
            self._actors.clear()
        self._actors[text] = actor
        return actor

    def _datum(self, text: str) -> Mapping[str, Any]:
        data = decode_data(loads(text), self._shared)
        if len(self._data) > self.DATA_LIMIT:  # (most data texts are an event's own: kept few)
            self._data.clear()
        self._data[text] = data
        return data


def _interned(text: Any) -> Any:
    """``text`` as the interpreter's one copy of it (None as is)."""
    return None if text is None else sys.intern(text)


#: One row to an :class:`~pilotflow.domain.events.Event` (a process-wide :class:`EventDecoder`).
decode_event_row = EventDecoder()
