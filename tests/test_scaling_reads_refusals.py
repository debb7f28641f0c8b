"""The national-scale reads and the stored lists at their edges: what they refuse (bilingual
InvalidInput, never a raw TypeError/ValueError/OverflowError, alike on every store), that
an iterator of ids is not silently used up, that a request's store compiles no log read
again, and that the migrations of schemas 4 and 5 keep frozen copies of their tables."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow import calendar
from pilotflow.store import Store, base, memory
from pilotflow.store.sql import SQLStore, reads

from conftest import forward, nominate, on, shanghai, unit_code


@pytest.fixture
def host(sql_engine: tuple[sa.Engine, str | None]) -> tuple[sa.Engine, str | None]:
    """A host's engine (SQLite file, or PostgreSQL with a fresh schema) and the schema to use."""
    return sql_engine


def _run(store: Store, make_run: Any) -> pf.CampaignRun:
    run: pf.CampaignRun = make_run(store)
    for i in range(3):
        on(run, shanghai(2023, 10, 17, 9 + i))
        forward(run, nominate(run, i).id)
    return run


class _NoOffset(dt.tzinfo):
    """A time zone that gives no UTC offset (an aware-looking but offset-less moment)."""

    def utcoffset(self, d: dt.datetime | None) -> None:
        return None

    def dst(self, d: dt.datetime | None) -> None:
        return None

    def tzname(self, d: dt.datetime | None) -> str:
        return "none"


def test_iter_events_given_ids_as_an_iterator_reads_them_once(store: Store, make_run: Any) -> None:
    """``iter_events(ids=...)`` given a generator gives the events of those ids, as a list
    would, or refuses it with InvalidInput; never a silent empty answer (the argument check
    must not use the iterator up first)."""
    run = _run(store, make_run)
    ids = [n.id for n in run.nominations()]
    wanted = list(store.iter_events(run.campaign.id, ids=ids))
    assert wanted
    try:
        got = list(store.iter_events(run.campaign.id, ids=(i for i in ids)))  # type: ignore[arg-type]
    except pf.errors.InvalidInput:
        return
    assert got == wanted


@pytest.mark.parametrize("index", [slice("a", None), slice(None, None, 0), slice(1.5, None)])
def test_event_log_refuses_a_bad_slice_in_both_languages(store: Store, make_run: Any, index: slice) -> None:
    """``run.events()[bad slice]`` (a text bound, a zero step, a float bound) raises a
    PilotflowError with English and Chinese, not the raw TypeError/ValueError of
    ``slice.indices``."""
    log = _run(store, make_run).events()
    with pytest.raises(pf.PilotflowError):
        log[index]


def test_iter_events_until_without_an_offset_is_invalid_input(store: Store, make_run: Any) -> None:
    """``iter_events(until=...)`` with a tzinfo that gives no UTC offset is InvalidInput on
    every store (not a raw TypeError on memory, nor a raw ValueError from the codec on SQL)."""
    run = _run(store, make_run)
    until = dt.datetime(2023, 10, 17, 10, tzinfo=_NoOffset())
    with pytest.raises(pf.errors.InvalidInput):
        list(store.iter_events(run.campaign.id, until=until))


@pytest.mark.parametrize("tz", ["Asia/Shanghai", None])
def test_in_zone_refuses_a_zone_that_is_not_a_zoneinfo(tz: Any) -> None:
    """``pilotflow.calendar.in_zone(m, tz)`` takes a ``ZoneInfo`` (what ``zone_info`` gives):
    a zone name is InvalidInput (not a raw TypeError), and None is refused too (else it would
    silently convert to the machine's local zone and return a moment that is not in a
    ZoneInfo, breaking the one time type)."""
    m = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    with pytest.raises(pf.errors.InvalidInput):
        calendar.in_zone(m, tz)


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(9999, 12, 31, 20, tzinfo=dt.UTC),
        dt.datetime(1, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
    ],
)
def test_in_zone_of_a_moment_past_the_calendar_is_a_pilotflow_error(value: dt.datetime) -> None:
    """A moment whose instant cannot be written in the zone (past year 9999 or before year 1
    there) is a PilotflowError naming it, not a raw OverflowError."""
    with pytest.raises(pf.PilotflowError):
        calendar.in_zone(value, calendar.zone_info("Asia/Shanghai"))


def test_nominations_at_with_a_huge_hop_is_not_a_raw_overflow(store: Store) -> None:
    """``nominations_at`` with a hop no store can hold finds nothing (or is InvalidInput) on
    every store, not the driver's raw OverflowError."""
    with contextlib.suppress(pf.errors.InvalidInput):
        assert store.nominations_at("c", "in_review", [(("370000",), 2**70)]) == []


def test_a_binding_per_request_reuses_the_compiled_log_reads(
    host: tuple[sa.Engine, str | None], make_run: Any
) -> None:
    """The log's reads (``iter_events`` by id, ``count_events``) are compiled once per engine
    like the other statements (per-request binding under 1 ms): a store bound to a host's
    connection for one request compiles none of them again (~1 ms each on SQLite)."""
    eng, schema = host
    first = SQLStore(eng, schema=schema)
    run = make_run(first)
    nid = nominate(run, 1).id
    list(first.iter_events(run.campaign.id, nomination_id=nid))
    first.count_events(run.campaign.id)
    with eng.connect() as conn, conn.begin():
        second = SQLStore(conn, schema=schema, create=False)
        compiled: list[Any] = []
        original = second._sql.compile

        def counting(stmt: Any, column_keys: Any = None) -> Any:
            compiled.append(stmt)
            return original(stmt, column_keys)

        second._sql.compile = counting  # type: ignore[method-assign]
        try:
            list(second.iter_events(run.campaign.id, nomination_id=nid))
            second.count_events(run.campaign.id)
        finally:
            del second._sql.compile
        assert compiled == []


def test_migrations_4_and_5_do_not_build_tables_from_the_live_schema() -> None:
    """A migration creates the tables as its own schema version had them (0003 keeps a frozen
    copy for this reason): 0004 and 0005 import ``events_table`` and ``lists_table`` from the
    live schema module, so the next change to either would silently change what an old
    database is migrated to."""
    versions = Path(pf.__file__).parent / "store" / "migrations" / "versions"
    for name in ("0004_stored_log.py", "0005_lists.py"):
        text = (versions / name).read_text(encoding="utf-8")
        assert "from pilotflow.store.sql.schema import" not in text, name
        assert "from pilotflow.store.sql.lists import" not in text, name


@pytest.mark.parametrize("source", [[], 0, None, b""])
def test_load_list_refuses_a_source_that_is_not_text_alike_on_every_store(
    store: Store, make_run: Any, source: Any
) -> None:
    """``run.load_list(..., source=X)`` with X not text is InvalidInput before anything is
    written, and before the loader's right is judged, on every store (a falsy non-text source
    is checked too: else the memory store would keep it, SQLite a BLOB, and the others end in
    a raw database StoreError)."""
    run = make_run(store)
    list_id = next(iter(run.campaign.screening_lists))
    unit_list = pf.UnitList.build(list_id, [pf.Listing(unit_code(5), shanghai(2023, 1, 1))])
    top = run.graph[run.campaign.top or run.graph.top.code]  # (who may load a list judged everywhere)
    actor = pf.Actor(top.code, top.departments[0], "clerk")
    with pytest.raises(pf.errors.InvalidInput):
        run.load_list(unit_list, actor=actor, source=source)
    city = pf.Actor("370100", run.graph["370100"].departments[0], "clerk")  # (arguments before rights)
    with pytest.raises(pf.errors.InvalidInput):
        run.load_list(unit_list, actor=city, source=source)
    assert store.list_loads(run.campaign.id) == []


def test_iter_events_checks_each_text_argument_once(
    store: Store, make_run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``iter_events`` checks each of its text arguments once, in one place (``check_reading``),
    which both refuses what is not text and answers what no store could hold: the SQL store
    does not check them again. The answer is the same: the events asked for; nothing for
    text no store could hold (a NUL); InvalidInput, in English and Chinese, for an argument
    that is not text."""
    run = _run(store, make_run)
    cid = run.campaign.id
    ids = [n.id for n in run.nominations()]
    expected = [e for e in store.events(cid, ids[0]) if e.action == "recommend"]
    assert expected
    checked: Counter[object] = Counter()
    real = base.findable

    def counting(*values: object, what: str = "a lookup argument") -> bool:
        checked.update(values)
        return real(*values, what=what)

    for module in (base, memory, reads):
        monkeypatch.setattr(module, "findable", counting)
    assert list(store.iter_events(cid, nomination_id=ids[0], ids=ids, action="recommend")) == expected
    assert checked == Counter([cid, ids[0], "recommend", *ids])
    assert list(store.iter_events(cid, ids=[*ids, "x\x00"], action="recommend\x00")) == []
    assert list(store.iter_events("c\x00", nomination_id=ids[0])) == []
    assert list(store.iter_events(cid, ids=["x\x00"])) == []
    for bad in ({"campaign": 7}, {"nomination_id": b"x"}, {"action": 1}, {"ids": [ids[0], 3]}):
        with pytest.raises(pf.errors.InvalidInput) as refused:
            list(store.iter_events(bad.pop("campaign", cid), **bad))  # type: ignore[arg-type]
        assert "must be text" in refused.value.en
        assert "必须是文本" in refused.value.zh
