"""Lists of units: ``lists`` (each with its kind, ``bar``, ``admit``, ``rank_first`` or
``tag``, and its scope), and the older ``screening_lists`` (who may not be nominated),
``priority_lists`` (who is ranked first) and ``ranking`` (which priority lists count, in
order)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...domain.campaign import LIST_KINDS, ListRule, Ranking
from .messages import join, short
from .scope import INFO, Scope


def listed(r: Scope, value: object, path: str, kind: str) -> dict[str, ListRule]:
    """``screening_lists`` (``kind`` bar) or ``priority_lists`` (rank_first): list id → name
    (with ``source`` and ``note``), for every track, unit type and authority."""
    out: dict[str, ListRule] = {}
    for code, entry in r.named_entries(value, path, INFO).items():
        entry_path = join(path, code)
        source = r.info(entry, entry_path)
        out[code] = ListRule(code, r.text(entry, entry_path), kind, source=source)
    return out


def ranking(r: Scope, value: object, declared: Mapping[str, ListRule]) -> Ranking:
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


LIST_KEYS = ("kind", "tracks", "unit_types", "levels", "within", *INFO)
"""The keys of a ``lists`` entry besides its ``en`` and ``zh`` names."""


def unit_lists(
    r: Scope,
    value: object,
    tracks: Sequence[str],
    screening: Mapping[str, ListRule],
    priority: Mapping[str, ListRule],
) -> dict[str, ListRule]:
    """``lists``: list id → kind and scope; the older ``screening_lists`` (bar every
    nomination) and ``priority_lists`` (rank first) join them, unscoped."""
    out = dict(screening)
    for k, rule in priority.items():
        if k in out:
            r.fail(
                join("priority_lists", k),
                f"list {short(k)} is declared twice (also under screening_lists)",
                f"名单 {short(k)} 重复声明（screening_lists 中已有）",
            )
        out[k] = rule
    for code, entry in r.named_entries(value, "lists", LIST_KEYS).items():
        path = join("lists", code)
        if code in out:
            r.fail(
                path,
                f"list {short(code)} is declared twice (also under screening_lists or priority_lists)",
                f"名单 {short(code)} 重复声明（screening_lists 或 priority_lists 中已有）",
            )
        if "kind" not in entry:
            r.fail(
                join(path, "kind"),
                f"a list needs a kind ({', '.join(LIST_KINDS)})",
                f"名单必须注明类别 kind（{'、'.join(LIST_KINDS)}）",
            )
        kind_path = join(path, "kind")
        out[code] = ListRule(
            id=code,
            name=r.text(entry, path),
            kind=r.choice(r.string(entry["kind"], kind_path), kind_path, LIST_KINDS, "list kind", "名单类别"),
            tracks=frozenset(
                r.choices(
                    entry.get("tracks", []),
                    join(path, "tracks"),
                    tracks,
                    "track",
                    "申报类别",
                    " (declare it under tracks)",
                    "（请在 tracks 中声明）",
                )
            ),
            unit_types=r.unit_type_codes(entry.get("unit_types", []), join(path, "unit_types")),
            levels=r.level_codes(entry.get("levels", []), join(path, "levels")),
            within=r.authorities(entry.get("within", []), join(path, "within")),
            source=r.info(entry, path),
        )
    return out
