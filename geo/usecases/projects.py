"""Use cases of the forum's cooperation projects, for the API, the CLI, the pages and maps.

- :func:`list_projects` / :func:`get_project` – the projects as anyone sees them (public
  projection of :mod:`geo.projects.public`; the history with editors' names for staff).
- :func:`create_project` / :func:`edit_project` – planners and admins; every value is
  checked (AGS against the region model, linked plots against the land pool's public
  projection: a plot a ``public`` viewer cannot read is refused, named); an edit names
  the version it was read at and a stale one is refused (:class:`ConflictError`).
- :func:`parse_filter` – the list filters (topic, status, municipality), checked.
- :func:`transparency` – per municipality the published plots in development and the
  projects it takes part in (the region map).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

import geopandas as gpd

from geo.access.roles import PUBLIC, Viewer
from geo.errors import InputError, NotFoundError
from geo.landpool.store import Store
from geo.projects.io import forum_links, project_store, public_plot_ids, public_projects
from geo.projects.model import (
    STATUSES,
    TOPICS,
    check_id,
    parse_fields,
    split_list,
)
from geo.projects.public import PublicProject, project_public, public_frame
from geo.projects.store import require_project_write
from geo.settings import Settings
from geo.usecases.region import region


@dataclass(frozen=True)
class ProjectFilter:
    """Which projects to list (each ``None`` for all)."""

    topic: str | None = None
    status: str | None = None
    ags: str | None = None


def _known(settings: Settings) -> dict[str, str]:
    model = region(settings).model
    return dict(zip(model["ags"].astype(str), model["name"].astype(str), strict=True))


def parse_filter(
    settings: Settings,
    topic: str | None = None,
    status: str | None = None,
    ags: str | None = None,
) -> ProjectFilter:
    """Check the list filters: a topic, a status, a municipality (AGS or name)."""
    if topic and topic not in TOPICS:
        raise InputError(f"topic {topic!r} is unknown; use one of {', '.join(TOPICS)}.")
    if status and status not in STATUSES:
        raise InputError(f"status {status!r} is unknown; use one of {', '.join(STATUSES)}.")
    code = None
    if ags:
        known = _known(settings)
        by_name = {n.lower(): a for a, n in known.items()}
        code = by_name.get(ags.strip().lower(), ags.strip())
        if code not in known:
            raise InputError(f"municipality {ags!r} is no AGS or name of the region model.")
    return ProjectFilter(topic or None, status or None, code)


def list_projects(
    settings: Settings, store: Store, filters: ProjectFilter | None = None
) -> list[PublicProject]:
    """Every project (filtered) as the public sees it, ordered by id."""
    f = filters or ProjectFilter()
    return public_projects(store, region(settings).model, topic=f.topic, status=f.status, ags=f.ags)


def get_project(settings: Settings, store: Store, viewer: Viewer, project_id: str) -> PublicProject:
    """One project with its history (editors' names only for staff).

    Raises
    ------
    NotFoundError
        No such project.
    """
    projects = project_store(store)
    project = projects.get(project_id)
    links = forum_links(store)
    return project_public(
        project,
        region(settings).model,
        public_plot_ids(store),
        history=projects.history(project.id),
        viewer=viewer,
        public_contributions=links.public,
        taken_up=links.taken_up.get(project.id, ()),
    )


def _check_plots(store: Store, plot_ids: tuple[str, ...], keep: tuple[str, ...] = ()) -> None:
    """Refuse a linked plot a ``public`` viewer may not read (except ``keep``)."""
    for pid in plot_ids:
        if pid in keep:
            continue
        try:
            store.get(PUBLIC, pid)
        except NotFoundError:
            raise InputError(
                f"plot {pid!r} is not a published plot of the land pool; only published "
                "plots can be linked to a project."
            ) from None


def _check_contributions(
    public: Set[str], ids: tuple[str, ...], keep: tuple[str, ...] = ()
) -> None:
    """Refuse a linked contribution that is not in ``public`` (except ``keep``)."""
    for cid in ids:
        if cid not in keep and cid not in public:
            raise InputError(
                f"contribution {cid!r} is not a public contribution of the forum; only "
                "approved or taken-up contributions (the id ends the address of their page) "
                "can be linked to a project."
            )


def _prepared(settings: Settings, values: Mapping[str, Any], partial: bool) -> dict[str, Any]:
    return parse_fields(
        values, known_municipalities=_known(settings), settings=settings, partial=partial
    )


def create_project(
    settings: Settings,
    store: Store,
    viewer: Viewer,
    project_id: str,
    values: Mapping[str, Any],
) -> PublicProject:
    """Store a new project (planner or admin).

    Raises
    ------
    PermissionDeniedError, InputError, ConflictError
    """
    require_project_write(viewer)
    pid = check_id(project_id)
    fields = _prepared(settings, values, partial=False)
    _check_plots(store, fields["plot_ids"])
    _check_contributions(forum_links(store).public, fields["contributions"])
    project_store(store).create(viewer, pid, fields)
    return get_project(settings, store, viewer, pid)


@dataclass(frozen=True)
class EditResult:
    """A project after an edit and what changed (``field: [old, new]``; empty: nothing)."""

    project: PublicProject
    changes: dict[str, Any]


def edit_project(
    settings: Settings,
    store: Store,
    viewer: Viewer,
    project_id: str,
    *,
    version: int | None,
    values: Mapping[str, Any],
) -> EditResult:
    """Change fields of a project read at ``version`` (``None``: the version stored now).

    Plots linked before that the public can no longer see (unpublished since) stay
    linked, hidden, as long as the edit does not touch them; new links must be published.
    Contribution links likewise: one hidden or reopened since stays linked, unseen; a new
    link must be a public contribution.

    Raises
    ------
    PermissionDeniedError, NotFoundError, InputError
    ConflictError
        The project moved on since ``version``; nothing is saved.
    """
    require_project_write(viewer)
    fields = _prepared(settings, values, partial=True)
    projects = project_store(store)
    before = projects.get(project_id)
    if "plot_ids" in fields:
        visible = public_plot_ids(store)
        hidden = tuple(p for p in before.plot_ids if p not in visible)
        fields["plot_ids"] = tuple(dict.fromkeys([*fields["plot_ids"], *hidden]))
        _check_plots(store, fields["plot_ids"], keep=hidden)
    if "contributions" in fields:
        public = forum_links(store).public
        gone = tuple(c for c in before.contributions if c not in public)
        fields["contributions"] = tuple(dict.fromkeys([*fields["contributions"], *gone]))
        _check_contributions(public, fields["contributions"], keep=gone)
    expected = before.version if version is None else version
    _, changes = projects.update(viewer, before.id, expected_version=expected, values=fields)
    return EditResult(get_project(settings, store, viewer, before.id), changes)


def form_values(project: PublicProject) -> dict[str, str]:
    """A project's editable fields as the edit form and ``projects edit`` show them."""
    geom = project.feature()["geometry"] if project.geometry_source == "project" else None
    return {
        "title": project.title,
        "topic": project.topic,
        "status": project.status,
        "municipalities": ", ".join(m["ags"] for m in project.municipalities),
        "description": project.description,
        "contributions": ", ".join(project.contributions),
        "plot_ids": ", ".join(project.plot_ids),
        "geometry": "" if geom is None else json.dumps(geom),
    }


@dataclass(frozen=True)
class MunicipalityTransparency:
    """What the region map says of one municipality about building projects."""

    plots_in_development: int
    projects: list[str]


def transparency(settings: Settings, store: Store) -> dict[str, MunicipalityTransparency]:
    """Per AGS: published plots in development (public projection) and project titles.

    Only municipalities with at least one of them are listed.
    """
    counts: dict[str, int] = {}
    for plot in store.list(PUBLIC, status="in_development"):
        if plot.ags:
            counts[plot.ags] = counts.get(plot.ags, 0) + 1
    titles: dict[str, list[str]] = {}
    for p in project_store(store).list():
        for a in p.municipalities:
            titles.setdefault(a, []).append(p.title)
    return {
        a: MunicipalityTransparency(counts.get(a, 0), titles.get(a, []))
        for a in sorted(set(counts) | set(titles))
    }


def projects_frame(settings: Settings, store: Store) -> gpd.GeoDataFrame:
    """The public projects as a GeoDataFrame in EPSG:4326 (the forum map's layer)."""
    return public_frame(list_projects(settings, store))


__all__ = [
    "EditResult",
    "MunicipalityTransparency",
    "ProjectFilter",
    "create_project",
    "edit_project",
    "form_values",
    "get_project",
    "list_projects",
    "parse_filter",
    "projects_frame",
    "split_list",
    "transparency",
]
