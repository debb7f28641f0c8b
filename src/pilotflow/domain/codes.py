"""Unified social credit codes (统一社会信用代码, GB 32100-2015): the identity of a unit.

The layout is checked here, not by python-stdnum's ``stdnum.cn.uscc.validate``, because stdnum
requires digits in characters 1-2, which GB 32100-2015 allows to be letters (``Y1`` other
registration bodies, ``N2`` village collectives...). The check character is computed here
too, in one C-level integer parse (``_check_digit``; a unit code is checked on every
``nominate``), and the tests hold it equal to stdnum's ``calc_check_digit`` for every code
they draw; :func:`make_code` uses stdnum. What is wrong is said in English and Chinese
(:func:`code_problem`); errors are a :class:`~pilotflow.errors.InvalidUnitCode` naming the
field.

>>> validate_unit_code("91350100M000100Y43")
'91350100M000100Y43'
>>> make_code("91371000", "MA3C5CJX")
'91371000MA3C5CJX07'
>>> check_code("91371000MA3C5CJX08")
'check character is 8, expected 7'
>>> code_problem("91371000MA3C5CJX08")[1]
'校验码为 8，应为 7'
"""

from __future__ import annotations

import re

from stdnum.cn import uscc

from ..errors import InvalidUnitCode, shown

__all__ = ["check_code", "code_problem", "make_code", "validate_unit_code"]

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_SHAPE = re.compile(r"[0-9A-HJ-NP-RTUWXY]{2}[0-9]{6}[0-9A-HJ-NP-RTUWXY]{10}")


# The weights are 3**i mod 31 (1, 3, 9, 27, 19, ...). Written as digits of base 34 (which is
# 3 mod 31), the 17 values read as one integer equal to the weighted sum mod 31: so the
# characters are mapped to their values as base-34 digits, reversed (the first character
# weighs 1) and parsed by int(), all in C.
_AS_DIGIT = bytes.maketrans(_ALPHABET.encode(), b"0123456789ABCDEFGHIJKLMNOPQRSTU")  # value i -> digit i
assert all(pow(3, i, 31) == w for i, w in enumerate(_WEIGHTS))


def _check_digit(first17: str) -> str:
    """GB 32100-2015 check character of 17 characters of ``_ALPHABET`` (as stdnum computes it)."""
    return _ALPHABET[-int(first17.encode().translate(_AS_DIGIT)[::-1], 34) % 31]


def check_code(code: object) -> str | None:
    """Return None if ``code`` is a valid unified social credit code, else what is wrong."""
    if type(code) is str and _SHAPE.fullmatch(code) and code[17] == _check_digit(code[:17]):
        return None  # the common case, in one regex match and one sum
    problem = code_problem(code)
    return None if problem is None else problem[0]


def code_problem(code: object) -> tuple[str, str] | None:
    """What is wrong with ``code`` as a unified social credit code, in English and Chinese;
    None if nothing is."""
    if not isinstance(code, str):
        kind = type(code).__name__
        return f"expected a string, got {kind}", f"应为文本，实际为 {kind} 类型"
    if code != code.strip().upper() or " " in code or "-" in code:
        return (
            "must be written in 18 upper-case characters without spaces",
            "应为 18 位大写字符，不含空格或连字符",
        )
    if len(code) != 18:
        return f"must have 18 characters, has {len(code)}", f"应为 18 位，实为 {len(code)} 位"
    if not (code[2:8].isascii() and code[2:8].isdigit()) or any(
        c not in _ALPHABET for c in code[:2] + code[8:]
    ):
        return (
            "characters 3-8 must be digits (the division code) and the others from "
            "0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z)",
            "第 3-8 位应为数字（行政区划码），其余各位只能是 0-9 及除 I、O、S、V、Z 以外的大写字母",
        )
    expected = _check_digit(code[:17])
    if code[-1] != expected:
        return f"check character is {code[-1]}, expected {expected}", f"校验码为 {code[-1]}，应为 {expected}"
    return None


def validate_unit_code(code: object, where: str = "unit_code") -> str:
    """Return ``code`` if valid; raise :class:`InvalidUnitCode` saying what is wrong."""
    if check_code(code) is not None:
        en, zh = code_problem(code) or ("", "")
        raise InvalidUnitCode(
            f"{where}: {shown(code)} is not a valid unified social credit code: {en}",
            f"{where}：{shown(code)} 不是有效的统一社会信用代码（{zh}）",
        )
    assert isinstance(code, str)
    return code


def make_code(prefix: str, body: str) -> str:
    """A valid code from its first 8 digits and 9 more characters but the last (test data)."""
    if not isinstance(prefix, str) or not isinstance(body, str):
        raise InvalidUnitCode(
            f"cannot build a code from {shown(prefix)} + {shown(body)}: both must be text",
            f"无法由 {shown(prefix)} + {shown(body)} 生成统一社会信用代码：两部分都应为文本",
        )
    first = prefix + body
    if not (len(prefix) == 8 and prefix.isdigit() and 8 <= len(body) <= 9) or any(
        c not in _ALPHABET for c in first
    ):
        raise InvalidUnitCode(
            f"cannot build a code from {shown(prefix)} + {shown(body)}",
            f"无法由 {shown(prefix)} + {shown(body)} 生成统一社会信用代码",
        )
    first17 = (first + "0")[:17] if len(body) == 8 else first
    return first17 + str(uscc.calc_check_digit(first17 + "0"))
