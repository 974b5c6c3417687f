"""``stadtregion reachable``, ``isochrone`` and ``network fetch|info``: car travel times."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from api.cli import app, rail
from geo import modes, sources
from geo.errors import InputError
from geo.ogc import export
from geo.region.build import load_region
from geo.region.model import REGION_SOURCES, select
from geo.roads import engine as travel
from geo.roads.io import cached_engine, default_network, fetch_region_network
from geo.settings import get_settings
from geo.usecases import reachability as usecase

network_app = typer.Typer(help="Road networks: fetch the regional network, show the one in use.")
app.add_typer(network_app, name="network")

#: Attributions of travel-time results.
TRAVEL_SOURCES = (*REGION_SOURCES, "osm")


@app.command()
def reachable(
    origin: rail.From,
    mode: str = typer.Option("car", "--mode", help="Travel mode: car or rail (GTFS)."),
    max_minutes: rail.MaxMinutes = None,
    fmt: rail.Format = "table",
    date: rail.Date = None,
    window: rail.Window = None,
    depart: rail.Depart = None,
    percentile: rail.Percentile = 50,
    planned: rail.Planned = False,
) -> None:
    """Municipalities reachable within N minutes, with population and trend.

    By rail the options and the answer are those of ``stadtregion transit reachable``.
    """
    settings = get_settings()
    if mode == "rail":
        if not isinstance(modes.parse_origin(origin), str):
            raise InputError(
                "mode rail needs a municipality as origin (name or AGS), not a lon/lat point."
            )
        query = rail.rail_query(
            settings, origin, date, window, depart, percentile, planned, max_minutes
        )
        rail.check_format(fmt)
        found = usecase.rail_reachable(settings, query)
        rail.echo_rail(found.result, found.region, fmt)
        return
    rail_only = {
        "--date": date,
        "--window": window,
        "--depart": depart,
        "--planned": planned or None,
        "--percentile": None if percentile == 50 else percentile,
    }
    given = [k for k, v in rail_only.items() if v is not None]
    if given:
        raise InputError(f"{', '.join(given)}: only for --mode rail, not for --mode {mode}.")
    if fmt == "json":
        raise InputError("format json is for --mode rail; give table, csv or geojson.")
    answer = usecase.reachable(
        settings, modes.parse_origin(origin), mode=mode, max_minutes=max_minutes
    )
    result, model = answer.result, answer.region
    note = f"network: {answer.network_note}" if answer.network_note else ""
    attribution = sources.attributions(TRAVEL_SOURCES)
    if fmt == "geojson":
        areas = modes.reachable_areas(result, model)
        typer.echo(
            json.dumps(
                export.to_geojson(
                    areas, attribution, precision=5, extra={"summary": result.summary}
                ),
                ensure_ascii=False,
                default=str,
            )
        )
        return
    typer.echo(export.render(result.table, fmt, [] if fmt == "csv" else attribution))
    if fmt == "table":
        s = result.summary
        typer.echo(
            f"\n{s['municipalities_reached']} municipalities reached from {s['origin']} by "
            f"{s['mode']} within {s['max_minutes']:g} min; population reached "
            f"{s['population_reached']:,} ("
            + (f"{s['population_year']}; " if s.get("population_year") else "")
            + f"{s['population_unknown']} without a figure"
            + (
                f", {s['population_in_successor']} dissolved, counted in their successor"
                if s.get("population_in_successor")
                else ""
            )
            + ")."
        )
        typer.echo(note)
        if len(result.outside):
            names = ", ".join(result.outside["name"].head(12))
            more = "…" if len(result.outside) > 12 else ""
            typer.echo(
                f"outside the loaded network (travel time unknown): {len(result.outside)} "
                f"municipalities within {s['max_minutes'] / 60 * travel.MAX_SPEED_KPH:.0f} km, "
                f"e.g. {names}{more}"
            )


@app.command()
def isochrone(
    origin: str = typer.Option(..., "--from", help="Municipality name, AGS or 'lon,lat'."),
    minutes: list[float] = typer.Option(
        [10, 20, 30], "--minutes", help="Cut-offs in minutes (repeatable)."
    ),
    buffer_m: float = typer.Option(100, "--buffer-m", help="Band around reached roads (m)."),
    out: Path = typer.Option(None, "--out", help="Write GeoJSON here (else print a table)."),
) -> None:
    """Areas reachable by car within each number of minutes, following the roads."""
    answer = usecase.isochrones(
        get_settings(), modes.parse_origin(origin), minutes, buffer_m=buffer_m
    )
    iso, label = answer.isochrones, answer.origin.label
    attribution = sources.attributions(["osm"])
    if out is not None:
        body = export.to_geojson(
            iso, attribution, precision=6, extra={"origin": label, "network": answer.network}
        )
        out.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        typer.echo(f"wrote {out} ({len(iso)} isochrones from {label})")
    else:
        typer.echo(export.to_table(iso, attribution))
    typer.echo(
        f"origin {label}, snapped {iso.attrs['snap_dist_m']} m; network: {answer.network_note}"
    )


@network_app.command("fetch")
def network_fetch(
    region_name: str = typer.Option("Jena", "--region", help="Municipality at the centre."),
    within_km: float = typer.Option(
        30, "--within-km", help="Take municipalities whose centre is within this distance."
    ),
) -> None:
    """Download the regional drive network from OpenStreetMap (osmnx) and cache it."""
    settings = get_settings()
    model, _ = load_region(settings)
    sel = select(model, of=region_name, within_km=within_km)
    label = f"{region_name} and municipalities within {within_km:g} km ({len(sel)})"
    typer.echo(f"fetching the drive network of {label}")
    path, summary = fetch_region_network(
        settings, sel, label, progress=lambda line: typer.echo(line, err=True)
    )
    typer.echo(f"wrote {path}: {summary['nodes']:,} nodes, {summary['edges']:,} edges")


@network_app.command("info")
def network_info() -> None:
    """Show which road network the travel commands use, and its size."""
    settings = get_settings()
    choice = default_network(settings)
    engine, _ = cached_engine(settings)
    typer.echo(f"network: {choice.note}")
    for k, v in engine.describe().items():
        typer.echo(f"  {k}: {v}")
