"""Compact, key-sorted JSON text for the stores, through CPython's C encoder when it has one,
and read back through its C scanner.

Speed: one C encoder built once, not one per call as ``json.JSONEncoder.encode`` builds it;
``benchmarks/README.md`` ("SQL stores", "What moved SQLite") lists it among what took SQLite's
single stamp from 0.07 to 0.61 of the raw-driver floor. Reading, the C scanner is called
directly: ``json.loads`` adds three Python frames and two regular-expression matches (for
whitespace the stores never write) to every text, a tenth of ``replay()`` over a national log.

Both are CPython's private ``json.encoder.c_make_encoder`` and ``json.scanner.c_make_scanner``,
so they are used only when present; otherwise (another Python, a build without ``_json``) the
standard library gives the same text and the same values.
"""

from __future__ import annotations

import json
import json.encoder as json_encoder
import json.scanner as json_scanner
from collections.abc import Callable
from typing import Any

__all__ = ["compact_dumps", "scanning_loads"]


def _unencodable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def compact_dumps(*, c_encoder: bool = True) -> Callable[[Any], str]:
    """A function giving ``json.dumps(value, ensure_ascii=False, separators=(",", ":"),
    sort_keys=True)``: CPython's C encoder made once with those options, or (``c_encoder``
    False, or no C encoder) the standard library's encoder."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    make: Any = getattr(json_encoder, "c_make_encoder", None) if c_encoder else None
    text: Any = getattr(json_encoder, "c_encode_basestring", None)
    if make is None or text is None:
        return encoder.encode
    # No circular-reference check (markers None): what is stored is plain data pilotflow built.
    fast: Any = make(None, _unencodable, text, None, ":", ",", True, False, True)
    slow = encoder.encode

    def dumps(value: Any) -> str:
        """Compact, key-sorted JSON, non-ASCII as is (the same text as ``json.dumps(value,
        ensure_ascii=False, separators=(",", ":"), sort_keys=True)``)."""
        if isinstance(value, str):
            return slow(value)
        return "".join(fast(value, 0))

    return dumps


def scanning_loads(*, c_scanner: bool = True) -> Callable[[Any], Any]:
    """A function giving ``json.loads(text)``: for a ``str`` holding one JSON value and nothing
    else, CPython's C scanner made once and called directly; for anything else (whitespace
    around the value, a text that is no JSON, bytes) ``json.loads`` itself, which gives the
    same value or raises the same error. ``c_scanner`` False, or no C scanner: ``json.loads``."""
    make: Any = getattr(json_scanner, "c_make_scanner", None) if c_scanner else None
    slow = json.loads
    if make is None:
        return slow
    scan: Any = make(json.JSONDecoder())

    def loads(text: Any) -> Any:
        """``json.loads(text)``, the C scanner called directly where it gives the same."""
        if type(text) is not str:
            return slow(text)
        try:
            value, end = scan(text, 0)
        except StopIteration:  # (no JSON value at the first character: json.loads says why)
            return slow(text)
        if end != len(text):  # (something after the value)
            return slow(text)
        return value

    return loads
