"""``stadtregion plots``: the land-pool register (import, export, list, show, set-status,
publish, unpublish, verify-history).

Every command runs as a role (``--role``, default ``$STADTREGION_ROLE`` or ``public``). A
``public`` caller sees only published, non-confidential plots, a ``planner`` every
non-confidential one; both see only the fields :mod:`geo.landpool.public` allows them (in
lists, ``show``, histories and exports). Writes need ``--role landpool``.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from api.cli import app
from geo.landpool.plots import Viewer
from geo.landpool.public import project_feature, project_history
from geo.settings import get_settings

if TYPE_CHECKING:
    from geo.landpool.store import Store

plots_app = typer.Typer(
    help="Land-pool register: plots, status workflow, import/export.", no_args_is_help=True
)
app.add_typer(plots_app, name="plots")

ROLE = typer.Option(
    "public",
    "--role",
    envvar="STADTREGION_ROLE",
    help="public, planner, landpool or admin (writes and confidential plots need landpool).",
)
USER = typer.Option(None, "--user", help="Name recorded in the history (default: login name).")


def _viewer(role: str, user: str | None) -> Viewer:
    return Viewer(role, user or getpass.getuser())


def _store() -> Store:
    from geo.landpool.store import Store  # imported on use: other commands need no database code

    return Store.open(get_settings())


@plots_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="GeoPackage, GeoJSON, zipped Shapefile or CSV+WKT."),
    crs: str = typer.Option(None, "--crs", help="CRS of a file that names none, e.g. EPSG:25832."),
    layer: str = typer.Option(None, "--layer", help="Layer of a multi-layer file."),
    field: list[str] = typer.Option(
        None, "--field", help="Map a column: plot_attribute=file_column (repeatable)."
    ),
    repair: bool = typer.Option(False, "--repair", help="Repair invalid geometries (reported)."),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Import plots: all rows or, if any row is bad, none (each bad row is listed)."""
    from geo.landpool.io import import_plots, parse_field_map

    viewer = _viewer(role, user)
    viewer.require_write()
    with _store() as store:
        report = import_plots(
            store,
            viewer,
            file,
            crs=crs,
            field_map=parse_field_map(field or []),
            layer=layer,
            repair=repair,
        )
    for line in report.lines():
        typer.echo(line)


@plots_app.command("export")
def export(
    out: Path = typer.Argument(..., help="File to write."),
    fmt: str = typer.Option(None, "--format", help="gpkg, geojson or csv (default: suffix)."),
    status: str = typer.Option(None, "--status", help="Only plots in this status."),
    category: str = typer.Option(None, "--category", help="Only plots of this category."),
    role: str = ROLE,
) -> None:
    """Export the plots the role may see, with attributions."""
    from geo.landpool.io import export_plots

    with _store() as store:
        n = export_plots(store, _viewer(role, None), out, fmt, status=status, category=category)
    typer.echo(f"wrote {n} plots to {out}")


@plots_app.command("list")
def list_(
    status: str = typer.Option(None, "--status", help="Only plots in this status."),
    category: str = typer.Option(None, "--category", help="Only plots of this category."),
    ags: str = typer.Option(None, "--ags", help="Only plots in this municipality (AGS)."),
    fmt: str = typer.Option("table", "--format", help="table or geojson."),
    role: str = ROLE,
) -> None:
    """List plots (confidential ones only for the land-pool role)."""
    viewer = _viewer(role, None)
    with _store() as store:
        plots = store.list(viewer, status=status, category=category, ags=ags)
    if fmt == "geojson":
        doc = {
            "type": "FeatureCollection",
            "features": [project_feature(p, viewer) for p in plots],
        }
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    if fmt != "table":
        raise typer.BadParameter("use table or geojson", param_hint="--format")
    cols = ("plot_id", "status", "category", "area_ha", "ags", "name")
    rows = [[str(getattr(p, c) if getattr(p, c) is not None else "") for c in cols] for p in plots]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(cols)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)))
    for r in rows:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    typer.echo(f"{len(plots)} plots")


@plots_app.command("show")
def show(
    plot_id: str = typer.Argument(...),
    history: bool = typer.Option(False, "--history", help="Also print the status history."),
    role: str = ROLE,
) -> None:
    """Show one plot as GeoJSON (a confidential plot is 'not found' without landpool)."""
    viewer = _viewer(role, None)
    with _store() as store:
        feature = project_feature(store.get(viewer, plot_id), viewer)
        if history:
            feature["history"] = project_history(store.history(viewer, plot_id), viewer)
    typer.echo(json.dumps(feature, ensure_ascii=False, indent=2))


@plots_app.command("set-status")
def set_status(
    plot_id: str = typer.Argument(...),
    status: str = typer.Argument(..., help="The new status."),
    reason: str = typer.Option(None, "--reason", help="Why (needed for withdrawn)."),
    version: int = typer.Option(
        None, "--version", help="Refuse if the plot is no longer at this version."
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Move a plot along the workflow; the change is recorded in its history."""
    with _store() as store:
        plot = store.set_status(
            _viewer(role, user), plot_id, status, reason=reason, expected_version=version
        )
    typer.echo(f"{plot.plot_id}: {plot.status} (version {plot.version})")


@plots_app.command("publish")
def publish(
    plot_id: str = typer.Argument(...),
    reason: str = typer.Option(
        ..., "--reason", help="Why it is published (goes into the history)."
    ),
    version: int = typer.Option(
        None, "--version", help="Refuse if the plot is no longer at this version."
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Publish a plot: from now on public callers (forum map, /plots) see it."""
    with _store() as store:
        plot = store.publish(_viewer(role, user), plot_id, reason=reason, expected_version=version)
    typer.echo(f"{plot.plot_id}: published (version {plot.version})")


@plots_app.command("unpublish")
def unpublish(
    plot_id: str = typer.Argument(...),
    reason: str = typer.Option(
        ..., "--reason", help="Why it is withdrawn (goes into the history)."
    ),
    version: int = typer.Option(
        None, "--version", help="Refuse if the plot is no longer at this version."
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Withdraw a plot's publication: it is internal again."""
    with _store() as store:
        plot = store.unpublish(
            _viewer(role, user), plot_id, reason=reason, expected_version=version
        )
    typer.echo(f"{plot.plot_id}: not published (version {plot.version})")


@plots_app.command("verify-history")
def verify_history(
    expect_head: str = typer.Option(
        None,
        "--expect-head",
        help="A head hash printed by an earlier run (kept elsewhere): it must still be in "
        "the chain, or rows were removed or the chain recomputed.",
    ),
) -> None:
    """Check the hash chain of the history and the store; exit 1 on any problem."""
    with _store() as store:
        report = store.verify_history()
        problems = store.check_integrity()
        if expect_head and not store.history_has(expect_head.strip().lower()):
            problems.append(
                f"expected head {expect_head} is not in the history: rows were removed "
                "or the chain was recomputed"
            )
    for p in problems:
        typer.echo(f"problem: {p}", err=True)
    head = report.head_hash if report.rows else "(empty history)"
    typer.echo(f"history: {report.rows} rows, head {report.head_id}: {head}")
    if problems:
        from geo.errors import IntegrityError

        raise IntegrityError(
            f"{len(problems)} problems: the history or the store was changed outside stadtregion."
        )
    typer.echo("history chain intact; store consistent")


@plots_app.command("seed-demo")
def seed_demo_() -> None:
    """Add the demo plots (real OSM landuse polygons of Jena) that are missing; idempotent."""
    from geo.landpool.io import seed_demo

    settings = get_settings()
    with _store() as store:
        added = seed_demo(store, Viewer("landpool", "stadtregion demo seed"), settings.data_dir)
        total = store.count(Viewer("landpool", "stadtregion demo seed"))
    typer.echo(f"land pool: {added} demo plots added, {total} plots in {store.backend} store")
