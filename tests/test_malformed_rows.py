"""A SQLite file whose rows pilotflow did not write (edited by hand, or damaged) is refused with
a StoreError naming the row, from every read that decodes it; never a raw TypeError,
KeyError or JSON error."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.reports import summary_table
from pilotflow.samples import material_for
from pilotflow.store.sql import SCHEMA_VERSION, sqlite_url

from conftest import nominate, shanghai

CLERK = pf.Actor("371002", "industry", "clerk")
LATER = shanghai(2023, 12, 1, 9)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, campaign: pf.Campaign) -> tuple[Path, dict[str, str]]:
    """A file with a row in every table: two nominations, a letter stamped (one stamp with an
    idempotency key) and sent, every list loaded."""
    path = tmp_path_factory.mktemp("malformed") / "pf.db"
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    with pf.open_store(sqlite_url(path)) as store:
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        for unit_list in pf.empty_lists(campaign):
            run.load_list(unit_list, actor=pf.Actor("MIN", "industry", "ops"), source="lists.csv")
        units = [nominate(run, n) for n in (1, 2)]
        letter = run.prepare_submission(CLERK, [u.id for u in units])
        for req in run.letter_materials("371002", letter.receiver):
            run.attach_to_submission(CLERK, letter.id, material_for(campaign, req.kind, req.copies))
        for department in run.graph["371002"].stamping:
            clerk = pf.Actor("371002", department, "clerk")
            run.stamp_submission(clerk, letter.id, idempotency_key=department)
        run.send(CLERK, letter.id)
    return path, {"n1": units[0].id, "letter": letter.id}


def _open(path: Path, campaign: pf.Campaign, read_only: bool = False) -> pf.CampaignRun:
    store = pf.open_store(sqlite_url(path), read_only=read_only)
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=pf.FixedClock(LATER))


#: (what is changed, the SQL that changes it, the read that meets it, what the error names)
NOMINATE_SHAPE = "UPDATE pf_texts SET text = '{}' WHERE text LIKE '{\"action\":\"nominate\"%'"
CASES: list[tuple[str, str, Callable[[pf.CampaignRun, dict[str, str]], object], str]] = [
    ("an event's data", "UPDATE pf_events SET data = '{bad' WHERE seq = 10",
     lambda run, ids: list(run.events()), "event 10"),
    ("an event's moment", "UPDATE pf_events SET at = 'yesterday' WHERE seq = 10",
     lambda run, ids: run.replay(), "event 10"),
    ("a shape shared by events", NOMINATE_SHAPE, lambda run, ids: run.history(ids["n1"]), "of the audit log"),
    ("a nomination's route", "UPDATE pf_nominations SET route = '5'",
     lambda run, ids: run.get(ids["n1"]), "nomination "),
    ("a nomination's hop beyond its route", "UPDATE pf_nominations SET hop = 99",
     lambda run, ids: run.nominations(), "nomination "),
    ("a nomination's materials", "UPDATE pf_nominations SET materials = '[5]'",
     lambda run, ids: run.get(ids["n1"]), "nomination "),
    ("a letter's stamps", "UPDATE pf_submissions SET stamps = '{bad'",
     lambda run, ids: run.submission(ids["letter"]), "recommendation letter "),
    ("a letter's moment", "UPDATE pf_submissions SET sent_offset = NULL",
     lambda run, ids: run.submissions(), "recommendation letter "),
    ("the routes the sweep groups", "UPDATE pf_nominations SET route = '{bad'",
     lambda run, ids: run.tick(LATER), "routes"),
    ("a quota counter", "UPDATE pf_quota SET used = 'many'",
     lambda run, ids: run.quota_table(), "quota counter"),
    ("a quota counter of part of a seat", "UPDATE pf_quota SET used = 2.5",
     lambda run, ids: run.quota_table(), "quota counter"),
    ("a nomination's seats as one text", """UPDATE pf_nominations SET seats = '"371002"'""",
     lambda run, ids: run.get(ids["n1"]), "nomination "),
    ("a nomination's examined as a mapping", """UPDATE pf_nominations SET examined = '{"a": 1}'""",
     lambda run, ids: run.nominations(), "nomination "),
    ("a nomination's route as one text", """UPDATE pf_nominations SET route = '"371002"', hop = 0""",
     lambda run, ids: run.get(ids["n1"]), "nomination "),
    ("a nomination's state no machine has", "UPDATE pf_nominations SET state = 'approved'",
     lambda run, ids: run.get(ids["n1"]), "nomination "),
    ("the routes the sweep groups, as texts", """UPDATE pf_nominations SET route = '"371002"'""",
     lambda run, ids: run.tick(LATER), "routes"),
    ("a letter's units as one text", """UPDATE pf_submissions SET units = '"abc"'""",
     lambda run, ids: run.submission(ids["letter"]), "recommendation letter "),
    ("a kept result", "UPDATE pf_receipts SET result = '{}'",
     lambda run, ids: run.stamp_submission(CLERK, ids["letter"], idempotency_key="industry"),
     "idempotency key"),
    ("the 附件4 table's letters", "UPDATE pf_submissions SET units = '5'",
     lambda run, ids: summary_table(run, "371002"), "recommendation letter "),
]  # fmt: skip


#: Each case on a read-write and a read-only store (a keyed action repeated on a read-only
#: store is refused as a write before its kept result is read: read-write only)
PARAMS = [
    pytest.param(*case, read_only, id=f"{'read-only' if read_only else 'read-write'}-{case[0]}")
    for case in CASES
    for read_only in (False, True)
    if not (read_only and case[0] == "a kept result")
]


@pytest.mark.parametrize(("what", "sql", "read", "named", "read_only"), PARAMS)
def test_a_row_pilotflow_did_not_write_is_refused_by_name(
    what: str,
    sql: str,
    read: Callable[[pf.CampaignRun, dict[str, str]], object],
    named: str,
    read_only: bool,
    written: tuple[Path, dict[str, str]],
    tmp_path: Path,
    campaign: pf.Campaign,
) -> None:
    """The read raises StoreError, in English and Chinese, naming the row and saying it was
    changed outside pilotflow; the decoder's own error is chained."""
    path = tmp_path / "pf.db"
    shutil.copy(written[0], path)
    with sqlite3.connect(path) as db:
        assert db.execute(sql).rowcount > 0
    run = _open(path, campaign, read_only)
    try:
        with pytest.raises(pf.StoreError, match="cannot be read") as caught:
            read(run, written[1])
    finally:
        run.store.close()
    assert named in caught.value.en
    assert "可能被其他程序修改过" in caught.value.zh
    assert caught.value.__cause__ is not None


def test_a_list_row_pilotflow_did_not_write_is_refused_by_name(
    written: tuple[Path, dict[str, str]], tmp_path: Path, campaign: pf.Campaign
) -> None:
    """A stored list's entries or its load's moment edited by hand: opening a run on the file
    (which reads the lists in use) raises StoreError naming the list, not a raw error."""
    where = "WHERE list_id = 'abnormal_operations'"
    for change in ["entries = '[[\"code\"]]'", "at_offset = 'x'"]:
        sql = f"UPDATE pf_lists SET {change} {where}"
        path = tmp_path / "pf.db"
        shutil.copy(written[0], path)
        with sqlite3.connect(path) as db:
            db.execute(sql)
        with pf.open_store(sqlite_url(path)) as store, pytest.raises(pf.StoreError, match="list abnormal"):
            pf.CampaignRun(campaign, store=store)


@pytest.mark.parametrize("version", ["²", "", "abc", f"{SCHEMA_VERSION} ", "-1", f"0{SCHEMA_VERSION}"])
def test_a_schema_version_pilotflow_never_writes_is_named_so(
    version: str, written: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    """A schema version in pf_meta that is no number pilotflow writes (a superscript digit,
    white space, a sign, this version written with a leading zero) is refused as changed outside
    pilotflow, never as "newer", and never with a raw ValueError."""
    path = tmp_path / "pf.db"
    shutil.copy(written[0], path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE pf_meta SET value = ? WHERE key = 'schema_version'", (version,))
    with pytest.raises(pf.StoreError, match="no schema version pilotflow writes"):
        pf.open_store(sqlite_url(path), read_only=True)


def test_an_event_whose_texts_are_gone_is_refused_not_dropped(
    written: tuple[Path, dict[str, str]], tmp_path: Path, campaign: pf.Campaign
) -> None:
    """An event row referring to a text that pf_texts no longer holds (its nomination id,
    actor or shape deleted) makes the log's reads fail by name; before, the join left the
    event out of every read, and the nomination's history lost it without a word."""
    for column in ("nomination_id", "actor", "shape"):
        path = tmp_path / "pf.db"
        shutil.copy(written[0], path)
        with sqlite3.connect(path) as db:
            db.execute(f"DELETE FROM pf_texts WHERE id = (SELECT {column} FROM pf_events WHERE seq = 5)")
        run = _open(path, campaign, read_only=True)
        try:
            with pytest.raises(pf.StoreError, match="of the audit log cannot be read"):
                list(run.events())
        finally:
            run.store.close()


def test_a_quota_counter_below_zero_is_pilotflows_own_and_is_read(
    written: tuple[Path, dict[str, str]], tmp_path: Path, campaign: pf.Campaign
) -> None:
    """A quota counter below zero is one pilotflow writes itself (a seat given back before any
    was taken: the seat statement allows it, as the memory store does), so it is read as it
    is, not refused as edited outside pilotflow; part of a seat is refused (above)."""
    path = tmp_path / "pf.db"
    shutil.copy(written[0], path)
    with sqlite3.connect(path) as db:
        (authority, unit_type) = db.execute("SELECT authority, unit_type FROM pf_quota LIMIT 1").fetchone()
        db.execute(
            "UPDATE pf_quota SET used = -1 WHERE authority = ? AND unit_type = ?", (authority, unit_type)
        )
    run = _open(path, campaign)
    try:
        assert run.store.quota_usage(campaign.id)[(authority, unit_type)] == -1
        assert run.store.quota_used(campaign.id, authority, unit_type) == -1
    finally:
        run.store.close()
