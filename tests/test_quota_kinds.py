"""Quotas as real notices write them (issue 11, point 5): per-authority tables in one rule,
caps per group across authorities, exemptions (不占属地指标) and soft caps (原则上不超过),
with unit tags from lists given to the run."""

from __future__ import annotations

import threading
from importlib import resources

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pilotflow as pf

from conftest import (
    assert_replays,
    attach_letter,
    codes,
    forward,
    nominate,
    refused,
    send_letters,
    shanghai,
    stamp_all,
    state_of,
    unit_code,
)

TAGS = """
  provincial_soe: {en: provincially owned enterprises, zh: 省属企业, kind: tag}
  ce_members: {en: central enterprise members, zh: 中央企业成员单位, kind: tag}
"""


def variant(rules: str, extra: str = TAGS) -> pf.Campaign:
    """The bundled campaign with ``rules`` (YAML list items) first among its quotas."""
    path = resources.files("pilotflow").joinpath("data", "campaigns", "smart-health-elderly-care-2023.yaml")
    text = path.read_text(encoding="utf-8")
    text = text.replace("\nquotas:\n", f"\nquotas:\n{rules}", 1).replace(
        "\nlists:\n", f"\nlists:\n{extra}", 1
    )
    return pf.parse_campaign(text, source="variant")


def tag_list(list_id: str, *units: tuple[int, str, str]) -> pf.UnitList:
    """A tag list of units (number, division, group)."""
    since = shanghai(2023, 1, 1)
    return pf.UnitList.build(
        list_id, [pf.Listing(unit_code(n, division), since, group=group) for n, division, group in units]
    )


def make(campaign: pf.Campaign, *lists: pf.UnitList, store: pf.Store | None = None) -> pf.CampaignRun:
    given = {lst.id: lst for lst in lists}
    everything = [*pf.empty_lists(campaign), *given.values()]
    everything += [pf.UnitList.empty(k) for k in campaign.required_lists if k not in given]
    return pf.CampaignRun(
        campaign, store=store, lists=everything, clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )


def at_city(run: pf.CampaignRun, n: int, origin: str = "371002", stamped: bool = True) -> pf.Nomination:
    """Nomination ``n`` filed at ``origin`` and sent up to its city, where (``stamped``) its
    one-unit letter carries its materials and every department stamped it."""
    held = forward(run, nominate(run, n, origin=origin).id)
    if not stamped:
        return held
    attach_letter(run, held.id)
    return stamp_all(run, held.id)


def climb(run: pf.CampaignRun, n: int, origin: str = "371002") -> pf.Nomination:
    """Nomination ``n`` recommended by its city (by the industry department)."""
    held = at_city(run, n, origin)
    return run.recommend(pf.Actor(held.holder, "industry", "lead"), held.id)


def test_a_per_authority_row_gives_that_authority_its_own_caps() -> None:
    """One rule with a ``per_authority`` table: Weihai's row caps it at 2 enterprises (and 3 in
    all), every other Shandong city keeps the rule's own 1."""
    campaign = variant(
        """  - name: shandong_table
    recommender: {within: [370000], levels: [city]}
    limits: {enterprise: 1, park: 1}
    per_authority:
      "371000": {enterprise: 2, total: 3}
"""
    )
    graph = pf.AuthorityGraph.bundled()
    rule = campaign.quota_rule(graph["370600"])
    assert rule is not None
    assert rule.caps("370600", "enterprise") == (1, None)
    assert rule.caps("371000", "enterprise") == (2, 3)
    assert rule.caps("371000", "park") == (1, 3)
    run = make(campaign)
    for i in range(2):
        climb(run, i)
    third = at_city(run, 2)
    error = refused(lambda: run.recommend(pf.Actor("371000", "industry", "lead"), third.id))
    assert isinstance(error, pf.QuotaExceeded)
    assert error.reasons[0].details["limit"] == 2


def test_the_quota_shown_is_the_per_authority_row_the_guard_enforces() -> None:
    """``run.quota`` and a route's hop table read a ``per_authority`` row as the quota guard
    does (``QuotaRule.limits_of``): Weihai's limit is its own 2 enterprises and 3 in all, not
    the rule's 1; a city without a row shows the rule's own."""
    campaign = variant(
        """  - name: shandong_table
    recommender: {within: [370000], levels: [city]}
    limits: {enterprise: 1, park: 1}
    per_authority:
      "371000": {enterprise: 2, total: 3}
"""
    )
    run = make(campaign)
    shown = {(q.authority, q.unit_type): q.limit for q in (*run.quota("371000"), *run.quota("370600"))}
    assert (2, 1, 3) == (shown["371000", "enterprise"], shown["371000", "park"], shown["371000", "*"])
    assert (1, 1, None) == (shown["370600", "enterprise"], shown["370600", "park"], shown["370600", "*"])
    rule = campaign.quota_rule(run.graph["371000"])
    assert rule is not None
    limits, total = rule.limits_of("371000")
    assert ({"enterprise": 2, "park": 1}, 3) == (dict(limits), total)
    plan = run.workflow.plan(run.workflow.route("371002"))
    assert "enterprise 2、park 1（合计 3）" in plan._repr_html_()  # the notebook's hop table


def test_a_per_authority_row_must_name_a_known_authority_and_unit_type() -> None:
    """A code the graph lacks, an undeclared unit type, or an authority the rule's recommender
    does not select (a row that could never apply: a province in a rule for cities), in a row
    is refused at its key path."""
    for row, path in (('"379999": {enterprise: 2}', "per_authority.379999"),
                      ('"371000": {factory: 2}', "per_authority.371000.factory"),
                      ('"370000": {enterprise: 2}', "per_authority.370000")):  # fmt: skip
        with pytest.raises(pf.CampaignFileError) as info:
            variant(f"  - name: t\n    recommender: {{levels: [city]}}\n    per_authority: {{{row}}}\n")
        assert info.value.path == f"quotas[0].{path}"


def test_a_rule_may_only_refer_to_declared_lists() -> None:
    """``exempt`` and ``group`` name lists the campaign declares; others are refused."""
    with pytest.raises(pf.CampaignFileError) as info:
        variant("  - name: t\n    recommender: {levels: [city]}\n    exempt: {lists: [provincial_sooe]}\n")
    assert info.value.path == "quotas[0].exempt.lists[0]"
    with pytest.raises(pf.CampaignFileError) as info:
        variant("  - name: t\n    recommender: {levels: [city]}\n    group: {list: nowhere}\n")
    assert info.value.path == "quotas[0].group.list"


EXEMPT = """  - name: weihai
    recommender: {codes: [371000]}
    limits: {enterprise: 1}
    exempt: {lists: [provincial_soe]}
"""


def test_an_exempt_unit_takes_no_seat_of_the_local_quota() -> None:
    """A provincially owned unit (on the tag list given to the run) is recommended by Weihai
    without taking its one enterprise seat; an ordinary unit still takes it, a second is refused."""
    campaign = variant(EXEMPT)
    run = make(campaign, tag_list("provincial_soe", (1, "371002", "")))
    exempt = climb(run, 1)
    assert exempt.seats == ("371002",)
    assert exempt.holder == "370000"
    climb(run, 2)
    assert run.store.quota_used(campaign.id, "371000", "enterprise") == 1
    other = at_city(run, 3)
    assert codes(refused(lambda: run.recommend(pf.Actor("371000", "industry", "l"), other.id)).reasons) == [
        "quota_full"
    ]
    assert_replays(run)


GROUPS = """  - name: central_enterprise_groups
    recommender: {levels: [city]}
    group: {list: ce_members}
    limits: {enterprise: 1}
"""


def test_a_group_cap_holds_across_cities_and_a_return_gives_the_seat_back() -> None:
    """Two members of one central enterprise group in Weihai and Jinan: the group may send one
    enterprise across all cities, so Jinan is refused while Weihai's stands; the province
    returns Weihai's and Jinan may then go. A unit of another group is not affected."""
    campaign = variant(GROUPS)
    members = tag_list("ce_members", (1, "371002", "G1"), (2, "370102", "G1"), (3, "370102", "G2"))
    run = make(campaign, members)
    first = climb(run, 1)
    assert first.seats == ("371002", "371000", "group:ce_members:G1@371000")
    second = at_city(run, 2, "370102")
    error = refused(lambda: run.recommend(pf.Actor("370100", "industry", "l"), second.id))
    assert isinstance(error, pf.QuotaExceeded)
    assert error.reasons[0].details["authority"] == "group:ce_members:G1"
    assert "中央企业成员单位（G1）" in error.zh
    assert climb(run, 3, "370102").holder == "370000"  # G2 has its own seat
    run.return_for_revision(pf.Actor("370000", "industry", "l"), first.id, reason="补充材料")
    assert run.store.quota_used(campaign.id, "group:ce_members:G1", "enterprise") == 0
    assert run.recommend(pf.Actor("370100", "industry", "l"), second.id).holder == "370000"
    assert_replays(run)


SOFT = """  - name: weihai_in_principle
    recommender: {codes: [371000]}
    limits: {enterprise: 1}
    soft: {exceed_by: [industry]}
"""


def test_a_soft_cap_is_exceeded_only_by_an_authorised_department_with_a_reason() -> None:
    """Weihai's cap of one enterprise is soft: a second recommendation without a reason, or by
    a department the rule does not name, is refused and changes nothing; the industry
    department exceeds it with a reason, which the event records."""
    campaign = variant(SOFT)
    run = make(campaign)
    climb(run, 1)
    second = at_city(run, 2)
    before = state_of(run)
    attempts = (
        (pf.Actor("371000", "industry", "l"), None, "quota_full"),
        (pf.Actor("371000", "health", "l"), "优先推荐", "quota_exceed_not_allowed"),
    )
    for actor, why, code in attempts:
        error = refused(lambda a=actor, w=why: run.recommend(a, second.id, exceed_quota_reason=w))
        assert code in codes(error.reasons)
    assert state_of(run) == before
    done = run.recommend(pf.Actor("371000", "industry", "l"), second.id, exceed_quota_reason="区域重点项目")
    assert done.holder == "370000"
    assert run.history(second.id)[-1].data["exceed_quota_reason"] == "区域重点项目"
    assert run.store.quota_used(campaign.id, "371000", "enterprise") == 2
    assert_replays(run)


def test_a_reason_to_exceed_a_quota_that_is_not_full_is_refused() -> None:
    """A reason to exceed Weihai's soft cap while a seat is still free would record an
    exceedance that never happened: it is refused (``quota_not_full``), nothing changes, and
    the recommendation goes ahead without one."""
    run = make(variant(SOFT))
    first = at_city(run, 1)
    before = state_of(run)
    error = refused(
        lambda: run.recommend(pf.Actor("371000", "industry", "l"), first.id, exceed_quota_reason="重点")
    )
    assert ["quota_not_full"] == codes(error.reasons)
    assert state_of(run) == before
    assert "370000" == run.recommend(pf.Actor("371000", "industry", "l"), first.id).holder


def test_a_campaign_without_the_new_keys_behaves_as_before(campaign: pf.Campaign) -> None:
    """The bundled campaign has no tag lists; its rules have no rows, groups, exemptions or
    soft caps."""
    assert set(campaign.required_lists) == set(campaign.screening_lists)
    assert all(not (r.per_authority or r.group_list or r.exempt or r.exceed_by) for r in campaign.quotas)


def test_racing_cities_never_overrun_a_group_cap_on_postgres(pg_url: str, pg_schema: str) -> None:
    """Six cities recommend members of one group at once, each on its own connection: the
    group's cap of one enterprise is never overrun; every loser gets QuotaExceeded."""
    campaign = variant(GROUPS)
    cities = ("370102", "371102", "370302", "370602", "370702", "371002")  # districts of six cities
    members = tag_list("ce_members", *((i, d, "G1") for i, d in enumerate(cities)))
    with pf.open_store(pg_url, schema=pg_schema) as store:
        run = make(campaign, members, store=store)
        ids = [at_city(run, i, origin) for i, origin in enumerate(cities)]
    start = threading.Barrier(len(ids))
    outcome: list[str] = []

    def city(n: pf.Nomination) -> None:
        with pf.open_store(pg_url, schema=pg_schema) as store:
            own = make(campaign, members, store=store)
            start.wait()
            try:
                own.recommend(pf.Actor(n.holder, "industry", "l"), n.id)
                outcome.append("won")
            except pf.QuotaExceeded:
                outcome.append("full")

    threads = [threading.Thread(target=city, args=(n,)) for n in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome) == ["full"] * (len(ids) - 1) + ["won"]
    with pf.open_store(pg_url, schema=pg_schema) as store:
        assert store.quota_used(campaign.id, "group:ce_members:G1", "enterprise") == 1
        assert_replays(make(campaign, members, store=store))


STEPS = st.lists(
    st.tuples(
        st.integers(0, 5),  # which unit
        st.sampled_from(("recommend", "return")),
        st.sampled_from(("industry", "health")),  # who recommends
        st.booleans(),  # with a reason to exceed
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=STEPS)
def test_counters_never_pass_a_hard_cap_and_a_soft_one_only_with_an_authorised_reason(
    script: list[tuple[int, str, str, bool]],
) -> None:
    """Random recommendations (by an authorised department or not, with a reason or not) and
    returns of six units in Weihai and Jinan: the group's counter never passes its hard cap,
    Weihai's soft cap is passed only by as many seats as were taken by the industry
    department with a recorded reason, and the log replays to the stored quota use."""
    campaign = variant(GROUPS + SOFT)
    origins = ("371002", "370102")
    run = make(campaign, tag_list("ce_members", *((i, origins[i % 2], "G1") for i in range(4))))
    held = [at_city(run, i, origins[i % 2]) for i in range(6)]
    for i, action, department, with_reason in script:
        n = run.get(held[i].id)
        try:
            if action == "return":
                run.return_for_revision(pf.Actor(n.holder, "industry", "p"), n.id, reason="退回")
                attach_letter(run, n.id)  # the city drafts its letter again: it may recommend once more
                stamp_all(run, n.id)
            else:
                why = "重点项目" if with_reason else None
                run.recommend(pf.Actor(n.holder, department, "l"), n.id, exceed_quota_reason=why)
        except pf.PilotflowError:
            continue
        used = run.store.quota_usage(campaign.id)
        assert used.get(("group:ce_members:G1", "enterprise"), 0) <= 1
        excused = 0
        for m in run.nominations():
            if "371000" in m.seats:
                taken = [
                    e for e in run.history(m.id) if e.action == "recommend" and e.actor.authority == "371000"
                ]
                data = taken[-1].data
                excused += "exceed_quota_reason" in data and taken[-1].actor.department == "industry"
        assert used.get(("371000", "enterprise"), 0) <= 1 + excused
        assert_replays(run)


def test_a_selection_counts_exempt_units_and_group_seats_where_they_fall() -> None:
    """Weihai selects four enterprises at once with one local seat: the exempt unit is listed
    in its letter without using it, one ordinary unit takes it, and of two members of one group (cap one)
    only the first goes; the rest are cut. The log replays to the stored quota use."""
    campaign = variant(GROUPS + EXEMPT)
    lists = (
        tag_list("provincial_soe", (1, "371002", "")),
        tag_list("ce_members", (2, "371002", "G1"), (3, "371002", "G1")),
    )
    run = make(campaign, *lists)
    held = [at_city(run, i, stamped=False).id for i in (1, 2, 3, 4)]
    result = run.select(pf.Actor("371000", "industry", "lead"), "enterprise", order=held)
    assert result.recommended == (held[0], held[1])
    assert set(result.cut) == {held[2], held[3]}
    send_letters(run, result.submissions)
    assert run.store.quota_used(campaign.id, "371000", "enterprise") == 1
    assert run.store.quota_used(campaign.id, "group:ce_members:G1", "enterprise") == 1
    assert_replays(run)


@pytest.mark.parametrize(
    "campaign_id",
    [
        "smart-health-elderly-care-2023",
        "intelligent-manufacturing-guangdong-2022",
        "hebei-sme-service-platforms-2020",
    ],
)
def test_a_rules_caps_read_as_its_limits(campaign_id: str) -> None:
    """``QuotaRule.caps`` (the guard's reading, built without mappings) gives what
    ``limits_of`` (every view's) gives, for each bundled rule, every authority it names and
    one it does not, every unit type, "*" and an unknown type."""
    campaign = pf.load_campaign(campaign_id)
    for rule in campaign.quotas:
        types = {
            *campaign.unit_types,
            "*",
            "no_such_type",
            *(t for row in rule.per_authority.values() for t in row),
        }
        for authority in (*rule.per_authority, "999999"):
            limits, total = rule.limits_of(authority)
            for unit_type in sorted(types):
                assert (limits.get(unit_type), total) == rule.caps(authority, unit_type), (
                    authority,
                    unit_type,
                )
