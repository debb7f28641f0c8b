"""The import layers of the package (the contracts in pyproject.toml's [tool.importlinter]):
cli → reports → (testing) → app → store → files → domain → errors, each importing only the
layers below it, and a domain free of database, command-line and YAML libraries."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "pilotflow"
CONFIG = ROOT / "pyproject.toml"


def lint_imports(package_parent: Path) -> subprocess.CompletedProcess[str]:
    """Run ``lint-imports`` (no cache written) on the ``pilotflow`` package found in
    ``package_parent``, with the contracts of the repository's pyproject.toml."""
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    command = [str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo", str(CONFIG)]
    return subprocess.run(command, cwd=package_parent, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the package's source (without its data files) to break on purpose."""
    shutil.copytree(PACKAGE, tmp_path / "pilotflow", ignore=shutil.ignore_patterns("__pycache__", "data"))
    return tmp_path


def add_line(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def test_the_layers_hold() -> None:
    """Every module imports only its own layer and the layers below it, the domain no
    database driver, click, rich or YAML (but for the ignores pyproject.toml lists), and a
    material file's checks the file opening and shared names only."""
    result = lint_imports(ROOT / "src")
    assert 0 == result.returncode, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


def test_an_upward_import_breaks_the_layers(copy: Path) -> None:
    """A domain module importing the service (directly, or through a top-level re-export
    module such as pilotflow.service) fails the layers contract."""
    add_line(copy / "pilotflow" / "domain" / "names.py", "from ..service import CampaignRun as _upward")
    add_line(copy / "pilotflow" / "files" / "_io.py", "from ..store import MemoryStore as _upward")
    result = lint_imports(copy)
    assert 1 == result.returncode, result.stdout + result.stderr
    assert "pilotflow.domain is not allowed to import pilotflow.app" in result.stdout
    assert "pilotflow.files is not allowed to import pilotflow.store" in result.stdout


def test_a_library_of_an_outer_layer_in_the_domain_breaks_its_contract(copy: Path) -> None:
    """A domain module importing click (or yaml, outside the one reader pyproject.toml
    allows) fails the domain's forbidden-libraries contract."""
    add_line(copy / "pilotflow" / "domain" / "routes.py", "import click as _click")
    add_line(copy / "pilotflow" / "domain" / "codes.py", "import yaml as _yaml")
    result = lint_imports(copy)
    assert 1 == result.returncode, result.stdout + result.stderr
    assert "pilotflow.domain is not allowed to import click" in result.stdout
    assert "pilotflow.domain is not allowed to import yaml" in result.stdout


def test_a_shared_part_of_the_material_checks_importing_a_check_breaks_their_layers(copy: Path) -> None:
    """The material checks' shared names importing the PDF check, or the PDF check the MP4
    check beside it, fails the materials contract."""
    materials = copy / "pilotflow" / "files" / "materials"
    add_line(materials / "_shared.py", "from ._pdf import _check_pdf as _upward")
    add_line(materials / "_pdf.py", "from ._mp4 import _check_mp4 as _sideways")
    result = lint_imports(copy)
    assert 1 == result.returncode, result.stdout + result.stderr
    said = " ".join(result.stdout.split())  # (the report wraps long module names)
    assert "pilotflow.files.materials._shared is not allowed to import pilotflow.files.materials._pdf" in said
    assert "pilotflow.files.materials._pdf is not allowed to import pilotflow.files.materials._mp4" in said
