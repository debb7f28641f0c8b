"""Re-review (复核) of earlier winners: registering them, and their applications."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ..domain.codes import validate_unit_code
from ..domain.guards import top_refused
from ..domain.inputs import check_sequence
from ..domain.names import APPLY, NEW, REGISTER, TRACK_RE_REVIEW
from ..domain.records import Actor, Material, Nomination
from ..errors import DuplicateNomination, InvalidInput, UnknownAuthority
from .idempotency import ReceiptFor, once, ref
from .kernel import MAX_MATERIALS, Kernel, refusal
from .results import Winner, new_id


class ReReview(Kernel):
    """Registering earlier winners and their re-review applications."""

    def register_winners(
        self,
        actor: Actor,
        winners: Iterable[Winner],
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> tuple[Nomination, ...]:
        """Register earlier winners for re-review (复核), in one commit: each awaits its
        application at its authority. Refused whole if any row is bad or already registered;
        with an idempotency key a repeated request returns the first registrations."""
        self._actor(actor)
        if not self.campaign.has_track(TRACK_RE_REVIEW):
            raise InvalidInput(
                f"campaign {self.campaign.id} has no re_review track (see its tracks)",
                f"遴选 {self.campaign.id} 不含复核（tracks 中未声明 re_review）",
            )
        rows = check_sequence(winners, "winners")
        routed = self._checked_winners(rows)
        self._moment_and_key(at, idempotency_key)
        # Every argument checked, then the right: said even with no winner to register.
        refused = top_refused(actor, self._top.code, self._top.name)
        if refused is not None:
            raise refusal(REGISTER, None, (refused,))
        return once(
            self.store,
            self.campaign.id,
            idempotency_key,
            (REGISTER, actor, rows, at),
            lambda receipt_for: self._register(actor, routed, at, receipt_for),
            lambda done: [ref(n) for n in done],
            lambda refs: tuple(self._at_version(r) for r in refs),
        )

    def _checked_winners(self, winners: Sequence[object]) -> list[tuple[Winner, tuple[str, ...]]]:
        """Each row a winner this campaign re-reviews, listed once, with its route; else
        InvalidInput naming the row."""
        batches = set(self.campaign.re_review.batches)
        seen: dict[str, int] = {}  # unit code -> its row
        out = []
        for i, w in enumerate(winners, start=1):
            where = f"winner {i}"
            if not isinstance(w, Winner):
                raise InvalidInput(
                    f"{where}: expected a Winner, got {type(w).__name__}", f"第 {i} 行不是 Winner"
                )
            validate_unit_code(w.unit_code, f"{where}: unit_code")
            self._unit_type(w.unit_type)
            self._scenario(w.scenario, where, required=False)
            if batches and w.batch not in batches:
                raise InvalidInput(
                    f"{where}: batch {w.batch} is not re-reviewed by this campaign "
                    f"({', '.join(map(str, sorted(batches)))})",
                    f"{where}：{w.batch} 年批次不在本次复核范围内",
                )
            if w.authority not in self.graph:
                raise UnknownAuthority(w.authority, f"{where}: authority")
            if w.unit_code in seen:
                raise InvalidInput(
                    f"{where}: unit {w.unit_code} is listed twice in this batch (first as winner "
                    f"{seen[w.unit_code]})",
                    f"第 {i} 行：单位 {w.unit_code} 在本批名单中重复出现（首次在第 {seen[w.unit_code]} 行）",
                )
            seen[w.unit_code] = i
            out.append((w, self._route_from(w.authority, f"{where}: authority")))
        return out

    def _register(
        self,
        actor: Actor,
        winners: Sequence[tuple[Winner, tuple[str, ...]]],
        at: datetime | None,
        receipt_for: ReceiptFor,
    ) -> tuple[Nomination, ...]:
        when = self._dated(at)
        changes = []
        for w, route in winners:
            name = w.unit_name.strip()  # as nominate keeps a name
            new = Nomination(
                new_id(), self.campaign.id, self.campaign.revision, w.unit_code, name,
                w.unit_type, w.scenario, route, 0, NEW, (), (), (), 0, when, when,
                TRACK_RE_REVIEW, w.batch,
            )  # fmt: skip
            data = {"campaign": self.campaign.id, "unit_code": w.unit_code, "unit_name": name,
                    "unit_type": w.unit_type, "scenario": w.scenario, "route": route,
                    "track": TRACK_RE_REVIEW, "batch": w.batch}  # fmt: skip
            ctx = self._context(new, actor, when, REGISTER)
            ctx.registered_in = self.graph.registered_in(w.unit_code)
            changes.append(self._change(None, ctx, REGISTER, actor, when, NEW, None, data, new))
        # (every row checked first; then the units registered already, in a few reads)
        codes = [w.unit_code for w, _ in winners]
        claimed = self.store.claimed(self.campaign.id, codes, TRACK_RE_REVIEW) if codes else set()
        if claimed:
            raise DuplicateNomination(next(c for c in codes if c in claimed), "re-review registration")
        if changes:
            done = tuple(c.after for c in changes)
            self._commit(REGISTER, changes, receipt_for(done) if receipt_for else None)
        return tuple(c.after for c in changes)

    def apply_for_re_review(
        self,
        actor: Actor,
        unit_code: str,
        *,
        materials: Iterable[Material] = (),
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """An earlier winner applies for re-review at its authority, with its materials (the
        re-review form and, where the campaign asks, the video), before the first deadline."""
        validate_unit_code(unit_code)
        found = self.store.find_claim(self.campaign.id, unit_code, TRACK_RE_REVIEW)
        if found is None:
            raise InvalidInput(
                f"unit {unit_code} is not registered for re-review in this campaign",
                f"单位 {unit_code} 不在本次复核名单中",
            )
        mats = self._admit.units_own(check_sequence(materials, "materials", MAX_MATERIALS))
        return self._act(APPLY, actor, found.id, at, None, {"materials": mats}, idempotency_key)
