"""A nomination's materials stored once (schema version 6).

A nomination's row no longer repeats the materials its filing event carries: its
``materials`` column may be NULL, meaning "those it was filed with", read from the data of
its first event. The upgrade makes the column nullable and sets it to NULL on every row whose
materials equal its filing event's (compared as JSON values by the database); a row whose
materials changed since keeps its own. The downgrade writes them back from the filing events
and makes the column required again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options

revision = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "6"
PREVIOUS_VERSION = "5"


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def _q(name: str, schema: str | None) -> str:
    return f'"{schema}"."{name}"' if schema else f'"{name}"'


def _filed(prefix: str, schema: str | None, pg: bool) -> str:
    """SQL of the materials (a JSON value) the nomination of the outer row was filed with:
    its first event's ``data.materials``, ``[]`` when that names none (a frozen copy of what
    schema 6's ``nomination_select`` reads)."""
    nominations, events = _q(f"{prefix}nominations", schema), _q(f"{prefix}events", schema)
    if pg:
        first = (
            f"SELECT e.data -> 'materials' FROM {events} e WHERE e.nomination_id = {nominations}.id "
            "ORDER BY e.version LIMIT 1"
        )
        return f"COALESCE(({first}), '[]'::jsonb)"
    texts = _q(f"{prefix}texts", schema)
    data = (
        f"CASE WHEN typeof(e.data) = 'integer' THEN (SELECT text FROM {texts} WHERE id = e.data) "
        "ELSE e.data END"
    )
    first = (
        f"SELECT json_extract({data}, '$.materials') FROM {events} e "
        # (ifnull: a function's result has no affinity, so the index on nomination_id is used)
        f"WHERE e.nomination_id = ifnull((SELECT t.id FROM {texts} t WHERE t.text = {nominations}.id), 0) "
        "ORDER BY e.version LIMIT 1"
    )
    return f"COALESCE(({first}), '[]')"


def upgrade() -> None:
    prefix, schema = migration_options()
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    table = f"{prefix}nominations"
    with op.batch_alter_table(table, schema=schema) as batch:
        batch.alter_column("materials", existing_type=sa.Text, nullable=True)
    own = "materials::jsonb" if pg else "json(materials)"
    op.execute(f"UPDATE {_q(table, schema)} SET materials = NULL WHERE {own} = {_filed(prefix, schema, pg)}")
    _record(prefix, schema, SCHEMA_VERSION)


def downgrade() -> None:
    prefix, schema = migration_options()
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    table = f"{prefix}nominations"
    filed = _filed(prefix, schema, pg) + ("::text" if pg else "")
    op.execute(f"UPDATE {_q(table, schema)} SET materials = {filed} WHERE materials IS NULL")
    with op.batch_alter_table(table, schema=schema) as batch:
        batch.alter_column("materials", existing_type=sa.Text, nullable=False)
    _record(prefix, schema, PREVIOUS_VERSION)
