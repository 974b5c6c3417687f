"""The reachability map: municipalities reached by car within N minutes, and isochrones.

Reached municipalities are coloured by travel time (classes of 10 minutes up to the
limit); municipalities the loaded road network does not cover are drawn grey with a
dashed outline and labelled "outside the loaded network" (their time is unknown); the
isochrone bands follow the roads reached in time.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from geo import modes
from geo.ogc.export import to_geojson
from geo.settings import Settings
from geo.usecases.reachability import isochrone_cuts
from maps.base import (
    LegendSection,
    add_attribution,
    add_layer_list,
    add_legend,
    add_title,
    new_map,
    popup,
    simplify_for_display,
)
from maps.labels import counted

#: Colours of the travel-time classes (fast to slow; one per class of :func:`minute_breaks`).
MINUTE_COLOURS = ("#08519c", "#3182bd", "#6baed6", "#9ecae1", "#c6dbef", "#eff3ff")
OUTSIDE_COLOUR = "#bdbdbd"
ISO_COLOUR = "#e6550d"
#: Fill opacity of the reached municipalities (the legend's swatches use it too). The
#: isochrones are drawn as lines, so no fill stacks over the origin's own class.
REACHED_OPACITY = 0.7
OUTSIDE_OPACITY = 0.35

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Erreichbarkeit mit dem Auto",
        "subtitle": "Gemeinden, deren Zentrum von {origin} in höchstens {minutes} min erreicht "
        "wird; Bevölkerung erreicht: {population}",
        "legend": "Fahrzeit zum Gemeindezentrum",
        "outside": "außerhalb des geladenen Straßennetzes (Fahrzeit unbekannt)",
        "iso": "Isochrone {m} min (entlang der Straßen)",
        "layer_reached": "Erreichte Gemeinden",
        "layer_outside": "Außerhalb des Netzes",
        "layer_iso": "Isochronen",
        "origin": "Start",
        "name": "Gemeinde",
        "minutes": "Fahrzeit (min)",
        "population": "Einwohner",
        "trend": "Trend",
        "rate": "Veränderung pro Jahr (%)",
        "status": "Status",
        "note": "Netz: {network}",
        "title_rail": "Erreichbarkeit mit der Bahn",
        "legend_rail": "Reisezeit zum Gemeindezentrum",
        "reached_sum": "Erreichte Bevölkerung: {population} Einwohner in {n}",
        "mun_one": "Gemeinde",
        "mun_many": "Gemeinden",
        "legend_box": "Legende",
        "rail_note": "Fahrplan {date}, {when}; {feeds}",
    },
    "en": {
        "title": "Reachability by car",
        "subtitle": "Municipalities whose centre is reached from {origin} within {minutes} min; "
        "population reached: {population}",
        "legend": "Driving time to the municipality centre",
        "outside": "outside the loaded road network (time unknown)",
        "iso": "Isochrone {m} min (along the roads)",
        "layer_reached": "Municipalities reached",
        "layer_outside": "Outside the network",
        "layer_iso": "Isochrones",
        "origin": "Origin",
        "name": "Municipality",
        "minutes": "Driving time (min)",
        "population": "Population",
        "trend": "Trend",
        "rate": "Change per year (%)",
        "status": "Status",
        "note": "Network: {network}",
        "title_rail": "Reachability by rail",
        "legend_rail": "Travel time to the municipality centre",
        "reached_sum": "Population reached: {population} in {n}",
        "mun_one": "municipality",
        "mun_many": "municipalities",
        "legend_box": "Legend",
        "rail_note": "Timetable {date}, {when}; {feeds}",
    },
}


def minute_breaks(max_minutes: float) -> list[float]:
    """Class breaks of 10 minutes up to the limit (at most six classes); the isochrones
    of the car map are computed at the same breaks
    (:func:`geo.usecases.reachability.isochrone_cuts`)."""
    return isochrone_cuts(max_minutes)


def build_reachable_map(
    region: gpd.GeoDataFrame,
    result: modes.Reachable,
    isochrones: gpd.GeoDataFrame | None,
    settings: Settings,
    *,
    attribution: list[str],
    lang: str = "de",
    tiles: str | None = None,
) -> folium.Map:
    """Build the reachability map from a :func:`geo.modes.reachable` result.

    Parameters
    ----------
    region
        The region model (for the municipality areas).
    result
        What :func:`geo.modes.reachable` returned.
    isochrones
        Optional isochrone polygons (:func:`geo.roads.engine.isochrones`), any CRS.
    settings
        Asset URLs and tiles.
    attribution
        Attribution texts of every source shown.
    lang
        ``de`` or ``en``.
    tiles
        ``"none"`` switches the base map off.
    """
    lab = LABELS.get(lang, LABELS["de"])
    s = result.summary
    areas = modes.reachable_areas(result, region)
    shown = simplify_for_display(areas, tolerance_m=80.0) if len(areas) else areas
    bounds = shown[shown["status"] == "reached"] if (shown["status"] == "reached").any() else region
    m = new_map(settings, bounds, tiles=tiles, lang=lang)

    breaks = minute_breaks(float(s["max_minutes"]))
    reached = shown[shown["status"] == "reached"].copy()
    cls = np.searchsorted(np.asarray(breaks), reached["minutes"].to_numpy(dtype=float), "left")
    reached["fill"] = np.asarray(MINUTE_COLOURS)[np.clip(cls, 0, len(MINUTE_COLOURS) - 1)]
    props = ["name", "minutes", "population", "trend_class", "change_pct_per_year", "status"]
    aliases = [
        lab["name"],
        lab["minutes"],
        lab["population"],
        lab["trend"],
        lab["rate"],
        lab["status"],
    ]
    outside = shown[shown["status"] == "outside_network"].copy()
    if len(outside):
        outside["status"] = lab["outside"]
        folium.GeoJson(
            to_geojson(outside[[*props, "geometry"]], precision=4),
            name=lab["layer_outside"],
            style_function=lambda f: {
                "fillColor": OUTSIDE_COLOUR,
                "color": "#777777",
                "weight": 0.6,
                "dashArray": "3 3",
                "fillOpacity": OUTSIDE_OPACITY,
            },
            tooltip=folium.GeoJsonTooltip(
                fields=["name", "status"], aliases=aliases[:1] + aliases[-1:]
            ),
        ).add_to(m)
    if len(reached):
        folium.GeoJson(
            to_geojson(reached[[*props, "fill", "geometry"]], precision=4),
            name=lab["layer_reached"],
            style_function=lambda f: {
                "fillColor": f["properties"]["fill"],
                "color": "#333333",
                "weight": 0.8,
                "fillOpacity": REACHED_OPACITY,
            },
            popup=popup(props, aliases),
            tooltip=folium.GeoJsonTooltip(fields=["name", "minutes"], aliases=aliases[:2]),
        ).add_to(m)
    if isochrones is not None and len(isochrones):
        group = folium.FeatureGroup(name=lab["layer_iso"])
        iso = isochrones.sort_values("minutes", ascending=False)
        for _, row in iso.iterrows():
            one = gpd.GeoDataFrame(
                {"minutes": [row["minutes"]]}, geometry=[row.geometry], crs=isochrones.crs
            )
            folium.GeoJson(
                to_geojson(one, precision=5),
                style_function=lambda f: {"color": ISO_COLOUR, "weight": 2, "fill": False},
                tooltip=lab["iso"].format(m=f"{row['minutes']:g}"),
            ).add_to(group)
        group.add_to(m)

    classes: list[tuple[str, str] | tuple[str, str, str]] = []
    lo = 0.0
    for colour, hi in zip(MINUTE_COLOURS, breaks, strict=False):
        classes.append((colour, f"{lo:g}–{hi:g} min"))
        lo = hi
    sections = [
        LegendSection(
            lab["legend_rail"] if s.get("mode") == "rail" else lab["legend"],
            classes,
            lab["layer_reached"],
            opacity=REACHED_OPACITY,
        )
    ]
    if len(outside):  # a timetable judges every municipality: none is outside
        sections.append(
            LegendSection(
                lab["layer_outside"],
                [(OUTSIDE_COLOUR, lab["outside"], "1px dashed #777777")],
                lab["layer_outside"],
                opacity=OUTSIDE_OPACITY,
            )
        )
    if isochrones is not None and len(isochrones):
        mins = ", ".join(f"{v:g}" for v in sorted(isochrones["minutes"]))
        line = (
            "transparent",
            lab["iso"].format(m=mins),
            f"none;border-top:2px solid {ISO_COLOUR};height:0",
        )
        sections.append(LegendSection(lab["layer_iso"], [line], lab["layer_iso"]))
    pop = s["population_reached"]
    pop_text = f"{pop:,}".replace(",", ".") if lang == "de" else f"{pop:,}"
    if s.get("population_year"):  # one reference year, every resident once
        pop_text += f" ({s['population_year']})"
    rail = s.get("mode") == "rail"
    if rail:
        when = (
            f"{'–'.join(s['window'])} ({s.get('statistic', '')})"
            if s.get("window")
            else f"{s.get('depart', '')}"
        )
        source = lab["rail_note"].format(
            date=s.get("date", ""), when=when, feeds="; ".join(s.get("feed_notes", []))
        )
    else:
        source = lab["note"].format(network=s.get("network", ""))
    n_reached = int(s.get("municipalities_reached", len(reached)))
    reached_sum = lab["reached_sum"].format(
        population=pop_text, n=counted(n_reached, lab["mun_one"], lab["mun_many"])
    )
    add_legend(m, lab["legend_box"], [], note=f"{reached_sum} · {source}", sections=sections)
    add_title(
        m,
        lab["title_rail"] if rail else lab["title"],
        lab["subtitle"].format(
            origin=s["origin"], minutes=f"{s['max_minutes']:g}", population=pop_text
        ),
    )
    add_attribution(m, attribution)
    add_layer_list(m)
    return m


def origin_marker(m: folium.Map, xy: np.ndarray, label: str) -> None:
    """Mark the origin (EPSG:25832 point) on the map."""
    pt = gpd.GeoSeries(gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs="EPSG:25832").to_crs(4326)
    folium.CircleMarker(
        location=[float(pt.y.iloc[0]), float(pt.x.iloc[0])],
        radius=7,
        color="#000000",
        weight=2,
        fill=True,
        fill_color="#ffd400",
        fill_opacity=1,
        tooltip=folium.Tooltip(label, permanent=True, direction="right"),
    ).add_to(m)
