"""Hostile values reach a refusal, and the refusal's message stays short.

An int of thousands of digits cannot be turned into text (``repr`` raises ValueError past
4,300 digits), and a text of 200,000 characters must not be repeated whole: every public
function the sweep found quoting its argument raw now shows it bounded
(:func:`pilotflow.errors.shown`), so it raises a PilotflowError whose English and Chinese
stay short. :meth:`AuthorityGraph.covers` refuses what is not an Authority.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import pilotflow as pf
from pilotflow import codes, display, workdays
from pilotflow.calendar import by_date, in_zone, parse_moment, zone, zone_info
from pilotflow.materials import inspect_material

from conftest import WEIHAI_DISTRICT, bundled, nominate, shanghai, stamp_all, unit_code

HUGE = 10**5000
LONG = "x" * 200_000
GRAPH = pf.AuthorityGraph.bundled()
CLERK = pf.Actor(WEIHAI_DISTRICT, "industry", "clerk")
PDF_KIND = bundled().materials["application_form_pdf"]


def _run() -> tuple[pf.CampaignRun, str]:
    campaign = bundled()
    run = pf.CampaignRun(
        campaign, lists=pf.empty_lists(campaign), clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )
    return run, stamp_all(run, nominate(run, 1).id).id


RUN, NID = _run()
APPLICANT = pf.Actor.applicant(unit_code(2), "a")
NOMINATION: dict[str, Any] = {"unit_code": unit_code(2), "unit_name": "单位", "unit_type": "enterprise",
                              "scenario": "smart_nursing_homes", "origin": WEIHAI_DISTRICT}  # fmt: skip

CALLS: dict[str, Callable[[], Any]] = {
    "validate_unit_code": lambda: codes.validate_unit_code(HUGE),
    "make_code prefix": lambda: codes.make_code(LONG, "3710007XXXXXXXX"),
    "make_code body": lambda: codes.make_code("91371000", LONG),
    "is_working_day": lambda: workdays.is_working_day(HUGE),  # type: ignore[arg-type]
    "working_days_between": lambda: workdays.working_days_between(date(2023, 1, 1), HUGE),  # type: ignore[arg-type]
    "add_working_days n": lambda: workdays.add_working_days(shanghai(2023, 10, 17), LONG),  # type: ignore[arg-type]
    "add_working_days timezone": lambda: workdays.add_working_days(shanghai(2023, 10, 17), 1, timezone=HUGE),  # type: ignore[arg-type]
    "FixedClock.advance huge": lambda: pf.FixedClock(shanghai(2023, 10, 17)).advance(seconds=HUGE),
    "FixedClock.advance text": lambda: pf.FixedClock(shanghai(2023, 10, 17)).advance(seconds=LONG),  # type: ignore[arg-type]
    "SystemClock": lambda: pf.SystemClock(HUGE),  # type: ignore[arg-type]
    "by_date": lambda: by_date(date(2023, 10, 17), inclusive=True, timezone=HUGE),  # type: ignore[arg-type]
    "in_zone": lambda: in_zone(shanghai(2023, 10, 17), HUGE),  # type: ignore[arg-type]
    "parse_moment": lambda: parse_moment(HUGE),  # type: ignore[arg-type]
    "zone": lambda: zone(HUGE),
    "zone_info": lambda: zone_info(HUGE),  # type: ignore[arg-type]
    "authority_tree": lambda: display.authority_tree(RUN, "370000", depth=HUGE),
    "route lang": lambda: display.route(RUN, WEIHAI_DISTRICT, lang=HUGE),  # type: ignore[arg-type]
    "progress_bar": lambda: display.progress_bar("x", use_tqdm=HUGE),  # type: ignore[arg-type]
    "Winner batch": lambda: pf.Winner(unit_code(1), "n", "enterprise", HUGE, WEIHAI_DISTRICT),
    "load_list timezone": lambda: pf.load_list("/nonexistent.csv", "x", timezone=HUGE),  # type: ignore[arg-type]
    "load_campaign id": lambda: pf.load_campaign(LONG),
    "parse_campaign source": lambda: pf.parse_campaign("id: x", source=LONG),
    "AuthorityGraph.find": lambda: GRAPH.find(HUGE),  # type: ignore[arg-type]
    "CampaignRun backfill": lambda: pf.CampaignRun(bundled(), backfill=HUGE),  # type: ignore[arg-type]
    "submissions state": lambda: RUN.submissions(state=HUGE),  # type: ignore[arg-type]
    "nominations unit_type": lambda: RUN.nominations(unit_type=HUGE),  # type: ignore[arg-type]
    "select_many track": lambda: RUN.select_many([CLERK], "enterprise", track=HUGE, dry_run=True),  # type: ignore[arg-type]
    "attach_paper kind": lambda: RUN.attach_paper(CLERK, NID, HUGE, 2),  # type: ignore[arg-type]
    "nominate scenario": lambda: RUN.nominate(APPLICANT, **{**NOMINATION, "scenario": HUGE}),
    "nominate scenario text": lambda: RUN.nominate(APPLICANT, **{**NOMINATION, "scenario": LONG}),
    "nominate origin": lambda: RUN.nominate(APPLICANT, **{**NOMINATION, "origin": HUGE}),
    "attach_file kind": lambda: RUN.attach_file(CLERK, NID, HUGE, "/none.pdf"),  # type: ignore[arg-type]
    "attach_file kind text": lambda: RUN.attach_file(CLERK, NID, LONG, "/none.pdf"),
    "attach_paper_to_submission kind": lambda: RUN.attach_paper_to_submission(CLERK, "s", HUGE),  # type: ignore[arg-type]
    "explain action": lambda: RUN.explain(NID, HUGE),  # type: ignore[arg-type]
    "retry_on_conflict attempts": lambda: pf.retry_on_conflict(lambda: 1, attempts=HUGE),
    "Material copies": lambda: pf.Material("application_form_paper", copies=HUGE),
    "Material kind": lambda: pf.Material(LONG, copies=0),
    "inspect_material max_bytes": lambda: inspect_material(PDF_KIND, "/nonexistent.pdf", max_bytes=LONG),  # type: ignore[arg-type]
    "inspect_material video_seconds": lambda: inspect_material(PDF_KIND, "/none.pdf", video_seconds=LONG),  # type: ignore[arg-type]
}  # fmt: skip


@pytest.mark.parametrize("case", CALLS)
def test_a_huge_or_long_argument_is_refused_with_a_short_message(case: str) -> None:
    """The call raises a PilotflowError (not ValueError from turning a huge int into text),
    and neither its English nor its Chinese repeats the argument whole."""
    with pytest.raises(pf.PilotflowError) as info:
        CALLS[case]()
    assert len(str(info.value)) < 2000
    assert len(getattr(info.value, "zh", "")) < 2000


def test_a_huge_int_is_shown_by_its_size() -> None:
    """A message names an int of thousands of digits by its size (in both languages where
    the Chinese shows the value)."""
    with pytest.raises(pf.InvalidInput) as info:
        pf.retry_on_conflict(lambda: 1, attempts=HUGE)
    assert "<int of about 5001 digits>" in info.value.en
    with pytest.raises(pf.InvalidInput) as info:
        pf.Material("application_form_paper", copies=HUGE)
    assert "<int of about 5001 digits>" in info.value.en
    assert "<int of about 5001 digits>" in info.value.zh


@pytest.mark.parametrize("argument", ["origin", "registered"])
def test_covers_refuses_what_is_not_an_authority(argument: str) -> None:
    """AuthorityGraph.covers given a code (a str) instead of an Authority raises InvalidInput
    naming the argument, not AttributeError."""
    kwargs = {
        "origin": GRAPH[WEIHAI_DISTRICT],
        "registered": GRAPH[WEIHAI_DISTRICT],
        argument: WEIHAI_DISTRICT,
    }
    with pytest.raises(pf.InvalidInput, match=argument):
        pf.AuthorityGraph.covers(**kwargs)  # type: ignore[arg-type]
