"""Loading and validating campaign definitions (``pilotflow.campaign_file``).

The first half pins the facts of the bundled 2023 smart health and elderly-care campaign
against the seed notices; the second half pins how each kind of bad input is refused: the
key path it names and the problem its message states.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pendulum
import pytest
import yaml

import pilotflow as pf
from pilotflow.authorities import AuthorityGraph
from pilotflow.calendar import parse_moment
from pilotflow.campaign import Campaign
from pilotflow.campaign_file import bundled_campaigns, load_campaign, parse_campaign
from pilotflow.errors import CampaignFileError, InvalidInput

CAMPAIGN_ID = "smart-health-elderly-care-2023"
TZ = "Asia/Shanghai"
BUNDLED_YAML = (
    Path(__file__).parent.parent / "src" / "pilotflow" / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml"
)
DOCS = Path(__file__).parent.parent / "docs" / "campaign-format.md"

WEIHAI_DOC = "威工信发〔2023〕42号"
SHANDONG_DOC = "鲁工信电子〔2023〕203号"
MINISTRY_DOC = "工信厅联电子函〔2023〕265号"

MAJOR = {"enterprise": 3, "street_town": 3, "park": 1, "base": 2}
OTHER_SHANDONG = {"enterprise": 1, "street_town": 1, "park": 1, "base": 1}
PROVINCE = {"enterprise": 3, "street_town": 8, "park": 3, "base": 3}
PLANNED = {"enterprise": 2, "street_town": 4, "park": 2, "base": 2}


@pytest.fixture(scope="module")
def graph() -> AuthorityGraph:
    """The bundled authority graph."""
    return AuthorityGraph.bundled()


@pytest.fixture(scope="module")
def campaign() -> Campaign:
    """The bundled 2023 campaign."""
    return load_campaign(CAMPAIGN_ID)


def shanghai(year: int, month: int, day: int) -> datetime:
    """Midnight starting that day in Asia/Shanghai."""
    return pendulum.datetime(year, month, day, tz=TZ)


# -- the bundled campaign ---------------------------------------------------------------


def test_bundled_campaigns_lists_the_2023_campaign() -> None:
    """``bundled_campaigns()`` names the shipped campaign, and its id loads."""
    assert CAMPAIGN_ID in bundled_campaigns()
    assert CAMPAIGN_ID == load_campaign(CAMPAIGN_ID).id


def test_bundled_campaign_source_and_basics(campaign: Campaign) -> None:
    """The bundled campaign reports ``bundled:<id>`` as its source, its year, time zone and
    the inclusive ("by the end of the day") deadline reading."""
    assert f"bundled:{CAMPAIGN_ID}" == campaign.source
    assert 2023 == campaign.year
    assert TZ == campaign.timezone
    assert campaign.deadline_inclusive is True
    assert ("district", "city", "province", "ministry") == campaign.level_codes


def test_bundled_departments_and_unit_types(campaign: Campaign) -> None:
    """The three joint departments plus group headquarters, and the four unit types."""
    assert {"industry", "civil_affairs", "health", "hq"} == set(campaign.departments)
    assert "民政" == campaign.departments["civil_affairs"].zh
    assert {
        "enterprise": "企业",
        "street_town": "街道（乡镇）",
        "park": "园区",
        "base": "基地",
    } == {code: unit.name.zh for code, unit in campaign.unit_types.items()}


def test_bundled_scenarios_are_the_twelve_of_the_ministry_notice(campaign: Campaign) -> None:
    """All 12 scenarios of 工信厅联电子函〔2023〕265号 with their groups (5 health, 6
    elderly care, 1 combined)."""
    groups: dict[str, list[str]] = {}
    for scenario in campaign.scenarios.values():
        groups.setdefault(scenario.group, []).append(scenario.name.zh)
    assert 12 == len(campaign.scenarios)
    assert {"smart_health": 5, "smart_elderly_care": 6, "combined": 1} == {
        group: len(names) for group, names in groups.items()
    }
    assert ["医养结合"] == groups["combined"]
    assert "老年食堂" in groups["smart_elderly_care"]
    assert "互联网+医疗健康" in groups["smart_health"]


@pytest.mark.parametrize("code", ["370100", "370300", "370600", "370700", "370800", "371000"], ids=str)
def test_quota_of_the_six_named_shandong_cities(campaign: Campaign, graph: AuthorityGraph, code: str) -> None:
    """Jinan, Zibo, Yantai, Weifang, Jining and Weihai may forward 3/3/1/2 to Shandong."""
    rule = campaign.quota_rule(graph[code])
    assert rule is not None
    assert MAJOR == dict(rule.limits)
    assert rule.total is None


@pytest.mark.parametrize(
    "code",
    ["370400", "370500", "370900", "371100", "371300", "371400", "371500", "371600", "371700"],
    ids=str,
)
def test_quota_of_the_other_shandong_cities(campaign: Campaign, graph: AuthorityGraph, code: str) -> None:
    """Every other city of Shandong's notice may forward 1/1/1/1."""
    rule = campaign.quota_rule(graph[code])
    assert rule is not None
    assert "shandong_other_cities" == rule.name
    assert OTHER_SHANDONG == dict(rule.limits)


@pytest.mark.parametrize("code", ["370000", "110000", "150000", "650000", "440000"], ids=str)
def test_quota_of_provinces(campaign: Campaign, graph: AuthorityGraph, code: str) -> None:
    """Provinces, autonomous regions and municipalities may forward 3/8/3/3 to the ministry."""
    rule = campaign.quota_rule(graph[code])
    assert rule is not None
    assert "provinces" == rule.name
    assert PROVINCE == dict(rule.limits)


@pytest.mark.parametrize("code", ["210200", "330200", "350200", "370200", "440300", "XPCC"], ids=str)
def test_quota_of_separately_planned_cities_and_xpcc(
    campaign: Campaign, graph: AuthorityGraph, code: str
) -> None:
    """The five 计划单列市 and XPCC may forward 2/4/2/2 to the ministry."""
    rule = campaign.quota_rule(graph[code])
    assert rule is not None
    assert "separately_planned_cities_and_xpcc" == rule.name
    assert PLANNED == dict(rule.limits)


def test_qingdao_is_not_counted_as_a_shandong_city(campaign: Campaign, graph: AuthorityGraph) -> None:
    """Qingdao lies in Shandong (its ancestors include 370000) yet takes the separately-
    planned quota and reports straight to the ministry, not to Shandong."""
    qingdao = graph["370200"]
    assert "370000" in qingdao.ancestors
    rule = campaign.quota_rule(qingdao)
    assert rule is not None
    assert "separately_planned_cities_and_xpcc" == rule.name
    assert ("370200", "MIN") == graph.route("370200", campaign)
    hop = campaign.hop_rule(qingdao, graph["MIN"])
    assert hop is not None
    assert "to_ministry" == hop.name


def test_quota_of_central_enterprises(campaign: Campaign, graph: AuthorityGraph) -> None:
    """A central enterprise may forward one member unit in all, outside the local quotas."""
    rule = campaign.quota_rule(graph["CE-CEC"])
    assert rule is not None
    assert 1 == rule.total
    assert {} == dict(rule.limits)


@pytest.mark.parametrize("code", ["810000", "820000", "710000"], ids=str)
def test_quota_of_hong_kong_macau_taiwan_is_zero(
    campaign: Campaign, graph: AuthorityGraph, code: str
) -> None:
    """Hong Kong, Macau and Taiwan, which the notice does not address, may forward nothing."""
    rule = campaign.quota_rule(graph[code])
    assert rule is not None
    assert 0 == rule.total


@pytest.mark.parametrize("code", ["371002", "371071", "371000-NH", "110101"], ids=str)
def test_districts_have_no_quota(campaign: Campaign, graph: AuthorityGraph, code: str) -> None:
    """A district forwarding to its city (or municipality) has no quota."""
    assert campaign.quota_rule(graph[code]) is None


@pytest.mark.parametrize(
    ("sender", "receiver", "name", "deadline", "text", "source"),
    [
        (
            "371002",
            "371000",
            "weihai_districts_to_weihai",
            (2023, 10, 19),
            "2023-10-18",
            WEIHAI_DOC,
        ),
        (
            "371071",
            "371000",
            "weihai_districts_to_weihai",
            (2023, 10, 19),
            "2023-10-18",
            WEIHAI_DOC,
        ),
        (
            "371000-NH",
            "371000",
            "weihai_districts_to_weihai",
            (2023, 10, 19),
            "2023-10-18",
            WEIHAI_DOC,
        ),
        (
            "371000",
            "370000",
            "shandong_cities_to_shandong",
            (2023, 10, 19),
            "2023-10-18",
            SHANDONG_DOC,
        ),
        (
            "370100",
            "370000",
            "shandong_cities_to_shandong",
            (2023, 10, 19),
            "2023-10-18",
            SHANDONG_DOC,
        ),
        ("370000", "MIN", "to_ministry", (2023, 10, 30), "2023-10-29", MINISTRY_DOC),
        ("110000", "MIN", "to_ministry", (2023, 10, 30), "2023-10-29", MINISTRY_DOC),
        ("370200", "MIN", "to_ministry", (2023, 10, 30), "2023-10-29", MINISTRY_DOC),
        ("XPCC", "MIN", "to_ministry", (2023, 10, 30), "2023-10-29", MINISTRY_DOC),
        ("CE-CEC", "MIN", "to_ministry", (2023, 10, 30), "2023-10-29", MINISTRY_DOC),
    ],
)
def test_hop_deadlines_of_the_seed(
    campaign: Campaign,
    graph: AuthorityGraph,
    sender: str,
    receiver: str,
    name: str,
    deadline: tuple[int, int, int],
    text: str,
    source: str,
) -> None:
    """Each hop the seed sets a deadline for closes at 00:00 of the day after the written
    date (end-of-day reading), keeps the text as written and cites its document."""
    rule = campaign.hop_rule(graph[sender], graph[receiver])
    assert rule is not None
    assert name == rule.name
    assert shanghai(*deadline) == rule.deadline
    assert text == rule.deadline_text
    assert source == rule.source


@pytest.mark.parametrize(
    ("sender", "receiver"),
    [("110101", "110000"), ("130102", "130100"), ("130100", "130000"), ("370102", "370100")],
)
def test_hops_without_a_seed_deadline_have_no_rule(
    campaign: Campaign, graph: AuthorityGraph, sender: str, receiver: str
) -> None:
    """Hops the seed says nothing about (a Beijing district → Beijing, Hebei's hops, a Jinan
    district → Jinan) have no rule, hence no deadline of their own."""
    assert campaign.hop_rule(graph[sender], graph[receiver]) is None


def test_end_of_day_reading_of_october_18(campaign: Campaign, graph: AuthorityGraph) -> None:
    """ "By Oct 18" is inclusive: 23:59:59 on the 18th is in time, 00:00 on the 19th is late."""
    rule = campaign.hop_rule(graph["371002"], graph["371000"])
    assert rule is not None
    assert rule.deadline is not None
    in_time = datetime.fromisoformat("2023-10-18T23:59:59+08:00")
    late = datetime.fromisoformat("2023-10-19T00:00:00+08:00")
    assert in_time < rule.deadline
    assert not late < rule.deadline
    assert "2023-10-19T00:00:00+08:00" == rule.deadline.isoformat()


def test_weihai_and_shandong_deadlines_fall_on_the_same_day(
    campaign: Campaign, graph: AuthorityGraph
) -> None:
    """Along Weihai's route the district and city deadlines coincide; the ministry's is later."""
    route = graph.route("371002", campaign)
    assert ("371002", "371000", "370000", "MIN") == route
    deadlines = []
    for sender, receiver in itertools.pairwise(route):
        rule = campaign.hop_rule(graph[sender], graph[receiver])
        assert rule is not None
        deadlines.append(rule.deadline)
    assert [shanghai(2023, 10, 19), shanghai(2023, 10, 19), shanghai(2023, 10, 30)] == deadlines


@pytest.mark.parametrize(
    ("sender", "receiver", "materials"),
    [
        (
            "371002",
            "371000",
            [
                ("joint_recommendation_letter", 1),
                ("application_form_paper", 3),
                ("application_form_word", 1),
                ("application_form_pdf", 1),
            ],
        ),
        (
            "371000",
            "370000",
            [
                ("application_materials", 1),
                ("three_department_letter", 1),
                ("electronic_copy_pdf", 1),
            ],
        ),
        (
            "370000",
            "MIN",
            [("application_materials", 1), ("recommendation_opinion", 1), ("electronic_copy", 1)],
        ),
    ],
)
def test_hop_materials_of_the_seed(
    campaign: Campaign,
    graph: AuthorityGraph,
    sender: str,
    receiver: str,
    materials: list[tuple[str, int]],
) -> None:
    """Each hop requires the materials (and copies) its notice lists; the re-review video is
    not among the core materials (the core phase ignores re-review units)."""
    rule = campaign.hop_rule(graph[sender], graph[receiver])
    assert rule is not None
    assert materials == [(req.kind, req.copies) for req in rule.materials]
    assert all(req.applies_to("enterprise") for req in rule.materials)


def test_material_types(campaign: Campaign) -> None:
    """Paper materials are flagged as paper; the Word, PDF and video copies carry formats."""
    assert campaign.materials["application_form_paper"].paper is True
    assert ("doc", "docx") == campaign.materials["application_form_word"].formats
    assert ("mp4",) == campaign.materials["re_review_video"].formats
    assert campaign.materials["application_form_pdf"].paper is False


def test_screening_lists(campaign: Campaign) -> None:
    """The four named disqualification lists plus the catch-all of other grounds."""
    assert {
        "abnormal_operations": "经营异常名录",
        "serious_dishonesty": "严重违法失信名单",
        "dishonest_debtors": "失信被执行人名单",
        "elderly_care_punishment": "养老服务市场失信联合惩戒对象名单",
        "other_grounds": "其他因违纪违法违规不宜推荐的情形",
    } == {code: text.zh for code, text in campaign.screening_lists.items()}


def test_ranking_notice_and_re_review(campaign: Campaign) -> None:
    """Shandong's reserve pool ranks first; a 5-working-day notice; re-review of the
    2017–2019 batches at most 70% (rounded down) with a 5-minute video, ±60 s, set on the
    video material itself (not the old ``re_review.video_seconds``)."""
    assert ("shandong_reserve_pool",) == campaign.ranking.priority_lists
    assert 5 == campaign.notice.working_days
    rules = campaign.re_review
    assert (2017, 2018, 2019) == rules.batches
    assert 0.7 == rules.max_share
    assert "floor" == rules.rounding
    assert (None, None) == (rules.video_seconds, rules.video_tolerance_seconds)
    video = campaign.materials["re_review_video"]
    assert (300, 60) == (video.video_seconds, video.video_tolerance_seconds)


def test_revision_is_the_hash_of_the_canonical_document(campaign: Campaign) -> None:
    """``revision`` is "sha256:" + 16 hex digits of the sorted-key JSON of the document."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")

    class Loader(yaml.SafeLoader):
        """Dates stay strings, as in campaign_file."""

    Loader.yaml_implicit_resolvers = {
        k: [(t, r) for t, r in v if t != "tag:yaml.org,2002:timestamp"]
        for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    document = yaml.load(text, Loader=Loader)
    dumped = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = "sha256:" + hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]
    assert re.fullmatch(r"sha256:[0-9a-f]{16}", campaign.revision)
    assert expected == campaign.revision


def test_revision_ignores_comments_and_layout_but_not_content(tmp_path: Path) -> None:
    """Comments and key order leave the revision alone; changing a value changes it."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")
    original = load_campaign(CAMPAIGN_ID)
    commented = tmp_path / "commented.yaml"
    commented.write_text("# a new comment\n" + text, encoding="utf-8")
    assert original.revision == load_campaign(commented).revision
    changed = tmp_path / "changed.yaml"
    changed.write_text(text.replace("working_days: 5", "working_days: 7"), encoding="utf-8")
    reloaded = load_campaign(changed)
    assert 7 == reloaded.notice.working_days
    assert original.revision != reloaded.revision


def test_loading_a_path_keeps_the_path_as_source(tmp_path: Path) -> None:
    """A campaign loaded from a file names that file as its source (str or Path)."""
    path = tmp_path / "copy.yml"
    path.write_text(BUNDLED_YAML.read_text(encoding="utf-8"), encoding="utf-8")
    assert str(path) == load_campaign(path).source
    assert str(path) == load_campaign(str(path)).source


def test_parse_campaign_from_text() -> None:
    """``parse_campaign`` reads YAML text and names it with ``source``."""
    loaded = parse_campaign(BUNDLED_YAML.read_text(encoding="utf-8"), source="inline")
    assert "inline" == loaded.source
    assert load_campaign(CAMPAIGN_ID).revision == loaded.revision


def test_documented_example_is_valid() -> None:
    """The short complete example in docs/campaign-format.md loads."""
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(r"## A short complete example.*?```yaml\n(.*?)```", text, re.S)
    assert match is not None
    example = parse_campaign(match.group(1), source="docs example")
    assert "shandong-mini-2023" == example.id


# -- bad input --------------------------------------------------------------------------


def minimal() -> dict[str, Any]:
    """A small valid campaign document, to be broken one key at a time."""
    return {
        "id": "mini",
        "title": {"en": "Mini campaign", "zh": "小型遴选"},
        "year": 2023,
        "timezone": TZ,
        "deadline_rule": "end_of_day",
        "levels": ["district", "city", "province", "ministry"],
        "departments": {"industry": {"en": "industry", "zh": "工业和信息化"}},
        "unit_types": {
            "enterprise": {"en": "enterprise", "zh": "企业"},
            "park": {"en": "park", "zh": "园区"},
        },
        "materials": {"pdf": {"en": "PDF copy", "zh": "PDF 版", "formats": ["pdf"]}},
        "reporting": [],
        "quotas": [
            {
                "name": "provinces",
                "recommender": {"levels": ["province"]},
                "limits": {"enterprise": 3, "park": 1},
            },
            {"name": "central", "recommender": {"kinds": ["central_enterprise"]}, "total": 1},
        ],
        "hops": [
            {
                "name": "cities",
                "sender": {"levels": ["city"]},
                "receiver": {"levels": ["province"]},
                "deadline": "2023-10-18",
                "materials": ["pdf", {"kind": "pdf_paper", "copies": 2}],
            },
            {
                "name": "provinces",
                "sender": {"levels": ["province"]},
                "receiver": {"levels": ["ministry"]},
                "deadline": "2023-10-29",
            },
        ],
        "re_review": {"batches": [2017], "max_share": 0.7, "rounding": "floor"},
    }


def _fixed(doc: dict[str, Any]) -> dict[str, Any]:
    doc["materials"]["pdf_paper"] = {"en": "paper copy", "zh": "纸质版", "paper": True}
    return doc


@pytest.fixture
def base() -> dict[str, Any]:
    """A fresh valid minimal document."""
    return _fixed(minimal())


@pytest.fixture
def refused(tmp_path: Path) -> Callable[[Any], CampaignFileError]:
    """Write a document to a file, load it, and return the error it is refused with."""

    def load(doc: Any) -> CampaignFileError:
        path = tmp_path / "bad.yaml"
        if isinstance(doc, str):
            path.write_text(doc, encoding="utf-8")
        else:
            path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        with pytest.raises(CampaignFileError) as info:
            load_campaign(path)
        assert str(path) == info.value.source
        return info.value

    return load


def test_minimal_document_is_valid(base: dict[str, Any], tmp_path: Path) -> None:
    """The minimal document the bad-input tests break is itself valid."""
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True), encoding="utf-8")
    loaded = load_campaign(path)
    assert "mini" == loaded.id
    assert shanghai(2023, 10, 19) == loaded.hops[0].deadline


def test_campaign_file_error_is_invalid_input() -> None:
    """A refused campaign file is an ``InvalidInput`` (and a ``ValueError``)."""
    with pytest.raises(InvalidInput):
        parse_campaign("[]")
    with pytest.raises(ValueError, match="expected a mapping"):
        parse_campaign("[]")


def test_document_not_a_mapping(refused: Callable[[Any], CampaignFileError]) -> None:
    """A document that is a list is refused at the root."""
    error = refused("- a\n- b\n")
    assert "" == error.path
    assert "expected a mapping" in error.problem


def test_entry_not_a_mapping(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A quota rule that is a string is refused at its index."""
    base["quotas"][1] = "central enterprises: 1"
    error = refused(base)
    assert "quotas[1]" == error.path
    assert "expected a mapping" in error.problem


def test_empty_and_unparsable_documents(refused: Callable[[Any], CampaignFileError]) -> None:
    """An empty file and a YAML syntax error are refused with what is wrong and where."""
    assert "the document is empty" == refused("# nothing\n").problem
    error = refused("id: [unclosed\n")
    assert "" == error.path
    assert "not valid YAML" in error.problem
    assert "line" in error.problem


@pytest.mark.parametrize(
    ("key", "path"),
    [
        (("timezone",), ""),
        (("quotas", 0, "name"), "quotas[0]"),
        (("hops", 1, "receiver"), "hops[1]"),
    ],
)
def test_missing_key(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    key: tuple[Any, ...],
    path: str,
) -> None:
    """A missing required key is refused at the mapping that lacks it, naming the key."""
    target: Any = base
    for part in key[:-1]:
        target = target[part]
    del target[key[-1]]
    error = refused(base)
    assert path == error.path
    assert f"missing required key {key[-1]!r}" == error.problem


@pytest.mark.parametrize(
    ("container", "typo", "path", "meant"),
    [
        ((), "hop", "hop", "hops"),
        (("quotas", 0), "limts", "quotas[0].limts", "limits"),
        (("hops", 0, "sender"), "level", "hops[0].sender.level", "levels"),
        (("re_review",), "max_shares", "re_review.max_shares", "max_share"),
    ],
)
def test_unknown_key_is_a_typo(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    container: tuple[Any, ...],
    typo: str,
    path: str,
    meant: str,
) -> None:
    """An unknown key is refused at its own path and the message suggests the key meant."""
    target: Any = base
    for part in container:
        target = target[part]
    target[typo] = target.pop(meant, 1)
    error = refused(base)
    assert path == error.path
    assert f"unknown key {typo!r}" in error.problem
    assert f"did you mean {meant!r}" in error.problem


@pytest.mark.parametrize(
    ("key", "value", "path", "expected"),
    [
        (("year",), "2023", "year", "expected an integer"),
        (
            ("quotas", 0, "limits", "enterprise"),
            "3",
            "quotas[0].limits.enterprise",
            "expected an integer",
        ),
        (("quotas", 1, "total"), True, "quotas[1].total", "expected an integer"),
        (("levels",), "district", "levels", "expected a list"),
        (("title", "zh"), 7, "title.zh", "expected a string"),
        (
            ("materials", "pdf", "paper"),
            "yes please",
            "materials.pdf.paper",
            "expected true or false",
        ),
        (("re_review", "max_share"), "70%", "re_review.max_share", "expected a number"),
        (("hops", 0, "deadline"), 20231018, "hops[0].deadline", "expected a string"),
    ],
)
def test_wrong_type(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    key: tuple[Any, ...],
    value: Any,
    path: str,
    expected: str,
) -> None:
    """A value of the wrong type is refused at its path, saying what was expected."""
    target: Any = base
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    error = refused(base)
    assert path == error.path
    assert expected in error.problem


@pytest.mark.parametrize(
    ("selector", "path"),
    [
        (("quotas", 0, "recommender"), "quotas[0].recommender.codes[1]"),
        (("hops", 1, "receiver"), "hops[1].receiver.codes[1]"),
    ],
)
def test_unknown_authority_in_selector_codes(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    selector: tuple[Any, ...],
    path: str,
) -> None:
    """An authority code the graph does not know is refused in a selector's ``codes``."""
    target: Any = base
    for part in selector:
        target = target[part]
    target["codes"] = [370000, 379999]
    error = refused(base)
    assert path == error.path
    assert "unknown authority code '379999'" in error.problem


def test_unknown_authority_in_selector_within(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """An unknown authority is refused in ``within`` too."""
    base["hops"][0]["sender"]["within"] = ["SHANDONG"]
    error = refused(base)
    assert "hops[0].sender.within[0]" == error.path
    assert "unknown authority code 'SHANDONG'" in error.problem


def test_unknown_authority_in_reporting_to(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A reporting override to an unknown authority is refused at ``reporting[i].to``."""
    base["reporting"] = [{"sender": {"codes": [370200]}, "to": "MINISTRY"}]
    error = refused(base)
    assert "reporting[0].to" == error.path
    assert "unknown authority code 'MINISTRY'" in error.problem


def test_unknown_level_in_levels(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A level the graph does not have is refused in ``levels``."""
    base["levels"] = ["district", "town", "province", "ministry"]
    error = refused(base)
    assert "levels[1]" == error.path
    assert "unknown level 'town'" in error.problem


def test_unknown_level_in_selector(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A selector level that is not one of the campaign's levels is refused."""
    base["levels"] = ["city", "province", "ministry"]
    base["hops"][0]["sender"]["levels"] = ["district"]
    error = refused(base)
    assert "hops[0].sender.levels[0]" == error.path
    assert "unknown level 'district'" in error.problem
    assert "not one of this campaign's levels" in error.problem


def test_unknown_kind(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """An unknown authority kind is refused, with a suggestion."""
    base["quotas"][1]["recommender"]["kinds"] = ["central_enterprises"]
    error = refused(base)
    assert "quotas[1].recommender.kinds[0]" == error.path
    assert "unknown kind 'central_enterprises'" in error.problem
    assert "did you mean 'central_enterprise'" in error.problem


def test_unknown_unit_type_in_quota_limits(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A quota limit for an undeclared unit type is refused at ``limits.<type>``."""
    base["quotas"][0]["limits"]["enterprize"] = 2
    error = refused(base)
    assert "quotas[0].limits.enterprize" == error.path
    assert "unknown unit type 'enterprize'" in error.problem
    assert "did you mean 'enterprise'" in error.problem


def test_unknown_unit_type_in_material_requirement(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A material requirement restricted to an undeclared unit type is refused."""
    base["hops"][0]["materials"][1]["unit_types"] = ["park", "factory"]
    error = refused(base)
    assert "hops[0].materials[1].unit_types[1]" == error.path
    assert "unknown unit type 'factory'" in error.problem


@pytest.mark.parametrize(
    ("materials", "path"),
    [(["word"], "hops[0].materials[0]"), ([{"kind": "word"}], "hops[0].materials[0].kind")],
)
def test_unknown_material_kind(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    materials: list[Any],
    path: str,
) -> None:
    """A hop requiring an undeclared material kind is refused (short and long form)."""
    base["hops"][0]["materials"] = materials
    error = refused(base)
    assert path == error.path
    assert "unknown material kind 'word'" in error.problem


@pytest.mark.parametrize(
    ("key", "path"),
    [
        (("quotas", 0, "limits", "park"), "quotas[0].limits.park"),
        (("quotas", 1, "total"), "quotas[1].total"),
    ],
)
def test_negative_quota(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    key: tuple[Any, ...],
    path: str,
) -> None:
    """A negative quota (per type or total) is refused."""
    target: Any = base
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = -1
    error = refused(base)
    assert path == error.path
    assert "must not be negative" in error.problem


def test_zero_quota_is_allowed(base: dict[str, Any]) -> None:
    """A quota of 0 (nothing may be forwarded) is valid."""
    base["quotas"][0]["limits"]["park"] = 0
    base["quotas"][1]["total"] = 0
    loaded = parse_campaign(yaml.safe_dump(base, allow_unicode=True))
    assert 0 == loaded.quotas[0].limits["park"]
    assert 0 == loaded.quotas[1].total


def test_naive_datetime_deadline(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A deadline with a time but no UTC offset is refused."""
    base["hops"][0]["deadline"] = "2023-10-18T17:00:00"
    error = refused(base)
    assert "hops[0].deadline" == error.path
    assert "no UTC offset" in error.problem


def test_unreadable_deadline(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A deadline that is neither a date nor an ISO 8601 date-time is refused."""
    base["hops"][1]["deadline"] = "end of October"
    error = refused(base)
    assert "hops[1].deadline" == error.path
    assert "cannot read deadline 'end of October'" in error.problem


def test_impossible_date_deadline(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A plain date that does not exist is refused."""
    base["hops"][1]["deadline"] = "2023-02-30"
    error = refused(base)
    assert "hops[1].deadline" == error.path
    assert "expected a date written YYYY-MM-DD" in error.problem


def test_aware_datetime_deadline_is_kept_as_written(base: dict[str, Any]) -> None:
    """A deadline with an offset is taken as that instant, shown in the campaign time zone,
    and its text is kept as written."""
    base["hops"][0]["deadline"] = "2023-10-18T09:00:00Z"
    loaded = parse_campaign(yaml.safe_dump(base, allow_unicode=True))
    rule = loaded.hops[0]
    assert datetime(2023, 10, 18, 9, tzinfo=UTC) == rule.deadline
    assert rule.deadline is not None
    assert timedelta(hours=8) == rule.deadline.utcoffset()
    assert "2023-10-18T09:00:00Z" == rule.deadline_text


def test_start_of_day_reading(base: dict[str, Any]) -> None:
    """With ``deadline_rule: start_of_day`` "by Oct 18" closes at 00:00 on Oct 18."""
    base["deadline_rule"] = "start_of_day"
    loaded = parse_campaign(yaml.safe_dump(base, allow_unicode=True))
    assert loaded.deadline_inclusive is False
    assert shanghai(2023, 10, 18) == loaded.hops[0].deadline


def test_unknown_deadline_rule(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A ``deadline_rule`` other than end_of_day / start_of_day is refused."""
    base["deadline_rule"] = "end_of_days"
    error = refused(base)
    assert "deadline_rule" == error.path
    assert "unknown deadline rule 'end_of_days'" in error.problem


def test_unknown_time_zone(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """A time zone that is not an IANA name is refused."""
    base["timezone"] = "Asia/Beijing"
    error = refused(base)
    assert "timezone" == error.path
    assert "unknown time zone 'Asia/Beijing'" in error.problem


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "posix/Asia/Shanghai", "right/UTC"])
def test_a_zone_that_names_no_place_is_refused(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError], name: str
) -> None:
    """A zone name the host's database holds but that names no place is refused, in a
    campaign file, for a list, for a clock and for a moment: ``localtime`` is the host's own zone (the same
    file had its deadlines close eight hours apart on two machines), ``Factory`` none, and
    ``posix/``, ``right/`` are copies (``right/`` counts leap seconds)."""
    base["timezone"] = name
    error = refused(base)
    assert "timezone" == error.path
    assert f"time zone {name!r} names no place: " in error.problem
    assert "不代表某一地区" in error.zh
    with pytest.raises(pf.InvalidInput, match="IANA time zone name"):
        pf.load_list("absent.csv", "x", timezone=name)
    for take in (pf.SystemClock, lambda n: parse_moment("2023-10-17 09:00", timezone=n, local=True)):
        with pytest.raises(pf.InvalidInput, match="IANA time zone name"):
            take(name)


@pytest.mark.parametrize("written", ["010", "0x0A", "0b1010", "1:30", "-1:30", "1:30.0"])
def test_a_number_not_written_in_decimal_is_refused_where_it_stands(written: str) -> None:
    """A number in one of YAML 1.1's other forms (octal ``010``, hexadecimal, binary, base
    60, also with a fraction) is refused naming its line and column, in English and Chinese:
    a quota written ``010`` was read as a limit of 8, ``1:30`` as 90."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith("year: "))
    with pytest.raises(CampaignFileError) as refused:
        parse_campaign(text.replace("year: 2023", f"year: {written}", 1))
    assert f"at line {line}, column 7: '{written}' is not a number written in decimal" in refused.value.en
    assert f"第 {line} 行第 7 列" in refused.value.zh
    assert f"'{written}' 不是以十进制书写的数字" in refused.value.zh


def test_decimal_numbers_are_read_as_written_digits_grouped_or_not() -> None:
    """Decimal digits are read as before, grouped by ``_`` too (``2_023`` is 2023, as YAML
    reads it): only the forms that read as another number are refused."""
    text = BUNDLED_YAML.read_text(encoding="utf-8")
    for written in ("2023", "2_023", "+2023"):
        assert 2023 == parse_campaign(text.replace("year: 2023", f"year: {written}", 1)).year


def test_a_refused_number_is_shown_escaped() -> None:
    """The refusal of a number that is not decimal shows what was written escaped: control
    characters and direction marks given with an explicit ``!!int`` never reach a terminal."""
    with pytest.raises(CampaignFileError) as refused:
        parse_campaign('year: !!int "\\x1b[2J\\x00\\u202e"\n')  # (YAML's escapes: the text is plain)
    for message in (refused.value.en, refused.value.zh):
        assert not any(c in message for c in "\x1b\x00\u202e")
        assert "\\x1b" in message


def test_duplicate_mapping_key(refused: Callable[[Any], CampaignFileError]) -> None:
    """A code given twice in a mapping (which YAML would silently overwrite) is refused."""
    text = yaml.safe_dump(_fixed(minimal()), allow_unicode=True, sort_keys=False)
    text = text.replace("unit_types:\n", "unit_types:\n  park:\n    en: park\n    zh: 园区\n", 1)
    error = refused(text)
    assert "unit_types.park" == error.path
    assert "duplicate key 'park'" in error.problem


@pytest.mark.parametrize(
    ("key", "value", "path", "expected"),
    [
        (
            ("levels",),
            ["district", "city", "city", "ministry"],
            "levels[2]",
            "duplicate level 'city'",
        ),
        (("quotas", 1, "name"), "provinces", "quotas[1]", "duplicate quota rule name 'provinces'"),
        (("hops", 1, "name"), "cities", "hops[1]", "duplicate hop rule name 'cities'"),
        (("re_review", "batches"), [2017, 2017], "re_review.batches[1]", "duplicate batch 2017"),
    ],
)
def test_duplicate_codes_in_lists(
    base: dict[str, Any],
    refused: Callable[[Any], CampaignFileError],
    key: tuple[Any, ...],
    value: Any,
    path: str,
    expected: str,
) -> None:
    """A level, rule name or batch given twice is refused at its second occurrence."""
    target: Any = base
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    error = refused(base)
    assert path == error.path
    assert expected in error.problem


def test_levels_out_of_order(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """Levels must be a sub-sequence of district, city, province, ministry."""
    base["levels"] = ["district", "province", "city", "ministry"]
    error = refused(base)
    assert "levels[2]" == error.path
    assert "lowest first" in error.problem


def test_levels_may_skip_a_tier(base: dict[str, Any]) -> None:
    """A campaign without a city tier is valid (county → province → ministry)."""
    base["levels"] = ["district", "province", "ministry"]
    del base["hops"][0]
    loaded = parse_campaign(yaml.safe_dump(base, allow_unicode=True))
    assert ("district", "province", "ministry") == loaded.level_codes


@pytest.mark.parametrize("share", [0, -0.1, 1.5])
def test_max_share_out_of_range(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError], share: float
) -> None:
    """``re_review.max_share`` must lie in (0, 1]."""
    base["re_review"]["max_share"] = share
    error = refused(base)
    assert "re_review.max_share" == error.path
    assert "greater than 0 and at most 1" in error.problem


def test_max_share_of_one_is_allowed(base: dict[str, Any]) -> None:
    """A max share of 1 (everyone may be retained) is valid."""
    base["re_review"]["max_share"] = 1
    assert 1.0 == parse_campaign(yaml.safe_dump(base)).re_review.max_share


def test_unknown_rounding(base: dict[str, Any], refused: Callable[[Any], CampaignFileError]) -> None:
    """Rounding must be floor, ceil or round_half_up."""
    base["re_review"]["rounding"] = "nearest"
    error = refused(base)
    assert "re_review.rounding" == error.path
    assert "unknown rounding 'nearest'" in error.problem


def test_deadlines_out_of_order_along_a_route(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A later hop of a route that closes before an earlier one is refused, naming the
    authority whose route it is and both hops."""
    base["hops"][1]["deadline"] = "2023-10-10"
    error = refused(base)
    assert "hops[1].deadline" == error.path
    assert "deadlines out of order along the route of" in error.problem
    assert "'cities'" in error.problem
    assert "'provinces'" in error.problem
    assert "closes earlier" in error.problem


def test_deadlines_out_of_order_on_a_route_starting_above_the_lowest_level(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """Routes that start above the lowest level (here a central enterprise, rerouted through
    Beijing) are checked too, and the error names that authority."""
    base["reporting"] = [{"sender": {"codes": ["CE-CEC"]}, "to": 110000}]
    base["hops"] = [
        {
            "name": "cec_to_beijing",
            "sender": {"codes": ["CE-CEC"]},
            "receiver": {"codes": [110000]},
            "deadline": "2023-10-01",
        },
        {
            "name": "beijing_to_ministry",
            "sender": {"codes": [110000]},
            "receiver": {"levels": ["ministry"]},
            "deadline": "2023-09-01",
        },
    ]
    error = refused(base)
    assert "hops[1].deadline" == error.path
    assert "route of CE-CEC" in error.problem
    assert "'cec_to_beijing' (CE-CEC → 110000)" in error.problem
    assert "'beijing_to_ministry' (110000 → MIN)" in error.problem


def test_source_must_be_a_listed_document(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """When ``documents`` is given, every ``source`` must be one of its numbers."""
    base["documents"] = [{"number": "鲁工信电子〔2023〕203号", "date": "2023-10-13"}]
    base["hops"][0]["source"] = "鲁工信电子〔2023〕208号"
    error = refused(base)
    assert "hops[0].source" == error.path
    assert "is not one of the documents" in error.problem


def test_unknown_bundled_campaign() -> None:
    """An id that is not bundled (and not a path) is refused, listing the bundled ids."""
    with pytest.raises(CampaignFileError) as info:
        load_campaign("smart-health-2099")
    assert "no bundled campaign with id 'smart-health-2099'" in info.value.problem
    assert CAMPAIGN_ID in info.value.problem


def test_missing_file(tmp_path: Path) -> None:
    """A path to a file that does not exist is refused with the path as source."""
    path = tmp_path / "absent.yaml"
    with pytest.raises(CampaignFileError) as info:
        load_campaign(path)
    assert str(path) == info.value.source
    assert "no such campaign file" == info.value.problem


def test_error_message_names_file_path_and_problem_in_both_languages(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """The error's text carries the file, the key path, and the problem in en and zh."""
    base["quotas"][0]["limits"]["park"] = -2
    error = refused(base)
    assert error.source in error.en
    assert "quotas[0].limits.park" in error.en
    assert "must not be negative" in error.en
    assert "不能为负数" in error.zh


def test_loading_is_deterministic(campaign: Campaign) -> None:
    """Loading the same campaign twice gives equal rules and the same revision."""
    again = load_campaign(CAMPAIGN_ID)
    assert campaign.revision == again.revision
    assert campaign.quotas == again.quotas
    assert campaign.hops == again.hops
    assert campaign.scenarios == again.scenarios


def _codes_outside_parentheses(zh: str) -> list[str]:
    """Authority codes (six digits, MIN) and level codes ``zh`` shows outside parentheses."""
    outside = re.sub(r"（[^（）]*(?:（[^（）]*）[^（）]*)*）", "", zh)
    return re.findall(r"(?<![A-Za-z_])(\d{6}|MIN|district|city|province|ministry)(?![A-Za-z_])", outside)


def test_a_reporting_rule_that_sends_a_route_round_in_a_loop_is_refused_at_the_rule(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A reporting rule sending 威海市 back to one of its own districts makes every route
    through it loop. The file is refused at ``reporting[0]``, the rule that sent the route
    there, naming the hop it made (the refusal was at ``scope``, advising to add a reporting
    rule); the Chinese names authorities, codes only in parentheses."""
    base["reporting"] = [{"sender": {"codes": [371000]}, "to": 371002}]
    error = refused(base)
    assert "reporting[0]" == error.path
    assert "loops" in error.problem
    assert "reporting[0] sent it from 371000 to 371002" in error.problem
    assert "reporting[0] 将其由威海市（371000）报往环翠区（371002）" in error.zh
    assert [] == _codes_outside_parentheses(error.zh.split("：", 1)[1])


def test_a_loop_of_two_rules_is_refused_at_the_rule_that_sent_the_route_elsewhere(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """威海市 sent to its district 文登区, which a second rule sends to its own parent (what
    the graph does anyway): the route loops. The refusal is at the first rule, the one that
    changed the route, and names both rules with the hops they made."""
    base["reporting"] = [
        {"sender": {"codes": [371003]}, "to": 371000},
        {"sender": {"codes": [371000]}, "to": 371003},
    ]
    error = refused(base)
    assert "reporting[1]" == error.path
    assert "reporting[1] sent it from 371000 to 371003" in error.problem
    assert "reporting[0] sent it from 371003 to 371000" in error.problem


def test_route_problems_of_a_file_name_authorities_and_levels_in_chinese(
    base: dict[str, Any], refused: Callable[[Any], CampaignFileError]
) -> None:
    """A file's route problems (deadlines out of order along a route, a reporting rule sending
    units to an authority of a level the campaign does not use) say in Chinese which
    authorities and levels by their names, each code only in parentheses after its name."""
    out_of_order = dict(base, hops=[dict(base["hops"][0]), dict(base["hops"][1], deadline="2023-10-10")])
    to_district = [{"sender": {"codes": [371000]}, "to": 371002}]
    unused_level = dict(base, levels=["city", "province", "ministry"], reporting=to_district)
    said = {"hops[1].deadline": ("的推荐路线上截止时间先后颠倒", "河北省（130000）"),
            "reporting[0].to": ("环翠区（371002）属于区县级（district）",)}  # fmt: skip
    for doc in (out_of_order, unused_level):
        problems = {p.path: p.problem_zh for p in refused(doc).problems}
        for path, texts in said.items():
            if path in problems:
                assert [] == _codes_outside_parentheses(problems[path]), problems[path]
                for text in texts:
                    assert text in problems[path], problems[path]
                break
        else:
            raise AssertionError(f"none of {list(said)} among {list(problems)}")
