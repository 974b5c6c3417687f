"""Map of municipalities reached by public transport (a :class:`RailReachability`)."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo.ogc.export import to_geojson
from geo.settings import Settings
from geo.transit import RailReachability
from maps.base import add_attribution, add_legend, add_title, new_map, simplify_for_display

#: Minute classes (upper bounds) and their colours, light = far.
CLASSES: list[tuple[float, str]] = [
    (15, "#084594"),
    (30, "#2171b5"),
    (45, "#4292c6"),
    (60, "#6baed6"),
    (90, "#9ecae1"),
    (120, "#c6dbef"),
    (float("inf"), "#eff3ff"),
]
UNREACHED = "#d9d9d9"


def minute_colours(minutes: pd.Series) -> pd.Series:
    """Colour per municipality by minute class; grey where not reached."""
    out = pd.Series(UNREACHED, index=minutes.index, dtype=object)
    lower = -np.inf
    for upper, colour in CLASSES:
        out[(minutes > lower) & (minutes <= upper)] = colour
        lower = upper
    return out


def build_transit_map(
    region: gpd.GeoDataFrame,
    result: RailReachability,
    settings: Settings,
    *,
    attribution: list[str],
    stations: gpd.GeoDataFrame | None = None,
    tiles: str | None = None,
) -> folium.Map:
    """Municipalities coloured by public-transport minutes from the origin.

    The title and legend name the feeds, the date, the window and statistic, and the
    scenario when one was used; unreached municipalities are grey.
    """
    s = result.summary
    shown = simplify_for_display(region, tolerance_m=100.0)
    minutes = (
        region[["ags"]]
        .merge(result.table[["ags", "minutes"]], on="ags", how="left")["minutes"]
        .set_axis(region.index)
    )
    layer = gpd.GeoDataFrame(
        {
            "name": region["name"].astype(str).to_numpy(),
            "ags": region["ags"].astype(str).to_numpy(),
            "minutes": [("–" if pd.isna(v) else f"{v:g}") for v in minutes],
            "fill": minute_colours(minutes).to_numpy(),
        },
        geometry=shown.geometry.to_numpy(),
        crs=shown.crs,
    )
    m = new_map(settings, region, tiles=tiles)
    folium.GeoJson(
        to_geojson(layer, precision=4),
        name="Erreichbarkeit ÖV",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "color": "#666666",
            "weight": 0.5,
            "fillOpacity": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(fields=["name", "minutes"], aliases=["", "min"]),
    ).add_to(m)
    if stations is not None and len(stations):
        folium.GeoJson(
            to_geojson(stations[["name", "geometry"]], precision=5),
            name="Bahnhöfe im Fahrplan",
            marker=folium.CircleMarker(
                radius=3, color="#222222", fill=True, fill_color="#ffffff", fill_opacity=1, weight=1
            ),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)
    when = (
        f"{s['date']}, Fenster {'–'.join(s['window'])} ({s['statistic']})"
        if s["window"]
        else f"{s['date']}, Abfahrt {s['depart']}"
    )
    scenario = f" · Szenario: {', '.join(s['scenario'])}" if s["scenario_used"] else ""
    add_title(
        m,
        f"ÖV-Reisezeit ab {s['origin']['name']} (≤ {s['max_minutes']:g} min)",
        f"{when}{scenario} · Fahrpläne: {', '.join(s['feeds'])}",
    )
    lower = 0.0
    items = []
    for upper, colour in CLASSES:
        if upper > s["max_minutes"] and lower >= s["max_minutes"]:
            break
        items.append((colour, f"{lower:g}–{min(upper, s['max_minutes']):g} min"))
        lower = upper
    items.append((UNREACHED, "nicht erreicht"))
    add_legend(
        m,
        "Minuten",
        items,
        note=f"{s['population_reached']:,} Einwohner erreicht".replace(",", ".")
        + "".join(f" · nicht abgedeckt: {n}" for n in s.get("feed_notes", [])),
    )
    add_attribution(m, attribution)
    return m
