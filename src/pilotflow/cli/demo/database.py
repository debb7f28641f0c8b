"""The demo's SQLite file, and the checks that keep the demo from destroying anything else.

The file the demo writes is marked as its own (``PRAGMA application_id`` =
:data:`DEMO_APPLICATION_ID`, in SQLite's header). Starting afresh, the demo deletes only such
a file (with its ``-wal``, ``-shm`` and ``-journal`` siblings): anything else at the path —
a text file, another application's database, a pilotflow database it did not make, a folder,
a device — is refused with :class:`~pilotflow.InvalidInput` and left untouched.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from pilotflow import CampaignRun, InvalidInput, PilotflowError, open_store
from pilotflow.errors import os_reason

# Not public API (pilotflow.files._io): the library's one reader of a file's first bytes that
# never opens a FIFO or a device; the demo uses it rather than keep a copy of it.
from pilotflow.files._io import NotRegular, read_head
from pilotflow.store.sql import SQLITE_HEADER, file_uri, sqlite_url

from .data import CAMPAIGN_ID
from .render import printable

DEFAULT_DB = "pilotflow-demo.db"
#: ``PRAGMA application_id`` of a SQLite file made by the demo ("PFDM"): the mark that lets
#: a later ``pilotflow demo`` delete it, and nothing else.
DEMO_APPLICATION_ID = 0x5046444D

_SIBLINGS = ("-wal", "-shm", "-journal")


def prepare_db(path: Path, *, fresh: bool) -> None:
    """Make ``path`` ready for the demo: delete the demo's own earlier database if ``fresh``,
    refuse to touch anything that is not one, and mark a file the demo creates (or an empty
    one it fills) as the demo's."""
    kind = _kind_of(path)
    if kind == "pilotflow" and fresh:
        raise InvalidInput(
            f"{_shown(path)} holds a pilotflow database the demo did not make, so the demo "
            "will not delete it: add the demo to it with --keep, or choose another --db",
            f"{_shown(path)} 中是非演示程序生成的 pilotflow 数据库，演示程序不会删除它："
            "可用 --keep 在其中运行演示，或换一个 --db",
        )
    if kind == "demo" and fresh:
        _delete(path)
        kind = "absent"
    if kind in ("absent", "empty"):
        _create_marked(path)


def check_unused(run: CampaignRun, path: Path) -> None:
    """Refuse a database (kept with ``--keep``) that already holds the demo's campaign."""
    if run.nominations():
        raise InvalidInput(
            f"{_shown(path)} already holds nominations of {CAMPAIGN_ID}; run the demo "
            "with --fresh (the default) or another --db",
            f"{_shown(path)} 中已有本次遴选的申报数据；请使用 --fresh（默认）或换一个 --db",
        )


def _shown(path: Path) -> str:
    return printable(str(path))


def _refuse(path: Path, en: str, zh: str) -> InvalidInput:
    return InvalidInput(
        f"{_shown(path)} {en}; the demo deletes only a database it made itself: choose another --db",
        f"{_shown(path)} {zh}；演示程序只删除它自己生成的数据库，请换一个 --db",
    )


def _kind_of(path: Path) -> str:
    """What is at ``path``: ``"absent"``, ``"empty"`` (a regular empty file), ``"demo"`` (a
    SQLite file marked as the demo's) or ``"pilotflow"`` (a pilotflow database the demo did
    not make); anything else is refused (:class:`InvalidInput`), without opening it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        for suffix in _SIBLINGS:
            if os.path.lexists(f"{path}{suffix}"):
                raise _refuse(
                    Path(f"{path}{suffix}"),
                    "is left over from a database that is gone",
                    "是已不存在的数据库遗留的文件",
                ) from None
        return "absent"
    except OSError as exc:
        en, zh = os_reason(exc)
        raise _refuse(path, f"cannot be used ({en})", f"无法使用（{zh}）") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "is a folder, not a database file", "是文件夹，不是数据库文件")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(
            path,
            "is not a regular file (a FIFO, a device or a socket)",
            "不是普通文件（而是管道、设备或套接字）",
        )
    if st.st_size == 0:
        return "empty"
    if _marked(path):
        return "demo"
    try:
        open_store(sqlite_url(path), read_only=True).close()
    except PilotflowError:
        raise _refuse(path, "is not a database the demo made", "不是演示程序生成的数据库") from None
    return "pilotflow"


def _marked(path: Path) -> bool:
    """Whether the regular file at ``path`` is a SQLite file marked as the demo's."""
    try:
        head = read_head(str(path), 100)
    except NotRegular:
        return False  # swapped since: not the demo's
    except OSError as exc:
        en, zh = os_reason(exc)
        raise _refuse(path, f"cannot be read ({en})", f"无法读取（{zh}）") from None
    return (
        len(head) == 100
        and head.startswith(SQLITE_HEADER)
        and int.from_bytes(head[68:72], "big") == DEMO_APPLICATION_ID
    )


def _delete(path: Path) -> None:
    """Delete the demo's database at ``path`` and its siblings, refusing (before deleting
    anything) a sibling that is not a regular file."""
    siblings = [Path(f"{path}{suffix}") for suffix in _SIBLINGS]
    for sibling in siblings:
        if os.path.lexists(sibling) and not stat.S_ISREG(os.lstat(sibling).st_mode):
            raise _refuse(sibling, "is not a regular file", "不是普通文件")
    for sibling in siblings:
        sibling.unlink(missing_ok=True)
    path.unlink()


def _create_marked(path: Path) -> None:
    """Create the SQLite file at ``path`` (or fill the empty one there), marked as the demo's."""
    if not path.parent.is_dir():
        raise InvalidInput(
            f"the folder of the demo's database does not exist: {_shown(path.parent)}",
            f"演示数据库所在目录不存在：{_shown(path.parent)}",
        )
    try:
        conn = sqlite3.connect(f"{file_uri(path)}?mode=rwc", uri=True)
        try:
            conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
            conn.commit()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise InvalidInput(
            f"cannot create the demo's database {_shown(path)}: {exc}",
            f"无法创建演示数据库 {_shown(path)}",
        ) from exc
