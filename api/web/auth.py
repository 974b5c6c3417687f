"""Login and logout pages: ``/login`` (form and check) and ``/logout`` (page and action).

A login that succeeds starts a new server-side session (:mod:`geo.access.sessions`; a new
random id every time, the browser's previous session ended: no session fixation), sets
the ``sr_session`` cookie (:mod:`api.web.session`), hands out a new CSRF token and
redirects (303) to ``next``, a local path only (no open redirect). A refused login shows
the form again with one message for every cause (401); too many failures show when to
try again (429 with ``Retry-After``). Logout is a POST with the CSRF token (``GET
/logout`` is the page with the button), ends the session on the server and clears the
cookie.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_accounts, get_viewer
from api.web import csrf, session
from api.web.forms import read_form
from api.web.render import PageLang, href_for, page
from geo.access.accounts import Accounts
from geo.access.roles import Role, Viewer
from geo.errors import AuthenticationError, TooManyAttemptsError
from geo.usecases import accounts as accounts_uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
#: Local time of the pages (Jena).
LOCAL_TZ = ZoneInfo("Europe/Berlin")
_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")
#: Pages ``next`` never leads back to (a login would loop or undo itself).
_NO_RETURN = ("/login", "/logout")


def safe_next(value: str | None) -> str:
    """``value`` when it is a path on this server, else ``/`` (no open redirect).

    Refused: anything with a scheme or host (``https://evil``, ``//evil``), backslashes
    (``/\\evil``), spaces or control characters, or a path into ``/login`` or ``/logout``.
    """
    if not value or len(value) > 2000 or not value.startswith("/") or value.startswith("//"):
        return "/"
    if _CONTROL.search(value):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return "/"
    if any(parts.path == p or parts.path.startswith(p + "/") for p in _NO_RETURN):
        return "/"
    return value


def _with_lang(path: str, lang: str) -> str:
    """``path`` in ``lang`` (English adds ``lang=en`` unless the path names a language)."""
    query = dict(parse_qsl(urlsplit(path).query))
    return path if "lang" in query else href_for(lang, path)


def local_time(value: datetime | None, lang: str) -> str:
    """``value`` in Jena's local time, as the language writes it (empty when ``None``)."""
    if value is None:
        return ""
    local = value.astimezone(LOCAL_TZ)
    return local.strftime("%d.%m.%Y %H:%M" if lang != "en" else "%Y-%m-%d %H:%M")


def client_address(request: Request) -> str:
    """The client's address (only its HMAC is stored, for throttling)."""
    return request.client.host if request.client else "unknown"


def _login_page(
    request: Request,
    viewer: Viewer,
    lang: str,
    *,
    next_path: str,
    status: int = 200,
    error: str | None = None,
    username: str = "",
) -> HTMLResponse:
    settings = request.app.state.settings
    note = word("auth", "session_note", lang).format(
        hours=f"{settings.session_max_age_h:g}",
        minutes=f"{settings.session_idle_min:g}",
        failures=settings.login_max_failures,
        lockout=f"{settings.login_lockout_min:g}",
    )
    return page(
        request,
        viewer,
        "login.html",
        lang,
        title=word("auth", "login_title", lang),
        status=status,
        next_path=next_path,
        error=error,
        username=username,
        session_note=note,
        signed_in=session.session_id(request) is not None,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    next: Annotated[str | None, Query(max_length=2000, description="Where to go after")] = None,
) -> HTMLResponse:
    """The login form (``next``: the local page to open after logging in)."""
    return _login_page(request, viewer, lang, next_path=safe_next(next))


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request, viewer: ViewerDep, accounts: AccountsDep, lang: PageLang
) -> Response:
    """Check the login form; on success a new session and a redirect to ``next``."""
    form = await read_form(request, {"username", "password", "next"})
    next_path = safe_next(form.get("next"))
    username = form.get("username") or ""
    password = form.get("password") or ""
    args: dict[str, Any] = {"next_path": next_path, "username": username[:200]}
    if not username or not password:
        return _login_page(
            request, viewer, lang, status=422, error=word("auth", "missing", lang), **args
        )
    try:
        result = accounts_uc.login(
            accounts,
            username,
            password,
            client_address(request),
            replacing=request.cookies.get(session.COOKIE),
        )
    except AuthenticationError:
        return _login_page(
            request, viewer, lang, status=401, error=word("auth", "refused", lang), **args
        )
    except TooManyAttemptsError as exc:
        message = word("auth", "throttled", lang).format(
            time=exc.until.astimezone(LOCAL_TZ).strftime("%H:%M"),
            minutes=(exc.retry_after_s + 59) // 60,
        )
        response = _login_page(request, viewer, lang, status=429, error=message, **args)
        response.headers["retry-after"] = str(exc.retry_after_s)
        return response
    redirect = RedirectResponse(_with_lang(next_path, lang), status_code=303)
    session.set_cookie(request, redirect, result.token, result.session.expires_at)
    # a new CSRF token for the new session (one handed out before login is not reused)
    request.state.csrf_token = secrets.token_urlsafe(32)
    request.state.csrf_new = True
    csrf.set_cookie(request, redirect)
    redirect.headers["cache-control"] = "no-store"
    return redirect


@router.get("/logout", response_class=HTMLResponse)
def logout_page(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    done: Annotated[bool, Query(description="Just logged out")] = False,
) -> HTMLResponse:
    """The logout page: a button that ends the session (the map pages' header links here)."""
    return page(
        request,
        viewer,
        "logout.html",
        lang,
        title=word("auth", "logout_title", lang),
        signed_in=session.session_id(request) is not None,
        via_token=viewer.role != Role.PUBLIC and session.session_id(request) is None,
        done=done,
    )


@router.post("/logout")
async def logout(request: Request, accounts: AccountsDep, lang: PageLang) -> Response:
    """End the browser's session on the server and clear its cookie."""
    await read_form(request, set())
    token = request.cookies.get(session.COOKIE)
    if token:
        accounts_uc.logout(accounts, token)
    redirect = RedirectResponse(href_for(lang, "/logout", done="1"), status_code=303)
    session.clear_cookie(request, redirect)
    redirect.headers["cache-control"] = "no-store"
    return redirect
