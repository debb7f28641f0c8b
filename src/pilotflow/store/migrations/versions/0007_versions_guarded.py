"""The versions of nominations and submissions guarded (schema version 7).

An ``UPDATE`` of a nomination's or a submission's row that leaves its ``version`` as it was
(an edit made outside pilotflow: pilotflow's own writes always move it) raises the version by
one, so that a store that kept the row's last state finds it changed and judges its next
action on a fresh read instead of writing over the edit. SQLite: a trigger after the update;
PostgreSQL: a trigger before it and its plpgsql function, both named ``<table>_versioned``.
The downgrade drops them. (A later migration that rebuilds either table on SQLite, as
``batch_alter_table`` does, must create its trigger again.)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options

revision = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

SCHEMA_VERSION = "7"
PREVIOUS_VERSION = "6"

TABLES = ("nominations", "submissions")


def _record(prefix: str, schema: str | None, version: str) -> None:
    meta = sa.table(f"{prefix}meta", sa.column("key"), sa.column("value"), schema=schema)
    op.execute(meta.update().where(meta.c.key == "schema_version").values(value=version))


def _create(name: str, schema: str | None, pg: bool) -> list[str]:
    """The trigger of table ``name`` (a frozen copy of schema 7's ``schema.version_guards``)."""
    within = f'"{schema}".' if schema else ""
    qualified, function = f'{within}"{name}"', f'{within}"{name}_versioned"'
    if not pg:
        return [
            f'CREATE TRIGGER {function} AFTER UPDATE ON "{name}" WHEN NEW.version = OLD.version '
            f'BEGIN UPDATE "{name}" SET version = OLD.version + 1 WHERE id = NEW.id; END'
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$",
        f'CREATE TRIGGER "{name}_versioned" BEFORE UPDATE ON {qualified} FOR EACH ROW '
        f"WHEN (NEW.version = OLD.version) EXECUTE FUNCTION {function}()",
    ]


def _drop(name: str, schema: str | None, pg: bool) -> list[str]:
    within = f'"{schema}".' if schema else ""
    if not pg:
        return [f'DROP TRIGGER IF EXISTS {within}"{name}_versioned"']
    return [
        f'DROP TRIGGER IF EXISTS "{name}_versioned" ON {within}"{name}"',
        f'DROP FUNCTION IF EXISTS {within}"{name}_versioned"()',
    ]


def _run(statements: Callable[[str, str | None, bool], list[str]], version: str) -> None:
    """Run ``statements`` (:func:`_create` or :func:`_drop`) for each table; record ``version``."""
    prefix, schema = migration_options()
    pg = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for statement in statements(f"{prefix}{table}", schema, pg):
            op.execute(statement)
    _record(prefix, schema, version)


def upgrade() -> None:
    _run(_create, SCHEMA_VERSION)


def downgrade() -> None:
    _run(_drop, PREVIOUS_VERSION)
