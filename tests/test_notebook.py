"""The analyst's notebook (docs/analyst.ipynb) runs from top to bottom and shows rich
pictures: it is executed here with nbclient, as a reader's Jupyter would run it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "analyst.ipynb"

nbformat = pytest.importorskip("nbformat", reason="the notebook test needs pilotflow[test]")
nbclient = pytest.importorskip("nbclient", reason="the notebook test needs pilotflow[test]")
pytest.importorskip("ipykernel", reason="the notebook test needs pilotflow[test]")


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The notebook, executed afresh in a temporary folder (the committed outputs are not
    trusted: every output checked here was made by this run)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}},
    )  # fmt: skip
    client.execute()
    return nb


def outputs(nb: Any) -> list[dict[str, Any]]:
    return [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_notebook_runs_without_errors(executed: Any) -> None:
    """Every cell runs; no cell's output is an error."""
    assert [] == [o for o in outputs(executed) if o.get("output_type") == "error"]


def test_notebook_shows_html_tables_and_svg_diagrams(executed: Any) -> None:
    """Records and lists show as HTML tables, diagrams as inline SVG (offline: no script and
    no address fetched at view time)."""
    data = [o["data"] for o in outputs(executed) if "data" in o]
    html = [d["text/html"] for d in data if "text/html" in d]
    svg = [d["image/svg+xml"] for d in data if "image/svg+xml" in d]
    assert len(html) >= 10
    assert len(svg) >= 4
    assert any("审核推荐中" in h and "<table" in h for h in html)
    assert any("石家庄市" in s for s in svg)  # the province, by city
    assert all("<script" not in s and "http://" not in s.replace("http://www.w3.org/", "") for s in svg)


def test_committed_notebook_has_its_outputs() -> None:
    """The committed notebook carries its outputs (readable on a code host without running it)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.get("execution_count") for c in code)
    assert any("image/svg+xml" in o.get("data", {}) for c in code for o in c.outputs)
