"""The public name of :mod:`pilotflow.domain.authorities` (documented as ``pilotflow.authorities``)."""

from .domain.authorities import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.authorities import __all__ as __all__
