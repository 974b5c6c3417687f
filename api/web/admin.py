"""``/admin/users``: the admins' page of user accounts (list, create, disable, password).

Admin role only (anyone else gets the HTML 403 page). Every action is a form with the
CSRF token; after disabling or enabling the page redirects (303) back to the list. A
new account or a new password either takes the password the admin typed (then the list
follows by redirect) or generates one, which this one answer shows (never stored in
clear, so there is nothing to redirect to; the answer is ``no-store``).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import get_accounts, get_viewer
from api.web.auth import local_time
from api.web.forms import read_form
from api.web.render import PageLang, href_for, page
from geo.access.accounts import Accounts
from geo.access.roles import ADMIN_ROLES, Viewer
from geo.access.users import ACCOUNT_ROLES, normalise_username
from geo.errors import ConflictError, InputError
from geo.usecases import accounts as accounts_uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AccountsDep = Annotated[Accounts, Depends(get_accounts)]
Username = Annotated[str, Path(min_length=1, max_length=64)]
Done = Literal["created", "disabled", "enabled", "password"]


def _list_page(
    request: Request,
    viewer: Viewer,
    accounts: Accounts,
    lang: str,
    *,
    status: int = 200,
    error: str | None = None,
    done: str | None = None,
    user: str | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    rows = accounts_uc.list_users(accounts, viewer)
    notice = None
    if done and user and any(r.user.username == normalise_username(user) for r in rows):
        # only about an account that exists: a crafted link cannot make up a notice
        notice = word("auth_admin", f"done_{done}", lang).format(user=normalise_username(user))
    return page(
        request,
        viewer,
        "admin_users.html",
        lang,
        title=word("auth_admin", "title", lang),
        status=status,
        rows=rows,
        roles=[r.value for r in ACCOUNT_ROLES],
        when=lambda value: local_time(value, lang),
        me=normalise_username(viewer.name),
        error=error,
        notice=notice,
        form=form or {"role": "planner"},
    )


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    viewer: ViewerDep,
    accounts: AccountsDep,
    lang: PageLang,
    done: Annotated[Done | None, Query(description="What was just done")] = None,
    user: Annotated[str | None, Query(max_length=64, description="To whom")] = None,
) -> HTMLResponse:
    """Every account with role, state and last login, and the forms that manage them."""
    viewer.require_role(ADMIN_ROLES, "manage user accounts")
    return _list_page(request, viewer, accounts, lang, done=done, user=user)


def _done(lang: str, done: str, user: str) -> RedirectResponse:
    return RedirectResponse(href_for(lang, "/admin/users", done=done, user=user), status_code=303)


def _generated_page(
    request: Request, viewer: Viewer, lang: str, user: str, password: str, done: str
) -> HTMLResponse:
    return page(
        request,
        viewer,
        "admin_password.html",
        lang,
        title=word("auth_admin", "generated_title", lang),
        user=user,
        password=password,
        notice=word("auth_admin", f"done_{done}", lang).format(user=user),
    )


@router.post("/admin/users", response_class=HTMLResponse)
async def create_user(
    request: Request, viewer: ViewerDep, accounts: AccountsDep, lang: PageLang
) -> Response:
    """Create an account; a generated password is shown on this one answer."""
    viewer.require_role(ADMIN_ROLES, "create user accounts")
    form = await read_form(request, {"username", "display_name", "role", "password"})
    values: dict[str, Any] = {
        "username": form.get("username") or "",
        "display_name": form.get("display_name") or "",
        "role": form.get("role") or "",
    }
    try:
        user, generated = accounts_uc.create_user(
            accounts,
            viewer,
            values["username"],
            values["role"],
            display_name=values["display_name"] or None,
            password=form.get("password"),
        )
    except (InputError, ConflictError) as exc:
        status = 409 if isinstance(exc, ConflictError) else 422
        return _list_page(
            request, viewer, accounts, lang, status=status, error=str(exc), form=values
        )
    if generated is None:
        return _done(lang, "created", user.username)
    return _generated_page(request, viewer, lang, user.username, generated, "created")


@router.post("/admin/users/{username}/disable")
async def disable_user(
    request: Request, username: Username, viewer: ViewerDep, accounts: AccountsDep, lang: PageLang
) -> Response:
    """Disable an account: its sessions end at once."""
    viewer.require_role(ADMIN_ROLES, "disable user accounts")
    await read_form(request, set())
    user = accounts_uc.disable_user(accounts, viewer, username)
    return _done(lang, "disabled", user.username)


@router.post("/admin/users/{username}/enable")
async def enable_user(
    request: Request, username: Username, viewer: ViewerDep, accounts: AccountsDep, lang: PageLang
) -> Response:
    """Enable a disabled account again."""
    viewer.require_role(ADMIN_ROLES, "enable user accounts")
    await read_form(request, set())
    user = accounts_uc.enable_user(accounts, viewer, username)
    return _done(lang, "enabled", user.username)


@router.post("/admin/users/{username}/password", response_class=HTMLResponse)
async def reset_password(
    request: Request, username: Username, viewer: ViewerDep, accounts: AccountsDep, lang: PageLang
) -> Response:
    """Give an account a new password (typed, or generated and shown once)."""
    viewer.require_role(ADMIN_ROLES, "reset passwords")
    form = await read_form(request, {"password"})
    try:
        user, generated = accounts_uc.reset_password(
            accounts, viewer, username, form.get("password")
        )
    except InputError as exc:
        return _list_page(request, viewer, accounts, lang, status=422, error=str(exc))
    if generated is None:
        return _done(lang, "password", user.username)
    return _generated_page(request, viewer, lang, user.username, generated, "password")
