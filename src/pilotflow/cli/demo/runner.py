""":func:`run_demo`: prepare the demo's file, tell the story on it, print the summary and
check that the audit log replays to what the store holds."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.console import Console

from pilotflow import InvalidInput
from pilotflow.store.sql import sqlite_url

from . import ministry, render, story
from .database import DEFAULT_DB, check_unused, prepare_db
from .results import DemoResult
from .stage import Stage
from .summary import examples, summarize


def run_demo(
    db_path: str | os.PathLike[str] = DEFAULT_DB,
    console: Console | None = None,
    *,
    fresh: bool = True,
    through: str = "announcement",
) -> DemoResult:
    """Run the demo on the SQLite file ``db_path`` and print it on ``console``.

    ``fresh`` (the default) deletes the file first if the demo made it, and refuses
    (:class:`InvalidInput`, nothing touched) anything else at that path; without it the file
    must be absent, empty or a pilotflow database not yet holding this campaign's
    nominations. ``through`` is how far the campaign runs: to the
    ``"announcement"`` (the whole campaign: ministry review, spot checks, public notice,
    objections, announcement, revocations) or only until the recommendations are
    ``"received"`` by the ministry (leaving nominations mid-flight to explore).
    Returns what happened (:class:`DemoResult`).
    """
    if through not in ("received", "announcement"):
        raise InvalidInput(
            f"through must be 'received' or 'announcement', got {through!r}",
            "through 参数必须是 received（部级受理）或 announcement（公告）",
        )
    steps = story.STEPS + (ministry.STEPS if through == "announcement" else ())
    started = time.perf_counter()
    console = console if console is not None else Console(quiet=True)
    path = Path(db_path).expanduser().resolve()
    prepare_db(path, fresh=fresh)
    stage = Stage(path, console)
    try:
        check_unused(stage.run, path)
        render.header(console, stage.campaign, sqlite_url(path))
        for step in steps:
            step(stage)
        return _result(stage, path, started)
    finally:
        stage.run.store.close()


def _result(stage: Stage, path: Path, started: float) -> DemoResult:
    """Print the summary and the audit check, and gather what the demo did."""
    run = stage.run
    rows = summarize(run)
    render.summary(stage.console, stage.campaign, rows, stage.name)
    events = run.events()
    snapshot = run.replay()
    current = {n.id: n for n in run.nominations()}
    usage = run.store.quota_usage(stage.campaign.id)
    replay_ok = dict(snapshot.nominations) == current and dict(snapshot.quota) == usage
    render.audit(stage.console, len(events), len(current), len(stage.refusals), replay_ok)
    found = examples(run, stage.unit_of)
    return DemoResult(
        path,
        stage.campaign.id,
        len(current),
        len(events),
        replay_ok,
        tuple(stage.refusals),
        tuple(stage.selections),
        rows,
        found,
        time.perf_counter() - started,
        {n.unit_name: n.state for n in current.values()},
    )
