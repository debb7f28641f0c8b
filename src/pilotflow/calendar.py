"""The public name of :mod:`pilotflow.domain.calendar` (documented as ``pilotflow.calendar``)."""

from .domain.calendar import (
    DEFAULT_TIMEZONE as DEFAULT_TIMEZONE,
)
from .domain.calendar import (
    MOMENT_YEARS as MOMENT_YEARS,
)
from .domain.calendar import (
    Clock as Clock,
)
from .domain.calendar import (
    FixedClock as FixedClock,
)
from .domain.calendar import (
    SystemClock as SystemClock,
)
from .domain.calendar import (
    by_date as by_date,
)
from .domain.calendar import (
    moment as moment,
)
from .domain.calendar import (
    parse_moment as parse_moment,
)
from .domain.calendar import (
    zone as zone,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "MOMENT_YEARS",
    "Clock",
    "FixedClock",
    "SystemClock",
    "by_date",
    "moment",
    "parse_moment",
    "zone",
]
