"""Questions about a run: why an action would be refused, what an actor may do, where a
nomination is, quota use, the log and the state rebuilt from it. Nothing here writes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ..domain.calendar import moment
from ..domain.codes import validate_unit_code
from ..domain.events import Snapshot
from ..domain.inputs import check_sequence
from ..domain.machine import STATES
from ..domain.names import (
    ACTION_NAMES_ZH,
    EXAMINE,
    IN_REVIEW,
    QUOTA_ALL_TYPES,
    RECOMMEND,
    S_SEND,
    S_STAMP,
    STAMP,
    STATE_ZH,
)
from ..domain.records import Actor, Nomination
from ..domain.rules import closing, out_of_time_order
from ..errors import InvalidInput, Reason, shown
from .applicants import replay_with_seats
from .kernel import PUBLIC_ACTIONS
from .results import Position, QuotaLine
from .submissions import Submissions
from .views import EventList, EventLog, NominationList, QuotaTable


class Queries(Submissions):
    """Questions; nothing here writes."""

    def explain(
        self,
        nomination: str | Nomination,
        action: str,
        *,
        actor: Actor | None = None,
        at: datetime | None = None,
    ) -> tuple[Reason, ...]:
        """Every reason ``action`` would be refused now (empty: it would go ahead).

        Changes nothing. Without ``actor`` the authorisation guard is not judged.
        """
        if action not in PUBLIC_ACTIONS:
            raise InvalidInput(
                f"unknown action {shown(action)}; expected one of {', '.join(PUBLIC_ACTIONS)}",
                f"未知操作 {shown(action)}；应为"
                + "、".join(f"{ACTION_NAMES_ZH[a]}（{a}）" for a in PUBLIC_ACTIONS)
                + "之一",
            )
        n = self._nomination(nomination)
        when = self._at(at)
        if actor is not None:
            self._actor(actor)
        if action in (STAMP, RECOMMEND):  # the letter's action: see .submissions
            reasons = self._explain_by_unit(n, S_STAMP if action == STAMP else S_SEND, actor, when)
        else:
            ctx = self._context(n, actor, when, action)
            reasons = self.workflow.judge(n.state, action, ctx)[1]
        late = out_of_time_order(n, when)
        if late is not None:
            reasons += (late,)
        return reasons

    def available_actions(
        self, actor: Actor, nomination: str | Nomination, *, at: datetime | None = None
    ) -> tuple[str, ...]:
        """The actions ``actor`` may take on the nomination now."""
        n = self._nomination(nomination)
        self._actor(actor)
        when = self._at(at)
        out = []
        for action in self.workflow.actions_from(n.state):
            if action not in PUBLIC_ACTIONS or (action == EXAMINE and actor.is_applicant):
                continue
            if action == RECOMMEND:  # with its letter, stamped first
                if actor.is_applicant:
                    continue
                if not self._explain_by_unit(n, S_STAMP, actor, when):
                    out.append(STAMP)
                if not self._explain_by_unit(n, S_SEND, actor, when):
                    out.append(RECOMMEND)
                continue
            ctx = self._context(n, actor, when, action)
            if not self.workflow.judge(n.state, action, ctx)[1]:
                out.append(action)
        return tuple(out)

    def get(self, nomination_id: str) -> Nomination:
        """The current version of a nomination."""
        return self._nomination(nomination_id)

    def nominations(
        self,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> NominationList:
        """This campaign's nominations, filtered (an unknown holder, state or unit type, or a
        holder outside the campaign's scope, is refused rather than matching nothing): a list
        that also tabulates itself (``to_frame()``; see :mod:`pilotflow.app.views`)."""
        if holder is not None:
            self._taking_part(holder, "holder")
        if state is not None and state not in STATES:
            raise InvalidInput(
                f"unknown state {shown(state)}; states are {', '.join(STATES)}",
                f"未知的状态 {shown(state)}；状态应为：{'、'.join(f'{STATE_ZH[k]}（{k}）' for k in STATES)}",
            )
        if unit_type is not None:
            self._unit_type(unit_type)
        found = self.store.nominations(self.campaign.id, holder=holder, state=state, unit_type=unit_type)
        return NominationList(found, campaign=self.campaign, graph=self.graph)

    def history(self, nomination: str | Nomination) -> EventList:
        """The audit events of one nomination, oldest first (a list; ``to_frame()``): a
        nomination's log is short (a few tens of events), read at once."""
        n = self._nomination(nomination)
        return EventList(self.store.events(self.campaign.id, n.id), campaign=self.campaign, graph=self.graph)

    def events(self) -> EventLog:
        """The whole audit log of this campaign, in append order: an :class:`EventLog`, read
        from the store a page at a time as it is iterated (``len``, indexing, ``==`` with a
        list and ``to_frame()`` work as on a list; see :mod:`pilotflow.app.views`)."""
        return EventLog(self.store, self.campaign, self.graph)

    def position(self, nomination: str | Nomination, *, at: datetime | None = None) -> Position:
        """Which authority and level hold the nomination, and what it still lacks."""
        n = self._nomination(nomination)
        when = self._at(at)
        ctx = self._context(n, None, when, RECOMMEND)
        reasons = self._explain_by_unit(n, S_SEND, None, when) if n.state == IN_REVIEW else ()
        stamps: tuple[str, ...] = ()
        mats: tuple[str, ...] = ()
        for r in reasons:
            if r.code == "stamps_missing":
                stamps = tuple(r.details["missing"])
            elif r.code in ("materials_missing", "letter_materials_missing"):  # its own, its letter's
                mats = (*mats, *r.details["missing"])
        holder = self.graph[n.holder]
        return Position(
            n.id, n.state, holder.code, holder.name, holder.level, n.next_authority,
            closing(ctx.deadline_plan.deadline, n.state, self.campaign.filing), stamps, mats,
        )  # fmt: skip

    def quota(self, authority: str) -> tuple[QuotaLine, ...]:
        """Limit, use and remaining quota of ``authority`` (one taking part in the campaign)
        per unit type, and in total."""
        a = self._taking_part(authority, "authority")
        rule = self.campaign.quota_rule(a)
        limits, total = rule.limits_of(a.code) if rule else ({}, None)
        lines = [
            QuotaLine(authority, t, limits.get(t), self._quota_used(authority, t))
            for t in self.campaign.unit_types
        ]
        all_types = self._quota_used(authority, QUOTA_ALL_TYPES)
        lines.append(QuotaLine(authority, QUOTA_ALL_TYPES, total, all_types))
        return tuple(lines)

    def quota_table(self, authorities: Iterable[str] | None = None) -> QuotaTable:
        """:meth:`quota` for several authorities (default: every one with seats in use; each
        given once, in the order given), as a list that also tabulates itself (``to_frame()``)."""
        if authorities is None:
            # (the authorities with seats in use that take part: one a revision took out of the
            # campaign is left out, not refused)
            used = self.store.quota_usage(self.campaign.id)
            part = self.campaign.takes_part
            authorities = sorted({a for a, _ in used if a in self.graph and part(self.graph[a])})
        # (each authority once, in the order first given: a repeated one is no new question)
        once = {self.graph[a].code: None for a in check_sequence(authorities, "authorities")}
        lines = [line for a in once for line in self.quota(a)]
        return QuotaTable(lines, campaign=self.campaign, graph=self.graph)

    def unit_tags(self, unit_code: str, *, at: datetime | None = None) -> frozenset[str]:
        """The ids of the campaign's ``tag`` lists ``unit_code`` is on at ``at`` (default: now)
        among the lists this run was given."""
        validate_unit_code(unit_code, "unit_code")
        return self._judged.tags(unit_code, self._at(at))

    def replay(self) -> Snapshot:
        """State and quota use rebuilt from the audit log alone (streamed from the store: the
        log is never held whole)."""
        return replay_with_seats(self.store.iter_events(self.campaign.id))

    def as_of(self, when: datetime) -> Snapshot:
        """State and quota use as they were at ``when`` (rebuilt from the log; the store
        reads only the events dated up to ``when``)."""
        until = moment(when, "as_of moment")
        return replay_with_seats(self.store.iter_events(self.campaign.id, until=until), until)
