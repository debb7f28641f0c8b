"""Opening a material safely: confined to its root, following no link, read through a window
of the size checked; its digest; the read budget every parser reads through."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any

from ...errors import InvalidInput, MaterialRejected, os_reason
from .._io import fs_path

_CHUNK = 1 << 20  # bytes read at a time when hashing
_BIG_READ = 1 << 16  # a parser's read checked against its budget before it happens

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_OPEN_FLAGS = (
    os.O_RDONLY
    | _O_NOFOLLOW
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO swapped in must not block the open
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_DIR_FLAGS = os.O_RDONLY | _O_NOFOLLOW | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


# --------------------------------------------------------------------------- opening safely


def _changed(shown: str) -> MaterialRejected:
    return MaterialRejected(
        "changed",
        shown,
        "the file changed while it was being inspected; try again",
        "检查过程中文件被修改，请重试",
    )


def _not_found(shown: str) -> MaterialRejected:
    return MaterialRejected("not_found", shown, "no such file", "文件不存在")


def _not_regular(shown: str, mode: int) -> MaterialRejected:
    if stat.S_ISDIR(mode):
        what = ("a directory", "目录")
    elif stat.S_ISFIFO(mode):
        what = ("a FIFO (named pipe)", "命名管道（FIFO）")
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        what = ("a device", "设备文件")
    elif stat.S_ISSOCK(mode):
        what = ("a socket", "套接字")
    elif stat.S_ISLNK(mode):
        what = ("a symbolic link", "符号链接")
    else:
        what = ("not a regular file", "非普通文件")
    return MaterialRejected(
        "not_regular_file",
        shown,
        f"this is {what[0]}, not a regular file",
        f"这是{what[1]}，不是普通文件",
        {"mode": stat.filemode(mode)},
    )


def _outside(shown: str, root: str) -> MaterialRejected:
    return MaterialRejected(
        "outside_root",
        shown,
        "the path leads outside the folder materials are taken from",
        "路径指向材料目录之外，拒绝读取",
        {"root": root},
    )


def _symlink(shown: str) -> MaterialRejected:
    return MaterialRejected(
        "symlink",
        shown,
        "the path is a symbolic link; give the file itself",
        "路径是符号链接，请直接提供文件本身",
    )


@contextmanager
def _open_confined(shown: str, root: str | os.PathLike[str] | None) -> Iterator[tuple[int, os.stat_result]]:
    """Open ``shown`` read-only as a regular file (confined to ``root``); yield (fd, stat)."""
    fd = _open_under_root(shown, root) if root is not None else _open_plain(shown)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(shown, st.st_mode)
        yield fd, st
    finally:
        os.close(fd)


def _open_plain(shown: str) -> int:
    try:
        before = os.lstat(shown)
    except FileNotFoundError:
        raise _not_found(shown) from None
    except OSError as exc:
        raise _unreadable(shown, exc) from None
    if stat.S_ISLNK(before.st_mode):
        raise _symlink(shown)
    if not stat.S_ISREG(before.st_mode):
        raise _not_regular(shown, before.st_mode)
    fd = _os_open(shown, _OPEN_FLAGS, None, shown)
    after = os.fstat(fd)
    if (after.st_dev, after.st_ino) != (before.st_dev, before.st_ino):
        os.close(fd)
        raise _changed(shown)
    return fd


def _open_under_root(shown: str, root: str | os.PathLike[str]) -> int:
    root_text = fs_path(root, "root", empty=True)
    real_root = os.path.realpath(root_text)
    if not os.path.isdir(real_root):
        raise InvalidInput(
            f"root {root_text!r} is not a directory",
            f"材料目录 root {root_text!r} 不是一个目录",
        )
    if ".." in PurePath(shown).parts:
        raise MaterialRejected(
            "path_traversal",
            shown,
            "the path contains '..'; give a path inside the materials folder",
            "路径中含有“..”，请给出材料目录内的路径",
        )
    real = os.path.realpath(os.path.join(real_root, shown))
    try:
        inside = os.path.commonpath([real_root, real]) == real_root
    except ValueError:  # different drives (Windows)
        inside = False
    if not inside:
        raise _outside(shown, root_text)
    relative = os.path.relpath(real, real_root)
    if relative == os.curdir:
        raise _not_regular(shown, os.stat(real_root).st_mode)
    parts = PurePath(relative).parts
    if os.open not in os.supports_dir_fd or not _O_NOFOLLOW:
        # No openat(): open the resolved path, refusing a link at its last component.
        return _open_plain_resolved(shown, real)
    # Walk down from the root one component at a time, following no link, so that nothing
    # swapped in after the check above can lead the open elsewhere.
    dir_fd = _os_open(real_root, _DIR_FLAGS & ~_O_NOFOLLOW, None, shown)
    try:
        for part in parts[:-1]:
            if stat.S_ISLNK(_lstat_at(part, dir_fd, shown).st_mode):
                raise _symlink(shown)
            next_fd = _os_open(part, _DIR_FLAGS, dir_fd, shown)
            os.close(dir_fd)
            dir_fd = next_fd
        st = _lstat_at(parts[-1], dir_fd, shown)
        if stat.S_ISLNK(st.st_mode):  # swapped in after the path was resolved
            raise _symlink(shown)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(shown, st.st_mode)
        return _os_open(parts[-1], _OPEN_FLAGS, dir_fd, shown)
    finally:
        os.close(dir_fd)


def _lstat_at(name: str, dir_fd: int, shown: str) -> os.stat_result:
    try:
        return os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise _not_found(shown) from None
    except OSError as exc:
        raise _unreadable(shown, exc) from None


def _open_plain_resolved(shown: str, real: str) -> int:
    try:
        st = os.lstat(real)
    except FileNotFoundError:
        raise _not_found(shown) from None
    if not stat.S_ISREG(st.st_mode):
        raise _not_regular(shown, st.st_mode)
    return _os_open(real, _OPEN_FLAGS, None, shown)


def _os_open(name: str, flags: int, dir_fd: int | None, shown: str) -> int:
    try:
        return os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        raise _not_found(shown) from None
    except OSError as exc:
        if exc.errno in (errno.ELOOP, getattr(errno, "EMLINK", -1)):  # O_NOFOLLOW met a link
            raise _symlink(shown) from None
        if exc.errno == errno.ENOTDIR:  # a component is not a directory (or was swapped)
            raise _not_found(shown) from None
        raise _unreadable(shown, exc) from None


def _unreadable(shown: str, exc: OSError) -> MaterialRejected:
    en, zh = os_reason(exc)
    return MaterialRejected(
        "unreadable",
        shown,
        f"the file cannot be read ({en})",
        f"无法读取该文件（{zh}）",
    )


class _Window(io.RawIOBase):
    """Read-only view of the first ``limit`` bytes of an open file descriptor.

    Parsers read through it, so none of them can read more than the size checked, and the
    descriptor (opened once, without following links) is the only thing they touch.
    """

    def __init__(self, fd: int, limit: int) -> None:
        super().__init__()
        self._fd = fd
        self._limit = limit
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._limit + offset
        else:
            raise ValueError(f"invalid whence {whence!r}")
        if pos < 0:
            raise OSError(errno.EINVAL, "negative seek position")
        self._pos = pos
        return pos

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        wanted = min(len(view), self._limit - self._pos)
        if wanted <= 0:
            return 0
        if hasattr(os, "preadv"):  # straight into the caller's buffer, no copy
            got = os.preadv(self._fd, [view[:wanted]], self._pos)
            self._pos += got
            return got
        if hasattr(os, "pread"):  # pragma: no cover - platforms without preadv
            data = os.pread(self._fd, wanted, self._pos)
        else:  # pragma: no cover - Windows
            os.lseek(self._fd, self._pos, os.SEEK_SET)
            data = os.read(self._fd, wanted)
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


class _OverBudget(BaseException):
    """A parser asked to read more than an inspection lets it read.

    A ``BaseException`` on purpose: the parsers catch ``Exception`` in their recovery paths,
    and must not swallow this and carry on reading.
    """


class _Budget:
    """A read-only view of ``stream`` that lets a parser read at most ``limit`` bytes in all.

    A large request (``read()`` to the end of a large file included) is refused before
    anything is read; small ones are counted after (at most ``_BIG_READ`` bytes over). Once
    over, every read raises :class:`_OverBudget`. Seeking and telling go straight to the
    stream: parsers make millions of small reads, so this stays thin.
    """

    def __init__(self, stream: IO[bytes], size: int, limit: int) -> None:
        self._read = stream.read
        self.seek = stream.seek
        self.tell = stream.tell
        self._size = size
        self.limit = limit
        self.used = 0
        self.closed = False

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > _BIG_READ:
            remaining = max(0, self._size - self.tell())
            size = remaining if size is None or size < 0 else min(size, remaining)
            if self.used + size > self.limit:
                self.used = self.limit + 1
                raise _OverBudget(self.limit)
        data = self._read(size)
        self.used += len(data)
        if self.used > self.limit:
            raise _OverBudget(self.limit)
        return data
