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

Lists are read from CSV with :func:`pilotflow.load_list` (:mod:`pilotflow.files.lists`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import datetime

from attrs import frozen

from ..errors import InvalidInput
from .calendar import moment
from .campaign import Campaign, check_campaign
from .codes import code_problem
from .inputs import LONG_TEXT, NAME, check_text, wrong_argument

__all__ = ["Listing", "UnitList", "empty_lists"]


@frozen
class Listing:
    """One unit on a list, from ``since`` (inclusive) to ``until`` (exclusive, or open)."""

    unit_code: str
    since: datetime
    until: datetime | None = None
    reason: str = ""
    unit_name: str = ""
    #: The unit's group on a tag list (e.g. its central enterprise group), for group quota
    #: caps: at most ``MAX_GROUP`` characters, no ``:`` or ``@``.
    group: str = ""

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
        return cls._build(list_id, entries, version, keys=True, texts=True)

    @classmethod
    def stored(cls, list_id: str, entries: Iterable[Listing], version: str) -> UnitList:
        """A list as a store kept it: its id, version and entries' texts were judged by the
        text rule when it was stored, and are not judged again (a rule made stricter since must
        not make an earlier list unreadable); everything else is checked as :meth:`build`
        checks it."""
        return cls._build(list_id, entries, version, keys=False, texts=False)

    @classmethod
    def _build(
        cls, list_id: str, entries: Iterable[Listing], version: str | None, *, keys: bool, texts: bool
    ) -> UnitList:
        """``keys``: the id and version are judged by the text rule; ``texts``: so are the
        entries' reasons and unit names. What is not judged need only be text."""
        key = check_list_key if keys else _is_text  # (named as the arguments are)
        key(list_id, "list_id", "名单标识")
        if version is not None:
            key(version, "version", "名单版本")
        if isinstance(entries, (str, bytes)) or not isinstance(entries, Iterable):
            raise wrong_argument("entries", "an iterable of Listing", "Listing 的可迭代对象", entries)
        items = tuple(entries)
        index: dict[str, list[Listing]] = {}
        digest = hashlib.sha256()
        for n, entry in enumerate(items):
            where = f"list {list_id!r}, entry {n + 1}"
            if not isinstance(entry, Listing):
                raise wrong_argument(f"entries[{n}]", "a Listing", "Listing", entry)
            problem = code_problem(entry.unit_code)
            if problem is not None:
                raise InvalidInput(
                    f"{where}: unit_code {entry.unit_code!r} is invalid: {problem[0]}",
                    f"{where}：统一社会信用代码 {entry.unit_code!r} 无效（{problem[1]}）",
                )
            moment(entry.since, f"{where}: since")
            if texts:
                check_entry_texts(entry, f"{where}: ", f"名单第 {n + 1} 条的")
            else:
                _is_text(entry.reason, f"{where}: reason", "列入原因")
                _is_text(entry.unit_name, f"{where}: unit_name", "单位名称")
            if entry.group:
                _check_group(entry.group, where)
            if entry.until is not None:
                moment(entry.until, f"{where}: until")
                if entry.until <= entry.since:
                    raise InvalidInput(
                        f"{where}: until ({entry.until}) must be after since ({entry.since})",
                        f"{where}：移出日期必须晚于列入日期",
                    )
            index.setdefault(entry.unit_code, []).append(entry)
            until = entry.until.isoformat() if entry.until else ""
            group = f"|{entry.group}" if entry.group else ""  # lists without groups: same version
            digest.update(
                f"{entry.unit_code}|{entry.since.isoformat()}|{until}|{entry.reason}{group}\n".encode(
                    "utf-8",
                    "surrogatepass",  # (a stored list's texts are not judged again: hashed as kept)
                )
            )
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


#: The longest list id and list version (every event records the versions of the lists it was
#: judged with; a SQL store's column is this wide).
LIST_KEY = 100


def check_list_key(value: object, what: str, zh: str) -> None:
    """A list's id or version: text of the text rule, at most :data:`LIST_KEY` characters,
    without surrounding white space (it is cited as given); else
    :class:`~pilotflow.errors.InvalidInput` naming ``what``."""
    if not isinstance(value, str):
        raise wrong_argument(what, "a non-empty str", "非空字符串", value)
    if check_text(value, what, LIST_KEY, zh=zh) != value:
        raise InvalidInput(
            f"{what} must not begin or end with white space, got {value!r}", f"{zh}首尾不能有空白字符"
        )


def built_of_checked_texts(list_id: str, entries: Iterable[Listing]) -> UnitList:
    """:meth:`UnitList.build`, for a reader that judged each entry's texts with
    :func:`check_entry_texts` itself, to name the row of a file a refusal comes from; the rest
    is checked as ``build`` checks it, and the texts are not judged twice."""
    return UnitList._build(list_id, entries, None, texts=False, keys=True)


def _is_text(value: object, what: str, zh: str) -> None:
    """What a store kept as text is text (the text rule is not judged again)."""
    if not isinstance(value, str):
        raise wrong_argument(what, "text (a str)", f"{zh}（文本）", value)


def check_entry_texts(entry: Listing, where: str, where_zh: str) -> None:
    """A listing's reason and unit name, shown in every refusal they cause: text of the text
    rule (:func:`~pilotflow.domain.inputs.check_text`), or empty; else
    :class:`~pilotflow.errors.InvalidInput` naming the field after ``where`` (``list 'x',
    entry 3: ``) and ``where_zh`` (``名单第 3 条的``). Kept as given: a list's version is the
    hash of what it holds."""
    for value, field, longest, zh in (
        (entry.reason, "reason", LONG_TEXT, "列入原因"),
        (entry.unit_name, "unit_name", NAME, "单位名称"),
    ):
        if value or not isinstance(value, str):  # (an empty text: none given)
            check_text(value, f"{where}{field}", longest, multiline=field == "reason", zh=f"{where_zh}{zh}")


#: The longest group name a listing may give (a group's seat counter key must fit 50 characters).
MAX_GROUP = 20


def _check_group(group: object, where: str) -> None:
    if (
        not isinstance(group, str)
        or len(group) > MAX_GROUP
        or not group.isprintable()
        or set(group) & set(":@")
    ):
        raise InvalidInput(
            f"{where}: group must be text of at most {MAX_GROUP} printable characters without ':' or '@'",
            f"{where}：分组必须是不超过 {MAX_GROUP} 个可打印字符的文本，且不含 ':' 或 '@'",
        )


def empty_lists(campaign: Campaign) -> list[UnitList]:
    """An empty list for each list a run of ``campaign`` must be given (its
    ``required_lists``: tests, demos)."""
    check_campaign(campaign)
    return [UnitList.empty(list_id) for list_id in campaign.required_lists]
