"""How a submission (推荐函) is written as a row and read back, on any SQL database.

A submission changes a few times in its life (prepared, stamped, sent), so its row is written
whole on every change (version checked), unlike a nomination's (:mod:`.columns`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ...domain.submissions import Submission
from ..codec import decode_materials, dumps, encode_materials, loads

__all__ = ["MOVING", "decode_submission", "moved", "submission_row"]

#: The columns a submission's change writes (every other one is fixed when it is prepared).
MOVING = ("state", "units", "stamps", "materials", "version", "updated_at", "sent_at", "sent_versions",
          "documents")  # fmt: skip


def _json_list(v: Any) -> str:
    return dumps(list(v))


def _materials(v: Any) -> str:
    return dumps(encode_materials(v))


def _moment(v: datetime | None) -> str | None:
    return None if v is None else v.isoformat()


#: Each column of a submission's row: how its field is encoded (None: as it is).
_COLUMNS: dict[str, Callable[[Any], Any] | None] = {
    "id": None, "campaign": None, "revision": None, "sender": None, "receiver": None, "state": None,
    "units": _json_list, "stamps": _json_list, "materials": _materials, "version": None,
    "created_at": _moment, "updated_at": _moment, "sent_at": _moment, "sent_versions": _json_list,
    "documents": _materials,
}  # fmt: skip


def submission_row(s: Submission) -> dict[str, Any]:
    """Every column of a submission's row, encoded."""
    return {c: getattr(s, c) if enc is None else enc(getattr(s, c)) for c, enc in _COLUMNS.items()}


def moved(before: Submission, after: Submission) -> dict[str, Any]:
    """The :data:`MOVING` columns a change moved (``after``'s values, encoded), and its
    version: a stamp writes stamps, version and updated_at, not the units or the materials.
    (By identity first: a change carries an unchanged value over as the same object.)"""
    out: dict[str, Any] = {}
    for c in MOVING:
        new, old = getattr(after, c), getattr(before, c)
        if new is not old and new != old:
            enc = _COLUMNS[c]
            out[c] = new if enc is None else enc(new)
    out["version"] = after.version
    return out


def decode_submission(r: Sequence[Any]) -> Submission:
    """A submission from a row in table order."""
    (sid, campaign, revision, sender, receiver, state, units, stamps, materials, version, created_at,
     updated_at, sent_at, sent_versions, documents) = r  # fmt: skip
    return Submission(
        sid, campaign, revision, sender, receiver, state, tuple(loads(units)), tuple(loads(stamps)),
        decode_materials(loads(materials)), version, datetime.fromisoformat(created_at),
        datetime.fromisoformat(updated_at), None if sent_at is None else datetime.fromisoformat(sent_at),
        tuple(loads(sent_versions)), decode_materials(loads(documents)),
    )  # fmt: skip
