"""Re-review (复核) of the 2017–2019 winners.

Pins that the ministry registers earlier winners (only the ministry, only the campaign's
batches, each unit once); that a winner applies at its district (itself or through a
district clerk) with the re-review materials the campaign asks at each hop (the video in
Weihai and Shandong, the re-review form for the ministry); that the deadline sweep revokes a
winner that never applied, exactly once however often it runs; that a province recommends at
most the campaign's share of its applicants, rounded by the campaign's rule (70%, floor:
1, 2, 3, 4, 5, 10 applicants → 0, 1, 2, 2, 3, 7 seats), counting only units that applied;
that the ordinary guards (lists, joint stamps, deadlines, authorisation) hold; and that the
ministry retains a unit (announced) or revokes it (review below the pass score, failed spot
check, upheld objection), with the log replaying to the state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources

import pytest

import pilotflow as pf
from pilotflow.service import Winner, combine_scores, share_of

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
    attach_letter,
    codes,
    file_material,
    forward,
    nominate,
    on,
    refused,
    send_letters,
    shanghai,
    stamp_all,
    state_of,
    unit_code,
)

PROVINCE_LEAD = pf.Actor(SHANDONG, "industry", "lead")
DISTRICT_CLERK = pf.Actor(WEIHAI_DISTRICT, "civil_affairs", "district-clerk")
VIDEO = file_material("re_review_video")
FORM = file_material("re_review_application_form")
RE_REVIEW_MATERIALS = (*all_materials(), VIDEO, FORM)
WEIHAI_CLOSES = shanghai(2023, 10, 19)  # "于10月18日前", end of that day
MINISTRY_CLOSES = shanghai(2023, 10, 30)  # "于2023年10月29日前"
REVIEW_DAY = shanghai(2023, 11, 1, 9)
PUBLISH_DAY = shanghai(2023, 11, 2, 9)
NOTICE_CLOSES = shanghai(2023, 11, 10)

BUNDLED_YAML = (
    resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
)
ROUNDING_LINE = "  rounding: floor\n"


# -- helpers -----------------------------------------------------------------------------------


def winner(
    i: int, authority: str = WEIHAI_DISTRICT, batch: int = 2018, unit_type: str = "enterprise"
) -> Winner:
    return Winner(unit_code(900 + i, authority), f"复核单位{i}", unit_type, batch, authority)


def register(
    run: pf.CampaignRun, count: int, start: int = 0, authority: str = WEIHAI_DISTRICT
) -> list[Winner]:
    winners = [winner(i, authority) for i in range(start, start + count)]
    run.register_winners(MINISTRY, winners)
    return winners


def apply(
    run: pf.CampaignRun, w: Winner, materials: Sequence[pf.Material] = RE_REVIEW_MATERIALS
) -> pf.Nomination:
    return run.apply_for_re_review(
        pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code, materials=materials
    )


def at_province(run: pf.CampaignRun, count: int, start: int = 0) -> list[str]:
    """``count`` Weihai winners registered, applied and forwarded by district and city: ready
    for Shandong's selection (which lists them in its letter to the ministry)."""
    ids = []
    for w in register(run, count, start):
        nid = apply(run, w).id
        forward(run, nid)
        forward(run, nid)
        ids.append(nid)
    return ids


def variant(old: str, new: str) -> pf.Campaign:
    """The bundled campaign with one line of its YAML changed."""
    assert old in BUNDLED_YAML
    return pf.parse_campaign(BUNDLED_YAML.replace(old, new), source=f"variant: {new}")


def expert(i: int) -> pf.Actor:
    return pf.Actor(MIN, "industry", f"expert-{i}")


# -- registration ------------------------------------------------------------------------------


def test_ministry_registers_winners_awaiting_application(run: pf.CampaignRun) -> None:
    """Registered winners await their application at their district, on the re-review track
    with their batch, each with one register event by the ministry."""
    winners = [winner(0, batch=2017), winner(1, batch=2019), winner(2, QINGDAO_DISTRICT, 2018, "street_town")]

    registered = run.register_winners(MINISTRY, winners)

    assert [(w.unit_code, "awaiting_application", "re_review", w.batch, w.authority) for w in winners] == [
        (n.unit_code, n.state, n.track, n.batch, n.holder) for n in registered
    ]
    assert (QINGDAO_DISTRICT, QINGDAO, MIN) == registered[2].route
    [event] = run.history(registered[0].id)
    assert ("register", MINISTRY, "new", "awaiting_application") == (
        event.action, event.actor, event.from_state, event.to_state,
    )  # fmt: skip
    assert ("re_review", 2017, winners[0].unit_code, "复核单位0") == (
        event.data["track"], event.data["batch"], event.data["unit_code"], event.data["unit_name"],
    )  # fmt: skip
    assert ("actor_is_top", "origin_fits_unit") == event.verdicts


@pytest.mark.parametrize(
    "actor",
    [pf.Actor(SHANDONG, "industry", "x"), pf.Actor(WEIHAI_DISTRICT, "industry", "x")],
)
def test_only_the_ministry_registers_winners(run: pf.CampaignRun, actor: pf.Actor) -> None:
    """A province or district cannot register winners: not_authorized, nothing written."""
    error = refused(lambda: run.register_winners(actor, [winner(0)]))
    assert ["not_authorized"] == list(error.codes)
    assert ([], []) == (run.nominations(), run.events())


@pytest.mark.parametrize("batch", [2016, 2020, 2023])
def test_only_the_campaign_batches_are_re_reviewed(run: pf.CampaignRun, batch: int) -> None:
    """A winner of a batch outside 2017–2019 is refused, and with it the whole registration."""
    with pytest.raises(pf.InvalidInput, match=str(batch)):
        run.register_winners(MINISTRY, [winner(0), winner(1, batch=batch)])
    assert [] == run.nominations()


def test_a_winner_is_registered_once(run: pf.CampaignRun) -> None:
    """The same unit twice in one registration is bad input naming both rows; registered
    again later, a duplicate; the refused registration writes nothing."""
    with pytest.raises(pf.InvalidInput, match=r"winner 3: .* listed twice .*winner 1") as info:
        run.register_winners(MINISTRY, [winner(0), winner(1), winner(0)])
    assert "重复" in info.value.zh
    assert [] == run.nominations()
    run.register_winners(MINISTRY, [winner(0)])
    with pytest.raises(pf.DuplicateNomination):
        run.register_winners(MINISTRY, [winner(1), winner(0, batch=2019)])
    assert [winner(0).unit_code] == [n.unit_code for n in run.nominations()]


def test_registration_checks_its_rows(run: pf.CampaignRun) -> None:
    """An unknown authority, unit type or scenario is refused before anything is written; a
    malformed unit code, an empty name or a batch that is not a year is refused as soon as
    the row is made."""
    bad_rows = [
        Winner(unit_code(1), "甲", "enterprise", 2018, "999999"),
        Winner(unit_code(1), "甲", "hospital", 2018, WEIHAI_DISTRICT),
        Winner(unit_code(1), "甲", "enterprise", 2018, WEIHAI_DISTRICT, scenario="nonsense"),
    ]
    for row in bad_rows:
        with pytest.raises(pf.InvalidInput):
            run.register_winners(MINISTRY, [row])
    assert [] == run.events()
    with pytest.raises(pf.InvalidUnitCode):
        Winner("not-a-code", "甲", "enterprise", 2018, WEIHAI_DISTRICT)
    with pytest.raises(pf.InvalidInput, match="unit_name"):
        Winner(unit_code(1), " ", "enterprise", 2018, WEIHAI_DISTRICT)
    with pytest.raises(pf.InvalidInput, match="year"):
        Winner(unit_code(1), "甲", "enterprise", "2018", WEIHAI_DISTRICT)  # type: ignore[arg-type]


# -- application ---------------------------------------------------------------------------------


def test_winner_applies_with_its_materials(run: pf.CampaignRun) -> None:
    """The winner itself applies: it is in review at its district, with its materials, and
    the apply event names the applicant and the materials."""
    [w] = register(run, 1)
    applicant = pf.Actor.applicant(w.unit_code, "负责人")

    n = run.apply_for_re_review(applicant, w.unit_code, materials=[VIDEO, FORM])

    assert ("in_review", WEIHAI_DISTRICT, (VIDEO, FORM)) == (n.state, n.holder, n.materials)
    event = run.history(n.id)[-1]
    assert ("apply", applicant, "awaiting_application", "in_review") == (
        event.action, event.actor, event.from_state, event.to_state,
    )  # fmt: skip
    assert [VIDEO, FORM] == list(event.data["materials"])
    assert ("actor_at_origin", "before_deadline", "not_listed") == event.verdicts


def test_district_clerk_applies_for_a_winner(run: pf.CampaignRun) -> None:
    """A department of the winner's district may file the application for it."""
    [w] = register(run, 1)
    n = run.apply_for_re_review(DISTRICT_CLERK, w.unit_code, materials=RE_REVIEW_MATERIALS)
    assert "in_review" == n.state
    assert DISTRICT_CLERK == run.history(n.id)[-1].actor


@pytest.mark.parametrize(
    "actor",
    [
        pf.Actor.applicant(unit_code(1, WEIHAI_DISTRICT), "someone"),  # another unit
        pf.Actor(WEIHAI, "industry", "city-clerk"),  # the city, not the district
        pf.Actor(WEIHAI_DISTRICT_2, "industry", "clerk"),  # another district
        MINISTRY,
    ],
)
def test_nobody_else_applies_for_a_winner(run: pf.CampaignRun, actor: pf.Actor) -> None:
    """Another unit, the city, another district or the ministry cannot file a winner's
    application: not_authorized (explain() agrees), nothing written."""
    [w] = register(run, 1)
    nid = run.nominations()[0].id
    before = state_of(run)
    error = refused(lambda: run.apply_for_re_review(actor, w.unit_code, materials=RE_REVIEW_MATERIALS))
    assert ["not_authorized"] == list(error.codes)
    assert ["not_authorized"] == codes(run.explain(nid, "apply", actor=actor))
    assert before == state_of(run)


def test_unregistered_unit_cannot_apply(run: pf.CampaignRun) -> None:
    """A unit the ministry did not register has nothing to apply for."""
    register(run, 1)
    code = unit_code(5)
    with pytest.raises(pf.InvalidInput):
        run.apply_for_re_review(pf.Actor.applicant(code, "x"), code)


def test_a_winner_applies_once(run: pf.CampaignRun) -> None:
    """A second application is refused: the unit is already in review."""
    [w] = register(run, 1)
    apply(run, w)
    assert ["not_allowed_in_state"] == list(refused(lambda: apply(run, w)).codes)


def test_application_closes_with_the_first_hop(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """A Weihai winner applies by the end of 18 Oct (its district's deadline): later is
    refused deadline_passed; a Qingdao winner's first hop inherits the ministry's 29 Oct."""
    [w] = register(run, 1)
    [q] = register(run, 1, start=1, authority=QINGDAO_DISTRICT)
    nid = run.nominations()[0].id
    clock.set(shanghai(2023, 10, 18, 23, 59))
    assert [] == codes(run.explain(nid, "apply", actor=DISTRICT_CLERK))
    clock.set(WEIHAI_CLOSES)

    error = refused(lambda: apply(run, w))

    assert ["deadline_passed"] == list(error.codes)
    assert "in_review" == apply(run, q).state


def test_listed_winner_cannot_apply_nor_be_recommended(
    make_run: Callable[..., pf.CampaignRun], clock: pf.FixedClock
) -> None:
    """A winner on a disqualification list cannot apply (disqualified); one listed after it
    applied is not recommended by its district either."""
    a, b = winner(0), winner(1)
    listed = pf.UnitList.build(
        "abnormal_operations",
        [pf.Listing(a.unit_code, shanghai(2023, 1, 1), reason="经营异常"),
         pf.Listing(b.unit_code, shanghai(2023, 10, 17, 12), reason="经营异常")],
    )  # fmt: skip
    run = make_run(lists=[listed])
    run.register_winners(MINISTRY, [a, b])

    assert ["disqualified"] == list(refused(lambda: apply(run, a)).codes)
    n = apply(run, b)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    clock.set(shanghai(2023, 10, 17, 13))
    error = refused(lambda: run.recommend(DISTRICT_CLERK, n.id))
    assert ["disqualified"] == list(error.codes)
    assert "abnormal_operations" == error.reasons[0].details["list"]


# -- re-review materials, stamps, deadlines --------------------------------------------------------


def test_re_review_materials_are_required_at_each_hop(run: pf.CampaignRun) -> None:
    """With only the ordinary materials, a re-review unit lacks the video at its district
    (Weihai's notice) and the re-review form for the ministry (annex 3); a new nomination
    with the same materials lacks nothing. Once attached, the unit climbs to the ministry."""
    [w, other] = register(run, 2)
    n = apply(run, w, materials=all_materials())
    fresh = nominate(run, 1)
    attach_letter(run, fresh.id)
    attach_letter(run, n.id)
    stamp_all(run, n.id)

    assert ("re_review_video",) == run.position(n.id).missing_materials
    assert () == run.position(fresh.id).missing_materials
    error = refused(lambda: run.recommend(DISTRICT_CLERK, n.id))
    assert ["materials_missing"] == list(error.codes)
    assert ("re_review_video",) == tuple(error.reasons[0].details["missing"])

    run.attach(pf.Actor.applicant(w.unit_code, "负责人"), n.id, VIDEO)
    run.recommend(DISTRICT_CLERK, n.id)
    # the video also serves Weihai → Shandong: only Weihai's letter lacks its own material
    assert ("three_department_letter",) == run.position(n.id).missing_materials
    forward(run, n.id)
    apply(run, other)  # a second applicant: Shandong has a seat (70% of 2, rounded down)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    assert ("re_review_application_form",) == run.position(n.id).missing_materials
    assert ["materials_missing"] == codes(run.explain(n.id, "recommend", actor=PROVINCE_LEAD))

    run.attach(PROVINCE_LEAD, n.id, FORM)
    assert "received" == run.recommend(PROVINCE_LEAD, n.id).state


def test_re_review_needs_the_joint_stamp(run: pf.CampaignRun) -> None:
    """A district recommends a re-review unit only with all three departments' stamps."""
    [w] = register(run, 1)
    n = apply(run, w)
    attach_letter(run, n.id)
    run.stamp(pf.Actor(WEIHAI_DISTRICT, "industry", "c"), n.id)
    error = refused(lambda: run.recommend(DISTRICT_CLERK, n.id))
    assert ["stamps_missing"] == list(error.codes)
    assert ("civil_affairs", "health") == tuple(error.reasons[0].details["missing"])
    assert ("civil_affairs", "health") == run.position(n.id).missing_stamps


def test_re_review_is_forwarded_by_its_holder_only(run: pf.CampaignRun) -> None:
    """Another district (or the province ahead of time) cannot forward a Weihai re-review."""
    [w] = register(run, 1)
    n = apply(run, w)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    for actor in (pf.Actor(WEIHAI_DISTRICT_2, "industry", "x"), PROVINCE_LEAD):
        assert ["not_authorized"] == list(refused(lambda actor=actor: run.recommend(actor, n.id)).codes)


def test_re_review_not_forwarded_in_time_lapses(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """An application the district has not forwarded by its deadline can no longer be
    forwarded (deadline_passed) and the sweep lapses it: the winner's title is revoked (it
    failed at a level: 撤销称号并摘牌), its log naming the lapse, not revoke_unapplied."""
    [w] = register(run, 1)
    n = apply(run, w)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    letter = run.carrying(n.id)
    assert letter is not None
    clock.set(shanghai(2023, 10, 19, 9))

    assert ["deadline_passed"] == list(refused(lambda: run.recommend(DISTRICT_CLERK, n.id)).codes)
    assert (n.id,) == run.tick()
    assert "revoked" == run.get(n.id).state
    assert [n.id] == [x.id for x in run.nominations(state="revoked")]
    assert ["register", "apply", "lapse"] == [e.action for e in run.history(n.id)]
    assert () == run.submission(letter.id).units  # it left the district's letter


# -- revocation of winners that never applied ------------------------------------------------------


def test_unapplied_winner_revoked_by_the_sweep_exactly_once(run: pf.CampaignRun) -> None:
    """At the first hop's deadline the sweep revokes every winner that never applied (title
    revoked, plaque removed), as the system, with the reason; however often it runs after,
    it revokes nobody again; the revoked unit cannot apply any more."""
    a, b, c = register(run, 3)
    applied = apply(run, a).id
    forward(run, applied)
    forward(run, applied)  # at Shandong, whose deadline is 29 Oct
    ids = {x.unit_code: x.id for x in run.nominations()}

    assert () == run.tick(on(run, shanghai(2023, 10, 18, 23, 59)))
    assert {ids[b.unit_code], ids[c.unit_code]} == set(run.tick(on(run, WEIHAI_CLOSES)))
    for when in (
        WEIHAI_CLOSES,
        shanghai(2023, 10, 19, 1),
        shanghai(2023, 10, 25),
        shanghai(2023, 10, 29, 23),
    ):
        assert () == run.tick(on(run, when))

    for w in (b, c):
        n = run.get(ids[w.unit_code])
        assert "revoked" == n.state
        revocations = [e for e in run.events() if e.nomination_id == n.id and e.action == "revoke_unapplied"]
        assert 1 == len(revocations)
        event = revocations[0]
        assert (pf.Actor(WEIHAI_DISTRICT, "system", "deadline-sweep"), WEIHAI_CLOSES) == (
            event.actor,
            event.at,
        )
        assert ("awaiting_application", "revoked") == (event.from_state, event.to_state)
        assert "撤销称号并摘牌" in event.reason
    assert ["not_allowed_in_state"] == codes(
        run.explain(ids[b.unit_code], "apply", actor=DISTRICT_CLERK, at=shanghai(2023, 10, 20))
    )
    assert "in_review" == run.get(applied).state


def test_qingdao_winners_are_revoked_at_their_own_deadline(run: pf.CampaignRun) -> None:
    """A Qingdao winner's first hop inherits the ministry's deadline: Weihai's sweep on 19 Oct
    leaves it alone, the sweep on 30 Oct revokes it."""
    register(run, 1, authority=QINGDAO_DISTRICT)
    nid = run.nominations()[0].id
    assert () == run.tick(on(run, WEIHAI_CLOSES))
    assert (nid,) == run.tick(on(run, MINISTRY_CLOSES))
    assert "revoked" == run.get(nid).state


# -- the share quota at the province -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rounding", "expected"),
    [
        ("floor", [0, 1, 2, 2, 3, 7]),
        ("round_half_up", [1, 1, 2, 3, 4, 7]),
        ("ceil", [1, 2, 3, 3, 4, 7]),
    ],
)
def test_share_of_small_numbers(rounding: str, expected: list[int]) -> None:
    """70% of 1, 2, 3, 4, 5, 10 applicants under each rounding rule; an exact product (70%
    of 10) is never lost to floating point (7, not 6)."""
    assert expected == [share_of(n, 0.7, rounding) for n in (1, 2, 3, 4, 5, 10)]
    assert 7 == share_of(10, 0.7, "floor")
    assert 0 == share_of(0, 0.7, rounding)


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: share_of(3, 0.7, "bogus"), "rounding must be one of 'floor', 'ceil', 'round_half_up'"),
        (lambda: share_of(float("nan"), 0.7, "floor"), "applicants must be a whole number"),
        (lambda: share_of(10**400, 0.7, "floor"), "applicants must be a whole number"),
        (lambda: share_of(-5, 0.7, "floor"), "applicants must be a whole number"),
        (lambda: share_of(True, 0.7, "floor"), "applicants must be a whole number"),
        (lambda: share_of(10, float("inf"), "floor"), "share must be a number from 0 to 1"),
        (lambda: combine_scores([], "mean"), "scores must hold at least one score"),
        (lambda: combine_scores(["a"], "median"), "score must be a number from 0 to 100"),
        (lambda: combine_scores([1e308, 1e308], "mean"), "score must be a number from 0 to 100"),
        (lambda: combine_scores([float("nan")], "mean"), "score must be a number from 0 to 100"),
        (lambda: combine_scores([1, 2], "bogus"), "rule must be one of 'mean', 'median', 'trimmed_mean'"),
        (lambda: combine_scores("80", "mean"), "scores must be a list"),
    ],
)
def test_the_public_counting_rules_refuse_what_they_cannot_count(
    call: Callable[[], object], says: str
) -> None:
    """``share_of`` and ``combine_scores`` (public in ``pilotflow.service``) refuse a count, a
    share, a score or a rule they cannot use with an InvalidInput naming it, in English and
    Chinese: they raised KeyError, ValueError, OverflowError or StatisticsError, or returned a
    wrong answer (an unknown rule read as the mean, NaN combined to NaN, -5 applicants gave -4)."""
    with pytest.raises(pf.InvalidInput, match=says) as refused:
        call()
    assert refused.value.zh


@pytest.mark.parametrize(("applicants", "seats"), [(1, 0), (2, 1), (3, 2), (4, 2), (5, 3), (10, 7)])
def test_province_recommends_at_most_70_percent_rounded_down(
    run: pf.CampaignRun, clock: pf.FixedClock, applicants: int, seats: int
) -> None:
    """The bundled campaign: Shandong recommends at most 70% of its re-review applicants,
    rounded down ("不高于70%"): 1 → 0, 2 → 1, 3 → 2, 4 → 2, 5 → 3, 10 → 7; the rest are cut
    for quota, in its ranking order, and so lose their title (revoked)."""
    ids = at_province(run, applicants)
    clock.set(shanghai(2023, 10, 20, 9))

    result = run.select(PROVINCE_LEAD, "enterprise", track="re_review")
    send_letters(run, result.submissions)

    assert (tuple(ids[:seats]), tuple(ids[seats:])) == (result.recommended, result.cut)
    assert ["received"] * seats + ["revoked"] * (applicants - seats) == [run.get(i).state for i in ids]
    assert seats == run.store.quota_used(run.campaign.id, SHANDONG, "re_review")


@pytest.mark.parametrize(
    ("rounding", "applicants", "seats"),
    [
        ("round_half_up", 1, 1), ("round_half_up", 2, 1), ("round_half_up", 3, 2),
        ("round_half_up", 4, 3), ("round_half_up", 5, 4), ("round_half_up", 10, 7),
        ("ceil", 1, 1), ("ceil", 2, 2), ("ceil", 3, 3), ("ceil", 4, 3), ("ceil", 5, 4), ("ceil", 10, 7),
    ],
)  # fmt: skip
def test_share_rounding_is_a_campaign_setting(
    clock: pf.FixedClock, rounding: str, applicants: int, seats: int
) -> None:
    """A campaign with ``re_review.rounding`` round_half_up or ceil gives Shandong those seats."""
    campaign = variant(ROUNDING_LINE, f"  rounding: {rounding}\n")
    assert rounding == campaign.re_review.rounding
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    at_province(run, applicants)
    clock.set(shanghai(2023, 10, 20, 9))
    result = run.select(PROVINCE_LEAD, "enterprise", track="re_review")
    assert (seats, applicants - seats) == (len(result.recommended), len(result.cut))


def test_share_itself_is_a_campaign_setting(clock: pf.FixedClock) -> None:
    """With ``max_share: 0.5`` Shandong recommends 2 of its 5 applicants (2.5 rounded down)."""
    campaign = variant("max_share: 0.7", "max_share: 0.5")
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    at_province(run, 5)
    clock.set(shanghai(2023, 10, 20, 9))
    assert 2 == len(run.select(PROVINCE_LEAD, "enterprise", track="re_review").recommended)


def test_recommending_past_the_share_is_refused(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """One by one, the third of Shandong's 3 applicants is refused quota_full on the
    re-review share (2 of 2 used); explain() says so beforehand; nothing is written."""
    a, b, c = at_province(run, 3)
    clock.set(shanghai(2023, 10, 20, 9))
    for nid in (a, b, c):
        attach_letter(run, nid)
        stamp_all(run, nid)
    run.recommend(PROVINCE_LEAD, a)
    run.recommend(PROVINCE_LEAD, b)
    assert ["quota_full"] == codes(run.explain(c, "recommend", actor=PROVINCE_LEAD))
    before = state_of(run)

    with pytest.raises(pf.QuotaExceeded) as info:
        run.recommend(PROVINCE_LEAD, c)

    assert {"authority": SHANDONG, "unit_type": "re_review", "limit": 2, "used": 2, "nomination": c} == dict(
        info.value.reasons[0].details
    )
    assert before == state_of(run)


def test_share_counts_only_winners_that_applied(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Of 5 Weihai winners, 2 apply and 3 are revoked by the sweep for not applying: Shandong
    has 2 applicants, so 1 seat (70% of 2, rounded down), not 3 (70% of 5)."""
    winners = register(run, 5)
    ids = []
    for w in winners[:2]:
        nid = apply(run, w).id
        forward(run, nid)
        forward(run, nid)
        ids.append(nid)
    assert 3 == len(run.tick(on(run, WEIHAI_CLOSES)))
    clock.set(shanghai(2023, 10, 20, 9))

    result = run.select(PROVINCE_LEAD, "enterprise", track="re_review")

    assert (1, 1) == (len(result.recommended), len(result.cut))


def test_share_counts_applicants_who_were_not_forwarded(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Applicants declined by their district still count as the province's applicants: 3
    applied, 1 declined below, so Shandong may recommend 2 (70% of 3) of the 2 that reached it."""
    winners = register(run, 3)
    ids = [apply(run, w).id for w in winners]
    run.decline(DISTRICT_CLERK, ids[2], reason="无明显进步")
    for nid in ids[:2]:
        forward(run, nid)
        forward(run, nid)
    clock.set(shanghai(2023, 10, 20, 9))
    assert 2 == len(run.select(PROVINCE_LEAD, "enterprise", track="re_review").recommended)


def test_share_is_per_recommending_authority(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Qingdao's applicants count toward Qingdao's share, not Shandong's: with 2 applicants
    each, each recommends 1."""
    at_province(run, 2)
    q_ids = []
    for w in register(run, 2, start=10, authority=QINGDAO_DISTRICT):
        nid = apply(run, w).id
        forward(run, nid)
        q_ids.append(nid)
    clock.set(shanghai(2023, 10, 20, 9))
    assert 1 == len(run.select(PROVINCE_LEAD, "enterprise", track="re_review").recommended)
    qingdao = run.select(pf.Actor(QINGDAO, "industry", "lead"), "enterprise", track="re_review")
    assert (1, 1) == (len(qingdao.recommended), len(qingdao.cut))


def test_re_review_share_leaves_new_quota_alone(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Re-review seats do not use Shandong's quota for new enterprises (3), nor the reverse."""
    at_province(run, 2)
    news = [forward(run, forward(run, nominate(run, i).id).id).id for i in range(3)]
    assert len(news) == 3
    clock.set(shanghai(2023, 10, 20, 9))
    assert 1 == len(run.select(PROVINCE_LEAD, "enterprise", track="re_review").recommended)
    result = run.select(PROVINCE_LEAD, "enterprise")
    assert 3 == len(result.recommended)
    (sid,) = result.submissions
    assert 4 == len(run.submission(sid).units)  # one letter: the re-review unit and 3 new ones
    send_letters(run, result.submissions)
    line = next(q for q in run.quota(SHANDONG) if q.unit_type == "enterprise")
    assert (3, 3) == (line.limit, line.used)


# -- the ministry retains or revokes -----------------------------------------------------------------


def test_ministry_retains_or_revokes(run: pf.CampaignRun, clock: pf.FixedClock) -> None:
    """Of Shandong's 4 re-review units at the ministry (70% of 6): one reviewed and announced
    is retained; one scored below the pass score, one failing its spot check and one with an
    upheld objection are revoked (not "rejected"/"removed" as a new unit would be); the two
    Shandong cut for its share are revoked too. The log replays to the state."""
    ids = at_province(run, 6)
    clock.set(shanghai(2023, 10, 20, 9))
    result = run.select(PROVINCE_LEAD, "enterprise", track="re_review")
    assert 4 == len(result.recommended)
    send_letters(run, result.submissions)
    kept, low, checked, objected = result.recommended
    clock.set(REVIEW_DAY)
    for nid in result.recommended:
        for i in range(5):
            run.score(expert(i), nid, score=40 if nid == low else 85, opinion="复核意见")
        run.conclude_review(MINISTRY, nid)

    assert "revoked" == run.get(low).state
    assert ("conclude", "received", "revoked") == (
        run.history(low)[-1].action, run.history(low)[-1].from_state, run.history(low)[-1].to_state,
    )  # fmt: skip
    run.draw_spot_checks(MINISTRY, nominations=[checked])
    assert "revoked" == run.record_spot_check(MINISTRY, checked, passed=False, reason="进步不明显").state
    for nid in (kept, objected):
        run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    run.file_objection(
        objected,
        objector="李某",
        grounds="已停止运营",
        evidence="现场照片",
        at=on(run, shanghai(2023, 11, 3)),
    )
    upheld = run.rule_on_objection(
        MINISTRY, objected, upheld=True, reason="属实", at=on(run, shanghai(2023, 11, 6))
    )
    assert ("revoked", "upheld") == (upheld.state, upheld.ministry.objections[-1].ruling)
    assert (kept,) == run.tick(on(run, NOTICE_CLOSES))

    assert ["announced", "revoked", "revoked", "revoked"] == [run.get(x).state for x in result.recommended]
    assert ["revoked"] * 2 == [run.get(x).state for x in ids if x not in result.recommended]
    assert_replays(run)


def test_a_retried_registration_returns_the_first(run: pf.CampaignRun) -> None:
    """With an idempotency key a repeated registration answers with the nominations the first
    made and writes nothing; without the key the same rows are duplicates."""
    winners = [winner(i, WEIHAI_DISTRICT) for i in range(3)]
    first = run.register_winners(MINISTRY, winners, idempotency_key="import-2023-10-16")
    count = len(run.events())
    assert first == run.register_winners(MINISTRY, winners, idempotency_key="import-2023-10-16")
    assert count == len(run.events())
    with pytest.raises(pf.DuplicateNomination):
        run.register_winners(MINISTRY, winners)


def test_demo_summary_counts_an_applicant_declined_at_its_district(run: pf.CampaignRun) -> None:
    """The demo's summary counts a re-review applicant its district declined as received and
    declined there (it applied: the campaign's one rule of who applied says so), and leaves out
    only the winner that never applied; it used to skip every re-review unit revoked at its
    district, the declined applicant with the one that never applied."""
    from pilotflow.cli.demo.summary import summarize

    never, declined, forwarded = register(run, 3)
    run.decline(DISTRICT_CLERK, apply(run, declined).id, reason="无明显进步")
    forward(run, apply(run, forwarded).id)
    run.tick(on(run, WEIHAI_CLOSES))  # the sweep revokes the one that never applied
    ids = {n.unit_code: n.id for n in run.nominations()}
    assert ["revoked", "revoked"] == [run.get(ids[w.unit_code]).state for w in (never, declined)]
    row = next(r for r in summarize(run) if r.authority == WEIHAI_DISTRICT)
    assert (row.received, row.recommended, row.declined) == (2, 1, 1)
