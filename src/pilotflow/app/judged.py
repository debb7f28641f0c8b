"""Which of a run's lists are judged for a nomination: the lists that bar and admit it, scoped
to its track, unit type and the holding authority (``Campaign.list_rules``), worked out once per
(track, unit type, authority); and the tag lists a unit is on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from ..domain.authorities import Authority
from ..domain.campaign import Campaign, ListRule
from ..domain.records import Nomination
from ..domain.screening import UnitList

__all__ = ["Judged", "JudgedLists"]

#: The lists judged for a nomination: those that bar, every unit code on them, those that admit.
Judged = tuple[tuple[UnitList, ...], frozenset[str], tuple[UnitList, ...]]


class JudgedLists:
    """The judged lists of one run (rebuilt when the run's lists change)."""

    def __init__(self, campaign: Campaign, lists: Mapping[str, UnitList]) -> None:
        self.campaign = campaign
        self._lists = lists
        self._rules = tuple(r for r in campaign.list_rules().values() if r.kind in ("bar", "admit"))
        #: Whether any judged list is scoped; if not, :attr:`everywhere` is judged for all.
        self.scoped = any(r.scoped for r in self._rules)
        self.everywhere = self._judged_by(self._rules)
        self._cache: dict[tuple[str, str, str], Judged] = {}

    def _judged_by(self, rules: Sequence[ListRule]) -> Judged:
        bar = tuple(self._lists[r.id] for r in rules if r.kind == "bar")
        admit = tuple(self._lists[r.id] for r in rules if r.kind == "admit")
        return bar, frozenset(e.unit_code for lst in bar for e in lst.entries), admit

    def of(self, n: Nomination, holder: Authority) -> Judged:
        """The lists judged for ``n`` held at ``holder``."""
        key = (n.track, n.unit_type, holder.code)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = self._judged_by(
                tuple(r for r in self._rules if r.applies(n.track, n.unit_type, holder))
            )
        return found

    def tags(self, unit_code: str, at: datetime) -> frozenset[str]:
        """The ``tag`` lists (of those given) ``unit_code`` is on at ``at``."""
        rules = self.campaign.list_rules()
        return frozenset(
            k
            for k, r in rules.items()
            if r.kind == "tag" and k in self._lists and self._lists[k].hit(unit_code, at) is not None
        )
