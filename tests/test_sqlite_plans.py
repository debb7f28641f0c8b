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


def test_an_event_whose_texts_are_stored_refers_to_them_itself(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """An event of a record the file holds is written with references to the texts the texts
    table has already, leaving the trigger nothing to do, and with its texts when one is new
    (the trigger interns them, as for a new record's first event): either way each row ends
    with references in its four text columns, a shared datum (a stamp's department) by
    reference and an event's own data as its text; no text is stored twice, the log reads
    back whole, and the statement finds each text through the texts' index."""
    db = tmp_path / "texts.db"
    store = pf.open_store(f"sqlite:///{db}")
    assert isinstance(store, SQLStore)
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    clerk = pf.Actor("371002", "industry", "clerk")
    departments = ("industry", "civil_affairs", "health")
    letters = [run.prepare_submission(clerk, [nominate(run, i).id]) for i in (1, 2)]
    for letter in letters:  # (the second letter's stamps: every text stored already)
        for department in departments:
            run.stamp_submission(pf.Actor("371002", department, "clerk"), letter.id)
    kinds = _kinds(db)
    actions = ["nominate", "prepare_submission", "nominate", "prepare_submission"] + ["stamp_letter"] * 6
    assert [k[0] for k in kinds] == actions
    assert {k[1:5] for k in kinds} == {("integer",) * 4}
    assert [k[5] for k in kinds] == ["text"] * 4 + ["integer"] * 6
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) - count(DISTINCT text) FROM pf_texts").fetchone() == (0,)
        # The statement itself: a row whose texts are all stored changes that row alone (the
        # trigger did not run); one with a new actor also interns it and rewrites the row.
        known = binding(store.engine, "pf_", None).sql.insert_known_event.text
        (campaign_text, letter_id, actor, shape, data) = conn.execute(
            "SELECT c.text, n.text, a.text, s.text, CAST(d.text AS BLOB) FROM pf_events e "
            "JOIN pf_texts c ON c.id = e.campaign JOIN pf_texts n ON n.id = e.nomination_id "
            "JOIN pf_texts a ON a.id = e.actor JOIN pf_texts s ON s.id = e.shape "
            "JOIN pf_texts d ON d.id = e.data ORDER BY e.seq DESC LIMIT 1"
        ).fetchone()
        for who, changes in ((actor, 1), (actor.replace("clerk", "new-clerk"), 3)):
            before = conn.total_changes
            row = (campaign_text, letter_id, 90 + changes, who, 0, 28800, shape, None, data)
            conn.execute(known, row)
            assert conn.total_changes - before == changes
        assert (
            conn.execute(
                "SELECT typeof(campaign), typeof(nomination_id), typeof(actor), typeof(shape), typeof(data) "
                "FROM pf_events WHERE version > 90"
            ).fetchall()
            == [("integer",) * 5] * 2
        )
        conn.rollback()
    events = run.events()
    assert [e.action for e in events] == actions
    assert [e.data for e in events[4:7]] == [{"department": d} for d in departments]
    assert run.submission(letters[1].id).stamps == departments
    steps = _plan(db, known, 9)
    assert len([s for s in steps if "USING COVERING INDEX sqlite_autoindex_pf_texts_1" in s]) == 5, steps
    assert not [s for s in steps if s.startswith("SCAN pf_")], steps
    store.close()
