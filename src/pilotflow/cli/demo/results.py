"""What :func:`~pilotflow.cli.demo.run_demo` returns: the refusals it met, the summary per
authority, and the whole :class:`DemoResult`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from attrs import frozen

from pilotflow import QuotaLine, SelectionResult, Submission
from pilotflow.store.sql import sqlite_url


@frozen
class Refusal:
    """One action the demo tried that pilotflow refused, with every reason it gave."""

    title: str
    action: str
    actor: str
    unit_name: str
    codes: tuple[str, ...]
    en: tuple[str, ...]
    zh: tuple[str, ...]


@frozen
class SummaryRow:
    """What one authority received and did with it."""

    authority: str
    name: str
    level: str
    received: int
    recommended: int
    cut: int
    declined: int
    pending: int
    quota: tuple[QuotaLine, ...]  # only the lines with a limit


@frozen
class DemoResult:
    """What :func:`run_demo` did: enough for a test to check it, or a user to explore it."""

    db_path: Path
    campaign_id: str
    nominations: int
    events: int
    replay_ok: bool
    refusals: tuple[Refusal, ...]
    selections: tuple[SelectionResult, ...]
    summary: tuple[SummaryRow, ...]
    examples: Mapping[str, str]  # label -> nomination id (to try `pilotflow history`)
    seconds: float
    outcomes: Mapping[str, str] = {}  # unit name -> final state (the ministry phase, re-review)
    letters: tuple[Submission, ...] = ()  # the letters (推荐函) sent, in order
    documents: tuple[Path, ...] = ()  # the summary tables and letter drafts written

    @property
    def store_url(self) -> str:
        return sqlite_url(self.db_path)

    def selection(self, authority: str, unit_type: str) -> SelectionResult:
        """The selection ``authority`` made for ``unit_type``."""
        for s in self.selections:
            if s.authority == authority and s.unit_type == unit_type:
                return s
        raise KeyError((authority, unit_type))

    def row(self, authority: str) -> SummaryRow:
        """The summary row of ``authority``."""
        for r in self.summary:
            if r.authority == authority:
                return r
        raise KeyError(authority)

    def refusal_codes(self) -> set[str]:
        """Every reason code the refusals carried."""
        return {code for r in self.refusals for code in r.codes}
