"""The commands that act: each is one call of the public API on the database and campaign
given, by the actor given, judged by the same guards as in a program.

Every action command is made by :func:`action_command`, which adds the options they share
(``--db``, ``--campaign``, ``--list``, ``--at``, ``--backfill``, ``--format``; the actor as
``--authority``, ``--department``, ``--person``; the nomination as an argument), opens the
run for writing, finds the nomination by id, prefix or reference, calls the command's
function with an :class:`Acting`, and prints what came back — or the refusal, with its
reasons in English and Chinese and exit status 1, the database unchanged. A new action is
one function::

    @action_command("stamp", "Stamp the joint recommendation. · 联合盖章。")
    def stamp(acting: Acting) -> pf.Nomination:
        \"\"\"One department of the holding authority stamps. · 持有机关的一个部门盖章。\"\"\"
        return acting.run.stamp(acting.actor, acting.nomination_id, at=acting.at)
"""

from __future__ import annotations

import errno
import functools
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import click
from attrs import frozen

import pilotflow as pf
from pilotflow import reports
from pilotflow.cli.commands import (
    REFUSED,
    _campaign_option,
    _console,
    _db_option,
    _list_option,
    _moment,
    _name,
    _open_run,
    _report,
    _show,
    _state,
    cli,
    nomination_record,
    print_reasons,
    reason_records,
)
from pilotflow.cli.formats import emit, format_option
from pilotflow.cli.lookup import authority as _authority
from pilotflow.cli.lookup import (
    complete_authority,
    complete_department,
    complete_material,
    complete_nomination,
    complete_unit_type,
    ref,
)
from pilotflow.cli.lookup import nomination_id as _nomination_id
from pilotflow.codes import code_problem
from pilotflow.domain.records import MAX_COPIES
from pilotflow.errors import os_reason, shown
from pilotflow.names import APPLICANT

__all__ = ["SUBMISSION_KEYS", "Acting", "action_command", "submission_record"]


@frozen
class Acting:
    """What an action command's function is given: the run (open for writing), the moment
    (``--at``; None: now), and — for a command made with them — the actor and the
    nomination's full id."""

    run: pf.CampaignRun
    at: datetime | None
    given_actor: pf.Actor | None = None
    given_nomination: str | None = None

    @property
    def actor(self) -> pf.Actor:
        """The actor of --authority, --department and --person."""
        if self.given_actor is None:
            raise pf.InvalidInput("this command takes no actor", "此命令不指定经办人")
        return self.given_actor

    @property
    def nomination_id(self) -> str:
        """The full id of the nomination the command names."""
        if self.given_nomination is None:
            raise pf.InvalidInput("this command names no nomination", "此命令不针对某一申报")
        return self.given_nomination


def _actor(run: pf.CampaignRun, authority: str, department: str, person: str) -> pf.Actor:
    """The actor of ``--authority`` (code or Chinese name; an applicant's unit code as it is),
    ``--department`` and ``--person``."""
    if department != APPLICANT and authority not in run.graph and code_problem(authority) is None:
        raise pf.InvalidInput(
            f"--authority {shown(authority)} is a unit's code (统一社会信用代码): a unit acts with "
            f"--department {APPLICANT}; an authority acts by its code or name",
            f"--authority {shown(authority)} 是申报单位的统一社会信用代码：申报单位办理请用 "
            f"--department {APPLICANT}；机关办理请填机关代码或名称",
        )
    code = authority if department == APPLICANT else _authority(run.graph, authority).code
    return pf.Actor(code, department, person)


def _unprinted(action: str, exc: OSError) -> pf.PilotflowError:
    """The error of an action that was done whose output could not be written."""
    en, zh = os_reason(exc)
    return pf.PilotflowError(
        f"{action} was done and recorded, but its output could not be written ({shown(en)}): see "
        "it with `pilotflow history`",
        f"操作 {action} 已完成并已记录，但结果无法输出（{zh}），可用 `pilotflow history` 查看",
    )


def _refused(output_format: str, action: str, exc: pf.PilotflowError) -> None:
    """A refusal: the reasons (stderr; ``--format json``: also as JSON on stdout), exit 1."""
    if output_format == "json":
        reasons = (
            reason_records(exc.reasons)
            if isinstance(exc, pf.ActionRefused)
            else [{"code": type(exc).__name__, "en": exc.en, "zh": exc.zh}]
        )
        emit("json", {"ok": False, "action": action, "reasons": reasons}, ())
    _report(exc)
    _console(stderr=True).print("  nothing was changed · 未作任何更改")
    raise SystemExit(REFUSED)


def _print_result(output_format: str, action: str, run: pf.CampaignRun, result: object) -> None:
    """What an action returned: a nomination, several, a letter, a selection, the ids it
    moved, or a result that prints itself (``print_result(output_format, action)``)."""
    printed = getattr(result, "print_result", None)
    if callable(printed):  # (a list loaded: see pilotflow.cli.lists)
        printed(output_format, action)
        return
    if isinstance(result, pf.Submission):
        _print_letter(output_format, action, run, result)
        return
    if isinstance(result, pf.Nomination):
        result = (result,)
    if isinstance(result, pf.SelectionResult):
        _print_selection(output_format, run, result)
        return
    items = tuple(result) if isinstance(result, (tuple, list)) else ()
    nominations = [n for n in items if isinstance(n, pf.Nomination)]
    ids = [i for i in items if isinstance(i, str)]
    if output_format == "json":
        records = [nomination_record(run, n) for n in nominations]
        moved = ids if not nominations else None
        emit("json", {"ok": True, "action": action, "nominations": records, "moved": moved}, ())
        return
    console = _console()
    for n in nominations:
        console.print(
            f"[green]✓ {_show(action)}[/] {_show(n.unit_name)} [dim]{_show(n.id)} · ref {ref(n.id)}[/] · "
            f"now 现为 {_state(n.state)} at {_name(run.graph, n.holder)} {_show(n.holder)} (v{n.version})"
        )
    if not nominations:
        console.print(f"[green]✓ {_show(action)}[/]: {len(ids)} moved · 变更 {len(ids)} 项")
        for n in run.store.get_many(ids):  # (in one read)
            console.print(f"  {ref(n.id)} {_show(n.id)} {_show(n.unit_name)} → {_state(n.state)}")


#: The keys of a letter in JSON and CSV output.
SUBMISSION_KEYS = ("id", "sender", "sender_name", "receiver", "receiver_name", "state", "units", "stamps",
                   "materials", "documents", "version", "created_at", "sent_at")  # fmt: skip


def submission_record(run: pf.CampaignRun, s: pf.Submission) -> dict[str, Any]:
    """A letter as JSON and CSV show it."""
    return {
        "id": s.id,
        "sender": s.sender,
        "sender_name": _name(run.graph, s.sender),
        "receiver": s.receiver,
        "receiver_name": _name(run.graph, s.receiver),
        "state": s.state,
        "units": list(s.units),
        "stamps": list(s.stamps),
        "materials": [m.kind for m in s.materials],
        "documents": [{"kind": m.kind, "filename": m.filename, "sha256": m.sha256} for m in s.documents],
        "version": s.version,
        "created_at": s.created_at.isoformat(),
        "sent_at": None if s.sent_at is None else s.sent_at.isoformat(),
    }


def _print_letter(output_format: str, action: str, run: pf.CampaignRun, s: pf.Submission) -> None:
    if output_format == "json":
        emit("json", {"ok": True, "action": action, "submission": submission_record(run, s)}, ())
        return
    stamps = "、".join(
        run.campaign.departments[d].zh if d in run.campaign.departments else _show(d) for d in s.stamps
    )
    _console().print(
        f"[green]✓ {_show(action)}[/] letter 推荐函 {_show(s.id)} {_name(run.graph, s.sender)} → "
        f"{_name(run.graph, s.receiver)} · {_show(s.state)} · {len(s.units)} units 推荐对象 · "
        f"stamps 盖章 {stamps or '—'} (v{s.version})"
    )


def _print_selection(output_format: str, run: pf.CampaignRun, r: pf.SelectionResult) -> None:
    if output_format == "json":
        emit("json", {
            "ok": True, "action": "select", "dry_run": r.dry_run, "authority": r.authority,
            "unit_type": r.unit_type, "ranked": list(r.ranked), "recommended": list(r.recommended),
            "cut": list(r.cut), "skipped": {k: reason_records(v) for k, v in r.skipped.items()},
            "submissions": list(r.submissions),
        }, ())  # fmt: skip
        return
    console = _console()
    head = "would select · 预演（未写入）" if r.dry_run else "selected · 已遴选"
    console.print(
        f"[bold]{head}[/] {_name(run.graph, r.authority)} {_show(r.authority)} · {_show(r.unit_type)}: "
        f"{len(r.recommended)} recommended 推荐, {len(r.cut)} cut 名额外, {len(r.skipped)} skipped 跳过"
    )
    names = {n.id: n.unit_name for n in run.nominations(holder=None)}
    for nid in r.ranked:
        mark = (
            "[green]recommend 推荐[/]" if nid in r.recommended
            else "[yellow]cut 名额已满[/]" if nid in r.cut
            else "[red]skipped 跳过[/]"
        )  # fmt: skip
        console.print(f"  {ref(nid)} {_show(nid)} {_show(names.get(nid, ''))}  {mark}")
        print_reasons(console, r.skipped.get(nid, ()))


def action_command(
    name: str,
    short_help: str,
    *,
    nomination: bool = True,
    actor: bool = True,
    backfill_option: bool = True,
    group: click.Group | None = None,
) -> Callable[[Callable[..., object]], click.Command]:
    """Make ``function(acting, **its own options)`` the command ``name`` of ``group`` (the
    ``pilotflow`` group by default; see the module docstring): the shared options are added
    here, the command's own with click's decorators under this one. ``nomination``: it takes
    a nomination (argument ID); ``actor``: it needs --authority, --department, --person."""

    def decorate(function: Callable[..., object]) -> click.Command:
        @functools.wraps(function)
        def command(
            db: str | None,
            campaign_source: str,
            lists: tuple[str, ...],
            at: str | None,
            backfill: bool,
            output_format: str,
            nomination_id: str | None = None,
            authority: str | None = None,
            department: str | None = None,
            person: str | None = None,
            **own: Any,
        ) -> None:
            with _open_run(db, campaign_source, lists=lists, write=True, backfill=backfill) as run:
                when = _moment(at, run.campaign.timezone) if at is not None else None
                # (None only where the command takes no actor: an empty option is refused by
                # the actor's own checks, naming it)
                who = (
                    _actor(run, authority, department, person)
                    if authority is not None and department is not None and person is not None
                    else None
                )
                nid = _nomination_id(run, nomination_id) if nomination_id is not None else None
                try:
                    result = function(Acting(run, when, who, nid), **own)
                except (pf.ActionRefused, pf.DuplicateNomination, pf.ConflictError) as exc:
                    _refused(output_format, name, exc)
                try:
                    _print_result(output_format, name, run, result)
                    sys.stdout.flush()
                except OSError as exc:  # (a full disk, say: the action stands, say so)
                    if exc.errno == errno.EPIPE:
                        raise
                    raise _unprinted(name, exc) from exc

        params = command
        params = format_option("table", "json")(params)
        params = _campaign_option(params)
        if backfill_option:
            params = click.option(
                "--backfill",
                is_flag=True,
                default=False,
                help="Record a fact of the past: --at may be any earlier moment (the event says "
                "when it was entered). · 补录过去的事实：--at 可早于当前，事件记录补录时间。",
            )(params)
        else:
            params = click.option("--backfill", is_flag=True, hidden=True, default=False)(params)
        params = _list_option(params)
        params = click.option(
            "--at",
            default=None,
            metavar="ISO",
            help="The moment to record (default: now; within the campaign's clock tolerance). "
            "· 记录的时刻（默认：当前）。",
        )(params)
        params = _db_option(params)
        if actor:
            params = click.option(
                "--person",
                required=True,
                help="Who acts (recorded in the audit log). · 经办人（记入审计日志）。",
            )(params)
            params = click.option(
                "--department",
                required=True,
                shell_complete=complete_department,
                help="The acting department (industry, civil_affairs, health; applicant). · 经办部门。",
            )(params)
            params = click.option(
                "--authority",
                required=True,
                shell_complete=complete_authority,
                help="The acting authority, by code or Chinese name (an applicant: its unit code). "
                "· 经办机关（代码或中文名称；申报单位：统一社会信用代码）。",
            )(params)
        if nomination:
            params = click.argument("nomination_id", metavar="ID", shell_complete=complete_nomination)(params)
        return (group or cli).command(name, short_help=short_help)(params)

    return decorate


_reason_option = click.option(
    "--reason", required=True, help="Why (recorded in the audit log). · 理由（记入审计日志）。"
)


@action_command("decline", "Decline a nomination at this level. · 不予推荐（终止）。")
@_reason_option
def decline(acting: Acting, reason: str) -> pf.Nomination:
    """Decline nomination ID at its holder's level (final; seats used below stay used).

    在本级对申报 ID 作出不予推荐的决定（终止；下级已用名额不退回）。
    """
    return acting.run.decline(acting.actor, acting.nomination_id, reason=reason, at=acting.at)


@action_command("return", "Return a nomination for revision. · 退回修改。")
@_reason_option
def return_for_revision(acting: Acting, reason: str) -> pf.Nomination:
    """Send nomination ID back to the previous authority for revision (its seat there is
    given back).

    将申报 ID 退回上一级机关修改（退回其在该级占用的名额）。
    """
    return acting.run.return_for_revision(acting.actor, acting.nomination_id, reason=reason, at=acting.at)


@action_command("withdraw", "Withdraw a nomination. · 撤回申报。")
@click.option("--reason", default=None, help="Why (optional, recorded). · 理由（可选，记入审计日志）。")
def withdraw(acting: Acting, reason: str | None) -> pf.Nomination:
    """Withdraw nomination ID (the applicant or the holder), before the hop's deadline; all
    its seats are freed.

    撤回申报 ID（申报单位或持有机关），须在本环节期限之前；释放其占用的全部名额。
    """
    return acting.run.withdraw(acting.actor, acting.nomination_id, reason=reason, at=acting.at)


#: Paper copies of a material, a unit's or a letter's: the bounds materials have.
PAPER_COPIES = click.IntRange(1, MAX_COPIES)


@action_command("attach", "Attach a material to a nomination. · 上传材料。")
@click.argument("kind", shell_complete=complete_material)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--paper",
    "copies",
    type=PAPER_COPIES,
    default=None,
    help="Declare this many paper copies instead of a file. · 声明纸质材料份数（不上传文件）。",
)
def attach(acting: Acting, kind: str, file: str | None, copies: int | None) -> pf.Nomination:
    """Attach a material of KIND to nomination ID: the FILE (checked first: type, size,
    digest; a PDF must open, a video must be of the campaign's length), or --paper N copies.

    为申报 ID 上传 KIND 类材料：文件 FILE（先行检查类型、大小与摘要），或用 --paper N 声明纸质材料份数。
    """
    if (file is None) == (copies is None):
        raise pf.InvalidInput(
            "give either FILE or --paper COPIES", "请给出文件 FILE 或 --paper 份数（二者择一）"
        )
    if file is not None:
        return acting.run.attach_file(acting.actor, acting.nomination_id, kind, file, at=acting.at)
    assert copies is not None
    return acting.run.attach_paper(acting.actor, acting.nomination_id, kind, copies, at=acting.at)


@action_command("select", "Select within quota (or --dry-run). · 名额内遴选（可预演）。", nomination=False)
@click.argument("unit_type", shell_complete=complete_unit_type)
@click.option(
    "--order",
    multiple=True,
    metavar="ID",
    shell_complete=complete_nomination,
    help="Rank this nomination next (repeatable; id, prefix or ref). · 指定排序（可重复）。",
)
@click.option(
    "--track",
    type=click.Choice(["new", "re_review"]),
    default="new",
    show_default=True,
    help="New nominations or re-review applications. · 新申报或复核。",
)
@click.option(
    "--dry-run",
    is_flag=True,
    default=False,
    help="Show what would be selected and write nothing. · 预演：只显示结果，不写入。",
)
def select(
    acting: Acting, unit_type: str, order: Sequence[str], track: str, dry_run: bool
) -> pf.SelectionResult:
    """Rank the acting authority's candidates of UNIT_TYPE and recommend up to quota, cutting
    the rest, in one commit; --dry-run writes nothing.

    对经办机关 UNIT_TYPE 类候选申报排序，在名额内推荐、其余列为名额外，一次提交；--dry-run 只预演不写入。
    """
    ids = [_nomination_id(acting.run, o) for o in order]
    return acting.run.select(acting.actor, unit_type, order=ids, at=acting.at, dry_run=dry_run, track=track)


@action_command(
    "tick", "The deadline sweep. · 期限巡检（逾期处理、撤销、公告）。", nomination=False, actor=False
)
def tick(acting: Acting) -> tuple[str, ...]:
    """The deadline sweep: lapse nominations whose deadline passed in review, revoke earlier
    winners that did not apply, announce those whose public notice closed. Safe to run often
    (from cron, several at once).

    期限巡检：逾期未报送的申报作失效处理，逾期未申请复核的撤销称号，公示期满无异议的予以公告。可频繁运行。
    """
    return acting.run.tick(acting.at)


@action_command(
    "register-winners",
    "Register earlier winners for re-review. · 登记往批次获评单位以便复核。",
    nomination=False,
)
@click.argument("file", type=click.Path(dir_okay=False))
def register_winners(acting: Acting, file: str) -> tuple[pf.Nomination, ...]:
    """Register the earlier winners listed in FILE (CSV or XLSX) for re-review, in one
    commit: refused whole if any row is bad or already registered.

    登记文件 FILE（CSV 或 XLSX）所列往批次获评单位以便复核，一次提交；任何一行有误或已登记则整体拒绝。
    """
    names = {t.name.zh: code for code, t in acting.run.campaign.unit_types.items()}
    winners = reports.load_winners(file, unit_types=names)
    return acting.run.register_winners(acting.actor, winners, at=acting.at)
