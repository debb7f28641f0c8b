"""Projects: a unit may file several nominations where the campaign allows it (schema version 2).

Adds ``project`` to the nominations (``""`` for every existing row: the unit's one
nomination) and makes the unit's claim unique per campaign, track, unit and project.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "2"
PREVIOUS_VERSION = "1"


def _claim_index(prefix: str, schema: str | None, columns: list[str]) -> None:
    claims: sa.ColumnClause[bool] = sa.column("claims_unit")
    op.create_index(
        f"{prefix}uq_unit_claim",
        f"{prefix}nominations",
        columns,
        unique=True,
        schema=schema,
        sqlite_where=claims == sa.true(),
        postgresql_where=claims == sa.true(),
    )


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def upgrade() -> None:
    prefix, schema = migration_options()
    table = f"{prefix}nominations"
    op.drop_index(f"{prefix}uq_unit_claim", table_name=table, schema=schema)
    with op.batch_alter_table(table, schema=schema) as batch:
        batch.add_column(sa.Column("project", sa.String(50), nullable=False, server_default=""))
    _claim_index(prefix, schema, ["campaign", "track", "unit_code", "project"])
    _record(prefix, schema, SCHEMA_VERSION)


def downgrade() -> None:
    prefix, schema = migration_options()
    table = f"{prefix}nominations"
    op.drop_index(f"{prefix}uq_unit_claim", table_name=table, schema=schema)
    with op.batch_alter_table(table, schema=schema) as batch:
        batch.drop_column("project")
    _claim_index(prefix, schema, ["campaign", "track", "unit_code"])
    _record(prefix, schema, PREVIOUS_VERSION)
