"""PostgreSQL: a commit of changes to existing rows (a letter's send with its units' moves and
seats) goes as one pipeline, ``BEGIN`` to ``COMMIT``, in one round trip; the server makes
every check, and a commit it stops (a stale version, a seat the cap refuses) writes nothing and
is answered as before (ConflictError, SeatUnavailable) by the checked path. (The store
contract's checks run on PostgreSQL too: ``tests/test_store_contract.py``, among them a seat
two writers judged free and a batch with one stale change.)"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store.sql import SQLStore, _fast, write
from pilotflow.testing import _HeldCommits
from test_submissions import district_letter, letter_ready, officer

from conftest import WEIHAI_DISTRICT, nominate, state_of


class Waits:
    """Every PostgreSQL connection the engine opens from now on, traced by libpq: how many
    times the client waited for the server (round trips), counted from the messages."""

    def __init__(self, engine: sa.Engine) -> None:
        self.traced: list[tuple[Any, IO[bytes]]] = []
        sa.event.listen(engine, "connect", self._trace)

    def _trace(self, dbapi_conn: Any, _record: Any) -> None:
        # (kept open while the connection lives; appended to by each dup of its descriptor)
        out = tempfile.TemporaryFile(mode="a+b")  # noqa: SIM115
        self.traced.append((dbapi_conn.pgconn, out))
        _start(dbapi_conn.pgconn, out)

    def count(self) -> int:
        """Round trips so far: each run of messages from the server after the client's."""
        total = 0
        previous = "F"
        for line in self.lines():
            side = line[:1]
            if side == "B" and previous == "F":
                total += 1
            previous = side or previous
        return total

    def lines(self) -> list[str]:
        """Every message traced so far, connection after connection ("F": from the client,
        "B": from the server), each connection's starting with "F"."""
        found: list[str] = []
        for pgconn, out in self.traced:
            pgconn.untrace()  # (flushes the trace and closes its descriptor; traced again below)
            out.seek(0)
            found += ["F", *out.read().decode().splitlines()]
            _start(pgconn, out)
        return found


def _start(pgconn: Any, out: IO[bytes]) -> None:
    """Trace ``pgconn`` into ``out``, one message a line, without timestamps."""
    from psycopg import pq

    pgconn.trace(os.dup(out.fileno()))
    pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)


@pytest.fixture
def traced(pg_url: str) -> Iterator[tuple[SQLStore, Waits]]:
    """A PostgreSQL store in a fresh schema, on an engine whose connections are traced."""
    schema = f"pf_pipe_{uuid.uuid4().hex[:10]}"
    # (no statement prepared on the server: psycopg prepares one on its fifth run, in a round
    # trip of its own, which would make the count depend on what ran before)
    engine = sa.create_engine(
        "postgresql+psycopg://" + pg_url.split("://", 1)[1], connect_args={"prepare_threshold": None}
    )
    waits = Waits(engine)
    store = SQLStore(engine, schema=schema)
    try:
        yield store, waits
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


@pytest.mark.parametrize("kept", [False, True], ids=["another-process", "kept"])
def test_a_send_writes_in_one_round_trip(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun], kept: bool
) -> None:
    """A district letter of three units is sent with three round trips in all by a store that
    kept nothing of it (another process): the letter read, its units read, and the commit (its
    units let go, each unit's move and event, the letter's, the quota seats, BEGIN and COMMIT
    in one pipeline); with one round trip, the commit, by the store that drafted and stamped
    it and so kept the letter and its units (``pilotflow.store.recent``). Everything is
    written."""
    store, waits = traced
    s = letter_ready(make_run(store), district_letter(make_run(store), 3).id)
    if not kept:
        store = SQLStore(store.engine, schema=store.metadata.schema)
    run = make_run(store)
    before = waits.count()
    sent = run.send(officer(WEIHAI_DISTRICT), s.id)
    assert (1 if kept else 3) == waits.count() - before
    assert "sent" == sent.state
    assert sent == store.get_submission(s.id)
    for nid in s.units:
        n = store.get(nid)
        assert ("in_review", run.graph[WEIHAI_DISTRICT].parent) == (n.state, n.holder)
    assert store.quota_used(run.campaign.id, WEIHAI_DISTRICT, "enterprise") == 3
    assert [] == run.submissions(sender=WEIHAI_DISTRICT, state="draft")
    run.replay()  # the log agrees with the rows


def test_a_stale_send_is_a_conflict_and_writes_nothing(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun], caplog: pytest.LogCaptureFixture
) -> None:
    """A send judged on a letter whose unit has since moved on (another worker took it out of
    the letter) is refused with ConflictError when committed; nothing of it is written, the
    driver logs nothing about the pipeline it aborted, the server's one error says in words
    what stopped it, and the connection it used commits the next action normally."""
    store, waits = traced
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 3).id)
    held = _HeldCommits(store)
    make_run(held).send(officer(WEIHAI_DISTRICT), s.id)  # judged now, committed below
    run.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, s.units[0])  # its stamps come off
    before = state_of(run)
    with caplog.at_level(logging.WARNING, logger="psycopg"), pytest.raises(pf.ConflictError):
        store.commit(run.campaign.id, *held.held[0])
    assert [] == [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")]
    # (the server's ERROR, in its log too, says what happened: no "division by zero")
    errors = [line for line in waits.lines() if "ErrorResponse" in line]
    assert 1 == len(errors)
    assert _fast._NO_ROW in errors[0]
    assert before == state_of(run)
    raw = store.engine.raw_connection()
    try:
        assert raw.driver_connection.autocommit is False  # type: ignore[union-attr]
    finally:
        raw.close()
    for department in run.graph[WEIHAI_DISTRICT].stamping:
        run.stamp_submission(officer(WEIHAI_DISTRICT, department), s.id)
    sent = run.send(officer(WEIHAI_DISTRICT), s.id)
    assert ("sent", s.units[1:]) == (sent.state, sent.units)
    assert "in_review" == store.get(s.units[0]).state  # (left with the district)


def test_a_refusal_read_back_while_the_pipeline_is_sent_logs_nothing(
    traced: tuple[SQLStore, Waits],
    make_run: Callable[..., pf.CampaignRun],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The server's refusal of a stale send read back while the client is still sending the
    pipeline (here a last step the client takes 0.3 s to send, by which time the refusal has
    come back) is answered as a refusal at the pipeline's end is: ConflictError, nothing
    written, no warning from the driver about the pipeline it aborted, the connection
    usable."""
    plan_of = _fast._pipeline_plan

    def slow(*args: Any) -> Any:
        plan = plan_of(*args)

        def late() -> Iterator[dict[str, Any]]:
            time.sleep(0.3)
            yield {}

        return None if plan is None else [*plan, ("SELECT 1", late())]

    store, waits = traced
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 3).id)
    held = _HeldCommits(store)
    make_run(held).send(officer(WEIHAI_DISTRICT), s.id)  # judged now, committed below
    run.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, s.units[0])
    before = state_of(run)
    monkeypatch.setattr(_fast, "_pipeline_plan", slow)
    with caplog.at_level(logging.WARNING, logger="psycopg"), pytest.raises(pf.ConflictError):
        store.commit(run.campaign.id, *held.held[0])
    assert [] == [r.getMessage() for r in caplog.records if r.name.startswith("psycopg")]
    # (the server's ERROR, in its log too, says what happened: no "division by zero")
    errors = [line for line in waits.lines() if "ErrorResponse" in line]
    assert 1 == len(errors)
    assert _fast._NO_ROW in errors[0]
    assert before == state_of(run)
    monkeypatch.undo()
    for department in run.graph[WEIHAI_DISTRICT].stamping:
        run.stamp_submission(officer(WEIHAI_DISTRICT, department), s.id)
    assert "sent" == run.send(officer(WEIHAI_DISTRICT), s.id).state


def test_a_filing_writes_in_one_round_trip_and_a_duplicate_writes_nothing(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A nomination is filed with one round trip (its row and its event: one statement in
    autocommit; the claims' unique index checks the unit). A second filing for the same unit
    is stopped by the server and answered with DuplicateNomination naming the first; nothing
    of it is written and the connection files the next one normally."""
    store, waits = traced
    run = make_run(store)
    before = waits.count()
    first = nominate(run, 1)
    assert 1 == waits.count() - before
    assert first == store.get(first.id)
    state = state_of(run)
    with pytest.raises(pf.DuplicateNomination) as refused:
        nominate(run, 1)
    assert first.id in str(refused.value)
    assert state == state_of(run)
    second = nominate(run, 2)
    assert [first.id, second.id] == [n.id for n in run.nominations()]
    run.replay()  # the log agrees with the rows


def test_a_filing_the_server_refuses_is_named_as_the_checked_path_names_it(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A filing written as one statement that the server refuses writes nothing (rows and log
    unchanged) and costs one read more (two round trips); it is refused with the very error
    the checked path gives for the same commit (a store on a host's connection, which reads
    before it writes): DuplicateNomination naming the nomination that holds the unit, or
    ConflictError (expected version 0, the stored one) when a row has the filing's id."""
    store, waits = traced
    run = make_run(store)
    first = nominate(run, 1)
    held = _HeldCommits(store)
    late = make_run(held)
    nominate(late, 1)  # judged before it is committed: the unit's claim is the first's
    filed = nominate(late, 2)
    duplicate, second = held.held
    store.commit(run.campaign.id, *second)  # (written once: its id is then taken)
    assert filed == store.get(filed.id)
    refusals = []
    for commit, error in ((duplicate, pf.DuplicateNomination), (second, pf.ConflictError)):
        state = state_of(run)
        before = waits.count()
        with pytest.raises(error) as refused:
            store.commit(run.campaign.id, *commit)
        assert 2 == waits.count() - before
        assert state == state_of(run)
        with store.engine.connect() as conn:  # the checked path, on a host's connection
            host = SQLStore(conn, schema=store.metadata.schema)
            with pytest.raises(error) as checked:
                host.commit(run.campaign.id, *commit)
            conn.rollback()
        assert vars(checked.value) == vars(refused.value)
        assert state == state_of(run)
        refusals.append(refused.value)
    dup, taken = refusals
    assert isinstance(dup, pf.DuplicateNomination)
    assert isinstance(taken, pf.ConflictError)
    assert (dup.unit_code, dup.existing_id) == (first.unit_code, first.id)
    assert (taken.nomination_id, taken.expected, taken.actual) == (filed.id, 0, filed.version)
    third = nominate(run, 3)
    assert [first.id, filed.id, third.id] == [n.id for n in run.nominations()]
    run.replay()  # the log agrees with the rows


def test_a_letter_is_prepared_with_one_round_trip_to_write(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A district drafts a letter of three units with three round trips in all: its units
    read, the sender's drafts read, and the commit (the letter's row, its units listed in one
    INSERT, its event, BEGIN and COMMIT in one pipeline); adding a unit to it writes in one
    round trip too (three in all: the letter is the state the store kept when it drafted it,
    and the unit and the drafts are read). Everything is written."""
    store, waits = traced
    run = make_run(store)
    ids = [nominate(run, i).id for i in range(1, 5)]
    before = waits.count()
    s = run.prepare_submission(officer(WEIHAI_DISTRICT), ids[:3])
    assert 3 == waits.count() - before
    assert s == store.get_submission(s.id)
    assert s.units == tuple(ids[:3])
    before = waits.count()
    s = run.add_to_submission(officer(WEIHAI_DISTRICT), s.id, ids[3:])
    assert 3 == waits.count() - before
    assert s == store.get_submission(s.id)
    with pytest.raises(pf.ActionRefused):  # listed: in no other draft
        run.prepare_submission(officer(WEIHAI_DISTRICT), ids[:1])
    run.replay()  # the log agrees with the rows


def test_a_letter_listing_a_listed_unit_is_refused_as_the_checked_path_refuses_it(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A draft judged before another draft listed one of its units is sent in the pipeline
    and stopped by the server (the listed units' key) when committed: nothing of it is
    written (its other units stay free to be listed), and it is refused with the very
    ConflictError the checked path gives for the same commit, naming that unit."""
    store, _ = traced
    run = make_run(store)
    ids = [nominate(run, i).id for i in range(1, 4)]
    held = _HeldCommits(store)
    make_run(held).prepare_submission(officer(WEIHAI_DISTRICT), ids)  # judged now, committed below
    first = run.prepare_submission(officer(WEIHAI_DISTRICT), ids[1:2])
    state = state_of(run)
    planned: list[bool] = []
    pipelined: list[bool] = []
    plan_of, commit = _fast._pipeline_plan, _fast.commit_pipelined

    def plan(*args: Any) -> Any:
        found = plan_of(*args)
        planned.append(found is not None)
        return found

    def spied(*args: Any) -> bool:
        pipelined.append(commit(*args))
        return pipelined[-1]

    monkeypatch.setattr(_fast, "_pipeline_plan", plan)
    monkeypatch.setattr(write, "commit_pipelined", spied)
    with pytest.raises(pf.ConflictError) as refused:
        store.commit(run.campaign.id, *held.held[0])
    assert (planned, pipelined) == ([True], [False])  # sent in the pipeline, refused by the server
    monkeypatch.undo()
    assert refused.value.nomination_id == ids[1]
    assert state == state_of(run)
    with store.engine.connect() as conn:  # the checked path, on a host's connection
        host = SQLStore(conn, schema=store.metadata.schema)
        with pytest.raises(pf.ConflictError) as checked:
            host.commit(run.campaign.id, *held.held[0])
        conn.rollback()
    assert vars(checked.value) == vars(refused.value)
    assert state == state_of(run)
    assert [first.id] == [s.id for s in run.submissions(sender=WEIHAI_DISTRICT, state="draft")]
    other = run.prepare_submission(officer(WEIHAI_DISTRICT), [ids[0], ids[2]])  # left free
    assert other.units == (ids[0], ids[2])


def test_a_stamp_on_a_kept_letter_is_one_round_trip(
    traced: tuple[SQLStore, Waits], make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A department stamps a letter the store drafted (and so kept) in one round trip, the
    write (one statement in autocommit); a store that kept nothing of it reads it first: two.
    Both stamps are written."""
    store, waits = traced
    run = make_run(store)
    s = district_letter(run, 2)
    before = waits.count()
    run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    assert 1 == waits.count() - before
    other = make_run(SQLStore(store.engine, schema=store.metadata.schema))
    before = waits.count()
    stamped = other.stamp_submission(officer(WEIHAI_DISTRICT, "civil_affairs"), s.id)
    assert 2 == waits.count() - before
    assert ("industry", "civil_affairs") == stamped.stamps == store.get_submission(s.id).stamps
