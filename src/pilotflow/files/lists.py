"""Lists of units read from CSV files: columns ``unit_code, unit_name, since, until, reason``
(and ``group``, optional, for group quota caps);
dates as ``2023-10-10`` (the start of that day in the campaign's time zone) or an ISO
date-time with an offset. A malformed file is refused with its row and column."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from datetime import date, datetime

from ..domain.calendar import DEFAULT_TIMEZONE, MOMENT_YEARS, by_date, zone
from ..domain.codes import code_problem
from ..domain.inputs import wrong_argument
from ..domain.screening import Listing, UnitList, built_of_checked_texts, check_entry_texts
from ..errors import CampaignFileError, InvalidInput
from ._io import LIST_FILE_MAX_BYTES, fs_path, read_text

__all__ = ["load_list", "parse_list"]


_COLUMNS = ("unit_code", "unit_name", "since", "until", "reason", "group")


def _when(text: str, source: str, path: str, timezone: str) -> datetime:
    text = text.strip()
    try:
        if len(text) > 64:
            raise ValueError(text)
        value: date = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
    except ValueError:
        raise CampaignFileError(
            source,
            path,
            f"{_token(text)} is not a date (YYYY-MM-DD) or an ISO date-time",
            f"{_token(text)} 不是日期（YYYY-MM-DD）或 ISO 日期时间",
        ) from None
    _year(value.year, text, source, path)
    if not isinstance(value, datetime):
        return by_date(value, inclusive=False, timezone=timezone)  # the midnight that starts it
    if value.tzinfo is None:
        raise CampaignFileError(
            source,
            path,
            f"{_token(text)} has a time but no offset (write e.g. +08:00)",
            f"{_token(text)} 有时间但没有时区偏移（请写明如 +08:00）",
        )
    return value


def _year(year: int, text: str, source: str, path: str) -> None:
    low, high = MOMENT_YEARS
    if not low <= year <= high:
        raise CampaignFileError(
            source,
            path,
            f"the year of {_token(text)} must be from {low} to {high}",
            f"{_token(text)} 的年份必须在 {low} 至 {high} 年之间",
        )


def _token(text: str) -> str:
    """A value from the file, quoted for a message: escaped and cut short."""
    quoted = repr(text[:40])
    return quoted if len(text) <= 40 else quoted[:-1] + "...'"


def load_list(
    path: str | os.PathLike[str],
    list_id: str,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> UnitList:
    """Read a list from a UTF-8 CSV file with columns ``unit_code, unit_name, since, until,
    reason`` (``until`` may be empty). Errors name the file, row and column.

    Only a regular file of at most 16 MiB (``LIST_FILE_MAX_BYTES``) is read (a FIFO, a
    device or a directory is refused without waiting on it). Raises
    :class:`~pilotflow.errors.CampaignFileError` for a file that cannot be read or is
    malformed, and :class:`~pilotflow.errors.InvalidInput` for an argument of the wrong type.
    """
    name = fs_path(path, "path")
    _list_arguments(list_id, timezone)
    text = read_text(name, limit=LIST_FILE_MAX_BYTES, encoding="utf-8-sig", what=("list file", "名单文件"))
    return parse_list(text, list_id, source=name, timezone=timezone)


def _list_arguments(list_id: object, timezone: object) -> None:
    if not isinstance(list_id, str) or not list_id:
        raise wrong_argument("list_id", "a non-empty str", "非空字符串", list_id)
    zone(timezone)  # an IANA time zone name, or InvalidInput


def parse_list(
    text: str, list_id: str, *, source: str = "<string>", timezone: str = DEFAULT_TIMEZONE
) -> UnitList:
    """Like :func:`load_list`, from the CSV text itself."""
    if not isinstance(text, str):
        raise wrong_argument("text", "the CSV text (a str)", "CSV 文本（字符串）", text)
    if not isinstance(source, str):
        raise wrong_argument("source", "a name for the text (a str)", "文本的名称（字符串）", source)
    _list_arguments(list_id, timezone)
    reader = csv.DictReader(io.StringIO(text))
    try:
        return built_of_checked_texts(list_id, _rows(reader, source, timezone))  # (judged per row)
    except csv.Error as exc:
        raise CampaignFileError(
            source,
            f"row {reader.reader.line_num}",
            f"not readable as CSV ({_token(str(exc))})",
            "无法按 CSV 读取（请检查引号、空字符与过长的字段）",
        ) from None


def _rows(reader: csv.DictReader[str], source: str, timezone: str) -> Iterator[Listing]:
    missing = [c for c in ("unit_code", "since") if c not in (reader.fieldnames or ())]
    if missing:
        raise CampaignFileError(
            source,
            "header",
            f"missing column(s) {', '.join(missing)}; expected {', '.join(_COLUMNS)}",
            f"缺少列 {'、'.join(missing)}；应有列 {'、'.join(_COLUMNS)}",
        )
    unknown = [c for c in reader.fieldnames or () if c not in _COLUMNS]
    if unknown:
        raise CampaignFileError(
            source,
            "header",
            f"unknown column(s) {', '.join(map(_token, unknown))}; expected {', '.join(_COLUMNS)}",
            f"未知列 {'、'.join(map(_token, unknown))}；应有列 {'、'.join(_COLUMNS)}",
        )
    dated: dict[str, datetime] = {}  # one conversion per distinct date: lists repeat a few

    def when(text: str, where: str) -> datetime:
        found = dated.get(text)
        if found is None:
            found = dated[text] = _when(text, source, where, timezone)
        return found

    for n, row in enumerate(reader, start=2):
        extra = row.get(None)  # (DictReader's key of the fields past the header)
        if extra:
            raise CampaignFileError(
                source,
                f"row {n}",
                f"{len(extra)} field(s) more than the header's {len(reader.fieldnames or ())} columns",
                f"比表头的 {len(reader.fieldnames or ())} 列多出 {len(extra)} 个字段",
            )
        code = (row.get("unit_code") or "").strip()
        problem = code_problem(code)
        if problem is not None:
            raise CampaignFileError(
                source,
                f"row {n}.unit_code",
                f"{_token(code)} is not a valid unified social credit code: {problem[0]}",
                f"{_token(code)} 不是有效的统一社会信用代码（{problem[1]}）",
            )
        since = when(row.get("since") or "", f"row {n}.since")
        until_text = (row.get("until") or "").strip()
        until = when(until_text, f"row {n}.until") if until_text else None
        if until is not None and until <= since:
            raise CampaignFileError(
                source, f"row {n}.until", "must be after since", "移出日期必须晚于列入日期"
            )
        listing = Listing(
            code,
            since,
            until,
            (row.get("reason") or "").strip(),
            (row.get("unit_name") or "").strip(),
            (row.get("group") or "").strip(),
        )
        try:  # (the rule the list is built with, said with the file's row)
            check_entry_texts(listing, "", "")
        except InvalidInput as exc:
            raise CampaignFileError(source, f"row {n}", exc.en, exc.zh) from None
        yield listing
