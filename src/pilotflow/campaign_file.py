"""The public name of :mod:`pilotflow.files.campaign_file` (documented as ``pilotflow.campaign_file``)."""

from .files.campaign_file import *  # noqa: F403  (the public names, as the home module lists them)
from .files.campaign_file import __all__ as __all__
