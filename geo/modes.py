"""The travel-mode registry and :func:`reachable`: municipalities within N minutes by any mode.

A mode computes minutes from an origin to every municipality centre: ``car`` on the road
network (:mod:`geo.roads.engine`), ``rail`` on GTFS timetables (:mod:`geo.transit`); further
modes plug in with :func:`register_mode`. Every mode answers with the same columns
(:data:`REACHABLE_COLUMNS`) and a summary naming what it was computed from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError
from geo.region import population
from geo.region.model import find_municipality
from geo.roads.engine import (
    MAX_SPEED_KPH,
    RoutingEngine,
    check_minutes,
    lonlat_xy,
    one_to_all_s,
    snap,
)
from geo.transit import RailQuery, reachable_for
from geo.transit.query import DEFAULT_MAX_MINUTES as RAIL_DEFAULT_MINUTES
from geo.transit.trains import TRAIN_COLUMNS

#: Time limit of a query that gives none, per mode (minutes).
DEFAULT_MINUTES: dict[str, float] = {"car": 30.0, "rail": RAIL_DEFAULT_MINUTES}


def default_minutes(mode: str) -> float:
    """The time limit of a ``mode`` query that gives none (30 min by car, 60 by rail)."""
    return DEFAULT_MINUTES.get(mode, DEFAULT_MINUTES["car"])


#: Columns of :attr:`Reachable.table`, the same for every mode.
REACHABLE_COLUMNS = [
    "ags",
    "name",
    "district",
    "minutes",
    "population",
    "change_pct_per_year",
    "trend_class",
]


@dataclass(frozen=True)
class Origin:
    """A resolved origin: a point in EPSG:25832 and how it was given."""

    xy: np.ndarray
    label: str
    ags: str | None = None


@dataclass(frozen=True)
class Reachable:
    """Municipalities reached from an origin within a time limit.

    ``table``: reached municipalities (:data:`REACHABLE_COLUMNS`), by minutes.
    ``outside``: municipalities that could be within reach (straight-line distance at
    :data:`MAX_SPEED_KPH`) but whose centre the loaded network does not cover — their
    travel time is unknown, not "not reached". ``summary``: origin, mode, limit,
    population reached, counts, network or feeds used.
    """

    table: pd.DataFrame
    outside: pd.DataFrame
    summary: dict[str, Any]


#: Key of ``info`` under which a mode hands back extra columns per reached municipality
#: (a frame indexed by AGS, e.g. the trains behind a rail answer); joined onto the table.
COLUMNS_KEY = "_columns"

#: A mode computes minutes from an origin to municipality centres.
#: ``(origin, region, max_minutes, context) -> (minutes, covered_mask, info)``:
#: minutes (float, ``inf`` when not reached within the limit) per region row,
#: ``covered_mask`` False where the mode cannot judge, info merged into the summary.
ModeHandler = Callable[
    [Origin, gpd.GeoDataFrame, float, Mapping[str, Any]],
    tuple[np.ndarray, np.ndarray, dict[str, Any]],
]
_MODES: dict[str, ModeHandler] = {}
#: Modes named by the project whose engine is not plugged in yet (none at present: a
#: mode listed here answers a clear error instead of a result).
PENDING_MODES: dict[str, str] = {}


def register_mode(mode: str, handler: ModeHandler) -> None:
    """Plug a travel mode into :func:`reachable` (e.g. ``"rail"`` from the GTFS engine)."""
    _MODES[mode] = handler
    PENDING_MODES.pop(mode, None)


def modes() -> list[str]:
    """Modes :func:`reachable` can answer now."""
    return sorted(_MODES)


def centre_xy(region: gpd.GeoDataFrame) -> np.ndarray:
    """Municipality centres (Destatis main-settlement points) as n × 2 EPSG:25832."""
    return np.column_stack(
        [region["centre_x"].to_numpy(dtype=float), region["centre_y"].to_numpy(dtype=float)]
    )


def resolve_origin(
    region: gpd.GeoDataFrame, origin: str | tuple[float, float] | Sequence[float]
) -> Origin:
    """Turn a municipality name/AGS or a (lon, lat) pair into an :class:`Origin`.

    Raises
    ------
    UnknownMunicipalityError
        An unknown name, with the closest names.
    """
    if isinstance(origin, str):
        row = find_municipality(region, origin)
        xy = np.array([[float(row["centre_x"]), float(row["centre_y"])]])
        return Origin(xy=xy, label=str(row["name"]), ags=str(row["ags"]))
    vals = list(origin)
    if len(vals) != 2:
        raise InputError(f"origin must be a municipality or (lon, lat), got {origin!r}.")
    lon, lat = float(vals[0]), float(vals[1])
    return Origin(xy=lonlat_xy(lon, lat), label=f"{lon:.5f},{lat:.5f}")


def car_handler(
    origin: Origin, region: gpd.GeoDataFrame, max_minutes: float, context: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The ``car`` mode of :func:`reachable`: road-network times to municipality centres."""
    engine = context.get("engine")
    if not isinstance(engine, RoutingEngine):
        raise InputError("mode 'car' needs a road network: pass network=RoutingEngine(...).")
    snapped = snap(engine, origin.xy, f"origin {origin.label!r}")
    times = one_to_all_s(engine, int(snapped.node[0]), limit_s=max_minutes * 60.0)
    xy = centre_xy(region)
    inside = shapely.contains_xy(engine.coverage, xy[:, 0], xy[:, 1])
    dist, node = engine.tree.query(xy)
    ok = inside & (dist <= engine.max_snap_m)
    minutes = np.where(ok, times[node] / 60.0, np.inf)
    info = {
        "network": engine.name,
        "network_source": engine.source,
        "origin_snap_dist_m": round(float(snapped.dist_m[0]), 1),
    }
    return minutes, ok, info


register_mode("car", car_handler)


def rail_handler(
    origin: Origin, region: gpd.GeoDataFrame, max_minutes: float, context: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The ``rail`` mode of :func:`reachable`: public transport (GTFS) via :mod:`geo.transit`.

    ``context`` must hold ``timetable`` (:class:`geo.transit.Timetable`) and ``query``
    (:class:`geo.transit.RailQuery`: date, window or departure, percentile, planned);
    optional ``links``. The origin must be a municipality. Every municipality is judged
    by the timetable (none is "outside").
    """
    tt = context.get("timetable")
    if tt is None:
        raise InputError("mode 'rail' needs a timetable (GTFS feeds); none was given.")
    query = context.get("query")
    if not isinstance(query, RailQuery):
        raise InputError(
            "mode 'rail' needs a service date and the other options of a rail query: "
            "pass context={'query': geo.transit.parse_rail_query(settings, ...)}."
        )
    if origin.ags is None:
        raise InputError("mode 'rail' needs a municipality as origin, not a lon/lat point.")
    q = replace(query, origin=origin.ags, max_minutes=max_minutes)
    res = reachable_for(tt, region, q, links=context.get("links"))
    trains = res.table.set_index("ags")[["status", *TRAIN_COLUMNS]]
    by_ags = dict(zip(res.table["ags"], res.table["minutes"], strict=True))
    ags = region["ags"].to_numpy(dtype=str)
    minutes = np.array([by_ags.get(a, np.inf) for a in ags], dtype=float)
    keys = ("feeds", "feed_notes", "dropped_trips", "date", "window", "depart", "statistic")
    info = {k: res.summary[k] for k in keys if k in res.summary}
    info["query"] = {**query.describe(), "from": origin.label, "max_minutes": max_minutes}
    for key in ("trains", "municipalities_not_in_window", "municipalities_no_train_that_day"):
        info[key] = res.summary[key]
    late = res.not_reached if res.not_reached is not None else pd.DataFrame()
    info["not_reached_in_window"] = json.loads(late.to_json(orient="records"))
    info[COLUMNS_KEY] = trains
    return minutes, np.ones(len(region), dtype=bool), info


register_mode("rail", rail_handler)


def reachable(
    origin: str | tuple[float, float] | Sequence[float],
    mode: str = "car",
    max_minutes: float = 30,
    *,
    region: gpd.GeoDataFrame,
    network: RoutingEngine | None = None,
    context: Mapping[str, Any] | None = None,
) -> Reachable:
    """Municipalities reached from ``origin`` within ``max_minutes``, with population and trend.

    Parameters
    ----------
    origin
        A municipality name, 8-digit AGS or 12-digit RS (its Destatis centre), or a
        ``(lon, lat)`` pair in WGS84.
    mode
        ``"car"`` (road network) or ``"rail"`` (GTFS timetable: ``context`` with
        ``timetable`` and ``date``, see :func:`rail_handler`); more via
        :func:`register_mode`.
    max_minutes
        Time limit, 1–240 minutes.
    region
        The region model (:func:`geo.region.build.load_region`).
    network
        The road network for ``mode="car"``.
    context
        Extra inputs of other modes (e.g. GTFS feeds).

    Returns
    -------
    Reachable
        The reached municipalities, those outside the data's coverage, and a summary
        with ``population_reached`` (sum over reached municipalities whose population
        is known; ``population_unknown`` counts the others).
    """
    limit = check_minutes(max_minutes)
    if mode not in _MODES:
        if mode in PENDING_MODES:
            raise InputError(
                f"mode {mode!r} cannot be answered yet: {PENDING_MODES[mode]}. "
                f"Use one of: {', '.join(modes())}."
            )
        raise InputError(f"mode must be one of {', '.join(modes())}; got {mode!r}.")
    org = resolve_origin(region, origin)
    ctx = {**(context or {}), "engine": network}
    minutes, ok, info = _MODES[mode](org, region, limit, ctx)
    extra = info.pop(COLUMNS_KEY, None)
    reached = ok & (minutes <= limit)
    dx = region["centre_x"].to_numpy(dtype=float) - org.xy[0, 0]
    dy = region["centre_y"].to_numpy(dtype=float) - org.xy[0, 1]
    straight_km = np.hypot(dx, dy) / 1000
    bound_km = limit / 60.0 * MAX_SPEED_KPH
    out_mask = ~ok & (straight_km <= bound_km)

    ags = region["ags"].to_numpy(dtype=str)
    rows = np.flatnonzero(reached)
    rows = rows[np.lexsort((ags[rows], minutes[rows]))]
    hits = _rows(region, rows, ["ags", "name", "district"])
    hits["minutes"] = np.round(minutes[rows], 1)
    hits["population"] = region["population"].take(rows).astype("Int64").reset_index(drop=True)
    hits["change_pct_per_year"] = region["change_pct_per_year"].to_numpy(dtype=float)[rows]
    hits["trend_class"] = region["trend_class"].to_numpy(dtype=str)[rows]
    if isinstance(extra, pd.DataFrame):
        hits = hits.join(extra, on="ags")
    out_rows = np.flatnonzero(out_mask)
    out_rows = out_rows[np.lexsort((ags[out_rows], straight_km[out_rows]))]
    outside = _rows(region, out_rows, ["ags", "name", "district"])
    outside["population"] = (
        region["population"].take(out_rows).astype("Int64").reset_index(drop=True)
    )
    outside["trend_class"] = region["trend_class"].to_numpy(dtype=str)[out_rows]
    outside["straight_km"] = np.round(straight_km[out_rows], 1)
    outside["status"] = "outside_network"
    counted = population.population_total(region.iloc[rows])
    summary: dict[str, Any] = {
        "origin": org.label,
        "origin_ags": org.ags,
        "mode": mode,
        "max_minutes": limit,
        "municipalities_reached": len(hits),
        **counted,
        "municipalities_outside_network": len(outside),
        "outside_rule": f"centre not covered by the loaded data, within {bound_km:.0f} km "
        f"as the crow flies ({MAX_SPEED_KPH:.0f} km/h for {limit:g} min)",
        "centres": "Destatis municipality centre points (main settlement)",
        **info,
    }
    return Reachable(table=hits, outside=outside, summary=summary)


def _rows(region: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Plain frame of some rows and text columns of the region (fast: numpy takes)."""
    return pd.DataFrame({c: region[c].to_numpy(dtype=str)[rows] for c in columns})


_LONLAT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_origin(text: str) -> str | tuple[float, float]:
    """Read an origin as typed: ``"lon,lat"`` (WGS84) or a municipality name/AGS/RS."""
    t = str(text).strip()
    if not t:
        raise InputError("origin is empty; give a municipality name, an AGS or 'lon,lat'.")
    m = _LONLAT.match(t)
    if m:
        return float(m.group(1)), float(m.group(2))
    return t


def reachable_areas(result: Reachable, region: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Municipality areas of a :class:`Reachable` result, for maps and GeoJSON.

    One row per reached municipality (``status="reached"``, with its minutes) and per
    municipality outside the network's coverage (``status="outside_network"``, minutes
    empty), with the columns of :data:`REACHABLE_COLUMNS`, ``status`` and geometry.
    """
    geom = region.set_index(region["ags"].astype(str)).geometry
    reached = result.table.assign(status="reached")
    outside = result.outside.assign(
        minutes=np.nan,
        change_pct_per_year=np.nan,
    )
    if len(outside):
        rates = region.set_index(region["ags"].astype(str))["change_pct_per_year"]
        outside["change_pct_per_year"] = outside["ags"].map(rates).astype(float).to_numpy()
    frame = pd.concat([reached, outside[[*REACHABLE_COLUMNS, "status"]]], ignore_index=True)
    return gpd.GeoDataFrame(frame, geometry=geom.reindex(frame["ags"]).to_numpy(), crs=region.crs)
