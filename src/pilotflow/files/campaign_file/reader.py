"""The reader of one campaign file: its text loaded safely, its top-level keys checked, then
each section read in order by its module, each later section checked against what the
earlier ones declared, and finally the deadlines along every route."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ...domain.campaign import DEFAULT_CLOCK_TOLERANCE_SECONDS, MAX_CLOCK_TOLERANCE_SECONDS, YEARS, Campaign
from .deadlines import check_routes
from .header import campaign_id, deadline_inclusive, documents, timezone
from .levels import acting, departments, levels, scenarios, unit_types
from .lists import listed, ranking
from .materials import material_types
from .messages import describe
from .ministry import ministry_rules
from .notice import notice_rules
from .phases import check_rules, file_format, filing_rules, phases
from .quotas import quota_rules
from .re_review import re_review_rules
from .routes import hop_rules, reporting_rules
from .safe_yaml import load_document
from .scope import Scope

_TOP_KEYS_REQUIRED = ("id", "title", "year", "timezone", "levels", "departments", "unit_types")
_TOP_KEYS_OPTIONAL = (
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
    "format",
    "filing",
    "checks",
)


class _Reader(Scope):
    """Reads one document; every check reports its key path."""

    def load(self, text: str) -> dict[str, Any]:
        """The document of ``text`` (see :mod:`.safe_yaml`): a mapping of the known top-level
        keys, the required ones given."""
        document = load_document(text, self.source)
        if not isinstance(document, dict):
            en, zh = describe(document)
            self.fail(
                "",
                f"expected a mapping (key: value) at the top of the file, got {en}",
                f"文件顶层应为映射（键: 值），实际为{zh}",
            )
        return self.mapping(document, "", _TOP_KEYS_REQUIRED, _TOP_KEYS_OPTIONAL)

    def campaign(self, doc: dict[str, Any]) -> Campaign:
        """The campaign ``doc`` defines, its sections read in the order they depend on each
        other (what a section declares is kept on the reader for those after it)."""
        identifier = campaign_id(self, doc["id"])
        title = self.text(self.mapping(doc["title"], "title", ("en", "zh")), "title")
        year = self.integer(doc["year"], "year", YEARS)
        version = file_format(self, doc.get("format", 1))
        self.timezone = timezone(self, doc["timezone"])
        self.inclusive = deadline_inclusive(self, doc.get("deadline_rule", "end_of_day"))
        tolerance = self.integer(
            doc.get("clock_tolerance_seconds", DEFAULT_CLOCK_TOLERANCE_SECONDS),
            "clock_tolerance_seconds",
            (0, MAX_CLOCK_TOLERANCE_SECONDS),
        )
        self.documents = documents(self, doc.get("documents", []))
        campaign_levels = levels(self, doc["levels"])
        self.levels = tuple(level.code for level in campaign_levels)
        campaign_departments = departments(self, doc["departments"])
        campaign_acting = acting(self, doc.get("acting"), campaign_departments)
        self.unit_types = unit_types(self, doc["unit_types"])
        campaign_scenarios = scenarios(self, doc.get("scenario_groups", {}), doc.get("scenarios", {}))
        self.materials = material_types(self, doc.get("materials", {}))
        reporting = reporting_rules(self, doc.get("reporting", []))
        quotas = quota_rules(self, doc.get("quotas", []))
        hops = hop_rules(self, doc.get("hops", []))
        screening = listed(self, doc.get("screening_lists", {}), "screening_lists")
        priority = listed(self, doc.get("priority_lists", {}), "priority_lists")
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
            ranking=ranking(self, doc.get("ranking", {}), priority),
            notice=notice_rules(self, doc.get("notice"), version),
            re_review=re_review_rules(self, doc.get("re_review", {})),
            ministry=ministry_rules(self, doc.get("ministry", {})),
            revision=self._revision(doc),
            source=self.source,
            acting=campaign_acting,
            filing=filing_rules(self, doc.get("filing")),
            phases=phases(self, version, doc.get("notice"), doc.get("ministry")),
            checks=check_rules(self, doc.get("checks", []), campaign_departments),
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
