"""Every script in ``examples/`` runs as a user would run it and exits 0."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))
# What each example exists to show, as it appears in its output.
SHOWS = {
    "quickstart": "now received at MIN",
    "selection": "quota used after the what-ifs: 0 of 3",
    "sqlite_backend": "no update lost",
    "web_flask": "the retry answered with the same body: True",
}


def test_the_examples_are_there() -> None:
    """The three documented examples exist (a renamed one must be renamed here too)."""
    assert {"quickstart.py", "selection.py", "sqlite_backend.py"} <= {p.name for p in EXAMPLES}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    """``python examples/<script>`` exits 0 from any working folder and prints what it is
    there to show."""
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert 0 == done.returncode, done.stderr
    assert SHOWS.get(script.stem, "") in done.stdout
    assert "Traceback" not in done.stderr
