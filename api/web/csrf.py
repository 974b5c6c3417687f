"""CSRF protection of the web forms: a random per-browser token in a cookie and in the form.

Every page hands out the token of its browser (cookie ``sr_csrf``, HttpOnly, SameSite=Lax,
Secure behind HTTPS) and every form carries it in the hidden field ``csrf_token``; a
POST whose field does not match its cookie (compared in constant time), or that comes
from another origin (``Origin`` header), is refused with 403 before anything is read or
stored. Another site can neither read the cookie nor set the field, so it cannot forge
a form post (the double-submit pattern of the OWASP cheat sheet, with the origin check).
"""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from geo.errors import PermissionDeniedError

COOKIE = "sr_csrf"
FIELD = "csrf_token"
#: Session-length cookie lifetime (a week); a new one is handed out when it is gone.
MAX_AGE_S = 7 * 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def csrf_token(request: Request) -> str:
    """The CSRF token of this browser (a new one when it has none; see :func:`set_cookie`)."""
    token = getattr(request.state, "csrf_token", None)
    if token is None:
        cookie = request.cookies.get(COOKIE, "")
        if _TOKEN.match(cookie):
            token = cookie
        else:
            token = secrets.token_urlsafe(32)
            request.state.csrf_new = True
        request.state.csrf_token = token
    return str(token)


def set_cookie(request: Request, response: Response) -> None:
    """Put a newly handed-out token into ``response`` as the ``sr_csrf`` cookie."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(
            COOKIE,
            str(request.state.csrf_token),
            max_age=MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
            path="/",
        )


def same_origin(request: Request) -> bool:
    """Whether the request's ``Origin`` (when sent) is this server."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.netloc.lower() == request.headers.get("host", "").lower()


def verify(request: Request, sent: str | None) -> None:
    """Refuse (403) a form post whose token is missing, wrong or from another origin."""
    cookie = request.cookies.get(COOKIE, "")
    if not same_origin(request):
        raise PermissionDeniedError(
            "this form was sent from another site; open the page on this server and send it "
            "from there."
        )
    if not sent or not cookie or not hmac.compare_digest(sent.encode(), cookie.encode()):
        raise PermissionDeniedError(
            "the form's security token (csrf_token) is missing or out of date; reload the page "
            "and send the form again."
        )
