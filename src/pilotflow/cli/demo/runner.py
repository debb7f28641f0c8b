""":func:`run_demo`: prepare the demo's file, tell the story on it, print the summary and
check that the audit log replays to what the store holds."""

from __future__ import annotations

import os
import time
from pathlib import Path

from rich.console import Console

from pilotflow import InvalidInput
from pilotflow.errors import shown
from pilotflow.files._io import fs_path, home_path
from pilotflow.store.sql import sqlite_url

from . import ministry, render, story
from .data import MINISTRY, QINGDAO, SHANDONG, WEIHAI
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
    try:
        path = home_path(fs_path(db_path, "db_path")).resolve()
    except (RuntimeError, OSError) as exc:  # (a loop of symbolic links: RuntimeError before 3.13)
        raise InvalidInput(
            f"db_path {shown(str(db_path))} cannot be used: a loop of symbolic links, or a path "
            "the system cannot resolve",
            f"db_path {shown(str(db_path))} 无法使用：符号链接成环，或系统无法解析该路径",
        ) from exc
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
    letters = {s.id: s for s in run.submissions()}
    usage = run.store.quota_usage(stage.campaign.id)
    replay_ok = (
        dict(snapshot.nominations) == current
        and dict(snapshot.quota) == usage
        and dict(snapshot.submissions) == letters
    )
    render.audit(stage.console, len(events), len(current), len(stage.refusals), replay_ok, len(letters))
    documents = _write_documents(stage, path)
    render.documents(stage.console, documents)
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
        tuple(stage.letters),
        documents,
    )


#: The senders whose letters' documents the demo writes next to its database.
DOCUMENTED = ((WEIHAI, SHANDONG), (SHANDONG, MINISTRY), (QINGDAO, MINISTRY))


def _write_documents(stage: Stage, path: Path) -> tuple[Path, ...]:
    """The summary table and letter draft of Weihai's, Shandong's and Qingdao's letters,
    made again from the record (checked against the SHA-256 recorded when each was sent) and
    written next to the database as ``<database name>-<file>``."""
    written = []
    for letter in stage.letters:
        if (letter.sender, letter.receiver) in DOCUMENTED and letter.state == "sent":
            for doc in stage.run.submission_documents(letter.id):
                target = path.with_name(f"{path.stem}-{doc.filename}")
                partial = target.with_name(target.name + ".partial")
                partial.write_bytes(doc.data)
                partial.replace(target)
                written.append(target)
    return tuple(written)
