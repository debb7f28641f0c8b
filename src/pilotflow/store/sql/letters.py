"""How a submission (推荐函) is written as a row and read back, on any SQL database.

A submission changes a few times in its life (prepared, stamped, sent), so its row is written
whole on every change (version checked), unlike a nomination's (:mod:`.columns`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ...domain.submissions import Submission
from ..codec import decode_materials, dumps, encode_materials, loads, moment_of, moment_values

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
#: The fields whose columns (:data:`MOVING`) a change may write.
_MOVING_FIELDS = tuple(c for c in _FIELDS if c in MOVING)


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
    (By identity first: a change carries an unchanged value over as the same object.)"""
    out: dict[str, Any] = {}
    for c in _MOVING_FIELDS:
        new, old = getattr(after, c), getattr(before, c)
        if new is not old and new != old:
            _put(out, c, new)
    out["version"] = after.version
    return out


def decode_submission(r: Sequence[Any]) -> Submission:
    """A submission from a row in table order."""
    (sid, campaign, revision, sender, receiver, state, units, stamps, materials, version, created_at,
     updated_at, sent_at, sent_versions, documents, created_offset, updated_offset,
     sent_offset) = r  # fmt: skip
    return Submission(
        sid, campaign, revision, sender, receiver, state, tuple(loads(units)), tuple(loads(stamps)),
        decode_materials(loads(materials)), version, moment_of(created_at, created_offset),
        moment_of(updated_at, updated_offset), None if sent_at is None else moment_of(sent_at, sent_offset),
        tuple(loads(sent_versions)), decode_materials(loads(documents)),
    )  # fmt: skip
