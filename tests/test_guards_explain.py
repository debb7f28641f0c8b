"""Judging without acting: ``explain``, ``available_actions``, ``position``, and refusals.

Pins that ``explain()`` reports every blocking reason at once, that asking questions changes
nothing, that ``available_actions`` agrees with what the actions then do, that ``position``
says where a nomination is and what it lacks, and that a refused action of any kind leaves
state, quota use and the audit log exactly as they were, with reasons in English and Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

import pilotflow as pf

from conftest import any_material, attach_letter, forward, nominate, on, shanghai, stamp_all, unit_code

MINISTRY = "MIN"
SHANDONG = "370000"
WEIHAI = "371000"
DISTRICT = "371002"  # 环翠区, Weihai
DISTRICT_MATERIALS = (  # each unit's own at the district (its letter carries the joint letter)
    ("application_form_paper", 3),
    ("application_form_word", 1),
    ("application_form_pdf", 1),
)
CJK = re.compile(r"[\u4e00-\u9fff]")
PUBLIC_ACTIONS = pf.CampaignRun.ACTIONS


def clerk(authority: str, department: str = "industry") -> pf.Actor:
    return pf.Actor(authority, department, f"{department}-clerk")


def applicant(n: pf.Nomination) -> pf.Actor:
    return pf.Actor.applicant(n.unit_code, "applicant")


def climb(run: pf.CampaignRun, nomination_id: str, holder: str) -> pf.Nomination:
    n = run.get(nomination_id)
    while n.holder != holder:
        n = forward(run, nomination_id)
    return n


def snapshot(run: pf.CampaignRun) -> tuple[dict[str, pf.Nomination], list[pf.Event], dict[Any, int]]:
    """Everything a question or a refused action must leave untouched."""
    return (
        {n.id: n for n in run.nominations()},
        run.events(),
        run.store.quota_usage(run.campaign.id),
    )


def codes(reasons: tuple[pf.Reason, ...]) -> set[str]:
    return {r.code for r in reasons}


# -- explain ---------------------------------------------------------------------------------


def test_explain_reports_every_blocking_reason_at_once(run: pf.CampaignRun) -> None:
    """Late, missing a stamp and missing materials (the unit's and its letter's): explain
    lists all four reasons, each with its facts, not just the first one found."""
    n = nominate(run, 1, materials=False)
    run.stamp(clerk(DISTRICT), n.id)
    run.attach(applicant(n), n.id, pf.Material("application_form_paper", copies=1))

    reasons = run.explain(n.id, "recommend", at=shanghai(2023, 10, 19, 9))

    assert {"deadline_passed", "stamps_missing", "materials_missing", "letter_materials_missing"} == codes(
        reasons
    )
    assert 4 == len(reasons)
    by_code = {r.code: r for r in reasons}
    assert ("civil_affairs", "health") == tuple(by_code["stamps_missing"].details["missing"])
    assert (
        "application_form_paper",
        "application_form_word",
        "application_form_pdf",
    ) == tuple(by_code["materials_missing"].details["missing"])
    assert ("joint_recommendation_letter",) == tuple(by_code["letter_materials_missing"].details["missing"])
    assert ("application_form_paper", 3, 1) in by_code["materials_missing"].details["counts"]
    assert "2023-10-19T00:00:00+08:00" == by_code["deadline_passed"].details["deadline"]


def test_explain_reports_six_reasons_together(make_run: Callable[..., pf.CampaignRun]) -> None:
    """Late, about a listed unit in no stamped letter, lacking its own materials and its
    letter's, whose city's quota is full: every one of the six reasons is reported. An
    outsider asking is told only that it may not act (it may not draft the unit's letter)."""
    late_listing = pf.UnitList.build(
        "elderly_care_punishment", [pf.Listing(unit_code(4), since=shanghai(2023, 10, 18))]
    )
    run = make_run(lists=[late_listing])
    for i in (1, 2, 3):
        climb(run, nominate(run, i).id, SHANDONG)
    n = nominate(run, 4, materials=False)
    for kind, copies in DISTRICT_MATERIALS:
        run.attach(applicant(n), n.id, any_material(kind, copies))
    forward(run, n.id)

    late = shanghai(2023, 10, 19, 9)
    outsider = run.explain(n.id, "recommend", actor=clerk(SHANDONG), at=late)
    assert ("not_authorized",) == tuple(r.code for r in outsider)  # it may not even draft the letter
    reasons = run.explain(n.id, "recommend", at=late)

    assert {
        "deadline_passed",
        "disqualified",
        "stamps_missing",
        "materials_missing",
        "letter_materials_missing",
        "quota_full",
    } == codes(reasons)


def test_explain_changes_nothing(run: pf.CampaignRun) -> None:
    """Asking why (for every action, with and without an actor) writes nothing."""
    n = nominate(run, 1)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    before = snapshot(run)

    for action in PUBLIC_ACTIONS:
        run.explain(n.id, action)
        run.explain(n.id, action, actor=clerk(WEIHAI), at=shanghai(2023, 10, 20))
        run.explain(n.id, action, actor=applicant(n))

    assert before == snapshot(run)


def test_explain_is_empty_when_the_action_would_go_ahead(run: pf.CampaignRun) -> None:
    """No reasons means the action then succeeds."""
    n = nominate(run, 1)
    attach_letter(run, n.id)
    stamp_all(run, n.id)

    assert () == run.explain(n.id, "recommend", actor=clerk(DISTRICT))
    assert WEIHAI == run.recommend(clerk(DISTRICT), n.id).holder


def test_explain_without_an_actor_does_not_judge_authorisation(run: pf.CampaignRun) -> None:
    """Without an actor only the facts of the nomination are judged; with an outsider the
    not_authorized reason is added."""
    n = nominate(run, 1)
    attach_letter(run, n.id)
    stamp_all(run, n.id)

    assert () == run.explain(n.id, "recommend")
    assert ("not_authorized",) == tuple(r.code for r in run.explain(n.id, "recommend", actor=clerk("371003")))


def test_explain_judges_withdrawal_at_the_top_by_the_hop_that_brought_it_there(
    run: pf.CampaignRun,
) -> None:
    """At the ministry, withdrawal is open until the province → ministry hop closes."""
    n = climb(run, nominate(run, 1).id, MINISTRY)

    assert () == run.explain(n.id, "withdraw", at=shanghai(2023, 10, 29, 23, 59, 59))
    assert ("deadline_passed",) == tuple(
        r.code for r in run.explain(n.id, "withdraw", at=shanghai(2023, 10, 30))
    )


@pytest.mark.parametrize("action", ["nominate", "cut", "approve", ""])
def test_explain_refuses_an_unknown_action(run: pf.CampaignRun, action: str) -> None:
    """Only the public actions can be explained; anything else is InvalidInput. Pins its
    Chinese: the actions it takes by their Chinese names, each code (to type) in parentheses
    after it (推荐（recommend）), never a bare code."""
    n = nominate(run, 1)
    with pytest.raises(pf.InvalidInput) as refused:
        run.explain(n.id, action)
    assert "、联合盖章（stamp）、推荐（recommend）、" in refused.value.zh, refused.value.zh
    assert "、recommend、" not in refused.value.zh


def test_explain_refuses_a_naive_moment(run: pf.CampaignRun) -> None:
    """explain(at=...) needs a timezone-aware moment."""
    n = nominate(run, 1)
    with pytest.raises(pf.NaiveDatetime):
        run.explain(n.id, "recommend", at=datetime(2023, 10, 18, 12))


def test_explain_in_a_terminal_state_says_not_allowed(run: pf.CampaignRun) -> None:
    """Once withdrawn nothing more can happen (not_allowed_in_state, naming state and action)."""
    n = nominate(run, 1)
    run.withdraw(applicant(n), n.id)

    for action in PUBLIC_ACTIONS:
        reasons = run.explain(n.id, action)
        assert ("not_allowed_in_state",) == tuple(r.code for r in reasons)
        assert {"state": "withdrawn", "action": action} == dict(reasons[0].details)


# -- available_actions --------------------------------------------------------------------------


def test_available_actions_by_who_is_asking(run: pf.CampaignRun) -> None:
    """At the district: the applicant may attach or withdraw; each department of the holder
    may also stamp or decline (recommend only once all three stamped, never return at the
    origin); an authority that does not hold it may do nothing."""
    n = nominate(run, 1)

    assert ("attach", "withdraw") == run.available_actions(applicant(n), n.id)
    assert {"attach", "stamp", "decline", "withdraw"} == set(run.available_actions(clerk(DISTRICT), n.id))
    assert () == run.available_actions(clerk("371003"), n.id)
    assert () == run.available_actions(clerk(WEIHAI), n.id)
    assert () == run.available_actions(pf.Actor.applicant(unit_code(9), "x"), n.id)

    run.stamp(clerk(DISTRICT, "industry"), n.id)
    assert "stamp" not in run.available_actions(clerk(DISTRICT, "industry"), n.id)
    assert "stamp" in run.available_actions(clerk(DISTRICT, "health"), n.id)

    attach_letter(run, n.id)
    stamp_all_remaining(run, n.id)
    assert {"attach", "recommend", "decline", "withdraw"} == set(
        run.available_actions(clerk(DISTRICT, "health"), n.id)
    )


def stamp_all_remaining(run: pf.CampaignRun, nomination_id: str) -> None:
    """The holder's departments that have not stamped the letter carrying the unit stamp it."""
    n = run.get(nomination_id)
    letter = run.carrying(n.id)
    stamped = letter.stamps if letter is not None and letter.sender == n.holder else ()
    for department in run.graph[n.holder].departments:
        if department not in stamped:
            run.stamp(clerk(n.holder, department), nomination_id)


def test_available_actions_above_the_origin_include_return(run: pf.CampaignRun) -> None:
    """At Weihai a department may also return the nomination to the district; the district
    itself may no longer act on it."""
    n = forward(run, nominate(run, 1).id)

    assert {"attach", "stamp", "return", "decline", "withdraw"} == set(
        run.available_actions(clerk(WEIHAI, "civil_affairs"), n.id)
    )
    assert () == run.available_actions(clerk(DISTRICT), n.id)
    assert ("attach", "withdraw") == run.available_actions(applicant(n), n.id)


def test_available_actions_after_the_deadline(run: pf.CampaignRun) -> None:
    """After the hop closed, neither recommend, withdraw, stamp nor attach is offered: only a
    decline remains."""
    n = stamp_all(run, nominate(run, 1).id)
    late = shanghai(2023, 10, 19, 9)

    assert {"decline"} == set(run.available_actions(clerk(DISTRICT), n.id, at=late))
    assert () == run.available_actions(applicant(n), n.id, at=late)


def test_available_actions_at_the_ministry(run: pf.CampaignRun) -> None:
    """Received by the ministry: the ministry may return, decline, withdraw or have
    its experts score (concluding needs the scores first); the province that sent it may do
    nothing more."""
    n = climb(run, nominate(run, 1).id, MINISTRY)

    assert {"return", "decline", "withdraw", "score"} == set(
        run.available_actions(clerk(MINISTRY, "health"), n.id)
    )
    assert () == run.available_actions(clerk(SHANDONG), n.id)


def test_nothing_is_available_once_withdrawn(run: pf.CampaignRun) -> None:
    """A withdrawn nomination offers no action to anyone."""
    n = nominate(run, 1)
    run.withdraw(applicant(n), n.id)

    for actor in (applicant(n), clerk(DISTRICT), clerk(WEIHAI)):
        assert () == run.available_actions(actor, n.id)


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda run, n: n, id="fresh"),
        pytest.param(lambda run, n: stamp_all(run, n.id), id="stamped"),
        pytest.param(lambda run, n: forward(run, n.id), id="at-weihai"),
        pytest.param(lambda run, n: climb(run, n.id, MINISTRY), id="at-the-ministry"),
    ],
)
def test_available_actions_agree_with_explain(
    run: pf.CampaignRun, where: Callable[[pf.CampaignRun, pf.Nomination], pf.Nomination]
) -> None:
    """For every actor, an action is offered exactly when explain() finds no reason against
    it (stamp is never offered to the applicant); asking changes nothing."""
    n = where(run, nominate(run, 1))
    actors = [applicant(n)] + [
        clerk(a, d)
        for a in (DISTRICT, WEIHAI, SHANDONG, MINISTRY)
        for d in ("industry", "civil_affairs", "health")
    ]
    before = snapshot(run)

    for actor in actors:
        offered = set(run.available_actions(actor, n.id))
        clear = {
            a
            for a in PUBLIC_ACTIONS
            if not run.explain(n.id, a, actor=actor) and not (a == "stamp" and actor.is_applicant)
        }
        assert clear == offered, actor

    assert before == snapshot(run)


# -- position --------------------------------------------------------------------------------


def test_position_of_a_fresh_nomination(run: pf.CampaignRun) -> None:
    """Held by the district (环翠区, district level), next Weihai, closing at the end of
    Oct 18, lacking all three stamps and the district's four materials."""
    n = nominate(run, 1, materials=False)

    p = run.position(n.id)

    assert (n.id, "in_review", DISTRICT, "环翠区", "district", WEIHAI) == (
        p.nomination_id, p.state, p.authority, p.authority_name, p.level, p.next_authority,
    )  # fmt: skip
    assert shanghai(2023, 10, 19) == p.deadline
    assert ("industry", "civil_affairs", "health") == p.missing_stamps
    assert ("joint_recommendation_letter", *(k for k, _ in DISTRICT_MATERIALS)) == p.missing_materials


def test_position_follows_the_nomination_up(run: pf.CampaignRun) -> None:
    """After the district recommends, Weihai (city level) holds it, next Shandong, its letter
    to Shandong not yet stamped nor carrying its three-department letter."""
    n = nominate(run, 1)
    run.stamp(clerk(DISTRICT, "health"), n.id)
    assert ("industry", "civil_affairs") == run.position(n.id).missing_stamps

    attach_letter(run, n.id)
    stamp_all_remaining(run, n.id)
    run.recommend(clerk(DISTRICT), n.id)
    p = run.position(n.id)

    assert (WEIHAI, "威海市", "city", SHANDONG) == (
        p.authority, p.authority_name, p.level, p.next_authority,
    )  # fmt: skip
    assert ("industry", "civil_affairs", "health") == p.missing_stamps
    assert ("three_department_letter",) == p.missing_materials  # Weihai's letter's own


def test_position_at_the_ministry(run: pf.CampaignRun) -> None:
    """Received at the top: ministry level, nowhere further to go, nothing missing."""
    n = climb(run, nominate(run, 1).id, MINISTRY)

    p = run.position(n.id)

    assert ("received", MINISTRY, "ministry", None) == (
        p.state, p.authority, p.level, p.next_authority,
    )  # fmt: skip
    assert ((), ()) == (p.missing_stamps, p.missing_materials)


def test_position_changes_nothing(run: pf.CampaignRun) -> None:
    """Asking where a nomination is writes nothing."""
    n = nominate(run, 1, materials=False)
    before = snapshot(run)

    run.position(n.id)
    run.position(n.id, at=shanghai(2023, 10, 25))

    assert before == snapshot(run)


# -- refusals change nothing, and say why in two languages -----------------------------------


def _outsider_stamps(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    return lambda: run.stamp(clerk("371003"), n.id)


def _late_recommend(run: pf.CampaignRun) -> Callable[[], object]:
    n = stamp_all(run, nominate(run, 1).id)
    return lambda: run.recommend(clerk(DISTRICT), n.id, at=on(run, shanghai(2023, 10, 19)))


def _listed_stamp(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    run.use_list(
        pf.UnitList.build("serious_dishonesty", [pf.Listing(n.unit_code, since=shanghai(2023, 10, 17))])
    )
    return lambda: run.stamp(clerk(DISTRICT), n.id)


def _unstamped_recommend(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    run.stamp(clerk(DISTRICT), n.id)
    return lambda: run.recommend(clerk(DISTRICT), n.id)


def _no_materials_recommend(run: pf.CampaignRun) -> Callable[[], object]:
    n = stamp_all(run, nominate(run, 1, materials=False).id)
    return lambda: run.recommend(clerk(DISTRICT), n.id)


def _over_quota(run: pf.CampaignRun) -> Callable[[], object]:
    climb(run, nominate(run, 1, unit_type="park").id, SHANDONG)
    n = stamp_all(run, climb(run, nominate(run, 2, unit_type="park").id, WEIHAI).id)
    return lambda: run.recommend(clerk(WEIHAI), n.id)


def _stamp_twice(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    run.stamp(clerk(DISTRICT), n.id)
    return lambda: run.stamp(clerk(DISTRICT), n.id)


def _return_at_origin(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    return lambda: run.return_for_revision(clerk(DISTRICT), n.id, reason="退回")


def _stamp_withdrawn(run: pf.CampaignRun) -> Callable[[], object]:
    n = nominate(run, 1)
    run.withdraw(applicant(n), n.id)
    return lambda: run.stamp(clerk(DISTRICT), n.id)


def _late_withdraw_at_top(run: pf.CampaignRun) -> Callable[[], object]:
    n = climb(run, nominate(run, 1).id, MINISTRY)
    return lambda: run.withdraw(applicant(n), n.id, at=on(run, shanghai(2023, 10, 31)))


def _applicant_for_another_unit(run: pf.CampaignRun) -> Callable[[], object]:
    nominate(run, 2)
    code = unit_code(1)
    return lambda: run.nominate(
        pf.Actor.applicant(unit_code(2), "impostor"),
        unit_code=code,
        unit_name="冒名单位",
        unit_type="enterprise",
        scenario="elderly_canteens",
        origin=DISTRICT,
    )


REFUSALS = [
    pytest.param(_outsider_stamps, "not_authorized", id="not_authorized"),
    pytest.param(_late_recommend, "deadline_passed", id="deadline_passed"),
    pytest.param(_listed_stamp, "disqualified", id="disqualified"),
    pytest.param(_unstamped_recommend, "stamps_missing", id="stamps_missing"),
    pytest.param(_no_materials_recommend, "materials_missing", id="materials_missing"),
    pytest.param(_over_quota, "quota_full", id="quota_full"),
    pytest.param(_stamp_twice, "already_stamped", id="already_stamped"),
    pytest.param(_return_at_origin, "at_origin", id="at_origin"),
    pytest.param(_stamp_withdrawn, "not_allowed_in_state", id="not_allowed_in_state"),
    pytest.param(_late_withdraw_at_top, "deadline_passed", id="late-withdraw-at-top"),
    pytest.param(_applicant_for_another_unit, "not_authorized", id="applicant-for-another"),
]


@pytest.mark.parametrize(("setup", "code"), REFUSALS)
def test_a_refused_action_changes_nothing(
    run: pf.CampaignRun, setup: Callable[[pf.CampaignRun], Callable[[], object]], code: str
) -> None:
    """Whatever the reason, a refused action leaves every nomination, the quota use and the
    audit log exactly as they were."""
    act = setup(run)
    before = snapshot(run)

    with pytest.raises(pf.ActionRefused) as refused:
        act()

    assert code in refused.value.codes
    assert before == snapshot(run)
    assert before[2] == dict(run.replay().quota)


@pytest.mark.parametrize(("setup", "code"), REFUSALS)
def test_every_reason_reads_in_english_and_chinese(
    run: pf.CampaignRun, setup: Callable[[pf.CampaignRun], Callable[[], object]], code: str
) -> None:
    """Each reason has a non-empty English and a Chinese message, and the refusal carries
    all of them in both languages."""
    act = setup(run)

    with pytest.raises(pf.ActionRefused) as refused:
        act()

    for reason in refused.value.reasons:
        assert reason.en.strip()
        assert reason.zh.strip()
        assert CJK.search(reason.zh), reason.zh
        assert reason.en in refused.value.en
        assert reason.zh in refused.value.zh
        assert f"[{reason.code}]" in str(reason)


def test_quota_refusals_are_quota_exceeded(make_run: Callable[..., pf.CampaignRun]) -> None:
    """A refusal with a full quota among its reasons is a QuotaExceeded (an ActionRefused);
    others are plain ActionRefused."""
    over = _over_quota(make_run())
    with pytest.raises(pf.QuotaExceeded):
        over()
    late = _late_recommend(make_run())
    with pytest.raises(pf.ActionRefused) as refused:
        late()
    assert not isinstance(refused.value, pf.QuotaExceeded)


@pytest.mark.parametrize(
    "error",
    [
        pf.UnknownAuthority("999999", "origin"),
        pf.UnknownDepartment("371002", "finance", ("industry", "civil_affairs", "health")),
        pf.NaiveDatetime("at", datetime(2023, 10, 17)),
        pf.NominationNotFound("x"),
        pf.DuplicateNomination(unit_code(1), "x"),
        pf.ConflictError("x", 2, 3),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_read_in_english_and_chinese(error: pf.PilotflowError) -> None:
    """Every typed error carries a distinct English and Chinese message."""
    assert error.en.strip()
    assert CJK.search(error.zh)
    assert error.en != error.zh


def test_every_context_slot_is_filled(run: pf.CampaignRun) -> None:
    """The run fills every slot of a guard's Context for every action (it builds them slot by
    slot for speed, so a slot added to Context but forgotten there would fail here, not in a
    guard at run time)."""
    from pilotflow.domain.guards import Context

    n = nominate(run, 1)
    for action in (*pf.CampaignRun.ACTIONS, "lapse", "cut"):
        ctx = run._context(n, clerk(DISTRICT), n.updated_at, action)
        missing = [slot for slot in Context.__slots__ if not hasattr(ctx, slot)]
        assert [] == missing, action


@pytest.mark.parametrize(("setup", "code"), REFUSALS)
def test_a_refusal_names_its_action_in_chinese(
    run: pf.CampaignRun, setup: Callable[[pf.CampaignRun], Callable[[], object]], code: str
) -> None:
    """Pins the Chinese of a refusal: 操作“推荐”被拒绝（申报 …）, the action as civil servants
    name it and the nomination's id, not the action's code (``recommend``) nor English
    (``on``)."""
    act = setup(run)

    with pytest.raises(pf.ActionRefused) as refused:
        act()

    e = refused.value
    named = {**pf.names.LOGGED_ACTION_ZH, "stamp": "联合盖章"}[e.action]
    target = f"（申报 {e.nomination_id}）" if e.nomination_id else ""
    assert e.zh.startswith(f"操作“{named}”被拒绝{target}："), e.zh
    assert e.action not in e.zh.split("：", 1)[0]


def test_a_letter_refusal_names_its_action_and_the_letter_in_chinese(run: pf.CampaignRun) -> None:
    """Pins the Chinese of a refused action on a submission (推荐函): 操作“联合盖章”被拒绝（推荐函
    …）, and of a refusal without a nomination (a unit applying to make a selection): the
    doing named in Chinese, not ``stamp_letter`` or ``select``."""
    n = nominate(run, 1)
    run.stamp(clerk(DISTRICT), n.id)
    s = run.submissions()[0]
    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp_submission(clerk(DISTRICT), s.id)
    assert refused.value.zh.startswith(f"操作“联合盖章”被拒绝（推荐函 {s.id}）："), refused.value.zh
    with pytest.raises(pf.ActionRefused) as refused:
        run.select(applicant(n), "enterprise")
    assert refused.value.zh.startswith("操作“遴选推荐”被拒绝："), refused.value.zh


def test_an_actor_of_another_authority_is_told_who_holds_the_unit_by_name(run: pf.CampaignRun) -> None:
    """A clerk of another authority is told in Chinese which authority holds the unit by its
    name, the code in parentheses; its own authority is not shown by its bare code (the
    sentence began with 「371000 无权操作…」, later 「操作人所属机关（代码 371000）」)."""
    n = nominate(run, 1)
    (reason,) = run.explain(n.id, "recommend", actor=clerk(WEIHAI))  # (sent in its letter: the sender's)
    assert reason.code == "not_authorized"
    assert reason.zh == "操作人所属机关无权办理：该推荐函的此项操作应由环翠区（371002）办理"
    assert reason.en == "371000 cannot act here: this action on the submission is for 371002 (环翠区)"
    (reason,) = run.explain(n.id, "withdraw", actor=clerk(WEIHAI))  # (the unit's own action)
    assert reason.zh == "操作人所属机关无权办理：该申报目前由环翠区（371002）办理"
    assert reason.en == "371000 cannot act here: the nomination is held by 371002 (环翠区)"


def refused_by(run: pf.CampaignRun, n: pf.Nomination) -> tuple[pf.Reason, ...]:
    """The reasons a stamp of ``n`` by a clerk of Weihai (not its holder) is refused with."""
    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(clerk(WEIHAI), n.id)
    return tuple(refused.value.reasons)


def test_an_actor_of_another_authority_is_told_what_the_holder_holds(run: pf.CampaignRun) -> None:
    """The refusal of an actor of another authority says what it could not act on: a letter's
    action is the sender's (not "the nomination is held by"), and a step of the top's, such
    as publishing the notice, is the top's, even when no unit is at hand. So is stamping a
    unit whose letter is not drafted yet (the letter drafted on the way is the sender's)."""
    n = nominate(run, 1)
    for explained in (run.explain(n.id, "stamp", actor=clerk(WEIHAI)), refused_by(run, n)):
        assert [r.en for r in explained] == [
            "371000 cannot act here: this action on the submission is for 371002 (环翠区)"
        ]
    run.stamp(clerk(DISTRICT), n.id)
    s = run.submissions()[0]
    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp_submission(clerk(WEIHAI), s.id)
    (reason,) = refused.value.reasons
    assert reason.en == "371000 cannot act here: this action on the submission is for 371002 (环翠区)"
    assert reason.zh == "操作人所属机关无权办理：该推荐函的此项操作应由环翠区（371002）办理"
    with pytest.raises(pf.ActionRefused) as refused:
        run.publish_notice(clerk(WEIHAI))
    denied = [r for r in refused.value.reasons if r.code == "not_authorized"]
    top = "工业和信息化部 民政部 国家卫生健康委员会（联合）"
    assert [r.en for r in denied] == [f"371000 cannot act here: this step of the campaign is for MIN ({top})"]
    assert denied[0].zh == f"操作人所属机关无权办理：本次遴选的该环节应由{top}（MIN）办理"
