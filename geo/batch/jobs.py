"""Batch jobs over the travel-time engines on Dask (``dask.distributed``): the runner.

A job is a list of origin partitions, one task function and one engine state. The state
(a road graph or timetable arrays) is sent to every worker once with
``Client.scatter(..., broadcast=True)``; each task then receives only its origins. Every
finished partition is written atomically (:class:`geo.batch.io.PartitionStore`), so a
re-run skips what is done and a killed run loses at most the partitions in flight.

Without a client, the same task function runs partition by partition in this process:
that is the single-process reference the distributed results are compared with.

The jobs themselves: :mod:`geo.batch.rail` (indicators and matrices on the timetable) and
:mod:`geo.batch.matrix` (matrices for any point sets, car or rail).
"""

from __future__ import annotations

import hashlib
import json
import os
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from tqdm import tqdm

from geo import transit
from geo.batch.io import ResultStore, open_partition_store
from geo.errors import InputError, StadtregionError
from geo.roads import engine as _road_engine  # noqa: F401  (loaded before tasks: dask_setup)

#: Partitions per worker when the chunk size is chosen automatically: enough that every
#: worker has work and they finish together, few enough that Dask's per-task cost (a few
#: ms each) stays small against the routing (measured in bench/batch_rail.py).
PARTITIONS_PER_WORKER = 2


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
    #: Points left out because the loaded network does not cover them (car matrices).
    outside: int = 0

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
            *(
                [f"left out (outside the loaded road network): {self.outside}"]
                if self.outside
                else []
            ),
        ]


def partition_origins(origins: pd.DataFrame, chunk_size: int) -> list[Partition]:
    """Split origins into the fewest partitions of at most ``chunk_size`` rows, in order,
    of even sizes (they differ by one row at most).

    Raises
    ------
    InputError
        When there are no origins or ``chunk_size`` is not positive.
    """
    if chunk_size < 1:
        raise InputError(f"chunk_size must be at least 1, got {chunk_size}.")
    n = len(origins)
    if n == 0:
        raise InputError("the origin set is empty; give at least one origin.")
    # as few partitions as chunk_size allows, of even sizes (no small tail partition:
    # workers finish together)
    n_parts = -(-n // chunk_size)
    bounds = [n * i // n_parts for i in range(n_parts + 1)]
    return [Partition(i, origins.iloc[bounds[i] : bounds[i + 1]]) for i in range(n_parts)]


def auto_chunk_size(n_origins: int, workers: int, most: int) -> int:
    """Origins per partition when none is given: about :data:`PARTITIONS_PER_WORKER`
    partitions per worker, at most ``most`` origins each (at least 1)."""
    per = -(-n_origins // (PARTITIONS_PER_WORKER * max(workers, 1)))
    return max(1, min(most, per))


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
    task: Task,
    state: Any,
    partition: Partition,
    options: dict[str, Any],
    store: ResultStore,
) -> tuple[int, str, float]:
    """Run one partition and write it where it runs (the worker, on a cluster).

    Returns the number of rows written, the worker's name and its peak memory in MB.
    Writing on the worker keeps the client free and sends no result rows over the wire.
    """
    rows = task(state, partition.origins, options)
    store.write(partition.index, rows)
    return len(rows), f"pid {os.getpid()}", _peak_rss_mb()


#: Modules every worker imports at start-up (the engines and their numeric libraries);
#: importing ``geo.batch.jobs`` also runs :func:`dask_setup` in the worker.
PRELOAD_MODULES = ("geo.transit", "geo.roads.engine", "geo.batch.jobs")


def dask_setup(worker: Any) -> None:
    """Dask preload hook: import both engines and load the compiled rail kernel before
    the worker takes tasks.

    Dask calls this in every worker started with ``--preload geo.batch.jobs`` (and in the
    workers of :func:`connect`), so no task pays the kernel load (about 0.2 s).
    """
    transit.warm_up()


#: Dask settings for the workers of batch jobs (LocalCluster here; on a real cluster set
#: them where the workers start, e.g. ``DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED=False``).
#: The tasks are CPU-bound Python holding the GIL: Dask's statistical profiler samples
#: their stacks every 10 ms from the worker's event loop, and its health tick runs every
#: 20 ms; each wake-up takes the GIL from the task. Measured in bench/batch_rail.py.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
}


def connect(scheduler: str | None = None, workers: int | None = None) -> Any:
    """Return a Dask client: to ``scheduler`` if given, else a LocalCluster of ``workers``.

    Raises
    ------
    BatchError
        When the scheduler cannot be reached (the message names the address).
    InputError
        When ``workers`` is not positive.
    """
    # imported here: dask.distributed takes about a second to import, which every CLI
    # command would pay; only distributed runs need it
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
    import dask  # with dask.distributed above (start-up time)

    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also fixes glibc's mmap
    # threshold: every array over 128 kB is then mapped and unmapped anew, and the routing
    # (many arrays of one value per municipality) ran 3-4x slower in a worker than in
    # this process. Workers here keep glibc's defaults (measured in bench/batch_rail.py).
    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    with dask.config.set({"distributed.nanny.pre-spawn-environ": environ, **WORKER_CONFIG}):
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            # workers import the engines when they start, as this process already has
            # (on a real cluster: `dask worker --preload geo.batch.jobs`, see dask_setup)
            preload=list(PRELOAD_MODULES),
        )
    return Client(cluster)


def run_job(
    *,
    task: Task,
    state: Any,
    partitions: Sequence[Partition],
    store: ResultStore,
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
            n_rows, worker, peak = run_partition(task, state, p, opts, store)
            rows += n_rows
            peaks[worker] = max(peaks.get(worker, 0.0), peak)
            bar.update()
        n_workers = 1
    else:
        from dask.distributed import as_completed  # start-up time, as in connect()

        n_workers = len(client.scheduler_info()["workers"])
        # straight to the workers (not through the scheduler): measured 4-5 ms less
        remote_state = client.scatter(state, broadcast=True, hash=False, direct=True)
        # one graph update for all partitions (not one per submit)
        futures = client.map(
            run_partition,
            [task] * len(todo),
            [remote_state] * len(todo),
            todo,
            [opts] * len(todo),
            [store] * len(todo),
            pure=False,
        )
        for fut in as_completed(futures):
            n_rows, worker, peak = fut.result()
            rows += n_rows
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


# ---------------------------------------------------------------------------------------
# running a job to an output: client, partitions, manifest
# ---------------------------------------------------------------------------------------


def client_for(scheduler: str | None, workers: int | None) -> Any:
    if scheduler or (workers and workers > 1):
        return connect(scheduler, workers)
    return None


def run_to(
    out: str,
    *,
    task: Task,
    state: Any,
    origins: pd.DataFrame,
    manifest: dict[str, Any],
    chunk_size: int | None,
    most: int,
    scheduler: str | None,
    workers: int | None,
    progress: bool,
) -> BatchSummary:
    """Open the output, connect, partition, run, and always close the client.

    Without ``chunk_size`` the partitions follow the workers (:func:`auto_chunk_size`),
    unless ``out`` holds this same job from an earlier run: then its chunk size is kept,
    so a run resumed with another number of workers finds its partitions again.
    """
    store = open_partition_store(out)
    client = client_for(scheduler, workers)
    try:
        if chunk_size is None:
            previous = store.job() or {}
            plain = json.loads(json.dumps(manifest))  # as stored: lists, not tuples
            same = {k: v for k, v in previous.items() if k not in ("chunk_size", "digest")}
            if same == plain and "chunk_size" in previous:
                chunk_size = int(previous["chunk_size"])
            else:
                n_workers = len(client.scheduler_info()["workers"]) if client is not None else 1
                chunk_size = auto_chunk_size(len(origins), n_workers, most)
        manifest["chunk_size"] = chunk_size
        manifest["digest"] = job_digest(sorted(manifest.items()))
        partitions = partition_origins(origins, chunk_size)
        return run_job(
            task=task,
            state=state,
            partitions=partitions,
            store=store,
            manifest=manifest,
            client=client,
            progress=progress,
        )
    finally:
        if client is not None:
            client.close()
