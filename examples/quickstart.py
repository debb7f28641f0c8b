"""Quick start: one nomination from a district of Weihai all the way to the ministry.

Runs in memory with a fixed clock. At each level the three departments (industry, civil
affairs, health) jointly stamp the recommendation letter (推荐函) that carries this one unit
and one of them sends it (``stamp`` and ``recommend`` of one unit act on its own letter; a
sender with several units prepares one letter for all: examples/selection.py);
``explain()`` says, before acting, why an action would be refused.

    python examples/quickstart.py
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import material_for

campaign = pf.load_campaign("smart-health-elderly-care-2023")


def material(kind: str, copies: int = 1) -> pf.Material:
    """Paper as declared copies; electronic copies as real sample files, checked on attach."""
    return material_for(campaign, kind, copies)


clock = pf.FixedClock(datetime(2023, 10, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
run = pf.CampaignRun(campaign, lists=pf.empty_lists(campaign), clock=clock)

code = make_code("91371002", "MA3C5CJX")  # a made-up enterprise registered in 环翠区
print("route:", " → ".join(run.graph[a].name for a in run.workflow.route("371002")))

nomination = run.nominate(
    pf.Actor.applicant(code, "zhang.wei"),
    unit_code=code,
    unit_name="威海某智慧养老科技有限公司",
    unit_type="enterprise",
    scenario="smart_nursing_homes",
    origin="371002",  # 环翠区
    materials=[
        material("application_form_paper", copies=3),
        material("application_form_word"),
        material("application_form_pdf"),
    ],
)
print(f"nominated: {nomination.unit_name} ({nomination.state} at {nomination.holder})")

# Before anyone has stamped, recommending would be refused, and explain() says why.
district = pf.Actor("371002", "industry", "li.na")
for reason in run.explain(nomination, "recommend", actor=district):
    print("  would be refused:", reason)

# What each level adds before it forwards (the hops' required materials).
materials_at = {
    "371002": ["joint_recommendation_letter"],
    "371000": ["application_materials", "three_department_letter", "electronic_copy_pdf"],
    "370000": ["recommendation_opinion", "electronic_copy"],
}
while nomination.next_authority is not None:
    holder = nomination.holder
    clerk = pf.Actor(holder, "industry", f"clerk@{holder}")
    for kind in materials_at.get(holder, ()):
        run.attach(clerk, nomination, material(kind))
    for department in run.graph[holder].departments:
        run.stamp(pf.Actor(holder, department, f"{department}@{holder}"), nomination)
    assert run.explain(nomination, "recommend", actor=clerk) == ()
    nomination = run.recommend(clerk, nomination)
    clock.advance(hours=2)
    print(f"  {run.graph[holder].name} → {run.graph[nomination.holder].name} ({nomination.state})")

print(f"now {nomination.state} at {nomination.holder}; quota seats used at {', '.join(nomination.seats)}")
print(
    f"{len(run.history(nomination))} audit events; replay equals state:",
    run.replay().nominations[nomination.id] == run.get(nomination.id),
)
