"""The small records a campaign is made of at run time: actors, materials, nominations.

A :class:`Nomination` is an immutable snapshot: each accepted action produces a new one with
``version + 1``. It is deliberately small (no machine, no callbacks attached) so that a
process can hold 100,000 of them; the state machine lives once per campaign, in
:mod:`pilotflow.domain.machine`.

>>> a = Actor("371002", "industry", "clerk-7")
>>> a
Actor('371002', 'industry', 'clerk-7')
>>> Actor.applicant("91350100M000100Y43", "zhang").is_applicant
True
"""

from __future__ import annotations

from datetime import datetime

from attrs import field, frozen

from ..errors import InvalidInput, shown
from .inputs import NAME, SHORT, check_text
from .names import APPLICANT, DEADLINE_SWEEP, FINAL_STATES, OBJECTOR, PUBLIC, SYSTEM, TRACK_NEW, WITHDRAWN

__all__ = [
    "APPLICANT",  # this and OBJECTOR, PUBLIC: spelled in names.py, kept here for their importers
    "OBJECTOR",
    "PUBLIC",
    "TERMINAL_STATES",
    "Actor",
    "Material",
    "MinistryRecord",
    "Nomination",
    "Objection",
    "Score",
    "claim_key",
    "copies_allowed",
]

MAX_COPIES = 1000  # paper copies of one material (一式三份 is the usual)


def copies_allowed(copies: object) -> bool:
    """Whether ``copies`` is a count of copies of one material: a whole number from 1 to
    :data:`MAX_COPIES`."""
    return isinstance(copies, int) and not isinstance(copies, bool) and 1 <= copies <= MAX_COPIES


#: The states a nomination never leaves (the final states of the machine's table).
TERMINAL_STATES = FINAL_STATES


def _text(what: str, longest: int = SHORT):  # type: ignore[no-untyped-def]
    """A validator: the text rule of :mod:`pilotflow.inputs` with ``longest`` characters (what
    every store, SQL columns included, can keep alike)."""

    def check(instance: object, attribute: object, value: object) -> None:
        if check_text(value, what, longest) != value:
            raise InvalidInput(
                f"{what} must not begin or end with white space, got {value!r}",
                f"{what} 首尾不能有空白字符，收到 {value!r}",
            )

    return check


def claim_key(unit_code: str, track: str, project: str = "") -> str:
    """What a unit may hold only once in a campaign: its code within the track (a unit may
    be both a new applicant and an earlier winner under re-review), and within the project
    when the campaign lets a unit file several (``applicants.projects``).

    >>> claim_key("91350100M000100Y43", "new"), claim_key("91350100M000100Y43", "re_review")
    ('91350100M000100Y43', 're_review:91350100M000100Y43')
    >>> claim_key("91350100M000100Y43", "new", "scene")
    '91350100M000100Y43/scene'
    """
    key = unit_code if track == TRACK_NEW else f"{track}:{unit_code}"
    return key if not project else f"{key}/{project}"


@frozen(repr=False)
class Actor:
    """Who acts: an authority, one of its departments, and a person id.

    An applicant (the unit itself) acts with ``department == "applicant"`` and its unified
    social credit code as ``authority``: see :meth:`applicant`.
    """

    authority: str = field(validator=_text("actor.authority"))
    department: str = field(validator=_text("actor.department"))
    person: str = field(validator=_text("actor.person", longest=NAME))

    @classmethod
    def applicant(cls, unit_code: str, person: str) -> Actor:
        return cls(unit_code, APPLICANT, person)

    @classmethod
    def deadline_sweep(cls, authority: str) -> Actor:
        """The system acting for ``authority`` when a deadline passes (lapse, revocation,
        announcement)."""
        return cls(authority, SYSTEM, DEADLINE_SWEEP)

    @property
    def is_applicant(self) -> bool:
        return self.department == APPLICANT

    def __repr__(self) -> str:
        return f"Actor({self.authority!r}, {self.department!r}, {self.person!r})"


def stored_actor(authority: object, department: object, person: object) -> Actor:
    """An actor as a store kept it: built without the text rule, which judged it when it was
    written (a rule made stricter since must not make an earlier log unreadable); a field
    that is no text is a row pilotflow did not write (``TypeError``, for the store to say)."""
    if type(authority) is not str or type(department) is not str or type(person) is not str:
        raise TypeError("an actor's authority, department and person are text")
    actor = object.__new__(Actor)
    object.__setattr__(actor, "authority", authority)
    object.__setattr__(actor, "department", department)
    object.__setattr__(actor, "person", person)
    return actor


@frozen
class Material:
    """A material attached to a nomination: ``copies`` of paper, or one electronic file.

    ``sha256``/``size``/``media_type`` describe a file when there is one; ``pages`` (PDF) and
    ``duration`` (video, seconds) are filled in when the file was inspected.
    """

    kind: str = field(validator=_text("material.kind"))
    copies: int = 1
    filename: str | None = None
    sha256: str | None = None
    size: int | None = None
    media_type: str | None = None
    pages: int | None = None
    duration: float | None = None

    def __attrs_post_init__(self) -> None:
        copies = self.copies
        if not copies_allowed(copies):
            raise InvalidInput(
                f"material {shown(self.kind)}: copies must be a whole number from 1 to {MAX_COPIES}, "
                f"got {shown(copies)}",
                # (the record knows no campaign to name its kind by: pilotflow's own callers
                # that do refuse through paper_material, which names it in Chinese)
                f"纸质材料的份数必须是 1 到 {MAX_COPIES} 之间的整数，收到 {shown(copies)}",
            )


@frozen
class Score:
    """One expert's score (0-100) and written opinion."""

    expert: str
    score: float
    opinion: str


@frozen
class Objection:
    """An objection to a unit on public notice: who, on what grounds, with what evidence."""

    objector: str
    grounds: str
    evidence: str
    at: datetime
    ruling: str | None = None  # "upheld" / "dismissed", once ruled


@frozen
class MinistryRecord:
    """What the ministry phase has recorded about a nomination."""

    scores: tuple[Score, ...] = ()
    combined: float | None = None
    check: str | None = None  # None, "selected", "passed", "failed"
    notice_until: datetime | None = None
    objections: tuple[Objection, ...] = ()


@frozen(cache_hash=False, weakref_slot=False)  # weakref_slot: see pilotflow.domain._fast
class Nomination:
    """One unit's nomination in one campaign, as of its ``version``.

    ``route`` is the chain of authorities it climbs (origin first); ``hop`` indexes the
    authority holding it now. ``examined`` are the departments of the holder that have
    examined it one by one at this hop (逐一审查, where the campaign asks for it: the joint
    stamp is on the sender's :class:`~pilotflow.domain.submissions.Submission`); ``seats``
    the authorities whose quota it occupies.
    """

    id: str
    campaign: str
    revision: str
    unit_code: str
    unit_name: str
    unit_type: str
    scenario: str
    route: tuple[str, ...]
    hop: int
    state: str
    examined: tuple[str, ...]
    materials: tuple[Material, ...]
    seats: tuple[str, ...]
    version: int
    created_at: datetime
    updated_at: datetime
    #: ``"new"`` for a 2023 nomination, ``"re_review"`` for an earlier winner's re-review.
    track: str = TRACK_NEW
    batch: int | None = None
    ministry: MinistryRecord | None = None
    #: Which of the unit's projects this is, where the campaign lets a unit file several
    #: (``applicants`` in the campaign file); ``""``: the unit's one nomination.
    project: str = ""

    @property
    def holder(self) -> str:
        """The authority that holds the nomination now."""
        return self.route[self.hop]

    @property
    def next_authority(self) -> str | None:
        """Where a recommendation would send it, or None at the top."""
        return self.route[self.hop + 1] if self.hop + 1 < len(self.route) else None

    @property
    def origin(self) -> str:
        return self.route[0]

    @property
    def is_live(self) -> bool:
        """False once declined, withdrawn, cut by quota or lapsed."""
        return self.state not in TERMINAL_STATES

    @property
    def claims_unit(self) -> bool:
        """True unless withdrawn: a unit has at most one such nomination per campaign and
        track, so a unit declined, cut or lapsed cannot file again; one that withdrew can."""
        return self.state != WITHDRAWN

    @property
    def claim_key(self) -> str:
        """What a unit may hold only once: its code within the track and project (:func:`claim_key`)."""
        return claim_key(self.unit_code, self.track, self.project)
