"""The public face: what ``import pilotflow`` offers is pinned, typed and documented."""

from __future__ import annotations

import importlib.resources
import inspect

import pytest

import pilotflow as pf

EXPECTED_ALL = {
    "ActionRefused", "Actor", "Authority", "AuthorityGraph", "Campaign", "CampaignFileError",
    "CampaignRun", "Clock", "ConflictError", "DuplicateNomination", "Event", "FixedClock",
    "GraphError", "InvalidInput", "InvalidUnitCode", "ListLoad", "Listing", "Material", "MaterialRejected",
    "MemoryStore", "MomentRefused", "Moved", "Submission", "SubmissionNotFound", "Winner",
    "inspect_material", "paper_material",
    "NaiveDatetime", "Nomination", "NominationNotFound", "PilotflowError", "Position",
    "QuotaExceeded", "QuotaLine", "Reason", "SelectionResult", "Snapshot", "Store",
    "StoreError", "SystemClock", "UnitList", "UnknownAuthority", "UnknownDepartment",
    "bundled_campaigns", "empty_lists", "load_campaign", "load_list", "open_store",
    "parse_campaign", "retry_on_conflict", "validate_unit_code",
}  # fmt: skip


def test_all_is_pinned() -> None:
    """``pilotflow.__all__`` is exactly the documented public API (a change here is a
    deliberate API change, recorded in the CHANGELOG)."""
    assert EXPECTED_ALL == set(pf.__all__)
    for name in pf.__all__:
        assert hasattr(pf, name), name


def test_package_is_typed() -> None:
    """The package ships ``py.typed`` so type checkers use its annotations."""
    assert importlib.resources.files("pilotflow").joinpath("py.typed").is_file()


def test_public_names_are_documented() -> None:
    """Every public class and function has a docstring."""
    missing = [n for n in pf.__all__ if not inspect.getdoc(getattr(pf, n))]
    assert [] == missing


def test_errors_form_one_tree() -> None:
    """Every pilotflow exception derives from PilotflowError; input errors are ValueErrors."""
    errors = [getattr(pf, n) for n in pf.__all__ if isinstance(getattr(pf, n), type)]
    for cls in errors:
        if issubclass(cls, Exception):
            assert issubclass(cls, pf.PilotflowError), cls
    assert issubclass(pf.InvalidInput, ValueError)
    assert issubclass(pf.NaiveDatetime, pf.InvalidInput)
    assert issubclass(pf.QuotaExceeded, pf.ActionRefused)


def test_public_actions_are_plain_methods() -> None:
    """Actions are plain, keyword-friendly methods of CampaignRun taking an actor first."""
    for name in ("nominate", "attach", "stamp", "recommend", "decline", "return_for_revision",
                 "withdraw", "select"):  # fmt: skip
        params = list(inspect.signature(getattr(pf.CampaignRun, name)).parameters)
        assert ["self", "actor"] == params[:2], name
        assert "at" in params, name


def test_over_long_actor_ids_are_refused() -> None:
    """Actor ids longer than every store keeps (authority and department 50, person 200
    characters; an objector's name is a person) are refused as bad input, so that the
    memory, SQLite and PostgreSQL stores cannot disagree about them."""
    with pytest.raises(pf.InvalidInput, match="at most 200"):
        pf.Actor("371002", "industry", "x" * 201)
    with pytest.raises(pf.InvalidInput, match="at most 50"):
        pf.Actor("3" * 51, "industry", "x")
    assert "x" * 200 == pf.Actor("371002", "industry", "x" * 200).person


def test_package_init_only_re_exports() -> None:
    """``pilotflow/__init__.py`` is a façade: a docstring, imports from pilotflow's own modules
    and ``__all__``; no definitions of its own (they live in the module of their concept)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(pf.__file__).read_text(encoding="utf-8"))
    kinds = set()
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            kinds.add("docstring")
        elif isinstance(node, ast.ImportFrom):
            assert node.module == "__future__" or node.level == 1, ast.dump(node)
            kinds.add("import")
        elif isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == [
            "__all__"
        ]:
            kinds.add("__all__")
        else:
            raise AssertionError(f"line {node.lineno}: {type(node).__name__} in pilotflow/__init__.py")
    assert {"docstring", "import", "__all__"} == kinds


def test_every_public_name_comes_from_its_home() -> None:
    """Each public name is the very object its home module defines (a re-export, not a copy
    or a wrapper), and that home is a pilotflow module other than the package itself."""
    import importlib

    for name in pf.__all__:
        obj = getattr(pf, name)
        home = getattr(obj, "__module__", "")
        assert home.startswith("pilotflow."), (name, home)
        assert getattr(importlib.import_module(home), name) is obj, (name, home)


def test_documented_submodules_are_attributes() -> None:
    """``import pilotflow`` is enough to reach the documented submodules by attribute, as
    before the modules moved (``pilotflow.calendar.by_date``, ``pilotflow.codes.make_code``)."""
    for name in ("authorities", "calendar", "campaign", "campaign_file", "codes", "inputs", "materials",
                 "names", "service"):  # fmt: skip
        module = getattr(pf, name)
        assert f"pilotflow.{name}" == module.__name__
        assert module.__all__, name
        for public in module.__all__:
            assert getattr(module, public) is not None, (name, public)
