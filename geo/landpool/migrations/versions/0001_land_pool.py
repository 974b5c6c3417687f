"""Land-pool register: plots and their append-only history.

Revision ID: 0001_land_pool
Revises:
Create Date: 2026-11-23

The value lists are written out here (not imported from ``geo.landpool.plots``) so that this
migration stays what it was when later code changes the vocabulary.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001_land_pool"
down_revision = None
branch_labels = None
depends_on = None

CATEGORY = (
    "brownfield",
    "greenfield",
    "reserve",
    "vacant_lot",
    "underused",
    "freed_public_site",
    "other",
    "unknown",
)
OWNER_TYPE = ("city", "municipal_company", "state", "federal", "church", "private", "unknown")
PLANNING_STATUS = ("fnp_only", "bplan_in_force", "bplan_in_preparation", "s34", "s35", "unknown")
CONTAMINATION = ("none", "suspected", "confirmed", "remediated", "unknown")
STATUS = (
    "identified",
    "assessed",
    "negotiating",
    "acquired",
    "in_development",
    "developed",
    "withdrawn",
)
EVENT = ("created", "status", "updated")


def _check(column: str, values: tuple[str, ...], nullable: bool = False) -> sa.CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    cond = f"{column} IN ({listed})"
    if nullable:
        cond = f"{column} IS NULL OR {cond}"
    return sa.CheckConstraint(cond, name=f"ck_{column}")


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "plots",
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plot_id", sa.Text, nullable=False, unique=True),
        sa.Column("name", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("owner_type", sa.Text, nullable=False),
        sa.Column("planning_status", sa.Text, nullable=False),
        sa.Column("fnp_designation", sa.Text),
        sa.Column("contamination", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("current_use", sa.Text),
        sa.Column("intended_use", sa.Text),
        sa.Column("confidential", sa.Boolean(create_constraint=False), nullable=False),
        sa.Column("notes", sa.Text),
        sa.Column("source", sa.Text),
        sa.Column("area_ha", sa.Float, nullable=False),
        sa.Column("ags", sa.Text),
        sa.Column("municipality", sa.Text),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "geom",
            Geometry("MULTIPOLYGON", srid=25832, spatial_index=True, nullable=False),
            nullable=False,
        ),
        _check("category", CATEGORY),
        _check("owner_type", OWNER_TYPE),
        _check("planning_status", PLANNING_STATUS),
        _check("contamination", CONTAMINATION),
        _check("status", STATUS),
        sa.CheckConstraint("area_ha > 0", name="ck_area_positive"),
        sa.CheckConstraint("version >= 1", name="ck_version_positive"),
    )
    op.create_index("ix_plots_status", "plots", ["status"])
    op.create_index("ix_plots_ags", "plots", ["ags"])
    op.create_table(
        "plot_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "plot_id",
            sa.Text,
            sa.ForeignKey("plots.plot_id", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("from_status", sa.Text),
        sa.Column("to_status", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("changes", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        _check("event", EVENT),
        _check("from_status", STATUS, nullable=True),
        _check("to_status", STATUS, nullable=True),
    )
    op.create_index("ix_plot_history_plot_id", "plot_history", ["plot_id", "id"])

    bind = op.get_bind()
    if bind.dialect.name == "geopackage":
        # Register the history as a GeoPackage attribute table: QGIS and GDAL list it cleanly.
        op.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
            "last_change) VALUES ('plot_history', 'attributes', 'plot_history', "
            "'Append-only history of the land-pool plots', "
            "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
        )

    # The history is never rewritten: the database itself refuses UPDATE and DELETE.
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE FUNCTION plot_history_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'plot_history is append-only: % refused', TG_OP;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER plot_history_append_only BEFORE UPDATE OR DELETE ON plot_history "
            "FOR EACH ROW EXECUTE FUNCTION plot_history_append_only()"
        )
    else:
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER plot_history_no_{what.lower()} BEFORE {what} ON plot_history "
                f"BEGIN SELECT RAISE(ABORT, 'plot_history is append-only: {what} refused'); END"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS plot_history_append_only ON plot_history")
        op.execute("DROP FUNCTION IF EXISTS plot_history_append_only()")
    op.drop_table("plot_history")
    if bind.dialect.name == "geopackage":
        # Unregister the feature table and drop its R-tree, as the GeoPackage spec asks.
        op.execute("DROP TABLE IF EXISTS rtree_plots_geom")
        for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
            op.execute(f"DELETE FROM {meta} WHERE lower(table_name) IN ('plots', 'plot_history')")
    op.drop_table("plots")
