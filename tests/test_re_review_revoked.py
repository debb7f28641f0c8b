"""An earlier winner's re-review withdrawn, declined or cut at any level ends revoked.

The seed: 复核未通过的或未申请复核的单位将撤销称号并摘牌 (a withdrawn application is no
application). Pins that each of those actions leaves a re-review unit ``revoked`` (a new
application keeps withdrawn / declined / not_recommended), with its event still naming the
action, the actor and the reason; that quota seats behave as before (a withdrawal gives them
back, a decline or a cut keeps them); that the share of applicants still leaves out a
withdrawn application; that the deadline sweep revokes the winners that never applied exactly
once and never one already revoked; that 附件4 says 撤销称号并摘牌; and that the log replays
to the state on every store. All through ``import pilotflow as pf``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

import pilotflow as pf
from pilotflow.reports import summary_rows
from pilotflow.service import Winner

from conftest import (
    MIN,
    MINISTRY,
    SHANDONG,
    WEIHAI,
    WEIHAI_DISTRICT,
    all_materials,
    assert_replays,
    file_material,
    forward,
    nominate,
    on,
    refused,
    shanghai,
    unit_code,
)

MATERIALS = (*all_materials(), file_material("re_review_video"), file_material("re_review_application_form"))
DISTRICT = pf.Actor(WEIHAI_DISTRICT, "civil_affairs", "district-clerk")
CITY = pf.Actor(WEIHAI, "industry", "city-lead")
PROVINCE = pf.Actor(SHANDONG, "industry", "province-lead")
WEIHAI_CLOSES = shanghai(2023, 10, 19)  # the first hop's deadline ("于10月18日前", end of day)
PROVINCE_DAY = shanghai(2023, 10, 20, 9)


def winners(run: pf.CampaignRun, count: int) -> list[Winner]:
    """``count`` earlier winners of 环翠区, registered by the ministry."""
    rows = [Winner(unit_code(900 + i, WEIHAI_DISTRICT), f"复核单位{i}", "enterprise", 2018, WEIHAI_DISTRICT)
            for i in range(count)]  # fmt: skip
    run.register_winners(MINISTRY, rows)
    return rows


def apply(run: pf.CampaignRun, w: Winner) -> str:
    return run.apply_for_re_review(
        pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code, materials=MATERIALS
    ).id


def applicant(run: pf.CampaignRun, nid: str) -> pf.Actor:
    return pf.Actor.applicant(run.get(nid).unit_code, "负责人")


def ended(run: pf.CampaignRun, nid: str) -> tuple[str, str, str, pf.Actor, str | None]:
    """The last event of ``nid``: action, from and to state, actor, reason."""
    e = run.history(nid)[-1]
    return (e.action, e.from_state, e.to_state, e.actor, e.reason)


def at_ministry(run: pf.CampaignRun) -> str:
    """Two winners apply; the first is forwarded to the ministry (Shandong's share of its 2
    applicants: 1 seat). Returns its id."""
    first, second = (apply(run, w) for w in winners(run, 2))
    for _ in range(3):
        forward(run, first)
    assert "in_review" == run.get(second).state
    return first


def used(run: pf.CampaignRun, authority: str) -> int:
    return run.store.quota_used(run.campaign.id, authority, "re_review")


@pytest.fixture
def store_run(make_run: Callable[..., pf.CampaignRun], store: pf.Store) -> pf.CampaignRun:
    """A run of the bundled campaign on each store in turn."""
    return make_run(store=store)


# -- each way out ends revoked --------------------------------------------------------------------


def test_withdrawn_declined_and_cut_re_reviews_end_revoked(store_run: pf.CampaignRun) -> None:
    """On each store: a re-review withdrawn by the unit at its district, one declined by
    Weihai and one cut by Shandong's share (70% of 4 applicants, rounded down: 2 seats) all
    end ``revoked``; each event still names its action (withdraw, decline, cut), its actor
    and its reason; the log replays to the state and the quota use."""
    run = store_run
    withdrawn, declined, *at_province = (apply(run, w) for w in winners(run, 5))
    run.withdraw(applicant(run, withdrawn), withdrawn, reason="不再申请复核")
    forward(run, declined)
    run.decline(CITY, declined, reason="近年无明显进步")
    for nid in at_province:
        forward(run, nid)
        forward(run, nid)
    on(run, PROVINCE_DAY)
    result = run.select(PROVINCE, "enterprise", track="re_review")
    assert (2, 1) == (len(result.recommended), len(result.cut))

    assert ["revoked"] * 3 == [run.get(x).state for x in (withdrawn, declined, *result.cut)]
    assert ("withdraw", "in_review", "revoked", applicant(run, withdrawn), "不再申请复核") == ended(
        run, withdrawn
    )
    assert ("decline", "in_review", "revoked", CITY, "近年无明显进步") == ended(run, declined)
    action, source, dest, actor, reason = ended(run, result.cut[0])
    assert ("cut", "in_review", "revoked", PROVINCE) == (action, source, dest, actor)
    assert reason is not None
    assert "名额已满" in reason
    assert_replays(run)


def test_new_applications_keep_their_own_endings(run: pf.CampaignRun) -> None:
    """Only the re-review track is revoked: a 2023 application withdrawn, declined or cut
    is still withdrawn, declined or not_recommended."""
    withdrawn, declined = nominate(run, 1).id, nominate(run, 2).id
    run.withdraw(applicant(run, withdrawn), withdrawn)
    run.decline(DISTRICT, declined, reason="材料不实")
    cut = [forward(run, nominate(run, i).id).id for i in range(3, 7)]
    assert len(cut) == 4
    result = run.select(CITY, "enterprise")

    assert ["withdrawn", "declined"] == [run.get(x).state for x in (withdrawn, declined)]
    assert ["not_recommended"] == [run.get(x).state for x in result.cut]


def test_withdrawn_at_the_ministry_is_revoked_and_gives_its_seats_back(run: pf.CampaignRun) -> None:
    """A re-review received by the ministry and withdrawn before Shandong's hop closes is
    revoked; as before, the withdrawal gives back every seat it took (district, city,
    province)."""
    nid = at_ministry(run)
    assert (MIN, 1, 1) == (run.get(nid).holder, used(run, WEIHAI), used(run, SHANDONG))

    n = run.withdraw(applicant(run, nid), nid, reason="主动撤回")

    assert ("revoked", ()) == (n.state, n.seats)
    assert (0, 0, 0) == (used(run, WEIHAI_DISTRICT), used(run, WEIHAI), used(run, SHANDONG))
    assert ("withdraw", "received", "revoked") == ended(run, nid)[:3]
    assert_replays(run)


def test_declined_and_cut_keep_their_seats(run: pf.CampaignRun) -> None:
    """A decline or a cut that revokes a re-review keeps the seats already used below, as
    for any nomination: declined at Shandong, the district's and Weihai's seats stay used."""
    nid = apply(run, winners(run, 1)[0])
    forward(run, nid)
    forward(run, nid)
    on(run, PROVINCE_DAY)

    n = run.decline(PROVINCE, nid, reason="不符合复核标准")

    assert ("revoked", (WEIHAI_DISTRICT, WEIHAI)) == (n.state, n.seats)
    assert (1, 1) == (used(run, WEIHAI_DISTRICT), used(run, WEIHAI))


def test_declined_by_the_ministry_is_revoked(run: pf.CampaignRun) -> None:
    """The ministry declining a re-review it received revokes it, in the decline event."""
    nid = at_ministry(run)
    assert ("revoked", "decline") == (
        run.decline(MINISTRY, nid, reason="复核不通过").state,
        run.history(nid)[-1].action,
    )


# -- the share, the sweep, the summary table --------------------------------------------------------


def test_a_withdrawn_application_is_no_applicant_for_the_share(run: pf.CampaignRun) -> None:
    """Shandong's share counts the units that applied: of 3 that applied, one withdrew (no
    application), so 70% of 2, rounded down, is 1 seat; a decline would still count (see
    test_re_review)."""
    ids = [apply(run, w) for w in winners(run, 3)]
    run.withdraw(applicant(run, ids[0]), ids[0])
    for nid in ids[1:]:
        forward(run, nid)
        forward(run, nid)
    on(run, PROVINCE_DAY)

    result = run.select(PROVINCE, "enterprise", track="re_review")

    assert (1, 1) == (len(result.recommended), len(result.cut))


def test_the_sweep_revokes_non_applicants_once_and_no_one_revoked_already(store_run: pf.CampaignRun) -> None:
    """At the first hop's deadline the sweep revokes the winner that never applied, once
    however often it runs; the winner revoked by its withdrawal and the one revoked by its
    district's decline are left alone (no revoke_unapplied event for them)."""
    run = store_run
    never, withdrawn, declined = winners(run, 3)
    ids = {w.unit_code: apply(run, w) for w in (withdrawn, declined)}
    run.withdraw(applicant(run, ids[withdrawn.unit_code]), ids[withdrawn.unit_code])
    run.decline(DISTRICT, ids[declined.unit_code], reason="无明显进步")
    never_n = run.store.find_claim(run.campaign.id, never.unit_code, "re_review")
    assert never_n is not None

    fired = [
        run.tick(on(run, when)) for when in (WEIHAI_CLOSES, shanghai(2023, 10, 20), shanghai(2023, 10, 30))
    ]

    assert [(never_n.id,), (), ()] == [tuple(f) for f in fired]
    revocations = [(e.nomination_id, e.action) for e in run.events() if e.action == "revoke_unapplied"]
    assert [(never_n.id, "revoke_unapplied")] == revocations
    assert ["revoked"] * 3 == [run.get(x).state for x in (never_n.id, *ids.values())]
    assert ["not_allowed_in_state"] == [
        r.code
        for r in run.explain(ids[withdrawn.unit_code], "apply", actor=DISTRICT, at=shanghai(2023, 10, 18))
    ]
    assert_replays(run)


def test_the_summary_table_says_revoked_for_every_way_out(run: pf.CampaignRun) -> None:
    """附件4 of Weihai: a withdrawn, a declined and a never-applied winner all read
    撤销称号并摘牌, in the state column 已撤销."""
    rows = winners(run, 3)
    withdrawn, declined = apply(run, rows[0]), apply(run, rows[1])
    run.withdraw(applicant(run, withdrawn), withdrawn)
    run.decline(DISTRICT, declined, reason="无明显进步")
    run.tick(on(run, WEIHAI_CLOSES))

    table = summary_rows(run, WEIHAI)

    assert [("已撤销", "撤销称号并摘牌")] * 3 == [(r["state"], r["result"]) for r in table]


def test_a_revoked_winner_cannot_be_registered_again(run: pf.CampaignRun) -> None:
    """A winner revoked by its withdrawal still holds its registration: registering it again
    is a duplicate, and it cannot apply again."""
    [w] = winners(run, 1)
    nid = apply(run, w)
    run.withdraw(applicant(run, nid), nid)

    with pytest.raises(pf.DuplicateNomination):
        run.register_winners(MINISTRY, [w])
    assert ["not_allowed_in_state"] == list(refused(lambda: apply(run, w)).codes)
