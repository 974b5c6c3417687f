"""The land-pool register's tables (SQLAlchemy Core), shared by every store module.

The schema itself is made by the Alembic migrations (``geo/landpool/migrations``); these
table objects describe it for queries. Timestamps are UTC, in a GeoPackage written as
ISO 8601 text (``...T...Z``) as the GeoPackage spec asks.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from geoalchemy2 import Geometry


def utc(value: datetime) -> datetime:
    """``value`` as an aware UTC datetime (naive values are taken as UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def now_ms() -> datetime:
    """The current UTC time, to the millisecond (what the store keeps)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timestamp in UTC; in a GeoPackage written as ISO 8601 ``...T...Z`` as the spec asks."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: sa.Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in ("sqlite", "geopackage"):
            return dialect.type_descriptor(sa.Text())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        value = utc(value)
        if dialect.name in ("sqlite", "geopackage"):
            return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return utc(value)


metadata = sa.MetaData()
plots_table = sa.Table(
    "plots",
    metadata,
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
    sa.Column("published", sa.Boolean(create_constraint=False), nullable=False),
    sa.Column("area_ha", sa.Float, nullable=False),
    sa.Column("ags", sa.Text),
    sa.Column("municipality", sa.Text),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("geom", Geometry("MULTIPOLYGON", srid=25832, spatial_index=False), nullable=False),
)
history_table = sa.Table(
    "plot_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("plot_id", sa.Text, nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("from_status", sa.Text),
    sa.Column("to_status", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("changes", sa.Text),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("visibility", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
)

profiles_table = sa.Table(
    "screening_profiles",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("saved_at", UTCDateTime(), nullable=False),
    sa.Column("saved_by", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

#: The columns of a plot row (without the GeoPackage feature id).
PLOT_COLUMNS = [c for c in plots_table.columns if c.name != "fid"]

__all__ = [
    "PLOT_COLUMNS",
    "UTCDateTime",
    "history_table",
    "metadata",
    "now_ms",
    "plots_table",
    "profiles_table",
    "utc",
]
