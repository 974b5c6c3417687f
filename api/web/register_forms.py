"""The forms of a plot's register page: edit, status change, publish and unpublish.

Each POST checks the caller's role (the viewer of :func:`api.deps.get_viewer`; a planner
or a public caller gets the 403 page before anything is read), reads the form with
:func:`api.web.forms.read_form` (CSRF token, no unknown field), calls ONE use case of
:mod:`geo.usecases.landpool` with the version the form was made from, and redirects
(303) to the plot's page with a notice.

Optimistic locking never overwrites: if the plot moved on since the form's version, the
use case refuses (:class:`~geo.errors.ConflictError`) and stores nothing; the page is shown
again (409) with what changed since (field: value then → stored value now), the user's
entries kept in the form and the form based on the stored version, so they can redo it.
Bad input (an unknown value, a missing reason) shows the page again with the message
(422), the entries kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from api.deps import get_app_settings, get_store, get_viewer
from api.web.forms import Form, read_form
from api.web.register_view import Conflict, plot_page
from api.web.render import PageLang, href_for
from geo.access.roles import Viewer
from geo.errors import ConflictError, InputError
from geo.landpool.plots import EDITABLE_FIELDS
from geo.landpool.store import Store
from geo.settings import MAX_VERSION, Settings
from geo.usecases import landpool as uc
from geo.usecases import register as reg

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

#: Fields of the edit form: every editable attribute, the reason and the version.
EDIT_FIELDS = frozenset({*EDITABLE_FIELDS, "reason", "version"})


def form_version(form: Form) -> int:
    """The plot version a form was made from (its hidden ``version`` field)."""
    text = form.get("version") or ""
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_VERSION:
        raise InputError(
            "the form has no valid version (hidden field 'version'); reload the plot's page "
            "and send the form again."
        )
    return int(text)


def _text(value: str | None) -> str | None:
    """A text field as typed: browsers send line breaks as CRLF, the store keeps LF."""
    return None if value is None else value.replace("\r\n", "\n").replace("\r", "\n")


def entries(form: Form, names: frozenset[str]) -> dict[str, str]:
    """What the user typed, to put back into a refused form."""
    sent = form.keys()
    return {k: _text(form.get(k)) or "" for k in names if k in sent and k != "version"}


def refused(
    request: Request,
    viewer: Viewer,
    lang: str,
    settings: Settings,
    store: Store,
    plot_id: str,
    version: int,
    exc: ConflictError | InputError,
    which: str,
    entered: dict[str, str],
) -> HTMLResponse:
    """The plot page again after a refused form: a stale version shows what changed since;
    any other refusal its message. Nothing was stored."""
    plot = reg.open_plot(settings, store, viewer, plot_id)
    now = plot.detail.version
    if isinstance(exc, ConflictError) and now != version:
        changes = reg.changes_since(plot.history, plot.properties, version)
        conflict = Conflict(version, now, changes, which)
        return plot_page(
            request, viewer, lang, plot, status=409, conflict=conflict, entered=entered
        )
    status = 409 if isinstance(exc, ConflictError) else 422
    return plot_page(
        request,
        viewer,
        lang,
        plot,
        status=status,
        error=str(exc),
        error_form=which,
        entered=entered,
    )


async def _submit(
    request: Request,
    viewer: Viewer,
    lang: str,
    settings: Settings,
    store: Store,
    plot_id: str,
    which: str,
    fields: frozenset[str],
    call: Callable[[Form, int], uc.PlotDetail],
    notice: Callable[[uc.PlotDetail, int], str],
) -> HTMLResponse | RedirectResponse:
    """Run one form: role, form, version, the use case; redirect or show the page again."""
    viewer.require_write()  # a planner or public caller: the 403 page, nothing read
    form = await read_form(request, allowed=fields)
    version = form_version(form)
    try:
        detail = await run_in_threadpool(call, form, version)
    except (ConflictError, InputError) as exc:
        entered = entries(form, fields)
        return await run_in_threadpool(
            refused, request, viewer, lang, settings, store, plot_id, version, exc, which, entered
        )
    target = href_for(lang, f"/register/{plot_id}", notice=notice(detail, version))
    return RedirectResponse(target, status_code=303)


def _reason(form: Form, what: str) -> str:
    """The required reason of a status or publication form."""
    reason = _text(form.get("reason"))
    if not reason:
        raise InputError(f"{what} needs a reason; it goes into the history.")
    return reason


@router.post("/register/{plot_id}/edit", response_class=HTMLResponse)
async def edit(
    plot_id: str,
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
) -> Any:
    """Store the changed attributes of the edit form (:func:`geo.usecases.landpool.edit_plot`)."""

    def call(form: Form, version: int) -> uc.PlotDetail:
        sent = form.keys()
        values = {k: _text(form.get(k)) for k in EDITABLE_FIELDS if k in sent}
        reason = _text(form.get("reason"))
        return uc.edit_plot(store, viewer, plot_id, version=version, values=values, reason=reason)

    return await _submit(
        request,
        viewer,
        lang,
        settings,
        store,
        plot_id,
        "edit",
        EDIT_FIELDS,
        call,
        lambda d, v: "unchanged" if d.version == v else "saved",
    )


@router.post("/register/{plot_id}/status", response_class=HTMLResponse)
async def status(
    plot_id: str,
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
) -> Any:
    """Move the plot along the workflow (:func:`geo.usecases.landpool.change_status`)."""

    def call(form: Form, version: int) -> uc.PlotDetail:
        target = form.get("status")
        if not target:
            raise InputError("choose the new status.")
        reason = _reason(form, "a status change")
        return uc.change_status(store, viewer, plot_id, target, reason=reason, version=version)

    fields = frozenset({"status", "reason", "version"})
    return await _submit(
        request, viewer, lang, settings, store, plot_id, "status", fields, call, _fixed("status")
    )


def _fixed(notice: str) -> Callable[[uc.PlotDetail, int], str]:
    return lambda _d, _v: notice


@router.post("/register/{plot_id}/publish", response_class=HTMLResponse)
async def publish(
    plot_id: str,
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
) -> Any:
    """Publish the plot with a reason (:func:`geo.usecases.landpool.publish_plot`)."""

    def call(form: Form, version: int) -> uc.PlotDetail:
        reason = _reason(form, "publishing a plot")
        return uc.publish_plot(store, viewer, plot_id, reason=reason, version=version)

    fields = frozenset({"reason", "version"})
    return await _submit(
        request,
        viewer,
        lang,
        settings,
        store,
        plot_id,
        "publish",
        fields,
        call,
        _fixed("published"),
    )


@router.post("/register/{plot_id}/unpublish", response_class=HTMLResponse)
async def unpublish(
    plot_id: str,
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
) -> Any:
    """Withdraw the publication with a reason (:func:`geo.usecases.landpool.unpublish_plot`)."""

    def call(form: Form, version: int) -> uc.PlotDetail:
        reason = _reason(form, "withdrawing a publication")
        return uc.unpublish_plot(store, viewer, plot_id, reason=reason, version=version)

    fields = frozenset({"reason", "version"})
    return await _submit(
        request,
        viewer,
        lang,
        settings,
        store,
        plot_id,
        "unpublish",
        fields,
        call,
        _fixed("unpublished"),
    )
