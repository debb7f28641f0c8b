"""The state machine's table: its names, its final states and the checks it passes when a
machine is built (pilotflow.domain.machine, .names, .routes)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import pilotflow as pf
from pilotflow.domain import machine, names, routes
from pilotflow.domain.machine import (
    STATE_TABLE,
    TRANSITION_TABLE,
    MachineTableError,
    Workflow,
    build_machine,
    check_table,
)

# A small sound machine: draft → open → (closed | dropped), open may stay open.
STATES: list[Any] = ["draft", "open", {"name": "closed", "final": True}, {"name": "dropped", "final": True}]
MOVES: list[dict[str, Any]] = [
    {"trigger": "start", "source": "draft", "dest": "open"},
    {"trigger": "note", "source": "open", "dest": None},
    {"trigger": "close", "source": "open", "dest": "closed"},
    {"trigger": "drop", "source": ["draft", "open"], "dest": "dropped"},
]


def refusal(states: list[Any], moves: list[dict[str, Any]], initial: str = "draft") -> MachineTableError:
    with pytest.raises(MachineTableError) as caught:
        check_table(states, moves, initial)
    return caught.value


def test_a_sound_table_passes_and_builds_a_machine() -> None:
    """The small table used below is itself sound: checking it raises nothing and the
    machine built from it knows its final states."""
    check_table(STATES, MOVES, "draft")
    built = build_machine(STATES, MOVES, "draft")
    assert {"closed", "dropped"} == {name for name, s in built.states.items() if s.final}


def test_the_bundled_table_passes_its_checks(campaign: pf.Campaign, graph: pf.AuthorityGraph) -> None:
    """The campaign machine's own table passes every check, and a Workflow built for the
    bundled campaign carries it with the declared final states."""
    check_table(STATE_TABLE, TRANSITION_TABLE, names.INITIAL_STATE)
    workflow = Workflow(campaign, graph)
    finals = {name for name, s in workflow.machine.states.items() if s.final}
    assert names.FINAL_STATES == finals


def test_final_states_are_the_terminal_states_and_nothing_leaves_them(
    campaign: pf.Campaign, graph: pf.AuthorityGraph
) -> None:
    """The states the table declares final are exactly the states a nomination is no longer
    live in (Nomination.is_live); the machine defines no action from them, and at least
    one from every other state."""
    from pilotflow.domain.records import TERMINAL_STATES

    declared = frozenset(s["name"] for s in STATE_TABLE if s.get("final"))
    assert names.FINAL_STATES == declared == TERMINAL_STATES
    expected = frozenset(
        {"announced", "declined", "withdrawn", "not_recommended", "lapsed", "rejected", "removed", "revoked"}
    )
    assert expected == declared
    workflow = Workflow(campaign, graph)
    for state in names.STATES:
        assert (state in declared) == (workflow.actions_from(state) == ()), state


def test_an_unknown_destination_is_refused() -> None:
    """A transition to a state the table does not declare is refused, naming the state and
    the transition, in English and Chinese."""
    error = refusal(STATES, [*MOVES, {"trigger": "reopen", "source": "open", "dest": "reopened"}])
    assert "unknown_state" == error.problem
    assert ("reopened",) == error.states
    assert "states not declared: 'reopened' (in 'open' ─reopen→ 'reopened')" in error.en
    assert "引用了未声明的状态：'reopened'" in error.zh
    assert str(error).startswith("state machine table: ")


def test_an_unknown_source_or_initial_state_is_refused() -> None:
    """A transition from an undeclared state, and an undeclared initial state, are refused
    as unknown states too."""
    error = refusal(STATES, [*MOVES, {"trigger": "close", "source": ["open", "opne"], "dest": "closed"}])
    assert ("unknown_state", ("opne",)) == (error.problem, error.states)
    error = refusal(STATES, MOVES, initial="nowhere")
    assert ("unknown_state", ("nowhere",)) == (error.problem, error.states)
    assert "initial 'nowhere'" in error.en


def test_an_unreachable_state_is_refused() -> None:
    """A declared state that no chain of transitions reaches from the initial state is
    refused, even when it has transitions of its own."""
    states = [*STATES, "limbo"]
    error = refusal(states, [*MOVES, {"trigger": "drop", "source": "limbo", "dest": "dropped"}])
    assert ("unreachable", ("limbo",)) == (error.problem, error.states)
    assert "states unreachable from the initial state 'draft': 'limbo'" in error.en
    assert "从初始状态 'draft' 无法到达以下状态：'limbo'" in error.zh


def test_a_live_state_with_no_way_out_is_refused() -> None:
    """A live (not final) state with no transition to another state is refused: with none at
    all, or with only transitions that stay where they are."""
    states = ["draft", "open", "stuck", {"name": "closed", "final": True}, {"name": "dropped", "final": True}]
    moves = [*MOVES, {"trigger": "park", "source": "open", "dest": "stuck"}]
    error = refusal(states, moves)
    assert ("dead_end", ("stuck",)) == (error.problem, error.states)
    assert "live states with no transition out of them: 'stuck'" in error.en
    assert "declare them final" in error.en
    assert "以下非终态没有通往其他状态的转换：'stuck'" in error.zh
    error = refusal(states, [*moves, {"trigger": "wait", "source": "stuck", "dest": "="}])
    assert ("dead_end", ("stuck",)) == (error.problem, error.states)


def test_live_states_that_cannot_reach_a_final_state_are_refused() -> None:
    """Live states that only lead to each other (a loop with no exit) are refused: every
    nomination must be able to end."""
    states = [*STATES, "ping", "pong"]
    moves = [
        *MOVES,
        {"trigger": "serve", "source": "open", "dest": "ping"},
        {"trigger": "hit", "source": "ping", "dest": "pong"},
        {"trigger": "hit", "source": "pong", "dest": "ping"},
    ]
    error = refusal(states, moves)
    assert ("no_way_to_final", ("ping", "pong")) == (error.problem, error.states)
    assert "live states from which no final state can be reached: 'ping', 'pong'" in error.en
    assert "以下非终态无法到达任何终态：'ping'、'pong'" in error.zh


def test_a_final_state_with_a_transition_is_refused() -> None:
    """A final state may have no transition at all: not one that leaves it, not one that
    stays (an internal transition), nor one through the every-state wildcard."""
    error = refusal(STATES, [*MOVES, {"trigger": "reopen", "source": "closed", "dest": "open"}])
    assert ("final_with_transitions", ("closed",)) == (error.problem, error.states)
    assert "final states cannot have transitions: 'closed' (reopen)" in error.en
    assert "终态不能再有转换：'closed' (reopen)" in error.zh
    error = refusal(STATES, [*MOVES, {"trigger": "note", "source": ["closed", "dropped"], "dest": None}])
    assert ("final_with_transitions", ("closed", "dropped")) == (error.problem, error.states)
    error = refusal(STATES, [*MOVES, {"trigger": "audit", "source": "*", "dest": "="}])
    assert ("final_with_transitions", ("closed", "dropped")) == (error.problem, error.states)


def test_a_state_declared_twice_is_refused() -> None:
    """A table declaring a state twice is refused (transitions would keep only one of them)."""
    error = refusal([*STATES, "open"], MOVES)
    assert ("duplicate_state", ("open",)) == (error.problem, error.states)


def test_a_refusal_is_a_bilingual_invalid_input() -> None:
    """The refusal is a PilotflowError (an InvalidInput, like a malformed authority graph)
    with an English and a Chinese message."""
    error = refusal(STATES, [*MOVES, {"trigger": "go", "source": "open", "dest": "gone"}])
    assert isinstance(error, pf.InvalidInput)
    assert isinstance(error, pf.PilotflowError)
    assert error.en != error.zh
    assert error.zh.startswith("状态机转换表有误：")


def test_building_a_workflow_checks_its_table(campaign: pf.Campaign, graph: pf.AuthorityGraph) -> None:
    """The checks run when a campaign's Workflow is built: one given a faulty table (here the
    bundled table with a transition out of 'announced') is refused before it exists."""
    faulty = [*TRANSITION_TABLE, {"trigger": "object", "source": "announced", "dest": "objected"}]
    with pytest.raises(MachineTableError) as caught:
        Workflow(campaign, graph, transitions=faulty)
    assert ("final_with_transitions", ("announced",)) == (caught.value.problem, caught.value.states)


def test_a_table_is_checked_once_per_shape(campaign: pf.Campaign, graph: pf.AuthorityGraph) -> None:
    """Building a Workflow again for a table of the same shape reuses the cached verdict
    instead of walking the graph again (the check is cheap on the hot path)."""
    Workflow(campaign, graph)
    before = machine._check_shape.cache_info()
    Workflow(campaign, graph)
    Workflow(campaign, graph, transitions=list(TRANSITION_TABLE))  # another object, same shape
    after = machine._check_shape.cache_info()
    assert before.misses == after.misses
    assert before.hits + 2 == after.hits


def test_the_state_diagram_names_every_state_and_action() -> None:
    """The machine module's docstring diagram mentions every state and every action of the
    table, the ministry phase included (so it cannot silently go stale again)."""
    doc = machine.__doc__ or ""
    missing = [name for name in (*names.STATES, *names.ACTIONS) if name not in doc]
    assert [] == missing
    for final in names.FINAL_STATES:
        assert f"[{final}]" in doc, final


def test_the_table_is_spelled_with_the_names() -> None:
    """Every state and trigger in the table is one of the names, in the names' order, and
    every action has a transition."""
    assert names.STATES == tuple(s["name"] for s in STATE_TABLE)
    triggers = list(dict.fromkeys(t["trigger"] for t in TRANSITION_TABLE))
    assert list(names.ACTIONS) == triggers


def test_names_are_plain_strings() -> None:
    """State and action names are plain str constants (they are what stores and logs hold):
    equal to, hashed like and serialised like their spelling; each has its labels."""
    assert "in_review" == names.IN_REVIEW
    assert type(names.IN_REVIEW) is str
    assert {"in_review": 1} == {names.IN_REVIEW: 1}
    assert '["in_review", "recommend"]' == json.dumps([names.IN_REVIEW, names.RECOMMEND])
    assert "推荐" == names.ACTION_ZH[names.RECOMMEND]
    assert "审核推荐中" == names.STATE_ZH[names.IN_REVIEW]
    assert set(names.STATES) == set(names.STATE_ZH) == set(names.STATE_EN)
    assert set(names.ACTIONS) == set(names.ACTION_ZH) == set(names.ACTION_EN)
    assert set(names.ROLES) <= set(names.ROLE_ZH) & set(names.ROLE_EN)
    assert len(set(names.STATES)) == len(names.STATES)
    assert len(set(names.ACTIONS)) == len(names.ACTIONS)
    with pytest.raises(TypeError):
        names.ACTION_ZH["recommend"] = "x"  # type: ignore[index]


def test_the_old_homes_of_the_names_still_export_them() -> None:
    """The names keep working from the modules that spelled them before (machine, guards,
    records), as the very same objects; the route plans from the machine module."""
    from pilotflow.domain import guards, records

    assert names.STATES is machine.STATES
    assert names.ACTIONS is machine.ACTIONS
    assert names.ACTION_ZH is machine.ACTION_ZH
    assert "system" == guards.SYSTEM
    assert ("applicant", "public", "objector") == (records.APPLICANT, records.PUBLIC, records.OBJECTOR)
    assert routes.HopPlan is machine.HopPlan
    assert routes.RoutePlan is machine.RoutePlan


def test_a_route_plan_is_the_same_from_the_workflow_and_from_routes(
    campaign: pf.Campaign, graph: pf.AuthorityGraph
) -> None:
    """Route planning moved to pilotflow.domain.routes: the workflow's (cached) plan equals
    the plan made there."""
    workflow = Workflow(campaign, graph)
    route = workflow.route("371002")
    assert routes.plan_route(campaign, graph, route) == workflow.plan(route)
    assert workflow.plan(route) is workflow.plan(route)


def test_an_action_impossible_in_a_state_is_refused_in_chinese_without_codes() -> None:
    """The refusal of an action the state does not allow names the state and the action by
    their Chinese labels in the Chinese message, never by their codes."""
    import pilotflow as pf
    from pilotflow.domain.machine import Workflow

    campaign = pf.load_campaign("smart-health-elderly-care-2023")
    reason = Workflow(campaign, pf.AuthorityGraph.bundled()).judge("in_review", "score", None)[1][0]  # type: ignore[arg-type]

    assert "not_allowed_in_state" == reason.code
    assert "当前状态（审核推荐中）下不能执行“专家评分”" == reason.zh
    assert "in_review" not in reason.zh
    assert "score" not in reason.zh


@pytest.mark.parametrize(
    ("states", "transitions"),
    [
        (None, []),
        ("new", []),
        ([1, 2], []),
        ([{"name": 3}], []),
        (["new"], [{"trigger": "go"}]),
        (["new"], ["go"]),
        (["new", "done"], [{"trigger": "go", "source": ["new", None], "dest": "done"}]),
    ],
)
def test_a_malformed_table_is_refused_as_such(states: Any, transitions: Any) -> None:
    """A table whose parts are not names, mappings or sequences is refused as ``malformed``
    (a MachineTableError in both languages), never with a raw TypeError or KeyError."""
    with pytest.raises(MachineTableError) as raised:
        check_table(states, transitions, "new")
    assert "malformed" == raised.value.problem
    assert "状态机转换表有误" in raised.value.zh
