"""Actions per second on the SQL stores: pilotflow against a raw-driver floor, in one run.

    .venv/bin/python benchmarks/bench_sql.py                  # SQLite and PostgreSQL (a few minutes)
    .venv/bin/python benchmarks/bench_sql.py --quick          # a smoke run (< 60 s)
    .venv/bin/python benchmarks/bench_sql.py --skip-postgres  # no server at hand
    .venv/bin/python benchmarks/bench_sql.py --profile        # also cProfile pilotflow's actions

PostgreSQL is taken from ``--pg-url``, else ``$PILOTFLOW_TEST_POSTGRES_URL``, else
``postgresql://postgres@127.0.0.1:5432/test``; everything is written to a fresh schema that is
dropped at the end. SQLite is a real file in a temporary folder (WAL, ``synchronous=NORMAL``:
pilotflow's settings, which the floor copies).

Three measurements, each on SQLite and on PostgreSQL (the third on PostgreSQL only):

1. **Single action.** ``run.stamp(...)`` one call at a time: one transaction each. The floor
   is the raw driver (``sqlite3`` / ``psycopg`` 3) doing, per action, one transaction with
   ``UPDATE nominations SET stamps=?, updated_at=?, version=version+1 WHERE id=? AND version=?``
   and ``INSERT INTO events (...)`` on a copy of pilotflow's own tables (same columns, same
   indexes, the same rows copied over, event rows copied from pilotflow's). pilotflow also
   *reads* the nomination before it writes (it must: the guards judge the stored state), so a
   second floor, "floor+read", selects the row inside its transaction first.
2. **Bulk.** ``run.select(...)`` recommends every candidate of an authority and unit type in
   one transaction (the bundled campaign with every quota limit raised to 10**9, so all go up),
   at the district and then at the city (a Shandong city, whose quota rule is checked). The
   floor does the same row updates and event inserts in one transaction; "floor+seats" also
   takes the two quota seats per recommendation with a conditional ``UPDATE`` each, as
   pilotflow does.
3. **Concurrency** (PostgreSQL): 1, 2, 4, 8 worker processes (spawn) each stamp (three
   departments) and recommend their own nominations at the district, with a share of "hot"
   nominations (``--overlap``) that every worker works on at the same point of its list, so
   that they collide. Actions go through ``pf.retry_on_conflict``; a ``ConflictError`` is
   counted at every attempt. Reported: accepted actions per second (all workers, wall clock
   from a common start) and conflicts per attempt; "refused" counts actions a faster worker
   had already done (an ``ActionRefused`` after the retry).

Rounds of pilotflow and of the floors alternate (the order rotates), and every ratio is the
median of per-round ratios computed in the same run: the machines are shared and noisy. Speeds
are the median over rounds. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import platform
import pstats
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import sample_materials
from pilotflow.store.sql import make_metadata

from _common import ALL_MATERIALS, TZ, lifted_campaign

PROVINCE = "370000"  # Shandong: its cities have quota rules (Qingdao reports to the ministry)
PG_ENV = "PILOTFLOW_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
TARGET = 0.5
RETRIES = 10
WORKER_COUNTS = (1, 2, 4, 8)


# -- the campaign and the nominations ---------------------------------------------------


def new_run(campaign: pf.Campaign, store: pf.Store) -> pf.CampaignRun:
    clock = pf.FixedClock(pendulum.datetime(2023, 10, 17, 9, tz=TZ))
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)


def shandong_districts(run: pf.CampaignRun) -> dict[str, list[str]]:
    """City -> its districts, for every Shandong district routed district → city → province."""
    out: dict[str, list[str]] = {}
    for authority in run.graph:
        if authority.level != "district":
            continue
        try:
            route = run.workflow.route(authority.code)
        except pf.GraphError:
            continue
        if len(route) == 4 and route[2] == PROVINCE:
            out.setdefault(route[1], []).append(authority.code)
    return {city: sorted(ds) for city, ds in sorted(out.items())}


@dataclass(frozen=True)
class Group:
    """Nominations of one unit type filed at one district: one bulk selection at the district,
    then (stamped again) one at the city."""

    district: str
    city: str
    unit_type: str
    ids: tuple[str, ...]


class Numbers:
    """Distinct unit codes across the whole run."""

    def __init__(self, start: int = 0) -> None:
        self.next = start

    def take(self) -> int:
        self.next += 1
        return self.next


def file_nominations(
    run: pf.CampaignRun, numbers: Numbers, origin: str, unit_type: str, count: int
) -> list[str]:
    """``count`` nominations filed at ``origin`` with every material (one transaction each)."""
    ids = []
    paper = {k for k, v in run.campaign.materials.items() if v.paper}
    files = sample_materials(run.campaign, tempfile.mkdtemp(prefix="bench-sql-files-"),
                             [k for k, _ in ALL_MATERIALS if k not in paper])  # fmt: skip
    by_kind = {m.kind: m for m in files}
    materials = [pf.Material(k, copies=c) if k in paper else by_kind[k] for k, c in ALL_MATERIALS]
    scenario = next(iter(run.campaign.scenarios))
    for _ in range(count):
        i = numbers.take()
        code = make_code("91" + origin[:6], f"MA{i:06d}")
        n = run.nominate(
            pf.Actor.applicant(code, "applicant"), unit_code=code, unit_name=f"基准测试单位{i}",
            unit_type=unit_type, scenario=scenario, origin=origin, materials=materials,
        )  # fmt: skip
        ids.append(n.id)
    return ids


def make_groups(run: pf.CampaignRun, numbers: Numbers, groups: int, size: int) -> list[Group]:
    """``groups`` groups of ``size`` nominations, each (city, unit type) different."""
    cities = shandong_districts(run)
    names = sorted(cities)
    unit_types = sorted(run.campaign.unit_types)
    if groups > len(names) * len(unit_types):
        sys.exit(f"bench_sql: at most {len(names) * len(unit_types)} groups")
    out = []
    for g in range(groups):
        city = names[g % len(names)]
        k = g // len(names)
        district = cities[city][k % len(cities[city])]
        unit_type = unit_types[k % len(unit_types)]
        ids = file_nominations(run, numbers, district, unit_type, size)
        out.append(Group(district, city, unit_type, tuple(ids)))
    return out


# -- where the stores live --------------------------------------------------------------


@dataclass
class Target:
    """One database: pilotflow's store, a SQLAlchemy engine and a raw driver connection on it."""

    name: str
    url: str  # pilotflow's URL
    schema: str | None
    floor_engine: sa.Engine  # for creating and filling the floor's tables
    connect: Callable[[], Any]  # a raw DB-API connection for the floor
    pg: bool

    def open_store(self) -> pf.Store:
        return pf.open_store(self.url, **({"schema": self.schema} if self.schema else {}))


@contextmanager
def sqlite_target() -> Iterator[Target]:
    with tempfile.TemporaryDirectory(prefix="bench_sql_") as tmp:
        floor_path = Path(tmp) / "floor.db"
        engine = sa.create_engine(f"sqlite:///{floor_path}")

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(floor_path, isolation_level=None)  # we issue BEGIN ourselves
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=30000", "foreign_keys=ON"):
                conn.execute(f"PRAGMA {pragma}")
            return conn

        target = Target("SQLite", f"sqlite:///{Path(tmp) / 'pilotflow.db'}", None, engine, connect, False)
        try:
            yield target
        finally:
            engine.dispose()


def sa_postgres_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1]


@contextmanager
def postgres_target(url: str) -> Iterator[Target]:
    import psycopg

    schema = f"pf_bench_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(sa_postgres_url(url))
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def connect() -> Any:
        return psycopg.connect(url)

    try:
        yield Target("PostgreSQL", url, schema, engine, connect, True)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


# -- the floor: the raw driver ----------------------------------------------------------


class Floor:
    """The same row updates and event inserts as pilotflow, on copies of its tables, through
    the raw driver: no reads unless asked, no guards, no ORM/Core layer, statements written
    once."""

    def __init__(self, target: Target, templates: dict[str, dict[str, Any]], at: str) -> None:
        self.conn = target.connect()
        self.cur = self.conn.cursor()
        self.pg = target.pg
        self.at = at
        prefix = f'"{target.schema}".floor_' if target.schema else "floor_"

        def sql(text: str) -> str:
            return text.replace("?", "%s") if self.pg else text

        self.event_columns = [c for c in templates["stamp"] if c != "seq"]
        cols = ", ".join(self.event_columns)
        marks = ", ".join("?" for _ in self.event_columns)
        n = self.nominations = f"{prefix}nominations"
        self.sql_read = sql(f"SELECT * FROM {n} WHERE id = ?")
        self.sql_stamp = sql(
            f"UPDATE {n} SET stamps = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?"
        )
        self.sql_move = sql(
            f"UPDATE {n} SET hop = ?, holder = ?, state = ?, stamps = ?, seats = ?, updated_at = ?, "
            "version = version + 1 WHERE id = ? AND version = ?"
        )
        self.sql_event = sql(f"INSERT INTO {prefix}events ({cols}) VALUES ({marks})")
        seat = (
            f"UPDATE {prefix}quota SET used = used + 1 WHERE campaign = ? AND authority = ? AND unit_type = ?"
        )
        self.sql_seat = sql(seat)
        self.sql_seat_capped = sql(seat + " AND used + 1 <= ?")
        self.templates = {k: [v[c] for c in self.event_columns] for k, v in templates.items()}
        self.col = {c: i for i, c in enumerate(self.event_columns)}
        self.version: dict[str, int] = {}
        self.stamps: dict[str, list[str]] = {}
        self.read_index: dict[str, int] = {}

    def close(self) -> None:
        self.conn.close()

    def load(self) -> None:
        """Versions and stamps of the copied rows (what an application would have in hand)."""
        self.cur.execute(f"SELECT id, version, stamps FROM {self.nominations}")
        for nid, version, stamps in self.cur.fetchall():
            self.version[nid] = version
            self.stamps[nid] = json.loads(stamps)
        self.cur.execute(self.sql_read, ("-",))
        self.cur.fetchall()
        self.read_index = {d[0]: i for i, d in enumerate(self.cur.description)}
        self.finish()

    def begin(self) -> None:
        if not self.pg:
            self.cur.execute("BEGIN IMMEDIATE")  # psycopg opens the transaction itself

    def finish(self) -> None:
        if self.pg:
            self.conn.commit()
        elif self.conn.in_transaction:
            self.cur.execute("COMMIT")

    def _event(self, kind: str, nid: str, version: int, **values: Any) -> list[Any]:
        row = self.templates[kind][:]
        row[self.col["nomination_id"]] = nid
        row[self.col["version"]] = version
        for k, v in values.items():
            row[self.col[k]] = v
        return row

    def stamp(self, tasks: Sequence[tuple[str, str, str]], *, read: bool = False) -> None:
        """One transaction per (nomination, authority, department): update the row, add the event."""
        cur, at = self.cur, self.at
        for nid, authority, department in tasks:
            self.begin()
            if read:
                cur.execute(self.sql_read, (nid,))
                row = cur.fetchone()
                version = row[self.read_index["version"]]
                stamps = json.loads(row[self.read_index["stamps"]])
            else:
                version, stamps = self.version[nid], self.stamps[nid]
            stamps.append(department)
            cur.execute(self.sql_stamp, (json.dumps(stamps), at, nid, version))
            if cur.rowcount != 1:
                sys.exit(f"bench_sql: floor stamp of {nid} found another version")
            cur.execute(
                self.sql_event,
                self._event(
                    "stamp", nid, version + 1, actor_authority=authority, actor_department=department,
                    from_holder=authority, to_holder=authority, data=json.dumps({"department": department}),
                ),
            )  # fmt: skip
            self.finish()
            self.version[nid], self.stamps[nid] = version + 1, stamps

    def recommend(
        self, ids: Sequence[str], frm: str, to: str, hop: int, seats: Sequence[str],
        counters: Sequence[tuple[str, int | None]], *, take_seats: bool,
    ) -> None:  # fmt: skip
        """One transaction: every nomination in ``ids`` moves from ``frm`` to ``to``."""
        cur, at, campaign = self.cur, self.at, self.templates["recommend"][self.col["campaign"]]
        seats_json = json.dumps(list(seats))
        self.begin()
        for rank, nid in enumerate(ids, 1):
            version = self.version[nid]
            cur.execute(self.sql_move, (hop, to, "in_review", "[]", seats_json, at, nid, version))
            if cur.rowcount != 1:
                sys.exit(f"bench_sql: floor recommendation of {nid} found another version")
            cur.execute(
                self.sql_event,
                self._event("recommend", nid, version + 1, actor_authority=frm, from_holder=frm, to_holder=to,
                            data=json.dumps({"rank": rank})),
            )  # fmt: skip
            if take_seats:
                for counter, limit in counters:
                    if limit is None:
                        cur.execute(self.sql_seat, (campaign, frm, counter))
                    else:
                        cur.execute(self.sql_seat_capped, (campaign, frm, counter, limit))
                    if cur.rowcount != 1:
                        sys.exit("bench_sql: floor quota seat not taken")
            self.version[nid], self.stamps[nid] = version + 1, []
        self.finish()


def copy_tables(target: Target, quota_keys: Sequence[tuple[str, str, str]]) -> None:
    """Create the floor's tables with pilotflow's own definitions (prefix ``floor_``) and copy
    pilotflow's nominations, events and quota rows into them; add missing quota rows."""
    pf_tables = make_metadata("pf_", target.schema).tables
    floor_md = make_metadata("floor_", target.schema)
    floor_md.create_all(target.floor_engine)
    key = f"{target.schema}." if target.schema else ""
    source = sa.create_engine(target.url if not target.pg else sa_postgres_url(target.url))
    try:
        with source.connect() as src, target.floor_engine.begin() as dst:
            for name in ("nominations", "events", "quota"):
                table = pf_tables[f"{key}pf_{name}"]
                columns = [c for c in table.c if c.name != "seq"]
                rows = [dict(r) for r in src.execute(sa.select(*columns)).mappings()]
                if name == "quota":
                    have = {(r["campaign"], r["authority"], r["unit_type"]) for r in rows}
                    rows += [
                        {"campaign": c, "authority": a, "unit_type": t, "used": 0}
                        for c, a, t in quota_keys
                        if (c, a, t) not in have
                    ]
                if rows:
                    dst.execute(sa.insert(floor_md.tables[f"{key}floor_{name}"]), rows)
    finally:
        source.dispose()
    with target.floor_engine.begin() as conn:
        if target.pg:
            conn.execute(sa.text(f'ANALYZE "{target.schema}".floor_nominations'))
            conn.execute(sa.text(f'ANALYZE "{target.schema}".pf_nominations'))
        else:
            conn.execute(sa.text("ANALYZE"))


def event_templates(store: pf.Store, target: Target) -> dict[str, dict[str, Any]]:
    """One real pilotflow event row per action the floor writes (stamp, recommend)."""
    key = f"{target.schema}." if target.schema else ""
    events = make_metadata("pf_", target.schema).tables[f"{key}pf_events"]
    out = {}
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        for action in ("stamp", "recommend"):
            row = conn.execute(sa.select(events).where(events.c.action == action).limit(1)).mappings().first()
            if row is None:
                sys.exit(f"bench_sql: no {action} event to copy")
            out[action] = dict(row)
    return out


# -- timing -----------------------------------------------------------------------------


@dataclass
class Series:
    """Seconds per round for pilotflow and the two floors, and actions per round."""

    label: str
    actions: list[int] = field(default_factory=list)
    pf: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_x: list[float] = field(default_factory=list)

    def rate(self, seconds: list[float]) -> float:
        return statistics.median(a / s for a, s in zip(self.actions, seconds, strict=True))

    def ratio(self, floor: list[float]) -> float:
        return statistics.median(f / p for p, f in zip(self.pf, floor, strict=True))


def rotate(steps: list[Callable[[], float]], k: int) -> list[float]:
    """Run the steps starting at step ``k % len``; return their times in the original order."""
    out = [0.0] * len(steps)
    for j in range(len(steps)):
        i = (k + j) % len(steps)
        out[i] = steps[i]()
    return out


def timer(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        t0 = time.perf_counter()
        fn()
        return time.perf_counter() - t0

    return run


def stamp_tasks(groups: Sequence[Group], level: str) -> list[tuple[str, str, str]]:
    """(nomination, authority, department): each department in turn, every nomination."""
    out = []
    for department in ("industry", "civil_affairs", "health"):
        for g in groups:
            authority = g.district if level == "district" else g.city
            out += [(nid, authority, department) for nid in g.ids]
    return out


class Bench:
    """pilotflow and the floor on one target."""

    def __init__(self, target: Target, campaign: pf.Campaign, numbers: Numbers) -> None:
        self.target = target
        self.store = target.open_store()
        self.run = new_run(campaign, self.store)
        self.numbers = numbers
        self.actors: dict[tuple[str, str], pf.Actor] = {}
        self.floor: Floor | None = None
        self.nominate_rate = 0.0

    def actor(self, authority: str, department: str) -> pf.Actor:
        key = (authority, department)
        if key not in self.actors:
            self.actors[key] = pf.Actor(authority, department, f"{department}-clerk")
        return self.actors[key]

    def pf_stamps(self, tasks: Sequence[tuple[str, str, str]]) -> None:
        stamp, actor = self.run.stamp, self.actor
        for nid, authority, department in tasks:
            stamp(actor(authority, department), nid)

    def pf_select(self, group: Group, level: str) -> None:
        authority = group.district if level == "district" else group.city
        result = self.run.select(self.actor(authority, "industry"), group.unit_type)
        if len(result.recommended) != len(group.ids):
            sys.exit(f"bench_sql: select at {authority} recommended {len(result.recommended)} "
                     f"of {len(group.ids)}: {result.skipped or result.cut}")  # fmt: skip

    def counters(self, group: Group, level: str) -> list[tuple[str, int | None]]:
        """The quota counters a recommendation of the group moves, with their caps."""
        authority = group.district if level == "district" else group.city
        rule = self.run.campaign.quota_rule(self.run.graph[authority])
        if rule is None:
            return [(group.unit_type, None), ("*", None)]
        return [(group.unit_type, rule.limits.get(group.unit_type)), ("*", rule.total)]

    def floor_recommend(self, group: Group, level: str, *, take_seats: bool) -> None:
        assert self.floor is not None
        if level == "district":
            frm, to, hop, seats = group.district, group.city, 1, [group.district]
        else:
            frm, to, hop, seats = group.city, PROVINCE, 2, [group.district, group.city]
        self.floor.recommend(
            group.ids, frm, to, hop, seats, self.counters(group, level), take_seats=take_seats
        )

    def prepare(self, groups: int, size: int, warm: int) -> tuple[list[Group], Group]:
        """File the nominations; drive a warm-up group through every step with pilotflow; copy
        the tables for the floor and warm it up on the same group."""
        t0 = time.perf_counter()
        made = make_groups(self.run, self.numbers, groups + 1, size)
        self.nominate_rate = (groups + 1) * size / (time.perf_counter() - t0)
        warm_group = Group(made[-1].district, made[-1].city, made[-1].unit_type, made[-1].ids[:warm])
        groups_ = made[:-1]
        for level in ("district", "city"):
            self.pf_stamps(stamp_tasks([warm_group], level))
            self.pf_select(warm_group, level)
        templates = event_templates(self.store, self.target)
        quota_keys = [
            (self.run.campaign.id, authority, counter)
            for g in made
            for authority in (g.district, g.city)
            for counter in (g.unit_type, "*")
        ]
        copy_tables(self.target, quota_keys)
        self.floor = Floor(self.target, templates, self.run.clock.now().isoformat())
        self.floor.load()
        for level in ("district", "city"):
            tasks = stamp_tasks([warm_group], level)
            self.floor.stamp(tasks)
            self.floor.stamp(tasks, read=True)
            for take in (False, True):
                self.floor_recommend(warm_group, level, take_seats=take)
        return groups_, warm_group

    def single(self, groups: Sequence[Group], level: str, chunk: int, series: Series) -> None:
        assert self.floor is not None
        floor = self.floor
        tasks = stamp_tasks(groups, level)
        for k, start in enumerate(range(0, len(tasks), chunk)):
            part = tasks[start : start + chunk]
            # floor+read stamps again what floor stamped: another department's stamp would do as
            # well, the cost is the same; both keep the row's version and stamps consistent.
            times = rotate(
                [
                    timer(lambda part=part: self.pf_stamps(part)),
                    timer(lambda part=part: floor.stamp(part)),
                    timer(lambda part=part: floor.stamp(part, read=True)),
                ],
                k,
            )
            series.actions.append(len(part))
            series.pf.append(times[0])
            series.floor.append(times[1])
            series.floor_x.append(times[2])

    def bulk(self, groups: Sequence[Group], level: str, series: Series) -> None:
        for k, g in enumerate(groups):
            times = rotate(
                [
                    timer(lambda g=g: self.pf_select(g, level)),
                    timer(lambda g=g: self.floor_recommend(g, level, take_seats=False)),
                    timer(lambda g=g: self.floor_recommend(g, level, take_seats=True)),
                ],
                k,
            )
            series.actions.append(len(g.ids))
            series.pf.append(times[0])
            series.floor.append(times[1])
            series.floor_x.append(times[2])

    def close(self) -> None:
        if self.floor is not None:
            self.floor.close()
        self.store.close()


@dataclass
class Results:
    engine: str
    single: Series
    bulk_district: Series
    bulk_city: Series
    nominate_per_s: float


def measure(target: Target, campaign: pf.Campaign, numbers: Numbers, args: argparse.Namespace) -> Results:
    bench = Bench(target, campaign, numbers)
    try:
        t0 = time.perf_counter()
        groups, _ = bench.prepare(args.groups, args.bulk, args.warm)
        filed = (args.groups + 1) * args.bulk
        print(f"  {target.name}: filed {filed:,} nominations, warmed up ({time.perf_counter() - t0:.1f} s)",
              flush=True)  # fmt: skip
        single = Series(f"{target.name} stamp")
        bulk_d = Series(f"{target.name} select@district")
        bulk_c = Series(f"{target.name} select@city")
        t0 = time.perf_counter()
        bench.single(groups, "district", args.chunk, single)
        bench.bulk(groups, "district", bulk_d)
        bench.single(groups, "city", args.chunk, single)
        bench.bulk(groups, "city", bulk_c)
        print(f"  {target.name}: timed {sum(single.actions):,} stamps and "
              f"{sum(bulk_d.actions) + sum(bulk_c.actions):,} bulk recommendations, three ways "
              f"({time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip
        held = bench.run.nominations(holder=PROVINCE, state="in_review")
        if len(held) != args.groups * args.bulk + args.warm:
            sys.exit(f"bench_sql: {len(held)} nominations reached the province, expected more")
        if args.profile:
            profile(bench, args)
        return Results(target.name, single, bulk_d, bulk_c, bench.nominate_rate)
    finally:
        bench.close()


def profile(bench: Bench, args: argparse.Namespace) -> None:
    """cProfile pilotflow's single stamps and one bulk select on a fresh group."""
    (group,) = make_groups(bench.run, bench.numbers, 1, args.bulk)
    tasks = stamp_tasks([group], "district")
    for label, fn in (
        (f"{len(tasks)} single stamps", lambda: bench.pf_stamps(tasks)),
        (f"one select recommending {len(group.ids)}", lambda: bench.pf_select(group, "district")),
    ):
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        print(f"\ncProfile, {bench.target.name}: {label}", flush=True)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile_top)
        stats.sort_stats("cumulative").print_stats(args.profile_top)


# -- concurrency (PostgreSQL) -----------------------------------------------------------


def worker(index: int, url: str, schema: str, jobs: Any, results: Any, barriers: dict[int, Any]) -> None:
    """Take jobs (worker count, [(nomination, district)]) until None; for each nomination stamp
    with the three departments (starting at a department that depends on the worker) and
    recommend, retrying conflicts; report counts and the start and end of the work."""
    store = pf.open_store(url, schema=schema, create=False)
    run = new_run(lifted_campaign("bench_sql"), store)
    store.quota_used(run.campaign.id, "-", "-")  # open the connection before the clock starts
    departments = ["industry", "civil_affairs", "health"]
    departments = departments[index % 3 :] + departments[: index % 3]
    actors: dict[tuple[str, str], pf.Actor] = {}
    while True:
        job = jobs.get()
        if job is None:
            break
        count, items = job
        counts: Counter[str] = Counter()

        def once(
            act: Callable[..., object], actor: pf.Actor, nid: str, counts: Counter[str] = counts
        ) -> None:
            counts["attempts"] += 1
            try:
                act(actor, nid)
            except pf.ConflictError:
                counts["conflicts"] += 1
                raise

        barriers[count].wait()
        t0 = time.monotonic()
        for nid, district in items:
            for department, act in [(d, run.stamp) for d in departments] + [("industry", run.recommend)]:
                actor = actors.get((district, department))
                if actor is None:
                    actor = actors[district, department] = pf.Actor(district, department, f"worker-{index}")
                try:
                    pf.retry_on_conflict(lambda a=act, x=actor, n=nid: once(a, x, n), attempts=RETRIES)
                    counts["ok"] += 1
                except pf.ConflictError:
                    counts["gave_up"] += 1
                except pf.ActionRefused:
                    counts["refused"] += 1
        results.put((index, t0, time.monotonic(), dict(counts)))
    store.close()


@dataclass
class Contention:
    workers: int
    actions: int
    seconds: float
    counts: Counter[str]


def spread_items(private: list[tuple[str, str]], hot: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The private items with the hot ones evenly spaced among them (the same places for all)."""
    total = len(private) + len(hot)
    places = {int((h + 0.5) * total / len(hot)) for h in range(len(hot))} if hot else set()
    hot_iter, private_iter = iter(hot), iter(private)
    return [next(hot_iter) if j in places else next(private_iter) for j in range(total)]


def contention(
    url: str, campaign: pf.Campaign, numbers: Numbers, args: argparse.Namespace
) -> list[Contention]:
    with postgres_target(url) as target:
        store = target.open_store()
        run = new_run(campaign, store)
        assert target.schema is not None
        districts = [d for ds in shandong_districts(run).values() for d in ds]
        hot_n = round(args.per_worker * args.overlap)
        counts = [w for w in WORKER_COUNTS if w <= args.max_workers]
        ctx = multiprocessing.get_context("spawn")
        jobs = [ctx.Queue() for _ in range(max(counts))]
        results = ctx.Queue()
        barriers = {w: ctx.Barrier(w + 1) for w in counts}
        procs = [
            ctx.Process(target=worker, args=(i, url, target.schema, jobs[i], results, barriers))
            for i in range(max(counts))
        ]
        for p in procs:
            p.start()

        def filed(n: int) -> list[tuple[str, str]]:
            """``n`` nominations, each at another district (no quota row shared by many)."""
            items = []
            for _ in range(n):
                district = districts[numbers.next % len(districts)]
                (nid,) = file_nominations(run, numbers, district, "enterprise", 1)
                items.append((nid, district))
            return items

        out = []
        try:
            for w in counts:
                hot = filed(hot_n)
                for i in range(w):
                    jobs[i].put((w, spread_items(filed(args.per_worker - hot_n), hot)))
                barriers[w].wait(timeout=300)
                got = [results.get(timeout=600) for _ in range(w)]
                total: Counter[str] = Counter()
                for _, _, _, c in got:
                    total.update(c)
                seconds = max(g[2] for g in got) - min(g[1] for g in got)
                out.append(Contention(w, total["ok"], seconds, total))
                print(f"  PostgreSQL, {w} worker(s): {total['ok']:,} actions in {seconds:.1f} s", flush=True)
        finally:
            for q in jobs:
                q.put(None)
            for p in procs:
                p.join(timeout=60)
                if p.is_alive():
                    p.terminate()
            store.close()
        return out


# -- the report -------------------------------------------------------------------------


def report(results: Sequence[Results]) -> None:
    print("\nactions per second: median over rounds; ratios: median of per-round ratios (same run)")
    header = (
        f"{'engine':<11} {'mode':<27} {'rounds':>6} {'pilotflow/s':>11} {'floor/s':>9} {'floor+/s':>9} "
        f"{'pf/floor':>8} {'pf/floor+':>9}  target (pf/floor >= {TARGET:.0%})"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        rows = [
            ("single stamp", r.single, "+read"),
            (f"bulk select@district ({r.bulk_district.actions[0]})", r.bulk_district, "+seats"),
            (f"bulk select@city ({r.bulk_city.actions[0]})", r.bulk_city, "+seats"),
        ]
        for mode, s, extra in rows:
            ratio = s.ratio(s.floor)
            print(
                f"{r.engine:<11} {mode:<27} {len(s.pf):>6} {s.rate(s.pf):>11,.0f} {s.rate(s.floor):>9,.0f} "
                f"{s.rate(s.floor_x):>9,.0f} {ratio:>8.2f} {s.ratio(s.floor_x):>9.2f}  "
                f"{'met' if ratio >= TARGET else 'MISSED'} (floor+ = floor{extra})"
            )
    for r in results:
        print(
            f"{r.engine}: nominate (one insert transaction each; setup, no floor) {r.nominate_per_s:,.0f}/s"
        )


def report_contention(rows: Sequence[Contention], args: argparse.Namespace) -> None:
    print(
        f"\nPostgreSQL, concurrent workers ({args.per_worker} nominations x 4 actions each, "
        f"{round(args.per_worker * args.overlap)} of them shared by all workers)"
    )
    header = (
        f"{'workers':>7} {'actions/s':>10} {'accepted':>9} {'attempts':>9} {'conflicts':>9} "
        f"{'conflict rate':>13} {'refused':>8} {'gave up':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        c = r.counts
        rate = c["conflicts"] / c["attempts"] if c["attempts"] else 0.0
        print(
            f"{r.workers:>7} {r.actions / r.seconds:>10,.0f} {c['ok']:>9,} {c['attempts']:>9,} "
            f"{c['conflicts']:>9,} {rate:>13.1%} {c['refused']:>8,} {c['gave_up']:>8,}"
        )


def facts(pg_url: str | None) -> None:
    versions = [f"pilotflow {metadata.version('pilotflow')}", f"SQLAlchemy {sa.__version__}"]
    with suppress(metadata.PackageNotFoundError):
        versions.append(f"psycopg {metadata.version('psycopg')}")
    print(
        ", ".join(versions) + f", SQLite {sqlite3.sqlite_version}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    if pg_url:
        engine = sa.create_engine(sa_postgres_url(pg_url))
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar()
            sync = conn.execute(sa.text("SHOW synchronous_commit")).scalar()
            fsync = conn.execute(sa.text("SHOW fsync")).scalar()
        engine.dispose()
        print(f"PostgreSQL {version} (synchronous_commit={sync}, fsync={fsync})")
    print(f"command: {' '.join([os.path.relpath(sys.executable), *sys.argv])}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (< 60 s)")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--skip-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--pg-url", default=os.environ.get(PG_ENV, PG_DEFAULT), help="PostgreSQL URL")
    parser.add_argument("--groups", type=int, help="bulk selections per level (default 12; quick 4)")
    parser.add_argument("--bulk", type=int, help="nominations per selection (default 100; quick 25)")
    parser.add_argument("--chunk", type=int, help="single stamps per round (default 100; quick 50)")
    parser.add_argument("--per-worker", type=int, help="nominations per worker (default 150; quick 15)")
    parser.add_argument("--overlap", type=float, default=0.2, help="share of hot nominations (0.2)")
    parser.add_argument("--max-workers", type=int, default=8, help="largest worker count (8)")
    parser.add_argument("--profile", action="store_true", help="cProfile pilotflow's stamps and a select")
    parser.add_argument("--profile-top", type=int, default=25, help="rows per profile table")
    args = parser.parse_args(argv)
    args.groups = args.groups or (4 if args.quick else 12)
    args.bulk = args.bulk or (25 if args.quick else 100)
    args.chunk = args.chunk or (50 if args.quick else 100)
    args.per_worker = args.per_worker or (15 if args.quick else 150)
    args.warm = min(args.bulk, 10)
    if not 0 <= args.overlap < 1 or args.groups < 1 or args.bulk < 1 or args.chunk < 1:
        parser.error("--overlap must be in [0, 1); --groups, --bulk, --chunk at least 1")

    pg_url = None if args.skip_postgres else args.pg_url
    facts(pg_url)
    t_start = time.perf_counter()
    campaign = lifted_campaign("bench_sql")
    numbers = Numbers()
    results = []
    if not args.skip_sqlite:
        with sqlite_target() as target:
            results.append(measure(target, campaign, numbers, args))
    if pg_url:
        with postgres_target(pg_url) as target:
            results.append(measure(target, campaign, numbers, args))
    rows = contention(pg_url, campaign, numbers, args) if pg_url else []
    report(results)
    if rows:
        report_contention(rows, args)
    print(
        "\nfloor: raw driver, per action one transaction of UPDATE row + INSERT event (bulk: all in one); "
        "floor+read: also SELECT the row first, as pilotflow must; floor+seats: also the two conditional "
        "quota UPDATEs a recommendation takes. pilotflow additionally reads the nomination (and, for a "
        "recommendation under a quota rule, the quota counter) before it writes."
    )
    print(f"wall time {time.perf_counter() - t_start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
