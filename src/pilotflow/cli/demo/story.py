"""The story up to the ministry, step by step (:data:`STEPS`, in order): the earlier winners
are re-reviewed; the districts receive nominations and review them; the cities select within
their quotas; a late recommendation is refused; Shandong and Qingdao send to the ministry.
On the way a few actions are refused, each with its bilingual reason.
"""

from __future__ import annotations

from pilotflow import Actor, Winner
from pilotflow.names import TRACK_RE_REVIEW
from pilotflow.samples import every_material
from pilotflow.service import share_of

from .data import (
    BY_KEY,
    DONGYING,
    DONGYING_UNITS,
    DUPLICATE_AT,
    JINAN,
    JINAN_UNITS,
    LATE,
    LISTED,
    MINISTRY,
    QINGDAO,
    QINGDAO_UNITS,
    RE_REVIEW_APPLICANTS,
    SHANDONG,
    WEIHAI,
    WEIHAI_UNITS,
    WINNERS,
    at,
)
from .stage import Stage, step

#: What a city attaches to each candidate before it selects (its letter's own: see send_letter).
_CITY_MATERIALS = ("application_materials", "electronic_copy_pdf")


@step(
    at(10, 16, 8, 40),
    "The 2017–2019 winners are registered for re-review",
    "三部委导入 2017—2019 年试点示范名单，启动复核",
)
def re_review(stage: Stage) -> None:
    """The ministry registers the earlier winners; two apply, their district and Weihai
    forward them, and Shandong selects at most 70% of them."""
    run = stage.run
    winners = [
        Winner(w.code, w.name, w.unit_type, 2017 + i % 3, w.origin, w.scenario) for i, w in enumerate(WINNERS)
    ]
    run.register_winners(stage.officer(MINISTRY), winners)
    stage.note(f"{len(winners)} earlier winners await their applications (by 2023-10-18)")
    applied = []
    for w in RE_REVIEW_APPLICANTS:
        # What every hop asks of a re-review unit (its form, its video, the letters...).
        n = run.apply_for_re_review(
            Actor.applicant(w.code, f"contact@{w.key}"),
            w.code,
            materials=every_material(stage.campaign, re_review=True),
        )
        stage.unit_of[n.id] = w
        applied.append(n.id)
        for _ in range(2):  # the district, then Weihai check and forward
            stage.forward(n.id)
    stage.note(f"{len(applied)} applied; their districts and Weihai checked and forwarded them to Shandong")
    # Shandong lists those within its share in its letter to the ministry (sent with its new units).
    results = [
        run.select(stage.officer(SHANDONG), unit_type, track=TRACK_RE_REVIEW)
        for unit_type in ("enterprise", "street_town")
    ]
    rules = stage.campaign.re_review
    allowed = share_of(len(applied), rules.max_share, rules.rounding)
    stage.note(
        f"Shandong may recommend at most {rules.max_share:.0%} of its re-review applicants, "
        f"rounded by {rules.rounding}: {rules.rounding}({rules.max_share:g} × {len(applied)}) = "
        f"{allowed} → recommended {sum(len(r.recommended) for r in results)}, "
        f"cut {sum(len(r.cut) for r in results)}"
    )


@step(
    at(10, 16, 9),
    "Weihai's districts, zones and 南海新区 receive nominations",
    "区市、国家级开发区、南海新区受理申报",
)
def weihai_districts_file(stage: Stage) -> None:
    stage.nominate_all(WEIHAI_UNITS)


@step(at(10, 16, 11), "Jinan's, Dongying's and Qingdao's districts too", "济南、东营、青岛各区县受理申报")
def other_districts_file(stage: Stage) -> None:
    """The other districts receive nominations; 颐康 tries to file a second time, elsewhere."""
    stage.nominate_all(JINAN_UNITS + DONGYING_UNITS + QINGDAO_UNITS)
    yikang = BY_KEY["yikang"]
    applicant = Actor.applicant(yikang.code, "contact@yikang")
    stage.refused(
        "a second nomination of the same unit · 重复申报",
        "nominate",
        applicant,
        yikang,
        lambda: stage.run.nominate(
            applicant,
            unit_code=yikang.code,
            unit_name=yikang.name,
            unit_type="enterprise",
            scenario="home_visit_care",
            origin=DUPLICATE_AT,
        ),
    )


@step(
    at(10, 17, 9),
    "Weihai's districts review, stamp jointly and recommend",
    "区市审核、三部门联合盖章、推荐至威海市",
)
def weihai_districts_review(stage: Stage) -> None:
    """Weihai's districts review: one unit is listed, some actions come from the wrong hands,
    one stamp is missing; the rest are recommended, but 南海新区 does not send its unit off."""
    _decline_the_listed_unit(stage)
    _refuse_the_wrong_hands(stage)
    _recommend_once_fully_stamped(stage)
    on_time = [u for u in WEIHAI_UNITS if u.key not in (LISTED, LATE, "yikang")]
    stage.district_review(on_time)
    # 南海新区 stamps its letter in time but does not send it off before the deadline.
    late = stage.ids[LATE]
    stage.attach(late, *stage.letter_materials(BY_KEY[LATE].origin, WEIHAI))
    stage.stamp_all(late)


def _decline_the_listed_unit(stage: Stage) -> None:
    """A unit on the list of dishonest judgment debtors cannot be stamped: its district declines it."""
    xintai = BY_KEY[LISTED]
    stage.refused(
        "a unit on the list of dishonest judgment debtors · 列入失信被执行人名单",
        "stamp",
        stage.officer(xintai.origin, "civil_affairs"),
        xintai,
    )
    stage.run.decline(
        stage.officer(xintai.origin),
        stage.ids[LISTED],
        reason="列入失信被执行人名单，不予推荐 / on the list of dishonest judgment debtors",
    )
    stage.note(f"{stage.name(xintai.origin)} declines {xintai.name} · 不予推荐")
    stage.tick(10)


def _refuse_the_wrong_hands(stage: Stage) -> None:
    """A department that is not one of the three stamps; the city stamps out of turn."""
    stage.refused(
        "a department that is not one of the three · 非联合推荐部门盖章",
        "stamp",
        Actor("371003", "finance", "finance@371003"),
        BY_KEY["fushoukang"],
    )
    stage.refused(
        "the city stamps before the district has recommended · 越级办理",
        "stamp",
        stage.officer(WEIHAI, "health"),
        BY_KEY["haizhiyun"],
    )


def _recommend_once_fully_stamped(stage: Stage) -> None:
    """环翠区: industry and civil affairs stamp, health has not yet — recommend is refused;
    once health stamps, it goes through."""
    yikang = BY_KEY["yikang"]
    yid = stage.ids["yikang"]
    stage.attach(yid, *stage.letter_materials("371002", WEIHAI))
    stage.stamp_all(yid, ("industry", "civil_affairs"))
    stage.refused(
        "the joint stamp is incomplete · 联合盖章未完成", "recommend", stage.officer("371002"), yikang
    )
    stage.forward(yid, ("health",))
    stage.note(f"卫生健康 stamps; {stage.name('371002')} recommends {yikang.name} to 威海市")


@step(at(10, 17, 14), "Jinan's and Dongying's districts recommend to their city", "济南、东营各区县推荐至市")
def jinan_dongying_districts_review(stage: Stage) -> None:
    stage.district_review(JINAN_UNITS + DONGYING_UNITS)


@step(
    at(10, 18, 9),
    "Weihai ranks and selects within its quota 3/3/1/2",
    "威海市排序并按名额（3/3/1/2）择优推荐至山东省",
)
def weihai_selects(stage: Stage) -> None:
    stage.review_and_select(WEIHAI, stage.materials(*_CITY_MATERIALS))


@step(at(10, 18, 14), "Jinan (3/3/1/2) and Dongying (1/1/1/1) select", "济南市、东营市择优推荐至山东省")
def jinan_dongying_select(stage: Stage) -> None:
    """Jinan selects; Dongying forwards the reserve-pool unit at once, is refused a second
    enterprise over its quota, then selects the rest."""
    materials = stage.materials(*_CITY_MATERIALS)
    stage.review_and_select(JINAN, materials)
    stage.review(DONGYING, materials)
    officer = stage.officer(DONGYING)
    first = stage.send_letter(stage.run.prepare_submission(officer, [stage.ids["huanghekou"]]).id)
    stage.note(f"东营市 sends {BY_KEY['huanghekou'].name} (储备库) at once → {stage.name(first.receiver)}")
    second = stage.ready_letter(stage.run.prepare_submission(officer, [stage.ids["sunwu"]]).id)
    stage.refused(
        "a second enterprise over Dongying's quota · 超出推荐名额",
        "send",
        officer,
        BY_KEY["sunwu"],
        lambda: stage.run.send(officer, second.id),
    )
    stage.run.discard_submission(officer, second.id, reason="超出推荐名额，作废 / over the quota")
    stage.note("东营市 discards that letter · 作废该推荐函")
    stage.select_all(DONGYING)
    stage.send_letters(DONGYING)


@step(
    at(10, 19, 0, 20),
    "Too late: 南海新区 recommends after 18 October",
    "逾期：南海新区于 10 月 19 日凌晨报送",
)
def late_recommendation(stage: Stage) -> None:
    lanhai = BY_KEY[LATE]
    stage.refused(
        "a recommendation after 2023-10-18 23:59 · 逾期报送",
        "recommend",
        stage.officer(lanhai.origin),
        lanhai,
    )


@step(at(10, 20, 9), "Qingdao's districts recommend to Qingdao", "青岛各区推荐至青岛市（计划单列市）")
def qingdao_districts_review(stage: Stage) -> None:
    stage.district_review(QINGDAO_UNITS)


@step(
    at(10, 25, 9),
    "Shandong selects within 3/8/3/3 (reserve pool first)",
    "山东省排序（储备库优先）并按名额推荐至三部委",
)
def shandong_selects(stage: Stage) -> None:
    stage.review_and_select(SHANDONG, stage.materials("electronic_copy"))


@step(
    at(10, 26, 9),
    "Qingdao (计划单列市, 2/4/2/2) sends straight to the ministry",
    "青岛市直接报送三部委",
)
def qingdao_sends(stage: Stage) -> None:
    stage.review_and_select(QINGDAO, stage.materials("application_materials", "electronic_copy"))


#: The story up to the ministry's receipt, in order.
STEPS = (
    re_review,
    weihai_districts_file,
    other_districts_file,
    weihai_districts_review,
    jinan_dongying_districts_review,
    weihai_selects,
    jinan_dongying_select,
    late_recommendation,
    qingdao_districts_review,
    shandong_selects,
    qingdao_sends,
)
