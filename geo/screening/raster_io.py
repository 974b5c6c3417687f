"""Reading digital elevation models (DEM) from disk into :class:`geo.screening.raster.Grid`.

Any single-band raster GDAL reads works: the shared SRTM tile ``N50E011.hgt`` (the
default, EPSG:4326) or a GeoTIFF DEM in any CRS (e.g. Thuringia's DGM in EPSG:25832).
Elevations are taken as metres.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from pyproj import CRS, Transformer
from rasterio.errors import RasterioIOError
from rasterio.windows import Window, from_bounds

from geo.errors import DataSourceError
from geo.screening.raster import Dem, Grid
from geo.settings import WORK_CRS
from geo.sources import require_file

#: The DEM used when none is configured: one SRTM3 tile of the shared pack.
DEFAULT_DEM_FILE = "N50E011.hgt"


def dem_version(path: Path) -> str:
    """Return a version string for a DEM file: name, size and modification time.

    A DEM can be gigabytes, so it is not hashed; a changed file changes its size or
    modification time.
    """
    st = path.stat()
    return f"{path.name}@size={st.st_size},mtime={int(st.st_mtime)}"


def read_dem(
    path: Path,
    bounds: tuple[float, float, float, float] | None = None,
    bounds_crs: str = WORK_CRS,
    margin_cells: int = 3,
) -> Dem:
    """Read band 1 of a DEM file as a float grid with ``NaN`` for no-data.

    Parameters
    ----------
    path
        Any raster GDAL opens (SRTM ``.hgt``, GeoTIFF, ...). It needs a CRS.
    bounds
        Only read the window covering these bounds (xmin, ymin, xmax, ymax), plus
        ``margin_cells`` on every side so that slopes at the edge can be computed.
        ``None`` reads the whole raster.
    bounds_crs
        CRS of ``bounds`` (default the working CRS).
    margin_cells
        Extra cells read around ``bounds``.
    """
    require_file(path, "DEM")
    try:
        with rasterio.open(path) as ds:
            if ds.crs is None:
                raise DataSourceError(
                    f"DEM {path} has no CRS; assign one with gdal_edit.py -a_srs."
                )
            window = Window(0, 0, ds.width, ds.height)
            if bounds is not None:
                tr = Transformer.from_crs(
                    CRS.from_user_input(bounds_crs), CRS.from_user_input(ds.crs), always_xy=True
                )
                xmin, ymin, xmax, ymax = tr.transform_bounds(*bounds, densify_pts=21)
                win = from_bounds(xmin, ymin, xmax, ymax, transform=ds.transform)
                col0 = max(int(np.floor(win.col_off)) - margin_cells, 0)
                row0 = max(int(np.floor(win.row_off)) - margin_cells, 0)
                col1 = min(int(np.ceil(win.col_off + win.width)) + margin_cells, ds.width)
                row1 = min(int(np.ceil(win.row_off + win.height)) + margin_cells, ds.height)
                if col1 <= col0 or row1 <= row0:
                    col0 = row0 = 0
                    col1 = row1 = 1  # outside: one cell, the statistics come out empty
                window = Window(col0, row0, col1 - col0, row1 - row0)
            values = ds.read(1, window=window, masked=True).astype("float64")
            transform = ds.window_transform(window)
            crs = ds.crs
    except RasterioIOError as exc:
        raise DataSourceError(f"DEM {path} cannot be read: {exc}") from exc
    grid = Grid(values=values.filled(np.nan), transform=transform, crs=crs)
    return Dem(grid=grid, version=dem_version(path))
