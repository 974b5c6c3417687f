"""Cooperation projects of the forum and the history of their edits.

Revision ID: 0007_cooperation_projects
Revises: 0005_users_sessions (becomes 0006_contributions when the contributions merge)
Create Date: 2026-12-15

* ``projects``: one row per cooperation project of the forum Stadt.Region.Jena (slug id,
  title, topic, status, municipalities as JSON list of AGS, description, linked
  contribution and plot ids as JSON lists, optional geometry in EPSG:25832, version).
* ``project_history``: one row per create or edit (who, when, version, changes as JSON);
  append-only, the database refuses UPDATE and DELETE.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0007_cooperation_projects"
down_revision = "0006_contributions"
branch_labels = None
depends_on = None

TOPICS = ("traffic", "housing", "commerce", "landscape", "other")
STATUSES = ("idea", "agreed", "in_progress", "done")
EVENTS = ("created", "updated")


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "projects",
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("municipalities", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("contributions", sa.Text, nullable=False),
        sa.Column("plot_ids", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "geom",
            Geometry("GEOMETRY", srid=25832, spatial_index=False, nullable=True),
            nullable=True,
        ),
        sa.CheckConstraint(f"topic IN ({_listed(TOPICS)})", name="ck_projects_topic"),
        sa.CheckConstraint(f"status IN ({_listed(STATUSES)})", name="ck_projects_status"),
        sa.CheckConstraint("version >= 1", name="ck_projects_version"),
    )
    op.create_table(
        "project_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "project_id",
            sa.Text,
            sa.ForeignKey("projects.project_id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
        sa.CheckConstraint(f"event IN ({_listed(EVENTS)})", name="ck_project_history_event"),
    )
    op.create_index("ix_project_history_project", "project_history", ["project_id", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION project_history_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'project_history is append-only: % refused', TG_OP;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER project_history_append_only BEFORE UPDATE OR DELETE ON "
            "project_history FOR EACH ROW EXECUTE FUNCTION project_history_append_only()"
        )
    else:
        op.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('project_history', 'attributes', 'project_history', "
            "'Append-only history of the forum cooperation projects', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER project_history_no_{what.lower()} BEFORE {what} ON "
                f"project_history BEGIN SELECT RAISE(ABORT, "
                f"'project_history is append-only: {what} refused'); END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS project_history_append_only ON project_history")
        op.execute("DROP FUNCTION IF EXISTS project_history_append_only()")
    op.drop_table("project_history")
    if bind.dialect.name == "geopackage":
        for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
            op.execute(
                f"DELETE FROM {meta} WHERE lower(table_name) IN ('projects', 'project_history')"
            )
    op.drop_table("projects")
