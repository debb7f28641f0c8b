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

from ..events import Event
from ..nomination import Actor, Material

__all__ = ["converter", "decode_data", "dumps", "encode_data", "loads"]

converter = cattrs.Converter()
converter.register_unstructure_hook(datetime, lambda d: d.isoformat())
converter.register_structure_hook(datetime, lambda v, _: datetime.fromisoformat(v))


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


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


def event_row(campaign: str, e: Event) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "nomination_id": e.nomination_id,
        "version": e.version,
        "action": e.action,
        "actor_authority": e.actor.authority,
        "actor_department": e.actor.department,
        "actor_person": e.actor.person,
        "at": e.at.isoformat(),
        "at_utc": int(e.at.timestamp() * 1_000_000),
        "from_state": e.from_state,
        "to_state": e.to_state,
        "from_holder": e.from_holder,
        "to_holder": e.to_holder,
        "verdicts": dumps(list(e.verdicts)),
        "revision": e.revision,
        "lists": dumps([list(x) for x in e.lists]),
        "reason": e.reason,
        "data": dumps(encode_data(e.action, e.data)),
    }


def row_event(r: Any) -> Event:
    return Event(
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
