"""The ministry phase: expert review, spot checks, the proposed list, the public notice
(公示) with its objections, and the announcement (公告). See docs/ministry-phase.md."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType

from ..domain.guards import HELD_TOP, LISTED_CODES, acts_for, phase_refused, spot_drawer_refused
from ..domain.inputs import NAME, check_flag, check_ids, check_number, check_text
from ..domain.names import (
    ANNOUNCE,
    CHECK,
    CONCLUDE,
    DISMISS,
    IN_REVIEW,
    OBJECT,
    ON_NOTICE,
    PROPOSE,
    PROPOSED,
    PUBLISH,
    REVIEWED,
    SCORE,
    SELECT_FOR_CHECK,
    UPHOLD,
)
from ..domain.records import OBJECTOR, PUBLIC, Actor, Nomination
from ..domain.rules import checked_score, out_of_time_order, share_count
from ..errors import ConflictError, InvalidInput, Reason, listed
from .idempotency import ReceiptFor, once
from .kernel import Kernel, refusal

__all__ = ["Ministry", "Moved"]


class Moved(tuple[str, ...]):
    """What a step over many units did: the ids it moved, in order (a plain tuple of ids to
    every reader), and :attr:`skipped`, the units it left where they are because a
    disqualification list stands in the way at that moment (a listing, or an eligibility list
    the unit is not on), each with the reasons in English and Chinese naming the list.

    >>> moved = Moved(["a", "b"])
    >>> moved == ("a", "b"), dict(moved.skipped)
    (True, {})
    """

    skipped: Mapping[str, tuple[Reason, ...]]

    def __new__(
        cls, ids: Iterable[str] = (), skipped: Mapping[str, tuple[Reason, ...]] | None = None
    ) -> Moved:
        moved = super().__new__(cls, ids)
        moved.skipped = MappingProxyType(dict(skipped or {}))
        return moved


def _listed_only(reasons: Sequence[Reason]) -> bool:
    """Do the lists alone stand in the way (a refusal a batch step skips, not raises)?"""
    return bool(reasons) and all(r.code in LISTED_CODES for r in reasons)


class Ministry(Kernel):
    """The actions of the ministry phase."""

    def score(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        score: float,
        opinion: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """An expert (the actor's person id, acting for a ministry department) scores a
        received unit from 0 to 100 with a written opinion; each expert scores once."""
        value = checked_score(score)
        text = self._reasoned(SCORE, opinion, "opinion", "意见")
        data = {"expert": actor.person if isinstance(actor, Actor) else "", "score": value,
                "opinion": text}  # fmt: skip
        return self._act(SCORE, actor, nomination, at, None, data, idempotency_key)

    def conclude_review(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Combine the expert scores by the campaign's rule: at least ``pass_score`` → reviewed;
        below → rejected (a re-review unit: revoked). Needs ``min_experts`` scores."""
        return self._act(CONCLUDE, actor, nomination, at, None, None, idempotency_key)

    def draw_spot_checks(
        self,
        actor: Actor,
        *,
        rate: float | None = None,
        nominations: Sequence[str] | None = None,
        seed: int | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[str, ...]:
        """Draw reviewed units for an on-site spot check, in one commit: the ``nominations``
        the ministry names, or a random ``rate`` of them (the campaign's by default, rounded
        up; ``seed`` makes the draw repeatable). Returns the ids drawn. With an idempotency
        key a repeated request returns the first draw instead of drawing again.

        A campaign without spot checks needs no draw (none is made unless units or a rate are
        given, and those are refused). An authority below the top that a ``checks`` rule names
        draws, the same way, from the units it holds in review that the rule covers."""
        self._actor(actor)
        if nominations is not None:
            nominations = check_ids(nominations, "nominations")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or abs(seed) >= 2**64):
            raise InvalidInput(
                f"seed must be a whole number (below 2**64) or None, got {type(seed).__name__}",
                "seed 随机种子必须是整数（小于 2**64）或 None",
            )
        if rate is not None:
            check_number("rate", rate, 0, 1)
            if nominations is not None:
                raise InvalidInput(
                    "draw_spot_checks takes the units to check (nominations) or a share to draw "
                    "(rate), not both",
                    "抽检时请指定被抽检的申报（nominations）或抽取比例（rate），二者不能同时给出",
                )
        self._moment_and_key(at, idempotency_key)
        refused = spot_drawer_refused(actor, self.campaign, self.graph)  # (before any receipt)
        if refused is None and actor.authority == self._top.code and (rate, nominations) != (None, None):
            refused = phase_refused(self.campaign.phases, "spot_check")  # (even with no unit to draw)
        if refused is not None:
            raise refusal(SELECT_FOR_CHECK, None, (refused,))
        return once(
            self.store,
            self.campaign.id,
            idempotency_key,
            ("draw", actor, rate, nominations, seed, at),
            lambda receipt_for: self._draw(actor, rate, nominations, seed, at, receipt_for),
            list,
            tuple,
        )

    def _draw(
        self,
        actor: Actor,
        rate: float | None,
        nominations: Sequence[str] | None,
        seed: int | None,
        at: datetime | None,
        receipt_for: ReceiptFor,
    ) -> tuple[str, ...]:
        when = self._dated(at)
        if actor.authority != self._top.code:
            drawn = self._draw_at_level(actor.authority, rate, nominations, seed)
        else:
            drawn = self._draw_at_top(rate, nominations, seed)
        for n in drawn:
            self._in_order(n, when)
        changes = [
            self._change(n, self._context(n, actor, when, SELECT_FOR_CHECK), SELECT_FOR_CHECK,
                         actor, when, n.state, None, None)
            for n in drawn
        ]  # fmt: skip
        ids = tuple(n.id for n in drawn)
        if changes or receipt_for:
            self._commit(SELECT_FOR_CHECK, changes, receipt_for(ids) if receipt_for else None)
        return ids

    def _draw_at_top(
        self, rate: float | None, nominations: Sequence[str] | None, seed: int | None
    ) -> list[Nomination]:
        if phase_refused(self.campaign.phases, "spot_check") is not None:
            return []  # the campaign holds no spot checks: no draw is needed (nor asked: see above)
        reviewed = self._reviewed_undrawn()
        if nominations is not None:
            by_id = {n.id: n for n in reviewed}
            unknown = [i for i in nominations if i not in by_id]
            if unknown:
                en, zh = listed(unknown)
                raise InvalidInput(
                    f"not reviewed units awaiting a draw: {en}", f"以下申报不是待抽检的已评审单位：{zh}"
                )
            drawn = [by_id[i] for i in nominations]
        else:
            share = self.campaign.ministry.spot_check_rate if rate is None else rate
            check_number("rate", share, 0, 1)
            count = share_count(len(reviewed), float(share), "ceil")
            drawn = random.Random(seed).sample(reviewed, count)
        return drawn

    def _reviewed_undrawn(self) -> list[Nomination]:
        """The units the top has reviewed and not drawn yet."""
        return [n for n in self.store.nominations(self.campaign.id, state=REVIEWED)
                if n.ministry is not None and n.ministry.check is None]  # fmt: skip

    def _draw_at_level(
        self, authority: str, rate: float | None, nominations: Sequence[str] | None, seed: int | None
    ) -> list[Nomination]:
        """The units an authority below the top draws for its own on-site check (the
        campaign's ``checks``): those it holds in review that a check rule covers and that
        were not drawn yet; named, or a ``rate`` of them (the rule's by default, rounded up)."""
        holder = self.graph[authority]
        pool: dict[str, list[Nomination]] = {}  # by check rule, in the order of the rules
        for n in self.store.nominations(self.campaign.id, state=IN_REVIEW):
            rule = self.campaign.check_rule(holder, n.track) if n.holder == authority else None
            if rule is not None and (n.ministry is None or n.ministry.check is None):
                pool.setdefault(rule.name, []).append(n)
        if nominations is not None:
            # The top's candidates too: a lower level naming one is refused by the guards.
            by_id = {n.id: n for n in self._reviewed_undrawn()}
            by_id.update((n.id, n) for group in pool.values() for n in group)
            unknown = [i for i in nominations if i not in by_id]
            if unknown:
                en, zh = listed(unknown)
                raise InvalidInput(
                    f"not units {authority} holds for an on-site check: {en}",
                    f"以下申报不是{holder.name}待实地抽查的单位：{zh}",
                )
            return [by_id[i] for i in nominations]
        drawn: list[Nomination] = []
        pick = random.Random(seed)
        for rule in self.campaign.checks:
            group = pool.get(rule.name, [])
            share = rule.rate if rate is None else rate
            if share is None:
                if group:
                    raise InvalidInput(
                        f"the on-site check {rule.name!r} sets no rate: name the nominations or give a rate",
                        f"实地抽查规则 {rule.name!r} 未规定抽查比例：请指明抽查的申报或给出比例",
                    )
                continue
            drawn += pick.sample(group, share_count(len(group), float(share), "ceil"))
        return drawn

    def record_spot_check(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        passed: bool,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """The result of a drawn unit's on-site check: failed → rejected (re-review: revoked; at a
        level below the top, the campaign's ``checks``: rejected there)."""
        check_flag("passed", passed)
        return self._act(CHECK, actor, nomination, at, self._reasoned(CHECK, reason),
                         {"passed": passed}, idempotency_key, {"passed": passed})  # fmt: skip

    def propose(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Put a reviewed unit (whose spot check, if drawn, passed) on the proposed list."""
        return self._act(PROPOSE, actor, nomination, at, None, None, idempotency_key)

    def _at_top(self, action: str, actor: Actor, *more: Reason | None) -> None:
        """A batch action of the top on the units it holds (publish, announce): refused, with
        ``more`` reasons, unless ``actor`` acts for the campaign's top authority, by the rule
        each unit's guard applies; said before the units are read, so that finding none does
        not pass a refusal off as done."""
        reasons = tuple(
            r for r in (acts_for(actor, self._top, self._department_names, HELD_TOP), *more) if r is not None
        )
        if reasons:
            raise refusal(action, None, reasons)

    def publish_notice(self, actor: Actor, *, at: datetime | None = None) -> Moved:
        """Publish the proposed list (公示): every proposed unit goes on notice, in one commit,
        until the end of the campaign's number of working days (Chinese calendar).

        A unit on a disqualification list at that moment (as the lists are scoped at the top)
        is not published: it stays proposed, and is named in the result's ``skipped`` with the
        reasons (``explain(id, "publish")`` gives the same). Any other refusal refuses the
        whole publication, and nothing is written."""
        from ..domain.workdays import add_working_days

        self._actor(actor)
        when = self._dated(at)
        self._at_top(PUBLISH, actor, phase_refused(self.campaign.phases, "notice"))
        until = add_working_days(when, self.campaign.notice.working_days, timezone=self.campaign.timezone)
        proposed = self.store.nominations(self.campaign.id, state=PROPOSED)
        for n in proposed:
            self._in_order(n, when)
        changes = []
        skipped: dict[str, tuple[Reason, ...]] = {}
        for n in proposed:
            ctx = self._context(n, actor, when, PUBLISH)
            transition, reasons = self.workflow.judge(n.state, PUBLISH, ctx)
            if _listed_only(reasons):
                skipped[n.id] = reasons
                continue
            changes.append(
                self._change(n, ctx, PUBLISH, actor, when, n.state, None, {"until": until.isoformat()},
                             judged=None if reasons else transition)
            )  # fmt: skip
        if changes:
            self._commit(PUBLISH, changes)
        return Moved((c.after.id for c in changes), skipped)

    def file_objection(
        self,
        nomination: str | Nomination,
        *,
        objector: str,
        grounds: str,
        evidence: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """A named objection to a unit on notice, inside the window; it suspends only that
        unit until the ministry rules on it."""
        who = check_text(objector, "objector (the objector's real name)", NAME, zh="异议人（实名）")
        data = {"objector": who, "grounds": self._reasoned(OBJECT, grounds, "grounds", "事实与理由"),
                "evidence": self._reasoned(OBJECT, evidence, "evidence", "证据")}  # fmt: skip
        actor = Actor(PUBLIC, OBJECTOR, who)
        return self._act(OBJECT, actor, nomination, at, None, data, idempotency_key)

    def rule_on_objection(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        upheld: bool,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Upheld → the unit is removed (re-review: revoked); dismissed → back on notice."""
        check_flag("upheld", upheld)
        action = UPHOLD if upheld else DISMISS
        return self._act(action, actor, nomination, at, self._reasoned(action, reason), None,
                         idempotency_key)  # fmt: skip

    def announce(self, actor: Actor | None = None, *, at: datetime | None = None) -> Moved:
        """Announce (公告) every unit whose notice has closed without a standing objection.
        Without ``actor`` this is the deadline sweep's doing. In a campaign without a public
        notice, the ``actor`` announces the proposed units.

        A unit on a disqualification list at that moment (as the lists are scoped at the top)
        is not announced: it stays where it is, and is named in the result's ``skipped`` with
        the reasons; the others are announced."""
        when = self._dated(at)
        if actor is not None:
            self._actor(actor)
            self._at_top(ANNOUNCE, actor)
        done = []
        skipped: dict[str, tuple[Reason, ...]] = {}
        pending = self.store.nominations(self.campaign.id, state=ON_NOTICE)
        if actor is not None and not self.campaign.phases.notice:
            pending = [*self.store.nominations(self.campaign.id, state=PROPOSED), *pending]
        for n in pending:
            who = actor if actor is not None else Actor.deadline_sweep(n.holder)
            ctx = self._context(n, who, when, ANNOUNCE)
            reasons = self.workflow.judge(n.state, ANNOUNCE, ctx)[1]
            if actor is not None and any(r.code == "not_authorized" for r in reasons):
                raise refusal(ANNOUNCE, n.id, reasons)
            if out_of_time_order(n, when) is not None:
                continue  # acted on after `when`
            if reasons:
                if _listed_only(reasons):
                    skipped[n.id] = reasons  # due, but listed: it stays for a ruling
                continue  # notice still open
            try:
                self._commit(ANNOUNCE, [self._change(n, ctx, ANNOUNCE, who, when, n.state, None, None)])
            except ConflictError:
                continue
            done.append(n.id)
        return Moved(done, skipped)
