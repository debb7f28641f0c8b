"""The public name of :mod:`pilotflow.domain.inputs` (documented as ``pilotflow.inputs``)."""

from .domain.inputs import *  # noqa: F403  (the public names, as the home module lists them)
from .domain.inputs import __all__ as __all__
