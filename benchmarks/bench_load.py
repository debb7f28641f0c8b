"""How long loading a campaign takes, and how long refusing a hostile file takes.

    .venv/bin/python benchmarks/bench_load.py            # 50 loads per figure
    .venv/bin/python benchmarks/bench_load.py --n 200

Prints the median time of ``load_campaign`` on the bundled campaign, by id and by path, with
each YAML parser installed (libyaml's, and the pure-Python one PyYAML falls back to), then the
time each hostile input takes to be refused (an alias bomb, nesting, a 10 MiB file, /dev/zero,
a FIFO...). Nothing is asserted: machines are noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pilotflow as pf
from pilotflow.files.campaign_file import safe_yaml

CAMPAIGN_ID = "smart-health-elderly-care-2023"
BUNDLED = Path(pf.__file__).parent / "data" / "campaigns" / f"{CAMPAIGN_ID}.yaml"


def median_ms(call: Callable[[], object], n: int) -> float:
    """The median wall time of ``call`` over ``n`` runs, in milliseconds."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bomb() -> str:
    """The "billion laughs": ten "lol", then eight levels of ten aliases of the level below."""
    lines = ["l0: &l0 [" + ", ".join(['"lol"'] * 10) + "]"]
    for i in range(1, 9):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def hostile(folder: Path) -> dict[str, Callable[[], object]]:
    """Hostile inputs, each a call that must raise a CampaignFileError."""
    fifo = folder / "pipe.yaml"
    os.mkfifo(fifo)
    big = folder / "big.yaml"
    big.write_text("a: " + "x" * (10 << 20), encoding="utf-8")
    return {
        f"alias bomb ({len(bomb())} bytes)": lambda: pf.parse_campaign(bomb()),
        "900 nested [": lambda: pf.parse_campaign("[" * 900),
        "10 MiB file": lambda: pf.load_campaign(big),
        "/dev/zero": lambda: pf.load_campaign("/dev/zero"),
        "FIFO": lambda: pf.load_campaign(fifo),
        "integer of 5,000 digits": lambda: pf.parse_campaign("year: " + "1" * 5000),
        "deadline 9999-12-31": lambda: pf.parse_campaign(
            BUNDLED.read_text(encoding="utf-8").replace("2023-10-18", "9999-12-31", 1)
        ),
    }


def refusal_ms(call: Callable[[], object]) -> float:
    """The time ``call`` takes to raise its CampaignFileError, in milliseconds."""
    start = time.perf_counter()
    try:
        call()
    except pf.CampaignFileError:
        return (time.perf_counter() - start) * 1000
    raise SystemExit("a hostile input was accepted")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=50, help="loads per figure (default 50)")
    args = parser.parse_args()
    loaders = safe_yaml._LOADERS
    pf.load_campaign(CAMPAIGN_ID)  # warm the graph and imports
    print(f"bundled campaign ({BUNDLED.stat().st_size:,} bytes), median of {args.n} loads:")
    for loader in loaders:
        safe_yaml._LOADERS = (loader,)
        by_id = median_ms(lambda: pf.load_campaign(CAMPAIGN_ID), args.n)
        by_path = median_ms(lambda: pf.load_campaign(BUNDLED), args.n)
        print(f"  {loader.__name__:10} by id {by_id:6.1f} ms   by path {by_path:6.1f} ms")
    safe_yaml._LOADERS = loaders
    print("refusing hostile input:")
    with tempfile.TemporaryDirectory() as folder:
        for name, call in hostile(Path(folder)).items():
            print(f"  {name:26} {refusal_ms(call):7.1f} ms")


if __name__ == "__main__":
    main()
