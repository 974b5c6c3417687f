"""The land-pool map (land-pool role only): plots by status or screening score.

Plots come from the store read *as the caller* (the store applies the confidentiality
rule); the map refuses any caller who may not see confidential plots, because it is the
land-pool team's working map. Each plot is derived and screened with a shipped profile
(:mod:`geo.screening.criteria`): the popup lists the derived attributes and, per criterion, its
state and reason. Layers: nature reserves of the Jena pack, flood zones (only when a
HQ100 layer is configured; otherwise the legend says none is loaded), and mean slope
classes of the plots from the DEM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.errors import InputError, PermissionDeniedError
from geo.landpool.plots import Status
from geo.ogc.export import to_geojson
from geo.region.build import load_region
from geo.screening.criteria import derive_attributes, ranked, screen
from geo.screening.io import (
    NATURE_RESERVES_FILE,
    RESULT_ATTRIBUTIONS,
    load_layers,
    shipped_profile,
    shipped_profile_names,
)
from geo.settings import Settings
from maps.base import add_attribution, add_legend, add_title, new_map

if TYPE_CHECKING:
    from maps.request import MapRequest

#: Fill colour per workflow status.
STATUS_COLOURS: dict[str, str] = {
    Status.IDENTIFIED: "#a6cee3",
    Status.ASSESSED: "#1f78b4",
    Status.NEGOTIATING: "#fdbf6f",
    Status.ACQUIRED: "#ff7f00",
    Status.IN_DEVELOPMENT: "#b2df8a",
    Status.DEVELOPED: "#33a02c",
    Status.WITHDRAWN: "#bdbdbd",
}
#: Score classes (upper bounds, 0–100) and their colours.
SCORE_CLASSES: list[tuple[float, str]] = [
    (20, "#440154"),
    (40, "#3b528b"),
    (60, "#21918c"),
    (80, "#5ec962"),
    (100, "#fde725"),
]
#: Outline per screening result.
RESULT_OUTLINES: dict[str, tuple[str, str, float]] = {
    "pass": ("#000000", "", 1.5),
    "unknown": ("#444444", "4 3", 1.5),
    "fail": ("#d7301f", "", 2.5),
}
#: Mean slope classes (upper bounds, %) and colours.
SLOPE_CLASSES: list[tuple[float, str]] = [
    (5, "#ffffcc"),
    (12, "#fed976"),
    (20, "#fd8d3c"),
    (float("inf"), "#bd0026"),
]
UNKNOWN_COLOUR = "#d9d9d9"
RESERVE_COLOUR = "#1b7837"
FLOOD_COLOUR = "#2b8cbe"

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Flächenpool Jena – Arbeitskarte (vertraulich)",
        "sub_status": "Flächen nach Status im Flächenpool",
        "sub_score": "Flächen nach Eignung (Score 0–100), Profil {profile}",
        "legend_status": "Status",
        "legend_score": "Score (Profil {profile})",
        "layer_plots": "Flächen",
        "layer_reserves": "Naturschutzgebiete",
        "layer_flood": "Überschwemmungsgebiete (HQ100)",
        "layer_slope": "Hangneigung (Mittel je Fläche)",
        "layer_municipalities": "Gemeindegrenzen",
        "no_flood": "Kein HQ100-Layer geladen: Anteil im Überschwemmungsgebiet unbekannt.",
        "no_plots": "Keine Flächen im Register.",
        "reserve": "Naturschutzgebiet (OSM 2014, nur Stadt Jena)",
        "flood": "Überschwemmungsgebiet HQ100",
        "pass": "Umriss: alle Kriterien erfüllt",
        "unknown": "Umriss: Kriterium unbekannt",
        "fail": "Umriss: Kriterium nicht erfüllt",
        "unknown_value": "unbekannt",
        "plots_count": "{n} Flächen",
        "slope_note": "Hangneigung im Layer „Hangneigung“: ",
        "plot_id": "Flächen-ID",
        "name": "Name",
        "category": "Kategorie",
        "status": "Status",
        "municipality": "Gemeinde",
        "area": "Fläche (ha)",
        "slope": "Hangneigung Mittel (%)",
        "steep": "Anteil steil (%)",
        "reserve_share": "Anteil Naturschutzgebiet (%)",
        "flood_share": "Anteil HQ100 (%)",
        "station": "Bahnhof (Entfernung m)",
        "tram": "Straßenbahn (m)",
        "car": "Auto zum Zentrum (min)",
        "result": "Ergebnis",
        "score": "Score",
        "rank": "Rang",
        "notes": "Hinweise",
    },
    "en": {
        "title": "Land pool Jena – working map (confidential)",
        "sub_status": "Plots by land-pool status",
        "sub_score": "Plots by suitability (score 0–100), profile {profile}",
        "legend_status": "Status",
        "legend_score": "Score (profile {profile})",
        "layer_plots": "Plots",
        "layer_reserves": "Nature reserves",
        "layer_flood": "Flood zones (HQ100)",
        "layer_slope": "Slope (mean per plot)",
        "layer_municipalities": "Municipal borders",
        "no_flood": "No HQ100 layer loaded: share in flood zone unknown.",
        "no_plots": "No plots in the register.",
        "reserve": "Nature reserve (OSM 2014, city of Jena only)",
        "flood": "Flood zone HQ100",
        "pass": "Outline: all criteria met",
        "unknown": "Outline: a criterion is unknown",
        "fail": "Outline: a criterion failed",
        "unknown_value": "unknown",
        "plots_count": "{n} plots",
        "slope_note": "Slope in the layer “Slope”: ",
        "plot_id": "Plot id",
        "name": "Name",
        "category": "Category",
        "status": "Status",
        "municipality": "Municipality",
        "area": "Area (ha)",
        "slope": "Mean slope (%)",
        "steep": "Steep share (%)",
        "reserve_share": "Share in nature reserve (%)",
        "flood_share": "Share in HQ100 (%)",
        "station": "Station (distance m)",
        "tram": "Tram (m)",
        "car": "Car to centre (min)",
        "result": "Result",
        "score": "Score",
        "rank": "Rank",
        "notes": "Notes",
    },
}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "identified": "erfasst",
        "assessed": "bewertet",
        "negotiating": "in Verhandlung",
        "acquired": "erworben",
        "in_development": "in Entwicklung",
        "developed": "entwickelt",
        "withdrawn": "zurückgezogen",
    },
    "en": {s.value: s.value.replace("_", " ") for s in Status},
}
RESULT_LABELS = {
    "de": {"pass": "erfüllt", "fail": "nicht erfüllt", "unknown": "unbekannt"},
    "en": {"pass": "pass", "fail": "fail", "unknown": "unknown"},
}


def _num(v: Any, digits: int, lang: str, scale: float = 1.0) -> str:
    if v is None or pd.isna(v):
        return LABELS[lang]["unknown_value"]
    s = f"{float(v) * scale:,.{digits}f}"
    if lang == "de":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    return s


def _classify(values: pd.Series, classes: list[tuple[float, str]]) -> list[str]:
    vals = values.to_numpy(dtype=float)
    bounds = np.array([b for b, _ in classes])
    idx = np.clip(np.searchsorted(bounds, vals, side="left"), 0, len(classes) - 1)
    return [
        UNKNOWN_COLOUR if np.isnan(v) else classes[i][1] for v, i in zip(vals, idx, strict=True)
    ]


def score_colours(score: pd.Series) -> list[str]:
    """Fill colour of each score (0–100); unknown is grey."""
    return _classify(score, SCORE_CLASSES)


def slope_colours(slope: pd.Series) -> list[str]:
    """Fill colour of each mean slope (%); unknown is grey."""
    return _classify(slope, SLOPE_CLASSES)


def popup_frame(result: gpd.GeoDataFrame, criteria: list[str], lang: str) -> pd.DataFrame:
    """Display strings of a screened plot's popup: derived attributes and per-criterion reasons."""
    res_lab = RESULT_LABELS[lang]
    st_lab = STATUS_LABELS[lang]
    out = pd.DataFrame(index=result.index)
    out["plot_id"] = result["plot_id"].astype(str)
    out["name"] = [n if isinstance(n, str) and n else "–" for n in result["name"]]
    out["category"] = result["category"].astype(str)
    out["status"] = [st_lab.get(str(s), str(s)) for s in result["status"]]
    out["municipality"] = [m if isinstance(m, str) else "–" for m in result["municipality"]]
    out["area"] = [_num(v, 2, lang) for v in result["area_ha"]]
    out["slope"] = [_num(v, 1, lang) for v in result["slope_mean_pct"]]
    out["steep"] = [_num(v, 0, lang, 100) for v in result["steep_share"]]
    out["reserve_share"] = [_num(v, 0, lang, 100) for v in result["reserve_share"]]
    out["flood_share"] = [_num(v, 0, lang, 100) for v in result["flood_share"]]
    out["station"] = [
        f"{n} ({_num(d, 0, lang)})" if isinstance(n, str) else _num(d, 0, lang)
        for n, d in zip(result["nearest_station"], result["dist_station_m"], strict=True)
    ]
    out["tram"] = [_num(v, 0, lang) for v in result["dist_tram_m"]]
    out["car"] = [_num(v, 0, lang) for v in result["car_min_centre"]]
    out["result"] = [res_lab.get(str(r), str(r)) for r in result["result"]]
    out["score"] = [_num(v, 1, lang) for v in result["score"]]
    out["rank"] = ["–" if pd.isna(r) else str(int(r)) for r in result["rank"]]
    for key in criteria:
        out[f"c_{key}"] = [
            f"{res_lab.get(str(s), str(s))}: {r}"
            for s, r in zip(result[f"pass_{key}"], result[f"reason_{key}"], strict=True)
        ]
    out["notes"] = result["derive_notes"].fillna("").astype(str)
    return out


def build_plots_map(
    result: gpd.GeoDataFrame,
    settings: Settings,
    *,
    profile: str,
    by: str = "status",
    municipalities: gpd.GeoDataFrame | None = None,
    reserves: gpd.GeoDataFrame | None = None,
    flood: gpd.GeoDataFrame | None = None,
    bounds: gpd.GeoDataFrame | None = None,
    attribution: list[str],
    lang: str = "de",
    tiles: str | None = None,
) -> folium.Map:
    """Build the land-pool map from a screening result (:func:`geo.screening.criteria.screen`).

    Parameters
    ----------
    result
        Derived and screened plots (any CRS), already limited to what the caller may see.
    profile
        Name of the profile the result was screened with.
    by
        ``status`` (fill by workflow status) or ``score`` (fill by score, outline by result).
    municipalities, reserves, flood
        Context layers; ``flood`` ``None`` means no HQ100 layer is loaded (said in the legend).
    bounds
        What the view is fitted to when there are no plots.
    """
    if by not in ("status", "score"):
        raise InputError(f"by must be 'status' or 'score', not {by!r}.")
    lang = lang if lang in LABELS else "de"
    lab = LABELS[lang]
    fit = result if len(result) else (bounds if bounds is not None else municipalities)
    if fit is None:
        raise InputError("the plots map needs plots or a bounds layer to fit the view to.")
    m = new_map(settings, fit, tiles=tiles)

    if municipalities is not None and len(municipalities):
        folium.GeoJson(
            to_geojson(municipalities[["name", "geometry"]], precision=5),
            name=lab["layer_municipalities"],
            style_function=lambda f: {"color": "#555555", "weight": 1.2, "fill": False},
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)
    if reserves is not None and len(reserves):
        res = reserves.assign(name=reserves["name"].fillna("").astype(str))
        folium.GeoJson(
            to_geojson(res[["name", "geometry"]], precision=5),
            name=lab["layer_reserves"],
            style_function=lambda f: {
                "color": RESERVE_COLOUR,
                "weight": 2,
                "dashArray": "6 3",
                "fillColor": RESERVE_COLOUR,
                "fillOpacity": 0.08,
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        ).add_to(m)
    if flood is not None and len(flood):
        folium.GeoJson(
            to_geojson(flood[["geometry"]], precision=5),
            name=lab["layer_flood"],
            style_function=lambda f: {
                "color": FLOOD_COLOUR,
                "weight": 0.5,
                "fillColor": FLOOD_COLOUR,
                "fillOpacity": 0.35,
            },
        ).add_to(m)

    criteria = [c[len("pass_") :] for c in result.columns if c.startswith("pass_")]
    if len(result):
        props = popup_frame(result, criteria, lang)
        layer = gpd.GeoDataFrame(props, geometry=result.geometry.to_numpy(), crs=result.crs)
        if by == "status":
            layer["fill"] = [STATUS_COLOURS.get(str(s), UNKNOWN_COLOUR) for s in result["status"]]
            layer["line"], layer["dash"], layer["weight"] = "#333333", "", 1.0
        else:
            layer["fill"] = score_colours(result["score"])
            outline = [
                RESULT_OUTLINES.get(str(r), RESULT_OUTLINES["unknown"]) for r in result["result"]
            ]
            layer["line"] = [o[0] for o in outline]
            layer["dash"] = [o[1] for o in outline]
            layer["weight"] = [o[2] for o in outline]
        layer["slope_fill"] = slope_colours(result["slope_mean_pct"])
        fields = [
            "plot_id", "name", "category", "status", "municipality", "area", "slope",
            "steep", "reserve_share", "flood_share", "station", "tram", "car", "result",
            "score", "rank", *[f"c_{k}" for k in criteria], "notes",
        ]  # fmt: skip
        aliases = [
            lab["plot_id"], lab["name"], lab["category"], lab["status"], lab["municipality"],
            lab["area"], lab["slope"], lab["steep"], lab["reserve_share"], lab["flood_share"],
            lab["station"], lab["tram"], lab["car"], lab["result"], lab["score"], lab["rank"],
            *criteria, lab["notes"],
        ]  # fmt: skip
        data = to_geojson(
            layer[[*fields, "fill", "line", "dash", "weight", "geometry"]], precision=6
        )
        folium.GeoJson(
            data,
            name=lab["layer_plots"],
            style_function=lambda f: {
                "fillColor": f["properties"]["fill"],
                "color": f["properties"]["line"],
                "dashArray": f["properties"]["dash"] or None,
                "weight": f["properties"]["weight"],
                "fillOpacity": 0.85,
            },
            highlight_function=lambda f: {"weight": 3, "color": "#000000"},
            popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, localize=False),
            tooltip=folium.GeoJsonTooltip(fields=["plot_id", "name"], labels=False),
        ).add_to(m)
        folium.GeoJson(
            to_geojson(layer[["plot_id", "slope", "slope_fill", "geometry"]], precision=6),
            name=lab["layer_slope"],
            show=False,
            style_function=lambda f: {
                "fillColor": f["properties"]["slope_fill"],
                "color": "#555555",
                "weight": 0.8,
                "fillOpacity": 0.9,
            },
            tooltip=folium.GeoJsonTooltip(fields=["plot_id", "slope"], aliases=["", lab["slope"]]),
        ).add_to(m)

    if by == "status":
        title = lab["legend_status"]
        st_lab = STATUS_LABELS[lang]
        items: list[tuple[str, str] | tuple[str, str, str]] = [
            (c, st_lab[str(s)]) for s, c in STATUS_COLOURS.items()
        ]
        subtitle = lab["sub_status"]
    else:
        title = lab["legend_score"].format(profile=profile)
        lo = 0.0
        items = []
        for hi, c in SCORE_CLASSES:
            items.append((c, f"{lo:g}–{hi:g}"))
            lo = hi
        for key in ("pass", "unknown", "fail"):
            colour, dash, weight = RESULT_OUTLINES[key]
            style = "dashed" if dash else "solid"
            items.append(("#ffffff", lab[key], f"{max(1, int(weight))}px {style} {colour}"))
        subtitle = lab["sub_score"].format(profile=profile)
    items.append(("#e8f1ea", lab["reserve"], f"2px dashed {RESERVE_COLOUR}"))
    notes = [lab["plots_count"].format(n=len(result)) if len(result) else lab["no_plots"]]
    if flood is not None:
        items.append((FLOOD_COLOUR, lab["flood"]))
    else:
        notes.append(lab["no_flood"])
    slope_txt = ", ".join(
        f"≤ {b:g} %" if np.isfinite(b) else f"> {SLOPE_CLASSES[-2][0]:g} %"
        for b, _ in SLOPE_CLASSES
    )
    notes.append(lab["slope_note"] + slope_txt)
    add_legend(m, title, items, note=" · ".join(notes))
    add_title(m, lab["title"], subtitle)
    add_attribution(m, attribution)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def plots_map(req: MapRequest) -> folium.Map:
    """Load, derive and screen the caller's plots and build the map (land-pool role only).

    Raises
    ------
    PermissionDeniedError
        For a caller who may not see confidential plots: this is the land-pool team's map.
    """
    if not req.viewer.sees_confidential:
        raise PermissionDeniedError(
            "the plots map is the land-pool team's working map; it needs the 'landpool' "
            "role (the public forum map is /maps/forum.html)."
        )
    by = str(req.options.get("by") or "status")
    profile_name = str(req.options.get("profile") or "housing")
    if profile_name not in shipped_profile_names():
        raise InputError(
            f"profile {profile_name!r} is not shipped; use one of "
            f"{', '.join(shipped_profile_names())}."
        )
    if by not in ("status", "score"):
        raise InputError(f"by must be 'status' or 'score', not {by!r}.")
    settings = req.settings
    profile = shipped_profile(profile_name)
    plots = req.open_store().frame(req.viewer)
    region, _ = load_region(settings)
    boundary = sources.read_vector(settings.data_dir / "jena_boundary_osm2014.geojson", "Jena")
    flood: gpd.GeoDataFrame | None = None
    if len(plots):
        layers = load_layers(settings, bounds=tuple(plots.total_bounds))
        result = ranked(screen(derive_attributes(plots, layers), profile))
        if layers.flood is not None:
            flood = layers.flood.gdf
        around = gpd.GeoSeries([plots.union_all().envelope.buffer(2000)], crs=plots.crs)
    else:
        result = plots
        around = boundary.geometry.to_crs(region.crs)
        if settings.flood_zones_file is not None:
            from geo.screening.io import read_flood_zones

            flood = read_flood_zones(settings.flood_zones_file).gdf
    near = region[region.intersects(around.to_crs(region.crs).union_all())]
    reserves = sources.read_vector(settings.data_dir / NATURE_RESERVES_FILE, "nature reserves")
    attribution = [
        *sources.attributions([sources.VG250_FILE, sources.STATIONS_FILE, "osm", "N50E011.hgt"]),
        *RESULT_ATTRIBUTIONS,
    ]
    if flood is not None and settings.flood_zones_file is not None:
        attribution.append(f"HQ100: {settings.flood_zones_file.name}")
    return build_plots_map(
        result,
        settings,
        profile=profile_name,
        by=by,
        municipalities=near,
        reserves=reserves,
        flood=flood,
        bounds=boundary,
        attribution=list(dict.fromkeys(attribution)),
        lang=req.lang,
        tiles=req.tiles,
    )
