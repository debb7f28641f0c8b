"""The demo's made-up cast: the units that apply, the earlier winners to re-review, the lists
some of them are on, and the authorities, departments and days of the story.

Every unit, name and code here is made up (the codes are valid unified social credit codes
built with :func:`pilotflow.codes.make_code`); any likeness to a real unit is coincidental.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

from attrs import frozen

from pilotflow import Campaign, Listing, UnitList, empty_lists
from pilotflow.codes import make_code

CAMPAIGN_ID = "smart-health-elderly-care-2023"
TZ = "Asia/Shanghai"
DEPARTMENTS = ("industry", "civil_affairs", "health")

MINISTRY = "MIN"
SHANDONG = "370000"
WEIHAI = "371000"
JINAN = "370100"
DONGYING = "370500"
QINGDAO = "370200"
WEIHAI_DISTRICTS = ("371002", "371003", "371082", "371083", "371071", "371072", "371073", "371000-NH")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of 2023 in Shanghai time, when the story's clock reads it."""
    return datetime(2023, month, day, hour, minute, tzinfo=ZoneInfo(TZ))


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_PREFIX = {"enterprise": "91", "street_town": "11", "park": "12", "base": "52"}


@frozen
class Unit:
    """A made-up applicant and the score its reviewers give it."""

    key: str
    name: str
    unit_type: str
    scenario: str
    origin: str
    score: int

    @property
    def code(self) -> str:
        # A development zone or 南海新区 registers its units under the city's code.
        county = self.origin.isdigit() and self.origin[4] != "7"
        division = self.origin if county else self.origin[:4] + "00"
        digest = hashlib.sha256(self.key.encode()).digest()
        body = "MA" + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:7])
        return make_code(_CODE_PREFIX[self.unit_type] + division, body)


# fmt: off
UNITS: tuple[Unit, ...] = (
    # Weihai: enterprises (quota 3)
    Unit("yikang", "威海颐康智慧养老科技有限公司", "enterprise", "smart_nursing_homes", "371002", 92),
    Unit("fushoukang", "威海福寿康居家养老服务有限公司", "enterprise", "home_visit_care", "371003", 85),
    Unit("haizhiyun", "荣成海之韵健康科技有限公司", "enterprise", "family_health_management", "371082", 88),
    Unit("yilianyun", "威海医联云信息技术有限公司", "enterprise", "internet_healthcare", "371071", 90),
    Unit("kanghu", "威海康护智能设备有限公司", "enterprise", "rehabilitation_training", "371072", 79),
    Unit("yinling", "乳山银龄乐养护理服务有限公司", "enterprise", "family_elderly_care_beds", "371083", 74),
    Unit("xintai", "威海鑫泰康养设备有限公司", "enterprise", "elderly_health_promotion", "371073", 81),
    Unit("lanhai", "威海蓝海智慧健康管理有限公司", "enterprise", "primary_health_management",
         "371000-NH", 83),
    # Weihai: streets and towns (quota 3), parks (1), bases (2)
    Unit("jingyuan", "环翠区鲸园街道", "street_town", "community_day_care", "371002", 87),
    Unit("tianfu", "文登区天福街道", "street_town", "elderly_canteens", "371003", 84),
    Unit("ningjin", "荣成市宁津街道", "street_town", "medical_elderly_care_integration", "371082", 89),
    Unit("xiacun", "乳山市夏村镇", "street_town", "home_visit_care", "371083", 76),
    Unit("torch_park", "威海火炬高新区智慧健康产业园", "park", "elderly_care_supervision", "371071", 86),
    Unit("shidao_park", "荣成石岛康养产业园", "park", "smart_nursing_homes", "371082", 80),
    Unit("kunyu_base", "文登昆嵛山医养结合示范基地", "base", "medical_elderly_care_integration",
         "371003", 83),
    Unit("yintan_base", "乳山银滩智慧颐养基地", "base", "family_elderly_care_beds", "371083", 78),
    # Jinan (quota 3/3/1/2)
    Unit("quankang", "济南泉康数字健康科技有限公司", "enterprise", "internet_healthcare", "370102", 91),
    Unit("jn_yihe", "济南颐和智能养老服务有限公司", "enterprise", "smart_nursing_homes", "370112", 86),
    Unit("quancheng", "历下区泉城街道", "street_town", "community_day_care", "370102", 85),
    Unit("huashan", "历城区华山街道", "street_town", "elderly_canteens", "370112", 82),
    Unit("mingshui_base", "章丘明水康养示范基地", "base", "rehabilitation_training", "370114", 80),
    # Dongying (quota 1/1/1/1); 黄河口 is in Shandong's reserve pool
    Unit("huanghekou", "东营黄河口智慧养老科技有限公司", "enterprise", "family_elderly_care_beds",
         "370502", 77),
    Unit("sunwu", "广饶孙武康养服务有限公司", "enterprise", "home_visit_care", "370523", 80),
    Unit("wenhui", "东营区文汇街道", "street_town", "elderly_health_promotion", "370502", 83),
    # Qingdao, a 计划单列市 (quota 2/4/2/2), straight to the ministry
    Unit("haihui", "青岛海慧康养科技有限公司", "enterprise", "smart_nursing_homes", "370202", 90),
    Unit("laoshanyun", "青岛崂山云医健康管理有限公司", "enterprise", "internet_healthcare", "370212", 87),
    Unit("xihaian", "青岛西海岸颐养智能设备有限公司", "enterprise", "rehabilitation_training", "370211", 82),
    Unit("badaguan", "市南区八大关街道", "street_town", "community_day_care", "370202", 86),
    Unit("zhuzhou", "黄岛区珠山街道", "street_town", "elderly_canteens", "370211", 81),
    Unit("laoshan_park", "崂山区智慧康养产业园", "park", "medical_elderly_care_integration", "370212", 84),
)
# fmt: on

# Earlier winners of Weihai's area to re-review (复核); the first two apply, the others don't.
WINNERS: tuple[Unit, ...] = (
    Unit("w_kangning", "威海康宁智慧养老服务中心", "enterprise", "smart_nursing_homes", "371002", 0),
    Unit("w_huancui", "环翠区环翠楼街道", "street_town", "community_day_care", "371002", 0),
    Unit("w_wendeng", "文登区龙山街道", "street_town", "elderly_canteens", "371003", 0),
    Unit("w_rongcheng", "荣成康养科技有限公司", "enterprise", "home_visit_care", "371082", 0),
)
RE_REVIEW_APPLICANTS = WINNERS[:2]
EXPERT_OFFSETS = (-22, -18, -20, -17, -25)  # the five experts are stricter than the districts

#: Each unit by its key.
BY_KEY: dict[str, Unit] = {u.key: u for u in UNITS}
WEIHAI_UNITS = tuple(u for u in UNITS if u.origin in WEIHAI_DISTRICTS)
JINAN_UNITS = tuple(u for u in UNITS if u.origin.startswith("3701"))
DONGYING_UNITS = tuple(u for u in UNITS if u.origin.startswith("3705"))
QINGDAO_UNITS = tuple(u for u in UNITS if u.origin.startswith("3702"))

LISTED = "xintai"  # on 失信被执行人名单 from 17 October
LATE = "lanhai"  # its district recommends after the deadline
RESERVE_POOL = ("huanghekou",)  # in 山东省储备库
DUPLICATE_AT = "371072"  # where 颐康 tries to file a second time


def unit_lists(campaign: Campaign) -> list[UnitList]:
    """The lists the campaign consults, empty but for the one debtor :data:`LISTED`, and
    Shandong's reserve pool (:data:`RESERVE_POOL`)."""
    listed = BY_KEY[LISTED]
    debtors = UnitList.build(
        "dishonest_debtors",
        [
            Listing(
                listed.code,
                since=at(10, 17, 0),
                reason="未履行生效判决确定的给付义务 / failed to pay what a final judgment ordered",
                unit_name=listed.name,
            )
        ],
    )
    pool = UnitList.build(
        "shandong_reserve_pool",
        [Listing(BY_KEY[k].code, since=at(3, 1, 0), unit_name=BY_KEY[k].name) for k in RESERVE_POOL],
    )
    lists = [debtors if empty.id == debtors.id else empty for empty in empty_lists(campaign)]
    return [*lists, pool]
