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
    "LIST_KINDS",
    "MAX_CLOCK_TOLERANCE_SECONDS",
    "YEARS",
    "Campaign",
    "HopRule",
    "Level",
    "ListRule",
    "MaterialRequirement",
    "MaterialType",
    "MinistryRules",
    "NoticeRules",
    "QuotaRule",
    "Ranking",
    "ReReviewRules",
    "ReportingRule",
    "Scenario",
    "Selector",
    "Text",
    "Track",
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
    #: The rank-first lists of each track, in order (a track not named: ``priority_lists``).
    tracks: Mapping[str, tuple[str, ...]] = {}

    def for_track(self, track: str) -> tuple[str, ...]:
        """The rank-first lists that order the candidates of ``track``, first list first."""
        found = self.tracks.get(track)
        return self.priority_lists if found is None else found


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
    #: Every list the campaign consults, by id, with its kind and scope (a campaign built
    #: without it: ``screening_lists`` bar every nomination). See :meth:`list_rules`.
    lists: Mapping[str, ListRule] = {}
    #: The tracks the campaign runs (empty: ``new`` and ``re_review``).
    tracks: Mapping[str, Track] = {}

    def list_rules(self) -> Mapping[str, ListRule]:
        """Every list the campaign consults: ``lists``, or (a campaign built without it) its
        ``screening_lists`` as lists that bar every nomination."""
        if self.lists:
            return self.lists
        return {k: ListRule(k, name, "bar") for k, name in self.screening_lists.items()}

    def has_track(self, track: str) -> bool:
        """Does the campaign run ``track``?"""
        return not self.tracks or track in self.tracks

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


#: What a list does to a unit on it (``lists.<id>.kind``): ``bar`` refuses it, ``admit``
#: refuses a unit *not* on it (eligibility), ``rank_first`` ranks it first when an authority
#: orders its candidates, ``tag`` only records an attribute other rules refer to.
LIST_KINDS: tuple[str, ...] = ("bar", "admit", "rank_first", "tag")


@frozen
class ListRule:
    """A list the campaign consults, and where: for which tracks, unit types, levels and
    authorities (each empty: all). The list's entries are loaded separately (``UnitList``)."""

    id: str
    name: Text
    kind: str
    tracks: frozenset[str] = frozenset()
    unit_types: frozenset[str] = frozenset()
    levels: frozenset[str] = frozenset()
    #: The authorities (and those inside them) where the list is judged.
    within: frozenset[str] = frozenset()
    source: str = ""

    @property
    def scoped(self) -> bool:
        return bool(self.tracks or self.unit_types or self.levels or self.within)

    def applies(self, track: str, unit_type: str, authority: AuthorityLike) -> bool:
        """Is the list judged for a nomination of ``track`` and ``unit_type`` held at
        ``authority``?"""
        if self.tracks and track not in self.tracks:
            return False
        if self.unit_types and unit_type not in self.unit_types:
            return False
        if self.levels and authority.level not in self.levels:
            return False
        return not (
            self.within and authority.code not in self.within and not (self.within & authority.ancestors)
        )


@frozen
class Track:
    """A track of the campaign (``new``: this round's applications; ``re_review``: earlier
    winners reviewed again, 复核). Its lists, ranking, materials and share cap are held where
    they are judged: ``ListRule.tracks``, ``Ranking.tracks``, ``HopRule.re_review_materials``
    and ``ReReviewRules``; this record names the track."""

    code: str
    name: Text
    source: str = ""
