"""Compact, key-sorted JSON text for the stores, through CPython's C encoder when it has one.

Speed: one C encoder built once, not one per call as ``json.JSONEncoder.encode`` builds it.

It is CPython's private ``json.encoder.c_make_encoder``, so it is used only when present;
otherwise (another Python, a build without ``_json``) the standard encoder gives the same
text. ``benchmarks/README.md`` ("SQL stores", "What moved SQLite") lists it among what took
SQLite's single stamp from 0.07 to 0.61 of the raw-driver floor.
"""

from __future__ import annotations

import json
import json.encoder as json_encoder
from collections.abc import Callable
from typing import Any

__all__ = ["compact_dumps"]


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
