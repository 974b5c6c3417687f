"""``stadtregion plots``: the land-pool register (import, export, list, show, edit,
set-status, publish, unpublish, verify-history, seed-demo).

Every command runs as a role (``--role``, default ``$STADTREGION_ROLE`` or ``public``). A
``public`` caller sees only published, non-confidential plots, a ``planner`` every
non-confidential one; both see only the fields :mod:`geo.landpool.public` allows them (in
lists, ``show``, histories and exports). Writes need ``--role landpool``. Each command
parses its options, calls one use case of :mod:`geo.usecases.landpool` and prints.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from api.cli import app
from geo.access.roles import Viewer
from geo.errors import InputError
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
#: Columns of ``plots list`` (all of them in every role's field set).
LIST_COLUMNS = ("plot_id", "status", "category", "area_ha", "ags", "name")


def _viewer(role: str, user: str | None) -> Viewer:
    return Viewer(role, user or getpass.getuser())


@contextmanager
def _store() -> Iterator[Store]:
    # imported on use (here and in each command): CLI start-up loads no database code
    from geo.usecases import landpool as uc

    with uc.open_store(get_settings()) as store:
        yield store


@plots_app.command("import")
def import_(
    file: Path = typer.Argument(..., help="GeoPackage, GeoJSON, zipped Shapefile or CSV+WKT."),
    crs: str = typer.Option(None, "--crs", help="CRS of a file that names none, e.g. EPSG:25832."),
    layer: str = typer.Option(None, "--layer", help="Layer of a multi-layer file."),
    field: list[str] = typer.Option(
        None, "--field", help="Map a column: plot_attribute=file_column (repeatable)."
    ),
    repair: bool = typer.Option(False, "--repair", help="Repair invalid geometries (reported)."),
    update: bool = typer.Option(
        False,
        "--update",
        help="Change stored plots by plot_id instead of adding new ones: each row needs the "
        "version it was exported at (plots export writes it); only columns present and "
        "different are changed; status is not (use set-status).",
    ),
    reason: str = typer.Option(
        None, "--reason", help="Why (required with --update; goes into each plot's history)."
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Import plots: all rows or, if any row is bad, none (each bad row is listed).

    With --update the file changes stored plots (e.g. an export edited in QGIS).
    """
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    viewer = _viewer(role, user)
    viewer.require_write()  # before a store is opened (or created)
    if update and not (reason and reason.strip()):
        raise InputError(
            "plots import --update needs --reason (it goes into the history of every plot "
            'it changes), e.g. --reason "contamination checked against the Altlastenkataster".'
        )
    options = uc.ImportOptions(
        crs=crs,
        field_map=uc.parse_field_map(field or []),
        layer=layer,
        repair=repair,
        update=update,
        reason=reason,
    )
    with _store() as store:
        report = uc.import_plots(store, viewer, file, options)
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
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    filters = uc.PlotFilter(status=status, category=category)
    with _store() as store:
        n = uc.export_plots(store, _viewer(role, None), out, fmt, filters)
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
    if fmt not in ("table", "geojson"):
        raise typer.BadParameter("use table or geojson", param_hint="--format")
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        page = uc.list_plots(store, _viewer(role, None), uc.PlotFilter(status, category, ags))
    if fmt == "geojson":
        doc = {"type": "FeatureCollection", "features": page.features}
        typer.echo(json.dumps(doc, ensure_ascii=False))
        return
    props = [f["properties"] for f in page.features]
    rows = [[str(p[c] if p.get(c) is not None else "") for c in LIST_COLUMNS] for p in props]
    widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(LIST_COLUMNS)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(LIST_COLUMNS, widths, strict=True)))
    for r in rows:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    typer.echo(f"{page.returned} plots")


@plots_app.command("show")
def show(
    plot_id: str = typer.Argument(...),
    history: bool = typer.Option(False, "--history", help="Also print the status history."),
    role: str = ROLE,
) -> None:
    """Show one plot as GeoJSON (a confidential plot is 'not found' without landpool)."""
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        plot = uc.get_plot(store, _viewer(role, None), plot_id, history=history)
    feature = dict(plot.feature)
    if plot.history is not None:
        feature["history"] = plot.history
    typer.echo(json.dumps(feature, ensure_ascii=False, indent=2))


@plots_app.command("edit")
def edit(
    plot_id: str = typer.Argument(...),
    assignments: list[str] = typer.Option(
        None,
        "--set",
        help="field=value to change (repeatable), e.g. --set owner_type=city; an empty "
        "value clears a text and sets a vocabulary field to unknown.",
    ),
    reason: str = typer.Option(None, "--reason", help="Why (goes into the history)."),
    version: int = typer.Option(
        None,
        "--version",
        min=1,
        help="Refuse if the plot is no longer at this version (default: the version stored "
        "now; a concurrent write is refused all the same).",
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Change attributes of a plot; prints each change (old → new) and the new version."""
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    viewer = _viewer(role, user)
    viewer.require_write()  # before a store is opened (or created)
    values = uc.parse_assignments(assignments or [])
    with _store() as store:
        plot = uc.edit_plot(store, viewer, plot_id, version=version, values=values, reason=reason)
    if not plot.changes:
        typer.echo(f"{plot.plot_id}: nothing changed (version {plot.version})")
        return
    typer.echo(f"{plot.plot_id}: {uc.changes_text(plot.changes)} (version {plot.version})")


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
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        plot = uc.change_status(
            store, _viewer(role, user), plot_id, status, reason=reason, version=version
        )
    typer.echo(f"{plot.plot_id}: {plot.properties['status']} (version {plot.version})")


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
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        plot = uc.publish_plot(store, _viewer(role, user), plot_id, reason=reason, version=version)
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
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        plot = uc.unpublish_plot(
            store, _viewer(role, user), plot_id, reason=reason, version=version
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
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        check = uc.verify_history(store, expect_head)
    for p in check.problems:
        typer.echo(f"problem: {p}", err=True)
    report = check.report
    head = report.head_hash if report.rows else "(empty history)"
    typer.echo(f"history: {report.rows} rows, head {report.head_id}: {head}")
    uc.require_intact(check)
    typer.echo("history chain intact; store consistent")


@plots_app.command("seed-demo")
def seed_demo_() -> None:
    """Add the demo plots (real OSM landuse polygons of Jena) that are missing; idempotent."""
    from geo.usecases import landpool as uc  # on use: CLI start-up loads no database code

    with _store() as store:
        seeded = uc.seed_demo_plots(store, get_settings())
    typer.echo(
        f"land pool: {seeded.added} demo plots added, {seeded.total} plots in "
        f"{seeded.backend} store"
    )
