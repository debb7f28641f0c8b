"""Numbers and moments that would overflow later are refused when the file is loaded.

Every integer of a campaign file and the year of every moment (deadlines, document dates, a
list's ``since``/``until``) has documented bounds; a value outside them is a
``CampaignFileError`` at its key path, so a quota of 10**20 never reaches a PostgreSQL
``INTEGER`` column and a deadline of 9999-12-31 never overflows when it is moved to UTC.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import pilotflow as pf
from pilotflow.files import campaign_file
from pilotflow.files.campaign_file import (
    COPIES,
    EXPERTS,
    QUOTAS,
    VIDEO_SECONDS,
    VIDEO_TOLERANCE,
    WORKING_DAYS,
    YEARS,
    parse_campaign,
)
from pilotflow.files.lists import parse_list

MOMENT_YEARS = campaign_file.MOMENT_YEARS
DOCS = Path(__file__).parent.parent / "docs" / "campaign-format.md"
UNIT = "91350100M000100Y43"


def document() -> dict[str, Any]:
    """A small valid campaign that sets every bounded integer and moment."""
    return {
        "id": "bounds",
        "title": {"en": "Bounds", "zh": "边界"},
        "year": 2023,
        "timezone": "Asia/Shanghai",
        "documents": [{"number": "D1", "date": "2023-10-13"}],
        "levels": ["district", "city", "province", "ministry"],
        "departments": {"industry": {"en": "industry", "zh": "工业和信息化"}},
        "unit_types": {"enterprise": {"en": "enterprise", "zh": "企业"}},
        "materials": {"pdf": {"en": "PDF copy", "zh": "PDF 版"}},
        "quotas": [
            {
                "name": "provinces",
                "recommender": {"levels": ["province"]},
                "limits": {"enterprise": 3},
                "total": 5,
            }
        ],
        "hops": [
            {
                "name": "cities",
                "sender": {"levels": ["city"]},
                "receiver": {"levels": ["province"]},
                "deadline": "2023-10-18",
                "materials": [{"kind": "pdf", "copies": 2}],
                "re_review_materials": [{"kind": "pdf", "copies": 1}],
            }
        ],
        "notice": {"working_days": 5},
        "ministry": {"min_experts": 3},
        "re_review": {"batches": [2017], "video_seconds": 300, "video_tolerance_seconds": 60},
    }


def with_value(key: tuple[Any, ...], value: object) -> str:
    """The document with ``value`` at ``key``, as YAML text."""
    doc = document()
    target: Any = doc
    for part in key[:-1]:
        target = target[part]
    target[key[-1]] = value
    return yaml.safe_dump(doc, allow_unicode=True)


def refused(text: str) -> pf.CampaignFileError:
    """The error the campaign text is refused with."""
    with pytest.raises(pf.CampaignFileError) as info:
        parse_campaign(text, source="bounds.yaml")
    return info.value


INTEGERS = [
    (("year",), "year", YEARS),
    (("re_review", "batches", 0), "re_review.batches[0]", YEARS),
    (("quotas", 0, "limits", "enterprise"), "quotas[0].limits.enterprise", QUOTAS),
    (("quotas", 0, "total"), "quotas[0].total", QUOTAS),
    (("hops", 0, "materials", 0, "copies"), "hops[0].materials[0].copies", COPIES),
    (("hops", 0, "re_review_materials", 0, "copies"), "hops[0].re_review_materials[0].copies", COPIES),
    (("notice", "working_days"), "notice.working_days", WORKING_DAYS),
    (("ministry", "min_experts"), "ministry.min_experts", EXPERTS),
    (("re_review", "video_seconds"), "re_review.video_seconds", VIDEO_SECONDS),
    (("re_review", "video_tolerance_seconds"), "re_review.video_tolerance_seconds", VIDEO_TOLERANCE),
]


def test_the_document_is_valid() -> None:
    """The document the bound tests change is itself valid."""
    assert "bounds" == parse_campaign(yaml.safe_dump(document(), allow_unicode=True)).id


@pytest.mark.parametrize(("key", "path", "bounds"), INTEGERS, ids=[case[1] for case in INTEGERS])
def test_every_integer_is_bounded_at_its_key_path(
    key: tuple[Any, ...], path: str, bounds: tuple[int, int]
) -> None:
    """Both ends of an integer's bounds load; one below and one above are refused at the key
    path, in English and Chinese, saying the bound."""
    low, high = bounds
    for value in (low, high):
        parse_campaign(with_value(key, value))
    below = refused(with_value(key, low - 1))
    assert path == below.path
    assert str(low - 1) in below.problem
    above = refused(with_value(key, high + 1))
    assert path == above.path
    assert f"must be at most {high}, got {high + 1}" == above.problem
    assert f"不能大于 {high}" in above.zh


@pytest.mark.parametrize(
    ("key", "value", "path"),
    [
        (("quotas", 0, "limits", "enterprise"), 10**20, "quotas[0].limits.enterprise"),
        (("quotas", 0, "total"), 10**20, "quotas[0].total"),
        (("year",), 10**30, "year"),
        (("re_review", "batches"), [10**20], "re_review.batches[0]"),
    ],
)
def test_the_overflowing_numbers_of_the_issue(key: tuple[Any, ...], value: object, path: str) -> None:
    """A quota of 10**20, ``year: 10**30`` and ``batches: [10**20]`` are refused at load."""
    assert path == refused(with_value(key, value)).path


@pytest.mark.parametrize(
    "deadline",
    ["9999-12-31", "0001-01-01T00:00+14:00", "1969-12-31", "2200-01-01", "9999-12-31T23:59:59-12:00"],
)
def test_a_deadline_outside_the_years_is_refused(deadline: str) -> None:
    """A deadline written in a year outside 1970–2199 is refused at its key path before it is
    converted (so it never overflows)."""
    error = refused(with_value(("hops", 0, "deadline"), deadline))
    assert "hops[0].deadline" == error.path
    assert f"the year of {deadline!r} must be from 1970 to 2199" == error.problem


@pytest.mark.parametrize("deadline", ["1970-01-01", "2199-12-31", "2199-12-31T23:59:59-12:00"])
def test_deadlines_at_the_ends_of_the_years_load(deadline: str) -> None:
    """Deadlines in 1970 and in 2199 load (and convert: the latest is in the year 2200)."""
    campaign = parse_campaign(with_value(("hops", 0, "deadline"), deadline))
    assert campaign.hops[0].deadline is not None


def test_a_document_date_outside_the_years_is_refused() -> None:
    """``documents[].date`` is held to the same years as deadlines."""
    error = refused(with_value(("documents", 0, "date"), "9999-12-31"))
    assert "documents[0].date" == error.path


@pytest.mark.parametrize("when", ["9999-12-31", "0001-01-01T00:00+14:00", "1969-12-31"])
@pytest.mark.parametrize("column", ["since", "until"])
def test_a_list_moment_outside_the_years_is_refused(column: str, when: str) -> None:
    """A list's ``since`` or ``until`` outside 1970–2199 is refused at its row and column."""
    since, until = ("2023-01-01", when) if column == "until" else (when, "")
    text = f"unit_code,since,until\n{UNIT},{since},{until}\n"
    with pytest.raises(pf.CampaignFileError) as info:
        parse_list(text, "serious_dishonesty", source="list.csv")
    assert f"row 2.{column}" == info.value.path
    assert "must be from 1970 to 2199" in info.value.problem


def test_the_documented_bounds_are_the_bounds() -> None:
    """The bounds table of docs/campaign-format.md gives the bounds the loader applies."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split("### Bounds of numbers and moments", 1)[1].split("\n## ", 1)[0]
    rows = {
        key.strip(): (int(low), int(high))
        for key, low, high in re.findall(r"^\| (.+?) \| (\d+) \| (\d+) \|$", section, re.M)
    }
    expected = {
        "`year`": YEARS,
        "`re_review.batches[]`": YEARS,
        "`quotas[].limits.<unit type>`, `quotas[].total`": QUOTAS,
        "`copies` of a material requirement": COPIES,
        "`notice.working_days`": WORKING_DAYS,
        "`ministry.min_experts`": EXPERTS,
        "`re_review.video_seconds`, `materials.<kind>.video.seconds`": VIDEO_SECONDS,
        "`re_review.video_tolerance_seconds`, `materials.<kind>.video.tolerance_seconds`": VIDEO_TOLERANCE,
        "year of a `deadline` (as written), of `documents[].date`, and of a list's `since`/`until`": (
            MOMENT_YEARS
        ),
        "`ministry.pass_score`": (0, 100),
        "`ministry.spot_check_rate`": (0, 1),
    }
    assert expected == rows
