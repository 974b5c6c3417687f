"""``stadtregion batch ...``: nationwide jobs on Dask (a LocalCluster or a real scheduler)."""

from __future__ import annotations

import typer

import geo.batch as batch
from api.cli import app
from geo import transit
from geo.settings import Settings, get_settings
from geo.transit import query

batch_app = typer.Typer(
    help="Batch jobs over all municipalities of an area, on Dask.", no_args_is_help=True
)
app.add_typer(batch_app, name="batch")

#: The defaults of batch rail queries (Settings.rail_date, Settings.rail_day_window), for the help.
DEFAULT_DAY = f"(default: setting rail_date, {query.DEFAULT_DATE})."
DEFAULT_WINDOW = (
    f"(default: setting rail_day_window, {Settings.model_fields['rail_day_window'].default})."
)


@batch_app.command("indicators")
def indicators(
    area: str = typer.Option("thuringia", "--area", help="thuringia or germany."),
    mode: str = typer.Option("rail", "--mode", help="rail (GTFS timetable)."),
    out: str = typer.Option(..., "--out", help="Folder, fsspec URL, or postgresql://…#table."),
    date: str = typer.Option(None, "--date", help="Service date YYYY-MM-DD " + DEFAULT_DAY),
    window: str = typer.Option(None, "--window", help="Departure window " + DEFAULT_WINDOW),
    percentile: float = typer.Option(50, "--percentile", help="Statistic over the window."),
    planned: bool = typer.Option(False, "--planned", help="Count from the first departure."),
    centre: list[str] = typer.Option(None, "--centre", help="Centre municipality (repeat)."),
    centre_min_population: int = typer.Option(
        batch.CENTRE_MIN_POPULATION,
        help="Without --centre: population from which a municipality counts as a centre.",
    ),
    chunk_size: int = typer.Option(
        None,
        "--chunk-size",
        help="Origins per partition (default: 2 partitions per worker, at most "
        f"{batch.INDICATOR_MAX_CHUNK}).",
    ),
    scheduler: str = typer.Option(None, "--scheduler", help="tcp://HOST:8786 of a cluster."),
    workers: int = typer.Option(None, "--workers", help="Local workers (LocalCluster)."),
    limit: int = typer.Option(None, "--limit", help="Only the first N origins (trials)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Per municipality: nearest long-distance station, nearest centre, people within reach."""
    if mode != "rail":
        raise batch.BatchError(
            f"indicators for mode {mode!r} need a nationwide road network, which is not loaded; "
            "use --mode rail, or 'stadtregion batch matrix --mode car' on the loaded network."
        )
    summary = batch.run_rail_indicators(
        get_settings(),
        area=area,
        out=out,
        date=date,
        window=transit.parse_window(window),
        percentile=percentile,
        planned=planned,
        centres=centre or None,
        centre_min_population=centre_min_population,
        chunk_size=chunk_size,
        scheduler=scheduler,
        workers=workers,
        limit=limit,
        progress=not quiet,
    )
    for line in summary.lines():
        typer.echo(line)


@batch_app.command("matrix")
def matrix(
    origins: str = typer.Option(..., "--origins", help="municipalities or a vector FILE."),
    destinations: str = typer.Option(
        "municipalities", "--destinations", help="municipalities or a vector FILE."
    ),
    mode: str = typer.Option("car", "--mode", help="car or rail."),
    out: str = typer.Option(..., "--out", help="Folder, fsspec URL, or postgresql://…#table."),
    area: str = typer.Option("thuringia", "--area", help="thuringia or germany."),
    id_column: str = typer.Option(None, "--id-column", help="Id column of the FILEs."),
    date: str = typer.Option(None, "--date", help="Rail: service date " + DEFAULT_DAY),
    window: str = typer.Option(None, "--window", help="Rail: departure window " + DEFAULT_WINDOW),
    max_minutes: float = typer.Option(240, "--max-minutes", help="Rail: longest time kept."),
    chunk_size: int = typer.Option(
        None,
        "--chunk-size",
        help="Origins per partition (default: 2 partitions per worker, at most "
        f"{batch.MATRIX_MAX_CHUNK}).",
    ),
    scheduler: str = typer.Option(None, "--scheduler", help="tcp://HOST:8786 of a cluster."),
    workers: int = typer.Option(None, "--workers", help="Local workers (LocalCluster)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Travel-time matrix (long form, minutes) for any origins and destinations."""
    summary = batch.run_matrix(
        get_settings(),
        origins=origins,
        destinations=destinations,
        mode=mode,
        out=out,
        area=area,
        id_column=id_column,
        date=date,
        window=transit.parse_window(window),
        max_minutes=max_minutes,
        chunk_size=chunk_size,
        scheduler=scheduler,
        workers=workers,
        progress=not quiet,
    )
    for line in summary.lines():
        typer.echo(line)
