"""``tracks`` and the lists, ranking, materials and share cap of each: new applications
(``new``) and the re-review of earlier winners (``re_review``, 复核).

A file without ``tracks`` runs both tracks as the older keys say (``screening_lists``,
``priority_lists``, ``ranking``, ``hops[].re_review_materials``, ``re_review``); what a track
declares is held where it is judged (``ListRule.tracks``, ``Ranking.tracks``,
``HopRule.re_review_materials``, ``ReReviewRules``), so the rest of pilotflow reads one model.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import evolve, frozen

from ...domain.campaign import HopRule, ListRule, Ranking, ReReviewRules, Text, Track
from ...domain.names import TRACK_NEW, TRACK_RE_REVIEW, TRACKS
from .lists import listed, ranking, unit_lists
from .materials import requirements
from .messages import join, short
from .re_review import batch_years, re_review_rules, share_cap
from .scope import INFO, Scope

TRACK_KEYS = ("lists", "ranking", "materials", "share", "batches", *INFO)
"""The keys of a ``tracks`` entry besides its ``en`` and ``zh`` names."""


@frozen
class TracksAndLists:
    """What ``tracks``, ``lists`` and the older list keys make of a campaign."""

    tracks: Mapping[str, Track]
    lists: Mapping[str, ListRule]
    screening: Mapping[str, Text]  # the lists a run must be given (bar and admit)
    ranking: Ranking
    hops: tuple[HopRule, ...]
    re_review: ReReviewRules


def tracks_and_lists(r: Scope, doc: Mapping[str, Any], hops: tuple[HopRule, ...]) -> TracksAndLists:
    """Read ``tracks``, ``lists``, ``screening_lists``, ``priority_lists``, ``ranking`` and
    ``re_review`` of ``doc``, each track's settings moved onto the lists, ranking, hops and
    re-review rules they scope."""
    entries = r.named_entries(doc.get("tracks", {}), "tracks", TRACK_KEYS)
    for code in entries:
        r.choice(code, join("tracks", code), TRACKS, "track", "申报类别")
    if "tracks" in doc and TRACK_NEW not in entries:
        r.fail("tracks", f"tracks must declare {TRACK_NEW!r}", f"tracks 必须声明 {TRACK_NEW}（新申报）")
    codes = tuple(entries) or TRACKS
    priority = listed(r, doc.get("priority_lists", {}), "priority_lists", "rank_first")
    old_ranking = ranking(r, doc.get("ranking", {}), priority)
    screening = listed(r, doc.get("screening_lists", {}), "screening_lists", "bar")
    rules = unit_lists(r, doc.get("lists", {}), codes, screening, priority)
    rules = _scoped_by_tracks(r, entries, codes, rules)
    by_track = {c: _track_ranking(r, entries.get(c, {}), c, rules, old_ranking, priority) for c in codes}
    for code in (TRACK_NEW, TRACK_RE_REVIEW):
        hops = _track_materials(r, code, entries.get(code, {}), hops)
    re_review = _re_review(r, doc, entries)
    return TracksAndLists(
        tracks={
            code: Track(code, r.text(e, join("tracks", code)), r.info(e, join("tracks", code)))
            for code, e in entries.items()
        },
        lists=rules,
        screening={k: rule.name for k, rule in rules.items() if rule.kind in ("bar", "admit")},
        ranking=Ranking(tuple(dict.fromkeys(k for ids in by_track.values() for k in ids)), by_track),
        hops=hops,
        re_review=re_review,
    )


def _scoped_by_tracks(
    r: Scope, entries: Mapping[str, Mapping[str, Any]], codes: tuple[str, ...], rules: dict[str, ListRule]
) -> dict[str, ListRule]:
    """``tracks.<code>.lists``: the bar and admit lists judged for that track (a track
    without the key: every list that does not name other tracks)."""
    judged = ("bar", "admit")
    named: dict[str, list[str]] = {}
    for code, entry in entries.items():
        if "lists" not in entry:
            continue
        path = join(join("tracks", code), "lists")
        allowed = [k for k, v in rules.items() if v.kind in judged]
        where = (" (a list of kind bar or admit)", "（须为 bar 或 admit 类名单）")
        ids = r.choices(entry["lists"], path, allowed, "bar or admit list", "否决或准入名单", *where)
        _for_track(r, path, ids, rules, code)
        named[code] = ids
    if not named:
        return rules
    out = dict(rules)
    for list_id, rule in rules.items():
        if rule.kind not in judged:
            continue
        own = rule.tracks or frozenset(codes)
        kept = frozenset(c for c in codes if c in own and (c not in named or list_id in named[c]))
        out[list_id] = evolve(rule, tracks=frozenset() if kept == frozenset(codes) else kept)
    return out


def _track_ranking(
    r: Scope,
    entry: Mapping[str, Any],
    code: str,
    rules: Mapping[str, ListRule],
    old: Ranking,
    legacy: Mapping[str, ListRule],
) -> tuple[str, ...]:
    """``tracks.<code>.ranking``: the rank-first lists that order the track's candidates, in
    order; without it, those of ``ranking.priority_lists`` and then those declared under
    ``lists`` that apply to the track (a list under the older ``priority_lists`` ranks only
    when ``ranking.priority_lists`` names it)."""
    first = [k for k, v in rules.items() if v.kind == "rank_first"]
    if "ranking" not in entry:
        ordered = [*old.priority_lists, *(k for k in first if k not in legacy)]
        return tuple(k for k in ordered if not rules[k].tracks or code in rules[k].tracks)
    path = join(join("tracks", code), "ranking")
    where = (" (a list of kind rank_first)", "（须为 rank_first 类名单）")
    ids = r.choices(entry["ranking"], path, first, "rank-first list", "优先推荐名单", *where)
    _for_track(r, path, ids, rules, code)
    return tuple(ids)


def _track_materials(
    r: Scope, track: str, entry: Mapping[str, Any], hops: tuple[HopRule, ...]
) -> tuple[HopRule, ...]:
    """``tracks.<track>.materials``: hop rule name → what that hop needs of the track's units
    besides the hop's own ``materials`` (a track's own materials)."""
    if "materials" not in entry:
        return hops
    path = join(join("tracks", track), "materials")
    by_name = {hop.name: i for i, hop in enumerate(hops)}
    out = list(hops)
    for name, value in r.entries(entry["materials"], path).items():
        item_path = join(path, name)
        r.choice(name, item_path, by_name, "hop rule", "报送规则", " (a hops name)", "（hops 中的名称）")
        old = hops[by_name[name]]
        if track == TRACK_RE_REVIEW and old.re_review_materials:
            r.fail(
                item_path,
                f"hop {short(name)} gives re_review_materials already; give them in one place",
                f"报送规则 {short(name)} 已有 re_review_materials，请只在一处填写",
            )
        wanted = requirements(r, value, item_path)
        if track == TRACK_RE_REVIEW:
            new = evolve(old, re_review_materials=wanted)
        else:
            new = evolve(old, new_materials=wanted)
        r.hop_paths[id(new)] = r.hop_paths.get(id(old), "hops")  # for the route check's refusal
        out[by_name[name]] = new
    return tuple(out)


def _re_review(r: Scope, doc: Mapping[str, Any], entries: Mapping[str, Mapping[str, Any]]) -> ReReviewRules:
    """``re_review``, with the share cap (``tracks.re_review.share``) and the batches
    (``tracks.re_review.batches``) a track gives instead."""
    rules = re_review_rules(r, doc.get("re_review", {}))
    new_entry = entries.get(TRACK_NEW, {})
    for key in ("share", "batches"):
        if key in new_entry:
            r.fail(
                join(join("tracks", TRACK_NEW), key),
                f"{key} is a setting of the re_review track only (new applications use hops and quotas)",
                f"{key} 仅适用于复核（re_review），新申报请使用 hops 与 quotas",
            )
    entry = entries.get(TRACK_RE_REVIEW, {})
    old = doc.get("re_review", {})
    old = old if isinstance(old, Mapping) else {}
    base = join("tracks", TRACK_RE_REVIEW)
    if "share" in entry:
        path = join(base, "share")
        given = [k for k in ("max_share", "rounding") if k in old]
        if given:
            r.fail(
                path,
                f"the share cap is given twice: also re_review.{given[0]}; give it in one place",
                f"复核推荐比例重复填写（re_review.{given[0]} 中已有），请只在一处填写",
            )
        share, rounding = share_cap(r, r.mapping(entry["share"], path, (), ("max_share", "rounding")), path)
        rules = evolve(rules, max_share=share, rounding=rounding)
    if "batches" in entry:
        path = join(base, "batches")
        if "batches" in old:
            r.fail(
                path,
                "the batches are given twice: also re_review.batches; give them in one place",
                "复核批次重复填写（re_review.batches 中已有），请只在一处填写",
            )
        rules = evolve(rules, batches=batch_years(r, entry["batches"], path))
    return rules


def _for_track(r: Scope, path: str, ids: list[str], rules: Mapping[str, ListRule], code: str) -> None:
    """Refuse a list a track names (``ids`` at ``path``) whose own ``tracks`` leave it out."""
    for i, list_id in enumerate(ids):
        own = rules[list_id].tracks
        if own and code not in own:
            r.fail(
                f"{path}[{i}]",
                f"list {short(list_id)} names tracks {', '.join(sorted(own))}, not {code}",
                f"名单 {short(list_id)} 只适用于 {'、'.join(sorted(own))}，不适用于 {code}",
            )
