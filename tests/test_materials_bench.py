"""``benchmarks/bench_files.py`` still runs (its smoke run). No time or memory is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_files_benchmark_quick_run_prints_every_case() -> None:
    """``bench_files.py --quick --only 'no samples'`` generates that hostile MP4, measures it
    and its baseline in fresh subprocesses and prints the table and the verdict line."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_files.py"), "--quick", "--only", "no samples"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    for fragment in ("baseline", "x hash", "claim 300 s, no samples", "refused: inconsistent", "worst:"):
        assert fragment in done.stdout
