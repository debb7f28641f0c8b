"""The public name of :mod:`pilotflow.domain.workdays` (documented as ``pilotflow.workdays``)."""

from .domain.workdays import (
    CalendarDataMissing as CalendarDataMissing,
)
from .domain.workdays import (
    add_working_days as add_working_days,
)
from .domain.workdays import (
    covered_years as covered_years,
)
from .domain.workdays import (
    is_working_day as is_working_day,
)
from .domain.workdays import (
    working_days_between as working_days_between,
)

__all__ = [
    "CalendarDataMissing",
    "add_working_days",
    "covered_years",
    "is_working_day",
    "working_days_between",
]
