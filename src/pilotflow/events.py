"""The append-only audit record, and how state is rebuilt from it.

Every accepted action appends exactly one :class:`Event`: who (actor), what (action), when,
from which state and authority to which, the guard verdicts that were checked, the campaign
revision and the versions of the lists consulted. Nothing else changes state: the live path
and :func:`replay` both go through :func:`apply`, so replaying the log gives exactly the
current state and quota use, and replaying it up to a moment gives the state as of then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from attrs import field, frozen

from .nomination import Actor, Material, Nomination

__all__ = ["Event", "Snapshot", "apply", "quota_usage", "replay"]


def _mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return value if value is not None else {}


@frozen
class Event:
    """One accepted action. ``version`` is the nomination's version after it.

    ``data`` holds what the action added: the department that stamped, the material
    attached, or (for ``nominate``) the unit and its route.
    """

    nomination_id: str
    version: int
    action: str
    actor: Actor
    at: datetime
    from_state: str
    to_state: str
    from_holder: str | None
    to_holder: str
    verdicts: tuple[str, ...]
    revision: str
    lists: tuple[tuple[str, str], ...]
    reason: str | None = None
    data: Mapping[str, Any] = field(factory=dict, converter=_mapping)


def apply(current: Nomination | None, event: Event) -> Nomination:
    """The nomination after ``event`` (``current`` is None for ``nominate``)."""
    action = event.action
    d = event.data
    if current is None:
        if action != "nominate":
            raise ValueError(f"event {action} of {event.nomination_id} has no nomination to apply to")
        return Nomination(
            event.nomination_id,
            d["campaign"],
            event.revision,
            d["unit_code"],
            d["unit_name"],
            d["unit_type"],
            d["scenario"],
            tuple(d["route"]),
            0,
            event.to_state,
            (),
            tuple(d.get("materials", ())),
            (),
            event.version,
            event.at,
            event.at,
        )
    hop = current.hop
    stamps = current.stamps
    materials = current.materials
    seats = current.seats
    if action == "stamp":
        stamps = (*stamps, d["department"])
    elif action == "attach":
        materials = (*materials, d["material"])
    elif action == "recommend":
        seats = (*seats, current.holder)
        hop += 1
        stamps = ()
    elif action == "return":
        hop -= 1
        stamps = ()
        prev = current.route[hop]
        seats = tuple(s for s in seats if s != prev)
    elif action in ("withdraw", "decline", "cut", "lapse"):
        # Withdrawal releases every seat; a decline, a cut or a lapse keeps the seats already
        # used (a submission that was made counts against the sender's quota).
        if action == "withdraw":
            seats = ()
    else:
        raise ValueError(f"unknown action {action!r} in event of {event.nomination_id}")
    return Nomination(
        current.id,
        current.campaign,
        current.revision,
        current.unit_code,
        current.unit_name,
        current.unit_type,
        current.scenario,
        current.route,
        hop,
        event.to_state,
        stamps,
        materials,
        seats,
        event.version,
        current.created_at,
        event.at,
    )


def quota_usage(nominations: Iterable[Nomination]) -> Counter[tuple[str, str]]:
    """Seats used per (authority, unit type), and per (authority, ``"*"``) for all types."""
    used: Counter[tuple[str, str]] = Counter()
    for n in nominations:
        for authority in n.seats:
            used[authority, n.unit_type] += 1
            used[authority, "*"] += 1
    return used


@frozen
class Snapshot:
    """Nominations and quota use rebuilt from events."""

    nominations: Mapping[str, Nomination]
    quota: Mapping[tuple[str, str], int]


def replay(events: Iterable[Event], until: datetime | None = None) -> Snapshot:
    """Rebuild state from ``events`` (in log order); with ``until``, as of that moment."""
    state: dict[str, Nomination] = {}
    for event in events:
        if until is not None and event.at > until:
            continue
        current = state.get(event.nomination_id)
        if current is None and event.action != "nominate":
            continue  # its creation lies after `until`
        state[event.nomination_id] = apply(current, event)
    return Snapshot(state, dict(quota_usage(state.values())))


def material_data(material: Material) -> dict[str, Any]:
    """A material as plain data (for stores that serialise events)."""
    return {
        "kind": material.kind,
        "copies": material.copies,
        "filename": material.filename,
        "sha256": material.sha256,
        "size": material.size,
        "media_type": material.media_type,
    }
