"""A recall (撤回) of a letter that is not out with its receiver is refused, typed and whole."""

from __future__ import annotations

import pilotflow as pf
from pilotflow.samples import material_for

from conftest import WEIHAI_DISTRICT, nominate, refused, state_of


def _clerk(department: str = "industry") -> pf.Actor:
    return pf.Actor(WEIHAI_DISTRICT, department, f"{department}-clerk")


def test_a_draft_or_a_discarded_letter_cannot_be_recalled(run: pf.CampaignRun) -> None:
    """Recalling a draft (never sent, or recalled already) or a discarded letter is refused
    with ``not_allowed_in_state`` (an ActionRefused naming the letter's state, never a raw
    error) and changes nothing."""
    units = [nominate(run, i).id for i in (1, 2)]
    draft = run.prepare_submission(_clerk(), units)
    before = state_of(run)
    assert refused(lambda: run.recall(_clerk(), draft.id, reason="撤回")).codes == ("not_allowed_in_state",)
    assert before == state_of(run)
    for req in run.letter_materials(draft.sender, draft.receiver):
        run.attach_to_submission(_clerk(), draft.id, material_for(run.campaign, req.kind, req.copies))
    for department in run.graph[WEIHAI_DISTRICT].stamping:
        run.stamp_submission(_clerk(department), draft.id)
    run.send(_clerk(), draft.id)
    run.recall(_clerk(), draft.id, reason="材料有误")
    before = state_of(run)
    again = refused(lambda: run.recall(_clerk(), draft.id, reason="再次撤回"))
    assert again.codes == ("not_allowed_in_state",)
    assert before == state_of(run)
    run.discard_submission(_clerk(), draft.id)
    before = state_of(run)
    assert refused(lambda: run.recall(_clerk(), draft.id, reason="撤回")).codes == ("not_allowed_in_state",)
    assert before == state_of(run)
