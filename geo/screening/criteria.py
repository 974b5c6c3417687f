"""Plot screening: derived site attributes, profiles of criteria, pass/fail with reasons, scores.

Pure functions on GeoDataFrames (EPSG:25832); reading layers and profiles from disk is
:mod:`geo.screening.io`.

Derived attributes (:func:`derive_attributes`)
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
--------------------------
A :class:`Profile` has hard filters and weights. Each filter is one criterion; per plot
it is ``pass``, ``fail`` or ``unknown`` (the measured value is missing, or a register
attribute is ``unknown`` and the profile did not list ``unknown`` itself), with a
reason that names the measured value and the threshold. Unknown policy: an unknown
criterion never passes silently and never crashes; it counts against the plot unless
the profile sets ``on_unknown: pass``. ``result`` is ``fail`` if any criterion fails,
``unknown`` if none fails but one is unknown, else ``pass``; ``passed`` applies the
unknown policy.

Score: 0–100, the weighted mean of criteria normalised to 0–1 between a *worst* and a
*best* value (linear, clipped) or, for categories, a value per category. Fixed ranges,
not the min and max of the screened set, so a plot's score does not change when other
plots are added. An unknown value scores 0 (no credit for what is not known).
``rank`` orders the plots that passed by score (1 = best); plots that did not pass have
no rank.

Confidential plots
------------------
:func:`screen` screens the plots it is given. The caller (store, API, CLI) must pass
only what the caller's role may see: :func:`visible_plots` (or :func:`screen_for_role`)
keeps confidential plots for the land-pool role only, and treats a missing
``confidential`` flag as confidential.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, ProfileError
from geo.landpool.plots import (
    Contamination,
    OwnerType,
    PlanningStatus,
    Role,
    Status,
    Viewer,
    derive_municipality,
)
from geo.region.model import to_work_crs
from geo.screening.raster import STEEP_THRESHOLD_PCT, Dem, terrain_stats
from geo.settings import WORK_CRS

# -- vocabularies of the register (geo.landpool.plots) ------------------------------------------

OWNER_TYPES = tuple(e.value for e in OwnerType)
CONTAMINATION = tuple(e.value for e in Contamination)
PLANNING_STATUS = tuple(e.value for e in PlanningStatus)
STATUSES = tuple(e.value for e in Status)

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


# -- profiles ---------------------------------------------------------------------------

_FORBID = ConfigDict(extra="forbid")


class Filters(BaseModel):
    """Hard filters; every one that is set is one criterion. Shares are 0–1."""

    model_config = _FORBID

    min_area_ha: float | None = Field(None, ge=0)
    max_area_ha: float | None = Field(None, gt=0)
    max_mean_slope_pct: float | None = Field(None, ge=0)
    max_slope_pct: float | None = Field(None, ge=0)
    max_steep_share: float | None = Field(None, ge=0, le=1)
    max_flood_share: float | None = Field(None, ge=0, le=1)
    max_reserve_share: float | None = Field(None, ge=0, le=1)
    max_dist_station_m: float | None = Field(None, ge=0)
    max_dist_tram_m: float | None = Field(None, ge=0)
    max_car_minutes_to_centre: float | None = Field(None, ge=0)
    max_car_minutes_to_station: float | None = Field(None, ge=0)
    owner_types: list[OwnerType] | None = Field(None, min_length=1)
    planning_status: list[PlanningStatus] | None = Field(None, min_length=1)
    exclude_contamination: list[Contamination] | None = Field(None, min_length=1)
    statuses: list[Status] | None = Field(None, min_length=1)

    def values(self) -> dict[str, Any]:
        """The filters that are set, enum members as their plain string values."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump(exclude_none=True).items():
            out[key] = (
                [str(getattr(v, "value", v)) for v in value] if isinstance(value, list) else value
            )
        return out

    municipalities: list[str] | None = Field(None, min_length=1)

    @field_validator("municipalities")
    @classmethod
    def _ags(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            bad = [a for a in v if not (len(a) == 8 and a.isdigit())]
            if bad:
                raise ValueError(f"give 8-digit AGS codes, not {', '.join(bad)}")
        return v

    @model_validator(mode="after")
    def _area_range(self) -> Filters:
        if (
            self.min_area_ha is not None
            and self.max_area_ha is not None
            and self.min_area_ha > self.max_area_ha
        ):
            raise ValueError("min_area_ha is larger than max_area_ha")
        return self


NumericCriterion = Literal[
    "area_ha",
    "slope_mean_pct",
    "slope_max_pct",
    "steep_share",
    "elev_mean_m",
    "flood_share",
    "reserve_share",
    "water_proximity_m",
    "dist_station_m",
    "dist_tram_m",
    "car_min_centre",
    "car_min_station",
]
CategoricalCriterion = Literal["owner_type", "planning_status", "contamination", "status"]
WeightCriterion = Literal[NumericCriterion, CategoricalCriterion]

#: Default (best, worst) of numeric score criteria; ``None`` = the profile must say.
DEFAULT_RANGES: dict[str, tuple[float, float] | None] = {
    "area_ha": (5.0, 0.0),
    "slope_mean_pct": (0.0, 15.0),
    "slope_max_pct": (0.0, 30.0),
    "steep_share": (0.0, 0.5),
    "elev_mean_m": None,
    "flood_share": (0.0, 1.0),
    "reserve_share": (0.0, 1.0),
    "water_proximity_m": None,
    "dist_station_m": (0.0, 5000.0),
    "dist_tram_m": (0.0, 3000.0),
    "car_min_centre": (0.0, 30.0),
    "car_min_station": (0.0, 20.0),
}
_CATEGORIES: dict[str, tuple[str, ...]] = {
    "owner_type": OWNER_TYPES,
    "planning_status": PLANNING_STATUS,
    "contamination": CONTAMINATION,
    "status": STATUSES,
}


class NumericWeight(BaseModel):
    """Weight of a numeric criterion, scored 1 at ``best`` and 0 at ``worst`` (linear)."""

    model_config = _FORBID

    weight: float = Field(gt=0)
    best: float | None = None
    worst: float | None = None


class CategoryWeight(BaseModel):
    """Weight of a register attribute, scored by a value 0–1 per category (others 0)."""

    model_config = _FORBID

    weight: float = Field(gt=0)
    values: dict[str, float]

    @field_validator("values")
    @classmethod
    def _unit(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"category scores must be between 0 and 1, got {bad}")
        return v


def _weight_kind(value: Any) -> str:
    if isinstance(value, CategoryWeight) or (isinstance(value, Mapping) and "values" in value):
        return "category"
    if isinstance(value, (NumericWeight, Mapping)):
        return "numeric"
    return "number"


#: A weight: a bare number, ``{weight, best, worst}`` or ``{weight, values}``.
WeightSpec = Annotated[
    Annotated[float, Tag("number")]
    | Annotated[NumericWeight, Tag("numeric")]
    | Annotated[CategoryWeight, Tag("category")],
    Discriminator(_weight_kind),
]


class Profile(BaseModel):
    """A screening profile: hard filters, weights and the unknown policy."""

    model_config = _FORBID

    name: str = Field(min_length=1)
    description: str = ""
    on_unknown: Literal["fail", "pass"] = "fail"
    filters: Filters = Field(default_factory=lambda: Filters.model_validate({}))
    weights: dict[WeightCriterion, WeightSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_weights(self) -> Profile:
        for key, spec in self.weights.items():
            if key in _CATEGORIES:
                if not isinstance(spec, CategoryWeight):
                    raise ValueError(
                        f"weights.{key}: give {{weight: W, values: {{category: 0..1}}}} "
                        "for a category attribute"
                    )
                unknown = sorted(set(spec.values) - set(_CATEGORIES[key]))
                if unknown:
                    raise ValueError(
                        f"weights.{key}.values: unknown categories {unknown}; "
                        f"allowed: {list(_CATEGORIES[key])}"
                    )
                continue
            if isinstance(spec, CategoryWeight):
                raise ValueError(f"weights.{key}: a numeric criterion takes best/worst, not values")
            if isinstance(spec, (int, float)) and spec <= 0:
                raise ValueError(f"weights.{key}: weight must be > 0, got {spec}")
            best, worst = self._range(key, spec)
            if best == worst:
                raise ValueError(f"weights.{key}: best and worst must differ")
        return self

    @staticmethod
    def _range(key: str, spec: float | NumericWeight) -> tuple[float, float]:
        default = DEFAULT_RANGES.get(key)
        best = spec.best if isinstance(spec, NumericWeight) else None
        worst = spec.worst if isinstance(spec, NumericWeight) else None
        if (best is None or worst is None) and default is None:
            raise ValueError(f"weights.{key}: has no default range; give best and worst")
        if default is not None:
            best = default[0] if best is None else best
            worst = default[1] if worst is None else worst
        assert best is not None and worst is not None
        return float(best), float(worst)

    def score_specs(self) -> list[tuple[str, float, Any]]:
        """(criterion, weight, (best, worst) or category map) for every weight."""
        specs: list[tuple[str, float, Any]] = []
        for key, spec in self.weights.items():
            if isinstance(spec, CategoryWeight):
                specs.append((key, spec.weight, spec.values))
            else:
                w = spec.weight if isinstance(spec, NumericWeight) else float(spec)
                specs.append((key, w, self._range(key, spec)))
        return specs


_UNION_TAGS = {"number", "numeric", "category", "[key]"}


def _is_union_tag(part: str) -> bool:
    return part in _UNION_TAGS or part.startswith(("function-", "literal["))


def parse_profile(data: object, source: str = "profile") -> Profile:
    """Validate a profile given as a mapping (parsed YAML/JSON).

    Raises
    ------
    ProfileError
        Naming every bad key with its path (e.g. ``filters.max_slop_pct``) and why.
    """
    if not isinstance(data, Mapping):
        raise ProfileError(
            f"{source}: a profile must be a mapping of keys, got {type(data).__name__}."
        )
    try:
        return Profile.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"] if not _is_union_tag(str(p)))
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (check the spelling)"
            problems.append(f"{loc}: {msg}" if loc else msg)
        raise ProfileError(f"{source}: " + "; ".join(dict.fromkeys(problems))) from exc


# -- criteria ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Numeric:
    column: str
    label: str
    unit: str
    decimals: int
    op: Literal["min", "max"]
    scale: float = 1.0  # display factor (shares shown in %)


_NUMERIC: dict[str, _Numeric] = {
    "min_area_ha": _Numeric("area_ha", "area", " ha", 2, "min"),
    "max_area_ha": _Numeric("area_ha", "area", " ha", 2, "max"),
    "max_mean_slope_pct": _Numeric("slope_mean_pct", "mean slope", " %", 1, "max"),
    "max_slope_pct": _Numeric("slope_max_pct", "max slope", " %", 1, "max"),
    "max_steep_share": _Numeric("steep_share", "steep share", " %", 1, "max", 100.0),
    "max_flood_share": _Numeric("flood_share", "share in flood zone", " %", 1, "max", 100.0),
    "max_reserve_share": _Numeric(
        "reserve_share", "share in nature reserve", " %", 1, "max", 100.0
    ),
    "max_dist_station_m": _Numeric("dist_station_m", "distance to station", " m", 0, "max"),
    "max_dist_tram_m": _Numeric("dist_tram_m", "distance to tram", " m", 0, "max"),
    "max_car_minutes_to_centre": _Numeric("car_min_centre", "car to centre", " min", 1, "max"),
    "max_car_minutes_to_station": _Numeric("car_min_station", "car to station", " min", 1, "max"),
}


@dataclass(frozen=True)
class _Category:
    column: str
    label: str
    op: Literal["in", "not_in"]


_CATEGORICAL: dict[str, _Category] = {
    "owner_types": _Category("owner_type", "owner", "in"),
    "planning_status": _Category("planning_status", "planning status", "in"),
    "exclude_contamination": _Category("contamination", "contamination", "not_in"),
    "statuses": _Category("status", "status", "in"),
    "municipalities": _Category("ags", "municipality (AGS)", "in"),
}

#: Criterion states, in the order of their codes (0, 1, 2).
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
STATES = (PASS, FAIL, UNKNOWN)


def criteria_of(profile: Profile) -> list[str]:
    """The filter keys of ``profile`` that are set, in the order of :class:`Filters`."""
    values = profile.filters.values()
    return [k for k in Filters.model_fields if k in values]


def _fmt_one(value: float, decimals: int) -> str:
    return str(round(value)) if decimals == 0 else str(round(value, decimals))


_REGISTER_COLUMNS = frozenset({"owner_type", "planning_status", "contamination", "status"})


def _column(df: pd.DataFrame, col: str, key: str) -> pd.Series:
    if col not in df.columns:
        hint = (
            "it is a register attribute: screen the register's plots, or add the column "
            "to the plot file"
            if col in _REGISTER_COLUMNS
            else "derive the attributes first (geo.screening.criteria.derive_attributes)"
        )
        raise InputError(
            f"profile filter {key!r} needs column {col!r}, which the plots lack; {hint}."
        )
    return df[col]


#: Keys in ``derive_notes`` that explain a missing value of a derived column.
_NOTE_KEYS: dict[str, tuple[str, ...]] = {
    "slope_mean_pct": ("terrain",),
    "slope_max_pct": ("terrain",),
    "steep_share": ("terrain",),
    "elev_mean_m": ("terrain",),
    "car_min_centre": ("car_min_centre", "car minutes"),
    "car_min_station": ("car_min_station", "car minutes"),
}


def _why_unknown(df: pd.DataFrame, column: str, unknown: np.ndarray) -> np.ndarray:
    """The note of ``derive_notes`` explaining each unknown value ('' where there is none)."""
    why = np.full(len(df), "", dtype=object)
    if "derive_notes" not in df.columns or not unknown.any():
        return why
    keys = "|".join(_NOTE_KEYS.get(column, (column,)))
    notes = df["derive_notes"].astype("str").fillna("")[unknown]
    found = notes.str.extract(rf"(?:^|; )(?:{keys}): (?:unknown, )?([^;]*)", expand=False)
    why[unknown] = found.fillna("").to_numpy(dtype=object)
    return why


@dataclass(frozen=True)
class _Outcome:
    """One criterion over all plots: state codes and reasons as codes into ``texts``."""

    state: np.ndarray  # int8: 0 pass, 1 fail, 2 unknown
    codes: np.ndarray  # int64 positions in texts
    texts: np.ndarray  # object array of distinct reason texts


def _numeric_outcome(df: pd.DataFrame, key: str, threshold: float) -> _Outcome:
    """Pass/fail/unknown of a numeric filter with its reason.

    Reasons are formatted once per distinct shown value, not once per plot, and
    referenced by code: 100,000 plots share a few thousand distinct reasons.
    """
    spec = _NUMERIC[key]
    values = pd.to_numeric(_column(df, spec.column, key), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    unknown = np.isnan(values)
    ok = values >= threshold if spec.op == "min" else values <= threshold
    state = np.where(unknown, 2, np.where(ok, 0, 1)).astype("int8")
    shown = np.round(np.where(unknown, 0.0, values) * spec.scale, spec.decimals)
    uniq, inv = np.unique(shown, return_inverse=True)
    thr = _fmt_one(threshold * spec.scale, spec.decimals) + spec.unit
    word = "min" if spec.op == "min" else "max"
    good, bad = ("≥", "<") if spec.op == "min" else ("≤", ">")
    u = [_fmt_one(float(v), spec.decimals) + spec.unit for v in uniq]
    texts = [f"{spec.label} {v} {good} {word} {thr}" for v in u]
    texts += [f"{spec.label} {v} {bad} {word} {thr}" for v in u]
    codes = np.where(ok, inv, len(u) + inv)
    if unknown.any():
        why = _why_unknown(df, spec.column, unknown)[unknown].astype(str)
        why_u, why_inv = np.unique(why, return_inverse=True)
        base = len(texts)
        texts += [
            f"{spec.label} unknown: {w} ({word} {thr})"
            if w
            else f"{spec.label} unknown ({word} {thr})"
            for w in why_u
        ]
        codes[unknown] = base + why_inv
    return _Outcome(state, codes.astype("int64"), np.asarray(texts, dtype=object))


def _category_outcome(df: pd.DataFrame, key: str, allowed: Sequence[str]) -> _Outcome:
    """Pass/fail/unknown of a category filter; ``unknown`` is a state of its own."""
    spec = _CATEGORICAL[key]
    raw = _column(df, spec.column, key).astype("str").fillna("unknown")
    listed = sorted(set(allowed))
    inv, uniq_idx = pd.factorize(raw)  # hash-based, faster than sorting strings
    uniq = np.asarray(uniq_idx, dtype=object)
    member_u = np.isin(uniq, listed)
    unknown_u = (uniq == "unknown") & ~member_u
    ok_u = member_u if spec.op == "in" else ~member_u
    state_u = np.where(unknown_u, 2, np.where(ok_u, 0, 1)).astype("int8")
    shown = ", ".join(listed)
    texts = []
    for v, unk, ok in zip(uniq, unknown_u, ok_u, strict=True):
        if unk:
            verb = "required" if spec.op == "in" else "excluded"
            texts.append(f"{spec.label} unknown ({verb}: {shown})")
        elif spec.op == "in":
            texts.append(f"{spec.label} {v} {'in' if ok else 'not in'} [{shown}]")
        else:
            texts.append(
                f"{spec.label} {v} {'not among excluded' if ok else 'is excluded'} [{shown}]"
            )
    return _Outcome(state_u[inv], inv.astype("int64"), np.asarray(texts, dtype=object))


def score(df: pd.DataFrame, profile: Profile) -> pd.Series:
    """Weighted 0–100 score of every plot (see module docstring); 0 without weights."""
    specs = profile.score_specs()
    total = sum(w for _, w, _ in specs)
    acc = np.zeros(len(df))
    for key, weight, spec in specs:
        if isinstance(spec, dict):
            col = _column(df, key, f"weights.{key}").astype("str").fillna("unknown")
            s = col.map(spec).to_numpy(dtype="float64", na_value=0.0)
            s = np.nan_to_num(s, nan=0.0)
        else:
            best, worst = spec
            v = pd.to_numeric(_column(df, key, f"weights.{key}"), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
            s = np.nan_to_num(np.clip((v - worst) / (best - worst), 0.0, 1.0), nan=0.0)
        acc += weight * s
    out = 100.0 * acc / total if total > 0 else acc
    return pd.Series(np.round(out, 1), index=df.index, dtype="float64")


def _categorical(codes: np.ndarray, categories: Sequence[str] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(
        codes, categories=pd.Index(list(categories), dtype="str"), validate=False
    )


ALL_MET = "all criteria met"


def _join_reasons(flagged: list[tuple[np.ndarray, _Outcome]], started: np.ndarray) -> pd.Series:
    """Per plot, the reasons of its failed or unknown criteria joined by "; ".

    One pyarrow join over all criteria (C++), each criterion's reasons taken from its
    few distinct texts by code.
    """
    n = len(started)
    columns = [
        pc.take(pa.array(res.texts, type=pa.string()), pa.array(res.codes, mask=~mask))
        for mask, res in flagged
    ]
    # a last column holds "all criteria met" where nothing was flagged, so that no row is
    # all null (pyarrow drops such rows from a join that skips nulls)
    columns.append(pa.array(np.full(n, ALL_MET, dtype=object), type=pa.string(), mask=started))
    joined = pc.binary_join_element_wise(*columns, "; ", null_handling="skip")
    if len(joined) != n:  # never expected; guards against a changed pyarrow behaviour
        raise RuntimeError("joining the reasons of the criteria lost rows")
    return pd.Series(joined, dtype="str")


def screen(plots: gpd.GeoDataFrame, profile: Profile) -> gpd.GeoDataFrame:
    """Screen derived plots against a profile (vectorised over all plots).

    Parameters
    ----------
    plots
        Output of :func:`derive_attributes` with the register columns. Pass only what
        the caller's role may see (:func:`visible_plots`).
    profile
        Filters, weights and unknown policy.

    Returns
    -------
    GeoDataFrame
        A copy of ``plots`` (same index and order) plus, per criterion ``<key>`` of the
        profile, ``pass_<key>`` (pass / fail / unknown) and ``reason_<key>``; then
        ``result`` (pass / fail / unknown), ``passed`` (bool, unknown policy applied),
        ``failed`` (comma-separated keys that failed or were unknown), ``reasons`` (their
        reasons, or "all criteria met"), ``score`` (0–100) and ``rank`` (1 = best among
        the passed plots, ``NA`` otherwise). Text columns with few distinct values
        (states, per-criterion reasons, ``failed``) are pandas categoricals.
    """
    n = len(plots)
    keys = criteria_of(profile)
    if len(keys) > 30:
        raise InputError("a profile has at most 30 filters.")
    filters = profile.filters.values()
    any_fail = np.zeros(n, dtype=bool)
    any_unknown = np.zeros(n, dtype=bool)
    flags = np.zeros(n, dtype="int64")  # bit k: criterion k failed or is unknown
    flagged_reasons: list[tuple[np.ndarray, _Outcome]] = []
    started = np.zeros(n, dtype=bool)
    new: dict[str, Any] = {}
    for k, key in enumerate(keys):
        if key in _NUMERIC:
            res = _numeric_outcome(plots, key, float(filters[key]))
        else:
            res = _category_outcome(plots, key, filters[key])
        new[f"pass_{key}"] = _categorical(res.state, STATES)
        new[f"reason_{key}"] = _categorical(res.codes, res.texts)
        any_fail |= res.state == 1
        any_unknown |= res.state == 2
        flagged = res.state != 0
        flags |= flagged.astype("int64") << k
        flagged_reasons.append((flagged, res))
        started |= flagged
    worst = np.where(any_fail, 1, np.where(any_unknown, 2, 0)).astype("int8")
    passed = (worst == 0) | ((worst == 2) & (profile.on_unknown == "pass"))
    combos, combo_inv = np.unique(flags, return_inverse=True)
    combo_text = [",".join(key for k, key in enumerate(keys) if c >> k & 1) for c in combos]
    reasons = _join_reasons(flagged_reasons, started).set_axis(plots.index)
    new["result"] = _categorical(worst, STATES)
    new["passed"] = passed
    new["failed"] = _categorical(combo_inv, combo_text)
    new["reasons"] = reasons
    extra = pd.DataFrame(new, index=plots.index)
    extra["score"] = score(plots, profile)
    extra["rank"] = extra["score"].where(passed).rank(method="min", ascending=False).astype("Int64")
    kept = plots.drop(columns=[c for c in extra.columns if c in plots.columns])
    out = pd.concat([kept, extra], axis=1)
    out = gpd.GeoDataFrame(out, geometry=plots.geometry.name, crs=plots.crs)
    out.attrs = {**plots.attrs, "profile": profile.name}
    return out


def visible_plots(plots: pd.DataFrame, role: Viewer | Role | str) -> pd.DataFrame:
    """Return the plots ``role`` may see: all for the land-pool team (and admins), else
    the non-confidential ones (:attr:`geo.landpool.plots.Viewer.sees_confidential`).

    A plot whose ``confidential`` flag is missing counts as confidential.
    """
    viewer = role if isinstance(role, Viewer) else Viewer(role)
    if viewer.sees_confidential:
        return plots
    if "confidential" not in plots.columns:
        raise InputError("plots lack the 'confidential' column; cannot tell what a role may see.")
    flag = plots["confidential"].astype("boolean").fillna(True)
    return plots[~flag.to_numpy(dtype=bool)]


def screen_for_role(
    plots: gpd.GeoDataFrame, profile: Profile, role: Viewer | Role | str
) -> gpd.GeoDataFrame:
    """:func:`screen` of the plots ``role`` may see (see :func:`visible_plots`)."""
    visible = visible_plots(plots, role)
    assert isinstance(visible, gpd.GeoDataFrame)
    return screen(visible, profile)


def ranked(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a screening result sorted for reading: passed plots by rank, then by score."""
    order = np.lexsort((-result["score"].to_numpy(), ~result["passed"].to_numpy(dtype=bool)))
    return result.iloc[order]
