"""The forum map's layer of approved contributions (clustered on a grid when many)."""

from __future__ import annotations

import html

import folium
import geopandas as gpd

from geo.forum.cluster import grid_clusters
from geo.ogc.export import to_geojson
from maps.base import popup

LABELS = {
    "de": {
        "layer": "Freigegebene Beiträge des Forums",
        "title": "Beitrag",
        "municipality": "Gemeinde",
        "count": "Beiträge hier",
    },
    "en": {
        "layer": "Approved forum contributions",
        "title": "Contribution",
        "municipality": "Municipality",
        "count": "Contributions here",
    },
}
COLOUR = "#1b7837"


def add_contributions(m: folium.Map, frame: gpd.GeoDataFrame, lang: str = "de") -> None:
    """Draw approved contributions (``frame``: the public projection, EPSG:4326) on ``m``."""
    lab = LABELS.get(lang, LABELS["de"])
    approved = frame[frame["status"].isin(["approved", "taken_up"])]
    if not len(approved):
        return
    clusters = grid_clusters(approved)
    # Folium's popups and tooltips write property values as HTML: a visitor's title is
    # escaped here, so it shows as text and never runs as markup
    titles = {
        i: html.escape(str(t)) for i, t in zip(approved["id"], approved["title"], strict=True)
    }
    places = {
        i: html.escape(str(p))
        for i, p in zip(approved["id"], approved["municipality"], strict=True)
    }
    shown = gpd.GeoDataFrame(
        {
            "title": [
                titles[ids[0]] if len(ids) == 1 else " · ".join(titles[i] for i in ids[:5])
                for ids in clusters["ids"]
            ],
            "municipality": [places[ids[0]] for ids in clusters["ids"]],
            "count": [int(n) for n in clusters["count"]],
            "radius": [min(6 + 2 * (int(n) - 1) ** 0.5 * 3, 24) for n in clusters["count"]],
        },
        geometry=clusters.geometry.to_numpy(),
        crs=clusters.crs,
    )
    fields = ["title", "municipality", "count"]
    folium.GeoJson(
        to_geojson(shown, precision=6),
        name=lab["layer"],
        marker=folium.CircleMarker(
            radius=7, color="#ffffff", weight=1.5, fill=True, fill_color=COLOUR, fill_opacity=0.95
        ),
        style_function=lambda f: {"radius": f["properties"]["radius"]},
        popup=popup(fields, [lab[k] for k in fields]),
        tooltip=folium.GeoJsonTooltip(fields=["title"], labels=False),
    ).add_to(m)
