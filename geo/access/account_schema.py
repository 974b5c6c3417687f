"""The tables of user accounts, sessions and failed logins (migration 0005_users_sessions).

Shared by :mod:`geo.access.users` (accounts and passwords), :mod:`geo.access.sessions`
(sessions and login throttling) and :mod:`geo.access.accounts` (the two together), which
all work on one engine of the land-pool database (GeoPackage or PostGIS).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

metadata = sa.MetaData()
_TS = sa.DateTime(timezone=True)

#: ``users`` as migration 0005 creates it.
users_table = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("display_name", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("password_changed_at", _TS, nullable=False),
    sa.Column("disabled_at", _TS, nullable=True),
    sa.Column("last_login_at", _TS, nullable=True),
)

#: ``sessions``: only the SHA-256 of a session id is stored.
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("created_at", _TS, nullable=False),
    sa.Column("last_seen_at", _TS, nullable=False),
    sa.Column("expires_at", _TS, nullable=False),
    sa.Column("ended_at", _TS, nullable=True),
    sa.Column("end_reason", sa.Text, nullable=True),
)

#: ``login_failures``: keyed by an HMAC of the username or client, never either in clear.
failures_table = sa.Table(
    "login_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.Text, nullable=False),
    sa.Column("key_hmac", sa.Text, nullable=False),
    sa.Column("at", _TS, nullable=False),
    sa.Column("locks_until", _TS, nullable=True),
)

#: Why a session ended (``sessions.end_reason``).
END_REASONS = ("logout", "disabled", "password_reset", "replaced")


def now_utc() -> datetime:
    """The current time (aware, UTC)."""
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """``value`` as an aware UTC datetime (SQLite gives naive ones back: stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def end_sessions_of(conn: Connection, user_id: int, reason: str, now: datetime) -> int:
    """End every open session of ``user_id`` (in the caller's transaction); return how many."""
    if reason not in END_REASONS:
        raise ValueError(f"unknown end reason {reason!r}")
    result = conn.execute(
        sa.update(sessions_table)
        .where(sessions_table.c.user_id == user_id, sessions_table.c.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(result.rowcount or 0)
