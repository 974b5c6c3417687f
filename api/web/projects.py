"""``/forum/projects``: the forum's cooperation projects (public list and pages; forms for staff).

* ``GET /forum/projects`` – every project, filtered by topic, status, municipality, with a
  map; ``GET /forum/projects/{id}`` – one project: map, municipalities with population,
  linked published plots, linked contributions, the history (editors' names for staff).
* ``GET /forum/projects/new`` and ``POST /forum/projects`` – create (planner, admin);
  ``GET /forum/projects/{id}/edit`` and ``POST /forum/projects/{id}`` – edit with the
  version the form was read at: a stale edit answers 409 with the stored state beside the
  input, nothing is overwritten. Forms are read by :func:`api.web.forms.read_form` (CSRF,
  unknown fields refused); bad values re-render the form (422) with the message.

Every page calls :mod:`geo.usecases.projects` (the same functions as the API and CLI).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import shapely.geometry
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_app_settings, get_store, get_viewer
from api.web.auth import local_time
from api.web.forms import read_form
from api.web.render import PageLang, href_for, page
from geo import sources
from geo.access.roles import Viewer
from geo.errors import ConflictError, InputError
from geo.landpool.store import Store
from geo.projects.model import EDITABLE_FIELDS, MAX_DESCRIPTION_LENGTH, STATUSES, TOPICS
from geo.projects.public import PublicProject
from geo.projects.store import PROJECT_WRITE_ROLES, require_project_write
from geo.region import model as region_model
from geo.settings import Settings
from geo.usecases import projects as uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
ProjectId = Annotated[str, Path(min_length=1, max_length=100)]
Done = Literal["created", "updated", "nothing"]
#: The fields of the create and edit forms (besides ``project_id`` and ``version``).
FORM_FIELDS = tuple(EDITABLE_FIELDS)
#: Word key (group ``projects_page``) of each field's label.
FIELD_WORDS = {"title": "project_title", "plot_ids": "plots"}
TOPIC_COLOURS = {
    "traffic": "#1d5e8c",
    "housing": "#c0392b",
    "commerce": "#7d3c98",
    "landscape": "#1e8449",
    "other": "#7f6000",
}


def _store(request: Request) -> Store:
    return get_store(request)


StoreDep = Annotated[Store, Depends(_store)]


def _attributions() -> list[str]:
    return sources.attributions(region_model.REGION_SOURCES)


def _map_data(projects: list[PublicProject], lang: str, link: bool = True) -> dict[str, Any]:
    """The page map's data block: one layer of the projects, coloured by topic."""
    features = []
    for p in projects:
        f = p.feature()
        if f["geometry"] is None:
            continue
        f["properties"] = {
            "title": p.title,
            "topic": p.topic,
            "topic_label": word("forum_topic", p.topic, lang),
            "status": word("project_status", p.status, lang),
            "municipalities": ", ".join(str(m["name"]) for m in p.municipalities),
            "href": href_for(lang, f"/forum/projects/{p.project_id}") if link else None,
        }
        features.append(f)
    layers: list[dict[str, Any]] = []
    if not link:  # one project's page: its municipalities as context under its geometry
        areas = [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(p.area),
                "properties": {"name": ", ".join(str(m["name"]) for m in p.municipalities)},
            }
            for p in projects
            if p.area is not None and p.geometry_source == "project"
        ]
        if areas:
            layers.append(
                {
                    "name": word("projects_page", "municipalities", lang),
                    "geojson": {"type": "FeatureCollection", "features": areas},
                    "color": "#888888",
                    "popup": ["name"],
                    "labels": {"name": word("projects_page", "municipalities", lang)},
                }
            )
    return {
        "tiles": None,
        "attribution": " · ".join(_attributions()[:1]),
        "layers": [
            *layers,
            {
                "name": word("projects_page", "title", lang),
                "geojson": {"type": "FeatureCollection", "features": features},
                "color_property": "topic",
                "colors": TOPIC_COLOURS,
                "popup": ["title", "topic_label", "status", "municipalities"],
                "labels": {
                    "title": word("projects_page", "project_title", lang),
                    "topic_label": word("projects_page", "topic", lang),
                    "status": word("projects_page", "status", lang),
                    "municipalities": word("projects_page", "municipalities", lang),
                },
                "link_property": "href" if link else None,
            },
        ],
    }


def may_edit(viewer: Viewer) -> bool:
    """Whether ``viewer`` may create and edit projects (planner, admin)."""
    return viewer.role in PROJECT_WRITE_ROLES


@router.get("/forum/projects", response_class=HTMLResponse)
def list_page(
    request: Request,
    viewer: ViewerDep,
    settings: SettingsDep,
    store: StoreDep,
    lang: PageLang,
    topic: Annotated[str | None, Query(max_length=20, description="Forum topic")] = None,
    status: Annotated[str | None, Query(max_length=20, description="Project status")] = None,
    ags: Annotated[str | None, Query(max_length=100, description="Municipality")] = None,
) -> HTMLResponse:
    """The public list of projects with filters and a map."""
    filters = uc.parse_filter(settings, topic, status, ags)
    projects = uc.list_projects(settings, store, filters)
    return page(
        request,
        viewer,
        "projects_list.html",
        lang,
        title=word("projects_page", "title", lang),
        projects=projects,
        topics=TOPICS,
        statuses=STATUSES,
        chosen={"topic": topic or "", "status": status or "", "ags": ags or ""},
        may_edit=may_edit(viewer),
        uses_map=True,
        map_data=_map_data(projects, lang),
        attributions=_attributions(),
    )


def _form_page(
    request: Request,
    viewer: Viewer,
    lang: str,
    *,
    form: dict[str, str],
    project_id: str | None = None,
    version: int | None = None,
    error: str | None = None,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    editing = project_id is not None
    return page(
        request,
        viewer,
        "project_form.html",
        lang,
        title=word("projects_page", "edit" if editing else "new", lang),
        status=status,
        form=form,
        project_id=project_id,
        version=version,
        error=error,
        conflict=conflict,
        topics=TOPICS,
        statuses=STATUSES,
        max_description=MAX_DESCRIPTION_LENGTH,
        field_words=FIELD_WORDS,
        attributions=_attributions(),
    )


@router.get("/forum/projects/new", response_class=HTMLResponse)
def new_page(request: Request, viewer: ViewerDep, lang: PageLang) -> HTMLResponse:
    """The form of a new project (planner, admin)."""
    require_project_write(viewer)
    return _form_page(request, viewer, lang, form={"topic": "other", "status": "idea"})


@router.post("/forum/projects", response_class=HTMLResponse)
async def create(
    request: Request, viewer: ViewerDep, settings: SettingsDep, store: StoreDep, lang: PageLang
) -> Response:
    """Create a project; bad values re-render the form naming the problem."""
    require_project_write(viewer)
    form = await read_form(request, {"project_id", *FORM_FIELDS})
    values = {k: form.get(k) or "" for k in FORM_FIELDS}
    pid = form.get("project_id") or ""
    try:
        project = uc.create_project(settings, store, viewer, pid, values)
    except (InputError, ConflictError) as exc:
        status = 409 if isinstance(exc, ConflictError) else 422
        shown = {**values, "project_id": pid}
        return _form_page(request, viewer, lang, form=shown, error=str(exc), status=status)
    return RedirectResponse(
        href_for(lang, f"/forum/projects/{project.project_id}", done="created"), status_code=303
    )


@router.get("/forum/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    request: Request,
    project_id: ProjectId,
    viewer: ViewerDep,
    settings: SettingsDep,
    store: StoreDep,
    lang: PageLang,
    done: Annotated[Done | None, Query(description="What was just done")] = None,
) -> HTMLResponse:
    """One project: map, municipalities, linked plots and contributions, history."""
    project = uc.get_project(settings, store, viewer, project_id)
    notice = None
    if done:
        notice = word("projects_page", f"done_{done}", lang).format(title=project.title)
    return page(
        request,
        viewer,
        "project_page.html",
        lang,
        title=project.title,
        project=project,
        notice=notice,
        may_edit=may_edit(viewer),
        staff=viewer.sees_unpublished,
        when=lambda text: local_time(_parse_time(text), lang),
        uses_map=True,
        map_data=_map_data([project], lang, link=False),
        field_words=FIELD_WORDS,
        attributions=_attributions(),
    )


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)


@router.get("/forum/projects/{project_id}/edit", response_class=HTMLResponse)
def edit_page(
    request: Request,
    project_id: ProjectId,
    viewer: ViewerDep,
    settings: SettingsDep,
    store: StoreDep,
    lang: PageLang,
) -> HTMLResponse:
    """The edit form of a project, with the version it was read at."""
    require_project_write(viewer)
    project = uc.get_project(settings, store, viewer, project_id)
    return _form_page(
        request,
        viewer,
        lang,
        form=uc.form_values(project),
        project_id=project.project_id,
        version=project.version,
    )


@router.post("/forum/projects/{project_id}", response_class=HTMLResponse)
async def edit(
    request: Request,
    project_id: ProjectId,
    viewer: ViewerDep,
    settings: SettingsDep,
    store: StoreDep,
    lang: PageLang,
) -> Response:
    """Save an edit made at ``version``; a stale one shows the conflict, saves nothing."""
    require_project_write(viewer)
    form = await read_form(request, {"version", *FORM_FIELDS})
    values = {k: form.get(k) or "" for k in FORM_FIELDS}
    raw_version = form.get("version") or ""
    if not raw_version.isdigit():
        raise InputError(f"version must be a whole number, not {raw_version!r}.")
    version = int(raw_version)
    try:
        result = uc.edit_project(
            settings, store, viewer, project_id, version=version, values=values
        )
    except ConflictError as exc:
        stored = uc.get_project(settings, store, viewer, project_id)
        stored_form = uc.form_values(stored)
        rows = [
            {"field": k, "stored": stored_form[k], "yours": values[k]}
            for k in FORM_FIELDS
            if stored_form.get(k, "") != values[k]
        ]
        conflict = {"stored": stored.version, "yours": version, "rows": rows, "message": str(exc)}
        return _form_page(
            request,
            viewer,
            lang,
            form=values,
            project_id=stored.project_id,
            version=stored.version,
            conflict=conflict,
            status=409,
        )
    except InputError as exc:
        return _form_page(
            request,
            viewer,
            lang,
            form=values,
            project_id=project_id,
            version=version,
            error=str(exc),
            status=422,
        )
    done = "updated" if result.changes else "nothing"
    return RedirectResponse(
        href_for(lang, f"/forum/projects/{result.project.project_id}", done=done),
        status_code=303,
    )
