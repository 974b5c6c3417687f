"""``stadtregion screen``: screen land-pool plots against a profile.

Plots come from the land-pool register (only those the role may see: confidential
plots for the ``landpool`` role alone) or from a file (``--plots``). Attributes are
derived from the shared layers (SRTM or ``--dem``, stations, OSM water, tram and
nature reserves, ``--flood`` HQ100 polygons), then screened; the ranked result is
printed and, with ``--out``, written as GeoPackage, GeoJSON or CSV.
"""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli import app
from geo.settings import get_settings

ROLE = typer.Option(
    "public",
    "--role",
    envvar="STADTREGION_ROLE",
    help="public, planner, landpool or admin (confidential plots only for landpool/admin).",
)


@app.command("screen")
def screen_(
    profile: str = typer.Option(
        ..., "--profile", help="housing, commerce, quick_wins, or a profile file (YAML/JSON)."
    ),
    out: Path = typer.Option(None, "--out", help="Write the result: .gpkg, .geojson or .csv."),
    plots: Path = typer.Option(
        None, "--plots", help="Screen the plots in this file instead of the register."
    ),
    flood: Path = typer.Option(
        None, "--flood", help="HQ100 flood-zone polygons; without them flood share is unknown."
    ),
    dem: Path = typer.Option(None, "--dem", help="A DEM (GeoTIFF, ...); default the SRTM tile."),
    top: int = typer.Option(20, "--top", help="How many ranked plots to print."),
    role: str = ROLE,
) -> None:
    """Screen plots: pass/fail per criterion with reasons, score and rank."""
    # imported here, not at module top: keeps `stadtregion --help` and other commands fast
    from geo.landpool.plots import Viewer
    from geo.landpool.store import Store
    from geo.screening.io import write_result
    from geo.usecases.screening import ScreeningQuery, screen_plots

    settings = get_settings()
    viewer = Viewer(role)
    query = ScreeningQuery(profile, flood=flood, dem=dem, plots_file=plots)
    with Store.open(settings) as store:
        done = screen_plots(settings, viewer, query, store)
    result = done.result
    if result.empty:
        typer.echo("no plots to screen (none stored, or none visible to this role)")
        raise typer.Exit(0)
    if out is not None:
        write_result(result, out)
    _print(result, top)
    n_pass = int(result["passed"].sum())
    typer.echo(
        f"profile {done.profile.name}: {n_pass} of {len(result)} plots pass, "
        f"{int((result['result'] == 'unknown').sum())} unknown, "
        f"{int((result['result'] == 'fail').sum())} fail"
    )
    if out is not None:
        typer.echo(f"wrote {out}")
    typer.echo("data: " + "; ".join(done.attributions))


def _print(result: object, top: int) -> None:
    import pandas as pd

    assert isinstance(result, pd.DataFrame)
    id_col = next((c for c in ("plot_id", "osm_id", "id", "name") if c in result.columns), None)
    rows = result.head(top)
    for _, row in rows.iterrows():
        rank = "" if pd.isna(row["rank"]) else f"#{int(row['rank'])}"
        ident = str(row[id_col]) if id_col else str(row.name)
        typer.echo(
            f"{rank:>5} {ident:<24} score {row['score']:5.1f}  {row['result']:<7}  {row['reasons']}"
        )


profiles_app = typer.Typer(help="Screening profiles saved in the database.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")


@profiles_app.command("save")
def profiles_save(
    name: str = typer.Argument(..., help="Name to save the profile under."),
    file: Path = typer.Argument(..., help="Profile file (YAML/JSON)."),
    role: str = ROLE,
) -> None:
    """Validate a profile file and save it in the database (land-pool role)."""
    # imported here: CLI start-up time
    from geo.landpool.plots import Viewer
    from geo.landpool.store import Store
    from geo.screening.io import read_profile, save_profile

    profile = read_profile(file)
    with Store.open(get_settings()) as store:
        saved = save_profile(store, Viewer(role), name, profile)
    typer.echo(f"saved profile {saved.name} (version {saved.version}, by {saved.saved_by})")


@profiles_app.command("list")
def profiles_list() -> None:
    """Shipped and saved profiles."""
    # imported here: CLI start-up time
    from geo.landpool.store import Store
    from geo.screening.io import shipped_profile_names

    for n in shipped_profile_names():
        typer.echo(f"{n:<24} shipped")
    with Store.open(get_settings()) as store:
        for p in store.list_profiles():
            typer.echo(
                f"{p.name:<24} saved {p.saved_at:%Y-%m-%d %H:%M} by {p.saved_by} "
                f"(version {p.version})"
            )
