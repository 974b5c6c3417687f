"""Named maps: load the data a map needs (through ``geo``) and render it to HTML.

The API serves ``/maps/{name}.html`` and the CLI exports ``stadtregion map NAME`` from
here, so both show the same map. Every builder gets a :class:`MapRequest`: the settings,
the label language, the tile switch, the **viewer** (the caller's role, decided once by
``api.deps.get_viewer`` or by the CLI's ``--role``) and the map's own options. Maps that
show land-pool plots read them through the store *with that viewer*, so the store's one
confidentiality rule applies; no map filters confidential data on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd

from geo import sources
from geo.errors import InputError, NotFoundError
from geo.landpool.plots import PUBLIC, Viewer
from geo.region import model as region_model
from geo.region.build import load_region
from geo.settings import Settings
from maps.base import render_html
from maps.region import build_region_map

if TYPE_CHECKING:
    from geo.landpool.store import Store


def _open_store(settings: Settings) -> Store:
    from geo.landpool.store import Store

    return Store.open(settings)


@dataclass(frozen=True)
class MapRequest:
    """Everything a map builder may use.

    Attributes
    ----------
    settings
        Data folders, asset URLs, tile source.
    lang
        ``de`` (default) or ``en``.
    tiles
        ``"none"`` switches the base map off.
    viewer
        Who asks; maps of land-pool plots pass it to the store.
    options
        The map's own options (e.g. ``by`` and ``profile`` of the plots map).
    store
        Returns the land-pool store (the API passes its shared one; the CLI opens one).
    """

    settings: Settings
    lang: str = "de"
    tiles: str | None = None
    viewer: Viewer = PUBLIC
    options: Mapping[str, Any] = field(default_factory=dict)
    store: Callable[[], Store] | None = None

    def open_store(self) -> Store:
        """The land-pool store for this request."""
        return self.store() if self.store is not None else _open_store(self.settings)


MapBuilder = Callable[[MapRequest], folium.Map]


@dataclass(frozen=True)
class MapEntry:
    """A registered map: its builder, the options it takes, whether it is cacheable."""

    builder: MapBuilder
    options: frozenset[str] = frozenset()
    #: Drawn only from the built data (no plots, no viewer): rendered once per process.
    static: bool = False


def region_map(req: MapRequest) -> folium.Map:
    """The region map on the region model, with the rail lines and stations of the pack."""
    from maps.minutes import jena_minutes

    settings = req.settings
    model, _ = load_region(settings)
    rail = sources.read_vector(settings.data_dir / sources.RAIL_FILE, "rail line segments")
    stations = sources.read_stations(settings.data_dir)
    inside = gpd.sjoin(stations, model[["geometry"]], predicate="within", how="inner")
    stations = stations.loc[inside.index.unique()]
    minutes = jena_minutes(settings, model)
    attribution = sources.attributions(
        [*region_model.REGION_SOURCES, sources.RAIL_FILE, sources.STATIONS_FILE]
    )
    attribution += [a for a in minutes.attribution if a not in attribution]
    return build_region_map(
        model,
        settings,
        attribution=attribution,
        rail=rail,
        stations=stations,
        minutes=minutes,
        lang=req.lang,
        tiles=req.tiles,
    )


def plots_map(req: MapRequest) -> folium.Map:
    """The land-pool map (land-pool role only); see :mod:`maps.plots`."""
    from maps.plots import plots_map as build

    return build(req)


#: The rail query's own options (:func:`geo.transit.parse_rail_query`), by their names.
RAIL_OPTIONS = ("date", "window", "depart", "percentile", "planned")


def reachable_map(req: MapRequest) -> folium.Map:
    """Reachability from ``from`` (default Jena) within ``max_minutes`` by ``mode``."""
    from maps.reachable import reachable_map as build

    o = req.options
    try:
        minutes = None if o.get("max_minutes") is None else float(o["max_minutes"])
    except ValueError:
        raise InputError(f"max_minutes must be a number, not {o['max_minutes']!r}.") from None
    mode = str(o.get("mode") or "car")
    if mode not in ("car", "rail"):
        raise InputError(f"mode must be 'car' or 'rail', not {mode!r}.")
    return build(
        req.settings,
        req.lang,
        req.tiles,
        origin=str(o.get("from") or "Jena"),
        max_minutes=minutes,
        mode=mode,
        rail={k: o[k] for k in RAIL_OPTIONS if k in o},
    )


def forum_map(req: MapRequest) -> folium.Map:
    """The public forum map; see :mod:`maps.forum`."""
    from maps.forum import forum_map as build

    return build(req)


#: Map name → entry.
MAPS: dict[str, MapEntry] = {
    "region": MapEntry(region_map, static=True),
    "plots": MapEntry(plots_map, options=frozenset({"by", "profile"})),
    "forum": MapEntry(forum_map),
    # served by api/routers/travel.py (from, max_minutes, mode); here for the CLI export
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
        return _render_cached(name, settings.model_dump_json(), lang, tiles, inline_assets)
    req = MapRequest(settings, lang, tiles, viewer, opts, store)
    return render_html(entry.builder(req), settings, inline_assets=inline_assets)


@lru_cache(maxsize=16)
def _render_cached(
    name: str, settings_json: str, lang: str, tiles: str | None, inline_assets: bool
) -> str:
    settings = Settings.model_validate_json(settings_json)
    req = MapRequest(settings, lang, tiles)
    return render_html(MAPS[name].builder(req), settings, inline_assets=inline_assets)
