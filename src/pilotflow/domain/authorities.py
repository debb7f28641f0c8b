"""The graph of authorities: who reports to whom, and with which departments.

Every authority is a node of a ``networkx.DiGraph`` with one edge to the authority it reports
to; the graph is a tree rooted at the ministry level. The bundled graph holds every province-,
prefecture- and county-level division of GB/T 2260 (MCA list of December 2021, shipped in
``data/``), the joint ministry level, the five 计划单列市 and XPCC reporting straight to it, a
sample of central enterprises, and Weihai's national development zones and 南海新区.

The route of a nomination is never written per city: it is walked up the graph from the
origin, with the campaign's reporting overrides, skipping authorities whose level the campaign
does not use.

>>> graph = AuthorityGraph.bundled()
>>> graph["370200"].name, graph["370200"].parent
('青岛市', 'MIN')
>>> graph["371071"].level, graph["371071"].parent
('district', '371000')
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from importlib import resources
from typing import Any, Protocol

import networkx as nx
import yaml
from attrs import evolve, field, frozen

from ..errors import GraphError, InvalidInput, UnknownAuthority, UnknownDepartment, shown
from .inputs import check_sequence, wrong_argument
from .names import LEVEL_ZH
from .selectors import ActingRule, Selector, acting_rule_for

__all__ = ["DEFAULT_DEPARTMENTS", "Authority", "AuthorityGraph", "level_named"]

LEVELS: tuple[str, ...] = ("district", "city", "province", "ministry")
DEFAULT_DEPARTMENTS: tuple[str, ...] = ("industry", "civil_affairs", "health")
KINDS: frozenset[str] = frozenset(
    {
        "ministry",
        "province",
        "autonomous_region",
        "municipality",
        "special_administrative_region",
        "taiwan",
        "xpcc",
        "central_enterprise",
        "prefecture",
        "separately_planned_city",
        "county",
        "development_zone",
        # Kinds a campaign file adds (its ``authorities``): 国家级新区 and 示范区 such as 雄安新区
        # and 杨凌示范区, industry associations recommending, and regulators such as a
        # province's 通信管理局.
        "new_area",
        "association",
        "regulator",
    }
)
_MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})
_SARS = frozenset({"810000", "820000"})


def _departments(value: Iterable[str]) -> tuple[str, ...]:
    return _texts(value, "departments")


def _admits(value: Iterable[str]) -> frozenset[str]:
    return frozenset(_texts(value, "admits"))


def _texts(value: object, what: str) -> tuple[str, ...]:
    items = check_sequence(value if not isinstance(value, (set, frozenset)) else sorted(value), what)
    for item in items:
        if type(item) is not str:
            raise InvalidInput(
                f"authority {what} must be codes (text), got {type(item).__name__}",
                f"机关的 {what} 必须是代码（文本）",
            )
    return items


#: An authority's fields in Chinese, for messages.
_FIELD_ZH = {"code": "代码", "level": "层级", "kind": "类型", "parent": "上级", "admin_parent": "行政上级"}


def _code(_instance: object, attribute: Any, value: Any) -> None:
    if type(value) is not str or not value or not value.isprintable() or value != value.strip():
        raise InvalidInput(
            f"authority {attribute.name} must be non-empty printable text without spaces around "
            f"it, got {shown(value)}",
            f"机关的{_FIELD_ZH.get(attribute.name, attribute.name)}必须是非空、可打印、首尾无空格的文本，"
            f"收到的是 {shown(value)}",
        )


def _name(_instance: object, attribute: Any, value: Any) -> None:
    # (any text but blank: the displays and refusals that show a name escape it)
    if type(value) is not str or not value.strip():
        raise InvalidInput(
            f"authority name must be non-empty text, got {shown(value)}",
            f"机关的名称必须是非空文本，收到的是 {shown(value)}",
        )


def _optional_code(instance: object, attribute: Any, value: Any) -> None:
    if value is not None:
        _code(instance, attribute, value)


@frozen
class Authority:
    """One authority: a node of the graph.

    ``parent`` is whom it reports to (``None`` only at the top); ``admin_parent`` is where it
    lies administratively (Qingdao reports to the ministry but lies in Shandong), and
    ``ancestors`` all authorities it lies within — what ``Selector.within`` looks at.
    ``admits`` names divisions whose units may be filed here although they lie outside it:
    a development zone admits the units of its city, XPCC those of the Corps' cities (see
    :meth:`AuthorityGraph.registered_in` and docs/authorities.md, "Where a nomination starts").
    """

    code: str = field(validator=_code)
    name: str = field(validator=_name)
    level: str = field(validator=_code)
    kind: str = field(validator=_code)
    parent: str | None = field(validator=_optional_code)
    admin_parent: str | None = field(default=None, validator=_optional_code)
    departments: tuple[str, ...] = field(default=DEFAULT_DEPARTMENTS, converter=_departments)
    ancestors: frozenset[str] = frozenset()
    admits: frozenset[str] = field(default=frozenset(), converter=_admits)
    #: The departments whose stamps make the joint recommendation (联合盖章); empty: all of
    #: ``departments``. Those not named review but do not stamp.
    stamping: tuple[str, ...] = field(default=(), converter=_departments)
    #: The departments that examine each unit one by one before it may enter a submission
    #: (逐一审查); empty: no per-unit examination here.
    examining: tuple[str, ...] = field(default=(), converter=_departments)

    @property
    def named(self) -> str:
        """The authority as Chinese text names it: its name, its code in parentheses
        (``环翠区（371002）``)."""
        return f"{self.name}（{self.code}）"

    def __attrs_post_init__(self) -> None:
        if not self.stamping:
            object.__setattr__(self, "stamping", self.departments)
        elif not set(self.stamping) <= set(self.departments):
            raise InvalidInput(
                f"authority {self.code}: stamping departments {', '.join(self.stamping)} must be "
                f"among its departments {', '.join(self.departments)}",
                f"{self.name}：盖章部门须为其履职部门之一",
            )

    def check_department(self, department: str, names: Mapping[str, str] | None = None) -> None:
        """Raise :class:`UnknownDepartment` unless this authority has ``department``
        (``names``: the departments' Chinese names, for the message)."""
        if not isinstance(department, str) or department not in self.departments:
            raise UnknownDepartment(self.code, department, self.departments, self.name, names)


def _error(en: str, zh: str) -> GraphError:
    return GraphError(en, zh)


#: How many graphs of other campaigns' departments one graph keeps (oldest dropped first).
_DEPARTMENT_GRAPHS = 8


class AuthorityGraph:
    """A validated tree of :class:`Authority` objects over a ``networkx.DiGraph``.

    Edges point from an authority to the one it reports to. Construction validates: unique
    codes, known levels and kinds, a single top authority, every parent present (no orphans),
    no cycles, every authority with at least one department, and levels rising along edges.
    """

    LEVELS = LEVELS
    KINDS = KINDS

    def __init__(self, authorities: Iterable[Authority]) -> None:
        nodes: dict[str, Authority] = {}
        for a in check_sequence(authorities, "authorities", 1_000_000):
            if not isinstance(a, Authority):
                raise _error(
                    f"authorities must be Authority records, got {type(a).__name__}",
                    "authorities 参数只能包含 Authority 机关记录",
                )
            if a.code in nodes:
                raise _error(f"duplicate authority code {a.code!r}", f"单位代码重复：{a.code!r}")
            nodes[a.code] = a
        graph: Any = nx.DiGraph()
        for a in nodes.values():
            graph.add_node(a.code)
        for a in nodes.values():
            if a.level not in LEVELS:
                raise _error(
                    f"authority {a.code} ({a.name}) has unknown level {a.level!r}; "
                    f"expected one of {', '.join(LEVELS)}",
                    f"{a.named}的层级 {a.level!r} 无效，应为 {'、'.join(map(level_named, LEVELS))} 之一",
                )
            if a.kind not in KINDS:
                raise _error(
                    f"authority {a.code} ({a.name}) has unknown kind {a.kind!r}",
                    f"{a.named}的类别 {a.kind!r} 无效",
                )
            if not a.departments:
                raise _error(
                    f"authority {a.code} ({a.name}) has no departments",
                    f"{a.named}没有任何部门，无法盖章推荐",
                )
            for link in (a.parent, a.admin_parent):
                if link is not None and link not in nodes:
                    raise _error(
                        f"authority {a.code} ({a.name}) reports to unknown authority {link!r} (orphan)",
                        f"{a.named}的上级机关代码 {link!r} 不存在（孤立节点）",
                    )
            if a.parent is not None:
                graph.add_edge(a.code, a.parent)
        roots = [a for a in nodes.values() if a.parent is None]
        if len(roots) != 1:
            names = ", ".join(sorted(r.code for r in roots)) or "none"
            names_zh = "、".join(sorted(r.name for r in roots)) or "无"
            raise _error(
                f"the graph must have exactly one top authority; found: {names}",
                f"机关关系图必须有且只有一个最高层级机关，现为：{names_zh}",
            )
        if not nx.is_directed_acyclic_graph(graph):
            cycle = " → ".join(u for u, _ in nx.find_cycle(graph))
            raise _error(f"the graph has a cycle: {cycle}", f"机关关系图存在循环：{cycle}")
        for a in nodes.values():
            if a.parent is not None and LEVELS.index(nodes[a.parent].level) <= LEVELS.index(a.level):
                raise _error(
                    f"authority {a.code} ({a.name}, {a.level}) reports to {a.parent} "
                    f"({nodes[a.parent].level}), which is not a higher level",
                    f"{a.named}的上级{nodes[a.parent].named}层级不高于它本身",
                )
        self._graph = graph
        self._nodes = {code: _with_ancestors(a, nodes) for code, a in nodes.items()}
        self._with_departments: dict[tuple[ActingRule, ...], AuthorityGraph] = {}
        self._with_authorities: dict[tuple[Authority, ...], AuthorityGraph] = {}
        self._top = roots[0].code
        self._children: dict[str, tuple[str, ...]] = {
            code: tuple(sorted(graph.predecessors(code))) for code in nodes
        }
        self._registered: dict[str, Authority | None] = {}  # registered_in, by division code
        #: Every (authority code, department) pair of the graph: one set lookup checks an actor.
        self.members: frozenset[tuple[str, str]] = frozenset(
            (a.code, d) for a in self._nodes.values() for d in a.departments
        )

    # -- construction -------------------------------------------------------------------

    @classmethod
    @functools.cache
    def bundled(cls) -> AuthorityGraph:
        """The bundled graph of Chinese authorities (cached; it is immutable)."""
        return cls(_bundled_authorities())

    def with_authorities(self, extra: Iterable[Authority]) -> AuthorityGraph:
        """A new graph with ``extra`` authorities added (or replacing those with their code).
        Built once per graph and authorities (a campaign's ``authorities``: a web request
        makes a run per action), then shared."""
        added = check_sequence(extra, "extra")
        for a in added:
            if not isinstance(a, Authority):
                raise _error(
                    f"extra must hold Authority records, got {type(a).__name__}",
                    "extra 参数只能包含 Authority 机关记录",
                )
        if not added:
            return self
        cache = self._with_authorities
        found = cache.get(added)
        if found is None:
            merged = {a.code: a for a in self._nodes.values()}
            for a in added:
                merged[a.code] = evolve(a, ancestors=frozenset())
            found = AuthorityGraph(evolve(a, ancestors=frozenset()) for a in merged.values())
            if len(cache) >= _DEPARTMENT_GRAPHS:  # campaigns are few; a stream of them is not kept
                del cache[next(iter(cache))]
            cache[added] = found
        return found

    def with_departments(self, acting: Mapping[str, Sequence[str]] | Sequence[ActingRule]) -> AuthorityGraph:
        """The same graph with the departments a campaign says act where: its acting rules
        (``Campaign.acting``; the first whose selector matches an authority says who reviews
        and who stamps there), or a mapping of kinds of authority to departments (``"*"``:
        every kind it does not name), each reviewing and stamping. An authority no rule
        matches keeps its departments. Built once per graph and rules (a web request makes a
        run per action), then shared.

        >>> g = AuthorityGraph.bundled().with_departments({"*": ("industry",), "central_enterprise": ("hq",)})
        >>> g["370000"].departments, g["CE-CEC"].departments
        (('industry',), ('hq',))
        """
        rules = acting_rules(acting)
        if not rules:
            return self
        cache = self._with_departments
        found = cache.get(rules)
        if found is None:
            if len(cache) >= _DEPARTMENT_GRAPHS:  # campaigns are few; a stream of them is not kept
                del cache[next(iter(cache))]
            found = cache[rules] = AuthorityGraph(_acting(a, rules) for a in self._nodes.values())
        return found

    # -- lookups ------------------------------------------------------------------------

    def __getitem__(self, code: str) -> Authority:
        try:
            return self._nodes[code]
        except (KeyError, TypeError):
            if not isinstance(code, str):
                raise InvalidInput(
                    f"an authority code must be text (a str), got {type(code).__name__}",
                    "单位（机关）代码必须是文本（字符串）",
                ) from None
            raise UnknownAuthority(code) from None

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._nodes

    def __iter__(self) -> Iterator[Authority]:
        return iter(self._nodes.values())

    def __len__(self) -> int:
        return len(self._nodes)

    def __repr__(self) -> str:
        return f"<AuthorityGraph {len(self)} authorities, top={self._top}>"

    def registered_in(self, unit_code: str) -> Authority | None:
        """The division that registered a unit: characters 3-8 of its unified social credit
        code (登记管理机关行政区划码). A code of a division the table no longer lists (merged
        or renamed since the unit registered) falls back to its city where the city exists,
        a city-level code to its province; ``100000`` (registered nationally) is the top.
        None if nothing matches.

        >>> graph = AuthorityGraph.bundled()
        >>> graph.registered_in("91371002MA3C5CJX00").name
        '环翠区'
        >>> graph.registered_in("91370284MA3C5CJX00").name    # 胶南市, merged into 黄岛区 in 2012
        '青岛市'
        """
        if type(unit_code) is not str:
            raise InvalidInput(
                f"unit_code must be text, got {type(unit_code).__name__}", "unit_code 必须是文本（字符串）"
            )
        division = unit_code[2:8]
        registered = self._registered
        if division in registered:
            return registered[division]
        found = self._division(division)
        if len(registered) < 10_000:  # the divisions met: a few thousand in a national campaign
            registered[division] = found
        return found

    def _division(self, division: str) -> Authority | None:
        if division == "100000":
            return self.top
        if not division.isdigit():
            return None
        found = self._nodes.get(division)
        if found is not None:
            return found
        # A county-level code falls back to its city only where the city exists (a county
        # merged since); a city-level code to its province (a prefecture abolished since).
        # A code whose city never existed names no division: nothing to fall back to.
        city, province = division[:4] + "00", division[:2] + "0000"
        if division != city:
            return self._nodes.get(city)
        return self._nodes.get(province) if division != province else None

    @staticmethod
    def covers(origin: Authority, registered: Authority) -> bool:
        """May a unit registered in ``registered`` be filed at ``origin``? Yes when ``origin``
        is that division or lies within it (a city- or province-registered unit files at any
        of its county-level authorities), or ``origin`` admits it (a development zone: the
        units of its city; XPCC: those of the Corps' cities). Both must be
        :class:`Authority` records (else InvalidInput naming the argument)."""
        for argument, value in (("origin", origin), ("registered", registered)):
            if not isinstance(value, Authority):
                raise wrong_argument(argument, "an Authority", "单位（机关）记录 Authority", value)
        code = registered.code
        return (
            origin.code == code
            or code in origin.ancestors
            or code in origin.admits
            or not origin.admits.isdisjoint(registered.ancestors)
        )

    @property
    def top(self) -> Authority:
        return self._nodes[self._top]

    @property
    def graph(self) -> Any:
        """A read-only view of the underlying ``networkx.DiGraph`` (edges child → parent)."""
        return self._graph.copy(as_view=True)

    def children(self, code: str) -> tuple[Authority, ...]:
        """The authorities reporting to ``code`` in the graph."""
        self[code]
        return tuple(self._nodes[c] for c in self._children[code])

    def find(self, name: str) -> Authority:
        """The authority whose Chinese name is ``name``, or its name after the name of the
        authority it lies in (``济南市市中区``: there are four 市中区). An ambiguous or unknown
        name is refused, naming the candidates by their qualified names.

        >>> graph = AuthorityGraph.bundled()
        >>> graph.find("济南市市中区").code, graph.find("威海市").code
        ('370103', '371000')
        """
        if not isinstance(name, str):
            raise InvalidInput(
                f"an authority's name must be text (a str), got {type(name).__name__}",
                "机关名称必须是文字",
            )
        hits = [a for a in self._nodes.values() if a.name == name]
        if not hits:
            hits = [a for a in self._nodes.values() if name.endswith(a.name) and self.qualified(a) == name]
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise UnknownAuthority(name, "no authority has that name", "没有此名称的机关")
        names = "、".join(f"{self.qualified(a)}（{a.code}）" for a in sorted(hits, key=lambda a: a.code)[:8])
        raise UnknownAuthority(
            name,
            f"{len(hits)} authorities have that name: {names}; give the qualified name or the code",
            f"有 {len(hits)} 个机关同名：{names}；请写明所属地区（如 {self.qualified(hits[0])}）或代码",
        )

    def qualified(self, authority: Authority) -> str:
        """``authority``'s name after the name of the authority it lies in (``济南市市中区``)."""
        if not isinstance(authority, Authority):
            raise InvalidInput(
                f"qualified takes an Authority, got {type(authority).__name__}",
                "qualified 参数必须是 Authority 机关记录",
            )
        around = authority.admin_parent or authority.parent
        if around is None or around not in self._nodes or self._nodes[around].level == "ministry":
            return authority.name
        return self._nodes[around].name + authority.name

    def route(
        self,
        origin: str,
        campaign: _CampaignRouting,
    ) -> tuple[str, ...]:
        """The authorities a nomination made at ``origin`` passes, origin first, top last.

        From each authority the next is the campaign's reporting override for it, else its
        parent; authorities of a level the campaign does not use are passed over.
        """
        try:
            levels, override = campaign.level_codes, campaign.reports_to
        except AttributeError:
            raise InvalidInput(
                f"campaign must be a Campaign (see load_campaign), got {type(campaign).__name__}",
                "campaign 参数必须是 Campaign 对象（请用 load_campaign 加载）",
            ) from None
        return _route(self, origin, levels, override)


class _CampaignRouting(Protocol):
    """What :meth:`AuthorityGraph.route` needs of a campaign (see ``campaign.Campaign``)."""

    @property
    def level_codes(self) -> tuple[str, ...]: ...

    def reports_to(self, sender: Authority, /) -> str | None: ...


def _route(
    graph: AuthorityGraph,
    origin: str,
    levels: Sequence[str],
    override: Callable[[Authority], str | None],
) -> tuple[str, ...]:
    start = graph[origin]
    if start.level not in levels:
        raise GraphError(
            f"authority {origin} ({start.name}) is at level {start.level!r}, which this "
            f"campaign does not use (levels: {', '.join(levels)})",
            f"{start.named}属于{level_named(start.level)}，不在本次遴选的层级中"
            f"（本次遴选的层级：{'、'.join(LEVEL_ZH.get(lv, repr(lv)) for lv in levels)}）",
        )
    route = [origin]
    current = start
    seen = {origin}
    while current.level != levels[-1]:
        nxt = override(current) or current.parent
        if nxt is None:
            raise GraphError(
                f"the route from {origin} ends at {current.code} before reaching level {levels[-1]!r}",
                f"从{start.named}出发的推荐路线在{current.named}中断，未能到达{level_named(levels[-1])}",
            )
        if nxt in seen:
            raise GraphError(
                f"the route from {origin} loops at {nxt}",
                f"从{start.named}出发的推荐路线在{graph[nxt].named}形成循环",
            )
        if nxt not in graph:
            raise UnknownAuthority(
                nxt,
                f"the route from {origin} goes there from {current.code}",
                f"从{start.named}出发的推荐路线由{current.named}报往该机关",
            )
        seen.add(nxt)
        current = graph[nxt]
        if current.level in levels:
            route.append(nxt)
    return tuple(route)


def level_named(level: str) -> str:
    """A level of the graph as Chinese text names it: its name, the code in parentheses
    (``区县级（district）``; an unknown level: its code, quoted)."""
    name = LEVEL_ZH.get(level)
    return f"{name}（{level}）" if name else repr(level)


def acting_rules(acting: object) -> tuple[ActingRule, ...]:
    """``acting`` (see :meth:`AuthorityGraph.with_departments`) as acting rules."""
    if isinstance(acting, (tuple, list)) and all(isinstance(rule, ActingRule) for rule in acting):
        return tuple(acting)
    if not isinstance(acting, Mapping):
        raise _error(
            "acting must be acting rules, or map kinds of authority to non-empty lists of department codes",
            "acting 参数应为履职规则，或“机关类型 → 部门代码列表（非空）”的映射",
        )
    for kind, departments in acting.items():
        if not (isinstance(kind, str) and (kind == "*" or kind in KINDS)):
            raise _error(
                f"acting: {shown(kind)} is no kind of authority ('*' for every kind, or one of "
                f"{', '.join(sorted(KINDS))})",
                f'acting 中的 {shown(kind)} 不是机关类型（"*" 表示全部类型）',
            )
        if not (
            isinstance(departments, (tuple, list))
            and departments
            and all(isinstance(d, str) and d.isprintable() and d == d.strip() and d for d in departments)
            and len(set(departments)) == len(departments)
        ):
            raise _error(
                f"acting[{shown(kind)}] must be a non-empty list of distinct department codes "
                f"(printable text), got {shown(departments)}",
                f"acting[{shown(kind)}] 应为不重复的部门代码（可打印文本）组成的非空列表，"
                f"收到的是 {shown(departments)}",
            )
    ordered = sorted(acting.items(), key=lambda item: item[0] == "*")  # "*" last
    return tuple(
        ActingRule(Selector() if k == "*" else Selector(kinds=frozenset({k})), tuple(v), tuple(v))
        for k, v in ordered
    )


def _acting(a: Authority, rules: Sequence[ActingRule]) -> Authority:
    """``a`` with the departments the first rule matching it names (unchanged if none)."""
    rule = acting_rule_for(rules, a)
    if rule is None:
        return a
    return evolve(a, departments=rule.review, stamping=rule.stamp, examining=rule.examine)


def _with_ancestors(a: Authority, nodes: dict[str, Authority]) -> Authority:
    ancestors: set[str] = set()
    link = a.admin_parent if a.admin_parent is not None else a.parent
    while link is not None and link not in ancestors:
        ancestors.add(link)
        up = nodes[link]
        link = up.admin_parent if up.admin_parent is not None else up.parent
    return evolve(a, ancestors=frozenset(ancestors))


def _province_kind(code: str, name: str) -> str:
    if code in _MUNICIPALITIES:
        return "municipality"
    if code in _SARS:
        return "special_administrative_region"
    if code == "710000":
        return "taiwan"
    if name.endswith("自治区"):
        return "autonomous_region"
    return "province"


def _bundled_authorities() -> list[Authority]:
    data = resources.files("pilotflow") / "data"
    extra = yaml.safe_load((data / "authorities-extra.yaml").read_text(encoding="utf-8"))
    rows = list(
        csv.DictReader(
            io.StringIO((data / "gb2260-mca-202012.tsv").read_text(encoding="utf-8")),
            delimiter="\t",
        )
    )
    top = extra["ministry"]["code"]
    planned = set(extra["separately_planned_cities"])
    codes = {r["Code"] for r in rows}
    out: list[Authority] = [
        Authority(
            code=top,
            name=extra["ministry"]["name"],
            level="ministry",
            kind="ministry",
            parent=None,
            departments=extra["ministry"]["departments"],
        )
    ]
    for r in rows:
        code, name = r["Code"], r["Name"]
        province = code[:2] + "0000"
        prefecture = code[:4] + "00"
        if code == province:
            out.append(Authority(code, name, "province", _province_kind(code, name), top))
        elif code == prefecture:
            if code in planned:
                out.append(Authority(code, name, "city", "separately_planned_city", top, province))
            else:
                out.append(Authority(code, name, "city", "prefecture", province))
        else:
            # County-level: under its prefecture, or straight under the province for
            # municipalities' districts and province-administered county-level divisions.
            parent = prefecture if prefecture in codes else province
            out.append(Authority(code, name, "district", "county", parent))
    xpcc = extra["xpcc"]
    out.append(
        Authority(
            xpcc["code"], xpcc["name"], "province", "xpcc", top, None, xpcc["departments"],
            admits=xpcc["admits"],
        )
    )  # fmt: skip
    ce_departments = extra["central_enterprise_departments"]
    for ce in extra["central_enterprises"]:
        out.append(
            Authority(ce["code"], ce["name"], "province", "central_enterprise", top, None, ce_departments)
        )
    for zone in extra["development_zones"]:
        out.append(
            Authority(
                zone["code"], zone["name"], "district", "development_zone", zone["parent"],
                admits={zone["parent"]},  # a zone takes the units of its city
            )
        )  # fmt: skip
    return out
