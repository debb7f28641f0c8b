"""Checks of what a caller sends: the one rule for text, and sequences of things.

**Text** (names, reasons, opinions, keys, ids).
Every store keeps exactly what another would: a text is accepted only if it is a string of
Unicode characters that UTF-8 can encode (no lone surrogates), holds no control characters
(NUL, escape sequences...; a multi-line text may hold tabs and line breaks) and no invisible
format characters (a zero-width space, a byte order mark, tag characters...), has at least one
visible character (not only spaces or zero-width characters), and is no longer than its
field's limit. Leading and trailing white space is removed. A text that breaks the rule is
refused with :class:`~pilotflow.errors.InvalidInput` naming the field.

>>> check_text("  威海某养老科技有限公司 ", "unit_name", NAME)
'威海某养老科技有限公司'
>>> try:
...     check_text("\\u200b\\u200b", "unit_name", NAME)
... except InvalidInput as error:
...     print(error.zh)
unit_name 不能为空（仅含空白或不可见字符）
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Set
from typing import Any

from ..errors import InvalidInput, shown

__all__ = [
    "BIDI_AND_SEPARATORS",
    "KEY",
    "LONG_TEXT",
    "NAME",
    "SHORT",
    "check_flag",
    "check_ids",
    "check_number",
    "check_sequence",
    "check_text",
    "escaped",
    "wrong_argument",
]

#: Length limits, in characters (documented in docs/architecture.md, "Text").
SHORT = 50  # codes: an actor's authority and department
NAME = 200  # names: a unit, a person, an objector; idempotency keys; ids
KEY = 200
LONG_TEXT = 4000  # free text: a reason, an opinion, an objection's grounds and evidence

_LINE_BREAKS = frozenset("\t\n\r\u2028\u2029")

#: Characters that reorder or break the text around them when shown (bidirectional marks,
#: embeddings, overrides and isolates; the Unicode line and paragraph separators), as the
#: body of a regular-expression class: refused in one-line text, made visible on a terminal.
BIDI_AND_SEPARATORS = "\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
_REORDERING = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MARKS = frozenset({"Mn", "Me", "Mc"})

#: Format characters that show nothing in any script and change no letter beside them: the
#: zero-width space, the byte order mark, the word joiner and the invisible operators, the soft
#: hyphen, the deprecated format characters, the interlinear annotation marks; with the tag
#: characters (U+E0000 to U+E007F, below), they only make two texts look alike or carry text no
#: reader sees. (The joiners U+200C and U+200D and the Mongolian vowel separator shape the
#: letters of Mongolian, Uyghur and other scripts: kept.)
_INVISIBLE_FORMAT = frozenset("\u00ad\u200b\u2060\u2061\u2062\u2063\u2064\u206a\u206b\u206c\u206d\u206e\u206f"
                              "\ufeff\ufff9\ufffa\ufffb")  # fmt: skip

# What text a user controls is never shown as: control characters (C0, DEL, C1) but the line
# characters, lone surrogates (no UTF-8 terminal or file can take one) and BIDI_AND_SEPARATORS.
_HIDDEN = f"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{BIDI_AND_SEPARATORS}"
_ESCAPED = {True: re.compile(f"[{_HIDDEN}]"), False: re.compile(f"[\t\n\r{_HIDDEN}]")}
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escaped(text: str, *, keep_lines: bool = False) -> str:
    """``text`` with every control character (C0, DEL, C1), lone surrogate and character of
    :data:`BIDI_AND_SEPARATORS` written as a visible escape (``\\x1b``, ``\\ud800``,
    ``\\u202e``), so that text a user controls can never move a terminal's cursor, recolour
    or reorder what follows it, nor make an SVG or a UTF-8 file invalid. Tabs and line breaks
    (``\\t``, ``\\n``, ``\\r``) are escaped too, unless ``keep_lines`` (a multi-line text).

    >>> print(escaped("清屏\\x1b[2J\\ud800\\n"))
    清屏\\x1b[2J\\ud800\\n
    >>> print(escaped("第一行\\n第二行\\u202e", keep_lines=True))
    第一行
    第二行\\u202e
    """
    if not isinstance(text, str):
        raise wrong_argument("text", "a string", "文本（字符串）", text)
    check_flag("keep_lines", keep_lines)
    pattern = _ESCAPED[keep_lines]
    return pattern.sub(_escape, text) if pattern.search(text) else text


def _escape(match: re.Match[str]) -> str:
    c = match[0]
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def check_text(
    value: object, what: str, longest: int, *, multiline: bool = False, zh: str | None = None
) -> str:
    """``value`` stripped, if it obeys the text rule; else :class:`InvalidInput` naming ``what``
    (``zh``: its name in Chinese, when the field's code is no name for a reader)."""
    if type(value) is str and len(value) <= longest and value.isprintable():
        # Printable text holds no control, format or separator character but the ASCII
        # space: once stripped, it is visible unless it starts with a combining mark.
        stripped = value.strip()
        if stripped and stripped[0] not in _BLANKS and unicodedata.category(stripped[0]) not in _MARKS:
            return stripped
    name_zh = zh or what
    if not isinstance(value, str):
        raise InvalidInput(
            f"{what} must be a string, got {type(value).__name__}",
            f"{name_zh} 必须是文本（字符串），收到的是 {type(value).__name__}",
        )
    if len(value) > longest:
        raise InvalidInput(
            f"{what} has {len(value)} characters; at most {longest} are allowed",
            f"{name_zh} 长度为 {len(value)} 个字符，最多允许 {longest} 个",
        )
    hidden = -1  # (the first invisible format character: refused once the text is not blank)
    if not value.isprintable():  # the common case (printable text) costs one C call
        hidden = _check_characters(value, what, multiline, name_zh)
    stripped = value.strip()
    if not stripped or not any(_visible(c) for c in stripped):
        raise InvalidInput(
            f"{what} must contain a visible character, got only white space or invisible characters",
            f"{name_zh} 不能为空（仅含空白或不可见字符）",
        )
    if hidden >= 0:
        raise InvalidInput(
            f"{what} holds an invisible format character (U+{ord(value[hidden]):04X}) at position "
            f"{hidden}: it shows nothing and would make two texts look alike",
            f"{name_zh} 第 {hidden + 1} 个字符是不可见的格式字符（U+{ord(value[hidden]):04X}），"
            "会使两段文字看似相同，不允许",
        )
    return stripped


def _check_characters(value: str, what: str, multiline: bool, name_zh: str) -> int:
    """Refuse the first character no text may hold; return the position of the first
    invisible format character (-1: none)."""
    hidden = -1
    for i, c in enumerate(value):
        category = unicodedata.category(c)
        if category == "Cs":
            raise InvalidInput(
                f"{what} holds a lone surrogate (U+{ord(c):04X}) at position {i}: not valid Unicode text",
                f"{name_zh} 第 {i + 1} 个字符不是有效的 Unicode 字符（孤立代理项 U+{ord(c):04X}）",
            )
        if c in _REORDERING:
            raise InvalidInput(
                f"{what} holds a bidirectional formatting character (U+{ord(c):04X}) at position {i}",
                f"{name_zh} 第 {i + 1} 个字符是双向文本控制字符（U+{ord(c):04X}），不允许",
            )
        if hidden < 0 and (c in _INVISIBLE_FORMAT or 0xE0000 <= ord(c) <= 0xE007F):
            hidden = i
        if category in ("Cc", "Zl", "Zp") and not (multiline and c in _LINE_BREAKS):
            raise InvalidInput(
                f"{what} holds a control character (U+{ord(c):04X}) at position {i}",
                f"{name_zh} 第 {i + 1} 个字符是控制字符（U+{ord(c):04X}），不允许",
            )
        if category == "Cn" and _noncharacter(ord(c)):
            raise InvalidInput(
                f"{what} holds a Unicode noncharacter (U+{ord(c):04X}) at position {i}: "
                "no text may hold it (nor can a document pilotflow writes)",
                f"{name_zh} 第 {i + 1} 个字符是 Unicode 非字符（U+{ord(c):04X}），不允许",
            )
    return hidden


def _noncharacter(code: int) -> bool:
    """One of Unicode's 66 noncharacters (U+FDD0 to U+FDEF, and the last two code points of
    every plane): never meant for text interchange; U+FFFE and U+FFFF are no characters of
    XML either, so of the letters' documents."""
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def _visible(c: str) -> bool:
    return not c.isspace() and c not in _BLANKS and unicodedata.category(c) not in _INVISIBLE


# Letters and symbols that print as nothing: Hangul fillers, the blank Braille pattern.
_BLANKS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


_INVISIBLE = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me", "Mc"})


#: At most this many items in one sequence argument (ids to order, winners to register...).
MAX_ITEMS = 100_000


def check_sequence(value: object, what: str, longest: int = MAX_ITEMS) -> tuple[Any, ...]:
    """``value`` as a tuple, if it is a finite sequence of items in an order (a list, a tuple,
    a generator...): not a string, bytes, a mapping or a set, and at most ``longest`` items."""
    if type(value) is tuple or type(value) is list:  # the common case: its length is known
        if len(value) > longest:
            raise InvalidInput(f"{what} has more than {longest} items", f"{what} 超过 {longest} 项，过多")
        return tuple(value)
    if isinstance(value, (str, bytes, bytearray, Mapping, Set)) or not isinstance(value, Iterable):
        raise InvalidInput(
            f"{what} must be a list (a sequence), got {type(value).__name__}",
            f"{what} 必须是列表（序列），收到的是 {type(value).__name__}",
        )
    out = []
    for item in value:
        out.append(item)
        if len(out) > longest:
            raise InvalidInput(f"{what} has more than {longest} items", f"{what} 超过 {longest} 项，过多")
    return tuple(out)


def check_ids(value: object, what: str) -> tuple[str, ...]:
    """A sequence of distinct nomination ids (each a text of the id rule)."""
    ids = tuple(check_text(i, f"{what} item", NAME) for i in check_sequence(value, what))
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"{what} names a nomination twice", f"{what} 中有重复的申报")
    return ids


def check_number(
    name: str, value: object, low: float, high: float, *, whole: bool = False, zh: str | None = None
) -> None:
    """Refuse anything but a number from ``low`` to ``high`` (a bool is not a number here; NaN
    is in no range); ``whole``: only an ``int``. ``zh``: the argument's name in Chinese, when
    its code is no name for a reader.

    >>> try:
    ...     check_number("score", 101, 0, 100)
    ... except InvalidInput as error:
    ...     print(error.en)
    score must be a number from 0 to 100, got 101
    """
    kinds = int if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        what = ("a whole number", "整数") if whole else ("a number", "数值")
        raise InvalidInput(
            f"{name} must be {what[0]} from {low} to {high}, got {shown(value)}",
            f"{zh or name} 必须是 {low} 到 {high} 之间的{what[1]}，收到 {shown(value)}",
        )


def check_choice(what: str, value: object, allowed: Iterable[str], zh: str | None = None) -> str:
    """``value``, if it is one of the texts ``allowed``; else :class:`InvalidInput` naming the
    argument (``zh``: its name in Chinese) and every choice.

    >>> check_choice("rounding", "ceil", ("floor", "ceil"))
    'ceil'
    """
    if not isinstance(value, str) or value not in allowed:
        names = ", ".join(repr(a) for a in allowed)
        raise InvalidInput(
            f"{what} must be one of {names}, got {shown(value)}",
            f"{zh or what} 应为 {names} 之一，收到 {shown(value)}",
        )
    return value


def check_flag(name: str, value: object) -> None:
    """Refuse anything but True or False for a yes/no argument."""
    if not isinstance(value, bool):
        raise InvalidInput(
            f"{name} must be True or False, got {shown(value)}", f"{name} 参数必须是 True 或 False"
        )


def wrong_argument(argument: str, expected_en: str, expected_zh: str, value: object) -> InvalidInput:
    """The error for an argument of the wrong type: it names the argument and the type given."""
    kind = type(value).__name__
    return InvalidInput(
        f"{argument} must be {expected_en}, got {kind}",
        f"参数 {argument} 应为{expected_zh}，实际为 {kind} 类型",
    )
