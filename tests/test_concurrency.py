"""Many OS processes against one database: quotas, versions and letters stay safe, crashes
lose nothing.

PostgreSQL runs 16 racing processes, SQLite 4. In CI PostgreSQL is mandatory.
"""

from __future__ import annotations

import contextlib
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
from workers import BATCH_LETTERS, batch, open_run, race, sweep

from conftest import MINISTRY, SHANDONG, WEIHAI, forward, nominate, unit_code

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
    """Versions gapless for units and letters alike, events unique, replay equals state
    (nominations, submissions, quota), quotas within limits, no unit in two drafts."""
    letters = {s.id: s for s in run.submissions()}
    by_record: dict[str, list[int]] = {}
    for e in run.events():
        by_record.setdefault(e.nomination_id, []).append(e.version)
    for rid, versions in by_record.items():
        assert list(range(1, len(versions) + 1)) == versions, rid
        if rid in letters:
            assert run.store.get_submission(rid) == letters[rid]
            assert len(versions) == run.submission(rid).version
        else:
            assert len(versions) == run.get(rid).version
    assert set(letters) <= set(by_record)
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    assert letters == dict(snapshot.submissions)
    assert run.store.quota_usage(run.campaign.id) == {k: v for k, v in snapshot.quota.items() if v}
    for line in run.quota(WEIHAI):
        assert line.limit is None or line.used <= line.limit
    listed = Counter(u for s in run.submissions(state="draft") for u in s.units)
    assert [] == [u for u, k in listed.items() if k > 1]


def _sent_whole(run: pf.CampaignRun) -> list[pf.Submission]:
    """Every letter Weihai sent moved all its units to Shandong, each with one ``recommend``
    naming the letter and its rank; every unit at Shandong came in such a letter. The letters."""
    sent = run.submissions(sender=WEIHAI, state="sent")
    arrived = {n.id for n in run.nominations(holder=SHANDONG)}
    assert sorted(arrived) == sorted(u for s in sent for u in s.units)
    for s in sent:
        assert s.receiver == SHANDONG
        for rank, nid in enumerate(s.units, 1):
            moves = [e for e in run.history(nid) if e.action == "recommend" and e.from_holder == WEIHAI]
            assert [(s.id, rank)] == [(e.data["submission"], e.data["rank"]) for e in moves]
            assert run.get(nid).version == s.sent_versions[rank - 1]
    return sent


def test_racing_senders_send_each_letter_whole_and_never_exceed_quota(
    target: tuple[str, str | None, int],
) -> None:
    """N processes of Weihai's clerks race to send its candidates (4 parks for 1 seat, 6
    enterprises for 3) to Shandong in random groups and orders: one-unit letters through the
    per-unit calls, letters of several through prepare/stamp/send. No quota is exceeded, no
    unit is ever listed in two drafts, every sent letter moved all its units and no unit moved
    without its letter, versions of units and letters are gapless, the log replays to the
    stored state, and every loser got a typed refusal or conflict. Once the race is over the
    quota is exactly full (no seat leaked)."""
    url, schema, workers = target
    ids = _prepare(url, schema, parks=4, enterprises=6)
    queue = SPAWN.Queue()
    procs = [SPAWN.Process(target=race, args=(url, schema, ids, seed, queue)) for seed in range(workers)]
    for p in procs:
        p.start()
    outcomes: Counter[str] = Counter()
    for _ in procs:
        outcomes.update(queue.get(timeout=600))
    for p in procs:
        p.join(timeout=60)
        assert 0 == p.exitcode
    assert [] == [k for k in outcomes if "UNTYPED" in k or "StoreError" in k or k.startswith("check:")], (
        outcomes
    )
    # A unit in another clerk's letter of several is sent with that letter, not alone.
    allowed = {"ok", "ActionRefused", "QuotaExceeded", "ConflictError"}
    assert set() == {k for k in outcomes if k.split(":", 1)[1] not in allowed} - {"recommend:InvalidInput"}
    assert outcomes["send:QuotaExceeded"] + outcomes["recommend:QuotaExceeded"] > 0  # told "quota full"
    run = open_run(url, schema)
    _check_consistent(run)
    sent = _sent_whole(run)
    assert len(sent) == outcomes["send:ok"] + outcomes["recommend:ok"]
    stamps = [e for e in run.events() if e.action == "stamp_letter" and e.from_holder == WEIHAI]
    assert len(stamps) == outcomes["stamp:ok"] + outcomes["stamp_letter:ok"]
    assert len(stamps) == len({(e.nomination_id, e.data["department"]) for e in stamps})
    # Whatever the race left undone, done one unit at a time: the seats fill exactly.
    clerk = pf.Actor(WEIHAI, "industry", "after-the-race")
    for draft in run.submissions(sender=WEIHAI, state="draft"):
        run.discard_submission(clerk, draft.id)
    for n in run.nominations(holder=WEIHAI, state="in_review"):
        with contextlib.suppress(pf.QuotaExceeded):
            forward(run, n.id)
    quota = {line.unit_type: line for line in run.quota(WEIHAI)}
    assert (1, 3) == (quota["park"].used, quota["enterprise"].used)
    _check_consistent(run)
    _sent_whole(run)


def test_killed_worker_leaves_consistent_store_and_batch_can_rerun(
    target: tuple[str, str | None, int], tmp_path: Path
) -> None:
    """SIGKILL in the middle of a batch stamping Weihai's letters (letters of three units
    through ``prepare_submission`` / ``stamp_submission``, one-unit letters through the
    per-unit ``stamp``, every action with an idempotency key) leaves state, letters, quota and
    log agreeing; re-running the batch with the same keys completes it: each letter prepared
    once, stamped once by each department, no unit in two letters."""
    url, schema, _ = target
    ids = _prepare(url, schema, parks=0, enterprises=12)
    total = 3 * len(BATCH_LETTERS)
    progress = tmp_path / "progress.txt"
    proc = SPAWN.Process(target=batch, args=(url, schema, ids, str(progress)))
    proc.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = progress.read_text().count("\n") if progress.exists() else 0
        if done >= 7:
            break
        time.sleep(0.005)
    os.kill(proc.pid or 0, signal.SIGKILL)
    proc.join(timeout=30)
    assert -signal.SIGKILL == proc.exitcode
    done = progress.read_text().count("\n")
    run = open_run(url, schema)
    _check_consistent(run)
    stamped_before = len(_weihai_stamps(run))
    assert done <= stamped_before <= done + 1  # the one being written when killed, or not
    assert stamped_before < total
    batch(url, schema, ids, str(progress))  # the re-run, to completion
    run = open_run(url, schema)
    _check_consistent(run)
    stamps = _weihai_stamps(run)
    assert total == len(stamps)
    assert len(stamps) == len({(e.nomination_id, e.data["department"]) for e in stamps})
    drafts = run.submissions(sender=WEIHAI, state="draft")
    assert sorted(ids) == sorted(u for s in drafts for u in s.units)
    assert sorted(len(p) for _, p in BATCH_LETTERS) == sorted(len(s.units) for s in drafts)
    for s in drafts:
        assert ("industry", "civil_affairs", "health") == s.stamps
        assert s.id == run.carrying(s.units[0]).id  # type: ignore[union-attr]
    assert [] == run.submissions(sender=WEIHAI, state="discarded")


def _weihai_stamps(run: pf.CampaignRun) -> list[pf.Event]:
    """The stamps on Weihai's letters."""
    letters = {s.id for s in run.submissions(sender=WEIHAI)}
    return [e for e in run.events() if e.action == "stamp_letter" and e.nomination_id in letters]


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
