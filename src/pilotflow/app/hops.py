"""Moving a nomination along its route: filing, materials, examination, recommending (with
its submission: :mod:`.submissions`), returning, declining and withdrawing (the district,
city and province levels)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from ..domain.codes import validate_unit_code
from ..domain.events import build_nomination
from ..domain.guards import APPLICANT_CLAIMS, PER_APPLICANT, actor_at_origin, applicant_cap_reason
from ..domain.inputs import NAME, SHORT, check_sequence, check_text
from ..domain.names import (
    ATTACH,
    DECLINE,
    EXAMINE,
    NEW,
    NOMINATE,
    RECOMMEND,
    RETURN,
    S_ATTACH,
    S_SEND,
    S_STAMP,
    TRACK_NEW,
    WITHDRAW,
)
from ..domain.records import APPLICANT, Actor, Material, Nomination
from ..errors import InvalidInput, SeatUnavailable, UnknownAuthority, shown
from ..files.materials import campaign_material_type, inspect_campaign_material, paper_material
from .applicants import seat_taken, took_seat
from .idempotency import ReceiptFor, once, ref
from .kernel import EXCEED_QUOTA, MAX_MATERIALS, refusal, stamp_data
from .results import new_id
from .submissions import Submissions

_FILES_FOR_ITSELF = actor_at_origin()  # the nominate guard that says who may file


class Hops(Submissions):
    """The actions of the hops: a unit is filed, stamped and recommended up its route."""

    def nominate(
        self,
        actor: Actor,
        *,
        unit_code: str,
        unit_name: str,
        unit_type: str,
        origin: str,
        scenario: str = "",
        materials: Iterable[Material] = (),
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
        project: str = "",
    ) -> Nomination:
        """File a unit's nomination at its origin authority (the district level).

        ``actor`` is the applicant (``Actor.applicant(unit_code, person)``) or a department
        of ``origin``. Refused if the unit already has a live nomination, is on a
        disqualification list, or the first hop's deadline has passed.

        ``project`` names which of the unit's projects this is, where the campaign lets a unit
        file several (``applicants`` in the campaign file; then it is required, and the unit
        may hold one live nomination per project, at most ``per_applicant`` in all); elsewhere
        it must be left empty.
        """
        self._actor(actor)
        materials = check_sequence(materials, "materials", MAX_MATERIALS)
        if project != "" or self.campaign.projects:
            project = self._project(project)
        if idempotency_key is None:
            return self._atomically(
                self._nominate, actor, unit_code, unit_name, unit_type, scenario, origin, materials, at,
                reason, None, project,
            )  # fmt: skip
        parts: tuple[object, ...] = (
            NOMINATE, actor, unit_code, unit_name, unit_type, scenario, origin, materials, at, reason,
        )  # fmt: skip
        if project:  # a command without a project keeps the fingerprint it always had
            parts = (*parts, project)
        return once(
            self.store,
            self.campaign.id,
            idempotency_key,
            parts,
            lambda receipt_for: self._nominate(
                actor,
                unit_code,
                unit_name,
                unit_type,
                scenario,
                origin,
                materials,
                at,
                reason,
                receipt_for,
                project,
            ),
            ref,
            self._at_version,
        )

    def _nominate(
        self,
        actor: Actor,
        unit_code: str,
        unit_name: str,
        unit_type: str,
        scenario: str,
        origin: str,
        materials: tuple[Material, ...],
        at: datetime | None,
        reason: str | None,
        receipt_for: ReceiptFor,
        project: str = "",
    ) -> Nomination:
        when = self._dated(at)
        if reason is not None:
            reason = self._reasoned(NOMINATE, reason)
        if not (actor.is_applicant and unit_code == actor.authority):  # else _actor checked it
            validate_unit_code(unit_code)
        unit_name = check_text(unit_name, "unit_name", NAME, zh="单位名称")
        self._unit_type(unit_type)
        self._scenario(scenario, "scenario", required=True)
        if not isinstance(origin, str) or origin not in self.graph:
            raise UnknownAuthority(shown(origin) if not isinstance(origin, str) else origin, "origin")
        mats = self._admit.units_own(materials)
        unit = self._unit_facts(unit_code, unit_type, scenario, when)
        route = self._route_from(origin, "origin", unit)
        new = build_nomination(
            new_id(), self.campaign.id, self.campaign.revision, unit_code,
            unit_name, unit_type, scenario, route, 0, NEW, (), mats, (), 0, when, when,
            TRACK_NEW, None, None, project,
        )  # fmt: skip
        ctx = self._context(new, actor, when, NOMINATE)
        cap = self.campaign.per_applicant
        if cap is not None:  # the cap per applicant: its guard counts the unit's nominations
            held = self.store.count_claims(self.campaign.id, unit_code)
            ctx.extra = {**ctx.extra, PER_APPLICANT: cap, APPLICANT_CLAIMS: held}
        if actor.is_applicant:
            # An applicant filing for another unit is refused for that alone: it learns nothing
            # more about the unit (its lists, its registration) from the other guards.
            denied = _FILES_FOR_ITSELF(ctx)
            if denied is not None:
                raise refusal(NOMINATE, None, [denied])
        ctx.registered_in = self.graph.registered_in(unit_code)
        ctx.entry = unit is not None and self.campaign.may_start_at(self.graph[origin], unit)
        data = {
            "campaign": self.campaign.id,
            "unit_code": unit_code,
            "unit_name": new.unit_name,
            "unit_type": unit_type,
            "scenario": scenario,
            "route": route,
            "materials": mats,
        }
        if project:
            data["project"] = project
        change = self._change(None, ctx, NOMINATE, actor, when, NEW, reason, data, new)
        # Only someone entitled to file learns whether the unit already has a nomination: the
        # guards have passed. The store refuses a second live claim of the unit in the commit
        # itself (DuplicateNomination, in the same transaction: the store contract), so no read
        # of the unit's claim comes first.
        if cap is None or not took_seat(change.event):  # (judged under the cap: its seat taken)
            self._commit(NOMINATE, [change], receipt_for(change.after) if receipt_for else None)
            return change.after
        change = change._replace(seats=(*change.seats, seat_taken(unit_code, cap)))
        try:  # the store holds the cap against concurrent filings of the unit (see .applicants)
            self.store.commit(self.campaign.id, [change], receipt_for(change.after) if receipt_for else None)
        except SeatUnavailable as exc:  # a concurrent filing of the unit took its last place
            raise refusal(NOMINATE, None, [applicant_cap_reason(unit_code, cap, exc.used)]) from exc
        return change.after

    def _project(self, project: object) -> str:
        """``project`` checked against what the campaign allows (see :meth:`nominate`)."""
        if (not isinstance(project, str) or not project) and self.campaign.projects:
            raise InvalidInput(
                f"campaign {self.campaign.id} lets a unit file several projects: name the "
                f"nomination's project (project=...), got {project!r}",
                "本次遴选允许同一申报主体申报多个项目：请写明本申报的项目名称"
                f"（project=...），收到 {project!r}",
            )
        if check_text(project, "project", SHORT, zh="项目名称") != project:
            raise InvalidInput(
                f"project must not begin or end with white space, got {project!r}",
                f"项目名称首尾不能有空白字符，收到 {project!r}",
            )
        if not self.campaign.projects:
            raise InvalidInput(
                f"campaign {self.campaign.id} takes one nomination per unit: leave project empty, "
                f"got {project!r}",
                f"本次遴选每个申报主体只能申报一次，不分项目：请不要填写项目名称，收到 {project!r}",
            )
        return project

    def attach(
        self,
        actor: Actor,
        nomination: str | Nomination,
        material: Material,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Attach a material (by the applicant or the holding authority).

        A material of the sender's letter (``per: submission`` in the campaign: the stamped
        推荐函, its summary table) goes to the submission carrying the nomination, or to a new
        one-unit draft made for it (see :meth:`attach_to_submission`); only the holder's
        departments attach those."""
        m = self._admit.all((material,))[0]
        if self.campaign.materials[m.kind].of_submission:
            if isinstance(actor, Actor) and actor.is_applicant:
                raise InvalidInput(
                    f"material {m.kind!r} belongs to the recommending authority's letter, "
                    "not to the applicant",
                    f"“{self._department_names.get(m.kind, m.kind)}”是推荐单位推荐函的材料，申报单位不能提交",
                )
            return self._by_unit(S_ATTACH, actor, nomination, at, None, {"material": m}, idempotency_key)
        return self._act(ATTACH, actor, nomination, at, None, {"material": m}, idempotency_key)

    def attach_file(
        self,
        actor: Actor,
        nomination: str | Nomination,
        kind: str,
        path: str | os.PathLike[str],
        *,
        root: str | os.PathLike[str] | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Attach a material as a real file, checked first (see :mod:`pilotflow.materials`):
        its SHA-256, size and type from its bytes; a PDF that opens unencrypted, a valid
        Word file, an MP4 of the campaign's length. A bad file raises ``MaterialRejected``
        and nothing is written. With ``root``, ``path`` must lie inside it."""
        self._actor(actor)
        self._nomination(nomination)  # an unknown nomination is refused before any file work
        material = inspect_campaign_material(self.campaign, kind, path, root=root)
        return self.attach(actor, nomination, material, at=at, idempotency_key=idempotency_key)

    def attach_paper(
        self,
        actor: Actor,
        nomination: str | Nomination,
        kind: str,
        copies: int = 1,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Declare ``copies`` of a paper material (e.g. the application form, 一式三份)."""
        material = paper_material(campaign_material_type(self.campaign, kind), copies)
        return self.attach(actor, nomination, material, at=at, idempotency_key=idempotency_key)

    def examine(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        opinion: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """A department of the holder examines the unit (逐一审查) and records its ``opinion``,
        where the campaign asks for it (``examine`` in its acting rules): each department the
        campaign names, once, before the unit may join the holder's submission."""
        department = actor.department if isinstance(actor, Actor) else None
        if department == APPLICANT:
            raise InvalidInput("an applicant cannot examine itself", "申报单位不能自行审查")
        text = self._reasoned(EXAMINE, opinion, "opinion", "审查意见")
        data = {"department": department, "opinion": text}
        return self._act(EXAMINE, actor, nomination, at, None, data, idempotency_key)

    def stamp(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Stamp the recommendation letter (推荐函) that carries the nomination: the holder's
        draft submission listing it, or a new one-unit draft made for it (see
        :meth:`stamp_submission`, which stamps a letter of many units). Returns the nomination
        (a stamp changes the letter, not the unit)."""
        department = actor.department if isinstance(actor, Actor) else None
        if department == APPLICANT:
            raise InvalidInput("an applicant cannot stamp", "申报单位不能代替主管部门盖章")
        return self._by_unit(S_STAMP, actor, nomination, at, None, stamp_data(department), idempotency_key)

    def recommend(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
        exceed_quota_reason: str | None = None,
    ) -> Nomination:
        """Forward one unit to the next authority on the route (takes a quota seat): send the
        recommendation letter that carries it alone (stamped with :meth:`stamp`), or a new
        one-unit letter (refused for want of stamps). A unit listed in a letter of several
        units goes with that letter: :meth:`send` it.

        ``exceed_quota_reason``: why the holder exceeds a soft cap (``soft`` in the campaign's
        quota rule); accepted only from a department the rule names, and recorded in the event.
        """
        data: dict[str, str] = {}
        if exceed_quota_reason is not None:
            data[EXCEED_QUOTA] = self._reasoned(
                RECOMMEND, exceed_quota_reason, "reason to exceed the quota", "超出名额的理由"
            )
        if reason is not None:
            reason = self._reasoned(RECOMMEND, reason)
        return self._by_unit(S_SEND, actor, nomination, at, reason, data, idempotency_key)

    def decline(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Decline at this level (final). Seats already used below stay used."""
        return self._act(
            DECLINE, actor, nomination, at, self._reasoned(DECLINE, reason), None, idempotency_key
        )

    def return_for_revision(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        reason: str,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Send back to the previous authority; its seat there is given back."""
        return self._act(RETURN, actor, nomination, at, self._reasoned(RETURN, reason), None, idempotency_key)

    def withdraw(
        self,
        actor: Actor,
        nomination: str | Nomination,
        *,
        at: datetime | None = None,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Nomination:
        """Withdraw (the applicant or the holder), before the hop's deadline; frees all seats."""
        return self._act(WITHDRAW, actor, nomination, at, reason, None, idempotency_key)
