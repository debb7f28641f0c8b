"""The domain's measured speed tricks, kept here so that the domain modules read as domain.

:func:`builder`: a fast positional constructor for frozen, slotted attrs records on the hot
path. :class:`LastPass`: the last arguments a check passed, remembered by identity.

A frozen attrs class sets each field through ``object.__setattr__`` (its own ``__setattr__``
refuses), about 60 ns a field: a 19-field :class:`~pilotflow.Nomination` costs
1.2 µs to build, more than the rest of a ``stamp`` action's bookkeeping. :func:`builder`
makes a constructor that fills a plain slotted *twin* class with the same slots (a direct slot
store each) and then gives the object its real class. CPython and PyPy allow ``__class__``
assignment between classes with the same slot layout; the result is an ordinary instance of
the attrs class, equal to, hashing like and pickling like one built by its ``__init__``.

Only for classes whose fields have no validators or converters (nothing is skipped), built
with ``weakref_slot=False`` (a ``__weakref__`` slot places the layouts apart), and only for
arguments the caller has already checked: the service builds records from values it
validated at the door.

>>> import attrs
>>> @attrs.frozen(weakref_slot=False)
... class Point:
...     x: int
...     y: int
>>> make = builder(Point)
>>> make(1, 2) == Point(1, 2), type(make(1, 2)) is Point
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

__all__ = ["LastPass", "builder"]

T = TypeVar("T")


def builder(cls: type[T], *, converted: tuple[str, ...] = ()) -> Callable[..., T]:
    """A constructor taking every field of ``cls`` positionally, in declaration order.

    ``converted`` names fields with a converter that the caller promises to have applied.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    names = tuple(a.name for a in fields)
    bad = [
        a.name
        for a in fields
        if a.validator is not None or (a.converter is not None and a.name not in converted)
    ]
    if bad:
        raise TypeError(f"{cls.__name__}: fields {bad} have validators or converters; use the class")
    slots = getattr(cls, "__slots__", None)
    if slots is None or tuple(slots) != names:
        raise TypeError(
            f"{cls.__name__} must be a slotted attrs class with weakref_slot=False "
            f"(slots {slots!r}, fields {names!r})"
        )
    twin = type(f"_{cls.__name__}Twin", (), {"__slots__": names, "__module__": __name__})
    args = ", ".join(names)
    stores = "".join(f"    o.{n} = {n}\n" for n in names)
    source = f"def build({args}):\n    o = new(twin)\n{stores}    o.__class__ = cls\n    return o\n"
    namespace: dict[str, Any] = {"new": object.__new__, "twin": twin, "cls": cls}
    exec(compile(source, f"<pilotflow builder for {cls.__qualname__}>", "exec"), namespace)
    build: Callable[..., T] = namespace["build"]
    build.__doc__ = f"Build a {cls.__name__} from all its fields, positionally (no checks)."
    probe = build(*range(len(names)))  # fails here, at import, if the layouts ever differ
    assert type(probe) is cls
    return build


class LastPass:
    """The last arguments a check passed, remembered by identity.

    What it buys: a selection judges many candidates whose materials a store read back as one
    shared tuple, against one hop's requirements; the materials guard then skips counting
    them (figures in benchmarks/README.md, "The hot path"). A miss costs two identity tests.

    >>> seen = LastPass()
    >>> mats, reqs = ("a",), ("b",)
    >>> seen.holds(mats, reqs, "x")
    False
    >>> seen.remember(mats, reqs, "x")
    >>> seen.holds(mats, reqs, "x"), seen.holds(("a",), reqs, "x")
    (True, False)
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: tuple[object, object, object] = (None, None, None)

    def holds(self, first: object, second: object, key: object) -> bool:
        """True when ``first`` and ``second`` are the very objects last remembered, with an
        equal ``key``."""
        last = self._last
        return last[0] is first and last[1] is second and last[2] == key

    def remember(self, first: object, second: object, key: object) -> None:
        self._last = (first, second, key)
