"""What the story left in the store, read back: the summary per authority, and a few
nominations worth exploring with ``pilotflow history``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from pilotflow import AuthorityGraph, CampaignRun, Nomination
from pilotflow.domain.rules import applied
from pilotflow.names import ANNOUNCED, IN_REVIEW, LAPSED, REVOKED, TRACK_RE_REVIEW

from .data import LATE, LISTED, WEIHAI, Unit
from .results import SummaryRow


def summarize(run: CampaignRun) -> tuple[SummaryRow, ...]:
    """For each authority that received a nomination: how many it received, recommended,
    cut (quota full), declined (or saw withdrawn) and left pending, and its quota lines with
    a limit; by level, then by code."""
    received: Counter[str] = Counter()
    recommended: Counter[str] = Counter()
    cut: Counter[str] = Counter()
    declined: Counter[str] = Counter()
    pending: Counter[str] = Counter()

    def revoked_by(n: Nomination) -> str:
        return run.history(n.id)[-1].action

    for n in run.nominations():
        if n.track == TRACK_RE_REVIEW and not applied(n, revoked_by):
            continue  # an earlier winner that never applied was never received anywhere
        for i, authority in enumerate(n.route[: n.hop + 1]):
            received[authority] += 1
            if i < n.hop:
                recommended[authority] += 1
        # A re-review cut, declined, withdrawn or lapsed ends revoked: its last event says which.
        ended = revoked_by(n) if n.state == REVOKED and n.track == TRACK_RE_REVIEW else None
        if n.state == "not_recommended" or ended == "cut":
            cut[n.holder] += 1
        elif n.state in ("declined", "withdrawn") or ended in ("decline", "withdraw"):
            declined[n.holder] += 1
        elif n.state in (IN_REVIEW, LAPSED) or ended == "lapse":
            pending[n.holder] += 1
    rows = []
    for code in received:
        a = run.graph[code]
        quota = tuple(line for line in run.quota(code) if line.limit is not None)
        rows.append(
            SummaryRow(
                code,
                a.name,
                a.level,
                received[code],
                recommended[code],
                cut[code],
                declined[code],
                pending[code],
                quota,
            )
        )
    rows.sort(key=lambda r: (AuthorityGraph.LEVELS.index(r.level), r.authority))
    return tuple(rows)


def examples(run: CampaignRun, unit_of: Mapping[str, Unit]) -> dict[str, str]:
    """A label → the id of a 2023 nomination that shows it: one announced, one at the
    ministry, one cut at Weihai, the late one of 南海新区 and the listed one."""
    out: dict[str, str] = {}
    for n in run.nominations():
        unit = unit_of.get(n.id)
        if unit is None or n.track != "new":
            continue  # an earlier winner
        if n.state == ANNOUNCED and "announced" not in out:
            out["announced"] = n.id
        if n.state == "received" and "at the ministry" not in out:
            out["at the ministry"] = n.id
        if n.state == "not_recommended" and n.holder == WEIHAI and "cut at Weihai" not in out:
            out["cut at Weihai"] = n.id
        if unit.key == LATE:
            out["late at 南海新区"] = n.id
        if unit.key == LISTED:
            out["declined (listed)"] = n.id
    return out
