"""The forum's cooperation projects as a map layer (forum map) and per municipality
(region map): what the building projects are, in one small module both maps share.

Folium's popups put property values into the page as HTML, so every text drawn here is
HTML-escaped first (titles and descriptions are typed by people).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import folium
import geopandas as gpd

from geo.ogc.export import to_geojson
from geo.vocabulary import word
from maps.base import LegendSection, popup

#: Colour of each forum topic (the same on the page maps, api/web/projects.py).
TOPIC_COLOURS = {
    "traffic": "#1d5e8c",
    "housing": "#c0392b",
    "commerce": "#7d3c98",
    "landscape": "#1e8449",
    "other": "#7f6000",
}
LABELS = {
    "de": {
        "layer": "Kooperationsprojekte des Forums",
        "title": "Projekt",
        "topic": "Thema",
        "status": "Stand",
        "municipalities": "Gemeinden",
        "where": "Karte zeigt",
        "project": "Projektgeometrie",
        "outline": "Umriss der beteiligten Gemeinden",
        "page": "Seite",
        "none": "keine Kooperationsprojekte eingetragen",
        "building": "Veröffentlichte Flächen in Entwicklung",
        "projects": "Kooperationsprojekte",
        "transparency_note": "Bauprojekte: veröffentlichte Flächen des Flächenpools im Status "
        "„in Entwicklung“ und Kooperationsprojekte des Forums je Gemeinde (Popup)",
    },
    "en": {
        "layer": "Cooperation projects of the forum",
        "title": "Project",
        "topic": "Topic",
        "status": "Status",
        "municipalities": "Municipalities",
        "where": "Map shows",
        "project": "project geometry",
        "outline": "outline of the municipalities involved",
        "page": "Page",
        "none": "no cooperation projects entered",
        "building": "Published plots in development",
        "projects": "Cooperation projects",
        "transparency_note": "Building projects: published land-pool plots with status "
        "'in development' and the forum's cooperation projects per municipality (popup)",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The layer's words in ``lang`` (German default)."""
    return LABELS.get(lang, LABELS["de"])


def add_projects_layer(
    m: folium.Map, projects: gpd.GeoDataFrame | None, lang: str
) -> LegendSection | None:
    """Draw the projects (:func:`geo.projects.public.public_frame`, EPSG:4326) with popups.

    Returns the legend section (topic colours), ``None`` when there are no projects.
    """
    if projects is None or projects.empty:
        return None
    lab = labels(lang)
    esc = html.escape
    layer = gpd.GeoDataFrame(
        {
            "title": [esc(t) for t in projects["title"]],
            "topic": [esc(word("forum_topic", t, lang)) for t in projects["topic"]],
            "status": [esc(word("project_status", s, lang)) for s in projects["status"]],
            "municipalities": [esc(n or "–") for n in projects["municipality_names"]],
            "where": [
                lab["project"] if s == "project" else lab["outline"]
                for s in projects["geometry_source"]
            ],
            "page": [
                f'<a href="/forum/projects/{esc(p)}{"?lang=en" if lang == "en" else ""}">'
                f"{esc(p)}</a>"
                for p in projects["project_id"]
            ],
            "colour": [TOPIC_COLOURS.get(t, "#555555") for t in projects["topic"]],
        },
        geometry=projects.geometry.to_numpy(),
        crs=projects.crs,
    )
    fields = ["title", "topic", "status", "municipalities", "where", "page"]
    folium.GeoJson(
        to_geojson(layer, precision=5),
        name=lab["layer"],
        style_function=lambda f: {
            "color": f["properties"]["colour"],
            "weight": 3,
            "fillOpacity": 0.15,
            "dashArray": "6 3",
        },
        marker=folium.CircleMarker(radius=7, weight=2, fill=True, fill_opacity=0.9),
        popup=popup(fields, [lab[k] for k in fields]),
        tooltip=folium.GeoJsonTooltip(fields=["title"], labels=False),
    ).add_to(m)
    shown = sorted(set(projects["topic"]), key=list(TOPIC_COLOURS).index)
    items: list[tuple[str, str] | tuple[str, str, str]] = [
        ("#ffffff", word("forum_topic", t, lang), f"3px dashed {TOPIC_COLOURS[t]}") for t in shown
    ]
    return LegendSection(lab["layer"], items, lab["layer"])


def transparency_texts(
    ags: Sequence[str], per_ags: Mapping[str, tuple[int, tuple[str, ...]]], lang: str
) -> tuple[list[str], list[str]]:
    """Popup texts per municipality: the count of published plots in development, and
    the project titles (escaped; ``–`` for none). ``lang`` is kept for the caller's symmetry."""
    building, projects = [], []
    for a in ags:
        n, titles = per_ags.get(str(a), (0, ()))
        building.append(str(n))
        projects.append(html.escape("; ".join(titles)) if titles else "–")
    return building, projects
