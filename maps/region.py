"""The region map: municipalities coloured by population trend, Jena and the ISEK towns.

Classes of the annual population change come from mapclassify (user-defined breaks
around the documented trend thresholds of :mod:`geo.region.model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd

from geo.ogc.export import to_geojson
from geo.region import model as region_model
from geo.settings import Settings
from maps import minutes as jm
from maps import projects_layer
from maps.base import (
    LegendSection,
    add_attribution,
    add_choropleth,
    add_layer_list,
    add_legend,
    add_title,
    new_map,
    simplify_for_display,
)

#: Fill opacity of the municipalities (the legend's swatches use it too).
FILL_OPACITY = 0.75

#: Where the API serves the validation report (linked from the legend).
REPORT_PATH = "/validation"

#: Break points (annual change in % per year) of the trend colours.
TREND_BREAKS = (
    -1.0,
    region_model.SHRINKING_MAX_PCT_PER_YEAR,
    region_model.GROWING_MIN_PCT_PER_YEAR,
    1.0,
)
TREND_COLOURS = ("#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac")
UNKNOWN_COLOUR = "#bdbdbd"

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Stadt.Region.Jena – Bevölkerungsentwicklung",
        "subtitle": "Gemeinden Thüringens, Veränderung pro Jahr auf gleichem Gebiet",
        "legend": "Bevölkerung, Veränderung pro Jahr",
        "unknown": "unbekannt (weniger als zwei Jahre oder Gebietsänderung nicht nachweisbar)",
        "trend_basis": "Trendbasis",
        "dissolved": "Aufgelöste Gemeinden in der Farbe ihres Nachfolgers (Gebiet von {year})",
        "layer_municipalities": "Gemeinden (Trend)",
        "layer_isek": "ISEK-Nachbarstädte",
        "layer_jena": "Jena",
        "layer_rail": "Bahnstrecken",
        "layer_stations": "Bahnhöfe",
        "name": "Gemeinde",
        "ags": "AGS",
        "district": "Landkreis",
        "population": "Einwohner",
        "change_pct": "Veränderung gesamt",
        "change_pct_per_year": "Veränderung pro Jahr",
        "trend_class": "Trend",
        "density": "Einwohner je km²",
        "missing": "ohne Angabe (Jahre)",
        "isek": "ISEK: Einwohner / Trend 2008–15",
        "isek_minutes": "ISEK: Bahn / Auto nach Jena (min)",
        "report": "Abgleich mit veröffentlichten Zahlen (ISEK, INKAR) →",
        "growing": "wachsend",
        "stable": "stabil",
        "shrinking": "schrumpfend",
        "note": "Klassen: wachsend ≥ +0,25 %/Jahr, schrumpfend ≤ −0,25 %/Jahr",
        "jena": "Jena (hervorgehoben)",
        "isek_town": "ISEK-Nachbarstadt",
        "legend_box": "Legende",
        "rail_line": "Bahnstrecke",
        "station": "Bahnhof",
    },
    "en": {
        "title": "Stadt.Region.Jena – population trend",
        "subtitle": "Municipalities of Thuringia, change per year on the same territory",
        "legend": "Population, change per year",
        "unknown": "unknown (fewer than two years, or a territorial change not proven)",
        "trend_basis": "Trend basis",
        "dissolved": "Dissolved municipalities in their successor's colour (territory of {year})",
        "layer_municipalities": "Municipalities (trend)",
        "layer_isek": "ISEK neighbour towns",
        "layer_jena": "Jena",
        "layer_rail": "Railway lines",
        "layer_stations": "Stations",
        "name": "Municipality",
        "ags": "AGS",
        "district": "District",
        "population": "Population",
        "change_pct": "Change in total",
        "change_pct_per_year": "Change per year",
        "trend_class": "Trend",
        "density": "Inhabitants per km²",
        "missing": "no figure (years)",
        "isek": "ISEK: population / trend 2008–15",
        "isek_minutes": "ISEK: rail / car to Jena (min)",
        "report": "Published figures beside computed ones (ISEK, INKAR) →",
        "growing": "growing",
        "stable": "stable",
        "shrinking": "shrinking",
        "note": "Classes: growing ≥ +0.25 %/year, shrinking ≤ −0.25 %/year",
        "jena": "Jena (highlighted)",
        "isek_town": "ISEK neighbour town",
        "legend_box": "Legend",
        "rail_line": "Railway line",
        "station": "Station",
    },
}


def labels(lang: str) -> dict[str, str]:
    """Return the label set for ``lang`` (``de`` or ``en``; anything else falls back to de)."""
    return LABELS.get(lang, LABELS["de"])


def _fmt_int(v: Any, lang: str) -> str:
    if v is None or pd.isna(v):
        return "–"
    s = f"{int(v):,}"
    return s.replace(",", ".") if lang == "de" else s


def _fmt_pct(v: Any, lang: str, digits: int = 2) -> str:
    if v is None or pd.isna(v):
        return "–"
    s = f"{float(v):+.{digits}f} %"
    return s.replace(".", ",") if lang == "de" else s


def trend_colours(rate_pct_per_year: pd.Series) -> pd.Series:
    """Colour of each municipality by its annual change, classed with mapclassify."""
    rate = rate_pct_per_year.astype(float)
    out = pd.Series(UNKNOWN_COLOUR, index=rate.index, dtype=object)
    known = rate.notna()
    if known.any():
        values = rate[known].to_numpy()
        bins = [*TREND_BREAKS, max(float(values.max()), TREND_BREAKS[-1] + 1e-9)]
        classes = mapclassify.UserDefined(values, bins=bins)
        out[known] = np.asarray(TREND_COLOURS)[classes.yb]
    return out


def map_rates(region: gpd.GeoDataFrame) -> pd.Series:
    """Annual change to paint each municipality with, on the territory of the latest year.

    A municipality dissolved into a successor of the map is painted with the successor's
    trend on their common territory (its own short series ends before the merger); one
    whose successor is not on the map, or not proven, is painted as unknown.
    """
    rate = region["change_pct_per_year"].astype(float)
    if "successor" not in region.columns:
        return rate
    succ = region["successor"].fillna("").astype(str)
    carries = region["population"].notna()
    # a successor's rate: its own row, or the row carrying a new code's figure
    keys = np.concatenate([region["ags"].astype(str).to_numpy(), succ[carries & (succ != "")]])
    vals = np.concatenate([rate.to_numpy(), rate[carries & (succ != "")].to_numpy()])
    by_ags = pd.Series(vals, index=keys)
    by_ags = by_ags[~by_ags.index.duplicated(keep="last")]
    dissolved = region["population"].isna() & (succ != "")
    out = rate.copy()
    out[dissolved] = succ[dissolved].map(by_ags).astype(float).to_numpy()
    orphaned = region["population"].isna() & region["territory_changed"].astype(bool) & (succ == "")
    out[orphaned] = np.nan
    return out


def popup_properties(region: gpd.GeoDataFrame, lang: str) -> pd.DataFrame:
    """Display strings of the popup fields, in the map's language."""
    lab = labels(lang)
    years = region_model.population_years(region)
    props = pd.DataFrame(index=region.index)
    props["name"] = region["name"]
    props["ags"] = region["ags"]
    props["district"] = region["district"]
    for y in years:
        props[f"population_{y}"] = [_fmt_int(v, lang) for v in region[f"population_{y}"]]
    props["change_pct"] = [_fmt_pct(v, lang) for v in region["change_pct"]]
    props["change_pct_per_year"] = [_fmt_pct(v, lang, 2) for v in region["change_pct_per_year"]]
    props["trend_class"] = [lab.get(str(c), lab["unknown"]) for c in region["trend_class"]]
    props["density"] = [_fmt_int(v, lang) for v in region["density_per_km2"]]
    props["missing"] = [m if m else "–" for m in region["missing_years"].fillna("")]
    # one popup field (the page stays small): the basis, and the change where there is one
    empty = pd.Series("", index=region.index)
    basis = region["trend_basis"].fillna("") if "trend_basis" in region.columns else empty
    note = region["trend_note"].fillna("") if "trend_note" in region.columns else empty
    props["trend_basis"] = [
        (b or "–") + (f" · {n}" if n else "") for b, n in zip(basis, note, strict=True)
    ]
    isek = []
    for pop, trend, note in zip(
        region["isek_population"],
        region["isek_trend_2008_2015_pct"],
        region["isek_note"].fillna(""),
        strict=True,
    ):
        if pd.isna(pop):
            isek.append("–")
        else:
            t = _fmt_pct(trend, lang, 0) if not pd.isna(trend) else (note or "–")
            isek.append(f"{_fmt_int(pop, lang)} / {t}")
    props["isek"] = isek
    isek_min = []
    for rail, car in zip(
        region.get("isek_rail_minutes", pd.Series(pd.NA, index=region.index)),
        region.get("isek_car_minutes", pd.Series(pd.NA, index=region.index)),
        strict=True,
    ):
        if pd.isna(rail) and pd.isna(car):
            isek_min.append("–")
        else:
            parts = ["–" if pd.isna(v) else f"{float(v):.0f}" for v in (rail, car)]
            isek_min.append(" / ".join(parts))
    props["isek_minutes"] = isek_min
    return props


def trend_items(lang: str) -> list[tuple[str, str]]:
    """Legend rows of the trend colours (classes and unknown), in the map's language."""
    lab = labels(lang)
    return [
        (TREND_COLOURS[0], f"≤ {_fmt_pct(TREND_BREAKS[0], lang)} ({lab['shrinking']})"),
        *[
            (
                TREND_COLOURS[i],
                f"{_fmt_pct(TREND_BREAKS[i - 1], lang)} … "
                f"{_fmt_pct(TREND_BREAKS[i], lang)} ({lab[cls]})",
            )
            for i, cls in ((1, "shrinking"), (2, "stable"), (3, "growing"))
        ],
        (TREND_COLOURS[4], f"> {_fmt_pct(TREND_BREAKS[3], lang)} ({lab['growing']})"),
        (UNKNOWN_COLOUR, lab["unknown"]),
    ]


def add_town_labels(m: folium.Map, region: gpd.GeoDataFrame, origin_index: Any, name: str) -> None:
    """Label Jena (yellow) and the ISEK neighbour towns (white) at their centre points."""
    isek_rows = region[region["isek_population"].notna()]
    towns = folium.FeatureGroup(name=name)
    label_rows = pd.concat([region.loc[[origin_index]], isek_rows])
    pts = gpd.GeoSeries(
        gpd.points_from_xy(label_rows["centre_x"], label_rows["centre_y"]), crs=region.crs
    ).to_crs("EPSG:4326")
    for (idx, r), pt in zip(label_rows.iterrows(), pts, strict=True):
        is_origin = idx == origin_index
        folium.CircleMarker(
            location=[pt.y, pt.x],
            radius=7 if is_origin else 5,
            color="#000000",
            weight=2,
            fill=True,
            fill_color="#ffd400" if is_origin else "#ffffff",
            fill_opacity=1,
            tooltip=folium.Tooltip(
                str(r["name"]), permanent=True, direction="right", class_name="sr-town-label"
            ),
        ).add_to(towns)
    towns.add_to(m)


def build_region_map(
    region: gpd.GeoDataFrame,
    settings: Settings,
    *,
    attribution: list[str],
    rail: gpd.GeoDataFrame | None = None,
    stations: gpd.GeoDataFrame | None = None,
    minutes: jm.JenaMinutes | None = None,
    highlight: str = "Jena",
    lang: str = "de",
    tiles: str | None = None,
    transparency: Mapping[str, tuple[int, tuple[str, ...]]] | None = None,
) -> folium.Map:
    """Build the region map.

    Parameters
    ----------
    region
        The region model (see :func:`geo.region.model.build_region`), any CRS.
    settings
        Asset URLs and tile source.
    attribution
        Attribution texts of every data source shown.
    rail, stations
        Optional railway lines and stations layers.
    minutes
        Rail and car minutes from Jena (:func:`maps.minutes.jena_minutes`) for the popups.
    highlight
        Municipality drawn with a bold outline.
    lang
        ``de`` (default) or ``en`` labels.
    tiles
        ``"none"`` to switch the base map off.
    transparency
        Per AGS: published plots in development and the titles of the forum's
        cooperation projects (:func:`geo.usecases.projects.transparency`); shown in the
        popups when given.
    """
    lab = labels(lang)
    shown = simplify_for_display(region, tolerance_m=120.0)
    years = region_model.population_years(region)
    props = popup_properties(region, lang)
    layer = gpd.GeoDataFrame(props, geometry=shown.geometry, crs=shown.crs)
    layer["fill"] = trend_colours(map_rates(region)).to_numpy()
    minute_fields: list[str] = ["isek_minutes"]
    minute_aliases: list[str] = [lab["isek_minutes"]]
    if minutes is not None:
        rail_txt, car_txt = jm.minute_texts(minutes, lang)
        layer["rail_min"] = rail_txt
        layer["car_min"] = car_txt
        layer["inkar"] = jm.inkar_texts(region, minutes, lang)
        mlab = jm.LABELS.get(lang, jm.LABELS["de"])
        minute_fields = ["rail_min", "car_min", "isek_minutes", "inkar"]  # ISEK beside computed
        minute_aliases = [mlab["rail"], mlab["car"], lab["isek_minutes"], mlab["inkar"]]
    building_fields: list[str] = []
    building_aliases: list[str] = []
    if transparency is not None:
        plab = projects_layer.labels(lang)
        layer["building"], layer["projects"] = projects_layer.transparency_texts(
            region["ags"].astype(str).to_list(), transparency, lang
        )
        building_fields = ["building", "projects"]
        building_aliases = [plab["building"], plab["projects"]]
    m = new_map(settings, region, tiles=tiles, lang=lang)

    fields = [
        "name",
        "ags",
        "district",
        *[f"population_{y}" for y in years],
        "change_pct",
        "change_pct_per_year",
        "trend_class",
        "trend_basis",
        "density",
        "missing",
        "isek",
        *minute_fields,
        *building_fields,
    ]
    aliases = [
        lab["name"],
        lab["ags"],
        lab["district"],
        *[f"{lab['population']} {y}" for y in years],
        lab["change_pct"],
        lab["change_pct_per_year"],
        lab["trend_class"],
        lab["trend_basis"],
        lab["density"],
        lab["missing"],
        lab["isek"],
        *minute_aliases,
        *building_aliases,
    ]
    add_choropleth(
        m,
        layer,
        name=lab["layer_municipalities"],
        fields=fields,
        aliases=aliases,
        fill_opacity=FILL_OPACITY,
    )

    if rail is not None and len(rail):
        folium.GeoJson(
            to_geojson(rail[["geometry"]], precision=5),
            name=lab["layer_rail"],
            style_function=lambda f: {"color": "#333333", "weight": 1.6, "dashArray": "4 2"},
        ).add_to(m)
    if stations is not None and len(stations):
        st = stations[["name", "geometry"]]
        folium.GeoJson(
            to_geojson(st, precision=5),
            name=lab["layer_stations"],
            marker=folium.CircleMarker(
                radius=3, color="#222222", fill=True, fill_color="#ffffff", fill_opacity=1, weight=1
            ),
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)

    origin = region_model.find_municipality(region, highlight)
    jena = layer.loc[[origin.name]]
    folium.GeoJson(
        to_geojson(jena[["name", "geometry"]], precision=5),
        name=lab["layer_jena"],
        style_function=lambda f: {"color": "#000000", "weight": 3.5, "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    ).add_to(m)

    add_town_labels(m, region, origin.name, lab["layer_isek"])

    items = trend_items(lang)
    note = lab["note"] + " · " + lab["dissolved"].format(year=years[-1] if years else "")
    if minutes is not None:
        note += " · " + jm.minutes_note(minutes, lang)
    if transparency is not None:
        note += " · " + projects_layer.labels(lang)["transparency_note"]
    report = (f"{REPORT_PATH}?f=html&lang={lang}", lab["report"])
    sections = [
        LegendSection(lab["legend"], items, lab["layer_municipalities"], opacity=FILL_OPACITY),
        LegendSection(
            lab["layer_isek"],
            [("#ffd400", lab["jena"]), ("#ffffff", lab["isek_town"])],
            lab["layer_isek"],
        ),
    ]
    if rail is not None and len(rail):
        line = ("transparent", lab["rail_line"], "none;border-top:2px dashed #333333;height:0")
        sections.append(LegendSection(lab["layer_rail"], [line], lab["layer_rail"]))
    if stations is not None and len(stations):
        dot_css = "1px solid #222222;border-radius:50%;width:8px;height:8px"
        dot = ("#ffffff", lab["station"], dot_css)
        sections.append(LegendSection(lab["layer_stations"], [dot], lab["layer_stations"]))
    add_legend(m, lab["legend_box"], [], note=note, link=report, sections=sections)
    add_title(m, lab["title"], lab["subtitle"])
    add_attribution(m, attribution)
    add_layer_list(m)
    return m
