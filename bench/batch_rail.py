"""Rail indicators for all German municipalities: one process vs a 2-worker LocalCluster.

Prints, side by side in one run: wall time (median of ``--repeat`` runs per side; the
cluster is started once, before timing, as the single process is), origins per second,
peak memory per worker, and the speed-up of the cluster over the single process (target
≥ 1.7× on 2 cores). Both compute the same partitions; their results are compared row for
row.

Usage: ``.venv/bin/python bench/batch_rail.py [--limit N] [--chunk-size N]``
"""

from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

from geo import batch
from geo.batch_io import PartitionStore
from geo.build import load_region
from geo.gtfs_io import get_timetable
from geo.settings import Settings


def main() -> None:
    """Run the benchmark and print its figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="first N origins (default all)")
    ap.add_argument("--chunk-size", type=int, default=500)
    ap.add_argument("--date", default="2019-05-15")
    ap.add_argument("--repeat", type=int, default=3, help="runs per side; the median is shown")
    args = ap.parse_args()

    settings = Settings()
    t0 = time.perf_counter()
    region, _ = load_region(settings, "germany")
    tt = get_timetable(settings)
    state = batch.rail_state(tt, region, date=args.date)
    print(
        f"setup (region {len(region)} municipalities, timetable, links): "
        f"{time.perf_counter() - t0:.1f} s"
    )
    n = len(region) if args.limit is None else args.limit
    parts = batch.partition_origins(pd.DataFrame({"m": np.arange(n)}), args.chunk_size)
    print(f"origins: {n}, partitions: {len(parts)} of ≤{args.chunk_size}")

    results = {}
    summaries = {}
    for label, workers in (("single process", None), ("LocalCluster, 2 workers", 2)):
        client = batch.connect(workers=workers) if workers else None
        runs = []
        try:
            for _ in range(args.repeat):
                with tempfile.TemporaryDirectory() as d:
                    store = PartitionStore(d)
                    runs.append(
                        batch.run_job(
                            task=batch.rail_indicators_task,
                            state=state,
                            partitions=parts,
                            store=store,
                            manifest={"kind": "bench"},
                            client=client,
                            progress=False,
                        )
                    )
                    results[label] = store.read().sort_values("ags").reset_index(drop=True)
        finally:
            if client is not None:
                client.close()
        print(f"{label}: " + ", ".join(f"{r.seconds:.2f} s" for r in runs))
        summaries[label] = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]  # median

    print(f"\n{'':26}{'time s':>10}{'origins/s':>12}  peak memory per worker")
    for label, s in summaries.items():
        peaks = ", ".join(f"{v:.0f} MB" for v in s.peak_rss_mb_by_worker.values())
        print(f"{label:26}{s.seconds:>10.1f}{s.origins_per_second:>12.1f}  {peaks}")
    one, two = summaries.values()
    print(f"\nspeed-up (single / 2 workers): {one.seconds / two.seconds:.2f}x  (target ≥ 1.7x)")
    a, b = results.values()
    same = a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    print(f"results identical: {same}")
    per_origin = one.seconds / n
    print(
        f"time per origin (single process): {per_origin * 1000:.1f} ms; "
        f"origins per worker-hour: {3600 / per_origin:,.0f}"
    )


if __name__ == "__main__":
    main()
