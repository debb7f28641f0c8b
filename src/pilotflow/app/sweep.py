"""The deadline sweep: lapses, revocations of winners that did not apply, announcements."""

from __future__ import annotations

from datetime import datetime

from ..domain.names import AWAITING_APPLICATION, IN_REVIEW, LAPSE, REVOKE_UNAPPLIED
from ..domain.records import Actor, Nomination
from ..domain.rules import closing, out_of_time_order
from ..errors import ActionRefused, ConflictError
from .ministry import Ministry, Moved


class Sweep(Ministry):
    """The deadline sweep (it announces through the ministry phase)."""

    def tick(self, now: datetime | None = None) -> Moved:
        """The deadline sweep: lapse every nomination whose hop deadline has passed at
        ``now`` while it was still in review (never forwarded in time), revoke every earlier
        winner that did not apply for re-review in time, and announce every unit whose public
        notice has closed without a standing objection.

        Safe to run often and from several processes at once: each transition is an ordinary
        versioned commit, so it fires exactly once (a concurrent sweep that loses the race sees
        a conflict and moves on). Returns the ids this call moved. ``now`` obeys the rule of
        every action's moment: it may differ from the clock only within the campaign's
        tolerance (a backfill run: not later than the clock).

        A unit whose notice has closed but that is on a disqualification list at ``now`` is
        not announced: it stays on notice, and the result's ``skipped`` names it with the
        reasons (see :meth:`announce`); a later sweep announces it once its listing has ended,
        unless the ministry declines it first.
        """
        when = self._dated(now, "now")
        fired = []
        for state, action, why in (
            (IN_REVIEW, LAPSE, "deadline passed / 报送期限已过"),
            (AWAITING_APPLICATION, REVOKE_UNAPPLIED,
             "no re-review application by the deadline: title revoked / 逾期未申请复核，撤销称号并摘牌"),
        ):  # fmt: skip
            for n in self._maybe_due(state, when):
                ctx = self._context(n, None, when, action)
                deadline = closing(ctx.deadline_plan.deadline, state, self.campaign.filing)
                if deadline is None or when < deadline or out_of_time_order(n, when) is not None:
                    continue
                system = Actor.deadline_sweep(n.holder)
                try:
                    change = self._change(n, ctx, action, system, when, n.state, why, None)
                    self._commit(action, [change])
                except (ConflictError, ActionRefused):
                    continue  # another sweep (or an action) got there first
                fired.append(n.id)
        announced = self.announce(at=when)
        return Moved((*fired, *announced), announced.skipped)

    def _maybe_due(self, state: str, when: datetime) -> list[Nomination]:
        """The live nominations of ``state`` whose hop deadline (a winner awaiting its
        application: the filing deadline, if earlier) has passed at ``when``, oldest first: a
        hop's deadline depends only on the route and the hop (its plan), so the store
        groups them by (route, hop), each group's deadline is looked up once, and only the
        groups past it are read. Each nomination read is judged as before (this only spares
        reading the others)."""
        campaign, filing = self.campaign.id, self.campaign.filing
        due = []
        for route, hop in self.store.route_groups(campaign, state):
            deadline = closing(self.workflow.stored_plan(route).hops[hop].deadline, state, filing)
            if deadline is not None and not when < deadline:
                due.append((route, hop))
        return self.store.nominations_at(campaign, state, due) if due else []
