"""User accounts, server-side sessions and failed logins of the web app.

Revision ID: 0005_users_sessions
Revises: 0004_publish_and_history_chain
Create Date: 2026-12-08

* ``users``: one row per person who logs in (planner, landpool or admin; the public role
  needs no account). Only an Argon2 hash of the password is stored.
* ``sessions``: one row per login. Only the SHA-256 of the random session id (the cookie)
  is stored, with its absolute expiry, the time of its last request (idle timeout) and,
  once ended, when and why (logout, the user disabled, the password reset, a new login in
  the same browser).
* ``login_failures``: failed logins, keyed by an HMAC (server secret) of the username or
  of the client address, never either in clear; read to throttle guessing across every
  worker process. Rows older than the counting window are pruned.

They live in the land-pool database (GeoPackage or PostGIS) next to the API tokens, so one
database holds who may do what and what they did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_users_sessions"
down_revision = "0004_publish_and_history_chain"
branch_labels = None
depends_on = None

ROLES = ("planner", "landpool", "admin")
END_REASONS = ("logout", "disabled", "password_reset", "replaced")
SCOPES = ("user", "client")
TABLES = {
    "users": "Web app accounts (Argon2 password hashes only) with role and state",
    "sessions": "Web app sessions (SHA-256 of the session id only), expiry and end",
    "login_failures": "Failed logins keyed by HMAC of username or client (never in clear)",
}


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.Text, nullable=False, unique=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("password_changed_at", ts, nullable=False),
        sa.Column("disabled_at", ts, nullable=True),
        sa.Column("last_login_at", ts, nullable=True),
        sa.CheckConstraint(f"role IN ({_listed(ROLES)})", name="ck_users_role"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("last_seen_at", ts, nullable=False),
        sa.Column("expires_at", ts, nullable=False),
        sa.Column("ended_at", ts, nullable=True),
        sa.Column("end_reason", sa.Text, nullable=True),
        sa.CheckConstraint(
            f"end_reason IS NULL OR end_reason IN ({_listed(END_REASONS)})",
            name="ck_sessions_end_reason",
        ),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("key_hmac", sa.Text, nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("locks_until", ts, nullable=True),
        sa.CheckConstraint(f"scope IN ({_listed(SCOPES)})", name="ck_login_failures_scope"),
    )
    op.create_index("ix_login_failures_key", "login_failures", ["scope", "key_hmac", "at"])
    op.create_index("ix_login_failures_at", "login_failures", ["at"])
    if op.get_bind().dialect.name == "geopackage":
        # attribute tables of the GeoPackage: QGIS and GDAL list them cleanly
        for name, description in TABLES.items():
            op.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                f"last_change) VALUES ('{name}', 'attributes', '{name}', '{description}', "
                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
            )


def downgrade() -> None:
    op.drop_table("login_failures")
    op.drop_table("sessions")
    op.drop_table("users")
    if op.get_bind().dialect.name == "geopackage":
        for name in TABLES:
            op.execute(f"DELETE FROM gpkg_contents WHERE lower(table_name) = '{name}'")
