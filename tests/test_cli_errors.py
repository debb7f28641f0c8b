"""Every error a ``pilotflow`` command meets reaches the user as a short red message in English
and Chinese with exit status 2 — bad usage (click's own errors too), an unreadable --at, a
folder or a FIFO given as --db or --list, a file that cannot be read, even a bug — never a
traceback; ``explain`` alone exits 1, when the action would be refused."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli import commands as cli_module
from pilotflow.cli.commands import cli
from pilotflow.cli.demo import DemoResult

from conftest import CAMPAIGN_ID
from terminal import installed_pilotflow


@pytest.fixture
def nid(demo: DemoResult) -> str:
    return demo.examples["at the ministry"]


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def assert_clean_error(result: Result, *fragments: str) -> None:
    """Exit status 2, a red bilingual message, no traceback, no exception escaping."""
    assert 2 == result.exit_code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert "✗ error:" in result.output, result.output
    assert "✗ 错误" in result.output, result.output
    for fragment in fragments:
        assert fragment in result.output.replace("\n", ""), fragment


# -- --at -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "fragment"),
    [
        ("9999-12-31T23:00-12:00", "2199"),  # would overflow when converted to +08:00
        ("1800-01-01T00:00+08:00", "1970"),
        ("0001-01-01T00:00+14:00", "1970"),  # would underflow in UTC
        ("yesterday", "ISO 8601"),
        ("2023-13-01T00:00+08:00", "ISO 8601"),
        ("2023-02-30T10:00+08:00", "ISO 8601"),
        ("1800-01-01T00:00", "1970"),  # no offset: read in the campaign's time zone, then bounded
        ("2023-10-18", "--at"),  # no time
        ("", "--at"),
    ],
)
def test_explain_at_out_of_range_or_unreadable_is_a_clean_error(
    db: str, nid: str, at: str, fragment: str
) -> None:
    """An --at that overflows the years a date can hold once converted to the campaign's time
    zone, or that is not an ISO 8601 date-time, exits 2 with a bilingual message (one without
    an offset is read in the campaign's time zone and bounded the same way)."""
    result = invoke("explain", nid, "stamp", "--db", db, "--at", at)
    assert_clean_error(result, fragment)


def test_explain_at_the_last_supported_moment_works(db: str, nid: str) -> None:
    """A moment near the end of what pilotflow accepts (2199-12-31 23:00 +08:00) is judged
    normally; a later
    one that still converts (9999-12-31 23:00 +08:00) is a clean error naming the range."""
    result = invoke("explain", nid, "decline", "--db", db, "--at", "2199-12-31T23:00+08:00")
    assert result.exit_code in (0, 1), result.output
    assert "judged at 2199-12-31 23:00" in result.output
    assert_clean_error(
        invoke("explain", nid, "decline", "--db", db, "--at", "9999-12-31T23:00+08:00"), "2199"
    )


# -- paths ------------------------------------------------------------------------------

READERS = {
    "nominations": ("nominations",),
    "quota": ("quota", "371000"),
    "history": ("history", "0123456789abcdef"),
    "explain": ("explain", "0123456789abcdef", "stamp"),
}


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_folder_as_db_is_a_clean_error(tmp_path: Path, command: str) -> None:
    """A folder given as --db: exit 2, 'is a folder' in both languages."""
    assert_clean_error(invoke(*READERS[command], "--db", str(tmp_path)), "is a folder", "文件夹")


@pytest.mark.parametrize("command", sorted(READERS))
def test_a_memory_store_as_db_is_a_clean_error(command: str) -> None:
    """``--db memory://`` (nothing kept from one command to the next): exit 2, a message
    saying the command line needs a database, in both languages (not one about an option
    the user never gave)."""
    assert_clean_error(invoke(*READERS[command], "--db", "memory://"), "needs a database", "数据库")


def _run_installed(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command in a child process. The timeout only keeps a regression (a
    blocking read) from hanging the test run; nothing here depends on how long it takes."""
    env = {k: v for k, v in os.environ.items() if k != "PILOTFLOW_DEBUG"}
    found = shutil.which("pilotflow", path=str(Path(sys.executable).parent)) or shutil.which("pilotflow")
    assert found is not None, "the pilotflow console script is not installed (pip install -e .)"
    return subprocess.run(
        [found, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("command", ["explain", "nominations"])  # all four share the opening
def test_a_fifo_as_db_is_refused_without_blocking(tmp_path: Path, command: str) -> None:
    """A FIFO given as --db is refused without being opened (a read would block for ever):
    exit 2, 'not a regular file' in both languages, the FIFO still there."""
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    done = _run_installed(*READERS[command], "--db", str(fifo), cwd=tmp_path)
    assert 2 == done.returncode, done.stderr
    assert "not a regular file" in done.stderr
    assert "不是普通文件" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert fifo.exists()


def test_a_fifo_as_list_is_refused_without_blocking(tmp_path: Path, db: str, nid: str) -> None:
    """A FIFO given as a --list file is refused before it is read (it would block)."""
    fifo = tmp_path / "debtors.csv"
    os.mkfifo(fifo)
    done = _run_installed(
        "explain", nid, "recommend", "--db", db, "--list", f"dishonest_debtors={fifo}", cwd=tmp_path
    )
    assert 2 == done.returncode, done.stderr
    assert "--list" in done.stderr
    assert "不是普通文件" in done.stderr


@pytest.mark.parametrize("kind", ["folder", "missing"])
def test_a_list_that_is_a_folder_or_missing_is_a_clean_error(
    tmp_path: Path, db: str, nid: str, kind: str
) -> None:
    """A --list file that is a folder, or that does not exist: exit 2, bilingual."""
    path = tmp_path if kind == "folder" else tmp_path / "absent.csv"
    result = invoke("explain", nid, "recommend", "--db", db, "--list", f"dishonest_debtors={path}")
    assert_clean_error(result, "--list")


@pytest.mark.parametrize("source", ["absent.yaml", "absent/", "no-such-campaign"])
def test_a_missing_campaign_is_a_clean_error(tmp_path: Path, db: str, source: str) -> None:
    """--campaign naming a file that does not exist, or no bundled campaign: exit 2."""
    os.chdir(tmp_path)
    assert_clean_error(invoke("quota", "371000", "--db", db, "--campaign", source))
    assert_clean_error(invoke("route", "371002", "--campaign", source))


def test_a_path_with_percent_and_question_mark_is_read(tmp_path: Path, demo: DemoResult) -> None:
    """A --db path holding characters a URL would read otherwise (%, ?, #) names that file."""
    odd = tmp_path / "a%20b?c#d.db"
    odd.write_bytes(demo.db_path.read_bytes())
    result = invoke("quota", "威海市", "--db", str(odd))
    assert 0 == result.exit_code, result.output
    assert "shandong_major_cities" in result.output


# -- click's own errors ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "en", "zh"),
    [
        (["--bogus"], "No such option", "没有选项 --bogus"),
        (["quota"], "Missing argument", "缺少必需的参数"),
        (["nosuch"], "No such command", "没有子命令 nosuch"),
        (["demo", "--through", "somewhere"], "Invalid value for '--through'", "取值无效"),
        (["quota", "371000", "--db"], "requires an argument", "--db"),
        (["route", "371002", "extra"], "unexpected extra argument", "多余的参数：extra"),
        (["campaign", "show", "--nope"], "No such option", "没有选项 --nope"),
    ],
)
def test_usage_errors_are_bilingual(args: list[str], en: str, zh: str) -> None:
    """Click's usage errors (unknown option or command, missing or bad argument) are shown
    like every other error: the usage line, the message in English and Chinese, exit 2."""
    result = invoke(*args)
    assert_clean_error(result, en, zh, "-h' for help")


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (["--bogus"], "命令 pilotflow 没有选项 --bogus"),
        (["campaign", "show", "--nope"], "命令 pilotflow campaign show 没有选项 --nope"),
        (["quta"], "命令 pilotflow 没有子命令 quta（是否要用 quota？）"),
        (["letter", "sned"], "命令 pilotflow letter 没有子命令 sned（是否要用 send？）"),
        (["quota"], "命令 pilotflow quota 缺少必需的参数 'AUTHORITY'"),
        (["letter", "show"], "命令 pilotflow letter show 缺少必需的参数 'LETTER'"),
        (["quota", "371000", "--db"], "命令 pilotflow quota 的选项 --db 后须跟一个取值"),
        (
            ["letter", "show", "x", "--documents"],
            "命令 pilotflow letter show 的选项 --documents 后须跟一个取值",
        ),
        (["demo", "--fresh=yes"], "命令 pilotflow demo 的选项 --fresh 是开关，不接受取值"),
        (["route", "371002", "extra", "more"], "命令 pilotflow route 不接受多余的参数：extra more"),
        (["demo", "--through", "somewhere"], "命令 pilotflow demo '--through' 的取值无效：必须是以下之一"),
    ],
)
def test_a_usage_error_says_in_chinese_what_is_wrong_and_where(
    args: list[str], zh: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Through the console script's entry point, each kind of usage error (no such option or
    command, a missing argument, an option without its value or a switch given one, extra
    arguments, a bad value) says in Chinese which command and which option, argument or
    value is wrong, not a generic line; exit status 2."""
    with pytest.raises(SystemExit) as exited:
        cli_module.main(args)
    assert 2 == exited.value.code
    err = capsys.readouterr().err.replace("\n", "")
    assert f"✗ 错误：{zh}" in err, err
    assert "用法有误" not in err


def test_explain_unknown_action_is_a_bilingual_usage_error(db: str, nid: str) -> None:
    """An ACTION that is not one of the public actions: exit 2, in both languages."""
    assert_clean_error(invoke("explain", nid, "approve", "--db", db), "'approve' is not one of", "取值无效")


def test_help_documents_the_exit_statuses() -> None:
    """``pilotflow --help`` says what exit statuses 0, 1 and 2 mean."""
    result = invoke("--help")
    assert 0 == result.exit_code
    assert "Exit status" in result.output
    for line in ("0  done", "1  explain: the action would be refused", "2  an error", "130  interrupted"):
        assert line in result.output, line


# -- what is not pilotflow's own ---------------------------------------------------------------


def test_an_unreadable_file_is_a_clean_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """An OSError (here: permission denied on a campaign file) is a bilingual message naming
    the file, exit 2, not a traceback."""

    def denied(source: object) -> pf.Campaign:
        raise PermissionError(13, "Permission denied", "secret.yaml")

    monkeypatch.setattr(cli_module.pf, "load_campaign", denied)
    assert_clean_error(invoke("route", "371002", "--campaign", "secret.yaml"), "secret.yaml", "没有权限")


def test_a_bug_is_a_short_message_and_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """An exception pilotflow did not foresee is still a short bilingual message (exit 2)
    asking for a report; with PILOTFLOW_DEBUG=1 the exception itself propagates."""

    def broken(source: object) -> pf.Campaign:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli_module.pf, "load_campaign", broken)
    result = invoke("route", "371002")
    assert_clean_error(result, "unexpected RuntimeError: boom", "please report", "内部错误")
    assert "second line" not in result.output
    debug = invoke("route", "371002", env={"PILOTFLOW_DEBUG": "1"})
    assert isinstance(debug.exception, RuntimeError)


# -- a quick fuzz of every option ------------------------------------------------------------

BAD = [
    "",
    "-",
    "9" * 40,
    "\x00",
    "\x1b[2J",
    "[bold]x[/]",
    "/",
    "371000:",
    "a=b",
    "9999-12-31T23:59:59+08:00",
    "\u202e",
    "bogus://x",
]


def _fuzz_cases(db: str, nid: str) -> list[list[str]]:
    cases = []
    for v in BAD:
        cases += [
            ["route", v],
            ["campaign", "show", v],
            ["quota", v, "--db", db],
            ["quota", "371000", "--db", v],
            ["nominations", "--db", db, "--holder", v, "--state", v],
            ["history", v, "--db", db],
            ["explain", v, "stamp", "--db", db],
            ["explain", nid, "stamp", "--db", db, "--as", v, "--at", v, "--list", v],
            ["explain", nid, "stamp", "--db", db, "--as", f"371000:industry:{v}"],
        ]
    return cases


def test_fuzzed_options_never_give_a_traceback(db: str, nid: str, tmp_path: Path) -> None:
    """Odd values for every argument and option of every command (empty, NUL, escape
    sequences, markup, paths, URLs, out-of-range moments) end in exit 0, 1 or 2; a 2 is
    always a bilingual message, never a traceback nor an 'unexpected' error."""
    os.chdir(tmp_path)
    runner = CliRunner()
    for args in _fuzz_cases(db, nid):
        result = runner.invoke(cli, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert "Traceback" not in result.output, args
        assert "unexpected" not in result.output, (args, result.output)
        if result.exit_code == 2:
            assert "✗ 错误" in result.output, (args, result.output)
    assert [] == list(tmp_path.iterdir())  # and nothing was created on the way


def test_campaign_id_constant_matches() -> None:
    """The campaign the fixtures use is the bundled default of the command line."""
    assert CAMPAIGN_ID == cli_module.DEFAULT_CAMPAIGN


def test_an_interrupt_exits_130_with_a_short_message(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C during a command is a one-line bilingual note and exit status 130 (not 1,
    which means 'would be refused'), no traceback."""

    def interrupted(source: object) -> pf.Campaign:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module.pf, "load_campaign", interrupted)
    result = invoke("route", "371002")
    assert 130 == result.exit_code
    assert "interrupted · 已中断" in result.output
    assert "Traceback" not in result.output


def test_a_terminal_that_cannot_show_chinese_is_told_so(tmp_path: Path) -> None:
    """Output to a terminal whose encoding cannot hold Chinese (here ASCII, the command run
    as its own process) is an error saying to use a UTF-8 locale, exit 2, not a bug report."""
    run = subprocess.run(
        [sys.executable, "-c", "from pilotflow.cli import main; main()", "route", "371002"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=120,
    )
    err = run.stderr.decode("ascii")
    assert 2 == run.returncode, err
    assert "the terminal cannot show this text (its encoding is ascii)" in err
    assert "LANG=C.UTF-8" in err
    assert "unexpected" not in err
    assert "Traceback" not in err


def test_an_encode_error_raised_elsewhere_does_not_blame_the_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An encode error that no output raised (here: a file name that is not valid UTF-8,
    encoded as UTF-8 to quote it) is reported as what it is, naming the character as an
    escape, in both languages; the terminal (UTF-8) is not blamed."""
    from urllib.parse import quote

    try:
        quote(os.fsdecode(b"\xff.db"))
    except UnicodeEncodeError as exc:
        cli_module._unexpected(exc)
    err = capsys.readouterr().err
    assert "terminal" not in err
    assert "终端" not in err
    assert "a text holds \\udcff, which utf-8 cannot encode" in err.replace("\n", " ")
    assert "不是有效 UTF-8 的文件名" in err


def test_a_bad_value_says_why_in_chinese_too(db: str, nid: str) -> None:
    """A value click refuses says in Chinese what it must be, not only that it is invalid: a
    choice lists its values with their Chinese names, a number its type and bounds."""
    result = invoke("explain", nid, "approve", "--db", db)
    assert_clean_error(result, "必须是以下之一：attach（提交材料）、stamp（联合盖章）")
    result = invoke("attach", nid, "paper_copy", "--paper", "x", "--db", db, "--authority", "371002")
    assert_clean_error(
        result, "'x' is not a valid integer", "'--paper' 的取值无效：必须是 1 到 1000 之间的整数"
    )


@pytest.mark.parametrize("command", [["attach", "N", "K"], ["letter", "attach", "L", "K"]])
def test_paper_copies_take_the_materials_own_bounds(command: list[str]) -> None:
    """A unit's material and a letter's take paper copies from 1 to the materials' own
    maximum (MAX_COPIES, the one rule): 0 and MAX_COPIES + 1 are refused by both commands."""
    from pilotflow.domain.records import MAX_COPIES

    for bad in ("0", str(MAX_COPIES + 1)):
        result = invoke(*command, "--paper", bad)
        assert_clean_error(result, f"1<=x<={MAX_COPIES}", f"必须是 1 到 {MAX_COPIES} 之间的整数")


def test_demo_with_an_empty_db_names_the_option() -> None:
    """``pilotflow demo --db ""`` is refused naming ``--db``, the option the operator typed
    (not the library's argument name), in both languages; no file is made."""
    result = invoke("demo", "--db", "")
    assert_clean_error(result, "--db is empty", "--db 为空")
    assert "db_path" not in result.output


@pytest.mark.parametrize("columns", ["0", "1", "5"])
def test_a_console_too_narrow_still_shows_the_error(tmp_path: Path, columns: str) -> None:
    """``COLUMNS`` of 0, 1 or 5 makes the console its narrowest usable width: the error is
    printed (it was not printed at all with 0, one character a line with 1)."""
    result = invoke("nominations", "--db", str(tmp_path / "none.db"), env={"COLUMNS": columns})
    assert_clean_error(result, "no such database file")


def test_a_reader_gone_exits_with_its_own_status(demo: DemoResult) -> None:
    """A command whose output's reader went away (``| head``) exits with 141, as shells report
    a closed pipe, and no traceback: 1 says "refused, nothing changed", which an action that
    was done is not."""
    proc = subprocess.Popen(
        [installed_pilotflow(), "nominations", "--db", str(demo.db_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if k not in ("COLUMNS", "PILOTFLOW_DEBUG")},
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()  # (before the command writes: its first write finds no reader)
    errors = proc.stderr.read()
    assert 141 == proc.wait(timeout=120), errors
    assert b"Traceback" not in errors


def test_the_demo_on_a_loop_of_symbolic_links_is_refused_plainly(tmp_path: Path) -> None:
    """``demo --db`` naming a loop of symbolic links is a clean error in both languages (it
    was reported as a bug: an unexpected RuntimeError), and nothing is made. The Chinese
    carries no English of the operating system's."""
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = invoke("demo", "--db", str(tmp_path / "a"))
    assert_clean_error(result, "loop of symbolic links")
    assert "Too many levels" not in result.output.split("✗ 错误")[1]  # (the system's English)
    assert {"a", "b"} == {p.name for p in tmp_path.iterdir()}


def test_an_empty_file_path_is_named_as_one() -> None:
    """A material refused for an empty path names it as ``''`` (the message began with a bare
    colon)."""
    err = pf.MaterialRejected("not_found", "", "no such file", "文件不存在")
    assert str(err).startswith("'': no such file")
    assert err.zh.startswith("''：文件不存在")
