"""Lists loaded into the store through the public API: ``CampaignRun.load_list`` keeps a list
with who loaded it and when, a later run judges with it, the lists given to a run replace the
stored ones of their ids, and every argument that cannot be used is refused in English and
Chinese with nothing changed. (What every store keeps: ``StoreContract``, in
tests/test_store_contract.py.)"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.domain.guards import list_loader_refused
from pilotflow.store import Store
from pilotflow.store.sql import SQLStore, configure_sqlite
from pilotflow.store.sql.lists import _Decoded

from conftest import MIN, QINGDAO, SHANDONG, WEIHAI, WEIHAI_DISTRICT, nominate, shanghai, unit_code

LOADER = pf.Actor("MIN", "industry", "张三")  # the top: the debtors list is judged everywhere
DEBTORS = "dishonest_debtors"
RESERVE = "shandong_reserve_pool"  # judged within Shandong (370000) only
MINISTRY_NAME = "工业和信息化部 民政部 国家卫生健康委员会（联合）"


def debtors(*numbers: int) -> pf.UnitList:
    """The debtors list with the units ``numbers``, listed from 1 October 2023."""
    return pf.UnitList.build(
        DEBTORS, [pf.Listing(unit_code(n), shanghai(2023, 10, 1), reason="判决未履行") for n in numbers]
    )


@pytest.fixture
def loader(campaign: pf.Campaign, clock: pf.FixedClock) -> pf.CampaignRun:
    """A run on a fresh memory store, every list empty."""
    return pf.CampaignRun(campaign, store=pf.MemoryStore(), lists=pf.empty_lists(campaign), clock=clock)


def test_a_loaded_list_is_used_at_once_and_recorded(loader: pf.CampaignRun) -> None:
    """``load_list`` judges the run's later actions with the list, and the store records the
    load: the list's id, version and size, the actor, the clock's moment and the file name."""
    done = loader.load_list(debtors(1), actor=LOADER, source="debtors.csv")
    assert loader.lists[DEBTORS].version == debtors(1).version
    assert done == pf.ListLoad(
        DEBTORS, debtors(1).version, 1, LOADER, shanghai(2023, 10, 17, 9), "debtors.csv"
    )
    assert loader.list_loads() == [done]
    assert loader.stored_list(DEBTORS).entries == debtors(1).entries


def test_loading_the_current_version_again_changes_nothing(loader: pf.CampaignRun) -> None:
    """The same content loaded twice is stored once; the load returned is the first one."""
    first = loader.load_list(debtors(1), actor=LOADER)
    again = loader.load_list(debtors(1), actor=pf.Actor("MIN", "civil_affairs", "李四"))
    assert again == first
    assert len(loader.list_loads(DEBTORS)) == 1


def test_a_new_run_judges_with_the_stored_lists_and_the_given_ones_win(
    loader: pf.CampaignRun, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """A run made without lists uses every stored list (the campaign's required lists loaded
    once); a list given to a run replaces the stored one of its id only; the refusal of a
    unit on the stored list cites the stored version, which reads back."""
    for empty in pf.empty_lists(campaign):
        loader.load_list(empty, actor=LOADER)
    loader.load_list(debtors(1), actor=LOADER)
    later = pf.CampaignRun(campaign, store=loader.store, clock=clock)
    assert {k: v.version for k, v in later.lists.items()} == {k: v.version for k, v in loader.lists.items()}
    code = unit_code(1)
    with pytest.raises(pf.ActionRefused) as refused:
        later.nominate(
            pf.Actor.applicant(code, "a"), unit_code=code, unit_name="甲", unit_type="enterprise",
            scenario="smart_nursing_homes", origin="371002",
        )  # fmt: skip
    (reason,) = [r for r in refused.value.reasons if r.code == "disqualified"]
    assert later.stored_list(DEBTORS, reason.details["list_version"]).entries == debtors(1).entries
    tried = pf.CampaignRun(campaign, store=loader.store, clock=clock, lists=[debtors(2)])
    assert tried.lists[DEBTORS].entries == debtors(2).entries
    assert tried.lists["abnormal_operations"].version == "empty"
    assert loader.store.stored_list(campaign.id, DEBTORS) == later.lists[DEBTORS]


def test_a_run_without_stored_or_given_required_lists_says_how_to_load_them(
    campaign: pf.Campaign,
) -> None:
    """With nothing stored and nothing given, a run is refused naming the missing lists (in
    Chinese by name), as before lists were kept."""
    with pytest.raises(pf.InvalidInput) as error:
        pf.CampaignRun(campaign, store=pf.MemoryStore())
    assert "consults lists not given" in error.value.en
    assert "失信被执行人名单" in error.value.zh


def test_earlier_versions_stay_readable(loader: pf.CampaignRun) -> None:
    """A replaced list's earlier version is read back by its version; the current one by default."""
    loader.load_list(debtors(1), actor=LOADER)
    loader.load_list(debtors(1, 2), actor=LOADER)
    assert len(loader.stored_list(DEBTORS)) == 2
    assert len(loader.stored_list(DEBTORS, debtors(1).version)) == 1
    assert [x.entries for x in loader.list_loads(DEBTORS)] == [1, 2]


@pytest.mark.parametrize(
    ("call", "en", "zh"),
    [
        (lambda r: r.load_list("not a list", actor=LOADER), "must be a UnitList", "UnitList"),
        (lambda r: r.load_list(pf.UnitList.build("dishonest_debtor", ()), actor=LOADER),
         "did you mean 'dishonest_debtors'", "失信被执行人名单"),
        (lambda r: r.load_list(debtors(1), actor="张三"), "actor must be an Actor", "Actor"),
        (lambda r: r.load_list(debtors(1), actor=LOADER, at=shanghai(2023, 1, 1)), "", ""),
        (lambda r: r.load_list(debtors(1), actor=LOADER, source="\x1b[2J"), "control", "控制"),
        (lambda r: r.stored_list(DEBTORS), "is not stored", "数据库中没有失信被执行人名单（请先载入）"),
        (lambda r: r.stored_list(DEBTORS, "v1"), "version 'v1' of list", "失信被执行人名单的版本 'v1'"),
        (lambda r: r.stored_list(DEBTORS, 7), "version must be text", "版本"),
        (lambda r: r.list_loads("nosuch"), "has no list 'nosuch'", "没有标识为"),
    ],
    ids=["not_a_list", "unknown_id", "bad_actor", "moment_out_of_tolerance", "control_in_source",
         "not_stored", "version_not_stored", "version_not_text", "loads_of_unknown_id"],
)  # fmt: skip
def test_bad_arguments_are_refused_in_both_languages(
    loader: pf.CampaignRun, call: object, en: str, zh: str
) -> None:
    """Each bad argument raises InvalidInput with its English and Chinese message; nothing
    is stored. A list not stored is named in Chinese by its name, not its id."""
    with pytest.raises(pf.InvalidInput) as error:
        call(loader)  # type: ignore[operator]
    assert en in error.value.en
    assert zh in error.value.zh
    assert loader.list_loads() == []


@pytest.mark.parametrize(
    "actor",
    [pf.Actor.applicant(unit_code(1), "a"), pf.Actor("public", "objector", "王五")],
    ids=["applicant", "objector"],
)
def test_only_an_authority_loads_a_list(loader: pf.CampaignRun, actor: pf.Actor) -> None:
    """An applicant or an objector loading a list is refused (ActionRefused, not_authorized,
    both languages) and nothing is stored or used."""
    with pytest.raises(pf.ActionRefused) as refused:
        loader.load_list(debtors(1), actor=actor)
    assert refused.value.codes == ("not_authorized",)
    assert "载入名单须由机关的部门办理" in refused.value.zh
    assert loader.list_loads() == []
    assert loader.lists[DEBTORS].version == "empty"


def _refused_load(run: pf.CampaignRun, unit_list: pf.UnitList, actor: pf.Actor) -> pf.Reason:
    """Load ``unit_list`` as ``actor``, which must be refused for want of reach; its one reason."""
    with pytest.raises(pf.ActionRefused) as refused:
        run.load_list(unit_list, actor=actor)
    assert refused.value.codes == ("not_authorized",)
    (reason,) = refused.value.reasons
    return reason


def test_a_list_judged_everywhere_is_loaded_by_the_campaigns_top_alone(
    store: Store, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """The debtors list has no ``within`` (judged at every authority): the ministry loads it;
    a district, a city or a province trying to replace it is refused (``not_authorized``, in
    English and Chinese, the Chinese naming the list, the top and the loader by name, never by
    code), and the version stored stays current, for this run and a later one."""
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    first = run.load_list(debtors(1), actor=LOADER)
    for authority, name in ((WEIHAI_DISTRICT, "环翠区"), (WEIHAI, "威海市"), (SHANDONG, "山东省")):
        reason = _refused_load(run, debtors(1, 2), pf.Actor(authority, "industry", "县级经办人"))
        assert "only a department of its top authority (MIN)" in reason.en
        assert f"须由最高一级机关（{MINISTRY_NAME}）的部门载入，{name}不能载入" in reason.zh
        assert reason.zh.startswith("失信被执行人名单")
        assert authority not in reason.zh
        assert "MIN" not in reason.zh
        assert reason.details["top"] == MIN
    assert run.list_loads() == [first]
    assert run.lists[DEBTORS].version == debtors(1).version
    others = [lst for lst in pf.empty_lists(campaign) if lst.id != DEBTORS]
    later = pf.CampaignRun(campaign, store=store, clock=clock, lists=others)
    assert later.lists[DEBTORS].entries == debtors(1).entries


def test_a_list_judged_within_an_authority_is_loaded_by_it_or_by_one_containing_it(
    store: Store, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """Shandong's reserve pool is judged within Shandong: Shandong loads it, and so does the
    ministry (Shandong lies within it); a city inside Shandong (Weihai; Qingdao, which reports
    to the ministry but lies in Shandong) and a province outside it (Hebei) are refused, the
    Chinese naming Shandong; nothing they tried is stored."""
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    pool = pf.UnitList.build(RESERVE, [pf.Listing(unit_code(1), shanghai(2023, 1, 1))])
    by_shandong = run.load_list(pool, actor=pf.Actor(SHANDONG, "industry", "张三"))
    larger = pf.UnitList.build(RESERVE, [pf.Listing(unit_code(n), shanghai(2023, 1, 1)) for n in (1, 2)])
    by_ministry = run.load_list(larger, actor=pf.Actor(MIN, "health", "李四"))
    trial = pf.UnitList.build(RESERVE, [pf.Listing(unit_code(3), shanghai(2023, 1, 1))])
    for authority, name in ((WEIHAI, "威海市"), (QINGDAO, "青岛市"), ("130000", "河北省")):
        reason = _refused_load(run, trial, pf.Actor(authority, "industry", "经办人"))
        assert f"{authority} does not cover 370000" in reason.en
        assert reason.zh == (
            "山东省国家智慧健康养老应用试点示范储备库适用于山东省及其所辖机关，"
            f"须由涵盖上述全部地区的机关的部门载入；{name}不涵盖山东省"
        )
        assert reason.details["outside"] == (SHANDONG,)
    assert run.list_loads(RESERVE) == [by_shandong, by_ministry]
    assert run.stored_list(RESERVE).entries == larger.entries


def test_a_provincial_campaigns_lists_are_loaded_by_its_own_top(store: Store, clock: pf.FixedClock) -> None:
    """In Hebei's own campaign the province is the top: it loads the campaign's list judged
    everywhere, and the ministry, above it in the graph but no part of the campaign, is
    refused, the Chinese naming Hebei as the top."""
    hebei = pf.load_campaign("hebei-sme-service-platforms-2020")
    run = pf.CampaignRun(hebei, store=store, lists=pf.empty_lists(hebei), clock=clock)
    units = pf.UnitList.build("provincial_units", [pf.Listing(unit_code(1, "130102"), shanghai(2020, 1, 1))])
    reason = _refused_load(run, units, pf.Actor(MIN, "industry", "部里经办人"))
    assert "不属于本次遴选最高一级机关（河北省）及其所辖机关" in reason.zh
    assert reason.details["top"] == "130000"
    assert run.list_loads() == []
    done = run.load_list(units, actor=pf.Actor("130000", "industry", "省厅经办人"))
    assert run.list_loads() == [done]


def test_a_list_judged_within_several_authorities_needs_a_loader_covering_each(
    campaign: pf.Campaign, graph: pf.AuthorityGraph
) -> None:
    """The rule itself (``list_loader_refused``, a pure function of the domain): a list
    judged within Shandong and Hebei is loaded by the ministry, which contains both; Shandong
    covers one of them only and is refused, naming the one it does not cover (Hebei)."""
    rule = campaign.lists["other_grounds"]
    wider = attrs.evolve(
        campaign,
        lists={**campaign.lists, rule.id: attrs.evolve(rule, within=frozenset({SHANDONG, "130000"}))},
    )
    assert list_loader_refused(pf.Actor(MIN, "industry", "a"), wider, rule.id, graph) is None
    reason = list_loader_refused(pf.Actor(SHANDONG, "industry", "b"), wider, rule.id, graph)
    assert reason is not None
    assert reason.code == "not_authorized"
    assert reason.details["outside"] == ("130000",)
    assert reason.zh.endswith(
        "适用于河北省、山东省及其所辖机关，须由涵盖上述全部地区的机关的部门载入；山东省不涵盖河北省"
    )


def test_no_authority_outside_the_campaigns_top_loads_its_lists(
    campaign: pf.Campaign, graph: pf.AuthorityGraph
) -> None:
    """In a campaign whose top is Shandong, a list judged within Jinan and Hebei is judged in
    Jinan only (Hebei is outside the campaign): Shandong and Jinan load it; the ministry,
    which contains both but stands above the campaign, and Hebei are refused, each named as
    outside the campaign's top."""
    rule = campaign.lists["other_grounds"]
    shandong = attrs.evolve(
        campaign,
        top=SHANDONG,
        lists={**campaign.lists, rule.id: attrs.evolve(rule, within=frozenset({"370100", "130000"}))},
    )
    for allowed in (SHANDONG, "370100"):
        assert list_loader_refused(pf.Actor(allowed, "industry", "a"), shandong, rule.id, graph) is None
    for outside in (MIN, "130000"):
        reason = list_loader_refused(pf.Actor(outside, "industry", "b"), shandong, rule.id, graph)
        assert reason is not None
        assert reason.code == "not_authorized"
        assert reason.details["top"] == SHANDONG
        assert reason.details["within"] == ("370100",)
        assert "不属于本次遴选最高一级机关（山东省）及其所辖机关" in reason.zh


def test_a_hostile_file_is_refused_before_anything_is_stored(loader: pf.CampaignRun, tmp_path: Path) -> None:
    """A list file larger than the reader's bound, or malformed, is refused by
    ``pf.load_list`` (reading stops at the bound) before a load can start."""
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(64 * 2**20)  # sparse: 64 MiB of nothing
    with pytest.raises(pf.CampaignFileError):
        pf.load_list(huge, DEBTORS)
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_code,since\nnot-a-code,2023-10-01\n", encoding="utf-8")
    with pytest.raises(pf.CampaignFileError) as error:
        pf.load_list(bad, DEBTORS)
    assert "row 2.unit_code" in str(error.value)
    assert loader.list_loads() == []


def test_a_list_loaded_in_a_host_transaction_goes_with_it(
    tmp_path: Path, campaign: pf.Campaign, clock: pf.FixedClock
) -> None:
    """On the host's Connection a load joins the host's transaction: a rollback leaves no
    list (and the store kept no decoded copy of it), a commit keeps it."""
    engine = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    with engine.connect() as conn:
        SQLStore(conn)  # creates the tables
        conn.commit()
    for keep in (False, True):
        with engine.connect() as conn:
            conn.begin()
            store = SQLStore(conn)
            run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
            run.load_list(debtors(1), actor=LOADER)
            assert run.stored_list(DEBTORS).entries == debtors(1).entries
            if keep:
                conn.commit()
            else:
                conn.rollback()
                assert store.stored_list(campaign.id, DEBTORS) is None
    with engine.connect() as conn:
        assert [x.version for x in SQLStore(conn).list_loads(campaign.id)] == [debtors(1).version]
    engine.dispose()


def test_a_sql_store_keeps_the_lists_it_decoded_in_its_own_declared_cache(
    sql_engine: tuple[sa.Engine, str | None], campaign: pf.Campaign
) -> None:
    """A SQL store's decoded lists live in its declared ``_decoded_lists`` (a ``_Decoded``
    there before any list is read, not a key slipped into the store's ``__dict__`` on the
    first read): a list read is kept there and read again as the same object; another store
    on the same database keeps its own; a store on a host's connection keeps none (its
    transaction may yet be rolled back)."""
    eng, schema = sql_engine
    store = SQLStore(eng, schema=schema)
    other = SQLStore(eng, schema=schema)
    cache = store._decoded_lists
    assert isinstance(cache, _Decoded)
    assert cache is store._decoded_lists is not other._decoded_lists
    loads = pf.ListLoad(DEBTORS, debtors(1).version, 1, LOADER, shanghai(2023, 10, 17, 9))
    assert store.save_list(campaign.id, debtors(1), loads)
    key = (campaign.id, DEBTORS, debtors(1).version)
    assert cache.get(key) is None
    first = store.stored_list(campaign.id, DEBTORS)
    assert first is not None
    assert first.entries == debtors(1).entries
    assert cache.get(key) is first
    assert store.stored_list(campaign.id, DEBTORS) is first
    assert other._decoded_lists.get(key) is None
    with eng.connect() as conn, conn.begin():
        hosted = SQLStore(conn, schema=schema, create=False)
        read = hosted.stored_list(campaign.id, DEBTORS)
        assert read is not None
        assert read.entries == debtors(1).entries
        assert hosted._decoded_lists.get(key) is None


def test_a_store_names_the_campaigns_it_holds(
    store: pf.Store, campaign: pf.Campaign, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """``campaign_ids()`` gives the ids of the campaigns a store holds a nomination or a list
    of, in order, at most ``limit`` (a limit that is not a whole number from 1 to 1000 is
    refused): a fresh store holds none."""
    assert () == store.campaign_ids()
    nominate(make_run(store), 1, materials=False)
    assert (campaign.id,) == store.campaign_ids()
    assert (campaign.id,) == store.campaign_ids(1)
    for bad in (0, 1001, 2.5, True, "3"):
        with pytest.raises(pf.InvalidInput, match="limit"):
            store.campaign_ids(bad)  # type: ignore[arg-type]


def test_what_a_store_kept_is_read_back_though_the_text_rule_grew_stricter(
    campaign: pf.Campaign, clock: pf.FixedClock, tmp_path: Path
) -> None:
    """Texts a store kept are not judged again by the text rule when read back: a list's
    reason and version and an actor's person written when the rule allowed a zero-width space (as an
    earlier pilotflow's did) are read as kept, by a new run, its history and the stored list.
    (The stricter rule made such a store unreadable: no run could be made on it, and the
    history said the log was damaged.)"""
    url = f"sqlite:///{tmp_path / 'pilotflow.db'}"
    store = pf.open_store(url)
    run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
    run.load_list(debtors(9), actor=pf.Actor(MIN, "industry", "张三"))
    n = nominate(run, 1)
    store.close()
    raw = sa.create_engine(url)
    with raw.begin() as conn:  # (what an earlier rule let in)
        conn.execute(sa.text("UPDATE pf_lists SET entries = replace(entries, '判决', '判\u200b决'), "
                             "version = version || '\u200b'"))  # fmt: skip
        person = "replace(text, '\"applicant\"}', '\"app\u200blicant\"}')"
        conn.execute(sa.text(f"UPDATE pf_texts SET text = {person}"))
    raw.dispose()
    store = pf.open_store(url)
    try:
        again = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        kept = again.stored_list(DEBTORS)
        assert ("判\u200b决未履行", "\u200b") == (kept.entries[0].reason, kept.version[-1])
        assert ["nominate"] == [e.action for e in again.history(n.id)]
        assert "app\u200blicant" == again.history(n.id)[0].actor.person
    finally:
        store.close()
