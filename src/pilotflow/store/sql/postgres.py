"""PostgreSQL (psycopg 3): its engine, the check ``read_only`` makes on a server database,
and its ``INSERT ... ON CONFLICT DO NOTHING``.

Each commit is one transaction; a seat is taken by a conditional ``UPDATE`` that PostgreSQL
serialises on the row lock (the condition re-checked after a wait). Deadlocks and
serialization failures come back as :class:`~pilotflow.errors.ConflictError`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ...errors import InvalidInput, StoreError
from ._driver import store_error

__all__ = [
    "holds_pilotflow",
    "insert_ignoring_conflicts",
    "is_postgres_url",
    "list_if_unlisted",
    "postgres_engine",
    "take_or_create",
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
    return sa.create_engine(url, **options)


def insert_ignoring_conflicts(table: sa.Table) -> sa.Executable:
    """``INSERT ... ON CONFLICT DO NOTHING`` into ``table`` (a quota counter's first row)."""
    from sqlalchemy.dialects.postgresql import insert

    return insert(table).on_conflict_do_nothing()


def take_or_create(table: sa.Table) -> sa.Insert:
    """Move a quota counter by ``p_delta`` in one statement, creating its row on its first
    seat: ``INSERT ... ON CONFLICT DO UPDATE``, both branches taking the seat only while
    ``used + p_delta <= p_limit`` (``p_limit`` NULL: no cap). It returns ``used`` when the seat
    was taken, no row when the cap stands in the way (nothing written)."""
    from sqlalchemy.dialects.postgresql import insert

    b = sa.bindparam
    delta, limit = sa.cast(b("p_delta"), sa.Integer), sa.cast(b("p_limit"), sa.Integer)
    first = sa.select(
        sa.cast(b("p_campaign"), table.c.campaign.type),
        sa.cast(b("p_authority"), table.c.authority.type),
        sa.cast(b("p_unit_type"), table.c.unit_type.type),
        delta,
    ).where(sa.or_(limit.is_(None), delta <= limit))
    stmt = insert(table).from_select(["campaign", "authority", "unit_type", "used"], first)
    return stmt.on_conflict_do_update(
        index_elements=[table.c.campaign, table.c.authority, table.c.unit_type],
        set_={"used": table.c.used + stmt.excluded.used},
        where=sa.or_(limit.is_(None), table.c.used + stmt.excluded.used <= limit),
    ).returning(table.c.used)


def list_if_unlisted(table: sa.Table) -> sa.Insert:
    """List a unit in a draft unless a draft lists it already (``ON CONFLICT DO NOTHING``):
    a row back when it was listed, none when another draft holds it."""
    from sqlalchemy.dialects.postgresql import insert

    return insert(table).on_conflict_do_nothing().returning(table.c.nomination_id)


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
