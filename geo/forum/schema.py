"""The forum contributions' tables (SQLAlchemy Core), as migration 0006_contributions makes them.

Timestamps are UTC (in a GeoPackage ISO 8601 text ``...Z``, as the land-pool tables).
The contact e-mails live in their own table, :data:`contacts_table`: no read of
:mod:`geo.forum.store` for the public or for planners ever joins it.
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry

from geo.landpool.store_schema import UTCDateTime

#: Moderation states of a contribution.
STATUS: tuple[str, ...] = ("pending", "approved", "rejected", "hidden", "taken_up")
#: What a contribution is about: a point on the map, a municipality or a published plot.
TARGET_KINDS: tuple[str, ...] = ("point", "municipality", "plot")
#: Steps recorded in the history.
EVENTS: tuple[str, ...] = (
    "submitted",
    "approved",
    "rejected",
    "hidden",
    "taken_up",
    "reopened",
    "edited",
    "contact_viewed",
    "contact_deleted",
)
#: The members of a history row its SHA-256 covers (format v1 of geo.landpool.history_chain).
CHAIN_FIELDS: tuple[str, ...] = (
    "id",
    "contribution_id",
    "at",
    "actor",
    "event",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "project_ref",
)
#: PostgreSQL advisory lock serialising contribution writes (history chain, rate counts).
FORUM_LOCK = 7_346_811_218

metadata = sa.MetaData()

topics_table = sa.Table(
    "contribution_topics",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("label_de", sa.Text, nullable=False),
    sa.Column("label_en", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
contributions_table = sa.Table(
    "contributions",
    metadata,
    sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("target_kind", sa.Text, nullable=False),
    sa.Column("ags", sa.Text, nullable=False),
    sa.Column("municipality", sa.Text, nullable=False),
    sa.Column("plot_id", sa.Text),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("project_ref", sa.Text),
    sa.Column("client_hash", sa.Text),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("geom", Geometry("POINT", srid=25832, spatial_index=False), nullable=False),
)
contacts_table = sa.Table(
    "contribution_contacts",
    metadata,
    sa.Column("contribution_id", sa.Text, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
history_table = sa.Table(
    "contribution_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("contribution_id", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("changes", sa.Text),
    sa.Column("project_ref", sa.Text),
    sa.Column("hash", sa.Text, nullable=False),
)
submissions_table = sa.Table(
    "contribution_submissions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("client_hash", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
)
