"""``POST /plots/screen``: screen the land-pool plots the caller may see against a profile.

The body names a shipped profile (``housing``, ``commerce``, ``quick_wins``) or holds one
inline, and may carry HQ100 flood-zone polygons as a GeoJSON FeatureCollection (EPSG:4326);
without them ``flood_share`` is unknown. The answer is the screened plots as GeoJSON
(EPSG:4326) with pass/fail and reasons per criterion, score and rank: the layer a map of
the result draws. Confidential plots are screened only for the land-pool role (the store
returns only what the caller may see).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import get_app_settings, get_store, get_viewer
from api.responses import GeoJSONResponse
from geo.errors import InputError
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.screening.attributes import Layer
from geo.screening.io import result_geojson, save_profile, shipped_profile_names
from geo.screening.profile import parse_profile
from geo.settings import WEB_CRS, WORK_CRS, Settings
from geo.usecases.screening import ScreeningQuery
from geo.usecases.screening import screen_plots as screen_use_case
from geo.validate import parse_geojson_geometry

router = APIRouter(tags=["plots"])

GEOJSON: dict[int | str, dict[str, Any]] = {200: {"content": {"application/geo+json": {}}}}


class ScreenRequest(BaseModel):
    """What to screen with."""

    model_config = ConfigDict(extra="forbid")
    profile: str | dict[str, Any] = Field(
        ..., description="A shipped profile name or a profile object (filters, weights)."
    )
    flood: dict[str, Any] | None = Field(
        None, description="HQ100 flood-zone polygons: a GeoJSON FeatureCollection (EPSG:4326)."
    )


def _flood_layer(doc: dict[str, Any], settings: Settings) -> Layer:
    if doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise InputError("flood must be a GeoJSON FeatureCollection of polygons (EPSG:4326).")
    geoms = []
    for i, feat in enumerate(doc["features"]):
        if not isinstance(feat, dict) or feat.get("type") != "Feature":
            raise InputError(f"flood.features[{i}] must be a GeoJSON Feature.")
        geoms.append(
            parse_geojson_geometry(
                feat.get("geometry"), settings, where=f"flood.features[{i}].geometry"
            )
        )
    if not geoms:
        raise InputError("flood holds no polygons; give HQ100 areas.")
    gdf = gpd.GeoDataFrame(geometry=geoms, crs=WEB_CRS)
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]
    return Layer(gdf=gdf.to_crs(WORK_CRS), version=f"request@sha256:{digest}")


@router.post(
    "/plots/screen",
    response_class=GeoJSONResponse,
    responses=GEOJSON,
    summary="Screen land-pool plots against a profile",
)
def screen_plots(
    body: ScreenRequest,
    settings: Annotated[Settings, Depends(get_app_settings)],
    store: Annotated[Store, Depends(get_store)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
    lang: Annotated[
        str, Query(pattern="^(de|en)$", description="Words and numbers: de (default) or en.")
    ] = "de",
) -> GeoJSONResponse:
    """Per plot an outcome (passes / open / fails), per criterion pass/fail/unknown with
    the measured value and threshold, for open plots which data would decide them, score
    0–100 and rank within passes and within open; ``summary`` counts add up."""
    # the flood polygons are checked whether or not any plot is visible (bad input is refused)
    flood = _flood_layer(body.flood, settings) if body.flood is not None else None
    query = ScreeningQuery(body.profile, flood=flood, profile_files=False, lang=lang)
    done = screen_use_case(settings, viewer, query, store)
    if done.result.empty:
        doc: dict[str, Any] = {
            "type": "FeatureCollection",
            "features": [],
            "profile": done.profile.name,
            "summary": {"passes": 0, "open": 0, "fails": 0, "total": 0},
        }
        return GeoJSONResponse(doc)
    return GeoJSONResponse(result_geojson(done.result))


@router.get("/plots/screen/profiles", summary="Shipped and saved screening profiles")
def list_profiles(
    store: Annotated[Store, Depends(get_store)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
) -> dict[str, Any]:
    """Names of the shipped profiles and of the profiles saved in the database.

    Who saved a profile (a staff name, personal data) only for the land-pool team.
    """
    saved = []
    for p in store.list_profiles():
        item: dict[str, Any] = {"name": p.name, "version": p.version}
        if viewer.sees_confidential:
            item["saved_by"] = p.saved_by
        item["saved_at"] = p.saved_at.isoformat()
        saved.append(item)
    return {"shipped": shipped_profile_names(), "saved": saved}


@router.put("/plots/screen/profiles/{name}", summary="Save a screening profile (land pool)")
def put_profile(
    name: Annotated[str, Path(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")],
    body: dict[str, Any],
    store: Annotated[Store, Depends(get_store)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
) -> dict[str, Any]:
    """Validate a profile object and save it under ``name`` (a misspelt key is named)."""
    saved = save_profile(store, viewer, name, parse_profile(body, source="profile"))
    return {"name": saved.name, "version": saved.version, "saved_by": saved.saved_by}
