"""The bounds of every number a campaign file gives (both ends included).

A number outside its bounds is refused at its key path, so that nothing overflows later: the
stores keep seat counters and batches in PostgreSQL INTEGER columns (at most 2**31 - 1) and
moments as microseconds since 1970 in BIGINT ones, and Python dates end in the year 9999.
``docs/campaign-format.md`` lists them all.

Two bounds live with what they bound and are named here too: :data:`YEARS` (``year`` and
every year of ``re_review.batches``) is the model's (``domain/campaign.py``), and
:data:`MOMENT_YEARS` (the year of every deadline and document date) is shared with lists of
units (``files/_io.py``).
"""

from __future__ import annotations

from ...domain.calendar import MOMENT_YEARS as MOMENT_YEARS
from ...domain.campaign import YEARS as YEARS
from ...domain.records import MAX_COPIES

QUOTAS = (0, 10**9)
"""``quotas[].limits.<unit type>`` and ``quotas[].total``."""

COPIES = (1, MAX_COPIES)
"""``copies`` of a material requirement (``hops[].materials``, ``re_review_materials``)."""

WORKING_DAYS = (1, 365)
"""``notice.working_days``."""

EXPERTS = (1, 1000)
"""``ministry.min_experts``."""

VIDEO_SECONDS = (1, 86_400)
"""``materials.<kind>.video.seconds`` and ``re_review.video_seconds`` (at most a day)."""

VIDEO_TOLERANCE = (0, 86_400)
"""``materials.<kind>.video.tolerance_seconds`` and ``re_review.video_tolerance_seconds``."""

MAX_RULES = 500
"""The most rules each of ``quotas``, ``hops`` and ``reporting`` may list: every route of the
authority graph is checked against them when the file is loaded."""
