"""Reachability: which municipalities one reaches by car or rail, isochrones, map minutes.

The use cases behind ``/reachable``, ``/isochrones``, ``/transit/reachable*``, the CLI's
``reachable``, ``isochrone`` and ``transit reachable|matrix``, and the minutes of the
region and forum maps (:mod:`maps.minutes`). Each loads what its query needs (the
region model, the road network, the timetable, cached per process), computes with the
pure functions of :mod:`geo.modes`, :mod:`geo.roads` and :mod:`geo.transit`, and
returns the result with its query named. Front ends parse their input (rail options into
a :class:`~geo.transit.RailQuery` with :func:`geo.transit.parse_rail_query`), call one
function here and format the answer.

Travel times are public data: no answer depends on the viewer; the parameter is taken
for the use-case contract (:mod:`geo.usecases`) and so a later restriction has one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import modes, sources, transit
from geo.access.roles import Viewer
from geo.errors import InputError
from geo.region.model import REGION_SOURCES
from geo.roads import engine as road_engine
from geo.roads.io import cached_engine, default_network
from geo.settings import WORK_CRS, Settings
from geo.transit import io as transit_io
from geo.transit.trains import NO_TRAIN_THAT_DAY, TRAIN_COLUMNS
from geo.usecases.region import region as load_area

#: Origin of the minutes shown on the region and forum maps.
MAP_ORIGIN = "Jena"
#: Longest trip the maps report (minutes); longer or unreached shows as "over N min".
MAP_MAX_MINUTES = 180.0


@dataclass(frozen=True)
class ReachableAnswer:
    """Municipalities reached from an origin by one mode (:func:`reachable`).

    ``result`` is the :class:`geo.modes.Reachable` (its summary names the query under
    ``query``); ``region`` the model it was computed on (for areas and centres);
    ``network_note`` which road network answered a car query (``None`` otherwise).
    """

    result: modes.Reachable
    region: gpd.GeoDataFrame
    network_note: str | None


@dataclass(frozen=True)
class RailAnswer:
    """A rail query's answer (:func:`rail_reachable`), with the region and timetable used."""

    result: transit.RailReachability
    region: gpd.GeoDataFrame
    timetable: transit.Timetable


@dataclass(frozen=True)
class IsochroneAnswer:
    """Isochrone polygons (EPSG:25832, ``minutes``, ``area_km2``) from one origin."""

    isochrones: gpd.GeoDataFrame
    origin: modes.Origin
    network: str
    network_note: str


def _query_named(summary: dict[str, Any], mode: str, origin: str, limit: float) -> None:
    summary.setdefault("query", {"from": origin, "mode": mode, "max_minutes": limit})


def reachable(
    settings: Settings,
    origin: str | tuple[float, float],
    *,
    mode: str = "car",
    max_minutes: float | None = None,
    rail: transit.RailQuery | None = None,
    viewer: Viewer | None = None,
) -> ReachableAnswer:
    """Municipalities reached from ``origin`` within ``max_minutes`` by ``mode``.

    Parameters
    ----------
    origin
        A municipality name, AGS or RS, or ``(lon, lat)`` (car only), as
        :func:`geo.modes.parse_origin` reads it.
    mode
        ``car`` (the default road network) or ``rail`` (the configured GTFS feeds).
    max_minutes
        Time limit; ``None``: the mode's default (:func:`geo.modes.default_minutes`).
    rail
        The rail query (date, window or departure, percentile, planned) for
        ``mode="rail"``; ``None`` takes the settings' defaults. Refused for other modes.
    viewer
        Who asks (travel times are public; see the module docstring).
    """
    limit = modes.default_minutes(mode) if max_minutes is None else max_minutes
    region = load_area(settings).model
    engine: road_engine.RoutingEngine | None = None
    note: str | None = None
    context: dict[str, Any] = {}
    if mode == "rail":
        if not isinstance(origin, str):
            raise InputError(
                "mode rail needs a municipality as origin (name or AGS), not a lon/lat point."
            )
        query = rail or transit.parse_rail_query(settings, require_origin=False)
        context = {"timetable": transit_io.get_timetable(settings), "query": query}
    elif rail is not None:
        raise InputError(f"rail options are only for mode rail, not for mode {mode}.")
    elif mode == "car":
        engine, choice = cached_engine(settings)
        note = choice.note
    result = modes.reachable(origin, mode, limit, region=region, network=engine, context=context)
    _query_named(result.summary, mode, str(result.summary["origin"]), limit)
    return ReachableAnswer(result=result, region=region, network_note=note)


def rail_reachable(
    settings: Settings,
    query: transit.RailQuery,
    *,
    scenario: transit.ServiceScenario | None = None,
    default_origin: str | None = None,
    viewer: Viewer | None = None,
) -> RailAnswer:
    """Municipalities reached by rail for ``query`` (its summary names the query).

    Parameters
    ----------
    scenario
        A planned service added to the feeds (named in the answer).
    default_origin
        Origin when the query names none (the transit map: Jena); else a query without
        ``from`` is refused.
    """
    if query.origin is None and default_origin is not None:
        query = replace(query, origin=default_origin)
    if query.origin is None:
        raise InputError("from is missing: give the origin municipality, e.g. from=Jena.")
    tt = (
        transit_io.get_timetable(settings)
        if scenario is None
        else transit_io.timetable_with_scenario(settings, scenario)
    )
    region = load_area(settings).model
    return RailAnswer(transit.reachable_for(tt, region, query), region, tt)


def rail_matrix(
    settings: Settings,
    query: transit.RailQuery,
    *,
    origins: Sequence[str] | None = None,
    scenario: transit.ServiceScenario | None = None,
    viewer: Viewer | None = None,
) -> tuple[pd.DataFrame, transit.Timetable]:
    """Long table ``origin_ags, ags, minutes`` from ``origins`` (default: all) for ``query``.

    Returns the table and the timetable it was computed on (feeds, scenarios).
    """
    tt = (
        transit_io.get_timetable(settings)
        if scenario is None
        else transit_io.timetable_with_scenario(settings, scenario)
    )
    region = load_area(settings).model
    long = transit.reachable_many(
        tt,
        region,
        query.max_minutes,
        query.date,
        origins=list(origins) if origins else None,
        window=query.window,
        depart=query.depart or "00:00",
        percentile=query.percentile,
        planned=query.planned,
        from_stations=query.from_stations,
    )
    long.attrs["query"] = query.describe()
    return long, tt


def stations(answer: RailAnswer) -> gpd.GeoDataFrame:
    """The timetable's stops inside the answer's region, as points (EPSG:25832)."""
    tt, region = answer.timetable, answer.region
    pts = gpd.GeoDataFrame(
        {"name": tt.stop_names}, geometry=gpd.points_from_xy(tt.stop_x, tt.stop_y), crs=WORK_CRS
    )
    inside = gpd.sjoin(pts, region[["geometry"]], predicate="within", how="inner")
    return pts.loc[inside.index.unique()]


def isochrones(
    settings: Settings,
    origin: str | tuple[float, float],
    minutes: Sequence[float],
    *,
    buffer_m: float = 100.0,
    viewer: Viewer | None = None,
) -> IsochroneAnswer:
    """Areas reached by car within each of ``minutes`` from ``origin``, along the roads."""
    engine, choice = cached_engine(settings)
    region = load_area(settings).model
    org = modes.resolve_origin(region, origin)
    iso = road_engine.isochrones(engine, org.xy, list(minutes), buffer_m=buffer_m)
    return IsochroneAnswer(iso, org, engine.name, choice.note)


@dataclass(frozen=True)
class OriginMinutes:
    """Rail and car minutes from one origin per municipality, for the maps.

    Index of every series: AGS. ``rail`` is the window statistic (``NaN`` = not reached
    within :data:`MAP_MAX_MINUTES`); ``rail_trains`` has, per municipality, ``status``
    (``reached``, ``not_in_window``, ``no_train_that_day``) and the train columns of
    :data:`geo.transit.trains.TRAIN_COLUMNS`; ``rail_query`` the query (date, window,
    statistic). ``car_covered`` is False where the road network does not cover the
    municipality's centre (its car time is unknown); ``car_network`` names the network.
    """

    origin: str
    rail: pd.Series
    rail_trains: pd.DataFrame
    rail_query: transit.RailQuery
    rail_feeds: tuple[str, ...]
    rail_feed_notes: tuple[str, ...]
    car: pd.Series
    car_covered: pd.Series
    car_network: str


def map_rail_query(settings: Settings, origin: str = MAP_ORIGIN) -> transit.RailQuery:
    """The rail query of the maps: the settings' date, ``rail_day_window`` (a weekday
    period long enough for a two-hourly service), median, :data:`MAP_MAX_MINUTES`."""
    return transit.parse_rail_query(
        settings, origin=origin, window=settings.rail_day_window, max_minutes=MAP_MAX_MINUTES
    )


def origin_minutes(
    settings: Settings,
    ags: Sequence[str] | None = None,
    *,
    origin: str = MAP_ORIGIN,
    viewer: Viewer | None = None,
) -> OriginMinutes:
    """Rail (:func:`map_rail_query`) and car minutes from ``origin`` to the municipalities
    ``ags`` of the region model (default: all)."""
    region = load_area(settings).model
    region = region.set_index(region["ags"].astype(str), drop=False)
    if ags is not None:
        region = region.loc[list(ags)]
    plain = region.reset_index(drop=True)
    query = map_rail_query(settings, origin)
    res = transit.reachable_for(transit_io.get_timetable(settings), plain, query)
    rail = (
        pd.Series(res.table["minutes"].to_numpy(dtype=float), index=res.table["ags"])
        .reindex(region.index)
        .astype(float)
    )
    parts = [res.table.set_index("ags")[["status", *TRAIN_COLUMNS]]]
    if res.not_reached is not None and len(res.not_reached):
        parts.append(res.not_reached.set_index("ags")[["status", *TRAIN_COLUMNS]])
    trains = pd.concat(parts).reindex(region.index)
    trains["status"] = trains["status"].fillna(NO_TRAIN_THAT_DAY)
    trains["departures_day"] = trains["departures_day"].fillna(0).astype(int)
    trains[["first_departure", "last_departure"]] = trains[
        ["first_departure", "last_departure"]
    ].fillna("")
    engine, _ = cached_engine(settings)
    car_res = modes.reachable(origin, "car", MAP_MAX_MINUTES, region=plain, network=engine)
    car = (
        pd.Series(car_res.table["minutes"].to_numpy(dtype=float), index=car_res.table["ags"])
        .reindex(region.index)
        .astype(float)
    )
    xy = modes.centre_xy(region)
    inside = shapely.contains_xy(engine.coverage, xy[:, 0], xy[:, 1])
    dist, _ = engine.tree.query(xy)
    covered = pd.Series(np.asarray(inside & (dist <= engine.max_snap_m)), index=region.index)
    return OriginMinutes(
        origin=origin,
        rail=rail,
        rail_trains=trains,
        rail_query=query,
        rail_feeds=tuple(res.summary["feeds"]),
        rail_feed_notes=tuple(res.summary.get("feed_notes", [])),
        car=car,
        car_covered=covered,
        car_network=str(car_res.summary.get("network", "")),
    )


#: Modes the reachable map draws.
MAP_MODES = ("car", "rail")
#: Colour classes of the reachable map (their upper bounds are the isochrone cut-offs).
MINUTE_CLASS_COUNT = 6


@dataclass(frozen=True)
class ReachableMapData:
    """What the reachable map draws: the result, isochrones (car), the origin, sources."""

    region: gpd.GeoDataFrame
    result: modes.Reachable
    isochrones: gpd.GeoDataFrame | None
    origin_xy: np.ndarray
    origin_label: str
    attribution: list[str]


def isochrone_cuts(max_minutes: float) -> list[float]:
    """Class breaks of 10 minutes (or more) up to the limit, at most six classes."""
    step = max(10.0, float(np.ceil(max_minutes / MINUTE_CLASS_COUNT / 10) * 10))
    breaks = [float(v) for v in np.arange(step, max_minutes, step)]
    return [*breaks, float(max_minutes)]


def reachable_map_data(
    settings: Settings,
    origin: str = "Jena",
    max_minutes: float | None = None,
    mode: str = "car",
    rail: Mapping[str, Any] | None = None,
) -> ReachableMapData:
    """The reachable map's inputs: :func:`reachable` (and, by car, :func:`isochrones` at
    the map's class breaks :func:`isochrone_cuts`) with the sources to credit.

    ``rail`` holds the rail query's options as given (``date``, ``window``, ``depart``,
    ``percentile``, ``planned``), parsed by :func:`geo.transit.parse_rail_query`.

    Raises
    ------
    InputError
        For another mode, or rail options with the car.
    """
    if mode not in MAP_MODES:
        raise InputError(f"mode must be 'car' or 'rail', not {mode!r}.")
    if mode != "rail" and rail:
        raise InputError(f"{', '.join(sorted(rail))}: only for mode rail, not for {mode}.")
    parsed = modes.parse_origin(origin)
    query = (
        transit.parse_rail_query(settings, **(rail or {}), require_origin=False)
        if mode == "rail"
        else None
    )
    answer = reachable(settings, parsed, mode=mode, max_minutes=max_minutes, rail=query)
    limit = float(answer.result.summary["max_minutes"])
    org = modes.resolve_origin(answer.region, parsed)
    iso: gpd.GeoDataFrame | None = None
    if mode == "rail":
        feeds = transit_io.get_timetable(settings).feeds
        attribution = [
            *sources.attributions(REGION_SOURCES),
            *sources.feed_attributions(feeds),
        ]
    else:
        iso = isochrones(settings, parsed, isochrone_cuts(limit)).isochrones
        attribution = sources.attributions([*REGION_SOURCES, "osm"])
    return ReachableMapData(answer.region, answer.result, iso, org.xy, org.label, attribution)


@dataclass(frozen=True)
class TravelData:
    """What a reachability query would be answered from, known without loading anything.

    ``network``/``network_note``: the road network of car queries
    (:func:`geo.roads.io.default_network`); ``feeds``/``feed_notes``: the GTFS feeds of
    rail queries and what each does not cover (:data:`geo.transit.FEED_NOTES`);
    ``rail_defaults``: the rail query without options (date, window, percentile from the
    settings); ``default_minutes``: the time limit per mode when none is given.
    """

    network: str
    network_note: str
    feeds: tuple[str, ...]
    feed_notes: tuple[str, ...]
    rail_defaults: transit.RailQuery
    default_minutes: dict[str, float]


def travel_data(settings: Settings) -> TravelData:
    """The network, feeds and defaults queries use (for a form shown before any query)."""
    choice = default_network(settings)
    feeds = tuple(Path(f).name for f in settings.gtfs_feeds)
    return TravelData(
        network=choice.name,
        network_note=choice.note,
        feeds=feeds,
        feed_notes=tuple(transit.FEED_NOTES[f] for f in feeds if f in transit.FEED_NOTES),
        rail_defaults=transit.parse_rail_query(settings, require_origin=False),
        default_minutes={m: modes.default_minutes(m) for m in MAP_MODES},
    )
