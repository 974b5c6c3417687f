"""The moderation queue of the forum's contributions (planner or admin role).

``GET /forum/moderation`` lists the pending contributions fairly across senders
(round-robin by the keyed client hash, with each sender's pending count), 50 a page
(``?page=``; every pending contribution is on some page), and the recently moderated
ones. ``POST /forum/moderation/{id}`` takes one step: approve, reject (public reason),
hide as spam, mark taken up by a project of the register (chosen from a list), reopen,
edit personal data out of title and text, or show the contact e-mail to answer (the look-up is
recorded; the address is shown on that answer only, never stored in the page's cache).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.web.forms import read_form
from api.web.forum_common import ContribDep, ViewerDep, check_form_size
from api.web.render import PageLang, href_for, page
from geo.access.roles import Viewer
from geo.errors import InputError, NotFoundError, QueryParameterError
from geo.forum.schema import STATUS
from geo.forum.store import ContributionStore
from geo.usecases import forum as forum_uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
#: Form action -> moderation step.
STEPS = {
    "approve": "approved",
    "reject": "rejected",
    "hide": "hidden",
    "take_up": "taken_up",
    "reopen": "reopened",
}
FIELDS = {"action", "reason", "project", "title", "text", "version", "page"}


def _queue_page(
    request: Request,
    viewer: Viewer,
    lang: str,
    store: ContributionStore,
    *,
    notice: str | None = None,
    error: str | None = None,
    contact: tuple[str, str | None] | None = None,
    status: int = 200,
    page_no: int = 1,
) -> HTMLResponse:
    queue = forum_uc.moderation_queue(store, viewer, page_no)
    recent = store.list(statuses=tuple(s for s in STATUS if s != "pending"), limit=20)
    topics = {t.key: t.label(lang) for t in store.topics()}
    return page(
        request,
        viewer,
        "forum_moderation.html",
        lang,
        title=word("forum_mod", "title", lang),
        status=status,
        queue=queue.entries,
        queue_page=queue,
        projects=forum_uc.project_choices(store),
        recent=recent,
        topic_names=topics,
        notice=notice,
        error=error,
        contact=contact,
    )


@router.get("/forum/moderation", response_class=HTMLResponse)
def moderation(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    done: Annotated[str | None, Query(pattern=r"^[a-z2-7]{1,20}$")] = None,
    page_no: Annotated[
        int, Query(alias="page", ge=1, le=100_000, description="Page of the queue (1-based).")
    ] = 1,
) -> HTMLResponse:
    """The fair moderation queue (planner or admin), 50 contributions a page."""
    forum_uc.require_moderator(viewer)
    notice = None
    if done:
        try:
            c = store.get(done)
            notice = word("forum_mod", "done", lang).format(
                id=c.id, status=word("forum_status", c.status, lang)
            )
        except NotFoundError:
            notice = None
    return _queue_page(request, viewer, lang, store, notice=notice, page_no=page_no)


@router.post("/forum/moderation/{contribution_id}", response_class=HTMLResponse)
async def moderate(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    contribution_id: Annotated[str, Path(pattern=r"^[a-z2-7]{1,20}$", max_length=20)],
) -> Response:
    """One moderation step; back to the queue (303), or the queue with the error (422)."""
    forum_uc.require_moderator(viewer)
    check_form_size(request)
    form = await read_form(request, FIELDS)
    action = form.get("action") or ""
    page_text = form.get("page") or "1"
    if not (page_text.isdigit() and len(page_text) <= 6 and 1 <= int(page_text) <= 100_000):
        raise QueryParameterError(f"page must be a whole number 1..100000, got {page_text!r}.")
    page_no = int(page_text)
    version_text = form.get("version")
    version: int | None = None
    if version_text is not None:
        if not version_text.isdigit() or len(version_text) > 9:
            raise QueryParameterError(f"version must be a whole number, got {version_text!r}.")
        version = int(version_text)
    try:
        if action == "contact":
            email = forum_uc.contact(store, viewer, contribution_id)
            return _queue_page(
                request, viewer, lang, store, contact=(contribution_id, email), page_no=page_no
            )
        if action == "edit":
            c = forum_uc.edit(
                store,
                viewer,
                contribution_id,
                title=form.get("title"),
                text=form.get("text"),
                version=version,
            )
        elif action in STEPS:
            kw: dict[str, Any] = {"reason": form.get("reason"), "version": version}
            if action == "take_up":
                kw["project_ref"] = form.get("project")
            c = forum_uc.moderate(store, viewer, contribution_id, STEPS[action], **kw)
        else:
            raise QueryParameterError(
                f"action must be one of {', '.join([*STEPS, 'edit', 'contact'])}, got {action!r}."
            )
    except InputError as exc:
        if isinstance(exc, QueryParameterError):
            raise
        return _queue_page(
            request, viewer, lang, store, error=str(exc), status=422, page_no=page_no
        )
    target = href_for(lang, "/forum/moderation", done=c.id, page=page_no if page_no > 1 else None)
    return RedirectResponse(target, status_code=303)
