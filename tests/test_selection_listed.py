"""A selection and the units its authority's draft letter lists already: where no quota rule
caps the authority, each selection lists its own unit type's candidates beside them; where one
does, the units listed still count against the quota. The result names every letter its
recommended units are in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import pilotflow as pf
from pilotflow.store import Store

from conftest import WEIHAI, WEIHAI_DISTRICT, forward, nominate, state_of

HANGZHOU_DISTRICT = "330102"  # 上城区: its city, Hangzhou, has no quota of its own
HANGZHOU = "330100"


def _at_city(run: pf.CampaignRun, origin: str, kinds: list[str], first: int = 1) -> list[str]:
    """Nominations of ``kinds`` (one each) filed at ``origin`` and forwarded to its city."""
    ids = []
    for i, kind in enumerate(kinds, first):
        n = nominate(run, i, origin=origin, unit_type=kind)
        forward(run, n.id)
        ids.append(n.id)
    return ids


def test_selections_without_quota_list_each_type_beside_the_units_listed(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """At a city without quota, a selection of one unit type after another's lists its own
    candidates in the same draft, keeps the units listed before, and cuts nobody."""
    run = make_run()
    ids = _at_city(run, HANGZHOU_DISTRICT, ["enterprise", "enterprise", "street_town", "park"])
    lead = pf.Actor(HANGZHOU, "industry", "lead")
    assert all(line.limit is None for line in run.quota(HANGZHOU))
    first = run.select(lead, "enterprise")
    second = run.select(lead, "street_town")
    third = run.select(lead, "park")
    assert first.recommended == tuple(ids[:2])
    assert second.recommended == (ids[2],)
    assert third.recommended == (ids[3],)
    for result in (first, second, third):
        assert not result.cut
        assert not result.skipped
    assert first.submissions == second.submissions == third.submissions
    (draft,) = run.submissions(sender=HANGZHOU, state="draft")
    assert draft.units == tuple(ids)


def test_selections_under_a_quota_count_the_units_listed_before(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """At Weihai (3 enterprises), the enterprises its draft lists already take their seats: a
    second selection of enterprises recommends the listed ones and cuts the rest past three."""
    run = make_run()
    early = _at_city(run, WEIHAI_DISTRICT, ["enterprise", "enterprise"])
    lead = pf.Actor(WEIHAI, "industry", "lead")
    assert run.select(lead, "enterprise").recommended == tuple(early)
    late = _at_city(run, WEIHAI_DISTRICT, ["enterprise", "enterprise"], first=10)
    again = run.select(lead, "enterprise")
    assert again.recommended == (*early, late[0])
    assert again.cut == (late[1],)


def test_a_selection_names_every_letter_its_recommended_units_are_in(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """``SelectionResult.submissions`` names the drafts that list the recommended units, each
    once, in rank order: those listed before the selection (here in two drafts Weihai made
    itself) as well as the draft the new ones join; a selection (or its dry run) finding
    every candidate listed already names their letters too, not nothing."""
    run = make_run(store)
    ids = _at_city(run, WEIHAI_DISTRICT, ["enterprise", "enterprise", "enterprise"])
    lead = pf.Actor(WEIHAI, "industry", "lead")
    first = run.prepare_submission(lead, [ids[0]])
    second = run.prepare_submission(lead, [ids[1]])
    result = run.select(lead, "enterprise")
    assert result.recommended == tuple(ids)
    assert result.submissions == (first.id, second.id)
    assert run.submission(first.id).units == (ids[0], ids[2])
    for again in (run.select(lead, "enterprise"), run.select(lead, "enterprise", dry_run=True)):
        assert again.recommended == tuple(ids)
        assert again.submissions == (first.id, second.id)
    assert {s.id for s in run.submissions(sender=WEIHAI)} == {first.id, second.id}


@pytest.mark.parametrize("who", ["applicant", "objector"])
def test_selecting_or_drafting_a_letter_is_refused_to_an_applicant_or_objector(
    make_run: Callable[..., pf.CampaignRun], who: str
) -> None:
    """An applicant unit or a member of the public selecting, selecting at several
    authorities, or drafting a letter is refused as one with no right to act
    (``ActionRefused``, ``not_authorized``), not as an unknown authority; nothing is written."""
    run = make_run()
    n = nominate(run, 1)
    actor = (
        pf.Actor.applicant(n.unit_code, "p") if who == "applicant" else pf.Actor("public", "objector", "x")
    )
    before = state_of(run)
    for call in (
        lambda: run.select(actor, "enterprise"),
        lambda: run.select_many([actor], "enterprise"),
        lambda: run.prepare_submission(actor, [n.id]),
    ):
        with pytest.raises(pf.ActionRefused) as refusal:
            call()
        assert ["not_authorized"] == [r.code for r in refusal.value.reasons]
    assert state_of(run) == before


def test_every_argument_is_checked_before_the_actor_is_refused(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A bad moment, idempotency key or list of units is refused as such (InvalidInput)
    even when the actor may not act at all: arguments first, then the right."""
    run = make_run()
    n = nominate(run, 1)
    applicant = pf.Actor.applicant(n.unit_code, "p")
    city = pf.Actor(WEIHAI, "industry", "clerk")  # (no on-site check is held at Weihai)
    odd: Any = "not a moment"
    for call in (
        lambda: run.select(applicant, "enterprise", at=odd),
        lambda: run.select(applicant, "no-such-type"),
        lambda: run.select(applicant, "enterprise", idempotency_key=odd * 100),
        lambda: run.prepare_submission(applicant, odd),
        lambda: run.draw_spot_checks(city, at=odd),
        lambda: run.draw_spot_checks(city, idempotency_key=5),  # type: ignore[arg-type]
    ):
        with pytest.raises(pf.InvalidInput):
            call()
