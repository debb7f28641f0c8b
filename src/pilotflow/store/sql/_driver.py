"""Driver and SQLAlchemy errors as pilotflow's: :class:`~pilotflow.errors.StoreError`, or
:class:`~pilotflow.errors.ConflictError` for a deadlock, a serialization failure or a busy
SQLite file (worth retrying); and :class:`_StaleRows`, the signal that rolls a commit back."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from ...errors import ConflictError, InvalidInput, PilotflowError, StoreError, shown

__all__ = [
    "check_dialect",
    "dbapi_error",
    "engine",
    "is_retryable",
    "options_refused",
    "parsed_url",
    "shown_url",
    "store_error",
    "without_password",
]


def engine(url: str | sa.URL, options: dict[str, Any]) -> sa.Engine:
    """``sa.create_engine(url, **options)``, an option it does not take refused by name, a
    URL it cannot read (a port that is no number, a query value of the wrong kind) or whose
    driver is not installed refused as such."""
    url = parsed_url(url)
    with _refused(url, options):
        return sa.create_engine(url, **options)


def check_dialect(url: str | sa.URL) -> None:
    """Refuse ``url`` as :func:`engine` would (its driver not installed, a query value its
    dialect cannot read), with no engine made: its dialect reads the URL, nothing more."""
    url = parsed_url(url)
    with _refused(url, {}):
        dialect = url.get_dialect()
        dialect.import_dbapi()  # (a driver not installed: ImportError)
        dialect().create_connect_args(url)


@contextmanager
def _refused(url: sa.URL, options: dict[str, Any]) -> Iterator[None]:
    """SQLAlchemy's and the driver's errors on making an engine on ``url`` as InvalidInput."""
    try:
        yield
    except (TypeError, sa.exc.ArgumentError) as exc:
        raise options_refused(options, exc) from exc
    except ValueError as exc:  # (a query value the dialect reads: ?timeout=abc)
        raise url_refused(url, exc) from exc
    except ImportError as exc:  # (a driver named by the URL: postgresql+asyncpg://)
        raise InvalidInput(
            f"the store URL {shown_url(url)} names the driver "
            f"{url.drivername!r}, which needs the package {exc.name or str(exc)!r}, not installed; "
            "pilotflow's stores are sqlite:///file.db and postgresql://... (psycopg 3)",
            f"存储地址所指的数据库驱动 {url.drivername!r} 未安装（缺少软件包 {exc.name or str(exc)!r}）；"
            "pilotflow 支持 sqlite:///文件.db 与 postgresql://...（psycopg 3）",
        ) from exc


def parsed_url(url: str | sa.URL) -> sa.URL:
    """``url`` read as SQLAlchemy reads it, or :class:`InvalidInput` saying it cannot be
    (a port that is no number, a malformed URL)."""
    if isinstance(url, sa.URL):
        return url
    try:
        return sa.engine.make_url(url)
    except (ValueError, sa.exc.ArgumentError) as exc:
        raise url_refused(url, exc) from exc


def url_refused(url: str | sa.URL, exc: Exception) -> InvalidInput:
    """The refusal of a store URL SQLAlchemy or its driver cannot read."""
    return InvalidInput(
        f"the store URL {shown_url(url)} cannot be read: {shown(str(exc), 200)}",
        f"无法识别存储地址 {shown_url(url)}（端口须为数字、参数取值须合法）",
    )


def without_password(url: str) -> str:
    """``url`` with its password written ``***`` (text that is no URL, or holds no password,
    as it is): for showing a store URL. SQLAlchemy reads everything between ``user:`` and an
    ``@`` as the password, ``/`` and ``?`` included (``postgresql://u:pa/ss@host/db``), so
    all of it up to the last ``@`` is hidden (more, at worst, never less); so is a
    ``password=`` of the query, which psycopg reads as the password too."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    user = _USER.match(rest)
    at = rest.rfind("@")
    if user is not None and at >= user.end():
        rest = f"{rest[: user.end()]}***{rest[at:]}"
    head, mark, query = rest.partition("?")
    return f"{scheme}://{head}{mark}{_QUERY_PASSWORD.sub(_HIDDEN, query)}"


#: The ``user:`` a URL's password follows; a ``password=`` of its query and what it gives.
_USER = re.compile(r"[^:/@?#]*:")
_QUERY_PASSWORD = re.compile(r"((?:^|&)password=)[^&]*", re.IGNORECASE)
_HIDDEN = r"\1***"


def shown_url(url: str | sa.URL) -> str:
    """``url`` as a message may show it: its password, in the URL or its query, ``***``."""
    text = url.render_as_string(hide_password=True) if isinstance(url, sa.URL) else url
    return shown(without_password(text))


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
    said = (str(exc).splitlines() or [""])[0]
    kind = next((zh for k, zh in _KINDS_ZH if isinstance(exc, k)), "数据库出错")
    return StoreError(
        f"database error: {type(exc).__name__}: {said}", f"数据库错误：{kind}（数据库原文：{said}）"
    )


#: What a kind of database error means, in Chinese (the driver's own text follows it).
_KINDS_ZH: tuple[tuple[type[sa.exc.SQLAlchemyError], str], ...] = (
    (sa.exc.OperationalError, "无法连接或使用数据库（服务未启动、地址或权限有误，或数据库被占用）"),
    (sa.exc.IntegrityError, "数据违反数据库的约束"),
    (sa.exc.ProgrammingError, "数据库中的表或列与 pilotflow 不符"),
    (sa.exc.DataError, "数据库拒收了一个值"),
    (sa.exc.InterfaceError, "与数据库的连接出错"),
)


def dbapi_error(exc: Exception, base: type[Exception], dialect: Any) -> sa.exc.StatementError:
    """A driver's exception raised by a statement run on its own cursor, wrapped as
    SQLAlchemy would have wrapped it (so that :func:`store_error` and the integrity checks
    read it alike); the driver's exception is its ``__cause__``."""
    wrapped = sa.exc.DBAPIError.instance(None, None, exc, base, dialect=dialect)
    wrapped.__cause__ = exc
    return wrapped
