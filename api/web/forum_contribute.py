"""The forum's submit form without an account, its confirmation and the forget link.

``GET /forum/contribute`` shows the form (a map to click, or a municipality, or a
published plot; topic, title, text, optional e-mail, a honeypot field that people do not
see). ``POST /forum/contribute`` checks it (CSRF and unknown fields by
:func:`api.web.forms.read_form`, size, rate limits per client and overall), stores it as
``pending`` and redirects (303) to the confirmation. A filled honeypot gets the same
confirmation and stores nothing. Bad input shows the form again with the message (422);
a limit shows when to try again (429). ``/forum/contributions/forget`` deletes the
contact e-mail of the signed link (GET asks, POST deletes).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.auth import client_address
from api.web.forms import read_form
from api.web.forum_common import (
    ContribDep,
    LandDep,
    SettingsDep,
    ViewerDep,
    check_form_size,
    contribution_layer,
    map_block,
    outline_layer,
)
from api.web.render import PageLang, href_for, page
from geo.access.roles import PUBLIC
from geo.errors import InputError, TooManyAttemptsError
from geo.forum import model
from geo.forum.store import new_id
from geo.usecases import forum as forum_uc
from geo.usecases import region as region_uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
#: The form's fields; ``website`` is the honeypot.
FIELDS = {"lat", "lon", "ags", "plot_id", "topic", "title", "text", "email", "website"}
HONEYPOT = "website"


def _options(settings: Any, land: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Municipalities (of the ISEK area first, then all) and published plots to choose."""
    model_ = region_uc.region(settings).model
    rows = model_.sort_values("name")
    muns = [(str(a), f"{n} ({a})") for a, n in zip(rows["ags"], rows["name"], strict=True)]
    plots = region_uc.viewer_plots(land, PUBLIC)
    plot_opts = [
        (str(p), f"{n or p} – {m or ''}".strip(" –"))
        for p, n, m in zip(plots["plot_id"], plots["name"], plots["municipality"], strict=True)
    ]
    return muns, sorted(plot_opts, key=lambda t: t[1])


def _form_page(
    request: Request,
    viewer: Any,
    lang: str,
    store: Any,
    land: Any,
    settings: Any,
    *,
    values: dict[str, Any] | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    muns, plots = _options(settings, land)
    frame = forum_uc.public_frame(store, forum_uc.PublicQuery(status="approved"))

    def href(path: str) -> str:
        return href_for(lang, path)

    layers = [outline_layer(settings, lang)]
    layers += [contribution_layer(frame, lang, href)] if len(frame) else []
    limits = word("forum_contrib", "limits", lang)
    return page(
        request,
        viewer,
        "forum_contribute.html",
        lang,
        title=word("forum_contrib", "title", lang),
        status=status,
        uses_map=True,
        map_data=map_block(settings, layers),
        topics=[(t.key, t.label(lang)) for t in store.topics()],
        municipalities=muns,
        plots=plots,
        values=values or {},
        error=error,
        title_limits=limits.format(lo=model.TITLE_MIN, hi=model.TITLE_MAX),
        text_limits=limits.format(lo=model.TEXT_MIN, hi=model.TEXT_MAX),
        limits=model,
        email_hint=word("forum_contrib", "email_hint", lang).format(
            days=f"{settings.contact_retention_days:g}"
        ),
    )


@router.get("/forum/contribute", response_class=HTMLResponse)
def contribute_form(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    land: LandDep,
    settings: SettingsDep,
) -> HTMLResponse:
    """The submit form (no account needed)."""
    return _form_page(request, viewer, lang, store, land, settings)


@router.post("/forum/contribute", response_class=HTMLResponse)
async def contribute(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    land: LandDep,
    settings: SettingsDep,
) -> Response:
    """Check and store a contribution as pending; redirect to the confirmation."""
    check_form_size(request)
    form = await read_form(request, FIELDS)
    values = {k: form.get(k) for k in FIELDS if k != HONEYPOT}
    client = client_address(request)
    try:
        if form.get(HONEYPOT):
            store.count_decoy(client)  # counted against the client, nothing else stored
            return RedirectResponse(
                href_for(lang, "/forum/contribute/thanks", id=new_id()), status_code=303
            )
        c = forum_uc.submit(settings, store, land, values, client)
    except InputError as exc:
        return _form_page(
            request,
            viewer,
            lang,
            store,
            land,
            settings,
            values=values,
            error=str(exc),
            status=422,
        )
    except TooManyAttemptsError as exc:
        response = _form_page(
            request,
            viewer,
            lang,
            store,
            land,
            settings,
            values=values,
            error=str(exc),
            status=429,
        )
        response.headers["retry-after"] = str(exc.retry_after_s)
        return response
    params: dict[str, Any] = {"id": c.id}
    if values.get("email"):
        params["forget"] = store.forget_link(c.id)
    return RedirectResponse(href_for(lang, "/forum/contribute/thanks", **params), status_code=303)


@router.get("/forum/contribute/thanks", response_class=HTMLResponse)
def thanks(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    id: Annotated[str | None, Query(max_length=20, pattern=r"^[a-z2-7]{1,20}$")] = None,
    forget: Annotated[str | None, Query(max_length=120)] = None,
) -> HTMLResponse:
    """The confirmation: the contribution awaits moderation (and the forget link)."""
    link = None
    if forget:
        link = str(request.base_url).rstrip("/") + href_for(
            lang, "/forum/contributions/forget", token=forget
        )
    return page(
        request,
        viewer,
        "forum_thanks.html",
        lang,
        title=word("forum_contrib", "thanks_title", lang),
        contribution_id=id,
        forget_link=link,
    )


@router.get("/forum/contributions/forget", response_class=HTMLResponse)
def forget_page(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    settings: SettingsDep,
    token: Annotated[str, Query(max_length=120)],
    done: Annotated[str | None, Query(pattern="^(deleted|none)$")] = None,
) -> HTMLResponse:
    """Ask before deleting the contact e-mail of a signed forget link."""
    forum_uc.check_forget_link(settings, token)
    return page(
        request,
        viewer,
        "forum_forget.html",
        lang,
        title=word("forum_contrib", "forget_title", lang),
        token=token,
        done=done,
    )


@router.post("/forum/contributions/forget", response_class=HTMLResponse)
async def forget(
    request: Request, lang: PageLang, store: ContribDep, settings: SettingsDep
) -> Response:
    """Delete the contact e-mail of the signed link; redirect to say so."""
    check_form_size(request)
    form = await read_form(request, {"token"})
    token = form.get("token")
    deleted = forum_uc.forget_by_token(settings, store, token)
    return RedirectResponse(
        href_for(
            lang, "/forum/contributions/forget", token=token, done="deleted" if deleted else "none"
        ),
        status_code=303,
    )
