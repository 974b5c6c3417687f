"""``stadtregion transit ...``: public-transport travel times from GTFS timetables."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from api.cli import app, rail
from geo import transit
from geo.errors import InputError
from geo.settings import get_settings
from geo.sources import RAIL_FILE, read_stations, read_vector
from geo.transit import io as transit_io
from geo.transit import parse_rail_query
from geo.usecases import reachability as usecase

transit_app = typer.Typer(
    help="Public transport (GTFS): reachable municipalities, matrices, scenarios, feeds.",
    no_args_is_help=True,
)
app.add_typer(transit_app, name="transit")


def _scenario(path: Path | None) -> transit.ServiceScenario | None:
    return None if path is None else transit_io.read_scenario(path)


@transit_app.command("reachable")
def reachable(
    origin: rail.From,
    date: rail.Date = None,
    window: rail.Window = None,
    depart: rail.Depart = None,
    percentile: rail.Percentile = 50,
    planned: rail.Planned = False,
    max_minutes: rail.MaxMinutes = None,
    fmt: rail.Format = "table",
    scenario: Path = typer.Option(None, "--scenario", help="Planned service (JSON file)."),
) -> None:
    """Municipalities reachable by public transport (rail) within N minutes."""
    settings = get_settings()
    query = rail.rail_query(
        settings, origin, date, window, depart, percentile, planned, max_minutes
    )
    rail.check_format(fmt)
    answer = usecase.rail_reachable(settings, query, scenario=_scenario(scenario))
    rail.echo_rail(answer.result, answer.region, fmt)


@transit_app.command("matrix")
def matrix(
    date: rail.Date = None,
    origins: list[str] = typer.Option(None, "--from", help="Origins (repeatable; default all)."),
    window: rail.Window = None,
    depart: rail.Depart = None,
    percentile: rail.Percentile = 50,
    planned: rail.Planned = False,
    max_minutes: rail.MaxMinutes = None,
    scenario: Path = typer.Option(None, "--scenario", help="Planned service (JSON file)."),
    out: Path = typer.Option(None, "--out", help="Write the long table (CSV) here."),
) -> None:
    """Municipality x municipality travel times (long table: origin_ags, ags, minutes)."""
    settings = get_settings()
    query = parse_rail_query(
        settings,
        date=date,
        window=window,
        depart=depart,
        percentile=percentile,
        planned=planned,
        max_minutes=max_minutes,
        require_origin=False,
    )
    long, tt = usecase.rail_matrix(
        settings, query, origins=origins or None, scenario=_scenario(scenario)
    )
    text = long.to_csv(index=False)
    if out is not None:
        out.write_text(text)
        typer.echo(
            f"{out}: {len(long)} pairs within {query.max_minutes:g} min "
            f"(feeds: {', '.join(tt.feeds)}; scenario: {', '.join(tt.scenarios) or 'none'}; "
            f"date {query.date.isoformat()}, "
            + (
                f"window {'-'.join(query.window)})"
                if query.window
                else f"departure {query.depart})"
            )
        )
    else:
        typer.echo(text, nl=False)


@transit_app.command("feed")
def feed_info() -> None:
    """Describe the configured feeds (validated and indexed; cached after the first run)."""
    tt = transit_io.get_timetable(get_settings())
    typer.echo(json.dumps(tt.describe(), ensure_ascii=False, indent=2))


@transit_app.command("validate")
def validate(path: Path = typer.Argument(..., help="GTFS zip or folder.")) -> None:
    """Check a GTFS feed; a broken one fails with its named error."""
    dropped = transit.validate_feed(transit_io.read_gtfs_tables(path), "refuse")
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
    target = transit_io.download_feed(
        feed_url,
        dest or settings.raw_dir / "gtfs.zip",
        connect_timeout_s=settings.connect_timeout_s,
        progress=lambda line: typer.echo(line, err=True),
    )
    typer.echo(f"{target}: downloaded and valid. Add it to STADTREGION_GTFS_FEEDS to use it.")


@transit_app.command("scenario")
def scenario_cmd(
    scenario: Path = typer.Argument(..., help="Scenario JSON (fields of ServiceScenario)."),
    out: Path = typer.Option(..., "--out", help="Write the feed merged with the scenario here."),
) -> None:
    """Write a planned service as GTFS trips merged with the configured feed (zip)."""
    settings = get_settings()
    scn = transit_io.read_scenario(scenario)
    tables = transit_io.read_feeds(transit_io.feed_paths(settings))
    lines = (
        read_vector(settings.data_dir / RAIL_FILE, "rail line geometry")
        if (scn.running_min is None)
        else None
    )
    extra = transit.scenario_tables(scn, read_stations(settings.data_dir), lines)
    merged = transit.merge_tables(tables, extra)
    transit.validate_feed(merged, settings.gtfs_bad_trips)
    transit_io.write_gtfs(merged, out)
    typer.echo(f"{out}: feed with scenario {scn.name!r} ({len(extra['trips'])} planned trips).")
