"""The validation report page: published figures beside those the maps show.

The computed minutes are the ones the region and forum maps show
(:func:`maps.minutes.jena_minutes`: :func:`geo.transit.reachable_rail` and
:func:`geo.roads.engine.reachable`, same date, window and network), so the report explains the
numbers a planner sees. Car minutes to the nearest long-distance station (INKAR's IC/ICE
measure) come from :func:`geo.usecases.region.ic_car_minutes`, only when every feed is
long-distance only (:data:`LONG_DISTANCE_FEEDS`). The table
itself is the pure :func:`geo.region.validation.validation_table`; this module gathers its inputs
and renders it as text, CSV, JSON or an HTML page.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.errors import InputError
from geo.ogc.export import to_csv as csv
from geo.ogc.export import to_table
from geo.region import validation
from geo.region.model import REGION_SOURCES
from geo.region.published import INKAR_SOURCE, INKAR_SOURCE_EN
from geo.settings import Settings
from geo.usecases import region as region_uc
from maps import minutes as jm
from maps.region import REPORT_PATH

#: Feeds whose stops are all IC/EC/ICE stations (INKAR's "every system stop of DB").
LONG_DISTANCE_FEEDS = region_uc.LONG_DISTANCE_FEEDS
#: Output formats of the report.
FORMATS = ("table", "csv", "html", "json")


@dataclass(frozen=True)
class Report:
    """The validation table and what it was made from."""

    table: pd.DataFrame
    lang: str
    attribution: list[str]
    notes: list[str]


def computed_figures(
    settings: Settings, region: gpd.GeoDataFrame, lang: str = "de"
) -> tuple[validation.Computed, list[str]]:
    """The computed minutes the report compares with (those of the region map).

    Returns the figures and the attributions of the timetable and road network used.
    """
    minutes = jm.jena_minutes(settings, region)
    feeds = region_uc.timetable_feeds(settings)
    note = minutes.rail_note
    if lang == "en":
        note = note.replace("Abfahrt", "departures").replace("Median", "median")
    basis = f"{', '.join(feeds)}: {note}"
    figures = validation.Computed(
        rail_minutes=minutes.rail,
        car_minutes=minutes.car,
        car_covered=minutes.car_covered,
        ic_car_minutes=region_uc.ic_car_minutes(settings, region, feeds),
        rail_basis=basis,
        rail_feed_notes=minutes.rail_feed_notes,
        car_network=minutes.car_network,
        rail_feeds=feeds,
    )
    return figures, list(minutes.attribution)


def build_report(settings: Settings, lang: str = "de") -> Report:
    """Gather the region model (:func:`geo.usecases.region.region`) and the computed
    minutes; build the validation table."""
    if lang not in validation.LABELS:
        raise InputError(f"lang must be de or en, not {lang!r}.")
    region = region_uc.region(settings).model
    computed, attr = computed_figures(settings, region, lang)
    table = validation.validation_table(region, computed, lang)
    attribution = sources.attributions(REGION_SOURCES)
    attribution += [a for a in attr if a not in attribution]
    tol = validation.TOLERANCES[lang]
    notes = [tol["population"], tol["trend"], tol["minutes"], tol["highlight"]]
    notes.append(INKAR_SOURCE if lang == "de" else INKAR_SOURCE_EN)
    return Report(table, lang, attribution, notes)


# -- rendering ---------------------------------------------------------------------------


def _plain(v: Any) -> Any:
    """A JSON-safe scalar (NaN and NA become ``None``)."""
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float | np.floating):
        return None if np.isnan(v) else float(v)
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def to_json(report: Report) -> dict[str, Any]:
    """The report as a JSON object: rows (codes and labels), counts, tolerances, sources."""
    lab = validation.LABELS[report.lang]
    rows = [
        {k: _plain(v) for k, v in rec.items()} for rec in report.table.to_dict(orient="records")
    ]
    for row in rows:
        row["measure_label"] = lab.get(str(row["measure"]), str(row["measure"]))
    return {
        "title": lab["title"],
        "lang": report.lang,
        "numberReturned": len(rows),
        "counts": validation.reason_counts(report.table),
        "reasons": {r: lab[r] for r in validation.REASONS},
        "notes": report.notes,
        "rows": rows,
        "attribution": report.attribution,
        "links": [
            {
                "href": f"{REPORT_PATH}?f=html&lang={report.lang}",
                "rel": "alternate",
                "type": "text/html",
                "title": lab["title"],
            }
        ],
    }


#: Decimal places shown per measure (population whole people, minutes and % one place).
DIGITS = {"population": 0}


def _number(v: Any, digits: int, lang: str, sign: bool = False) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return "–"
    s = f"{float(v):{'+' if sign else ''},.{digits}f}"
    if lang == "de":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def _display(report: Report) -> pd.DataFrame:
    """The labelled table with numbers as text in the report's language."""
    t = report.table
    out = validation.labelled(t, report.lang)
    lab = validation.LABELS[report.lang]
    digits = [DIGITS.get(str(m), 1) for m in t["measure"]]
    for col, sign in (("published", False), ("computed", False), ("difference", True)):
        out[lab[f"col_{col}"]] = [
            _number(v, d, report.lang, sign) for v, d in zip(t[col], digits, strict=True)
        ]
    out[lab["col_difference_pct"]] = [_number(v, 1, report.lang, True) for v in t["difference_pct"]]
    return out


def to_text(report: Report) -> str:
    """An aligned text table for people, counts and sources below it."""
    lab = validation.LABELS[report.lang]
    shown = _display(report).drop(columns=[lab["col_published_basis"], lab["col_computed_basis"]])
    counts = validation.reason_counts(report.table)
    summary = (
        ", ".join(f"{lab[r]}: {counts[r]}" for r in validation.REASONS)
        + f" ({counts['highlighted']} hervorgehoben)" * (report.lang == "de")
        + (f" ({counts['highlighted']} highlighted)" * (report.lang == "en"))
    )
    tail = [summary, *report.notes, *report.attribution]
    return f"{lab['title']}\n\n" + to_table(shown, tail)


def to_csv(report: Report) -> str:
    """CSV with display headers; attributions and tolerances as leading ``#`` lines."""
    return csv(validation.labelled(report.table, report.lang), [*report.notes, *report.attribution])


REASON_COLOURS = {
    "same": "#d9f0d3",
    "other_year": "#fff2cc",
    "other_territory": "#fde0c5",
    "other_network": "#dbe9f6",
    "not_computable": "#eeeeee",
    "unexplained": "#f4cccc",
}


def to_html(report: Report) -> str:
    """A self-contained HTML page (no scripts, inline styles) for people."""
    lab = validation.LABELS[report.lang]
    esc = html.escape
    table = report.table
    shown = _display(report)
    counts = validation.reason_counts(table)
    other = "en" if report.lang == "de" else "de"
    head = "".join(f"<th>{esc(str(c))}</th>" for c in shown.columns)
    body = []
    for (_, row), (_, code) in zip(shown.iterrows(), table.iterrows(), strict=True):
        cls = "hl" if bool(code["highlight"]) else ""
        colour = REASON_COLOURS.get(str(code["reason"]), "#ffffff")
        cells = []
        for col, v in row.items():
            text = "–" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
            style = f' style="background:{colour}"' if col == lab["col_reason"] else ""
            cells.append(f"<td{style}>{esc(text)}</td>")
        body.append(
            f'<tr class="{cls}" data-reason="{esc(str(code["reason"]))}">'
            + "".join(cells)
            + "</tr>"
        )
    summary = "".join(
        f'<li><span class="sw" style="background:{REASON_COLOURS[r]}"></span>'
        f"{esc(lab[r])}: <b>{counts[r]}</b></li>"
        for r in validation.REASONS
    )
    hl = {
        "de": "hervorgehoben (ungeklärt, über 25 %)",
        "en": "highlighted (unexplained, over 25 %)",
    }
    notes = "".join(f"<li>{esc(n)}</li>" for n in report.notes)
    attribution = "".join(f"<li>{esc(a)}</li>" for a in report.attribution)
    back = {"de": "zur Regionskarte", "en": "to the region map"}[report.lang]
    switch = {"de": "English", "en": "Deutsch"}[report.lang]
    return f"""<!DOCTYPE html>
<html lang="{report.lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{esc(lab["title"])}</title>
<style>
body {{ font: 14px/1.4 Arial, Helvetica, sans-serif; margin: 16px 24px; color: #222; }}
h1 {{ font-size: 20px; margin: 0 0 8px; }}
table {{ border-collapse: collapse; margin: 12px 0; font-size: 12.5px; }}
th, td {{ border: 1px solid #bbb; padding: 3px 6px; vertical-align: top; text-align: left; }}
th {{ background: #f0f0f0; }}
tr.hl td {{ outline: 2px solid #c00; font-weight: bold; }}
ul.counts {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 14px; }}
.sw {{ display: inline-block; width: 14px; height: 10px; border: 1px solid #777;
  margin-right: 5px; }}
.small {{ font-size: 12px; color: #444; }}
</style></head><body>
<nav class="small"><a href="/maps/region.html?lang={report.lang}">{esc(back)}</a> ·
<a href="{REPORT_PATH}?f=html&amp;lang={other}">{switch}</a> ·
<a href="{REPORT_PATH}?f=json&amp;lang={report.lang}">JSON</a></nav>
<h1>{esc(lab["title"])}</h1>
<ul class="counts">{summary}<li>{esc(hl[report.lang])}: <b>{counts["highlighted"]}</b></li></ul>
<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>
<ul class="small">{notes}</ul>
<ul class="small">{attribution}</ul>
</body></html>
"""


def render(report: Report, fmt: str) -> str:
    """Render the report as ``table``, ``csv``, ``html`` or ``json`` text."""
    if fmt == "table":
        return to_text(report)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "html":
        return to_html(report)
    if fmt == "json":
        return json.dumps(to_json(report), ensure_ascii=False, indent=1)
    raise InputError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
