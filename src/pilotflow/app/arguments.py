"""What a caller passes, checked: the actor, the nomination, unit types, scenarios, written
reasons, the origin of a route and the facts routing rules ask of a unit. Mixed into
:class:`~.kernel.Kernel`, whose state (campaign, graph, store, lists) it reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TypeVar

from ..domain.authorities import Authority, AuthorityGraph
from ..domain.calendar import moment
from ..domain.campaign import Campaign, UnitFacts
from ..domain.codes import validate_unit_code
from ..domain.guards import role_refused
from ..domain.inputs import LONG_TEXT, NAME, check_text
from ..domain.machine import ACTION_ZH, Workflow
from ..domain.names import ACTION_NAMES_ZH
from ..domain.records import APPLICANT, OBJECTOR, PUBLIC, Actor, Nomination
from ..domain.screening import UnitList
from ..domain.submissions import Submission
from ..errors import ActionRefused, InvalidInput, NominationNotFound, shown
from ..store.base import Store
from .idempotency import checked_key

R = TypeVar("R", Nomination, Submission)

__all__ = ["Arguments"]


class Arguments:
    """The checks of a run's arguments (see the module docstring)."""

    campaign: Campaign
    graph: AuthorityGraph
    store: Store
    workflow: Workflow
    _members: frozenset[tuple[str, str]]
    _department_names: Mapping[str, str]
    _lists: dict[str, UnitList]
    _routing_lists: frozenset[str] | None

    def _actor(self, actor: object) -> Actor:
        if type(actor) is Actor and (actor.authority, actor.department) in self._members:
            return actor  # a department of a known authority: the common case, one lookup
        if not isinstance(actor, Actor):
            raise InvalidInput(
                f"actor must be an Actor, got {type(actor).__name__}",
                "actor 参数必须是 Actor（机关、部门、经办人）",
            )
        if actor.department == APPLICANT:
            validate_unit_code(actor.authority, "actor.authority (applicant unit code)")
        elif actor.authority == PUBLIC and actor.department == OBJECTOR:
            pass  # a member of the public filing an objection, named by actor.person
        else:
            self.graph[actor.authority].check_department(actor.department, self._department_names)
        return actor

    @staticmethod
    def _moment_and_key(at: object, key: object) -> None:
        """The moment ``at`` and the idempotency ``key`` of an action, checked before its
        right is judged (an argument is refused as such, not as the actor's refusal)."""
        if at is not None:
            moment(at, "at")
        if key is not None:
            checked_key(key)

    def _authority_actor(
        self, actor: Actor, action: str, doing: str, doing_zh: str, at: object = None, key: object = None
    ) -> None:
        """For what only a department of an authority does, once the caller has checked its
        other arguments: the actor, the moment ``at`` and the idempotency ``key`` are checked, then an
        applicant or an objector is refused (``not_authorized``), then an authority that takes no
        part in the campaign (:meth:`_taking_part`)."""
        self._actor(actor)
        self._moment_and_key(at, key)
        refused = role_refused(actor, doing, doing_zh)
        if refused is not None:
            raise ActionRefused(action, None, (refused,), action_zh=ACTION_NAMES_ZH.get(action, doing_zh))
        self._taking_part(actor.authority, "actor.authority")

    @staticmethod
    def _record_id(value: object, kind: type, what: str, zh: str) -> str:
        """The id of ``value`` (an id, or a record of ``kind`` with one), checked as text."""
        rid = getattr(value, "id", None) if isinstance(value, kind) else value
        if not isinstance(rid, str):
            raise InvalidInput(
                f"{what} must be an id or a {kind.__name__}, got {type(value).__name__}",
                f"{what} 参数必须是{zh}编号或 {kind.__name__} 对象",
            )
        check_text(rid, f"{what} id", NAME, zh=f"{zh}编号")
        return rid

    def _nomination(self, nomination: str | Nomination) -> Nomination:
        return self._ours(self.store.get(self._record_id(nomination, Nomination, "nomination", "申报")))

    def _nominations(self, ids: Sequence[str]) -> dict[str, Nomination]:
        """The nominations ``ids`` (checked ids) by id, read at once; refused as reading
        them one at a time would refuse the first that stands in the way (missing, or of
        another campaign)."""
        try:
            found = self.store.get_many(ids)
        except NominationNotFound:
            for nid in ids:  # (the first that one read at a time names: it raises)
                self._nomination(nid)
            raise
        return {self._ours(n).id: n for n in found}

    def _other_campaign(self, n: Nomination | Submission) -> InvalidInput:
        """The refusal of a nomination or letter (推荐函) of another campaign than the run's."""
        what, zh = ("submission", "推荐函") if isinstance(n, Submission) else ("nomination", "申报")
        return InvalidInput(
            f"{what} {n.id} belongs to campaign {n.campaign}, not {self.campaign.id}",
            f"{zh} {n.id} 属于遴选 {n.campaign}，不属于 {self.campaign.id}",
        )

    def _ours(self, record: R) -> R:
        """``record`` (a nomination or letter), if it is of the run's campaign."""
        if record.campaign != self.campaign.id:
            raise self._other_campaign(record)
        return record

    def _unit_type(self, unit_type: object) -> None:
        if not isinstance(unit_type, str) or unit_type not in self.campaign.unit_types:
            raise InvalidInput(
                f"unknown unit_type {shown(unit_type)}; "
                f"this campaign has {', '.join(self.campaign.unit_types)}",
                f"未知的申报类型 {shown(unit_type)}；本次遴选的类型为"
                + "、".join(f"{t.name.zh}（{t.code}）" for t in self.campaign.unit_types.values()),
            )

    def _unit_facts(self, unit_code: str, unit_type: str, scenario: str, at: datetime) -> UnitFacts | None:
        """What the campaign's routing and entry rules ask of a unit filing at ``at`` (None:
        they ask nothing): its scenario, type, and the lists they name that it is on."""
        wanted = self._routing_lists
        if wanted is None:
            return None
        on = frozenset(lid for lid in wanted if lid in self._lists and self._lists[lid].hit(unit_code, at))
        return UnitFacts(scenario, unit_type, on)

    def _scenario(self, scenario: object, where: str, required: bool) -> None:
        """A nomination's scenario: one the campaign declares, required (a new application)
        where it declares any; otherwise ``""`` (none stated)."""
        scenarios = self.campaign.scenarios
        if scenario == "" and not (required and scenarios):
            return
        if not isinstance(scenario, str) or scenario not in scenarios:
            known = ", ".join(scenarios) or "none: leave scenario out"
            raise InvalidInput(
                f"{where}: unknown scenario {shown(scenario)}; this campaign's scenarios: {known}",
                f"{where}：应用场景无效"
                + (
                    f"，本次遴选的场景为{'、'.join(s.name.zh for s in scenarios.values())}"
                    if scenarios
                    else "，本次遴选不分应用场景"
                ),
            )

    def _reasoned(self, action: str, reason: object, what: str = "reason", what_zh: str = "理由") -> str:
        """A written reason (or opinion, objection...) for ``action``, by the text rule."""
        action_zh = ACTION_ZH.get(action, action)
        if reason is None or (isinstance(reason, str) and not reason.strip()):
            raise InvalidInput(
                f"{action} needs a {what} (a non-empty string)", f"{action_zh}操作必须填写{what_zh}"
            )
        return check_text(reason, f"{action} {what}", LONG_TEXT, multiline=True, zh=f"{action_zh}{what_zh}")

    def _taking_part(self, code: str, where: str, *, filing: bool = False) -> Authority:
        """The authority ``code`` names, which must take part in the campaign (with
        ``filing``: be in its scope); else :class:`InvalidInput` (``where``: what the code was
        given as). See :meth:`Campaign.taking_part`."""
        return self.campaign.taking_part(self.graph[code], where, filing=filing)

    def _route_from(self, origin: str, where: str, unit: UnitFacts | None = None) -> tuple[str, ...]:
        """The route from ``origin``, which must take part in the campaign (its scope) and lie
        below its top."""
        authority = self._taking_part(origin, where, filing=True)
        route = self.workflow.route(origin, unit)
        if len(route) < 2:
            raise InvalidInput(
                f"{where}: {origin} ({authority.name}) is the top of the route; a nomination starts below it",
                f"{where}：{authority.name}为本次遴选的最高一级机关，不能作为申报起点",
            )
        return route
