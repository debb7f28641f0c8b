"""The public name of :mod:`pilotflow.files.samples` (documented as ``pilotflow.samples``)."""

from .files.samples import *  # noqa: F403  (the public names, as the home module lists them)
from .files.samples import __all__ as __all__
