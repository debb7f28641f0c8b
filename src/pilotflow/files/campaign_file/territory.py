"""Where a campaign runs: ``authorities`` (those a notice names that the authority graph
lacks: new areas, associations, regulators) and ``scope`` (which authorities take part)."""

from __future__ import annotations

from collections.abc import Mapping

from ...domain.authorities import LEVELS, Authority
from ...domain.campaign import Selector, Text
from ...errors import PilotflowError
from .messages import join, short
from .scope import INFO, Scope

_AUTHORITY_KEYS = ("code", "name", "kind", "level")
_AUTHORITY_OPTIONAL = ("parent", "admin_parent", "admits", "departments", "replaces", *INFO)


def added_authorities(
    r: Scope, value: object, departments: Mapping[str, Text]
) -> tuple[tuple[Authority, ...], frozenset[str]]:
    """``authorities``: at most ``MAX_RULES`` new authorities, each with a code the graph does
    not have, a known kind and level, and a parent in the graph or added before it. The
    reader's graph then holds them, for the sections after. Returns them and the codes of
    those whose departments the file left to its ``acting`` rules."""
    added: list[Authority] = []
    unstated: set[str] = set()
    for index, item in enumerate(r.rules(value, "authorities")):
        path = f"authorities[{index}]"
        with r.collecting(path):
            entry = r.mapping(item, path, _AUTHORITY_KEYS, _AUTHORITY_OPTIONAL)
            r.info(entry, path)
            code = r.code(entry["code"], join(path, "code"))
            replaces = r.boolean(entry.get("replaces", False), join(path, "replaces"))
            if any(a.code == code for a in added):
                r.fail(
                    join(path, "code"),
                    f"authority {short(code)} is listed twice",
                    f"机关 {short(code)} 重复列出",
                )
            if (code in r.graph) != replaces:
                r.fail(
                    join(path, "code"),
                    f"authority {short(code)} is already in the authority graph: a campaign adds the "
                    "authorities it lacks, or restates one with 'replaces: true' (a county-level city "
                    "the province administers directly acting as a city, say)"
                    if not replaces
                    else f"authority {short(code)} is not in the authority graph: nothing to replace",
                    f"机关 {short(code)} 已在机关关系图中：此处只能新增关系图没有的机关，或以 replaces: true "
                    "声明本次遴选中的不同地位（如省直管县作为市级推荐单位）"
                    if not replaces
                    else f"机关 {short(code)} 不在机关关系图中，无从替换",
                )
            kind = r.choice(
                r.string(entry["kind"], join(path, "kind")),
                join(path, "kind"),
                r.graph.KINDS,
                "kind",
                "机关类别",
            )
            level = r.choice(
                r.string(entry["level"], join(path, "level")), join(path, "level"), LEVELS, "level", "层级"
            )
            known = {a.code for a in added}
            if "parent" in entry:
                parent: str | None = _link(r, entry["parent"], join(path, "parent"), known)
            elif replaces and r.graph[code].parent is None:
                parent = None  # the top of the graph, restated (the ministries of this campaign)
            else:
                r.fail(path, "missing required key 'parent'", "缺少必填的键 'parent'")
            admin = (
                _link(r, entry["admin_parent"], join(path, "admin_parent"), known)
                if "admin_parent" in entry
                else None
            )
            admits = [
                r.code(item, f"{join(path, 'admits')}[{i}]")
                for i, item in enumerate(r.sequence(entry.get("admits", []), join(path, "admits")))
            ]
            name = r.string(entry["name"], join(path, "name"))
            if "departments" in entry:
                acting = r.choices(
                    entry["departments"], join(path, "departments"), tuple(departments), "department", "部门"
                )
                if not acting:
                    r.fail(join(path, "departments"), "at least one department is needed", "至少需要一个部门")
            else:
                acting = list(departments)  # until an ``acting`` rule says (checked by the reader)
                unstated.add(code)
            try:
                authority = Authority(code, name, level, kind, parent, admin, acting, admits=admits)
            except PilotflowError as exc:
                r.fail(path, exc.en, exc.zh)
            added.append(authority)
    if added:
        try:
            r.graph = r.graph.with_authorities(added)
        except PilotflowError as exc:
            r.fail("authorities", exc.en, exc.zh)
    return tuple(added), frozenset(unstated)


def _link(r: Scope, value: object, path: str, added: set[str]) -> str:
    code = r.code(value, path)
    if code in added:
        return code
    return r.authority(code, path)


def scope(r: Scope, value: object) -> Selector:
    """``scope``: a selector of the authorities taking part (absent: the whole graph)."""
    if value is None:
        return Selector()
    entry = r.mapping(value, "scope", (), ("codes", "levels", "kinds", "within", *INFO))
    r.info(entry, "scope")
    chosen = r.selector({k: v for k, v in entry.items() if k not in INFO}, "scope")
    if chosen.is_empty:
        r.fail(
            "scope",
            "name the authorities taking part (codes, levels, kinds or within), or leave 'scope' out "
            "for a national campaign",
            "请写明参与的机关（codes、levels、kinds 或 within）；全国性遴选请省略 scope",
        )
    return chosen
