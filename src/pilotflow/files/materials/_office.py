"""Checking Office Open XML packages (.docx, .xlsx): every ZIP part unpacked once and checked
against its headers, its XML streamed through ``lxml``, a workbook then read with
``openpyxl`` (both imported when such a file is checked)."""

from __future__ import annotations

import itertools
import re
import struct
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from typing import IO, Any

from ...errors import MaterialRejected, MissingDependency
from .._xml import HARDENED
from ._open import _Budget, _OverBudget
from ._shared import (
    _CHUNK_IN,
    _CHUNK_OUT,
    _MAX_XLSX_CELLS,
    _MAX_XLSX_ROWS,
    _MAX_XLSX_SHEETS,
    _MAX_XML_BYTES,
    _MAX_XML_NAMESPACES,
    _MAX_XML_SMALL,
    _MAX_XML_TAG,
    _MAX_XML_WANTED,
    _MAX_ZIP_ENTRIES,
    _XML_FEED,
    _XML_PROLOG,
    _corrupt,
    _encrypted_office,
    _inconsistent,
    _name,
    _summary,
    _too_complex,
)

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
        **HARDENED,
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
