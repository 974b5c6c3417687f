"""Use cases of accounts: log in and out, and the admins' management of user accounts.

The login page and the admin page (:mod:`api.web.auth`) and ``stadtregion users`` call
these functions. Managing accounts needs the admin role (the CLI runs as an admin: whoever
may run it on the server may open the database anyway):

- :func:`login` / :func:`logout` – start and end a session.
- :func:`list_users` – every account with its state, last login and open sessions;
  :func:`get_user` – one account.
- :func:`create_user` – a new account, with a given or a generated password.
- :func:`disable_user` / :func:`enable_user` – disabling ends the user's sessions.
- :func:`reset_password` – a new (given or generated) password; ends the user's sessions.

A generated password is returned once and never stored in clear.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.access.accounts import Accounts, LoginResult
from geo.access.roles import ADMIN_ROLES, Role, Viewer
from geo.access.users import UserInfo, generate_password, normalise_username
from geo.errors import ConflictError, InputError


@dataclass(frozen=True)
class UserRow:
    """An account as the admins' list shows it."""

    user: UserInfo
    open_sessions: int


def _require_admin(viewer: Viewer, action: str) -> None:
    viewer.require_role(ADMIN_ROLES, action)


def login(
    accounts: Accounts,
    username: str,
    password: str,
    client: str,
    *,
    replacing: str | None = None,
) -> LoginResult:
    """Log in (see :meth:`geo.access.accounts.Accounts.login` for the refusals).

    ``replacing``: the session id the browser held before; that session ends when the
    new one starts (one browser, one session; a planted id is never taken on).
    """
    result = accounts.login(username, password, client)
    if replacing:
        accounts.sessions.end(replacing, "replaced")
    return result


def logout(accounts: Accounts, token: str) -> bool:
    """End the session whose cookie is ``token``; whether one was open."""
    return accounts.logout(token)


def list_users(accounts: Accounts, viewer: Viewer) -> list[UserRow]:
    """Every account (admin role), by username."""
    _require_admin(viewer, "list user accounts")
    counts = accounts.sessions.open_counts()
    return [UserRow(u, counts.get(u.id, 0)) for u in accounts.users.list()]


def get_user(accounts: Accounts, viewer: Viewer, username: str) -> UserInfo:
    """The account ``username`` (admin role); :class:`NotFoundError` when there is none."""
    _require_admin(viewer, "read user accounts")
    return accounts.users.get(username)


def create_user(
    accounts: Accounts,
    viewer: Viewer,
    username: str,
    role: str | Role,
    *,
    display_name: str | None = None,
    password: str | None = None,
) -> tuple[UserInfo, str | None]:
    """Create an account (admin role); return it and the generated password, if any.

    Without ``password`` one is generated (returned once, never stored in clear).
    """
    _require_admin(viewer, "create user accounts")
    generated = generate_password() if password is None else None
    user = accounts.users.create(
        username,
        role,
        password if password is not None else str(generated),
        display_name=display_name,
    )
    return user, generated


def check_token_name(accounts: Accounts, name: str) -> str:
    """A new API token's name, refused when it is a user account's username or display name.

    Writes record the token's name as their author, as they record a signed-in user's
    username: a token named like an account would let the history name that person for
    writes they did not make.

    Raises
    ------
    InputError
        The name (compared without case and surrounding spaces) is an account's.
    """
    wanted = name.strip().casefold()
    for user in accounts.users.list():
        if wanted in (user.username.casefold(), user.display_name.strip().casefold()):
            raise InputError(
                f"--name {name!r} is the name of the user account {user.username!r}; the "
                "history would name that person for the token's writes. Choose another name "
                "(e.g. the system or office that holds the token)."
            )
    return name


def disable_user(accounts: Accounts, viewer: Viewer, username: str) -> UserInfo:
    """Disable an account and end its sessions (admin role; not one's own)."""
    _require_admin(viewer, "disable user accounts")
    if normalise_username(username) == normalise_username(viewer.name):
        raise ConflictError(
            "you cannot disable your own account; another admin (or 'stadtregion users "
            "disable') can."
        )
    return accounts.users.disable(username)


def enable_user(accounts: Accounts, viewer: Viewer, username: str) -> UserInfo:
    """Enable a disabled account again (admin role)."""
    _require_admin(viewer, "enable user accounts")
    return accounts.users.enable(username)


def reset_password(
    accounts: Accounts, viewer: Viewer, username: str, password: str | None = None
) -> tuple[UserInfo, str | None]:
    """Give an account a new password and end its sessions (admin role).

    Without ``password`` one is generated and returned (once).
    """
    _require_admin(viewer, "reset passwords")
    generated = generate_password() if password is None else None
    user = accounts.users.set_password(
        username, password if password is not None else str(generated)
    )
    return user, generated
