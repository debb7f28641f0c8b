"""The public name of :mod:`pilotflow.app.run` (documented as ``pilotflow.service``)."""

from .app.run import (
    CampaignRun as CampaignRun,
)
from .app.run import (
    Position as Position,
)
from .app.run import (
    QuotaLine as QuotaLine,
)
from .app.run import (
    SelectionResult as SelectionResult,
)
from .app.run import (
    Winner as Winner,
)
from .app.run import (
    combine_scores as combine_scores,
)
from .app.run import (
    retry_on_conflict as retry_on_conflict,
)
from .app.run import (
    share_of as share_of,
)

__all__ = [
    "CampaignRun",
    "Position",
    "QuotaLine",
    "SelectionResult",
    "Winner",
    "combine_scores",
    "retry_on_conflict",
    "share_of",
]
