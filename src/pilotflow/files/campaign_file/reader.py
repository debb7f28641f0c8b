"""The reader of one campaign file: its text loaded safely, its top-level keys checked, then
each section read in order by its module, each later section checked against what the
earlier ones declared, and finally the deadlines along every route."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from attrs import evolve

from ...domain.authorities import Authority
from ...domain.campaign import (
    DEFAULT_CLOCK_TOLERANCE_SECONDS,
    MAX_CLOCK_TOLERANCE_SECONDS,
    YEARS,
    ActingRule,
    Campaign,
    CheckRule,
    EntryRule,
    HopRule,
    Level,
    MinistryRules,
    NoticeRules,
    Phases,
    QuotaRule,
    ReportingRule,
    Scenario,
    Selector,
    Text,
)
from ...domain.selectors import acting_rule_for
from .applicants import Applicants, applicants
from .deadlines import check_routes
from .header import campaign_id, deadline_inclusive, documents, timezone
from .levels import acting, departments, levels, scenarios, unit_types
from .materials import material_types
from .messages import describe, short
from .ministry import ministry_rules
from .notice import notice_rules
from .phases import check_rules, filing_rules, phases
from .quotas import quota_rules
from .routes import entry_rules, hop_rules, reporting_rules
from .safe_yaml import load_document
from .scope import Scope
from .territory import added_authorities, scope
from .tracks import TracksAndLists, tracks_and_lists

CAMPAIGN_FORMATS = (1, 2)
"""The campaign-file formats pilotflow reads (``format``; a file without it is format 1)."""

_TOP_KEYS_REQUIRED = ("id", "title", "year", "timezone", "levels", "departments", "unit_types")
_TOP_KEYS_OPTIONAL = (
    "format",
    "acting",
    "authorities",
    "entry",
    "scope",
    "deadline_rule",
    "clock_tolerance_seconds",
    "documents",
    "scenario_groups",
    "scenarios",
    "materials",
    "reporting",
    "quotas",
    "hops",
    "screening_lists",
    "priority_lists",
    "ranking",
    "notice",
    "ministry",
    "re_review",
    "tracks",
    "lists",
    "filing",
    "checks",
    "applicants",
)


class _Reader(Scope):
    """Reads one document; every check reports its key path, and every problem of the file
    is collected (see :mod:`.messages`)."""

    def read(self, text: str) -> Campaign:
        """The campaign ``text`` defines; one :class:`~pilotflow.errors.CampaignFileError`
        with every problem of the file if it has any."""

        def read_all() -> Campaign:
            return self.check_routes(self.campaign(self.load(text)))

        return self.checked(read_all)

    def load(self, text: str) -> dict[str, Any]:
        """The document of ``text`` (see :mod:`.safe_yaml`): a mapping of a format pilotflow
        reads; its top-level keys are checked (a missing required key leaves its section
        unread)."""
        document = load_document(text, self.source)
        if not isinstance(document, dict):
            en, zh = describe(document)
            self.fail(
                "",
                f"expected a mapping (key: value) at the top of the file, got {en}",
                f"文件顶层应为映射（键: 值），实际为{zh}",
            )
        self.order = tuple(str(key) for key in document)
        self.sections = frozenset((*_TOP_KEYS_REQUIRED, *_TOP_KEYS_OPTIONAL))
        self.format = self._format(document.get("format", 1))
        with self.collecting(""):
            self.mapping(document, "", _TOP_KEYS_REQUIRED, _TOP_KEYS_OPTIONAL)
        return document

    def _format(self, value: object) -> int:
        """``format``: one of ``CAMPAIGN_FORMATS``; any other refuses the whole file (its keys
        would not be read as its author meant)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self.wrong_type("format", "a format number (1 or 2)", "格式版本号（1 或 2）", value)
        if value not in CAMPAIGN_FORMATS:
            self.fail(
                "format",
                f"this file is campaign format {short(value)}; pilotflow reads formats 1 and 2: "
                "see docs/campaign-format.md, 'Upgrading'",
                f"该文件为第 {short(value)} 版遴选定义格式；pilotflow 可读取第 1、2 版："
                "见 docs/campaign-format.md 的 'Upgrading' 一节",
            )
        return value

    def campaign(self, doc: dict[str, Any]) -> Campaign:
        """The campaign ``doc`` defines, its sections read in the order they depend on each
        other (what a section declares is kept on the reader for those after it). Each
        section is read even when one before it has a problem; the campaign is built only
        when none has."""
        s = self.section
        identifier = s("id", lambda: campaign_id(self, doc["id"]), "")
        title = s(
            "title",
            lambda: self.text(self.mapping(doc["title"], "title", ("en", "zh")), "title"),
            Text("", ""),
        )
        year = s("year", lambda: self.integer(doc["year"], "year", YEARS), 0)
        self.timezone = s("timezone", lambda: timezone(self, doc["timezone"]), "Asia/Shanghai")
        self.inclusive = s(
            "deadline_rule", lambda: deadline_inclusive(self, doc.get("deadline_rule", "end_of_day")), True
        )
        tolerance = s(
            "clock_tolerance_seconds",
            lambda: self.integer(
                doc.get("clock_tolerance_seconds", DEFAULT_CLOCK_TOLERANCE_SECONDS),
                "clock_tolerance_seconds",
                (0, MAX_CLOCK_TOLERANCE_SECONDS),
            ),
            0,
        )
        self.documents = s("documents", lambda: documents(self, doc.get("documents", [])), frozenset())
        campaign_levels: tuple[Level, ...] = s("levels", lambda: levels(self, doc["levels"]), ())
        self.levels = tuple(level.code for level in campaign_levels)
        campaign_departments: dict[str, Text] = s(
            "departments", lambda: departments(self, doc["departments"]), {}
        )
        nothing_added: tuple[tuple[Authority, ...], frozenset[str]] = ((), frozenset())
        extra, unstated = s(
            "authorities",
            lambda: added_authorities(self, doc.get("authorities", []), campaign_departments),
            nothing_added,
        )
        campaign_acting: tuple[ActingRule, ...] = s(
            "acting", lambda: acting(self, doc.get("acting"), campaign_departments, self.format), ()
        )
        s("authorities", lambda: self._check_acting(extra, unstated, campaign_acting), None)
        # An added authority's own ``departments`` act there, before the file's acting rules.
        campaign_acting = (
            *(
                ActingRule(Selector(codes=frozenset({a.code})), a.departments, a.departments)
                for a in extra
                if a.code not in unstated
            ),
            *campaign_acting,
        )
        campaign_scope: Selector = s("scope", lambda: scope(self, doc.get("scope")), Selector())
        self.unit_types = s("unit_types", lambda: unit_types(self, doc["unit_types"]), {})
        campaign_scenarios: dict[str, Scenario] = s(
            "scenarios", lambda: scenarios(self, doc.get("scenario_groups", {}), doc.get("scenarios", {})), {}
        )
        self.scenarios = campaign_scenarios
        self.materials = s("materials", lambda: material_types(self, doc.get("materials", {})), {})
        raw_hops: tuple[HopRule, ...] = s("hops", lambda: hop_rules(self, doc.get("hops", [])), ())
        tracks: TracksAndLists | None = s("lists", lambda: tracks_and_lists(self, doc, raw_hops), None)
        self.list_ids = dict(tracks.lists) if tracks is not None else {}
        self.departments = campaign_departments
        reporting: tuple[ReportingRule, ...] = s(
            "reporting", lambda: reporting_rules(self, doc.get("reporting", [])), ()
        )
        entries: tuple[EntryRule, ...] = s("entry", lambda: entry_rules(self, doc.get("entry", [])), ())
        quotas: tuple[QuotaRule, ...] = s("quotas", lambda: quota_rules(self, doc.get("quotas", [])), ())
        notice = s("notice", lambda: notice_rules(self, doc.get("notice"), self.format), NoticeRules())
        ministry = s("ministry", lambda: ministry_rules(self, doc.get("ministry", {})), MinistryRules())
        held = s(
            "ministry", lambda: phases(self, self.format, doc.get("notice"), doc.get("ministry")), Phases()
        )
        filing = s("filing", lambda: filing_rules(self, doc.get("filing")), None)
        checks: tuple[CheckRule, ...] = s(
            "checks", lambda: check_rules(self, doc.get("checks", []), campaign_departments), ()
        )
        applicant_rules = s("applicants", lambda: applicants(self, doc.get("applicants")), Applicants())
        revision = self._revision(doc)
        if self.problems or tracks is None:
            self.skip()  # every problem is recorded: the campaign is not built
        return Campaign(
            id=identifier,
            title=title,
            year=year,
            timezone=self.timezone,
            deadline_inclusive=self.inclusive,
            clock_tolerance=timedelta(seconds=tolerance),
            levels=campaign_levels,
            departments=campaign_departments,
            unit_types=dict(self.unit_types),
            scenarios=campaign_scenarios,
            materials=dict(self.materials),
            reporting=reporting,
            quotas=quotas,
            hops=tracks.hops,
            screening_lists=tracks.screening,
            ranking=tracks.ranking,
            notice=notice,
            re_review=tracks.re_review,
            ministry=ministry,
            revision=revision,
            source=self.source,
            acting=campaign_acting,
            format=self.format,
            scope=campaign_scope,
            authorities=extra,
            entries=entries,
            lists=tracks.lists,
            tracks=tracks.tracks,
            filing=filing,
            phases=held,
            checks=checks,
            projects=applicant_rules.projects,
            per_applicant=applicant_rules.per_applicant,
        )

    def _check_acting(
        self, extra: tuple[Authority, ...], unstated: frozenset[str], rules: tuple[ActingRule, ...]
    ) -> None:
        """Every added authority whose departments the file did not give is matched by an
        ``acting`` rule."""
        for index, added in enumerate(extra):
            authority = self.graph[added.code]
            if added.code in unstated and acting_rule_for(rules, authority) is None:
                self.fail(
                    f"authorities[{index}]",
                    f"say who acts at {short(added.code)}: give it 'departments', or an 'acting' rule "
                    "that matches it",
                    f"请写明 {short(added.name)} 的履职部门：在此给出 departments，"
                    "或在 acting 中写出适用于它的规则",
                )

    def check_routes(self, campaign: Campaign) -> Campaign:
        """Hop deadlines never decrease along the route of any authority in the campaign's
        scope, and every such route ends at one top (see :func:`.deadlines.check_routes`);
        the campaign with that top and the authorities its routes pass."""
        top, routed = check_routes(self, campaign)
        return evolve(campaign, top=top, routed=routed)

    def _revision(self, doc: Mapping[str, Any]) -> str:
        """``sha256:`` and the first 16 hex digits of the hash of the document as canonical
        JSON."""
        try:
            dumped = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            self.fail(
                "",
                f"the document holds a value that is not plain data ({exc})",
                "文件含非纯数据的值",
            )
        return "sha256:" + hashlib.sha256(dumped.encode("utf-8")).hexdigest()[:16]
