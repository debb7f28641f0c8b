"""The ``pilotflow`` command: a thin shell (click + rich) over the public API.

::

    pilotflow demo [--db PATH] [--fresh/--keep]          run a slice of the 2023 campaign
    pilotflow campaign list | show [ID|PATH] | check PATH | schema
    pilotflow route CODE [--campaign ID]                  the route from an authority
    pilotflow nominations --db PATH [--holder ..]         what a store holds
    pilotflow quota AUTHORITY --db PATH                   limits, use, remaining
    pilotflow explain ID ACTION --db PATH [--as A:D:P]    why an action would be refused
    pilotflow history ID --db PATH                        the audit trail of a nomination
    pilotflow lists | config                              the lists judged with; where settings come from
    pilotflow lists load ID FILE | show ID | history      keep a list in the database; read it back
    pilotflow decline | return | withdraw | attach | select | tick | register-winners
                                                          the actions (see pilotflow.cli.write)

Read commands take ``--format table|json|csv``; ``--db`` and ``--campaign`` also come from
``PILOTFLOW_DB``/``PILOTFLOW_CAMPAIGN`` or ``pilotflow.toml`` (see pilotflow.cli.settings).

Exit status: 0 done (``explain``: the action may go ahead); 1 ``explain``: the action would be
refused, an action command: refused, nothing changed (``demo``: its replay check failed);
2 an error; 130 interrupted (Ctrl-C); 141 the output's reader went away (``| head``; an
action command's change was made). Every error — a
:class:`~pilotflow.PilotflowError`, bad usage, a file that cannot be read, even a bug — is a
short red message in English and Chinese, never a traceback (``PILOTFLOW_DEBUG=1`` shows the
traceback of an unexpected one).

The commands that read a store (``nominations``, ``quota``, ``explain``, ``history``) open it
read-only: a file that is not a pilotflow database is refused before anything is written to
it. ``demo`` deletes only a database it made itself. Text from a store, a campaign file or the
command line is shown literally: rich markup is escaped, emoji codes stay as typed, control
and bidirectional formatting characters are shown as escapes (``\\x1b[2J``). Colours are off
when the output is not a terminal (and with ``NO_COLOR``). Authorities may be given by code
(``371002``) or by their Chinese name (``环翠区``); nominations by id or by a unique prefix of
it (as in git).
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import shlex
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

import pilotflow as pf
from pilotflow.app.unit_lists import check_list_id
from pilotflow.cli.demo import DEFAULT_DB, printable, run_demo
from pilotflow.cli.formats import emit, format_option
from pilotflow.cli.lookup import authority as _authority
from pilotflow.cli.lookup import (
    complete_authority,
    complete_nomination,
    complete_state,
    ref,
    use_for_completion,
)
from pilotflow.cli.lookup import nomination_id as _nomination_id
from pilotflow.cli.settings import (
    CAMPAIGN_ENV,
    CONFIG_ENV,
    CONFIG_FILE,
    DB_ENV,
    Config,
    env_value,
    find_config,
    load_config,
)
from pilotflow.cli.usage import usage_zh
from pilotflow.domain.calendar import has_offset, parse_moment
from pilotflow.domain.campaign import ListRule, QuotaRule
from pilotflow.domain.inputs import escaped
from pilotflow.domain.routes import HopPlan
from pilotflow.errors import os_reason, shown
from pilotflow.files._io import fs_path, home_path
from pilotflow.names import (
    ACTION_NAMES_ZH,
    ATTACH,
    DECLINE,
    LOGGED_STATE_ZH,
    RECOMMEND,
    RETURN,
    STAMP,
    WITHDRAW,
)
from pilotflow.store.sql import sqlite_url
from pilotflow.store.sql._driver import without_password

__all__ = ["cli", "main"]

DEFAULT_CAMPAIGN = "smart-health-elderly-care-2023"
_KINDS = {  # the kinds of authority worth pointing out on a route
    "separately_planned_city": "计划单列市",
    "development_zone": "开发区",
    "municipality": "直辖市",
    "xpcc": "兵团",
    "central_enterprise": "中央企业",
}
ACTIONS = (ATTACH, STAMP, RECOMMEND, RETURN, DECLINE, WITHDRAW)  # the actions of a hop
ERROR = 2  # the exit status of every error (click's own for bad usage)
REFUSED = 1  # explain: the action would be refused
INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as shells report it
PIPE_CLOSED = 141  # the output's reader went away (128 + SIGPIPE), as shells report it
#: The narrowest a console is made (``COLUMNS=0`` printed nothing, errors included)
NARROWEST = 40


# -- output -----------------------------------------------------------------------------


class _Console(Console):
    """A console that never passes a control character, lone surrogate or bidirectional
    formatting character of the text it renders on to the terminal (a last guard: values are
    shown with :func:`_show`). The line breaks of the output's own text are kept; a carriage
    return or tab is shown as an escape (``\\r``), as every other one is
    (:func:`~pilotflow.inputs.escaped`), so that it can never overwrite a printed line."""

    def on_broken_pipe(self) -> None:
        """The output's reader went away: :func:`_pipe_closed` (rich's own exits with 1,
        which says "refused, nothing changed", after an action that was done)."""
        _pipe_closed()

    def render_str(self, text: str, *args: Any, **kwargs: Any) -> Text:
        if not text.isprintable():  # a line break, or something to escape (one C call)
            # An escape starts with a backslash and ends with a letter or digit: it never
            # makes or unmakes markup (which only a backslash right before "[" changes).
            text = "\n".join(map(escaped, text.split("\n")))
        return super().render_str(text, *args, **kwargs)


def _console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr); plain text and 120 columns when not a terminal. No
    emoji codes (``:warning:`` in a unit name stays as it is) and no highlighting."""
    console = _Console(stderr=stderr, highlight=False, emoji=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 120
    elif console.width < NARROWEST:
        console.width = NARROWEST
    return console


def _pipe_closed() -> NoReturn:
    """The output's reader went away: point stdout at nothing (so that flushing it at exit
    raises no second broken pipe) and exit with :data:`PIPE_CLOSED`."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # (no file descriptor: a test runner's stream)
        pass
    raise SystemExit(PIPE_CLOSED)


def _show(value: object) -> str:
    """A value a user controls (a unit name, a path, anything read from a store or a campaign
    file), for a console string: control characters shown as escapes, markup escaped."""
    return escape(printable(str(value)))


def _state(state: str) -> str:
    """A state as a line shows it: its code (what ``--state`` takes) and its Chinese name."""
    zh = LOGGED_STATE_ZH.get(state)
    return f"{_show(state)} {zh}" if zh else _show(state)


def _report(exc: pf.PilotflowError) -> None:
    """An error or refusal on stderr, in English and Chinese. Into a pipe or a file each
    message stays on one line (a script can grep it); a terminal wraps it between words."""
    err = _console(stderr=True)
    one_line = not err.is_terminal
    if isinstance(exc, pf.ActionRefused):
        target = f" on {exc.nomination_id}" if exc.nomination_id else ""
        err.print(
            f"[bold red]✗ {_show(exc.action)}{_show(target)} refused · 操作被拒绝[/]", soft_wrap=one_line
        )
        for r in exc.reasons:
            err.print(f"  [red]\\[{_show(r.code)}][/] {_show(r.en)}", soft_wrap=one_line)
            err.print(f"  {' ' * (len(r.code) + 2)} {_show(r.zh)}", soft_wrap=one_line)
        return
    if isinstance(exc, pf.MomentRefused):  # (the command line's own remedy)
        exc = pf.MomentRefused(exc.at, exc.clock, exc.tolerance, exc.backfill, exc.what,
                               remedy=("add --backfill", "请加 --backfill 选项"))  # fmt: skip
    err.print(f"[bold red]✗ error:[/] [red]{_show(exc.en)}[/]", soft_wrap=one_line)
    if exc.zh != exc.en:
        err.print(f"[bold red]✗ 错误：[/][red]{_show(exc.zh)}[/]", soft_wrap=one_line)


class _Usage(click.UsageError, pf.InvalidInput):
    """One of click's errors as a :class:`~pilotflow.InvalidInput` (``en``, ``zh``), shown like
    every other error: in red, in both languages, after the usage line where click knows it."""

    def __init__(self, original: click.ClickException, outer: click.Context | None = None) -> None:
        super().__init__(original.format_message(), getattr(original, "ctx", None))
        self.zh = usage_zh(original)
        self.outer = outer  # the group's context, when the command's own is not known

    def show(self, file: Any = None) -> None:
        err = _console(stderr=True)
        if self.ctx is not None:
            err.print(escape(self.ctx.get_usage()))
        _report(self)
        ctx = self.ctx or self.outer
        if ctx is not None:
            path = ctx.command_path
            err.print(f"Try '{_show(path)} -h' for help · 查看帮助：{_show(path)} -h")


def _unexpected(exc: Exception) -> None:
    """An error that is not pilotflow's (an unreadable file, or a bug) as a short message."""
    if os.environ.get("PILOTFLOW_DEBUG"):
        raise exc
    if isinstance(exc, UnicodeEncodeError) and _output_cannot_encode(exc):
        _report(
            pf.InvalidInput(
                f"the terminal cannot show this text (its encoding is {exc.encoding}): use a UTF-8 "
                "locale, e.g. LANG=C.UTF-8, or PYTHONIOENCODING=utf-8",
                "终端无法显示中文：请使用 UTF-8 编码（如 LANG=C.UTF-8 或 PYTHONIOENCODING=utf-8）",
            )
        )
        return
    if isinstance(exc, UnicodeEncodeError):  # raised elsewhere: not the terminal's doing
        bad = escaped(exc.object[exc.start : exc.end])
        _report(
            pf.PilotflowError(
                f"a text holds {bad}, which {exc.encoding} cannot encode (a file name that is not "
                "valid UTF-8 gives such characters): a bug in pilotflow, please report it; "
                "PILOTFLOW_DEBUG=1 shows the traceback",
                "文本中含有无法编码的字符（不是有效 UTF-8 的文件名会带来这类字符）："
                "这是 pilotflow 的缺陷，请将上面的英文信息报告给维护者",
            )
        )
        return
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        en, zh = os_reason(exc)
        _report(pf.InvalidInput(f"cannot use{where}: {en}", f"无法使用{where}：{zh}"))
        return
    first = (str(exc).splitlines() or [""])[0]
    _report(
        pf.PilotflowError(
            f"unexpected {type(exc).__name__}: {first} (a bug in pilotflow: please report it; "
            "PILOTFLOW_DEBUG=1 shows the traceback)",
            "程序内部错误（pilotflow 的缺陷），请将上面的英文信息报告给维护者",
        )
    )


def _parsed(parse: Any, ctx: click.Context, args: list[str]) -> list[str]:
    """``parse(ctx, args)``, a usage error click's parser raises without a context given
    ``ctx``: the message then names the command whose option or argument it is."""
    try:
        return list(parse(ctx, args))
    except click.UsageError as exc:
        if exc.ctx is None:
            exc.ctx = ctx
        raise


class _Command(click.Command):
    """A command whose usage errors know it (see :func:`_parsed`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parsed(super().parse_args, ctx, args)


def _output_cannot_encode(exc: UnicodeEncodeError) -> bool:
    """Whether ``exc`` is the terminal's (or pipe's) encoding refusing what was written to it:
    the codec that failed is that of standard output or error, and not a UTF codec (which
    encodes any text but lone surrogates, and the console escapes those)."""
    try:
        failed = codecs.lookup(exc.encoding).name
        named = (getattr(stream, "encoding", None) for stream in (sys.stdout, sys.stderr))
        outputs = {codecs.lookup(name).name for name in named if isinstance(name, str)}
    except LookupError:
        return False
    return failed in outputs and not failed.startswith("utf")


class _Group(click.Group):
    """The command group: every error a command or its options meet is shown as a short
    bilingual message with exit status 2 (see the module docstring). Its commands and
    groups are of its own classes, so that a usage error names the command it is about."""

    command_class = _Command
    group_class = type

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _parsed(super().parse_args, ctx, args)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _Usage(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            done = super().invoke(ctx)
            sys.stdout.flush()  # (a reader gone shows here, not at exit as click's status 1)
            return done
        except (_Usage, click.exceptions.Exit, click.Abort, click.exceptions.NoArgsIsHelpError):
            raise
        except click.ClickException as exc:
            raise _Usage(exc, ctx) from None
        except pf.PilotflowError as exc:
            _report(exc)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # (not "refused": an action's change was made)
                _pipe_closed()
            _unexpected(exc)
        except Exception as exc:
            _unexpected(exc)
        except KeyboardInterrupt:
            _console(stderr=True).print("\n[bold red]✗ interrupted · 已中断[/]")
            raise SystemExit(INTERRUPTED) from None
        raise SystemExit(ERROR)


def _when(value: datetime | None) -> str:
    """A moment as ``2023-10-19 00:00`` (China Standard Time), with its offset if another."""
    if value is None:
        return "—"
    offset = value.utcoffset()
    cst = offset is not None and offset.total_seconds() == 8 * 3600
    return value.strftime("%Y-%m-%d %H:%M" if cst else "%Y-%m-%d %H:%M %z")


def _quota_kind(
    rule: QuotaRule, lists: Mapping[str, ListRule], graph: pf.AuthorityGraph, c: pf.Campaign
) -> str:
    """What a quota rule is beyond its numbers: a cap per group, its exemptions, soft caps,
    its per-authority rows (in Chinese, the lists by name)."""

    def named(list_id: str) -> str:
        return _show(lists[list_id].name.zh) if list_id in lists else _show(list_id)

    parts = []
    if rule.group_list is not None:
        parts.append(f"按{named(rule.group_list)}分组合计 per group")
    if rule.exempt:
        parts.append("不占名额 exempt: " + "、".join(named(k) for k in sorted(rule.exempt)))
    if rule.exceed_by:
        parts.append("原则上（可说明理由超出）soft")
    for code, row in rule.per_authority.items():
        numbers = ", ".join(
            f"{'total 合计' if k == pf.names.QUOTA_ALL_TYPES else _show(c.unit_types[k].name.zh)} {v}"
            if k == pf.names.QUOTA_ALL_TYPES or k in c.unit_types
            else f"{_show(k)} {v}"
            for k, v in row.items()
        )
        parts.append(f"{_name(graph, code)}: {numbers}")
    return "; ".join(parts) or "—"


def _caps(hop: HopPlan) -> tuple[Mapping[str, int], int | None]:
    """The caps of a hop's recommender (per unit type, in all), as the quota guard reads them."""
    rule = hop.quota_rule
    return rule.limits_of(hop.holder.code) if rule is not None else ({}, None)


def _name(graph: pf.AuthorityGraph, code: str) -> str:
    """An authority's Chinese name, the joint ministry level shortened (the code itself if
    the graph does not know it), for a console string."""
    if code not in graph:
        return _show(code)
    a = graph[code]
    parts = a.name.split()
    if a.level == "ministry" and len(parts) > 1:  # the joint ministries: 三部委（联合）, 四部委...
        return f"{'两三四五六七八九'[min(len(parts), 9) - 2]}部委（联合）"
    return _show(a.name)


def _type_name(campaign: pf.Campaign, unit_type: str, *, short: bool = False) -> str:
    """A unit type's Chinese name, or its first character (the code if the campaign does not
    know it), for a console string."""
    known = campaign.unit_types.get(unit_type)
    name = known.name.zh if known is not None else unit_type
    return _show(name[:1] if short else name)


# -- opening things ---------------------------------------------------------------------


def _campaign(source: str) -> pf.Campaign:
    path = Path(fs_path(source, "campaign"))
    if source not in pf.bundled_campaigns() and (path.suffix in (".yaml", ".yml") or path.exists()):
        return pf.load_campaign(path)
    return pf.load_campaign(source)


def _store_url(db: str | None) -> str:
    """The store URL of ``--db`` (a path, or a URL as it is)."""
    if db is None:
        raise pf.InvalidInput(
            f"no database: give --db PATH|URL, set {DB_ENV}, or write db = ... in {CONFIG_FILE}",
            f"未指定数据库：请使用 --db 路径或地址，或设置环境变量 {DB_ENV}，或在 {CONFIG_FILE} 中写明 db",
        )
    if db.startswith("memory") or db == ":memory:":
        raise pf.InvalidInput(
            f"--db {db}: the command line needs a database (a SQLite file or a server): "
            "a memory store keeps nothing from one command to the next",
            f"--db {db}：命令行需要数据库（SQLite 文件或数据库服务器），内存存储在两次命令之间不保留任何数据",
        )
    if "://" in db:
        return db
    path = home_path(fs_path(db, "--db"))
    if not os.path.lexists(path):
        raise pf.InvalidInput(
            f"no such database file: {db} (run `pilotflow demo` to make one)",
            f"数据库文件不存在：{db}（可先运行 `pilotflow demo` 生成）",
        )
    # A URL would read % and ? otherwise; the store checks the file before opening it.
    return sqlite_url(path.absolute())


def _moment(text: str, timezone: str) -> datetime:
    """``--at``: an ISO 8601 moment within the years pilotflow accepts; without an offset it
    is read in the campaign's time zone, and the command says so."""
    when = parse_moment(text, "--at", timezone, local=True)
    if not has_offset(text):
        _console(stderr=True).print(
            f"--at {escape(text)} read in {timezone}, the campaign's time zone: {when.isoformat()} · "
            f"按本次遴选的时区 {timezone} 理解为 {when.isoformat()}"
        )
    return when


def _lists(campaign: pf.Campaign, specs: Sequence[str]) -> list[pf.UnitList]:
    """The lists given as files: ``[lists]`` of the configuration file, then ``--list``
    (``ID=FILE.csv``; the later wins for its id). Every id must be one the campaign names."""
    given: dict[str, pf.UnitList] = {}
    configured = [f"{k}={v}" for k, v in _config().lists.items()]
    for spec in [*configured, *specs]:  # --list after the configuration file's: it wins
        list_id, sep, path = spec.partition("=")
        if not sep or not list_id or not path:
            raise pf.InvalidInput(
                f"--list takes ID=FILE.csv, got {spec!r}",
                f"--list 的格式应为 名单标识=文件.csv，收到 {spec!r}",
            )
        check_list_id(campaign, list_id, "--list")  # a mistyped id must not leave the real list unseen
        try:  # the loader reads only a regular file of a bounded size (a FIFO would block)
            given[list_id] = pf.load_list(path, list_id, timezone=campaign.timezone)
        except pf.InvalidInput as exc:
            raise pf.InvalidInput(f"--list: {exc.en}", f"--list：{exc.zh}") from exc
    return list(given.values())


def run_lists(campaign: pf.Campaign, store: pf.Store, given: Sequence[pf.UnitList]) -> list[pf.UnitList]:
    """What a command's run is given: the lists given as files, and an empty list for each
    list the campaign requires that is neither given nor loaded into the store (the run adds
    the stored ones itself)."""
    have = {lst.id for lst in given} | {load.list_id for load in store.list_loads(campaign.id)}
    return [*given, *(empty for empty in pf.empty_lists(campaign) if empty.id not in have)]


def _config() -> Config:
    """The configuration file's settings (read when the group starts; none outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_root().obj if ctx is not None else None
    return found if isinstance(found, Config) else Config()


def _open_store(url: str, *, write: bool) -> pf.Store:
    """The store at ``url``: read-only, or for writing once it is known to be a pilotflow
    database (checked read-only first: no table is ever created in another database)."""
    store = pf.open_store(url, read_only=True)
    if not write:
        return store
    store.close()
    return pf.open_store(url, create=False)


@contextmanager
def _open_run(
    db: str | None,
    campaign_source: str,
    *,
    lists: Sequence[str] = (),
    at: str | None = None,
    write: bool = False,
    backfill: bool = False,
) -> Iterator[pf.CampaignRun]:
    """A run of the campaign on the database; a write command's run is dated by the system
    clock (``backfill``: records facts of the past, ``--at`` not later than now)."""
    url = _store_url(db)
    campaign = _campaign(campaign_source)
    clock: pf.Clock = (
        pf.FixedClock(_moment(at, campaign.timezone))
        if at is not None and not write
        else pf.SystemClock(campaign.timezone)
    )
    unit_lists = _lists(campaign, lists)
    store = _open_store(url, write=write)
    try:
        unit_lists = run_lists(campaign, store, unit_lists)
        yield pf.CampaignRun(campaign, store=store, lists=unit_lists, clock=clock, backfill=backfill)
    finally:
        store.close()


def _campaign_zh(campaign_id: str) -> str:
    """A campaign a database holds, in Chinese: a bundled one by its title (its id in
    parentheses), another by its id, labelled as one."""
    if campaign_id in pf.bundled_campaigns():
        return f"“{pf.load_campaign(campaign_id).title.zh}”（{campaign_id}）"
    return f"遴选标识为 {shown(campaign_id)} 的遴选"


def check_recorded(run: pf.CampaignRun, command: str) -> None:
    """Refuse a command that would report figures of a campaign the database holds nothing of
    while it holds others' (a wrong ``--campaign`` would show zeros as if they were true); a
    database that holds no campaign yet is read as it is."""
    store, c = run.store, run.campaign
    held = store.campaign_ids()
    if not held or c.id in held:
        return
    if next(iter(store.iter_events(c.id)), None) is not None or store.list_loads(c.id):
        return  # (more campaigns than listed)
    names = ", ".join(held)
    names_zh = "、".join(_campaign_zh(cid) for cid in held)
    raise pf.InvalidInput(
        f"{command}: the database holds nothing of campaign {c.id} ({c.title.en}), only of {names}: "
        "is --campaign right? (it comes from --campaign, PILOTFLOW_CAMPAIGN or pilotflow.toml; "
        "'pilotflow config' shows which)",
        f"{command}：数据库中没有遴选“{c.title.zh}”（{c.id}）的任何记录（申报、推荐函或名单），"
        f"只有{names_zh}的记录：请核对所用的遴选（取自 --campaign、PILOTFLOW_CAMPAIGN 或 pilotflow.toml，"
        "pilotflow config 可查看）",
    )


def _completion_value(ctx: click.Context, name: str, env: str, configured: str | None) -> str | None:
    """An option's value while completing (callbacks have not run): as typed, else from the
    environment, else from the configuration file in the working directory."""
    typed = ctx.params.get(name)
    return typed if isinstance(typed, str) and typed else env_value(env) or configured


def _completion_config(ctx: click.Context) -> Config:
    root = ctx.find_root()
    explicit = root.params.get("config_path") or env_value(CONFIG_ENV)
    return load_config(find_config(explicit if isinstance(explicit, str) else None))


def campaign_for_completion(ctx: click.Context) -> pf.Campaign:
    """The campaign a command being completed would use."""
    source = _completion_value(ctx, "campaign_source", CAMPAIGN_ENV, _completion_config(ctx).campaign)
    return _campaign(source or DEFAULT_CAMPAIGN)


@contextmanager
def open_for_completion(ctx: click.Context) -> Iterator[pf.CampaignRun]:
    """The run (read-only) a command being completed would read."""
    db = _completion_value(ctx, "db", DB_ENV, _completion_config(ctx).db)
    campaign = campaign_for_completion(ctx)
    store = pf.open_store(_store_url(db), read_only=True)
    try:
        yield pf.CampaignRun(campaign, store=store, lists=pf.empty_lists(campaign))
    finally:
        store.close()


use_for_completion(campaign_for_completion, open_for_completion)


def _actor(text: str) -> pf.Actor:
    parts = text.split(":")
    if len(parts) == 2:
        parts.append("cli")
    if len(parts) != 3 or not all(parts):
        raise pf.InvalidInput(
            f"--as takes AUTHORITY:DEPARTMENT[:PERSON], got {text!r} "
            "(e.g. 371000:industry:li, or UNITCODE:applicant:zhang)",
            f"--as 的格式应为 机关:部门[:经办人]，收到 {text!r}",
        )
    return pf.Actor(*parts)


# -- the command group ------------------------------------------------------------------


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pilotflow")
@click.option(
    "--config",
    "config_path",
    envvar=CONFIG_ENV,
    show_envvar=True,
    default=None,
    metavar="PATH",
    help=f"Configuration file (default: ./{CONFIG_FILE} if present). "
    f"· 配置文件（默认：当前目录下的 {CONFIG_FILE}）。",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """pilotflow: multi-level selection campaigns (district → city → province → ministry).
    pilotflow：多级遴选（区县 → 市 → 省 → 部委）。

    Nominations climb a graph of authorities; every move is checked by guards (deadline,
    quota, disqualification lists, joint stamps, materials, the actor's rights) and recorded
    in an audit log. Start with `pilotflow demo`.
    申报沿机关逐级报送；每一步都经过校验（期限、名额、名单、联合盖章、材料、经办权限）并记入审计日志。
    可先运行 `pilotflow demo`。

    \b
    The database and campaign come from --db / --campaign, else PILOTFLOW_DB /
    PILOTFLOW_CAMPAIGN, else pilotflow.toml (see `pilotflow config`).
    数据库与遴选依次取自：选项、环境变量、配置文件 pilotflow.toml。

    \b
    Exit status 退出状态:
        0  done 完成 (explain: the action may go ahead 可以执行)
        1  explain: the action would be refused 将被拒绝 (demo: replay check failed);
           an action command: refused 操作被拒绝, nothing changed 未作任何更改
        2  an error 出错: bad usage, bad input, a file refused or unreadable
      130  interrupted 已中断 (Ctrl-C)
      141  the output's reader went away 输出管道已关闭 (| head); an action was done 操作已完成
    """
    config = load_config(find_config(config_path))
    ctx.obj = config
    given = {"db": config.db, "campaign_source": config.campaign}
    defaults = {k: v for k, v in given.items() if v is not None}
    if defaults:  # click reads these after the option and its environment variable
        ctx.default_map = {
            name: {**defaults, **{sub: dict(defaults) for sub in getattr(command, "commands", ())}}
            for name, command in ctx.command.commands.items()  # type: ignore[attr-defined]
            if name != "demo"
        }


def main(argv: Sequence[str] | None = None) -> None:
    """The console-script entry point."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="pilotflow")


_db_option = click.option(
    "--db",
    envvar=DB_ENV,
    show_envvar=True,
    default=None,
    metavar="PATH|URL",
    help="SQLite file or PostgreSQL URL (else db in pilotflow.toml). · SQLite 文件或 PostgreSQL 地址。",
)
_campaign_option = click.option(
    "--campaign",
    "campaign_source",
    envvar=CAMPAIGN_ENV,
    show_envvar=True,
    default=DEFAULT_CAMPAIGN,
    show_default=True,
    metavar="ID|PATH",
    help="Bundled campaign id or campaign YAML file. · 内置遴选标识或遴选定义文件。",
)


# -- demo -------------------------------------------------------------------------------


@cli.command(short_help="Run the 2023 campaign end to end. · 演示 2023 年遴选全过程。")
@click.option(
    "--db",
    default=DEFAULT_DB,
    show_default=True,
    metavar="PATH",
    help="SQLite file to write. · 写入的 SQLite 文件。",
)
@click.option(
    "--fresh/--keep",
    default=True,
    show_default=True,
    help="Recreate the file first (--keep: use it as it is; it must not hold the demo yet). "
    "· 先重建文件（--keep：按原样使用，其中不得已有演示数据）。",
)
@click.option(
    "--through",
    type=click.Choice(["announcement", "received"]),
    default="announcement",
    show_default=True,
    help="Run the whole campaign, or stop when the ministry has received the recommendations. "
    "· 运行全过程，或在部委收到推荐后停止。",
)
def demo(db: str, fresh: bool, through: str) -> None:
    """Run the 2023 smart health and elderly-care campaign end to end.

    Earlier winners are registered for re-review; Weihai's districts receive nominations,
    stamp jointly and recommend; Weihai, Jinan and Dongying select within their quotas;
    Shandong and Qingdao send to the ministry; a few actions are refused on the way; the
    ministry's experts review, spot checks are drawn, the list is publicly noticed, objections
    are ruled on, and the deadline sweep announces and revokes. Takes a few seconds.

    演示 2023 年智慧健康养老应用试点示范遴选全过程：登记往批次获评单位、区县受理与联合推荐、
    市级名额内遴选、省级报送部委、专家评审、抽查、公示、异议处理与期限巡检。用时数秒。
    """
    fs_path(db, "--db")  # (refused under the option's name, not run_demo's argument)
    console = _console()
    result = run_demo(db, console, fresh=fresh, through=through)
    console.print(f"\nDone in {result.seconds:.1f} s · database: {_show(result.db_path)}")
    if result.examples:
        label, nid = next(iter(result.examples.items()))
        where = _show(shlex.quote(db))
        console.print(
            f"Explore it: [bold]pilotflow history {_show(nid)} --db {where}[/]  ({label}), "
            f"[bold]pilotflow quota 威海市 --db {where}[/], [bold]pilotflow nominations --db {where}[/]"
        )
    if not result.replay_ok:
        raise SystemExit(REFUSED)


# -- campaign ---------------------------------------------------------------------------


@cli.group(short_help="Bundled campaigns and campaign files. · 内置遴选与遴选定义文件。")
def campaign() -> None:
    """Bundled campaigns and campaign files.

    内置遴选与遴选定义文件：列出、查看、检查、导出结构定义。
    """


@campaign.command("list", short_help="The bundled campaigns. · 内置遴选。")
def campaign_list() -> None:
    """The ids of the bundled campaigns.

    列出内置遴选的标识。
    """
    console = _console()
    for campaign_id in pf.bundled_campaigns():
        console.print(_show(campaign_id))


def _selector(graph: pf.AuthorityGraph, selector: Any) -> str:
    """Which authorities a rule or hop applies to, for a console string."""
    parts = []
    if selector.codes:
        parts.append("、".join(graph[c].name if c in graph else c for c in sorted(selector.codes)))
    if selector.within:
        names = "、".join(graph[c].name if c in graph else c for c in sorted(selector.within))
        parts.append(f"within {names}")
    if selector.levels:
        parts.append("level " + ", ".join(sorted(selector.levels)))
    if selector.kinds:
        parts.append("kind " + ", ".join(sorted(selector.kinds)))
    return _show("; ".join(parts) or "any")


def _material(c: pf.Campaign, kind: str, copies: int) -> str:
    """A material's Chinese name (its code if the campaign does not know it), ×copies."""
    known = c.materials.get(kind)
    return _show(known.name.zh if known is not None else kind) + (f" ×{copies}" if copies > 1 else "")


@campaign.command("show", short_help="Show a campaign. · 查看遴选定义。")
@click.argument("source", default=DEFAULT_CAMPAIGN, metavar="[ID|PATH]")
def campaign_show(source: str) -> None:
    """Levels, quotas, hops with deadlines, materials and lists of a campaign.

    显示遴选的层级、名额、各报送环节及期限、材料与名单。
    """
    console = _console()
    c = _campaign(source)
    graph = pf.AuthorityGraph.bundled().with_authorities(c.authorities)  # the campaign's own too
    reading = "end of that day 当日 24:00" if c.deadline_inclusive else "start of that day 当日 0:00"
    console.print(
        Panel(
            f"[bold]{_show(c.title.zh)}[/]\n{_show(c.title.en)}\n"
            f"[dim]id {_show(c.id)} · year {c.year} · time zone {_show(c.timezone)} · "
            f"'by <date>' = {reading}\n"
            f"revision {_show(c.revision)} · source {_show(c.source)}[/]",
            title="campaign 遴选",
            title_align="left",
            border_style="cyan",
        )
    )
    levels = " → ".join(f"{_show(lv.name.zh)} {_show(lv.code)}" for lv in c.levels)
    console.print(f"[bold]Levels 层级[/]  {levels}")
    types = ", ".join(f"{_show(t.name.zh)} {_show(t.code)}" for t in c.unit_types.values())
    console.print(f"[bold]Unit types 类型[/]  {types}")
    scenarios = ", ".join(_show(s.name.zh) for s in c.scenarios.values())
    console.print(f"[bold]Scenarios 场景[/]  {scenarios}\n")

    quotas = Table(title="Quotas 推荐名额 (first matching rule applies)", title_justify="left")
    quotas.add_column("rule", no_wrap=True)
    quotas.add_column("recommender 推荐单位", overflow="fold")
    for t in c.unit_types.values():
        quotas.add_column(_show(t.name.zh), justify="right")
    quotas.add_column("total 合计", justify="right")
    quotas.add_column("kind 类型", overflow="fold")
    declared = c.list_rules()
    for rule in c.quotas:
        quotas.add_row(
            _show(rule.name),
            _selector(graph, rule.recommender),
            *[str(rule.limits[t]) if t in rule.limits else "—" for t in c.unit_types],
            "—" if rule.total is None else str(rule.total),
            _quota_kind(rule, declared, graph, c),
        )
    console.print(quotas)

    hops = Table(title="Hops 报送环节: deadline and materials", title_justify="left")
    hops.add_column("hop · source 文件", no_wrap=True)
    hops.add_column("from → to", overflow="fold")
    hops.add_column("by 期限", no_wrap=True)
    hops.add_column("closes at 截止", no_wrap=True)
    hops.add_column("materials 材料", overflow="fold")
    for hop in c.hops:
        materials = "\n".join(_material(c, m.kind, m.copies) for m in hop.materials)
        hops.add_row(
            f"{_show(hop.name)}\n[dim]{_show(hop.source)}[/]",
            f"{_selector(graph, hop.sender)}\n→ {_selector(graph, hop.receiver)}",
            _show(hop.deadline_text) if hop.deadline_text else "—",
            _when(hop.deadline),
            materials or "—",
        )
    console.print(hops)

    kinds = Table(title="Materials 材料", title_justify="left")
    kinds.add_column("code", no_wrap=True)
    kinds.add_column("名称", overflow="fold")
    kinds.add_column("name")
    kinds.add_column("form", no_wrap=True)
    for m in c.materials.values():
        form = "paper 纸质" if m.paper else _show(", ".join(m.formats)) or "electronic 电子"
        kinds.add_row(_show(m.code), _show(m.name.zh), _show(m.name.en), form)
    console.print(kinds)

    lists = Table(title="Lists 名单", title_justify="left")
    lists.add_column("list", no_wrap=True)
    lists.add_column("role", no_wrap=True)
    lists.add_column("名称 / name")
    roles = {
        "bar": "[red]bars 不得推荐[/]",
        "admit": "[yellow]admits only 名单内方可推荐[/]",
        "rank_first": "[green]ranks first 优先推荐[/]",
        "tag": "tags 标注",
    }
    for list_id, about in c.list_rules().items():
        lists.add_row(_show(list_id), roles[about.kind], f"{_show(about.name.zh)} / {_show(about.name.en)}")
    for list_id in c.ranking.priority_lists:
        if list_id not in c.lists:  # a campaign built without ``lists``
            lists.add_row(_show(list_id), roles["rank_first"], "")
    console.print(lists)


def _report_problems(exc: pf.CampaignFileError) -> None:
    """Every problem of a refused file: its key path and English on one line, its Chinese on
    the next (not wrapped, so each can be searched for)."""
    if len(exc.problems) == 1 and not exc.truncated:
        _report(exc)
        return
    err = _console(stderr=True)
    count = f"{len(exc.problems)}{'+' if exc.truncated else ''}"
    err.print(f"[bold red]✗ error:[/] [red]{_show(exc.source)}: {count} problems[/]")
    err.print(f"[bold red]✗ 错误：[/][red]{_show(exc.source)}：{count} 处问题[/]")
    for problem in exc.problems:
        where = problem.path or "(file 文件)"
        if problem.line is not None:
            where = f"{problem.line}:{problem.column} {where}"
        err.print(f"  [red]{_show(where)}[/]: {_show(problem.problem)}", soft_wrap=True)
        err.print(f"      {_show(problem.problem_zh)}", soft_wrap=True)
    if exc.truncated:
        err.print("  checking stopped there: there may be more · 检查至此停止，可能还有更多问题")


@campaign.command("check", short_help="Validate a campaign file. · 检查遴选定义文件。")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
def campaign_check(path: Path) -> None:
    """Validate a campaign YAML file; exit 2 with every problem (file, key path) if invalid.

    检查遴选定义文件；有误时列出全部问题（文件、键路径），退出状态 2。
    """
    try:
        c = pf.load_campaign(fs_path(str(path), "PATH"))
    except pf.CampaignFileError as exc:
        _report_problems(exc)
        raise SystemExit(ERROR) from None
    console = _console()
    console.print(
        f"[green]✓[/] {_show(path)} is a valid campaign · 遴选定义有效: [bold]{_show(c.id)}[/] "
        f"({len(c.levels)} levels, {len(c.unit_types)} unit types, {len(c.quotas)} quota rules, "
        f"{len(c.hops)} hops, {len(c.screening_lists)} lists) · revision {_show(c.revision)}"
    )


@campaign.command("schema", short_help="JSON Schema of campaign files. · 遴选定义的 JSON Schema。")
def campaign_schema() -> None:
    """Print the JSON Schema of campaign files, for editors.

    ``pilotflow campaign schema > campaign.schema.json`` writes it beside your files (ASCII
    JSON, Chinese as escapes, so any terminal encoding will do); see docs/campaign-format.md.

    输出遴选定义文件的 JSON Schema，供编辑器校验与补全。
    """
    click.echo(json.dumps(pf.campaign_file.campaign_schema(), indent=2))


# -- route ------------------------------------------------------------------------------


@cli.command(short_help="The route from an authority. · 推荐路线。")
@click.argument("code", shell_complete=complete_authority)
@_campaign_option
@format_option()
def route(code: str, campaign_source: str, output_format: str) -> None:
    """The route of a nomination filed at CODE (authority code or Chinese name).

    从 CODE（机关代码或中文名称）起报的申报的推荐路线：各级机关、截止时间、名额与材料。
    """
    c = _campaign(campaign_source)
    run = pf.CampaignRun(c, lists=pf.empty_lists(c))
    origin = _authority(run.graph, code)
    plan = run.workflow.plan(run.workflow.route(origin.code))
    if output_format != "table":
        rows = [
            {
                "index": hop.index,
                "authority": hop.holder.code,
                "authority_name": hop.holder.name,
                "level": hop.holder.level,
                "sends_to": hop.next.code if hop.next is not None else None,
                "deadline": hop.deadline if hop.next is not None else None,
                "quota_rule": hop.quota_rule.name if hop.quota_rule is not None else None,
                "quota_limits": dict(_caps(hop)[0]),
                "quota_total": _caps(hop)[1],
                "materials": [m.kind for m in hop.materials],
            }
            for hop in plan.hops
        ]
        emit(output_format, rows, list(rows[0]) if rows else ["index"])
        return
    console = _console()
    table = Table(
        title=f"Route from {_show(origin.name)} {_show(origin.code)} · 推荐路线 ({_show(c.id)})",
        title_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("authority 机关", no_wrap=True)
    table.add_column("sends to 报送至", no_wrap=True)
    table.add_column("closes 截止", no_wrap=True)
    table.add_column("quota 名额", overflow="fold")
    table.add_column("materials 材料", overflow="fold", min_width=18)
    for hop in plan.hops:
        a = hop.holder
        rule = hop.quota_rule
        if rule is None:
            quota = "—" if hop.next is not None else ""
        else:
            caps, most = _caps(hop)
            limits = " ".join(f"{_type_name(c, t, short=True)}{n}" for t, n in caps.items())
            total = f" 合计{most}" if most is not None else ""
            quota = f"{limits}{total}\n[dim]{_show(rule.name)}[/]"
        materials = "\n".join(_material(c, m.kind, m.copies) for m in hop.materials)
        deadline = ""
        if hop.next is not None:
            deadline = _when(hop.deadline)
            if "inherited" in hop.deadline_label:
                deadline += "\n[dim](inherited 上级期限)[/]"
        table.add_row(
            str(hop.index),
            f"{_name(run.graph, a.code)} {_show(a.code)}\n[dim]{_show(a.level)} {_KINDS.get(a.kind, '')}[/]",
            f"{_name(run.graph, hop.next.code)} {_show(hop.next.code)}"
            if hop.next is not None
            else "[bold](top 终点)[/]",
            deadline,
            quota,
            materials or ("—" if hop.next is not None else ""),
        )
    console.print(table)


# -- reading a store --------------------------------------------------------------------

NOMINATION_KEYS = (
    "id", "ref", "unit_code", "unit_name", "unit_type", "track", "state", "holder", "holder_name",
    "version", "created_at", "updated_at",
)  # fmt: skip


def nomination_record(run: pf.CampaignRun, n: pf.Nomination) -> dict[str, Any]:
    """A nomination as ``--format json|csv`` shows it (the keys of :data:`NOMINATION_KEYS`)."""
    return {
        "id": n.id,
        "ref": ref(n.id),
        "unit_code": n.unit_code,
        "unit_name": n.unit_name,
        "unit_type": n.unit_type,
        "track": n.track,
        "state": n.state,
        "holder": n.holder,
        "holder_name": run.graph[n.holder].name if n.holder in run.graph else None,
        "version": n.version,
        "created_at": n.created_at,
        "updated_at": n.updated_at,
    }


@cli.command(short_help="List the nominations of a store. · 列出申报。")
@_db_option
@_campaign_option
@click.option(
    "--holder",
    default=None,
    shell_complete=complete_authority,
    help="Only those held by this authority (code or name). · 仅列出该机关所持有的申报。",
)
@click.option(
    "--state",
    default=None,
    shell_complete=complete_state,
    help="Only those in this state (in_review, received...). · 仅列出处于该状态的申报。",
)
@format_option()
def nominations(
    db: str | None, campaign_source: str, holder: str | None, state: str | None, output_format: str
) -> None:
    """List the nominations a store holds for the campaign.

    列出数据库中本次遴选的申报（编号、简码 ref、单位、类型、状态、所在机关）。
    """
    with _open_run(db, campaign_source) as run:
        check_recorded(run, "nominations")
        code = _authority(run.graph, holder).code if holder else None
        found = run.nominations(holder=code, state=state)
        if output_format != "table":
            emit(output_format, [nomination_record(run, n) for n in found], NOMINATION_KEYS)
            return
        console = _console()
        table = Table(title=f"{len(found)} nominations · 申报", title_justify="left")
        table.add_column("ref 简码", no_wrap=True)
        table.add_column("id", no_wrap=True)
        table.add_column("unit 申报单位")
        table.add_column("type 类型")
        table.add_column("state 状态")
        table.add_column("held by 所在机关")
        table.add_column("updated 更新")
        for n in found:
            table.add_row(
                ref(n.id),
                _show(n.id),
                _show(n.unit_name),
                _type_name(run.campaign, n.unit_type),
                _show(n.state),
                f"{_name(run.graph, n.holder)} {_show(n.holder)}",
                _when(n.updated_at),
            )
        console.print(table)


@cli.command(short_help="Quota of an authority. · 推荐名额。")
@click.argument("authority", shell_complete=complete_authority)
@_db_option
@_campaign_option
@format_option()
def quota(authority: str, db: str | None, campaign_source: str, output_format: str) -> None:
    """Quota limit, use and remainder of AUTHORITY (code or Chinese name).

    AUTHORITY（机关代码或中文名称）的推荐名额：限额、已用与剩余。
    """
    with _open_run(db, campaign_source) as run:
        check_recorded(run, "quota")
        a = _authority(run.graph, authority)
        lines = run.quota(a.code)
        rule = run.campaign.quota_rule(a)
        if output_format != "table":
            rows = [
                {
                    "authority": a.code,
                    "authority_name": a.name,
                    "rule": rule.name if rule is not None else None,
                    "unit_type": line.unit_type,
                    "limit": line.limit,
                    "used": line.used,
                    "remaining": line.remaining,
                }
                for line in lines
            ]
            emit(
                output_format,
                rows,
                ("authority", "authority_name", "rule", "unit_type", "limit", "used", "remaining"),
            )
            return
        console = _console()
        note = f"rule {_show(rule.name)}" if rule is not None else "no quota rule applies 不设名额"
        table = Table(
            title=f"Quota of {_show(a.name)} {_show(a.code)} · 推荐名额 ({note})", title_justify="left"
        )
        table.add_column("unit type 类型")
        table.add_column("limit 限额", justify="right")
        table.add_column("used 已用", justify="right")
        table.add_column("remaining 剩余", justify="right")
        for line in lines:
            name = (
                "all types 合计"
                if line.unit_type == "*"
                else f"{_type_name(run.campaign, line.unit_type)} {_show(line.unit_type)}"
            )
            full = line.limit is not None and line.used >= line.limit
            table.add_row(
                name,
                "—" if line.limit is None else str(line.limit),
                f"[yellow]{line.used}[/]" if full else str(line.used),
                "—" if line.remaining is None else str(line.remaining),
            )
        console.print(table)


_as_option = click.option(
    "--as",
    "as_",
    metavar="AUTHORITY:DEPT[:PERSON]",
    default=None,
    help="Judge for this actor (without it, the right to act is not judged). · 按此经办人判断。",
)
_at_option = click.option(
    "--at",
    default=None,
    metavar="ISO",
    help="Judge at this moment, e.g. 2023-10-18T10:00+08:00 (default: now). · 按此时刻判断（默认：当前）。",
)
_list_option = click.option(
    "--list",
    "lists",
    multiple=True,
    metavar="ID=FILE.csv",
    help="A list file to judge with instead of the list loaded (also [lists] in pilotflow.toml). "
    "· 判断所依据的名单文件（优先于数据库中已载入的名单）。",
)


def reason_records(reasons: Sequence[pf.Reason]) -> list[dict[str, Any]]:
    """Reasons as ``--format json`` shows them."""
    return [{"code": r.code, "en": r.en, "zh": r.zh} for r in reasons]


def print_reasons(console: Console, reasons: Sequence[pf.Reason]) -> None:
    """Each reason: its code and English on one line, its Chinese below."""
    for r in reasons:
        console.print(f"  [red]\\[{_show(r.code)}][/] {_show(r.en)}")
        console.print(f"  {' ' * (len(r.code) + 2)} {_show(r.zh)}")


@cli.command(short_help="Why an action would be refused. · 操作能否执行及原因。")
@click.argument("nomination_id", shell_complete=complete_nomination)
@click.argument("action", type=click.Choice(ACTIONS))
@_db_option
@_as_option
@_at_option
@_list_option
@_campaign_option
@format_option("table", "json")
def explain(
    nomination_id: str,
    action: str,
    db: str | None,
    as_: str | None,
    at: str | None,
    lists: tuple[str, ...],
    campaign_source: str,
    output_format: str,
) -> None:
    """Why ACTION on a nomination would be refused (exit 1), or that it may go ahead (exit 0).

    Changes nothing. The lists are those loaded into the database (pilotflow lists load),
    each replaced by the file given with --list; a list neither loaded nor given is empty.

    说明对申报执行 ACTION 为何会被拒绝（退出状态 1），或可以执行（退出状态 0）。不作任何更改；
    名单取数据库中已载入的版本（pilotflow lists load），--list 给出的文件优先；二者皆无的按空名单处理。
    """
    with _open_run(db, campaign_source, lists=lists, at=at) as run:
        nid = _nomination_id(run, nomination_id)
        actor = _actor(as_) if as_ else None
        reasons = run.explain(nid, action, actor=actor)
        n = run.get(nid)
        pos = run.position(nid)
        if output_format == "json":
            emit(
                "json",
                {
                    "nomination": nomination_record(run, n),
                    "action": action,
                    "actor": _actor_record(actor),
                    "at": run.clock.now(),
                    "allowed": not reasons,
                    "reasons": reason_records(reasons),
                    "available_actions": list(run.available_actions(actor, nid)) if actor else None,
                },
                (),
            )
            if reasons:
                raise SystemExit(REFUSED)
            return
        console = _console()
        judged_as = f" as {_show(f'{actor.authority}:{actor.department}:{actor.person}')}" if actor else ""
        console.print(
            f"[bold]{_show(n.unit_name)}[/] [dim]{_show(n.id)} · ref {ref(n.id)}[/]\n"
            f"state {_show(n.state)} · held by {_name(run.graph, pos.authority)} {_show(pos.authority)} "
            f"({_show(pos.level)})"
            + (f" → {_show(pos.next_authority)}" if pos.next_authority else "")
            + f" · deadline {_when(pos.deadline)}\n"
            f"judged at {_when(run.clock.now())}{judged_as}"
        )
        if not reasons:
            console.print(f"[green]✓ {action} may go ahead · 可以执行[/]")
            if actor is not None:
                actions = ", ".join(run.available_actions(actor, nid)) or "none"
                console.print(f"[dim]actions open to this actor: {_show(actions)}[/]")
            return
        console.print(f"[red]✗ {action} would be refused · 将被拒绝:[/]")
        print_reasons(console, reasons)
    raise SystemExit(REFUSED)


def _actor_record(actor: pf.Actor | None) -> dict[str, str] | None:
    if actor is None:
        return None
    return {"authority": actor.authority, "department": actor.department, "person": actor.person}


HISTORY_KEYS = (
    "version", "at", "action", "actor_authority", "actor_department", "actor_person", "applicant",
    "from_state", "to_state", "from_holder", "to_holder", "reason", "details",
)  # fmt: skip


def _event_details(e: pf.Event) -> list[str]:
    details = []
    if e.data.get("department"):
        details.append(str(e.data["department"]))
    material = e.data.get("material")
    if isinstance(material, pf.Material):
        details.append(material.kind + (f" ×{material.copies}" if material.copies > 1 else ""))
    return details


@cli.command(short_help="The audit trail of a nomination. · 申报的审计记录。")
@click.argument("nomination_id", shell_complete=complete_nomination)
@_db_option
@_campaign_option
@format_option()
def history(nomination_id: str, db: str | None, campaign_source: str, output_format: str) -> None:
    """The audit trail of one nomination, oldest first.

    一个申报的全部审计记录，按时间先后排列。
    """
    with _open_run(db, campaign_source) as run:
        nid = _nomination_id(run, nomination_id)
        n = run.get(nid)
        events = run.history(nid)
        if output_format != "table":
            rows = [
                {
                    "version": e.version,
                    "at": e.at,
                    "action": e.action,
                    "actor_authority": e.actor.authority,
                    "actor_department": e.actor.department,
                    "actor_person": e.actor.person,
                    "applicant": e.actor.is_applicant,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "from_holder": e.from_holder,
                    "to_holder": e.to_holder,
                    "reason": e.reason,
                    "details": _event_details(e),
                }
                for e in events
            ]
            data = {"nomination": nomination_record(run, n), "route": list(n.route), "events": rows}
            emit(output_format, data, HISTORY_KEYS, rows)
            return
        console = _console()
        route = " → ".join(_name(run.graph, a) for a in n.route)
        console.print(
            f"[bold]{_show(n.unit_name)}[/] · {_show(n.unit_code)} · {_show(n.id)} · ref {ref(n.id)}\n"
            f"route 路线: {route}"
        )
        # One block per event: the version in a narrow column, then a line of what happened
        # and, indented below it, the details. rich wraps the text at spaces and between CJK
        # characters (measured as two cells each), never inside a word or a character.
        table = Table.grid(padding=(0, 1))
        table.add_column("v", justify="right", no_wrap=True)
        table.add_column("event", ratio=1, overflow="fold")
        for e in events:
            details = _event_details(e)
            if e.reason:
                details.append(e.reason)
            states = (
                _state(e.to_state)
                if e.from_state == e.to_state
                else f"{_state(e.from_state)} → {_state(e.to_state)}"
            )
            holders = (
                e.to_holder if e.from_holder in (None, e.to_holder) else f"{e.from_holder} → {e.to_holder}"
            )
            by = "applicant 申报单位" if e.actor.is_applicant else f"{e.actor.authority}:{e.actor.department}"
            line = (
                f"{_when(e.at)}  [bold]{_show(e.action)}[/] {ACTION_NAMES_ZH.get(e.action, '')}  "
                f"by 经办 {_show(by)}  state 状态 {states}  held by 所在 {_show(holders)}"
            )
            if details:
                line += f"\n[dim]{_show('; '.join(details))}[/]"
            table.add_row(f"v{e.version}", line)
        console.print(table)
        console.print(f"[dim]{len(events)} events · now {_state(n.state)} at {_name(run.graph, n.holder)}[/]")


# -- configuration ----------------------------------------------------------------------


@cli.command("config", short_help="Where the settings come from. · 当前配置及其来源。")
@_db_option
@_campaign_option
@format_option()
@click.pass_context
def config_command(ctx: click.Context, db: str | None, campaign_source: str, output_format: str) -> None:
    """The database, campaign and lists commands would use, and where each comes from: an
    option, an environment variable, the configuration file, or the default.

    显示各命令将使用的数据库、遴选与名单，以及各自的来源：选项、环境变量、配置文件或默认值。
    """
    config = _config()
    names = {
        click.core.ParameterSource.COMMANDLINE: "option",
        click.core.ParameterSource.ENVIRONMENT: "environment",
        click.core.ParameterSource.DEFAULT_MAP: "config file",
        click.core.ParameterSource.DEFAULT: "default",
    }
    rows = []
    for key, value, env in (("db", db, DB_ENV), ("campaign", campaign_source, CAMPAIGN_ENV)):
        source = ctx.get_parameter_source("db" if key == "db" else "campaign_source")
        where = names.get(source, "default") if source is not None else "default"
        if where == "environment":
            where = f"environment {env}"
        elif where == "config file":
            where = f"config file {config.path}"
        if key == "db" and value is not None:
            value = without_password(value)  # (shown, a password is not: it is in the URL given)
        rows.append({"setting": key, "value": value, "source": where if value is not None else "unset"})
    for list_id, path in config.lists.items():
        rows.append({"setting": f"lists.{list_id}", "value": path, "source": f"config file {config.path}"})
    if output_format != "table":
        emit(output_format, {"config_file": str(config.path) if config.path else None, "settings": rows},
             ("setting", "value", "source"), rows)  # fmt: skip
        return
    console = _console()
    where = _show(config.path) if config.path else f"none (no ./{CONFIG_FILE}) 无"
    console.print(f"[bold]config file 配置文件[/]: {where}")
    table = Table()
    table.add_column("setting 设置", no_wrap=True)
    table.add_column("value 取值", overflow="fold")
    table.add_column("source 来源", overflow="fold")
    for row in rows:
        table.add_row(_show(row["setting"]), _show(row["value"] or "—"), _show(row["source"]))
    console.print(table)
