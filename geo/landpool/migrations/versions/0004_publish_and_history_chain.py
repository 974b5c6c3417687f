"""Publish step and a tamper-evident history.

Revision ID: 0004_publish_and_history_chain
Revises: 0003_screening_profiles
Create Date: 2026-12-01

* ``plots.published`` (false by default): a plot is internal until a land-pool user
  publishes it. **Existing plots become unpublished** (data protection by default): before
  this revision every non-confidential plot was public; now the land-pool team publishes
  the ones meant for the public again (``stadtregion plots publish ID --reason ...``).
* ``plot_history.visibility``: who could see the plot when the row was written
  (``internal`` or ``landpool``). For existing rows it is reconstructed from the
  confidentiality changes recorded in the history (walking back from the plot's current
  flag); no existing row becomes ``public``.
* ``plot_history.hash``: SHA-256 chained over the rows in id order (format ``v1`` of
  :mod:`geo.landpool.history_chain`, written out here so this migration stays what it was).
* Events ``published`` and ``unpublished``.
* Append-only enforced harder: SQLite refuses UPDATE, DELETE and any INSERT that is not
  appended after the last id (so ``REPLACE``/``INSERT OR REPLACE`` of an existing row is
  refused even with ``recursive_triggers`` off). PostgreSQL refuses UPDATE, DELETE,
  TRUNCATE and out-of-order inserts by trigger, and UPDATE/DELETE/TRUNCATE privileges on
  the history are revoked from PUBLIC and from the migrating (application) role.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004_publish_and_history_chain"
down_revision = "0003_screening_profiles"
branch_labels = None
depends_on = None

STATUS = (
    "identified",
    "assessed",
    "negotiating",
    "acquired",
    "in_development",
    "developed",
    "withdrawn",
)
OLD_EVENT = ("created", "status", "updated")
EVENT = (*OLD_EVENT, "published", "unpublished")
VISIBILITY = ("public", "internal", "landpool")
GENESIS = "0" * 64
CHAIN_FIELDS = (
    "id",
    "plot_id",
    "at",
    "actor",
    "event",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "version",
    "visibility",
)
COLUMNS = (
    "id",
    "plot_id",
    "at",
    "actor",
    "event",
    "from_status",
    "to_status",
    "reason",
    "changes",
    "version",
)


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _at_text(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    return value


def _hash(previous: str, row: dict[str, Any]) -> str:
    data = {k: row.get(k) for k in CHAIN_FIELDS}
    data["at"] = _at_text(data["at"])
    for k in ("id", "version"):
        value = data[k]
        if value is not None:
            data[k] = int(value)
    text = json.dumps(["v1", data], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(previous.encode() + b"\n" + text.encode()).hexdigest()


def _chained_rows(bind: sa.Connection) -> list[dict[str, Any]]:
    """Existing history rows with visibility and hash."""
    rows = [
        dict(r._mapping)
        for r in bind.execute(sa.text(f"SELECT {', '.join(COLUMNS)} FROM plot_history ORDER BY id"))
    ]
    confidential = {
        r.plot_id: bool(r.confidential)
        for r in bind.execute(sa.text("SELECT plot_id, confidential FROM plots"))
    }
    by_plot: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_plot.setdefault(row["plot_id"], []).append(row)
    for plot_id, plot_rows in by_plot.items():
        after = confidential.get(plot_id, True)  # a row of no plot: most restrictive
        for row in reversed(plot_rows):
            before = after
            try:
                changes = json.loads(row["changes"]) if row["changes"] else {}
            except ValueError:
                changes = {}
            flag = changes.get("confidential") if isinstance(changes, dict) else None
            if isinstance(flag, list) and len(flag) == 2:
                before = bool(flag[0])
            row["visibility"] = "landpool" if (before or after) else "internal"
            after = before
    previous = GENESIS
    for row in rows:
        row["hash"] = previous = _hash(previous, row)
    return rows


def _sqlite_history_table(name: str, events: tuple[str, ...], chained: bool) -> None:
    extra = (
        f", visibility TEXT NOT NULL CONSTRAINT ck_visibility CHECK "
        f"(visibility IN ({_listed(VISIBILITY)})), hash TEXT NOT NULL"
        if chained
        else ""
    )
    op.execute(
        f"CREATE TABLE {name} ("
        "id INTEGER NOT NULL PRIMARY KEY, "
        "plot_id TEXT NOT NULL REFERENCES plots (plot_id) ON DELETE RESTRICT, "
        "at DATETIME NOT NULL, actor TEXT NOT NULL, "
        f"event TEXT NOT NULL CONSTRAINT ck_event CHECK (event IN ({_listed(events)})), "
        "from_status TEXT CONSTRAINT ck_from_status CHECK "
        f"(from_status IS NULL OR from_status IN ({_listed(STATUS)})), "
        "to_status TEXT CONSTRAINT ck_to_status CHECK "
        f"(to_status IS NULL OR to_status IN ({_listed(STATUS)})), "
        f"reason TEXT, changes TEXT, version INTEGER NOT NULL{extra})"
    )


def _sqlite_old_triggers(drop: bool) -> None:
    for what in ("UPDATE", "DELETE"):
        if drop:
            op.execute(f"DROP TRIGGER IF EXISTS plot_history_no_{what.lower()}")
        else:
            op.execute(
                f"CREATE TRIGGER plot_history_no_{what.lower()} BEFORE {what} ON plot_history "
                f"BEGIN SELECT RAISE(ABORT, 'plot_history is append-only: {what} refused'); END"
            )


def _insert(bind: sa.Connection, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    if rows:
        cols = ", ".join(columns)
        params = ", ".join(f":{c}" for c in columns)
        bind.execute(
            sa.text(f"INSERT INTO plot_history ({cols}) VALUES ({params})"),
            [{c: r.get(c) for c in columns} for r in rows],
        )


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    columns = {c["name"] for c in sa.inspect(bind).get_columns("plots")}
    if "published" in columns:  # left by a downgrade of a GeoPackage store
        op.execute("UPDATE plots SET published = FALSE")
    else:
        op.execute("ALTER TABLE plots ADD COLUMN published BOOLEAN NOT NULL DEFAULT FALSE")
    rows = _chained_rows(bind)
    if pg:
        op.execute("DROP TRIGGER IF EXISTS plot_history_append_only ON plot_history")
        op.execute("ALTER TABLE plot_history DROP CONSTRAINT ck_event")
        op.execute(
            f"ALTER TABLE plot_history ADD CONSTRAINT ck_event CHECK (event IN ({_listed(EVENT)}))"
        )
        op.execute("ALTER TABLE plot_history ADD COLUMN visibility TEXT")
        op.execute("ALTER TABLE plot_history ADD COLUMN hash TEXT")
        if rows:
            bind.execute(
                sa.text(
                    "UPDATE plot_history SET visibility = :visibility, hash = :hash WHERE id = :id"
                ),
                [{"id": r["id"], "visibility": r["visibility"], "hash": r["hash"]} for r in rows],
            )
        op.execute("ALTER TABLE plot_history ALTER COLUMN visibility SET NOT NULL")
        op.execute("ALTER TABLE plot_history ALTER COLUMN hash SET NOT NULL")
        op.execute(
            "ALTER TABLE plot_history ADD CONSTRAINT ck_visibility "
            f"CHECK (visibility IN ({_listed(VISIBILITY)}))"
        )
        op.execute(
            """
            CREATE OR REPLACE FUNCTION plot_history_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'plot_history is append-only: % refused', TG_OP;
            END $$
            """
        )
        op.execute(
            """
            CREATE FUNCTION plot_history_append_at_end() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.id IS NULL OR NEW.id <= COALESCE((SELECT max(id) FROM plot_history), 0)
              THEN
                RAISE EXCEPTION 'plot_history is append-only: INSERT of id % refused '
                  '(rows are appended after the last id)', NEW.id;
              END IF;
              RETURN NEW;
            END $$
            """
        )
        op.execute(
            "CREATE TRIGGER plot_history_append_only BEFORE UPDATE OR DELETE ON plot_history "
            "FOR EACH ROW EXECUTE FUNCTION plot_history_append_only()"
        )
        op.execute(
            "CREATE TRIGGER plot_history_no_truncate BEFORE TRUNCATE ON plot_history "
            "FOR EACH STATEMENT EXECUTE FUNCTION plot_history_append_only()"
        )
        op.execute(
            "CREATE TRIGGER plot_history_append_at_end BEFORE INSERT ON plot_history "
            "FOR EACH ROW EXECUTE FUNCTION plot_history_append_at_end()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON plot_history FROM PUBLIC")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON plot_history FROM CURRENT_USER")
        return
    # SQLite (GeoPackage): a CHECK cannot be altered, so the table is rebuilt.
    _sqlite_old_triggers(drop=True)
    op.execute("DROP INDEX IF EXISTS ix_plot_history_plot_id")
    # legacy mode: the rename must not re-parse GeoPackage's own triggers (one of them,
    # gpkg_metadata_reference_column_name_update, does not parse in SQLite ≥ 3.35)
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute("ALTER TABLE plot_history RENAME TO plot_history_0003")
    op.execute("PRAGMA legacy_alter_table = OFF")
    _sqlite_history_table("plot_history", EVENT, chained=True)
    _insert(bind, rows, (*COLUMNS, "visibility", "hash"))
    op.execute("DROP TABLE plot_history_0003")
    op.execute("CREATE INDEX ix_plot_history_plot_id ON plot_history (plot_id, id)")
    _sqlite_triggers()


def _sqlite_triggers() -> None:
    _sqlite_old_triggers(drop=False)
    op.execute(
        "CREATE TRIGGER plot_history_append_at_end BEFORE INSERT ON plot_history "
        "WHEN NEW.id IS NULL OR NEW.id <= COALESCE((SELECT max(id) FROM plot_history), 0) "
        "BEGIN SELECT RAISE(ABORT, 'plot_history is append-only: INSERT or REPLACE of an "
        "existing or earlier id refused (rows are appended after the last id)'); END"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS plot_history_append_at_end ON plot_history")
        op.execute("DROP TRIGGER IF EXISTS plot_history_no_truncate ON plot_history")
        op.execute("DROP FUNCTION IF EXISTS plot_history_append_at_end()")
        op.execute("GRANT UPDATE, DELETE, TRUNCATE ON plot_history TO CURRENT_USER")
        op.execute("DROP TRIGGER IF EXISTS plot_history_append_only ON plot_history")
        op.execute(
            "UPDATE plot_history SET event = 'updated' WHERE event IN ('published', 'unpublished')"
        )
        op.execute(
            "CREATE TRIGGER plot_history_append_only BEFORE UPDATE OR DELETE ON plot_history "
            "FOR EACH ROW EXECUTE FUNCTION plot_history_append_only()"
        )
        op.execute("ALTER TABLE plot_history DROP CONSTRAINT ck_visibility")
        op.execute("ALTER TABLE plot_history DROP COLUMN visibility")
        op.execute("ALTER TABLE plot_history DROP COLUMN hash")
        op.execute("ALTER TABLE plot_history DROP CONSTRAINT ck_event")
        op.execute(
            "ALTER TABLE plot_history ADD CONSTRAINT ck_event "
            f"CHECK (event IN ({_listed(OLD_EVENT)}))"
        )
        op.execute("ALTER TABLE plots DROP COLUMN published")
        return
    rows = [
        dict(r._mapping)
        for r in bind.execute(sa.text(f"SELECT {', '.join(COLUMNS)} FROM plot_history ORDER BY id"))
    ]
    for row in rows:
        if row["event"] in ("published", "unpublished"):
            row["event"] = "updated"
    op.execute("DROP TRIGGER IF EXISTS plot_history_append_at_end")
    _sqlite_old_triggers(drop=True)
    op.execute("DROP INDEX IF EXISTS ix_plot_history_plot_id")
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute("ALTER TABLE plot_history RENAME TO plot_history_0004")
    op.execute("PRAGMA legacy_alter_table = OFF")
    _sqlite_history_table("plot_history", OLD_EVENT, chained=False)
    _insert(bind, rows, COLUMNS)
    op.execute("DROP TABLE plot_history_0004")
    op.execute("CREATE INDEX ix_plot_history_plot_id ON plot_history (plot_id, id)")
    _sqlite_old_triggers(drop=False)
    # ``plots.published`` stays: SQLite's DROP COLUMN re-parses GeoPackage's triggers and
    # fails on one of them. Revision 0003 ignores the column (it defaults to false) and
    # upgrading again sets every plot unpublished.
