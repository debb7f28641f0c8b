"""``notice``: how long the public notice of the results runs, or ``none``."""

from __future__ import annotations

from ...domain.campaign import NoticeRules
from .bounds import WORKING_DAYS
from .phases import is_none
from .scope import Scope


def notice_rules(r: Scope, value: object, version: int = 1) -> NoticeRules:
    """``notice``: ``working_days`` (5 unless given in a format-1 file; a format-2 file that
    holds a notice states it), or ``none`` (no public notice: see :mod:`.phases`)."""
    if value is None or is_none(value):
        return NoticeRules()
    required = ("working_days",) if version >= 2 else ()
    entry = r.mapping(value, "notice", required, () if required else ("working_days",))
    days = r.integer(entry.get("working_days", 5), "notice.working_days", WORKING_DAYS)
    return NoticeRules(working_days=days)
