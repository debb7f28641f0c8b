"""A city selects within its quota, after a what-if.

Five enterprises reach Weihai (quota: 3 enterprises) from its districts, each in its
district's stamped letter. ``select(..., dry_run=True)`` shows what a selection would do
(and writes nothing); a second what-if tries another ranking; then the real selection lists
three in Weihai's letter to Shandong and cuts the other two; Weihai's three departments
stamp that letter and it is sent.

    python examples/selection.py
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
WEIHAI = "371000"

applicants = [  # made-up enterprises: (district, name, registration body)
    ("371002", "威海甲智慧养老科技有限公司", "MA1AAAAA1"),
    ("371003", "威海乙康养服务有限公司", "MA1BBBBB2"),
    ("371082", "荣成丙健康科技有限公司", "MA1CCCCC3"),
    ("371083", "乳山丁颐养护理有限公司", "MA1DDDDD4"),
    ("371071", "威海戊医疗信息技术有限公司", "MA1EEEEE5"),
]
names = {}
for district, name, body in applicants:
    code = make_code("91" + district[:4] + "00", body)
    n = run.nominate(
        pf.Actor.applicant(code, "contact"),
        unit_code=code, unit_name=name, unit_type="enterprise",
        scenario="home_visit_care", origin=district,
        materials=[material("application_form_paper", copies=3),
                   material("application_form_word"), material("application_form_pdf")],
    )  # fmt: skip
    # The district's letter (推荐函) carries its own material and its three stamps.
    run.attach(pf.Actor(district, "industry", "clerk"), n, material("joint_recommendation_letter"))
    for department in ("industry", "civil_affairs", "health"):
        run.stamp(pf.Actor(district, department, "clerk"), n)
    run.recommend(pf.Actor(district, "industry", "clerk"), n)
    names[n.id] = name

# Weihai attaches each candidate's materials for the province.
clock.advance(days=1)
for n in run.nominations(holder=WEIHAI, state="in_review"):
    officer = pf.Actor(WEIHAI, "industry", "wang")
    for kind in ("application_materials", "electronic_copy_pdf"):
        run.attach(officer, n, material(kind))

weihai = pf.Actor(WEIHAI, "industry", "wang")


def show(title: str, result: pf.SelectionResult) -> None:
    print(title)
    for i, nid in enumerate(result.ranked, 1):
        verdict = "recommended" if nid in result.recommended else "cut (quota)"
        print(f"  {i}. {names[nid]} — {verdict}")


show("what-if, filing order:", run.select(weihai, "enterprise", dry_run=True))
# The reviewers' ranking: the last-filed comes first.
order = [n.id for n in reversed(run.rank(WEIHAI, "enterprise"))]
show("what-if, reviewers' ranking:", run.select(weihai, "enterprise", order=order, dry_run=True))
print("quota used after the what-ifs:", run.quota(WEIHAI)[0].used, "of", run.quota(WEIHAI)[0].limit)

result = run.select(weihai, "enterprise", order=order)
show("selection:", result)
# The selection listed the chosen units in Weihai's letter to Shandong: it carries the
# three-department letter, its three departments stamp it, and it is sent whole.
(letter,) = result.submissions
run.attach_to_submission(weihai, letter, material("three_department_letter"))
for department in ("industry", "civil_affairs", "health"):
    run.stamp_submission(pf.Actor(WEIHAI, department, "reviewer"), letter)
run.send(weihai, letter)
line = run.quota(WEIHAI)[0]
print(f"quota of 威海市 for enterprises: {line.used} of {line.limit} used, {line.remaining} left")
for nid in result.cut:
    print(f"  {names[nid]}: {run.get(nid).state}")
