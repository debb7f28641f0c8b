"""Working days on the Chinese calendar, and notice periods counted in them.

Pins the holiday data on known arrangements (the 2023 National Day / Mid-Autumn golden week,
Spring Festival 2024), the notice rule (the day of publication never counts; the notice closes
at 00:00 after its n-th working day, in Asia/Shanghai), make-up workdays counted, and the
refusals: years the data lacks, naive datetimes, bad counts, datetimes given as dates.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pilotflow as pf
from pilotflow.domain import workdays
from pilotflow.workdays import (
    CalendarDataMissing,
    add_working_days,
    covered_years,
    is_working_day,
    working_days_between,
)

from conftest import shanghai

DAY = timedelta(days=1)


def days(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last``, both included."""
    return [first + i * DAY for i in range((last - first).days + 1)]


# -- the data: known arrangements ------------------------------------------------------------


def test_2023_golden_week_is_off() -> None:
    """国办发明电〔2022〕16号: Sep 29 – Oct 6 2023 (Mid-Autumn + National Day) are days off,
    Monday to Friday included."""
    golden_week = days(date(2023, 9, 29), date(2023, 10, 6))
    assert [False] * 8 == [is_working_day(d) for d in golden_week]


def test_2023_golden_week_make_up_weekend_is_worked() -> None:
    """Saturday Oct 7 and Sunday Oct 8 2023 are make-up workdays (调休上班)."""
    assert (True, True) == (is_working_day(date(2023, 10, 7)), is_working_day(date(2023, 10, 8)))
    assert (5, 6) == (date(2023, 10, 7).weekday(), date(2023, 10, 8).weekday())


def test_ordinary_week_around_the_golden_week() -> None:
    """Outside holidays the week is Monday–Friday: Sep 25–28 2023 are worked, and the weekend
    after the make-up days (Oct 14–15 2023) is off."""
    assert [True] * 4 == [is_working_day(d) for d in days(date(2023, 9, 25), date(2023, 9, 28))]
    assert [False, False] == [is_working_day(date(2023, 10, 14)), is_working_day(date(2023, 10, 15))]


def test_spring_festival_2024() -> None:
    """国办发明电〔2023〕7号: Feb 10–17 2024 off; Sunday Feb 4 and Sunday Feb 18 are make-up
    workdays; Friday Feb 9 (除夕) is officially a working day."""
    assert [False] * 8 == [is_working_day(d) for d in days(date(2024, 2, 10), date(2024, 2, 17))]
    assert [True, True, True] == [
        is_working_day(date(2024, 2, 4)),
        is_working_day(date(2024, 2, 9)),
        is_working_day(date(2024, 2, 18)),
    ]
    assert 0 == working_days_between(date(2024, 2, 9), date(2024, 2, 17))
    assert 1 == working_days_between(date(2024, 2, 9), date(2024, 2, 18))


# -- the notice rule -------------------------------------------------------------------------


def test_five_day_notice_published_just_before_the_2023_golden_week() -> None:
    """Published Thursday Sep 28 2023: the 5 working days are Oct 7 and 8 (make-up weekend),
    Oct 9, 10 and 11; the notice closes at 00:00 on Oct 12 (Asia/Shanghai)."""
    end = add_working_days(shanghai(2023, 9, 28, 17), 5)
    assert "2023-10-12T00:00:00+08:00" == end.isoformat()
    assert 5 == working_days_between(date(2023, 9, 28), date(2023, 10, 11))


def test_notice_from_the_ministry_date() -> None:
    """The ministry's notice is dated Sep 26 2023: a 5-working-day notice from then runs Sep 27,
    Sep 28, Oct 7, Oct 8 and Oct 9, closing at 00:00 on Oct 10."""
    assert shanghai(2023, 10, 10) == add_working_days(shanghai(2023, 9, 26, 10), 5)


def test_make_up_saturday_counts() -> None:
    """Published on Oct 6 2023 (a holiday), a 1-working-day notice runs on Saturday Oct 7, a
    make-up workday, and closes at 00:00 on Sunday Oct 8."""
    assert shanghai(2023, 10, 8) == add_working_days(shanghai(2023, 10, 6, 9), 1)


def test_publication_day_never_counts_whatever_the_hour() -> None:
    """Published at 00:00 or at 23:59 on Monday Oct 9 2023, a 1-day notice runs on Tuesday
    Oct 10 and closes at 00:00 on Oct 11."""
    assert shanghai(2023, 10, 11) == add_working_days(shanghai(2023, 10, 9, 0), 1)
    assert shanghai(2023, 10, 11) == add_working_days(shanghai(2023, 10, 9, 23, 59), 1)


def test_notice_over_a_plain_weekend() -> None:
    """Published Friday Oct 13 2023, 2 working days: Monday 16 and Tuesday 17; closes Oct 18."""
    assert shanghai(2023, 10, 18) == add_working_days(shanghai(2023, 10, 13, 9), 2)


def test_start_is_read_in_the_campaign_time_zone() -> None:
    """20:00 UTC on Oct 6 2023 is 04:00 on Oct 7 in Shanghai: publication day is Oct 7, so a
    1-day notice runs on Oct 8. Read in UTC instead, publication day is Oct 6."""
    start = pendulum.datetime(2023, 10, 6, 20, tz="UTC")
    assert "2023-10-09T00:00:00+08:00" == add_working_days(start, 1).isoformat()
    assert "2023-10-08T00:00:00+00:00" == add_working_days(start, 1, timezone="UTC").isoformat()


def test_result_is_aware_and_in_the_time_zone() -> None:
    """The closing moment is timezone-aware, in the requested zone, at midnight."""
    end = add_working_days(shanghai(2023, 10, 9, 9), 3)
    assert (timedelta(hours=8), (0, 0, 0)) == (end.utcoffset(), (end.hour, end.minute, end.second))


@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31)),
    n=st.integers(min_value=1, max_value=25),
)
def test_notice_end_agrees_with_working_days_between(start: date, n: int) -> None:
    """For any publication day and n, the last day of the notice is a working day, exactly n
    working days after the publication day, and the day before it had n - 1."""
    end = add_working_days(shanghai(start.year, start.month, start.day, 12), n)
    last = end.date() - DAY
    assert True is is_working_day(last)
    assert n == working_days_between(start, last)
    assert n - 1 == working_days_between(start, last - DAY)


# -- working_days_between --------------------------------------------------------------------


def test_between_counts_after_a_up_to_b() -> None:
    """a itself is not counted, b is: Sep 28 → Oct 8 2023 holds only the make-up weekend."""
    assert 2 == working_days_between(date(2023, 9, 28), date(2023, 10, 8))
    assert 3 == working_days_between(date(2023, 9, 27), date(2023, 10, 8))


def test_between_is_antisymmetric_and_zero_on_the_same_day() -> None:
    """Like date subtraction: swapping the ends flips the sign; the same day gives 0."""
    a, b = date(2023, 9, 20), date(2023, 10, 20)
    assert -working_days_between(a, b) == working_days_between(b, a)
    assert 0 == working_days_between(a, a)


# -- coverage and refusals -------------------------------------------------------------------


def test_covered_years() -> None:
    """The data starts in 2004 and includes the campaign's years, 2023 and 2024, and 2026
    (chinesecalendar ≥ 1.11); it is a contiguous range."""
    covered = covered_years()
    assert 2004 == covered.start
    assert {2023, 2024, 2026} <= set(covered)
    assert 1 == covered.step


@pytest.mark.parametrize(
    "day",
    [date(2100, 1, 4), date(2003, 6, 2), date(1999, 10, 1)],
    ids=lambda d: str(d.year),
)
def test_years_outside_the_data_are_refused(day: date) -> None:
    """A year the package lacks is refused with CalendarDataMissing naming the year, in both
    languages — even for a Monday, because weekdays alone are not a calendar."""
    with pytest.raises(CalendarDataMissing) as missing:
        is_working_day(day)
    assert day.year == missing.value.year
    assert str(day.year) in missing.value.en
    assert str(day.year) in missing.value.zh
    assert covered_years() == missing.value.covered


def test_the_first_year_after_the_data_is_refused() -> None:
    """The year after the last covered one (the State Council's next arrangement) is refused,
    and the message says which years are covered and how to get more."""
    year = covered_years().stop
    with pytest.raises(CalendarDataMissing) as missing:
        is_working_day(date(year, 3, 1))
    assert f"{year}" in str(missing.value)
    assert f"{covered_years().start}–{year - 1}" in missing.value.en
    assert "pip install -U chinesecalendar" in missing.value.en


def test_a_notice_running_into_an_uncovered_year_is_refused() -> None:
    """A notice published on Dec 30 of the last covered year with 5 working days would run into
    the next year: it is refused, not counted on weekdays."""
    last = covered_years().stop - 1
    with pytest.raises(CalendarDataMissing) as missing:
        add_working_days(shanghai(last, 12, 30, 9), 5)
    assert last + 1 == missing.value.year


def test_between_across_an_uncovered_year_is_refused() -> None:
    """Counting through a year the data lacks is refused."""
    with pytest.raises(CalendarDataMissing):
        working_days_between(date(2003, 12, 1), date(2004, 1, 31))


def test_between_does_not_need_the_day_a() -> None:
    """Day a is not counted, so its year need not be covered: from Dec 31 2003 to Jan 5 2004
    the working days are Jan 2 and Jan 5 (Jan 1 is New Year's Day, Jan 3–4 a weekend)."""
    assert 2 == working_days_between(date(2003, 12, 31), date(2004, 1, 5))


def test_calendar_data_missing_is_a_pilotflow_error() -> None:
    """CalendarDataMissing belongs to the pilotflow error tree and reads in two languages."""
    error = CalendarDataMissing(2100, range(2004, 2027), "1.11.0")
    assert isinstance(error, pf.PilotflowError)
    assert not isinstance(error, pf.InvalidInput)
    assert "缺少 2100 年" in error.zh
    assert error.en != error.zh


def test_naive_start_is_refused() -> None:
    """A naive datetime is no moment: NaiveDatetime, naming the argument."""
    with pytest.raises(pf.NaiveDatetime, match="start"):
        add_working_days(datetime(2023, 9, 28, 17), 5)


def test_a_date_is_not_a_start() -> None:
    """add_working_days needs a moment, not a date."""
    with pytest.raises(pf.InvalidInput, match="start"):
        add_working_days(date(2023, 9, 28), 5)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, -1, True, 2.0, "5"])
def test_bad_counts_are_refused(n: object) -> None:
    """n must be an integer ≥ 1 (not a bool, float or string)."""
    with pytest.raises(pf.InvalidInput, match="n "):
        add_working_days(shanghai(2023, 9, 28, 17), n)  # type: ignore[arg-type]


def test_unknown_time_zone_is_refused() -> None:
    """A time zone pendulum does not know is InvalidInput, not a pendulum error."""
    with pytest.raises(pf.InvalidInput, match="Mars/Olympus"):
        add_working_days(shanghai(2023, 9, 28, 17), 5, timezone="Mars/Olympus")


def test_datetimes_are_not_dates() -> None:
    """A datetime given where a date is expected is refused: its date depends on a zone."""
    with pytest.raises(pf.InvalidInput, match="day"):
        is_working_day(shanghai(2023, 10, 7, 9))
    with pytest.raises(pf.InvalidInput, match="b must be a date"):
        working_days_between(date(2023, 10, 7), shanghai(2023, 10, 9, 9))
    with pytest.raises(pf.InvalidInput, match="day"):
        is_working_day("2023-10-07")  # type: ignore[arg-type]


@pytest.fixture
def without_chinese_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """``chinese_calendar`` made unimportable, with the module's import cache reset around."""
    workdays._calendar.cache_clear()
    workdays.covered_years.cache_clear()
    monkeypatch.setitem(sys.modules, "chinese_calendar", None)
    yield
    workdays._calendar.cache_clear()
    workdays.covered_years.cache_clear()


@pytest.mark.usefixtures("without_chinese_calendar")
def test_missing_package_gives_an_install_hint() -> None:
    """Without chinesecalendar the first use says which package to install."""
    with pytest.raises(ImportError, match="pip install chinesecalendar"):
        is_working_day(date(2023, 10, 7))


@pytest.mark.parametrize("timezone", [None, 8, "", "Nowhere/City", "Asia/Shanghai\x00", ["UTC"]])
def test_a_time_zone_that_is_no_zone_is_refused_by_name(timezone: object) -> None:
    """``add_working_days`` given a time zone that is no IANA name (None, a number, a list,
    an unknown or malformed name) is InvalidInput naming ``timezone``, not an AttributeError
    or TypeError from pendulum."""
    start = pendulum.datetime(2023, 10, 6, 9, tz="Asia/Shanghai")
    with pytest.raises(pf.InvalidInput, match="timezone"):
        add_working_days(start, 1, timezone=timezone)  # type: ignore[arg-type]
