"""On SQLite, the statements that read one nomination or its history find their rows by an
index: their query plans search ``pf_events`` and ``pf_nominations``, never scan them (a
reference into the texts compared as is would make SQLite scan the whole log)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pilotflow as pf
from pilotflow.store.sql import SQLStore
from pilotflow.store.sql._fast import binding

from conftest import nominate


def _plan(db: Path, sql: str, params: int) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", [None] * params)]


def test_reads_of_one_nomination_search_by_index(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A nomination's row (its materials read from its filing event when unchanged) and the
    events of a few nominations by id are found through indexes: no step of their plans
    scans the log or the nominations."""
    db = tmp_path / "plans.db"
    store = pf.open_store(f"sqlite:///{db}")
    assert isinstance(store, SQLStore)
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    n = nominate(run, 1)
    assert run.get(n.id).materials == n.materials
    assert [e.action for e in run.history(n.id)] == ["nominate"]
    sql = binding(store.engine, "pf_", None).sql
    log = store._log_sql(ids=2)  # (the log's statement by id, as history reads it)
    for text, params in ((sql.get.text, 1), (log.text, len(log.names or ()))):
        steps = _plan(db, text, params)
        assert steps, text
        assert not [s for s in steps if s.startswith("SCAN")], steps
    store.close()
