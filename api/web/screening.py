"""The screening page ``/screening`` (land-pool team and admins).

Running a **named** profile (shipped or saved) is a GET with declared query parameters,
``/screening?profile=housing``: a bookmarkable address, with exports at
``/screening/result.csv`` and ``/screening/result.geojson`` (same ``profile``). An
**edited** profile is a form (``/screening/edit?profile=…`` fills it in): it is run by
``POST /screening/run`` (the answer is the form again with the result below, and its
export buttons post the same form), and saved by ``POST /screening/save``, which redirects
(303) to the GET address of the saved profile. Every POST is read by
:func:`api.web.forms.read_form` (CSRF token, unknown fields refused); a profile the form
cannot make is shown again with each problem at its field.

Screening is :func:`geo.usecases.screening.screen_plots`, the use case of
``POST /plots/screen``; saving is :func:`geo.usecases.screening.save_screening_profile`
(the store call of ``PUT /plots/screen/profiles/{name}``). Who may open the page is
decided by :meth:`geo.access.roles.Viewer.require_role` (other roles get the 403 page).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_app_settings, get_store, get_viewer
from api.responses import GeoJSONResponse
from api.web import screening_form as pf
from api.web import screening_view as sv
from api.web.forms import read_form
from api.web.problems import FormError, Problem, problem
from api.web.render import PageLang, href_for, page
from geo.access.roles import WRITE_ROLES, Viewer
from geo.errors import ConflictError, InputError, NotFoundError, StadtregionError
from geo.landpool.store import Store
from geo.screening.profile import Profile
from geo.settings import Settings
from geo.usecases import screening as usecase
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Store, Depends(get_store)]
ProfileName = Annotated[
    str | None,
    Query(max_length=64, description="A shipped or saved screening profile, e.g. housing."),
]


def _allowed(viewer: Viewer) -> None:
    viewer.require_role(WRITE_ROLES, "open the screening page (the land-pool team's)")


def _screen(
    settings: Settings, viewer: Viewer, store: Store, profile: usecase.ProfileRef, lang: str
) -> usecase.Screening:
    query = usecase.ScreeningQuery(profile, profile_files=False, lang=lang)
    return usecase.screen_plots(settings, viewer, query, store)


def _view(
    settings: Settings, done: usecase.Screening, lang: str, name: str | None
) -> sv.ResultView:
    view = sv.result_view(settings, done, lang)
    if name is not None:
        view.csv_href = href_for(lang, "/screening/result.csv", profile=name)
        view.geojson_href = href_for(lang, "/screening/result.geojson", profile=name)
    return view


def _picker(store: Store, viewer: Viewer) -> dict[str, Any]:
    profiles = usecase.list_profiles(store, viewer)
    return {
        "shipped": [p for p in profiles if p.shipped],
        "saved": [p for p in profiles if not p.shipped],
    }


@router.get("/screening", response_class=HTMLResponse)
def screening(
    request: Request,
    viewer: ViewerDep,
    settings: AppSettings,
    store: StoreDep,
    lang: PageLang,
    profile: ProfileName = None,
    saved: Annotated[Literal["1"] | None, Query(description="Show that it was saved")] = None,
) -> HTMLResponse:
    """Choose a profile; with ``profile``, its ranked result, map and exports."""
    _allowed(viewer)
    ctx: dict[str, Any] = {
        **_picker(store, viewer),
        "chosen": profile,
        "problems": [],
        "result": None,
    }
    status = 200
    if profile is not None:
        try:
            done = _screen(settings, viewer, store, profile, lang)
        except (InputError, NotFoundError) as exc:
            ctx["problems"] = [problem(exc, "profile")]
            status = FormError([], [exc]).status
        else:
            ctx["result"] = _view(settings, done, lang, profile)
            if saved:
                entry = next((p for p in ctx["saved"] if p.name == profile), None)
                ctx["saved_entry"] = entry
    return page(
        request,
        viewer,
        "screening.html",
        lang,
        title=word("screening_page", "title", lang),
        status=status,
        uses_map=ctx["result"] is not None,
        attributions=ctx["result"].attribution if ctx["result"] else None,
        wide=True,
        label_of=lambda name: pf.field_label(name, lang),
        **ctx,
    )


def _edit_page(
    request: Request,
    viewer: Viewer,
    settings: Settings,
    lang: str,
    state: pf.FormState,
    *,
    base: usecase.ProfileEntry | None = None,
    save_as: str = "",
    problems: list[Problem] | None = None,
    status: int = 200,
    result: sv.ResultView | None = None,
) -> HTMLResponse:
    return page(
        request,
        viewer,
        "screening_edit.html",
        lang,
        title=word("screening_page", "form_h", lang),
        status=status,
        state=state,
        base=base,
        save_as=save_as,
        problems=problems or [],
        result=result,
        uses_map=result is not None,
        attributions=result.attribution if result else None,
        form=pf,
        wide=True,
        label_of=lambda name: pf.field_label(name, lang),
    )


@router.get("/screening/edit", response_class=HTMLResponse)
def edit(
    request: Request,
    viewer: ViewerDep,
    settings: AppSettings,
    store: StoreDep,
    lang: PageLang,
    profile: ProfileName = None,
) -> HTMLResponse:
    """The profile form, filled in with ``profile`` (empty for a new profile)."""
    _allowed(viewer)
    if profile is None:
        return _edit_page(request, viewer, settings, lang, {"on_unknown": "open"})
    parsed = usecase.resolve_profile(profile, store, files=False)
    entries = {p.name: p for p in usecase.list_profiles(store, viewer) if not p.shipped}
    base = entries.get(profile)
    return _edit_page(
        request,
        viewer,
        settings,
        lang,
        pf.state_of(parsed),
        base=base,
        save_as=profile if base is not None else "",
    )


async def _posted(request: Request) -> tuple[pf.FormState, dict[str, str | None]]:
    form = await read_form(
        request, allowed=[*pf.PROFILE_FIELDS, *pf.EXTRA_FIELDS], repeated=pf.REPEATED
    )
    return pf.state_from(form), {k: form.get(k) for k in pf.EXTRA_FIELDS}


def _base(
    store: Store, viewer: Viewer, extra: dict[str, str | None]
) -> usecase.ProfileEntry | None:
    name = extra.get("base_name")
    if not name:
        return None
    return next(
        (p for p in usecase.list_profiles(store, viewer) if p.name == name and not p.shipped), None
    )


def _base_version(extra: dict[str, str | None]) -> int | None:
    text = extra.get("base_version")
    if not text:
        return None
    if not text.isdigit():
        raise InputError(f"base_version {text!r} must be a version number.")
    return int(text)


@router.post("/screening/run", response_class=HTMLResponse)
async def run(
    request: Request, viewer: ViewerDep, settings: AppSettings, store: StoreDep, lang: PageLang
) -> Response:
    """Screen with the edited profile: the form again with the result, or an export."""
    _allowed(viewer)
    state, extra = await _posted(request)
    export = extra.get("export")
    if export not in (None, "csv", "geojson"):
        raise InputError(f"export {export!r} must be csv or geojson.")
    base = _base(store, viewer, extra)
    try:
        profile = pf.parse_state(state)
    except FormError as exc:
        return _edit_page(
            request,
            viewer,
            settings,
            lang,
            state,
            base=base,
            save_as=extra.get("save_as") or "",
            problems=exc.problems,
            status=exc.status,
        )
    done = _screen(settings, viewer, store, profile, lang)
    if export is not None:
        return _export(settings, done, lang, export)
    view = _view(settings, done, lang, None)
    return _edit_page(
        request,
        viewer,
        settings,
        lang,
        state,
        base=base,
        save_as=extra.get("save_as") or "",
        result=view,
    )


@router.post("/screening/save")
async def save(
    request: Request, viewer: ViewerDep, settings: AppSettings, store: StoreDep, lang: PageLang
) -> Response:
    """Save the edited profile under ``save_as``; then its GET page (303)."""
    _allowed(viewer)
    state, extra = await _posted(request)
    base = _base(store, viewer, extra)
    name = extra.get("save_as") or ""
    problems: list[Problem] = []
    profile: Profile | None = None
    errors: list[StadtregionError] = []
    try:
        profile = pf.parse_state(state)
    except FormError as exc:
        problems += exc.problems
        errors += exc.errors
    if not name:
        err = InputError("save_as is empty: give the name to save the profile under.")
        problems.append(problem(err, "save_as"))
        errors.append(err)
    if profile is not None and name:
        editing = base is not None and base.name == name
        try:
            entry = usecase.save_screening_profile(
                store,
                viewer,
                name,
                profile,
                expected_version=_base_version(extra) if editing else None,
                replace_existing=editing,
            )
        except (InputError, ConflictError) as exc:
            problems.append(problem(exc, "save_as"))
            errors.append(exc)
        else:
            target = href_for(lang, "/screening", profile=entry.name, saved="1")
            return RedirectResponse(target, status_code=303)
    status = FormError([], errors).status
    return _edit_page(
        request,
        viewer,
        settings,
        lang,
        state,
        base=base,
        save_as=name,
        problems=problems,
        status=status,
    )


def _export(settings: Settings, done: usecase.Screening, lang: str, fmt: str) -> Response:
    stem = f"screening-{done.profile.name}".replace(" ", "_")
    if fmt == "geojson":
        return GeoJSONResponse(
            sv.geojson_doc(done),
            headers={"content-disposition": f'attachment; filename="{stem}.geojson"'},
        )
    view = sv.result_view(settings, done, lang)
    return Response(
        sv.csv_text(view),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{stem}.csv"'},
    )


@router.get("/screening/result.csv")
def result_csv(
    viewer: ViewerDep,
    settings: AppSettings,
    store: StoreDep,
    lang: PageLang,
    profile: ProfileName = None,
) -> Response:
    """The table of ``/screening?profile=…`` as CSV (with the sources)."""
    _allowed(viewer)
    return _export(
        settings, _screen(settings, viewer, store, _required(profile), lang), lang, "csv"
    )


@router.get("/screening/result.geojson")
def result_geojson(
    viewer: ViewerDep,
    settings: AppSettings,
    store: StoreDep,
    lang: PageLang,
    profile: ProfileName = None,
) -> Response:
    """The result of ``/screening?profile=…`` as GeoJSON (the answer of POST /plots/screen)."""
    _allowed(viewer)
    return _export(
        settings, _screen(settings, viewer, store, _required(profile), lang), lang, "geojson"
    )


def _required(profile: str | None) -> str:
    if not profile:
        raise InputError(
            "profile is missing: give a shipped or saved profile, e.g. profile=housing."
        )
    return profile
