"""The one place that maps the error tree of :mod:`geo.errors` to HTTP status codes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.deps import get_viewer
from api.web.paths import wants_page
from api.web.render import page
from geo import errors
from geo.access.roles import PUBLIC
from geo.vocabulary import word

#: Most specific class first: the first match decides the status code.
STATUS_BY_ERROR: list[tuple[type[BaseException], int]] = [
    (errors.NotFoundError, 404),
    (errors.ConflictError, 409),
    (errors.PermissionDeniedError, 403),
    (errors.AuthenticationError, 401),
    (errors.QueryParameterError, 400),
    (errors.DataSourceError, 503),
    (errors.InputError, 422),
    (errors.TooManyAttemptsError, 429),
    (errors.StadtregionError, 400),
]


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: str = Field(description="Error class, e.g. NotFoundError")
    detail: str = Field(description="What is wrong and how to fix it")
    suggestions: list[str] | None = Field(default=None, description="Closest known names")
    candidates: list[str] | None = Field(default=None, description="Names an input matched")


_ERROR_TEXT = {
    400: "Invalid query parameter (OGC API) or request",
    401: "Missing, unknown, revoked or expired API token",
    403: "The caller's role may not do this",
    404: "No such resource",
    405: "Method not allowed",
    409: "Conflict with the stored state",
    413: "Request body too large",
    415: "Unsupported request content type",
    422: "Invalid input",
    429: "Too many requests: wait and try again",
    503: "Data source missing: the server is not set up",
}
#: Error answers documented for every operation (the body is always :class:`ErrorBody`).
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": text,
        "model": ErrorBody,
        # Errors are JSON also on routes that answer GeoJSON or HTML when all goes well.
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for code, text in _ERROR_TEXT.items()
}


def status_for(exc: BaseException) -> int:
    """Return the HTTP status code for an error of the stadtregion tree."""
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(exc: BaseException) -> dict[str, object]:
    """Return the JSON body of an error: its class name, message and any hints."""
    body: dict[str, object] = {"error": type(exc).__name__, "detail": str(exc)}
    suggestions = getattr(exc, "suggestions", None)
    if suggestions:
        body["suggestions"] = list(suggestions)
    candidates = getattr(exc, "candidates", None)
    if candidates:
        body["candidates"] = list(candidates)
    problems = getattr(exc, "problems", None)  # ImportRefusedError: every bad row
    if problems:
        body["problems"] = [p.to_dict() for p in problems]
    return body


def _is_page(request: Request) -> bool:
    return wants_page(request.url.path, request.headers.get("accept", ""))


def error_page(
    request: Request,
    status: int,
    detail: str,
    problems: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """The HTML error page of a web page: status, what is wrong, the way on (login, start)."""
    try:
        viewer = get_viewer(request)
    except errors.StadtregionError:  # a bad token or session: the page shows the public header
        viewer = PUBLIC
    lang = "en" if request.query_params.get("lang") == "en" else "de"
    known = status in _ERROR_TEXT or status == 500
    response = page(
        request,
        viewer,
        "error.html",
        lang,
        title=word("web", f"error_{status}" if known else "error", lang),
        status=status,
        detail=detail,
        problems=problems or [],
    )
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Register handlers: a readable JSON body on API routes, an HTML page on web pages."""

    @app.exception_handler(errors.StadtregionError)
    def _stadtregion(request: Request, exc: errors.StadtregionError) -> JSONResponse | HTMLResponse:
        headers = (
            {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.AuthenticationError) else None
        )
        if isinstance(exc, errors.TooManyAttemptsError):
            headers = {"Retry-After": str(exc.retry_after_s)}
        if _is_page(request):
            problems = [str(p) for p in getattr(exc, "problems", None) or []]
            return error_page(request, status_for(exc), str(exc), problems, headers)
        return JSONResponse(error_body(exc), status_code=status_for(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    def _validation(request: Request, exc: RequestValidationError) -> JSONResponse | HTMLResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
            problems.append(f"{where}: {e.get('msg', 'invalid')}")
        detail = "; ".join(problems) or "invalid request"
        # OGC API – Features and web pages answer invalid query parameters with 400.
        if _is_page(request):
            return error_page(request, 400, detail)
        return JSONResponse(
            {"error": "InputError", "detail": detail},
            status_code=400 if request.url.path.startswith("/ogc") else 422,
        )

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse | HTMLResponse:
        if _is_page(request):
            return error_page(
                request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
            )
        return JSONResponse(
            {"error": "HTTPError", "detail": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    def _unexpected(request: Request, exc: Exception) -> JSONResponse | HTMLResponse:
        if _is_page(request):
            return error_page(request, 500, "internal error; see the server log")
        return JSONResponse(
            {"error": "InternalError", "detail": "internal error; see the server log"},
            status_code=500,
        )
