"""The lookups an analyst calls by hand (a campaign's tracks, an authority's departments, a
name in the graph, the machine's table, the log by position, a store's display) refuse what
they cannot take with ``InvalidInput`` (or the error of the lookup), naming the argument in
English and Chinese, never a raw ``TypeError`` or ``ValueError``."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import pilotflow as pf

from conftest import nominate


@pytest.mark.parametrize("track", [{}, [], 5, None])
def test_a_campaigns_track_is_text(campaign: pf.Campaign, track: object) -> None:
    """``has_track`` refuses a track that is not text (a dict failed as unhashable, an int
    was answered True by a campaign without tracks)."""
    with pytest.raises(pf.InvalidInput, match="track must be text") as caught:
        campaign.has_track(track)  # type: ignore[arg-type]
    assert "track" in caught.value.zh


@pytest.mark.parametrize("department", [[], 10**5000, None], ids=["list", "huge", "none"])
def test_an_unknown_department_of_any_kind_is_named_shortly(
    graph: pf.AuthorityGraph, department: object
) -> None:
    """``check_department`` refuses a department that is not one of the authority's, of
    whatever type, with the error naming it in a short form (a list failed as unhashable, an
    int of 5,000 digits could not be written)."""
    with pytest.raises(pf.UnknownDepartment) as caught:
        graph["371002"].check_department(department)  # type: ignore[arg-type]
    assert len(str(caught.value)) < 400
    assert caught.value.zh


def test_an_unknown_department_with_names_that_are_no_mapping(graph: pf.AuthorityGraph) -> None:
    """Names given as something other than a mapping are not read (the department's code is
    shown instead), rather than failing inside the message."""
    with pytest.raises(pf.UnknownDepartment, match="zzz"):
        graph["371002"].check_department("zzz", "abc")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [5, None, b"\xe5\xa8\x81"])
def test_a_name_to_find_is_text(graph: pf.AuthorityGraph, name: object) -> None:
    """``find`` refuses a name that is not text as such (it said "unknown authority '5'")."""
    with pytest.raises(pf.InvalidInput, match="must be text") as caught:
        graph.find(name)  # type: ignore[arg-type]
    assert "文字" in caught.value.zh


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda w: w.transitions({}, "stamp"), "state"),
        (lambda w: w.transitions("in_review", []), "action"),
        (lambda w: w.actions_from([]), "state"),
    ],
)
def test_the_machines_table_is_asked_with_text(
    run: pf.CampaignRun, call: Callable[[object], object], argument: str
) -> None:
    """``Workflow.transitions`` and ``actions_from`` refuse a state or an action that is not
    text, naming which."""
    with pytest.raises(pf.InvalidInput, match=f"^{argument} must be text") as caught:
        call(run.workflow)
    assert argument in caught.value.zh


@pytest.mark.parametrize("index", [10**5000, -(10**5000)], ids=["huge", "huge_negative"])
def test_an_event_out_of_range_by_a_huge_number(run: pf.CampaignRun, index: int) -> None:
    """The log indexed by a number of thousands of digits is out of range, said shortly (the
    number could not be written into the message)."""
    nominate(run, 1)
    with pytest.raises(pf.InvalidInput, match="out of range") as caught:
        run.events()[index]
    assert len(str(caught.value)) < 300
    with pytest.raises(pf.InvalidInput, match="count"):
        run.events().head(-(10**5000))


def test_a_store_on_a_file_whose_name_is_no_utf8_text_shows_itself(tmp_path: Path) -> None:
    """A SQLite file whose name holds a byte that is no UTF-8 (a legal name on Linux) opens,
    and the store and a run on it show themselves (the display failed with a
    UnicodeEncodeError, so a notebook could not show the run)."""
    name = os.fsdecode(b"pf-\xff.db")
    try:
        sqlite3.connect(tmp_path / name).close()
    except (OSError, UnicodeError):
        pytest.skip("the file system takes no such name")
    (tmp_path / name).unlink()
    store = pf.open_store(f"sqlite:///{tmp_path / name}")
    try:
        assert "pf-" in repr(store)
        campaign = pf.load_campaign(pf.bundled_campaigns()[0])
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign))
        assert "pf-" in repr(run)
    finally:
        store.close()


@pytest.mark.parametrize(
    "code",
    [10**5000, ["x" * 1_000_000], "99\x009999", " 370000 ", "", "37\n0000"],
    ids=["huge", "long_list", "nul", "spaces", "empty", "newline"],
)
def test_an_authority_is_built_from_printable_codes_only(code: object) -> None:
    """An authority's code is non-empty printable text with no spaces around it: anything
    else is refused, shown shortly (a number of thousands of
    digits could not be written into the message, a list of a million characters was
    repeated whole, a NUL was taken and written into later messages)."""
    with pytest.raises(pf.InvalidInput, match="authority code must be") as caught:
        pf.Authority(code, "名称", "district", "district", "371000")  # type: ignore[arg-type]
    assert len(str(caught.value)) < 400
    assert "机关的代码" in caught.value.zh


def test_a_views_public_methods_are_its_tables(run: pf.CampaignRun) -> None:
    """What ``run.nominations()``, ``run.events()`` and ``run.quota_table()`` offer besides a
    list's own methods is their tables (``rows``, ``to_frame``, ``columns``...): the helpers
    their displays use (one item's line or row, an authority's name) are private, so nothing
    public takes an argument it does not check (``nominations().brief(5)`` failed with a raw
    ``AttributeError``)."""
    nominate(run, 1)
    list_methods = set(dir(list))
    from pilotflow.app.views import SelectionList

    selected = SelectionList(campaign=run.campaign, graph=run.graph)  # (what a selection returns)
    for view in (run.nominations(), run.events(), run.quota_table(), selected):
        public = {m for m in dir(view) if not m.startswith("_")} - list_methods
        assert public <= {"REPR_ITEMS", "campaign", "columns", "graph", "head", "item", "iter_rows", "noun",
                          "rows", "title", "to_frame"}, type(view).__name__  # fmt: skip
        assert len(view.rows()) == len(view)


@pytest.mark.parametrize("state", [5, "in-review", "审核推荐中"])
def test_an_unknown_state_is_refused_with_the_states_in_both_languages(
    run: pf.CampaignRun, state: object
) -> None:
    """``run.nominations(state=...)`` refuses a state it does not know, listing the states in
    English and, by their Chinese names with their codes, in Chinese (the Chinese said only
    "unknown state")."""
    with pytest.raises(pf.InvalidInput, match="states are new, awaiting_application") as caught:
        run.nominations(state=state)  # type: ignore[arg-type]
    assert "审核推荐中（in_review）" in caught.value.zh


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda w: w.transitions(5, "stamp"), "state"),
        (lambda w: w.transitions(None, None), "state"),
        (lambda w: w.transitions("in_review", b"stamp"), "action"),
        (lambda w: w.actions_from(5), "state"),
        (lambda w: w.actions_from(None), "state"),
    ],
)
def test_the_machines_table_refuses_hashable_values_that_are_no_text(
    run: pf.CampaignRun, call: Callable[[object], object], argument: str
) -> None:
    """A state or action that is hashable but not text (an int, None, bytes) is refused too,
    not answered "no transitions"."""
    with pytest.raises(pf.InvalidInput, match=f"^{argument} must be text"):
        call(run.workflow)


@pytest.mark.parametrize("field", ["level", "kind", "parent", "admin_parent"])
def test_every_code_of_an_authority_is_printable(field: str) -> None:
    """An authority's level, kind and parents follow its code's rule (non-empty printable
    text without spaces around it), named in Chinese by what they are."""
    values = {"code": "370000", "name": "名称", "level": "district", "kind": "district", "parent": "371000"}
    values[field] = "x\n"
    with pytest.raises(pf.InvalidInput, match=f"authority {field} must be") as caught:
        pf.Authority(**values)  # type: ignore[arg-type]
    assert field not in caught.value.zh


@pytest.mark.parametrize("name", ["", "  ", None])
def test_an_authority_has_a_name(name: object) -> None:
    """An authority's name may be any text, line breaks included (shown escaped), but not
    blank."""
    with pytest.raises(pf.InvalidInput, match="authority name must be non-empty text") as caught:
        pf.Authority("370000", name, "district", "district", "371000")  # type: ignore[arg-type]
    assert "名称" in caught.value.zh
    assert "\n" in pf.Authority("370000", "甲\n乙", "district", "district", "371000").name


def test_an_unknown_department_shows_the_authoritys_name_escaped(graph: pf.AuthorityGraph) -> None:
    """The refusal of a department shows the authority's name with a line break escaped, so
    that it stays one line."""
    a = pf.Authority("999999", "甲\n乙", "district", "district", "371000", departments=("industry",))
    with pytest.raises(pf.UnknownDepartment) as caught:
        a.check_department("health")
    assert "\n" not in caught.value.zh
    assert "甲\\n乙" in caught.value.zh


def test_a_schema_name_may_hold_any_printable_character(tmp_path: Path) -> None:
    """A PostgreSQL schema name with a full-width space or a no-break space is a name
    pilotflow takes (only control characters, a double quote and over-long names are
    refused)."""
    from pilotflow.store.sql import make_metadata

    for schema in ("遴选\u3000二〇二三", "pf\xa0x"):
        assert f"{schema}.pf_nominations" in make_metadata(schema=schema).tables
    with pytest.raises(pf.InvalidInput, match="control character"):
        make_metadata(schema="pf_\n")
