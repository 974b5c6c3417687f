"""``stadtregion users``: the web app's accounts (create, list, disable, enable, reset-password).

Passwords are read hidden from the terminal (asked twice), from standard input with
``--password-stdin`` (one line), or generated with ``--generate`` (printed once on standard
output, the only time a password is ever printed). The command runs with the admin role:
whoever may run it on the server may open the database anyway.
"""

from __future__ import annotations

import getpass
import sys

import typer

from api.cli import app
from geo.access.accounts import Accounts
from geo.access.roles import Viewer
from geo.access.users import ACCOUNT_ROLES, UserInfo, parse_account_role, parse_username
from geo.errors import InputError
from geo.settings import get_settings
from geo.usecases import accounts as accounts_uc

users_app = typer.Typer(
    help="User accounts of the web app: create, list, disable, enable, reset-password.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")

_ROLES = ", ".join(r.value for r in ACCOUNT_ROLES)
_STDIN = typer.Option(
    False, "--password-stdin", help="Read the password from standard input (one line)."
)
_GENERATE = typer.Option(False, "--generate", help="Generate a random password and print it once.")


def _operator() -> Viewer:
    """The viewer of the command: an admin, named after the system user (never a username)."""
    return Viewer("admin", f"cli:{getpass.getuser()}")


def _password(stdin: bool, generate: bool) -> str | None:
    """The password the command was given (``None``: generate one)."""
    if stdin and generate:
        raise InputError("give --password-stdin or --generate, not both.")
    if generate:
        return None
    if stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise InputError("no password on standard input; send it as one line.")
        return line
    if not sys.stdin.isatty():
        raise InputError(
            "no terminal to ask for the password; send it with --password-stdin or use --generate."
        )
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat the password: ")
    if first != second:
        raise InputError("the two passwords differ; nothing was changed.")
    return first


def _shown_once(password: str | None) -> None:
    if password is not None:
        typer.echo(password)
        typer.echo(
            "This generated password is shown once and stored only as a hash; pass it on safely.",
            err=True,
        )


def _when(user: UserInfo) -> str:
    if user.last_login_at is None:
        return "never"
    return user.last_login_at.isoformat(timespec="seconds")


@users_app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name: a-z, 0-9 and . _ - @ (2-64)."),
    role: str = typer.Option(..., "--role", help=f"One of {_ROLES}."),
    display_name: str = typer.Option(
        None, "--display-name", help="The person's name (default: the username)."
    ),
    password_stdin: bool = _STDIN,
    generate: bool = _GENERATE,
) -> None:
    """Create an account (asks for the password twice unless told otherwise)."""
    parse_username(username)  # a bad name or role is refused before a password is asked
    parse_account_role(role)
    password = _password(password_stdin, generate)
    with Accounts.open(get_settings()) as accounts:
        user, generated = accounts_uc.create_user(
            accounts, _operator(), username, role, display_name=display_name, password=password
        )
    _shown_once(generated)
    typer.echo(f"user '{user.username}' ({user.role.value}) created.", err=True)


@users_app.command("list")
def list_() -> None:
    """List the accounts: username, role, state, last login, open sessions, display name."""
    with Accounts.open(get_settings()) as accounts:
        rows = accounts_uc.list_users(accounts, _operator())
    if not rows:
        typer.echo("no users; create the first admin: stadtregion users create NAME --role admin")
        return
    typer.echo(
        f"{'username':<24} {'role':<9} {'state':<9} {'last login':<26} {'sessions':>8}  name"
    )
    for row in rows:
        u = row.user
        typer.echo(
            f"{u.username:<24} {u.role.value:<9} {u.state:<9} {_when(u):<26} "
            f"{row.open_sessions:>8}  {u.display_name}"
        )


@users_app.command("disable")
def disable(username: str = typer.Argument(..., help="The account to disable.")) -> None:
    """Disable an account: it cannot log in, and its open sessions end now."""
    with Accounts.open(get_settings()) as accounts:
        user = accounts_uc.disable_user(accounts, _operator(), username)
    typer.echo(f"user '{user.username}' disabled; its sessions have ended.")


@users_app.command("enable")
def enable(username: str = typer.Argument(..., help="The account to enable.")) -> None:
    """Enable a disabled account again."""
    with Accounts.open(get_settings()) as accounts:
        user = accounts_uc.enable_user(accounts, _operator(), username)
    typer.echo(f"user '{user.username}' enabled.")


@users_app.command("reset-password")
def reset_password(
    username: str = typer.Argument(..., help="The account."),
    password_stdin: bool = _STDIN,
    generate: bool = _GENERATE,
) -> None:
    """Give an account a new password; its open sessions end now."""
    with Accounts.open(get_settings()) as accounts:
        # an unknown user is refused before a password is asked
        accounts_uc.get_user(accounts, _operator(), username)
        password = _password(password_stdin, generate)
        user, generated = accounts_uc.reset_password(accounts, _operator(), username, password)
    _shown_once(generated)
    typer.echo(f"new password set for '{user.username}'; its sessions have ended.", err=True)
