"""Settings, read from the environment with the prefix ``STADTREGION_``.

Every path and service address the toolkit uses comes from here, so a planning office
can point it at its own data without touching code. ``Settings()`` reads the
environment (and a ``.env`` file in the working directory) each time it is built;
``get_settings()`` caches one instance for the running process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The project folder (the checkout this package is installed from in editable mode).
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def in_checkout(root: Path | None = None) -> bool:
    """Whether the package runs from a source checkout (not installed from a wheel)."""
    root = PROJECT_ROOT if root is None else root
    return (root / "pyproject.toml").is_file() and (root / "geo" / "settings.py").is_file()


def _base_dir() -> Path:
    """Where default folders hang off: the checkout, else the current working directory."""
    return PROJECT_ROOT if in_checkout() else Path.cwd()


def _data_pack(name: str) -> Path:
    """A shared data pack: ``../shared/data/NAME`` next to a checkout, else ``./data/NAME``."""
    if in_checkout():
        return PROJECT_ROOT.parent / "shared" / "data" / name
    return Path.cwd() / "data" / name


#: Working CRS for every metric computation: ETRS89 / UTM zone 32N.
WORK_CRS = "EPSG:25832"
#: CRS at the edges (API, maps).
WEB_CRS = "EPSG:4326"


class Settings(BaseSettings):
    """Configuration of stadtregion (environment variables ``STADTREGION_*``)."""

    model_config = SettingsConfigDict(env_prefix="STADTREGION_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: _data_pack("jena-region"),
        description="Folder of the Jena region data pack (read where it is, never copied).",
    )
    germany_dir: Path = Field(
        default_factory=lambda: _data_pack("germany"),
        description="Folder of the Germany data pack (VG250 Germany, Destatis population).",
    )
    processed_dir: Path = Field(
        default_factory=lambda: _base_dir() / "data" / "processed",
        description="Where `stadtregion build` writes derived data.",
    )
    raw_dir: Path = Field(
        default_factory=lambda: _base_dir() / "data" / "raw",
        description="Small tables of facts quoted by issues (with their source).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of a PostGIS database; the embedded SQLite store when unset.",
    )
    landpool_gpkg: Path = Field(
        default_factory=lambda: _base_dir() / "data" / "landpool.gpkg",
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
    # -- road networks and travel times (geo/roads/io.py, geo/roads/engine.py)
    max_snap_m: float = Field(
        default=500.0, gt=0, description="Farthest a point may lie from the road network (m)."
    )
    overpass_url: str = Field(
        default="https://overpass-api.de/api", description="Overpass API used by osmnx downloads."
    )
    overpass_timeout_s: int = Field(default=180, description="Timeout of Overpass requests (s).")
    connect_timeout_s: float = Field(
        default=5.0,
        gt=0,
        description="Time a download waits for the server's first answer before it gives up (s).",
    )
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
    # -- published figures (geo/region/published.py, geo/region/published_io.py)
    inkar_file: Path | None = Field(
        default=None,
        description="BBSR INKAR accessibility table (Gemeindeverbände, 2020); the Germany "
        "pack's inkar_erreichbarkeit_2020.csv when unset.",
    )

    # -- limits of one API request (api/, geo/validate.py): a 4xx names the setting
    plot_extent: tuple[float, float, float, float] = Field(
        default=(9.8, 49.9, 12.8, 51.8),
        description="lon/lat box (min_lon, min_lat, max_lon, max_lat, WGS84) that plot and "
        "flood geometries must lie in: the region (Thuringia with a margin).",
    )
    allow_outside_extent: bool = Field(
        default=False,
        description="Accept geometries outside plot_extent (still within lon ±180, lat ±90).",
    )
    max_isochrone_cutoffs: int = Field(
        default=6, ge=1, description="Most `minutes` cut-offs one /isochrones request may ask for."
    )
    max_list_items: int = Field(
        default=50, ge=1, description="Most values of one repeated query parameter."
    )
    max_rail_window_min: int = Field(
        default=240,
        ge=1,
        description="Longest departure window (minutes × origins) of one rail request.",
    )
    max_geometry_vertices: int = Field(
        default=100_000, ge=4, description="Most vertices of one geometry sent to the API."
    )
    cache_max_bytes: int = Field(
        default=128_000_000,
        ge=0,
        description="Memory for cached public answers per worker process (0: no cache).",
    )
    workers: int = Field(default=2, ge=1, description="Worker processes of `stadtregion serve`.")
    worker_healthcheck_s: int = Field(
        default=60,
        ge=1,
        le=600,
        description="How long `stadtregion serve` waits for a worker process to answer its "
        "health check before it restarts it (uvicorn's default of 5 s is too short for a "
        "worker building its maps on a busy machine).",
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
    rail_day_window: str = Field(
        default="06:00-20:00",
        description="Departure window of the maps and batch jobs without a window: a "
        "weekday period (on rail_date) long enough for a two-hourly service; named on "
        "every map. API and CLI queries keep rail_window.",
    )
    # -- login and sessions of the web app (geo/access/users.py, sessions.py, secret.py)
    session_max_age_h: float = Field(
        default=8.0, gt=0, le=24 * 30, description="A session ends this long after login (h)."
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Reverse proxies (IP addresses or CIDR networks, comma-separated; '*' "
        "any) whose X-Forwarded-For and X-Forwarded-Proto headers are believed: the forum's "
        "rate limits and the login throttle then count the visitor's address, not the "
        "proxy's. Empty: no proxy is trusted and every client counts by the address it "
        "connects from.",
    )
    session_idle_min: float = Field(
        default=60.0, gt=0, description="A session ends after this long without a request (min)."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins per username and per client within login_window_min "
        "after which further attempts are refused (429) for login_lockout_min.",
    )
    login_window_min: float = Field(
        default=15.0, gt=0, description="Window in which failed logins are counted (min)."
    )
    login_lockout_min: float = Field(
        default=15.0, gt=0, description="How long logins stay refused after too many failures."
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Server secret (at least 32 characters) keying the HMAC of client "
        "addresses for login throttling; when unset, the file secret_key in processed_dir "
        "(created on first use, mode 0600). Set it when several hosts share one database.",
    )
    # -- forum contributions (geo/forum/): abuse limits and the contact e-mails' retention
    contributions_per_client_hour: int = Field(
        default=10,
        ge=1,
        description="Contributions one client (keyed hash of its address) may submit per hour.",
    )
    contributions_global_per_hour: int = Field(
        default=500, ge=1, description="Contributions the forum takes per hour from everyone."
    )
    contributions_pending_per_client: int = Field(
        default=10,
        ge=1,
        description="Contributions of one client that may wait for moderation at once; "
        "more are refused (429), so one client cannot flood the queue.",
    )
    contact_retention_days: float = Field(
        default=180.0,
        gt=0,
        description="Days a contribution's contact e-mail is kept, then deleted (purged on "
        "every write and by `stadtregion contributions purge`).",
    )


#: Hard bounds of query parameters, in the API description (so clients and tests see them).
MAX_OFFSET = 10_000_000
#: Most values of one repeated query parameter in the API description (``maxItems``; the
#: default of ``Settings.max_list_items``, which the running server checks).
MAX_QUERY_ITEMS: int = Settings.model_fields["max_list_items"].default
#: Largest version number a request may name (plots, profiles).
MAX_VERSION = 2**31 - 1


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the settings of this process, read once from the environment."""
    return Settings()
