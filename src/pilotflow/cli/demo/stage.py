"""The stage the story is played on (:class:`Stage`): the campaign run on the demo's SQLite
file, its clock, the console, and what the story has done so far — the nominations filed, the
refusals met, the selections made — with the moves several steps share: filing, attaching,
stamping, forwarding, reviewing and selecting, and trying an action that must be refused.
A :class:`Step` is one phase of the story, opened under its heading.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from attrs import frozen
from rich.console import Console

from pilotflow import (
    ActionRefused,
    Actor,
    CampaignRun,
    FixedClock,
    Material,
    PilotflowError,
    SelectionResult,
    Submission,
    load_campaign,
    open_store,
)
from pilotflow.names import DRAFT, IN_REVIEW, TRACK_NEW
from pilotflow.samples import material_for
from pilotflow.store.sql import sqlite_url

from . import render
from .data import CAMPAIGN_ID, DEPARTMENTS, MINISTRY, Unit, at, unit_lists
from .results import Refusal

_T = TypeVar("_T")


class Stage:
    """The run the story acts on, and what it has done so far."""

    def __init__(self, db_path: Path, console: Console) -> None:
        self.console = console
        self.clock = FixedClock(at(10, 16, 8, 30))
        self.campaign = load_campaign(CAMPAIGN_ID)
        self.run = CampaignRun(
            self.campaign,
            store=open_store(sqlite_url(db_path)),
            lists=unit_lists(self.campaign),
            clock=self.clock,
        )
        self.graph = self.run.graph
        self.ids: dict[str, str] = {}  # unit key -> nomination id
        self.unit_of: dict[str, Unit] = {}  # nomination id -> unit
        self.refusals: list[Refusal] = []
        self.selections: list[SelectionResult] = []
        self.letters: list[Submission] = []  # the submissions sent, in order

    # -- the clock and the console ------------------------------------------------------

    def phase(self, when: datetime, en: str, zh: str) -> None:
        """Move the clock on to ``when`` (never back) and print the phase's heading."""
        if when > self.clock.now():
            self.clock.set(when)
        render.phase(self.console, self.clock.now().strftime("%Y-%m-%d %H:%M"), en, zh)

    def tick(self, minutes: int = 3) -> None:
        self.clock.advance(minutes=minutes)

    def note(self, text: str) -> None:
        render.note(self.console, text)

    def track(self, items: Sequence[_T], description: str) -> Iterator[_T]:
        return render.track(self.console, items, description)

    def name(self, code: str) -> str:
        """The name of the authority ``code`` (the ministry: 三部委)."""
        return "三部委" if code == MINISTRY else self.graph[code].name

    # -- single moves -------------------------------------------------------------------

    def officer(self, authority: str, department: str = "industry") -> Actor:
        return Actor(authority, department, f"{department}@{authority}")

    def material(self, kind: str, copies: int = 1) -> Material:
        """A material of ``kind`` as the campaign wants it: paper, or a real file (a small PDF,
        Word file or MP4) checked by pilotflow like a unit's own upload."""
        return material_for(self.campaign, kind, copies)

    def materials(self, *kinds: str) -> tuple[Material, ...]:
        return tuple(self.material(kind) for kind in kinds)

    def attach(self, nomination_id: str, *materials: Material) -> None:
        """The nomination's holder attaches ``materials``, a minute each."""
        holder = self.run.get(nomination_id).holder
        for m in materials:
            self.run.attach(self.officer(holder), nomination_id, m)
            self.tick(1)

    def letter_materials(self, sender: str, receiver: str) -> tuple[Material, ...]:
        """What the letter from ``sender`` to ``receiver`` must carry (the stamped 推荐函...)."""
        return tuple(self.material(r.kind, r.copies) for r in self.run.letter_materials(sender, receiver))

    def stamp_all(self, nomination_id: str, departments: Iterable[str] = DEPARTMENTS) -> str:
        """Each of the holder's ``departments`` stamps the letter carrying the nomination (a
        one-unit letter of its own), a minute each; returns the holder."""
        holder = self.run.get(nomination_id).holder
        for department in departments:
            self.run.stamp(self.officer(holder, department), nomination_id)
            self.tick(1)
        return holder

    def forward(self, nomination_id: str, departments: Iterable[str] = DEPARTMENTS) -> None:
        """The holder sends the nomination in a letter of its own: the letter's materials,
        ``departments``' stamps, then the recommendation."""
        n = self.run.get(nomination_id)
        if n.next_authority is not None:
            self.attach(nomination_id, *self.letter_materials(n.holder, n.next_authority))
        holder = self.stamp_all(nomination_id, departments)
        self.run.recommend(self.officer(holder), nomination_id)

    def ready_letter(self, submission_id: str, departments: Iterable[str] = DEPARTMENTS) -> Submission:
        """The sender attaches its letter's materials and its ``departments`` stamp it, a
        minute each."""
        s = self.run.submission(submission_id)
        for m in self.letter_materials(s.sender, s.receiver):
            self.run.attach_to_submission(self.officer(s.sender), submission_id, m)
            self.tick(1)
        for department in departments:
            s = self.run.stamp_submission(self.officer(s.sender, department), submission_id)
            self.tick(1)
        return s

    def send_letter(self, submission_id: str) -> Submission:
        """The letter made ready and sent: its units go to the receiver together."""
        s = self.ready_letter(submission_id)
        sent = self.run.send(self.officer(s.sender), submission_id)
        self.letters.append(sent)
        self.tick(2)
        return sent

    def send_letters(self, authority: str) -> None:
        """``authority`` sends each of its drafts (one per receiver: the selection's)."""
        for s in self.run.submissions(sender=authority, state=DRAFT):
            sent = self.send_letter(s.id)
            self.note(
                f"{self.name(sent.sender)} sends one letter with {len(sent.units)} units to "
                f"{self.name(sent.receiver)} · 推荐函（含 {len(sent.units)} 个推荐对象）三部门盖章报送"
            )

    def refused(
        self,
        title: str,
        action: str,
        actor: Actor,
        unit: Unit,
        attempt: Callable[[], object] | None = None,
    ) -> Refusal:
        """``actor`` tries to ``"stamp"`` or ``"recommend"`` ``unit``'s nomination (or
        ``attempt`` runs ``action``), which must be refused: the refusal is kept and printed."""
        if attempt is None:
            act = {"stamp": self.run.stamp, "recommend": self.run.recommend}[action]
            attempt = functools.partial(act, actor, self.ids[unit.key])
        try:
            attempt()
        except PilotflowError as exc:
            codes, en, zh = _reasons(exc)
            refusal = Refusal(
                title, action, f"{actor.authority}:{actor.department}", unit.name, codes, en, zh
            )
        else:
            raise RuntimeError(f"the demo expected {action!r} to be refused ({title})")
        self.refusals.append(refusal)
        render.refusal(self.console, refusal)
        return refusal

    # -- moves of many nominations ------------------------------------------------------

    def nominate_all(self, units: Sequence[Unit]) -> None:
        """Each unit files its nomination (the paper form, the Word and PDF files) with the
        authority where it is, seven minutes apart; the list is printed."""
        form = (
            self.material("application_form_paper", copies=3),
            *self.materials("application_form_word", "application_form_pdf"),
        )
        rows = []
        for unit in self.track(units, "filing nominations"):
            n = self.run.nominate(
                Actor.applicant(unit.code, f"contact@{unit.key}"),
                unit_code=unit.code,
                unit_name=unit.name,
                unit_type=unit.unit_type,
                scenario=unit.scenario,
                origin=unit.origin,
                materials=form,
            )
            self.ids[unit.key] = n.id
            self.unit_of[n.id] = unit
            rows.append(
                (
                    unit.name,
                    self.campaign.unit_types[unit.unit_type].name.zh,
                    self.campaign.scenarios[unit.scenario].name.zh,
                    f"{self.name(unit.origin)} {unit.origin}",
                    unit.code,
                )
            )
            self.tick(7)
        render.nominations(self.console, rows)

    def district_review(self, units: Sequence[Unit]) -> None:
        """Each district lists its units in one letter (in the order given), attaches the
        letter's materials, stamps it with its three departments and sends it."""
        by_district: dict[str, list[str]] = {}
        for unit in units:
            by_district.setdefault(unit.origin, []).append(self.ids[unit.key])
        for district, ids in self.track(list(by_district.items()), "district letters"):
            s = self.run.prepare_submission(self.officer(district), ids)
            self.send_letter(s.id)
            self.tick(4)
        self.note(
            f"{len(by_district)} letters, {len(units)} nominations, stamped jointly and sent to the city "
            "· 各区市一份推荐函，三部门联合盖章报送"
        )

    def review(self, authority: str, materials: Sequence[Material]) -> None:
        """``authority`` attaches its ``materials`` (each unit's own) to every candidate it holds."""
        candidates = self.run.nominations(holder=authority, state=IN_REVIEW)
        for n in self.track(candidates, f"{self.name(authority)} review"):
            self.attach(n.id, *materials)
        self.tick(30)

    def select_all(self, authority: str) -> None:
        """``authority`` ranks its candidates by score and selects, one unit type at a time."""
        for unit_type in self.campaign.unit_types:
            self.select(authority, unit_type)

    def review_and_select(self, authority: str, materials: Sequence[Material]) -> None:
        """Review, select within quota into one letter, and send it."""
        self.review(authority, materials)
        self.select_all(authority)
        self.send_letters(authority)

    def select(self, authority: str, unit_type: str) -> None:
        candidates = [
            n
            for n in self.run.nominations(holder=authority, state=IN_REVIEW, unit_type=unit_type)
            if n.track == TRACK_NEW
        ]
        if not candidates:
            return
        order = [n.id for n in sorted(candidates, key=lambda n: -self.unit_of[n.id].score)]
        result = self.run.select(self.officer(authority), unit_type, order=order)
        self.selections.append(result)
        self._show_selection(result)
        self.tick(5)

    def _show_selection(self, result: SelectionResult) -> None:
        lines = {line.unit_type: line for line in self.run.quota(result.authority)}
        line = lines[result.unit_type]
        limit = "—" if line.limit is None else str(line.limit - line.used)
        type_zh = self.campaign.unit_types[result.unit_type].name.zh
        title = (
            f"{self.graph[result.authority].name} selects {result.unit_type} · {type_zh}  "
            f"(seats left 剩余名额 {limit})"
        )
        pool = self.run.lists.get("shandong_reserve_pool")
        rows = []
        for nid in result.ranked:
            unit = self.unit_of[nid]
            star = " ★储备库" if pool is not None and unit.code in pool else ""
            if nid in result.recommended:
                verdict, detail = "recommended", self.name(self.run.get(nid).next_authority or "")
            elif nid in result.cut:
                verdict, detail = "cut", ""
            else:
                verdict, detail = "skipped", ", ".join(r.code for r in result.skipped.get(nid, ()))
            rows.append((unit.name + star, self.name(unit.origin), unit.score, verdict, detail))
        render.selection(self.console, title, rows)


@frozen
class Step:
    """One phase of the story: when it opens, its heading in English and Chinese, and what
    happens in it (:func:`step` makes one of a function)."""

    when: datetime
    en: str
    zh: str
    act: Callable[[Stage], None]

    def __call__(self, stage: Stage) -> None:
        stage.phase(self.when, self.en, self.zh)
        self.act(stage)


def step(when: datetime, en: str, zh: str) -> Callable[[Callable[[Stage], None]], Step]:
    """A decorator: the function becomes the :class:`Step` that opens at ``when``."""

    def make(act: Callable[[Stage], None]) -> Step:
        return Step(when, en, zh, act)

    return make


def _reasons(exc: PilotflowError) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The reason codes of a refusal with their English and Chinese: each reason of an
    :class:`~pilotflow.ActionRefused`, else the error itself, named after its class."""
    if isinstance(exc, ActionRefused):
        return exc.codes, tuple(r.en for r in exc.reasons), tuple(r.zh for r in exc.reasons)
    return (re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower(),), (exc.en,), (exc.zh,)
