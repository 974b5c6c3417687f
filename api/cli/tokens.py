"""``stadtregion tokens``: create, list and revoke API tokens."""

from __future__ import annotations

from datetime import timedelta

import typer

from api.cli import app
from geo.access.accounts import Accounts
from geo.access.roles import Role
from geo.access.tokens import TokenStore
from geo.errors import InputError
from geo.settings import get_settings
from geo.usecases import accounts as accounts_uc

tokens_app = typer.Typer(
    help="API tokens: create (shown once), list, revoke.", no_args_is_help=True
)
app.add_typer(tokens_app, name="tokens")


@tokens_app.command("create")
def create(
    role: str = typer.Option(..., "--role", help=f"One of {', '.join(r.value for r in Role)}."),
    name: str = typer.Option(..., "--name", help="Who holds the token; recorded with writes."),
    expires_days: float = typer.Option(
        None, "--expires-days", help="Days until the token expires (default: never)."
    ),
) -> None:
    """Create a token and print it once: only its hash is stored."""
    if expires_days is not None and expires_days <= 0:
        raise InputError(f"--expires-days must be positive, got {expires_days}.")
    settings = get_settings()
    with Accounts.open(settings) as accounts:
        accounts_uc.check_token_name(accounts, name)
    store = TokenStore.open(settings)
    try:
        expires_in = timedelta(days=expires_days) if expires_days is not None else None
        token, info = store.create(name, role, expires_in=expires_in)
    finally:
        store.close()
    until = info.expires_at.isoformat(timespec="seconds") if info.expires_at else "never"
    typer.echo(token)
    typer.echo(
        f"token {info.id} '{info.name}' ({info.role.value}), expires {until}. "
        "Store it now: it is not shown again.",
        err=True,
    )


@tokens_app.command("list")
def list_() -> None:
    """List tokens (never the tokens themselves): id, name, role, state, expiry."""
    store = TokenStore.open(get_settings())
    try:
        infos = store.list()
    finally:
        store.close()
    if not infos:
        typer.echo("no tokens")
        return
    typer.echo(f"{'id':>4}  {'name':<24} {'role':<9} {'state':<8} {'shown':<13} expires")
    for i in infos:
        until = i.expires_at.isoformat(timespec="seconds") if i.expires_at else "never"
        typer.echo(
            f"{i.id:>4}  {i.name:<24} {i.role.value:<9} {i.state():<8} {i.shown:<13} {until}"
        )


@tokens_app.command("revoke")
def revoke(
    ref: str = typer.Argument(
        None, help="Token id or name (refused when it is one token's id and another's name)."
    ),
    token_id: int = typer.Option(None, "--id", help="Revoke the token with this id."),
    name: str = typer.Option(None, "--name", help="Revoke the token with this name."),
) -> None:
    """Revoke a token: it is refused from now on."""
    given = [v for v in (ref, token_id, name) if v is not None]
    if len(given) != 1:
        raise InputError("give exactly one of: a token id or name, --id ID, --name NAME.")
    if token_id is not None:
        target, by = str(token_id), "id"
    elif name is not None:
        target, by = name, "name"
    else:
        target, by = str(ref), None
    store = TokenStore.open(get_settings())
    try:
        info = store.revoke(target, by=by)
    finally:
        store.close()
    typer.echo(f"revoked token {info.id} '{info.name}' ({info.role.value})")
