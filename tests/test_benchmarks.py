"""The benchmarks still run (a smoke run each). No timing is asserted: machines are noisy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def test_core_benchmark_quick_run_prints_the_ratios() -> None:
    """``bench_core.py --quick`` completes and prints pilotflow, transitions and floor costs
    and the memory per nomination."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_core.py"), "--quick"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    for fragment in ("pf/tr", "pf/floor", "per nomination"):
        assert fragment in done.stdout


@pytest.mark.postgres
def test_sql_benchmark_quick_run_prints_the_ratios(pg_url: str) -> None:
    """``bench_sql.py --quick`` completes against SQLite and PostgreSQL and prints its ratios."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_sql.py"), "--quick", "--pg-url", pg_url],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    assert "floor" in done.stdout


def test_log_benchmark_quick_run_prints_bytes_and_decoding() -> None:
    """``bench_log.py --quick`` fills a SQLite store, and prints the bytes per event by table
    and index and the decoding speed against its ``json.loads`` floor."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_log.py"), "--quick"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    for fragment in ("bytes per event", "pf_events", "json.loads floor", "store.events()"):
        assert fragment in done.stdout


def test_national_benchmark_quick_run_prints_the_end_to_end_figures() -> None:
    """``bench_national.py --quick`` files 1,000 nominations on SQLite, forwards them district →
    ministry with the real quotas, writes the raw-driver floor, asks the analyst's questions
    (each in its own process) and prints the end-to-end and question tables."""
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_national.py"), "--quick"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert 0 == done.returncode, done.stderr[-2000:]
    for fragment in ("end to end", "floor/pf", "µs/nom", "questions", "replay", "quota_table"):
        assert fragment in done.stdout
