"""The tables of the cooperation projects (SQLAlchemy Core), made by migration 0007.

``projects`` holds one row per project (lists as JSON text, the map geometry in
EPSG:25832, nullable); ``project_history`` one row per create or edit (append-only: the
database refuses UPDATE and DELETE), with who, when, the version and the changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from geoalchemy2 import Geometry

from geo.landpool.store_schema import UTCDateTime

metadata = sa.MetaData()

projects_table = sa.Table(
    "projects",
    metadata,
    sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("municipalities", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("contributions", sa.Text, nullable=False),
    sa.Column("plot_ids", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("geom", Geometry("GEOMETRY", srid=25832, spatial_index=False), nullable=True),
)

project_history_table = sa.Table(
    "project_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("changes", sa.Text, nullable=False),
)

__all__ = ["metadata", "project_history_table", "projects_table"]
