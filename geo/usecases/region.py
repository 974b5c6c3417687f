"""Use cases of the region: the region model and what the region, forum and reachable maps show.

Every front end that needs the region model (the API's :func:`api.deps.get_region`, the
``municipalities`` command, the map registry :mod:`maps.registry`, the validation report)
asks :func:`region` here; nothing else calls :func:`geo.region.build.load_region`. The
``*_map_data`` functions gather a map's inputs (read through the io modules of
:mod:`geo`), so map builders in :mod:`maps` only draw what they are handed.

Results are cached per settings (the region model per input folders, the region map's
rail lines and stations per settings): treat the returned frames as read-only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.access.roles import PUBLIC, Viewer
from geo.landpool.offers import offer_kind
from geo.landpool.public import project_frame
from geo.landpool.store import Store
from geo.projects.io import public_projects
from geo.projects.public import public_frame
from geo.region import model as region_model
from geo.region.build import load_region
from geo.region.select import select
from geo.roads import engine as roads
from geo.roads.io import cached_engine
from geo.settings import WORK_CRS, Settings
from geo.transit import io as transit_io

#: Feeds whose stops are all IC/EC/ICE stations (INKAR's "every system stop of DB").
LONG_DISTANCE_FEEDS = frozenset({"db_fv_gtfs_2019.zip"})


#: Travel modes the reachable map draws.
@dataclass(frozen=True)
class Region:
    """An area's region model and the report of how its tables were joined.

    Attributes
    ----------
    model
        One row per municipality (:func:`geo.region.model.build_region`), EPSG:25832.
    report
        The join report (rows that did not join, and why).
    area
        ``thuringia`` or ``germany``.
    """

    model: gpd.GeoDataFrame
    report: pd.DataFrame
    area: str


def region(settings: Settings, area: str = "thuringia") -> Region:
    """The region model of ``area`` and its join report, built first when needed (cached).

    Raises
    ------
    InputError
        For an unknown area.
    DataSourceError
        When an input of the build is missing.
    """
    model, report = load_region(settings, area)
    return Region(model, report, area)


def municipalities(
    settings: Settings,
    *,
    of: str | None = None,
    within_km: float | None = None,
    district: str | None = None,
    names: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Municipalities of the region selected as the CLI and the API offer it.

    ``dist_km`` (to ``of``, default Jena) is always added; filters combine with AND (see
    :func:`geo.region.select.select`). Unknown names raise
    :class:`geo.errors.UnknownMunicipalityError` with the closest names.
    """
    model = region(settings).model
    return select(model, of=of, within_km=within_km, district=district, names=names)


def municipality(settings: Settings, query: str) -> gpd.GeoDataFrame:
    """One municipality (a one-row frame) by name, 8-digit AGS or 12-digit RS."""
    return select(region(settings).model, names=[query])


@dataclass(frozen=True)
class RegionMapData:
    """What the region map draws besides the minutes from Jena."""

    region: gpd.GeoDataFrame
    rail: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    attribution: list[str]


def region_map_data(settings: Settings) -> RegionMapData:
    """The region model, the pack's rail lines and the stations inside the region (cached)."""
    return _region_map_data(settings.model_dump_json())


@lru_cache(maxsize=4)
def _region_map_data(settings_json: str) -> RegionMapData:
    settings = Settings.model_validate_json(settings_json)
    model = region(settings).model
    rail = sources.read_vector(settings.data_dir / sources.RAIL_FILE, "rail line segments")
    stations = sources.read_stations(settings.data_dir)
    inside = gpd.sjoin(stations, model[["geometry"]], predicate="within", how="inner")
    stations = stations.loc[inside.index.unique()]
    attribution = sources.attributions(
        [*region_model.REGION_SOURCES, sources.RAIL_FILE, sources.STATIONS_FILE]
    )
    return RegionMapData(model, rail, stations, attribution)


# -- forum map -------------------------------------------------------------------------------


def public_offers(store: Store) -> gpd.GeoDataFrame:
    """Plots a ``public`` viewer sees (published, not confidential) that are offered.

    Only the public fields (:mod:`geo.landpool.public`) plus ``kind`` (housing, commerce,
    mixed, open; :func:`geo.landpool.offers.offer_kind`).
    """
    plots = project_frame(store.frame(PUBLIC), PUBLIC)
    kind = offer_kind(plots)
    out = plots[kind.notna().to_numpy()].copy()
    out["kind"] = kind[kind.notna()].to_numpy()
    return out


def offer_attributions(offers: pd.DataFrame) -> list[str]:
    """Attributions of the data behind offered plots (as ``geo.landpool.io.attributions_for``)."""
    out: list[str] = []
    if (
        len(offers)
        and offers["source"].fillna("").str.lower().str.startswith("openstreetmap").any()
    ):
        out.append(sources.ATTRIBUTIONS["osm"])
    if len(offers) and offers["ags"].notna().any():
        out.append(sources.ATTRIBUTIONS[sources.VG250_FILE])
    return out


@dataclass(frozen=True)
class ForumMapData:
    """What the forum map draws besides the minutes from Jena: public data only."""

    region: gpd.GeoDataFrame
    offers: gpd.GeoDataFrame
    attribution: list[str]
    #: The forum's cooperation projects, public projection (:mod:`geo.projects.public`),
    #: EPSG:4326; a project without geometry has its municipalities' outline.
    projects: gpd.GeoDataFrame | None = None


def forum_map_data(settings: Settings, store: Store) -> ForumMapData:
    """The region model and the public offers of ``store``, read as the ``public`` viewer.

    Whoever asks, the forum shows what a ``public`` viewer sees, so a land-pool session
    cannot leak into a public page.
    """
    model = region(settings).model
    offers = public_offers(store)
    attribution = sources.attributions(region_model.REGION_SOURCES)
    attribution += [a for a in offer_attributions(offers) if a not in attribution]
    projects = public_frame(public_projects(store, model))
    return ForumMapData(model, offers, attribution, projects)


# -- plots map -------------------------------------------------------------------------------


def viewer_plots(store: Store, viewer: Viewer) -> gpd.GeoDataFrame:
    """The plots ``viewer`` may see, read through the store (its one confidentiality rule)."""
    return store.frame(viewer)


# -- reachable map ---------------------------------------------------------------------------


# -- validation report -----------------------------------------------------------------------


def ic_car_minutes(
    settings: Settings, model: gpd.GeoDataFrame, feeds: tuple[str, ...]
) -> pd.Series:
    """Car minutes from each covered centre to the nearest stop of a long-distance timetable.

    Empty when a feed is not long-distance only (its stops are not all IC/ICE stations).
    Municipalities whose centre the road network does not cover stay ``NaN``.
    """
    if not feeds or not set(feeds) <= LONG_DISTANCE_FEEDS:
        return pd.Series(dtype=float)
    tt = transit_io.get_timetable(settings)
    engine, _ = cached_engine(settings)
    centres = gpd.GeoSeries(gpd.points_from_xy(model["centre_x"], model["centre_y"]), crs=WORK_CRS)
    stops = gpd.GeoSeries(gpd.points_from_xy(tt.stop_x, tt.stop_y), crs=WORK_CRS)
    xy = np.column_stack([centres.x, centres.y])
    out = np.full(len(model), np.nan)
    inside = roads.covered(engine, xy)
    if inside.any():
        m = roads.RoadCarMinutes(engine).minutes_matrix(centres[inside], stops)
        with np.errstate(all="ignore"):
            best = np.where(
                np.isfinite(m).any(axis=1),
                np.nanmin(np.where(np.isnan(m), np.inf, m), axis=1),
                np.nan,
            )
        out[inside] = best
    return pd.Series(out, index=model["ags"].astype(str).to_numpy())


def timetable_feeds(settings: Settings) -> tuple[str, ...]:
    """Names of the GTFS feeds the rail minutes are computed on."""
    return tuple(transit_io.get_timetable(settings).feeds)
