"""Several nominations per applicant, one per project, and a cap per applicant (issue 11,
points 5 and 6): ``applicants: {projects: ..., per_applicant: N}`` in a format-2 campaign file,
``nominate(..., project=...)``, the stores' claims per project, and migration 0002."""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.store import migrate
from schema3 import schema_3_rows

from conftest import all_materials, assert_replays, shanghai, unit_code

BUNDLED = resources.files("pilotflow").joinpath("data", "campaigns", "smart-health-elderly-care-2023.yaml")


def variant(applicants: str) -> pf.Campaign:
    """The bundled campaign as a format-2 file with ``applicants`` (YAML) added."""
    text = BUNDLED.read_text(encoding="utf-8")
    assert "\nformat: 2\n" in text
    return pf.parse_campaign(f"{text}\napplicants:\n{applicants}", source="variant")


CAPPED = "  per_applicant: 2\n"


def make(campaign: pf.Campaign, store: pf.Store | None = None) -> pf.CampaignRun:
    return pf.CampaignRun(
        campaign, store=store, lists=pf.empty_lists(campaign), clock=pf.FixedClock(shanghai(2023, 10, 17, 9))
    )


def file(run: pf.CampaignRun, project: str = "", n: int = 1) -> pf.Nomination:
    """Unit ``n`` (of Weihai's Huancui district) files its ``project``."""
    code = unit_code(n, "371002")
    return run.nominate(
        pf.Actor.applicant(code, "applicant"),
        unit_code=code,
        unit_name=f"测试单位{n}",
        unit_type="enterprise",
        scenario="smart_nursing_homes",
        origin="371002",
        materials=all_materials(),
        project=project,
    )


def test_a_unit_files_one_nomination_per_project_up_to_the_cap(store: pf.Store) -> None:
    """With ``per_applicant: 2`` a unit files a scene and a factory; a third project is refused
    with a bilingual reason, on every store, and nothing is written."""
    run = make(variant(CAPPED), store)
    scene, factory = file(run, "scene"), file(run, "factory")
    assert (scene.project, factory.project) == ("scene", "factory")
    assert scene.id != factory.id
    assert run.store.count_claims(run.campaign.id, scene.unit_code) == 2
    before = (run.nominations(), run.events())
    with pytest.raises(pf.ActionRefused) as info:
        file(run, "platform")
    (reason,) = info.value.reasons
    assert reason.code == "applicant_cap"
    assert "同一申报主体最多不超过 2 个项目" in reason.zh
    assert "at most 2 per applicant" in reason.en
    assert (run.nominations(), run.events()) == before
    assert run.store.find_claim(run.campaign.id, scene.unit_code, "new", "factory") == factory
    assert_replays(run)


def test_the_same_project_twice_is_a_duplicate(store: pf.Store) -> None:
    """A project is claimed once: filing it again is ``DuplicateNomination`` naming the first;
    another unit may use the same project name."""
    run = make(variant("  projects: true\n"), store)
    first = file(run, "scene")
    with pytest.raises(pf.DuplicateNomination) as info:
        file(run, "scene")
    assert info.value.existing_id == first.id
    assert file(run, "scene", n=2).project == "scene"
    assert [e.data.get("project") for e in run.events() if e.action == "nominate"] == ["scene", "scene"]


def test_a_withdrawn_project_gives_its_place_back(store: pf.Store) -> None:
    """Withdrawing one of two projects lets the unit file another (the cap counts the
    nominations that claim the unit); the log replays to the store's state and seats."""
    run = make(variant(CAPPED), store)
    scene = file(run, "scene")
    file(run, "factory")
    run.withdraw(pf.Actor.applicant(scene.unit_code, "x"), scene.id, reason="改报其他项目")
    assert run.store.count_claims(run.campaign.id, scene.unit_code) == 1
    assert file(run, "platform").project == "platform"
    assert_replays(run)


def test_a_cap_added_by_a_revision_counts_only_the_seats_taken_under_it(store: pf.Store) -> None:
    """A unit filed a project before a revision of the campaign added ``per_applicant: 2``,
    then one under the cap. Withdrawing the first gives back no seat, as it took none: the
    unit's counter stays at the one seat taken (it went to 0 while a nomination held a seat,
    and would go to -1 with the other withdrawn), the cap still holds, and the log replays to
    the store's counters (only filings judged under the cap count)."""
    before_cap = make(variant("  projects: true\n"), store)
    scene = file(before_cap, "scene")
    run = make(variant(CAPPED), store)  # the same database, the revised campaign
    assert run.campaign.id == before_cap.campaign.id
    assert run.campaign.revision != before_cap.campaign.revision
    factory = file(run, "factory")
    seat = (f"applicant:{scene.unit_code}", "*")
    assert run.store.quota_usage(run.campaign.id)[seat] == 1
    run.withdraw(pf.Actor.applicant(scene.unit_code, "x"), scene.id, reason="改报其他项目")
    assert run.store.quota_usage(run.campaign.id)[seat] == 1
    assert_replays(run)
    assert file(run, "platform").project == "platform"
    assert run.store.quota_usage(run.campaign.id)[seat] == 2
    with pytest.raises(pf.ActionRefused) as info:
        file(run, "fourth")
    assert [r.code for r in info.value.reasons] == ["applicant_cap"]
    run.withdraw(pf.Actor.applicant(factory.unit_code, "x"), factory.id, reason="改报其他项目")
    assert run.store.quota_usage(run.campaign.id)[seat] == 1
    assert_replays(run)


def test_a_seat_taken_under_a_cap_a_revision_removed_is_given_back(store: pf.Store) -> None:
    """A unit filed two projects under ``per_applicant: 2``; a revision removed the cap and
    the unit withdrew both; the cap came back. The withdrawals gave the seats back although
    the campaign had no cap then (the counter stayed at 2, and the unit, holding nothing,
    was refused for the cap), and the log replays to the store's counters at each step."""
    capped = make(variant(CAPPED), store)
    first, second = file(capped, "scene"), file(capped, "factory")
    uncapped = make(variant("  projects: true\n"), store)
    for n in (first, second):
        uncapped.withdraw(pf.Actor.applicant(n.unit_code, "x"), n.id, reason="改报其他项目")
    seat = (f"applicant:{first.unit_code}", "*")
    assert uncapped.store.quota_usage(uncapped.campaign.id).get(seat, 0) == 0
    assert_replays(uncapped)
    again = make(variant(CAPPED), store)
    assert file(again, "platform").project == "platform"
    assert again.store.quota_usage(again.campaign.id)[seat] == 1
    assert_replays(again)


def test_projects_must_be_told_apart_where_the_campaign_allows_them() -> None:
    """In a campaign with projects a nomination without one is refused; a project that breaks
    the text rule is refused; the messages are bilingual."""
    run = make(variant(CAPPED))
    with pytest.raises(pf.InvalidInput) as info:
        file(run)
    assert "project=" in str(info.value.en)
    assert "项目名称" in info.value.zh
    with pytest.raises(pf.InvalidInput):
        file(run, " scene")
    assert run.nominations() == []


def test_a_campaign_without_applicants_refuses_a_project() -> None:
    """The bundled campaign (no ``applicants``) takes one nomination per unit: ``project`` is
    refused, and a nomination without it is as before (no project in its event)."""
    campaign = pf.load_campaign(str(BUNDLED))
    assert (campaign.projects, campaign.per_applicant) == (False, None)
    run = make(campaign)
    with pytest.raises(pf.InvalidInput) as info:
        file(run, "scene")
    assert "不分项目" in info.value.zh
    n = file(run)
    assert n.project == ""
    assert "project" not in run.events()[0].data


@pytest.mark.parametrize(
    ("applicants", "path"),
    [
        ("  per_applicant: 0\n", "applicants.per_applicant"),
        ("  per_applicant: 2\n  projects: false\n", "applicants.projects"),
        ("  projects: yes please\n", "applicants.projects"),
        ("  per_aplicant: 2\n", "applicants.per_aplicant"),
    ],
)
def test_the_applicants_section_is_checked_at_load(applicants: str, path: str) -> None:
    """Wrong values in ``applicants`` are refused at load, naming their key path."""
    with pytest.raises(pf.CampaignFileError) as info:
        variant(applicants)
    assert path in str(info.value)


def test_applicants_needs_format_2() -> None:
    """A format-1 file may not use ``applicants``."""
    text = BUNDLED.read_text(encoding="utf-8").replace("\nformat: 2\n", "\n")
    with pytest.raises(pf.CampaignFileError, match="format: 2"):
        pf.parse_campaign(f"{text}\napplicants:\n{CAPPED}", source="v1")


# -- migration 0002 ----------------------------------------------------------------------


def _rows(url: str) -> dict[str, list[dict[str, object]]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM pf_{t}")).mappings()]
                for t in ("quota",)
            }
    finally:
        engine.dispose()


def test_migration_0002_upgrades_a_database_made_by_0001(tmp_path: Path) -> None:
    """A database migrated to 0001 and holding nominations is upgraded to the head: its rows
    keep their content with an empty project, the store reads them, the unit's claim still
    bars a second nomination without a project, and the unique claim now includes project."""
    made = f"sqlite:///{tmp_path / 'made.db'}"
    with pf.open_store(made) as store:
        run = make(pf.load_campaign(str(BUNDLED)), store)
        first, second = file(run, n=1), file(run, n=2)
        expected = run.nominations()
        rows = schema_3_rows(store, run.campaign.id)  # (as 0003 left them: the same as 0001's)
        rows.pop("submissions")
        rows["quota"] = _rows(made)["quota"]
    old = f"sqlite:///{tmp_path / 'old.db'}"
    assert migrate.upgrade(old, revision="0001") == "0001"
    engine = sa.create_engine(old)
    with engine.begin() as conn:
        for table, found in rows.items():
            for row in found:
                row.pop("project", None)
                if "examined" in row:  # named ``stamps`` before 0003 (units no longer carry stamps)
                    row["stamps"] = row.pop("examined")
                columns = ", ".join(row)
                values = ", ".join(f":{c}" for c in row)
                conn.execute(sa.text(f"INSERT INTO pf_{table} ({columns}) VALUES ({values})"), row)
    with pytest.raises(pf.StoreError, match="migrate it first"):
        pf.open_store(old)
    assert migrate.upgrade(old) == migrate.head()
    unique = [
        ix for ix in sa.inspect(engine).get_indexes("pf_nominations") if ix["name"] == "pf_uq_unit_claim"
    ]
    assert unique[0]["column_names"] == ["campaign", "track", "unit_code", "project"]
    engine.dispose()
    with pf.open_store(old) as store:
        run = make(pf.load_campaign(str(BUNDLED)), store)
        assert run.nominations() == expected
        assert {n.project for n in run.nominations()} == {""}
        with pytest.raises(pf.DuplicateNomination) as info:
            file(run, n=1)
        assert info.value.existing_id == first.id
        assert file(run, n=3).id not in (first.id, second.id)
        assert_replays(run)
    assert migrate.downgrade(old, "0001") == "0001"
    assert migrate.upgrade(old) == migrate.head()


# -- the cap under concurrency -------------------------------------------------------------


def test_racing_projects_never_overrun_the_cap_on_postgres(pg_url: str, pg_schema: str) -> None:
    """Five projects of one unit are filed at once, each on its own connection: exactly two
    (``per_applicant: 2``) are accepted, every other is refused for the cap."""
    campaign = variant(CAPPED)
    projects = ("p1", "p2", "p3", "p4", "p5")
    start = threading.Barrier(len(projects))
    outcome: list[str] = []

    def applicant(project: str) -> None:
        with pf.open_store(pg_url, schema=pg_schema) as store:
            own = make(campaign, store)
            start.wait()
            try:
                file(own, project)
                outcome.append("filed")
            except pf.ActionRefused as exc:
                outcome.append(exc.reasons[0].code)

    threads = [threading.Thread(target=applicant, args=(p,)) for p in projects]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcome) == ["applicant_cap"] * 3 + ["filed"] * 2
    with pf.open_store(pg_url, schema=pg_schema) as store:
        assert store.count_claims(campaign.id, unit_code(1, "371002")) == 2
        assert_replays(make(campaign, store))
