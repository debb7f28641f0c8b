"""The collections the queries return, as lists that also tabulate themselves.

``run.nominations()``, ``run.history()`` and ``run.quota_table()`` return these: plain
``list`` subclasses (indexing, ``len``, ``==`` with a list, ``json`` and every existing
caller work as before) that know their campaign and authority graph, so that
:meth:`View.rows` can name authorities, states and unit types in Chinese and
:meth:`View.to_frame` can make a ``pandas.DataFrame`` (pandas is optional: without it
``to_frame`` raises :class:`~pilotflow.errors.ExtraMissing` with the install hint).
How they look in a notebook (``_repr_html_``) is given by :mod:`pilotflow.display`.

``run.events()``, the whole log, is an :class:`EventLog` instead: not a list but a view that
reads the store a page at a time as it is iterated (a national campaign's log holds hundreds
of thousands of events), fixed at the events there were when it was made. ``len`` is a count
in the store; iteration, ``==`` with a list, indexing and slicing (by reading up to the
position), :meth:`EventLog.rows` and :meth:`EventLog.to_frame` work as on a list of events.


Moments: every moment in a record is a standard-library ``datetime`` in the campaign's time
zone (``zoneinfo.ZoneInfo``; see docs/display.md, "Moments"); every row made here holds one
too (:func:`local_moment`, which returns such a moment as it is).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, ClassVar, TypeVar, overload

from ..domain.authorities import AuthorityGraph
from ..domain.calendar import in_zone, zone_info
from ..domain.campaign import Campaign, check_campaign
from ..domain.events import Event
from ..domain.inputs import escaped, wrong_argument
from ..domain.names import LOGGED_ACTION_ZH, LOGGED_STATE_ZH, QUOTA_ALL_TYPES, ROLE_ZH, STATE_ZH
from ..domain.records import Nomination
from ..errors import InvalidInput, shown
from ..store.base import Store
from .results import QuotaLine, SelectionResult, pandas, selection_rows

__all__ = [
    "EventList",
    "EventLog",
    "NominationList",
    "QuotaTable",
    "SelectionList",
    "View",
    "local_moment",
    "pandas",
    "selection_rows",
]

T = TypeVar("T")


def local_moment(value: datetime | None, timezone: str) -> datetime | None:
    """``value`` as a standard ``datetime`` in ``timezone`` (a ``pendulum.DateTime`` or a
    moment in another zone becomes the same instant, written in the campaign's zone): the
    one time type of pilotflow's records (:func:`pilotflow.calendar.in_zone`), which a
    run's records already have.

    >>> import pendulum
    >>> m = local_moment(pendulum.datetime(2023, 10, 17, 1, tz="UTC"), "Asia/Shanghai")
    >>> type(m).__name__, m.isoformat()
    ('datetime', '2023-10-17T09:00:00+08:00')
    """
    return None if value is None else in_zone(value, zone_info(timezone))


def _listing(view: Any, count: int, briefs: Iterable[str]) -> str:
    """A view's console repr: its name and ``count`` of its :attr:`~View.noun`, then one line
    per brief (its first :attr:`~View.REPR_ITEMS` items). Each brief is escaped whole
    (:func:`~pilotflow.inputs.escaped`): a line break or carriage return of a value (a name
    from a campaign file) never breaks or overwrites a line on a console."""
    lines = [f"<{type(view).__name__}: {count} {view.noun}"]
    lines.extend("  " + escaped(brief) for brief in briefs)
    if count > view.REPR_ITEMS:
        lines.append(f"  … {count - view.REPR_ITEMS} more (to_frame() for all)")
    return "\n".join(lines) + ">"


class View(list[T]):
    """A list of records that can tabulate itself (:meth:`rows`, :meth:`to_frame`).

    ``campaign`` and ``graph`` name things in the rows; without them the rows hold codes.
    """

    #: The columns of :meth:`rows`, in order (also the columns of an empty frame).
    columns: ClassVar[tuple[str, ...]] = ()
    #: The title of the HTML table, in English and Chinese.
    title: ClassVar[tuple[str, str]] = ("", "")
    #: What the items are, in the console repr.
    noun: ClassVar[str] = "items"
    #: The class of the items (None: any), checked when the view is made.
    item: ClassVar[type | None] = None

    def __init__(
        self,
        items: Iterable[T] = (),
        *,
        campaign: Campaign | None = None,
        graph: AuthorityGraph | None = None,
    ) -> None:
        if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
            raise wrong_argument("items", "an iterable of records", "记录的列表（可迭代对象）", items)
        super().__init__(items)
        kind = self.item
        if kind is not None:
            for i, item in enumerate(self):
                if not isinstance(item, kind):
                    raise InvalidInput(
                        f"{type(self).__name__} items[{i}] must be a record of class {kind.__name__}, "
                        f"got {type(item).__name__} {shown(item)}",
                        f"{type(self).__name__} 的第 {i + 1} 项应为 {kind.__name__} 记录，收到 "
                        f"{type(item).__name__} {shown(item)}",
                    )
        if campaign is not None:
            check_campaign(campaign)
        if graph is not None and not isinstance(graph, AuthorityGraph):
            raise InvalidInput("graph must be an AuthorityGraph", "graph 参数必须是 AuthorityGraph 机关图")
        self.campaign = campaign
        self.graph = graph

    def __reduce__(self) -> Any:  # pickled as its items (the campaign and graph stay behind)
        return (type(self), (list(self),))

    #: How many items the console repr lists.
    REPR_ITEMS: ClassVar[int] = 10

    def __repr__(self) -> str:
        """One line per item (the first :attr:`REPR_ITEMS`), not the items' full reprs."""
        return _listing(self, len(self), map(self._brief, self[: self.REPR_ITEMS]))

    def _brief(self, item: T) -> str:
        """One line about ``item`` for the console."""
        return repr(item)

    # -- naming ------------------------------------------------------------------------

    def _authority_name(self, code: str | None) -> str:
        """The Chinese name of an authority (the code where the graph does not know it)."""
        if code is None:
            return ""
        graph = self.graph
        if graph is not None and code in graph:
            return graph[code].name
        return code

    def _moment(self, value: datetime | None) -> datetime | None:
        """A moment of a row: see :func:`local_moment` (the campaign's zone; else as given)."""
        if value is None or self.campaign is None:
            return value
        return local_moment(value, self.campaign.timezone)

    def _unit_type_name(self, code: str) -> str:
        if code == QUOTA_ALL_TYPES:
            return "合计"
        campaign = self.campaign
        if campaign is not None and code in campaign.unit_types:
            return campaign.unit_types[code].name.zh
        return code

    # -- tables ------------------------------------------------------------------------

    def _row(self, item: T) -> dict[str, Any]:  # pragma: no cover - every view defines it
        raise NotImplementedError

    def rows(self) -> list[dict[str, Any]]:
        """One dict per item, with the keys of :attr:`columns`."""
        return [self._row(item) for item in self]

    def to_frame(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (columns: :attr:`columns`). Needs pandas
        (``pip install 'pilotflow[notebook]'``)."""
        pd = pandas()
        return pd.DataFrame(self.rows(), columns=list(self.columns))


class NominationList(View[Nomination]):
    """Nominations (``run.nominations()``)."""

    def _brief(self, n: Nomination) -> str:
        holder = self._authority_name(n.holder)
        return f"{n.unit_name} | {n.unit_type} | {n.state} @ {holder} | v{n.version} | {n.id}"

    columns = (
        "id", "unit_code", "unit_name", "unit_type", "scenario", "track", "project", "state",
        "state_zh", "holder", "holder_name", "hop", "route", "examined", "materials", "version",
        "created_at", "updated_at",
    )  # fmt: skip
    noun = "nominations"
    title = ("Nominations", "申报")
    item = Nomination

    def _row(self, n: Nomination) -> dict[str, Any]:
        return {
            "id": n.id,
            "unit_code": n.unit_code,
            "unit_name": n.unit_name,
            "unit_type": n.unit_type,
            "scenario": n.scenario,
            "track": n.track,
            "project": n.project,
            "state": n.state,
            "state_zh": STATE_ZH.get(n.state, n.state),
            "holder": n.holder,
            "holder_name": self._authority_name(n.holder),
            "hop": n.hop,
            "route": " → ".join(self._authority_name(a) for a in n.route),
            "examined": len(n.examined),
            "materials": len(n.materials),
            "version": n.version,
            "created_at": self._moment(n.created_at),
            "updated_at": self._moment(n.updated_at),
        }


class EventList(View[Event]):
    """Audit events (``run.history(n)``, ``run.events()``), oldest first."""

    columns = (
        "nomination_id", "version", "at", "action", "action_zh", "actor_authority", "actor_name",
        "actor_department", "actor_department_zh", "actor_person", "from_state", "to_state", "to_state_zh",
        "from_holder", "to_holder", "to_holder_name", "reason",
    )  # fmt: skip
    noun = "events"
    title = ("Audit events", "审计记录")
    item = Event

    def _brief(self, e: Event) -> str:
        a = e.actor
        at = self._moment(e.at)
        when = at.isoformat(timespec="seconds") if at is not None else ""
        return (
            f"v{e.version} {when} {e.action} by {a.authority}/{a.department}/{a.person}: "
            f"{e.from_state} → {e.to_state} @ {self._authority_name(e.to_holder)}"
        )

    def _department_name(self, code: str) -> str:
        campaign = self.campaign
        if code in ROLE_ZH:
            return ROLE_ZH[code]
        if campaign is not None and code in campaign.departments:
            return campaign.departments[code].zh
        return code

    def _row(self, e: Event) -> dict[str, Any]:
        return {
            "nomination_id": e.nomination_id,
            "version": e.version,
            "at": self._moment(e.at),
            "action": e.action,
            "action_zh": LOGGED_ACTION_ZH.get(e.action, e.action),
            "actor_authority": e.actor.authority,
            "actor_name": self._authority_name(e.actor.authority),
            "actor_department": e.actor.department,
            "actor_department_zh": self._department_name(e.actor.department),
            "actor_person": e.actor.person,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "to_state_zh": LOGGED_STATE_ZH.get(e.to_state, e.to_state),
            "from_holder": e.from_holder,
            "to_holder": e.to_holder,
            "to_holder_name": self._authority_name(e.to_holder),
            "reason": e.reason,
        }


#: Rows made into a frame at a time by :meth:`EventLog.to_frame`.
FRAME_CHUNK = 20_000


class EventLog:
    """The audit log of a campaign (``run.events()``), in append order: read from the store a
    page at a time as it is iterated, never held whole; the events there were when it was
    made (the log only grows: a later event is not in it).

    It answers as a list of events would: ``len`` (counted in the store), iteration, ``==``
    with a list (or another log), ``log[i]`` and ``log[a:b]`` (read up to the position: the
    first events are cheap, ``log[-1]`` reads the whole log), ``bool``; :meth:`rows` and
    :meth:`to_frame` tabulate it as :class:`EventList` does (``to_frame`` builds the frame
    from the stream without a list of events or rows), :meth:`head` gives the first events as
    an :class:`EventList`. It is not a ``list``: ``list(log)`` makes one.
    """

    columns: ClassVar[tuple[str, ...]] = EventList.columns
    title: ClassVar[tuple[str, str]] = EventList.title
    noun: ClassVar[str] = EventList.noun
    #: How many events the console repr and the notebook table show.
    REPR_ITEMS: ClassVar[int] = 10
    __hash__ = None  # type: ignore[assignment]  # (== compares contents, as a list's)

    def __init__(self, store: Store, campaign: Campaign, graph: AuthorityGraph | None = None) -> None:
        if not isinstance(store, Store):
            raise InvalidInput("store must be a pilotflow Store", "store 参数必须是 pilotflow 存储")
        check_campaign(campaign)
        self._namer = EventList(campaign=campaign, graph=graph)
        self._store = store
        self.campaign = campaign
        self.graph = graph
        self._length = store.count_events(campaign.id)

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0

    def __iter__(self) -> Iterator[Event]:
        return itertools.islice(self._store.iter_events(self.campaign.id), self._length)

    @overload
    def __getitem__(self, index: int) -> Event: ...
    @overload
    def __getitem__(self, index: slice) -> EventList: ...
    def __getitem__(self, index: int | slice) -> Event | EventList:
        if isinstance(index, slice):
            try:
                start, stop, step = index.indices(self._length)
            except (TypeError, ValueError):  # a bound that is no int, a step of 0
                raise InvalidInput(
                    f"an event log is sliced by ints with a step other than 0, not {index!r}",
                    "审计记录的切片必须由整数组成，且步长不能为 0",
                ) from None
            if step < 0:  # read forward, then reverse
                return self._list(list(itertools.islice(self, self._length))[index])
            # A step past the end takes the first event only, as a list's does (islice
            # takes no step above sys.maxsize).
            step = min(step, max(self._length, 1))
            return self._list(itertools.islice(self, start, max(start, stop), step))
        if type(index) is not int:
            raise InvalidInput(
                f"an event log is indexed by an int or a slice, not {type(index).__name__}",
                "审计记录只能用整数或切片取值",
            )
        at = index + self._length if index < 0 else index
        if not 0 <= at < self._length:
            raise InvalidInput(
                f"event {shown(index)} is out of range: the log holds {self._length}",
                f"第 {shown(index)} 条审计记录不存在：共 {self._length} 条",
            )
        return next(itertools.islice(self, at, None))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (EventLog, list, tuple)):
            return NotImplemented
        if len(other) != self._length:
            return False
        return all(a == b for a, b in zip(self, other, strict=True))

    def __reduce__(self) -> Any:  # pickled as a list of its events
        return (EventList, (list(self),))

    def _list(self, events: Iterable[Event]) -> EventList:
        return EventList(events, campaign=self.campaign, graph=self.graph)

    def head(self, n: int = REPR_ITEMS) -> EventList:
        """The first ``n`` events, as an :class:`EventList`."""
        if type(n) is not int or n < 0:
            raise InvalidInput(f"n must be a count, got {shown(n)}", "n 参数必须是非负整数")
        return self._list(itertools.islice(self, min(n, self._length)))  # n past the end: all

    def __repr__(self) -> str:
        """The first :attr:`REPR_ITEMS` events, one line each."""
        return _listing(self, self._length, map(self._namer._brief, self.head()))

    def iter_rows(self) -> Iterator[dict[str, Any]]:
        """One dict per event (the keys of :attr:`columns`), as they are read."""
        row = self._namer._row
        return (row(e) for e in self)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per event, with the keys of :attr:`columns`."""
        return list(self.iter_rows())

    def to_frame(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (columns: :attr:`columns`), built from the
        stream. Needs pandas (``pip install 'pilotflow[notebook]'``)."""
        pd = pandas()
        columns = list(self.columns)
        rows = self.iter_rows()
        frames = []  # a frame per chunk of rows: never every row's dict at once
        while chunk := list(itertools.islice(rows, FRAME_CHUNK)):
            frames.append(pd.DataFrame(chunk, columns=columns))
        if not frames:
            return pd.DataFrame([], columns=columns)
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


class QuotaTable(View[QuotaLine]):
    """Quota lines (``run.quota_table()``): limit, used and remaining per unit type."""

    columns = ("authority", "authority_name", "unit_type", "unit_type_zh", "limit", "used", "remaining")
    noun = "quota lines"
    title = ("Quota", "推荐名额")
    item = QuotaLine

    def _brief(self, q: QuotaLine) -> str:
        limit = "no limit" if q.limit is None else f"{q.used}/{q.limit}"
        return f"{self._authority_name(q.authority)} ({q.authority}) {q.unit_type}: {limit}"

    def _row(self, q: QuotaLine) -> dict[str, Any]:
        return {
            "authority": q.authority,
            "authority_name": self._authority_name(q.authority),
            "unit_type": q.unit_type,
            "unit_type_zh": self._unit_type_name(q.unit_type),
            "limit": q.limit,
            "used": q.used,
            "remaining": q.remaining,
        }


class SelectionList(View[SelectionResult]):
    """Selections (``run.select_many(...)``): one row per candidate of each selection."""

    columns = (
        "authority", "authority_name", "unit_type", "rank", "nomination_id", "outcome", "outcome_zh",
        "reasons", "reasons_zh", "dry_run",
    )  # fmt: skip
    noun = "selections"
    title = ("Selections", "遴选结果")
    item = SelectionResult

    def _brief(self, r: SelectionResult) -> str:
        return (
            f"{self._authority_name(r.authority)} ({r.authority}) {r.unit_type}: "
            f"{len(r.recommended)} recommended, {len(r.cut)} cut, {len(r.skipped)} skipped"
            + (" (dry run)" if r.dry_run else "")
        )

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for r in self:
            for row in selection_rows(r):
                row["authority_name"] = self._authority_name(r.authority)
                out.append(row)
        return out
