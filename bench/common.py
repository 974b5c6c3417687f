"""Bench plots: the real Jena landuse polygons, replicated and shifted inside the SRTM tile.

Not random shapes: every bench plot is one of the 74 OSM landuse polygons of Jena
(``jena_landuse_osm2014.geojson``), moved as a whole set by a seeded random offset that
keeps the set inside the DEM tile ``N50E011.hgt`` (50–51° N, 11–12° E) with a 2 km margin.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from shapely import affinity

from geo.screening.profile import CONTAMINATION, OWNER_TYPES, PLANNING_STATUS, STATUSES
from geo.settings import WORK_CRS, Settings

LANDUSE_FILE = "jena_landuse_osm2014.geojson"
WATER_FILE = "jena_water_osm2014.geojson"


def tile_box_utm(margin_m: float = 2000.0) -> tuple[float, float, float, float]:
    """The largest EPSG:25832 rectangle inside the SRTM tile, shrunk by ``margin_m``."""
    tr = Transformer.from_crs(4326, 25832, always_xy=True)
    xs, ys = tr.transform([11, 12, 12, 11], [50, 50, 51, 51])
    # corners: SW, SE, NE, NW; the tile is a curved quadrilateral in UTM
    xmin, xmax = max(xs[0], xs[3]), min(xs[1], xs[2])
    ymin, ymax = max(ys[0], ys[1]), min(ys[2], ys[3])
    return xmin + margin_m, ymin + margin_m, xmax - margin_m, ymax - margin_m


def _offsets(base: gpd.GeoDataFrame, copies: int, seed: int) -> np.ndarray:
    bx0, by0, bx1, by1 = base.total_bounds
    tx0, ty0, tx1, ty1 = tile_box_utm()
    rng = np.random.default_rng(seed)
    dx = rng.uniform(tx0 - bx0, tx1 - bx1, copies)
    dy = rng.uniform(ty0 - by0, ty1 - by1, copies)
    dx[0] = dy[0] = 0.0  # the first copy stays where it is (in Jena)
    return np.c_[dx, dy]


def replicate(base: gpd.GeoDataFrame, n: int, seed: int = 7) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """``n`` plots: copies of ``base`` shifted as a set; returns them and the offsets used."""
    copies = math.ceil(n / len(base))
    offsets = _offsets(base, copies, seed)
    return shift_copies(base, offsets).iloc[:n].reset_index(drop=True), offsets


def shift_copies(layer: gpd.GeoDataFrame, offsets: np.ndarray) -> gpd.GeoDataFrame:
    """``layer`` repeated once per offset, each copy translated by it."""
    geoms = [
        affinity.translate(g, float(dx), float(dy)) for dx, dy in offsets for g in layer.geometry
    ]
    copy_no = np.repeat(np.arange(len(offsets)), len(layer))
    return gpd.GeoDataFrame({"copy": copy_no}, geometry=geoms, crs=WORK_CRS)


def bench_plots(n: int, seed: int = 7) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """``n`` bench plots with register columns drawn from the vocabularies (seeded).

    The register values (owner, planning status, contamination, status) are synthetic:
    the shared data has no land register. Geometry is real (see module docstring).
    """
    data = Settings().data_dir
    base = gpd.read_file(data / LANDUSE_FILE).to_crs(WORK_CRS)
    plots, offsets = replicate(base[["geometry"]], n, seed)
    rng = np.random.default_rng(seed)
    plots.insert(0, "plot_id", pd.RangeIndex(n).astype("str"))
    for col, values in [
        ("owner_type", OWNER_TYPES),
        ("planning_status", PLANNING_STATUS),
        ("contamination", CONTAMINATION),
        ("status", STATUSES),
    ]:
        plots[col] = pd.Series(rng.choice(values, n), dtype="str")
    plots["confidential"] = rng.random(n) < 0.1
    return plots, offsets


def bench_flood_layer(offsets: np.ndarray) -> gpd.GeoDataFrame:
    """A polygon layer standing in for flood zones in benchmarks (NOT an HQ100 layer).

    The real Jena rivers and water bodies near the landuse polygons, buffered by 150 m,
    shifted like the plots.
    """
    data = Settings().data_dir
    water = gpd.read_file(data / WATER_FILE).to_crs(WORK_CRS)
    x0, y0, x1, y1 = gpd.read_file(data / LANDUSE_FILE).to_crs(WORK_CRS).total_bounds
    water = water.clip((x0 - 2000, y0 - 2000, x1 + 2000, y1 + 2000))
    # dissolved, as a published HQ100 layer is: one polygon per flood area, no overlaps
    zones = gpd.GeoDataFrame(
        geometry=gpd.GeoSeries([water.buffer(150.0).union_all()], crs=WORK_CRS).explode(
            ignore_index=True
        ),
        crs=WORK_CRS,
    )
    return shift_copies(zones, offsets)
