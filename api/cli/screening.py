"""``stadtregion screen``: screen land-pool plots against a profile.

Plots come from the land-pool register (only those the role may see: confidential
plots for the ``landpool`` role alone) or from a file (``--plots``). Attributes are
derived from the shared layers (SRTM or ``--dem``, stations, OSM water, tram and
nature reserves, ``--flood`` HQ100 polygons), then screened; the ranked result is
printed and, with ``--out``, written as GeoPackage, GeoJSON or CSV.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from api.cli import app
from geo.settings import get_settings

if TYPE_CHECKING:
    import pandas as pd

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
    lang: str = typer.Option("de", "--lang", help="Words and numbers: de or en."),
    role: str = ROLE,
) -> None:
    """Screen plots: passes / open / fails per plot with reasons, score and rank."""
    # imported here, not at module top: keeps `stadtregion --help` and other commands fast
    from geo.landpool.plots import Viewer
    from geo.landpool.store import Store
    from geo.screening.io import write_result
    from geo.usecases.screening import ScreeningQuery, screen_plots
    from geo.vocabulary import check_lang

    settings = get_settings()
    viewer = Viewer(role)
    lang = check_lang(lang)
    query = ScreeningQuery(profile, flood=flood, dem=dem, plots_file=plots, lang=lang)
    with Store.open(settings) as store:
        done = screen_plots(settings, viewer, query, store)
    result = done.result
    if result.empty:
        typer.echo("no plots to screen (none stored, or none visible to this role)")
        raise typer.Exit(0)
    if out is not None:
        write_result(result, out)
    for line in table_lines(result, top, lang):
        typer.echo(line)
    typer.echo(summary_line(done.profile.name, result, lang))
    if out is not None:
        typer.echo(f"wrote {out}")
    typer.echo("data: " + "; ".join(done.attributions))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table_lines(result: pd.DataFrame, top: int, lang: str) -> list[str]:
    """The first ``top`` plots of a ranked result as a table with a header."""
    # imported here, not at module top: CLI start-up time (every command imports this module)
    import pandas as pd

    from geo.vocabulary import number, word

    head = (
        f"{word('column', 'rank', lang):>4}  {'ID':<16} {word('column', 'name', lang):<28} "
        f"{word('column', 'municipality', lang):<18} {word('text', 'area_ha', lang):>10}  "
        f"{word('text', 'outcome', lang):<10} {word('column', 'score', lang):>5}  "
        f"{word('text', 'reasons', lang)}"
    )
    lines = [head, "-" * len(head)]
    id_col = next((c for c in ("plot_id", "osm_id", "id") if c in result.columns), None)
    for idx, row in result.head(top).iterrows():
        rank = "" if pd.isna(row["rank"]) else str(int(row["rank"]))
        ident = str(row[id_col]) if id_col else str(idx)
        name = row.get("name")
        name = name if isinstance(name, str) and name else "–"
        mun = row.get("municipality")
        mun = mun if isinstance(mun, str) and mun else "–"
        why = str(row["decide"]) if row["outcome"] == "open" else str(row["reasons"])
        lines.append(
            f"{rank:>4}  {_cut(ident, 16):<16} {_cut(name, 28):<28} {_cut(mun, 18):<18} "
            f"{number(row['area_ha'], 2, lang):>10}  {row['outcome_label']!s:<10} "
            f"{number(row['score'], 1, lang):>5}  {why}"
        )
    return lines


def summary_line(profile: str, result: pd.DataFrame, lang: str) -> str:
    """``Profil housing: 3 geeignet, 40 offen, 19 ungeeignet (62 Flächen)``."""
    # imported here, not at module top: CLI start-up time
    from geo.screening.criteria import summary
    from geo.vocabulary import plural, word

    counts = summary(result)
    parts = ", ".join(
        f"{counts[o]} {word('outcome', o, lang)}" for o in ("passes", "open", "fails")
    )
    total = plural(counts["total"], word("text", "plot", lang), word("text", "plots", lang))
    return f"{word('text', 'profile', lang)} {profile}: {parts} ({total})"


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
