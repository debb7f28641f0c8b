"""How a refusal names its place in a campaign file and quotes the file, and how every
problem of a file is collected.

Every problem is a :class:`~pilotflow.errors.FileProblem`: the key path inside the file
(``quotas[2].limits.enterprise``, built with :func:`join`) and the problem in English and
Chinese. A message never quotes more of the file than a short token (:func:`short`,
:func:`clean`).

A file is checked in full: :meth:`Refusals.fail` ends the reading of one item (a section, a
quota rule, a hop, a material...), :meth:`Refusals.collecting` records its problem and reading
goes on with the next item; :meth:`Refusals.note` records a problem the item can be read past
(an unknown key). A reference into a section that had a problem and does not resolve is
skipped, not reported (:meth:`Refusals.skip`): the section's own problem says it. At the end,
:meth:`Refusals.checked` raises one :class:`~pilotflow.errors.CampaignFileError` with every
problem, or stops early after ``MAX_PROBLEMS``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import NoReturn, TypeVar

from ...errors import CampaignFileError, FileProblem, shown

T = TypeVar("T")

MAX_PROBLEMS = 200
"""The most problems a file is checked for: reading stops at this many (a hostile file with
100,000 bad items costs no more than one with 200)."""

_SECTION = re.compile(r"[.\[]")


class _Skipped(Exception):
    """An item that cannot be read on: its problem is recorded already, or it refers to a
    section that had a problem."""


class _Stopped(Exception):
    """``MAX_PROBLEMS`` problems were found: reading stops."""


def section_of(path: str) -> str:
    """The top-level key a key path lies under (``quotas`` for ``quotas[2].total``)."""
    return _SECTION.split(path, maxsplit=1)[0]


class Refusals:
    """Refusals of one source (a file name, ``bundled:<id>`` or ``<string>``), collected."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[FileProblem] = []
        self.broken: set[str] = set()  # the top-level keys with a problem
        self.stopped = False
        #: The file's top-level keys in the order written: problems are reported in that order
        #: (sections are read in the order they depend on each other).
        self.order: tuple[str, ...] = ()
        self.sections: frozenset[str] = frozenset()  # the top-level keys pilotflow reads

    def fail(self, path: str, en: str, zh: str) -> NoReturn:
        """Refuse the item being read (see :meth:`collecting`)."""
        raise CampaignFileError(self.source, path, en, zh)

    def note(self, path: str, en: str, zh: str, *, breaks: str | None = None) -> None:
        """Record a problem and read on; ``breaks`` is the key path whose section it leaves
        unusable (``path`` by default)."""
        self.problems.append(FileProblem(path, en, zh))
        self.broken.add(section_of(path if breaks is None else breaks))
        if len(self.problems) >= MAX_PROBLEMS:
            self.stopped = True
            raise _Stopped

    def skip(self) -> NoReturn:
        """Stop reading the item without a problem of its own (see :meth:`collecting`)."""
        raise _Skipped

    def skip_if_broken(self, section: str) -> None:
        """Stop reading the item (silently) when ``section`` had a problem: a reference into
        it that does not resolve may be the section's fault."""
        if section and section in self.broken:
            self.skip()

    @contextmanager
    def collecting(self, path: str) -> Iterator[None]:
        """Read one item (at ``path``) inside: a refusal is recorded and the block left, and
        reading goes on after it."""
        try:
            yield
        except CampaignFileError as exc:
            for problem in exc.problems:
                self.note(problem.path, problem.problem, problem.problem_zh)
        except _Skipped:
            self.broken.add(section_of(path))

    def section(self, key: str, read: Callable[[], T], default: T) -> T:
        """What ``read`` returns for the top-level ``key``; ``default`` when it is refused or
        ``key`` already had a problem (a required key missing)."""
        if key not in self.broken:
            with self.collecting(key):
                return read()
        return default

    def checked(self, read: Callable[[], T]) -> T:
        """What ``read`` returns, when the file has no problem; otherwise one
        :class:`~pilotflow.errors.CampaignFileError` with every problem found."""
        result: T | None = None
        try:
            with self.collecting(""):
                result = read()
        except _Stopped:
            pass
        if self.problems:
            rank = {key: i for i, key in enumerate(self.order) if key in self.sections}
            ordered = sorted(self.problems, key=lambda p: rank.get(section_of(p.path), -1))
            raise CampaignFileError.of(self.source, ordered, truncated=self.stopped)
        if result is None:  # pragma: no cover - a skip always follows a recorded problem
            raise AssertionError("campaign file skipped without a problem")
        return result


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
    return shown(value, limit)


def suggest(word: str, choices: Iterable[str]) -> tuple[str, str]:
    """`` (did you mean 'x'?)`` in English and Chinese when one of ``choices`` is close to
    ``word``, else empty strings."""
    if len(word) > 100:
        return "", ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close:
        return "", ""
    return f" (did you mean {short(close[0])}?)", f"（是否应为 {short(close[0])}？）"
