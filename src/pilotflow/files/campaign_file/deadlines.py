"""Deadlines: how a hop's (and the filing's) ``deadline`` is read (a date, read with
``deadline_rule``, or an ISO 8601 date-time with an offset), and the check, once the campaign
is built, that along the route of every authority no hop closes earlier than a hop before it,
and the filing deadline no later than the first."""

from __future__ import annotations

import itertools
import re
from datetime import datetime
from typing import NoReturn

from ...domain.calendar import by_date, parse_moment
from ...domain.campaign import Campaign, HopRule
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


def check_routes(r: Scope, campaign: Campaign) -> None:
    """Hop deadlines never decrease along the route of any authority.

    Routes start at every authority of the campaign's lowest level, then at every
    authority of a campaign level that no earlier route passed (provinces without
    districts, central enterprises...). A route's tail is the route of the authority it
    passes, so each authority's route is walked once at most.
    """
    graph = r.graph
    lowest = campaign.levels[0].code
    levels = frozenset(campaign.level_codes)
    rules: dict[tuple[str, str], HopRule | None] = {}
    covered: set[str] = set()
    starts = [a for a in graph if a.level == lowest]
    starts += [a for a in graph if a.level != lowest and a.level in levels]
    for start in starts:
        if start.code in covered:
            continue
        try:
            route = graph.route(start.code, campaign)
        except PilotflowError as exc:
            r.fail(
                "reporting",
                f"cannot route {start.code} ({start.name}): {exc.en}",
                f"无法确定 {start.code}（{start.name}）的推荐路线：{exc.zh}",
            )
        covered.update(route)
        previous: tuple[HopRule, str, str] | None = None
        for sender, receiver in itertools.pairwise(route):
            pair = (sender, receiver)
            if pair not in rules:
                rules[pair] = campaign.hop_rule(graph[sender], graph[receiver])
            rule = rules[pair]
            if rule is None or rule.deadline is None:
                continue
            if previous is None:
                _filing_first(r, campaign, start.code, start.name, (rule, *pair))
            else:
                before = previous[0].deadline
                assert before is not None
                if rule.deadline < before:
                    _out_of_order(r, start.code, start.name, previous, (rule, *pair))
            previous = (rule, sender, receiver)


def _filing_first(
    r: Scope, campaign: Campaign, origin: str, name: str, first: tuple[HopRule, str, str]
) -> None:
    """The filing deadline (``filing``) closes no later than the first hop along a route."""
    filing, (rule, sender, receiver) = campaign.filing, first
    if filing is None or rule.deadline is None or filing.deadline <= rule.deadline:
        return
    d1, d2 = filing.deadline.isoformat(), rule.deadline.isoformat()
    r.fail(
        "filing.deadline",
        f"the filing deadline closes at {d1}, after the first hop along the route of {origin} "
        f"({name}): hop {short(rule.name)} ({sender} → {receiver}) closes at {d2}",
        f"申报截止时间 {d1} 晚于 {origin}（{name}）推荐路线上的第一个环节 {short(rule.name)}"
        f"（{sender} → {receiver}）的截止时间 {d2}",
    )


def _out_of_order(
    r: Scope,
    origin: str,
    name: str,
    earlier: tuple[HopRule, str, str],
    later: tuple[HopRule, str, str],
) -> NoReturn:
    (rule1, from1, to1), (rule2, from2, to2) = earlier, later
    assert rule1.deadline is not None
    assert rule2.deadline is not None
    d1, d2 = rule1.deadline.isoformat(), rule2.deadline.isoformat()
    r.fail(
        join(r.hop_paths.get(id(rule2), "hops"), "deadline"),
        f"deadlines out of order along the route of {origin} ({name}): hop "
        f"{short(rule1.name)} ({from1} → {to1}) closes at {d1}, but the later hop {short(rule2.name)} "
        f"({from2} → {to2}) closes earlier, at {d2}",
        f"{origin}（{name}）的推荐路线上截止时间先后颠倒：环节 {short(rule1.name)}（{from1} → {to1}）"
        f"截止于 {d1}，而其后的环节 {short(rule2.name)}（{from2} → {to2}）却更早截止于 {d2}",
    )
