"""The lists (名单) loaded into a SQL store: one row per load, in table ``pf_lists``.

A row holds the list's id, version and entries (JSON), who loaded it and when. Loading a
version that is already the list's current one writes nothing; loading an older version again
appends a row (it becomes current again). Every version ever loaded stays readable: events
cite the versions of the lists they were judged with.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from ...domain.records import stored_actor
from ...domain.screening import Listing, UnitList
from ..base import MALFORMED, ListLoad, check_list_load, findable, given, malformed, version_clash
from ..codec import dumps, loads, moment_of, moment_values

__all__ = ["CACHED_LISTS", "ListTable"]


def _encode(unit_list: UnitList) -> str:
    return dumps([
        [e.unit_code, e.since.isoformat(), None if e.until is None else e.until.isoformat(), e.reason,
         e.unit_name, e.group]
        for e in unit_list.entries
    ])  # fmt: skip


def _decode(list_id: str, version: str, text: str) -> UnitList:
    try:
        return _entries(list_id, version, text)
    except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
        raise malformed(f"list {list_id} (version {version})", "已载入名单的条目", exc) from exc


def _entries(list_id: str, version: str, text: str) -> UnitList:
    moments: dict[str, datetime] = {}  # one parse per distinct moment: lists repeat a few

    def moment(value: str) -> datetime:
        found = moments.get(value)
        if found is None:
            found = moments[value] = datetime.fromisoformat(value)
        return found

    entries = (
        Listing(code, moment(since), None if until is None else moment(until), reason, name, group)
        for code, since, until, reason, name, group in loads(text)
    )
    return UnitList.stored(list_id, entries, version)


def _load(row: Any) -> ListLoad:
    try:
        return ListLoad(
            row.list_id,
            row.version,
            row.entry_count,
            stored_actor(row.actor_authority, row.actor_department, row.actor_person),
            moment_of(row.at, row.at_offset),
            row.source,
        )
    except MALFORMED as exc:  # (a row pilotflow did not write: edited, or damaged)
        raise malformed(f"a load of list {row.list_id}", "名单的载入记录", exc) from exc


#: How many decoded lists a store keeps at hand: a run made on the store reads every current
#: list, and decoding a long one costs seconds; a version's entries never change.
CACHED_LISTS = 16


class _Decoded:
    """The lists a store decoded last, by (campaign, list id, version): at most
    :data:`CACHED_LISTS`, the oldest read first dropped."""

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str, str], UnitList] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str, str]) -> UnitList | None:
        with self._lock:
            return self._lists.get(key)

    def keep(self, key: tuple[str, str, str], unit_list: UnitList) -> None:
        with self._lock:
            self._lists[key] = unit_list
            while len(self._lists) > CACHED_LISTS:
                del self._lists[next(iter(self._lists))]


class ListTable:
    """The lists part of :class:`~.core.SQLStore` (its connections and its ``pf_lists`` table).

    The lists last read are kept decoded, by campaign, id and version (a version's entries
    never change), unless the store works on a host's connection (whose transaction may yet
    be rolled back)."""

    _list_table: sa.Table
    _conn: Any  # the host's connection, or None
    _wrap: Any  # () -> a context manager turning database errors into StoreError
    _read_conn: Any  # () -> a context manager of a Connection to read on
    _write_conn: Any  # () -> a context manager of a Connection in a transaction

    @cached_property
    def _decoded_lists(self) -> _Decoded:
        """The lists this store decoded last (:class:`_Decoded`), made on first use: a
        store's own, never shared with another store (on a host's connection it is left
        empty: see :meth:`stored_list`)."""
        return _Decoded()

    def save_list(self, campaign: str, unit_list: UnitList, load: ListLoad) -> bool:
        check_list_load(campaign, unit_list, load)
        t = self._list_table
        entries = _encode(unit_list)
        at, offset = moment_values(load.at)
        with self._wrap(), self._write_conn() as conn:
            same = conn.execute(
                sa.select(t.c.entries).where(t.c.campaign == campaign, t.c.list_id == unit_list.id,
                                             t.c.version == unit_list.version).limit(1)
            ).first()  # fmt: skip
            if same is not None and same.entries != entries:
                raise version_clash(campaign, unit_list.id, unit_list.version)
            current = conn.execute(
                sa.select(t.c.version).where(t.c.campaign == campaign, t.c.list_id == unit_list.id)
                .order_by(t.c.seq.desc()).limit(1)
            ).first()  # fmt: skip
            if current is not None and current.version == unit_list.version:
                return False
            conn.execute(
                sa.insert(t).values(
                    campaign=campaign, list_id=unit_list.id, version=unit_list.version,
                    entry_count=len(unit_list), entries=entries, actor_authority=load.actor.authority,
                    actor_department=load.actor.department, actor_person=load.actor.person,
                    at=at, at_offset=offset, source=load.source,
                )
            )  # fmt: skip
        return True

    def list_loads(self, campaign: str, list_id: str | None = None) -> list[ListLoad]:
        if not findable(campaign, *given(list_id), what="campaign and list_id"):
            return []
        t = self._list_table
        q = sa.select(*(c for c in t.c if c.name != "entries")).where(t.c.campaign == campaign)
        if list_id is not None:
            q = q.where(t.c.list_id == list_id)
        with self._wrap(), self._read_conn() as conn:
            rows = conn.execute(q.order_by(t.c.seq)).all()
        return [_load(r) for r in rows]

    def stored_list(self, campaign: str, list_id: str, version: str | None = None) -> UnitList | None:
        if not findable(campaign, list_id, *given(version), what="campaign, list_id and version"):
            return None
        t = self._list_table
        where = [t.c.campaign == campaign, t.c.list_id == list_id]
        if version is not None:
            where.append(t.c.version == version)
        cache = self._decoded_lists
        with self._wrap(), self._read_conn() as conn:
            q = sa.select(t.c.version).where(*where).order_by(t.c.seq.desc()).limit(1)
            found = conn.execute(q).scalar()
            if found is None:
                return None
            key = (campaign, list_id, found)
            kept = cache.get(key)
            if kept is not None:
                return kept
            text = conn.execute(
                sa.select(t.c.entries).where(*where[:2], t.c.version == found).limit(1)
            ).scalar_one()
        decoded = _decode(list_id, found, text)
        if self._conn is None:
            cache.keep(key, decoded)
        return decoded
