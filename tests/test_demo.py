"""The demo scenario (``pilotflow.cli.demo.run_demo``): a realistic slice of the 2023 campaign on
SQLite, checked for what it is meant to show — quotas hold, some units are cut, refusals carry
their reasons, the audit log replays to the stored state."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

import pilotflow as pf
from pilotflow.cli.demo import UNITS, WINNERS, DemoResult, run_demo

CAMPAIGN_ID = "smart-health-elderly-care-2023"


@pytest.fixture(scope="module")
def demo_output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_output: io.StringIO) -> DemoResult:
    """One run of the demo for the whole module (it takes a second or two)."""
    console = Console(file=demo_output, width=140, color_system=None)
    return run_demo(tmp_path_factory.mktemp("demo") / "demo.db", console)


@pytest.fixture
def reopened(demo: DemoResult) -> Iterator[pf.CampaignRun]:
    """The demo's database, opened again through the public API."""
    campaign = pf.load_campaign(CAMPAIGN_ID)
    store = pf.open_store(demo.store_url)
    yield pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign))
    store.close()


def test_weihai_selects_within_its_quota(demo: DemoResult) -> None:
    """Weihai (quota 3/3/1/2) recommends at most its quota per unit type, and more candidates
    than seats means some are cut."""
    limits = {"enterprise": 3, "street_town": 3, "park": 1, "base": 2}
    for unit_type, limit in limits.items():
        selection = demo.selection("371000", unit_type)
        assert len(selection.recommended) <= limit, unit_type
    assert 3 == len(demo.selection("371000", "enterprise").recommended)
    assert 3 == len(demo.selection("371000", "enterprise").cut)
    assert 5 == demo.row("371000").cut


def test_every_selection_respects_its_quota(demo: DemoResult, reopened: pf.CampaignRun) -> None:
    """No authority ever uses more seats than its limit (Shandong 3/8/3/3, Dongying 1/1/1/1,
    Qingdao 2/4/2/2...), as recorded in the store."""
    for row in demo.summary:
        for line in reopened.quota(row.authority):
            assert line.limit is None or line.used <= line.limit, (row.authority, line)
    shandong = {line.unit_type: line.used for line in reopened.quota("370000")}
    assert 3 == shandong["enterprise"]
    assert 3 == len(demo.selection("370000", "enterprise").cut)


def test_reserve_pool_unit_is_ranked_first_at_shandong(demo: DemoResult, reopened: pf.CampaignRun) -> None:
    """Shandong's reserve pool (储备库) ranks its unit first although its score is lowest."""
    first = reopened.get(demo.selection("370000", "enterprise").ranked[0])
    assert "东营黄河口智慧养老科技有限公司" == first.unit_name
    assert "MIN" == first.holder  # it reached the ministry


def test_refusals_carry_their_reason_codes(demo: DemoResult) -> None:
    """Each refusal the demo provokes is refused for the expected reason, in both languages."""
    expected = {
        "duplicate_nomination",
        "disqualified",
        "unknown_department",
        "not_authorized",
        "stamps_missing",
        "quota_full",
        "deadline_passed",
    }
    assert expected == demo.refusal_codes()
    for refusal in demo.refusals:
        assert len(refusal.codes) == len(refusal.en) == len(refusal.zh)
        assert all(refusal.zh), refusal


def test_stamp_refusal_names_the_missing_department(demo: DemoResult) -> None:
    """The refused recommendation with an incomplete joint stamp names health (卫生健康)."""
    refusal = next(r for r in demo.refusals if "stamps_missing" in r.codes)
    assert ("stamps_missing",) == refusal.codes
    assert "health" in refusal.en[0]
    assert "卫生健康" in refusal.zh[0]


def test_replay_equals_store_state(demo: DemoResult, reopened: pf.CampaignRun) -> None:
    """Replaying the audit log from the file gives exactly the stored nominations and quota."""
    assert demo.replay_ok
    snapshot = reopened.replay()
    assert {n.id: n for n in reopened.nominations()} == dict(snapshot.nominations)
    assert reopened.store.quota_usage(CAMPAIGN_ID) == dict(snapshot.quota)
    assert demo.events == len(reopened.events())


def test_audit_log_moves_forward_to_the_announcement(demo: DemoResult, reopened: pf.CampaignRun) -> None:
    """The fixed clock only moves forward, from 16 October to the announcement on 14 November
    2023 (Asia/Shanghai), the day the 5-working-day notice from 6 November has closed."""
    moments = [e.at for e in reopened.events()]
    assert sorted(moments) == moments
    assert "2023-10-16" == moments[0].date().isoformat()
    assert "2023-11-14" == moments[-1].date().isoformat()


def test_summary_counts_add_up(demo: DemoResult) -> None:
    """Below the top, every nomination an authority received was recommended, cut, declined or
    is still pending there; the ministry received what Shandong and Qingdao recommended."""
    for row in demo.summary:
        if row.level != "ministry":
            assert row.received == row.recommended + row.cut + row.declined + row.pending, row
    sent_up = demo.row("370000").recommended + demo.row("370200").recommended
    assert sent_up == demo.row("MIN").received
    assert len(UNITS) + len(WINNERS) == demo.nominations
    assert 1 == demo.row("371000-NH").pending  # the late one never left 南海新区
    assert 1 == demo.row("371073").declined  # the listed one


def test_qingdao_goes_straight_to_the_ministry(reopened: pf.CampaignRun) -> None:
    """Qingdao (计划单列市) districts' nominations skip Shandong."""
    qingdao = [n for n in reopened.nominations() if n.origin.startswith("3702")]
    assert qingdao
    for n in qingdao:
        assert (n.origin, "370200", "MIN") == n.route


def test_demo_prints_the_summary(demo: DemoResult, demo_output: io.StringIO) -> None:
    """The console shows the phases, the refusals, the summary table and the replay check."""
    text = demo_output.getvalue()
    for expected in ("Weihai ranks and selects", "✗ refused", "Summary per level", "回放与存储一致 ✓"):
        assert expected in text


def test_keep_refuses_a_database_that_already_holds_the_demo(demo: DemoResult) -> None:
    """``fresh=False`` on a file already holding the campaign fails clearly and changes nothing."""
    with pytest.raises(pf.InvalidInput, match="--fresh"):
        run_demo(demo.db_path, fresh=False)


def test_fresh_recreates_the_database(tmp_path: Path) -> None:
    """Running twice on the same file starts over each time (same counts both times)."""
    db = tmp_path / "again.db"
    first = run_demo(db)
    second = run_demo(db)
    assert (first.nominations, first.events) == (second.nominations, second.events)


def test_the_whole_campaign_ends_announced_and_revoked(demo: DemoResult) -> None:
    """The demo runs the whole campaign: units are announced after the public notice, one is
    removed by an upheld objection, one rejected by a failed spot check, the earlier winners
    that did not apply are revoked, and the one Shandong kept within its 70% share is
    retained (announced)."""
    states = set(demo.outcomes.values())
    assert {"announced", "removed", "rejected", "revoked"} <= states
    assert "revoked" == demo.outcomes["文登区龙山街道"]
    assert "announced" == demo.outcomes["威海康宁智慧养老服务中心"]
