"""The summary table (附件4) and the import of earlier winners."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

import pilotflow as pf
from pilotflow import reports
from pilotflow.reports import SUMMARY_COLUMNS, load_winners, section, summary_table, write_summary
from pilotflow.service import Winner

from conftest import CAMPAIGN_ID, all_materials, forward, nominate, on, send_letters, unit_code

MIN = pf.Actor("MIN", "industry", "operator")
WEIHAI = pf.Actor("371000", "industry", "lead")


def _weihai_selection(run: pf.CampaignRun) -> pf.SelectionResult:
    """Four enterprises reach Weihai; Weihai ranks them in a chosen order, lists 3 in its
    letter to Shandong and sends it."""
    ids = [forward(run, nominate(run, i, origin="371002").id).id for i in range(4)]
    order = [ids[2], ids[0], ids[3], ids[1]]
    result = run.select(WEIHAI, "enterprise", order=order)
    send_letters(run, result.submissions)
    return result


def test_summary_lists_recommended_units_in_ranking_order(run: pf.CampaignRun) -> None:
    """Weihai's table lists what it recommended, in its ranking, with Chinese headers; the
    unit cut by quota is not among its recommendations."""
    result = _weihai_selection(run)
    table = summary_table(run, "371000")
    assert list(SUMMARY_COLUMNS.values()) == list(table.columns)
    names = {n.id: n.unit_name for n in run.nominations()}
    assert [names[i] for i in result.recommended] == list(table["单位名称"])
    assert [1, 2, 3] == list(table["推荐排序"])
    assert {"2023年推荐单位"} == set(table["类别"])
    assert {"企业"} == set(table["类型"])


def test_summary_includes_re_review_results(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Earlier winners of the area appear with their re-review result: not applied by the
    deadline → revoked (撤销称号并摘牌)."""
    winners = [Winner(unit_code(900 + i), f"老单位{i}", "enterprise", 2018, "371002") for i in range(2)]
    run.register_winners(MIN, winners)
    run.apply_for_re_review(pf.Actor.applicant(winners[0].unit_code, "a"), winners[0].unit_code,
                            materials=all_materials())  # fmt: skip
    run.tick(on(run, pf.calendar.by_date(clock.now().date().replace(day=18), inclusive=True)))
    table = summary_table(run, "371000")
    by_name = dict(zip(table["单位名称"], table["结果"], strict=True))
    assert "撤销称号并摘牌" == by_name["老单位1"]
    assert {"2017—2019年复核"} == set(table["类别"])  # the campaign's batches


def test_summary_written_as_xlsx_with_chinese_headers(run: pf.CampaignRun, tmp_path: Path) -> None:
    """The XLSX has a title row, then the Chinese headers, then one row per unit."""
    _weihai_selection(run)
    path = write_summary(run, "371000", tmp_path / "附件4.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert "威海市 推荐单位和复核情况汇总表" == rows[0][0]
    assert tuple(SUMMARY_COLUMNS.values()) == rows[1]
    assert 3 == len(rows) - 2


def test_summary_refuses_bad_input(run: pf.CampaignRun, tmp_path: Path) -> None:
    """An unknown authority, a non-.xlsx name and a missing folder are refused clearly."""
    with pytest.raises(pf.UnknownAuthority):
        summary_table(run, "999999")
    with pytest.raises(pf.InvalidInput, match=r"\.xlsx"):
        write_summary(run, "371000", tmp_path / "t.csv")
    with pytest.raises(pf.InvalidInput, match="no such folder"):
        write_summary(run, "371000", tmp_path / "missing" / "t.xlsx")


@pytest.mark.parametrize("where", ["folder", "proc", "long"])
def test_summary_a_path_it_cannot_write_is_refused_and_leaves_nothing(
    run: pf.CampaignRun, tmp_path: Path, where: str
) -> None:
    """A path that is a folder, one the system will not create (under /proc) or a file name
    over 255 bytes is InvalidInput naming ``path`` in English and Chinese, and no file (no
    partial one either) is left behind; the folder is left as it was."""
    _weihai_selection(run)
    target = {
        "folder": tmp_path / "t.xlsx",
        "proc": Path("/proc/t.xlsx"),
        "long": tmp_path / ("汇" * 100 + ".xlsx"),
    }[where]
    if where == "folder":
        target.mkdir()
    with pytest.raises(pf.InvalidInput) as error:
        write_summary(run, "371000", target)
    assert error.value.en.startswith("path: ")
    assert error.value.zh.startswith("path 参数")
    assert ([target] if where == "folder" else []) == list(tmp_path.iterdir())
    assert not list(Path("/proc").glob("*.partial"))


def test_section_names_a_track_of_the_campaign(campaign: pf.Campaign) -> None:
    """section() gives the heading of each track the campaign runs."""
    assert ("2023年推荐单位", "2017—2019年复核") == (section(campaign, "new"), section(campaign, "re_review"))


@pytest.mark.parametrize(
    ("args", "argument"),
    [((None, "new"), "campaign"), (("smart-health-elderly-care-2023", "new"), "campaign"),
     ((..., []), "track"), ((..., None), "track"), ((..., "no-such-track"), "track"),
     ((..., "New"), "track")],
    ids=["none", "campaign-id", "list", "none-track", "unknown", "case"],
)  # fmt: skip
def test_section_refuses_what_is_no_campaign_or_no_track_of_it(
    campaign: pf.Campaign, args: tuple[object, object], argument: str
) -> None:
    """A campaign that is no Campaign, and a track that is no text or that the campaign does
    not run, are InvalidInput naming the argument in English and Chinese (an unknown track no
    longer gets a default heading); a track refused names the campaign's tracks."""
    given, track = args
    with pytest.raises(pf.InvalidInput) as error:
        section(campaign if given is ... else given, track)  # type: ignore[arg-type]
    assert error.value.en.startswith(f"{argument} must be")
    assert error.value.zh.startswith(f"{argument} 参数必须是")
    if argument == "track":
        assert "(new, re_review)" in error.value.en
        assert "新申报（new）、复核（re_review）" in error.value.zh


def test_section_refuses_a_track_the_campaign_does_not_run() -> None:
    """A campaign that runs only new applications refuses ``re_review``, naming its one track
    by the campaign's own name for it."""
    hebei = pf.load_campaign("hebei-sme-service-platforms-2020")
    with pytest.raises(pf.InvalidInput) as error:
        section(hebei, "re_review")
    assert "tracks (new), got 're_review'" in error.value.en
    assert "2020年度推荐示范平台（new）" in error.value.zh


def test_ranking_and_selecting_refuse_a_track_the_campaign_does_not_run_naming_its_own() -> None:
    """``rank``, ``select`` and ``select_many`` in a campaign without re-review refuse
    ``re_review`` with the rule ``section`` applies: naming the one track the campaign runs,
    by its name (they said "one of the campaign's tracks (new, re_review)", re_review
    included, and "new 或 re_review" in Chinese)."""
    hebei = pf.load_campaign("hebei-sme-service-platforms-2020")
    run = pf.CampaignRun(hebei, lists=pf.empty_lists(hebei))
    unit_type = next(iter(hebei.unit_types))
    top = run.graph[hebei.top or run.graph.top.code]
    actor = pf.Actor(top.code, top.departments[0], "p")
    for call in (
        lambda: run.rank(top.code, unit_type, track="re_review"),
        lambda: run.select(actor, unit_type, track="re_review"),
        lambda: run.select_many([actor], unit_type, track="re_review"),
    ):
        with pytest.raises(pf.InvalidInput) as error:
            call()
        assert "tracks (new), got 're_review'" in error.value.en
        assert "2020年度推荐示范平台（new），收到 复核（re_review）" in error.value.zh
    assert not hebei.has_track("re_review")
    assert not pf.load_campaign(CAMPAIGN_ID).has_track("bogus")  # (no tracks named: the two there are)


def test_winners_load_from_csv_and_xlsx(tmp_path: Path) -> None:
    """Winners are read from CSV (English or Chinese headers) and from XLSX alike."""
    code = unit_code(1)
    csv_path = tmp_path / "w.csv"
    csv_path.write_text(f"统一社会信用代码,单位名称,类型,批次,所在地区代码\n{code},甲,企业,2017,371002\n",
                        encoding="utf-8")  # fmt: skip
    expected = [Winner(code, "甲", "enterprise", 2017, "371002")]
    assert expected == load_winners(csv_path, unit_types={"企业": "enterprise"})
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
    sheet.append([code, "甲", "enterprise", 2017, "371002"])
    book.save(tmp_path / "w.xlsx")
    assert expected == load_winners(tmp_path / "w.xlsx")


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("unit_code,unit_name,unit_type,batch\nX,甲,enterprise,2017\n", "header"),
        ("unit_code,unit_name,unit_type,batch,authority\n91371002MA0000000X,甲,enterprise,2017,371002\n",
         "row 2.unit_code"),
        (f"unit_code,unit_name,unit_type,batch,authority\n{unit_code(1)},甲,enterprise,二〇一七,371002\n",
         "row 2.batch"),
    ],
)  # fmt: skip
def test_bad_winner_files_name_row_and_column(tmp_path: Path, content: str, where: str) -> None:
    """A bad winners file is refused naming the file, the row and the column."""
    path = tmp_path / "w.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(pf.CampaignFileError) as info:
        load_winners(path)
    assert where == info.value.path


def test_a_winners_file_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path) -> None:
    """A FIFO, a link to /dev/zero or a folder named as a winners file is refused with a
    CampaignFileError naming it, unread (it never blocks or fills memory)."""
    fifo = tmp_path / "w.csv"
    os.mkfifo(fifo)
    zero = tmp_path / "z.csv"
    zero.symlink_to("/dev/zero")
    folder = tmp_path / "d.csv"
    folder.mkdir()
    for path in (fifo, zero, folder):
        with pytest.raises(pf.CampaignFileError, match="not a regular file") as error:
            load_winners(path)
        assert str(path) == error.value.source


@pytest.mark.parametrize("batch", ["1e400", "nan", "9" * 500])
def test_a_winners_batch_that_is_no_year_is_refused(tmp_path: Path, batch: str) -> None:
    """A batch of 1e400, NaN or 500 digits is refused at its row, never a raw OverflowError."""
    path = tmp_path / "w.csv"
    path.write_text(f"统一社会信用代码,单位名称,类型,批次,所在地区代码\n{unit_code(1)},甲,enterprise,{batch},371002\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(pf.CampaignFileError, match="row 2"):
        load_winners(path)


_HEADER = "unit_code,unit_name,unit_type,batch,authority\n"


def _good_row(n: int = 1) -> str:
    return f"{unit_code(n)},某单位,enterprise,2017,371002\n"


@pytest.mark.parametrize(
    ("bad", "column"),
    [
        (f"{unit_code(1)},某单位,enterprise,1_000,371002", "batch"),
        (f"{unit_code(1)},某单位,enterprise,1000,371002", "batch"),
        (f"{unit_code(1)},某单位,,2017,371002", "unit_type"),
        (f"{unit_code(1)},{'名' * 201},enterprise,2017,371002", "unit_name"),
        (f"{unit_code(1)},某\x01单位,enterprise,2017,371002", "unit_name"),
        (f"{unit_code(1)},\u200b,enterprise,2017,371002", "unit_name"),
        (f"{unit_code(1)},某单位,enterprise,2017,\x1b[31m", "authority"),
        (f"{unit_code(1)},某单位,enterprise,2017,", "authority"),
    ],
    ids=[
        "underscore",
        "out-of-range",
        "no-type",
        "long-name",
        "control",
        "invisible",
        "escape",
        "no-authority",
    ],
)
def test_a_bad_row_among_many_is_named_by_file_row_and_column(tmp_path: Path, bad: str, column: str) -> None:
    """A bad cell in row 502 of a file of 500 good rows is refused with a CampaignFileError
    naming the file, the row as a spreadsheet numbers it (the header is row 1) and the
    column, in English and Chinese; never an InvalidInput that says not where."""
    path = tmp_path / "w.csv"
    path.write_text(_HEADER + _good_row() * 500 + bad + "\n", encoding="utf-8")
    with pytest.raises(pf.CampaignFileError) as error:
        load_winners(path)
    assert (str(path), f"row 502.{column}") == (error.value.source, error.value.path)
    assert error.value.en.startswith(f"{path}: row 502.{column}: ")
    assert error.value.zh.startswith(f"{path}: row 502.{column}：")


def test_a_bad_row_is_named_in_chinese_by_its_column(tmp_path: Path) -> None:
    """A file with Chinese headers hears of its bad cell by the column's Chinese name."""
    path = tmp_path / "w.csv"
    path.write_text(f"统一社会信用代码,单位名称,类型,批次,所在地区代码\n{unit_code(1)},某单位,,2017,371002\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(pf.CampaignFileError, match=r"row 2\.unit_type") as error:
        load_winners(path)
    assert "类型 不能为空" in error.value.zh


@pytest.mark.parametrize("batch", ["2017.9", "2017.5", "1e-5", "2e3", "2017.", "-2017", "２０１７", "0x7e1"])
def test_a_batch_that_is_no_whole_number_is_refused_as_such(tmp_path: Path, batch: str) -> None:
    """A batch that is not a whole number (2017.9 was read as 2017, 1e-5 as 0) is refused at
    its row and column as no whole number, never rounded to a year."""
    path = tmp_path / "w.csv"
    path.write_text(_HEADER + f"{unit_code(1)},某单位,enterprise,{batch},371002\n", encoding="utf-8")
    with pytest.raises(pf.CampaignFileError) as error:
        load_winners(path)
    assert "row 2.batch" == error.value.path
    assert "is not a year (a whole number)" in error.value.en
    assert "不是年份（整数）" in error.value.zh


def test_a_batch_a_spreadsheet_stores_as_a_number_is_a_year(tmp_path: Path) -> None:
    """A batch written 2017.0 (or stored as the number 2017.0 in XLSX) is the year 2017; a
    stored 2017.9 is refused at its row."""
    path = tmp_path / "w.csv"
    path.write_text(_HEADER + f"{unit_code(1)},某单位,enterprise,2017.0,371002\n", encoding="utf-8")
    assert [2017] == [w.batch for w in load_winners(path)]
    for batch, expected in ((2017.0, None), (2017.9, "row 2.batch")):
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
        sheet.append([unit_code(1), "甲", "enterprise", batch, "371002"])
        book.save(tmp_path / "w.xlsx")
        if expected is None:
            assert [2017] == [w.batch for w in load_winners(tmp_path / "w.xlsx")]
        else:
            with pytest.raises(pf.CampaignFileError) as error:
                load_winners(tmp_path / "w.xlsx")
            assert expected == error.value.path


def test_row_numbers_count_empty_rows_as_a_spreadsheet_does(tmp_path: Path) -> None:
    """Empty rows are skipped but counted: the bad row after a blank line (CSV) or an empty
    row (XLSX) is named by the number a spreadsheet shows; a short row lacks its last cells."""
    path = tmp_path / "w.csv"
    path.write_text(_HEADER + _good_row() + "\n,,,,\n" + f"{unit_code(2)},某单位,enterprise,20x7,371002\n",
                    encoding="utf-8")  # fmt: skip
    with pytest.raises(pf.CampaignFileError, match=r"row 5\.batch"):
        load_winners(path)
    path.write_text(_HEADER + f"{unit_code(1)},某单位,enterprise,2017\n", encoding="utf-8")
    with pytest.raises(pf.CampaignFileError, match=r"row 2\.authority"):
        load_winners(path)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
    sheet.append([unit_code(1), "甲", "enterprise", 2017, "371002"])
    sheet.append([None] * 5)
    sheet.append([unit_code(2), "乙", "enterprise", "二〇一七", "371002"])
    book.save(tmp_path / "w.xlsx")
    with pytest.raises(pf.CampaignFileError, match=r"row 4\.batch"):
        load_winners(tmp_path / "w.xlsx")


@pytest.mark.parametrize(
    "unit_types",
    [["enterprise"], "enterprise", ("企业", "enterprise"), {1: "enterprise"}, {"企业": None}, {"企业": ""}],
    ids=["list", "str", "tuple", "int-key", "none-value", "empty-value"],
)
def test_load_winners_refuses_unit_types_that_are_no_mapping_of_texts(
    tmp_path: Path, unit_types: object
) -> None:
    """``unit_types`` that is not a mapping of text to text is InvalidInput naming it in
    English and Chinese, never a raw AttributeError, before the file is read."""
    path = tmp_path / "w.csv"
    path.write_text(_HEADER + _good_row(), encoding="utf-8")
    with pytest.raises(pf.InvalidInput) as error:
        load_winners(path, unit_types=unit_types)  # type: ignore[arg-type]
    assert "unit_types" in error.value.en
    assert "unit_types" in error.value.zh
    assert not isinstance(error.value, pf.CampaignFileError)


@pytest.mark.parametrize("path", [None, 5, "a\x00b.csv"], ids=["none", "int", "nul"])
def test_load_winners_checks_its_argument(path: object) -> None:
    """A path that is no path is InvalidInput naming the argument."""
    with pytest.raises(pf.InvalidInput, match="path"):
        load_winners(path)  # type: ignore[arg-type]


def test_empty_xlsx_rows_do_not_count_against_the_winners_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Empty rows of a sheet are not winners: a file with as many winners as the limit,
    empty rows between them, loads them all (none dropped); one winner more is refused, as
    in a CSV file."""
    monkeypatch.setattr(reports, "MAX_WINNER_ROWS", 5)
    for winners, refused in ((5, False), (6, True)):
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
        for i in range(winners):
            sheet.append([unit_code(i + 1), f"单位{i}", "enterprise", 2017, "371002"])
            if i == 0:
                sheet.append([None] * 5)
                sheet.append([None] * 5)
        book.save(tmp_path / "w.xlsx")
        if refused:
            with pytest.raises(pf.CampaignFileError, match="more than 5 rows"):
                load_winners(tmp_path / "w.xlsx")
        else:
            assert winners == len(load_winners(tmp_path / "w.xlsx"))


def _winners_xlsx(path: Path, second_row: bytes) -> None:
    """A winners workbook whose sheet is the header, then ``second_row`` (raw sheet XML)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
    book.save(path)
    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = xml.replace(b"</sheetData>", second_row + b"</sheetData>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            bomb.writestr(name, data)


def test_a_winners_workbook_that_would_unpack_out_of_proportion_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small XLSX whose sheet packs a row of a million cells (openpyxl would build all of
    them: seconds and some 700 MB), a text of 20 MB, elements nested 100,000 deep, or parts
    unpacking past the limit (a ZIP bomb) is refused before openpyxl reads it, naming the
    file and what it goes past. (The bounds build no tree, so libxml2's own limits of depth and
    text are theirs to keep: a first version let both through to openpyxl.)"""
    _openpyxl_unread(monkeypatch)
    cells = b'<row r="2">' + b'<c t="n"><v>1</v></c>' * 1_000_000 + b"</row>"
    text = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"a" * (20 << 20) + b"</t></is></c></row>"
    deep = (
        b'<row r="2"><c r="A2" t="inlineStr"><is>' + b"<r>" * 100_000 + b"</r>" * 100_000 + b"</is></c></row>"
    )
    for name, row, says in (
        ("cells.xlsx", cells, "cells in a row"),
        ("text.xlsx", text, "a text of more than 10000000 characters"),
        ("deep.xlsx", deep, "XML elements nested more than 256 deep"),
    ):
        _winners_xlsx(tmp_path / name, row)
        assert (tmp_path / name).stat().st_size < 200_000
        with pytest.raises(pf.CampaignFileError, match=says):
            load_winners(tmp_path / name)
    monkeypatch.setattr(reports, "_XLSX_UNPACKED", 1 << 20)
    _winners_xlsx(
        tmp_path / "big.xlsx",
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"a" * (2 << 20) + b"</t></is></c></row>",
    )
    with pytest.raises(pf.CampaignFileError, match="unpacks to"):
        load_winners(tmp_path / "big.xlsx")


def _openpyxl_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make openpyxl's reading of a workbook fail the test: what is refused is refused unread."""

    def unread(*args: object, **kwargs: object) -> None:  # (pytest.fail: no `except Exception` hides it)
        pytest.fail("openpyxl was asked to read a workbook that should have been refused first")

    monkeypatch.setattr(openpyxl, "load_workbook", unread)


def test_a_workbook_of_empty_elements_is_refused_by_their_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part nothing refers to, packed with empty elements (10 million fit in 44 KB), is
    refused once the workbook's XML elements pass their bound, naming the part and unread by
    openpyxl; the elements are counted, not kept (the part took 26 s and 1.3 GB before being
    refused for its missing column: benchmarks/README.md, bench_files.py "winners")."""
    monkeypatch.setattr(reports, "_XLSX_ELEMENTS", 5_000)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["unit_code", "unit_name", "unit_type", "batch", "authority"])
    sheet.append([unit_code(1), "单位", "enterprise", 2017, "371002"])
    book.save(tmp_path / "ok.xlsx")
    assert 1 == len(load_winners(tmp_path / "ok.xlsx"))  # (its own elements are within the bound)
    with zipfile.ZipFile(tmp_path / "ok.xlsx") as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    parts["xl/extra.xml"] = b"<a>" + b"<b/>" * 5_000 + b"</a>"
    with zipfile.ZipFile(tmp_path / "empty.xlsx", "w", zipfile.ZIP_DEFLATED) as packed:
        for name, data in parts.items():
            packed.writestr(name, data)
    _openpyxl_unread(monkeypatch)
    with pytest.raises(pf.CampaignFileError, match=r"xl/extra\.xml: more than 5000 XML elements") as refused:
        load_winners(tmp_path / "empty.xlsx")
    assert "工作簿的 XML 元素超过 5000 个" in refused.value.zh


def test_a_sheet_kept_outside_the_worksheets_folder_is_bounded_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workbook names where its sheet lies, and openpyxl reads it there: a row of a
    million cells moved to ``xl/sheet1.bin`` (named so in the workbook's relationships) is
    refused before openpyxl reads it, as it is in ``xl/worksheets/``."""
    path = tmp_path / "moved.xlsx"
    _winners_xlsx(path, b'<row r="2">' + b'<c t="n"><v>1</v></c>' * 1_000_000 + b"</row>")
    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    parts["xl/sheet1.bin"] = parts.pop("xl/worksheets/sheet1.xml")
    for name in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
        parts[name] = parts[name].replace(b"worksheets/sheet1.xml", b"sheet1.bin")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as moved:
        for name, data in parts.items():
            moved.writestr(name, data)
    _openpyxl_unread(monkeypatch)
    with pytest.raises(pf.CampaignFileError, match=r"xl/sheet1\.bin: more than 1000 cells in a row"):
        load_winners(path)


def test_a_name_a_spreadsheet_would_run_is_written_as_text(run: pf.CampaignRun, tmp_path: Path) -> None:
    """A unit named like a formula (``=HYPERLINK(...)``, ``@SUM(...)``) is written into the
    summary XLSX as that text, shown as typed: never as a formula the reader's spreadsheet
    would run."""
    names = ['=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)", "+1", "-1"]
    winners = [Winner(unit_code(950 + i), name, "enterprise", 2018, "371002") for i, name in enumerate(names)]
    run.register_winners(MIN, winners)
    path = write_summary(run, "371000", tmp_path / "附件4.xlsx")
    sheet = openpyxl.load_workbook(path).active
    assert sheet is not None
    cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value in names}
    assert sorted(cells) == sorted(names)
    assert {c.data_type for c in cells.values()} == {"s"}
    assert all(c.quotePrefix for c in cells.values())
