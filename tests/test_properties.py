"""Property-based tests: random actions by random actors never break the invariants.

For any sequence of actions on units and on their submissions (推荐函: prepared, added to,
taken from, ordered, stamped, sent, recalled, returned, discarded), most of them refused
(wrong actor, missing stamps, late, over quota...): no quota is ever exceeded, every refusal
changes nothing, a unit is listed in one draft at most, a submission is sent whole or not at
all, and replaying the audit log reproduces the stored nominations, submissions and quota use
exactly.
"""

from __future__ import annotations

import functools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import pilotflow as pf
from pilotflow.domain.events import FIXED_FIELDS, apply, quota_usage
from pilotflow.domain.submissions import apply_submission
from pilotflow.samples import material_for

from conftest import (
    BatchOnlyMemoryStore,
    all_materials,
    bundled,
    file_material,
    shanghai,
    state_of,
    unit_code,
)
from strategies import LETTER_ACTIONS, ORIGINS, UNIT_TYPES, steps


@functools.cache
def _material(kind: str, copies: int) -> pf.Material:
    """A material of the bundled campaign as it must be attached (a file inspected once)."""
    return material_for(bundled(), kind, copies)


def _check_quota(run: pf.CampaignRun) -> None:
    used = run.store.quota_usage(run.campaign.id)
    assert {k: v for k, v in quota_usage(run.nominations()).items() if v} == used
    for (authority, unit_type), n in used.items():
        rule = run.campaign.quota_rule(run.graph[authority])
        if rule is None:
            continue
        limit = rule.total if unit_type == "*" else rule.limits.get(unit_type)
        assert limit is None or n <= limit, (authority, unit_type, n, limit)


def _check_one_draft(run: pf.CampaignRun) -> None:
    """No unit is listed in two drafts."""
    listed = Counter(u for s in run.submissions(state="draft") for u in s.units)
    assert [] == [u for u, k in listed.items() if k > 1]


def _check_fixed_fields(run: pf.CampaignRun) -> None:
    """No event changes a field that events.FIXED_FIELDS says is fixed at filing."""
    letters = {s.id for s in run.submissions()}
    current: dict[str, pf.Nomination] = {}
    for event in run.events():
        if event.nomination_id in letters:
            continue
        before = current.get(event.nomination_id)
        after = current[event.nomination_id] = apply(before, event)
        if before is not None:
            assert [getattr(before, f) for f in FIXED_FIELDS] == [getattr(after, f) for f in FIXED_FIELDS]


def _check_sent_whole(run: pf.CampaignRun) -> None:
    """A submission is sent whole or not at all: every ``send`` of a letter goes with one
    ``recommend`` of each unit it listed, naming the letter, at the version the letter kept;
    and no unit is recommended but by a letter's send."""
    letters: dict[str, pf.Submission] = {s.id: s for s in run.submissions()}
    replayed: dict[str, pf.Submission] = {}
    expected: dict[tuple[str, int], tuple[str, int]] = {}
    moved: dict[tuple[str, int], tuple[str, int]] = {}
    for event in run.events():
        if event.nomination_id in letters:
            s = replayed[s_id] = apply_submission(replayed.get(s_id := event.nomination_id), event)
            if event.action == "send":
                for rank, (nid, version) in enumerate(zip(s.units, s.sent_versions, strict=True), 1):
                    expected[nid, version] = (s.id, rank)
        elif event.action == "recommend":
            moved[event.nomination_id, event.version] = (event.data.get("submission"), event.data.get("rank"))
    assert expected == moved
    assert letters == replayed


def _check_replays(run: pf.CampaignRun) -> None:
    """Replaying the log gives the stored nominations, submissions and quota use."""
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    assert {s.id: s for s in run.submissions()} == dict(snapshot.submissions)
    assert run.store.quota_usage(run.campaign.id) == {k: v for k, v in snapshot.quota.items() if v}


def _expand(run: pf.CampaignRun, script: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Unfold each "advance" step into the letter's materials, three stamps and a recommend,
    and each "ready" step into the letter's materials, three stamps and a send."""
    out = []
    for action, i, authority, department, as_applicant, minutes in script:
        if action not in ("advance", "ready"):
            out.append((action, i, authority, department, as_applicant, minutes))
            continue
        attach, stamp, move = (
            ("attach_letter", "stamp", "recommend") if action == "advance" else
            ("attach_to_letter", "stamp_letter", "send")
        )  # fmt: skip
        out.append((attach, i, "@holder", department, False, minutes))
        out += [(stamp, i, "@holder", d, False, 0) for d in ("industry", "civil_affairs", "health")]
        out.append((move, i, "@holder", department, False, 0))
    return out


def _letter_material(run: pf.CampaignRun, sender: str, receiver: str | None) -> list[pf.Material]:
    """What the letter from ``sender`` to ``receiver`` must carry (or, where it carries
    nothing, a letter material it may not carry)."""
    required = run.letter_materials(sender, receiver) if receiver is not None else ()
    if not required:
        return [_material("joint_recommendation_letter", 1)]
    return [_material(r.kind, r.copies) for r in required]


def _unit_step(
    run: pf.CampaignRun, action: str, i: int, live: pf.Nomination | None, actor: pf.Actor, clerk: pf.Actor,
    origin: str, code: str,
) -> None:  # fmt: skip
    """One action on a unit (refused or not: the caller judges)."""
    if action == "nominate":
        run.nominate(
            actor, unit_code=code, unit_name=f"单位{i}", unit_type=UNIT_TYPES[(i // 4) % 2],
            scenario="elderly_canteens", origin=origin, materials=all_materials(),
        )  # fmt: skip
        return
    if live is None:
        return
    if action == "stamp":
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
    elif action == "attach_letter":
        for material in _letter_material(run, live.holder, live.next_authority):
            run.attach(actor, live.id, material)


def _letter_step(
    run: pf.CampaignRun, action: str, i: int, authority: str, department: str, live: pf.Nomination | None,
    following: pf.Nomination | None,
) -> None:  # fmt: skip
    """One action on a submission (refused or not: the caller judges)."""
    if action == "prepare":
        units = [n.id for n in (live, following) if n is not None]
        if units:
            who = run.get(units[0]).holder if authority == "@holder" else authority
            run.prepare_submission(pf.Actor(who, department, "clerk"), list(dict.fromkeys(units)))
        return
    letters = run.submissions()
    if not letters:
        return
    s = letters[i % len(letters)]
    if authority == "@holder":
        authority = s.receiver if action == "return_letter" else s.sender
    clerk = pf.Actor(authority, department, "clerk")
    if action == "add":
        if following is not None:
            run.add_to_submission(clerk, s.id, [following.id])
    elif action == "remove":
        unit = s.units[0] if s.units else (live.id if live is not None else None)
        if unit is not None:
            run.remove_from_submission(clerk, s.id, unit)
    elif action == "order":
        run.order_submission(clerk, s.id, list(reversed(s.units)))
    elif action == "attach_to_letter":
        for material in _letter_material(run, s.sender, s.receiver):
            run.attach_to_submission(clerk, s.id, material)
    elif action == "stamp_letter":
        run.stamp_submission(clerk, s.id)
    elif action == "send":
        run.send(clerk, s.id)
    elif action == "recall":
        run.recall(clerk, s.id, reason="材料有误，撤回修改")
    elif action == "return_letter":
        run.return_submission(clerk, s.id, reason="汇总表与材料不符")
    elif action == "discard":
        run.discard_submission(clerk, s.id)


def _play(run: pf.CampaignRun, clock: pf.FixedClock, script: list[tuple[Any, ...]]) -> None:
    for action, i, authority, department, as_applicant, minutes in _expand(run, script):
        clock.advance(minutes=minutes)
        # Pairs of units share a city and a unit type, so quotas are contended.
        origin = ORIGINS[(i // 2) % len(ORIGINS)]
        code = unit_code(i, origin)
        live = run.store.find_claim(run.campaign.id, code)
        nxt = (i + 1) % 8
        following = run.store.find_claim(run.campaign.id, unit_code(nxt, ORIGINS[(nxt // 2) % len(ORIGINS)]))
        before = state_of(run)
        try:
            if action in LETTER_ACTIONS or action in ("attach_to_letter", "stamp_letter", "send"):
                _letter_step(run, action, i, authority, department, live, following)
            else:
                if authority == "@holder":
                    authority = live.holder if live is not None else origin
                applicant = pf.Actor.applicant(code, "applicant")
                clerk = pf.Actor(authority, department, "clerk")
                actor = applicant if as_applicant else clerk
                _unit_step(run, action, i, live, actor, clerk, origin, code)
        except pf.PilotflowError:
            assert before == state_of(run), f"refused {action} changed state"
        else:
            if action == "send":
                _check_sent_whole(run)
        _check_quota(run)
        _check_one_draft(run)
    _check_replays(run)
    _check_sent_whole(run)
    _check_fixed_fields(run)


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
    """The run's nominations, letters, log and quota use, nominations named by their unit and
    letters by the position of their first event in the log (ids differ from run to run)."""
    units = {n.id: (n.unit_code, n.track) for n in run.nominations()}
    events = run.events()
    names: dict[str, str] = {nid: repr(unit) for nid, unit in units.items()}
    for k, e in enumerate(events):
        names.setdefault(e.nomination_id, f"letter {k}")
    letters = [
        (names[s.id], s.sender, s.receiver, s.state, [names[u] for u in s.units], s.stamps, s.version)
        for s in run.submissions()
    ]
    return (
        sorted(
            (units[n.id], n.version, n.state, n.hop, n.examined, n.seats, n.updated_at)
            for n in run.nominations()
        ),
        sorted(letters),
        [(names[e.nomination_id], e.version, e.action, e.actor, e.at) for e in events],
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
