"""Finding what a user names on the command line: an authority by code or Chinese name (with
suggestions for a misspelt one), a nomination by id, by a unique prefix of it, or by its short
reference; and the shell completion of both.

A nomination's id starts with the moment it was made, so the ids of one campaign share their
first dozen characters. Its **reference** is six characters that differ from the first one
on: a digest of the id (base 32, lowercase, no ``0``/``1``/``8``/``9`` to misread), stable for
ever and shown beside the id in every table (``ref``). A reference may collide (one in about
a million pairs); the command then refuses it and lists the candidates, as it does for an id
prefix that is not unique.
"""

from __future__ import annotations

import base64
import difflib
import hashlib
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from typing import Any

import click
from click.shell_completion import CompletionItem

import pilotflow as pf

__all__ = [
    "REF_LENGTH",
    "authority",
    "complete_authority",
    "complete_department",
    "complete_nomination",
    "nomination_id",
    "ref",
]

REF_LENGTH = 6
MIN_PREFIX = 4  # an id prefix shorter than this is not looked up
MAX_TEXT = 128  # longer text is not compared with every name
MAX_COMPLETIONS = 200


def ref(nomination_id: str) -> str:
    """The short reference of a nomination id (six characters, see the module docstring)."""
    digest = hashlib.sha256(nomination_id.encode()).digest()
    return base64.b32encode(digest).decode().lower()[:REF_LENGTH]


def _candidates(run: pf.CampaignRun, ids: Iterable[str]) -> tuple[str, str]:
    shown = sorted(ids)[:8]
    names = {n.id: n.unit_name for n in run.nominations() if n.id in shown}
    en = ", ".join(f"{ref(i)} {i} ({names.get(i, '')})" for i in shown)
    zh = "、".join(f"{ref(i)} {i}（{names.get(i, '')}）" for i in shown)
    return en, zh


def nomination_id(run: pf.CampaignRun, text: str) -> str:
    """A nomination id given as the id, a unique prefix of it (at least 4 characters) or its
    reference; an ambiguous one is refused, listing the candidates."""
    try:
        return run.get(text).id
    except pf.NominationNotFound:
        if len(text) < MIN_PREFIX or len(text) > MAX_TEXT:
            raise
    key = text.lower()
    hits = {n.id for n in run.nominations() if n.id.startswith(key) or ref(n.id) == key}
    if len(hits) == 1:
        return hits.pop()
    if not hits:
        raise pf.NominationNotFound(text)
    en, zh = _candidates(run, hits)
    raise pf.InvalidInput(
        f"{text!r} names {len(hits)} nominations: {en}; give more characters of the id",
        f"{text!r} 可匹配 {len(hits)} 个申报：{zh}；请输入更多位的申报编号",
    )


def _names(graph: pf.AuthorityGraph) -> dict[str, str]:
    """Every name an authority may be given by (its qualified name too), with its code."""
    names: dict[str, str] = {}
    for a in graph:
        names.setdefault(a.name, a.code)
        names.setdefault(graph.qualified(a), a.code)
    return names


def _suggestions(graph: pf.AuthorityGraph, text: str, n: int = 3) -> list[str]:
    """Up to ``n`` authorities a mistyped ``text`` may mean, as ``name code``, one per
    authority: those whose code (or name) begins with or contains it first, then the closest
    by difflib."""
    if text.isascii():
        key = text.upper()
        pool = {a.code: a.code for a in graph}
    else:
        key = text
        pool = _names(graph)
    found = sorted((k for k in pool if key in k), key=lambda k: (not k.startswith(key), len(k), k))
    found += difflib.get_close_matches(key, list(pool), n=n, cutoff=0.5)
    out: dict[str, str] = {}
    for k in found:
        code = pool[k]
        if code not in out and len(out) < n:
            out[code] = f"{graph[code].name} {code}"
    return list(out.values())


def authority(graph: pf.AuthorityGraph, text: str) -> pf.Authority:
    """An authority by code, or by its (unambiguous, or qualified) Chinese name; an unknown
    one is refused with the closest names and codes as suggestions."""
    if text in graph:
        return graph[text]
    if not text.isascii():
        try:
            return graph.find(text)
        except pf.UnknownAuthority as exc:
            if "同名" in exc.zh:  # ambiguous: the candidates are named already
                raise
    close = _suggestions(graph, text) if len(text) <= MAX_TEXT else []
    if not close:
        raise pf.UnknownAuthority(text, "no authority has that name or code", "没有此名称或代码的机关")
    raise pf.UnknownAuthority(text, f"did you mean {' or '.join(close)}?", f"是否应为 {' 或 '.join(close)}？")


# -- shell completion -------------------------------------------------------------------


def complete_authority(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Authority codes and Chinese names (qualified names too) starting with what is typed."""
    try:
        graph = _graph(ctx)
    except Exception:  # completion must never break the shell
        return []
    out: list[CompletionItem] = []
    for a in graph:
        for value, help_ in ((a.code, a.name), (a.name, a.code), (graph.qualified(a), a.code)):
            if value.startswith(incomplete) and len(out) < MAX_COMPLETIONS:
                out.append(CompletionItem(value, help=help_))
    unique: dict[str, CompletionItem] = {}
    for item in out:
        unique.setdefault(item.value, item)
    return list(unique.values())


def complete_unit_type(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The campaign's unit types (enterprise, street...), with their Chinese names."""
    return _campaign_codes(ctx, incomplete, "unit_types")


def complete_material(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The campaign's material kinds, with their Chinese names."""
    return _campaign_codes(ctx, incomplete, "materials")


def complete_state(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The states a nomination may be in."""
    return [CompletionItem(state) for state in pf.names.STATES if state.startswith(incomplete)]


#: How a command being completed finds its campaign and opens its store: given by the command
#: module (:func:`use_for_completion`), which builds on this one.
_COMPLETION: dict[str, Callable[[click.Context], Any]] = {}


def use_for_completion(
    campaign: Callable[[click.Context], pf.Campaign],
    opener: Callable[[click.Context], AbstractContextManager[pf.CampaignRun]],
) -> None:
    """Say how completion finds the campaign and opens the run of a command being completed."""
    _COMPLETION["campaign"] = campaign
    _COMPLETION["open"] = opener


def _campaign_codes(ctx: click.Context, incomplete: str, what: str) -> list[CompletionItem]:
    try:
        known = getattr(_COMPLETION["campaign"](ctx), what)
    except Exception:  # an unreadable campaign file: nothing to offer
        return []
    return [CompletionItem(code, help=k.name.zh) for code, k in known.items() if code.startswith(incomplete)]


def complete_department(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The departments of the authority given earlier on the line (``applicant`` too)."""
    try:
        graph = _graph(ctx)
        given = ctx.params.get("authority")
        found = authority(graph, given) if isinstance(given, str) else None
    except Exception:  # no authority yet, or an unknown one: only the applicant
        found = None
    names = [*(found.departments if found is not None else ()), "applicant"]
    return [CompletionItem(d) for d in names if d.startswith(incomplete)]


def complete_nomination(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """The ids (and references) of the store's nominations starting with what is typed."""
    try:
        with _COMPLETION["open"](ctx) as run:
            found = run.nominations()
    except Exception:  # no database yet, or an unreadable one: nothing to offer
        return []
    items: list[CompletionItem] = []
    for n in found:
        if n.id.startswith(incomplete):
            items.append(CompletionItem(n.id, help=f"{ref(n.id)} {n.unit_name} {n.state}"))
        elif incomplete and ref(n.id).startswith(incomplete):
            items.append(CompletionItem(ref(n.id), help=f"{n.id} {n.unit_name} {n.state}"))
        if len(items) >= MAX_COMPLETIONS:
            break
    return items


def _graph(ctx: click.Context) -> pf.AuthorityGraph:
    c: pf.Campaign = _COMPLETION["campaign"](ctx)
    return pf.AuthorityGraph.bundled().with_authorities(c.authorities)
