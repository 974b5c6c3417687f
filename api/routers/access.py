"""``/whoami`` and ``/tokens``: who the caller is, and the API tokens (admins only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.deps import get_token_store, get_viewer
from geo.access.roles import ADMIN_ROLES, Viewer
from geo.access.tokens import TokenStore

router = APIRouter(tags=["access"])

Caller = Annotated[Viewer, Depends(get_viewer)]


class WhoAmI(BaseModel):
    """The caller as the API sees it."""

    role: str = Field(description="public, planner, landpool or admin")
    name: str = Field(description="Name of the token (public without one)")
    sees_confidential: bool
    may_write: bool


class TokenOut(BaseModel):
    """An API token as listed to admins (never the token or its hash)."""

    id: int
    name: str
    role: str
    state: str = Field(description="active, expired or revoked")
    shown: str = Field(description="First characters, to tell tokens apart")
    created_at: str
    expires_at: str | None


@router.get("/whoami", summary="The caller's role", response_model=WhoAmI)
def whoami(viewer: Caller) -> WhoAmI:
    """The role and name the API gives the caller's credentials (check a token with it)."""
    return WhoAmI(
        role=str(viewer.role),
        name=viewer.name,
        sees_confidential=viewer.sees_confidential,
        may_write=viewer.may_write,
    )


@router.get("/tokens", summary="API tokens (admin)", response_model=list[TokenOut])
def list_tokens(
    viewer: Caller, store: Annotated[TokenStore, Depends(get_token_store)]
) -> list[TokenOut]:
    """Every API token with its state; only for the admin role (403 otherwise)."""
    viewer.require_role(ADMIN_ROLES, "list API tokens")
    return [
        TokenOut(
            id=i.id,
            name=i.name,
            role=i.role.value,
            state=i.state(),
            shown=i.shown,
            created_at=i.created_at.isoformat(timespec="seconds"),
            expires_at=i.expires_at.isoformat(timespec="seconds") if i.expires_at else None,
        )
        for i in store.list()
    ]
