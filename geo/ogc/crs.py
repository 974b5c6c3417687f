"""Coordinate reference systems of the OGC API (Features Part 2, CRS by reference): pure.

The API serves every collection in four CRS, named by their OGC URIs:

* CRS84 (longitude, latitude on WGS 84), the default of OGC API – Features;
* EPSG:4326 (the same datum, **latitude first**, as the EPSG definition and Part 2 require);
* EPSG:25832 (ETRS89 / UTM zone 32N, the working CRS of the Land and of this project);
* EPSG:3035 (ETRS89 / LAEA Europe, the European statistical grid), whose EPSG axis order is
  northing, easting: coordinates are written ``[y, x]`` as its definition says.

Frames inside the API are EPSG:4326 in GeoPandas' traditional x=longitude order. This
module parses the ``crs``/``bbox-crs``/``filter-crs`` values, reprojects frames and swaps
axes where the CRS says latitude/northing comes first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.errors import QueryParameterError
from geo.settings import WEB_CRS


@dataclass(frozen=True)
class ApiCrs:
    """One CRS the API offers.

    Parameters
    ----------
    uri
        OGC URI of the CRS (``http://www.opengis.net/def/crs/...``).
    code
        What pyproj understands (``OGC:CRS84``, ``EPSG:25832``).
    swap_axes
        Whether the CRS's first axis is latitude or northing (coordinates written ``y, x``).
    precision
        Decimal places of written coordinates (6 for degrees ≈ 0.1 m, 3 for metres = 1 mm).
    """

    uri: str
    code: str
    swap_axes: bool
    precision: int

    @property
    def metric(self) -> bool:
        """Whether coordinates are metres (projected CRS)."""
        return self.precision < 6


CRS84 = ApiCrs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", "OGC:CRS84", False, 6)
EPSG_4326 = ApiCrs("http://www.opengis.net/def/crs/EPSG/0/4326", "EPSG:4326", True, 6)
EPSG_25832 = ApiCrs("http://www.opengis.net/def/crs/EPSG/0/25832", "EPSG:25832", False, 3)
EPSG_3035 = ApiCrs("http://www.opengis.net/def/crs/EPSG/0/3035", "EPSG:3035", True, 3)

#: Every CRS the API serves, CRS84 (the default) first.
SUPPORTED: tuple[ApiCrs, ...] = (CRS84, EPSG_4326, EPSG_25832, EPSG_3035)
_BY_URI = {c.uri: c for c in SUPPORTED}
#: Short spellings accepted besides the URIs (``EPSG:25832``, ``[EPSG:25832]``, ``CRS84``).
_ALIASES = {
    "crs84": CRS84,
    "ogc:crs84": CRS84,
    "epsg:4326": EPSG_4326,
    "epsg:25832": EPSG_25832,
    "epsg:3035": EPSG_3035,
    "http://www.opengis.net/def/crs/ogc/1.3/crs84": CRS84,
}


def supported_uris() -> list[str]:
    """The URIs of :data:`SUPPORTED`, as listed in each collection's ``crs``."""
    return [c.uri for c in SUPPORTED]


def parse_crs(text: str | None, parameter: str = "crs") -> ApiCrs:
    """Return the :class:`ApiCrs` named by ``text`` (CRS84 when ``None``).

    Accepts the OGC URI, and ``EPSG:n``/``[EPSG:n]``/``CRS84`` spellings of the same CRS.

    Raises
    ------
    QueryParameterError
        When the CRS is not one the API serves; the message names the supported ones.
    """
    if text is None:
        return CRS84
    key = text.strip()
    found = _BY_URI.get(key)
    if found is None:
        found = _ALIASES.get(key.strip("[]").lower())
    if found is None:
        raise QueryParameterError(
            f"{parameter} {text!r} is not supported; supported: {', '.join(supported_uris())}."
        )
    return found


def content_crs_header(crs: ApiCrs) -> str:
    """The value of the ``Content-Crs`` response header (the URI in angle brackets)."""
    return f"<{crs.uri}>"


# -- reprojection ---------------------------------------------------------------------------
def _swap_xy(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: c[:, ::-1])


def _round_to(geoms: np.ndarray, precision: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, precision))


def to_output(gdf: gpd.GeoDataFrame, crs: ApiCrs) -> gpd.GeoDataFrame:
    """Return ``gdf`` reprojected to ``crs`` with axes in the CRS's order, rounded.

    The result is for writing out: its geometries hold the coordinates in the order the
    CRS defines (latitude first for EPSG:4326, northing first for EPSG:3035), rounded to
    :attr:`ApiCrs.precision` decimals. Its ``crs`` attribute is the target CRS.
    """
    out = gdf.to_crs(crs.code) if not gdf.crs.equals(CRS(crs.code)) else gdf.copy()
    geoms = np.asarray(out.geometry.values, dtype=object)
    geoms = _round_to(geoms, crs.precision)
    if crs.swap_axes:
        geoms = _swap_xy(geoms)
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=out.crs))


def to_web(geom: shapely.Geometry, crs: ApiCrs) -> shapely.Geometry:
    """Return ``geom`` given in ``crs`` (axes in its order) as EPSG:4326, x = longitude.

    Lines are densified before reprojection (100 m or 0.001°), so a rectangle in UTM stays
    the same area in degrees.
    """
    if crs.swap_axes:
        geom = shapely.transform(geom, lambda c: c[:, ::-1])
    if crs in (CRS84, EPSG_4326):
        return geom
    geom = shapely.segmentize(geom, 100.0)
    transformer = _transformer(crs.code)
    return shapely.transform(
        geom, lambda c: np.column_stack(transformer.transform(c[:, 0], c[:, 1]))
    )


def _transformer(code: str) -> Transformer:
    return Transformer.from_crs(code, WEB_CRS, always_xy=True)


def parse_bbox_in(text: str | None, crs: ApiCrs) -> shapely.Geometry | None:
    """Parse ``bbox`` given in ``crs`` and return it as a polygon in EPSG:4326 (x = lon).

    The four (or six, heights ignored) numbers follow the axis order of ``crs``: for CRS84
    ``minlon,minlat,maxlon,maxlat``, for EPSG:4326 ``minlat,minlon,maxlat,maxlon``, for
    EPSG:25832 ``minE,minN,maxE,maxN``, for EPSG:3035 ``minN,minE,maxN,maxE``.

    Raises
    ------
    QueryParameterError
        When the text is not 4 or 6 finite numbers or a minimum exceeds its maximum.
    """
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    hint = f"Give bbox as 4 numbers in the axis order of bbox-crs ({crs.uri})."
    if len(parts) not in (4, 6):
        raise QueryParameterError(f"bbox must have 4 or 6 numbers, got {len(parts)}. {hint}")
    try:
        nums = [float(p) for p in parts]
    except ValueError:
        raise QueryParameterError(f"bbox must be numbers, got {text!r}. {hint}") from None
    if not all(math.isfinite(n) for n in nums):
        raise QueryParameterError(f"bbox must be finite numbers, got {text!r}. {hint}")
    if len(nums) == 6:
        nums = [nums[0], nums[1], nums[3], nums[4]]
    a0, a1, b0, b1 = nums
    if a0 > b0 or a1 > b1:
        raise QueryParameterError(
            f"bbox lower corner ({a0}, {a1}) lies above its upper corner ({b0}, {b1}). {hint}"
        )
    return to_web(shapely.box(a0, a1, b0, b1), crs)
