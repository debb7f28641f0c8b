"""Lists loaded into the store: one row per load of a list (名单), with its version and
entries, who loaded it and when (schema version 5).

Adds the ``lists`` table; nothing else changes. A database migrated here holds no list yet:
load them with ``CampaignRun.load_list`` or ``pilotflow lists load``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from pilotflow.store.migrate import migration_options

revision = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "5"
PREVIOUS_VERSION = "4"


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def upgrade() -> None:
    prefix, schema = migration_options()
    md = sa.MetaData(schema=schema)
    v5_lists_table(md, prefix)
    md.create_all(op.get_bind())
    _record(prefix, schema, SCHEMA_VERSION)


def downgrade() -> None:
    prefix, schema = migration_options()
    op.drop_table(f"{prefix}lists", schema=schema)
    _record(prefix, schema, PREVIOUS_VERSION)


def v5_lists_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The table of lists loaded, as schema version 5 has it (a frozen copy)."""
    return sa.Table(
        f"{prefix}lists",
        md,
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True,
                  autoincrement=True),
        sa.Column("campaign", sa.String(100), nullable=False),
        sa.Column("list_id", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("actor_authority", sa.String(50), nullable=False),
        sa.Column("actor_department", sa.String(50), nullable=False),
        sa.Column("actor_person", sa.String(200), nullable=False),
        sa.Column("at", sa.BigInteger().with_variant(postgresql.TIMESTAMP(timezone=True), "postgresql"),
                  nullable=False),
        sa.Column("at_offset", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        # Last: a row's other columns are read without going through its entries (SQLite
        # keeps a long value in overflow pages that a column after it would be read through).
        sa.Column("entries", sa.Text, nullable=False),
        sa.Index(f"{prefix}ix_lists", "campaign", "list_id", "seq"),
    )  # fmt: skip
