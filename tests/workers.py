"""Code that runs in worker processes (spawned) for the concurrency and crash tests."""

from __future__ import annotations

import functools
import random
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, TypeVar

import pendulum

import pilotflow as pf
from pilotflow.samples import material_for

CAMPAIGN_ID = "smart-health-elderly-care-2023"
T = TypeVar("T")


def open_run(url: str, schema: str | None) -> pf.CampaignRun:
    campaign = pf.load_campaign(CAMPAIGN_ID)
    options: dict[str, Any] = {"schema": schema} if schema else {}
    store = pf.open_store(url, **options)
    clock = pf.FixedClock(pendulum.datetime(2023, 10, 17, 12, tz="Asia/Shanghai"))
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)


WEIHAI = "371000"
DEPARTMENTS = ("industry", "civil_affairs", "health")  # Weihai's stamping departments


def _tally(outcome: dict[str, int], action: str, call: Callable[[], T]) -> T | None:
    """Run ``call`` (again on a conflict), count what happened by exception type, and give
    back its result (None: refused)."""
    try:
        result = pf.retry_on_conflict(call, attempts=20)
    except pf.PilotflowError as exc:
        key = f"{action}:{type(exc).__name__}"
        result = None
    except Exception as exc:  # anything untyped is a failure of the contract
        key = f"{action}:UNTYPED:{type(exc).__name__}:{exc}"
        result = None
    else:
        key = f"{action}:ok"
    outcome[key] = outcome.get(key, 0) + 1
    return result


def _letter_materials(run: pf.CampaignRun) -> list[pf.Material]:
    """The materials Weihai's letter to Shandong carries (the 推荐函 of three departments)."""
    return [material_for(run.campaign, r.kind, r.copies) for r in run.letter_materials(WEIHAI, "370000")]


def _weihai_draft(run: pf.CampaignRun, nid: str) -> pf.Submission | None:
    carrying = run.carrying(nid)
    if carrying is not None and carrying.sender == WEIHAI and carrying.state == "draft":
        return carrying
    return None


def _one_by_one(run: pf.CampaignRun, rng: random.Random, nid: str, seed: int, out: dict[str, int]) -> bool:
    """The per-unit calls: attach the letter's material, stamp with each department (in a
    random order), recommend. False at the first refusal."""
    lead = pf.Actor(WEIHAI, "industry", f"worker-{seed}")
    for material in _letter_materials(run):
        if _tally(out, "attach", functools.partial(run.attach, lead, nid, material)) is None:
            return False
    for department in rng.sample(DEPARTMENTS, len(DEPARTMENTS)):
        actor = pf.Actor(WEIHAI, department, f"worker-{seed}")
        if _tally(out, "stamp", functools.partial(run.stamp, actor, nid)) is None:
            return False
    return _tally(out, "recommend", functools.partial(run.recommend, lead, nid)) is not None


def _as_a_letter(
    run: pf.CampaignRun, rng: random.Random, group: list[str], seed: int, out: dict[str, int]
) -> bool:
    """One letter of several units: prepare, attach its material, stamp with each department
    (in a random order), send. False at the first refusal."""
    lead = pf.Actor(WEIHAI, "industry", f"worker-{seed}")
    letter = _tally(out, "prepare", functools.partial(run.prepare_submission, lead, group))
    if letter is None:
        return False
    sid = letter.id
    for material in _letter_materials(run):
        if (
            _tally(out, "attach_letter", functools.partial(run.attach_to_submission, lead, sid, material))
            is None
        ):
            return False
    for department in rng.sample(DEPARTMENTS, len(DEPARTMENTS)):
        actor = pf.Actor(WEIHAI, department, f"worker-{seed}")
        if _tally(out, "stamp_letter", functools.partial(run.stamp_submission, actor, sid)) is None:
            return False
    return _tally(out, "send", functools.partial(run.send, lead, sid)) is not None


def race(url: str, schema: str | None, ids: list[str], seed: int, queue: Any) -> None:
    """Weihai's clerks in one process: send every nomination in ``ids`` to Shandong, in
    random groups and a random order: one-unit letters through the per-unit calls (attach,
    stamp, recommend), letters of two or three units through the submission calls (prepare,
    attach, stamp, send). A refused letter is discarded, so that its units are free again.
    After each group the drafts are read: a unit listed in two drafts is reported. Report
    what happened to each attempt, by exception type."""
    run = open_run(url, schema)
    rng = random.Random(seed)
    outcome: dict[str, int] = {}
    order = ids[:]
    rng.shuffle(order)
    lead = pf.Actor(WEIHAI, "industry", f"worker-{seed}")
    while order:
        size = rng.choice((1, 1, 2, 3))
        group, order = order[:size], order[size:]
        if len(group) == 1 and rng.random() < 0.6:
            done = _one_by_one(run, rng, group[0], seed, outcome)
        else:
            done = _as_a_letter(run, rng, group, seed, outcome)
        if not done:  # give the units back: discard the draft listing them, if it is still one
            for nid in group:
                draft = _weihai_draft(run, nid)
                if draft is not None:
                    _tally(outcome, "discard", functools.partial(run.discard_submission, lead, draft.id))
        listed = Counter(u for s in run.submissions(sender=WEIHAI, state="draft") for u in s.units)
        if any(n > 1 for n in listed.values()):
            outcome["check:LISTED_TWICE"] = outcome.get("check:LISTED_TWICE", 0) + 1
    run.store.close()
    queue.put(outcome)


#: The killed batch: Weihai's letters to Shandong, as (key, the units' positions in ``ids``):
#: two letters of three units prepared with ``prepare_submission`` and stamped with
#: ``stamp_submission``, between them one-unit letters stamped through the per-unit ``stamp``.
BATCH_LETTERS = (("letter-a", (0, 1, 2)), ("unit", (3,)), ("unit", (4,)), ("letter-b", (5, 6, 7)),
                 ("unit", (8,)), ("unit", (9,)), ("unit", (10,)), ("unit", (11,)))  # fmt: skip


def batch(url: str, schema: str | None, ids: list[str], progress: str) -> None:
    """Stamp Weihai's letters of :data:`BATCH_LETTERS` with every stamping department, each
    action with its idempotency key; append a line to ``progress`` after each stamp (the
    parent kills us part-way). Run again with the same keys, it finishes the batch: an action
    done before is answered from its receipt."""
    run = open_run(url, schema)
    lead = pf.Actor(WEIHAI, "industry", "batch")
    with open(progress, "a", encoding="utf-8") as out:
        for key, positions in BATCH_LETTERS:
            units = [ids[i] for i in positions]
            letter = None
            if key != "unit":
                letter = run.prepare_submission(lead, units, idempotency_key=f"prepare:{key}")
            for dept in DEPARTMENTS:
                actor = pf.Actor(WEIHAI, dept, "batch")
                if letter is None:
                    run.stamp(actor, units[0], idempotency_key=f"stamp:{units[0]}:{dept}")
                else:
                    run.stamp_submission(actor, letter.id, idempotency_key=f"stamp:{key}:{dept}")
                out.write(f"{key}:{dept}\n")
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
