"""``stadtregion projects``: the forum's cooperation projects (list, show, create, edit).

Reading is public; ``create`` and ``edit`` need ``--role planner`` or ``--role admin`` (the
name recorded in the history is ``--user``, default the login name). Values are checked
as in the web app: AGS against the region model, linked plots must be published. An edit
without ``--version`` takes the version stored now; a concurrent write is still refused.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer

from api.cli import app
from geo.access.roles import Viewer
from geo.errors import InputError
from geo.settings import get_settings

projects_app = typer.Typer(
    help="Cooperation projects of the forum: list, show, create, edit.", no_args_is_help=True
)
app.add_typer(projects_app, name="projects")

ROLE = typer.Option(
    "public",
    "--role",
    envvar="STADTREGION_ROLE",
    help="public, planner, landpool or admin (create and edit need planner or admin).",
)
USER = typer.Option(None, "--user", help="Name recorded in the history (default: login name).")
TITLE = typer.Option(None, "--title", help="Title (at most 200 characters).")
TOPIC = typer.Option(None, "--topic", help="traffic, housing, commerce, landscape or other.")
STATUS = typer.Option(None, "--status", help="idea, agreed, in_progress or done.")
MUNS = typer.Option(None, "--municipalities", help="AGS or names, comma-separated.")
DESC = typer.Option(None, "--description", help="Description (at most 4000 characters).")
CONTRIB = typer.Option(None, "--contributions", help="Contribution ids, comma-separated.")
PLOTS = typer.Option(None, "--plots", help="Ids of published plots, comma-separated.")
GEOM = typer.Option(
    None, "--geometry", help="GeoJSON geometry in EPSG:4326 (text, or @file.geojson); '' clears."
)


def _viewer(role: str, user: str | None) -> Viewer:
    return Viewer(role, user or getpass.getuser())


def _values(**given: str | None) -> dict[str, str]:
    out = {k: v for k, v in given.items() if v is not None}
    geom = out.get("geometry")
    if geom and geom.startswith("@"):
        path = Path(geom[1:])
        if not path.is_file():
            raise InputError(f"--geometry file {path} does not exist.")
        out["geometry"] = path.read_text(encoding="utf-8")
    if "plots" in out:
        out["plot_ids"] = out.pop("plots")
    return out


@projects_app.command("list")
def list_(
    topic: str = typer.Option(None, "--topic", help="Only this topic."),
    status: str = typer.Option(None, "--status", help="Only this status."),
    municipality: str = typer.Option(None, "--municipality", help="Only with this AGS or name."),
) -> None:
    """List the projects: id, status, topic, municipalities, title."""
    # imported on use: CLI start-up loads no database code
    from geo.landpool.io import open_store
    from geo.usecases import projects as uc

    settings = get_settings()
    filters = uc.parse_filter(settings, topic, status, municipality)
    with open_store(settings) as store:
        projects = uc.list_projects(settings, store, filters)
    for p in projects:
        names = ", ".join(str(m["name"] or m["ags"]) for m in p.municipalities)
        typer.echo(f"{p.project_id}\t{p.status}\t{p.topic}\t{names}\t{p.title}")
    typer.echo(f"{len(projects)} projects")


@projects_app.command("show")
def show(project_id: str = typer.Argument(...), role: str = ROLE) -> None:
    """Show one project as GeoJSON with its history (editors' names for staff roles)."""
    # imported on use: CLI start-up loads no database code
    from geo.landpool.io import open_store
    from geo.usecases import projects as uc

    settings = get_settings()
    with open_store(settings) as store:
        project = uc.get_project(settings, store, _viewer(role, None), project_id)
    body = project.feature()
    body["history"] = project.history
    typer.echo(json.dumps(body, ensure_ascii=False, indent=2))


@projects_app.command("create")
def create(
    project_id: str = typer.Argument(..., help="Slug id, e.g. radweg-saaletal."),
    title: str = TITLE,
    topic: str = TOPIC,
    status: str = STATUS,
    municipalities: str = MUNS,
    description: str = DESC,
    contributions: str = CONTRIB,
    plots: str = PLOTS,
    geometry: str = GEOM,
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Create a project (planner or admin)."""
    # imported on use: CLI start-up loads no database code
    from geo.landpool.io import open_store
    from geo.projects.store import require_project_write
    from geo.usecases import projects as uc

    viewer = _viewer(role, user)
    require_project_write(viewer)  # before a store is opened (or created)
    values = _values(
        title=title,
        topic=topic,
        status=status,
        municipalities=municipalities,
        description=description,
        contributions=contributions,
        plots=plots,
        geometry=geometry,
    )
    settings = get_settings()
    with open_store(settings) as store:
        project = uc.create_project(settings, store, viewer, project_id, values)
    typer.echo(f"{project.project_id}: created (version {project.version})")


@projects_app.command("edit")
def edit(
    project_id: str = typer.Argument(...),
    title: str = TITLE,
    topic: str = TOPIC,
    status: str = STATUS,
    municipalities: str = MUNS,
    description: str = DESC,
    contributions: str = CONTRIB,
    plots: str = PLOTS,
    geometry: str = GEOM,
    version: int = typer.Option(
        None, "--version", min=1, help="Refuse if the project is no longer at this version."
    ),
    role: str = ROLE,
    user: str = USER,
) -> None:
    """Change fields of a project (planner or admin); prints each change."""
    # imported on use: CLI start-up loads no database code
    from geo.landpool.io import open_store
    from geo.projects.store import require_project_write
    from geo.usecases import projects as uc

    viewer = _viewer(role, user)
    require_project_write(viewer)
    values = _values(
        title=title,
        topic=topic,
        status=status,
        municipalities=municipalities,
        description=description,
        contributions=contributions,
        plots=plots,
        geometry=geometry,
    )
    if not values:
        raise InputError("nothing to change: give at least one option such as --status agreed.")
    settings = get_settings()
    with open_store(settings) as store:
        result = uc.edit_project(
            settings, store, viewer, project_id, version=version, values=values
        )
    if not result.changes:
        typer.echo(f"{project_id}: nothing changed (version {result.project.version})")
        return
    for key, change in result.changes.items():
        text = change if isinstance(change, str) else f"{change[0]!r} → {change[1]!r}"
        typer.echo(f"{key}: {text}")
    typer.echo(f"{result.project.project_id}: version {result.project.version}")
