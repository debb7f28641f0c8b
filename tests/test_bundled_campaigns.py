"""The bundled campaigns other than 2023's, each encoded from real notices that differ from it
in structure, driven through the public API from filing to the end: a province's own
selection run by one department (Hebei 2020: the province at the top, 雄安新区 and 定州 as
recommenders, a per-authority table of caps, provincially owned units not counted), and a
national campaign seen from Guangdong (2022 intelligent manufacturing: four departments
review and two stamp, caps per central-enterprise group across cities, an eligibility list
for one unit type, a filing deadline before the paper one)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import every_material

from conftest import attach_letter

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


def unit(division: str, n: int) -> str:
    """A valid unified social credit code of unit ``n`` registered in ``division``."""
    return make_code(f"91{division}", f"MA{n:07d}")


def run_of(campaign_id: str, moment: datetime, *lists: pf.UnitList) -> pf.CampaignRun:
    """A run of a bundled campaign on its own clock, given ``lists`` and every other list
    it consults empty."""
    campaign = pf.load_campaign(campaign_id)
    given = {lst.id: lst for lst in lists}
    everything = [given.get(k) or pf.UnitList.empty(k) for k in campaign.list_rules()]
    return pf.CampaignRun(campaign, lists=everything, clock=pf.FixedClock(moment))


def file(run: pf.CampaignRun, code: str, origin: str, unit_type: str, project: str = "") -> pf.Nomination:
    return run.nominate(
        pf.Actor.applicant(code, "contact"), unit_code=code, unit_name=f"单位{code[-6:]}",
        unit_type=unit_type, origin=origin, materials=every_material(run.campaign),
        project=project or (unit_type if run.campaign.projects else ""),
    )  # fmt: skip


def recommend(run: pf.CampaignRun, nid: str, departments: tuple[str, ...]) -> pf.Nomination:
    """The holder attaches its letter's materials, its ``departments`` stamp the letter
    carrying ``nid``, and the first recommends it."""
    holder = run.get(nid).holder
    attach_letter(run, nid)
    for d in departments:
        run.stamp(pf.Actor(holder, d, f"{d}-clerk"), nid)
    return run.recommend(pf.Actor(holder, departments[0], "lead"), nid)


# -- Hebei 2020: the province at the top, one department --------------------------------------

HEBEI = "hebei-sme-service-platforms-2020"
PROVINCE = pf.Actor("130000", "industry", "province")


def test_hebei_runs_from_a_city_to_the_provinces_announcement() -> None:
    """A platform filed with 保定市 needs the one department's stamp; the province is the top,
    where three experts score, the province concludes and proposes (no spot checks in this
    campaign), publishes a notice of five working days and announces after it."""
    run = run_of(HEBEI, at(2020, 10, 20, 9))
    assert ("130000", 2) == (run.campaign.top, run.campaign.format)
    n = file(run, unit("130600", 1), "130600", "public_service_platform")
    assert ("130600", "130000") == n.route
    nid = recommend(run, n.id, ("industry",)).id
    assert ("received", "130000") == (run.get(nid).state, run.get(nid).holder)
    for i in range(3):
        run.score(pf.Actor("130000", "industry", f"expert-{i}"), nid, score=80, opinion="服务能力突出")
    assert "reviewed" == run.conclude_review(PROVINCE, nid).state
    assert () == run.draw_spot_checks(PROVINCE)
    assert "proposed" == run.propose(PROVINCE, nid).state
    run.publish_notice(PROVINCE)
    run.clock = pf.FixedClock(at(2020, 11, 2, 9))  # five working days later
    run.announce()
    assert "announced" == run.get(nid).state


def test_hebei_caps_dingzhou_at_one_and_leaves_provincial_units_out() -> None:
    """定州 (restated as a city-level recommender) may recommend one platform; a second is
    refused as a full quota, nothing changing; a provincially owned unit filed there takes no
    seat (不计入当地推荐数量) and goes on."""
    owned = unit("130682", 3)
    provincial = pf.UnitList.build("provincial_units", [pf.Listing(owned, at(2020, 1, 1))])
    run = run_of(HEBEI, at(2020, 10, 20, 9), provincial)
    first, second, third = (file(run, code, "130682", "public_service_platform") for code in
                            (unit("130682", 1), unit("130682", 2), owned))  # fmt: skip
    assert ("130682", "130000") == first.route
    recommend(run, first.id, ("industry",))
    attach_letter(run, second.id)
    run.stamp(pf.Actor("130682", "industry", "clerk"), second.id)
    with pytest.raises(pf.QuotaExceeded):
        run.recommend(pf.Actor("130682", "industry", "lead"), second.id)
    assert "130682" == run.get(second.id).holder
    assert "130000" == recommend(run, third.id, ("industry",)).holder


def test_hebei_xiongan_takes_the_units_of_its_counties() -> None:
    """A unit registered in 雄县 files with 雄安新区, which recommends it to the province; a unit
    of 保定's own districts cannot file there."""
    run = run_of(HEBEI, at(2020, 10, 20, 9))
    n = file(run, unit("130638", 1), "XIONGAN", "public_service_platform")
    assert "130000" == recommend(run, n.id, ("industry",)).holder
    with pytest.raises(pf.ActionRefused) as refused:
        file(run, unit("130602", 2), "XIONGAN", "public_service_platform")
    assert "origin_outside_registration" in refused.value.codes


# -- Guangdong 2022: four departments review, two stamp; group caps; filing deadline ----------

GUANGDONG = "intelligent-manufacturing-guangdong-2022"
TWO = ("industry", "development_reform")


def test_guangdong_four_review_two_stamp_up_to_the_ministries() -> None:
    """A scene filed with 广州市 is stamped by the city's 工信 and 发改 (市场监管 reviews but may
    not stamp), recommended to the province, stamped there the same way, and received by
    the four ministries."""
    run = run_of(GUANGDONG, at(2022, 10, 20, 9))
    n = file(run, unit("440100", 1), "440100", "scene")
    assert ("440100", "440000", "MIN") == n.route
    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(pf.Actor("440100", "market_regulation", "clerk"), n.id)
    assert "not_a_stamping_department" in refused.value.codes
    recommend(run, n.id, TWO)
    assert "received" == recommend(run, n.id, TWO).state
    assert "市场监管总局" in run.graph["MIN"].name


def test_guangdong_takes_a_scene_and_a_factory_from_one_unit() -> None:
    """One unit files a factory and a scene, each a project of its own; filing the same project
    again is a duplicate, and a filing without a project is refused (they must be told apart)."""
    code = unit("440100", 1)
    mature = pf.UnitList.build("maturity_level_two", [pf.Listing(code, at(2022, 1, 1))])
    run = run_of(GUANGDONG, at(2022, 10, 20, 9), mature)
    file(run, code, "440100", "scene", "车间排产场景")
    file(run, code, "440100", "factory", "示范工厂")
    with pytest.raises(pf.DuplicateNomination):
        file(run, code, "440100", "scene", "车间排产场景")
    with pytest.raises(pf.InvalidInput):
        run.nominate(
            pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="单位", unit_type="scene",
            origin="440100", materials=every_material(run.campaign),
        )  # fmt: skip
    assert 2 == len(run.nominations())


def test_guangdong_online_filing_closes_before_the_paper_hop() -> None:
    """Online filing closes at the end of 28 October; a filing on the 30th is refused
    (``filing_deadline_passed``) though the city's paper hop is open until the 31st."""
    run = run_of(GUANGDONG, at(2022, 10, 30, 9))
    with pytest.raises(pf.ActionRefused) as refused:
        file(run, unit("440100", 1), "440100", "scene")
    assert ["filing_deadline_passed"] == list(refused.value.codes)


def test_guangdong_caps_a_central_enterprise_group_across_cities() -> None:
    """Each central-enterprise group recommends at most one factory across all cities: a
    member in 广州 goes on, another member of the same group in 佛山 is refused, and neither
    takes a seat of its city's own three."""
    a, b = unit("440100", 1), unit("440600", 2)
    since = at(2022, 1, 1)
    members = pf.UnitList.build(
        "ce_members", [pf.Listing(a, since, group="CEC"), pf.Listing(b, since, group="CEC")]
    )
    mature = pf.UnitList.build("maturity_level_two", [pf.Listing(a, since), pf.Listing(b, since)])
    run = run_of(GUANGDONG, at(2022, 10, 20, 9), members, mature)
    first, second = file(run, a, "440100", "factory"), file(run, b, "440600", "factory")
    assert "440000" == recommend(run, first.id, TWO).holder
    attach_letter(run, second.id)
    for d in TWO:
        run.stamp(pf.Actor("440600", d, "clerk"), second.id)
    with pytest.raises(pf.QuotaExceeded):
        run.recommend(pf.Actor("440600", "industry", "lead"), second.id)
    lines = {(q.authority, q.unit_type): q.used for q in run.quota("440100")}
    assert 0 == lines.get(("440100", "factory"), 0)


def test_guangdong_admits_factories_of_maturity_level_two_only() -> None:
    """A factory not on the maturity list is refused (``not_eligible``, naming the list in
    Chinese); a scene of the same unit is not asked; a unit already carrying out a task is
    barred whatever it files."""
    since = at(2022, 1, 1)
    barred = pf.UnitList.build("taking_part_already", [pf.Listing(unit("440100", 9), since)])
    run = run_of(GUANGDONG, at(2022, 10, 20, 9), barred)
    with pytest.raises(pf.ActionRefused) as refused:
        file(run, unit("440100", 1), "440100", "factory")
    assert "not_eligible" in refused.value.codes
    assert "智能制造能力成熟度二级及以上单位" in refused.value.zh
    assert "in_review" == file(run, unit("440100", 1), "440100", "scene").state
    with pytest.raises(pf.ActionRefused) as refused:
        file(run, unit("440100", 9), "440100", "scene")
    assert "disqualified" in refused.value.codes


def test_a_new_applications_track_has_materials_of_its_own() -> None:
    """``tracks.new.materials`` adds what a hop needs of new applications only: with the
    Hebei disc moved there, a platform filed without it cannot go to the province, and the
    refusal names the disc in Chinese."""
    text = (Path(pf.__file__).parent / "data" / "campaigns" / f"{HEBEI}.yaml").read_text("utf-8")
    text = text.replace("      - application_disc                           # 电子光盘一份\n", "").replace(
        "  new: {en: recommended platforms, zh: 2020年度推荐示范平台}",
        "  new:\n    en: recommended platforms\n    zh: 2020年度推荐示范平台\n"
        "    materials: {to_province: [application_disc]}",
    )
    campaign = pf.parse_campaign(text, source="hebei-variant")
    hop = campaign.hops[0]
    assert ("application_disc",) == tuple(m.kind for m in hop.new_materials)
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=pf.FixedClock(at(2020, 10, 20, 9)))
    code = unit("130600", 1)
    lacking = [m for m in every_material(campaign) if m.kind != "application_disc"]
    n = run.nominate(
        pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某平台",
        unit_type="public_service_platform", origin="130600", materials=lacking,
    )  # fmt: skip
    attach_letter(run, n.id)
    run.stamp(pf.Actor("130600", "industry", "clerk"), n.id)
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(pf.Actor("130600", "industry", "lead"), n.id)
    assert "申报材料电子光盘" in refused.value.zh
