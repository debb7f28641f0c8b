"""Submissions: one jointly stamped recommendation letter (推荐函) per sender and hop
(schema version 3).

Adds the ``submissions`` table and the ``listed`` table (the units each draft lists: a unit
in one draft at a time), and renames the nominations' ``stamps`` column to
``examined``: a unit is no longer stamped on its own (the joint stamp is on its submission);
what the column keeps is which departments examined it one by one (逐一审查). No row of a
0.1 development database carried a meaning this loses: stamps there were per unit and hop,
cleared at each move, so a unit waiting at a hop keeps its departments' marks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "3"
PREVIOUS_VERSION = "2"


def submissions_table(md: sa.MetaData, prefix: str) -> sa.Table:
    """The submissions and listed tables as schema version 3 had them (a frozen copy: schema
    version 4 changed the moments); the first is returned."""
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


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def upgrade() -> None:
    prefix, schema = migration_options()
    with op.batch_alter_table(f"{prefix}nominations", schema=schema) as batch:
        batch.alter_column(
            "stamps", new_column_name="examined", existing_type=sa.Text, existing_nullable=False
        )
    md = sa.MetaData(schema=schema)
    submissions_table(md, prefix)
    md.create_all(op.get_bind())
    _record(prefix, schema, SCHEMA_VERSION)


def downgrade() -> None:
    prefix, schema = migration_options()
    op.drop_table(f"{prefix}listed", schema=schema)
    op.drop_table(f"{prefix}submissions", schema=schema)
    with op.batch_alter_table(f"{prefix}nominations", schema=schema) as batch:
        batch.alter_column(
            "examined", new_column_name="stamps", existing_type=sa.Text, existing_nullable=False
        )
    _record(prefix, schema, PREVIOUS_VERSION)
