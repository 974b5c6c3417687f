"""Bench: deriving slope and flood share for 10,000 plots, against a per-plot rasterio.mask loop.

Run: ``.venv/bin/python bench/derive.py [N]``. Prints plots per second of both, side by
side in the same process, and how far their answers differ.

* ours: :func:`geo.screening.raster.terrain_stats` (exactextract, coverage-weighted: elevation,
  mean/max slope, steep share) and :func:`geo.screening.attributes.share_inside` (subdivided flood
  polygons, STRtree, vectorised intersections).
* baseline: for each plot, ``rasterio.mask.mask`` on the slope raster (cells whose
  centre lies in the plot; mean, max, steep share) and the flood share by intersecting
  the plot with the flood polygons an STRtree finds for it, unioned.

Both start from the same in-memory DEM and slope grid (slope computed once, timed
apart). Plots: real Jena landuse polygons replicated and shifted inside the SRTM tile;
flood zones: a stand-in made from the real Jena water layer (see ``common.py``).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import rasterio
import shapely
from common import bench_flood_layer, bench_plots
from figures import figure
from rasterio.io import MemoryFile
from rasterio.mask import mask

from geo.screening.attributes import share_inside
from geo.screening.raster import STEEP_THRESHOLD_PCT, slope_percent, terrain_stats
from geo.screening.raster_io import DEFAULT_DEM_FILE, read_dem
from geo.settings import Settings


def baseline_terrain(plots_4326: np.ndarray, slope_ds: rasterio.DatasetReader) -> np.ndarray:
    out = np.full((len(plots_4326), 3), np.nan)
    for k, g_deg in enumerate(plots_4326):
        data, _ = mask(slope_ds, [g_deg], crop=True, filled=False)
        cells = data.compressed()
        if cells.size:
            out[k] = cells.mean(), cells.max(), (cells > STEEP_THRESHOLD_PCT).mean()
    return out


def baseline_flood(plots_utm: np.ndarray, flood: np.ndarray) -> np.ndarray:
    tree = shapely.STRtree(flood)
    out = np.zeros(len(plots_utm))
    for k, g_m in enumerate(plots_utm):
        cand = tree.query(g_m, predicate="intersects")
        if len(cand):
            inter = shapely.union_all([g_m.intersection(flood[c]) for c in cand])
            out[k] = inter.area / g_m.area
    return out


def main(n: int = 10_000) -> None:
    settings = Settings()
    plots, offsets = bench_plots(n)
    flood = bench_flood_layer(offsets)
    dem = read_dem(settings.data_dir / DEFAULT_DEM_FILE)
    t0 = time.perf_counter()
    slope = slope_percent(dem.grid)
    t_slope = time.perf_counter() - t0
    print(f"{n:,} plots (real Jena landuse polygons, replicated), {len(flood):,} flood polygons")
    print(
        f"slope grid {dem.grid.shape[0]}x{dem.grid.shape[1]} (geodesic cell sizes): "
        f"{t_slope * 1000:.0f} ms, once, shared by both"
    )

    t0 = time.perf_counter()
    terrain = terrain_stats(plots.geometry, dem.grid, slope=slope)
    t_terrain = time.perf_counter() - t0
    flood_share = share_inside(plots.geometry, flood)
    t_ours = time.perf_counter() - t0

    nodata = np.float32(-9999)
    values = np.where(np.isnan(slope.values), nodata, slope.values).astype("float32")
    profile = {
        "driver": "GTiff",
        "width": values.shape[1],
        "height": values.shape[0],
        "count": 1,
        "dtype": "float32",
        "crs": dem.grid.crs.to_wkt(),
        "transform": dem.grid.transform,
        "nodata": nodata,
    }
    plots_4326 = plots.geometry.to_crs(dem.grid.crs).to_numpy()
    with MemoryFile() as mem:
        with mem.open(**profile) as ds:
            ds.write(values, 1)
        with mem.open() as ds:
            t0 = time.perf_counter()
            base = baseline_terrain(plots_4326, ds)
            t_base_terrain = time.perf_counter() - t0
            base_flood = baseline_flood(plots.geometry.to_numpy(), flood.geometry.to_numpy())
            t_base = time.perf_counter() - t0

    print(f"{'':34}{'seconds':>10}{'plots/s':>12}")
    print(f"{'ours (exactextract + vectorised)':34}{t_ours:>10.2f}{n / t_ours:>12,.0f}")
    print(f"{'baseline (rasterio.mask loop)':34}{t_base:>10.2f}{n / t_base:>12,.0f}")
    print(f"ratio: ours is {t_base / t_ours:.1f}x faster")
    figure("derive: plots per second", n / t_ours, "plots/s")
    figure("derive: speed-up over the rasterio.mask loop", t_base / t_ours, "x")
    t_flood, t_base_flood = t_ours - t_terrain, t_base - t_base_terrain
    print(
        f"  terrain:     ours {t_terrain:.2f} s, baseline {t_base_terrain:.2f} s "
        f"({t_base_terrain / t_terrain:.1f}x)"
    )
    print(
        f"  flood share: ours {t_flood:.2f} s, baseline {t_base_flood:.2f} s "
        f"({t_base_flood / t_flood:.1f}x)"
    )
    ours_slope = terrain["slope_mean_pct"].to_numpy()
    missed = int(np.isnan(base[:, 0]).sum())
    both = ~np.isnan(base[:, 0]) & ~np.isnan(ours_slope)
    print(
        f"plots the baseline could not judge (no cell centre inside): {missed:,}; ours: "
        f"{int(np.isnan(ours_slope).sum()):,}"
    )
    print(
        f"mean |difference| of mean slope where both have one: "
        f"{np.abs(base[both, 0] - ours_slope[both]).mean():.2f} percentage points"
    )
    print(
        f"flood share, max |difference|: {np.abs(base_flood - flood_share).max():.1e}; "
        f"plots touching the stand-in zones: {(flood_share > 0).mean():.0%}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
