"""Tables for people: the summary table (附件4) and the import of earlier winners.

The summary table of an authority lists the 2023 units it recommended, in its ranking, and
the results of the re-review of the earlier winners in its area — as a pandas ``DataFrame``
(:func:`summary_table`) and as an XLSX file with Chinese column headers (:func:`write_summary`).
pandas and openpyxl are optional (``pip install 'pilotflow[reports]'``) and imported lazily.

Earlier winners are read from CSV or XLSX by :func:`load_winners` (columns ``unit_code,
unit_name, unit_type, batch, authority``; Chinese headers 统一社会信用代码, 单位名称, 类型,
批次, 所在地区代码 are accepted too).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .app.results import _year as year_rule
from .app.run import CampaignRun, Winner
from .domain.codes import code_problem
from .domain.inputs import NAME, check_text, wrong_argument
from .domain.names import S_PREPARE, S_SEND, TRACK_NEW, TRACK_RE_REVIEW
from .domain.records import Nomination
from .domain.submissions import Submission, apply_submission
from .errors import CampaignFileError, InvalidInput
from .files._io import LIST_FILE_MAX_BYTES, fs_path, read_bytes, read_text, write_files, write_refused
from .files._xml import HARDENED
from .files.campaign_file.messages import short
from .files.letters import keep_text
from .files.summary import SUMMARY_COLUMNS, section, summary_row

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SUMMARY_COLUMNS", "load_winners", "section", "summary_table", "write_summary"]


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "the summary table needs pandas and openpyxl: pip install 'pilotflow[reports]'"
        ) from exc
    return pd


def _ranks(run: CampaignRun, authority: str) -> dict[str, tuple[int, int]]:
    """(rank given at the authority's selection; order of its recommendation), by unit it
    recommended. A unit is recommended only when a letter of its holder is sent, with its
    place in that letter as its rank (the ``rank`` of its ``recommend`` event: see
    :mod:`pilotflow.app.letters`); so the ranks are read from the authority's own letters (by
    sender) and their events (by id), folded in log order, not from the whole log. A unit
    sent again keeps its last rank."""
    store, campaign = run.store, run.campaign.id
    letters = [s.id for s in store.submissions(campaign, sender=authority)]
    out: dict[str, tuple[int, int]] = {}
    held: dict[str, Submission] = {}
    order = itertools.count()
    for e in store.iter_events(campaign, ids=letters) if letters else ():
        letter = held.get(e.nomination_id)
        if e.action == S_SEND and letter is not None:
            for rank, nid in enumerate(letter.units, 1):
                out[nid] = (rank, next(order))
        if letter is not None or e.action == S_PREPARE:
            held[e.nomination_id] = apply_submission(letter, e)
    return out


def summary_rows(run: CampaignRun, authority: str) -> list[dict[str, Any]]:
    """The rows of the summary table of ``authority``: the 2023 units it recommended, in its
    ranking, then the earlier winners of its area under re-review (those it recommended in
    its ranking first, then the others), each with its state and result.

    Read through the store's indexes: the units it recommended by id, the re-review units by
    track (a national campaign's table of one province in well under a second)."""
    if not isinstance(run, CampaignRun):
        raise InvalidInput(
            f"run must be a CampaignRun, got {type(run).__name__}", "run 参数必须是 CampaignRun"
        )
    run.campaign.taking_part(run.graph[authority], "authority")  # unknown, or outside the scope: refused
    ranks = _ranks(run, authority)
    store, campaign = run.store, run.campaign.id
    chosen = [n for n in store.get_many(list(ranks)) if n.campaign == campaign and authority in n.route]
    reviewed = store.track_nominations(campaign, TRACK_RE_REVIEW)
    chosen += [n for n in reviewed if authority in n.route and n.id not in ranks]
    chosen.sort(key=lambda n: (n.created_at, n.id))  # as the campaign lists them, then:
    chosen.sort(key=lambda n: (n.track != TRACK_NEW, *ranks.get(n.id, (10**6, 10**9)), n.created_at))
    rows = []
    position = {"new": 0, "re_review": 0}
    for n in chosen:
        row = _row(n, run)
        if n.id in ranks:
            position[n.track] += 1
            row["rank"] = position[n.track]
        rows.append(row)
    return rows


def _row(n: Nomination, run: CampaignRun) -> dict[str, Any]:
    return summary_row(n, run.campaign, run.graph)


def summary_table(run: CampaignRun, authority: str) -> pd.DataFrame:
    """The summary table (附件4) of ``authority`` as a DataFrame with Chinese headers."""
    pd = _pandas()
    rows = summary_rows(run, authority)
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    frame["rank"] = frame["rank"].astype("Int64")
    return frame.rename(columns=dict(SUMMARY_COLUMNS))


def write_summary(run: CampaignRun, authority: str, path: str | os.PathLike[str]) -> Path:
    """Write the summary table of ``authority`` to an XLSX file; return its path.

    Every text is written as text, never as a formula (a unit named ``=HYPERLINK(...)`` is
    that name, shown as typed). The file is written whole or not at all: through a
    ``.partial`` file renamed into place.
    A ``path`` that names a folder, or that the operating system will not write (a name too
    long, a read-only or special file system...), is :class:`~pilotflow.errors.InvalidInput`
    naming it, and leaves no file behind."""
    target = Path(fs_path(path, "path"))
    if target.suffix.lower() != ".xlsx":
        raise InvalidInput(
            f"the summary table is written as .xlsx, not {target.suffix or 'no extension'}",
            "汇总表须保存为 .xlsx 文件",
        )
    if not os.path.isdir(target.parent):
        raise InvalidInput(
            f"path: no such folder: {target.parent}", f"path 参数所在的目录不存在：{target.parent}"
        )
    if os.path.isdir(target):
        raise InvalidInput(
            f"path: {str(target)!r} is a folder, not a file",
            f"path 参数所指的是文件夹，不是文件：{str(target)!r}",
        )
    frame = summary_table(run, authority)
    title = f"{run.graph[authority].name} 推荐单位和复核情况汇总表"
    buffer = io.BytesIO()
    with _pandas().ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="汇总表", startrow=1)
        sheet = writer.sheets["汇总表"]
        sheet.cell(row=1, column=1, value=title)
        for row in sheet.iter_rows():  # (a name is text, never a formula: "=HYPERLINK(...)")
            for cell in row:
                keep_text(cell)
        for i, header in enumerate(frame.columns, start=1):
            width = max(len(str(header)) * 2, *(len(str(v)) * 2 for v in frame[header]), 8)
            sheet.column_dimensions[sheet.cell(row=2, column=i).column_letter].width = min(width, 60)
    try:
        write_files([(target, buffer.getvalue())])
    except OSError as exc:
        raise write_refused("path", target, exc) from None
    return target


_WINNER_COLUMNS = {
    "unit_code": ("unit_code", "统一社会信用代码"),
    "unit_name": ("unit_name", "单位名称"),
    "unit_type": ("unit_type", "类型"),
    "batch": ("batch", "批次"),
    "authority": ("authority", "所在地区代码"),
}


#: At most this many earlier winners in one file.
MAX_WINNER_ROWS = 100_000
#: At most this many rows of an XLSX sheet are read, empty ones included.
_XLSX_ROWS = 4 * MAX_WINNER_ROWS

#: The most bytes all the parts of an XLSX winners file may unpack to (a sheet of 100,000
#: winners is some 40 MB of XML), and the most parts it may have.
_XLSX_UNPACKED = 128 << 20
_XLSX_PARTS = 1_000
#: The most cells one row, and one sheet, may hold: openpyxl builds a whole row (about 700
#: bytes a cell) before it is cut to its first 20 columns.
_XLSX_ROW_CELLS = 1_000
_XLSX_CELLS = 2_000_000
#: The most XML elements all the parts may hold: 40 a row of the most winners a file may hold
#: (20 cells of a number or a shared string, 13 of an inline text: 2 or 3 elements a cell),
#: their rows, and room for the rest (a part of nothing but empty elements is refused here).
_XLSX_ELEMENTS = 40 * MAX_WINNER_ROWS + _XLSX_ROWS + 100_000
#: The deepest nesting and the longest text of an XML part: libxml2's own limits when it
#: builds a tree (256 levels, 10,000,000 characters), kept when it builds none.
_XML_DEPTH = 256
_XML_TEXT = 10_000_000

#: A batch as a file may write it: a whole number (``2017``, or ``2017.0`` as a spreadsheet
#: stores a number), in ASCII digits.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,8}(?:\.0{1,8})?")

#: A row of a winners file: its number as a spreadsheet counts it (the header is row 1) and
#: its cells, in the order of the header.
_Row = tuple[int, Sequence[Any]]


def load_winners(
    path: str | os.PathLike[str], *, unit_types: Mapping[str, str] | None = None
) -> list[Winner]:
    """Read earlier winners from a CSV (UTF-8) or XLSX file. Errors name the row and column.

    ``unit_types`` maps other spellings (e.g. Chinese names 企业) to the campaign's codes.
    A row the file gets wrong is :class:`~pilotflow.errors.CampaignFileError` naming the file,
    the row as a spreadsheet numbers it (the header is row 1) and the column
    (``row 502.batch``); a batch must be a year written as a whole number.
    """
    source = fs_path(path, "path")
    aliases = _unit_type_aliases(unit_types)
    suffix = Path(source).suffix.lower()
    what = ("winners file", "获奖单位名单文件")
    if suffix == ".xlsx":
        header, rows = _xlsx_rows(source, read_bytes(source, limit=LIST_FILE_MAX_BYTES, what=what))
    elif suffix == ".csv":
        text = read_text(source, limit=LIST_FILE_MAX_BYTES, encoding="utf-8-sig", what=what)
        header, rows = _csv_rows(source, text)
    else:
        raise CampaignFileError(source, "", "expected a .csv or .xlsx file", "应为 .csv 或 .xlsx 文件")
    if len(rows) > MAX_WINNER_ROWS:
        raise CampaignFileError(
            source, "", f"more than {MAX_WINNER_ROWS} rows", f"超过 {MAX_WINNER_ROWS} 行，过多"
        )
    if not rows:
        raise CampaignFileError(source, "", "the file has no rows", "文件没有数据行")
    column: dict[str, int] = {}  # the place of each column in the header (the last of a name)
    for key, names in _WINNER_COLUMNS.items():
        found = next((n for n in names if n in header), None)
        if found is None:
            raise CampaignFileError(
                source, "header", f"missing column {names[0]} (or {names[1]})", f"缺少列 {names[1]}"
            )
        column[key] = len(header) - 1 - header[::-1].index(found)
    return [_winner(source, n, {k: _cell(row, i) for k, i in column.items()}, aliases) for n, row in rows]


def _cell(row: Sequence[Any], i: int) -> str:
    """The text of cell ``i`` of ``row`` (a cell past the end of the row is empty)."""
    return str(row[i] or "").strip() if i < len(row) else ""


def _unit_type_aliases(value: object) -> Mapping[str, str]:
    """``unit_types`` checked: None, or a mapping of spellings to unit type codes, both texts."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise wrong_argument(
            "unit_types",
            "a mapping of spellings to unit type codes (a dict of str to str)",
            "由写法到单位类型代码的映射（字典，键和值均为文本）",
            value,
        )
    return {
        check_text(k, "unit_types key", NAME, zh="unit_types 的键"): check_text(
            v, f"unit_types[{short(k)}]", NAME, zh=f"unit_types 中 {short(k)} 对应的类型"
        )
        for k, v in value.items()
    }


def _winner(source: str, n: int, values: dict[str, str], aliases: Mapping[str, str]) -> Winner:
    """The winner of row ``n`` of the file ``source``; its first problem is a
    :class:`CampaignFileError` naming the row and the column."""
    problem = code_problem(values["unit_code"])
    if problem is not None:
        raise CampaignFileError(
            source, f"row {n}.unit_code", problem[0], f"统一社会信用代码无效（{problem[1]}）"
        )
    for key in ("unit_name", "unit_type", "authority"):
        try:
            values[key] = check_text(values[key], key, NAME, zh=_WINNER_COLUMNS[key][1])
        except InvalidInput as exc:
            raise CampaignFileError(source, f"row {n}.{key}", exc.en, exc.zh) from None
    shown = short(values["batch"])
    if not _WHOLE_NUMBER.fullmatch(values["batch"]):
        raise CampaignFileError(
            source,
            f"row {n}.batch",
            f"{shown} is not a year (a whole number)",
            f"批次 {shown} 不是年份（整数）",
        )
    batch = int(values["batch"].partition(".")[0])
    try:  # (the winner's own rule: a batch within the campaigns' years)
        year_rule("winner batch", batch)
    except InvalidInput as exc:
        raise CampaignFileError(source, f"row {n}.batch", exc.en, exc.zh) from None
    unit_type = aliases.get(values["unit_type"], values["unit_type"])
    return Winner(values["unit_code"], values["unit_name"], unit_type, batch, values["authority"])


def _csv_rows(source: str, text: str) -> tuple[list[str], list[_Row]]:
    """The header (row 1, its names stripped) of a CSV file and the rows after it, numbered
    as a spreadsheet shows them (one per record: a blank line is an empty row, a quoted cell
    may hold line breaks); empty rows are left out, at most one row past the limit read."""
    try:
        records = csv.reader(io.StringIO(text))
        header = [h.strip() for h in next(records, [])]
        rows: list[_Row] = []
        for n, record in enumerate(records, start=2):
            if any(cell.strip() for cell in record):
                rows.append((n, record))
                if len(rows) > MAX_WINNER_ROWS:
                    break
    except csv.Error as exc:
        raise CampaignFileError(
            source, "", f"not a readable CSV file ({exc})", "不是可读取的 CSV 文件"
        ) from None
    return header, rows


def _xlsx_rows(source: str, data: bytes) -> tuple[list[str], list[_Row]]:
    """The header (row 1) of the first sheet of an XLSX file and its rows after it, numbered
    as the sheet numbers them; empty rows are left out."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError("reading .xlsx needs openpyxl: pip install 'pilotflow[reports]'") from exc
    _xlsx_bounds(source, data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # Rows read as they are unpacked: the header, then rows up to one past the limit of
        # winners (empty rows are not counted, as in a CSV file), and at most _XLSX_ROWS in
        # all (a sheet claiming millions of rows is refused, not expanded).
        header: list[str] = []
        rows: list[_Row] = []
        for n, row in enumerate(sheet.iter_rows(values_only=True, max_col=20), start=1):
            if n == 1:
                header = [str(h).strip() if h is not None else "" for h in row]
            elif any(v is not None for v in row):
                rows.append((n, row))
                if len(rows) > MAX_WINNER_ROWS:
                    break
            if n > _XLSX_ROWS:
                raise CampaignFileError(
                    source, "", f"more than {_XLSX_ROWS} rows, empty ones included",
                    f"超过 {_XLSX_ROWS} 行（含空行），过多",
                )  # fmt: skip
        book.close()
    except CampaignFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise CampaignFileError(
            source, "", f"not a readable .xlsx file ({exc})", "不是可读取的 .xlsx 文件"
        ) from exc
    return header, rows


def _xlsx_bounds(source: str, data: bytes) -> None:
    """Refuse, before openpyxl reads it, a workbook that would take memory or time out of
    proportion to the winners it can hold: more than :data:`_XLSX_PARTS` parts or
    :data:`_XLSX_UNPACKED` bytes unpacked (a ZIP bomb: ``zipfile`` never unpacks a part past
    the size it declares), more than :data:`_XLSX_ELEMENTS` XML elements in all, a row of more
    than :data:`_XLSX_ROW_CELLS` cells or a sheet of more than :data:`_XLSX_CELLS`. Every XML
    part is streamed, wherever it lies (openpyxl reads a sheet at any path the workbook names,
    ``xl/sheet1.bin`` as well), with no DTD, no entities, no network, and no tree built: the
    parser only counts the elements as they go by."""
    from lxml import etree

    def refuse(en: str, zh: str) -> CampaignFileError:
        return CampaignFileError(source, "", en, zh)

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = package.infolist()
            unpacked = sum(p.file_size for p in parts)
            if len(parts) > _XLSX_PARTS or unpacked > _XLSX_UNPACKED:
                raise refuse(
                    f"the workbook unpacks to {unpacked} bytes in {len(parts)} parts; at most "
                    f"{_XLSX_UNPACKED >> 20} MiB in {_XLSX_PARTS} parts are read",
                    f"工作簿解压后为 {unpacked} 字节、{len(parts)} 个部件，超过上限"
                    f"（{_XLSX_UNPACKED >> 20} MiB、{_XLSX_PARTS} 个部件）",
                )
            counted = _Counted(refuse)
            for part in parts:
                # Every part that is XML, wherever it is and however it is named: openpyxl
                # reads a sheet at whatever path the workbook's relationships give it.
                if part.is_dir() or not _xml_start(package, part):
                    continue
                counted.part, counted.cells, counted.in_row, counted.depth = part.filename, 0, 0, 0
                parser = etree.XMLParser(target=counted, **HARDENED)
                with package.open(part) as stream:
                    while chunk := stream.read(1 << 16):
                        parser.feed(chunk)
                parser.close()
    except CampaignFileError:
        raise
    except Exception as exc:  # zipfile's and lxml's errors for a bad file
        raise CampaignFileError(
            source, "", f"not a readable .xlsx file ({exc})", "不是可读取的 .xlsx 文件"
        ) from exc


class _Counted:
    """The target of lxml's parser for :func:`_xlsx_bounds`: it counts the elements of a
    workbook's XML parts, the cells of each row and of each part, the depth of nesting and the
    length of each text, as they go by, and refuses one past a bound. The parser builds no
    tree, so libxml2's own limits of depth and text (which guard a tree) do not apply: they
    are kept here, and memory stays flat whatever the part."""

    def __init__(self, refuse: Callable[[str, str], CampaignFileError]) -> None:
        self.refuse = refuse
        self.part = ""
        self.elements = self.cells = self.in_row = self.depth = self.text = 0

    def start(self, tag: str, attrib: object) -> None:
        self.elements += 1
        self.depth += 1
        self.text = 0
        if self.elements > _XLSX_ELEMENTS:
            raise self.refuse(
                f"{self.part}: more than {_XLSX_ELEMENTS} XML elements in the workbook",
                f"{self.part}：工作簿的 XML 元素超过 {_XLSX_ELEMENTS} 个",
            )
        if self.depth > _XML_DEPTH:
            raise self.refuse(
                f"{self.part}: XML elements nested more than {_XML_DEPTH} deep",
                f"{self.part}：XML 元素嵌套超过 {_XML_DEPTH} 层",
            )
        name = tag.rpartition("}")[2]
        if name == "c":
            self.cells, self.in_row = self.cells + 1, self.in_row + 1
            if self.in_row > _XLSX_ROW_CELLS or self.cells > _XLSX_CELLS:
                raise self.refuse(
                    f"{self.part}: more than {_XLSX_ROW_CELLS} cells in a row or {_XLSX_CELLS} in the sheet",
                    f"{self.part}：单行超过 {_XLSX_ROW_CELLS} 个单元格或全表超过 {_XLSX_CELLS} 个单元格",
                )
        elif name == "row":
            self.in_row = 0

    def end(self, tag: str) -> None:
        self.depth -= 1
        self.text = 0

    def data(self, text: str) -> None:
        self.text += len(text)  # (one text may come in several pieces)
        if self.text > _XML_TEXT:
            raise self.refuse(
                f"{self.part}: a text of more than {_XML_TEXT} characters",
                f"{self.part}：单段文字超过 {_XML_TEXT} 个字符",
            )

    def close(self) -> None:
        return None


def _xml_start(package: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """Whether ``part`` of ``package`` begins as XML does (``<`` after an optional byte order
    mark and white space): a sheet, or any other XML part; an image or a binary part does not."""
    with package.open(part) as stream:
        head = stream.read(512)
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")
