"""Machine-readable output of the read commands: ``--format json`` and ``--format csv``.

JSON is UTF-8 (Chinese as it is, ``ensure_ascii=False``), indented, with stable keys: those a
command documents in docs/cli.md, in that order; moments in ISO 8601 with their offset, and
``null`` for "none". CSV has a header row of the same keys; lists are joined with ``; ``; a
cell a spreadsheet would read as a formula (one beginning with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import click

__all__ = ["FORMATS", "csv_cell", "emit", "format_option", "plain"]

FORMATS = ("table", "json", "csv")
F = TypeVar("F", bound=Callable[..., Any])
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def format_option(*formats: str) -> Callable[[F], F]:
    """The ``--format`` option (``table`` by default) of a command that offers ``formats``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(formats or FORMATS),
        default="table",
        show_default=True,
        help="Output: a table for people, or JSON / CSV for scripts. "
        "· 输出格式：表格，或供脚本读取的 JSON / CSV。",
    )


def plain(value: object) -> Any:
    """A value as JSON holds it: moments in ISO 8601, tuples as lists, mappings by key."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return [plain(v) for v in items]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def csv_cell(value: object) -> str:
    """One CSV cell: a list joined with ``; ``, nothing for None, and a text a spreadsheet
    would run as a formula made inert with a leading ``'``."""
    value = plain(value)
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list):  # (a record in it as JSON: a letter's documents)
        text = "; ".join(_item(v) for v in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return f"'{text}" if text.startswith(_FORMULA) else text


def _item(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def emit(
    output_format: str,
    data: Any,
    columns: Sequence[str],
    rows: Sequence[Mapping[str, Any]] | None = None,
) -> None:
    """Print ``data`` as JSON, or ``rows`` (``data`` when it is a list) as CSV: a header of
    ``columns``, then one line per row (a header alone when there are none)."""
    if output_format == "json":
        click.echo(json.dumps(plain(data), ensure_ascii=False, indent=2))
        return
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in rows if rows is not None else data:
        writer.writerow([csv_cell(record.get(k)) for k in columns])
    click.echo(out.getvalue(), nl=False)
