"""pilotflow's tables and their schema version.

Tables (names carry a prefix, ``pf_`` by default, and may live in a schema)::

    pf_nominations  one row per nomination: its current version, state and holder
    pf_submissions  one row per submission (推荐函): its sender, receiver, state and units
    pf_listed       each unit a draft submission lists (a unit is in one draft at a time)
    pf_events       the audit log (a nomination's or a submission's events, by their id);
                    UNIQUE (nomination_id, version) backs optimistic locking
    pf_quota        seats used per (campaign, authority, unit type), "*" for all types
    pf_receipts     idempotency keys of commands already carried out, with their results
    pf_lists        the lists (名单) loaded: one row per load, each version's entries
    pf_meta         schema version

:func:`make_metadata` is the one description of them: the store creates them from it, the
migrations (:mod:`pilotflow.store.migrate`) check a database against it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...errors import StoreError
from .lists import lists_table

__all__ = ["SCHEMA_VERSION", "make_metadata", "recorded_version", "version_error"]

SCHEMA_VERSION = "5"


def make_metadata(prefix: str = "pf_", schema: str | None = None) -> sa.MetaData:
    """pilotflow's tables as SQLAlchemy ``MetaData`` (for a host's migrations, too)."""
    md = sa.MetaData(schema=schema)
    claims: sa.ColumnClause[bool] = sa.column("claims_unit")
    sa.Table(
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
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("seats", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("track", sa.String(20), nullable=False),
        sa.Column("batch", sa.Integer),
        sa.Column("ministry", sa.Text),
        sa.Column("project", sa.String(50), nullable=False, server_default=""),
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
    )
    submissions_table(md, prefix)
    sa.Table(
        f"{prefix}events",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
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
    )  # fmt: skip
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
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("sent_at", sa.String(40)),
        sa.Column("sent_versions", sa.Text, nullable=False),
        sa.Column("documents", sa.Text, nullable=False),
        sa.Index(f"{prefix}ix_submission_sender", "campaign", "sender", "state"),
        sa.Index(f"{prefix}ix_submission_receiver", "campaign", "receiver", "state"),
    )


def recorded_version(conn: Connection, meta: sa.Table, schema: str | None) -> str | None:
    """The schema version recorded in the meta table (None: no table, or no row)."""
    if not sa.inspect(conn).has_table(meta.name, schema=schema):
        return None
    found = conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return None if found is None else str(found)


def version_error(found: str | None, table: str) -> StoreError:
    """Refuse a database at another schema version, saying what to do about it."""
    if found is None:
        en = (
            "create the tables with SQLStore(..., create=True) or "
            "pilotflow.store.migrate.upgrade(url_or_engine)"
        )
        zh = "请用 SQLStore(..., create=True) 或 pilotflow.store.migrate.upgrade(...) 建表"
    elif found.isdigit() and int(found) < int(SCHEMA_VERSION):
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
