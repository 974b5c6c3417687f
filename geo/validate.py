"""Strict checks of what callers send: GeoJSON geometries and typed plot properties.

The ONE validator of incoming geometries: the API (``POST``/``PATCH /plots``, the flood
polygons of ``POST /plots/screen``) and the import paths (:func:`geo.landpool.io.read_plots`)
call it, so a polygon at lon 500, coordinates ``[true, false]`` or ``["11.5", "50.9"]``,
``NaN`` or a polygon far outside the region is refused with a message naming the problem
instead of being stored (or failing deep inside GEOS).

Coordinates are checked in WGS84 (EPSG:4326, RFC 7946): numbers only (``bool`` is not a
number here), finite, lon −180…180, lat −90…90, and inside ``Settings.plot_extent``
unless ``Settings.allow_outside_extent`` is set.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.settings import WEB_CRS, Settings

#: GeoJSON geometry types and how deep their ``coordinates`` nest positions.
_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
#: The polygonal types (plots, flood zones).
POLYGONAL = ("Polygon", "MultiPolygon")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _positions(coords: Any, depth: int, where: str) -> Iterable[tuple[float, float]]:
    """Yield every (lon, lat) of a ``coordinates`` array nested ``depth`` levels deep."""
    if depth == 0:
        if not isinstance(coords, list | tuple) or len(coords) not in (2, 3):
            raise InputError(f"{where}: a position must be [lon, lat] (or [lon, lat, height]).")
        for value in coords:
            if not _is_number(value):
                raise InputError(
                    f"{where}: coordinate {value!r} is not a number; "
                    "GeoJSON coordinates are numbers (not text, not true/false)."
                )
            if not math.isfinite(value):
                raise InputError(f"{where}: coordinate {value!r} is not a finite number.")
        lon, lat = float(coords[0]), float(coords[1])
        if not -180 <= lon <= 180:
            raise InputError(f"{where}: longitude {lon:g} is outside −180…180.")
        if not -90 <= lat <= 90:
            raise InputError(f"{where}: latitude {lat:g} is outside −90…90.")
        yield lon, lat
        return
    if not isinstance(coords, list | tuple):
        raise InputError(f"{where}: coordinates must be nested arrays of [lon, lat] positions.")
    for i, part in enumerate(coords):
        yield from _positions(part, depth - 1, f"{where}[{i}]")


def check_coordinates(
    lonlat: Sequence[tuple[float, float]] | np.ndarray,
    settings: Settings,
    where: str = "geometry",
) -> None:
    """Refuse positions outside ``settings.plot_extent`` (unless the setting allows it)."""
    if settings.allow_outside_extent or len(lonlat) == 0:
        return
    arr = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    x0, y0, x1, y1 = settings.plot_extent
    outside = (arr[:, 0] < x0) | (arr[:, 0] > x1) | (arr[:, 1] < y0) | (arr[:, 1] > y1)
    if outside.any():
        lon, lat = arr[int(np.argmax(outside))]
        raise InputError(
            f"{where}: position ({lon:.5f}, {lat:.5f}) lies outside the region extent "
            f"{x0:g},{y0:g},{x1:g},{y1:g} (lon/lat, STADTREGION_PLOT_EXTENT); "
            "set STADTREGION_ALLOW_OUTSIDE_EXTENT=true to accept it."
        )


def parse_geojson_geometry(
    value: Any,
    settings: Settings,
    *,
    types: Sequence[str] = POLYGONAL,
    where: str = "geometry",
) -> BaseGeometry:
    """Check a GeoJSON geometry object strictly and return it as a shapely geometry (WGS84).

    Raises
    ------
    InputError
        Naming the first problem: not an object, a wrong or unsupported ``type``, a
        position that is not 2–3 finite numbers, lon/lat out of range, outside the region
        extent, or too many vertices (``Settings.max_geometry_vertices``).
    """
    if not isinstance(value, Mapping):
        raise InputError(f"{where} must be a GeoJSON geometry object.")
    kind = value.get("type")
    if kind not in types:
        raise InputError(f"{where}: type {kind!r} is not accepted; use {' or '.join(types)}.")
    if "coordinates" not in value:
        raise InputError(f"{where}: coordinates are missing.")
    points: list[tuple[float, float]] = []
    for pos in _positions(value["coordinates"], _DEPTH[str(kind)], f"{where}.coordinates"):
        points.append(pos)
        if len(points) > settings.max_geometry_vertices:
            raise InputError(
                f"{where} has more than {settings.max_geometry_vertices} vertices "
                "(STADTREGION_MAX_GEOMETRY_VERTICES)."
            )
    check_coordinates(points, settings, where)
    try:
        geom = shapely.geometry.shape({"type": kind, "coordinates": value["coordinates"]})
    except Exception as exc:  # shapely raises several kinds for malformed rings
        raise InputError(f"{where} is not valid GeoJSON ({exc}).") from None
    return geom


def extent_problem(geom: BaseGeometry | None, settings: Settings) -> str | None:
    """What is wrong with the vertices of a geometry in WGS84, or ``None`` when nothing.

    For geometries read from files (imports): a vertex that is not a finite number, or
    one outside the lon/lat range or the region extent.
    """
    if geom is None or geom.is_empty:
        return None
    coords = shapely.get_coordinates(geom)
    if not np.isfinite(coords).all():
        return "a coordinate is not a finite number."
    bad_lon = (coords[:, 0] < -180) | (coords[:, 0] > 180)
    bad_lat = (coords[:, 1] < -90) | (coords[:, 1] > 90)
    if bad_lon.any() or bad_lat.any():
        return "a position lies outside lon −180…180 / lat −90…90 (is the CRS right?)."
    try:
        check_coordinates(coords, settings)
    except InputError as exc:
        return str(exc)
    return None


def to_wgs84(series: gpd.GeoSeries) -> list[BaseGeometry | None]:
    """The geometries of ``series`` in WGS84 (``None`` where missing)."""
    out: list[BaseGeometry | None] = [None] * len(series)
    has = (~series.isna() & ~series.is_empty).to_numpy()
    if has.any() and series.crs is not None:
        web = series[has].to_crs(WEB_CRS).to_numpy()
        for pos, g in zip(np.flatnonzero(has), web, strict=True):
            out[int(pos)] = g
    return out


# -- typed plot properties -----------------------------------------------------------------
#: Properties that hold yes/no values; every other plot property holds text (or null).
BOOL_PROPERTIES = frozenset({"confidential"})


def check_property_types(props: Mapping[str, Any], where: str = "properties") -> None:
    """Refuse JSON values of the wrong type in plot properties (all problems at once).

    Text properties take a string or ``null``; ``confidential`` takes ``true``/``false``
    (or ``null``). An object, array or number is refused rather than stored as its text
    (``{"a": 1}`` would otherwise become the string ``"{'a': 1}"``).
    """
    problems = []
    for key, value in props.items():
        if value is None:
            continue
        if key in BOOL_PROPERTIES:
            if not isinstance(value, bool):
                problems.append(f"{where}.{key} must be true or false, not {_json_type(value)}")
        elif not isinstance(value, str):
            problems.append(f"{where}.{key} must be text (a string), not {_json_type(value)}")
    if problems:
        raise InputError("; ".join(problems) + ".")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "an array"
    return type(value).__name__
