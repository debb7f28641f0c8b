"""Many OS processes against one database: quotas and versions stay safe, crashes lose nothing.

PostgreSQL runs 16 racing processes, SQLite 4. In CI PostgreSQL is mandatory.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.service import Winner
from workers import batch, open_run, race, sweep

from conftest import MINISTRY, forward, nominate, unit_code

SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str | None, int]]:
    """(url, schema, number of racing processes) for each SQL engine."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'race.db'}", None, 4
        return
    url = request.getfixturevalue("pg_url")
    schema = f"pf_race_{uuid.uuid4().hex[:10]}"
    yield url, schema, 16
    engine = sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _prepare(url: str, schema: str | None, parks: int, enterprises: int) -> list[str]:
    """Nominations held by Weihai, of two types, more than its quota of either (1 and 3)."""
    run = open_run(url, schema)
    ids = []
    for i in range(parks + enterprises):
        n = nominate(run, 100 + i, origin=("371002", "371003", "371082")[i % 3],
                     unit_type="park" if i < parks else "enterprise")  # fmt: skip
        ids.append(forward(run, n.id).id)
    run.store.close()
    return ids


def _check_consistent(run: pf.CampaignRun) -> None:
    """Versions gapless, events unique, replay equals state, quotas within limits."""
    events = run.events()
    by_nomination: dict[str, list[int]] = {}
    for e in events:
        by_nomination.setdefault(e.nomination_id, []).append(e.version)
    for nid, versions in by_nomination.items():
        assert list(range(1, len(versions) + 1)) == versions, nid
        assert len(versions) == run.get(nid).version
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    assert run.store.quota_usage(run.campaign.id) == {k: v for k, v in snapshot.quota.items() if v}
    for line in run.quota("371000"):
        assert line.limit is None or line.used <= line.limit


def test_racing_processes_never_exceed_quota(target: tuple[str, str | None, int]) -> None:
    """N processes race to stamp and recommend more Weihai candidates than its quota allows:
    no quota is exceeded, versions are gapless, no event is lost or duplicated, every loser
    got a typed error, and the log replays to the stored state."""
    url, schema, workers = target
    ids = _prepare(url, schema, parks=4, enterprises=6)
    queue = SPAWN.Queue()
    procs = [SPAWN.Process(target=race, args=(url, schema, ids, seed, queue)) for seed in range(workers)]
    for p in procs:
        p.start()
    outcomes: Counter[str] = Counter()
    for _ in procs:
        outcomes.update(queue.get(timeout=300))
    for p in procs:
        p.join(timeout=60)
        assert 0 == p.exitcode
    assert [] == [k for k in outcomes if "UNTYPED" in k or "StoreError" in k], outcomes
    run = open_run(url, schema)
    _check_consistent(run)
    quota = {line.unit_type: line for line in run.quota("371000")}
    assert 1 == quota["park"].used  # 4 candidates raced for 1 seat
    assert 3 == quota["enterprise"].used  # 6 candidates raced for 3 seats
    assert 4 == outcomes["recommend:ok"]
    stamps = sum(1 for e in run.events() if e.action == "stamp" and e.to_holder == "371000")
    assert stamps == outcomes["stamp:ok"]
    assert outcomes["recommend:QuotaExceeded"] > 0  # the losers were told "quota full"
    allowed = {"ok", "ActionRefused", "QuotaExceeded", "ConflictError"}
    assert set() == {k.split(":", 1)[1] for k in outcomes} - allowed


def test_killed_worker_leaves_consistent_store_and_batch_can_rerun(
    target: tuple[str, str | None, int], tmp_path: Path
) -> None:
    """SIGKILL in the middle of a batch leaves state, quota and log agreeing; re-running the
    batch with the same idempotency keys completes it without duplicates."""
    url, schema, _ = target
    ids = _prepare(url, schema, parks=0, enterprises=12)
    progress = tmp_path / "progress.txt"
    proc = SPAWN.Process(target=batch, args=(url, schema, ids, str(progress)))
    proc.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = progress.read_text().count("\n") if progress.exists() else 0
        if done >= 5:
            break
        time.sleep(0.005)
    os.kill(proc.pid or 0, signal.SIGKILL)
    proc.join(timeout=30)
    assert -signal.SIGKILL == proc.exitcode
    run = open_run(url, schema)
    _check_consistent(run)
    stamped_before = sum(1 for e in run.events() if e.action == "stamp" and e.to_holder == "371000")
    assert 5 <= stamped_before < 3 * len(ids)
    batch(url, schema, ids, str(progress))  # the re-run, to completion
    run = open_run(url, schema)
    _check_consistent(run)
    stamps = [e for e in run.events() if e.action == "stamp" and e.to_holder == "371000"]
    assert 3 * len(ids) == len(stamps)
    assert len(stamps) == len({(e.nomination_id, e.data["department"]) for e in stamps})
    for nid in ids:
        assert ("industry", "civil_affairs", "health") == run.get(nid).stamps


def test_concurrent_sweeps_fire_each_due_transition_once(target: tuple[str, str | None, int]) -> None:
    """Several processes run the deadline sweep at the same moment: every due nomination
    lapses exactly once, every earlier winner that did not apply for re-review is revoked
    exactly once (one event each), and no two sweeps claim the same one."""
    url, schema, workers = target
    run = open_run(url, schema)
    lapsing = {nominate(run, 300 + i, origin=("371002", "371003")[i % 2]).id for i in range(20)}
    winners = [Winner(unit_code(400 + i), f"复核单位{i}", "enterprise", 2018, "371002") for i in range(6)]
    unapplied = {n.id for n in run.register_winners(MINISTRY, winners)}
    ids = lapsing | unapplied
    run.store.close()
    queue = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=sweep, args=(url, schema, "2023-10-19T08:00:00+08:00", queue))
        for _ in range(min(workers, 8))
    ]
    for p in procs:
        p.start()
    claimed = [queue.get(timeout=300) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    flat = [nid for ids_ in claimed for nid in ids_]
    assert [] == [x for x in flat if x.startswith("ERROR")]
    assert sorted(ids) == sorted(flat)  # each claimed by exactly one sweep
    run = open_run(url, schema)
    lapses = [e.nomination_id for e in run.events() if e.action == "lapse"]
    revocations = [e.nomination_id for e in run.events() if e.action == "revoke_unapplied"]
    assert (sorted(lapsing), sorted(unapplied)) == (sorted(lapses), sorted(revocations))
    _check_consistent(run)
