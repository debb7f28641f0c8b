"""Tracks (new applications, re-review) and lists of four kinds, scoped (``tracks``, ``lists``).

Pins that a list bars, admits or ranks only for the tracks, unit types, levels and authorities
it is scoped to (the bundled campaign: Shandong's catch-all bars re-review units only, its
reserve pool ranks new applications only); that an admit list refuses a unit not on it, naming
the list in Chinese; that a track's settings (lists, ranking, share cap, batches, materials)
are read from ``tracks``; that files of the older keys load and behave as before; and that
load errors name the key path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

import pilotflow as pf
from pilotflow.service import Winner

from conftest import (
    CAMPAIGN_ID,
    MINISTRY,
    WEIHAI_DISTRICT,
    all_materials,
    file_material,
    nominate,
    refused,
    shanghai,
    unit_code,
)

BUNDLED_YAML = (
    resources.files("pilotflow").joinpath("data", "campaigns", f"{CAMPAIGN_ID}.yaml").read_text("utf-8")
)
LISTS_BLOCK = re.search(r"\nlists:\n.*?\n\n", BUNDLED_YAML, re.S)
assert LISTS_BLOCK is not None
OLD_LISTS = """
screening_lists:
  abnormal_operations: {en: abnormal operations, zh: 经营异常名录}
  serious_dishonesty: {en: serious dishonesty, zh: 严重违法失信名单}
  dishonest_debtors: {en: dishonest debtors, zh: 失信被执行人名单}
  elderly_care_punishment: {en: elderly-care punishment, zh: 养老服务市场失信联合惩戒对象名单}
  other_grounds: {en: other grounds, zh: 其他因违纪违法违规不宜推荐的情形}
priority_lists:
  shandong_reserve_pool: {en: Shandong reserve pool, zh: 山东省储备库}
ranking:
  priority_lists: [shandong_reserve_pool]

"""
RE_REVIEW_MATERIALS = (
    *all_materials(),
    file_material("re_review_video"),
    file_material("re_review_application_form"),
)
DISTRICT_CLERK = pf.Actor(WEIHAI_DISTRICT, "civil_affairs", "district-clerk")


def with_lists(block: str, extra: str = "") -> pf.Campaign:
    """The bundled campaign with its ``lists`` section replaced by ``block`` (and ``extra``
    appended at the end of the file)."""
    assert LISTS_BLOCK is not None
    text = BUNDLED_YAML.replace(LISTS_BLOCK.group(0), "\n" + block.strip("\n") + "\n\n") + extra
    return pf.parse_campaign(text, source="variant")


def load_error(block: str, extra: str = "") -> pf.CampaignFileError:
    with pytest.raises(pf.CampaignFileError) as raised:
        with_lists(block, extra)
    return raised.value


def make(campaign: pf.Campaign, clock: pf.FixedClock, *lists: pf.UnitList) -> pf.CampaignRun:
    given = {lst.id: lst for lst in lists}
    everything = [given.pop(lst.id, lst) for lst in pf.empty_lists(campaign)]
    return pf.CampaignRun(campaign, lists=[*everything, *given.values()], clock=clock)


def listed(list_id: str, *codes: str) -> pf.UnitList:
    return pf.UnitList.build(list_id, [pf.Listing(c, shanghai(2023, 1, 1), reason="测试") for c in codes])


def winner(i: int) -> Winner:
    return Winner(unit_code(900 + i, WEIHAI_DISTRICT), f"复核单位{i}", "enterprise", 2018, WEIHAI_DISTRICT)


def apply(run: pf.CampaignRun, w: Winner) -> pf.Nomination:
    return run.apply_for_re_review(
        pf.Actor.applicant(w.unit_code, "负责人"), w.unit_code, materials=RE_REVIEW_MATERIALS
    )


# -- the bundled campaign ------------------------------------------------------------------------


def test_bundled_lists_carry_their_kind_and_scope(campaign: pf.Campaign) -> None:
    """The four credit lists bar every track everywhere; the catch-all bars re-review in
    Shandong; the reserve pool ranks new applications in Shandong first."""
    rules = campaign.lists
    assert {"abnormal_operations", "serious_dishonesty", "dishonest_debtors", "elderly_care_punishment"} == {
        k for k, r in rules.items() if r.kind == "bar" and not r.scoped
    }
    assert (frozenset({"re_review"}), frozenset({"370000"})) == (
        rules["other_grounds"].tracks,
        rules["other_grounds"].within,
    )
    pool = rules["shandong_reserve_pool"]
    assert ("rank_first", frozenset({"new"})) == (pool.kind, pool.tracks)
    assert ("shandong_reserve_pool",) == campaign.ranking.for_track("new")
    assert () == campaign.ranking.for_track("re_review")


def test_a_bar_list_scoped_to_re_review_leaves_new_applications_alone(
    make_run: Callable[..., pf.CampaignRun],
) -> None:
    """A unit on ``other_grounds`` (re-review only) files a new application; an earlier
    winner on it cannot apply for re-review (disqualified, naming the list in Chinese)."""
    w = winner(0)
    run = make_run(lists=[listed("other_grounds", unit_code(1), w.unit_code)])
    assert "in_review" == nominate(run, 1).state
    run.register_winners(MINISTRY, [w])
    error = refused(lambda: apply(run, w))
    assert ["disqualified"] == list(error.codes)
    assert "其他因违纪违法违规不宜推荐的情形" in error.reasons[0].zh
    assert "other_grounds" not in error.reasons[0].zh


def test_the_reserve_pool_ranks_new_applications_only(make_run: Callable[..., pf.CampaignRun]) -> None:
    """At a Weihai district a pool unit filed second is ranked first among new applications;
    among re-review units the pool changes nothing (filing order)."""
    first, second = winner(0), winner(1)
    run = make_run(lists=[listed("shandong_reserve_pool", unit_code(2), second.unit_code)])
    a, b = nominate(run, 1).id, nominate(run, 2).id
    assert [b, a] == [n.id for n in run.rank(WEIHAI_DISTRICT, "enterprise")]
    run.register_winners(MINISTRY, [first, second])
    c, d = apply(run, first).id, apply(run, second).id
    assert [c, d] == [n.id for n in run.rank(WEIHAI_DISTRICT, "enterprise", track="re_review")]


# -- the older keys ---------------------------------------------------------------------------------


def test_old_list_keys_load_and_behave_as_before(clock: pf.FixedClock) -> None:
    """``screening_lists`` bar every track; ``priority_lists`` named by ``ranking`` rank every
    track first (a re-review pool unit too): the model the older files had."""
    campaign = with_lists(OLD_LISTS)
    assert all(
        r.kind == "bar" and not r.scoped for k, r in campaign.lists.items() if k != "shandong_reserve_pool"
    )
    assert (
        ("shandong_reserve_pool",)
        == campaign.ranking.for_track("re_review")
        == campaign.ranking.priority_lists
    )
    first, second = winner(0), winner(1)
    run = make(
        campaign,
        clock,
        listed("shandong_reserve_pool", second.unit_code),
        listed("other_grounds", unit_code(1)),
    )
    assert ["disqualified"] == list(refused(lambda: nominate(run, 1)).codes)
    run.register_winners(MINISTRY, [first, second])
    c, d = apply(run, first).id, apply(run, second).id
    assert [d, c] == [n.id for n in run.rank(WEIHAI_DISTRICT, "enterprise", track="re_review")]


def test_a_priority_list_not_in_ranking_ranks_nobody(clock: pf.FixedClock) -> None:
    """As before: a declared priority list that ``ranking`` does not name orders nothing."""
    campaign = with_lists(
        OLD_LISTS.replace("ranking:\n  priority_lists: [shandong_reserve_pool]\n", "ranking: {}\n")
    )
    assert () == campaign.ranking.for_track("new")


# -- admit lists -----------------------------------------------------------------------------------

ADMIT = """
lists:
  abnormal_operations: {en: abnormal operations, zh: 经营异常名录, kind: bar}
  provincial_platforms:
    en: provincial demonstration platforms
    zh: 省级示范平台名单
    kind: admit
    tracks: [new]
    unit_types: [enterprise]
    levels: [district]
"""


def test_an_admit_list_refuses_a_unit_not_on_it(clock: pf.FixedClock) -> None:
    """ "从已认定……省级示范平台中择优推荐": an enterprise not on the list is refused at its
    district (not_eligible, the list named in Chinese); one on it is filed; a street/town
    (another unit type) is not judged by it."""
    campaign = with_lists(ADMIT)
    assert {"abnormal_operations", "provincial_platforms"} == set(campaign.screening_lists)
    run = make(campaign, clock, listed("provincial_platforms", unit_code(2)))
    error = refused(lambda: nominate(run, 1))
    assert ["not_eligible"] == list(error.codes)
    assert "省级示范平台名单" in error.reasons[0].zh
    assert "provincial_platforms" not in error.reasons[0].zh
    assert "in_review" == nominate(run, 2).state
    assert "in_review" == nominate(run, 3, unit_type="street_town").state
    assert 2 == len(run.events())  # the refused filing wrote nothing


def test_a_run_needs_every_admit_list(clock: pf.FixedClock) -> None:
    """An admit list not given is refused like a missing bar list."""
    campaign = with_lists(ADMIT)
    with pytest.raises(pf.InvalidInput) as raised:
        pf.CampaignRun(campaign, lists=[pf.UnitList.empty("abnormal_operations")], clock=clock)
    assert "provincial_platforms" in raised.value.en


def test_tag_lists_give_a_units_tags(clock: pf.FixedClock) -> None:
    """A ``tag`` list only records an attribute: ``unit_tags`` names the tags a unit has at a
    moment; a tag list bars nobody."""
    campaign = with_lists(ADMIT + "  state_owned: {en: provincially owned, zh: 省属企业, kind: tag}\n")
    run = make(
        campaign, clock, listed("provincial_platforms", unit_code(1)), listed("state_owned", unit_code(1))
    )
    assert frozenset({"state_owned"}) == run.unit_tags(unit_code(1))
    assert frozenset() == run.unit_tags(unit_code(2))
    assert frozenset() == run.unit_tags(unit_code(1), at=shanghai(2022, 1, 1))
    assert "in_review" == nominate(run, 1).state


# -- tracks ----------------------------------------------------------------------------------------

TRACKS = """
tracks:
  new: {en: new applications, zh: 新申报, lists: [abnormal_operations], ranking: []}
  re_review:
    en: re-review
    zh: 复核
    ranking: [shandong_reserve_pool]
    share: {max_share: 0.5, rounding: ceil}
    batches: [2018]
"""


def test_a_track_names_its_lists_ranking_and_share(clock: pf.FixedClock) -> None:
    """``tracks.new.lists`` leaves the other bar lists out of new applications;
    ``tracks.re_review.ranking``, ``share`` and ``batches`` set the re-review's."""
    old = BUNDLED_YAML[BUNDLED_YAML.index("\nre_review:") :]
    text = BUNDLED_YAML.replace(old, "\n" + TRACKS)
    campaign = pf.parse_campaign(text.replace("    tracks: [new]\n", ""), source="variant")
    assert (0.5, "ceil", (2018,)) == (
        campaign.re_review.max_share,
        campaign.re_review.rounding,
        campaign.re_review.batches,
    )
    assert ((), ("shandong_reserve_pool",)) == (
        campaign.ranking.for_track("new"),
        campaign.ranking.for_track("re_review"),
    )
    assert frozenset({"re_review"}) == campaign.lists["dishonest_debtors"].tracks
    assert frozenset() == campaign.lists["abnormal_operations"].tracks
    assert "新申报" == campaign.tracks["new"].name.zh
    run = make(
        campaign,
        clock,
        listed("dishonest_debtors", unit_code(1)),
        listed("abnormal_operations", unit_code(2)),
    )
    assert "in_review" == nominate(run, 1).state
    assert ["disqualified"] == list(refused(lambda: nominate(run, 2)).codes)


def test_a_campaign_of_new_applications_only_refuses_re_review(clock: pf.FixedClock) -> None:
    """A campaign declaring only the ``new`` track registers no winners for re-review (its
    on-site check of re-review units goes too: a check for a track not run is refused)."""
    checks = re.search(r"\nchecks:\n(  .*\n)+", BUNDLED_YAML)
    assert checks is not None
    text = BUNDLED_YAML.replace(checks.group(0), "\n")
    assert LISTS_BLOCK is not None
    text = text.replace(LISTS_BLOCK.group(0), "\n" + OLD_LISTS.strip("\n") + "\n\n")
    campaign = pf.parse_campaign(text + "tracks:\n  new: {en: new applications, zh: 新申报}\n", source="v")
    with pytest.raises(pf.CampaignFileError) as raised:
        with_lists(OLD_LISTS, "tracks:\n  new: {en: new applications, zh: 新申报}\n")
    assert "checks[0].tracks" == raised.value.path
    assert campaign.has_track("new")
    assert not campaign.has_track("re_review")
    run = make(campaign, clock)
    with pytest.raises(pf.InvalidInput):
        run.register_winners(MINISTRY, [winner(0)])
    with pytest.raises(pf.InvalidInput):
        run.rank(WEIHAI_DISTRICT, "enterprise", track="re_review")


def test_track_materials_are_a_hops_re_review_materials() -> None:
    """``tracks.re_review.materials`` (hop name → requirements) is what the older
    ``hops[].re_review_materials`` said; giving both for one hop is refused."""
    text = BUNDLED_YAML.replace(
        "    re_review_materials:\n      - re_review_video                      # 视频资料（复核单位提交）\n",
        "",
    )
    extra = (
        "tracks:\n  new: {en: n, zh: 新申报}\n  re_review:\n    en: r\n    zh: 复核\n"
        "    materials:\n      weihai_districts_to_weihai: [re_review_video]\n"
    )
    campaign = pf.parse_campaign(text + extra, source="variant")
    hop = next(h for h in campaign.hops if h.name == "weihai_districts_to_weihai")
    assert ("re_review_video",) == tuple(m.kind for m in hop.re_review_materials)
    with pytest.raises(pf.CampaignFileError) as raised:
        pf.parse_campaign(BUNDLED_YAML + extra, source="variant")
    assert "tracks.re_review.materials.weihai_districts_to_weihai" == raised.value.path


# -- load errors -----------------------------------------------------------------------------------


X = "lists:\n  x: {en: x, zh: 甲, kind: bar}\n"
X_RE = "lists:\n  x: {en: x, zh: 甲, kind: bar, tracks: [re_review]}\n"
NEW = "tracks:\n  new: {en: n, zh: 新}\n"
RE = "  re_review: {en: r, zh: 复}\n"
RE_SHARE = "  re_review: {en: r, zh: 复, share: {max_share: 0.5}}\n"


@pytest.mark.parametrize(
    ("block", "extra", "path", "words"),
    [
        (X.replace("bar", "barr"), "", "lists.x.kind", "bar"),
        (X.replace(", kind: bar", ""), "", "lists.x.kind", "kind"),
        (X.replace("}", ", tracks: [renew]}"), "", "lists.x.tracks[0]", "renew"),
        (X.replace("}", ", unit_types: [firm]}"), "", "lists.x.unit_types[0]", "firm"),
        (X.replace("}", ", within: [999999]}"), "", "lists.x.within[0]", "999999"),
        (X, NEW + "  rereview: {en: r, zh: 复}\n", "tracks.rereview", "re_review"),
        (X, "tracks:\n" + RE, "tracks", "new"),
        (X, NEW.replace("}", ", share: {max_share: 0.5}}"), "tracks.new.share", "re_review"),
        (X, NEW.replace("}", ", ranking: [x]}"), "tracks.new.ranking[0]", "rank_first"),
        (X_RE, NEW.replace("}", ", lists: [x]}") + RE, "tracks.new.lists[0]", "re_review"),
        (X, NEW + RE_SHARE, "tracks.re_review.share", "twice"),
        (
            OLD_LISTS + "lists:\n  other_grounds: {en: x, zh: 甲, kind: bar}\n",
            "",
            "lists.other_grounds",
            "twice",
        ),
    ],
)
def test_load_errors_name_the_key_path(block: str, extra: str, path: str, words: str) -> None:
    """Unknown list kinds, tracks, unit types and authorities, a track setting out of place,
    a list named where its kind or tracks do not fit, a setting given twice: refused with the
    key path."""
    error = load_error(block, extra)
    assert path == error.path
    assert words in error.en


def test_the_documented_examples_load() -> None:
    """The ``lists`` and ``tracks`` examples of docs/campaign-format.md load into the bundled
    campaign (its own settings they repeat taken out)."""
    docs = (Path(__file__).parent.parent / "docs" / "campaign-format.md").read_text("utf-8")
    examples = re.findall(r"```yaml\n((?:lists|tracks):\n.*?)```", docs, re.S)
    assert 2 == len(examples)
    text = BUNDLED_YAML
    for line in ("  batches: [2017, 2018, 2019]", "  max_share: 0.7", "  rounding: floor"):
        text = re.sub(rf"\n{re.escape(line)}[^\n]*", "", text)
    text = re.sub(r"\nre_review:\n(  #[^\n]*\n?)*$", "\n", text)  # the section left empty
    text = text.replace(
        "    re_review_materials:\n      - re_review_video                      # 视频资料（复核单位提交）\n",
        "",
    )
    assert LISTS_BLOCK is not None
    campaign = pf.parse_campaign(
        text.replace(LISTS_BLOCK.group(0), "\n" + examples[0] + "\n") + examples[1], source="docs"
    )
    assert "admit" == campaign.lists["provincial_platforms"].kind
    assert (2017, 2018, 2019) == campaign.re_review.batches


def test_the_reserve_pool_ranks_only_within_shandong(make_run: Callable[..., pf.CampaignRun]) -> None:
    """The pool is Shandong's (``within: [370000]``): at a Beijing district a unit on it is
    not ranked first."""
    beijing = "110101"
    run = make_run(lists=[listed("shandong_reserve_pool", unit_code(2, beijing))])
    a, b = nominate(run, 1, origin=beijing).id, nominate(run, 2, origin=beijing).id
    assert [a, b] == [n.id for n in run.rank(beijing, "enterprise")]
