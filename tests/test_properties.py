"""Property-based tests: random actions by random actors never break the invariants.

For any sequence of actions (most of them refused: wrong actor, missing stamps, late, over
quota...): no quota is ever exceeded, every refusal changes nothing, and replaying the audit
log reproduces the stored state and quota use exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import pilotflow as pf
from pilotflow.domain.events import FIXED_FIELDS, apply, quota_usage

from conftest import BatchOnlyMemoryStore, all_materials, file_material, shanghai, unit_code
from strategies import ORIGINS, UNIT_TYPES, steps


def _snapshot(run: pf.CampaignRun) -> tuple[Any, ...]:
    return (
        sorted((n.id, n.version, n.state, n.hop, n.stamps, n.seats) for n in run.nominations()),
        len(run.events()),
        run.store.quota_usage(run.campaign.id),
    )


def _check_quota(run: pf.CampaignRun) -> None:
    used = run.store.quota_usage(run.campaign.id)
    assert {k: v for k, v in quota_usage(run.nominations()).items() if v} == used
    for (authority, unit_type), n in used.items():
        rule = run.campaign.quota_rule(run.graph[authority])
        if rule is None:
            continue
        limit = rule.total if unit_type == "*" else rule.limits.get(unit_type)
        assert limit is None or n <= limit, (authority, unit_type, n, limit)


def _check_fixed_fields(run: pf.CampaignRun) -> None:
    """No event changes a field that events.FIXED_FIELDS says is fixed at filing."""
    current: dict[str, pf.Nomination] = {}
    for event in run.events():
        before = current.get(event.nomination_id)
        after = current[event.nomination_id] = apply(before, event)
        if before is not None:
            assert [getattr(before, f) for f in FIXED_FIELDS] == [getattr(after, f) for f in FIXED_FIELDS]


def _expand(run: pf.CampaignRun, script: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Unfold each "advance" step into three stamps and a recommend."""
    out = []
    for action, i, authority, department, as_applicant, minutes in script:
        if action != "advance":
            out.append((action, i, authority, department, as_applicant, minutes))
            continue
        out += [("stamp", i, "@holder", d, False, 0 if k else minutes)
                for k, d in enumerate(("industry", "civil_affairs", "health"))]  # fmt: skip
        out.append(("recommend", i, "@holder", department, False, 0))
    return out


def _play(run: pf.CampaignRun, clock: pf.FixedClock, script: list[tuple[Any, ...]]) -> None:
    for action, i, authority, department, as_applicant, minutes in _expand(run, script):
        clock.advance(minutes=minutes)
        # Pairs of units share a city and a unit type, so quotas are contended.
        origin = ORIGINS[(i // 2) % len(ORIGINS)]
        code = unit_code(i, origin)
        live = run.store.find_claim(run.campaign.id, code)
        if authority == "@holder":
            authority = live.holder if live is not None else origin
        applicant = pf.Actor.applicant(code, "applicant")
        clerk = pf.Actor(authority, department, "clerk")
        actor = applicant if as_applicant else clerk
        before = _snapshot(run)
        try:
            if action == "nominate":
                run.nominate(
                    actor, unit_code=code, unit_name=f"单位{i}", unit_type=UNIT_TYPES[(i // 4) % 2],
                    scenario="elderly_canteens", origin=origin, materials=all_materials(),
                )  # fmt: skip
            elif live is None:
                continue
            elif action == "stamp":
                run.stamp(clerk, live.id)
            elif action == "recommend":
                run.recommend(clerk, live.id)
            elif action == "select":
                run.select(clerk, live.unit_type)
            elif action == "withdraw":
                run.withdraw(actor, live.id)
            elif action == "return":
                run.return_for_revision(clerk, live.id, reason="补充材料")
            elif action == "decline":
                run.decline(clerk, live.id, reason="不符合条件")
            elif action == "attach":
                run.attach(actor, live.id, file_material("electronic_copy"))
        except pf.PilotflowError:
            assert before == _snapshot(run), f"refused {action} changed state"
        _check_quota(run)
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    _check_fixed_fields(run)
    assert run.store.quota_usage(run.campaign.id) == {k: v for k, v in snapshot.quota.items() if v}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps)
def test_random_actions_keep_invariants_in_memory(
    campaign: pf.Campaign, script: list[tuple[Any, ...]]
) -> None:
    """In memory: quotas hold, refusals change nothing, the log replays to the state."""
    clock = pf.FixedClock(shanghai(2023, 10, 16, 8))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    _play(run, clock, script)


def _by_unit(run: pf.CampaignRun) -> tuple[Any, ...]:
    """The run's nominations, log and quota use, nominations named by their unit (ids differ)."""
    units = {n.id: (n.unit_code, n.track) for n in run.nominations()}
    return (
        sorted(
            (units[n.id], n.version, n.state, n.hop, n.stamps, n.seats, n.updated_at)
            for n in run.nominations()
        ),
        [(units[e.nomination_id], e.version, e.action, e.actor, e.at) for e in run.events()],
        run.store.quota_usage(run.campaign.id),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=steps)
def test_the_memory_stores_single_commit_agrees_with_its_batch_commit(
    campaign: pf.Campaign, script: list[tuple[Any, ...]]
) -> None:
    """The memory store's fast commit of one change accepts, refuses and writes exactly what
    its batch commit (the reference) does: one script played on each leaves the same
    nominations, log and quota use."""
    outcomes = []
    for store in (pf.MemoryStore(), BatchOnlyMemoryStore()):
        clock = pf.FixedClock(shanghai(2023, 10, 16, 8))
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        _play(run, clock, script)
        outcomes.append(_by_unit(run))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(script=steps)
def test_random_actions_keep_invariants_on_sql(
    campaign: pf.Campaign,
    script: list[tuple[Any, ...]],
    kind: str,
    tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    """On SQLite and PostgreSQL: the same invariants hold through a real database."""
    import uuid

    clock = pf.FixedClock(shanghai(2023, 10, 16, 8))
    if kind == "sqlite":
        path: Path = tmp_path_factory.mktemp("prop") / "p.db"
        store = pf.open_store(f"sqlite:///{path}")
    else:
        url = request.getfixturevalue("pg_url")
        store = pf.open_store(url, schema=f"pf_prop_{uuid.uuid4().hex[:10]}")
    try:
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        _play(run, clock, script)
    finally:
        if kind == "postgres":
            from sqlalchemy import text

            schema = store.metadata.schema  # type: ignore[attr-defined]
            with store.engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        store.close()
