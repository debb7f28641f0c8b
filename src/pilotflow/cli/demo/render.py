"""How the demo looks on a terminal (rich): its header, a rule for each phase, notes, progress
bars, a panel for each refusal, and its tables — the units filed, each selection, the results
and the summary per level. :func:`printable` keeps text a user controls from acting on the
terminal (the ``pilotflow`` command shows every such value through it).

Nothing here changes a store: each function prints what it is given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from pilotflow import Campaign
from pilotflow.inputs import escaped

from .data import TZ
from .results import Refusal, SummaryRow

_T = TypeVar("_T")


def printable(text: str) -> str:
    """``text`` with every control character (C0, DEL, C1; line breaks and tabs too), lone
    surrogate and bidirectional formatting character shown as a visible escape (``\\x1b``,
    ``\\ud800``, ``\\u202e``, ``\\n``: :func:`~pilotflow.inputs.escaped`), so that text a
    user controls can never move the cursor, change colours, hide a link or reorder what
    follows it on a terminal, nor stop it with text it cannot encode."""
    return escaped(text)


# -- the frame of the story ----------------------------------------------------------------


def header(console: Console, campaign: Campaign, store_url: str) -> None:
    """The panel that opens the demo: the campaign, its revision, the store and the clock."""
    console.print(
        Panel(
            Group(
                Text(campaign.title.zh, style="bold"),
                Text(campaign.title.en),
                Text(
                    f"campaign {campaign.id} · revision {campaign.revision[:19]}\n"
                    f"store {printable(store_url)} · clock FixedClock ({TZ})",
                    style="dim",
                ),
            ),
            title="pilotflow demo",
            title_align="left",
            border_style="cyan",
        )
    )


def phase(console: Console, stamp: str, en: str, zh: str) -> None:
    """The rule that opens a phase of the story, with the clock's reading."""
    console.print()
    console.rule(f"[bold cyan]{stamp}[/] [bold]{en}[/] · {zh}", align="left")


def note(console: Console, text: str) -> None:
    """One thing that went as it should."""
    console.print(f"  [green]✓[/] {text}")


def track(console: Console, items: Sequence[_T], description: str) -> Iterator[_T]:
    """``items``, with a progress bar on a terminal (gone once done)."""
    with Progress(
        TextColumn("  [progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        yield from progress.track(items, description=description)


def refusal(console: Console, refused: Refusal) -> None:
    """A refused action in a red panel: who tried what on which unit, and every reason."""
    body = Text()
    body.append(f"{refused.action}", style="bold")
    body.append(f" by {refused.actor} on {refused.unit_name}\n", style="dim")
    for code, en, zh in zip(refused.codes, refused.en, refused.zh, strict=True):
        body.append(f"[{code}] ", style="bold red")
        body.append(f"{en}\n")
        body.append(" " * (len(code) + 3) + zh + "\n")
    body.rstrip()
    console.print(
        Panel(
            body,
            title=f"[red]✗ refused[/] · {refused.title}",
            title_align="left",
            border_style="red",
            expand=False,
        )
    )


# -- tables -------------------------------------------------------------------------------


def _bare_table(title: str | None, *, pad_edge: bool) -> Table:
    """A table without borders, for the lists inside a phase."""
    return Table(
        title=title, title_justify="left", show_edge=False, pad_edge=pad_edge, box=None, padding=(0, 1)
    )


def nominations(console: Console, rows: Iterable[tuple[str, str, str, str, str]]) -> None:
    """The nominations just filed: unit, type, scenario, the authority receiving it, code."""
    table = _bare_table(None, pad_edge=False)
    for col in ("unit 申报单位", "type 类型", "scenario 场景", "received by 受理", "code 统一社会信用代码"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)


#: What a selection did with a candidate → how its result column reads (``{}``: the detail).
_VERDICTS = {
    "recommended": "[green]✓ recommended → {}[/]",
    "cut": "[yellow]✂ cut: quota full 名额已满[/]",
    "skipped": "[red]skipped 暂缓: {}[/]",
}


def selection(console: Console, title: str, rows: Iterable[tuple[str, str, int, str, str]]) -> None:
    """One selection, in its ranking: unit, where it comes from, score, and what became of it
    (``"recommended"`` to whom, ``"cut"``, or ``"skipped"`` for which reasons)."""
    table = _bare_table(title, pad_edge=True)
    table.add_column("#", justify="right")
    table.add_column("unit 申报单位", no_wrap=True)
    table.add_column("from 来自", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("result 结果")
    for i, (unit, origin, score, verdict, detail) in enumerate(rows, 1):
        table.add_row(str(i), unit, origin, str(score), _VERDICTS[verdict].format(detail))
    console.print(table)


def results(console: Console, rows: Iterable[tuple[str, str, str]]) -> None:
    """The units the campaign has decided on: unit, track, final state."""
    table = Table(title="Results · 结果", title_justify="left")
    for col in ("unit 单位", "track 类别", "state 状态"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    console.print(table)


def summary(
    console: Console, campaign: Campaign, rows: Sequence[SummaryRow], name: Callable[[str], str]
) -> None:
    """The summary per level: what each authority received, recommended, cut, declined and
    left pending, and its quota (``name`` gives an authority's name from its code)."""
    table = Table(title="Summary per level · 各级汇总", title_justify="left")
    table.add_column("authority\n机关", no_wrap=True)
    table.add_column("code\n代码", style="dim", no_wrap=True)
    table.add_column("level\n层级", no_wrap=True)
    for col in (
        "received\n受理",
        "recommended\n推荐",
        "cut\n名额外",
        "declined\n不予推荐",
        "pending\n未报送",
    ):
        table.add_column(col, justify="right")
    table.add_column("quota used/limit\n名额 已用/限额", no_wrap=True)
    short = {k: v.name.zh[:1] for k, v in campaign.unit_types.items()}
    levels = {level.code: level.name.zh for level in campaign.levels}
    last_level = ""
    for r in rows:
        if last_level and r.level != last_level:
            table.add_section()
        last_level = r.level
        quota = (
            " ".join(f"{short.get(q.unit_type, '计')}{q.used}/{q.limit}" for q in r.quota)
            if r.quota
            else "[dim]—[/]"
        )
        table.add_row(
            name(r.authority),
            r.authority,
            levels[r.level],
            str(r.received),
            _num(r.recommended, "green"),
            _num(r.cut, "yellow"),
            _num(r.declined, "red"),
            _num(r.pending, "magenta"),
            quota,
        )
    console.print()
    console.print(table)


def _num(value: int, style: str) -> str:
    return f"[{style}]{value}[/]" if value else "[dim]0[/]"


def documents(console: Console, paths: Sequence[Path]) -> None:
    """Where the generated summary tables and letter drafts were written."""
    if paths:
        console.print(
            "Summary tables and letter drafts 汇总表与推荐函（草稿）, checked against the SHA-256 "
            "recorded when each letter was sent:"
        )
        for path in paths:
            console.print(Text(f"  {printable(str(path))}"))


def audit(
    console: Console, events: int, nominations: int, refusals: int, replay_ok: bool, letters: int = 0
) -> None:
    """The closing lines: the size of the audit log, and whether its replay matches the store."""
    mark = "[green]✓[/]" if replay_ok else "[red]✗[/]"
    console.print(
        f"\nAudit log 审计记录: [bold]{events}[/] events for {nominations} nominations and "
        f"{letters} letters 推荐函 · {refusals} refusals (refused actions write nothing)"
    )
    console.print(f"run.replay() equals the store state 回放与存储一致 {mark}")
