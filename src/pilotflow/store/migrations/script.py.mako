"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from pilotflow.store.migrate import migration_options
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}

# Bump it (and SCHEMA_VERSION in store/sql.py, and REVISION_OF_SCHEMA in store/migrate.py)
# when this revision changes the tables.
SCHEMA_VERSION = "?"


def upgrade() -> None:
    prefix, schema = migration_options()
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    prefix, schema = migration_options()
    ${downgrades if downgrades else "pass"}
