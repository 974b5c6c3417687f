"""``/maps/{name}.html``: the Folium maps, rendered on request."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from api.deps import get_app_settings
from geo.settings import Settings
from maps.registry import render_map

router = APIRouter(tags=["maps"])


@router.get("/maps/{name}.html", response_class=HTMLResponse, summary="A map page")
def map_page(
    name: str,
    settings: Annotated[Settings, Depends(get_app_settings)],
    lang: Annotated[Literal["de", "en"], Query()] = "de",
    tiles: Annotated[Literal["none"] | None, Query()] = None,
) -> HTMLResponse:
    """Render the map ``name`` (German labels unless ``lang=en``; ``tiles=none`` hides tiles)."""
    return HTMLResponse(render_map(name, settings, lang=lang, tiles=tiles))
