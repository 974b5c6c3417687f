"""``/transit/...``: public-transport travel times from GTFS timetables (GeoJSON answers)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import geopandas as gpd
from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.deps import get_app_settings, get_viewer
from api.rail import Rail as RailOptions
from api.responses import GeoJSONResponse
from api.web.render import with_header
from geo import transit
from geo.access.roles import Viewer
from geo.errors import InputError
from geo.ogc.export import to_geojson
from geo.settings import Settings
from geo.sources import rail_attributions
from geo.transit import io as transit_io
from geo.usecases import reachability as usecase
from maps.base import render_html
from maps.transit import build_transit_map

router = APIRouter(tags=["transit"])

AppSettings = Annotated[Settings, Depends(get_app_settings)]

#: Origin of the transit map when the query names none.
MAP_ORIGIN = "Jena"
#: What an answer to a query with ``origin=`` says (kept working for one release).
ORIGIN_DEPRECATED = "origin= is deprecated: use from= (origin= goes in the next release)."


def rail_query(
    response: Response,
    settings: AppSettings,
    options: RailOptions,
    from_: Annotated[
        str | None,
        Query(alias="from", min_length=1, max_length=100, description="Origin municipality"),
    ] = None,
    origin: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            deprecated=True,
            description="Old name of `from` (kept for one release)",
        ),
    ] = None,
    max_minutes: Annotated[
        float | None, Query(description="Time limit, 1–240 min (default 60)")
    ] = None,
) -> transit.RailQuery:
    """The rail query of the ``/transit/reachable`` routes, their map and
    ``/reachable?mode=rail``: the options of the CLI, with the same names and defaults,
    parsed once (:func:`geo.transit.parse_rail_query`)."""
    if from_ is not None and origin is not None:
        raise InputError("give the origin once, as from=… (origin= is its old name).")
    if origin is not None:
        response.headers["Deprecation"] = "true"
        response.headers["Warning"] = f'299 - "{ORIGIN_DEPRECATED}"'
    return transit.parse_rail_query(
        settings,
        origin=from_ if from_ is not None else origin,
        max_minutes=max_minutes,
        **options.given(),
        require_origin=False,
    )


Rail = Annotated[transit.RailQuery, Depends(rail_query)]


def _deprecated(res: transit.RailReachability, response: Response) -> transit.RailReachability:
    if "Deprecation" in response.headers:
        res.summary["deprecation"] = ORIGIN_DEPRECATED
    return res


def _answer(
    res: transit.RailReachability, model: gpd.GeoDataFrame, response: Response
) -> GeoJSONResponse:
    gdf = transit.rail_areas(res, model)
    late = res.not_reached if res.not_reached is not None else res.table.iloc[:0]
    attribution = rail_attributions(res.summary["feeds"])
    body: dict[str, Any] = to_geojson(
        gdf,
        attribution,
        extra={
            "numberReturned": len(gdf),
            "summary": res.summary,
            "not_reached_in_window": json.loads(late.to_json(orient="records")),
        },
    )
    return GeoJSONResponse(body, headers=_deprecation(response))


def _deprecation(response: Response) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower() in ("deprecation", "warning")}


@router.get(
    "/transit/reachable",
    response_class=GeoJSONResponse,
    summary="Municipalities reachable by public transport (GTFS) within N minutes",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def reachable(settings: AppSettings, query: Rail, response: Response) -> GeoJSONResponse:
    """Reached municipalities with minutes (the chosen statistic), window statistics and
    a summary naming the query, the feeds, date, window and whether a scenario was used."""
    answer = usecase.rail_reachable(settings, query)
    return _answer(_deprecated(answer.result, response), answer.region, response)


@router.post(
    "/transit/reachable/scenario",
    response_class=GeoJSONResponse,
    summary="As /transit/reachable, with a planned service added to the timetable",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def reachable_with_scenario(
    settings: AppSettings,
    scenario: Annotated[dict[str, Any], Body(description="Fields of ServiceScenario")],
    query: Rail,
    response: Response,
) -> GeoJSONResponse:
    """The answer's summary names the scenario (``scenario_used: true``)."""
    if query.origin is None:
        raise InputError("from is missing: give the origin municipality, e.g. from=Jena.")
    answer = usecase.rail_reachable(settings, query, scenario=transit.scenario_from_dict(scenario))
    return _answer(_deprecated(answer.result, response), answer.region, response)


@router.get(
    "/transit/map.html",
    response_class=HTMLResponse,
    summary="Map of municipalities reachable by public transport",
)
def transit_map(
    request: Request,
    settings: AppSettings,
    viewer: Annotated[Viewer, Depends(get_viewer)],
    query: Rail,
    response: Response,
    tiles: Annotated[Literal["none"] | None, Query()] = None,
    lang: Annotated[Literal["de", "en"], Query()] = "de",
) -> HTMLResponse:
    """The map layer of ``/transit/reachable`` (same parameters; from Jena without ``from``)."""
    answer = usecase.rail_reachable(settings, query, default_origin=MAP_ORIGIN)
    res = _deprecated(answer.result, response)
    m = build_transit_map(
        answer.region,
        res,
        settings,
        attribution=rail_attributions(res.summary["feeds"]),
        stations=usecase.stations(answer),
        tiles=tiles,
    )
    html = with_header(render_html(m, settings), request, viewer, lang, "transit")
    return HTMLResponse(html, headers=_deprecation(response))


@router.get("/transit/feed", summary="The GTFS feeds in use")
def feed(settings: AppSettings) -> dict[str, Any]:
    """Feeds, trips left out, size and service days of the timetable."""
    return transit_io.get_timetable(settings).describe()
