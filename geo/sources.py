"""Reading and writing data files: the only module of ``geo/`` that touches files on disk.

The shared data pack is read where it lies (``Settings.data_dir``); nothing is copied
into the repository. Readers return data in the working CRS (EPSG:25832) and with
plain column names; the domain modules do the rest.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import DataSourceError
from geo.settings import WORK_CRS

#: Files of the Jena region pack the region model is built from.
VG250_FILE = "vg250_thueringen_2016.gpkg"
POPULATION_FILE = "population_destatis_thueringen.csv"
STATIONS_FILE = "db_stations_thueringen.csv"
RAIL_FILE = "rail_segments_thueringen_2015.geojson"
ISEK_FILE = "isek_umland.csv"
#: Files of the Germany pack.
VG250_GERMANY_FILE = "vg250_deutschland_2016.gpkg"
POPULATION_GERMANY_FILE = "population_destatis_deutschland.csv"
INKAR_FILE = "inkar_erreichbarkeit_2020.csv"

#: Attributions of every data source, keyed by the file they belong to.
ATTRIBUTIONS: dict[str, str] = {
    VG250_FILE: "Verwaltungsgrenzen: © GeoBasis-DE / BKG (2016), dl-de/by-2.0",
    VG250_GERMANY_FILE: "Verwaltungsgrenzen: © GeoBasis-DE / BKG (2016), dl-de/by-2.0",
    POPULATION_FILE: "Bevölkerung: © Statistisches Bundesamt (Destatis), dl-de/by-2.0",
    POPULATION_GERMANY_FILE: "Bevölkerung: © Statistisches Bundesamt (Destatis), dl-de/by-2.0",
    ISEK_FILE: "ISEK-Angaben: Stadt Jena, ISEK Jena 2030, Lenkungsrunde Nr. 3 (06.12.2016)",
    STATIONS_FILE: "Bahnhöfe: Deutsche Bahn AG, CC BY 4.0",
    INKAR_FILE: "Erreichbarkeit (veröffentlichte Werte je Gemeindeverband, Gebietsstand 2020, "
    "Bezugsjahr 2020): © BBSR Bonn, INKAR 2021, dl-de/by-2.0",
    RAIL_FILE: "Bahnstrecken: OffenesThueringen, Apache-2.0",
    "osm": "© OpenStreetMap contributors, ODbL",
    "db_fv_gtfs_2019.zip": "Fahrplan: DB Vertrieb GmbH / DB Fahrplan API, CC BY 4.0",
    "N50E011.hgt": "Höhenmodell: NASA SRTM (public domain)",
}


def require_file(path: Path, what: str) -> Path:
    """Return ``path`` if it exists, else raise :class:`DataSourceError` naming it.

    Parameters
    ----------
    path
        The file that must exist.
    what
        A short description for the message (e.g. ``"VG250 municipalities"``).
    """
    if not path.is_file():
        raise DataSourceError(
            f"{what} not found at {path}. Set STADTREGION_DATA_DIR to the folder of the "
            "Jena region data pack (../shared/data/jena-region)."
        )
    return path


def read_vg250(data_dir: Path, layer: str = "gemeinden") -> gpd.GeoDataFrame:
    """Read a layer (``gemeinden`` or ``kreise``) of the Thuringia VG250 file in EPSG:25832."""
    return read_vg250_file(data_dir / VG250_FILE, layer)


def read_vg250_file(path: Path, layer: str = "gemeinden") -> gpd.GeoDataFrame:
    """Read a VG250 layer in EPSG:25832, land parts only.

    Where the layer has a ``gf`` column (the Germany file), only land parts (``gf`` = 4)
    are kept: water parts repeat a municipality's code.
    """
    gdf = gpd.read_file(require_file(path, "VG250 layer file"), layer=layer)
    if "gf" in gdf.columns:
        gdf = gdf[gdf["gf"].astype(int) == 4].reset_index(drop=True)
    return gdf.to_crs(WORK_CRS)


def read_vg250_water(path: Path, layer: str = "gemeinden") -> gpd.GeoDataFrame:
    """Read the water parts (``gf`` = 2) of a VG250 layer in EPSG:25832 (``rs``, geometry).

    Destatis counts these waters (Wadden Sea, lagoons, fjords) in a municipality's area;
    a file without a ``gf`` column (the Thuringia file) has none, and the result is empty.
    """
    import pyogrio

    info = pyogrio.read_info(require_file(path, "VG250 layer file"), layer=layer)
    if "gf" not in list(info["fields"]):
        return gpd.GeoDataFrame({"rs": pd.Series([], dtype=str)}, geometry=[], crs=WORK_CRS)
    gdf = gpd.read_file(path, layer=layer, where="gf = 2", columns=["rs", "gf"])
    return gdf[["rs", "geometry"]].to_crs(WORK_CRS)


def read_population(data_dir: Path) -> pd.DataFrame:
    """Read the Thuringia Destatis population table keyed by the Regionalschlüssel ``rs``."""
    return read_population_file(data_dir / POPULATION_FILE)


def read_population_file(path: Path) -> pd.DataFrame:
    """Read a Destatis population table keyed by the 12-digit Regionalschlüssel ``rs``."""
    return pd.read_csv(require_file(path, "Destatis population table"), dtype={"rs": str})


def read_isek_umland(raw_dir: Path) -> pd.DataFrame:
    """Read ``data/raw/isek_umland.csv`` (ISEK Jena 2030 neighbour-town facts)."""
    path = require_file(raw_dir / ISEK_FILE, "ISEK neighbour-town table")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def read_stations(data_dir: Path) -> gpd.GeoDataFrame:
    """Read DB railway stations as points in EPSG:25832."""
    path = require_file(data_dir / STATIONS_FILE, "DB station list")
    df = pd.read_csv(path, dtype={"station_id": str})
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    return gdf.to_crs(WORK_CRS)


def read_vector(path: Path, what: str) -> gpd.GeoDataFrame:
    """Read any vector file (GeoJSON, GPKG, ...) and return it in EPSG:25832."""
    gdf = gpd.read_file(require_file(path, what))
    if gdf.crs is None:
        raise DataSourceError(f"{what} at {path} has no CRS; it cannot be placed on the map.")
    return gdf.to_crs(WORK_CRS)


def file_digest(paths: Iterable[Path]) -> str:
    """Return one SHA-256 over the names and contents of ``paths`` (order matters)."""
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def write_layers_atomic(path: Path, layers: dict[str, pd.DataFrame]) -> None:
    """Write several layers into one GeoPackage atomically.

    The file is written next to ``path`` under a temporary name and renamed over it
    only when every layer is written, so a crash never leaves a half-written file.
    Layers without geometry are written as attribute tables.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(suffix=".gpkg", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        for name, frame in layers.items():
            if isinstance(frame, gpd.GeoDataFrame):
                frame.to_file(tmp, layer=name, driver="GPKG")
            else:
                gpd.GeoDataFrame(frame).to_file(tmp, layer=name, driver="GPKG")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """Read one layer of a GeoPackage written by :func:`write_layers_atomic`."""
    return gpd.read_file(require_file(path, "processed data"), layer=layer)


def read_json(path: Path) -> dict[str, Any] | None:
    """Return the JSON object in ``path``, or ``None`` when the file does not exist."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` as JSON to ``path`` atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False))
    os.replace(tmp, path)


def feed_attributions(feeds: Iterable[str]) -> list[str]:
    """Attribution strings of GTFS feeds (by file name); an unknown feed is named as such."""
    return [ATTRIBUTIONS.get(f, f"Fahrplan: {f}") for f in feeds]


def rail_attributions(feeds: Iterable[str]) -> list[str]:
    """What a rail answer over municipalities rests on: its feeds, VG250 and Destatis."""
    return [*feed_attributions(feeds), ATTRIBUTIONS[VG250_FILE], ATTRIBUTIONS[POPULATION_FILE]]


def attributions(keys: Iterable[str]) -> list[str]:
    """Return the attribution strings for data files (unknown keys are skipped), no repeats."""
    out: list[str] = []
    for k in keys:
        a = ATTRIBUTIONS.get(k)
        if a and a not in out:
            out.append(a)
    return out
