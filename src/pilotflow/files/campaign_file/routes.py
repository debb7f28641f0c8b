"""The rules of the routes: ``reporting`` (which authority a sender reports to, where the
authority graph does not say) and ``hops`` (what a step from a sender to a receiver requires:
its deadline and materials)."""

from __future__ import annotations

from ...domain.campaign import HopRule, ReportingRule
from .deadlines import deadline
from .materials import requirements
from .messages import join, short
from .scope import INFO, Scope


def reporting_rules(r: Scope, value: object) -> tuple[ReportingRule, ...]:
    """``reporting``: at most ``MAX_RULES`` rules."""
    out: list[ReportingRule] = []
    for index, item in enumerate(r.rules(value, "reporting")):
        with r.collecting(f"reporting[{index}]"):
            out.append(_reporting(r, item, f"reporting[{index}]"))
    return tuple(out)


def _reporting(r: Scope, value: object, path: str) -> ReportingRule:
    entry = r.mapping(value, path, ("sender", "to"), INFO)
    r.info(entry, path)
    sender = r.selector(entry["sender"], join(path, "sender"))
    to = r.authority(entry["to"], join(path, "to"))
    level = r.graph[to].level
    if level not in r.levels:
        r.skip_if_broken("levels")
        r.fail(
            join(path, "to"),
            f"authority {short(to)} is at level {short(level)}, which this campaign does not use",
            f"机关 {short(to)} 所在层级 {short(level)} 不在本次遴选的层级中",
        )
    return ReportingRule(sender=sender, to=to)


def hop_rules(r: Scope, value: object) -> tuple[HopRule, ...]:
    """``hops``: at most ``MAX_RULES`` rules, their names unique."""
    out: list[HopRule] = []
    for index, item in enumerate(r.rules(value, "hops")):
        path = f"hops[{index}]"
        with r.collecting(path):
            entry = r.mapping(
                item,
                path,
                ("name", "sender", "receiver"),
                ("deadline", "materials", "re_review_materials", *INFO),
            )
            source = r.info(entry, path)
            closes, closes_text = deadline(r, entry.get("deadline"), join(path, "deadline"))
            re_review = requirements(
                r, entry.get("re_review_materials", []), join(path, "re_review_materials")
            )
            rule = HopRule(
                name=r.string(entry["name"], join(path, "name")),
                sender=r.selector(entry["sender"], join(path, "sender")),
                receiver=r.selector(entry["receiver"], join(path, "receiver")),
                deadline=closes,
                deadline_text=closes_text,
                materials=requirements(r, entry.get("materials", []), join(path, "materials")),
                re_review_materials=re_review,
                source=source,
            )
            r.hop_paths[id(rule)] = path  # for the route check's refusal
            out.append(rule)
    r.unique([rule.name for rule in out], "hops", "hop rule name", "报送规则名称")
    return tuple(out)
