"""Plain HTML tables and cards: every piece of text escaped with ``html.escape``.

Plain ``<table>`` markup lines up Chinese and Latin text in every browser (each cell is laid
out by the browser, not padded with spaces), and prints and exports as it shows.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from .shapes import visible

#: The most rows one HTML table shows (the first ones, then a line saying how many more).
MAX_ROWS = 200

_STYLE = (
    "border-collapse:collapse;font-size:13px;"
    "font-family:'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
)
_CELL = "border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top"
_HEAD = _CELL + ";background:#f3f3f3"


def esc(value: object) -> str:
    """``value`` as escaped HTML text (None: empty; a moment: its ISO form to the second);
    control and bidirectional characters written as escapes (:func:`.shapes.visible`)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return html.escape(value.isoformat(sep=" ", timespec="seconds"))
    return html.escape(visible(str(value)))


def table(
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Mapping[str, Any]],
    *,
    caption: str = "",
    limit: int = MAX_ROWS,
) -> str:
    """An HTML table: ``columns`` are (key, header) pairs; at most ``limit`` rows are shown."""
    out = [f'<table class="pilotflow" style="{_STYLE}">']
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:bold">{esc(caption)}</caption>')
    out.append("<thead><tr>")
    out.extend(f'<th style="{_HEAD}">{esc(header)}</th>' for _, header in columns)
    out.append("</tr></thead><tbody>")
    for row in rows[:limit]:
        out.append("<tr>")
        out.extend(f'<td style="{_CELL}">{esc(row.get(key))}</td>' for key, _ in columns)
        out.append("</tr>")
    out.append("</tbody></table>")
    if len(rows) > limit:
        more = len(rows) - limit
        out.append(
            f"<p><i>… {more} more rows not shown / 另有 {more} 行未显示（to_frame() 可得全部）</i></p>"
        )
    return "".join(out)


def card(title: str, pairs: Iterable[tuple[str, object]], *, extra: str = "") -> str:
    """A titled two-column table of (label, value) pairs, then ``extra`` (already HTML)."""
    body = "".join(
        f'<tr><th style="{_HEAD}">{esc(k)}</th><td style="{_CELL}">{esc(v)}</td></tr>' for k, v in pairs
    )
    return (
        f'<div class="pilotflow"><b>{esc(title)}</b>'
        f'<table style="{_STYLE}"><tbody>{body}</tbody></table>{extra}</div>'
    )
