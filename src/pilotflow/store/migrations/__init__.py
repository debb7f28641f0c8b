"""pilotflow's Alembic migrations (``script_location = pilotflow.store:migrations``).

Run them with :func:`pilotflow.store.migrate.upgrade`; the revisions are in ``versions/``.
"""
