"""An action judged on a state the store kept (``pilotflow.store.recent``) instead of a fresh
read: it commits only if that state is still the stored one, and otherwise is judged again on a
fresh read, so that its outcome is always the one a fresh read gives. Two stores on one
database stand for two processes: what one writes, the other has not seen."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa

import pilotflow as pf
from pilotflow.samples import material_for
from pilotflow.store import Store
from pilotflow.store.recent import Recent
from pilotflow.store.sql import SQLStore
from test_submissions import district_letter, officer

from conftest import WEIHAI_DISTRICT, any_material, codes, nominate, refused

Runs = tuple[pf.CampaignRun, pf.CampaignRun]


@pytest.fixture(params=["sqlite", "postgres"])
def two_stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two stores on one database (a SQLite file; a fresh PostgreSQL schema), each keeping
    its own states, as two processes would."""
    if request.param == "sqlite":
        url, options = f"sqlite:///{tmp_path / 'shared.db'}", {}
    else:
        url, options = request.getfixturevalue("pg_url"), {"schema": f"pf_recent_{uuid.uuid4().hex[:10]}"}
    first = pf.open_store(url, **options)
    second = pf.open_store(url, **options)
    try:
        yield first, second
    finally:
        second.close()
        if "schema" in options:
            with first.engine.begin() as conn:  # type: ignore[attr-defined]
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{options["schema"]}" CASCADE'))
        first.close()


@pytest.fixture
def runs(two_stores: tuple[Store, Store], make_run: Callable[..., pf.CampaignRun]) -> Runs:
    """A run of the bundled campaign on each of the two stores."""
    return make_run(two_stores[0]), make_run(two_stores[1])


def test_a_stamp_on_a_kept_letter_another_process_stamped_meanwhile_keeps_both(runs: Runs) -> None:
    """The first process keeps the letter it drafted; the second stamps it; the first stamps
    it for another department, judged on its kept state: the commit finds another version,
    and the stamp is judged again on a fresh read and committed. Both stamps are on the letter
    and in its log."""
    a, b = runs
    s = district_letter(a, 2)
    assert a.store.recent is not None
    assert a.store.recent.submission(s.id) == s
    b.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    stamped = a.stamp_submission(officer(WEIHAI_DISTRICT, "civil_affairs"), s.id)
    assert ("industry", "civil_affairs") == stamped.stamps
    assert stamped == b.submission(s.id) == a.store.recent.submission(s.id)
    assert [1, 2, 3] == [e.version for e in a.store.events(a.campaign.id, s.id)]
    a.replay()  # the log agrees with the rows


def _edit_by_hand(store: Store, table: str, row_id: str, **values: str) -> None:
    """An UPDATE of one row made outside pilotflow (a DBA's fix), its version left as it was."""
    t = next(t for t in store.metadata.sorted_tables if t.name.endswith(table))  # type: ignore[attr-defined]
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        assert 1 == conn.execute(sa.update(t).where(t.c.id == row_id).values(**values)).rowcount


def test_a_row_edited_by_hand_is_never_written_over_by_a_kept_state(runs: Runs) -> None:
    """A DBA clears a letter's stamps by hand and takes a nomination back to its district,
    leaving both rows' versions as they were. The database raises them (schema 7's trigger),
    so the process that kept both states finds them changed: its next stamp is judged on a
    fresh read and adds one stamp to none (it wrote the kept stamps back over the edit), and
    its unit action is judged on the nomination as edited."""
    a, b = runs
    s = district_letter(a, 2)
    a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    kept = a.submission(s.id).version
    _edit_by_hand(a.store, "submissions", s.id, stamps="[]")
    assert b.submission(s.id).version == kept + 1
    assert b.submission(s.id).stamps == ()
    stamped = a.stamp_submission(officer(WEIHAI_DISTRICT, "civil_affairs"), s.id)
    assert ("civil_affairs",) == stamped.stamps
    n = a.get(nominate(a, 9).id)
    _edit_by_hand(a.store, "nominations", n.id, unit_name="更正后的单位名称")
    assert b.get(n.id).version == n.version + 1
    withdrawn = a.withdraw(pf.Actor.applicant(n.unit_code, "x"), n.id, reason="改报其他项目")
    assert "更正后的单位名称" == withdrawn.unit_name == b.get(n.id).unit_name


def test_a_refusal_judged_on_a_kept_state_is_judged_again_on_a_fresh_read(runs: Runs) -> None:
    """The first process stamped the letter and kept it; the second takes a unit out, which
    takes the stamps off. Stamping again for the same department would be refused on the kept
    state (already stamped) but is accepted, as the stored letter allows."""
    a, b = runs
    s = district_letter(a, 2)
    a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    b.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, s.units[0])
    stamped = a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    assert (("industry",), (s.units[1],)) == (stamped.stamps, stamped.units)
    assert stamped == b.submission(s.id)


def test_a_refusal_on_a_kept_state_still_stored_is_the_fresh_reads_refusal(runs: Runs) -> None:
    """A stamp twice for one department, the letter kept and unchanged, is refused as on a
    fresh read, and the refusal changes nothing."""
    a, b = runs
    s = district_letter(a, 2)
    a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    again = refused(lambda: a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id))
    fresh = refused(lambda: b.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id))
    assert codes(again.reasons) == codes(fresh.reasons) == ["already_stamped"]
    assert 2 == a.submission(s.id).version


def test_a_unit_action_on_a_kept_nomination_another_process_withdrew_is_refused(runs: Runs) -> None:
    """The first process filed a nomination and kept it; the second withdraws it; the first
    attaches a material to it, judged on its kept state (in review): the commit finds another
    version, and judged again on a fresh read the attachment is refused (withdrawn). Nothing
    of it is written."""
    a, b = runs
    n = nominate(a, 1)
    assert a.store.recent is not None
    assert a.store.recent.nomination(n.id) == n
    withdrawn = b.withdraw(pf.Actor.applicant(n.unit_code, "applicant"), n.id, reason="不再申报")
    e = refused(lambda: a.attach(officer(WEIHAI_DISTRICT), n.id, any_material("application_form_word")))
    assert ["not_allowed_in_state"] == codes(e.reasons)
    assert withdrawn == a.get(n.id)
    assert [1, 2] == [ev.version for ev in a.store.events(a.campaign.id, n.id)]


def test_a_send_judged_on_a_kept_unit_another_process_changed_is_judged_again(
    runs: Runs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first process keeps a ready letter and its units; the second attaches a material to
    one unit (a new version); the first sends the letter, judged on its kept states: the commit
    finds the unit at another version and writes nothing, and judged again on a fresh read the
    letter is sent with both units, each at its stored version plus one."""
    a, b = runs
    s = district_letter(a, 2)
    for req in a.letter_materials(s.sender, s.receiver):
        a.attach_to_submission(officer(WEIHAI_DISTRICT), s.id, material_for(a.campaign, req.kind, req.copies))
    for d in a.graph[WEIHAI_DISTRICT].stamping:
        a.stamp_submission(officer(WEIHAI_DISTRICT, d), s.id)
    b.attach(officer(WEIHAI_DISTRICT), s.units[1], any_material("application_form_word"))
    kept = a.store.recent.nomination(s.units[1])  # type: ignore[union-attr]
    assert kept is not None
    assert 1 == kept.version  # (what the send is first judged on: no longer stored)
    commits: list[str] = []
    commit = a.store.commit

    def watched(*args: object) -> None:
        try:
            commit(*args)  # type: ignore[arg-type]
        except pf.PilotflowError as exc:
            commits.append(type(exc).__name__)
            raise
        commits.append("committed")

    monkeypatch.setattr(a.store, "commit", watched)
    sent = a.send(officer(WEIHAI_DISTRICT), s.id)
    assert ["ConflictError", "committed"] == commits
    assert ("sent", s.units) == (sent.state, sent.units)
    assert [2, 3] == [a.get(nid).version for nid in s.units]
    assert 2 == a.store.quota_used(a.campaign.id, WEIHAI_DISTRICT, "enterprise")
    a.replay()


def test_a_rolled_back_scope_keeps_nothing_it_wrote(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """SQLite: a stamp inside the store's atomic scope that the caller rolls back is not
    kept (the letter's kept state stays the one before). Another process then stamps the same
    version of the letter for another department; the first process's next stamp keeps that
    one and adds its own: the rolled-back stamp never comes back."""
    url = f"sqlite:///{tmp_path / 'scope.db'}"
    with pf.open_store(url) as first, pf.open_store(url) as second:
        a, b = make_run(first), make_run(second)
        s = district_letter(a, 2)
        atomic, recent = first.atomic, first.recent
        assert atomic is not None
        assert recent is not None

        def given_up() -> None:
            with atomic():
                a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
                raise RuntimeError("the host gives up")

        with pytest.raises(RuntimeError):
            given_up()
        assert recent.submission(s.id) == s
        b.stamp_submission(officer(WEIHAI_DISTRICT, "civil_affairs"), s.id)
        stamped = a.stamp_submission(officer(WEIHAI_DISTRICT, "health"), s.id)
        assert ("civil_affairs", "health") == stamped.stamps
        with atomic():  # a scope that commits keeps what it wrote when it commits
            a.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
            assert recent.submission(s.id) == stamped
        assert ("civil_affairs", "health", "industry") == recent.submission(s.id).stamps  # type: ignore[union-attr]


def test_only_a_store_on_its_own_engine_keeps_states(sql_engine: tuple[sa.Engine, str | None]) -> None:
    """A store bound to a host's connection keeps nothing (the host commits, or not, out of
    pilotflow's sight), nor does the memory store (a read costs nothing there); a store on
    its own engine keeps."""
    engine, schema = sql_engine
    assert SQLStore(engine, schema=schema).recent is not None
    with engine.connect() as conn:
        assert SQLStore(conn, schema=schema).recent is None
    assert pf.MemoryStore().recent is None


def test_what_is_kept_is_bounded_and_the_newest_version_wins(make_run: Callable[..., pf.CampaignRun]) -> None:
    """At most ``size`` records of each kind are kept, the oldest kept going first; a state
    older than the one kept never replaces it; a record can be forgotten."""
    run = make_run()
    n1, n2, n3 = (nominate(run, i) for i in (1, 2, 3))
    recent = Recent(size=2)
    recent.keep([n1, n2, n3])
    assert (None, n2, n3) == (recent.nomination(n1.id), recent.nomination(n2.id), recent.nomination(n3.id))
    newer = run.stamp(officer(WEIHAI_DISTRICT, "industry"), n2.id)
    recent.keep([newer, n2])
    assert newer == recent.nomination(n2.id)
    recent.drop(n2.id)
    assert (None, None) == (recent.nomination(n2.id), recent.submission(n2.id))


def ready(run: pf.CampaignRun, s: pf.Submission) -> None:
    """The letter's own materials attached and its three departments' stamps."""
    for req in run.letter_materials(s.sender, s.receiver):
        run.attach_to_submission(officer(s.sender), s.id, material_for(run.campaign, req.kind, req.copies))
    for d in run.graph[s.sender].stamping:
        run.stamp_submission(officer(s.sender, d), s.id)


def test_actions_in_a_hosts_scope_are_judged_on_fresh_reads(
    tmp_path: Path, make_run: Callable[..., pf.CampaignRun]
) -> None:
    """SQLite: inside a scope the host opened (``store.atomic()``), which an action joins, no
    action is judged on a kept state: what the scope wrote is not kept yet, and a second try
    could not undo the first one's writes in the host's transaction. A unit's material
    attached and then its letter sent in one scope: the letter is sent with both units, each
    row at the version its log ends at, and what the scope wrote is kept once it commits."""
    with pf.open_store(f"sqlite:///{tmp_path / 'scope.db'}") as store:
        run = make_run(store)
        s = district_letter(run, 2)
        ready(run, s)
        assert store.atomic is not None
        assert store.recent is not None
        with store.atomic():
            run.attach(officer(WEIHAI_DISTRICT), s.units[1], any_material("application_form_word"))
            sent = run.send(officer(WEIHAI_DISTRICT), s.id)
        assert ("sent", s.units) == (sent.state, sent.units)
        for nid, version in zip(s.units, (2, 3), strict=True):
            n = run.get(nid)
            assert (version, version) == (n.version, store.events(run.campaign.id, nid)[-1].version)
        assert sent == store.recent.submission(s.id) == run.submission(s.id)
        assert sent.version == store.events(run.campaign.id, s.id)[-1].version
        run.replay()


def test_a_kept_letter_of_another_campaign_is_refused_as_a_read_one_is(
    two_stores: tuple[Store, Store], make_run: Callable[..., pf.CampaignRun], clock: pf.FixedClock
) -> None:
    """Two campaigns share one store: a run of the second stamping a letter of the first,
    which the store kept, is refused as a fresh read refuses it (the letter belongs to
    another campaign), and nothing is written."""
    store = two_stores[0]
    bundled = make_run().campaign
    other = attrs.evolve(bundled, id="other-campaign-2023")
    a = make_run(store)
    b = pf.CampaignRun(other, store=store, lists=pf.empty_lists(other), clock=clock)
    s = district_letter(a, 2)
    assert store.recent is not None
    assert store.recent.submission(s.id) == s
    with pytest.raises(pf.InvalidInput, match="belongs to campaign smart-health-elderly-care-2023"):
        b.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
    assert s == store.get_submission(s.id)
    assert [] == store.events(other.id, s.id)


@pytest.mark.parametrize("kind", ["nomination", "letter"])
def test_a_record_a_caller_makes_up_is_never_judged(
    two_stores: tuple[Store, Store], make_run: Callable[..., pf.CampaignRun], kind: str
) -> None:
    """A nomination or letter object a caller passes to an action stands only for its id:
    the action is judged on the stored state (kept or read), never on the object. A withdrawn
    nomination passed as in review is refused as withdrawn; a letter passed as unstamped, after
    the department stamped it, is refused as already stamped. Nothing is written."""
    run = make_run(two_stores[0])
    s = district_letter(run, 2)
    if kind == "nomination":
        n = run.get(s.units[0])
        run.remove_from_submission(officer(WEIHAI_DISTRICT), s.id, n.id)
        n = run.withdraw(pf.Actor.applicant(n.unit_code, "applicant"), n.id, reason="不再申报")
        forged = attrs.evolve(n, state="in_review")
        e = refused(
            lambda: run.attach(officer(WEIHAI_DISTRICT), forged, any_material("application_form_word"))
        )
        assert ["not_allowed_in_state"] == codes(e.reasons)
        assert n == run.get(n.id)
    else:
        stamped = run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s.id)
        e = refused(lambda: run.stamp_submission(officer(WEIHAI_DISTRICT, "industry"), s))
        assert ["already_stamped"] == codes(e.reasons)
        assert stamped == run.submission(s.id)


def test_what_a_long_scope_holds_is_bounded(make_run: Callable[..., pf.CampaignRun]) -> None:
    """What one transaction reads and writes waits for its commit in a list of at most a few
    times ``size`` records (the last ones), however long the transaction; on commit the newest
    are kept, on a rollback none."""
    run = make_run()
    ns = [nominate(run, i) for i in range(1, 41)]
    recent = Recent(size=2)
    recent.hold()
    assert recent.holding()
    for n in ns:
        recent.keep([n])
    assert len(recent._local.pending) <= 8
    recent.release(True)
    assert not recent.holding()
    assert [ns[-2], ns[-1]] == [recent.nomination(n.id) for n in ns[-2:]]
    assert recent.nomination(ns[0].id) is None
    recent.hold()
    recent.keep([run.stamp(officer(WEIHAI_DISTRICT, "industry"), ns[-1].id)])
    recent.release(False)
    assert ns[-1] == recent.nomination(ns[-1].id)
