"""Tests of geo.screening.raster (slope, coverage-weighted zonal statistics) and
geo.screening.raster_io."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS, Transformer
from shapely.geometry import Point, box

from geo.errors import InputError
from geo.screening.raster import Grid, cell_sizes_m, slope_percent, terrain_stats, zonal_stats
from geo.screening.raster_io import read_dem
from geo.settings import Settings

UTM = CRS.from_epsg(25832)
X0, Y0 = 680_000.0, 5_650_000.0  # upper-left corner of the synthetic grids (near Jena)


def metric_grid(values: np.ndarray, cell: float = 10.0) -> Grid:
    return Grid(
        values=values.astype("float64"), transform=Affine(cell, 0, X0, 0, -cell, Y0), crs=UTM
    )


def plane(rows: int, cols: int, gx: float, gy: float, cell: float = 10.0) -> np.ndarray:
    """Elevation z = gx * x + gy * y over cell centres (x east, y north, metres)."""
    x = X0 + (np.arange(cols) + 0.5) * cell
    y = Y0 - (np.arange(rows) + 0.5) * cell
    return gx * x[None, :] + gy * y[:, None] - (gx * X0 + gy * Y0)


def polys(*geoms: object) -> gpd.GeoSeries:
    return gpd.GeoSeries(list(geoms), crs=UTM)


def test_flat_dem_has_zero_slope() -> None:
    dem = metric_grid(np.full((50, 50), 212.0))
    slope = slope_percent(dem)
    assert np.nanmax(slope.values) == 0.0
    stats = terrain_stats(polys(box(X0 + 100, Y0 - 300, X0 + 300, Y0 - 100)), dem)
    assert stats["slope_mean_pct"].iloc[0] == 0.0
    assert stats["slope_max_pct"].iloc[0] == 0.0
    assert stats["steep_share"].iloc[0] == 0.0
    assert stats["elev_mean_m"].iloc[0] == pytest.approx(212.0)
    assert stats["dem_valid_share"].iloc[0] == pytest.approx(1.0)


def test_inclined_plane_gives_its_slope() -> None:
    dem = metric_grid(plane(60, 80, gx=0.12, gy=-0.05))
    expected = 100 * math.hypot(0.12, 0.05)  # 13 %
    slope = slope_percent(dem)
    inner = slope.values[1:-1, 1:-1]
    np.testing.assert_allclose(inner, expected, rtol=1e-9)
    assert np.isnan(slope.values[0]).all() and np.isnan(slope.values[:, -1]).all()
    stats = terrain_stats(polys(box(X0 + 105, Y0 - 333, X0 + 257, Y0 - 121)), dem)
    assert stats["slope_mean_pct"].iloc[0] == pytest.approx(expected)
    assert stats["steep_share"].iloc[0] == 0.0
    stats_10 = terrain_stats(polys(box(X0 + 105, Y0 - 333, X0 + 257, Y0 - 121)), dem, 10.0)
    assert stats_10["steep_share"].iloc[0] == pytest.approx(1.0)


def test_slope_direction_north_south_and_east_west_is_symmetric() -> None:
    east = slope_percent(metric_grid(plane(10, 10, 0.2, 0.0))).values[5, 5]
    north = slope_percent(metric_grid(plane(10, 10, 0.0, 0.2))).values[5, 5]
    assert east == pytest.approx(20.0) and north == pytest.approx(20.0)


def test_geographic_dem_uses_geodesic_cell_sizes() -> None:
    # a plane of 8 % defined in metres, sampled on a 3-arc-second grid like SRTM
    res = 1 / 1200
    lon0, lat0 = 11.5, 50.95
    rows, cols = 40, 40
    lon = lon0 + (np.arange(cols) + 0.5) * res
    lat = lat0 - (np.arange(rows) + 0.5) * res
    lons, lats = np.meshgrid(lon, lat)
    x, _y = Transformer.from_crs(4326, 25832, always_xy=True).transform(lons, lats)
    z = 0.08 * (x - x.min())
    dem = Grid(values=z, transform=Affine(res, 0, lon0, 0, -res, lat0), crs=CRS.from_epsg(4326))
    slope = slope_percent(dem).values[1:-1, 1:-1]
    # UTM scale error and the grid convergence angle at 11.5° E stay far below 1 %
    np.testing.assert_allclose(slope, 8.0, rtol=0.01)


def test_cell_sizes_of_srtm_cells_at_jena() -> None:
    res = 1 / 1200
    dx, dy = cell_sizes_m(Affine(res, 0, 11.0, 0, -res, 51.0), 1200, CRS.from_epsg(4326))
    # independent spherical estimate (mean radius): within 0.5 %
    r = 6_371_000.0
    lat = 51.0 - (np.arange(1200) + 0.5) * res
    np.testing.assert_allclose(dx, r * np.radians(res) * np.cos(np.radians(lat)), rtol=5e-3)
    np.testing.assert_allclose(dy, r * np.radians(res), rtol=5e-3)
    assert 57 < dx[60] < 60 and 92 < dy[60] < 93.5


def test_coverage_weighting_judges_small_plots_by_all_cells_they_touch() -> None:
    values = np.zeros((4, 4))
    values[:, 2:] = 10.0  # left half 0, right half 10 (cells of 10 m)
    grid = metric_grid(values)
    ops = {"v": ["mean", "max"]}
    # a 7.5 m × 5 m plot straddling the boundary between a 0-cell and a 10-cell
    small = box(X0 + 17.5, Y0 - 22, X0 + 25, Y0 - 17)  # x 17.5..25: 2.5 m left, 5 m right
    res = zonal_stats(polys(small), {"v": grid}, ops)
    left, right = 20 - 17.5, 25 - 20
    assert res["v_mean"].iloc[0] == pytest.approx(10 * right / (left + right))
    assert res["v_max"].iloc[0] == 10.0
    # a plot inside one cell takes that cell's value
    inside = zonal_stats(polys(box(X0 + 1, Y0 - 9, X0 + 4, Y0 - 6)), {"v": grid}, ops)
    assert inside["v_mean"].iloc[0] == 0.0


def test_steep_share_is_coverage_weighted() -> None:
    dem = metric_grid(np.zeros((10, 10)))
    slope_values = np.full((10, 10), 5.0)
    slope_values[:, :5] = 20.0
    stats = terrain_stats(
        polys(box(X0 + 30, Y0 - 80, X0 + 70, Y0 - 20)),
        dem,
        steep_threshold_pct=15.0,
        slope=dem.with_values(slope_values),
    )
    assert stats["steep_share"].iloc[0] == pytest.approx(0.5)
    assert stats["slope_mean_pct"].iloc[0] == pytest.approx(12.5)
    assert stats["slope_max_pct"].iloc[0] == 20.0


def test_voids_and_outside_report_valid_share() -> None:
    values = plane(20, 20, 0.1, 0.0)
    values[:, 10:] = np.nan
    dem = metric_grid(values)
    stats = terrain_stats(
        polys(
            box(X0 + 20, Y0 - 120, X0 + 60, Y0 - 80),  # on data
            box(X0 + 140, Y0 - 120, X0 + 180, Y0 - 80),  # on voids
            box(X0 + 5000, Y0 - 120, X0 + 5100, Y0 - 80),  # outside the grid
        ),
        dem,
    )
    assert stats["dem_valid_share"].tolist() == pytest.approx([1.0, 0.0, 0.0])
    assert stats["slope_mean_pct"].iloc[0] == pytest.approx(10.0)
    assert stats["slope_mean_pct"].iloc[1:].isna().all()


def test_grid_refuses_rotated_transform() -> None:
    with pytest.raises(InputError, match="north-up"):
        Grid(values=np.zeros((3, 3)), transform=Affine(10, 1, 0, 0, -10, 0), crs=UTM)


def test_zonal_stats_of_no_geometries() -> None:
    out = zonal_stats(
        gpd.GeoSeries([], crs=UTM), {"v": metric_grid(np.zeros((3, 3)))}, {"v": ["mean"]}
    )
    assert out.empty and list(out.columns) == ["v_mean"]


# -- the shared SRTM tile ----------------------------------------------------------------

SRTM = Settings().data_dir / "N50E011.hgt"
needs_srtm = pytest.mark.skipif(not SRTM.is_file(), reason="shared SRTM tile not present")

#: A hillside east of the Saale in Jena where the SRTM cells lie close to one plane.
HILLSIDE = (11.6025, 50.9525)


@needs_srtm
def test_real_hillside_slope_matches_an_independent_plane_fit() -> None:
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    cx, cy = to_utm.transform(*HILLSIDE)
    plot = box(cx - 100, cy - 100, cx + 100, cy + 100)
    dem = read_dem(SRTM, bounds=plot.bounds)
    got = terrain_stats(polys(plot), dem.grid)["slope_mean_pct"].iloc[0]

    # independent: least-squares plane through the raw cells within 150 m, in EPSG:25832
    with rasterio.open(SRTM) as ds:
        z = ds.read(1).astype("float64")
        rows, cols = np.mgrid[0 : ds.height, 0 : ds.width]
        t = ds.transform
        lon, lat = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    near = (np.abs(lon - HILLSIDE[0]) < 0.004) & (np.abs(lat - HILLSIDE[1]) < 0.003)
    x, y = to_utm.transform(lon[near], lat[near])
    keep = plot.buffer(50).contains(gpd.points_from_xy(x, y))
    a = np.c_[x[keep], y[keep], np.ones(keep.sum())]
    coef, *_ = np.linalg.lstsq(a, z[near][keep], rcond=None)
    expected = 100 * math.hypot(coef[0], coef[1])
    assert keep.sum() >= 9
    assert 8 < expected < 20
    print(f"hillside: derived {got:.2f} %, plane fit {expected:.2f} %")
    assert got == pytest.approx(expected, rel=0.05)


@needs_srtm
def test_read_dem_window_equals_the_whole_tile() -> None:
    whole = read_dem(SRTM)
    assert whole.grid.shape == (1201, 1201)
    assert whole.version.startswith("N50E011.hgt@")
    to_utm = Transformer.from_crs(4326, 25832, always_xy=True)
    p = Point(*to_utm.transform(*HILLSIDE)).buffer(300)
    part = read_dem(SRTM, bounds=p.bounds)
    assert part.grid.shape[0] < 40 and part.grid.shape[1] < 40
    a = terrain_stats(polys(p), whole.grid)
    b = terrain_stats(polys(p), part.grid)
    np.testing.assert_allclose(a.to_numpy(), b.to_numpy())


def test_read_dem_of_a_geotiff_in_utm(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    values = plane(30, 30, 0.0, 0.25).astype("float32")
    values[0, 0] = -9999
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=30,
        height=30,
        count=1,
        dtype="float32",
        crs="EPSG:25832",
        transform=Affine(10, 0, X0, 0, -10, Y0),
        nodata=-9999,
    ) as ds:
        ds.write(values, 1)
    dem = read_dem(path)
    assert np.isnan(dem.grid.values[0, 0])
    stats = terrain_stats(polys(box(X0 + 50, Y0 - 250, X0 + 250, Y0 - 50)), dem.grid)
    assert stats["slope_mean_pct"].iloc[0] == pytest.approx(25.0, rel=1e-5)
