"""The public name of :mod:`pilotflow.domain.workdays` (documented as ``pilotflow.workdays``)."""

from .domain.workdays import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.workdays import __all__ as __all__
