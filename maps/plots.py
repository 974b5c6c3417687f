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

import html
import json
from typing import TYPE_CHECKING, Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import Element, Figure

from geo.errors import InputError
from geo.landpool.plots import Status
from geo.ogc.export import to_geojson
from geo.settings import Settings
from geo.usecases.screening import plots_map_inputs
from geo.vocabulary import number, plural, word, words
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
#: Outline per screening outcome.
RESULT_OUTLINES: dict[str, tuple[str, str, float]] = {
    "passes": ("#000000", "", 1.5),
    "open": ("#444444", "4 3", 1.5),
    "fails": ("#d7301f", "", 2.5),
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
        "passes": "Umriss: geeignet (alle Kriterien erfüllt)",
        "open": "Umriss: offen (Kriterium unbekannt)",
        "fails": "Umriss: ungeeignet (Kriterium nicht erfüllt)",
        "legend_slope": "Hangneigung (Mittel je Fläche)",
        "slope_unknown": "unbekannt (kein DEM)",
        "decide": "Was entscheiden würde",
        "unknown_value": "unbekannt",
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
        "plural_one": "Fläche",
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
        "passes": "Outline: passes (all criteria met)",
        "open": "Outline: open (a criterion is unknown)",
        "fails": "Outline: fails (a criterion failed)",
        "legend_slope": "Slope (mean per plot)",
        "slope_unknown": "unknown (no DEM)",
        "decide": "What would decide it",
        "unknown_value": "unknown",
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
        "result": "Outcome",
        "plural_one": "plot",
        "score": "Score",
        "rank": "Rank",
        "notes": "Notes",
    },
}

#: Popup CSS: a popup never grows taller than the window; its content scrolls inside.
POPUP_CSS = (
    "<style>.sr-plots .leaflet-popup-content{max-height:min(60vh,520px);overflow:auto;"
    "max-width:min(460px,calc(100vw - 80px));margin-right:8px;font-size:12px}"
    ".sr-plots .leaflet-popup-content table{width:100%}</style>"
)


def _num(v: Any, digits: int, lang: str, scale: float = 1.0) -> str:
    if v is None or pd.isna(v):
        return LABELS[lang]["unknown_value"]
    return number(float(v) * scale, digits, lang)


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
    state = words("state", lang)
    out = pd.DataFrame(index=result.index)
    out["plot_id"] = result["plot_id"].astype(str)
    out["name"] = [n if isinstance(n, str) and n else "–" for n in result["name"]]
    out["category"] = [word("category", str(c), lang) for c in result["category"]]
    out["status"] = [word("status", str(s), lang) for s in result["status"]]
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
    out["result"] = [word("outcome", str(r), lang) for r in result["outcome"]]
    out["score"] = [_num(v, 1, lang) for v in result["score"]]
    out["rank"] = ["–" if pd.isna(r) else str(int(r)) for r in result["rank"]]
    for key in criteria:
        out[f"c_{key}"] = [
            f"{state.get(str(s), str(s))}: {r}"
            for s, r in zip(result[f"pass_{key}"], result[f"reason_{key}"], strict=True)
        ]
    out["decide"] = [d if isinstance(d, str) and d else "–" for d in result["decide"]]
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
        ``status`` (fill by workflow status) or ``score`` (fill by score, outline by outcome).
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
                RESULT_OUTLINES.get(str(r), RESULT_OUTLINES["open"]) for r in result["outcome"]
            ]
            layer["line"] = [o[0] for o in outline]
            layer["dash"] = [o[1] for o in outline]
            layer["weight"] = [o[2] for o in outline]
        layer["slope_fill"] = slope_colours(result["slope_mean_pct"])
        fields = [
            "plot_id", "name", "category", "status", "municipality", "area", "slope",
            "steep", "reserve_share", "flood_share", "station", "tram", "car", "result",
            "score", "rank", "decide", *[f"c_{k}" for k in criteria], "notes",
        ]  # fmt: skip
        aliases = [
            lab["plot_id"], lab["name"], lab["category"], lab["status"], lab["municipality"],
            lab["area"], lab["slope"], lab["steep"], lab["reserve_share"], lab["flood_share"],
            lab["station"], lab["tram"], lab["car"], lab["result"], lab["score"], lab["rank"],
            lab["decide"], *[word("criterion", k, lang) for k in criteria], lab["notes"],
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
            popup=folium.GeoJsonPopup(
                fields=fields,
                aliases=aliases,
                localize=False,
                class_name="sr-plots-popup",
                max_width=460,
                auto_pan_padding_top_left=[10, 80],
            ),
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
        items: list[tuple[str, str] | tuple[str, str, str]] = [
            (c, word("status", str(s), lang)) for s, c in STATUS_COLOURS.items()
        ]
        subtitle = lab["sub_status"]
    else:
        title = lab["legend_score"].format(profile=profile)
        lo = 0.0
        items = []
        for hi, c in SCORE_CLASSES:
            items.append((c, f"{lo:g}–{hi:g}"))
            lo = hi
        for key in ("passes", "open", "fails"):
            colour, dash, weight = RESULT_OUTLINES[key]
            style = "dashed" if dash else "solid"
            items.append(("#ffffff", lab[key], f"{max(1, int(weight))}px {style} {colour}"))
        subtitle = lab["sub_score"].format(profile=profile)
    items.append(("#e8f1ea", lab["reserve"], f"2px dashed {RESERVE_COLOUR}"))
    count = plural(len(result), lab["plural_one"], lab["layer_plots"])
    notes = [count if len(result) else lab["no_plots"]]
    if flood is not None:
        items.append((FLOOD_COLOUR, lab["flood"]))
    else:
        notes.append(lab["no_flood"])
    add_legend(m, title, items, note=" · ".join(notes))
    _add_slope_legend(m, lab)
    add_title(m, lab["title"], subtitle)
    add_attribution(m, attribution)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend_follows_layer(m, lab["layer_slope"])
    return m


def slope_legend_items(lang: str) -> list[tuple[str, str]]:
    """Swatches of the slope layer: one per class, and grey for unknown."""
    lab = LABELS[lang]
    items: list[tuple[str, str]] = []
    lo = 0.0
    for hi, colour in SLOPE_CLASSES:
        text = f"{lo:g}–{hi:g} %" if np.isfinite(hi) else f"> {lo:g} %"
        items.append((colour, text))
        lo = hi
    items.append((UNKNOWN_COLOUR, lab["slope_unknown"]))
    return items


def _swatch(item: tuple[str, str] | tuple[str, str, str]) -> str:
    border = f";border:{html.escape(item[2])}" if len(item) > 2 else ""
    return (
        f'<div class="sr-legend-row"><span class="sr-swatch" style="background:'
        f'{html.escape(item[0])}{border}"></span>{html.escape(item[1])}</div>'
    )


def _add_slope_legend(m: folium.Map, lab: dict[str, str]) -> None:
    """A second legend for the slope layer, hidden until that layer is switched on."""
    lang = "en" if lab is LABELS["en"] else "de"
    items: list[tuple[str, str] | tuple[str, str, str]] = [*slope_legend_items(lang)]
    items.append(("#e8f1ea", lab["reserve"], f"2px dashed {RESERVE_COLOUR}"))
    rows = "".join(_swatch(i) for i in items)
    box = (
        '<div class="sr-legend leaflet-control" id="sr-legend-slope" style="display:none">'
        f'<div class="sr-legend-title">{html.escape(lab["legend_slope"])}</div>{rows}</div>'
    )
    root = m.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(Element(box))
    root.header.add_child(Element(POPUP_CSS))


def _legend_follows_layer(m: folium.Map, slope_layer: str) -> None:
    """Show the slope legend while the slope layer is on (it recolours the plots), the
    status or score legend otherwise."""
    name = json.dumps(slope_layer)
    # runs on "load": folium writes the map's own script after this one
    js = f"""
window.addEventListener("load", function() {{
  var map = {m.get_name()};
  map.getContainer().classList.add("sr-plots");
  var shown = {{}};
  function update() {{
    var slope = !!shown[{name}];
    var main = document.getElementById("sr-legend");
    var alt = document.getElementById("sr-legend-slope");
    if (main) main.style.display = slope ? "none" : "";
    if (alt) alt.style.display = slope ? "" : "none";
  }}
  map.on("overlayadd", function(e) {{ shown[String(e.name).trim()] = true; update(); }});
  map.on("overlayremove", function(e) {{ shown[String(e.name).trim()] = false; update(); }});
}});
"""
    root = m.get_root()
    assert isinstance(root, Figure)
    root.script.add_child(Element(js))


def plots_map(req: MapRequest) -> folium.Map:
    """The land-pool map of the caller's screened plots (land-pool role only).

    Parses the map's options, takes its inputs from
    :func:`geo.usecases.screening.plots_map_inputs` and draws them.

    Raises
    ------
    PermissionDeniedError
        For a caller who may not see confidential plots: this is the land-pool team's map.
    """
    by = str(req.options.get("by") or "status")
    profile_name = str(req.options.get("profile") or "housing")
    if by not in ("status", "score"):
        raise InputError(f"by must be 'status' or 'score', not {by!r}.")
    lang = req.lang if req.lang in LABELS else "de"
    inputs = plots_map_inputs(req.settings, req.viewer, profile_name, req.open_store(), lang)
    return build_plots_map(
        inputs.screening.result,
        req.settings,
        profile=inputs.screening.profile.name,
        by=by,
        municipalities=inputs.municipalities,
        reserves=inputs.reserves,
        flood=inputs.screening.flood,
        bounds=inputs.boundary,
        attribution=inputs.attributions,
        lang=lang,
        tiles=req.tiles,
    )
