"""Rail indicators for all German municipalities: one process vs a 2-worker LocalCluster.

Prints, side by side in one run: wall time (median of ``--repeat`` runs per side),
origins per second, peak memory per worker, and the speed-up of the cluster over the
single process (target ≥ 1.7× on 2 cores). All sides compute the same partitions of the
same prepared state (region, timetable, links, day layout); the single-process and the
cluster results are compared row for row.

Fair to every side:

* the single process is ``run_job`` without a client, as ``stadtregion batch`` runs it
  without ``--workers``, in a process forked from this one before Dask starts: a
  LocalCluster's scheduler lives in the process that starts it, and its threads would
  slow a single-process run made there (measured: about 10 %);
* the cluster is started before any timing, and its runs include sending the state to
  the workers (a real job's cost);
* each side first runs the job once untimed (warm caches, loaded kernels); then the
  sides run in turn, single / cluster / bare / single / …, so that a slow spell of the
  machine falls on all of them.

The third side measures what this machine allows at that moment: the same partitions on
two bare forked processes (``multiprocessing``, no Dask; they inherit the state, so
nothing is sent). On this VM two busy cores do not always give twice the work of one;
this ceiling tells Dask's overhead from the machine's.

Usage: ``.venv/bin/python bench/batch_rail.py [--limit N] [--chunk-size N] [--repeat N]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from typing import Any

import numpy as np
import pandas as pd
from figures import figure

import geo.batch as batch
from geo.batch.io import PartitionStore
from geo.region.build import load_region
from geo.settings import Settings
from geo.transit.io import get_timetable

#: The state and partitions the forked processes inherit (set before the fork).
_SHARED: dict[str, Any] = {}


def _bare_partition(index: int, folder: str) -> tuple[int, str, float]:
    parts = _SHARED["parts"]
    return batch.run_partition(
        batch.rail_indicators_task, _SHARED["state"], parts[index], {}, PartitionStore(folder)
    )


def run_bare(parts: list[batch.Partition], pool: Any) -> float:
    """The job on bare forked processes: seconds (partitions handed out one at a time)."""
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        for _ in pool.starmap(_bare_partition, [(p.index, d) for p in parts], chunksize=1):
            pass
        return time.perf_counter() - t0


def _single(_: int) -> Any:
    return run_once(_SHARED["state"], _SHARED["parts"], None)[0]


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
    ap.add_argument(
        "--chunk-size", type=int, default=None, help="default: as the CLI picks for 2 workers"
    )
    ap.add_argument("--date", default=Settings().rail_date)
    ap.add_argument("--repeat", type=int, default=11, help="timed runs per side (median shown)")
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
    chunk = args.chunk_size or batch.auto_chunk_size(n, 2, batch.INDICATOR_MAX_CHUNK)
    parts = batch.partition_origins(pd.DataFrame({"m": np.arange(n)}), chunk)
    print(f"origins: {n}, partitions: {len(parts)} of ≤{chunk}")

    runs: dict[str, list[Any]] = {"single process": [], "LocalCluster, 2 workers": []}
    bare: list[float] = []
    results: dict[str, pd.DataFrame] = {}
    _, results["single process"] = run_once(state, parts, None)  # warm-up, untimed
    _SHARED.update(state=state, parts=parts)
    # forked before Dask starts any thread; the children inherit the warm state
    fork = multiprocessing.get_context("fork")
    single, pool = fork.Pool(1), fork.Pool(2)
    client = batch.connect(workers=2)
    try:
        _, results["LocalCluster, 2 workers"] = run_once(state, parts, client)  # warm-up
        run_bare(parts, pool)  # warm-up
        for _ in range(args.repeat):
            runs["single process"].append(single.map(_single, [0])[0])
            runs["LocalCluster, 2 workers"].append(run_once(state, parts, client)[0])
            bare.append(run_bare(parts, pool))
    finally:
        client.close()
        pool.terminate()
        single.terminate()

    summaries = {}
    for label, rs in runs.items():
        print(f"{label}: " + ", ".join(f"{r.seconds:.2f} s" for r in rs))
        summaries[label] = sorted(rs, key=lambda r: r.seconds)[len(rs) // 2]  # median
    print("2 bare processes (no Dask): " + ", ".join(f"{t:.2f} s" for t in bare))

    print(f"\n{'':26}{'time s':>10}{'origins/s':>12}  peak memory per worker")
    for label, sm in summaries.items():
        peaks = ", ".join(f"{v:.0f} MB" for v in sm.peak_rss_mb_by_worker.values())
        print(f"{label:26}{sm.seconds:>10.2f}{sm.origins_per_second:>12.0f}  {peaks}")
    one, two = summaries.values()
    pairs = [a.seconds / b.seconds for a, b in zip(*runs.values(), strict=True)]
    ceiling = [a.seconds / t for a, t in zip(runs["single process"], bare, strict=True)]
    print(
        f"\nspeed-up (single / 2 workers, medians): {one.seconds / two.seconds:.2f}x "
        f"(target ≥ 1.7x); run by run: {statistics.median(pairs):.2f}x median, "
        f"{min(pairs):.2f}-{max(pairs):.2f}x"
    )
    print(
        f"this machine's ceiling (single / 2 bare processes): "
        f"{one.seconds / statistics.median(bare):.2f}x; run by run "
        f"{statistics.median(ceiling):.2f}x median, {min(ceiling):.2f}-{max(ceiling):.2f}x"
    )
    figure("batch rail: 2 workers speed-up over one process", one.seconds / two.seconds, "x")
    figure(
        "batch rail: machine ceiling (2 bare processes)", one.seconds / statistics.median(bare), "x"
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
