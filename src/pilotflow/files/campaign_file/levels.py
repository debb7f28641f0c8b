"""Who takes part and in what: ``levels`` (lowest first), ``departments``, ``unit_types``,
``scenario_groups`` and ``scenarios``."""

from __future__ import annotations

from collections.abc import Mapping

from ...domain.campaign import ActingRule, Level, Scenario, Selector, Text, UnitType
from ...domain.names import LEVEL_EN, LEVEL_ZH
from .messages import join, short
from .scope import INFO, Scope


def levels(r: Scope, value: object) -> tuple[Level, ...]:
    """``levels``: levels of the authority graph, each a code or ``{code, en, zh}``, listed
    lowest first."""
    items = r.sequence(value, "levels")
    if not items:
        r.fail("levels", "at least one level is needed", "至少需要一个层级")
    out: list[Level] = []
    for index, item in enumerate(items):
        path = f"levels[{index}]"
        with r.collecting(path):
            if isinstance(item, dict):
                entry = r.mapping(item, path, ("code",), ("en", "zh"))
                code = r.string(entry["code"], join(path, "code"))
                if ("en" in entry) != ("zh" in entry):
                    r.fail(
                        path,
                        "give both 'en' and 'zh' names, or neither",
                        "请同时给出 'en' 与 'zh' 名称，或都不给",
                    )
                name = r.text(entry, path) if "en" in entry else None
            else:
                code = r.string(item, path)
                name = None
            r.choice(code, path, r.graph.LEVELS, "level", "层级")
            out.append(Level(code, name or Text(LEVEL_EN.get(code, code), LEVEL_ZH.get(code, code))))
    codes = [level.code for level in out]
    r.unique(codes, "levels", "level", "层级")
    order = r.graph.LEVELS
    for index in range(1, len(codes)):
        if order.index(codes[index]) < order.index(codes[index - 1]):
            r.fail(
                f"levels[{index}]",
                f"level {short(codes[index])} comes after {short(codes[index - 1])}; levels must be "
                f"listed lowest first in the order {', '.join(order)}",
                f"层级 {short(codes[index])} 不应排在 {short(codes[index - 1])} 之后；"
                f"层级须自低到高按 {'、'.join(order)} 的顺序列出",
            )
    return tuple(out)


def departments(r: Scope, value: object) -> dict[str, Text]:
    """``departments``: code → name, at least one."""
    out = r.named_texts(value, "departments")
    if not out:
        r.fail("departments", "at least one department is needed", "至少需要一个部门")
    return out


def unit_types(r: Scope, value: object) -> dict[str, UnitType]:
    """``unit_types``: code → name, at least one."""
    out = {code: UnitType(code, name) for code, name in r.named_texts(value, "unit_types").items()}
    if not out:
        r.fail("unit_types", "at least one unit type is needed", "至少需要一种申报主体类型")
    return out


def scenarios(r: Scope, groups_value: object, value: object) -> dict[str, Scenario]:
    """``scenarios``, each in a group; the group one of ``scenario_groups`` when any is
    declared."""
    groups = r.named_texts(groups_value, "scenario_groups")
    out: dict[str, Scenario] = {}
    for code, entry in r.named_entries(value, "scenarios", ("group",)).items():
        path = join("scenarios", code)
        with r.collecting(path):
            if "group" not in entry:
                r.fail(path, "missing required key 'group'", "缺少必填的键 'group'")
            group = r.string(entry["group"], join(path, "group"))
            if groups:
                r.choice(
                    group,
                    join(path, "group"),
                    groups,
                    "scenario group",
                    "场景类别",
                    " (declare it under scenario_groups)",
                    "（请在 scenario_groups 中声明）",
                )
            out[code] = Scenario(code, r.text(entry, path), group)
    return out


def acting(r: Scope, value: object, declared: Mapping[str, Text], version: int = 1) -> tuple[ActingRule, ...]:
    """``acting``: who reviews and who stamps where. A list of rules (the first whose ``at``
    selector matches an authority applies; a rule without ``at`` matches every one), or the
    short form: a mapping of kinds of authority to the departments acting there, each
    reviewing and stamping, ``"*"`` (every kind not named) required. Absent: in format 2
    every declared department reviews and stamps everywhere; in format 1 the authority
    graph's departments act."""
    if value is None:
        everyone = tuple(declared)
        return (ActingRule(Selector(), everyone, everyone),) if version >= 2 and everyone else ()
    if isinstance(value, list):
        listed = []
        for index, item in enumerate(r.rules(value, "acting")):
            with r.collecting(f"acting[{index}]"):
                listed.append(_acting_rule(r, item, f"acting[{index}]", declared))
        return tuple(listed)
    entry = r.entries(value, "acting")
    if "*" not in entry:
        r.fail(
            "acting",
            "name the departments of every authority with '*' (then any kind that differs), "
            "or give a list of rules",
            "请用 '*' 列出各机关履职的部门（再列出与之不同的机关类型），或写成规则列表",
        )
    kinds = sorted({a.kind for a in r.graph})
    rules = []
    for kind, codes in sorted(entry.items(), key=lambda item: item[0] == "*"):  # "*" last
        path = join("acting", kind)
        with r.collecting(path):
            if kind != "*":
                r.choice(kind, path, kinds, "kind of authority", "机关类型")
            chosen = _departments(r, codes, path, declared)
            at = Selector() if kind == "*" else Selector(kinds=frozenset({kind}))
            rules.append(ActingRule(at, chosen, chosen))
    return tuple(rules)


def _acting_rule(r: Scope, value: object, path: str, declared: Mapping[str, Text]) -> ActingRule:
    entry = r.mapping(value, path, ("review",), ("at", "stamp", "examine", *INFO))
    source = r.info(entry, path)
    at = r.selector(entry["at"], join(path, "at")) if "at" in entry else Selector()
    review = _departments(r, entry["review"], join(path, "review"), declared)
    stamp = review
    if "stamp" in entry:
        stamp = _departments(r, entry["stamp"], join(path, "stamp"), declared)
        for index, code in enumerate(stamp):
            if code not in review:
                r.fail(
                    f"{join(path, 'stamp')}[{index}]",
                    f"department {short(code)} stamps but is not among those that review here "
                    f"({', '.join(review)})",
                    f"盖章部门“{declared[code].zh}”须同时为此处的审核部门",
                )
    examine: tuple[str, ...] = ()
    if "examine" in entry:
        examine = _departments(r, entry["examine"], join(path, "examine"), declared)
        for index, code in enumerate(examine):
            if code not in review:
                r.fail(
                    f"{join(path, 'examine')}[{index}]",
                    f"department {short(code)} examines each unit but is not among those that "
                    f"review here ({', '.join(review)})",
                    f"逐一审查的部门“{declared[code].zh}”须同时为此处的审核部门",
                )
    return ActingRule(at, review, stamp, source, examine)


def _departments(r: Scope, value: object, path: str, declared: Mapping[str, Text]) -> tuple[str, ...]:
    """A non-empty list of declared departments, each once."""
    items = r.sequence(value, path)
    if not items:
        r.fail(path, "at least one department is needed", "至少需要一个部门")
    chosen = []
    for index, code in enumerate(items):
        at = f"{path}[{index}]"
        chosen.append(
            r.choice(r.string(code, at), at, tuple(declared), "department", "部门", section="departments")
        )
    r.unique(chosen, path, "department", "部门")
    return tuple(chosen)
