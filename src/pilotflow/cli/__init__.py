"""The ``pilotflow`` command (:func:`main`) and its demo."""

from . import letters as letters  # registers the letters' commands
from . import lists as lists  # registers the lists' commands
from . import write as write  # registers the action commands on the group
from .commands import cli, main

__all__ = ["cli", "main"]
