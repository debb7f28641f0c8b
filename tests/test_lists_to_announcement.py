"""Disqualification lists judged at every step of the top up to the announcement.

Pins that a unit on a bar list when the ministry proposes it, publishes the notice or
announces is not moved on: ``propose`` is refused, ``publish_notice``, ``announce`` and the
deadline sweep leave it where it is and name it (with the reasons) in the result's
``skipped`` while the others go ahead; ``explain`` gives the same reason, naming the list in
Chinese and what the listing forbids; the event of a step records the list versions in force;
the lists' own scope (here: a list judged only within Shandong) still decides what the top
judges; a listed unit stays for the ministry's ruling (a decline) or until its listing ends.
All through ``import pilotflow as pf``, on the memory, SQLite and PostgreSQL stores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from importlib import resources

import pytest

import pilotflow as pf
from pilotflow.service import Winner

from conftest import (
    CAMPAIGN_ID,
    MIN,
    MINISTRY,
    SHANDONG,
    WEIHAI_DISTRICT,
    all_materials,
    assert_replays,
    codes,
    file_material,
    forward,
    nominate,
    on,
    refused,
    send_letters,
    shanghai,
    state_of,
    unit_code,
)

REVIEW_DAY = shanghai(2023, 11, 1, 9)
PUBLISH_DAY = shanghai(2023, 11, 2, 9)
NOTICE_CLOSES = shanghai(2023, 11, 10)  # 5 working days: Nov 3, 6, 7, 8, 9 → 24:00 of Nov 9
ABNORMAL = "abnormal_operations"  # 经营异常名录: bars every unit at every level
OTHER_GROUNDS = "other_grounds"  # bars re-review units, judged within Shandong only
RAW_CODE = re.compile(r"[a-z]+_[a-z_]+")  # a code such as abnormal_operations, in a Chinese message


def expert(i: int) -> pf.Actor:
    return pf.Actor(MIN, "industry", f"expert-{i}")


def reviewed(run: pf.CampaignRun, count: int, unit_type: str = "street_town") -> list[str]:
    """``count`` Weihai units forwarded to the ministry and reviewed (every expert gives 80)."""
    ids = []
    for i in range(count):
        n = nominate(run, i, unit_type=unit_type)
        for _ in range(len(n.route) - 1):
            n = forward(run, n.id)
        ids.append(n.id)
    on(run, REVIEW_DAY)
    for nid in ids:
        for e in range(5):
            run.score(expert(e), nid, score=80, opinion="材料翔实")
        assert "reviewed" == run.conclude_review(MINISTRY, nid).state
    return ids


def listing(nid: str, run: pf.CampaignRun, since: datetime, until: datetime | None = None) -> pf.Listing:
    return pf.Listing(run.get(nid).unit_code, since, until, reason="经营异常")


def bar(run: pf.CampaignRun, *entries: pf.Listing, version: str = "v2", list_id: str = ABNORMAL) -> None:
    """The run judges from now on with ``list_id`` holding ``entries`` (a new version)."""
    run.use_list(pf.UnitList.build(list_id, entries, version=version))


def assert_names_the_list(reasons: Sequence[pf.Reason], zh_list: str, forbids: str) -> None:
    """One ``disqualified`` reason naming the list by its Chinese name and what it forbids,
    with no raw code in the Chinese text."""
    assert ["disqualified"] == codes(reasons)
    zh = reasons[0].zh
    assert zh_list in zh
    assert f"不得{forbids}" in zh
    assert not RAW_CODE.search(zh), zh


@pytest.fixture
def store_run(make_run: Callable[..., pf.CampaignRun], store: pf.Store) -> pf.CampaignRun:
    """A run of the bundled campaign on each store in turn."""
    return make_run(store=store)


# -- propose -------------------------------------------------------------------------------------


def test_listed_when_proposed_is_refused_and_explained(store_run: pf.CampaignRun) -> None:
    """A reviewed unit listed (经营异常名录) after it reached the ministry is refused
    ``disqualified`` when the ministry proposes it, in both languages, naming the list in
    Chinese and that it may not go on the proposed list; explain() says the same beforehand;
    nothing is written; the other unit is proposed."""
    run = store_run
    listed, other = reviewed(run, 2)
    bar(run, listing(listed, run, REVIEW_DAY))
    before = state_of(run)

    explained = run.explain(listed, "propose", actor=MINISTRY)
    error = refused(lambda: run.propose(MINISTRY, listed))

    assert_names_the_list(explained, "经营异常名录", "列入拟认定名单")
    assert explained == error.reasons
    assert {"list": ABNORMAL, "list_version": "v2", "stage": "propose"}.items() <= dict(
        error.reasons[0].details
    ).items()
    assert "may not be put on the proposed list" in error.reasons[0].en
    assert before == state_of(run)
    assert "proposed" == run.propose(MINISTRY, other).state
    assert "reviewed" == run.get(listed).state
    assert_replays(run)


# -- publish -------------------------------------------------------------------------------------


def test_listed_when_published_stays_proposed_the_others_go_on_notice(store_run: pf.CampaignRun) -> None:
    """A proposed unit listed before the notice is published stays proposed; the others go on
    notice in the same publication; the result names the listed one in ``skipped`` with the
    reason (不得公示), and explain(id, "publish") gives it too."""
    run = store_run
    listed, a, b = reviewed(run, 3)
    for nid in (listed, a, b):
        run.propose(MINISTRY, nid)
    bar(run, listing(listed, run, shanghai(2023, 11, 1, 18)))

    published = run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))

    assert {a, b} == set(published)
    assert [listed] == list(published.skipped)
    assert_names_the_list(published.skipped[listed], "经营异常名录", "公示")
    assert_names_the_list(run.explain(listed, "publish", actor=MINISTRY), "经营异常名录", "公示")
    assert ["proposed", "on_notice", "on_notice"] == [run.get(x).state for x in (listed, a, b)]
    assert [] == [e for e in run.history(listed) if e.action == "publish"]
    assert_replays(run)


def test_publish_refused_for_another_reason_writes_nothing(run: pf.CampaignRun) -> None:
    """A publication by someone other than the ministry is still refused whole, listed unit
    or not: not_authorized, nothing written."""
    listed, other = reviewed(run, 2)
    for nid in (listed, other):
        run.propose(MINISTRY, nid)
    bar(run, listing(listed, run, shanghai(2023, 11, 1, 18)))
    on(run, PUBLISH_DAY)
    before = state_of(run)

    error = refused(lambda: run.publish_notice(pf.Actor(SHANDONG, "industry", "lead")))

    assert "not_authorized" in error.codes
    assert before == state_of(run)


# -- announce --------------------------------------------------------------------------------------


def test_listed_during_the_notice_is_not_announced_by_the_sweep(store_run: pf.CampaignRun) -> None:
    """A unit listed while on notice is not announced when the notice closes: the sweep
    announces the others, leaves it on notice and names it in ``skipped`` (不得公告); each
    later sweep reports it again without announcing it; explain(id, "announce") says why."""
    run = store_run
    listed, a, b = reviewed(run, 3)
    for nid in (listed, a, b):
        run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    bar(run, listing(listed, run, shanghai(2023, 11, 6, 10)))

    fired = run.tick(on(run, NOTICE_CLOSES))
    again = run.tick(on(run, shanghai(2023, 11, 11)))

    assert {a, b} == set(fired)
    assert [listed] == list(fired.skipped)
    assert_names_the_list(fired.skipped[listed], "经营异常名录", "公告")
    assert () == again
    assert [listed] == list(again.skipped)
    assert ["on_notice", "announced", "announced"] == [run.get(x).state for x in (listed, a, b)]
    assert_names_the_list(run.explain(listed, "announce", actor=MINISTRY), "经营异常名录", "公告")
    assert_replays(run)


def test_the_ministry_announcing_skips_the_listed_unit(run: pf.CampaignRun) -> None:
    """The ministry's own announcement does as the sweep: the listed unit stays on notice and
    is named in ``skipped``, the other is announced by the ministry."""
    listed, other = reviewed(run, 2)
    for nid in (listed, other):
        run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    bar(run, listing(listed, run, shanghai(2023, 11, 9, 23)))

    announced = run.announce(MINISTRY, at=on(run, NOTICE_CLOSES))

    assert (other,) == announced
    assert [listed] == list(announced.skipped)
    assert MINISTRY == run.history(other)[-1].actor
    assert "on_notice" == run.get(listed).state


def test_a_campaign_without_a_notice_announces_all_but_the_listed(clock: pf.FixedClock) -> None:
    """Where the top announces what it proposed (no public notice), a unit listed after it
    was proposed is not announced and is named in ``skipped``; the other is."""
    text = (
        resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
    )
    notice = "notice:\n  working_days: 5            # pilotflow's (the notice says 公示, not for how long)\n"
    assert notice in text
    campaign = pf.parse_campaign(text.replace(notice, "notice: none\n"), source="no notice")
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    listed, other = reviewed(run, 2)
    for nid in (listed, other):
        run.propose(MINISTRY, nid)
    bar(run, listing(listed, run, shanghai(2023, 11, 1, 18)))

    announced = run.announce(MINISTRY, at=on(run, PUBLISH_DAY))

    assert (other,) == announced
    assert [listed] == list(announced.skipped)
    assert ["proposed", "announced"] == [run.get(x).state for x in (listed, other)]


def test_a_listing_that_ended_no_longer_bars(run: pf.CampaignRun) -> None:
    """The lists are judged at the moment of each step: a unit listed at the close of its
    notice stays on notice; once the listing has ended (its ``until``), the next sweep
    announces it."""
    listed, other = reviewed(run, 2)
    for nid in (listed, other):
        run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    bar(run, listing(listed, run, shanghai(2023, 11, 6), until=shanghai(2023, 11, 15)))

    assert (other,) == run.tick(on(run, NOTICE_CLOSES))
    assert (listed,) == run.tick(on(run, shanghai(2023, 11, 15, 9)))
    assert "announced" == run.get(listed).state


# -- the list versions in the record, and the ministry's ruling ---------------------------------


def test_each_step_records_the_list_versions_in_force(run: pf.CampaignRun) -> None:
    """A new version of a list between the steps is recorded in the events after it: the
    proposal under v1, the announcement under v2 (on which the unit is not), and a refusal
    names the version it was judged on."""
    [nid, listed] = reviewed(run, 2)
    bar(run, version="v1")
    run.propose(MINISTRY, nid)
    run.propose(MINISTRY, listed)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    bar(run, listing(listed, run, shanghai(2023, 11, 3)), version="v2")

    run.tick(on(run, NOTICE_CLOSES))

    proposal, announcement = (
        next(e for e in run.history(nid) if e.action == a) for a in ("propose", "announce")
    )
    assert (ABNORMAL, "v1") in proposal.lists
    assert (ABNORMAL, "v2") in announcement.lists
    assert "v2" == run.explain(listed, "announce")[0].details["list_version"]


def test_the_ministry_declines_a_listed_unit(store_run: pf.CampaignRun) -> None:
    """A listed unit stays where it is for the ministry's ruling: the ministry declines it
    (on notice, proposed, or reviewed) with a reason, recorded in the decline event; a province
    clerk cannot."""
    run = store_run
    on_notice, proposed, kept = reviewed(run, 3)
    run.propose(MINISTRY, on_notice)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    run.propose(MINISTRY, proposed)  # proposed after the publication: not on notice
    bar(run, *(listing(x, run, shanghai(2023, 11, 3)) for x in (on_notice, proposed, kept)))
    on(run, NOTICE_CLOSES)
    assert (
        "not_authorized"
        in refused(
            lambda: run.decline(pf.Actor(SHANDONG, "industry", "lead"), on_notice, reason="列入经营异常名录")
        ).codes
    )

    for nid in (on_notice, proposed, kept):
        run.decline(MINISTRY, nid, reason="列入经营异常名录，不予认定")

    for nid, was in ((on_notice, "on_notice"), (proposed, "proposed"), (kept, "reviewed")):
        event = run.history(nid)[-1]
        assert ("decline", was, "declined") == (event.action, event.from_state, event.to_state)
        assert "列入经营异常名录，不予认定" == event.reason
    assert () == run.tick(on(run, shanghai(2023, 11, 11)))
    assert_replays(run)


# -- the lists' own scope ------------------------------------------------------------------------


def winner(i: int) -> Winner:
    return Winner(unit_code(900 + i, WEIHAI_DISTRICT), f"复核单位{i}", "enterprise", 2018, WEIHAI_DISTRICT)


def test_a_list_scoped_within_shandong_is_not_judged_at_the_top(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """The bundled 其他因违纪违法违规不宜推荐的情形 bars re-review units within Shandong only: an
    earlier winner put on it once at the ministry is proposed, published and announced (the
    top's lists are those scoped to it), while the same unit on 经营异常名录, judged
    everywhere, would be refused."""
    run = make_run()
    winners = [winner(0), winner(1)]
    run.register_winners(MINISTRY, winners)
    materials = (
        *all_materials(),
        file_material("re_review_video"),
        file_material("re_review_application_form"),
    )
    ids = []
    for w in winners:
        nid = run.apply_for_re_review(
            pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code, materials=materials
        ).id
        forward(run, nid)
        forward(run, nid)
        ids.append(nid)
    on(run, shanghai(2023, 10, 20, 9))
    chosen = run.select(pf.Actor(SHANDONG, "industry", "lead"), "enterprise", track="re_review")
    send_letters(run, chosen.submissions)
    [nid] = chosen.recommended
    on(run, REVIEW_DAY)
    for e in range(5):
        run.score(expert(e), nid, score=85, opinion="复核意见")
    run.conclude_review(MINISTRY, nid)
    code = run.get(nid).unit_code
    bar(run, pf.Listing(code, REVIEW_DAY, reason="其他情形"), list_id=OTHER_GROUNDS)
    assert [] == codes(run.explain(nid, "propose", actor=MINISTRY))
    # The same records, judged with the national list instead.
    with_national = make_run(
        store=run.store, lists=[pf.UnitList.build(ABNORMAL, [pf.Listing(code, REVIEW_DAY)])]
    )
    assert ["disqualified"] == codes(with_national.explain(nid, "propose", actor=MINISTRY))

    run.propose(MINISTRY, nid)
    run.publish_notice(MINISTRY, at=on(run, PUBLISH_DAY))
    assert (nid,) == run.tick(on(run, NOTICE_CLOSES))
    assert "announced" == run.get(nid).state
