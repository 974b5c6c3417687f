"""Road networks for car routing: graph building, speeds, travel times, connectivity.

Pure functions: graphs and (Geo)DataFrames in, new graphs or frames out; no file or
network I/O (that is :mod:`geo.roads.io`) and no input is modified. Graphs are
osmnx-style :class:`networkx.MultiDiGraph` objects in the working CRS (EPSG:25832):
nodes carry ``x``/``y`` in metres, edges carry ``length`` (m), ``highway``,
``maxspeed`` (as OSM writes it), ``speed_kph`` and ``travel_time_s``.

Speeds
------
An edge's speed is its posted ``maxspeed`` when that can be read
(:func:`parse_maxspeed`), else the default of its road class
(:data:`DEFAULT_SPEEDS_KPH`). The German defaults are the legal limits of the StVO
(§3: 50 km/h inside built-up areas, 100 km/h outside; §18: motorways have an advisory
speed of 130 km/h) applied to the typical setting of each OSM road class: urban
classes (``residential``, ``tertiary``) at urban speeds, rural through roads
(``primary``, ``trunk``) between the two, since a class alone does not say whether a
road runs inside a town. They are estimates where the data has no tag, and documented
as such. An optional congestion factor per road class multiplies the travel time
(``1.3`` = 30 % slower than free flow); it defaults to 1 (free flow).

Car network
-----------
Roads a car may use: the highway classes in :data:`CAR_HIGHWAYS`, without
``access``/``motor_vehicle`` = ``no``/``private`` and without areas. One-way roads
follow the ``oneway`` tag (``yes``/``true``/``1`` forward, ``-1``/``reverse``
backward); roundabouts and motorways are one-way unless tagged otherwise, as OSM
defines.

Connectivity
------------
Only the largest strongly connected part is routed on (every node reaches every other
one); what is dropped is reported by :func:`largest_strong_component`.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from pyproj import CRS
from shapely.geometry import LineString

from geo.errors import InputError
from geo.region.model import require_crs
from geo.roads.tags import (  # noqa: F401  (re-exported: the network model's tag rules)
    CAR_HIGHWAYS,
    DEFAULT_SPEEDS_KPH,
    FALLBACK_SPEED_KPH,
    _missing,
    _tag,
    edge_speeds_kph,
    is_car_road,
    oneway_direction,
    parse_maxspeed,
    road_class,
)
from geo.settings import WORK_CRS


def check_congestion(congestion: Mapping[str, float] | None) -> dict[str, float]:
    """Validate congestion factors (travel-time multipliers ≥ 1 per road class)."""
    out: dict[str, float] = {}
    for cls, f in (congestion or {}).items():
        fv = float(f)
        if not math.isfinite(fv) or fv < 1.0 or fv > 10.0:
            raise InputError(
                f"congestion factor for {cls!r} is {f}; give a travel-time multiplier "
                "between 1 (free flow) and 10."
            )
        out[str(cls)] = fv
    return out


def add_travel_times(
    graph: nx.MultiDiGraph, congestion: Mapping[str, float] | None = None
) -> nx.MultiDiGraph:
    """Return a copy of ``graph`` with ``speed_kph`` and ``travel_time_s`` on every edge.

    ``travel_time_s = length / (speed_kph / 3.6) * congestion[road class]``.

    Parameters
    ----------
    graph
        Graph whose edges have ``length`` (m) and ``highway``.
    congestion
        Optional travel-time multiplier per road class (≥ 1), e.g. ``{"primary": 1.3}``.
    """
    factors = check_congestion(congestion)
    out = graph.copy()
    keys = list(out.edges(keys=True))
    if not keys:
        return out
    data = [out.edges[k] for k in keys]
    frame = pd.DataFrame(
        {
            "highway": [d.get("highway", "road") for d in data],
            "maxspeed": [d.get("maxspeed") for d in data],
            "length": [float(d.get("length", 0.0)) for d in data],
        }
    )
    speeds = edge_speeds_kph(frame).to_numpy()
    cls = frame["highway"].map(road_class)
    factor = cls.map(lambda c: factors.get(c, 1.0)).to_numpy(dtype=float)
    times = frame["length"].to_numpy() / (speeds / 3.6) * factor
    for d, s, t in zip(data, speeds, times, strict=True):
        d["speed_kph"] = round(float(s), 2)
        d["travel_time_s"] = float(t)
    return out


# -- connectivity ------------------------------------------------------------


@dataclass(frozen=True)
class ComponentReport:
    """What :func:`largest_strong_component` kept and dropped."""

    nodes_total: int
    nodes_kept: int
    edges_total: int
    edges_kept: int
    components: int

    @property
    def nodes_dropped(self) -> int:
        """Nodes outside the largest strongly connected part."""
        return self.nodes_total - self.nodes_kept

    @property
    def edges_dropped(self) -> int:
        """Edges touching a dropped node."""
        return self.edges_total - self.edges_kept

    @property
    def share_kept(self) -> float:
        """Share of nodes kept (0–1)."""
        return self.nodes_kept / self.nodes_total if self.nodes_total else 0.0

    def as_dict(self) -> dict[str, Any]:
        """The report as plain values (for JSON and CLI output)."""
        return {
            "nodes_total": self.nodes_total,
            "nodes_kept": self.nodes_kept,
            "nodes_dropped": self.nodes_dropped,
            "edges_total": self.edges_total,
            "edges_kept": self.edges_kept,
            "edges_dropped": self.edges_dropped,
            "strong_components": self.components,
            "share_kept": round(self.share_kept, 4),
        }


def largest_strong_component(
    graph: nx.MultiDiGraph,
) -> tuple[nx.MultiDiGraph, ComponentReport]:
    """Keep the largest strongly connected part of ``graph`` and report what was dropped."""
    if graph.number_of_nodes() == 0:
        raise InputError("the road graph is empty; load a network with car roads in it.")
    comps = list(nx.strongly_connected_components(graph))
    biggest = max(comps, key=len)
    sub = graph.subgraph(biggest).copy()
    report = ComponentReport(
        nodes_total=graph.number_of_nodes(),
        nodes_kept=sub.number_of_nodes(),
        edges_total=graph.number_of_edges(),
        edges_kept=sub.number_of_edges(),
        components=len(comps),
    )
    return sub, report


# -- building graphs ---------------------------------------------------------


def graph_from_lines(lines: gpd.GeoDataFrame, decimals: int = 7) -> nx.MultiDiGraph:
    """Build a car road graph from a line layer of OSM ways (GeoJSON/GPKG roads).

    Ways are noded at every vertex shared by more than one way and at their ends (OSM
    ways meet at shared vertices, not only at their end points), so crossing roads
    connect where OSM connects them and bridges without a shared vertex do not.
    Vertices count as shared when their coordinates agree to ``decimals`` places in
    the layer's own CRS (OSM's 7 decimals of a degree by default). Non-car ways are
    dropped (:func:`is_car_road`); one-way handling follows :func:`oneway_direction`.

    Parameters
    ----------
    lines
        LineString/MultiLineString layer with a CRS and a ``highway`` column;
        optional ``maxspeed``, ``oneway``, ``junction``, ``access``, ``name``,
        ``osm_id``, ``ref`` columns.
    decimals
        Coordinate precision used to match shared vertices.

    Returns
    -------
    networkx.MultiDiGraph
        Graph in EPSG:25832 with ``length`` and the OSM tags on each edge (no travel
        times yet: see :func:`add_travel_times`).
    """
    require_crs(lines, "lines")
    if "highway" not in lines:
        raise InputError("lines has no 'highway' column; give OSM road ways with their tags.")
    src = lines.explode(index_parts=False)
    src = src[src.geometry.notna() & (src.geom_type == "LineString")]

    def col(name: str) -> list[object]:
        return list(src[name]) if name in src else [None] * len(src)

    keep = [
        is_car_road(h, a, None, None) for h, a in zip(col("highway"), col("access"), strict=True)
    ]
    src = src[np.asarray(keep, dtype=bool)]
    if src.empty:
        raise InputError("lines holds no road a car may use (see geo.roads.network.CAR_HIGHWAYS).")
    work = src.to_crs(WORK_CRS)

    ways: list[tuple[list[tuple[float, float]], list[tuple[float, float]]]] = []
    used: dict[tuple[float, float], set[int]] = defaultdict(set)
    for i, (g_src, g_work) in enumerate(zip(src.geometry, work.geometry, strict=True)):
        key_coords = [(round(x, decimals), round(y, decimals)) for x, y, *_ in g_src.coords]
        ways.append((key_coords, [(x, y) for x, y, *_ in g_work.coords]))
        for k in key_coords:
            used[k].add(i)

    graph = nx.MultiDiGraph(crs=WORK_CRS)
    node_id: dict[tuple[float, float], int] = {}

    def node(key: tuple[float, float], xy: tuple[float, float]) -> int:
        nid = node_id.get(key)
        if nid is None:
            nid = len(node_id)
            node_id[key] = nid
            graph.add_node(nid, x=float(xy[0]), y=float(xy[1]))
        return nid

    tag_cols = ["osm_id", "highway", "maxspeed", "name", "ref", "lanes", "access"]
    records = src.reset_index(drop=True)
    for i, (keys, coords) in enumerate(ways):
        row = records.iloc[i]
        direction = oneway_direction(row.get("oneway"), row.get("highway"), row.get("junction"))
        tags = {c: row[c] for c in tag_cols if c in records and not _missing(row[c])}
        inner = {j for j in range(1, len(keys) - 1) if len(used[keys[j]]) > 1}
        if keys[0] == keys[-1] and len(keys) > 3:
            inner.add(len(keys) // 2)  # a closed way (roundabout) is cut in two, not a loop
        cut = [0, *sorted(inner), len(keys) - 1]
        for a, b in itertools.pairwise(cut):
            piece = coords[a : b + 1]
            if len(piece) < 2 or (keys[a] == keys[b] and b - a < 2):
                continue
            u, v = node(keys[a], coords[a]), node(keys[b], coords[b])
            geom = LineString(piece)
            attrs = {**tags, "length": float(geom.length), "oneway": direction != 0}
            if direction >= 0:
                graph.add_edge(u, v, geometry=geom, reversed=False, **attrs)
            if direction <= 0:
                graph.add_edge(v, u, geometry=geom.reverse(), reversed=True, **attrs)
    return graph


def filter_car_roads(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Return a copy of an osmnx graph with only the edges a car may use, isolated nodes removed."""
    out = nx.MultiDiGraph(**graph.graph)
    for u, v, k, d in graph.edges(keys=True, data=True):
        if is_car_road(d.get("highway"), d.get("access"), d.get("motor_vehicle"), d.get("area")):
            for n in (u, v):
                if n not in out:
                    out.add_node(n, **graph.nodes[n])
            out.add_edge(u, v, k, **d)
    return out


def prepare_network(
    graph: nx.MultiDiGraph, congestion: Mapping[str, float] | None = None
) -> tuple[nx.MultiDiGraph, ComponentReport]:
    """Return a routable graph: EPSG:25832, travel times, largest strongly connected part.

    Parameters
    ----------
    graph
        Road graph with a ``crs`` graph attribute (osmnx or :func:`graph_from_lines`).
    congestion
        Optional travel-time multipliers per road class.
    """
    crs = graph.graph.get("crs")
    if crs is None:
        raise InputError("graph has no 'crs' attribute; build it with osmnx or graph_from_lines.")
    g = graph
    if str(crs).upper() != WORK_CRS and not _is_work_crs(crs):
        import osmnx as ox  # here: importing osmnx takes about 2 s (CLI start-up time)

        g = ox.project_graph(graph, to_crs=WORK_CRS)
    g = add_travel_times(g, congestion)
    return largest_strong_component(g)


def _is_work_crs(crs: object) -> bool:
    try:
        return bool(CRS.from_user_input(crs).equals(CRS.from_user_input(WORK_CRS)))
    except Exception:
        return False


def edges_frame(graph: nx.MultiDiGraph) -> gpd.GeoDataFrame:
    """Edges of a graph as a GeoDataFrame (u, v, key, tags, geometry) in its CRS.

    Edges without a geometry get the straight line between their nodes.
    """
    rows: list[dict[str, Any]] = []
    geoms: list[LineString] = []
    nodes = graph.nodes
    for u, v, k, d in graph.edges(keys=True, data=True):
        geom = d.get("geometry")
        if geom is None:
            geom = LineString([(nodes[u]["x"], nodes[u]["y"]), (nodes[v]["x"], nodes[v]["y"])])
        geoms.append(geom)
        rows.append(
            {
                "u": u,
                "v": v,
                "key": k,
                **{
                    c: d.get(c)
                    for c in ("highway", "maxspeed", "speed_kph", "length", "travel_time_s", "name")
                },
            }
        )
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=graph.graph.get("crs", WORK_CRS))


# -- a generated road-like graph (benchmarks and tests) -----------------------


def generate_road_graph(
    n_side: int,
    spacing_m: float = 150.0,
    seed: int = 0,
    oneway_share: float = 0.15,
    drop_share: float = 0.05,
    origin_xy: tuple[float, float] = (650_000.0, 5_620_000.0),
) -> nx.MultiDiGraph:
    """Generate a road-like graph: a perturbed grid with road classes and one-way streets.

    Nodes sit on an ``n_side`` × ``n_side`` grid with ``spacing_m`` spacing, each moved
    by up to 30 % of the spacing. Every 40th line is a motorway (``maxspeed=none``),
    every 10th a primary road (``DE:rural``), every 5th a secondary road (``70``),
    every other one a residential street (``30`` or ``30 mph`` or no tag, so the
    speed parser and the class defaults are exercised). ``oneway_share`` of the
    residential segments are one-way (random direction) and ``drop_share`` are left
    out. The graph is synthetic: it stands in for a regional network in benchmarks
    (no regional OSM network ships offline), it is not a map of anything.

    Returns
    -------
    networkx.MultiDiGraph
        osmnx-style graph in EPSG:25832 with ``length``, ``highway``, ``maxspeed``
        (no travel times yet).
    """
    if n_side < 2:
        raise InputError(f"n_side must be at least 2, got {n_side}.")
    rng = np.random.default_rng(seed)
    n = n_side
    jitter = rng.uniform(-0.3, 0.3, size=(n * n, 2)) * spacing_m
    gx, gy = np.meshgrid(np.arange(n), np.arange(n))
    xs = origin_xy[0] + gx.ravel() * spacing_m + jitter[:, 0]
    ys = origin_xy[1] + gy.ravel() * spacing_m + jitter[:, 1]
    graph = nx.MultiDiGraph(crs=WORK_CRS)
    graph.add_nodes_from(
        (i, {"x": float(x), "y": float(y)}) for i, (x, y) in enumerate(zip(xs, ys, strict=True))
    )

    def klass(line: int) -> tuple[str, object]:
        if line % 40 == 0:
            return "motorway", "none"
        if line % 10 == 0:
            return "primary", "DE:rural"
        if line % 5 == 0:
            return "secondary", "70"
        return "residential", ["30", "30 mph", None][line % 3]

    idx = np.arange(n * n).reshape(n, n)
    pairs: list[tuple[int, int, int]] = []  # (u, v, line)
    for r in range(n):
        pairs.extend((int(idx[r, c]), int(idx[r, c + 1]), r) for c in range(n - 1))
    for c in range(n):
        pairs.extend((int(idx[r, c]), int(idx[r + 1, c]), c) for r in range(n - 1))
    draws = rng.uniform(size=(len(pairs), 2))
    for (u, v, line), (p_drop, p_one) in zip(pairs, draws, strict=True):
        hw, ms = klass(line)
        if hw == "residential" and p_drop < drop_share:
            continue
        length = float(math.hypot(xs[u] - xs[v], ys[u] - ys[v]))
        attrs: dict[str, Any] = {"highway": hw, "length": length}
        if ms is not None:
            attrs["maxspeed"] = ms
        one = hw == "residential" and p_one < oneway_share
        if one:
            a, b = (u, v) if p_one < oneway_share / 2 else (v, u)
            graph.add_edge(a, b, oneway=True, **attrs)
        else:
            graph.add_edge(u, v, oneway=False, **attrs)
            graph.add_edge(v, u, oneway=False, **attrs)
    return graph


def node_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """Nodes of a graph as a frame (index node id; ``x``, ``y``)."""
    ids = list(graph.nodes)
    return pd.DataFrame(
        {"x": [graph.nodes[n]["x"] for n in ids], "y": [graph.nodes[n]["y"] for n in ids]},
        index=pd.Index(ids, name="node"),
    )


def iter_edges_time(graph: nx.MultiDiGraph) -> Iterable[tuple[Any, Any, float]]:
    """Yield ``(u, v, travel_time_s)`` for every edge (needs :func:`add_travel_times`)."""
    for u, v, d in graph.edges(data=True):
        yield u, v, float(d["travel_time_s"])
