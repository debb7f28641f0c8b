"""The rules of the 2023 smart health and elderly-care campaign, end to end.

Every test drives :class:`pilotflow.CampaignRun` through its public API only and pins one rule
of ``/work/shared/domain.md`` (and the seed notices behind it): the joint stamp of the three
departments, the routes, the deadlines of each hop, withdrawal, the quota table, the
disqualification lists, selection with the reserve pool, and the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import pilotflow as pf

from conftest import (
    all_materials,
    any_material,
    attach_letter,
    file_material,
    forward,
    nominate,
    on,
    send_letters,
    shanghai,
    stamp_all,
    unit_code,
)

MINISTRY = "MIN"
SHANDONG = "370000"
WEIHAI = "371000"
WEIHAI_DISTRICT = "371002"  # 环翠区
QINGDAO = "370200"
QINGDAO_DISTRICT = "370211"  # 黄岛区
BEIJING = "110000"
BEIJING_DISTRICT = "110101"  # 东城区
JINAN = "370100"
JINAN_DISTRICT = "370102"  # 历下区
CENTRAL_ENTERPRISE = "CE-CEC"

UNIT_TYPES = ("enterprise", "street_town", "park", "base")
MAJOR = {"enterprise": 3, "street_town": 3, "park": 1, "base": 2}
OTHER_SHANDONG = {"enterprise": 1, "street_town": 1, "park": 1, "base": 1}
PROVINCE = {"enterprise": 3, "street_town": 8, "park": 3, "base": 3}
PLANNED = {"enterprise": 2, "street_town": 4, "park": 2, "base": 2}

#: The lists that bar every track (the bundled campaign's reading: national joint-punishment
#: lists); ``other_grounds`` bars re-review units only (see test_tracks_lists.py).
EVERY_TRACK_LISTS = (
    "abnormal_operations",
    "serious_dishonesty",
    "dishonest_debtors",
    "elderly_care_punishment",
)
SCREENING_LISTS = (*EVERY_TRACK_LISTS, "other_grounds")
RESERVE_POOL = "shandong_reserve_pool"

# The first late instant of each hop (deadline_rule: end_of_day, "于…前" read inclusively).
OCT_18_CLOSES = "2023-10-19T00:00:00+08:00"
OCT_29_CLOSES = "2023-10-30T00:00:00+08:00"


# -- helpers ------------------------------------------------------------------------------


def clerk(authority: str, department: str = "industry") -> pf.Actor:
    """A clerk of one department of ``authority``."""
    return pf.Actor(authority, department, f"{department}-clerk")


def lead(run: pf.CampaignRun, authority: str) -> pf.Actor:
    """The first department of ``authority`` (the one that signs the recommendation off)."""
    return pf.Actor(authority, run.graph[authority].departments[0], "lead")


def applicant(n: pf.Nomination) -> pf.Actor:
    return pf.Actor.applicant(n.unit_code, "applicant")


def climb(run: pf.CampaignRun, nomination_id: str, holder: str) -> pf.Nomination:
    """Forward the nomination (stamp everything, recommend) until ``holder`` holds it."""
    n = run.get(nomination_id)
    while n.holder != holder:
        n = forward(run, nomination_id)
    return n


def ready_at(
    run: pf.CampaignRun,
    origin: str,
    recommender: str,
    unit_type: str,
    count: int,
    start: int = 1,
) -> list[str]:
    """``count`` nominations filed at ``origin``, climbed to ``recommender`` and stamped there
    (each in its one-unit letter, with the letter's materials)."""
    ids = []
    for i in range(start, start + count):
        n = nominate(run, i, origin=origin, unit_type=unit_type)
        climb(run, n.id, recommender)
        attach_letter(run, n.id)
        stamp_all(run, n.id)
        ids.append(n.id)
    return ids


def snapshot(run: pf.CampaignRun) -> tuple[dict[str, pf.Nomination], list[pf.Event], dict[Any, int]]:
    """Everything a refused action must leave untouched: nominations, the log, quota use."""
    return (
        {n.id: n for n in run.nominations()},
        run.events(),
        run.store.quota_usage(run.campaign.id),
    )


def used(run: pf.CampaignRun, authority: str, unit_type: str) -> int:
    return next(line.used for line in run.quota(authority) if line.unit_type == unit_type)


def listed(list_id: str, code: str, since: datetime, until: datetime | None = None) -> pf.UnitList:
    return pf.UnitList.build(list_id, [pf.Listing(code, since=since, until=until, reason="测试列入原因")])


# -- the joint stamp of the three departments -----------------------------------------------


def test_recommend_needs_the_stamp_of_all_three_departments(run: pf.CampaignRun) -> None:
    """A level recommends only once industry, civil affairs and health have all stamped; the
    refusal names the department still missing, in English and Chinese."""
    n = nominate(run, 1)
    attach_letter(run, n.id)
    run.stamp(clerk(WEIHAI_DISTRICT, "industry"), n.id)
    run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, WEIHAI_DISTRICT), n.id)

    assert ("stamps_missing",) == refused.value.codes
    reason = refused.value.reasons[0]
    assert ("civil_affairs",) == tuple(reason.details["missing"])
    assert WEIHAI_DISTRICT == reason.details["authority"]
    assert "civil_affairs" in reason.en
    assert "民政" in reason.zh

    run.stamp(clerk(WEIHAI_DISTRICT, "civil_affairs"), n.id)
    assert WEIHAI == run.recommend(lead(run, WEIHAI_DISTRICT), n.id).holder


def test_every_level_needs_its_own_joint_stamp(run: pf.CampaignRun) -> None:
    """The district's stamps do not carry over: the district's letter went with it, and at
    Weihai all three departments stamp Weihai's own letter again."""
    n = forward(run, nominate(run, 1).id)

    assert WEIHAI == n.holder
    sent = run.carrying(n.id)
    assert sent is not None
    assert sent.sender == WEIHAI_DISTRICT
    assert sent.state == "sent"
    attach_letter(run, n.id)
    letter = run.carrying(n.id)
    assert letter is not None
    assert letter.sender == WEIHAI
    assert () == letter.stamps
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, WEIHAI), n.id)
    assert ("stamps_missing",) == refused.value.codes
    assert ("industry", "civil_affairs", "health") == tuple(refused.value.reasons[0].details["missing"])


def test_a_department_stamps_once_per_level(run: pf.CampaignRun) -> None:
    """A department that already stamped at this level is refused (already_stamped)."""
    n = nominate(run, 1)
    run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id)

    assert ("already_stamped",) == refused.value.codes
    letter = run.carrying(n.id)
    assert letter is not None
    assert ("health",) == letter.stamps


@pytest.mark.parametrize(
    "outsider",
    [
        pytest.param(clerk("371003"), id="another-district"),
        pytest.param(clerk(WEIHAI), id="the-city-above"),
        pytest.param(clerk(SHANDONG, "health"), id="the-province"),
        pytest.param(clerk(MINISTRY), id="the-ministry"),
    ],
)
def test_only_the_holding_authority_stamps_and_recommends(run: pf.CampaignRun, outsider: pf.Actor) -> None:
    """A department of any authority other than the holder is refused (not_authorized) for
    stamp and recommend, and the refusal names the holder."""
    n = nominate(run, 1)

    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(outsider, n.id)
    assert ("not_authorized",) == refused.value.codes
    assert WEIHAI_DISTRICT == refused.value.reasons[0].details["holder"]

    attach_letter(run, n.id)
    stamp_all(run, n.id)
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(outsider, n.id)
    assert ("not_authorized",) == refused.value.codes
    assert WEIHAI == run.recommend(lead(run, WEIHAI_DISTRICT), n.id).holder


def test_an_outsider_is_refused_only_as_an_outsider(run: pf.CampaignRun) -> None:
    """Once the holder's industry department has stamped, the industry department of another
    authority is refused as not authorised, not as "already stamped": it stamped nothing."""
    n = nominate(run, 1)
    run.stamp(clerk(WEIHAI_DISTRICT, "industry"), n.id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(clerk(WEIHAI, "industry"), n.id)

    assert ("not_authorized",) == refused.value.codes


@pytest.mark.parametrize(
    ("authority", "department"),
    [
        pytest.param(WEIHAI_DISTRICT, "finance", id="no-such-department"),
        pytest.param(WEIHAI_DISTRICT, "hq", id="central-enterprise-department-at-a-district"),
        pytest.param(CENTRAL_ENTERPRISE, "industry", id="bureau-department-at-an-enterprise"),
    ],
)
def test_a_department_the_authority_does_not_have_raises(
    run: pf.CampaignRun, authority: str, department: str
) -> None:
    """Acting as a department the authority does not have raises UnknownDepartment naming
    both, and writes nothing."""
    n = nominate(run, 1)
    before = snapshot(run)

    with pytest.raises(pf.UnknownDepartment) as raised:
        run.stamp(pf.Actor(authority, department, "x"), n.id)

    assert (authority, department) == (raised.value.authority, raised.value.department)
    assert department in raised.value.en
    assert before == snapshot(run)


def test_a_central_enterprise_signs_off_through_its_headquarters(run: pf.CampaignRun) -> None:
    """A central enterprise recommends its member unit with its headquarters' stamp alone."""
    n = nominate(run, 1, origin=CENTRAL_ENTERPRISE)
    assert ("hq",) == run.graph[CENTRAL_ENTERPRISE].departments

    attach_letter(run, n.id)
    run.stamp(pf.Actor(CENTRAL_ENTERPRISE, "hq", "group-office"), n.id)
    after = run.recommend(pf.Actor(CENTRAL_ENTERPRISE, "hq", "group-office"), n.id)

    assert (MINISTRY, "received") == (after.holder, after.state)


def test_a_unit_is_filed_by_itself_or_by_its_origin_authority(run: pf.CampaignRun) -> None:
    """The applicant files for itself, or a department of the origin authority files for it;
    a department of another district may not (not_authorized)."""
    assert "in_review" == nominate(run, 1).state
    by_district = run.nominate(
        clerk(WEIHAI_DISTRICT, "civil_affairs"),
        unit_code=unit_code(2),
        unit_name="街道办事处",
        unit_type="street_town",
        scenario="community_day_care",
        origin=WEIHAI_DISTRICT,
    )
    assert WEIHAI_DISTRICT == by_district.holder

    with pytest.raises(pf.ActionRefused) as refused:
        run.nominate(
            clerk("371003"),
            unit_code=unit_code(3),
            unit_name="他区代报",
            unit_type="enterprise",
            scenario="community_day_care",
            origin=WEIHAI_DISTRICT,
        )
    assert ("not_authorized",) == refused.value.codes
    assert 2 == len(run.nominations())


# -- materials ---------------------------------------------------------------------------------


def test_each_hop_asks_for_the_materials_its_notice_lists(run: pf.CampaignRun) -> None:
    """Weihai's notice: the three-department letter, the paper form in three copies, Word and
    PDF; Shandong's: application materials, the three-department letter with the summary
    table, a PDF; the ministry's: materials, the recommendation opinion, electronic copies.
    Each level is refused until its own are attached: the unit's own (materials_missing) and
    its letter's (letter_materials_missing: the stamped letter, the opinion), naming the kinds."""

    def missing(nid: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        reasons = {r.code: r for r in run.explain(nid, "recommend")}
        return tuple(
            tuple(reasons[code].details["missing"]) if code in reasons else ()
            for code in ("materials_missing", "letter_materials_missing")
        )  # type: ignore[return-value]

    n = stamp_all(run, nominate(run, 1, materials=False).id)
    assert (
        ("application_form_paper", "application_form_word", "application_form_pdf"),
        ("joint_recommendation_letter",),
    ) == missing(n.id)
    for kind in ("application_form_word", "application_form_pdf"):
        run.attach(applicant(n), n.id, any_material(kind))
    run.attach(clerk(WEIHAI_DISTRICT), n.id, any_material("joint_recommendation_letter"))
    run.attach(applicant(n), n.id, pf.Material("application_form_paper", copies=2))
    assert (("application_form_paper",), ()) == missing(n.id)  # 一式三份: 2 of 3 is not enough
    run.attach(clerk(WEIHAI_DISTRICT), n.id, pf.Material("application_form_paper"))
    assert ((), ()) == missing(n.id)

    n = run.recommend(lead(run, WEIHAI_DISTRICT), n.id)
    stamp_all(run, n.id)
    assert (("application_materials", "electronic_copy_pdf"), ("three_department_letter",)) == missing(n.id)
    for kind in ("application_materials", "three_department_letter", "electronic_copy_pdf"):
        run.attach(clerk(WEIHAI), n.id, any_material(kind))
    n = run.recommend(lead(run, WEIHAI), n.id)

    stamp_all(run, n.id)
    assert (("electronic_copy",), ("recommendation_opinion",)) == missing(n.id)
    for kind in ("recommendation_opinion", "electronic_copy"):
        run.attach(clerk(SHANDONG), n.id, any_material(kind))
    assert "received" == run.recommend(lead(run, SHANDONG), n.id).state


def test_a_hop_no_notice_describes_asks_for_no_materials(run: pf.CampaignRun) -> None:
    """A Beijing district → Beijing hop has no materials of its own."""
    n = stamp_all(run, nominate(run, 1, origin=BEIJING_DISTRICT, materials=False).id)
    assert BEIJING == run.recommend(lead(run, BEIJING_DISTRICT), n.id).holder


# -- routes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        pytest.param(WEIHAI_DISTRICT, (WEIHAI_DISTRICT, WEIHAI, SHANDONG, MINISTRY), id="weihai-district"),
        pytest.param("371082", ("371082", WEIHAI, SHANDONG, MINISTRY), id="weihai-county-level-city"),
        pytest.param("371071", ("371071", WEIHAI, SHANDONG, MINISTRY), id="weihai-torch-hi-tech-zone"),
        pytest.param("371072", ("371072", WEIHAI, SHANDONG, MINISTRY), id="weihai-economic-zone"),
        pytest.param("371073", ("371073", WEIHAI, SHANDONG, MINISTRY), id="weihai-lingang-zone"),
        pytest.param("371000-NH", ("371000-NH", WEIHAI, SHANDONG, MINISTRY), id="weihai-nanhai"),
        pytest.param(JINAN_DISTRICT, (JINAN_DISTRICT, JINAN, SHANDONG, MINISTRY), id="jinan-district"),
        pytest.param(QINGDAO_DISTRICT, (QINGDAO_DISTRICT, QINGDAO, MINISTRY), id="qingdao-district"),
        pytest.param("330203", ("330203", "330200", MINISTRY), id="ningbo-district"),
        pytest.param(BEIJING_DISTRICT, (BEIJING_DISTRICT, BEIJING, MINISTRY), id="beijing-district"),
        pytest.param("XPCC", ("XPCC", MINISTRY), id="xpcc"),
        pytest.param(CENTRAL_ENTERPRISE, (CENTRAL_ENTERPRISE, MINISTRY), id="central-enterprise"),
    ],
)  # fmt: skip
def test_a_nomination_climbs_its_route_to_the_ministry(
    run: pf.CampaignRun, origin: str, expected: tuple[str, ...]
) -> None:
    """Ordinary route district → city → province → ministry; 计划单列市 (Qingdao, Ningbo) report
    straight to the ministry, not through their province; a municipality has no city tier;
    XPCC and central enterprises report straight to the ministry; Weihai's county-level
    cities, development zones and 南海新区 are district-level units under Weihai."""
    n = nominate(run, 1, origin=origin)
    holders = [n.holder]
    while n.state != "received":
        n = forward(run, n.id)
        holders.append(n.holder)

    assert expected == n.route
    assert list(expected) == holders
    assert "district" == run.graph[origin].level or len(expected) == 2


def test_qingdao_never_passes_through_shandong(run: pf.CampaignRun) -> None:
    """Qingdao lies in Shandong but reports to the ministry: Shandong never holds its units
    and none of Shandong's quota is used by them."""
    n = nominate(run, 1, origin=QINGDAO_DISTRICT)
    climb(run, n.id, MINISTRY)

    assert SHANDONG not in [e.to_holder for e in run.history(n.id)]
    assert 0 == used(run, SHANDONG, "*")
    assert 1 == used(run, QINGDAO, "enterprise")


# -- deadlines -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "sender", "last_in_time", "first_late", "closes"),
    [
        pytest.param(WEIHAI_DISTRICT, WEIHAI_DISTRICT, shanghai(2023, 10, 18, 23, 59, 59),
                     shanghai(2023, 10, 19), OCT_18_CLOSES, id="weihai-districts-to-weihai"),
        pytest.param(WEIHAI_DISTRICT, WEIHAI, shanghai(2023, 10, 18, 23, 59, 59),
                     shanghai(2023, 10, 19), OCT_18_CLOSES, id="weihai-to-shandong"),
        pytest.param(JINAN_DISTRICT, JINAN, shanghai(2023, 10, 18, 23, 59, 59),
                     shanghai(2023, 10, 19), OCT_18_CLOSES, id="jinan-to-shandong"),
        pytest.param(WEIHAI_DISTRICT, SHANDONG, shanghai(2023, 10, 29, 23, 59, 59),
                     shanghai(2023, 10, 30), OCT_29_CLOSES, id="shandong-to-ministry"),
        pytest.param(BEIJING_DISTRICT, BEIJING, shanghai(2023, 10, 29, 23, 59, 59),
                     shanghai(2023, 10, 30), OCT_29_CLOSES, id="beijing-to-ministry"),
        pytest.param(QINGDAO_DISTRICT, QINGDAO, shanghai(2023, 10, 29, 23, 59, 59),
                     shanghai(2023, 10, 30), OCT_29_CLOSES, id="qingdao-to-ministry"),
        pytest.param("XPCC", "XPCC", shanghai(2023, 10, 29, 23, 59, 59),
                     shanghai(2023, 10, 30), OCT_29_CLOSES, id="xpcc-to-ministry"),
        pytest.param(CENTRAL_ENTERPRISE, CENTRAL_ENTERPRISE, shanghai(2023, 10, 29, 23, 59, 59),
                     shanghai(2023, 10, 30), OCT_29_CLOSES, id="central-enterprise-to-ministry"),
    ],
)  # fmt: skip
def test_each_hop_closes_at_the_end_of_its_day(
    make_run: Callable[..., pf.CampaignRun],
    origin: str,
    sender: str,
    last_in_time: datetime,
    first_late: datetime,
    closes: str,
) -> None:
    """The notices' "于10月18日前" / "于10月29日前" are read inclusively in Asia/Shanghai:
    23:59:59 of that day is in time, 00:00 of the next day is late (deadline_passed, with the
    deadline)."""
    run = make_run()
    on_time, late = (climb(run, nominate(run, i, origin=origin).id, sender) for i in (1, 2))
    attach_letter(run, on_time.id)
    stamp_all(run, on_time.id)
    attach_letter(run, late.id)
    stamp_all(run, late.id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, sender), late.id, at=on(run, first_late))
    assert ("deadline_passed",) == refused.value.codes
    assert closes == refused.value.reasons[0].details["deadline"]
    assert sender == run.get(late.id).holder

    after = run.recommend(lead(run, sender), on_time.id, at=on(run, last_in_time))
    assert on_time.route[on_time.route.index(sender) + 1] == after.holder


@pytest.mark.parametrize(
    ("origin", "in_time", "late", "inherited_from"),
    [
        pytest.param(BEIJING_DISTRICT, shanghai(2023, 10, 29, 23, 59, 59), shanghai(2023, 10, 30),
                     "北京市 → ", id="beijing-district-inherits-beijing-to-ministry"),
        pytest.param(QINGDAO_DISTRICT, shanghai(2023, 10, 29, 23, 59, 59), shanghai(2023, 10, 30),
                     "青岛市 → ", id="qingdao-district-inherits-qingdao-to-ministry"),
        pytest.param(JINAN_DISTRICT, shanghai(2023, 10, 18, 23, 59, 59), shanghai(2023, 10, 19),
                     "济南市 → 山东省", id="jinan-district-inherits-jinan-to-shandong"),
    ],
)  # fmt: skip
def test_a_hop_without_its_own_deadline_inherits_the_next_one_up(
    make_run: Callable[..., pf.CampaignRun],
    origin: str,
    in_time: datetime,
    late: datetime,
    inherited_from: str,
) -> None:
    """A district → city hop that no notice dates closes with the next dated hop up the route
    (forwarding later could never reach the top in time); the refusal says which hop."""
    ok_run = make_run()
    n = nominate(ok_run, 1, origin=origin)
    attach_letter(ok_run, n.id)
    stamp_all(ok_run, n.id)
    assert n.route[1] == ok_run.recommend(lead(ok_run, origin), n.id, at=on(ok_run, in_time)).holder

    late_run = make_run()
    n = nominate(late_run, 1, origin=origin)
    attach_letter(late_run, n.id)
    stamp_all(late_run, n.id)
    with pytest.raises(pf.ActionRefused) as refused:
        late_run.recommend(lead(late_run, origin), n.id, at=on(late_run, late))
    assert ("deadline_passed",) == refused.value.codes
    assert inherited_from in refused.value.reasons[0].details["hop"]


def test_deadlines_are_instants_whatever_the_offset_of_the_moment(run: pf.CampaignRun) -> None:
    """A moment given in UTC is compared as the same instant: 15:59:59Z on the 18th is
    23:59:59 in Shanghai (in time), 16:00Z is midnight (late)."""
    a, b = nominate(run, 1), nominate(run, 2)
    for x in (a, b):
        attach_letter(run, x.id)
        stamp_all(run, x.id)

    at_ok = datetime(2023, 10, 18, 15, 59, 59, tzinfo=UTC)
    assert WEIHAI == run.recommend(lead(run, WEIHAI_DISTRICT), a.id, at=on(run, at_ok)).holder
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, WEIHAI_DISTRICT), b.id, at=on(run, datetime(2023, 10, 18, 16, tzinfo=UTC)))
    assert ("deadline_passed",) == refused.value.codes


def test_nominating_after_the_first_hop_closed_is_refused(run: pf.CampaignRun) -> None:
    """A unit of a Weihai district cannot be filed once Weihai's Oct 18 deadline has passed."""
    code = unit_code(1)
    with pytest.raises(pf.ActionRefused) as refused:
        run.nominate(
            pf.Actor.applicant(code, "applicant"),
            unit_code=code,
            unit_name="迟到单位",
            unit_type="enterprise",
            scenario="elderly_canteens",
            origin=WEIHAI_DISTRICT,
            materials=all_materials(),
            at=on(run, shanghai(2023, 10, 19, 8)),
        )
    assert ("deadline_passed",) == refused.value.codes
    assert [] == run.nominations()


# -- withdrawal -------------------------------------------------------------------------------


def test_the_applicant_withdraws_before_the_deadline(run: pf.CampaignRun) -> None:
    """The applicant unit itself may withdraw its nomination while the hop is open."""
    n = forward(run, nominate(run, 1).id)

    after = run.withdraw(applicant(n), n.id, at=on(run, shanghai(2023, 10, 18, 23, 59, 59)))

    assert "withdrawn" == after.state
    assert "withdraw" == run.history(n.id)[-1].action


@pytest.mark.parametrize("department", ["industry", "civil_affairs", "health"])
def test_a_department_of_the_holder_withdraws(run: pf.CampaignRun, department: str) -> None:
    """Any department of the holding authority may withdraw the nomination it holds."""
    n = forward(run, nominate(run, 1).id)

    assert "withdrawn" == run.withdraw(clerk(WEIHAI, department), n.id).state


@pytest.mark.parametrize(
    "who",
    [
        pytest.param(clerk(WEIHAI_DISTRICT), id="the-district-that-sent-it"),
        pytest.param(clerk(SHANDONG), id="the-province-above"),
        pytest.param(pf.Actor.applicant(unit_code(99), "other"), id="another-applicant"),
    ],
)
def test_nobody_else_may_withdraw(run: pf.CampaignRun, who: pf.Actor) -> None:
    """Neither a lower nor a higher authority nor another unit may withdraw (not_authorized)."""
    n = forward(run, nominate(run, 1).id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.withdraw(who, n.id)

    assert ("not_authorized",) == refused.value.codes
    assert "in_review" == run.get(n.id).state


def test_withdrawal_closes_with_the_hop(run: pf.CampaignRun) -> None:
    """At Weihai's level the withdrawal window closes with Weihai's Oct 18 deadline; a Beijing
    district's stays open until its inherited Oct 29 deadline."""
    weihai = forward(run, nominate(run, 1).id)
    beijing = nominate(run, 2, origin=BEIJING_DISTRICT)

    with pytest.raises(pf.ActionRefused) as refused:
        run.withdraw(applicant(weihai), weihai.id, at=on(run, shanghai(2023, 10, 19)))
    assert ("deadline_passed",) == refused.value.codes
    assert (
        "withdrawn" == run.withdraw(applicant(beijing), beijing.id, at=on(run, shanghai(2023, 10, 19))).state
    )


def test_withdrawal_at_the_top_closes_with_the_hop_that_brought_it_there(
    run: pf.CampaignRun,
) -> None:
    """A nomination received by the ministry may be withdrawn until Oct 29 (inclusive)."""
    a = climb(run, nominate(run, 1).id, MINISTRY)
    b = climb(run, nominate(run, 2).id, MINISTRY)

    assert "withdrawn" == run.withdraw(applicant(a), a.id, at=on(run, shanghai(2023, 10, 29, 23, 59))).state
    with pytest.raises(pf.ActionRefused) as refused:
        run.withdraw(applicant(b), b.id, at=on(run, shanghai(2023, 10, 30)))
    assert ("deadline_passed",) == refused.value.codes


def test_withdrawal_gives_back_every_seat(run: pf.CampaignRun) -> None:
    """Withdrawing a nomination the ministry received frees Weihai's and Shandong's seats."""
    n = climb(run, nominate(run, 1).id, MINISTRY)
    assert (1, 1) == (used(run, WEIHAI, "enterprise"), used(run, SHANDONG, "enterprise"))

    run.withdraw(applicant(n), n.id)

    assert (0, 0) == (used(run, WEIHAI, "enterprise"), used(run, SHANDONG, "enterprise"))
    assert {} == run.store.quota_usage(run.campaign.id)


def test_a_freed_seat_can_be_used_again(run: pf.CampaignRun) -> None:
    """After a withdrawal, Weihai can recommend another enterprise in the freed seat."""
    ids = ready_at(run, WEIHAI_DISTRICT, WEIHAI, "enterprise", 4)
    for nid in ids[:3]:
        run.recommend(lead(run, WEIHAI), nid)
    run.withdraw(clerk(SHANDONG), ids[0])

    assert SHANDONG == run.recommend(lead(run, WEIHAI), ids[3]).holder
    assert 3 == used(run, WEIHAI, "enterprise")


def test_a_live_unit_cannot_be_nominated_twice_but_may_refile_after_withdrawing(
    run: pf.CampaignRun,
) -> None:
    """A unit with a live nomination is refused (DuplicateNomination naming the live one);
    once it withdraws, it may file again."""
    first = nominate(run, 1)

    with pytest.raises(pf.DuplicateNomination) as dup:
        nominate(run, 1)
    assert (first.unit_code, first.id) == (dup.value.unit_code, dup.value.existing_id)
    assert 1 == len(run.nominations())

    run.withdraw(applicant(first), first.id)
    second = nominate(run, 1)
    assert first.id != second.id
    assert "in_review" == second.state


def test_a_unit_cannot_nominate_twice_through_another_district(run: pf.CampaignRun) -> None:
    """The duplicate check is per unit, wherever the second filing is made (a unit registered
    with Weihai's city-level bureau may file at any of Weihai's districts, but only once)."""
    code = unit_code(1, WEIHAI)
    run.nominate(
        clerk(WEIHAI_DISTRICT), unit_code=code, unit_name="同一单位", unit_type="park",
        scenario="community_day_care", origin=WEIHAI_DISTRICT,
    )  # fmt: skip
    with pytest.raises(pf.DuplicateNomination):
        run.nominate(
            clerk("371003"),
            unit_code=code,
            unit_name="同一单位",
            unit_type="park",
            scenario="community_day_care",
            origin="371003",
        )


# -- quotas ----------------------------------------------------------------------------------


@pytest.mark.parametrize("unit_type", UNIT_TYPES)
@pytest.mark.parametrize(
    ("origin", "recommender", "limits"),
    [
        pytest.param(WEIHAI_DISTRICT, WEIHAI, MAJOR, id="weihai"),
        pytest.param(JINAN_DISTRICT, JINAN, MAJOR, id="jinan"),
        pytest.param("370302", "370300", MAJOR, id="zibo"),
        pytest.param("370602", "370600", MAJOR, id="yantai"),
        pytest.param("370702", "370700", MAJOR, id="weifang"),
        pytest.param("370811", "370800", MAJOR, id="jining"),
        pytest.param("371102", "371100", OTHER_SHANDONG, id="rizhao"),
        pytest.param("371302", "371300", OTHER_SHANDONG, id="linyi"),
        pytest.param(QINGDAO_DISTRICT, QINGDAO, PLANNED, id="qingdao"),
        pytest.param("330203", "330200", PLANNED, id="ningbo"),
        pytest.param("XPCC", "XPCC", PLANNED, id="xpcc"),
        pytest.param(BEIJING_DISTRICT, BEIJING, PROVINCE, id="beijing"),
        pytest.param("650102", "650000", PROVINCE, id="xinjiang"),
    ],
)
def test_the_quota_table(
    run: pf.CampaignRun,
    origin: str,
    recommender: str,
    limits: dict[str, int],
    unit_type: str,
) -> None:
    """Each recommender may forward at most its class's number of each unit type; the next
    one is refused with QuotaExceeded (quota_full) whose details give the figures."""
    limit = limits[unit_type]
    ids = ready_at(run, origin, recommender, unit_type, limit + 1)
    for nid in ids[:limit]:
        run.recommend(lead(run, recommender), nid)
    before = snapshot(run)

    with pytest.raises(pf.QuotaExceeded) as refused:
        run.recommend(lead(run, recommender), ids[limit])

    assert ("quota_full",) == refused.value.codes
    assert {
        "authority": recommender,
        "unit_type": unit_type,
        "limit": limit,
        "used": limit,
        "nomination": ids[limit],
    } == dict(refused.value.reasons[0].details)
    assert before == snapshot(run)
    line = next(q for q in run.quota(recommender) if q.unit_type == unit_type)
    assert (limit, limit, 0) == (line.limit, line.used, line.remaining)


def test_shandong_forwards_at_most_three_enterprises_from_all_its_cities(
    run: pf.CampaignRun,
) -> None:
    """The province's quota (3 enterprises) counts candidates from every Shandong city."""
    ids = ready_at(run, WEIHAI_DISTRICT, SHANDONG, "enterprise", 2)
    ids += ready_at(run, JINAN_DISTRICT, SHANDONG, "enterprise", 2, start=10)
    for nid in ids[:3]:
        assert "received" == run.recommend(lead(run, SHANDONG), nid).state

    with pytest.raises(pf.QuotaExceeded) as refused:
        run.recommend(lead(run, SHANDONG), ids[3])
    assert (SHANDONG, 3) == (
        refused.value.reasons[0].details["authority"],
        refused.value.reasons[0].details["limit"],
    )


def test_a_central_enterprise_recommends_one_member_unit_in_all(run: pf.CampaignRun) -> None:
    """A central enterprise's quota is one member unit across all types (unit type "*"),
    outside every local quota."""
    first = ready_at(run, CENTRAL_ENTERPRISE, CENTRAL_ENTERPRISE, "enterprise", 1)[0]
    second = ready_at(run, CENTRAL_ENTERPRISE, CENTRAL_ENTERPRISE, "park", 1, start=2)[0]
    run.recommend(lead(run, CENTRAL_ENTERPRISE), first)

    with pytest.raises(pf.QuotaExceeded) as refused:
        run.recommend(lead(run, CENTRAL_ENTERPRISE), second)

    assert {
        "authority": CENTRAL_ENTERPRISE,
        "unit_type": "*",
        "limit": 1,
        "used": 1,
        "nomination": second,
    } == dict(refused.value.reasons[0].details)
    total = next(q for q in run.quota(CENTRAL_ENTERPRISE) if q.unit_type == "*")
    assert (1, 1, 0) == (total.limit, total.used, total.remaining)
    assert 0 == used(run, BEIJING, "*")


def test_quota_of_one_unit_type_does_not_move_to_another(run: pf.CampaignRun) -> None:
    """With its one park seat used and enterprise seats free, Weihai still cannot send a
    second park, and can still send enterprises."""
    parks = ready_at(run, WEIHAI_DISTRICT, WEIHAI, "park", 2)
    enterprise = ready_at(run, WEIHAI_DISTRICT, WEIHAI, "enterprise", 1, start=10)[0]
    run.recommend(lead(run, WEIHAI), parks[0])

    with pytest.raises(pf.QuotaExceeded) as refused:
        run.recommend(lead(run, WEIHAI), parks[1])

    assert "park" == refused.value.reasons[0].details["unit_type"]
    assert SHANDONG == run.recommend(lead(run, WEIHAI), enterprise).holder


def test_a_district_recommends_to_its_city_without_quota(run: pf.CampaignRun) -> None:
    """No quota applies district → city: five enterprises all reach Weihai."""
    ids = ready_at(run, WEIHAI_DISTRICT, WEIHAI_DISTRICT, "enterprise", 5)
    for nid in ids:
        assert WEIHAI == run.recommend(lead(run, WEIHAI_DISTRICT), nid).holder

    assert all(line.limit is None for line in run.quota(WEIHAI_DISTRICT))
    assert all(line.remaining is None for line in run.quota(WEIHAI_DISTRICT))
    assert 5 == used(run, WEIHAI_DISTRICT, "enterprise")  # counted, never capped


def test_return_for_revision_gives_the_seat_back_and_clears_the_stamps(
    run: pf.CampaignRun,
) -> None:
    """Shandong returns a nomination to Weihai: Weihai's seat is free again, the unit leaves
    Weihai's sent letter and Shandong's draft, and Weihai must send it again in a newly
    stamped letter."""
    n = climb(run, nominate(run, 1).id, SHANDONG)
    run.stamp(clerk(SHANDONG, "health"), n.id)
    drafted = run.carrying(n.id)
    assert drafted is not None
    assert drafted.sender == SHANDONG
    assert 1 == used(run, WEIHAI, "enterprise")

    back = run.return_for_revision(clerk(SHANDONG), n.id, reason="材料需补充 / incomplete")

    assert (WEIHAI, "in_review") == (back.holder, back.state)
    assert () == run.submission(drafted.id).units
    (weihai_letter,) = run.submissions(sender=WEIHAI)
    assert () == weihai_letter.units  # it left the letter it was sent with
    assert 0 == used(run, WEIHAI, "enterprise")
    assert WEIHAI not in back.seats
    assert "材料需补充 / incomplete" == run.history(n.id)[-1].reason
    attach_letter(run, n.id)
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, WEIHAI), n.id)
    assert ("stamps_missing",) == refused.value.codes
    assert SHANDONG == forward(run, n.id).holder
    assert 1 == used(run, WEIHAI, "enterprise")


def test_return_from_the_ministry_gives_back_the_province_seat(run: pf.CampaignRun) -> None:
    """The ministry returns a received nomination to Shandong: Shandong's seat is freed,
    Weihai's stays used."""
    n = climb(run, nominate(run, 1).id, MINISTRY)

    back = run.return_for_revision(clerk(MINISTRY), n.id, reason="退回修改")

    assert (SHANDONG, "in_review") == (back.holder, back.state)
    assert (1, 0) == (used(run, WEIHAI, "enterprise"), used(run, SHANDONG, "enterprise"))


def test_decline_keeps_the_seats_used_below(run: pf.CampaignRun) -> None:
    """Declined at Shandong, the nomination still counts against Weihai's quota."""
    n = climb(run, nominate(run, 1).id, SHANDONG)

    after = run.decline(clerk(SHANDONG, "civil_affairs"), n.id, reason="不符合条件")

    assert "declined" == after.state
    assert 1 == used(run, WEIHAI, "enterprise")
    assert 0 == used(run, SHANDONG, "enterprise")


def test_quota_and_quota_table_report_limit_use_and_remaining(run: pf.CampaignRun) -> None:
    """quota() gives each unit type and the total; quota_table() every authority in use."""
    climb(run, nominate(run, 1).id, MINISTRY)
    climb(run, nominate(run, 2, unit_type="base").id, SHANDONG)

    weihai = {line.unit_type: (line.limit, line.used, line.remaining) for line in run.quota(WEIHAI)}
    assert {
        "enterprise": (3, 1, 2),
        "street_town": (3, 0, 3),
        "park": (1, 0, 1),
        "base": (2, 1, 1),
        "*": (None, 2, None),
    } == weihai
    table = {(q.authority, q.unit_type): q.remaining for q in run.quota_table()}
    assert {WEIHAI_DISTRICT, SHANDONG, WEIHAI} == {a for a, _ in table}
    assert None is table[WEIHAI_DISTRICT, "enterprise"]
    assert 2 == table[SHANDONG, "enterprise"]
    assert 8 == table[SHANDONG, "street_town"]
    assert list(run.quota(QINGDAO)) == run.quota_table([QINGDAO])


# -- disqualification lists --------------------------------------------------------------------


@pytest.mark.parametrize("list_id", EVERY_TRACK_LISTS)
def test_a_listed_unit_cannot_be_nominated(make_run: Callable[..., pf.CampaignRun], list_id: str) -> None:
    """A unit on any of the lists is refused at filing (disqualified, naming list and version)."""
    lst = listed(list_id, unit_code(1), since=shanghai(2023, 6, 1))
    run = make_run(lists=[lst])

    with pytest.raises(pf.ActionRefused) as refused:
        nominate(run, 1)

    assert ("disqualified",) == refused.value.codes
    details = refused.value.reasons[0].details
    assert (list_id, lst.version) == (details["list"], details["list_version"])
    assert "测试列入原因" == details["reason"]
    assert [] == run.nominations()
    assert [] == run.events()


@pytest.mark.parametrize("list_id", EVERY_TRACK_LISTS)
def test_a_unit_listed_mid_campaign_cannot_join_a_letter(run: pf.CampaignRun, list_id: str) -> None:
    """A listing published after the filing bars the unit from joining its authority's
    letter: neither a stamp (which drafts a one-unit letter for it) nor a draft naming it is
    accepted, and nothing is written."""
    n = nominate(run, 1)
    run.use_list(listed(list_id, n.unit_code, since=shanghai(2023, 10, 17, 8)))
    before = snapshot(run)

    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id)
    assert ("disqualified",) == refused.value.codes
    with pytest.raises(pf.ActionRefused) as refused:
        run.prepare_submission(clerk(WEIHAI_DISTRICT), [n.id])
    assert ("disqualified",) == refused.value.codes
    assert before == snapshot(run)
    assert run.carrying(n.id) is None


@pytest.mark.parametrize("list_id", EVERY_TRACK_LISTS)
def test_a_listing_that_begins_mid_campaign_bars_later_recommendations(
    make_run: Callable[..., pf.CampaignRun], list_id: str
) -> None:
    """Lists are judged as of the moment of each action: a listing starting on Oct 18 lets the
    unit be filed, stamped and recommended on Oct 17, and bars its recommendation on Oct 18."""
    code = unit_code(1)
    run = make_run(lists=[listed(list_id, code, since=shanghai(2023, 10, 18))])
    n = forward(run, nominate(run, 1).id)
    attach_letter(run, n.id)
    stamp_all(run, n.id)

    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(lead(run, WEIHAI), n.id, at=on(run, shanghai(2023, 10, 18, 10)))

    assert ("disqualified",) == refused.value.codes
    assert WEIHAI == run.get(n.id).holder


@pytest.mark.parametrize("list_id", EVERY_TRACK_LISTS)
def test_an_expired_listing_no_longer_bars(make_run: Callable[..., pf.CampaignRun], list_id: str) -> None:
    """A listing that ended (until, exclusive) before the action bars nothing any more."""
    code = unit_code(1)
    lst = listed(list_id, code, since=shanghai(2023, 1, 1), until=shanghai(2023, 10, 17, 12))
    run = make_run(lists=[lst])
    with pytest.raises(pf.ActionRefused):
        nominate(run, 1)

    run.clock.set(shanghai(2023, 10, 17, 12))  # type: ignore[attr-defined]
    n = forward(run, nominate(run, 1).id)

    assert WEIHAI == n.holder


def test_a_listing_does_not_bar_other_units(make_run: Callable[..., pf.CampaignRun]) -> None:
    """Only the listed unit code is barred."""
    run = make_run(lists=[listed("dishonest_debtors", unit_code(2), since=shanghai(2023, 1, 1))])

    assert WEIHAI == forward(run, nominate(run, 1).id).holder


# -- bad input --------------------------------------------------------------------------------


def _file(run: pf.CampaignRun, **changes: Any) -> pf.Nomination:
    code = changes.pop("unit_code", unit_code(1))
    args: dict[str, Any] = {
        "unit_code": code,
        "unit_name": "测试单位",
        "unit_type": "enterprise",
        "scenario": "smart_nursing_homes",
        "origin": WEIHAI_DISTRICT,
        "materials": all_materials(),
    }
    args.update(changes)
    actor = args.pop("actor", pf.Actor.applicant(code, "applicant"))
    return run.nominate(actor, **args)


@pytest.mark.parametrize(
    ("changes", "error", "words"),
    [
        pytest.param({"unit_type": "hospital"}, pf.InvalidInput, "hospital", id="unit-type"),
        pytest.param({"scenario": "space_tourism"}, pf.InvalidInput, "space_tourism", id="scenario"),
        pytest.param({"materials": [pf.Material("brochure")]}, pf.InvalidInput, "brochure",
                     id="material-kind"),
        pytest.param({"origin": "999999"}, pf.UnknownAuthority, "999999", id="origin"),
        pytest.param({"actor": pf.Actor("999999", "industry", "x")}, pf.UnknownAuthority,
                     "999999", id="actor-authority"),
        pytest.param({"at": datetime(2023, 10, 17, 10)}, pf.NaiveDatetime, "naive",
                     id="naive-moment"),
        pytest.param({"unit_name": "  "}, pf.InvalidInput, "unit_name", id="unit-name"),
    ],
)  # fmt: skip
def test_bad_input_to_nominate_is_refused_and_writes_nothing(
    run: pf.CampaignRun, changes: dict[str, Any], error: type[Exception], words: str
) -> None:
    """Unknown unit types, scenarios, material kinds and authorities, and naive moments, raise
    the matching InvalidInput subclass naming the bad value; nothing is written."""
    with pytest.raises(error) as raised:
        _file(run, **changes)

    assert words in str(raised.value)
    assert [] == run.nominations()
    assert [] == run.events()


def test_the_unknown_unit_type_message_is_bilingual(run: pf.CampaignRun) -> None:
    """The refusal of an unknown unit type lists the campaign's types, and reads in Chinese:
    each type by its Chinese name, its code (to type) after it in parentheses, never bare."""
    with pytest.raises(pf.InvalidInput) as raised:
        _file(run, unit_type="hospital")

    assert all(t in raised.value.en for t in UNIT_TYPES)
    assert "申报类型" in raised.value.zh
    named = "、".join(f"{t.name.zh}（{t.code}）" for t in run.campaign.unit_types.values())
    assert raised.value.zh.endswith(f"本次遴选的类型为{named}"), raised.value.zh


@pytest.mark.parametrize(
    "act",
    [
        pytest.param(lambda run, n, at: run.stamp(clerk(WEIHAI_DISTRICT), n.id, at=on(run, at)), id="stamp"),
        pytest.param(lambda run, n, at: run.recommend(clerk(WEIHAI_DISTRICT), n.id, at=on(run, at)),
                     id="recommend"),
        pytest.param(lambda run, n, at: run.withdraw(applicant(n), n.id, at=on(run, at)), id="withdraw"),
        pytest.param(lambda run, n, at: run.attach(applicant(n), n.id, file_material("electronic_copy"),
                                                   at=on(run, at)), id="attach"),
        pytest.param(lambda run, n, at: run.decline(clerk(WEIHAI_DISTRICT), n.id, reason="x", at=on(run, at)),
                     id="decline"),
    ],
)  # fmt: skip
def test_a_naive_moment_is_refused(run: pf.CampaignRun, act: Callable[..., Any]) -> None:
    """Every action refuses a datetime without a time zone (NaiveDatetime) and writes nothing."""
    n = stamp_all(run, nominate(run, 1).id)
    before = snapshot(run)

    with pytest.raises(pf.NaiveDatetime):
        act(run, n, datetime(2023, 10, 17, 12))

    assert before == snapshot(run)


def test_an_action_earlier_than_the_last_one_is_refused(run: pf.CampaignRun) -> None:
    """Actions on one nomination, and on the letter carrying it, are in time order: a moment
    before the letter's last action is refused (InvalidInput naming both moments) and changes
    nothing."""
    n = nominate(run, 1)
    run.stamp(clerk(WEIHAI_DISTRICT), n.id, at=on(run, shanghai(2023, 10, 17, 15)))
    before = snapshot(run)

    with pytest.raises(pf.InvalidInput) as raised:
        run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id, at=on(run, shanghai(2023, 10, 17, 14)))

    assert "2023-10-17T14:00:00+08:00" in raised.value.en
    assert "2023-10-17T15:00:00+08:00" in raised.value.en
    assert before == snapshot(run)
    run.stamp(clerk(WEIHAI_DISTRICT, "health"), n.id, at=on(run, shanghai(2023, 10, 17, 15)))
    letter = run.carrying(n.id)  # the stamps are the letter's: its log is in time order as well
    assert letter is not None
    assert ("industry", "health") == letter.stamps


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_decline_and_return_need_a_reason(run: pf.CampaignRun, reason: Any) -> None:
    """Declining or returning a nomination without a written reason is refused."""
    n = climb(run, nominate(run, 1).id, WEIHAI)
    before = snapshot(run)

    with pytest.raises(pf.InvalidInput):
        run.decline(clerk(WEIHAI), n.id, reason=reason)
    with pytest.raises(pf.InvalidInput):
        run.return_for_revision(clerk(WEIHAI), n.id, reason=reason)

    assert before == snapshot(run)


def test_an_unknown_nomination_id_is_not_found(run: pf.CampaignRun) -> None:
    """An id the store does not know raises NominationNotFound (a LookupError)."""
    with pytest.raises(pf.NominationNotFound) as raised:
        run.stamp(clerk(WEIHAI_DISTRICT), "no-such-id")
    assert isinstance(raised.value, LookupError)


# -- selection ---------------------------------------------------------------------------------


def _weihai_candidates(make_run: Callable[..., pf.CampaignRun], reserve: int | None = None,
                       since: datetime | None = None) -> tuple[pf.CampaignRun, list[str]]:  # fmt: skip
    """Five enterprises held by Weihai; the first four with every material Weihai asks for,
    the fifth without Weihai's (application materials, PDF)."""
    lists = []
    if reserve is not None:
        code = unit_code(reserve)
        lists.append(listed(RESERVE_POOL, code, since=since or shanghai(2023, 1, 1)))
    run = make_run(lists=lists)
    ids = [climb(run, nominate(run, i).id, WEIHAI).id for i in range(1, 5)]
    fifth = nominate(run, 5, materials=False)
    for m in all_materials():
        if m.kind not in ("application_materials", "electronic_copy_pdf"):
            run.attach(applicant(fifth), fifth.id, m)
    ids.append(climb(run, fifth.id, WEIHAI).id)
    return run, ids


def test_select_ranks_the_reserve_pool_first_then_the_given_order(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """Weihai ranks units of Shandong's reserve pool first, then its own order, then by filing
    time; lists up to its quota (3 enterprises) in its letter to Shandong; cuts the rest
    (not_recommended, with a "cut" event); skips a candidate that lacks materials, with the
    reasons. Sending the letter takes the seats."""
    run, (a, b, c, d, e) = _weihai_candidates(make_run, reserve=4)
    actor = lead(run, WEIHAI)

    result = run.select(actor, "enterprise", order=[c, b])

    assert (d, c, b, a, e) == result.ranked
    assert (d, c, b) == result.recommended
    assert (a,) == result.cut
    assert [e] == list(result.skipped)
    assert ("materials_missing",) == tuple(r.code for r in result.skipped[e])
    assert False is result.dry_run
    (sid,) = result.submissions
    assert (d, c, b) == run.submission(sid).units
    assert 0 == used(run, WEIHAI, "enterprise")
    send_letters(run, result.submissions)
    assert [SHANDONG] * 3 == [run.get(i).holder for i in (d, c, b)]
    assert ("not_recommended", WEIHAI) == (run.get(a).state, run.get(a).holder)
    cut_event = run.history(a)[-1]
    assert ("cut", "in_review", "not_recommended") == (
        cut_event.action, cut_event.from_state, cut_event.to_state,
    )  # fmt: skip
    assert actor == cut_event.actor
    assert cut_event.reason
    assert ("in_review", WEIHAI) == (run.get(e).state, run.get(e).holder)
    assert 3 == used(run, WEIHAI, "enterprise")


def test_select_counts_seats_already_used(make_run: Callable[..., pf.CampaignRun]) -> None:
    """With two enterprises already recommended one by one, a selection fills the last seat."""
    run, (a, b, c, d, _) = _weihai_candidates(make_run)
    forward(run, a)
    forward(run, b)

    result = run.select(lead(run, WEIHAI), "enterprise")

    assert ((c,), (d,)) == (result.recommended, result.cut)
    send_letters(run, result.submissions)
    assert 3 == used(run, WEIHAI, "enterprise")


def test_a_dry_run_selection_writes_nothing_and_predicts_the_real_one(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """select(dry_run=True) returns what the selection would do and changes nothing."""
    run, (_, b, c, _, _) = _weihai_candidates(make_run, reserve=4)
    before = snapshot(run)

    what_if = run.select(lead(run, WEIHAI), "enterprise", order=[c, b], dry_run=True)

    assert before == snapshot(run)
    assert True is what_if.dry_run
    real = run.select(lead(run, WEIHAI), "enterprise", order=[c, b])
    assert (what_if.ranked, what_if.recommended, what_if.cut) == (
        real.ranked, real.recommended, real.cut,
    )  # fmt: skip
    assert {k: tuple(r.code for r in v) for k, v in what_if.skipped.items()} == {
        k: tuple(r.code for r in v) for k, v in real.skipped.items()
    }


def test_select_skips_a_listed_candidate(make_run: Callable[..., pf.CampaignRun]) -> None:
    """A candidate listed by the time of the selection is skipped (disqualified), not cut,
    and does not take a seat."""
    run, (a, b, c, d, _) = _weihai_candidates(make_run)
    run.use_list(listed("abnormal_operations", run.get(a).unit_code, since=shanghai(2023, 10, 17)))

    result = run.select(lead(run, WEIHAI), "enterprise")

    assert ("disqualified",) == tuple(r.code for r in result.skipped[a])
    assert (b, c, d) == result.recommended
    assert () == result.cut


def test_select_refuses_an_order_naming_non_candidates(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """The order may only name this authority's candidates of that unit type."""
    run, _ = _weihai_candidates(make_run)
    elsewhere = nominate(run, 20, origin=BEIJING_DISTRICT)
    before = snapshot(run)

    with pytest.raises(pf.InvalidInput):
        run.select(lead(run, WEIHAI), "enterprise", order=[elsewhere.id])
    assert before == snapshot(run)


def test_reserve_pool_membership_is_judged_at_the_selection_moment(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A unit admitted to the reserve pool after its last action but before the selection is
    ranked first: lists are judged as of the moment of the action (here, the selection)."""
    run, (a, b, c, d, _) = _weihai_candidates(
        make_run, reserve=4, since=shanghai(2023, 10, 17, 12)
    )  # every action above happened at 09:00

    result = run.select(lead(run, WEIHAI), "enterprise", at=on(run, shanghai(2023, 10, 17, 15)))

    assert (d, a, b) == result.recommended
    assert (c,) == result.cut


def test_an_expired_reserve_pool_entry_no_longer_ranks_first(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A unit whose reserve pool entry ended before the selection is ranked like any other."""
    run, (a, b, c, _, _) = _weihai_candidates(make_run)
    pool = pf.UnitList.build(
        RESERVE_POOL,
        [pf.Listing(run.get(c).unit_code, since=shanghai(2023, 1, 1),
                    until=shanghai(2023, 10, 17, 12))],
    )  # fmt: skip
    run.use_list(pool)

    result = run.select(lead(run, WEIHAI), "enterprise", at=on(run, shanghai(2023, 10, 17, 15)))

    assert (a, b, c) == result.recommended


# -- the audit log ------------------------------------------------------------------------------


def test_every_event_records_who_what_from_where_to_where_and_under_which_rules(
    make_run: Callable[..., pf.CampaignRun], campaign: pf.Campaign
) -> None:
    """Each accepted action appends one event with the actor (person, department, authority),
    moment, from/to state and holder, the guards checked, the campaign revision and the
    versions of every list consulted."""
    aic = pf.UnitList.build(
        "abnormal_operations",
        [pf.Listing(unit_code(50), since=shanghai(2023, 1, 1))],
        version="aic-2023-10-15",
    )
    run = make_run(lists=[aic])
    n = nominate(run, 1)
    n = forward(run, n.id)

    events = run.history(n.id)  # the unit's own; the stamps are its letter's
    assert ["nominate", "recommend"] == [e.action for e in events]
    assert [1, 2] == [e.version for e in events]
    filed, recommended = events
    sid = recommended.data["submission"]
    letter = run.store.events(run.campaign.id, sid)
    assert [
        "prepare_submission",
        "attach_letter",
        "stamp_letter",
        "stamp_letter",
        "stamp_letter",
        "send",
    ] == [e.action for e in letter]
    stamps = letter[2:5]
    assert (None, WEIHAI_DISTRICT, "new", "in_review") == (
        filed.from_holder, filed.to_holder, filed.from_state, filed.to_state,
    )  # fmt: skip
    assert pf.Actor.applicant(n.unit_code, "applicant") == filed.actor
    assert ["industry", "civil_affairs", "health"] == [e.actor.department for e in stamps]
    assert ["industry", "civil_affairs", "health"] == [e.data["department"] for e in stamps]
    assert {WEIHAI_DISTRICT} == {e.actor.authority for e in stamps}
    assert (WEIHAI_DISTRICT, "industry", "lead") == (
        recommended.actor.authority, recommended.actor.department, recommended.actor.person,
    )  # fmt: skip
    assert (WEIHAI_DISTRICT, WEIHAI, "in_review", "in_review") == (
        recommended.from_holder, recommended.to_holder,
        recommended.from_state, recommended.to_state,
    )  # fmt: skip
    assert {
        "actor_holds",
        "before_deadline",
        "not_listed",
        "examined",
        "materials_complete",
        "quota_free",
        "check_settled",  # the campaign checks units on site below the top (``checks``)
    } == set(recommended.verdicts)
    assert shanghai(2023, 10, 17, 9) == recommended.at
    for e in [*events, *letter]:
        assert campaign.revision == e.revision
        assert ("abnormal_operations", "aic-2023-10-15") in e.lists
        assert {*SCREENING_LISTS} <= {list_id for list_id, _ in e.lists}


def test_events_record_the_list_version_in_force(run: pf.CampaignRun) -> None:
    """After a list is republished (use_list), later events record its new version (the
    events of the letter stamped after it as well)."""
    n = nominate(run, 1)
    new = pf.UnitList.build("dishonest_debtors", [pf.Listing(unit_code(77), since=shanghai(2023, 10, 1))])
    run.use_list(new)
    run.stamp(clerk(WEIHAI_DISTRICT), n.id)

    (filed,) = run.history(n.id)
    letter = run.carrying(n.id)
    assert letter is not None
    _, stamped = run.store.events(run.campaign.id, letter.id)
    assert ("dishonest_debtors", "empty") in filed.lists
    assert ("dishonest_debtors", new.version) in stamped.lists


def _busy(run: pf.CampaignRun) -> None:
    """A campaign with every kind of action in it."""
    climb(run, nominate(run, 1).id, MINISTRY)
    w = forward(run, nominate(run, 2).id)
    run.withdraw(applicant(w), w.id)
    r = climb(run, nominate(run, 3).id, SHANDONG)
    run.return_for_revision(clerk(SHANDONG), r.id, reason="退回")
    d = climb(run, nominate(run, 4, unit_type="park").id, SHANDONG)
    run.decline(clerk(SHANDONG), d.id, reason="不予推荐")
    for i in (5, 6, 7):
        climb(run, nominate(run, i, origin=QINGDAO_DISTRICT).id, QINGDAO)
    send_letters(run, run.select(lead(run, QINGDAO), "enterprise").submissions)
    nominate(run, 2)
    run.attach(applicant(run.get(r.id)), r.id, file_material("electronic_copy"))


@pytest.mark.parametrize("store_kind", ["memory", "sqlite"])
def test_replaying_the_log_gives_the_stored_state(
    make_run: Callable[..., pf.CampaignRun], tmp_path: Path, store_kind: str
) -> None:
    """State and quota use rebuilt from the audit log alone equal what the store holds."""
    store = (
        pf.MemoryStore() if store_kind == "memory" else pf.open_store(f"sqlite:///{tmp_path / 'replay.db'}")
    )
    run = make_run(store=store)
    _busy(run)

    replayed = run.replay()

    assert {n.id: n for n in run.nominations()} == dict(replayed.nominations)
    assert {s.id: s for s in run.submissions()} == dict(replayed.submissions)
    assert run.store.quota_usage(run.campaign.id) == dict(replayed.quota)
    assert 2 == used(run, QINGDAO, "enterprise")
    store.close()


def test_as_of_gives_the_state_at_a_past_moment(run: pf.CampaignRun) -> None:
    """as_of(moment) rebuilds nominations, their letters and quota use as they stood then."""
    n = nominate(run, 1)
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    run.clock.set(shanghai(2023, 10, 17, 10))  # type: ignore[attr-defined]
    run.recommend(lead(run, WEIHAI_DISTRICT), n.id)
    run.clock.set(shanghai(2023, 10, 17, 11))  # type: ignore[attr-defined]
    attach_letter(run, n.id)
    stamp_all(run, n.id)
    run.recommend(lead(run, WEIHAI), n.id)
    run.clock.set(shanghai(2023, 10, 17, 12))  # type: ignore[attr-defined]
    run.withdraw(applicant(n), n.id)

    assert {} == dict(run.as_of(shanghai(2023, 10, 17, 8)).nominations)
    at_930 = run.as_of(shanghai(2023, 10, 17, 9, 30))
    (district_letter,) = at_930.submissions.values()
    assert (WEIHAI_DISTRICT, "in_review") == (at_930.nominations[n.id].holder, at_930.nominations[n.id].state)
    assert ("draft", 3) == (district_letter.state, len(district_letter.stamps))
    at_1030 = run.as_of(shanghai(2023, 10, 17, 10, 30))
    assert WEIHAI == at_1030.nominations[n.id].holder
    assert ["sent"] == [s.state for s in at_1030.submissions.values()]
    at_1130 = run.as_of(shanghai(2023, 10, 17, 11, 30))
    assert SHANDONG == at_1130.nominations[n.id].holder
    assert 1 == at_1130.quota[WEIHAI, "enterprise"]
    at_1230 = run.as_of(shanghai(2023, 10, 17, 12, 30))
    assert "withdrawn" == at_1230.nominations[n.id].state
    assert {} == dict(at_1230.quota)
    with pytest.raises(pf.NaiveDatetime):
        run.as_of(datetime(2023, 10, 17, 10))


def test_an_applicant_filing_for_another_unit_learns_nothing_more(run: pf.CampaignRun) -> None:
    """An applicant that files for another unit is refused for that alone (not_authorized,
    naming the unit it is not), and changes nothing: the refusal does not reveal that the
    other unit is on a disqualification list."""
    other = unit_code(2)
    run.use_list(listed("dishonest_debtors", other, since=shanghai(2023, 10, 1)))
    before = snapshot(run)

    with pytest.raises(pf.ActionRefused) as raised:
        run.nominate(
            pf.Actor.applicant(unit_code(1), "contact"),
            unit_code=other,
            unit_name="另一单位",
            unit_type="enterprise",
            scenario="medical_elderly_care_integration",
            origin=WEIHAI_DISTRICT,
            materials=all_materials(),
        )

    assert ["not_authorized"] == [r.code for r in raised.value.reasons]
    assert other in raised.value.reasons[0].zh
    assert before == snapshot(run)
