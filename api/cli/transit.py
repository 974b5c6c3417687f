"""``stadtregion transit ...``: public-transport travel times from GTFS timetables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import typer

from api.cli import app
from geo import gtfs_io, transit
from geo.build import load_region
from geo.errors import InputError
from geo.settings import get_settings
from geo.sources import rail_attributions

transit_app = typer.Typer(
    help="Public transport (GTFS): reachable municipalities, matrices, scenarios, feeds.",
    no_args_is_help=True,
)
app.add_typer(transit_app, name="transit")


def _timetable(scenario: Path | None) -> transit.Timetable:
    settings = get_settings()
    if scenario is None:
        return gtfs_io.get_timetable(settings)
    return gtfs_io.timetable_with_scenario(settings, gtfs_io.read_scenario(scenario))


def _echo_frame(df: pd.DataFrame, fmt: str, footer: list[str]) -> None:
    if fmt == "csv":
        typer.echo(df.to_csv(index=False), nl=False)
    elif fmt == "json":
        typer.echo(df.to_json(orient="records", force_ascii=False))
    elif fmt == "table":
        typer.echo(df.to_string(index=False))
    else:
        raise InputError(f"format must be table, csv or json, not {fmt!r}.")
    if fmt == "table":
        for line in footer:
            typer.echo(line)


@transit_app.command("reachable")
def reachable(
    origin: str = typer.Option("Jena", "--from", help="Origin municipality (name or AGS)."),
    max_minutes: float = typer.Option(60, "--max-minutes", help="Time limit in minutes."),
    date: str = typer.Option(..., "--date", help="Service date, YYYY-MM-DD."),
    window: str = typer.Option(None, "--window", help="Departure window, e.g. 07:00-08:00."),
    depart: str = typer.Option("08:00", "--depart", help="Single departure (no window)."),
    percentile: float = typer.Option(50, "--percentile", help="Statistic over the window."),
    planned: bool = typer.Option(False, "--planned", help="Count from the first departure."),
    scenario: Path = typer.Option(None, "--scenario", help="Planned service (JSON file)."),
    fmt: str = typer.Option("table", "--format", help="table, csv or json."),
) -> None:
    """Municipalities reachable by public transport (rail) within N minutes."""
    tt = _timetable(scenario)
    region, _ = load_region(get_settings())
    res = transit.reachable_rail(
        tt,
        region,
        origin,
        max_minutes,
        date,
        window=transit.parse_window(window),
        depart=depart,
        percentile=percentile,
        planned=planned,
    )
    s = res.summary
    footer = [
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
        + (", planned departure (no initial wait)" if planned else "")
        + ".",
        *rail_attributions(s["feeds"]),
    ]
    if fmt == "json":
        typer.echo(
            json.dumps(
                {"summary": s, "municipalities": json.loads(res.table.to_json(orient="records"))},
                ensure_ascii=False,
            )
        )
        return
    _echo_frame(res.table, fmt, footer)


@transit_app.command("matrix")
def matrix(
    max_minutes: float = typer.Option(60, "--max-minutes"),
    date: str = typer.Option(..., "--date", help="Service date, YYYY-MM-DD."),
    origins: list[str] = typer.Option(None, "--from", help="Origins (repeatable; default all)."),
    window: str = typer.Option(None, "--window", help="Departure window, e.g. 07:00-08:00."),
    depart: str = typer.Option("08:00", "--depart"),
    percentile: float = typer.Option(50, "--percentile"),
    planned: bool = typer.Option(False, "--planned"),
    scenario: Path = typer.Option(None, "--scenario", help="Planned service (JSON file)."),
    out: Path = typer.Option(None, "--out", help="Write the long table (CSV) here."),
) -> None:
    """Municipality x municipality travel times (long table: origin_ags, ags, minutes)."""
    tt = _timetable(scenario)
    region, _ = load_region(get_settings())
    long = transit.reachable_many(
        tt,
        region,
        max_minutes,
        date,
        origins=origins or None,
        window=transit.parse_window(window),
        depart=depart,
        percentile=percentile,
        planned=planned,
    )
    text = long.to_csv(index=False)
    if out is not None:
        out.write_text(text)
        typer.echo(
            f"{out}: {len(long)} pairs within {max_minutes:g} min "
            f"(feeds: {', '.join(tt.feeds)}; scenario: {', '.join(tt.scenarios) or 'none'})"
        )
    else:
        typer.echo(text, nl=False)


@transit_app.command("feed")
def feed_info() -> None:
    """Describe the configured feeds (validated and indexed; cached after the first run)."""
    tt = gtfs_io.get_timetable(get_settings())
    typer.echo(json.dumps(tt.describe(), ensure_ascii=False, indent=2))


@transit_app.command("validate")
def validate(path: Path = typer.Argument(..., help="GTFS zip or folder.")) -> None:
    """Check a GTFS feed; a broken one fails with its named error."""
    dropped = transit.validate_feed(gtfs_io.read_gtfs_tables(path), "refuse")
    typer.echo(
        f"{path}: valid GTFS for routing" + (f" ({len(dropped)} dropped)" if dropped else "")
    )


@transit_app.command("download")
def download(
    url: str = typer.Option(
        None, "--url", help="Feed URL (default STADTREGION_GTFS_DOWNLOAD_URL)."
    ),
    dest: Path = typer.Option(None, "--dest", help="Where to save (default data/raw/gtfs.zip)."),
) -> None:
    """Download a GTFS feed from a configured URL, validate it, then keep it."""
    settings = get_settings()
    feed_url = url or settings.gtfs_download_url
    if not feed_url:
        raise InputError("no feed URL: give --url or set STADTREGION_GTFS_DOWNLOAD_URL.")
    target = gtfs_io.download_feed(feed_url, dest or settings.raw_dir / "gtfs.zip")
    typer.echo(f"{target}: downloaded and valid. Add it to STADTREGION_GTFS_FEEDS to use it.")


@transit_app.command("scenario")
def scenario_cmd(
    scenario: Path = typer.Argument(..., help="Scenario JSON (fields of ServiceScenario)."),
    out: Path = typer.Option(..., "--out", help="Write the feed merged with the scenario here."),
) -> None:
    """Write a planned service as GTFS trips merged with the configured feed (zip)."""
    settings = get_settings()
    scn = gtfs_io.read_scenario(scenario)
    from geo.sources import RAIL_FILE, read_stations, read_vector

    tables = gtfs_io.read_feeds(gtfs_io.feed_paths(settings))
    lines = (
        read_vector(settings.data_dir / RAIL_FILE, "rail line geometry")
        if (scn.running_min is None)
        else None
    )
    extra = transit.scenario_tables(scn, read_stations(settings.data_dir), lines)
    merged = transit.merge_tables(tables, extra)
    transit.validate_feed(merged, settings.gtfs_bad_trips)
    gtfs_io.write_gtfs(merged, out)
    typer.echo(f"{out}: feed with scenario {scn.name!r} ({len(extra['trips'])} planned trips).")
