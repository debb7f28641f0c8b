"""``quotas``: how many units of each type (and in all) the authorities a rule selects may
recommend."""

from __future__ import annotations

from ...domain.campaign import QuotaRule
from .bounds import QUOTAS
from .messages import join
from .scope import INFO, Scope


def quota_rules(r: Scope, value: object) -> tuple[QuotaRule, ...]:
    """``quotas``: at most ``MAX_RULES`` rules, their names unique; every limit within
    ``QUOTAS``."""
    out: list[QuotaRule] = []
    for index, item in enumerate(r.rules(value, "quotas")):
        path = f"quotas[{index}]"
        with r.collecting(path):
            entry = r.mapping(item, path, ("name", "recommender"), ("limits", "total", *INFO))
            r.info(entry, path)
            name = r.string(entry["name"], join(path, "name"))
            recommender = r.selector(entry["recommender"], join(path, "recommender"))
            limits: dict[str, int] = {}
            limits_path = join(path, "limits")
            for unit_type, limit in r.entries(entry.get("limits", {}), limits_path).items():
                key_path = join(limits_path, unit_type)
                r.unit_type(unit_type, key_path)
                limits[unit_type] = r.integer(limit, key_path, QUOTAS)
            total = entry.get("total")
            if total is not None:
                total = r.integer(total, join(path, "total"), QUOTAS)
            out.append(QuotaRule(name, recommender, limits, total))
    r.unique([rule.name for rule in out], "quotas", "quota rule name", "名额规则名称")
    return tuple(out)
