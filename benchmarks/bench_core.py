"""Cost per nomination and per action, audit events and memory per nomination: pilotflow against
a bare ``transitions`` machine and a plain-Python floor, all in one run, in the letter flow.

    .venv/bin/python benchmarks/bench_core.py            # 100,000 nominations (a few minutes)
    .venv/bin/python benchmarks/bench_core.py --quick    # 5,000 nominations: a smoke run (< 30 s)
    .venv/bin/python benchmarks/bench_core.py --profile  # also print a cProfile of pilotflow

Every nomination goes district → city → province → ministry with every guard on, as the
field does it: it is filed with all its materials (``nominate``); then at each of the three
lower levels its holder puts it, with others, in **one recommendation letter (推荐函) per
hop**: a district's letters carry its units in batches of ``--batch`` (10), a city's and a
province's letter carry what it received in the round (one letter per sender and round). For
each letter the sender ``prepare``\\ s it with its units, ``attach``\\ es the letter's own
materials once (where the hop asks for them: Weihai's districts, Shandong's cities and every
province), its three stamping departments ``stamp`` it once each, and it ``send``\\ s it: every
unit moves with the unit's recommendation guards (deadline, lists, materials, quota). Before
letters (per-unit stamps) each unit took 3 stamps and a recommendation per level: 13 actions
and 13 audit events per nomination; now a unit has 4 events of its own (``nominate``, one
``recommend`` per hop) and shares its letters' (``prepare``, ``attach``, 3 ``stamp_letter``,
``send``).

Three implementations do the same work per unit and per letter:

* **pilotflow** — ``CampaignRun(..., documents=False)`` on a ``MemoryStore``: the bundled
  campaign with its quota limits lifted to 10**9 (the quota guard still runs on every unit
  sent; with the real limits a city may forward 1-3 units of a type), a ``FixedClock`` at
  2023-10-17 09:00 Asia/Shanghai, and the five disqualification lists holding 1,000 units each
  (none of them nominated), so every lookup is a real one. Generating each letter's summary
  table (XLSX) and letter draft (DOCX) when it is sent is measured apart (``documents``
  below), on letters of 1, 10 and 100 units;
* **transitions** — two shared ``transitions.Machine``\\ s, one for units (``nominate``,
  ``join`` a letter (internal), ``recommend`` per level) and one for letters (``prepare``,
  ``attach``, ``stamp`` (internal), ``send``), with one always-true condition per pilotflow
  guard or check on the same action. Preparing a letter fires ``prepare`` on the letter and
  ``join`` on each unit; sending it fires ``send`` on the letter and ``recommend`` on each
  unit. Its models (one per unit of a round and one per letter) are registered once (add_model
  is quadratic) and set back to ``new`` after each round. Each trigger does *less* than a
  pilotflow action: no real check, no new record, no event;
* **floor** — a plain-Python loop over small dicts doing the same checks (actor's authority
  and department; per unit joining: held, bound for the receiver, in no other draft, on no
  list; per letter: state, stamps complete, letter materials; per unit sent: deadline, five
  list lookups, materials counted, the quota counters across the letter) and appending a tuple
  per event (unit and letter events alike).

The work runs in rounds: a chunk of nominations (n/20, whole batches) is filed and driven with
pilotflow, then with transitions, then on the floor (the order rotates), so load from other
processes on a shared machine hits all three alike; every round has the same letters in all
three. Times are µs per action and per nomination (end to end: everything a nomination and
its share of its letters take), the median over rounds; the ratios are the median of the
per-round ratios, and they are what count. Route plans are computed before timing (once per
route, not per action). Memory is measured with ``tracemalloc`` in separate passes: with the
``FixedClock`` (one moment shared by every action) and with a wall clock (``WallClock``: the
system clock's readings, set back to the campaign's start, so every action has a moment of its
own, as in the field). Nothing here asserts a time.
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
LEVELS = 3  # district, city, province send letters; the ministry receives
ACTIONS = ("nominate", "prepare", "attach", "stamp", "send")
#: Audit events per nomination before letters: nominate, then 3 stamps and a recommend per level.
EVENTS_BEFORE = 1 + LEVELS * 4
MAX_UNITS = 5_000  # pilotflow's bound on the units of one letter
DOCUMENT_SIZES = (1, 10, 100)  # units per letter in the documents pass
ORIGIN_STRIDE = 997  # a prime: consecutive batches come from districts far apart


Timings = dict[str, list[float]]  # action (or "nomination") -> µs, one value per round
Seconds = dict[str, float]  # one round: action -> seconds


# -- the campaign, the lists, the inputs ------------------------------------------------


class Setup:
    """Everything the three implementations share: campaign, lists, origins, actors, the
    letter materials of every hop."""

    def __init__(self, batch: int) -> None:
        self.batch = batch
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
        # The letter's own materials per hop (sender, receiver): (kind, copies), all paper here.
        self.letter_materials: dict[tuple[str, str], tuple[tuple[str, int], ...]] = {}
        for route in self.routes.values():
            for hop, code in enumerate(route[:LEVELS]):
                if code not in self.actors:
                    stamping = self.graph[code].stamping
                    if len(stamping) != 3:
                        sys.exit(f"bench_core: {code} does not have three stamping departments")
                    self.actors[code] = tuple(pf.Actor(code, d, f"{d}-clerk") for d in stamping)
                pair = (code, route[hop + 1])
                if pair not in self.letter_materials:
                    self.letter_materials[pair] = tuple(
                        (r.kind, r.copies) for r in probe.letter_materials(*pair)
                    )
        self.letter_material_records = {
            pair: tuple(pf.Material(kind, copies=copies) for kind, copies in kinds)
            for pair, kinds in self.letter_materials.items()
        }
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

    def new_run(self, clock: pf.Clock | None = None, *, documents: bool = False) -> pf.CampaignRun:
        store = pf.MemoryStore()
        return pf.CampaignRun(
            self.campaign, store=store, lists=self.lists, clock=clock or self.clock,
            documents=None if documents else False,
        )  # fmt: skip

    def origin(self, i: int) -> str:
        """Nominations come from the districts in batches: ``batch`` in a row from one, the
        next batch from a district far away (a stride through the sorted codes), so that a
        round's batches spread over every province and many cities, as a reporting round does."""
        return self.origins[(i // self.batch) * ORIGIN_STRIDE % len(self.origins)]

    def unit_code(self, i: int, origin: str | None = None) -> str:
        return make_code("91" + (origin or self.origin(i))[:6], f"MA{i:06d}")

    def nomination_input(self, i: int, origin: str | None = None) -> tuple[pf.Actor, dict[str, Any]]:
        """The applicant and the arguments of ``nominate`` for nomination ``i`` (fresh objects)."""
        origin = origin or self.origin(i)
        code = self.unit_code(i, origin)
        return pf.Actor.applicant(code, "applicant"), {
            "unit_code": code,
            "unit_name": f"基准测试单位{i}",
            "unit_type": self.unit_types[i % len(self.unit_types)],
            "scenario": self.scenarios[i % len(self.scenarios)],
            "origin": origin,
            "materials": [
                pf.Material(kind, copies=copies) if kind in self.paper else self.files[kind]
                for kind, copies in ALL_MATERIALS
            ],
        }


#: One letter of a round: sender, receiver, the positions of its units in the round's part.
Letter = tuple[str, str, tuple[int, ...]]


def letter_plan(setup: Setup, part: range) -> tuple[tuple[Letter, ...], ...]:
    """The letters of one round, per level: a district's units in batches of ``batch``; a
    city's and a province's all it received in the round (one letter, at most MAX_UNITS)."""
    plan = []
    for hop in range(LEVELS):
        by_pair: dict[tuple[str, str], list[int]] = {}
        for j, i in enumerate(part):
            route = setup.routes[setup.origin(i)]
            by_pair.setdefault((route[hop], route[hop + 1]), []).append(j)
        size = setup.batch if hop == 0 else MAX_UNITS
        plan.append(tuple(
            (sender, receiver, tuple(units[k : k + size]))
            for (sender, receiver), units in by_pair.items()
            for k in range(0, len(units), size)
        ))  # fmt: skip
    return tuple(plan)


def chunks(n: int, size: int) -> Iterable[range]:
    for start in range(0, n, size):
        yield range(start, min(n, start + size))


def new_timings() -> Timings:
    return {a: [] for a in (*ACTIONS, "nomination")}


def counts_of(plan: tuple[tuple[Letter, ...], ...], setup: Setup, k: int) -> dict[str, int]:
    """How many of each action a round of ``k`` nominations with letters ``plan`` takes."""
    letters = [letter for level in plan for letter in level]
    return {
        "nominate": k,
        "prepare": len(letters),
        "attach": sum(len(setup.letter_materials[s, r]) for s, r, _ in letters),
        "stamp": 3 * len(letters),
        "send": len(letters),
    }


def record(timings: Timings, seconds: Seconds, counts: dict[str, int]) -> None:
    """Add one round's seconds as µs per action and µs per nomination (end to end)."""
    for action in ACTIONS:
        if counts[action]:
            timings[action].append(seconds[action] / counts[action] * 1e6)
    timings["nomination"].append(sum(seconds.values()) / counts["nominate"] * 1e6)


# -- pilotflow --------------------------------------------------------------------------


def pilotflow_round(
    run: pf.CampaignRun, setup: Setup, part: range, plan: tuple[tuple[Letter, ...], ...]
) -> Seconds:
    """File nominations ``part``, then send them level by level in the letters of ``plan``."""
    nominate = run.nominate
    prepare, attach = run.prepare_submission, run.attach_to_submission
    stamp, send = run.stamp_submission, run.send
    actors, materials = setup.actors, setup.letter_material_records
    perf = time.perf_counter
    inputs = [setup.nomination_input(i) for i in part]
    t0 = perf()
    ids = [nominate(applicant, **kw).id for applicant, kw in inputs]
    out = dict.fromkeys(ACTIONS, 0.0)
    out["nominate"] = perf() - t0
    for letters in plan:
        args = [(actors[s][0], [ids[j] for j in units]) for s, _, units in letters]
        t0 = perf()
        drafts = [prepare(actor, units).id for actor, units in args]
        out["prepare"] += perf() - t0
        attaching = [
            (actors[s][0], sid, m)
            for (s, r, _), sid in zip(letters, drafts, strict=True)
            for m in materials[s, r]
        ]
        t0 = perf()
        for actor, sid, m in attaching:
            attach(actor, sid, m)
        out["attach"] += perf() - t0
        for d in range(3):
            stamping = [(actors[s][d], sid) for (s, _, _), sid in zip(letters, drafts, strict=True)]
            t0 = perf()
            for actor, sid in stamping:
                stamp(actor, sid)
            out["stamp"] += perf() - t0
        sending = [(actors[s][0], sid) for (s, _, _), sid in zip(letters, drafts, strict=True)]
        t0 = perf()
        for actor, sid in sending:
            send(actor, sid)
        out["send"] += perf() - t0
    return out


def warm_plans(run: pf.CampaignRun, setup: Setup) -> None:
    """Compute each origin's route and route plan (once per route and campaign, not per action)."""
    for origin in setup.origins:
        run.workflow.plan(run.workflow.route(origin))


def drive(run: pf.CampaignRun, setup: Setup, n: int, chunk: int) -> None:
    """Drive ``n`` nominations to the ministry in rounds of ``chunk`` (untimed passes)."""
    for part in chunks(n, chunk):
        pilotflow_round(run, setup, part, letter_plan(setup, part))


class WallClock:
    """The system clock (``pf.SystemClock``) set back to ``start``: its readings advance with
    real time, so every action has a distinct moment of its own, as in the field; the
    campaign's deadlines still lie ahead. For the memory pass with a wall clock."""

    def __init__(self, start: datetime) -> None:
        self._clock = pf.SystemClock(TZ)
        self._shift = self._clock.now() - start

    def now(self) -> datetime:
        return self._clock.now() - self._shift


def memory_pilotflow(setup: Setup, n: int, chunk: int, clock: pf.Clock | None = None) -> tuple[float, float]:
    """Bytes per nomination: (state only, state + in-memory audit log); the state holds the
    nominations, the letters, the quota counters and the claim index."""
    run = setup.new_run(clock)
    warm_plans(run, setup)
    plans = [(part, letter_plan(setup, part)) for part in chunks(n, chunk)]
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for part, plan in plans:
        pilotflow_round(run, setup, part, plan)
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


def profile_pilotflow(setup: Setup, n: int, chunk: int, top: int = 30) -> None:
    run = setup.new_run()
    warm_plans(run, setup)
    plans = [(part, letter_plan(setup, part)) for part in chunks(n, chunk)]
    profiler = cProfile.Profile()
    profiler.enable()
    for part, plan in plans:
        pilotflow_round(run, setup, part, plan)
    profiler.disable()
    print(f"\ncProfile of pilotflow, {n} nominations in letters (rounds of {chunk})", flush=True)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


# -- documents: the cost of generating a letter's summary table and draft --------------


def documents_pass(setup: Setup, letters: int, sizes: Sequence[int]) -> list[tuple[int, float, float]]:
    """For each size, ``letters`` letters of that many units sent from districts, alternately
    on a run that generates each letter's documents (the default: summary table XLSX and
    letter draft DOCX, their SHA-256 recorded) and on one with ``documents=False``; only the
    ``send`` is timed. Returns (size, µs per send with documents, µs without), medians."""
    out = []
    base = 600_000
    for size in sizes:
        runs = {True: setup.new_run(documents=True), False: setup.new_run(documents=False)}
        for run in runs.values():
            warm_plans(run, setup)
        timed_: dict[bool, list[float]] = {True: [], False: []}
        for k in range(letters):
            origin = setup.origins[(k * 7) % len(setup.origins)]
            sender, receiver = origin, setup.routes[origin][1]
            actors = setup.actors[sender]
            for docs in (k % 2 == 0, k % 2 == 1):
                run = runs[docs]
                inputs = [setup.nomination_input(base + k * size + j, origin) for j in range(size)]
                ids = [run.nominate(applicant, **kw).id for applicant, kw in inputs]
                sid = run.prepare_submission(actors[0], ids).id
                for m in setup.letter_material_records[sender, receiver]:
                    run.attach_to_submission(actors[0], sid, m)
                for actor in actors:
                    run.stamp_submission(actor, sid)
                t0 = time.perf_counter()
                sent = run.send(actors[0], sid)
                timed_[docs].append((time.perf_counter() - t0) * 1e6)
                if bool(sent.documents) != docs:
                    sys.exit("bench_core: a letter's documents were not generated as asked")
        out.append((size, statistics.median(timed_[True]), statistics.median(timed_[False])))
    return out


# -- a bare transitions machine ---------------------------------------------------------


def _true(*args: object, **kwargs: object) -> bool:
    return True


HOP_STATES = [f"level_{i}" for i in range(LEVELS)]
UNIT_STATES = ["new", *HOP_STATES, "received"]
# One always-true condition per pilotflow guard on the same action (domain/machine.py's
# TRANSITION_TABLE; joining a letter: held, bound for the receiver, in no other draft,
# examined, not listed).
UNIT_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "nominate", "source": "new", "dest": HOP_STATES[0], "conditions": [_true] * 5},
    {"trigger": "join", "source": HOP_STATES, "dest": None, "conditions": [_true] * 5},
    *(
        {"trigger": "recommend", "source": s, "dest": d, "conditions": [_true] * 7}
        for s, d in zip(HOP_STATES, [*HOP_STATES[1:], "received"], strict=True)
    ),
]
# One per check of the letter's action (domain/submissions.py's LETTER_CHECKS).
LETTER_STATES = ["new", "draft", "sent"]
LETTER_TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "prepare", "source": "new", "dest": "draft", "conditions": [_true] * 2},
    {"trigger": "attach", "source": "draft", "dest": None, "conditions": [_true] * 2},
    {"trigger": "stamp", "source": "draft", "dest": None, "conditions": [_true] * 4},
    {"trigger": "send", "source": "draft", "dest": "sent", "conditions": [_true] * 6},
]


class TMModel:
    """A bare model: transitions attaches its trigger methods and state to it."""


def new_machines() -> tuple[Machine, Machine]:
    units = Machine(
        model=[], states=UNIT_STATES, transitions=UNIT_TRANSITIONS, initial="new", auto_transitions=False
    )
    letters = Machine(
        model=[], states=LETTER_STATES, transitions=LETTER_TRANSITIONS, initial="new", auto_transitions=False
    )
    return units, letters


class Transitions:
    """One unit model per nomination of a round and one letter model per letter, registered
    once; each round drives them through the round's letters and sets them back to ``new``."""

    def __init__(self, setup: Setup, units: int, letters: int) -> None:
        self.units_machine, self.letters_machine = new_machines()
        self.units: list[Any] = [TMModel() for _ in range(units)]
        self.letters: list[Any] = [TMModel() for _ in range(letters)]
        t0 = time.perf_counter()
        self.units_machine.add_model(self.units)  # one call each: still quadratic (a list scan)
        self.letters_machine.add_model(self.letters)
        self.register = (time.perf_counter() - t0) / (units + letters) * 1e6
        self.setup = setup

    def round(self, part: range, plan: tuple[tuple[Letter, ...], ...]) -> Seconds:
        perf = time.perf_counter
        actors, materials = self.setup.actors, self.setup.letter_materials
        units = self.units[: len(part)]
        applicant = pf.Actor.applicant(self.setup.unit_code(part[0]), "applicant")
        out = dict.fromkeys(ACTIONS, 0.0)
        t0 = perf()
        for m in units:
            m.nominate(applicant)
        out["nominate"] = perf() - t0
        pool = iter(self.letters)
        for letters in plan:
            drafts = [
                (next(pool), actors[s], [units[j] for j in us], len(materials[s, r])) for s, r, us in letters
            ]
            t0 = perf()
            for letter, who, members, _ in drafts:
                letter.prepare(who[0])
                for u in members:
                    u.join(who[0])
            out["prepare"] += perf() - t0
            t0 = perf()
            for letter, who, _, kinds in drafts:
                for _ in range(kinds):
                    letter.attach(who[0])
            out["attach"] += perf() - t0
            for d in range(3):
                t0 = perf()
                for letter, who, _, _ in drafts:
                    letter.stamp(who[d])
                out["stamp"] += perf() - t0
            t0 = perf()
            for letter, who, members, _ in drafts:
                letter.send(who[0])
                for u in members:
                    u.recommend(who[0])
            out["send"] += perf() - t0
        for m in units:  # back to the start for the next round (not timed)
            if m.state != "received":
                sys.exit("bench_core: a transitions model did not reach 'received'")
            self.units_machine.set_state("new", model=m)
        for letter in self.letters:
            if letter.state != "new":
                self.letters_machine.set_state("new", model=letter)
        return out


def memory_transitions(setup: Setup, n: int, chunk: int) -> float:
    """Bytes per nomination: a registered unit model and its share of letter models, after
    the letter flow (the models of one round; transitions keeps nothing per trigger)."""
    part = range(min(n, chunk))
    plan = letter_plan(setup, part)
    letters = sum(len(level) for level in plan)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    machine = Transitions(setup, len(part), letters)
    machine.round(part, plan)
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del machine
    return used / len(part)


# -- the floor: plain Python ------------------------------------------------------------


class Refused(Exception):
    pass


class Floor:
    """The same checks as pilotflow's guards, on dicts and tuples; an event is a tuple."""

    def __init__(self, setup: Setup) -> None:
        self.clock = setup.clock
        self.routes = setup.routes
        # Per route, per hop: holder, stamping departments, deadline, the unit's required
        # materials, the letter's required materials, quota limits, total.
        self.hops: dict[tuple[str, ...], tuple[Any, ...]] = {}
        for route, plan in setup.plans.items():
            hops = []
            for k, h in enumerate(plan.hops):
                rule = h.quota_rule
                letter = setup.letter_materials.get((route[k], route[k + 1]), ()) if k < LEVELS else ()
                kinds = {kind for kind, _ in letter}
                hops.append((
                    h.holder.code,
                    h.holder.stamping,
                    h.deadline,
                    tuple((r.kind, r.copies) for r in h.materials if r.kind not in kinds),
                    letter,
                    dict(rule.limits) if rule else None,
                    rule.total if rule else None,
                ))  # fmt: skip
            self.hops[route] = tuple(hops)
        self.lists = tuple({e.unit_code: e.since for e in lst.entries} for lst in setup.lists)
        self.records: dict[int, dict[str, Any]] = {}
        self.letters: dict[int, dict[str, Any]] = {}
        self.listed: dict[int, int] = {}  # unit -> the draft listing it
        self.events: list[tuple[Any, ...]] = []
        self.quota: dict[tuple[str, str], int] = {}
        self.actors = {c: tuple((a.authority, a.department) for a in xs) for c, xs in setup.actors.items()}
        self.next_letter = 0

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
            "state": "in_review", "materials": mats, "seats": [], "version": 1,
        }  # fmt: skip
        self.records[nid] = rec
        self.events.append((nid, 1, "nominate", actor, at, "new", "in_review"))
        return rec

    def prepare(self, actor: tuple[str, str], nids: Sequence[int]) -> int:
        at = self.clock.now()
        first = self.records[nids[0]]
        route, hop = first["route"], first["hop"]
        sender, stamping = self.hops[route][hop][:2]
        receiver = route[hop + 1]
        if actor[0] != sender or actor[1] not in stamping:
            raise Refused("not_authorized")
        listed = self.listed
        lid = self.next_letter = self.next_letter + 1
        for nid in nids:
            rec = self.records[nid]
            r_route, r_hop = rec["route"], rec["hop"]
            if rec["state"] != "in_review" or r_route[r_hop] != sender:
                raise Refused("unit_not_held")
            if r_route[r_hop + 1] != receiver:
                raise Refused("other_receiver")
            if nid in listed:
                raise Refused("in_other_letter")
            if self._listed(rec["unit_code"], at):
                raise Refused("disqualified")
        for nid in nids:
            listed[nid] = lid
        self.letters[lid] = {
            "id": lid, "sender": sender, "receiver": receiver, "route": route, "hop": hop,
            "state": "draft", "units": list(nids), "stamps": [], "materials": {}, "version": 1,
        }  # fmt: skip
        self.events.append((lid, 1, "prepare_submission", actor, at, "new", "draft"))
        return lid

    def attach(self, actor: tuple[str, str], lid: int, kind: str, copies: int) -> None:
        at = self.clock.now()
        letter = self.letters[lid]
        if letter["state"] != "draft":
            raise Refused("not_allowed_in_state")
        sender, stamping = self.hops[letter["route"]][letter["hop"]][:2]
        if actor[0] != sender or actor[1] not in stamping:
            raise Refused("not_authorized")
        mats = letter["materials"]
        mats[kind] = mats.get(kind, 0) + copies
        letter["version"] += 1
        self.events.append((lid, letter["version"], "attach_letter", actor, at, "draft", "draft"))

    def stamp(self, actor: tuple[str, str], lid: int) -> None:
        at = self.clock.now()
        letter = self.letters[lid]
        if letter["state"] != "draft":
            raise Refused("not_allowed_in_state")
        sender, stamping = self.hops[letter["route"]][letter["hop"]][:2]
        if actor[0] != sender or actor[1] not in stamping:
            raise Refused("not_authorized")
        if actor[1] in letter["stamps"]:
            raise Refused("already_stamped")
        if not letter["units"]:
            raise Refused("no_units")
        letter["stamps"].append(actor[1])
        letter["version"] += 1
        self.events.append((lid, letter["version"], "stamp_letter", actor, at, "draft", "draft"))

    def send(self, actor: tuple[str, str], lid: int) -> None:
        at = self.clock.now()
        letter = self.letters[lid]
        if letter["state"] != "draft":
            raise Refused("not_allowed_in_state")
        sender, stamping, deadline, required, letter_required, limits, total = self.hops[letter["route"]][
            letter["hop"]
        ]
        if actor[0] != sender or actor[1] not in stamping:
            raise Refused("not_authorized")
        units = letter["units"]
        if not units:
            raise Refused("no_units")
        stamps = letter["stamps"]
        if any(d not in stamps for d in stamping):
            raise Refused("stamps_missing")
        mats = letter["materials"]
        if any(mats.get(kind, 0) < copies for kind, copies in letter_required):
            raise Refused("letter_materials_missing")
        quota, taken = self.quota, dict[tuple[str, str], int]()
        records = [self.records[nid] for nid in units]
        for rec in records:  # judge every unit first: all or nothing
            if rec["state"] != "in_review" or rec["route"][rec["hop"]] != sender:
                raise Refused("unit_not_held")
            if deadline is not None and not at < deadline:
                raise Refused("deadline_passed")
            if self._listed(rec["unit_code"], at):
                raise Refused("disqualified")
            have = rec["materials"]
            if any(have.get(kind, 0) < copies for kind, copies in required):
                raise Refused("materials_missing")
            by_type, all_types = (sender, rec["unit_type"]), (sender, "*")
            if limits is not None:
                limit = limits.get(rec["unit_type"])
                if limit is not None and quota.get(by_type, 0) + taken.get(by_type, 0) >= limit:
                    raise Refused("quota_full")
                if total is not None and quota.get(all_types, 0) + taken.get(all_types, 0) >= total:
                    raise Refused("quota_full")
            taken[by_type] = taken.get(by_type, 0) + 1
            taken[all_types] = taken.get(all_types, 0) + 1
        for key, count in taken.items():
            quota[key] = quota.get(key, 0) + count
        listed, events = self.listed, self.events
        for rank, rec in enumerate(records, 1):
            rec["seats"].append(sender)
            rec["hop"] += 1
            rec["version"] += 1
            state = "received" if rec["hop"] == len(rec["route"]) - 1 else "in_review"
            rec["state"] = state
            del listed[rec["id"]]
            events.append((rec["id"], rec["version"], "recommend", actor, at, "in_review", state, lid, rank))
        letter["state"] = "sent"
        letter["version"] += 1
        letter["sent_versions"] = [rec["version"] for rec in records]
        events.append((lid, letter["version"], "send", actor, at, "draft", "sent"))


def floor_inputs(setup: Setup, part: range) -> list[tuple[Any, ...]]:
    out = []
    for i in part:
        code = setup.unit_code(i)
        materials = tuple((kind, copies) for kind, copies in ALL_MATERIALS)
        unit_type = setup.unit_types[i % len(setup.unit_types)]
        out.append(((code, "applicant"), i, code, unit_type, setup.origin(i), materials))
    return out


def floor_round(floor: Floor, setup: Setup, part: range, plan: tuple[tuple[Letter, ...], ...]) -> Seconds:
    actors, materials = floor.actors, setup.letter_materials
    perf = time.perf_counter
    inputs = floor_inputs(setup, part)
    out = dict.fromkeys(ACTIONS, 0.0)
    t0 = perf()
    ids = [floor.nominate(*args)["id"] for args in inputs]
    out["nominate"] = perf() - t0
    for letters in plan:
        args = [(actors[s][0], [ids[j] for j in units]) for s, _, units in letters]
        t0 = perf()
        drafts = [floor.prepare(actor, units) for actor, units in args]
        out["prepare"] += perf() - t0
        attaching = [
            (actors[s][0], lid, kind, copies)
            for (s, r, _), lid in zip(letters, drafts, strict=True)
            for kind, copies in materials[s, r]
        ]
        t0 = perf()
        for actor, lid, kind, copies in attaching:
            floor.attach(actor, lid, kind, copies)
        out["attach"] += perf() - t0
        for d in range(3):
            stamping = [(actors[s][d], lid) for (s, _, _), lid in zip(letters, drafts, strict=True)]
            t0 = perf()
            for actor, lid in stamping:
                floor.stamp(actor, lid)
            out["stamp"] += perf() - t0
        sending = [(actors[s][0], lid) for (s, _, _), lid in zip(letters, drafts, strict=True)]
        t0 = perf()
        for actor, lid in sending:
            floor.send(actor, lid)
        out["send"] += perf() - t0
    return out


def memory_floor(setup: Setup, n: int, chunk: int) -> tuple[float, float]:
    floor = Floor(setup)
    plans = [(part, letter_plan(setup, part)) for part in chunks(n, chunk)]
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    for part, plan in plans:
        floor_round(floor, setup, part, plan)
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


class Outcome:
    """What the timed rounds leave: the three timings, the action counts, pilotflow's events."""

    def __init__(self) -> None:
        self.pf, self.tm, self.floor = new_timings(), new_timings(), new_timings()
        self.counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        self.letters_per_level = [0] * LEVELS
        self.unit_events = self.letter_events = self.floor_events = 0
        self.register = 0.0


def interleaved(setup: Setup, n: int, chunk: int, *, collect: bool) -> Outcome:
    """Rounds of: one chunk of nominations with pilotflow, with transitions and on the floor (in
    rotating order), the same letters in all three, so that load on a shared machine hits all
    three alike."""
    run = setup.new_run()
    warm_plans(run, setup)
    rounds = [(part, letter_plan(setup, part)) for part in chunks(n, chunk)]
    most_letters = max(sum(len(level) for level in plan) for _, plan in rounds)
    machine = Transitions(setup, chunk, most_letters)
    floor = Floor(setup)
    out = Outcome()
    out.register = machine.register

    def steps(part: range, plan: tuple[tuple[Letter, ...], ...]) -> list[Callable[[], None]]:
        counts = counts_of(plan, setup, len(part))
        return [
            lambda: record(out.pf, pilotflow_round(run, setup, part, plan), counts),
            lambda: record(out.tm, machine.round(part, plan), counts),
            lambda: record(out.floor, floor_round(floor, setup, part, plan), counts),
        ]

    if not collect:
        gc.disable()
    try:
        for k, (part, plan) in enumerate(rounds):
            todo = steps(part, plan)
            for step in todo[k % 3 :] + todo[: k % 3]:
                step()
            for action, count in counts_of(plan, setup, len(part)).items():
                out.counts[action] += count
            for level, letters in enumerate(plan):
                out.letters_per_level[level] += len(letters)
    finally:
        gc.enable()
    arrived = run.nominations(state="received", holder="MIN")
    if len(arrived) != n:
        sys.exit(f"bench_core: pilotflow drove {len(arrived)} of {n} nominations to the ministry")
    ids = {m.id for m in arrived}
    for event in run.events():
        if event.nomination_id in ids:
            out.unit_events += 1
        else:
            out.letter_events += 1
    expected = out.counts
    if out.unit_events != n * (1 + LEVELS) or out.letter_events != sum(expected[a] for a in ACTIONS[1:]):
        sys.exit(f"bench_core: pilotflow wrote {out.unit_events} unit and {out.letter_events} letter events")
    if sum(r["state"] == "received" for r in floor.records.values()) != n:
        sys.exit("bench_core: the floor did not drive every nomination to the ministry")
    out.floor_events = len(floor.events)
    return out


def report(o: Outcome, n: int) -> None:
    print("\nµs per action and per nomination (end to end): median over rounds [min-max]; "
          "ratios: median of the per-round ratios")  # fmt: skip
    columns = (
        ("count", 9), ("pilotflow", 22), ("transitions", 20), ("floor", 20), ("pf/tr", 7), ("pf/floor", 9)
    )  # fmt: skip
    header = f"{'action':<15}" + "".join(f" {name:>{width}}" for name, width in columns)
    print(header)
    print("-" * len(header))
    for action in (*ACTIONS, "nomination"):
        p, t, f = o.pf[action], o.tm[action], o.floor[action]
        if not p:
            continue
        to_tr = median([a / b for a, b in zip(p, t, strict=True)])
        to_floor = median([a / b for a, b in zip(p, f, strict=True)])
        label = "per nomination" if action == "nomination" else action
        count = n if action == "nomination" else o.counts[action]
        print(
            f"{label:<15} {count:>9,} {median(p):>9.2f} [{spread(p):>11}] "
            f"{median(t):>7.2f} [{spread(t):>11}] {median(f):>7.2f} [{spread(f):>11}] "
            f"{to_tr:>7.2f} {to_floor:>9.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="nominations (default 100000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 5,000 nominations")
    parser.add_argument("--chunk", type=int, help="nominations per round (default n/20, whole batches)")
    parser.add_argument("--batch", type=int, default=10, help="units per district letter (default 10)")
    parser.add_argument("--no-gc", action="store_true", help="disable gc while timing")
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc passes")
    parser.add_argument("--no-documents", action="store_true", help="skip the documents pass")
    parser.add_argument("--documents-letters", type=int, help="letters per size in the documents pass "
                        "(default 40; quick 6)")  # fmt: skip
    parser.add_argument("--profile", action="store_true", help="print a cProfile of pilotflow")
    args = parser.parse_args(argv)
    n = 5_000 if args.quick else args.n
    if not 1 <= n <= 999_999 or not 1 <= args.batch <= MAX_UNITS:
        parser.error(f"--n must be between 1 and 999999, --batch between 1 and {MAX_UNITS}")
    chunk = args.chunk or max(n // 20, min(n, 500))
    chunk = max(args.batch, chunk - chunk % args.batch)  # whole batches per round
    doc_letters = args.documents_letters or (6 if args.quick else 40)

    print(
        f"pilotflow {metadata.version('pilotflow')}, transitions {metadata.version('transitions')}, "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(
        f"{n:,} nominations in rounds of {chunk:,}; district letters of {args.batch} units, a city's and "
        f"a province's one letter per round; gc {'disabled' if args.no_gc else 'enabled'} while timing",
        flush=True,
    )
    t_start = time.perf_counter()
    setup = timed("setup (campaign with quotas lifted, 5 lists x 1,000 units)", lambda: Setup(args.batch))
    print(f"    {len(setup.origins):,} origins with a four-level route", flush=True)
    outcome = timed(
        "timing (pilotflow, transitions, floor interleaved)",
        lambda: interleaved(setup, n, chunk, collect=not args.no_gc),
    )
    gc.collect()
    documents = None
    if not args.no_documents:
        documents = timed(
            f"documents: {doc_letters} letters of each of {', '.join(map(str, DOCUMENT_SIZES))} units, "
            "sent with and without",
            lambda: documents_pass(setup, doc_letters, DOCUMENT_SIZES),
        )
    gc.collect()
    memory = None
    if not args.no_memory:
        memory_n = min(n, 2_000) if args.quick else n
        mchunk = min(chunk, memory_n)
        memory = (
            timed(
                f"memory: pilotflow ({memory_n:,} nominations)",
                lambda: memory_pilotflow(setup, memory_n, mchunk),
            ),
            timed(
                f"memory: pilotflow with a wall clock ({memory_n:,} nominations)",
                lambda: memory_pilotflow(setup, memory_n, mchunk, WallClock(setup.clock.now())),
            ),
            timed(
                f"memory: transitions ({mchunk:,} unit models and their letters)",
                lambda: memory_transitions(setup, memory_n, mchunk),
            ),
            timed(f"memory: floor ({memory_n:,} nominations)", lambda: memory_floor(setup, memory_n, mchunk)),
        )

    o = outcome
    report(o, n)
    letters = sum(o.letters_per_level)
    print(
        f"letters: {letters:,} ({' / '.join(f'{x:,}' for x in o.letters_per_level)} from districts / "
        f"cities / provinces), {n * LEVELS / letters:.1f} units per letter on average; "
        f"transitions add_model: {o.register:.1f} µs per model"
    )
    events = o.unit_events + o.letter_events
    print(
        f"\naudit events per nomination: {events / n:.2f} with letters ({o.unit_events / n:.2f} the "
        f"unit's own, {o.letter_events / n:.2f} its share of its letters'; {events:,} events); "
        f"{EVENTS_BEFORE} before letters (3 stamps and a recommend per level); the floor wrote "
        f"{o.floor_events / n:.2f}"
    )
    if documents is not None:
        print(
            "\nsending a letter with its documents (summary table XLSX + letter draft DOCX generated, "
            "SHA-256 recorded) against documents=False; µs per send, medians"
        )
        print(f"{'units':>6} {'with':>10} {'without':>10} {'documents':>10} {'per unit':>10}")
        for size, with_, without in documents:
            extra = with_ - without
            print(f"{size:>6} {with_:>10,.0f} {without:>10,.0f} {extra:>10,.0f} {extra / size:>10,.0f}")
    if memory is not None:
        (pf_state, pf_total), (wall_state, wall_total), tm_model, (fl_state, fl_total) = memory
        print(f"\nmemory per nomination (tracemalloc, after the whole letter flow; {memory_n:,} nominations)")
        rows = [
            ("pilotflow", "state (nominations, letters, quota, claim index)", pf_state),
            ("pilotflow", "state + in-memory audit log", pf_total),
            ("pilotflow", "state, a wall clock", wall_state),
            ("pilotflow", "state + audit log, a wall clock", wall_total),
            ("transitions", "a unit model and its share of letter models", tm_model),
            ("floor", "state (dict records, letters, quota)", fl_state),
            ("floor", "state + event tuples", fl_total),
        ]
        for who, what, value in rows:
            print(f"  {who:<12} {what:<50} {value:>7,.0f} B")
        print(
            f"target: at most 2 KB (2,048 B) per nomination: state {pf_state:,.0f} B -> "
            f"{'met' if pf_state <= 2048 else 'MISSED'}; with the audit log {pf_total:,.0f} B -> "
            f"{'met' if pf_total <= 2048 else 'MISSED'}"
        )
        print(
            f"target: at most 1.5 KB (1,536 B) per nomination with the audit log and a wall clock: "
            f"{wall_total:,.0f} B -> {'met' if wall_total <= 1536 else 'MISSED'}"
        )
        if args.quick:
            print("  (--quick: per-authority quota counters are shared by few nominations; see the README)")
    print(f"\nwall time {time.perf_counter() - t_start:.1f} s", flush=True)
    if args.profile:
        profile_pilotflow(setup, min(n, 5_000), min(chunk, 5_000))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
