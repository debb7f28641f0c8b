"""Wrong types get typed errors: every public function, given anything, either works or
raises a PilotflowError subclass, and a refusal writes nothing.

Hypothesis drives each public function and constructor with one argument replaced by an
arbitrary value (None, numbers huge and odd, strings with controls and surrogates, bytes,
nested containers, naive and far-off moments, objects of the wrong class...), the others
valid. Nothing but success or a PilotflowError may come out, and the run's state and log are
unchanged after a PilotflowError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pilotflow as pf
from pilotflow.calendar import parse_moment
from pilotflow.reports import load_winners, summary_rows, write_summary
from pilotflow.service import Winner

from conftest import (
    WEIHAI_DISTRICT,
    bundled,
    nominate,
    shanghai,
    stamp_all,
    state_of,
    unit_code,
)

CLERK = pf.Actor(WEIHAI_DISTRICT, "industry", "clerk")
GRAPH = pf.AuthorityGraph.bundled()
MINISTRY = pf.Actor("MIN", "industry", "m")


class _Odd:
    """An object of no expected class that cannot be hashed (like a list or a dict)."""

    __hash__ = None  # type: ignore[assignment]


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**20, -(10**20), 10**400, 0, -1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", " ", "\x00", "\ud800", "\u200b", "371002", "enterprise", "x" * 300, "[bold]x[/]"]),
    st.binary(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.sampled_from([[[1]], [None], [{}], {}, {"a": 1}, set(), frozenset({1}), (), ([],), [object()]]),
    st.datetimes(),  # naive
    st.datetimes(timezones=st.timezones()),
    st.sampled_from(
        [
            datetime(9999, 12, 31, 23, tzinfo=timezone(-timedelta(hours=12))),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(2023, 10, 17, 9),
        ]
    ),
    st.builds(object),
    st.builds(_Odd),
    st.sampled_from([Path("/dev/null"), Path("/nonexistent"), pf.MemoryStore(), CLERK, MINISTRY]),
)


def _run() -> tuple[pf.CampaignRun, str]:
    campaign = bundled()
    clock = pf.FixedClock(shanghai(2023, 10, 17, 9))
    run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)
    n = stamp_all(run, nominate(run, 1).id)
    return run, n.id


def _winner() -> Winner:
    return Winner(unit_code(500), "老单位", "enterprise", 2017, WEIHAI_DISTRICT)


NID = object()  # stands for the id of the run's nomination

# method name -> valid keyword arguments
RUN_CALLS: dict[str, dict[str, Any]] = {
    "nominate": {
        "actor": pf.Actor.applicant(unit_code(2), "a"),
        "unit_code": unit_code(2),
        "unit_name": "单位",
        "unit_type": "enterprise",
        "scenario": "smart_nursing_homes",
        "origin": WEIHAI_DISTRICT,
        "materials": (),
        "at": None,
        "reason": None,
        "idempotency_key": None,
    },
    "attach": {"actor": CLERK, "nomination": NID, "material": pf.Material("application_form_paper"),
               "at": None, "idempotency_key": None},
    "attach_paper": {"actor": CLERK, "nomination": NID, "kind": "application_form_paper", "copies": 2,
                     "at": None, "idempotency_key": None},
    "attach_file": {"actor": CLERK, "nomination": NID, "kind": "application_form_pdf",
                    "path": "/nonexistent.pdf", "root": None, "at": None, "idempotency_key": None},
    "stamp": {"actor": CLERK, "nomination": NID, "at": None, "idempotency_key": None},
    "recommend": {"actor": CLERK, "nomination": NID, "at": None, "reason": None, "idempotency_key": None},
    "decline": {"actor": CLERK, "nomination": NID, "reason": "r", "at": None, "idempotency_key": None},
    "return_for_revision": {"actor": CLERK, "nomination": NID, "reason": "r", "at": None,
                            "idempotency_key": None},
    "withdraw": {"actor": CLERK, "nomination": NID, "at": None, "reason": None, "idempotency_key": None},
    "rank": {"authority": WEIHAI_DISTRICT, "unit_type": "enterprise", "order": (), "at": None,
             "track": "new"},
    "select": {"actor": CLERK, "unit_type": "enterprise", "order": (), "at": None, "dry_run": False,
               "idempotency_key": None, "track": "new"},
    "score": {"actor": MINISTRY, "nomination": NID, "score": 80, "opinion": "好", "at": None,
              "idempotency_key": None},
    "conclude_review": {"actor": MINISTRY, "nomination": NID, "at": None, "idempotency_key": None},
    "draw_spot_checks": {"actor": MINISTRY, "rate": 0.2, "nominations": None, "seed": 1, "at": None,
                         "idempotency_key": None},
    "record_spot_check": {"actor": MINISTRY, "nomination": NID, "passed": True, "reason": "r", "at": None,
                          "idempotency_key": None},
    "propose": {"actor": MINISTRY, "nomination": NID, "at": None, "idempotency_key": None},
    "publish_notice": {"actor": MINISTRY, "at": None},
    "file_objection": {"nomination": NID, "objector": "李某", "grounds": "g", "evidence": "e", "at": None,
                       "idempotency_key": None},
    "rule_on_objection": {"actor": MINISTRY, "nomination": NID, "upheld": True, "reason": "r", "at": None,
                          "idempotency_key": None},
    "announce": {"actor": MINISTRY, "at": None},
    "register_winners": {"actor": MINISTRY, "winners": [_winner()], "at": None, "idempotency_key": None},
    "apply_for_re_review": {"actor": CLERK, "unit_code": unit_code(500), "materials": (), "at": None,
                            "idempotency_key": None},
    "tick": {"now": None},
    "get": {"nomination_id": NID},
    "nominations": {"holder": None, "state": None, "unit_type": None},
    "history": {"nomination": NID},
    "position": {"nomination": NID, "at": None},
    "quota": {"authority": WEIHAI_DISTRICT},
    "quota_table": {"authorities": None},
    "as_of": {"when": shanghai(2023, 10, 17, 10)},
    "explain": {"nomination": NID, "action": "recommend", "actor": None, "at": None},
    "available_actions": {"actor": CLERK, "nomination": NID, "at": None},
    "use_list": {"unit_list": pf.UnitList.empty("dishonest_debtors")},
}  # fmt: skip

CASES = [(name, arg) for name, kwargs in RUN_CALLS.items() for arg in kwargs]


@pytest.mark.parametrize(("name", "arg"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=ODD_VALUES)
def test_every_run_method_gives_a_typed_error_and_writes_nothing(name: str, arg: str, value: object) -> None:
    """``CampaignRun.<name>`` with ``<arg>`` replaced by anything: success, or a PilotflowError
    and the store exactly as before."""
    run, nid = _run()
    call = {k: nid if v is NID else v for k, v in RUN_CALLS[name].items()}
    call[arg] = value
    before = state_of(run)
    try:
        getattr(run, name)(**call)
    except pf.PilotflowError:
        assert before == state_of(run)


CONSTRUCTORS: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "Actor": (pf.Actor, {"authority": WEIHAI_DISTRICT, "department": "industry", "person": "p"}),
    "Material": (pf.Material, {"kind": "application_form_paper", "copies": 1}),
    "Winner": (Winner, {"unit_code": unit_code(1), "unit_name": "n", "unit_type": "enterprise", "batch": 2017,
                        "authority": WEIHAI_DISTRICT}),
    "FixedClock": (pf.FixedClock, {"start": shanghai(2023, 10, 17)}),
    "SystemClock": (pf.SystemClock, {"timezone": "Asia/Shanghai"}),
    "CampaignRun": (pf.CampaignRun, {"campaign": bundled(), "store": None, "graph": None,
                                     "lists": pf.empty_lists(bundled()), "clock": None, "backfill": False}),
    "open_store": (pf.open_store, {"url": "memory://"}),
    "retry_on_conflict": (pf.retry_on_conflict, {"action": lambda: 1, "attempts": 2, "base_delay": 0.0,
                                                 "max_delay": 0.0, "sleep": lambda s: None}),
    "validate_unit_code": (pf.validate_unit_code, {"code": unit_code(1)}),
    "paper_material": (pf.paper_material, {"kind": bundled().materials["application_form_paper"],
                                           "copies": 1}),
    "empty_lists": (pf.empty_lists, {"campaign": bundled()}),
    "UnitList.empty": (pf.UnitList.empty, {"list_id": "x"}),
    "Actor.applicant": (pf.Actor.applicant, {"unit_code": unit_code(1), "person": "p"}),
    "Authority": (pf.Authority, {"code": "X1", "name": "n", "level": "district", "kind": "county",
                                 "parent": "MIN", "departments": ("industry",), "admits": ()}),
    "AuthorityGraph.registered_in": (GRAPH.registered_in, {"unit_code": unit_code(1)}),
    "AuthorityGraph.route": (GRAPH.route, {"origin": WEIHAI_DISTRICT, "campaign": bundled()}),
    "AuthorityGraph.find": (GRAPH.find, {"name": "环翠区"}),
    "AuthorityGraph.children": (GRAPH.children, {"code": "371000"}),
    "AuthorityGraph.getitem": (GRAPH.__getitem__, {"code": "371000"}),
    "UnitList.hit": (pf.UnitList.empty("x").hit, {"unit_code": unit_code(1), "at": shanghai(2023, 10, 17)}),
    "summary_rows": (summary_rows, {"run": _run()[0], "authority": WEIHAI_DISTRICT}),
    "load_winners": (load_winners, {"path": "/nonexistent/winners.csv"}),
    "write_summary": (write_summary, {"run": _run()[0], "authority": WEIHAI_DISTRICT,
                                      "path": "/nonexistent/folder/summary.xlsx"}),
    "parse_moment": (parse_moment, {"text": "2023-10-17T09:00+08:00", "what": "at",
                                    "timezone": "Asia/Shanghai"}),
}  # fmt: skip

CTOR_CASES = [(name, arg) for name, (_, kwargs) in CONSTRUCTORS.items() for arg in kwargs]


@pytest.mark.parametrize(("name", "arg"), CTOR_CASES, ids=[f"{n}-{a}" for n, a in CTOR_CASES])
@settings(max_examples=40, deadline=None)
@given(value=ODD_VALUES)
def test_every_constructor_and_function_gives_a_typed_error(name: str, arg: str, value: object) -> None:
    """A public constructor or module function with ``<arg>`` replaced by anything: success or a
    PilotflowError naming what is wrong."""
    function, kwargs = CONSTRUCTORS[name]
    call = dict(kwargs)
    call[arg] = value
    with contextlib.suppress(pf.PilotflowError):
        function(**call)


def test_the_examples_of_the_issue_are_typed_errors() -> None:
    """The calls the hostile-input sweep found raising raw errors each raise a PilotflowError
    subclass naming the argument."""
    run, _ = _run()
    code = unit_code(3)
    applicant = pf.Actor.applicant(code, "a")
    base = {"unit_code": code, "unit_name": "n", "unit_type": "enterprise", "scenario": "smart_nursing_homes",
            "origin": WEIHAI_DISTRICT}  # fmt: skip
    for change, word in (({"unit_type": ["x"]}, "unit_type"), ({"scenario": {}}, "scenario"),
                         ({"origin": []}, "origin"), ({"materials": None}, "materials")):  # fmt: skip
        with pytest.raises(pf.InvalidInput, match=word):
            run.nominate(applicant, **{**base, **change})
    with pytest.raises(pf.InvalidInput, match="order"):
        run.select(CLERK, "enterprise", order=None)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="order"):
        run.select(CLERK, "enterprise", order=[[1]])  # type: ignore[list-item]
    with pytest.raises(pf.InvalidInput, match="seed"):
        run.draw_spot_checks(MINISTRY, seed=[1])  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="winners"):
        run.register_winners(MINISTRY, None)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="authorities"):
        run.quota_table(5)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="url"):
        pf.open_store(None)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput, match="attempts"):
        pf.retry_on_conflict(lambda: 1, attempts="3")  # type: ignore[arg-type]
