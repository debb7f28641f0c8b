"""``re_review``: which earlier batches are reviewed again, what share of them may pass, how
the share is rounded, and (the old spelling, still read) how long the review video runs:
``re_review.video_seconds`` applies to every video material that sets no ``video`` bounds
of its own (``materials.<kind>.video``, see campaign_file/materials.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...domain import rules
from ...domain.campaign import ReReviewRules
from .bounds import VIDEO_SECONDS, VIDEO_TOLERANCE, YEARS
from .messages import join
from .scope import Scope

ROUNDINGS: tuple[str, ...] = tuple(rules.ROUNDINGS)  # the rule lives in the domain
"""``re_review.rounding`` values."""


def re_review_rules(r: Scope, value: object) -> ReReviewRules:
    """``re_review``: ``batches`` (years), ``max_share`` (over 0, at most 1), ``rounding``,
    ``video_seconds`` and ``video_tolerance_seconds`` (only with a video length; the old
    spelling of ``materials.<kind>.video``)."""
    entry = r.mapping(
        value,
        "re_review",
        (),
        ("batches", "max_share", "rounding", "video_seconds", "video_tolerance_seconds"),
    )
    batches = batch_years(r, entry.get("batches", []), "re_review.batches")
    share, rounding = share_cap(r, entry, "re_review")
    video: int | None = None
    tolerance: int | None = None
    if entry.get("video_seconds") is not None:
        video = r.integer(entry["video_seconds"], "re_review.video_seconds", VIDEO_SECONDS)
    if entry.get("video_tolerance_seconds") is not None:
        path = "re_review.video_tolerance_seconds"
        tolerance = r.integer(entry["video_tolerance_seconds"], path, VIDEO_TOLERANCE)
        if video is None:
            r.fail(path, "a video tolerance needs video_seconds", "设置视频时长容差前须先设置 video_seconds")
    return ReReviewRules(batches, share, rounding, video, tolerance)


def batch_years(r: Scope, value: object, path: str) -> tuple[int, ...]:
    """The years of the earlier batches re-reviewed, none twice."""
    batches = [r.integer(item, f"{path}[{i}]", YEARS) for i, item in enumerate(r.sequence(value, path))]
    r.unique(batches, path, "batch", "批次")
    return tuple(batches)


def share_cap(r: Scope, entry: Mapping[str, Any], path: str) -> tuple[float, str]:
    """``max_share`` (over 0, at most 1; default 0.7) and ``rounding`` (default ``floor``) of
    ``entry`` at ``path``."""
    share = entry.get("max_share", 0.7)
    if isinstance(share, bool) or not isinstance(share, (int, float)):
        r.wrong_type(join(path, "max_share"), "a number", "数值", share)
    if not 0 < share <= 1:
        r.fail(
            join(path, "max_share"),
            f"max_share must be greater than 0 and at most 1, got {share}",
            f"max_share 必须大于 0 且不超过 1，实际为 {share}",
        )
    rounding = r.choice(
        r.string(entry.get("rounding", "floor"), join(path, "rounding")),
        join(path, "rounding"),
        ROUNDINGS,
        "rounding",
        "取整方式",
    )
    return float(share), rounding
