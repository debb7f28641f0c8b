"""SQLite: the file's settings (:func:`configure_sqlite`), its URL, and the checks that let
``read_only`` open a file without creating, locking or changing anything.

pilotflow issues ``BEGIN IMMEDIATE`` itself (the write lock taken up front, so two writers
never both take the last seat), runs its own reads in autocommit, and keeps the file in WAL
mode with ``synchronous=NORMAL``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Connection, Engine

from ...domain.inputs import check_flag
from ...errors import InvalidInput, StoreError, os_reason, shown
from ...files._io import NAME_MAX, NotRegular, fs_path, home_path, read_head
from ._driver import engine, parsed_url

__all__ = [
    "READ_ONLY",
    "SQLITE_HEADER",
    "configure_sqlite",
    "file_uri",
    "sqlite_engine",
    "sqlite_file",
    "sqlite_url",
]

#: The execution option that marks pilotflow's own reads: no ``BEGIN IMMEDIATE`` for them.
READ_ONLY = "pilotflow_read_only"


def sqlite_engine(
    url: str, *, read_only: bool = False, create: bool = True, prefix: str = "pf_", **options: Any
) -> Engine:
    """An engine on the SQLite file ``url`` names, configured (:func:`configure_sqlite`).
    ``read_only``: the file must exist and hold pilotflow's tables (checked first);
    ``create`` False: the file must exist (none is made for a store that would refuse it)."""
    if read_only:
        return configure_sqlite(engine(_existing_sqlite(url, prefix), options), read_only=True)
    return configure_sqlite(engine(_sqlite_url(url, create), options))


#: The query options of a SQLite URL that its driver reads (SQLAlchemy's pysqlite dialect)
#: and pilotflow passes on: the only ones a pilotflow SQLite URL takes.
DRIVER_OPTIONS = ("timeout", "check_same_thread", "detect_types", "isolation_level", "cached_statements")


def _check_query(url: sa.URL) -> None:
    """Refuse a SQLite URL's query option that is no driver option: SQLite's URI options
    (``uri``, ``mode``, ``cache``, ``immutable``...) would make the driver open a file named
    with the query (``x.db?mode=ro``) or ignore them, never a read-only store; anything else
    would be ignored. The refusal says how to read a store only."""
    other = sorted(set(url.query) - set(DRIVER_OPTIONS))
    if not other:
        return
    named = ", ".join(shown(k) for k in other[:5]) + (", ..." if len(other) > 5 else "")
    raise InvalidInput(
        f"a pilotflow SQLite URL takes no query option {named}: SQLite's URI options (uri=true, "
        "mode=ro...) would open another file than the path names, or be ignored. Name the file "
        "alone, sqlite:///path/to/pilotflow.db, and to only read it pass read_only=True "
        "(open_store(url, read_only=True)); the query may give the driver's "
        f"{', '.join(DRIVER_OPTIONS)}",
        f"pilotflow 的 SQLite 地址不接受参数 {named}：SQLite 的 URI 参数（uri=true、mode=ro 等）"
        "会打开路径以外的另一个文件，或被忽略。请只写文件路径：sqlite:///路径/pilotflow.db；"
        "只读打开请另加 read_only=True（open_store(地址, read_only=True)），命令行的查询命令本就只读打开；"
        f"地址中可带的只有数据库驱动的参数 {'、'.join(DRIVER_OPTIONS)}",
    )


def _sqlite_url(url: str, create: bool) -> str:
    file = sqlite_file(url)
    if not create and not file.exists():
        raise InvalidInput(
            f"there is no SQLite file at {file}: with create=False only an existing pilotflow "
            "database is opened",
            f"{file} 处没有 SQLite 数据库文件：create=False 时只打开已有的 pilotflow 数据库",
        )
    return url


def sqlite_file(url: str | sa.URL) -> Path:
    """The file the SQLite URL ``url`` names (``~`` expanded, resolved), read from the URL
    alone (no engine, nothing opened), or :class:`InvalidInput`: no real file (in memory), a
    name the file system cannot take, a folder that does not exist, a query option that is no
    driver option (:func:`_check_query`)."""
    parsed = parsed_url(url) if isinstance(url, sa.URL) or "///" in url else None
    if parsed is not None:
        _check_query(parsed)
    path = (parsed.database or "") if parsed is not None else ""  # %-decoded, no ?query
    if not path or path == ":memory:":
        raise InvalidInput(
            "the SQLite store needs a real file: sqlite:///path/to/pilotflow.db",
            "SQLite 存储需要一个真实文件路径：sqlite:///path/to/pilotflow.db",
        )
    file = home_path(fs_path(path, "url")).resolve()
    if len(os.fsencode(file.name)) > NAME_MAX:
        raise InvalidInput(
            f"the SQLite file's name is longer than a file system takes ({NAME_MAX} bytes): "
            f"{shown(file.name)}",
            f"SQLite 文件名超过文件系统允许的长度（{NAME_MAX} 字节）：{shown(file.name)}",
        )
    if not file.parent.is_dir():
        raise InvalidInput(
            f"the folder of the SQLite file does not exist: {file.parent}",
            f"SQLite 文件所在目录不存在：{file.parent}",
        )
    return file


def new_file(engine: Engine) -> Path | None:
    """The file a SQLite engine's first connection will create, if it does not exist yet
    (None: another database, an in-memory one, or a file already there)."""
    if engine.dialect.name != "sqlite":
        return None
    try:
        path = sqlite_file(engine.url)
    except InvalidInput:  # in memory, or no file that could be made
        return None
    return None if path is None or path.exists() else path


def remove_if_empty(path: Path | None, *, tables: bool = False) -> None:
    """Remove ``path`` (:func:`new_file`'s) if an opening refused at its first connection
    left it there empty, with its ``-wal`` and ``-shm`` files (a file with any byte in it was
    not made by this opening alone, and is left). ``tables``: remove it too if it is a SQLite
    database holding no table (what a connection that set its journal mode and then rolled
    back leaves)."""
    if path is None:
        return
    try:
        if path.stat().st_size and not (tables and _no_tables(path)):
            return
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    except OSError:
        pass  # (gone already, or not ours to remove)


def _no_tables(path: Path) -> bool:
    """Whether the SQLite file ``path`` holds no table (read without changing it)."""
    try:
        conn = sqlite3.connect(f"{file_uri(path)}?mode=ro", uri=True)
        try:
            tables: int = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            return tables == 0
        finally:
            conn.close()
    except sqlite3.Error:
        return False


#: The first 16 bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"


def file_uri(path: str | os.PathLike[str]) -> str:
    """The ``file:`` URI SQLite opens ``path`` by (a query such as ``?mode=ro`` may follow),
    percent-encoded from the bytes the file system names it by: a name that is not valid
    UTF-8 (on Linux, given as a ``str`` with surrogate escapes, as ``os.fsdecode`` makes it)
    names its own file, where encoding the text as UTF-8 would fail."""
    return "file:" + quote(os.fsencode(fs_path(path, "path")))


def sqlite_url(path: str | os.PathLike[str]) -> str:
    """``sqlite:///path`` for a file path, with the characters a URL would read otherwise
    (``%``, ``?``) percent-encoded."""
    return "sqlite:///" + fs_path(path, "path").replace("%", "%25").replace("?", "%3F")


def _existing_sqlite(url: str, prefix: str) -> sa.URL:
    """For ``read_only``: the URL of an existing SQLite file that holds pilotflow's tables,
    opened without ever creating it (``mode=rw``), once it is checked to be one without
    creating, locking or changing anything: a regular file (a folder, a FIFO or a device is
    refused, never read), with SQLite's header and a ``{prefix}meta`` table."""
    parsed = parsed_url(url)
    _check_query(parsed)
    name = parsed.database or ""
    if not name or name == ":memory:":
        raise InvalidInput(
            "reading a SQLite store needs the path of an existing file: sqlite:///path/to/pilotflow.db",
            "只读打开 SQLite 存储需要一个已存在文件的路径：sqlite:///path/to/pilotflow.db",
        )
    path = os.path.abspath(home_path(fs_path(name, "url")))
    head = _sqlite_head(name, path)
    if not head:
        raise InvalidInput(
            f"{name} is empty, not a pilotflow database", f"{name} 是空文件，不是 pilotflow 数据库"
        )
    if not head.startswith(SQLITE_HEADER):
        raise InvalidInput(
            f"{name} is not a SQLite database, so not a pilotflow database",
            f"{name} 不是 SQLite 数据库文件，因而不是 pilotflow 数据库",
        )
    # A WAL-mode file without its -wal file is complete: read it as immutable, so that no
    # -wal or -shm file is made beside a file that may not be ours.
    immutable = head[18] == 2 and not os.path.exists(path + "-wal")
    check = f"{file_uri(path)}?mode=ro" + ("&immutable=1" if immutable else "")
    try:
        conn = sqlite3.connect(check, uri=True)
        try:
            found = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"{prefix}meta",)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise StoreError(
            f"cannot read the SQLite file {name}: {exc}",
            f"无法读取 SQLite 文件 {name}（文件可能已损坏或正被锁定）",
        ) from exc
    if found is None:
        raise InvalidInput(
            f"{name} is not a pilotflow database (it has no {prefix}meta table): "
            "a database of another application?",
            f"{name} 不是 pilotflow 数据库（可能是其他应用程序的数据库）",
        )
    query = {**parsed.query, "uri": "true", "mode": "rw"}
    return sa.engine.URL.create("sqlite", database=file_uri(path), query=query)


def _sqlite_head(name: str, path: str) -> bytes:
    """The first 100 bytes of a regular file (SQLite's header), refusing anything else
    before opening it (a FIFO would block, a device may act on being opened)."""
    try:
        return read_head(path, 100)
    except NotRegular:
        raise _not_a_file(name, os.path.isdir(path)) from None
    except FileNotFoundError:
        raise InvalidInput(f"no such database file: {name}", f"数据库文件不存在：{name}") from None
    except OSError as exc:
        en, zh = os_reason(exc)
        raise InvalidInput(
            f"cannot read the database file {name}: {en}",
            f"无法读取数据库文件 {name}：{zh}",
        ) from None


def _not_a_file(name: str, folder: bool) -> InvalidInput:
    if folder:
        return InvalidInput(f"{name} is a folder, not a database file", f"{name} 是文件夹，不是数据库文件")
    return InvalidInput(
        f"{name} is not a regular file (a FIFO, a device or a socket), so not a database file",
        f"{name} 不是普通文件（而是管道、设备或套接字），不是数据库文件",
    )


_BUSY_TIMEOUT_MS = 30_000


def _switch_to_wal(cur: Any) -> None:
    """``PRAGMA journal_mode=WAL``, retried while another connection holds the database's
    write lock. SQLite does not call the busy handler for this switch (it would have to
    raise a lock it may already share), so a process connecting while another migrates or
    writes, as web workers starting together do, got "database is locked" at once."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def configure_sqlite(engine: Engine, *, read_only: bool = False) -> Engine:
    """Make a SQLite engine transactional the way pilotflow needs (and return it).

    Python's sqlite3 driver defers BEGIN and so breaks SAVEPOINTs and host rollbacks; this
    installs SQLAlchemy's documented recipe (pilotflow issues ``BEGIN IMMEDIATE`` itself,
    taking the write lock up front) plus WAL, a busy timeout and foreign keys. A host that
    hands pilotflow its own SQLite engine or connection must call this on the engine first.
    ``read_only``: leave the journal mode as it is and refuse every write
    (``PRAGMA query_only``).
    """
    if not isinstance(engine, Engine) or engine.dialect.name != "sqlite":
        got = f"a {engine.dialect.name} engine" if isinstance(engine, Engine) else type(engine).__name__
        raise InvalidInput(
            f"engine must be a SQLAlchemy engine of SQLite (create_engine('sqlite:///...')), got {got}",
            "engine 参数必须是 SQLite 数据库的 SQLAlchemy 引擎（sqlalchemy.create_engine('sqlite:///...')）",
        )
    check_flag("read_only", read_only)

    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        if read_only:
            cur.execute("PRAGMA query_only=ON")
        else:
            _switch_to_wal(cur)
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # pilotflow's own reads run in autocommit (one statement, a consistent snapshot in
        # WAL) instead of taking the write lock; every transaction that writes takes it.
        if not conn.get_execution_options().get(READ_ONLY):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
