"""Shared fixtures: the bundled campaign and graph, a fixed clock, runs on each store."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pendulum
import pytest

import pilotflow as pf
from pilotflow.cli.demo import DemoResult, run_demo
from pilotflow.codes import make_code
from pilotflow.samples import every_material, material_for
from pilotflow.store import Change, Store

CAMPAIGN_ID = "smart-health-elderly-care-2023"
TZ = "Asia/Shanghai"

# Authorities the tests keep meeting.
MIN = "MIN"
SHANDONG = "370000"
WEIHAI = "371000"
QINGDAO = "370200"
WEIHAI_DISTRICT = "371002"  # 环翠区
WEIHAI_DISTRICT_2 = "371003"  # 文登区
QINGDAO_DISTRICT = "370211"  # 黄岛区
MINISTRY = pf.Actor(MIN, "industry", "ministry-operator")
POSTGRES_ENV = "PILOTFLOW_TEST_POSTGRES_URL"
CI_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def shanghai(*args: int) -> datetime:
    """A moment in Asia/Shanghai: shanghai(2023, 10, 17, 9) is 09:00 on 17 October 2023."""
    return pendulum.datetime(*args, tz=TZ)


def unit_code(n: int, division: str = "371002") -> str:
    """A valid unified social credit code, distinct for each ``n``."""
    return make_code("91" + division, f"MA{n:06d}")


@functools.cache
def bundled() -> pf.Campaign:
    """The bundled campaign, loaded once per test process (it is immutable)."""
    return pf.load_campaign(CAMPAIGN_ID)


def file_material(kind: str) -> pf.Material:
    """An electronic material of the bundled campaign as a real, inspected file."""
    return material_for(bundled(), kind)


def any_material(kind: str, copies: int = 1) -> pf.Material:
    """A material of the bundled campaign as it must be attached: paper as ``copies``
    declared, electronic as a real inspected file."""
    return material_for(bundled(), kind, copies)


def all_materials() -> list[pf.Material]:
    """Every material any hop of the 2023 campaign asks of a new nomination: paper ones as
    declared copies, electronic ones as real inspected files."""
    return every_material(bundled())


class BatchOnlyMemoryStore(pf.MemoryStore):
    """A memory store that commits a single change through its batch path as well (the
    reference its fast single-change commit must agree with)."""

    def _commit_one(self, campaign: str, ch: Change) -> None:
        self._commit_many(campaign, [ch], None)


def postgres_url() -> str | None:
    """The PostgreSQL server to test against, or None (then PostgreSQL tests skip, unless CI)."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        return CI_POSTGRES_URL
    return None


@pytest.fixture(scope="session")
def campaign() -> pf.Campaign:
    return pf.load_campaign(CAMPAIGN_ID)


@pytest.fixture(scope="session")
def graph() -> pf.AuthorityGraph:
    return pf.AuthorityGraph.bundled()


@pytest.fixture
def clock() -> pf.FixedClock:
    return pf.FixedClock(shanghai(2023, 10, 17, 9))


@pytest.fixture(scope="session")
def pg_url() -> str:
    url = postgres_url()
    if url is None:
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV}=postgresql://user@host:port/db to run these tests")
    return url


@pytest.fixture(params=["sqlite", "postgres"])
def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, str | None]]:
    """A host's engine and the schema to use: a SQLite file (configured for SAVEPOINTs), or
    PostgreSQL with a fresh schema holding pilotflow's tables."""
    import sqlalchemy as sa

    from pilotflow.store.sql import configure_sqlite

    if request.param == "sqlite":
        eng = configure_sqlite(sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}"))
        yield eng, None
        eng.dispose()
        return
    url, schema = request.getfixturevalue("pg_url"), request.getfixturevalue("pg_schema")
    eng = sa.create_engine("postgresql+psycopg://" + url.split("://", 1)[1])
    yield eng, schema
    eng.dispose()


@pytest.fixture
def pg_schema(pg_url: str) -> Iterator[str]:
    """A fresh PostgreSQL schema with pilotflow's tables, for a test that opens its own
    connections to it (races); dropped afterwards."""
    schema = f"pf_race_{uuid.uuid4().hex[:10]}"
    pf.open_store(pg_url, schema=schema).close()
    yield schema
    from sqlalchemy import create_engine, text

    engine = create_engine("postgresql+psycopg://" + pg_url.split("://", 1)[1])
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def _sqlite(tmp_path: Path) -> Store:
    return pf.open_store(f"sqlite:///{tmp_path / 'pilotflow.db'}")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store kind in turn: the contract tests run against all of them."""
    if request.param == "memory":
        s: Store = pf.MemoryStore()
    elif request.param == "sqlite":
        s = _sqlite(tmp_path)
    else:
        url = request.getfixturevalue("pg_url")
        schema = f"pf_test_{uuid.uuid4().hex[:12]}"
        s = pf.open_store(url, schema=schema)
        try:
            yield s
        finally:
            from sqlalchemy import text

            with s.engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            s.close()
        return
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """A database made by the demo for the command-line tests of one module, stopped at the
    ministry's door so that nominations are still open to explore."""
    return run_demo(tmp_path_factory.mktemp("demo") / "demo.db", through="received")


@pytest.fixture
def db(demo: DemoResult) -> str:
    """The path of :func:`demo`'s database."""
    return str(demo.db_path)


@pytest.fixture
def make_run(campaign: pf.Campaign, clock: pf.FixedClock) -> Callable[..., pf.CampaignRun]:
    """Build a run of the bundled campaign on a memory store (or the store given)."""

    def build(store: Store | None = None, lists: list[pf.UnitList] | None = None) -> pf.CampaignRun:
        given = {lst.id: lst for lst in lists or ()}
        everything = [given.get(lst.id, lst) for lst in pf.empty_lists(campaign)]
        everything += [lst for lst in given.values() if lst.id not in campaign.screening_lists]
        return pf.CampaignRun(campaign, store=store, lists=everything, clock=clock)

    return build


@pytest.fixture
def run(make_run: Callable[..., pf.CampaignRun]) -> pf.CampaignRun:
    return make_run()


def stamp_all(run: pf.CampaignRun, nomination_id: str) -> pf.Nomination:
    """Every stamping department of the holder stamps the letter carrying the nomination."""
    n = run.get(nomination_id)
    for department in run.graph[n.holder].stamping:
        n = run.stamp(pf.Actor(n.holder, department, f"{department}-clerk"), nomination_id)
    return n


def nominate(
    run: pf.CampaignRun,
    n: int,
    *,
    origin: str = "371002",
    unit_type: str = "enterprise",
    materials: bool = True,
) -> pf.Nomination:
    """File nomination number ``n`` at ``origin`` as its applicant, with every material: a
    unit registered in ``origin`` (where the origin admits units of other divisions, such as a
    development zone or XPCC, in the first of those; at a central enterprise: in Beijing, filed
    by the enterprise's headquarters, which files for its member units)."""
    authority = run.graph[origin]
    division = origin if origin.isdigit() else min(authority.admits, default="110000")
    code = unit_code(n, division)
    if authority.kind == "central_enterprise":
        actor = pf.Actor(origin, authority.departments[0], "group-office")
    else:
        actor = pf.Actor.applicant(code, "applicant")
    return run.nominate(
        actor,
        unit_code=code,
        unit_name=f"测试单位{n}",
        unit_type=unit_type,
        scenario="smart_nursing_homes",
        origin=origin,
        materials=all_materials() if materials else (),
    )


def attach_letter(run: pf.CampaignRun, nomination_id: str) -> None:
    """The holder attaches the materials its letter to the next authority must carry (the
    stamped 推荐函...) to the letter carrying the nomination (a one-unit draft if none)."""
    n = run.get(nomination_id)
    lead = pf.Actor(n.holder, run.graph[n.holder].departments[0], "lead")
    if n.next_authority is not None:
        for req in run.letter_materials(n.holder, n.next_authority):
            run.attach(lead, nomination_id, material_for(run.campaign, req.kind, req.copies))


def send_letters(run: pf.CampaignRun, submission_ids: Sequence[str]) -> list[pf.Submission]:
    """Each letter's sender attaches its materials, its stamping departments stamp it, and it
    is sent (the letters a selection filled: ``SelectionResult.submissions``)."""
    sent = []
    for sid in submission_ids:
        s = run.submission(sid)
        lead = pf.Actor(s.sender, run.graph[s.sender].departments[0], "lead")
        for req in run.letter_materials(s.sender, s.receiver):
            run.attach_to_submission(lead, sid, material_for(run.campaign, req.kind, req.copies))
        for department in run.graph[s.sender].stamping:
            run.stamp_submission(pf.Actor(s.sender, department, f"{department}-clerk"), sid)
        sent.append(run.send(lead, sid))
    return sent


def forward(run: pf.CampaignRun, nomination_id: str) -> pf.Nomination:
    """Attach the letter's materials, stamp at the holder and recommend one level up."""
    attach_letter(run, nomination_id)
    n = stamp_all(run, nomination_id)
    return run.recommend(pf.Actor(n.holder, run.graph[n.holder].departments[0], "lead"), n.id)


def codes(reasons: Sequence[pf.Reason]) -> list[str]:
    """The codes of some reasons, in order."""
    return [r.code for r in reasons]


def refused(call: Callable[[], object]) -> pf.ActionRefused:
    """Run ``call``, which must be refused; return the refusal."""
    with pytest.raises(pf.ActionRefused) as info:
        call()
    return info.value


def state_of(
    run: pf.CampaignRun,
) -> tuple[dict[str, pf.Nomination], list[pf.Event], dict[str, pf.Submission], dict[tuple[str, str], int]]:
    """Everything a run holds: its nominations, its audit log, its submissions, its quota use."""
    return (
        {n.id: n for n in run.nominations()},
        run.events(),
        {s.id: s for s in run.submissions()},
        run.store.quota_usage(run.campaign.id),
    )


def assert_replays(run: pf.CampaignRun) -> None:
    """Replaying the log gives exactly the stored nominations, submissions and quota use."""
    snapshot = run.replay()
    assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
    assert {s.id: s for s in run.submissions()} == dict(snapshot.submissions)
    assert dict(run.store.quota_usage(run.campaign.id)) == dict(snapshot.quota)


def on(run: pf.CampaignRun, when: datetime) -> datetime:
    """Move ``run``'s fixed clock to ``when`` and return it: an action dated ``when`` is then
    taken at that moment (pilotflow dates actions by its clock; see docs/architecture.md)."""
    clock = run.clock
    assert isinstance(clock, pf.FixedClock)
    clock.set(when)
    return when
