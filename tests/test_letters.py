"""The documents a sender sends with its units: the summary table (XLSX, 附件4 at the ministry
hop) and the draft recommendation letter (DOCX), deterministic to the byte."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import attrs
import docx
import openpyxl
import pytest

import pilotflow as pf
from pilotflow.campaign import ActingRule, MaterialType, Selector, Text
from pilotflow.files.letters import (
    LETTER_COLUMNS,
    MAX_ROWS,
    GeneratedDocument,
    LetterContent,
    LetterRow,
    letter_content,
    letter_document,
    letter_docx,
    summary_table_document,
    summary_table_xlsx,
)
from pilotflow.files.summary import SUMMARY_COLUMNS
from pilotflow.materials import inspect_material

from conftest import (
    MIN,
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    all_materials,
    bundled,
    file_material,
    forward,
    nominate,
    send_letters,
    shanghai,
    unit_code,
)

PROVINCE_LEAD = pf.Actor(SHANDONG, "industry", "province-lead")
THREE = ("industry", "civil_affairs", "health")
RE_REVIEW_MATERIALS = (
    *all_materials(),
    file_material("re_review_video"),
    file_material("re_review_application_form"),
)
SENT_AT = shanghai(2023, 10, 20, 10, 30)
#: Codes of the campaign and the graph that must never show in Chinese text.
RAW_CODES = re.compile(
    r"enterprise|street_town|smart_nursing_homes|re_review|industry|civil_affairs|health\b|"
    r"\b(?:370000|371000|371002|MIN)\b"
)


def _text_cells(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None]


def _docx_text(content: bytes) -> list[str]:
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return texts


def _shown(texts: list[str], codes: set[str]) -> str:
    """Every text but the units' own unified social credit codes, as one string."""
    return "\n".join(t for t in texts if t not in codes)


@pytest.fixture
def province(run: pf.CampaignRun, clock: pf.FixedClock) -> tuple[pf.CampaignRun, list[pf.Nomination]]:
    """Shandong at the ministry's door: three Weihai enterprises of 2023 ranked by Shandong
    (the third first), and three Weihai winners of 2018 under re-review, two recommended for
    retention and one cut by the 70% share; the nominations in Shandong's order."""
    new = [nominate(run, i, origin=WEIHAI_DISTRICT).id for i in range(3)]
    for nid in new:
        forward(run, nid)
        forward(run, nid)
    winners = [
        pf.Winner(unit_code(900 + i), f"复核单位{i}", "enterprise", 2018, WEIHAI_DISTRICT) for i in range(3)
    ]
    run.register_winners(pf.Actor(MIN, "industry", "ministry-operator"), winners)
    old = []
    for w in winners:
        nid = run.apply_for_re_review(pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code,
                                      materials=RE_REVIEW_MATERIALS).id  # fmt: skip
        forward(run, nid)
        forward(run, nid)
        old.append(nid)
    clock.set(shanghai(2023, 10, 20, 9))
    ranked = run.select(PROVINCE_LEAD, "enterprise", order=[new[2], new[0], new[1]])
    kept = run.select(PROVINCE_LEAD, "enterprise", track="re_review")
    order = [*ranked.recommended, *kept.recommended, *kept.cut]
    return run, [run.get(i) for i in order]


def _content(run: pf.CampaignRun, nominations: list[pf.Nomination]) -> LetterContent:
    return letter_content(
        run.campaign,
        run.graph,
        sender=SHANDONG,
        receiver=MIN,
        departments=THREE,
        moment=SENT_AT,
        nominations=nominations,
        letter_kind="recommendation_opinion",
    )


def _row(n: int, name: str | None = None, track: str = "new") -> LetterRow:
    return LetterRow(
        track=track,
        section="2023年推荐单位" if track == "new" else "2017—2019年复核",
        rank=n,
        unit_name=name or f"示范企业{n}",
        unit_code=unit_code(n),
        unit_type="企业",
        scenario="智慧养老院",
        origin="威海市环翠区",
        batch=2023,
    )


def _plain(rows: object, **changes: object) -> LetterContent:
    fields: dict[str, object] = {
        "campaign_id": bundled().id,
        "campaign_title": bundled().title.zh,
        "hop_label": "推荐函",
        "sender_code": SHANDONG,
        "sender_name": "山东省",
        "receiver_code": MIN,
        "receiver_name": "工业和信息化部",
        "departments": ("山东省工业和信息化主管部门",),
        "moment": SENT_AT,
        "rows": rows,
    }
    fields.update(changes)
    return LetterContent(**fields)  # type: ignore[arg-type]


def test_ministry_hop_summary_table_is_annex_4(province: tuple[pf.CampaignRun, list[pf.Nomination]]) -> None:
    """At the ministry hop Shandong's table (附件4) lists its 2023 units in its ranking, then
    its re-review results, under the summary table's Chinese headers, with the campaign's
    labels and the graph's names and no code but the units' own."""
    run, sent = province
    data = summary_table_xlsx(_content(run, sent))
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    assert sheet is not None
    assert "汇总表" == sheet.title
    assert "A4" == sheet.freeze_panes
    rows = list(sheet.iter_rows(values_only=True))
    assert f"{run.campaign.title.zh}汇总表" == rows[0][0]
    assert "推荐单位：山东省" in str(rows[1][0])
    assert "2023年10月20日" in str(rows[1][0])
    assert "推荐意见（含汇总表，附件4）" in str(rows[1][0])  # the campaign's own label of the hop
    assert tuple(SUMMARY_COLUMNS[k] for k in LETTER_COLUMNS) == rows[2]
    body = [dict(zip(rows[2], r, strict=True)) for r in rows[3:]]
    assert [n.unit_name for n in sent] == [r["单位名称"] for r in body]
    assert ["测试单位2", "测试单位0", "测试单位1"] == [r["单位名称"] for r in body[:3]]
    assert [1, 2, 3, 1, 2, 3] == [r["推荐排序"] for r in body]
    assert ["2023年推荐单位"] * 3 + ["2017—2019年复核"] * 3 == [r["类别"] for r in body]
    assert [None] * 3 + ["推荐通过复核", "推荐通过复核", "撤销称号并摘牌"] == [r["结果"] for r in body]
    assert {"企业"} == {r["类型"] for r in body}
    assert {"智慧养老院", None} == {r["应用场景"] for r in body}  # winners state no scenario
    assert {"威海市环翠区"} == {r["所在地区"] for r in body}
    assert [2023] * 3 + [2018] * 3 == [r["批次"] for r in body]
    assert [n.unit_code for n in sent] == [r["统一社会信用代码"] for r in body]
    assert RAW_CODES.search(_shown(_text_cells(data), {n.unit_code for n in sent})) is None


def test_letter_names_sender_receiver_departments_units_and_counts(
    province: tuple[pf.CampaignRun, list[pf.Nomination]],
) -> None:
    """The draft letter: its title, the ministries addressed, the campaign and the number of
    units of each type, the units in Shandong's order, each department's name with room for
    its stamp, and the date written the Chinese way; no code of the campaign or the graph."""
    run, sent = province
    data = letter_docx(_content(run, sent))
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    assert f"关于推荐{run.campaign.title.zh}单位的函" == paragraphs[0]
    assert "工业和信息化部、民政部、国家卫生健康委员会：" == paragraphs[1]
    body = paragraphs[2]
    assert run.campaign.title.zh in body
    assert "现推荐6个单位" in body
    assert "2023年推荐单位3个（企业3家）" in body
    assert "2017—2019年复核3个（企业3家）" in body
    assert "2023年10月20日" == paragraphs[-1]
    units, results, stamps = document.tables[0], document.tables[1], document.tables[2]
    assert ["推荐排序", "单位名称", "统一社会信用代码", "类型", "应用场景", "所在地区"] == [
        c.text for c in units.rows[0].cells
    ]
    assert ["测试单位2", "测试单位0", "测试单位1"] == [r.cells[1].text for r in units.rows[1:]]
    assert ["推荐通过复核", "推荐通过复核", "撤销称号并摘牌"] == [r.cells[-1].text for r in results.rows[1:]]
    names = ["山东省工业和信息化主管部门", "山东省民政主管部门", "山东省卫生健康主管部门"]
    assert names == [c.text for c in stamps.rows[1].cells]
    assert ["（盖章）"] * 3 == [c.paragraphs[0].text for c in stamps.rows[0].cells]
    assert RAW_CODES.search(_shown(_docx_text(data), {n.unit_code for n in sent})) is None
    properties = document.core_properties
    assert SENT_AT == properties.created == properties.modified
    assert "山东省" == properties.author


def test_same_content_gives_the_same_bytes(province: tuple[pf.CampaignRun, list[pf.Nomination]]) -> None:
    """Built twice from the same nominations, both files are byte-identical, their records
    carry the SHA-256 of those bytes, and every part of each package is dated the content's
    moment."""
    run, sent = province
    first, again = _content(run, sent), _content(run, sent)
    assert first == again
    for make in (summary_table_document, letter_document):
        one, two = make(first), make(again)
        assert one.data == two.data
        assert hashlib.sha256(one.data).hexdigest() == one.sha256 == two.sha256
        assert one.matches(one.sha256.upper())
        assert {(2023, 10, 20, 10, 30, 0)} == {
            i.date_time for i in zipfile.ZipFile(io.BytesIO(one.data)).infolist()
        }


def test_same_bytes_in_another_process(tmp_path: Path) -> None:
    """Another interpreter, with another string hash seed, writes the very same bytes for the
    same content (nothing depends on set order, the clock or the machine)."""
    script = (
        "import hashlib, sys\n"
        "from test_letters import _plain, _row\n"
        "from pilotflow.files.letters import letter_docx, summary_table_xlsx\n"
        "c = _plain([_row(1), _row(2), _row(1, track='re_review')])\n"
        "x, d = summary_table_xlsx(c), letter_docx(c)\n"
        "print(hashlib.sha256(x).hexdigest(), hashlib.sha256(d).hexdigest())\n"
    )
    content = _plain([_row(1), _row(2), _row(1, track="re_review")])
    here = f"{summary_table_document(content).sha256} {letter_document(content).sha256}"
    tests = str(Path(__file__).parent)
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": tests, "TZ": "America/New_York"}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              check=True, cwd=tmp_path)  # fmt: skip
        assert here == done.stdout.strip()


def test_a_changed_row_changes_the_hash() -> None:
    """One unit's name changed, or two units swapped, gives other bytes and another SHA-256."""
    rows = [_row(1), _row(2)]
    before = _plain(rows)
    renamed = _plain([rows[0], attrs.evolve(rows[1], unit_name="另一示范企业")])
    swapped = _plain([attrs.evolve(rows[1], rank=1), attrs.evolve(rows[0], rank=2)])
    for make in (summary_table_document, letter_document):
        digests = {make(before).sha256, make(renamed).sha256, make(swapped).sha256}
        assert 3 == len(digests)


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","点此")', "+1+2", "-3+4", "@SUM(A1:A2)"])
def test_a_unit_name_never_becomes_a_formula(name: str) -> None:
    """A unit name beginning with = + - @ is stored as that very text, marked to be shown as
    typed (quote prefix), and the sheet holds no formula at all."""
    data = summary_table_xlsx(_plain([_row(1, name)]))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cell = sheet.cell(row=4, column=LETTER_COLUMNS.index("unit_name") + 1)
    assert (name, "s", True) == (cell.value, cell.data_type, cell.quotePrefix)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert re.search(rb"<f[ >]", xml) is None


def test_the_files_pass_pilotflows_own_material_checks(tmp_path: Path) -> None:
    """Written to disk, the table and the letter pass the checks every material file passes,
    which record the same SHA-256, size and media type as the documents' records."""
    content = _plain([_row(1), _row(2)])
    for document, fmt in ((summary_table_document(content), "xlsx"), (letter_document(content), "docx")):
        path = tmp_path / document.filename
        path.write_bytes(document.data)
        checked = inspect_material(MaterialType("letter", Text("letter", "推荐函"), formats=(fmt,)), path)
        assert document.material("letter") == checked


def test_a_district_letter_to_its_city() -> None:
    """A Weihai district's letter to Weihai: the campaign's label of that hop, the district
    and the city by name, the units' origin qualified by its city."""
    run = pf.CampaignRun(
        bundled(), lists=pf.empty_lists(bundled()), clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )
    sent = [
        nominate(run, i, origin=WEIHAI_DISTRICT, unit_type=t)
        for i, t in enumerate(["street_town", "enterprise"])
    ]
    content = letter_content(
        run.campaign,
        run.graph,
        sender=WEIHAI_DISTRICT,
        receiver=WEIHAI,
        departments=THREE,
        moment=shanghai(2023, 10, 17, 9),
        nominations=sent,
        letter_kind="joint_recommendation_letter",
    )
    assert ("环翠区", "威海市", "三部门联合盖章的推荐函") == (
        content.sender_name,
        content.receiver_name,
        content.hop_label,
    )
    assert (("2023年推荐单位", "街道（乡镇）", 1), ("2023年推荐单位", "企业", 1)) == content.counts
    text = _docx_text(letter_docx(content))
    assert "威海市：" in text
    assert any("街道（乡镇）1个、企业1家" in t for t in text)
    assert {"环翠区工业和信息化主管部门", "环翠区民政主管部门", "环翠区卫生健康主管部门"} <= set(text)


def test_oversized_or_bad_content_is_refused() -> None:
    """Too many rows, too long a name, a naive moment, no unit, no department, sections out of
    order or misnumbered, a repeated unit, a bad code and a document whose digest is not its
    bytes' are refused with InvalidInput, in English and Chinese."""
    rows = [_row(1), _row(2)]
    half = MAX_ROWS // 2 + 1
    too_many = [_row(n) for n in range(1, half + 1)] + [
        _row(n, track="re_review") for n in range(1, half + 1)
    ]
    bad: list[tuple[dict[str, object], str]] = [
        ({"rows": too_many}, "more than 5000"),
        ({"moment": datetime(2023, 10, 20, 9)}, "timezone-aware"),
        ({"rows": []}, "at least one unit"),
        ({"departments": ()}, "at least one department"),
        ({"departments": ("甲", "甲")}, "twice"),
        ({"sender_name": "省" * 201}, "at most 200"),
        ({"campaign_title": " 标题"}, "white space"),
        ({"rows": [_row(2), _row(1)]}, "expected 1"),
        ({"rows": [_row(1), _row(1, track="re_review"), _row(2)]}, "follow each other"),
        ({"rows": [_row(1), attrs.evolve(_row(1), rank=2)]}, "listed twice"),
        ({"rows": ["a row"]}, "LetterRow"),
    ]
    for changes, message in bad:
        with pytest.raises(pf.InvalidInput, match=message) as info:
            _plain(changes.pop("rows", rows), **changes)
        assert info.value.zh
    with pytest.raises(pf.InvalidInput, match="统一社会信用代码"):
        attrs.evolve(_row(1), unit_code="91371002MA0000000X")
    with pytest.raises(pf.InvalidInput, match="unit_name"):
        attrs.evolve(_row(1), unit_name="甲\x00乙")
    with pytest.raises(pf.InvalidInput, match="SHA-256"):
        GeneratedDocument("a.docx", "application/x", b"forged", "0" * 64)
    for make in (summary_table_xlsx, letter_docx, summary_table_document, letter_document):
        with pytest.raises(pf.InvalidInput, match="LetterContent"):
            make("content")  # type: ignore[arg-type]


def test_bad_builder_arguments_are_refused(province: tuple[pf.CampaignRun, list[pf.Nomination]]) -> None:
    """The builder refuses an unknown authority, a department the sender has not, a
    nomination whose route does not pass the sender, one given twice, a material kind the
    campaign has not and a naive moment, naming the authority in Chinese."""
    run, sent = province
    base = {"sender": SHANDONG, "receiver": MIN, "departments": THREE, "moment": SENT_AT, "nominations": sent}
    qingdao = nominate(run, 50, origin="370211")
    bad: list[tuple[dict[str, object], type[pf.InvalidInput], str]] = [
        ({"sender": "999999"}, pf.UnknownAuthority, "999999"),
        ({"departments": ("hq",)}, pf.UnknownDepartment, "hq"),
        ({"nominations": [*sent, qingdao]}, pf.InvalidInput, "does not pass"),
        ({"nominations": [sent[0], sent[0]]}, pf.InvalidInput, "twice"),
        ({"letter_kind": "nothing"}, pf.InvalidInput, "not a material"),
        ({"moment": datetime(2023, 10, 20)}, pf.NaiveDatetime, "timezone-aware"),
        ({"receiver": SHANDONG}, pf.InvalidInput, "must differ"),
        ({"nominations": "abc"}, pf.InvalidInput, "must be a list"),
    ]
    for changes, kind, message in bad:
        with pytest.raises(kind, match=message) as info:
            letter_content(run.campaign, run.graph, **{**base, **changes})  # type: ignore[arg-type]
        assert RAW_CODES.search(info.value.zh) is None or kind is pf.UnknownAuthority
    with pytest.raises(pf.InvalidInput, match="Campaign"):
        letter_content("campaign", run.graph, **base)  # type: ignore[arg-type]


def test_only_stamping_departments_sign_the_letter(
    province: tuple[pf.CampaignRun, list[pf.Nomination]],
) -> None:
    """Where a department reviews but does not stamp (a campaign's acting rule), naming it
    among the letter's stamping departments is refused in Chinese by its name; the stamping
    one alone is accepted."""
    run, sent = province
    rule = ActingRule(Selector(), ("industry", "civil_affairs"), ("industry",))
    graph = run.graph.with_departments([rule])
    base = {"sender": SHANDONG, "receiver": MIN, "moment": SENT_AT, "nominations": sent}
    with pytest.raises(pf.InvalidInput, match="does not stamp") as info:
        letter_content(run.campaign, graph, departments=("industry", "civil_affairs"), **base)  # type: ignore[arg-type]
    assert "民政部门在山东省参与审查但不盖章" in info.value.zh
    content = letter_content(run.campaign, graph, departments=("industry",), **base)  # type: ignore[arg-type]
    assert ("山东省工业和信息化主管部门",) == content.departments


def test_the_letters_table_agrees_with_the_runs_summary_table(
    province: tuple[pf.CampaignRun, list[pf.Nomination]],
) -> None:
    """The table sent with Shandong's letter and the run's summary table of Shandong
    (pilotflow.reports) show the same units in the same order under the same headers, with
    the same labels: one rule writes both."""
    from pilotflow.reports import summary_table

    run, listed = province
    send_letters(run, [s.id for s in run.submissions(sender=SHANDONG, state="draft")])
    sent = [run.get(n.id) for n in listed]  # the re-review cut by the share: its result too
    sheet = openpyxl.load_workbook(io.BytesIO(summary_table_xlsx(_content(run, sent)))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    shared = ["section", "unit_name", "unit_code", "unit_type", "origin", "batch"]
    headers = [SUMMARY_COLUMNS[k] for k in shared]
    sent_table = [tuple(dict(zip(rows[0], r, strict=True))[h] for h in headers) for r in rows[1:]]
    frame = summary_table(run, SHANDONG)
    assert sent_table == [tuple(r) for r in frame[headers].itertuples(index=False)]
