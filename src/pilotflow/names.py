"""The states, actions, roles and tracks of a nomination, with their Chinese and English labels
(documented as ``pilotflow.names``; defined in :mod:`pilotflow.domain.names`).

>>> from pilotflow.names import IN_REVIEW, STATE_ZH
>>> IN_REVIEW, STATE_ZH[IN_REVIEW]
('in_review', '审核推荐中')
"""

from .domain.names import (
    ACTION_EN as ACTION_EN,
)
from .domain.names import (
    ACTION_ZH as ACTION_ZH,
)
from .domain.names import (
    ACTIONS as ACTIONS,
)
from .domain.names import (
    ANNOUNCE as ANNOUNCE,
)
from .domain.names import (
    ANNOUNCED as ANNOUNCED,
)
from .domain.names import (
    APPLICANT as APPLICANT,
)
from .domain.names import (
    APPLY as APPLY,
)
from .domain.names import (
    ATTACH as ATTACH,
)
from .domain.names import (
    AWAITING_APPLICATION as AWAITING_APPLICATION,
)
from .domain.names import (
    CHECK as CHECK,
)
from .domain.names import (
    CHECK_FAILED as CHECK_FAILED,
)
from .domain.names import (
    CHECK_PASSED as CHECK_PASSED,
)
from .domain.names import (
    CHECK_SELECTED as CHECK_SELECTED,
)
from .domain.names import (
    CONCLUDE as CONCLUDE,
)
from .domain.names import (
    CUT as CUT,
)
from .domain.names import (
    DEADLINE_SWEEP as DEADLINE_SWEEP,
)
from .domain.names import (
    DECLINE as DECLINE,
)
from .domain.names import (
    DECLINED as DECLINED,
)
from .domain.names import (
    DISMISS as DISMISS,
)
from .domain.names import (
    DISMISSED as DISMISSED,
)
from .domain.names import (
    FINAL_STATES as FINAL_STATES,
)
from .domain.names import (
    IN_REVIEW as IN_REVIEW,
)
from .domain.names import (
    INITIAL_STATE as INITIAL_STATE,
)
from .domain.names import (
    LAPSE as LAPSE,
)
from .domain.names import (
    LAPSED as LAPSED,
)
from .domain.names import (
    LIVE_STATES as LIVE_STATES,
)
from .domain.names import (
    NEW as NEW,
)
from .domain.names import (
    NOMINATE as NOMINATE,
)
from .domain.names import (
    NOT_RECOMMENDED as NOT_RECOMMENDED,
)
from .domain.names import (
    OBJECT as OBJECT,
)
from .domain.names import (
    OBJECTED as OBJECTED,
)
from .domain.names import (
    OBJECTOR as OBJECTOR,
)
from .domain.names import (
    ON_NOTICE as ON_NOTICE,
)
from .domain.names import (
    PROPOSE as PROPOSE,
)
from .domain.names import (
    PROPOSED as PROPOSED,
)
from .domain.names import (
    PUBLIC as PUBLIC,
)
from .domain.names import (
    PUBLISH as PUBLISH,
)
from .domain.names import (
    QUOTA_ALL_TYPES as QUOTA_ALL_TYPES,
)
from .domain.names import (
    RECEIVED as RECEIVED,
)
from .domain.names import (
    RECOMMEND as RECOMMEND,
)
from .domain.names import (
    REGISTER as REGISTER,
)
from .domain.names import (
    REJECTED as REJECTED,
)
from .domain.names import (
    REMOVED as REMOVED,
)
from .domain.names import (
    RETURN as RETURN,
)
from .domain.names import (
    REVIEWED as REVIEWED,
)
from .domain.names import (
    REVOKE_UNAPPLIED as REVOKE_UNAPPLIED,
)
from .domain.names import (
    REVOKED as REVOKED,
)
from .domain.names import (
    ROLE_EN as ROLE_EN,
)
from .domain.names import (
    ROLE_ZH as ROLE_ZH,
)
from .domain.names import (
    ROLES as ROLES,
)
from .domain.names import (
    SCORE as SCORE,
)
from .domain.names import (
    SELECT_FOR_CHECK as SELECT_FOR_CHECK,
)
from .domain.names import (
    STAMP as STAMP,
)
from .domain.names import (
    STATE_EN as STATE_EN,
)
from .domain.names import (
    STATE_ZH as STATE_ZH,
)
from .domain.names import (
    STATES as STATES,
)
from .domain.names import (
    SYSTEM as SYSTEM,
)
from .domain.names import (
    TRACK_EN as TRACK_EN,
)
from .domain.names import (
    TRACK_NEW as TRACK_NEW,
)
from .domain.names import (
    TRACK_RE_REVIEW as TRACK_RE_REVIEW,
)
from .domain.names import (
    TRACK_ZH as TRACK_ZH,
)
from .domain.names import (
    TRACKS as TRACKS,
)
from .domain.names import (
    UPHELD as UPHELD,
)
from .domain.names import (
    UPHOLD as UPHOLD,
)
from .domain.names import (
    WITHDRAW as WITHDRAW,
)
from .domain.names import (
    WITHDRAWN as WITHDRAWN,
)

__all__ = [
    "ACTIONS",
    "ACTION_EN",
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
    "DISMISS",
    "DISMISSED",
    "FINAL_STATES",
    "INITIAL_STATE",
    "IN_REVIEW",
    "LAPSE",
    "LAPSED",
    "LIVE_STATES",
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
    "RECEIVED",
    "RECOMMEND",
    "REGISTER",
    "REJECTED",
    "REMOVED",
    "RETURN",
    "REVIEWED",
    "REVOKED",
    "REVOKE_UNAPPLIED",
    "ROLES",
    "ROLE_EN",
    "ROLE_ZH",
    "SCORE",
    "SELECT_FOR_CHECK",
    "STAMP",
    "STATES",
    "STATE_EN",
    "STATE_ZH",
    "SYSTEM",
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
