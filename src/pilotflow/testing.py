"""The store contract, for a host that writes its own :class:`~pilotflow.store.Store`.

pilotflow's own stores (memory, SQLite, PostgreSQL) pass one contract: nominations and
submissions (推荐函) read back equal, the audit log keeps every event's content, a change
computed from a stale read is a conflict, a batch is all or nothing, the store itself refuses
a quota seat, a unit's second live nomination or a unit's second draft letter that a
concurrent writer took, a refusal leaves no trace, and text no store can hold is refused alike
everywhere. :class:`StoreContract` holds those checks as test methods; a host runs them on its
store by subclassing it and saying how to build a fresh, empty store. With pytest (the
subclass's name begins with ``Test``; the base class itself is not collected)::

    # tests/test_my_store.py
    from pilotflow.testing import StoreContract
    from myapp.store import MyStore

    class TestMyStore(StoreContract):
        def make_store(self) -> MyStore:
            return MyStore(...)  # a fresh, empty store for each check

With unittest, mix in ``unittest.TestCase`` (``class MyStoreTest(StoreContract,
unittest.TestCase)``). Override :meth:`StoreContract.close_store` to remove what a store
leaves behind (a schema, a file). Without any runner, :meth:`StoreContract.run_all` runs
every check and gives back the failures:

>>> import pilotflow as pf
>>> class TestMemoryStore(StoreContract):
...     def make_store(self) -> pf.Store:
...         return pf.MemoryStore()
>>> TestMemoryStore().test_missing_nomination()  # one check, as a runner calls it
>>> TestMemoryStore.run_all()
{}

The checks use only pilotflow's public API, the bundled campaign
(``smart-health-elderly-care-2023``) and its sample material files. This module needs no
test framework; see ``docs/testing.md``.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Any, ClassVar, Generic, TypeVar

import pendulum
from attrs import evolve

import pilotflow as pf

from .codes import make_code
from .samples import every_material, material_for
from .store import AnyChange, Receipt, ReceiptExists, SeatUnavailable, Store

__all__ = ["StoreContract"]

E = TypeVar("E", bound=BaseException)
_TZ = "Asia/Shanghai"
_CAMPAIGN = "smart-health-elderly-care-2023"


# -- small helpers (no test framework needed) --------------------------------------------


@functools.cache
def _bundled(campaign_id: str) -> pf.Campaign:
    return pf.load_campaign(campaign_id)


class _Raised(Generic[E]):
    """What :func:`_raises` caught: ``value``."""

    value: E


@contextmanager
def _raises(kind: type[E], match: str | None = None) -> Iterator[_Raised[E]]:
    """The body must raise ``kind`` (whose text matches the regular expression ``match``)."""
    caught: _Raised[E] = _Raised()
    try:
        yield caught
    except kind as exc:
        if match is not None and not re.search(match, str(exc)):
            raise AssertionError(
                f"{kind.__name__} raised, but {str(exc)[:300]!r} does not match {match!r}"
            ) from exc
        caught.value = exc
        return
    raise AssertionError(f"{kind.__name__} was not raised")


#: Checks run once per case: the method's name -> (case id, arguments) for each case.
_CASES: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}

F = TypeVar("F", bound=Callable[..., None])


def _cases(*cases: tuple[str, tuple[Any, ...]]) -> Callable[[F], F]:
    """Run the decorated check once per ``(case id, arguments)``: it becomes one test method
    per case, named ``<name>__<case id>`` (see :func:`_expand`)."""

    def mark(check: F) -> F:
        _CASES[check.__name__] = list(cases)
        return check

    return mark


def _expand(cls: type[_Harness]) -> type[_Harness]:
    """Replace each check marked with :func:`_cases` by one method per case."""
    for name, cases in _CASES.items():
        check = vars(cls)[name]
        delattr(cls, name)
        for case_id, args in cases:
            setattr(cls, f"{name}__{case_id}", _one_case(check, case_id, args))
    return cls


def _one_case(check: Callable[..., None], case_id: str, args: tuple[Any, ...]) -> Callable[[Any], None]:
    def run_case(self: Any) -> None:
        check(self, *args)

    run_case.__name__ = f"{check.__name__}__{case_id}"
    run_case.__qualname__ = f"{check.__qualname__}__{case_id}"
    run_case.__doc__ = f"{inspect.cleandoc(check.__doc__ or '')}\n\nCase: {case_id}."
    return run_case


class _HeldCommits(Store):
    """The store under test behind a door that keeps commits instead of writing them: a run on
    it judges actions against the real store's state, and the changes it would have committed
    can be committed later, once that state has moved on (a second worker's late commit)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.held: list[tuple[list[AnyChange], Receipt | None]] = []

    def get(self, nomination_id: str) -> pf.Nomination:
        return self.inner.get(nomination_id)

    def find_claim(
        self, campaign: str, unit_code: str, track: str = "new", project: str = ""
    ) -> pf.Nomination | None:
        return self.inner.find_claim(campaign, unit_code, track, project)

    def count_claims(self, campaign: str, unit_code: str, track: str = "new") -> int:
        return self.inner.count_claims(campaign, unit_code, track)

    def nominations(
        self,
        campaign: str,
        *,
        holder: str | None = None,
        state: str | None = None,
        unit_type: str | None = None,
    ) -> list[pf.Nomination]:
        return self.inner.nominations(campaign, holder=holder, state=state, unit_type=unit_type)

    def events(self, campaign: str, nomination_id: str | None = None) -> list[pf.Event]:
        return self.inner.events(campaign, nomination_id)

    def get_submission(self, submission_id: str) -> pf.Submission:
        return self.inner.get_submission(submission_id)

    def submissions(
        self,
        campaign: str,
        *,
        sender: str | None = None,
        receiver: str | None = None,
        state: str | None = None,
    ) -> list[pf.Submission]:
        return self.inner.submissions(campaign, sender=sender, receiver=receiver, state=state)

    def quota_used(self, campaign: str, authority: str, unit_type: str) -> int:
        return self.inner.quota_used(campaign, authority, unit_type)

    def quota_usage(self, campaign: str) -> dict[tuple[str, str], int]:
        return self.inner.quota_usage(campaign)

    def receipt(self, campaign: str, key: str) -> Receipt | None:
        return self.inner.receipt(campaign, key)

    def commit(self, campaign: str, changes: Sequence[AnyChange], receipt: Receipt | None = None) -> None:
        self.held.append((list(changes), receipt))

    def save_list(self, campaign: str, unit_list: pf.UnitList, load: pf.ListLoad) -> bool:
        return self.inner.save_list(campaign, unit_list, load)

    def list_loads(self, campaign: str, list_id: str | None = None) -> list[pf.ListLoad]:
        return self.inner.list_loads(campaign, list_id)

    def stored_list(self, campaign: str, list_id: str, version: str | None = None) -> pf.UnitList | None:
        return self.inner.stored_list(campaign, list_id, version)


_BAD_TEXTS = (
    ("nul", ("威海\x00公司", "control character")),
    ("lone_surrogate", ("威海\ud800公司", "lone surrogate")),
    ("zero_width_only", ("\u200b\u200b\u200b", "visible character")),
    ("escape_sequence", ("\x1b[2J威海", "control character")),
    ("ten_mebibytes", ("威" * (10 * 2**20), "at most")),
)


# -- the contract ------------------------------------------------------------------------


class _Harness:
    """What every check stands on: the store the host makes, its clean-up, and helpers."""

    #: The bundled campaign the checks run.
    campaign_id: ClassVar[str] = _CAMPAIGN

    # -- what a host overrides -------------------------------------------------------------

    def make_store(self) -> Store:
        """A fresh, empty store of the kind under test (override this)."""
        raise NotImplementedError(
            f"{type(self).__name__} must override make_store() to build the store to check"
        )

    def close_store(self, store: Store) -> None:
        """Release a store made by :meth:`make_store` (override to also remove its data)."""
        store.close()

    # -- set-up and clean-up (pytest, unittest, or run_all) ----------------------------

    def fresh_store(self) -> Store:
        """A store from :meth:`make_store`, closed by :meth:`close_store` after the check."""
        store = self.make_store()
        if not isinstance(store, Store):
            raise TypeError(f"make_store() must return a pilotflow.store.Store, got {type(store).__name__}")
        self.__dict__.setdefault("_contract_stores", []).append(store)
        return store

    def teardown_method(self, method: object = None) -> None:
        """Close the stores of the check that ran (pytest calls this after each check)."""
        stores: list[Store] = self.__dict__.pop("_contract_stores", [])
        for store in reversed(stores):
            self.close_store(store)

    def tearDown(self) -> None:
        """Close the stores of the check that ran (unittest calls this after each check)."""
        self.teardown_method()

    @classmethod
    def check_names(cls) -> list[str]:
        """The names of every check, in order."""
        return sorted(name for name in dir(cls) if name.startswith("test_") and callable(getattr(cls, name)))

    @classmethod
    def run_all(cls) -> dict[str, BaseException]:
        """Run every check, each on a fresh instance, without a test runner; the failures by
        check name (empty: the store keeps the contract)."""
        failures: dict[str, BaseException] = {}
        for name in cls.check_names():
            contract = cls()
            try:
                getattr(contract, name)()
            except Exception as exc:
                failures[name] = exc
            finally:
                contract.teardown_method()
        return failures

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def moment(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        """A moment in Asia/Shanghai: ``moment(2023, 10, 17, 9)`` is 09:00 on 17 October 2023."""
        return pendulum.datetime(year, month, day, hour, minute, tz=_TZ)

    def campaign(self) -> pf.Campaign:
        """The bundled campaign the checks run (loaded once: a campaign is immutable)."""
        return _bundled(self.campaign_id)

    def new_run(self, store: Store) -> pf.CampaignRun:
        """A run of the campaign on ``store``, with empty disqualification lists and a clock
        standing at 09:00 on 17 October 2023 (Asia/Shanghai)."""
        campaign = self.campaign()
        clock = pf.FixedClock(self.moment(2023, 10, 17, 9))
        return pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)

    @staticmethod
    def unit_code(n: int, division: str = "371002") -> str:
        """A valid unified social credit code registered in ``division``, distinct for each ``n``."""
        return make_code("91" + division, f"MA{n:06d}")

    def materials(self) -> list[pf.Material]:
        """Every material the campaign asks of a new nomination (paper ones declared, the
        electronic ones as real, inspected sample files)."""
        return every_material(self.campaign())

    def nominate(
        self, run: pf.CampaignRun, n: int, *, origin: str = "371002", unit_type: str = "enterprise",
        materials: bool = True,
    ) -> pf.Nomination:  # fmt: skip
        """File nomination number ``n`` at the district ``origin`` as its applicant (a unit
        registered there), with every material."""
        code = self.unit_code(n, origin)
        return run.nominate(
            pf.Actor.applicant(code, "applicant"), unit_code=code, unit_name=f"测试单位{n}",
            unit_type=unit_type, scenario="smart_nursing_homes", origin=origin,
            materials=self.materials() if materials else (),
        )  # fmt: skip

    @staticmethod
    def stamp_all(run: pf.CampaignRun, nomination_id: str) -> pf.Nomination:
        """Every stamping department of the holder stamps the letter carrying the nomination
        (a one-unit draft letter made for it if none lists it)."""
        n = run.get(nomination_id)
        for department in run.graph[n.holder].stamping:
            n = run.stamp(pf.Actor(n.holder, department, f"{department}-clerk"), nomination_id)
        return n

    @staticmethod
    def attach_letter(run: pf.CampaignRun, nomination_id: str) -> None:
        """The holder attaches the materials its letter to the next authority must carry (the
        stamped 推荐函...) to the letter carrying the nomination (a one-unit draft if none)."""
        n = run.get(nomination_id)
        lead = pf.Actor(n.holder, run.graph[n.holder].departments[0], "lead")
        if n.next_authority is not None:
            for req in run.letter_materials(n.holder, n.next_authority):
                run.attach(lead, nomination_id, material_for(run.campaign, req.kind, req.copies))

    def ready(self, run: pf.CampaignRun, nomination_id: str) -> pf.Nomination:
        """The holder's letter carrying the nomination gets its materials and every stamp: it
        is ready to be sent."""
        self.attach_letter(run, nomination_id)
        return self.stamp_all(run, nomination_id)

    @staticmethod
    def letter_ready(run: pf.CampaignRun, submission_id: str) -> pf.Submission:
        """A draft letter gets its own materials and every stamping department's stamp."""
        s = run.submission(submission_id)
        lead = pf.Actor(s.sender, run.graph[s.sender].departments[0], "lead")
        for req in run.letter_materials(s.sender, s.receiver):
            run.attach_to_submission(lead, s.id, material_for(run.campaign, req.kind, req.copies))
        for department in run.graph[s.sender].stamping:
            s = run.stamp_submission(pf.Actor(s.sender, department, f"{department}-clerk"), s.id)
        return s

    def forward(self, run: pf.CampaignRun, nomination_id: str) -> pf.Nomination:
        """Attach the letter's materials, stamp at the holder and recommend one level up."""
        n = self.ready(run, nomination_id)
        return run.recommend(pf.Actor(n.holder, run.graph[n.holder].departments[0], "lead"), n.id)

    @staticmethod
    def state(run: pf.CampaignRun) -> tuple[object, ...]:
        """Everything a store holds for the run: nominations, submissions, events, quota use."""
        return (
            sorted((n.id, n.version, n.state, n.holder) for n in run.nominations()),
            sorted((s.id, s.version, s.state, s.units, s.stamps) for s in run.submissions()),
            [(e.nomination_id, e.version, e.action) for e in run.events()],
            run.store.quota_usage(run.campaign.id),
        )

    @staticmethod
    def replays(run: pf.CampaignRun) -> None:
        """Replaying the log gives exactly the stored nominations, submissions and quota use."""
        snapshot = run.replay()
        assert {n.id: n for n in run.nominations()} == dict(snapshot.nominations)
        assert {s.id: s for s in run.submissions()} == dict(snapshot.submissions)
        assert run.store.quota_usage(run.campaign.id) == {k: v for k, v in snapshot.quota.items() if v}

    def held_run(self, store: Store) -> tuple[pf.CampaignRun, list[tuple[list[AnyChange], Receipt | None]]]:
        """A second run on ``store`` whose commits are held back, and the list they are kept in
        (changes, receipt): what a concurrent worker judged but has not committed yet."""
        held = _HeldCommits(store)
        return self.new_run(held), held.held


class _ReadingBack(_Harness):
    """Checks: what is written is read back, whole."""

    def test_nominate_and_read_back(self) -> None:
        """A filed nomination is read back equal, with one ``nominate`` event and version 1."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 1)
        assert n == run.get(n.id)
        assert n.version == 1
        assert [e.action for e in run.history(n.id)] == ["nominate"]
        assert n == store.find_claim(run.campaign.id, n.unit_code)

    def test_whole_route_round_trips(self) -> None:
        """Driving a nomination to the ministry stores every version, event and seat, and the
        log replays to exactly the stored state and quota use."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 1)
        for _ in range(3):
            n = self.forward(run, n.id)
        assert n.state == "received"
        assert n.holder == "MIN"
        assert n == run.get(n.id)
        snapshot = run.replay()
        assert {n.id: n} == dict(snapshot.nominations)
        assert {s.id: s for s in run.submissions()} == dict(snapshot.submissions)
        assert store.quota_usage(run.campaign.id) == dict(snapshot.quota)
        assert store.quota_used(run.campaign.id, "371000", "enterprise") == 1
        assert store.quota_used(run.campaign.id, "370000", "*") == 1
        assert [e.action for e in run.history(n.id)] == ["nominate", "recommend", "recommend", "recommend"]
        letters = run.submissions(state="sent")
        assert [(s.sender, s.receiver, s.units) for s in letters] == [
            ("371002", "371000", (n.id,)), ("371000", "370000", (n.id,)), ("370000", "MIN", (n.id,)),
        ]  # fmt: skip
        # Each letter: prepared, its materials, one stamp of each stamping department, sent.
        expected = sum(
            2 + len(run.letter_materials(s.sender, s.receiver)) + len(run.graph[s.sender].stamping)
            for s in letters
        )
        assert len(run.events()) == 4 + expected

    def test_the_campaigns_held_are_named(self) -> None:
        """``campaign_ids`` names the campaigns the store holds a nomination or a loaded list
        of, in order, at most ``limit`` (1 to 1,000) of them; an empty store holds none; a
        limit that is no whole number in range is refused. A store that cannot say answers
        None (the base class's default: allowed, and then nothing more is checked)."""
        store = self.fresh_store()
        for bad in (0, 1001, 2.5, "3", None, True):
            with _raises(pf.InvalidInput, match="limit"):
                store.campaign_ids(limit=bad)  # type: ignore[arg-type]
        if store.campaign_ids() is None:
            return
        assert store.campaign_ids() == ()
        run = self.new_run(store)
        self.nominate(run, 1)
        unit_list = pf.UnitList.build("other_list", [])
        load = pf.ListLoad(unit_list.id, unit_list.version, 0, pf.Actor("370000", "industry", "张三"),
                           self.moment(2023, 10, 16), "empty.csv")  # fmt: skip
        store.save_list("a-campaign-of-lists", unit_list, load)
        assert store.campaign_ids() == ("a-campaign-of-lists", run.campaign.id)
        assert store.campaign_ids(limit=1) == ("a-campaign-of-lists",)

    def test_events_keep_their_content(self) -> None:
        """An event read back from the store has the actor, moment (with its offset), verdicts,
        campaign revision, list versions and data it was written with."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 1)
        n = self.stamp_all(run, n.id)
        letter = run.carrying(n.id)
        assert letter is not None
        stamp = run.store.events(run.campaign.id, letter.id)[1]
        assert (stamp.action, stamp.nomination_id, stamp.version) == ("stamp_letter", letter.id, 2)
        assert pf.Actor("371002", "industry", "industry-clerk") == stamp.actor
        assert self.moment(2023, 10, 17, 9) == stamp.at
        assert stamp.at.isoformat()[-6:] == "+08:00"
        assert dict(stamp.data) == {"department": "industry"}
        assert run.campaign.revision == stamp.revision
        assert stamp.verdicts == ("letter_state", "actor_acts", "not_stamped_yet", "has_units")
        assert (stamp.from_state, stamp.to_state) == ("draft", "draft")
        assert set(run.campaign.screening_lists) <= {k for k, _ in stamp.lists}
        first = run.history(n.id)[0]
        assert tuple(self.materials()) == first.data["materials"]

    def test_missing_nomination(self) -> None:
        """Reading an unknown id raises NominationNotFound (a LookupError)."""
        store = self.fresh_store()
        with _raises(pf.NominationNotFound):
            store.get("no-such-id")
        with _raises(LookupError):
            store.get("no-such-id")

    def test_filters(self) -> None:
        """nominations() filters by holder, state and unit type, oldest first."""
        run = self.new_run(self.fresh_store())
        a = self.nominate(run, 1, unit_type="park")
        b = self.nominate(run, 2, unit_type="base")
        c = self.nominate(run, 3, origin="371003", unit_type="park")
        self.forward(run, c.id)
        assert [a.id, b.id] == [n.id for n in run.nominations(holder="371002")]
        assert [a.id] == [n.id for n in run.nominations(holder="371002", unit_type="park")]
        assert [c.id] == [n.id for n in run.nominations(holder="371000", state="in_review")]
        assert run.nominations(state="received") == []

    def test_multi_line_reasons_keep_their_lines(self) -> None:
        """A reason may hold line breaks and tabs (a written opinion), stored and read back alike."""
        run = self.new_run(self.fresh_store())
        n = self.nominate(run, 1)
        run.decline(pf.Actor("371002", "industry", "c"), n.id, reason="  一、材料不全；\n二、\t数据不实  ")
        assert run.history(n.id)[-1].reason == "一、材料不全；\n二、\t数据不实"

    def test_a_repeated_command_is_answered_from_its_receipt(self) -> None:
        """A command carrying an idempotency key leaves a receipt the store gives back; the
        same command sent again is answered from it, with no second event."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 1)
        clerk = pf.Actor("371002", "industry", "clerk")
        first = run.stamp(clerk, n.id, idempotency_key="stamp-1")
        kept = store.receipt(run.campaign.id, "stamp-1")
        assert kept is not None
        assert kept.key == "stamp-1"
        assert kept.fingerprint
        assert kept.result
        assert store.receipt(run.campaign.id, "stamp-2") is None
        events = len(run.events())
        assert first == run.stamp(clerk, n.id, idempotency_key="stamp-1")
        assert events == len(run.events())


class _WhatTheStoreEnforces(_Harness):
    """Checks: versions, seats, claims and receipts are held by the store itself, and a
    refusal leaves no trace."""

    def test_a_change_computed_from_a_stale_read_is_a_conflict(self) -> None:
        """A change a second worker computed from a version that has since moved on raises
        ConflictError (expected and actual versions) and writes nothing."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 1)
        late, held = self.held_run(store)
        paper = pf.Material("application_form_paper", copies=3)
        late.attach(pf.Actor("371002", "health", "b"), n.id, paper)  # judged on version 1, held back
        run.attach(pf.Actor("371002", "industry", "a"), n.id, paper)  # version 2 is written first
        before = self.state(run)
        with _raises(pf.ConflictError) as info:
            store.commit(run.campaign.id, *held[0])
        assert (n.id, 1, 2) == (info.value.nomination_id, info.value.expected, info.value.actual)
        assert before == self.state(run)

    def test_a_batch_with_one_stale_change_writes_nothing(self) -> None:
        """A batch whose last change is stale is refused with ConflictError as a whole: its
        earlier, valid change is not written either."""
        store = self.fresh_store()
        run = self.new_run(store)
        a, b = self.nominate(run, 1), self.nominate(run, 2)
        clerk = pf.Actor("371002", "industry", "a")
        paper = pf.Material("application_form_paper", copies=3)
        late, held = self.held_run(store)
        late.attach(clerk, a.id, paper)
        late.attach(clerk, b.id, paper)
        run.attach(clerk, b.id, paper)  # b moves on: the held change of b is stale
        before = self.state(run)
        with _raises(pf.ConflictError):
            store.commit(run.campaign.id, held[0][0] + held[1][0])
        assert before == self.state(run)
        assert run.get(a.id).version == 1

    def test_the_store_refuses_a_seat_two_writers_judged_free(self) -> None:
        """Two recommendations judged against the same last free seat: the store lets the
        first in and refuses the second itself, with SeatUnavailable naming the seat, the full
        counter and its figures; nothing of the second is written."""
        store = self.fresh_store()
        run = self.new_run(store)
        ids = []
        for i in range(2):
            n = self.forward(run, self.nominate(run, i, unit_type="park").id)  # at Weihai
            ids.append(self.ready(run, n.id).id)  # its one-unit letter to Shandong, stamped
        letters = [run.carrying(nid) for nid in ids]
        assert None not in letters
        weihai = pf.Actor("371000", "industry", "lead")  # one park seat at Weihai
        late, held = self.held_run(store)
        for nid in ids:
            late.recommend(weihai, nid)  # both judged while the seat is free
        store.commit(run.campaign.id, *held[0])
        before = self.state(run)
        with _raises(SeatUnavailable) as info:
            store.commit(run.campaign.id, *held[1])  # the letter's send and its unit's move
        full = info.value
        assert (full.seat.authority, full.key, full.used, full.limit) == ("371000", "park", 1, 1)
        assert before == self.state(run)
        assert store.quota_used(run.campaign.id, "371000", "park") == 1
        second = letters[1]
        assert second is not None
        assert second == store.get_submission(second.id)  # the stamped draft, as it was

    def test_the_store_refuses_a_second_live_nomination_of_a_unit(self) -> None:
        """Two nominations of one unit filed at once (each judged before the other is
        written): the store takes the first and refuses the second with DuplicateNomination
        naming the first; nothing of the second is written."""
        store = self.fresh_store()
        run = self.new_run(store)
        late, held = self.held_run(store)
        first, second = self.nominate(late, 7), self.nominate(late, 7)
        store.commit(run.campaign.id, *held[0])
        before = self.state(run)
        with _raises(pf.DuplicateNomination) as info:
            store.commit(run.campaign.id, *held[1])
        assert (self.unit_code(7), first.id) == (info.value.unit_code, info.value.existing_id)
        assert before == self.state(run)
        with _raises(pf.NominationNotFound):
            store.get(second.id)

    def test_a_receipt_key_is_taken_once(self) -> None:
        """A commit carrying a receipt whose key another command has stored meanwhile raises
        ReceiptExists and writes nothing, not even its change."""
        store = self.fresh_store()
        run = self.new_run(store)
        a, b = self.nominate(run, 1), self.nominate(run, 2)
        clerk = pf.Actor("371002", "industry", "clerk")
        late, held = self.held_run(store)
        late.stamp(clerk, a.id, idempotency_key="k")
        run.stamp(clerk, b.id, idempotency_key="k")
        before = self.state(run)
        changes, receipt = held[0]
        assert receipt is not None
        with _raises(ReceiptExists) as info:
            store.commit(run.campaign.id, changes, receipt)
        assert info.value.key == "k"
        assert before == self.state(run)

    def test_one_live_nomination_per_unit(self) -> None:
        """A second live nomination of the same unit is refused; after withdrawal it is allowed."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 7)
        with _raises(pf.DuplicateNomination) as info:
            self.nominate(run, 7)
        assert n.id == info.value.existing_id
        run.withdraw(pf.Actor.applicant(n.unit_code, "x"), n.id, reason="重新准备材料")
        assert store.find_claim(run.campaign.id, n.unit_code) is None
        again = self.nominate(run, 7)
        assert again.id != n.id
        assert again == store.find_claim(run.campaign.id, self.unit_code(7))

    def test_claims_are_counted_per_unit(self) -> None:
        """``count_claims`` counts a unit's nominations that claim it (what a cap per applicant
        counts), in one query: a withdrawn one no longer counts, another unit's never does."""
        store = self.fresh_store()
        run = self.new_run(store)
        n = self.nominate(run, 7)
        self.nominate(run, 8)
        assert store.count_claims(run.campaign.id, n.unit_code) == 1
        assert store.count_claims(run.campaign.id, n.unit_code, "re_review") == 0
        assert store.count_claims("another-campaign", n.unit_code) == 0
        run.withdraw(pf.Actor.applicant(n.unit_code, "x"), n.id, reason="重新准备材料")
        assert store.count_claims(run.campaign.id, n.unit_code) == 0
        assert store.count_claims(run.campaign.id, self.unit_code(8)) == 1

    def test_refusal_leaves_no_trace(self) -> None:
        """A refused action changes nothing in the store: state, quota and log are as before."""
        run = self.new_run(self.fresh_store())
        n = self.nominate(run, 1)
        before = self.state(run)
        with _raises(pf.ActionRefused):
            run.recommend(pf.Actor("371002", "industry", "a"), n.id)  # stamps missing
        with _raises(pf.ActionRefused):
            run.stamp(pf.Actor("371003", "industry", "a"), n.id)  # not the holder
        assert before == self.state(run)


class _OneRuleForText(_Harness):
    """Checks: text no store can hold is refused, or found nowhere, alike on every store."""

    @_cases(*_BAD_TEXTS)
    def test_a_unit_name_breaking_the_text_rule_is_refused(self, text: str, problem: str) -> None:
        """A unit name with NUL, a lone surrogate, only zero-width characters, an escape sequence
        or 10 MiB is refused alike on every store, as InvalidInput naming the field; nothing is
        written."""
        run = self.new_run(self.fresh_store())
        before = self.state(run)
        code = self.unit_code(1)
        with _raises(pf.InvalidInput, match=problem) as error:
            run.nominate(
                pf.Actor.applicant(code, "a"), unit_code=code, unit_name=text, unit_type="enterprise",
                scenario="smart_nursing_homes", origin="371002", materials=self.materials(),
            )  # fmt: skip
        assert "unit_name" in error.value.en
        assert before == self.state(run)

    @_cases(*_BAD_TEXTS)
    def test_reasons_and_keys_breaking_the_text_rule_are_refused(self, text: str, problem: str) -> None:
        """A reason, an idempotency key and an actor's person id obey the same rule on every store."""
        run = self.new_run(self.fresh_store())
        n = self.nominate(run, 1)
        before = self.state(run)
        clerk = pf.Actor("371002", "industry", "clerk")
        with _raises(pf.InvalidInput, match=problem):
            run.decline(clerk, n.id, reason=text)
        with _raises(pf.InvalidInput):
            run.stamp(clerk, n.id, idempotency_key=text)
        with _raises(pf.InvalidInput):
            pf.Actor("371002", "industry", text)
        assert before == self.state(run)

    @_cases(("lone_surrogate", ("\ud800",)), ("nul", ("abc\x00",)), ("ten_thousand", ("x" * 10_000,)))
    def test_reading_with_an_impossible_id_is_invalid_input(self, bad_id: str) -> None:
        """``get``, ``history``, ``position`` and an action given an id no store can hold say so
        (InvalidInput naming the id) on every store, never a driver's encoding error."""
        run = self.new_run(self.fresh_store())
        self.nominate(run, 1)
        for call in (
            lambda: run.get(bad_id),
            lambda: run.history(bad_id),
            lambda: run.position(bad_id),
            lambda: run.stamp(pf.Actor("371002", "industry", "c"), bad_id),
        ):
            with _raises(pf.InvalidInput, match="nomination id"):
                call()

    def test_paper_material_carries_no_file_fields(self) -> None:
        """A paper material declared with a file name (which no inspection checked) is refused;
        copies are bounded."""
        run = self.new_run(self.fresh_store())
        n = self.nominate(run, 1, materials=False)
        clerk = pf.Actor("371002", "industry", "c")
        with _raises(pf.InvalidInput, match="paper material"):
            run.attach(clerk, n.id, pf.Material("application_form_paper", copies=3, filename="\ud800.pdf"))
        with _raises(pf.InvalidInput, match="copies"):
            pf.Material("application_form_paper", copies=10**20)

    @_cases(
        ("nul", ("a\x00b",)), ("lone_surrogate", ("a\ud800",)), ("zero_width", ("\u200b",)),
        ("hundred_thousand", ("x" * 100_000,)), ("not_text", (5,)),
    )  # fmt: skip
    def test_a_nominations_reason_obeys_the_text_rule(self, reason: object) -> None:
        """``nominate(reason=...)`` is held to the text rule like every other reason, on every
        store: refused as InvalidInput, nothing written."""
        run = self.new_run(self.fresh_store())
        before = self.state(run)
        code = self.unit_code(1)
        with _raises(pf.InvalidInput, match="nominate reason"):
            run.nominate(
                pf.Actor.applicant(code, "a"), unit_code=code, unit_name="单位", unit_type="enterprise",
                scenario="smart_nursing_homes", origin="371002", reason=reason,  # type: ignore[arg-type]
            )  # fmt: skip
        assert before == self.state(run)

    @_cases(
        ("hangul_filler", ("\u3164",)), ("blank_braille", ("\u2800\u2800",)),
        ("halfwidth_filler", ("\uffa0",)), ("bidi_override", ("a\u202eb",)),
        ("line_separator", ("a\u2028b",)),
    )  # fmt: skip
    def test_blank_letters_and_bidi_controls_are_not_a_name(self, name: str) -> None:
        """A name made of characters that print as nothing (Hangul fillers, the blank Braille
        pattern), or holding a bidirectional override or a line separator, is refused alike on
        every store."""
        run = self.new_run(self.fresh_store())
        code = self.unit_code(1)
        with _raises(pf.InvalidInput, match="unit_name"):
            run.nominate(
                pf.Actor.applicant(code, "a"), unit_code=code, unit_name=name, unit_type="enterprise",
                scenario="smart_nursing_homes", origin="371002",
            )  # fmt: skip

    @_cases(("lone_surrogate", ("\ud800",)), ("nul", ("a\x00b",)))
    def test_a_store_lookup_by_text_no_store_can_hold_finds_nothing(self, odd: str) -> None:
        """Called directly, every store answers a lookup by text it cannot hold (a lone surrogate,
        a NUL) alike: not found, nothing, zero; never a driver's encoding error."""
        store = self.fresh_store()
        with _raises(pf.NominationNotFound):
            store.get(odd)
        assert store.events("c", odd) == []
        assert store.nominations(odd) == []
        assert None is store.find_claim("c", odd)
        assert None is store.find_claim("c", "u", "new", odd)
        assert store.count_claims("c", odd) == 0
        assert None is store.receipt("c", odd)
        assert store.quota_used("c", odd, "enterprise") == 0
        assert store.quota_usage(odd) == {}

    @_cases(("list", ([],)), ("int", (5,)), ("none", (None,)))
    def test_a_store_lookup_by_something_that_is_not_text_is_invalid_input(self, odd: object) -> None:
        """Called directly, every store refuses a lookup argument that is not text with an
        InvalidInput naming it, and ``commit`` refuses changes that are not a list."""
        store = self.fresh_store()
        with _raises(pf.InvalidInput):
            store.get(odd)  # type: ignore[arg-type]
        if odd is not None:  # None is "no filter" where a filter is optional
            with _raises(pf.InvalidInput):
                store.events("c", odd)  # type: ignore[arg-type]
        with _raises(pf.InvalidInput):
            store.quota_used("c", odd, "enterprise")  # type: ignore[arg-type]
        with _raises(pf.InvalidInput):
            store.receipt("c", odd)  # type: ignore[arg-type]
        with _raises(pf.InvalidInput):
            store.count_claims("c", odd)  # type: ignore[arg-type]
        if odd != []:  # an empty list of changes commits nothing
            with _raises(pf.InvalidInput, match="changes"):
                store.commit("c", odd)  # type: ignore[arg-type]


_expand(_OneRuleForText)


class _Submissions(_Harness):
    """Checks: a submission (推荐函) is stored whole, its version and its units' listing held
    by the store, and a batch holding a letter's change is all or nothing."""

    def district_letter(self, run: pf.CampaignRun, *numbers: int) -> pf.Submission:
        """The units ``numbers`` filed at the Weihai district 371002 and listed there in one
        draft letter to Weihai, in that order."""
        ids = [self.nominate(run, i).id for i in numbers]
        return run.prepare_submission(pf.Actor("371002", "industry", "lead"), ids)

    def test_a_submission_round_trips(self) -> None:
        """A letter prepared, given its materials and stamps, and sent reads back equal at
        every step; ``submissions`` filters by sender, receiver and state; its events are read
        back by its id, in order; its units' moves name it; the log replays to it."""
        store = self.fresh_store()
        run = self.new_run(store)
        draft = self.district_letter(run, 1, 2)
        assert draft == store.get_submission(draft.id)
        assert (draft.state, draft.version, draft.sender, draft.receiver) == ("draft", 1, "371002", "371000")
        other = self.district_letter(run, 3)  # a second draft of the same sender
        ready = self.letter_ready(run, draft.id)
        assert ready == store.get_submission(draft.id)
        sent = run.send(pf.Actor("371002", "industry", "lead"), draft.id)
        assert sent == store.get_submission(draft.id) == run.submission(draft.id)
        assert (sent.state, sent.units, sent.stamps) == ("sent", draft.units, ready.stamps)
        assert sent.sent_versions == tuple(run.get(nid).version for nid in sent.units)
        campaign = run.campaign.id
        assert [draft.id, other.id] == [s.id for s in store.submissions(campaign, sender="371002")]
        assert [sent] == store.submissions(campaign, receiver="371000", state="sent")
        assert [other.id] == [s.id for s in store.submissions(campaign, state="draft")]
        assert store.submissions(campaign, sender="371003") == []
        assert store.submissions(campaign, receiver="370000") == []
        assert store.submissions("another-campaign") == []
        events = store.events(campaign, draft.id)
        assert [e.version for e in events] == list(range(1, sent.version + 1))
        assert (events[0].action, events[-1].action) == ("prepare_submission", "send")
        assert {e.nomination_id for e in events} == {draft.id}
        assert events == [e for e in run.events() if e.nomination_id == draft.id]
        for rank, nid in enumerate(sent.units, 1):
            moved = store.events(campaign, nid)[-1]
            assert (moved.action, moved.data["submission"]) == ("recommend", draft.id)
            assert moved.data["rank"] == rank
            assert run.get(nid).holder == "371000"
        assert store.quota_used(campaign, "371000", "enterprise") == 0  # seats are taken at Weihai's send
        self.replays(run)

    def test_a_missing_submission(self) -> None:
        """Reading an unknown submission raises SubmissionNotFound (a LookupError)."""
        store = self.fresh_store()
        with _raises(pf.SubmissionNotFound):
            store.get_submission("no-such-letter")
        with _raises(LookupError):
            store.get_submission("no-such-letter")

    def test_a_stale_submission_change_is_a_conflict(self) -> None:
        """A letter's change a second worker computed from a version that has since moved on
        raises ConflictError (the letter's id, expected and actual versions) and writes nothing."""
        store = self.fresh_store()
        run = self.new_run(store)
        draft = self.district_letter(run, 1)
        late, held = self.held_run(store)
        late.stamp_submission(pf.Actor("371002", "health", "b"), draft.id)  # judged on version 1
        run.stamp_submission(pf.Actor("371002", "industry", "a"), draft.id)  # version 2 written first
        before = self.state(run)
        with _raises(pf.ConflictError) as info:
            store.commit(run.campaign.id, *held[0])
        assert (draft.id, 1, 2) == (info.value.nomination_id, info.value.expected, info.value.actual)
        assert before == self.state(run)
        assert store.get_submission(draft.id).stamps == ("industry",)

    def test_a_letter_whose_seat_is_taken_meanwhile_writes_nothing(self) -> None:
        """Two letters of Weihai, each carrying a park (one park seat), both sent while the
        seat was free: the store takes the first and refuses the second's batch (the letter's
        send and its unit's move) with SeatUnavailable; the second letter's row, its unit and
        the log are as they were."""
        store = self.fresh_store()
        run = self.new_run(store)
        weihai = pf.Actor("371000", "industry", "lead")
        letters = []
        for i in range(2):
            n = self.forward(run, self.nominate(run, i, unit_type="park").id)  # at Weihai
            letters.append(self.letter_ready(run, run.prepare_submission(weihai, [n.id]).id))
        late, held = self.held_run(store)
        for letter in letters:
            late.send(weihai, letter.id)
        store.commit(run.campaign.id, *held[0])
        before = self.state(run)
        with _raises(SeatUnavailable):
            store.commit(run.campaign.id, *held[1])
        assert before == self.state(run)
        assert letters[1] == store.get_submission(letters[1].id)
        assert run.get(letters[1].units[0]).holder == "371000"
        assert store.quota_used(run.campaign.id, "371000", "park") == 1
        self.replays(run)

    def test_a_unit_is_listed_in_one_draft_at_a_time(self) -> None:
        """Two drafts listing the same unit, each judged before the other was written: the
        store takes the first and refuses the second with ConflictError naming that unit;
        nothing of the second is written."""
        store = self.fresh_store()
        run = self.new_run(store)
        a, b = self.nominate(run, 1), self.nominate(run, 2)
        late, held = self.held_run(store)
        clerk = pf.Actor("371002", "industry", "lead")
        first = late.prepare_submission(clerk, [a.id])
        second = late.prepare_submission(clerk, [b.id, a.id])  # judged while a was in no draft
        store.commit(run.campaign.id, *held[0])
        before = self.state(run)
        with _raises(pf.ConflictError) as info:
            store.commit(run.campaign.id, *held[1])
        assert info.value.nomination_id == a.id  # the unit the first draft lists, not b
        assert before == self.state(run)
        assert [first] == run.submissions()
        with _raises(pf.SubmissionNotFound):
            store.get_submission(second.id)
        assert run.prepare_submission(clerk, [b.id]).units == (b.id,)  # b was never listed

    def test_a_unit_leaving_its_draft_is_free_to_be_listed_again(self) -> None:
        """A unit taken out of its draft, or withdrawn by its applicant, is no longer listed
        there: the store lets another draft list it (a draft judged while it was still listed
        commits once it has left), and the log replays to the letters."""
        store = self.fresh_store()
        run = self.new_run(store)
        a, b = self.nominate(run, 1), self.nominate(run, 2)
        clerk = pf.Actor("371002", "industry", "lead")
        late, held = self.held_run(store)
        late.prepare_submission(clerk, [a.id])  # judged while a is in no draft
        late.prepare_submission(clerk, [a.id])  # a second one, the same
        draft = run.prepare_submission(clerk, [a.id, b.id])
        with _raises(pf.ConflictError):
            store.commit(run.campaign.id, *held[0])  # a is listed in the draft
        run.withdraw(pf.Actor.applicant(a.unit_code, "contact"), a.id, reason="不再申报")
        assert (b.id,) == store.get_submission(draft.id).units
        store.commit(run.campaign.id, *held[1])  # a's listing was released with its withdrawal
        run.remove_from_submission(clerk, draft.id, b.id)
        again = run.prepare_submission(clerk, [b.id])
        assert again.units == (b.id,)
        assert store.get_submission(draft.id).units == ()
        self.replays(run)


#: The quota rules the quota-kind checks add in front of the bundled campaign's: a cap of one
#: enterprise per central enterprise group across every city, and Weihai's cap of one
#: enterprise made soft (the industry department may exceed it with a reason).
_QUOTA_KINDS = """
quotas:
  - name: central_enterprise_groups
    recommender: {levels: [city]}
    group: {list: ce_members}
    limits: {enterprise: 1}
  - name: weihai_in_principle
    recommender: {codes: ["371000"]}
    limits: {enterprise: 1}
    soft: {exceed_by: [industry]}
"""


@functools.cache
def _quota_kinds(campaign_id: str) -> pf.Campaign:
    """The bundled campaign with the rules of :data:`_QUOTA_KINDS` first among its quotas."""
    path = resources.files("pilotflow").joinpath("data", "campaigns", f"{campaign_id}.yaml")
    text = path.read_text(encoding="utf-8").replace("\nquotas:\n", _QUOTA_KINDS, 1)
    text = text.replace(
        "\nlists:\n",
        "\nlists:\n  ce_members: {en: central enterprise members, zh: 中央企业成员单位, kind: tag}\n",
        1,
    )
    return pf.parse_campaign(text, source=f"{campaign_id}+quota-kinds")


class _QuotaKinds(_Harness):
    """Checks: group seats and soft caps are held by the store like an authority's seats."""

    def tagged_run(self, store: Store, *members: tuple[int, str]) -> pf.CampaignRun:
        """A run of the quota-kinds campaign on ``store``; ``members``: (number, district) of
        the units of central enterprise group ``G1``."""
        campaign = _quota_kinds(self.campaign_id)
        since = self.moment(2023, 1, 1)
        listing = [pf.Listing(self.unit_code(n, d), since, group="G1") for n, d in members]
        lists = [*pf.empty_lists(campaign), pf.UnitList.build("ce_members", listing)]
        return pf.CampaignRun(
            campaign, store=store, lists=lists, clock=pf.FixedClock(self.moment(2023, 10, 17, 9))
        )

    def test_the_store_refuses_a_group_seat_two_cities_judged_free(self) -> None:
        """Members of one group recommended by two cities, both judged while the group's last
        seat was free: the store takes the first and refuses the second with SeatUnavailable
        naming the group's counter; the log still replays to the stored quota use."""
        store = self.fresh_store()
        run = self.tagged_run(store, (1, "371002"), (2, "370102"))
        ids = [self.ready(run, self.forward(run, self.nominate(run, i, origin=d).id).id).id
               for i, d in ((1, "371002"), (2, "370102"))]  # fmt: skip
        late = _HeldCommits(store)
        late_run = pf.CampaignRun(run.campaign, store=late, lists=list(run.lists.values()), clock=run.clock)
        for nid, city in zip(ids, ("371000", "370100"), strict=True):
            late_run.recommend(pf.Actor(city, "industry", "lead"), nid)  # both judged while free
        held = late.held
        store.commit(run.campaign.id, *held[0])
        before = self.state(run)
        with _raises(SeatUnavailable) as info:
            store.commit(run.campaign.id, *held[1])
        assert (info.value.seat.authority, info.value.used, info.value.limit) == ("group:ce_members:G1", 1, 1)
        assert before == self.state(run)
        assert store.quota_usage(run.campaign.id) == {k: v for k, v in run.replay().quota.items() if v}

    def test_a_soft_cap_is_exceeded_in_the_store_only_as_the_guard_allowed(self) -> None:
        """Weihai's soft cap: a second enterprise without a reason is refused and leaves no
        trace; the industry department's recommendation with a reason is written past the cap,
        its reason kept in the event, and the log replays to the stored quota use."""
        store = self.fresh_store()
        run = self.tagged_run(store)
        weihai = pf.Actor("371000", "industry", "lead")
        ids = [self.ready(run, self.forward(run, self.nominate(run, i).id).id).id for i in range(2)]
        run.recommend(weihai, ids[0])
        before = self.state(run)
        with _raises(pf.QuotaExceeded):
            run.recommend(weihai, ids[1])
        assert before == self.state(run)
        run.recommend(weihai, ids[1], exceed_quota_reason="重点项目")
        assert run.history(ids[1])[-1].data["exceed_quota_reason"] == "重点项目"
        assert store.quota_used(run.campaign.id, "371000", "enterprise") == 2
        assert store.quota_usage(run.campaign.id) == {k: v for k, v in run.replay().quota.items() if v}

    def test_a_letter_within_and_past_a_soft_cap_is_written_whole(self) -> None:
        """One letter of two enterprises to Weihai's soft cap of one, none in use, sent with
        a reason: the first fits under the cap, the second exceeds it as the guard allows.
        The store holds each seat to its own cap, in order (the second's no cap lends the
        first's none): the letter is sent, two seats in use, and the log replays to them."""
        store = self.fresh_store()
        run = self.tagged_run(store)
        weihai = pf.Actor("371000", "industry", "lead")
        ids = [self.forward(run, self.nominate(run, i).id).id for i in range(2)]
        letter = self.letter_ready(run, run.prepare_submission(weihai, ids).id)

        sent = run.send(weihai, letter.id, exceed_quota_reason="重点项目")

        assert (sent.state, tuple(run.get(i).holder for i in ids)) == ("sent", ("370000", "370000"))
        assert store.quota_used(run.campaign.id, "371000", "enterprise") == 2
        assert store.quota_usage(run.campaign.id) == {k: v for k, v in run.replay().quota.items() if v}


class _Lists(_Harness):
    """Checks: the lists (名单) loaded are kept by version, with who loaded them and when, and
    a run on the store judges with them."""

    list_id: ClassVar[str] = "dishonest_debtors"

    def unit_list(self, *numbers: int, version: str | None = None) -> pf.UnitList:
        """The list :attr:`list_id` with the units ``numbers``, each listed from 10 October
        2023 (every second one until 20 October, with a name, a reason and a group)."""
        since, until = self.moment(2023, 10, 10), self.moment(2023, 10, 20)
        entries = [
            pf.Listing(self.unit_code(n), since, until if n % 2 else None, f"判决未履行{n}", f"单位{n}",
                       "G1" if n % 2 else "")
            for n in numbers
        ]  # fmt: skip
        return pf.UnitList.build(self.list_id, entries, version=version)

    def load(self, unit_list: pf.UnitList, day: int = 17) -> pf.ListLoad:
        """The record of a load of ``unit_list`` by Shandong's industry department."""
        actor = pf.Actor("370000", "industry", "张三")
        at = self.moment(2023, 10, day, 9)
        return pf.ListLoad(unit_list.id, unit_list.version, len(unit_list), actor, at, "debtors.csv")

    def test_a_list_loaded_reads_back_equal(self) -> None:
        """A list saved reads back with the same id, version and entries (moments, an open
        end, names, reasons, groups), its hash still matching its entries; the load reads back
        with who loaded it, when and from what."""
        store = self.fresh_store()
        campaign = self.campaign().id
        first = self.unit_list(1, 2, 3)
        assert store.list_loads(campaign) == []
        assert store.stored_list(campaign, self.list_id) is None
        assert store.save_list(campaign, first, self.load(first)) is True
        back = store.stored_list(campaign, self.list_id)
        assert back is not None
        assert (back.id, back.version, back.entries) == (first.id, first.version, first.entries)
        assert pf.UnitList.build(back.id, back.entries).version == first.version
        assert back.hit(self.unit_code(2), self.moment(2023, 10, 25)) is not None
        assert back.hit(self.unit_code(1), self.moment(2023, 10, 25)) is None
        assert store.list_loads(campaign) == [self.load(first)]
        assert store.list_loads(campaign, "other_list") == []
        assert store.list_loads("another-campaign") == []

    def test_replacing_a_list_keeps_its_earlier_versions(self) -> None:
        """A second version becomes current and the first stays readable by its version; the
        current version loaded again writes nothing; an older one loaded again is current
        again (a new load is recorded)."""
        store = self.fresh_store()
        campaign = self.campaign().id
        first, second = self.unit_list(1, 2), self.unit_list(1, 2, 3)
        store.save_list(campaign, first, self.load(first, 17))
        assert store.save_list(campaign, second, self.load(second, 18)) is True
        assert store.save_list(campaign, second, self.load(second, 19)) is False
        current = store.stored_list(campaign, self.list_id)
        assert current is not None
        assert current.version == second.version
        older = store.stored_list(campaign, self.list_id, first.version)
        assert older is not None
        assert older.entries == first.entries
        assert store.stored_list(campaign, self.list_id, "sha256:0000000000000000") is None
        assert [x.version for x in store.list_loads(campaign, self.list_id)] == [
            first.version,
            second.version,
        ]
        assert store.save_list(campaign, first, self.load(first, 20)) is True
        again = store.stored_list(campaign, self.list_id)
        assert again is not None
        assert again.version == first.version
        assert [x.at.day for x in store.list_loads(campaign)] == [17, 18, 20]

    def test_a_version_names_one_content(self) -> None:
        """A version already stored with other entries is refused (InvalidInput) and nothing
        is written; a record that does not describe the list, or that is not a record, too."""
        store = self.fresh_store()
        campaign = self.campaign().id
        first = self.unit_list(1, version="2023-10")
        store.save_list(campaign, first, self.load(first))
        other = self.unit_list(1, 2, version="2023-10")
        with _raises(pf.InvalidInput, match="other entries"):
            store.save_list(campaign, other, self.load(other))
        with _raises(pf.InvalidInput, match="does not describe"):
            store.save_list(campaign, self.unit_list(5), self.load(first))
        bad_arguments: list[tuple[object, object, object]] = [
            (campaign, "not a list", self.load(first)),
            (campaign, first, "not a record"),
            (42, first, self.load(first)),
            # (made without its build, which refuses it: the store refuses it too)
            (campaign, evolve(first, id="x" * 101), self.load(first)),
            (
                campaign,
                evolve(first, entries=(evolve(first.entries[0], reason="\x1b[2J"),)),
                self.load(first),
            ),
        ]
        for args in bad_arguments:
            with _raises(pf.InvalidInput):
                store.save_list(*args)  # type: ignore[arg-type]
        assert store.list_loads(campaign) == [self.load(first)]
        kept = store.stored_list(campaign, self.list_id, "2023-10")
        assert kept is not None
        assert kept.entries == first.entries

    def test_a_list_lookup_by_odd_text_finds_nothing(self) -> None:
        """Looking a list up by text no store can hold (NUL, a lone surrogate) finds nothing;
        by something that is not text is InvalidInput, alike on every store."""
        store = self.fresh_store()
        campaign = self.campaign().id
        first = self.unit_list(1)
        store.save_list(campaign, first, self.load(first))
        for odd in ("dishonest\x00debtors", "dishonest\ud800"):
            assert store.list_loads(campaign, odd) == []
            assert store.stored_list(campaign, odd) is None
            assert store.stored_list(campaign, self.list_id, odd) is None
        for bad in (None, 42, b"dishonest_debtors"):
            with _raises(pf.InvalidInput):
                store.stored_list(campaign, bad)  # type: ignore[arg-type]
            with _raises(pf.InvalidInput):
                store.list_loads(bad)  # type: ignore[arg-type]

    def test_a_run_judges_with_the_lists_stored(self) -> None:
        """A run made on the store without lists judges with the stored ones: a unit on the
        stored list is refused, the refusal and the run's events cite the stored version, and
        the list of that version is read back; a list given to the run replaces the stored one
        of its id."""
        store = self.fresh_store()
        campaign = self.campaign()
        loader = self.new_run(store)
        # the campaign's top loads them: a list judged everywhere is loaded by the top alone
        actor = pf.Actor(campaign.top or loader.graph.top.code, "industry", "张三")
        for empty in pf.empty_lists(campaign):
            loader.load_list(empty, actor=actor)
        listed = pf.UnitList.build(
            self.list_id, [pf.Listing(self.unit_code(1), self.moment(2023, 10, 1), reason="判决未履行")]
        )
        loader.load_list(listed, actor=actor, source="debtors.csv")
        clock = pf.FixedClock(self.moment(2023, 10, 17, 9))
        run = pf.CampaignRun(campaign, store=store, clock=clock)
        assert run.lists[self.list_id].version == listed.version
        with _raises(pf.ActionRefused) as refused:
            self.nominate(run, 1)
        cited = [r.details["list_version"] for r in refused.value.reasons if r.code == "disqualified"]
        assert cited == [listed.version]
        n = self.nominate(run, 2)
        assert dict(run.history(n.id)[-1].lists)[self.list_id] == listed.version
        evidence = store.stored_list(campaign.id, self.list_id, cited[0])
        assert evidence is not None
        assert evidence.entries == listed.entries
        replaced = pf.CampaignRun(campaign, store=store, clock=clock, lists=[pf.UnitList.empty(self.list_id)])
        assert replaced.lists[self.list_id].version == "empty"


class _ReadsThatScale(_Harness):
    """Checks: the reads that scale (a page at a time, by id, by group) give what the plain
    reads give."""

    def two_districts(self, store: Store) -> tuple[pf.CampaignRun, list[str]]:
        """Four nominations from two districts, an hour apart, the first forwarded to its city
        (so the log holds letters' events too); their ids."""
        run = self.new_run(store)
        clock = run.clock
        assert isinstance(clock, pf.FixedClock)
        ids = []
        for i, origin in enumerate(("371002", "371002", "370102", "370102")):
            clock.advance(hours=1)
            ids.append(self.nominate(run, i, origin=origin).id)
        clock.advance(hours=1)
        self.forward(run, ids[0])
        return run, ids

    def test_the_log_streamed_is_the_log_listed(self) -> None:
        """iter_events gives the events events() lists, in the same order: the whole log, one
        nomination's, several ids' (in log order), one action's, those dated up to a moment;
        count_events counts them; no ids or an unknown campaign give nothing."""
        store = self.fresh_store()
        run, ids = self.two_districts(store)
        cid = run.campaign.id
        log = store.events(cid)
        assert list(store.iter_events(cid)) == log
        assert store.count_events(cid) == len(log)
        assert list(store.iter_events(cid, nomination_id=ids[0])) == store.events(cid, ids[0])
        assert store.count_events(cid, ids[0]) == len(store.events(cid, ids[0]))
        letter = run.history(ids[0])[-1].data["submission"]
        chosen = {ids[0], ids[3], letter}
        assert list(store.iter_events(cid, ids=chosen)) == [e for e in log if e.nomination_id in chosen]
        assert list(store.iter_events(cid, action="nominate")) == [e for e in log if e.action == "nominate"]
        until = self.moment(2023, 10, 17, 11)  # the first two nominations
        assert list(store.iter_events(cid, until=until)) == [e for e in log if not e.at > until]
        assert len(list(store.iter_events(cid, until=until))) == 2
        assert list(store.iter_events(cid, ids=[])) == []
        assert list(store.iter_events("no-such-campaign")) == []
        assert store.count_events("no-such-campaign") == 0

    def test_the_events_of_many_ids_are_the_log_filtered(self) -> None:
        """iter_events of more ids than a store reads id by id (here 12,000, all but three of
        them no nomination's) gives exactly the log's events of those ids, in log order, with
        ``action`` and ``until`` applied as for a few ids; a SQL store reads them from the
        log a page at a time, in bounded memory."""
        store = self.fresh_store()
        run, ids = self.two_districts(store)
        cid = run.campaign.id
        log = store.events(cid)
        letter = run.history(ids[0])[-1].data["submission"]
        chosen = {ids[0], ids[3], letter}
        many = chosen | {f"no-such-nomination-{i}" for i in range(12_000 - len(chosen))}
        assert list(store.iter_events(cid, ids=many)) == [e for e in log if e.nomination_id in chosen]
        stamps = [e for e in log if e.nomination_id in chosen and e.action == "stamp_letter"]
        assert stamps
        assert list(store.iter_events(cid, ids=many, action="stamp_letter")) == stamps
        until = self.moment(2023, 10, 17, 11)  # the first two nominations
        assert list(store.iter_events(cid, ids=many, until=until)) == [
            e for e in log if e.nomination_id in chosen and not e.at > until
        ]
        assert list(store.iter_events(cid, nomination_id=ids[0], ids=many)) == store.events(cid, ids[0])
        assert list(store.iter_events("no-such-campaign", ids=many)) == []

    def test_nominations_read_in_batches_and_groups(self) -> None:
        """get_many gives the nominations in the order asked, each as often as asked, as
        get gives them, and names the first id no nomination has; route_groups gives each
        (route, hop) of a state once, and nominations_at the
        nominations of the groups asked, oldest first, as the plain listing has them."""
        store = self.fresh_store()
        run, ids = self.two_districts(store)
        cid = run.campaign.id
        assert [ids[2], ids[0]] == [n.id for n in store.get_many([ids[2], ids[0]])]
        twice = [ids[1], ids[0], ids[1]]
        assert store.get_many(twice) == [store.get(nid) for nid in twice]
        with _raises(pf.NominationNotFound) as missing:  # the first missing one is named
            store.get_many([ids[0], "no-such-nomination", "nul\x00id", ids[1]])
        assert missing.value is not None
        assert missing.value.nomination_id == "no-such-nomination"
        five: Any = 5  # (an id that is no text, as a caller might pass)
        with _raises(pf.NominationNotFound) as missing:  # (before an id that is no text)
            store.get_many([ids[0], "no-such-nomination", five])
        assert missing.value is not None
        assert missing.value.nomination_id == "no-such-nomination"
        with _raises(pf.InvalidInput):
            store.get_many([ids[0], five, "no-such-nomination"])
        with _raises(pf.NominationNotFound) as missing:
            store.get_many([ids[0], "nul\x00id", "no-such-nomination"])
        assert missing.value is not None
        assert missing.value.nomination_id == "nul\x00id"
        live = store.nominations(cid, state="in_review")
        groups = store.route_groups(cid, "in_review")
        assert sorted({(n.route, n.hop) for n in live}) == groups
        assert len(groups) == 3  # two districts, and the first one's city
        for group in groups:
            assert [n for n in live if (n.route, n.hop) == group] == store.nominations_at(
                cid, "in_review", [group]
            )
        assert live == store.nominations_at(cid, "in_review", groups)
        assert store.nominations_at(cid, "in_review", []) == []
        assert store.route_groups(cid, "announced") == []
        assert store.track_nominations(cid, "re_review") == []
        withdrawn = store.get(ids[3])
        run.withdraw(pf.Actor.applicant(withdrawn.unit_code, "applicant"), withdrawn.id)
        assert store.nominations(cid) == store.track_nominations(cid, "new")  # the withdrawn one too

    def test_claimed_units_are_the_claims_found_one_by_one(self) -> None:
        """``claimed`` answers for many units what ``find_claim`` answers for each: the units
        with a nomination that bars another in that campaign and track (a withdrawn one no
        longer does), text no store can hold claiming nothing."""
        store = self.fresh_store()
        run, ids = self.two_districts(store)
        cid = run.campaign.id
        codes = [store.get(nid).unit_code for nid in ids]
        asked = [*codes, self.unit_code(99), "nul\x00code"]
        assert store.claimed(cid, asked) == set(codes)
        assert store.claimed(cid, asked, "re_review") == set()
        assert store.claimed("another-campaign", asked) == set()
        withdrawn = store.get(ids[0])
        run.withdraw(pf.Actor.applicant(withdrawn.unit_code, "applicant"), withdrawn.id)
        assert store.claimed(cid, asked) == {c for c in codes if store.find_claim(cid, c) is not None}
        assert withdrawn.unit_code not in store.claimed(cid, asked)
        with _raises(pf.InvalidInput, "^unit_codes must be"):
            store.claimed(cid, "abc")

    def test_the_reads_that_scale_refuse_what_is_no_argument(self) -> None:
        """Ids that are one text, a moment without a time zone and groups that are no
        (route, hop) pairs are InvalidInput."""
        store = self.fresh_store()
        cid = self.campaign().id
        odd: Any = [("371002", 0)]  # (what a caller might pass, not what the types allow)
        for bad in (
            lambda: store.iter_events(cid, ids="abc"),
            lambda: store.iter_events(cid, until=datetime(2023, 10, 17)),
            lambda: store.get_many("abc"),
            lambda: store.nominations_at(cid, "in_review", odd),
            lambda: store.nominations_at(cid, "in_review", odd[0][1]),
        ):
            with _raises(pf.InvalidInput):
                bad()


class StoreContract(
    _ReadingBack, _WhatTheStoreEnforces, _Submissions, _OneRuleForText, _QuotaKinds, _ReadsThatScale, _Lists
):
    """The checks every store passes; subclass it and override :meth:`make_store`.

    Each ``test_*`` method is one check, run on stores made by :meth:`make_store` (a fresh,
    empty one each time) and closed afterwards by :meth:`close_store`. The helpers
    (:meth:`new_run`, :meth:`nominate`, ...) are there for a host's own extra checks.
    """
