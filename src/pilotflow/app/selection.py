"""Selection at one level: rank the candidates of a unit type, list those within quota in the
sender's draft submission (推荐函) and cut the rest, in one commit."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from ..domain.events import seat_counters
from ..domain.guards import Context
from ..domain.inputs import check_flag, check_ids, check_sequence
from ..domain.names import CUT, DRAFT, IN_REVIEW, NEW, RECOMMEND, S_ADD, S_PREPARE, TRACK_NEW
from ..domain.records import Actor, Nomination
from ..domain.rules import out_of_time_order
from ..domain.submissions import Submission
from ..errors import InvalidInput, Reason, listed
from ..store import Change, SubmissionChange
from .idempotency import ReceiptFor, once
from .results import SelectionResult, new_id, selection_data, selection_from
from .submissions import Submissions
from .views import SelectionList

#: A progress callback: called with (done, total, what) before the first step and after each.
Progress = Callable[[int, int, str], object]


def check_progress(progress: object) -> Progress | None:
    """``progress`` if it is None or callable, else :class:`InvalidInput`."""
    if progress is not None and not callable(progress):
        raise InvalidInput(
            "progress must be a callable (done, total, what) or None, e.g. pilotflow.display.progress_bar()",
            "progress 参数必须是可调用对象 (done, total, what) 或 None，"
            "例如 pilotflow.display.progress_bar()",
        )
    return progress


class Selection(Submissions):
    """Ranking and selection within quota."""

    def rank(
        self,
        authority: str,
        unit_type: str,
        order: Sequence[str] = (),
        *,
        at: datetime | None = None,
        track: str = TRACK_NEW,
    ) -> tuple[Nomination, ...]:
        """The authority's candidates of ``unit_type`` in ``track``, ranked: units on the
        rank-first lists of the track (those scoped to the unit type and the authority) at
        ``at`` first, in the lists' order, then ``order`` (nomination ids), then by filing
        time."""
        when = self._at(at)
        self._taking_part(authority, "authority")
        self._unit_type(unit_type)
        order = check_ids(order, "order")
        self.campaign.check_track(track)
        candidates = [
            n
            for n in self.store.nominations(
                self.campaign.id, holder=authority, state=IN_REVIEW, unit_type=unit_type
            )
            if n.track == track
        ]
        ids = {c.id for c in candidates}
        unknown = [i for i in order if i not in ids]
        if unknown:
            en, zh = listed(unknown)
            raise InvalidInput(
                f"order names nominations that are not candidates of {authority} for {unit_type}: {en}",
                f"排序中包含不属于{self.graph[authority].name}"
                f"{self._department_names.get(unit_type, unit_type)}类待推荐名单的申报：{zh}",
            )
        position = {nid: i for i, nid in enumerate(order)}
        holder, rules = self.graph[authority], self.campaign.list_rules()
        priority = [
            self._lists.get(k)
            for k in self.campaign.ranking.for_track(track)
            if k not in rules or rules[k].applies(track, unit_type, holder)
        ]

        lists = [(i, lst) for i, lst in enumerate(priority) if lst is not None and lst.entries]
        if not lists and not position:
            return tuple(candidates)  # the store lists them by filing time already
        last, unplaced = len(priority), len(position)

        def key(n: Nomination) -> tuple[int, int, datetime]:
            tier = last
            for i, lst in lists:
                if lst.hit(n.unit_code, when):
                    tier = i
                    break
            return (tier, position.get(n.id, unplaced), n.created_at)

        return tuple(sorted(candidates, key=key))

    def select(
        self,
        actor: Actor,
        unit_type: str,
        *,
        order: Sequence[str] = (),
        at: datetime | None = None,
        dry_run: bool = False,
        idempotency_key: str | None = None,
        track: str = TRACK_NEW,
    ) -> SelectionResult:
        """Rank the actor's authority's candidates, list those within quota in its draft
        submission (推荐函) to the next authority (a new draft if it has none), in rank order,
        and cut the rest, in one commit. The letter is then stamped and sent
        (``stamp_submission``, ``send``): ``result.submissions`` names it, and every draft
        listing a recommended unit (one listed before this selection too).

        Units already listed in the authority's drafts count against its quota first.
        Candidates ranked past the quota are cut (``not_recommended``, reason "quota");
        candidates that fail another guard (examination, materials, lists, deadline) are
        skipped and reported with their reasons. ``dry_run`` computes the same result and writes
        nothing (the "what-if"). ``track="re_review"`` selects among earlier winners applying
        for re-review (capped at the province by the campaign's share of applicants).
        """
        check_flag("dry_run", dry_run)
        order = check_ids(order, "order")
        self._unit_type(unit_type)
        self._authority_actor(actor, "select", "a selection is made", "遴选推荐", at, idempotency_key)
        if dry_run:
            return self._select(actor, unit_type, order, at, True, None, track)  # writes nothing: no scope
        return once(
            self.store,
            self.campaign.id,
            idempotency_key,
            ("select", actor, unit_type, order, at, track),
            lambda receipt_for: self._select(actor, unit_type, order, at, False, receipt_for, track),
            selection_data,
            selection_from,
        )

    def select_many(
        self,
        actors: Iterable[Actor],
        unit_type: str,
        *,
        at: datetime | None = None,
        dry_run: bool = False,
        track: str = TRACK_NEW,
        progress: Progress | None = None,
    ) -> SelectionList:
        """:meth:`select` at several authorities, one after another (each its own commit):
        one actor per authority (at most as many as the graph has authorities). Returns the
        results as a list that also tabulates itself (``to_frame()``: one row per candidate).

        ``progress`` is called as ``progress(done, total, authority)`` before the first
        selection and after each (``pilotflow.display.progress_bar()`` draws a bar in a
        terminal or a notebook).
        """
        report = check_progress(progress)
        check_flag("dry_run", dry_run)
        who = check_sequence(actors, "actors", len(self.graph))
        self._unit_type(unit_type)
        for actor in who:  # (every actor judged before the first selection)
            self._authority_actor(actor, "select", "a selection is made", "遴选推荐", at)
        results = SelectionList(campaign=self.campaign, graph=self.graph)
        if report is not None:
            report(0, len(who), "")
        for i, actor in enumerate(who, 1):
            results.append(self.select(actor, unit_type, at=at, dry_run=dry_run, track=track))
            if report is not None:
                report(i, len(who), actor.authority)
        return results

    def _seats_counted(self, authority: str, track: str) -> bool:
        """Whether a selection of ``track`` at ``authority`` must count the seats of the units
        its drafts list already: not when no quota rule caps the authority's new units and no
        tag decides a unit's seats (then no count can fill, and none is read)."""
        return (
            track != TRACK_NEW
            or self._tagger is not None
            or self.campaign.quota_rule(self.graph[authority]) is not None
        )

    def _select(
        self,
        actor: Actor,
        unit_type: str,
        order: Sequence[str],
        at: datetime | None,
        dry_run: bool,
        receipt_for: ReceiptFor,
        track: str,
    ) -> SelectionResult:
        when = self._at(at) if dry_run else self._dated(at)
        ranked = self.rank(actor.authority, unit_type, order, at=when, track=track)
        taken: dict[tuple[str, str], int] = {}  # seats the listed units will take, by (key, counter)
        changes: list[Change | SubmissionChange] = []
        recommended: list[str] = []
        cut: list[str] = []
        skipped: dict[str, tuple[Reason, ...]] = {}

        stored: dict[tuple[str, str], int] = {}  # read once per counter (the store re-checks)
        shares: dict[str, int] = {}  # a re-review share, counted once per selection

        def used(authority: str, key: str) -> int:
            if (authority, key) not in stored:
                stored[authority, key] = self._quota_used(authority, key)
            return stored[authority, key] + taken.get((authority, key), 0)

        def count(n: Nomination, ctx: Context) -> None:
            seats = (
                ((actor.authority, seat_counters(n)),)
                if ctx.quota_seats is None  # the holder's seat; else the seats the unit's tags decide
                else tuple((key, tuple(c for c, _ in limits)) for _, key, limits in ctx.quota_seats)
            )
            for key, counters in seats:
                for counter in counters:
                    taken[key, counter] = taken.get((key, counter), 0) + 1

        # Units already listed in the sender's drafts take their seats when sent: counted first.
        drafts = self.store.submissions(self.campaign.id, sender=actor.authority, state=DRAFT)
        # Listed units past the quota stay where the sender put them, reported (quota_full): the
        # sender takes them out; a selection does not cut what the sender listed itself.
        in_draft = {nid: d.id for d in drafts for nid in d.units}  # unit -> the draft listing it
        listed = list(in_draft)
        over: dict[str, tuple[Reason, ...]] = {}
        counted = listed if self._seats_counted(actor.authority, track) else []
        for n in self.store.get_many(counted):  # (in one read)
            if n.state == IN_REVIEW and n.holder == actor.authority and n.next_authority is not None:
                ctx = self._context(n, actor, when, RECOMMEND, shares=shares)
                ctx.quota_used = used
                full = tuple(
                    r for r in self.workflow.judge(n.state, RECOMMEND, ctx)[1] if r.code == "quota_full"
                )
                if full:
                    over[n.id] = full
                else:
                    count(n, ctx)
        # Compared with rows read back from SQL (fixed UTC offsets) in UTC: comparing a zoned
        # clock reading against another time zone costs a conversion per candidate.
        when_utc = when.astimezone(UTC)
        joining: dict[str, list[str]] = {}  # receiver -> units this selection lists, in rank order
        for n in ranked:
            if out_of_time_order(n, when if n.updated_at.tzinfo is when.tzinfo else when_utc):
                self._in_order(n, when)  # refused, with the moment as given
            if n.id in over:  # listed already, past the quota
                skipped[n.id] = over[n.id]
                continue
            if n.id in in_draft:  # listed already (counted above)
                recommended.append(n.id)
                continue
            ctx = self._context(n, actor, when, RECOMMEND, shares=shares)
            ctx.quota_used = used
            transition, reasons = self.workflow.judge(n.state, RECOMMEND, ctx)
            blocking = tuple(r for r in reasons if r.code != "quota_full") if reasons else ()
            if blocking or transition is None:
                skipped[n.id] = blocking
                continue
            if reasons:  # only the quota blocks: cut
                changes.append(
                    self._change(
                        n, self._context(n, actor, when, CUT), CUT, actor, when, n.state,
                        "not recommended: quota full / 名额已满，未予推荐",
                        {"quota": [r.details for r in reasons]},
                    )
                )  # fmt: skip
                cut.append(n.id)
                continue
            recommended.append(n.id)
            assert n.next_authority is not None
            joining.setdefault(n.next_authority, []).append(n.id)
            count(n, ctx)
        read = {n.id: n for n in ranked} if joining else {}  # in this transaction: not read again
        for receiver, ids in joining.items():
            draft = next((d for d in drafts if d.receiver == receiver), None)
            if draft is None:
                draft = Submission(new_id(), self.campaign.id, self.campaign.revision, actor.authority,
                                   receiver, NEW, (), (), (), 0, when, when)  # fmt: skip
                data = {"campaign": self.campaign.id, "sender": actor.authority, "receiver": receiver,
                        "units": ids}  # fmt: skip
                changes += self._letter_changes(
                    S_PREPARE, draft, actor, when, None, data, build=not dry_run, known=read
                )
            else:
                changes += self._letter_changes(
                    S_ADD, draft, actor, when, None, {"units": ids}, build=not dry_run, known=read
                )
            in_draft.update(dict.fromkeys(ids, draft.id))
        # The letters listing the recommended units (listed now or before), in rank order.
        letters = dict.fromkeys(in_draft[nid] for nid in recommended)
        result = SelectionResult(
            actor.authority,
            unit_type,
            tuple(n.id for n in ranked),
            tuple(recommended),
            tuple(cut),
            skipped,
            dry_run,
            tuple(letters),
        )
        if not dry_run and (changes or receipt_for):
            self._commit("select", changes, receipt_for(result) if receipt_for else None)
        return result
