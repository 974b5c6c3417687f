"""Batch jobs over the travel-time engines on Dask (``dask.distributed``).

A job is a list of origin partitions, one task function and one engine state. The state
(a road graph or timetable arrays) is sent to every worker once with
``Client.scatter(..., broadcast=True)``; each task then receives only its origins. Every
finished partition is written atomically (:class:`geo.batch.io.PartitionStore`), so a
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

from geo.batch.io import ResultStore
from geo.errors import InputError, StadtregionError
from geo.transit.query import DEFAULT_WINDOW, parse_rail_query


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
    from geo import transit
    from geo.roads import engine  # noqa: F401

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
    import dask

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
            n_rows, worker, peak = run_partition(task, state, p, opts, store)
            rows += n_rows
            peaks[worker] = max(peaks.get(worker, 0.0), peak)
            bar.update()
        n_workers = 1
    else:
        from dask.distributed import as_completed

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
# jobs on the rail engine (GTFS timetable, geo.transit)
# ---------------------------------------------------------------------------------------

#: Most origins per partition chosen automatically for indicator jobs (one result row per
#: origin, so memory per partition stays small) and for matrix jobs (a row per reached
#: destination: fewer origins bound a partition's rows).
INDICATOR_MAX_CHUNK = 3000
MATRIX_MAX_CHUNK = 100
#: Partitions per worker when the chunk size is chosen automatically: enough that every
#: worker has work and they finish together, few enough that Dask's per-task cost (a few
#: ms each) stays small against the routing (measured in bench/batch_rail.py).
PARTITIONS_PER_WORKER = 2
#: Default thresholds of "population reachable within" indicators (minutes).
REACH_MINUTES = (30, 60, 90)
#: Default population from which a municipality counts as a centre (named as such).
CENTRE_MIN_POPULATION = 100_000


@dataclass
class RailState:
    """What every worker needs for rail jobs; scattered once.

    ``links`` ties the municipalities to the timetable's stops (computed once here,
    not per task); ``population`` and ``centre`` are per municipality, in region order.
    ``day_layout`` is the timetable's RAPTOR layout of ``date``: a pickled timetable
    leaves its day cache behind, so the state carries the one day it needs and puts it
    back on arrival; a worker never rebuilds it.
    """

    timetable: Any
    links: Any
    ags: Any
    names: Any
    population: Any
    is_centre: Any
    date: str
    window: tuple[str, str] | None
    depart: str
    percentile: float
    planned: bool
    max_minutes: float
    reach_minutes: tuple[int, ...] = REACH_MINUTES
    day_layout: Any = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle, and put the day layout back into the timetable's cache."""
        self.__dict__.update(state)
        if self.day_layout is not None:
            self.timetable._days[self.day_layout.day.toordinal()] = self.day_layout

    def describe(self) -> dict[str, Any]:
        """The parameters every result records."""
        return {
            "mode": "rail",
            "date": self.date,
            "window": "-".join(self.window) if self.window else None,
            "depart": None if self.window else self.depart,
            "percentile": self.percentile,
            "planned_departure": self.planned,
            "feeds": list(self.timetable.feeds),
        }


def rail_state(
    timetable: Any,
    region: Any,
    *,
    date: str,
    window: tuple[str, str] | None = DEFAULT_WINDOW,
    depart: str = "08:00",
    percentile: float = 50,
    planned: bool = False,
    centres: Sequence[str] | None = None,
    centre_min_population: int = CENTRE_MIN_POPULATION,
    reach_minutes: Sequence[int] = REACH_MINUTES,
    max_minutes: float = 240,
) -> RailState:
    """Prepare the rail state for a region (a ``load_region`` frame).

    ``centres`` lists municipalities (names or AGS) that count as centres; by default
    every municipality with at least ``centre_min_population`` inhabitants.
    """
    import numpy as np

    from geo import transit
    from geo.region import model as region_model
    from geo.region import population as population_sums

    if not reach_minutes or min(reach_minutes) <= 0:
        raise InputError("reach_minutes must hold positive minutes, e.g. 30 60 90.")
    if max_minutes < max(reach_minutes):
        raise InputError(
            f"max_minutes ({max_minutes}) must be at least the largest reach threshold "
            f"({max(reach_minutes)})."
        )

    # reference-year figures only: a dissolved municipality adds 0 (its people are in
    # its successor's figure), so pop_within_* counts every resident once
    pop = population_sums.reference_population(region)
    if centres:
        labels = [region_model.find_municipality(region, c).name for c in centres]
        is_centre = region.index.isin(labels)
    else:
        is_centre = pop >= centre_min_population
    if not is_centre.any():
        raise InputError(
            "no municipality counts as a centre; give --centre names or a lower "
            "--centre-min-population."
        )
    # only the date's trips travel to the workers (answers for that date are the same)
    day_only = transit.restrict_to_day(timetable, date)
    return RailState(
        timetable=day_only,
        links=transit.link_region(day_only, region),
        ags=region["ags"].astype(str).to_numpy(),
        names=region["name"].astype(str).to_numpy(),
        population=pop,
        is_centre=np.asarray(is_centre),
        date=str(date),
        window=window,
        depart=depart,
        percentile=percentile,
        planned=planned,
        max_minutes=float(max_minutes),
        reach_minutes=tuple(int(m) for m in reach_minutes),
        # built here, once
        day_layout=transit.day_timetable(day_only, date),
    )


def rail_reached(state: RailState, m: int) -> tuple[Any, Any]:
    """Municipalities reached from municipality ``m`` within ``max_minutes``, and the minutes.

    Sparse (targets ascending), as :func:`geo.transit.reached_minutes`.
    """
    from geo import transit

    targets, minutes = transit.reached_minutes(
        state.timetable,
        state.links,
        m,
        state.date,
        state.window,
        state.depart,
        state.max_minutes,
        state.planned,
        state.percentile,
    )
    ok = minutes <= state.max_minutes
    return targets[ok], minutes[ok]


def rail_indicators_task(
    state: RailState, origins: pd.DataFrame, _: dict[str, Any]
) -> pd.DataFrame:
    """Indicators per origin municipality (``origins`` has a column ``m``: region row).

    * ``station_km``, ``station_walk_minutes``: straight-line distance from the centre to
      the nearest long-distance stop of the feed, and the walk by the documented walk
      model (straight line × detour factor at walking speed);
    * ``centre_minutes``: rail minutes to the nearest centre (0 for a centre itself);
    * ``pop_within_<N>``: population of the municipalities reached within N minutes
      (the origin's own included).
    """
    import numpy as np
    from scipy.spatial import cKDTree

    tt = state.timetable
    ms = origins["m"].to_numpy()
    cx, cy = state.links.centre_x[ms], state.links.centre_y[ms]
    if tt.n_stops:
        near_m, _i = cKDTree(np.column_stack([tt.stop_x, tt.stop_y])).query(
            np.column_stack([cx, cy])
        )
    else:
        near_m = np.full(len(ms), np.nan)
    centre_minutes = np.full(len(ms), np.nan)
    pop_within = {t: np.zeros(len(ms), np.int64) for t in state.reach_minutes}
    for k, m in enumerate(ms):
        targets, minutes = rail_reached(state, int(m))
        at_centre = minutes[state.is_centre[targets]]
        if len(at_centre):
            centre_minutes[k] = at_centre.min()
        pop = state.population[targets]
        for t in state.reach_minutes:
            pop_within[t][k] = int(pop[minutes <= t].sum())
    walk_min = np.where(np.isfinite(near_m), tt.options.walk_s(np.nan_to_num(near_m)) / 60, np.nan)
    out = pd.DataFrame(
        {
            "ags": state.ags[ms],
            "name": state.names[ms],
            # Python's round (correctly rounded decimals), not np.round's scaled rint
            "station_km": [round(float(v), 2) for v in near_m / 1000.0],
            "station_walk_minutes": [round(float(v), 1) for v in walk_min],
            "centre_minutes": centre_minutes,
            **{f"pop_within_{t}": v for t, v in pop_within.items()},
        }
    )
    frame = _with_centres(out, state, ms)
    for key, v in state.describe().items():
        frame[key] = v if not isinstance(v, list) else ";".join(v)
    return frame


def _with_centres(frame: pd.DataFrame, state: RailState, m: Any) -> Any:
    """``frame`` as a GeoDataFrame of the origins' centre points (EPSG:25832)."""
    import geopandas as gpd

    from geo.settings import WORK_CRS

    pts = gpd.points_from_xy(state.links.centre_x[m], state.links.centre_y[m])
    return gpd.GeoDataFrame(frame, geometry=pts, crs=WORK_CRS)


def rail_matrix_task(state: RailState, origins: pd.DataFrame, _: dict[str, Any]) -> pd.DataFrame:
    """Long matrix rows (origin_ags, ags, minutes) for the origins' municipalities."""
    import numpy as np

    origin_rows, target_rows, minute_rows = [], [], []
    for m in origins["m"].to_numpy():
        targets, minutes = rail_reached(state, int(m))
        origin_rows.append(np.full(len(targets), m))
        target_rows.append(targets)
        minute_rows.append(minutes)
    o = np.concatenate(origin_rows).astype(int)
    frame = pd.DataFrame(
        {
            "origin_ags": state.ags[o],
            "ags": state.ags[np.concatenate(target_rows).astype(int)],
            "minutes": np.concatenate(minute_rows).astype(float),
        }
    )
    return _with_centres(frame, state, o)


# ---------------------------------------------------------------------------------------
# job runners: what the CLI calls (data loading, state, partitions, manifest, run)
# ---------------------------------------------------------------------------------------


def _client_for(scheduler: str | None, workers: int | None) -> Any:
    if scheduler or (workers and workers > 1):
        return connect(scheduler, workers)
    return None


def run_rail_indicators(
    settings: Any,
    *,
    area: str,
    out: str,
    date: str | None = None,
    window: tuple[str, str] | None = None,
    percentile: float = 50,
    planned: bool = False,
    centres: Sequence[str] | None = None,
    centre_min_population: int = CENTRE_MIN_POPULATION,
    reach_minutes: Sequence[int] = REACH_MINUTES,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    limit: int | None = None,
    progress: bool = True,
) -> BatchSummary:
    """Rail indicators for every municipality of ``area``, written as GeoParquet partitions.

    Every row carries the date, window, statistic and feeds used. ``limit`` keeps the
    first N origins (for trials). ``chunk_size`` ``None``: chosen by
    :func:`auto_chunk_size` (or taken from the job being resumed in ``out``).
    """
    import numpy as np

    from geo.region.build import load_region
    from geo.transit.io import get_timetable

    region, _ = load_region(settings, area)
    timetable = get_timetable(settings)
    # date and window default to the settings' (Settings.rail_date, Settings.rail_window)
    query = parse_rail_query(
        settings, date=date, window=window, percentile=percentile, require_origin=False
    )
    state = rail_state(
        timetable,
        region,
        date=query.date.isoformat(),
        window=query.window,
        percentile=percentile,
        planned=planned,
        centres=centres,
        centre_min_population=centre_min_population,
        reach_minutes=reach_minutes,
    )
    n = len(region) if limit is None else min(limit, len(region))
    origins = pd.DataFrame({"m": np.arange(n)})
    manifest = {
        "kind": "rail-indicators",
        "area": area,
        **{k: v for k, v in state.describe().items() if k != "feeds"},
        "feeds": list(timetable.feeds),
        "centres": sorted(state.ags[state.is_centre].tolist()),
        "reach_minutes": list(state.reach_minutes),
        "origins": n,
    }
    return _run_to(
        out,
        task=rail_indicators_task,
        state=state,
        origins=origins,
        manifest=manifest,
        chunk_size=chunk_size,
        most=INDICATOR_MAX_CHUNK,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )


def _run_to(
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
    import json

    from geo.batch.io import open_partition_store

    store = open_partition_store(out)
    client = _client_for(scheduler, workers)
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


# ---------------------------------------------------------------------------------------
# matrices for any origin / destination sets
# ---------------------------------------------------------------------------------------


@dataclass
class CarState:
    """The road engine and the destinations (id, x, y in EPSG:25832); scattered once."""

    engine: Any
    destinations: pd.DataFrame


def car_matrix_batch_task(state: CarState, origins: pd.DataFrame, _: dict[str, Any]) -> Any:
    """One partition of a car matrix (:func:`geo.roads.engine.car_matrix_task`) as GeoParquet
    rows."""
    import geopandas as gpd

    from geo.roads.engine import car_matrix_task
    from geo.settings import WORK_CRS

    rows = car_matrix_task(state.engine, origins, {"destinations": state.destinations})
    xy = origins.set_index("id").loc[rows["origin"], ["x", "y"]].to_numpy()
    return gpd.GeoDataFrame(rows, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WORK_CRS)


def point_set(spec: str, region: Any, id_column: str | None = None) -> tuple[pd.DataFrame, str]:
    """Origins or destinations as ``id``, ``x``, ``y`` (EPSG:25832) from a spec.

    ``municipalities`` gives the area's municipality centres (id: AGS); anything else is
    a vector file (points, or polygons by their representative point) with ids from
    ``id_column`` (default: ``id`` when present, else the row number).
    """
    from pathlib import Path

    from geo import sources
    from geo.region import model as region_model

    if spec == "municipalities":
        pts = region_model.centres(region)
        return pd.DataFrame(
            {"id": pts["ags"].astype(str), "x": pts.geometry.x, "y": pts.geometry.y}
        ).reset_index(drop=True), "municipalities"
    gdf = sources.read_vector(Path(spec), f"point file {spec}")
    col = id_column or ("id" if "id" in gdf.columns else None)
    if col is not None and col not in gdf.columns:
        raise InputError(f"{spec} has no column {col!r}; name the id column with --id-column.")
    ids = gdf[col].astype(str) if col else pd.Series(range(len(gdf))).astype(str)
    if ids.duplicated().any():
        raise InputError(f"ids in {spec} are not unique; name a unique column with --id-column.")
    pts = gdf.geometry.representative_point()
    return pd.DataFrame({"id": ids.to_numpy(), "x": pts.x.to_numpy(), "y": pts.y.to_numpy()}), spec


def run_matrix(
    settings: Any,
    *,
    origins: str,
    destinations: str,
    mode: str,
    out: str,
    area: str = "thuringia",
    id_column: str | None = None,
    date: str | None = None,
    window: tuple[str, str] | None = None,
    max_minutes: float = 240,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> BatchSummary:
    """A travel-time matrix for any origin and destination sets, partitioned by origin.

    ``mode="car"`` routes on the loaded road network; points it does not cover are left
    out and counted in the summary (``outside``), never given a made-up time.
    ``mode="rail"`` works between municipalities (``municipalities`` on both sides).
    """
    import numpy as np

    from geo.region.build import load_region

    region, _ = load_region(settings, area)
    if mode == "car":
        from geo.roads.engine import covered
        from geo.roads.io import cached_engine

        engine, choice = cached_engine(settings)
        o, o_name = point_set(origins, region, id_column)
        d, d_name = point_set(destinations, region, id_column)
        o_in = covered(engine, o[["x", "y"]].to_numpy())
        d_in = covered(engine, d[["x", "y"]].to_numpy())
        outside = int((~o_in).sum() + (~d_in).sum())
        if not d_in.any():
            raise InputError(
                f"no destination lies inside the loaded road network {choice.name}; fetch a "
                "larger one with 'stadtregion network fetch --region NAME'."
            )
        o = o[o_in].reset_index(drop=True)
        state: Any = CarState(engine, d[d_in].reset_index(drop=True))
        task: Task = car_matrix_batch_task
        network = choice.name
    elif mode == "rail":
        from geo.transit.io import get_timetable

        if origins != "municipalities" or destinations != "municipalities":
            raise InputError(
                "rail matrices run between municipalities: use --origins municipalities "
                "--destinations municipalities."
            )
        query = parse_rail_query(
            settings, date=date, window=window, max_minutes=max_minutes, require_origin=False
        )
        date, window = query.date.isoformat(), query.window
        state = rail_state(
            get_timetable(settings),
            region,
            date=date,
            window=window,
            max_minutes=max_minutes,
            reach_minutes=(int(max_minutes),),
        )
        o = pd.DataFrame({"m": np.arange(len(region))})
        task, o_name, d_name, outside, network = (
            rail_matrix_task,
            "municipalities",
            "municipalities",
            0,
            ";".join(state.timetable.feeds),
        )
    else:
        raise InputError(f"mode must be car or rail, got {mode!r}.")
    manifest = {
        "kind": f"{mode}-matrix",
        "area": area,
        "origins": o_name,
        "destinations": d_name,
        "network": network,
        "n_origins": len(o),
        "date": date if mode == "rail" else None,
        "window": "-".join(window) if (mode == "rail" and window) else None,
    }
    summary = _run_to(
        out,
        task=task,
        state=state,
        origins=o,
        manifest=manifest,
        chunk_size=chunk_size,
        most=MATRIX_MAX_CHUNK,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    summary.outside = outside
    return summary
