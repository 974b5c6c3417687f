"""Who may do what: roles, the :class:`Viewer` of a request, and the permission rules.

Four roles share one API. ``public`` needs no credentials (forum members); ``planner``,
``landpool`` and ``admin`` come with an API token (:mod:`geo.access.tokens`) or a login to
the web app (:mod:`geo.access.sessions`). Only ``landpool`` and ``admin`` write to the
land-pool register and see confidential plots; planners also see plots that are not
published yet, ``public`` only published ones. Every rule about
access lives here, as pure functions of the role, so the API decides access in one
dependency (``api.deps.get_viewer``) and no route filters confidential data on its own.

The land-pool register (:mod:`geo.landpool.plots` re-exports :class:`Role` and :class:`Viewer`;
:mod:`geo.landpool.store` takes a :class:`Viewer` on every read and write) applies these rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geo.errors import InputError, PermissionDeniedError


class Role(StrEnum):
    """Who is asking. Only the land-pool team (and admins) write or see confidential plots."""

    PUBLIC = "public"
    PLANNER = "planner"
    LANDPOOL = "landpool"
    ADMIN = "admin"


#: Roles that may learn that confidential plots exist.
CONFIDENTIAL_ROLES = frozenset({Role.LANDPOOL, Role.ADMIN})
#: Roles that see plots not yet published (internal staff); confidential ones need more.
INTERNAL_ROLES = frozenset({Role.PLANNER, Role.LANDPOOL, Role.ADMIN})
#: Roles that may create or change plots.
WRITE_ROLES = frozenset({Role.LANDPOOL, Role.ADMIN})
#: Roles that may manage API tokens.
ADMIN_ROLES = frozenset({Role.ADMIN})


def parse_role(value: str | Role) -> Role:
    """Return ``value`` as a :class:`Role`; raise :class:`InputError` naming the roles."""
    try:
        return Role(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise InputError(f"role {value!r} is unknown; use one of {allowed}.") from None


@dataclass(frozen=True)
class Viewer:
    """The caller of a request: a role and a name recorded with every write.

    Parameters
    ----------
    role
        One of :class:`Role` (given as string or enum).
    name
        Who it is (the token's name); recorded in the history of every write.
    """

    role: Role | str = Role.PUBLIC
    name: str = "anonymous"

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", parse_role(self.role))

    @property
    def sees_confidential(self) -> bool:
        """Whether this caller may learn that confidential plots exist."""
        return self.role in CONFIDENTIAL_ROLES

    @property
    def sees_unpublished(self) -> bool:
        """Whether this caller may see plots the land-pool team has not published (yet)."""
        return self.role in INTERNAL_ROLES

    @property
    def may_write(self) -> bool:
        """Whether this caller may create or change plots."""
        return self.role in WRITE_ROLES

    def require_write(self) -> None:
        """Raise :class:`PermissionDeniedError` unless this caller may write plots."""
        if not self.may_write:
            raise PermissionDeniedError(
                f"role {Role(self.role).value!r} may not change the land-pool register; "
                "this needs the 'landpool' role."
            )

    def require_role(self, allowed: frozenset[Role], action: str) -> None:
        """Raise :class:`PermissionDeniedError` unless this caller has one of ``allowed``."""
        if self.role not in allowed:
            need = " or ".join(sorted(r.value for r in allowed))
            raise PermissionDeniedError(
                f"role {Role(self.role).value!r} may not {action}; this needs the {need} role."
            )


#: The caller without credentials.
PUBLIC = Viewer(Role.PUBLIC, "public")
