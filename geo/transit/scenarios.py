"""Scenarios: planned services that do not exist yet, written as GTFS trips.

:func:`scenario_tables` writes a :class:`ServiceScenario` as GTFS tables, merged with the
real feed by :func:`merge_tables`; a timetable built from them names the scenario in
every answer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, replace
from datetime import timedelta
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree
from shapely.geometry import LineString, MultiLineString

from geo.errors import (
    InputError,
)
from geo.region.model import require_crs
from geo.settings import WORK_CRS
from geo.transit.options import Tables, TransitOptions, _as_date, format_clock, parse_clock
from geo.transit.timetable import Timetable, _footpaths, _project, build_timetable


@dataclass(frozen=True)
class ServiceScenario:
    """A public-transport service that does not exist yet, defined by a planner.

    Attributes
    ----------
    name
        Shown with every answer made with it.
    stations
        Stations in running order: EVA numbers or names from the DB station list.
    headway_min
        Minutes between two departures.
    first_departure, last_departure
        Service hours at the first station (``HH:MM``; the last departure is included if
        it falls on the headway).
    running_min
        Minutes between consecutive stations (``len(stations) - 1`` values); or None to
        derive them from ``speed_kmh`` along the rail line geometry.
    speed_kmh
        Average speed along the rail line, used when ``running_min`` is None.
    dwell_min
        Stop time at intermediate stations.
    both_directions
        Also run the reverse direction with the same hours.
    start_date, end_date
        Dates of service (``YYYY-MM-DD``); every day in between.
    """

    name: str
    stations: tuple[str, ...]
    headway_min: float
    first_departure: str
    last_departure: str
    start_date: str
    end_date: str
    running_min: tuple[float, ...] | None = None
    speed_kmh: float | None = None
    dwell_min: float = 1.0
    both_directions: bool = True

    def check(self) -> None:
        """Raise :class:`InputError` naming the field that cannot be used."""
        if not self.name.strip():
            raise InputError("scenario name must not be empty.")
        if len(self.stations) < 2:
            raise InputError("scenario stations: give at least two stations in running order.")
        if not self.headway_min > 0:
            raise InputError(f"scenario headway_min must be positive, not {self.headway_min}.")
        if self.running_min is None and (self.speed_kmh is None or not self.speed_kmh > 0):
            raise InputError("scenario: give running_min per segment or a positive speed_kmh.")
        if self.running_min is not None:
            if len(self.running_min) != len(self.stations) - 1:
                raise InputError(
                    f"scenario running_min has {len(self.running_min)} values; "
                    f"{len(self.stations)} stations need {len(self.stations) - 1}."
                )
            if any(not r > 0 for r in self.running_min):
                raise InputError("scenario running_min values must be positive.")
        if self.dwell_min < 0:
            raise InputError("scenario dwell_min must not be negative.")
        a = parse_clock(self.first_departure, "scenario first_departure")
        b = parse_clock(self.last_departure, "scenario last_departure")
        if b < a:
            raise InputError("scenario last_departure must not be before first_departure.")
        if _as_date(self.end_date) < _as_date(self.start_date):
            raise InputError("scenario end_date must not be before start_date.")


def find_station(stations: pd.DataFrame, query: str) -> pd.Series:
    """Return a station of the DB station list by EVA number, RIL100 code or exact name."""
    q = str(query).strip()
    for col in ("station_id", "ril100", "name"):
        if col in stations.columns:
            hit = stations[stations[col].astype(str).str.casefold() == q.casefold()]
            if len(hit):
                return hit.iloc[0]
    close = stations.loc[
        stations["name"].astype(str).str.casefold().str.contains(q.casefold()[:5], regex=False),
        "name",
    ].head(5)
    hint = f" Did you mean: {', '.join(map(str, close))}?" if len(close) else ""
    raise InputError(f"station {query!r} is not in the station list.{hint}")


def rail_graph(lines: gpd.GeoDataFrame, snap_m: float = 30.0) -> nx.Graph:
    """A graph of rail line geometry (EPSG:25832): segment ends within ``snap_m`` joined.

    Nodes carry ``x``/``y``; edges carry ``length`` (metres).
    """
    require_crs(lines, "rail lines")
    geoms = lines.to_crs(WORK_CRS).geometry
    segs: list[LineString] = []
    for g in geoms:
        if isinstance(g, MultiLineString):
            segs.extend(g.geoms)
        elif isinstance(g, LineString):
            segs.append(g)
    ends = np.array([[*s.coords[0][:2], *s.coords[-1][:2]] for s in segs], dtype=float)
    pts = np.vstack([ends[:, :2], ends[:, 2:]])
    tree = cKDTree(pts)
    pairs = tree.query_pairs(snap_m, output_type="ndarray")
    uf = nx.utils.UnionFind(range(len(pts)))
    for a, b in pairs:
        uf.union(int(a), int(b))
    root = np.array([uf[i] for i in range(len(pts))])
    g = nx.Graph()
    n = len(segs)
    for i, s in enumerate(segs):
        u, v = int(root[i]), int(root[i + n])
        for node, k in ((u, i), (v, i + n)):
            if node not in g:
                g.add_node(node, x=float(pts[k, 0]), y=float(pts[k, 1]))
        if u != v and (not g.has_edge(u, v) or g[u][v]["length"] > s.length):
            g.add_edge(u, v, length=float(s.length))
    return g


def rail_distance_m(
    graph: nx.Graph,
    a_xy: tuple[float, float],
    b_xy: tuple[float, float],
    max_snap_m: float = 1000.0,
) -> float:
    """Distance along the rail graph between the nodes nearest to two points (metres).

    Raises
    ------
    InputError
        When a point is farther than ``max_snap_m`` from the rail lines, or no line joins
        the two.
    """
    nodes = list(graph.nodes)
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    tree = cKDTree(xy)
    (da, ia), (db, ib) = tree.query(a_xy), tree.query(b_xy)
    if da > max_snap_m or db > max_snap_m:
        raise InputError(
            f"a station lies {max(da, db):.0f} m from the rail line geometry (limit "
            f"{max_snap_m:.0f} m); give running_min for this scenario instead of speed_kmh."
        )
    try:
        d = nx.shortest_path_length(graph, nodes[int(ia)], nodes[int(ib)], weight="length")
    except nx.NetworkXNoPath as exc:
        raise InputError(
            "no rail line in the geometry joins two consecutive scenario stations; give "
            "running_min for this scenario instead of speed_kmh."
        ) from exc
    return float(d) + float(da) + float(db)


def scenario_tables(
    scenario: ServiceScenario,
    stations: pd.DataFrame,
    rail_lines: gpd.GeoDataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Write a planned service as GTFS tables (agency, stops, routes, trips, stop_times,
    calendar_dates) ready for :func:`merge_tables`.

    Stop ids are the stations' EVA numbers, the same ids as the DB feed, so changes to
    and from real trains work. Running times come from ``running_min`` or from
    ``speed_kmh`` along ``rail_lines`` (rounded up to whole minutes).

    Parameters
    ----------
    stations
        The DB station list (``station_id``, ``name``, ``lat``, ``lon``; EPSG:4326 columns).
    """
    scenario.check()
    rows = [find_station(stations, s) for s in scenario.stations]
    if scenario.running_min is not None:
        run = [float(r) for r in scenario.running_min]
    else:
        if rail_lines is None:
            raise InputError("scenario with speed_kmh needs the rail line geometry.")
        graph = rail_graph(rail_lines)
        x, y = _project(
            np.array([float(r["lon"]) for r in rows]), np.array([float(r["lat"]) for r in rows])
        )
        speed = float(scenario.speed_kmh) / 3.6  # type: ignore[arg-type]
        run = [
            math.ceil(rail_distance_m(graph, (x[i], y[i]), (x[i + 1], y[i + 1])) / speed / 60)
            for i in range(len(rows) - 1)
        ]
    tag = "scn-" + "".join(ch if ch.isalnum() else "-" for ch in scenario.name.strip()).lower()
    first = parse_clock(scenario.first_departure)
    last = parse_clock(scenario.last_departure)
    head = round(scenario.headway_min * 60)
    dwell = round(scenario.dwell_min * 60)
    starts = list(range(first, last + 1, head))
    directions = [list(range(len(rows)))]
    if scenario.both_directions:
        directions.append(directions[0][::-1])
    st_rows: list[dict[str, Any]] = []
    trip_rows: list[dict[str, Any]] = []
    for d_i, order in enumerate(directions):
        seg = run if d_i == 0 else run[::-1]
        for k, t in enumerate(starts):
            tid = f"{tag}-{d_i}-{k}"
            trip_rows.append(
                {"route_id": tag, "service_id": tag, "trip_id": tid, "direction_id": d_i}
            )
            clock = t
            for pos, si in enumerate(order):
                arr = clock
                dep = clock if pos in (0, len(order) - 1) else clock + dwell
                st_rows.append(
                    {
                        "trip_id": tid,
                        "arrival_time": format_clock(arr),
                        "departure_time": format_clock(dep),
                        "stop_id": str(rows[si]["station_id"]),
                        "stop_sequence": pos,
                    }
                )
                if pos < len(order) - 1:
                    clock = dep + round(seg[pos] * 60)
    d0, d1 = _as_date(scenario.start_date), _as_date(scenario.end_date)
    dates = [(d0 + timedelta(days=i)).strftime("%Y%m%d") for i in range((d1 - d0).days + 1)]
    return {
        "agency": pd.DataFrame(
            {
                "agency_id": ["stadtregion-scenario"],
                "agency_name": [f"Scenario: {scenario.name}"],
                "agency_url": ["https://example.invalid/scenario"],
                "agency_timezone": ["Europe/Berlin"],
            }
        ),
        "stops": pd.DataFrame(
            {
                "stop_id": [str(r["station_id"]) for r in rows],
                "stop_name": [str(r["name"]) for r in rows],
                "stop_lat": [float(r["lat"]) for r in rows],
                "stop_lon": [float(r["lon"]) for r in rows],
            }
        ).drop_duplicates("stop_id"),
        "routes": pd.DataFrame(
            {
                "route_id": [tag],
                "agency_id": ["stadtregion-scenario"],
                "route_short_name": [f"Scenario {scenario.name}"],
                "route_long_name": [" – ".join(str(r["name"]) for r in rows)],
                "route_type": [2],
            }
        ),
        "trips": pd.DataFrame(trip_rows),
        "stop_times": pd.DataFrame(st_rows),
        "calendar_dates": pd.DataFrame({"service_id": tag, "date": dates, "exception_type": 1}),
    }


def merge_tables(base: Tables, extra: Tables) -> dict[str, pd.DataFrame | None]:
    """Merge GTFS tables; stops already in ``base`` (same stop_id) are kept from ``base``.

    Raises
    ------
    InputError
        When a trip, route or service id of ``extra`` is already used in ``base``.
    """
    out: dict[str, pd.DataFrame | None] = {k: v for k, v in base.items()}
    keys = {"trips": "trip_id", "routes": "route_id", "agency": "agency_id"}
    for name, df in extra.items():
        if df is None:
            continue
        cur = out.get(name)
        if cur is None:
            out[name] = df.copy()
            continue
        if name == "stops":
            df = df[~df["stop_id"].astype(str).isin(set(cur["stop_id"].astype(str)))]
        elif name in keys and keys[name] in cur.columns:
            clash = set(df[keys[name]].astype(str)) & set(cur[keys[name]].astype(str))
            if clash:
                raise InputError(
                    f"scenario {name}.txt reuses {keys[name]} {sorted(clash)[0]!r} of the feed."
                )
        out[name] = pd.concat(
            [cur.astype({c: "object" for c in cur.columns if c in df.columns}), df],
            ignore_index=True,
        )
    return out


def with_scenario(
    tables: Tables,
    tt: Timetable,
    scenario: ServiceScenario,
    stations: pd.DataFrame,
    rail_lines: gpd.GeoDataFrame | None = None,
) -> Timetable:
    """Return a new timetable of ``tables`` (the feed ``tt`` was built from) plus a scenario."""
    merged = merge_tables(tables, scenario_tables(scenario, stations, rail_lines))
    return build_timetable(
        merged,
        feeds=tt.feeds,
        options=tt.options,
        scenarios=(*tt.scenarios, scenario.name),
        digest=tt.digest,
        bad_trips="drop" if tt.dropped_trips else "refuse",
    )


def with_options(tt: Timetable, options: TransitOptions) -> Timetable:
    """Return the timetable with other walking/changing options (footpaths rebuilt)."""
    ptr, to, secs = _footpaths(tt.stop_x, tt.stop_y, options)
    return replace(tt, options=options, xfer_ptr=ptr, xfer_to=to, xfer_s=secs, _days={})


def scenario_from_dict(data: Mapping[str, Any]) -> ServiceScenario:
    """Build a :class:`ServiceScenario` from a plain mapping (JSON), naming a bad field."""
    if not isinstance(data, Mapping):
        raise InputError("a scenario must be an object with the fields of ServiceScenario.")
    known = set(ServiceScenario.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"scenario has unknown field(s) {', '.join(unknown)}.")
    missing = sorted(
        n
        for n, f in ServiceScenario.__dataclass_fields__.items()
        if f.default is MISSING and f.default_factory is MISSING and n not in data
    )
    if missing:
        raise InputError(f"scenario lacks the field(s) {', '.join(missing)}.")
    kw = dict(data)
    kw["stations"] = tuple(str(s) for s in kw["stations"])
    if kw.get("running_min") is not None:
        kw["running_min"] = tuple(float(x) for x in kw["running_min"])
    try:
        scn = ServiceScenario(**kw)
    except TypeError as exc:
        raise InputError(f"scenario cannot be read: {exc}") from exc
    scn.check()
    return scn
