"""``/plots``: the land-pool register as GeoJSON (EPSG:4326).

Reads are open; confidential plots and every write need the land-pool role, decided by
one dependency (:func:`api.deps.get_viewer`). A public caller sees only published plots
and never learns that a confidential or unpublished plot exists: it is not listed, not
counted (``numberMatched``), and asking for it (or its history) answers 404 exactly like
a plot that does not exist. What each role sees of a plot and its history is decided once,
in :mod:`geo.landpool.public`.

Publishing: ``POST …/publish`` and ``POST …/unpublish`` with a reason (land-pool role),
recorded in the history.

Edits: ``PATCH`` takes a flat body of the attributes to change (:mod:`api.plot_patch`).
Concurrent edits: ``PATCH`` and ``POST …/status`` take the ``version`` the caller last
read (body or ``If-Match``); if the plot has moved on the answer is 409 and nothing changes.

Each route parses its input (GeoJSON geometry → EPSG:25832, ``If-Match``), calls one use
case of :mod:`geo.usecases.landpool` and writes its answer as GeoJSON.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import geopandas as gpd
from fastapi import APIRouter, Body, Depends, Header, Query
from pydantic import BaseModel, ConfigDict, Field
from shapely.geometry.base import BaseGeometry

from api.deps import get_app_settings, get_store, get_viewer
from api.plot_patch import PATCH_EXAMPLES, parse_patch_body, patch_schema
from api.responses import GeoJSONResponse
from geo.errors import InputError
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import MAX_OFFSET, MAX_VERSION, WEB_CRS, WORK_CRS, Settings
from geo.usecases import landpool as uc
from geo.validate import check_property_types, parse_geojson_geometry

router = APIRouter(tags=["plots"])

StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
GEOJSON: dict[int | str, dict[str, Any]] = {200: {"content": {"application/geo+json": {}}}}


class PlotFeature(BaseModel):
    """A new plot as a GeoJSON Feature (geometry in EPSG:4326, RFC 7946)."""

    model_config = ConfigDict(extra="forbid")
    type: str = Field("Feature", pattern="^Feature$")
    id: str | None = None
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(default_factory=dict)


class StatusChange(BaseModel):
    """A move along the workflow."""

    model_config = ConfigDict(extra="forbid")
    status: str = Field(..., min_length=1, max_length=32)
    reason: str | None = Field(None, max_length=10_000)
    version: int | None = Field(
        None, ge=1, le=MAX_VERSION, strict=True, description="Refuse if the plot moved on."
    )


def _geometry(value: dict[str, Any], settings: Settings) -> BaseGeometry:
    """GeoJSON geometry in EPSG:4326 → shapely geometry in EPSG:25832 (checked strictly)."""
    geom = parse_geojson_geometry(value, settings)
    if geom.is_empty:
        return geom
    return gpd.GeoSeries([geom], crs=WEB_CRS).to_crs(WORK_CRS).iloc[0]


#: An If-Match value: a plot version, ASCII digits only (``str.isdigit`` also takes ``²``).
_VERSION_TAG = re.compile(r"[0-9]{1,10}")


def _version(body_version: int | None, if_match: str | None) -> int | None:
    if if_match is not None:
        text = if_match.strip().removeprefix("W/").strip('"')
        if not _VERSION_TAG.fullmatch(text) or int(text) > MAX_VERSION:
            raise InputError(
                "If-Match must hold the plot version (digits 0-9, at most "
                f'{MAX_VERSION}), e.g. If-Match: "3".'
            )
        header_version = int(text)
        if body_version is not None and body_version != header_version:
            raise InputError("version in the body and If-Match differ; send one of them.")
        return header_version
    return body_version


class Publication(BaseModel):
    """Publish or unpublish a plot: why, and optionally the version last read."""

    model_config = ConfigDict(extra="forbid")
    reason: str = Field(..., min_length=1, max_length=10_000)
    version: int | None = Field(None, ge=1, description="Refuse if the plot moved on.")


def _feature_response(plot: uc.PlotDetail, status_code: int = 200) -> GeoJSONResponse:
    body = {**plot.feature, "attribution": plot.attribution}
    return GeoJSONResponse(body, status_code=status_code, headers={"ETag": f'"{plot.version}"'})


@router.get("/plots", response_class=GeoJSONResponse, responses=GEOJSON, summary="Land-pool plots")
def list_plots(
    store: StoreDep,
    viewer: ViewerDep,
    status: Annotated[str | None, Query(max_length=32)] = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
    ags: Annotated[str | None, Query(pattern=r"^\d{8}$")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> GeoJSONResponse:
    """GeoJSON FeatureCollection of the plots the caller may see, ordered by plot_id."""
    page = uc.list_plots(
        store, viewer, uc.PlotFilter(status, category, ags), limit=limit, offset=offset
    )
    return GeoJSONResponse(
        {
            "type": "FeatureCollection",
            "numberMatched": page.matched,
            "numberReturned": page.returned,
            "attribution": page.attribution,
            "features": page.features,
        }
    )


@router.post(
    "/plots",
    response_class=GeoJSONResponse,
    status_code=201,
    responses={201: {"content": {"application/geo+json": {}}}},
    summary="Add a plot (land-pool role)",
)
def create_plot(
    body: PlotFeature, store: StoreDep, viewer: ViewerDep, settings: SettingsDep
) -> GeoJSONResponse:
    """Store a new plot; ``plot_id`` comes from ``id`` or ``properties.plot_id``."""
    viewer.require_write()  # refuse before the body is parsed
    check_property_types(body.properties)
    props = dict(body.properties)
    plot_id = str(props.pop("plot_id", None) or body.id or "")
    status = props.pop("status", None)
    reason = props.pop("reason", None)
    plot = uc.create_plot(
        store,
        viewer,
        props,
        _geometry(body.geometry, settings),
        plot_id=plot_id,
        status=status,
        reason=reason,
    )
    out = _feature_response(plot, status_code=201)
    out.headers["Location"] = f"/plots/{plot.plot_id}"
    return out


@router.get(
    "/plots/{plot_id}", response_class=GeoJSONResponse, responses=GEOJSON, summary="One plot"
)
def get_plot(plot_id: str, store: StoreDep, viewer: ViewerDep) -> GeoJSONResponse:
    """One plot as a GeoJSON Feature, with its version as ETag."""
    return _feature_response(uc.get_plot(store, viewer, plot_id))


@router.patch(
    "/plots/{plot_id}",
    response_class=GeoJSONResponse,
    responses=GEOJSON,
    summary="Change a plot (land-pool role, optimistic locking)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": patch_schema(), "examples": PATCH_EXAMPLES}},
        }
    },
)
def patch_plot(
    plot_id: str,
    body: Annotated[dict[str, Any], Body()],
    store: StoreDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    if_match: Annotated[str | None, Header()] = None,
) -> GeoJSONResponse:
    """Change attributes and/or the geometry; fields left out stay as they are.

    The body is flat: the attributes to change (e.g. ``{"contamination": "none",
    "version": 1}``), the ``version`` last read (or ``If-Match``), an optional ``reason``
    and an optional ``geometry``. A stale version answers 409 and changes nothing; an
    unknown or read-only field, or a value outside its vocabulary, answers 422 naming it.
    """
    viewer.require_write()  # refuse before the body is checked
    patch = parse_patch_body(body)
    version = _version(patch.version, if_match)
    if version is None:
        raise InputError(
            'version is required: send the version you last read ("version" or If-Match).'
        )
    plot = uc.edit_plot(
        store,
        viewer,
        plot_id,
        version=version,
        values=patch.values,
        geometry=_geometry(patch.geometry, settings) if patch.geometry is not None else None,
        reason=patch.reason,
    )
    return _feature_response(plot)


@router.post(
    "/plots/{plot_id}/status",
    response_class=GeoJSONResponse,
    responses=GEOJSON,
    summary="Move a plot along the workflow (land-pool role)",
)
def change_status(
    plot_id: str,
    body: StatusChange,
    store: StoreDep,
    viewer: ViewerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> GeoJSONResponse:
    """Allowed changes only (409 otherwise); recorded in the plot's history."""
    viewer.require_write()  # refuse before If-Match is parsed
    plot = uc.change_status(
        store,
        viewer,
        plot_id,
        body.status,
        reason=body.reason,
        version=_version(body.version, if_match),
    )
    return _feature_response(plot)


@router.post(
    "/plots/{plot_id}/publish",
    response_class=GeoJSONResponse,
    responses=GEOJSON,
    summary="Publish a plot: public callers see it from now on (land-pool role)",
)
def publish_plot(
    plot_id: str,
    body: Publication,
    store: StoreDep,
    viewer: ViewerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> GeoJSONResponse:
    """Publish with a reason (recorded with who and when); a confidential plot → 409."""
    viewer.require_write()  # refuse before If-Match is parsed
    plot = uc.publish_plot(
        store, viewer, plot_id, reason=body.reason, version=_version(body.version, if_match)
    )
    return _feature_response(plot)


@router.post(
    "/plots/{plot_id}/unpublish",
    response_class=GeoJSONResponse,
    responses=GEOJSON,
    summary="Withdraw a plot's publication (land-pool role)",
)
def unpublish_plot(
    plot_id: str,
    body: Publication,
    store: StoreDep,
    viewer: ViewerDep,
    if_match: Annotated[str | None, Header()] = None,
) -> GeoJSONResponse:
    """Make a plot internal again, with a reason (recorded with who and when)."""
    viewer.require_write()  # refuse before If-Match is parsed
    plot = uc.unpublish_plot(
        store, viewer, plot_id, reason=body.reason, version=_version(body.version, if_match)
    )
    return _feature_response(plot)


@router.get("/plots/{plot_id}/history", summary="A plot's history (append-only)")
def plot_history(plot_id: str, store: StoreDep, viewer: ViewerDep) -> dict[str, Any]:
    """Every change of a plot the caller may see, oldest first (:mod:`geo.landpool.public`)."""
    return {
        "plot_id": plot_id,
        "history": uc.plot_history(store, viewer, plot_id),
    }
