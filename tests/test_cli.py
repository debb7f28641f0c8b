"""The ``pilotflow`` command: every command through click's CliRunner, its error paths (a
PilotflowError is a red bilingual message and exit status 2, never a traceback), and one run of
the real installed ``pilotflow demo`` inside a pseudo-terminal."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli.commands import cli, main
from pilotflow.cli.demo import DemoResult

from terminal import run_in_pty

CAMPAIGN_ID = "smart-health-elderly-care-2023"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(cli, list(args), catch_exceptions=False)


def assert_clean_error(result: Result, *fragments: str) -> None:
    """Exit status 2, no traceback, the message in English and Chinese."""
    assert 2 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "✗ error:" in result.output or "refused" in result.output
    assert "✗ 错误" in result.output or "拒绝" in result.output
    for fragment in fragments:
        assert fragment in result.output


def bundled_yaml() -> str:
    folder = resources.files("pilotflow") / "data" / "campaigns"
    return (folder / f"{CAMPAIGN_ID}.yaml").read_text(encoding="utf-8")


# -- help and entry point ---------------------------------------------------------------


def test_help_lists_every_command(runner: CliRunner) -> None:
    """``pilotflow --help`` names every command."""
    result = invoke(runner, "--help")
    assert 0 == result.exit_code
    for command in ("demo", "campaign", "route", "quota", "explain", "history", "nominations"):
        assert command in result.output


def test_main_is_the_entry_point(capsys: pytest.CaptureFixture[str]) -> None:
    """``pilotflow.cli.commands:main`` (the console script) runs the group and exits with its status."""
    with pytest.raises(SystemExit) as exited:
        main(["campaign", "list"])
    assert 0 == exited.value.code
    assert CAMPAIGN_ID in capsys.readouterr().out


def test_output_has_no_colour_codes_when_not_a_terminal(runner: CliRunner) -> None:
    """Colours are off when stdout is not a terminal (CliRunner captures it)."""
    result = invoke(runner, "route", "371002")
    assert "\x1b[" not in result.output


# -- demo -------------------------------------------------------------------------------


def test_demo_command_runs_and_prints_the_summary(runner: CliRunner, tmp_path: Path) -> None:
    """``pilotflow demo --db FILE`` exits 0, prints the summary and the replay check."""
    db = tmp_path / "demo.db"
    result = invoke(runner, "demo", "--db", str(db))
    assert 0 == result.exit_code, result.output
    assert "Summary per level" in result.output
    assert "run.replay() equals the store state" in result.output
    assert "pilotflow history" in result.output
    assert db.is_file()


def test_demo_keep_on_a_database_holding_the_demo_is_a_clean_error(runner: CliRunner, db: str) -> None:
    """``--keep`` on a file that already holds the demo exits 2 with a bilingual message."""
    result = invoke(runner, "demo", "--db", db, "--keep")
    assert_clean_error(result, "--fresh")


# -- campaign ---------------------------------------------------------------------------


def test_campaign_list_names_the_bundled_campaign(runner: CliRunner) -> None:
    """``campaign list`` prints the bundled campaign ids, one per line, sorted."""
    result = invoke(runner, "campaign", "list")
    assert 0 == result.exit_code
    assert list(pf.bundled_campaigns()) == result.output.split()
    assert CAMPAIGN_ID in result.output.split()


def test_campaign_show_prints_quotas_hops_materials_and_lists(runner: CliRunner) -> None:
    """``campaign show`` (default: the bundled campaign) shows levels, quota rules, hop
    deadlines as closing instants, materials and lists."""
    result = invoke(runner, "campaign", "show")
    assert 0 == result.exit_code, result.output
    out = result.output
    for expected in (
        "区县级",
        "shandong_major_cities",
        "provinces",
        "weihai_districts_to_weihai",
        "2023-10-19 00:00",  # "by 18 October" closes at the next midnight
        "2023-10-30 00:00",
        "三部门联合盖章的推荐函",
        "dishonest_debtors",
        "shandong_reserve_pool",
    ):
        assert expected in out, expected


def test_campaign_show_reads_a_path(runner: CliRunner, tmp_path: Path) -> None:
    """``campaign show PATH`` loads a campaign file."""
    path = tmp_path / "mine.yaml"
    path.write_text(bundled_yaml(), encoding="utf-8")
    result = invoke(runner, "campaign", "show", str(path))
    assert 0 == result.exit_code, result.output
    assert str(path) in result.output.replace("\n", "")


def test_campaign_show_unknown_id_is_a_clean_error(runner: CliRunner) -> None:
    """An unknown campaign id exits 2 with a message, not a traceback."""
    assert_clean_error(invoke(runner, "campaign", "show", "no-such-campaign"))


def test_campaign_check_accepts_a_valid_file(runner: CliRunner, tmp_path: Path) -> None:
    """``campaign check`` on a valid file exits 0 and says so."""
    path = tmp_path / "ok.yaml"
    path.write_text(bundled_yaml(), encoding="utf-8")
    result = invoke(runner, "campaign", "check", str(path))
    assert 0 == result.exit_code, result.output
    assert "✓" in result.output
    assert CAMPAIGN_ID in result.output


def test_campaign_check_names_the_bad_key(runner: CliRunner, tmp_path: Path) -> None:
    """A negative quota is refused with the file, the key path and the problem, exit 2."""
    path = tmp_path / "bad.yaml"
    path.write_text(bundled_yaml().replace("enterprise: 3, street_town: 3", "enterprise: -3, street_town: 3"))
    result = invoke(runner, "campaign", "check", str(path))
    assert_clean_error(result, "bad.yaml", "quotas[0].limits.enterprise")


def test_campaign_check_refuses_broken_yaml(runner: CliRunner, tmp_path: Path) -> None:
    """Text that is not YAML at all is a clean error too."""
    path = tmp_path / "broken.yaml"
    path.write_text("id: [unclosed\n  title: {", encoding="utf-8")
    assert_clean_error(invoke(runner, "campaign", "check", str(path)), "broken.yaml")


def test_campaign_check_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    """A file that does not exist is a clean error."""
    result = invoke(runner, "campaign", "check", str(tmp_path / "absent.yaml"))
    assert_clean_error(result, "absent.yaml")


# -- route ------------------------------------------------------------------------------


def test_route_from_a_weihai_district(runner: CliRunner) -> None:
    """环翠区 → 威海市 → 山东省 → the ministries, with the Weihai hop closing 19 Oct 00:00."""
    result = invoke(runner, "route", "371002")
    assert 0 == result.exit_code, result.output
    out = result.output
    assert out.index("环翠区") < out.index("威海市") < out.index("山东省") < out.index("MIN")
    assert "2023-10-19 00:00" in out
    assert "shandong_major_cities" in out


def test_route_by_chinese_name_and_qingdao_skips_the_province(runner: CliRunner) -> None:
    """An authority may be named in Chinese; Qingdao's districts go straight to the ministry
    (the district hop inherits the ministry deadline)."""
    result = invoke(runner, "route", "黄岛区")
    assert 0 == result.exit_code, result.output
    assert "青岛市" in result.output
    assert "山东省" not in result.output
    assert "inherited" in result.output


def test_route_shows_the_per_authority_cap_the_guard_enforces(runner: CliRunner) -> None:
    """Hebei's rule caps each city at 3 but 定州 at 1 (its ``per_authority`` row): the route
    from 定州 shows 1, in the table and in JSON, as the quota guard enforces it."""
    hebei = ("--campaign", "hebei-sme-service-platforms-2020")
    result = invoke(runner, "route", "130682", *hebei, "--format", "json")
    assert 0 == result.exit_code, result.output
    first = json.loads(result.output)[0]
    assert ({}, 1) == (first["quota_limits"], first["quota_total"])
    table = invoke(runner, "route", "130682", *hebei)
    assert "合计1" in table.output
    assert "合计3" not in table.output


def test_route_unknown_authority_is_a_clean_error(runner: CliRunner) -> None:
    """An unknown code exits 2 with 'unknown authority' in both languages."""
    assert_clean_error(invoke(runner, "route", "999999"), "unknown authority", "未知")


# -- quota / nominations ------------------------------------------------------------------


def test_quota_of_weihai_after_the_demo(runner: CliRunner, db: str) -> None:
    """Weihai used all its seats: 3 of 3 enterprises, 1 of 1 park."""
    result = invoke(runner, "quota", "威海市", "--db", db)
    assert 0 == result.exit_code, result.output
    assert re.search(r"enterprise\s*│\s*3\s*│\s*3\s*│\s*0", result.output), result.output
    assert re.search(r"park\s*│\s*1\s*│\s*1\s*│\s*0", result.output), result.output
    assert "shandong_major_cities" in result.output


def test_quota_of_a_campaign_the_database_holds_nothing_of_is_refused(runner: CliRunner, db: str) -> None:
    """``quota --campaign OTHER`` on a database holding only another campaign's records does
    not print zeros as if they were true: exit 2, naming the campaign asked for and the one
    the database holds (in Chinese by their titles), and no table."""
    result = invoke(runner, "quota", "石家庄市", "--db", db, "--campaign", "hebei-sme-service-platforms-2020")
    assert_clean_error(
        result,
        "holds nothing of campaign hebei-sme-service-platforms-2020",
        "only of smart-health-elderly-care-2023",
        "没有遴选“2020年度河北省中小企业公共服务示范平台推荐”（hebei-sme-service-platforms-2020）",
        "只有“2023 年智慧健康养老应用试点示范遴选",
    )
    assert "limit" not in result.output


@pytest.mark.parametrize("command", [["nominations"], ["letter", "list"]])
def test_a_listing_of_a_campaign_the_database_holds_nothing_of_is_refused(
    runner: CliRunner, db: str, command: list[str]
) -> None:
    """``nominations`` and ``letter list`` with a ``--campaign`` the database holds nothing of
    (it holds another's) are refused as ``quota`` is, naming both campaigns, instead of
    printing an empty table as if the campaign had no nomination or letter."""
    result = invoke(runner, *command, "--db", db, "--campaign", "hebei-sme-service-platforms-2020")
    assert_clean_error(
        result,
        "holds nothing of campaign hebei-sme-service-platforms-2020",
        "没有遴选“2020年度河北省中小企业公共服务示范平台推荐”（hebei-sme-service-platforms-2020）",
    )
    assert "0 nominations" not in result.output
    assert "0 letters" not in result.output


@pytest.fixture
def hebei_db(tmp_path: Path) -> str:
    """A SQLite database holding one nomination of the Hebei campaign, at 石家庄市."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from pilotflow.codes import make_code

    path = tmp_path / "hebei.db"
    campaign = pf.load_campaign("hebei-sme-service-platforms-2020")
    clock = pf.FixedClock(datetime(2020, 10, 20, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    with pf.open_store(f"sqlite:///{path}") as store:
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        code = make_code("91130100", "MA3C5CJX")
        run.nominate(
            pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某平台",
            unit_type="public_service_platform", origin="130100",
        )  # fmt: skip
    return str(path)


@pytest.mark.parametrize(
    "command",
    [
        ["route", "济南市"],
        ["route", "371000"],
        ["nominations", "--holder", "济南市", "--db", "{db}"],
        ["letter", "list", "--sender", "威海市", "--db", "{db}"],
        ["letter", "list", "--receiver", "山东省", "--db", "{db}"],
    ],
)
def test_an_authority_outside_the_campaigns_scope_is_refused(
    runner: CliRunner, hebei_db: str, command: list[str]
) -> None:
    """In Hebei's own campaign the commands given an authority of Shandong refuse it by name
    (``route`` drew its route to 山东省, ``nominations`` and ``letter list`` printed empty
    tables) — exit 2 — while a Hebei city is listed."""
    args = [hebei_db if part == "{db}" else part for part in command]
    result = invoke(runner, *args, "--campaign", "hebei-sme-service-platforms-2020")
    assert_clean_error(result, "outside its scope", "不在本次遴选的范围内")
    ok = invoke(
        runner, "nominations", "--holder", "石家庄市", "--db", hebei_db,
        "--campaign", "hebei-sme-service-platforms-2020",
    )  # fmt: skip
    assert 0 == ok.exit_code, ok.output
    assert "1 nomination" in ok.output


def test_quota_of_a_district_has_no_limit(runner: CliRunner, db: str) -> None:
    """A district recommends without a quota rule."""
    result = invoke(runner, "quota", "371002", "--db", db)
    assert 0 == result.exit_code, result.output
    assert "no quota rule" in result.output


def test_quota_unknown_authority_is_a_clean_error(runner: CliRunner, db: str) -> None:
    """An unknown authority exits 2, no traceback."""
    assert_clean_error(invoke(runner, "quota", "ABC", "--db", db), "unknown authority")


def test_missing_database_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    """A --db file that does not exist is reported (and not created)."""
    missing = tmp_path / "none.db"
    assert_clean_error(invoke(runner, "quota", "371000", "--db", str(missing)), "no such database")
    assert not missing.exists()


def test_a_file_that_is_not_a_database_is_a_clean_error(runner: CliRunner, tmp_path: Path) -> None:
    """A store error (a text file given as --db) is shown as a message, not a traceback."""
    junk = tmp_path / "junk.db"
    junk.write_text("this is not SQLite " * 100)
    assert_clean_error(invoke(runner, "quota", "371000", "--db", str(junk)))


def test_nominations_lists_what_weihai_cut(runner: CliRunner, db: str) -> None:
    """``nominations --holder 371000 --state not_recommended``: the five Weihai cut."""
    result = invoke(runner, "nominations", "--db", db, "--holder", "371000", "--state", "not_recommended")
    assert 0 == result.exit_code, result.output
    assert "5 nominations" in result.output


# -- explain ----------------------------------------------------------------------------


def test_explain_allowed_action_exits_zero(runner: CliRunner, demo: DemoResult, db: str) -> None:
    """The ministry may decline a received nomination: exit 0 and the actions open to it."""
    nid = demo.examples["at the ministry"]
    result = invoke(
        runner,
        "explain",
        nid,
        "decline",
        "--db",
        db,
        "--as",
        "MIN:industry:wang",
        "--at",
        "2023-10-30T10:00+08:00",
    )
    assert 0 == result.exit_code, result.output
    assert "may go ahead" in result.output
    assert "decline" in result.output


def test_explain_late_recommendation_exits_one(runner: CliRunner, demo: DemoResult, db: str) -> None:
    """南海新区's recommendation after the deadline would be refused: exit 1, reason shown."""
    nid = demo.examples["late at 南海新区"]
    result = invoke(
        runner, "explain", nid[:14], "recommend", "--db", db, "--as", "371000-NH:industry",
        "--at", "2023-10-19T08:00+08:00",
    )  # fmt: skip
    assert 1 == result.exit_code, result.output
    assert "deadline_passed" in result.output
    assert "报送期限已过" in result.output


def test_explain_before_the_deadline_and_with_a_list(
    runner: CliRunner, demo: DemoResult, db: str, tmp_path: Path
) -> None:
    """Before the deadline the same recommendation could go ahead; with a list naming the unit
    (--list ID=FILE.csv) it would be refused as disqualified."""
    nid = demo.examples["late at 南海新区"]
    args = ["explain", nid, "recommend", "--db", db, "--at", "2023-10-18T10:00+08:00"]
    assert 0 == invoke(runner, *args).exit_code
    campaign = pf.load_campaign(CAMPAIGN_ID)
    with pf.open_store(demo.store_url) as store:
        code = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign)).get(nid).unit_code
    csv = tmp_path / "debtors.csv"
    csv.write_text(
        f"unit_code,unit_name,since,until,reason\n{code},,2023-10-01,,判决未履行\n", encoding="utf-8"
    )
    result = invoke(runner, *args, "--list", f"dishonest_debtors={csv}")
    assert 1 == result.exit_code, result.output
    assert "disqualified" in result.output


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--as", "371000"], "--as"),
        (["--as", "371000:finance:x"], "finance"),
        (["--at", "yesterday"], "--at"),
        (["--list", "nonsense"], "--list"),
        (["--list", "dishonest_debtor=x.csv"], "失信被执行人名单？"),
    ],
)
def test_explain_bad_options_are_clean_errors(
    runner: CliRunner, demo: DemoResult, db: str, extra: list[str], fragment: str
) -> None:
    """A malformed --as, an unknown department, an unreadable --at or --list, a list id the
    campaign does not have (a mistyped one would otherwise leave the real list empty and
    answer a false all-clear): exit 2."""
    nid = demo.examples["at the ministry"]
    assert_clean_error(invoke(runner, "explain", nid, "decline", "--db", db, *extra), fragment)


def test_explain_unknown_nomination_is_a_clean_error(runner: CliRunner, db: str) -> None:
    """An id that matches no nomination exits 2 in both languages."""
    assert_clean_error(invoke(runner, "explain", "ffffffffffff", "stamp", "--db", db), "no nomination")


def test_explain_unknown_action_is_a_usage_error(runner: CliRunner, demo: DemoResult, db: str) -> None:
    """ACTION is one of the public actions; anything else is click's usage error (exit 2)."""
    result = invoke(runner, "explain", demo.examples["at the ministry"], "approve", "--db", db)
    assert 2 == result.exit_code
    assert "Traceback" not in result.output


# -- history ----------------------------------------------------------------------------


def test_history_shows_every_event(runner: CliRunner, demo: DemoResult, db: str) -> None:
    """The audit trail of the nomination at the ministry: nominated, recommended at each hop
    (its stamps are its letters', not its own events), received."""
    nid = demo.examples["at the ministry"]
    result = invoke(runner, "history", nid, "--db", db)
    assert 0 == result.exit_code, result.output
    flat = " ".join(result.output.split())  # (a narrow terminal folds the lines)
    for expected in ("nominate", "recommend", "received", "371000 → 370000"):
        assert expected in flat
    assert re.search(r"\d+ events · now received", flat)


def test_history_names_actions_and_states_in_chinese(runner: CliRunner, demo: DemoResult, db: str) -> None:
    """Each line of a history names its action and states in Chinese beside their codes
    (推荐, 审核推荐中 → 部委已受理...), the codes kept for the filters that take them."""
    nid = demo.examples["at the ministry"]
    result = invoke(runner, "history", nid, "--db", db)
    assert 0 == result.exit_code, result.output
    flat = " ".join(result.output.split())
    for code, zh in (
        ("nominate", pf.names.ACTION_ZH["nominate"]),
        ("recommend", pf.names.ACTION_ZH["recommend"]),
    ):
        assert f"{code} {zh}" in flat, (code, zh)
    assert f"now received {pf.names.STATE_ZH['received']}" in flat


def test_history_of_a_declined_nomination_shows_the_reason(
    runner: CliRunner, demo: DemoResult, db: str
) -> None:
    """The decline of the listed unit records its reason."""
    result = invoke(runner, "history", demo.examples["declined (listed)"], "--db", db)
    assert 0 == result.exit_code, result.output
    assert "失信被执行人名单" in result.output


def test_history_unknown_nomination_is_a_clean_error(runner: CliRunner, db: str) -> None:
    """An unknown id exits 2."""
    assert_clean_error(invoke(runner, "history", "nope", "--db", db), "no nomination")


# -- a real terminal --------------------------------------------------------------------


def test_demo_in_a_pseudo_terminal(tmp_path: Path) -> None:
    """The installed ``pilotflow demo`` run in a real (pseudo-)terminal: progress bars and
    colours on, exits 0, prints the summary and the replay check."""
    returncode, raw = run_in_pty("demo", "--db", str(tmp_path / "tty.db"), cwd=tmp_path, columns=160)
    text = ANSI.sub("", raw)
    assert 0 == returncode, text[-3000:]
    assert "Summary per level" in text
    assert "回放与存储一致 ✓" in text
    assert "\x1b[" in raw  # a terminal gets colours


def test_campaign_show_names_the_kinds_of_quota_rule(runner: CliRunner) -> None:
    """``campaign show`` says what a quota rule is beyond its numbers: a cap per group, the
    lists exempted (by their Chinese names), per-authority rows (a wide terminal, so that no
    cell wraps)."""
    wide = {"COLUMNS": "400"}
    result = runner.invoke(cli, ["campaign", "show", "intelligent-manufacturing-guangdong-2022"], env=wide)
    assert 0 == result.exit_code, result.output
    assert "按中央企业成员单位分组合计 per group" in result.output
    assert "不占名额 exempt: 中央企业成员单位" in result.output
    hebei = runner.invoke(cli, ["campaign", "show", "hebei-sme-service-platforms-2020"], env=wide)
    assert "定州市: total 合计 1" in hebei.output
    assert "雄安新区: total 合计 1" in hebei.output


def test_route_names_the_authorities_an_ambiguous_name_could_be(runner: CliRunner) -> None:
    """``route 市中区`` (four districts have that name) is refused naming each by its qualified
    name and code; ``route 济南市市中区`` finds the one in 济南."""
    result = invoke(runner, "route", "市中区")
    assert 2 == result.exit_code
    flat = "".join(result.output.split())
    assert "济南市市中区（370103）" in flat
    assert "枣庄市市中区（370402）" in flat
    assert 0 == invoke(runner, "route", "济南市市中区").exit_code


def test_explain_reads_an_at_without_offset_in_the_campaigns_time_zone(
    runner: CliRunner, demo: DemoResult, db: str
) -> None:
    """``--at 2023-10-18T10:00`` (no offset) is read in the campaign's time zone, Asia/Shanghai,
    and the command says so in both languages; the answer is the one for +08:00."""
    nid = demo.examples["late at 南海新区"]
    base = ["explain", nid, "recommend", "--db", db, "--at"]
    local = invoke(runner, *base, "2023-10-18T10:00")
    assert 0 == local.exit_code, local.output
    assert "Asia/Shanghai" in local.output
    assert "2023-10-18T10:00:00+08:00" in local.output
    assert "按本次遴选的时区" in local.output
    assert invoke(runner, *base, "2023-10-18T10:00+08:00").exit_code == local.exit_code
