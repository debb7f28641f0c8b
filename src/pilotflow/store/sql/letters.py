"""How a submission (推荐函) is written as a row and read back, on any SQL database.

A submission changes a few times in its life (prepared, stamped, sent), so its row is written
whole on every change (version checked), unlike a nomination's (:mod:`.columns`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...domain.submissions import Submission
from ..codec import decode_materials, dumps, encode_materials, loads, moment_of, moment_values

__all__ = ["MOVING", "decode_submission", "submission_row"]

#: The columns a submission's change writes (every other one is fixed when it is prepared).
MOVING = ("state", "units", "stamps", "materials", "version", "updated_at", "updated_offset", "sent_at",
          "sent_offset", "sent_versions", "documents")  # fmt: skip


def submission_row(s: Submission) -> dict[str, Any]:
    """Every column of a submission's row, encoded."""
    return {
        "id": s.id,
        "campaign": s.campaign,
        "revision": s.revision,
        "sender": s.sender,
        "receiver": s.receiver,
        "state": s.state,
        "units": dumps(list(s.units)),
        "stamps": dumps(list(s.stamps)),
        "materials": dumps(encode_materials(s.materials)),
        "version": s.version,
        "created_at": moment_values(s.created_at)[0],
        "created_offset": moment_values(s.created_at)[1],
        "updated_at": moment_values(s.updated_at)[0],
        "updated_offset": moment_values(s.updated_at)[1],
        "sent_at": None if s.sent_at is None else moment_values(s.sent_at)[0],
        "sent_offset": None if s.sent_at is None else moment_values(s.sent_at)[1],
        "sent_versions": dumps(list(s.sent_versions)),
        "documents": dumps(encode_materials(s.documents)),
    }


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
