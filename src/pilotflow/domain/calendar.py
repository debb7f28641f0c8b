"""Moments, deadlines and the clock, in the campaign's time zone (Asia/Shanghai by default).

Every moment pilotflow accepts must be timezone-aware: a naive datetime is refused with
:class:`~pilotflow.errors.NaiveDatetime`, because "10:00" means nothing until we know where.
The clock is injectable: :class:`SystemClock` reads the wall clock, :class:`FixedClock` is
set by hand (tests, notebooks replaying a campaign, demos).

**One time type.** Every moment pilotflow makes or keeps in a public object is a standard
library ``datetime`` (the class itself, never a subclass such as ``pendulum.DateTime``) in a
``zoneinfo.ZoneInfo`` zone: the clocks read so, a deadline is read so, and a run brings
every action's moment into its campaign's zone (:func:`in_zone`), once per action. Any
aware ``datetime`` is accepted as input, pendulum's included.

>>> clock = FixedClock(pendulum.datetime(2023, 10, 17, 9, tz="Asia/Shanghai"))
>>> clock.now().isoformat(), type(clock.now()).__name__, clock.now().tzinfo
('2023-10-17T09:00:00+08:00', 'datetime', zoneinfo.ZoneInfo(key='Asia/Shanghai'))
>>> clock.advance(days=1).now().isoformat()
'2023-10-18T09:00:00+08:00'
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from datetime import timezone as fixed_offset
from typing import Protocol
from zoneinfo import ZoneInfo

import pendulum

from ..errors import InvalidInput, NaiveDatetime, shown
from .inputs import check_flag

__all__ = [
    "DEFAULT_TIMEZONE",
    "MOMENT_YEARS",
    "Clock",
    "FixedClock",
    "SystemClock",
    "by_date",
    "in_zone",
    "moment",
    "parse_moment",
    "zone",
    "zone_info",
]

DEFAULT_TIMEZONE = "Asia/Shanghai"

#: The years a moment pilotflow accepts may be written in (both included), in its own
#: offset: given to a call, read from a campaign or list file, or typed on the command line.
#: Every such moment converts to UTC and to any offset without overflow, and fits every
#: store's timestamp column.
MOMENT_YEARS = (1970, 2199)


class Clock(Protocol):
    """Anything with a ``now()`` returning a timezone-aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, read in ``timezone`` (a standard ``datetime`` in that ``ZoneInfo``)."""

    def __init__(self, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.timezone = zone(timezone)
        self._zone = zone_info(self.timezone.name)

    def now(self) -> datetime:
        return datetime.now(self._zone)

    def __repr__(self) -> str:
        return f"SystemClock({self.timezone.name!r})"


class FixedClock:
    """A clock that stands still until it is moved with :meth:`set` or :meth:`advance`.

    It reads the moment it was set to as a standard ``datetime`` (:func:`standard`): in the
    same zone, the same instant."""

    def __init__(self, start: datetime) -> None:
        self._now = standard(moment(start, "FixedClock start"))

    def now(self) -> datetime:
        return self._now

    def set(self, value: datetime) -> FixedClock:
        self._now = standard(moment(value, "FixedClock.set value"))
        return self

    def advance(self, **delta: float) -> FixedClock:
        """Move forward by a ``pendulum`` duration (``days=1``, ``hours=3``...); the clock
        stays within the years pilotflow accepts."""
        for unit, amount in delta.items():
            if unit not in _UNITS or isinstance(amount, bool) or not isinstance(amount, (int, float)):
                raise InvalidInput(
                    f"FixedClock.advance takes numbers of {', '.join(_UNITS)}, got {unit}={shown(amount)}",
                    f"FixedClock.advance 只接受 {'、'.join(_UNITS)} 的数值，收到 {unit}={shown(amount)}",
                )
            if not abs(amount) <= _MOST[unit]:  # also refuses NaN
                raise InvalidInput(
                    f"FixedClock.advance: {unit}={shown(amount)} leaves the years {_YEARS_TEXT}",
                    f"FixedClock.advance：{unit}={shown(amount)} 超出 {_YEARS_TEXT} 年的范围",
                )
        moved = pendulum.instance(self._now).add(**delta)  # type: ignore[arg-type]
        self._now = standard(moment(moved, "FixedClock"))
        return self

    def __repr__(self) -> str:
        return f"FixedClock({self._now.isoformat()})"


# The units FixedClock.advance takes, with the most of each that can stay within the years.
_SPAN_DAYS = (MOMENT_YEARS[1] - MOMENT_YEARS[0] + 1) * 366
_MOST = {
    "years": _SPAN_DAYS / 365, "months": _SPAN_DAYS / 28, "weeks": _SPAN_DAYS / 7, "days": _SPAN_DAYS,
    "hours": _SPAN_DAYS * 24, "minutes": _SPAN_DAYS * 1440, "seconds": _SPAN_DAYS * 86400,
    "microseconds": _SPAN_DAYS * 86400e6,
}  # fmt: skip
_UNITS = tuple(_MOST)
_YEARS_TEXT = f"{MOMENT_YEARS[0]}-{MOMENT_YEARS[1]}"


def zone(name: object, what: str = "timezone") -> pendulum.Timezone:
    """The IANA time zone ``name`` (``Asia/Shanghai``); anything else is InvalidInput naming
    ``what``. A name of a place's zone: not the host's own (``localtime``, whose rules differ
    from machine to machine), not ``Factory`` (no place), not a ``posix/`` or ``right/`` copy
    (:func:`placeless`).

    >>> zone("Asia/Shanghai").name
    'Asia/Shanghai'
    >>> zone("localtime")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    pilotflow.errors.InvalidInput: timezone must be an IANA time zone name of a place ..., got 'localtime'...
    """
    if isinstance(name, str) and 0 < len(name) <= 64 and name.isprintable() and "\\" not in name:
        why = placeless(name)
        if why is not None:
            raise InvalidInput(
                f"{what} must be an IANA time zone name of a place such as 'Asia/Shanghai', "
                f"got {shown(name)}: {why[0]}",
                f"参数 {what} 应为某地的 IANA 时区名（如 'Asia/Shanghai'），收到 {shown(name)}：{why[1]}",
            )
        try:
            found = pendulum.timezone(name)
        except Exception:  # pendulum raises several kinds for unknown or malformed names
            pass
        else:
            if isinstance(found, pendulum.Timezone):
                return found
    raise InvalidInput(
        f"{what} must be an IANA time zone name such as 'Asia/Shanghai', got {shown(name)}",
        f"参数 {what} 应为 IANA 时区名（如 'Asia/Shanghai'），收到 {shown(name)}",
    )


#: Names a time zone database holds that name no place's zone, and why (English, Chinese).
_PLACELESS: dict[str, tuple[str, str]] = {
    "localtime": (
        "it is the host's own zone, which differs from machine to machine",
        "这是所在服务器自身的时区，随机器而不同",
    ),
    "Factory": ("it names no zone at all", "它不代表任何地区的时区"),
    "posixrules": ("it is a copy of another zone's rules", "它只是另一时区规则的副本"),
}


def placeless(name: str) -> tuple[str, str] | None:
    """Why the zone ``name`` names no place (English, Chinese), or None: the host's own zone
    (``localtime``), ``Factory``, ``posixrules`` and the ``posix/`` and ``right/`` copies
    (``right/`` counts leap seconds, as no clock a campaign reads does)."""
    if name.startswith(("posix/", "right/")):
        return ("it is a copy of a zone kept under another name", "它是另一时区的副本")
    return _PLACELESS.get(name)


def zone_info(name: str) -> ZoneInfo:
    """The ``zoneinfo.ZoneInfo`` of the IANA zone ``name`` (one object per name: ``ZoneInfo``
    keeps them), which every moment pilotflow makes carries; InvalidInput for a bad name."""
    found = _ZONE_INFO.get(name) if isinstance(name, str) else None
    if found is None:
        zone(name)  # validated (the same names pendulum and zoneinfo know)
        found = _ZONE_INFO[name] = ZoneInfo(name)
    return found


_ZONE_INFO: dict[str, ZoneInfo] = {}


def in_zone(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` (an aware datetime: else InvalidInput or NaiveDatetime) as a standard
    ``datetime`` in ``tz``: the same instant.

    Returned as is when it already is one (no cost on a run's hot path, whose clock reads
    in the campaign's zone).

    >>> shanghai = zone_info("Asia/Shanghai")
    >>> m = in_zone(pendulum.datetime(2023, 10, 17, 1, tz="UTC"), shanghai)
    >>> type(m).__name__, m.isoformat(), m.tzinfo is shanghai
    ('datetime', '2023-10-17T09:00:00+08:00', True)
    """
    if type(value) is datetime and value.tzinfo is tz:
        return value
    if not isinstance(tz, ZoneInfo):
        raise InvalidInput(
            f"the zone must be a zoneinfo.ZoneInfo (see zone_info), got {shown(tz)}",
            f"时区参数必须是 zoneinfo.ZoneInfo（可用 zone_info 取得），收到的是 {type(tz).__name__}",
        )
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        moment(value)  # raises: not a datetime (InvalidInput) or naive (NaiveDatetime)
    # (no bound on the years here: a deadline inclusive of 2199-12-31 ends at 2200-01-01)
    if type(value) is not datetime:  # a subclass: its fields as a standard one, same instant
        value = _plain(value, value.tzinfo)  # type: ignore[arg-type]
    try:
        return value.astimezone(tz)  # ZoneInfo sets the fold (only a repeated hour has fold=1)
    except OverflowError:  # its instant lies past year 9999 or before year 1 in tz
        raise InvalidInput(
            f"the moment {value.isoformat()} cannot be written in {tz.key}: "
            "it lies outside years 1 to 9999 there",
            f"时刻 {value.isoformat()} 换算到 {tz.key} 时区后超出公元 1 年至 9999 年的范围",
        ) from None


def standard(value: datetime) -> datetime:
    """An aware ``value`` as a standard ``datetime``, in its own zone: a ``pendulum.DateTime``
    becomes the same instant in the ``ZoneInfo`` of its zone's name (in a fixed offset if its
    zone has no IANA name); a standard ``datetime`` is returned as is."""
    if type(value) is datetime:
        return value
    tz = value.tzinfo
    key = getattr(tz, "key", None)
    if isinstance(tz, ZoneInfo) and isinstance(key, str):
        return in_zone(value, ZoneInfo(key))
    offset = value.utcoffset()
    assert offset is not None  # aware: checked by moment()
    return _plain(value, fixed_offset(offset))


def _plain(x: datetime, tz: tzinfo) -> datetime:
    """The wall fields of ``x`` as a standard datetime in ``tz`` (whose offset they are in)."""
    return datetime(x.year, x.month, x.day, x.hour, x.minute, x.second, x.microsecond, tzinfo=tz, fold=x.fold)


def moment(value: object, what: str = "moment") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime; refuse anything else clearly."""
    if not isinstance(value, datetime):
        raise InvalidInput(
            f"{what} must be a timezone-aware datetime, got {type(value).__name__} {shown(value)}",
            f"{what} 必须是带时区的日期时间，收到的是 {type(value).__name__} {shown(value)}",
        )
    try:
        offset = None if value.tzinfo is None else value.utcoffset()
    except (ValueError, TypeError, OverflowError) as exc:  # a tzinfo of the caller's making
        raise InvalidInput(
            f"{what}: its time zone gives no valid UTC offset ({shown(str(exc), 200)[1:-1]})",
            f"{what}：其时区给出的 UTC 偏移量无效",
        ) from exc
    if offset is None:
        raise NaiveDatetime(what, value)
    low, high = MOMENT_YEARS
    if not low <= value.year <= high:  # 9999-12-31T23:00-12:00 would be in year 10000 in UTC
        raise InvalidInput(
            f"{what} must lie from {low} to {high}, got {value.isoformat()}",
            f"{what} 必须在 {low} 年至 {high} 年之间，收到 {value.isoformat()}",
        )
    return value


def parse_moment(
    text: str, what: str = "moment", timezone: str = DEFAULT_TIMEZONE, *, local: bool = False
) -> datetime:
    """Parse an ISO 8601 moment that carries its offset (``2023-10-18T17:00+08:00``), read in
    ``timezone``; with ``local``, a moment without an offset is read as a time of
    ``timezone`` (an operator typing the campaign's local time)."""
    if not isinstance(what, str):
        raise InvalidInput("what must be text (the name of the moment)", "what 参数必须是文本")
    tz = zone(timezone)
    if not isinstance(text, str) or len(text) > 64:
        raise InvalidInput(
            f"{what} must be an ISO 8601 date-time (text of at most 64 characters), got {shown(text, 70)}",
            f"{what} 必须是 ISO 8601 日期时间（不超过 64 个字符的文本）",
        )
    try:
        parsed = pendulum.parse(text, exact=True)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(
            f"{what}: cannot read {text!r} as an ISO 8601 date-time ({shown(str(exc), 120)[1:-1]})",
            f"{what}：无法把 {text!r} 解析为 ISO 8601 日期时间",
        ) from exc
    if not isinstance(parsed, datetime) or ("T" not in text and " " not in text):
        raise InvalidInput(
            f"{what}: {text!r} is not a date-time with a time and an offset",
            f"{what}：{text!r} 不是带时间和时区偏移的日期时间",
        )
    if not has_offset(text):
        if not local:
            raise NaiveDatetime(what, text)
        wall = datetime(
            parsed.year,
            parsed.month,
            parsed.day,
            parsed.hour,
            parsed.minute,
            parsed.second,
            parsed.microsecond,
        )
        parsed = tz.convert(wall)  # the wall-clock time in ``timezone`` (its rule for that day)
    return in_zone(moment(parsed, what), zone_info(tz.name))  # bounded: converts


def has_offset(text: str) -> bool:
    """Does an ISO 8601 date-time text carry its offset (``Z``, ``+08:00``)?"""
    if not isinstance(text, str):
        return False
    tail = text.split("T")[-1] if "T" in text else text.split(" ")[-1]
    return tail.endswith("Z") or "+" in tail or "-" in tail


def by_date(day: date, *, inclusive: bool, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The first late instant of a deadline written "by <day>" (…前).

    ``inclusive`` (the usual reading): the whole of ``day`` is in time, so the deadline is
    the next midnight; otherwise the deadline is the midnight that starts ``day``.

    ``day`` is a date of the years :data:`MOMENT_YEARS`, ``timezone`` an IANA name: else
    :class:`~pilotflow.errors.InvalidInput` naming it.

    >>> by_date(date(2023, 10, 18), inclusive=True).isoformat()
    '2023-10-19T00:00:00+08:00'
    >>> by_date(date(2023, 10, 18), inclusive=False).isoformat()
    '2023-10-18T00:00:00+08:00'
    """
    if not isinstance(day, date):
        raise InvalidInput(
            f"day must be a date (datetime.date), got {type(day).__name__}",
            f"参数 day 应为日期（datetime.date），实际为 {type(day).__name__} 类型",
        )
    low, high = MOMENT_YEARS
    if not low <= day.year <= high:
        raise InvalidInput(
            f"day must lie from {low} to {high}, got {day.isoformat()}",
            f"day 必须在 {low} 年至 {high} 年之间，收到 {day.isoformat()}",
        )
    check_flag("inclusive", inclusive)  # (a truthy "no" must not read as inclusive)
    start = pendulum.datetime(day.year, day.month, day.day, tz=zone(timezone))
    return in_zone(start.add(days=1) if inclusive else start, zone_info(timezone))
