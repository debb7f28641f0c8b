"""The ``pilotflow`` command (:func:`main`) and its demo."""

from .commands import cli, main

__all__ = ["cli", "main"]
