"""Driver and SQLAlchemy errors as pilotflow's: :class:`~pilotflow.errors.StoreError`, or
:class:`~pilotflow.errors.ConflictError` for a deadlock, a serialization failure or a busy
SQLite file (worth retrying); and :class:`_StaleRows`, the signal that rolls a commit back."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from ...errors import ConflictError, InvalidInput, PilotflowError, StoreError, shown

__all__ = [
    "ENGINE_OPTIONS",
    "check_dialect",
    "check_engine_options",
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
    if isinstance(url, str) and not url.isascii():
        try:  # (a file name's undecodable bytes, escaped as os.fsdecode does, pass)
            url.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:  # a lone surrogate: no driver, no file system takes it
            raise InvalidInput(
                f"the store URL {shown_url(url)} is not valid Unicode "
                f"(a lone surrogate at character {exc.start})",
                f"存储地址 {shown_url(url)} 含有无效的 Unicode 字符（第 {exc.start} 个字符处）",
            ) from None
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


def _count(least: int) -> Callable[[object], bool]:
    def ok(value: object) -> bool:
        return type(value) is int and value >= least

    return ok


def _seconds(value: object) -> bool:
    return type(value) in (int, float) and 0 <= value < float("inf")  # type: ignore[operator]


def _flag(value: object) -> bool:
    return type(value) is bool


def _name(value: object) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 100 and value.isprintable()


def _echo(value: object) -> bool:
    return value is None or type(value) is bool or value == "debug"


def _pool_class(value: object) -> bool:
    return isinstance(value, type) and issubclass(value, sa.pool.Pool) and value is not sa.pool.AssertionPool


def _connect_args(value: object) -> bool:
    return isinstance(value, Mapping) and all(isinstance(k, str) for k in value)


#: The engine options a store opened by URL takes (``open_store(url, pool_size=10)``), each
#: with what it must be: (the test, what it says in English, in Chinese). Anything else (a
#: driver module, a connection factory, execution options) is the host's to set on an engine
#: of its own, given to ``SQLStore(engine)``. The isolation level may be raised, never
#: lowered: pilotflow's version checks and seats need at least READ COMMITTED.
ENGINE_OPTIONS: dict[str, tuple[Callable[[object], bool], str, str]] = {
    "pool_size": (_count(0), "a whole number, 0 or more", "不小于 0 的整数"),
    "max_overflow": (_count(-1), "a whole number, -1 (no limit) or more", "不小于 -1 的整数（-1 表示不限）"),
    "pool_timeout": (_seconds, "a number of seconds, 0 or more", "不小于 0 的秒数"),
    "pool_recycle": (
        lambda v: v == -1 or _seconds(v),
        "a number of seconds, -1 (never) or more",
        "不小于 -1 的秒数（-1 表示不回收）",
    ),
    "pool_pre_ping": (_flag, "True or False", " True 或 False"),
    "pool_use_lifo": (_flag, "True or False", " True 或 False"),
    "pool_reset_on_return": (
        lambda v: v in (None, "rollback", "commit"),
        "None, 'rollback' or 'commit'",
        " None、'rollback' 或 'commit'",
    ),
    "poolclass": (
        _pool_class,
        "a pool class of sqlalchemy.pool (NullPool behind a pooler such as pgbouncer)",
        " sqlalchemy.pool 中的连接池类（如使用 pgbouncer 等连接池服务时的 NullPool）",
    ),
    "isolation_level": (
        lambda v: v in ("READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE"),
        "READ COMMITTED, REPEATABLE READ or SERIALIZABLE (pilotflow's writes need at least the first)",
        " READ COMMITTED、REPEATABLE READ 或 SERIALIZABLE（pilotflow 的写入至少需要 READ COMMITTED）",
    ),
    "echo": (_echo, "True, False, None or 'debug'", " True、False、None 或 'debug'"),
    "echo_pool": (_echo, "True, False, None or 'debug'", " True、False、None 或 'debug'"),
    "hide_parameters": (_flag, "True or False", " True 或 False"),
    "query_cache_size": (_count(0), "a whole number, 0 or more", "不小于 0 的整数"),
    "connect_args": (
        _connect_args,
        "a mapping of the driver's connection arguments by name",
        "以参数名为键的映射（数据库驱动的连接参数）",
    ),
    "logging_name": (_name, "a printable name of 1 to 100 characters", "1 至 100 个可打印字符的名称"),
    "pool_logging_name": (_name, "a printable name of 1 to 100 characters", "1 至 100 个可打印字符的名称"),
}


def check_engine_options(options: dict[str, Any]) -> None:
    """Refuse an engine option a store opened by URL does not take, or a value it cannot
    be (:data:`ENGINE_OPTIONS`), naming it, before an engine is made or a file touched."""
    for name, value in options.items():
        known = ENGINE_OPTIONS.get(name)
        if known is None:
            taken = ", ".join(sorted(ENGINE_OPTIONS))
            raise InvalidInput(
                f"the store takes no option {shown(name)} (it takes prefix, schema, create, "
                f"read_only and the engine options {taken}; for others, make the engine "
                "yourself and give it to SQLStore(engine))",
                f"存储不接受选项 {shown(name)}（可用：prefix、schema、create、read_only 及连接池等选项 "
                f"{taken}；其他设置请自行创建 engine 后交给 SQLStore(engine)）",
            )
        ok, en, zh = known
        if not ok(value):
            raise InvalidInput(
                f"the store option {name} must be {en}, got {shown(value)}",
                f"存储选项 {name} 必须是{zh}，收到的是 {shown(value)}",
            )


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
