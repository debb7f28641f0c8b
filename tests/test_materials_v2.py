"""Materials checked at load and for every common format (issue 11, point 9).

Pins: a campaign file's material ``formats`` must be formats pilotflow checks (a misspelling
is refused with its key path and a suggestion), a paper material takes no ``formats``; Excel
workbooks (.xlsx) are attached after a bounded check (hostile workbooks refused); a video's
length bounds belong to its material (``materials.<kind>.video``), the old
``re_review.video_seconds`` still applying to video materials that set none.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

import pilotflow as pf
from pilotflow.campaign import MaterialType, Text
from pilotflow.materials import inspect_campaign_material, is_inspected
from pilotflow.samples import mp4_bytes, sample_materials

BUNDLED_YAML = (
    Path(__file__).parent.parent
    / "src"
    / "pilotflow"
    / "data"
    / "campaigns"
    / "smart-health-elderly-care-2023.yaml"
)
TABLE = MaterialType("score_table", Text("score table", "评分表"), formats=("xlsx",))
PDF_ONLY = MaterialType("pdf_copy", Text("PDF copy", "PDF 电子版"), formats=("pdf",))
VIDEO_BLOCK = """    formats: [mp4]
    video:                          # 时长5分钟左右，MP4格式, 鲁工信电子〔2023〕203号
      seconds: 300
      tolerance_seconds: 60         # 300 ± 60 s is pilotflow's reading of 左右 (4 to 6 minutes)
"""


def edited(old: str, new: str, count: int = 1) -> str:
    """The bundled 2023 campaign file with ``old`` replaced by ``new`` (which must occur)."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, count)


def refusal(text: str) -> pf.CampaignFileError:
    with pytest.raises(pf.CampaignFileError) as caught:
        pf.parse_campaign(text, source="test")
    return caught.value


def workbook(path: Path, rows: int = 2, sheets: int = 1) -> Path:
    """A real workbook written by openpyxl."""
    book = openpyxl.Workbook()
    for index in range(sheets):
        sheet = book.active if index == 0 else book.create_sheet(f"S{index}")
        assert sheet is not None
        for row in range(rows):
            sheet.append([f"单位{row}", row, row * 0.5])
    book.save(path)
    return path


def repacked(source: Path, target: Path, change: Callable[[str, bytes], bytes], extra: int = 0) -> Path:
    """``source`` repacked into ``target`` with each part's bytes passed through ``change``
    and ``extra`` empty parts added."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info)))
        for index in range(extra):
            new.writestr(f"xl/extra/{index}.bin", b"")
    target.write_bytes(out.getvalue())
    return target


# --------------------------------------------------------------------------- at load


def test_a_misspelt_format_is_refused_at_load_with_a_suggestion() -> None:
    """``formats: [pfd]`` is refused when the campaign loads, at its key path, suggesting pdf."""
    error = refusal(
        edited(
            "    formats: [pdf]\n    refuse_active_content: true",
            "    formats: [pfd]\n    refuse_active_content: true",
        )
    )
    assert "materials.application_form_pdf.formats[0]" == error.path
    assert "did you mean 'pdf'" in error.en
    assert "pfd" in error.en
    assert "未知的文件格式" in error.zh


def test_formats_of_any_case_keep_loading_and_xlsx_is_a_checked_format() -> None:
    """Formats are compared without regard to case (files written ``PDF`` keep loading), and
    ``xlsx`` is a format pilotflow checks."""
    campaign = pf.parse_campaign(edited("formats: [doc, docx]", "formats: [DOC, docx, xlsx]"))
    assert ("DOC", "docx", "xlsx") == campaign.materials["application_form_word"].formats
    assert "xlsx" in pf.materials.CHECKED_FORMATS


def test_paper_with_formats_is_refused_at_load() -> None:
    """A paper material has no file format: ``paper: true`` with ``formats`` is refused, in
    English and Chinese."""
    text = edited(
        "    zh: 申报书（纸质版）\n    paper: true\n",
        "    zh: 申报书（纸质版）\n    paper: true\n    formats: [pdf]\n",
    )
    error = refusal(text)
    assert "materials.application_form_paper.formats" == error.path
    assert "paper" in error.en
    assert "纸质材料" in error.zh


def test_video_bounds_on_a_material_that_is_not_a_video_are_refused() -> None:
    """``video`` under a material whose formats name no video format is refused at its key path."""
    text = edited(
        "    formats: [pdf]\n    refuse_active_content: true",
        "    formats: [pdf]\n    refuse_active_content: true\n    video: {seconds: 300}",
    )
    error = refusal(text)
    assert "materials.application_form_pdf.video" == error.path
    assert "mp4" in error.en
    assert "视频" in error.zh


def test_the_bundled_video_bounds_are_on_the_video_material() -> None:
    """The 2023 campaign sets 300 ± 60 s on ``re_review_video``, not under ``re_review``."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    video = campaign.materials["re_review_video"]
    assert (300, 60) == (video.video_seconds, video.video_tolerance_seconds)
    assert campaign.re_review.video_seconds is None


# --------------------------------------------------------------------------- video bounds


def test_a_material_s_own_video_bounds_are_applied(tmp_path: Path) -> None:
    """A video is held to its material's ``video`` bounds by inspect_campaign_material."""
    text = edited(VIDEO_BLOCK, "    formats: [mp4]\n    video: {seconds: 10, tolerance_seconds: 2}\n")
    campaign = pf.parse_campaign(text)
    short = tmp_path / "short.mp4"
    short.write_bytes(mp4_bytes(10))
    material = inspect_campaign_material(campaign, "re_review_video", short)
    assert is_inspected(material, campaign)
    long = tmp_path / "long.mp4"
    long.write_bytes(mp4_bytes(20))
    with pytest.raises(pf.MaterialRejected) as refused:
        inspect_campaign_material(campaign, "re_review_video", long)
    assert "video_duration" == refused.value.reason
    assert "10±2 秒" in refused.value.zh


def test_the_old_re_review_video_keys_still_apply(tmp_path: Path) -> None:
    """A file with ``re_review.video_seconds`` (the old spelling) and no ``video`` on the
    material keeps loading, and its bounds still hold the campaign's videos."""
    text = edited(VIDEO_BLOCK, "    formats: [mp4]\n")
    text = text.replace(
        "  rounding: floor\n", "  video_seconds: 10\n  video_tolerance_seconds: 1\n  rounding: floor\n", 1
    )
    campaign = pf.parse_campaign(text)
    assert (10, 1) == (campaign.re_review.video_seconds, campaign.re_review.video_tolerance_seconds)
    path = tmp_path / "v.mp4"
    path.write_bytes(mp4_bytes(10))
    assert is_inspected(inspect_campaign_material(campaign, "re_review_video", path), campaign)
    path.write_bytes(mp4_bytes(20))
    with pytest.raises(pf.MaterialRejected):
        inspect_campaign_material(campaign, "re_review_video", path)


# --------------------------------------------------------------------------- xlsx


def test_a_real_workbook_is_attached_as_xlsx(tmp_path: Path) -> None:
    """An .xlsx written by openpyxl is accepted for a material taking xlsx, with the
    workbook's media type."""
    material = pf.inspect_material(TABLE, workbook(tmp_path / "scores.xlsx"))
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" == material.media_type
    assert "scores.xlsx" == material.filename


def test_a_workbook_for_a_pdf_material_is_refused_without_contradiction(tmp_path: Path) -> None:
    """A workbook offered as a PDF-only material is refused naming what it is and what is
    taken; a workbook named .docx is refused as a forged extension."""
    path = workbook(tmp_path / "scores.xlsx")
    with pytest.raises(pf.MaterialRejected) as refused:
        pf.inspect_material(PDF_ONLY, path)
    assert ("format_not_allowed", ("pdf",)) == (refused.value.reason, refused.value.details["allowed"])
    forged = tmp_path / "scores.docx"
    forged.write_bytes(path.read_bytes())
    with pytest.raises(pf.MaterialRejected) as mismatch:
        pf.inspect_material(TABLE, forged)
    assert "extension_mismatch" == mismatch.value.reason


def test_a_macro_enabled_workbook_is_refused(tmp_path: Path) -> None:
    """A workbook whose main part is macro-enabled (.xlsm content) is refused though named .xlsx."""
    source = workbook(tmp_path / "plain.xlsx")
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            return data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", macro.encode()
            )
        return data

    with pytest.raises(pf.MaterialRejected) as refused:
        pf.inspect_material(TABLE, repacked(source, tmp_path / "macro.xlsx", change))
    assert ("format_not_allowed", "xlsm") == (refused.value.reason, refused.value.details["detected"])


def test_a_workbook_unpacking_past_the_limit_is_refused(tmp_path: Path) -> None:
    """A zip bomb: a small workbook whose parts unpack to more than ``max_bytes`` is refused
    as too large before openpyxl sees it."""
    source = workbook(tmp_path / "plain.xlsx")

    def change(name: str, data: bytes) -> bytes:
        return data + b" " * (4 << 20) if name == "xl/worksheets/sheet1.xml" else data

    bomb = repacked(source, tmp_path / "bomb.xlsx", change)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(pf.MaterialRejected) as refused:
        pf.inspect_material(TABLE, bomb, max_bytes=1 << 20)
    assert "too_large" == refused.value.reason


def test_a_workbook_with_too_many_parts_or_rows_is_refused(tmp_path: Path) -> None:
    """More than 10,000 parts, or a sheet whose one far cell (XFD1048576) would make a
    million rows, is refused as too complex."""
    source = workbook(tmp_path / "plain.xlsx")
    many = repacked(source, tmp_path / "many.xlsx", lambda _, data: data, extra=10_001)
    with pytest.raises(pf.MaterialRejected) as parts:
        pf.inspect_material(TABLE, many)
    assert "too_complex" == parts.value.reason
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = 1
    sheet["XFD1048576"] = 1
    book.save(tmp_path / "far.xlsx")
    with pytest.raises(pf.MaterialRejected) as rows:
        pf.inspect_material(TABLE, tmp_path / "far.xlsx")
    assert "too_complex" == rows.value.reason
    assert "Excel" in rows.value.zh


def test_a_workbook_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    """A sheet carrying a document type declaration (entity expansion) is refused unread by
    openpyxl."""
    source = workbook(tmp_path / "plain.xlsx")
    dtd = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            head, _, rest = data.partition(b"?>")
            return head + b"?>" + dtd + rest
        return data

    with pytest.raises(pf.MaterialRejected) as refused:
        pf.inspect_material(TABLE, repacked(source, tmp_path / "dtd.xlsx", change))
    assert "corrupt" == refused.value.reason


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    """A workbook whose main part is not a workbook is refused as corrupt."""
    source = workbook(tmp_path / "plain.xlsx")

    def change(name: str, data: bytes) -> bytes:
        return b"<?xml version='1.0'?><nothing/>" if name == "xl/workbook.xml" else data

    with pytest.raises(pf.MaterialRejected) as refused:
        pf.inspect_material(TABLE, repacked(source, tmp_path / "bad.xlsx", change))
    assert "corrupt" == refused.value.reason


def test_sample_materials_write_a_workbook_for_an_excel_kind(tmp_path: Path) -> None:
    """``pilotflow.samples.sample_materials`` writes and checks a real .xlsx for a kind that
    takes only xlsx, and the campaign's run accepts it as checked against the campaign."""
    campaign = pf.parse_campaign(edited("formats: [doc, docx]", "formats: [xlsx]"))
    (material,) = sample_materials(campaign, tmp_path, ["application_form_word"])
    assert material.filename == "application_form_word.xlsx"
    assert is_inspected(material, campaign)
