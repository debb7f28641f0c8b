"""Working days on the Chinese calendar (工作日), for notice periods counted in working days.

A working day is a day on which the State Council's holiday arrangement (国务院办公厅关于
部分节假日安排的通知) has people at work: Monday to Friday unless it is a statutory holiday
or one of its bridging days off, plus the make-up workdays (调休上班) that fall on a Saturday
or Sunday. The arrangement is published once a year (usually in October–November for the next
year), so the data comes from the maintained ``chinesecalendar`` package (import name
``chinese_calendar``), and this module is the only one in pilotflow that imports it.

The data is never guessed: a day in a year the installed package does not cover is refused
with :class:`CalendarDataMissing`, never judged by the weekday alone — a weekday rule would be
wrong for every holiday of that year.

**The notice rule.** A notice of ``n`` working days published at any moment of day *D*
(local date in Asia/Shanghai) runs on the ``n`` working days after *D* and closes at 24:00 of
the ``n``-th of them, i.e. at 00:00 of the following day. This is the Civil Code's rule for
periods counted in days (民法典 第二百零一条: 开始的当日不计入，自下一日开始计算; 第二百零三条:
期间的最后一日的截止时间为二十四时), with "day" read as "working day".

>>> from datetime import date
>>> import pendulum
>>> is_working_day(date(2023, 10, 7))  # a Saturday, a make-up workday (调休上班)
True
>>> published = pendulum.datetime(2023, 9, 28, 17, tz="Asia/Shanghai")
>>> add_working_days(published, 5).isoformat()  # Oct 7, 8, 9, 10, 11
'2023-10-12T00:00:00+08:00'
>>> working_days_between(date(2023, 9, 28), date(2023, 10, 8))  # Oct 7 and Oct 8
2
"""

from __future__ import annotations

import functools
import importlib
from datetime import date, datetime, timedelta
from typing import Any

import pendulum

from ..errors import CalendarDataMissing, InvalidInput, shown
from .calendar import DEFAULT_TIMEZONE, by_date, moment, zone

__all__ = [
    "CalendarDataMissing",
    "add_working_days",
    "covered_years",
    "is_working_day",
    "working_days_between",
]

_PACKAGE = "chinesecalendar"  # the distribution on PyPI
_MODULE = "chinese_calendar"  # its import name
_ONE_DAY = timedelta(days=1)


@functools.cache
def _calendar() -> Any:
    """The ``chinese_calendar`` module, imported on first use (it ships no type hints)."""
    try:
        return importlib.import_module(_MODULE)
    except ImportError as exc:
        raise ImportError(
            f"pilotflow.workdays needs the {_PACKAGE} package for the Chinese holiday data: "
            f"pip install {_PACKAGE}"
        ) from exc


def _version() -> str:
    return str(getattr(_calendar(), "__version__", "(unknown version)"))


@functools.cache
def covered_years() -> range:
    """The years whose holiday arrangement the installed ``chinesecalendar`` knows.

    This is the package's own rule (the first to the last year of its holiday table), so
    :func:`is_working_day` answers exactly for these years and refuses every other one.

    >>> 2023 in covered_years(), 2100 in covered_years()
    (True, False)
    """
    years = {day.year for day in _calendar().holidays}
    return range(min(years), max(years) + 1)


def _plain_date(value: object, what: str) -> date:
    """``value`` if it is a calendar date; a datetime is refused (its date depends on a zone)."""
    if isinstance(value, datetime):
        raise InvalidInput(
            f"{what} must be a date, got the datetime {value!r}; take its date in the "
            "campaign's time zone first (or use add_working_days for a moment)",
            f"{what} 必须是日期（date），收到的是日期时间 {value!r}；请先按活动所在时区取其日期",
        )
    if not isinstance(value, date):
        raise InvalidInput(
            f"{what} must be a date, got {type(value).__name__} {shown(value)}",
            f"{what} 必须是日期（date），收到的是 {type(value).__name__} {shown(value)}",
        )
    return value


def _is_working_day(day: date) -> bool:
    covered = covered_years()
    if day.year not in covered:
        raise CalendarDataMissing(day.year, covered, _version())
    try:
        return bool(_calendar().is_workday(day))
    except NotImplementedError as exc:  # the package's own refusal, should the rules differ
        raise CalendarDataMissing(day.year, covered, _version()) from exc


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day in mainland China.

    Weekends and statutory holidays (with their bridging days) are not; make-up workdays
    (调休上班) on a Saturday or Sunday are. Raises :class:`CalendarDataMissing` for a year
    outside :func:`covered_years`, and :class:`~pilotflow.errors.InvalidInput` for a
    datetime (pass its date in the campaign's time zone).

    >>> is_working_day(date(2023, 10, 2)), is_working_day(date(2023, 10, 8))
    (False, True)
    """
    return _is_working_day(_plain_date(day, "day"))


def add_working_days(start: datetime, n: int, *, timezone: str = DEFAULT_TIMEZONE) -> datetime:
    """The moment a notice of ``n`` working days published at ``start`` closes.

    The period runs on the ``n`` working days after the local date of ``start`` (the day of
    publication never counts, whatever the hour) and closes at 24:00 of the ``n``-th, which
    is returned as 00:00 of the next day in ``timezone`` — the first moment that is too late,
    as :func:`pilotflow.calendar.by_date` gives it. The last day of the notice is
    ``result.date() - 1 day``.

    ``start`` must be timezone-aware (:class:`~pilotflow.errors.NaiveDatetime` otherwise);
    ``n`` must be an integer ≥ 1. Raises :class:`CalendarDataMissing` as soon as the count
    reaches a year the data does not cover.

    >>> add_working_days(pendulum.datetime(2023, 10, 6, 9, tz="Asia/Shanghai"), 1).isoformat()
    '2023-10-08T00:00:00+08:00'
    """
    start = moment(start, "start")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(
            f"n (the number of working days) must be an integer ≥ 1, got {shown(n)}",
            f"n（工作日天数）必须是不小于 1 的整数，收到的是 {shown(n)}",
        )
    tz = zone(timezone)  # (an IANA name, else InvalidInput naming timezone)
    day = pendulum.instance(start).in_timezone(tz).date()
    counted = 0
    while counted < n:
        day += _ONE_DAY
        if _is_working_day(day):
            counted += 1
    return by_date(day, inclusive=True, timezone=tz.name)


def working_days_between(a: date, b: date) -> int:
    """The number of working days after ``a``, up to and including ``b``.

    So for a notice published on day ``a``, ``working_days_between(a, b)`` is how many of
    its working days have run by the end of day ``b``; the last day of an ``n``-day notice
    is the first working day ``b`` with ``working_days_between(a, b) == n``. The count is
    antisymmetric like date subtraction: ``working_days_between(b, a) == -working_days_between(a, b)``,
    and 0 when ``a == b``. Every day counted must lie in :func:`covered_years`.

    >>> working_days_between(date(2024, 2, 9), date(2024, 2, 18))  # Spring Festival 2024
    1
    """
    a = _plain_date(a, "a")
    b = _plain_date(b, "b")
    if b < a:
        return -working_days_between(b, a)
    count = 0
    day = a
    while day < b:
        day += _ONE_DAY
        if _is_working_day(day):
            count += 1
    return count
