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
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

import pendulum
from attrs import frozen

from .calendar import DEFAULT_TIMEZONE, moment
from .codes import check_code
from .errors import CampaignFileError, InvalidInput

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
        items = tuple(entries)
        index: dict[str, list[Listing]] = {}
        digest = hashlib.sha256()
        for n, entry in enumerate(items):
            where = f"list {list_id!r}, entry {n + 1}"
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
        if len(text) == 10:
            d = date.fromisoformat(text)
            return pendulum.datetime(d.year, d.month, d.day, tz=timezone)
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CampaignFileError(
            source,
            path,
            f"{text!r} is not a date (YYYY-MM-DD) or an ISO date-time",
            f"{text!r} 不是日期（YYYY-MM-DD）或 ISO 日期时间",
        ) from None
    if value.tzinfo is None:
        raise CampaignFileError(
            source,
            path,
            f"{text!r} has a time but no offset (write e.g. +08:00)",
            f"{text!r} 有时间但没有时区偏移（请写明如 +08:00）",
        )
    return value


def load_list(
    path: str | os.PathLike[str],
    list_id: str,
    *,
    timezone: str = DEFAULT_TIMEZONE,
) -> UnitList:
    """Read a list from a UTF-8 CSV file with columns ``unit_code, unit_name, since, until,
    reason`` (``until`` may be empty). Errors name the file, row and column."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CampaignFileError(str(p), "", f"cannot read the file: {exc}", f"无法读取文件：{exc}") from exc
    return parse_list(text, list_id, source=str(p), timezone=timezone)


def parse_list(
    text: str, list_id: str, *, source: str = "<string>", timezone: str = DEFAULT_TIMEZONE
) -> UnitList:
    """Like :func:`load_list`, from the CSV text itself."""
    reader = csv.DictReader(io.StringIO(text))
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
            f"unknown column(s) {', '.join(unknown)}; expected {', '.join(_COLUMNS)}",
            f"未知列 {'、'.join(unknown)}",
        )
    entries = []
    for n, row in enumerate(reader, start=2):
        code = (row.get("unit_code") or "").strip()
        problem = check_code(code)
        if problem is not None:
            raise CampaignFileError(
                source,
                f"row {n}.unit_code",
                f"{code!r} is not a valid unified social credit code: {problem}",
                f"{code!r} 不是有效的统一社会信用代码（{problem}）",
            )
        since = _when(row.get("since") or "", source, f"row {n}.since", timezone)
        until_text = (row.get("until") or "").strip()
        until = _when(until_text, source, f"row {n}.until", timezone) if until_text else None
        if until is not None and until <= since:
            raise CampaignFileError(
                source, f"row {n}.until", "must be after since", "移出日期必须晚于列入日期"
            )
        entries.append(
            Listing(
                code,
                since,
                until,
                (row.get("reason") or "").strip(),
                (row.get("unit_name") or "").strip(),
            )
        )
    return UnitList.build(list_id, entries)
