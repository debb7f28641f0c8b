"""Reading the files pilotflow is given to load (campaign definitions, lists of units), and
writing the files it makes (a summary table, a letter's documents).

Only a **regular file** is read, and only up to a known size: the file is opened without
blocking (a FIFO with no writer, a terminal or a device is not waited on), the opened
descriptor is checked to be a regular file (so nothing can swap the path between a check and
the read), and at most ``limit + 1`` bytes are read, so ``/dev/zero`` or a file that grows
while it is read cannot exhaust memory. Every refusal is a
:class:`~pilotflow.errors.CampaignFileError` naming the file.

The limits are documented in ``docs/campaign-format.md``.

A file pilotflow writes goes through a temporary ``<name>.partial`` renamed into place
(:func:`write_files`): a reader never sees half a file, and a write the operating system
refuses leaves no partial file behind; :func:`write_refused` says so, naming the argument.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from ..domain.inputs import wrong_argument
from ..errors import CampaignFileError, InvalidInput, os_reason

__all__ = [
    "CAMPAIGN_FILE_MAX_BYTES",
    "LIST_FILE_MAX_BYTES",
    "NAME_MAX",
    "existing_folder",
    "file_name",
    "fs_path",
    "home_path",
    "read_bytes",
    "read_text",
    "size_text",
    "write_files",
    "write_refused",
]

CAMPAIGN_FILE_MAX_BYTES = 1024 * 1024
"""The largest campaign definition read, in bytes (1 MiB; the bundled one is 14 KB)."""

LIST_FILE_MAX_BYTES = 16 * 1024 * 1024
"""The largest list of units read, in bytes (16 MiB, some 190,000 rows)."""

_CHUNK = 1024 * 1024
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory", "目录"),
    (stat.S_ISFIFO, "a FIFO (named pipe)", "命名管道"),
    (stat.S_ISSOCK, "a socket", "套接字"),
    (stat.S_ISCHR, "a character device", "字符设备"),
    (stat.S_ISBLK, "a block device", "块设备"),
)


def fs_path(value: object, argument: str, *, empty: bool = False) -> str:
    """``value`` as a file-system path string, or :class:`InvalidInput` naming ``argument``.

    A ``str`` or an ``os.PathLike`` giving a ``str`` is a path, if the operating system can
    take it: no NUL character, no lone surrogate it cannot encode, at most 4,096 characters.
    An empty path names no file and is refused (``empty``: kept, for a path read under a
    root, where ``""`` names the root itself). Anything else (``None``, bytes,
    numbers, lists, a path-like giving bytes...) is refused.
    """
    path: object = value
    if not isinstance(value, str) and isinstance(value, os.PathLike):
        try:
            path = os.fspath(value)
        except TypeError:
            path = None
    if isinstance(path, str):
        if not path and not empty:  # (no file has that name: Path("") is the working folder)
            raise InvalidInput(
                f"{argument} is empty: give the path of a file", f"{argument} 为空：请给出文件路径"
            )
        if "\x00" not in path and len(path) <= MAX_PATH and _encodable(path):
            return path
        raise InvalidInput(
            f"{argument} is not a usable file name (a NUL character, text the file system cannot "
            f"encode, or more than {MAX_PATH} characters)",
            f"{argument} 不是可用的文件路径（含空字符、无法编码的字符，或超过 {MAX_PATH} 个字符）",
        )
    raise wrong_argument(
        argument, "a path (a str or an os.PathLike of str)", "文件路径（字符串或路径对象）", value
    )


#: The longest path accepted, in characters (Linux's PATH_MAX is 4,096 bytes).
MAX_PATH = 4096


def file_name(path: str) -> str:
    """The last component of ``path`` as text every store and document can hold: the bytes
    the file system names it by, read as UTF-8, a byte that is not UTF-8 written as its
    escape (``\\xff``). A name that is not valid UTF-8 (on Linux, a ``str`` with surrogate
    escapes, as ``os.fsdecode`` makes it) is kept faithfully, not refused by a store later."""
    return os.fsencode(os.path.basename(path)).decode("utf-8", "backslashreplace")


def home_path(path: str) -> Path:
    """``path`` with a leading ``~`` or ``~user`` made the home folder, as a shell does; a
    ``~user`` naming no user (or a home that cannot be found) is left as written, a relative
    name that then names nothing, where ``Path.expanduser`` would raise ``RuntimeError``."""
    return Path(os.path.expanduser(path))


def existing_folder(value: object, argument: str) -> Path:
    """``value`` as the path of an existing folder (see :func:`fs_path`), or
    :class:`InvalidInput` naming ``argument``."""
    path = fs_path(value, argument)
    if not os.path.isdir(path):  # (never raises: a name too long is no folder either)
        raise InvalidInput(
            f"{argument} must be an existing folder, got {path!r}",
            f"{argument} 参数须为已存在的文件夹，收到 {path!r}",
        )
    return Path(path)


#: The longest file name most file systems take, in bytes.
NAME_MAX = 255


def _partial(target: Path) -> Path:
    """Where ``target`` is written before it is renamed into place: ``<name>.partial``, or a
    short name made from it where that would be too long for the file system."""
    name = f"{target.name}.partial"
    if len(os.fsencode(name)) > NAME_MAX:
        name = f".{hashlib.sha256(os.fsencode(target.name)).hexdigest()[:16]}.partial"
    return target.with_name(name)


def write_files(files: Iterable[tuple[Path, bytes]]) -> None:
    """Write each ``(path, data)``: every file to its partial first, then each renamed into
    place. An ``OSError`` (no such folder, no permission, a name too long, a full disk...) is
    raised once every partial file made is removed, and before any file is replaced if one
    could not be written."""
    written: list[tuple[Path, Path]] = []
    try:
        for target, data in files:
            partial = _partial(target)
            written.append((partial, target))
            with open(partial, "wb") as out:
                out.write(data)
        for partial, target in written:
            os.replace(partial, target)
    except OSError:
        for partial, _ in written:
            with contextlib.suppress(OSError):  # never made, or already renamed into place
                os.unlink(partial)
        raise


def write_refused(argument: str, where: str | os.PathLike[str], exc: OSError) -> InvalidInput:
    """The error for a write into ``where`` (given as ``argument``) that the operating system
    refused, with what it said."""
    en, zh = os_reason(exc)
    return InvalidInput(
        f"{argument}: cannot write {os.fspath(where)!r}: {en}",
        f"{argument} 参数所指的位置无法写入（{os.fspath(where)!r}）：{zh}",
    )


def _encodable(path: str) -> bool:
    try:
        os.fsencode(path)
    except UnicodeError:
        return False
    return True


def size_text(limit: int) -> str:
    """A size limit for a message: ``1 MiB``, or a number of bytes."""
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 else f"{limit:,} bytes"


def _kind(mode: int) -> tuple[str, str]:
    for test, en, zh in _KINDS:
        if test(mode):
            return f": it is {en}", f"（是{zh}）"
    return "", ""


class NotRegular(Exception):
    """What is at a path is not a regular file; ``en``/``zh`` say what it is.

    Internal, so not in :mod:`pilotflow.errors`: every caller of :func:`open_regular` and
    :func:`read_head` catches it and says what is wrong in its own terms (a
    ``CampaignFileError``, an ``InvalidInput``); ``tests/test_error_tree.py`` checks that.
    """

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


def open_regular(path: str) -> int:
    """A read-only descriptor of the regular file at ``path``, opened without blocking. A
    folder, a FIFO, a device or a socket raises :class:`NotRegular` before it is opened (a
    FIFO would block a read, a device may act on being opened), and again if one was swapped
    in since. ``OSError`` (absent, no permission) is the caller's to name."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegular(*_kind(mode))
    fd = os.open(path, _OPEN_FLAGS)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotRegular(*_kind(mode))
    return fd


def read_head(path: str, size: int) -> bytes:
    """The first ``size`` bytes of the regular file at ``path`` (see :func:`open_regular`)."""
    fd = open_regular(path)
    try:
        return os.read(fd, size)
    finally:
        os.close(fd)


def read_text(path: str, *, limit: int, encoding: str, what: tuple[str, str]) -> str:
    """The text of the regular file at ``path``, of at most ``limit`` bytes.

    ``what`` names the kind of file in English and Chinese (``("campaign file",
    "遴选定义文件")``) for the messages. Line endings are read as ``open()`` reads them in
    text mode (``\\r\\n`` and ``\\r`` become ``\\n``). Raises
    :class:`~pilotflow.errors.CampaignFileError` for a missing, unreadable, special, too large
    or undecodable file.
    """
    data = read_bytes(path, limit=limit, what=what)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise CampaignFileError(
            path,
            "",
            f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            f"文件不是 UTF-8 编码的文本（第 {exc.start} 字节处无法解码）",
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_bytes(path: str, *, limit: int, what: tuple[str, str]) -> bytes:
    """The bytes of the regular file at ``path``, of at most ``limit`` bytes (see
    :func:`read_text`): a FIFO, a device or a folder is refused unread, a larger file too."""
    what_en, what_zh = what
    try:
        fd = open_regular(path)
    except NotRegular as kind:
        raise CampaignFileError(path, "", f"not a regular file{kind.en}", f"不是普通文件{kind.zh}") from None
    except FileNotFoundError:
        raise CampaignFileError(path, "", f"no such {what_en}", f"找不到该{what_zh}") from None
    except OSError as exc:
        raise _unreadable(path, exc) from None
    except ValueError:  # an embedded NUL character
        raise CampaignFileError(
            path, "", "not a usable file name (it contains a NUL character)", "文件名无效（含有空字符）"
        ) from None
    try:
        info = os.fstat(fd)
        data = b""
        if info.st_size <= limit:
            chunks: list[bytes] = []
            total = 0
            while total <= limit:
                chunk = os.read(fd, min(_CHUNK, limit + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
            data = b"".join(chunks)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    finally:
        os.close(fd)
    if info.st_size > limit or len(data) > limit:
        raise CampaignFileError(
            path,
            "",
            f"the file is larger than {size_text(limit)}, the most a {what_en} may be",
            f"文件超过{what_zh}的大小上限（{size_text(limit)}）",
        )
    return data


def _unreadable(path: str, exc: OSError) -> CampaignFileError:
    en, zh = os_reason(exc)
    return CampaignFileError(path, "", f"cannot read the file: {en}", f"无法读取文件：{zh}")
