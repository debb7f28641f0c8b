"""Where the command finds its database, campaign and lists: ``--db``/``--campaign``, then
``PILOTFLOW_DB``/``PILOTFLOW_CAMPAIGN``, then ``pilotflow.toml`` (or ``--config PATH``), then
the default; ``pilotflow config`` says which; a bad configuration file is a bilingual error
with exit status 2."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pilotflow.cli.commands import cli

from conftest import CAMPAIGN_ID


@pytest.fixture
def here(tmp_path: Path) -> Iterator[Path]:
    """A fresh working directory (a pilotflow.toml there is read), left afterwards."""
    before = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(before)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    base = {"PILOTFLOW_DB": "", "PILOTFLOW_CAMPAIGN": "", "PILOTFLOW_CONFIG": ""}
    return CliRunner().invoke(cli, list(args), env={**base, **(env or {})})


def settings(*args: str, env: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    result = invoke(*args, "config", "--format", "json", env=env)
    assert 0 == result.exit_code, result.output
    return {row["setting"]: row for row in json.loads(result.output)["settings"]}


def test_pilotflow_db_is_read_when_no_option_is_given(db: str, here: Path) -> None:
    """With ``PILOTFLOW_DB`` set, ``nominations`` needs no ``--db``; ``config`` names the
    variable as the source."""
    result = invoke("nominations", "--format", "json", env={"PILOTFLOW_DB": db})
    assert 0 == result.exit_code, result.output
    assert json.loads(result.output)
    assert settings(env={"PILOTFLOW_DB": db})["db"]["source"] == "environment PILOTFLOW_DB"


def test_no_database_anywhere_is_a_bilingual_error(here: Path) -> None:
    """No --db, no PILOTFLOW_DB, no configuration file: exit 2, saying the three ways."""
    result = invoke("nominations")
    assert 2 == result.exit_code
    assert "--db" in result.output
    assert "PILOTFLOW_DB" in result.output
    assert "pilotflow.toml" in result.output
    assert "未指定数据库" in result.output


def test_the_configuration_file_in_the_working_directory(db: str, here: Path) -> None:
    """``pilotflow.toml`` gives the database (a path relative to the file) and the campaign;
    ``config`` shows the file as their source."""
    local = here / "data"
    local.mkdir()
    (local / "c.db").write_bytes(Path(db).read_bytes())
    (here / "pilotflow.toml").write_text(f'db = "data/c.db"\ncampaign = "{CAMPAIGN_ID}"\n', encoding="utf-8")
    result = invoke("nominations", "--format", "csv")
    assert 0 == result.exit_code, result.output
    shown = settings()
    assert shown["db"]["value"] == str(here / "data" / "c.db")
    assert shown["db"]["source"].startswith("config file")
    assert shown["campaign"]["source"].startswith("config file")


def test_option_beats_environment_beats_file_beats_default(db: str, here: Path) -> None:
    """--db wins over PILOTFLOW_DB, which wins over the file; the campaign without any is the
    default."""
    (here / "pilotflow.toml").write_text('db = "from-file.db"\n', encoding="utf-8")
    assert settings()["db"]["source"].startswith("config file")
    assert settings(env={"PILOTFLOW_DB": "env.db"})["db"]["value"] == "env.db"
    assert settings("--config", str(here / "pilotflow.toml"))["campaign"]["source"] == "default"
    result = invoke("config", "--db", db, "--format", "json", env={"PILOTFLOW_DB": "env.db"})
    rows = {r["setting"]: r for r in json.loads(result.output)["settings"]}
    assert rows["db"] == {"setting": "db", "value": db, "source": "option"}
    # The file's database does not exist, the environment's does: the environment's is used.
    assert 0 == invoke("nominations", env={"PILOTFLOW_DB": db}).exit_code


def test_config_as_a_table_names_the_file(db: str, here: Path) -> None:
    """``pilotflow config`` (a table) names the configuration file and each source."""
    (here / "pilotflow.toml").write_text(f'db = "{db}"\n', encoding="utf-8")
    result = invoke("config")
    assert 0 == result.exit_code, result.output
    assert "pilotflow.toml" in result.output
    assert "config file" in result.output
    assert "default" in result.output


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ('databse = "x.db"\n', ("unknown key 'databse'", "did you mean 'db'", "未知的键")),
        ("db = 3\n", ("db must be a non-empty string", "非空字符串")),
        ('db = "x.db"\ndb = "y.db"\n', ("not valid TOML", "TOML 格式")),
        ("[lists]\nblack = 1\n", ("lists.black must be", "非空字符串")),
        ('lists = "x"\n', ("lists must be a table", "[lists]")),
        ("db = \n", ("not valid TOML",)),
    ],
)
def test_a_bad_configuration_file_is_a_bilingual_error(
    here: Path, text: str, fragments: tuple[str, ...]
) -> None:
    """An unknown key (with a suggestion), a value of the wrong type or text that is not TOML
    exits 2 with an English and a Chinese line naming the file — for any command."""
    (here / "pilotflow.toml").write_text(text, encoding="utf-8")
    for args in (("config",), ("campaign", "list")):
        result = invoke(*args)
        assert 2 == result.exit_code, result.output
        out = result.output.replace("\n", "")
        assert "✗ error: configuration file pilotflow.toml" in out
        assert "✗ 错误：配置文件" in out
        for fragment in fragments:
            assert fragment in out, fragment
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: p.mkdir(), "it is a directory"),
        (lambda p: os.mkfifo(p), "it is a FIFO"),
        (lambda p: p.symlink_to("/dev/zero"), "it is a character device"),
        (lambda p: p.symlink_to("nowhere.toml"), "no such configuration file"),
    ],
    ids=["folder", "fifo", "device", "dangling-link"],
)
def test_a_pilotflow_toml_that_cannot_be_read_is_an_error_not_passed_over(
    here: Path, make: Callable[[Path], object], says: str
) -> None:
    """A ``pilotflow.toml`` in the working directory that is no regular file (a folder, a
    FIFO, a link to a device or to nothing) exits 2 in both languages, as ``--config`` naming
    it does: it was passed over, and ``config`` said there was no configuration file while
    every setting fell back to its default."""
    make(here / "pilotflow.toml")
    result = invoke("config")
    assert 2 == result.exit_code, result.output
    assert says in result.output
    assert "✗ 错误" in result.output


def test_a_missing_config_option_file_is_an_error(here: Path) -> None:
    """``--config`` naming no file, or a folder, exits 2 in both languages."""
    for path in ("nope.toml", str(here)):
        result = invoke("--config", path, "config")
        assert 2 == result.exit_code, result.output
        assert "✗ error:" in result.output
        assert "✗ 错误" in result.output


def test_lists_from_the_configuration_file(here: Path) -> None:
    """``[lists]`` in pilotflow.toml is loaded by every command; ``pilotflow lists`` shows
    each list with its number of entries (a list not configured is empty); --list wins."""
    (here / "bar.csv").write_text(
        "unit_code,unit_name,since,until,reason\n91371002MA3C8G2L17,甲,2023-10-01,,判决未履行\n",
        encoding="utf-8",
    )
    (here / "pilotflow.toml").write_text('[lists]\ndishonest_debtors = "bar.csv"\n', encoding="utf-8")
    rows = {r["id"]: r for r in json.loads(invoke("lists", "--format", "json").output)}
    assert rows["dishonest_debtors"]["entries"] == 1
    assert rows["abnormal_operations"]["entries"] == 0
    (here / "empty.csv").write_text("unit_code,unit_name,since,until,reason\n", encoding="utf-8")
    over = invoke("lists", "--list", "dishonest_debtors=empty.csv", "--format", "json")
    assert {r["id"]: r for r in json.loads(over.output)}["dishonest_debtors"]["entries"] == 0
    assert settings()["lists.dishonest_debtors"]["value"] == str(here / "bar.csv")


def test_a_misspelt_list_id_in_the_file_is_an_error(here: Path) -> None:
    """A list id the campaign does not have, in ``[lists]``, exits 2 with a suggestion."""
    (here / "bar.csv").write_text("unit_code,unit_name,since,until,reason\n", encoding="utf-8")
    (here / "pilotflow.toml").write_text('[lists]\ndishonest_debtor = "bar.csv"\n', encoding="utf-8")
    result = invoke("lists")
    assert 2 == result.exit_code
    assert "dishonest_debtors" in result.output


NO_HOME = "~pf-no-such-user"  # a ~user naming no user: no home folder to put in its place


def test_a_tilde_naming_no_user_is_a_path_that_is_not_there(here: Path) -> None:
    """``~user`` naming no user, in --db, --config, the configuration file or the demo's
    --db, is kept as written (as a shell keeps it) and refused as a missing file or folder
    (exit 2), not reported as a bug in pilotflow."""
    for args in (
        ("nominations", "--db", f"{NO_HOME}/x.db"),
        ("--config", f"{NO_HOME}/pilotflow.toml", "config"),
        ("demo", "--db", f"{NO_HOME}/x.db"),
    ):
        result = invoke(*args)
        assert 2 == result.exit_code, result.output
        assert NO_HOME in result.output
        assert "unexpected" not in result.output
    (here / "pilotflow.toml").write_text(f'db = "{NO_HOME}/x.db"\n', encoding="utf-8")
    result = invoke("nominations")
    assert 2 == result.exit_code
    assert "no such database file" in result.output
    assert "unexpected" not in result.output
    assert not (here / NO_HOME).exists()


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("nominations", "--db", ""), "--db"),
        (("route", "371002", "--campaign", ""), "campaign"),
        (("--config", "", "config"), "--config"),
        (("demo", "--db", ""), "--db"),
    ],
)
def test_an_empty_path_is_refused_as_empty(here: Path, args: tuple[str, ...], named: str) -> None:
    """An empty --db, --campaign, --config or demo --db is refused as empty, naming the
    option (exit 2), not read as the working folder ("... is a folder", ".: not a regular
    file"); nothing is written there."""
    result = invoke(*args)
    assert 2 == result.exit_code, result.output
    assert f"{named} is empty" in result.output
    assert "为空" in result.output
    assert list(here.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "seen"),
    [
        ("postgresql://clerk:s3cret/pw@db.example.invalid/selection", "clerk:***@db.example.invalid"),
        ("postgresql://clerk@db.example.invalid/selection?password=s3cret", "?password=***"),
    ],
    ids=["slash", "query"],
)
def test_config_hides_a_password_sqlalchemy_reads_however_it_is_written(url: str, seen: str) -> None:
    """A password holding a ``/`` (SQLAlchemy reads up to the ``@``) or given as the query's
    ``password=`` (psycopg reads it) is shown as ``***`` by ``pilotflow config`` too."""
    result = invoke("config", "--db", url, "--format", "json")
    assert 0 == result.exit_code, result.output
    assert "s3cret" not in result.output
    assert seen in result.output


def test_config_shows_a_database_url_without_its_password(here: Path) -> None:
    """``pilotflow config`` shows a PostgreSQL URL's password as ``***``, from the option,
    the environment or the configuration file alike, in a table and in JSON."""
    url = "postgresql://clerk:s3cret-pw@db.example.invalid:5432/selection"
    (here / "pilotflow.toml").write_text(f'db = "{url}"\n', encoding="utf-8")
    for args, env in ((("--db", url), None), ((), {"PILOTFLOW_DB": url}), ((), None)):
        for output in ("table", "json"):
            result = invoke("config", *args, "--format", output, env=env)
            assert 0 == result.exit_code, result.output
            assert "s3cret-pw" not in result.output
            assert "clerk:***@db.example.invalid" in result.output.replace("\n", "")
