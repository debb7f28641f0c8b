"""``pilotflow lists``: the lists (名单) every command judges with; ``lists load`` keeps a list
file in the database (who loaded it, when; every earlier version kept), ``lists show`` gives
back a stored version (the one a refusal or an event cites), ``lists history`` every load.

A command's run judges with the lists loaded into its database, each replaced by the file
given for its id with ``--list`` (or ``[lists]`` in pilotflow.toml); a list the campaign
requires that is neither loaded nor given is empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import click
from attrs import frozen
from click.shell_completion import CompletionItem
from rich.table import Table

import pilotflow as pf
from pilotflow.app.unit_lists import campaign_lists, check_list_id
from pilotflow.cli.commands import (
    _campaign,
    _campaign_option,
    _console,
    _db_option,
    _list_option,
    _lists,
    _open_run,
    _open_store,
    _show,
    _store_url,
    _when,
    campaign_for_completion,
    cli,
    run_lists,
)
from pilotflow.cli.formats import emit, format_option
from pilotflow.cli.write import Acting, action_command

__all__ = ["LIST_KEYS", "LOAD_KEYS", "lists_group"]

#: The keys of a list in ``pilotflow lists`` (JSON and CSV).
LIST_KEYS = ("id", "name", "kind", "entries", "version", "source", "loaded_at", "loaded_by")
#: The keys of a load in ``lists history`` and ``lists load --format json``.
LOAD_KEYS = ("id", "version", "entries", "loaded_at", "authority", "department", "person", "file", "current")
#: The keys of an entry in ``lists show``.
ENTRY_KEYS = ("unit_code", "unit_name", "since", "until", "reason", "group")


def load_record(load: pf.ListLoad, current: bool) -> dict[str, Any]:
    """A load as JSON and CSV show it."""
    return {
        "id": load.list_id, "version": load.version, "entries": load.entries,
        "loaded_at": load.at.isoformat(), "authority": load.actor.authority,
        "department": load.actor.department, "person": load.actor.person, "file": load.source,
        "current": current,
    }  # fmt: skip


def complete_list_id(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The ids of the lists the campaign names, with their Chinese names."""
    try:
        named = campaign_lists(campaign_for_completion(ctx))
    except Exception:  # an unreadable campaign file: nothing to offer
        return []
    return [CompletionItem(k, help=v) for k, v in named.items() if k.startswith(incomplete)]


_list_id_argument = click.argument("list_id", metavar="ID", shell_complete=complete_list_id)


def _by(load: pf.ListLoad) -> str:
    return f"{load.actor.authority}:{load.actor.department}:{load.actor.person}"


@cli.group(
    "lists",
    invoke_without_command=True,
    short_help="The lists judged with; load, show, history. · 名单：载入、查看、历史。",
)
@_db_option
@_list_option
@_campaign_option
@format_option()
@click.pass_context
def lists_group(
    ctx: click.Context, db: str | None, lists: tuple[str, ...], campaign_source: str, output_format: str
) -> None:
    """Show the lists every command judges with: those loaded into the database (pilotflow
    lists load), each replaced by a file of [lists] in pilotflow.toml or --list ID=FILE
    (checked here); a required list neither loaded nor given is empty. Without a database,
    the files only.

    显示各命令据以判断的名单：数据库中已载入的名单（pilotflow lists load），
    配置文件 [lists] 或 --list 给出的文件优先（在此逐一检查）；二者皆无的必需名单按空名单处理。
    """
    if ctx.invoked_subcommand is not None:
        return
    campaign = _campaign(campaign_source)
    given = _lists(campaign, lists)
    loads: dict[str, pf.ListLoad] = {}
    stored: dict[str, pf.UnitList] = {}
    if db is not None:
        store = _open_store(_store_url(db), write=False)
        try:
            run = pf.CampaignRun(campaign, store=store, lists=run_lists(campaign, store, given))
            loads = {load.list_id: load for load in run.list_loads()}
            stored = dict(run.lists)
        finally:
            store.close()
    files = {lst.id: lst for lst in given}
    in_use = stored or {lst.id: lst for lst in run_lists(campaign, pf.MemoryStore(), given)}
    order = {lid: i for i, lid in enumerate(campaign_lists(campaign))}  # the campaign's order
    chosen = sorted(in_use.values(), key=lambda lst: order.get(lst.id, len(order)))
    rows = [_list_row(campaign, lst, files, loads) for lst in chosen]
    if output_format != "table":
        emit(output_format, rows, LIST_KEYS)
        return
    _print_table(
        f"Lists 名单 ({_show(campaign.id)})",
        ("id", "名称 name", "kind 作用", "entries 条目", "version 版本", "from 来源", "loaded 载入"),
        (
            (_show(row["id"]), _show(row["name"] or "—"), _show(row["kind"] or "—"), str(row["entries"]),
             _show(row["version"]), _show(row["source"]),
             f"{_when(loads[row['id']].at)} {_show(row['loaded_by'])}" if row["source"] == "stored" else "—")
            for row in rows
        ),
    )  # fmt: skip


def _print_table(title: str, columns: Sequence[str], cells: Iterable[Sequence[str]]) -> None:
    """A table of ``cells`` under ``columns`` on the terminal (the read commands' ``table`` format)."""
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in cells:
        table.add_row(*row)
    _console().print(table)


def _list_row(
    campaign: pf.Campaign, lst: pf.UnitList, files: dict[str, pf.UnitList], loads: dict[str, pf.ListLoad]
) -> dict[str, Any]:
    declared = campaign.list_rules()
    load = loads.get(lst.id)
    stored = lst.id not in files and load is not None and load.version == lst.version
    source = "file" if lst.id in files else "stored" if stored else "empty"
    return {
        "id": lst.id,
        "name": declared[lst.id].name.zh if lst.id in declared else campaign_lists(campaign).get(lst.id),
        "kind": declared[lst.id].kind if lst.id in declared else None,
        "entries": len(lst.entries),
        "version": lst.version,
        "source": source,
        "loaded_at": load.at.isoformat() if stored and load is not None else None,
        "loaded_by": _by(load) if stored and load is not None else None,
    }


@frozen
class Loaded:
    """What ``lists load`` did: the load now current, and whether this command stored it."""

    run: pf.CampaignRun
    load: pf.ListLoad
    new: bool

    def print_result(self, output_format: str, action: str) -> None:
        if output_format == "json":
            emit("json", {"ok": True, "action": action, "changed": self.new,
                          "list": load_record(self.load, True)}, ())  # fmt: skip
            return
        load = self.load
        name = campaign_lists(self.run.campaign).get(load.list_id, load.list_id)
        head = (
            f"[green]✓ loaded · 已载入[/] {_show(name)} {_show(load.list_id)}"
            if self.new
            else f"[yellow]= already current · 已是当前版本，未作更改[/] {_show(name)} {_show(load.list_id)}"
        )
        _console().print(
            f"{head} · version 版本 {_show(load.version)} · {load.entries} entries 条 · "
            f"by 由 {_show(_by(load))} at {_when(load.at)}"
        )


@action_command(
    "load",
    "Load a list file into the database. · 将名单文件载入数据库。",
    nomination=False,
    backfill_option=False,
    group=lists_group,
)
@_list_id_argument
@click.argument("file", type=click.Path(dir_okay=False))
def load(acting: Acting, list_id: str, file: str) -> Loaded:
    """Read FILE (CSV: unit_code, unit_name, since, until, reason, group) as the list ID and
    keep it in the database as its current version, with who loaded it and when; earlier
    versions stay (events cite them). Every later command judges with it. The actor is a
    department of an authority whose reach covers every place the list is judged (a list
    judged everywhere: the campaign's top); anyone else is refused (exit 1). A file that is
    malformed or too large is refused (exit 2), nothing changed.

    读取名单文件 FILE（CSV）作为名单 ID，载入数据库作为当前版本，并记录载入人与时间；
    此前各版本保留（事件引用其版本）。此后各命令据以判断。载入人须为其辖区涵盖该名单全部适用范围的机关的部门
    （在所有机关适用的名单：本次遴选的最高一级机关），否则予以拒绝。文件格式有误或过大的予以拒绝，不作任何更改。
    """
    run = acting.run
    check_list_id(run.campaign, list_id)
    unit_list = pf.load_list(file, list_id, timezone=run.campaign.timezone)
    before = len(run.list_loads(list_id))
    done = run.load_list(unit_list, actor=acting.actor, at=acting.at, source=Path(file).name)
    return Loaded(run, done, len(run.list_loads(list_id)) > before)


@lists_group.command("show", short_help="A stored list's entries. · 已载入名单的条目。")
@_list_id_argument
@click.option(
    "--version", default=None, help="This version (default: the current one). · 指定版本（默认当前版本）。"
)
@_db_option
@_campaign_option
@format_option()
def show(list_id: str, version: str | None, db: str | None, campaign_source: str, output_format: str) -> None:
    """The entries of the list ID as stored: its current version, or --version V (the version
    a refusal or an event cites).

    显示数据库中名单 ID 的条目：当前版本，或 --version 指定的版本（拒绝理由或事件所引用的版本）。
    """
    with _open_run(db, campaign_source) as run:
        found = run.stored_list(list_id, version)
        loads = [x for x in run.list_loads(list_id) if x.version == found.version]
    rows = [
        {"unit_code": e.unit_code, "unit_name": e.unit_name, "since": e.since.isoformat(),
         "until": None if e.until is None else e.until.isoformat(), "reason": e.reason, "group": e.group}
        for e in found.entries
    ]  # fmt: skip
    if output_format == "json":
        emit("json", {"id": found.id, "version": found.version,
                      "loads": [load_record(x, False) for x in loads], "entries": rows}, ())  # fmt: skip
        return
    if output_format == "csv":
        emit("csv", rows, ENTRY_KEYS)
        return
    first = loads[0] if loads else None
    title = f"{_show(found.id)} {_show(found.version)} · {len(rows)} entries 条"
    if first is not None:
        title += f" · loaded 载入 {_when(first.at)} by {_show(_by(first))}"
    _print_table(
        title,
        ("unit_code 代码", "unit 单位", "since 列入", "until 移出", "reason 原因", "group 分组"),
        ((_show(e.unit_code), _show(e.unit_name), _when(e.since), _when(e.until), _show(e.reason),
          _show(e.group)) for e in found.entries),
    )  # fmt: skip


@lists_group.command("history", short_help="Every load of the lists. · 名单载入记录。")
@click.argument("list_id", metavar="[ID]", required=False, shell_complete=complete_list_id)
@_db_option
@_campaign_option
@format_option()
def history(list_id: str | None, db: str | None, campaign_source: str, output_format: str) -> None:
    """Every load of the campaign's lists (or of the list ID), oldest first; the last of each
    list is the version commands judge with.

    显示本次遴选各名单（或名单 ID）的全部载入记录，按时间先后；每个名单的最后一次为当前版本。
    """
    with _open_run(db, campaign_source) as run:
        loads = run.list_loads(list_id)
    last = {x.list_id: i for i, x in enumerate(loads)}
    rows = [load_record(x, last[x.list_id] == i) for i, x in enumerate(loads)]
    if output_format != "table":
        emit(output_format, rows, LOAD_KEYS)
        return
    _print_table(
        f"{len(rows)} loads · 名单载入记录",
        ("id", "version 版本", "entries 条目", "loaded 载入", "by 载入人", "file 文件", "current 当前"),
        ((_show(x.list_id), _show(x.version), str(x.entries), _when(x.at), _show(_by(x)),
          _show(x.source or "—"), "✓" if row["current"] else "")
         for x, row in zip(loads, rows, strict=True)),
    )  # fmt: skip
