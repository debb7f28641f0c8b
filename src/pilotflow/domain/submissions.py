"""The submission (推荐函): one sender's jointly stamped recommendation letter at one hop.

In the field a recommending authority does not stamp each unit: its departments examine the
units one by one (逐一审查, where the campaign asks for it), agree, and jointly stamp **one**
letter with a summary table (汇总表) listing its units in its order; the letter and the units'
own materials go to the next authority together. A :class:`Submission` is that letter:

* the sender **prepares** it with the units it holds (nominations whose next authority is the
  letter's receiver), may **add**, **remove** and **order** them, and attaches the letter's
  own materials (those of ``per: submission`` in the campaign);
* every stamping department of the sender **stamps** it once; changing its units takes the
  stamps off (a stamp attests the letter as it stands);
* **send** moves all its units to the receiver at once and takes their quota seats, or moves
  none (every unit judged, every refusal listed);
* the sender may **recall** it while the receiver has acted on none of its units and
  returned none of them (the units come back, their seats are given back, the letter is a
  draft again); the receiver may **return** it whole (final) or return single units (each
  leaves the letter); a unit withdrawn, declined or lapsed leaves it; a sent letter every
  unit has left stays sent with none, the record of what was sent, with nothing to return
  and nothing to recall;
* a draft nobody will send is **discarded**.

Lifecycle (``[final]`` states)::

    (none) ──prepare──▶ draft ──send──▶ sent ──return (whole)──▶ [returned]
                         │  ▲             │
                         │  ╰───recall────╯
                         ╰──discard──▶ [discarded]

A sent letter listing no unit (each withdrawn or returned on its own) stays ``sent``: it is
neither recalled (``nothing_to_recall``) nor returned whole (``nothing_to_return``).

Each action is one audit :class:`~pilotflow.domain.events.Event` of the submission (its id in
``Event.nomination_id``, the letter's states in ``from_state``/``to_state``); a unit's own
move (``recommend``, ``recall``, ``return``) is recorded on the unit, naming the submission in
its data. :func:`apply_submission` is the one place a submission changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from attrs import frozen

from ..errors import Reason
from ._fast import builder
from .authorities import Authority
from .campaign import MaterialRequirement
from .guards import HELD_SUBMISSION, acts_for, materials_full, missing_copies, stamp_refused
from .names import (
    DISCARDED,
    DRAFT,
    IN_REVIEW,
    NEW,
    RETURNED,
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
    STATE_ZH,
    SUBMISSION_ACTION_ZH,
    SUBMISSION_FINAL_STATES,
    SUBMISSION_STATE_ZH,
)
from .records import Actor, Material, Nomination

__all__ = [
    "LETTER_CHECKS",
    "LETTER_MOVES",
    "MAX_UNITS",
    "Submission",
    "apply_submission",
    "build_submission",
    "drafted",
    "letter_materials_reason",
    "letter_reasons",
    "listing_moves",
    "recall_reasons",
    "returned_since_sent",
    "stamps_reason",
    "unit_reasons",
]

#: At most this many units in one submission (a province's letter lists tens; a national
#: ministry's own review never hundreds of thousands in one letter).
MAX_UNITS = 5000

#: Each submission action: the states it may start from and the state it leaves the letter in
#: (None: the state it started from).
LETTER_MOVES: Mapping[str, tuple[frozenset[str], str | None]] = {
    S_PREPARE: (frozenset({NEW}), DRAFT),  # (a submission being prepared: state "new")
    S_ADD: (frozenset({DRAFT}), None),
    S_REMOVE: (frozenset({DRAFT, SENT}), None),
    S_ORDER: (frozenset({DRAFT}), None),
    S_ATTACH: (frozenset({DRAFT}), None),
    S_STAMP: (frozenset({DRAFT}), None),
    S_SEND: (frozenset({DRAFT}), SENT),
    S_RECALL: (frozenset({SENT}), DRAFT),
    S_RETURN: (frozenset({SENT}), RETURNED),
    S_DISCARD: (frozenset({DRAFT}), DISCARDED),
}


@frozen(weakref_slot=False)  # see pilotflow.domain._fast
class Submission:
    """One sender's recommendation letter (推荐函) to one receiver, as of its ``version``.

    ``units`` are the nominations it carries, in the sender's order (the order of its summary
    table); ``stamps`` the sender's departments that have stamped it; ``materials`` the
    letter's own materials; ``documents`` the summary table and letter draft pilotflow
    generated when it was sent (with their SHA-256). ``sent_versions`` holds each unit's
    version right after the send: the receiver has acted on none of them while they are
    unchanged (the sender may still recall the letter).
    """

    id: str
    campaign: str
    revision: str
    sender: str
    receiver: str
    state: str
    units: tuple[str, ...]
    stamps: tuple[str, ...]
    materials: tuple[Material, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    sent_versions: tuple[int, ...] = ()
    documents: tuple[Material, ...] = ()

    @property
    def holder(self) -> str:
        """Who has the letter now: the sender until it is sent, then the receiver."""
        return self.receiver if self.state == SENT else self.sender

    @property
    def is_open(self) -> bool:
        """A draft or a sent letter (not returned or discarded)."""
        return self.state not in SUBMISSION_FINAL_STATES

    def __repr__(self) -> str:
        return (
            f"<Submission {self.id} {self.sender}→{self.receiver} {self.state} "
            f"{len(self.units)} units v{self.version}>"
        )


# A positional constructor for the hot path (every field, no checks): see pilotflow.domain._fast.
build_submission = builder(Submission)


def apply_submission(current: Submission | None, event: Any) -> Submission:
    """The submission after ``event`` (``current`` is None for ``prepare_submission``)."""
    action = event.action
    d: Mapping[str, Any] = event.data
    if current is None:
        if action != S_PREPARE:
            raise ValueError(f"event {action} of {event.nomination_id} has no submission to apply to")
        return Submission(
            event.nomination_id, d["campaign"], event.revision, d["sender"], d["receiver"],
            event.to_state, tuple(d["units"]), (), (), event.version, event.at, event.at,
        )  # fmt: skip
    units, stamps, materials = current.units, current.stamps, current.materials
    sent_at, sent_versions, documents = current.sent_at, current.sent_versions, current.documents
    if action == S_STAMP:  # (a letter's most common action first)
        stamps = (*stamps, d["department"])
    elif action == S_ADD:
        units, stamps = (*units, *d["units"]), ()
    elif action == S_REMOVE:
        units = tuple(u for u in units if u != d["unit"])
        if current.state == DRAFT:  # a sent letter keeps the stamps it was sent with
            stamps = ()
        elif sent_versions:
            sent_versions = tuple(
                v for u, v in zip(current.units, sent_versions, strict=True) if u != d["unit"]
            )
    elif action == S_ORDER:
        units, stamps = tuple(d["units"]), ()
    elif action == S_ATTACH:
        materials = (*materials, d["material"])
    elif action == S_SEND:
        sent_at, sent_versions = event.at, tuple(d["versions"])
        documents = tuple(d.get("materials", ()))  # the generated summary table and letter draft
    elif action == S_RECALL:  # a draft again, stamped again: its units may have changed since
        sent_at, sent_versions, documents, stamps = None, (), (), ()
    elif action not in (S_RETURN, S_DISCARD):
        raise ValueError(f"unknown action {action!r} in event of submission {event.nomination_id}")
    return build_submission(
        current.id, current.campaign, current.revision, current.sender, current.receiver,
        event.to_state, units, stamps, materials, event.version, current.created_at, event.at,
        sent_at, sent_versions, documents,
    )  # fmt: skip


class _LetterEvent(Protocol):
    """What :func:`returned_since_sent` reads of a letter's event (an ``events.Event``)."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> Actor: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


def returned_since_sent(s: Submission, events: Iterable[_LetterEvent]) -> tuple[str, ...]:
    """The units the receiver of ``s`` has taken out of it since it was last sent (each
    returned on its own: a ``remove_unit`` event of the letter by the receiver's actor), read
    from the letter's ``events`` (its log, in order). Having returned one, the receiver has
    acted on the letter: the sender can no longer recall it. A unit its applicant withdrew
    left it too, but the receiver did not act."""
    returned: list[str] = []
    for event in events:
        if event.action == S_SEND:
            returned = []  # (the letter was recalled and sent again since: those do not count)
        elif event.action == S_REMOVE and event.actor.authority == s.receiver:
            returned.append(event.data["unit"])
    return tuple(returned) if s.state == SENT else ()


def _emptied_reasons(s: Submission, sender: Authority, verb: str, verb_zh: str) -> list[Reason]:
    """``nothing_to_<verb>`` when ``s`` is sent and every unit has left it (each returned or
    withdrawn one by one): a sent letter listing no unit is neither recalled nor returned
    whole, there being nothing to bring back (``verb``: ``recall`` or ``return``)."""
    if s.state != SENT or s.units:
        return []
    return [Reason(
        f"nothing_to_{verb}",
        f"every unit of the submission of {sender.code} has left it already (returned or withdrawn "
        f"one by one): there is nothing to {verb}",
        f"{sender.name} 的推荐函所列推荐对象均已逐一退回或撤回，没有可{verb_zh}的推荐对象",
        {"submission": s.id},
    )]  # fmt: skip


def recall_reasons(
    s: Submission, sender: Authority, receiver: Authority, acted: Sequence[str], returned: Sequence[str]
) -> list[Reason]:
    """Why the sender can no longer recall the sent letter ``s``: every unit has left it
    already (withdrawn or returned one by one: recalling it would bring nothing back,
    ``nothing_to_recall``), its receiver has acted on units it still holds (``acted``: their
    versions moved since it was sent), or has returned some of them (``returned``:
    :func:`returned_since_sent`). The last two are ``receiver_acted``."""
    reasons = _emptied_reasons(s, sender, "recall", "撤回")
    if acted:
        reasons.append(Reason(
            "receiver_acted",
            f"{receiver.code} has already acted on units of this submission ({', '.join(acted)}): "
            "it can no longer be recalled; ask the receiver to return them",
            f"{receiver.name}已办理本推荐函中的推荐对象，不能撤回；如需修改，请商收函单位退回",
            {"units": tuple(acted)},
        ))  # fmt: skip
    if returned:
        reasons.append(Reason(
            "receiver_acted",
            f"{receiver.code} has already returned units of this submission ({', '.join(returned)}): "
            "it has acted on the letter, which can no longer be recalled; ask the receiver to "
            "return the letter if it must change",
            f"{receiver.name}已退回本推荐函中的推荐对象，即已办理本推荐函，不能撤回；"
            "如需修改，请商收函单位退回整份推荐函",
            {"returned": tuple(returned), "submission": s.id},
        ))  # fmt: skip
    return reasons


def drafted(s: Submission | None) -> tuple[str, ...]:
    """The units ``s`` holds as a draft: a unit may be listed in one draft at a time (a store
    holds that rule against concurrent letters: see :func:`listing_moves`)."""
    return s.units if s is not None and s.state == DRAFT else ()


def listing_moves(before: Submission | None, after: Submission) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The units a submission's change lists in its draft, and those it lets go (removed,
    sent, returned, discarded): what a store claims and releases for it."""
    old = before.units if before is not None and before.state == DRAFT else ()  # drafted(), inline:
    new = after.units if after.state == DRAFT else ()  # a letter's every change comes here
    if old is new or old == new:
        return (), ()
    return tuple(u for u in new if u not in old), tuple(u for u in old if u not in new)


def stamps_reason(sender: Authority, stamps: Iterable[str], names: Mapping[str, str]) -> Reason | None:
    """Why the letter cannot be sent for want of stamps (every stamping department of the
    sender stamps it: 联合盖章), or None."""
    have = set(stamps)
    missing = [d for d in sender.stamping if d not in have]
    if not missing:
        return None
    return Reason(
        "stamps_missing",
        f"the joint stamp of {sender.code} is incomplete: missing {', '.join(missing)}",
        f"{sender.name} 推荐函联合盖章未完成，尚缺：{'、'.join(names.get(d, d) for d in missing)}",
        {"missing": tuple(missing), "authority": sender.code},
    )


def letter_materials_reason(
    required: Sequence[MaterialRequirement],
    materials: Iterable[Material],
    names: Mapping[str, str],
    sender: Authority,
) -> Reason | None:
    """Why the letter cannot be sent for want of its own materials (``per: submission``)."""
    missing = missing_copies(materials, required)
    if not missing:
        return None
    return Reason(
        "letter_materials_missing",
        f"the submission of {sender.code} lacks: "
        + ", ".join(f"{k} ({have} of {need} copies)" for k, need, have in missing),
        f"{sender.name} 推荐函尚缺材料："
        + "、".join(f"{names.get(k, k)}（应 {need} 份，已 {have} 份）" for k, need, have in missing),
        {"missing": tuple(k for k, _, _ in missing), "authority": sender.code},
    )


#: What each submission action checks, in order (the codes its events record as verdicts).
LETTER_CHECKS: Mapping[str, tuple[str, ...]] = {
    S_PREPARE: ("actor_acts", "units_may_join"),
    S_ADD: ("letter_state", "actor_acts", "units_may_join"),
    S_REMOVE: ("letter_state", "actor_acts", "unit_in_letter"),
    S_ORDER: ("letter_state", "actor_acts", "same_units"),
    S_ATTACH: ("letter_state", "actor_acts", "materials_room"),
    S_STAMP: ("letter_state", "actor_acts", "not_stamped_yet", "has_units"),
    S_SEND: ("letter_state", "actor_acts", "has_units", "stamps_complete", "letter_materials_complete",
             "units_may_go"),
    S_RECALL: ("letter_state", "actor_acts", "has_units", "receiver_not_acted"),
    S_RETURN: ("letter_state", "actor_acts", "has_units", "units_may_go_back"),
    S_DISCARD: ("letter_state", "actor_acts"),
}  # fmt: skip


def letter_reasons(
    action: str,
    s: Submission,
    actor: Actor | None,
    sender: Authority,
    receiver: Authority,
    names: Mapping[str, str],
) -> list[Reason]:
    """Why the submission's own rules refuse ``action`` on ``s`` by ``actor``: its state, who
    acts (a department of the sender; of the receiver to return it), the joint stamp, its
    units being there (a sent letter every unit has left has nothing to return). What its
    units' own rules say is judged with them (:func:`unit_reasons`, and the units' machine on
    ``send``, ``recall`` and ``return``)."""
    reasons: list[Reason] = []
    allowed, _ = LETTER_MOVES[action]
    if s.state not in allowed:
        reasons.append(Reason(
            "not_allowed_in_state",
            f"{action!r} is not possible on a submission in state {s.state!r}",
            f"推荐函当前状态（{SUBMISSION_STATE_ZH.get(s.state, '未知状态')}）下"
            f"不能执行“{SUBMISSION_ACTION_ZH.get(action, '该操作')}”",
            {"state": s.state, "action": action, "submission": s.id},
        ))  # fmt: skip
    who = receiver if action == S_RETURN else sender
    denied = acts_for(actor, who, names, HELD_SUBMISSION)
    if denied is not None:
        reasons.append(denied)
    if action == S_ATTACH:
        full = materials_full(len(s.materials), f"the submission of {sender.code}", f"{sender.name}的推荐函",
                              submission=s.id)  # fmt: skip
        if full is not None:
            reasons.append(full)
    if action == S_STAMP:
        refused = stamp_refused(actor, sender, s.stamps, names)
        if refused is not None:
            reasons.append(refused)
    if action in (S_STAMP, S_SEND) and not s.units:
        reasons.append(Reason(
            "no_units",
            f"the submission of {sender.code} lists no unit",
            f"{sender.name} 的推荐函未列入任何推荐对象",
            {"submission": s.id},
        ))  # fmt: skip
    if action == S_RETURN:
        reasons += _emptied_reasons(s, sender, "return", "退回")
    if action == S_SEND:
        missing = stamps_reason(sender, s.stamps, names)
        if missing is not None:
            reasons.append(missing)
    return reasons


def unit_reasons(
    n: Nomination, s: Submission, sender: Authority, others: Mapping[str, str], names: Mapping[str, str]
) -> list[Reason]:
    """Why unit ``n`` may not join submission ``s`` (from ``sender``): the sender must hold it
    in review, its next authority must be the letter's receiver, and it may be in no other
    open draft of the sender (``others``: unit id → the draft holding it) nor in ``s``."""
    reasons: list[Reason] = []
    who = f"{n.unit_name}（{n.id}）"
    if n.state != IN_REVIEW or n.holder != sender.code:
        reasons.append(Reason(
            "unit_not_held",
            f"{n.unit_name} ({n.id}) is not in review at {sender.code}: it is {n.state} at {n.holder}",
            f"{who}目前不在{sender.name}审核推荐中"
            f"（状态：{STATE_ZH.get(n.state, '未知状态')}），不能列入其推荐函",
            {"nomination": n.id, "state": n.state, "holder": n.holder},
        ))  # fmt: skip
    elif n.next_authority != s.receiver:
        reasons.append(Reason(
            "other_receiver",
            f"{n.unit_name} ({n.id}) goes from {sender.code} to {n.next_authority}, not to {s.receiver}",
            f"{who}的下一级推荐单位不是本推荐函的收函单位，不能列入",
            {"nomination": n.id, "next": n.next_authority, "receiver": s.receiver},
        ))  # fmt: skip
    if n.id in s.units:
        reasons.append(Reason(
            "already_in_letter",
            f"{n.unit_name} ({n.id}) is already in this submission",
            f"{who}已列入本推荐函",
            {"nomination": n.id, "submission": s.id},
        ))  # fmt: skip
    elif n.id in others:
        reasons.append(Reason(
            "in_other_letter",
            f"{n.unit_name} ({n.id}) is already in the draft submission {others[n.id]}",
            f"{who}已列入另一份拟稿中的推荐函（{others[n.id]}），请先将其移出",
            {"nomination": n.id, "submission": others[n.id]},
        ))  # fmt: skip
    return reasons
