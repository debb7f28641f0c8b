"""Driver and SQLAlchemy errors as pilotflow's: :class:`~pilotflow.errors.StoreError`, or
:class:`~pilotflow.errors.ConflictError` for a deadlock, a serialization failure or a busy
SQLite file (worth retrying); and :class:`_StaleRows`, the signal that rolls a commit back."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...errors import ConflictError, InvalidInput, PilotflowError, StoreError

__all__ = ["dbapi_error", "engine", "is_retryable", "options_refused", "store_error"]


def engine(url: str | sa.URL, options: dict[str, Any]) -> sa.Engine:
    """``sa.create_engine(url, **options)``, an option it does not take refused by name."""
    try:
        return sa.create_engine(url, **options)
    except (TypeError, sa.exc.ArgumentError) as exc:
        raise options_refused(options, exc) from exc


def options_refused(options: dict[str, Any], exc: Exception) -> InvalidInput:
    """The refusal of engine ``options`` that SQLAlchemy or the driver does not take."""
    names = ", ".join(sorted(options)) or "none"
    return InvalidInput(
        f"the store could not be opened with these options ({names}): {exc}",
        f"无法使用这些选项打开存储（{names}），请检查选项名称和取值",
    )


class _StaleRows(Exception):
    """Raised inside a commit's transaction (so that it rolls back) when a version-checked
    UPDATE matched fewer rows than it was given; the versions are read after the rollback
    and the store raises :class:`~pilotflow.errors.ConflictError` naming one."""

    def __init__(self, expected: list[tuple[str, int]]) -> None:
        super().__init__(expected)
        self.expected = expected


def is_retryable(exc: sa.exc.OperationalError) -> bool:
    """A deadlock or serialization failure (PostgreSQL) or a busy SQLite file."""
    code = getattr(exc.orig, "sqlstate", None)
    if code in ("40001", "40P01"):
        return True
    return "database is locked" in str(exc.orig)


def store_error(exc: sa.exc.SQLAlchemyError) -> PilotflowError:
    """The pilotflow error to raise (``from exc``) for a SQLAlchemy error."""
    if isinstance(exc, sa.exc.OperationalError) and is_retryable(exc):
        return ConflictError("(transaction)", 0, None)
    return StoreError(
        f"database error: {type(exc).__name__}: {exc}".splitlines()[0],
        "数据库错误：" + str(exc).splitlines()[0],
    )


def dbapi_error(exc: Exception, base: type[Exception], dialect: Any) -> sa.exc.StatementError:
    """A driver's exception raised by a statement run on its own cursor, wrapped as
    SQLAlchemy would have wrapped it (so that :func:`store_error` and the integrity checks
    read it alike); the driver's exception is its ``__cause__``."""
    wrapped = sa.exc.DBAPIError.instance(None, None, exc, base, dialect=dialect)
    wrapped.__cause__ = exc
    return wrapped
