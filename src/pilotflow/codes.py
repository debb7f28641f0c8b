"""The public name of :mod:`pilotflow.domain.codes` (documented as ``pilotflow.codes``)."""

from .domain.codes import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.codes import __all__ as __all__
