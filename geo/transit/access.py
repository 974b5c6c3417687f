"""Access and egress: how an origin reaches stops, and how stops reach targets.

Walking is straight-line distance times a detour factor at a walking speed
(:class:`~geo.transit.options.TransitOptions`), or a shortest path on a walk network
where one is given (:func:`access_on_graph`). :func:`link_region` links municipalities
to the stops inside and near them once, so an origin's access costs nothing per target.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from geo.errors import (
    InputError,
)
from geo.region.model import require_crs
from geo.settings import WORK_CRS
from geo.transit.csr import _by_key, _min_by_key, _ranges
from geo.transit.options import INF
from geo.transit.timetable import Timetable


@dataclass(frozen=True)
class Access:
    """How an origin reaches the network: walk seconds to stops, and to targets directly.

    ``stops``/``walk_s``: the stops one can walk to and how long it takes.
    ``direct_targets``/``direct_s``: the targets one can walk to straight from the
    origin and how long it takes (sparse: targets not listed are out of walking reach);
    ``None`` when the targets are the stops themselves.
    """

    stops: np.ndarray
    walk_s: np.ndarray
    direct_targets: np.ndarray | None = None
    direct_s: np.ndarray | None = None


@dataclass(frozen=True)
class Egress:
    """From stops to targets: target ``tgt[k]`` is reached ``secs[k]`` after stop ``stop[k]``."""

    n_targets: int
    stop: np.ndarray
    tgt: np.ndarray
    secs: np.ndarray

    def apply(self, stop_arrival: np.ndarray) -> np.ndarray:
        """Return the earliest arrival at each target from arrivals at stops."""
        out = np.full(self.n_targets, INF, np.int64)
        a = stop_arrival[self.stop]
        ok = a < INF
        np.minimum.at(out, self.tgt[ok], a[ok] + self.secs[ok])
        return out

    @cached_property
    def _by_stop(self) -> tuple[np.ndarray, np.ndarray]:
        return _by_key(self.stop, int(self.stop.max()) + 1 if len(self.stop) else 0)

    def reach(self, stops: np.ndarray, at_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Targets reached from ``stops`` reached at times ``at_s``, and the earliest times.

        The sparse form of :meth:`apply`: work in proportion to the stops given, not to
        the number of targets. Targets come out ascending.
        """
        order, ptr = self._by_stop
        stops = np.asarray(stops, np.int64)
        known = stops < len(ptr) - 1
        pos, which = _ranges(ptr, stops[known])
        k = order[pos]
        return _min_by_key(self.tgt[k], np.asarray(at_s, np.int64)[known][which] + self.secs[k])


def point_access(tt: Timetable, x: float, y: float) -> tuple[np.ndarray, np.ndarray]:
    """Stops within ``max_access_m`` of a point (EPSG:25832) and the walk seconds to them."""
    d = np.hypot(tt.stop_x - x, tt.stop_y - y)
    hit = np.flatnonzero(d <= tt.options.max_access_m)
    return hit, tt.options.walk_s(d[hit])


def access_on_graph(
    tt: Timetable,
    graph: nx.Graph,
    x: float,
    y: float,
    weight: str = "length",
    off_graph_m: float = 500.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Stops reachable on a walk network from a point, with walk seconds.

    The graph's nodes carry ``x``/``y`` in EPSG:25832 and its edges a length in metres
    (``weight``). The point and each stop are joined to their nearest node in a straight
    line; walking on the network uses the speed of ``tt.options`` (no detour factor), and
    stops whose total walk exceeds ``max_access_m`` times the detour factor are dropped.
    A point farther than ``off_graph_m`` from every node (outside the loaded network)
    falls back to the straight-line rule of :func:`point_access`.
    """
    nodes = list(graph.nodes)
    if not nodes:
        raise InputError("the walk network has no nodes.")
    xy = np.array([[graph.nodes[n]["x"], graph.nodes[n]["y"]] for n in nodes], dtype=float)
    tree = cKDTree(xy)
    d0, i0 = tree.query([x, y])
    if d0 > off_graph_m:
        return point_access(tt, x, y)
    ds, is_ = tree.query(np.column_stack([tt.stop_x, tt.stop_y]))
    lengths = nx.single_source_dijkstra_path_length(graph, nodes[int(i0)], weight=weight)
    net = np.array([lengths.get(nodes[int(i)], np.inf) for i in is_], dtype=float)
    total = d0 + net + ds
    limit = tt.options.max_access_m * tt.options.detour_factor
    hit = np.flatnonzero(total <= limit)
    return hit, np.ceil(total[hit] / tt.options.walk_speed_m_s).astype(np.int64)


@dataclass(frozen=True)
class RegionLinks:
    """Municipalities linked to the timetable: which stops lie in them and near them.

    Per municipality ``m`` (CSR groups, pointer ``*_ptr[m]:*_ptr[m + 1]``), built once by
    :func:`link_region` so that an origin's access costs nothing per target:
    ``inside_stop``: the stops inside it; ``near_stop``/``near_s``: the stops within
    ``max_access_m`` of its centre and the walk to them; ``direct_tgt``/``direct_s``: the
    municipalities whose centres lie within ``max_access_m`` of its centre, and the walk.
    """

    ags: np.ndarray
    centre_x: np.ndarray
    centre_y: np.ndarray
    stops_inside: np.ndarray  # pairs (municipality, stop)
    egress: Egress
    inside_ptr: np.ndarray
    inside_stop: np.ndarray
    near_ptr: np.ndarray
    near_stop: np.ndarray
    near_s: np.ndarray
    direct_ptr: np.ndarray
    direct_tgt: np.ndarray
    direct_s: np.ndarray
    walk_graph: nx.Graph | None = None

    def access(self, tt: Timetable, m: int, from_stations: bool = True) -> Access:
        """How municipality ``m`` reaches stops (from its centre; its stations at 0 s).

        From the centre on the walk network where one is loaded and covers the centre,
        else straight-line (see :class:`TransitOptions`).
        """
        if self.walk_graph is not None:
            cx, cy = float(self.centre_x[m]), float(self.centre_y[m])
            stops, walk = access_on_graph(tt, self.walk_graph, cx, cy)
        else:
            a, b = self.near_ptr[m], self.near_ptr[m + 1]
            stops, walk = self.near_stop[a:b], self.near_s[a:b]
        if from_stations:
            inside = self.inside_stop[self.inside_ptr[m] : self.inside_ptr[m + 1]]
            stops = np.concatenate([stops, inside])
            walk = np.concatenate([walk, np.zeros(len(inside), np.int64)])
        a, b = self.direct_ptr[m], self.direct_ptr[m + 1]
        return Access(
            stops=stops.astype(np.int64),
            walk_s=walk,
            direct_targets=self.direct_tgt[a:b],
            direct_s=self.direct_s[a:b],
        )


def _pairs_within(
    tree: cKDTree, x: np.ndarray, y: np.ndarray, tx: np.ndarray, ty: np.ndarray, r: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (point i, tree point j) with ``hypot`` distance at most ``r``, sorted by (i, j).

    The distance test is the same ``np.hypot(...) <= r`` a direct scan would make; the
    tree only narrows the candidates (queried with a hair more than ``r``).
    """
    near = tree.query_ball_point(np.column_stack([x, y]), r * (1 + 1e-9) + 1e-6)
    i = np.repeat(np.arange(len(x)), [len(n) for n in near])
    j = np.fromiter((s for n in near for s in n), dtype=np.int64, count=len(i))
    d = np.hypot(tx[j] - x[i], ty[j] - y[i])
    keep = d <= r
    i, j, d = i[keep], j[keep], d[keep]
    order = np.lexsort((j, i))
    return i[order], j[order], d[order]


def link_region(
    tt: Timetable, region: gpd.GeoDataFrame, walk_graph: nx.Graph | None = None
) -> RegionLinks:
    """Link municipalities (``load_region`` frame, EPSG:25832) to the timetable's stops.

    A municipality is reached when a stop inside it is reached (0 s), or a stop within
    ``max_access_m`` of its centre (plus the walk). ``walk_graph`` (nodes with ``x``/``y``
    in EPSG:25832, edge ``length`` in metres) is used for the walk from an origin's
    centre where it covers it.
    """
    require_crs(region, "region")
    reg = region.to_crs(WORK_CRS) if str(region.crs) != WORK_CRS else region
    n = len(reg)
    pts = gpd.GeoDataFrame(
        {"stop": np.arange(tt.n_stops)},
        geometry=gpd.points_from_xy(tt.stop_x, tt.stop_y),
        crs=WORK_CRS,
    )
    polys = gpd.GeoDataFrame({"m": np.arange(n)}, geometry=reg.geometry.values, crs=WORK_CRS)
    joined = gpd.sjoin(pts, polys, predicate="within", how="inner")
    inside = np.column_stack([joined["m"].to_numpy(), joined["stop"].to_numpy()]).astype(np.int64)
    inside = inside[np.lexsort((inside[:, 1], inside[:, 0]))]
    cx = reg["centre_x"].to_numpy(dtype=float)
    cy = reg["centre_y"].to_numpy(dtype=float)
    r = tt.options.max_access_m
    m_idx, s_idx, d = _pairs_within(
        cKDTree(np.column_stack([tt.stop_x, tt.stop_y])), cx, cy, tt.stop_x, tt.stop_y, r
    )
    near_s = tt.options.walk_s(d)
    egress = Egress(
        n_targets=n,
        stop=np.concatenate([inside[:, 1], s_idx]).astype(np.int64),
        tgt=np.concatenate([inside[:, 0], m_idx]).astype(np.int64),
        secs=np.concatenate([np.zeros(len(inside), np.int64), near_s]),
    )
    o_idx, t_idx, dd = _pairs_within(cKDTree(np.column_stack([cx, cy])), cx, cy, cx, cy, r)
    direct_s = np.where(o_idx == t_idx, 0, tt.options.walk_s(dd)).astype(np.int64)

    def ptr(keys: np.ndarray) -> np.ndarray:
        return np.searchsorted(keys, np.arange(n + 1)).astype(np.int64)

    return RegionLinks(
        ags=reg["ags"].astype(str).to_numpy(),
        centre_x=cx,
        centre_y=cy,
        stops_inside=inside,
        egress=egress,
        inside_ptr=ptr(inside[:, 0]),
        inside_stop=inside[:, 1].copy(),
        near_ptr=ptr(m_idx),
        near_stop=s_idx,
        near_s=near_s,
        direct_ptr=ptr(o_idx),
        direct_tgt=t_idx,
        direct_s=direct_s,
        walk_graph=walk_graph,
    )
