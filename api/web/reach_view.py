"""What the reachability page shows of an answer: table rows, sums, map data, notes, CSV.

One list of rows (:func:`rows`) is the page's table, its CSV download and the reached
layer of its map, so the three cannot disagree. Words come from the vocabulary
(groups ``reach`` and ``reach_trend``), numbers are written the way the language does;
the CSV keeps plain values (codes, decimal points) for other software.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import modes, sources, transit
from geo.region.model import REGION_SOURCES
from geo.region.validation import FEED_GAPS_DE
from geo.settings import WEB_CRS, WORK_CRS, Settings
from geo.usecases import reachability as usecase
from geo.usecases.region import region as region_model
from geo.vocabulary import number, word
from maps.reachable import MINUTE_COLOURS, OUTSIDE_COLOUR

if TYPE_CHECKING:
    from api.web.reachability import ReachQuery

#: Columns of the table and of its CSV (the columns of ``GET /reachable`` it shows).
ROW_COLUMNS = (
    "ags",
    "name",
    "district",
    "minutes",
    "population",
    "change_pct_per_year",
    "trend_class",
)
CONTEXT_COLOUR = "#8a8a8a"
ORIGIN_COLOUR = "#111111"
#: Display simplification of municipality areas (m) and coordinate precision (degrees).
SIMPLIFY_M = 80.0
PRECISION_DEG = 1e-4
#: Margin around what was reached for the municipalities drawn as context (m).
CONTEXT_MARGIN_M = 12_000.0
#: Radius of the pick map around the default origin (m).
PICK_RADIUS_M = 25_000.0


@dataclass
class ResultView:
    """An answer as the page shows it (see :func:`result_view`)."""

    origin: str
    mode: str
    max_minutes: float
    rows: list[dict[str, Any]]
    sums: dict[str, Any]
    legend: list[tuple[str, str]]
    map_data: dict[str, Any]
    notes: dict[str, Any]
    attribution: list[str]
    outside: list[dict[str, Any]] = field(default_factory=list)
    csv_href: str = ""
    geojson_href: str = ""


def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def rows(result: modes.Reachable) -> list[dict[str, Any]]:
    """The reached municipalities, by minutes: :data:`ROW_COLUMNS`, ``None`` where the
    data holds nothing (population, trend rate); the trend rate to 2 decimals."""
    out = []
    for rec in result.table[list(ROW_COLUMNS)].to_dict("records"):
        row = {k: _plain(rec[k]) for k in ROW_COLUMNS}
        if row["change_pct_per_year"] is not None:
            row["change_pct_per_year"] = round(float(row["change_pct_per_year"]), 2)
        row["trend_class"] = row["trend_class"] or "unknown"
        out.append(row)
    return out


def minute_classes(max_minutes: float) -> list[tuple[float, float]]:
    """The map's classes ``(from, to]`` (the breaks of the reachable map)."""
    breaks = usecase.isochrone_cuts(max_minutes)
    return list(zip([0.0, *breaks[:-1]], breaks, strict=True))


def _class_of(minutes: float, classes: list[tuple[float, float]]) -> int:
    return next((i for i, (_, hi) in enumerate(classes) if minutes <= hi), len(classes) - 1)


def _class_label(lo: float, hi: float, lang: str) -> str:
    return f"{number(lo, 0, lang)}–{number(hi, 0, lang)} {word('reach', 'unit_min', lang)}"


def _web_geometries(geoms: gpd.GeoSeries) -> list[dict[str, Any]]:
    shown = geoms.simplify(SIMPLIFY_M).to_crs(WEB_CRS).to_numpy()
    return [json.loads(shapely.to_geojson(g)) for g in shapely.set_precision(shown, PRECISION_DEG)]


def _collection(frame: gpd.GeoDataFrame, props: list[dict[str, Any]]) -> dict[str, Any]:
    feats = [
        {"type": "Feature", "properties": p, "geometry": g}
        for p, g in zip(props, _web_geometries(frame.geometry), strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}


#: The display geometries of the last region model seen (its ``id`` and AGS -> GeoJSON):
#: the model is loaded once per process, so its shapes are simplified once.
_SHAPES: dict[str, Any] = {"id": None, "by_ags": {}}


def _shapes(region: gpd.GeoDataFrame) -> dict[str, dict[str, Any]]:
    if _SHAPES["id"] != id(region):
        ags = region["ags"].astype(str).tolist()
        _SHAPES["by_ags"] = dict(zip(ags, _web_geometries(region.geometry), strict=True))
        _SHAPES["id"] = id(region)
    shapes: dict[str, dict[str, Any]] = _SHAPES["by_ags"]
    return shapes


def _municipalities(
    region: gpd.GeoDataFrame, ags: list[str], props: list[dict[str, Any]]
) -> dict[str, Any]:
    """Municipalities of the region model by AGS as a FeatureCollection (display shapes)."""
    shapes = _shapes(region)
    feats = [
        {"type": "Feature", "properties": p, "geometry": shapes[a]}
        for a, p in zip(ags, props, strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}


def _point(xy: np.ndarray, label: str) -> dict[str, Any]:
    pt = gpd.GeoSeries(gpd.points_from_xy([xy[0, 0]], [xy[0, 1]]), crs=WORK_CRS)
    lonlat = pt.to_crs(WEB_CRS).iloc[0]
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": label},
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(lonlat.x, 5), round(lonlat.y, 5)],
                },
            }
        ],
    }


def _context_layer(
    region: gpd.GeoDataFrame, within: Any, skip: set[str], lang: str
) -> dict[str, Any]:
    xy = modes.centre_xy(region)
    inside = shapely.contains_xy(within, xy[:, 0], xy[:, 1]) & ~region["ags"].isin(skip).to_numpy()
    near = region[inside]
    props = [
        {"name": str(n), "district": str(d)}
        for n, d in zip(near["name"], near["district"], strict=True)
    ]
    return {
        "name": word("reach", "layer_context", lang),
        "geojson": _municipalities(region, near["ags"].astype(str).tolist(), props),
        "color": CONTEXT_COLOUR,
        "weight": 1,
        "fill_opacity": 0.04,
        "popup": ["name", "district"],
        "labels": {
            "name": word("reach", "col_name", lang),
            "district": word("reach", "col_district", lang),
        },
    }


def _map(settings: Settings, layers: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "tiles": settings.tiles_url,
        "attribution": settings.tiles_attribution,
        "layers": layers,
    }


def pick_map(settings: Settings, lang: str) -> dict[str, Any]:
    """The map of the empty form: the municipalities around the default origin, to click."""
    region = region_model(settings).model
    origin = modes.resolve_origin(region, usecase.MAP_ORIGIN)
    around = shapely.Point(origin.xy[0]).buffer(PICK_RADIUS_M)
    return _map(settings, [_context_layer(region, around, set(), lang)])


def _sums(summary: dict[str, Any], count: int) -> dict[str, Any]:
    keys = (
        "population_reached",
        "population_year",
        "population_unknown",
        "population_in_successor",
    )
    return {"count": count, **{k: summary.get(k) for k in keys}}


def _notes(settings: Settings, found: usecase.ReachableAnswer, lang: str) -> dict[str, Any]:
    s = found.result.summary
    notes: dict[str, Any] = {"mode": s["mode"]}
    if s["mode"] == "car":
        notes["network"] = s.get("network")
        notes["network_note"] = found.network_note
        notes["snap_m"] = s.get("origin_snap_dist_m")
    else:
        notes["feeds"] = feed_gaps(s.get("feeds", []), lang)
        notes["query"] = s.get("query", {})
        notes["dropped_trips"] = list(s.get("dropped_trips", []))
        notes["no_train"] = s.get("municipalities_no_train_that_day", 0)
        notes["not_in_window"] = s.get("municipalities_not_in_window", 0)
        late = s.get("not_reached_in_window", [])
        notes["late_names"] = [str(r.get("name", r.get("ags", ""))) for r in late]
    return notes


def feed_gaps(feeds: list[str] | tuple[str, ...], lang: str) -> list[dict[str, str | None]]:
    """Per feed what it does not cover (:data:`geo.transit.FEED_NOTES`; German where
    the validation report has the words) and the language of that text."""
    out: list[dict[str, str | None]] = []
    for f in feeds:
        german = FEED_GAPS_DE.get(f) if lang == "de" else None
        gap = german or transit.FEED_NOTES.get(f)
        out.append({"name": f, "gap": gap, "gap_lang": "de" if german else "en"})
    return out


def _attribution(found: usecase.ReachableAnswer) -> list[str]:
    s = found.result.summary
    if s["mode"] == "rail":
        return [*sources.attributions(REGION_SOURCES), *sources.feed_attributions(s["feeds"])]
    return sources.attributions([*REGION_SOURCES, "osm"])


def result_view(
    settings: Settings, query: ReachQuery, found: usecase.ReachableAnswer, lang: str
) -> ResultView:
    """The page's view of an answer of :func:`geo.usecases.reachability.reachable`."""
    result, region = found.result, found.region
    s = result.summary
    limit = float(s["max_minutes"])
    table = rows(result)
    classes = minute_classes(limit)
    by_ags = region.set_index(region["ags"].astype(str), drop=False)
    unknown = word("text", "unknown", lang)
    props = [
        {
            "name": r["name"],
            "minutes": f"{number(r['minutes'], 1, lang)} {word('reach', 'unit_min', lang)}",
            "population": number(r["population"], 0, lang),
            "trend": word("reach_trend", r["trend_class"], lang),
            "class": str(_class_of(float(r["minutes"]), classes)),
        }
        for r in table
    ]
    labels = {
        "name": word("reach", "col_name", lang),
        "minutes": word("reach", "col_minutes", lang),
        "population": word("reach", "col_population", lang),
        "trend": word("reach", "col_trend", lang),
        "note": word("reach", "outside_h", lang),
    }
    origin = modes.resolve_origin(region, query.origin)
    out_ags = [str(a) for a in result.outside["ags"]]
    layers: list[dict[str, Any]] = []
    shown = [*out_ags, *(r["ags"] for r in table)]
    xy = np.vstack([origin.xy, modes.centre_xy(by_ags.loc[shown])]) if shown else origin.xy
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    context_box = shapely.box(x0, y0, x1, y1).buffer(CONTEXT_MARGIN_M)
    layers.append(_context_layer(region, context_box, set(shown), lang))
    outside_rows: list[dict[str, Any]] = []
    if out_ags:
        # one dissolved area: the list under the table names each municipality
        area = shapely.coverage_union_all(by_ags.loc[out_ags].geometry.to_numpy())
        out = gpd.GeoDataFrame(geometry=[area], crs=region.crs)
        count = (
            f"{len(out_ags)} {word('reach', 'mun_one' if len(out_ags) == 1 else 'mun_many', lang)}"
        )
        layers.append(
            {
                "name": word("reach", "layer_outside", lang),
                "geojson": _collection(out, [{"name": count, "note": unknown}]),
                "color": OUTSIDE_COLOUR,
                "weight": 1,
                "dash": "4 3",
                "fill_opacity": 0.3,
                "popup": ["name", "note"],
                "labels": {**labels, "name": word("reach", "layer_outside", lang)},
            }
        )
        outside_rows = [
            {"name": str(n), "district": str(d), "straight_km": float(k)}
            for n, d, k in zip(
                result.outside["name"],
                result.outside["district"],
                result.outside["straight_km"],
                strict=True,
            )
        ]
    layers.append(
        {
            "name": word("reach", "layer_reached", lang),
            "geojson": _municipalities(region, [r["ags"] for r in table], props),
            "color_property": "class",
            "colors": {
                str(i): MINUTE_COLOURS[i % len(MINUTE_COLOURS)] for i in range(len(classes))
            },
            "fill_opacity": 0.7,
            "weight": 1,
            "popup": ["name", "minutes", "population", "trend"],
            "labels": labels,
        }
    )
    layers.append(
        {
            "name": word("reach", "layer_origin", lang),
            "geojson": _point(origin.xy, origin.label),
            "color": ORIGIN_COLOUR,
            "popup": ["name"],
            "labels": {"name": word("reach", "legend_origin", lang)},
        }
    )
    legend = [
        (MINUTE_COLOURS[i % len(MINUTE_COLOURS)], _class_label(lo, hi, lang))
        for i, (lo, hi) in enumerate(classes)
    ]
    if out_ags:
        legend.append((OUTSIDE_COLOUR, word("reach", "legend_outside", lang)))
    legend.append(("#ffffff", word("reach", "legend_context", lang)))
    if isinstance(query.origin, tuple):
        lon, lat = query.origin
        label = word("reach", "point_label", lang).format(
            lat=number(lat, 5, lang), lon=number(lon, 5, lang)
        )
    else:
        label = origin.label
    return ResultView(
        origin=label,
        mode=str(s["mode"]),
        max_minutes=limit,
        rows=table,
        sums=_sums(s, len(table)),
        legend=legend,
        map_data=_map(settings, layers),
        notes=_notes(settings, found, lang),
        attribution=_attribution(found),
        outside=outside_rows,
    )


def origin_options(region: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """``(value, label)`` of the origin suggestions: every municipality by name, with its
    district; a name several municipalities share is offered by AGS (it finds one)."""
    names = region["name"].astype(str)
    shared = set(names[names.duplicated(keep=False)])
    out = [
        (a if n in shared else n, f"{n} ({d})" if n in shared else str(d))
        for n, a, d in zip(
            names, region["ags"].astype(str), region["district"].astype(str), strict=True
        )
    ]
    return sorted(out, key=lambda o: (o[0].casefold(), o[1]))


def csv_text(view: ResultView) -> str:
    """The table as CSV: :data:`ROW_COLUMNS` (empty where unknown) and ``attribution``."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*ROW_COLUMNS, "attribution"])
    credit = "; ".join(view.attribution)
    for r in view.rows:
        writer.writerow([*("" if r[k] is None else r[k] for k in ROW_COLUMNS), credit])
    return buf.getvalue()


_ASCII = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def file_stem(query: ReachQuery, found: usecase.ReachableAnswer) -> str:
    """A file name for a download: ``erreichbarkeit-<origin>-<mode>-<minutes>min``."""
    text = str(found.result.summary["origin"]).translate(_ASCII)
    origin = re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")
    minutes = f"{float(found.result.summary['max_minutes']):g}"
    return f"erreichbarkeit-{origin or 'start'}-{query.mode}-{minutes}min".lower()
