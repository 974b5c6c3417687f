"""Screening profiles saved in the land-pool database (their bodies are JSON text)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from geo.errors import ConflictError, InputError, NotFoundError
from geo.landpool.store_schema import now_ms, profiles_table

_PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class SavedProfile:
    """A screening profile saved in the database (its body is JSON text)."""

    name: str
    body: str
    saved_at: datetime
    saved_by: str
    version: int


def check_profile_name(name: str) -> str:
    """``name`` if it is 1–64 letters, digits, ``_``, ``-`` or ``.`` (else InputError)."""
    if not _PROFILE_NAME.fullmatch(name):
        raise InputError(f"profile name {name!r} must be 1–64 letters, digits, '_', '-' or '.'.")
    return name


def save_profile_row(
    conn: Connection, name: str, body: str, actor: str, expected_version: int | None
) -> None:
    """Insert or replace a profile; a stale ``expected_version`` raises ConflictError."""
    row = conn.execute(
        sa.select(profiles_table.c.version).where(profiles_table.c.name == name)
    ).first()
    if expected_version is not None and (row is None or row[0] != expected_version):
        raise ConflictError(
            f"profile {name!r} is at version {None if row is None else row[0]}, "
            f"not {expected_version}; reload it and try again."
        )
    version = 1 if row is None else int(row[0]) + 1
    values = {"body": body, "saved_at": now_ms(), "saved_by": actor, "version": version}
    if row is None:
        conn.execute(profiles_table.insert().values(name=name, **values))
    else:
        conn.execute(profiles_table.update().where(profiles_table.c.name == name).values(**values))


def profile_row(conn: Connection, name: str) -> SavedProfile:
    """A saved profile by name (:class:`NotFoundError` when there is none)."""
    row = conn.execute(sa.select(profiles_table).where(profiles_table.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no saved screening profile {name!r}.")
    return SavedProfile(**dict(row._mapping))


def profile_rows(conn: Connection) -> list[SavedProfile]:
    """All saved profiles, by name."""
    rows = conn.execute(sa.select(profiles_table).order_by(profiles_table.c.name))
    return [SavedProfile(**dict(r._mapping)) for r in rows]


__all__ = ["SavedProfile", "check_profile_name", "profile_row", "profile_rows", "save_profile_row"]
