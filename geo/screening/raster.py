"""Raster math for plot screening: slope from a DEM and coverage-weighted zonal statistics.

Pure functions on in-memory grids; reading a DEM from disk is :mod:`geo.screening.raster_io`.

Slope in a metric frame
-----------------------
Slope is ``100 * |grad z|`` in per cent (45° = 100 %), by Horn's 3×3 method (as GDAL's
``gdaldem slope``). The cell spacing must be in metres. For a DEM in a projected CRS
(e.g. a GeoTIFF in EPSG:25832) the spacing is the pixel size. For a DEM in geographic
coordinates (the shared SRTM tile ``N50E011.hgt`` is in EPSG:4326, 3 arc-seconds) the
tile is **not reprojected**: each row gets its true geodesic cell width and height on
the WGS84 ellipsoid (around Jena about 58 m × 92 m, see :func:`cell_sizes_m`). This
keeps the measured elevations as published (reprojecting to EPSG:25832 would
interpolate a ~90 m grid once more and smooth the slopes) and still gives every cell
its metric gradient. The difference between geodesic distances and distances in
EPSG:25832 is the UTM scale error (below 0.1 % in Thuringia), far under the accuracy
of SRTM.

Zonal statistics weighted by coverage
-------------------------------------
Per plot, statistics come from :mod:`exactextract`, which computes for every cell the
exact fraction of it covered by the polygon. Means are weighted by that fraction, so a
plot smaller than one cell is judged by the cells it touches in proportion to how much
it touches them, not by a single cell centre. Cell areas of a geographic grid change
by ``cos(latitude)`` from row to row (under 0.01 % across a plot); that is ignored.
A maximum is taken over all cells the plot touches. Cells without data (SRTM voids,
outside the DEM) are left out; :func:`terrain_stats` reports the share of the plot
that had data (``dem_valid_share``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from exactextract import exact_extract
from exactextract.feature import Feature, FeatureSource
from exactextract.operation import Operation
from exactextract.raster import NumPyRasterSource
from pyproj import CRS, Geod

from geo.errors import CRSError, InputError
from geo.region.model import require_crs

#: Default threshold for the share of a plot that counts as steep, in per cent.
STEEP_THRESHOLD_PCT = 15.0

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Grid:
    """A single-band raster in memory.

    Attributes
    ----------
    values
        2-D float array, ``NaN`` where there is no data.
    transform
        Affine transform of the upper-left corner (north-up grids only).
    crs
        The grid's CRS.
    """

    values: np.ndarray
    transform: Affine
    crs: CRS  # anything pyproj.CRS.from_user_input takes (rasterio CRS too)

    def __post_init__(self) -> None:
        object.__setattr__(self, "crs", CRS.from_user_input(self.crs))
        if self.values.ndim != 2:
            raise InputError(f"Grid.values must be 2-D, got shape {self.values.shape}.")
        t = self.transform
        if t.b != 0 or t.d != 0 or t.a <= 0 or t.e >= 0:
            raise InputError(
                "Grid.transform must be north-up without rotation (a > 0, e < 0, b = d = 0); "
                "warp the raster first (gdalwarp)."
            )

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) in the grid's CRS."""
        rows, cols = self.shape
        t = self.transform
        return (t.c, t.f + rows * t.e, t.c + cols * t.a, t.f)

    def with_values(self, values: np.ndarray) -> Grid:
        """Return a grid on the same raster with other values."""
        return Grid(values=values, transform=self.transform, crs=self.crs)


@dataclass(frozen=True)
class Dem:
    """An elevation grid (metres) and the version of the file it came from."""

    grid: Grid
    version: str


def cell_sizes_m(transform: Affine, rows: int, crs: CRS) -> tuple[np.ndarray, np.ndarray]:
    """Return the cell width and height in metres for every row of a grid.

    Parameters
    ----------
    transform
        North-up affine transform of the grid.
    rows
        Number of rows.
    crs
        The grid's CRS: geographic (degrees: geodesic sizes on its ellipsoid, per row)
        or projected (the pixel size times the unit's length in metres).

    Returns
    -------
    (dx, dy)
        Two float arrays of length ``rows``.
    """
    if crs.is_geographic:
        geod = crs.get_geod() or _GEOD
        lat = transform.f + (np.arange(rows) + 0.5) * transform.e
        lon0 = np.full(rows, transform.c)
        _, _, dx = geod.inv(lon0, lat, lon0 + transform.a, lat)
        _, _, dy = geod.inv(lon0, lat + transform.e / 2, lon0, lat - transform.e / 2)
        return np.asarray(dx, dtype="float64"), np.asarray(dy, dtype="float64")
    if not crs.is_projected:
        raise CRSError(f"DEM CRS {crs.to_string()} is neither geographic nor projected.")
    factor = crs.axis_info[0].unit_conversion_factor if crs.axis_info else 1.0
    dx = np.full(rows, abs(transform.a) * factor)
    dy = np.full(rows, abs(transform.e) * factor)
    return dx, dy


def slope_percent(dem: Grid) -> Grid:
    """Return the slope of ``dem`` in per cent (Horn's method, metric cell sizes).

    Parameters
    ----------
    dem
        Elevation in metres; ``NaN`` for voids.

    Returns
    -------
    Grid
        Same raster; ``NaN`` on the outer ring of cells and wherever a void lies in the
        3×3 neighbourhood (no slope is guessed across a gap).
    """
    z = dem.values.astype("float64", copy=False)
    rows, cols = dem.shape
    out = np.full((rows, cols), np.nan)
    if rows < 3 or cols < 3:
        return dem.with_values(out)
    dx, dy = cell_sizes_m(dem.transform, rows, dem.crs)
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * dx[1:-1, None])
    # rows run southwards: north minus south gives the gradient towards north
    dzdy = ((a + 2 * b + c) - (g + 2 * h + i)) / (8.0 * dy[1:-1, None])
    out[1:-1, 1:-1] = 100.0 * np.hypot(dzdx, dzdy)
    return dem.with_values(out)


class _WkbFeature(Feature):
    """A polygon handed to exactextract as WKB (no attributes)."""

    def __init__(self, wkb: bytes = b"") -> None:
        super().__init__()
        self.wkb = wkb

    def geometry(self) -> bytes:
        return self.wkb

    def get(self, name: str) -> Any:
        raise KeyError(name)

    def fields(self) -> list[str]:
        return []

    def set_geometry(self, wkb: bytes) -> None:
        self.wkb = wkb

    def set_geometry_format(self) -> str:
        return "wkb"

    def set(self, name: str, value: Any) -> None:
        """Output values are collected by the writer, not stored here."""


class _WkbSource(FeatureSource):
    """Polygons as WKB for exactextract: about 3x faster than its GeoDataFrame source,
    which turns every feature into a GeoJSON dict first."""

    def __init__(self, wkbs: np.ndarray, srs_wkt: str) -> None:
        super().__init__()
        self.wkbs = wkbs
        self._srs = srs_wkt

    def count(self) -> int:
        return len(self.wkbs)

    def __iter__(self) -> Iterator[_WkbFeature]:
        for wkb in self.wkbs:
            yield _WkbFeature(wkb)

    def srs_wkt(self) -> str:
        return self._srs


def _source(grid: Grid, name: str) -> NumPyRasterSource:
    xmin, ymin, xmax, ymax = grid.bounds
    return NumPyRasterSource(
        grid.values, xmin, ymin, xmax, ymax, name=name, srs_wkt=grid.crs.to_wkt()
    )


def zonal_stats(
    geoms: gpd.GeoSeries, grids: Mapping[str, Grid], ops: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Coverage-weighted statistics of several grids on the same raster, per geometry.

    Parameters
    ----------
    geoms
        Polygons with a CRS; transformed to the grids' CRS here.
    grids
        Named grids that share one raster (same shape, transform and CRS).
    ops
        Per grid name, exactextract operations (``"mean"``, ``"max"``, ``"count"``, ...).

    Returns
    -------
    DataFrame
        One row per geometry (index of ``geoms``), columns ``<name>_<op>``. ``mean`` is
        weighted by the covered fraction of each cell; ``count`` is the sum of covered
        fractions of cells with data (in cells); cells without data are left out.
    """
    require_crs(gpd.GeoDataFrame(geometry=geoms), "geoms")
    first = next(iter(grids.values()))
    for name, grid in grids.items():
        if grid.shape != first.shape or grid.transform != first.transform:
            raise InputError(f"grid {name!r} is not on the same raster as the others.")
    columns = [f"{name}_{op}" for name, names in ops.items() for op in names]
    if len(geoms) == 0:
        return pd.DataFrame(columns=columns, index=geoms.index, dtype="float64")
    wkbs = shapely.to_wkb(geoms.to_crs(first.crs).to_numpy())
    features = _WkbSource(wkbs, first.crs.to_wkt())
    sources = {name: _source(grid, name) for name, grid in grids.items() if name in ops}
    operations = [
        Operation(op, f"{name}_{op}", sources[name]) for name, names in ops.items() for op in names
    ]
    res = exact_extract(list(sources.values()), features, operations, output="pandas")
    out = pd.DataFrame(res, columns=columns).astype("float64")
    out.index = geoms.index
    return out


def terrain_stats(
    geoms: gpd.GeoSeries,
    dem: Grid,
    steep_threshold_pct: float = STEEP_THRESHOLD_PCT,
    slope: Grid | None = None,
) -> pd.DataFrame:
    """Elevation and slope statistics per polygon, weighted by cell coverage.

    Parameters
    ----------
    geoms
        Plot polygons with a CRS.
    dem
        Elevation grid in metres (``NaN`` = void).
    steep_threshold_pct
        Slope above which a cell counts as steep, in per cent.
    slope
        The slope grid of ``dem`` if already computed (see :func:`slope_percent`).

    Returns
    -------
    DataFrame
        ``elev_mean_m``, ``slope_mean_pct``, ``slope_max_pct``, ``steep_share`` (0–1,
        covered share of the plot steeper than the threshold) and ``dem_valid_share``
        (share of the plot with slope data, 0 outside the DEM).
    """
    if steep_threshold_pct < 0:
        raise InputError(f"steep_threshold_pct must be >= 0, got {steep_threshold_pct}.")
    slope = slope if slope is not None else slope_percent(dem)
    steep = np.where(np.isnan(slope.values), np.nan, slope.values > steep_threshold_pct)
    grids = {
        "elev": dem,
        "slope": slope,
        "steep": dem.with_values(steep.astype("float64")),
        "ones": dem.with_values(np.ones(dem.shape)),
    }
    ops = {
        "elev": ["mean"],
        "slope": ["mean", "max", "count"],
        "steep": ["mean"],
        "ones": ["count"],
    }
    raw = zonal_stats(geoms, grids, ops)
    total = raw["ones_count"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        valid = np.where(total > 0, raw["slope_count"].to_numpy() / total, 0.0)
    return pd.DataFrame(
        {
            "elev_mean_m": raw["elev_mean"],
            "slope_mean_pct": raw["slope_mean"],
            "slope_max_pct": raw["slope_max"],
            "steep_share": raw["steep_mean"],
            "dem_valid_share": np.clip(valid, 0.0, 1.0),
        },
        index=geoms.index,
    )
