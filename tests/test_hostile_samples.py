"""Hostile arguments to :mod:`pilotflow.samples`: every function checks what it is given.

A wrong type, a value out of range (negative, huge, NaN, infinite), text holding control
characters or lone surrogates, or a campaign argument that is no campaign raises
:class:`~pilotflow.errors.InvalidInput` naming the argument, at once (no page, sample or
stream is made first), and a refused :func:`sample_materials` leaves its folder as it was.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import olefile
import openpyxl
import pytest

import pilotflow as pf
from pilotflow.files.samples import MAX_CELLS, MAX_PAGES, MAX_SECONDS, MAX_TEXT
from pilotflow.samples import (
    doc_bytes,
    docx_bytes,
    every_material,
    material_for,
    mp4_bytes,
    pdf_bytes,
    required_copies,
    sample_materials,
    xlsx_bytes,
)

from conftest import bundled

CAMPAIGN = bundled()

# (call, the argument its refusal must name)
REFUSED: dict[str, tuple[Callable[[], Any], str]] = {
    "pdf pages text": (lambda: pdf_bytes("x"), "pages"),  # type: ignore[arg-type]
    "pdf pages float": (lambda: pdf_bytes(2.0), "pages"),  # type: ignore[arg-type]
    "pdf pages bool": (lambda: pdf_bytes(True), "pages"),
    "pdf pages negative": (lambda: pdf_bytes(-1), "pages"),
    "pdf pages too many": (lambda: pdf_bytes(MAX_PAGES + 1), "pages"),
    "pdf pages huge": (lambda: pdf_bytes(10**5000), "pages"),
    "pdf password number": (lambda: pdf_bytes(user_password=5), "user_password"),  # type: ignore[arg-type]
    "pdf password surrogate": (lambda: pdf_bytes(user_password="\ud800"), "user_password"),
    "pdf password long": (lambda: pdf_bytes(user_password="x" * 10**6), "user_password"),
    "pdf owner password NUL": (lambda: pdf_bytes(user_password="", owner_password="a\0"), "owner_password"),
    "pdf owner password alone": (lambda: pdf_bytes(owner_password="owner"), "owner_password"),
    "docx number": (lambda: docx_bytes(5), "text"),  # type: ignore[arg-type]
    "docx NUL": (lambda: docx_bytes("a\0b"), "text"),
    "docx surrogate": (lambda: docx_bytes("\udfff"), "text"),
    "docx too long": (lambda: docx_bytes("字" * (MAX_TEXT + 1)), "text"),
    "xlsx number": (lambda: xlsx_bytes(5), "rows"),  # type: ignore[arg-type]
    "xlsx row text": (lambda: xlsx_bytes(("ab",)), "rows[0]"),  # type: ignore[arg-type]
    "xlsx cell object": (lambda: xlsx_bytes(((1, object()),)), "rows[0][1]"),
    "xlsx cell aware datetime": (lambda: xlsx_bytes(((datetime.now(UTC),),)), "rows[0][0]"),
    "xlsx cell NaN": (lambda: xlsx_bytes((("a",), (float("nan"),))), "rows[1][0]"),
    "xlsx cell infinite": (lambda: xlsx_bytes(((float("-inf"),),)), "rows[0][0]"),
    "xlsx cell huge": (lambda: xlsx_bytes(((10**400,),)), "rows[0][0]"),
    "xlsx cell control": (lambda: xlsx_bytes((("a\x01",),)), "rows[0][0]"),
    "xlsx too many cells": (lambda: xlsx_bytes([[None] * 1000] * (MAX_CELLS // 1000 + 1)), "rows"),
    "xlsx too many columns": (lambda: xlsx_bytes(((1,) * 20_000,)), "rows[0]"),
    "mp4 seconds text": (lambda: mp4_bytes("1"), "seconds"),  # type: ignore[arg-type]
    "mp4 seconds negative": (lambda: mp4_bytes(-1), "seconds"),
    "mp4 seconds huge": (lambda: mp4_bytes(1e12), "seconds"),
    "mp4 seconds NaN": (lambda: mp4_bytes(float("nan")), "seconds"),
    "mp4 samples huge": (lambda: mp4_bytes(1, samples=10**9), "samples"),
    "mp4 samples negative": (lambda: mp4_bytes(1, samples=-1), "samples"),
    "mp4 timescale zero": (lambda: mp4_bytes(1, timescale=0), "timescale"),
    "mp4 timescale float": (lambda: mp4_bytes(1, timescale=1.5), "timescale"),  # type: ignore[arg-type]
    "mp4 handler text": (lambda: mp4_bytes(1, handler="vide"), "handler"),  # type: ignore[arg-type]
    "mp4 brand long": (lambda: mp4_bytes(1, brand=b"isomx"), "brand"),
    "mp4 mdat text": (lambda: mp4_bytes(1, mdat="x"), "mdat"),  # type: ignore[arg-type]
    "mp4 header NaN": (lambda: mp4_bytes(1, header_seconds=float("nan")), "header_seconds"),
    "mp4 sound too long": (lambda: mp4_bytes(1, sound_seconds=MAX_SECONDS + 1), "sound_seconds"),
    "doc stream text": (lambda: doc_bytes({"a": 5}), "streams"),  # type: ignore[dict-item]
    "doc list": (lambda: doc_bytes([("a", b"")]), "streams"),  # type: ignore[arg-type]
    "doc name number": (lambda: doc_bytes({5: b""}), "stream name"),  # type: ignore[dict-item]
    "doc name long": (lambda: doc_bytes({"x" * 32: b""}), "stream name"),
    "doc name astral": (lambda: doc_bytes({"𠀀" * 16: b""}), "stream name"),
    "doc name slash": (lambda: doc_bytes({"a/b": b""}), "stream name"),
    "doc name surrogate": (lambda: doc_bytes({"\ud800": b""}), "stream name"),
    "doc names alike": (lambda: doc_bytes({"Data": b"", "DATA": b""}), "stream name"),
    "doc too many": (lambda: doc_bytes({f"s{i}": b"" for i in range(1001)}), "streams"),
    "required_copies campaign": (lambda: required_copies(5), "campaign"),  # type: ignore[arg-type]
    "required_copies per": (lambda: required_copies(CAMPAIGN, per="x"), "per"),
    "required_copies per list": (lambda: required_copies(CAMPAIGN, per=[]), "per"),  # type: ignore[arg-type]
    "required_copies re_review": (lambda: required_copies(CAMPAIGN, re_review="yes"), "re_review"),  # type: ignore[arg-type]
    "every_material campaign": (lambda: every_material(None), "campaign"),  # type: ignore[arg-type]
    "every_material per": (lambda: every_material(CAMPAIGN, per="x"), "per"),
    "material_for campaign": (lambda: material_for(None, "x"), "campaign"),  # type: ignore[arg-type]
    "material_for file copies": (lambda: material_for(CAMPAIGN, "application_form_pdf", 0), "copies"),
    "material_for file copies text": (lambda: material_for(CAMPAIGN, "application_form_pdf", "1"), "copies"),  # type: ignore[arg-type]
    "sample_materials campaign": (lambda: sample_materials(None, ".", []), "campaign"),  # type: ignore[arg-type]
    "sample_materials kinds": (lambda: sample_materials(CAMPAIGN, ".", None), "kinds"),  # type: ignore[arg-type]
    "sample_materials folder": (lambda: sample_materials(CAMPAIGN, None, []), "folder"),  # type: ignore[arg-type]
}  # fmt: skip


@pytest.mark.parametrize("case", REFUSED)
def test_a_hostile_argument_is_refused_naming_it(case: str) -> None:
    """Each hostile call raises InvalidInput whose English names the argument; its Chinese
    says something too (never empty), and neither repeats a huge value whole."""
    call, argument = REFUSED[case]
    with pytest.raises(pf.InvalidInput) as info:
        call()
    assert argument in info.value.en
    assert info.value.zh
    assert len(info.value.en) < 500
    assert len(info.value.zh) < 500


def test_the_bounds_are_inclusive_and_what_they_make_is_real() -> None:
    """Each documented bound is accepted and one step past it refused, and what the bound
    makes is real: an empty .docx, a sheet of every kind of cell (read back by openpyxl), an
    MP4 of the longest length at the finest timescale, a compound file whose stream name has
    31 characters (read back by olefile)."""
    assert b"%PDF" == pdf_bytes(0)[:4]
    assert docx_bytes("")[:2] == b"PK"
    rows = (("单位", "", None), (True, -(10**15) + 1, 2.5))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows))).active
    assert sheet is not None
    assert [["单位", None, None], [True, -(10**15) + 1, 2.5]] == [
        list(r) for r in sheet.iter_rows(values_only=True)
    ]
    with pytest.raises(pf.InvalidInput, match="rows"):
        xlsx_bytes(((-(10**15),),))
    assert mp4_bytes(MAX_SECONDS, timescale=100_000)[4:8] == b"ftyp"
    with pytest.raises(pf.InvalidInput, match="timescale"):
        mp4_bytes(MAX_SECONDS, timescale=100_001)
    name = "W" * 31
    with olefile.OleFileIO(doc_bytes({name: b"data"})) as ole:
        assert [[name]] == ole.listdir()
    with pytest.raises(pf.InvalidInput, match="stream name"):
        doc_bytes({name + "W": b"data"})


def test_a_paper_kind_is_refused_naming_it_in_chinese(tmp_path: Path) -> None:
    """sample_materials refuses a paper kind by its Chinese name (code in parentheses)."""
    with pytest.raises(pf.InvalidInput) as info:
        sample_materials(CAMPAIGN, tmp_path, ["application_form_paper"])
    name = CAMPAIGN.materials["application_form_paper"].name.zh
    assert f"「{name}」（application_form_paper）是纸质材料" in info.value.zh
    assert [] == list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "kinds",
    [
        ["application_form_pdf", "no_such_kind"],
        ["application_form_pdf", "application_form_paper"],
        ["application_form_pdf", "application_form_pdf"],
        ["application_form_pdf", "\ud800"],
    ],
)
def test_a_refused_sample_materials_writes_nothing(tmp_path: Path, kinds: list[str]) -> None:
    """Every kind is checked before any file is written: a bad kind after a good one (unknown,
    paper, twice, not text) leaves the folder empty."""
    with pytest.raises(pf.InvalidInput):
        sample_materials(CAMPAIGN, tmp_path, kinds)
    assert [] == list(tmp_path.iterdir())


def test_a_folder_that_is_no_folder_is_refused(tmp_path: Path) -> None:
    """A folder that does not exist, or a file, is refused naming ``folder``; nothing is made."""
    for folder in (tmp_path / "missing", tmp_path / "file.txt"):
        if folder.name == "file.txt":
            folder.write_text("x")
        with pytest.raises(pf.InvalidInput, match="folder"):
            sample_materials(CAMPAIGN, folder, ["application_form_pdf"])
    assert ["file.txt"] == [p.name for p in tmp_path.iterdir()]


def test_a_write_refused_midway_leaves_no_file_behind(tmp_path: Path) -> None:
    """When the operating system refuses the second file (a folder stands where it goes), the
    call raises InvalidInput naming ``folder`` and the first file, already in place, is
    removed: the folder holds only what it held before."""
    (tmp_path / "re_review_video.mp4").mkdir()
    with pytest.raises(pf.InvalidInput, match="folder"):
        sample_materials(CAMPAIGN, tmp_path, ["application_form_pdf", "re_review_video"])
    assert ["re_review_video.mp4"] == sorted(p.name for p in tmp_path.iterdir())


def test_xlsx_rows_are_written_as_checked() -> None:
    """Rows given by a generator are read once: the workbook holds them (the check had used
    them up, leaving it empty), and rows given as iterators are written as rows (openpyxl
    raised a raw TypeError on them)."""
    import openpyxl

    for rows in (
        (row for row in (("单位", "得分"), ("示范单位", 90))),
        [iter(("单位", "得分")), iter(("示范单位", 90))],
    ):
        book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(rows)))  # type: ignore[arg-type]
        sheet = book.active
        assert sheet is not None
        assert [tuple(c.value for c in r) for r in sheet.iter_rows()] == [("单位", "得分"), ("示范单位", 90)]
