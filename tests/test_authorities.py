"""The authority graph (``pilotflow.authorities``): who reports to whom, with which departments.

Pins the bundled graph's facts (GB/T 2260 divisions, the 计划单列市, XPCC, central enterprises,
Weihai's development zones and 南海新区), the routes walked up it, and how an inconsistent
graph is refused (GraphError naming the problem).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest

import pilotflow as pf
from pilotflow.authorities import DEFAULT_DEPARTMENTS

THREE = ("industry", "civil_affairs", "health")
LEVELS = ("district", "city", "province", "ministry")
PLANNED_CITIES = {"210200": "大连市", "330200": "宁波市", "350200": "厦门市",
                  "370200": "青岛市", "440300": "深圳市"}  # fmt: skip


class Routing:
    """A stand-in for a campaign's routing: its levels and reporting overrides."""

    def __init__(self, levels: Iterable[str] = LEVELS, overrides: dict[str, str] | None = None):
        self.level_codes = tuple(levels)
        self._overrides = overrides or {}

    def reports_to(self, sender: pf.Authority) -> str | None:
        return self._overrides.get(sender.code)


def auth(code: str, level: str, parent: str | None, **kw: object) -> pf.Authority:
    kinds = {"ministry": "ministry", "province": "province", "city": "prefecture"}
    kind = kw.pop("kind", kinds.get(level, "county"))
    return pf.Authority(code, f"机关{code}", level, kind, parent, **kw)  # type: ignore[arg-type]


def small() -> list[pf.Authority]:
    """A valid little tree: ministry ← province ← city ← district."""
    return [
        auth("M", "ministry", None),
        auth("P", "province", "M"),
        auth("C", "city", "P"),
        auth("D", "district", "C"),
    ]


# -- the bundled graph -------------------------------------------------------------------------


def test_the_ministry_level_is_the_single_top(graph: pf.AuthorityGraph) -> None:
    """The three ministries acting jointly are the top of the graph, with three departments."""
    top = graph.top
    assert ("MIN", "ministry", None) == (top.code, top.level, top.parent)
    assert THREE == top.departments


def test_every_division_of_gb2260_is_present(graph: pf.AuthorityGraph) -> None:
    """34 province-level and 333 prefecture-level divisions (GB/T 2260, MCA 2020-12)."""
    provinces = [a for a in graph if a.level == "province" and a.code.isdigit()]
    prefectures = [a for a in graph if a.level == "city"]
    assert 34 == len(provinces)
    assert 333 == len(prefectures)
    assert 2800 < sum(1 for a in graph if a.kind == "county") < 3000


@pytest.mark.parametrize(("code", "name"), sorted(PLANNED_CITIES.items()))
def test_separately_planned_cities_report_to_the_ministry(
    graph: pf.AuthorityGraph, code: str, name: str
) -> None:
    """The five 计划单列市 report straight to the ministry, while lying in their province."""
    city = graph[code]
    assert (name, "city", "separately_planned_city", "MIN") == (
        city.name, city.level, city.kind, city.parent,
    )  # fmt: skip
    assert code[:2] + "0000" == city.admin_parent
    assert {code[:2] + "0000", "MIN"} == set(city.ancestors)
    assert city not in graph.children(code[:2] + "0000")
    assert city in graph.children("MIN")


def test_qingdao_lies_in_shandong_but_is_not_one_of_its_cities(graph: pf.AuthorityGraph) -> None:
    """Qingdao's districts lie within Shandong (for ``within`` selectors) yet report up
    through Qingdao to the ministry."""
    shandong_cities = {a.code for a in graph.children("370000")}
    assert "370200" not in shandong_cities
    assert {"370100", "370300", "370600", "370700", "370800", "371000"} <= shandong_cities
    assert 15 == len(shandong_cities)  # 16 prefecture-level cities, less Qingdao
    huangdao = graph["370211"]
    assert "370200" == huangdao.parent
    assert {"370200", "370000", "MIN"} == set(huangdao.ancestors)


def test_xpcc_and_central_enterprises_report_to_the_ministry(graph: pf.AuthorityGraph) -> None:
    """XPCC (three departments) and each central enterprise (its headquarters alone) report
    straight to the ministry."""
    xpcc = graph["XPCC"]
    assert ("新疆生产建设兵团", "xpcc", "MIN", THREE) == (
        xpcc.name, xpcc.kind, xpcc.parent, xpcc.departments,
    )  # fmt: skip
    enterprises = [a for a in graph if a.kind == "central_enterprise"]
    assert enterprises
    for ce in enterprises:
        assert ("MIN", ("hq",)) == (ce.parent, ce.departments)
        assert ce.code.startswith("CE-")


def test_municipalities_have_no_city_tier(graph: pf.AuthorityGraph) -> None:
    """Beijing, Tianjin, Shanghai and Chongqing: their districts report to the municipality."""
    for code in ("110000", "120000", "310000", "500000"):
        municipality = graph[code]
        assert ("municipality", "province", "MIN") == (
            municipality.kind, municipality.level, municipality.parent,
        )  # fmt: skip
        children = graph.children(code)
        assert children
        assert {"district"} == {c.level for c in children}
    assert "110000" == graph["110101"].parent


def test_weihai_sends_its_notice_to_districts_zones_and_nanhai(graph: pf.AuthorityGraph) -> None:
    """Weihai's district tier: its districts and county-level cities, its three national
    development zones and 南海新区, all district-level authorities under Weihai."""
    children = {a.code: a for a in graph.children("371000")}
    assert {"371002", "371003", "371082", "371083", "371071", "371072", "371073",
            "371000-NH"} == set(children)  # fmt: skip
    assert {"district"} == {a.level for a in children.values()}
    assert "development_zone" == children["371071"].kind
    assert "威海南海新区" == children["371000-NH"].name
    assert THREE == children["371000-NH"].departments


def test_province_administered_county_level_cities_report_to_the_province(
    graph: pf.AuthorityGraph,
) -> None:
    """济源市 (Henan) and 五指山市 (Hainan) have no prefecture: they report to the province."""
    assert "410000" == graph["419001"].parent
    assert "460000" == graph["469001"].parent
    assert "district" == graph["419001"].level


def test_kinds_of_province_level_divisions(graph: pf.AuthorityGraph) -> None:
    """Provinces, autonomous regions, municipalities and SARs are told apart."""
    assert "province" == graph["370000"].kind
    assert "autonomous_region" == graph["650000"].kind
    assert "municipality" == graph["310000"].kind
    assert "special_administrative_region" == graph["810000"].kind


def test_local_authorities_act_through_three_departments(graph: pf.AuthorityGraph) -> None:
    """Every local authority recommends jointly through industry, civil affairs and health."""
    assert THREE == DEFAULT_DEPARTMENTS
    for code in ("371002", "371000", "370000", "370200", "110000", "371071"):
        assert THREE == graph[code].departments


def test_unknown_codes_raise_unknown_authority(graph: pf.AuthorityGraph) -> None:
    """A code the graph does not hold raises UnknownAuthority naming it; ``in`` says no."""
    with pytest.raises(pf.UnknownAuthority) as raised:
        graph["999999"]
    assert "999999" == raised.value.code
    assert "999999" not in graph
    assert None not in graph
    with pytest.raises(pf.UnknownAuthority):
        graph.children("999999")


def test_check_department(graph: pf.AuthorityGraph) -> None:
    """check_department accepts the authority's departments and names the bad one otherwise."""
    graph["371002"].check_department("health")
    with pytest.raises(pf.UnknownDepartment) as raised:
        graph["371002"].check_department("hq")
    assert ("371002", "hq") == (raised.value.authority, raised.value.department)
    assert "industry" in raised.value.en
    with pytest.raises(pf.UnknownDepartment):
        graph["CE-CEC"].check_department("industry")


def test_an_unknown_department_without_names_shows_no_codes_in_chinese(graph: pf.AuthorityGraph) -> None:
    """Called without the departments' Chinese names, ``check_department``'s Chinese text
    does not list the authority's departments by their codes (it listed ``industry、health``);
    given every name, it lists them by name."""
    with pytest.raises(pf.UnknownDepartment) as raised:
        graph["371002"].check_department("hq")
    known = graph["371002"].departments
    assert not any(code in raised.value.zh for code in known), raised.value.zh
    assert "参与部门：" not in raised.value.zh
    names = {code: f"第{n}部门" for n, code in enumerate(known, 1)}
    with pytest.raises(pf.UnknownDepartment) as raised:
        graph["371002"].check_department("hq", names)
    assert f"参与部门：{'、'.join(names.values())}" in raised.value.zh
    assert not any(code in raised.value.zh for code in known)


def test_find_by_chinese_name(graph: pf.AuthorityGraph) -> None:
    """find() resolves an unambiguous Chinese name; an ambiguous or unknown one is refused."""
    assert "370200" == graph.find("青岛市").code
    assert "371000-NH" == graph.find("威海南海新区").code
    with pytest.raises(pf.UnknownAuthority):
        graph.find("朝阳区")  # in Beijing and in Changchun
    with pytest.raises(pf.UnknownAuthority):
        graph.find("不存在市")


def test_the_graph_view_is_read_only(graph: pf.AuthorityGraph) -> None:
    """The networkx view cannot be used to change the graph."""
    view = graph.graph
    assert view.has_edge("370200", "MIN")
    with pytest.raises(Exception):  # noqa: B017, PT011 - networkx raises NetworkXError
        view.add_edge("370200", "370000")
    assert "MIN" == graph["370200"].parent


# -- routes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("371002", ("371002", "371000", "370000", "MIN")),
        ("371071", ("371071", "371000", "370000", "MIN")),
        ("371000-NH", ("371000-NH", "371000", "370000", "MIN")),
        ("370211", ("370211", "370200", "MIN")),
        ("440305", ("440305", "440300", "MIN")),
        ("110101", ("110101", "110000", "MIN")),
        ("419001", ("419001", "410000", "MIN")),
        ("371000", ("371000", "370000", "MIN")),
        ("XPCC", ("XPCC", "MIN")),
        ("CE-CHINAMOBILE", ("CE-CHINAMOBILE", "MIN")),
        ("MIN", ("MIN",)),
    ],
)
def test_routes_walk_up_the_graph(
    graph: pf.AuthorityGraph, campaign: pf.Campaign, origin: str, expected: tuple[str, ...]
) -> None:
    """The route is walked up the graph from the origin to the ministry."""
    assert expected == graph.route(origin, campaign)


def test_levels_a_campaign_does_not_use_are_passed_over(graph: pf.AuthorityGraph) -> None:
    """A campaign without a city tier sends a district straight to its province."""
    routing = Routing(levels=("district", "province", "ministry"))
    assert ("371002", "370000", "MIN") == graph.route("371002", routing)


def test_an_origin_at_an_unused_level_is_refused(graph: pf.AuthorityGraph) -> None:
    """Filing at a level the campaign does not use is a GraphError naming the level."""
    with pytest.raises(pf.GraphError) as raised:
        graph.route("371002", Routing(levels=("city", "province", "ministry")))
    assert "district" in raised.value.en


def test_a_reporting_override_redirects_the_route(graph: pf.AuthorityGraph) -> None:
    """A campaign may send an authority elsewhere than its graph parent."""
    routing = Routing(overrides={"371000": "MIN"})
    assert ("371002", "371000", "MIN") == graph.route("371002", routing)


def test_a_looping_override_is_refused(graph: pf.AuthorityGraph) -> None:
    """Overrides that send a route back where it came from are a GraphError, not a hang."""
    routing = Routing(overrides={"370000": "371000"})
    with pytest.raises(pf.GraphError) as raised:
        graph.route("371002", routing)
    assert "loop" in raised.value.en


def test_with_authorities_adds_a_central_enterprise(graph: pf.AuthorityGraph) -> None:
    """A deployment adds its own central enterprise; the bundled graph is left unchanged."""
    extra = pf.Authority("CE-TEST", "测试集团", "province", "central_enterprise", "MIN",
                         departments=("hq",))  # fmt: skip
    bigger = graph.with_authorities([extra])

    assert ("CE-TEST", "MIN") == bigger.route("CE-TEST", Routing())
    assert "CE-TEST" not in graph
    assert len(graph) + 1 == len(bigger)
    assert graph is pf.AuthorityGraph.bundled()


# -- an inconsistent graph is refused ------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorities", "words"),
    [
        pytest.param([*small(), auth("D", "district", "C")], "duplicate", id="duplicate-code"),
        pytest.param([*small(), auth("X", "county", "C", kind="county")], "level",
                     id="unknown-level"),
        pytest.param([*small(), auth("X", "district", "C", kind="village")], "kind",
                     id="unknown-kind"),
        pytest.param([*small(), auth("X", "district", "C", departments=())], "departments",
                     id="no-departments"),
        pytest.param([*small(), auth("X", "district", "NOPE")], "orphan", id="orphan"),
        pytest.param([*small(), auth("X", "district", "C", admin_parent="NOPE")], "orphan",
                     id="orphan-admin-parent"),
        pytest.param([*small(), auth("M2", "ministry", None)], "exactly one top",
                     id="two-tops"),
        pytest.param([auth("M", "ministry", "P"), *small()[1:]], "top", id="no-top"),
        pytest.param([*small(), auth("X", "city", "D")], "not a higher level",
                     id="reports-to-a-lower-level"),
        pytest.param([*small(), auth("X", "city", "P2"), auth("P2", "province", "X")],
                     "cycle", id="cycle"),
    ],
)  # fmt: skip
def test_an_inconsistent_graph_is_refused(authorities: list[pf.Authority], words: str) -> None:
    """Construction checks: unique codes, known levels and kinds, departments, no orphans,
    exactly one top, no cycles, levels rising along edges — each refused as GraphError."""
    with pytest.raises(pf.GraphError) as raised:
        pf.AuthorityGraph(authorities)
    assert words in raised.value.en
    assert raised.value.zh != raised.value.en


def test_a_consistent_small_graph_routes(campaign: pf.Campaign) -> None:
    """A hand-built tree is accepted and routes bottom to top."""
    g = pf.AuthorityGraph(small())
    assert ("D", "C", "P", "M") == g.route("D", Routing())
    assert {"C", "P", "M"} == set(g["D"].ancestors)


def _bare(zh: str, codes: Iterable[str]) -> set[str]:
    """The ``codes`` that ``zh`` shows outside parentheses (a code is shown only after a name)."""
    outside = re.sub(r"（[^（）]*(?:（[^（）]*）[^（）]*)*）", "", zh)
    return {c for c in codes if c in outside}


ROUTE_CODES = ("371002", "371000", "370000", "MIN", *LEVELS)


def test_a_route_refused_names_its_authorities_and_levels_in_chinese(graph: pf.AuthorityGraph) -> None:
    """Each refusal of a route (an origin at a level the campaign does not use, a route that
    stops short of the top, one that loops, one sent to an authority the graph lacks) names
    in Chinese the authorities by their names and the levels by theirs (区县级, 市级...),
    each code only in parentheses after its name."""
    campaign = pf.load_campaign("hebei-sme-service-platforms-2020")
    cases: dict[str, tuple[Callable[[], object], tuple[str, ...]]] = {
        "unused level": (
            lambda: graph.route("371002", campaign),
            ("环翠区（371002）", "区县级", "市级、省级"),
        ),
        "stops short": (
            lambda: graph.route("371002", Routing(("district", "city", "province"), {"371000": "MIN"})),
            ("环翠区（371002）", "（MIN）中断", "省级"),
        ),
        "loops": (
            lambda: graph.route("371002", Routing(overrides={"370000": "371000"})),
            ("环翠区（371002）", "威海市（371000）形成循环"),
        ),
        "unknown authority": (
            lambda: graph.route("371002", Routing(overrides={"371000": "XYZ"})),
            ("环翠区（371002）", "威海市（371000）报往", "代码 'XYZ'"),  # no name: labelled a code
        ),
    }
    for what, (call, said) in cases.items():
        with pytest.raises(pf.InvalidInput) as raised:
            call()
        zh = raised.value.zh
        assert set() == _bare(zh, ROUTE_CODES), (what, zh)
        for text in said:
            assert text in zh, (what, zh)
