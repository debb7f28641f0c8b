"""A realistic slice of the bundled 2023 campaign, run end to end on a SQLite file.

``pilotflow demo`` calls :func:`run_demo`; tests call it too. With a :class:`FixedClock`
moving through October 2023 (Asia/Shanghai):

* Weihai's district-level authorities — 环翠区, 文登区, 荣成市, 乳山市, the three national
  development zones and 南海新区 — receive nominations from made-up units of every unit type;
  materials are attached, their three departments stamp, and they recommend to Weihai;
* Weihai (quota 3/3/1/2) ranks and selects, so some units are cut; Jinan (3/3/1/2) and
  Dongying (1/1/1/1) forward too; Shandong (3/8/3/3, its reserve pool first) selects and
  recommends to the ministry; Qingdao's districts go to Qingdao and on to the ministry;
* on the way, a few actions are refused, each with its bilingual reason: a unit on the list
  of dishonest judgment debtors, a missing department stamp, a late recommendation, a wrong
  department, an authority acting out of turn, a duplicate nomination, a full quota;
* at the end the per-level summary is printed and ``run.replay()`` is checked against the
  store.

The file the demo writes is marked as its own (``PRAGMA application_id`` =
:data:`DEMO_APPLICATION_ID`, in SQLite's header). Starting afresh, the demo deletes only such
a file (with its ``-wal``, ``-shm`` and ``-journal`` siblings): anything else at the path —
a text file, another application's database, a pilotflow database it did not make, a folder,
a device — is refused with :class:`~pilotflow.InvalidInput` and left untouched.

Every unit, name and code here is made up (the codes are valid unified social credit codes
built with :func:`pilotflow.domain.codes.make_code`); any likeness to a real unit is coincidental.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import stat
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from attrs import frozen
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from .. import (
    ActionRefused,
    Actor,
    CampaignRun,
    FixedClock,
    InvalidInput,
    Listing,
    Material,
    PilotflowError,
    QuotaLine,
    SelectionResult,
    UnitList,
    Winner,
    load_campaign,
    open_store,
)
from ..domain.codes import make_code
from ..domain.inputs import BIDI_AND_SEPARATORS
from ..files._io import NotRegular, read_head
from ..files.samples import every_material, material_for
from ..store.sql import SQLITE_HEADER, sqlite_url

__all__ = [
    "DEFAULT_DB",
    "DEMO_APPLICATION_ID",
    "DemoResult",
    "Refusal",
    "SummaryRow",
    "printable",
    "run_demo",
]

CAMPAIGN_ID = "smart-health-elderly-care-2023"
DEFAULT_DB = "pilotflow-demo.db"
#: ``PRAGMA application_id`` of a SQLite file made by the demo ("PFDM"): the mark that lets
#: a later ``pilotflow demo`` delete it, and nothing else.
DEMO_APPLICATION_ID = 0x5046444D
TZ = "Asia/Shanghai"
DEPARTMENTS = ("industry", "civil_affairs", "health")
MINISTRY = "MIN"
SHANDONG = "370000"
WEIHAI = "371000"
JINAN = "370100"
DONGYING = "370500"
QINGDAO = "370200"
WEIHAI_DISTRICTS = ("371002", "371003", "371082", "371083", "371071", "371072", "371073", "371000-NH")
LEVEL_ORDER = ("district", "city", "province", "ministry")

_T = TypeVar("_T")


# -- results ----------------------------------------------------------------------------


@frozen
class Refusal:
    """One action the demo tried that pilotflow refused, with every reason it gave."""

    title: str
    action: str
    actor: str
    unit_name: str
    codes: tuple[str, ...]
    en: tuple[str, ...]
    zh: tuple[str, ...]


@frozen
class SummaryRow:
    """What one authority received and did with it."""

    authority: str
    name: str
    level: str
    received: int
    recommended: int
    cut: int
    declined: int
    pending: int
    quota: tuple[QuotaLine, ...]  # only the lines with a limit


@frozen
class DemoResult:
    """What :func:`run_demo` did: enough for a test to check it, or a user to explore it."""

    db_path: Path
    campaign_id: str
    nominations: int
    events: int
    replay_ok: bool
    refusals: tuple[Refusal, ...]
    selections: tuple[SelectionResult, ...]
    summary: tuple[SummaryRow, ...]
    examples: Mapping[str, str]  # label -> nomination id (to try `pilotflow history`)
    seconds: float
    outcomes: Mapping[str, str] = {}  # unit name -> final state (the ministry phase, re-review)

    @property
    def store_url(self) -> str:
        return sqlite_url(self.db_path)

    def selection(self, authority: str, unit_type: str) -> SelectionResult:
        """The selection ``authority`` made for ``unit_type``."""
        for s in self.selections:
            if s.authority == authority and s.unit_type == unit_type:
                return s
        raise KeyError((authority, unit_type))

    def row(self, authority: str) -> SummaryRow:
        """The summary row of ``authority``."""
        for r in self.summary:
            if r.authority == authority:
                return r
        raise KeyError(authority)

    def refusal_codes(self) -> set[str]:
        """Every reason code the refusals carried."""
        return {code for r in self.refusals for code in r.codes}


# -- the made-up units --------------------------------------------------------------------


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
        prefix = {"enterprise": "91", "street_town": "11", "park": "12", "base": "52"}
        # A development zone or 南海新区 registers its units under the city's code.
        county = self.origin.isdigit() and self.origin[4] != "7"
        division = self.origin if county else self.origin[:4] + "00"
        digest = hashlib.sha256(self.key.encode()).digest()
        body = "MA" + "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:7])
        return make_code(prefix[self.unit_type] + division, body)


_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

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
EXPERT_OFFSETS = (-22, -18, -20, -17, -25)  # the five experts are stricter than the districts

LISTED = "xintai"  # on 失信被执行人名单 from 17 October
LATE = "lanhai"  # its district recommends after the deadline
RESERVE_POOL = ("huanghekou",)  # in 山东省储备库
DUPLICATE_AT = "371072"  # where 颐康 tries to file a second time


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2023, month, day, hour, minute, tzinfo=ZoneInfo(TZ))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


# -- the scenario -------------------------------------------------------------------------


class _Demo:
    def __init__(self, db_path: Path, console: Console) -> None:
        self.console = console
        self.db_path = db_path
        self.clock = FixedClock(_at(10, 16, 8, 30))
        self.campaign = load_campaign(CAMPAIGN_ID)
        by_key = {u.key: u for u in UNITS}
        debtors = UnitList.build(
            "dishonest_debtors",
            [
                Listing(
                    by_key[LISTED].code,
                    since=_at(10, 17, 0),
                    reason="未履行生效判决确定的给付义务 / failed to pay what a final judgment ordered",
                    unit_name=by_key[LISTED].name,
                )
            ],
        )
        pool = UnitList.build(
            "shandong_reserve_pool",
            [Listing(by_key[k].code, since=_at(3, 1, 0), unit_name=by_key[k].name) for k in RESERVE_POOL],
        )
        lists = [
            debtors if k == "dishonest_debtors" else UnitList.empty(k) for k in self.campaign.screening_lists
        ]
        self.run = CampaignRun(
            self.campaign,
            store=open_store(sqlite_url(db_path)),
            lists=[*lists, pool],
            clock=self.clock,
        )
        self.graph = self.run.graph
        self.units = by_key
        self.ids: dict[str, str] = {}  # unit key -> nomination id
        self.unit_of: dict[str, Unit] = {}  # nomination id -> unit
        self.refusals: list[Refusal] = []
        self.selections: list[SelectionResult] = []

    # -- helpers -----------------------------------------------------------------------

    def file(self, kind: str) -> Material:
        """An electronic material as a real file (a small PDF, Word file or MP4 written into
        a scratch folder), checked by pilotflow.files.materials like a unit's own upload."""
        return material_for(self.campaign, kind)

    def name(self, code: str) -> str:
        return "三部委" if code == MINISTRY else self.graph[code].name

    def tick(self, minutes: int = 3) -> None:
        self.clock.advance(minutes=minutes)

    def phase(self, when: datetime, en: str, zh: str) -> None:
        if when > self.clock.now():
            self.clock.set(when)
        stamp = self.clock.now().strftime("%Y-%m-%d %H:%M")
        self.console.print()
        self.console.rule(f"[bold cyan]{stamp}[/] [bold]{en}[/] · {zh}", align="left")

    def track(self, items: Sequence[_T], description: str) -> Iterator[_T]:
        with Progress(
            TextColumn("  [progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=self.console,
            transient=True,
            disable=not self.console.is_terminal,
        ) as progress:
            yield from progress.track(items, description=description)

    def officer(self, authority: str, department: str = "industry") -> Actor:
        return Actor(authority, department, f"{department}@{authority}")

    def stamp_all(self, nomination_id: str, departments: Iterable[str] = DEPARTMENTS) -> None:
        holder = self.run.get(nomination_id).holder
        for department in departments:
            self.run.stamp(self.officer(holder, department), nomination_id)
            self.tick(1)

    def attach(self, nomination_id: str, *materials: Material) -> None:
        holder = self.run.get(nomination_id).holder
        for m in materials:
            self.run.attach(self.officer(holder), nomination_id, m)
            self.tick(1)

    def refused(
        self, title: str, action: str, actor: Actor, unit: Unit, attempt: Callable[[], object]
    ) -> Refusal:
        """Run ``attempt``, which must be refused, and print the refusal."""
        try:
            attempt()
        except ActionRefused as exc:
            refusal = Refusal(
                title,
                action,
                f"{actor.authority}:{actor.department}",
                unit.name,
                exc.codes,
                tuple(r.en for r in exc.reasons),
                tuple(r.zh for r in exc.reasons),
            )
        except PilotflowError as exc:
            refusal = Refusal(
                title,
                action,
                f"{actor.authority}:{actor.department}",
                unit.name,
                (_snake(type(exc).__name__),),
                (exc.en,),
                (exc.zh,),
            )
        else:
            raise RuntimeError(f"the demo expected {action!r} to be refused ({title})")
        self.refusals.append(refusal)
        body = Text()
        body.append(f"{action}", style="bold")
        body.append(f" by {refusal.actor} on {unit.name}\n", style="dim")
        for code, en, zh in zip(refusal.codes, refusal.en, refusal.zh, strict=True):
            body.append(f"[{code}] ", style="bold red")
            body.append(f"{en}\n")
            body.append(" " * (len(code) + 3) + zh + "\n")
        body.rstrip()
        self.console.print(
            Panel(
                body,
                title=f"[red]✗ refused[/] · {title}",
                title_align="left",
                border_style="red",
                expand=False,
            )
        )
        return refusal

    def note(self, text: str) -> None:
        self.console.print(f"  [green]✓[/] {text}")

    # -- phases ------------------------------------------------------------------------

    def nominate_all(self, units: Sequence[Unit]) -> None:
        table = Table(title=None, show_edge=False, pad_edge=False, box=None, padding=(0, 1))
        for col in (
            "unit 申报单位",
            "type 类型",
            "scenario 场景",
            "received by 受理",
            "code 统一社会信用代码",
        ):
            table.add_column(col)
        for unit in self.track(units, "filing nominations"):
            n = self.run.nominate(
                Actor.applicant(unit.code, f"contact@{unit.key}"),
                unit_code=unit.code,
                unit_name=unit.name,
                unit_type=unit.unit_type,
                scenario=unit.scenario,
                origin=unit.origin,
                materials=[
                    Material("application_form_paper", copies=3),
                    self.file("application_form_word"),
                    self.file("application_form_pdf"),
                ],
            )
            self.ids[unit.key] = n.id
            self.unit_of[n.id] = unit
            table.add_row(
                unit.name,
                self.campaign.unit_types[unit.unit_type].name.zh,
                self.campaign.scenarios[unit.scenario].name.zh,
                f"{self.name(unit.origin)} {unit.origin}",
                unit.code,
            )
            self.tick(7)
        self.console.print(table)

    def district_review(self, units: Sequence[Unit], *, letter: bool) -> None:
        """Each district attaches its letter, stamps with its three departments, recommends."""
        done = 0
        for unit in self.track(units, "district review"):
            nid = self.ids[unit.key]
            if letter:
                self.attach(nid, Material("joint_recommendation_letter"))
            self.stamp_all(nid)
            self.run.recommend(self.officer(unit.origin), nid)
            done += 1
            self.tick(4)
        self.note(f"{done} nominations stamped jointly and recommended to the city · 三部门联合盖章并推荐")

    def city_select(
        self,
        city: str,
        materials: Sequence[Material],
        *,
        before: Callable[[], None] | None = None,
    ) -> None:
        """The city attaches its materials, stamps every candidate, then selects per unit type."""
        candidates = self.run.nominations(holder=city, state="in_review")
        for n in self.track(candidates, f"{self.name(city)} review"):
            self.attach(n.id, *materials)
            self.stamp_all(n.id)
        self.tick(30)
        if before is not None:
            before()
        for unit_type in self.campaign.unit_types:
            self.select(city, unit_type)

    def select(self, authority: str, unit_type: str) -> SelectionResult | None:
        candidates = self.run.nominations(holder=authority, state="in_review", unit_type=unit_type)
        if not candidates:
            return None
        order = [n.id for n in sorted(candidates, key=lambda n: -self.unit_of[n.id].score)]
        result = self.run.select(self.officer(authority), unit_type, order=order)
        self.selections.append(result)
        self.show_selection(result)
        self.tick(5)
        return result

    def show_selection(self, result: SelectionResult) -> None:
        a = self.graph[result.authority]
        lines = {line.unit_type: line for line in self.run.quota(a.code)}
        line = lines[result.unit_type]
        limit = "—" if line.limit is None else str(line.limit)
        type_zh = self.campaign.unit_types[result.unit_type].name.zh
        table = Table(
            title=f"{a.name} selects {result.unit_type} · {type_zh}  (quota 名额 {line.used}/{limit})",
            title_justify="left",
            show_edge=False,
            box=None,
            padding=(0, 1),
        )
        table.add_column("#", justify="right")
        table.add_column("unit 申报单位", no_wrap=True)
        table.add_column("from 来自", no_wrap=True)
        table.add_column("score", justify="right")
        table.add_column("result 结果")
        pool = self.run.lists.get("shandong_reserve_pool")
        for i, nid in enumerate(result.ranked, 1):
            unit = self.unit_of[nid]
            star = " ★储备库" if pool is not None and unit.code in pool else ""
            if nid in result.recommended:
                verdict = f"[green]✓ recommended → {self.name(self.run.get(nid).holder)}[/]"
            elif nid in result.cut:
                verdict = "[yellow]✂ cut: quota full 名额已满[/]"
            else:
                codes = ", ".join(r.code for r in result.skipped.get(nid, ()))
                verdict = f"[red]skipped 暂缓: {codes}[/]"
            table.add_row(str(i), unit.name + star, self.name(unit.origin), str(unit.score), verdict)
        self.console.print(table)

    # -- the story -----------------------------------------------------------------------

    def story(self) -> None:
        weihai_units = [u for u in UNITS if u.origin in WEIHAI_DISTRICTS]
        jinan_units = [u for u in UNITS if u.origin.startswith("3701")]
        dongying_units = [u for u in UNITS if u.origin.startswith("3705")]
        qingdao_units = [u for u in UNITS if u.origin.startswith("3702")]
        u = self.units

        self.phase(
            _at(10, 16, 9),
            "Weihai's districts, zones and 南海新区 receive nominations",
            "区市、国家级开发区、南海新区受理申报",
        )
        self.nominate_all(weihai_units)
        self.phase(
            _at(10, 16, 11),
            "Jinan's, Dongying's and Qingdao's districts too",
            "济南、东营、青岛各区县受理申报",
        )
        self.nominate_all(jinan_units + dongying_units + qingdao_units)
        yikang = u["yikang"]
        self.refused(
            "a second nomination of the same unit · 重复申报",
            "nominate",
            Actor.applicant(yikang.code, "contact@yikang"),
            yikang,
            lambda: self.run.nominate(
                Actor.applicant(yikang.code, "contact@yikang"),
                unit_code=yikang.code,
                unit_name=yikang.name,
                unit_type="enterprise",
                scenario="home_visit_care",
                origin=DUPLICATE_AT,
            ),
        )

        # -- 17 October: the districts review -------------------------------------------
        self.phase(
            _at(10, 17, 9),
            "Weihai's districts review, stamp jointly and recommend",
            "区市审核、三部门联合盖章、推荐至威海市",
        )
        xintai = u[LISTED]
        officer = self.officer(xintai.origin, "civil_affairs")
        self.refused(
            "a unit on the list of dishonest judgment debtors · 列入失信被执行人名单",
            "stamp",
            officer,
            xintai,
            lambda: self.run.stamp(officer, self.ids[LISTED]),
        )
        self.run.decline(
            self.officer(xintai.origin),
            self.ids[LISTED],
            reason="列入失信被执行人名单，不予推荐 / on the list of dishonest judgment debtors",
        )
        self.note(f"{self.name(xintai.origin)} declines {xintai.name} · 不予推荐")
        self.tick(10)

        finance = Actor("371003", "finance", "finance@371003")
        fushoukang = u["fushoukang"]
        self.refused(
            "a department that is not one of the three · 非联合推荐部门盖章",
            "stamp",
            finance,
            fushoukang,
            lambda: self.run.stamp(finance, self.ids["fushoukang"]),
        )
        city_officer = self.officer(WEIHAI, "health")
        haizhiyun = u["haizhiyun"]
        self.refused(
            "the city stamps before the district has recommended · 越级办理",
            "stamp",
            city_officer,
            haizhiyun,
            lambda: self.run.stamp(city_officer, self.ids["haizhiyun"]),
        )

        # 环翠区: industry and civil affairs stamp, health has not yet — recommend is refused.
        yid = self.ids["yikang"]
        self.attach(yid, Material("joint_recommendation_letter"))
        self.stamp_all(yid, ("industry", "civil_affairs"))
        self.refused(
            "the joint stamp is incomplete · 联合盖章未完成",
            "recommend",
            self.officer("371002"),
            yikang,
            lambda: self.run.recommend(self.officer("371002"), yid),
        )
        self.stamp_all(yid, ("health",))
        self.run.recommend(self.officer("371002"), yid)
        self.note(f"卫生健康 stamps; {self.name('371002')} recommends {yikang.name} to 威海市")

        on_time = [x for x in weihai_units if x.key not in (LISTED, LATE, "yikang")]
        self.district_review(on_time, letter=True)
        # 南海新区 stamps in time but does not send it off before the deadline.
        self.attach(self.ids[LATE], Material("joint_recommendation_letter"))
        self.stamp_all(self.ids[LATE])

        self.phase(
            _at(10, 17, 14),
            "Jinan's and Dongying's districts recommend to their city",
            "济南、东营各区县推荐至市",
        )
        self.district_review(jinan_units + dongying_units, letter=False)

        # -- 18 October: the cities select within their quota ----------------------------
        city_materials = (
            Material("application_materials"),
            Material("three_department_letter"),
            self.file("electronic_copy_pdf"),
        )
        self.phase(
            _at(10, 18, 9),
            "Weihai ranks and selects within its quota 3/3/1/2",
            "威海市排序并按名额（3/3/1/2）择优推荐至山东省",
        )
        self.city_select(WEIHAI, city_materials)

        self.phase(
            _at(10, 18, 14), "Jinan (3/3/1/2) and Dongying (1/1/1/1) select", "济南市、东营市择优推荐至山东省"
        )
        self.city_select(JINAN, city_materials)

        def dongying_first() -> None:
            # Dongying forwards the reserve-pool unit at once, then tries a second enterprise.
            first = self.run.recommend(self.officer(DONGYING), self.ids["huanghekou"])
            self.note(f"东营市 recommends {u['huanghekou'].name} (储备库) → {self.name(first.holder)}")
            sunwu = u["sunwu"]
            self.refused(
                "a second enterprise over Dongying's quota · 超出推荐名额",
                "recommend",
                self.officer(DONGYING),
                sunwu,
                lambda: self.run.recommend(self.officer(DONGYING), self.ids["sunwu"]),
            )

        self.city_select(DONGYING, city_materials, before=dongying_first)

        self.phase(
            _at(10, 19, 0, 20),
            "Too late: 南海新区 recommends after 18 October",
            "逾期：南海新区于 10 月 19 日凌晨报送",
        )
        lanhai = u[LATE]
        nh = self.officer(lanhai.origin)
        self.refused(
            "a recommendation after 2023-10-18 23:59 · 逾期报送",
            "recommend",
            nh,
            lanhai,
            lambda: self.run.recommend(nh, self.ids[LATE]),
        )

        # -- the province and Qingdao send to the ministry ----------------------------------
        self.phase(
            _at(10, 20, 9), "Qingdao's districts recommend to Qingdao", "青岛各区推荐至青岛市（计划单列市）"
        )
        self.district_review(qingdao_units, letter=False)

        self.phase(
            _at(10, 25, 9),
            "Shandong selects within 3/8/3/3 (reserve pool first)",
            "山东省排序（储备库优先）并按名额推荐至三部委",
        )
        self.city_select(
            SHANDONG,
            (Material("recommendation_opinion"), self.file("electronic_copy")),
        )

        self.phase(
            _at(10, 26, 9),
            "Qingdao (计划单列市, 2/4/2/2) sends straight to the ministry",
            "青岛市直接报送三部委",
        )
        self.city_select(
            QINGDAO,
            (
                Material("application_materials"),
                Material("recommendation_opinion"),
                self.file("electronic_copy"),
            ),
        )

    # -- re-review of the 2017–2019 winners ---------------------------------------------------

    def re_review(self) -> None:
        ministry = self.officer(MINISTRY)
        self.phase(
            _at(10, 16, 8, 40),
            "The 2017–2019 winners are registered for re-review",
            "三部委导入 2017—2019 年试点示范名单，启动复核",
        )
        winners = [
            Winner(w.code, w.name, w.unit_type, 2017 + i % 3, w.origin, w.scenario)
            for i, w in enumerate(WINNERS)
        ]
        for n in self.run.register_winners(ministry, winners):
            self.ids[n.unit_code] = n.id
        self.note(f"{len(winners)} earlier winners await their applications (by 2023-10-18)")
        applicants = WINNERS[:2]
        for w in applicants:
            # What every hop asks of a re-review unit (its form, its video, the letters...).
            n = self.run.apply_for_re_review(
                Actor.applicant(w.code, f"contact@{w.key}"),
                w.code,
                materials=every_material(self.campaign, re_review=True),
            )
            self.unit_of[n.id] = w
            for _ in range(2):  # the district, then Weihai check and forward
                self.stamp_all(n.id)
                self.run.recommend(self.officer(self.run.get(n.id).holder), n.id)
        self.note("2 applied; their districts and Weihai checked and forwarded them to Shandong")
        for w in applicants:
            self.stamp_all(self.ids[w.code])
        result = self.run.select(self.officer(SHANDONG), "enterprise", track="re_review")
        result_st = self.run.select(self.officer(SHANDONG), "street_town", track="re_review")
        self.note(
            "Shandong may recommend at most 70% of its re-review applicants, rounded down: "
            f"floor(0.7 × 2) = 1 → recommended {len(result.recommended) + len(result_st.recommended)}, "
            f"cut {len(result.cut) + len(result_st.cut)}"
        )

    # -- the ministry phase -------------------------------------------------------------------

    def ministry_phase(self) -> None:
        ministry = self.officer(MINISTRY)
        received = self.run.nominations(state="received")
        self.phase(_at(11, 1, 9), "The ministries' experts review what they received", "三部委组织专家评审")
        for n in self.track(received, "expert review"):
            unit = self.unit_of[n.id]
            base = unit.score or 85
            for i, offset in enumerate(EXPERT_OFFSETS):
                expert = Actor(MINISTRY, DEPARTMENTS[i % 3], f"专家{i + 1}")
                self.run.score(
                    expert,
                    n.id,
                    score=max(0, min(100, base + offset)),
                    opinion="材料翔实，应用成效明显" if base + offset >= 60 else "示范性不足",
                )
            self.run.conclude_review(ministry, n.id)
        reviewed = self.run.nominations(state="reviewed")
        self.note(f"{len(reviewed)} of {len(received)} passed (trimmed mean of 5 experts ≥ 60)")
        self.phase(_at(11, 3, 9), "On-site spot checks (20%, rounded up)", "实地抽检（20%，向上取整）")
        drawn = self.run.draw_spot_checks(ministry, seed=2023)
        for i, nid in enumerate(drawn):
            passed = i != 0
            self.run.record_spot_check(
                ministry, nid, passed=passed, reason="现场核查属实" if passed else "现场核查与申报材料不符"
            )
            self.note(f"{self.unit_of[nid].name}: {'passed ✓' if passed else 'failed ✗ (removed)'}")
        for n in self.run.nominations(state="reviewed"):
            self.run.propose(ministry, n.id)
        self.phase(_at(11, 6, 9), "Public notice: 5 working days", "公示（5 个工作日）")
        on_notice = self.run.publish_notice(ministry)
        until = self.run.get(on_notice[0]).ministry
        self.note(f"{len(on_notice)} units on notice until {until.notice_until if until else '?'}")
        first, second = on_notice[0], on_notice[-1]
        self.clock.set(_at(11, 7, 10))
        self.run.file_objection(
            first, objector="王某（实名）", grounds="服务人数与实际不符", evidence="社区走访记录"
        )
        self.clock.set(_at(11, 8, 10))
        self.run.file_objection(
            second, objector="李某（实名）", grounds="产品未实际投入使用", evidence="用户反馈"
        )
        self.clock.set(_at(11, 10, 9))
        self.run.rule_on_objection(ministry, first, upheld=False, reason="经核查，异议不成立")
        self.run.rule_on_objection(ministry, second, upheld=True, reason="经核查，异议属实")
        self.note(
            f"objection against {self.unit_of[first].name} dismissed; "
            f"against {self.unit_of[second].name} upheld (removed)"
        )
        self.phase(
            _at(11, 14, 9),
            "The notice has closed: the deadline sweep announces",
            "公示期满，定时任务公告（并撤销未申请复核的单位）",
        )
        fired = self.run.tick()
        self.note(f"tick() moved {len(fired)} nominations; running it again moves {len(self.run.tick())}")
        table = Table(title="Results · 结果", title_justify="left")
        for col in ("unit 单位", "track 类别", "state 状态"):
            table.add_column(col)
        for n in self.run.nominations():
            if n.state in ("announced", "rejected", "removed", "revoked"):
                table.add_row(n.unit_name, "2023" if n.track == "new" else f"复核 {n.batch}", n.state)
        self.console.print(table)

    # -- the summary ------------------------------------------------------------------------

    def summary(self) -> tuple[SummaryRow, ...]:
        received: Counter[str] = Counter()
        recommended: Counter[str] = Counter()
        cut: Counter[str] = Counter()
        declined: Counter[str] = Counter()
        pending: Counter[str] = Counter()
        for n in self.run.nominations():
            if n.track == "re_review" and n.hop == 0 and n.state in ("awaiting_application", "revoked"):
                continue  # an earlier winner that never applied was never received anywhere
            for i, authority in enumerate(n.route[: n.hop + 1]):
                received[authority] += 1
                if i < n.hop:
                    recommended[authority] += 1
            if n.state == "not_recommended":
                cut[n.holder] += 1
            elif n.state in ("declined", "withdrawn"):
                declined[n.holder] += 1
            elif n.state in ("in_review", "lapsed"):
                pending[n.holder] += 1
        rows = []
        for code in received:
            a = self.graph[code]
            quota = tuple(line for line in self.run.quota(code) if line.limit is not None)
            rows.append(
                SummaryRow(
                    code,
                    a.name,
                    a.level,
                    received[code],
                    recommended[code],
                    cut[code],
                    declined[code],
                    pending[code],
                    quota,
                )
            )
        rows.sort(key=lambda r: (LEVEL_ORDER.index(r.level), r.authority))
        return tuple(rows)

    def show_summary(self, rows: Sequence[SummaryRow]) -> None:
        table = Table(title="Summary per level · 各级汇总", title_justify="left")
        table.add_column("authority\n机关", no_wrap=True)
        table.add_column("code\n代码", style="dim", no_wrap=True)
        table.add_column("level\n层级", no_wrap=True)
        for col in (
            "received\n受理",
            "recommended\n推荐",
            "cut\n名额外",
            "declined\n不予推荐",
            "pending\n未报送",
        ):
            table.add_column(col, justify="right")
        table.add_column("quota used/limit\n名额 已用/限额", no_wrap=True)
        short = {k: v.name.zh[:1] for k, v in self.campaign.unit_types.items()}
        last_level = ""
        for r in rows:
            if last_level and r.level != last_level:
                table.add_section()
            last_level = r.level
            level = self.campaign.levels[LEVEL_ORDER.index(r.level)].name.zh
            quota = (
                " ".join(f"{short.get(q.unit_type, '计')}{q.used}/{q.limit}" for q in r.quota)
                if r.quota
                else "[dim]—[/]"
            )
            table.add_row(
                self.name(r.authority),
                r.authority,
                level,
                str(r.received),
                _num(r.recommended, "green"),
                _num(r.cut, "yellow"),
                _num(r.declined, "red"),
                _num(r.pending, "magenta"),
                quota,
            )
        self.console.print()
        self.console.print(table)

    def examples(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for n in self.run.nominations():
            if n.id not in self.unit_of:
                continue  # an earlier winner that never applied
            unit = self.unit_of[n.id]
            if n.track != "new":
                continue
            if n.state == "announced" and "announced" not in out:
                out["announced"] = n.id
            if n.state == "received" and "at the ministry" not in out:
                out["at the ministry"] = n.id
            if n.state == "not_recommended" and n.holder == WEIHAI and "cut at Weihai" not in out:
                out["cut at Weihai"] = n.id
            if unit.key == LATE:
                out["late at 南海新区"] = n.id
            if unit.key == LISTED:
                out["declined (listed)"] = n.id
        return out


def _num(value: int, style: str) -> str:
    return f"[{style}]{value}[/]" if value else "[dim]0[/]"


_SIBLINGS = ("-wal", "-shm", "-journal")
_INVISIBLE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_AND_SEPARATORS}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1) and every bidirectional
    formatting character shown as a visible escape (``\\x1b``, ``\\u202e``, ``\\n``), so
    that text a user controls can never move the cursor, change colours, hide a link or
    reorder what follows it on a terminal."""
    return _INVISIBLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    c = match.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def _refuse(path: Path, en: str, zh: str) -> InvalidInput:
    shown = printable(str(path))
    return InvalidInput(
        f"{shown} {en}; the demo deletes only a database it made itself: choose another --db",
        f"{shown} {zh}；演示程序只删除它自己生成的数据库，请换一个 --db",
    )


def _kind_of(path: Path) -> str:
    """What is at ``path``: ``"absent"``, ``"empty"`` (a regular empty file), ``"demo"`` (a
    SQLite file marked as the demo's) or ``"pilotflow"`` (a pilotflow database the demo did
    not make); anything else is refused (:class:`InvalidInput`), without opening it."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        for suffix in _SIBLINGS:
            if os.path.lexists(f"{path}{suffix}"):
                raise _refuse(
                    Path(f"{path}{suffix}"),
                    "is left over from a database that is gone",
                    "是已不存在的数据库遗留的文件",
                ) from None
        return "absent"
    except OSError as exc:
        raise _refuse(path, f"cannot be used ({exc.strerror or exc})", "无法使用") from None
    if stat.S_ISDIR(st.st_mode):
        raise _refuse(path, "is a folder, not a database file", "是文件夹，不是数据库文件")
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(
            path,
            "is not a regular file (a FIFO, a device or a socket)",
            "不是普通文件（而是管道、设备或套接字）",
        )
    if st.st_size == 0:
        return "empty"
    try:
        head = read_head(str(path), 100)
    except NotRegular:
        head = b""  # swapped since: not the demo's
    except OSError as exc:
        raise _refuse(path, f"cannot be read ({exc.strerror or exc})", "无法读取") from None
    if (
        len(head) == 100
        and head.startswith(SQLITE_HEADER)
        and int.from_bytes(head[68:72], "big") == DEMO_APPLICATION_ID
    ):
        return "demo"
    try:
        open_store(sqlite_url(path), read_only=True).close()
    except PilotflowError:
        raise _refuse(path, "is not a database the demo made", "不是演示程序生成的数据库") from None
    return "pilotflow"


def _prepare_db(path: Path, *, fresh: bool) -> None:
    """Make ``path`` ready for the demo: delete the demo's own earlier database if ``fresh``,
    refuse to touch anything that is not one, and mark a file the demo creates (or an empty
    one it fills) as the demo's."""
    kind = _kind_of(path)
    if kind == "pilotflow" and fresh:
        raise InvalidInput(
            f"{printable(str(path))} holds a pilotflow database the demo did not make, so the demo "
            "will not delete it: add the demo to it with --keep, or choose another --db",
            f"{printable(str(path))} 中是非演示程序生成的 pilotflow 数据库，演示程序不会删除它："
            "可用 --keep 在其中运行演示，或换一个 --db",
        )
    if kind == "demo" and fresh:
        siblings = [Path(f"{path}{suffix}") for suffix in _SIBLINGS]
        for sibling in siblings:
            if os.path.lexists(sibling) and not stat.S_ISREG(os.lstat(sibling).st_mode):
                raise _refuse(sibling, "is not a regular file", "不是普通文件")
        for sibling in siblings:
            sibling.unlink(missing_ok=True)
        path.unlink()
        kind = "absent"
    if kind in ("absent", "empty"):
        if not path.parent.is_dir():
            raise InvalidInput(
                f"the folder of the demo's database does not exist: {printable(str(path.parent))}",
                f"演示数据库所在目录不存在：{printable(str(path.parent))}",
            )
        try:
            conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rwc", uri=True)
            try:
                conn.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")
                conn.commit()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise InvalidInput(
                f"cannot create the demo's database {printable(str(path))}: {exc}",
                f"无法创建演示数据库 {printable(str(path))}",
            ) from exc


def run_demo(
    db_path: str | os.PathLike[str] = DEFAULT_DB,
    console: Console | None = None,
    *,
    fresh: bool = True,
    through: str = "announcement",
) -> DemoResult:
    """Run the demo on the SQLite file ``db_path`` and print it on ``console``.

    ``fresh`` (the default) deletes the file first if the demo made it, and refuses
    (:class:`InvalidInput`, nothing touched) anything else at that path; without it the file
    must be absent, empty or a pilotflow database not yet holding this campaign's
    nominations. ``through`` is how far the campaign runs: to the
    ``"announcement"`` (the whole campaign: ministry review, spot checks, public notice,
    objections, announcement, revocations) or only until the recommendations are
    ``"received"`` by the ministry (leaving nominations mid-flight to explore).
    Returns what happened (:class:`DemoResult`).
    """
    if through not in ("received", "announcement"):
        raise InvalidInput(
            f"through must be 'received' or 'announcement', got {through!r}",
            "through 参数必须是 received（部级受理）或 announcement（公告）",
        )
    started = time.perf_counter()
    console = console if console is not None else Console(quiet=True)
    path = Path(db_path).expanduser().resolve()
    _prepare_db(path, fresh=fresh)
    demo = _Demo(path, console)
    try:
        if demo.run.nominations():
            raise InvalidInput(
                f"{printable(str(path))} already holds nominations of {CAMPAIGN_ID}; run the demo "
                "with --fresh (the default) or another --db",
                f"{printable(str(path))} 中已有本次遴选的申报数据；请使用 --fresh（默认）或换一个 --db",
            )
        campaign = demo.campaign
        console.print(
            Panel(
                Group(
                    Text(campaign.title.zh, style="bold"),
                    Text(campaign.title.en),
                    Text(
                        f"campaign {campaign.id} · revision {campaign.revision[:19]}\n"
                        f"store {printable(sqlite_url(path))} · clock FixedClock ({TZ})",
                        style="dim",
                    ),
                ),
                title="pilotflow demo",
                title_align="left",
                border_style="cyan",
            )
        )
        demo.re_review()
        demo.story()
        if through == "announcement":
            demo.ministry_phase()
        rows = demo.summary()
        demo.show_summary(rows)
        events = demo.run.events()
        snapshot = demo.run.replay()
        current = {n.id: n for n in demo.run.nominations()}
        usage = demo.run.store.quota_usage(campaign.id)
        replay_ok = dict(snapshot.nominations) == current and dict(snapshot.quota) == usage
        mark = "[green]✓[/]" if replay_ok else "[red]✗[/]"
        console.print(
            f"\nAudit log 审计记录: [bold]{len(events)}[/] events for {len(current)} nominations · "
            f"{len(demo.refusals)} refusals (refused actions write nothing)"
        )
        console.print(f"run.replay() equals the store state 回放与存储一致 {mark}")
        examples = demo.examples()
        elapsed = time.perf_counter() - started
        return DemoResult(
            path,
            campaign.id,
            len(current),
            len(events),
            replay_ok,
            tuple(demo.refusals),
            tuple(demo.selections),
            rows,
            examples,
            elapsed,
            {n.unit_name: n.state for n in current.values()},
        )
    finally:
        demo.run.store.close()
