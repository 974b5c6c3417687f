"""``stadtregion municipalities``: the region table."""

from __future__ import annotations

import typer

from api.cli import app
from geo import sources
from geo.ogc import export
from geo.region import model as region
from geo.settings import get_settings
from geo.usecases import region as region_uc


@app.command()
def municipalities(
    within_km: float = typer.Option(None, "--within-km", help="Keep centres within this distance."),
    of: str = typer.Option("Jena", "--of", help="Municipality the distance is measured from."),
    district: str = typer.Option(None, "--district", help="Keep one Landkreis / kreisfreie Stadt."),
    names: list[str] = typer.Option(None, "--name", help="Keep these municipalities (repeatable)."),
    fmt: str = typer.Option("table", "--format", help="table, csv or geojson."),
) -> None:
    """List municipalities with population series, trend and distance."""
    sel = region_uc.municipalities(
        get_settings(), of=of, within_km=within_km, district=district, names=names
    )
    attribution = sources.attributions(region.REGION_SOURCES)
    if fmt == "table":
        # the long texts of the territory go below the table, one line per municipality
        wide = ["predecessors", "successor", "trend_basis", "trend_note"]
        body = export.to_table(sel[[c for c in region.table_columns(sel) if c not in wide]])
        lines = [
            f"{r['name']}: Trend {r['trend_basis']}"
            + (f" – {r['trend_note']}" if r["trend_note"] else "")
            for _, r in sel.iterrows()
        ]
        typer.echo("\n".join([body, "", *lines, *attribution]))
        return
    if fmt != "geojson":
        sel = sel[region.table_columns(sel)]
    typer.echo(export.render(sel, fmt, attribution))
