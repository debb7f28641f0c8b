"""Phases as configured steps: the file's ``format``, the ``filing`` deadline, which steps of
the phase at the top a campaign holds (``notice``, ``ministry.review``,
``ministry.spot_check``), and the on-site ``checks`` at levels below the top.

A format-1 file (no ``format`` key) holds the public notice, the expert review and the spot
checks with pilotflow's defaults, as before. In a format-2 file a step is held only when the
file declares it: ``notice`` with its ``working_days``, ``ministry`` with ``combine``,
``pass_score`` and ``min_experts`` (the review) and ``spot_check_rate`` (the spot checks).
Either format may say ``none`` of a step (``notice: none``, ``ministry: {review: none}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain.campaign import CheckRule, FilingRules, Phases
from ...domain.names import TRACK_EN, TRACK_ZH, TRACKS
from .deadlines import deadline
from .messages import join
from .scope import INFO, Scope

FORMATS = (1, 2)
#: How a file says a step is absent.
NONE = "none"
#: The keys of ``ministry`` that declare the expert review, and those a format-2 file must give.
REVIEW_KEYS = ("combine", "pass_score", "min_experts")
SPOT_CHECK_KEYS = ("spot_check_rate",)


def is_none(value: object) -> bool:
    """Does the file say ``none`` here (a step it does not hold)?"""
    return isinstance(value, str) and value.strip() == NONE


def filing_rules(r: Scope, value: object) -> FilingRules | None:
    """``filing``: ``deadline`` (a date read with ``deadline_rule``, or a moment), ``source``."""
    if value is None:
        return None
    entry = r.mapping(value, "filing", ("deadline",), INFO)
    source = r.info(entry, "filing")
    closes, text = deadline(r, entry["deadline"], "filing.deadline")
    if closes is None:
        r.fail("filing.deadline", "the filing deadline must be given", "须写明申报截止时间")
    return FilingRules(closes, text, source)


def phases(r: Scope, version: int, notice: object, ministry: object) -> Phases:
    """Which steps the campaign holds (see the module's docstring)."""
    notice_held = not is_none(notice) and (version == 1 or notice is not None)
    if is_none(ministry):
        return Phases(notice=notice_held, review=False, spot_check=False)
    entry: Mapping[str, Any] = ministry if isinstance(ministry, Mapping) else {}
    return Phases(
        notice=notice_held,
        review=_held(r, version, entry, "review", REVIEW_KEYS),
        spot_check=_held(r, version, entry, "spot_check", SPOT_CHECK_KEYS),
    )


def _held(r: Scope, version: int, entry: Mapping[str, Any], step: str, keys: tuple[str, ...]) -> bool:
    path = join("ministry", step)
    given = [k for k in keys if k in entry]
    if step in entry:
        if not is_none(entry[step]):
            r.fail(path, f"{step} takes only the value none", f"{step} 只能取值 none（不设该环节）")
        if given:
            r.fail(
                join("ministry", given[0]),
                f"{given[0]} is set, but ministry.{step} says none",
                f"已设 {given[0]}，但 ministry.{step} 为 none（不设该环节）",
            )
        return False
    if version == 1:
        return True
    if given and len(given) < len(keys):
        missing = next(k for k in keys if k not in entry)
        r.fail(
            join("ministry", missing),
            f"a format-2 file that holds the {step} step states {', '.join(keys)}: {missing} is missing",
            f"format 2 文件设有该环节时须写明 {'、'.join(keys)}：缺少 {missing}",
        )
    return bool(given)


def check_rules(r: Scope, value: object, departments: Mapping[str, object]) -> tuple[CheckRule, ...]:
    """``checks``: on-site checks below the top, each ``at`` a selector, for ``tracks``, with
    ``on_site: {rate, by}``."""
    out = []
    for index, item in enumerate(r.rules(value, "checks")):
        path = f"checks[{index}]"
        entry = r.mapping(item, path, ("name", "at", "on_site"), ("tracks", *INFO))
        source = r.info(entry, path)
        tracks = r.choices(
            entry.get("tracks", []),
            join(path, "tracks"),
            TRACKS,
            "track",
            "申报类别",
            f" ({', '.join(TRACK_EN[t] for t in TRACKS)})",
            f"（{'、'.join(TRACK_ZH[t] for t in TRACKS)}）",
        )
        site_path = join(path, "on_site")
        site = r.mapping(entry["on_site"], site_path, (), ("rate", "by"))
        rate = None if "rate" not in site else r.number(site["rate"], join(site_path, "rate"), (0, 1))
        by = r.choices(site.get("by", []), join(site_path, "by"), tuple(departments), "department", "部门")
        out.append(
            CheckRule(
                name=r.string(entry["name"], join(path, "name")),
                at=r.selector(entry["at"], join(path, "at")),
                tracks=frozenset(tracks),
                rate=rate,
                by=tuple(by),
                source=source,
            )
        )
    r.unique([rule.name for rule in out], "checks", "check rule name", "抽查规则名称")
    return tuple(out)
