"""The public name of :mod:`pilotflow.files.campaign_file` (documented as ``pilotflow.campaign_file``)."""

from .files.campaign_file import (
    bundled_campaigns as bundled_campaigns,
)
from .files.campaign_file import (
    load_campaign as load_campaign,
)
from .files.campaign_file import (
    parse_campaign as parse_campaign,
)

__all__ = ["bundled_campaigns", "load_campaign", "parse_campaign"]
