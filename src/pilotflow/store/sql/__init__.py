"""The SQL store (SQLAlchemy 2 Core): SQLite by default, PostgreSQL for many processes.

Tables (names carry a prefix, ``pf_`` by default, and may live in a schema)::

    pf_nominations  one row per nomination: its current version, state and holder
    pf_events       the audit log; UNIQUE (nomination_id, version) backs optimistic locking
    pf_quota        seats used per (campaign, authority, unit type), "*" for all types
    pf_receipts     idempotency keys of commands already carried out, with their results
    pf_meta         schema version

A commit runs in one transaction. A nomination row is updated only ``WHERE version =
expected`` (else :class:`~pilotflow.errors.ConflictError`); a seat is taken only by
``UPDATE ... SET used = used + 1 WHERE used + 1 <= limit`` — a single statement the database
serialises on the row (SQLite: the whole file, taken up front with ``BEGIN IMMEDIATE``;
PostgreSQL: the row lock, with the condition re-checked after a wait), so two writers can
never both take the last seat. Driver errors are wrapped in
:class:`~pilotflow.errors.StoreError` (``raise ... from``).

The package, by module: ``schema`` (the tables, :data:`SCHEMA_VERSION`), ``core``
(:class:`SQLStore`, the engine a URL names), ``write`` (what a commit writes), ``sqlite``
and ``postgres`` (each dialect's own settings and checks), ``_fast`` (the measured speed
tricks, each behind one name) and ``_driver`` (driver errors as pilotflow's).
"""

from __future__ import annotations

from .core import SQLStore
from .schema import SCHEMA_VERSION, make_metadata, triggers
from .sqlite import SQLITE_HEADER, configure_sqlite, file_uri, sqlite_url

__all__ = [
    "SCHEMA_VERSION",
    "SQLITE_HEADER",
    "SQLStore",
    "configure_sqlite",
    "file_uri",
    "make_metadata",
    "sqlite_url",
    "triggers",
]
