"""The rules of the routes: ``reporting`` (which authority a sender reports to, where the
authority graph does not say) and ``hops`` (what a step from a sender to a receiver requires:
its deadline and materials)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.authorities import level_named
from ...domain.campaign import EntryRule, HopRule, ReportingRule, UnitCondition
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


_UNIT_KEYS = ("scenarios", "unit_types", "lists")
"""The keys of a rule that say which units it is for (see :func:`unit_condition`)."""


def unit_condition(r: Scope, entry: Mapping[str, Any], path: str) -> UnitCondition:
    """Which units a rule is for: its ``scenarios``, ``unit_types`` and ``lists`` (the unit is
    on one of them), each a list of codes the file declares."""
    scenarios = r.choices(
        entry.get("scenarios", []), join(path, "scenarios"), r.scenarios, "scenario", "应用场景",
        " (declare it under scenarios)", "（请在 scenarios 中声明）",
    )  # fmt: skip
    unit_types = r.unit_type_codes(entry.get("unit_types", []), join(path, "unit_types"))
    lists = r.choices(
        entry.get("lists", []), join(path, "lists"), r.list_ids, "list", "名单",
        " (declare it with the campaign's lists)", "（请先声明该名单）",
    )  # fmt: skip
    return UnitCondition(frozenset(scenarios), unit_types, frozenset(lists))


def entry_rules(r: Scope, value: object) -> tuple[EntryRule, ...]:
    """``entry``: where else than at the first level the nominations of some units start."""
    out = []
    for index, item in enumerate(r.rules(value, "entry")):
        path = f"entry[{index}]"
        with r.collecting(path):
            entry = r.mapping(item, path, ("at",), (*_UNIT_KEYS, *INFO))
            source = r.info(entry, path)
            at = r.selector(entry["at"], join(path, "at"))
            out.append(EntryRule(at, unit_condition(r, entry, path), source))
    return tuple(out)


def _reporting(r: Scope, value: object, path: str) -> ReportingRule:
    entry = r.mapping(value, path, ("sender", "to"), (*_UNIT_KEYS, *INFO))
    r.info(entry, path)
    sender = r.selector(entry["sender"], join(path, "sender"))
    to = r.authority(entry["to"], join(path, "to"))
    level = r.graph[to].level
    if level not in r.levels:
        r.skip_if_broken("levels")
        r.fail(
            join(path, "to"),
            f"authority {short(to)} is at level {short(level)}, which this campaign does not use",
            f"{r.graph[to].named}属于{level_named(level)}，不在本次遴选的层级中",
        )
    return ReportingRule(sender=sender, to=to, unit=unit_condition(r, entry, path))


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
