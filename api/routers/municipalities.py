"""``/municipalities``: the region model as GeoJSON (EPSG:4326)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import StringConstraints

from api.deps import get_app_settings
from api.limits import check_items
from api.responses import GeoJSONResponse
from geo import sources
from geo.ogc.export import feature, to_geojson
from geo.region import model as region
from geo.settings import MAX_QUERY_ITEMS, Settings
from geo.usecases import region as region_uc

router = APIRouter(tags=["municipalities"])


@router.get(
    "/municipalities",
    response_class=GeoJSONResponse,
    summary="Municipalities with population series, trend and distance",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def list_municipalities(
    settings: Annotated[Settings, Depends(get_app_settings)],
    within_km: Annotated[float | None, Query(gt=0, le=1000, description="Radius in km")] = None,
    of: Annotated[str, Query(min_length=1, max_length=100)] = "Jena",
    district: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    name: Annotated[
        list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None,
        Query(
            max_length=MAX_QUERY_ITEMS,
            description=f"Municipality names or AGS (repeat, at most {MAX_QUERY_ITEMS})",
        ),
    ] = None,
) -> GeoJSONResponse:
    """GeoJSON FeatureCollection of the selected municipalities (filters as in the CLI)."""
    check_items("name", name, settings.max_list_items, "max_list_items")
    sel = region_uc.municipalities(
        settings, of=of, within_km=within_km, district=district, names=name
    )
    body: dict[str, Any] = to_geojson(
        sel,
        sources.attributions(region.REGION_SOURCES),
        extra={"numberReturned": len(sel)},
    )
    return GeoJSONResponse(body)


@router.get(
    "/municipalities/{ags}",
    response_class=GeoJSONResponse,
    summary="One municipality by AGS, Regionalschlüssel or name",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_municipality(
    ags: str, settings: Annotated[Settings, Depends(get_app_settings)]
) -> GeoJSONResponse:
    """One municipality as a GeoJSON Feature; unknown codes answer 404 with suggestions."""
    sel = region_uc.municipality(settings, ags)
    return GeoJSONResponse(feature(sel, sources.attributions(region.REGION_SOURCES)))
