"""``quotas``: how many units of each type (and in all) the authorities a rule selects may
recommend; with per-authority rows, caps per group across authorities, exemptions and soft
caps (see docs/campaign-format.md, "Quotas as notices write them")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.campaign import QuotaRule
from .bounds import QUOTAS
from .messages import join, short
from .scope import INFO, Scope

_OPTIONAL = ("limits", "total", "per_authority", "group", "exempt", "soft", *INFO)

#: The longest list id a group rule may name: a group's seat counter is kept under the key
#: ``group:<list>:<group>`` in a 50-character column.
MAX_GROUP_LIST = 20


def quota_rules(r: Scope, value: object) -> tuple[QuotaRule, ...]:
    """``quotas``: at most ``MAX_RULES`` rules, their names unique; every limit within
    ``QUOTAS``."""
    out: list[QuotaRule] = []
    for index, item in enumerate(r.rules(value, "quotas")):
        path = f"quotas[{index}]"
        with r.collecting(path):
            entry = r.mapping(item, path, ("name", "recommender"), _OPTIONAL)
            r.info(entry, path)
            name = r.string(entry["name"], join(path, "name"))
            recommender = r.selector(entry["recommender"], join(path, "recommender"))
            limits = _limits(r, entry.get("limits", {}), join(path, "limits"))
            total = entry.get("total")
            if total is not None:
                total = r.integer(total, join(path, "total"), QUOTAS)
            rows = _rows(r, entry.get("per_authority", {}), join(path, "per_authority"))
            group = _group(r, entry.get("group"), join(path, "group"))
            exempt = _exempt(r, entry.get("exempt"), join(path, "exempt"))
            exceed_by = _soft(r, entry.get("soft"), join(path, "soft"))
            out.append(QuotaRule(name, recommender, limits, total, rows, group, exempt, exceed_by))
    r.unique([rule.name for rule in out], "quotas", "quota rule name", "名额规则名称")
    return tuple(out)


def _limits(r: Scope, value: object, path: str, allow_total: bool = False) -> dict[str, int]:
    """``{unit type: cap}`` (a row of ``per_authority`` may also give ``total``, kept as "*")."""
    limits: dict[str, int] = {}
    for unit_type, limit in r.entries(value, path).items():
        key_path = join(path, unit_type)
        if allow_total and unit_type == "total":
            limits["*"] = r.integer(limit, key_path, QUOTAS)
            continue
        r.unit_type(unit_type, key_path)
        limits[unit_type] = r.integer(limit, key_path, QUOTAS)
    return limits


def _rows(r: Scope, value: object, path: str) -> dict[str, Mapping[str, int]]:
    """``per_authority``: ``{authority code: {unit type: cap, total: cap}}``, codes of the graph."""
    rows: dict[str, Mapping[str, int]] = {}
    for code, row in r.entries(value, path).items():
        key_path = join(path, code)
        rows[r.authority(code, key_path)] = _limits(r, row, key_path, allow_total=True)
    return rows


def _tag_list(r: Scope, value: object, path: str) -> str:
    """A list id the campaign declares (``lists``, or the older ``screening_lists`` and
    ``priority_lists``)."""
    list_id = r.string(value, path)
    declared: frozenset[str] = getattr(r, "list_ids", frozenset())
    if list_id not in declared:
        r.fail(
            path,
            f"list {short(list_id)} is not declared (declare it under lists, kind: tag)",
            f"名单 {short(list_id)} 未声明（请在 lists 中声明，kind: tag）",
        )
    return list_id


def _group(r: Scope, value: object, path: str) -> str | None:
    """``group: {list: <tag list>}``: caps per group of the list's units."""
    if value is None:
        return None
    entry = r.mapping(value, path, ("list",), ())
    list_id = _tag_list(r, entry["list"], join(path, "list"))
    if len(list_id) > MAX_GROUP_LIST:
        r.fail(
            join(path, "list"),
            f"a group list's id has at most {MAX_GROUP_LIST} characters",
            f"分组名单的标识最多 {MAX_GROUP_LIST} 个字符",
        )
    return list_id


def _exempt(r: Scope, value: object, path: str) -> frozenset[str]:
    """``exempt: {lists: [...]}``: units on these lists take no seat of the rule."""
    if value is None:
        return frozenset()
    entry = r.mapping(value, path, ("lists",), ())
    lists_path = join(path, "lists")
    ids = [
        _tag_list(r, item, f"{lists_path}[{i}]")
        for i, item in enumerate(r.sequence(entry["lists"], lists_path))
    ]
    r.unique(ids, lists_path, "list id", "名单标识")
    return frozenset(ids)


def _soft(r: Scope, value: object, path: str) -> frozenset[str]:
    """``soft: {exceed_by: [department, ...]}``: who may exceed the cap, with a reason."""
    if value is None:
        return frozenset()
    entry: Mapping[str, Any] = r.mapping(value, path, ("exceed_by",), ())
    by_path = join(path, "exceed_by")
    departments: Mapping[str, Any] = getattr(r, "departments", {})
    found = r.choices(entry["exceed_by"], by_path, departments, "department", "部门")
    if not found:
        r.fail(by_path, "name at least one department", "请至少列出一个部门")
    return frozenset(found)
