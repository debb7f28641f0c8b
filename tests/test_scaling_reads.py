"""Questions over a large log, answered from the store a page at a time and through indexes:
the log streamed (``iter_events``), ``run.events()`` as a lazy :class:`EventLog`, the summary
table (附件4) from the authority's letters, and a sweep that reads only what is due. Each
gives what the plain reads gave (the timings are in ``benchmarks/bench_questions.py``)."""

from __future__ import annotations

import pickle
import sys
from typing import Any

import pytest

import pilotflow as pf
import pilotflow.display as pfd
from pilotflow.reports import summary_rows
from pilotflow.samples import material_for
from pilotflow.store import Store
from pilotflow.store import memory as memory_module
from pilotflow.store.sql import SQLStore
from pilotflow.store.sql import reads as reads_module

from conftest import all_materials, file_material, forward, nominate, on, shanghai, unit_code

MIN = pf.Actor("MIN", "industry", "operator")
WEIHAI = "371000"
SHANDONG = "370000"


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 3 events and id lists of 2: a small log crosses many page boundaries."""
    monkeypatch.setattr(memory_module, "EVENT_PAGE", 3)
    monkeypatch.setattr(reads_module, "EVENT_PAGE", 3)
    monkeypatch.setattr(reads_module, "ID_CHUNK", 2)


def _run_with_letters(store: Store, make_run: Any) -> tuple[pf.CampaignRun, list[str]]:
    """Five units reach Weihai, an hour apart; Weihai ranks and sends three to Shandong."""
    run: pf.CampaignRun = make_run(store)
    ids = []
    for i in range(5):
        on(run, shanghai(2023, 10, 17, 9 + i))
        ids.append(forward(run, nominate(run, i).id).id)
    on(run, shanghai(2023, 10, 17, 15))
    result = run.select(
        pf.Actor(WEIHAI, "industry", "lead"), "enterprise", order=[ids[3], ids[0], ids[4], ids[1]]
    )
    for sid in result.submissions:
        _send(run, sid)
    return run, ids


def _send(run: pf.CampaignRun, sid: str) -> pf.Submission:
    s = run.submission(sid)
    lead = pf.Actor(s.sender, run.graph[s.sender].departments[0], "lead")
    if not s.materials:
        for req in run.letter_materials(s.sender, s.receiver):
            run.attach_to_submission(lead, sid, material_for(run.campaign, req.kind, req.copies))
    for department in run.graph[s.sender].stamping:
        run.stamp_submission(pf.Actor(s.sender, department, f"{department}-clerk"), sid)
    return run.send(lead, sid)


def test_the_stream_crosses_pages_as_the_list_does(store: Store, make_run: Any, small_pages: None) -> None:
    """With pages of 3 events and id lists of 2, the streamed log, one nomination's, several
    ids' (merged from several lists in log order), one action's and those up to a moment are
    what the listed log gives."""
    run, ids = _run_with_letters(store, make_run)
    cid = run.campaign.id
    log = store.events(cid)
    assert len(log) > 20
    assert log == list(store.iter_events(cid))
    chosen = {ids[0], ids[2], ids[4], run.history(ids[0])[-1].data["submission"]}
    assert [e for e in log if e.nomination_id in chosen] == list(store.iter_events(cid, ids=chosen))
    assert [e for e in log if e.action == "recommend"] == list(store.iter_events(cid, action="recommend"))
    until = shanghai(2023, 10, 17, 11)
    assert [e for e in log if not e.at > until] == list(store.iter_events(cid, until=until))


def test_the_events_of_many_ids_are_read_from_the_paged_log(
    store: Store, make_run: Any, small_pages: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked for the events of more ids than a SQL store reads id by id (the bound lowered to
    3), the store reads them from the log a page (3 events) at a time, never by the ids'
    index: the events of those ids in log order, one action's and those up to a moment, as
    the listed log gives them."""

    def by_id(*_: Any) -> Any:
        raise AssertionError("read id by id")

    run, ids = _run_with_letters(store, make_run)
    cid = run.campaign.id
    log = store.events(cid)
    chosen = {ids[0], ids[2], ids[4], run.history(ids[0])[-1].data["submission"]}
    mine = [e for e in log if e.nomination_id in chosen]
    assert len(mine) > 6  # (several pages)
    monkeypatch.setattr(reads_module, "SCAN_IDS", 3)
    monkeypatch.setattr(reads_module.ScalingReads, "_by_id", by_id)
    assert mine == list(store.iter_events(cid, ids=chosen))
    assert [e for e in mine if e.action == "recommend"] == list(
        store.iter_events(cid, ids=chosen, action="recommend")
    )
    until = shanghai(2023, 10, 17, 11)
    assert [e for e in mine if not e.at > until] == list(store.iter_events(cid, ids=chosen, until=until))


def test_a_replayed_state_shares_what_its_nominations_repeat(
    sql_engine: tuple[Any, str | None], make_run: Any
) -> None:
    """The nominations a SQL store's log replays to hold one object for each value many of
    them repeat (their materials, route, campaign, unit type, state and revision), as the
    store that wrote them did, not a copy each: at 100,000 nominations that is a third of
    replay's memory (benchmarks/README.md). (The memory store replays the objects it keeps.)"""
    engine, schema = sql_engine
    run = make_run(SQLStore(engine, schema=schema))
    ids = [forward(run, nominate(run, i).id).id for i in range(3)]
    state = run.replay()
    first, *others = (state.nominations[nid] for nid in ids)
    assert first == run.get(ids[0])
    for other in others:
        assert first.materials == other.materials
        for field in ("materials", "route", "campaign", "unit_type", "state", "revision"):
            assert getattr(first, field) is getattr(other, field), field


def test_replay_and_as_of_stream_to_the_state_they_gave(
    store: Store, make_run: Any, small_pages: None
) -> None:
    """replay() streamed gives the stored state; as_of(t) gives the state of the events up to
    t alone (the units filed by then, nothing sent yet)."""
    run, ids = _run_with_letters(store, make_run)
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    assert {s.id: s for s in run.submissions()} == dict(snapshot.submissions)
    then = run.as_of(shanghai(2023, 10, 17, 11, 30))
    assert set(ids[:3]) == set(then.nominations)
    assert {"in_review"} == {n.state for n in then.nominations.values()}


def test_the_event_log_answers_as_a_list_and_stays_as_it_was_made(
    store: Store, make_run: Any, small_pages: None
) -> None:
    """run.events() is an EventLog: counted in the store, equal to the list of its events,
    indexable and sliceable (from either end), tabulated like an EventList, pickled as one;
    an event logged after it was made is not in it; a bad index is InvalidInput."""
    run, _ = _run_with_letters(store, make_run)
    events = run.events()
    listed = store.events(run.campaign.id)
    assert isinstance(events, pfd.EventLog)
    assert (len(listed), True) == (len(events), bool(events))
    assert listed == events
    assert events == listed
    assert events == run.events()
    assert (listed[0], listed[-1], listed[4]) == (events[0], events[-1], events[4])
    assert listed[2:7] == events[2:7]
    assert listed[::-1] == events[::-1]
    assert isinstance(events[:2], pfd.EventList)
    assert listed[:10] == events.head()
    assert pfd.EventList(listed, campaign=run.campaign, graph=run.graph).rows() == events.rows()
    assert events.__repr__().startswith(f"<EventLog: {len(listed)} events")
    assert listed == pickle.loads(pickle.dumps(events))
    nominate(run, 99)
    assert listed == list(events)
    assert len(listed) + 1 == len(run.events())
    for bad in (len(listed), -len(listed) - 1, "0"):
        with pytest.raises(pf.InvalidInput):
            events[bad]  # type: ignore[index]


def test_the_event_log_makes_its_frame_from_the_stream(
    run: pf.CampaignRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """to_frame() of the whole log, built in chunks, equals the frame of the same events as
    an EventList; an empty log gives an empty frame with the columns."""
    pd = pytest.importorskip("pandas")
    from pilotflow.app import views

    assert list(pfd.EventLog.columns) == list(run.events().to_frame().columns)
    for i in range(3):
        forward(run, nominate(run, i).id)
    monkeypatch.setattr(views, "FRAME_CHUNK", 4)
    whole = pfd.EventList(list(run.events()), campaign=run.campaign, graph=run.graph).to_frame()
    pd.testing.assert_frame_equal(whole, run.events().to_frame())


def _rows_by_scan(run: pf.CampaignRun, authority: str) -> list[dict[str, Any]]:
    """The summary table's rows as they were made before: a scan of the whole log and of
    every nomination (the reference the indexed reads must match)."""
    from pilotflow.files.summary import summary_row

    ranks: dict[str, tuple[int, int]] = {}
    for seq, e in enumerate(run.events()):
        if e.action == "recommend" and e.from_holder == authority:
            ranks[e.nomination_id] = (int(e.data.get("rank", 10**6)), seq)
    chosen = [
        n for n in run.nominations() if authority in n.route and (n.track == "re_review" or n.id in ranks)
    ]
    chosen.sort(key=lambda n: (n.track != "new", *ranks.get(n.id, (10**6, 10**9)), n.created_at))
    rows, position = [], {"new": 0, "re_review": 0}
    for n in chosen:
        row = summary_row(n, run.campaign, run.graph)
        if n.id in ranks:
            position[n.track] += 1
            row["rank"] = position[n.track]
        rows.append(row)
    return rows


def test_the_summary_from_letters_is_the_summary_from_the_whole_log(store: Store, make_run: Any) -> None:
    """After a selection, a recall and a resend in another order, a unit declined above and
    earlier winners of the area (one applied and recommended, one not), the summary tables
    of the district, Weihai and Shandong read through the letters and indexes are the rows
    the scan of the whole log gave."""
    run, _ = _run_with_letters(store, make_run)
    weihai = pf.Actor(WEIHAI, "industry", "lead")
    sent = run.submissions(sender=WEIHAI)[0]
    on(run, shanghai(2023, 10, 17, 16))
    run.recall(weihai, sent.id, reason="调整排序")
    run.order_submission(weihai, sent.id, [sent.units[2], sent.units[0], sent.units[1]])
    _send(run, sent.id)
    run.decline(pf.Actor(SHANDONG, "industry", "lead"), sent.units[1], reason="不符合条件")
    winners = [pf.Winner(unit_code(900 + i), f"老单位{i}", "enterprise", 2018, "371002") for i in range(2)]
    run.register_winners(MIN, winners)
    code = winners[0].unit_code
    re_review = [*all_materials(), *map(file_material, ("re_review_video", "re_review_application_form"))]
    applied = run.apply_for_re_review(pf.Actor.applicant(code, "a"), code, materials=re_review)
    forward(run, applied.id)
    for authority in ("371002", WEIHAI, SHANDONG):
        assert _rows_by_scan(run, authority) == summary_rows(run, authority)
    assert [1, 2, 3] == [r["rank"] for r in summary_rows(run, WEIHAI) if r["section"] == "2023年推荐单位"]


class _Watched(pf.MemoryStore):
    """A memory store that notes which nominations the sweep reads."""

    def __init__(self) -> None:
        super().__init__()
        self.listed: list[str | None] = []
        self.asked: list[list[tuple[tuple[str, ...], int]]] = []

    def nominations(self, campaign: str, **filters: Any) -> list[pf.Nomination]:
        self.listed.append(filters.get("state"))
        return super().nominations(campaign, **filters)

    def nominations_at(self, campaign: str, state: str, groups: Any) -> list[pf.Nomination]:
        self.asked.append(sorted(groups))
        return super().nominations_at(campaign, state, groups)


def test_the_sweep_reads_only_the_groups_past_their_deadline(make_run: Any) -> None:
    """One unit in review at its district (deadline 18 October) and one at Shandong (29
    October): on 19 October the sweep lapses the first, reads only its (route, hop) group and
    never lists every nomination in review; when nothing is due it reads none."""
    store = _Watched()
    run: pf.CampaignRun = make_run(store)
    stuck = nominate(run, 1)
    far = forward(run, forward(run, nominate(run, 2).id).id)
    store.listed.clear()
    assert [] == list(run.tick(on(run, shanghai(2023, 10, 18, 9))))
    assert [] == store.asked
    moved = run.tick(on(run, shanghai(2023, 10, 19, 9)))
    assert [stuck.id] == list(moved)
    assert [[(stuck.route, 0)]] == store.asked
    assert "in_review" not in store.listed
    assert ("lapsed", "in_review") == (run.get(stuck.id).state, run.get(far.id).state)


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_host_connection_streams_its_own_log(
    kind: str, tmp_path: Any, request: pytest.FixtureRequest, campaign: pf.Campaign, small_pages: None
) -> None:
    """On a host's connection, inside its transaction, the streamed log (pages of 3 on SQLite,
    a server-side cursor on PostgreSQL) holds what the host's transaction wrote, and replays
    to the stored state; the host's rollback leaves nothing."""
    import sqlalchemy as sa

    from pilotflow.store.sql import SQLStore, configure_sqlite

    schema = None
    if kind == "sqlite":
        engine = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
    else:
        url = request.getfixturevalue("pg_url")
        engine = sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
        schema = f"pf_test_{tmp_path.name[-8:].lower().replace('-', '_')}_host"
    try:
        with engine.connect() as conn:
            conn.begin()
            store = SQLStore(conn, schema=schema)
            run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign),
                                 clock=pf.FixedClock(shanghai(2023, 10, 17, 9)))  # fmt: skip
            ids = [forward(run, nominate(run, i).id).id for i in range(3)]
            cid = campaign.id
            log = store.events(cid)
            assert len(log) == store.count_events(cid) > 6
            assert {n.id: n for n in run.nominations()} == dict(run.replay().nominations)
            assert [e for e in log if e.nomination_id in ids[1:]] == list(store.iter_events(cid, ids=ids[1:]))
            conn.rollback()
        with engine.connect() as conn:
            assert 0 == SQLStore(conn, schema=schema).count_events(campaign.id)
            conn.commit()
    finally:
        if schema is not None:
            with engine.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def test_the_event_log_shows_its_first_events_in_a_notebook(run: pf.CampaignRun) -> None:
    """In a notebook the whole log shows its first ten events as a table, captioned with how
    many there are."""
    for i in range(12):
        nominate(run, i)
    html = run.events()._repr_html_()  # type: ignore[attr-defined]
    assert "审计记录 / Audit events：12（前 10 条 / first 10）" in html
    assert 10 == html.count("申报</td>")


def test_the_event_log_takes_a_step_or_count_past_its_end_as_a_list_does(run: pf.CampaignRun) -> None:
    """A slice step or a ``head`` count beyond sys.maxsize answers as on a list (the first
    event; every event), never a raw ValueError from below."""
    for i in range(3):
        nominate(run, i)
    log = run.events()
    listed = list(log)
    huge = sys.maxsize + 1
    assert listed[::huge] == log[::huge] == listed[:1]
    assert listed[1::huge] == log[1::huge]
    assert listed[::-huge] == log[::-huge]
    assert listed[::5] == log[::5]
    assert listed == log.head(huge) == log.head(2**100)


def test_an_event_log_of_no_campaign_is_refused(run: pf.CampaignRun) -> None:
    """An EventLog given None for its campaign is refused as a string or a number is: with
    InvalidInput naming the argument in English and Chinese, never a raw AttributeError."""
    for campaign in (None, "smart-health-elderly-care-2023", 7):
        with pytest.raises(pf.InvalidInput) as error:
            pfd.EventLog(run.store, campaign)  # type: ignore[arg-type]
        assert "campaign must be a Campaign" in error.value.en
        assert error.value.zh.startswith("campaign 参数必须是遴选活动")
        assert "NoneType" not in error.value.zh
