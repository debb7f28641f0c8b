"""The ministry phase: expert review, on-site spot checks, the proposed list, the public notice
in Chinese working days, objections and the announcement.

Pins, per step, its actor (anyone but the ministry is refused ``not_authorized``), its guard,
its audit event (action, actor, data) and the same ``explain()`` answers as the earlier hops;
the campaign's rule for combining expert scores; how spot checks are drawn; how the notice
window is counted; that an objection suspends only its unit; that the deadline sweep announces
exactly once; that the log replays to the state. Ends with an end-to-end run of the bundled
2023 campaign on SQLite, from district nominations to the announcement and the revocations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.service import Winner, combine_scores
from pilotflow.workdays import CalendarDataMissing, covered_years

from conftest import (
    CAMPAIGN_ID,
    MIN,
    MINISTRY,
    QINGDAO,
    QINGDAO_DISTRICT,
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    WEIHAI_DISTRICT_2,
    all_materials,
    assert_replays,
    codes,
    file_material,
    forward,
    nominate,
    on,
    refused,
    send_letters,
    shanghai,
    state_of,
    unit_code,
)

QINGDAO_DISTRICT_2 = "370202"  # 市南区

PROVINCE = pf.Actor(SHANDONG, "industry", "province-clerk")
SWEEP = pf.Actor(MIN, "system", "deadline-sweep")
REVIEW_DAY = shanghai(2023, 11, 1, 9)  # after every deadline: the ministry's work begins
PUBLISH_DAY = shanghai(2023, 11, 2, 9)  # a Thursday
NOTICE_CLOSES = shanghai(2023, 11, 10)  # 5 working days: Nov 3, 6, 7, 8, 9 → 24:00 of Nov 9
RE_REVIEW_MATERIALS = (file_material("re_review_video"), file_material("re_review_application_form"))

# Where units can reach the ministry from without running out of quota: Weihai (through
# Shandong) and Qingdao (a 计划单列市, straight to the ministry), per unit type.
SLOTS = (
    *[(WEIHAI_DISTRICT, "enterprise")] * 3,
    *[(QINGDAO_DISTRICT, "enterprise")] * 2,
    *[(WEIHAI_DISTRICT, "street_town")] * 3,
    *[(QINGDAO_DISTRICT, "street_town")] * 4,
    (WEIHAI_DISTRICT, "park"),
)

BUNDLED_YAML = (
    resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
)


# -- helpers -----------------------------------------------------------------------------------


def expert(i: int) -> pf.Actor:
    return pf.Actor(MIN, "industry", f"expert-{i}")


def variant(old: str, new: str) -> pf.Campaign:
    """The bundled campaign with one line of its YAML changed."""
    assert old in BUNDLED_YAML
    return pf.parse_campaign(BUNDLED_YAML.replace(old, new), source=f"variant: {new}")


def variant_run(campaign: pf.Campaign, clock: pf.FixedClock) -> pf.CampaignRun:
    return pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)


def to_ministry(run: pf.CampaignRun, count: int, start: int = 0) -> list[str]:
    """``count`` units nominated in Weihai or Qingdao and forwarded to the ministry."""
    ids = []
    for i in range(start, start + count):
        origin, unit_type = SLOTS[i]
        n = nominate(run, i, origin=origin, unit_type=unit_type)
        for _ in range(len(n.route) - 1):
            n = forward(run, n.id)
        assert "received" == n.state
        ids.append(n.id)
    return ids


def score_all(run: pf.CampaignRun, nid: str, scores: Sequence[float]) -> pf.Nomination:
    n = run.get(nid)
    for i, value in enumerate(scores):
        n = run.score(expert(i), nid, score=value, opinion=f"专家{i}意见：材料翔实")
    return n


def reviewed(run: pf.CampaignRun, clock: pf.FixedClock, count: int, start: int = 0) -> list[str]:
    """``count`` units past the expert review (every expert gives 80)."""
    ids = to_ministry(run, count, start)
    clock.set(REVIEW_DAY)
    for nid in ids:
        score_all(run, nid, [80] * 5)
        assert "reviewed" == run.conclude_review(MINISTRY, nid).state
    return ids


def on_notice(run: pf.CampaignRun, clock: pf.FixedClock, count: int) -> list[str]:
    """``count`` units proposed and put on public notice on PUBLISH_DAY."""
    ids = reviewed(run, clock, count)
    for nid in ids:
        run.propose(MINISTRY, nid)
    assert set(ids) == set(run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY)))
    return ids


def last_event(run: pf.CampaignRun, nid: str) -> pf.Event:
    return run.history(nid)[-1]


# -- expert review -----------------------------------------------------------------------------


def test_each_expert_score_and_opinion_is_recorded_and_audited(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """A ministry expert's score and opinion land in the unit's ministry record and in a
    ``score`` event naming the expert, the score and the opinion; the state stays received."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)

    n = run.score(expert(0), nid, score=81.5, opinion="应用成效明显")
    n = run.score(expert(1), nid, score=77, opinion="模式可推广")

    assert "received" == n.state
    assert [("expert-0", 81.5, "应用成效明显"), ("expert-1", 77.0, "模式可推广")] == [
        (s.expert, s.score, s.opinion) for s in n.ministry.scores
    ]
    event = last_event(run, nid)
    assert ("score", expert(1), REVIEW_DAY) == (event.action, event.actor, event.at)
    assert ("received", "received", MIN) == (event.from_state, event.to_state, event.to_holder)
    assert {"expert": "expert-1", "score": 77.0, "opinion": "模式可推广"} == dict(event.data)
    assert ("actor_holds", "expert_not_scored") == event.verdicts


def test_only_the_ministry_scores(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A province clerk cannot score a unit the ministry holds: not_authorized, nothing
    written; explain() gives the same reason."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    before = state_of(run)

    error = refused(lambda: run.score(PROVINCE, nid, score=90, opinion="好"))

    assert ["not_authorized"] == list(error.codes)
    assert ["not_authorized"] == codes(run.explain(nid, "score", actor=PROVINCE))
    assert [] == codes(run.explain(nid, "score", actor=expert(0)))
    assert before == state_of(run)


def test_an_expert_scores_a_unit_once(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The same expert (person id) scoring twice, even for another ministry department, is
    refused already_scored; another expert may still score."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    run.score(expert(0), nid, score=70, opinion="一般")
    same_person = pf.Actor(MIN, "health", "expert-0")

    error = refused(lambda: run.score(same_person, nid, score=90, opinion="改分"))

    assert ["already_scored"] == list(error.codes)
    assert {"expert": "expert-0"} == dict(error.reasons[0].details)
    assert ["already_scored"] == codes(run.explain(nid, "score", actor=same_person))
    assert 1 == len(run.get(nid).ministry.scores)
    assert 2 == len(run.score(expert(1), nid, score=90, opinion="好").ministry.scores)


@pytest.mark.parametrize(
    ("score", "opinion"),
    [(101, "好"), (-1, "好"), (True, "好"), ("80", "好"), (80, ""), (80, "   ")],
)
def test_score_and_opinion_are_checked(
    run: pf.CampaignRun, clock: pf.FixedClock, score: object, opinion: str
) -> None:
    """A score outside 0..100, not a number, or without a written opinion is invalid input
    and writes nothing."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    before = state_of(run)
    with pytest.raises(pf.InvalidInput):
        run.score(expert(0), nid, score=score, opinion=opinion)  # type: ignore[arg-type]
    assert before == state_of(run)


def test_a_score_finer_than_the_pass_mark_is_compared_at_is_refused(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """A score has at most two decimal places, the precision the combined score is compared
    with the pass score at: 59.996 is refused, naming the score in English and Chinese, and
    writes nothing. (Five experts' 59.996 combined to 60.00 and the unit passed, though each
    expert scored it below 60.) A score whose binary value only looks longer (``0.1 + 0.2``)
    is taken as the two-decimal number it is, and five scores of 59.99 fail."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    before = state_of(run)
    with pytest.raises(pf.InvalidInput, match="at most 2 decimal places") as info:
        run.score(expert(0), nid, score=59.996, opinion="材料翔实")
    assert "最多保留 2 位小数" in info.value.zh
    assert before == state_of(run)
    n = run.score(expert(9), nid, score=59.89 + 0.1, opinion="材料翔实")
    assert 59.99 == n.ministry.scores[0].score
    n = score_all(run, nid, [59.99] * 5)
    assert ("rejected", 59.99) == (run.conclude_review(MINISTRY, nid).state, run.get(nid).ministry.combined)


def test_only_received_units_are_scored(run: pf.CampaignRun) -> None:
    """A unit still on its way up (in review at its district) cannot be scored."""
    n = nominate(run, 1)
    error = refused(lambda: run.score(expert(0), n.id, score=80, opinion="好"))
    assert ["not_allowed_in_state"] == list(error.codes)


def test_conclude_needs_the_campaign_minimum_of_experts(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """With 4 scores where the campaign asks 5, concluding is refused scores_missing (have 4,
    need 5), explain() says so; the fifth score lets it through."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    score_all(run, nid, [80] * 4)

    error = refused(lambda: run.conclude_review(MINISTRY, nid))

    assert ["scores_missing"] == list(error.codes)
    assert {"have": 4, "need": 5} == dict(error.reasons[0].details)
    assert ["scores_missing"] == codes(run.explain(nid, "conclude", actor=MINISTRY))
    run.score(expert(4), nid, score=80, opinion="好")
    assert [] == codes(run.explain(nid, "conclude", actor=MINISTRY))
    assert "reviewed" == run.conclude_review(MINISTRY, nid).state


def test_only_the_ministry_concludes(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The province cannot conclude the ministry's review; explain() lists not_authorized
    alongside a missing score."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    score_all(run, nid, [80] * 4)
    assert ["not_authorized", "scores_missing"] == codes(run.explain(nid, "conclude", actor=PROVINCE))
    run.score(expert(4), nid, score=80, opinion="好")
    assert ["not_authorized"] == list(refused(lambda: run.conclude_review(PROVINCE, nid)).codes)


@pytest.mark.parametrize(
    ("scores", "combined", "state"),
    [
        ([20, 70, 80, 85, 90], 78.33, "reviewed"),  # 20 and 90 dropped
        ([0, 40, 40, 100, 100], 60.0, "reviewed"),  # exactly the pass score passes
        ([0, 0, 70, 70, 100], 46.67, "rejected"),
    ],
)
def test_conclude_combines_by_trimmed_mean_and_records_it(
    run: pf.CampaignRun, clock: pf.FixedClock, scores: list[float], combined: float, state: str
) -> None:
    """The bundled campaign drops the highest and the lowest score and averages the rest;
    at least 60 → reviewed, below → rejected. The conclude event records the combined score."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    score_all(run, nid, scores)

    n = run.conclude_review(MINISTRY, nid)

    assert (state, combined) == (n.state, n.ministry.combined)
    event = last_event(run, nid)
    assert ("conclude", MINISTRY, "received", state) == (
        event.action,
        event.actor,
        event.from_state,
        event.to_state,
    )
    assert {"combined": combined} == dict(event.data)
    assert ("actor_holds", "enough_scores") == event.verdicts


@pytest.mark.parametrize(
    ("rule", "scores", "combined", "state"),
    [
        ("median", [0, 0, 70, 70, 100], 70.0, "reviewed"),
        ("mean", [0, 0, 70, 70, 100], 48.0, "rejected"),
        ("trimmed_mean", [0, 0, 70, 70, 100], 46.67, "rejected"),
        ("median", [0, 40, 40, 100, 100], 40.0, "rejected"),
        ("mean", [0, 40, 40, 100, 100], 56.0, "rejected"),
        ("trimmed_mean", [0, 40, 40, 100, 100], 60.0, "reviewed"),
    ],
)
def test_the_campaign_decides_how_scores_combine(
    clock: pf.FixedClock, rule: str, scores: list[float], combined: float, state: str
) -> None:
    """The same five scores pass under one combine rule and fail under another: the rule is
    the campaign's ``ministry.combine`` setting, not code."""
    campaign = variant("combine: trimmed_mean", f"combine: {rule}")
    assert rule == campaign.ministry.combine
    run = variant_run(campaign, clock)
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    score_all(run, nid, scores)

    n = run.conclude_review(MINISTRY, nid)

    assert (state, combined) == (n.state, n.ministry.combined)


def test_min_experts_and_pass_score_are_campaign_settings(clock: pf.FixedClock) -> None:
    """A campaign asking 3 experts and a pass score of 75 concludes after 3 scores, and 74
    fails it."""
    text = BUNDLED_YAML.replace("min_experts: 5", "min_experts: 3").replace(
        "pass_score: 60", "pass_score: 75"
    )
    run = variant_run(pf.parse_campaign(text), clock)
    a, b = to_ministry(run, 2)
    clock.set(REVIEW_DAY)
    score_all(run, a, [74, 74, 74])
    score_all(run, b, [75, 75, 75])
    assert ("rejected", "reviewed") == (
        run.conclude_review(MINISTRY, a).state,
        run.conclude_review(MINISTRY, b).state,
    )


def test_combine_scores_rules() -> None:
    """trimmed_mean drops one highest and one lowest (a plain mean below 3 scores), median is
    the middle value, mean the average; results are rounded to 2 decimals."""
    assert 78.33 == combine_scores([70, 80, 90, 20, 85], "trimmed_mean")
    assert 75.0 == combine_scores([70, 80], "trimmed_mean")
    assert 80.0 == combine_scores([90, 70, 80], "median")
    assert 75.0 == combine_scores([70, 80, 90, 60], "median")
    assert 66.67 == combine_scores([60, 70, 70], "mean")


def test_concluded_units_take_no_more_scores(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Once concluded, a unit is no longer scored (not_allowed_in_state)."""
    [nid] = reviewed(run, clock, 1)
    assert ["not_allowed_in_state"] == list(
        refused(lambda: run.score(expert(9), nid, score=0, opinion="x")).codes
    )


# -- spot checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "drawn"), [(1, 1), (4, 1), (5, 1), (6, 2), (10, 2)])
def test_spot_check_draw_takes_the_campaign_rate_rounded_up(
    run: pf.CampaignRun, clock: pf.FixedClock, count: int, drawn: int
) -> None:
    """The campaign checks 20% of the reviewed units on site, rounded up: 1 of 1, 1 of 5,
    2 of 6; drawn units are marked selected and each gets one select_for_check event."""
    ids = reviewed(run, clock, count)

    result = run.draw_spot_checks(MINISTRY, seed=1)

    assert drawn == len(result) == len(set(result))
    assert set(result) <= set(ids)
    for nid in ids:
        n = run.get(nid)
        assert ("selected" if nid in result else None) == n.ministry.check
        assert "reviewed" == n.state
    for nid in result:
        event = last_event(run, nid)
        assert ("select_for_check", MINISTRY, "reviewed", "reviewed") == (
            event.action, event.actor, event.from_state, event.to_state,
        )  # fmt: skip


@pytest.mark.parametrize(("rate", "drawn"), [(0.5, 2), (0.34, 2), (0.33, 1), (0, 0), (1, 3)])
def test_spot_check_rate_given_by_the_ministry_rounds_up(
    run: pf.CampaignRun, clock: pf.FixedClock, rate: float, drawn: int
) -> None:
    """A rate given to the draw overrides the campaign's, still rounded up (0.34 × 3 → 2)."""
    reviewed(run, clock, 3)
    assert drawn == len(run.draw_spot_checks(MINISTRY, rate=rate, seed=3))


@pytest.mark.parametrize("rate", [-0.1, 1.5, True, "0.2"])
def test_spot_check_rate_must_be_a_share(run: pf.CampaignRun, clock: pf.FixedClock, rate: object) -> None:
    """A rate outside 0..1 (or not a number) is invalid input and draws nothing."""
    reviewed(run, clock, 2)
    before = state_of(run)
    with pytest.raises(pf.InvalidInput):
        run.draw_spot_checks(MINISTRY, rate=rate)  # type: ignore[arg-type]
    assert before == state_of(run)


def test_spot_check_draw_is_repeatable_with_a_seed(
    make_run: Callable[..., pf.CampaignRun], clock: pf.FixedClock
) -> None:
    """The same seed over the same reviewed units draws the same units (by unit code) in two
    independent runs."""
    drawn = []
    for _ in range(2):
        clock.set(shanghai(2023, 10, 17, 9))
        run = make_run()
        reviewed(run, clock, 10)
        drawn.append(sorted(run.get(nid).unit_code for nid in run.draw_spot_checks(MINISTRY, seed=2023)))
    assert 2 == len(drawn[0])
    assert drawn[0] == drawn[1]


def test_ministry_may_name_the_units_to_check(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A named draw selects exactly the named units, whatever the rate; a unit already drawn
    or not reviewed cannot be named (invalid input, nothing written)."""
    a, b, c = reviewed(run, clock, 3)

    assert (c, a) == run.draw_spot_checks(MINISTRY, nominations=[c, a])

    assert ["selected", None, "selected"] == [run.get(x).ministry.check for x in (a, b, c)]
    before = state_of(run)
    for bad in ([a], ["no-such-id"]):
        with pytest.raises(pf.InvalidInput):
            run.draw_spot_checks(MINISTRY, nominations=bad)
    assert before == state_of(run)
    assert () == run.draw_spot_checks(MINISTRY, nominations=[])


def test_a_retried_draw_returns_the_first_draw(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """With an idempotency key, repeating a random draw returns the units of the first draw
    and writes nothing (a retried request must not double the sample); naming a unit twice
    is bad input."""
    reviewed(run, clock, 10)
    first = run.draw_spot_checks(MINISTRY, rate=0.2, idempotency_key="draw-1")
    before = state_of(run)
    assert first == run.draw_spot_checks(MINISTRY, rate=0.2, idempotency_key="draw-1")
    assert before == state_of(run)
    assert 2 == len(first)
    other = next(n.id for n in run.nominations(state="reviewed") if n.id not in first)
    with pytest.raises(pf.InvalidInput, match="twice"):
        run.draw_spot_checks(MINISTRY, nominations=[other, other])


def test_only_the_ministry_draws_spot_checks(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The province cannot draw the ministry's spot checks: not_authorized, nothing drawn."""
    [nid] = reviewed(run, clock, 1)
    before = state_of(run)
    error = refused(lambda: run.draw_spot_checks(PROVINCE, nominations=[nid]))
    assert ["not_authorized"] == list(error.codes)
    assert before == state_of(run)


def test_passed_spot_check_keeps_the_unit_failed_one_rejects_it(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """A passed check leaves the unit reviewed (check "passed"); a failed check removes it
    (rejected). Both are audited with the ministry actor, the result and the reason."""
    a, b = reviewed(run, clock, 2)
    run.draw_spot_checks(MINISTRY, nominations=[a, b])

    assert ["not_authorized"] == codes(run.explain(a, "check", actor=PROVINCE))
    n = run.record_spot_check(MINISTRY, a, passed=True, reason="现场核查属实")
    m = run.record_spot_check(MINISTRY, b, passed=False, reason="现场无相关应用")

    assert ("reviewed", "passed") == (n.state, n.ministry.check)
    assert ("rejected", "failed") == (m.state, m.ministry.check)
    event = last_event(run, b)
    assert ("check", MINISTRY, "reviewed", "rejected", "现场无相关应用") == (
        event.action, event.actor, event.from_state, event.to_state, event.reason,
    )  # fmt: skip
    assert {"passed": False} == dict(event.data)
    assert {"passed": True} == dict(last_event(run, a).data)


def test_spot_check_result_needs_a_draw_the_ministry_and_a_reason(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """A result for a unit not drawn is refused not_selected_for_check (also a second result
    for one already checked); the province cannot record one; a blank reason is invalid."""
    a, b = reviewed(run, clock, 2)
    run.draw_spot_checks(MINISTRY, nominations=[a])

    assert ["not_selected_for_check"] == list(
        refused(lambda: run.record_spot_check(MINISTRY, b, passed=True, reason="属实")).codes
    )
    assert ["not_selected_for_check"] == codes(run.explain(b, "check", actor=MINISTRY))
    assert ["not_authorized"] == list(
        refused(lambda: run.record_spot_check(PROVINCE, a, passed=True, reason="属实")).codes
    )
    with pytest.raises(pf.InvalidInput):
        run.record_spot_check(MINISTRY, a, passed=True, reason=" ")
    with pytest.raises(pf.InvalidInput):
        run.record_spot_check(MINISTRY, a, passed="yes", reason="属实")  # type: ignore[arg-type]
    run.record_spot_check(MINISTRY, a, passed=True, reason="属实")
    assert ["not_selected_for_check"] == list(
        refused(lambda: run.record_spot_check(MINISTRY, a, passed=False, reason="改判")).codes
    )


# -- proposed list and public notice -------------------------------------------------------------


def test_propose_waits_for_a_drawn_spot_check(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A unit drawn for a spot check cannot be proposed until its result is in
    (spot_check_pending, also from explain()); an undrawn unit is proposed at once."""
    a, b = reviewed(run, clock, 2)
    run.draw_spot_checks(MINISTRY, nominations=[a])

    assert ["spot_check_pending"] == list(refused(lambda: run.propose(MINISTRY, a)).codes)
    assert ["spot_check_pending"] == codes(run.explain(a, "propose", actor=MINISTRY))
    assert "proposed" == run.propose(MINISTRY, b).state
    run.record_spot_check(MINISTRY, a, passed=True, reason="属实")
    assert [] == codes(run.explain(a, "propose", actor=MINISTRY))
    n = run.propose(MINISTRY, a)

    assert "proposed" == n.state
    event = last_event(run, a)
    assert ("propose", MINISTRY, "reviewed", "proposed") == (
        event.action,
        event.actor,
        event.from_state,
        event.to_state,
    )


def test_propose_by_the_ministry_only_and_only_reviewed_units(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """The province cannot propose; a rejected unit cannot be proposed."""
    a, b = to_ministry(run, 2)
    clock.set(REVIEW_DAY)
    score_all(run, a, [80] * 5)
    score_all(run, b, [10] * 5)
    run.conclude_review(MINISTRY, a)
    run.conclude_review(MINISTRY, b)
    assert ["not_authorized"] == list(refused(lambda: run.propose(PROVINCE, a)).codes)
    assert ["not_authorized"] == codes(run.explain(a, "propose", actor=PROVINCE))
    assert ["not_allowed_in_state"] == list(refused(lambda: run.propose(MINISTRY, b)).codes)


def test_publish_puts_every_proposed_unit_on_notice_for_five_working_days(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """Publishing on Thursday 2 Nov 2023 puts every proposed unit (not the merely reviewed)
    on notice until 24:00 of Thursday 9 Nov (5 working days, the weekend skipped); each gets
    a publish event with that moment."""
    a, b, c = reviewed(run, clock, 3)
    run.propose(MINISTRY, a)
    run.propose(MINISTRY, b)

    published = run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))

    assert {a, b} == set(published)
    assert ["on_notice", "on_notice", "reviewed"] == [run.get(x).state for x in (a, b, c)]
    assert NOTICE_CLOSES == run.get(a).ministry.notice_until
    event = last_event(run, a)
    assert ("publish", MINISTRY, PUBLISH_DAY, "proposed", "on_notice") == (
        event.action, event.actor, event.at, event.from_state, event.to_state,
    )  # fmt: skip
    assert {"until": "2023-11-10T00:00:00+08:00"} == dict(event.data)
    assert () == run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))  # nothing left to publish


def test_only_the_ministry_publishes(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The province cannot publish the ministry's notice: not_authorized, nothing written."""
    [nid] = reviewed(run, clock, 1)
    run.propose(MINISTRY, nid)
    before = state_of(run)
    assert ["not_authorized"] == list(refused(lambda: run.publish_notice(PROVINCE)).codes)
    assert before == state_of(run)


def test_publish_cannot_precede_the_proposal(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Actions on a nomination are in time order: publishing at a moment before the unit was
    proposed is refused (invalid input) and writes nothing, as for every other action."""
    [nid] = reviewed(run, clock, 1)
    run.propose(MINISTRY, nid)  # on REVIEW_DAY, 1 Nov
    before = state_of(run)
    with pytest.raises(pf.InvalidInput):
        run.publish_notice(MINISTRY, at=on(run, shanghai(2023, 10, 25, 9)))
    assert before == state_of(run)


def test_spot_check_draw_cannot_precede_the_review(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Drawing a unit for a spot check at a moment before its review was concluded is
    refused (invalid input, out of time order) and draws nothing."""
    [nid] = reviewed(run, clock, 1)  # concluded on REVIEW_DAY, 1 Nov
    before = state_of(run)
    with pytest.raises(pf.InvalidInput):
        run.draw_spot_checks(MINISTRY, nominations=[nid], at=on(run, shanghai(2023, 10, 31, 9)))
    assert before == state_of(run)


def test_sweep_never_announces_before_the_last_ruling(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A sweep run for a moment before a unit's objection was dismissed does not announce it
    at that earlier moment (the log stays in time order); a sweep at or after the ruling does."""
    [nid] = on_notice(run, clock, 1)
    run.file_objection(nid, objector="李某", grounds="g", evidence="e", at=on(run, shanghai(2023, 11, 9, 23)))
    run.rule_on_objection(MINISTRY, nid, upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 15)))

    assert () == run.tick(on(run, shanghai(2023, 11, 12)))
    assert (nid,) == run.tick(on(run, shanghai(2023, 11, 15)))
    times = [e.at for e in run.history(nid)]
    assert sorted(times) == times


@pytest.mark.parametrize(
    ("published", "closes"),
    [
        # Thu 21 Sep: Fri 22, Mon 25 – Thu 28 → closes at 24:00 of Thu 28 Sep.
        (shanghai(2023, 9, 21, 17), shanghai(2023, 9, 29)),
        # Thu 28 Sep, just before the golden week (29 Sep – 6 Oct off): the make-up workdays
        # Sat 7 and Sun 8 Oct, then 9, 10, 11 Oct → closes at 24:00 of Wed 11 Oct.
        (shanghai(2023, 9, 28, 17), shanghai(2023, 10, 12)),
    ],
)
def test_notice_runs_in_chinese_working_days(
    run: pf.CampaignRun, clock: pf.FixedClock, published: datetime, closes: datetime
) -> None:
    """The notice period counts working days of the Chinese calendar: published a week
    earlier it closes after 8 calendar days, published just before the National Day golden
    week it closes after 14. Objections are taken on a holiday inside the window, and the
    sweep announces at the close, not a minute earlier."""
    clock.set(shanghai(2023, 9, 20, 9))
    [nid] = reviewed_at(run, clock, shanghai(2023, 9, 20, 10))
    run.propose(MINISTRY, nid)

    run.publish_notice(MINISTRY, at=on(run, published))

    assert closes == run.get(nid).ministry.notice_until
    last_minute = closes.subtract(minutes=1)
    assert [] == codes(run.explain(nid, "object", at=last_minute))
    assert ["notice_closed"] == codes(run.explain(nid, "object", at=closes))
    assert () == run.tick(on(run, last_minute))
    assert (nid,) == run.tick(on(run, closes))
    assert "announced" == run.get(nid).state


def reviewed_at(run: pf.CampaignRun, clock: pf.FixedClock, when: datetime) -> list[str]:
    """One unit taken to the ministry and reviewed at ``when`` (for notice-date tests)."""
    [nid] = to_ministry(run, 1)
    clock.set(when)
    score_all(run, nid, [80] * 5)
    run.conclude_review(MINISTRY, nid)
    return [nid]


def test_golden_week_objection_is_inside_the_window(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Published on 28 Sep 2023, the notice still runs on 10 Oct: an objection filed then
    (which a count of 5 calendar days would have refused) is accepted."""
    clock.set(shanghai(2023, 9, 20, 9))
    [nid] = reviewed_at(run, clock, shanghai(2023, 9, 20, 10))
    run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, shanghai(2023, 9, 28, 17)))

    n = run.file_objection(
        nid, objector="王某", grounds="数据不实", evidence="举报材料", at=on(run, shanghai(2023, 10, 10, 9))
    )

    assert "objected" == n.state


def test_notice_in_a_year_without_holiday_data_is_refused(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A notice whose working days reach a year the installed Chinese calendar does not cover
    is refused with the workdays error naming that year (never guessed from weekdays), and
    nothing is published."""
    [nid] = reviewed(run, clock, 1)
    run.propose(MINISTRY, nid)
    last = covered_years().stop - 1
    before = state_of(run)

    with pytest.raises(CalendarDataMissing) as missing:
        run.publish_notice(MINISTRY, at=on(run, shanghai(last, 12, 30, 9)))

    assert last + 1 == missing.value.year
    assert isinstance(missing.value, pf.PilotflowError)
    assert before == state_of(run)
    assert "proposed" == run.get(nid).state


def test_notice_length_is_a_campaign_setting(clock: pf.FixedClock) -> None:
    """A campaign with a 7-working-day notice closes two working days later than the
    bundled 5."""
    run = variant_run(variant("working_days: 5", "working_days: 7"), clock)
    [nid] = reviewed(run, clock, 1)
    run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    assert shanghai(2023, 11, 14) == run.get(nid).ministry.notice_until  # + Fri 10, Mon 13


# -- objections ----------------------------------------------------------------------------------


def test_objection_suspends_only_its_unit_and_is_audited(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """An objection inside the window, naming the objector, grounds and evidence, moves only
    that unit to objected; the event's actor is the named member of the public."""
    a, b, c = on_notice(run, clock, 3)
    when = shanghai(2023, 11, 6, 10)

    n = run.file_objection(
        b, objector="李某", grounds="虚报服务人数", evidence="附件：照片", at=on(run, when)
    )

    assert ["on_notice", "objected", "on_notice"] == [run.get(x).state for x in (a, b, c)]
    [objection] = n.ministry.objections
    assert ("李某", "虚报服务人数", "附件：照片", when, None) == (
        objection.objector, objection.grounds, objection.evidence, objection.at, objection.ruling,
    )  # fmt: skip
    event = last_event(run, b)
    assert ("object", pf.Actor("public", "objector", "李某"), "on_notice", "objected") == (
        event.action, event.actor, event.from_state, event.to_state,
    )  # fmt: skip
    assert {"objector": "李某", "grounds": "虚报服务人数", "evidence": "附件：照片"} == dict(event.data)


def test_objection_only_inside_the_window(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """An objection at the close of the window or later is refused notice_closed (explain()
    says so); one against a unit not on notice is refused too."""
    a, b = on_notice(run, clock, 2)
    before = state_of(run)

    error = refused(
        lambda: run.file_objection(a, objector="李某", grounds="x", evidence="y", at=on(run, NOTICE_CLOSES))
    )

    assert ["notice_closed"] == list(error.codes)
    assert ["notice_closed"] == codes(run.explain(a, "object", at=shanghai(2023, 11, 20)))
    assert before == state_of(run)
    run.file_objection(b, objector="李某", grounds="x", evidence="y", at=on(run, shanghai(2023, 11, 3)))
    again = refused(
        lambda: run.file_objection(
            b, objector="张某", grounds="x", evidence="y", at=on(run, shanghai(2023, 11, 3))
        )
    )
    assert ["not_allowed_in_state"] == list(again.codes)


@pytest.mark.parametrize("missing", ["objector", "grounds", "evidence"])
def test_objection_names_objector_grounds_and_evidence(
    run: pf.CampaignRun, clock: pf.FixedClock, missing: str
) -> None:
    """An anonymous objection, or one without grounds or evidence, is invalid input."""
    [nid] = on_notice(run, clock, 1)
    fields = {"objector": "李某", "grounds": "虚报", "evidence": "照片", missing: "  "}
    with pytest.raises(pf.InvalidInput):
        run.file_objection(nid, at=on(run, shanghai(2023, 11, 3)), **fields)
    assert "on_notice" == run.get(nid).state


def test_upheld_objection_removes_the_unit(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Upheld by the ministry (with a reason), the objection removes the unit; the others
    are announced when the window closes, the removed one never."""
    a, b = on_notice(run, clock, 2)
    run.file_objection(a, objector="李某", grounds="虚报", evidence="照片", at=on(run, shanghai(2023, 11, 3)))

    n = run.rule_on_objection(
        MINISTRY, a, upheld=True, reason="经核实属实", at=on(run, shanghai(2023, 11, 7))
    )

    assert "removed" == n.state
    assert "upheld" == n.ministry.objections[-1].ruling
    event = last_event(run, a)
    assert ("uphold", MINISTRY, "objected", "removed", "经核实属实") == (
        event.action, event.actor, event.from_state, event.to_state, event.reason,
    )  # fmt: skip
    assert (b,) == run.tick(on(run, NOTICE_CLOSES))
    assert ("removed", "announced") == (run.get(a).state, run.get(b).state)


def test_dismissed_objection_puts_the_unit_back_on_notice(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Dismissed, the unit is back on notice until the window closes, then announced; it may
    be objected to again inside the window."""
    a, b = on_notice(run, clock, 2)
    run.file_objection(a, objector="李某", grounds="虚报", evidence="照片", at=on(run, shanghai(2023, 11, 3)))

    n = run.rule_on_objection(
        MINISTRY, a, upheld=False, reason="经核实不属实", at=on(run, shanghai(2023, 11, 6))
    )

    assert ("on_notice", "dismissed") == (n.state, n.ministry.objections[-1].ruling)
    assert ("dismiss", "objected", "on_notice") == (
        last_event(run, a).action, last_event(run, a).from_state, last_event(run, a).to_state,
    )  # fmt: skip
    assert NOTICE_CLOSES == n.ministry.notice_until
    assert () == run.tick(on(run, shanghai(2023, 11, 8)))
    run.file_objection(
        a, objector="张某", grounds="另有问题", evidence="材料", at=on(run, shanghai(2023, 11, 8))
    )
    run.rule_on_objection(MINISTRY, a, upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 9)))
    assert {a, b} == set(run.tick(on(run, NOTICE_CLOSES)))
    assert ["dismissed", "dismissed"] == [o.ruling for o in run.get(a).ministry.objections]
    assert ("announced", "announced") == (run.get(a).state, run.get(b).state)


def test_objection_ruled_after_the_window_then_announced(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A standing objection holds its unit back past the close of the window; dismissed
    later, the unit is announced by the next sweep."""
    a, b = on_notice(run, clock, 2)
    run.file_objection(
        a, objector="李某", grounds="虚报", evidence="照片", at=on(run, shanghai(2023, 11, 9, 23))
    )

    assert (b,) == run.tick(on(run, NOTICE_CLOSES))
    assert "objected" == run.get(a).state
    run.rule_on_objection(MINISTRY, a, upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 15)))
    assert (a,) == run.tick(on(run, shanghai(2023, 11, 15, 1)))
    assert "announced" == run.get(a).state


def test_only_the_ministry_rules_on_objections(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The province cannot rule (not_authorized, also from explain()); a unit without an
    objection cannot be ruled on; a ruling needs a reason."""
    a, b = on_notice(run, clock, 2)
    run.file_objection(a, objector="李某", grounds="虚报", evidence="照片", at=on(run, shanghai(2023, 11, 3)))
    later = shanghai(2023, 11, 6)
    for upheld, action in ((True, "uphold"), (False, "dismiss")):
        error = refused(
            lambda upheld=upheld: run.rule_on_objection(
                PROVINCE, a, upheld=upheld, reason="r", at=on(run, later)
            )
        )
        assert ["not_authorized"] == list(error.codes)
        assert ["not_authorized"] == codes(run.explain(a, action, actor=PROVINCE, at=later))
    assert ["not_allowed_in_state"] == list(
        refused(lambda: run.rule_on_objection(MINISTRY, b, upheld=True, reason="r", at=on(run, later))).codes
    )
    with pytest.raises(pf.InvalidInput):
        run.rule_on_objection(MINISTRY, a, upheld=True, reason="", at=on(run, later))
    assert "objected" == run.get(a).state


# -- announcement ----------------------------------------------------------------------------------


def test_announce_waits_for_the_window_to_close(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Before the close an explicit announcement moves nothing and explain() says
    notice_open; at the close it announces every unit, audited with the ministry actor."""
    a, b = on_notice(run, clock, 2)
    early = shanghai(2023, 11, 9, 18)

    assert () == run.announce(MINISTRY, at=on(run, early))
    assert ["notice_open"] == codes(run.explain(a, "announce", actor=MINISTRY, at=early))
    assert {a, b} == set(run.announce(MINISTRY, at=on(run, NOTICE_CLOSES)))

    assert ("announced", "announced") == (run.get(a).state, run.get(b).state)
    event = last_event(run, a)
    assert ("announce", MINISTRY, NOTICE_CLOSES, "on_notice", "announced") == (
        event.action, event.actor, event.at, event.from_state, event.to_state,
    )  # fmt: skip
    assert ["not_allowed_in_state"] == codes(run.explain(a, "announce", actor=MINISTRY, at=NOTICE_CLOSES))


def test_only_the_ministry_announces(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """An explicit announcement by the province is refused not_authorized (explain() says
    so too) and announces nothing."""
    [nid] = on_notice(run, clock, 1)
    assert ["not_authorized"] == codes(run.explain(nid, "announce", actor=PROVINCE, at=NOTICE_CLOSES))
    before = state_of(run)

    error = refused(lambda: run.announce(PROVINCE, at=on(run, NOTICE_CLOSES)))

    assert "not_authorized" in error.codes
    assert before == state_of(run)


def test_sweep_announces_exactly_once(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """The deadline sweep announces at the close, as the system, exactly once however often
    it runs afterwards."""
    a, b = on_notice(run, clock, 2)

    assert () == run.tick(on(run, shanghai(2023, 11, 9, 23, 59)))
    assert {a, b} == set(run.tick(on(run, NOTICE_CLOSES)))
    assert () == run.tick(on(run, NOTICE_CLOSES))
    assert () == run.tick(on(run, shanghai(2023, 12, 1)))
    assert () == run.announce(MINISTRY, at=on(run, shanghai(2023, 12, 2)))

    for nid in (a, b):
        announcements = [e for e in run.history(nid) if e.action == "announce"]
        assert 1 == len(announcements)
        assert SWEEP == announcements[0].actor
        assert "announced" == run.get(nid).state


def test_audit_verdicts_name_each_guard_checked(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Every ministry event lists the guards it passed under their own names (the names of
    the guard functions), so the log tells "drawn for a check" from "no check pending" and
    "notice open" from "notice closed"."""
    [nid] = reviewed(run, clock, 1)
    run.draw_spot_checks(MINISTRY, nominations=[nid])
    run.record_spot_check(MINISTRY, nid, passed=True, reason="属实")
    run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    run.file_objection(nid, objector="李某", grounds="g", evidence="e", at=on(run, shanghai(2023, 11, 3)))
    run.rule_on_objection(MINISTRY, nid, upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 6)))
    run.announce(MINISTRY, at=on(run, NOTICE_CLOSES))

    verdicts = {e.action: e.verdicts for e in run.history(nid) if e.action not in ("score", "stamp")}

    assert ("actor_holds", "not_drawn") == verdicts["select_for_check"]
    assert ("actor_holds", "drawn_for_check") == verdicts["check"]
    assert ("actor_holds", "check_settled", "not_listed") == verdicts["propose"]
    assert ("actor_holds", "not_listed") == verdicts["publish"]
    assert ("notice_open",) == verdicts["object"]
    assert ("actor_holds",) == verdicts["dismiss"]
    assert ("actor_holds", "notice_closed", "not_listed") == verdicts["announce"]


def test_available_actions_follow_the_ministry_phase(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """available_actions agrees with the guards at each ministry step: score until concluded
    once enough experts scored, propose, then object (public) while open."""
    [nid] = to_ministry(run, 1)
    clock.set(REVIEW_DAY)
    assert {"score", "decline", "return"} == set(run.available_actions(expert(0), nid))
    score_all(run, nid, [80] * 5)
    assert "conclude" in run.available_actions(MINISTRY, nid)
    assert "score" not in run.available_actions(expert(0), nid)
    assert () == run.available_actions(PROVINCE, nid)


def test_ministry_phase_replays_to_the_state(
    make_run: Callable[..., pf.CampaignRun], store: pf.Store, clock: pf.FixedClock
) -> None:
    """On every store, after scores, a rejection, draws, a failed and a passed check, a
    proposal, a notice, an upheld and a dismissed objection and the announcement, the audit
    log replays to exactly the stored state and quota use; as_of() before the notice shows
    the units still proposed."""
    run = make_run(store)
    ids = to_ministry(run, 6)
    clock.set(REVIEW_DAY)
    for i, nid in enumerate(ids):
        score_all(run, nid, [30 if i == 0 else 80] * 5)
        run.conclude_review(MINISTRY, nid)
    run.draw_spot_checks(MINISTRY, nominations=[ids[1], ids[2]])
    run.record_spot_check(MINISTRY, ids[1], passed=False, reason="不属实")
    run.record_spot_check(MINISTRY, ids[2], passed=True, reason="属实")
    for nid in ids[2:]:
        run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    run.file_objection(ids[3], objector="李某", grounds="g", evidence="e", at=on(run, shanghai(2023, 11, 3)))
    run.file_objection(ids[4], objector="张某", grounds="g", evidence="e", at=on(run, shanghai(2023, 11, 3)))
    run.rule_on_objection(MINISTRY, ids[3], upheld=True, reason="属实", at=on(run, shanghai(2023, 11, 6)))
    run.rule_on_objection(MINISTRY, ids[4], upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 6)))
    run.tick(on(run, NOTICE_CLOSES))

    assert ["rejected", "rejected", "announced", "removed", "announced", "announced"] == [
        run.get(nid).state for nid in ids
    ]
    assert_replays(run)
    earlier = run.as_of(shanghai(2023, 11, 1, 23))
    assert ["proposed"] * 4 == [earlier.nominations[nid].state for nid in ids[2:]]


# -- end to end ------------------------------------------------------------------------------------


def test_end_to_end_bundled_2023_campaign_on_sqlite(
    make_run: Callable[..., pf.CampaignRun], clock: pf.FixedClock, tmp_path: Path
) -> None:
    """The bundled 2023 campaign on SQLite, from district nominations in Weihai and Qingdao
    through the Weihai, Shandong and Qingdao selections (quota cuts), the re-review of six
    earlier winners (three apply in Weihai, one in Qingdao; the two that never apply are
    revoked by the sweep), the ministry's review (one rejection), its spot checks at the
    campaign's rate (one failure), the notice, an upheld and a dismissed objection, to the
    announcement. Final states are as expected, and the log replays to the state."""
    run = make_run(pf.open_store(f"sqlite:///{tmp_path / 'e2e.db'}"))
    lead = {a: pf.Actor(a, "industry", "lead") for a in (WEIHAI, SHANDONG, QINGDAO)}
    expected: dict[str, str] = {}

    # 17 Oct: districts file and forward; the ministry registers the earlier winners.
    weihai_ent = [
        nominate(run, i, origin=WEIHAI_DISTRICT if i < 3 else WEIHAI_DISTRICT_2).id for i in range(4)
    ]
    weihai_park = nominate(run, 10, origin=WEIHAI_DISTRICT_2, unit_type="park").id
    qingdao_ent = [
        nominate(run, 20 + i, origin=QINGDAO_DISTRICT if i < 2 else QINGDAO_DISTRICT_2).id for i in range(3)
    ]
    for nid in [*weihai_ent, weihai_park, *qingdao_ent]:
        forward(run, nid)
    weihai_winners = [
        Winner(
            unit_code(900 + i, WEIHAI_DISTRICT), f"复核单位{i}", "enterprise", 2017 + i % 3, WEIHAI_DISTRICT
        )
        for i in range(4)
    ]
    qingdao_winners = [
        Winner(unit_code(950 + i, QINGDAO_DISTRICT), f"青岛复核{i}", "street_town", 2019, QINGDAO_DISTRICT)
        for i in range(2)
    ]
    winners = [*weihai_winners, *qingdao_winners]
    registered = {r.unit_code: r.id for r in run.register_winners(MINISTRY, winners)}
    rr = [registered[w.unit_code] for w in winners]
    for w in (winners[0], winners[1], winners[2], winners[4]):
        run.apply_for_re_review(pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code,
                                materials=[*all_materials(), *RE_REVIEW_MATERIALS])  # fmt: skip
    for nid in rr[:3]:
        forward(run, nid)

    # 18 Oct: Weihai selects (enterprise quota 3 of 4; park 1; re-review uncapped below the top).
    # Every selection lists its units in Weihai's one letter to Shandong, then stamped and sent.
    clock.set(shanghai(2023, 10, 18, 10))
    ent = run.select(lead[WEIHAI], "enterprise")
    assert (3, 1) == (len(ent.recommended), len(ent.cut))
    expected[ent.cut[0]] = "not_recommended"
    assert 1 == len(run.select(lead[WEIHAI], "park").recommended)
    weihai_rr = run.select(lead[WEIHAI], "enterprise", track="re_review")
    assert 3 == len(weihai_rr.recommended)
    (weihai_letter,) = send_letters(run, weihai_rr.submissions)
    assert 7 == len(weihai_letter.units)

    # 19 Oct 01:00: the sweep revokes the Weihai winner that never applied, once.
    assert (rr[3],) == run.tick(on(run, shanghai(2023, 10, 19, 1)))
    assert () == run.tick(on(run, shanghai(2023, 10, 19, 2)))
    expected[rr[3]] = "revoked"

    # 20 Oct: Shandong selects; 70% of its 3 re-review applicants, rounded down, is 2.
    clock.set(shanghai(2023, 10, 20, 10))
    assert 3 == len(run.select(lead[SHANDONG], "enterprise").recommended)
    assert 1 == len(run.select(lead[SHANDONG], "park").recommended)
    rr_shandong = run.select(lead[SHANDONG], "enterprise", track="re_review")
    assert (2, 1) == (len(rr_shandong.recommended), len(rr_shandong.cut))
    expected[rr_shandong.cut[0]] = "revoked"  # a re-review cut by the share loses its title
    send_letters(run, rr_shandong.submissions)

    # Qingdao (计划单列市) straight to the ministry: 2 enterprises of 3; its single re-review
    # applicant is 70% of 1 rounded down: no seat.
    for nid in [*qingdao_ent, rr[4]]:
        if run.get(nid).holder == QINGDAO_DISTRICT:
            forward(run, nid)
    qd = run.select(lead[QINGDAO], "enterprise")
    assert (2, 1) == (len(qd.recommended), len(qd.cut))
    expected[qd.cut[0]] = "not_recommended"
    qd_rr = run.select(lead[QINGDAO], "street_town", track="re_review")
    assert ((), (rr[4],)) == (qd_rr.recommended, qd_rr.cut)
    expected[rr[4]] = "revoked"
    send_letters(run, qd.submissions)

    # 30 Oct: the sweep revokes the Qingdao winner that never applied.
    assert (rr[5],) == run.tick(on(run, shanghai(2023, 10, 30)))
    expected[rr[5]] = "revoked"

    # The ministry: 6 new units and 2 re-review units received; one new unit fails review.
    clock.set(REVIEW_DAY)
    received = [n.id for n in run.nominations(state="received")]
    assert 8 == len(received)
    assert 2 == sum(run.get(nid).track == "re_review" for nid in received)
    low = qd.recommended[-1]
    for nid in received:
        score_all(run, nid, [45 if nid == low else 75 + i for i in range(5)])
        run.conclude_review(MINISTRY, nid)
    expected[low] = "rejected"

    # Spot checks at the campaign's 20% of the 7 reviewed, rounded up: 2; the first fails.
    drawn = run.draw_spot_checks(MINISTRY, seed=2023)
    assert 2 == len(drawn)
    for nid in drawn:
        run.record_spot_check(MINISTRY, nid, passed=nid != drawn[0], reason="现场核查")
    expected[drawn[0]] = "revoked" if run.get(drawn[0]).track == "re_review" else "rejected"

    for n in run.nominations(state="reviewed"):
        run.propose(MINISTRY, n.id)
    published = run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    assert 6 == len(published)
    upheld, dismissed = published[0], published[1]
    run.file_objection(
        upheld, objector="李某", grounds="虚报", evidence="照片", at=on(run, shanghai(2023, 11, 6))
    )
    run.file_objection(
        dismissed, objector="张某", grounds="存疑", evidence="材料", at=on(run, shanghai(2023, 11, 6))
    )
    run.rule_on_objection(MINISTRY, upheld, upheld=True, reason="属实", at=on(run, shanghai(2023, 11, 8)))
    run.rule_on_objection(
        MINISTRY, dismissed, upheld=False, reason="不属实", at=on(run, shanghai(2023, 11, 8))
    )
    expected[upheld] = "revoked" if run.get(upheld).track == "re_review" else "removed"

    announced = run.tick(on(run, NOTICE_CLOSES))
    assert () == run.tick(on(run, shanghai(2023, 11, 20)))
    assert set(published) - {upheld} == set(announced)
    for nid in announced:
        expected[nid] = "announced"

    everything = run.nominations()
    assert 8 + 6 == len(everything)
    assert expected == {n.id: n.state for n in everything}
    assert 5 == len(announced)
    assert 1 == sum(1 for e in run.events() if e.action == "revoke_unapplied" and e.nomination_id == rr[3])
    assert_replays(run)
    run.store.close()


def test_an_objection_cannot_be_dated_back_into_a_closed_window(
    run: pf.CampaignRun, clock: pf.FixedClock
) -> None:
    """Once the notice has closed, an objection dated inside the window is refused as a forged
    moment (MomentRefused) and the unit stays on notice, to be announced."""
    [a] = on_notice(run, clock, 1)
    clock.set(shanghai(2023, 11, 12, 9))

    with pytest.raises(pf.MomentRefused):
        run.file_objection(a, objector="李某", grounds="虚报", evidence="照片", at=shanghai(2023, 11, 9, 23))

    assert "on_notice" == run.get(a).state
    assert (a,) == run.tick()


def test_a_draw_takes_named_units_or_a_rate_not_both(run: pf.CampaignRun) -> None:
    """Naming the units to check and giving a share to draw at once is ambiguous: refused
    as invalid input, in both languages, before anything is drawn."""
    with pytest.raises(pf.InvalidInput) as raised:
        run.draw_spot_checks(MINISTRY, rate=0.5, nominations=["x"])
    assert "not both" in raised.value.en
    assert "不能同时" in raised.value.zh
