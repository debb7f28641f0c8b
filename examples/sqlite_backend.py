"""A web-style backend on a SQLite file: one action per "request", two clerks at once, a retry.

Each request opens the store, builds a ``CampaignRun``, performs ONE action and closes, as a
request handler would. Two clerks of 环翠区 then stamp the same nomination at the same moment
(a stamp goes to the district's recommendation letter carrying it; the first drafts it).
On SQLite each action reads and writes in one ``BEGIN IMMEDIATE`` transaction, so the two
requests are serialised: the second waits for the first to commit, reads the letter and
stamps on top of it; no update is lost and neither request fails.
(On PostgreSQL, where reads do not lock, the loser of such a race gets ``ConflictError`` and
``retry_on_conflict`` re-reads and retries: see docs/embedding.md.) Finally a request is
repeated with the same idempotency key, as a browser does after a timeout: the repeat returns
the first result and writes nothing.

    python examples/sqlite_backend.py
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pilotflow as pf
from pilotflow.codes import make_code
from pilotflow.samples import material_for
from pilotflow.store import Store

campaign = pf.load_campaign("smart-health-elderly-care-2023")


def material(kind: str, copies: int = 1) -> pf.Material:
    """Paper as declared copies; electronic copies as real sample files, checked on attach."""
    return material_for(campaign, kind, copies)


clock = pf.FixedClock(datetime(2023, 10, 17, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
folder = tempfile.TemporaryDirectory()
URL = f"sqlite:///{Path(folder.name) / 'pilotflow.db'}"


def request(
    action: Callable[[pf.CampaignRun], Any], open_store: Callable[[str], Store] = pf.open_store
) -> Any:
    """Open the store, do one action, close: what one web request does."""
    store = open_store(URL)
    try:
        run = pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign), clock=clock)
        return action(run)
    finally:
        store.close()


code = make_code("91371002", "MA7Q2K9X1")
applicant = pf.Actor.applicant(code, "zhang.wei")
nomination = request(
    lambda run: run.nominate(
        applicant, unit_code=code, unit_name="威海某康养科技有限公司", unit_type="enterprise",
        scenario="community_day_care", origin="371002",
        materials=[material("application_form_paper", copies=3)],
    )
)  # fmt: skip
nid = nomination.id
print(f"request 1: nominated {nid[:8]}… (version {nomination.version})")
for i, kind in enumerate(("application_form_word", "application_form_pdf"), start=2):
    n = request(lambda run, kind=kind: run.attach(applicant, nid, material(kind)))
    print(f"request {i}: applicant attached {kind} (version {n.version})")


outcome: dict[str, str] = {}
both_start = threading.Barrier(2)  # a stand-in for two clicks landing in the same instant


def clerk(department: str) -> None:
    actor = pf.Actor("371002", department, f"{department}-clerk")
    both_start.wait(timeout=10)
    request(lambda run: run.stamp(actor, nid))
    letter = request(lambda run: run.carrying(nid))
    outcome[department] = "stamped the letter" if letter is not None and department in letter.stamps else "?"


threads = [threading.Thread(target=clerk, args=(d,)) for d in ("industry", "health")]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("requests 4 and 5, at the same moment:")
for department, text in sorted(outcome.items()):
    print(f"  {department}: {text}")

civil = pf.Actor("371002", "civil_affairs", "civil_affairs-clerk")
first = request(lambda run: run.stamp(civil, nid, idempotency_key="form-4711"))
again = request(lambda run: run.stamp(civil, nid, idempotency_key="form-4711"))
print(f"request 6 and its repeat (same idempotency key): the same answer: {first == again}")

# The stamps are the district's recommendation letter's (推荐函), drafted by the first stamp.
final = request(lambda run: run.carrying(nid))
assert final is not None
print(f"letter stamps now: {', '.join(final.stamps)} (version {final.version})")
events = request(lambda run: run.store.events(run.campaign.id, final.id))
print(f"{len(events)} letter events, versions {[e.version for e in events]}: no update lost, none doubled")
folder.cleanup()
