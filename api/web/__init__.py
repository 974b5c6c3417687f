"""The web app: server-rendered pages for planners, the land-pool team and forum members.

Pages parse their input, call one use case of :mod:`geo.usecases` (the same as the API
and the CLI) and render a Jinja2 template of ``api/web/templates`` with
:func:`api.web.render.page`. Who is calling is decided by :func:`api.deps.get_viewer`
(token or session), forms are read by :func:`api.web.forms.read_form` (CSRF, unknown
fields), and errors on page paths (:mod:`api.web.paths`) answer an HTML page.
"""

from __future__ import annotations

from fastapi import FastAPI

from api.web import (
    admin,
    auth,
    forum_contribute,
    forum_moderation,
    forum_public,
    pages,
    projects,
    reachability,
    register,
    register_forms,
    register_import,
    screening,
)
from api.web.session import SessionCookieMiddleware

#: The page routers, in the order they are included.
ROUTERS = (
    pages.router,
    auth.router,
    admin.router,
    reachability.router,
    screening.router,
    # /register/import before /register/{plot_id}
    register_import.router,
    register.router,
    register_forms.router,
    projects.router,
    forum_contribute.router,
    forum_public.router,
    forum_moderation.router,
)


def install(app: FastAPI) -> None:
    """Add the page routers to ``app``, and the clearing of stale session cookies."""
    for router in ROUTERS:
        app.include_router(router)
    # outermost: also clears the cookie on answers of the cache and of error handlers
    app.add_middleware(SessionCookieMiddleware)
