"""A campaign file is checked in full: every problem is reported at once (with its key path,
in English and Chinese, with "did you mean" for a misspelt key or code), a broken section is
not blamed again by the sections that refer to it, the cost is bounded, and the ``format``
key says which version of the format a file is written in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import pilotflow as pf
from pilotflow.campaign_file import CAMPAIGN_FORMATS, parse_campaign
from pilotflow.cli.commands import cli
from pilotflow.errors import CampaignFileError, FileProblem

BASE = """\
id: check-demo
title: {en: Check demo, zh: 检查示例}
year: 2023
timezone: Asia/Shanghai
levels: [city, province, ministry]
departments: {industry: {en: industry, zh: 工业和信息化}}
acting: {"*": [industry]}
unit_types:
  enterprise: {en: enterprise, zh: 企业}
  park: {en: park, zh: 园区}
materials:
  letter: {en: letter, zh: 推荐函, paper: true}
quotas:
  - name: provinces
    recommender: {levels: [province]}
    limits: {enterprise: 3, park: 1}
  - name: cities
    recommender: {levels: [city]}
    limits: {enterprise: 2}
hops:
  - name: city_to_province
    sender: {levels: [city]}
    receiver: {levels: [province]}
    materials: [{kind: letter, unit_types: [park]}]
"""


def problems_of(text: str) -> list[FileProblem]:
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(text, source="demo.yaml")
    return list(caught.value.problems)


def test_the_base_file_loads_as_format_1() -> None:
    """The file the other tests break is valid, and without ``format`` it is format 1."""
    campaign = parse_campaign(BASE)
    assert 1 == campaign.format
    assert (1, 2) == CAMPAIGN_FORMATS


def test_every_problem_of_every_section_is_reported_at_once() -> None:
    """Problems in several sections and in several items of one section are all reported, in
    file order; ``.path`` and ``.problem`` are those of the first, and the message lists all."""
    text = (
        BASE.replace("year: 2023", "year: 1800")
        .replace("limits: {enterprise: 3, park: 1}", "limits: {enterprise: -3, park: 1}")
        .replace("limits: {enterprise: 2}", "limts: {enterprise: 2}")
        .replace(
            "    receiver: {levels: [province]}", "    receiver: {levels: [province]}\n    deadline: soon"
        )
    )
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(text, source="demo.yaml")
    exc = caught.value
    paths = [p.path for p in exc.problems]
    assert ["year", "quotas[0].limits.enterprise", "quotas[1].limts", "hops[0].deadline"] == paths
    assert ("year", exc.problems[0].problem) == (exc.path, exc.problem)
    assert "demo.yaml" == exc.source
    assert all(p.problem and p.problem_zh for p in exc.problems)
    for path in paths:
        assert f"demo.yaml: {path}: " in exc.en
    assert "4 处问题" in exc.zh
    assert "did you mean 'limits'?" in exc.problems[2].problem


def test_one_problem_keeps_the_message_it_always_had() -> None:
    """A file with one problem gives the one-line message ``source: path: problem``."""
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(BASE.replace("year: 2023", "year: 1800"), source="demo.yaml")
    assert "demo.yaml: year: must be at least 2000, got 1800" == caught.value.en
    assert 1 == len(caught.value.problems)


@pytest.mark.parametrize(
    ("old", "new", "path", "suggested"),
    [
        ("levels: [province]}", "levels: [provinse]}", "quotas[0].recommender.levels[0]", "province"),
        ('acting: {"*": [industry]}', 'acting: {"*": [industy]}', "acting.*[0]", "industry"),
        ("{enterprise: 2}", "{enterprize: 2}", "quotas[1].limits.enterprize", "enterprise"),
        ("{kind: letter,", "{kind: leter,", "hops[0].materials[0].kind", "letter"),
        ("unit_types: [park]", "unit_types: [parc]", "hops[0].materials[0].unit_types[0]", "park"),
    ],
)
def test_a_misspelt_code_of_a_declared_thing_is_refused_with_a_suggestion(
    old: str, new: str, path: str, suggested: str
) -> None:
    """A level, department, unit type or material kind misspelt where it is referred to is
    refused at its key path with the closest declared one, in both languages."""
    assert old in BASE
    (problem,) = problems_of(BASE.replace(old, new, 1))
    assert path == problem.path
    assert f"did you mean '{suggested}'?" in problem.problem
    assert f"是否应为 '{suggested}'" in problem.problem_zh


def test_a_broken_section_is_not_blamed_again_by_those_referring_to_it() -> None:
    """A unit type entry with a problem is reported once; the quotas and hops naming that
    unit type are not reported as well."""
    text = BASE.replace("park: {en: park, zh: 园区}", "park: {en: park}")
    problems = problems_of(text)
    assert ["unit_types.park"] == [p.path for p in problems]
    assert "missing required key 'zh'" in problems[0].problem


def test_a_missing_required_section_is_reported_once() -> None:
    """A missing ``unit_types`` is one problem at the root, not one more per reference."""
    text = BASE.replace(
        "unit_types:\n  enterprise: {en: enterprise, zh: 企业}\n  park: {en: park, zh: 园区}\n", ""
    )
    (problem,) = problems_of(text)
    assert ("", "missing required key 'unit_types'") == (problem.path, problem.problem)


def test_a_file_with_thousands_of_problems_is_bounded() -> None:
    """Checking stops after 200 problems; the message lists 50 and says how many more, and
    that there may be others."""
    entries = "".join(f"  m{i}: {{e: 1}}\n" for i in range(5000))
    text = BASE.replace(
        "materials:\n  letter: {en: letter, zh: 推荐函, paper: true}\n", "materials:\n" + entries
    )
    with pytest.raises(CampaignFileError) as caught:
        parse_campaign(text, source="demo.yaml")
    exc = caught.value
    assert 200 == len(exc.problems)
    assert exc.truncated
    assert "... and 150 more" in exc.en
    assert "(checking stopped there: there may be more)" in exc.en
    assert len(exc.en.splitlines()) == 1 + 50 + 2


def test_format_2_loads_the_same_campaign() -> None:
    """``format: 2`` accepts every key of format 1; the campaign is the same but for its format
    (and the revision, a hash of the text)."""
    one = parse_campaign(BASE)
    two = parse_campaign("format: 2\n" + BASE)
    assert 2 == two.format
    assert one.quotas == two.quotas
    assert one.hops == two.hops
    assert one.unit_types == two.unit_types
    assert pf.load_campaign("smart-health-elderly-care-2023").format == 2


@pytest.mark.parametrize("value", ["3", "0", "99999999999"])
def test_an_unknown_format_is_refused_with_how_to_upgrade(value: str) -> None:
    """A format pilotflow does not read refuses the whole file (its other keys are not
    checked), pointing to the Upgrading section."""
    text = f"format: {value}\n" + BASE.replace("year: 2023", "yaer: 2023")
    (problem,) = problems_of(text)
    assert "format" == problem.path
    assert f"this file is campaign format {value}; pilotflow reads formats 1 and 2" in problem.problem
    assert "docs/campaign-format.md, 'Upgrading'" in problem.problem
    assert "pilotflow 可读取第 1、2 版" in problem.problem_zh


@pytest.mark.parametrize("value", ['"2"', "true", "2.0", "[2]"])
def test_a_format_that_is_not_an_integer_is_refused(value: str) -> None:
    """``format`` is an integer: a string, boolean, number or list is refused at ``format``."""
    (problem,) = problems_of(f"format: {value}\n" + BASE)
    assert "format" == problem.path
    assert problem.problem.startswith("expected a format number (1 or 2)")


def test_campaign_check_prints_every_problem(tmp_path: Path) -> None:
    """``pilotflow campaign check FILE`` exits 2 and prints each problem's key path with its
    English and Chinese message, suggestions included."""
    path = tmp_path / "bad.yaml"
    path.write_text(
        BASE.replace("limits: {enterprise: 3, park: 1}", "limits: {enterprise: -3, park: 1}").replace(
            "hops:", "hopz:"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["campaign", "check", str(path)], catch_exceptions=False)
    assert 2 == result.exit_code, result.output
    assert "Traceback" not in result.output
    assert "✗ error:" in result.output
    assert "bad.yaml: 2 problems" in result.output
    assert "✗ 错误" in result.output
    assert "2 处问题" in result.output
    assert "  hopz: unknown key 'hopz' (did you mean 'hops'?)" in result.output
    assert "（是否应为 'hops'？）" in result.output
    assert "  quotas[0].limits.enterprise: must not be negative, got -3" in result.output
    assert "不能为负数，实际为 -3" in result.output


def test_campaign_check_accepts_a_format_2_file(tmp_path: Path) -> None:
    """``campaign check`` on a valid ``format: 2`` file exits 0."""
    path = tmp_path / "two.yaml"
    path.write_text("format: 2\n" + BASE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["campaign", "check", str(path)], catch_exceptions=False)
    assert 0 == result.exit_code, result.output
    assert "✓" in result.output
