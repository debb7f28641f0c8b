"""The campaign's rules that are arithmetic or a judgement over records, each defined once.

The guards (:mod:`pilotflow.domain.guards`) say whether an action may go ahead; the functions
here compute the facts they and the application service need: how many re-review units a
share allows, how expert scores combine, whether a re-review unit applied, which hop's
deadline an action answers to, where an action moves a nomination, and whether a moment comes
too early for a nomination's log.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from ..errors import InvalidInput, Reason
from .inputs import check_choice, check_number, check_sequence
from .names import (
    ANNOUNCE,
    AWAITING_APPLICATION,
    CHECK,
    CONCLUDE,
    DISMISS,
    NEW,
    OBJECT,
    PROPOSE,
    PUBLISH,
    RECALL,
    RECOMMEND,
    REGISTER,
    RETURN,
    REVOKE_UNAPPLIED,
    REVOKED,
    SCORE,
    SELECT_FOR_CHECK,
    TRACK_RE_REVIEW,
    UPHOLD,
    WITHDRAW,
    WITHDRAWN,
)
from .records import Nomination

if TYPE_CHECKING:
    from .campaign import Campaign, FilingRules

__all__ = [
    "FILING_STATES",
    "HOP_MOVES",
    "KEEPS_EARLIER_DEADLINE",
    "MINISTRY_ACTIONS",
    "ROUNDINGS",
    "SCORE_DECIMALS",
    "SCORE_RULES",
    "applied",
    "applied_through",
    "checked_score",
    "closing",
    "combine_scores",
    "combined_score",
    "deadline_hop_index",
    "out_of_time_order",
    "review_facts",
    "share_count",
    "share_of",
]

#: How to round a share of applicants to a number of units (``re_review.rounding``).
ROUNDINGS: Final[Mapping[str, Callable[[float], int]]] = {
    "floor": math.floor,
    "ceil": math.ceil,
    "round_half_up": lambda x: math.floor(x + 0.5),
}

#: How expert scores make one (``ministry.combine``).
SCORE_RULES: Final[tuple[str, ...]] = ("mean", "median", "trimmed_mean")

#: How far along its route an action moves a nomination (any other action: not at all).
HOP_MOVES: Final[Mapping[str, int]] = {RECOMMEND: 1, RETURN: -1, RECALL: -1}

#: The ministry-phase actions: their guards and branches see :func:`review_facts`.
MINISTRY_ACTIONS: Final[frozenset[str]] = frozenset(
    {REGISTER, SCORE, CONCLUDE, SELECT_FOR_CHECK, CHECK, PROPOSE, PUBLISH, OBJECT,
     UPHOLD, DISMISS, ANNOUNCE}
)  # fmt: skip

_NOT_APPLIED: Final = frozenset({AWAITING_APPLICATION, WITHDRAWN})


#: The most applicants :func:`share_of` counts (far past any campaign: a bound, not a rule).
MAX_APPLICANTS: Final = 10**9


def share_of(applicants: int, share: float, rounding: str) -> int:
    """How many of ``applicants`` a share allows, rounded by ``rounding`` (one of
    :data:`ROUNDINGS`).

    The count is computed with a small tolerance so that 70% of 10 is 7, not 6.99...→6:

    >>> [share_of(n, 0.7, "floor") for n in (1, 2, 3, 4, 5, 10)]
    [0, 1, 2, 2, 3, 7]
    >>> [share_of(n, 0.7, "round_half_up") for n in (1, 2, 3, 4, 5, 10)]
    [1, 1, 2, 3, 4, 7]
    >>> [share_of(n, 0.7, "ceil") for n in (1, 2, 3, 4, 5, 10)]
    [1, 2, 3, 3, 4, 7]

    Anything else (a count that is no whole number, a share outside 0 to 1, a rounding not
    in :data:`ROUNDINGS`) is :class:`~pilotflow.errors.InvalidInput`.
    """
    check_number("applicants", applicants, 0, MAX_APPLICANTS, whole=True, zh="申报数量")
    check_number("share", share, 0, 1, zh="比例")
    check_choice("rounding", rounding, ROUNDINGS, "取整方式")
    return share_count(applicants, share, rounding)


def share_count(applicants: int, share: float, rounding: str) -> int:
    """:func:`share_of`, of arguments pilotflow checked already (a campaign's share and
    rounding, a count of units): the rule itself, on the paths of actions."""
    exact = applicants * share
    nearest = round(exact)
    if abs(exact - nearest) < 1e-9:
        return int(nearest)
    return ROUNDINGS[rounding](exact)


#: The decimal places of an expert's score and of the combined score compared with the pass
#: score: a score of more would be rounded across the pass mark (five experts' 59.996 made
#: 60.00, a pass, though each scored below 60).
SCORE_DECIMALS: Final = 2


def checked_score(score: object) -> float:
    """An expert's score: a number from 0 to 100 with at most :data:`SCORE_DECIMALS` decimal
    places (as given in binary floating point: ``0.1 + 0.2`` is 0.3); else
    :class:`~pilotflow.errors.InvalidInput`.

    >>> checked_score(87.5), checked_score(0.1 + 0.2)
    (87.5, 0.3)
    """
    check_number("score", score, 0, 100, zh="评分")
    value = float(score)  # type: ignore[arg-type]  # (a number: checked)
    scaled = value * 10**SCORE_DECIMALS
    if abs(scaled - round(scaled)) > 1e-6:
        raise InvalidInput(
            f"score has at most {SCORE_DECIMALS} decimal places, got {value!r}",
            f"评分最多保留 {SCORE_DECIMALS} 位小数，收到 {value!r}",
        )
    return round(value, SCORE_DECIMALS)


def combine_scores(scores: Sequence[float], rule: str) -> float:
    """Expert scores made one by the campaign's rule (one of :data:`SCORE_RULES`).

    >>> combine_scores([70, 80, 90, 20, 85], "trimmed_mean")  # drops 20 and 90
    78.33
    >>> combine_scores([70, 80, 90], "median"), combine_scores([70, 80], "mean")
    (80.0, 75.0)

    Each score is a number from 0 to 100, and there is at least one; else, as for a rule not
    in :data:`SCORE_RULES`, :class:`~pilotflow.errors.InvalidInput`.
    """
    check_choice("rule", rule, SCORE_RULES, "评分汇总规则")
    given = check_sequence(scores, "scores")
    for score in given:
        check_number("score", score, 0, 100, zh="评分")
    if not given:
        raise InvalidInput("scores must hold at least one score", "scores 至少应包含一个评分")
    return combined_score(given, rule)


def combined_score(scores: Sequence[float], rule: str) -> float:
    """:func:`combine_scores`, of the scores a unit's experts gave (each checked when given)
    by the campaign's rule: the rule itself, on the paths of actions."""
    values = sorted(scores)
    if rule == "median":
        return float(statistics.median(values))
    if rule == "trimmed_mean" and len(values) >= 3:
        values = values[1:-1]
    return round(statistics.fmean(values), SCORE_DECIMALS)


#: The actions that revoke a re-review unit that made no application: the sweep's revocation
#: of a winner that never applied, and the withdrawal of an application (a withdrawn
#: application is no application).
_UNAPPLIED_ENDINGS: Final = frozenset({REVOKE_UNAPPLIED, WITHDRAW})


def applied(n: Nomination, revoked_by: Callable[[Nomination], str]) -> bool:
    """Did this re-review unit apply? Not while it awaits its application, nor when it was
    revoked by the sweep for not applying or by the withdrawal of its application
    (``revoked_by(n)``: the action that revoked it, from its log; asked only of a revoked
    unit). A unit declined, cut or failed at any level applied."""
    if n.state in _NOT_APPLIED:
        return False
    return n.state != REVOKED or revoked_by(n) not in _UNAPPLIED_ENDINGS


def applied_through(
    nominations: Iterable[Nomination], authority: str, revoked_by: Callable[[Nomination], str]
) -> int:
    """How many re-review units applied through ``authority``: the base of its share
    (``revoked_by``: see :func:`applied`)."""
    return sum(
        1
        for n in nominations
        if n.track == TRACK_RE_REVIEW and authority in n.route and applied(n, revoked_by)
    )


def review_facts(n: Nomination, action: str, campaign: Campaign) -> dict[str, Any]:
    """Facts a ministry-phase guard needs beyond the nomination: for ``conclude``, the
    combined score and whether it passes (a campaign without an expert review: it passes)."""
    rules = campaign.ministry
    if action == CONCLUDE and not campaign.phases.review:
        return {"passed": True}  # no expert review: the top decides (conclude, or decline)
    if action == CONCLUDE and n.ministry is not None and n.ministry.scores:
        combined = combined_score([s.score for s in n.ministry.scores], rules.combine)
        return {"combined": combined, "passed": combined >= rules.pass_score}
    return {}


#: The actions that may answer to an earlier hop's deadline (see :func:`deadline_hop_index`);
#: every other action answers to its own hop's.
KEEPS_EARLIER_DEADLINE: Final[frozenset[str]] = frozenset({WITHDRAW})


def deadline_hop_index(n: Nomination, action: str, at_top: bool) -> int:
    """The hop whose deadline ``action`` on ``n`` answers to: its own, except that a
    withdrawal at the top keeps the deadline of the hop that brought it there."""
    if action in KEEPS_EARLIER_DEADLINE and at_top and n.hop > 0:
        return n.hop - 1
    return n.hop


#: The states a filing leaves (nominate; a re-review unit's apply): the campaign's filing
#: deadline applies to it besides its hop's.
FILING_STATES: Final[frozenset[str]] = frozenset({NEW, AWAITING_APPLICATION})


def closing(deadline: datetime | None, state: str, filing: FilingRules | None) -> datetime | None:
    """When a nomination in ``state`` whose hop closes at ``deadline`` stops being in time:
    its hop's deadline, or for a filing (:data:`FILING_STATES`) the filing deadline if that
    comes first. The one reading for the guard refusing a late action, the guard letting the
    sweep act on a missed one (lapse, ``revoke_unapplied``), the sweep and ``position``."""
    if filing is not None and state in FILING_STATES and (deadline is None or filing.deadline < deadline):
        return filing.deadline
    return deadline


def out_of_time_order(n: Nomination, at: datetime) -> Reason | None:
    """The reason an action at ``at`` may not be recorded on ``n``: it is earlier than the
    last action on it (the log of a nomination is in time order). None: it is not."""
    if not at < n.updated_at:
        return None
    return Reason(
        "out_of_time_order",
        f"{at.isoformat()} is earlier than the last action on nomination {n.id} "
        f"({n.updated_at.isoformat()}); actions on a nomination must be in time order",
        f"操作时间 {at.isoformat()} 早于申报 {n.id} 的上一次操作时间 {n.updated_at.isoformat()}",
    )
