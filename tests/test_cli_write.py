"""The action commands (decline, return, withdraw, attach, select, tick, register-winners):
each acts on the database and campaign given, as the actor given, judged by the library's
guards; a refusal is printed with its reasons in English and Chinese, exits 1, and changes
nothing; an error exits 2 and changes nothing."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli.commands import _Group, cli
from pilotflow.cli.demo import DemoResult
from pilotflow.cli.lookup import ref
from pilotflow.cli.write import Acting, action_command

from conftest import CAMPAIGN_ID
from terminal import installed_pilotflow

NANHAI = ("--authority", "威海南海新区", "--department", "industry", "--person", "li")
MINISTRY = ("--authority", "MIN", "--department", "industry", "--person", "wang")


@pytest.fixture
def wdb(demo: DemoResult, tmp_path: Path) -> str:
    """A copy of the demo's database that a test may change."""
    target = tmp_path / "work.db"
    source = sqlite3.connect(demo.db_path)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    return str(target)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def state(db: str) -> tuple[tuple[str, int, str, str], ...]:
    """Every nomination's id, version, state and holder, and with them the audit log's length."""
    store = pf.open_store(pf.store.sql.sqlite_url(Path(db)), read_only=True)
    try:
        found = store.nominations(CAMPAIGN_ID)
        events = len(store.events(CAMPAIGN_ID))
    finally:
        store.close()
    return (*((n.id, n.version, n.state, n.holder) for n in found), ("events", events, "", ""))


def one(db: str, state_: str) -> pf.Nomination:
    store = pf.open_store(pf.store.sql.sqlite_url(Path(db)), read_only=True)
    try:
        return store.nominations(CAMPAIGN_ID, state=state_)[0]
    finally:
        store.close()


def assert_refused(result: Result, *fragments: str) -> None:
    """Exit status 1, the refusal in both languages, and that nothing was changed."""
    assert 1 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "refused · 操作被拒绝" in result.output or "✗ 错误" in result.output, result.output
    assert "nothing was changed · 未作任何更改" in result.output
    for fragment in fragments:
        assert fragment in result.output, fragment


def test_decline_by_the_holder_is_recorded_with_the_actor(wdb: str) -> None:
    """``decline REF --reason ...`` by the holding authority (given by its Chinese name)
    declines the nomination, and its audit event names the authority, department and
    person given."""
    n = one(wdb, "in_review")
    result = invoke("decline", ref(n.id), "--db", wdb, *NANHAI, "--reason", "材料不全")
    assert 0 == result.exit_code, result.output
    assert "✓ decline" in result.output
    assert "declined" in result.output
    history = json.loads(invoke("history", n.id, "--db", wdb, "--format", "json").output)
    last = history["events"][-1]
    assert (last["action"], last["actor_authority"], last["actor_department"], last["actor_person"]) == (
        "decline",
        "371000-NH",
        "industry",
        "li",
    )
    assert last["reason"] == "材料不全"


def test_a_refused_action_exits_1_with_bilingual_reasons_and_changes_nothing(wdb: str) -> None:
    """An authority that does not hold the nomination cannot decline it: exit 1, the reason
    code with its English and Chinese, and the database exactly as before."""
    n = one(wdb, "in_review")
    before = state(wdb)
    result = invoke("decline", n.id, "--db", wdb, *MINISTRY, "--reason", "x")
    assert_refused(result, "decline on", "[")
    assert state(wdb) == before


def test_withdraw_in_a_final_state_is_refused_and_json_says_why(wdb: str) -> None:
    """``--format json`` on a refusal prints ``ok: false`` with the reasons (code, en, zh)
    on stdout, exit 1; nothing changes."""
    n = one(wdb, "declined")
    before = state(wdb)
    result = invoke("withdraw", n.id, "--db", wdb, "--authority", n.holder, "--department", "industry",
                    "--person", "li", "--format", "json")  # fmt: skip
    assert 1 == result.exit_code, result.output
    payload = json.loads(result.stdout)
    assert payload["ok"] is False
    assert payload["action"] == "withdraw"
    assert payload["reasons"]
    assert {"code", "en", "zh"} == set(payload["reasons"][0])
    assert state(wdb) == before


def test_return_by_the_ministry_sends_it_back(wdb: str) -> None:
    """``return`` at the ministry sends a received nomination back to the province, and the
    JSON result is the nomination as it now is."""
    n = one(wdb, "received")
    result = invoke("return", n.id[:20], "--db", wdb, *MINISTRY, "--reason", "补充材料", "--format", "json")
    assert 0 == result.exit_code, result.output
    payload = json.loads(result.output)
    assert payload["ok"] is True
    (after,) = payload["nominations"]
    assert after["id"] == n.id
    assert after["holder"] != "MIN"
    assert after["version"] == n.version + 1


def test_attach_paper_copies_backfilled(wdb: str) -> None:
    """``attach ID KIND --paper 3 --backfill --at ...`` records a paper material at a moment
    of the campaign; without --backfill, today's moment is past the hop's deadline and the
    action is refused (exit 1, nothing changed)."""
    n = one(wdb, "in_review")
    before = state(wdb)
    refused = invoke("attach", n.id, "application_form_paper", "--paper", "3", "--db", wdb, *NANHAI)
    assert_refused(refused, "deadline_passed")
    assert state(wdb) == before
    result = invoke("attach", n.id, "application_form_paper", "--paper", "3", "--db", wdb, *NANHAI,
                    "--backfill", "--at", "2023-10-18T10:00+08:00")  # fmt: skip
    assert 0 == result.exit_code, result.output
    events = json.loads(invoke("history", n.id, "--db", wdb, "--format", "json").output)["events"]
    assert events[-1]["action"] == "attach"
    assert events[-1]["details"] == ["application_form_paper ×3"]


def test_attach_a_real_file_and_refuse_a_fake_one(wdb: str, tmp_path: Path) -> None:
    """``attach ID KIND FILE`` checks the file first: a real PDF is attached (its digest in
    the audit event); a text file named .pdf is rejected (exit 2) and nothing changes."""
    from pilotflow.files.samples import pdf_bytes

    n = one(wdb, "in_review")
    fake = tmp_path / "fake.pdf"
    fake.write_text("not a pdf", encoding="utf-8")
    before = state(wdb)
    rejected = invoke("attach", n.id, "application_form_pdf", str(fake), "--db", wdb, *NANHAI,
                      "--backfill", "--at", "2023-10-18T10:00+08:00")  # fmt: skip
    assert 2 == rejected.exit_code, rejected.output
    assert "错误：" in rejected.output
    assert state(wdb) == before
    real = tmp_path / "form.pdf"
    real.write_bytes(pdf_bytes())
    done = invoke("attach", n.id, "application_form_pdf", str(real), "--db", wdb, *NANHAI,
                  "--backfill", "--at", "2023-10-18T10:00+08:00")  # fmt: skip
    assert 0 == done.exit_code, done.output
    events = json.loads(invoke("history", n.id, "--db", wdb, "--format", "json").output)["events"]
    assert events[-1]["details"] == ["application_form_pdf"]


def test_attach_needs_a_file_or_paper_copies(wdb: str) -> None:
    """``attach`` with neither FILE nor --paper is an error (exit 2), in both languages."""
    n = one(wdb, "in_review")
    before = state(wdb)
    result = invoke("attach", n.id, "application_form_paper", "--db", wdb, *NANHAI)
    assert 2 == result.exit_code, result.output
    assert "give either FILE or --paper" in result.output
    assert "二者择一" in result.output
    assert state(wdb) == before


def test_select_dry_run_writes_nothing(wdb: str) -> None:
    """``select --dry-run`` shows what a selection would do and leaves the database as it was."""
    before = state(wdb)
    result = invoke("select", "enterprise", "--db", wdb, "--authority", "威海市", "--department",
                    "industry", "--person", "li", "--dry-run", "--format", "json")  # fmt: skip
    assert 0 == result.exit_code, result.output
    payload = json.loads(result.output)
    assert payload["dry_run"] is True
    assert payload["authority"] == "371000"
    assert {"ranked", "recommended", "cut", "skipped"} <= set(payload)
    assert state(wdb) == before


def test_tick_moves_what_is_overdue_once(wdb: str, tmp_path: Path) -> None:
    """``tick`` (the deadline sweep, run today, long after the 2023 deadlines) lapses the
    nomination still in review and revokes the winners that never applied, and lists each
    unit it moved with its new state; run again, it moves nothing."""
    human = tmp_path / "human.db"  # the same database, swept with the human output
    with sqlite3.connect(wdb) as source, sqlite3.connect(human) as copy:
        source.backup(copy)
    shown = invoke("tick", "--db", str(human))
    assert 0 == shown.exit_code, shown.output
    first = invoke("tick", "--db", wdb, "--format", "json")
    assert 0 == first.exit_code, first.output
    moved = json.loads(first.output)["moved"]
    assert moved
    assert f"{len(moved)} moved" in shown.output
    listed = [line.split()[1] for line in shown.output.splitlines() if "→" in line]
    assert listed == moved
    second = invoke("tick", "--db", wdb, "--format", "json")
    assert json.loads(second.output)["moved"] == []
    assert "0 moved" in invoke("tick", "--db", wdb).output


def test_register_winners_from_a_csv_then_again_is_refused(wdb: str, tmp_path: Path) -> None:
    """``register-winners FILE`` by the ministry registers the earlier winners of a CSV file;
    the same file again is refused whole (exit 1) and changes nothing."""
    csv = tmp_path / "winners.csv"
    csv.write_text(
        "unit_code,unit_name,unit_type,batch,authority\n91371002MA3C8G2L17,威海测试养老公司,企业,2019,371002\n",
        encoding="utf-8",
    )
    result = invoke("register-winners", str(csv), "--db", wdb, *MINISTRY)
    assert 0 == result.exit_code, result.output
    assert "awaiting_application" in result.output
    before = state(wdb)
    assert_refused(invoke("register-winners", str(csv), "--db", wdb, *MINISTRY), "already has a nomination")
    assert state(wdb) == before


def test_an_unknown_authority_is_an_error_with_suggestions(wdb: str) -> None:
    """A misspelt authority name exits 2 with the closest names (and codes) suggested, in
    both languages; nothing changes."""
    n = one(wdb, "in_review")
    before = state(wdb)
    result = invoke("decline", n.id, "--db", wdb, "--authority", "威海南海心区", "--department", "industry",
                    "--person", "li", "--reason", "x")  # fmt: skip
    assert 2 == result.exit_code, result.output
    assert "did you mean 威海南海新区 371000-NH" in result.output
    assert "是否应为 威海南海新区 371000-NH" in result.output
    assert state(wdb) == before


def test_an_unknown_department_is_an_error_and_changes_nothing(wdb: str) -> None:
    """A department the authority does not have exits 2 (bad input), the database unchanged."""
    n = one(wdb, "in_review")
    before = state(wdb)
    result = invoke("decline", n.id, "--db", wdb, "--authority", "371000-NH", "--department", "finance",
                    "--person", "li", "--reason", "x")  # fmt: skip
    assert result.exit_code in (1, 2), result.output
    assert "✗" in result.output
    assert "Traceback" not in result.output
    assert state(wdb) == before


def test_the_actor_options_are_required(wdb: str) -> None:
    """An action without --authority, --department or --person is a usage error (exit 2)."""
    n = one(wdb, "in_review")
    result = invoke("decline", n.id, "--db", wdb, "--reason", "x")
    assert 2 == result.exit_code
    assert "--authority" in result.output
    assert "缺少必需的选项 '--authority'" in result.output


@pytest.mark.parametrize(
    ("given", "named"),
    [
        (("--authority", "", "--department", "industry", "--person", "p"), "unknown authority ''"),
        (("--authority", "371000", "--department", "", "--person", "p"), "actor.department"),
        (("--authority", "371000", "--department", "industry", "--person", ""), "actor.person"),
    ],
)
def test_an_empty_actor_option_is_refused_by_name(wdb: str, given: tuple[str, ...], named: str) -> None:
    """An actor option given as an empty string is refused naming that option's part of the
    actor (exit 2, nothing changed), not as "this command takes no actor"."""
    before = state(wdb)
    result = invoke("select", "enterprise", "--db", wdb, "--dry-run", *given)
    assert 2 == result.exit_code
    assert named in result.output
    assert "takes no actor" not in result.output
    assert state(wdb) == before


def test_a_file_that_is_not_a_pilotflow_database_is_left_untouched(tmp_path: Path) -> None:
    """An action on another application's SQLite file is refused (exit 2) before anything is
    written: no pilotflow table is created, its bytes are unchanged."""
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("create table t (x)")
    digest = hashlib.sha256(other.read_bytes()).hexdigest()
    result = invoke("tick", "--db", str(other))
    assert 2 == result.exit_code, result.output
    assert hashlib.sha256(other.read_bytes()).hexdigest() == digest
    assert not list(tmp_path.glob("other.db-*"))


@pytest.fixture
def pg_database(pg_url: str) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database of its own, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"pf_cli_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield pg_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_postgresql_database_without_pilotflow_tables_is_refused(pg_database: str) -> None:
    """``--db postgresql://...`` that holds no pilotflow tables is refused (exit 2) without
    creating any: the write path checks first, as the read path does."""
    from sqlalchemy import create_engine, inspect

    result = invoke("tick", "--db", pg_database)
    assert 2 == result.exit_code, result.output
    engine = create_engine(pg_database)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_actions_on_postgresql(pg_database: str, tmp_path: Path) -> None:
    """On a PostgreSQL store: register-winners, then the deadline sweep revokes the winner
    that never applied; a refused action afterwards changes nothing (exit 1)."""
    pf.open_store(pg_database).close()  # pilotflow's tables, empty
    csv = tmp_path / "winners.csv"
    csv.write_text(
        "unit_code,unit_name,unit_type,batch,authority\n91371002MA3C8G2L17,威海测试养老公司,enterprise,2019,371002\n",
        encoding="utf-8",
    )
    registered = invoke("register-winners", str(csv), "--db", pg_database, *MINISTRY, "--format", "json")
    assert 0 == registered.exit_code, registered.output
    (n,) = json.loads(registered.output)["nominations"]
    assert n["state"] == "awaiting_application"
    swept = json.loads(invoke("tick", "--db", pg_database, "--format", "json").output)
    assert swept["moved"] == [n["id"]]

    def listed() -> str:
        return invoke("nominations", "--db", pg_database, "--format", "json").output

    before = listed()
    refused = invoke("withdraw", n["ref"], "--db", pg_database, "--authority", "371002", "--department",
                     "industry", "--person", "li")  # fmt: skip
    assert_refused(refused)
    assert listed() == before


def test_a_new_action_command_is_one_function(wdb: str) -> None:
    """``action_command`` turns one function into a command with the shared options, the
    actor, the nomination lookup, the result and the refusal (exit 1, nothing changed)."""
    group = _Group("pilotflow")

    @action_command("decline-duplicate", "Decline as a duplicate. · 重复申报，不予推荐。", group=group)
    def decline_duplicate(acting: Acting) -> pf.Nomination:
        """Decline as a duplicate. · 重复申报，不予推荐。"""
        return acting.run.decline(
            acting.actor, acting.nomination_id, reason="duplicate 重复申报", at=acting.at
        )

    n = one(wdb, "in_review")
    before = state(wdb)
    refused = CliRunner().invoke(group, ["decline-duplicate", ref(n.id), "--db", wdb, *MINISTRY])
    assert_refused(refused)
    assert state(wdb) == before
    done = CliRunner().invoke(
        group, ["decline-duplicate", ref(n.id), "--db", wdb, *NANHAI, "--format", "json"]
    )
    assert 0 == done.exit_code, done.output
    assert json.loads(done.output)["nominations"][0]["state"] == "declined"


def test_attach_a_file_whose_name_is_not_utf8(wdb: str, tmp_path: Path) -> None:
    """``attach ID KIND FILE`` takes a file whose name is not valid UTF-8 (as the shell hands
    such a name over: surrogate escapes): the file is checked and attached, exit 0, not
    an error blaming the terminal."""
    from pilotflow.files.samples import pdf_bytes

    n = one(wdb, "in_review")
    real = tmp_path / os.fsdecode(b"\xff\xfe\xe7\x94\xb3\xe6\x8a\xa5.pdf")  # bytes, then "申报"
    real.write_bytes(pdf_bytes())
    done = invoke("attach", n.id, "application_form_pdf", str(real), "--db", wdb, *NANHAI,
                  "--backfill", "--at", "2023-10-18T10:00+08:00")  # fmt: skip
    assert 0 == done.exit_code, done.output
    assert "terminal" not in done.output
    events = json.loads(invoke("history", n.id, "--db", wdb, "--format", "json").output)["events"]
    assert events[-1]["details"] == ["application_form_pdf"]
    store = pf.open_store(pf.store.sql.sqlite_url(Path(wdb)), read_only=True)
    try:
        attached = store.get(n.id).materials[-1]
    finally:
        store.close()
    assert "\\xff\\xfe申报.pdf" == attached.filename  # the name's bytes, kept as text


def test_a_moment_far_from_the_clock_points_to_the_option(wdb: str) -> None:
    """``--at`` far from the clock, without ``--backfill``, is refused with the command line's
    own remedy (``--backfill``) in both languages, not the library's (``backfill=True``),
    and nothing changes."""
    before = state(wdb)
    result = invoke("tick", "--db", wdb, "--at", "2023-10-16T10:00+08:00")
    assert 2 == result.exit_code, result.output
    assert "add --backfill" in result.output
    assert "请加 --backfill 选项" in result.output
    assert "backfill=True" not in result.output
    assert before == state(wdb)


def test_a_units_code_acting_for_an_authority_is_told_to_act_as_the_applicant(wdb: str) -> None:
    """``--authority`` given a unit's code with a department other than ``applicant`` is
    refused for what it is, in both languages (it said "unknown authority", blaming the
    code), and nothing changes."""
    before = state(wdb)
    nid = one(wdb, "in_review").id
    result = invoke(
        "withdraw", nid, "--authority", "91371000MAT6M5XGNL", "--department", "industry",
        "--person", "p", "--db", wdb, "--at", "2023-10-16T10:00+08:00", "--backfill",
    )  # fmt: skip
    assert 2 == result.exit_code, result.output
    assert "is a unit's code" in result.output
    assert "--department applicant" in result.output
    assert "统一社会信用代码" in result.output
    assert before == state(wdb)


def test_an_action_whose_output_meets_a_full_disk_says_it_was_done(wdb: str) -> None:
    """An action done whose output cannot be written (stdout on a full disk) exits 2 with a
    message saying that it was done and recorded, in both languages (it said only "cannot
    use: No space left on device", as if nothing had happened); the action stands."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    n = one(wdb, "in_review")
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [installed_pilotflow(), "decline", n.id, "--db", wdb, *NANHAI, "--reason", "材料不全"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
            env={k: v for k, v in os.environ.items() if k not in ("COLUMNS", "PILOTFLOW_DEBUG")},
        )  # fmt: skip
    assert 2 == done.returncode, done.stderr
    assert "decline was done and recorded, but its output could not be written" in done.stderr
    assert "已完成并已记录" in done.stderr
    assert "Traceback" not in done.stderr
    store = pf.open_store(pf.store.sql.sqlite_url(Path(wdb)), read_only=True)
    try:
        assert "declined" == store.get(n.id).state
    finally:
        store.close()
