"""The summary table's columns and labels (附件4), in one place for every table pilotflow writes.

The summary table of an authority lists the units it recommends in its order and the results
of the re-review of the earlier winners in its area. :mod:`pilotflow.reports` builds it from a
whole run (:func:`pilotflow.reports.summary_table`); :mod:`pilotflow.files.letters` writes the
one a sender attaches to its recommendation letter. Both take their column keys, their Chinese
headers, the headings of the sections and the results' wording from here.

>>> list(SUMMARY_COLUMNS)[:4]
['section', 'rank', 'unit_name', 'unit_code']
>>> from pilotflow import load_campaign
>>> from pilotflow.errors import InvalidInput
>>> campaign = load_campaign("smart-health-elderly-care-2023")
>>> section(campaign, "new"), section(campaign, "re_review")
('2023年推荐单位', '2017—2019年复核')
>>> try:
...     section(campaign, "no-such-track")
... except InvalidInput as error:
...     print(error.zh)
track 参数必须是本次遴选的申报类别之一：新申报（new）、复核（re_review），收到 'no-such-track'
>>> unit_type_label(campaign, "street_town"), scenario_label(campaign, "elderly_canteens")
('街道（乡镇）', '老年食堂')
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

from ..domain.authorities import AuthorityGraph
from ..domain.campaign import Campaign, check_campaign
from ..domain.names import ANNOUNCED, STATE_ZH, TRACK_RE_REVIEW
from ..domain.records import Nomination

__all__ = [
    "IN_PROGRESS",
    "RESULT_ZH",
    "RE_REVIEW_KEPT",
    "RE_REVIEW_RECOMMENDED",
    "RE_REVIEW_REVOKED",
    "SUMMARY_COLUMNS",
    "result",
    "scenario_label",
    "section",
    "summary_row",
    "unit_type_label",
]

#: Column key → Chinese header of the summary table (附件4), in the table's order.
SUMMARY_COLUMNS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "section": "类别",
        "rank": "推荐排序",
        "unit_name": "单位名称",
        "unit_code": "统一社会信用代码",
        "unit_type": "类型",
        "scenario": "应用场景",
        "origin": "所在地区",
        "batch": "批次",
        "state": "当前状态",
        "result": "结果",
    }
)

#: The result of a nomination that has ended in ``state`` (an earlier winner's re-review aside).
RESULT_ZH: Final[Mapping[str, str]] = MappingProxyType(
    {
        "announced": "通过（已公告）",
        "revoked": "撤销称号并摘牌",
        "rejected": "未通过",
        "removed": "公示异议成立，取消",
        "declined": "未予推荐",
        "not_recommended": "名额已满，未予推荐",
        "lapsed": "逾期未报送",
        "withdrawn": "已撤回",
        "awaiting_application": "尚未申请复核",
    }
)
#: An earlier winner whose re-review passed at the top.
RE_REVIEW_KEPT: Final = "保留称号（复核通过）"
#: An earlier winner not retained at some level, or that did not apply: 复核未通过的或未申请
#: 复核的单位将撤销称号并摘牌 (工信厅联电子函〔2023〕265号, 三).
RE_REVIEW_REVOKED: Final = "撤销称号并摘牌"
#: An earlier winner its sender recommends for retention (the sender's re-review result).
RE_REVIEW_RECOMMENDED: Final = "推荐通过复核"
#: A nomination still on its way.
IN_PROGRESS: Final = "审核中"


def section(campaign: Campaign, track: str) -> str:
    """The heading of a track's section of the summary table: the track's name where the
    campaign names its tracks; else the campaign year's recommendations, and the re-review
    of its batches (``2017—2019年复核``). A campaign that is no :class:`Campaign`, or a track
    it does not run, is :class:`~pilotflow.errors.InvalidInput` (naming its tracks)."""
    check_campaign(campaign)
    campaign.check_track(track)
    named = campaign.tracks.get(track)
    if named is not None:
        return named.name.zh
    if track == TRACK_RE_REVIEW:
        batches = campaign.re_review.batches
        years = f"{min(batches)}—{max(batches)}年" if len(batches) > 1 else "".join(f"{b}年" for b in batches)
        return f"{years}复核"
    return f"{campaign.year}年推荐单位"


def unit_type_label(campaign: Campaign, code: str) -> str | None:
    """The campaign's Chinese name of unit type ``code``, or None if it has no such type."""
    found = campaign.unit_types.get(code)
    return found.name.zh if found is not None else None


def scenario_label(campaign: Campaign, code: str) -> str | None:
    """The campaign's Chinese name of scenario ``code`` (``""``: no scenario stated, an earlier
    winner's), or None if it has no such scenario."""
    if code == "":
        return ""
    found = campaign.scenarios.get(code)
    return found.name.zh if found is not None else None


def result(n: Nomination) -> str:
    """Where ``n`` stands, as the summary table's result column says it."""
    state = n.state
    if n.track == TRACK_RE_REVIEW and state == ANNOUNCED:
        return RE_REVIEW_KEPT
    if n.track == TRACK_RE_REVIEW and not n.is_live:
        # Not retained at any level (revoked: declined, withdrawn, cut by the share, failed, or
        # never applied; a lapse, or a state an older log kept): 复核未通过的或未申请复核的单位
        # 将撤销称号并摘牌 (工信厅联电子函〔2023〕265号, 三). A withdrawn application is no application.
        return RE_REVIEW_REVOKED
    return RESULT_ZH.get(state, IN_PROGRESS)


def summary_row(n: Nomination, campaign: Campaign, graph: AuthorityGraph) -> dict[str, Any]:
    """The summary table's row of ``n`` (``rank`` left None: the table's builder numbers it):
    the campaign's labels, where the unit is by the graph's name qualified by the authority it
    lies in (威海市环翠区). A code the campaign does not name is shown as it is."""
    scenario = scenario_label(campaign, n.scenario)
    return {
        "section": section(campaign, n.track),
        "rank": None,
        "unit_name": n.unit_name,
        "unit_code": n.unit_code,
        "unit_type": unit_type_label(campaign, n.unit_type) or n.unit_type,
        "scenario": n.scenario if scenario is None else scenario,
        "origin": graph.qualified(graph[n.origin]),
        "batch": n.batch if n.batch is not None else campaign.year,
        "state": STATE_ZH.get(n.state, n.state),
        "result": result(n),
    }
