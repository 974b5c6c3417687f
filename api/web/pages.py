"""The pages everyone may open: the start page, the forum page and the privacy notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.deps import get_viewer
from api.web.nav import pages_for
from api.web.render import PageLang, page
from geo.access.roles import PUBLIC, Viewer
from geo.forum.model import MODERATOR_ROLES
from geo.sources import ATTRIBUTIONS
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]

#: The public maps the forum page describes.
FORUM_MAPS = (
    "page_forum",
    "nav_projects",
    "page_region",
    "page_transit",
    "nav_reach",
    "nav_validation",
    "page_ogc",
)


@router.get("/", response_class=HTMLResponse)
def start(request: Request, viewer: ViewerDep, lang: PageLang) -> HTMLResponse:
    """The start page: what the tool is for, the pages the caller may open, the sources."""
    pages = [p for p in pages_for(viewer) if p.href != "/"]
    sources = list(dict.fromkeys(ATTRIBUTIONS.values()))
    return page(
        request,
        viewer,
        "start.html",
        lang,
        title=word("web", "start_title", lang),
        pages=pages,
        sources=sources,
    )


@router.get("/forum", response_class=HTMLResponse)
def forum(request: Request, viewer: ViewerDep, lang: PageLang) -> HTMLResponse:
    """The forum page: the public maps, linked and described (nothing internal)."""
    maps = [p for p in pages_for(PUBLIC) if p.key in FORUM_MAPS]
    return page(
        request,
        viewer,
        "forum.html",
        lang,
        title=word("forum_page", "title", lang),
        maps=maps,
        moderator=viewer.role in MODERATOR_ROLES,
    )


@router.get("/privacy", response_class=HTMLResponse)
def privacy(request: Request, viewer: ViewerDep, lang: PageLang) -> HTMLResponse:
    """The privacy notice (German by default)."""
    return page(
        request,
        viewer,
        "privacy.html",
        lang,
        title=word("privacy_page", "title", lang),
        sections=["cookies", "third", "staff", "forum", "forum_keep", "forum_ip"],
        retention_days=f"{request.app.state.settings.contact_retention_days:g}",
    )
