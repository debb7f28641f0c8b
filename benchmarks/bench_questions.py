"""The questions an analyst asks of a national log, on a SQLite file: time and resident memory.

    .venv/bin/python benchmarks/bench_questions.py                    # 100,000 nominations
    .venv/bin/python benchmarks/bench_questions.py --quick            # 2,000: a smoke run
    .venv/bin/python benchmarks/bench_questions.py --before /work/main/src   # and the same
                                                       # questions with another pilotflow's code

**The log.** ``--n`` nominations climb district → city → province → ministry in the letter
flow of ``bench_core.py`` (its ``Setup`` and ``drive``: the bundled campaign with its quota
limits lifted, district letters of 10 units, a city's and a province's one letter per round),
dated by a clock one microsecond later at every reading (a distinct moment per action, as a
wall clock gives), after ``--winners`` earlier winners (1,000) were registered for re-review
across the districts. It runs on a ``MemoryStore`` (fast), then its rows are copied into a
fresh SQLite file with the SQL store's own encoders (``nomination_row``, ``submission_row``,
``event_values``): the file a ``SQLStore`` would have written (about 4.8 audit events a
nomination). A second file holds ``--n`` nominations just filed (every one live, in review at
its district) and the winners, for the sweep. Both are kept in ``--dir`` and reused when they
are there for the same ``--n`` (``--rebuild`` builds them again).

**The questions**, each in a fresh process (so that its peak resident memory is its own:
``VmHWM``, which includes the interpreter and pilotflow, about 80 MB), through the public
API on ``SQLStore.from_url``: ``replay()``; ``as_of(t)`` at the moment of the event 40% into
the log; ``len(run.events())`` and iterating ``run.events()``; the summary table (附件4) of
Shandong (370000), and of every authority that recommends to the ministry in this log; the
quota table of every authority; ``tick(now)`` when nothing is due, on the second file, as the
first sweep of a process (``tick``: the route plans of its 2,683 routes computed on the way)
and as a later one (``tick_again``).

With ``--before SRC`` every question also runs with the pilotflow found in ``SRC`` (e.g. the
main branch's ``src``: the code before these changes), on the same files, in the same run, so
the ratios compare like with like. The load average is printed with each figure. Nothing
here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
QUESTIONS = ("replay", "as_of", "events_len", "events_iter", "summary_one", "summary_all", "quota", "tick",
             "tick_again")  # fmt: skip
CAMPAIGN = "smart-health-elderly-care-2023"
NOW = (2023, 10, 17, 9)  # the clock of the questions (before every deadline of the campaign)
ONE = "370000"  # Shandong: the summary table of one authority


# -- building the files ------------------------------------------------------------------


class TickingClock:
    """One microsecond later at every reading: a distinct moment per action, as a wall clock
    gives, but the same in every run (``as_of`` then cuts the log at the same place)."""

    def __init__(self, start: datetime) -> None:
        self._start = start.replace(second=0, microsecond=0)
        self._ticks = 0

    def now(self) -> datetime:
        self._ticks += 1
        return self._start + timedelta(microseconds=self._ticks)


def build(n: int, winners: int, folder: Path) -> dict[str, Any]:
    """Build the two SQLite files (and a JSON of facts about them) in ``folder``."""
    import pendulum
    from bench_core import Setup, drive, warm_plans

    import pilotflow as pf
    from pilotflow.codes import make_code

    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    setup = Setup(10)
    clock = TickingClock(setup.clock.now())
    run = setup.new_run(clock)
    warm_plans(run, setup)
    ministry = pf.Actor(run.graph.top.code, "industry", "operator")

    def register(target: pf.CampaignRun) -> None:
        rows = []
        for i in range(winners):
            origin = setup.origins[i * 7919 % len(setup.origins)]
            code = make_code("91" + origin[:6], f"RR{i:06d}")
            rows.append(
                pf.Winner(code, f"往届单位{i}", setup.unit_types[i % len(setup.unit_types)], 2018, origin)
            )
        if rows:
            target.register_winners(ministry, rows)

    register(run)
    chunk = max(10, (n // 20) - (n // 20) % 10)
    drive(run, setup, n, chunk)
    flow = time.perf_counter() - t0
    log = folder / "log.db"
    events, as_of = copy(run, log)
    tops = sorted({setup.routes[setup.origin(i)][-2] for i in range(n)})
    filed = pf.CampaignRun(setup.campaign, store=pf.MemoryStore(), lists=setup.lists, clock=clock)
    register(filed)
    for i in range(n):
        applicant, kw = setup.nomination_input(i)
        filed.nominate(applicant, **kw)
    copy(filed, folder / "filed.db")
    facts = {
        "n": n, "winners": winners, "events": events, "as_of": as_of.isoformat(), "tops": tops,
        "log_mb": log.stat().st_size / 2**20, "build_s": time.perf_counter() - t0, "flow_s": flow,
        "now": pendulum.datetime(*NOW, tz="Asia/Shanghai").isoformat(),
    }  # fmt: skip
    (folder / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    return facts


def copy(run: Any, path: Path) -> tuple[int, Any]:
    """Copy the memory store of ``run`` into a fresh SQLite file, row by row with the SQL
    store's own encoders; the number of events and the moment 40% into the log."""
    from pilotflow.store.codec import EVENT_COLUMNS, event_values
    from pilotflow.store.sql import SQLStore
    from pilotflow.store.sql.columns import nomination_row
    from pilotflow.store.sql.letters import submission_row

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    cid = run.campaign.id
    memory = run.store
    store = SQLStore.from_url(f"sqlite:///{path}")
    tables = store.metadata.tables
    total = memory.count_events(cid)
    middle = None
    with store.engine.begin() as conn:
        conn.execute(tables["pf_nominations"].insert(), [nomination_row(x) for x in memory.nominations(cid)])
        letters = memory.submissions(cid)
        if letters:
            conn.execute(tables["pf_submissions"].insert(), [submission_row(s) for s in letters])
        quota = [{"campaign": cid, "authority": a, "unit_type": t, "used": u}
                 for (a, t), u in memory.quota_usage(cid).items()]  # fmt: skip
        if quota:
            conn.execute(tables["pf_quota"].insert(), quota)
        page: list[dict[str, Any]] = []
        for i, e in enumerate(memory.iter_events(cid)):
            if i == total * 2 // 5:
                middle = e.at
            page.append(dict(zip(EVENT_COLUMNS, event_values(cid, e), strict=True)))
            if len(page) == 20_000:
                conn.execute(tables["pf_events"].insert(), page)
                page = []
        if page:
            conn.execute(tables["pf_events"].insert(), page)
    store.close()
    return total, middle


# -- one question, in a child process ------------------------------------------------------


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (``VmRSS``) or at its peak (``VmHWM``), in MB: of
    this program since it started (``ru_maxrss`` would carry the peak of the process that
    spawned it across ``exec``)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(question: str, folder: Path) -> None:
    """Ask one question of the files in ``folder`` (with whatever pilotflow is importable)
    and print a JSON line: seconds, peak and starting resident memory, what it found."""
    import pendulum

    import pilotflow as pf
    from pilotflow.reports import summary_rows
    from pilotflow.store.sql import SQLStore

    from _common import lifted_campaign

    facts = json.loads((folder / "facts.json").read_text(encoding="utf-8"))
    campaign = lifted_campaign("bench_questions")
    db = folder / ("filed.db" if question.startswith("tick") else "log.db")
    now = pendulum.parse(facts["now"])
    run = pf.CampaignRun(
        campaign, store=SQLStore.from_url(f"sqlite:///{db}"), lists=pf.empty_lists(campaign),
        clock=pf.FixedClock(now),
    )  # fmt: skip
    if question == "tick_again":  # a sweep that ran before in this process (route plans known)
        run.tick(now)
    start_rss = rss_mb()
    t0 = time.perf_counter()
    found: Any
    if question == "replay":
        found = len(run.replay().nominations)
    elif question == "as_of":
        found = len(run.as_of(pendulum.parse(facts["as_of"])).nominations)
    elif question == "events_len":
        found = len(run.events())
    elif question == "events_iter":
        found = sum(1 for _ in run.events())
    elif question == "summary_one":
        found = len(summary_rows(run, ONE))
    elif question == "summary_all":
        found = sum(len(summary_rows(run, a)) for a in facts["tops"])
    elif question == "quota":
        found = len(run.quota_table())
    elif question in ("tick", "tick_again"):
        found = len(run.tick(now))
    else:  # pragma: no cover - checked by argparse
        raise SystemExit(f"unknown question {question}")
    seconds = time.perf_counter() - t0
    peak = rss_mb("VmHWM")
    print(json.dumps({"s": seconds, "peak_mb": peak, "start_mb": start_rss, "found": found}))


def ask(question: str, folder: Path, src: str | None, timeout: float) -> dict[str, Any]:
    """Run :func:`child` in a fresh process (with pilotflow from ``src`` when given)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([src, str(HERE)])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", question, "--dir", str(folder)]
    load = os.getloadavg()[0]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"s": float("inf"), "peak_mb": float("nan"), "found": f"timed out after {timeout:.0f} s",
                "load": load}  # fmt: skip
    if done.returncode != 0:
        return {"s": float("nan"), "peak_mb": float("nan"), "found": done.stderr.strip().splitlines()[-1:],
                "load": load}  # fmt: skip
    out: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    out["load"] = load
    return out


# -- the report ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="nominations (default 100000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 nominations")
    parser.add_argument("--winners", type=int, default=1_000, help="earlier winners registered (1000)")
    parser.add_argument("--dir", type=Path, help="where the files are kept (default: /tmp/pf-questions-N)")
    parser.add_argument("--rebuild", action="store_true", help="build the files even if they are there")
    parser.add_argument("--before", help="also ask with the pilotflow in this src folder (the baseline)")
    parser.add_argument("--only", nargs="*", choices=QUESTIONS, help="ask only these questions")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per question (900)")
    parser.add_argument("--child", choices=QUESTIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.n
    winners = min(args.winners, 100) if args.quick else args.winners
    if not 10 <= n <= 999_999 or not 0 <= winners <= 100_000:
        parser.error("--n must be between 10 and 999999, --winners between 0 and 100000")
    folder = args.dir or Path(f"/tmp/pf-questions-{n}")
    if args.child:
        child(args.child, folder)
        return 0
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}", flush=True)
    facts_file = folder / "facts.json"
    facts = json.loads(facts_file.read_text(encoding="utf-8")) if facts_file.exists() else None
    if args.rebuild or facts is None or (facts["n"], facts["winners"]) != (n, winners):
        print(f"building {n:,} nominations and {winners:,} earlier winners in {folder} ...", flush=True)
        facts = build(n, winners, folder)
        print(f"    built in {facts['build_s']:.0f} s (the flow on the memory store {facts['flow_s']:.0f} s)")
    print(
        f"log: {facts['n']:,} nominations, {facts['winners']:,} earlier winners, {facts['events']:,} audit "
        f"events, {facts['log_mb']:.0f} MB (SQLite); as_of at {facts['as_of']} (40% of the log); "
        f"{len(facts['tops'])} authorities recommend to the ministry; tick on {facts['n']:,} live nominations"
    )
    sides = [("after", None)] + ([("before", args.before)] if args.before else [])
    print(f"\n{'question':<13} {'side':<7} {'seconds':>9} {'peak RSS':>9} {'+RSS':>7} {'load':>5}  found")
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for question in args.only or QUESTIONS:
        for side, src in sides:
            r = results[question, side] = ask(question, folder, src, args.timeout)
            grown = r["peak_mb"] - r.get("start_mb", 0.0)
            print(f"{question:<13} {side:<7} {r['s']:>9.3f} {r['peak_mb']:>7.0f}MB {grown:>5.0f}MB "
                  f"{r['load']:>5.1f}  {r['found']}", flush=True)  # fmt: skip
        if args.before:
            after, before = results[question, "after"], results[question, "before"]
            if after["s"] and after["s"] == after["s"]:
                print(f"{'':<13} before/after: {before['s'] / after['s']:.1f}x time", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
