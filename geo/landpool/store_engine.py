"""The land-pool store's database: engines for GeoPackage and PostGIS, and migrations.

* **Embedded default** – a GeoPackage file (``data/landpool.gpkg``) handled through
  SpatiaLite's GeoPackage mode. The machine's pyenv Python cannot load SQLite extensions,
  so the store uses ``pysqlite3`` (a SQLite build that can) and Debian's ``mod_spatialite``.
* **Production** – PostgreSQL with PostGIS when ``STADTREGION_DATABASE_URL`` names one.

The schema is made by Alembic migrations (``geo/landpool/migrations``), run by
:func:`migrate` when a store is opened. The API token store shares these engines.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import geoalchemy2.alembic_helpers  # noqa: F401  (registers the GeoPackage Alembic impl)
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from geoalchemy2.admin.dialects.geopackage import init_geopackage
from sqlalchemy.engine import Connection, Engine

from geo.errors import DataSourceError, InputError
from geo.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Key of the PostgreSQL advisory lock that serialises concurrent migrations.
_MIGRATION_LOCK = 7_346_811_205


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
        # rasterio and pyogrio (each with its GDAL) must be loaded before SpatiaLite: in
        # the other order a later DEM or vector read crashes the process (two GDAL/SQLite
        # builds: Debian's mod_spatialite and the wheels'). Loading them here guards every
        # caller (imported here, not at module top, because only this backend needs it).
        import pyogrio  # noqa: F401
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


__all__ = ["MIGRATIONS_DIR", "create_engine", "default_url", "migrate"]
