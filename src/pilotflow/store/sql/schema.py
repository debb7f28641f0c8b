"""pilotflow's tables and their schema version.

Tables (names carry a prefix, ``pf_`` by default, and may live in a schema)::

    pf_nominations  one row per nomination: its current version, state and holder
    pf_submissions  one row per submission (推荐函): its sender, receiver, state and units
    pf_listed       each unit a draft submission lists (a unit is in one draft at a time)
    pf_events       the audit log (a nomination's or a submission's events, by their id);
                    UNIQUE (nomination_id, version) backs optimistic locking
    pf_texts        SQLite: the texts event rows refer to (campaign, nomination id, actor,
                    shape), each stored once
    pf_quota        seats used per (campaign, authority, unit type), "*" for all types
    pf_receipts     idempotency keys of commands already carried out, with their results
    pf_lists        the lists (名单) loaded: one row per load, each version's entries
    pf_meta         schema version

:func:`make_metadata` is the one description of them: the store creates them from it, the
migrations (:mod:`pilotflow.store.migrate`) check a database against it.

Schema version 7 guards the versions of nominations and submissions: an ``UPDATE`` of a row
that leaves its ``version`` as it was (a row edited by hand, outside pilotflow) raises it by
one (a trigger, :func:`version_guards`), so that a store that kept the row's last state
(:mod:`pilotflow.store.recent`) finds it changed, and judges its next action on a fresh read
rather than write over the edit.

Schema version 6 keeps a nomination's materials once: while they are those it was filed
with, its row's ``materials`` is NULL and they are read from its filing event's data
(:func:`nomination_select`).

Schema version 4 stores moments as an instant and its UTC offset in seconds: on SQLite the
instant is an integer of UTC microseconds, on PostgreSQL a ``timestamptz``; event data, actors
and shapes are JSON (``jsonb`` on PostgreSQL). On SQLite an event row refers to its campaign,
nomination id, actor and shape by a small integer into ``pf_texts``: the writer inserts the texts and a
trigger replaces them by their references (:func:`event_select` reads them back). See
``docs/embedding.md`` ("The stored log") for querying them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from ...domain.screening import LIST_KEY
from ...errors import InvalidInput, StoreError, shown

__all__ = [
    "SCHEMA_VERSION",
    "check_names",
    "event_count",
    "event_select",
    "make_metadata",
    "missing_triggers",
    "nomination_select",
    "recorded_version",
    "triggers",
    "triggers_error",
    "version_error",
    "version_guards",
]

SCHEMA_VERSION = "7"


class _Ref(sa.types.UserDefinedType[Any]):
    """SQLite: a column of no affinity (``BLOB``): the writer's text, then the trigger's
    integer reference, each kept as given."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "BLOB"


#: A moment's instant: UTC microseconds (an integer) on SQLite, ``timestamptz`` on PostgreSQL.
MOMENT = sa.BigInteger().with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql")
#: A moment's UTC offset, in seconds.
OFFSET = sa.Integer
#: JSON text; ``jsonb`` on PostgreSQL.
JSON = sa.Text().with_variant(postgresql.JSONB(), "postgresql")
#: JSON shared by many events: a reference into the texts table on SQLite.
SHARED_JSON = sa.Text().with_variant(postgresql.JSONB(), "postgresql").with_variant(_Ref(), "sqlite")
SHARED_TEXT = sa.String(100).with_variant(_Ref(), "sqlite")


#: The longest name pilotflow gives a table or index, without its prefix
#: (``ix_submission_receiver``): with the longest prefix it fits PostgreSQL's 63 bytes.
_LONGEST_NAME = 22
#: How long a prefix may be, and a schema's name (PostgreSQL's identifiers: 63 bytes)
PREFIX_MAX = 63 - _LONGEST_NAME
SCHEMA_MAX = 63


def check_names(prefix: object, schema: object) -> None:
    """Refuse a table-name prefix or a schema name pilotflow cannot use, before anything
    touches a database. A prefix is part of every table's and index's name, some of them
    written into statements as they are: ASCII letters, digits and underscores, at most
    :data:`PREFIX_MAX` of them (it may be empty). A schema is always quoted: any text but a
    double quote or a control character (a NUL, a newline: SQLAlchemy writes a name ending in
    one unquoted), of 1 to :data:`SCHEMA_MAX` bytes in UTF-8, or None."""
    if not (
        isinstance(prefix, str)
        and len(prefix) <= PREFIX_MAX
        and prefix.isascii()
        and (prefix + "a").replace("_", "a").isalnum()
    ):
        raise InvalidInput(
            f"prefix must be at most {PREFIX_MAX} ASCII letters, digits and underscores, "
            f"got {_shown(prefix)}",
            f"表名前缀只能由最多 {PREFIX_MAX} 个英文字母、数字和下划线组成，收到的是 {_shown(prefix, True)}",
        )
    if schema is not None and not (
        isinstance(schema, str)
        and schema
        and '"' not in schema
        and not any(unicodedata.category(c) == "Cc" for c in schema)
        and _utf8_length(schema) <= SCHEMA_MAX
    ):
        raise InvalidInput(
            f"schema must be None or a name of 1 to {SCHEMA_MAX} bytes without a double quote or "
            f"a control character, got {_shown(schema)}",
            f"schema 必须是 None，或长度为 1 至 {SCHEMA_MAX} 字节、不含双引号和控制字符的名称，"
            f"收到的是 {_shown(schema, True)}",
        )


def _utf8_length(text: str) -> int:
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError:  # (a lone surrogate: no name)
        return SCHEMA_MAX + 1


def _shown(value: object, zh: bool = False) -> str:
    """``value`` as a message shows it: a text shortened, or (not a text) its type."""
    if isinstance(value, str):
        return shown(value)
    return "非文本的值" if zh else f"a value of type {type(value).__name__}"


def make_metadata(prefix: str = "pf_", schema: str | None = None) -> sa.MetaData:
    """pilotflow's tables as SQLAlchemy ``MetaData`` (for a host's migrations, too)."""
    check_names(prefix, schema)
    md = sa.MetaData(schema=schema)
    claims: sa.ColumnClause[bool] = sa.column("claims_unit")
    nominations = sa.Table(
        f"{prefix}nominations",
        md,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("unit_code", sa.String(18), nullable=False),
        sa.Column("unit_name", sa.Text, nullable=False),
        sa.Column("unit_type", sa.String(50), nullable=False),
        sa.Column("scenario", sa.String(100), nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("hop", sa.Integer, nullable=False),
        sa.Column("holder", sa.String(50), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("claims_unit", sa.Boolean, nullable=False),
        sa.Column("examined", sa.Text, nullable=False),
        # NULL: the materials the nomination was filed with, which its filing event's data
        # holds (:func:`nomination_select` reads them from there); schema 6 stores them once.
        sa.Column("materials", sa.Text),
        sa.Column("seats", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("track", sa.String(20), nullable=False),
        sa.Column("batch", sa.Integer),
        sa.Column("ministry", sa.Text),
        sa.Column("project", sa.String(50), nullable=False, server_default=""),
        sa.Column("created_offset", OFFSET, nullable=False),  # (schema 4 added them last)
        sa.Column("updated_offset", OFFSET, nullable=False),
        sa.Index(
            f"{prefix}uq_unit_claim",
            "campaign",
            "track",
            "unit_code",
            "project",
            unique=True,
            sqlite_where=claims == sa.true(),
            postgresql_where=claims == sa.true(),
        ),
        sa.Index(f"{prefix}ix_holder", "campaign", "holder", "state"),
        sa.Index(f"{prefix}ix_state", "campaign", "state", "hop", "route"),
    )
    versioned(nominations)
    versioned(submissions_table(md, prefix))
    events_table(md, prefix)
    sa.Table(
        f"{prefix}quota",
        md,
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("authority", sa.String(50), primary_key=True),
        sa.Column("unit_type", sa.String(50), primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
    )
    sa.Table(
        f"{prefix}receipts",
        md,
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
    )
    lists_table(md, prefix)
    sa.Table(
        f"{prefix}meta",
        md,
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    return md


def version_guards(table: str, schema: str | None, dialect: str) -> tuple[str, ...]:
    """The SQL that guards the versions of ``table`` (pilotflow's nominations or submissions
    table, its full name) in ``schema`` on ``dialect`` (``"sqlite"`` or ``"postgresql"``): a
    trigger that raises the ``version`` of a row an ``UPDATE`` left at its version (pilotflow's
    own writes always move it: only an edit outside pilotflow does not). SQLite: the trigger
    ``<table>_versioned``, after the update; PostgreSQL (11 and later): a trigger of that name
    before the update and its function ``<table>_versioned()`` (plpgsql) in the table's
    schema. Schema version 7. Tables made by :func:`make_metadata` get them; a host whose own
    migrations create pilotflow's tables runs these too (``op.execute`` each)."""
    within = f'"{schema}".' if schema else ""
    qualified, function = f'{within}"{table}"', f'{within}"{table}_versioned"'
    if dialect == "sqlite":  # (the trigger named in the table's database)
        return (
            f'CREATE TRIGGER {function} AFTER UPDATE ON "{table}" WHEN NEW.version = OLD.version '
            f'BEGIN UPDATE "{table}" SET version = OLD.version + 1 WHERE id = NEW.id; END',
        )
    return (
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$",
        f'CREATE TRIGGER "{table}_versioned" BEFORE UPDATE ON {qualified} FOR EACH ROW '
        f"WHEN (NEW.version = OLD.version) EXECUTE FUNCTION {function}()",
    )


def _texts_trigger(prefix: str, schema: str | None) -> str:
    """SQLite: the trigger that swaps an event row's texts for their references into
    ``pf_texts`` (schema version 4; see :func:`events_table`)."""
    t, e = f"{prefix}texts", f"{prefix}events"
    qualified = f'"{schema}"."{prefix}events_texts"' if schema else f'"{prefix}events_texts"'

    def ref(column: str) -> str:
        return f'(SELECT id FROM "{t}" WHERE text = CAST(NEW.{column} AS TEXT))'

    return (
        f"CREATE TRIGGER {qualified} AFTER INSERT ON \"{e}\" WHEN typeof(NEW.shape) = 'text' BEGIN "
        f'INSERT OR IGNORE INTO "{t}" (text) VALUES (NEW.campaign), (NEW.nomination_id), (NEW.actor), '
        f'(NEW.shape); INSERT OR IGNORE INTO "{t}" (text) SELECT CAST(NEW.data AS TEXT) '
        f"WHERE typeof(NEW.data) = 'blob'; "
        f'UPDATE "{e}" SET campaign = {ref("campaign")}, '
        f"nomination_id = {ref('nomination_id')}, actor = {ref('actor')}, shape = {ref('shape')}, "
        f"data = CASE WHEN typeof(NEW.data) = 'blob' THEN {ref('data')} ELSE NEW.data END "
        "WHERE seq = NEW.seq; END"
    )


def _triggers(prefix: str, schema: str | None, dialect: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every trigger pilotflow's tables carry on ``dialect``, by (its table, its name): the
    SQL that creates it."""
    made: dict[tuple[str, str], tuple[str, ...]] = {}
    for table in (f"{prefix}nominations", f"{prefix}submissions"):
        made[table, f"{table}_versioned"] = version_guards(table, schema, dialect)
    if dialect == "sqlite":
        made[f"{prefix}events", f"{prefix}events_texts"] = (_texts_trigger(prefix, schema),)
    return made


def _texts_repair(prefix: str, schema: str | None) -> tuple[str, ...]:
    """SQLite: what :func:`_texts_trigger` would have done to the event rows written while it
    was missing (their texts still in the row): their texts stored, the rows referring to
    them. Nothing to do (no row) where it never was missing."""
    within = f'"{schema}".' if schema else ""
    t, e = f'{within}"{prefix}texts"', f'{within}"{prefix}events"'
    pending = "typeof(shape) = 'text'"
    texts = " UNION ".join(
        f"SELECT CAST({c} AS TEXT) FROM {e} WHERE {pending}"
        for c in ("campaign", "nomination_id", "actor", "shape")
    )
    data = f"SELECT CAST(data AS TEXT) FROM {e} WHERE {pending} AND typeof(data) = 'blob'"

    def ref(column: str) -> str:
        return f'(SELECT id FROM {t} WHERE text = CAST("{prefix}events".{column} AS TEXT))'

    return (
        f"INSERT OR IGNORE INTO {t} (text) {texts} UNION {data}",
        f"UPDATE {e} SET campaign = {ref('campaign')}, nomination_id = {ref('nomination_id')}, "
        f"actor = {ref('actor')}, shape = {ref('shape')}, "
        f"data = CASE WHEN typeof(data) = 'blob' THEN {ref('data')} ELSE data END WHERE {pending}",
    )


def triggers(prefix: str, schema: str | None, dialect: str) -> tuple[str, ...]:
    """The SQL that gives pilotflow's tables (``prefix``, in ``schema``) their triggers on
    ``dialect`` (``"sqlite"`` or ``"postgresql"``): the version guards of the nominations and
    letters (schema version 7: an ``UPDATE`` that leaves a row's ``version`` as it was, a
    hand edit, raises it by one) and, on SQLite, the trigger that stores an event row's texts
    once each in ``pf_texts`` (with the rows written while it was missing: until then they
    are not read back). Tables made by :func:`make_metadata`, by ``SQLStore(...,
    create=True)`` or by pilotflow's migrations have them; a host whose own migrations create
    the tables runs these (``op.execute`` each). Each may be run again: a trigger already
    there is replaced (PostgreSQL) or kept (SQLite). A store that writes refuses tables that
    lack one.

    >>> for sql in triggers("gov_pf_", None, "sqlite"):
    ...     print(sql[:58])
    CREATE TRIGGER IF NOT EXISTS "gov_pf_nominations_versioned
    CREATE TRIGGER IF NOT EXISTS "gov_pf_submissions_versioned
    CREATE TRIGGER IF NOT EXISTS "gov_pf_events_texts" AFTER I
    INSERT OR IGNORE INTO "gov_pf_texts" (text) SELECT CAST(ca
    UPDATE "gov_pf_events" SET campaign = (SELECT id FROM "gov
    """
    check_names(prefix, schema)
    if dialect not in ("sqlite", "postgresql"):
        raise InvalidInput(
            f"dialect must be 'sqlite' or 'postgresql', got {_shown(dialect)}",
            f"dialect 只能是 sqlite 或 postgresql，收到的是 {_shown(dialect, True)}",
        )
    out: list[str] = []
    within = f'"{schema}".' if schema else ""
    for (table, name), made in _triggers(prefix, schema, dialect).items():
        if dialect == "sqlite":
            out += [sql.replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1) for sql in made]
        else:  # (the function replaced; CREATE OR REPLACE TRIGGER needs PostgreSQL 14)
            function, trigger = made
            out += [function, f'DROP TRIGGER IF EXISTS "{name}" ON {within}"{table}"', trigger]
    if dialect == "sqlite":
        out += _texts_repair(prefix, schema)
    return tuple(out)


def missing_triggers(conn: Connection, prefix: str, schema: str | None) -> list[tuple[str, str]]:
    """The triggers of :func:`_triggers` (table, name) that the tables on ``conn`` lack (on
    PostgreSQL, a disabled one counts as lacking; without a schema, the tables are those the
    search path finds)."""
    dialect, within = conn.dialect.name, (f'"{schema}".' if schema else "")
    if dialect == "sqlite":  # (names compared as SQLite does: without regard to case)
        query = f"SELECT lower(tbl_name), lower(name) FROM {within}sqlite_master WHERE type = 'trigger'"
        found = {(str(t), str(n)) for t, n in conn.exec_driver_sql(query)}
        return [k for k in _triggers(prefix, schema, dialect) if (k[0].lower(), k[1].lower()) not in found]
    pg_query = sa.text(
        "SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(:relation) AND tgname = :name "
        "AND NOT tgisinternal AND tgenabled <> 'D'"
    )
    return [
        (table, name)
        for table, name in _triggers(prefix, schema, dialect)
        if conn.execute(pg_query, {"relation": f'{within}"{table}"', "name": name}).first() is None
    ]


def triggers_error(
    missing: Sequence[tuple[str, str]], prefix: str, schema: str | None, dialect: str
) -> StoreError:
    """Refuse tables that lack pilotflow's triggers, saying which and what to do."""
    names = ", ".join(f"{name} (on {table})" for table, name in missing)
    zh_names = "、".join(f"{table} 表的 {name}" for table, name in missing)
    where, zh_where = (f"schema {schema!r}", f"模式 {schema} 中") if schema else ("the database", "")
    texts = any(name.endswith("events_texts") for _, name in missing)
    sql = f"pilotflow.store.sql.triggers({prefix!r}, {schema!r}, {dialect!r})"
    return StoreError(
        f"pilotflow's tables in {where} lack the trigger(s) {names}, which keep the versions of "
        "rows edited by hand and the audit record right"
        + (" (the events written while it was missing are not read back)" if texts else "")
        + f": run the SQL {sql} gives (in your migrations), then open the store again",
        f"数据库{zh_where}的 pilotflow 表缺少触发器：{zh_names}。它们保证手工修改过的行的版本号随之变化、"
        "审计记录完整"
        + ("（缺少期间写入的操作记录无法读出）" if texts else "")
        + f"。请执行 {sql} 给出的 SQL（可写入迁移脚本）后重新打开",
    )


def versioned(table: sa.Table) -> None:
    """Create ``table`` (nominations or submissions) with its :func:`version_guards`; on
    PostgreSQL its function is dropped with it."""

    def ddl(text: str, dialect: str) -> Any:
        # (DDL %-formats its text: a '%' in a schema's name must stay one)
        return sa.DDL(text.replace("%", "%%")).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]

    for dialect in ("sqlite", "postgresql"):
        for text in version_guards(table.name, table.schema, dialect):
            sa.event.listen(table, "after_create", ddl(text, dialect))
    within = f'"{table.schema}".' if table.schema else ""
    sa.event.listen(
        table, "after_drop", ddl(f'DROP FUNCTION IF EXISTS {within}"{table.name}_versioned"()', "postgresql")
    )


def submissions_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The table of submissions (推荐函) and of the units drafts list, in ``md`` (schema
    version 3 added them); the first is returned."""
    sa.Table(
        f"{prefix}listed",
        md,
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("nomination_id", sa.String(64), primary_key=True),
        sa.Column("submission_id", sa.String(64), nullable=False),
    )
    return sa.Table(
        f"{prefix}submissions",
        md,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("sender", sa.String(50), nullable=False),
        sa.Column("receiver", sa.String(50), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("units", sa.Text, nullable=False),
        sa.Column("stamps", sa.Text, nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.Column("sent_at", MOMENT),
        sa.Column("sent_versions", sa.Text, nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Column("created_offset", OFFSET, nullable=False),  # (schema 4 added them last)
        sa.Column("updated_offset", OFFSET, nullable=False),
        sa.Column("sent_offset", OFFSET),
        sa.Index(f"{prefix}ix_submission_sender", "campaign", "sender", "state"),
        sa.Index(f"{prefix}ix_submission_receiver", "campaign", "receiver", "state"),
    )


def lists_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The table of lists loaded, in ``md`` (schema version 5 added it; the lists' rows
    are read and written by :mod:`.lists`)."""
    return sa.Table(
        f"{prefix}lists",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("list_id", sa.String(LIST_KEY), nullable=False),
        sa.Column("version", sa.String(LIST_KEY), nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("actor_authority", sa.String(50), nullable=False),
        sa.Column("actor_department", sa.String(50), nullable=False),
        sa.Column("actor_person", sa.String(200), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("at_offset", OFFSET, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        # Last: a row's other columns are read without going through its entries (SQLite
        # keeps a long value in overflow pages that a column after it would be read through).
        sa.Column("entries", sa.Text, nullable=False),
        sa.Index(f"{prefix}ix_lists", "campaign", "list_id", "seq"),
    )  # fmt: skip


def events_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The audit log and (SQLite) the texts its rows share, in ``md`` (schema version 4);
    the first is returned. Columns in :data:`pilotflow.store.codec.EVENT_COLUMNS` order."""
    sa.Table(
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
    trigger = sa.DDL(_texts_trigger(prefix, md.schema).replace("%", "%%"))  # type: ignore[no-untyped-call]
    sa.event.listen(events, "after_create", trigger.execute_if(dialect="sqlite"))
    return events


def event_select(
    md: sa.MetaData,
    prefix: str,
    pg: bool,
    *,
    ids: int = 0,
    until: bool = False,
    after: bool = False,
) -> sa.Select[Any]:
    """The events of campaign ``p_campaign`` in the order they were written, each row as
    :func:`pilotflow.store.codec.decode_event_row` takes it:
    ``(seq, nomination_id, version, actor, at, at_offset, shape, reason, data)``.

    ``ids``: instead, the events of that many nominations or submissions
    (``p_in0``, ``p_in1``...), found by the id index: the campaign is then not a condition
    (a planner could take the campaign's index and walk its whole log) but a tenth column,
    true on the campaign's rows. ``until``: dated at or before ``p_until`` (an instant).
    ``after``: with ``seq`` over ``p_after`` (the keyset of a page)."""
    key = f"{md.schema}." if md.schema else ""
    e, texts = md.tables[f"{key}{prefix}events"], md.tables[f"{key}{prefix}texts"]
    b = sa.bindparam
    ref: Callable[[str], Any]
    if pg:
        q = sa.select(
            e.c.seq,
            e.c.nomination_id,
            e.c.version,
            sa.cast(e.c.actor, sa.Text),
            e.c.at,
            e.c.at_offset,
            sa.cast(e.c.shape, sa.Text),
            e.c.reason,
            sa.cast(e.c.data, sa.Text),
        )
        ref = b
    else:
        n, a, s = texts.alias("n"), texts.alias("a"), texts.alias("s")
        q = (
            sa.select(
                e.c.seq,
                n.c.text,
                e.c.version,
                a.c.text,
                e.c.at,
                e.c.at_offset,
                s.c.text,
                e.c.reason,
                sa.case(
                    (sa.func.typeof(e.c.data) == sa.literal_column("'integer'"), _text_of(texts, e.c.data)),
                    else_=e.c.data,
                ),
            )
            # (outer joins: a reference to a text no row holds reads as NULL, which the
            # decoder refuses, instead of the event silently missing from every read)
            .join_from(e, n, n.c.id == e.c.nomination_id, isouter=True)
            .join(a, a.c.id == e.c.actor, isouter=True)
            .join(s, s.c.id == e.c.shape, isouter=True)
        )
        ref = partial(_text_ref, texts)
    ours = e.c.campaign == ref("p_campaign")
    if ids:
        q = q.add_columns(ours.label("ours")).where(
            e.c.nomination_id.in_([ref(f"p_in{i}") for i in range(ids)])
        )
    else:
        q = q.where(ours)
    if until:
        q = q.where(e.c.at <= b("p_until"))
    if after:
        q = q.where(e.c.seq > b("p_after"))
    return q.order_by(e.c.seq)


def event_count(md: sa.MetaData, prefix: str, pg: bool) -> sa.Select[Any]:
    """How many events campaign ``p_campaign`` has (from the campaign's index)."""
    key = f"{md.schema}." if md.schema else ""
    e, texts = md.tables[f"{key}{prefix}events"], md.tables[f"{key}{prefix}texts"]
    campaign = sa.bindparam("p_campaign") if pg else _text_ref(texts, "p_campaign")
    return sa.select(sa.func.count()).select_from(e).where(e.c.campaign == campaign)


def nomination_select(tables: Mapping[str, sa.Table], pg: bool) -> sa.Select[Any]:
    """``SELECT`` of every column of the nominations table, in table order, the materials
    whole: a row's own, or (NULL: unchanged since filing) those of the event that filed it,
    the nomination's first (an empty list when that event names none). ``tables``: by name
    without prefix (``nominations``, ``events``, ``texts``)."""
    n, e = tables["nominations"], tables["events"]
    filed: Any
    if pg:
        nid: Any = n.c.id
        filed = sa.cast(sa.type_coerce(e.c.data, postgresql.JSONB).op("->")(sa.literal_column("'materials'")),
                        sa.Text)  # fmt: skip
    else:
        texts = tables["texts"]
        nid = _no_affinity(sa.select(texts.c.id).where(texts.c.text == n.c.id).correlate(n).scalar_subquery())
        data = sa.case(  # (event data many events share is a reference into the texts)
            (sa.func.typeof(e.c.data) == sa.literal_column("'integer'"), _text_of(texts, e.c.data)),
            else_=e.c.data,
        )
        filed = sa.func.json_extract(data, sa.literal_column("'$.materials'"))
    # Its first event: the first entry of the index on (nomination_id, version).
    # (LIMIT and OFFSET as literals: no parameter to bind in every read of nominations)
    first = sa.select(filed).where(e.c.nomination_id == nid).order_by(e.c.version)
    filed_with = first.limit(sa.literal_column("1", sa.Integer)).offset(sa.literal_column("0", sa.Integer))
    materials = sa.func.coalesce(n.c.materials, filed_with.scalar_subquery(), sa.literal_column("'[]'"))
    return sa.select(*(materials.label("materials") if c.name == "materials" else c for c in n.c))


def _text_ref(texts: sa.Table, param: str) -> Any:
    """SQLite: the reference of the text ``param`` gives (0, which no row has, if no row
    holds it)."""
    return _no_affinity(sa.select(texts.c.id).where(texts.c.text == sa.bindparam(param)).scalar_subquery())


def _no_affinity(ref: Any) -> Any:
    """SQLite: a reference compared with a column of references (no affinity, ``BLOB``)
    through its index. Compared as is, the integer subquery's affinity would be applied to the
    column and SQLite would scan the table instead; a function's result has no affinity
    (``ifnull``: a text no row holds gives 0, which no row has)."""
    return sa.func.ifnull(ref, sa.literal_column("0"))


def _text_of(texts: sa.Table, ref: Any) -> Any:
    """SQLite: the text the reference ``ref`` stands for."""
    return sa.select(texts.c.text).where(texts.c.id == ref).scalar_subquery()


def recorded_version(conn: Connection, meta: sa.Table, schema: str | None) -> str | None:
    """The schema version recorded in the meta table (None: no table, or no row)."""
    if not sa.inspect(conn).has_table(meta.name, schema=schema):
        return None
    found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return None if found is None else str(found)


def version_error(found: str | None, table: str) -> StoreError:
    """Refuse a database at another schema version, saying what to do about it."""
    if found is None:
        return StoreError(
            f"the database holds no pilotflow tables (no schema version in {table}): create them "
            "with SQLStore(..., create=True) or pilotflow.store.migrate.upgrade(url_or_engine), "
            "or check the URL, schema and prefix",
            f"数据库中没有 pilotflow 的表（{table} 中没有表结构版本）：请用 SQLStore(..., create=True) "
            "或 pilotflow.store.migrate.upgrade(...) 建表，或检查地址、schema 与表名前缀",
        )
    if not (found.isascii() and found.isdigit()) or int(found) == int(SCHEMA_VERSION):
        en = "that is no schema version pilotflow writes: the table was changed outside pilotflow"
        zh = "这不是 pilotflow 写入的版本号，该表可能被其他程序修改过"
    elif int(found) < int(SCHEMA_VERSION):
        en = "migrate it first: pilotflow.store.migrate.upgrade(url_or_engine)"
        zh = "请先迁移：pilotflow.store.migrate.upgrade(...)"
    else:
        en = "it was written by a newer pilotflow: upgrade pilotflow"
        zh = "它由更新版本的 pilotflow 写入，请升级 pilotflow"
    return StoreError(
        f"the database holds pilotflow schema version {found!r} (in {table}); this pilotflow "
        f"needs {SCHEMA_VERSION!r}: {en}",
        f"数据库中的 pilotflow 表结构版本为 {found!r}（{table}），本程序需要 {SCHEMA_VERSION!r}：{zh}",
    )
