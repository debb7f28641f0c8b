"""Moments cannot be forged: an action is dated by the run's clock.

``at=`` may differ from the clock only within the campaign's tolerance
(``clock_tolerance_seconds``, five minutes by default); recording facts of the past is a
separate run mode (``backfill=True``) whose events say when they were entered. The deadline
sweep obeys the same rule. Questions (``explain``, ``position``, ``as_of``) may name any moment.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, date, datetime, timedelta, timezone
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
import yaml

import pilotflow as pf
from pilotflow.store import Store

from conftest import (
    CAMPAIGN_ID,
    WEIHAI_DISTRICT,
    all_materials,
    forward,
    nominate,
    shanghai,
    stamp_all,
    state_of,
    unit_code,
)

CLERK = pf.Actor(WEIHAI_DISTRICT, "industry", "clerk")


def test_a_recommendation_dated_before_the_deadline_is_refused_after_it(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """With the clock at 25 October, a recommendation dated 18 October 23:00 (before Weihai's
    district deadline) is refused as a forged moment, and nothing is written."""
    n = stamp_all(run, nominate(run, 1).id)
    clock.set(shanghai(2023, 10, 25, 9))
    before = state_of(run)

    with pytest.raises(pf.MomentRefused) as error:
        run.recommend(CLERK, n.id, at=shanghai(2023, 10, 18, 23))

    assert before == state_of(run)
    assert "tolerance of 300 s" in error.value.en
    assert "相差超过" in error.value.zh
    assert error.value.at == shanghai(2023, 10, 18, 23)
    assert error.value.clock == shanghai(2023, 10, 25, 9)


def letter_log(run: pf.CampaignRun, nomination_id: str) -> list[pf.Event]:
    """The events of the letter carrying the nomination (where its stamps are recorded)."""
    letter = run.carrying(nomination_id)
    assert letter is not None
    return run.store.events(run.campaign.id, letter.id)


def test_a_moment_within_the_tolerance_is_kept(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A moment a few minutes before the clock (a request's own time stamp) is accepted and
    recorded as given; one just past the tolerance, either way, is refused."""
    n = nominate(run, 1)
    clock.set(shanghai(2023, 10, 17, 10))
    two_minutes_ago = shanghai(2023, 10, 17, 9, 58)

    run.stamp(CLERK, n.id, at=two_minutes_ago)

    assert two_minutes_ago == letter_log(run, n.id)[-1].at
    for off in (timedelta(seconds=301), -timedelta(seconds=301)):
        with pytest.raises(pf.MomentRefused):
            run.stamp(pf.Actor(WEIHAI_DISTRICT, "health", "h"), n.id, at=clock.now() + off)


def test_a_future_date_cannot_lock_a_nomination(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """An applicant cannot date an attachment a microsecond before the deadline to make every
    later stamp "earlier than the last action": the future date is refused and the clerks go on."""
    n = nominate(run, 1)
    applicant = pf.Actor.applicant(n.unit_code, "applicant")
    just_before_deadline = shanghai(2023, 10, 19) - timedelta(microseconds=1)
    extra = pf.paper_material(run.campaign.materials["application_form_paper"], 1)

    with pytest.raises(pf.MomentRefused):
        run.attach(applicant, n.id, extra, at=just_before_deadline)

    assert "in_review" == stamp_all(run, n.id).state


def test_the_same_instant_in_another_offset_is_the_same_moment(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """The tolerance compares instants: the clock's reading written in UTC or +08:00 is accepted."""
    n = nominate(run, 1)
    now = clock.now()
    run.stamp(CLERK, n.id, at=now.astimezone(UTC))
    run.stamp(pf.Actor(WEIHAI_DISTRICT, "health", "h"), n.id, at=now.astimezone(timezone(timedelta(hours=8))))
    assert ["prepare_submission", "stamp_letter", "stamp_letter"] == [e.action for e in letter_log(run, n.id)]


def test_the_sweep_cannot_be_run_at_another_moment(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """``tick(now)`` obeys the same rule: a sweep dated after the deadline while the clock is
    before it is refused and lapses nothing; run at the clock's moment it lapses what is due."""
    n = nominate(run, 1)

    with pytest.raises(pf.MomentRefused):
        run.tick(shanghai(2023, 10, 25))
    assert "in_review" == run.get(n.id).state

    clock.set(shanghai(2023, 10, 25))
    assert (n.id,) == run.tick()
    assert "lapsed" == run.get(n.id).state


def test_questions_may_name_any_moment(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """``explain``, ``position`` and a dry-run selection ask "what if then" and change nothing,
    so they take any moment; a real selection at that moment is refused."""
    n = stamp_all(run, nominate(run, 1).id)
    later = shanghai(2023, 10, 25)
    assert "deadline_passed" in [r.code for r in run.explain(n.id, "recommend", actor=CLERK, at=later)]
    assert run.position(n.id, at=later).deadline is not None
    assert run.select(CLERK, "enterprise", at=later, dry_run=True).dry_run
    with pytest.raises(pf.MomentRefused):
        run.select(CLERK, "enterprise", at=later)


@pytest.mark.parametrize(
    "when",
    [
        datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=12))),
        datetime(1, 1, 1, 0, tzinfo=timezone(timedelta(hours=14))),
        datetime(2300, 1, 1, tzinfo=UTC),
    ],
    ids=["year-10000-in-utc", "year-0-in-utc", "year-2300"],
)
def test_moments_outside_the_supported_years_are_refused(run: pf.CampaignRun, when: datetime) -> None:
    """A moment that overflows when converted to UTC, or lies past 2199, is refused as
    InvalidInput naming the argument, in actions and in questions alike."""
    n = nominate(run, 1)
    with pytest.raises(pf.InvalidInput, match="at must lie from 1970 to 2199"):
        run.stamp(CLERK, n.id, at=when)
    with pytest.raises(pf.InvalidInput, match="at must lie from 1970 to 2199"):
        run.explain(n.id, "stamp", at=when)
    with pytest.raises(pf.InvalidInput, match="at must lie"):
        run.publish_notice(pf.Actor("MIN", "industry", "m"), at=when)


def _campaign_with(**changes: object) -> pf.Campaign:
    text = (resources.files("pilotflow") / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
    doc = yaml.safe_load(text)
    doc.update(changes)
    return pf.parse_campaign(yaml.safe_dump(doc, allow_unicode=True))


def test_the_tolerance_is_the_campaigns(clock: pf.FixedClock) -> None:
    """``clock_tolerance_seconds`` sets the allowance: with 0 only the clock's own moment is
    accepted; with 3600 an hour-old moment is; more than an hour is refused at load."""
    strict = _campaign_with(clock_tolerance_seconds=0)
    assert timedelta(0) == strict.clock_tolerance
    run = pf.CampaignRun(strict, lists=pf.empty_lists(strict), clock=clock)
    n = nominate(run, 1)
    with pytest.raises(pf.MomentRefused, match="tolerance of 0 s"):
        run.stamp(CLERK, n.id, at=clock.now() - timedelta(seconds=1))

    lenient = _campaign_with(clock_tolerance_seconds=3600)
    run = pf.CampaignRun(lenient, lists=pf.empty_lists(lenient), clock=clock)
    n = nominate(run, 1)
    clock.advance(hours=1)
    run.stamp(CLERK, n.id, at=clock.now() - timedelta(minutes=59))
    assert ["prepare_submission", "stamp_letter"] == [e.action for e in letter_log(run, n.id)]

    with pytest.raises(pf.CampaignFileError, match="clock_tolerance_seconds"):
        _campaign_with(clock_tolerance_seconds=3601)


def test_backfill_records_past_facts_and_says_so(
    store: Store, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A backfill run (importing a campaign run on paper) takes moments of the past; every
    event it writes records when it was entered, on every store, and the log replays. An
    ordinary run's events carry no such mark."""
    clock.set(shanghai(2024, 3, 1, 9))
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock, backfill=True)
    n = run.nominate(
        pf.Actor(WEIHAI_DISTRICT, "industry", "clerk"),
        unit_code=unit_code(991), unit_name="补录单位", unit_type="enterprise",
        scenario="smart_nursing_homes", origin=WEIHAI_DISTRICT, materials=all_materials(),
        at=shanghai(2023, 10, 17, 10),
    )  # fmt: skip
    n = run.stamp(CLERK, n.id, at=shanghai(2023, 10, 17, 11))

    history = [*run.history(n.id), *letter_log(run, n.id)]  # filed; its letter drafted and stamped
    assert [shanghai(2023, 10, 17, 10), *[shanghai(2023, 10, 17, 11)] * 2] == [e.at for e in history]
    assert {clock.now().isoformat()} == {e.entered_at for e in history}
    assert run.replay().nominations[n.id] == run.get(n.id)
    letter = run.carrying(n.id)
    assert letter is not None
    assert run.replay().submissions[letter.id] == letter
    with pytest.raises(pf.MomentRefused, match="future ones may not"):
        run.stamp(pf.Actor(WEIHAI_DISTRICT, "health", "h"), n.id, at=shanghai(2024, 3, 2))

    live = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    assert live.history(n.id)[-1].entered_at is not None  # the mark is in the stored log
    clock.set(shanghai(2023, 10, 17, 12))
    live.stamp(pf.Actor(WEIHAI_DISTRICT, "health", "h"), n.id)
    assert letter_log(live, n.id)[-1].entered_at is None


@pytest.mark.parametrize(
    "clock_value",
    [object(), "2023-10-17", lambda: None],
    ids=["no-now", "string", "function"],
)
def test_a_clock_is_checked_when_the_run_is_made(campaign: pf.Campaign, clock_value: object) -> None:
    """Something that is not a clock is refused when the run is made, not at its first action."""
    with pytest.raises(pf.InvalidInput, match="clock"):
        pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock_value)  # type: ignore[arg-type]


def test_a_clock_reading_naive_times_is_refused_at_once(campaign: pf.Campaign) -> None:
    """A clock whose ``now()`` returns a naive datetime is refused when the run is made."""

    class Naive:
        def now(self) -> datetime:
            return datetime(2023, 10, 17, 9)

    with pytest.raises(pf.NaiveDatetime, match=r"clock\.now\(\)"):
        pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=Naive())


@pytest.mark.parametrize(
    "clock_value",
    [None, object(), "2023-10-17"],
    ids=["none", "no-now", "string"],
)
def test_a_clock_put_in_later_is_checked_as_the_first(campaign: pf.Campaign, clock_value: object) -> None:
    """A clock given to a made run (``run.clock = ...``) is checked as one given when it was
    made: something that is not a clock is InvalidInput, and the run keeps its clock and
    works on. (``run.clock = None`` made every later action a raw AttributeError.)"""
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    with pytest.raises(pf.InvalidInput, match="clock"):
        run.clock = clock_value  # type: ignore[assignment]
    assert run.clock is clock
    assert "in_review" == nominate(run, 1).state


def test_a_refused_clock_leaves_the_run_reading_the_one_it_had(campaign: pf.Campaign) -> None:
    """A clock put in later that reads a naive time, or fails, is refused when it is put in,
    and the run goes on reading its former clock, at its former moment."""

    class Naive:
        def now(self) -> datetime:
            return datetime(2023, 10, 17, 9)

    class Broken:
        def now(self) -> datetime:
            raise OSError("no time source")

    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    with pytest.raises(pf.NaiveDatetime, match=r"clock\.now\(\)"):
        run.clock = Naive()
    with pytest.raises(pf.InvalidInput, match="no time source"):
        run.clock = Broken()
    assert run.clock is clock
    n = nominate(run, 1)
    assert n.state == "in_review"
    assert run.history(n.id)[-1].at == shanghai(2023, 10, 17, 9)


def test_a_clock_that_fails_is_an_invalid_input_at_every_action(campaign: pf.Campaign) -> None:
    """A clock whose ``now()`` raises (a host's time service down) makes an action, a question
    and the sweep an InvalidInput saying the clock failed, in English and Chinese, and
    nothing is written; given when the run is made, or later, it is refused at once."""

    class Failing:
        def __init__(self) -> None:
            self.up = True

        def now(self) -> datetime:
            if self.up:
                return shanghai(2023, 10, 17, 9)
            raise RuntimeError("time service unreachable")

    clock = Failing()
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    n = nominate(run, 1)
    clock.up = False
    before = state_of(run)
    for call in (lambda: run.stamp(CLERK, n.id), lambda: run.explain(n.id, "stamp"), run.tick):
        with pytest.raises(pf.InvalidInput, match=r"clock\.now\(\) failed: RuntimeError") as info:
            call()
        assert "本次运行所用的时钟读取时间失败" == info.value.zh
    assert before == state_of(run)
    for made in (lambda: pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock),
                 lambda: setattr(run, "clock", clock)):  # fmt: skip
        with pytest.raises(pf.InvalidInput, match=r"clock\.now\(\) failed"):
            made()


def test_a_run_refuses_a_store_that_is_not_one(campaign: pf.Campaign) -> None:
    """``store="memory://"`` (a URL where a store is expected) is refused at construction."""
    with pytest.raises(pf.InvalidInput, match="open_store"):
        pf.CampaignRun(campaign, store="memory://", lists=pf.empty_lists(campaign))  # type: ignore[arg-type]


def test_backfill_is_a_flag(campaign: pf.Campaign) -> None:
    """``backfill`` must be True or False (a truthy string is not enabling it by accident)."""
    with pytest.raises(pf.InvalidInput, match="backfill"):
        pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), backfill="yes")  # type: ignore[arg-type]


def test_a_clock_past_the_years_refuses_actions_and_writes_nothing(campaign: pf.Campaign) -> None:
    """A clock that reads a moment outside 1970-2199 (a host's clock gone wrong) makes every
    action, the sweep included, an InvalidInput that writes nothing: nothing is dated 2300."""

    class Drifting:
        def __init__(self) -> None:
            self.value = shanghai(2023, 10, 17, 9)

        def now(self) -> datetime:
            return self.value

    clock = Drifting()
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    n = nominate(run, 1)
    clock.value = datetime(2300, 1, 1, tzinfo=UTC)
    before = state_of(run)
    with pytest.raises(pf.InvalidInput, match=r"clock\.now\(\) must lie from 1970 to 2199"):
        run.stamp(CLERK, n.id)
    with pytest.raises(pf.InvalidInput, match="1970 to 2199"):
        run.tick()
    assert before == state_of(run)


@pytest.mark.parametrize(
    "delta",
    [
        {"years": 500},
        {"days": 10**12},
        {"days": float("nan")},
        {"days": "1"},
        {"fortnights": 1},
        {"years": 200},
    ],
    ids=["500-years", "huge", "nan", "text", "unknown-unit", "past-2199"],
)
def test_a_fixed_clock_advances_only_within_the_years(delta: dict[str, object]) -> None:
    """FixedClock.advance refuses unknown units, non-numbers, NaN and steps that leave the
    years pilotflow keeps (InvalidInput), and the clock stays where it was."""
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    with pytest.raises(pf.InvalidInput):
        clock.advance(**delta)  # type: ignore[arg-type]
    assert shanghai(2023, 10, 17, 9) == clock.now()


# -- one time type (docs/display.md, "Moments") ---------------------------------------------

SHANGHAI = ZoneInfo("Asia/Shanghai")
EIGHT_HOURS = timedelta(hours=8)
MINISTRY = pf.Actor("MIN", "industry", "ministry-operator")


class PendulumClock:
    """A host's clock reading ``pendulum.DateTime`` (what pilotflow's own clocks gave before)."""

    def __init__(self, start: datetime) -> None:
        self.value = pendulum.instance(start).in_timezone("Asia/Shanghai")

    def now(self) -> datetime:
        return self.value

    def set(self, value: datetime) -> None:
        self.value = pendulum.instance(value).in_timezone("Asia/Shanghai")


class UtcClock:
    """A host's clock reading standard datetimes in UTC (another zone than the campaign's)."""

    def __init__(self, start: datetime) -> None:
        self.value = start.astimezone(UTC)

    def now(self) -> datetime:
        return self.value

    def set(self, value: datetime) -> None:
        self.value = value.astimezone(UTC)


def _moments(run: pf.CampaignRun, nid: str, waiting: str) -> list[tuple[str, datetime]]:
    """Every moment in the public objects of a run that took ``nid`` to public notice (and
    left ``waiting`` at its district): its records, events, letters, the replayed record, a
    position's deadline and the campaign's deadlines."""
    n = run.get(nid)
    assert n.ministry is not None
    assert n.ministry.notice_until is not None
    found = [("created_at", n.created_at), ("updated_at", n.updated_at)]
    found += [("notice_until", n.ministry.notice_until)]
    found += [(f"event {e.action}", e.at) for e in run.events()]
    for s in run.submissions():
        found += [("letter created_at", s.created_at), ("letter updated_at", s.updated_at)]
        found += [("letter sent_at", s.sent_at)] if s.sent_at is not None else []
    replayed = run.replay().nominations[nid]
    found += [("replayed updated_at", replayed.updated_at), ("replayed created_at", replayed.created_at)]
    deadline = run.position(waiting, at=shanghai(2023, 10, 17, 9)).deadline
    assert deadline is not None
    found += [("position deadline", deadline)]
    found += [("hop deadline", r.deadline) for r in run.campaign.hops if r.deadline is not None]
    return found


def _to_notice(run: pf.CampaignRun, clock: PendulumClock | UtcClock) -> tuple[str, str]:
    """One unit from 环翠区 to the ministry, reviewed, proposed and put on public notice, each
    hop a minute after the last (distinct moments), and a second unit left at its district:
    their ids."""
    clock.set(shanghai(2023, 10, 17, 9))
    waiting = nominate(run, 2).id
    n = nominate(run, 1)
    minute = 0
    while n.state != "received":
        minute += 1
        clock.set(shanghai(2023, 10, 17, 10, minute))
        n = forward(run, n.id)
    clock.set(shanghai(2023, 11, 1, 9))
    for i in range(5):
        run.score(pf.Actor("MIN", "industry", f"expert-{i}"), n.id, score=80, opinion=f"专家{i}意见")
    run.conclude_review(MINISTRY, n.id)
    run.propose(MINISTRY, n.id)
    clock.set(shanghai(2023, 11, 2, 9))
    assert (n.id,) == tuple(run.publish_notice(MINISTRY))
    return n.id, waiting


@pytest.mark.parametrize("clock_kind", [PendulumClock, UtcClock], ids=["pendulum-clock", "utc-clock"])
def test_every_moment_is_a_standard_datetime_in_the_campaigns_zone(
    store: Store, campaign: pf.Campaign, clock_kind: type[PendulumClock] | type[UtcClock]
) -> None:
    """Whatever the clock gives (pendulum's DateTime, a standard datetime in UTC) and on every
    store (memory, a SQLite file, PostgreSQL), every moment in the run's public objects —
    records, events, letters, the replayed record, deadlines — is a standard ``datetime``
    (never a subclass) at the campaign's offset (+08:00); the memory store gives them in the
    campaign's ``ZoneInfo``; and the moments are those of a run of the same script on the
    memory store, in the same order."""
    clock = clock_kind(shanghai(2023, 10, 17, 9))
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    found = _moments(run, *_to_notice(run, clock))

    assert [] == [(what, type(m)) for what, m in found if type(m) is not datetime]
    assert [] == [(what, m) for what, m in found if m.utcoffset() != EIGHT_HOURS]
    assert {m.isoformat()[-6:] for _, m in found} == {"+08:00"}
    if isinstance(store, pf.MemoryStore):
        assert {m.tzinfo for _, m in found} == {SHANGHAI}

    reference_clock = clock_kind(shanghai(2023, 10, 17, 9))
    reference = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=reference_clock)
    expected = _moments(reference, *_to_notice(reference, reference_clock))
    assert [(w, m.isoformat()) for w, m in expected] == [(w, m.isoformat()) for w, m in found]
    assert [m for _, m in expected] == [m for _, m in found]  # equal instants, compared as objects


def test_the_clocks_and_deadlines_give_standard_datetimes_in_their_zone() -> None:
    """The system clock, a fixed clock set with a pendulum DateTime, a parsed moment and a
    deadline read from a date are standard datetimes in the ``ZoneInfo`` of their zone; a
    fixed clock set in a fixed offset keeps that offset. The conversion refuses a naive
    moment, and the zone an unknown name."""
    system = pf.SystemClock("Asia/Shanghai").now()
    fixed = pf.FixedClock(pendulum.datetime(2023, 10, 17, 9, tz="Asia/Shanghai"))
    parsed = pf.calendar.parse_moment("2023-10-18T09:00:00+00:00")
    deadline = pf.calendar.by_date(date(2023, 10, 18), inclusive=True)
    for m in (system, fixed.now(), fixed.advance(days=1).now(), parsed, deadline):
        assert (datetime, SHANGHAI) == (type(m), m.tzinfo)
    assert "2023-10-18T17:00:00+08:00" == parsed.isoformat()
    assert "2023-10-19T00:00:00+08:00" == deadline.isoformat()
    offset = timezone(timedelta(hours=8))
    assert offset == pf.FixedClock(datetime(2023, 10, 17, 9, tzinfo=offset)).now().tzinfo
    with pytest.raises(pf.NaiveDatetime):
        pf.calendar.in_zone(datetime(2023, 10, 17, 9), SHANGHAI)
    with pytest.raises(pf.InvalidInput, match="IANA"):
        pf.calendar.zone_info("Mars/Olympus")


def test_an_action_dated_at_another_offset_is_recorded_in_the_campaigns_zone(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """``at=`` written in UTC, as a pendulum DateTime, is recorded as the same instant in the
    campaign's zone, as a standard datetime."""
    n = nominate(run, 1)
    at = pendulum.instance(clock.now()).in_timezone("UTC")
    run.stamp(CLERK, n.id, at=at)
    recorded = letter_log(run, n.id)[-1].at
    assert (datetime, SHANGHAI, at) == (type(recorded), recorded.tzinfo, recorded)
    assert recorded.isoformat().endswith("+08:00")


def test_the_memory_log_gives_back_what_was_appended() -> None:
    """The memory store's log keeps events in columns; read back, they equal the events
    appended, whatever their moments' types and zones (pendulum, UTC, the campaign's), their
    versions (past 255 and 65,535) and their own data, over more events than one stretch of
    the log, read in order or one nomination at a time."""
    store = pf.MemoryStore()
    shape = ("in_review", "in_review", "370100", "370100", ("actor_holds",), "rev", ())
    moments = [
        datetime(2023, 10, 17, 9, tzinfo=SHANGHAI),
        pendulum.datetime(2023, 10, 17, 9, 1, tz="Asia/Shanghai"),
        datetime(2023, 10, 17, 1, 2, tzinfo=UTC),
    ]
    events = []
    for i in range(100):
        data = {"department": "industry"} if i % 3 else {"submission": f"s{i}", "rank": i}
        version = (1, 256, 70_000)[i % 3] + i
        at = moments[i % 3] if i % 7 else moments[0]
        events.append(pf.Event.of(f"n{i % 5}", version, "stamp", CLERK, at, *shape, None, data))
    log = store._log("c")  # the log alone: commits check versions, which is not its concern
    for e in events:
        log.append(e)
    assert events == list(log)
    assert [type(e.at) for e in events] == [type(e.at) for e in log]
    assert [e for e in events if e.nomination_id == "n3"] == store.events("c", "n3")


class _OffsetOf(dt.tzinfo):
    """A time zone of the caller's making whose UTC offset is whatever it was given."""

    def __init__(self, offset: object) -> None:
        self.offset = offset

    def utcoffset(self, d: dt.datetime | None) -> Any:
        return self.offset

    def dst(self, d: dt.datetime | None) -> None:
        return None


@pytest.mark.parametrize("offset", [dt.timedelta(hours=30), "8 hours"])
def test_a_time_zone_giving_no_valid_offset_is_refused_by_name(make_run: Any, offset: object) -> None:
    """A moment whose time zone gives an offset out of range or not a timedelta is
    InvalidInput naming the argument (``at`` of an action, ``now`` of the sweep), not the
    raw ValueError or TypeError of ``utcoffset``; a refusal shows at most a short part of a
    huge value."""
    run = make_run()
    when = dt.datetime(2023, 10, 17, 9, tzinfo=_OffsetOf(offset))
    n = nominate(run, 1)
    with pytest.raises(pf.InvalidInput, match=r"^at: its time zone gives no valid UTC offset"):
        run.attach_paper(pf.Actor.applicant(n.unit_code, "p"), n.id, "application_form_paper", 3, at=when)
    with pytest.raises(pf.InvalidInput, match=r"^now: its time zone gives no valid UTC offset") as info:
        run.tick(when)
    assert "UTC 偏移量无效" in info.value.zh
    with pytest.raises(pf.InvalidInput, match=r"^now must be") as info:
        run.tick("x" * 10_000_000)  # type: ignore[arg-type]
    assert len(info.value.en) < 500
    with pytest.raises(pf.MomentRefused, match=r"^now \("):  # (too far from the clock)
        run.tick(shanghai(2023, 12, 17, 9))


@pytest.mark.parametrize(
    ("day", "zone", "named"),
    [
        (None, "Asia/Shanghai", "day"),
        ("2023-10-18", "Asia/Shanghai", "day"),
        (date(9999, 12, 31), "Asia/Shanghai", "day"),
        (date(1, 1, 1), "Asia/Shanghai", "day"),
        (date(2023, 10, 18), None, "timezone"),
        (date(2023, 10, 18), "", "timezone"),
        (date(2023, 10, 18), "x" * 10_000, "timezone"),
        (date(2023, 10, 18), 8, "timezone"),
        (date(2023, 10, 18), "\ud800", "timezone"),
    ],
)
def test_by_date_refuses_what_is_no_day_or_zone(day: object, zone: object, named: str) -> None:
    """``calendar.by_date`` given no date, a date outside the years moments may have, or a
    time zone that is no IANA name is InvalidInput naming ``day`` or ``timezone`` (not an
    AttributeError, OverflowError, OSError or pendulum's InvalidTimezone)."""
    with pytest.raises(pf.InvalidInput, match=named):
        pf.calendar.by_date(day, inclusive=True, timezone=zone)  # type: ignore[arg-type]


@pytest.mark.parametrize("inclusive", [None, "no", float("nan"), {}, 1])
def test_by_date_takes_only_true_or_false_for_inclusive(inclusive: object) -> None:
    """``by_date(inclusive=...)`` is a yes/no argument: anything but True or False is
    InvalidInput naming it (a truthy ``"no"`` read as inclusive, a day late)."""
    with pytest.raises(pf.InvalidInput, match="inclusive"):
        pf.calendar.by_date(date(2023, 10, 18), inclusive=inclusive)  # type: ignore[arg-type]


def test_a_moment_that_cannot_be_read_is_named_with_its_characters_escaped() -> None:
    """The parser's own complaint in the message of an unreadable moment shows the caller's
    text escaped (an escape sequence, a lone surrogate), so that printing or logging the
    error as UTF-8 cannot fail nor clear a terminal."""
    with pytest.raises(pf.InvalidInput) as info:
        pf.calendar.parse_moment("a\ud800b\x1b[2J", "deadline")
    assert "\x1b" not in info.value.en
    assert "\ud800" not in info.value.en
    info.value.en.encode("utf-8")
