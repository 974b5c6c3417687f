"""``/maps/{name}.html``: the Folium maps, rendered on request for the caller.

The caller's role comes from :func:`api.deps.get_viewer` (the one access decision) and is
passed to the map, which reads plots through the store as that viewer.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import get_app_settings, get_store, get_viewer
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
    lang: Annotated[Literal["de", "en"], Query()] = "de",
    tiles: Annotated[Literal["none"] | None, Query()] = None,
    by: Annotated[
        Literal["status", "score"] | None, Query(description="plots map: colour by")
    ] = None,
    profile: Annotated[
        str | None, Query(max_length=40, description="plots map: shipped screening profile")
    ] = None,
) -> HTMLResponse:
    """Render the map ``name`` (German labels unless ``lang=en``; ``tiles=none`` hides tiles).

    ``plots`` (land-pool role only) takes ``by=status|score`` and ``profile`` (a shipped
    screening profile, default ``housing``).
    """
    html = render_map(
        name,
        settings,
        viewer=viewer,
        lang=lang,
        tiles=tiles,
        options={"by": by, "profile": profile},
        store=lambda: get_store(request),
    )
    return HTMLResponse(html)
