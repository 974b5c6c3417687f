"""``/projects``: the forum's cooperation projects as GeoJSON (EPSG:4326), public.

Projects are public by design; what of them is shown is the one projection of
:mod:`geo.projects.public` (only published plots among the links, no editors' names;
the history with names only for staff). Without a project geometry a feature carries the
outline of the municipalities involved (``geometry_source``). Writes happen in the web
app (``/forum/projects``) and with ``stadtregion projects create|edit``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from api.deps import get_app_settings, get_store, get_viewer
from api.responses import GeoJSONResponse
from geo import sources
from geo.access.roles import Viewer
from geo.landpool.store import Store
from geo.projects.model import STATUSES, TOPICS
from geo.region import model as region
from geo.settings import Settings
from geo.usecases import projects as uc

router = APIRouter(tags=["projects"])
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
Topic = Literal[TOPICS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]


def _store(request: Request) -> Store:
    return get_store(request)


def attribution() -> list[str]:
    """Sources of what a project answer shows: municipality outlines and population."""
    return sources.attributions(region.REGION_SOURCES)


@router.get(
    "/projects",
    response_class=GeoJSONResponse,
    summary="Cooperation projects of the forum (public)",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def list_projects(
    settings: SettingsDep,
    store: Annotated[Store, Depends(_store)],
    topic: Annotated[Topic | None, Query(description="Forum topic")] = None,
    status: Annotated[Status | None, Query(description="Project status")] = None,
    ags: Annotated[
        str | None, Query(min_length=1, max_length=100, description="Municipality (AGS or name)")
    ] = None,
) -> GeoJSONResponse:
    """Every cooperation project (filtered by topic, status, municipality) as GeoJSON."""
    filters = uc.parse_filter(settings, topic, status, ags)
    projects = uc.list_projects(settings, store, filters)
    body: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [p.feature() for p in projects],
        "numberReturned": len(projects),
        "attribution": attribution(),
    }
    return GeoJSONResponse(body)


@router.get(
    "/projects/{project_id}",
    response_class=GeoJSONResponse,
    summary="One cooperation project with its history",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def get_project(
    settings: SettingsDep,
    store: Annotated[Store, Depends(_store)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
    project_id: Annotated[str, Path(min_length=1, max_length=100)],
) -> GeoJSONResponse:
    """One project as a GeoJSON Feature with ``history`` (who edited: staff only)."""
    project = uc.get_project(settings, store, viewer, project_id)
    body = project.feature()
    body["history"] = project.history
    body["attribution"] = attribution()
    return GeoJSONResponse(body)
