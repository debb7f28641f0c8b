"""A campaign has a scope and may add authorities: a province's own selection runs city →
province with the province at the top, its routes checked only within the province; the
authorities a notice names that GB/T 2260 lacks (雄安新区) or treats otherwise (定州, a
county-level city the province administers directly) are declared in the file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest

import pilotflow as pf
from pilotflow.campaign_file import parse_campaign
from pilotflow.codes import make_code
from pilotflow.domain.selectors import Selector
from pilotflow.reports import summary_table, write_summary

SHANGHAI = ZoneInfo("Asia/Shanghai")

PROVINCE_TOP = """
id: hebei-platforms-demo
title: {en: Hebei public service platforms, zh: 河北省中小企业公共服务示范平台}
year: 2020
timezone: Asia/Shanghai
levels: [city, province]
departments: {industry: {en: industry and information technology, zh: 工业和信息化}}
acting: {"*": [industry]}
unit_types: {platform: {en: service platform, zh: 服务平台}}
scenarios: {general: {group: general, en: general, zh: 综合}}
scope: {within: ["130000"]}
authorities:
  - {code: "133100", name: 雄安新区, kind: new_area, level: city, parent: "130000",
     admits: ["130629", "130632", "130638"]}
  - {code: "130682", name: 定州市, kind: county, level: city, parent: "130000", admin_parent: "130600",
     replaces: true}
quotas:
  - {name: cities, recommender: {levels: [city]}, total: 3}
hops:
  - {name: cities_to_province, sender: {levels: [city]}, receiver: {codes: ["130000"]},
     deadline: "2020-10-25"}
"""


def _run(text: str = PROVINCE_TOP) -> pf.CampaignRun:
    campaign = parse_campaign(text, source="hebei.yaml")
    clock = pf.FixedClock(datetime(2020, 10, 20, 9, tzinfo=SHANGHAI))
    return pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)


def _nominate(run: pf.CampaignRun, division: str, origin: str) -> pf.Nomination:
    code = make_code(f"91{division}", "MA3C5CJX")
    return run.nominate(
        pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某平台", unit_type="platform",
        scenario="general", origin=origin,
    )  # fmt: skip


def test_a_province_campaign_ends_at_the_province() -> None:
    """Within its scope a province's campaign routes city → province; the province is its
    top, and one department's stamp sends a city's nomination there."""
    run = _run()
    assert "130000" == run.campaign.top
    n = _nominate(run, "130600", "130600")  # 保定市
    assert ("130600", "130000") == n.route
    clerk = pf.Actor("130600", "industry", "clerk")
    run.stamp(clerk, n.id)
    assert "130000" == run.recommend(clerk, n.id).holder


def test_without_a_scope_the_routes_of_every_province_are_refused() -> None:
    """Without ``scope``, a province's campaign would take every city of China: the routes of
    the 计划单列市 never reach a province, and those of other provinces end at their own; the
    file is refused at ``scope``, saying so."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(PROVINCE_TOP.replace('scope: {within: ["130000"]}\n', ""), source="hebei.yaml")
    assert "scope" == raised.value.path
    assert "scope" in raised.value.zh
    assert "大连市" in raised.value.zh
    with pytest.raises(pf.CampaignFileError) as raised:  # with Dalian routed: two tops
        parse_campaign(
            PROVINCE_TOP.replace('scope: {within: ["130000"]}\n', "scope: {levels: [city]}\n").replace(
                "hops:", 'reporting: [{sender: {kinds: [separately_planned_city]}, to: "130000"}]\nhops:'
            ),
            source="hebei.yaml",
        )
    assert "scope" == raised.value.path
    assert "一个最高层级机关" in raised.value.zh


def test_an_origin_outside_the_scope_is_refused() -> None:
    """A nomination may not start at an authority outside the campaign's scope (济南市 in a
    Hebei campaign); nothing is recorded."""
    run = _run()
    with pytest.raises(pf.InvalidInput) as raised:
        _nominate(run, "370100", "370100")
    assert "不在本次遴选的范围内" in raised.value.zh
    assert not list(run.store.nominations(run.campaign.id))


def test_the_quota_of_an_authority_outside_the_scope_is_refused() -> None:
    """A Hebei campaign has no quota for 济南市: asking for it is refused by name (its
    city-level rule would otherwise show 济南市 a limit it has not), while a Hebei city's
    quota is shown, and so is the top's."""
    run = _run()
    for code in ("370100", "371000"):
        with pytest.raises(pf.InvalidInput) as raised:
            run.quota(code)
        assert "不在本次遴选的范围内" in raised.value.zh
        assert "outside its scope" in raised.value.en
    with pytest.raises(pf.InvalidInput):
        run.quota_table(["130100", "370100"])
    assert [line.authority for line in run.quota("130100")][-1] == "130100"
    assert run.quota(run.campaign.top)


def test_the_route_of_an_authority_outside_the_scope_is_refused() -> None:
    """``run.workflow.route`` and the route diagram refuse 济南市 and 威海市 in a Hebei
    campaign by name (they gave a route to 山东省, one no nomination of the campaign can
    take), while a Hebei city's route is given."""
    run = _run()
    for code in ("370100", "371000", "济南市"):
        with pytest.raises(pf.InvalidInput) as raised:
            pf.display.route(run, code)
        assert "不在本次遴选的范围内" in raised.value.zh
    for code in ("370100", "371000"):
        with pytest.raises(pf.InvalidInput) as raised:
            run.workflow.route(code)
        assert f"{run.graph[code].name}不在本次遴选的范围内" in raised.value.zh
    assert ("130100", "130000") == run.workflow.route("130100")
    assert 2 == len(pf.display.route(run, "石家庄市").nodes)


def test_a_route_plan_checks_the_route_it_is_given() -> None:
    """``run.workflow.plan`` plans only a route as ``route`` gives it: a string (read as its
    characters before), a list, an empty tuple, a route running downward or sideways at the
    top, one naming an authority twice or ending elsewhere than at the campaign's top are
    refused, saying where (not the scope: a route stored under an earlier revision still
    plans); a good route's plan is made once and cached."""
    run = _run()
    for bad, zh in [
        ("130100", "非空元组"),
        (["130100", "130000"], "非空元组"),
        ((), "非空元组"),
        (("130000", "130100"), "route[0]：河北省在推荐路线中的位置不对"),
        (("130100", "130000", "130000"), "route[1]：河北省在推荐路线中的位置不对"),
        (("130100", "130600", "130100", "130000"), "route[2]：石家庄市在推荐路线中的位置不对"),
        (("130100",), "route[0]：石家庄市在推荐路线中的位置不对"),
        (("370100", "370000"), "route[1]：山东省在推荐路线中的位置不对"),
        (("130100", "370000"), "route[1]：山东省在推荐路线中的位置不对"),
        (("130100", 130000), "文本"),
    ]:
        with pytest.raises(pf.InvalidInput) as raised:
            run.workflow.plan(bad)  # type: ignore[arg-type]
        assert zh in raised.value.zh, bad
    assert not run.workflow.plans
    plan = run.workflow.plan(("130100", "130000"))
    assert ("130100", "130000") == plan.route
    assert plan is run.workflow.plan(("130100", "130000"))
    assert plan is run.workflow.plan(run.workflow.route("130100"))


def test_a_scoped_campaign_built_in_code_finds_the_authorities_on_its_routes() -> None:
    """A campaign built in code (here Guangdong's, without the ``routed`` set the file reader
    finds) had no authority above its scope taking part: 广东省's quota and selection were
    refused as outside the scope. The run finds the same authorities as the reader from its
    own graph, and a campaign read from a file keeps the reader's set."""
    read = pf.load_campaign("intelligent-manufacturing-guangdong-2022")
    built = attrs.evolve(read, routed=frozenset())
    run = pf.CampaignRun(built, lists=pf.empty_lists(built))
    assert run.campaign.routed == read.routed
    assert run.quota("440000")
    assert run.select(pf.Actor("440000", "industry", "c"), "scene", dry_run=True).ranked == ()
    with pytest.raises(pf.InvalidInput) as raised:
        run.quota("440300")
    assert "深圳市不在本次遴选的范围内" in raised.value.zh
    assert pf.CampaignRun(read, lists=pf.empty_lists(read)).campaign is read


def test_a_campaign_built_in_code_with_a_route_that_breaks_still_runs() -> None:
    """A province's campaign built in code whose scope takes in 深圳市 (a 计划单列市, whose
    route never reaches the province) runs, as before the run found its routes: the cities
    that route take part, and only a route from 深圳市 is refused, saying why; a campaign
    without levels runs with no authority on its routes (it raised a raw IndexError)."""
    read = pf.load_campaign("intelligent-manufacturing-guangdong-2022")
    levels = tuple(level for level in read.levels if level.code != "ministry")
    built = attrs.evolve(read, routed=frozenset(), levels=levels, top="440000",
                         scope=Selector(within=frozenset({"440000"})))  # fmt: skip
    run = pf.CampaignRun(built, lists=pf.empty_lists(built))
    assert {"440000", "440100"} <= run.campaign.routed
    assert "440300" not in run.campaign.routed
    assert ("440100", "440000") == run.workflow.route("440100")
    with pytest.raises(pf.GraphError):
        run.workflow.route("440300")
    assert not pf.CampaignRun(attrs.evolve(built, levels=()), lists=pf.empty_lists(built)).campaign.routed


def test_letters_selections_and_listings_refuse_an_authority_outside_the_scope(tmp_path: Path) -> None:
    """What an authority of its own drafts, selects or is listed by — ``select`` (a dry run
    showed 济南市 an empty selection), ``select_many``, ``rank``, ``prepare_submission`` (it
    blamed the unit for not being in review at 济南市), ``letter_materials`` (the letter
    济南市 would send to 河北省), ``nominations(holder=)``, ``submissions(sender=,
    receiver=)``, the summary table and its workbook — refuse an authority outside the
    campaign's scope by name, and change nothing; a Hebei city's go ahead."""
    run = _run()
    n = _nominate(run, "130100", "130100")
    jinan = pf.Actor("370100", "industry", "clerk")
    refused = [
        lambda: run.select(jinan, "platform", dry_run=True),
        lambda: run.select(jinan, "platform"),
        lambda: run.select_many([pf.Actor("130100", "industry", "c"), jinan], "platform"),
        lambda: run.rank("370100", "platform"),
        lambda: run.prepare_submission(jinan, [n]),
        lambda: run.letter_materials("370100", "130000"),
        lambda: run.letter_materials("130100", "370000"),
        lambda: run.nominations(holder="371000"),
        lambda: run.submissions(sender="370100"),
        lambda: run.submissions(receiver="370000"),
        lambda: summary_table(run, "370100"),
        lambda: write_summary(run, "371000", tmp_path / "summary.xlsx"),
    ]
    before = len(run.events())
    for call in refused:
        with pytest.raises(pf.InvalidInput) as raised:
            call()
        assert "不在本次遴选的范围内" in raised.value.zh
        assert "370100" not in raised.value.zh
        assert "371000" not in raised.value.zh
    assert before == len(run.events())
    assert not run.submissions()
    assert not list(tmp_path.iterdir())
    clerk = pf.Actor("130100", "industry", "clerk")
    assert run.select(clerk, "platform", dry_run=True).ranked
    assert (n.id,) == run.prepare_submission(clerk, [n]).units
    assert run.letter_materials("130100", "130000") == run.letter_materials("130600", "130000")
    assert [n.id] == [x.id for x in run.nominations(holder="130100")]


def test_the_top_as_an_origin_is_refused_by_name() -> None:
    """A nomination may not start at the top; the refusal names 河北省 in Chinese (it began
    with the bare code 130000)."""
    run = _run()
    with pytest.raises(pf.InvalidInput) as raised:
        _nominate(run, "130100", "130000")
    assert "河北省为本次遴选的最高一级机关" in raised.value.zh
    assert "130000" not in raised.value.zh
    assert "130000 (河北省) is the top" in raised.value.en


def test_the_authorities_on_the_routes_from_the_scope_take_part() -> None:
    """In Guangdong's campaign (scope: Guangdong's prefectures, top: the ministry) 广东省 lies
    on every route: its quota, route, selection and listings are given as before the scope
    was checked (its quota was refused as outside the scope), while 深圳市 (a 计划单列市 the
    scope leaves out) is refused, and a nomination may still not start at 广东省."""
    campaign = pf.load_campaign("intelligent-manufacturing-guangdong-2022")
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign))
    assert "440000" in campaign.routed
    assert "440300" not in campaign.routed
    assert run.quota("440000")
    assert ("440000", "MIN") == run.workflow.route("440000")
    assert not run.nominations(holder="440000")
    assert run.select(pf.Actor("440000", "industry", "c"), "scene", dry_run=True).ranked == ()
    with pytest.raises(pf.InvalidInput) as raised:
        run.quota("440300")
    assert "深圳市不在本次遴选的范围内" in raised.value.zh
    code = make_code("91440000", "MA3C5CJX")
    with pytest.raises(pf.InvalidInput) as raised:
        run.nominate(
            pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某企业", unit_type="scene",
            scenario=next(iter(campaign.scenarios), ""), origin="440000", project="某项目",
        )  # fmt: skip
    assert "广东省不在本次遴选的范围内" in raised.value.zh


def test_added_authorities_recommend() -> None:
    """雄安新区, which GB/T 2260 lacks, takes the units of the three counties it admits; 定州,
    restated as a city-level recommender, reports straight to the province."""
    run = _run()
    assert ("133100", "130000") == _nominate(run, "130638", "133100").route  # a unit of 雄县
    assert ("130682", "130000") == _nominate(run, "130682", "130682").route
    assert "new_area" == run.graph["133100"].kind
    assert ("industry",) == run.graph["133100"].departments


@pytest.mark.parametrize(
    ("entry", "path", "zh"),
    [
        (
            '{code: "130600", name: 保定市, kind: prefecture, level: city, parent: "130000"}',
            "authorities[0].code",
            "已在机关关系图中",
        ),
        (
            '{code: "133100", name: 雄安, kind: newarea, level: city, parent: "130000"}',
            "authorities[0].kind",
            "机关类别",
        ),
        (
            '{code: "133100", name: 雄安, kind: new_area, level: city, parent: "139999"}',
            "authorities[0].parent",
            "未知的机关代码",
        ),
        (
            '{code: "133199", name: 无, kind: new_area, level: city, parent: "130000", replaces: true}',
            "authorities[0].code",
            "无从替换",
        ),
        (
            '{code: "133100", name: 雄安, kind: new_area, level: province, parent: "130000"}',
            "authorities",
            "层级",
        ),
        (
            '{code: "' + "X" * 30 + '", name: 雄安, kind: new_area, level: city, parent: "130000"}',
            "authorities[0].code",
            "新增机关的代码",
        ),
    ],
)
def test_a_wrong_added_authority_is_refused_at_its_path(entry: str, path: str, zh: str) -> None:
    """An added authority must be new (or say it replaces one), of a known kind and level,
    under a known parent of a higher level; a mistake is refused with its key path."""
    text = PROVINCE_TOP.replace(
        PROVINCE_TOP[PROVINCE_TOP.index("authorities:") : PROVINCE_TOP.index("quotas:")],
        f"authorities:\n  - {entry}\n",
    )
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text, source="hebei.yaml")
    assert path == raised.value.path
    assert zh in raised.value.zh


def test_an_added_authority_needs_someone_to_act() -> None:
    """Where ``acting`` rules do not reach an added authority and it names no departments,
    the file is refused: nobody could stamp there."""
    text = PROVINCE_TOP.replace(
        'acting: {"*": [industry]}', "acting: [{at: {levels: [province]}, review: [industry]}]"
    )
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text, source="hebei.yaml")
    assert "authorities[0]" == raised.value.path
    assert "履职部门" in raised.value.zh


def test_the_corps_cities_recommend_through_xpcc() -> None:
    """In the 2023 campaign 石河子市 and the other Corps cities (6590xx) recommend through
    XPCC and count against its quota (2/4/2/2), not Xinjiang's (3/8/3/3)."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    graph = pf.AuthorityGraph.bundled()
    route = graph.route("659001", campaign)
    assert ("659001", "XPCC", "MIN") == route
    rule = campaign.quota_rule(graph["XPCC"])
    assert rule is not None
    assert 4 == rule.limits["street_town"]


def test_a_scope_with_no_authority_is_refused() -> None:
    """A scope in which no nomination could start (Beijing, in a campaign of Hebei's cities
    that names Hebei's authorities) is refused at ``scope`` instead of loading a campaign
    that refuses every filing."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(PROVINCE_TOP.replace('scope: {within: ["130000"]}', "scope: {kinds: [association]}"))
    assert "scope" == raised.value.path
    assert "没有任何可受理申报的机关" in raised.value.zh


def test_in_format_2_every_authority_on_a_route_has_someone_to_act() -> None:
    """A format-2 file whose ``acting`` rules leave out an authority its routes pass (the
    province here) is refused at ``acting``: the graph's own departments are not the
    campaign's."""
    text = "format: 2\n" + PROVINCE_TOP.replace(
        'acting: {"*": [industry]}', "acting: [{at: {levels: [city]}, review: [industry]}]"
    )
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text)
    assert "acting" == raised.value.path
    assert "河北省" in raised.value.zh


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ('entry:\n  - at: {codes: ["130000"]}\n    lists: [provincial]\n', "entry[0].at"),
        ('entry:\n  - at: {codes: ["370000"]}\n    lists: [provincial]\n', "entry[0].at"),
        ('checks:\n  - {name: top, at: {codes: ["130000"]}, on_site: {}}\n', "checks[0].at"),
    ],
)
def test_rules_that_could_never_apply_are_refused(extra: str, path: str) -> None:
    """An entry point at the top or outside the scope, and an on-site check rule at the top
    (whose checks are its spot checks), could never apply: the file is refused at the rule."""
    text = PROVINCE_TOP.replace(
        "quotas:",
        "lists:\n  provincial: {en: provincial units, zh: 省属单位, kind: tag}\n" + extra + "quotas:",
    )
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text)
    assert path == raised.value.path


def test_qualified_names_take_an_authority() -> None:
    """``AuthorityGraph.qualified`` names an authority after the one it lies in, and refuses
    anything but an Authority with an InvalidInput."""
    graph = pf.AuthorityGraph.bundled()
    assert "济南市市中区" == graph.qualified(graph["370103"])
    assert "山东省" == graph.qualified(graph["370000"])
    with pytest.raises(pf.InvalidInput):
        graph.qualified("370103")  # type: ignore[arg-type]


def test_the_top_of_a_province_campaign_draws_its_spot_checks() -> None:
    """In a province's own campaign with spot checks the province is the top that draws
    them: named units and a share of the reviewed ones, as the ministry does in a national
    campaign (not refused as an authority below the top holding no check rule)."""
    text = PROVINCE_TOP.replace(
        "quotas:", "ministry: {combine: mean, pass_score: 60, min_experts: 1, spot_check_rate: 1.0}\nquotas:"
    )
    run = _run(text)
    province = pf.Actor("130000", "industry", "p")
    clerk = pf.Actor("130600", "industry", "clerk")
    drawn = []
    for body in ("MA3C5CJX", "MA3C5CJY"):
        code = make_code("91130600", body)
        n = run.nominate(
            pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某平台", unit_type="platform",
            scenario="general", origin="130600",
        )  # fmt: skip
        run.stamp(clerk, n.id)
        run.recommend(clerk, n.id)
        run.score(province, n.id, score=80, opinion="符合要求")
        run.conclude_review(province, n.id)
        drawn.append(n.id)
    assert (drawn[0],) == run.draw_spot_checks(province, nominations=[drawn[0]])
    assert (drawn[1],) == run.draw_spot_checks(province)


def test_a_route_stored_under_an_earlier_revision_still_plans() -> None:
    """A nomination filed under one revision of a campaign, read under a revision without the
    district level, is still swept (lapsed at its deadline) and its position is read: the
    route checks of ``Workflow.plan`` are for routes a caller gives, never for stored ones
    (one such route stopped the whole deadline sweep)."""
    import re
    from importlib import resources

    from pilotflow.codes import make_code

    text = resources.files("pilotflow").joinpath(
        "data", "campaigns", "smart-health-elderly-care-2023.yaml").read_text("utf-8")  # fmt: skip
    first = parse_campaign(text, source="rev1.yaml")
    run = pf.CampaignRun(first, lists=pf.empty_lists(first),
                         clock=pf.FixedClock(datetime(2023, 10, 10, 9, tzinfo=SHANGHAI)))  # fmt: skip
    code = make_code("91371002", "MA3C5CJX")
    scenario = next(iter(first.scenarios))
    n = run.nominate(pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某企业",
                     unit_type="enterprise", scenario=scenario, origin="371002")  # fmt: skip
    second_text = text.replace("  - {code: district, en: district / county level, zh: 区县级}\n", "")
    second_text = re.sub(r"  - name: weihai_districts_to_weihai\n(    .*\n|      .*\n)+", "", second_text)
    second = parse_campaign(second_text, source="rev2.yaml")
    assert "district" not in second.level_codes
    later = pf.CampaignRun(second, lists=pf.empty_lists(second), store=run.store,
                           clock=pf.FixedClock(datetime(2023, 12, 30, 9, tzinfo=SHANGHAI)))  # fmt: skip
    assert (n.id,) == later.tick()
    assert "lapsed" == later.position(n.id).state


def test_a_reporting_rule_sending_a_route_down_is_refused_when_the_file_is_read() -> None:
    """A reporting rule that sends the province's nominations to a lower level (河北省 →
    大连市, a city) made a route no nomination could take: the file loaded, and the first
    nomination was refused for its route. The reader now refuses the file at the rule's
    ``to``, naming the route in both languages, the Chinese by names (codes only in
    parentheses); the same campaign with the rule pointing up loads."""
    down = PROVINCE_TOP.replace("hops:", 'reporting: [{sender: {codes: ["130000"]}, to: "210200"}]\nhops:')
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(down.replace("levels: [city, province]", "levels: [city, province, ministry]")
                       .replace('scope: {within: ["130000"]}', 'scope: {within: ["130000", "210200"]}'),
                       source="hebei.yaml")  # fmt: skip
    error = raised.value
    assert "reporting[0].to" == error.path
    assert "goes down from 130000 to 210200" in error.problem
    assert "河北省（130000）报往较低层级的大连市（210200）" in error.zh
    assert "市级、省级、部级" in error.zh
    up = PROVINCE_TOP.replace("hops:", 'reporting: [{sender: {codes: ["130600"]}, to: "130000"}]\nhops:')
    assert parse_campaign(up, source="hebei.yaml").reporting  # (the same rule pointing up loads)


def test_the_rule_that_sent_a_route_down_is_the_one_refused() -> None:
    """Two rules send authorities to 大连市: a city's sideways (harmless) first, then the
    province's, which sends its routes down. The refusal names the second, the rule the
    route took (it named the first rule with that ``to``)."""
    rules = '[{sender: {codes: ["130600"]}, to: "210200"}, {sender: {codes: ["130000"]}, to: "210200"}]'
    text = (PROVINCE_TOP.replace("hops:", f"reporting: {rules}\nhops:")
            .replace("levels: [city, province]", "levels: [city, province, ministry]")
            .replace('scope: {within: ["130000"]}', 'scope: {within: ["130000", "210200"]}'))  # fmt: skip
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(text, source="hebei.yaml")
    assert "reporting[1].to" == raised.value.path


def test_a_route_out_of_place_is_told_with_the_campaign_s_own_level_names() -> None:
    """A route plan refused for its shape names the campaign's levels as its file names them
    (地市 and 省 here), not the authority graph's generic names."""
    levels = "levels: [{code: city, en: prefecture, zh: 地市}, {code: province, en: province, zh: 省}]"
    own = PROVINCE_TOP.replace("levels: [city, province]", levels)
    run = _run(own)
    with pytest.raises(pf.InvalidInput) as raised:
        run.workflow.plan(("130000", "130100"))
    assert "（地市、省）" in raised.value.zh
    assert "市级" not in raised.value.zh
    assert "(city, province)" in raised.value.en


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda c, a: c.in_scope("110101"), "authority"),
        (lambda c, a: c.takes_part(None), "authority"),
        (lambda c, a: c.acting_at(110101), "authority"),
        (lambda c, a: c.quota_rule("370502"), "recommender"),
        (lambda c, a: c.group_rules({"code": "370502"}), "recommender"),
        (lambda c, a: c.hop_rule(a, "370500"), "receiver"),
        (lambda c, a: c.hop_rule("370502", a), "sender"),
        (lambda c, a: c.check_rule("370502", "main"), "holder"),
        (lambda c, a: c.reports_to("659001"), "sender"),
        (lambda c, a: c.reporting_rule(a, "base"), "unit"),
        (lambda c, a: c.may_start_at(a, {"unit_type": "base"}), "unit"),
        (lambda c, a: c.routing("base"), "unit"),
        (lambda c, a: c.routing(None, noted=()), "noted"),
    ],
)
def test_a_campaigns_questions_refuse_what_is_not_an_authority_or_a_unit(
    call: object, argument: str, campaign: pf.Campaign, graph: pf.AuthorityGraph
) -> None:
    """A campaign's questions about an authority (scope, acting, quota, hop, check and
    reporting rules) or a unit refuse a code given as text, or anything else that is not an
    authority or ``UnitFacts``, naming the argument in English and Chinese, instead of failing
    on a missing attribute inside a rule."""
    with pytest.raises(pf.InvalidInput, match=f"^{argument} must be") as caught:
        call(campaign, graph["659001"])  # type: ignore[operator]
    assert caught.value.zh.startswith(argument)


def test_a_routing_notes_the_reporting_rules_its_route_takes(campaign: pf.Campaign) -> None:
    """``campaign.routing(unit, noted=[...])`` appends (rule index, sender) for each
    reporting rule a route takes, in the order the walk applies them, and nothing for a
    route the graph alone gives; the route is the same as without noting."""
    graph = pf.AuthorityGraph.bundled().with_authorities(campaign.authorities)
    used: list[tuple[int, str]] = []
    assert ("659001", "XPCC", "MIN") == graph.route("659001", campaign.routing(None, noted=used))
    assert [(0, "659001")] == used
    assert graph.route("659001", campaign.routing(None)) == ("659001", "XPCC", "MIN")
    plain: list[tuple[int, str]] = []
    assert ("110101", "110000", "MIN") == graph.route("110101", campaign.routing(None, noted=plain))
    assert [] == plain
