"""Feature collections as OGC API – Features serves them: pure functions, no I/O.

A collection is a GeoDataFrame in EPSG:4326 with an identifier column. This module parses
and checks the query parameters of OGC API – Features Part 1 (``bbox``, ``limit``,
``offset``), filters by bounding box, cuts pages, finds single features and turns frames
into GeoJSON features. The collections themselves (what is published, to whom) are
registered in :mod:`geo.ogc.catalog`; the HTTP layer is ``api/routers/ogc.py``.

Coordinates at this edge are CRS84 (longitude, latitude), the default CRS of the standard.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import NotFoundError, QueryParameterError
from geo.ogc.export import to_geojson
from geo.region.model import require_crs
from geo.settings import WEB_CRS

#: CRS URI of longitude/latitude on WGS 84, the default CRS of OGC API – Features.
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#: CRS URI of CRS84 with ellipsoidal height (6-number bounding boxes).
CRS84H = "http://www.opengis.net/def/crs/OGC/0/CRS84h"
#: Page size when the client gives no ``limit``.
DEFAULT_LIMIT = 10
#: Largest page; a larger ``limit`` is served as this many features (as the standard asks).
MAX_LIMIT = 10_000
#: Largest ``offset`` accepted (far beyond any collection here; guards integer overflow).
MAX_OFFSET = 10_000_000


@dataclass(frozen=True)
class Page:
    """One page of a collection: the features and the numbers the response reports."""

    frame: gpd.GeoDataFrame
    number_matched: int
    offset: int
    limit: int

    @property
    def number_returned(self) -> int:
        """How many features this page holds."""
        return len(self.frame)

    @property
    def next_offset(self) -> int | None:
        """Offset of the next page, ``None`` on the last page."""
        after = self.offset + self.number_returned
        return after if after < self.number_matched else None

    @property
    def prev_offset(self) -> int | None:
        """Offset of the previous page, ``None`` on the first page."""
        return max(0, self.offset - self.limit) if self.offset > 0 else None


def parse_bbox(text: str | None) -> tuple[float, float, float, float] | None:
    """Parse the ``bbox`` parameter: ``minlon,minlat,maxlon,maxlat`` in CRS84.

    Six numbers (with heights) are accepted and the heights ignored. Longitudes may cross
    the antimeridian (``minlon > maxlon``) as the standard allows.

    Raises
    ------
    QueryParameterError
        When the text is not 4 or 6 finite numbers, a latitude lies outside [-90, 90],
        a longitude outside [-180, 180], or the south edge lies north of the north edge.
    """
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    hint = (
        "Give bbox=minlon,minlat,maxlon,maxlat in degrees (CRS84), e.g. bbox=11.4,50.8,11.8,51.0."
    )
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
    minx, miny, maxx, maxy = nums
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180):
        raise QueryParameterError(f"bbox longitudes must lie in [-180, 180], got {text!r}. {hint}")
    if not (-90 <= miny <= 90 and -90 <= maxy <= 90):
        raise QueryParameterError(f"bbox latitudes must lie in [-90, 90], got {text!r}. {hint}")
    if miny > maxy:
        raise QueryParameterError(
            f"bbox south edge {miny} lies north of its north edge {maxy}. {hint}"
        )
    return minx, miny, maxx, maxy


def check_paging(limit: int | None, offset: int | None) -> tuple[int, int]:
    """Return ``(limit, offset)`` to serve: defaults filled in, ``limit`` capped at the max.

    Raises
    ------
    QueryParameterError
        When ``limit`` is below 1 or ``offset`` below 0 or beyond :data:`MAX_OFFSET`.
    """
    if limit is None:
        limit = DEFAULT_LIMIT
    if limit < 1:
        raise QueryParameterError(
            f"limit must be at least 1, got {limit}. Give limit=1..{MAX_LIMIT} "
            f"(larger values are served as {MAX_LIMIT})."
        )
    if offset is None:
        offset = 0
    if offset < 0 or offset > MAX_OFFSET:
        raise QueryParameterError(f"offset must lie in 0..{MAX_OFFSET}, got {offset}.")
    return min(limit, MAX_LIMIT), offset


def filter_bbox(
    gdf: gpd.GeoDataFrame, bbox: tuple[float, float, float, float] | None
) -> gpd.GeoDataFrame:
    """Return the features of ``gdf`` (EPSG:4326) whose geometry intersects ``bbox``.

    A box crossing the antimeridian (``minlon > maxlon``) is split in two.
    """
    require_crs(gdf, "gdf")
    if bbox is None:
        return gdf
    if not gdf.crs.equals(WEB_CRS):
        gdf = gdf.to_crs(WEB_CRS)
    hits = positions_in(gdf, bbox_polygons(bbox))
    return gdf.iloc[hits]


def bbox_polygons(bbox: tuple[float, float, float, float]) -> list[shapely.Geometry]:
    """The box ``minlon,minlat,maxlon,maxlat`` as polygons (two across the antimeridian)."""
    minx, miny, maxx, maxy = bbox
    if minx <= maxx:
        return [shapely.box(minx, miny, maxx, maxy)]
    return [shapely.box(minx, miny, 180, maxy), shapely.box(-180, miny, maxx, maxy)]


def positions_in(gdf: gpd.GeoDataFrame, boxes: list[shapely.Geometry] | None) -> list[int]:
    """Positions (in order) of the rows of ``gdf`` whose geometry intersects any of ``boxes``.

    ``None`` means no spatial restriction (every position). Boxes are in the CRS of ``gdf``.
    """
    if boxes is None:
        return list(range(len(gdf)))
    hits: set[int] = set()
    for b in boxes:
        _, idx = gdf.sindex.query([b], predicate="intersects")
        hits.update(int(i) for i in idx)
    return sorted(hits)


def page(gdf: gpd.GeoDataFrame, limit: int, offset: int) -> Page:
    """Cut the page ``[offset, offset + limit)`` out of ``gdf`` (in its order)."""
    return Page(
        frame=gdf.iloc[offset : offset + limit], number_matched=len(gdf), offset=offset, limit=limit
    )


def find_feature(
    gdf: gpd.GeoDataFrame, id_field: str, feature_id: str, what: str
) -> gpd.GeoDataFrame:
    """Return the one-row frame whose ``id_field`` equals ``feature_id``.

    Raises
    ------
    NotFoundError
        When no feature has that id (the message names the collection ``what``).
    """
    hit = gdf[gdf[id_field].astype(str) == feature_id]
    if hit.empty:
        raise NotFoundError(f"no feature {feature_id!r} in collection {what!r}.")
    return hit.iloc[:1]


def extent(gdf: gpd.GeoDataFrame) -> list[float] | None:
    """Return ``[minlon, minlat, maxlon, maxlat]`` of ``gdf`` in CRS84 (``None`` if empty)."""
    require_crs(gdf, "gdf")
    if gdf.empty:
        return None
    web = gdf if gdf.crs.equals(WEB_CRS) else gdf.to_crs(WEB_CRS)
    bounds = np.asarray(web.total_bounds, dtype=float)
    if not np.isfinite(bounds).all():
        return None
    return [round(float(b), 6) for b in bounds]


def to_features(
    gdf: gpd.GeoDataFrame, id_field: str, properties: Sequence[str]
) -> list[dict[str, Any]]:
    """Return the rows of ``gdf`` as GeoJSON features (EPSG:4326) with ``id`` and properties.

    Parameters
    ----------
    gdf
        Features in any CRS (refused without one).
    id_field
        Column that becomes each feature's ``id`` (as string).
    properties
        Columns published as properties, in this order (missing columns are skipped).
    """
    require_crs(gdf, "gdf")
    cols = [c for c in properties if c in gdf.columns]
    if id_field not in cols:
        cols = [id_field, *cols]
    fc = to_geojson(gdf[[*cols, "geometry"]])
    ids = gdf[id_field].astype(str).tolist()
    out: list[dict[str, Any]] = []
    for fid, feat in zip(ids, fc["features"], strict=True):
        out.append({"type": "Feature", "id": fid, **{k: v for k, v in feat.items() if k != "type"}})
    return out
