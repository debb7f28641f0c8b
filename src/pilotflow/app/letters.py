"""How an action on a submission (推荐函) is dated, judged and committed: the letter's own
rules and each unit's, in one transaction holding the letter's change and its units' changes
(all of them, or none); the documents a sending generates; the letters a unit leaves when it
is withdrawn, declined, cut, lapsed or returned. The public actions: :mod:`.submissions`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.authorities import Authority
from ..domain.campaign import MaterialRequirement
from ..domain.events import ENTERED_AT, EventShape, build_event, event_data
from ..domain.guards import examined, not_listed
from ..domain.inputs import check_ids, check_sequence
from ..domain.names import (
    ACTION_EN,
    ACTION_ZH,
    ATTACH,
    DRAFT,
    IN_REVIEW,
    RECALL,
    RECEIVED,
    RECOMMEND,
    RETURN,
    S_ADD,
    S_ATTACH,
    S_ORDER,
    S_PREPARE,
    S_RECALL,
    S_REMOVE,
    S_RETURN,
    S_SEND,
    S_STAMP,
    SENT,
    STAMP,
    STATE_ZH,
    WITHDRAW,
)
from ..domain.records import Actor, Nomination
from ..domain.routes import split_materials
from ..domain.rules import out_of_time_order
from ..domain.submissions import (
    LETTER_CHECKS,
    LETTER_MOVES,
    MAX_UNITS,
    Submission,
    apply_submission,
    letter_materials_reason,
    letter_reasons,
    recall_reasons,
    returned_since_sent,
    unit_reasons,
)
from ..errors import InvalidInput, Reason, os_reason
from ..files._io import write_files
from ..files.letters import GeneratedDocument, letter_content, letter_document, summary_table_document
from ..store import AnyChange, Change, Receipt, SubmissionChange
from .idempotency import ReceiptFor, atomically, letter_at_version, once
from .kept import kept_units, on_kept
from .kernel import EXCEED_QUOTA, LEAVES_LETTER, Kernel, _new_change, refusal

__all__ = ["Letters"]

#: What a unit's own rules say before it joins a letter: its examinations (逐一审查) are done
#: and it is on no list that bars it (the departments would not list it in their letter).
_JOINING = (examined(), not_listed())


#: The unit's own action a per-unit call on its letter stands for (what a refusal names).
_ASKED = {S_STAMP: STAMP, S_SEND: RECOMMEND, S_ATTACH: ATTACH}


def _nothing_to_send(n: Nomination, action: str) -> Reason:
    return Reason(
        "not_allowed_in_state",
        f"{action!r} is not possible: {n.unit_name} ({n.id}) is {n.state} at {n.holder}, "
        "with nothing to send it to",
        f"{n.unit_name}当前状态（{STATE_ZH.get(n.state, '未知状态')}）下无需报送推荐函",
        {"state": n.state, "action": action},
    )


def _about(n: Nomination, r: Reason) -> Reason:
    """``r`` about unit ``n`` of a submission: its name and id in front, its id in the details."""
    if r.details.get("nomination") == n.id:
        return r
    return Reason(
        r.code, f"{n.unit_name} ({n.id}): {r.en}", f"{n.unit_name}：{r.zh}", {**r.details, "nomination": n.id}
    )


#: The kinds of the documents pilotflow generates when a letter is sent (its materials).
GENERATED_SUMMARY_TABLE = "generated_summary_table"
GENERATED_LETTER = "generated_letter_draft"


def write_documents(folder: Path, sid: str, documents: Iterable[tuple[str, GeneratedDocument]]) -> None:
    """Write a letter's documents into ``folder`` as ``<submission id>-<file name>``, each
    through a temporary file renamed into place (a reader never sees half a file). An
    ``OSError`` leaves no temporary file behind (:func:`~pilotflow.files._io.write_files`)."""
    write_files((folder / f"{sid}-{doc.filename}", doc.data) for _, doc in documents)


#: Where a letter's documents that could not be written into the run's folder are reported
log = logging.getLogger("pilotflow.documents")


def _unwritten(folder: Path, sid: str, exc: OSError) -> None:
    """The letter was sent (committed); writing its documents into ``folder`` failed. Its
    sending is not undone or reported as refused: the documents are recorded with it, and
    ``submission_documents`` writes them again."""
    en, zh = os_reason(exc)
    log.warning(
        "submission %s was sent, but its documents could not be written into %s (%s); "
        "run.submission_documents(%r, folder) writes them again / 推荐函 %s 已报送，但其文件未能写入 %s"
        "（%s），可用 run.submission_documents 重新生成",
        sid, folder, en, sid, sid, folder, zh,
    )  # fmt: skip


class Letters(Kernel):
    """How an action on a submission is dated, judged and committed (the public actions:
    :class:`~pilotflow.app.submissions.Submissions`)."""

    def _refresh_lists(self) -> None:
        super()._refresh_lists()
        self._letter_shapes: dict[tuple[str, str, str, str | None, str], EventShape] = {}

    # -- the machinery -----------------------------------------------------------------

    def _letters_left(self, changes: Sequence[AnyChange]) -> list[SubmissionChange]:
        """A unit withdrawn, declined, cut or lapsed leaves the draft of its holder listing it;
        a unit withdrawn or returned on its own leaves the sent letter it came with (the
        receiver's decisions on a letter it received — a cut, a decline — leave the letter as
        it was sent). Returned with its whole letter (``return_submission``), it stays in it."""
        letters: dict[str, Submission] = {}
        out: list[SubmissionChange] = []
        # Each holder's letters read once per commit (a selection cuts many units of one holder).
        drafts: dict[str, list[Submission]] = {}
        received: dict[str, list[Submission]] = {}
        for ch in changes:
            if not isinstance(ch, Change) or ch.event.shape.action not in LEAVES_LETTER:
                continue
            if ch.event.data.get("submission") is not None:
                continue  # moved by its letter (returned whole): it stays listed there
            before = ch.before
            assert before is not None
            holder = before.holder
            found = drafts.get(holder)
            if found is None:
                found = drafts[holder] = self.store.submissions(self.campaign.id, sender=holder, state=DRAFT)
            if ch.event.shape.action in (WITHDRAW, RETURN):
                sent = received.get(holder)
                if sent is None:
                    sent = received[holder] = self.store.submissions(
                        self.campaign.id, receiver=holder, state=SENT
                    )
                found = [*found, *sent]
            for s in found:
                s = letters.get(s.id, s)
                if before.id in s.units:
                    event = ch.event
                    why = f"{ACTION_EN[event.action]} / {ACTION_ZH[event.action]}"
                    when = max(event.at, s.updated_at)  # the letter's log stays in time order
                    change = self._letter_change(s, S_REMOVE, event.actor, when, why, {"unit": before.id})
                    letters[s.id] = change.after
                    out.append(change)
        return out

    def _submission(self, submission: object) -> Submission:
        sid = self._record_id(submission, Submission, "submission", "推荐函")
        return self._ours(self.store.get_submission(sid))

    def _unit_ids(self, units: object, what: str) -> tuple[str, ...]:
        items = check_sequence(units, what, MAX_UNITS)
        ids = tuple(u.id if isinstance(u, Nomination) else u for u in items)
        checked = check_ids(ids, what)
        if len(set(checked)) != len(checked):
            raise InvalidInput(f"{what} names a unit twice", f"{what} 中有重复的推荐对象")
        return checked

    def _once(
        self,
        action: str,
        actor: Actor,
        sid: str | None,
        args: tuple[object, ...],
        key: str | None,
        perform: Callable[[ReceiptFor], Submission],
    ) -> Submission:
        return once(
            self.store,
            self.campaign.id,
            key,
            (action, actor, sid, *args),
            perform,
            lambda s: {"submission": s.id, "version": s.version},
            lambda receipt: letter_at_version(self.store, self.campaign.id, receipt),
        )

    def _letter_act(
        self,
        action: str,
        actor: Actor,
        submission: str | Submission,
        at: datetime | None,
        reason: str | None,
        data: Mapping[str, Any],
        key: str | None,
    ) -> Submission:
        self._actor(actor)
        if reason is not None and action not in (S_RECALL, S_RETURN):
            reason = self._reasoned(action, reason)
        if key is None:  # no idempotency key: no fingerprint tuple, no copy of data, no closure
            if self.store.recent is not None:
                act = self._letter_perform
                done = on_kept(self.store, submission, Submission, lambda k: atomically(
                    self.store, act, action, actor, submission, at, reason, data, None, k))  # fmt: skip
                if done is not None:
                    return done
            return atomically(
                self.store, self._letter_perform, action, actor, submission, at, reason, data, None
            )
        sid = submission.id if isinstance(submission, Submission) else submission

        def perform(receipt_for: ReceiptFor) -> Submission:
            return self._letter_perform(action, actor, submission, at, reason, data, receipt_for)

        return self._once(action, actor, sid if isinstance(sid, str) else None, (reason, dict(data), at), key,
                          perform)  # fmt: skip

    def _letter_perform(
        self,
        action: str,
        actor: Actor,
        submission: str | Submission,
        at: datetime | None,
        reason: str | None,
        data: Mapping[str, Any],
        receipt_for: ReceiptFor,
        kept: Submission | None = None,
    ) -> Submission:
        """One checked action on one submission: judge it, commit its changes, return the letter.
        ``kept``: the letter's kept state, judged instead of a read (:mod:`.kept`)."""
        when = self._dated(at)
        s = self._submission(submission) if kept is None else self._ours(kept)
        changes = self._letter_changes(action, s, actor, when, reason, data, kept=kept is not None)
        return self._commit_letter(action, changes, receipt_for)

    def _commit_letter(
        self, action: str, changes: list[Change | SubmissionChange], receipt_for: ReceiptFor
    ) -> Submission:
        letter = changes[-1]
        assert type(letter) is SubmissionChange
        receipt = receipt_for(letter.after) if receipt_for else None
        if action == S_SEND:  # the one letter action that generates documents
            self._commit_with_documents(action, changes, receipt)
        else:
            self._commit(action, changes, receipt)
        return letter.after

    def _commit_with_documents(
        self, action: str, changes: Sequence[Change | SubmissionChange], receipt: Receipt | None
    ) -> None:
        """Commit ``changes``; then write the documents a letter's sending among them generated
        (into the run's ``documents`` folder, if it has one). Committed or not, they are let go."""
        sent = [c.after.id for c in changes if isinstance(c, SubmissionChange) and c.event.action == S_SEND]
        try:
            self._commit(action, changes, receipt)
        finally:
            documents = [(sid, self._generated.pop(sid, ())) for sid in sent]
        if isinstance(self._documents, Path):
            for sid, docs in documents:
                if docs:
                    try:
                        write_documents(self._documents, sid, docs)
                    except OSError as exc:  # the action stands: its documents can be written again
                        _unwritten(self._documents, sid, exc)

    def _letter_changes(
        self,
        action: str,
        s: Submission,
        actor: Actor | None,
        when: datetime,
        reason: str | None,
        data: Mapping[str, Any],
        *,
        build: bool = True,
        known: Mapping[str, Nomination] | None = None,
        refused_as: tuple[str, str] | None = None,
        kept: bool = False,
    ) -> list[Change | SubmissionChange]:
        """The changes of ``action`` on ``s``: its units' (if it moves them), then its own
        last; or raise the refusal with every reason (``build=False``: judge only). ``known``:
        units joining the letter the caller has read in this transaction already (not read
        again). ``refused_as``: the action and nomination a refusal names (a unit's own call
        that drafts its letter on the way). ``kept``: ``s`` is a kept state (:mod:`.kept`),
        and so may its units be."""
        if build and s.version and when < s.updated_at:  # a letter's log is in time order too
            raise InvalidInput(
                f"{when.isoformat()} is earlier than the last action on submission {s.id} "
                f"({s.updated_at.isoformat()}); actions on a submission must be in time order",
                f"操作时间 {when.isoformat()} 早于推荐函 {s.id} 的上一次操作时间 {s.updated_at.isoformat()}",
            )
        sender, receiver = self.graph[s.sender], self.graph[s.receiver]
        names = self._department_names
        reasons = letter_reasons(action, s, actor, sender, receiver, names)
        units: list[Change | SubmissionChange] = []
        if action in (S_STAMP, S_ATTACH):
            pass  # the letter's own rules only (letter_reasons): its most common actions
        elif action in (S_PREPARE, S_ADD):
            reasons += self._joining(s, data["units"], when, known)
        elif action == S_REMOVE:
            if data["unit"] not in s.units:
                reasons.append(Reason("unit_not_in_letter", f"unit {data['unit']} is not in this submission",
                                      "该推荐对象不在本推荐函中", {"nomination": data["unit"]}))  # fmt: skip
        elif action == S_ORDER:
            if sorted(data["units"]) != sorted(s.units):
                reasons.append(Reason(
                    "not_the_same_units",
                    "the new order must list each unit of the submission once, and no other",
                    "新的顺序须恰好列出本推荐函的全部推荐对象，各一次", {"submission": s.id},
                ))  # fmt: skip
        elif action == S_SEND:
            missing = letter_materials_reason(
                self._letter_materials(sender, receiver), s.materials, names, sender
            )
            if missing is not None:
                reasons.append(missing)
            units, unit_reasons_ = self._moving(s, RECOMMEND, actor, when, data, kept=kept)
            reasons += unit_reasons_
        elif action == S_RECALL and s.state == SENT:  # (only a sent letter keeps its units' versions)
            acted = [
                nid
                for nid, v in zip(s.units, s.sent_versions, strict=True)
                if self.store.get(nid).version != v
            ]
            # A unit the receiver returned has left the letter: its log tells (one read).
            returned = returned_since_sent(s, self.store.events(self.campaign.id, s.id))
            reasons += recall_reasons(s, sender, receiver, acted, returned)
            if not acted and not returned:
                units, more = self._moving(s, RECALL, actor, when, {"reason": reason})
                reasons += more
        elif action == S_RETURN and s.state == SENT:
            units, more = self._moving(s, RETURN, actor, when, {})
            reasons += more
        if reasons and any(r.code == "not_authorized" and "nomination" not in r.details for r in reasons):
            # who acts is judged once, for the letter: its units' own "not authorized" repeat it
            reasons = [r for r in reasons if r.code != "not_authorized" or "nomination" not in r.details]
        if reasons:
            raise refusal(*(refused_as or (action, s.id if s.version else None)), reasons)
        if not build:
            return []
        if action == S_SEND:
            moved = [c.after for c in units if isinstance(c, Change)]
            data = {"versions": [n.version for n in moved]}
            if self._documents is not False:
                documents = self._letter_documents(s, moved, when)
                data["materials"] = tuple(doc.material(kind) for kind, doc in documents)
                self._generated[s.id] = documents
        elif action in (S_RECALL, S_RETURN):
            data = {}
        return [*units, self._letter_change(s, action, actor, when, reason, data)]

    def _letter_change(
        self,
        s: Submission,
        action: str,
        actor: Actor | None,
        when: datetime,
        reason: str | None,
        data: Mapping[str, Any],
    ) -> SubmissionChange:
        _, to_state = LETTER_MOVES[action]
        to = to_state or s.state
        key = (
            action,
            s.state or "new",
            to,
            s.holder if s.version else None,
            s.receiver if to == SENT else s.sender,
        )
        shape = self._letter_shapes.get(key)
        if shape is None:  # one shape per kind of letter event, as for the units' events
            shape = self._letter_shapes[key] = EventShape(
                *key, LETTER_CHECKS[action], self.campaign.revision, self._list_versions
            )
        assert actor is not None
        if self.backfill:  # a fact of the past: the letter's log says when it was entered too
            data = {**data, ENTERED_AT: self._now().isoformat()}
        # (a stamp keeps its shared read-only data, as on a unit)
        event = build_event(s.id, s.version + 1, actor, when, shape, reason, event_data(data or None))
        before = s if s.version else None
        return _new_change(SubmissionChange, (before, apply_submission(before, event), event))

    def _letter_materials(self, sender: Authority, receiver: Authority) -> tuple[MaterialRequirement, ...]:
        rule = self.campaign.hop_rule(sender, receiver)
        return split_materials(self.campaign, rule.materials)[1] if rule is not None else ()

    def _joining(
        self, s: Submission, ids: Sequence[str], when: datetime, known: Mapping[str, Nomination] | None = None
    ) -> list[Reason]:
        """Why the units ``ids`` may not join ``s`` (each unit's reasons, all of them); a unit
        in ``known`` is not read again."""
        others: dict[str, str] = {}
        for draft in self.store.submissions(self.campaign.id, sender=s.sender, state=DRAFT):
            if draft.id != s.id:
                for nid in draft.units:
                    others[nid] = draft.id
        sender = self.graph[s.sender]
        reasons: list[Reason] = []
        unread = [nid for nid in ids if not known or nid not in known]
        read = self._nominations(unread) if unread else {}
        for nid in ids:
            n = known[nid] if known and nid in known else read[nid]
            reasons += unit_reasons(n, s, sender, others, self._department_names)
            if n.state == IN_REVIEW and n.holder == s.sender:
                ctx = self._context(n, None, when, RECOMMEND)
                for guard in _JOINING:  # examined (逐一审查), and on no list that bars it
                    why = guard(ctx)
                    if why is not None:
                        reasons.append(_about(n, why))
        return reasons

    def _moving(
        self,
        s: Submission,
        action: str,
        actor: Actor | None,
        when: datetime,
        data: Mapping[str, Any],
        *,
        kept: bool = False,
    ) -> tuple[list[Change | SubmissionChange], list[Reason]]:
        """Each unit's own change as the letter moves it (``recommend`` on send, ``recall``,
        ``return``), judged by the units' machine, seats counted across the letter. ``kept``:
        the units' kept states are judged if the store kept every one (:mod:`.kept`)."""
        taken: dict[tuple[str, str], int] = {}
        stored: dict[tuple[str, str], int] = {}
        shares: dict[str, int] = {}

        def used(authority: str, key: str) -> int:
            if (authority, key) not in stored:
                stored[authority, key] = self._quota_used(authority, key)
            return stored[authority, key] + taken.get((authority, key), 0)

        changes: list[Change | SubmissionChange] = []
        reasons: list[Reason] = []
        exceed = data.get(EXCEED_QUOTA)
        exceeded = False
        for rank, n in enumerate(
            (kept and kept_units(self.store, s.units)) or self.store.get_many(s.units), 1
        ):
            expected = IN_REVIEW if action == RECOMMEND else (IN_REVIEW, RECEIVED)
            if action == RECOMMEND and (n.holder != s.sender or n.state != expected):
                reasons.append(_about(n, Reason(
                    "unit_not_held", f"it is no longer in review at {s.sender} ({n.state} at {n.holder})",
                    "已不在本单位审核推荐中，请先将其移出推荐函", {"nomination": n.id},
                )))  # fmt: skip
                continue
            late = out_of_time_order(n, when)
            if late is not None:  # the unit's log stays in time order
                reasons.append(_about(n, late))
                continue
            ctx = self._context(n, actor, when, action, shares=shares)
            if action == RECOMMEND:
                ctx.quota_used = used
            transition, why = self.workflow.judge(n.state, action, ctx)
            exceeds = False
            if why and exceed is not None and all(r.code == "quota_full" for r in why):
                ctx.quota_exceed = exceed  # a soft cap the sender gives its reason to exceed
                transition, why = self.workflow.judge(n.state, action, ctx)
                exceeds = True
            if why or transition is None:
                reasons += [_about(n, r) for r in why]
                continue
            unit_data: dict[str, Any] = {"submission": s.id}
            if action == RECOMMEND:
                unit_data["rank"] = rank
                if exceeds:
                    unit_data[EXCEED_QUOTA] = exceed
                    exceeded = True
            reason = data.get("reason") if action == RECALL else None
            change = self._change(n, ctx, action, actor or Actor.deadline_sweep(s.sender), when, n.state,
                                  reason, unit_data, judged=transition)  # fmt: skip
            changes.append(change)
            for seat in change.seats:
                if seat.delta > 0:
                    for counter, _ in seat.counters:
                        taken[seat.authority, counter] = taken.get((seat.authority, counter), 0) + 1
        if exceed is not None and not exceeded and not reasons:
            reasons.append(Reason(
                "quota_not_full",
                "a reason to exceed the quota was given, but every unit of the submission fits within it",
                "本推荐函的推荐对象均未超出名额，无需说明超出名额的理由", {"submission": s.id},
            ))  # fmt: skip
        return changes, reasons

    def _letter_documents(
        self, s: Submission, units: Sequence[Nomination], when: datetime
    ) -> tuple[tuple[str, GeneratedDocument], ...]:
        """The summary table and letter draft of ``s`` sending ``units`` at ``when``."""
        sender, receiver = self.graph[s.sender], self.graph[s.receiver]
        kinds = [r.kind for r in self._letter_materials(sender, receiver)]
        content = letter_content(
            self.campaign, self.graph, sender=s.sender, receiver=s.receiver, departments=sender.stamping,
            moment=when, nominations=units, letter_kind=kinds[0] if kinds else None,
        )  # fmt: skip
        return (
            (GENERATED_SUMMARY_TABLE, summary_table_document(content)),
            (GENERATED_LETTER, letter_document(content)),
        )
