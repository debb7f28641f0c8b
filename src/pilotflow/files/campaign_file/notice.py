"""``notice``: how long the public notice of the results runs."""

from __future__ import annotations

from ...domain.campaign import NoticeRules
from .bounds import WORKING_DAYS
from .scope import Scope


def notice_rules(r: Scope, value: object) -> NoticeRules:
    """``notice``: ``working_days`` (5 unless given)."""
    entry = r.mapping(value, "notice", (), ("working_days",))
    days = r.integer(entry.get("working_days", 5), "notice.working_days", WORKING_DAYS)
    return NoticeRules(working_days=days)
