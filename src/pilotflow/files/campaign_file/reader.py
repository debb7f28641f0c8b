"""The reader of one campaign file: its text loaded safely, its top-level keys checked, then
each section read in order by its module, each later section checked against what the
earlier ones declared, and finally the deadlines along every route."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ...domain.campaign import (
    DEFAULT_CLOCK_TOLERANCE_SECONDS,
    MAX_CLOCK_TOLERANCE_SECONDS,
    YEARS,
    Campaign,
    HopRule,
    Level,
    MinistryRules,
    NoticeRules,
    QuotaRule,
    Ranking,
    ReportingRule,
    ReReviewRules,
    Scenario,
    Text,
)
from .deadlines import check_routes
from .header import campaign_id, deadline_inclusive, documents, timezone
from .levels import acting, departments, levels, scenarios, unit_types
from .lists import listed, ranking
from .materials import material_types
from .messages import describe, short
from .ministry import ministry_rules
from .notice import notice_rules
from .quotas import quota_rules
from .re_review import re_review_rules
from .routes import hop_rules, reporting_rules
from .safe_yaml import load_document
from .scope import Scope

CAMPAIGN_FORMATS = (1, 2)
"""The campaign-file formats pilotflow reads (``format``; a file without it is format 1)."""

_TOP_KEYS_REQUIRED = ("id", "title", "year", "timezone", "levels", "departments", "unit_types")
_TOP_KEYS_OPTIONAL = (
    "format",
    "acting",
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
)


class _Reader(Scope):
    """Reads one document; every check reports its key path, and every problem of the file
    is collected (see :mod:`.messages`)."""

    def read(self, text: str) -> Campaign:
        """The campaign ``text`` defines; one :class:`~pilotflow.errors.CampaignFileError`
        with every problem of the file if it has any."""

        def read_all() -> Campaign:
            campaign = self.campaign(self.load(text))
            self.check_routes(campaign)
            return campaign

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
        campaign_acting: dict[str, tuple[str, ...]] = s(
            "acting", lambda: acting(self, doc.get("acting"), campaign_departments), {}
        )
        self.unit_types = s("unit_types", lambda: unit_types(self, doc["unit_types"]), {})
        campaign_scenarios: dict[str, Scenario] = s(
            "scenarios", lambda: scenarios(self, doc.get("scenario_groups", {}), doc.get("scenarios", {})), {}
        )
        self.materials = s("materials", lambda: material_types(self, doc.get("materials", {})), {})
        reporting: tuple[ReportingRule, ...] = s(
            "reporting", lambda: reporting_rules(self, doc.get("reporting", [])), ()
        )
        quotas: tuple[QuotaRule, ...] = s("quotas", lambda: quota_rules(self, doc.get("quotas", [])), ())
        hops: tuple[HopRule, ...] = s("hops", lambda: hop_rules(self, doc.get("hops", [])), ())
        screening: dict[str, Text] = s(
            "screening_lists", lambda: listed(self, doc.get("screening_lists", {}), "screening_lists"), {}
        )
        priority: dict[str, Text] = s(
            "priority_lists", lambda: listed(self, doc.get("priority_lists", {}), "priority_lists"), {}
        )
        campaign_ranking = s("ranking", lambda: ranking(self, doc.get("ranking", {}), priority), Ranking())
        notice = s("notice", lambda: notice_rules(self, doc.get("notice", {})), NoticeRules())
        re_review = s("re_review", lambda: re_review_rules(self, doc.get("re_review", {})), ReReviewRules())
        ministry = s("ministry", lambda: ministry_rules(self, doc.get("ministry", {})), MinistryRules())
        revision = self._revision(doc)
        if self.problems:
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
            hops=hops,
            screening_lists=screening,
            ranking=campaign_ranking,
            notice=notice,
            re_review=re_review,
            ministry=ministry,
            revision=revision,
            source=self.source,
            acting=campaign_acting,
            format=self.format,
        )

    def check_routes(self, campaign: Campaign) -> None:
        """Hop deadlines never decrease along the route of any authority (see
        :func:`.deadlines.check_routes`)."""
        check_routes(self, campaign)

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
