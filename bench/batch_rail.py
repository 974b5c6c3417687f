"""Rail indicators for all German municipalities: one process vs a 2-worker LocalCluster.

Prints, side by side in one run: wall time (median of ``--repeat`` runs per side),
origins per second, peak memory per worker, and the speed-up of the cluster over the
single process (target ≥ 1.7× on 2 cores). Both compute the same partitions of the
same prepared state (region, timetable, links, day layout); their results are compared
row for row.

Fair to both sides: the cluster is started before any timing; each side first runs the
job once untimed (warm caches, loaded kernels); then the two sides run in turn,
single / cluster / single / …, so that a slow spell of the machine falls on both. The
cluster's runs include sending the state to the workers (a real job's cost).

Usage: ``.venv/bin/python bench/batch_rail.py [--limit N] [--chunk-size N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from typing import Any

import numpy as np
import pandas as pd

from geo import batch
from geo.batch_io import PartitionStore
from geo.build import load_region
from geo.gtfs_io import get_timetable
from geo.settings import Settings


def run_once(state: Any, parts: list[batch.Partition], client: Any) -> tuple[Any, pd.DataFrame]:
    """One whole job into a fresh folder: its summary and its rows."""
    with tempfile.TemporaryDirectory() as d:
        store = PartitionStore(d)
        summary = batch.run_job(
            task=batch.rail_indicators_task,
            state=state,
            partitions=parts,
            store=store,
            manifest={"kind": "bench"},
            client=client,
            progress=False,
        )
        return summary, store.read().sort_values("ags").reset_index(drop=True)


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="first N origins (default all)")
    ap.add_argument("--chunk-size", type=int, default=batch.DEFAULT_CHUNK_SIZE)
    ap.add_argument("--date", default="2019-05-15")
    ap.add_argument("--repeat", type=int, default=7, help="timed runs per side (median shown)")
    args = ap.parse_args()

    settings = Settings()
    t0 = time.perf_counter()
    region, _ = load_region(settings, "germany")
    tt = get_timetable(settings)
    state = batch.rail_state(tt, region, date=args.date)
    print(
        f"setup (region {len(region)} municipalities, timetable, links, day layout): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    n = len(region) if args.limit is None else args.limit
    parts = batch.partition_origins(pd.DataFrame({"m": np.arange(n)}), args.chunk_size)
    print(f"origins: {n}, partitions: {len(parts)} of ≤{args.chunk_size}")

    sides: dict[str, Any] = {"single process": None}
    sides["LocalCluster, 2 workers"] = batch.connect(workers=2)
    runs: dict[str, list[Any]] = {label: [] for label in sides}
    results: dict[str, pd.DataFrame] = {}
    try:
        for label, client in sides.items():  # untimed warm-up of each side
            _, results[label] = run_once(state, parts, client)
        for _ in range(args.repeat):
            for label, client in sides.items():
                runs[label].append(run_once(state, parts, client)[0])
    finally:
        sides["LocalCluster, 2 workers"].close()

    summaries = {}
    for label, rs in runs.items():
        print(f"{label}: " + ", ".join(f"{r.seconds:.2f} s" for r in rs))
        summaries[label] = sorted(rs, key=lambda r: r.seconds)[len(rs) // 2]  # median

    print(f"\n{'':26}{'time s':>10}{'origins/s':>12}  peak memory per worker")
    for label, sm in summaries.items():
        peaks = ", ".join(f"{v:.0f} MB" for v in sm.peak_rss_mb_by_worker.values())
        print(f"{label:26}{sm.seconds:>10.2f}{sm.origins_per_second:>12.0f}  {peaks}")
    one, two = summaries.values()
    pairs = [a.seconds / b.seconds for a, b in zip(*runs.values(), strict=True)]
    print(
        f"\nspeed-up (single / 2 workers, medians): {one.seconds / two.seconds:.2f}x "
        f"(target ≥ 1.7x); run by run: {statistics.median(pairs):.2f}x median, "
        f"{min(pairs):.2f}-{max(pairs):.2f}x"
    )
    a, b = results.values()
    same = a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    print(f"results identical: {same}")
    per_origin = one.seconds / n
    print(
        f"time per origin (single process): {per_origin * 1000:.3f} ms; "
        f"origins per worker-hour: {3600 / per_origin:,.0f}"
    )


if __name__ == "__main__":
    main()
