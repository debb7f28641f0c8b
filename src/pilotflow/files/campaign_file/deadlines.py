"""Deadlines: how a hop's (and the filing's) ``deadline`` is read (a date, read with
``deadline_rule``, or an ISO 8601 date-time with an offset), and the check, once the campaign
is built, that along the route of every authority no hop closes earlier than a hop before it,
and the filing deadline no later than the first."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from datetime import datetime
from typing import NoReturn

from ...domain.authorities import Authority
from ...domain.calendar import by_date, parse_moment
from ...domain.campaign import Campaign, HopRule, UnitFacts
from ...domain.routes import ROUTE_BUDGET, misplaced, walk_routes
from ...errors import InvalidInput, NaiveDatetime, PilotflowError
from .messages import join, short
from .scope import Scope
from .values import DATE

_YEAR = re.compile(r"\d{4}")  # an ISO 8601 date-time starts with its year


def deadline(r: Scope, value: object, path: str) -> tuple[datetime | None, str]:
    """The moment a hop closes (``None`` when it gives none) and the text as written."""
    if value is None:
        return None, ""
    text = r.string(value, path).strip()
    if DATE.match(text):
        return by_date(r.day(text, path), inclusive=r.inclusive, timezone=r.timezone), text
    year = _YEAR.match(text)
    if year is None or len(text) > 64:  # ISO 8601 starts with the year; no moment is longer
        _unreadable(r, text, path)
    r.moment_year(int(year.group()), text, path)  # before any arithmetic on it
    try:
        return parse_moment(text, path, r.timezone), text
    except NaiveDatetime:
        r.fail(
            path,
            f"deadline {short(text)} has no UTC offset: write it as e.g. "
            f"{short(text + '+08:00')}, or give a plain date (YYYY-MM-DD) read with deadline_rule",
            f"截止时间 {short(text)} 没有时区偏移：请写成如 {short(text + '+08:00')}，"
            "或只写日期（YYYY-MM-DD），按 deadline_rule 解释",
        )
    except (InvalidInput, ValueError, OverflowError):
        _unreadable(r, text, path)


def _unreadable(r: Scope, text: str, path: str) -> NoReturn:
    r.fail(
        path,
        f"cannot read deadline {short(text)}: expected a date (YYYY-MM-DD) or an ISO 8601 "
        "date-time with an offset (2023-10-18T17:00:00+08:00)",
        f"无法解析截止时间 {short(text)}：应为日期（YYYY-MM-DD）或带时区偏移的 ISO 8601 "
        "日期时间（如 2023-10-18T17:00:00+08:00）",
    )


def check_routes(r: Scope, campaign: Campaign) -> tuple[str, frozenset[str]]:
    """Hop deadlines never decrease along the route of any authority in the campaign's
    scope, and every such route ends at one authority, the campaign's top (returned, with
    every authority those routes pass): each route of the scope walked once
    (:func:`~pilotflow.domain.routes.walk_routes`), those some reporting rules make for
    some units' nominations included, within a budget of work.
    """
    walk = _Walk(r, campaign)

    def too_many(routes: int) -> bool:
        if routes * len(campaign.reporting) > ROUTE_BUDGET:
            r.fail(
                "reporting",
                f"the reporting rules for some units make too many routes to check ({routes} routes "
                f"× {len(campaign.reporting)} rules > {ROUTE_BUDGET}): merge rules that share a sender",
                f"针对部分单位的报送规则产生的推荐路线过多，无法逐一核验（{routes} 条路线 × "
                f"{len(campaign.reporting)} 条规则，超过 {ROUTE_BUDGET}）：请合并报送对象相同的规则",
            )
        return True

    walk_routes(campaign, r.graph, walk, too_many)
    return _checked(r, campaign, walk)


def _checked(r: Scope, campaign: Campaign, walk: _Walk) -> tuple[str, frozenset[str]]:
    """The campaign's top and every authority its routes pass, once every authority on its
    routes has someone to act there: in a format-2 file whose ``acting`` rules leave an
    authority out, nobody of the campaign would (the graph's own departments are another
    campaign's)."""
    if campaign.format >= 2 and campaign.acting:
        for code in sorted(walk.seen):
            authority = r.graph[code]
            if campaign.acting_at(authority) is None:
                r.fail(
                    "acting",
                    f"no acting rule says who acts at {code} ({authority.name}), which a route of "
                    "this campaign passes: add a rule that matches it, or one without 'at'",
                    f"acting 中没有适用于{authority.name}的规则，而本次遴选的推荐路线经过该机关："
                    "请增加适用于它的规则，或不带 at 的规则",
                )
    top = _one_top(r, walk.tops)
    _never_apply(r, campaign, top)
    return top, frozenset(walk.seen)


def _never_apply(r: Scope, campaign: Campaign, top: str) -> None:
    """Refuse entry and check rules that could never apply: an entry point at the top (a
    nomination starts below it) or nowhere in scope, a check at the top (the top's own
    checks are its spot checks) or for a track the campaign does not run."""
    graph = r.graph
    for index, entry in enumerate(campaign.entries):
        at = [a.code for a in graph if entry.at.matches(a) and campaign.in_scope(a)]
        if not at or at == [top]:
            r.fail(
                f"entry[{index}].at",
                "this entry rule selects no authority below the campaign's top within its scope: "
                "no nomination could start there",
                "该 entry 规则在本次遴选范围内未选中最高一级机关以下的任何机关，不会有申报从此发起",
            )
    for index, check in enumerate(campaign.checks):
        if check.at.matches(graph[top]):
            r.fail(
                f"checks[{index}].at",
                "a check rule is for levels below the top: the top checks units with its spot checks "
                "(ministry.spot_check_rate)",
                "checks 规则用于最高一级以下的层级；最高一级机关的实地抽检请用 ministry.spot_check_rate",
            )
        for track in sorted(check.tracks):
            if not campaign.has_track(track):
                r.fail(
                    f"checks[{index}].tracks",
                    f"track {short(track)} is not one this campaign runs (see tracks)",
                    f"本次遴选未设 {short(track)} 申报类别（见 tracks）",
                )


class _Walk:
    """Walks the route of a nomination from one start, checking its deadlines' order and
    noting where it ends."""

    def __init__(self, r: Scope, campaign: Campaign) -> None:
        self.r, self.campaign = r, campaign
        self.rules: dict[tuple[str, str], HopRule | None] = {}
        self.tops: dict[str, str] = {}  # the top a route ends at -> the first origin routed there
        self.seen: set[str] = set()  # every authority on a route walked

    def __call__(self, start: Authority, unit: UnitFacts | None) -> tuple[str, ...]:
        r, campaign, graph = self.r, self.campaign, self.r.graph
        used: list[tuple[int, str]] = []  # (rule index, sender) of each rule the route took
        try:
            route = graph.route(start.code, campaign.routing(unit, noted=used))
        except PilotflowError as exc:
            if used:  # reporting rules sent the route where it broke
                _broken_by_rules(r, campaign, start, used, exc)
            r.fail(
                "scope" if campaign.scope.is_empty else "reporting",
                f"cannot route {start.code} ({start.name}): {exc.en} (add a 'reporting' rule for it, "
                "or name the campaign's 'scope' if it does not take part)",
                f"无法确定{start.named}的推荐路线：{exc.zh}（请为其增加 reporting 规则；"
                "如其不参与本次遴选，请用 scope 写明遴选范围）",
            )
        bad = misplaced(campaign, graph, route)
        if bad is not None:
            _downward(r, campaign, start, route, bad, used)
        self.tops.setdefault(route[-1], start.code)
        self.seen.update(route)
        previous: tuple[HopRule, str, str] | None = None
        for sender, receiver in itertools.pairwise(route):
            pair = (sender, receiver)
            if pair not in self.rules:
                self.rules[pair] = campaign.hop_rule(graph[sender], graph[receiver])
            rule = self.rules[pair]
            if rule is None or rule.deadline is None:
                continue
            if previous is None:
                _filing_first(r, campaign, start, (rule, *pair))
            else:
                before = previous[0].deadline
                assert before is not None
                if rule.deadline < before:
                    _out_of_order(r, start, previous, (rule, *pair))
            previous = (rule, sender, receiver)
        return route


def _downward(
    r: Scope,
    campaign: Campaign,
    start: Authority,
    route: tuple[str, ...],
    i: int,
    used: list[tuple[int, str]],
) -> NoReturn:
    """Refuse the reporting rule that sends ``start``'s route down, from ``route[i - 1]`` to
    ``route[i]`` at a lower level (the graph's own routes only rise): at the ``to`` of the
    rule that sent it there (``used``: the rules the walk applied, in order)."""
    g, here = r.graph, route[i]
    sent = [k for k, _ in used if campaign.reporting[k].to == here] or [k for k, _ in used[-1:]]
    r.fail(
        f"reporting[{sent[0]}].to" if sent else "reporting",
        f"the route of {start.code} ({start.name}) goes down from {route[i - 1]} to {here} "
        f"({g[here].name}): {' → '.join(route)}; a route rises through the campaign's levels "
        f"({', '.join(campaign.level_codes)}) to the last",
        f"{start.named}的推荐路线由{g[route[i - 1]].named}报往较低层级的{g[here].named}"
        f"（{' → '.join(g[c].name for c in route)}）；推荐路线应逐级向上，经本次遴选的层级"
        f"（{'、'.join(lv.name.zh for lv in campaign.levels)}）直至最高一级",
    )


def _broken_by_rules(
    r: Scope, campaign: Campaign, start: Authority, used: list[tuple[int, str]], exc: PilotflowError
) -> NoReturn:
    """Refuse the reporting rules that sent ``start``'s route on before it broke (a loop, an
    end below the top), naming each with the hop it made: at the first that sent it
    elsewhere than the graph would have (one naming the sender's own parent changes nothing)."""
    g = r.graph
    hops = list(dict.fromkeys(used))  # (each hop once, in the order the walk applied them)
    moved = [k for k, s in hops if campaign.reporting[k].to != g[s].parent] or [hops[0][0]]
    en = "; ".join(f"reporting[{k}] sent it from {s} to {campaign.reporting[k].to}" for k, s in hops)
    zh = "；".join(
        f"reporting[{k}] 将其由{g[s].named}报往{g[campaign.reporting[k].to].named}" for k, s in hops
    )
    r.fail(
        f"reporting[{moved[0]}]",
        f"cannot route {start.code} ({start.name}): {exc.en} ({en})",
        f"无法确定{start.named}的推荐路线：{exc.zh}（{zh}）",
    )


def _one_top(r: Scope, tops: Mapping[str, str]) -> str:
    """The one authority every route in scope ends at."""
    if not tops:
        r.fail(
            "scope",
            "no nomination could start anywhere: no authority of the campaign's levels lies in its scope",
            "本次遴选范围内没有任何可受理申报的机关：请核对 scope 与 levels",
        )
    if len(tops) > 1:
        (top1, from1), (top2, from2) = list(tops.items())[:2]
        g = r.graph
        r.fail(
            "scope",
            f"routes in this campaign end at different authorities: {from1} at {top1}, {from2} at "
            f"{top2}; a campaign has one top (narrow 'scope', or add 'reporting' rules)",
            f"本次遴选的推荐路线止于不同机关（{g[from1].named}止于{g[top1].named}，"
            f"{g[from2].named}止于{g[top2].named}）；"
            "一次遴选只能有一个最高层级机关（请收窄 scope 或增加 reporting 规则）",
        )
    return next(iter(tops))


def _hop_zh(r: Scope, sender: str, receiver: str) -> str:
    """A hop in Chinese: its sender and receiver by name, each code in parentheses."""
    return f"{r.graph[sender].named} → {r.graph[receiver].named}"


def _filing_first(r: Scope, campaign: Campaign, start: Authority, first: tuple[HopRule, str, str]) -> None:
    """The filing deadline (``filing``) closes no later than the first hop along a route."""
    filing, (rule, sender, receiver) = campaign.filing, first
    if filing is None or rule.deadline is None or filing.deadline <= rule.deadline:
        return
    d1, d2 = filing.deadline.isoformat(), rule.deadline.isoformat()
    r.fail(
        "filing.deadline",
        f"the filing deadline closes at {d1}, after the first hop along the route of {start.code} "
        f"({start.name}): hop {short(rule.name)} ({sender} → {receiver}) closes at {d2}",
        f"申报截止时间 {d1} 晚于{start.named}推荐路线上的第一个环节 {short(rule.name)}"
        f"（{_hop_zh(r, sender, receiver)}）的截止时间 {d2}",
    )


def _out_of_order(
    r: Scope,
    start: Authority,
    earlier: tuple[HopRule, str, str],
    later: tuple[HopRule, str, str],
) -> NoReturn:
    (rule1, from1, to1), (rule2, from2, to2) = earlier, later
    assert rule1.deadline is not None
    assert rule2.deadline is not None
    d1, d2 = rule1.deadline.isoformat(), rule2.deadline.isoformat()
    r.fail(
        join(r.hop_paths.get(id(rule2), "hops"), "deadline"),
        f"deadlines out of order along the route of {start.code} ({start.name}): hop "
        f"{short(rule1.name)} ({from1} → {to1}) closes at {d1}, but the later hop {short(rule2.name)} "
        f"({from2} → {to2}) closes earlier, at {d2}",
        f"{start.named}的推荐路线上截止时间先后颠倒：环节 {short(rule1.name)}（{_hop_zh(r, from1, to1)}）"
        f"截止于 {d1}，而其后的环节 {short(rule2.name)}（{_hop_zh(r, from2, to2)}）却更早截止于 {d2}",
    )
