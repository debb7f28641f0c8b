"""Pictures and tables for analysts: diagrams (Mermaid, Graphviz DOT, SVG) of a campaign's
state machine, routes, authority subtrees and a nomination's path; how records look in a
notebook; progress bars. See docs/display.md.

Importing :mod:`pilotflow` installs the notebook looks (:func:`pilotflow.display.reprs.install`);
pandas and tqdm are imported only when used (the ``notebook`` extra installs them).
"""

from __future__ import annotations

from ..app.views import EventList, EventLog, NominationList, QuotaTable, SelectionList, View, local_moment
from .diagrams import (
    BRANCH_LABELS,
    GUARD_LABELS,
    Diagram,
    Edge,
    Group,
    Node,
    authority_tree,
    nomination_path,
    route,
    state_machine,
)
from .progress import ProgressBar, progress_bar
from .reprs import install

__all__ = [
    "BRANCH_LABELS",
    "GUARD_LABELS",
    "Diagram",
    "Edge",
    "EventList",
    "EventLog",
    "Group",
    "Node",
    "NominationList",
    "ProgressBar",
    "QuotaTable",
    "SelectionList",
    "View",
    "authority_tree",
    "install",
    "local_moment",
    "nomination_path",
    "progress_bar",
    "route",
    "state_machine",
]

install()
