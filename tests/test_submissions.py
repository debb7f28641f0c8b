"""The recommendation letter (推荐函) as a batch: one jointly stamped submission per sender and
hop, listing its units in its order, sent whole or not at all; recalled by the sender while the
receiver has not acted, returned by the receiver whole or unit by unit.

Every test runs through ``import pilotflow as pf``; those marked with the ``store`` fixture run
on the memory store, a SQLite file and PostgreSQL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.domain.names import S_REMOVE
from pilotflow.samples import material_for
from pilotflow.store import Store, SubmissionChange
from pilotflow.testing import _HeldCommits

from conftest import (
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    assert_replays,
    codes,
    nominate,
    refused,
    shanghai,
    state_of,
    unit_code,
)

DEPARTMENTS = ("industry", "civil_affairs", "health")


def officer(authority: str, department: str = "industry") -> pf.Actor:
    return pf.Actor(authority, department, f"{department}@{authority}")


def letter_ready(run: pf.CampaignRun, sid: str) -> pf.Submission:
    """The sender attaches the letter's own materials and its three departments stamp it."""
    s = run.submission(sid)
    for req in run.letter_materials(s.sender, s.receiver):
        run.attach_to_submission(officer(s.sender), sid, material_for(run.campaign, req.kind, req.copies))
    for d in run.graph[s.sender].stamping:
        s = run.stamp_submission(officer(s.sender, d), sid)
    return s


def district_letter(
    run: pf.CampaignRun, count: int, first: int = 1, unit_type: str = "enterprise"
) -> pf.Submission:
    """``count`` units filed at the Weihai district and listed in one draft letter to Weihai."""
    ids = [nominate(run, first + i, unit_type=unit_type).id for i in range(count)]
    return run.prepare_submission(officer(WEIHAI_DISTRICT), ids)


def at_the_city(run: pf.CampaignRun, first: int) -> list[str]:
    """Four enterprises (numbered from ``first``) each sent by the Weihai district in a letter
    of its own and examined at Weihai, ready for the city's selection (its quota: three)."""
    ids = []
    for i in range(4):
        s = letter_ready(run, district_letter(run, 1, first=first + i).id)
        run.send(officer(WEIHAI_DISTRICT), s.id)
        ids.append(s.units[0])
        for kind in ("application_materials", "electronic_copy_pdf"):
            run.attach(officer(WEIHAI), s.units[0], material_for(run.campaign, kind))
    return ids


def test_one_letter_carries_every_unit_of_the_sender_in_its_order(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A district lists three units in one letter, attaches the letter's material once,
    stamps it with its three departments and sends it: all three arrive at the city at once,
    each with one ``recommend`` event naming the letter, in the letter's order; the letter's
    own events are its preparation, material, three stamps and sending."""
    run = make_run(store)
    s = district_letter(run, 3)
    order = list(reversed(s.units))
    s = run.order_submission(officer(WEIHAI_DISTRICT), s.id, order)
    s = letter_ready(run, s.id)
    assert s.stamps == DEPARTMENTS
    assert s.state == pf.names.DRAFT
    sent = run.send(officer(WEIHAI_DISTRICT), s.id)
    assert sent.state == pf.names.SENT
    assert sent.holder == WEIHAI
    assert sent.units == tuple(order)
    for rank, nid in enumerate(order, 1):
        n = run.get(nid)
        assert n.holder == WEIHAI
        assert n.seats == (WEIHAI_DISTRICT,)
        last = run.history(nid)[-1]
        assert last.action == "recommend"
        assert last.data["submission"] == s.id
        assert last.data["rank"] == rank
    letter_events = [e.action for e in run.store.events(run.campaign.id, s.id)]
    assert letter_events == ["prepare_submission", "order_units", "attach_letter",
                             "stamp_letter", "stamp_letter", "stamp_letter", "send"]  # fmt: skip
    assert sent.sent_versions == tuple(run.get(nid).version for nid in order)
    assert_replays(run)


def test_a_send_is_whole_or_nothing_and_lists_every_reason(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """When one unit of a letter lacks its materials and the letter lacks a stamp, sending is
    refused with every reason (the letter's and that unit's, named), and nothing changes: no
    unit moves, no seat is taken, no event is written."""
    run = make_run(store)
    ids = [nominate(run, 1).id, nominate(run, 2, materials=False).id]
    s = run.prepare_submission(officer(WEIHAI_DISTRICT), ids)
    letter_ready(run, s.id)
    s = run.submission(s.id)
    # take one stamp off by listing the units in a new order (a stamp attests the letter as it is)
    s = run.order_submission(officer(WEIHAI_DISTRICT), s.id, list(reversed(s.units)))
    run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), s.id)
    before = state_of(run)
    why = refused(lambda: run.send(officer(WEIHAI_DISTRICT), s.id))
    assert "stamps_missing" in why.codes
    assert "materials_missing" in why.codes
    unit_reasons = [r for r in why.reasons if r.code == "materials_missing"]
    assert all(r.details["nomination"] == ids[1] for r in unit_reasons)
    assert "测试单位2" in unit_reasons[0].zh
    assert state_of(run) == before
    assert run.explain_submission(s.id) == why.reasons


def test_explain_submission_of_another_action_names_those_it_judges_in_chinese(run: pf.CampaignRun) -> None:
    """Pins the Chinese of explain_submission given an action it does not judge: the ones it
    does, by their Chinese names with each code in parentheses (报送（send）), and the action
    given echoed back."""
    with pytest.raises(pf.InvalidInput) as refused:
        run.explain_submission("x", "add_units")
    assert refused.value.zh == (
        "explain_submission 只能判断以下操作之一：联合盖章（stamp_letter）、报送（send）、"
        "撤回推荐函（recall_letter）、退回推荐函（return_letter）、作废推荐函（discard_letter），"
        "收到 'add_units'"
    )


def test_a_letter_over_quota_is_refused_whole(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Weihai may send three enterprises to Shandong: a letter of four is refused with the
    fourth named (quota_full) and no seat is taken; the same letter less one goes."""
    run = make_run(store)
    ids = []
    for i in range(4):
        s = district_letter(run, 1, first=10 + i)
        letter_ready(run, s.id)
        run.send(officer(WEIHAI_DISTRICT), s.id)
        ids.append(s.units[0])
    for nid in ids:
        run.attach(officer(WEIHAI), nid, material_for(run.campaign, "application_materials"))
        run.attach(officer(WEIHAI), nid, material_for(run.campaign, "electronic_copy_pdf"))
    letter = run.prepare_submission(officer(WEIHAI), ids)
    letter_ready(run, letter.id)
    before = state_of(run)
    why = refused(lambda: run.send(officer(WEIHAI), letter.id))
    assert isinstance(why, pf.QuotaExceeded)
    assert why.codes == ("quota_full",)
    assert why.reasons[0].details["nomination"] == ids[3]
    assert state_of(run) == before
    assert run.store.quota_used(run.campaign.id, WEIHAI, "enterprise") == 0
    run.remove_from_submission(officer(WEIHAI), letter.id, ids[3], reason="名额已满")
    letter_ready(run, letter.id)
    sent = run.send(officer(WEIHAI), letter.id)
    assert sent.units == tuple(ids[:3])
    assert run.store.quota_used(run.campaign.id, WEIHAI, "enterprise") == 3
    assert {run.get(n).holder for n in ids[:3]} == {SHANDONG}
    assert_replays(run)


def test_the_joint_stamp_belongs_to_the_letter(run: pf.CampaignRun) -> None:
    """Only the sender's stamping departments stamp its letter, each once; an outsider, a
    department twice, or an empty letter are refused; changing the units takes the stamps off."""
    s = district_letter(run, 2)
    assert codes(refused(lambda: run.stamp_submission(officer(WEIHAI, "health"), s.id)).reasons) == [
        "not_authorized"
    ]
    run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), s.id)
    again = refused(lambda: run.stamp_submission(officer(WEIHAI_DISTRICT, "health"), s.id))
    assert again.codes == ("already_stamped",)
    assert "卫生健康" in again.reasons[0].zh
    s = run.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, s.units[1])
    assert s.stamps == ()
    assert len(s.units) == 1
    s = run.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, s.units[0])
    assert refused(lambda: run.stamp_submission(officer(WEIHAI_DISTRICT), s.id)).codes == ("no_units",)
    with pytest.raises(pf.InvalidInput, match="applicant"):
        run.stamp_submission(pf.Actor.applicant(nominate(run, 9).unit_code, "x"), s.id)


def test_a_unit_joins_one_draft_held_by_the_sender(run: pf.CampaignRun) -> None:
    """A unit may join a letter only where it is held in review and bound for the letter's
    receiver, and only one draft at a time; every unit's reasons come at once."""
    s = district_letter(run, 1)
    other = nominate(run, 2)
    elsewhere = nominate(run, 3, origin="371003")
    why = refused(lambda: run.add_to_submission(officer(WEIHAI_DISTRICT), s.id, [s.units[0], elsewhere.id]))
    assert set(why.codes) == {"already_in_letter", "unit_not_held"}
    run.add_to_submission(officer(WEIHAI_DISTRICT), s.id, [other.id])
    second = refused(lambda: run.prepare_submission(officer(WEIHAI_DISTRICT), [other.id]))
    assert second.codes == ("in_other_letter",)
    with pytest.raises(pf.InvalidInput):
        run.prepare_submission(officer(WEIHAI_DISTRICT), [other.id, other.id])
    with pytest.raises(pf.InvalidInput):
        run.prepare_submission(officer(WEIHAI_DISTRICT), [])
    with pytest.raises(pf.NominationNotFound):
        run.prepare_submission(officer(WEIHAI_DISTRICT), ["no-such-nomination"])
    with pytest.raises(pf.InvalidInput):
        run.prepare_submission(officer(WEIHAI_DISTRICT), "not a list")  # type: ignore[arg-type]
    with pytest.raises(pf.SubmissionNotFound):
        run.submission("no-such-letter")


def test_the_sender_recalls_until_the_receiver_acts(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A sent letter the receiver has not acted on is recalled (撤回): its units come back,
    their seats given back, and it is a draft again, to be stamped again; once the receiver has
    acted on one of its units it can no longer be recalled."""
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 2).id)
    run.send(officer(WEIHAI_DISTRICT), s.id)
    back = run.recall(officer(WEIHAI_DISTRICT), s.id, reason="材料有误，撤回修改")
    assert back.state == pf.names.DRAFT
    assert back.stamps == ()
    assert back.sent_at is None
    for nid in s.units:
        n = run.get(nid)
        assert n.holder == WEIHAI_DISTRICT
        assert n.seats == ()
        assert run.history(nid)[-1].action == "recall"
    assert run.store.quota_usage(run.campaign.id) == {}
    letter_ready(run, s.id)
    run.send(officer(WEIHAI_DISTRICT), s.id)
    run.attach(officer(WEIHAI), s.units[0], material_for(run.campaign, "application_materials"))
    before = state_of(run)
    late = refused(lambda: run.recall(officer(WEIHAI_DISTRICT), s.id, reason="再次撤回"))
    assert late.codes == ("receiver_acted",)
    assert "威海市" in late.reasons[0].zh
    assert state_of(run) == before
    assert refused(lambda: run.recall(officer(WEIHAI), s.id, reason="x")).codes == (
        "not_authorized",
        "receiver_acted",
    )
    assert_replays(run)


def test_a_letter_the_receiver_returned_a_unit_of_cannot_be_recalled(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """Once the receiver has returned one unit of a sent letter (``return_for_revision``: the
    unit leaves the letter), it has acted on the letter: the sender's recall is refused
    (``receiver_acted``, the receiver named in Chinese, the returned unit in the details), as
    ``explain_submission`` says, and nothing changes; the receiver may still return the rest
    whole. A unit withdrawn by its applicant is no act of the receiver: the rest of that
    letter is still recalled."""
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 3).id)
    run.send(officer(WEIHAI_DISTRICT), s.id)
    run.return_for_revision(officer(WEIHAI), s.units[0], reason="请补充材料")
    assert run.submission(s.id).units == s.units[1:]
    before = state_of(run)
    late = refused(lambda: run.recall(officer(WEIHAI_DISTRICT), s.id, reason="撤回修改"))
    assert late.codes == ("receiver_acted",)
    assert late.reasons[0].details["returned"] == (s.units[0],)
    assert "威海市" in late.reasons[0].zh
    assert s.units[0] not in late.reasons[0].zh
    assert state_of(run) == before
    assert run.explain_submission(s.id, "recall_letter", actor=officer(WEIHAI_DISTRICT)) == late.reasons
    assert refused(lambda: run.recall(officer(WEIHAI), s.id, reason="x")).codes == (
        "not_authorized",
        "receiver_acted",
    )
    assert run.return_submission(officer(WEIHAI), s.id, reason="汇总表有误").units == s.units[1:]
    other = letter_ready(run, district_letter(run, 2, first=10).id)
    run.send(officer(WEIHAI_DISTRICT), other.id)
    gone = run.get(other.units[0])
    run.withdraw(pf.Actor.applicant(gone.unit_code, "contact"), gone.id, reason="不再申报")
    back = run.recall(officer(WEIHAI_DISTRICT), other.id, reason="撤回修改")
    assert (back.state, back.units) == (pf.names.DRAFT, other.units[1:])
    assert_replays(run)


def test_the_receiver_returns_a_letter_whole_or_a_unit(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """The receiver returns a whole letter (退回, final): its units go back to the sender and
    their seats are given back; returning one unit of a letter takes it out of the letter."""
    run = make_run(store)
    first = letter_ready(run, district_letter(run, 2).id)
    run.send(officer(WEIHAI_DISTRICT), first.id)
    returned = run.return_submission(officer(WEIHAI), first.id, reason="汇总表与申报材料不符")
    assert returned.state == pf.names.RETURNED
    assert returned.units == first.units
    assert {run.get(n).holder for n in first.units} == {WEIHAI_DISTRICT}
    assert run.store.quota_usage(run.campaign.id) == {}
    assert refused(lambda: run.send(officer(WEIHAI_DISTRICT), first.id)).codes[0] == "not_allowed_in_state"
    second = letter_ready(run, run.prepare_submission(officer(WEIHAI_DISTRICT), list(first.units)).id)
    run.send(officer(WEIHAI_DISTRICT), second.id)
    run.return_for_revision(officer(WEIHAI), second.units[0], reason="请补充材料")
    after = run.submission(second.id)
    assert after.units == second.units[1:]
    assert after.state == pf.names.SENT
    assert after.stamps == DEPARTMENTS
    assert run.store.events(run.campaign.id, second.id)[-1].action == "remove_unit"
    assert_replays(run)


def emptied_sent_letter(
    run: pf.CampaignRun, *, returned: bool, first: int = 1
) -> tuple[pf.Submission, pf.Submission]:
    """A district letter of two units (from the ``first``), sent, then emptied one unit at a
    time: each withdrawn by its applicant, or (``returned``) the first returned for revision
    by the receiver; the letter as sent and as it is now (sent, listing no unit)."""
    s = letter_ready(run, district_letter(run, 2, first=first).id)
    run.send(officer(WEIHAI_DISTRICT), s.id)
    for i, nid in enumerate(s.units):
        if returned and i == 0:
            run.return_for_revision(officer(WEIHAI), nid, reason="请补充材料")
            continue
        gone = run.get(nid)
        run.withdraw(pf.Actor.applicant(gone.unit_code, "contact"), gone.id, reason="不再申报")
    emptied = run.submission(s.id)
    assert (emptied.state, emptied.units) == (pf.names.SENT, ())
    return s, emptied


def test_a_sent_letter_every_unit_has_left_cannot_be_returned_whole(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A sent letter whose units have all left it one by one (one returned for revision by
    the receiver, one withdrawn by its applicant) stays sent with no unit; returning it whole
    is refused (``nothing_to_return``, in English and Chinese, the sender named) and changes
    nothing, and ``explain_submission`` says the same."""
    run = make_run(store)
    s, _ = emptied_sent_letter(run, returned=True)
    before = state_of(run)
    why = refused(lambda: run.return_submission(officer(WEIHAI), s.id, reason="汇总表与材料不符"))
    assert why.codes == ("nothing_to_return",)
    assert "nothing to return" in why.reasons[0].en
    assert "环翠区" in why.reasons[0].zh
    assert "没有可退回的推荐对象" in why.reasons[0].zh
    assert state_of(run) == before
    assert run.explain_submission(s.id, "return_letter", actor=officer(WEIHAI)) == why.reasons
    assert_replays(run)


def test_a_sent_letter_every_unit_has_left_cannot_be_recalled(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A sent letter whose units its applicants withdrew one by one (no act of the receiver)
    stays sent with no unit; recalling it would give back an empty draft and bring nothing
    back, so the sender's recall is refused (``nothing_to_recall``, in English and Chinese,
    the sender named) and changes nothing: the letter's state and version, the log, the
    units and the seats stay as they were; ``explain_submission`` says the same. A letter
    emptied partly by the receiver is refused for both reasons."""
    run = make_run(store)
    s, emptied = emptied_sent_letter(run, returned=False)
    before = state_of(run)
    why = refused(lambda: run.recall(officer(WEIHAI_DISTRICT), s.id, reason="撤回修改"))
    assert why.codes == ("nothing_to_recall",)
    assert "nothing to recall" in why.reasons[0].en
    assert why.reasons[0].zh == "环翠区 的推荐函所列推荐对象均已逐一退回或撤回，没有可撤回的推荐对象"
    assert state_of(run) == before
    after = run.submission(s.id)
    assert (after.state, after.version) == (pf.names.SENT, emptied.version)
    assert run.explain_submission(s.id, "recall_letter", actor=officer(WEIHAI_DISTRICT)) == why.reasons
    other, _ = emptied_sent_letter(run, returned=True, first=10)
    before = state_of(run)
    both = refused(lambda: run.recall(officer(WEIHAI_DISTRICT), other.id, reason="撤回修改"))
    assert both.codes == ("nothing_to_recall", "receiver_acted")
    assert state_of(run) == before
    assert_replays(run)


def test_a_withdrawn_or_declined_unit_leaves_its_letter(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A unit withdrawn by its applicant leaves the draft carrying it (whose stamps come off:
    the letter changed); a declined one too."""
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 3).id)
    gone = run.get(s.units[0])
    run.withdraw(pf.Actor.applicant(gone.unit_code, "contact"), gone.id, reason="不再申报")
    after = run.submission(s.id)
    assert after.units == s.units[1:]
    assert after.stamps == ()
    run.decline(officer(WEIHAI_DISTRICT), s.units[1], reason="不符合条件")
    assert run.submission(s.id).units == s.units[2:]
    assert_replays(run)


def test_a_draft_is_discarded_and_its_units_stay(run: pf.CampaignRun) -> None:
    """The sender discards a draft nobody will send (final): its units stay with it, free to
    join another letter."""
    s = district_letter(run, 2)
    gone = run.discard_submission(officer(WEIHAI_DISTRICT), s.id, reason="重新起草")
    assert gone.state == pf.names.DISCARDED
    assert (
        refused(lambda: run.stamp_submission(officer(WEIHAI_DISTRICT), s.id)).codes[0]
        == "not_allowed_in_state"
    )
    again = run.prepare_submission(officer(WEIHAI_DISTRICT), list(s.units))
    assert again.units == s.units


def test_the_per_unit_calls_work_on_top_of_submissions(run: pf.CampaignRun) -> None:
    """``stamp`` and ``recommend`` of one nomination act on the letter carrying it: a one-unit
    draft made for it; ``attach`` of a letter material goes to that letter; a unit in a letter of
    several is sent with the letter, not alone."""
    n = nominate(run, 1)
    letter = material_for(run.campaign, "joint_recommendation_letter")
    run.attach(officer(WEIHAI_DISTRICT), n.id, letter)
    for d in DEPARTMENTS:
        assert run.stamp(officer(WEIHAI_DISTRICT, d), n.id).version == n.version
    s = run.carrying(n.id)
    assert s is not None
    assert s.units == (n.id,)
    assert s.stamps == DEPARTMENTS
    assert s.materials == (letter,)
    moved = run.recommend(officer(WEIHAI_DISTRICT), n.id)
    assert moved.holder == WEIHAI
    assert run.submission(s.id).state == pf.names.SENT
    a, b = nominate(run, 2), nominate(run, 3)
    run.prepare_submission(officer(WEIHAI_DISTRICT), [a.id, b.id])
    with pytest.raises(pf.InvalidInput, match="send the submission"):
        run.recommend(officer(WEIHAI_DISTRICT), a.id)
    with pytest.raises(pf.InvalidInput):
        run.attach(pf.Actor.applicant(a.unit_code, "x"), a.id, letter)
    with pytest.raises(pf.InvalidInput):
        run.nominate(pf.Actor.applicant(a.unit_code[:-1] + "X", "x"), unit_code=a.unit_code, unit_name="x",
                     unit_type="enterprise", scenario="smart_nursing_homes", origin=WEIHAI_DISTRICT,
                     materials=[letter])  # fmt: skip


def test_a_letter_material_is_the_letters_own(run: pf.CampaignRun) -> None:
    """The letter's materials are those of ``per: submission`` at its hop (asked of a pair
    no route takes, refused: it answered none); a unit's own material is refused on a
    letter, and a letter's on a filing."""
    s = district_letter(run, 1)
    assert [r.kind for r in run.letter_materials(WEIHAI_DISTRICT, WEIHAI)] == ["joint_recommendation_letter"]
    with pytest.raises(pf.InvalidInput) as raised:  # no route goes from the district to the province
        run.letter_materials(WEIHAI_DISTRICT, "370000")
    assert "receiver" in raised.value.en
    assert "环翠区的推荐函不报送山东省，应报送威海市" in raised.value.zh
    with pytest.raises(pf.InvalidInput, match="each unit's own"):
        run.attach_to_submission(
            officer(WEIHAI_DISTRICT), s.id, material_for(run.campaign, "application_form_paper", 3)
        )
    for d in DEPARTMENTS:
        run.stamp_submission(officer(WEIHAI_DISTRICT, d), s.id)
    assert refused(lambda: run.send(officer(WEIHAI_DISTRICT), s.id)).codes == ("letter_materials_missing",)


def test_selection_lists_the_chosen_units_in_one_draft(run: pf.CampaignRun) -> None:
    """A city's selection lists the units within quota in its draft to the province, in rank
    order, cuts the rest, and counts units already listed against the quota; sending the
    letter takes the seats."""
    ids = at_the_city(run, 20)
    result = run.select(officer(WEIHAI), "enterprise", order=list(reversed(ids)))
    assert result.recommended == tuple(reversed(ids))[:3]
    assert result.cut == (ids[0],)
    (sid,) = result.submissions
    letter = run.submission(sid)
    assert letter.units == result.recommended
    assert letter.receiver == SHANDONG
    assert run.store.quota_used(run.campaign.id, WEIHAI, "enterprise") == 0
    again = run.select(officer(WEIHAI), "enterprise")  # those listed already count, nothing new
    assert set(again.recommended) == set(result.recommended)
    assert again.submissions == (sid,)  # the letter the recommended units are listed in
    assert again.cut == ()
    letter_ready(run, sid)
    run.send(officer(WEIHAI), sid)
    assert run.store.quota_used(run.campaign.id, WEIHAI, "enterprise") == 3
    assert_replays(run)


def test_a_repeated_send_with_its_key_is_answered_once(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A send carrying an idempotency key, repeated, returns the first result and writes
    nothing more."""
    run = make_run(store)
    s = letter_ready(run, district_letter(run, 2).id)
    first = run.send(officer(WEIHAI_DISTRICT), s.id, idempotency_key="send-1")
    events = len(run.events())
    assert run.send(officer(WEIHAI_DISTRICT), s.id, idempotency_key="send-1") == first
    assert len(run.events()) == events


def test_explain_and_position_speak_of_the_letter(run: pf.CampaignRun) -> None:
    """``explain(n, "recommend")`` and ``position(n)`` report the stamps missing from the
    letter carrying the unit (or from a letter not yet drafted)."""
    n = nominate(run, 1)
    assert "stamps_missing" in codes(run.explain(n.id, "recommend"))
    assert run.position(n.id).missing_stamps == DEPARTMENTS
    run.stamp(officer(WEIHAI_DISTRICT, "health"), n.id)
    assert run.position(n.id).missing_stamps == ("industry", "civil_affairs")
    assert "stamp" in run.available_actions(officer(WEIHAI_DISTRICT), n.id)
    with pytest.raises(pf.InvalidInput):
        run.explain_submission(run.carrying(n.id).id, "prepare_submission")  # type: ignore[union-attr]


def test_units_are_examined_one_by_one_before_they_join_a_letter() -> None:
    """Where the campaign names ``examine`` departments (here: industry at the districts),
    a unit joins its district's letter only once industry has examined it with an opinion;
    a department that does not examine, or one examining twice, is refused; the opinion is in
    the audit event."""
    import re

    from pilotflow.campaign_file import parse_campaign

    text = (
        Path(pf.__file__).parent / "data" / "campaigns" / "smart-health-elderly-care-2023.yaml"
    ).read_text(encoding="utf-8")
    acting = (
        "acting:\n"
        "  - at: {kinds: [central_enterprise]}\n    review: [hq]\n"
        "  - at: {levels: [district]}\n    review: [industry, civil_affairs, health]\n"
        "    examine: [industry]\n"
        "  - review: [industry, civil_affairs, health]\n"
    )
    campaign = parse_campaign(re.sub(r"(?m)^acting:\n(  .*\n)+", acting, text), source="examine.yaml")
    run = pf.CampaignRun(
        campaign, lists=pf.empty_lists(campaign), clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )
    n = nominate(run, 1)
    why = refused(lambda: run.prepare_submission(officer(WEIHAI_DISTRICT), [n.id]))
    assert why.codes == ("examinations_missing",)
    assert "工业和信息化" in why.reasons[0].zh
    health = refused(lambda: run.examine(officer(WEIHAI_DISTRICT, "health"), n.id, opinion="同意"))
    assert health.codes == ("not_an_examining_department",)
    examined = run.examine(officer(WEIHAI_DISTRICT), n.id, opinion="材料齐全，同意推荐")
    assert examined.examined == ("industry",)
    assert run.history(n.id)[-1].data["opinion"] == "材料齐全，同意推荐"
    twice = refused(lambda: run.examine(officer(WEIHAI_DISTRICT), n.id, opinion="再审"))
    assert twice.codes == ("already_examined",)
    assert run.prepare_submission(officer(WEIHAI_DISTRICT), [n.id]).units == (n.id,)
    assert_replays(run)


def test_a_selection_reports_listed_units_past_the_quota(run: pf.CampaignRun) -> None:
    """Units the sender listed in its draft itself count against its quota first; those past
    it are not cut (the sender listed them) but reported as skipped for a full quota, so the
    sender takes them out before the letter can go."""
    ids = at_the_city(run, 40)
    draft = run.prepare_submission(officer(WEIHAI), ids)
    result = run.select(officer(WEIHAI), "enterprise")
    assert set(result.recommended) == set(ids[:3])
    assert result.cut == ()
    assert codes(result.skipped[ids[3]]) == ["quota_full"]
    assert run.submission(draft.id).units == tuple(ids)


def test_a_send_dated_before_a_units_last_action_is_refused(run: pf.CampaignRun) -> None:
    """A unit's log stays in time order: a letter sent at a moment before one of its units'
    last action is refused for that unit, and nothing moves."""
    s = letter_ready(run, district_letter(run, 1).id)
    run.clock.set(shanghai(2023, 10, 17, 9, 2))  # type: ignore[attr-defined]
    run.attach(officer(WEIHAI_DISTRICT), s.units[0], material_for(run.campaign, "application_form_paper", 3))
    before = state_of(run)
    with pytest.raises(pf.PilotflowError):
        run.send(officer(WEIHAI_DISTRICT), s.id, at=shanghai(2023, 10, 17, 9, 1))
    assert state_of(run) == before


def test_a_unit_sent_alone_writes_its_letters_documents(tmp_path: Path) -> None:
    """With a documents folder, sending a unit in a letter of its own (``recommend``) writes
    the letter's summary table and draft there, as ``send`` does; a bad ``explain_submission``
    action is refused as InvalidInput."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock, documents=tmp_path)
    n = nominate(run, 1)
    run.attach(officer(WEIHAI_DISTRICT), n.id, material_for(campaign, "joint_recommendation_letter"))
    for d in DEPARTMENTS:
        run.stamp(officer(WEIHAI_DISTRICT, d), n.id)
    run.recommend(officer(WEIHAI_DISTRICT), n.id)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".docx", ".xlsx"]
    letter = run.submissions(state="sent")[0]
    with pytest.raises(pf.InvalidInput):
        run.explain_submission(letter.id, [1])  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput):
        pf.CampaignRun(campaign, documents=tmp_path / "missing")


def test_a_letter_sent_when_its_documents_cannot_be_written_stays_sent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The run's documents folder gone when a unit is sent in a letter of its own: the
    sending stands (the letter is sent, the unit moved on, the documents' hashes recorded),
    a warning on ``pilotflow.documents`` names the letter, the folder and the reason in English
    and Chinese, no partial file is left, and ``submission_documents`` writes them again."""
    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    folder = tmp_path / "documents"
    folder.mkdir()
    run = pf.CampaignRun(
        campaign,
        lists=pf.empty_lists(campaign),
        clock=pf.FixedClock(shanghai(2023, 10, 17, 9)),
        documents=folder,
    )
    n = nominate(run, 1)
    run.attach(officer(WEIHAI_DISTRICT), n.id, material_for(campaign, "joint_recommendation_letter"))
    for d in DEPARTMENTS:
        run.stamp(officer(WEIHAI_DISTRICT, d), n.id)
    folder.rmdir()
    with caplog.at_level(logging.WARNING, logger="pilotflow.documents"):
        sent = run.recommend(officer(WEIHAI_DISTRICT), n.id)
    assert sent.holder == run.graph[WEIHAI_DISTRICT].parent
    letter = run.submissions(state="sent")[0]
    assert letter.documents
    [record] = caplog.records
    assert letter.id in record.getMessage()
    assert "已报送" in record.getMessage()
    assert str(folder) in record.getMessage()
    assert [] == list(tmp_path.iterdir())
    folder.mkdir()
    run.submission_documents(letter, folder)
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".xlsx"]


class _BytesPath:
    """A path-like object that gives bytes, not a str."""

    def __fspath__(self) -> bytes:
        return b"/tmp"


def _sent_alone(run: pf.CampaignRun) -> pf.Submission:
    """A Weihai district unit sent in a letter of its own; the letter."""
    n = nominate(run, 1)
    run.attach(officer(WEIHAI_DISTRICT), n.id, material_for(run.campaign, "joint_recommendation_letter"))
    for d in DEPARTMENTS:
        run.stamp(officer(WEIHAI_DISTRICT, d), n.id)
    run.recommend(officer(WEIHAI_DISTRICT), n.id)
    return run.submissions(state="sent")[0]


@pytest.mark.parametrize("folder", [1, b"/tmp", _BytesPath(), "a\x00b", "/nonexistent/folder"])
def test_submission_documents_refuses_a_folder_that_is_no_folder(run: pf.CampaignRun, folder: object) -> None:
    """A folder that is no path (an int, bytes, a path-like of bytes, a NUL character) or no
    existing folder is InvalidInput naming ``folder`` in English and Chinese, never a raw
    TypeError; so is such a ``documents`` folder of a run."""
    letter = _sent_alone(run)
    with pytest.raises(pf.InvalidInput) as error:
        run.submission_documents(letter.id, folder)  # type: ignore[arg-type]
    assert "folder" in error.value.en
    assert "folder" in error.value.zh
    with pytest.raises(pf.InvalidInput, match="documents"):
        pf.CampaignRun(run.campaign, documents=folder)


def test_submission_documents_a_refused_write_is_invalid_input_and_leaves_nothing(
    run: pf.CampaignRun, tmp_path: Path
) -> None:
    """A write into the folder the operating system refuses (/proc; a document's name taken
    by a folder) is InvalidInput naming ``folder`` and what the system said, and leaves no
    partial file and no document behind; a usable folder gets both documents."""
    letter = _sent_alone(run)
    names = [f"{letter.id}-{doc.filename}" for doc in run.submission_documents(letter.id)]
    with pytest.raises(pf.InvalidInput) as error:
        run.submission_documents(letter.id, "/proc")
    for message in (error.value.en, error.value.zh):
        assert "folder" in message
        assert "'/proc'" in message
    (tmp_path / names[0]).mkdir()
    with pytest.raises(pf.InvalidInput, match="folder") as error:
        run.submission_documents(letter.id, tmp_path)
    assert "directory" in error.value.en
    assert [names[0]] == [p.name for p in tmp_path.iterdir()]
    (tmp_path / names[0]).rmdir()
    assert 2 == len(run.submission_documents(letter.id, tmp_path))
    assert sorted(names) == sorted(p.name for p in tmp_path.iterdir())


def counted_reads(store: Store, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[int]]:
    """Record the run's own reads of nominations on ``store`` from now on: the ids it reads
    with ``get`` one at a time, and the size of each ``get_many`` (a store's ``get_many``
    may call its own ``get``: not counted)."""
    gets: list[str] = []
    many: list[int] = []
    get, get_many = store.get, store.get_many
    inside = [False]

    def counted_get(nid: str) -> pf.Nomination:
        if not inside[0]:
            gets.append(nid)
        return get(nid)

    def counted_many(nids: Sequence[str]) -> list[pf.Nomination]:
        many.append(len(nids))
        inside[0] = True
        try:
            return get_many(nids)
        finally:
            inside[0] = False

    monkeypatch.setattr(store, "get", counted_get)
    monkeypatch.setattr(store, "get_many", counted_many)
    return gets, many


def test_a_letters_units_are_read_at_once(
    store: Store, make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Preparing a letter and adding units to it read the units in one ``get_many`` each,
    never one ``get`` per unit (a letter of a thousand units is one read, not a thousand
    round trips to the database)."""
    run = make_run(store)
    ids = [nominate(run, i).id for i in range(1, 8)]
    gets, many = counted_reads(store, monkeypatch)
    s = run.prepare_submission(officer(WEIHAI_DISTRICT), ids[:4])
    assert (gets, many) == ([], [4])
    many.clear()
    s = run.add_to_submission(officer(WEIHAI_DISTRICT), s.id, ids[4:])
    assert gets == []
    assert many == [3]
    assert s.units == tuple(ids)


def test_a_letter_names_the_first_unit_it_cannot_find(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """Units read at once are refused as one read at a time would refuse them, on every
    store: the first missing unit in the letter's order is named, and nothing is written."""
    run = make_run(store)
    first, second = nominate(run, 1).id, nominate(run, 2).id
    for units in ([first, "missing-a", second, "missing-b"], ["missing-a", first, "missing-b"]):
        with pytest.raises(pf.NominationNotFound) as caught:
            run.prepare_submission(officer(WEIHAI_DISTRICT), units)
        assert caught.value.nomination_id == "missing-a"
    s = run.prepare_submission(officer(WEIHAI_DISTRICT), [first])
    with pytest.raises(pf.NominationNotFound) as caught:
        run.add_to_submission(officer(WEIHAI_DISTRICT), s.id, [second, "missing-b", "missing-a"])
    assert caught.value.nomination_id == "missing-b"
    assert run.submission(s.id).units == (first,)
    assert run.store.submissions(run.campaign.id, sender=WEIHAI_DISTRICT) == [run.submission(s.id)]


def test_a_selection_reads_the_units_its_drafts_list_at_once(
    store: Store, make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The units a sender's drafts list already count against its quota first: a selection
    reads them in one ``get_many``, not one ``get`` each, and still reports those past the
    quota."""
    run = make_run(store)
    ids = at_the_city(run, 60)
    run.prepare_submission(officer(WEIHAI), ids)
    gets, many = counted_reads(store, monkeypatch)
    result = run.select(officer(WEIHAI), "enterprise")
    assert gets == []
    assert many == [4]
    assert codes(result.skipped[ids[3]]) == ["quota_full"]


def taken_out(run: pf.CampaignRun, letter: pf.Submission, unit: str) -> SubmissionChange:
    """The change that takes ``unit`` out of the draft ``letter`` (judged on it as given)."""
    return run._letter_change(
        letter, S_REMOVE, officer(WEIHAI_DISTRICT), letter.updated_at, None, {"unit": unit}
    )


def test_a_commit_lists_and_lets_go_of_units_in_its_order(
    store: Store, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """A batch commit's letters list and let go of units in the commit's order, on every
    store: a new letter listing two units, then one of them taken out, leaves that unit free
    to join another draft; a new letter listing a unit that another draft lets go of only
    later in the same commit is refused (ConflictError naming the unit), writing nothing."""
    run = make_run(store)
    a, b, u = (nominate(run, i).id for i in (1, 2, 3))
    held = _HeldCommits(store)
    make_run(held).prepare_submission(officer(WEIHAI_DISTRICT), [a, b])
    ((drafted,), _) = held.held.pop()
    letter = drafted.after
    assert isinstance(letter, pf.Submission)
    store.commit(run.campaign.id, [drafted, taken_out(run, letter, b)])
    assert run.submission(letter.id).units == (a,)
    assert run.prepare_submission(officer(WEIHAI_DISTRICT), [b]).units == (b,)  # b is in no draft
    make_run(held).prepare_submission(officer(WEIHAI_DISTRICT), [u])
    ((late,), _) = held.held.pop()
    first = run.prepare_submission(officer(WEIHAI_DISTRICT), [u])
    let_go = taken_out(run, first, u)
    before = state_of(run)
    with pytest.raises(pf.ConflictError) as refused:
        store.commit(run.campaign.id, [late, let_go])
    assert refused.value.nomination_id == u
    assert state_of(run) == before
    assert run.submission(first.id).units == (u,)


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\ufdd0", "\U0010ffff"])
def test_a_unit_name_with_a_noncharacter_is_refused_at_filing(
    make_run: Callable[..., pf.CampaignRun], character: str
) -> None:
    """A Unicode noncharacter (U+FFFE, U+FFFF...) is no text: a unit name holding one is
    refused when the unit is filed, naming the character in English and Chinese, and nothing
    is written. (Accepted, it made every send of its district's letter fail: the summary
    table's XML cannot hold it.)"""
    run = make_run()
    before = state_of(run)
    code = unit_code(1)
    with pytest.raises(pf.InvalidInput, match=f"U\\+{ord(character):04X}") as info:
        run.nominate(
            pf.Actor.applicant(code, "p"), unit_code=code, unit_name=f"坏{character}单位",
            unit_type="enterprise", origin="371002", scenario="smart_nursing_homes",
        )  # fmt: skip
    assert "非字符" in info.value.zh
    assert state_of(run) == before


def test_a_nomination_or_a_letter_holds_at_most_its_share_of_materials(
    make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each attach adds a material and every later action carries them all: a nomination and
    a letter hold at most MOST_MATERIALS (here 5). One more is refused (``materials_full``,
    in English and Chinese) and changes nothing; ``explain`` says so beforehand."""
    from pilotflow.domain import guards

    monkeypatch.setattr(guards, "MOST_MATERIALS", 5)
    run = make_run()
    n = nominate(run, 1, materials=False)
    applicant = pf.Actor.applicant(n.unit_code, "p")
    while len(n.materials) < 5:
        n = run.attach_paper(applicant, n.id, "application_form_paper", 3)
    assert ["materials_full"] == codes(run.explain(n.id, "attach", actor=applicant))
    before = state_of(run)
    with pytest.raises(pf.ActionRefused) as refusal:
        run.attach_paper(applicant, n.id, "application_form_paper", 3)
    assert ["materials_full"] == codes(refusal.value.reasons)
    assert "上限" in refusal.value.zh
    assert state_of(run) == before
    s = district_letter(run, 1, first=2)
    for _ in range(5):
        s = run.attach_paper_to_submission(officer(WEIHAI_DISTRICT), s.id, "joint_recommendation_letter", 1)
    with pytest.raises(pf.ActionRefused) as refusal:
        run.attach_paper_to_submission(officer(WEIHAI_DISTRICT), s.id, "joint_recommendation_letter", 1)
    assert ["materials_full"] == codes(refusal.value.reasons)
    assert run.submission(s.id) == s


def test_a_units_own_call_is_refused_under_its_own_name(make_run: Callable[..., pf.CampaignRun]) -> None:
    """``stamp`` of a unit by another district's department (its letter would be drafted in
    the same commit) and ``recommend`` of a withdrawn unit are refused as ``stamp`` and
    ``recommend``, the calls made, not as the letter's ``prepare_submission`` or ``send``;
    nothing is written."""
    run = make_run()
    n = nominate(run, 1)
    other = nominate(run, 2)
    before = state_of(run)
    with pytest.raises(pf.ActionRefused) as refusal:
        run.stamp(officer("371003"), n.id)
    assert ("stamp", n.id) == (refusal.value.action, refusal.value.nomination_id)
    assert ["not_authorized"] == codes(refusal.value.reasons)
    assert state_of(run) == before
    run.withdraw(pf.Actor.applicant(other.unit_code, "p"), other.id, reason="不再申报")
    with pytest.raises(pf.ActionRefused) as refusal:
        run.recommend(officer(WEIHAI_DISTRICT), other.id)
    assert "recommend" == refusal.value.action
    with pytest.raises(pf.ActionRefused) as refusal:  # its letter drafted, not stamped yet
        run.recommend(officer(WEIHAI_DISTRICT), n.id)
    assert ("recommend", n.id) == (refusal.value.action, refusal.value.nomination_id)
    run.stamp(officer(WEIHAI_DISTRICT), n.id)
    with pytest.raises(pf.ActionRefused) as refusal:  # stamped already
        run.stamp(officer(WEIHAI_DISTRICT), n.id)
    assert ("stamp", n.id) == (refusal.value.action, refusal.value.nomination_id)
