"""Derived site attributes of plots: computed from the plot geometry and real layers.

Pure functions on GeoDataFrames (EPSG:25832); reading the layers from disk is
:mod:`geo.screening.io`.

----------------------------------------------
Computed from the plot geometry and real layers, each with the version of the layer it
came from (column ``layer_versions``, a JSON object per plot) so that a stored value can
be traced and recomputed when a layer changes:

``area_ha``
    Plot area in hectares (EPSG:25832).
``ags``, ``municipality``
    The municipality (VG250) holding the largest part of the plot (the register's rule).
``reserve_share``
    Share (0–1) of the plot inside nature reserves.
``elev_mean_m``, ``slope_mean_pct``, ``slope_max_pct``, ``steep_share``
    From the DEM, weighted by cell coverage (:mod:`geo.screening.raster`); ``steep_share`` is
    the share of the plot steeper than ``steep_threshold_pct``.
``flood_share``
    Share (0–1) of the plot inside the flood-zone layer the user gives (HQ100
    polygons). Without such a layer the value is unknown (``NA``), never 0.
``water_proximity_m``
    Distance to the nearest river or water body. A proximity measure, **not** a flood
    zone: a plot 20 m from a stream may be dry, one 500 m away may flood.
``dist_station_m``, ``nearest_station``, ``dist_tram_m``
    Straight-line distance from the plot (its edge; 0 if it contains the target).
``car_min_centre``, ``car_min_station``
    Car minutes on the road network from the plot's representative point to the
    centre and to the nearest station (the best of the ``station_candidates``
    stations nearest in a straight line). Unknown (``NA``) when no road network is given.

Every value that cannot be computed is ``NA``, and ``derive_notes`` says why (no layer
given, plot outside the layer's coverage, outside the DEM). A layer may carry a
*coverage* polygon: the area where it is complete. The Jena OSM extracts cover the city
of Jena only, so a plot outside it gets ``NA`` for them rather than a made-up 0 or a
distance to the wrong feature. Shares need the plot to lie inside the coverage (99 % of
its area); distances need its representative point inside.

Screening (:func:`screen`)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.landpool.plots import derive_municipality
from geo.region.model import to_work_crs
from geo.screening.raster import STEEP_THRESHOLD_PCT, Dem, terrain_stats
from geo.settings import WORK_CRS

#: Share of a plot that must lie inside a layer's coverage for a share to be computed.
COVERAGE_MIN_SHARE = 0.99
#: Share of a plot with DEM data below which terrain values are unknown.
DEM_MIN_VALID_SHARE = 0.5

#: Columns :func:`derive_attributes` adds (or recomputes).
DERIVED_COLUMNS = (
    "area_ha",
    "ags",
    "municipality",
    "reserve_share",
    "elev_mean_m",
    "slope_mean_pct",
    "slope_max_pct",
    "steep_share",
    "steep_threshold_pct",
    "flood_share",
    "water_proximity_m",
    "dist_station_m",
    "nearest_station",
    "dist_tram_m",
    "car_min_centre",
    "car_min_station",
    "derive_notes",
    "layer_versions",
)


# -- layers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """A vector layer used for derived attributes.

    Attributes
    ----------
    gdf
        The features (any CRS; transformed to EPSG:25832).
    version
        Where the values came from: file name and content hash (or another stamp).
    coverage
        Area (EPSG:25832) where the layer is complete; ``None`` = complete wherever
        plots can lie.
    coverage_label
        A short name of that area for the notes (e.g. ``"city of Jena"``).
    """

    gdf: gpd.GeoDataFrame
    version: str
    coverage: BaseGeometry | None = None
    coverage_label: str = ""


class CarEngine(Protocol):
    """What :func:`derive_attributes` needs from a car travel-time engine."""

    def minutes_matrix(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> np.ndarray:
        """Car minutes from every origin to every destination (``NaN`` = unreachable).

        Both series are points in EPSG:25832; the result has shape
        ``(len(origins), len(destinations))``.
        """
        ...


@dataclass(frozen=True)
class CarMinutes:
    """Adapter: a function ``(origins, destinations) -> minutes matrix`` as a CarEngine."""

    fn: Callable[[gpd.GeoSeries, gpd.GeoSeries], np.ndarray]

    def minutes_matrix(self, origins: gpd.GeoSeries, destinations: gpd.GeoSeries) -> np.ndarray:
        """Call the wrapped function."""
        return np.asarray(self.fn(origins, destinations), dtype="float64")


@dataclass(frozen=True)
class ScreeningLayers:
    """The layers plot attributes are derived from; any of them may be missing."""

    municipalities: Layer | None = None
    nature_reserves: Layer | None = None
    water: Layer | None = None
    stations: Layer | None = None
    tram: Layer | None = None
    flood: Layer | None = None
    dem: Dem | None = None
    centre: BaseGeometry | None = None
    centre_label: str = "centre"
    car: CarEngine | None = None
    car_version: str = ""
    steep_threshold_pct: float = STEEP_THRESHOLD_PCT
    station_candidates: int = 5
    extra_versions: Mapping[str, str] = field(default_factory=dict)


# -- geometry helpers -------------------------------------------------------------------


#: Pieces of a polygon layer have at most this many vertices (see :func:`subdivide`).
SUBDIVIDE_MAX_VERTICES = 256


def subdivide(
    geoms: np.ndarray, max_vertices: int = SUBDIVIDE_MAX_VERTICES
) -> tuple[np.ndarray, np.ndarray]:
    """Cut polygons into pieces of at most ``max_vertices`` vertices (as PostGIS ST_Subdivide).

    A plot intersected with a river's flood zone of 300,000 vertices costs as much as
    the whole zone; with pieces it costs as much as the few pieces it touches. Pieces of
    one polygon are disjoint (halved at the middle of the longer side of their extent,
    recursively, level by level; invalid pieces are repaired with ``make_valid``).

    Returns
    -------
    (pieces, source)
        Polygons and, for each piece, the position of the input polygon it came from.
    """
    todo = np.asarray(geoms, dtype=object)
    src = np.arange(len(todo))
    out: list[np.ndarray] = []
    out_src: list[np.ndarray] = []
    for _ in range(40):
        if len(todo) == 0:
            break
        small = shapely.get_num_coordinates(todo) <= max_vertices
        out.append(todo[small])
        out_src.append(src[small])
        big, big_src = todo[~small], src[~small]
        if len(big) == 0:
            todo = big
            break
        x0, y0, x1, y1 = shapely.bounds(big).T
        wide = (x1 - x0) >= (y1 - y0)
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        first = shapely.box(x0, y0, np.where(wide, xm, x1), np.where(wide, y1, ym))
        second = shapely.box(np.where(wide, xm, x0), np.where(wide, y0, ym), x1, y1)
        rects = np.r_[shapely.bounds(first), shapely.bounds(second)]
        # clip_by_rect is several times faster than intersection with a box; its output
        # may be invalid in rare cases, which is repaired below
        halves = np.array(
            [shapely.clip_by_rect(g, *r) for g, r in zip(np.r_[big, big], rects, strict=True)],
            dtype=object,
        )
        halves_src = np.r_[big_src, big_src]
        parts, part_idx = shapely.get_parts(halves, return_index=True)
        keep = np.isin(shapely.get_type_id(parts), [3, 6]) & ~shapely.is_empty(parts)
        todo, src = parts[keep], halves_src[part_idx[keep]]
    if len(todo):  # depth limit reached: keep what is left as it is
        out.append(todo)
        out_src.append(src)
    if not out:
        return np.array([], dtype=object), np.array([], dtype="int64")
    pieces, piece_src = np.concatenate(out), np.concatenate(out_src).astype("int64")
    bad = ~shapely.is_valid(pieces)
    if bad.any():
        fixed, fixed_idx = shapely.get_parts(shapely.make_valid(pieces[bad]), return_index=True)
        poly = np.isin(shapely.get_type_id(fixed), [3, 6])
        pieces = np.r_[pieces[~bad], fixed[poly]]
        piece_src = np.r_[piece_src[~bad], piece_src[bad][fixed_idx[poly]]]
    return pieces, piece_src


def share_inside(geoms: gpd.GeoSeries, polygons: gpd.GeoDataFrame) -> np.ndarray:
    """Share (0–1) of each geometry's area inside the union of ``polygons``.

    Parameters
    ----------
    geoms
        Polygons in EPSG:25832.
    polygons
        Polygon layer in EPSG:25832. Where its polygons overlap, the overlap counts once:
        for a plot touched by more than one of them the touched pieces are unioned first.
    """
    g = geoms.to_numpy()
    area = shapely.area(g)
    inside: np.ndarray = np.zeros(len(g))
    polys = polygons.geometry[polygons.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if len(polys) and len(g):
        src_polys = np.asarray(shapely.make_valid(polys.to_numpy()))
        pieces, src = subdivide(src_polys)
        tree = shapely.STRtree(pieces)
        i, j = tree.query(g, predicate="intersects")
        if len(i):
            inter = shapely.intersection(g[i], pieces[j])
            inside = np.bincount(i, weights=shapely.area(inter), minlength=len(g))
            # plots touched by pieces of more than one source polygon may double-count
            order = np.argsort(i, kind="stable")
            i, inter, pair_src = i[order], inter[order], src[j][order]
            starts = np.flatnonzero(np.r_[True, i[1:] != i[:-1]])
            ends = np.r_[starts[1:], len(i)]
            # only sources that overlap another source can be counted twice
            a_idx, b_idx = shapely.STRtree(src_polys).query(src_polys, predicate="intersects")
            other = a_idx != b_idx
            a_idx, b_idx = a_idx[other], b_idx[other]
            interiors_meet = shapely.relate_pattern(src_polys[a_idx], src_polys[b_idx], "T********")
            overlapping = np.zeros(len(src_polys), dtype=bool)
            overlapping[a_idx[interiors_meet]] = True
            marked = np.where(overlapping[pair_src], pair_src, -1)
            lo = np.minimum.reduceat(np.where(marked < 0, len(src_polys), marked), starts)
            hi = np.maximum.reduceat(marked, starts)
            multi = (hi >= 0) & (lo < hi)
            for a, b in zip(starts[multi], ends[multi], strict=True):
                inside[i[a]] = shapely.area(shapely.union_all(inter[a:b]))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(area > 0, inside / area, np.nan)
    return np.clip(share, 0.0, 1.0)


def nearest_distance(
    geoms: gpd.GeoSeries, targets: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Distance in metres to the nearest target and its position in ``targets``.

    Returns ``NaN`` / ``-1`` when there are no targets.
    """
    g = geoms.to_numpy()
    dist = np.full(len(g), np.nan)
    idx = np.full(len(g), -1, dtype="int64")
    tg = targets.geometry.to_numpy()
    tg = tg[~shapely.is_empty(tg) & ~shapely.is_missing(tg)] if len(tg) else tg
    if len(tg) == 0 or len(g) == 0:
        return dist, idx
    tree = shapely.STRtree(targets.geometry.to_numpy())
    (i, j), d = tree.query_nearest(g, return_distance=True, all_matches=False)
    dist[i] = d
    idx[i] = j
    return dist, idx


def _inside_coverage(
    geoms: gpd.GeoSeries, layer: Layer, by: Literal["area", "point"]
) -> np.ndarray:
    if layer.coverage is None:
        return np.ones(len(geoms), dtype=bool)
    cov = gpd.GeoDataFrame(geometry=[layer.coverage], crs=WORK_CRS)
    if by == "area":
        return np.nan_to_num(share_inside(geoms, cov), nan=0.0) >= COVERAGE_MIN_SHARE
    pts = shapely.point_on_surface(geoms.to_numpy())
    shapely.prepare(layer.coverage)
    return np.asarray(shapely.contains(layer.coverage, pts), dtype=bool)


class _Notes:
    """Per-plot notes about values that could not be computed."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.items: list[tuple[np.ndarray, str]] = []

    def add(self, mask: np.ndarray | bool, text: str) -> None:
        m = np.broadcast_to(np.asarray(mask, dtype=bool), (self.n,))
        if m.any():
            self.items.append((m, text))

    def series(self, index: pd.Index) -> pd.Series:
        out = np.full(self.n, "", dtype=object)
        for mask, text in self.items:
            out[mask] = np.where(out[mask] == "", text, out[mask] + "; " + text)
        return pd.Series(out, index=index, dtype="str")


def _float_series(values: np.ndarray, index: pd.Index) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="float64"), index=index, dtype="Float64").where(
        ~np.isnan(np.asarray(values, dtype="float64")), pd.NA
    )


# -- derived attributes -----------------------------------------------------------------


def derive_attributes(plots: gpd.GeoDataFrame, layers: ScreeningLayers) -> gpd.GeoDataFrame:
    """Return a copy of ``plots`` with the derived site attributes (see module docstring).

    Parameters
    ----------
    plots
        Plot polygons with a CRS (transformed to EPSG:25832); other columns are kept.
    layers
        The layers to derive from; a missing layer gives ``NA`` values and a note.

    Returns
    -------
    GeoDataFrame
        ``plots`` in EPSG:25832 plus :data:`DERIVED_COLUMNS` (existing columns of those
        names are recomputed). ``attrs["layer_versions"]`` holds the versions too.
    """
    out = to_work_crs(plots, "plots").copy()
    idx = out.index
    geoms = out.geometry
    n = len(out)
    if geoms.isna().any() or geoms.is_empty.any():
        raise InputError("plots has rows without geometry; every plot needs a polygon.")
    not_poly = ~geoms.geom_type.isin(["Polygon", "MultiPolygon"]).to_numpy()
    if not_poly.any():
        rows = ", ".join(str(r) for r in idx[not_poly][:5])
        raise InputError(
            f"plots must be polygons; {int(not_poly.sum())} rows are not (e.g. rows {rows})."
        )
    notes = _Notes(n)
    versions: dict[str, str] = {"area_ha": "geometry"}

    out["area_ha"] = geoms.area / 10_000.0

    # municipality
    ags = pd.Series(pd.NA, index=idx, dtype="str")
    name = pd.Series(pd.NA, index=idx, dtype="str")
    if layers.municipalities is not None:
        found = derive_municipality(geoms, to_work_crs(layers.municipalities.gdf, "municipalities"))
        ags = found["ags"].astype("str")
        name = found["municipality"].astype("str")
        notes.add(ags.isna().to_numpy(), "municipality: outside the municipality layer")
        versions["ags"] = layers.municipalities.version
    else:
        notes.add(True, "municipality: no municipality layer given")
    out["ags"] = ags
    out["municipality"] = name

    # nature reserves
    out["reserve_share"] = _share_attr(
        geoms, layers.nature_reserves, "reserve_share", "nature-reserve layer", notes, versions
    )

    # terrain
    thr = float(layers.steep_threshold_pct)
    terrain_cols = ["elev_mean_m", "slope_mean_pct", "slope_max_pct", "steep_share"]
    if layers.dem is not None:
        stats = terrain_stats(geoms, layers.dem.grid, steep_threshold_pct=thr)
        bad = stats["dem_valid_share"].to_numpy() < DEM_MIN_VALID_SHARE
        for col in terrain_cols:
            vals = stats[col].to_numpy(dtype="float64").copy()
            vals[bad] = np.nan
            out[col] = _float_series(vals, idx)
        notes.add(bad, "terrain: plot outside the DEM or on DEM voids")
        versions["terrain"] = layers.dem.version
    else:
        for col in terrain_cols:
            out[col] = _float_series(np.full(n, np.nan), idx)
        notes.add(True, "terrain: no DEM given")
    out["steep_threshold_pct"] = thr

    # flood zones: unknown without a layer, never 0
    out["flood_share"] = _share_attr(
        geoms, layers.flood, "flood_share", "flood-zone layer (HQ100)", notes, versions
    )

    # distances
    out["water_proximity_m"] = _distance_attr(
        geoms, layers.water, "water_proximity_m", "water layer", notes, versions
    )[0]
    dist, nearest = _distance_attr(
        geoms, layers.stations, "dist_station_m", "station layer", notes, versions
    )
    out["dist_station_m"] = dist
    station_names = pd.Series(pd.NA, index=idx, dtype="str")
    if layers.stations is not None and "name" in layers.stations.gdf.columns and len(nearest):
        names = layers.stations.gdf["name"].astype("str").to_numpy()
        ok = (nearest >= 0) & dist.notna().to_numpy()
        station_names[ok] = names[nearest[ok]]
    out["nearest_station"] = station_names
    out["dist_tram_m"] = _distance_attr(
        geoms, layers.tram, "dist_tram_m", "tram layer", notes, versions
    )[0]

    # car minutes
    centre_min, station_min = _car_minutes(geoms, layers, notes, versions)
    out["car_min_centre"] = _float_series(centre_min, idx)
    out["car_min_station"] = _float_series(station_min, idx)

    versions.update(layers.extra_versions)
    out["derive_notes"] = notes.series(idx)
    out["layer_versions"] = json.dumps(versions, sort_keys=True, ensure_ascii=False)
    out["layer_versions"] = out["layer_versions"].astype("str")
    out.attrs["layer_versions"] = dict(versions)
    return out


def _share_attr(
    geoms: gpd.GeoSeries,
    layer: Layer | None,
    column: str,
    what: str,
    notes: _Notes,
    versions: dict[str, str],
) -> pd.Series:
    if layer is None:
        notes.add(True, f"{column}: unknown, no {what} given")
        return _float_series(np.full(len(geoms), np.nan), geoms.index)
    share = share_inside(geoms, to_work_crs(layer.gdf, what))
    inside = _inside_coverage(geoms, layer, "area")
    share[~inside] = np.nan
    notes.add(
        ~inside, f"{column}: plot not inside the coverage of the {what} ({layer.coverage_label})"
    )
    versions[column] = layer.version
    return _float_series(share, geoms.index)


def _distance_attr(
    geoms: gpd.GeoSeries,
    layer: Layer | None,
    column: str,
    what: str,
    notes: _Notes,
    versions: dict[str, str],
) -> tuple[pd.Series, np.ndarray]:
    if layer is None:
        notes.add(True, f"{column}: unknown, no {what} given")
        return _float_series(np.full(len(geoms), np.nan), geoms.index), np.array([], dtype="int64")
    dist, nearest = nearest_distance(geoms, to_work_crs(layer.gdf, what))
    inside = _inside_coverage(geoms, layer, "point")
    dist[~inside] = np.nan
    notes.add(
        ~inside, f"{column}: plot outside the coverage of the {what} ({layer.coverage_label})"
    )
    versions[column] = layer.version
    return _float_series(dist, geoms.index), nearest


def _car_minutes(
    geoms: gpd.GeoSeries, layers: ScreeningLayers, notes: _Notes, versions: dict[str, str]
) -> tuple[np.ndarray, np.ndarray]:
    n = len(geoms)
    centre = np.full(n, np.nan)
    station = np.full(n, np.nan)
    if layers.car is None:
        notes.add(True, "car minutes: unknown, no road network given")
        return centre, station
    origins = gpd.GeoSeries(geoms.representative_point().to_numpy(), crs=WORK_CRS)
    if layers.centre is not None:
        m = np.asarray(
            layers.car.minutes_matrix(origins, gpd.GeoSeries([layers.centre], crs=WORK_CRS)),
            dtype="float64",
        )
        centre = m[:, 0]
        notes.add(np.isnan(centre), f"car_min_centre: {layers.centre_label} not reachable by car")
    else:
        notes.add(True, "car_min_centre: unknown, no centre given")
    if layers.stations is not None and len(layers.stations.gdf):
        st = to_work_crs(layers.stations.gdf, "stations").geometry
        k = max(1, min(int(layers.station_candidates), len(st)))
        sx, sy = st.x.to_numpy(), st.y.to_numpy()
        ox, oy = origins.x.to_numpy(), origins.y.to_numpy()
        cand = np.empty((n, k), dtype="int64")
        for start in range(0, n, 20_000):  # bounded memory: 20,000 × stations at a time
            sl = slice(start, start + 20_000)
            d2 = (ox[sl, None] - sx[None, :]) ** 2 + (oy[sl, None] - sy[None, :]) ** 2
            cand[sl] = np.argpartition(d2, k - 1, axis=1)[:, :k]
        uniq, inv = np.unique(cand, return_inverse=True)
        m = np.asarray(
            layers.car.minutes_matrix(origins, gpd.GeoSeries(st.to_numpy()[uniq], crs=WORK_CRS)),
            dtype="float64",
        )
        per_plot = m[np.arange(n)[:, None], inv.reshape(n, k)]
        with np.errstate(all="ignore"):
            all_nan = np.isnan(per_plot).all(axis=1)
            station = np.where(
                all_nan, np.nan, np.nanmin(np.where(all_nan[:, None], 0, per_plot), axis=1)
            )
        notes.add(all_nan, "car_min_station: no station reachable by car")
    else:
        notes.add(True, "car_min_station: unknown, no station layer given")
    versions["car_minutes"] = layers.car_version or type(layers.car).__name__
    return centre, station
