"""The session cookie of the web app: reading, setting and clearing ``sr_session``.

:func:`api.deps.get_viewer` calls :func:`viewer_of` when a request has no
``Authorization`` header. A valid cookie gives the account's viewer and sets
``request.state.session_id`` (the session's row id, never the cookie value); an unknown,
ended or expired one gives ``None`` (the public role) and sets
``request.state.clear_session_cookie``, on which :class:`SessionCookieMiddleware` clears
the cookie in whatever answer the request gets (pages, API answers, cached answers and
error pages alike).

The cookie is HttpOnly, SameSite=Lax, ``Secure`` when the request came over HTTPS (behind a
reverse proxy: uvicorn's ``--forwarded-allow-ips`` makes ``X-Forwarded-Proto`` count),
``Path=/`` and ``Max-Age`` = the session's absolute lifetime (``session_max_age_h``).

Cookie-only API writes need the CSRF token as a header (:func:`require_csrf_header`):
``X-CSRF-Token`` equal to the ``sr_csrf`` cookie. The cookie is HttpOnly; a page's script
reads the token from ``<meta name="csrf-token">`` of ``base.html`` (or a form's hidden
``csrf_token`` field).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web import csrf
from geo.access.accounts import Accounts
from geo.access.roles import Viewer
from geo.access.sessions import COOKIE
from geo.errors import PermissionDeniedError

#: Header a cookie-authenticated API write carries its CSRF token in.
CSRF_HEADER = "x-csrf-token"

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "SessionCookieMiddleware",
    "clear_cookie",
    "require_csrf_header",
    "session_id",
    "set_cookie",
    "viewer_of",
]


def viewer_of(request: Request, accounts: Callable[[], Accounts]) -> Viewer | None:
    """The viewer of the request's session cookie (``None``: no cookie or no valid session).

    ``accounts`` is called only when there is a cookie (a visitor without one never opens
    the account tables).
    """
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    found = accounts().authenticate(token)
    if found is None:
        request.state.clear_session_cookie = True
        return None
    request.state.session_id = found.session_id
    request.state.session_expires_at = found.expires_at
    return found.viewer


def session_id(request: Request) -> int | None:
    """The id of the request's valid session (set by :func:`viewer_of`), else ``None``."""
    value = getattr(request.state, "session_id", None)
    return int(value) if value is not None else None


def require_csrf_header(request: Request) -> None:
    """Refuse (403) a cookie-only API write without the CSRF header, or from another site."""
    if not csrf.same_origin(request):
        raise PermissionDeniedError(
            "this request was sent from another site with this browser's session; send it "
            "from a page of this server, or use an API token (Authorization: Bearer)."
        )
    sent = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(csrf.COOKIE, "")
    if not sent or not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise PermissionDeniedError(
            "a write with the session cookie needs the header X-CSRF-Token with the page's "
            'CSRF token (the sr_csrf cookie; <meta name="csrf-token"> on every page), or '
            "an API token (Authorization: Bearer)."
        )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, token: str, expires_at: datetime) -> None:
    """Put a new session's id into ``response`` (Max-Age until ``expires_at``)."""
    settings = request.app.state.settings
    max_age = int(settings.session_max_age_h * 3600)
    response.set_cookie(
        COOKIE,
        token,
        max_age=max_age,
        expires=expires_at,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )


def clear_cookie(request: Request, response: Response) -> None:
    """Make the browser forget its session cookie."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax", secure=_secure(request))


def _clearing_header(scope: Scope) -> bytes:
    response = Response()
    request = Request(scope)
    clear_cookie(request, response)
    return dict(response.raw_headers)[b"set-cookie"]


class SessionCookieMiddleware:
    """Clear the session cookie of a request whose session is no longer valid."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_clearing(message: Message) -> None:
            if message["type"] == "http.response.start":
                state = scope.get("state") or {}
                if isinstance(state, dict) and state.get("clear_session_cookie"):
                    headers = list(message.get("headers", []))
                    sets = [v for k, v in headers if k.lower() == b"set-cookie"]
                    if not any(v.startswith(COOKIE.encode() + b"=") for v in sets):
                        headers.append((b"set-cookie", _clearing_header(scope)))
                        message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_clearing)
