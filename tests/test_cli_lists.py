"""``pilotflow lists``: ``lists load ID FILE`` keeps a list in the database (who, when; every
version kept), later commands judge with it unless ``--list`` gives another, ``pilotflow
lists`` shows what every command judges with, ``lists show`` and ``lists history`` read the
stored versions back; refusals exit 1 and errors 2, each in English and Chinese, nothing
changed."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pilotflow as pf
from pilotflow.cli.commands import cli
from pilotflow.cli.demo import DemoResult

from conftest import CAMPAIGN_ID

LOADER = ("--authority", "MIN", "--department", "industry", "--person", "张三")  # the debtors list: national
HEADER = "unit_code,unit_name,since,until,reason\n"


@pytest.fixture
def wdb(demo: DemoResult, tmp_path: Path) -> str:
    """A copy of the demo's database that a test may change."""
    target = tmp_path / "work.db"
    source = sqlite3.connect(demo.db_path)
    with sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    return str(target)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def loads(db: str) -> list[pf.ListLoad]:
    store = pf.open_store(f"sqlite:///{db}", read_only=True)
    try:
        return store.list_loads(CAMPAIGN_ID)
    finally:
        store.close()


def some_unit(db: str) -> pf.Nomination:
    """A nomination of the demo still in review."""
    store = pf.open_store(f"sqlite:///{db}", read_only=True)
    try:
        return store.nominations(CAMPAIGN_ID, state="in_review")[0]
    finally:
        store.close()


def listing(path: Path, *codes: str) -> str:
    path.write_text(HEADER + "".join(f"{c},某单位,2023-10-01,,判决未履行\n" for c in codes), encoding="utf-8")
    return str(path)


def test_a_loaded_list_is_judged_with_by_later_commands(wdb: str, tmp_path: Path) -> None:
    """``lists load`` stores the file as the list's current version with the actor and the
    file's name; ``explain`` then refuses the listed unit citing that version (exit 1)
    without --list, and ``--list`` with an empty file overrides it (exit 0)."""
    n = some_unit(wdb)
    file = listing(tmp_path / "debtors.csv", n.unit_code)
    done = invoke("lists", "load", "dishonest_debtors", file, "--db", wdb, *LOADER, "--format", "json")
    assert 0 == done.exit_code, done.output
    record = json.loads(done.output)
    assert record["changed"] is True
    assert (record["list"]["authority"], record["list"]["person"], record["list"]["file"]) == (
        "MIN", "张三", "debtors.csv",
    )  # fmt: skip
    (load,) = loads(wdb)
    assert load.entries == 1
    refused = invoke("explain", n.id, "recommend", "--db", wdb, "--format", "json")
    assert 1 == refused.exit_code, refused.output
    reasons = json.loads(refused.output)["reasons"]
    assert any(r["code"] == "disqualified" and load.version in r["en"] for r in reasons)
    empty = listing(tmp_path / "empty.csv")
    over = invoke("explain", n.id, "recommend", "--db", wdb, "--list", f"dishonest_debtors={empty}")
    assert "disqualified" not in over.output


def test_loading_again_and_replacing_keep_the_history(wdb: str, tmp_path: Path) -> None:
    """The same file loaded again changes nothing (said so, exit 0); another file becomes
    current; ``lists history`` lists both loads, the last current; ``lists show --version``
    gives back the first version's entries; ``pilotflow lists`` shows the stored list."""
    first = listing(tmp_path / "a.csv", "91350100M000100Y43")
    assert 0 == invoke("lists", "load", "dishonest_debtors", first, "--db", wdb, *LOADER).exit_code
    again = invoke("lists", "load", "dishonest_debtors", first, "--db", wdb, *LOADER)
    assert 0 == again.exit_code
    assert "already current · 已是当前版本" in again.output
    second = listing(tmp_path / "b.csv")
    assert 0 == invoke("lists", "load", "dishonest_debtors", second, "--db", wdb, *LOADER).exit_code
    history = json.loads(invoke("lists", "history", "--db", wdb, "--format", "json").output)
    assert [(h["entries"], h["current"]) for h in history] == [(1, False), (0, True)]
    shown = invoke("lists", "show", "dishonest_debtors", "--db", wdb, "--version", history[0]["version"],
                   "--format", "csv")  # fmt: skip
    assert 0 == shown.exit_code, shown.output
    assert shown.output.splitlines()[1].startswith("91350100M000100Y43,某单位,2023-10-01T00:00:00+08:00")
    rows = {r["id"]: r for r in json.loads(invoke("lists", "--db", wdb, "--format", "json").output)}
    assert (rows["dishonest_debtors"]["source"], rows["dishonest_debtors"]["version"]) == (
        "stored", history[1]["version"],
    )  # fmt: skip
    assert rows["abnormal_operations"]["source"] == "empty"
    table = invoke("lists", "--db", wdb)
    assert "stored" in table.output
    assert rows["dishonest_debtors"]["loaded_by"] == "MIN:industry:张三"


def refused_load(wdb: str, file: str, actor: tuple[str, ...]) -> str:
    """``pilotflow lists load dishonest_debtors FILE`` by ``actor``, refused: exit 1,
    ``not_authorized``, "nothing changed" in Chinese, no traceback; its output."""
    refused = invoke("lists", "load", "dishonest_debtors", file, "--db", wdb, *actor)
    assert 1 == refused.exit_code, refused.output
    assert "not_authorized" in refused.output
    assert "未作任何更改" in refused.output
    assert "Traceback" not in refused.output
    return refused.output


def test_refusals_exit_1_and_errors_exit_2_changing_nothing(wdb: str, tmp_path: Path) -> None:
    """An applicant loading a list is refused (exit 1, both languages); a misspelt list id
    (with a suggestion), a malformed file and a file over the size bound are errors (exit 2,
    both languages); none stores anything."""
    good = listing(tmp_path / "a.csv", "91350100M000100Y43")
    applicant = ("--authority", "91350100M000100Y43", "--department", "applicant", "--person", "x")
    refused_load(wdb, good, applicant)
    misspelt = invoke("lists", "load", "dishonest_debtor", good, "--db", wdb, *LOADER)
    assert 2 == misspelt.exit_code
    assert "did you mean 'dishonest_debtors'" in misspelt.output
    assert "失信被执行人名单" in misspelt.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "nope,甲,2023-10-01,,x\n", encoding="utf-8")
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(64 * 2**20)
    for file in (bad, huge):
        result = invoke("lists", "load", "dishonest_debtors", str(file), "--db", wdb, *LOADER)
        assert 2 == result.exit_code, result.output
        assert "✗ error" in result.output
        assert "✗ 错误" in result.output
        assert "Traceback" not in result.output
    missing = invoke("lists", "show", "dishonest_debtors", "--db", wdb)
    assert 2 == missing.exit_code
    assert "请先载入" in missing.output
    assert loads(wdb) == []


def test_an_authority_whose_reach_does_not_cover_a_list_is_refused(wdb: str, tmp_path: Path) -> None:
    """A city loading the national debtors list (judged everywhere: the ministry's) is
    refused cleanly (exit 1, ``not_authorized``, in English and Chinese naming the ministry
    and the city, no traceback) and nothing is stored; Shandong loads its own reserve pool
    (judged within Shandong)."""
    good = listing(tmp_path / "a.csv", "91350100M000100Y43")
    city = ("--authority", "威海市", "--department", "industry", "--person", "李四")
    output = refused_load(wdb, good, city)
    assert "须由最高一级机关（工业和信息化部 民政部 国家卫生健康委员会（联合））的部门载入" in output
    assert "威海市不能载入" in output
    assert loads(wdb) == []
    province = ("--authority", "山东省", "--department", "industry", "--person", "张三")
    done = invoke("lists", "load", "shandong_reserve_pool", good, "--db", wdb, *province)
    assert 0 == done.exit_code, done.output
    assert [(x.list_id, x.actor.authority) for x in loads(wdb)] == [("shandong_reserve_pool", "370000")]


def test_the_configured_database_reaches_the_subcommands(wdb: str, tmp_path: Path) -> None:
    """``db`` in pilotflow.toml is used by ``lists load`` and ``lists history`` (subcommands of
    a group) as by every other command."""
    (tmp_path / "pilotflow.toml").write_text(f'db = "{wdb}"\n', encoding="utf-8")
    good = listing(tmp_path / "a.csv", "91350100M000100Y43")
    config = ("--config", str(tmp_path / "pilotflow.toml"))
    result = CliRunner().invoke(
        cli, [*config, "lists", "load", "dishonest_debtors", good, *LOADER], env={"PILOTFLOW_DB": None}
    )
    assert 0 == result.exit_code, result.output
    history = CliRunner().invoke(
        cli, [*config, "lists", "history", "--format", "json"], env={"PILOTFLOW_DB": None}
    )
    assert len(json.loads(history.output)) == 1


@pytest.mark.parametrize("command", ["lists", "lists load", "lists show", "lists history"])
def test_the_lists_commands_help_in_english_and_chinese(command: str) -> None:
    """``-h`` of each lists command describes it in both languages, each option's help too."""
    result = CliRunner().invoke(cli, [*command.split(), "-h"])
    assert 0 == result.exit_code, result.output
    description, _, options = result.output.partition("Options:")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in description)
    for option in options.split("\n  -")[1:]:
        if not option.startswith("h, --help"):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in option), option


def test_list_ids_complete() -> None:
    """``lists load <TAB>`` completes the ids of the lists the campaign names."""
    words = "pilotflow lists load dis"
    env = {"_PILOTFLOW_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": "3"}
    result = CliRunner().invoke(cli, [], env=env, prog_name="pilotflow")
    assert result.output.splitlines() == ["plain,dishonest_debtors"]


def test_a_list_file_with_an_escape_sequence_is_refused_by_load_and_by_list_alike(
    wdb: str, tmp_path: Path
) -> None:
    """A list file whose reason holds an escape sequence is refused the same way whether it
    is loaded (``lists load``) or given to one command (``--list``): exit 2, naming the row
    and the field, nothing stored. (``--list`` took it, and the refusals it caused carried
    the escape sequence.)"""
    n = some_unit(wdb)
    file = tmp_path / "debtors.csv"
    file.write_text(HEADER + f"{n.unit_code},某单位,2023-10-01,,判决\x1b[2J未履行\n", encoding="utf-8")
    given = f"dishonest_debtors={file}"
    for args in (("lists", "load", "dishonest_debtors", str(file), "--db", wdb, *LOADER),
                 ("explain", n.id, "recommend", "--db", wdb, "--list", given)):  # fmt: skip
        result = invoke(*args)
        assert 2 == result.exit_code, result.output
        assert "row 2: reason holds a control character" in result.output.replace("\n", "")
        assert "\x1b" not in result.output
    assert [] == loads(wdb)
