"""The stored log, compact and queryable (schema version 4).

* Moments (events' ``at``; nominations' and submissions' ``created_at``, ``updated_at``,
  ``sent_at``) become an instant and its UTC offset in seconds (``*_offset`` columns): on
  SQLite the instant is an integer of UTC microseconds, on PostgreSQL a ``timestamptz``.
* Event rows become ``campaign, nomination_id, version, actor, at, at_offset, shape, reason,
  data``: the actor and the shape (action, from/to state and holder, verdicts, revision, list
  versions) as JSON objects, the data as compact JSON (a material without its empty fields);
  ``jsonb`` on PostgreSQL. On SQLite the campaign, nomination id, actor and shape texts are
  stored once each in ``pf_texts`` and the rows refer to them (a trigger does it).
* Nominations get the index ``pf_ix_state`` on (campaign, state, hop, route).

Every row is converted (events keep their ``seq``); the downgrade converts them back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from pilotflow.store.migrate import migration_options

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "4"
PREVIOUS_VERSION = "3"
CHUNK = 5000

#: The moments of each table (schema 3: ISO 8601 text with its offset).
MOMENTS = {
    "nominations": ("created_at", "updated_at"),
    "submissions": ("created_at", "updated_at", "sent_at"),
}
V3_EVENT_COLUMNS = (
    "seq",
    "campaign",
    "nomination_id",
    "version",
    "action",
    "actor_authority",
    "actor_department",
    "actor_person",
    "at",
    "at_utc",
    "from_state",
    "to_state",
    "from_holder",
    "to_holder",
    "verdicts",
    "revision",
    "lists",
    "reason",
    "data",
)


# -- schema 4's encodings, frozen here: what pilotflow writes today may differ ----------------

#: A material's fields and defaults in schema 3 and 4 (schema 4 leaves a default out, but
#: ``kind``).
MATERIAL_FIELDS = (("kind", None), ("copies", 1), ("filename", None), ("sha256", None), ("size", None),
                   ("media_type", None), ("pages", None), ("duration", None))  # fmt: skip
_EPOCH = datetime(1970, 1, 1)  # naive: UTC wall time
_EPOCH_DAY = _EPOCH.toordinal()


def dumps(value: Any) -> str:
    """Schema 4's JSON: compact, key-sorted, non-ASCII as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


loads = json.loads


def _offset(at: datetime) -> int:
    """The UTC offset of the aware ``at``, in seconds."""
    off = at.utcoffset()
    if off is None:
        raise ValueError(f"a schema-3 moment without its offset: {at.isoformat()!r}")
    return off.days * 86400 + off.seconds


def _micros(at: datetime) -> int:
    """The UTC microseconds since 1970 of the aware ``at`` (exact integer arithmetic)."""
    days = at.toordinal() - _EPOCH_DAY
    seconds = days * 86400 + at.hour * 3600 + at.minute * 60 + at.second - _offset(at)
    return seconds * 1_000_000 + at.microsecond


def _stored_moment(text: str, pg: bool) -> tuple[Any, int]:
    """The ISO 8601 ``text`` of a schema-3 moment as schema 4 stores it: the instant (an
    aware datetime for PostgreSQL's ``timestamptz``; on SQLite its UTC microseconds) and its
    UTC offset in seconds."""
    at = datetime.fromisoformat(text)
    return (at if pg else _micros(at)), _offset(at)


def _moment(instant: int | datetime, offset: int) -> datetime:
    """A schema-4 moment back: the aware datetime at its offset."""
    tz = timezone(timedelta(seconds=offset))
    if isinstance(instant, datetime):
        return instant.astimezone(tz)
    return (_EPOCH + timedelta(microseconds=instant + offset * 1_000_000)).replace(tzinfo=tz)


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def _q(name: str, schema: str | None) -> str:
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def _rows(bind: Connection, sql: str, key: str) -> Iterator[list[Any]]:
    """The rows of ``sql`` (``... WHERE {key} > :after ORDER BY {key} LIMIT n``) in chunks."""
    after: Any = None
    while True:
        where = "" if after is None else f" WHERE {key} > :after"
        chunk = [
            list(r)
            for r in bind.execute(sa.text(sql.format(where=where) + f" LIMIT {CHUNK}"), {"after": after})
        ]
        if not chunk:
            return
        yield chunk
        after = chunk[-1][0]


# -- moments -----------------------------------------------------------------------------


def _moments_up(bind: Connection, prefix: str, schema: str | None, pg: bool) -> None:
    for name, columns in MOMENTS.items():
        table = f"{prefix}{name}"
        with op.batch_alter_table(table, schema=schema) as batch:
            for c in columns:
                batch.add_column(sa.Column(c.replace("_at", "_offset"), sa.Integer))
        old: list[list[Any]] = []
        for chunk in _rows(
            bind, f"SELECT id, {', '.join(columns)} FROM {_q(table, schema)}{{where}} ORDER BY id", "id"
        ):
            old.extend(chunk)
        updates = []
        for row in old:
            values: dict[str, Any] = {"p_id": row[0]}
            for c, text in zip(columns, row[1:], strict=True):
                instant, offset = (None, None) if text is None else _stored_moment(text, pg)
                if not pg:  # (PostgreSQL's type change converts the instants)
                    values[c] = instant
                values[c.replace("_at", "_offset")] = offset
            updates.append(values)
        with op.batch_alter_table(table, schema=schema) as batch:
            for c in columns:
                new_type: Any = sa.TIMESTAMP(timezone=True) if pg else sa.BigInteger()
                batch.alter_column(
                    c, type_=new_type, existing_type=sa.String(40), postgresql_using=f"{c}::timestamptz"
                )
        t = sa.table(
            table,
            *(sa.column(c) for c in ("id", *columns)),
            *(sa.column(c.replace("_at", "_offset")) for c in columns),
            schema=schema,
        )
        stmt = t.update().where(t.c.id == sa.bindparam("p_id"))
        if pg:  # the instants were converted by the type change: only the offsets are set
            stmt = stmt.values(
                {c.replace("_at", "_offset"): sa.bindparam(c.replace("_at", "_offset")) for c in columns}
            )
        else:
            stmt = stmt.values(
                {c2: sa.bindparam(c2) for c in columns for c2 in (c, c.replace("_at", "_offset"))}
            )
        for k in range(0, len(updates), CHUNK):
            bind.execute(stmt, updates[k : k + CHUNK])
        with op.batch_alter_table(table, schema=schema) as batch:
            for c in columns:
                if c != "sent_at":
                    batch.alter_column(c.replace("_at", "_offset"), existing_type=sa.Integer, nullable=False)


def _moments_down(bind: Connection, prefix: str, schema: str | None, pg: bool) -> None:
    for name, columns in MOMENTS.items():
        table = f"{prefix}{name}"
        offsets = [c.replace("_at", "_offset") for c in columns]
        old: list[list[Any]] = []
        cols = ", ".join(f"{c}, {o}" for c, o in zip(columns, offsets, strict=True))
        for chunk in _rows(bind, f"SELECT id, {cols} FROM {_q(table, schema)}{{where}} ORDER BY id", "id"):
            old.extend(chunk)
        updates = []
        for row in old:
            values: dict[str, Any] = {"p_id": row[0]}
            for i, c in enumerate(columns):
                instant, offset = row[1 + 2 * i], row[2 + 2 * i]
                values[c] = None if instant is None else _moment(instant, offset).isoformat()
            updates.append(values)
        with op.batch_alter_table(table, schema=schema) as batch:
            for c, o in zip(columns, offsets, strict=True):
                batch.drop_column(o)
                old_type: Any = sa.TIMESTAMP(timezone=True) if pg else sa.BigInteger()
                batch.alter_column(c, type_=sa.String(40), existing_type=old_type)
        t = sa.table(table, *(sa.column(c) for c in ("id", *columns)), schema=schema)
        stmt = t.update().where(t.c.id == sa.bindparam("p_id")).values({c: sa.bindparam(c) for c in columns})
        for k in range(0, len(updates), CHUNK):
            bind.execute(stmt, updates[k : k + CHUNK])


# -- events ------------------------------------------------------------------------------


def _with_materials(text: str, each: Callable[[dict[str, Any]], dict[str, Any]]) -> str:
    """Event data ``text`` with ``each`` applied to its material(s)."""
    data = loads(text)
    if "material" in data:
        data["material"] = each(data["material"])
    if "materials" in data:
        data["materials"] = [each(m) for m in data["materials"]]
    return dumps(data)


def _fields(m: dict[str, Any]) -> dict[str, Any]:
    """Every field of a stored material (its defaults filled in); a material with another
    field or without its kind is no material schema 3 or 4 wrote, and stops the migration."""
    names = {k for k, _ in MATERIAL_FIELDS}
    if "kind" not in m or not names.issuperset(m):
        raise ValueError(f"a stored material that is no schema-3 or schema-4 material: {m!r}")
    return {k: m.get(k, default) for k, default in MATERIAL_FIELDS}


def _compact(m: dict[str, Any]) -> dict[str, Any]:
    """A material without its default fields (``kind`` always)."""
    full = _fields(m)
    return {k: v for k, default in MATERIAL_FIELDS if (v := full[k]) != default or k == "kind"}


def _whole(m: dict[str, Any]) -> dict[str, Any]:
    """A material with every field (schema 3)."""
    return _fields(m)


def _event_up(r: list[Any], pg: bool) -> dict[str, Any]:
    (
        seq,
        campaign,
        nid,
        version,
        action,
        authority,
        department,
        person,
        at,
        _utc,
        from_state,
        to_state,
        from_holder,
        to_holder,
        verdicts,
        rev,
        lists,
        reason,
        data,
    ) = r
    instant, offset = _stored_moment(at, pg)
    shape = {
        "action": action,
        "from_state": from_state,
        "to_state": to_state,
        "from_holder": from_holder,
        "to_holder": to_holder,
        "verdicts": loads(verdicts),
        "revision": rev,
        "lists": loads(lists),
    }
    actor = {"authority": authority, "department": department, "person": person}
    return {
        "seq": seq,
        "campaign": campaign,
        "nomination_id": nid,
        "version": version,
        "actor": dumps(actor),
        "at": instant,
        "at_offset": offset,
        "shape": dumps(shape),
        "reason": reason,
        "data": _with_materials(data, _compact),
    }


def _event_down(r: list[Any]) -> dict[str, Any]:
    seq, campaign, nid, version, actor, instant, offset, shape, reason, data = r
    a, s = loads(actor), loads(shape)
    at = _moment(instant, offset)
    return {
        "seq": seq,
        "campaign": campaign,
        "nomination_id": nid,
        "version": version,
        "action": s["action"],
        "actor_authority": a["authority"],
        "actor_department": a["department"],
        "actor_person": a["person"],
        "at": at.isoformat(),
        "at_utc": _micros(at),
        "from_state": s["from_state"],
        "to_state": s["to_state"],
        "from_holder": s["from_holder"],
        "to_holder": s["to_holder"],
        "verdicts": dumps(s["verdicts"]),
        "revision": s["revision"],
        "lists": dumps(s["lists"]),
        "reason": reason,
        "data": _with_materials(data, _whole),
    }


class _Ref(sa.types.UserDefinedType[Any]):
    """SQLite: a column of no affinity (``BLOB``), as schema 4 has it."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BLOB"


MOMENT = sa.BigInteger().with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
OFFSET = sa.Integer
SHARED_JSON = sa.Text().with_variant(postgresql.JSONB(), "postgresql").with_variant(_Ref(), "sqlite")
SHARED_TEXT = sa.String(100).with_variant(_Ref(), "sqlite")


def v4_events_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The audit log and (SQLite) the texts its rows share, as schema version 4 has them (a
    frozen copy: a later change to the live table must not change what this migration
    makes); the first is returned."""
    texts = sa.Table(
        f"{prefix}texts",
        md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False, unique=True),
    )
    events = sa.Table(
        f"{prefix}events",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("campaign", SHARED_TEXT, nullable=False),
        sa.Column("nomination_id", sa.String(64).with_variant(_Ref(), "sqlite"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("actor", SHARED_JSON, nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("at_offset", OFFSET, nullable=False),
        sa.Column("shape", SHARED_JSON, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("data", SHARED_JSON, nullable=False),
        sa.UniqueConstraint("nomination_id", "version", name=f"{prefix}uq_event_version"),
        sa.Index(f"{prefix}ix_events_campaign", "campaign", "seq"),
    )  # fmt: skip
    t, e = texts.name, events.name
    qualified = f'"{md.schema}"."{prefix}events_texts"' if md.schema else f'"{prefix}events_texts"'

    def ref(column: str) -> str:
        return f'(SELECT id FROM "{t}" WHERE text = CAST(NEW.{column} AS TEXT))'

    trigger = sa.DDL(  # type: ignore[no-untyped-call]
        f"CREATE TRIGGER {qualified} AFTER INSERT ON \"{e}\" WHEN typeof(NEW.shape) = 'text' BEGIN "
        f'INSERT OR IGNORE INTO "{t}" (text) VALUES (NEW.campaign), (NEW.nomination_id), (NEW.actor), '
        f'(NEW.shape); INSERT OR IGNORE INTO "{t}" (text) SELECT CAST(NEW.data AS TEXT) '
        f"WHERE typeof(NEW.data) = 'blob'; "
        f'UPDATE "{e}" SET campaign = {ref("campaign")}, '
        f"nomination_id = {ref('nomination_id')}, actor = {ref('actor')}, shape = {ref('shape')}, "
        f"data = CASE WHEN typeof(NEW.data) = 'blob' THEN {ref('data')} ELSE NEW.data END "
        "WHERE seq = NEW.seq; END"
    )
    sa.event.listen(events, "after_create", trigger.execute_if(dialect="sqlite"))
    return events


def v3_events_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The events table as schema version 3 had it (a frozen copy)."""
    return sa.Table(
        f"{prefix}events",
        md,
        sa.Column(
            "seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("nomination_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("actor_authority", sa.String(50), nullable=False),
        sa.Column("actor_department", sa.String(50), nullable=False),
        sa.Column("actor_person", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("at_utc", sa.BigInteger, nullable=False),
        sa.Column("from_state", sa.String(30), nullable=False),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("from_holder", sa.String(50)),
        sa.Column("to_holder", sa.String(50), nullable=False),
        sa.Column("verdicts", sa.Text, nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("lists", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("data", sa.Text, nullable=False),
        sa.UniqueConstraint("nomination_id", "version", name=f"{prefix}uq_event_version"),
        sa.Index(f"{prefix}ix_events_campaign", "campaign", "seq"),
    )


def _rebuild_events(
    bind: Connection,
    prefix: str,
    schema: str | None,
    pg: bool,
    make: Callable[[sa.MetaData, str], sa.Table],
    read: str,
    convert: Callable[[list[Any]], dict[str, Any]],
) -> None:
    """Move the events table aside, create the new one with ``make``, copy every row through
    ``convert`` (read by ``read``: columns and joins of the old table ``e``, ``{old}`` its
    name), keeping its ``seq``; drop the old one."""
    table, old = f"{prefix}events", f"{prefix}events_old"
    op.drop_index(f"{prefix}ix_events_campaign", table_name=table, schema=schema)
    if pg:
        op.drop_constraint(f"{prefix}uq_event_version", table, schema=schema)
        op.execute(f'ALTER INDEX {_q(table + "_pkey", schema)} RENAME TO "{old}_pkey"')
        op.execute(f'ALTER SEQUENCE {_q(table + "_seq_seq", schema)} RENAME TO "{old}_seq_seq"')
    op.rename_table(table, old, schema=schema)
    md = sa.MetaData(schema=schema)
    new = make(md, prefix)
    md.create_all(bind)
    target = sa.table(
        table, *(sa.column(c.name) for c in new.c), schema=schema
    )  # untyped: values as they are
    select = "SELECT " + read.replace("{old}", _q(old, schema)) + "{where} ORDER BY e.seq"
    for chunk in _rows(bind, select, "e.seq"):
        bind.execute(target.insert(), [convert(r) for r in chunk])
    op.drop_table(old, schema=schema)
    if pg:
        op.execute(
            f"SELECT setval(pg_get_serial_sequence('{_q(table, schema)}', 'seq'), "
            f"coalesce((SELECT max(seq) FROM {_q(table, schema)}), 0) + 1, false)"
        )


def upgrade() -> None:
    prefix, schema = migration_options()
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    _moments_up(bind, prefix, schema, pg)
    op.create_index(
        f"{prefix}ix_state", f"{prefix}nominations", ["campaign", "state", "hop", "route"], schema=schema
    )
    read = ", ".join(f"e.{c}" for c in V3_EVENT_COLUMNS) + " FROM {old} e"
    _rebuild_events(bind, prefix, schema, pg, v4_events_table, read, partial(_event_up, pg=pg))
    _record(prefix, schema, SCHEMA_VERSION)


def downgrade() -> None:
    prefix, schema = migration_options()
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        read = (
            "e.seq, e.campaign, e.nomination_id, e.version, e.actor::text, e.at, e.at_offset, e.shape::text, "
            "e.reason, e.data::text FROM {old} e"
        )
    else:
        texts = _q(f"{prefix}texts", schema)
        read = (
            "e.seq, c.text, n.text, e.version, a.text, e.at, e.at_offset, s.text, e.reason, "
            f"CASE WHEN typeof(e.data) = 'integer' THEN (SELECT text FROM {texts} WHERE id = e.data) "
            f"ELSE e.data END FROM {{old}} e JOIN {texts} c ON c.id = e.campaign "
            f"JOIN {texts} n ON n.id = e.nomination_id JOIN {texts} a ON a.id = e.actor "
            f"JOIN {texts} s ON s.id = e.shape"
        )
    _rebuild_events(bind, prefix, schema, pg, v3_events_table, read, _event_down)
    op.drop_table(f"{prefix}texts", schema=schema)
    op.drop_index(f"{prefix}ix_state", table_name=f"{prefix}nominations", schema=schema)
    _moments_down(bind, prefix, schema, pg)
    _record(prefix, schema, PREVIOUS_VERSION)
