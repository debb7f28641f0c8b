"""Which departments act where is the campaign's to say (its ``acting`` key), not a constant
in code: a campaign run by one department needs one stamp, a department the campaign declares
may act, and the key is checked at load like every other."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

import pilotflow as pf
from pilotflow.campaign_file import parse_campaign
from pilotflow.codes import make_code
from pilotflow.samples import every_material
from test_campaign_file import BUNDLED_YAML

from conftest import attach_letter

SHANGHAI = ZoneInfo("Asia/Shanghai")
DISTRICT = "371002"


def _with_acting(acting: str, departments: str | None = None) -> str:
    """The bundled campaign's text with its ``acting`` key (and, if given, its
    ``departments``) replaced."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^acting:\n(  .*\n)+", acting, text)
    if departments is not None:
        text = re.sub(r"(?m)^departments:\n(  .*\n)+", departments, text)
    return text


ONE_DEPARTMENT = _with_acting(
    'acting:\n  "*": [development_reform]\n',
    "departments:\n  development_reform: {en: development and reform, zh: 发展改革}\n",
)


def _run(campaign: pf.Campaign) -> pf.CampaignRun:
    clock = pf.FixedClock(datetime(2023, 10, 17, 9, tzinfo=SHANGHAI))
    return pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)


def test_the_bundled_campaign_names_who_acts_where() -> None:
    """The 2023 campaign says the three departments act at every authority and a central
    enterprise acts through its headquarters; a run's graph has exactly those."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    graph = pf.AuthorityGraph.bundled()
    three = ("industry", "civil_affairs", "health")
    assert (three, three) == (
        campaign.acting_at(graph["370000"]).review,
        campaign.acting_at(graph["370000"]).stamp,
    )
    assert ("hq",) == campaign.acting_at(graph["CE-CEC"]).stamp
    run = _run(campaign)
    assert ("industry", "civil_affairs", "health") == run.graph["370000"].departments
    assert ("hq",) == run.graph["CE-CEC"].departments


def test_a_one_department_campaign_needs_one_stamp() -> None:
    """In a campaign run by one department (发展改革), its clerk's stamp completes the joint
    stamp and the holder recommends; a department of another campaign is unknown here."""
    campaign = parse_campaign(ONE_DEPARTMENT, source="one-department.yaml")
    run = _run(campaign)
    code = make_code("91371002", "MA3C5CJX")
    n = run.nominate(
        pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某单位", unit_type="enterprise",
        scenario="medical_elderly_care_integration", origin=DISTRICT, materials=every_material(campaign),
    )  # fmt: skip
    clerk = pf.Actor(DISTRICT, "development_reform", "clerk")

    attach_letter(run, n.id)
    run.stamp(clerk, n.id)
    letter = run.carrying(n.id)
    assert letter is not None
    assert ("development_reform",) == letter.stamps
    assert "371000" == run.recommend(clerk, n.id).holder
    with pytest.raises(pf.UnknownDepartment):
        run.stamp(pf.Actor("371000", "industry", "clerk"), n.id)


def test_the_graphs_of_one_campaign_are_built_once() -> None:
    """A run per request (a web backend) reuses the graph built for the campaign's departments."""
    campaign = parse_campaign(ONE_DEPARTMENT, source="one-department.yaml")
    assert _run(campaign).graph is _run(campaign).graph


@pytest.mark.parametrize(
    ("acting", "path", "zh"),
    [
        ("acting:\n  central_enterprise: [hq]\n", "acting", "'*'"),
        ('acting:\n  "*": [industry, planning]\n', "acting.*[1]", "未知的部门"),
        ('acting:\n  "*": [industry]\n  village: [industry]\n', "acting.village", "未知的机关类型"),
        ('acting:\n  "*": []\n', "acting.*", "至少需要一个部门"),
        ('acting:\n  "*": [industry, industry]\n', "acting.*[1]", "重复"),
    ],
)
def test_a_wrong_acting_key_is_refused_at_its_path(acting: str, path: str, zh: str) -> None:
    """``acting`` must name every authority's departments with ``"*"``, only kinds the graph
    has, and only departments the campaign declares, each once; a mistake is refused with its
    key path, in both languages."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(_with_acting(acting), source="acting.yaml")
    assert path == raised.value.path
    assert zh in raised.value.zh


def test_graphs_for_many_campaigns_are_not_all_kept() -> None:
    """A stream of campaigns with different departments does not grow a graph's memory
    without bound: at most a few department graphs are kept, the oldest dropped first."""
    graph = pf.AuthorityGraph.bundled()
    first = graph.with_departments({"*": ("d0",)})
    for i in range(1, 20):
        graph.with_departments({"*": (f"d{i}",)})
    assert graph.with_departments({"*": ("d19",)}) is graph.with_departments({"*": ("d19",)})
    assert graph.with_departments({"*": ("d0",)}) is not first


@pytest.mark.parametrize(
    "acting",
    [
        None, ["industry"], {"*": "industry"}, {"*": []}, {"*": [1]}, {3: ["industry"]},
        {"nonkind": ["industry"]}, {"*": ["a", "a"]}, {"*": ["a\x00"]}, {"*": [""]}, {"*": [" a"]},
    ],
)  # fmt: skip
def test_bad_departments_for_a_graph_are_refused(acting: object) -> None:
    """``with_departments`` refuses anything but kinds of authority (or ``"*"``) mapped to
    non-empty lists of distinct department codes (printable, no spaces around), with a
    GraphError in both languages (never a raw TypeError; a kind that is none, a department
    named twice, or a NUL in one was taken silently)."""
    with pytest.raises(pf.GraphError) as raised:
        pf.AuthorityGraph.bundled().with_departments(acting)  # type: ignore[arg-type]
    assert "acting" in raised.value.zh


FOUR_REVIEW_TWO_STAMP = _with_acting(
    "acting:\n"
    "  - at: {kinds: [central_enterprise]}\n"
    "    review: [hq]\n"
    "  - at: {levels: [district]}\n"
    "    review: [industry, development_reform, finance, market_regulation]\n"
    "    stamp: [industry, finance]\n"
    "  - review: [industry]\n",
    "departments:\n"
    "  industry: {en: industry, zh: 工业和信息化}\n"
    "  development_reform: {en: development and reform, zh: 发展改革}\n"
    "  finance: {en: finance, zh: 财政}\n"
    "  market_regulation: {en: market regulation, zh: 市场监管}\n"
    "  hq: {en: group headquarters, zh: 集团总部}\n",
)


def _nominated(run: pf.CampaignRun) -> pf.Nomination:
    code = make_code("91371002", "MA3C5CJX")
    return run.nominate(
        pf.Actor.applicant(code, "contact"), unit_code=code, unit_name="某单位", unit_type="enterprise",
        scenario="medical_elderly_care_integration", origin=DISTRICT,
        materials=every_material(run.campaign),
    )  # fmt: skip


def test_four_departments_review_and_two_stamp() -> None:
    """Where a campaign has four departments review and two of them stamp, the two stamps
    complete the joint stamp; a reviewing department may act on the nomination but may not
    stamp, and the refusal names the departments in Chinese, never by code."""
    campaign = parse_campaign(FOUR_REVIEW_TWO_STAMP, source="four.yaml")
    run = _run(campaign)
    n = _nominated(run)
    assert ("industry", "development_reform", "finance", "market_regulation") == run.graph[
        DISTRICT
    ].departments
    with pytest.raises(pf.ActionRefused) as refused:
        run.stamp(pf.Actor(DISTRICT, "market_regulation", "clerk"), n.id)
    assert "not_a_stamping_department" in refused.value.codes
    assert "市场监管部门参与" in str(refused.value)
    assert "market_regulation" not in refused.value.zh
    attach_letter(run, n.id)
    run.stamp(pf.Actor(DISTRICT, "industry", "clerk"), n.id)
    with pytest.raises(pf.ActionRefused) as refused:
        run.recommend(pf.Actor(DISTRICT, "development_reform", "clerk"), n.id)
    assert "尚缺：财政" in refused.value.zh
    run.stamp(pf.Actor(DISTRICT, "finance", "clerk"), n.id)
    assert "371000" == run.recommend(pf.Actor(DISTRICT, "development_reform", "clerk"), n.id).holder
    assert ("industry",) == run.graph["371000"].stamping  # the city: the rule without ``at``


def test_an_unknown_department_is_named_in_chinese() -> None:
    """An actor of a department that does not take part at an authority is refused as an
    UnknownDepartment whose Chinese text names the authority and the departments in Chinese."""
    campaign = parse_campaign(FOUR_REVIEW_TWO_STAMP, source="four.yaml")
    run = _run(campaign)
    n = _nominated(run)
    with pytest.raises(pf.UnknownDepartment) as raised:
        run.stamp(pf.Actor(DISTRICT, "health", "clerk"), n.id)
    assert "环翠区" in raised.value.zh
    assert "发展改革" in raised.value.zh
    assert "development_reform" not in raised.value.zh


@pytest.mark.parametrize(
    ("acting", "path", "zh"),
    [
        (
            "acting:\n  - review: [industry]\n    stamp: [health]\n",
            "acting[0].stamp[0]",
            "须同时为此处的审核部门",
        ),
        ("acting:\n  - at: {levels: [town]}\n    review: [industry]\n", "acting[0].at.levels[0]", "层级"),
        ("acting:\n  - review: []\n", "acting[0].review", "至少需要一个部门"),
        ("acting:\n  - stamp: [industry]\n", "acting[0]", "review"),
    ],
)
def test_a_wrong_acting_rule_is_refused_at_its_path(acting: str, path: str, zh: str) -> None:
    """The list form of ``acting`` is checked like the short one: a stamping department must
    review there, selectors name known levels, a rule names at least one reviewing department."""
    with pytest.raises(pf.CampaignFileError) as raised:
        parse_campaign(_with_acting(acting), source="acting.yaml")
    assert path == raised.value.path
    assert zh in raised.value.zh


def test_a_format_2_file_without_acting_has_its_own_departments_act() -> None:
    """In format 2 a file that says nothing of who acts has every department it declares
    review and stamp everywhere (never the graph's departments of another campaign); in
    format 1 the graph's own act, as before."""
    text = re.sub(r"(?m)^acting:\n(  .*\n)+", "", ONE_DEPARTMENT)
    assert "\nformat: 2\n" in text
    campaign = parse_campaign(text, source="two.yaml")
    assert ("development_reform",) == _run(campaign).graph["371000"].stamping
    one = parse_campaign(text.replace("\nformat: 2\n", "\n"), source="one.yaml")
    assert ("industry", "civil_affairs", "health") == _run(one).graph["371000"].departments


@pytest.mark.parametrize(
    "args",
    [
        (pf.campaign.Selector(), "industry", ("industry",)),
        (None, ("industry",), ("industry",)),
        (pf.campaign.Selector(), ("industry",), ("finance",)),
        (pf.campaign.Selector(), (), ()),
    ],
)
def test_a_malformed_acting_rule_is_refused(args: tuple[object, object, object]) -> None:
    """An acting rule built by hand takes a selector and tuples of department codes, stamping
    ones among the reviewing ones; anything else is an InvalidInput in both languages (a
    string would otherwise be read as its letters)."""
    with pytest.raises(pf.InvalidInput) as raised:
        pf.campaign.ActingRule(*args)  # type: ignore[arg-type]
    assert "履职规则" in raised.value.zh
