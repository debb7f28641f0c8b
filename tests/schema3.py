"""A store's rows in schema 3's form (pilotflow before schema 4): moments as ISO 8601 text,
an event's actor and transition in columns of their own, verdicts and list versions as JSON
arrays, materials with every field (``null`` included). For the tests of the migrations that
start from an older database."""

from __future__ import annotations

from typing import Any

import pilotflow as pf
from pilotflow.store.codec import converter, dumps


def v3_materials(materials: Any) -> str:
    """Materials as schema 3 wrote them: every field of each, ``null`` included."""
    return dumps([converter.unstructure(m) for m in materials])


def v3_data(data: Any) -> str:
    out = dict(data)
    if "material" in out:
        out["material"] = converter.unstructure(out["material"])
    if "materials" in out:
        out["materials"] = [converter.unstructure(m) for m in out["materials"]]
    if "route" in out:
        out["route"] = list(out["route"])
    return dumps(out)


def schema_3_rows(store: pf.Store, campaign: str) -> dict[str, list[dict[str, Any]]]:
    """The nominations, letters (``submissions``) and events of ``campaign`` as schema 3's rows."""
    nominations = [
        {
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
            "materials": v3_materials(n.materials),
            "seats": dumps(list(n.seats)),
            "version": n.version,
            "created_at": n.created_at.isoformat(),
            "updated_at": n.updated_at.isoformat(),
            "track": n.track,
            "batch": n.batch,
            "project": n.project,
            "ministry": None if n.ministry is None else dumps(converter.unstructure(n.ministry)),
        }
        for n in store.nominations(campaign)
    ]
    letters = [
        {
            "id": s.id,
            "campaign": s.campaign,
            "revision": s.revision,
            "sender": s.sender,
            "receiver": s.receiver,
            "state": s.state,
            "units": dumps(list(s.units)),
            "stamps": dumps(list(s.stamps)),
            "materials": v3_materials(s.materials),
            "version": s.version,
            "created_at": s.created_at.isoformat(),
            "updated_at": s.updated_at.isoformat(),
            "sent_at": None if s.sent_at is None else s.sent_at.isoformat(),
            "sent_versions": dumps(list(s.sent_versions)),
            "documents": v3_materials(s.documents),
        }
        for s in store.submissions(campaign)
    ]
    events = [
        {
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
            "lists": dumps([list(p) for p in e.lists]),
            "reason": e.reason,
            "data": v3_data(e.data),
        }
        for e in store.events(campaign)
    ]
    return {"nominations": nominations, "submissions": letters, "events": events}
