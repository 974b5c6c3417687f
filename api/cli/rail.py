"""The rail query on the command line, declared once: the options of ``reachable --mode
rail`` and ``transit reachable`` (same names, same defaults) and their output (table, CSV,
GeoJSON, JSON)."""

from __future__ import annotations

import json
from typing import Annotated

import geopandas as gpd
import typer

from geo.errors import InputError
from geo.ogc import export
from geo.settings import Settings
from geo.sources import rail_attributions
from geo.transit import RailQuery, RailReachability, parse_rail_query, rail_areas
from geo.transit.query import DEFAULT_DATE, DEFAULT_WINDOW

_DAY = DEFAULT_DATE
_WINDOW = "-".join(DEFAULT_WINDOW)

From = Annotated[
    str, typer.Option("--from", help="Origin: municipality name or AGS (car also 'lon,lat').")
]
Date = Annotated[
    str | None,
    typer.Option("--date", help=f"Service date YYYY-MM-DD (default: setting rail_date, {_DAY})."),
]
Window = Annotated[
    str | None,
    typer.Option(
        "--window",
        help=f"Departure window, every minute (default: setting rail_window, {_WINDOW}).",
    ),
]
Depart = Annotated[
    str | None, typer.Option("--depart", help="One departure HH:MM instead of a window.")
]
Percentile = Annotated[
    float, typer.Option("--percentile", help="Statistic over the window (50 = median).")
]
Planned = Annotated[
    bool, typer.Option("--planned", help="Count from the first departure (no initial wait).")
]
MaxMinutes = Annotated[
    float | None,
    typer.Option(
        "--max-minutes", help="Time limit, 1–240 minutes (default 30 by car, 60 by rail)."
    ),
]
Format = Annotated[str, typer.Option("--format", help="table, csv, geojson or json.")]

#: Output formats of the rail commands.
FORMATS = ("table", "csv", "geojson", "json")


def rail_query(
    settings: Settings,
    origin: str,
    date: str | None,
    window: str | None,
    depart: str | None,
    percentile: float,
    planned: bool,
    max_minutes: float | None,
) -> RailQuery:
    """The options as typed, parsed once (defaults from ``settings``)."""
    return parse_rail_query(
        settings,
        origin=origin,
        date=date,
        window=window,
        depart=depart,
        percentile=percentile,
        planned=planned,
        max_minutes=max_minutes,
    )


def check_format(fmt: str) -> str:
    """Refuse an unknown output format before any work is done."""
    if fmt not in FORMATS:
        raise InputError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}.")
    return fmt


def footer(res: RailReachability) -> list[str]:
    """What a rail table rests on: counts, feeds, scenario, date and window, attribution."""
    s = res.summary
    return [
        f"{s['municipalities_reached']} municipalities, population reached "
        f"{s['population_reached']:,} (unknown for {s['population_unknown']}).",
        f"Feeds: {', '.join(s['feeds'])}"
        + (f"; scenario: {', '.join(s['scenario'])}" if s["scenario_used"] else "; no scenario")
        + (f"; trips left out: {', '.join(s['dropped_trips'])}" if s["dropped_trips"] else ""),
        *(f"Not covered: {n}." for n in s["feed_notes"]),
        f"Date {s['date']}, "
        + (
            f"window {'-'.join(s['window'])}, {s['statistic']}"
            if s["window"]
            else f"departure {s['depart']}"
        )
        + (", planned departure (no initial wait)" if s["planned_departure"] else "")
        + ".",
        *not_reached_lines(res),
    ]


def not_reached_lines(res: RailReachability) -> list[str]:
    """Where trains run that day but the statistic does not reach, and how many have none."""
    s, late = res.summary, res.not_reached
    lines = []
    if late is not None and len(late):
        items = [
            f"{r['name']} ({r['departures_day']} departure"
            + ("s" if r["departures_day"] != 1 else "")
            + f" {r['first_departure']}"
            + (f"-{r['last_departure']}" if r["departures_day"] != 1 else "")
            + f", {r['ride_minutes_day']:g} min)"
            for r in late.to_dict("records")
        ]
        lines.append("Not reached in the window, though trains run that day: " + "; ".join(items))
    if "municipalities_no_train_that_day" in s:
        lines.append(
            f"{s['municipalities_no_train_that_day']} municipalities: no train that day "
            f"within {s['max_minutes']:g} min."
        )
    return lines


def echo_rail(res: RailReachability, region: gpd.GeoDataFrame, fmt: str) -> None:
    """Print a rail answer as a table (with what it rests on), CSV, GeoJSON or JSON."""
    attribution = rail_attributions(res.summary["feeds"])
    if fmt == "geojson":
        late = res.not_reached if res.not_reached is not None else res.table.iloc[:0]
        body = export.to_geojson(
            rail_areas(res, region),
            attribution,
            precision=5,
            extra={
                "summary": res.summary,
                "not_reached_in_window": json.loads(late.to_json(orient="records")),
            },
        )
        typer.echo(json.dumps(body, ensure_ascii=False, default=str))
    elif fmt == "json":
        rows = json.loads(res.table.to_json(orient="records"))
        late = res.not_reached if res.not_reached is not None else res.table.iloc[:0]
        body = {
            "summary": res.summary,
            "municipalities": rows,
            "not_reached_in_window": json.loads(late.to_json(orient="records")),
            "attribution": attribution,
        }
        typer.echo(json.dumps(body, ensure_ascii=False, default=str))
    elif fmt == "csv":
        typer.echo(export.to_csv(res.table), nl=False)
    else:
        typer.echo(export.to_table(res.table))
        for line in [*footer(res), *attribution]:
            typer.echo(line)
