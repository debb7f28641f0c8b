"""The public name of :mod:`pilotflow.files.materials` (documented as ``pilotflow.materials``)."""

from .files.materials import *  # noqa: F403  (the public names, as the home module lists them)
from .files.materials import __all__ as __all__
