"""Batch jobs over the travel-time engines on Dask (``dask.distributed``).

A job is a list of origin partitions, one task function and one engine state. The state
(a road graph or timetable arrays) is sent to every worker once with
``Client.scatter(..., broadcast=True)``; each task then receives only its origins. Every
finished partition is written atomically (:class:`geo.batch_io.PartitionStore`), so a
re-run skips what is done and a killed run loses at most the partitions in flight.

Without a client, the same task function runs partition by partition in this process:
that is the single-process reference the distributed results are compared with.
"""

from __future__ import annotations

import hashlib
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.batch_io import PartitionStore
from geo.errors import InputError, StadtregionError


class BatchError(StadtregionError):
    """A batch job could not run (for instance, the scheduler cannot be reached)."""


#: A task: (engine state, the origins of one partition, options) -> result rows.
Task = Callable[[Any, pd.DataFrame, dict[str, Any]], pd.DataFrame]


@dataclass(frozen=True)
class Partition:
    """One chunk of origins."""

    index: int
    origins: pd.DataFrame


@dataclass
class BatchSummary:
    """What a run did."""

    origins: int
    partitions: int
    skipped: int
    computed: int
    rows: int
    seconds: float
    workers: int
    peak_rss_mb_by_worker: dict[str, float] = field(default_factory=dict)

    @property
    def origins_per_second(self) -> float:
        """Throughput over the computed partitions."""
        return self.origins / self.seconds if self.seconds > 0 else float("nan")

    def lines(self) -> list[str]:
        """The summary as lines for people."""
        peaks = ", ".join(
            f"{w}: {mb:.0f} MB" for w, mb in sorted(self.peak_rss_mb_by_worker.items())
        )
        return [
            f"origins: {self.origins} in {self.partitions} partitions "
            f"({self.computed} computed, {self.skipped} already done)",
            f"result rows: {self.rows}",
            f"time: {self.seconds:.1f} s on {self.workers} worker(s), "
            f"{self.origins_per_second:.1f} origins/s",
            f"peak memory per worker: {peaks or 'n/a'}",
        ]


def partition_origins(origins: pd.DataFrame, chunk_size: int) -> list[Partition]:
    """Split origins into partitions of at most ``chunk_size`` rows, in order.

    Raises
    ------
    InputError
        When there are no origins or ``chunk_size`` is not positive.
    """
    if chunk_size < 1:
        raise InputError(f"chunk_size must be at least 1, got {chunk_size}.")
    if len(origins) == 0:
        raise InputError("the origin set is empty; give at least one origin.")
    return [
        Partition(i, origins.iloc[start : start + chunk_size])
        for i, start in enumerate(range(0, len(origins), chunk_size))
    ]


def job_digest(parts: Sequence[object]) -> str:
    """A stable digest of a job's defining parts (kinds, options, origin ids)."""
    h = hashlib.sha256()
    for p in parts:
        h.update(repr(p).encode())
        h.update(b"\x00")
    return h.hexdigest()


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_partition(
    task: Task, state: Any, origins: pd.DataFrame, options: dict[str, Any]
) -> tuple[pd.DataFrame, str, float]:
    """Run one partition; return its rows, the worker's name and its peak memory in MB."""
    rows = task(state, origins, options)
    return rows, f"pid {os.getpid()}", _peak_rss_mb()


def connect(scheduler: str | None = None, workers: int | None = None) -> Any:
    """Return a Dask client: to ``scheduler`` if given, else a LocalCluster of ``workers``.

    Raises
    ------
    BatchError
        When the scheduler cannot be reached (the message names the address).
    InputError
        When ``workers`` is not positive.
    """
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise BatchError(
                f"cannot reach the Dask scheduler at {scheduler} ({exc.__class__.__name__}); "
                "start one with 'dask scheduler' and workers with 'dask worker ADDRESS', "
                "or run locally with --workers N."
            ) from None
    n = workers or 1
    if n < 1:
        raise InputError(f"workers must be at least 1, got {n}.")
    cluster = LocalCluster(
        n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
    )
    return Client(cluster)


def run_job(
    *,
    task: Task,
    state: Any,
    partitions: Sequence[Partition],
    store: PartitionStore,
    manifest: dict[str, Any],
    options: dict[str, Any] | None = None,
    client: Any = None,
    progress: bool = True,
) -> BatchSummary:
    """Run every partition not yet in ``store``; write each as soon as it is done.

    Parameters
    ----------
    task
        Top-level function (picklable by reference) computing one partition.
    state
        The engine state; scattered to every worker once.
    partitions
        From :func:`partition_origins`.
    store
        Where partitions go; also records ``manifest`` so a folder holds one job only.
    manifest
        What defines the job (kind, options, digest); a re-run must match it.
    options
        Passed to every task.
    client
        A ``dask.distributed.Client``; ``None`` runs in this process.
    progress
        Show a progress bar.
    """
    from tqdm import tqdm

    opts = options or {}
    store.claim(manifest)
    done = store.done()
    todo = [p for p in partitions if p.index not in done]
    t0 = time.perf_counter()
    peaks: dict[str, float] = {}
    rows = 0
    bar = tqdm(total=len(todo), unit="part", disable=not progress, desc="partitions")
    if client is None:
        for p in todo:
            result, worker, peak = run_partition(task, state, p.origins, opts)
            store.write(p.index, result)
            rows += len(result)
            peaks[worker] = max(peaks.get(worker, 0.0), peak)
            bar.update()
        n_workers = 1
    else:
        from dask.distributed import as_completed

        n_workers = len(client.scheduler_info()["workers"])
        remote_state = client.scatter(state, broadcast=True, hash=False)
        futures = {
            client.submit(run_partition, task, remote_state, p.origins, opts, pure=False): p
            for p in todo
        }
        for fut in as_completed(futures):
            result, worker, peak = fut.result()
            store.write(futures[fut].index, result)
            rows += len(result)
            peaks[worker] = max(peaks.get(worker, 0.0), peak)
            bar.update()
            fut.release()
    bar.close()
    seconds = time.perf_counter() - t0
    return BatchSummary(
        origins=sum(len(p.origins) for p in todo),
        partitions=len(partitions),
        skipped=len(partitions) - len(todo),
        computed=len(todo),
        rows=rows,
        seconds=seconds,
        workers=n_workers,
        peak_rss_mb_by_worker=peaks,
    )
