"""Road-network I/O: OSM downloads (osmnx), OSM XML/PBF and road-line files, on-disk cache.

Everything here reads or writes; the graph logic is in :mod:`geo.roads.network`, routing in
:mod:`geo.roads.engine`.

Sources
-------
* OpenStreetMap via osmnx (Overpass API): by place name, polygon or bbox, network type
  ``drive`` (roads a car may use), cached as GraphML under
  ``Settings.processed_dir / "networks"``; osmnx's HTTP cache under
  ``Settings.processed_dir / "osmnx_cache"``. The Overpass address is
  ``Settings.overpass_url``.
* OSM XML (``.osm``, ``.osm.gz``, ``.osm.bz2``) through ``osmnx.graph_from_xml``,
  reduced to car roads.
* OSM PBF (``.pbf``) through pyosmium: the highway ways and the nodes they use are
  written to a temporary OSM XML file, then read as above.
* Road line layers (GeoJSON, GPKG, Shapefile) of OSM ways with their tags, noded at
  shared vertices (:func:`geo.roads.network.graph_from_lines`).
* GraphML written by this module (the cache format).

Default network
---------------
:func:`default_network_path` is the regional network fetched by
``stadtregion network fetch`` when it is cached, else the Jena roads of the shared
data pack (Jena only).
"""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
from shapely.geometry.base import BaseGeometry

from geo.errors import DataSourceError, InputError
from geo.roads.download import Heartbeat, Progress, probe
from geo.roads.engine import RoutingEngine
from geo.roads.network import filter_car_roads, graph_from_lines, prepare_network
from geo.settings import WORK_CRS, Settings
from geo.sources import require_file

#: Shared Jena roads (OSM 2014, Jena only).
JENA_ROADS_FILE = "jena_roads_osm2014.geojson"
#: File name of the regional drive network fetched by ``stadtregion network fetch``.
REGIONAL_FILE = "region_drive.graphml"
#: osmnx network type of the downloads: roads a car may use.
NETWORK_TYPE = "drive"

_LINE_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".fgb"}
_XML_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".xml")


def networks_dir(settings: Settings) -> Path:
    """Folder of cached road networks (``processed_dir / networks``)."""
    return Path(settings.processed_dir) / "networks"


def regional_network_path(settings: Settings) -> Path:
    """Where ``stadtregion network fetch`` caches the regional drive network."""
    return networks_dir(settings) / REGIONAL_FILE


def jena_roads_path(settings: Settings) -> Path:
    """The shared Jena road layer of the data pack."""
    return Path(settings.data_dir) / JENA_ROADS_FILE


# -- osmnx downloads -----------------------------------------------------------


@contextmanager
def osmnx_settings(settings: Settings) -> Iterator[Any]:
    """Point osmnx at our Overpass address and cache folder for the duration of a call."""
    import osmnx as ox  # here: importing osmnx takes about 2 s (CLI start-up time)

    keys = ("overpass_url", "cache_folder", "use_cache", "log_console", "requests_timeout")
    saved = {k: getattr(ox.settings, k) for k in keys}
    try:
        ox.settings.overpass_url = settings.overpass_url
        ox.settings.cache_folder = str(Path(settings.processed_dir) / "osmnx_cache")
        ox.settings.use_cache = True
        ox.settings.log_console = False
        ox.settings.requests_timeout = settings.overpass_timeout_s
        yield ox
    finally:
        for k, v in saved.items():
            setattr(ox.settings, k, v)


def fetch_osm_network(
    settings: Settings,
    *,
    place: str | None = None,
    polygon: BaseGeometry | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    progress: Progress | None = None,
) -> nx.MultiDiGraph:
    """Download a drive network from OpenStreetMap with osmnx (Overpass API).

    Give exactly one of ``place`` (a name Nominatim knows), ``polygon`` (EPSG:4326) or
    ``bbox`` (``(west, south, east, north)`` in degrees). The Overpass server is asked
    first with ``settings.connect_timeout_s`` (:func:`geo.roads.download.probe`);
    ``progress`` receives a line per step and every 10 s while the download runs.

    Returns
    -------
    networkx.MultiDiGraph
        The raw osmnx graph (EPSG:4326), simplified, all parts kept.

    Raises
    ------
    DataSourceError
        The download failed (no network, server error, empty answer).
    """
    given = [x is not None for x in (place, polygon, bbox)]
    if sum(given) != 1:
        raise InputError("give exactly one of place, polygon or bbox to fetch a network.")
    say = progress or (lambda _: None)
    say(f"checking {settings.overpass_url} (up to {settings.connect_timeout_s:g} s) …")
    probe(
        settings.overpass_url.rstrip("/") + "/status",
        settings.connect_timeout_s,
        "OSM road network download",
        "or set STADTREGION_OVERPASS_URL",
    )
    say(
        f"downloading the drive network from {settings.overpass_url} "
        f"(timeout {settings.overpass_timeout_s} s per request) …"
    )
    with osmnx_settings(settings) as ox, Heartbeat(progress, "still downloading"):
        try:
            if place is not None:
                return ox.graph_from_place(place, network_type=NETWORK_TYPE, retain_all=True)
            if polygon is not None:
                return ox.graph_from_polygon(
                    polygon, network_type=NETWORK_TYPE, retain_all=True, truncate_by_edge=True
                )
            assert bbox is not None
            return ox.graph_from_bbox(
                bbox, network_type=NETWORK_TYPE, retain_all=True, truncate_by_edge=True
            )
        except (OSError, ValueError) as exc:  # requests errors are OSErrors
            raise DataSourceError(
                f"downloading the OSM road network from {settings.overpass_url} failed: {exc}"
            ) from exc
        except Exception as exc:  # osmnx's own InsufficientResponseError etc.
            if type(exc).__module__.startswith(("osmnx", "requests", "urllib3")):
                raise DataSourceError(
                    f"downloading the OSM road network from {settings.overpass_url} failed: {exc}"
                ) from exc
            raise


def region_polygon(region: gpd.GeoDataFrame, buffer_m: float = 2000.0) -> BaseGeometry:
    """Union of municipalities buffered by ``buffer_m``, in EPSG:4326 (for downloads).

    The buffer keeps roads that leave and re-enter the area, so trips along the edge
    are not cut off.
    """
    shape = region.to_crs(WORK_CRS).union_all().buffer(buffer_m)
    return gpd.GeoSeries([shape], crs=WORK_CRS).to_crs("EPSG:4326").iloc[0]


def fetch_region_network(
    settings: Settings,
    region: gpd.GeoDataFrame,
    label: str,
    progress: Progress | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Download the drive network of ``region`` and cache it as the regional network.

    ``progress`` receives one line per step (see :func:`fetch_osm_network`).

    Returns
    -------
    (Path, dict)
        The GraphML file written and a summary (nodes, edges, label, fetched time).
    """
    graph = fetch_osm_network(settings, polygon=region_polygon(region), progress=progress)
    if progress is not None:
        progress(f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges; writing …")
    graph.graph["stadtregion_label"] = label
    graph.graph["stadtregion_fetched"] = datetime.now(UTC).isoformat(timespec="seconds")
    graph.graph["stadtregion_municipalities"] = len(region)
    path = regional_network_path(settings)
    save_graph(graph, path)
    return path, {
        "path": str(path),
        "label": label,
        "municipalities": len(region),
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "fetched": graph.graph["stadtregion_fetched"],
    }


def save_graph(graph: nx.MultiDiGraph, path: Path) -> Path:
    """Write a graph as GraphML atomically (temporary file, then rename)."""
    import osmnx as ox  # here: importing osmnx takes about 2 s (CLI start-up time)

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".graphml", delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        ox.save_graphml(graph, tmp_path)
        tmp_path.replace(path)
    finally:
        tmp_path.unlink(missing_ok=True)
    return path


# -- files -------------------------------------------------------------------


def read_osm_xml(path: Path) -> nx.MultiDiGraph:
    """Read an OSM XML file (``.osm``, ``.osm.gz``, ``.osm.bz2``) as a car road graph.

    Ways are reduced to car roads (:func:`geo.roads.network.filter_car_roads`), then osmnx
    merges chains of edges between intersections (``simplify_graph``).
    """
    import osmnx as ox  # here: importing osmnx takes about 2 s (CLI start-up time)

    require_file(path, "OSM XML file")
    try:
        graph = ox.graph_from_xml(path, bidirectional=False, simplify=False, retain_all=True)
    except Exception as exc:
        raise DataSourceError(f"cannot read OSM XML {path}: {exc}") from exc
    # filter before simplifying, so no edge merges a footway into a road
    cars = filter_car_roads(graph)
    if cars.number_of_edges() == 0:
        raise DataSourceError(f"OSM XML {path} holds no road a car may use.")
    return ox.simplify_graph(cars)


def read_osm_pbf(path: Path) -> nx.MultiDiGraph:
    """Read an OSM PBF file as a car road graph (pyosmium → OSM XML → osmnx).

    Only ways with a ``highway`` tag and the nodes they use are carried over.
    """
    import osmium  # here: only PBF imports need it (CLI start-up time)

    require_file(path, "OSM PBF file")
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp) / "roads.osm"
        try:
            with osmium.BackReferenceWriter(str(xml), ref_src=str(path), overwrite=True) as w:
                ways = osmium.FileProcessor(str(path), osmium.osm.WAY).with_filter(
                    osmium.filter.KeyFilter("highway")
                )
                for way in ways:
                    w.add(way)
        except RuntimeError as exc:
            raise DataSourceError(f"cannot read OSM PBF {path}: {exc}") from exc
        return read_osm_xml(xml)


def read_road_lines(path: Path) -> nx.MultiDiGraph:
    """Read a road line layer (GeoJSON/GPKG/…) of OSM ways as a car road graph."""
    require_file(path, "road line layer")
    lines = gpd.read_file(path)
    if lines.crs is None:
        raise DataSourceError(f"road line layer {path} has no CRS; it cannot be placed.")
    return graph_from_lines(lines)


def read_graphml(path: Path) -> nx.MultiDiGraph:
    """Read a GraphML road graph written by :func:`save_graph`."""
    import osmnx as ox  # here: importing osmnx takes about 2 s (CLI start-up time)

    require_file(path, "cached road network (GraphML)")
    return ox.load_graphml(path)


def read_network_file(path: Path) -> nx.MultiDiGraph:
    """Read a road network from any supported file, chosen by its suffix."""
    name = path.name.lower()
    if name.endswith(".pbf"):
        return read_osm_pbf(path)
    if name.endswith(_XML_SUFFIXES):
        return read_osm_xml(path)
    if name.endswith(".graphml"):
        return read_graphml(path)
    if path.suffix.lower() in _LINE_SUFFIXES:
        return read_road_lines(path)
    raise InputError(
        f"cannot tell the format of network file {path.name!r}; give .osm, .osm.gz, .pbf, "
        ".graphml or a road line layer (.geojson, .gpkg, .shp)."
    )


# -- the default network and its engine ---------------------------------------


@dataclass(frozen=True)
class NetworkChoice:
    """Which network file a command uses, and why."""

    path: Path
    name: str
    note: str


def default_network(settings: Settings) -> NetworkChoice:
    """The regional network where it is cached, else the shared Jena roads (and which)."""
    if settings.network_file is not None:
        p = Path(settings.network_file)
        return NetworkChoice(
            p, p.name.split(".")[0], f"network file {p} (STADTREGION_NETWORK_FILE)"
        )
    regional = regional_network_path(settings)
    if regional.is_file():
        return NetworkChoice(
            regional, "regional OSM drive network", f"regional drive network cached at {regional}"
        )
    jena = jena_roads_path(settings)
    return NetworkChoice(
        jena,
        "jena_roads_osm2014 (Jena only)",
        f"shared Jena roads {jena.name} (Jena only; run `stadtregion network fetch --region "
        "Jena` for the regional network)",
    )


def load_engine(
    path: Path,
    name: str | None = None,
    max_snap_m: float | None = None,
    congestion: dict[str, float] | None = None,
) -> RoutingEngine:
    """Read a network file and build its routing engine (EPSG:25832, largest SCC)."""
    graph = read_network_file(path)
    prepared, report = prepare_network(graph, congestion)
    return RoutingEngine.from_graph(
        prepared,
        name=name or path.name,
        source=str(path),
        max_snap_m=max_snap_m if max_snap_m is not None else Settings().max_snap_m,
        component_report=report.as_dict(),
    )


_ENGINES: dict[tuple[str, float, float, str, str], RoutingEngine] = {}
_LOCK = threading.Lock()


def cached_engine(settings: Settings) -> tuple[RoutingEngine, NetworkChoice]:
    """The engine of the default network, built once per process and file version."""
    choice = default_network(settings)
    if not choice.path.is_file():
        raise DataSourceError(
            f"road network {choice.path} not found. Set STADTREGION_DATA_DIR to the data pack "
            "or run `stadtregion network fetch --region Jena`."
        )
    key = (
        str(choice.path),
        choice.path.stat().st_mtime,
        settings.max_snap_m,
        choice.name,
        json.dumps(settings.congestion, sort_keys=True),
    )
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = load_engine(
                choice.path, choice.name, settings.max_snap_m, settings.congestion or None
            )
            _ENGINES.clear()
            _ENGINES[key] = engine
    return engine, choice
