"""Alembic's environment for pilotflow's migrations: the work is done by
:func:`pilotflow.store.migrate.run_env` (options from the ``Config`` attributes or ``-x``).

Importing this file outside an Alembic run (a doctest collector, say) does nothing.
"""

from __future__ import annotations

from alembic import context

from pilotflow.store.migrate import run_env

if getattr(context, "config", None) is not None:  # set only while Alembic runs this file
    run_env()
