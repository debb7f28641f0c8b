"""The documents a sender sends with its units: the summary table (XLSX) and a draft of its
recommendation letter (推荐函, DOCX), each a deterministic function of what it says.

A sender sends one letter per hop, listing its units in its order and stamped jointly by its
departments; with it goes the summary table (at the ministry hop of the 2023 campaign, the
form of 附件4: the 2023 units recommended and the results of the re-review of the earlier
winners). :func:`letter_content` gathers what both say from the campaign, the authority graph
and the nominations sent (the campaign's labels, the graph's Chinese names: no code is shown
in Chinese text) into a :class:`LetterContent`; :func:`summary_table_xlsx` and
:func:`letter_docx` write it. The same content always gives the same bytes: the parts of each
package are stored in a fixed order with fixed timestamps (the content's moment), compressed at
one fixed level, and the documents' core properties (created, modified) are that moment too.
So a file's SHA-256 can be recorded with the submission, and the file regenerated later and
checked against it (with the same versions of python-docx, openpyxl and zlib).

The summary table's headers, section headings and results' wording are those of
:mod:`pilotflow.files.summary`, shared with :func:`pilotflow.reports.summary_table`.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from attrs import field, frozen

from ..domain.authorities import AuthorityGraph
from ..domain.campaign import YEARS, Campaign, check_campaign
from ..domain.codes import code_problem
from ..domain.inputs import NAME, SHORT, check_sequence, check_text
from ..domain.names import TRACK_NEW, TRACK_RE_REVIEW, TRACKS
from ..domain.records import Material, Nomination
from ..errors import InvalidInput, NaiveDatetime
from .materials import MEDIA_TYPES
from .summary import RE_REVIEW_RECOMMENDED, SUMMARY_COLUMNS, scenario_label, summary_row, unit_type_label

__all__ = [
    "LETTER_COLUMNS",
    "MAX_DEPARTMENTS",
    "MAX_ROWS",
    "GeneratedDocument",
    "LetterContent",
    "LetterRow",
    "chinese_date",
    "keep_text",
    "letter_content",
    "letter_document",
    "letter_docx",
    "summary_table_document",
    "summary_table_xlsx",
]

#: At most this many units in one letter (a national campaign's largest sender has dozens).
MAX_ROWS: Final = 5000
#: At most this many departments stamp one letter.
MAX_DEPARTMENTS: Final = 20
#: The longest title, hop label or department name, in characters.
TITLE: Final = 500

#: The columns of the summary table sent with a letter (keys of ``SUMMARY_COLUMNS``): the
#: table of :mod:`pilotflow.reports` without the current state, which a letter does not date.
LETTER_COLUMNS: Final[tuple[str, ...]] = tuple(k for k in SUMMARY_COLUMNS if k != "state")

_FORMULA_START = ("=", "+", "-", "@")


def keep_text(cell: Any) -> Any:
    """An openpyxl ``cell`` holding a text kept as that text: stored as a string (openpyxl
    makes a text beginning with ``=`` a formula) and, where a spreadsheet would read it as
    one (``=``, ``+``, ``-``, ``@``), marked to be shown as typed."""
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, even when it begins with "="
        if cell.value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    return cell


# -- validation ------------------------------------------------------------------------------


def _text(what: str, zh: str, longest: int = NAME, *, empty: bool = False):  # type: ignore[no-untyped-def]
    """A validator: the text rule of :mod:`pilotflow.inputs`, text already stripped."""

    def check(_instance: object, _attribute: object, value: object) -> None:
        if empty and value == "":
            return
        if check_text(value, what, longest, zh=zh) != value:
            raise InvalidInput(
                f"{what} must not begin or end with white space, got {value!r}",
                f"{zh}首尾不能有空白字符",
            )

    return check


def _whole(what: str, zh: str, low: int, high: int):  # type: ignore[no-untyped-def]
    def check(_instance: object, _attribute: object, value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise InvalidInput(
                f"{what} must be a whole number from {low} to {high}, got {value!r}",
                f"{zh}必须是 {low} 到 {high} 之间的整数",
            )

    return check


def _unit_code(_instance: object, _attribute: object, value: Any) -> None:
    problem = code_problem(value)
    if problem is not None:
        raise InvalidInput(f"unit_code {value!r}: {problem[0]}", f"统一社会信用代码无效（{problem[1]}）")


def _moment(_instance: object, _attribute: object, value: Any) -> None:
    if not isinstance(value, datetime):
        raise InvalidInput(
            f"moment must be a datetime, got {type(value).__name__}", "日期必须是带时区的日期时间"
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetime("moment", value)
    if not YEARS[0] <= value.year <= YEARS[1]:
        raise InvalidInput(
            f"moment must fall in the years {YEARS[0]} to {YEARS[1]}, got {value.year}",
            f"日期须在 {YEARS[0]} 年至 {YEARS[1]} 年之间",
        )


def _rows(value: object) -> tuple[LetterRow, ...]:
    rows = check_sequence(value, "rows", MAX_ROWS)
    for row in rows:
        if not isinstance(row, LetterRow):
            raise InvalidInput(
                f"rows must hold LetterRow records, got {type(row).__name__}",
                "rows 参数只能包含 LetterRow 记录",
            )
    return rows


def _departments(value: object) -> tuple[str, ...]:
    names = check_sequence(value, "departments", MAX_DEPARTMENTS)
    for name in names:
        _text("departments item", "盖章部门名称", TITLE)(None, None, name)
    return names


@frozen
class LetterRow:
    """One unit of a letter, as its summary table shows it (the keys of
    :data:`LETTER_COLUMNS`, plus its track): Chinese labels, never codes, but the unit's own
    unified social credit code. ``rank`` is its place in the sender's order within its
    section (from 1); ``result`` the sender's result for it (``""``: none to state)."""

    track: str = field(validator=_text("track", "类别代码", SHORT))
    section: str = field(validator=_text("section", "类别", NAME))
    rank: int = field(validator=_whole("rank", "推荐排序", 1, MAX_ROWS))
    unit_name: str = field(validator=_text("unit_name", "单位名称", NAME))
    unit_code: str = field(validator=_unit_code)
    unit_type: str = field(validator=_text("unit_type", "类型", NAME))
    scenario: str = field(validator=_text("scenario", "应用场景", NAME, empty=True))
    origin: str = field(validator=_text("origin", "所在地区", NAME))
    batch: int = field(validator=_whole("batch", "批次", *YEARS))
    result: str = field(default="", validator=_text("result", "结果", NAME, empty=True))


@frozen
class LetterContent:
    """What a recommendation letter and its summary table say, and nothing else: the files
    written from it are a function of it alone.

    ``departments`` are the Chinese names of the departments that stamp, in order;
    ``moment`` (timezone-aware) dates the letter in its own time zone; ``rows`` are the
    units in the sender's order, grouped by section, each section numbered from 1.
    """

    campaign_id: str = field(validator=_text("campaign_id", "遴选活动标识", NAME))
    campaign_title: str = field(validator=_text("campaign_title", "遴选活动名称", TITLE))
    hop_label: str = field(validator=_text("hop_label", "报送材料名称", TITLE))
    sender_code: str = field(validator=_text("sender_code", "推荐单位代码", SHORT))
    sender_name: str = field(validator=_text("sender_name", "推荐单位名称", NAME))
    receiver_code: str = field(validator=_text("receiver_code", "接收单位代码", SHORT))
    receiver_name: str = field(validator=_text("receiver_name", "接收单位名称", NAME))
    departments: tuple[str, ...] = field(converter=_departments)
    moment: datetime = field(validator=_moment)
    rows: tuple[LetterRow, ...] = field(converter=_rows)

    def __attrs_post_init__(self) -> None:
        if not self.departments:
            raise InvalidInput("a letter is stamped by at least one department", "推荐函至少须由一个部门盖章")
        if len(set(self.departments)) != len(self.departments):
            raise InvalidInput("departments names a department twice", "盖章部门重复")
        if not self.rows:
            raise InvalidInput("a letter lists at least one unit", "推荐函至少须列出一个推荐单位")
        seen_tracks: list[str] = []
        units: set[tuple[str, str]] = set()
        for row in self.rows:
            if not seen_tracks or seen_tracks[-1] != row.track:
                if row.track in seen_tracks:
                    raise InvalidInput(
                        f"the rows of track {row.track!r} must follow each other",
                        f"“{row.section}”的单位须连续排列",
                    )
                seen_tracks.append(row.track)
                expected = 1
            if row.rank != expected:
                raise InvalidInput(
                    f"rank {row.rank} of {row.unit_name!r}: the rows of a section are numbered "
                    f"1, 2, 3... in order, expected {expected}",
                    f"“{row.unit_name}”的推荐排序为 {row.rank}，应为 {expected}（同一类别按顺序从 1 编号）",
                )
            expected += 1
            if (row.track, row.unit_code) in units:
                raise InvalidInput(
                    f"unit {row.unit_code} is listed twice in track {row.track!r}",
                    f"“{row.unit_name}”在“{row.section}”中重复列出",
                )
            units.add((row.track, row.unit_code))

    @property
    def sections(self) -> tuple[tuple[str, tuple[LetterRow, ...]], ...]:
        """The rows by section, in order: (heading, rows)."""
        out: list[tuple[str, list[LetterRow]]] = []
        for row in self.rows:
            if not out or out[-1][1][0].track != row.track:
                out.append((row.section, []))
            out[-1][1].append(row)
        return tuple((heading, tuple(rows)) for heading, rows in out)

    @property
    def counts(self) -> tuple[tuple[str, str, int], ...]:
        """How many units of each unit type each section lists: (section, unit type, count),
        in the order they first appear."""
        found: dict[tuple[str, str], int] = {}
        for row in self.rows:
            key = (row.section, row.unit_type)
            found[key] = found.get(key, 0) + 1
        return tuple((s, t, n) for (s, t), n in found.items())

    @property
    def table_title(self) -> str:
        """The summary table's title (the letter's attachment)."""
        return f"{self.campaign_title}汇总表"


# -- building the content from the domain ---------------------------------------------------


def letter_content(
    campaign: Campaign,
    graph: AuthorityGraph,
    *,
    sender: str,
    receiver: str,
    departments: Sequence[str],
    moment: datetime,
    nominations: Sequence[Nomination],
    letter_kind: str | None = None,
) -> LetterContent:
    """What the letter of ``sender`` to ``receiver`` says about ``nominations`` (in the
    sender's order; a track's units are kept together, the campaign's first track first).

    ``departments`` are the codes of the sender's departments that stamp (its ``stamping``
    departments in the graph of the run: ``run.graph``); ``moment`` dates the letter, shown in
    the campaign's time zone; ``letter_kind``, a material kind of the campaign, names what the
    letter is at this hop (``recommendation_opinion``: 推荐意见（含汇总表，附件4）; without
    it: 推荐函). Each nomination must be of this campaign and pass ``sender``. Unit types,
    scenarios and sections take the campaign's labels, authorities the graph's names. A re-review
    unit still on its way is shown recommended for retention (推荐通过复核); one that has ended
    with its result (撤销称号并摘牌...); a new application has no result to state.
    """
    check_campaign(campaign)
    if not isinstance(graph, AuthorityGraph):
        raise InvalidInput(
            f"graph must be an AuthorityGraph, got {type(graph).__name__}",
            "graph 参数必须是 AuthorityGraph 机关关系图",
        )
    sending = graph[check_text(sender, "sender", SHORT, zh="推荐单位")]
    receiving = graph[check_text(receiver, "receiver", SHORT, zh="接收单位")]
    if sending.code == receiving.code:
        raise InvalidInput("a letter's sender and receiver must differ", f"{sending.name}不能向自身推荐")
    _moment(None, None, moment)
    stampers = check_sequence(departments, "departments", MAX_DEPARTMENTS)
    names = {code: text.zh for code, text in campaign.departments.items()}
    for code in stampers:
        sending.check_department(check_text(code, "departments item", SHORT, zh="盖章部门"), names)
        if code not in names:
            raise InvalidInput(
                f"department {code!r} is not one of the campaign's departments",
                f"所填盖章部门不是本次遴选活动的部门（{sending.name}）",
            )
        if code not in sending.stamping:
            raise InvalidInput(
                f"department {code!r} reviews at {sending.code} but does not stamp its letters",
                f"{names[code]}部门在{sending.name}参与审查但不盖章，不能列为推荐函的盖章部门",
            )
    if len(set(stampers)) != len(stampers):
        raise InvalidInput("departments names a department twice", "盖章部门重复")
    hop_label = "推荐函"
    if letter_kind is not None:
        kind = campaign.materials.get(check_text(letter_kind, "letter_kind", SHORT, zh="推荐函材料类型"))
        if kind is None:
            raise InvalidInput(
                f"letter_kind {letter_kind!r} is not a material of the campaign",
                "所填推荐函材料类型不是本次遴选活动的材料",
            )
        hop_label = kind.name.zh
    given = check_sequence(nominations, "nominations", MAX_ROWS)
    order = {t: i for i, t in enumerate(dict.fromkeys((*campaign.tracks, *TRACKS)))}
    seen: set[str] = set()
    for n in given:
        _check_nomination(n, campaign, sending.code, sending.name, seen)
    ranked = sorted(given, key=lambda n: order.get(n.track, len(order)))  # stable: the sender's order
    rows: list[LetterRow] = []
    for n in ranked:
        rank = 1 if not rows or rows[-1].track != n.track else rows[-1].rank + 1
        rows.append(_row(n, campaign, graph, rank))
    zone = ZoneInfo(campaign.timezone)
    return LetterContent(
        campaign_id=campaign.id,
        campaign_title=campaign.title.zh,
        hop_label=hop_label,
        sender_code=sending.code,
        sender_name=sending.name,
        receiver_code=receiving.code,
        receiver_name=_addressee(receiving.name),
        departments=tuple(_department_name(sending.name, names[code]) for code in stampers),
        moment=moment.astimezone(zone),
        rows=tuple(rows),
    )


def _check_nomination(n: object, campaign: Campaign, sender: str, sender_name: str, seen: set[str]) -> None:
    if not isinstance(n, Nomination):
        raise InvalidInput(
            f"nominations must hold Nomination records, got {type(n).__name__}",
            "nominations 参数只能包含 Nomination 申报记录",
        )
    if n.campaign != campaign.id:
        raise InvalidInput(
            f"nomination {n.id} belongs to campaign {n.campaign!r}, not {campaign.id!r}",
            f"“{n.unit_name}”的申报不属于本次遴选活动",
        )
    if sender not in n.route:
        raise InvalidInput(
            f"nomination {n.id} does not pass {sender}: its route is {' → '.join(n.route)}",
            f"“{n.unit_name}”的推荐路径不经过{sender_name}，不能列入其推荐函",
        )
    if n.id in seen:
        raise InvalidInput(f"nomination {n.id} is given twice", f"“{n.unit_name}”重复列出")
    seen.add(n.id)


def _row(n: Nomination, campaign: Campaign, graph: AuthorityGraph, rank: int) -> LetterRow:
    """``n``'s row: the summary table's (:func:`~pilotflow.files.summary.summary_row`), ranked
    in the sender's order, with the result the sender states."""
    if unit_type_label(campaign, n.unit_type) is None or scenario_label(campaign, n.scenario) is None:
        raise InvalidInput(
            f"nomination {n.id}: unit type {n.unit_type!r} or scenario {n.scenario!r} is not the campaign's",
            f"“{n.unit_name}”的单位类型或应用场景不是本次遴选活动所列",
        )
    row = summary_row(n, campaign, graph)
    if n.track == TRACK_RE_REVIEW and n.is_live:
        row["result"] = RE_REVIEW_RECOMMENDED
    elif n.track == TRACK_NEW and n.is_live:
        row["result"] = ""
    row["rank"] = rank
    return LetterRow(track=n.track, **{key: row[key] for key in LETTER_COLUMNS})


def _addressee(name: str) -> str:
    """A receiver as a letter addresses it: a joint authority's members joined by 、, without
    the graph's （联合） (``工业和信息化部、民政部、国家卫生健康委员会``)."""
    bare = name.removesuffix("（联合）").strip()
    return "、".join(bare.split()) or name


_AGENCY_ENDINGS = ("部", "部门", "局", "厅", "委", "委员会", "办", "办公室", "中心", "总部")


def _department_name(sender: str, department: str) -> str:
    """A stamping department's name: the sender's name and the campaign's name of the
    department, with 主管部门 when that name is a field, not an agency
    (``山东省工业和信息化主管部门``)."""
    name = department if department.startswith(sender) else sender + department
    return name if name.endswith(_AGENCY_ENDINGS) else name + "主管部门"


# -- writing ---------------------------------------------------------------------------------


@frozen
class GeneratedDocument:
    """A file pilotflow wrote: its name, media type, bytes and their SHA-256 (hex); made by
    :func:`summary_table_document` and :func:`letter_document` (or :meth:`of`)."""

    filename: str = field(validator=_text("filename", "文件名", NAME))
    media_type: str = field(validator=_text("media_type", "文件类型", NAME))
    data: bytes = field(repr=False)
    sha256: str

    def __attrs_post_init__(self) -> None:
        if type(self.data) is not bytes or self.sha256 != hashlib.sha256(self.data).hexdigest():
            raise InvalidInput(
                "a generated document's sha256 must be the SHA-256 of its bytes",
                "生成文件的 SHA-256 摘要与其内容不符",
            )

    @classmethod
    def of(cls, filename: str, media_type: str, data: bytes) -> GeneratedDocument:
        return cls(filename, media_type, data, hashlib.sha256(data).hexdigest())

    @property
    def size(self) -> int:
        return len(self.data)

    def material(self, kind: str) -> Material:
        """The file as a :class:`~pilotflow.Material` of ``kind`` (one electronic copy)."""
        check_text(kind, "kind", SHORT, zh="材料类型")
        return Material(
            kind, filename=self.filename, sha256=self.sha256, size=self.size, media_type=self.media_type
        )

    def matches(self, sha256: str) -> bool:
        """Is ``sha256`` (hex, any case) the digest of these bytes?"""
        return isinstance(sha256, str) and sha256.lower() == self.sha256


def _checked(content: object) -> LetterContent:
    if not isinstance(content, LetterContent):
        raise InvalidInput(
            f"content must be a LetterContent, got {type(content).__name__}",
            "content 参数必须是 LetterContent 推荐函内容",
        )
    return content


def chinese_date(moment: datetime) -> str:
    """A moment's date as a letter writes it, in the moment's own time zone.

    >>> chinese_date(datetime(2023, 10, 18, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    '2023年10月18日'
    """
    _moment(None, None, moment)
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _utc(moment: datetime) -> datetime:
    """``moment`` as the naive UTC datetime (to the second) the packages' core properties hold."""
    return datetime(*moment.astimezone(UTC).timetuple()[:6])


def _stable_zip(data: bytes, moment: datetime) -> bytes:
    """The package ``data`` again, its parts in the same order, each stamped with ``moment``'s
    wall time, compressed at one fixed level, with no attribute of the machine that wrote it:
    the same parts always make the same bytes."""
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as target,
    ):
        for info in source.infolist():
            part = zipfile.ZipInfo(info.filename, stamp)
            part.create_system = 0
            part.external_attr = 0
            target.writestr(part, source.read(info), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()


def _width(text: str) -> int:
    """Display width: a wide (CJK) character counts twice."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def _file_stem(content: LetterContent) -> str:
    def safe(code: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]", "_", code)

    return f"{safe(content.sender_code)}-to-{safe(content.receiver_code)}"


def summary_table_xlsx(content: LetterContent) -> bytes:
    """The summary table of ``content`` as an XLSX workbook (one sheet, 汇总表): the title,
    who sends it to whom and when, the Chinese headers (frozen), then a row per unit.

    Every text is written as text, never as a formula (a name beginning with ``=``, ``+``,
    ``-`` or ``@`` is stored as that text, marked to be shown as typed).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    content = _checked(content)
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "汇总表"
    columns = LETTER_COLUMNS
    last = get_column_letter(len(columns))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")

    def put(row: int, column: int, value: object) -> Any:
        cell = sheet.cell(row=row, column=column)
        cell.value = value
        return keep_text(cell)

    title = put(1, 1, content.table_title)
    title.font = Font(bold=True, size=16)
    title.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 42
    info = put(
        2,
        1,
        f"推荐单位：{content.sender_name}　　报送：{content.receiver_name}　　"
        f"日期：{chinese_date(content.moment)}　　（{content.hop_label}）",
    )
    info.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.merge_cells(f"A2:{last}2")
    sheet.row_dimensions[2].height = 30
    header_fill = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
    widths = [_width(SUMMARY_COLUMNS[key]) for key in columns]
    for i, key in enumerate(columns, start=1):
        cell = put(3, i, SUMMARY_COLUMNS[key])
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for r, row in enumerate(content.rows, start=4):
        for i, key in enumerate(columns, start=1):
            value = getattr(row, key)
            cell = put(r, i, value if value != "" else None)
            cell.border = box
            cell.alignment = wrap
            widths[i - 1] = max(widths[i - 1], _width(str(value)))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), 60)
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    when = _utc(content.moment)
    book.properties.creator = content.sender_name
    book.properties.lastModifiedBy = content.sender_name
    book.properties.title = content.table_title
    book.properties.created = when
    book.properties.modified = when
    out = io.BytesIO()
    ExcelWriter(book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return _stable_zip(out.getvalue(), content.moment)


_NUMERALS = "一二三四五六七八九十"


def _measure(unit_type: str) -> str:
    return "家" if unit_type.endswith(("企业", "公司", "单位", "机构")) else "个"


def _counts_text(content: LetterContent) -> str:
    parts = []
    for heading, rows in content.sections:
        kinds = "、".join(f"{t}{n}{_measure(t)}" for s, t, n in content.counts if s == heading)
        parts.append(f"{heading}{len(rows)}个（{kinds}）")
    return "；".join(parts)


def letter_docx(content: LetterContent) -> bytes:
    """A draft of the recommendation letter of ``content`` as a Word document (A4): its title
    (关于推荐……的函), the receiver addressed, the campaign and the number of units of each
    type, the units in order (a table per section, with the summary table's headers), the
    departments' names each with room for its stamp, and the date (2023年10月18日)."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    content = _checked(content)
    document: Any = docx.Document()
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(37), Mm(35)
    page.left_margin, page.right_margin = Mm(28), Mm(26)

    def font(style_or_run: Any, latin: str, east_asian: str, size: float, bold: bool = False) -> None:
        style_or_run.font.name = latin
        style_or_run.font.size = Pt(size)
        style_or_run.font.bold = bold
        fonts = style_or_run.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), east_asian)

    font(document.styles["Normal"], "FangSong", "仿宋_GB2312", 16)
    document.styles["Normal"].paragraph_format.line_spacing = Pt(28)

    def paragraph(text: str = "", *, align: Any = None, indent: bool = False, bold: bool = False) -> Any:
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(32)
        if text:
            run = p.add_run(text)
            run.bold = bold or None
        return p

    title = paragraph(align=WD_ALIGN_PARAGRAPH.CENTER)
    font(title.add_run(f"关于推荐{content.campaign_title}单位的函"), "SimSun", "方正小标宋简体", 22)
    paragraph()
    paragraph(f"{content.receiver_name}：")
    stampers = "、".join(content.departments)
    paragraph(
        f"按照{content.campaign_title}工作要求，{stampers}对申报单位逐一审查、核实，经协商一致，"
        f"现推荐{len(content.rows)}个单位，其中{_counts_text(content)}。推荐单位按推荐顺序列示如下。",
        indent=True,
    )
    for i, (heading, rows) in enumerate(content.sections):
        numeral = _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)
        paragraph(f"{numeral}、{heading}（{len(rows)}个）", indent=True, bold=True)
        keys = ["rank", "unit_name", "unit_code", "unit_type", "scenario", "origin"]
        if any(row.result for row in rows):
            keys.append("result")
        table = document.add_table(rows=1, cols=len(keys))
        table.style = document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, key in zip(table.rows[0].cells, keys, strict=True):
            cell.text = SUMMARY_COLUMNS[key]
            font(cell.paragraphs[0].runs[0], "SimHei", "黑体", 10.5, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for cell, key in zip(cells, keys, strict=True):
                cell.text = str(getattr(row, key))
                if cell.paragraphs[0].runs:
                    font(cell.paragraphs[0].runs[0], "FangSong", "仿宋_GB2312", 10.5)
        paragraph()
    paragraph("特此函告。", indent=True)
    paragraph()
    paragraph(f"附件：{content.table_title}", indent=True)
    paragraph()
    per_line = 3
    for start in range(0, len(content.departments), per_line):
        names = content.departments[start : start + per_line]
        stamps = document.add_table(rows=2, cols=len(names))
        stamps.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell in stamps.rows[0].cells:
            cell.text = "（盖章）"
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.add_paragraph()
            cell.add_paragraph()
        for cell, name in zip(stamps.rows[1].cells, names, strict=True):
            cell.text = name
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            font(cell.paragraphs[0].runs[0], "FangSong", "仿宋_GB2312", 14)
        paragraph()
    paragraph(chinese_date(content.moment), align=WD_ALIGN_PARAGRAPH.RIGHT)
    properties = document.core_properties
    when = _utc(content.moment)
    properties.title = f"关于推荐{content.campaign_title}单位的函"
    properties.subject = content.hop_label
    properties.author = content.sender_name
    properties.last_modified_by = content.sender_name
    properties.created = when
    properties.modified = when
    properties.last_printed = when
    properties.revision = 1
    properties.comments = ""
    properties.keywords = ""
    properties.category = ""
    out = io.BytesIO()
    document.save(out)
    return _stable_zip(out.getvalue(), content.moment)


def summary_table_document(content: LetterContent) -> GeneratedDocument:
    """The summary table of ``content`` as a named file with its SHA-256."""
    data = summary_table_xlsx(content)
    return GeneratedDocument.of(f"summary-{_file_stem(content)}.xlsx", MEDIA_TYPES["xlsx"], data)


def letter_document(content: LetterContent) -> GeneratedDocument:
    """The draft letter of ``content`` as a named file with its SHA-256."""
    data = letter_docx(content)
    return GeneratedDocument.of(f"letter-{_file_stem(content)}.docx", MEDIA_TYPES["docx"], data)
