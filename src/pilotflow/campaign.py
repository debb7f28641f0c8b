"""The public name of :mod:`pilotflow.domain.campaign` (documented as ``pilotflow.campaign``)."""

from .domain.campaign import (
    DEFAULT_CLOCK_TOLERANCE_SECONDS as DEFAULT_CLOCK_TOLERANCE_SECONDS,
)
from .domain.campaign import (
    MAX_CLOCK_TOLERANCE_SECONDS as MAX_CLOCK_TOLERANCE_SECONDS,
)
from .domain.campaign import (
    YEARS as YEARS,
)
from .domain.campaign import (
    Campaign as Campaign,
)
from .domain.campaign import (
    HopRule as HopRule,
)
from .domain.campaign import (
    Level as Level,
)
from .domain.campaign import (
    MaterialRequirement as MaterialRequirement,
)
from .domain.campaign import (
    MaterialType as MaterialType,
)
from .domain.campaign import (
    MinistryRules as MinistryRules,
)
from .domain.campaign import (
    NoticeRules as NoticeRules,
)
from .domain.campaign import (
    QuotaRule as QuotaRule,
)
from .domain.campaign import (
    Ranking as Ranking,
)
from .domain.campaign import (
    ReportingRule as ReportingRule,
)
from .domain.campaign import (
    ReReviewRules as ReReviewRules,
)
from .domain.campaign import (
    Scenario as Scenario,
)
from .domain.campaign import (
    Selector as Selector,
)
from .domain.campaign import (
    Text as Text,
)
from .domain.campaign import (
    UnitType as UnitType,
)

__all__ = [
    "DEFAULT_CLOCK_TOLERANCE_SECONDS",
    "MAX_CLOCK_TOLERANCE_SECONDS",
    "YEARS",
    "Campaign",
    "HopRule",
    "Level",
    "MaterialRequirement",
    "MaterialType",
    "MinistryRules",
    "NoticeRules",
    "QuotaRule",
    "Ranking",
    "ReReviewRules",
    "ReportingRule",
    "Scenario",
    "Selector",
    "Text",
    "UnitType",
]
