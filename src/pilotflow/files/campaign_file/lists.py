"""Lists of units: ``screening_lists`` (who may not be nominated), ``priority_lists`` (who is
ranked first) and ``ranking`` (which priority lists count, in order)."""

from __future__ import annotations

from collections.abc import Mapping

from ...domain.campaign import Ranking, Text
from .messages import join
from .scope import INFO, Scope


def listed(r: Scope, value: object, path: str) -> dict[str, Text]:
    """``screening_lists`` or ``priority_lists``: list id → name (with ``source`` and
    ``note``)."""
    out: dict[str, Text] = {}
    for code, entry in r.named_entries(value, path, INFO).items():
        entry_path = join(path, code)
        r.info(entry, entry_path)
        out[code] = r.text(entry, entry_path)
    return out


def ranking(r: Scope, value: object, declared: Mapping[str, Text]) -> Ranking:
    """``ranking``: the priority lists (of those ``declared``) that rank units first."""
    entry = r.mapping(value, "ranking", (), ("priority_lists",))
    ids = r.choices(
        entry.get("priority_lists", []),
        "ranking.priority_lists",
        declared,
        "priority list",
        "优先推荐名单",
        " (declare it under priority_lists)",
        "（请在 priority_lists 中声明）",
    )
    return Ranking(priority_lists=tuple(ids))
