"""The demo's whole record, pinned: every audit event, every nomination's final state, every
selection and quota line, compared with a file written before pilotflow's modules were
rearranged. Ids become their order of first appearance and wall-clock entry times are dropped,
so the comparison is exact on everything the campaign decides. Regenerate only on purpose:
``PILOTFLOW_GOLDEN=write pytest tests/test_golden_demo.py``."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import attrs
import pytest

import pilotflow as pf
from pilotflow.cli.demo import DemoResult, run_demo

_ID = re.compile(r"[0-9a-f]{32}")  # a nomination id, also inside a message
GOLDEN = Path(__file__).parent / "golden" / "demo.json"


class _Ids:
    """Nomination ids (n0, n1, ...) and material hashes (h0, h1, ...) in order of first appearance."""

    def __init__(self) -> None:
        self.seen: dict[str, str] = {}

        self.hashes: dict[str, str] = {}
        self.revision = ""

    def __call__(self, value: str) -> str:
        return self.seen.setdefault(value, f"n{len(self.seen)}")

    def hash(self, value: str) -> str:
        """A material's hash by order of appearance: sample files carry the time they were
        written, so the hash differs between runs while which files are equal does not."""
        return self.hashes.setdefault(value, f"h{len(self.hashes)}")


def _plain(value: Any, ids: _Ids) -> Any:
    """A JSON-ready copy of ``value`` with nomination ids replaced."""
    if attrs.has(type(value)):
        value = {f.name: getattr(value, f.name) for f in attrs.fields(type(value))}
    if isinstance(value, dict):
        return {
            str(k): ids.hash(v) if k == "sha256" and v else _plain(v, ids)
            for k, v in sorted(value.items())
            if k != "entered_at" and not (k == "project" and v == "")  # no project: as before projects
        }
    if isinstance(value, list | tuple):
        return [_plain(v, ids) for v in value]
    if isinstance(value, str):
        if value == ids.revision:
            return "<campaign revision>"  # a hash of the campaign file, not of what it decides
        return _ID.sub(lambda m: ids.seen.get(m.group(), m.group()), value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _record(demo: DemoResult) -> dict[str, Any]:
    campaign = pf.load_campaign(demo.campaign_id)
    store = pf.open_store(demo.store_url, read_only=True)
    try:
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign))
        ids = _Ids()
        ids.revision = campaign.revision
        events = run.events()
        for e in events:
            ids(e.nomination_id)
        return {
            "events": [
                {
                    "nomination": ids(e.nomination_id),
                    "version": e.version,
                    "action": e.action,
                    "actor": _plain(e.actor, ids),
                    "at": e.at.isoformat(),
                    "from": [e.from_state, e.from_holder],
                    "to": [e.to_state, e.to_holder],
                    "verdicts": list(e.verdicts),
                    "lists": [list(x) for x in e.lists],
                    "reason": e.reason,
                    "data": _plain(dict(e.data), ids),
                }
                for e in events
            ],
            "nominations": [_plain(n, ids) for n in sorted(run.nominations(), key=lambda n: ids(n.id))],
            "quota": [_plain(line, ids) for line in run.quota_table()],
            "selections": [_plain(s, ids) for s in demo.selections],
            "summary": [_plain(r, ids) for r in demo.summary],
            "refusals": [_plain(r, ids) for r in demo.refusals],
            "outcomes": dict(sorted(demo.outcomes.items())),
        }
    finally:
        store.close()


def test_demo_record_unchanged(tmp_path: Path) -> None:
    """A whole demo run records exactly the events, states, seats and selections it recorded
    before the modules were rearranged: the refactor changed no behaviour."""
    record = _record(run_demo(tmp_path / "demo.db"))
    text = json.dumps(record, ensure_ascii=False, indent=1, sort_keys=True)
    if os.environ.get("PILOTFLOW_GOLDEN") == "write":
        GOLDEN.write_text(text + "\n", encoding="utf-8")
        pytest.skip("golden record written")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    actual = json.loads(text)
    for key in expected:
        assert expected[key] == actual[key], key
    assert expected.keys() == actual.keys()
