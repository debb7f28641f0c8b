"""A national campaign end to end, then the analyst's questions (issue 14).

    .venv/bin/python benchmarks/bench_national.py                     # SQLite, 10,000 30,000 100,000
    .venv/bin/python benchmarks/bench_national.py --quick             # 1,000 nominations (a smoke run)
    .venv/bin/python benchmarks/bench_national.py --n 10000 --profile # cProfile of the whole flow
    .venv/bin/python benchmarks/bench_national.py --pg-url postgresql://postgres@127.0.0.1:5432/test \\
        --skip-sqlite --n 10000 --workers 1 2 4

Everything goes through the public API (``import pilotflow as pf``) with the bundled 2023
campaign as it is, **real quotas** included, on a SQLite file (default) or PostgreSQL
(``--pg-url``; a fresh schema, dropped at the end), ``documents=False``:

1. **filing**: every county-level authority (the 2,845 districts and development zones of the
   graph) files its share of the N nominations, each by its applicant with every material a hop
   asks of a unit (``nominate``); unit types and scenarios in turn;
2. **districts**: each district puts all its units in one recommendation letter (推荐函:
   ``prepare_submission``), attaches the letter's own materials where its hop asks
   (``attach_to_submission``: Weihai's districts), its three departments stamp it
   (``stamp_submission``) and it is sent (``send``);
3. **the next level** (cities, the municipalities, the 计划单列市, XPCC): each selects within its
   quota, one ``select`` per unit type (filling its draft letter; the rest is cut), attaches the
   letter materials asked, stamps with its three departments and sends: a city to its province,
   the others to the ministry;
4. **provinces**: the same, to the ministry, which receives.

The clock is a :class:`pf.FixedClock` moved on before every action (a distinct moment per
action: filing on 16 October, districts on the 17th, cities on the 18th, provinces on the 25th),
so that the deadlines hold and ``as_of`` has moments to cut at.

Printed for each N: actions, audit events, wall time, actions/s, µs per nomination (it should
stay flat as N grows), the time of each phase, the database's bytes and bytes per event, and a
**raw-driver floor for the same rows in the same run**: every row pilotflow wrote (nominations,
letters, listings, events, quota counters) written again with ``executemany`` of the raw driver
(``sqlite3`` / ``psycopg``) into copies of the tables (``make_metadata(prefix="floor_")``), plus
one ``UPDATE`` per later version of each nomination and letter row (a unit's or a letter's move)
and one conditional ``UPDATE`` per quota seat taken; reading pilotflow's rows is not timed.
The ratio is floor time / pilotflow time.

Then the analyst's questions, each in a fresh child process (its peak resident memory is its
own ``VmHWM``: ``ru_maxrss`` would count the parent's, inherited through fork and exec; "base"
is the child's peak after opening the store and loading the campaign, before the question):
``events()`` iterated, ``replay()``, ``as_of(t)`` at a moment covering about 40% of the log,
the summary table (附件4, ``pilotflow.reports.summary_table``) of one province and of every top
recommender (those that sent to the ministry; ``--summaries K``: the first K), ``quota_table()``,
``tick(now)`` with nothing due at the end; ``tick`` is also timed in the main process right
after filing, with every nomination live and nothing due.

On PostgreSQL ``--workers 1 2 4`` runs the flow with that many worker processes (spawn), each
with its own engine and its share of the districts, then of the cities, then of the provinces
(a barrier between phases), retrying ``pf.ConflictError``: printed are the throughput curve and
the conflicts per attempt. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import platform
import pstats
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import every_material, material_for
from pilotflow.store.sql import make_metadata

CAMPAIGN_ID = "smart-health-elderly-care-2023"
TZ = "Asia/Shanghai"
PG_ENV = "PILOTFLOW_TEST_POSTGRES_URL"
MINISTRY = "MIN"
PROVINCE = "370000"  # the province whose summary table is asked
DEPARTMENT = "industry"  # the department that prepares, attaches and sends a letter
RETRIES = 20
STRIDE = 997  # prime, and no divisor of the 2,845 districts
CHUNK = 20_000  # rows per executemany of the floor
#: When each phase starts (the deadlines: Weihai's districts and Shandong's cities by the end
#: of 18 October, the ministry by the end of 29 October).
STARTS = {
    "filing": pendulum.datetime(2023, 10, 16, 0, 0, tz=TZ),
    "districts": pendulum.datetime(2023, 10, 17, 8, 0, tz=TZ),
    "hop 1": pendulum.datetime(2023, 10, 18, 8, 0, tz=TZ),
    "hop 2": pendulum.datetime(2023, 10, 25, 8, 0, tz=TZ),
}
PHASES = tuple(STARTS)
QUESTIONS = ("events", "replay", "as_of", "summary_one", "summary_all", "quota_table", "tick")


# -- the plan: who files what, who forwards ---------------------------------------------


@dataclass(frozen=True)
class Plan:
    """The districts' shares of the nominations and the authorities of each later hop."""

    n: int
    files: tuple[tuple[str, int, int], ...]  # (district, first number, count)
    hop1: tuple[str, ...]  # authorities at hop 1 of some route (cities, municipalities...)
    hop2: tuple[str, ...]  # authorities at hop 2 (provinces)

    def share(self, phase: str, worker: int, workers: int) -> list[Any]:
        items: Sequence[Any] = {
            "filing": self.files, "districts": self.files, "hop 1": self.hop1, "hop 2": self.hop2,
        }[phase]  # fmt: skip
        return [x for i, x in enumerate(items) if i % workers == worker]


def make_plan(run: pf.CampaignRun, n: int) -> Plan:
    districts = sorted(a.code for a in run.graph if a.level == "district")
    routes = {d: run.workflow.route(d) for d in districts}
    files, first, d_count = [], 0, len(districts)
    for i, d in enumerate(districts):
        # The remainder goes to districts spread over the country (a stride through them).
        count = n // d_count + (1 if (i * STRIDE) % d_count < n % d_count else 0)
        if count:
            files.append((d, first, count))
            first += count
    # An authority at hop 2 of some route (a province) that is at hop 1 of others (the counties
    # it administers directly) selects once, with the provinces: its units wait until then.
    hop2 = sorted({r[2] for d, r in routes.items() if len(r) > 3})
    hop1 = sorted({r[1] for d, r in routes.items() if len(r) > 2} - set(hop2))
    return Plan(n, tuple(files), tuple(hop1), tuple(hop2))


# -- one worker's flow ------------------------------------------------------------------


class StepClock(pf.FixedClock):
    """A fixed clock moved on by ``step`` seconds before each action (a datetime made from a
    timestamp in the campaign's zone: pendulum's own arithmetic would cost the benchmark more
    than some actions do)."""

    def __init__(self, start: datetime, step: float) -> None:
        super().__init__(start)
        self.restart(start, step)

    def restart(self, start: datetime, step: float) -> None:
        self.tz, self.base, self.step, self.count = start.tzinfo, start.timestamp(), step, 0
        self.set(start)

    def next(self) -> None:
        self.count += 1
        self.set(datetime.fromtimestamp(self.base + self.step * self.count, self.tz))


@dataclass
class Tally:
    """What a worker did: actions, events it expects, conflicts, top recommenders, checkpoints."""

    actions: int = 0
    events: int = 0
    attempts: int = 0
    conflicts: int = 0
    gave_up: int = 0
    to_ministry: set[str] = field(default_factory=set)
    checkpoints: list[tuple[int, str]] = field(default_factory=list)  # (events so far, moment)
    seconds: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds per phase
    tick_live: float = 0.0
    last: str = ""

    def merge(self, other: Tally) -> None:
        for k in ("actions", "events", "attempts", "conflicts", "gave_up"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        self.to_ministry |= other.to_ministry
        self.checkpoints += other.checkpoints
        self.last = max(self.last, other.last)


class Flow:
    """Drives one worker's share of the campaign through the public API."""

    def __init__(self, run: pf.CampaignRun, clock: StepClock, plan: Plan, tally: Tally) -> None:
        self.run, self.clock, self.plan, self.tally = run, clock, plan, tally
        self.materials = every_material(run.campaign)
        self.types = sorted(run.campaign.unit_types)
        self.scenarios = sorted(run.campaign.scenarios)
        self.ids: dict[str, list[str]] = {}  # district -> its nominations

    def act(self, call: Callable[..., Any], *args: Any, events: int = 1, **kwargs: Any) -> Any:
        """One action at the next moment, retried on a conflict."""
        self.clock.next()
        t = self.tally
        for _ in range(RETRIES):
            t.attempts += 1
            try:
                out = call(*args, **kwargs)
            except pf.ConflictError:
                t.conflicts += 1
                continue
            t.actions += 1
            t.events += events
            return out
        t.gave_up += 1
        raise RuntimeError("bench_national: gave up after repeated conflicts")

    def checkpoint(self) -> None:
        self.tally.checkpoints.append((self.tally.events, self.clock.now().isoformat()))

    def codes(self, district: str, first: int, count: int) -> list[tuple[int, str]]:
        """The unit codes ``district`` files (made before the clock starts)."""
        authority = self.run.graph[district]
        division = district if district.isdigit() else min(authority.admits, default="110000")
        return [(i, make_code("91" + division, f"MA{i:06d}")) for i in range(first, first + count)]

    def file(self, district: str, codes: list[tuple[int, str]]) -> None:
        ids = self.ids.setdefault(district, [])
        for i, code in codes:
            n = self.act(
                self.run.nominate, pf.Actor.applicant(code, "applicant"), unit_code=code,
                unit_name=f"全国基准单位{i}", unit_type=self.types[i % len(self.types)],
                scenario=self.scenarios[i % len(self.scenarios)], origin=district, materials=self.materials,
            )  # fmt: skip
            ids.append(n.id)
        self.checkpoint()

    def send_letter(self, sid: str, units: int) -> None:
        """The sender attaches its letter's materials, its departments stamp, it is sent."""
        run = self.run
        s = run.submission(sid)
        lead = pf.Actor(s.sender, DEPARTMENT, "lead")
        for req in run.letter_materials(s.sender, s.receiver):
            self.act(run.attach_to_submission, lead, sid, material_for(run.campaign, req.kind, req.copies))
        for department in run.graph[s.sender].stamping:
            self.act(run.stamp_submission, pf.Actor(s.sender, department, f"{department}-clerk"), sid)
        sent = self.act(run.send, lead, sid, events=1 + units)
        if sent.receiver == MINISTRY:
            self.tally.to_ministry.add(sent.sender)
        self.checkpoint()

    def district(self, district: str) -> None:
        ids = self.ids[district]
        s = self.act(self.run.prepare_submission, pf.Actor(district, DEPARTMENT, "lead"), ids)
        self.send_letter(s.id, len(ids))

    def select_and_send(self, authority: str) -> None:
        lead = pf.Actor(authority, DEPARTMENT, "lead")
        letters: dict[str, int] = {}
        for unit_type in self.types:
            result = self.act(self.run.select, lead, unit_type, events=0)
            if not result.ranked:  # nothing to select: no action
                self.tally.actions -= 1
                continue
            self.tally.events += len(result.cut) + (1 if result.recommended else 0)
            for sid in result.submissions:
                letters[sid] = letters.get(sid, 0) + len(result.recommended)
        for sid, units in letters.items():
            self.send_letter(sid, units)

    def phase(self, name: str, worker: int, workers: int) -> None:
        items = self.plan.share(name, worker, workers)
        step = min(0.25, 20 * 3600 / max(self.plan.n, 1)) if name == "filing" else 1.0
        # Workers share a phase's span of time: each takes every workers-th moment.
        self.clock.restart(STARTS[name].add(seconds=step * worker / workers), step)
        codes = [self.codes(*item) for item in items] if name == "filing" else []
        t0, c0 = time.perf_counter(), time.process_time()
        if name == "filing":
            for (district, _, _), unit_codes in zip(items, codes, strict=True):
                self.file(district, unit_codes)
        elif name == "districts":
            for district, _, _ in items:
                self.district(district)
        else:
            for authority in items:
                self.select_and_send(authority)
        self.tally.seconds[name] = time.perf_counter() - t0
        self.tally.cpu[name] = time.process_time() - c0
        self.tally.last = self.clock.now().isoformat()


def new_run(store: pf.Store, clock: pf.Clock) -> pf.CampaignRun:
    campaign = pf.load_campaign(CAMPAIGN_ID)
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock, documents=False)


def open_store(url: str, schema: str | None) -> pf.Store:
    return pf.open_store(url, **({"schema": schema} if schema else {}))


def work(
    index: int, workers: int, url: str, schema: str | None, plan: Plan, barrier: Any, results: Any
) -> None:
    """One worker process: each phase after the barrier; its tally on the queue."""
    store = open_store(url, schema)
    clock = StepClock(STARTS["filing"], 1.0)
    run = new_run(store, clock)
    tally = Tally()
    flow = Flow(run, clock, plan, tally)
    store.quota_used(run.campaign.id, "-", "-")  # the connection opened before the clock starts
    for name in PHASES:
        barrier.wait()
        flow.phase(name, index, workers)
    barrier.wait()
    store.close()
    results.put(tally)


# -- where the database lives -----------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    schema: str | None
    folder: Path
    pg_url: str | None = None

    @property
    def pg(self) -> bool:
        return self.pg_url is not None

    def raw(self) -> Any:
        """A raw driver connection to pilotflow's database."""
        if self.pg_url:
            import psycopg

            return psycopg.connect(self.pg_url)
        return sqlite3.connect(self.folder / "pilotflow.db")

    def table(self, name: str, prefix: str = "pf_") -> str:
        return f'"{self.schema}".{prefix}{name}' if self.schema else f"{prefix}{name}"

    def db_bytes(self) -> int:
        conn = self.raw()
        try:
            if self.pg:
                cur = conn.cursor()
                cur.execute(
                    "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
                    "JOIN pg_namespace s ON s.oid = c.relnamespace "
                    "WHERE s.nspname = %s AND c.relkind = 'r' AND c.relname LIKE 'pf\\_%%'",
                    (self.schema,),
                )
                return int(cur.fetchone()[0])
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            page_count = conn.execute("PRAGMA page_count").fetchone()[0]
            return int(page_count * conn.execute("PRAGMA page_size").fetchone()[0])
        finally:
            conn.close()

    def count_events(self) -> int:
        conn = self.raw()
        try:
            cur = conn.cursor()
            cur.execute(f"SELECT count(*) FROM {self.table('events')}")
            return int(cur.fetchone()[0])
        finally:
            conn.close()


def sa_postgres_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


@contextmanager
def target(pg_url: str | None, keep: bool) -> Iterator[Target]:
    folder = Path(tempfile.mkdtemp(prefix="bench_national_"))
    schema = None
    try:
        if pg_url is None:
            yield Target("SQLite", f"sqlite:///{folder / 'pilotflow.db'}", None, folder)
            return
        schema = f"pf_national_{uuid.uuid4().hex[:10]}"
        yield Target("PostgreSQL", pg_url, schema, folder, pg_url)
    finally:
        if schema and not keep:
            engine = sa.create_engine(sa_postgres_url(pg_url or ""))
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()
        if keep:
            print(f"  kept: {folder}" + (f" (schema {schema})" if schema else ""))
        else:
            for p in sorted(folder.rglob("*"), reverse=True):
                p.unlink() if p.is_file() else p.rmdir()
            folder.rmdir()


# -- the end-to-end run -----------------------------------------------------------------


@dataclass
class Outcome:
    n: int
    workers: int
    wall: float
    tally: Tally
    events: int
    db_bytes: int
    floor: float
    tick_live: float
    profile: str = ""


def run_flow(tgt: Target, n: int, workers: int, profile: bool) -> tuple[float, Tally, float, str]:
    """The whole flow with ``workers`` processes (1: in this process); wall time and tally."""
    if tgt.schema:
        engine = sa.create_engine(sa_postgres_url(tgt.pg_url or ""))
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{tgt.schema}"'))
        engine.dispose()
    store = open_store(tgt.url, tgt.schema)
    clock = StepClock(STARTS["filing"], 1.0)
    run = new_run(store, clock)
    plan = make_plan(run, n)
    tick_live = 0.0
    text = ""
    if workers == 1:
        tally = Tally()
        flow = Flow(run, clock, plan, tally)
        store.quota_used(run.campaign.id, "-", "-")
        profiler = cProfile.Profile() if profile else None
        wall = 0.0
        for name in PHASES:
            t0 = time.perf_counter()
            if profiler:
                profiler.enable()
            flow.phase(name, 0, 1)
            if profiler:
                profiler.disable()
            wall += time.perf_counter() - t0
            if name == "filing":  # every nomination live, nothing due yet
                t0 = time.perf_counter()
                run.tick(clock.now())
                tick_live = time.perf_counter() - t0
        if profiler:
            out = Path(tgt.folder) / "profile.txt"
            with out.open("w") as f:
                profiler.dump_stats(Path(tgt.folder) / "profile.prof")
                stats = pstats.Stats(profiler, stream=f).strip_dirs()
                stats.sort_stats("tottime").print_stats(45)
                stats.sort_stats("cumulative").print_stats(60)
            text = out.read_text()
        store.close()
        return wall, tally, tick_live, text
    store.close()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=work, args=(i, workers, tgt.url, tgt.schema, plan, barrier, results))
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    times = []
    try:
        for _ in range(len(PHASES) + 1):
            barrier.wait(timeout=3600)
            times.append(time.perf_counter())
        tally = Tally()
        for _ in range(workers):
            part = results.get(timeout=600)
            tally.merge(part)
            for k, v in part.seconds.items():
                tally.seconds[k] = max(tally.seconds.get(k, 0.0), v)
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
    for name, a, b in zip(PHASES, times, times[1:], strict=False):
        tally.seconds[name] = b - a
    return times[-1] - times[0], tally, tick_live, text


# -- the raw-driver floor ---------------------------------------------------------------


def floor(tgt: Target) -> float:
    """Seconds the raw driver takes to write the same rows into copies of pilotflow's tables
    (see the module's docstring); reading pilotflow's rows is not timed."""
    md = make_metadata("floor_", tgt.schema)
    pf_md = make_metadata("pf_", tgt.schema)
    if tgt.pg:
        engine = sa.create_engine(sa_postgres_url(tgt.pg_url or ""))
        fconn = tgt.raw()
        rconn = tgt.raw()
        mark = "%s"
    else:
        path = tgt.folder / "floor.db"
        engine = sa.create_engine(f"sqlite:///{path}")
        fconn = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL"):
            fconn.execute(f"PRAGMA {pragma}")
        rconn = tgt.raw()
        mark = "?"
    md.create_all(engine)
    engine.dispose()
    wrap = _jsonb_wrapper() if tgt.pg else None
    spent = 0.0
    fcur, rcur = fconn.cursor(), rconn.cursor()

    def write(sql: str, rows: list[Any]) -> None:
        nonlocal spent
        if not rows:
            return
        t0 = time.perf_counter()
        if not tgt.pg:
            fcur.execute("BEGIN")
        fcur.executemany(sql, rows)
        fconn.commit() if tgt.pg else fcur.execute("COMMIT")
        spent += time.perf_counter() - t0

    def rows_of(table: sa.Table, columns: list[str]) -> Iterator[list[Any]]:
        rcur.execute(f"SELECT {', '.join(columns)} FROM {tgt.table(table.name[3:])}")
        while True:
            chunk = rcur.fetchmany(CHUNK)
            if not chunk:
                break
            yield [tuple(wrap(v) for v in r) for r in chunk] if wrap else chunk

    for name in ("nominations", "submissions", "listed", "events", "receipts", "quota"):
        mine = pf_md.tables[_qualified(tgt, "pf_" + name)]
        columns = [c.name for c in mine.columns if c.name != "seq"]
        into = tgt.table(name, "floor_")
        insert = f"INSERT INTO {into} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
        moves: list[Any] = []
        seats: list[Any] = []
        for chunk in rows_of(mine, columns):
            if name == "quota":
                used = columns.index("used")
                seats += [(r[0], r[1], r[2]) for r in chunk for _ in range(r[used])]
                chunk = [(*r[:used], 0, *r[used + 1 :]) for r in chunk]
            elif name in ("nominations", "submissions"):
                v, u = columns.index("version"), columns.index("updated_at")
                moves += [(r[u], r[0]) for r in chunk for _ in range(r[v] - 1)]
            write(insert, chunk)
        where = f"{'%s' if tgt.pg else '?'}"
        for i in range(0, len(moves), CHUNK):
            write(
                f"UPDATE {into} SET updated_at = {where}, version = version + 1 WHERE id = {where}",
                moves[i : i + CHUNK],
            )
        for i in range(0, len(seats), CHUNK):
            write(
                f"UPDATE {into} SET used = used + 1 WHERE campaign = {where} "
                f"AND authority = {where} AND unit_type = {where} AND used + 1 <= 1000000000",
                seats[i : i + CHUNK],
            )
    fconn.close()
    rconn.close()
    return spent


def _qualified(tgt: Target, name: str) -> str:
    return f"{tgt.schema}.{name}" if tgt.schema else name


def _jsonb_wrapper() -> Callable[[Any], Any]:
    from psycopg.types.json import Jsonb

    def wrap(v: Any) -> Any:
        return Jsonb(v) if isinstance(v, (dict, list)) else v

    return wrap


# -- the analyst's questions, each in a child process -----------------------------------


def ask(question: str, url: str, schema: str | None, arg: str) -> dict[str, Any]:
    """The child's side: open, then time one question; print what it found."""
    store = open_store(url, schema)
    when = pendulum.parse(arg) if question in ("as_of", "tick") else STARTS["hop 2"]
    run = new_run(store, pf.FixedClock(when))  # type: ignore[arg-type]
    base = peak_kb()
    t0 = time.perf_counter()
    if question == "events":
        found = sum(1 for _ in run.events())
    elif question == "replay":
        found = len(run.replay().nominations)
    elif question == "as_of":
        found = len(run.as_of(when).nominations)  # type: ignore[arg-type]
    elif question in ("summary_one", "summary_all"):
        from pilotflow.reports import summary_table

        found = sum(len(summary_table(run, a)) for a in arg.split(","))
    elif question == "quota_table":
        found = len(run.quota_table())
    else:
        found = len(run.tick(when))  # type: ignore[arg-type]
    wall = time.perf_counter() - t0
    store.close()
    return {"wall": wall, "base_kb": base, "peak_kb": peak_kb(), "found": found}


def peak_kb() -> int:
    """This process's peak resident memory in KiB: ``VmHWM`` (the high-water mark of this
    program's own memory; ``ru_maxrss`` would also count the parent's, inherited through fork
    and exec), else ``ru_maxrss``."""
    with suppress(OSError), open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@dataclass
class Answer:
    question: str
    wall: float
    peak_mb: float
    base_mb: float
    found: int


def question(tgt: Target, name: str, arg: str) -> Answer:
    cmd = [sys.executable, __file__, "--question", name, "--url", tgt.url, "--arg", arg]
    if tgt.schema:
        cmd += ["--schema", tgt.schema]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"question {name} failed:\n{done.stderr[-3000:]}")
    got = json.loads(done.stdout.strip().splitlines()[-1])
    return Answer(name, got["wall"], got["peak_kb"] / 1024, got["base_kb"] / 1024, got["found"])


def questions(tgt: Target, tally: Tally, events: int, summaries: int) -> list[Answer]:
    marks = sorted(tally.checkpoints)
    as_of = next((m for e, m in marks if e >= 0.4 * events), tally.last)
    args = {
        "as_of": as_of, "tick": tally.last, "summary_one": PROVINCE,
        "summary_all": ",".join(sorted(tally.to_ministry)[: summaries or None]),
    }  # fmt: skip
    out = []
    for name in QUESTIONS:
        out.append(question(tgt, name, args.get(name, "")))
        a = out[-1]
        print(f"    {name:<12} {a.wall:>8.2f} s  peak {a.peak_mb:>7,.0f} MB (base {a.base_mb:,.0f})  "
              f"found {a.found:,}  [{load()}]", flush=True)  # fmt: skip
    return out


# -- the report -------------------------------------------------------------------------


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def one(tgt: Target, n: int, workers: int, args: argparse.Namespace) -> tuple[Outcome, list[Answer]]:
    print(f"\n{tgt.name}, {n:,} nominations, {workers} worker(s) [{load()}]", flush=True)
    wall, tally, tick_live, text = run_flow(tgt, n, workers, args.profile)
    events = tgt.count_events()
    size = tgt.db_bytes()
    spent = 0.0 if args.no_floor else floor(tgt)
    out = Outcome(n, workers, wall, tally, events, size, spent, tick_live, text)
    phases = ", ".join(
        f"{k} {v:.1f} s" + (f" (CPU {tally.cpu[k]:.1f} s)" if workers == 1 and k in tally.cpu else "")
        for k, v in tally.seconds.items()
    )
    print(
        f"  actions {tally.actions:,}  audit events {events:,} (counted {tally.events:,})  "
        f"wall {wall:.1f} s  "
        f"{tally.actions / wall:,.0f} actions/s  {wall / n * 1e6:,.0f} µs/nomination  [{load()}]\n"
        f"  phases: {phases}; {len(tally.to_ministry)} authorities sent to the ministry\n"
        f"  DB {size / 1e6:,.1f} MB, {size / max(events, 1):,.0f} bytes/event"
        + (f"; floor {spent:.1f} s (floor/pilotflow {spent / wall:.2f})" if spent else "")
        + (f"; tick after filing ({n:,} live, nothing due) {tick_live * 1e3:,.0f} ms" if workers == 1 else "")
        + (f"\n  conflicts {tally.conflicts:,} of {tally.attempts:,} attempts, gave up {tally.gave_up}"
           if workers > 1 or tally.conflicts else ""),
        flush=True,
    )  # fmt: skip
    if text:
        print(text)
    answers = [] if args.no_questions else questions(tgt, tally, events, args.summaries)
    return out, answers


def report(rows: list[tuple[str, Outcome, list[Answer]]]) -> None:
    print("\nend to end (district → ministry, real quotas)")
    header = (
        f"{'engine':<11} {'N':>8} {'workers':>7} {'actions':>9} {'events':>9} {'wall s':>7} {'actions/s':>9} "
        f"{'µs/nom':>7} {'DB MB':>7} {'B/event':>7} {'floor s':>7} {'floor/pf':>8} {'conflicts':>9}"
    )
    print(header)
    print("-" * len(header))
    for engine, o, _ in rows:
        t = o.tally
        rate = t.conflicts / t.attempts if t.attempts else 0.0
        print(
            f"{engine:<11} {o.n:>8,} {o.workers:>7} {t.actions:>9,} {o.events:>9,} {o.wall:>7.1f} "
            f"{t.actions / o.wall:>9,.0f} {o.wall / o.n * 1e6:>7,.0f} {o.db_bytes / 1e6:>7.1f} "
            f"{o.db_bytes / max(o.events, 1):>7,.0f} {o.floor:>7.1f} {o.floor / o.wall:>8.2f} {rate:>9.2%}"
        )
    if any(a for _, _, a in rows):
        print("\nquestions (each in a fresh process: wall s / peak RSS MB)")
        header = f"{'engine':<11} {'N':>8} " + " ".join(f"{q:>16}" for q in QUESTIONS)
        print(header)
        print("-" * len(header))
        for engine, o, answers in rows:
            if answers:
                cells = " ".join(f"{a.wall:>7.2f}/{a.peak_mb:>7,.0f} " for a in answers)
                print(f"{engine:<11} {o.n:>8,} {cells}")


def facts(pg_url: str | None) -> None:
    versions = [f"pilotflow {metadata.version('pilotflow')}", f"SQLAlchemy {sa.__version__}"]
    with suppress(metadata.PackageNotFoundError):
        versions.append(f"psycopg {metadata.version('psycopg')}")
    print(
        ", ".join(versions) + f", SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, {load()}"
    )
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", help="nominations (default 10000 30000 100000)")
    parser.add_argument("--quick", action="store_true", help="1,000 nominations, SQLite (a smoke run)")
    parser.add_argument("--pg-url", help=f"PostgreSQL URL (e.g. ${PG_ENV}); default: SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="PostgreSQL worker processes")
    parser.add_argument("--no-floor", action="store_true", help="skip the raw-driver floor")
    parser.add_argument("--no-questions", action="store_true", help="skip the analyst's questions")
    parser.add_argument("--profile", action="store_true", help="cProfile the flow (SQLite, one process)")
    parser.add_argument("--keep", action="store_true", help="keep the database(s)")
    parser.add_argument(
        "--summaries", type=int, help="summary tables asked in summary_all (default: every top recommender; "
        "quick: 3)",
    )  # fmt: skip
    parser.add_argument("--question", choices=QUESTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--schema", help=argparse.SUPPRESS)
    parser.add_argument("--arg", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.question:
        print(json.dumps(ask(args.question, args.url, args.schema, args.arg)))
        return 0
    sizes = args.n or ([1_000] if args.quick else [10_000, 30_000, 100_000])
    if args.summaries is None:
        args.summaries = 3 if args.quick else 0
    if min(sizes) < 1 or min(args.workers) < 1:
        parser.error("--n and --workers must be at least 1")
    facts(args.pg_url)
    t_start = time.perf_counter()
    rows = []
    for n in sizes:
        if not args.skip_sqlite:
            with target(None, args.keep) as tgt:
                o, answers = one(tgt, n, 1, args)
                rows.append(("SQLite", o, answers))
        if args.pg_url:
            for w in args.workers:
                with target(args.pg_url, args.keep) as tgt:
                    o, answers = one(tgt, n, w, args)
                    rows.append(("PostgreSQL", o, answers))
    report(rows)
    print(f"\nwall time {time.perf_counter() - t_start:.1f} s [{load()}]", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
