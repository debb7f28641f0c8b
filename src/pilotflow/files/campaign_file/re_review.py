"""``re_review``: which earlier batches are reviewed again, what share of them may pass, how
the share is rounded, and (the old spelling, still read) how long the review video runs:
``re_review.video_seconds`` applies to every video material that sets no ``video`` bounds
of its own (``materials.<kind>.video``, see campaign_file/materials.py)."""

from __future__ import annotations

from ...domain import rules
from ...domain.campaign import ReReviewRules
from .bounds import VIDEO_SECONDS, VIDEO_TOLERANCE, YEARS
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
    batches = [
        r.integer(item, f"re_review.batches[{i}]", YEARS)
        for i, item in enumerate(r.sequence(entry.get("batches", []), "re_review.batches"))
    ]
    r.unique(batches, "re_review.batches", "batch", "批次")
    share = entry.get("max_share", 0.7)
    if isinstance(share, bool) or not isinstance(share, (int, float)):
        r.wrong_type("re_review.max_share", "a number", "数值", share)
    if not 0 < share <= 1:
        r.fail(
            "re_review.max_share",
            f"max_share must be greater than 0 and at most 1, got {share}",
            f"max_share 必须大于 0 且不超过 1，实际为 {share}",
        )
    rounding = r.choice(
        r.string(entry.get("rounding", "floor"), "re_review.rounding"),
        "re_review.rounding",
        ROUNDINGS,
        "rounding",
        "取整方式",
    )
    video: int | None = None
    tolerance: int | None = None
    if entry.get("video_seconds") is not None:
        video = r.integer(entry["video_seconds"], "re_review.video_seconds", VIDEO_SECONDS)
    if entry.get("video_tolerance_seconds") is not None:
        path = "re_review.video_tolerance_seconds"
        tolerance = r.integer(entry["video_tolerance_seconds"], path, VIDEO_TOLERANCE)
        if video is None:
            r.fail(path, "a video tolerance needs video_seconds", "设置视频时长容差前须先设置 video_seconds")
    return ReReviewRules(tuple(batches), float(share), rounding, video, tolerance)
