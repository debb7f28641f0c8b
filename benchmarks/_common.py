"""What the benchmark scripts share: the campaign, its quota-lifted variant, the materials."""

from __future__ import annotations

import re
import sys
from importlib import resources

import pilotflow as pf
from pilotflow.samples import required_copies

CAMPAIGN_ID = "smart-health-elderly-care-2023"
TZ = "Asia/Shanghai"
LIFTED = 10**9

# Every material any hop of the campaign asks for, in the numbers asked (derived from it).
ALL_MATERIALS = tuple(required_copies(pf.load_campaign(CAMPAIGN_ID)).items())


def lifted_campaign(who: str) -> pf.Campaign:
    """The bundled campaign with every quota limit (per type and total) raised to 10**9, so
    that many nominations can climb; the quota guard and the store's seats still run."""
    path = resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml")
    out, in_quotas = [], False
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if re.match(r"[A-Za-z_]", line):  # a top-level key opens or closes the section
            in_quotas = line.startswith("quotas:")
        if in_quotas:
            line = re.sub(
                r"limits: \{([^}]*)\}",
                lambda m: "limits: {" + re.sub(r":\s*\d+", f": {LIFTED}", m[1]) + "}",
                line,
            )
            line = re.sub(r"\btotal:\s*\d+", f"total: {LIFTED}", line)
        out.append(line)
    campaign = pf.parse_campaign("".join(out), source=f"bench:{CAMPAIGN_ID}+quotas-lifted")
    original = pf.load_campaign(CAMPAIGN_ID)
    if len(campaign.quotas) != len(original.quotas) or any(
        set(rule.limits.values()) - {LIFTED} or rule.total not in (None, LIFTED) for rule in campaign.quotas
    ):
        sys.exit(f"{who}: could not lift the quota limits of the bundled campaign")
    return campaign


def districts_under(run: pf.CampaignRun, province: str) -> dict[str, list[str]]:
    """City -> its districts, for every district of ``province`` routed district → city →
    province (its own route, as the run's workflow gives it)."""
    out: dict[str, list[str]] = {}
    for authority in run.graph:
        if authority.level != "district":
            continue
        try:
            route = run.workflow.route(authority.code)
        except pf.GraphError:
            continue
        if len(route) == 4 and route[2] == province:
            out.setdefault(route[1], []).append(authority.code)
    return {city: sorted(ds) for city, ds in sorted(out.items())}
