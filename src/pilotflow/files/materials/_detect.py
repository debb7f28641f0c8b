"""Recognising a material's real format from its bytes (never its name), and checking its name
against that format and what the material type takes."""

from __future__ import annotations

import functools
import os
import struct
import zipfile
from collections.abc import Mapping
from typing import IO, Any

from ...domain.campaign import MaterialType
from ...errors import MaterialRejected, MissingDependency
from ._open import _Budget, _OverBudget
from ._shared import (
    _MAX_ZIP_DIRECTORY,
    CHECKED_FORMATS,
    _corrupt,
    _encrypted_office,
    _inconsistent,
    _name,
    _too_complex,
)

# The file name extensions each checked format may carry (compared case-insensitively).
_EXTENSIONS: Mapping[str, tuple[str, ...]] = {
    "pdf": (".pdf",),
    "docx": (".docx",),
    "doc": (".doc",),
    "mp4": (".mp4",),
    "xlsx": (".xlsx",),
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
