"""Reading what plot screening needs from disk: layers of the data pack, flood zones, profiles.

The computation is :mod:`geo.screening.criteria`; this module only reads files and stamps each
layer with its version (file name and SHA-256 prefix, or size and mtime for a DEM).
"""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd
import shapely
import yaml
from shapely.geometry import Point

from geo import sources
from geo.errors import DataSourceError, InputError, NotFoundError, ProfileError
from geo.region.build import get_area, load_region
from geo.roads.engine import RoadCarMinutes
from geo.roads.io import cached_engine
from geo.screening.attributes import CarEngine, Layer, ScreeningLayers
from geo.screening.criteria import summary
from geo.screening.profile import Profile, parse_profile
from geo.screening.raster_io import DEFAULT_DEM_FILE, read_dem
from geo.settings import WEB_CRS, Settings

if TYPE_CHECKING:
    from geo.landpool.plots import Viewer
    from geo.landpool.store import SavedProfile, Store

NATURE_RESERVES_FILE = "jena_nature_reserves_osm2014.geojson"
WATER_FILE = "jena_water_osm2014.geojson"
TRAM_FILE = "jena_tram_osm2014.geojson"
BOUNDARY_FILE = "jena_boundary_osm2014.geojson"
#: AGS of Jena, whose Destatis centre point is the default centre for car minutes.
JENA_AGS = "16053000"


def layer_version(path: Path) -> str:
    """``<file name>@sha256:<first 16 hex digits>`` of a layer file."""
    return f"{path.name}@sha256:{sources.file_digest([path])[:16]}"


def read_layer_file(path: Path, what: str, coverage: Layer | None = None) -> Layer:
    """Read a vector layer file as a :class:`Layer` in EPSG:25832 with its version."""
    gdf = sources.read_vector(path, what)
    cov = None if coverage is None else coverage.coverage
    label = "" if coverage is None else coverage.coverage_label
    return Layer(gdf=gdf, version=layer_version(path), coverage=cov, coverage_label=label)


def read_flood_zones(path: Path) -> Layer:
    """Read a flood-zone layer (e.g. HQ100 polygons published by the Land).

    Only polygons count; a file without any raises :class:`DataSourceError`.
    """
    gdf = sources.read_vector(path, "flood-zone layer")
    polys = gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    if polys.empty:
        raise DataSourceError(f"flood-zone layer {path} holds no polygons; give HQ100 areas.")
    return Layer(gdf=polys, version=layer_version(path))


def load_layers(
    settings: Settings,
    flood_path: Path | None = None,
    dem_path: Path | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    car: CarEngine | None = None,
    car_version: str = "",
    road_network: bool = True,
) -> ScreeningLayers:
    """Read the default screening layers of the Jena region pack.

    Parameters
    ----------
    settings
        Where the data pack is.
    flood_path
        A flood-zone polygon file (default ``settings.flood_zones_file``); without one
        ``flood_share`` stays unknown.
    dem_path
        A DEM (GeoTIFF, SRTM, ...); default ``settings.dem_file``, else the SRTM tile.
    bounds
        Extent of the plots (EPSG:25832) to read only that part of the DEM.
    car
        A car travel-time engine; default: the loaded road network (see
        ``geo.roads.io.cached_engine``) when ``road_network`` is true. Plots the network
        does not cover keep unknown car minutes.
    car_version
        Version string of the road network behind ``car``.
    road_network
        Use the default road network when ``car`` is not given; ``False`` leaves car
        minutes unknown.
    """
    if car is None and road_network:
        engine, choice = cached_engine(settings)
        car = RoadCarMinutes(engine)
        car_version = car_version or f"{choice.name}@{layer_version(choice.path)}"
    data = settings.data_dir
    region, _ = load_region(settings)
    region_file = settings.processed_dir / get_area("thuringia").output
    stamp = sources.read_json(region_file.with_suffix(".build.json")) or {}
    region_version = f"region.gpkg@{str(stamp.get('digest', 'unknown'))[:16]}"
    boundary = sources.read_vector(data / BOUNDARY_FILE, "Jena city boundary")
    jena = Layer(
        gdf=boundary,
        version=layer_version(data / BOUNDARY_FILE),
        coverage=boundary.geometry.union_all(),
        coverage_label="city of Jena, OSM 2014",
    )
    stations = sources.read_stations(data)
    stations_layer = Layer(gdf=stations, version=layer_version(data / sources.STATIONS_FILE))
    jena_row = region[region["ags"] == JENA_AGS]
    centre = (
        Point(float(jena_row["centre_x"].iloc[0]), float(jena_row["centre_y"].iloc[0]))
        if len(jena_row)
        else None
    )
    dem_file = dem_path or settings.dem_file or data / DEFAULT_DEM_FILE
    flood_path = flood_path or settings.flood_zones_file
    return ScreeningLayers(
        municipalities=Layer(gdf=region[["ags", "name", "geometry"]], version=region_version),
        nature_reserves=read_layer_file(data / NATURE_RESERVES_FILE, "nature reserves", jena),
        water=read_layer_file(data / WATER_FILE, "rivers and water bodies", jena),
        stations=stations_layer,
        tram=read_layer_file(data / TRAM_FILE, "tram lines", jena),
        flood=None if flood_path is None else read_flood_zones(flood_path),
        dem=read_dem(dem_file, bounds=bounds),
        centre=centre,
        centre_label="Jena centre (Destatis centre point)",
        car=car,
        car_version=car_version,
    )


# -- profiles ---------------------------------------------------------------------------

PROFILE_PACKAGE = "geo.screening.profiles"


def read_profile(path: Path) -> Profile:
    """Read and validate a profile from a YAML or JSON file.

    Raises
    ------
    ProfileError
        When the file cannot be parsed or a key is unknown or has a bad value.
    """
    if not path.is_file():
        raise ProfileError(f"profile file {path} not found; give a YAML or JSON file.")
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise ProfileError(f"profile file {path} is not valid YAML/JSON: {exc}") from exc
    return parse_profile(data, source=path.name)


def shipped_profile_names() -> list[str]:
    """Names of the profiles shipped with the package (``geo/screening/profiles/*.yaml``)."""
    root = resources.files(PROFILE_PACKAGE)
    return sorted(p.name.removesuffix(".yaml") for p in root.iterdir() if p.name.endswith(".yaml"))


def shipped_profile(name: str) -> Profile:
    """Return a shipped profile (``housing``, ``commerce``, ``quick_wins``)."""
    names = shipped_profile_names()
    if name not in names:
        raise NotFoundError(f"no shipped profile {name!r}; choose one of {', '.join(names)}.")
    text = resources.files(PROFILE_PACKAGE).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return parse_profile(yaml.safe_load(text), source=f"{name}.yaml")


def load_profile(name_or_path: str, store: Store | None = None, *, files: bool = True) -> Profile:
    """A shipped profile by name, a profile saved in ``store``, or a profile file by path.

    The one look-up of a profile by name: shipped names first (a saved profile cannot
    hide one), then the profiles saved in ``store``, then (``files``) a file path.

    Parameters
    ----------
    name_or_path
        ``housing``, a saved profile's name or (with ``files``) a YAML/JSON file.
    store
        Where saved profiles are; ``None`` = none.
    files
        Whether a path on this machine may be read (the CLI: yes; the API: no, a web
        caller sends a profile object instead).

    Raises
    ------
    NotFoundError, InputError
        No such profile (``InputError`` when files are not allowed: the request names
        something that does not exist).
    """
    names = shipped_profile_names()
    if name_or_path in names:
        return shipped_profile(name_or_path)
    path = Path(name_or_path)
    is_file = files and path.is_file()
    if store is not None and not is_file:
        try:
            saved = store.get_profile(name_or_path)
        except NotFoundError:
            pass
        else:
            return parse_profile(json.loads(saved.body), source=f"saved profile {saved.name}")
    if not files:
        raise InputError(
            f"profile {name_or_path!r} is neither shipped ({', '.join(names)}) nor saved; "
            "send a profile object."
        )
    if not is_file and not path.suffix:
        saved_names = [p.name for p in store.list_profiles()] if store is not None else []
        raise NotFoundError(
            f"no profile {name_or_path!r}; choose one of {', '.join(names + saved_names)} "
            "or give a YAML/JSON profile file."
        )
    return read_profile(path)


def save_profile(
    store: Store,
    viewer: Viewer,
    name: str,
    profile: Profile,
    expected_version: int | None = None,
) -> SavedProfile:
    """Save a validated profile in the database under ``name`` (land-pool role only).

    Shipped names are reserved: a saved profile cannot hide a shipped one. With
    ``expected_version`` a profile saved since (a newer version) is not overwritten
    (:class:`~geo.errors.ConflictError`).
    """
    if name in shipped_profile_names():
        raise InputError(f"{name!r} is a shipped profile; save yours under another name.")
    return store.save_profile(viewer, name, profile.model_dump_json(), expected_version)


# -- results ----------------------------------------------------------------------------

#: Formats :func:`write_result` writes.
RESULT_FORMATS = ("gpkg", "geojson", "csv")

#: Attribution of the layers behind derived attributes (shown with every result).
RESULT_ATTRIBUTIONS = (
    sources.ATTRIBUTIONS["osm"],
    sources.ATTRIBUTIONS["N50E011.hgt"],
    sources.ATTRIBUTIONS[sources.STATIONS_FILE],
    sources.ATTRIBUTIONS[sources.VG250_FILE],
)


def _plain(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Categoricals as plain strings, so every writer and JSON encoder takes them."""
    out = result.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype("str")
    return out


def result_geojson(result: gpd.GeoDataFrame) -> dict[str, Any]:
    """A screening result as a GeoJSON FeatureCollection in EPSG:4326 (RFC 7946).

    Every feature carries the plot's attributes, ``pass_*``/``reason_*`` per criterion,
    ``outcome``, ``outcome_label``, ``open_criteria``, ``decide``, ``passed``, ``score``
    and ``rank``; the collection names the profile, the attributions and the ``summary``
    (plots per outcome, adding up to ``total``).
    """
    plain = _plain(result).to_crs(WEB_CRS)
    doc: dict[str, Any] = json.loads(plain.to_json(na="null", show_bbox=False, drop_id=True))
    doc["name"] = f"screening {result.attrs.get('profile', '')}".strip()
    doc["profile"] = result.attrs.get("profile")
    if "outcome" in result.columns:
        doc["summary"] = summary(result)
    doc["attribution"] = list(RESULT_ATTRIBUTIONS)
    return doc


def write_result(result: gpd.GeoDataFrame, path: Path, fmt: str | None = None) -> Path:
    """Write a screening result: ``gpkg`` (EPSG:25832, layer ``screening``), ``geojson``
    (EPSG:4326) or ``csv`` (geometry as WKT in EPSG:25832); the format comes from the
    suffix when not given. Written to a temporary file first, then renamed.
    """
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    fmt = "geojson" if fmt == "json" else fmt
    if fmt not in RESULT_FORMATS:
        raise InputError(f"output format {fmt!r} is not supported; use .gpkg, .geojson or .csv.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    tmp.unlink(missing_ok=True)
    plain = _plain(result)
    try:
        if fmt == "gpkg":
            plain.to_file(tmp, layer="screening", driver="GPKG")
        elif fmt == "geojson":
            tmp.write_text(json.dumps(result_geojson(result), ensure_ascii=False))
        else:
            table = pd.DataFrame(plain.drop(columns=plain.geometry.name))
            table["wkt"] = shapely.to_wkt(plain.geometry.to_numpy(), rounding_precision=2)
            table["attribution"] = "; ".join(RESULT_ATTRIBUTIONS)
            table.to_csv(tmp, index=False)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def read_plot_file(path: Path) -> gpd.GeoDataFrame:
    """Read plots to screen from a vector file (any CRS; returned in EPSG:25832)."""
    return sources.read_vector(path, "plot file")
