"""Retry-safe commands, the deadline sweep and embedding in a host's transaction.

Runs on every store (memory, SQLite file, PostgreSQL) through the ``store`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store import Receipt, Store
from pilotflow.store.sql import SQLStore, configure_sqlite, make_metadata

from conftest import forward, nominate, on, shanghai, unit_code

CLERK = pf.Actor("371002", "industry", "clerk")


def test_repeated_command_returns_first_result(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Repeating an action with the same idempotency key and arguments returns the first
    result and writes nothing new, even though doing it again would now be refused."""
    run = make_run(store)
    n = nominate(run, 1)
    first = run.stamp(CLERK, n.id, idempotency_key="req-1")
    events = len(run.events())
    again = run.stamp(CLERK, n.id, idempotency_key="req-1")
    assert first == again
    assert events == len(run.events())
    with pytest.raises(pf.ActionRefused):  # without the key it is a second stamp
        run.stamp(CLERK, n.id)


def test_repeat_answers_with_the_version_it_made(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A repeat answers with the record as the first command left it, not as it is now: the
    letter a stamp went to, for a repeated stamp."""
    run = make_run(store)
    n = nominate(run, 1)
    letter = run.prepare_submission(CLERK, [n.id])
    first = run.stamp_submission(CLERK, letter.id, idempotency_key="k")
    run.stamp_submission(pf.Actor("371002", "health", "h"), letter.id)
    assert first == run.stamp_submission(CLERK, letter.id, idempotency_key="k")
    assert (2, 3) == (first.version, run.submission(letter.id).version)
    assert n == run.stamp(pf.Actor("371002", "civil_affairs", "c"), n.id, idempotency_key="u")
    assert n == run.stamp(pf.Actor("371002", "civil_affairs", "c"), n.id, idempotency_key="u")


def test_same_key_other_arguments_is_refused(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Reusing a key for a different command is refused with a clear error and writes nothing."""
    run = make_run(store)
    n = nominate(run, 1)
    run.stamp(CLERK, n.id, idempotency_key="k")
    events = len(run.events())
    with pytest.raises(pf.InvalidInput, match="already used for a different command"):
        run.stamp(pf.Actor("371002", "health", "h"), n.id, idempotency_key="k")
    assert events == len(run.events())


def test_nominate_and_select_are_retry_safe(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """nominate() and select() with a key can be repeated without duplicates."""
    run = make_run(store)
    code = unit_code(5)
    args = {"unit_code": code, "unit_name": "甲", "unit_type": "park",
            "scenario": "elderly_canteens", "origin": "371002"}  # fmt: skip
    applicant = pf.Actor.applicant(code, "a")
    a = run.nominate(applicant, **args, idempotency_key="nom-5")  # type: ignore[arg-type]
    b = run.nominate(applicant, **args, idempotency_key="nom-5")  # type: ignore[arg-type]
    assert a == b
    assert 1 == len(run.nominations())
    parks = [forward(run, nominate(run, i, unit_type="park").id) for i in (10, 11)]
    assert len(parks) == 2
    weihai = pf.Actor("371000", "industry", "lead")
    first = run.select(weihai, "park", idempotency_key="sel")
    count = len(run.events())
    assert first == run.select(weihai, "park", idempotency_key="sel")
    assert count == len(run.events())
    assert (1, 1) == (len(first.recommended), len(first.cut))


def test_retry_on_conflict_gives_up_after_attempts() -> None:
    """The retry helper re-raises the last ConflictError after the allowed attempts."""
    calls: list[float] = []

    def always() -> None:
        raise pf.ConflictError("n", 1, 2)

    with pytest.raises(pf.ConflictError):
        pf.retry_on_conflict(always, attempts=3, sleep=calls.append)
    assert 2 == len(calls)
    assert all(0 <= c <= 1.0 for c in calls)


def test_tick_lapses_what_missed_its_deadline_once(
    store: Store, make_run: Callable[..., pf.CampaignRun], clock: pf.FixedClock
) -> None:
    """The deadline sweep lapses nominations still in review after their hop's deadline,
    exactly once however often it runs; forwarded and terminal ones are left alone."""
    run = make_run(store)
    stuck = nominate(run, 1)
    moved = forward(run, nominate(run, 2).id)  # at Weihai: Weihai -> Shandong also 10-18
    withdrawn = nominate(run, 3)
    run.withdraw(pf.Actor.applicant(withdrawn.unit_code, "a"), withdrawn.id)
    assert () == run.tick(on(run, shanghai(2023, 10, 18, 23, 59)))
    late = shanghai(2023, 10, 19, 0, 0)
    assert {stuck.id, moved.id} == set(run.tick(on(run, late)))
    assert () == run.tick(on(run, late))
    assert () == run.tick(on(run, shanghai(2023, 11, 1)))
    assert "lapsed" == run.get(stuck.id).state
    assert "withdrawn" == run.get(withdrawn.id).state
    assert ["lapse"] == [e.action for e in run.history(stuck.id)][-1:]
    assert {n.id: n for n in run.nominations()} == dict(run.replay().nominations)


def test_host_transaction_rollback_leaves_no_trace(tmp_path: Path, campaign: pf.Campaign,
                                                   clock: pf.FixedClock) -> None:  # fmt: skip
    """Given the host's Connection, pilotflow's writes join the host's transaction: a host
    rollback removes them, a host commit keeps them."""
    engine = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    with engine.connect() as conn:
        SQLStore(conn)  # creates the tables
        conn.commit()
    with engine.connect() as conn:
        conn.begin()
        run = pf.CampaignRun(campaign, store=SQLStore(conn), lists=pf.empty_lists(campaign),
                             clock=clock)  # fmt: skip
        nominate(run, 1)
        assert 1 == len(run.nominations())
        conn.rollback()
    with engine.connect() as conn:
        run = pf.CampaignRun(campaign, store=SQLStore(conn), lists=pf.empty_lists(campaign),
                             clock=clock)  # fmt: skip
        assert [] == run.nominations()
        assert [] == run.events()
        nominate(run, 1)  # inside the transaction the reads above began
        conn.commit()
    with engine.connect() as conn:
        store = SQLStore(conn)
        assert 1 == len(store.nominations(campaign.id))


def test_refused_commit_inside_host_transaction_keeps_host_work(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A refused pilotflow commit inside the host's transaction undoes only pilotflow's
    part (a SAVEPOINT): the host's own earlier writes survive and can be committed."""
    engine = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    host = sa.Table("host_log", sa.MetaData(), sa.Column("line", sa.String))
    host.metadata.create_all(engine)
    with engine.connect() as conn:
        conn.begin()
        run = pf.CampaignRun(campaign, store=SQLStore(conn), lists=pf.empty_lists(campaign),
                             clock=clock)  # fmt: skip
        n = nominate(run, 1)
        conn.execute(sa.insert(host).values(line="request 1"))
        with pytest.raises(pf.DuplicateNomination):
            nominate(run, 1)
        conn.commit()
    with engine.connect() as conn:
        assert ["request 1"] == [r[0] for r in conn.execute(sa.select(host.c.line))]
        assert [n.id] == [x.id for x in SQLStore(conn).nominations(campaign.id)]


def test_tables_are_exposed_as_metadata() -> None:
    """A host's migrations can see pilotflow's tables, under a prefix and a schema."""
    md = make_metadata(prefix="gov_pf_", schema="selection")
    assert {"selection.gov_pf_nominations", "selection.gov_pf_events", "selection.gov_pf_quota",
            "selection.gov_pf_receipts", "selection.gov_pf_meta", "selection.gov_pf_submissions",
            "selection.gov_pf_listed", "selection.gov_pf_texts",
            "selection.gov_pf_lists"} == set(md.tables)  # fmt: skip


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    """A database holding another schema version is refused with a clear message."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = pf.open_store(url)
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text("UPDATE pf_meta SET value = '0' WHERE key = 'schema_version'"))
    store.close()
    with pytest.raises(pf.StoreError, match="schema version '0'"):
        pf.open_store(url)


def test_the_same_instant_in_any_notation_is_the_same_command(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A retry stating the same moment with ZoneInfo, timezone.utc or a fixed +08:00 offset is
    the same command: it returns the first result and writes nothing."""
    from datetime import UTC, timedelta, timezone
    from zoneinfo import ZoneInfo

    run = make_run(store)
    n = nominate(run, 1)
    moment = run.clock.now()
    first = run.stamp(CLERK, n.id, at=moment.astimezone(ZoneInfo("Asia/Shanghai")), idempotency_key="k")
    events = len(run.events())
    for same in (moment.astimezone(UTC), moment.astimezone(timezone(timedelta(hours=8))), moment):
        assert first == run.stamp(CLERK, n.id, at=same, idempotency_key="k")
    assert events == len(run.events())


class _RacingReceipt(Store):
    """A real store that, once, runs ``between`` right after it has read a receipt: the
    moment a twin request's commit lands when two requests with one key race."""

    between: Callable[[], object] | None = None

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        found = super().receipt(campaign, key)
        if self.between is not None:
            between, self.between = self.between, None
            between()
        return found


class _CommitsFirstAfterReceiptRead(_RacingReceipt, SQLStore):
    """A SQL store on a host's connection, racing as above."""


def test_a_retry_sent_while_the_first_request_runs_gets_its_result(
    pg_url: str, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Two requests with one idempotency key, each in its own host transaction on PostgreSQL
    (read committed): the retry reads the receipt before the first request commits and the
    nomination after it. It answers with the first request's result (not 'already stamped'),
    and the log holds one stamp. (On SQLite a host's second write transaction waits for the
    first at BEGIN IMMEDIATE, so the two cannot interleave.)"""
    import uuid

    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://", 1))
    schema = f"pf_test_{uuid.uuid4().hex[:12]}"
    try:
        with engine.connect() as conn:
            store = SQLStore(conn, schema=schema)
            run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
            nid = nominate(run, 1).id
            conn.commit()
        with engine.connect() as first_conn, engine.connect() as second_conn:
            first_conn.begin()
            first_run = pf.CampaignRun(campaign, store=SQLStore(first_conn, schema=schema),
                                       lists=pf.empty_lists(campaign), clock=clock)  # fmt: skip
            first = first_run.stamp(CLERK, nid, idempotency_key="req-1")  # not committed yet
            second_conn.begin()
            racing = _CommitsFirstAfterReceiptRead(second_conn, schema=schema)
            racing.between = first_conn.commit
            second_run = pf.CampaignRun(campaign, store=racing, lists=pf.empty_lists(campaign), clock=clock)

            again = second_run.stamp(CLERK, nid, idempotency_key="req-1")
            second_conn.commit()

        assert first == again
        with engine.connect() as conn:
            stored = SQLStore(conn, schema=schema)
            assert ["nominate"] == [e.action for e in stored.events(campaign.id, nid)]
            (letter,) = stored.submissions(campaign.id)  # one letter drafted, stamped once
            assert ["prepare_submission", "stamp_letter"] == [
                e.action for e in stored.events(campaign.id, letter.id)
            ]
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


class _TwinCommitsAfterReceiptRead(_RacingReceipt, pf.MemoryStore):
    """A memory store, racing as above."""


def test_a_racing_twin_selection_answers_with_the_first_result(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A selection retried with its key, whose twin commits between the retry's receipt read
    and its ranking (the order then names units that are no longer candidates), answers with
    the twin's result instead of an 'order names nominations...' error; one selection is logged."""
    store = _TwinCommitsAfterReceiptRead()
    run = make_run(store)
    ids = [forward(run, nominate(run, i).id).id for i in (1, 2)]
    lead = pf.Actor("371000", "industry", "lead")
    twin: dict[str, pf.SelectionResult] = {}
    store.between = lambda: twin.setdefault(
        "r", run.select(lead, "enterprise", order=ids, idempotency_key="sel")
    )

    result = run.select(lead, "enterprise", order=ids, idempotency_key="sel")

    assert twin["r"] == result
    assert 1 == sum(1 for e in run.events() if e.action == "prepare_submission" and e.actor == lead)
    (sid,) = result.submissions
    assert tuple(ids) == run.submission(sid).units
