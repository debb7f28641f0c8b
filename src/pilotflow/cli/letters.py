"""The commands of recommendation letters (推荐函): a sender's units go up together in one
jointly stamped letter (``pilotflow letter ...``), and the per-unit ``stamp`` and
``recommend`` that act on the letter carrying one unit.

Each action is made by :func:`~pilotflow.cli.write.action_command`: the same options, guards,
bilingual refusals and exit codes as every action command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.table import Table

import pilotflow as pf
from pilotflow.cli.commands import (
    _campaign_option,
    _console,
    _db_option,
    _name,
    _open_run,
    _show,
    _state,
    check_recorded,
    cli,
)
from pilotflow.cli.formats import emit, format_option
from pilotflow.cli.lookup import complete_material, complete_nomination, ref
from pilotflow.cli.lookup import nomination_id as _nomination_id
from pilotflow.cli.write import PAPER_COPIES, SUBMISSION_KEYS, Acting, action_command, submission_record
from pilotflow.files._io import fs_path, write_refused
from pilotflow.files.letters import GeneratedDocument
from pilotflow.names import SUBMISSION_STATE_ZH, SUBMISSION_STATES

__all__ = ["letter", "submission_id"]


@cli.group(short_help="Recommendation letters (推荐函). · 推荐函：起草、盖章、报送、撤回、退回。")
def letter() -> None:
    """A sender's units go up together in one jointly stamped letter: prepare it with the
    units, attach its materials, stamp it (each stamping department), send it.

    推荐函：起草（列入推荐对象）、附材料、各部门联合盖章、报送；报送单位可撤回，收函单位可退回。
    """


def submission_id(run: pf.CampaignRun, given: str) -> str:
    """A letter's full id from its id or a unique prefix of 4 or more characters."""
    letters = [s.id for s in run.submissions()]
    if given in letters:
        return given
    found = [sid for sid in letters if len(given) >= 4 and sid.startswith(given)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise pf.SubmissionNotFound(given)
    raise pf.InvalidInput(
        f"{given!r} is the beginning of {len(found)} letters' ids: give more of it ({', '.join(found[:5])})",
        f"{given!r} 可对应 {len(found)} 份推荐函，请给出更长的编号（{'、'.join(found[:5])}）",
    )


def _units(run: pf.CampaignRun, given: tuple[str, ...]) -> list[str]:
    return [_nomination_id(run, u) for u in given]


_letter_argument = click.argument("letter_id", metavar="LETTER")
_units_argument = click.argument(
    "units", nargs=-1, required=True, metavar="ID...", shell_complete=complete_nomination
)


@action_command("prepare", "Draft a letter with units. · 起草推荐函。", nomination=False, group=letter)
@_units_argument
def prepare(acting: Acting, units: tuple[str, ...]) -> pf.Submission:
    """Draft the actor's authority's letter listing the units (ids or refs, in its order).
    · 起草本机关的推荐函，按顺序列入推荐对象。"""
    return acting.run.prepare_submission(acting.actor, _units(acting.run, units), at=acting.at)


@action_command("add", "Add units to a draft. · 列入推荐对象。", nomination=False, group=letter)
@_letter_argument
@_units_argument
def add(acting: Acting, letter_id: str, units: tuple[str, ...]) -> pf.Submission:
    """Add units to a draft letter (its stamps come off). · 向拟稿中的推荐函增列推荐对象（已盖章作废）。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.add_to_submission(acting.actor, sid, _units(acting.run, units), at=acting.at)


@action_command("remove", "Take a unit out of a draft. · 移出推荐对象。", nomination=False, group=letter)
@_letter_argument
@click.argument("unit", metavar="ID", shell_complete=complete_nomination)
@click.option("--reason", default=None, help="Why (optional, recorded). · 理由（可选）。")
def remove(acting: Acting, letter_id: str, unit: str, reason: str | None) -> pf.Submission:
    """Take a unit out of a draft letter. · 将推荐对象移出拟稿中的推荐函。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.remove_from_submission(
        acting.actor, sid, _nomination_id(acting.run, unit), reason=reason, at=acting.at
    )


@action_command("order", "Put a draft's units in order. · 调整推荐顺序。", nomination=False, group=letter)
@_letter_argument
@_units_argument
def order(acting: Acting, letter_id: str, units: tuple[str, ...]) -> pf.Submission:
    """List every unit of the draft once, in the new order. · 按新顺序列出推荐函的全部推荐对象。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.order_submission(acting.actor, sid, _units(acting.run, units), at=acting.at)


@action_command("attach", "Attach a letter material. · 附推荐函材料。", nomination=False, group=letter)
@_letter_argument
@click.argument("kind", shell_complete=complete_material)
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--paper", "copies", type=PAPER_COPIES, default=None, help="Copies of a paper material. · 纸质材料份数。"
)
def attach(acting: Acting, letter_id: str, kind: str, file: str | None, copies: int | None) -> pf.Submission:
    """Attach the letter's own material: a FILE (checked), or --paper N copies.
    · 附推荐函材料：文件（经检查）或纸质份数。"""
    sid = submission_id(acting.run, letter_id)
    if (file is None) == (copies is None):
        raise pf.InvalidInput(
            "give either FILE or --paper N (one of them)", "请给出文件或纸质份数（--paper N），二者择一"
        )
    if file is not None:
        return acting.run.attach_file_to_submission(acting.actor, sid, kind, file, at=acting.at)
    assert copies is not None
    return acting.run.attach_paper_to_submission(acting.actor, sid, kind, copies, at=acting.at)


@action_command("stamp", "Stamp a letter. · 推荐函盖章。", nomination=False, group=letter)
@_letter_argument
def stamp_letter(acting: Acting, letter_id: str) -> pf.Submission:
    """The actor's department stamps the letter (each stamping department once).
    · 经办部门在推荐函上盖章（各盖章部门各一次）。"""
    return acting.run.stamp_submission(acting.actor, submission_id(acting.run, letter_id), at=acting.at)


@action_command(
    "send", "Send a letter: all its units or none. · 报送推荐函。", nomination=False, group=letter
)
@_letter_argument
@click.option("--exceed-quota-reason", default=None, help="Why a soft cap is exceeded. · 超出名额的理由。")
def send(acting: Acting, letter_id: str, exceed_quota_reason: str | None) -> pf.Submission:
    """Send the stamped letter: every unit goes to the receiver, or none (every reason listed).
    · 报送推荐函：全部推荐对象一并报送，否则一个也不报送（列明全部理由）。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.send(acting.actor, sid, exceed_quota_reason=exceed_quota_reason, at=acting.at)


@action_command("recall", "Recall a sent letter. · 撤回推荐函。", nomination=False, group=letter)
@_letter_argument
@click.option("--reason", required=True, help="Why (recorded). · 理由（记入审计日志）。")
def recall(acting: Acting, letter_id: str, reason: str) -> pf.Submission:
    """The sender recalls a letter the receiver has not acted on.
    · 收函单位尚未办理时，报送单位撤回推荐函。"""
    return acting.run.recall(acting.actor, submission_id(acting.run, letter_id), reason=reason, at=acting.at)


@action_command("return", "Return a received letter. · 退回推荐函。", nomination=False, group=letter)
@_letter_argument
@click.option("--reason", required=True, help="Why (recorded). · 理由（记入审计日志）。")
def return_letter(acting: Acting, letter_id: str, reason: str) -> pf.Submission:
    """The receiver returns the whole letter to its sender. · 收函单位将整份推荐函退回。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.return_submission(acting.actor, sid, reason=reason, at=acting.at)


@action_command("discard", "Discard a draft. · 作废拟稿中的推荐函。", nomination=False, group=letter)
@_letter_argument
@click.option("--reason", default=None, help="Why (optional). · 理由（可选）。")
def discard(acting: Acting, letter_id: str, reason: str | None) -> pf.Submission:
    """Drop a draft letter (its units stay with the sender). · 作废拟稿中的推荐函（推荐对象仍在本机关）。"""
    sid = submission_id(acting.run, letter_id)
    return acting.run.discard_submission(acting.actor, sid, reason=reason, at=acting.at)


@action_command("stamp", "Stamp the letter carrying a unit. · 为推荐对象所在推荐函盖章。")
def stamp(acting: Acting) -> pf.Nomination:
    """Stamp the holder's draft letter listing the unit (a one-unit letter made for it if none).
    · 为列有该推荐对象的拟稿推荐函盖章（没有则为其单独起草一份）。"""
    return acting.run.stamp(acting.actor, acting.nomination_id, at=acting.at)


@action_command("recommend", "Send a unit in its own letter. · 单独报送推荐对象。")
@click.option("--exceed-quota-reason", default=None, help="Why a soft cap is exceeded. · 超出名额的理由。")
def recommend(acting: Acting, exceed_quota_reason: str | None) -> pf.Nomination:
    """Send the letter carrying only this unit (stamped with `pilotflow stamp`).
    · 报送仅列有该推荐对象的推荐函（须已盖章）。"""
    return acting.run.recommend(
        acting.actor, acting.nomination_id, exceed_quota_reason=exceed_quota_reason, at=acting.at
    )


# -- questions -----------------------------------------------------------------------------


@letter.command("list", short_help="The letters. · 推荐函列表。")
@_db_option
@_campaign_option
@click.option("--sender", default=None, help="Sent by (code or name). · 报送单位。")
@click.option("--receiver", default=None, help="Sent to (code or name). · 收函单位。")
@click.option("--state", type=click.Choice(SUBMISSION_STATES), default=None, help="Its state. · 状态。")
@format_option()
def list_letters(
    db: str | None,
    campaign_source: str,
    sender: str | None,
    receiver: str | None,
    state: str | None,
    output_format: str,
) -> None:
    """List the letters of the campaign. · 列出本次遴选的推荐函。"""
    from pilotflow.cli.lookup import authority

    with _open_run(db, campaign_source) as run:
        check_recorded(run, "letter list")
        found = run.submissions(
            sender=authority(run.graph, sender).code if sender else None,
            receiver=authority(run.graph, receiver).code if receiver else None,
            state=state,
        )
        if output_format != "table":
            emit(output_format, [submission_record(run, s) for s in found], SUBMISSION_KEYS)
            return
        table = Table(title=f"{len(found)} letters · 推荐函", title_justify="left")
        for column in ("id", "from 报送单位", "to 收函单位", "state 状态", "units 推荐对象", "stamps 盖章"):
            table.add_column(column)
        for s in found:
            table.add_row(
                _show(s.id), _name(run.graph, s.sender), _name(run.graph, s.receiver),
                f"{_show(s.state)} {SUBMISSION_STATE_ZH.get(s.state, '')}", str(len(s.units)),
                "、".join(run.campaign.departments[d].zh if d in run.campaign.departments else _show(d)
                         for d in s.stamps),
            )  # fmt: skip
        _console().print(table)


@letter.command("show", short_help="One letter. · 查看推荐函。")
@_letter_argument
@_db_option
@_campaign_option
@click.option("--documents", "folder", default=None, type=click.Path(file_okay=False),
              help="Write its summary table and letter draft into this folder (checked against "
              "their recorded SHA-256). · 将汇总表与推荐函草稿写入此文件夹"
              "（与报送时记录的摘要核对）。")  # fmt: skip
@format_option("table", "json")
def show(
    letter_id: str, db: str | None, campaign_source: str, folder: str | None, output_format: str
) -> None:
    """A letter: its units in order, stamps, materials, generated documents.
    · 推荐函：推荐对象（按顺序）、盖章、材料、生成的文件。"""
    with _open_run(db, campaign_source) as run:
        s = run.submission(submission_id(run, letter_id))
        written: tuple[GeneratedDocument, ...] = ()
        if folder is not None:
            with _documents_folder(folder):
                written = run.submission_documents(s.id, folder)
        if output_format == "json":
            record = submission_record(run, s)
            record["written"] = [f"{s.id}-{d.filename}" for d in written]
            emit("json", record, ())
            return
        console = _console()
        console.print(
            f"[bold]{_show(s.id)}[/] {_name(run.graph, s.sender)} → {_name(run.graph, s.receiver)} · "
            f"{_show(s.state)} {SUBMISSION_STATE_ZH.get(s.state, '')} (v{s.version})"
        )
        for rank, n in enumerate(run.store.get_many(s.units), 1):  # (in one read)
            console.print(
                f"  {rank}. {ref(n.id)} {_show(n.unit_name)} [dim]{_show(n.id)}[/] · {_state(n.state)}"
            )
        names = run.campaign.departments
        console.print(
            "stamps 盖章: " + ("、".join(names[d].zh if d in names else _show(d) for d in s.stamps) or "—")
        )
        console.print("materials 材料: " + (", ".join(_show(m.kind) for m in s.materials) or "—"))
        for m in s.documents:
            console.print(f"document 生成文件: {_show(m.filename or '')} sha256 {_show(m.sha256 or '')}")
        for d in written:
            console.print(f"written 已写入: {_show(str(Path(folder or '.') / f'{s.id}-{d.filename}'))}")


@contextmanager
def _documents_folder(folder: str) -> Iterator[Path]:
    """``--documents``, made (with its missing parents) for the time of the block: a path that
    is there and is no folder (a FIFO, a device...) or that cannot be made is refused, naming
    the option. What the block leaves empty of the folders made here is removed again — all
    of them when the block raises (a refused command leaves nothing), when it wrote nothing
    too; a folder that was there before is never removed (``new/../kept`` makes ``new``)."""
    path = Path(fs_path(folder, "--documents"))
    made: list[Path] = []  # (the folders this call made, deepest first)
    try:
        for step in (*reversed(path.parents), path):  # (from the top, as the path is written)
            if not step.is_dir():
                step.mkdir()
                made.insert(0, step)
    except FileExistsError as exc:
        _remove_empty(made)
        if step != path:  # (a file where a folder on the way should be)
            raise write_refused("--documents", path, exc) from None
        raise pf.InvalidInput(
            f"--documents: {folder!r} is there and is not a folder",
            f"--documents：{folder!r} 已存在，但不是文件夹",
        ) from None
    except OSError as exc:
        _remove_empty(made)
        raise write_refused("--documents", path, exc) from None
    try:
        yield path
    finally:
        _remove_empty(made)


def _remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first) while they are empty folders."""
    for f in folders:
        try:
            f.rmdir()
        except OSError:
            return
