"""API tokens: stored as SHA-256 hashes, with role, expiry and revocation.

Revision ID: 0002_api_tokens
Revises: 0001_land_pool
Create Date: 2026-11-23

The tokens live in the database of the land-pool register (GeoPackage or PostGIS), so one
database holds who may do what and what they did (the history names the token).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_api_tokens"
down_revision = "0001_land_pool"
branch_labels = None
depends_on = None

ROLES = ("public", "planner", "landpool", "admin")


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    listed = ", ".join(f"'{r}'" for r in ROLES)
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.Text, nullable=False, unique=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("token_sha256", sa.Text, nullable=False, unique=True),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("expires_at", ts, nullable=True),
        sa.Column("revoked_at", ts, nullable=True),
        sa.CheckConstraint(f"role IN ({listed})", name="ck_api_tokens_role"),
    )
    if op.get_bind().dialect.name == "geopackage":
        # An attribute table of the GeoPackage: QGIS and GDAL list it cleanly.
        op.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('api_tokens', 'attributes', 'api_tokens', "
            "'API tokens (SHA-256 hashes only) with role, expiry and revocation', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )


def downgrade() -> None:
    op.drop_table("api_tokens")
    if op.get_bind().dialect.name == "geopackage":
        op.execute("DELETE FROM gpkg_contents WHERE lower(table_name) = 'api_tokens'")
