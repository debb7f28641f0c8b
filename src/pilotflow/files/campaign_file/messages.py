"""How a refusal names its place in a campaign file and quotes the file.

Every refusal is a :class:`~pilotflow.errors.CampaignFileError` raised by
:meth:`Refusals.fail`: the file, the key path inside it (``quotas[2].limits.enterprise``, built
with :func:`join`) and the problem in English and Chinese. A message never quotes more of the
file than a short token (:func:`short`, :func:`clean`).
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable
from typing import NoReturn

from ...errors import CampaignFileError

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxdict, _REPR.maxlist, _REPR.maxset = 2, 3, 3, 3
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 40


class Refusals:
    """Refusals of one source (a file name, ``bundled:<id>`` or ``<string>``)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, en: str, zh: str) -> NoReturn:
        raise CampaignFileError(self.source, path, en, zh)


def join(path: str, key: object) -> str:
    """The key path of ``key`` inside ``path`` (the key cleaned and cut to about 40 characters)."""
    name = clean(key if isinstance(key, str) else str(key), 40)
    return f"{path}.{name}" if path else name


def clean(text: str, limit: int = 80) -> str:
    """``text`` for a message: every non-printable character escaped (no raw control
    character reaches a terminal), cut to about ``limit`` characters."""
    cut = text[:limit]
    escaped = "".join(c if c.isprintable() else repr(c)[1:-1] for c in cut)
    if len(escaped) > limit or len(text) > limit:
        return escaped[: limit - 3] + "..."
    return escaped


def describe(value: object) -> tuple[str, str]:
    """The YAML type name of ``value`` in English and Chinese."""
    if value is None:
        return "null", "空值"
    if isinstance(value, bool):
        return "a boolean", "布尔值"
    if isinstance(value, int):
        return "an integer", "整数"
    if isinstance(value, float):
        return "a number", "数值"
    if isinstance(value, str):
        return "a string", "字符串"
    if isinstance(value, dict):
        return "a mapping", "映射"
    if isinstance(value, list):
        return "a list", "列表"
    return type(value).__name__, type(value).__name__


def short(value: object, limit: int = 40) -> str:
    """``value`` as a short token for a message: a bounded ``repr`` (strings quoted, every
    control character escaped, containers cut after a few items), at most ``limit``
    characters. A message never quotes more of a file than this."""
    text = _REPR.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def suggest(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """`` (did you mean 'x'?)`` in English and Chinese when one of ``choices`` is close to
    ``word``, else empty strings."""
    if len(word) > 100:
        return "", ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" (did you mean {short(close[0])}?)", f"（是否应为 {short(close[0])}？）"
