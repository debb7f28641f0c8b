"""``--format json|csv`` on the reading commands: JSON with stable keys and Chinese as it is,
CSV with a header row and cells a spreadsheet would run as formulas made inert; nominations
found by id, prefix or short reference; ``history`` laid out without breaking a word or a
Chinese character."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pilotflow.cli.commands import NOMINATION_KEYS, cli
from pilotflow.cli.demo import DemoResult
from pilotflow.cli.formats import csv_cell
from pilotflow.cli.lookup import ref

from terminal import run_in_pty


@pytest.fixture
def nid(demo: DemoResult) -> str:
    return demo.examples["at the ministry"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_nominations_json_has_stable_keys_and_chinese_as_is(db: str) -> None:
    """``nominations --format json`` is a list of records with exactly the documented keys,
    in order, unit names in Chinese (not ``\\u`` escapes), moments with their offset."""
    result = invoke("nominations", "--db", db, "--format", "json")
    assert 0 == result.exit_code, result.output
    records = json.loads(result.output)
    assert records
    assert all(tuple(r) == NOMINATION_KEYS for r in records)
    assert "\\u" not in result.output
    assert "威海" in result.output
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", records[0]["updated_at"])
    assert all(r["ref"] == ref(r["id"]) for r in records)


def test_nominations_csv_has_a_header_and_one_row_each(db: str) -> None:
    """``--format csv``: a header row of the same keys, then one row per nomination."""
    rows = list(csv.reader(io.StringIO(invoke("nominations", "--db", db, "--format", "csv").output)))
    as_json = json.loads(invoke("nominations", "--db", db, "--format", "json").output)
    assert tuple(rows[0]) == NOMINATION_KEYS
    assert len(rows) == len(as_json) + 1


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("威海=公司", "威海=公司"),
        (None, ""),
        (True, "true"),
        (["a", "b"], "a; b"),
        (["=x"], "'=x"),
        ([{"kind": "summary", "at": 1}, None], '{"at": 1, "kind": "summary"}; '),
    ],
)
def test_csv_cells_cannot_run_as_formulas(value: object, cell: str) -> None:
    """A cell beginning with =, +, -, @ or a tab is prefixed with ' (inert in spreadsheets);
    None is empty, lists are joined, a record in a list as JSON (a letter's documents were
    written as Python's text of a dict)."""
    assert csv_cell(value) == cell


def test_a_unit_name_like_a_formula_is_inert_in_csv(demo: DemoResult, tmp_path: Path) -> None:
    """A unit name stored as ``=cmd|' /C calc'!A0`` comes out of ``nominations --format csv``
    with a leading quote, and as it is in JSON."""
    path = tmp_path / "nasty.db"
    source = sqlite3.connect(demo.db_path)
    with sqlite3.connect(path) as copy:
        source.backup(copy)
        copy.execute("update pf_nominations set unit_name = ? where rowid = 1", ("=cmd|' /C calc'!A0",))
    source.close()
    out = invoke("nominations", "--db", str(path), "--format", "csv").output
    assert "'=cmd|' /C calc'!A0" in out
    assert "\n=cmd" not in out
    assert ",=cmd" not in out
    assert "=cmd|' /C calc'!A0" in invoke("nominations", "--db", str(path), "--format", "json").output


def test_quota_route_history_explain_in_json(db: str, nid: str) -> None:
    """``quota``, ``route``, ``history`` and ``explain`` speak JSON with their documented keys;
    ``explain`` keeps its exit status (0 may go ahead, 1 refused)."""
    q = json.loads(invoke("quota", "威海市", "--db", db, "--format", "json").output)
    assert {"authority", "authority_name", "rule", "unit_type", "limit", "used", "remaining"} == set(q[0])
    r = json.loads(invoke("route", "环翠区", "--format", "json").output)
    assert [hop["authority"] for hop in r] == ["371002", "371000", "370000", "MIN"]
    h = json.loads(invoke("history", nid, "--db", db, "--format", "json").output)
    assert {"nomination", "route", "events"} == set(h)
    assert h["events"][0]["version"] == 1
    explained = invoke("explain", nid, "decline", "--db", db, "--as", "371002:industry", "--format", "json")
    payload = json.loads(explained.output)
    assert explained.exit_code == 1
    assert payload["allowed"] is False
    assert payload["reasons"]
    assert {"code", "en", "zh"} == set(payload["reasons"][0])


def test_history_csv_lists_every_event(db: str, nid: str) -> None:
    """``history --format csv``: one row per audit event, the header first."""
    rows = list(csv.reader(io.StringIO(invoke("history", nid, "--db", db, "--format", "csv").output)))
    assert rows[0][:3] == ["version", "at", "action"]
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, len(rows))]


def test_a_reference_or_a_prefix_finds_a_nomination(db: str, nid: str) -> None:
    """A nomination is found by its six-character reference and by a unique id prefix; a
    prefix every demo id shares is refused, listing candidates with their references."""
    assert ref(nid) in invoke("history", ref(nid), "--db", db).output
    assert 0 == invoke("history", nid[:22], "--db", db).exit_code
    result = invoke("history", nid[:6], "--db", db)
    assert 2 == result.exit_code
    assert "names" in result.output
    assert "nominations" in result.output
    assert "请输入更多位" in result.output


def test_references_differ_from_the_first_character() -> None:
    """Ids made one after another share their first characters; their references do not
    share a first character more often than chance."""
    from pilotflow.app.results import new_id

    refs = [ref(new_id()) for _ in range(200)]
    assert len({r[0] for r in refs}) > 20
    assert len(set(refs)) == 200


@pytest.mark.parametrize("columns", [40, 72])
def test_history_never_breaks_a_word_or_a_chinese_character(
    db: str, nid: str, tmp_path: Path, columns: int
) -> None:
    """In a real terminal (colours on) of 40 or 72 columns, ``history`` wraps between words:
    every word it shows is a whole word of the same history shown 400 columns wide; no
    Chinese character is split (no replacement character) and no line is wider than the
    terminal."""
    from rich.cells import cell_len

    def words(text: str) -> set[str]:
        return set(re.findall(r"[A-Za-z_]+", text))

    _, wide = run_in_pty("history", nid, "--db", db, cwd=tmp_path, columns=400)
    code, out = run_in_pty("history", nid, "--db", db, cwd=tmp_path, columns=columns)
    assert 0 == code, out
    strip = re.compile(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\\\")
    plain, plain_wide = strip.sub("", out), strip.sub("", wide)
    assert words(plain) <= words(plain_wide), words(plain) - words(plain_wide)
    assert "\ufffd" not in plain
    assert max(cell_len(line.rstrip()) for line in plain.splitlines()) <= columns


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("37100", "威海市 371000"),
        ("威海士", "威海市 371000"),
        ("环翠", "环翠区 371002"),
        ("南海心区", "威海南海新区 371000-NH"),
    ],
)
def test_a_misspelt_authority_gets_suggestions(typed: str, suggested: str) -> None:
    """An unknown authority code or name exits 2 suggesting the authorities it may mean (a
    code or name beginning with or containing what was typed first), in both languages."""
    result = invoke("route", typed)
    assert 2 == result.exit_code
    out = result.output.replace("\n", "")
    assert f"did you mean {suggested}" in out or f" or {suggested}" in out
    assert "是否应为" in out


def test_a_refusal_in_a_real_terminal_is_red_and_bilingual(db: str, nid: str, tmp_path: Path) -> None:
    """In a real terminal, a refused action is shown in red (ANSI colour), with the reason's
    code, English and Chinese, and no rich markup left over; exit status 1."""
    copy = tmp_path / "copy.db"
    source = sqlite3.connect(db)
    with sqlite3.connect(copy) as target:
        source.backup(target)
    source.close()
    actor = ("--authority", "MIN", "--department", "industry", "--person", "li")
    code, out = run_in_pty("withdraw", nid, "--db", str(copy), *actor, cwd=tmp_path)
    assert 1 == code, out
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "refused · 操作被拒绝" in plain
    assert "nothing was changed · 未作任何更改" in plain
    assert "[/" not in plain
    assert "[red]" not in plain
