"""PostgreSQL (psycopg 3): its engine and the check ``read_only`` makes on a server
database.

Each commit is one transaction; a seat is taken by an ``INSERT ... ON CONFLICT DO UPDATE``
whose condition PostgreSQL checks on the counter's locked row (re-checked after a wait). Deadlocks and
serialization failures come back as :class:`~pilotflow.errors.ConflictError`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ...errors import InvalidInput, StoreError
from ._driver import engine, store_error

__all__ = [
    "holds_pilotflow",
    "is_postgres_url",
    "postgres_engine",
]


def is_postgres_url(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (``postgresql://``, ``postgres://``, or
    ``postgresql+driver://``)."""
    return url.startswith(("postgresql", "postgres://"))


def postgres_engine(url: str, **options: Any) -> Engine:
    """An engine on the PostgreSQL database ``url`` names, through psycopg 3."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        import psycopg  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise StoreError(
            "PostgreSQL needs psycopg 3: pip install 'pilotflow[postgres]'",
            "使用 PostgreSQL 需要安装 psycopg 3：pip install 'pilotflow[postgres]'",
        ) from exc
    return engine(url, options)


def holds_pilotflow(engine: Engine, prefix: str, schema: str | None) -> None:
    """For ``read_only`` on a server database: refuse one without pilotflow's tables."""
    try:
        with engine.connect() as conn:
            found = sa.inspect(conn).has_table(f"{prefix}meta", schema=schema)
    except sa.exc.SQLAlchemyError as exc:
        raise store_error(exc) from exc
    if not found:
        where = f"{schema}.{prefix}meta" if schema else f"{prefix}meta"
        raise InvalidInput(
            f"the database holds no pilotflow tables (no {where} table): not a pilotflow database",
            "该数据库中没有 pilotflow 的数据表，不是 pilotflow 数据库",
        )
