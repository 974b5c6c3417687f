"""The land-pool register on a real database: GeoPackage (embedded) or PostgreSQL/PostGIS.

Two backends, one code path (SQLAlchemy 2 Core + GeoAlchemy2):

* **Embedded default** – a GeoPackage file (``data/landpool.gpkg``) handled through
  SpatiaLite's GeoPackage mode. QGIS opens it directly: the ``plots`` table is a
  registered feature table in EPSG:25832 with an R-tree index. The machine's pyenv
  Python cannot load SQLite extensions, so the store uses ``pysqlite3`` (a SQLite build
  that can) and Debian's ``mod_spatialite``.
* **Production** – PostgreSQL with PostGIS when ``STADTREGION_DATABASE_URL`` names one.

The schema is made by Alembic migrations (``geo/landpool/migrations``), run when a store is opened.
Every write is one transaction. Concurrent edits use optimistic locking on ``version``: a
write that names a version other than the stored one raises :class:`ConflictError` and
changes nothing. The history table is append-only (the database refuses UPDATE, DELETE and
REPLACE) and hash-chained (:mod:`geo.landpool.history_chain`, :meth:`Store.verify_history`).

Confidentiality: every read takes a :class:`~geo.landpool.plots.Viewer`. A caller without the
land-pool role never learns that a confidential plot exists, a public caller never learns
of an unpublished one (:meth:`Store.publish`): it is missing from lists, counts and
exports, and asking for it by id raises the same :class:`NotFoundError` as a plot that does
not exist. History rows are filtered by the audience they were written for; which fields a
role sees is :mod:`geo.landpool.public`.
"""

from __future__ import annotations

import builtins
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geoalchemy2.alembic_helpers  # noqa: F401  (registers the GeoPackage Alembic impl)
import geopandas as gpd
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2 import Geometry
from geoalchemy2.admin.dialects.geopackage import init_geopackage
from geoalchemy2.shape import from_shape, to_shape
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection, Engine

from geo.errors import ConflictError, DataSourceError, InputError, NotFoundError
from geo.landpool.history_chain import ChainReport
from geo.landpool.plots import (
    EDITABLE_FIELDS,
    HistoryEntry,
    Plot,
    Status,
    Viewer,
    area_ha,
    check_geometry,
    check_transition,
    derive_municipality,
    parse_attributes,
    parse_enum,
    parse_plot_id,
)
from geo.landpool.public import Level, plot_level, stricter, visible_levels
from geo.landpool.store_history import append_history, history_report
from geo.settings import WORK_CRS, Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK = 7_346_811_205
#: Rows per INSERT batch of a bulk import (progress is reported after each).
BATCH_SIZE = 500


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
        value = _utc(value)
        if dialect.name in ("sqlite", "geopackage"):
            return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
        return value

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return _utc(value)


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

_PLOT_COLUMNS = [c for c in plots_table.columns if c.name != "fid"]


@dataclass
class NewPlot:
    """A checked plot ready to insert (what an import or a POST produces)."""

    plot_id: str
    attributes: dict[str, Any]
    geometry: MultiPolygon
    status: str = Status.IDENTIFIED.value
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


def default_url(settings: Settings) -> str:
    """Return the database URL of ``settings``: PostGIS if configured, else the GeoPackage."""
    if settings.database_url:
        return settings.database_url
    return f"gpkg:///{settings.landpool_gpkg}"


def _normalise_url(url: str) -> sa.URL:
    parsed = sa.make_url(url)
    name = parsed.drivername
    if name in ("postgresql", "postgres", "postgis"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif name in ("sqlite", "sqlite+pysqlite", "geopackage"):
        parsed = parsed.set(drivername="gpkg")
    elif not (name == "gpkg" or name.startswith("postgresql")):
        raise InputError(
            f"database URL scheme {name!r} is not supported; use postgresql://… (PostGIS) "
            "or gpkg:///path/to/file.gpkg."
        )
    return parsed


def _load_spatialite(dbapi_conn: Any, _record: Any) -> None:
    """Connect hook of the GeoPackage backend: SpatiaLite in GeoPackage mode."""
    dbapi_conn.isolation_level = None  # transactions are begun by the store (see _begin)
    lib = os.environ.get("SPATIALITE_LIBRARY_PATH", "mod_spatialite")
    try:
        dbapi_conn.enable_load_extension(True)
        dbapi_conn.load_extension(lib)
        dbapi_conn.enable_load_extension(False)
    except Exception as exc:  # the SQLite build or the library is missing
        raise DataSourceError(
            f"cannot load the SpatiaLite extension {lib!r} ({exc}); install "
            "libsqlite3-mod-spatialite (apt) or set STADTREGION_DATABASE_URL to a PostGIS "
            "database."
        ) from exc
    dbapi_conn.execute("PRAGMA foreign_keys = ON")
    dbapi_conn.execute("PRAGMA busy_timeout = 30000")
    dbapi_conn.execute("SELECT EnableGpkgAmphibiousMode()")
    if not dbapi_conn.execute("SELECT CheckGeoPackageMetaData()").fetchone()[0]:
        # One transaction (not one per statement): 20 ms instead of 0.8 s, and race-free.
        dbapi_conn.execute("BEGIN IMMEDIATE")
        try:
            init_geopackage(dbapi_conn)
            dbapi_conn.execute("COMMIT")
        except BaseException:
            dbapi_conn.execute("ROLLBACK")
            raise


def _begin(conn: Connection) -> None:
    """Begin hook of the GeoPackage backend: writers take the write lock up front.

    ``BEGIN IMMEDIATE`` makes two writers queue (busy timeout) instead of both reading and
    one failing at commit with 'database is locked'.
    """
    mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_module() -> Any:
    """A SQLite DB-API module that can load extensions (SpatiaLite).

    pysqlite3 where installed (the pyenv Python of our machines is built without extension
    loading); else the standard library's sqlite3 if its build allows it (conda, Debian).
    """
    try:
        import pysqlite3.dbapi2 as module

        return module
    except ImportError:
        import sqlite3

        if hasattr(sqlite3.Connection, "enable_load_extension"):
            return sqlite3
    raise DataSourceError(
        "the GeoPackage store needs a SQLite that can load SpatiaLite: pip install "
        "pysqlite3-binary, or set STADTREGION_DATABASE_URL to a PostGIS database."
    )


def create_engine(url: str) -> Engine:
    """Create an engine for a GeoPackage or PostGIS URL with the hooks each needs."""
    parsed = _normalise_url(url)
    if parsed.drivername == "gpkg":
        sqlite_module = _sqlite_module()
        path = Path(parsed.database or "")
        if not parsed.database:
            raise InputError("a GeoPackage URL needs a file: gpkg:///path/to/landpool.gpkg")
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            parsed, module=sqlite_module, connect_args={"check_same_thread": False}
        )
        # rasterio (and its GDAL) must be loaded before SpatiaLite: in the other order a
        # later DEM read crashes the process (two GDAL/SQLite builds: Debian's
        # mod_spatialite and the rasterio wheel). Loading it here guards every caller.
        import rasterio  # noqa: F401

        sa.event.listen(engine, "connect", _load_spatialite)
        sa.event.listen(engine, "begin", _begin)
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def migrate(engine: Engine) -> str:
    """Bring the database schema to the newest migration; return the revision.

    Safe to call from several processes at once: PostgreSQL serialises them with an
    advisory lock, SQLite with its write lock.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as probe:
        current = MigrationContext.configure(probe).get_current_revision()
    if current == head:
        return str(head)
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK})
            has_postgis = conn.execute(
                sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
            ).first()
            if not has_postgis:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    return str(head)


def _now() -> datetime:
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)  # stored to the millisecond


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Store:
    """The land-pool register.

    Parameters
    ----------
    url
        ``gpkg:///path.gpkg`` or ``postgresql://user:pw@host:port/db``.
    municipalities
        Municipality polygons (columns ``ags`` and ``gen``/``name``) for deriving each
        plot's AGS; without them the AGS of new plots stays unknown (``None``).
    """

    def __init__(self, url: str, *, municipalities: gpd.GeoDataFrame | None = None) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.municipalities = municipalities
        self.revision = migrate(self.engine)

    @classmethod
    def open(cls, settings: Settings | None = None) -> Store:
        """Open the store the settings name; municipalities come from the VG250 data pack."""
        from geo.sources import read_vg250

        settings = settings or Settings()
        try:
            municipalities: gpd.GeoDataFrame | None = read_vg250(settings.data_dir)
        except DataSourceError:
            municipalities = None  # AGS of new plots stays unknown
        return cls(default_url(settings), municipalities=municipalities)

    @property
    def backend(self) -> str:
        """``"geopackage"`` or ``"postgresql"``."""
        return "postgresql" if self.engine.dialect.name == "postgresql" else "geopackage"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    # -- reads ----------------------------------------------------------------------
    def _visible(self, viewer: Viewer) -> sa.ColumnElement[bool]:
        """Confidential plots for the land-pool team; unpublished ones for staff too."""
        if viewer.sees_confidential:
            return sa.true()
        hidden = plots_table.c.confidential == sa.false()
        if viewer.sees_unpublished:
            return hidden
        return sa.and_(hidden, plots_table.c.published == sa.true())

    def _select(self, viewer: Viewer) -> sa.Select[Any]:
        return sa.select(*_PLOT_COLUMNS).where(self._visible(viewer))

    @staticmethod
    def _row_to_plot(row: sa.Row[Any]) -> Plot:
        data = dict(row._mapping)
        geom = to_shape(data.pop("geom"))
        if not isinstance(geom, MultiPolygon):
            geom = MultiPolygon([geom])
        data["created_at"] = _utc(data["created_at"])
        data["updated_at"] = _utc(data["updated_at"])
        data["confidential"] = bool(data["confidential"])
        data["published"] = bool(data["published"])
        return Plot(geometry=geom, **data)

    def get(self, viewer: Viewer, plot_id: str) -> Plot:
        """Return one plot.

        Raises
        ------
        NotFoundError
            If there is no such plot, or it is confidential and ``viewer`` may not see it
            (the same message in both cases).
        """
        with self._read() as conn:
            row = conn.execute(self._select(viewer).where(plots_table.c.plot_id == plot_id)).first()
        if row is None:
            raise _not_found(plot_id)
        return self._row_to_plot(row)

    def _filtered(
        self,
        query: sa.Select[Any],
        status: str | None,
        category: str | None,
        ags: str | None,
    ) -> sa.Select[Any]:
        if status:
            query = query.where(plots_table.c.status == parse_enum("status", status).value)
        if category:
            query = query.where(plots_table.c.category == parse_enum("category", category).value)
        if ags:
            query = query.where(plots_table.c.ags == ags)
        return query

    def list(
        self,
        viewer: Viewer,
        *,
        status: str | None = None,
        category: str | None = None,
        ags: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> builtins.list[Plot]:
        """Return the plots ``viewer`` may see, ordered by ``plot_id``, optionally filtered."""
        if (limit is not None and limit < 0) or offset < 0:
            raise InputError("limit and offset must not be negative.")
        query = self._filtered(self._select(viewer), status, category, ags)
        query = query.order_by(plots_table.c.plot_id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            return [self._row_to_plot(r) for r in conn.execute(query)]

    def count(
        self,
        viewer: Viewer,
        *,
        status: str | None = None,
        category: str | None = None,
        ags: str | None = None,
    ) -> int:
        """Count the plots ``viewer`` may see."""
        query = sa.select(sa.func.count()).select_from(plots_table).where(self._visible(viewer))
        query = self._filtered(query, status, category, ags)
        with self._read() as conn:
            return int(conn.execute(query).scalar_one())

    def history(self, viewer: Viewer, plot_id: str) -> builtins.list[HistoryEntry]:
        """Return the history of one plot, oldest first (NotFoundError as :meth:`get`).

        Only rows written at a level ``viewer`` belongs to (:mod:`geo.landpool.public`):
        nothing recorded while the plot was confidential or unpublished reaches a role
        that could not see it then. Show the rows with
        :func:`geo.landpool.public.project_history`.
        """
        with self._read() as conn:
            visible = conn.execute(
                sa.select(plots_table.c.plot_id)
                .where(plots_table.c.plot_id == plot_id)
                .where(self._visible(viewer))
            ).first()
            if visible is None:
                raise _not_found(plot_id)
            rows = conn.execute(
                sa.select(history_table)
                .where(history_table.c.plot_id == plot_id)
                .where(history_table.c.visibility.in_(visible_levels(viewer)))
                .order_by(history_table.c.id)
            ).all()
        return [
            HistoryEntry(
                id=r.id,
                plot_id=r.plot_id,
                at=_utc(r.at),
                actor=r.actor,
                event=r.event,
                from_status=r.from_status,
                to_status=r.to_status,
                reason=r.reason,
                changes=json.loads(r.changes) if r.changes else None,
                version=r.version,
                visibility=r.visibility,
                hash=r.hash,
            )
            for r in rows
        ]

    def existing_ids(self, viewer: Viewer, plot_ids: Iterable[str]) -> set[str]:
        """Return which of ``plot_ids`` are stored (only for writers: it reveals them all)."""
        viewer.require_write()
        ids = sorted(set(plot_ids))
        found: set[str] = set()
        with self._read() as conn:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                found.update(
                    conn.execute(
                        sa.select(plots_table.c.plot_id).where(plots_table.c.plot_id.in_(chunk))
                    ).scalars()
                )
        return found

    def frame(self, viewer: Viewer, **filters: Any) -> gpd.GeoDataFrame:
        """Return the visible plots as a GeoDataFrame in EPSG:25832 (for export)."""
        from geo.landpool.plots import plots_to_frame

        return plots_to_frame(self.list(viewer, **filters))

    # -- writes ---------------------------------------------------------------------
    def prepare(
        self,
        values: Mapping[str, Any],
        geometry: BaseGeometry,
        *,
        plot_id: Any,
        status: Any = None,
        repair: bool = False,
    ) -> NewPlot:
        """Check one new plot (attributes, geometry in EPSG:25832, id) without storing it."""
        pid = parse_plot_id(plot_id)
        attrs = parse_attributes(values)
        geom, note = check_geometry(geometry, repair=repair)
        st = parse_enum("status", status).value
        return NewPlot(pid, attrs, geom, status=st, notes=[note] if note else [])

    def create(
        self,
        viewer: Viewer,
        values: Mapping[str, Any],
        geometry: BaseGeometry,
        *,
        plot_id: str | None,
        status: str | None = None,
        reason: str | None = None,
    ) -> Plot:
        """Store one new plot (geometry in EPSG:25832) and return it.

        Raises
        ------
        PermissionDeniedError
            Unless ``viewer`` has the land-pool role.
        InputError
            For a bad attribute, id or geometry.
        ConflictError
            If ``plot_id`` is taken.
        """
        viewer.require_write()
        if status is not None and parse_enum("status", status) != Status.IDENTIFIED:
            raise InputError(
                f"a new plot starts at identified, not {status!r}; move it along the workflow "
                "afterwards (POST /plots/{id}/status, plots set-status) or import it with "
                "its status (the import records it in the history)."
            )
        new = self.prepare(values, geometry, plot_id=plot_id, status=status)
        new.reason = reason
        self.insert_many(viewer, [new])
        return self.get(viewer, new.plot_id)

    def insert_many(
        self,
        viewer: Viewer,
        plots: Sequence[NewPlot],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Store checked plots in ONE transaction: all of them or, on any error, none.

        Parameters
        ----------
        viewer
            Needs the land-pool role.
        plots
            Plots from :meth:`prepare` (or :func:`geo.landpool.io.read_plots`).
        on_progress
            Called as ``on_progress(done, total)`` after each batch (inside the transaction).

        Raises
        ------
        ConflictError
            If a ``plot_id`` is already stored; nothing is stored then.
        """
        viewer.require_write()
        if not plots:
            return 0
        ids = [p.plot_id for p in plots]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ConflictError(f"plot_id given twice: {', '.join(dup[:10])}.")
        unexplained = [p.plot_id for p in plots if p.status != Status.IDENTIFIED and not p.reason]
        if unexplained:
            raise InputError(
                "a plot that does not start at identified needs a reason for the history: "
                + ", ".join(unexplained[:10])
            )
        geoms = gpd.GeoSeries([p.geometry for p in plots], crs=WORK_CRS)
        places = derive_municipality(geoms, self.municipalities)
        place_ags = places["ags"].tolist()
        place_names = places["municipality"].tolist()
        now = _now()
        with self._write() as conn:
            taken = self._taken(conn, ids)
            if taken:
                raise ConflictError(
                    f"plot_id already in the register: {', '.join(sorted(taken)[:10])}; "
                    "choose another id (plot ids are never reused)."
                )
            for start in range(0, len(plots), BATCH_SIZE):
                batch = plots[start : start + BATCH_SIZE]
                rows = []
                history = []
                for i, p in enumerate(batch, start=start):
                    rows.append(
                        {
                            **{k: p.attributes.get(k) for k in EDITABLE_FIELDS},
                            "plot_id": p.plot_id,
                            "status": p.status,
                            "area_ha": area_ha(p.geometry),
                            "ags": place_ags[i],
                            "municipality": place_names[i],
                            "created_at": now,
                            "created_by": viewer.name,
                            "updated_at": now,
                            "updated_by": viewer.name,
                            "version": 1,
                            "published": False,
                            "geom": from_shape(p.geometry, srid=25832),
                        }
                    )
                    history.append(
                        {
                            "plot_id": p.plot_id,
                            "at": now,
                            "actor": viewer.name,
                            "event": "created",
                            "from_status": None,
                            "to_status": p.status,
                            "reason": p.reason,
                            "changes": json.dumps({"notes": p.notes}) if p.notes else None,
                            "version": 1,
                            "visibility": plot_level(
                                bool(p.attributes.get("confidential")), False
                            ).value,
                        }
                    )
                conn.execute(plots_table.insert(), rows)
                append_history(conn, history_table, history)
                if on_progress is not None:
                    on_progress(min(start + BATCH_SIZE, len(plots)), len(plots))
        return len(plots)

    @staticmethod
    def _taken(conn: Connection, ids: Sequence[str]) -> set[str]:
        taken: set[str] = set()
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            taken.update(
                conn.execute(
                    sa.select(plots_table.c.plot_id).where(plots_table.c.plot_id.in_(chunk))
                ).scalars()
            )
        return taken

    def _lock_row(self, conn: Connection, plot_id: str, expected_version: int | None) -> Plot:
        row = conn.execute(
            sa.select(*_PLOT_COLUMNS).where(plots_table.c.plot_id == plot_id).with_for_update()
        ).first()
        if row is None:
            raise _not_found(plot_id)
        plot = self._row_to_plot(row)
        if expected_version is not None and plot.version != expected_version:
            raise _stale(plot_id, expected_version, plot.version)
        return plot

    def _apply(
        self,
        conn: Connection,
        plot: Plot,
        changes: dict[str, Any],
        viewer: Viewer,
        now: datetime,
    ) -> None:
        result = conn.execute(
            plots_table.update()
            .where(plots_table.c.plot_id == plot.plot_id)
            .where(plots_table.c.version == plot.version)
            .values(
                **changes,
                version=plot.version + 1,
                updated_at=now,
                updated_by=viewer.name,
            )
        )
        if result.rowcount != 1:  # lost a race after the read (should not pass the lock)
            raise _stale(plot.plot_id, plot.version, None)

    def update(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        expected_version: int,
        values: Mapping[str, Any] | None = None,
        geometry: BaseGeometry | None = None,
        reason: str | None = None,
        repair: bool = False,
    ) -> Plot:
        """Change attributes and/or the geometry (EPSG:25832) of a plot.

        Parameters
        ----------
        expected_version
            The ``version`` the caller last read. If the stored plot has moved on, the
            update is refused with :class:`ConflictError` and nothing changes.

        Raises
        ------
        PermissionDeniedError, NotFoundError, InputError, ConflictError
        """
        viewer.require_write()
        values = dict(values or {})
        if "status" in values:
            raise InputError("status is changed through set_status (POST /plots/{id}/status).")
        attrs = parse_attributes(values, partial=True)
        new_geom = check_geometry(geometry, repair=repair)[0] if geometry is not None else None
        now = _now()
        with self._write() as conn:
            plot = self._lock_row(conn, plot_id, expected_version)
            changes: dict[str, Any] = {}
            diff: dict[str, Any] = {}
            for key, value in attrs.items():
                if getattr(plot, key) != value:
                    changes[key] = value
                    diff[key] = [getattr(plot, key), value]
            if new_geom is not None and not new_geom.equals_exact(plot.geometry, 1e-6):
                changes["geom"] = from_shape(new_geom, srid=25832)
                changes["area_ha"] = area_ha(new_geom)
                place = derive_municipality(
                    gpd.GeoSeries([new_geom], crs=WORK_CRS), self.municipalities
                ).iloc[0]
                changes["ags"] = place["ags"]
                changes["municipality"] = place["municipality"]
                diff["geometry"] = "changed"
                diff["area_ha"] = [plot.area_ha, changes["area_ha"]]
            if not changes:
                return plot
            if changes.get("confidential") and plot.published:
                # confidential is the stronger restriction: it ends the publication
                changes["published"] = False
                diff["published"] = [True, False]
            after = plot_level(
                bool(changes.get("confidential", plot.confidential)),
                bool(changes.get("published", plot.published)),
            )
            level = stricter(plot_level(plot.confidential, plot.published), after)
            self._apply(conn, plot, changes, viewer, now)
            self._log(conn, plot, viewer, now, "updated", plot.status, reason, diff, level)
        return self.get(viewer, plot_id)

    def set_status(
        self,
        viewer: Viewer,
        plot_id: str,
        status: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Plot:
        """Move a plot to another workflow status and record it in the history.

        Raises
        ------
        TransitionError
            If the workflow does not allow the change from the stored status (HTTP 409).
        ConflictError
            If ``expected_version`` is given and the plot has moved on.
        """
        viewer.require_write()
        now = _now()
        with self._write() as conn:
            plot = self._lock_row(conn, plot_id, expected_version)
            target = check_transition(plot.status, status, reason)
            self._apply(conn, plot, {"status": target.value}, viewer, now)
            level = plot_level(plot.confidential, plot.published)
            self._log(conn, plot, viewer, now, "status", target.value, reason, None, level)
        return self.get(viewer, plot_id)

    def publish(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Plot:
        """Publish a plot: from now on ``public`` callers see it (land-pool role).

        Recorded in the history with who, when and why.

        Raises
        ------
        InputError
            Without a reason.
        ConflictError
            If the plot is confidential (declassify it first), already published, or
            ``expected_version`` is stale.
        """
        return self._set_published(viewer, plot_id, True, reason, expected_version)

    def unpublish(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Plot:
        """Withdraw a publication: the plot is internal again (land-pool role)."""
        return self._set_published(viewer, plot_id, False, reason, expected_version)

    def _set_published(
        self,
        viewer: Viewer,
        plot_id: str,
        published: bool,
        reason: str | None,
        expected_version: int | None,
    ) -> Plot:
        viewer.require_write()
        what = "publish" if published else "unpublish"
        if reason is None or not str(reason).strip():
            raise InputError(
                f"to {what} a plot give a reason (--reason); it goes into the history."
            )
        now = _now()
        with self._write() as conn:
            plot = self._lock_row(conn, plot_id, expected_version)
            if plot.published == published:
                state = "published" if published else "not published"
                raise ConflictError(f"plot {plot_id!r} is already {state}.")
            if published and plot.confidential:
                raise ConflictError(
                    f"plot {plot_id!r} is confidential and cannot be published; "
                    "set confidential to false first."
                )
            before = plot_level(plot.confidential, plot.published)
            after = plot_level(plot.confidential, published)
            # a publication row is shown to the audience it opens; a withdrawal is not
            level = after if published else stricter(before, after)
            self._apply(conn, plot, {"published": published}, viewer, now)
            diff = {"published": [plot.published, published]}
            event = "published" if published else "unpublished"
            self._log(conn, plot, viewer, now, event, plot.status, str(reason).strip(), diff, level)
        return self.get(viewer, plot_id)

    @staticmethod
    def _log(
        conn: Connection,
        plot: Plot,
        viewer: Viewer,
        now: datetime,
        event: str,
        to_status: str,
        reason: str | None,
        changes: dict[str, Any] | None,
        level: Level,
    ) -> None:
        row = {
            "plot_id": plot.plot_id,
            "at": now,
            "actor": viewer.name,
            "event": event,
            "from_status": plot.status,
            "to_status": to_status,
            "reason": reason,
            "changes": json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
            "version": plot.version + 1,
            "visibility": level.value,
        }
        append_history(conn, history_table, [row])

    # -- checks ---------------------------------------------------------------------
    # -- saved screening profiles ---------------------------------------------------
    def save_profile(
        self, viewer: Viewer, name: str, body: str, expected_version: int | None = None
    ) -> SavedProfile:
        """Save (or replace) a screening profile; land-pool role only.

        ``body`` is the validated profile as JSON. With ``expected_version`` a stale
        replacement is refused (:class:`ConflictError`), as for plots.
        """
        viewer.require_write()
        _profile_name(name)
        with self._write() as conn:
            row = conn.execute(
                sa.select(profiles_table.c.version).where(profiles_table.c.name == name)
            ).first()
            if expected_version is not None and (row is None or row[0] != expected_version):
                raise ConflictError(
                    f"profile {name!r} is at version {None if row is None else row[0]}, "
                    f"not {expected_version}; reload it and try again."
                )
            version = 1 if row is None else int(row[0]) + 1
            values = {"body": body, "saved_at": _now(), "saved_by": viewer.name, "version": version}
            if row is None:
                conn.execute(profiles_table.insert().values(name=name, **values))
            else:
                conn.execute(
                    profiles_table.update().where(profiles_table.c.name == name).values(**values)
                )
        return self.get_profile(name)

    def get_profile(self, name: str) -> SavedProfile:
        """A saved profile by name (:class:`NotFoundError` when there is none)."""
        with self._read() as conn:
            row = conn.execute(
                sa.select(profiles_table).where(profiles_table.c.name == name)
            ).first()
        if row is None:
            raise NotFoundError(f"no saved screening profile {name!r}.")
        return SavedProfile(**dict(row._mapping))

    def list_profiles(self) -> builtins.list[SavedProfile]:
        """All saved profiles, by name."""
        with self._read() as conn:
            rows = conn.execute(sa.select(profiles_table).order_by(profiles_table.c.name))
            return [SavedProfile(**dict(r._mapping)) for r in rows]

    def verify_history(self) -> ChainReport:
        """Recompute the hash chain of the whole history (rows, head id and hash, breaks)."""
        with self._read() as conn:
            return history_report(conn, history_table)

    def history_has(self, digest: str) -> bool:
        """Whether a history row carries this hash (an anchored chain head)."""
        h = history_table
        with self._read() as conn:
            hit = conn.execute(sa.select(h.c.id).where(h.c.hash == digest).limit(1)).first()
        return hit is not None

    def check_integrity(self) -> builtins.list[str]:
        """Return every consistency problem found (empty list: the store is sound).

        Checks the database file (SQLite ``integrity_check`` and foreign keys), the hash
        chain of the history (:mod:`geo.landpool.history_chain`: any changed, removed, inserted or
        reordered row), that each plot has its creation record and a history that ends at
        its current version and status, and that no history row points at a missing plot.
        """
        problems: builtins.list[str] = list(self.verify_history().problems)
        with self._read() as conn:
            if self.backend == "geopackage":
                result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
                if result != ["ok"]:
                    problems.extend(f"integrity_check: {r}" for r in result)
                fk = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                problems.extend(f"foreign key: {tuple(r)}" for r in fk)
            h = history_table
            last = (
                sa.select(h.c.plot_id, sa.func.max(h.c.id).label("last_id"))
                .group_by(h.c.plot_id)
                .subquery()
            )
            rows = conn.execute(
                sa.select(
                    plots_table.c.plot_id,
                    plots_table.c.version,
                    plots_table.c.status,
                    h.c.version.label("h_version"),
                    h.c.to_status,
                )
                .select_from(plots_table)
                .outerjoin(last, last.c.plot_id == plots_table.c.plot_id)
                .outerjoin(h, h.c.id == last.c.last_id)
            ).all()
            for r in rows:
                if r.h_version is None:
                    problems.append(f"plot {r.plot_id} has no history")
                elif r.h_version != r.version or r.to_status != r.status:
                    problems.append(
                        f"plot {r.plot_id}: history ends at version {r.h_version} / "
                        f"{r.to_status}, plot is at {r.version} / {r.status}"
                    )
            orphans = conn.execute(
                sa.select(sa.func.count())
                .select_from(h)
                .where(~h.c.plot_id.in_(sa.select(plots_table.c.plot_id)))
            ).scalar_one()
            if orphans:
                problems.append(f"{orphans} history rows point at no plot")
        return problems


@dataclass(frozen=True)
class SavedProfile:
    """A screening profile saved in the database (its body is JSON text)."""

    name: str
    body: str
    saved_at: datetime
    saved_by: str
    version: int


_PROFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}")


def _profile_name(name: str) -> str:
    if not _PROFILE_NAME.fullmatch(name):
        raise InputError(f"profile name {name!r} must be 1–64 letters, digits, '_', '-' or '.'.")
    return name


def _not_found(plot_id: str) -> NotFoundError:
    return NotFoundError(f"plot {plot_id!r} not found.")


def _stale(plot_id: str, expected: int, stored: int | None) -> ConflictError:
    now = f" (it is at version {stored})" if stored is not None else ""
    return ConflictError(
        f"plot {plot_id!r} was changed by someone else since version {expected}{now}; "
        "reload it and apply your change again."
    )


__all__ = [
    "NewPlot",
    "Store",
    "create_engine",
    "default_url",
    "migrate",
]
