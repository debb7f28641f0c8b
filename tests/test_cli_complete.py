"""Shell completion (click's ``_PILOTFLOW_COMPLETE``): authority codes and Chinese names, and
the nomination ids of the database the command line (or PILOTFLOW_DB) names; and help texts
in English and Chinese."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete
from click.testing import CliRunner

from pilotflow.cli.commands import cli
from pilotflow.cli.demo import DemoResult
from pilotflow.cli.lookup import ref

from terminal import installed_pilotflow


def completions(args: list[str], incomplete: str, env: dict[str, str] | None = None) -> list[str]:
    """What click offers for ``incomplete`` after ``args`` (its completion API)."""
    saved = {k: os.environ.get(k) for k in (env or {})}
    os.environ.update(env or {})
    try:
        shell = ShellComplete(cli, {}, "pilotflow", "_PILOTFLOW_COMPLETE")
        return [item.value for item in shell.get_completions(args, incomplete)]
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_authority_names_and_codes_complete() -> None:
    """``quota 威海`` completes to Weihai's authorities by name; ``route 3710`` by code."""
    names = completions(["quota"], "威海")
    assert "威海市" in names
    assert "威海南海新区" in names
    assert "371002" in completions(["route"], "3710")
    assert "济南市市中区" in completions(["route"], "济南市市")


def test_actor_authority_option_completes() -> None:
    """``decline ID --authority 环翠`` completes the authority option of an action command."""
    assert "环翠区" in completions(["decline", "x", "--authority"], "环翠")


def test_departments_complete_for_the_authority_given() -> None:
    """``--department`` completes the departments of the ``--authority`` given before it,
    and ``applicant``."""
    offered = completions(["decline", "x", "--authority", "威海南海新区", "--department"], "")
    assert {"industry", "civil_affairs", "health", "applicant"} <= set(offered)
    assert completions(["decline", "x", "--department"], "app") == ["applicant"]


def test_unit_types_materials_and_states_complete() -> None:
    """``select`` completes the campaign's unit types, ``attach ID`` its material kinds, and
    ``--state`` the states."""
    assert "enterprise" in completions(["select"], "ent")
    assert "application_form_pdf" in completions(["attach", "x"], "application_form")
    assert completions(["nominations", "--state"], "in_") == ["in_review"]


def test_nomination_ids_complete_from_the_database(db: str, demo: DemoResult) -> None:
    """``history --db DB 18`` offers the database's ids; a reference's first characters
    offer the reference; with PILOTFLOW_DB the option is not needed."""
    nid = demo.examples["at the ministry"]
    offered = completions(["history", "--db", db], nid[:4])
    assert nid in offered
    assert len(offered) > 1
    assert ref(nid) in completions(["history", "--db", db], ref(nid)[:5])
    assert nid in completions(["history"], nid[:10], env={"PILOTFLOW_DB": db})


def test_completion_without_a_database_offers_nothing(tmp_path: Path) -> None:
    """No database (or an unreadable one): no completions and no error."""
    assert completions(["history", "--db", str(tmp_path / "none.db")], "") == []


def test_completion_in_a_real_shell_protocol(db: str, demo: DemoResult, tmp_path: Path) -> None:
    """The installed command answers ``_PILOTFLOW_COMPLETE=bash_complete`` (what the script
    ``eval "$(_PILOTFLOW_COMPLETE=bash_source pilotflow)"`` installs calls) with the ids."""
    nid = demo.examples["at the ministry"]
    env = {
        **os.environ,
        "_PILOTFLOW_COMPLETE": "bash_complete",
        "COMP_WORDS": f"pilotflow history --db {db} {nid[:12]}",
        "COMP_CWORD": "4",
        "PILOTFLOW_DB": "",
    }
    out = subprocess.run(
        [installed_pilotflow()], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert f"plain,{nid}" in out.stdout.splitlines()
    source = subprocess.run(
        [installed_pilotflow()], env={**os.environ, "_PILOTFLOW_COMPLETE": "bash_source"},
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert "_pilotflow_completion" in source.stdout


@pytest.mark.parametrize(
    "command",
    ["nominations", "quota", "explain", "history", "route", "config", "lists", "decline", "return",
     "withdraw", "attach", "select", "tick", "register-winners", "demo", "campaign",
     "campaign list", "campaign show", "campaign check", "campaign schema"],
)  # fmt: skip
def test_every_command_helps_in_english_and_chinese(command: str) -> None:
    """``pilotflow COMMAND -h`` has an English and a Chinese description, every option's help
    has both, and the command list shows both languages for it."""
    args = command.split()
    result = CliRunner().invoke(cli, [*args, "-h"])
    assert 0 == result.exit_code, result.output
    description, _, options = result.output.partition("Options:")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in description)
    assert any(ch.isascii() and ch.isalpha() for ch in description)
    for option in re.split(r"\n  (?=-)", options)[1:]:
        if not option.startswith(("-h, --help", "--version")):
            assert any("\u4e00" <= ch <= "\u9fff" for ch in option), option
    parent = CliRunner().invoke(cli, [*args[:-1], "--help"]).output
    line = next(x for x in parent.splitlines() if x.strip().startswith(args[-1] + " "))
    assert "·" in line, line
