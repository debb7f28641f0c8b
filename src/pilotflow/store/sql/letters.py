"""How a submission (推荐函) is written as a row and read back, on any SQL database.

A submission changes a few times in its life (prepared, stamped, sent), so its row is written
whole on every change (version checked), unlike a nomination's (:mod:`.columns`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ...domain.records import Material
from ...domain.submissions import Submission, build_submission
from ..base import MALFORMED, malformed
from ..codec import decode_materials, dumps, encode_materials, loads, moment_of, moment_values, tuple_json

__all__ = ["MOVING", "decode_submission", "moved", "submission_row"]

#: The columns a submission's change writes (every other one is fixed when it is prepared).
MOVING = ("state", "units", "stamps", "materials", "version", "updated_at", "updated_offset", "sent_at",
          "sent_offset", "sent_versions", "documents")  # fmt: skip


def _json_list(v: Any) -> str:
    return dumps(list(v))


def _materials(v: Any) -> str:
    return dumps(encode_materials(v))


#: Each column of a submission's row: how its field is encoded (None: as it is).
_COLUMNS: dict[str, Callable[[Any], Any] | None] = {
    "id": None, "campaign": None, "revision": None, "sender": None, "receiver": None, "state": None,
    "units": _json_list, "stamps": _json_list, "materials": _materials, "version": None,
    "sent_versions": _json_list, "documents": _materials,
}  # fmt: skip
#: A submission's moments, each written as two columns: its instant and its UTC offset.
_MOMENTS = {"created_at": "created_offset", "updated_at": "updated_offset", "sent_at": "sent_offset"}
_FIELDS = (*_COLUMNS, *_MOMENTS)


def submission_row(s: Submission) -> dict[str, Any]:
    """Every column of a submission's row, encoded."""
    out: dict[str, Any] = {}
    for c in _FIELDS:
        _put(out, c, getattr(s, c))
    return out


def _put(out: dict[str, Any], c: str, value: Any) -> None:
    """Field ``c``'s value as its column (a moment: its instant and its offset)."""
    offset = _MOMENTS.get(c)
    if offset is not None:
        if value is None:
            out[c] = out[offset] = None
        else:
            out[c], out[offset] = moment_values(value)
        return
    enc = _COLUMNS[c]
    out[c] = value if enc is None else enc(value)


def moved(before: Submission, after: Submission) -> dict[str, Any]:
    """The :data:`MOVING` columns a change moved (``after``'s values, encoded), and its
    version: a stamp writes stamps, version and updated_at, not the units or the materials.
    (By identity first: a change carries an unchanged value over as the same object.)

    The columns come in the order of the row's fields (the version always), each field
    compared directly: every change of a letter goes through here."""
    out: dict[str, Any] = {}
    if after.state != before.state:
        out["state"] = after.state
    new: tuple[Any, ...]
    old: tuple[Any, ...]
    new, old = after.units, before.units
    if new is not old and new != old:
        out["units"] = dumps(list(new))
    new, old = after.stamps, before.stamps
    if new is not old and new != old:
        out["stamps"] = tuple_json(new)  # (a few departments: their texts are cached by value)
    new, old = after.materials, before.materials
    if new is not old and new != old:
        out["materials"] = _materials(new)
    out["version"] = after.version
    new, old = after.sent_versions, before.sent_versions
    if new is not old and new != old:
        out["sent_versions"] = dumps(list(new))
    new, old = after.documents, before.documents
    if new is not old and new != old:
        out["documents"] = _materials(new)
    for c in ("updated_at", "sent_at"):
        at, was = getattr(after, c), getattr(before, c)
        if at is not was and at != was:
            _put(out, c, at)
    return out


# -- reading a row -------------------------------------------------------------------------

#: Speed: each distinct JSON text of the submissions' rows decoded once (their stamps so
#: far, their units, ``[]``: a letter's texts repeat between its reads and between letters);
#: the values are immutable tuples. Bounded by their total length: a 5,000-unit letter's
#: units text is long.
_LISTS: dict[str, tuple[Any, ...]] = {}
_MATERIAL_LISTS: dict[str, tuple[Material, ...]] = {}
_CACHED_CHARS = [0]
_CACHE_CHARS = 1 << 21


def _cache(cache: dict[str, Any], text: str, value: Any) -> None:
    size = _CACHED_CHARS[0] + len(text)
    if size > _CACHE_CHARS:
        _LISTS.clear()
        _MATERIAL_LISTS.clear()
        size = len(text)
    _CACHED_CHARS[0] = size
    cache[text] = value


def _list(text: str) -> tuple[Any, ...]:
    """A JSON list of strings or numbers (units, stamps, versions) as a tuple."""
    value = _LISTS.get(text)
    if value is None:
        listed = loads(text)
        if type(listed) is not list:  # (a text alone would be taken letter by letter)
            raise ValueError(f"expected a JSON array, got {text[:40]!r}")
        value = tuple(listed)
        _cache(_LISTS, text, value)
    return value


def _material_list(text: str) -> tuple[Material, ...]:
    value = _MATERIAL_LISTS.get(text)
    if value is None:
        value = decode_materials(loads(text))
        _cache(_MATERIAL_LISTS, text, value)
    return value


#: 1970-01-01 at each UTC offset met: an instant SQLite stores (UTC microseconds) is read
#: back as one addition (the same value, and the same ``tzinfo``, as :func:`moment_of`).
_EPOCHS: dict[int, datetime] = {}


def _moment(instant: int | datetime, offset: int) -> datetime:
    if type(instant) is int:
        epoch = _EPOCHS.get(offset)
        if epoch is None:
            epoch = _EPOCHS[offset] = moment_of(0, offset)
        return epoch + timedelta(0, 0, instant)  # (positional: a keyword costs as much again)
    return moment_of(instant, offset)


def decode_submission(r: Sequence[Any]) -> Submission:
    """A submission from a row in table order."""
    try:
        return _submission(r)
    except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
        raise malformed(f"recommendation letter {r[0]}", f"推荐函记录 {r[0]}", exc) from exc


def _submission(r: Sequence[Any]) -> Submission:
    (sid, campaign, revision, sender, receiver, state, units, stamps, materials, version, created_at,
     updated_at, sent_at, sent_versions, documents, created_offset, updated_offset,
     sent_offset) = r  # fmt: skip
    lists, material_lists = _LISTS, _MATERIAL_LISTS  # (the cache's lookups inline: a read of
    units_v = lists.get(units)  # a letter decodes five texts, mostly found)
    if units_v is None:
        units_v = _list(units)
    stamps_v = lists.get(stamps)
    if stamps_v is None:
        stamps_v = _list(stamps)
    versions_v = lists.get(sent_versions)
    if versions_v is None:
        versions_v = _list(sent_versions)
    materials_v = material_lists.get(materials)
    if materials_v is None:
        materials_v = _material_list(materials)
    documents_v = material_lists.get(documents)
    if documents_v is None:
        documents_v = _material_list(documents)
    return build_submission(
        sid, campaign, revision, sender, receiver, state, units_v, stamps_v, materials_v, version,
        _moment(created_at, created_offset), _moment(updated_at, updated_offset),
        None if sent_at is None else _moment(sent_at, sent_offset), versions_v, documents_v,
    )  # fmt: skip
