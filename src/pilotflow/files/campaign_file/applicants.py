"""``applicants`` (format 2): whether a unit may file several nominations, one per project
(a scene and a factory from one applicant), and how many it may hold at once
(同一申报主体最多不超过2个项目)."""

from __future__ import annotations

from attrs import frozen

from .bounds import QUOTAS
from .scope import Scope

__all__ = ["Applicants", "applicants"]


@frozen
class Applicants:
    """What ``applicants`` says: ``projects`` and ``per_applicant`` (None: no cap)."""

    projects: bool = False
    per_applicant: int | None = None


def applicants(r: Scope, value: object) -> Applicants:
    """``applicants``: ``projects`` (true: each nomination names its project) and
    ``per_applicant`` (the most nominations a unit may hold at once; implies ``projects``).
    None (no ``applicants`` key): one nomination per unit, as in format 1."""
    if value is None:
        return Applicants()
    r.since_format(2, "applicants")
    entry = r.mapping(value, "applicants", (), ("projects", "per_applicant", "source", "note"))
    r.info(entry, "applicants")
    cap: int | None = None
    if entry.get("per_applicant") is not None:
        cap = r.integer(entry["per_applicant"], "applicants.per_applicant", (1, QUOTAS[1]))
    projects = cap is not None
    if "projects" in entry:
        projects = r.boolean(entry["projects"], "applicants.projects")
        if not projects and cap is not None and cap > 1:
            r.fail(
                "applicants.projects",
                f"per_applicant: {cap} lets a unit hold {cap} nominations, which must be told apart "
                "by their project: drop 'projects: false'",
                f"per_applicant 为 {cap}，即一个申报主体可有 {cap} 个申报，须按项目区分："
                "请删去 'projects: false'",
            )
    return Applicants(projects, cap)
