"""ONE contract suite for every store: memory, SQLite (a real file), PostgreSQL (a real server).

The ``store`` fixture runs each test against every kind; in CI the PostgreSQL runs are
mandatory (a missing server fails them), locally they skip with a hint.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import pilotflow as pf
from pilotflow.store import Change, Store

from conftest import all_materials, forward, nominate, shanghai, stamp_all, unit_code


def _state(run: pf.CampaignRun) -> tuple[object, ...]:
    """Everything a store holds for the run: nominations, events, quota use."""
    return (
        sorted((n.id, n.version, n.state, n.holder) for n in run.nominations()),
        [(e.nomination_id, e.version, e.action) for e in run.events()],
        run.store.quota_usage(run.campaign.id),
    )


def test_nominate_and_read_back(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A filed nomination is read back equal, with one ``nominate`` event and version 1."""
    run = make_run(store)
    n = nominate(run, 1)
    assert n == run.get(n.id)
    assert n.version == 1
    assert [e.action for e in run.history(n.id)] == ["nominate"]
    assert n == store.find_claim(run.campaign.id, n.unit_code)


def test_whole_route_round_trips(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Driving a nomination to the ministry stores every version, event and seat, and the
    log replays to exactly the stored state and quota use."""
    run = make_run(store)
    n = nominate(run, 1)
    for _ in range(3):
        n = forward(run, n.id)
    assert n.state == "received"
    assert n.holder == "MIN"
    assert n == run.get(n.id)
    snapshot = run.replay()
    assert {n.id: n} == dict(snapshot.nominations)
    assert store.quota_usage(run.campaign.id) == dict(snapshot.quota)
    assert store.quota_used(run.campaign.id, "371000", "enterprise") == 1
    assert store.quota_used(run.campaign.id, "370000", "*") == 1
    assert len(run.events()) == 1 + 3 * (3 + 1)  # nominate, then 3 stamps + recommend a level


def test_events_keep_their_content(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """An event read back from the store has the actor, moment (with its offset), verdicts,
    campaign revision, list versions and data it was written with."""
    run = make_run(store)
    n = nominate(run, 1)
    n = stamp_all(run, n.id)
    stamp = run.history(n.id)[1]
    assert stamp.action == "stamp"
    assert pf.Actor("371002", "industry", "industry-clerk") == stamp.actor
    assert shanghai(2023, 10, 17, 9) == stamp.at
    assert stamp.at.isoformat()[-6:] == "+08:00"
    assert dict(stamp.data) == {"department": "industry"}
    assert run.campaign.revision == stamp.revision
    assert ("actor_holds", "before_deadline", "not_stamped_yet", "not_listed") == stamp.verdicts
    assert set(run.campaign.screening_lists) <= {k for k, _ in stamp.lists}
    first = run.history(n.id)[0]
    assert tuple(all_materials()) == first.data["materials"]


def test_stale_write_is_a_conflict(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Committing a change computed from an old version raises ConflictError and writes
    nothing (optimistic concurrency)."""
    run = make_run(store)
    n = nominate(run, 1)
    stale = run.get(n.id)
    run.stamp(pf.Actor("371002", "industry", "a"), n.id)
    before = _state(run)
    change = run._change(  # the change a second worker computed from the stale read
        stale, run._context(stale, pf.Actor("371002", "health", "b"), shanghai(2023, 10, 17, 10),
                            "stamp"),
        "stamp", pf.Actor("371002", "health", "b"), shanghai(2023, 10, 17, 10), stale.state,
        None, {"department": "health"},
    )  # fmt: skip
    with pytest.raises(pf.ConflictError) as info:
        store.commit(run.campaign.id, [change])
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert before == _state(run)


def test_batch_is_all_or_nothing(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A batch whose last change conflicts writes none of the earlier changes either."""
    run = make_run(store)
    a = nominate(run, 1)
    b = nominate(run, 2)
    actor = pf.Actor("371002", "industry", "a")
    at = shanghai(2023, 10, 17, 10)
    good = run._change(a, run._context(a, actor, at, "stamp"), "stamp", actor, at, a.state,
                       None, {"department": "industry"})  # fmt: skip
    run.stamp(actor, b.id)  # b moves on: a change computed from the old b is stale
    stale = run._change(b, run._context(b, actor, at, "stamp"), "stamp", actor, at, b.state,
                        None, {"department": "industry"})  # fmt: skip
    before = _state(run)
    with pytest.raises(pf.ConflictError):
        store.commit(run.campaign.id, [good, stale])
    assert before == _state(run)
    assert run.get(a.id).version == 1


def test_quota_seat_is_enforced_by_the_store(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Even if two changes were judged against the same free seat, the store lets only
    the quota's worth through and the loser gets QuotaExceeded with nothing written."""
    run = make_run(store)
    ids = []
    for i in range(4):
        n = nominate(run, i, origin="371002", unit_type="park")
        n = forward(run, n.id)  # district -> Weihai (no quota at district level)
        ids.append(stamp_all(run, n.id))
    weihai = pf.Actor("371000", "industry", "lead")
    at = shanghai(2023, 10, 17, 11)
    # Judge both before committing either: both see the one park seat of Weihai free.
    changes: list[Change] = [
        run._change(n, run._context(n, weihai, at, "recommend"), "recommend", weihai, at,
                    n.state, None, None)
        for n in ids[:2]
    ]  # fmt: skip
    store.commit(run.campaign.id, [changes[0]])
    before = _state(run)
    with pytest.raises(pf.QuotaExceeded) as info:
        run._commit("recommend", [changes[1]])
    assert info.value.codes == ("quota_full",)
    assert before == _state(run)
    assert store.quota_used(run.campaign.id, "371000", "park") == 1


def test_one_live_nomination_per_unit(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A second live nomination of the same unit is refused; after withdrawal it is allowed."""
    run = make_run(store)
    n = nominate(run, 7)
    with pytest.raises(pf.DuplicateNomination) as info:
        nominate(run, 7)
    assert n.id == info.value.existing_id
    run.withdraw(pf.Actor.applicant(n.unit_code, "x"), n.id, reason="重新准备材料")
    assert store.find_claim(run.campaign.id, n.unit_code) is None
    again = nominate(run, 7)
    assert again.id != n.id
    assert again == store.find_claim(run.campaign.id, unit_code(7))


def test_missing_nomination(store: Store) -> None:
    """Reading an unknown id raises NominationNotFound (a LookupError)."""
    with pytest.raises(pf.NominationNotFound):
        store.get("no-such-id")
    with pytest.raises(LookupError):
        store.get("no-such-id")


def test_filters(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """nominations() filters by holder, state and unit type, oldest first."""
    run = make_run(store)
    a = nominate(run, 1, unit_type="park")
    b = nominate(run, 2, unit_type="base")
    c = nominate(run, 3, origin="371003", unit_type="park")
    forward(run, c.id)
    assert [a.id, b.id] == [n.id for n in run.nominations(holder="371002")]
    assert [a.id] == [n.id for n in run.nominations(holder="371002", unit_type="park")]
    assert [c.id] == [n.id for n in run.nominations(holder="371000", state="in_review")]
    assert run.nominations(state="received") == []


def test_refusal_leaves_no_trace(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A refused action changes nothing in the store: state, quota and log are as before."""
    run = make_run(store)
    n = nominate(run, 1)
    before = _state(run)
    with pytest.raises(pf.ActionRefused):
        run.recommend(pf.Actor("371002", "industry", "a"), n.id)  # stamps missing
    with pytest.raises(pf.ActionRefused):
        run.stamp(pf.Actor("371003", "industry", "a"), n.id)  # not the holder
    assert before == _state(run)


# -- one rule for text, on every store ---------------------------------------------------------

BAD_TEXTS = [
    pytest.param("威海\x00公司", "control character", id="nul"),
    pytest.param("威海\ud800公司", "lone surrogate", id="lone-surrogate"),
    pytest.param("\u200b\u200b\u200b", "visible character", id="zero-width-only"),
    pytest.param("\x1b[2J威海", "control character", id="escape-sequence"),
    pytest.param("威" * (10 * 2**20), "at most", id="ten-mebibytes"),
]


@pytest.mark.parametrize(("text", "problem"), BAD_TEXTS)
def test_a_unit_name_breaking_the_text_rule_is_refused(
    store: Store, make_run: Callable[..., pf.CampaignRun], text: str, problem: str
) -> None:
    """A unit name with NUL, a lone surrogate, only zero-width characters, an escape sequence
    or 10 MiB is refused alike on every store, as InvalidInput naming the field; nothing is
    written."""
    run = make_run(store)
    before = _state(run)
    code = unit_code(1)
    with pytest.raises(pf.InvalidInput, match=problem) as error:
        run.nominate(
            pf.Actor.applicant(code, "a"), unit_code=code, unit_name=text, unit_type="enterprise",
            scenario="smart_nursing_homes", origin="371002", materials=all_materials(),
        )  # fmt: skip
    assert "unit_name" in error.value.en
    assert before == _state(run)


@pytest.mark.parametrize(("text", "problem"), BAD_TEXTS)
def test_reasons_and_keys_breaking_the_text_rule_are_refused(
    store: Store, make_run: Callable[..., pf.CampaignRun], text: str, problem: str
) -> None:
    """A reason, an idempotency key and an actor's person id obey the same rule on every store."""
    run = make_run(store)
    n = nominate(run, 1)
    before = _state(run)
    clerk = pf.Actor("371002", "industry", "clerk")
    with pytest.raises(pf.InvalidInput, match=problem):
        run.decline(clerk, n.id, reason=text)
    with pytest.raises(pf.InvalidInput):
        run.stamp(clerk, n.id, idempotency_key=text)
    with pytest.raises(pf.InvalidInput):
        pf.Actor("371002", "industry", text)
    assert before == _state(run)


@pytest.mark.parametrize("bad_id", ["\ud800", "abc\x00", "x" * 10_000])
def test_reading_with_an_impossible_id_is_invalid_input(
    store: Store, make_run: Callable[..., pf.CampaignRun], bad_id: str
) -> None:
    """``get``, ``history``, ``position`` and an action given an id no store can hold say so
    (InvalidInput naming the id) on every store, never a driver's encoding error."""
    run = make_run(store)
    nominate(run, 1)
    for call in (
        lambda: run.get(bad_id),
        lambda: run.history(bad_id),
        lambda: run.position(bad_id),
        lambda: run.stamp(pf.Actor("371002", "industry", "c"), bad_id),
    ):
        with pytest.raises(pf.InvalidInput, match="nomination id"):
            call()


def test_multi_line_reasons_keep_their_lines(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A reason may hold line breaks and tabs (a written opinion), stored and read back alike."""
    run = make_run(store)
    n = nominate(run, 1)
    run.decline(pf.Actor("371002", "industry", "c"), n.id, reason="  一、材料不全；\n二、\t数据不实  ")
    assert "一、材料不全；\n二、\t数据不实" == run.history(n.id)[-1].reason


def test_paper_material_carries_no_file_fields(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A paper material declared with a file name (which no inspection checked) is refused;
    copies are bounded."""
    run = make_run(store)
    n = nominate(run, 1, materials=False)
    clerk = pf.Actor("371002", "industry", "c")
    with pytest.raises(pf.InvalidInput, match="paper material"):
        run.attach(clerk, n.id, pf.Material("application_form_paper", copies=3, filename="\ud800.pdf"))
    with pytest.raises(pf.InvalidInput, match="copies"):
        pf.Material("application_form_paper", copies=10**20)


@pytest.mark.parametrize("reason", ["a\x00b", "a\ud800", "\u200b", "x" * 100_000, 5], ids=str)
def test_a_nominations_reason_obeys_the_text_rule(
    store: Store, make_run: Callable[..., pf.CampaignRun], reason: object
) -> None:
    """``nominate(reason=...)`` is held to the text rule like every other reason, on every
    store: refused as InvalidInput, nothing written."""
    run = make_run(store)
    before = _state(run)
    code = unit_code(1)
    with pytest.raises(pf.InvalidInput, match="nominate reason"):
        run.nominate(
            pf.Actor.applicant(code, "a"), unit_code=code, unit_name="单位", unit_type="enterprise",
            scenario="smart_nursing_homes", origin="371002", reason=reason,  # type: ignore[arg-type]
        )  # fmt: skip
    assert before == _state(run)


@pytest.mark.parametrize("name", ["\u3164", "\u2800\u2800", "\uffa0", "a\u202eb", "a\u2028b"])
def test_blank_letters_and_bidi_controls_are_not_a_name(
    store: Store, make_run: Callable[..., pf.CampaignRun], name: str
) -> None:
    """A name made of characters that print as nothing (Hangul fillers, the blank Braille
    pattern), or holding a bidirectional override or a line separator, is refused alike on
    every store."""
    run = make_run(store)
    code = unit_code(1)
    with pytest.raises(pf.InvalidInput, match="unit_name"):
        run.nominate(
            pf.Actor.applicant(code, "a"), unit_code=code, unit_name=name, unit_type="enterprise",
            scenario="smart_nursing_homes", origin="371002",
        )  # fmt: skip


@pytest.mark.parametrize("odd", ["\ud800", "a\x00b"], ids=["lone-surrogate", "nul"])
def test_a_store_lookup_by_text_no_store_can_hold_finds_nothing(store: Store, odd: str) -> None:
    """Called directly, every store answers a lookup by text it cannot hold (a lone surrogate,
    a NUL) alike: not found, nothing, zero; never a driver's encoding error."""
    with pytest.raises(pf.NominationNotFound):
        store.get(odd)
    assert [] == store.events("c", odd)
    assert [] == store.nominations(odd)
    assert None is store.find_claim("c", odd)
    assert None is store.receipt("c", odd)
    assert 0 == store.quota_used("c", odd, "enterprise")
    assert {} == store.quota_usage(odd)


@pytest.mark.parametrize("odd", [[], 5, None], ids=["list", "int", "none"])
def test_a_store_lookup_by_something_that_is_not_text_is_invalid_input(store: Store, odd: object) -> None:
    """Called directly, every store refuses a lookup argument that is not text with an
    InvalidInput naming it, and ``commit`` refuses changes that are not a list."""
    with pytest.raises(pf.InvalidInput):
        store.get(odd)  # type: ignore[arg-type]
    if odd is not None:  # None is "no filter" where a filter is optional
        with pytest.raises(pf.InvalidInput):
            store.events("c", odd)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput):
        store.quota_used("c", odd, "enterprise")  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput):
        store.receipt("c", odd)  # type: ignore[arg-type]
    if odd != []:  # an empty list of changes commits nothing
        with pytest.raises(pf.InvalidInput, match="changes"):
            store.commit("c", odd)  # type: ignore[arg-type]
