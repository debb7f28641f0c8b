"""Code that runs in worker processes (spawned) for the concurrency and crash tests."""

from __future__ import annotations

import functools
import random
import time
from typing import Any

import pendulum

import pilotflow as pf

CAMPAIGN_ID = "smart-health-elderly-care-2023"


def open_run(url: str, schema: str | None) -> pf.CampaignRun:
    campaign = pf.load_campaign(CAMPAIGN_ID)
    options: dict[str, Any] = {"schema": schema} if schema else {}
    store = pf.open_store(url, **options)
    clock = pf.FixedClock(pendulum.datetime(2023, 10, 17, 12, tz="Asia/Shanghai"))
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)


def race(url: str, schema: str | None, ids: list[str], seed: int, queue: Any) -> None:
    """Try to recommend (and stamp) every nomination in ``ids`` at Weihai, in random order;
    report what happened to each attempt, by exception type."""
    run = open_run(url, schema)
    rng = random.Random(seed)
    outcome: dict[str, int] = {}
    order = ids[:]
    rng.shuffle(order)
    departments = ["industry", "civil_affairs", "health"]
    for nid in order:
        rng.shuffle(departments)
        for action, dept in [("stamp", d) for d in departments] + [("recommend", "industry")]:
            actor = pf.Actor("371000", dept, f"worker-{seed}")
            try:
                act = run.stamp if action == "stamp" else run.recommend
                pf.retry_on_conflict(functools.partial(act, actor, nid), attempts=20)
                key = f"{action}:ok"
            except pf.PilotflowError as exc:
                key = f"{action}:{type(exc).__name__}"
            except Exception as exc:  # anything untyped is a failure of the contract
                key = f"{action}:UNTYPED:{type(exc).__name__}:{exc}"
            outcome[key] = outcome.get(key, 0) + 1
    run.store.close()
    queue.put(outcome)


def batch(url: str, schema: str | None, ids: list[str], progress: str) -> None:
    """Stamp every nomination with all three departments, with idempotency keys; append a
    line to ``progress`` after each action (the parent kills us part-way)."""
    run = open_run(url, schema)
    with open(progress, "a", encoding="utf-8") as out:
        for nid in ids:
            for dept in ("industry", "civil_affairs", "health"):
                run.stamp(pf.Actor("371000", dept, "batch"), nid, idempotency_key=f"{nid}:{dept}")
                out.write(f"{nid}:{dept}\n")
                out.flush()
                time.sleep(0.01)  # a request's worth of time: the parent kills us mid-batch
    run.store.close()


def sweep(url: str, schema: str | None, when: str, queue: Any) -> None:
    """Run the deadline sweep once at ``when`` (ISO 8601); report the ids it lapsed."""
    run = open_run(url, schema)
    try:
        moment = pendulum.parse(when)
        run.clock.set(moment)  # type: ignore[attr-defined]  # the sweep runs at that moment
        queue.put(list(run.tick()))
    except Exception as exc:  # reported, so the parent test fails with the reason
        queue.put([f"ERROR {type(exc).__name__}: {exc}"])
    run.store.close()
