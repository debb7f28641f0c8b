"""What the application service returns: results of actions and answers to questions, and the
ids it gives nominations."""

from __future__ import annotations

import itertools
import os
import secrets
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from attrs import field, frozen

from ..domain.campaign import YEARS
from ..domain.codes import validate_unit_code
from ..domain.inputs import NAME, check_text
from ..errors import ExtraMissing, InvalidInput, Reason, shown

__all__ = ["Position", "QuotaLine", "SelectionResult", "Winner", "new_id", "selection_data", "selection_from"]

_SEQUENCE = itertools.count()
_EPOCH_NS = time.time_ns() - time.monotonic_ns()  # wall clock at start; monotonic after
# The last part of ids: random per process, drawn again in a forked child (ids must differ
# between processes; within one, time and a counter already make them unique).
_ID_SUFFIX = [secrets.token_hex(6)]
os.register_at_fork(after_in_child=lambda: _ID_SUFFIX.__setitem__(0, secrets.token_hex(6)))


def new_id() -> str:
    """A nomination id: 32 hex characters that sort in creation order (time, counter, random)."""
    return f"{_EPOCH_NS + time.monotonic_ns():016x}{next(_SEQUENCE) % 0x10000:04x}{_ID_SUFFIX[0]}"


def _nonempty(what: str, value: object) -> None:
    check_text(value, what, NAME)


def _scenario(value: object) -> None:
    if value != "":
        _nonempty("winner scenario", value)


def _year(what: str, value: object) -> None:
    low, high = YEARS
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            f"{what} must be a year (a whole number), got {shown(value)}", f"{what} 必须是年份（整数）"
        )


@frozen
class Winner:
    """An earlier batch's winner to re-review: its unit, type, batch year and authority
    (the district-level authority it applies through), and its scenario if the campaign's
    nominations name one (``""``: none stated)."""

    unit_code: str = field(validator=lambda _i, _a, v: validate_unit_code(v, "winner unit_code"))
    unit_name: str = field(validator=lambda _i, _a, v: _nonempty("winner unit_name", v))
    unit_type: str = field(validator=lambda _i, _a, v: _nonempty("winner unit_type", v))
    batch: int = field(validator=lambda _i, _a, v: _year("winner batch", v))
    authority: str = field(validator=lambda _i, _a, v: _nonempty("winner authority", v))
    scenario: str = field(default="", validator=lambda _i, _a, v: _scenario(v))


@frozen
class Position:
    """Where a nomination is and what it still lacks to move on."""

    nomination_id: str
    state: str
    authority: str
    authority_name: str
    level: str
    next_authority: str | None
    deadline: datetime | None
    missing_stamps: tuple[str, ...]
    missing_materials: tuple[str, ...]


@frozen
class QuotaLine:
    """Quota of one authority for one unit type (``"*"``: all types together)."""

    authority: str
    unit_type: str
    limit: int | None
    used: int

    @property
    def remaining(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.used, 0)


@frozen
class SelectionResult:
    """What a selection at one level did (or, with ``dry_run``, would do)."""

    authority: str
    unit_type: str
    ranked: tuple[str, ...]
    recommended: tuple[str, ...]
    cut: tuple[str, ...]
    skipped: Mapping[str, tuple[Reason, ...]] = field(factory=dict)
    dry_run: bool = False
    #: The draft submissions (推荐函) that list the recommended units, to be stamped and sent
    #: (``run.stamp_submission``, ``run.send``): those this selection listed them in (a new
    #: draft, or one the authority had) and those listing the units it had listed before,
    #: each once, in the rank order of the first recommended unit it lists; empty only when
    #: no unit is recommended. (With ``dry_run``, a new draft's id is one that is not made.)
    submissions: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        """One row per candidate: its rank, what happened to it (recommended, cut, skipped)
        and why."""
        return selection_rows(self)

    def to_frame(self) -> Any:
        """:meth:`rows` as a ``pandas.DataFrame`` (needs ``pip install 'pilotflow[notebook]'``)."""
        rows = self.rows()
        return pandas().DataFrame(rows, columns=list(rows[0]) if rows else None)


def selection_data(r: SelectionResult) -> dict[str, Any]:
    """A selection as its receipt records it."""
    return {
        "authority": r.authority,
        "unit_type": r.unit_type,
        "ranked": list(r.ranked),
        "recommended": list(r.recommended),
        "cut": list(r.cut),
        "skipped": {k: [[x.code, x.en, x.zh] for x in v] for k, v in r.skipped.items()},
        "submissions": list(r.submissions),
    }


def selection_from(d: dict[str, Any]) -> SelectionResult:
    """A selection read back from its receipt."""
    return SelectionResult(
        d["authority"],
        d["unit_type"],
        tuple(d["ranked"]),
        tuple(d["recommended"]),
        tuple(d["cut"]),
        {k: tuple(Reason(*x) for x in v) for k, v in d["skipped"].items()},
        False,
        tuple(d.get("submissions", ())),
    )


def pandas() -> Any:
    """The ``pandas`` module, or :class:`ExtraMissing` naming the extra that installs it."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise ExtraMissing("pandas", "notebook") from exc
    return pd


#: The outcome of a candidate at a selection, in Chinese.
OUTCOME_ZH = {"recommended": "推荐", "cut": "名额外不予推荐", "skipped": "未处理（有阻碍）"}


def selection_rows(r: SelectionResult) -> list[dict[str, Any]]:
    """One row per candidate of a selection: its rank, what happened to it and why."""
    recommended, cut = set(r.recommended), set(r.cut)
    out = []
    for rank, nid in enumerate(r.ranked, 1):
        outcome = "recommended" if nid in recommended else "cut" if nid in cut else "skipped"
        reasons: Sequence[Reason] = r.skipped.get(nid, ())
        out.append(
            {
                "authority": r.authority,
                "unit_type": r.unit_type,
                "rank": rank,
                "nomination_id": nid,
                "outcome": outcome,
                "outcome_zh": OUTCOME_ZH[outcome],
                "reasons": "; ".join(x.code for x in reasons),
                "reasons_zh": "；".join(x.zh for x in reasons),
                "dry_run": r.dry_run,
            }
        )
    for nid, reasons in r.skipped.items():
        if nid not in r.ranked:
            out.append(
                {
                    "authority": r.authority, "unit_type": r.unit_type, "rank": None,
                    "nomination_id": nid, "outcome": "skipped", "outcome_zh": OUTCOME_ZH["skipped"],
                    "reasons": "; ".join(x.code for x in reasons),
                    "reasons_zh": "；".join(x.zh for x in reasons), "dry_run": r.dry_run,
                }
            )  # fmt: skip
    return out
