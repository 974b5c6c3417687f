"""What the forum's contribution pages share: dependencies, the small page maps, dates."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Annotated, Any

import geopandas as gpd
from fastapi import Depends, HTTPException, Request
from markupsafe import Markup

from api.deps import get_app_settings, get_contributions, get_store, get_viewer
from geo.access.roles import Viewer
from geo.forum.store import ContributionStore
from geo.landpool.store import Store
from geo.ogc.export import to_geojson
from geo.settings import Settings
from geo.usecases import region as region_uc
from geo.vocabulary import word

ViewerDep = Annotated[Viewer, Depends(get_viewer)]
ContribDep = Annotated[ContributionStore, Depends(get_contributions)]
LandDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
#: Largest form body a contribution page takes (the text limit with room for encoding).
FORM_MAX_BYTES = 40_000
#: Colours of the statuses on the page maps.
#: Jena's AGS (the centre of the outlined area).
JENA_AGS = "16053000"
STATUS_COLOURS = {"approved": "#1b7837", "rejected": "#b2182b", "taken_up": "#2166ac"}


def check_form_size(request: Request) -> None:
    """Refuse (413) a form body larger than :data:`FORM_MAX_BYTES` before reading it."""
    try:
        length = int(request.headers.get("content-length") or 0)
    except ValueError:
        raise HTTPException(400, "Content-Length is not a number.") from None
    if length > FORM_MAX_BYTES:
        raise HTTPException(
            413, f"the form is larger than {FORM_MAX_BYTES} bytes; shorten the text."
        )


def map_block(
    settings: Settings, layers: list[dict[str, Any]], *, element_id: str = "forum-map-data"
) -> Markup:
    """The data block a page map (``maps/static/web/map.js``) draws: never executed."""
    data = {
        "tiles": settings.tiles_url,
        "attribution": settings.tiles_attribution or "",
        "layers": layers,
    }
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return (
        Markup('<script type="application/json" id="{}">').format(element_id)
        + Markup(text)
        + Markup("</script>")
    )


def contribution_layer(frame: gpd.GeoDataFrame, lang: str, href: Any) -> dict[str, Any]:
    """A map.js layer of public contributions (``frame`` from the public projection)."""
    shown = frame[["id", "title", "status", "municipality", "geometry"]].copy()
    shown["status_label"] = [word("forum_status", s, lang) for s in shown["status"]]
    shown["link"] = [href(f"/forum/contributions/{i}") for i in shown["id"]]
    return {
        "name": word("forum_list", "layer", lang),
        "geojson": to_geojson(shown, precision=6),
        "color_property": "status",
        "colors": STATUS_COLOURS,
        "popup": ["title", "municipality", "status_label"],
        "labels": {
            "title": word("forum_contrib", "title_field", lang),
            "municipality": word("forum_contrib", "municipality", lang),
            "status_label": word("forum_list", "status", lang),
        },
        "link_property": "link",
    }


#: Municipalities within this distance of Jena's centre are outlined on the page maps.
OUTLINE_RADIUS_M = 30_000


def outline_layer(settings: Settings, lang: str) -> dict[str, Any]:
    """Municipal outlines around Jena (orientation when no base map is configured)."""
    return {
        "name": word("forum_contrib", "municipality", lang),
        "geojson": _outlines(settings.model_dump_json()),
        "color": "#8a8a8a",
        "popup": ["name"],
        "labels": {"name": word("forum_contrib", "municipality", lang)},
    }


@lru_cache(maxsize=4)
def _outlines(settings_json: str) -> dict[str, Any]:
    settings = Settings.model_validate_json(settings_json)
    model = region_uc.region(settings).model
    jena = model[model["ags"].astype(str) == JENA_AGS]
    centre = jena.geometry.iloc[0].representative_point()
    near = model[model.geometry.distance(centre) <= OUTLINE_RADIUS_M]
    shown = gpd.GeoDataFrame(
        {"name": near["name"].astype(str).to_numpy()},
        geometry=near.geometry.simplify(60).boundary.to_numpy(),
        crs=near.crs,
    ).to_crs("EPSG:4326")
    return to_geojson(shown, precision=5)
