"""The security schemes of the OpenAPI document: which operations take which credentials.

The API reads credentials in one place (:func:`api.deps.get_viewer`): an
``Authorization: Bearer TOKEN`` header with an API token, or none for the public role.
This module declares that scheme in ``components.securitySchemes`` (so ``/docs`` offers
*Authorize*) and, on every operation that asks who is calling, lists it as optional
(``[{}, {"bearerToken": []}]``: public without, the token's role with). Operations that do
not read the caller carry no security entry. A session-cookie scheme is added here once
the web app has one.
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

#: Name of the bearer-token scheme in the OpenAPI document.
BEARER = "bearerToken"
SCHEMES: dict[str, dict[str, Any]] = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "API token (created by 'stadtregion tokens create'). Without it the "
        "caller has the public role; with it, the token's role (e.g. the land-pool team "
        "sees confidential plots).",
    }
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
                    op["security"] = [{}, {BEARER: []}]
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
