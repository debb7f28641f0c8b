"""Every name a nomination is moved and recorded by, spelled once: states, actions, the
pseudo-roles actors take, tracks, and their labels in Chinese and English.

The names are plain strings (``Final`` constants, grouped in tuples and read-only mappings),
not an ``Enum``: they are what the stores, the audit log and the campaign files hold, and a
state read back from a database row must compare equal to, hash like and serialise like the
constant, at the cost of a string comparison.

>>> IN_REVIEW, STATE_ZH[IN_REVIEW], ACTION_ZH[RECOMMEND]
('in_review', '审核推荐中', '推荐')
>>> sorted(FINAL_STATES) == sorted(s for s in STATES if s not in LIVE_STATES)
True
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = [
    "ACTIONS",
    "ACTION_EN",
    "ACTION_NAMES_ZH",
    "ACTION_ZH",
    "ANNOUNCE",
    "ANNOUNCED",
    "APPLICANT",
    "APPLY",
    "ATTACH",
    "AWAITING_APPLICATION",
    "CHECK",
    "CHECK_FAILED",
    "CHECK_PASSED",
    "CHECK_SELECTED",
    "CONCLUDE",
    "CUT",
    "DEADLINE_SWEEP",
    "DECLINE",
    "DECLINED",
    "DISCARDED",
    "DISMISS",
    "DISMISSED",
    "DRAFT",
    "EXAMINE",
    "FINAL_STATES",
    "INITIAL_STATE",
    "IN_REVIEW",
    "LAPSE",
    "LAPSED",
    "LEVEL_EN",
    "LEVEL_ZH",
    "LIVE_STATES",
    "LOGGED_ACTION_ZH",
    "LOGGED_STATE_ZH",
    "NEW",
    "NOMINATE",
    "NOT_RECOMMENDED",
    "OBJECT",
    "OBJECTED",
    "OBJECTOR",
    "ON_NOTICE",
    "PROPOSE",
    "PROPOSED",
    "PUBLIC",
    "PUBLISH",
    "QUOTA_ALL_TYPES",
    "RECALL",
    "RECEIVED",
    "RECOMMEND",
    "REGISTER",
    "REJECTED",
    "REMOVED",
    "RETURN",
    "RETURNED",
    "REVIEWED",
    "REVOKED",
    "REVOKE_UNAPPLIED",
    "ROLES",
    "ROLE_EN",
    "ROLE_ZH",
    "SCORE",
    "SELECT_FOR_CHECK",
    "SENT",
    "STAMP",
    "STATES",
    "STATE_EN",
    "STATE_ZH",
    "SUBMISSION_ACTIONS",
    "SUBMISSION_ACTION_EN",
    "SUBMISSION_ACTION_ZH",
    "SUBMISSION_FINAL_STATES",
    "SUBMISSION_STATES",
    "SUBMISSION_STATE_EN",
    "SUBMISSION_STATE_ZH",
    "SYSTEM",
    "S_ADD",
    "S_ATTACH",
    "S_DISCARD",
    "S_ORDER",
    "S_PREPARE",
    "S_RECALL",
    "S_REMOVE",
    "S_RETURN",
    "S_SEND",
    "S_STAMP",
    "TRACKS",
    "TRACK_EN",
    "TRACK_NEW",
    "TRACK_RE_REVIEW",
    "TRACK_ZH",
    "UPHELD",
    "UPHOLD",
    "WITHDRAW",
    "WITHDRAWN",
]

# -- states ------------------------------------------------------------------------------

NEW: Final = "new"  # not filed yet: the state a nomination leaves by nominate or register
AWAITING_APPLICATION: Final = "awaiting_application"  # an earlier winner, registered
IN_REVIEW: Final = "in_review"  # climbing the route below the top
RECEIVED: Final = "received"  # at the top (the ministry)
REVIEWED: Final = "reviewed"  # passed the expert review
PROPOSED: Final = "proposed"
ON_NOTICE: Final = "on_notice"
OBJECTED: Final = "objected"
ANNOUNCED: Final = "announced"
DECLINED: Final = "declined"
WITHDRAWN: Final = "withdrawn"
NOT_RECOMMENDED: Final = "not_recommended"  # cut by quota at a selection
LAPSED: Final = "lapsed"  # its hop's deadline passed
REJECTED: Final = "rejected"  # failed the expert review or the on-site check
REMOVED: Final = "removed"  # an objection to it was upheld
REVOKED: Final = "revoked"  # an earlier winner that lost its title

INITIAL_STATE: Final = NEW

#: Every state, in the order of the transition table.
STATES: Final[tuple[str, ...]] = (
    NEW, AWAITING_APPLICATION, IN_REVIEW, RECEIVED, REVIEWED, PROPOSED, ON_NOTICE, OBJECTED,
    ANNOUNCED, DECLINED, WITHDRAWN, NOT_RECOMMENDED, LAPSED, REJECTED, REMOVED, REVOKED,
)  # fmt: skip
#: The states nothing leaves: the transition table declares them final (``final: True``) and
#: the machine refuses a table where one of them has a transition.
FINAL_STATES: Final[frozenset[str]] = frozenset(
    {ANNOUNCED, DECLINED, WITHDRAWN, NOT_RECOMMENDED, LAPSED, REJECTED, REMOVED, REVOKED}
)
#: The states a nomination can still move from.
LIVE_STATES: Final[tuple[str, ...]] = tuple(s for s in STATES if s not in FINAL_STATES)

STATE_ZH: Final[Mapping[str, str]] = MappingProxyType({
    NEW: "未申报", AWAITING_APPLICATION: "待申请复核", IN_REVIEW: "审核推荐中",
    RECEIVED: "最高一级已受理", REVIEWED: "专家评审通过", PROPOSED: "拟认定", ON_NOTICE: "公示中",
    OBJECTED: "公示异议处理中", ANNOUNCED: "已公告", DECLINED: "未予推荐", WITHDRAWN: "已撤回",
    NOT_RECOMMENDED: "名额已满未推荐", LAPSED: "逾期未报送", REJECTED: "未通过",
    REMOVED: "公示后取消", REVOKED: "已撤销",
})  # fmt: skip
STATE_EN: Final[Mapping[str, str]] = MappingProxyType({
    NEW: "not filed", AWAITING_APPLICATION: "awaiting the re-review application",
    IN_REVIEW: "in review", RECEIVED: "received by the ministry",
    REVIEWED: "passed the expert review", PROPOSED: "proposed", ON_NOTICE: "on public notice",
    OBJECTED: "objection pending", ANNOUNCED: "announced", DECLINED: "declined",
    WITHDRAWN: "withdrawn", NOT_RECOMMENDED: "not recommended (quota full)",
    LAPSED: "lapsed (deadline passed)", REJECTED: "rejected", REMOVED: "removed (objection upheld)",
    REVOKED: "revoked",
})  # fmt: skip

# -- actions (the machine's triggers; the audit log's ``action``) -----------------------

NOMINATE: Final = "nominate"
ATTACH: Final = "attach"
#: A department of the holder examines the unit (逐一审查, 初核) and records its opinion,
#: where the campaign asks for it (``examine`` in its acting rules).
EXAMINE: Final = "examine"
#: Kept for the submission's joint stamp (:data:`S_STAMP` is its log name).
STAMP: Final = "stamp"
RECOMMEND: Final = "recommend"  # the unit moves up with its submission (推荐函) when it is sent
RECALL: Final = "recall"  # the unit moves back down with its submission, recalled by the sender
RETURN: Final = "return"
DECLINE: Final = "decline"
WITHDRAW: Final = "withdraw"
CUT: Final = "cut"
LAPSE: Final = "lapse"
REGISTER: Final = "register"
APPLY: Final = "apply"
REVOKE_UNAPPLIED: Final = "revoke_unapplied"
SCORE: Final = "score"
CONCLUDE: Final = "conclude"
SELECT_FOR_CHECK: Final = "select_for_check"
CHECK: Final = "check"
PROPOSE: Final = "propose"
PUBLISH: Final = "publish"
OBJECT: Final = "object"
UPHOLD: Final = "uphold"
DISMISS: Final = "dismiss"
ANNOUNCE: Final = "announce"

#: Every action, in the order of the transition table.
ACTIONS: Final[tuple[str, ...]] = (
    NOMINATE, ATTACH, EXAMINE, RECOMMEND, RETURN, RECALL, DECLINE, WITHDRAW, CUT, LAPSE, REGISTER, APPLY,
    REVOKE_UNAPPLIED, SCORE, CONCLUDE, SELECT_FOR_CHECK, CHECK, PROPOSE, PUBLISH, OBJECT, UPHOLD,
    DISMISS, ANNOUNCE,
)  # fmt: skip
#: Each action as a civil servant names it (for messages in Chinese).
ACTION_ZH: Final[Mapping[str, str]] = MappingProxyType({
    NOMINATE: "申报", ATTACH: "提交材料", EXAMINE: "逐一审查", RECOMMEND: "推荐",
    RECALL: "随推荐函撤回", RETURN: "退回",
    DECLINE: "不予推荐", WITHDRAW: "撤回", CUT: "名额外不予推荐", LAPSE: "逾期失效",
    REGISTER: "登记复核单位", APPLY: "申请复核", REVOKE_UNAPPLIED: "逾期未申请撤销",
    SCORE: "专家评分", CONCLUDE: "评审结论", SELECT_FOR_CHECK: "抽取实地核查", CHECK: "实地核查",
    PROPOSE: "拟入选", PUBLISH: "公示", OBJECT: "异议", UPHOLD: "异议成立", DISMISS: "异议不成立",
    ANNOUNCE: "公告",
})  # fmt: skip
ACTION_EN: Final[Mapping[str, str]] = MappingProxyType({
    NOMINATE: "nominate", ATTACH: "attach materials", EXAMINE: "examine",
    RECOMMEND: "recommend", RECALL: "recalled with its submission",
    RETURN: "return to the lower level", DECLINE: "decline", WITHDRAW: "withdraw",
    CUT: "cut (quota full)", LAPSE: "lapse (deadline passed)",
    REGISTER: "register an earlier winner", APPLY: "apply for re-review",
    REVOKE_UNAPPLIED: "revoke (no re-review application)", SCORE: "expert score",
    CONCLUDE: "conclude the expert review", SELECT_FOR_CHECK: "draw for an on-site check",
    CHECK: "on-site check", PROPOSE: "propose", PUBLISH: "publish the notice",
    OBJECT: "object", UPHOLD: "uphold the objection", DISMISS: "dismiss the objection",
    ANNOUNCE: "announce",
})  # fmt: skip

# -- submissions (推荐函): one jointly stamped letter per sender and hop ----------------

DRAFT: Final = "draft"  # being prepared by the sender: units added, materials, stamps
SENT: Final = "sent"  # sent: its units are with the receiver
RETURNED: Final = "returned"  # the receiver sent the whole letter back (final)
DISCARDED: Final = "discarded"  # the sender dropped the draft (final)

SUBMISSION_STATES: Final[tuple[str, ...]] = (DRAFT, SENT, RETURNED, DISCARDED)
SUBMISSION_FINAL_STATES: Final[frozenset[str]] = frozenset({RETURNED, DISCARDED})
SUBMISSION_STATE_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {DRAFT: "拟稿中", SENT: "已报送", RETURNED: "已退回", DISCARDED: "已作废"}
)
SUBMISSION_STATE_EN: Final[Mapping[str, str]] = MappingProxyType(
    {DRAFT: "draft", SENT: "sent", RETURNED: "returned", DISCARDED: "discarded"}
)

# The actions on a submission, as its audit events name them (distinct from a unit's own).
S_PREPARE: Final = "prepare_submission"
S_ADD: Final = "add_units"
S_REMOVE: Final = "remove_unit"
S_ORDER: Final = "order_units"
S_ATTACH: Final = "attach_letter"
S_STAMP: Final = "stamp_letter"
S_SEND: Final = "send"
S_RECALL: Final = "recall_letter"
S_RETURN: Final = "return_letter"
S_DISCARD: Final = "discard_letter"

SUBMISSION_ACTIONS: Final[tuple[str, ...]] = (
    S_PREPARE, S_ADD, S_REMOVE, S_ORDER, S_ATTACH, S_STAMP, S_SEND, S_RECALL, S_RETURN, S_DISCARD,
)  # fmt: skip
SUBMISSION_ACTION_ZH: Final[Mapping[str, str]] = MappingProxyType({
    S_PREPARE: "起草推荐函", S_ADD: "列入推荐函", S_REMOVE: "移出推荐函", S_ORDER: "调整推荐顺序",
    S_ATTACH: "附推荐函材料", S_STAMP: "联合盖章", S_SEND: "报送", S_RECALL: "撤回推荐函",
    S_RETURN: "退回推荐函", S_DISCARD: "作废推荐函",
})  # fmt: skip
SUBMISSION_ACTION_EN: Final[Mapping[str, str]] = MappingProxyType({
    S_PREPARE: "prepare a submission", S_ADD: "add units", S_REMOVE: "remove a unit",
    S_ORDER: "order the units", S_ATTACH: "attach a letter material", S_STAMP: "stamp the letter",
    S_SEND: "send", S_RECALL: "recall the submission", S_RETURN: "return the submission",
    S_DISCARD: "discard the draft",
})  # fmt: skip

#: Every action and state the audit log holds (a unit's and a letter's), as civil servants name them.
LOGGED_ACTION_ZH: Final[Mapping[str, str]] = MappingProxyType({**ACTION_ZH, **SUBMISSION_ACTION_ZH})
LOGGED_STATE_ZH: Final[Mapping[str, str]] = MappingProxyType({**STATE_ZH, **SUBMISSION_STATE_ZH})
#: Every action a caller names (a refusal, a command line's choice), as civil servants name it:
#: the logged ones, and a unit's ``stamp`` (the joint stamp of the letter carrying it).
ACTION_NAMES_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {**LOGGED_ACTION_ZH, STAMP: SUBMISSION_ACTION_ZH[S_STAMP]}
)

# -- roles: the pseudo-departments (and pseudo-authority) actors take --------------------

#: The unit itself: ``Actor(unit_code, APPLICANT, person)``.
APPLICANT: Final = "applicant"
#: pilotflow's own time-driven transitions (the deadline sweep), as the holding authority.
SYSTEM: Final = "system"
#: A member of the public objecting to a unit on notice: ``Actor(PUBLIC, OBJECTOR, name)``.
OBJECTOR: Final = "objector"
#: The pseudo-authority of an objector.
PUBLIC: Final = "public"
#: The person id of the deadline sweep's ``SYSTEM`` actor.
DEADLINE_SWEEP: Final = "deadline-sweep"

#: The departments an actor may name that no authority has.
ROLES: Final[tuple[str, ...]] = (APPLICANT, SYSTEM, OBJECTOR)
ROLE_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {APPLICANT: "申报单位", SYSTEM: "系统（期限到期自动处理）", OBJECTOR: "异议人", PUBLIC: "社会公众"}
)
ROLE_EN: Final[Mapping[str, str]] = MappingProxyType(
    {
        APPLICANT: "applicant unit",
        SYSTEM: "system (deadline sweep)",
        OBJECTOR: "objector",
        PUBLIC: "the public",
    }
)

# -- levels of the authority graph (a campaign may name its own; these are the defaults) ----

#: Each level of the authority graph (``AuthorityGraph.LEVELS``) as civil servants name it.
LEVEL_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {"district": "区县级", "city": "市级", "province": "省级", "ministry": "部级"}
)
LEVEL_EN: Final[Mapping[str, str]] = MappingProxyType({
    "district": "district / county level", "city": "city level", "province": "province level",
    "ministry": "ministry level",
})  # fmt: skip

# -- tracks, spot checks, rulings, quota counters ---------------------------------------

TRACK_NEW: Final = "new"  # a nomination of this campaign (the same string as the state NEW)
TRACK_RE_REVIEW: Final = "re_review"  # an earlier winner's re-review (复核)
TRACKS: Final[tuple[str, ...]] = (TRACK_NEW, TRACK_RE_REVIEW)
TRACK_ZH: Final[Mapping[str, str]] = MappingProxyType({TRACK_NEW: "新申报", TRACK_RE_REVIEW: "复核"})
TRACK_EN: Final[Mapping[str, str]] = MappingProxyType(
    {TRACK_NEW: "new nomination", TRACK_RE_REVIEW: "re-review"}
)

#: ``MinistryRecord.check``: drawn for an on-site check, then its result.
CHECK_SELECTED: Final = "selected"
CHECK_PASSED: Final = "passed"
CHECK_FAILED: Final = "failed"
#: ``Objection.ruling``.
UPHELD: Final = "upheld"
DISMISSED: Final = "dismissed"
#: The quota counter of all unit types together (a re-review counts under TRACK_RE_REVIEW).
QUOTA_ALL_TYPES: Final = "*"

assert set(ACTION_ZH) == set(ACTIONS) == set(ACTION_EN)
assert set(STATE_ZH) == set(STATES) == set(STATE_EN)
assert set(STATES) >= FINAL_STATES
assert set(SUBMISSION_ACTION_ZH) == set(SUBMISSION_ACTIONS) == set(SUBMISSION_ACTION_EN)
assert not set(SUBMISSION_ACTIONS) & set(ACTIONS)
