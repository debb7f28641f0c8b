"""The public name of :mod:`pilotflow.app.run` (documented as ``pilotflow.service``)."""

from .app.run import *  # noqa: F403  (the public names, as the home module lists them)
from .app.run import __all__ as __all__
