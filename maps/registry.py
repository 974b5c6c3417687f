"""Named maps: gather the inputs a map needs (through the use cases) and render it to HTML.

The API serves ``/maps/{name}.html`` and the CLI exports ``stadtregion map NAME`` from
here, so both show the same map; nothing else renders a map page. Every map gets a
:class:`maps.request.MapRequest`: the settings, the label language, the tile switch, the
**viewer** (the caller's role, decided once by ``api.deps.get_viewer`` or by the CLI's
``--role``) and the map's own options. The functions here ask
:mod:`geo.usecases.region` for the data (the region model, rail lines and stations, the
public offers, a reachability result) and :func:`maps.minutes.jena_minutes` for the
minutes from Jena, and hand them to the builders, which only draw. Maps that show
land-pool plots read them through the store *with that viewer*, so the store's one
confidentiality rule applies; no map filters confidential data on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import folium

from geo.errors import InputError, NotFoundError
from geo.landpool.plots import PUBLIC, Viewer
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import forum as forum_uc
from geo.usecases import projects as projects_uc
from geo.usecases import reachability
from geo.usecases import region as uc
from maps import minutes as jm
from maps.base import render_html
from maps.forum import build_forum_map
from maps.plots import plots_map as build_plots_map
from maps.reachable import build_reachable_map, origin_marker
from maps.region import build_region_map
from maps.request import MapRequest

MapBuilder = Callable[[MapRequest], folium.Map]


@dataclass(frozen=True)
class MapEntry:
    """A registered map: its builder, the options it takes, whether it is cacheable."""

    builder: MapBuilder
    options: frozenset[str] = frozenset()
    #: Drawn only from the built data (no plots, no viewer): rendered once per process.
    static: bool = False
    #: For a static map that also shows public store data: that data, read anew on every
    #: request (cheap) and part of the render cache's key, so no stale page is served.
    data: Callable[[MapRequest], Hashable] | None = None


#: Option under which a static map's :attr:`MapEntry.data` reaches its builder.
DATA_OPTION = "_data"


def region_transparency(req: MapRequest) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
    """Per AGS the published plots in development and the project titles (public only)."""
    per_ags = projects_uc.transparency(req.settings, req.open_store())
    return tuple((a, t.plots_in_development, tuple(t.projects)) for a, t in per_ags.items())


def region_map(req: MapRequest) -> folium.Map:
    """The region map on the region model, with the rail lines and stations of the pack."""
    data = uc.region_map_data(req.settings)
    minutes = jm.jena_minutes(req.settings, data.region)
    attribution = [*data.attribution]
    attribution += [a for a in minutes.attribution if a not in attribution]
    rows = req.options.get(DATA_OPTION)
    transparency = None if rows is None else {a: (n, titles) for a, n, titles in rows}
    return build_region_map(
        data.region,
        req.settings,
        attribution=attribution,
        rail=data.rail,
        stations=data.stations,
        minutes=minutes,
        lang=req.lang,
        tiles=req.tiles,
        transparency=transparency,
    )


def plots_map(req: MapRequest) -> folium.Map:
    """The land-pool map (land-pool role only); see :mod:`maps.plots`."""
    return build_plots_map(req)


#: The rail query's own options (:func:`geo.transit.parse_rail_query`), by their names.
RAIL_OPTIONS = ("date", "window", "depart", "percentile", "planned")


def reachable_map(req: MapRequest) -> folium.Map:
    """Reachability from ``from`` (default Jena) within ``max_minutes`` by ``mode``."""
    o = req.options
    try:
        minutes = None if o.get("max_minutes") is None else float(o["max_minutes"])
    except ValueError:
        raise InputError(f"max_minutes must be a number, not {o['max_minutes']!r}.") from None
    data = reachability.reachable_map_data(
        req.settings,
        origin=str(o.get("from") or "Jena"),
        max_minutes=minutes,
        mode=str(o.get("mode") or "car"),
        rail={k: o[k] for k in RAIL_OPTIONS if k in o},
    )
    m = build_reachable_map(
        data.region,
        data.result,
        data.isochrones,
        req.settings,
        attribution=data.attribution,
        lang=req.lang,
        tiles=req.tiles,
    )
    origin_marker(m, data.origin_xy, data.origin_label)
    return m


def forum_map(req: MapRequest) -> folium.Map:
    """The public forum map (public data only, whoever asks); see :mod:`maps.forum`."""
    data = uc.forum_map_data(req.settings, req.open_store())
    minutes = jm.jena_minutes(req.settings, data.region)
    attribution = [*data.attribution]
    attribution += [a for a in minutes.attribution if a not in attribution]
    m = build_forum_map(
        data.region,
        data.offers,
        minutes,
        req.settings,
        attribution=attribution,
        lang=req.lang,
        tiles=req.tiles,
        projects=data.projects,
        contributions=forum_uc.public_map_frame(req.settings),
    )
    return m


#: Map name → entry.
MAPS: dict[str, MapEntry] = {
    "region": MapEntry(region_map, static=True, data=region_transparency),
    "plots": MapEntry(plots_map, options=frozenset({"by", "profile"})),
    "forum": MapEntry(forum_map),
    "reachable": MapEntry(
        reachable_map, options=frozenset({"from", "max_minutes", "mode", *RAIL_OPTIONS})
    ),
}


def render_map(
    name: str,
    settings: Settings,
    *,
    viewer: Viewer = PUBLIC,
    lang: str = "de",
    tiles: str | None = None,
    inline_assets: bool = False,
    options: Mapping[str, Any] | None = None,
    store: Callable[[], Store] | None = None,
) -> str:
    """Render the map ``name`` to an HTML page for ``viewer``.

    Raises
    ------
    NotFoundError
        When no map of that name exists; the message lists the maps there are.
    InputError
        For an option the map does not take.
    PermissionDeniedError
        When ``viewer`` may not see the map (the plots map needs the land-pool role).
    """
    if name not in MAPS:
        raise NotFoundError(f"unknown map {name!r}; maps: {', '.join(sorted(MAPS))}.")
    entry = MAPS[name]
    opts = {k: v for k, v in (options or {}).items() if v is not None}
    extra = sorted(set(opts) - entry.options)
    if extra:
        takes = ", ".join(sorted(entry.options)) or "none"
        raise InputError(f"map {name!r} does not take {', '.join(extra)}; its options: {takes}.")
    if entry.static:
        key = None
        if entry.data is not None:
            key = entry.data(MapRequest(settings, lang, tiles, PUBLIC, {}, store))
        return _render_cached(name, settings.model_dump_json(), lang, tiles, inline_assets, key)
    req = MapRequest(settings, lang, tiles, viewer, opts, store)
    return render_html(entry.builder(req), settings, inline_assets=inline_assets)


@lru_cache(maxsize=16)
def _render_cached(
    name: str,
    settings_json: str,
    lang: str,
    tiles: str | None,
    inline_assets: bool,
    data: Hashable = None,
) -> str:
    settings = Settings.model_validate_json(settings_json)
    req = MapRequest(settings, lang, tiles, options={} if data is None else {DATA_OPTION: data})
    return render_html(MAPS[name].builder(req), settings, inline_assets=inline_assets)
