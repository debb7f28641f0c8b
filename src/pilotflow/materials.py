"""Materials as real files: inspect an attached file before it becomes a :class:`Material`.

:func:`inspect_material` opens one file (confined to ``root`` when one is given), records its
SHA-256, size and real type, and checks it with maintained parsers: a PDF must open with
``pypdf``, not be encrypted and have at least one page; a ``.docx`` must open with
``python-docx``; an MP4 must be read by ``mutagen``, carry a video track and, when the
campaign sets one, last about as long as it asks. The type is taken from the bytes, never
from the name: a name whose extension disagrees with the content is refused. Nothing is
executed and no other program is started. Anything refused raises :class:`MaterialRejected`
with a stable ``reason`` code and a message in English and Chinese.

Paper materials are not files; :func:`paper_material` records a number of copies::

    >>> from pilotflow.campaign import MaterialType, Text
    >>> form = MaterialType("application_form_paper", Text("application form", "申报书"), paper=True)
    >>> paper_material(form, 3)
    Material(kind='application_form_paper', copies=3, filename=None, sha256=None, size=None, \
media_type=None, pages=None, duration=None)

The parsers (``pypdf``, ``python-docx``, ``mutagen``) are imported only when a file of their
type is inspected, so ``import pilotflow`` does not load them. See ``docs/materials.md``.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import re
import stat
import struct
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any

from attrs import frozen

from .campaign import Campaign, MaterialType
from .errors import InvalidInput, PilotflowError, Reason
from .nomination import Material

__all__ = [
    "CHECKED_FORMATS",
    "DEFAULT_MAX_BYTES",
    "MEDIA_TYPES",
    "Inspection",
    "MaterialRejected",
    "MissingDependency",
    "inspect_campaign_material",
    "inspect_material",
    "inspection_of",
    "is_inspected",
    "paper_material",
]

#: The largest file :func:`inspect_material` reads unless told otherwise (500 MiB).
DEFAULT_MAX_BYTES = 500 * 2**20

#: The media type recorded for each format pilotflow can check.
MEDIA_TYPES: Mapping[str, str] = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "mp4": "video/mp4",
}

#: The formats pilotflow can check, i.e. that a material type's ``formats`` may usefully name.
CHECKED_FORMATS = frozenset(MEDIA_TYPES)

# The file name extensions each checked format may carry (compared case-insensitively).
_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "doc": (".doc",),
    "mp4": (".mp4",),
}

# What to call a format in a message: (English, Chinese).
_NAMES: Mapping[str, tuple[str, str]] = {
    "pdf": ("a PDF document", "PDF 文档"),
    "docx": ("a Word document (.docx)", "Word 文档（.docx）"),
    "doc": ("a Word 97-2003 document (.doc)", "Word 97-2003 文档（.doc）"),
    "mp4": ("an MP4 video", "MP4 视频"),
    "mov": ("a QuickTime movie (.mov)", "QuickTime 视频（.mov）"),
    "3gp": ("a 3GP mobile video", "3GP 手机视频"),
    "m4a": ("an MPEG-4 audio file (.m4a)", "MPEG-4 音频（.m4a）"),
    "heif": ("a HEIF/AVIF image", "HEIF/AVIF 图片"),
    "xlsx": ("an Excel workbook (.xlsx)", "Excel 工作簿（.xlsx）"),
    "pptx": ("a PowerPoint presentation (.pptx)", "PowerPoint 演示文稿（.pptx）"),
    "ofd": ("an OFD document", "OFD 版式文档"),
    "odf": ("an OpenDocument file", "OpenDocument 文档"),
    "zip": ("a ZIP archive", "ZIP 压缩包"),
    "ole2": (
        "an Office 97-2003 file that is not a Word document (e.g. .xls, .ppt)",
        "非 Word 的 Office 97-2003 文件（如 .xls、.ppt）",
    ),
    "rtf": ("an RTF document", "RTF 文档"),
    "html": ("a web page (HTML)", "网页（HTML）"),
    "mht": ("a single-file web page (MHT)", "单个文件网页（MHT）"),
    "png": ("a PNG image", "PNG 图片"),
    "jpeg": ("a JPEG image", "JPEG 图片"),
    "gif": ("a GIF image", "GIF 图片"),
    "rar": ("a RAR archive", "RAR 压缩包"),
    "7z": ("a 7-Zip archive", "7-Zip 压缩包"),
    "gzip": ("a gzip archive", "gzip 压缩包"),
    "exe": ("a Windows program", "Windows 可执行程序"),
    "elf": ("a Linux program", "Linux 可执行程序"),
    "mkv": ("a Matroska/WebM video", "Matroska/WebM 视频"),
    "avi": ("an AVI video", "AVI 视频"),
    "wmv": ("a Windows Media file", "Windows Media 文件"),
    "flv": ("a Flash video", "Flash 视频"),
}

# Simple leading-byte signatures of formats pilotflow does not accept but can name.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"{\\rtf", "rtf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x1f\x8b", "gzip"),
    (b"MZ", "exe"),
    (b"\x7fELF", "elf"),
    (b"\x1a\x45\xdf\xa3", "mkv"),
    (b"\x30\x26\xb2\x75\x8e\x66\xcf\x11", "wmv"),
    (b"FLV\x01", "flv"),
)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# OLE2 directory entries name their streams in UTF-16LE.
_OLE2_WORD_STREAM = "WordDocument".encode("utf-16-le")
_OLE2_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_HEAD = 4096  # bytes read to recognise a format
_CHUNK = 1 << 20  # bytes read at a time when hashing or scanning
_MAX_BOXES = 10_000  # MP4 boxes walked at one level before the file is called corrupt
_MAX_ZIP_ENTRIES = 10_000  # members of a .docx before it is called corrupt

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


class MaterialRejected(InvalidInput):
    """A file (or paper count) was refused as a material; nothing was recorded.

    ``reason`` is a stable code (see ``docs/materials.md`` for the list), ``path`` the path
    as given (None for a paper count), ``details`` the facts behind the refusal.
    """

    def __init__(
        self,
        reason: str,
        path: str | None,
        en: str,
        zh: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.details: Mapping[str, Any] = dict(details or {})
        self.problem_en = en
        self.problem_zh = zh
        if path is None:
            super().__init__(en, zh)
        else:
            super().__init__(f"{path}: {en}", f"{path}：{zh}")

    def as_reason(self) -> Reason:
        """The refusal as a guard :class:`~pilotflow.errors.Reason` (code ``material_<reason>``)."""
        details = {"path": self.path, **self.details}
        return Reason(f"material_{self.reason}", self.en, self.zh, details)


class MissingDependency(PilotflowError, ImportError):
    """A parser pilotflow needs to check a file is not installed."""

    def __init__(self, module: str, package: str) -> None:
        self.module = module
        self.package = package
        super().__init__(
            f"checking this file needs the {package!r} package; "
            f"reinstall pilotflow, which depends on it: pip install --force-reinstall {package}",
            f"检查该文件需要安装 {package!r} 软件包：pip install --force-reinstall {package}",
        )


# --------------------------------------------------------------------------- public API


def paper_material(kind: MaterialType, copies: int = 1) -> Material:
    """A paper material of ``kind`` in ``copies`` copies (a whole number >= 1).

    Refused with reason ``not_paper`` when ``kind`` is an electronic material (attach the
    file with :func:`inspect_material`), ``copies`` when the count is not a whole number >= 1.
    """
    _check_kind(kind)
    if not kind.paper:
        raise MaterialRejected(
            "not_paper",
            None,
            f"material {kind.code!r} ({kind.name.en}) is an electronic file, not paper: "
            "attach the file itself",
            f"材料 {kind.code!r}（{kind.name.zh}）是电子文件而非纸质材料，请上传文件本身",
            {"kind": kind.code},
        )
    if not isinstance(copies, int) or isinstance(copies, bool) or copies < 1:
        raise MaterialRejected(
            "copies",
            None,
            f"material {kind.code!r}: copies must be a whole number >= 1, got {copies!r}",
            f"材料 {kind.code!r}：份数必须是不小于 1 的整数，收到 {copies!r}",
            {"kind": kind.code, "copies": copies},
        )
    return Material(kind.code, copies=copies)


def inspect_material(
    kind: MaterialType,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    video_seconds: int | None = None,
    video_tolerance: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Material:
    """Check the file at ``path`` as a material of ``kind`` and describe it.

    * ``root``: when given, ``path`` (relative paths are taken relative to ``root``) must
      resolve inside it: a ``..`` component, an absolute path elsewhere or a symbolic link
      leading out is refused. Without ``root`` the last component must not be a link.
    * ``video_seconds`` / ``video_tolerance``: a video must last ``video_seconds`` give or
      take ``video_tolerance`` seconds (bounds included; no tolerance means 0). Without
      ``video_seconds`` any positive duration is accepted.
    * ``max_bytes``: a larger file is refused unread (a ``.docx`` also may not unpack to more).

    Returns a :class:`~pilotflow.nomination.Material` with one copy, the file's base name,
    SHA-256, size, media type, and its page count (PDF) or duration in seconds (video).
    Raises :class:`MaterialRejected` for a refused file, :class:`~pilotflow.errors.InvalidInput`
    for bad arguments, :class:`MissingDependency` when a needed parser is not installed.
    """
    _check_kind(kind)
    shown = _path_text(path, "path")
    limits = _check_limits(video_seconds, video_tolerance, max_bytes)
    if kind.paper:
        raise MaterialRejected(
            "paper_only",
            shown,
            f"material {kind.code!r} ({kind.name.en}) is handed in on paper, not as a file: "
            "record the number of copies instead",
            f"材料 {kind.code!r}（{kind.name.zh}）须报送纸质件，不接收电子文件，请登记份数",
            {"kind": kind.code},
        )
    allowed = tuple(f.lower() for f in kind.formats) or tuple(sorted(CHECKED_FORMATS))
    with _open_confined(shown, root) as (fd, st):
        if st.st_size > max_bytes:
            raise MaterialRejected(
                "too_large",
                shown,
                f"the file is {st.st_size} bytes, more than the limit of {max_bytes}",
                f"文件大小 {st.st_size} 字节，超过上限 {max_bytes} 字节",
                {"size": st.st_size, "max_bytes": max_bytes},
            )
        if st.st_size == 0:
            raise MaterialRejected("empty", shown, "the file is empty", "文件为空（0 字节）")
        stream = io.BufferedReader(_Window(fd, st.st_size), buffer_size=1 << 16)
        fmt = _detect(stream, shown)
        _check_name(shown, fmt, kind, allowed)
        sha256, size = _digest(stream)
        if size != st.st_size:
            raise _changed(shown)
        pages: int | None = None
        duration: float | None = None
        if fmt == "pdf":
            pages = _check_pdf(stream, shown)
        elif fmt == "docx":
            _check_docx(stream, shown, max_bytes)
        elif fmt == "mp4":
            duration = _check_mp4(stream, shown, size)
            _check_duration(shown, duration, *limits)
        # "doc": a Word 97-2003 file is recognised by its OLE2 header and WordDocument
        # stream only; it is not parsed further (see docs/materials.md).
        after = os.fstat(fd)
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise _changed(shown)
    inspection = Inspection(kind, video_seconds, video_tolerance)
    return _vouch(
        Material(
            kind.code,
            copies=1,
            filename=os.path.basename(shown),
            sha256=sha256,
            size=size,
            media_type=MEDIA_TYPES[fmt],
            pages=pages,
            duration=duration,
        ),
        inspection,
    )


@frozen
class Inspection:
    """What a checked file was judged against, and what was found in it.

    ``kind`` is the :class:`~pilotflow.campaign.MaterialType` (code, formats) the file was
    checked as; ``video_seconds`` / ``video_tolerance`` the video bounds applied (``None`` /
    ``None`` when none were given); ``active_content`` what a PDF carries that can act when
    it is opened: ``"javascript"`` and/or ``"launch"`` (empty for other formats and for a
    PDF without either). See :func:`inspection_of`.
    """

    kind: MaterialType
    video_seconds: int | None
    video_tolerance: int | None
    active_content: tuple[str, ...] = ()


# The Material objects this module made from a file it checked, by identity, with what each
# was checked against: a record built by hand with the same fields is *not* inspected.
_INSPECTED: dict[int, tuple[weakref.ref[Material], Inspection]] = {}
_INSPECTED_LOCK = threading.Lock()


def _vouch(material: Material, inspection: Inspection) -> Material:
    key = id(material)

    def forget(_: object) -> None:
        with _INSPECTED_LOCK:
            _INSPECTED.pop(key, None)

    with _INSPECTED_LOCK:
        _INSPECTED[key] = (weakref.ref(material, forget), inspection)
    return material


def inspection_of(material: object) -> Inspection | None:
    """What :func:`inspect_material` checked ``material`` against (the very object it
    returned, not an equal one written by hand), or None for any other object."""
    entry = _INSPECTED.get(id(material))
    if entry is None or entry[0]() is not material:
        return None
    return entry[1]


def is_inspected(material: object, campaign: Campaign | None = None) -> bool:
    """True if ``material`` is a record :func:`inspect_material` made from a checked file
    (the very object, not an equal one written by hand).

    With ``campaign``, only if it was checked against that campaign's rules for its kind:
    the campaign's :class:`~pilotflow.campaign.MaterialType` for ``material.kind`` (code and
    formats) and, for a video, the campaign's re-review video bounds as
    :func:`inspect_campaign_material` applies them. A 10-second video checked without bounds,
    or a Word file checked as another material type, does not count for the campaign.
    """
    inspection = inspection_of(material)
    if inspection is None:
        return False
    if campaign is None:
        return True
    if not isinstance(material, Material):  # pragma: no cover - only Materials are vouched for
        return False
    if campaign.materials.get(material.kind) != inspection.kind:
        return False
    if material.duration is None:  # the video bounds apply to videos only
        return True
    return (inspection.video_seconds, inspection.video_tolerance) == _campaign_bounds(campaign)


def _campaign_bounds(campaign: Campaign) -> tuple[int | None, int | None]:
    """The video bounds :func:`inspect_campaign_material` applies for ``campaign``."""
    rules = campaign.re_review
    if rules.video_seconds is None:
        return None, None
    return rules.video_seconds, rules.video_tolerance_seconds


def inspect_campaign_material(
    campaign: Campaign,
    kind: str,
    path: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Material:
    """:func:`inspect_material` with the material type and video bounds of ``campaign``.

    ``kind`` is a material code of the campaign; every video is held to the campaign's
    re-review video length (``re_review.video_seconds`` ± ``video_tolerance_seconds``).
    """
    material_type = campaign.materials.get(kind) if isinstance(kind, str) else None
    if material_type is None:
        raise InvalidInput(
            f"unknown material kind {kind!r}; this campaign knows {', '.join(campaign.materials)}",
            f"未知的材料类型 {kind!r}；本次遴选的材料类型有：{'、'.join(campaign.materials)}",
        )
    seconds, tolerance = _campaign_bounds(campaign)
    return inspect_material(
        material_type,
        path,
        root=root,
        video_seconds=seconds,
        video_tolerance=tolerance,
        max_bytes=max_bytes,
    )


# --------------------------------------------------------------------------- arguments


def _check_kind(kind: object) -> None:
    if not isinstance(kind, MaterialType):
        raise InvalidInput(
            f"kind must be a MaterialType, got {type(kind).__name__}",
            f"kind 必须是 MaterialType（材料类型），收到 {type(kind).__name__}",
        )


def _path_text(path: object, what: str) -> str:
    try:
        text = os.fspath(path)  # type: ignore[call-overload]
    except TypeError:
        text = None
    if not isinstance(text, str) or "\x00" in text:
        raise InvalidInput(
            f"{what} must be a path given as text, got {path!r}",
            f"{what} 必须是文本形式的路径，收到 {path!r}",
        )
    return text


def _check_limits(
    video_seconds: object, video_tolerance: object, max_bytes: object
) -> tuple[int | None, int]:
    def whole(value: object, low: int) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= low

    if video_seconds is not None and not whole(video_seconds, 1):
        raise InvalidInput(
            f"video_seconds must be a whole number >= 1, got {video_seconds!r}",
            f"video_seconds（视频时长）必须是不小于 1 的整数，收到 {video_seconds!r}",
        )
    if video_tolerance is not None and not whole(video_tolerance, 0):
        raise InvalidInput(
            f"video_tolerance must be a whole number >= 0, got {video_tolerance!r}",
            f"video_tolerance（时长允许偏差）必须是非负整数，收到 {video_tolerance!r}",
        )
    if video_tolerance is not None and video_seconds is None:
        raise InvalidInput(
            "video_tolerance was given without video_seconds",
            "给出了 video_tolerance（时长允许偏差）却未给出 video_seconds（视频时长）",
        )
    if not whole(max_bytes, 1):
        raise InvalidInput(
            f"max_bytes must be a whole number >= 1, got {max_bytes!r}",
            f"max_bytes（文件大小上限）必须是正整数，收到 {max_bytes!r}",
        )
    seconds = video_seconds if isinstance(video_seconds, int) else None
    tolerance = video_tolerance if isinstance(video_tolerance, int) else 0
    return seconds, tolerance


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
    root_text = _path_text(root, "root")
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
    return MaterialRejected(
        "unreadable",
        shown,
        f"the file cannot be read ({exc.strerror or exc})",
        f"无法读取该文件（{exc.strerror or exc}）",
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
        if hasattr(os, "pread"):
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


def _scan(stream: IO[bytes], needles: tuple[bytes, ...]) -> set[bytes]:
    """Which of ``needles`` occur anywhere in the stream (read in chunks)."""
    found: set[bytes] = set()
    overlap = max(len(n) for n in needles) - 1
    tail = b""
    stream.seek(0)
    while chunk := stream.read(_CHUNK):
        window = tail + chunk
        found.update(n for n in needles if n in window)
        if len(found) == len(needles):
            break
        tail = window[-overlap:]
    return found


# --------------------------------------------------------------------------- recognising


def _detect(stream: IO[bytes], shown: str) -> str:
    """The real format of the file, from its bytes (never its name)."""
    stream.seek(0)
    head = stream.read(_HEAD)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(stream, shown)
    if head.startswith(_OLE2_MAGIC):
        found = _scan(stream, (_OLE2_WORD_STREAM, _OLE2_ENCRYPTED_PACKAGE))
        if _OLE2_ENCRYPTED_PACKAGE in found:
            raise MaterialRejected(
                "encrypted",
                shown,
                "this is a password-protected Office document; save it without a password",
                "这是设置了密码保护的 Office 文档，请取消密码后重新保存",
            )
        return "doc" if _OLE2_WORD_STREAM in found else "ole2"
    if head[4:8] == b"ftyp":
        return _detect_ftyp(head)
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "html"
    if text.startswith(b"mime-version:"):
        return "mht"
    return "unknown"


def _detect_zip(stream: IO[bytes], shown: str) -> str:
    import zipfile

    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        claimed = "docx" if os.path.splitext(shown)[1].lower() == ".docx" else "zip"
        raise _corrupt(shown, claimed, exc) from exc
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "OFD.xml" in names:
        return "ofd"
    if "mimetype" in names and "META-INF/manifest.xml" in names:
        return "odf"
    return "zip"


def _detect_ftyp(head: bytes) -> str:
    brand = head[8:12]
    if brand == b"qt  ":
        return "mov"
    if brand.startswith((b"3gp", b"3g2")):
        return "3gp"
    if brand in (b"M4A ", b"M4B ", b"M4P "):
        return "m4a"
    if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif", b"avis"):
        return "heif"
    return "mp4"


def _name(fmt: str) -> tuple[str, str]:
    return _NAMES.get(fmt, ("a file of unknown type", "无法识别类型的文件"))


def _check_name(shown: str, fmt: str, kind: MaterialType, allowed: tuple[str, ...]) -> None:
    """Refuse a forged extension, a format the material does not take, or one never checked."""
    what_en, what_zh = _name(fmt)
    allowed_en = ", ".join(allowed)
    allowed_zh = "、".join(allowed)
    if fmt not in CHECKED_FORMATS:
        reason = "unknown_format" if fmt == "unknown" else "format_not_allowed"
        raise MaterialRejected(
            reason,
            shown,
            f"the content is {what_en}; material {kind.code!r} must be one of: {allowed_en}",
            f"文件内容是{what_zh}；材料 {kind.code!r} 只接收：{allowed_zh}",
            {"detected": fmt, "allowed": allowed},
        )
    extension = os.path.splitext(shown)[1].lower()
    if extension not in _EXTENSIONS[fmt]:
        expected = " or ".join(_EXTENSIONS[fmt])
        named = f"named {extension!r}" if extension else "has no extension"
        named_zh = f"扩展名却是 {extension!r}" if extension else "却没有扩展名"
        raise MaterialRejected(
            "extension_mismatch",
            shown,
            f"the content is {what_en} but the file is {named} (expected {expected}): "
            "the extension does not match the content",
            f"文件内容是{what_zh}，{named_zh}（应为 {expected}）：扩展名与内容不符",
            {"detected": fmt, "extension": extension},
        )
    if fmt not in allowed:
        raise MaterialRejected(
            "format_not_allowed",
            shown,
            f"the file is {what_en}; material {kind.code!r} must be one of: {allowed_en}",
            f"文件是{what_zh}；材料 {kind.code!r} 只接收：{allowed_zh}",
            {"detected": fmt, "allowed": allowed},
        )


# --------------------------------------------------------------------------- checking


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = re.sub(r"^file '.*' is not a Word file", "not a Word file", text)
    text = text if len(text) <= 200 else text[:197] + "..."
    name = type(exc).__name__
    if name == "error":  # mutagen's exceptions are all called "error"
        name = f"{type(exc).__module__}.error"
    return f"{name}: {text}" if text else name


def _corrupt(shown: str, fmt: str, exc: BaseException | str) -> MaterialRejected:
    what_en, what_zh = _name(fmt)
    complaint = exc if isinstance(exc, str) else _summary(exc)
    return MaterialRejected(
        "corrupt",
        shown,
        f"the file looks like {what_en} but is damaged or invalid ({complaint})",
        f"文件看似{what_zh}，但已损坏或无效（{complaint}）",
        {"detected": fmt, "complaint": complaint},
    )


class _ThreadLog(logging.Handler):
    """Collects the warnings a library logs from the current thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


@contextmanager
def _collect_logs(name: str) -> Iterator[list[str]]:
    handler = _ThreadLog()
    logger = logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def _check_pdf(stream: IO[bytes], shown: str) -> int:
    try:
        import pypdf
        from pypdf.errors import DependencyError
    except ImportError:
        raise MissingDependency("pypdf", "pypdf") from None
    encrypted = MaterialRejected(
        "encrypted",
        shown,
        "the PDF is encrypted (password-protected); save it without protection",
        "该 PDF 已加密（设有密码或权限保护），请去除保护后重新保存",
    )
    stream.seek(0)
    with _collect_logs("pypdf") as warnings:
        try:
            reader = pypdf.PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise encrypted
            pages = len(reader.pages)
        except MaterialRejected:
            raise
        except DependencyError:  # only the AES decryption paths need an extra package
            raise encrypted from None
        except Exception as exc:
            complaint = _summary(exc)
            if warnings:
                complaint += f"; {warnings[0]}"
            raise _corrupt(shown, "pdf", complaint) from exc
    if pages < 1:
        raise MaterialRejected("no_pages", shown, "the PDF has no pages", "该 PDF 没有任何页面")
    return pages


def _check_docx(stream: IO[bytes], shown: str, max_bytes: int) -> None:
    import zipfile

    try:
        import docx
    except ImportError:
        raise MissingDependency("docx", "python-docx") from None
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # pragma: no cover
        raise _corrupt(shown, "docx", exc) from exc
    unpacked = sum(m.file_size for m in members)
    if len(members) > _MAX_ZIP_ENTRIES or unpacked > max_bytes:
        raise MaterialRejected(
            "too_large",
            shown,
            f"the document unpacks to {unpacked} bytes in {len(members)} parts, "
            f"more than the limit of {max_bytes} bytes / {_MAX_ZIP_ENTRIES} parts",
            f"该文档解压后为 {unpacked} 字节、{len(members)} 个部件，超过上限"
            f"（{max_bytes} 字节 / {_MAX_ZIP_ENTRIES} 个部件）",
            {"unpacked": unpacked, "parts": len(members), "max_bytes": max_bytes},
        )
    stream.seek(0)
    try:
        document = docx.Document(stream)
        document.paragraphs  # noqa: B018 - the body must be readable
    except Exception as exc:
        raise _corrupt(shown, "docx", exc) from exc


def _boxes(stream: IO[bytes], start: int, end: int, shown: str) -> Iterator[tuple[bytes, int, int]]:
    """The ISO-BMFF boxes between ``start`` and ``end``: (type, payload start, box end).

    Every box must lie wholly inside its parent, which is how a truncated file shows.
    """
    pos = start
    count = 0
    while pos < end:
        count += 1
        if count > _MAX_BOXES:
            raise _corrupt(shown, "mp4", f"more than {_MAX_BOXES} boxes in one container")
        if end - pos < 8:
            raise _corrupt(shown, "mp4", f"{end - pos} stray bytes at offset {pos}")
        stream.seek(pos)
        size, box_type = struct.unpack(">I4s", stream.read(8))
        header = 8
        if size == 1:
            large = stream.read(8)
            if len(large) < 8:
                raise _corrupt(shown, "mp4", f"box {_box_name(box_type)} at offset {pos} is cut short")
            (size,) = struct.unpack(">Q", large)
            header = 16
        elif size == 0 and start == 0:
            size = end - pos  # the last top-level box may run to the end of the file
        if size < header:
            raise _corrupt(shown, "mp4", f"box {_box_name(box_type)} at offset {pos} has invalid size {size}")
        if pos + size > end:
            raise _corrupt(
                shown,
                "mp4",
                f"box {_box_name(box_type)} at offset {pos} needs {size} bytes but only "
                f"{end - pos} remain: the file is truncated",
            )
        yield box_type, pos + header, pos + size
        pos += size


def _box_name(box_type: bytes) -> str:
    return repr(box_type.decode("latin-1"))


def _has_video_track(stream: IO[bytes], moov: tuple[int, int], shown: str) -> bool:
    for box_type, start, end in list(_boxes(stream, *moov, shown)):
        if box_type != b"trak":
            continue
        for mdia_type, mdia_start, mdia_end in list(_boxes(stream, start, end, shown)):
            if mdia_type != b"mdia":
                continue
            for child_type, child_start, child_end in list(_boxes(stream, mdia_start, mdia_end, shown)):
                if child_type == b"hdlr" and child_end - child_start >= 12:
                    stream.seek(child_start + 8)  # version/flags, pre_defined, handler_type
                    if stream.read(4) == b"vide":
                        return True
    return False


def _check_mp4(stream: IO[bytes], shown: str, size: int) -> float:
    try:
        from mutagen.mp4 import MP4
    except ImportError:
        raise MissingDependency("mutagen", "mutagen") from None
    stream.seek(0)
    try:
        parsed: Any = MP4(stream)  # type: ignore[no-untyped-call]
        length = float(parsed.info.length)
    except Exception as exc:
        raise _corrupt(shown, "mp4", exc) from exc
    top = list(_boxes(stream, 0, size, shown))
    moov = next(((start, end) for t, start, end in top if t == b"moov"), None)
    if moov is None:  # pragma: no cover - mutagen refuses a file without one
        raise _corrupt(shown, "mp4", "no movie header (moov)")
    if not any(t == b"mdat" and end > start for t, start, end in top):
        raise _corrupt(shown, "mp4", "no media data (mdat)")
    if not _has_video_track(stream, moov, shown):
        raise MaterialRejected(
            "not_video",
            shown,
            "the MP4 file has no video track (sound only?)",
            "该 MP4 文件没有视频轨道（可能只有音频）",
        )
    if not length > 0:
        raise _corrupt(shown, "mp4", "the video declares no duration")
    return length


def _check_duration(shown: str, duration: float, seconds: int | None, tolerance: int) -> None:
    if seconds is None:
        return
    low, high = seconds - tolerance, seconds + tolerance
    if low <= duration <= high:
        return
    around_en = f"{seconds} s ± {tolerance} s ({low}-{high} s)" if tolerance else f"{seconds} s"
    around_zh = f"{seconds}±{tolerance} 秒（{low}～{high} 秒）" if tolerance else f"{seconds} 秒"
    raise MaterialRejected(
        "video_duration",
        shown,
        f"the video lasts {duration:.1f} s; it must last {around_en}",
        f"视频时长 {duration:.1f} 秒，要求 {around_zh}",
        {"duration": duration, "video_seconds": seconds, "video_tolerance": tolerance},
    )
