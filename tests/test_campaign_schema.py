"""The JSON Schema of the campaign file format (``pilotflow.campaign_file.campaign_schema()``,
``src/pilotflow/data/campaign.schema.json``): a valid draft 2020-12 schema shipped with the
package, that every campaign pilotflow loads satisfies, that refuses a misspelt key in every
section as the loader does, and that keeps up with the loader (its keys, bounds and choices).

Editors check and complete campaign files with it; the loader stays the full check."""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import pilotflow as pf
from pilotflow.cli import cli
from pilotflow.domain.campaign import LIST_KINDS
from pilotflow.domain.names import TRACKS
from pilotflow.domain.rules import SCORE_RULES
from pilotflow.files.campaign_file import bounds, quotas, reader, safe_yaml
from pilotflow.files.campaign_file.header import DEADLINE_RULES
from pilotflow.files.campaign_file.re_review import ROUNDINGS
from pilotflow.files.materials import CHECKED_FORMATS

SCHEMA = pf.campaign_file.campaign_schema()
VALIDATOR = Draft202012Validator(SCHEMA)
TESTS = Path(__file__).parent
DOCS = TESTS.parent / "docs" / "campaign-format.md"

EVERY_KEY = """
format: 2
id: every-key-demo
title: {en: Every key of the format, zh: 格式的每个键}
year: 2023
timezone: Asia/Shanghai
deadline_rule: start_of_day
clock_tolerance_seconds: 120
documents:
  - {number: 示〔2023〕1号, date: "2023-09-26", issuer: 示例部, title: 示例通知, note: 示例}
levels: [district, {code: city, en: city level, zh: 市级}, province, ministry]
departments:
  industry: {en: industry, zh: 工业和信息化}
  hq: {en: group headquarters, zh: 集团总部}
acting:
  - at: {kinds: [central_enterprise]}
    review: [hq]
    source: 示〔2023〕1号
    note: 中央企业通过集团总部推荐
  - review: [industry]
    stamp: [industry]
    examine: [industry]
authorities:
  - code: "370000-CA"
    name: 山东省通信管理局
    kind: regulator
    level: province
    parent: MIN
    admin_parent: "370000"
    admits: ["370100"]
    departments: [industry]
    replaces: false
    source: 示〔2023〕1号
    note: 第二推荐单位
scope:
  codes: ["370000", "370000-CA", "370100", "370102", MIN]
  levels: [district, city, province, ministry]
  kinds: [province, regulator, prefecture, county, ministry]
  within: ["370000", MIN]
  source: 示〔2023〕1号
  note: 山东省济南市
unit_types:
  enterprise: {en: enterprise, zh: 企业}
  park: {en: industrial park, zh: 园区}
scenario_groups:
  health: {en: smart health, zh: 智慧健康场景}
scenarios:
  family: {group: health, en: family health management, zh: 家庭健康管理}
  online: {group: health, en: Internet + healthcare, zh: 互联网+医疗健康}
materials:
  letter: {en: recommendation letter, zh: 推荐函, paper: true}
  form: {en: application form, zh: 申报书, formats: [PDF, docx], refuse_active_content: true, per: unit}
  table: {en: score table, zh: 评分表, formats: [xlsx]}
  video:
    en: video
    zh: 视频资料
    formats: [mp4]
    video: {seconds: 300, tolerance_seconds: 60}
screening_lists:
  dishonest: {en: serious dishonesty list, zh: 严重失信主体名单, source: 示〔2023〕1号, note: 不得推荐}
priority_lists:
  reserve_pool: {en: reserve pool, zh: 储备库, source: 示〔2023〕1号, note: 优先推荐}
lists:
  provincial_soe: {en: provincially owned, zh: 省属企业, kind: tag, source: 示〔2023〕1号, note: 不占属地指标}
  ce_members: {en: central enterprise members, zh: 中央企业成员单位, kind: tag}
  labs: {en: key laboratories, zh: 重点实验室, kind: admit, tracks: [new], unit_types: [park]}
  credit: {en: credit list, zh: 信用名单, kind: bar, levels: [city, province], within: ["370000"]}
  pool: {en: provincial pool, zh: 省级储备库, kind: rank_first, tracks: [re_review]}
tracks:
  new: {en: new applications, zh: 新申报, lists: [dishonest, labs], ranking: [reserve_pool]}
  re_review:
    en: re-review
    zh: 复核
    lists: [credit]
    ranking: [pool]
    materials: {districts_to_jinan: [table]}
    share: {max_share: 0.6, rounding: ceil}
    batches: [2019]
    source: 示〔2023〕1号
    note: 复核单位
filing: {deadline: "2023-10-17", source: 示〔2023〕1号, note: 网上申报}
applicants: {projects: true, per_applicant: 2, source: 示〔2023〕1号, note: 同一申报主体最多不超过2个项目}
checks:
  - name: jinan_on_site
    at: {codes: [370100]}
    tracks: [re_review]
    on_site: {rate: 0.5, by: [industry]}
    source: 示〔2023〕1号
    note: 实地抽查
reporting:
  - sender: {within: ["370000"], levels: [city]}
    scenarios: [online]
    unit_types: [enterprise]
    lists: [reserve_pool]
    to: "370000-CA"
    source: 示〔2023〕1号
    note: 通信管理局受理
entry:
  - at: {codes: ["370000"]}
    scenarios: [family]
    unit_types: [park]
    lists: [reserve_pool]
    source: 示〔2023〕1号
    note: 直接向省级申报
quotas:
  - name: jinan
    recommender: {codes: [370100]}
    limits: {enterprise: 3, park: 1}
    total: 4
    per_authority:
      "370100": {enterprise: 2, total: 3}
    exempt: {lists: [provincial_soe]}
    soft: {exceed_by: [industry]}
    source: 示〔2023〕1号
    note: 济南市
  - {name: groups, recommender: {levels: [city]}, group: {list: ce_members}, limits: {enterprise: 1}}
  - {name: others, recommender: {}, total: null}
hops:
  - name: districts_to_jinan
    sender: {levels: [district]}
    receiver: {codes: [370100]}
    deadline: 2023-10-18
  - name: jinan_to_shandong
    sender: {codes: [370100]}
    receiver: {codes: ["370000"]}
    deadline: 2023-10-20T17:00:00+08:00
    materials:
      - letter
      - {kind: form, copies: 2, unit_types: [enterprise], note: 一式两份}
    re_review_materials: [video]
    source: 示〔2023〕1号
    note: 市报省
  - {name: to_the_ministry, sender: {}, receiver: {}, deadline: null}
ranking: {priority_lists: [reserve_pool]}
notice: {working_days: 7}
ministry:
  review: none
  spot_check: none
  source: 示〔2023〕1号
  note: 不设专家评审与抽查
re_review:
  video_seconds: 300
  video_tolerance_seconds: 30
"""
"""A campaign that loads and uses every key the schema declares (with the bundled campaign,
which writes ``acting`` in its short form)."""


def _document(text: str) -> Any:
    """The plain data the loader reads from ``text`` (dates stay strings)."""
    return safe_yaml.load_document(text, "<test>")


def _problems(document: Any) -> list[str]:
    return [f"{error.json_path}: {error.message[:200]}" for error in VALIDATOR.iter_errors(document)]


def _bundled() -> Iterator[tuple[str, Any]]:
    folder = resources.files("pilotflow").joinpath("data", "campaigns")
    for campaign_id in pf.bundled_campaigns():
        yield campaign_id, _document(folder.joinpath(f"{campaign_id}.yaml").read_text(encoding="utf-8"))


def _test_samples() -> Iterator[tuple[str, str]]:
    """Every module-level text of the test modules that is a campaign the loader accepts."""
    for path in sorted(TESTS.glob("test_*.py")):
        if path.stem == __name__.rsplit(".", 1)[-1] or "parse_campaign" not in path.read_text(
            encoding="utf-8"
        ):
            continue
        module = importlib.import_module(path.stem)
        for name, value in sorted(vars(module).items()):
            if isinstance(value, str) and "unit_types:" in value:
                try:
                    pf.parse_campaign(value)
                except pf.CampaignFileError:
                    continue
                yield f"{path.stem}.{name}", value


def _docs_examples() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)


def _loads(text: str) -> bool:
    try:
        pf.parse_campaign(text)
    except pf.CampaignFileError:
        return False
    return True


@functools.cache
def _every_document() -> list[tuple[str, Any]]:
    """Every campaign the tests know that the loader accepts, as plain data."""
    docs = [*_bundled(), ("EVERY_KEY", _document(EVERY_KEY))]
    docs += [(name, _document(text)) for name, text in _test_samples()]
    docs += [(f"docs[{i}]", _document(text)) for i, text in enumerate(_docs_examples()) if _loads(text)]
    return docs


# -- walking a document along the schema -------------------------------------------------


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its local ``$ref`` followed."""
    while "$ref" in node:
        target: Any = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _applicable(node: dict[str, Any], instance: Any) -> list[dict[str, Any]]:
    """The subschemas that describe ``instance`` at ``node``: the node and the branches of its
    ``allOf``, and of its ``oneOf``/``anyOf`` those the instance satisfies."""
    node = _resolve(node)
    out = [node]
    for keyword in ("allOf", "oneOf", "anyOf"):
        for branch in node.get(keyword, []):
            if keyword == "allOf" or Draft202012Validator({**branch, "$defs": SCHEMA["$defs"]}).is_valid(
                instance
            ):
                out += _applicable(branch, instance)
    return out


def _walk(node: dict[str, Any], instance: Any, path: str, seen: dict[str, set[tuple[int, str]]]) -> None:
    """Visit every mapping of ``instance``: record under ``seen["used"]`` each (schema node,
    key) it uses, under ``seen["undeclared"]`` each key no applicable schema declares, and under
    ``seen["open"]`` each mapping no applicable schema closes (``additionalProperties``)."""
    schemas = _applicable(node, instance)
    if isinstance(instance, dict):
        if not any("additionalProperties" in s for s in schemas):
            seen["open"].add((0, path))
        for key, value in instance.items():
            child = _child(schemas, key)
            if child is None:
                seen["undeclared"].add((0, f"{path}.{key}"))
                continue
            owner, schema = child
            if owner is not None:
                seen["used"].add((id(owner), key))
            _walk(schema, value, f"{path}.{key}", seen)
    elif isinstance(instance, list):
        items = next((s["items"] for s in schemas if "items" in s), None)
        for index, item in enumerate(instance):
            if items is None:
                seen["undeclared"].add((0, f"{path}[{index}]"))
            else:
                _walk(items, item, f"{path}[{index}]", seen)


def _child(schemas: list[dict[str, Any]], key: str) -> tuple[dict[str, Any] | None, dict[str, Any]] | None:
    """The schema of ``key`` of a mapping, and the node declaring it by name (None: a named
    entry, declared by ``additionalProperties``)."""
    for s in schemas:
        if key in s.get("properties", {}):
            return s, s["properties"][key]
    for s in schemas:
        for pattern, schema in s.get("patternProperties", {}).items():
            if re.search(pattern, key):
                return None, schema
        if isinstance(s.get("additionalProperties"), dict):
            return None, s["additionalProperties"]
    return None


_CONDITIONS = ("if", "then", "else", "not")
"""Keywords whose subschemas state conditions on keys declared elsewhere."""


def _declared(node: Any, out: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Every (schema node, key) the schema declares by name."""
    if isinstance(node, dict):
        out.update((id(node), key) for key in node.get("properties", {}))
        for key, value in node.items():
            if key not in _CONDITIONS:
                _declared(value, out)
    elif isinstance(node, list):
        for value in node:
            _declared(value, out)
    return out


def _seen(documents: list[tuple[str, Any]]) -> dict[str, set[tuple[int, str]]]:
    seen: dict[str, set[tuple[int, str]]] = {"used": set(), "undeclared": set(), "open": set()}
    for name, document in documents:
        _walk(SCHEMA, document, name, seen)
    return seen


# -- the schema itself -------------------------------------------------------------------


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    """The shipped schema is a valid JSON Schema of draft 2020-12, with an ``$id`` that names
    no real host and a description for every key it declares (what editors show)."""
    Draft202012Validator.check_schema(SCHEMA)
    assert "https://json-schema.org/draft/2020-12/schema" == SCHEMA["$schema"]
    assert SCHEMA["$id"].startswith("https://pilotflow.invalid/")
    undescribed = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for key, child in node.get("properties", {}).items():
                described = "description" in child or "description" in _resolve(child)
                if not described:
                    undescribed.append(f"{where}.{key}")
            for key, child in node.items():
                if key not in _CONDITIONS:
                    visit(child, f"{where}/{key}")
        elif isinstance(node, list):
            for index, child in enumerate(node):
                visit(child, f"{where}[{index}]")

    visit(SCHEMA, "#")
    assert [] == undescribed


def test_the_schema_ships_with_the_package() -> None:
    """The schema is package data of the installed pilotflow, and ``campaign_schema()`` is
    that file, a fresh dict at every call (changing one changes nothing for the next caller)."""
    shipped = resources.files("pilotflow").joinpath("data", "campaign.schema.json")
    assert json.loads(shipped.read_text(encoding="utf-8")) == pf.campaign_file.campaign_schema()
    schema = pf.campaign_file.campaign_schema()
    schema["properties"].clear()
    assert "quotas" in pf.campaign_file.campaign_schema()["properties"]


def test_the_command_prints_the_schema(tmp_path: Path) -> None:
    """``pilotflow campaign schema`` prints the schema as JSON (ASCII: any terminal will do),
    ready to be written beside a campaign file."""
    result = CliRunner().invoke(cli, ["campaign", "schema"], catch_exceptions=False)
    assert 0 == result.exit_code
    assert result.output.isascii()
    assert pf.campaign_file.campaign_schema() == json.loads(result.output)


# -- campaigns the loader accepts satisfy it ---------------------------------------------


def test_every_campaign_the_loader_accepts_satisfies_the_schema() -> None:
    """Every bundled campaign, the full-size examples of docs/campaign-format.md, the
    campaigns the tests use and a campaign using every key are valid under the schema."""
    documents = _every_document()
    assert {"EVERY_KEY", *pf.bundled_campaigns()} <= {name for name, _ in documents}
    assert any(name.startswith("docs[") for name, _ in documents)
    assert any(name.startswith("test_") for name, _ in documents)
    for name, document in documents:
        assert [] == _problems(document), name


def test_every_yaml_example_of_the_docs_satisfies_the_schema() -> None:
    """A YAML example of docs/campaign-format.md that shows a few sections only is valid
    under the schema too, section by section (its keys are top-level keys of the format)."""
    fragment = Draft202012Validator({**SCHEMA, "required": []})
    for index, text in enumerate(_docs_examples()):
        problems = [f"{e.json_path}: {e.message[:200]}" for e in fragment.iter_errors(_document(text))]
        assert [] == problems, (index, text[:60])


# -- misspelt keys -----------------------------------------------------------------------

MISSPELT = [
    ("", "scenarios", "scenarioes"),
    ("title", "zh", "zn"),
    ("documents[0]", "issuer", "isuer"),
    ("levels[1]", "code", "cdoe"),
    ("departments.industry", "en", "eng"),
    ("acting[0]", "review", "reviews"),
    ("acting[0].at", "kinds", "kind"),
    ("authorities[0]", "admin_parent", "adminparent"),
    ("scope", "within", "withn"),
    ("unit_types.park", "zh", "zhh"),
    ("scenario_groups.health", "en", "ne"),
    ("scenarios.family", "group", "groop"),
    ("materials.form", "formats", "format"),
    ("materials.video.video", "tolerance_seconds", "tolerance"),
    ("screening_lists.dishonest", "source", "sourse"),
    ("priority_lists.reserve_pool", "note", "notes"),
    ("reporting[0]", "to", "too"),
    ("entry[0]", "lists", "list"),
    ("quotas[0]", "limits", "limts"),
    ("quotas[0].recommender", "codes", "code"),
    ("quotas[0]", "per_authority", "per_authorty"),
    ("quotas[0].soft", "exceed_by", "exceeded_by"),
    ("quotas[0].exempt", "lists", "list"),
    ("quotas[1].group", "list", "lists"),
    ("lists.ce_members", "kind", "kinds"),
    ("tracks.re_review", "share", "shares"),
    ("tracks.re_review.share", "max_share", "max"),
    ("filing", "deadline", "dedline"),
    ("checks[0]", "on_site", "onsite"),
    ("checks[0].on_site", "rate", "rates"),
    ("hops[0]", "deadline", "dedline"),
    ("hops[1].materials[1]", "copies", "copy"),
    ("ranking", "priority_lists", "priority_list"),
    ("notice", "working_days", "workdays"),
    ("ministry", "spot_check", "spotcheck"),
    ("re_review", "video_seconds", "video_second"),
]


def _at(document: Any, path: str) -> Any:
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        document = document[int(part[1:-1])] if part.startswith("[") else document[part]
    return document


@pytest.mark.parametrize(("path", "key", "misspelt"), MISSPELT)
def test_a_misspelt_key_is_refused_by_the_schema_as_by_the_loader(path: str, key: str, misspelt: str) -> None:
    """A misspelt key in any section is refused by the schema, where the loader refuses it
    too (so an editor underlines what ``pilotflow campaign check`` reports)."""
    document = _document(EVERY_KEY)
    mapping = _at(document, path)
    renamed = {misspelt if k == key else k: v for k, v in mapping.items()}
    mapping.clear()
    mapping.update(renamed)
    assert [] != _problems(document)
    with pytest.raises(pf.CampaignFileError) as refused:
        pf.parse_campaign(json.dumps(document, ensure_ascii=False))
    assert (f"{path}.{misspelt}" if path else misspelt) in [p.path for p in refused.value.problems]


def test_a_misspelt_kind_of_authority_in_acting_is_refused() -> None:
    """The short form of ``acting`` takes kinds of authority as keys: a misspelt one is
    refused by the schema as by the loader."""
    document = dict(_bundled())["smart-health-elderly-care-2023"]
    document["acting"]["central_enterpise"] = document["acting"].pop("central_enterprise")
    assert [] != _problems(document)
    with pytest.raises(pf.CampaignFileError):
        pf.parse_campaign(json.dumps(document, ensure_ascii=False))


# -- the schema keeps up with the loader -------------------------------------------------


def test_the_top_level_keys_are_the_loaders() -> None:
    """The schema's top-level keys are those the loader reads, its required ones the
    loader's required ones."""
    required, optional = reader._TOP_KEYS_REQUIRED, reader._TOP_KEYS_OPTIONAL
    assert set(required) | set(optional) == set(SCHEMA["properties"])
    assert list(required) == SCHEMA["required"]
    assert SCHEMA["additionalProperties"] is False


def test_every_key_of_every_campaign_is_declared_where_it_is() -> None:
    """Walking every mapping of every campaign the loader accepts, each key is declared by
    the schema at that very place, and each mapping is closed (fixed keys) or a mapping of
    named entries; and every key the schema declares is used by one of them (so the loader
    accepts every key the schema offers)."""
    seen = _seen(_every_document())
    assert set() == seen["undeclared"]
    assert set() == seen["open"]
    unused = _declared(SCHEMA, set()) - seen["used"]
    names = {id(node): pointer for pointer, node in _nodes(SCHEMA, "#")}
    assert [] == sorted(f"{names[owner]}: {key}" for owner, key in unused)


def _nodes(node: Any, pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield pointer, node
        for key, child in node.items():
            yield from _nodes(child, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from _nodes(child, f"{pointer}/{index}")


def _bounds_of(schema: dict[str, Any]) -> tuple[Any, Any]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    return low, schema["maximum"]


def test_bounds_and_choices_are_the_loaders() -> None:
    """The bounds of numbers and the choices of the schema are the loader's own constants."""
    d, p = SCHEMA["$defs"], SCHEMA["properties"]
    assert (
        bounds.YEARS == _bounds_of(p["year"]) == _bounds_of(d["re_review"]["properties"]["batches"]["items"])
    )
    quota = d["quotaRule"]["properties"]
    assert bounds.QUOTAS == _bounds_of(quota["limits"]["additionalProperties"]) == _bounds_of(quota["total"])
    assert bounds.COPIES == _bounds_of(d["materialRequirement"]["oneOf"][1]["properties"]["copies"])
    assert bounds.WORKING_DAYS == _bounds_of(d["noticeRules"]["properties"]["working_days"])
    assert bounds.EXPERTS == _bounds_of(d["ministryRules"]["properties"]["min_experts"])
    video = d["material"]["properties"]["video"]["properties"]
    re_review = d["re_review"]["properties"]
    assert bounds.VIDEO_SECONDS == _bounds_of(video["seconds"]) == _bounds_of(re_review["video_seconds"])
    assert (
        bounds.VIDEO_TOLERANCE
        == _bounds_of(video["tolerance_seconds"])
        == _bounds_of(re_review["video_tolerance_seconds"])
    )
    assert (0, pf.campaign.MAX_CLOCK_TOLERANCE_SECONDS) == _bounds_of(p["clock_tolerance_seconds"])
    group_list = quota["group"]["properties"]["list"]["maxLength"]
    assert quotas.MAX_GROUP_LIST == group_list
    for rules in ("reporting", "entry", "quotas", "hops", "authorities"):
        assert bounds.MAX_RULES == p[rules]["maxItems"], rules
    assert list(reader.CAMPAIGN_FORMATS) == p["format"]["enum"]
    assert sorted(DEADLINE_RULES) == sorted(p["deadline_rule"]["enum"])
    assert list(LIST_KINDS) == d["unitList"]["properties"]["kind"]["enum"]
    assert list(TRACKS) == d["track"]["enum"]
    assert bounds.YEARS == _bounds_of(d["trackEntry"]["properties"]["batches"]["items"])
    assert bounds.MAX_RULES == p["checks"]["maxItems"]
    assert list(pf.AuthorityGraph.LEVELS) == d["level"]["enum"]
    assert sorted(pf.AuthorityGraph.KINDS) == d["kind"]["enum"]
    assert sorted(CHECKED_FORMATS) == d["format"]["anyOf"][0]["enum"]
    assert list(ROUNDINGS) == re_review["rounding"]["enum"]
    assert list(SCORE_RULES) == d["ministryRules"]["properties"]["combine"]["enum"]
