"""A realistic slice of the bundled 2023 campaign, run end to end on a SQLite file.

``pilotflow demo`` calls :func:`run_demo`; tests call it too. With a :class:`~pilotflow.FixedClock`
moving through October 2023 (Asia/Shanghai):

* Weihai's district-level authorities — 环翠区, 文登区, 荣成市, 乳山市, the three national
  development zones and 南海新区 — receive nominations from made-up units of every unit type;
  materials are attached, their three departments stamp, and they recommend to Weihai;
* Weihai (quota 3/3/1/2) ranks and selects, so some units are cut; Jinan (3/3/1/2) and
  Dongying (1/1/1/1) forward too; Shandong (3/8/3/3, its reserve pool first) selects and
  recommends to the ministry; Qingdao's districts go to Qingdao and on to the ministry;
* on the way, a few actions are refused, each with its bilingual reason: a unit on the list
  of dishonest judgment debtors, a missing department stamp, a late recommendation, a wrong
  department, an authority acting out of turn, a duplicate nomination, a full quota;
* at the end the per-level summary is printed and ``run.replay()`` is checked against the
  store.

The file the demo writes is marked as its own (``PRAGMA application_id`` =
:data:`DEMO_APPLICATION_ID`); the demo deletes no other file (:mod:`.database`).

Where things are:

* :mod:`.data` — the made-up units and earlier winners, the lists, authorities and days;
* :mod:`.stage` — the run the story acts on, the moves its steps share, and :class:`.stage.Step`;
* :mod:`.story` — the steps up to the ministry (re-review, the districts file and review,
  the cities select, a late recommendation, Shandong and Qingdao send);
* :mod:`.ministry` — the ministry phase (experts, spot checks, public notice, announcement);
* :mod:`.summary` — the summary per authority and the nominations worth exploring;
* :mod:`.render` — everything printed with rich, and :func:`printable`;
* :mod:`.database` — the demo's SQLite file and the checks that protect any other;
* :mod:`.results` — :class:`DemoResult` and its parts;
* :mod:`.runner` — :func:`run_demo`, which puts them together.

The demo uses pilotflow's public API — ``pilotflow``, ``pilotflow.samples``, ``pilotflow.codes``,
``pilotflow.inputs`` and ``pilotflow.store.sql`` (its ``sqlite_url`` and ``SQLITE_HEADER``,
which that module's ``__all__`` does not list) — and one internal function: :mod:`.database`
reads a file's first bytes with ``pilotflow.files._io.read_head``, which never opens a FIFO or
a device.
"""

from __future__ import annotations

from .data import CAMPAIGN_ID as CAMPAIGN_ID
from .data import UNITS as UNITS
from .data import WINNERS as WINNERS
from .data import Unit as Unit
from .database import DEFAULT_DB, DEMO_APPLICATION_ID
from .render import printable
from .results import DemoResult, Refusal, SummaryRow
from .runner import run_demo

__all__ = [
    "DEFAULT_DB",
    "DEMO_APPLICATION_ID",
    "DemoResult",
    "Refusal",
    "SummaryRow",
    "printable",
    "run_demo",
]
