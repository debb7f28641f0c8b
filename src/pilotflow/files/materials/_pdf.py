"""Checking a PDF with ``pypdf`` (imported when a PDF is checked): its pages, within read and
decode budgets, and the active content it carries."""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, cast

from ...errors import MaterialRejected, MissingDependency
from ._open import _Budget, _OverBudget
from ._shared import (
    _MAX_PDF_ACTION_NODES,
    _MAX_PDF_OBJECTS,
    _MAX_PDF_PAGES,
    _PDF_DECODE_BUDGET,
    _PDF_MAX_STREAM,
    _PDF_READ_BUDGET,
    _PDF_RECOVERY_MAX,
    _PDF_TAIL,
    _corrupt,
    _summary,
    _too_complex,
)


class _OverDecodeBudget(_OverBudget):
    """pypdf asked to decode more stream data, in all, than an inspection lets it hold."""


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
