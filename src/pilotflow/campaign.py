"""The public name of :mod:`pilotflow.domain.campaign` (documented as ``pilotflow.campaign``)."""

from .domain.campaign import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.campaign import __all__ as __all__
