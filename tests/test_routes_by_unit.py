"""Routes by unit and scenario: a campaign may let some units file straight with a higher
authority (provincially owned units with the province), and send the nominations of some
scenarios to a second recommender (a province's 通信管理局) — both as data, judged on the
unit's scenario and on the lists it is on, never on what the applicant declares."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import pilotflow as pf
from pilotflow.campaign_file import parse_campaign
from pilotflow.codes import make_code
from pilotflow.domain.campaign import UnitFacts
from pilotflow.samples import every_material
from test_campaign_file import BUNDLED_YAML

from conftest import attach_letter

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2023, 10, 17, 12, tzinfo=SHANGHAI)

ROUTED = BUNDLED_YAML.read_text(encoding="utf-8").replace(
    "reporting:\n",
    """authorities:
  - code: "370000-CA"
    name: 山东省通信管理局
    kind: regulator
    level: province
    parent: MIN
    admin_parent: "370000"
    departments: [industry]
entry:
  - at: {codes: ["370000"]}
    lists: [shandong_reserve_pool]
reporting:
  - sender: {within: ["370000"], levels: [city]}
    scenarios: [internet_healthcare]
    to: "370000-CA"
""",
    1,
)


def _run() -> pf.CampaignRun:
    campaign = parse_campaign(ROUTED, source="routed.yaml")
    pool = pf.UnitList.build("shandong_reserve_pool", [pf.Listing(make_code("91370102", "MA3C5CJX"), NOON)])
    clock = pf.FixedClock(datetime(2023, 10, 17, 13, tzinfo=SHANGHAI))
    return pf.CampaignRun(campaign, lists=[*pf.empty_lists(campaign), pool], clock=clock)


def _nominate(run: pf.CampaignRun, unit: str, origin: str, scenario: str) -> pf.Nomination:
    return run.nominate(
        pf.Actor.applicant(unit, "contact"), unit_code=unit, unit_name="某单位", unit_type="enterprise",
        scenario=scenario, origin=origin, materials=every_material(run.campaign),
    )  # fmt: skip


def test_a_scenario_goes_to_a_second_recommender() -> None:
    """In Shandong the nominations of one scenario go from the city to the province's
    通信管理局, the others to the province, each the route of its own unit."""
    run = _run()
    other = _nominate(run, make_code("91371002", "MA3C5CJX"), "371002", "elderly_canteens")
    assert ("371002", "371000", "370000", "MIN") == other.route
    routed = _nominate(run, make_code("91371002", "MA3C5CJY"), "371002", "internet_healthcare")
    assert ("371002", "371000", "370000-CA", "MIN") == routed.route


def test_a_listed_unit_files_straight_with_the_province() -> None:
    """A unit on the list the entry rule names files with the province itself; a unit not on
    it is refused there (it files at its district), and nothing is recorded for it."""
    run = _run()
    listed = make_code("91370102", "MA3C5CJX")
    assert ("370000", "MIN") == _nominate(run, listed, "370000", "elderly_canteens").route
    with pytest.raises(pf.ActionRefused) as refused:
        _nominate(run, make_code("91370102", "MA3C5CJY"), "370000", "elderly_canteens")
    assert "origin_not_first_level" in refused.value.codes
    assert 1 == len(list(run.store.nominations(run.campaign.id)))


def test_a_unit_listed_only_later_cannot_enter_earlier() -> None:
    """The list is judged at the moment of filing: a unit listed from noon may not file with
    the province in the morning (a run recording the past), and may at one o'clock."""
    run = _run()
    past = pf.CampaignRun(run.campaign, lists=list(run.lists.values()), clock=run.clock, backfill=True)
    unit = make_code("91370102", "MA3C5CJX")
    with pytest.raises(pf.ActionRefused) as refused:
        past.nominate(
            pf.Actor.applicant(unit, "contact"), unit_code=unit, unit_name="某单位", unit_type="enterprise",
            scenario="elderly_canteens", origin="370000", materials=every_material(run.campaign),
            at=datetime(2023, 10, 17, 11, tzinfo=SHANGHAI),
        )  # fmt: skip
    assert "origin_not_first_level" in refused.value.codes
    assert "370000" == _nominate(run, unit, "370000", "elderly_canteens").holder


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("scenarios: [internet_healthcare]", "scenarios: [internet_health]", "reporting[0].scenarios[0]"),
        ("lists: [shandong_reserve_pool]", "lists: [reserve_pool]", "entry[0].lists[0]"),
        ('  - at: {codes: ["370000"]}\n', '  - at: {codes: ["379999"]}\n', "entry[0].at.codes[0]"),
    ],
)
def test_a_wrong_routing_rule_is_refused_at_its_path(old: str, new: str, path: str) -> None:
    """Routing and entry rules name declared scenarios and lists and known authorities; a
    mistake is refused with its key path."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(ROUTED.replace(old, new, 1), source="routed.yaml")
    assert path == raised.value.path


def test_the_second_recommender_has_its_own_quota() -> None:
    """The 通信管理局 recommends the scenario's nominations to the ministries under its own
    quota (one here): the first goes on, the second is refused as a full quota of the
    通信管理局, and the province's quota is not touched."""
    text = ROUTED.replace(
        "\nquotas:\n", '\nquotas:\n  - {name: ca, recommender: {codes: ["370000-CA"]}, total: 1}\n', 1
    )
    campaign = parse_campaign(text, source="routed.yaml")
    run = pf.CampaignRun(
        campaign,
        lists=pf.empty_lists(campaign),
        clock=pf.FixedClock(datetime(2023, 10, 17, 13, tzinfo=SHANGHAI)),
    )
    held = []
    for body in ("MA3C5CJX", "MA3C5CJY"):
        n = _nominate(run, make_code("91371002", body), "371002", "internet_healthcare")
        for holder in ("371002", "371000"):
            attach_letter(run, n.id)
            for department in ("industry", "civil_affairs", "health"):
                run.stamp(pf.Actor(holder, department, "clerk"), n.id)
            n = run.recommend(pf.Actor(holder, "industry", "lead"), n.id)
        attach_letter(run, n.id)
        run.stamp(pf.Actor("370000-CA", "industry", "clerk"), n.id)
        held.append(n.id)
    assert "MIN" == run.recommend(pf.Actor("370000-CA", "industry", "lead"), held[0]).holder
    with pytest.raises(pf.QuotaExceeded) as refused:
        run.recommend(pf.Actor("370000-CA", "industry", "lead"), held[1])
    assert "山东省通信管理局" in refused.value.zh
    assert 0 == run.store.quota_used(campaign.id, "370000", "enterprise")


@pytest.mark.parametrize("unit", ["enterprise", 5, ("internet_healthcare",), [1], object()])
@pytest.mark.parametrize("routed", [True, False], ids=["routed-by-unit", "one-route"])
def test_a_route_asked_for_something_other_than_a_units_facts_is_refused(unit: object, routed: bool) -> None:
    """``Workflow.route`` given anything but a ``UnitFacts`` (or None) as the unit is refused
    with InvalidInput in both languages, the English naming what it got, whether or not the
    campaign routes by unit (never an AttributeError from inside the routing); an unknown
    origin is named first."""
    bundled = pf.load_campaign("smart-health-elderly-care-2023")
    run = _run() if routed else pf.CampaignRun(bundled, lists=pf.empty_lists(bundled))
    with pytest.raises(pf.InvalidInput) as info:
        run.workflow.route("371002", unit)  # type: ignore[arg-type]
    assert f"got {type(unit).__name__}" in info.value.en
    assert "UnitFacts" in info.value.zh
    with pytest.raises(pf.UnknownAuthority):
        run.workflow.route("999999", unit)  # type: ignore[arg-type]
    assert run.workflow.route("371002", UnitFacts(scenario="elderly_care")) == run.workflow.route("371002")


def test_a_letter_goes_where_some_route_of_the_sender_goes() -> None:
    """``letter_materials`` answers for the receivers a route takes from the sender: a
    Shandong city's letters go to the province, and its internet-healthcare units' to the
    province's 通信管理局; a receiver no route reaches from the sender (the ministry, skipping
    the province) is refused, naming both places its letters go; the top sends nothing.
    ``Workflow.next_hops`` given something other than an authority's code refuses it."""
    run = _run()
    assert run.workflow.next_hops("371000") == {"370000", "370000-CA"}
    assert run.letter_materials("371000", "370000-CA") == ()  # (no hop rule asks for any here)
    assert [r.kind for r in run.letter_materials("371000", "370000")] == ["three_department_letter"]
    with pytest.raises(pf.InvalidInput) as raised:
        run.letter_materials("371000", "MIN")
    assert "its letters go to 370000, 370000-CA" in raised.value.en
    assert "应报送山东省、山东省通信管理局" in raised.value.zh
    with pytest.raises(pf.InvalidInput) as raised:
        run.letter_materials("MIN", "370000")
    assert "最高一级" in raised.value.zh
    for bad in (["371000"], 371000, "379999"):  # not an authority's code: refused, named
        with pytest.raises(pf.InvalidInput):
            run.workflow.next_hops(bad)  # type: ignore[arg-type]


def test_a_letter_on_a_route_an_earlier_revision_made_is_answered() -> None:
    """A nomination filed while a rule sent internet healthcare to the 通信管理局 keeps that
    route after a revision drops the rule: its city's letter to the 通信管理局 is answered
    (it was refused, though the run sends the unit there), while a hop no route takes stays
    refused."""
    run = _run()
    n = _nominate(run, make_code("91371002", "MA3C5CJY"), "371002", "internet_healthcare")
    rule = (
        'reporting:\n  - sender: {within: ["370000"], levels: [city]}\n    scenarios: [internet_healthcare]\n'
    )
    revised = parse_campaign(
        ROUTED.replace(rule + '    to: "370000-CA"\n', "reporting:\n", 1), source="r2.yaml"
    )
    later = pf.CampaignRun(revised, lists=list(run.lists.values()), store=run.store, clock=run.clock)
    assert "370000-CA" not in later.workflow.next_hops("371000")
    assert ("371000", "370000-CA") in zip(n.route, n.route[1:], strict=False)
    assert later.letter_materials("371000", "370000-CA") == ()
    with pytest.raises(pf.InvalidInput):
        later.letter_materials("371000", "MIN")


def _on_lists(more: str = "") -> str:
    """ROUTED with two reporting rules for units on lists instead of the scenario's: those on
    甲 go to the 通信管理局, those on 甲 or 乙 to another 局 (370000-CB); ``more`` rules after."""
    rules = (
        '    lists: [tag_a]\n    to: "370000-CA"\n'
        '  - sender: {within: ["370000"], levels: [city]}\n    lists: [tag_a, tag_b]\n    to: "370000-CB"\n'
        + more
    )
    bureau = (
        '  - {code: "370000-CB", name: 山东省某局, kind: regulator, level: province, parent: MIN,\n'
        '     admin_parent: "370000", departments: [industry]}\n'
    )
    tags = "  tag_a: {en: a, zh: 甲名单, kind: tag}\n  tag_b: {en: b, zh: 乙名单, kind: tag}\n"
    text = (
        ROUTED.replace('    scenarios: [internet_healthcare]\n    to: "370000-CA"\n', rules, 1)
        .replace("entry:", bureau + "entry:", 1)
        .replace("\nlists:\n", "\nlists:\n" + tags, 1)
    )
    return text


def test_every_receiver_a_rule_on_lists_may_send_to_is_a_next_hop() -> None:
    """Two rules for units on lists: those on 甲 go to the 通信管理局, those on 甲 or 乙 to
    another 局. A unit on 乙 alone goes to the second, and its city's letter there is
    answered (the receivers were found from one example unit per rule, on all its lists,
    which the first rule took)."""
    text = _on_lists()
    campaign = parse_campaign(text, source="lists.yaml")
    unit = make_code("91371002", "MA3C5CJY")
    tag_b = pf.UnitList.build("tag_b", [pf.Listing(unit, NOON)])
    lists = [x for x in pf.empty_lists(campaign) if x.id != "tag_b"] + [tag_b]
    run = pf.CampaignRun(
        campaign, lists=lists, clock=pf.FixedClock(datetime(2023, 10, 17, 13, tzinfo=SHANGHAI))
    )
    assert ("371002", "371000", "370000-CB", "MIN") == _nominate(
        run, unit, "371002", "elderly_canteens"
    ).route
    assert run.workflow.next_hops("371000") == {"370000", "370000-CA", "370000-CB"}
    assert run.letter_materials("371000", "370000-CB") == ()


def test_a_rule_sending_an_entry_point_down_is_refused_when_the_file_is_read() -> None:
    """A rule sending the province's internet-healthcare nominations to 威海市: no route from
    a district takes it (their cities send those units to the 通信管理局), but a listed unit
    may start at the province by the entry rule. The file is refused at that rule; it
    loaded, and such a unit's route went down."""
    extra = '  - sender: {codes: ["370000"]}\n    scenarios: [internet_healthcare]\n    to: "371000"\n'
    text = ROUTED.replace('    to: "370000-CA"\n', '    to: "370000-CA"\n' + extra, 1)
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text, source="routed.yaml")
    assert "reporting[1].to" == raised.value.path


def test_a_route_down_only_some_units_take_is_refused_when_the_file_is_read() -> None:
    """The second rule sends a Shandong city's units on 甲 or 乙 down to 文登区, a district.
    Only a unit on 乙 and not on 甲 takes it (one on 甲 goes to the 通信管理局 by the first
    rule), a unit neither rule's own conditions describe: the reader now walks every
    combination of the scenarios, unit types and lists the rules name, and refuses the file
    at that rule (it loaded, walking one unit per rule)."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(_on_lists().replace('to: "370000-CB"', 'to: "371003"'), source="lists.yaml")
    assert raised.value.path.startswith("reporting[1]")
    assert "371003" in raised.value.problem
