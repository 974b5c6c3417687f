"""The forum map (public): the region, land offered for housing or commerce, reachability.

Built only from what a ``public`` viewer may see, whoever asks: plots are read from the
store as :data:`geo.landpool.plots.PUBLIC`, so only published, non-confidential plots with their
public fields enter the page. Offers
follow :func:`geo.landpool.offers.offer_kind` and are shown across municipal borders. Layers:
municipalities by population trend (popups with population, trend, and rail and car
minutes from Jena), municipalities reached by rail from Jena (coloured outline), car
minutes from Jena where the loaded road network reaches (off by default), the offered
plots, and Jena with the ISEK neighbour towns labelled.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.landpool.offers import KINDS
from geo.ogc.export import to_geojson
from geo.region import model as region_model
from geo.settings import Settings
from maps import minutes as jm
from maps.base import (
    LegendSection,
    add_attribution,
    add_choropleth,
    add_layer_list,
    add_legend,
    add_title,
    new_map,
    popup,
    simplify_for_display,
)
from maps.forum_contributions import add_contributions
from maps.labels import category_label, counted
from maps.projects_layer import add_projects_layer
from maps.region import (
    _fmt_int,
    _fmt_pct,
    add_town_labels,
    map_rates,
    trend_colours,
    trend_items,
)
from maps.region import labels as region_labels

#: Fill opacity of the trend layer and of the car layer (the legend's swatches use them).
TREND_OPACITY = 0.6
CAR_OPACITY = 0.7
#: Minute classes (upper bounds) of the reachability layers, dark = near.
MINUTE_CLASSES: list[tuple[float, str]] = [
    (15, "#084594"),
    (30, "#2171b5"),
    (60, "#4292c6"),
    (90, "#6baed6"),
    (180, "#9ecae1"),
]
KIND_COLOURS: dict[str, str] = {
    "housing": "#e41a1c",
    "commerce": "#984ea3",
    "mixed": "#ff7f00",
    "open": "#a65628",
}

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Stadt.Region.Jena – Flächen und Erreichbarkeit",
        "subtitle": "Bevölkerungstrend der Gemeinden, öffentliche Flächenangebote für Wohnen "
        "und Gewerbe über Gemeindegrenzen, Reisezeiten ab Jena",
        "legend": "Legende",
        "layer_trend": "Gemeinden (Bevölkerungstrend)",
        "layer_rail": "Mit der Bahn ab Jena erreichbar",
        "layer_car": "Auto ab Jena (geladenes Straßennetz)",
        "layer_plots": "Flächenangebote Wohnen/Gewerbe",
        "layer_towns": "Jena und ISEK-Nachbarstädte",
        "layer_spots": "Lage der Flächenangebote",
        "housing": "Fläche: Wohnen",
        "commerce": "Fläche: Gewerbe",
        "mixed": "Fläche: gemischte Nutzung",
        "open": "Fläche: Nutzung offen (Entwicklungsfläche)",
        "shrinking": "schrumpfend",
        "stable": "stabil",
        "growing": "wachsend",
        "unknown": "Trend unbekannt",
        "rail_outline": "Umriss: Bahn ab Jena {lo:g}–{hi:g} min",
        "plots": "{n} in {k}",
        "offer_one": "öffentliches Flächenangebot",
        "offer_many": "öffentliche Flächenangebote",
        "mun_one": "Gemeinde",
        "mun_many": "Gemeinden",
        "legend_trend": "Bevölkerung, Veränderung pro Jahr",
        "legend_car": "Auto ab Jena (Fahrzeit zum Gemeindezentrum)",
        "car_class": "{lo:g}–{hi:g} min",
        "legend_offers": "Flächenangebote",
        "no_plots": "Keine öffentlichen Flächenangebote im Register",
        "name": "Name",
        "municipality": "Gemeinde",
        "area": "Fläche (ha)",
        "category": "Kategorie",
        "use": "Vorgesehene Nutzung",
        "status": "Stand",
        "kind": "Angebot",
        "population": "Einwohner",
        "trend": "Trend",
        "rate": "Veränderung pro Jahr",
        "minutes": "Minuten",
    },
    "en": {
        "title": "Stadt.Region.Jena – land and reachability",
        "subtitle": "Population trend of the municipalities, public land offers for housing and "
        "commerce across municipal borders, travel times from Jena",
        "legend": "Legend",
        "layer_trend": "Municipalities (population trend)",
        "layer_rail": "Reached by rail from Jena",
        "layer_car": "Car from Jena (loaded road network)",
        "layer_plots": "Land offered for housing/commerce",
        "layer_towns": "Jena and ISEK neighbour towns",
        "layer_spots": "Where the offers are",
        "housing": "Plot: housing",
        "commerce": "Plot: commerce",
        "mixed": "Plot: mixed use",
        "open": "Plot: use open (development land)",
        "shrinking": "shrinking",
        "stable": "stable",
        "growing": "growing",
        "unknown": "trend unknown",
        "rail_outline": "Outline: rail from Jena {lo:g}–{hi:g} min",
        "plots": "{n} in {k}",
        "offer_one": "public land offer",
        "offer_many": "public land offers",
        "mun_one": "municipality",
        "mun_many": "municipalities",
        "legend_trend": "Population, change per year",
        "legend_car": "Car from Jena (driving time to the centre)",
        "car_class": "{lo:g}–{hi:g} min",
        "legend_offers": "Land offers",
        "no_plots": "No public land offers in the register",
        "name": "Name",
        "municipality": "Municipality",
        "area": "Area (ha)",
        "category": "Category",
        "use": "Intended use",
        "status": "Status",
        "kind": "Offer",
        "population": "Population",
        "trend": "Trend",
        "rate": "Change per year",
        "minutes": "Minutes",
    },
}


def minute_colours(minutes: np.ndarray) -> list[str | None]:
    """Colour per minute class; ``None`` where unknown or beyond the last class."""
    out: list[str | None] = []
    for v in minutes:
        colour = None
        if np.isfinite(v):
            for hi, c in MINUTE_CLASSES:
                if v <= hi:
                    colour = c
                    break
        out.append(colour)
    return out


def build_forum_map(
    region: gpd.GeoDataFrame,
    offers: gpd.GeoDataFrame,
    minutes: jm.JenaMinutes,
    settings: Settings,
    *,
    attribution: list[str],
    lang: str = "de",
    tiles: str | None = None,
    projects: gpd.GeoDataFrame | None = None,
    contributions: gpd.GeoDataFrame | None = None,
) -> folium.Map:
    """Build the forum map from public data only.

    Parameters
    ----------
    region
        The region model.
    offers
        Plots from :func:`geo.usecases.region.public_offers` (public, offered; column
        ``kind``).
    minutes
        Rail and car minutes from Jena (:func:`maps.minutes.jena_minutes`).
    attribution
        Attributions of every source shown.
    projects
        The forum's cooperation projects (:func:`geo.projects.public.public_frame`).
    contributions
        The forum's public contributions (:func:`geo.usecases.forum.public_map_frame`),
        added before the layer list, which can only list layers that exist before it.
    """
    lang = lang if lang in LABELS else "de"
    lab = LABELS[lang]
    rlab = region_labels(lang)
    mlab = jm.LABELS[lang]
    origin = region_model.find_municipality(region, jm.ORIGIN)
    focus = region[region["isek_population"].notna() | (region.index == origin.name)]
    m = new_map(settings, focus, tiles=tiles, lang=lang)

    shown = simplify_for_display(region, tolerance_m=100.0)
    rail_txt, car_txt = jm.minute_texts(minutes, lang)
    layer = gpd.GeoDataFrame(
        {
            "name": region["name"].astype(str).to_numpy(),
            "population": [_fmt_int(v, lang) for v in region["population"]],
            "trend": [rlab.get(str(c), rlab["unknown"]) for c in region["trend_class"]],
            "rate": [_fmt_pct(v, lang) for v in region["change_pct_per_year"]],
            "rail_min": rail_txt,
            "car_min": car_txt,
            "inkar": jm.inkar_texts(region, minutes, lang),
            "fill": trend_colours(map_rates(region)).to_numpy(),
        },
        geometry=shown.geometry.to_numpy(),
        crs=shown.crs,
    )
    fields = ["name", "population", "trend", "rate", "rail_min", "car_min", "inkar"]
    aliases = [
        lab["municipality"],
        lab["population"],
        lab["trend"],
        lab["rate"],
        mlab["rail"],
        mlab["car"],
        mlab["inkar"],
    ]
    add_choropleth(
        m,
        layer,
        name=lab["layer_trend"],
        fields=fields,
        aliases=aliases,
        outline="#777777",
        weight=0.5,
        fill_opacity=TREND_OPACITY,
    )

    rail_col = minute_colours(jm.finite(minutes.rail))
    rail_rows = [i for i, c in enumerate(rail_col) if c is not None]
    if rail_rows:
        rl = layer.iloc[rail_rows][["name", "rail_min", "geometry"]].copy()
        rl["line"] = [rail_col[i] for i in rail_rows]
        folium.GeoJson(
            to_geojson(rl, precision=4),
            name=lab["layer_rail"],
            style_function=lambda f: {
                "color": f["properties"]["line"],
                "weight": 3.5,
                "fill": False,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "rail_min"], aliases=[lab["municipality"], mlab["rail"]]
            ),
        ).add_to(m)
    car_col = minute_colours(jm.finite(minutes.car))
    car_rows = [i for i, c in enumerate(car_col) if c is not None]
    if car_rows:
        cl = layer.iloc[car_rows][["name", "car_min", "geometry"]].copy()
        cl["fill2"] = [car_col[i] for i in car_rows]
        folium.GeoJson(
            to_geojson(cl, precision=4),
            name=lab["layer_car"],
            show=False,
            style_function=lambda f: {
                "fillColor": f["properties"]["fill2"],
                "color": "#333333",
                "weight": 0.8,
                "fillOpacity": CAR_OPACITY,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "car_min"], aliases=[lab["municipality"], mlab["car"]]
            ),
        ).add_to(m)

    if len(offers):
        pl = gpd.GeoDataFrame(
            {
                "name": [n if isinstance(n, str) and n else "–" for n in offers["name"]],
                "municipality": [v if isinstance(v, str) else "–" for v in offers["municipality"]],
                "area": [_fmt_area(v, lang) for v in offers["area_ha"]],
                "category": [category_label(c, lang) for c in offers["category"]],
                "use": [u if isinstance(u, str) and u else "–" for u in offers["intended_use"]],
                "kind": [lab[str(k)] for k in offers["kind"]],
                "colour": [KIND_COLOURS[str(k)] for k in offers["kind"]],
            },
            geometry=offers.geometry.to_numpy(),
            crs=offers.crs,
        )
        pfields = ["name", "municipality", "area", "category", "use", "kind"]
        folium.GeoJson(
            to_geojson(pl, precision=5),
            name=lab["layer_plots"],
            style_function=lambda f: {
                "fillColor": f["properties"]["colour"],
                "color": "#000000",
                "weight": 1.2,
                "fillOpacity": 0.9,
            },
            popup=popup(pfields, [lab[k] for k in pfields]),
            tooltip=folium.GeoJsonTooltip(fields=["name", "kind"], labels=False),
        ).add_to(m)
        # At the region's scale a plot is a few pixels: a marker shows where each one is,
        # and opens the same popup on click at any zoom.
        spots = gpd.GeoDataFrame(
            pl[[*pfields, "colour"]],
            geometry=offers.geometry.representative_point().to_numpy(),
            crs=offers.crs,
        )
        folium.GeoJson(
            to_geojson(spots, precision=5),
            name=lab["layer_spots"],
            marker=folium.CircleMarker(
                radius=7, color="#000000", weight=1.5, fill=True, fill_opacity=1
            ),
            style_function=lambda f: {"fillColor": f["properties"]["colour"]},
            popup=popup(pfields, [lab[k] for k in pfields]),
            tooltip=folium.GeoJsonTooltip(fields=["name", "kind"], labels=False),
        ).add_to(m)

    project_legend = add_projects_layer(m, projects, lang)
    add_town_labels(m, region, origin.name, lab["layer_towns"])
    if contributions is not None:
        add_contributions(m, contributions, lang)

    outlines: list[tuple[str, str] | tuple[str, str, str]] = []
    cars: list[tuple[str, str] | tuple[str, str, str]] = []
    lo = 0.0
    for hi, c in MINUTE_CLASSES:
        outlines.append(("#ffffff", lab["rail_outline"].format(lo=lo, hi=hi), f"3px solid {c}"))
        cars.append((c, lab["car_class"].format(lo=lo, hi=hi)))
        lo = hi
    sections = [
        LegendSection(
            lab["legend_trend"], trend_items(lang), lab["layer_trend"], True, TREND_OPACITY
        ),
        LegendSection(lab["layer_rail"], outlines, lab["layer_rail"]),
        LegendSection(lab["legend_car"], cars, lab["layer_car"], False, CAR_OPACITY),
    ]
    if len(offers):
        kinds = [(KIND_COLOURS[k], lab[k]) for k in KINDS]
        sections.append(LegendSection(lab["legend_offers"], kinds, lab["layer_spots"]))
    if project_legend is not None:
        sections.append(project_legend)
    n_mun = int(offers["municipality"].nunique()) if len(offers) else 0
    count = lab["plots"].format(
        n=counted(len(offers), lab["offer_one"], lab["offer_many"]),
        k=counted(n_mun, lab["mun_one"], lab["mun_many"]),
    )
    note = (count if len(offers) else lab["no_plots"]) + " · " + jm.minutes_note(minutes, lang)
    add_legend(m, lab["legend"], [], note=note, sections=sections)
    add_title(m, lab["title"], lab["subtitle"])
    add_attribution(m, attribution)
    add_layer_list(m)
    return m


def _fmt_area(v: object, lang: str) -> str:
    if v is None or pd.isna(v):  # type: ignore[call-overload]
        return "–"
    s = f"{float(v):.2f}"  # type: ignore[arg-type]
    return s.replace(".", ",") if lang == "de" else s
