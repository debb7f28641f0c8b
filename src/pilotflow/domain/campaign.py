"""A campaign definition as data.

A :class:`Campaign` says who recommends to whom (levels and reporting overrides), what may be
nominated (unit types, scenarios), how many each recommender may forward (quota rules), by
when and with which materials each hop must be made (hop rules), which disqualification lists
bar a unit, how candidates are ranked, and the parameters the ministry phase and re-review use.

Campaigns are loaded from YAML by :func:`pilotflow.load_campaign` (``campaign_file.py``); the
format is documented in ``docs/campaign-format.md``. The classes here are plain frozen
``attrs`` records: they do no I/O and know nothing of storage.

Selectors pick authorities. An authority matches a :class:`Selector` when it matches every
criterion the selector sets (an empty selector matches everything)::

    >>> s = Selector(codes=frozenset({"371000"}))
    >>> s.is_empty
    False
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol

from attrs import field, frozen

__all__ = [
    "DEFAULT_CLOCK_TOLERANCE_SECONDS",
    "MAX_CLOCK_TOLERANCE_SECONDS",
    "YEARS",
    "Campaign",
    "CheckRule",
    "FilingRules",
    "HopRule",
    "Level",
    "MaterialRequirement",
    "MaterialType",
    "MinistryRules",
    "NoticeRules",
    "Phases",
    "QuotaRule",
    "Ranking",
    "ReReviewRules",
    "ReportingRule",
    "Scenario",
    "Selector",
    "Text",
    "UnitType",
]


@frozen
class Text:
    """A name or message in English and Chinese."""

    en: str
    zh: str

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})"


class AuthorityLike(Protocol):
    """What a selector needs to know of an authority (see ``authorities.Authority``)."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def ancestors(self) -> frozenset[str]: ...


@frozen
class Selector:
    """Which authorities a rule applies to; every criterion given must hold.

    * ``codes``: the authority's own code is one of these;
    * ``levels``: its level (``district``, ``city``, ``province``, ``ministry``);
    * ``kinds``: its kind (``province``, ``municipality``, ``separately_planned_city``,
      ``xpcc``, ``central_enterprise``, ``prefecture``, ``county``, ``development_zone``...);
    * ``within``: it lies (administratively) inside one of these authorities.
    """

    codes: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    within: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.codes or self.levels or self.kinds or self.within)

    def matches(self, authority: AuthorityLike) -> bool:
        if self.codes and authority.code not in self.codes:
            return False
        if self.levels and authority.level not in self.levels:
            return False
        if self.kinds and authority.kind not in self.kinds:
            return False
        return not (self.within and not (self.within & authority.ancestors))


@frozen
class Level:
    """A tier of the campaign (district, city, province, ministry), lowest first."""

    code: str
    name: Text


@frozen
class UnitType:
    """What may be nominated: enterprise, street/town, park, base..."""

    code: str
    name: Text


@frozen
class Scenario:
    """An application scenario (family health management, elderly canteens...)."""

    code: str
    name: Text
    group: str


@frozen
class MaterialType:
    """A kind of material a hop may require (application form on paper, PDF copy...)."""

    code: str
    name: Text
    paper: bool = False
    formats: tuple[str, ...] = ()
    #: Refuse a PDF of this kind that carries JavaScript or a Launch action (reason
    #: ``active_content``); otherwise such content is reported by ``inspection_of``.
    refuse_active_content: bool = False


@frozen
class MaterialRequirement:
    """A hop needs ``copies`` of material ``kind`` (``unit_types`` empty = every type)."""

    kind: str
    copies: int = 1
    unit_types: frozenset[str] = frozenset()

    def applies_to(self, unit_type: str) -> bool:
        return not self.unit_types or unit_type in self.unit_types


@frozen
class QuotaRule:
    """How many candidates a matching recommender may forward.

    ``limits`` caps each unit type separately (a type the rule does not name has no cap of
    its own); ``total`` caps all types together (a central enterprise: one unit in all).
    The first rule whose ``recommender`` selector matches applies; no matching rule means no
    quota.
    """

    name: str
    recommender: Selector
    limits: Mapping[str, int] = field(factory=dict)
    total: int | None = None


@frozen
class HopRule:
    """The deadline and materials of a hop from a matching sender to a matching receiver.

    ``deadline`` is the instant after which the hop may no longer be made (already resolved
    from the campaign's inclusive/exclusive reading of "by <date>"). The first matching rule
    applies. A hop with no matching rule has no deadline of its own and needs no materials.
    """

    name: str
    sender: Selector
    receiver: Selector
    deadline: datetime | None
    deadline_text: str
    materials: tuple[MaterialRequirement, ...] = ()
    source: str = ""
    #: What the hop additionally needs from a unit under re-review (复核), e.g. the video.
    re_review_materials: tuple[MaterialRequirement, ...] = ()


@frozen
class ReportingRule:
    """Authorities matching ``sender`` report to ``to`` instead of their graph parent."""

    sender: Selector
    to: str


@frozen
class Ranking:
    """How an authority orders its candidates: units on ``priority_lists`` first."""

    priority_lists: tuple[str, ...] = ()


@frozen
class NoticeRules:
    """The public notice (公示) after the ministry's review; used by the ministry phase."""

    working_days: int = 5


@frozen
class MinistryRules:
    """The ministry phase: expert review and on-site spot checks.

    ``combine`` says how expert scores make one (``mean``, ``median``, or
    ``trimmed_mean``: the highest and lowest dropped when there are at least three);
    a unit passes with a combined score of at least ``pass_score`` from at least
    ``min_experts`` experts. ``spot_check_rate`` of the reviewed units (rounded up) are
    drawn for an on-site check unless the ministry names them.
    """

    combine: str = "mean"
    pass_score: float = 60.0
    min_experts: int = 3
    spot_check_rate: float = 0.2


@frozen
class ReReviewRules:
    """Re-review (复核) of earlier winners; used by the re-review phase."""

    batches: tuple[int, ...] = ()
    max_share: float = 0.7
    rounding: str = "floor"
    video_seconds: int | None = None
    video_tolerance_seconds: int | None = None


#: How far an action's stated moment may be from the run's clock (``clock_tolerance_seconds``
#: in a campaign file): five minutes unless the campaign says otherwise, at most an hour.
DEFAULT_CLOCK_TOLERANCE_SECONDS = 300
MAX_CLOCK_TOLERANCE_SECONDS = 3600

#: The years a campaign and its batches of earlier winners may have (both included).
YEARS = (2000, 2100)


@frozen
class Campaign:
    """A whole campaign definition. ``revision`` is a hash of its content.

    ``clock_tolerance`` is how far the moment an action states (``at=``) may lie from the
    run's clock; see :class:`~pilotflow.CampaignRun` and docs/architecture.md (moments).
    """

    id: str
    title: Text
    year: int
    timezone: str
    deadline_inclusive: bool
    levels: tuple[Level, ...]
    departments: Mapping[str, Text]
    unit_types: Mapping[str, UnitType]
    scenarios: Mapping[str, Scenario]
    materials: Mapping[str, MaterialType]
    reporting: tuple[ReportingRule, ...]
    quotas: tuple[QuotaRule, ...]
    hops: tuple[HopRule, ...]
    screening_lists: Mapping[str, Text]
    ranking: Ranking
    notice: NoticeRules
    re_review: ReReviewRules
    revision: str
    source: str = "<memory>"
    ministry: MinistryRules = MinistryRules()
    clock_tolerance: timedelta = timedelta(seconds=DEFAULT_CLOCK_TOLERANCE_SECONDS)
    #: Which of the campaign's departments act at each kind of authority (``"*"``: every kind
    #: not named); empty: the departments the authority graph gives. See
    #: :meth:`departments_at`.
    acting: Mapping[str, tuple[str, ...]] = {}
    #: The filing deadline (``filing``), before the first hop's; None: the first hop's alone.
    filing: FilingRules | None = None
    #: Which of the ministry phase's steps the campaign holds (``notice``, ``ministry``).
    phases: Phases = field(factory=lambda: Phases())
    #: On-site checks at levels below the top (``checks``), the first matching rule applies.
    checks: tuple[CheckRule, ...] = ()

    def check_rule(self, holder: AuthorityLike, track: str) -> CheckRule | None:
        """The on-site check rule at ``holder`` for a nomination of ``track``, or None."""
        for rule in self.checks:
            if rule.applies(holder, track):
                return rule
        return None

    def departments_at(self, kind: str) -> tuple[str, ...] | None:
        """The departments that act at an authority of ``kind`` in this campaign, or None
        when the campaign leaves it to the authority graph."""
        found = self.acting.get(kind)
        return found if found is not None else self.acting.get("*")

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def quota_rule(self, recommender: AuthorityLike) -> QuotaRule | None:
        """The quota rule that applies to ``recommender``, or None (no quota)."""
        for rule in self.quotas:
            if rule.recommender.matches(recommender):
                return rule
        return None

    def hop_rule(self, sender: AuthorityLike, receiver: AuthorityLike) -> HopRule | None:
        """The rule of the hop ``sender`` → ``receiver``, or None."""
        for rule in self.hops:
            if rule.sender.matches(sender) and rule.receiver.matches(receiver):
                return rule
        return None

    def reports_to(self, sender: AuthorityLike) -> str | None:
        """The authority ``sender`` reports to in this campaign, if it overrides the graph."""
        for rule in self.reporting:
            if rule.sender.matches(sender):
                return rule.to
        return None


@frozen
class FilingRules:
    """The filing deadline (``filing``): a nomination is filed, or a re-review unit applies,
    before ``deadline`` (read like a hop's, with the campaign's ``deadline_rule``), which may
    come before the first hop's (online declaration by the 28th, paper by the 31st)."""

    deadline: datetime
    deadline_text: str
    source: str = ""


@frozen
class Phases:
    """Which steps of the phase at the top the campaign holds: the public notice (公示), the
    expert review, the on-site spot checks. A format-1 file holds all three (pilotflow's
    defaults); a format-2 file holds those it declares."""

    notice: bool = True
    review: bool = True
    spot_check: bool = True


@frozen
class CheckRule:
    """An on-site check (实地抽查) by a matching holder below the top, of nominations of
    ``tracks`` (empty: every track). A drawn nomination is not recommended onward until its
    check is settled; a failed check ends it there. ``rate`` is the share drawn (rounded up)
    when the holder names none; ``by`` the departments that check (empty: any of the holder's).
    """

    name: str
    at: Selector
    tracks: frozenset[str] = frozenset()
    rate: float | None = None
    by: tuple[str, ...] = ()
    source: str = ""

    def applies(self, holder: AuthorityLike, track: str) -> bool:
        return (not self.tracks or track in self.tracks) and self.at.matches(holder)
