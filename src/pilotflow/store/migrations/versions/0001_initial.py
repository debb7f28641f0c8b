"""The initial pilotflow tables (schema version 1).

A frozen copy of what ``make_metadata()`` described at schema version 1 — a later change to
``make_metadata()`` gets its own revision; ``tests/test_migrations.py`` checks that the
revisions end exactly where ``make_metadata()`` is.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "1"


def upgrade() -> None:
    prefix, schema = migration_options()
    claims: sa.ColumnClause[bool] = sa.column("claims_unit")
    op.create_table(
        f"{prefix}nominations",
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
        sa.Column("stamps", sa.Text, nullable=False),
        sa.Column("materials", sa.Text, nullable=False),
        sa.Column("seats", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("track", sa.String(20), nullable=False),
        sa.Column("batch", sa.Integer),
        sa.Column("ministry", sa.Text),
        schema=schema,
    )
    op.create_index(
        f"{prefix}uq_unit_claim",
        f"{prefix}nominations",
        ["campaign", "track", "unit_code"],
        unique=True,
        schema=schema,
        sqlite_where=claims == sa.true(),
        postgresql_where=claims == sa.true(),
    )
    op.create_index(
        f"{prefix}ix_holder", f"{prefix}nominations", ["campaign", "holder", "state"], schema=schema
    )
    op.create_table(
        f"{prefix}events",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
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
        schema=schema,
    )
    op.create_index(f"{prefix}ix_events_campaign", f"{prefix}events", ["campaign", "seq"], schema=schema)
    op.create_table(
        f"{prefix}quota",
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("authority", sa.String(50), primary_key=True),
        sa.Column("unit_type", sa.String(50), primary_key=True),
        sa.Column("used", sa.Integer, nullable=False),
        schema=schema,
    )
    op.create_table(
        f"{prefix}receipts",
        sa.Column("campaign", sa.String(100), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        schema=schema,
    )
    meta = op.create_table(
        f"{prefix}meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        schema=schema,
    )
    op.bulk_insert(meta, [{"key": "schema_version", "value": SCHEMA_VERSION}])


def downgrade() -> None:
    prefix, schema = migration_options()
    for name in ("meta", "receipts", "quota", "events", "nominations"):
        op.drop_table(f"{prefix}{name}", schema=schema)
