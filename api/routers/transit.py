"""``/transit/...``: public-transport travel times from GTFS timetables (GeoJSON answers)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import geopandas as gpd
import numpy as np
from fastapi import APIRouter, Body, Depends, Query
from fastapi.responses import HTMLResponse

from api.deps import get_app_settings, get_region
from api.limits import check_rail_window
from api.responses import GeoJSONResponse
from geo import gtfs_io, transit
from geo.export import to_geojson
from geo.settings import WORK_CRS, Settings
from geo.sources import rail_attributions
from maps.base import render_html
from maps.transit import build_transit_map

router = APIRouter(tags=["transit"])

Region = Annotated[gpd.GeoDataFrame, Depends(get_region)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


class RailQuery:
    """The query of the ``/transit/reachable`` routes and their map (a FastAPI dependency:
    declared once, the same parameters and limits on every route)."""

    def __init__(
        self,
        date: Annotated[str, Query(description="Service date YYYY-MM-DD", max_length=10)],
        origin: Annotated[str, Query(min_length=1, max_length=100)] = "Jena",
        max_minutes: Annotated[float, Query(gt=0, le=600)] = 60,
        window: Annotated[str | None, Query(description="e.g. 07:00-08:00", max_length=20)] = None,
        depart: Annotated[str, Query(max_length=8)] = "08:00",
        percentile: Annotated[float, Query(ge=0, le=100)] = 50,
        planned: bool = False,
        *,
        settings: Annotated[Settings, Depends(get_app_settings)],
    ) -> None:
        check_rail_window(window, 1, settings.max_rail_window_min)
        self.date = date
        self.origin = origin
        self.max_minutes = max_minutes
        self.window = window
        self.depart = depart
        self.percentile = percentile
        self.planned = planned

    def reachable(self, tt: transit.Timetable, model: gpd.GeoDataFrame) -> transit.RailReachability:
        """:func:`geo.transit.reachable_rail` for this query."""
        return transit.reachable_rail(
            tt,
            model,
            self.origin,
            self.max_minutes,
            self.date,
            window=transit.parse_window(self.window),
            depart=self.depart,
            percentile=self.percentile,
            planned=self.planned,
        )


Rail = Annotated[RailQuery, Depends()]


def _answer(res: transit.RailReachability, model: gpd.GeoDataFrame) -> GeoJSONResponse:
    geo = model.set_index("ags").loc[res.table["ags"], ["geometry"]].reset_index()
    stats = res.stats.drop(columns="ags").replace(np.inf, np.nan).round(1)
    gdf = gpd.GeoDataFrame(
        res.table.join(stats.add_prefix("minutes_")),
        geometry=geo.geometry.to_numpy(),
        crs=model.crs,
    )
    attribution = rail_attributions(res.summary["feeds"])
    body: dict[str, Any] = to_geojson(
        gdf, attribution, extra={"numberReturned": len(gdf), "summary": res.summary}
    )
    return GeoJSONResponse(body)


@router.get(
    "/transit/reachable",
    response_class=GeoJSONResponse,
    summary="Municipalities reachable by public transport (GTFS) within N minutes",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def reachable(model: Region, settings: AppSettings, query: Rail) -> GeoJSONResponse:
    """Reached municipalities with minutes (the chosen statistic), window statistics and
    a summary naming the feeds, date, window and whether a scenario was used."""
    return _answer(query.reachable(gtfs_io.get_timetable(settings), model), model)


@router.post(
    "/transit/reachable/scenario",
    response_class=GeoJSONResponse,
    summary="As /transit/reachable, with a planned service added to the timetable",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def reachable_with_scenario(
    model: Region,
    settings: AppSettings,
    scenario: Annotated[dict[str, Any], Body(description="Fields of ServiceScenario")],
    query: Rail,
) -> GeoJSONResponse:
    """The answer's summary names the scenario (``scenario_used: true``)."""
    tt = gtfs_io.timetable_with_scenario(settings, transit.scenario_from_dict(scenario))
    return _answer(query.reachable(tt, model), model)


@router.get(
    "/transit/map.html",
    response_class=HTMLResponse,
    summary="Map of municipalities reachable by public transport",
)
def transit_map(
    model: Region,
    settings: AppSettings,
    query: Rail,
    tiles: Annotated[Literal["none"] | None, Query()] = None,
) -> HTMLResponse:
    """The map layer of ``/transit/reachable`` (same parameters)."""
    tt = gtfs_io.get_timetable(settings)
    res = query.reachable(tt, model)
    m = build_transit_map(
        model,
        res,
        settings,
        attribution=rail_attributions(res.summary["feeds"]),
        stations=_stations(tt, model),
        tiles=tiles,
    )
    return HTMLResponse(render_html(m, settings))


def _stations(tt: transit.Timetable, model: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The timetable's stops inside the region, as points."""
    pts = gpd.GeoDataFrame(
        {"name": tt.stop_names},
        geometry=gpd.points_from_xy(tt.stop_x, tt.stop_y),
        crs=WORK_CRS,
    )
    inside = gpd.sjoin(pts, model[["geometry"]], predicate="within", how="inner")
    return pts.loc[inside.index.unique()]


@router.get("/transit/feed", summary="The GTFS feeds in use")
def feed(settings: AppSettings) -> dict[str, Any]:
    """Feeds, trips left out, size and service days of the timetable."""
    return gtfs_io.get_timetable(settings).describe()
