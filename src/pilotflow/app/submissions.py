"""The public actions on a submission (推荐函) and the questions about one: prepare, add,
remove, order, attach, stamp, send, recall, return, discard; ``submission``, ``submissions``,
``explain_submission``, ``submission_documents``; and the per-unit ``stamp`` / ``recommend``
on the letter that carries one unit. How each is judged and committed:
:mod:`pilotflow.app.letters`; what a submission is: :mod:`pilotflow.domain.submissions`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, cast

from ..domain.authorities import Authority
from ..domain.campaign import MaterialRequirement
from ..domain.guards import HELD_SUBMISSION, acts_for
from ..domain.machine import Workflow
from ..domain.names import (
    DRAFT,
    IN_REVIEW,
    NEW,
    RECOMMEND,
    S_ADD,
    S_ATTACH,
    S_DISCARD,
    S_ORDER,
    S_PREPARE,
    S_RECALL,
    S_REMOVE,
    S_RETURN,
    S_SEND,
    S_STAMP,
    SENT,
    SUBMISSION_ACTION_ZH,
    SUBMISSION_STATES,
)
from ..domain.records import APPLICANT, Actor, Material, Nomination
from ..domain.submissions import (
    Submission,
    apply_submission,
)
from ..errors import ActionRefused, InvalidInput, NominationNotFound, Reason, shown
from ..files._io import existing_folder, write_refused
from ..files.letters import GeneratedDocument
from ..files.materials import campaign_material_type, inspect_campaign_material, paper_material
from ..store import Change, Store, SubmissionChange
from .idempotency import ReceiptFor, at_version, once, ref
from .kernel import EXCEED_QUOTA, refusal, stamp_data
from .letters import _ASKED, Letters, _nothing_to_send, write_documents
from .results import new_id

__all__ = ["Submissions"]


#: What drafting a letter is, in a refusal of an actor who may not (English, Chinese)
_DRAFTING = ("a recommendation letter is drafted", "起草推荐函")


#: The letter actions :meth:`Submissions.explain_submission` judges.
EXPLAINED = (S_STAMP, S_SEND, S_RECALL, S_RETURN, S_DISCARD)


def _not_explained(action: object) -> InvalidInput:
    """The refusal of an action ``explain_submission`` does not judge, naming those it does."""
    return InvalidInput(
        f"explain_submission judges one of {', '.join(EXPLAINED)}, got {shown(action)}",
        "explain_submission 只能判断以下操作之一："
        + "、".join(f"{SUBMISSION_ACTION_ZH[a]}（{a}）" for a in EXPLAINED)
        + f"，收到 {shown(action)}",
    )


class Submissions(Letters):
    """The actions on a submission (推荐函) and the questions about one."""

    # -- questions ---------------------------------------------------------------------

    def submission(self, submission: str | Submission) -> Submission:
        """The current version of a submission."""
        return self._submission(submission)

    def submissions(
        self, *, sender: str | None = None, receiver: str | None = None, state: str | None = None
    ) -> list[Submission]:
        """This campaign's submissions, filtered (an unknown authority or state is refused, and
        so is an authority outside the campaign's scope)."""
        if sender is not None:
            self._taking_part(sender, "sender")
        if receiver is not None:
            self._taking_part(receiver, "receiver")
        if state is not None and state not in SUBMISSION_STATES:
            raise InvalidInput(
                f"unknown submission state {shown(state)}; states are {', '.join(SUBMISSION_STATES)}",
                f"未知的推荐函状态 {shown(state)}",
            )
        return self.store.submissions(self.campaign.id, sender=sender, receiver=receiver, state=state)

    def letter_materials(self, sender: str, receiver: str) -> tuple[MaterialRequirement, ...]:
        """The materials the letter from ``sender`` to ``receiver`` must carry (the hop's
        materials of ``per: submission``: the stamped 推荐函, its summary table...). A
        ``receiver`` no route of the campaign reaches from ``sender`` (:meth:`Workflow.next_hops
        <pilotflow.domain.machine.Workflow.next_hops>`) is refused, naming where its letters
        go, unless a letter or a nomination in review takes that hop already (a route stored
        under an earlier revision of the campaign)."""
        frm, to = self._taking_part(sender, "sender"), self._taking_part(receiver, "receiver")
        _check_receiver(self.store, self.campaign.id, self.workflow, frm, to)
        return self._letter_materials(frm, to)

    def submission_units(self, submission: str | Submission) -> list[Nomination]:
        """The units of a submission, in its order (as they are now)."""
        s = self._submission(submission)
        return [self.store.get(nid) for nid in s.units]

    def explain_submission(
        self,
        submission: str | Submission,
        action: str = S_SEND,
        *,
        actor: Actor | None = None,
        at: datetime | None = None,
    ) -> tuple[Reason, ...]:
        """Every reason ``action`` on the submission would be refused now, its units' included
        (for ``send``: each unit's deadline, lists, materials, quota...). Changes nothing.
        Without ``actor`` who acts is not judged."""
        if not isinstance(action, str) or action not in EXPLAINED:
            raise _not_explained(action)
        if actor is not None:
            self._actor(actor)
        s = self._submission(submission)
        when = self._at(at)
        try:
            self._letter_changes(action, s, actor, when, None, {}, build=False)
        except ActionRefused as refused:
            return tuple(refused.reasons)
        return ()

    # -- actions -----------------------------------------------------------------------

    def prepare_submission(
        self,
        actor: Actor,
        units: Iterable[str | Nomination],
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Draft the actor's authority's recommendation letter (推荐函) with ``units`` (the
        nominations it holds, in the letter's order), to their next authority. Every unit must
        be held by the actor's authority, in review, bound for the same authority, examined
        where the campaign asks for it, and in no other draft."""
        ids = self._unit_ids(units, "units")
        if not ids:
            raise InvalidInput("a submission needs at least one unit", "推荐函至少需列入一个推荐对象")
        self._authority_actor(actor, S_PREPARE, *_DRAFTING, at, idempotency_key)

        def perform(receipt_for: ReceiptFor) -> Submission:
            when = self._dated(at)
            try:  # every unit in one read
                known = self._nominations(ids)
            except (NominationNotFound, InvalidInput):  # named as before: the first unit's own
                known = {ids[0]: self._nomination(ids[0])}  # refusal first, then the rest's
            first = known[ids[0]]
            receiver = first.next_authority
            if receiver is None:
                raise refusal(S_PREPARE, None, [Reason(
                    "at_the_top",
                    f"{first.unit_name} ({first.id}) is at the top of its route: nothing to send it to",
                    f"{first.unit_name}已在最高一级，无需再报送", {"nomination": first.id},
                )])  # fmt: skip
            draft = Submission(new_id(), self.campaign.id, self.campaign.revision, actor.authority, receiver,
                               NEW, (), (), (), 0, when, when)  # fmt: skip
            data = {"campaign": self.campaign.id, "sender": actor.authority, "receiver": receiver,
                    "units": list(ids)}  # fmt: skip
            changes = self._letter_changes(S_PREPARE, draft, actor, when, None, data, known=known)
            return self._commit_letter(S_PREPARE, changes, receipt_for)

        return self._once(S_PREPARE, actor, None, (ids, at), idempotency_key, perform)

    def add_to_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        units: Iterable[str | Nomination],
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Add units to a draft (after those it lists); its stamps come off."""
        ids = self._unit_ids(units, "units")
        if not ids:
            raise InvalidInput("name at least one unit to add", "请至少列出一个要列入的推荐对象")
        return self._letter_act(S_ADD, actor, submission, at, None, {"units": list(ids)}, idempotency_key)

    def remove_from_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        unit: str | Nomination,
        *,
        reason: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Take a unit out of a draft (it stays with the sender); the draft's stamps come off."""
        (nid,) = self._unit_ids((unit,), "unit")
        return self._letter_act(S_REMOVE, actor, submission, at, reason, {"unit": nid}, idempotency_key)

    def order_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        units: Iterable[str | Nomination],
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Put a draft's units in a new order (the order of its summary table): ``units`` lists
        each of them once. Its stamps come off."""
        ids = self._unit_ids(units, "units")
        return self._letter_act(S_ORDER, actor, submission, at, None, {"units": list(ids)}, idempotency_key)

    def attach_to_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        material: Material,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Attach one of the letter's own materials (a kind of ``per: submission``)."""
        m = self._admit.all((material,))[0]
        if not self.campaign.materials[m.kind].of_submission:
            raise InvalidInput(
                f"material {m.kind!r} is each unit's own (per: unit): attach it to the units",
                f"“{self._department_names.get(m.kind, m.kind)}”是各推荐对象自己的材料，请附在各申报上",
            )
        return self._letter_act(S_ATTACH, actor, submission, at, None, {"material": m}, idempotency_key)

    def attach_file_to_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        kind: str,
        path: str | os.PathLike[str],
        *,
        root: str | os.PathLike[str] | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Attach a letter material as a real file, checked first (as ``attach_file``)."""
        self._actor(actor)
        self._submission(submission)
        material = inspect_campaign_material(self.campaign, kind, path, root=root)
        return self.attach_to_submission(actor, submission, material, at=at, idempotency_key=idempotency_key)

    def attach_paper_to_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        kind: str,
        copies: int = 1,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Declare ``copies`` of a paper letter material (the stamped 推荐函, 一式一份)."""
        material = paper_material(campaign_material_type(self.campaign, kind), copies)
        return self.attach_to_submission(actor, submission, material, at=at, idempotency_key=idempotency_key)

    def stamp_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """One stamping department of the sender stamps the letter (会签: each once)."""
        department = actor.department if isinstance(actor, Actor) else None
        if department == APPLICANT:
            raise InvalidInput("an applicant cannot stamp", "申报单位不能代替主管部门盖章")
        return self._letter_act(S_STAMP, actor, submission, at, None, stamp_data(department), idempotency_key)

    def send(
        self,
        actor: Actor,
        submission: str | Submission,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        exceed_quota_reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Send the stamped letter: all its units go to the receiver at once, each taking its
        quota seat, or none does. Refused with every reason, the letter's and each unit's
        (deadline, lists, materials, quota...), if any is refused.

        ``exceed_quota_reason``: why the sender exceeds a soft cap (the campaign's ``soft``
        quota rule), from a department the rule names; recorded on the units it concerns.
        """
        data: dict[str, Any] = {}
        if exceed_quota_reason is not None:
            data[EXCEED_QUOTA] = self._reasoned(
                RECOMMEND, exceed_quota_reason, "reason to exceed the quota", "超出名额的理由"
            )
        return self._letter_act(S_SEND, actor, submission, at, reason, data, idempotency_key)

    def recall(
        self,
        actor: Actor,
        submission: str | Submission,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """The sender recalls a sent letter (撤回) the receiver has not acted on: its units
        come back (their seats given back) and it is a draft again. Once the receiver has
        acted on one of its units, or returned one of them (``return_for_revision``), it is
        refused (``receiver_acted``), as it is once every unit has left it, withdrawn or
        returned one by one (``nothing_to_recall``); a refusal changes nothing."""
        why = self._reasoned(S_RECALL, reason)
        return self._letter_act(S_RECALL, actor, submission, at, why, {}, idempotency_key)

    def return_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """The receiver returns a whole letter (退回): its units go back to the sender (their
        seats given back). To return one unit, ``return_for_revision`` it: it leaves the letter."""
        why = self._reasoned(S_RETURN, reason)
        return self._letter_act(S_RETURN, actor, submission, at, why, {}, idempotency_key)

    def discard_submission(
        self,
        actor: Actor,
        submission: str | Submission,
        *,
        reason: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Submission:
        """Drop a draft nobody will send (its units stay with the sender)."""
        return self._letter_act(S_DISCARD, actor, submission, at, reason, {}, idempotency_key)

    def carrying(self, nomination: str | Nomination) -> Submission | None:
        """The open submission that lists the nomination now: a draft of its holder, or the
        sent letter it came with to its holder (None: it is in none)."""
        n = self._nomination(nomination)
        return self._carrying(n)

    def submission_documents(
        self, submission: str | Submission, folder: str | os.PathLike[str] | None = None
    ) -> tuple[GeneratedDocument, ...]:
        """The summary table and letter draft generated when the letter was (last) sent,
        made again from its record and checked against the SHA-256 recorded then; with
        ``folder``, written there too. A letter never sent, or sent without documents
        (``documents=False``), has none. A write the operating system refuses is
        :class:`~pilotflow.errors.InvalidInput` naming ``folder``, and leaves no file behind."""
        s = self._submission(submission)
        target = None if folder is None else existing_folder(folder, "folder")
        letter = sent = None
        for event in self.store.events(self.campaign.id, s.id):
            letter = apply_submission(letter, event)
            if event.action == S_SEND:
                sent = letter
        if sent is None or not sent.documents:
            return ()
        assert sent.sent_at is not None
        units = [at_version(self.store, self.campaign.id, {"nomination": nid, "version": v})
                 for nid, v in zip(sent.units, sent.sent_versions, strict=True)]  # fmt: skip
        made = self._letter_documents(sent, units, sent.sent_at)
        recorded = {m.kind: m for m in sent.documents}
        for kind, doc in made:
            if kind not in recorded or not doc.matches(recorded[kind].sha256 or ""):
                raise InvalidInput(
                    f"the {kind} of submission {s.id} made again does not match the SHA-256 recorded "
                    "when it was sent (another version of openpyxl or python-docx?)",
                    f"重新生成的推荐函文件与报送时记录的摘要不一致（{s.id}），"
                    "可能是 openpyxl 或 python-docx 版本不同",
                )
        if target is not None:
            try:
                write_documents(target, s.id, made)
            except OSError as exc:
                raise write_refused("folder", target, exc) from None
        return tuple(doc for _, doc in made)

    # -- a unit's letter: the per-unit calls on top of submissions ----------------------

    def _carrying(self, n: Nomination, drafts_only: bool = False) -> Submission | None:
        found = [*self.store.submissions(self.campaign.id, sender=n.holder, state=DRAFT)]
        if not drafts_only:
            found += self.store.submissions(self.campaign.id, receiver=n.holder, state=SENT)
        return next((s for s in found if n.id in s.units), None)

    def _by_unit(
        self,
        action: str,
        actor: Actor,
        nomination: str | Nomination,
        at: datetime | None,
        reason: str | None,
        data: Mapping[str, Any],
        key: str | None,
    ) -> Nomination:
        """``stamp`` and ``recommend`` of one nomination: the action on the draft letter that
        lists it at its holder, or on a new one-unit draft made for it in the same commit."""
        self._actor(actor)
        nid = nomination.id if isinstance(nomination, Nomination) else nomination

        def perform(receipt_for: ReceiptFor) -> Nomination:
            when = self._dated(at)
            n = self._nomination(nomination)
            self._in_order(n, when)
            changes: list[Change | SubmissionChange] = []
            asked = _ASKED.get(action, action)  # (the unit's action, named in its refusals)
            if n.state != IN_REVIEW or n.next_authority is None:  # (even if a draft still lists it)
                raise refusal(asked, n.id, self.workflow.judge(n.state, asked, self._context(
                    n, actor, when, RECOMMEND))[1] or (_nothing_to_send(n, asked),))  # fmt: skip
            s = self._carrying(n, drafts_only=True)
            if s is None:
                draft = Submission(new_id(), self.campaign.id, self.campaign.revision, n.holder,
                                   n.next_authority, NEW, (), (), (), 0, when, when)  # fmt: skip
                data_ = {"campaign": self.campaign.id, "sender": n.holder, "receiver": n.next_authority,
                         "units": [n.id]}  # fmt: skip
                changes = self._letter_changes(
                    S_PREPARE, draft, actor, when, None, data_, refused_as=(asked, n.id)
                )
                s = cast(SubmissionChange, changes[-1]).after  # (the new draft's change comes last)
            elif action == S_SEND and s.units != (n.id,):
                raise InvalidInput(
                    f"{n.unit_name} ({n.id}) is one of {len(s.units)} units of submission {s.id}: send the "
                    "submission (run.send)",
                    f"{n.unit_name}已列入推荐函 {s.id}（共 {len(s.units)} 个推荐对象），请报送整份推荐函",
                )
            changes += self._letter_changes(action, s, actor, when, reason, data, refused_as=(asked, n.id))
            moved = next((c.after for c in changes if isinstance(c, Change) and c.after.id == n.id), n)
            self._commit_with_documents(action, changes, receipt_for(moved) if receipt_for else None)
            return moved

        return once(self.store, self.campaign.id, key, (action, actor, nid, reason, dict(data), at), perform,
                    ref, self._at_version)  # fmt: skip

    def _explain_by_unit(
        self, n: Nomination, action: str, actor: Actor | None, when: datetime
    ) -> tuple[Reason, ...]:
        """Why ``stamp`` or ``recommend`` of ``n`` (``action``: the letter's ``stamp_letter``
        or ``send``) would be refused: its letter's reasons and its own."""
        if n.state != IN_REVIEW or n.next_authority is None:  # (even if a draft still lists it)
            ctx = self._context(n, actor, when, RECOMMEND)
            asked = _ASKED.get(action, action)
            return self.workflow.judge(n.state, asked, ctx)[1] or (_nothing_to_send(n, asked),)
        s = self._carrying(n, drafts_only=True)
        if s is None:
            s = Submission("", self.campaign.id, self.campaign.revision, n.holder, n.next_authority, DRAFT,
                           (n.id,), (), (), 1, when, when)  # fmt: skip
            if actor is not None:  # who may draft the letter is who may stamp or send it
                denied = acts_for(actor, self.graph[n.holder], self._department_names, HELD_SUBMISSION)
                if denied is not None:
                    return (denied,)
        try:
            self._letter_changes(action, s, actor, when, None, {}, build=False)
        except ActionRefused as refused:
            return tuple(r for r in refused.reasons if r.details.get("nomination", n.id) == n.id)
        return ()


def _check_receiver(store: Store, campaign: str, workflow: Workflow, frm: Authority, to: Authority) -> None:
    """Refuse ``to`` as the receiver of ``frm``'s letters where no route of the campaign goes
    from one to the other (:meth:`Workflow.next_hops`) and no stored letter or route of a
    nomination in review takes that hop (made under an earlier revision of the campaign)."""
    hops = workflow.next_hops(frm.code)
    if to.code in hops or store.submissions(campaign, sender=frm.code, receiver=to.code):
        return
    if any(
        (frm.code, to.code) in itertools.pairwise(route)
        for route, _ in store.route_groups(campaign, IN_REVIEW)
    ):
        return
    go = sorted(hops)
    raise InvalidInput(
        f"receiver: {to.code} ({to.name}) receives no letter from {frm.code} ({frm.name}) in "
        f"this campaign: its letters go to {', '.join(go) if go else 'no one (it is the top)'}",
        f"receiver：本次遴选中{frm.name}的推荐函不报送{to.name}"
        + (f"，应报送{'、'.join(workflow.graph[c].name for c in go)}" if go else "（该机关为最高一级）"),
    )
