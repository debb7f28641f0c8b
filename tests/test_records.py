"""Hot-path building blocks: the record builders (pilotflow._records), the memory store's event index."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import attrs
import pytest

import pilotflow as pf
from pilotflow._records import builder
from pilotflow.events import Event, build_event, build_nomination, event_data
from pilotflow.nomination import Actor, Nomination

from conftest import nominate, shanghai

T0 = shanghai(2023, 10, 17, 9)


def _nomination_fields() -> tuple[object, ...]:
    return (
        "n1", "c", "rev", "91370000MA3C5CJX07", "单位", "enterprise", "s", ("a", "b"), 0,
        "in_review", (), (), (), 1, T0, T0, "new", None, None,
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
    """An Event from the fast builder equals one from __init__ when data is converted."""
    actor = Actor("370100", "miit", "clerk")
    fields = ("n1", 2, "stamp", actor, T0, "in_review", "in_review", "370100", "370100", ("x",), "r", ())
    assert Event(*fields) == build_event(*fields, None, event_data(None))


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
    run.stamp(pf.Actor("371002", "industry", "clerk"), a)
    assert [1, 2] == [e.version for e in run.history(a)]  # builds the index
    run.stamp(pf.Actor("371002", "health", "clerk"), a)
    run.stamp(pf.Actor("371002", "industry", "clerk"), b)
    assert [1, 2, 3] == [e.version for e in run.history(a)]
    assert [(b, 1), (b, 2)] == [(e.nomination_id, e.version) for e in run.history(b)]
    assert 5 == len(run.events())


def test_memory_store_log_packs_events_and_gives_them_back_equal(
    make_run: Callable[..., pf.CampaignRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory store packs its log into columns in batches: events read back after packing
    equal the ones appended (data dicts, shared stamp data, reasons, moments), per nomination
    and in order, and the log still replays to the state."""
    from pilotflow.store import memory

    store = pf.MemoryStore(compact_log=True)
    run = make_run(store)
    monkeypatch.setattr(memory._Log, "BATCH", 10**9)  # nothing packed: the reference
    a, b = nominate(run, 1).id, nominate(run, 2).id
    for department in ("industry", "civil_affairs", "health"):
        run.stamp(pf.Actor("371002", department, "clerk"), a)
    run.decline(pf.Actor("371002", "industry", "clerk"), b, reason="材料不实 / materials untrue")
    seen = run.events()
    store._logs[run.campaign.id].batch = 3
    run.recommend(pf.Actor("371002", "industry", "clerk"), a)  # this append packs everything
    assert [] == store._logs[run.campaign.id].pending
    assert seen == run.events()[: len(seen)]
    assert [e for e in run.events() if e.nomination_id == b] == run.history(b)
    assert {n.id: n for n in run.nominations()} == dict(run.replay().nominations)


def test_memory_store_refuses_a_compact_log_flag_that_is_not_a_boolean() -> None:
    """MemoryStore(compact_log=...) takes True or False; anything else is refused, in both
    languages, rather than read as truthy."""
    with pytest.raises(pf.InvalidInput, match="compact_log") as info:
        pf.MemoryStore(compact_log="yes")  # type: ignore[arg-type]
    assert "布尔" in info.value.zh
