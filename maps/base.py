"""Shared parts of every stadtregion map: self-hosted assets, tiles, legend, attribution.

Folium's defaults load Leaflet, jQuery, Bootstrap and icon fonts from CDNs. A public
municipal page must not make a visitor's browser contact third parties, and offline the
map would draw nothing, so every map here loads only Leaflet, from our own server
(``/static/vendor/leaflet``, fetched from the npm registry at set-up by ``make assets``),
or inlines it into an exported file. Base-map tiles come from ``STADTREGION_TILES_URL``
and are off when it is unset: every vector layer draws without them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import folium
import geopandas as gpd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template as FoliumTemplate
from jinja2 import Template

from geo.errors import DataSourceError
from geo.ogc.export import to_geojson
from geo.region.model import require_crs
from geo.settings import WEB_CRS, WORK_CRS, Settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
LEAFLET_DIR = STATIC_DIR / "vendor" / "leaflet"
#: Screens at most this wide (CSS px) get the legend and the layer list folded at load.
PHONE_MAX_WIDTH_PX = 640
#: Name of the base-map layer in the layer list, per language.
BASE_MAP_NAME = {"de": "Basiskarte", "en": "Base map"}


def asset_urls(settings: Settings) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return folium-style ``(name, url)`` lists of the JS and CSS every map loads."""
    base = settings.static_url.rstrip("/")
    js = [("leaflet", f"{base}/vendor/leaflet/leaflet.js")]
    css = [
        ("leaflet_css", f"{base}/vendor/leaflet/leaflet.css"),
        ("stadtregion_css", f"{base}/stadtregion.css"),
    ]
    return js, css


def new_map(
    settings: Settings,
    bounds_gdf: gpd.GeoDataFrame,
    *,
    tiles: str | None = None,
    lang: str = "de",
) -> folium.Map:
    """Create a folium map fitted to ``bounds_gdf`` that loads assets from our server.

    Parameters
    ----------
    settings
        Supplies the static URL prefix and the tile source.
    bounds_gdf
        Features the view is fitted to (any CRS; refused without one).
    tiles
        ``"none"`` switches the base map off even when a tile source is configured.
    lang
        Language of the base map's entry in the layer list (where tiles are configured,
        the base map can be switched off there).
    """
    require_crs(bounds_gdf, "bounds_gdf")
    minx, miny, maxx, maxy = bounds_gdf.to_crs(WEB_CRS).total_bounds
    m = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    js, css = asset_urls(settings)
    m.default_js = js
    m.default_css = css
    tile_url = None if tiles == "none" else settings.tiles_url
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=settings.tiles_attribution or "base map: see STADTREGION_TILES_ATTRIBUTION",
            name=BASE_MAP_NAME.get(lang, BASE_MAP_NAME["de"]),
            overlay=True,
            control=True,
        ).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    # No favicon request: the page asks our server for nothing it does not need.
    _figure(m).header.add_child(Element('<link rel="icon" href="data:,">'), name="favicon")
    return m


class _Attribution(MacroElement):
    """Adds attribution texts to the map's attribution control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {% for text in this.texts %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ text|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, texts: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.texts = list(texts)


def add_attribution(m: folium.Map, texts: Iterable[str]) -> None:
    """Show every data source's attribution in the map's attribution control."""
    _Attribution(list(texts)).add_to(m)


LegendItem = tuple[str, str] | tuple[str, str, str]


@dataclass(frozen=True)
class LegendSection:
    """One part of a legend, tied to a layer of the layer list.

    Attributes
    ----------
    title
        Heading of the section.
    items
        ``(fill colour, label)`` or ``(fill colour, label, border CSS)``.
    layer
        Name of the layer (as in the layer list) the section explains: it is shown while
        that layer is on and hidden while it is off. ``None``: always shown.
    shown
        Whether that layer is on when the page opens.
    opacity
        Fill opacity of the layer, so a swatch looks like the area it explains.
    """

    title: str
    items: Sequence[LegendItem]
    layer: str | None = None
    shown: bool = True
    opacity: float = 1.0


class _LegendSwitch(MacroElement):
    """Shows a legend section while its layer is on; folds the legend on a phone."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var box = document.getElementById("sr-legend");
          if (!box) { return; }
          function sync(name, on) {
            box.querySelectorAll("[data-layer]").forEach(function (el) {
              if (el.getAttribute("data-layer") === name) { el.hidden = !on; }
            });
          }
          map.on("overlayadd", function (e) { sync(e.name, true); });
          map.on("overlayremove", function (e) { sync(e.name, false); });
          if (window.matchMedia("(max-width: {{ this.phone }}px)").matches) {
            box.open = false;
          }
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "LegendSwitch"
        self.phone = PHONE_MAX_WIDTH_PX


def _rows(items: Sequence[LegendItem], opacity: float = 1.0) -> str:
    alpha = f";opacity:{opacity:g}" if opacity < 1 else ""
    return "".join(
        f'<div class="sr-legend-row"><span class="sr-swatch" style="background:'
        f"{html.escape(item[0])}"
        + (f";border:{html.escape(item[2])}" if len(item) > 2 else "")
        + f'{alpha}"></span>{html.escape(item[1])}</div>'
        for item in items
    )


def add_legend(
    m: folium.Map,
    title: str,
    items: Sequence[LegendItem],
    note: str = "",
    link: tuple[str, str] | None = None,
    sections: Sequence[LegendSection] = (),
) -> None:
    """Add a legend box: a title, colour swatches with labels, an optional note.

    An item is ``(fill colour, label)`` or ``(fill colour, label, border CSS)``, e.g.
    ``("#ffffff", "failed", "2px solid #d7301f")`` for an outline style. ``sections``
    add parts tied to layers (:class:`LegendSection`): each shows while its layer is on.
    ``link`` is an optional ``(href, text)`` shown below the note (e.g. the validation
    report). The box folds open and shut at its title, and starts folded on a phone.
    """
    parts = [_rows(items)]
    for sec in sections:
        attrs = f' data-layer="{html.escape(sec.layer)}"' if sec.layer else ""
        attrs += "" if sec.shown else " hidden"
        parts.append(
            f'<div class="sr-legend-section"{attrs}>'
            f'<div class="sr-legend-subtitle">{html.escape(sec.title)}</div>'
            f"{_rows(sec.items, sec.opacity)}</div>"
        )
    note_html = f'<div class="sr-legend-note">{html.escape(note)}</div>' if note else ""
    if link is not None:
        note_html += (
            f'<div class="sr-legend-link"><a href="{html.escape(link[0])}" id="sr-report-link">'
            f"{html.escape(link[1])}</a></div>"
        )
    box = (
        f'<details class="sr-legend leaflet-control" id="sr-legend" open>'
        f'<summary class="sr-legend-title">{html.escape(title)}</summary>'
        f"{''.join(parts)}{note_html}</details>"
    )
    _figure(m).html.add_child(Element(box))
    _LegendSwitch().add_to(m)


class LayerList(folium.LayerControl):
    """The layer list: open on a wide screen, folded into its button on a phone."""

    _template = FoliumTemplate(
        """
        {% macro script(this,kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                Object.assign({{ this.options|tojavascript }}, {
                    collapsed: window.matchMedia("(max-width: {{ this.phone }}px)").matches
                })
            ).addTo({{this._parent.get_name()}});
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(collapsed=False)
        self.phone = PHONE_MAX_WIDTH_PX


def add_layer_list(m: folium.Map) -> None:
    """Add the layer list (add it last: it lists the layers added before)."""
    LayerList().add_to(m)


def add_choropleth(
    m: folium.Map,
    layer: gpd.GeoDataFrame,
    *,
    name: str,
    fields: Sequence[str],
    aliases: Sequence[str],
    outline: str = "#555555",
    weight: float = 0.6,
    fill_opacity: float = 0.75,
) -> None:
    """Add polygons filled by their ``fill`` column, with a popup and a name tooltip.

    ``layer`` needs the columns ``fill`` (a colour), ``name`` and every popup field.
    """
    style = {"color": outline, "weight": weight, "fillOpacity": fill_opacity}
    folium.GeoJson(
        to_geojson(layer, precision=4),
        name=name,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], **style},
        highlight_function=lambda f: {"weight": 2.5, "color": "#000000"},
        popup=popup(fields, aliases),
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(m)


def popup(fields: Sequence[str], aliases: Sequence[str]) -> folium.GeoJsonPopup:
    """A feature popup that keeps clear of the title and the sources when it pans into view
    (its height is capped by the stylesheet: a long one scrolls inside)."""
    return folium.GeoJsonPopup(
        fields=list(fields),
        aliases=list(aliases),
        localize=False,
        auto_pan_padding_top_left=[10, 60],
        auto_pan_padding_bottom_right=[10, 40],
        max_width=320,
    )


def add_title(m: folium.Map, title: str, subtitle: str = "") -> None:
    """Add a title box at the top of the map."""
    sub = f'<div class="sr-subtitle">{html.escape(subtitle)}</div>' if subtitle else ""
    _figure(m).html.add_child(
        Element(f'<div class="sr-title"><b>{html.escape(title)}</b>{sub}</div>')
    )


def _figure(m: folium.Map) -> Figure:
    root = m.get_root()
    assert isinstance(root, Figure)
    return root


def simplify_for_display(gdf: gpd.GeoDataFrame, tolerance_m: float = 60.0) -> gpd.GeoDataFrame:
    """Simplify polygons for display while keeping shared borders shared.

    Uses GEOS coverage simplification (``shapely.coverage_simplify``) in EPSG:25832,
    which simplifies each shared edge once, so neighbouring municipalities keep a
    common border: no gaps or slivers appear between them.
    """
    require_crs(gdf, "gdf")
    work = gdf.to_crs(WORK_CRS)
    geoms = shapely.coverage_simplify(work.geometry.to_numpy(), tolerance_m)
    return work.set_geometry(gpd.GeoSeries(geoms, index=work.index, crs=WORK_CRS))


def render_html(m: folium.Map, settings: Settings, inline_assets: bool = False) -> str:
    """Render the map page; with ``inline_assets`` the self-hosted assets are inlined.

    An inlined page is one file that works offline and contacts no other host.
    """
    page: str = m.get_root().render()
    if not inline_assets:
        return page
    js, css = asset_urls(settings)
    for _, url in js:
        content = _read_asset(url, settings)
        page = page.replace(f'<script src="{url}"></script>', f"<script>{content}</script>")
    for _, url in css:
        style = f"<style>{_read_asset(url, settings)}</style>"
        link = re.search(rf'<link rel="stylesheet" href="{re.escape(url)}"\s*/?>', page)
        if link:
            page = page.replace(link.group(0), style)
    return page


def _read_asset(url: str, settings: Settings) -> str:
    rel = url.removeprefix(settings.static_url.rstrip("/")).lstrip("/")
    path = STATIC_DIR / rel
    if not path.is_file():
        raise DataSourceError(
            f"map asset {rel} is missing under {STATIC_DIR}; run 'make assets' to fetch Leaflet."
        )
    return path.read_text(encoding="utf-8")
