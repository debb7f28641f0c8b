"""The application service: one campaign run on one store.

:class:`CampaignRun` is what a backend, a notebook or the CLI talks to. Each public action is
a plain method taking an :class:`~pilotflow.Actor`, a timezone-aware moment (the injected
clock by default) and, where it matters, a reason. An action reads the nomination, judges it
with the campaign's machine (every guard, every reason), and, only if nothing blocks, commits
one new version, one audit event and its quota seats atomically. A refused action raises
:class:`~pilotflow.errors.ActionRefused` (or ``QuotaExceeded``) and changes nothing.

The class is assembled from one module per phase, all on one kernel::

    kernel.Kernel          dating, judging, committing; the run's shared state
    ├── hops.Hops          nominate, attach, stamp, recommend, return, decline, withdraw
    ├── selection.Selection rank, select
    ├── ministry.Ministry  score, conclude, spot checks, propose, notice, objections, announce
    │   └── sweep.Sweep    tick (the deadline sweep)
    ├── rereview.ReReview  register_winners, apply_for_re_review
    ├── queries.Queries    explain, available_actions, position, quota, history, replay...
    └── unit_lists.ListLoading load_list, list_loads, stored_list (lists kept in the store)
"""

from __future__ import annotations

from ..domain.rules import combine_scores, share_of
from .hops import Hops
from .idempotency import retry_on_conflict
from .ministry import Moved
from .queries import Queries
from .rereview import ReReview
from .results import Position, QuotaLine, SelectionResult, Winner
from .selection import Selection
from .sweep import Sweep
from .unit_lists import ListLoading

__all__ = [
    "CampaignRun",
    "Moved",
    "Position",
    "QuotaLine",
    "SelectionResult",
    "Winner",
    "combine_scores",
    "retry_on_conflict",
    "share_of",
]


class CampaignRun(Hops, Selection, Sweep, ReReview, Queries, ListLoading):
    """A campaign running on a store.

    The run judges with the lists loaded into the store for the campaign
    (:meth:`load_list`), each replaced by the list of the same id in ``lists``, if given. Every
    disqualification list the campaign names must be among them (pass ``UnitList.empty(id)``
    for one that is known to be empty); a missing priority list ranks nobody first. ``clock``
    dates every action (the system clock in the campaign's time zone by default);
    ``backfill=True`` makes a run that records facts of the past. ``documents``: what sending
    a letter generates — by default its summary table (XLSX) and letter draft (DOCX), their
    SHA-256 recorded with the letter (:meth:`submission_documents` gives them back, checked);
    a folder: written there as well (a write that fails after the letter was sent, a disk
    full or the folder gone, leaves the sending in place and is logged as a warning on
    ``pilotflow.documents``; :meth:`submission_documents` writes them again); ``False``:
    none (a simulation that needs no files).
    """
