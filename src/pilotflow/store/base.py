"""The one interface every store implements, and the unit of work it commits.

A :class:`Change` is one accepted action: the nomination (or the submission, 推荐函) before
(None when it is created) and after, the event recording it, and the quota seats it takes or
gives back. A store commits a
sequence of changes **atomically**: either every nomination version, every event and every
seat is written, or none is and a typed error says why:

* :class:`~pilotflow.errors.ConflictError` — a nomination's stored version is not the one the
  change was computed from (optimistic concurrency);
* :class:`SeatUnavailable` — a quota would be exceeded (checked under the store's own lock, so
  two writers can never both take the last seat);
* :class:`~pilotflow.errors.DuplicateNomination` — the unit already has a live nomination;
* :class:`~pilotflow.errors.ConflictError` too when a submission's change lists a unit that
  another draft submission already lists (a unit is in one draft at a time:
  :func:`~pilotflow.domain.submissions.listing_moves` says what a change claims and releases).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from itertools import islice
from typing import Any, NamedTuple

from attrs import frozen

from ..domain.calendar import moment
from ..domain.events import Event
from ..domain.inputs import MAX_ITEMS, NAME, check_number, check_text
from ..domain.records import Actor, Nomination
from ..domain.screening import UnitList, check_entry_texts, check_list_key
from ..domain.submissions import Submission
from ..errors import InvalidInput, PilotflowError, ReceiptExists, SeatUnavailable, StoreError, shown
from .recent import Recent

__all__ = [
    "CAMPAIGNS_LISTED",
    "EVENT_PAGE",
    "MALFORMED",
    "AnyChange",
    "Change",
    "Group",
    "ListLoad",
    "Receipt",
    "ReceiptExists",
    "Seat",
    "SeatUnavailable",
    "Store",
    "SubmissionChange",
    "malformed",
]

#: What decoding a stored value that pilotflow did not write raises (a JSON syntax error is
#: a ``ValueError``), caught where rows are decoded and raised again as :func:`malformed`.
MALFORMED = (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError)


def malformed(what: str, zh: str, exc: BaseException) -> StoreError:
    """The error for a stored row that cannot be read back (the decoder's own error is
    chained): ``what`` names the row, ``zh`` too, in Chinese."""
    detail = f"：{exc.zh}" if isinstance(exc, PilotflowError) else ""
    return StoreError(
        f"{what} cannot be read: the database holds a value pilotflow does not write there "
        f"({type(exc).__name__}: {exc}); it was changed outside pilotflow, or is damaged",
        f"无法读取{zh}：数据库中的值不是 pilotflow 写入的格式，可能被其他程序修改过或已损坏{detail}",
    )


class Seat(NamedTuple):
    """A quota seat taken (``delta`` +1) or given back (-1) at ``authority``.

    ``counters`` names every counter the seat moves, each with the cap to enforce when taking
    a seat (None: no cap): for a new nomination its unit type and ``"*"`` (all types
    together); for a re-review, ``"re_review"`` (the share of applicants).
    """

    authority: str
    delta: int
    counters: tuple[tuple[str, int | None], ...]


#: A quota counter's move in one commit, as :func:`add_seat` counts it: [net delta, room
#: (None: no seat taken under a cap), the seat to name if the cap refuses the move, its cap].
CounterMove = list[Any]


def add_seat(moves: dict[tuple[str, str], CounterMove], seat: Seat) -> None:
    """Count ``seat`` into ``moves`` ((authority, counter) -> :data:`CounterMove`), for a store
    that moves each counter once per commit, by its net delta (:func:`net_cap`). Each seat is
    held to its own cap as if the commit's seats were taken one after another, in order, as
    the memory store takes them: ``room`` is the most seats that may be in use before the
    commit, the smallest ``cap - (net delta up to and including the seat)`` of the seats
    taken under a cap. A seat taken past a soft cap (no cap) lends no cap to the others."""
    for counter, limit in seat.counters:
        move = moves.get((seat.authority, counter))
        if move is None:
            move = moves[seat.authority, counter] = [0, None, seat, None]
        move[0] += seat.delta
        if seat.delta > 0 and limit is not None:
            room = limit - move[0]
            if move[1] is None or room < move[1]:
                move[1], move[2], move[3] = room, seat, limit


def net_cap(move: CounterMove) -> int | None:
    """The cap on a counter's net move (``used + delta <= cap``), or None: no cap (nothing
    taken under a cap, or seats given back on the whole)."""
    delta, room = move[0], move[1]
    return None if room is None or delta <= 0 else delta + room


class Change(NamedTuple):
    """One accepted action on a nomination, ready to be committed (a named tuple: built on
    every action)."""

    before: Nomination | None
    after: Nomination
    event: Event
    seats: tuple[Seat, ...] = ()


class SubmissionChange(NamedTuple):
    """One accepted action on a submission (推荐函) itself: prepared, stamped, sent... Its
    units' own moves are :class:`Change` records of the same commit; it moves no seat."""

    before: Submission | None
    after: Submission
    event: Event


#: What a store commits: the changes of one action, all or none.
AnyChange = Change | SubmissionChange

#: A group of nominations whose hop deadline is the same: (route, hop).
Group = tuple[tuple[str, ...], int]

#: How many events a streaming read (:meth:`Store.iter_events`) holds at a time at most.
EVENT_PAGE = 2000


@frozen
class Receipt:
    """What a command carrying an idempotency key did, kept so that a repeat can be answered.

    ``fingerprint`` identifies the command's arguments; ``result`` is its outcome as JSON text
    (the nomination id and version, or a selection's result).
    """

    key: str
    fingerprint: str
    result: str


@frozen
class ListLoad:
    """One load of a list (名单) into a campaign's store: the list's id and version (see
    :class:`~pilotflow.UnitList`), how many entries it has, who loaded it, when, and from what
    (a file name; may be empty). A store keeps every version ever loaded: an event cites the
    versions of the lists it was judged with, and the list of that version can be read back."""

    list_id: str
    version: str
    entries: int
    actor: Actor
    at: datetime
    source: str = ""


def check_list_load(campaign: object, unit_list: object, load: object) -> None:
    """What :meth:`Store.save_list` is given, checked alike on every store: a campaign id, a
    :class:`~pilotflow.UnitList` whose id and version fit a store (at most 100 characters of
    text), and a :class:`ListLoad` that describes that very list."""
    if not findable(campaign, what="campaign") or not campaign:
        raise InvalidInput("campaign must be a campaign id", "campaign 参数必须是遴选标识")
    if not isinstance(unit_list, UnitList):
        raise InvalidInput(
            f"unit_list must be a UnitList, got {type(unit_list).__name__}",
            "unit_list 参数必须是 UnitList 名单",
        )
    check_list_key(unit_list.id, "list id", "名单标识")  # (a UnitList made without its build)
    check_list_key(unit_list.version, "list version", "名单版本")
    for n, entry in enumerate(unit_list.entries, start=1):
        check_entry_texts(entry, f"list {unit_list.id}, entry {n}: ", f"名单第 {n} 条的")
    if not isinstance(load, ListLoad):
        raise InvalidInput(
            f"load must be a ListLoad, got {type(load).__name__}", "load 参数必须是 ListLoad 记录"
        )
    if (load.list_id, load.version, load.entries) != (unit_list.id, unit_list.version, len(unit_list)):
        raise InvalidInput(
            f"the load record ({load.list_id} {load.version}, {load.entries} entries) does not "
            f"describe the list ({unit_list.id} {unit_list.version}, {len(unit_list)} entries)",
            "载入记录与名单不符（标识、版本或条目数不同）",
        )
    if not isinstance(load.actor, Actor):
        raise InvalidInput("load.actor must be an Actor", "load.actor 必须是 Actor（机关、部门、经办人）")
    moment(load.at, "load.at")
    if type(load.source) is not str:
        raise InvalidInput(
            f"load.source must be text (the file's name, or empty), got {type(load.source).__name__}",
            "load.source 必须是文本（名单文件名，可为空）",
        )
    if load.source:
        check_text(load.source, "load.source", NAME, zh="名单来源")


def version_clash(campaign: str, list_id: str, version: str) -> InvalidInput:
    """Version ``version`` of a list is stored already with other entries: refused (a version
    names one content; old events cite it)."""
    return InvalidInput(
        f"list {list_id!r} of campaign {campaign} already has a version {version!r} with other "
        "entries: a version names one content (build the list without an explicit version)",
        f"名单 {list_id!r} 已存有版本 {version!r}，但条目不同：同一版本只能对应一份内容"
        "（请勿为名单指定版本，由内容自动生成）",
    )


#: How many campaign ids :meth:`Store.campaign_ids` gives unless asked for fewer or more
#: (at most :data:`MAX_CAMPAIGNS_LISTED`).
CAMPAIGNS_LISTED = 20
MAX_CAMPAIGNS_LISTED = 1000


def check_limit(limit: object) -> int:
    """``limit`` of :meth:`Store.campaign_ids`: a whole number from 1 to
    :data:`MAX_CAMPAIGNS_LISTED`."""
    check_number("limit", limit, 1, MAX_CAMPAIGNS_LISTED, whole=True)
    assert isinstance(limit, int)
    return limit


def findable(*values: object, what: str = "a lookup argument") -> bool:
    """Could a store hold every one of ``values`` (text without NUL or lone surrogates)? A
    lookup by text no store can hold finds nothing, alike on every store; anything but text
    (None included: leave out an optional filter that is not given) is
    :class:`~pilotflow.errors.InvalidInput` naming ``what``."""
    ok = True
    for value in values:
        if type(value) is str or isinstance(value, str):  # (a subclass too: a str-valued Enum)
            if not value.isprintable() and ("\x00" in value or not _encodes(value)):
                ok = False
        else:
            raise InvalidInput(
                f"{what} must be text (a str), got {type(value).__name__}",
                f"{what} 必须是文本（字符串），收到的是 {type(value).__name__}",
            )
    return ok


def given(*values: object) -> tuple[object, ...]:
    """The optional arguments that were given (not None)."""
    return tuple(v for v in values if v is not None)


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def id_list(nomination_ids: object) -> list[str]:
    """``nomination_ids`` (a list or tuple) as a list; :class:`~pilotflow.errors.InvalidInput`
    for anything else (a single id given as a string, say)."""
    if type(nomination_ids) is not list and type(nomination_ids) is not tuple:
        raise InvalidInput(
            f"nomination_ids must be a list or tuple of nomination ids, not {type(nomination_ids).__name__}",
            "nomination_ids 必须是推荐对象编号的列表",
        )
    return list(nomination_ids)


class Reading(NamedTuple):
    """What :func:`check_reading` found of :meth:`Store.iter_events`' arguments: whether a
    store could hold its text (``campaign``, ``nomination_id``, ``action``; if not, the read
    finds nothing) and the ``ids`` given that a store could hold (None: no ``ids`` given)."""

    findable: bool
    ids: frozenset[str] | None


def check_reading(
    campaign: object, nomination_id: object, ids: object, action: object, until: object
) -> Reading:
    """The arguments of :meth:`Store.iter_events`, each checked here once: text, a collection
    of text, a moment. What no store could use is refused (:class:`InvalidInput`, in English
    and Chinese); what no store could hold is answered (:class:`Reading`: the read finds
    nothing by it), alike on every store."""
    ok = findable(campaign, *given(nomination_id, action), what="campaign, nomination_id and action")
    chosen = None if ids is None else frozenset(i for i in check_ids(ids) if findable(i, what="an id"))
    if until is not None and not (isinstance(until, datetime) and until.utcoffset() is not None):
        raise InvalidInput(
            f"until must be a datetime with a time zone, got {until!r}",
            "until 参数必须是带时区的时间",
        )
    return Reading(ok, chosen)


def check_ids(ids: object, what: str = "ids") -> list[str]:
    """Ids handed to a batch read (the argument ``what``): a list, tuple or set (not one
    text, and not an iterator, which the check would use up before the read); each id is
    checked as it is used."""
    if not isinstance(ids, (list, tuple, set, frozenset)):
        raise InvalidInput(
            f"{what} must be a list, tuple or set of codes or ids, got {type(ids).__name__}",
            f"{what} 参数必须是编号的集合（列表、元组或集合）",
        )
    return list(ids)


def check_groups(groups: object) -> list[Group]:
    """Groups handed to :meth:`Store.nominations_at`: (route, hop) pairs, at most
    :data:`~pilotflow.domain.inputs.MAX_ITEMS` of them."""
    if not isinstance(groups, Iterable) or isinstance(groups, (str, bytes)):
        raise InvalidInput("groups must be (route, hop) pairs", "groups 参数必须是（路线，层级）对的集合")
    out = []
    for g in islice(groups, MAX_ITEMS + 1):
        if not (
            isinstance(g, tuple)
            and len(g) == 2
            and isinstance(g[0], tuple)
            and type(g[1]) is int
            and 0 <= g[1] < 2**31  # a hop index (a store's integer column holds it)
            and all(isinstance(a, str) for a in g[0])
        ):
            raise InvalidInput(
                f"groups must be (route, hop) pairs, got {shown(g)}",
                "groups 参数必须是（路线，层级）对的集合",
            )
        out.append((g[0], g[1]))
    if len(out) > MAX_ITEMS:
        raise InvalidInput(f"groups has more than {MAX_ITEMS} items", f"groups 参数超过 {MAX_ITEMS} 项，过多")
    return out


def check_changes(changes: object) -> None:
    """``changes`` handed to :meth:`Store.commit` must be a list or tuple of changes (the
    stores call this when they are given anything else)."""
    if not isinstance(changes, (tuple, list)):
        raise InvalidInput(
            f"changes must be a list of Change, got {type(changes).__name__}",
            "changes 参数必须是 Change 列表",
        )


class Store(abc.ABC):
    """Persistence for one or more campaigns' nominations, events and quota use."""

    #: A context manager factory for one action's scope, or None. Inside the scope the
    #: service's reads (``get``, ``quota_used``, ...) and its ``commit`` share one transaction
    #: that the scope commits at its end, or rolls back if anything in it raises. The SQLite
    #: store uses it (``BEGIN IMMEDIATE`` before the read: the write lock is held while the
    #: action is judged, so nothing can change under it and a read costs no transaction of
    #: its own); stores without it run each call on its own.
    atomic: Callable[[], AbstractContextManager[None]] | None = None

    #: The last committed states of the records this store wrote or read, or None (see
    #: :mod:`pilotflow.store.recent`): an action may be judged on one of them, its commit
    #: proving it was still the stored state. Kept by a SQL store on its own engine only.
    recent: Recent | None = None

    @abc.abstractmethod
    def get(self, nomination_id: str) -> Nomination:
        """The current version; raises NominationNotFound."""

    def get_many(self, nomination_ids: Sequence[str]) -> list[Nomination]:
        """The current versions of ``nomination_ids``, in that order (a letter's units);
        raises NominationNotFound for the first one missing. A store may read them at once."""
        return [self.get(nid) for nid in id_list(nomination_ids)]

    @abc.abstractmethod
    def find_claim(
        self, campaign: str, unit_code: str, track: str = "new", project: str = ""
    ) -> Nomination | None:
        """The unit's nomination of ``project`` in ``campaign`` that bars another (any but a
        withdrawn one)."""

    def claimed(
        self, campaign: str, unit_codes: Collection[str], track: str = "new", project: str = ""
    ) -> set[str]:
        """Which of ``unit_codes`` have a nomination that bars another (:meth:`find_claim`'s,
        for many units at once: a store may read them in a few queries)."""
        codes = check_ids(unit_codes, "unit_codes")
        findable(campaign, track, project, what="campaign, track and project")
        return {c for c in codes if self.find_claim(campaign, c, track, project) is not None}

    @abc.abstractmethod
    def count_claims(self, campaign: str, unit_code: str, track: str = "new") -> int:
        """How many of the unit's nominations in ``campaign`` and ``track`` claim it (every
        project's, any but withdrawn ones): what a cap per applicant counts."""

    @abc.abstractmethod
    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[Nomination]:
        """Current nominations of ``campaign`` matching the filters, oldest first."""

    @abc.abstractmethod
    def events(self, campaign: str, nomination_id: str | None = None) -> list[Event]:
        """The audit log of ``campaign`` (or of one nomination or submission), in append order."""

    # -- reads that scale (each has a default built on the methods above; the stores
    # -- pilotflow ships answer them from indexes, a page at a time) -----------------------

    def iter_events(
        self,
        campaign: str,
        *,
        nomination_id: str | None = None,
        ids: Collection[str] | None = None,
        action: str | None = None,
        until: datetime | None = None,
    ) -> Iterator[Event]:
        """The audit log of ``campaign`` in append order, as :meth:`events` gives it, but
        read as it is iterated: of one nomination or submission (``nomination_id``) or of
        several (``ids``), of one ``action``, dated at or before ``until`` (every filter is
        optional; ``ids`` empty: no event). The whole log is read a page at a time (at most
        :data:`EVENT_PAGE` events held; events committed while it is read may or may not be
        in it); the events of a few given ids are found by id, not by reading the log, and
        those of many (a SQL store: over 10,000) by reading it a page at a time. This default
        reads :meth:`events` and filters it: a store with many events overrides it."""
        reading = check_reading(campaign, nomination_id, ids, action, until)
        if not reading.findable:
            return iter(())
        wanted = reading.ids
        return (
            e
            for e in self.events(campaign, nomination_id)
            if (wanted is None or e.nomination_id in wanted)
            and (action is None or e.action == action)
            and (until is None or not e.at > until)
        )

    def count_events(self, campaign: str, nomination_id: str | None = None) -> int:
        """How many events :meth:`events` would give (without reading them, where the store can)."""
        findable(campaign, *given(nomination_id), what="campaign and nomination_id")
        return len(self.events(campaign, nomination_id))

    def track_nominations(self, campaign: str, track: str) -> list[Nomination]:
        """Current nominations of ``campaign`` in ``track``, oldest first."""
        findable(campaign, track, what="campaign and track")
        return [n for n in self.nominations(campaign) if n.track == track]

    def route_groups(self, campaign: str, state: str) -> list[Group]:
        """Each distinct (route, hop) of the nominations of ``campaign`` in ``state``: what
        their hop's deadline depends on (the deadline sweep judges a group at once)."""
        findable(campaign, state, what="campaign and state")
        return sorted({(n.route, n.hop) for n in self.nominations(campaign, state=state)})

    def nominations_at(self, campaign: str, state: str, groups: Iterable[Group]) -> list[Nomination]:
        """Current nominations of ``campaign`` in ``state`` whose (route, hop) is one of
        ``groups``, oldest first."""
        findable(campaign, state, what="campaign and state")
        wanted = set(check_groups(groups))
        return [n for n in self.nominations(campaign, state=state) if (n.route, n.hop) in wanted]

    @abc.abstractmethod
    def get_submission(self, submission_id: str) -> Submission:
        """The current version of a submission; raises SubmissionNotFound."""

    @abc.abstractmethod
    def submissions(
        self,
        campaign: str,
        *,
        sender: str | None = None,
        receiver: str | None = None,
        state: str | None = None,
    ) -> list[Submission]:
        """Current submissions of ``campaign`` matching the filters, oldest first."""

    @abc.abstractmethod
    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        """Seats in use at ``authority`` for ``unit_type`` (``"*"``: all types)."""

    @abc.abstractmethod
    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        """Every non-zero seat count of ``campaign``, keyed (authority, unit type)."""

    def campaign_ids(self, limit: int = CAMPAIGNS_LISTED) -> tuple[str, ...] | None:
        """The ids of the campaigns this store holds records of (a nomination or a list), in
        order, at most ``limit`` of them; None when the store cannot say (a host's store
        that does not answer: nothing is then concluded from it)."""
        check_limit(limit)
        return None

    @abc.abstractmethod
    def commit(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
        """Write all ``changes`` (and ``receipt``) or nothing (see the module docstring).

        A receipt whose key is already stored raises :class:`ReceiptExists` and writes
        nothing: the command was already carried out.
        """

    @abc.abstractmethod
    def receipt(self, campaign: str, key: str) -> Receipt | None:
        """The receipt stored under an idempotency key, if any."""

    # -- lists (名单) loaded into the store -------------------------------------------
    # A store that keeps no lists (one written before they were kept) answers that none is
    # loaded and refuses to keep one; every store of pilotflow keeps them.

    def save_list(self, campaign: str, unit_list: UnitList, load: ListLoad) -> bool:
        """Keep ``unit_list`` as its id's current version, with ``load`` (who, when, from what),
        after checking them (:func:`check_list_load`). Earlier versions stay (events cite them).
        False, and nothing written, when that version is already the current one; a version
        stored before with other entries is refused (:func:`version_clash`)."""
        check_list_load(campaign, unit_list, load)
        raise InvalidInput(
            f"{type(self).__name__} does not keep lists", f"{type(self).__name__} 存储不支持保存名单"
        )

    def list_loads(self, campaign: str, list_id: str | None = None) -> list[ListLoad]:
        """Every load of the campaign's lists (or of one list), oldest first: the last one of
        each id is its current version."""
        findable(campaign, *given(list_id), what="campaign and list_id")
        return []

    def stored_list(self, campaign: str, list_id: str, version: str | None = None) -> UnitList | None:
        """The list as loaded: its current version, or the version named; None if not stored."""
        findable(campaign, list_id, *given(version), what="campaign, list_id and version")
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources (connections, files)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
