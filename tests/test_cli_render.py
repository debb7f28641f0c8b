"""Text a user controls — unit names, decline reasons, campaign titles and rule names, paths,
option values — is shown literally by every command: rich markup (``[/]``, ``[link=...]``,
``[bold red]``) is escaped, emoji codes stay as typed, and control characters (ESC sequences
that clear the screen or open a hyperlink, C1 controls, bidirectional overrides) are shown as
visible escapes (``\\x1b``) instead of reaching the terminal. Checked on the rendered output,
in a real pseudo-terminal where colours are on."""

from __future__ import annotations

import io
import os
import re
import sqlite3
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli import commands as cli_module
from pilotflow.cli.commands import cli
from pilotflow.cli.demo import printable
from pilotflow.codes import make_code

from conftest import CAMPAIGN_ID, shanghai
from terminal import run_in_pty

# What a store or a campaign file may hold, and how each must appear on the screen.
NASTY = {
    "威海[/]公司": "威海[/]公司",
    "[link=http://evil.example]点我[/link]": "[link=http://evil.example]点我[/link]",
    "[bold red]红字": "[bold red]红字",
    "清屏\x1b[2J公司": "清屏\\x1b[2J公司",
    "\x1b]8;;http://evil.example\x1b\\链接": "\\x1b]8;;http://evil.example\\x1b\\链接",
    "c1\x9b31m": "c1\\x9b31m",
    "abc\u202edcba": "abc\\u202edcba",
    ":warning:": ":warning:",
}
REASON = "[red]理由\x1b[2J\u2066"
REASON_SHOWN = "[red]理由\\x1b[2J\\u2066"
# Anything the terminal would act on, other than the colours rich itself writes.
SGR = re.compile(r"\x1b\[[0-9;]*m")
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def nasty_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A pilotflow database whose nominations carry the names above; the last one declined
    with a reason holding markup and controls. Returns the file and the nomination ids.

    The API refuses control characters in names and reasons (the text rule), so the rows are
    written as markup-only text and then given their controls in SQL: text a database of an
    earlier version, or another tool, may hold."""
    path = tmp_path_factory.mktemp("render") / "nasty.db"
    campaign = pf.load_campaign(CAMPAIGN_ID)
    ids = []
    with pf.open_store(f"sqlite:///{path}") as store:
        clock = pf.FixedClock(shanghai(2023, 10, 16, 9))
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        for i, _name in enumerate(NASTY):
            code = make_code("91371002", f"MA{i:06d}")
            n = run.nominate(
                pf.Actor.applicant(code, "p"),
                unit_code=code,
                unit_name=f"单位{i}",
                unit_type="enterprise",
                scenario="smart_nursing_homes",
                origin="371002",
            )
            ids.append(n.id)
        run.decline(pf.Actor("371002", "industry", "x"), ids[-1], reason="理由")
    with sqlite3.connect(path) as db:
        for nid, name in zip(ids, NASTY, strict=True):
            db.execute("UPDATE pf_nominations SET unit_name = ? WHERE id = ?", (name, nid))
        decline = (  # the one event with a reason: the decline (SQLite: ids are kept in pf_texts)
            "UPDATE pf_events SET reason = ? WHERE reason IS NOT NULL "
            "AND nomination_id = (SELECT id FROM pf_texts WHERE text = ?)"
        )
        db.execute(decline, (REASON, ids[-1]))
    return path, ids


@pytest.fixture(scope="module")
def nasty_campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled campaign with markup and escape sequences in its title, the first quota
    rule's name, the first hop's name and a unit type's name."""
    text = (resources.files("pilotflow") / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
    for old, new in [
        ("  zh: 2023 年智慧健康养老应用试点示范遴选", '  zh: "标题[/]\\e[2J[bold red]红\\u202e"\n  x: "'),
        ("  - name: shandong_major_cities", '  - name: "规则[/]\\e]8;;http://evil.example\\e\\\\"'),
        ("  - name: weihai_districts_to_weihai", '  - name: "环节[link=http://evil.example]x[/link]"'),
        ("  enterprise: {en: enterprise, zh: 企业}", '  enterprise: {en: enterprise, zh: "企[/]业\\e[31m"}'),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    # The title line was split above to keep the rest of it out of the way: drop that part.
    text = re.sub(r'\n  x: ".*\n', "\n", text, count=1)
    path = tmp_path_factory.mktemp("campaign") / "nasty.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "400"})


def assert_literal(output: str, *shown: str) -> None:
    """No control character reaches the output, and each value is there as typed."""
    assert not FORBIDDEN.search(output), repr(FORBIDDEN.search(output))
    for text in shown:
        assert text in output, (text, output[-2000:])


# -- in a pseudo-terminal ---------------------------------------------------------------------


def screen(raw: str) -> str:
    """What a terminal shows: the colours rich wrote removed, nothing else; so a control
    character left in it is one the terminal would have acted on."""
    return SGR.sub("", raw).replace("\r\n", "\n")


@pytest.mark.parametrize("command", ["nominations", "history", "explain"])
def test_store_text_is_literal_in_a_terminal(
    nasty_db: tuple[Path, list[str]], tmp_path: Path, command: str
) -> None:
    """In a real terminal (colours on), ``nominations``, ``history`` and ``explain`` show unit
    names and reasons literally: the only escape sequences written are rich's colours; no
    ESC[2J, no OSC 8 hyperlink, no C1 control, no bidi override reaches the terminal."""
    path, ids = nasty_db
    if command == "nominations":
        args = ["nominations", "--db", str(path)]
        shown = list(NASTY.values())
    elif command == "history":
        args = ["history", ids[-1], "--db", str(path)]
        shown = [NASTY[":warning:"], REASON_SHOWN]
    else:
        args = ["explain", ids[3], "stamp", "--db", str(path), "--at", "2023-10-16T10:00+08:00"]
        shown = [NASTY["清屏\x1b[2J公司"]]
    code, raw = run_in_pty(*args, cwd=tmp_path)
    assert code in (0, 1), raw[-2000:]
    assert "\x1b[" in raw  # a terminal: colours are on
    assert_literal(screen(raw), *shown)


def test_campaign_text_is_literal_in_a_terminal(nasty_campaign: Path, tmp_path: Path) -> None:
    """``campaign show`` of a campaign file whose title, rule, hop and unit type names hold
    markup and escape sequences shows them literally in a terminal."""
    code, raw = run_in_pty("campaign", "show", str(nasty_campaign), cwd=tmp_path)
    assert 0 == code, raw[-2000:]
    assert_literal(
        screen(raw),
        "标题[/]\\x1b[2J[bold red]红\\u202e",
        "规则[/]\\x1b]8;;http://evil.example\\x1b\\",
        "环节[link=http://evil.example]x[/link]",
        "企[/]业\\x1b[31m",
    )


def test_an_error_echoing_user_text_is_literal_in_a_terminal(tmp_path: Path) -> None:
    """An error message that repeats what the user typed (a --db path with an escape
    sequence and markup, an unknown option) shows it literally on the terminal."""
    code, raw = run_in_pty(
        "quota", "371000", "--db", "[bold]x\x1b]8;;http://evil.example\x07.db", cwd=tmp_path
    )
    assert 2 == code
    assert_literal(screen(raw), "[bold]x\\x1b]8;;http://evil.example\\x07.db", "✗ 错误")
    code, raw = run_in_pty("--\x1b[2Jx", cwd=tmp_path)
    assert 2 == code
    assert_literal(screen(raw), "--\\x1b[2Jx", "没有选项")


# -- every command, captured -----------------------------------------------------------------


def test_nominations_and_history_show_store_text_literally(nasty_db: tuple[Path, list[str]]) -> None:
    """``nominations`` lists every nasty name as typed; ``history`` shows the unit in its
    title and the decline reason in its details, literally."""
    path, ids = nasty_db
    result = invoke("nominations", "--db", str(path))
    assert 0 == result.exit_code, result.output
    assert_literal(result.output, *NASTY.values())
    for nid in ids:
        result = invoke("history", nid, "--db", str(path))
        assert 0 == result.exit_code, result.output
        shown = NASTY[list(NASTY)[ids.index(nid)]]
        assert_literal(result.output, shown)
    assert_literal(invoke("history", ids[-1], "--db", str(path)).output, REASON_SHOWN)


def test_explain_shows_store_text_literally(nasty_db: tuple[Path, list[str]]) -> None:
    """``explain`` heads its answer with the unit's name, literally, for every nasty name."""
    path, ids = nasty_db
    for name, nid in zip(NASTY, ids, strict=True):
        result = invoke("explain", nid, "stamp", "--db", str(path), "--at", "2023-10-16T10:00+08:00")
        assert result.exit_code in (0, 1), result.output
        assert_literal(result.output, NASTY[name])


def test_campaign_route_and_quota_show_campaign_text_literally(
    nasty_campaign: Path, nasty_db: tuple[Path, list[str]]
) -> None:
    """``campaign show``, ``campaign check``, ``route`` and ``quota`` with a nasty campaign
    file show its names literally."""
    path, _ = nasty_db
    rule = "规则[/]\\x1b]8;;http://evil.example\\x1b\\"
    result = invoke("campaign", "show", str(nasty_campaign))
    assert 0 == result.exit_code, result.output
    assert_literal(
        result.output, "标题[/]\\x1b[2J[bold red]红\\u202e", rule, "环节[link=http://evil.example]x[/link]"
    )
    assert 0 == invoke("campaign", "check", str(nasty_campaign)).exit_code
    result = invoke("route", "371002", "--campaign", str(nasty_campaign))
    assert 0 == result.exit_code, result.output
    assert_literal(result.output, rule)
    result = invoke("quota", "371000", "--db", str(path), "--campaign", str(nasty_campaign))
    assert 0 == result.exit_code, result.output
    assert_literal(result.output, rule, "企[/]业\\x1b[31m enterprise")


def test_option_values_are_literal_in_errors(nasty_db: tuple[Path, list[str]]) -> None:
    """Values typed on the command line and repeated in an error (an authority, an --as
    person, a nomination id) are shown literally."""
    path, ids = nasty_db
    result = invoke("quota", "[bold red]\x1b[2J", "--db", str(path))
    assert 2 == result.exit_code
    assert_literal(result.output, "[bold red]\\x1b[2J")
    result = invoke("explain", "[/]\x9b", "stamp", "--db", str(path))
    assert 2 == result.exit_code
    assert_literal(result.output, "U+009B")  # the id is refused by the text rule, which names it
    result = invoke("explain", ids[0], "stamp", "--db", str(path), "--as", "371002:industry:[/]")
    assert result.exit_code in (0, 1), result.output
    assert_literal(result.output, "371002:industry:[/]")
    result = invoke("explain", ids[0], "stamp", "--db", str(path), "--as", "371002:industry:x\u202e")
    assert 2 == result.exit_code  # the text rule refuses a bidirectional override, and names it
    assert_literal(result.output, "U+202E")


def test_demo_shows_its_path_literally(tmp_path: Path) -> None:
    """The demo repeats its --db path (quoted for a shell) literally, markup and all."""
    os.chdir(tmp_path)
    name = "[bold]演示\x1b[2J.db"
    result = CliRunner().invoke(cli, ["demo", "--db", name, "--through", "received"], env={"COLUMNS": "400"})
    assert 0 == result.exit_code, result.output
    assert_literal(result.output, "--db '[bold]演示\\x1b[2J.db'", "database: ")
    assert (tmp_path / name).is_file()


# -- the pieces ------------------------------------------------------------------------------


def test_printable_makes_every_control_visible() -> None:
    """``printable`` shows C0 controls, DEL, C1 controls and bidi formatting characters as
    escapes and leaves everything else, Chinese and markup included, as it is."""
    assert "\\x1b[2J" == printable("\x1b[2J")
    assert "a\\nb\\tc\\r" == printable("a\nb\tc\r")
    assert "\\x00\\x7f\\x85\\x9b" == printable("\x00\x7f\x85\x9b")
    assert "\\u202e\\u2066\\u200f\\u061c\\u2028" == printable("\u202e\u2066\u200f\u061c\u2028")
    assert "威海[/]公司 :warning: ✓" == printable("威海[/]公司 :warning: ✓")


def test_printable_escapes_a_lone_surrogate() -> None:
    """``printable`` shows a lone surrogate (which no terminal's UTF-8 can encode) as its
    escape, as the display does, instead of passing it on to fail on the console."""
    assert "a\\ud800b\\udcff" == printable("a\ud800b\udcff")


def test_a_value_with_a_lone_surrogate_is_shown_escaped(tmp_path: Path) -> None:
    """A value a user gives holding a lone surrogate (a file name that is not UTF-8, as the
    shell hands it over) is shown with the surrogate as an escape: ``config`` lists the
    --db path literally and exits 0, not "the terminal cannot show this text"."""
    os.chdir(tmp_path)
    result = invoke("config", "--db", "申报\udcff.db")
    assert 0 == result.exit_code, result.output
    assert_literal(result.output, "申报\\udcff.db")
    assert "terminal" not in result.output


def test_console_escapes_a_control_that_slipped_through() -> None:
    """The command line's console shows as an escape any control character, carriage return,
    tab, lone surrogate or bidirectional character left in a string it renders (a last guard
    behind escaping each value), keeping the string's own line breaks and its markup; it
    does not read emoji codes."""
    out = io.StringIO()
    console = cli_module._Console(file=out, width=80, color_system=None, highlight=False, emoji=False)
    console.print("[bold]a\x1b[2Jb\u202ec[/]\rd\te\ud800\nf :warning:")
    assert "a\\x1b[2Jb\\u202ec\\rd\\te\\ud800\nf :warning:\n" == out.getvalue()


def test_usage_line_shows_the_command_name_escaped() -> None:
    """The usage line click writes holds the name the command was run by (a link may be
    named anything): its escape sequence, carriage return and lone surrogate are shown as
    escapes, not acted on, dropped or failing as text "the terminal cannot show"."""
    result = CliRunner().invoke(cli, ["route"], prog_name="pf\x1b[2J\r\udcff", env={"COLUMNS": "400"})
    assert 2 == result.exit_code, result.output
    assert_literal(result.output, "Usage: pf\\x1b[2J\\r\\udcff route [OPTIONS] CODE")
    assert "terminal" not in result.output
