"""Lists of units: disqualification lists (经营异常名录…) and priority lists (储备库).

A :class:`UnitList` is data with its own ``version`` (a hash of its entries). Each
:class:`Listing` has a validity period: it bars (or favours) its unit from ``since``
(inclusive) until ``until`` (exclusive; ``None`` = still listed), so a listing that begins or
expires in the middle of the campaign is judged as of the moment of each action.

>>> import pendulum
>>> day = lambda d: pendulum.datetime(2023, 10, d, tz="Asia/Shanghai")
>>> lst = UnitList.build("dishonest_debtors", [
...     Listing("91350100M000100Y43", since=day(10), until=day(20), reason="判决未履行"),
... ])
>>> lst.hit("91350100M000100Y43", day(15)).reason
'判决未履行'
>>> lst.hit("91350100M000100Y43", day(20)) is None
True

Lists are read from CSV with :func:`load_list` (columns ``unit_code, unit_name, since, until,
reason``; dates as ``2023-10-10`` or with an offset).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime

import pendulum
from attrs import frozen

from ..errors import CampaignFileError, InvalidInput
from ..files._io import LIST_FILE_MAX_BYTES, MOMENT_YEARS, fs_path, read_text, wrong_argument
from .calendar import DEFAULT_TIMEZONE, moment, zone
from .codes import check_code

__all__ = ["Listing", "UnitList", "load_list"]


@frozen
class Listing:
    """One unit on a list, from ``since`` (inclusive) to ``until`` (exclusive, or open)."""

    unit_code: str
    since: datetime
    until: datetime | None = None
    reason: str = ""
    unit_name: str = ""

    def active(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@frozen
class UnitList:
    """A versioned list of units. Build it with :meth:`build` (which checks and hashes)."""

    id: str
    version: str
    entries: tuple[Listing, ...]
    _index: Mapping[str, tuple[Listing, ...]]

    @classmethod
    def build(cls, list_id: str, entries: Iterable[Listing], version: str | None = None) -> UnitList:
        """Check every entry and index them; ``version`` defaults to a hash of the entries."""
        if not isinstance(list_id, str) or not list_id:
            raise InvalidInput("a list needs a non-empty id", "名单必须有非空的标识")
        if version is not None and (not isinstance(version, str) or not version):
            raise wrong_argument("version", "a non-empty str or None", "非空字符串或 None", version)
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise wrong_argument("entries", "an iterable of Listing", "Listing 的可迭代对象", entries)
        items = tuple(entries)
        index: dict[str, list[Listing]] = {}
        digest = hashlib.sha256()
        for n, entry in enumerate(items):
            where = f"list {list_id!r}, entry {n + 1}"
            if not isinstance(entry, Listing):
                raise wrong_argument(f"entries[{n}]", "a Listing", "Listing", entry)
            problem = check_code(entry.unit_code)
            if problem is not None:
                raise InvalidInput(
                    f"{where}: unit_code {entry.unit_code!r} is invalid: {problem}",
                    f"{where}：统一社会信用代码 {entry.unit_code!r} 无效（{problem}）",
                )
            moment(entry.since, f"{where}: since")
            if entry.until is not None:
                moment(entry.until, f"{where}: until")
                if entry.until <= entry.since:
                    raise InvalidInput(
                        f"{where}: until ({entry.until}) must be after since ({entry.since})",
                        f"{where}：移出日期必须晚于列入日期",
                    )
            index.setdefault(entry.unit_code, []).append(entry)
            until = entry.until.isoformat() if entry.until else ""
            digest.update(f"{entry.unit_code}|{entry.since.isoformat()}|{until}|{entry.reason}\n".encode())
        return cls(
            list_id,
            version or "sha256:" + digest.hexdigest()[:16],
            items,
            {k: tuple(v) for k, v in index.items()},
        )

    @classmethod
    def empty(cls, list_id: str) -> UnitList:
        """A list with no entries (its version says so)."""
        return cls.build(list_id, (), version="empty")

    def hit(self, unit_code: str, at: datetime) -> Listing | None:
        """The listing that bars ``unit_code`` at ``at``, or None."""
        if not isinstance(at, datetime):
            moment(at, "at")  # says what is wrong
        if type(unit_code) is not str:
            raise InvalidInput(
                f"unit_code must be text, got {type(unit_code).__name__}", "unit_code 必须是文本"
            )
        for entry in self._index.get(unit_code, ()):
            if entry.active(at):
                return entry
        return None

    def __contains__(self, unit_code: object) -> bool:
        return unit_code in self._index

    def __len__(self) -> int:
        return len(self.entries)

    def __repr__(self) -> str:
        return f"<UnitList {self.id} {self.version} ({len(self)} entries)>"


_COLUMNS = ("unit_code", "unit_name", "since", "until", "reason")


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
        return pendulum.datetime(value.year, value.month, value.day, tz=timezone)
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

    Only a regular file of at most 32 MiB is read (a FIFO, a device or a directory is refused
    without waiting on it). Raises :class:`~pilotflow.errors.CampaignFileError` for a file
    that cannot be read or is malformed, and :class:`~pilotflow.errors.InvalidInput` for an
    argument of the wrong type.
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
        return UnitList.build(list_id, _rows(reader, source, timezone))
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
    for n, row in enumerate(reader, start=2):
        code = (row.get("unit_code") or "").strip()
        problem = check_code(code)
        if problem is not None:
            raise CampaignFileError(
                source,
                f"row {n}.unit_code",
                f"{_token(code)} is not a valid unified social credit code: {problem}",
                f"{_token(code)} 不是有效的统一社会信用代码（{problem}）",
            )
        since = _when(row.get("since") or "", source, f"row {n}.since", timezone)
        until_text = (row.get("until") or "").strip()
        until = _when(until_text, source, f"row {n}.until", timezone) if until_text else None
        if until is not None and until <= since:
            raise CampaignFileError(
                source, f"row {n}.until", "must be after since", "移出日期必须晚于列入日期"
            )
        yield Listing(
            code,
            since,
            until,
            (row.get("reason") or "").strip(),
            (row.get("unit_name") or "").strip(),
        )
