"""Batch jobs on the rail engine (GTFS timetable, :mod:`geo.transit`).

:func:`run_rail_indicators` (station distance, minutes to the nearest centre, population
within N minutes, per origin municipality) and the rail matrix task of
:func:`geo.batch.matrix.run_matrix`. The engine state (:class:`RailState`) carries the one
service day the job needs; the tasks are top-level functions Dask sends by reference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from geo import transit
from geo.batch.jobs import BatchSummary, run_to
from geo.errors import InputError
from geo.region import model as region_model
from geo.region import population as population_sums
from geo.region.build import load_region
from geo.settings import WORK_CRS
from geo.transit.io import get_timetable
from geo.transit.query import DEFAULT_WINDOW, parse_rail_query

#: Most origins per partition chosen automatically for indicator jobs (one result row per
#: origin, so memory per partition stays small) and for matrix jobs (a row per reached
#: destination: fewer origins bound a partition's rows).
INDICATOR_MAX_CHUNK = 3000
MATRIX_MAX_CHUNK = 100
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
    pts = gpd.points_from_xy(state.links.centre_x[m], state.links.centre_y[m])
    return gpd.GeoDataFrame(frame, geometry=pts, crs=WORK_CRS)


def rail_matrix_task(state: RailState, origins: pd.DataFrame, _: dict[str, Any]) -> pd.DataFrame:
    """Long matrix rows (origin_ags, ags, minutes) for the origins' municipalities."""
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
    region, _ = load_region(settings, area)
    timetable = get_timetable(settings)
    # date and window default to the settings' (Settings.rail_date, Settings.rail_day_window:
    # a weekday period long enough for a two-hourly service, as on the maps)
    query = parse_rail_query(
        settings,
        date=date,
        window=window or settings.rail_day_window,
        percentile=percentile,
        require_origin=False,
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
    return run_to(
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
