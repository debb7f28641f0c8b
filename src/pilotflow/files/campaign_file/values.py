"""The generic readers of a campaign file's values: each takes a value from the loaded
document and its key path, and returns it typed, or refuses it at that path.

Shapes (:meth:`~Values.mapping` with its allowed keys, :meth:`~Values.entries`,
:meth:`~Values.sequence`, :meth:`~Values.rules`), scalars (:meth:`~Values.string`,
:meth:`~Values.integer` within bounds, :meth:`~Values.number`, :meth:`~Values.boolean`,
:meth:`~Values.code`), names (:meth:`~Values.text`, :meth:`~Values.named_entries`), choices
among known values (:meth:`~Values.choice`, :meth:`~Values.choices`, :meth:`~Values.unique`)
and dates (:meth:`~Values.day`, :meth:`~Values.moment_year`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, NoReturn

from ...domain.campaign import Text
from .bounds import MAX_RULES, MOMENT_YEARS
from .messages import Refusals, describe, join, short, suggest

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
"""A date as a campaign file writes it: ``YYYY-MM-DD``."""

_LISTED = 30  # the most choices an error message lists


class Values(Refusals):
    """The generic readers; every refusal names the source and the key path."""

    # -- shapes -------------------------------------------------------------------------

    def wrong_type(self, path: str, expected_en: str, expected_zh: str, value: object) -> NoReturn:
        en, zh = describe(value)
        self.fail(
            path,
            f"expected {expected_en}, got {en} {short(value)}",
            f"应为{expected_zh}，实际为{zh} {short(value)}",
        )

    def mapping(
        self,
        value: object,
        path: str,
        required: Sequence[str] = (),
        optional: Sequence[str] = (),
    ) -> dict[str, Any]:
        """``value`` as a mapping with exactly the keys allowed: every unknown key is noted
        (with the closest allowed one) and reading goes on; a missing required key ends the
        item's reading."""
        if not isinstance(value, dict):
            self.wrong_type(path, "a mapping (key: value)", "映射（键: 值）", value)
        allowed = (*required, *optional)
        for key in value:
            if not isinstance(key, str):
                en, zh = describe(key)
                self.note(
                    join(path, key),
                    f"expected a string key, got {en} {short(key)}",
                    f"应为字符串键，实际为{zh} {short(key)}",
                )
            elif key not in allowed:
                hint_en, hint_zh = suggest(key, allowed)
                self.note(
                    join(path, key),
                    f"unknown key {short(key)}{hint_en}; allowed keys: {', '.join(allowed)}",
                    f"未知的键 {short(key)}{hint_zh}；允许的键：{'、'.join(allowed)}",
                )
        missing = [key for key in required if key not in value]
        for key in missing:
            self.note(
                path,
                f"missing required key {short(key)}",
                f"缺少必填的键 {short(key)}",
                breaks=join(path, key),
            )
        if missing:
            self.skip()
        return value

    def entries(self, value: object, path: str) -> dict[str, Any]:
        """A mapping from codes (non-empty strings) to entries."""
        if not isinstance(value, dict):
            self.wrong_type(path, "a mapping of codes to entries", "以代码为键的映射", value)
        for key in value:
            if not isinstance(key, str) or not key:
                self.wrong_type(join(path, key), "a code (a string)", "代码（字符串）", key)
        return value

    def named_entries(
        self, value: object, path: str, optional: Sequence[str] = ()
    ) -> dict[str, dict[str, Any]]:
        """Code → ``{en, zh, ...}`` entries, each checked for its keys (an entry with a
        problem is left out, its problem recorded)."""
        out: dict[str, dict[str, Any]] = {}
        for key, entry in self.entries(value, path).items():
            with self.collecting(join(path, key)):
                out[key] = self.mapping(entry, join(path, key), ("en", "zh"), optional)
        return out

    def named_texts(self, value: object, path: str) -> dict[str, Text]:
        """Code → ``{en, zh}`` entries read as names: every entry's keys are checked first,
        then each name (an entry with a problem is left out, its problem recorded)."""
        out: dict[str, Text] = {}
        for code, entry in self.named_entries(value, path).items():
            with self.collecting(join(path, code)):
                out[code] = self.text(entry, join(path, code))
        return out

    def sequence(self, value: object, path: str) -> list[Any]:
        if not isinstance(value, list):
            self.wrong_type(path, "a list", "列表", value)
        return value

    def rules(self, value: object, path: str) -> list[Any]:
        """A list of rules (``quotas``, ``hops``, ``reporting``): at most ``MAX_RULES``."""
        items = self.sequence(value, path)
        if len(items) > MAX_RULES:
            self.fail(
                path,
                f"more than {MAX_RULES} rules ({len(items)})",
                f"规则超过 {MAX_RULES} 条（共 {len(items)} 条）",
            )
        return items

    # -- scalars ------------------------------------------------------------------------

    def string(self, value: object, path: str) -> str:
        if not isinstance(value, str):
            self.wrong_type(path, "a string", "字符串", value)
        if not value.strip():
            self.fail(path, "must not be empty", "不能为空")
        return value

    def integer(self, value: object, path: str, bounds: tuple[int, int]) -> int:
        """An integer within ``bounds`` (both included); see :mod:`.bounds`."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type(path, "an integer", "整数", value)
        low, high = bounds
        if value < low:
            if low == 0:
                self.fail(path, f"must not be negative, got {value}", f"不能为负数，实际为 {value}")
            self.fail(path, f"must be at least {low}, got {value}", f"不能小于 {low}，实际为 {value}")
        if value > high:
            self.fail(path, f"must be at most {high}, got {value}", f"不能大于 {high}，实际为 {value}")
        return value

    def number(self, value: object, path: str, bounds: tuple[int, int]) -> float:
        """An integer or a decimal number within ``bounds`` (both included); the refusal names
        the key (the last part of ``path``)."""
        low, high = bounds
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            key = path.rsplit(".", 1)[-1]
            self.fail(
                path,
                f"{key} must be a number from {low} to {high}, got {short(value)}",
                f"{key} 必须是 {low} 到 {high} 之间的数值，实际为 {short(value)}",
            )
        return float(value)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.wrong_type(path, "true or false", "true 或 false", value)
        return value

    def code(self, value: object, path: str) -> str:
        """An authority code: a string, or an integer for GB2260 codes written unquoted."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return self.string(value, path)

    def text(self, entry: Mapping[str, Any], path: str) -> Text:
        """The name an entry gives in its ``en`` and ``zh`` keys."""
        return Text(
            en=self.string(entry["en"], join(path, "en")),
            zh=self.string(entry["zh"], join(path, "zh")),
        )

    # -- choices ------------------------------------------------------------------------

    def unique(self, values: Sequence[object], path: str, what_en: str, what_zh: str) -> None:
        seen: set[object] = set()
        for index, value in enumerate(values):
            if value in seen:
                self.fail(
                    f"{path}[{index}]",
                    f"duplicate {what_en} {short(value)}",
                    f"{what_zh} {short(value)} 重复",
                )
            seen.add(value)

    def choice(
        self,
        value: str,
        path: str,
        allowed: Collection[str],
        what_en: str,
        what_zh: str,
        where_en: str = "",
        where_zh: str = "",
        *,
        section: str = "",
    ) -> str:
        """``value`` if it is one of ``allowed``; the refusal lists them (a set sorted, any
        other collection in its own order) and suggests the closest. When ``allowed`` are the
        codes declared under the top-level key ``section`` and it had a problem, the item is
        skipped instead (see :meth:`~.messages.Refusals.skip_if_broken`)."""
        if value in allowed:
            return value
        self.skip_if_broken(section)
        options = sorted(allowed) if isinstance(allowed, (set, frozenset)) else list(allowed)
        hint_en, hint_zh = suggest(value, options)
        shown = options[:_LISTED]
        more_en = f", ... ({len(options)} in all)" if len(options) > _LISTED else ""
        more_zh = f"……（共 {len(options)} 个）" if len(options) > _LISTED else ""
        self.fail(
            path,
            f"unknown {what_en} {short(value)}{hint_en}{where_en}; known: {', '.join(shown)}{more_en}",
            f"未知的{what_zh} {short(value)}{hint_zh}{where_zh}；可选：{'、'.join(shown)}{more_zh}",
        )

    def choices(
        self,
        value: object,
        path: str,
        allowed: Collection[str],
        what_en: str,
        what_zh: str,
        where_en: str = "",
        where_zh: str = "",
        *,
        section: str = "",
    ) -> list[str]:
        """A list of strings, each one of ``allowed`` (see :meth:`choice`), none twice; in the
        order given."""
        chosen = [
            self.choice(
                self.string(item, f"{path}[{i}]"),
                f"{path}[{i}]",
                allowed,
                what_en,
                what_zh,
                where_en,
                where_zh,
                section=section,
            )
            for i, item in enumerate(self.sequence(value, path))
        ]
        self.unique(chosen, path, what_en, what_zh)
        return chosen

    # -- dates --------------------------------------------------------------------------

    def day(self, value: object, path: str) -> date:
        """A date written ``YYYY-MM-DD`` in a year of ``MOMENT_YEARS``."""
        text = self.string(value, path)
        try:
            if not DATE.match(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            self.fail(
                path,
                f"expected a date written YYYY-MM-DD, got {short(text)}",
                f"应为 YYYY-MM-DD 格式的日期，实际为 {short(text)}",
            )
        self.moment_year(day.year, text, path)
        return day

    def moment_year(self, year: int, text: str, path: str) -> None:
        """Refuse the moment ``text`` unless its ``year`` is one of ``MOMENT_YEARS``."""
        low, high = MOMENT_YEARS
        if not low <= year <= high:
            self.fail(
                path,
                f"the year of {short(text)} must be from {low} to {high}",
                f"{short(text)} 的年份必须在 {low} 至 {high} 年之间",
            )
