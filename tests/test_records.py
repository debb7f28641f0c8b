"""The hot-path record builders (pilotflow._records) give ordinary attrs instances."""

from __future__ import annotations

import pickle

import attrs
import pytest

from pilotflow._records import builder
from pilotflow.events import Event, build_event, build_nomination, event_data
from pilotflow.nomination import Actor, Nomination

from conftest import shanghai

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
