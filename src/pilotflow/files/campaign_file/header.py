"""The head of a campaign file: ``id``, ``timezone``, ``deadline_rule`` and the
``documents`` the rules cite (``title``, ``year`` and ``clock_tolerance_seconds`` are plain
values read by :class:`~.reader._Reader`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...domain.calendar import placeless, zone
from ...errors import InvalidInput
from .messages import join, short
from .scope import Scope

DEADLINE_RULES: Mapping[str, bool] = {"end_of_day": True, "start_of_day": False}
"""``deadline_rule`` values and whether the named day is still in time (inclusive)."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def campaign_id(r: Scope, value: object) -> str:
    """``id``: lower-case letters, digits, ``-`` and ``_``."""
    text = r.string(value, "id")
    if not _ID.match(text):
        r.fail(
            "id",
            f"campaign id {short(text)} must be lower-case letters, digits, '-' or '_'",
            f"遴选编号 {short(text)} 只能由小写字母、数字、'-' 和 '_' 组成",
        )
    return text


def timezone(r: Scope, value: object) -> str:
    """``timezone``: an IANA time zone name."""
    name = r.string(value, "timezone")
    try:
        zone(name)
    except InvalidInput:
        why = placeless(name)
        if why is not None:
            r.fail(
                "timezone",
                f"time zone {short(name)} names no place: {why[0]} "
                "(use an IANA name such as 'Asia/Shanghai')",
                f"时区 {short(name)} 不代表某一地区：{why[1]}（请使用 IANA 时区名，如 'Asia/Shanghai'）",
            )
        r.fail(
            "timezone",
            f"unknown time zone {short(name)} (use an IANA name such as 'Asia/Shanghai')",
            f"未知的时区 {short(name)}（请使用 IANA 时区名，如 'Asia/Shanghai'）",
        )
    return name


def deadline_inclusive(r: Scope, value: object) -> bool:
    """``deadline_rule``: whether a deadline given as a date still allows that day."""
    rule = r.string(value, "deadline_rule")
    return DEADLINE_RULES[r.choice(rule, "deadline_rule", DEADLINE_RULES, "deadline rule", "截止规则")]


def documents(r: Scope, value: object) -> frozenset[str]:
    """``documents``: the numbers of the documents listed, each given once."""
    numbers: list[str] = []
    for index, item in enumerate(r.sequence(value, "documents")):
        path = f"documents[{index}]"
        with r.collecting(path):
            entry = r.mapping(item, path, ("number",), ("date", "issuer", "title", "note"))
            numbers.append(r.string(entry["number"], join(path, "number")))
            for key in ("issuer", "title", "note"):
                if key in entry:
                    r.string(entry[key], join(path, key))
            if "date" in entry:
                r.day(entry["date"], join(path, "date"))
    r.unique(numbers, "documents", "document number", "文件编号")
    return frozenset(numbers)
