"""``ministry``: how the ministry's expert review is scored and spot-checked (either step may
be ``none``: see :mod:`.phases`)."""

from __future__ import annotations

from ...domain import rules
from ...domain.campaign import MinistryRules
from .bounds import EXPERTS
from .phases import is_none
from .scope import INFO, Scope


def ministry_rules(r: Scope, value: object) -> MinistryRules:
    """``ministry``: ``combine`` (a score rule), ``pass_score`` (0-100), ``min_experts`` and
    ``spot_check_rate`` (0-1); ``review: none``, ``spot_check: none``; or ``none``."""
    if is_none(value):
        return MinistryRules()
    entry = r.mapping(
        value,
        "ministry",
        (),
        ("combine", "pass_score", "min_experts", "spot_check_rate", "review", "spot_check", *INFO),
    )
    r.info(entry, "ministry")
    combine = r.choice(
        r.string(entry.get("combine", "mean"), "ministry.combine"),
        "ministry.combine",
        rules.SCORE_RULES,
        "combine rule",
        "评分汇总方式",
    )
    score = r.number(entry.get("pass_score", 60), "ministry.pass_score", (0, 100))
    experts = r.integer(entry.get("min_experts", 3), "ministry.min_experts", EXPERTS)
    rate = r.number(entry.get("spot_check_rate", 0.2), "ministry.spot_check_rate", (0, 1))
    return MinistryRules(combine, score, experts, rate)
