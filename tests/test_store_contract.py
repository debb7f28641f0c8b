"""ONE contract suite for every store: memory, SQLite (a real file), PostgreSQL (a real server).

The contract ships in :mod:`pilotflow.testing` (``StoreContract``) for hosts that write their
own store; here pilotflow's own stores run it, each in a subclass, and the ``store`` fixture
runs the checks that build changes through the service's private methods against every kind.
In CI the PostgreSQL runs are mandatory (a missing server fails them), locally they skip with
a hint.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import pytest
from sqlalchemy import text

import pilotflow as pf
from pilotflow.store import AnyChange, Change, Receipt, Store, SubmissionChange
from pilotflow.testing import StoreContract

from conftest import BatchOnlyMemoryStore, forward, nominate, shanghai, stamp_all

DOCS = Path(__file__).resolve().parent.parent / "docs" / "testing.md"
#: A unit's own paper material: attaching it moves the unit's version (and no letter's).
PAPER = pf.Material("application_form_paper", copies=3)


class TestMemoryStore(StoreContract):
    """The contract on the memory store."""

    def make_store(self) -> Store:
        return pf.MemoryStore()


class TestMemoryStoreBatchPath(StoreContract):
    """The contract on the memory store with its fast single-change commit turned off: the
    batch commit, the reference the fast one must agree with, keeps it as well."""

    def make_store(self) -> Store:
        return BatchOnlyMemoryStore()


class TestSQLiteStore(StoreContract):
    """The contract on a SQLite file (a new one for each store)."""

    folder: Path
    files = itertools.count()

    @pytest.fixture(autouse=True)
    def _in(self, tmp_path: Path) -> None:
        self.folder = tmp_path

    def make_store(self) -> Store:
        return pf.open_store(f"sqlite:///{self.folder / f'pilotflow-{next(self.files)}.db'}")


class TestPostgresStore(StoreContract):
    """The contract on PostgreSQL, each store in a schema of its own (dropped afterwards)."""

    url: str

    @pytest.fixture(autouse=True)
    def _on(self, pg_url: str) -> None:
        self.url = pg_url

    def make_store(self) -> Store:
        return pf.open_store(self.url, schema=f"pf_test_{uuid.uuid4().hex[:12]}")

    def close_store(self, store: Store) -> None:
        schema = store.metadata.schema  # type: ignore[attr-defined]
        with store.engine.begin() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        store.close()


def test_every_store_runs_every_check_of_the_contract() -> None:
    """Each of pilotflow's stores runs the whole contract: no subclass here overrides a check,
    and the contract holds at least the checks it held before it shipped (40 per store)."""
    checks = StoreContract.check_names()
    assert len(checks) >= 40
    for kind in (TestMemoryStore, TestMemoryStoreBatchPath, TestSQLiteStore, TestPostgresStore):
        assert checks == kind.check_names()
        assert not any(name in vars(kind) for name in checks), kind


def test_every_check_says_what_it_pins() -> None:
    """Every check of the contract has a docstring (the case it runs, for a check run once
    per case)."""
    for name in StoreContract.check_names():
        assert (getattr(StoreContract, name).__doc__ or "").strip(), name


def test_a_contract_without_a_store_says_how_to_give_it_one() -> None:
    """A subclass that does not override make_store fails with a message saying so; one that
    builds something else than a store is refused."""

    class NoStore(StoreContract):
        pass

    class NotAStore(StoreContract):
        def make_store(self) -> Store:
            return object()  # type: ignore[return-value]

    with pytest.raises(NotImplementedError, match="must override make_store"):
        NoStore().test_missing_nomination()
    with pytest.raises(TypeError, match=r"must return a pilotflow\.store\.Store"):
        NotAStore().test_missing_nomination()


def test_run_all_reports_a_store_that_breaks_the_contract() -> None:
    """``run_all`` names the checks a broken store fails: a store that forgets the version
    check fails the stale-write checks (so the contract can fail, and says where)."""

    class Forgetful(pf.MemoryStore):
        """Takes a change computed from an old version as if it were fresh: no version check,
        neither of a nomination nor of a submission."""

        def commit(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
            fresh: list[AnyChange] = []
            for c in changes:
                if isinstance(c, SubmissionChange) and c.before is not None:
                    letter = self.get_submission(c.after.id)
                    c = c._replace(before=letter, after=attrs.evolve(c.after, version=letter.version + 1))
                elif isinstance(c, Change) and c.before is not None:
                    stored = self.get(c.after.id)
                    c = c._replace(before=stored, after=attrs.evolve(c.after, version=stored.version + 1))
                fresh.append(c)
            super().commit(campaign, fresh, receipt)

    class TestForgetful(StoreContract):
        def make_store(self) -> Store:
            return Forgetful()

    failures = TestForgetful.run_all()
    assert "test_a_change_computed_from_a_stale_read_is_a_conflict" in failures
    assert "test_a_batch_with_one_stale_change_writes_nothing" in failures
    assert "test_a_stale_submission_change_is_a_conflict" in failures
    assert "test_nominate_and_read_back" not in failures


def test_the_documented_example_runs_with_pytest(tmp_path: Path) -> None:
    """The host's test module shown in docs/testing.md, run by pytest as a host would run it,
    collects every check of the contract (and not the base class) and passes."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    module = tmp_path / "test_my_store.py"
    module.write_text(blocks[0], encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
         str(module)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )  # fmt: skip
    assert 0 == done.returncode, done.stdout + done.stderr
    assert f"{len(StoreContract.check_names())} passed" in done.stdout


# -- checks that build changes through the service's private methods ----------------------


def _state(run: pf.CampaignRun) -> tuple[object, ...]:
    """Everything a store holds for the run: nominations, submissions, events, quota use."""
    return (
        sorted((n.id, n.version, n.state, n.holder) for n in run.nominations()),
        sorted((s.id, s.version, s.state, s.units, s.stamps) for s in run.submissions()),
        [(e.nomination_id, e.version, e.action) for e in run.events()],
        run.store.quota_usage(run.campaign.id),
    )


def test_stale_write_is_a_conflict(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Committing a change computed from an old version raises ConflictError and writes
    nothing (optimistic concurrency)."""
    run = make_run(store)
    n = nominate(run, 1)
    stale = run.get(n.id)
    run.attach(pf.Actor("371002", "industry", "a"), n.id, PAPER)
    before = _state(run)
    change = run._change(  # the change a second worker computed from the stale read
        stale, run._context(stale, pf.Actor("371002", "health", "b"), shanghai(2023, 10, 17, 10),
                            "attach"),
        "attach", pf.Actor("371002", "health", "b"), shanghai(2023, 10, 17, 10), stale.state,
        None, {"material": PAPER},
    )  # fmt: skip
    with pytest.raises(pf.ConflictError) as info:
        store.commit(run.campaign.id, [change])
    assert (info.value.expected, info.value.actual) == (1, 2)
    assert before == _state(run)


def test_batch_is_all_or_nothing(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """A batch whose last change conflicts writes none of the earlier changes either."""
    run = make_run(store)
    a = nominate(run, 1)
    b = nominate(run, 2)
    actor = pf.Actor("371002", "industry", "a")
    at = shanghai(2023, 10, 17, 10)
    good = run._change(a, run._context(a, actor, at, "attach"), "attach", actor, at, a.state,
                       None, {"material": PAPER})  # fmt: skip
    run.attach(actor, b.id, PAPER)  # b moves on: a change computed from the old b is stale
    stale = run._change(b, run._context(b, actor, at, "attach"), "attach", actor, at, b.state,
                        None, {"material": PAPER})  # fmt: skip
    before = _state(run)
    with pytest.raises(pf.ConflictError):
        store.commit(run.campaign.id, [good, stale])
    assert before == _state(run)
    assert run.get(a.id).version == 1


def test_quota_seat_is_enforced_by_the_store(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """Even if two changes were judged against the same free seat, the store lets only
    the quota's worth through and the loser gets QuotaExceeded with nothing written."""
    run = make_run(store)
    ids = []
    for i in range(4):
        n = nominate(run, i, origin="371002", unit_type="park")
        n = forward(run, n.id)  # district -> Weihai (no quota at district level)
        ids.append(stamp_all(run, n.id))
    weihai = pf.Actor("371000", "industry", "lead")
    at = shanghai(2023, 10, 17, 11)
    # Judge both before committing either: both see the one park seat of Weihai free.
    changes: list[Change] = [
        run._change(n, run._context(n, weihai, at, "recommend"), "recommend", weihai, at,
                    n.state, None, None)
        for n in ids[:2]
    ]  # fmt: skip
    store.commit(run.campaign.id, [changes[0]])
    before = _state(run)
    with pytest.raises(pf.QuotaExceeded) as info:
        run._commit("recommend", [changes[1]])
    assert info.value.codes == ("quota_full",)
    assert before == _state(run)
    assert store.quota_used(run.campaign.id, "371000", "park") == 1


def test_get_many_reads_in_the_order_asked(store: Store, make_run: Callable[..., pf.CampaignRun]) -> None:
    """get_many gives the current versions in the order asked (a letter's order, repeats
    kept), refuses a missing id with NominationNotFound naming it, and anything but a list or
    tuple of ids (a lone id, a number) with InvalidInput."""
    run = make_run(store)
    a, b, c = (nominate(run, i) for i in range(3))
    b = run.attach(pf.Actor("371002", "industry", "clerk"), b.id, PAPER)
    assert [c, a, b, a] == store.get_many([c.id, a.id, b.id, a.id])
    assert [b] == store.get_many((b.id,))
    assert [] == store.get_many([])
    with pytest.raises(pf.NominationNotFound) as missing:
        store.get_many([a.id, "no-such-id", b.id])
    assert "no-such-id" in str(missing.value)
    with pytest.raises(pf.InvalidInput):
        store.get_many(a.id)  # type: ignore[arg-type]
    with pytest.raises(pf.InvalidInput):
        store.get_many(3)  # type: ignore[arg-type]


def test_campaign_ids_limit_is_a_whole_number_by_one_rule() -> None:
    """``campaign_ids(limit=2.0)`` and ``limit=0`` are refused by the one number rule, in the
    same words ("a whole number from 1 to 1000"), in English and Chinese."""
    store = pf.MemoryStore()
    for bad in (2.0, 0):
        with pytest.raises(pf.InvalidInput) as info:
            store.campaign_ids(limit=bad)  # type: ignore[arg-type]
        assert "limit" in info.value.en
        assert "1000" in info.value.en
        assert "1000" in info.value.zh
