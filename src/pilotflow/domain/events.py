"""The append-only audit record, and how state is rebuilt from it.

Every accepted action appends exactly one :class:`Event`: who (actor), what (action), when,
from which state and authority to which, the guard verdicts that were checked, the campaign
revision and the versions of the lists consulted. Nothing else changes state: the live path
and :func:`replay` both go through :func:`apply`, so replaying the log gives exactly the
current state and quota use, and replaying it up to a moment gives the state as of then.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, NoReturn

from attrs import evolve, field, frozen

from ._fast import builder
from .names import (
    ANNOUNCE,
    APPLY,
    ATTACH,
    CHECK,
    CHECK_FAILED,
    CHECK_PASSED,
    CHECK_SELECTED,
    CONCLUDE,
    CUT,
    DECLINE,
    DISMISS,
    DISMISSED,
    EXAMINE,
    LAPSE,
    NOMINATE,
    OBJECT,
    PROPOSE,
    PUBLISH,
    QUOTA_ALL_TYPES,
    RECALL,
    RECEIVED,
    RECOMMEND,
    REGISTER,
    RETURN,
    REVOKE_UNAPPLIED,
    S_PREPARE,
    SCORE,
    SELECT_FOR_CHECK,
    SUBMISSION_ACTIONS,
    TRACK_NEW,
    TRACK_RE_REVIEW,
    UPHELD,
    UPHOLD,
    WITHDRAW,
)
from .records import Actor, MinistryRecord, Nomination, Objection, Score
from .rules import HOP_MOVES
from .submissions import Submission, apply_submission

__all__ = ["Event", "EventShape", "FrozenData", "Snapshot", "apply", "quota_usage", "replay"]


class FrozenData(dict[str, Any]):
    """Read-only event data that many events share (a stamp's department, the empty data).

    A dict that refuses changes: it reads at a dict's speed, compares equal to a plain dict
    with the same items, and pickles and copies (a ``MappingProxyType`` does neither, so a
    list of events could not be sent to another process or cached).

    >>> d = FrozenData({"department": "industry"})
    >>> d["department"], d == {"department": "industry"}
    ('industry', True)
    >>> d["department"] = "health"
    Traceback (most recent call last):
    TypeError: event data is read-only / 事件数据只读，不能修改
    """

    __slots__ = ()

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("event data is read-only / 事件数据只读，不能修改")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[FrozenData], tuple[dict[str, Any]]]:
        return (FrozenData, (dict(self),))

    def __copy__(self) -> FrozenData:
        return self

    def __deepcopy__(self, memo: object) -> FrozenData:
        return self


NO_DATA: Mapping[str, Any] = FrozenData()

#: The key of event data that marks a fact of the past recorded later (a backfill run): the
#: ISO moment at which it was entered.
ENTERED_AT = "entered_at"
_NO_MINISTRY_RECORD = MinistryRecord()  # frozen: one shared empty record


def event_data(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return value if value is not None else NO_DATA  # one shared read-only empty mapping


@frozen(weakref_slot=False)  # see pilotflow.domain._fast
class EventShape:
    """What many events share: the transition (action, from → to state, the guards checked),
    the authorities it moved between, and the campaign revision and list versions it ran
    under. The service makes one per transition and pair of authorities and every event of
    that kind refers to it, so an event is small, and a store keeps one reference for these
    eight fields."""

    action: str
    from_state: str
    to_state: str
    from_holder: str | None
    to_holder: str
    verdicts: tuple[str, ...]
    revision: str
    lists: tuple[tuple[str, str], ...]


@frozen(weakref_slot=False)  # see pilotflow.domain._fast
class Event:
    """One accepted action. ``version`` is the nomination's version after it.

    A submission's own action (its letter prepared, stamped, sent...) is an event too:
    ``nomination_id`` then holds the submission's id and ``version`` is the submission's
    (:mod:`pilotflow.domain.submissions`; its actions are ``names.SUBMISSION_ACTIONS``).

    ``data`` holds what the action added: the department that stamped, the material
    attached, or (for ``nominate``) the unit and its route. What the event shares with
    others of its kind is in ``shape``, also readable as the event's own attributes
    (``event.action``, ``event.to_holder``...). :meth:`of` builds one from all its fields.
    """

    nomination_id: str
    version: int
    actor: Actor
    at: datetime
    shape: EventShape
    reason: str | None = None
    data: Mapping[str, Any] = field(default=None, converter=event_data)

    @classmethod
    def of(
        cls,
        nomination_id: str,
        version: int,
        action: str,
        actor: Actor,
        at: datetime,
        from_state: str,
        to_state: str,
        from_holder: str | None,
        to_holder: str,
        verdicts: tuple[str, ...],
        revision: str,
        lists: tuple[tuple[str, str], ...],
        reason: str | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Event:
        """An event from every field, its shape included.

        >>> from pilotflow import Actor
        >>> from datetime import datetime, timezone
        >>> e = Event.of("n1", 2, "stamp", Actor("370100", "industry", "clerk"),
        ...              datetime(2023, 10, 17, tzinfo=timezone.utc), "in_review", "in_review",
        ...              "370100", "370100", ("actor_holds",), "rev", (), data={"department": "industry"})
        >>> e.action, e.to_holder, e.data["department"]
        ('stamp', '370100', 'industry')
        """
        shape = EventShape(action, from_state, to_state, from_holder, to_holder, verdicts, revision, lists)
        return cls(nomination_id, version, actor, at, shape, reason, data)

    @property
    def action(self) -> str:
        return self.shape.action

    @property
    def entered_at(self) -> str | None:
        """When a fact of the past was entered (a backfill run), as an ISO moment; None for
        an action recorded as it was taken."""
        value = self.data.get(ENTERED_AT)
        return value if isinstance(value, str) else None

    @property
    def from_state(self) -> str:
        return self.shape.from_state

    @property
    def to_state(self) -> str:
        return self.shape.to_state

    @property
    def from_holder(self) -> str | None:
        """The authority that held the nomination before (None for a new one)."""
        return self.shape.from_holder

    @property
    def to_holder(self) -> str:
        return self.shape.to_holder

    @property
    def verdicts(self) -> tuple[str, ...]:
        """The codes of the guards checked (all passed: the event was accepted)."""
        return self.shape.verdicts

    @property
    def revision(self) -> str:
        """The campaign revision (content hash) the action ran under."""
        return self.shape.revision

    @property
    def lists(self) -> tuple[tuple[str, str], ...]:
        """The (list id, version) of each disqualification list consulted."""
        return self.shape.lists


#: The fields of a :class:`Nomination` that no action changes once it is filed: :func:`apply`
#: copies them from the current version (the SQL store compares and writes only the others).
FIXED_FIELDS = ("id", "campaign", "revision", "unit_code", "unit_name", "unit_type", "scenario", "route",
                "created_at", "track", "batch", "project")  # fmt: skip

# Positional constructors for the hot path (every field, no checks): see pilotflow.domain._fast.
build_event = builder(Event, converted=("data",))
build_nomination = builder(Nomination)


def apply(current: Nomination | None, event: Event) -> Nomination:
    """The nomination after ``event`` (``current`` is None for ``nominate`` / ``register``)."""
    shape = event.shape
    action = shape.action
    d = event.data
    if current is None:
        if action not in (NOMINATE, REGISTER):
            raise ValueError(f"event {action} of {event.nomination_id} has no nomination to apply to")
        return build_nomination(
            event.nomination_id,
            d["campaign"],
            shape.revision,
            d["unit_code"],
            d["unit_name"],
            d["unit_type"],
            d["scenario"],
            tuple(d["route"]),
            0,
            shape.to_state,
            (),
            tuple(d.get("materials", ())),
            (),
            event.version,
            event.at,
            event.at,
            d.get("track", TRACK_NEW),
            d.get("batch"),
            None,
            d.get("project", ""),
        )
    hop = current.hop
    examined = current.examined
    materials = current.materials
    seats = current.seats
    ministry = current.ministry
    if action == EXAMINE:
        examined = (*examined, d["department"])
    elif action in (ATTACH, APPLY):
        materials = (*materials, *((d["material"],) if "material" in d else d.get("materials", ())))
    elif action == RECOMMEND:
        # The holder takes a seat; the event names the seats when the quota rules decide
        # otherwise (an exempt unit takes none, a group cap adds its group's: ``seat_key``).
        seats = _shared((*seats, *d["seats"]) if "seats" in d else (*seats, current.route[hop]))
        hop += HOP_MOVES[action]
        examined = ()
        # At the top a fresh record; below it none (a lower level's on-site check stays there).
        ministry = _NO_MINISTRY_RECORD if shape.to_state == RECEIVED else None
    elif action in (RETURN, RECALL):  # back to the sender, whose seat is given back
        hop += HOP_MOVES[action]
        examined = ()
        prev = current.route[hop]
        seats = tuple(s for s in seats if s != prev and not s.endswith(GROUP_SEAT_BY + prev))
        ministry = None
    elif action in (WITHDRAW, DECLINE, CUT, LAPSE, REVOKE_UNAPPLIED):
        # Withdrawal releases every seat; a decline, a cut or a lapse keeps the seats already
        # used (a submission that was made counts against the sender's quota).
        if action == WITHDRAW:
            seats = ()
    elif ministry is not None:
        ministry = _ministry(ministry, event)
    elif action in (SELECT_FOR_CHECK, CHECK):  # an on-site check below the top (``checks``)
        ministry = _ministry(_NO_MINISTRY_RECORD, event)
    else:
        raise ValueError(f"unknown action {action!r} in event of {event.nomination_id}")
    return build_nomination(
        current.id,
        current.campaign,
        current.revision,
        current.unit_code,
        current.unit_name,
        current.unit_type,
        current.scenario,
        current.route,
        hop,
        shape.to_state,
        examined,
        materials,
        seats,
        event.version,
        current.created_at,
        event.at,
        current.track,
        current.batch,
        ministry,
        current.project,
    )


#: Seat tuples by value: the nominations that climbed one route hold one tuple of its seats
#: (a route is shared by an origin's nominations), not one each (see :func:`_shared`).
_SEATS: dict[tuple[str, ...], tuple[str, ...]] = {}
_MOST_SEATS = 1 << 16


def _shared(seats: tuple[str, ...]) -> tuple[str, ...]:
    """``seats``, or the equal tuple already kept (seats are immutable, so may be shared)."""
    found = _SEATS.get(seats)
    if found is None:
        if len(_SEATS) >= _MOST_SEATS:  # bounded: a process running many campaigns
            _SEATS.clear()
        found = _SEATS[seats] = seats
    return found


def _ministry(m: MinistryRecord, event: Event) -> MinistryRecord:
    """The ministry-phase record after one of its events."""
    action = event.action
    d = event.data
    if action == SCORE:
        return evolve(m, scores=(*m.scores, Score(d["expert"], float(d["score"]), d["opinion"])))
    if action == CONCLUDE:
        # Without an expert review (the campaign holds none) there is no combined score.
        return evolve(m, combined=float(d["combined"])) if "combined" in d else m
    if action == SELECT_FOR_CHECK:
        return evolve(m, check=CHECK_SELECTED)
    if action == CHECK:
        return evolve(m, check=CHECK_PASSED if d["passed"] else CHECK_FAILED)
    if action == PUBLISH:  # in the zone of the log's moments (the campaign's: docs/display.md)
        return evolve(m, notice_until=datetime.fromisoformat(d["until"]).astimezone(event.at.tzinfo))
    if action == OBJECT:
        objection = Objection(d["objector"], d["grounds"], d["evidence"], event.at)
        return evolve(m, objections=(*m.objections, objection))
    if action in (UPHOLD, DISMISS):
        last = evolve(m.objections[-1], ruling=UPHELD if action == UPHOLD else DISMISSED)
        return evolve(m, objections=(*m.objections[:-1], last))
    if action in (PROPOSE, ANNOUNCE):
        return m
    raise ValueError(f"unknown action {action!r} in event of {event.nomination_id}")


def seat_counters(n: Nomination) -> tuple[str, ...]:
    """The quota counters a seat of ``n`` moves: its unit type and ``"*"`` (all types) for a
    new nomination, ``"re_review"`` for a re-review."""
    return (TRACK_RE_REVIEW,) if n.track == TRACK_RE_REVIEW else (n.unit_type, QUOTA_ALL_TYPES)


#: A group seat in ``Nomination.seats`` is ``group:<list>:<group>@<authority>``: the group's
#: counter, taken by a recommendation of ``authority`` (given back when it returns there).
GROUP_SEAT = "group:"
GROUP_SEAT_BY = "@"


def group_seat(list_id: str, group: str, authority: str) -> str:
    """The seat of ``group`` (of tag list ``list_id``) a recommendation by ``authority`` takes."""
    return f"{GROUP_SEAT}{list_id}:{group}{GROUP_SEAT_BY}{authority}"


def seat_key(seat: str) -> str:
    """The counter key of a seat: the authority, or ``group:<list>:<group>`` for a group seat."""
    return seat.partition(GROUP_SEAT_BY)[0] if seat.startswith(GROUP_SEAT) else seat


def quota_usage(nominations: Iterable[Nomination]) -> Counter[tuple[str, str]]:
    """Seats used per (authority or group key, counter): see :func:`seat_counters`."""
    used: Counter[tuple[str, str]] = Counter()
    for n in nominations:
        counters = seat_counters(n)
        for seat in n.seats:
            authority = seat_key(seat)
            for counter in counters:
                used[authority, counter] += 1
    return used


@frozen
class Snapshot:
    """Nominations, quota use and submissions rebuilt from events."""

    nominations: Mapping[str, Nomination]
    quota: Mapping[tuple[str, str], int]
    submissions: Mapping[str, Submission] = field(factory=dict)


#: The actions of a submission's own events (its letter); every other event is a unit's.
_LETTER_ACTIONS = frozenset(SUBMISSION_ACTIONS)


def replay(events: Iterable[Event], until: datetime | None = None) -> Snapshot:
    """Rebuild state from ``events`` (in log order); with ``until``, as of that moment."""
    state: dict[str, Nomination] = {}
    letters: dict[str, Submission] = {}
    for event in events:
        if until is not None and event.at > until:
            continue
        if event.shape.action in _LETTER_ACTIONS:
            letter = letters.get(event.nomination_id)
            if letter is not None or event.shape.action == S_PREPARE:
                letters[event.nomination_id] = apply_submission(letter, event)
            continue
        current = state.get(event.nomination_id)
        if current is None and event.action not in (NOMINATE, REGISTER):
            continue  # its creation lies after `until`
        state[event.nomination_id] = apply(current, event)
    return Snapshot(state, dict(quota_usage(state.values())), letters)
