"""One error tree: every exception pilotflow raises publicly is defined in ``pilotflow.errors``
and drawn, with its place, in that module's docstring."""

from __future__ import annotations

import ast
import builtins
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import pilotflow
import pilotflow.errors as errors

#: Exception classes of pilotflow that are neither underscored nor in ``pilotflow.errors``,
#: each with why it never reaches a user.
PRIVATE_HELPERS = {
    "pilotflow.files._io.NotRegular": (
        "raised by open_regular/read_head of a private module and caught at every call site "
        "(see test_not_regular_is_caught_wherever_it_can_be_raised), where it becomes a "
        "CampaignFileError or an InvalidInput"
    ),
}

#: The functions that raise ``NotRegular``.
NOT_REGULAR_RAISERS = {"open_regular", "read_head"}

_TREE_LINE = re.compile(r"^(?P<indent>[│├└─ ]*)(?P<name>[A-Z]\w+)(?: \(also an? (?P<also>\w+)\))?(?:\s|$)")


def all_modules() -> list[str]:
    """Every module under ``src/pilotflow``, imported."""
    names = ["pilotflow"]
    names += [m.name for m in pkgutil.walk_packages(pilotflow.__path__, "pilotflow.")]
    for name in names:
        importlib.import_module(name)
    return names


def subclasses(cls: type) -> Iterator[type]:
    """Every subclass of ``cls``, however deep."""
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)


def pilotflow_exceptions() -> set[type]:
    """Every exception class pilotflow defines: found in the modules' namespaces and among
    the subclasses of ``BaseException`` (which also finds classes defined in functions)."""
    found = {
        obj
        for name in all_modules()
        for obj in vars(importlib.import_module(name)).values()
        if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__.startswith("pilotflow")
    }
    found |= {c for c in subclasses(BaseException) if c.__module__.split(".")[0] == "pilotflow"}
    return found


def public_errors() -> dict[str, type]:
    """The public exception classes defined in ``pilotflow.errors``."""
    return {
        name: obj
        for name, obj in vars(errors).items()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and obj.__module__ == "pilotflow.errors"
        and not name.startswith("_")
    }


def drawn_tree() -> list[tuple[str, str | None, str | None]]:
    """The tree in the docstring of ``pilotflow.errors``: (class, parent, "also a ...")."""
    doc = errors.__doc__ or ""
    block = doc.split("::", 1)[1].split("\n\n", 2)[1]
    out: list[tuple[str, str | None, str | None]] = []
    parents: list[str] = []
    for line in block.splitlines():
        match = _TREE_LINE.match(line.strip("\n")[4:])  # the block is indented by four spaces
        assert match is not None, f"not a line of the tree: {line!r}"
        depth = len(match["indent"]) // 4
        parents[depth:] = [match["name"]]
        out.append((match["name"], parents[depth - 1] if depth else None, match["also"]))
    return out


def test_every_public_exception_lives_in_pilotflow_errors() -> None:
    """Every exception class defined anywhere in pilotflow whose name has no leading
    underscore is defined in ``pilotflow.errors``, except the documented private helpers."""
    stray = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in pilotflow_exceptions()
        if not cls.__name__.startswith("_") and cls.__module__ != "pilotflow.errors"
    )
    assert sorted(PRIVATE_HELPERS) == stray


def test_the_private_helpers_still_exist_and_stay_outside_the_tree() -> None:
    """Each documented private helper is a real exception class, not part of the public
    tree (not a PilotflowError, not exported), so the allowance cannot go stale silently."""
    for dotted in PRIVATE_HELPERS:
        module, name = dotted.rsplit(".", 1)
        cls = getattr(importlib.import_module(module), name)
        assert issubclass(cls, Exception)
        assert not issubclass(cls, errors.PilotflowError)
        assert name not in errors.__all__
        assert name not in pilotflow.__all__


def test_not_regular_is_caught_wherever_it_can_be_raised() -> None:
    """``NotRegular`` stays private: every call of a function that raises it, anywhere in
    pilotflow outside those functions themselves, sits in a ``try`` that catches it."""
    root = Path(pilotflow.__file__).parent
    uncaught: list[str] = []
    calls = 0

    def visit(node: ast.AST, caught: bool, where: str) -> None:
        nonlocal calls
        if isinstance(node, ast.FunctionDef) and node.name in NOT_REGULAR_RAISERS:
            return  # the raisers themselves let it through, to their callers
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in NOT_REGULAR_RAISERS:
                calls += 1
                if not caught:
                    uncaught.append(f"{where}:{node.lineno}")
        if isinstance(node, ast.Try):
            handles = any("NotRegular" in ast.unparse(h.type) for h in node.handlers if h.type is not None)
            for child in node.body:
                visit(child, caught or handles, where)
            for child in (*node.handlers, *node.orelse, *node.finalbody):
                visit(child, caught, where)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, caught, where)

    for path in sorted(root.rglob("*.py")):
        visit(ast.parse(path.read_text(encoding="utf-8")), False, str(path.relative_to(root)))
    assert calls >= 3  # read_bytes, the SQLite read-only check, the demo's database check
    assert [] == uncaught


def test_every_public_error_is_exported() -> None:
    """``pilotflow.errors.__all__`` names every public exception class defined there."""
    assert set(public_errors()) <= set(errors.__all__)
    for name in errors.__all__:
        assert getattr(errors, name).__module__ == "pilotflow.errors", name


def test_the_docstring_tree_names_every_error_in_its_place() -> None:
    """The tree drawn in the docstring of ``pilotflow.errors`` names every public exception
    class exactly once, each under its pilotflow base class, with the built-in exception it
    also is (``also a ValueError``) where it says so."""
    tree = drawn_tree()
    names = [name for name, _, _ in tree]
    assert sorted(set(names)) == sorted(names), "a class is drawn twice"
    assert sorted(public_errors()) == sorted(names)
    classes = public_errors()
    for name, parent, also in tree:
        cls = classes[name]
        bases = [b.__name__ for b in cls.__bases__ if b.__module__ == "pilotflow.errors"]
        assert ([parent] if parent else []) == bases, name
        extra = [b.__name__ for b in cls.__bases__ if b.__module__ == "builtins"]
        if also is not None:
            assert issubclass(cls, getattr(builtins, also)), name
            assert [also] == extra, name
        elif parent is not None:
            assert [] == extra, f"{name} is also a {extra}: say so in the tree"


def test_public_non_exception_classes_are_named_in_the_docstring() -> None:
    """Every other public class of ``pilotflow.errors`` (``Reason``, ``FileProblem``) is named in
    its docstring."""
    others = [
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and obj.__module__ == "pilotflow.errors"
        and not name.startswith("_")
        and not issubclass(obj, BaseException)
    ]
    assert ["Reason", "FileProblem"] == others
    for name in others:
        assert name in (errors.__doc__ or ""), name


@pytest.mark.parametrize(
    ("old_module", "names"),
    [
        ("pilotflow.materials", ["MaterialRejected", "MissingDependency"]),
        ("pilotflow.files.materials", ["MaterialRejected", "MissingDependency"]),
        ("pilotflow.workdays", ["CalendarDataMissing"]),
        ("pilotflow.domain.workdays", ["CalendarDataMissing"]),
        ("pilotflow.store", ["ReceiptExists", "SeatUnavailable"]),
        ("pilotflow.store.base", ["ReceiptExists", "SeatUnavailable"]),
        ("pilotflow", ["MaterialRejected"]),
    ],
)
def test_old_import_paths_give_the_same_classes(old_module: str, names: list[str]) -> None:
    """The classes moved into ``pilotflow.errors`` are still importable where they were
    defined before, as the very same classes, and still listed in those modules' ``__all__``."""
    module = importlib.import_module(old_module)
    for name in names:
        assert getattr(module, name) is getattr(errors, name)
        assert name in module.__all__


def test_errors_imports_nothing_from_pilotflow() -> None:
    """``pilotflow/errors.py`` is the bottom layer: it imports nothing from pilotflow."""
    tree = ast.parse(Path(errors.__file__).read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    relative = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level > 0]
    assert [] == relative
    assert [] == [m for m in imported if m and m.split(".")[0] == "pilotflow"]


def test_moved_errors_keep_their_messages_and_attributes() -> None:
    """The moved classes keep their attributes and their messages in both languages, exactly
    as before they moved (a store's own message: the service turns it into QuotaExceeded,
    whose reason names the authority and unit type in Chinese)."""
    seat = pilotflow.store.Seat("371000", 1, (("park", 1),))
    full = errors.SeatUnavailable(seat, 1, 1, "park")
    assert (full.seat, full.used, full.limit, full.key) == (seat, 1, 1, "park")
    assert "no seat left at 371000 for park: 1 of 1 used" == full.en
    assert "371000 的 park 名额已满：已用 1，限额 1" == full.zh
    used = errors.ReceiptExists("k-1")
    assert ("k-1", "idempotency key 'k-1' was already used") == (used.key, used.en)
    assert "幂等键 'k-1' 已被使用" == used.zh
    missing = errors.MissingDependency("lxml", "lxml")
    assert isinstance(missing, ImportError)
    assert (missing.module, missing.package) == ("lxml", "lxml")
    assert "pip install --force-reinstall lxml" in missing.en
    assert "检查该文件需要安装 'lxml' 软件包" in missing.zh
    rejected = errors.MaterialRejected("too_large", "a.pdf", "too large", "文件过大", {"size": 9})
    assert ("a.pdf: too large", "a.pdf：文件过大") == (rejected.en, rejected.zh)
    assert ("too_large", {"size": 9}) == (rejected.reason, dict(rejected.details))
    assert "material_too_large" == rejected.as_reason().code
    calendar = errors.CalendarDataMissing(2100, range(2004, 2027), "1.11.0")
    assert "chinesecalendar 1.11.0 covers 2004–2026" in calendar.en
    assert "缺少 2100 年的法定节假日安排数据" in calendar.zh
