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


def _kinds(db: Path) -> list[tuple[str, ...]]:
    """Per event row, in order: the action and what its four text columns and its data hold."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT (SELECT json_extract(t.text, '$.action') FROM pf_texts t WHERE t.id = e.shape), "
            "typeof(e.campaign), typeof(e.nomination_id), typeof(e.actor), typeof(e.shape), typeof(e.data) "
            "FROM pf_events e ORDER BY e.seq"
        ).fetchall()


def test_an_event_refers_to_each_text_it_shares_by_one_reference(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Every event row ends with references into ``pf_texts`` in its four text columns, a
    shared datum (a stamp's department) by reference and an event's own data as its text,
    whether its texts were new (a clerk's first stamp) or stored already (the second letter's
    stamps); no text is stored twice, and the log reads back whole."""
    db = tmp_path / "texts.db"
    store = pf.open_store(f"sqlite:///{db}")
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    clerk = pf.Actor("371002", "industry", "clerk")
    departments = ("industry", "civil_affairs", "health")
    letters = [run.prepare_submission(clerk, [nominate(run, i).id]) for i in (1, 2)]
    for letter in letters:
        for department in departments:
            run.stamp_submission(pf.Actor("371002", department, "clerk"), letter.id)
    kinds = _kinds(db)
    actions = ["nominate", "prepare_submission", "nominate", "prepare_submission"] + ["stamp_letter"] * 6
    assert [k[0] for k in kinds] == actions
    assert {k[1:5] for k in kinds} == {("integer",) * 4}
    assert [k[5] for k in kinds] == ["text"] * 4 + ["integer"] * 6
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) - count(DISTINCT text) FROM pf_texts").fetchone() == (0,)
    events = run.events()
    assert [e.action for e in events] == actions
    assert [e.data for e in events[4:7]] == [{"department": d} for d in departments]
    assert run.submission(letters[1].id).stamps == departments
    store.close()
