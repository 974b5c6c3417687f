"""Named maps: load the data a map needs (through ``geo``) and render it to HTML.

The API serves ``/maps/{name}.html`` and the CLI exports ``stadtregion map NAME`` from
here, so both show the same map. Later issues register further maps in :data:`MAPS`.
"""

from __future__ import annotations

from collections.abc import Callable

import folium
import geopandas as gpd

from geo import region as region_model
from geo import sources
from geo.build import load_region
from geo.errors import NotFoundError
from geo.settings import Settings
from maps.base import render_html
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
}


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
    builder = MAPS.get(name)
    if builder is None:
        raise NotFoundError(f"unknown map {name!r}; maps: {', '.join(sorted(MAPS))}.")
    return render_html(builder(settings, lang, tiles), settings, inline_assets=inline_assets)
