"""Small road graphs with known answers, shared by the network and travel tests."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
from shapely.geometry import Point, box

from geo.settings import WORK_CRS

X0, Y0 = 680_000.0, 5_640_000.0  # near Jena, EPSG:25832


def grid_graph(n: int = 3, spacing_m: float = 1000.0, maxspeed: str = "36") -> nx.MultiDiGraph:
    """n × n two-way grid; with ``maxspeed="36"`` (10 m/s) each 1 km edge takes 100 s."""
    g = nx.MultiDiGraph(crs=WORK_CRS)
    for r in range(n):
        for c in range(n):
            g.add_node(r * n + c, x=X0 + c * spacing_m, y=Y0 + r * spacing_m)
    for r in range(n):
        for c in range(n):
            a = r * n + c
            for b in ([a + 1] if c < n - 1 else []) + ([a + n] if r < n - 1 else []):
                for u, v in ((a, b), (b, a)):
                    g.add_edge(
                        u,
                        v,
                        highway="residential",
                        maxspeed=maxspeed,
                        length=spacing_m,
                        oneway=False,
                    )
    return g


def region_frame(points: dict[str, tuple[float, float, int]]) -> gpd.GeoDataFrame:
    """A minimal region model: name -> (x, y, population) in EPSG:25832."""
    rows = []
    for i, (name, (x, y, pop)) in enumerate(points.items()):
        rows.append(
            {
                "ags": f"1607{i:04d}",
                "rs": f"1607{i:04d}0000",
                "name": name,
                "district": "Testkreis",
                "population": pop,
                "change_pct_per_year": -0.5 + i * 0.5,
                "trend_class": ["shrinking", "stable", "growing"][i % 3],
                "centre_x": x,
                "centre_y": y,
                "geometry": box(x - 100, y - 100, x + 100, y + 100),
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=WORK_CRS)
    out["population"] = out["population"].astype("Int64")
    return out


def nx_times(graph: nx.MultiDiGraph, origin: object) -> dict[object, float]:
    """networkx reference: travel times (s) from one node."""
    return dict(nx.single_source_dijkstra_path_length(graph, origin, weight="travel_time_s"))


def point(x: float, y: float) -> gpd.GeoDataFrame:
    """One point in EPSG:25832."""
    return gpd.GeoDataFrame(geometry=[Point(x, y)], crs=WORK_CRS)


def as_array(values: list[float]) -> np.ndarray:
    """Float array helper."""
    return np.asarray(values, dtype=float)
