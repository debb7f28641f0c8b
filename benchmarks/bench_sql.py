"""Actions per second on the SQL stores: pilotflow against a raw-driver floor, in one run.

    .venv/bin/python benchmarks/bench_sql.py                  # SQLite and PostgreSQL (a few minutes)
    .venv/bin/python benchmarks/bench_sql.py --quick          # a smoke run (< 60 s)
    .venv/bin/python benchmarks/bench_sql.py --skip-postgres  # no server at hand
    .venv/bin/python benchmarks/bench_sql.py --profile        # also cProfile pilotflow's actions

PostgreSQL is taken from ``--pg-url``, else ``$PILOTFLOW_TEST_POSTGRES_URL``, else
``postgresql://postgres@127.0.0.1:5432/test``; everything is written to a fresh schema that is
dropped at the end. SQLite is a real file in a temporary folder (WAL, ``synchronous=NORMAL``:
pilotflow's settings, which the floor copies).

Nominations climb district → city → province in recommendation letters (推荐函), as the
field does it: a group (``--bulk`` units of one type filed at one Shandong district) goes up
in district letters of ``--batch`` units, and the city sends the whole group in one letter
(the bundled campaign with every quota limit raised to 10**9, so all go up; the city's quota
rule is still checked). For every letter: ``prepare_submission`` with its units, its materials
attached where the hop asks for them (Weihai's districts, every Shandong city), the three
departments' ``stamp_submission``, ``send``. Each is timed against a floor, the raw driver
(``sqlite3`` / ``psycopg`` 3) doing the same writes, one transaction per action, on a copy of
pilotflow's own tables (same columns, same indexes, the rows copied over, event and letter rows
copied from pilotflow's). Measured, on SQLite and on PostgreSQL (the last on PostgreSQL only):

1. **Single action**: a letter's stamp, one call at a time: the floor does ``UPDATE submissions
   SET stamps=?, updated_at=?, version=version+1 WHERE id=? AND version=?`` and ``INSERT INTO
   events``; on PostgreSQL as one statement in autocommit (``WITH u AS (UPDATE ... RETURNING id)
   INSERT INTO events SELECT ... FROM u``: one round trip, the strongest raw-driver floor), on
   SQLite between ``BEGIN IMMEDIATE`` and ``COMMIT``. pilotflow judges the letter's stored
   state: it reads the row, unless its store kept the state it last committed or read
   (``pilotflow.store.recent``: the store that drafted the letter did), its commit then
   conditional on that version; a second floor, "floor+read", selects the row first (SQLite:
   inside its transaction). Targets: on PostgreSQL pilotflow at least 0.7 of the floor, on
   SQLite at least 0.7 of floor+read.
2. **Bulk**: ``send`` of a district's letter and of a city's letter: every unit moves in one
   transaction. The floor updates the units' rows and inserts their events, each kind of row in
   one ``executemany``, then the letter's row, listing and event; "floor+seats" also takes the
   two quota seats per unit with a conditional ``UPDATE`` each (one ``executemany`` per kind),
   as a writer without pilotflow's per-counter netting would. On PostgreSQL the whole
   transaction, ``BEGIN`` to ``COMMIT``, is one psycopg pipeline: one round trip, as
   pilotflow's own commit of a send (the strongest raw-driver way of doing the same writes).
   Target: on PostgreSQL pilotflow at least 0.8 of floor+seats. Preparing a
   letter and attaching its material are timed the same way, and everything summed gives the
   cost **per nomination** from the district to the province, beside the audit events per
   nomination (before letters: 9).
3. **Concurrency** (PostgreSQL): 1, 2, 4, 8 worker processes (spawn) each attach the letter
   material where asked, stamp (three departments) and recommend their own nominations at the
   district with the per-unit calls (a one-unit letter each), with a share of "hot"
   nominations (``--overlap``) that every worker works on at the same point of its list, so
   that they collide. Actions go through ``pf.retry_on_conflict``; a ``ConflictError`` is
   counted at every attempt. Reported: accepted actions per second (all workers, wall clock
   from a common start) and conflicts per attempt; "refused" counts actions a faster worker
   had already done (an ``ActionRefused`` after the retry).

4. **Binding**: a web host's request, one connection from its engine's pool, ``BEGIN``,
   ``SQLStore(conn, create=False)``, one read, ``COMMIT``, against the same request with the
   same SELECT on the DB-API cursor and no pilotflow; the first store on a new engine (statements
   compiled, schema version checked) is timed apart. Target: binding under 1 ms.

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
from functools import partial
from importlib import metadata
from pathlib import Path
from typing import Any

import pendulum
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.domain.names import RECOMMEND, S_ATTACH, S_PREPARE, S_SEND, S_STAMP
from pilotflow.samples import sample_materials
from pilotflow.store.codec import event_row, moment_values
from pilotflow.store.sql import make_metadata

from _common import ALL_MATERIALS, TZ, districts_under, lifted_campaign

PROVINCE = "370000"  # Shandong: its cities have quota rules (Qingdao reports to the ministry)
PG_ENV = "PILOTFLOW_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
RETRIES = 10
WORKER_COUNTS = (1, 2, 4, 8)
PREPARE, ATTACH, STAMP, SEND = S_PREPARE, S_ATTACH, S_STAMP, S_SEND  # a letter's events
#: Audit events per nomination from filing to the province before letters: nominate, then at
#: the district and the city three stamps and a recommendation.
EVENTS_BEFORE = 1 + 2 * 4


# -- the campaign and the nominations ---------------------------------------------------


def new_run(campaign: pf.Campaign, store: pf.Store) -> pf.CampaignRun:
    clock = pf.FixedClock(pendulum.datetime(2023, 10, 17, 9, tz=TZ))
    # documents=False: generating each letter's summary table and draft is measured apart
    # (bench_core.py's documents pass); here the stores' work is what is measured.
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock, documents=False)


def shandong_districts(run: pf.CampaignRun) -> dict[str, list[str]]:
    """City -> its districts, for every Shandong district routed district → city → province."""
    return districts_under(run, PROVINCE)


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


def event_types(schema: str | None) -> dict[str, str]:
    """The PostgreSQL type of each column of pilotflow's events table (the floor's one-statement
    INSERT casts its parameters to them, as pilotflow does)."""
    from sqlalchemy.dialects import postgresql

    events = make_metadata("pf_", schema).tables[f"{schema}.pf_events" if schema else "pf_events"]
    return {c.name: c.type.compile(dialect=postgresql.dialect()) for c in events.c}


class Floor:
    """The same row inserts, updates and event inserts as pilotflow, on copies of its tables,
    through the raw driver: no reads unless asked, no guards, no ORM/Core layer, statements
    written once. Its letters are its own rows (ids ``floor-…``)."""

    def __init__(self, target: Target, templates: dict[str, dict[str, Any]], letter: dict[str, Any],
                 at: Any) -> None:  # fmt: skip
        self.conn = target.connect()
        self.cur = self.conn.cursor()
        self.pg = target.pg
        self.at = at
        prefix = f'"{target.schema}".floor_' if target.schema else "floor_"

        def sql(text: str) -> str:
            return text.replace("?", "%s") if self.pg else text

        self.event_columns = [c for c in templates[STAMP] if c != "seq"]
        cols = ", ".join(self.event_columns)
        marks = ", ".join("?" for _ in self.event_columns)
        n = self.nominations = f"{prefix}nominations"
        s = self.letters = f"{prefix}submissions"
        self.letter_columns = list(letter)
        self.letter_template = [letter[c] for c in self.letter_columns]
        self.sql_read_letter = sql(f"SELECT * FROM {s} WHERE id = ?")
        self.sql_new_letter = sql(
            f"INSERT INTO {s} ({', '.join(self.letter_columns)}) VALUES ({', '.join('?' for _ in letter)})"
        )
        self.sql_list = sql(
            f"INSERT INTO {prefix}listed (campaign, nomination_id, submission_id) VALUES (?, ?, ?)"
        )
        self.sql_unlist = sql(f"DELETE FROM {prefix}listed WHERE campaign = ? AND submission_id = ?")
        self.sql_letter = {
            column: sql(
                f"UPDATE {s} SET {column} = ?, updated_at = ?, version = version + 1 "
                "WHERE id = ? AND version = ?"
            )
            for column in ("stamps", "materials")
        }
        self.sql_sent = sql(
            f"UPDATE {s} SET state = 'sent', sent_at = ?, sent_versions = ?, updated_at = ?, "
            "version = version + 1 WHERE id = ? AND version = ?"
        )
        self.sql_move = sql(
            f"UPDATE {n} SET hop = ?, holder = ?, state = ?, examined = ?, seats = ?, updated_at = ?, "
            "version = version + 1 WHERE id = ? AND version = ?"
        )
        self.sql_event = sql(f"INSERT INTO {prefix}events ({cols}) VALUES ({marks})")
        # PostgreSQL's single action in one statement (autocommit): the version-checked UPDATE
        # and the event INSERT in one CTE, the strongest raw-driver floor for it.
        types = event_types(target.schema) if self.pg else {}
        casts = ", ".join(f"CAST(%s AS {types.get(c, '')})" for c in self.event_columns)
        self.sql_letter_one = {
            column: f"WITH u AS ({self.sql_letter[column]} RETURNING id) "
            f"INSERT INTO {prefix}events ({cols}) SELECT {casts} FROM u"
            for column in ("stamps", "materials")
        }
        seat = (
            f"UPDATE {prefix}quota SET used = used + 1 WHERE campaign = ? AND authority = ? AND unit_type = ?"
        )
        self.sql_seat = sql(seat)
        self.sql_seat_capped = sql(seat + " AND used + 1 <= ?")
        self.templates = {k: [v[c] for c in self.event_columns] for k, v in templates.items()}
        self.col = {c: i for i, c in enumerate(self.event_columns)}
        self.lcol = {c: i for i, c in enumerate(self.letter_columns)}
        self.campaign = letter["campaign"]
        self.version: dict[str, int] = {}  # nominations and letters alike
        self.lists: dict[str, list[Any]] = {}  # a letter's stamps or materials, by (column, id)
        self.read_index: dict[str, int] = {}
        self.texts: dict[tuple[Any, ...], str] = {}
        self.count = 0

    def close(self) -> None:
        self.conn.close()

    def load(self) -> None:
        """Versions of the copied rows (what an application would have in hand)."""
        self.cur.execute(f"SELECT id, version FROM {self.nominations}")
        for nid, version in self.cur.fetchall():
            self.version[nid] = version
        self.cur.execute(self.sql_read_letter, ("-",))
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
        """The event row of ``kind`` for ``nid``, with the actor's authority and department, the
        holders and the data given (schema 4: the actor and the shape are JSON texts, made once
        per distinct value, as pilotflow makes them once per shared object)."""
        row = self.templates[kind][:]
        row[self.col["nomination_id"]] = nid
        row[self.col["version"]] = version
        actor = {k[6:]: values.pop(k) for k in ("actor_authority", "actor_department") if k in values}
        shape = {k: values.pop(k) for k in ("from_holder", "to_holder") if k in values}
        for column, changes in (("actor", actor), ("shape", shape)):
            if changes:
                key = (kind, column, *sorted(changes.items()))
                text = self.texts.get(key)
                if text is None:
                    merged = {**json.loads(row[self.col[column]]), **changes}
                    text = self.texts[key] = json.dumps(merged, ensure_ascii=False, separators=(",", ":"),
                                                        sort_keys=True)  # fmt: skip
                row[self.col[column]] = text
        for k, v in values.items():
            row[self.col[k]] = v
        return row

    def prepare(self, sender: str, receiver: str, ids: Sequence[str]) -> str:
        """One transaction: the letter's row, its units listed, its event."""
        self.count += 1
        lid = f"floor-{self.count:08d}"
        row = self.letter_template[:]
        units = json.dumps(list(ids))
        for column, value in (("id", lid), ("sender", sender), ("receiver", receiver), ("state", "draft"),
                              ("units", units), ("stamps", "[]"), ("materials", "[]"), ("version", 1),
                              ("created_at", self.at), ("updated_at", self.at), ("sent_at", None),
                              ("sent_versions", "[]"), ("documents", "[]")):  # fmt: skip
            row[self.lcol[column]] = value
        self.begin()
        self.cur.execute(self.sql_new_letter, row)
        self.cur.executemany(self.sql_list, [(self.campaign, nid, lid) for nid in ids])
        data = json.dumps(
            {"campaign": self.campaign, "sender": sender, "receiver": receiver, "units": list(ids)}
        )
        self.cur.execute(self.sql_event, self._event(
            PREPARE, lid, 1, actor_authority=sender, from_holder=None, to_holder=sender, data=data,
        ))  # fmt: skip
        self.finish()
        self.version[lid] = 1
        self.lists["stamps", lid], self.lists["materials", lid] = [], []
        return lid

    def letter(self, kind: str, tasks: Sequence[tuple[str, str, str, Any]], *, read: bool = False) -> None:
        """One transaction per (letter, authority, department, value): a stamp (``kind`` STAMP)
        or a letter material (ATTACH) added to the letter's row, and its event. On PostgreSQL
        the write is one statement in autocommit (UPDATE and INSERT in one CTE: one round trip);
        on SQLite ``BEGIN IMMEDIATE``, UPDATE, INSERT, ``COMMIT``. ``read``: the letter's row is
        selected first (on SQLite inside the transaction; on PostgreSQL in autocommit)."""
        cur, at, pg = self.cur, self.at, self.pg
        column = "stamps" if kind == STAMP else "materials"
        if pg:
            self.conn.autocommit = True
        try:
            for lid, authority, department, value in tasks:
                if not pg:
                    cur.execute("BEGIN IMMEDIATE")
                if read:
                    cur.execute(self.sql_read_letter, (lid,))
                    row = cur.fetchone()
                    version = row[self.read_index["version"]]
                    values = json.loads(row[self.read_index[column]])
                else:
                    version, values = self.version[lid], self.lists[column, lid]
                values.append(value)
                data = {"department": department} if kind == STAMP else {"material": value}
                event = self._event(kind, lid, version + 1, actor_authority=authority,
                                    actor_department=department, from_holder=authority, to_holder=authority,
                                    data=json.dumps(data))  # fmt: skip
                if pg:
                    cur.execute(self.sql_letter_one[column], (json.dumps(values), at, lid, version, *event))
                else:
                    cur.execute(self.sql_letter[column], (json.dumps(values), at, lid, version))
                    if cur.rowcount == 1:
                        cur.execute(self.sql_event, event)
                if cur.rowcount != 1:
                    sys.exit(f"bench_sql: floor {kind} of {lid} found another version")
                if not pg:
                    cur.execute("COMMIT")
                self.version[lid], self.lists[column, lid] = version + 1, values
        finally:
            if pg:
                self.conn.autocommit = False

    def send(
        self, lid: str, ids: Sequence[str], frm: str, to: str, hop: int, seats: Sequence[str],
        counters: Sequence[tuple[str, int | None]], *, take_seats: bool,
    ) -> None:  # fmt: skip
        """One transaction: every unit of the letter moves from ``frm`` to ``to`` (its row, its
        event, with ``take_seats`` its two quota seats), then the letter's row, listing, event.
        Each kind of row goes in one ``executemany``; on PostgreSQL the whole transaction,
        ``BEGIN`` to ``COMMIT``, is one psycopg pipeline: one round trip (the rows written are
        counted when it is back)."""
        if self.pg:
            self._send_pipelined(lid, ids, frm, to, hop, seats, counters, take_seats=take_seats)
            return
        cur, at = self.cur, self.at
        versions, moves, events = self._unit_rows(lid, ids, frm, to, hop, seats)
        self.begin()
        cur.executemany(self.sql_move, moves)
        if cur.rowcount != len(ids):
            sys.exit(f"bench_sql: floor recommendation of {lid} found another version")
        cur.executemany(self.sql_event, events)
        if take_seats:
            plain = [(self.campaign, frm, c) for c, limit in counters if limit is None] * len(ids)
            capped = [(self.campaign, frm, c, limit) for c, limit in counters if limit is not None] * len(ids)
            for text, rows in ((self.sql_seat, plain), (self.sql_seat_capped, capped)):
                if rows:
                    cur.executemany(text, rows)
                    if cur.rowcount != len(rows):
                        sys.exit("bench_sql: floor quota seat not taken")
        version = self.version[lid]
        cur.execute(self.sql_sent, (at, json.dumps(versions), at, lid, version))
        if cur.rowcount != 1:
            sys.exit(f"bench_sql: floor send of {lid} found another version")
        cur.execute(self.sql_unlist, (self.campaign, lid))
        cur.execute(self.sql_event, self._event(
            SEND, lid, version + 1, actor_authority=frm, from_holder=frm, to_holder=to,
            data=json.dumps({"versions": versions}),
        ))  # fmt: skip
        self.finish()
        for nid, v in zip(ids, versions, strict=True):
            self.version[nid] = v
        self.version[lid] = version + 1

    def _unit_rows(
        self, lid: str, ids: Sequence[str], frm: str, to: str, hop: int, seats: Sequence[str]
    ) -> tuple[list[int], list[tuple[Any, ...]], list[Any]]:
        """A send's units: their new versions, their rows' moves and their events."""
        at, seats_json = self.at, json.dumps(list(seats))
        versions = [self.version[nid] + 1 for nid in ids]
        moves = [
            (hop, to, "in_review", "[]", seats_json, at, nid, v - 1)
            for nid, v in zip(ids, versions, strict=True)
        ]
        events = [
            self._event(RECOMMEND, nid, v, actor_authority=frm, from_holder=frm, to_holder=to,
                        data=json.dumps({"submission": lid, "rank": rank}))
            for rank, (nid, v) in enumerate(zip(ids, versions, strict=True), 1)
        ]  # fmt: skip
        return versions, moves, events

    def _send_pipelined(
        self, lid: str, ids: Sequence[str], frm: str, to: str, hop: int, seats: Sequence[str],
        counters: Sequence[tuple[str, int | None]], *, take_seats: bool,
    ) -> None:  # fmt: skip
        """:meth:`send` on PostgreSQL: autocommit, and ``BEGIN``, the statements and ``COMMIT``
        in one pipeline (one Sync, one round trip); each statement on its own cursor, whose
        rows written are checked once the pipeline is back."""
        conn, at = self.conn, self.at
        versions, moves, events = self._unit_rows(lid, ids, frm, to, hop, seats)
        version = self.version[lid]
        expected: list[tuple[Any, int]] = []
        conn.autocommit = True
        try:
            with conn.pipeline():
                conn.execute("BEGIN")
                cur = conn.cursor()
                cur.executemany(self.sql_move, moves)
                expected.append((cur, len(ids)))
                conn.cursor().executemany(self.sql_event, events)
                if take_seats:
                    plain = [(self.campaign, frm, c) for c, limit in counters if limit is None] * len(ids)
                    capped = [(self.campaign, frm, c, limit) for c, limit in counters if limit is not None
                              ] * len(ids)  # fmt: skip
                    for text, rows in ((self.sql_seat, plain), (self.sql_seat_capped, capped)):
                        if rows:
                            cur = conn.cursor()
                            cur.executemany(text, rows)
                            expected.append((cur, len(rows)))
                cur = conn.cursor()
                cur.execute(self.sql_sent, (at, json.dumps(versions), at, lid, version))
                expected.append((cur, 1))
                conn.cursor().execute(self.sql_unlist, (self.campaign, lid))
                conn.cursor().execute(self.sql_event, self._event(
                    SEND, lid, version + 1, actor_authority=frm, from_holder=frm, to_holder=to,
                    data=json.dumps({"versions": versions}),
                ))  # fmt: skip
                conn.execute("COMMIT")
        finally:
            conn.autocommit = False
        if any(cur.rowcount != n for cur, n in expected):
            sys.exit(f"bench_sql: floor send of {lid} found another version or a seat not taken")
        for nid, v in zip(ids, versions, strict=True):
            self.version[nid] = v
        self.version[lid] = version + 1


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
            # The events as pilotflow writes them (schema 4 on SQLite: the texts, which the
            # floor's own trigger stores in its own texts table).
            campaign = quota_keys[0][0]
            store = target.open_store()
            try:
                events = [event_row(campaign, e) for e in store.events(campaign)]
            finally:
                store.close()
            if events:
                floor_events = sa.table(
                    "floor_events", *(sa.column(c) for c in events[0]), schema=target.schema
                )
                dst.execute(sa.insert(floor_events), events)
            for name in ("nominations", "quota"):
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


def templates_of(store: pf.Store, target: Target) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """One real pilotflow event row per action the floor writes (as pilotflow writes it), and
    one letter row."""
    key = f"{target.schema}." if target.schema else ""
    letters = make_metadata("pf_", target.schema).tables[f"{key}pf_submissions"]
    engine: sa.Engine = store.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        letter = conn.execute(sa.select(letters).limit(1)).mappings().first()
    if letter is None:
        sys.exit("bench_sql: no letter to copy")
    out: dict[str, dict[str, Any]] = {}
    for e in store.events(letter["campaign"]):
        if e.action in (PREPARE, ATTACH, STAMP, SEND, RECOMMEND) and e.action not in out:
            out[e.action] = event_row(letter["campaign"], e)
    for action in (PREPARE, ATTACH, STAMP, SEND, RECOMMEND):
        if action not in out:
            sys.exit(f"bench_sql: no {action} event to copy")
    return out, dict(letter)


# -- timing -----------------------------------------------------------------------------


@dataclass
class Series:
    """Seconds per round for pilotflow and the two floors, and actions (or units) per round."""

    label: str
    actions: list[int] = field(default_factory=list)
    pf: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_x: list[float] = field(default_factory=list)

    def rate(self, seconds: list[float]) -> float:
        return statistics.median(a / s for a, s in zip(self.actions, seconds, strict=True))

    def ratio(self, floor: list[float]) -> float:
        return statistics.median(f / p for p, f in zip(self.pf, floor, strict=True))

    def add(self, actions: int, times: Sequence[float]) -> None:
        self.actions.append(actions)
        self.pf.append(times[0])
        self.floor.append(times[1])
        self.floor_x.append(times[2] if len(times) > 2 else times[1])


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


@dataclass
class Letters:
    """One level's letters, pilotflow's and the floor's, with what sending them needs."""

    level: str
    sender: list[str] = field(default_factory=list)
    receiver: list[str] = field(default_factory=list)
    units: list[tuple[str, ...]] = field(default_factory=list)
    group: list[Group] = field(default_factory=list)
    pf: list[str] = field(default_factory=list)
    floor: list[str] = field(default_factory=list)


class Bench:
    """pilotflow and the floor on one target."""

    def __init__(self, target: Target, campaign: pf.Campaign, numbers: Numbers, batch: int) -> None:
        self.target = target
        self.store = target.open_store()
        self.run = new_run(campaign, self.store)
        self.numbers = numbers
        self.batch = batch
        self.actors: dict[tuple[str, str], pf.Actor] = {}
        self.floor: Floor | None = None
        self.nominate_rate = 0.0

    def actor(self, authority: str, department: str = "industry") -> pf.Actor:
        key = (authority, department)
        if key not in self.actors:
            self.actors[key] = pf.Actor(authority, department, f"{department}-clerk")
        return self.actors[key]

    def letters(self, groups: Sequence[Group], level: str) -> Letters:
        """A district's letters carry a group in batches; a city's letter the whole group."""
        out = Letters(level)
        for g in groups:
            size = self.batch if level == "district" else len(g.ids)
            for k in range(0, len(g.ids), size):
                out.sender.append(g.district if level == "district" else g.city)
                out.receiver.append(g.city if level == "district" else PROVINCE)
                out.units.append(g.ids[k : k + size])
                out.group.append(g)
        return out

    def letter_materials(self, sender: str, receiver: str) -> list[tuple[str, int]]:
        return [(r.kind, r.copies) for r in self.run.letter_materials(sender, receiver)]

    # pilotflow's side

    def pf_prepare(self, letters: Letters, i: int) -> None:
        letters.pf.append(self.run.prepare_submission(self.actor(letters.sender[i]), letters.units[i]).id)

    def pf_attach(self, letters: Letters, i: int) -> None:
        sender = letters.sender[i]
        for kind, copies in self.letter_materials(sender, letters.receiver[i]):
            self.run.attach_to_submission(self.actor(sender), letters.pf[i], pf.Material(kind, copies=copies))

    def pf_stamps(self, tasks: Sequence[tuple[str, str, str, str]]) -> None:
        stamp, actor = self.run.stamp_submission, self.actor
        for sid, _, authority, department in tasks:
            stamp(actor(authority, department), sid)

    def pf_send(self, letters: Letters, i: int) -> None:
        sent = self.run.send(self.actor(letters.sender[i]), letters.pf[i])
        if len(sent.units) != len(letters.units[i]):
            sys.exit(f"bench_sql: the letter of {letters.sender[i]} sent {len(sent.units)} units")

    # the floor's side

    def floor_prepare(self, letters: Letters, i: int) -> None:
        assert self.floor is not None
        letters.floor.append(self.floor.prepare(letters.sender[i], letters.receiver[i], letters.units[i]))

    def floor_attach(self, letters: Letters, i: int) -> None:
        assert self.floor is not None
        sender = letters.sender[i]
        tasks = [(letters.floor[i], sender, "industry", {"kind": kind, "copies": copies, "paper": True})
                 for kind, copies in self.letter_materials(sender, letters.receiver[i])]  # fmt: skip
        self.floor.letter(ATTACH, tasks)

    def counters(self, group: Group, level: str) -> list[tuple[str, int | None]]:
        """The quota counters a recommendation of the group moves, with their caps."""
        authority = group.district if level == "district" else group.city
        rule = self.run.campaign.quota_rule(self.run.graph[authority])
        if rule is None:
            return [(group.unit_type, None), ("*", None)]
        return [(group.unit_type, rule.limits.get(group.unit_type)), ("*", rule.total)]

    def floor_send(self, letters: Letters, i: int, *, take_seats: bool) -> None:
        assert self.floor is not None
        g = letters.group[i]
        if letters.level == "district":
            frm, to, hop, seats = g.district, g.city, 1, [g.district]
        else:
            frm, to, hop, seats = g.city, PROVINCE, 2, [g.district, g.city]
        counters = self.counters(g, letters.level)
        self.floor.send(letters.floor[i], letters.units[i], frm, to, hop, seats, counters,
                        take_seats=take_seats)  # fmt: skip

    @staticmethod
    def stamp_tasks(letters: Letters) -> list[tuple[str, str, str, str]]:
        """(pilotflow's letter, the floor's, authority, department): each department in turn."""
        return [
            (sid, fid, sender, department)
            for department in ("industry", "civil_affairs", "health")
            for sid, fid, sender in zip(letters.pf, letters.floor, letters.sender, strict=True)
        ]

    def prepare(self, groups: int, size: int, warm: int) -> list[Group]:
        """File the nominations; drive a warm-up group through both levels with pilotflow; copy
        the tables for the floor and warm it up on the same group."""
        t0 = time.perf_counter()
        made = make_groups(self.run, self.numbers, groups + 1, size)
        self.nominate_rate = (groups + 1) * size / (time.perf_counter() - t0)
        warm_group = Group(made[-1].district, made[-1].city, made[-1].unit_type, made[-1].ids[:warm])
        warm_letters = []
        for level in ("district", "city"):
            letters = self.letters([warm_group], level)
            for i in range(len(letters.units)):
                self.pf_prepare(letters, i)
                self.pf_attach(letters, i)
            self.pf_stamps(self.stamp_tasks(Letters(level, letters.sender, pf=letters.pf, floor=letters.pf)))
            for i in range(len(letters.units)):
                self.pf_send(letters, i)
            warm_letters.append(letters)
        templates, letter = templates_of(self.store, self.target)
        if ATTACH not in templates:
            sys.exit("bench_sql: no attach_letter event to copy")
        quota_keys = [
            (self.run.campaign.id, authority, counter)
            for g in made
            for authority in (g.district, g.city)
            for counter in (g.unit_type, "*")
        ]
        copy_tables(self.target, quota_keys)
        self.floor = Floor(self.target, templates, letter, moment_values(self.run.clock.now())[0])
        self.floor.load()
        for letters in warm_letters:
            for i in range(len(letters.units)):
                self.floor_prepare(letters, i)
                self.floor_attach(letters, i)
            tasks = self.stamp_tasks(letters)
            self.floor.letter(STAMP, [(fid, a, d, d) for _, fid, a, d in tasks])
            self.floor.letter(STAMP, [(fid, a, d, d) for _, fid, a, d in tasks], read=True)
            for i in range(len(letters.units)):
                for take in (False, True):
                    self.floor_send(letters, i, take_seats=take)
        return made[:-1]

    def level(self, groups: Sequence[Group], level: str, chunk: int, s: dict[str, Series]) -> None:
        """One level: every letter prepared (and its materials attached), stamped one stamp at a
        time, sent; pilotflow and the floor alternating (the order rotates)."""
        assert self.floor is not None
        floor = self.floor
        letters = self.letters(groups, level)
        for i in range(len(letters.units)):
            s["prepare"].add(1, rotate([timer(lambda i=i: self.pf_prepare(letters, i)),
                                        timer(lambda i=i: self.floor_prepare(letters, i))], i))  # fmt: skip
            if self.letter_materials(letters.sender[i], letters.receiver[i]):
                s["attach"].add(1, rotate([timer(lambda i=i: self.pf_attach(letters, i)),
                                           timer(lambda i=i: self.floor_attach(letters, i))], i))  # fmt: skip
        tasks = self.stamp_tasks(letters)
        for k, start in enumerate(range(0, len(tasks), chunk)):
            part = tasks[start : start + chunk]
            floor_part = [(fid, a, d, d) for _, fid, a, d in part]
            # floor+read stamps again what floor stamped: another department's stamp would do as
            # well, the cost is the same; both keep the row's version and stamps consistent.
            times = rotate(
                [
                    timer(lambda part=part: self.pf_stamps(part)),
                    timer(lambda p=floor_part: floor.letter(STAMP, p)),
                    timer(lambda p=floor_part: floor.letter(STAMP, p, read=True)),
                ],
                k,
            )
            s["stamp"].add(len(part), times)
        series = s[f"send@{level}"]
        for i in range(len(letters.units)):
            times = rotate(
                [
                    timer(lambda i=i: self.pf_send(letters, i)),
                    timer(lambda i=i: self.floor_send(letters, i, take_seats=False)),
                    timer(lambda i=i: self.floor_send(letters, i, take_seats=True)),
                ],
                i,
            )
            series.add(len(letters.units[i]), times)

    def close(self) -> None:
        if self.floor is not None:
            self.floor.close()
        self.store.close()


SERIES = ("prepare", "attach", "stamp", "send@district", "send@city")


@dataclass
class Results:
    engine: str
    series: dict[str, Series]
    nominate_per_s: float
    nominations: int
    events: int
    letters: int
    binding: Binding | None = None


@dataclass
class Binding:
    """A host's request bound to pilotflow, against the same request without it (medians, µs)."""

    first: float  # the first store on a new engine: statements compiled, schema checked
    request: float  # connect, begin, SQLStore(conn), one read (quota_used), commit
    floor: float  # connect, begin, the same SELECT on the DB-API cursor, commit
    rounds: int


def measure_binding(target: Target, campaign: str, rounds: int) -> Binding:
    """One web request as a host runs it: a connection from its engine's pool, a transaction,
    ``SQLStore(conn, create=False)`` and one read; against the floor, the same request with
    the same SELECT and no pilotflow. The first store on a new engine is timed apart."""
    if target.pg:
        engine = sa.create_engine(sa_postgres_url(target.url))
    else:
        engine = pf.store.sql.configure_sqlite(sa.create_engine(target.url))
    where = f'"{target.schema}".' if target.schema else ""
    mark = "%s" if target.pg else "?"
    key = " AND ".join(f"{c} = {mark}" for c in ("campaign", "authority", "unit_type"))
    select = f"SELECT used FROM {where}pf_quota WHERE {key}"
    values = (campaign, "-", "-")
    options = {"schema": target.schema} if target.schema else {}
    try:
        with engine.connect() as conn:  # the pool's first connection, opened outside the timing
            conn.exec_driver_sql(select, values).all()
        t0 = time.perf_counter()
        with engine.connect() as conn, conn.begin():
            pf.store.sql.SQLStore(conn, create=False, **options)
        first = time.perf_counter() - t0

        def request() -> None:
            with engine.connect() as conn, conn.begin():
                pf.store.sql.SQLStore(conn, create=False, **options).quota_used(campaign, "-", "-")

        def floor() -> None:  # the same SELECT on the connection's DB-API cursor
            with engine.connect() as conn, conn.begin():
                cur = conn.connection.cursor()
                cur.execute(select, values)
                cur.fetchall()

        times: list[list[float]] = [[], []]
        for k in range(rounds):
            for i, t in enumerate(rotate([timer(request), timer(floor)], k)):
                times[i].append(t)
        return Binding(first * 1e6, statistics.median(times[0]) * 1e6, statistics.median(times[1]) * 1e6,
                       rounds)  # fmt: skip
    finally:
        engine.dispose()


def measure(target: Target, campaign: pf.Campaign, numbers: Numbers, args: argparse.Namespace) -> Results:
    bench = Bench(target, campaign, numbers, args.batch)
    try:
        t0 = time.perf_counter()
        groups = bench.prepare(args.groups, args.bulk, args.warm)
        filed = (args.groups + 1) * args.bulk
        print(f"  {target.name}: filed {filed:,} nominations, warmed up ({time.perf_counter() - t0:.1f} s)",
              flush=True)  # fmt: skip
        series = {name: Series(f"{target.name} {name}") for name in SERIES}
        t0 = time.perf_counter()
        bench.level(groups, "district", args.chunk, series)
        bench.level(groups, "city", args.chunk, series)
        print(f"  {target.name}: timed {sum(series['prepare'].actions):,} letters prepared, "
              f"{sum(series['stamp'].actions):,} stamps, "
              f"{sum(series['send@district'].actions) + sum(series['send@city'].actions):,} units sent, "
              f"three ways ({time.perf_counter() - t0:.1f} s)", flush=True)  # fmt: skip
        held = bench.run.nominations(holder=PROVINCE, state="in_review")
        if len(held) != args.groups * args.bulk + args.warm:
            sys.exit(f"bench_sql: {len(held)} nominations reached the province, expected more")
        events = len(bench.run.events())
        letters = len(bench.run.submissions())
        if args.profile:
            profile(bench, args)
        binding = measure_binding(target, bench.run.campaign.id, 200 if args.quick else 2000)
        return Results(
            target.name, series, bench.nominate_rate, len(bench.run.nominations()), events, letters, binding
        )
    finally:
        bench.close()


def profile(bench: Bench, args: argparse.Namespace) -> None:
    """cProfile pilotflow's letters of a fresh group at the district: prepared, stamped, sent."""
    (group,) = make_groups(bench.run, bench.numbers, 1, args.bulk)
    letters = bench.letters([group], "district")
    n = len(letters.units)
    for label, fn in (
        (f"{n} letters prepared", lambda: [bench.pf_prepare(letters, i) for i in range(n)]),
        (f"{3 * n} single stamps", lambda: bench.pf_stamps(Bench.stamp_tasks(
            Letters("district", letters.sender, pf=letters.pf, floor=letters.pf)))),
        (f"{n} letters of {args.batch} sent", lambda: [bench.pf_send(letters, i) for i in range(n)]),
    ):  # fmt: skip
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        print(f"\ncProfile, {bench.target.name}: {label}", flush=True)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(args.profile_top)
        stats.sort_stats("cumulative").print_stats(args.profile_top)


# -- concurrency (PostgreSQL) -----------------------------------------------------------


def attach_material(run: pf.CampaignRun, material: pf.Material, actor: pf.Actor, nid: str) -> object:
    """The per-unit call attaching a letter material (to the unit's one-unit letter)."""
    return run.attach(actor, nid, material)


def worker(index: int, url: str, schema: str, jobs: Any, results: Any, barriers: dict[int, Any]) -> None:
    """Take jobs (worker count, [(nomination, district)]) until None; for each nomination, with
    the per-unit calls (its one-unit letter): attach the letter's materials where the hop asks
    for them, stamp with the three departments (starting at a department that depends on the
    worker) and recommend, retrying conflicts; report counts and the start and end of the work."""
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

        steps = {}  # per district: its letter's materials attached, three stamps, the recommendation
        for _, district in items:
            if district not in steps:
                city = run.workflow.route(district)[1]
                attach = [
                    ("industry", partial(attach_material, run, pf.Material(r.kind, copies=r.copies)))
                    for r in run.letter_materials(district, city)
                ]
                steps[district] = [
                    *attach,
                    *((d, run.stamp) for d in departments),
                    ("industry", run.recommend),
                ]
        barriers[count].wait()
        t0 = time.monotonic()
        for nid, district in items:
            for department, act in steps[district]:
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


#: The targets (issue 14): (engine, series) -> (which floor, the least pilotflow / floor).
TARGETS = {
    ("SQLite", "stamp"): ("floor+read", 0.7),
    ("PostgreSQL", "stamp"): ("floor", 0.7),
    ("PostgreSQL", "send@district"): ("floor+seats", 0.8),
    ("PostgreSQL", "send@city"): ("floor+seats", 0.8),
}


def report(results: Sequence[Results]) -> None:
    print("\nactions (units for a send) per second: median over rounds; ratios: median of per-round ratios "
          "(same run)")  # fmt: skip
    header = (
        f"{'engine':<11} {'mode':<28} {'rounds':>6} {'pilotflow/s':>11} {'floor/s':>9} {'floor+/s':>9} "
        f"{'pf/floor':>8} {'pf/floor+':>9}  target"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        for name in SERIES:
            s = r.series[name]
            if not s.pf:
                continue
            extra = {"stamp": "+read", "send@district": "+seats", "send@city": "+seats"}.get(name, "")
            mode = {
                "prepare": "prepare letter", "attach": "attach letter material",
                "stamp": "single stamp (letter)",
                "send@district": f"send@district ({statistics.median(s.actions):.0f} units)",
                "send@city": f"send@city ({statistics.median(s.actions):.0f} units)",
            }[name]  # fmt: skip
            goal = TARGETS.get((r.engine, name))
            verdict = ""
            if goal is not None:
                which, least = goal
                ratio = s.ratio(s.floor_x if "+" in which else s.floor)
                verdict = f"pf/{which} >= {least}: {'met' if ratio >= least else 'MISSED'}"
            elif extra:
                verdict = f"(floor+ = floor{extra})"
            print(
                f"{r.engine:<11} {mode:<28} {len(s.pf):>6} {s.rate(s.pf):>11,.0f} {s.rate(s.floor):>9,.0f} "
                f"{s.rate(s.floor_x):>9,.0f} {s.ratio(s.floor):>8.2f} {s.ratio(s.floor_x):>9.2f}  {verdict}"
            )
    print("\nper nomination, district → city → province in letters (every timed action above: prepare, "
          "attach, stamps, send at both levels)")  # fmt: skip
    header = (
        f"{'engine':<11} {'pilotflow µs':>12} {'floor µs':>9} {'floor+ µs':>9} {'pf/floor':>8} "
        f"{'pf/floor+':>9} "
        f"{'events':>7} {'(before letters)':>16} {'letters':>8}  nominate µs (no floor)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        units = sum(r.series["send@district"].actions)
        pf_s, fl_s, fx_s = (
            sum(sum(getattr(s, k)) for s in r.series.values()) for k in ("pf", "floor", "floor_x")
        )
        print(
            f"{r.engine:<11} {pf_s / units * 1e6:>12,.0f} {fl_s / units * 1e6:>9,.0f} "
            f"{fx_s / units * 1e6:>9,.0f} "
            f"{fl_s / pf_s:>8.2f} {fx_s / pf_s:>9.2f} {r.events / r.nominations:>7.2f} {EVENTS_BEFORE:>16} "
            f"{r.letters:>8,}  {1e6 / r.nominate_per_s:,.0f}"
        )


def report_binding(results: Sequence[Results]) -> None:
    print("\nbinding: one host request (pooled connection, BEGIN, one read, COMMIT) with SQLStore(conn) "
          "and without; medians, µs (target: binding under 1,000 µs)")  # fmt: skip
    header = f"{'engine':<11} {'rounds':>6} {'first store':>11} {'request':>8} {'floor':>7} {'binding':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        b = r.binding
        if b is not None:
            print(f"{r.engine:<11} {b.rounds:>6} {b.first:>11,.0f} {b.request:>8,.0f} {b.floor:>7,.0f} "
                  f"{b.request - b.floor:>8,.0f}")  # fmt: skip


def report_contention(rows: Sequence[Contention], args: argparse.Namespace) -> None:
    print(
        f"\nPostgreSQL, concurrent workers ({args.per_worker} nominations x 4 actions each, 5 where the "
        "hop asks for a letter material; "
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
    parser.add_argument(
        "--groups", type=int, help="groups (a district's units of one type; default 12; quick 4)"
    )
    parser.add_argument(
        "--bulk", type=int, help="nominations per group: the city's letter (default 100; quick 25)"
    )
    parser.add_argument("--batch", type=int, default=10, help="units per district letter (default 10)")
    parser.add_argument("--chunk", type=int, help="single stamps per round (default 30; quick 12)")
    parser.add_argument("--per-worker", type=int, help="nominations per worker (default 150; quick 15)")
    parser.add_argument("--overlap", type=float, default=0.2, help="share of hot nominations (0.2)")
    parser.add_argument("--max-workers", type=int, default=8, help="largest worker count (8)")
    parser.add_argument("--profile", action="store_true", help="cProfile pilotflow's stamps and a select")
    parser.add_argument("--profile-top", type=int, default=25, help="rows per profile table")
    args = parser.parse_args(argv)
    args.groups = args.groups or (4 if args.quick else 12)
    args.bulk = args.bulk or (25 if args.quick else 100)
    args.chunk = args.chunk or (12 if args.quick else 30)
    args.per_worker = args.per_worker or (15 if args.quick else 150)
    args.warm = min(args.bulk, 10)
    if not 0 <= args.overlap < 1 or min(args.groups, args.bulk, args.chunk, args.batch) < 1:
        parser.error("--overlap must be in [0, 1); --groups, --bulk, --batch, --chunk at least 1")

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
    report_binding(results)
    if rows:
        report_contention(rows, args)
    print(
        "\nfloor: raw driver, per action one transaction: prepare = INSERT letter + its listed units + "
        "event; attach and stamp = UPDATE letter + INSERT event (PostgreSQL: one statement, autocommit); "
        "send = the units' UPDATEs and their event INSERTs (one executemany each), then UPDATE letter, "
        "DELETE its listing, INSERT event (PostgreSQL: BEGIN to COMMIT in one pipeline). floor+read: "
        "a stamp also SELECTs the letter first, as pilotflow must; floor+seats: a send also takes the "
        "two conditional quota UPDATEs per unit (executemany). pilotflow judges the letter and its "
        "units on the states its store kept (else it reads them) and reads the quota counters a cap "
        "needs before it writes. "
        "Ratios are rates: floor time / pilotflow time."
    )
    print(f"wall time {time.perf_counter() - t_start:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
