"""Lists (名单) loaded into the campaign's store once, and used by every later run.

An operator loads a list with :meth:`ListLoading.load_list` (or ``pilotflow lists load``), as
a department of an authority whose reach covers every place the list is judged (the rule:
:func:`~pilotflow.domain.guards.list_loader_refused`): the store keeps it under its version
with who loaded it and when, and keeps every earlier version (an event cites the versions of
the lists it was judged with; :meth:`ListLoading.stored_list` gives any of them back). A run
made on the store uses the lists stored for its campaign; the lists given to it
(``CampaignRun(lists=...)``) replace the stored ones of the same id, one by one, so that a
list can be tried or overridden for one run without touching the others.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from datetime import datetime

from ..domain.campaign import Campaign
from ..domain.guards import list_loader_refused
from ..domain.inputs import check_sequence
from ..domain.records import Actor
from ..domain.screening import UnitList
from ..errors import ActionRefused, InvalidInput
from ..store.base import ListLoad, check_list_load
from .kernel import Kernel

__all__ = ["LOAD_LIST", "ListLoading", "campaign_lists", "check_list_id"]

#: The action's name in a refusal.
LOAD_LIST = "load_list"


def campaign_lists(campaign: Campaign) -> Mapping[str, str]:
    """Every list the campaign names, id → Chinese name: those it consults (``lists``) and
    the rank-first lists of its ranking (a rank-first list it does not describe: its id)."""
    named = {k: rule.name.zh for k, rule in campaign.list_rules().items()}
    ranking = campaign.ranking
    for lid in (*ranking.priority_lists, *(x for ids in ranking.tracks.values() for x in ids)):
        named.setdefault(lid, lid)
    return named


def check_list_id(campaign: Campaign, list_id: object, what: str = "list") -> str:
    """``list_id`` if the campaign names that list; else :class:`InvalidInput` naming the
    closest id and every list of the campaign (a mistyped id must never leave the real list
    unseen)."""
    named = campaign_lists(campaign)
    if isinstance(list_id, str) and list_id in named:
        return list_id
    shown = repr(list_id[:60]) if isinstance(list_id, str) else type(list_id).__name__
    close = difflib.get_close_matches(list_id, list(named), n=1) if isinstance(list_id, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    hint_zh = f"（是否应为 {close[0]!r}，即{named[close[0]]}？）" if close else ""
    raise InvalidInput(
        f"{what}: campaign {campaign.id} has no list {shown}{hint}; its lists: {', '.join(named) or 'none'}",
        f"{what}：本次遴选没有标识为 {shown} 的名单{hint_zh}；"
        f"本次遴选的名单：{'、'.join(named.values()) or '无'}",
    )


class ListLoading(Kernel):
    """Loading lists into the store, and reading them back (see the module docstring)."""

    def _lists_in_use(self, given: Iterable[UnitList] | None) -> Iterable[UnitList]:
        """The stored lists of the campaigns' ids, each replaced by the one of its id given."""
        items = () if given is None else check_sequence(given, "lists")
        mine = {x.id for x in items if isinstance(x, UnitList)}
        named = campaign_lists(self.campaign)
        current = {x.list_id: x.version for x in self.store.list_loads(self.campaign.id)}
        stored = [
            self.store.stored_list(self.campaign.id, lid, version)
            for lid, version in current.items()
            if lid in named and lid not in mine
        ]
        return [*(x for x in stored if x is not None), *items]

    def load_list(
        self, unit_list: UnitList, *, actor: Actor, at: datetime | None = None, source: str = ""
    ) -> ListLoad:
        """Keep ``unit_list`` in the store as its id's current version, loaded by ``actor`` at
        ``at`` (the clock's moment by default, dated like every action) from ``source`` (a file
        name, for the record), and judge this run's later actions with it.

        Earlier versions stay in the store. A version that is already the current one is not
        stored again: the load returned is then the one that stored it. The list's id must be
        one the campaign names (:class:`~pilotflow.errors.InvalidInput` names the closest).

        Who loads a list: a department of an authority whose reach covers every place the
        list is judged (its rule's ``within``). A list judged everywhere (no ``within``) is
        loaded by the campaign's top authority alone (the ministry, or a province's own top);
        a list judged within some authorities, by an authority that is or contains each of
        them (Shandong's list judged within Shandong: by Shandong or the ministry, never by a
        city or district); never by an authority outside the campaign's top (the ministry in a
        province's own campaign). Anyone else, and an applicant, an objector or the system, is
        refused (:class:`~pilotflow.errors.ActionRefused`, ``not_authorized``), after every
        argument is checked (:class:`~pilotflow.errors.InvalidInput`); a refusal changes
        nothing.
        """
        if not isinstance(unit_list, UnitList):
            raise InvalidInput(
                f"unit_list must be a UnitList (see load_list), got {type(unit_list).__name__}",
                "unit_list 参数必须是 UnitList 名单（可用 load_list 从 CSV 文件读取）",
            )
        check_list_id(self.campaign, unit_list.id)
        who = self._actor(actor)
        when = self._dated(at)
        load = ListLoad(unit_list.id, unit_list.version, len(unit_list), who, when, source)
        check_list_load(self.campaign.id, unit_list, load)  # (every argument before the right)
        refused = list_loader_refused(who, self.campaign, unit_list.id, self.graph)
        if refused is not None:
            raise ActionRefused(LOAD_LIST, None, (refused,), action_zh="载入名单")
        self.store.save_list(self.campaign.id, unit_list, load)
        self.use_list(unit_list)
        return self.store.list_loads(self.campaign.id, unit_list.id)[-1]

    def list_loads(self, list_id: str | None = None) -> list[ListLoad]:
        """Every load of the campaign's lists (or of the list ``list_id``), oldest first: the
        last of each id is the version stored runs use."""
        if list_id is not None:
            check_list_id(self.campaign, list_id)
        return self.store.list_loads(self.campaign.id, list_id)

    def stored_list(self, list_id: str, version: str | None = None) -> UnitList:
        """The list ``list_id`` as stored: its current version, or ``version`` (one an event
        cites in its ``lists``). :class:`~pilotflow.errors.InvalidInput` if it is not stored."""
        check_list_id(self.campaign, list_id)
        if version is not None and not isinstance(version, str):
            raise InvalidInput(
                f"version must be text, got {type(version).__name__}", "version 参数必须是文本（名单版本）"
            )
        found = self.store.stored_list(self.campaign.id, list_id, version)
        if found is None:
            which = f"version {version!r} of list" if version is not None else "list"
            name = campaign_lists(self.campaign)[list_id]  # (the list by its name: check_list_id knows it)
            which_zh = f"{name}的版本 {version!r}" if version is not None else name
            raise InvalidInput(
                f"{which} {list_id!r} is not stored for campaign {self.campaign.id} (load it first)",
                f"数据库中没有{which_zh}（请先载入）",
            )
        return found
