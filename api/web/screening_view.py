"""What the screening page shows of a result: ranked rows, counts, map data, exports.

One list of rows (:func:`rows`) is the page's table and its CSV export; the GeoJSON
export is :func:`geo.screening.io.result_geojson`, the answer of ``POST /plots/screen``.
Reasons come from the screening in the page's language (:mod:`geo.vocabulary`).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo import sources
from geo.screening.criteria import OUTCOMES, criteria_of, summary
from geo.screening.io import result_geojson
from geo.settings import WEB_CRS, Settings
from geo.usecases.region import region as region_model
from geo.usecases.screening import Screening
from geo.vocabulary import number, word

#: Fill colour of each outcome on the map and in its legend.
OUTCOME_COLOURS = {"passes": "#1a9850", "open": "#f39c12", "fails": "#c0392b"}
CONTEXT_COLOUR = "#7a7a7a"
#: Columns of the table's CSV before the criteria (``pass_<key>``, ``reason_<key>``).
ROW_COLUMNS = (
    "plot_id",
    "rank",
    "name",
    "municipality",
    "ags",
    "area_ha",
    "score",
    "outcome",
    "outcome_label",
)


@dataclass
class ResultView:
    """A screening as the page shows it (see :func:`result_view`)."""

    profile: str
    criteria: list[str]
    rows: list[dict[str, Any]]
    counts: dict[str, int]
    legend: list[tuple[str, str]]
    map_data: dict[str, Any]
    attribution: list[str]
    csv_href: str = ""
    geojson_href: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _value(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value.item() if hasattr(value, "item") else value


def rows(result: gpd.GeoDataFrame, criteria: list[str]) -> list[dict[str, Any]]:
    """The ranked plots: :data:`ROW_COLUMNS`, per criterion ``pass_<key>`` and
    ``reason_<key>``, ``decide`` (what would decide an open plot) and ``failed`` (the
    keys of the criteria that failed, comma-separated)."""
    wanted = [*ROW_COLUMNS, *(f"{p}_{k}" for k in criteria for p in ("pass", "reason"))]
    columns = [c for c in (*wanted, "decide", "failed") if c in result.columns]
    out = []
    for rec in pd.DataFrame(result[columns]).to_dict("records"):
        row: dict[str, Any] = {k: _value(rec.get(k)) for k in ROW_COLUMNS}
        row["rank"] = None if row["rank"] is None else int(row["rank"])
        row["area_ha"] = None if row["area_ha"] is None else round(float(row["area_ha"]), 2)
        row["score"] = None if row["score"] is None else round(float(row["score"]), 1)
        for key in ("outcome", "outcome_label"):
            row[key] = str(row[key])
        for key in criteria:
            row[f"pass_{key}"] = str(rec[f"pass_{key}"])
            row[f"reason_{key}"] = str(rec[f"reason_{key}"])
        row["decide"] = str(_value(rec.get("decide")) or "")
        row["failed"] = str(_value(rec.get("failed")) or "")
        out.append(row)
    return out


def csv_columns(criteria: list[str]) -> list[str]:
    """The columns of the CSV export (the table's) and ``attribution``."""
    per = [c for k in criteria for c in (f"pass_{k}", f"reason_{k}")]
    return [*ROW_COLUMNS, *per, "failed", "decide", "attribution"]


def csv_text(view: ResultView) -> str:
    """The table as CSV (plain codes and numbers; reasons in the page's language)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = csv_columns(view.criteria)
    writer.writerow(columns)
    credit = "; ".join(view.attribution)
    for r in view.rows:
        writer.writerow(["" if r.get(c) is None else r[c] for c in columns[:-1]] + [credit])
    return buf.getvalue()


def geojson_doc(done: Screening) -> dict[str, Any]:
    """The result as ``POST /plots/screen`` answers it (GeoJSON, EPSG:4326)."""
    if done.result.empty:
        return {
            "type": "FeatureCollection",
            "features": [],
            "profile": done.profile.name,
            "summary": {"passes": 0, "open": 0, "fails": 0, "total": 0},
            "attribution": list(done.attributions),
        }
    return result_geojson(done.result)


def _features(
    frame: gpd.GeoDataFrame, props: list[dict[str, Any]], tolerance: float
) -> dict[str, Any]:
    geoms = frame.geometry.simplify(tolerance).to_crs(WEB_CRS).to_numpy()
    geoms = shapely.set_precision(geoms, 1e-5)
    feats = [
        {"type": "Feature", "properties": p, "geometry": json.loads(shapely.to_geojson(g))}
        for p, g in zip(props, geoms, strict=True)
    ]
    return {"type": "FeatureCollection", "features": feats}


def map_data(
    settings: Settings, done: Screening, table: list[dict[str, Any]], lang: str
) -> dict[str, Any]:
    """The map: the plots coloured by outcome over the borders of their municipalities."""
    result = done.result
    layers: list[dict[str, Any]] = []
    if len(result):
        region = region_model(settings).model
        around = shapely.box(*result.total_bounds).buffer(1000)
        near = region[region.intersects(around)]
        layers.append(
            {
                "name": word("screening_page", "layer_context", lang),
                "geojson": _features(near, [{"name": str(n)} for n in near["name"]], 50.0),
                "color": CONTEXT_COLOUR,
                "weight": 1,
                "fill_opacity": 0.0,
                "popup": ["name"],
                "labels": {"name": word("screening_page", "col_municipality", lang)},
            }
        )
    props = [
        {
            "name": r["name"] or r["plot_id"],
            "plot_id": r["plot_id"],
            "outcome": r["outcome"],
            "result": r["outcome_label"],
            "score": number(r["score"], 1, lang),
            "rank": "–" if r["rank"] is None else str(r["rank"]),
        }
        for r in table
    ]
    labels = {
        "name": word("screening_page", "col_plot", lang),
        "plot_id": "ID",
        "result": word("screening_page", "col_outcome", lang),
        "score": word("screening_page", "col_score", lang),
        "rank": word("screening_page", "col_rank", lang),
    }
    layers.append(
        {
            "name": word("screening_page", "layer_plots", lang),
            "geojson": _features(result, props, 1.0),
            "color_property": "outcome",
            "colors": OUTCOME_COLOURS,
            "fill_opacity": 0.6,
            "popup": ["name", "plot_id", "result", "score", "rank"],
            "labels": labels,
        }
    )
    return {
        "tiles": settings.tiles_url,
        "attribution": settings.tiles_attribution,
        "layers": layers,
    }


def result_view(settings: Settings, done: Screening, lang: str) -> ResultView:
    """The page's view of a :func:`geo.usecases.screening.screen_plots` result."""
    criteria = criteria_of(done.profile)
    result = done.result
    table = rows(result, criteria) if len(result) else []
    counts = (
        summary(result) if "outcome" in result.columns else {o: 0 for o in OUTCOMES} | {"total": 0}
    )
    legend = [(OUTCOME_COLOURS[o], f"{word('outcome', o, lang)} ({counts[o]})") for o in OUTCOMES]
    attribution = list(
        dict.fromkeys([*sources.attributions([sources.VG250_FILE, "osm"]), *done.attributions])
    )
    return ResultView(
        profile=done.profile.name,
        criteria=criteria,
        rows=table,
        counts=counts,
        legend=legend,
        map_data=map_data(settings, done, table, lang),
        attribution=attribution,
    )
