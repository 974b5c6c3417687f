"""``/reachable`` and ``/isochrones``: travel times (the map ``/maps/reachable.html`` is
served by :mod:`api.routers.maps`)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from fastapi import APIRouter, Depends, Query
from pydantic import Field

from api.deps import get_app_settings
from api.limits import check_items
from api.rail import Rail
from api.responses import GeoJSONResponse
from geo import modes, sources, transit
from geo.errors import InputError
from geo.ogc.export import to_geojson
from geo.region.model import REGION_SOURCES
from geo.settings import WEB_CRS, Settings
from geo.usecases import reachability as usecase

router = APIRouter(tags=["travel"])

#: Cut-offs one /isochrones request may ask for, in the API description (the setting's
#: default; the running server checks its own setting).
MAX_CUTOFFS: int = Settings.model_fields["max_isochrone_cutoffs"].default

AppSettings = Annotated[Settings, Depends(get_app_settings)]
From = Annotated[
    str | None,
    Query(
        alias="from",
        min_length=1,
        max_length=100,
        description="Municipality name, AGS or 'lon,lat' (or give lon and lat).",
    ),
]
Lon = Annotated[float | None, Query(ge=-180, le=180, description="Origin longitude (WGS84)")]
Lat = Annotated[float | None, Query(ge=-90, le=90, description="Origin latitude (WGS84)")]


def _plain(rec: Mapping[Any, Any]) -> dict[str, Any]:
    """JSON-ready values: missing numbers as null, numpy scalars as Python numbers."""
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out[str(k)] = None
        elif isinstance(v, np.generic):
            out[str(k)] = v.item()
        else:
            out[str(k)] = v
    return out


def _rail_query(settings: Settings, mode: str, rail: dict[str, Any]) -> transit.RailQuery | None:
    """The rail options parsed (:func:`geo.transit.parse_rail_query`, as on
    ``/transit/reachable``) for ``mode=rail``; refused for other modes."""
    if mode == "rail":
        return transit.parse_rail_query(settings, **rail, require_origin=False)
    if rail:
        raise InputError(f"{', '.join(sorted(rail))}: only for mode=rail, not for mode={mode}.")
    return None


def _origin(origin: str | None, lon: float | None, lat: float | None) -> Any:
    if origin is not None and (lon is not None or lat is not None):
        raise InputError("give either from=… or lon and lat, not both.")
    if origin is not None:
        return modes.parse_origin(origin)
    if lon is None or lat is None:
        raise InputError("give an origin: from=<municipality or AGS> or lon=…&lat=….")
    return (lon, lat)


@router.get(
    "/reachable",
    response_class=GeoJSONResponse,
    summary="Municipalities reachable within N minutes, with population and trend",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_reachable(
    settings: AppSettings,
    rail: Rail,
    origin: From = None,
    lon: Lon = None,
    lat: Lat = None,
    mode: Annotated[str, Query(min_length=1, max_length=20)] = "car",
    max_minutes: Annotated[
        float | None, Query(ge=1, le=240, description="Time limit (min; 30 by car, 60 by rail)")
    ] = None,
    geometry: Annotated[Literal["area", "centre"], Query()] = "area",
) -> GeoJSONResponse:
    """GeoJSON of the reached municipalities (areas or centres, EPSG:4326) and a summary.

    ``outside_network`` lists the municipalities that could be in reach but that the
    loaded road network does not cover (their time is unknown, not "not reached").
    """
    answer = usecase.reachable(
        settings,
        _origin(origin, lon, lat),
        mode=mode,
        max_minutes=max_minutes,
        rail=_rail_query(settings, mode, rail.given()),
    )
    result, model = answer.result, answer.region
    table = result.table
    rows = model.set_index("ags").loc[table["ags"]]
    if geometry == "centre":
        geom = gpd.GeoSeries(gpd.points_from_xy(rows["centre_x"], rows["centre_y"]), crs=model.crs)
    else:
        geom = gpd.GeoSeries(rows.geometry.simplify(50.0).to_numpy(), crs=model.crs)
    # built by hand rather than through GeoDataFrame.to_json: a warm request stays
    # within a few milliseconds (bench/reachable_api.py)
    web = shapely.set_precision(geom.to_crs(WEB_CRS).to_numpy(), 1e-5)
    features = [
        {
            "type": "Feature",
            "properties": _plain(rec),
            "geometry": json.loads(shapely.to_geojson(g)),
        }
        for rec, g in zip(table.to_dict("records"), web, strict=True)
    ]
    out = result.outside
    outside = [
        {"ags": a, "name": n, "district": d, "straight_km": float(k), "status": st}
        for a, n, d, k, st in zip(
            out["ags"],
            out["name"],
            out["district"],
            out["straight_km"],
            out["status"],
            strict=True,
        )
    ]
    body = {
        "type": "FeatureCollection",
        "features": features,
        "attribution": sources.attributions([*REGION_SOURCES, "osm"]),
        "summary": {**result.summary, "network_note": answer.network_note},
        "outside_network": outside,
        "numberReturned": len(features),
    }
    return GeoJSONResponse(body)


@router.get(
    "/isochrones",
    response_class=GeoJSONResponse,
    summary="Areas reachable by car within each number of minutes, along the roads",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_isochrones(
    settings: AppSettings,
    origin: From = None,
    lon: Lon = None,
    lat: Lat = None,
    minutes: Annotated[
        list[Annotated[float, Field(ge=1, le=240)]] | None,
        Query(
            max_length=MAX_CUTOFFS,
            description=f"Cut-offs, 1–240 (repeat, at most {MAX_CUTOFFS}: "
            "STADTREGION_MAX_ISOCHRONE_CUTOFFS)",
        ),
    ] = None,
    buffer_m: Annotated[float, Query(ge=1, le=1000)] = 100,
) -> GeoJSONResponse:
    """GeoJSON polygons (EPSG:4326), one per cut-off, with ``area_km2``."""
    check_items("minutes", minutes, settings.max_isochrone_cutoffs, "max_isochrone_cutoffs")
    answer = usecase.isochrones(
        settings, _origin(origin, lon, lat), minutes or [10, 20, 30], buffer_m=buffer_m
    )
    iso = answer.isochrones
    body = to_geojson(
        iso,
        sources.attributions(["osm"]),
        precision=6,
        extra={
            "origin": answer.origin.label,
            "snap_dist_m": iso.attrs["snap_dist_m"],
            "network": answer.network,
            "network_note": answer.network_note,
        },
    )
    return GeoJSONResponse(body)
