"""The letters' commands (``pilotflow letter prepare|add|remove|order|attach|stamp|send|recall|
return|discard|list|show``) and the per-unit ``stamp`` and ``recommend``: each acts through the
library's guards on a real SQLite file; a refusal exits 1 in both languages and changes
nothing; ``letter show --documents`` writes the generated summary table and letter draft."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli.commands import cli
from pilotflow.cli.demo import DemoResult
from pilotflow.store.sql import sqlite_url

from conftest import CAMPAIGN_ID, nominate, shanghai

AT = ("--backfill", "--at", "2023-10-17T10:00:00+08:00")
DISTRICT = ("--authority", "环翠区", "--department", "industry", "--person", "li")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def filed(tmp_path: Path) -> tuple[str, list[str]]:
    """A SQLite file holding two enterprises filed at 环翠区 with their own materials."""
    db = tmp_path / "letters.db"
    campaign = pf.load_campaign(CAMPAIGN_ID)
    store = pf.open_store(sqlite_url(db))
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign),
                         clock=pf.FixedClock(shanghai(2023, 10, 17, 9)))  # fmt: skip
    ids = [nominate(run, i).id for i in (1, 2)]
    store.close()
    return str(db), ids


def letter_id(result: Result) -> str:
    assert 0 == result.exit_code, result.output
    return str(json.loads(result.output)["submission"]["id"])


def snapshot(db: str) -> tuple[object, ...]:
    store = pf.open_store(sqlite_url(Path(db)), read_only=True)
    try:
        return (
            [(n.id, n.version, n.holder) for n in store.nominations(CAMPAIGN_ID)],
            [(s.id, s.version, s.state) for s in store.submissions(CAMPAIGN_ID)],
            len(store.events(CAMPAIGN_ID)),
        )
    finally:
        store.close()


def test_a_district_prepares_stamps_and_sends_one_letter(
    filed: tuple[str, list[str]], tmp_path: Path
) -> None:
    """An operator drafts 环翠区's letter with both units, attaches the stamped letter, has
    each department stamp it and sends it; both units reach 威海市 together, and ``letter
    show --documents`` writes its summary table and letter draft, checked against the
    recorded SHA-256."""
    db, ids = filed
    lid = letter_id(invoke("letter", "prepare", *ids, "--db", db, *DISTRICT, *AT, "--format", "json"))
    assert 0 == invoke("letter", "attach", lid[:8], "joint_recommendation_letter", "--paper", "1",
                       "--db", db, *DISTRICT, *AT).exit_code  # fmt: skip
    for department in ("industry", "civil_affairs", "health"):
        who = ("--authority", "371002", "--department", department, "--person", "clerk")
        result = invoke("letter", "stamp", lid, "--db", db, *who, *AT)
        assert 0 == result.exit_code, result.output
    sent = invoke("letter", "send", lid, "--db", db, *DISTRICT, *AT)
    assert 0 == sent.exit_code, sent.output
    assert "威海市" in sent.output
    listed = json.loads(invoke("letter", "list", "--db", db, "--state", "sent", "--format", "json").output)
    assert [(r["id"], r["units"]) for r in listed] == [(lid, ids)]
    out = tmp_path / "out"
    shown = invoke("letter", "show", lid, "--db", db, "--documents", str(out))
    assert 0 == shown.exit_code, shown.output
    units = [line for line in shown.output.splitlines() if line.startswith(("  1. ", "  2. "))]
    assert [uid in line for line, uid in zip(units, ids, strict=True)] == [True, True]  # in order
    assert sorted(p.suffix for p in out.iterdir()) == [".docx", ".xlsx"]


def test_a_refused_send_exits_1_and_changes_nothing(filed: tuple[str, list[str]]) -> None:
    """Sending a letter nobody stamped is refused with its reasons in both languages, exit
    status 1, and the database is unchanged."""
    db, ids = filed
    lid = letter_id(invoke("letter", "prepare", ids[0], "--db", db, *DISTRICT, *AT, "--format", "json"))
    before = snapshot(db)
    result = invoke("letter", "send", lid, "--db", db, *DISTRICT, *AT)
    assert 1 == result.exit_code, result.output
    assert "stamps_missing" in result.output
    assert "联合盖章未完成" in result.output
    assert "nothing was changed · 未作任何更改" in result.output
    assert snapshot(db) == before
    assert 2 == invoke("letter", "send", "nosuchletter", "--db", db, *DISTRICT, *AT).exit_code


def test_the_per_unit_stamp_and_recommend(filed: tuple[str, list[str]]) -> None:
    """``pilotflow stamp ID`` stamps the one-unit letter made for the unit; ``recommend ID``
    sends it once its letter has its materials and stamps."""
    db, ids = filed
    for department in ("industry", "civil_affairs", "health"):
        who = ("--authority", "371002", "--department", department, "--person", "clerk")
        assert 0 == invoke("stamp", ids[0], "--db", db, *who, *AT).exit_code
    refused = invoke("recommend", ids[0], "--db", db, *DISTRICT, *AT)
    assert 1 == refused.exit_code
    assert "letter_materials_missing" in refused.output
    (draft,) = json.loads(invoke("letter", "list", "--db", db, "--format", "json").output)
    assert 0 == invoke("letter", "attach", draft["id"], "joint_recommendation_letter", "--paper", "1",
                       "--db", db, *DISTRICT, *AT).exit_code  # fmt: skip
    moved = invoke("recommend", ids[0], "--db", db, *DISTRICT, *AT, "--format", "json")
    assert 0 == moved.exit_code, moved.output
    assert json.loads(moved.output)["nominations"][0]["holder"] == "371000"


def test_documents_into_what_is_no_folder_is_refused_by_name(demo: DemoResult, tmp_path: Path) -> None:
    """``letter show --documents`` naming a FIFO (there, and no folder) or a place no folder
    can be made is an error naming ``--documents`` (exit 2), not "cannot use ...: File
    exists", and writes nothing; the Chinese says why in Chinese."""
    db = str(demo.db_path)
    sent = json.loads(invoke("letter", "list", "--db", db, "--state", "sent", "--format", "json").output)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for target, says, says_zh in ((fifo, "not a folder", "不是文件夹"),
                                  (tmp_path / "file" / "sub", "cannot write", "文件已存在")):  # fmt: skip
        result = invoke("letter", "show", sent[0]["id"], "--db", db, "--documents", str(target))
        assert 2 == result.exit_code, result.output
        assert "--documents" in result.output
        assert says in result.output
        assert says_zh in result.output.replace("\n", "")  # (the system's reason in Chinese too)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "file"]


def test_letter_attach_with_neither_file_nor_paper_says_so(demo: DemoResult) -> None:
    """``letter attach`` given neither a FILE nor --paper asks for one of them (exit 2); it
    said "not both", as if both had been given."""
    db = str(demo.db_path)
    sent = json.loads(invoke("letter", "list", "--db", db, "--state", "sent", "--format", "json").output)
    who = ("--authority", "371002", "--department", "industry", "--person", "p")
    for extra in ((), ("/dev/null", "--paper", "1")):
        result = invoke(
            "letter", "attach", sent[0]["id"], "joint_recommendation_letter", *extra, "--db", db, *who
        )
        assert 2 == result.exit_code, result.output
        assert "give either FILE or --paper N" in result.output
        assert "not both" not in result.output


def test_a_refused_letter_show_leaves_no_documents_folder(
    demo: DemoResult, filed: tuple[str, list[str]], tmp_path: Path
) -> None:
    """``letter show --documents NEW/SUB`` that is refused after the folder is made (here the
    documents made again do not match the SHA-256 recorded when the letter was sent: the
    database copy's record was changed) exits 2 and leaves neither NEW nor SUB behind; a
    letter with no documents (a draft) writes nothing and leaves no empty folder either."""
    db = tmp_path / "changed.db"
    db.write_bytes(demo.db_path.read_bytes())
    sent = json.loads(invoke("letter", "list", "--db", str(db), "--state", "sent", "--format", "json").output)
    letter = sent[0]
    recorded = letter["documents"][0]["sha256"]
    with sqlite3.connect(db) as conn:
        changed = (
            "UPDATE pf_events SET data = replace(data, ?, ?) WHERE typeof(data) = 'text' AND instr(data, ?)"
        )
        assert 1 == conn.execute(changed, (recorded, "0" * 64, recorded)).rowcount
    conn.close()
    new = tmp_path / "new"
    result = invoke("letter", "show", letter["id"], "--db", str(db), "--documents", str(new / "sub"))
    assert 2 == result.exit_code, result.output
    assert "SHA-256" in result.output
    assert not new.exists()
    draft_db, ids = filed
    lid = letter_id(invoke("letter", "prepare", ids[0], "--db", draft_db, *DISTRICT, *AT, "--format", "json"))
    result = invoke("letter", "show", lid, "--db", draft_db, "--documents", str(new / "sub"))
    assert 0 == result.exit_code, result.output
    assert not new.exists()


def test_letter_show_never_removes_a_folder_that_was_there(
    filed: tuple[str, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--documents new/../kept/sub`` (a path through a folder that is not there yet, back up
    to an empty folder of the user's) makes ``new`` and ``kept/sub`` and, writing nothing (a
    draft), removes only those: the user's empty ``kept`` stays, ``new`` does not."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kept").mkdir()
    draft_db, ids = filed
    lid = letter_id(invoke("letter", "prepare", ids[0], "--db", draft_db, *DISTRICT, *AT, "--format", "json"))
    result = invoke("letter", "show", lid, "--db", draft_db, "--documents", "new/../kept/sub")
    assert 0 == result.exit_code, result.output
    assert (tmp_path / "kept").is_dir()
    assert not (tmp_path / "kept" / "sub").exists()
    assert not (tmp_path / "new").exists()
