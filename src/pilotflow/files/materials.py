"""Materials as real files: inspect an attached file before it becomes a :class:`Material`.

:func:`inspect_material` opens one file (confined to ``root`` when one is given), records its
SHA-256, size and real type, and checks it: a PDF must open with ``pypdf``, not be encrypted
and have at least one page (its JavaScript and Launch actions are reported); every part of a
``.docx`` must unpack to what its headers claim and its XML (streamed through ``lxml``) must
make a Word document; an Excel workbook (``.xlsx``) is checked as a package the same way,
then read with ``openpyxl`` (its sheets, rows and cells counted); a ``.doc`` must hold a Word
stream in its compound file directory (read with ``olefile``); an MP4 must carry a video track
whose samples back its duration and last about as long as its material (or, the old spelling,
the campaign's ``re_review``) asks. The type is taken from the bytes, never from the name: a
name whose extension disagrees with the content is refused. Every check is bounded in memory
and time whatever the file claims. Nothing is executed and no other program is started.
Anything refused raises :class:`MaterialRejected` with a stable ``reason`` code and a message
in English and Chinese.

Paper materials are not files; :func:`paper_material` records a number of copies::

    >>> from pilotflow.campaign import MaterialType, Text
    >>> form = MaterialType("application_form_paper", Text("application form", "申报书"), paper=True)
    >>> paper_material(form, 3)
    Material(kind='application_form_paper', copies=3, filename=None, sha256=None, size=None, \
media_type=None, pages=None, duration=None)

The parsers (``pypdf``, ``lxml``, ``olefile``, ``openpyxl``) are imported only when a file of their type is
inspected, so ``import pilotflow`` does not load them. See ``docs/materials.md``.
"""

from __future__ import annotations

import array
import bisect
import errno
import functools
import hashlib
import io
import itertools
import logging
import operator
import os
import re
import stat
import struct
import sys
import threading
import warnings
import weakref
import zipfile
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePath
from typing import IO, Any, cast

from attrs import frozen

from ..domain.campaign import Campaign, MaterialType
from ..domain.records import MAX_COPIES, Material
from ..errors import InvalidInput, MaterialRejected, MissingDependency
from ._io import fs_path

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
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

#: The formats pilotflow can check, i.e. that a material type's ``formats`` may usefully name.
CHECKED_FORMATS = frozenset(MEDIA_TYPES)

# The file name extensions each checked format may carry (compared case-insensitively).
_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "doc": (".doc",),
    "mp4": (".mp4",),
    "xlsx": (".xlsx",),
}

# What to call a format in a message: (English, Chinese).
_NAMES: Mapping[str, tuple[str, str]] = {
    "pdf": ("a PDF document", "PDF 文档"),
    "docx": ("a Word document (.docx)", "Word 文档（.docx）"),
    "doc": ("a Word 97-2003 document (.doc)", "Word 97-2003 文档（.doc）"),
    "mp4": ("an MP4 video", "MP4 视频"),
    "fmp4": ("a fragmented MP4 video", "分片 MP4 视频"),
    "docm": ("a macro-enabled Word document (.docm)", "启用宏的 Word 文档（.docm）"),
    "dotx": ("a Word template (.dotx)", "Word 模板（.dotx）"),
    "dotm": ("a macro-enabled Word template (.dotm)", "启用宏的 Word 模板（.dotm）"),
    "mov": ("a QuickTime movie (.mov)", "QuickTime 视频（.mov）"),
    "3gp": ("a 3GP mobile video", "3GP 手机视频"),
    "m4a": ("an MPEG-4 audio file (.m4a)", "MPEG-4 音频（.m4a）"),
    "heif": ("a HEIF/AVIF image", "HEIF/AVIF 图片"),
    "xlsx": ("an Excel workbook (.xlsx)", "Excel 工作簿（.xlsx）"),
    "xlsm": ("a macro-enabled Excel workbook (.xlsm)", "启用宏的 Excel 工作簿（.xlsm）"),
    "xltx": ("an Excel template (.xltx)", "Excel 模板（.xltx）"),
    "xltm": ("a macro-enabled Excel template (.xltm)", "启用宏的 Excel 模板（.xltm）"),
    "pptx": ("a PowerPoint presentation (.pptx)", "PowerPoint 演示文稿（.pptx）"),
    "ofd": ("an OFD document", "OFD 版式文档"),
    "odf": ("an OpenDocument file", "OpenDocument 文档"),
    "zip": ("a ZIP archive", "ZIP 压缩包"),
    "ole2": (
        "an Office 97-2003 file that is not a Word document (e.g. .xls, .ppt)",
        "非 Word 的 Office 97-2003 文件（如 .xls、.ppt）",
    ),
    "cfb": ("an Office 97-2003 file", "Office 97-2003 文件"),
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

_HEAD = 4096  # bytes read to recognise a format
_CHUNK = 1 << 20  # bytes read at a time when hashing
_BIG_READ = 1 << 16  # a parser's read checked against its budget before it happens

# Bounds on what an inspection reads, holds and walks, whatever the file claims
# (docs/materials.md, "Bounded whatever the file claims"; benchmarks/bench_files.py).
_MAX_BOXES = 10_000  # MP4 boxes walked in the whole file
_MAX_MP4_TABLE = 8 << 20  # bytes of one MP4 sample table
_MAX_SAMPLES = 500_000  # samples of all the video tracks together
_MAX_ZIP_ENTRIES = 10_000  # parts of a .docx or .xlsx
_MAX_XLSX_SHEETS = 1_000  # sheets of a workbook
_MAX_XLSX_ROWS = 200_000  # rows read from all the sheets of a workbook
_MAX_XLSX_CELLS = 2_000_000  # cells read from all the sheets of a workbook
_MAX_ZIP_DIRECTORY = 2 << 20  # bytes read to load a ZIP's central directory
_CHUNK_IN = 1 << 16  # compressed bytes inflated at a time
_CHUNK_OUT = 1 << 20  # most bytes one inflate step may produce
_XML_FEED = 1 << 18  # bytes of XML parsed between two prunings of the tree
_MAX_XML_BYTES = 32 << 20  # bytes of XML in all the parts of a .docx
_MAX_XML_SMALL = 1 << 20  # bytes of [Content_Types].xml (twice that for _rels/.rels)
_MAX_XML_TAG = 1 << 16  # bytes of one XML tag
_MAX_XML_WANTED = 20_000  # content types or relationships kept
_MAX_XML_NAMESPACES = 100_000  # namespace declarations in all the XML parts of a .docx
_XML_PROLOG = 1 << 16  # bytes before an XML part's root element
_PDF_TAIL = 2048  # bytes at the end of a PDF that must hold startxref and %%EOF
_PDF_READ_BUDGET = 4 << 20  # bytes pypdf may read
_PDF_MAX_STREAM = 16 << 20  # bytes one PDF stream may declare or decode to
_PDF_DECODE_BUDGET = 32 << 20  # bytes pypdf may decode from all the streams of a PDF
_PDF_RECOVERY_MAX = 4 << 20  # largest PDF given pypdf's lenient recovery
_MAX_PDF_OBJECTS = 100_000
_MAX_PDF_PAGES = 10_000
_MAX_PDF_ACTION_NODES = 10_000  # annotations, fields and actions looked at for active content

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


# --------------------------------------------------------------------------- public API


def paper_material(kind: MaterialType, copies: int = 1) -> Material:
    """A paper material of ``kind`` in ``copies`` copies (a whole number from 1 to 1,000).

    Refused with reason ``not_paper`` when ``kind`` is an electronic material (attach the
    file with :func:`inspect_material`), ``copies`` when the count is not a whole number from 1
    to ``MAX_COPIES``.
    """
    _check_kind(kind)
    if not kind.paper:
        raise MaterialRejected(
            "not_paper",
            None,
            f"material {kind.code!r} ({kind.name.en}) is an electronic file, not paper: "
            "attach the file itself",
            f"材料「{kind.name.zh}」是电子文件而非纸质材料，请上传文件本身",
            {"kind": kind.code},
        )
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
        raise MaterialRejected(
            "copies",
            None,
            f"material {kind.code!r}: copies must be a whole number from 1 to {MAX_COPIES}, got {copies!r}",
            f"{kind.name.zh}：份数必须是 1 到 {MAX_COPIES} 之间的整数，收到 {copies!r}",
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
    refuse_active_content: bool = False,
) -> Material:
    """Check the file at ``path`` as a material of ``kind`` and describe it.

    * ``root``: when given, ``path`` (relative paths are taken relative to ``root``) must
      resolve inside it: a ``..`` component, an absolute path elsewhere or a symbolic link
      leading out is refused. Without ``root`` the last component must not be a link.
    * ``video_seconds`` / ``video_tolerance``: a video must last ``video_seconds`` give or
      take ``video_tolerance`` seconds (bounds included; no tolerance means 0). Without
      ``video_seconds`` the material type's own bounds apply (``kind.video_seconds`` ±
      ``kind.video_tolerance_seconds``); without those any positive duration is accepted.
    * ``max_bytes``: a larger file is refused unread (a ``.docx`` also may not unpack to more).
    * ``refuse_active_content``: refuse a PDF carrying JavaScript or a Launch action (reason
      ``active_content``), as does a material type whose ``refuse_active_content`` is set;
      otherwise it is accepted and :func:`inspection_of` reports it.

    Whatever the file claims, the inspection reads, holds and walks a bounded amount
    (``docs/materials.md``): a file beyond those bounds is refused as ``too_complex``, one
    whose content does not back its headers' claims as ``inconsistent``.

    Returns a :class:`~pilotflow.Material` with one copy, the file's base name,
    SHA-256, size, media type, and its page count (PDF) or duration in seconds (video).
    Raises :class:`MaterialRejected` for a refused file, :class:`~pilotflow.errors.InvalidInput`
    for bad arguments, :class:`MissingDependency` when a needed parser is not installed.
    """
    _check_kind(kind)
    shown = fs_path(path, "path")
    if video_seconds is None and video_tolerance is None and kind.video_seconds is not None:
        video_seconds, video_tolerance = kind.video_seconds, kind.video_tolerance_seconds
    limits = _check_limits(video_seconds, video_tolerance, max_bytes)
    if kind.paper:
        raise MaterialRejected(
            "paper_only",
            shown,
            f"material {kind.code!r} ({kind.name.en}) is handed in on paper, not as a file: "
            "record the number of copies instead",
            f"材料「{kind.name.zh}」须报送纸质件，不接收电子文件，请登记份数",
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
        fmt, members = _detect(stream, shown, st.st_size)
        _check_name(shown, fmt, kind, allowed)
        sha256, size = _digest(stream)
        if size != st.st_size:
            raise _changed(shown)
        pages: int | None = None
        duration: float | None = None
        active: tuple[str, ...] = ()
        if fmt == "pdf":
            pages, active = _check_pdf(stream, shown, size)
            if active and (refuse_active_content or kind.refuse_active_content):
                raise _active(shown, active)
        elif fmt == "docx":
            _check_docx(stream, shown, size, max_bytes, members)
        elif fmt == "xlsx":
            _check_xlsx(stream, shown, size, max_bytes, members)
        elif fmt == "mp4":
            duration = _check_mp4(stream, shown, size)
            _check_duration(shown, duration, *limits)
        # "doc": a Word 97-2003 file is recognised from its compound file directory (a
        # WordDocument stream starting with a Word header, not encrypted); its text is not
        # parsed (see docs/materials.md).
        after = os.fstat(fd)
        if (after.st_size, after.st_mtime_ns) != (st.st_size, st.st_mtime_ns):
            raise _changed(shown)
    inspection = Inspection(kind, video_seconds, video_tolerance, active)
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
    formats) and, for a video, the bounds :func:`inspect_campaign_material` applies (the
    material type's own, else the campaign's re-review ones). A 10-second video checked with
    other bounds,
    or a Word file checked as another material type, does not count for the campaign.
    """
    inspection = inspection_of(material)
    if inspection is None:
        return False
    if campaign is None:
        return True
    if not isinstance(material, Material):  # pragma: no cover - only Materials are vouched for
        return False
    kind = campaign.materials.get(material.kind)
    if kind is not inspection.kind and kind != inspection.kind:  # the very type, usually
        return False
    if material.duration is None:  # the video bounds apply to videos only
        return True
    return (inspection.video_seconds, inspection.video_tolerance) == _video_bounds(campaign, kind)


def _video_bounds(campaign: Campaign, kind: MaterialType | None) -> tuple[int | None, int | None]:
    """The video bounds :func:`inspect_campaign_material` applies to a video of ``kind``: the
    material's own (``materials.<kind>.video``), else the campaign's re-review bounds (the
    old spelling, ``re_review.video_seconds``), else none."""
    if kind is not None and kind.video_seconds is not None:
        return kind.video_seconds, kind.video_tolerance_seconds
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
    refuse_active_content: bool = False,
) -> Material:
    """:func:`inspect_material` with the material type and video bounds of ``campaign``.

    ``kind`` is a material code of the campaign; a video is held to the length its material
    type sets (``materials.<kind>.video``) or, when the type sets none, to the campaign's
    re-review video length (``re_review.video_seconds`` ± ``video_tolerance_seconds``, the
    old spelling).
    """
    material_type = campaign.materials.get(kind) if isinstance(kind, str) else None
    if material_type is None:
        raise InvalidInput(
            f"unknown material kind {kind!r}; this campaign knows {', '.join(campaign.materials)}",
            f"未知的材料类型 {kind!r}；本次遴选的材料类型有：{'、'.join(campaign.materials)}",
        )
    seconds, tolerance = _video_bounds(campaign, material_type)
    return inspect_material(
        material_type,
        path,
        root=root,
        video_seconds=seconds,
        video_tolerance=tolerance,
        max_bytes=max_bytes,
        refuse_active_content=refuse_active_content,
    )


# --------------------------------------------------------------------------- arguments


def _check_kind(kind: object) -> None:
    if not isinstance(kind, MaterialType):
        raise InvalidInput(
            f"kind must be a MaterialType, got {type(kind).__name__}",
            f"kind 必须是 MaterialType（材料类型），收到 {type(kind).__name__}",
        )


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
    root_text = fs_path(root, "root")
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


class _OverDecodeBudget(_OverBudget):
    """pypdf asked to decode more stream data, in all, than an inspection lets it hold."""


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


def _too_complex(shown: str, fmt: str, what_en: str, what_zh: str) -> MaterialRejected:
    name_en, name_zh = _name(fmt)
    return MaterialRejected(
        "too_complex",
        shown,
        f"the file is {name_en} whose structure is beyond what is checked ({what_en}); "
        "save or export it again in a simpler form",
        f"该文件是{name_zh}，但结构超出可检查的范围（{what_zh}），请重新保存或导出为更简单的形式",
        {"detected": fmt, "limit": what_en},
    )


def _inconsistent(shown: str, fmt: str, what_en: str, what_zh: str) -> MaterialRejected:
    name_en, name_zh = _name(fmt)
    return MaterialRejected(
        "inconsistent",
        shown,
        f"the file looks like {name_en} but its content does not match what its headers claim ({what_en})",
        f"文件看似{name_zh}，但内容与文件头的声明不符（{what_zh}）",
        {"detected": fmt, "complaint": what_en},
    )


# --------------------------------------------------------------------------- recognising


def _detect(stream: IO[bytes], shown: str, size: int) -> tuple[str, list[zipfile.ZipInfo]]:
    """The real format of the file, from its bytes (never its name), and for a ZIP its
    members (read from a central directory of bounded size)."""
    stream.seek(0)
    head = stream.read(_HEAD)
    if head.startswith(b"%PDF-"):
        return "pdf", []
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(stream, shown, size)
    if head.startswith(_OLE2_MAGIC):
        return _detect_ole2(stream, shown, size), []
    if head[4:8] == b"ftyp":
        return _detect_ftyp(head), []
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi", []
    for signature, name in _SIGNATURES:
        if head.startswith(signature):
            return name, []
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html")):
        return "html", []
    if text.startswith(b"mime-version:"):
        return "mht", []
    return "unknown", []


def _detect_zip(stream: IO[bytes], shown: str, size: int) -> tuple[str, list[zipfile.ZipInfo]]:
    claimed = {".docx": "docx", ".xlsx": "xlsx"}.get(os.path.splitext(shown)[1].lower(), "zip")
    budget = _Budget(stream, size, _MAX_ZIP_DIRECTORY)
    try:
        with zipfile.ZipFile(budget) as archive:
            members = archive.infolist()
    except _OverBudget:
        raise _too_complex(
            shown,
            claimed,
            f"a ZIP directory larger than {_MAX_ZIP_DIRECTORY} bytes",
            f"ZIP 目录超过 {_MAX_ZIP_DIRECTORY} 字节",
        ) from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        raise _corrupt(shown, claimed, exc) from exc
    names = {m.filename for m in members}
    if "word/document.xml" in names:
        return "docx", members
    if "xl/workbook.xml" in names:
        return "xlsx", members
    if "ppt/presentation.xml" in names:
        return "pptx", members
    if "OFD.xml" in names:
        return "ofd", members
    if "mimetype" in names and "META-INF/manifest.xml" in names:
        return "odf", members
    return "zip", members


def _detect_ole2(stream: IO[bytes], shown: str, size: int) -> str:
    """``doc`` or ``ole2``, from the compound file's directory as ``olefile`` reads it.

    The header is checked first so that olefile is never asked to build a FAT larger than
    the file can hold, and olefile reads through a budget (no directory stream or FAT chain
    can make it read more than the file's FAT needs plus 1 MiB).
    """
    try:
        import olefile
    except ImportError:
        raise MissingDependency("olefile", "olefile") from None
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512:
        raise _corrupt(shown, "cfb", "the compound file header is cut short")
    sector_shift, _mini_shift = struct.unpack_from("<HH", header, 30)
    (fat_sectors,) = struct.unpack_from("<I", header, 44)
    if sector_shift not in (9, 12):
        raise _corrupt(shown, "cfb", f"invalid sector size 2**{sector_shift} in the header")
    sector = 1 << sector_shift
    sectors = max(0, (size - sector + sector - 1) // sector)
    room = (sectors + sector // 4 - 1) // (sector // 4) + 1
    if fat_sectors > room:
        raise _inconsistent(
            shown,
            "cfb",
            f"the header claims {fat_sectors} FAT sectors; a file of {size} bytes has room for {room}",
            f"文件头声称有 {fat_sectors} 个 FAT 扇区，而 {size} 字节的文件最多容纳 {room} 个",
        )
    budget = _Budget(stream, size, (1 << 20) + 2 * 4 * sectors)
    try:
        ole = _ole_reader()(budget, raise_defects=olefile.DEFECT_INCORRECT)
    except _OverBudget:
        raise _too_complex(
            shown,
            "cfb",
            f"a directory and FAT needing more than {budget.limit} bytes",
            f"目录与 FAT 超过 {budget.limit} 字节",
        ) from None
    except Exception as exc:
        raise _corrupt(shown, "cfb", exc) from exc
    try:
        kids = ole.root.kids_dict
        if "encryptedpackage" in kids:
            raise _encrypted_office(shown)
        word = kids.get("worddocument")
        if word is None or word.entry_type != olefile.STGTY_STREAM:
            return "ole2"
        fib = _first_bytes(ole, word, stream, size)
    except _OverBudget:
        raise _too_complex(
            shown, "doc", f"streams needing more than {budget.limit} bytes", f"数据流超过 {budget.limit} 字节"
        ) from None
    except MaterialRejected:
        raise
    except Exception as exc:
        raise _corrupt(shown, "doc", exc) from exc
    finally:
        ole.close()
    if len(fib) < 12 or struct.unpack_from("<H", fib, 0)[0] != 0xA5EC:
        raise _corrupt(
            shown, "doc", "the WordDocument stream does not start with a Word 97-2003 header (FIB)"
        )
    (flags,) = struct.unpack_from("<H", fib, 10)
    if flags & 0x0100 or flags & 0x8000:  # fEncrypted, fObfuscated
        raise _encrypted_office(shown)
    return "doc"


@functools.cache
def _ole_reader() -> Any:
    """``olefile.OleFileIO`` with a FAT that grows in place.

    olefile 0.47 appends each FAT sector it loads with ``fat = fat + sector``, copying the
    whole FAT every time: quadratic, about 9 s for the 8,000 FAT sectors of a 490 MiB file.
    This subclass does the same reading (the same method, step for step) but extends the
    array in place.
    """
    import array as arrays

    import olefile

    class OleReader(olefile.OleFileIO):  # type: ignore[misc]
        def loadfat_sect(self, sect: Any) -> Any:
            fat1 = sect if isinstance(sect, arrays.array) else self.sect2array(sect)
            isect = None
            for isect in fat1:
                isect = isect & 0xFFFFFFFF
                if isect in (olefile.ENDOFCHAIN, olefile.FREESECT):
                    break
                self.fat.extend(self.sect2array(self.getsect(isect)))
            return isect

    return OleReader


def _first_bytes(ole: Any, entry: Any, stream: IO[bytes], size: int) -> bytes:
    """The first 32 bytes of a compound file stream, without olefile loading all of it."""
    if entry.size >= ole.minisectorcutoff:
        offset = (entry.isectStart + 1) * ole.sectorsize
        if offset + 32 > size:
            return b""
        stream.seek(offset)
        return stream.read(32)
    with ole.openstream("WordDocument") as small:  # under 4 KiB; read through the budget
        data: bytes = small.read(32)
    return data


def _encrypted_office(shown: str) -> MaterialRejected:
    return MaterialRejected(
        "encrypted",
        shown,
        "this is a password-protected Office document; save it without a password",
        "这是设置了密码保护的 Office 文档，请取消密码后重新保存",
    )


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
            f"文件内容是{what_zh}；「{kind.name.zh}」只接收：{allowed_zh}",
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
            f"文件是{what_zh}；「{kind.name.zh}」只接收：{allowed_zh}",
            {"detected": fmt, "allowed": allowed},
        )


# --------------------------------------------------------------------------- checking


def _summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = re.sub(r"^file '.*' is not a Word file", "not a Word file", text)
    text = text if len(text) <= 200 else text[:197] + "..."
    name = type(exc).__name__
    if name == "error":  # some modules call all their exceptions "error"
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


# What pypdf may still decode in the current inspection (None outside one): pypdf keeps every
# stream it decodes (object streams, cross-reference streams) for the life of the reader, so
# its per-stream limits alone let many streams add up without bound.
_PDF_DECODING: ContextVar[list[int] | None] = ContextVar("pilotflow_pdf_decoding", default=None)
_PDF_OUTPUT_LIMITS = (
    "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "zlib_maximum_output_length",
    "brotli_maximum_output_length",
)
_PDF_HOOK_LOCK = threading.Lock()


def _budget_pdf_decoding() -> None:
    """Route pypdf's stream decoding (``pypdf.filters.decode_stream_data``, which every
    stream's ``get_data`` looks up when it decodes) through the decode budget of the current
    inspection. Outside an inspection the wrapper only calls pypdf's own function. While
    one runs, each stream may decode to no more than what is left of the budget (pypdf's
    own output limits lowered to it) and what it decodes is charged; past the budget
    :class:`_OverDecodeBudget` is raised (a ``BaseException``: pypdf's recovery paths must
    not swallow it)."""
    import pypdf
    import pypdf.filters as filters
    from pypdf.errors import LimitReachedError

    with _PDF_HOOK_LOCK:
        original = filters.decode_stream_data
        if getattr(original, "_pilotflow_budget", False):
            return

        @functools.wraps(original)
        def decode_stream_data(stream: Any) -> Any:
            left = _PDF_DECODING.get()
            if left is None:
                return original(stream)
            if left[0] <= 0:
                raise _OverDecodeBudget(_PDF_DECODE_BUDGET)
            config = pypdf.get_configuration()
            lower = {name: min(getattr(config, name), left[0]) for name in _PDF_OUTPUT_LIMITS}
            try:
                with pypdf.apply_configuration(**lower):
                    data = original(stream)
            except LimitReachedError:
                if left[0] < _PDF_MAX_STREAM:  # the budget, not pypdf's own limit, was hit
                    left[0] = -1
                    raise _OverDecodeBudget(_PDF_DECODE_BUDGET) from None
                raise
            left[0] -= len(data)
            if left[0] < 0:
                raise _OverDecodeBudget(_PDF_DECODE_BUDGET)
            return data

        decode_stream_data._pilotflow_budget = True  # type: ignore[attr-defined]
        filters.decode_stream_data = decode_stream_data


def _check_pdf(stream: IO[bytes], shown: str, size: int) -> tuple[int, tuple[str, ...]]:
    """The page count and the active content (JavaScript, Launch actions) of a PDF.

    The end of the file must carry ``startxref`` and ``%%EOF`` (a file without them is
    truncated or padded, and pypdf would search all of it). pypdf then reads it strictly,
    through a read budget and with tighter limits than its defaults; only a small file
    (up to 4 MiB) that fails the strict reading gets pypdf's lenient recovery.
    """
    try:
        import pypdf
        from pypdf.errors import DependencyError, LimitReachedError
    except ImportError:
        raise MissingDependency("pypdf", "pypdf") from None
    stream.seek(max(0, size - _PDF_TAIL))
    tail = stream.read(_PDF_TAIL)
    if b"%%EOF" not in tail[-1024:] or b"startxref" not in tail:
        raise _corrupt(
            shown,
            "pdf",
            "no 'startxref' and '%%EOF' at the end of the file: it is truncated or not a complete PDF",
        )
    encrypted = MaterialRejected(
        "encrypted",
        shown,
        "the PDF is encrypted (password-protected); save it without protection",
        "该 PDF 已加密（设有密码或权限保护），请去除保护后重新保存",
    )
    limits: dict[str, Any] = {
        "maximum_declared_stream_length": _PDF_MAX_STREAM,
        "array_based_stream_maximum_output_length": _PDF_MAX_STREAM,
        "jbig2_maximum_output_length": _PDF_MAX_STREAM,
        "lzw_maximum_output_length": _PDF_MAX_STREAM,
        "run_length_maximum_output_length": _PDF_MAX_STREAM,
        "zlib_maximum_output_length": _PDF_MAX_STREAM,
        "brotli_maximum_output_length": _PDF_MAX_STREAM,
        "image_maximum_buffer_size": _PDF_MAX_STREAM,
        "page_tree_maximum_entries": 2 * _MAX_PDF_PAGES,
        "page_tree_maximum_page_entries": 64 * _MAX_PDF_PAGES,
        "jbig2dec_binary": None,  # never start a program
    }
    attempts = (True, False) if size <= _PDF_RECOVERY_MAX else (True,)
    budget = _Budget(stream, size, _PDF_READ_BUDGET)
    left = [_PDF_DECODE_BUDGET]
    _budget_pdf_decoding()
    with _collect_logs("pypdf") as warnings, pypdf.apply_configuration(**limits):
        for strict in attempts:
            budget = _Budget(stream, size, _PDF_READ_BUDGET)
            left = [_PDF_DECODE_BUDGET]  # bytes pypdf may still decode
            decoding = _PDF_DECODING.set(left)
            try:
                reader = pypdf.PdfReader(
                    cast(IO[bytes], budget), strict=strict, xref_stream_maximum_entries=_MAX_PDF_OBJECTS
                )
                if reader.is_encrypted:
                    raise encrypted
                objects = sum(len(v) for v in reader.xref.values()) + len(reader.xref_objStm)
                if objects > _MAX_PDF_OBJECTS:
                    raise _too_complex(
                        shown,
                        "pdf",
                        f"{objects} objects, more than {_MAX_PDF_OBJECTS}",
                        f"对象 {objects} 个，超过 {_MAX_PDF_OBJECTS} 个",
                    )
                pages = len(reader.pages)
                if pages > _MAX_PDF_PAGES:
                    raise _too_complex(
                        shown,
                        "pdf",
                        f"{pages} pages, more than {_MAX_PDF_PAGES}",
                        f"{pages} 页，超过 {_MAX_PDF_PAGES} 页",
                    )
                active = _active_content(reader, shown) if pages else ()
                break
            except MaterialRejected:
                raise
            except _OverDecodeBudget:
                raise _too_complex(
                    shown,
                    "pdf",
                    f"its streams decode to more than {_PDF_DECODE_BUDGET} bytes in all",
                    f"其数据流解码后共超过 {_PDF_DECODE_BUDGET} 字节",
                ) from None
            except _OverBudget:
                raise _too_complex(
                    shown,
                    "pdf",
                    f"reading its structure needs more than {_PDF_READ_BUDGET} bytes",
                    f"读取其结构需要超过 {_PDF_READ_BUDGET} 字节",
                ) from None
            except LimitReachedError as exc:
                raise _too_complex(
                    shown, "pdf", _summary(exc), f"超出 PDF 解析的资源限制：{_summary(exc)}"
                ) from exc
            except DependencyError:  # only the AES decryption paths need an extra package
                raise encrypted from None
            except RecursionError:
                raise _too_complex(shown, "pdf", "objects nested too deeply", "对象嵌套过深") from None
            except Exception as exc:
                if strict and len(attempts) > 1:
                    warnings.clear()
                    continue
                complaint = _summary(exc)
                if warnings:
                    complaint += f"; {warnings[0]}"
                raise _corrupt(shown, "pdf", complaint) from exc
            finally:
                _PDF_DECODING.reset(decoding)
    if budget.exceeded or left[0] < 0:  # pragma: no cover - a parser that swallowed the refusal
        raise _too_complex(shown, "pdf", "reading its structure", "读取其结构")
    if pages < 1:
        raise MaterialRejected("no_pages", shown, "the PDF has no pages", "该 PDF 没有任何页面")
    return pages, active


# Dictionary keys that lead to actions: an annotation's or outline item's action, the
# additional actions of pages, fields and annotations, the actions chained after an action,
# the open action, and a field's kids.
_PDF_ACTION_KEYS = ("/A", "/AA", "/Next", "/OpenAction", "/Kids")


def _active_content(reader: Any, shown: str) -> tuple[str, ...]:
    """Which of ``javascript`` and ``launch`` the PDF carries where a viewer runs them: the
    document's JavaScript name tree and open action, the catalog's, pages', form fields' and
    annotations' (additional) actions and the actions they chain. At most
    ``_MAX_PDF_ACTION_NODES`` dictionaries are looked at; a PDF needing more is refused."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    found: set[str] = set()
    root = reader.root_object
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        found.add("javascript")
    todo: list[Any] = [root.get("/OpenAction"), root.get("/AA")]
    form = root.get("/AcroForm")
    form = form.get_object() if form is not None else None
    if isinstance(form, DictionaryObject):
        todo.append(form.get("/Fields"))
    for page in reader.pages:
        todo.append(page.get("/AA"))
        todo.append(page.get("/Annots"))
    seen: set[int] = set()
    visited = 0
    while todo:
        item = todo.pop()
        if item is None:
            continue
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        visited += 1
        if visited > _MAX_PDF_ACTION_NODES:
            raise _too_complex(
                shown,
                "pdf",
                f"more than {_MAX_PDF_ACTION_NODES} annotations, fields and actions",
                f"注释、表单域与动作超过 {_MAX_PDF_ACTION_NODES} 个",
            )
        if isinstance(item, ArrayObject):
            todo.extend(item)
        elif isinstance(item, DictionaryObject):
            kind = item.get("/S")
            if kind == "/JavaScript" or "/JS" in item:
                found.add("javascript")
            elif kind == "/Launch":
                found.add("launch")
            for key in _PDF_ACTION_KEYS:
                value = item.get(key)
                if key == "/AA" and value is not None:
                    value = value.get_object()
                    if isinstance(value, DictionaryObject):
                        todo.extend(value.values())
                        continue
                todo.append(value)
    return tuple(sorted(found))


_WML_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Main-part content types of Word packages that are not plain documents.
_WORD_VARIANTS: Mapping[str, str] = {
    "application/vnd.ms-word.document.macroEnabled.main+xml": "docm",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "dotx",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "dotm",
}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SML_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
# Main-part content types of Excel packages that are not plain workbooks.
_EXCEL_VARIANTS: Mapping[str, str] = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "xltm",
}
_X = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_LONG_TAG = re.compile(rb"<[^<>]{%d}" % (_MAX_XML_TAG,))
_PROLOG_ROOT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<\?.*?\?>\s*|<!--.*?-->\s*)*<([A-Za-z_][^\s/>]*)", re.DOTALL
)


class _Zip:
    """Reads the members of a ZIP archive checking every claim its headers make.

    Each member's data is found through its local header, inflated with ``zlib`` in small
    steps and counted: it must end exactly where the compressed size says, unpack to exactly
    the declared size with the declared CRC-32, and no two members may share bytes. What
    all members really unpack to is capped at ``max_bytes``.
    """

    def __init__(self, stream: IO[bytes], size: int, shown: str, max_bytes: int, fmt: str = "docx") -> None:
        self.stream = stream
        self.size = size
        self.shown = shown
        self.max_bytes = max_bytes
        self.fmt = fmt  # how a refusal names the package
        self.unpacked = 0

    def data_range(self, info: zipfile.ZipInfo) -> tuple[int, int]:
        self.stream.seek(info.header_offset)
        local = self.stream.read(30)
        if len(local) < 30 or local[:4] != b"PK\x03\x04":
            raise _corrupt(self.shown, self.fmt, f"no local header for part {info.filename!r}")
        name_length, extra_length = struct.unpack_from("<HH", local, 26)
        start = info.header_offset + 30 + name_length + extra_length
        end = start + info.compress_size
        if end > self.size:
            raise _inconsistent(
                self.shown,
                self.fmt,
                f"part {info.filename!r} claims {info.compress_size} compressed bytes "
                "past the end of the file",
                f"部件 {info.filename!r} 声明的压缩数据超出文件末尾",
            )
        return start, end

    def chunks(self, info: zipfile.ZipInfo, start: int, end: int) -> Iterator[bytes]:
        """The member's real content, in pieces of at most ``_CHUNK_OUT`` bytes."""
        shown, name = self.shown, info.filename
        if info.flag_bits & 0x1:
            raise _encrypted_office(shown)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _corrupt(shown, self.fmt, f"part {name!r} uses compression method {info.compress_type}")
        if start == end and info.file_size == 0 and info.CRC == 0:
            return  # an empty part written with no compressed data at all
        inflate = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        crc = 0
        produced = 0
        pos = start
        while pos < end or (inflate is not None and inflate.unconsumed_tail):
            if inflate is None:
                self.stream.seek(pos)
                piece = self.stream.read(min(_CHUNK_OUT, end - pos))
                pos += len(piece)
                if not piece:
                    break
            else:
                if inflate.unconsumed_tail:
                    source = inflate.unconsumed_tail
                else:
                    self.stream.seek(pos)
                    source = self.stream.read(min(_CHUNK_IN, end - pos))
                    pos += len(source)
                    if not source:
                        break
                try:
                    piece = inflate.decompress(source, _CHUNK_OUT)
                except zlib.error as exc:
                    raise _corrupt(shown, self.fmt, f"part {name!r}: {exc}") from exc
                if inflate.eof and (inflate.unused_data or pos < end):
                    raise _inconsistent(
                        shown,
                        self.fmt,
                        f"part {name!r} ends before the {info.compress_size} compressed bytes "
                        "its header declares",
                        f"部件 {name!r} 的压缩数据短于文件头声明的 {info.compress_size} 字节",
                    )
            produced += len(piece)
            self.unpacked += len(piece)
            if produced > info.file_size:
                raise _inconsistent(
                    shown,
                    self.fmt,
                    f"part {name!r} unpacks to more than the {info.file_size} bytes its header declares",
                    f"部件 {name!r} 解压后超过文件头声明的 {info.file_size} 字节",
                )
            if self.unpacked > self.max_bytes:
                raise _unpacks_too_large(shown, self.unpacked, self.max_bytes)
            crc = zlib.crc32(piece, crc)
            if piece:
                yield piece
            if inflate is not None and inflate.eof:
                break
        if inflate is not None and not inflate.eof:
            raise _corrupt(shown, self.fmt, f"part {name!r} is cut short")
        if produced != info.file_size:
            raise _inconsistent(
                shown,
                self.fmt,
                f"part {name!r} unpacks to {produced} bytes, not the {info.file_size} its header declares",
                f"部件 {name!r} 解压后为 {produced} 字节，与文件头声明的 {info.file_size} 字节不符",
            )
        if crc != info.CRC:
            raise _corrupt(shown, self.fmt, f"part {name!r} fails its CRC-32 check")


def _unpacks_too_large(shown: str, unpacked: int, max_bytes: int) -> MaterialRejected:
    return MaterialRejected(
        "too_large",
        shown,
        f"the document unpacks to more than {max_bytes} bytes (the limit): at least {unpacked}",
        f"该文档解压后超过上限 {max_bytes} 字节（至少 {unpacked} 字节）",
        {"unpacked": unpacked, "max_bytes": max_bytes},
    )


class _XmlScan:
    """Checks one XML part as it streams by, in bounded memory.

    lxml (libxml2) parses it with no DTD, no entity expansion and no network, at most 256
    levels deep; a document type declaration is refused, so is any tag longer than
    ``_MAX_XML_TAG`` bytes (before libxml2 buffers it). Finished elements are dropped from
    the tree as the parse goes on. ``wanted`` elements (by tag) have their attributes kept,
    up to ``_MAX_XML_WANTED``; ``child`` is a tag looked for among the root's children.
    Namespace declarations are counted (``namespaces``): libxml2 keeps every one for the
    life of the tree, even those of dropped elements, so at most ``allowed`` are parsed.
    """

    def __init__(
        self,
        shown: str,
        part: str,
        wanted: tuple[str, ...] = (),
        child: str | None = None,
        allowed: int = _MAX_XML_NAMESPACES,
        fmt: str = "docx",
    ) -> None:
        self.shown = shown
        self.fmt = fmt  # how a refusal names the package
        self.part = part
        self.allowed = allowed
        self.namespaces = 0
        self.wanted = wanted
        self.child = child
        self.found_child = False
        self.root_tag: str | None = None
        self.items: list[tuple[str, dict[str, str]]] = []
        self._head = b""
        self._carry = b""
        self._parser: Any = None
        self._root: Any = None

    def feed(self, data: bytes) -> None:
        self._check_tags(data)
        if self._parser is None:
            self._head += data
            match = _PROLOG_ROOT.match(self._head)
            if match is None:
                if b"<!DOCTYPE" in self._head or b"<!doctype" in self._head:
                    raise _corrupt(self.shown, self.fmt, f"part {self.part!r} declares a DTD")
                if len(self._head) > _XML_PROLOG:
                    raise self._bad("no root element near the start")
                return
            local = match[1].split(b":")[-1].decode("utf-8", "replace")
            tags = [f"{{*}}{local}", *self.wanted]
            self._parser = _xml_parser(tags)
            data, self._head = self._head, b""
        try:
            self._parser.feed(data)
            self._events()
        except MaterialRejected:
            raise
        except Exception as exc:  # lxml's errors
            raise self._failed(exc) from exc

    def close(self) -> None:
        if self._parser is None:
            raise self._bad("no root element")
        try:
            self._parser.close()
            self._events()
        except MaterialRejected:
            raise
        except Exception as exc:  # lxml's errors
            raise self._failed(exc) from exc
        if self._root is not None and self.child is not None and not self.found_child:
            self.found_child = self._root.find(self.child) is not None

    def _events(self) -> None:
        for event, element in self._parser.read_events():
            if event == "start-ns":
                self.namespaces += 1
            elif self._root is None:
                self._root = element
                self.root_tag = element.tag
            elif element.tag in self.wanted and len(self.items) < _MAX_XML_WANTED:
                self.items.append((element.tag, dict(element.attrib)))
        if self.namespaces > self.allowed:
            raise _too_complex(
                self.shown,
                self.fmt,
                f"more than {_MAX_XML_NAMESPACES} XML namespace declarations (reached in part {self.part!r})",
                f"XML 命名空间声明超过 {_MAX_XML_NAMESPACES} 个（见部件 {self.part!r}）",
            )
        root = self._root
        if root is None:
            return
        if self.child is not None and not self.found_child:
            self.found_child = root.find(self.child) is not None
        node = root
        while len(node):  # drop finished subtrees: keep only the path being parsed
            if len(node) > 1:
                del node[:-1]
            node = node[-1]

    def _check_tags(self, data: bytes) -> None:
        window = self._carry + data
        if _LONG_TAG.search(window):
            raise _too_complex(
                self.shown,
                self.fmt,
                f"a tag longer than {_MAX_XML_TAG} bytes in part {self.part!r}",
                f"部件 {self.part!r} 中有超过 {_MAX_XML_TAG} 字节的标签",
            )
        last = window.rfind(b"<")
        self._carry = window[last:] if last >= 0 and window.find(b">", last) < 0 else b""

    def _failed(self, exc: Exception) -> MaterialRejected:
        if "depth" in str(exc).lower():
            return _too_complex(
                self.shown,
                self.fmt,
                f"XML nested more than 256 levels deep in part {self.part!r}",
                f"部件 {self.part!r} 的 XML 嵌套超过 256 层",
            )
        return _corrupt(self.shown, self.fmt, f"{_summary(exc)} (in part {self.part!r})")

    def _bad(self, what: str) -> MaterialRejected:
        return _corrupt(self.shown, self.fmt, f"part {self.part!r} is not XML: {what}")


def _xml_parser(tags: list[str]) -> Any:
    try:
        from lxml import etree
    except ImportError:
        raise MissingDependency("lxml", "lxml") from None

    return etree.XMLPullParser(
        events=("start", "start-ns"),  # the tag filter applies to elements only
        tag=tags,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


class _Package:
    """The parts of an Office Open XML package (a .docx or .xlsx), each read at most once in
    bounded memory: at most ``_MAX_ZIP_ENTRIES`` parts, declaring and really unpacking to at
    most ``max_bytes`` in all, no two sharing bytes; their XML streamed through
    :class:`_XmlScan`, ``_MAX_XML_BYTES`` of it in all."""

    def __init__(
        self,
        stream: IO[bytes],
        shown: str,
        size: int,
        max_bytes: int,
        members: list[zipfile.ZipInfo],
        fmt: str,
    ) -> None:
        self.shown, self.fmt = shown, fmt
        if len(members) > _MAX_ZIP_ENTRIES:
            raise _too_complex(
                shown,
                fmt,
                f"{len(members)} parts, more than {_MAX_ZIP_ENTRIES}",
                f"部件 {len(members)} 个，超过 {_MAX_ZIP_ENTRIES} 个",
            )
        declared = sum(m.file_size for m in members)
        if declared > max_bytes:
            raise _unpacks_too_large(shown, declared, max_bytes)
        self.members = members
        self.by_name: dict[str, zipfile.ZipInfo] = {}
        for info in members:
            if info.filename in self.by_name:
                raise _inconsistent(
                    shown, fmt, f"two parts named {info.filename!r}", f"两个部件同名 {info.filename!r}"
                )
            self.by_name[info.filename] = info
        self.reader = _Zip(stream, size, shown, max_bytes, fmt)
        ranges = sorted((*self.reader.data_range(info), info.filename) for info in members)
        for (_, end, name), (start, _, other) in itertools.pairwise(ranges):
            if start < end:
                raise _inconsistent(
                    shown,
                    fmt,
                    f"parts {name!r} and {other!r} share bytes",
                    f"部件 {name!r} 与 {other!r} 共用数据",
                )
        self.spans = {name: (start, end) for start, end, name in ranges}
        self.xml_total = 0
        self.namespaces = 0  # declared in the parts scanned so far
        self.done: set[str] = set()

    def scan(
        self, name: str, wanted: tuple[str, ...] = (), child: str | None = None, cap: int = 0
    ) -> _XmlScan:
        """Stream the XML part ``name`` (at most ``cap`` bytes of XML so far, when given)."""
        shown = self.shown
        info = self.by_name.get(name)
        if info is None:
            raise _corrupt(shown, self.fmt, f"no part {name!r}")
        check = _XmlScan(shown, name, wanted, child, _MAX_XML_NAMESPACES - self.namespaces, self.fmt)
        for piece in self.reader.chunks(info, *self.spans[name]):
            self.xml_total += len(piece)
            if self.xml_total > _MAX_XML_BYTES or (cap and self.xml_total > cap):
                limit = cap or _MAX_XML_BYTES
                raise _too_complex(
                    shown,
                    self.fmt,
                    f"more than {limit} bytes of XML" + (f" in part {name!r}" if cap else ""),
                    f"XML 超过 {limit} 字节",
                )
            for at in range(0, len(piece), _XML_FEED):  # prune the tree every 256 KiB
                check.feed(piece[at : at + _XML_FEED])
        check.close()
        self.namespaces += check.namespaces
        self.done.add(name)
        return check

    def main_part(self) -> tuple[str, str, dict[str, str]]:
        """The main part named by ``_rels/.rels``, its content type, and the overrides of
        ``[Content_Types].xml`` (part name → content type)."""
        types = self.scan("[Content_Types].xml", (f"{_CT}Override", f"{_CT}Default"), cap=_MAX_XML_SMALL)
        overrides = {
            a.get("PartName", "").lstrip("/"): a.get("ContentType", "")
            for _, a in types.items
            if "PartName" in a
        }
        defaults = {
            a.get("Extension", "").lower(): a.get("ContentType", "")
            for _, a in types.items
            if "Extension" in a
        }
        rels = self.scan("_rels/.rels", (f"{_RELS}Relationship",), cap=_MAX_XML_SMALL * 2)
        targets = [a.get("Target", "") for _, a in rels.items if a.get("Type") == _OFFICE_DOCUMENT]
        default = {"xlsx": "xl/workbook.xml"}.get(self.fmt, "word/document.xml")
        main = targets[0].lstrip("/") if targets else default
        content_type = overrides.get(main) or defaults.get(main.rpartition(".")[2].lower(), "")
        return main, content_type, overrides

    def refuse_variant(self, content_type: str, variants: Mapping[str, str]) -> None:
        """Refuse a package whose main part makes it a variant (macros, template) of ``fmt``."""
        if content_type in variants:
            fmt = variants[content_type]
            what_en, what_zh = _name(fmt)
            expected_en, expected_zh = _name(self.fmt)
            raise MaterialRejected(
                "format_not_allowed",
                self.shown,
                f"the content is {what_en}, not {expected_en}",
                f"文件内容是{what_zh}，不是{expected_zh}",
                {"detected": fmt, "allowed": (self.fmt,)},
            )

    def check_rest(self, overrides: Mapping[str, str]) -> None:
        """Read every part not read yet: its XML streamed, any other part unpacked."""
        for info in self.members:
            if info.filename in self.done or info.is_dir():
                continue
            if info.filename.endswith((".xml", ".rels")) or overrides.get(info.filename, "").endswith("xml"):
                self.scan(info.filename)
            else:
                for _ in self.reader.chunks(info, *self.spans[info.filename]):
                    pass


def _check_docx(
    stream: IO[bytes], shown: str, size: int, max_bytes: int, members: list[zipfile.ZipInfo]
) -> None:
    """Read every part of a .docx once, in bounded memory, checking what Word would need.

    The package must name a Word document as its main part (``_rels/.rels`` and
    ``[Content_Types].xml``), every XML part must be well-formed, the main part must be a
    ``w:document`` with a ``w:body``, and every part must unpack to what its headers claim.
    """
    package = _Package(stream, shown, size, max_bytes, members, "docx")
    main, content_type, overrides = package.main_part()
    package.refuse_variant(content_type, _WORD_VARIANTS)
    if content_type != _WML_MAIN:
        raise _corrupt(
            shown, "docx", f"not a Word document: its main part {main!r} has content type {content_type!r}"
        )
    document = package.scan(main, child=f"{_W}body")
    if document.root_tag != f"{_W}document" or not document.found_child:
        raise _corrupt(
            shown, "docx", f"the main part {main!r} is not a Word document body (w:document/w:body)"
        )
    package.check_rest(overrides)


def _check_xlsx(
    stream: IO[bytes], shown: str, size: int, max_bytes: int, members: list[zipfile.ZipInfo]
) -> int:
    """Check an Excel workbook and return its number of worksheets.

    First as a package, like a .docx (:class:`_Package`: every part unpacked once and
    counted, every XML part streamed with no DTD): its main part must be an ``x:workbook``
    listing ``x:sheets``. Only then is it opened with ``openpyxl`` (read-only, through a
    read budget), at most ``_MAX_XLSX_SHEETS`` sheets and ``_MAX_XLSX_ROWS`` rows and
    ``_MAX_XLSX_CELLS`` cells read in all.
    """
    package = _Package(stream, shown, size, max_bytes, members, "xlsx")
    main, content_type, overrides = package.main_part()
    package.refuse_variant(content_type, _EXCEL_VARIANTS)
    if content_type != _SML_MAIN:
        raise _corrupt(
            shown, "xlsx", f"not an Excel workbook: its main part {main!r} has content type {content_type!r}"
        )
    workbook = package.scan(main, (f"{_X}sheet",), child=f"{_X}sheets")
    if workbook.root_tag != f"{_X}workbook" or not workbook.found_child:
        raise _corrupt(
            shown, "xlsx", f"the main part {main!r} is not an Excel workbook (x:workbook/x:sheets)"
        )
    sheets = len(workbook.items)
    if sheets > _MAX_XLSX_SHEETS:
        raise _too_complex(
            shown,
            "xlsx",
            f"{sheets} sheets, more than {_MAX_XLSX_SHEETS}",
            f"工作表 {sheets} 个，超过 {_MAX_XLSX_SHEETS} 个",
        )
    package.check_rest(overrides)
    return _read_workbook(stream, shown, size)


def _read_workbook(stream: IO[bytes], shown: str, size: int) -> int:
    """Open a workbook already checked as a package with openpyxl and read its rows, within
    bounds; the number of its worksheets."""
    try:
        import openpyxl
    except ImportError:
        raise MissingDependency("openpyxl", "openpyxl") from None
    budget = _Budget(stream, size, 4 * size + (1 << 20))
    rows = cells = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it skips
            book = openpyxl.load_workbook(budget, read_only=True, data_only=True, keep_links=False)
            try:
                worksheets = book.worksheets
                for sheet in worksheets:
                    sheet.reset_dimensions()  # never trust the <dimension> a sheet declares
                    for row in sheet.iter_rows(values_only=True):
                        rows += 1
                        cells += len(row)
                        if rows > _MAX_XLSX_ROWS or cells > _MAX_XLSX_CELLS:
                            raise _too_complex(
                                shown,
                                "xlsx",
                                f"more than {_MAX_XLSX_ROWS} rows or {_MAX_XLSX_CELLS} cells",
                                f"行数超过 {_MAX_XLSX_ROWS} 或单元格超过 {_MAX_XLSX_CELLS} 个",
                            )
            finally:
                book.close()
    except _OverBudget:
        raise _too_complex(
            shown, "xlsx", f"reading more than {budget.limit} bytes", f"读取超过 {budget.limit} 字节"
        ) from None
    except MaterialRejected:
        raise
    except Exception as exc:  # openpyxl's errors, whatever they are
        raise _corrupt(shown, "xlsx", exc) from exc
    if not worksheets:
        raise _corrupt(shown, "xlsx", "the workbook has no worksheet")
    return len(worksheets)


class _BoxWalk:
    """Walks ISO-BMFF boxes one at a time, counting them all: no list of boxes is built, and
    the walk stops at ``_MAX_BOXES`` boxes in the whole file."""

    def __init__(self, stream: IO[bytes], shown: str) -> None:
        self.stream = stream
        self.shown = shown
        self.count = 0

    def boxes(self, start: int, end: int, top: bool = False) -> Iterator[tuple[bytes, int, int]]:
        """The boxes between ``start`` and ``end``: (type, payload start, box end).

        Every box must lie wholly inside its parent, which is how a truncated file shows.
        """
        stream, shown = self.stream, self.shown
        pos = start
        while pos < end:
            self.count += 1
            if self.count > _MAX_BOXES:
                raise _too_complex(
                    shown, "mp4", f"more than {_MAX_BOXES} boxes", f"box（数据盒）超过 {_MAX_BOXES} 个"
                )
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
            elif size == 0 and top:
                size = end - pos  # the last top-level box may run to the end of the file
            if size < header:
                raise _corrupt(
                    shown, "mp4", f"box {_box_name(box_type)} at offset {pos} has invalid size {size}"
                )
            if pos + size > end:
                raise _corrupt(
                    shown,
                    "mp4",
                    f"box {_box_name(box_type)} at offset {pos} needs {size} bytes but only "
                    f"{end - pos} remain: the file is truncated",
                )
            yield box_type, pos + header, pos + size
            pos += size

    def find(self, start: int, end: int, wanted: bytes) -> tuple[int, int] | None:
        """The first child box of type ``wanted`` (its payload), walking no further."""
        for box_type, payload, box_end in self.boxes(start, end):
            if box_type == wanted:
                return payload, box_end
        return None

    def payload(self, box: tuple[int, int], what: str) -> bytes:
        start, end = box
        if end - start > _MAX_MP4_TABLE:
            raise _too_complex(
                self.shown,
                "mp4",
                f"a {what} table of {end - start} bytes, more than {_MAX_MP4_TABLE}",
                f"{what} 表 {end - start} 字节，超过 {_MAX_MP4_TABLE} 字节",
            )
        self.stream.seek(start)
        return self.stream.read(end - start)


def _box_name(box_type: bytes) -> str:
    return repr(box_type.decode("latin-1"))


def _uint32s(data: bytes, shown: str, what: str) -> array.array[int]:
    if len(data) % 4:
        raise _corrupt(shown, "mp4", f"the {what} table is cut short")
    values = array.array("I", data)
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _table(walk: _BoxWalk, stbl: tuple[int, int], box: bytes, width: int, head: int = 0) -> tuple[int, bytes]:
    """A sample table's entry count and its entries (``width`` bytes each, after ``head``
    further bytes of fields), or (0, b"") when the table is absent."""
    found = walk.find(*stbl, box)
    if found is None:
        return 0, b""
    data = walk.payload(found, box.decode("latin-1"))
    if len(data) < 8 + head:
        raise _corrupt(walk.shown, "mp4", f"the {box.decode('latin-1')} table is cut short")
    (count,) = struct.unpack_from(">I", data, 4 + head)
    entries = data[8 + head :]
    if count > len(entries) // max(width, 1):
        raise _inconsistent(
            walk.shown,
            "mp4",
            f"the {box.decode('latin-1')} table claims {count} entries but holds {len(entries) // width}",
            f"{box.decode('latin-1')} 表声称有 {count} 项，实际只有 {len(entries) // width} 项",
        )
    return count, entries[: count * width]


def _track_seconds(
    walk: _BoxWalk, mdia: tuple[int, int], mdats: list[tuple[int, int]], seen: int
) -> tuple[float, int]:
    """How long a video track lasts by its samples (the sum of its ``stts`` sample deltas over
    its ``mdhd`` timescale), and how many samples it has. Every sample must have a size and
    lie inside a media data box, sharing no byte with another; ``seen`` samples of other
    video tracks were checked before, and all of them together may number at most
    ``_MAX_SAMPLES``."""
    shown = walk.shown
    mdhd = walk.find(*mdia, b"mdhd")
    if mdhd is None:
        raise _corrupt(shown, "mp4", "a video track without a media header (mdhd)")
    header = walk.payload(mdhd, "mdhd")
    if header[:1] == b"\x01" and len(header) >= 32:
        timescale, declared = struct.unpack_from(">IQ", header, 20)
    elif len(header) >= 20:
        timescale, declared = struct.unpack_from(">II", header, 12)
    else:
        raise _corrupt(shown, "mp4", "the media header (mdhd) is cut short")
    if timescale == 0:
        raise _corrupt(shown, "mp4", "the video track's timescale is 0")
    minf = walk.find(*mdia, b"minf")
    stbl = walk.find(*minf, b"stbl") if minf is not None else None
    if stbl is None:
        raise _corrupt(shown, "mp4", "a video track without a sample table (stbl)")
    _, stts = _table(walk, stbl, b"stts", 8)
    pairs = _uint32s(stts, shown, "stts")
    counts, deltas = pairs[0::2], pairs[1::2]
    samples = sum(counts)
    units = sum(map(operator.mul, counts, deltas))
    if samples == 0:
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track's header claims {declared / timescale:.1f} s but it lists no samples",
            f"视频轨道头声称时长 {declared / timescale:.1f} 秒，但没有任何帧（sample）",
        )
    if seen + samples > _MAX_SAMPLES:
        raise _too_complex(
            shown,
            "mp4",
            f"{seen + samples} video samples in all its video tracks, more than {_MAX_SAMPLES}",
            f"各视频轨道的帧合计超过 {_MAX_SAMPLES} 个",
        )
    sizes = _sample_sizes(walk, stbl, samples)
    _check_chunks(walk, stbl, sizes, mdats)
    seconds: float = units / timescale
    if declared and abs(declared / timescale - seconds) > max(1.0, seconds * 0.02):
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track's header claims {declared / timescale:.1f} s "
            f"but its samples last {seconds:.1f} s",
            f"视频轨道头声称时长 {declared / timescale:.1f} 秒，但各帧合计只有 {seconds:.1f} 秒",
        )
    return seconds, samples


def _sample_sizes(walk: _BoxWalk, stbl: tuple[int, int], samples: int) -> Sequence[int]:
    shown = walk.shown
    found = walk.find(*stbl, b"stsz")
    if found is None:
        raise _corrupt(shown, "mp4", "a video track without a sample size table (stsz)")
    data = walk.payload(found, "stsz")
    if len(data) < 12:
        raise _corrupt(shown, "mp4", "the stsz table is cut short")
    uniform, count = struct.unpack_from(">II", data, 4)
    if count != samples:
        raise _inconsistent(
            shown,
            "mp4",
            f"the video track times {samples} samples but sizes {count}",
            f"视频轨道的时间表有 {samples} 帧，大小表却有 {count} 帧",
        )
    if uniform:
        return array.array("Q", [uniform]) * samples
    if len(data) - 12 < 4 * samples:
        raise _corrupt(shown, "mp4", "the stsz table is cut short")
    sizes = _uint32s(data[12 : 12 + 4 * samples], shown, "stsz")
    if min(sizes) == 0:
        raise _inconsistent(shown, "mp4", "a video sample of 0 bytes", "视频中有 0 字节的帧")
    return sizes


def _check_chunks(
    walk: _BoxWalk, stbl: tuple[int, int], sizes: Sequence[int], mdats: list[tuple[int, int]]
) -> None:
    """Every chunk of samples (``stsc`` runs over ``stco``/``co64`` offsets) must lie inside a
    media data box, no two chunks may share a byte, and the chunks must hold exactly the
    samples the track lists.

    The work is done a table at a time (``array``, ``map``, ``itertools``), never a Python
    step per chunk: the sample-to-chunk runs are checked and their sample total compared
    with the track's before any per-chunk table is built.
    """
    shown = walk.shown
    chunks, offsets_data = _table(walk, stbl, b"stco", 4)
    offsets: array.array[int]
    if chunks:
        offsets = _uint32s(offsets_data, shown, "stco")
    else:
        chunks, offsets_data = _table(walk, stbl, b"co64", 8)
        offsets = array.array("Q", offsets_data)
        if sys.byteorder == "little":
            offsets.byteswap()
    del offsets_data
    if not chunks:
        raise _inconsistent(shown, "mp4", "the video track has no chunk offsets", "视频轨道没有数据块偏移表")
    if chunks > len(sizes):
        raise _inconsistent(
            shown,
            "mp4",
            f"{chunks} chunks for {len(sizes)} samples",
            f"{chunks} 个数据块却只有 {len(sizes)} 帧",
        )
    runs, stsc = _table(walk, stbl, b"stsc", 12)
    if runs == 0:
        raise _inconsistent(
            shown, "mp4", "the video track has no sample-to-chunk table", "视频轨道没有帧到数据块的映射表"
        )
    table = _uint32s(stsc, shown, "stsc")
    firsts, per_chunk = table[0::3], table[1::3]
    del table
    if (
        firsts[0] != 1
        or firsts[-1] > chunks
        or min(per_chunk) < 1
        or not all(map(operator.lt, firsts, itertools.islice(firsts, 1, None)))
    ):
        raise _inconsistent(
            shown, "mp4", "the sample-to-chunk table is out of order", "帧到数据块的映射表顺序错误"
        )
    # How many chunks each run covers, and so how many samples the chunks hold in all.
    lengths = array.array("Q", map(operator.sub, itertools.islice(firsts, 1, None), firsts))
    lengths.append(chunks + 1 - firsts[-1])
    taken = sum(map(operator.mul, lengths, per_chunk))
    if taken != len(sizes):
        raise _inconsistent(
            shown,
            "mp4",
            f"the chunks hold {taken} samples, the track lists {len(sizes)}",
            f"数据块中共 {taken} 帧，轨道却列出 {len(sizes)} 帧",
        )
    # The samples each chunk holds, then the bytes before each chunk's first sample.
    held = itertools.chain.from_iterable(map(itertools.repeat, per_chunk, lengths))
    before = array.array("Q", itertools.accumulate(sizes, initial=0))
    at, after = itertools.tee(map(before.__getitem__, itertools.accumulate(held, initial=0)))
    next(after)
    ends = array.array("Q", map(operator.add, offsets, map(operator.sub, after, at)))
    del before, at, after
    # Inside a media data box: the box starting at or before the chunk must hold its end.
    # (A sentinel box before the file's first byte catches a chunk before every box.)
    starts = [-1, *(start for start, _ in mdats)]
    limits = [-1, -1, *(end for _, end in mdats)]
    box = functools.partial(bisect.bisect_right, starts)
    if not all(map(operator.le, ends, map(limits.__getitem__, map(box, offsets)))):
        box_end = map(limits.__getitem__, map(box, offsets))
        bad = next(itertools.compress(range(chunks), map(operator.gt, ends, box_end)))
        offset, length = offsets[bad], ends[bad] - offsets[bad]
        raise _inconsistent(
            shown,
            "mp4",
            f"video samples at offset {offset} ({length} bytes) lie outside the media data",
            f"偏移 {offset} 处的视频帧（{length} 字节）不在媒体数据（mdat）之内",
        )
    # No byte shared: in the order of their offsets, each chunk ends before the next starts.
    if not all(map(operator.le, offsets, itertools.islice(offsets, 1, None))):
        order = sorted(range(chunks), key=offsets.__getitem__)
        offsets = array.array(offsets.typecode, map(offsets.__getitem__, order))
        ends = array.array("Q", map(ends.__getitem__, order))
        del order
    if not all(map(operator.le, ends, itertools.islice(offsets, 1, None))):
        bad = next(
            itertools.compress(range(chunks), map(operator.gt, ends, itertools.islice(offsets, 1, None)))
        )
        raise _inconsistent(
            shown,
            "mp4",
            f"video samples at offset {offsets[bad]} ({ends[bad] - offsets[bad]} bytes) "
            f"overlap those at offset {offsets[bad + 1]}",
            f"偏移 {offsets[bad]} 处的视频帧（{ends[bad] - offsets[bad]} 字节）与偏移 {offsets[bad + 1]} "
            "处的视频帧共用数据",
        )


def _check_mp4(stream: IO[bytes], shown: str, size: int) -> float:
    """The video's duration, from its video tracks' sample tables (the longest track).

    The top-level boxes are walked and counted (never all listed); the movie box must hold
    at least one video track (``hdlr`` = ``vide``) whose samples are timed (``stts``), sized
    (``stsz``) and stored inside the media data (``stsc`` and ``stco``/``co64``). A header
    claiming a duration its samples do not back is refused; the movie header (``mvhd``)
    and any sound track do not count.
    """
    walk = _BoxWalk(stream, shown)
    moov: tuple[int, int] | None = None
    mdats: list[tuple[int, int]] = []
    for box_type, start, end in walk.boxes(0, size, top=True):
        if box_type == b"moov":
            if moov is not None:
                raise _inconsistent(shown, "mp4", "two movie boxes (moov)", "有两个 moov 数据盒")
            moov = (start, end)
        elif box_type == b"mdat" and end > start:
            mdats.append((start, end))
        elif box_type == b"moof":
            raise _fragmented(shown)
    if moov is None:
        raise _corrupt(shown, "mp4", "no movie header (moov)")
    if not mdats:
        raise _corrupt(shown, "mp4", "no media data (mdat)")
    durations: list[float] = []
    seen = 0  # samples of the video tracks checked so far
    for box_type, start, end in walk.boxes(*moov):
        if box_type == b"mvex":
            raise _fragmented(shown)
        if box_type != b"trak":
            continue
        mdia = walk.find(start, end, b"mdia")
        if mdia is None:
            continue
        hdlr = walk.find(*mdia, b"hdlr")
        if hdlr is None or hdlr[1] - hdlr[0] < 12:
            continue
        stream.seek(hdlr[0] + 8)  # version/flags, pre_defined, handler_type
        if stream.read(4) == b"vide":
            seconds, samples = _track_seconds(walk, mdia, mdats, seen)
            durations.append(seconds)
            seen += samples
    if not durations:
        raise MaterialRejected(
            "not_video",
            shown,
            "the MP4 file has no video track (sound only?)",
            "该 MP4 文件没有视频轨道（可能只有音频）",
        )
    length = max(durations)
    if not length > 0:
        raise _corrupt(shown, "mp4", "the video lasts 0 s")
    return length


def _fragmented(shown: str) -> MaterialRejected:
    what_en, what_zh = _name("fmp4")
    return MaterialRejected(
        "format_not_allowed",
        shown,
        f"the content is {what_en}; save it as a regular (not fragmented) MP4",
        f"文件内容是{what_zh}，请另存为普通（非分片）MP4",
        {"detected": "fmp4", "allowed": ("mp4",)},
    )


def _active(shown: str, active: tuple[str, ...]) -> MaterialRejected:
    names = {
        "javascript": ("JavaScript", "JavaScript 脚本"),
        "launch": ("a Launch action", "启动外部程序的动作"),
    }
    what_en = " and ".join(names[a][0] for a in active)
    what_zh = "和".join(names[a][1] for a in active)
    return MaterialRejected(
        "active_content",
        shown,
        f"the PDF carries {what_en}, which can act when it is opened; save or print it to a plain PDF",
        f"该 PDF 含有{what_zh}，打开时可能自动执行，请重新保存或打印为普通 PDF",
        {"active_content": active},
    )


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
