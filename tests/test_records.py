"""Hot-path building blocks: the record builders (pilotflow.domain._fast), the memory store's event index."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import attrs
import pytest

import pilotflow as pf
from pilotflow.domain._fast import builder
from pilotflow.domain.events import Event, EventShape, build_event, build_nomination, event_data
from pilotflow.domain.records import Actor, Nomination

from conftest import attach_letter, nominate, shanghai

T0 = shanghai(2023, 10, 17, 9)


def _nomination_fields() -> tuple[object, ...]:
    return (
        "n1", "c", "rev", "91370000MA3C5CJX07", "单位", "enterprise", "s", ("a", "b"), 0,
        "in_review", (), (), (), 1, T0, T0, "new", None, None, "",
    )  # fmt: skip


def test_built_nomination_is_equal_to_one_built_by_attrs() -> None:
    """A Nomination from the fast builder equals, hashes and pickles like one from __init__,
    and stays frozen."""
    fast, slow = build_nomination(*_nomination_fields()), Nomination(*_nomination_fields())
    assert type(fast) is Nomination
    assert slow == fast
    assert hash(slow) == hash(fast)
    assert slow == pickle.loads(pickle.dumps(fast))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        fast.hop = 1  # type: ignore[misc]


def test_built_event_is_equal_to_one_built_by_attrs() -> None:
    """An Event from the fast builder equals one from __init__ and one from Event.of when data
    is converted; its shape's fields read as the event's own."""
    actor = Actor("370100", "miit", "clerk")
    shape = ("stamp", "in_review", "in_review", "370100", "370100", ("x",), "r", ())
    slow = Event("n1", 2, actor, T0, EventShape(*shape))
    fast = build_event("n1", 2, actor, T0, EventShape(*shape), None, event_data(None))
    assert slow == fast
    assert slow == Event.of("n1", 2, "stamp", actor, T0, *shape[1:])
    assert shape == (fast.action, fast.from_state, fast.to_state, fast.from_holder, fast.to_holder,
                     fast.verdicts, fast.revision, fast.lists)  # fmt: skip


def test_builder_refuses_a_class_with_validators_or_a_weakref_slot() -> None:
    """The builder would skip validators, and a __weakref__ slot changes the layout: both
    are refused when the builder is made, not at first use."""

    @attrs.frozen(weakref_slot=False)
    class Checked:
        x: int = attrs.field(validator=attrs.validators.instance_of(int))

    @attrs.frozen
    class WithWeakref:
        x: int

    with pytest.raises(TypeError, match="validators"):
        builder(Checked)
    with pytest.raises(TypeError, match="weakref_slot"):
        builder(WithWeakref)


def test_memory_store_event_index_follows_commits_made_before_and_after_it_is_built(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """MemoryStore builds its per-nomination event index on the first query: events committed
    before that query and after it are both found, in order, and only the nomination's own."""
    run = make_run(pf.MemoryStore())
    a, b = nominate(run, 1).id, nominate(run, 2).id
    paper = pf.Material("application_form_paper")
    run.attach(pf.Actor("371002", "industry", "clerk"), a, paper)
    assert [1, 2] == [e.version for e in run.history(a)]  # builds the index
    run.attach(pf.Actor("371002", "health", "clerk"), a, paper)
    run.attach(pf.Actor("371002", "industry", "clerk"), b, paper)
    assert [1, 2, 3] == [e.version for e in run.history(a)]
    assert [(b, 1), (b, 2)] == [(e.nomination_id, e.version) for e in run.history(b)]
    assert 5 == len(run.events())


def test_memory_store_log_gives_events_back_equal_and_shares_their_shapes(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """The memory store keeps its log in columns: events read back equal the ones the service
    built (a nomination's own data dict, shared stamp data, reasons, moments), per nomination
    and in order; the log replays to the state; and events of one transition between the same
    two authorities refer to one shape."""
    from pilotflow.store import memory

    appended: list[Event] = []
    store = pf.MemoryStore()
    log_append = memory._Log.append

    class Recording(memory._Log):
        __slots__ = ()

        def append(self, e: Event) -> None:
            appended.append(e)
            log_append(self, e)

    store._logs["smart-health-elderly-care-2023"] = Recording()
    run = make_run(store)
    a, b, c = nominate(run, 1).id, nominate(run, 2).id, nominate(run, 3).id
    for department in ("industry", "civil_affairs", "health"):
        run.stamp(pf.Actor("371002", department, "clerk"), a)
    run.stamp(pf.Actor("371002", "industry", "clerk"), c)
    run.decline(pf.Actor("371002", "industry", "clerk"), b, reason="材料不实 / materials untrue")
    attach_letter(run, a)
    run.recommend(pf.Actor("371002", "industry", "clerk"), a)
    # 3 filings; a's letter: drafted, 3 stamps, its material, sent; c's: drafted, 1 stamp;
    # b declined; a recommended
    assert 13 == len(appended)
    assert appended == run.events()
    assert [e for e in appended if e.nomination_id == b] == run.history(b)
    assert "材料不实 / materials untrue" == run.history(b)[-1].reason
    assert isinstance(run.history(a)[0].data, dict)
    assert {n.id: n for n in run.nominations()} == dict(run.replay().nominations)
    assert {s.id: s for s in run.submissions()} == dict(run.replay().submissions)
    first_stamps = [
        e for e in run.events() if e.action == "stamp_letter" and e.data["department"] == "industry"
    ]
    assert first_stamps[0].shape is first_stamps[1].shape  # a's and c's letters' first stamp: one shape


def test_events_pickle_and_copy_with_their_shared_data(make_run: Callable[..., pf.CampaignRun]) -> None:
    """A campaign's events (a nomination's own data, a stamp's shared read-only data, the
    shared empty data) survive pickling and deep copies equal, so a notebook can send them to
    another process or cache them; shared data refuses to be changed."""
    import copy

    run = make_run(pf.MemoryStore())
    a = nominate(run, 1).id
    run.stamp(pf.Actor("371002", "industry", "clerk"), a)
    run.decline(pf.Actor("371002", "industry", "clerk"), a, reason="材料不实 / materials untrue")
    events = run.events()
    assert events == pickle.loads(pickle.dumps(events))
    assert events == copy.deepcopy(events)
    (stamp_data,) = [e.data for e in events if e.action == "stamp_letter"]
    assert {"department": "industry"} == stamp_data
    with pytest.raises(TypeError, match="read-only"):
        stamp_data["department"] = "health"  # type: ignore[index]
    (declined,) = [e for e in events if e.action == "decline"]
    with pytest.raises(TypeError, match="只读"):
        declined.data.update(x=1)  # type: ignore[attr-defined]
    assert {"department": "industry"} == stamp_data
