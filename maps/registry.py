"""Named maps: load the data a map needs (through ``geo``) and render it to HTML.

The API serves ``/maps/{name}.html`` and the CLI exports ``stadtregion map NAME`` from
here, so both show the same map. Later issues register further maps in :data:`MAPS`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import folium
import geopandas as gpd

from geo import region as region_model
from geo import sources
from geo.build import load_region
from geo.errors import NotFoundError
from geo.settings import Settings
from maps.base import render_html
from maps.reachable import reachable_map
from maps.region import build_region_map

MapBuilder = Callable[[Settings, str, "str | None"], folium.Map]


def region_map(settings: Settings, lang: str = "de", tiles: str | None = None) -> folium.Map:
    """The region map on the region model, with the rail lines and stations of the pack."""
    model, _ = load_region(settings)
    rail = sources.read_vector(settings.data_dir / sources.RAIL_FILE, "rail line segments")
    stations = sources.read_stations(settings.data_dir)
    inside = gpd.sjoin(stations, model[["geometry"]], predicate="within", how="inner")
    stations = stations.loc[inside.index.unique()]
    attribution = sources.attributions(
        [*region_model.REGION_SOURCES, sources.RAIL_FILE, sources.STATIONS_FILE]
    )
    return build_region_map(
        model,
        settings,
        attribution=attribution,
        rail=rail,
        stations=stations,
        lang=lang,
        tiles=tiles,
    )


#: Map name → builder. Each builder takes (settings, lang, tiles).
MAPS: dict[str, MapBuilder] = {
    "region": region_map,
    "reachable": reachable_map,  # from Jena within 30 min; the API page takes from/max_minutes
}
#: Maps drawn only from the built data: rendered once per process and options.
STATIC_MAPS = {"region"}


def render_map(
    name: str,
    settings: Settings,
    *,
    lang: str = "de",
    tiles: str | None = None,
    inline_assets: bool = False,
) -> str:
    """Render the map ``name`` to an HTML page.

    Raises
    ------
    NotFoundError
        When no map of that name exists; the message lists the maps there are.
    """
    if name not in MAPS:
        raise NotFoundError(f"unknown map {name!r}; maps: {', '.join(sorted(MAPS))}.")
    if name in STATIC_MAPS:
        return _render_cached(name, settings.model_dump_json(), lang, tiles, inline_assets)
    return render_html(MAPS[name](settings, lang, tiles), settings, inline_assets=inline_assets)


@lru_cache(maxsize=16)
def _render_cached(
    name: str, settings_json: str, lang: str, tiles: str | None, inline_assets: bool
) -> str:
    settings = Settings.model_validate_json(settings_json)
    return render_html(MAPS[name](settings, lang, tiles), settings, inline_assets=inline_assets)
