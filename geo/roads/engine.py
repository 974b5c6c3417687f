"""Car travel times on a road network: snapping, matrices, isochrones, reachable municipalities.

Pure computation on a :class:`RoutingEngine` (the road graph as arrays) built from a
prepared graph (:func:`geo.roads.network.prepare_network`); no file or network I/O here.

Engines (chosen by measurement, ``bench/travel_matrix.py``)
------------------------------------------------------------
* One origin to all nodes (isochrones, :func:`reachable`): Dijkstra of
  ``scipy.sparse.csgraph`` on a CSR matrix of travel times, stopped at the time
  limit. Exact.
* Many-to-many matrices: pandana's contraction hierarchies (built once per engine,
  then about 5 µs per origin–destination pair) for large problems; scipy's Dijkstra
  per origin for small ones (``method="auto"`` picks by problem size). Pandana keeps
  edge weights as integers of 1/1000 of their unit; weights are passed in tenths of a
  second, so a path's time is exact to a few hundredths of a second.

Coverage
--------
A point is *covered* by the loaded network when it lies inside the convex hull of the
network's nodes buffered by the maximum snap distance **and** its nearest network node
is at most that distance away. Both are needed: the hull says the network was loaded
for that area, the snap distance that a road is near. A query whose origin or
destination is not covered is refused (:class:`~geo.errors.OutsideNetworkError`,
:class:`~geo.errors.SnapDistanceError`) — never answered with times from a network that
does not reach the place. :func:`reachable` lists the municipalities it cannot judge as
``outside_network``.

Times are network times between the snapped nodes (the walk to the road, reported as
``snap_dist_m``, is not added). Points are snapped to the nearest network node.

Municipality centres are the centre points Destatis publishes for each municipality
(the main settlement; :func:`geo.region.model.centres`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree
from shapely.geometry import LineString, Point
from shapely.ops import substring

from geo.errors import InputError, OutsideNetworkError, SnapDistanceError
from geo.region.model import require_crs
from geo.roads.ch import CH_MIN_WORK, matrix_ch
from geo.roads.ch import build_ch as build_ch  # re-exported: part of the engine's API
from geo.settings import WORK_CRS

#: Allowed range of ``max_minutes`` for reachability and isochrones.
MIN_MINUTES, MAX_MINUTES = 1, 240
#: Default maximum distance (m) between a point and its snapped network node.
DEFAULT_MAX_SNAP_M = 500.0
#: Fastest speed of the network model (km/h), bounding what any query could reach.
MAX_SPEED_KPH = 130.0


# -- the engine --------------------------------------------------------------


@dataclass
class RoutingEngine:
    """A road network as arrays, ready to route on. Picklable (the CH is rebuilt lazily).

    Build it with :meth:`from_graph`. Attributes are read-only by convention.
    """

    name: str
    source: str
    node_ids: np.ndarray
    x: np.ndarray
    y: np.ndarray
    graph_csr: csr_matrix
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_time_s: np.ndarray
    edge_geometry: np.ndarray
    coverage: Any
    max_snap_m: float = DEFAULT_MAX_SNAP_M
    component_report: dict[str, Any] = field(default_factory=dict)
    _tree: cKDTree | None = field(default=None, repr=False, compare=False)
    _ch: Any = field(default=None, repr=False, compare=False)

    # pickling: the KD-tree and the contraction hierarchy are rebuilt where needed
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_tree"] = None
        state["_ch"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        shapely.prepare(self.coverage)

    @property
    def n_nodes(self) -> int:
        """Number of network nodes."""
        return len(self.node_ids)

    @property
    def n_edges(self) -> int:
        """Number of directed edges (parallel edges kept)."""
        return len(self.edge_u)

    def describe(self) -> dict[str, Any]:
        """Name, source, size and dropped parts of the network (for reports and APIs)."""
        return {
            "name": self.name,
            "source": self.source,
            "nodes": self.n_nodes,
            "edges": self.n_edges,
            "max_snap_m": self.max_snap_m,
            "coverage_km2": round(float(self.coverage.area) / 1e6, 1),
            **{f"component_{k}": v for k, v in self.component_report.items()},
        }

    @property
    def tree(self) -> cKDTree:
        """KD-tree of the node coordinates (built on first use)."""
        if self._tree is None:
            self._tree = cKDTree(np.column_stack([self.x, self.y]))
        return self._tree

    @classmethod
    def from_graph(
        cls,
        graph: nx.MultiDiGraph,
        name: str,
        source: str = "",
        max_snap_m: float = DEFAULT_MAX_SNAP_M,
        component_report: Mapping[str, Any] | None = None,
    ) -> RoutingEngine:
        """Build the engine from a prepared graph (EPSG:25832, ``travel_time_s`` on edges).

        Parameters
        ----------
        graph
            Output of :func:`geo.roads.network.prepare_network`.
        name
            Short name of the network, used in messages (e.g. ``"jena_roads_osm2014"``).
        source
            Where the network came from (file or download).
        max_snap_m
            Maximum snap distance (m); also the buffer of the coverage hull.
        component_report
            What preparing the graph dropped (:meth:`ComponentReport.as_dict`).
        """
        if not math.isfinite(max_snap_m) or max_snap_m <= 0:
            raise InputError(f"max_snap_m must be a positive distance in metres, got {max_snap_m}.")
        if graph.number_of_nodes() == 0:
            raise InputError(f"the road network {name!r} has no nodes.")
        ids = list(graph.nodes)
        pos = {n: i for i, n in enumerate(ids)}
        x = np.fromiter((graph.nodes[n]["x"] for n in ids), float, len(ids))
        y = np.fromiter((graph.nodes[n]["y"] for n in ids), float, len(ids))
        us, vs, ts, geoms = [], [], [], []
        for u, v, d in graph.edges(data=True):
            t = d.get("travel_time_s")
            if t is None:
                raise InputError(
                    f"edge {u}->{v} of {name!r} has no travel_time_s; prepare the graph with "
                    "geo.roads.network.prepare_network first."
                )
            us.append(pos[u])
            vs.append(pos[v])
            ts.append(max(float(t), 1e-3))
            g = d.get("geometry")
            geoms.append(
                g if g is not None else LineString([(x[pos[u]], y[pos[u]]), (x[pos[v]], y[pos[v]])])
            )
        eu = np.asarray(us, dtype=np.int64)
        ev = np.asarray(vs, dtype=np.int64)
        et = np.asarray(ts, dtype=float)
        hull = shapely.MultiPoint(np.column_stack([x, y])).convex_hull
        coverage = hull.buffer(max_snap_m)
        shapely.prepare(coverage)
        return cls(
            name=name,
            source=source,
            node_ids=np.asarray(ids),
            x=x,
            y=y,
            graph_csr=_min_csr(eu, ev, et, len(ids)),
            edge_u=eu,
            edge_v=ev,
            edge_time_s=et,
            edge_geometry=np.asarray(geoms, dtype=object),
            coverage=coverage,
            max_snap_m=float(max_snap_m),
            component_report=dict(component_report or {}),
        )


def _min_csr(u: np.ndarray, v: np.ndarray, t: np.ndarray, n: int) -> csr_matrix:
    """CSR matrix of the fastest edge per (u, v); self-loops dropped."""
    keep = u != v
    u, v, t = u[keep], v[keep], t[keep]
    order = np.lexsort((t, v, u))
    u, v, t = u[order], v[order], t[order]
    first = np.ones(len(u), dtype=bool)
    first[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    return csr_matrix((t[first], (u[first], v[first])), shape=(n, n))


# -- snapping and coverage -----------------------------------------------------


@dataclass(frozen=True)
class Snapped:
    """Points snapped to the network: node positions and snap distances (m)."""

    node: np.ndarray
    dist_m: np.ndarray

    def frame(self, engine: RoutingEngine, index: pd.Index | None = None) -> pd.DataFrame:
        """The snaps as a frame: ``node`` (network node id) and ``snap_dist_m``."""
        return pd.DataFrame(
            {"node": engine.node_ids[self.node], "snap_dist_m": np.round(self.dist_m, 1)},
            index=index,
        )


def points_xy(points: gpd.GeoDataFrame | gpd.GeoSeries, name: str = "points") -> np.ndarray:
    """Coordinates (n × 2, EPSG:25832) of point geometries; polygons give a point inside."""
    require_crs(points, name)
    geom = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    geom = geom.to_crs(WORK_CRS)
    if geom.isna().any() or geom.is_empty.any():
        raise InputError(f"{name} has empty geometries; drop them before routing.")
    if not (geom.geom_type == "Point").all():
        geom = geom.representative_point()
    return np.column_stack([geom.x.to_numpy(), geom.y.to_numpy()])


def lonlat_xy(lon: float, lat: float) -> np.ndarray:
    """One lon/lat (EPSG:4326) point as a 1 × 2 array in EPSG:25832."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InputError(f"lon/lat ({lon}, {lat}) is not a WGS84 position; give lon, lat.")
    pt = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs(WORK_CRS)
    return np.array([[pt.x.iloc[0], pt.y.iloc[0]]])


def covered(engine: RoutingEngine, xy: np.ndarray) -> np.ndarray:
    """Boolean mask: which points the network covers (hull + snap distance; module doc)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    inside = shapely.contains_xy(engine.coverage, xy[:, 0], xy[:, 1])
    dist, _ = engine.tree.query(xy)
    return np.asarray(inside & (dist <= engine.max_snap_m))


def snap(
    engine: RoutingEngine,
    xy: np.ndarray,
    what: str = "point",
    labels: Sequence[object] | None = None,
) -> Snapped:
    """Snap points to their nearest network node; refuse points the network does not cover.

    Parameters
    ----------
    engine
        The network.
    xy
        n × 2 coordinates in EPSG:25832.
    what
        What the points are, for messages (``"origin"``, ``"destinations"``).
    labels
        Names of the points, for messages.

    Raises
    ------
    OutsideNetworkError
        A point lies outside the network's coverage hull.
    SnapDistanceError
        A point is farther than ``engine.max_snap_m`` from the nearest node.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if len(xy) == 0:
        raise InputError(f"{what} is empty; give at least one point.")
    if not np.isfinite(xy).all():
        raise InputError(f"{what} has coordinates that are not finite numbers.")

    def label(i: int) -> str:
        return (
            f"{what} {labels[i]!r}"
            if labels is not None
            else (what if len(xy) == 1 else f"{what} #{i}")
        )

    inside = shapely.contains_xy(engine.coverage, xy[:, 0], xy[:, 1])
    if not inside.all():
        bad = np.flatnonzero(~inside)
        more = f" ({len(bad)} of {len(xy)} points)" if len(xy) > 1 else ""
        raise OutsideNetworkError(label(int(bad[0])) + more, engine.name)
    dist, node = engine.tree.query(xy)
    far = dist > engine.max_snap_m
    if far.any():
        i = int(np.argmax(np.where(far, dist, -1)))
        raise SnapDistanceError(label(i), engine.name, float(dist[i]), engine.max_snap_m)
    return Snapped(node=np.asarray(node, dtype=np.int64), dist_m=np.asarray(dist, dtype=float))


# -- shortest paths ------------------------------------------------------------


def one_to_all_s(engine: RoutingEngine, node: int, limit_s: float = math.inf) -> np.ndarray:
    """Travel time (s) from one node (position) to every node; ``inf`` beyond ``limit_s``."""
    return np.asarray(
        dijkstra(engine.graph_csr, directed=True, indices=int(node), limit=limit_s), dtype=float
    )


def matrix_s(
    engine: RoutingEngine,
    origins: np.ndarray,
    destinations: np.ndarray,
    method: str = "auto",
    max_block_bytes: int = 200_000_000,
) -> np.ndarray:
    """Travel times (s) between node positions: ``len(origins)`` × ``len(destinations)``.

    Single-process. ``method``: ``"dijkstra"`` (scipy, exact, one search per distinct
    origin, in blocks of at most ``max_block_bytes``), ``"ch"`` (pandana contraction
    hierarchies) or ``"auto"`` (CH when origins × nodes ≥ :data:`CH_MIN_WORK` or the
    CH is already built).
    """
    o = np.asarray(origins, dtype=np.int64)
    d = np.asarray(destinations, dtype=np.int64)
    if method not in {"auto", "dijkstra", "ch"}:
        raise InputError(f"method must be 'auto', 'dijkstra' or 'ch', got {method!r}.")
    if len(o) == 0 or len(d) == 0:
        return np.zeros((len(o), len(d)))
    if method == "auto":
        method = (
            "ch"
            if engine._ch is not None or len(np.unique(o)) * engine.n_nodes >= CH_MIN_WORK
            else "dijkstra"
        )
    if method == "ch":
        return matrix_ch(engine, o, d)
    uo, inv = np.unique(o, return_inverse=True)
    block = max(1, int(max_block_bytes // (8 * engine.n_nodes)))
    out = np.empty((len(uo), len(d)))
    for start in range(0, len(uo), block):
        rows = dijkstra(engine.graph_csr, directed=True, indices=uo[start : start + block])
        out[start : start + block] = rows[:, d]
    return out[inv]


# -- matrices ------------------------------------------------------------------


@dataclass(frozen=True)
class TravelMatrix:
    """A travel-time matrix in minutes, with the snaps of its points."""

    wide: pd.DataFrame
    origin_snaps: pd.DataFrame
    destination_snaps: pd.DataFrame
    network: str

    def long(self) -> pd.DataFrame:
        """Long form: one row per pair with ``origin``, ``destination``, ``minutes``."""
        stacked: pd.Series = self.wide.stack(future_stack=True)  # type: ignore[assignment]
        out = stacked.reset_index()
        out.columns = pd.Index(["origin", "destination", "minutes"])
        return out


def _ids(points: gpd.GeoDataFrame, id_col: str | None, name: str) -> pd.Index:
    if id_col is None:
        idx = pd.Index(points.index)
    else:
        if id_col not in points:
            raise InputError(f"{name} has no column {id_col!r}; give an existing id column.")
        idx = pd.Index(points[id_col])
    if idx.has_duplicates:
        raise InputError(f"{name} ids are not unique; give a column with one id per point.")
    return idx


def travel_time_matrix(
    engine: RoutingEngine,
    origins: gpd.GeoDataFrame,
    destinations: gpd.GeoDataFrame | None = None,
    origin_id: str | None = None,
    destination_id: str | None = None,
    method: str = "auto",
) -> TravelMatrix:
    """Car travel times (minutes) from every origin to every destination.

    Parameters
    ----------
    engine
        The network.
    origins, destinations
        Points (or polygons: their representative point) with a CRS. Destinations
        default to the origins (a square matrix).
    origin_id, destination_id
        Column naming each point; the index when ``None``.
    method
        See :func:`matrix_s`.

    Returns
    -------
    TravelMatrix
        ``wide`` (origins × destinations, minutes rounded to 0.01) and ``long()``.

    Raises
    ------
    OutsideNetworkError, SnapDistanceError
        A point is not covered by the network.
    """
    dests = origins if destinations is None else destinations
    oid = _ids(origins, origin_id, "origins")
    did = _ids(dests, destination_id if destinations is not None else origin_id, "destinations")
    so = snap(engine, points_xy(origins, "origins"), "origin", list(oid))
    sd = snap(engine, points_xy(dests, "destinations"), "destination", list(did))
    secs = matrix_s(engine, so.node, sd.node, method=method)
    wide = pd.DataFrame(np.round(secs / 60.0, 2), index=oid, columns=did)
    wide.index.name = "origin"
    wide.columns.name = "destination"
    return TravelMatrix(wide, so.frame(engine, oid), sd.frame(engine, did), engine.name)


def car_matrix_task(
    engine: RoutingEngine, origins: pd.DataFrame, options: Mapping[str, Any]
) -> pd.DataFrame:
    """One partition of a many-to-many car matrix, in the shape batch jobs expect.

    A top-level, picklable function with the signature of :data:`geo.batch.jobs.Task`:
    ``(engine state, origins of one partition, options) -> rows``. It calls the
    single-process :func:`matrix_s`; the parallel code lives in :mod:`geo.batch.jobs`.

    Parameters
    ----------
    engine
        The road network (shipped to each worker once).
    origins
        Columns ``id``, ``x``, ``y`` (EPSG:25832).
    options
        ``destinations``: frame with ``id``, ``x``, ``y``; optional ``method``
        (see :func:`matrix_s`).

    Returns
    -------
    DataFrame
        Long form: ``origin``, ``destination``, ``minutes`` (rounded to 0.01).
    """
    dests = options.get("destinations")
    if not isinstance(dests, pd.DataFrame) or not {"id", "x", "y"} <= set(dests.columns):
        raise InputError("options['destinations'] must be a frame with columns id, x, y.")
    if not {"id", "x", "y"} <= set(origins.columns):
        raise InputError("origins must have columns id, x, y (EPSG:25832).")
    so = snap(engine, origins[["x", "y"]].to_numpy(dtype=float), "origin", list(origins["id"]))
    sd = snap(engine, dests[["x", "y"]].to_numpy(dtype=float), "destination", list(dests["id"]))
    secs = matrix_s(engine, so.node, sd.node, method=str(options.get("method", "auto")))
    return pd.DataFrame(
        {
            "origin": np.repeat(origins["id"].to_numpy(), len(dests)),
            "destination": np.tile(dests["id"].to_numpy(), len(origins)),
            "minutes": np.round(secs.ravel() / 60.0, 2),
        }
    )


@dataclass(frozen=True)
class RoadCarMinutes:
    """Car minutes on a road network for points that may lie outside it.

    Implements the ``minutes_matrix`` protocol of :class:`geo.screening.criteria.CarEngine`:
    points the network does not cover (see :func:`covered`) get ``NaN`` (unknown),
    never a made-up time; covered points are snapped and routed.
    """

    engine: RoutingEngine

    def minutes_matrix(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> np.ndarray:
        """Minutes from every origin to every destination (``NaN`` = not covered)."""
        o_xy, d_xy = points_xy(origins, "origins"), points_xy(destinations, "destinations")
        out = np.full((len(o_xy), len(d_xy)), np.nan)
        o_in, d_in = covered(self.engine, o_xy), covered(self.engine, d_xy)
        if not o_in.any() or not d_in.any():
            return out
        so = snap(self.engine, o_xy[o_in], "origin")
        sd = snap(self.engine, d_xy[d_in], "destination")
        secs = matrix_s(self.engine, so.node, sd.node)
        minutes = np.where(np.isfinite(secs), secs / 60.0, np.nan)
        out[np.ix_(o_in, d_in)] = np.round(minutes, 2)
        return out


# -- isochrones ----------------------------------------------------------------


def check_minutes(value: float, name: str = "max_minutes") -> float:
    """Validate a number of minutes (:data:`MIN_MINUTES`–:data:`MAX_MINUTES`)."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of minutes, got {value!r}.") from None
    if not math.isfinite(v) or v < MIN_MINUTES or v > MAX_MINUTES:
        raise InputError(
            f"{name} must be between {MIN_MINUTES} and {MAX_MINUTES} minutes, got {value}."
        )
    return v


def reached_lines(engine: RoutingEngine, times_s: np.ndarray, cutoff_s: float) -> np.ndarray:
    """Road pieces reached within ``cutoff_s`` (array of LineStrings, EPSG:25832).

    An edge whose start is reached at ``t`` is followed for ``cutoff_s - t`` seconds:
    whole when that covers its travel time, else the part driven by then.
    """
    start = times_s[engine.edge_u]
    ok = np.isfinite(start) & (start < cutoff_s)
    frac = np.clip((cutoff_s - start[ok]) / engine.edge_time_s[ok], 0.0, 1.0)
    geoms = engine.edge_geometry[ok]
    out = list(geoms[frac >= 1.0])
    for g, f in zip(geoms[frac < 1.0], frac[frac < 1.0], strict=True):
        if f > 0:
            out.append(substring(g, 0.0, float(f), normalized=True))
    return np.asarray(out, dtype=object)


def isochrones(
    engine: RoutingEngine,
    origin_xy: np.ndarray,
    minutes: Sequence[float],
    buffer_m: float = 100.0,
) -> gpd.GeoDataFrame:
    """Areas reachable by car within each number of minutes, following the roads.

    Each polygon is the union of the road pieces reached in time (:func:`reached_lines`)
    buffered by ``buffer_m``: it follows the roads, and land between roads that no
    reached road passes within ``buffer_m`` stays outside (holes are kept, not filled).

    Parameters
    ----------
    engine
        The network.
    origin_xy
        1 × 2 origin in EPSG:25832 (see :func:`lonlat_xy`, :func:`points_xy`).
    minutes
        Cut-offs in minutes (1–240), e.g. ``[10, 20, 30]``.
    buffer_m
        Half-width of the band around reached roads (1–1000 m).

    Returns
    -------
    GeoDataFrame
        One row per cut-off (ascending): ``minutes``, ``area_km2``, ``geometry``
        (EPSG:25832); ``snap_dist_m`` and ``network`` in the frame's ``attrs``.
    """
    if not minutes:
        raise InputError("minutes is empty; give at least one number of minutes.")
    cuts = sorted({check_minutes(m, "minutes") for m in minutes})
    if not (1 <= buffer_m <= 1000):
        raise InputError(f"buffer_m must be between 1 and 1000 metres, got {buffer_m}.")
    snapped = snap(engine, origin_xy, "origin")
    node = int(snapped.node[0])
    times = one_to_all_s(engine, node, limit_s=cuts[-1] * 60.0)
    origin_pt = Point(engine.x[node], engine.y[node])
    rows = []
    previous = origin_pt.buffer(buffer_m, quad_segs=4)
    for m in cuts:
        lines = reached_lines(engine, times, m * 60.0)
        parts = shapely.buffer(lines, buffer_m, quad_segs=4) if len(lines) else np.array([])
        # the previous band is added so that nesting holds exactly (a road piece's round
        # end inside a longer piece's band can differ from it in the last digits)
        poly = shapely.union_all(np.append(parts, previous))
        previous = poly
        rows.append(
            {
                "minutes": m,
                "area_km2": round(poly.area / 1e6, 3),
                "geometry": poly,
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORK_CRS)
    out.attrs["snap_dist_m"] = round(float(snapped.dist_m[0]), 1)
    out.attrs["network"] = engine.name
    return out
