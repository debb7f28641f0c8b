"""A letter's (推荐函) row on SQLite: read back exactly as it was written, its JSON texts decoded
once and shared, its moments at their offsets, a change writing only what it moved; SQLite's
atomic scope as a plain object; a letter named by its id alike on every path."""

from __future__ import annotations

import copy
import itertools
import pickle
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

import pilotflow as pf
from pilotflow.domain.submissions import Submission, apply_submission, build_submission
from pilotflow.samples import material_for
from pilotflow.store.codec import moment_of
from pilotflow.store.sql import letters as rows
from pilotflow.store.sql.letters import decode_submission, moved, submission_row

from conftest import WEIHAI, WEIHAI_DISTRICT, nominate, shanghai

DEPARTMENTS = ("industry", "civil_affairs", "health")


def officer(authority: str, department: str = "industry") -> pf.Actor:
    return pf.Actor(authority, department, f"{department}@{authority}")


def sqlite_run(tmp_path: Path, campaign: pf.Campaign) -> tuple[pf.CampaignRun, pf.FixedClock]:
    """A run on a SQLite file whose clock moves a minute before every action of a test."""
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    store = pf.open_store(f"sqlite:///{tmp_path / 'pf.db'}")
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    return run, clock


def letter_life(run: pf.CampaignRun, clock: pf.FixedClock) -> list[Submission]:
    """A Weihai district letter of three units through its life, a minute between actions:
    prepared, its material attached, stamped by each department, sent, recalled, a unit
    removed. Every version the actions returned, in order."""
    ids = [nominate(run, i).id for i in range(1, 4)]
    versions = []

    def step(call: Callable[[], Submission]) -> str:
        clock.advance(minutes=1)
        versions.append(call())
        return versions[-1].id

    sid = step(lambda: run.prepare_submission(officer(WEIHAI_DISTRICT), ids))
    for req in run.letter_materials(WEIHAI_DISTRICT, WEIHAI):
        material = material_for(run.campaign, req.kind, req.copies)
        step(lambda material=material: run.attach_to_submission(officer(WEIHAI_DISTRICT), sid, material))
    for d in DEPARTMENTS:
        step(lambda d=d: run.stamp_submission(officer(WEIHAI_DISTRICT, d), sid))
    step(lambda: run.send(officer(WEIHAI_DISTRICT), sid))
    step(lambda: run.recall(officer(WEIHAI_DISTRICT), sid, reason="补充材料"))
    step(lambda: run.remove_from_submission(officer(WEIHAI_DISTRICT), sid, ids[0], reason="撤回一家"))
    return versions


def test_a_letter_reads_back_from_sqlite_as_each_action_left_it(
    tmp_path: Path, campaign: pf.Campaign
) -> None:
    """Read back from its SQLite row after every action of its life (prepared, attached,
    stamped three times, sent with its documents, recalled, a unit removed), a letter equals
    the version the action returned, field by field, its moments at the campaign's offset."""
    run, clock = sqlite_run(tmp_path, campaign)
    try:
        versions = letter_life(run, clock)
        replayed: Submission | None = None
        for event in run.store.events(run.campaign.id, versions[0].id):
            replayed = apply_submission(replayed, event)
        assert versions[-1] == replayed
        assert versions[-1] == run.submission(versions[-1].id)
        sent = versions[-3]
        assert "sent" == sent.state
        assert sent.documents
        assert sent.sent_versions
        assert sent.sent_at is not None
        for version in versions:  # each as its row holds it (written whole, then decoded)
            found = decode_submission(_row(version))
            assert version == found
            assert timedelta(hours=8) == found.updated_at.utcoffset() == found.created_at.utcoffset()
    finally:
        run.store.close()


def _row(s: Submission) -> tuple[Any, ...]:
    """The row of ``s`` in table order, as SQLite gives it back (moments as integers)."""
    return _row_of(submission_row(s))


def test_a_letters_texts_are_decoded_once_and_shared(tmp_path: Path, campaign: pf.Campaign) -> None:
    """Two reads of one letter give the same (immutable) tuples of units and stamps, not
    copies: each distinct JSON text of the letters' rows is decoded once."""
    run, clock = sqlite_run(tmp_path, campaign)
    try:
        sid = letter_life(run, clock)[0].id
        first, second = run.submission(sid), run.submission(sid)
        assert first == second
        assert first.units is second.units
        assert first.stamps is second.stamps
        assert first.materials is second.materials
    finally:
        run.store.close()


def test_the_decoded_texts_are_bounded_by_their_total_length() -> None:
    """Rows with ever new long units texts (a 5,000-unit letter's is long) never make the
    decoded texts kept hold more characters than the bound: past it they are let go."""
    template = submission_row(
        Submission(
            "s", "c", "r", "a", "b", "draft", (), (), (), 1, shanghai(2023, 1, 1), shanghai(2023, 1, 1)
        )
    )
    for n in range(400):
        units = tuple(f"unit-{n}-{i:05d}" for i in range(500))
        template["units"] = rows.dumps(list(units))
        assert units == decode_submission(_row_of(template)).units
        assert rows._CACHED_CHARS[0] <= rows._CACHE_CHARS
    held = sum(len(t) for t in rows._LISTS) + sum(len(t) for t in rows._MATERIAL_LISTS)
    assert held <= rows._CACHE_CHARS


def _row_of(values: dict[str, Any]) -> tuple[Any, ...]:
    """Encoded column values as a row in table order, as SQLite gives it back."""
    order = ("id", "campaign", "revision", "sender", "receiver", "state", "units", "stamps", "materials",
             "version", "created_at", "updated_at", "sent_at", "sent_versions", "documents",
             "created_offset", "updated_offset", "sent_offset")  # fmt: skip
    return tuple(getattr(values[c], "micros", values[c]) for c in order)


@pytest.mark.parametrize(
    "offset", [0, 8 * 3600, -5 * 3600, 5 * 3600 + 45 * 60, 8 * 3600 + 5 * 60 + 43, -12 * 3600]
)
@pytest.mark.parametrize("instant", [0, 1, -1, -3_600_000_000, 1_697_504_400_123_456, 7_258_118_399_999_999])
def test_a_stored_moment_reads_back_at_its_offset(instant: int, offset: int) -> None:
    """An instant SQLite stores (UTC microseconds, before 1970 too) and its offset read back
    as the same moment as :func:`moment_of` gives: equal, the same wall time, the same
    ``tzinfo`` object; a moment PostgreSQL gives back is converted as before."""
    expected = moment_of(instant, offset)
    found = rows._moment(instant, offset)
    assert expected == found
    assert expected.replace(tzinfo=None) == found.replace(tzinfo=None)
    assert expected.tzinfo is found.tzinfo
    aware = datetime(2023, 10, 17, 1, tzinfo=UTC)
    assert moment_of(aware, offset) == rows._moment(aware, offset)
    assert moment_of(aware, offset).utcoffset() == rows._moment(aware, offset).utcoffset()


def _moved_before(before: Submission, after: Submission) -> dict[str, Any]:
    """What ``moved`` gave before it compared the fields one by one (every moving field
    through getattr, in the row's order; the version always)."""
    out: dict[str, Any] = {}
    for c in ("state", "units", "stamps", "materials", "version", "sent_versions", "documents", "updated_at",
              "sent_at"):  # fmt: skip
        new, old = getattr(after, c), getattr(before, c)
        if new is not old and new != old:
            rows._put(out, c, new)
    out["version"] = after.version
    return out


def test_a_letters_change_writes_what_it_moved_as_before(tmp_path: Path, campaign: pf.Campaign) -> None:
    """For every change of a letter's life, the columns written (and their order, which
    picks the compiled statement) are those the field-by-field comparison gave before."""
    run, clock = sqlite_run(tmp_path, campaign)
    try:
        versions = letter_life(run, clock)
    finally:
        run.store.close()
    for before, after in itertools.pairwise(versions):
        assert list(_moved_before(before, after).items()) == list(moved(before, after).items())
    stamp = moved(versions[1], versions[2])
    assert {"stamps", "version", "updated_at", "updated_offset"} == set(stamp)


def test_a_submission_built_positionally_is_the_class_instance() -> None:
    """A submission built by the hot path's positional builder is a Submission like one
    built by its class: equal, hashing alike, copied, pickled and evolved alike."""
    at = shanghai(2023, 10, 17, 9)
    fields = (
        "s1",
        "c",
        "r",
        "371002",
        "371000",
        "draft",
        ("n1", "n2"),
        ("industry",),
        (),
        3,
        at,
        at,
        None,
        (),
        (),
    )
    built, made = build_submission(*fields), Submission(*fields)
    assert type(built) is Submission
    assert made == built
    assert hash(made) == hash(built)
    assert built == pickle.loads(pickle.dumps(built))
    assert built == copy.deepcopy(built)
    assert attrs.evolve(made, version=4) == attrs.evolve(built, version=4)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        built.version = 5  # type: ignore[misc]


def test_a_letter_is_named_by_its_id_alike_on_every_path(tmp_path: Path, campaign: pf.Campaign) -> None:
    """A letter is found by its id or its Submission; an id is taken as given (white space
    around it is not stripped: no letter has that id); anything but text, or an id of white
    space only, is refused as invalid input; an id no letter has is not found."""
    run, clock = sqlite_run(tmp_path, campaign)
    try:
        sid = letter_life(run, clock)[0].id
        assert run.submission(sid) == run.submission(run.submission(sid))
        for bad in (12, None, "", "   "):
            with pytest.raises(pf.InvalidInput):
                run.submission(bad)  # type: ignore[arg-type]
        for unknown in (f" {sid}", f"{sid} ", "no-such-letter", "推荐函-1"):
            with pytest.raises(pf.SubmissionNotFound):
                run.submission(unknown)
    finally:
        run.store.close()


def test_sqlite_scopes_nest_and_roll_back_whole(tmp_path: Path, campaign: pf.Campaign) -> None:
    """SQLite's atomic scope: an action inside a host's outer scope joins it (nothing is
    committed until the outer one ends, and the write lock is held till then); an exception
    leaving the outer scope rolls back every action in it; a later action commits as usual."""
    run, _ = sqlite_run(tmp_path, campaign)
    try:
        ids = [nominate(run, i).id for i in range(1, 3)]
        sid = run.prepare_submission(officer(WEIHAI_DISTRICT), ids).id
        atomic = run.store.atomic
        assert atomic is not None

        def failing_request() -> None:
            with atomic():
                run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), sid)
                run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), sid)
                raise RuntimeError("the host's request failed")

        with pytest.raises(RuntimeError):
            failing_request()
        assert () == run.submission(sid).stamps
        with atomic():
            run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), sid)
            other = sqlite3.connect(tmp_path / "pf.db", timeout=0.05)
            try:
                with pytest.raises(sqlite3.OperationalError):
                    other.execute("BEGIN IMMEDIATE")  # the outer scope still holds the lock
            finally:
                other.close()
            run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), sid)
        assert ("industry", "health") == run.submission(sid).stamps
        assert 4 == run.stamp_submission(officer(WEIHAI_DISTRICT, "civil_affairs"), sid).version
    finally:
        run.store.close()


def test_a_stamp_with_an_idempotency_key_is_answered_once(tmp_path: Path, campaign: pf.Campaign) -> None:
    """A stamp sent again with its key answers with the first result and writes nothing; the
    same key for another command is refused (the keyed path of a letter's action)."""
    run, _ = sqlite_run(tmp_path, campaign)
    try:
        sid = run.prepare_submission(officer(WEIHAI_DISTRICT), [nominate(run, 1).id]).id
        first = run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), sid, idempotency_key="k-1")
        again = run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), sid, idempotency_key="k-1")
        assert first == again
        assert 2 == len(run.store.events(run.campaign.id, sid))
        with pytest.raises(pf.InvalidInput):
            run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), sid, idempotency_key="k-1")
    finally:
        run.store.close()


def test_one_sqlite_scope_entered_again_inside_itself_commits_once(
    tmp_path: Path, campaign: pf.Campaign
) -> None:
    """The same scope object entered again while it is open joins itself: leaving the inner
    entry commits nothing (the write lock is still held), leaving the outer one commits."""
    run, _ = sqlite_run(tmp_path, campaign)
    try:
        sid = run.prepare_submission(officer(WEIHAI_DISTRICT), [nominate(run, 1).id]).id
        atomic = run.store.atomic
        assert atomic is not None
        scope = atomic()
        with scope:
            with scope:
                run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), sid)
            other = sqlite3.connect(tmp_path / "pf.db", timeout=0.05)
            try:
                with pytest.raises(sqlite3.OperationalError):
                    other.execute("BEGIN IMMEDIATE")  # not committed yet: the lock is held
            finally:
                other.close()
        assert ("industry",) == run.submission(sid).stamps
        with scope:  # and it can be used again
            run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), sid)
        assert ("industry", "health") == run.submission(sid).stamps
    finally:
        run.store.close()
