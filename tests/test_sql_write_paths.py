"""The SQL stores' write paths below the store contract, on a real SQLite file and a real
PostgreSQL server: a quota counter's seats moved by one upsert each, and a draft's units
listed, with what each refuses and what it leaves written."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import pilotflow as pf
from pilotflow.errors import SeatUnavailable
from pilotflow.store.base import CounterMove, Seat, add_seat
from pilotflow.store.sql import SQLStore
from pilotflow.store.sql.write import _list_units, _move_seats

CAMPAIGN = "c"


@pytest.fixture(params=["sqlite", "postgres"])
def written(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[SQLStore, Any]]:
    """A new SQL store (a SQLite file, or PostgreSQL in a schema of its own) and a cursor on
    one of its connections, inside a transaction rolled back at the end."""
    if request.param == "sqlite":
        store = pf.open_store(f"sqlite:///{tmp_path / 'pilotflow.db'}")
    else:
        schema = f"pf_write_{uuid.uuid4().hex[:10]}"
        store = pf.open_store(request.getfixturevalue("pg_url"), schema=schema)
    assert isinstance(store, SQLStore)
    raw = store.engine.raw_connection()
    try:
        cur = raw.cursor()
        if request.param == "sqlite":
            cur.execute("BEGIN IMMEDIATE")
        yield store, cur
        raw.rollback()
    finally:
        raw.close()
        if request.param == "postgres":
            with store.engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{store.metadata.schema}" CASCADE'))
        store.close()


def _move(store: SQLStore, cur: Any, delta: int, limit: int | None) -> None:
    moves: dict[tuple[str, str], CounterMove] = {}
    add_seat(moves, Seat("D", delta, (("*", limit),)))
    _move_seats(cur, store._sql, CAMPAIGN, moves)


def _used(store: SQLStore, cur: Any) -> int | None:
    quota = store._sql.quota
    cur.execute(quota.text, quota.params({"p_campaign": CAMPAIGN, "p_authority": "D", "p_unit_type": "*"}))
    row = cur.fetchone()
    return None if row is None else int(row[0])


def test_a_new_counter_takes_a_capped_seat_only_within_its_cap(written: tuple[SQLStore, Any]) -> None:
    """A counter's first seats past its cap are refused with SeatUnavailable and leave no
    row; within the cap they create the row; past it again they are refused, the counter
    as it was."""
    store, cur = written
    with pytest.raises(SeatUnavailable) as info:
        _move(store, cur, 3, 2)
    assert (info.value.used, info.value.limit) == (0, 2)
    assert _used(store, cur) is None
    _move(store, cur, 2, 2)
    assert _used(store, cur) == 2
    with pytest.raises(SeatUnavailable):
        _move(store, cur, 1, 2)
    assert _used(store, cur) == 2
    _move(store, cur, 5, None)  # (no cap)
    assert _used(store, cur) == 7


def test_a_counter_below_zero_takes_the_seats_its_cap_allows(written: tuple[SQLStore, Any]) -> None:
    """A seat given back before any was taken leaves the counter below zero; seats taken
    then count from there, as in the memory store: three more under a cap of two are taken
    (-1 + 3 = 2), one more is refused."""
    store, cur = written
    _move(store, cur, -1, None)
    assert _used(store, cur) == -1
    _move(store, cur, 3, 2)
    assert _used(store, cur) == 2
    with pytest.raises(SeatUnavailable) as info:
        _move(store, cur, 1, 2)
    assert (info.value.used, info.value.limit) == (2, 2)


def test_each_seat_of_a_commit_is_held_to_its_own_cap_in_order(written: tuple[SQLStore, Any]) -> None:
    """A counter moved once by a commit's net seats holds each seat to its own cap as if they
    were taken one after another, as the memory store does: a seat within a cap of one, then
    one past a soft cap (no cap), are both taken (0 → 2); a seat with no cap, then one under
    a cap of three, are refused (the second would be the fourth), the counter as it was;
    seats under caps of five, then four, are taken (2 → 4)."""
    store, cur = written
    within, past = Seat("D", 1, (("*", 1),)), Seat("D", 1, (("*", None),))
    moves: dict[tuple[str, str], CounterMove] = {}
    for seat in (within, past):
        add_seat(moves, seat)
    _move_seats(cur, store._sql, CAMPAIGN, moves)
    assert _used(store, cur) == 2
    moves = {}
    for seat in (Seat("D", 1, (("*", None),)), Seat("D", 1, (("*", 3),))):
        add_seat(moves, seat)
    with pytest.raises(SeatUnavailable) as info:
        _move_seats(cur, store._sql, CAMPAIGN, moves)
    assert (info.value.used, info.value.limit) == (2, 3)
    assert _used(store, cur) == 2
    moves = {}
    for seat in (Seat("D", 1, (("*", 5),)), Seat("D", 1, (("*", 4),))):
        add_seat(moves, seat)
    _move_seats(cur, store._sql, CAMPAIGN, moves)
    assert _used(store, cur) == 4


def _listing(store: SQLStore, cur: Any) -> set[tuple[str, str]]:
    cur.execute(text_of(store, "SELECT nomination_id, submission_id FROM {listed}"))
    return {(r[0], r[1]) for r in cur.fetchall()}


def text_of(store: SQLStore, sql: str) -> str:
    schema = store.metadata.schema
    return sql.format(listed=f'"{schema}".pf_listed' if schema else "pf_listed")


def test_listing_names_the_first_unit_a_draft_lists_already(written: tuple[SQLStore, Any]) -> None:
    """Units listed in a draft while some are listed already (one in this very draft, one in
    another) are refused with ConflictError naming the first of them in the letter's order,
    nothing listed; free units are listed."""
    store, cur = written
    insert = text_of(store, "INSERT INTO {listed} (campaign, nomination_id, submission_id) VALUES ")
    cur.execute(insert + f"('{CAMPAIGN}', 'X', 'S'), ('{CAMPAIGN}', 'Z', 'OTHER')")
    before = _listing(store, cur)
    for units, first in ((["Y", "X", "Z"], "X"), (["Y", "Z", "X"], "Z")):
        if store._sql.pipelined:  # (psycopg: the units before are listed; the caller rolls back)
            cur.execute("SAVEPOINT s")
        with pytest.raises(pf.ConflictError) as info:
            _list_units(cur, store._sql, CAMPAIGN, "S", units)
        assert info.value.nomination_id == first
        if store._sql.pipelined:
            cur.execute("ROLLBACK TO SAVEPOINT s")
        assert _listing(store, cur) == before
    _list_units(cur, store._sql, CAMPAIGN, "S", ["Y", "W"])
    assert _listing(store, cur) == before | {("Y", "S"), ("W", "S")}
