"""``/maps/{name}.html``: the Folium maps of :mod:`maps.registry`, rendered for the caller.

Every map page, ``/maps/reachable.html`` included, is served here from the registry (the
CLI's ``stadtregion map`` renders the same), so no other router declares a map path. The
caller's role comes from :func:`api.deps.get_viewer` (the one access decision) and is
passed to the map, which reads plots through the store as that viewer. An option a map
does not take is refused with 400 naming the map's options.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import get_app_settings, get_store, get_viewer
from api.rail import Rail
from api.web.render import with_header
from geo.landpool.plots import Viewer
from geo.settings import Settings
from maps.registry import render_map

router = APIRouter(tags=["maps"])


@router.get("/maps/{name}.html", response_class=HTMLResponse, summary="A map page")
def map_page(
    name: str,
    request: Request,
    settings: Annotated[Settings, Depends(get_app_settings)],
    viewer: Annotated[Viewer, Depends(get_viewer)],
    rail: Rail,
    lang: Annotated[Literal["de", "en"], Query()] = "de",
    tiles: Annotated[Literal["none"] | None, Query()] = None,
    by: Annotated[
        Literal["status", "score"] | None, Query(description="plots map: colour by")
    ] = None,
    profile: Annotated[
        str | None, Query(max_length=40, description="plots map: shipped screening profile")
    ] = None,
    origin: Annotated[
        str | None,
        Query(alias="from", min_length=1, max_length=100, description="reachable map: origin"),
    ] = None,
    max_minutes: Annotated[
        float | None, Query(ge=1, le=240, description="reachable map: time limit (min)")
    ] = None,
    mode: Annotated[
        Literal["car", "rail"] | None, Query(description="reachable map: car or rail")
    ] = None,
) -> HTMLResponse:
    """Render the map ``name`` (German labels unless ``lang=en``; ``tiles=none`` hides tiles).

    ``plots`` (land-pool role only) takes ``by=status|score`` and ``profile`` (a shipped
    screening profile, default ``housing``). ``reachable`` takes ``from`` (default Jena),
    ``max_minutes``, ``mode=car|rail`` and, by rail, the options of ``/transit/reachable``.
    """
    html = render_map(
        name,
        settings,
        viewer=viewer,
        lang=lang,
        tiles=tiles,
        options={
            "by": by,
            "profile": profile,
            "from": origin,
            "max_minutes": max_minutes,
            "mode": mode,
            **rail.given(),
        },
        store=lambda: get_store(request),
    )
    return HTMLResponse(with_header(html, request, viewer, lang, name))
