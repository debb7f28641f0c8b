"""Phases as configured steps (issue 11, point 8): a filing deadline before the first hop's,
the steps of the phase at the top a campaign may declare absent (public notice, expert
review, spot checks), and on-site checks at a level below the top (the bundled 2023
campaign: Shandong checks re-review units on site before recommending them).

Pins that a format-1 file keeps pilotflow's defaults, that a format-2 file holds only the
steps it declares, how each absent step is skipped and how acting on it is refused, and that
a level's check holds a drawn unit until it is settled and ends it when it fails.
"""

from __future__ import annotations

import re
from datetime import datetime
from importlib import resources

import pytest

import pilotflow as pf
from pilotflow.service import Winner
from pilotflow.store import Store

from conftest import (
    CAMPAIGN_ID,
    MIN,
    MINISTRY,
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    all_materials,
    assert_replays,
    attach_letter,
    codes,
    file_material,
    forward,
    nominate,
    on,
    refused,
    shanghai,
    stamp_all,
    state_of,
    unit_code,
)

BUNDLED_YAML = (
    resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
)
RULE_LINE = "deadline_rule: end_of_day\n"
NOTICE = "notice:\n  working_days: 5            # pilotflow's (the notice says 公示, not for how long)\n"
REVIEW_DAY = shanghai(2023, 11, 1, 9)
PROVINCE = pf.Actor(SHANDONG, "industry", "province-lead")
PROVINCE_HEALTH = pf.Actor(SHANDONG, "health", "province-health")
CITY = pf.Actor(WEIHAI, "industry", "city-lead")
RE_REVIEW_MATERIALS = (
    *all_materials(),
    file_material("re_review_video"),
    file_material("re_review_application_form"),
)


def variant(*changes: tuple[str, str]) -> pf.Campaign:
    """The bundled campaign with parts of its YAML replaced."""
    text = BUNDLED_YAML
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return pf.parse_campaign(text, source="variant")


def run_of(campaign: pf.Campaign, clock: pf.FixedClock, store: Store | None = None) -> pf.CampaignRun:
    return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)


def to_top(run: pf.CampaignRun, i: int) -> str:
    """Unit ``i`` nominated in Weihai and forwarded to the ministry."""
    n = nominate(run, i)
    for _ in range(len(n.route) - 1):
        n = forward(run, n.id)
    assert "received" == n.state
    return n.id


# -- a. the filing deadline --------------------------------------------------------------------

FILING = (RULE_LINE, RULE_LINE + 'filing: {deadline: "2023-10-17", source: 威工信发〔2023〕42号}\n')


def test_a_filing_after_the_filing_deadline_is_refused(clock: pf.FixedClock) -> None:
    """``filing.deadline`` is read like a hop's (``deadline_rule: end_of_day``: filing closes
    at 00:00 on the 18th). A nomination on the 18th is refused ``filing_deadline_passed``,
    naming the filing deadline in both languages, though the first hop (by the 18th) is still
    open; nothing is written. Filing on the 17th goes ahead."""
    campaign = variant(FILING)
    assert campaign.filing is not None
    assert (shanghai(2023, 10, 18), "2023-10-17") == (campaign.filing.deadline, campaign.filing.deadline_text)
    run = run_of(campaign, clock)
    assert "in_review" == nominate(run, 1).state

    on(run, shanghai(2023, 10, 18, 9))
    before = state_of(run)
    error = refused(lambda: nominate(run, 2))

    assert ["filing_deadline_passed"] == list(error.codes)
    reason = error.reasons[0]
    assert "filing deadline (2023-10-17)" in reason.en
    assert "申报（填报）截止时间" in reason.zh
    assert before == state_of(run)


def test_a_re_review_application_answers_to_the_filing_deadline(clock: pf.FixedClock) -> None:
    """A re-review unit's application is a filing too: after the filing deadline it is
    refused ``filing_deadline_passed`` and the winner stays awaiting its application."""
    run = run_of(variant(FILING), clock)
    w = Winner(unit_code(950, WEIHAI_DISTRICT), "复核单位", "enterprise", 2018, WEIHAI_DISTRICT)
    run.register_winners(MINISTRY, [w])
    on(run, shanghai(2023, 10, 18, 9))
    applicant = pf.Actor.applicant(w.unit_code, "负责人")

    error = refused(lambda: run.apply_for_re_review(applicant, w.unit_code, materials=RE_REVIEW_MATERIALS))

    assert ["filing_deadline_passed"] == list(error.codes)
    assert ["awaiting_application"] == [n.state for n in run.nominations()]


def test_a_winner_that_can_no_longer_apply_is_revoked_at_the_filing_deadline(clock: pf.FixedClock) -> None:
    """The deadline a winner's application answers to is one: once the filing deadline has
    passed (00:00 on the 18th), before the first hop's (00:00 on the 19th), the winner can no
    longer apply, so the sweep revokes it then (``revoke_unapplied``), rather than leaving it
    awaiting an application it cannot make until the hop closes; its position names the
    filing deadline. A sweep before the filing deadline leaves it alone."""
    run = run_of(variant(FILING), clock)
    w = Winner(unit_code(951, WEIHAI_DISTRICT), "复核单位", "enterprise", 2018, WEIHAI_DISTRICT)
    (n,) = run.register_winners(MINISTRY, [w])
    assert shanghai(2023, 10, 18) == run.position(n.id).deadline
    on(run, shanghai(2023, 10, 17, 23))
    assert () == tuple(run.tick())
    on(run, shanghai(2023, 10, 18, 9))

    moved = run.tick()

    assert (n.id,) == tuple(moved)
    assert ("revoked", "revoke_unapplied") == (run.get(n.id).state, run.history(n.id)[-1].action)
    assert_replays(run)


def test_a_filing_deadline_after_the_first_hop_is_refused_at_load() -> None:
    """A filing deadline after the first hop's deadline on some route (Weihai's districts:
    by 18 October) is refused at ``filing.deadline``, like deadlines out of order."""
    with pytest.raises(pf.CampaignFileError) as info:
        variant((RULE_LINE, RULE_LINE + 'filing: {deadline: "2023-10-20"}\n'))
    assert "filing.deadline" == info.value.path
    assert "after the first hop" in info.value.en
    assert "申报截止时间" in info.value.zh


def test_a_file_without_filing_or_format_keeps_every_step() -> None:
    """The bundled 2023 file (format 1) has no filing deadline and holds the notice, the
    expert review and the spot checks, as pilotflow did before phases were configurable."""
    campaign = pf.load_campaign(CAMPAIGN_ID)
    assert campaign.filing is None
    assert (True, True, True) == (campaign.phases.notice, campaign.phases.review, campaign.phases.spot_check)


# -- b. steps a campaign does not hold -----------------------------------------------------------

NO_NOTICE = (NOTICE, "notice: none\n")
NO_REVIEW = ("  combine: trimmed_mean", "  review: none\n  #")
NO_REVIEW_KEYS = (("  pass_score: 60\n", ""), ("  min_experts: 5\n", ""))
NO_SPOT_CHECK = ("  spot_check_rate: 0.2 ", "  spot_check: none\n  #")


def test_format_2_holds_only_the_steps_it_declares() -> None:
    """In a format-2 file a silent ``notice`` or ``ministry`` means the step is absent; a
    ``notice`` it declares must state its working days; ``none`` may be said in either
    format, and ``none`` beside the step's own keys is refused."""
    ministry = re.search(r"\nministry:\n(?:  .*\n)+", BUNDLED_YAML)
    assert ministry is not None
    silent = variant(("\nformat: 2\n", "\nformat: 2\n"), (NOTICE, ""), (ministry.group(), "\n"))
    assert (False, False, False) == (silent.phases.notice, silent.phases.review, silent.phases.spot_check)
    with pytest.raises(pf.CampaignFileError) as info:
        variant(("\nformat: 2\n", "\nformat: 2\n"), (NOTICE, "notice: {}\n"))
    assert "notice" == info.value.path
    declared = variant(("\nformat: 2\n", "\nformat: 2\n"))
    assert (True, True, True) == (declared.phases.notice, declared.phases.review, declared.phases.spot_check)
    with pytest.raises(pf.CampaignFileError) as info:
        variant(("  spot_check_rate: 0.2 ", "  spot_check: none\n  spot_check_rate: 0.2 "))
    assert "ministry.spot_check_rate" == info.value.path


def test_without_expert_review_the_top_decides_directly(clock: pf.FixedClock) -> None:
    """``ministry: {review: none}``: an expert's score is refused ``phase_absent`` (nothing
    written) and the ministry concludes without scores: the unit is reviewed."""
    campaign = variant(NO_REVIEW, *NO_REVIEW_KEYS)
    assert not campaign.phases.review
    run = run_of(campaign, clock)
    nid = to_top(run, 1)
    on(run, REVIEW_DAY)
    expert = pf.Actor(MIN, "industry", "expert-0")
    before = state_of(run)

    error = refused(lambda: run.score(expert, nid, score=80, opinion="好"))

    assert ["phase_absent"] == list(error.codes)
    assert "专家评审" in error.reasons[0].zh
    assert before == state_of(run)
    assert "reviewed" == run.conclude_review(MINISTRY, nid).state


def test_without_spot_checks_no_draw_is_needed(clock: pf.FixedClock) -> None:
    """``ministry: {spot_check: none}``: drawing with the campaign's rate draws nothing and
    writes nothing; naming a unit is refused ``phase_absent``; the reviewed unit is proposed."""
    campaign = variant(NO_SPOT_CHECK)
    assert not campaign.phases.spot_check
    run = run_of(campaign, clock)
    nid = to_top(run, 1)
    on(run, REVIEW_DAY)
    for i in range(5):
        run.score(pf.Actor(MIN, "industry", f"expert-{i}"), nid, score=80, opinion="好")
    run.conclude_review(MINISTRY, nid)
    before = state_of(run)

    assert () == run.draw_spot_checks(MINISTRY, seed=1)
    error = refused(lambda: run.draw_spot_checks(MINISTRY, nominations=[nid]))

    assert ["phase_absent"] == list(error.codes)
    assert before == state_of(run)
    assert "proposed" == run.propose(MINISTRY, nid).state


def test_without_a_public_notice_the_top_announces_what_it_proposed(clock: pf.FixedClock) -> None:
    """``notice: none``: publishing is refused ``phase_absent`` (nothing written); the
    deadline sweep announces nothing; the ministry announces the proposed unit directly."""
    campaign = variant(NO_NOTICE, NO_REVIEW, *NO_REVIEW_KEYS, NO_SPOT_CHECK)
    run = run_of(campaign, clock)
    nid = to_top(run, 1)
    on(run, REVIEW_DAY)
    run.conclude_review(MINISTRY, nid)
    run.propose(MINISTRY, nid)
    before = state_of(run)

    error = refused(lambda: run.publish_notice(MINISTRY))
    assert ["phase_absent"] == list(error.codes)
    assert () == run.announce()  # the sweep: no notice has closed
    assert before == state_of(run)

    assert (nid,) == run.announce(MINISTRY)
    assert "announced" == run.get(nid).state
    assert_replays(run)


def test_with_a_notice_the_top_cannot_skip_it(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A campaign that holds the notice (the bundled one) does not announce a proposed unit
    that was never on notice; explain() says why."""
    nid = to_top(run, 1)
    on(run, REVIEW_DAY)
    for i in range(5):
        run.score(pf.Actor(MIN, "industry", f"expert-{i}"), nid, score=80, opinion="好")
    run.conclude_review(MINISTRY, nid)
    run.propose(MINISTRY, nid)

    assert () == run.announce(MINISTRY)
    assert ["notice_required"] == codes(run.explain(nid, "announce", actor=MINISTRY))


# -- c. on-site checks below the top (the bundled campaign: Shandong, re-review units) ----------


ON_SITE = "on_site: {}"  # the bundled rule's


def at_province(run: pf.CampaignRun, count: int) -> list[str]:
    """``count`` Weihai winners registered, applied, forwarded to Shandong and stamped there."""
    division = WEIHAI_DISTRICT
    winners = [Winner(unit_code(900 + i, division), f"复核单位{i}", "enterprise", 2018, division)
               for i in range(count)]  # fmt: skip
    run.register_winners(MINISTRY, winners)
    ids = []
    for w in winners:
        nid = run.apply_for_re_review(pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code,
                                      materials=RE_REVIEW_MATERIALS).id  # fmt: skip
        forward(run, nid)
        forward(run, nid)
        attach_letter(run, nid)
        stamp_all(run, nid)
        ids.append(nid)
    return ids


def test_a_drawn_unit_waits_for_its_check_then_goes_on(
    store: Store, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Shandong draws a re-review unit it holds: the unit cannot be recommended until its
    check is recorded (``spot_check_pending``, nothing written); once passed it is
    recommended to the ministry. The check's events replay to the state, on every store."""
    run = run_of(campaign, clock, store)
    first, _ = at_province(run, 2)  # two applied: Shandong's 70% share allows one

    assert (first,) == run.draw_spot_checks(PROVINCE, nominations=[first])
    before = state_of(run)
    error = refused(lambda: run.recommend(PROVINCE, first))
    assert ["spot_check_pending"] == list(error.codes)
    assert before == state_of(run)

    checked = run.record_spot_check(PROVINCE_HEALTH, first, passed=True, reason="实地抽查情况属实")
    assert ("in_review", SHANDONG) == (checked.state, checked.holder)
    assert "received" == run.recommend(PROVINCE, first).state
    assert "check" == run.history(first)[-2].action
    assert_replays(run)


def test_a_failed_check_stops_the_unit_there(
    store: Store, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A failed on-site check at Shandong ends the re-review unit there: its title revoked
    (an earlier winner that fails at any level: 撤销称号并摘牌), held by Shandong, with the
    check and its reason in the audit log; no further action moves it."""
    run = run_of(campaign, clock, store)
    [nid] = at_province(run, 1)
    run.draw_spot_checks(PROVINCE, nominations=[nid])

    n = run.record_spot_check(PROVINCE, nid, passed=False, reason="实地抽查与申报材料不符")

    assert ("revoked", SHANDONG) == (n.state, n.holder)
    assert [nid] == [x.id for x in run.nominations(state="revoked")]
    event = run.history(nid)[-1]
    assert ("check", "实地抽查与申报材料不符") == (event.action, event.reason)
    assert ["not_allowed_in_state"] == codes(run.explain(nid, "recommend", actor=PROVINCE))
    assert_replays(run)


def test_no_check_at_another_level_or_for_another_track(run: pf.CampaignRun) -> None:
    """The rule names Shandong and re-review units only: at Weihai (a city) a re-review unit
    cannot be checked, nor a new nomination at Shandong (``no_check_here``); Weihai, where no
    check is held, may not draw at all (``not_authorized``, nothing to draw or not); a draw
    at Shandong names no new unit; an undrawn unit is recommended as before."""
    new = nominate(run, 1).id
    forward(run, new)
    forward(run, new)  # now at Shandong
    [re_review] = at_province(run, 1)
    run.return_for_revision(PROVINCE, re_review, reason="补充材料")  # back at Weihai
    attach_letter(run, re_review)
    stamp_all(run, re_review)

    assert "no_check_here" in codes(run.explain(re_review, "check", actor=CITY))
    assert "no_check_here" in codes(run.explain(new, "check", actor=PROVINCE))
    for drawn in ([re_review], None):
        with pytest.raises(pf.ActionRefused) as refusal:
            run.draw_spot_checks(CITY, nominations=drawn, idempotency_key="draw-at-weihai")
        assert ["not_authorized"] == codes(refusal.value.reasons)
    assert run.store.receipt(run.campaign.id, "draw-at-weihai") is None
    with pytest.raises(pf.InvalidInput):
        run.draw_spot_checks(PROVINCE, nominations=[new])
    attach_letter(run, new)
    stamp_all(run, new)
    assert "received" == run.recommend(PROVINCE, new).state


def test_only_the_departments_named_by_the_rule_check(clock: pf.FixedClock) -> None:
    """With ``by: [industry]`` Shandong's health department cannot record the check
    (``not_authorized``, nothing written); its industry department can."""
    run = run_of(variant((ON_SITE, "on_site: {by: [industry]}")), clock)
    [nid] = at_province(run, 1)
    run.draw_spot_checks(PROVINCE, nominations=[nid])
    before = state_of(run)

    error = refused(lambda: run.record_spot_check(PROVINCE_HEALTH, nid, passed=True, reason="属实"))

    assert ["not_authorized"] == list(error.codes)
    assert before == state_of(run)
    assert "in_review" == run.record_spot_check(PROVINCE, nid, passed=True, reason="属实").state


def test_a_check_rule_without_a_rate_needs_the_units_named(run: pf.CampaignRun) -> None:
    """The bundled rule gives no share (the notice states none): a draw without units or a
    rate is invalid input; with a rate, that share is drawn (rounded up)."""
    at_province(run, 2)
    with pytest.raises(pf.InvalidInput):
        run.draw_spot_checks(PROVINCE)
    assert 1 == len(run.draw_spot_checks(PROVINCE, rate=0.5, seed=7))


def test_check_rules_are_read_and_checked(campaign: pf.Campaign) -> None:
    """The bundled ``checks`` rule is read with its source (checked by any of Shandong's
    departments); ``by`` names departments; an unknown track or department is refused at its
    key path."""
    [rule] = campaign.checks
    assert ("shandong_re_review_on_site", None) == (rule.name, rule.rate)
    assert frozenset({"re_review"}) == rule.tracks
    assert ("鲁工信电子〔2023〕203号", ()) == (rule.source, rule.by)
    assert ("industry", "health") == variant((ON_SITE, "on_site: {by: [industry, health]}")).checks[0].by
    for old, new, path in (
        (
            "at: {codes: [370000]}\n    tracks: [re_review]",
            "at: {codes: [370000]}\n    tracks: [rereview]",
            "checks[0].tracks[0]",
        ),
        (ON_SITE, "on_site: {by: [industry, finance]}", "checks[0].on_site.by[1]"),
    ):
        with pytest.raises(pf.CampaignFileError) as info:
            variant((old, new))
        assert path == info.value.path


def test_a_step_the_campaign_does_not_hold_is_refused_even_with_nothing_to_do(clock: pf.FixedClock) -> None:
    """Drawing units by a rate in a campaign without spot checks, and publishing a notice in
    one without a notice, are refused ``phase_absent`` even when no unit awaits the step
    (both returned an empty result, as if done); nothing is written."""
    run = run_of(variant(NO_NOTICE, NO_REVIEW, *NO_REVIEW_KEYS, NO_SPOT_CHECK), clock)
    on(run, REVIEW_DAY)
    before = state_of(run)
    for call in (lambda: run.draw_spot_checks(MINISTRY, rate=0.5), lambda: run.publish_notice(MINISTRY)):
        error = refused(call)
        assert ["phase_absent"] == list(error.codes)
    assert () == run.draw_spot_checks(MINISTRY, seed=1)  # (no rate: the campaign's, none needed)
    for _ in range(2):  # with an idempotency key: refused before a receipt is looked for or written
        error = refused(lambda: run.draw_spot_checks(MINISTRY, rate=0.5, idempotency_key="draw-1"))
        assert ["phase_absent"] == list(error.codes)
    assert run.store.receipt(run.campaign.id, "draw-1") is None
    assert before == state_of(run)
    # A key that answered a draw needing none is not looked up for a draw the campaign cannot
    # hold: the step is refused as such (it was "the key was used for another command").
    assert () == run.draw_spot_checks(MINISTRY, idempotency_key="draw-2")
    error = refused(lambda: run.draw_spot_checks(MINISTRY, rate=0.5, idempotency_key="draw-2"))
    assert ["phase_absent"] == list(error.codes)


@pytest.mark.parametrize(
    "actor",
    [pf.Actor("public", "objector", "张三"), pf.Actor.applicant(unit_code(1), "applicant"),
     pf.Actor(WEIHAI_DISTRICT, "industry", "district-clerk"), PROVINCE],
    ids=["objector", "applicant", "district", "province"],
)  # fmt: skip
def test_the_tops_batch_actions_refuse_another_actor_with_nothing_to_act_on(
    run: pf.CampaignRun, actor: pf.Actor
) -> None:
    """Publishing the notice, announcing and registering earlier winners are the top's
    (the ministry's): anyone else is refused ``not_authorized``, and nothing is written, even
    when no unit awaits the action (each returned an empty result, as if the actor might)."""
    on(run, REVIEW_DAY)
    before = state_of(run)
    for call in (lambda: run.publish_notice(actor), lambda: run.announce(actor),
                 lambda: run.register_winners(actor, [])):  # fmt: skip
        error = refused(call)
        assert "not_authorized" in error.codes
    assert before == state_of(run)
    assert () == run.publish_notice(MINISTRY)
    assert () == run.announce(MINISTRY)


def test_registering_winners_checks_every_argument_before_the_right(run: pf.CampaignRun) -> None:
    """``register_winners`` by an actor who may not register says first what is wrong with
    its arguments (a row that is no winner, a naive moment), as every action does, then the
    right; nothing is written."""
    before = state_of(run)
    with pytest.raises(pf.InvalidInput, match="winner 1: expected a Winner"):
        run.register_winners(PROVINCE, ["not a winner"])  # type: ignore[list-item]
    with pytest.raises(pf.NaiveDatetime):
        run.register_winners(PROVINCE, [], at=datetime(2023, 11, 1, 9))
    assert ["not_authorized"] == list(refused(lambda: run.register_winners(PROVINCE, [])).codes)
    assert before == state_of(run)
