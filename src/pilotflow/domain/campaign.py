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

from attrs import field, frozen

from ..errors import InvalidInput, shown
from .authorities import Authority
from .names import TRACK_ZH, TRACKS
from .selectors import ActingRule as ActingRule
from .selectors import AuthorityLike as AuthorityLike
from .selectors import Selector as Selector
from .selectors import acting_rule_for

__all__ = [
    "DEFAULT_CLOCK_TOLERANCE_SECONDS",
    "LIST_KINDS",
    "MAX_CLOCK_TOLERANCE_SECONDS",
    "YEARS",
    "ActingRule",
    "Campaign",
    "CheckRule",
    "EntryRule",
    "FilingRules",
    "HopRule",
    "Level",
    "ListRule",
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
    "Track",
    "UnitCondition",
    "UnitFacts",
    "UnitType",
]


@frozen
class Text:
    """A name or message in English and Chinese."""

    en: str
    zh: str

    def __str__(self) -> str:
        return f"{self.zh} ({self.en})"


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


#: ``MaterialType.per``: a material of each unit, or of the sender's submission as a whole.
PER_UNIT = "unit"
PER_SUBMISSION = "submission"
MATERIAL_OWNERS = (PER_UNIT, PER_SUBMISSION)


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
    #: A video of this kind must last ``video_seconds`` give or take
    #: ``video_tolerance_seconds`` (campaign file: ``materials.<kind>.video``); None = the
    #: campaign's ``re_review.video_seconds`` (the old spelling) or, without it, any length.
    video_seconds: int | None = None
    video_tolerance_seconds: int | None = None
    #: Whose material it is: ``"unit"`` (each unit's own: its application form) or
    #: ``"submission"`` (the sender's letter as a whole: the jointly stamped 推荐函, its
    #: summary table), attached once to the submission (campaign file: ``per``).
    per: str = "unit"

    @property
    def of_submission(self) -> bool:
        return self.per == PER_SUBMISSION


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
    #: Per-authority rows (``per_authority``): a row's numbers replace ``limits`` / ``total``
    #: (key ``"*"``) for that authority; what a row does not name keeps the rule's own.
    per_authority: Mapping[str, Mapping[str, int]] = field(factory=dict)
    #: A group cap (``group: {list: ...}``): the caps hold per group of that tag list across
    #: every recommender the rule selects, not per recommender. Group rules all apply, beside
    #: the first matching ordinary rule.
    group_list: str | None = None
    #: Units on these tag lists take no seat of this rule (不占属地指标).
    exempt: frozenset[str] = frozenset()
    #: A soft cap (原则上不超过): an actor of one of these departments may exceed it with a
    #: recorded reason. Empty: a hard cap.
    exceed_by: frozenset[str] = frozenset()

    def caps(self, authority: str, unit_type: str) -> tuple[int | None, int | None]:
        """The caps (this unit type, all types) of ``authority`` under this rule: what
        :meth:`limits_of` gives, read without building its mappings (the guard's hot path)."""
        row = self.per_authority.get(authority)
        if row is None:
            return self.limits.get(unit_type), self.total
        own = row.get(unit_type) if unit_type != "*" else None
        return (own if own is not None else self.limits.get(unit_type)), row.get("*", self.total)

    def limits_of(self, authority: str) -> tuple[Mapping[str, int], int | None]:
        """The caps of ``authority`` under this rule: per unit type (the types capped), and
        all types together (None: no cap). Its ``per_authority`` row, if any, replaces what
        it names. The one reading of a rule's numbers, for the guard and for every view."""
        row = self.per_authority.get(authority)
        if row is None:
            return self.limits, self.total
        own = {t: n for t, n in row.items() if t != "*"}
        return {**self.limits, **own}, row.get("*", self.total)


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
    #: What the hop additionally needs from a new application (the ``new`` track's own).
    new_materials: tuple[MaterialRequirement, ...] = ()


@frozen
class UnitFacts:
    """What routing rules may ask of the unit a nomination is for: its scenario, its unit
    type and the lists it is on at the moment of filing (its tags: provincially owned, a
    lab...). Lists are given to the run, never declared by the applicant."""

    scenario: str = ""
    unit_type: str = ""
    lists: frozenset[str] = frozenset()


@frozen
class UnitCondition:
    """Which units a rule is for: every condition given must hold (an empty one: every unit).

    * ``scenarios``: the nomination's scenario is one of these;
    * ``unit_types``: its unit type is one of these;
    * ``lists``: the unit is on one of these lists when it files.
    """

    scenarios: frozenset[str] = frozenset()
    unit_types: frozenset[str] = frozenset()
    lists: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.scenarios or self.unit_types or self.lists)

    def holds(self, unit: UnitFacts | None) -> bool:
        """Does ``unit`` meet every condition? (None, a unit not known: only if none is set.)"""
        if self.is_empty:
            return True
        if unit is None:
            return False
        if self.scenarios and unit.scenario not in self.scenarios:
            return False
        if self.unit_types and unit.unit_type not in self.unit_types:
            return False
        return not (self.lists and self.lists.isdisjoint(unit.lists))

    def examples(self) -> tuple[UnitFacts, ...]:
        """Units meeting every condition, one for each scenario and each unit type named (the
        route check walks the routes of such units)."""
        scenario, unit_type = min(self.scenarios, default=""), min(self.unit_types, default="")
        return tuple(
            dict.fromkeys(
                [UnitFacts(s, unit_type, self.lists) for s in sorted(self.scenarios) or [scenario]]
                + [UnitFacts(scenario, u, self.lists) for u in sorted(self.unit_types) or [unit_type]]
            )
        )


@frozen
class ReportingRule:
    """Authorities matching ``sender`` report to ``to`` instead of their graph parent — for
    the nominations of units meeting ``unit`` (a scenario another recommender takes, say)."""

    sender: Selector
    to: str
    unit: UnitCondition = UnitCondition()


@frozen
class EntryRule:
    """Besides the campaign's first level, a nomination of a unit meeting ``unit`` may start
    at an authority matching ``at`` (labs and provincially owned units file straight with the
    province; the units of some scenarios with a 通信管理局) — the unit registered anywhere
    within it."""

    at: Selector
    unit: UnitCondition = UnitCondition()
    source: str = ""


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


def _authority(value: AuthorityLike, argument: str) -> AuthorityLike:
    """``value``, if it is an authority (an :class:`Authority`, or anything with its
    ``code``, ``level``, ``kind`` and ``ancestors``); else :class:`InvalidInput` naming
    ``argument``."""
    if isinstance(value, Authority) or (
        isinstance(getattr(value, "code", None), str)
        and all(hasattr(value, name) for name in ("level", "kind", "ancestors"))
    ):
        return value
    raise InvalidInput(
        f"{argument} must be an Authority (e.g. graph['110101']), got {type(value).__name__}",
        f"{argument} 参数必须是行政单位对象（例如 graph['110101']）",
    )


def _unit(value: UnitFacts | None, argument: str = "unit") -> UnitFacts | None:
    """``value``, if it is :class:`UnitFacts` or None; else :class:`InvalidInput`."""
    if value is None or isinstance(value, UnitFacts):
        return value
    raise InvalidInput(
        f"{argument} must be UnitFacts or None, got {type(value).__name__}",
        f"{argument} 参数必须是 UnitFacts（申报对象的类型、场景与名单）或 None",
    )


def check_campaign(value: object, argument: str = "campaign") -> Campaign:
    """``value``, if it is a :class:`Campaign`; else :class:`~pilotflow.errors.InvalidInput`
    naming ``argument`` and what was given instead."""
    if isinstance(value, Campaign):
        return value
    raise InvalidInput(
        f"{argument} must be a Campaign (see load_campaign), got {type(value).__name__}",
        f"{argument} 参数必须是遴选活动（请用 load_campaign 加载）",
    )


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
    #: Which of the campaign's departments review and which stamp, by authority (the first
    #: rule matching applies); empty: the departments the authority graph gives. See
    #: :meth:`acting_at`.
    acting: tuple[ActingRule, ...] = ()
    #: The campaign-file format the campaign was read from (``format``: 1 when absent).
    format: int = 1
    #: Every list the campaign consults, by id, with its kind and scope (a campaign built
    #: without it: ``screening_lists`` bar every nomination). See :meth:`list_rules`.
    lists: Mapping[str, ListRule] = {}
    #: The tracks the campaign runs (empty: ``new`` and ``re_review``).
    tracks: Mapping[str, Track] = {}
    #: The filing deadline (``filing``), before the first hop's; None: the first hop's alone.
    filing: FilingRules | None = None
    #: Which of the ministry phase's steps the campaign holds (``notice``, ``ministry``).
    phases: Phases = field(factory=lambda: Phases())
    #: On-site checks at levels below the top (``checks``), the first matching rule applies.
    checks: tuple[CheckRule, ...] = ()

    def check_rule(self, holder: AuthorityLike, track: str) -> CheckRule | None:
        """The on-site check rule at ``holder`` for a nomination of ``track``, or None."""
        _authority(holder, "holder")
        for rule in self.checks:
            if rule.applies(holder, track):
                return rule
        return None

    #: Which authorities take part (empty selector: the whole graph, a national campaign); a
    #: province's own campaign takes those within it. Routes are checked, and nominations
    #: start, only within the scope.
    scope: Selector = field(factory=Selector)
    #: Authorities the campaign adds to the graph (new areas, associations, regulators...).
    authorities: tuple[Authority, ...] = ()
    #: Where every route of the campaign ends (found when the file is read); None: the top of
    #: the authority graph.
    top: str | None = None
    #: Every authority a route of the campaign passes (found when the file is read): those
    #: in scope, and those above them that forward their nominations (广东省 in a national
    #: campaign whose scope is Guangdong's cities). Empty in a campaign with a scope (built in
    #: code): a run finds them from its graph (:func:`~pilotflow.domain.routes.routed`). A
    #: campaign changed with ``attrs.evolve`` keeps the set it had: give ``routed=frozenset()``
    #: with a new scope.
    routed: frozenset[str] = frozenset()
    #: Where else than at the first level the nominations of some units may start.
    entries: tuple[EntryRule, ...] = ()
    #: ``applicants.projects``: a unit may file several nominations, one per named project
    #: (``nominate(..., project=...)``); False: one nomination per unit, without a project.
    projects: bool = False
    #: ``applicants.per_applicant``: the most nominations one unit may hold at once (None: no cap).
    per_applicant: int | None = None

    def list_rules(self) -> Mapping[str, ListRule]:
        """Every list the campaign consults: ``lists``, or (a campaign built without it) its
        ``screening_lists`` as lists that bar every nomination."""
        if self.lists:
            return self.lists
        return {k: ListRule(k, name, "bar") for k, name in self.screening_lists.items()}

    def has_track(self, track: str) -> bool:
        """Does the campaign run ``track``: one of its ``tracks``, or of :data:`TRACKS` when
        it names none?"""
        if not isinstance(track, str):
            raise InvalidInput(
                f"track must be text (a str), got {type(track).__name__}", "track 参数必须是文字"
            )
        return track in (self.tracks or TRACKS)

    def check_track(self, track: object) -> str:
        """``track``, if the campaign runs it (:meth:`has_track`); else
        :class:`~pilotflow.errors.InvalidInput` naming the tracks it runs (by their Chinese
        names, their codes beside them)."""
        if not isinstance(track, str) or not self.has_track(track):
            runs = tuple(self.tracks) or TRACKS
            names = [f"{self._track_zh(t)}（{t}）" for t in runs]
            given = (
                f"{TRACK_ZH[track]}（{track}）"
                if isinstance(track, str) and track in TRACK_ZH
                else shown(track)
            )
            raise InvalidInput(
                f"track must be one of the campaign's tracks ({', '.join(runs)}), got {shown(track)}",
                f"track 参数必须是本次遴选的申报类别之一：{'、'.join(names)}，收到 {given}",
            )
        return track

    def _track_zh(self, track: str) -> str:
        return self.tracks[track].name.zh if track in self.tracks else TRACK_ZH[track]

    @property
    def required_lists(self) -> Mapping[str, Text]:
        """The lists a run must be given, id → name: those that bar or admit (their
        ``screening_lists``), and those quota, reporting and entry rules look at (a tag that
        exempts, groups or routes a unit: a missing one would be read as nobody on it).
        ``rank_first`` lists, and tags no rule looks at, may be left out."""
        rules = self.list_rules()
        named = [lid for rule in self.quotas for lid in (*sorted(rule.exempt), rule.group_list) if lid]
        named += sorted(self.routing_lists)
        return {
            **self.screening_lists,
            **{lid: rules[lid].name for lid in dict.fromkeys(named) if lid in rules},
        }

    @property
    def routing_lists(self) -> frozenset[str]:
        """The lists reporting and entry rules look at (where a unit's nomination goes)."""
        units = [rule.unit for rule in self.reporting] + [rule.unit for rule in self.entries]
        return frozenset(lid for unit in units for lid in unit.lists)

    def in_scope(self, authority: AuthorityLike) -> bool:
        """Does ``authority`` take part in this campaign (see :attr:`scope`)?"""
        return self._in_scope(_authority(authority, "authority"))

    def _in_scope(self, authority: AuthorityLike) -> bool:
        return self.scope.is_empty or authority.code == self.top or self.scope.matches(authority)

    def takes_part(self, authority: AuthorityLike) -> bool:
        """Does ``authority`` take part in this campaign: in its scope (:meth:`in_scope`),
        or on a route from there (:attr:`routed`)?"""
        return _authority(authority, "authority").code in self.routed or self._in_scope(authority)

    def taking_part(self, authority: Authority, where: str, *, filing: bool = False) -> Authority:
        """``authority``, which must take part in this campaign (:meth:`takes_part`; with
        ``filing``, a nomination starting there: in its scope, :meth:`in_scope`); else
        :class:`InvalidInput` naming it (``where``: what it was given as). The one refusal of
        an authority outside the scope, wherever one is given."""
        if not (self.in_scope(authority) if filing else self.takes_part(authority)):
            raise InvalidInput(
                f"{where}: {authority.code} ({authority.name}) does not take part in campaign "
                f"{self.id} (outside its scope)",
                f"{where}：{authority.name}不在本次遴选的范围内",
            )
        return authority

    def acting_at(self, authority: AuthorityLike) -> ActingRule | None:
        """The rule saying who acts at ``authority`` in this campaign, or None when the
        campaign leaves it to the authority graph."""
        return acting_rule_for(self.acting, _authority(authority, "authority"))

    def group_rules(self, recommender: AuthorityLike) -> tuple[QuotaRule, ...]:
        """The group-cap rules that apply to a recommendation by ``recommender``."""
        _authority(recommender, "recommender")
        return tuple(
            rule
            for rule in self.quotas
            if rule.group_list is not None and rule.recommender.matches(recommender)
        )

    @property
    def level_codes(self) -> tuple[str, ...]:
        return tuple(level.code for level in self.levels)

    def quota_rule(self, recommender: AuthorityLike) -> QuotaRule | None:
        """The quota rule that applies to ``recommender``, or None (no quota)."""
        _authority(recommender, "recommender")
        for rule in self.quotas:
            if rule.group_list is None and rule.recommender.matches(recommender):
                return rule
        return None

    def hop_rule(self, sender: AuthorityLike, receiver: AuthorityLike) -> HopRule | None:
        """The rule of the hop ``sender`` → ``receiver``, or None."""
        _authority(sender, "sender")
        _authority(receiver, "receiver")
        for rule in self.hops:
            if rule.sender.matches(sender) and rule.receiver.matches(receiver):
                return rule
        return None

    def reports_to(self, sender: AuthorityLike, unit: UnitFacts | None = None) -> str | None:
        """The authority ``sender`` reports to in this campaign (for a nomination of ``unit``),
        if it overrides the graph."""
        k = self.reporting_rule(sender, unit)
        return None if k is None else self.reporting[k].to

    def reporting_rule(self, sender: AuthorityLike, unit: UnitFacts | None = None) -> int | None:
        """The index of the reporting rule that sends ``sender``'s nominations (of ``unit``)
        elsewhere than its graph parent: the first that matches; None if none does."""
        _authority(sender, "sender")
        _unit(unit)
        for k, rule in enumerate(self.reporting):
            if rule.sender.matches(sender) and rule.unit.holds(unit):
                return k
        return None

    def routing(self, unit: UnitFacts | None, *, noted: list[tuple[int, str]] | None = None) -> _UnitRouting:
        """What :meth:`AuthorityGraph.route` needs to route a nomination of ``unit``; where
        ``noted`` is given, each reporting rule the route takes is appended to it as
        (rule index, sender's code), in the order the walk applies them."""
        if noted is not None and not isinstance(noted, list):
            raise InvalidInput(
                f"noted must be a list or None, got {type(noted).__name__}",
                "noted 参数必须是列表或 None",
            )
        return _UnitRouting(self, _unit(unit), noted)

    def may_start_at(self, authority: AuthorityLike, unit: UnitFacts) -> bool:
        """May a nomination of ``unit`` start at ``authority`` by an :class:`EntryRule`?"""
        _authority(authority, "authority")
        _unit(unit)
        return any(rule.at.matches(authority) and rule.unit.holds(unit) for rule in self.entries)

    @property
    def unit_routed(self) -> bool:
        """Do routes depend on the unit (a reporting rule with a unit condition)?"""
        return any(not rule.unit.is_empty for rule in self.reporting)


@frozen
class _UnitRouting:
    """A campaign's routing for the nominations of one unit (see :meth:`Campaign.routing`)."""

    campaign: Campaign
    unit: UnitFacts | None
    noted: list[tuple[int, str]] | None = None

    @property
    def level_codes(self) -> tuple[str, ...]:
        return self.campaign.level_codes

    def reports_to(self, sender: AuthorityLike, /) -> str | None:
        k = self.campaign.reporting_rule(sender, self.unit)
        if k is None:
            return None
        if self.noted is not None:
            self.noted.append((k, sender.code))
        return self.campaign.reporting[k].to


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
