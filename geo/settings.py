"""Settings, read from the environment with the prefix ``STADTREGION_``.

Every path and service address the toolkit uses comes from here, so a planning office
can point it at its own data without touching code. ``Settings()`` reads the
environment (and a ``.env`` file in the working directory) each time it is built;
``get_settings()`` caches one instance for the running process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The project folder (the checkout this package is installed from in editable mode).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Working CRS for every metric computation: ETRS89 / UTM zone 32N.
WORK_CRS = "EPSG:25832"
#: CRS at the edges (API, maps).
WEB_CRS = "EPSG:4326"


class Settings(BaseSettings):
    """Configuration of stadtregion (environment variables ``STADTREGION_*``)."""

    model_config = SettingsConfigDict(env_prefix="STADTREGION_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data" / "jena-region",
        description="Folder of the Jena region data pack (read where it is, never copied).",
    )
    germany_dir: Path = Field(
        default=PROJECT_ROOT.parent / "shared" / "data" / "germany",
        description="Folder of the Germany data pack (VG250 Germany, Destatis population).",
    )
    processed_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "processed",
        description="Where `stadtregion build` writes derived data.",
    )
    raw_dir: Path = Field(
        default=PROJECT_ROOT / "data" / "raw",
        description="Small tables of facts quoted by issues (with their source).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostGIS database; the embedded SQLite store when unset.",
    )
    landpool_gpkg: Path = Field(
        default=PROJECT_ROOT / "data" / "landpool.gpkg",
        description="GeoPackage file of the embedded land-pool store (when no database_url).",
    )
    cors_origins: str = Field(
        default="",
        description="Comma-separated origins allowed to call the API from a browser (CORS), "
        "e.g. 'https://forum.example.org'; '*' for any; none when empty.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    tiles_url: str | None = Field(
        default=None,
        description="Base-map tile URL template ({z}/{x}/{y}); no base map when unset.",
    )
    tiles_attribution: str = ""
    static_url: str = Field(default="/static", description="URL prefix of self-hosted map assets.")
    max_body_bytes: int = 5_000_000
    dem_file: Path | None = Field(
        default=None,
        description="DEM for plot screening (any GeoTIFF/SRTM); the shared SRTM tile when unset.",
    )
    flood_zones_file: Path | None = Field(
        default=None,
        description="HQ100 flood-zone polygons for plot screening; flood share unknown when unset.",
    )
    gtfs_feeds: list[str] = Field(
        default=["db_fv_gtfs_2019.zip"],
        description="GTFS feeds (zip or folder) for public transport; relative to data_dir.",
    )
    gtfs_bad_trips: str = Field(
        default="drop",
        description=(
            "'refuse' a feed with a trip whose times go backwards, or 'drop' such trips "
            "(named in every answer). The DB feed has three such night trains."
        ),
    )
    gtfs_download_url: str | None = Field(
        default=None,
        description="URL of a GTFS feed to fetch with `stadtregion transit download` (e.g. DELFI).",
    )
    # -- road networks and travel times (geo/network_io.py, geo/travel.py)
    max_snap_m: float = Field(
        default=500.0, gt=0, description="Farthest a point may lie from the road network (m)."
    )
    overpass_url: str = Field(
        default="https://overpass-api.de/api", description="Overpass API used by osmnx downloads."
    )
    overpass_timeout_s: int = Field(default=180, description="Timeout of Overpass requests (s).")
    congestion: dict[str, float] = Field(
        default_factory=dict,
        description="Travel-time multipliers per road class (≥ 1), e.g. "
        '{"primary": 1.3}; free flow when empty.',
    )
    network_file: Path | None = Field(
        default=None,
        description="Road network to route on (OSM XML/PBF, GraphML or road lines); the "
        "cached regional network, else the shared Jena roads, when unset.",
    )
    # -- rail queries (geo/transit/query.py): the defaults of every rail entry point
    rail_date: str = Field(
        default="2019-05-15",
        description="Service date of a rail query without a date (a Wednesday of the 2019 "
        "timetable year of the shared DB feed); named in every answer.",
    )
    rail_window: str = Field(
        default="07:00-08:00",
        description="Departure window of a rail query without window or departure.",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process, read once from the environment."""
    return Settings()
