"""The security schemes of the OpenAPI document: which operations take which credentials.

The API reads credentials in one place (:func:`api.deps.get_viewer`): an
``Authorization: Bearer TOKEN`` header with an API token (it takes precedence), else the
session cookie ``sr_session`` of a login to the web app, or none for the public role.
This module declares both schemes in ``components.securitySchemes`` (so ``/docs`` offers
*Authorize*) and, on every operation that asks who is calling, lists them as
alternatives, each optional (``[{}, {"bearerToken": []}, {"sessionCookie": []}]``:
public without, the token's or the account's role with). Operations that do not read the
caller carry no security entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from api.deps import get_viewer
from geo.access.sessions import COOKIE as SESSION_COOKIE

#: Name of the bearer-token scheme in the OpenAPI document.
BEARER = "bearerToken"
#: Name of the session-cookie scheme (``sr_session``, :mod:`api.web.session`).
SESSION = "sessionCookie"
SCHEMES: dict[str, dict[str, Any]] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "API token (created by 'stadtregion tokens create'). Without it the "
        "caller has the public role; with it, the token's role (e.g. the land-pool team "
        "sees confidential plots).",
    },
    SESSION: {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": "Session of a login to the web app (/login; the browser sends the "
        "cookie by itself). The account's role, as with a token. POST, PUT, PATCH and "
        "DELETE with only this cookie must also send the header X-CSRF-Token with the "
        'value of the sr_csrf cookie (every page has it in <meta name="csrf-token">), '
        "else 403.",
    },
}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def reads_caller(route: APIRoute) -> bool:
    """Whether ``route`` asks who is calling (depends on :func:`api.deps.get_viewer`)."""
    return any(call is get_viewer for call in _calls(route.dependant))


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every :class:`APIRoute` of ``routes``, included routers walked through."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)  # an included APIRouter
        if inner is not None:
            yield from api_routes(inner.routes)


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare :data:`SCHEMES` and each operation's security."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        doc.setdefault("components", {})["securitySchemes"] = SCHEMES
        for route in api_routes(app.routes):
            if not reads_caller(route):
                continue
            ops = doc.get("paths", {}).get(route.path_format, {})
            for method in route.methods or ():
                op = ops.get(method.lower())
                if op is not None:
                    op["security"] = [{}, {BEARER: []}, {SESSION: []}]
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
