"""Cost per action and memory per nomination: pilotflow against a bare ``transitions`` machine
and a plain-Python floor, all in one run.

    .venv/bin/python benchmarks/bench_core.py            # 100,000 nominations (a few minutes)
    .venv/bin/python benchmarks/bench_core.py --quick    # 5,000 nominations: a smoke run (< 30 s)
    .venv/bin/python benchmarks/bench_core.py --profile  # also print a cProfile of pilotflow

Every nomination goes district → city → province → ministry with every guard on: it is filed
with all materials (``nominate``), then at each of the three lower levels the three departments
stamp and the holder recommends: 13 accepted actions. Three implementations do those 13 steps:

* **pilotflow** — ``CampaignRun`` on a ``MemoryStore``: the bundled campaign with its quota
  limits lifted to 10**9 (the quota guard still runs on every recommendation; with the real
  limits a city may forward 1-3 units of a type, so 100,000 nominations could not all
  climb), a ``FixedClock`` at 2023-10-17 09:00 Asia/Shanghai, and the five disqualification
  lists holding 1,000 units each (none of them nominated), so every lookup is a real one;
* **transitions** — one shared ``transitions.Machine`` with the same 13 steps as states and
  triggers (``stamp`` an internal transition) and one always-true condition per pilotflow
  guard; its models are registered in one ``add_model`` call, which is still quadratic, so it
  runs on fewer models (``--tm-models``, default 5,000), driven through all 13 steps in every
  round and then set back to ``new``: the cost of a trigger does not depend on the count;
* **floor** — a plain-Python loop over small dicts doing the same checks (actor, deadline,
  list membership, stamps, materials, quota counter) and appending a tuple per event.

The work runs in rounds: a chunk of pilotflow nominations (n/20) is filed and driven step by
step, then every transitions model, then the same chunk on the floor (the order rotates), so
load from other processes on a shared machine hits all three alike. Times are µs per action,
the median over rounds; the ratios are the median of the per-round ratios, and they are what
count. Route plans are computed before timing (once per route, not per action). Memory is
measured with ``tracemalloc`` in separate passes. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from importlib import metadata
from typing import Any

import pendulum
from transitions import Machine

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import sample_materials

from _common import ALL_MATERIALS, TZ, lifted_campaign

LISTED_PER_LIST = 1_000
LEVELS = 3  # district, city, province recommend; the ministry receives
ACTIONS = ("nominate", "stamp", "recommend")
STEPS_PER_NOMINATION = 1 + LEVELS * 4


Timings = dict[str, list[float]]  # action (or "all") -> µs per action, one value per round


# -- the campaign, the lists, the inputs ------------------------------------------------


class Setup:
    """Everything the three implementations share: campaign, lists, origins, actors."""

    def __init__(self) -> None:
        self.campaign = lifted_campaign("bench_core")
        self.graph = pf.AuthorityGraph.bundled()
        self.clock = pf.FixedClock(pendulum.datetime(2023, 10, 17, 9, tz=TZ))
        # Electronic materials are real files, checked once and shared by every nomination
        # (their records are immutable); paper ones are declared afresh per nomination.
        self.paper = {k for k, v in self.campaign.materials.items() if v.paper}
        electronic = [k for k, _ in ALL_MATERIALS if k not in self.paper]
        self.files = {
            m.kind: m
            for m in sample_materials(self.campaign, tempfile.mkdtemp(prefix="bench-files-"), electronic)
        }
        probe = pf.CampaignRun(self.campaign, lists=pf.empty_lists(self.campaign), clock=self.clock)
        # Origins: every county-level authority whose route has four levels (Shandong's
        # districts outside Qingdao, and the districts of every other province).
        self.routes: dict[str, tuple[str, ...]] = {}
        for authority in self.graph:
            if authority.level != "district":
                continue
            try:
                route = probe.workflow.route(authority.code)
            except pf.GraphError:
                continue
            if len(route) == LEVELS + 1:
                self.routes[authority.code] = route
        self.origins = sorted(self.routes)
        self.plans = {route: probe.workflow.plan(route) for route in self.routes.values()}
        self.actors: dict[str, tuple[pf.Actor, ...]] = {}
        for route in self.routes.values():
            for code in route[:LEVELS]:
                if code not in self.actors:
                    departments = self.graph[code].departments
                    if len(departments) != 3:
                        sys.exit(f"bench_core: {code} does not have three departments")
                    self.actors[code] = tuple(pf.Actor(code, d, f"{d}-clerk") for d in departments)
        self.lists = self._lists()
        self.unit_types = tuple(self.campaign.unit_types)
        self.scenarios = tuple(self.campaign.scenarios)

    def _lists(self) -> list[pf.UnitList]:
        since = pendulum.datetime(2023, 1, 1, tz=TZ)
        out = []
        for k, list_id in enumerate(self.campaign.screening_lists):
            entries = []
            for i in range(k * LISTED_PER_LIST, (k + 1) * LISTED_PER_LIST):
                division = self.origins[i % len(self.origins)][:6]
                code = make_code("91" + division, f"LT{i:06d}")  # "LT…": never a nominated unit
                entries.append(pf.Listing(code, since, reason="基准测试 / benchmark"))
            out.append(pf.UnitList.build(list_id, entries))
        return out

    def new_run(self, clock: pf.Clock | None = None) -> pf.CampaignRun:
        store = pf.MemoryStore()
        return pf.CampaignRun(self.campaign, store=store, lists=self.lists, clock=clock or self.clock)

    def origin(self, i: int) -> str:
        return self.origins[i % len(self.origins)]

    def unit_code(self, i: int) -> str:
        return make_code("91" + self.origin(i)[:6], f"MA{i:06d}")  # 371000-NH: 南海新区

    def nomination_input(self, i: int) -> tuple[pf.Actor, dict[str, Any]]:
        """The applicant and the arguments of ``nominate`` for nomination ``i`` (fresh objects)."""
        code = self.unit_code(i)
        return pf.Actor.applicant(code, "applicant"), {
            "unit_code": code,
            "unit_name": f"基准测试单位{i}",
            "unit_type": self.unit_types[i % len(self.unit_types)],
            "scenario": self.scenarios[i % len(self.scenarios)],
            "origin": self.origin(i),
            "materials": [
                pf.Material(kind, copies=copies) if kind in self.paper else self.files[kind]
                for kind, copies in ALL_MATERIALS
            ],
        }


def chunks(n: int, size: int) -> Iterable[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def record(timings: Timings, seconds: tuple[float, float, float], k: int) -> None:
    """Add one round's seconds (``k`` nominations or models) as µs per action."""
    nominate, stamp, recommend = seconds
    timings["nominate"].append(nominate / k * 1e6)
    timings["stamp"].append(stamp / (k * LEVELS * 3) * 1e6)
    timings["recommend"].append(recommend / (k * LEVELS) * 1e6)
    timings["all"].append((nominate + stamp + recommend) / (k * STEPS_PER_NOMINATION) * 1e6)


def new_timings() -> Timings:
    return {a: [] for a in (*ACTIONS, "all")}


# -- pilotflow --------------------------------------------------------------------------

Seconds = tuple[float, float, float]  # one round: nominate, all stamps, all recommends


def pilotflow_round(run: pf.CampaignRun, setup: Setup, part: range) -> Seconds:
    """File nominations ``part``, then drive them step by step to the ministry."""
    nominate, stamp, recommend = run.nominate, run.stamp, run.recommend
    actors = setup.actors
    perf = time.perf_counter
    inputs = [setup.nomination_input(i) for i in part]
    t0 = perf()
    made = [nominate(applicant, **kw) for applicant, kw in inputs]
    t_nominate = perf() - t0
    t_stamp = t_recommend = 0.0
    for hop in range(LEVELS):
        for d in range(3):
            args = [(actors[m.route[hop]][d], m.id) for m in made]
            t0 = perf()
            for actor, nid in args:
                stamp(actor, nid)
            t_stamp += perf() - t0
        args = [(actors[m.route[hop]][0], m.id) for m in made]
        t0 = perf()
        for actor, nid in args:
            recommend(actor, nid)
        t_recommend += perf() - t0
    return t_nominate, t_stamp, t_recommend


def warm_plans(run: pf.CampaignRun, setup: Setup) -> None:
    """Compute each origin's route and route plan (once per route and campaign, not per action)."""
    for origin in setup.origins:
        run.workflow.plan(run.workflow.route(origin))


def drive_one(run: pf.CampaignRun, setup: Setup, i: int) -> None:
    applicant, kw = setup.nomination_input(i)
    n = run.nominate(applicant, **kw)
    for hop in range(LEVELS):
        actors = setup.actors[n.route[hop]]
        for actor in actors:
            run.stamp(actor, n.id)
        run.recommend(actors[0], n.id)


class TickingClock:
    """One microsecond later at every reading (from a whole minute): a distinct datetime per
    action, as a wall clock gives. Only for a memory pass: it shows what FixedClock's single
    shared moment saves. Built with pendulum's constructor, which is fast."""

    def __init__(self, start: datetime) -> None:
        self._start = start.replace(second=0, microsecond=0)
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        s, t = self._start, self._ticks
        return pendulum.DateTime(
            s.year, s.month, s.day, s.hour, s.minute, t // 1_000_000, t % 1_000_000, tzinfo=s.tzinfo
        )


def memory_pilotflow(setup: Setup, n: int, clock: pf.Clock | None = None) -> tuple[float, float]:
    """Bytes per nomination: (state only, state + in-memory audit log)."""
    run = setup.new_run(clock)
    warm_plans(run, setup)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        drive_one(run, setup, i)
    gc.collect()
    total = tracemalloc.get_traced_memory()[0] - base
    # State only: drop the audit log. MemoryStore has no public way to do that (an audit log
    # is append-only), so reach into it here, in the benchmark only.
    logs = getattr(run.store, "_logs", None)
    if logs is None or getattr(run.store, "_by_nomination", 0) is not None:
        sys.exit("bench_core: MemoryStore's log is not where this expects it: update memory_pilotflow")
    logs.clear()
    gc.collect()
    state = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    if len(run.nominations(state="received")) != n:
        sys.exit("bench_core: the memory pass did not drive every nomination to the ministry")
    return state / n, total / n


def profile_pilotflow(setup: Setup, n: int, top: int = 30) -> None:
    run = setup.new_run()
    warm_plans(run, setup)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(n):
        drive_one(run, setup, i)
    profiler.disable()
    print(f"\ncProfile of pilotflow, {n} nominations x {STEPS_PER_NOMINATION} actions", flush=True)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# -- a bare transitions machine ---------------------------------------------------------


def _true(*args: object, **kwargs: object) -> bool:
    return True


HOP_STATES = [f"level_{i}" for i in range(LEVELS)]
TM_STATES = ["new", *HOP_STATES, "received"]
# One always-true condition per pilotflow guard on the same action (machine.TRANSITION_TABLE).
TM_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "nominate", "source": "new", "dest": HOP_STATES[0], "conditions": [_true] * 3},
    {"trigger": "stamp", "source": HOP_STATES, "dest": None, "conditions": [_true] * 3},
    *(
        {"trigger": "recommend", "source": s, "dest": d, "conditions": [_true] * 6}
        for s, d in zip(HOP_STATES, [*HOP_STATES[1:], "received"], strict=True)
    ),
]


class TMModel:
    """A bare model: transitions attaches its trigger methods and state to it."""


def new_machine() -> Machine:
    return Machine(
        model=[], states=TM_STATES, transitions=TM_TRANSITIONS, initial="new",
        auto_transitions=False,
    )  # fmt: skip


class Transitions:
    """``models`` models registered on one machine; each round drives all of them."""

    def __init__(self, setup: Setup, models: int) -> None:
        self.machine = new_machine()
        self.population: list[Any] = [TMModel() for _ in range(models)]
        t0 = time.perf_counter()
        self.machine.add_model(self.population)  # one call: still quadratic (a list scan each)
        self.register = (time.perf_counter() - t0) / models * 1e6
        self.applicant = pf.Actor.applicant(setup.unit_code(0), "applicant")
        self.actors = [setup.actors[setup.routes[setup.origin(i)][0]] for i in range(models)]

    def round(self) -> Seconds:
        perf = time.perf_counter
        population, applicant = self.population, self.applicant
        t0 = perf()
        for m in population:
            m.nominate(applicant)
        t_nominate = perf() - t0
        t_stamp = t_recommend = 0.0
        for _hop in range(LEVELS):
            for d in range(3):
                args = [(m, a[d]) for m, a in zip(population, self.actors, strict=True)]
                t0 = perf()
                for m, actor in args:
                    m.stamp(actor)
                t_stamp += perf() - t0
            args = [(m, a[0]) for m, a in zip(population, self.actors, strict=True)]
            t0 = perf()
            for m, actor in args:
                m.recommend(actor)
            t_recommend += perf() - t0
        for m in population:  # back to the start for the next round (not timed)
            if m.state != "received":
                sys.exit("bench_core: a transitions model did not reach 'received'")
            self.machine.set_state("new", model=m)
        return t_nominate, t_stamp, t_recommend


def memory_transitions(models: int) -> float:
    """Bytes per registered model, after it has gone through the 13 triggers."""
    machine = new_machine()
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    population: list[Any] = [TMModel() for _ in range(models)]
    machine.add_model(population)
    for m in population:
        m.nominate()
        for _hop in range(LEVELS):
            for _ in range(3):
                m.stamp()
            m.recommend()
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return used / models


# -- the floor: plain Python ------------------------------------------------------------


class Refused(Exception):
    pass


class Floor:
    """The same checks as pilotflow's guards, on dicts and tuples; an event is a tuple."""

    def __init__(self, setup: Setup) -> None:
        self.clock = setup.clock
        self.routes = setup.routes
        # Per route, per hop: holder, departments, deadline, required materials, quota limits.
        self.hops: dict[tuple[str, ...], tuple[Any, ...]] = {}
        for route, plan in setup.plans.items():
            hops = []
            for h in plan.hops:
                rule = h.quota_rule
                hops.append((
                    h.holder.code,
                    h.holder.departments,
                    h.deadline,
                    tuple((r.kind, r.copies) for r in h.materials),
                    dict(rule.limits) if rule else None,
                    rule.total if rule else None,
                ))  # fmt: skip
            self.hops[route] = tuple(hops)
        self.lists = tuple({e.unit_code: e.since for e in lst.entries} for lst in setup.lists)
        self.records: dict[int, dict[str, Any]] = {}
        self.events: list[tuple[Any, ...]] = []
        self.quota: dict[tuple[str, str], int] = {}
        self.actors = {c: tuple((a.authority, a.department) for a in xs) for c, xs in setup.actors.items()}

    def _listed(self, code: str, at: datetime) -> bool:
        for lst in self.lists:
            since = lst.get(code)
            if since is not None and since <= at:
                return True
        return False

    def nominate(
        self, actor: tuple[str, str], nid: int, code: str, unit_type: str, origin: str,
        materials: Sequence[tuple[str, int]],
    ) -> dict[str, Any]:  # fmt: skip
        at = self.clock.now()
        route = self.routes[origin]
        hop = self.hops[route][0]
        allowed = actor[0] == code if actor[1] == "applicant" else actor[0] == origin
        if not allowed:
            raise Refused("not_authorized")
        if hop[2] is not None and not at < hop[2]:
            raise Refused("deadline_passed")
        if self._listed(code, at):
            raise Refused("disqualified")
        mats: dict[str, int] = {}
        for kind, copies in materials:
            mats[kind] = mats.get(kind, 0) + copies
        rec = {
            "id": nid, "unit_code": code, "unit_type": unit_type, "route": route, "hop": 0,
            "state": "in_review", "stamps": [], "materials": mats, "seats": [], "version": 1,
        }  # fmt: skip
        self.records[nid] = rec
        self.events.append((nid, 1, "nominate", actor, at, "new", "in_review"))
        return rec

    def stamp(self, actor: tuple[str, str], nid: int) -> None:
        at = self.clock.now()
        rec = self.records[nid]
        holder, departments = self.hops[rec["route"]][rec["hop"]][:2]
        if actor[0] != holder or actor[1] not in departments:
            raise Refused("not_authorized")
        if actor[1] in rec["stamps"]:
            raise Refused("already_stamped")
        if self._listed(rec["unit_code"], at):
            raise Refused("disqualified")
        rec["stamps"].append(actor[1])
        rec["version"] += 1
        self.events.append((nid, rec["version"], "stamp", actor, at, "in_review", "in_review"))

    def recommend(self, actor: tuple[str, str], nid: int) -> None:
        at = self.clock.now()
        rec = self.records[nid]
        holder, departments, deadline, required, limits, total = self.hops[rec["route"]][rec["hop"]]
        if actor[0] != holder or actor[1] not in departments:
            raise Refused("not_authorized")
        if deadline is not None and not at < deadline:
            raise Refused("deadline_passed")
        if self._listed(rec["unit_code"], at):
            raise Refused("disqualified")
        stamps = rec["stamps"]
        if any(d not in stamps for d in departments):
            raise Refused("stamps_missing")
        mats = rec["materials"]
        if any(mats.get(kind, 0) < copies for kind, copies in required):
            raise Refused("materials_missing")
        unit_type = rec["unit_type"]
        by_type, all_types = (holder, unit_type), (holder, "*")
        if limits is not None:
            limit = limits.get(unit_type)
            if limit is not None and self.quota.get(by_type, 0) >= limit:
                raise Refused("quota_full")
            if total is not None and self.quota.get(all_types, 0) >= total:
                raise Refused("quota_full")
        self.quota[by_type] = self.quota.get(by_type, 0) + 1
        self.quota[all_types] = self.quota.get(all_types, 0) + 1
        rec["seats"].append(holder)
        rec["hop"] += 1
        rec["stamps"] = []
        rec["version"] += 1
        state = "received" if rec["hop"] == len(rec["route"]) - 1 else "in_review"
        rec["state"] = state
        self.events.append((nid, rec["version"], "recommend", actor, at, "in_review", state))


def floor_inputs(setup: Setup, part: range) -> list[tuple[Any, ...]]:
    out = []
    for i in part:
        code = setup.unit_code(i)
        materials = tuple((kind, copies) for kind, copies in ALL_MATERIALS)
        unit_type = setup.unit_types[i % len(setup.unit_types)]
        out.append(((code, "applicant"), i, code, unit_type, setup.origin(i), materials))
    return out


def floor_round(floor: Floor, setup: Setup, part: range) -> Seconds:
    actors = floor.actors
    perf = time.perf_counter
    inputs = floor_inputs(setup, part)
    t0 = perf()
    made = [floor.nominate(*args) for args in inputs]
    t_nominate = perf() - t0
    t_stamp = t_recommend = 0.0
    for hop in range(LEVELS):
        for d in range(3):
            args = [(actors[r["route"][hop]][d], r["id"]) for r in made]
            t0 = perf()
            for actor, nid in args:
                floor.stamp(actor, nid)
            t_stamp += perf() - t0
        args = [(actors[r["route"][hop]][0], r["id"]) for r in made]
        t0 = perf()
        for actor, nid in args:
            floor.recommend(actor, nid)
        t_recommend += perf() - t0
    return t_nominate, t_stamp, t_recommend


def memory_floor(setup: Setup, n: int) -> tuple[float, float]:
    floor = Floor(setup)
    actors = floor.actors
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for part in chunks(n, 1_000):
        for args in floor_inputs(setup, part):
            rec = floor.nominate(*args)
            for hop in range(LEVELS):
                who = actors[rec["route"][hop]]
                for actor in who:
                    floor.stamp(actor, rec["id"])
                floor.recommend(who[0], rec["id"])
    del rec, args
    gc.collect()
    total = tracemalloc.get_traced_memory()[0] - base
    floor.events.clear()
    gc.collect()
    state = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    return state / n, total / n


# -- the run ----------------------------------------------------------------------------


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)


def spread(xs: Sequence[float]) -> str:
    return f"{min(xs):.2f}-{max(xs):.2f}" if len(xs) > 1 else ""


def timed(label: str, fn: Callable[[], Any]) -> Any:
    print(f"  {label} ...", end=" ", flush=True)
    t0 = time.perf_counter()
    out = fn()
    print(f"{time.perf_counter() - t0:.1f} s", flush=True)
    return out


def interleaved(
    setup: Setup, n: int, chunk: int, tm_models: int, *, collect: bool
) -> tuple[Timings, Timings, Timings, float, int]:
    """Rounds of: one chunk of pilotflow nominations, every transitions model once, the same
    chunk on the floor (in rotating order), so that load on a shared machine hits all three
    alike. Returns the three timings, add_model µs per model, and pilotflow's event count."""
    run = setup.new_run()
    warm_plans(run, setup)
    machine = Transitions(setup, tm_models)
    floor = Floor(setup)
    pf_t, tm_t, fl_t = new_timings(), new_timings(), new_timings()
    steps: list[Callable[[range], None]] = [
        lambda part: record(pf_t, pilotflow_round(run, setup, part), len(part)),
        lambda part: record(tm_t, machine.round(), tm_models),
        lambda part: record(fl_t, floor_round(floor, setup, part), len(part)),
    ]
    if not collect:
        gc.disable()
    try:
        for k, part in enumerate(chunks(n, chunk)):
            for step in steps[k % 3 :] + steps[: k % 3]:
                step(part)
    finally:
        gc.enable()
    arrived = run.nominations(state="received", holder="MIN")
    events = len(run.events())
    if len(arrived) != n or events != n * STEPS_PER_NOMINATION:
        sys.exit(f"bench_core: pilotflow drove {len(arrived)} of {n} nominations to the ministry")
    if sum(r["state"] == "received" for r in floor.records.values()) != n:
        sys.exit("bench_core: the floor did not drive every nomination to the ministry")
    return pf_t, tm_t, fl_t, machine.register, events


def report(pf_t: Timings, tm_t: Timings, fl_t: Timings) -> None:
    print("\nµs per action: median over rounds [min-max]; ratios: median of the per-round ratios")
    columns = ("pilotflow", 22), ("transitions", 20), ("floor", 18), ("pf/tr", 7), ("pf/floor", 9)
    header = f"{'action':<10}" + "".join(f" {name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for action in (*ACTIONS, "all"):
        p, t, f = pf_t[action], tm_t[action], fl_t[action]
        to_tr = median([a / b for a, b in zip(p, t, strict=True)])
        to_floor = median([a / b for a, b in zip(p, f, strict=True)])
        print(
            f"{action + (' (13)' if action == 'all' else ''):<10} "
            f"{median(p):>8.2f} [{spread(p):>11}] {median(t):>6.2f} [{spread(t):>11}] "
            f"{median(f):>6.2f} [{spread(f):>9}] {to_tr:>7.2f} {to_floor:>9.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="nominations (default 100000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5,000 nominations")
    parser.add_argument("--chunk", type=int, help="nominations per round (default n/20)")
    parser.add_argument(
        "--tm-models", type=int, default=5_000,
        help="models on the bare transitions machine, all driven once per round (default 5000; "
        "add_model is quadratic)",
    )  # fmt: skip
    parser.add_argument("--no-gc", action="store_true", help="disable gc while timing")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc passes")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of pilotflow")
    args = parser.parse_args(argv)
    n = 5_000 if args.quick else args.n
    tm_models = min(args.tm_models, 1_000) if args.quick else args.tm_models
    if not 1 <= n <= 999_999 or tm_models < 1:
        parser.error("--n must be between 1 and 999999, --tm-models at least 1")
    chunk = args.chunk or max(n // 20, min(n, 500))

    print(
        f"pilotflow {metadata.version('pilotflow')}, transitions {metadata.version('transitions')}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(
        f"{n:,} nominations x {STEPS_PER_NOMINATION} actions in rounds of {chunk:,}"
        "; "
        f"transitions: {tm_models:,} models, all driven each round; "
        f"gc {'disabled' if args.no_gc else 'enabled'} while timing",
        flush=True,
    )
    t_start = time.perf_counter()
    setup = timed("setup (campaign with quotas lifted, 5 lists x 1,000 units)", Setup)
    print(f"    {len(setup.origins):,} origins with a four-level route", flush=True)
    pf_t, tm_t, fl_t, register, events = timed(
        "timing (pilotflow, transitions, floor interleaved)",
        lambda: interleaved(setup, n, chunk, tm_models, collect=not args.no_gc),
    )
    gc.collect()
    memory = None
    if not args.no_memory:
        memory_n = min(n, 2_000) if args.quick else n
        ticking = min(memory_n, 20_000)
        memory = (
            timed(f"memory: pilotflow ({memory_n:,} nominations)", lambda: memory_pilotflow(setup, memory_n)),
            timed(
                f"memory: pilotflow, a distinct moment per action ({ticking:,} nominations)",
                lambda: memory_pilotflow(setup, ticking, TickingClock(setup.clock.now())),
            ),
            timed(f"memory: transitions ({tm_models:,} models)", lambda: memory_transitions(tm_models)),
            timed(f"memory: floor ({memory_n:,} nominations)", lambda: memory_floor(setup, memory_n)),
        )

    report(pf_t, tm_t, fl_t)
    print(f"{events:,} pilotflow audit events; transitions add_model: {register:.1f} µs per model")
    p_all, t_all = median(pf_t["all"]), median(tm_t["all"])
    print(
        f"\ntarget: pilotflow's guarded action no slower than a bare transitions trigger: "
        f"{p_all:.2f} vs {t_all:.2f} µs -> {'met' if p_all <= t_all else 'MISSED'}"
    )
    if memory is not None:
        (pf_state, pf_total), (tick_state, tick_total), tm_model, (fl_state, fl_total) = memory
        print(
            f"\nmemory per nomination (tracemalloc, after all 13 actions; {memory_n:,} nominations, "
            f"{ticking:,} for the rows with a distinct moment per action)"
        )
        rows = [
            ("pilotflow", "state (nominations, quota, claim index)", pf_state),
            ("pilotflow", "state + in-memory audit log", pf_total),
            ("pilotflow", "state, a distinct moment per action", tick_state),
            ("pilotflow", "state + audit log, a distinct moment per action", tick_total),
            ("transitions", "one registered model (state only)", tm_model),
            ("floor", "state (dict record, quota)", fl_state),
            ("floor", "state + event tuples", fl_total),
        ]
        for who, what, value in rows:
            print(f"  {who:<12} {what:<48} {value:>7,.0f} B")
        print(
            f"target: at most 2 KB (2,048 B) per nomination: state {pf_state:,.0f} B -> "
            f"{'met' if pf_state <= 2048 else 'MISSED'}; with the audit log {pf_total:,.0f} B -> "
            f"{'met' if pf_total <= 2048 else 'MISSED'}"
        )
        if args.quick:
            print("  (--quick: per-authority quota counters are shared by few nominations; see the README)")
    print(f"\nwall time {time.perf_counter() - t_start:.1f} s", flush=True)
    if args.profile:
        profile_pilotflow(setup, min(n, 5_000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
