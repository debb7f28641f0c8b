"""The public name of :mod:`pilotflow.domain.calendar` (documented as ``pilotflow.calendar``)."""

from .domain.calendar import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.calendar import __all__ as __all__
