"""The stored audit log on SQLite: bytes per event (by table and index) and decoding speed.

    .venv/bin/python benchmarks/bench_log.py                    # 2,000 nominations (about a minute)
    .venv/bin/python benchmarks/bench_log.py --nominations 10000
    .venv/bin/python benchmarks/bench_log.py --quick            # a smoke run (a few seconds)
    .venv/bin/python benchmarks/bench_log.py --file log.db      # measure an existing store file

A SQLite store is filled as the field does it, on the wall clock (every action its own moment):
nominations filed at Shandong districts with every material, then carried district → city →
province in recommendation letters (推荐函): each letter prepared, its materials attached where
the hop asks for them, stamped by the three departments, sent. Then:

1. **Bytes per event**: the file's pages by table and index (SQLite's ``dbstat``), divided by
   the number of audit events.
2. **Decoding**: every event row read with the raw driver, then decoded into ``Event`` values by
   ``pilotflow.store.codec.decode_event_row``; the floor is ``json.loads`` of the same rows'
   JSON texts (what any decoder of these rows must at least do, done once per row). Printed as
   events per second and as a ratio of the floor's time to pilotflow's (1.0: as fast as the
   floor); then ``store.events()`` whole (the query and the decoding). Nothing here asserts a
   time.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa
import sqlalchemy.dialects.sqlite

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import sample_materials
from pilotflow.store.codec import decode_event_row
from pilotflow.store.sql import make_metadata
from pilotflow.store.sql.schema import event_select

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ALL_MATERIALS, CAMPAIGN_ID, TZ, districts_under, lifted_campaign

PROVINCE = "370000"  # Shandong


def shandong_districts(run: pf.CampaignRun) -> dict[str, list[str]]:
    """City -> its districts, for every Shandong district routed district → city → province."""
    return districts_under(run, PROVINCE)


class RunningClock:
    """The wall clock's pace from 2023-10-17 09:00 Beijing time (the bundled campaign's
    deadlines): every action its own moment, as in the field."""

    def __init__(self) -> None:
        self.start = pendulum.datetime(2023, 10, 17, 9, tz=TZ)
        self.t0 = time.perf_counter()

    def now(self) -> datetime:
        return self.start.add(microseconds=int((time.perf_counter() - self.t0) * 1_000_000))


def letter(run: pf.CampaignRun, sender: str, receiver: str, units: Sequence[str]) -> None:
    """One letter: prepared, its materials attached, stamped by three departments, sent."""
    clerk = pf.Actor(sender, "industry", "industry-clerk")
    sid = run.prepare_submission(clerk, units).id
    for req in run.letter_materials(sender, receiver):
        run.attach_to_submission(clerk, sid, pf.Material(req.kind, copies=req.copies))
    for department in ("industry", "civil_affairs", "health"):
        run.stamp_submission(pf.Actor(sender, department, f"{department}-clerk"), sid)
    run.send(clerk, sid)


def fill(path: Path, nominations: int, per_letter: int = 20) -> int:
    """A store file with ``nominations`` carried to the province, ``per_letter`` units in a
    district's letter (a city's letter carries all its units of a type, or ``per_letter`` when
    1: every unit in its own letter); the number of events."""
    campaign = lifted_campaign("bench_log")
    store = pf.open_store(f"sqlite:///{path}")
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=RunningClock(),
                         documents=False)  # fmt: skip
    paper = {k for k, v in campaign.materials.items() if v.paper}
    files = sample_materials(campaign, tempfile.mkdtemp(prefix="bench-log-files-"),
                             [k for k, _ in ALL_MATERIALS if k not in paper])  # fmt: skip
    by_kind = {m.kind: m for m in files}
    materials = [pf.Material(k, copies=c) if k in paper else by_kind[k] for k, c in ALL_MATERIALS]
    scenario = next(iter(campaign.scenarios))
    cities = shandong_districts(run)
    unit_types = sorted(campaign.unit_types)
    groups: dict[tuple[str, str, str], list[str]] = {}
    for i in range(nominations):
        city = sorted(cities)[i % len(cities)]
        district = cities[city][(i // len(cities)) % len(cities[city])]
        unit_type = unit_types[(i // 7) % len(unit_types)]
        code = make_code("91" + district[:6], f"MB{i:06d}")
        n = run.nominate(
            pf.Actor.applicant(code, "applicant"), unit_code=code, unit_name=f"日志基准单位{i}",
            unit_type=unit_type, scenario=scenario, origin=district, materials=materials,
        )  # fmt: skip
        groups.setdefault((city, district, unit_type), []).append(n.id)
    for (city, district, _), ids in groups.items():
        for k in range(0, len(ids), per_letter):
            letter(run, district, city, ids[k : k + per_letter])
    by_city: dict[tuple[str, str], list[str]] = {}
    for (city, _, unit_type), ids in groups.items():
        by_city.setdefault((city, unit_type), []).extend(ids)
    for (city, _), ids in by_city.items():
        for k in range(0, len(ids), 1 if per_letter == 1 else len(ids)):
            letter(run, city, PROVINCE, ids[k : k + (1 if per_letter == 1 else len(ids))])
    count = len(store.events(campaign.id))
    store.close()
    return count


def breakdown(path: Path) -> tuple[int, list[tuple[str, int]]]:
    """(events, [(table or index, bytes)]) of a store file, largest first."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        events = conn.execute("SELECT count(*) FROM pf_events").fetchone()[0]
        rows = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
    finally:
        conn.close()
    return events, [(str(n), int(b)) for n, b in rows]


def event_rows(path: Path) -> list[Any]:
    """Every event row of the campaign as the store reads it (the raw driver, the store's query)."""
    compiled = event_select(make_metadata(), "pf_", False).compile(dialect=sa.dialects.sqlite.dialect())
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(compiled.string, (CAMPAIGN_ID,)).fetchall()
    finally:
        conn.close()
    if not rows:
        sys.exit(f"bench_log: no event of {CAMPAIGN_ID} in {path}")
    return rows


def decode_speed(rows: list[Any], rounds: int) -> tuple[float, float]:
    """(events decoded per second, floor time / pilotflow time): medians over ``rounds``."""
    ratios, rates = [], []
    loads = json.loads
    for _ in range(rounds):
        t0 = time.perf_counter()
        for r in rows:  # its actor, shape and data texts, each parsed
            loads(r[3])
            loads(r[6])
            loads(r[8])
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        decoded = [decode_event_row(r) for r in rows]
        ours = time.perf_counter() - t0
        del decoded
        rates.append(len(rows) / ours)
        ratios.append(floor / ours)
    return statistics.median(rates), statistics.median(ratios)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--file", type=Path, help="measure this store file (filled if it does not exist)")
    parser.add_argument(
        "--per-letter",
        type=int,
        default=20,
        help="units in a district's letter (1: every unit in its own letter at each level)",
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 100 nominations, 1 round")
    args = parser.parse_args(argv)
    if args.quick:
        args.nominations, args.rounds = 100, 1
    print(f"load average {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="bench-log-") as tmp:
        path = args.file or Path(tmp) / "log.db"
        if not path.exists():
            t0 = time.perf_counter()
            fill(path, args.nominations, args.per_letter)
            print(f"filled {args.nominations:,} nominations in {time.perf_counter() - t0:.1f} s")
        events, parts = breakdown(path)
        total = sum(b for _, b in parts)
        print(f"\n{events:,} events, {total / 2**20:.1f} MiB: {total / events:,.0f} bytes per event")
        for name, size in parts:
            print(f"  {name:<32} {size / events:8,.1f} B/event")
        rows = event_rows(path)
        rate, ratio = decode_speed(rows, args.rounds)
        print(f"\ndecode: {rate:,.0f} events/s; json.loads floor / pilotflow = {ratio:.2f}")
        store = pf.open_store(f"sqlite:///{path}", read_only=True)
        try:
            t0 = time.perf_counter()
            read = len(store.events(CAMPAIGN_ID))
            seconds = time.perf_counter() - t0
            print(f"store.events(): {read:,} events in {seconds:.2f} s (the query and the decoding)")
        finally:
            store.close()
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
