"""``bench_questions.py --quick`` still runs (a smoke run). No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_questions_benchmark_quick_run_answers_every_question(tmp_path: Path) -> None:
    """``bench_questions.py --quick`` builds its two SQLite files and asks every question in
    a process of its own, printing a line with the time and memory of each."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_questions.py"), "--quick", "--dir", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    for question in ("replay", "as_of", "events_iter", "summary_one", "summary_all", "quota", "tick_again"):
        assert f"\n{question} " in done.stdout
    assert "nan" not in done.stdout
