"""Forum contributions: the contributions, their contact e-mails apart, a chained history.

Revision ID: 0006_contributions
Revises: 0005_users_sessions
Create Date: 2026-12-15

* ``contribution_topics``: the forum's topics (Verkehr, Wohnen, Gewerbe, Landschaft,
  Sonstiges as keys traffic, housing, commerce, landscape, other); admins add more.
* ``contributions``: one row per contribution left on the forum map: a random public id,
  the target (a point, a municipality or a published plot; always with a point geometry
  in EPSG:25832 and the municipality it lies in), topic, title, text, moderation status
  with its public reason and an optional project reference, and while it waits for
  moderation the keyed hash of its client (rotated daily; cleared once moderated).
* ``contribution_contacts``: the optional contact e-mail, apart from the contribution
  (never joined into a public or planner read), deleted on request and after the
  retention period.
* ``contribution_history``: every step (no e-mail, no address), SHA-256 chained like the
  plots' history, append-only (triggers refuse UPDATE, DELETE and out-of-order inserts).
* ``contribution_submissions``: when each client (keyed hash only) submitted, for the
  rate limits across worker processes; rows older than the counting window are pruned.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0006_contributions"
down_revision = "0005_users_sessions"
branch_labels = None
depends_on = None

STATUS = ("pending", "approved", "rejected", "hidden", "taken_up")
TARGET = ("point", "municipality", "plot")
EVENT = (
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
TOPICS = (
    ("traffic", "Verkehr", "Traffic"),
    ("housing", "Wohnen", "Housing"),
    ("commerce", "Gewerbe", "Commerce"),
    ("landscape", "Landschaft", "Landscape"),
    ("other", "Sonstiges", "Other"),
)
ATTRIBUTE_TABLES = {
    "contribution_topics": "Topics of forum contributions",
    "contribution_contacts": "Contact e-mails of forum contributions (moderators only)",
    "contribution_history": "Append-only chained history of forum contributions",
    "contribution_submissions": "Submissions per client (keyed hash only) for rate limits",
}


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    op.create_table(
        "contribution_topics",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("label_de", sa.Text, nullable=False),
        sa.Column("label_en", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
    )
    when = "now()" if pg else "'2026-12-15T00:00:00.000Z'"
    for k, de, en in TOPICS:
        op.execute(
            "INSERT INTO contribution_topics (key, label_de, label_en, created_at) "
            f"VALUES ('{k}', '{de}', '{en}', {when})"
        )
    op.create_table(
        "contributions",
        sa.Column("fid", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text, nullable=False, unique=True),
        sa.Column("target_kind", sa.Text, nullable=False),
        sa.Column("ags", sa.Text, nullable=False),
        sa.Column("municipality", sa.Text, nullable=False),
        sa.Column("plot_id", sa.Text, nullable=True),
        sa.Column("topic", sa.Text, sa.ForeignKey("contribution_topics.key"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("project_ref", sa.Text, nullable=True),
        sa.Column("client_hash", sa.Text, nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column(
            "geom",
            Geometry("POINT", srid=25832, spatial_index=False, nullable=False),
            nullable=False,
        ),
        sa.CheckConstraint(f"status IN ({_listed(STATUS)})", name="ck_contributions_status"),
        sa.CheckConstraint(f"target_kind IN ({_listed(TARGET)})", name="ck_contributions_target"),
        sa.CheckConstraint("version >= 1", name="ck_contributions_version"),
    )
    op.create_index("ix_contributions_status", "contributions", ["status", "created_at"])
    op.create_index("ix_contributions_client", "contributions", ["client_hash"])
    op.create_table(
        "contribution_contacts",
        sa.Column(
            "contribution_id",
            sa.Text,
            sa.ForeignKey("contributions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("created_at", ts, nullable=False),
    )
    op.create_index("ix_contribution_contacts_email", "contribution_contacts", ["email"])
    op.create_table(
        "contribution_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contribution_id", sa.Text, nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("event", sa.Text, nullable=False),
        sa.Column("from_status", sa.Text, nullable=True),
        sa.Column("to_status", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("changes", sa.Text, nullable=True),
        sa.Column("project_ref", sa.Text, nullable=True),
        sa.Column("hash", sa.Text, nullable=False),
        sa.CheckConstraint(f"event IN ({_listed(EVENT)})", name="ck_contribution_event"),
    )
    op.create_index(
        "ix_contribution_history_cid", "contribution_history", ["contribution_id", "id"]
    )
    op.create_table(
        "contribution_submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("client_hash", sa.Text, nullable=False),
        sa.Column("at", ts, nullable=False),
    )
    op.create_index(
        "ix_contribution_submissions", "contribution_submissions", ["client_hash", "at"]
    )
    op.create_index("ix_contribution_submissions_at", "contribution_submissions", ["at"])
    if pg:
        op.execute(
            """
            CREATE FUNCTION contribution_history_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'contribution_history is append-only: % refused', TG_OP;
            END $$
            """
        )
        op.execute(
            """
            CREATE FUNCTION contribution_history_append_at_end() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.id IS NULL OR NEW.id <= COALESCE(
                   (SELECT max(id) FROM contribution_history), 0) THEN
                RAISE EXCEPTION 'contribution_history is append-only: INSERT of id % '
                  'refused (rows are appended after the last id)', NEW.id;
              END IF;
              RETURN NEW;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER contribution_history_append_only BEFORE UPDATE OR DELETE ON "
            "contribution_history FOR EACH ROW EXECUTE FUNCTION "
            "contribution_history_append_only()"
        )
        op.execute(
            "CREATE TRIGGER contribution_history_no_truncate BEFORE TRUNCATE ON "
            "contribution_history FOR EACH STATEMENT EXECUTE FUNCTION "
            "contribution_history_append_only()"
        )
        op.execute(
            "CREATE TRIGGER contribution_history_append_at_end BEFORE INSERT ON "
            "contribution_history FOR EACH ROW EXECUTE FUNCTION "
            "contribution_history_append_at_end()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON contribution_history FROM PUBLIC")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON contribution_history FROM CURRENT_USER")
        return
    for what in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER contribution_history_no_{what.lower()} BEFORE {what} ON "
            "contribution_history BEGIN SELECT RAISE(ABORT, "
            f"'contribution_history is append-only: {what} refused'); END"
        )
    op.execute(
        "CREATE TRIGGER contribution_history_append_at_end BEFORE INSERT ON "
        "contribution_history WHEN NEW.id IS NULL OR NEW.id <= COALESCE((SELECT max(id) FROM "
        "contribution_history), 0) BEGIN SELECT RAISE(ABORT, 'contribution_history is "
        "append-only: INSERT or REPLACE of an existing or earlier id refused'); END"
    )
    if bind.dialect.name == "geopackage":
        for name, description in ATTRIBUTE_TABLES.items():
            op.execute(
                "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, "
                f"last_change) VALUES ('{name}', 'attributes', '{name}', '{description}', "
                "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
            )


def downgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    if pg:
        op.execute("GRANT UPDATE, DELETE, TRUNCATE ON contribution_history TO CURRENT_USER")
    else:
        for name in ("no_update", "no_delete", "append_at_end"):
            op.execute(f"DROP TRIGGER IF EXISTS contribution_history_{name}")
    op.drop_table("contribution_submissions")
    op.drop_table("contribution_history")
    op.drop_table("contribution_contacts")
    op.drop_table("contributions")
    op.drop_table("contribution_topics")
    if pg:
        op.execute("DROP FUNCTION IF EXISTS contribution_history_append_only()")
        op.execute("DROP FUNCTION IF EXISTS contribution_history_append_at_end()")
    elif bind.dialect.name == "geopackage":
        # unregister the feature table and the attribute tables, as the GeoPackage spec asks
        names = ", ".join(f"'{n}'" for n in (*ATTRIBUTE_TABLES, "contributions"))
        for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
            op.execute(f"DELETE FROM {meta} WHERE lower(table_name) IN ({names})")
