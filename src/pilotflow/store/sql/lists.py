"""The lists (名单) loaded into a SQL store: one row per load, in table ``pf_lists``.

A row holds the list's id, version and entries (JSON), who loaded it and when. Loading a
version that is already the list's current one writes nothing; loading an older version again
appends a row (it becomes current again). Every version ever loaded stays readable: events
cite the versions of the lists they were judged with.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ...domain.records import Actor
from ...domain.screening import Listing, UnitList
from ..base import LIST_KEY, ListLoad, check_list_load, findable, given, version_clash
from ..codec import dumps, loads

__all__ = ["ListTable", "lists_table"]


def lists_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The table of lists loaded, in ``md`` (schema version 4 added it)."""
    return sa.Table(
        f"{prefix}lists",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("list_id", sa.String(LIST_KEY), nullable=False),
        sa.Column("version", sa.String(LIST_KEY), nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("entries", sa.Text, nullable=False),
        sa.Column("actor_authority", sa.String(50), nullable=False),
        sa.Column("actor_department", sa.String(50), nullable=False),
        sa.Column("actor_person", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Index(f"{prefix}ix_lists", "campaign", "list_id", "seq"),
    )  # fmt: skip


def _encode(unit_list: UnitList) -> str:
    return dumps([
        [e.unit_code, e.since.isoformat(), None if e.until is None else e.until.isoformat(), e.reason,
         e.unit_name, e.group]
        for e in unit_list.entries
    ])  # fmt: skip


def _decode(list_id: str, version: str, text: str) -> UnitList:
    entries = (
        Listing(code, datetime.fromisoformat(since), None if until is None else datetime.fromisoformat(until),
                reason, name, group)
        for code, since, until, reason, name, group in loads(text)
    )  # fmt: skip
    return UnitList.build(list_id, entries, version=version)


def _load(row: Any) -> ListLoad:
    return ListLoad(
        row.list_id,
        row.version,
        row.entry_count,
        Actor(row.actor_authority, row.actor_department, row.actor_person),
        datetime.fromisoformat(row.at),
        row.source,
    )


class ListTable:
    """The lists part of :class:`~.core.SQLStore` (its connections and its ``pf_lists`` table)."""

    _list_table: sa.Table
    _wrap: Any  # () -> a context manager turning database errors into StoreError
    _read_conn: Any  # () -> a context manager of a Connection to read on
    _write_conn: Any  # () -> a context manager of a Connection in a transaction

    def save_list(self, campaign: str, unit_list: UnitList, load: ListLoad) -> bool:
        check_list_load(campaign, unit_list, load)
        t = self._list_table
        entries = _encode(unit_list)
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
                    at=load.at.isoformat(), source=load.source,
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
        q = sa.select(t.c.version, t.c.entries).where(t.c.campaign == campaign, t.c.list_id == list_id)
        if version is not None:
            q = q.where(t.c.version == version)
        with self._wrap(), self._read_conn() as conn:
            row = conn.execute(q.order_by(t.c.seq.desc()).limit(1)).first()
        return None if row is None else _decode(list_id, row.version, row.entries)
