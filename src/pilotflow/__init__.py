"""pilotflow: multi-level government selection campaigns as state machines.

Each nomination climbs a graph of authorities (district → city → province → ministry, or a
shorter route where the graph and the campaign say so); every move is judged by guards —
deadline, quota, disqualification lists, joint stamps, materials, the actor's rights — and
recorded as one immutable audit event.

>>> import pilotflow
>>> campaign = pilotflow.load_campaign("smart-health-elderly-care-2023")
>>> run = pilotflow.CampaignRun(campaign, lists=pilotflow.empty_lists(campaign))
>>> run.workflow.route("371002")
('371002', '371000', '370000', 'MIN')
>>> run.workflow.route("370211")
('370211', '370200', 'MIN')
"""

from __future__ import annotations

# The documented submodules, loaded with the package as before (``pilotflow.calendar.by_date``).
from . import authorities as authorities
from . import calendar as calendar
from . import campaign as campaign
from . import campaign_file as campaign_file
from . import codes as codes

# Diagrams, notebook looks (installed on the classes on import) and DataFrame views.
from . import display as display
from . import inputs as inputs
from . import materials as materials
from . import names as names
from . import service as service
from .app.run import CampaignRun, Moved, Position, QuotaLine, SelectionResult, Winner, retry_on_conflict
from .domain.authorities import Authority, AuthorityGraph
from .domain.calendar import Clock, FixedClock, SystemClock
from .domain.campaign import Campaign
from .domain.codes import validate_unit_code
from .domain.events import Event, Snapshot
from .domain.records import Actor, Material, Nomination
from .domain.screening import Listing, UnitList, empty_lists
from .domain.submissions import Submission
from .errors import (
    ActionRefused,
    CampaignFileError,
    ConflictError,
    DuplicateNomination,
    GraphError,
    InvalidInput,
    InvalidUnitCode,
    MaterialRejected,
    MomentRefused,
    NaiveDatetime,
    NominationNotFound,
    PilotflowError,
    QuotaExceeded,
    Reason,
    StoreError,
    SubmissionNotFound,
    UnknownAuthority,
    UnknownDepartment,
)
from .files.campaign_file import bundled_campaigns, load_campaign, parse_campaign
from .files.lists import load_list
from .files.materials import inspect_material, paper_material
from .store import ListLoad, MemoryStore, Store, open_store

__all__ = [
    "ActionRefused",
    "Actor",
    "Authority",
    "AuthorityGraph",
    "Campaign",
    "CampaignFileError",
    "CampaignRun",
    "Clock",
    "ConflictError",
    "DuplicateNomination",
    "Event",
    "FixedClock",
    "GraphError",
    "InvalidInput",
    "InvalidUnitCode",
    "ListLoad",
    "Listing",
    "Material",
    "MaterialRejected",
    "MemoryStore",
    "MomentRefused",
    "Moved",
    "NaiveDatetime",
    "Nomination",
    "NominationNotFound",
    "PilotflowError",
    "Position",
    "QuotaExceeded",
    "QuotaLine",
    "Reason",
    "SelectionResult",
    "Snapshot",
    "Store",
    "StoreError",
    "Submission",
    "SubmissionNotFound",
    "SystemClock",
    "UnitList",
    "UnknownAuthority",
    "UnknownDepartment",
    "Winner",
    "bundled_campaigns",
    "empty_lists",
    "inspect_material",
    "load_campaign",
    "load_list",
    "open_store",
    "paper_material",
    "parse_campaign",
    "retry_on_conflict",
    "validate_unit_code",
]
