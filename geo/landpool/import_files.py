"""Reading an import file into checked columns: formats, CRS and the field mapping.

Shared by both kinds of land-pool import (:func:`geo.landpool.io.read_plots` for new plots,
:func:`geo.landpool.io_update.read_updates` for changes to stored ones): GeoPackage,
GeoJSON, zipped Shapefile or CSV with a WKT column; the CRS taken from the file (``crs``
only for a file without one); columns renamed by a ``plot_attribute=file_column`` mapping.
Nothing here checks a row: :func:`load_table` returns the raw values and geometries (in
EPSG:25832 and EPSG:4326) for the importer to check.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo.errors import CRSError, InputError
from geo.landpool.plots import DERIVED_FIELDS, EDITABLE_FIELDS
from geo.settings import WORK_CRS
from geo.validate import to_wgs84

#: Columns an import file may carry (after the field mapping).
IMPORT_FIELDS: tuple[str, ...] = ("plot_id", "status", *EDITABLE_FIELDS)
#: Names of the WKT column of a CSV file, tried in this order.
WKT_COLUMNS: tuple[str, ...] = ("wkt", "geometry", "geom", "the_geom")


def _parse_crs(crs: str | None) -> CRS | None:
    if crs is None:
        return None
    try:
        return CRS.from_user_input(crs)
    except PyprojCRSError:
        raise CRSError(f"--crs {crs!r} is not a CRS pyproj knows; give e.g. EPSG:25832.") from None


def _read_table(
    path: Path, layer: str | None, wkt_column: str | None, need_geometry: bool = True
) -> gpd.GeoDataFrame:
    """Read any supported file into a GeoDataFrame with raw columns (CRS may be None)."""
    if not path.is_file():
        raise InputError(f"import file {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, wkt_column, need_geometry)
    source: str | Path = path
    if suffix == ".zip":
        with zipfile.ZipFile(path) as zf:
            shps = [n for n in zf.namelist() if n.lower().endswith(".shp")]
        if not shps:
            raise InputError(f"{path.name} holds no .shp file; zip a Shapefile with its parts.")
        if len(shps) > 1 and layer is None:
            raise InputError(f"{path.name} holds several Shapefiles ({', '.join(shps)}); --layer.")
        source = f"/vsizip/{path}/{layer + '.shp' if layer and len(shps) > 1 else shps[0]}"
        layer = None
    elif suffix not in (".gpkg", ".geojson", ".json", ".shp"):
        raise InputError(
            f"cannot import {path.name}: use a GeoPackage (.gpkg), GeoJSON (.geojson), zipped "
            "Shapefile (.zip) or CSV with a WKT column (.csv)."
        )
    if suffix == ".gpkg" and layer is None:
        layers = [str(name) for name, gtype in pyogrio.list_layers(path) if gtype]
        if len(layers) > 1:
            raise InputError(f"{path.name} has several layers ({', '.join(layers)}); --layer.")
        layer = layers[0] if layers else None
    try:
        return gpd.read_file(source, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputError(f"cannot read {path.name}: {exc}") from exc


def _read_csv(path: Path, wkt_column: str | None, need_geometry: bool) -> gpd.GeoDataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    col = wkt_column or next((c for c in WKT_COLUMNS if c in frame.columns), None)
    if col is None and not need_geometry:  # attributes only (an update import)
        out = gpd.GeoDataFrame(frame, geometry=[None] * len(frame))
        out.attrs["no_geometry"] = True
        return out
    if col is None or col not in frame.columns:
        raise InputError(
            f"{path.name} has no WKT column; name it one of {', '.join(WKT_COLUMNS)} or map "
            "yours with --field geometry=COLUMN."
        )
    text = frame[col].astype(str).str.strip()
    geoms = shapely.from_wkt(text.where(text != "", None).to_numpy(), on_invalid="ignore")
    out = gpd.GeoDataFrame(frame.drop(columns=[col]), geometry=geoms)
    # Remember which cells held text that is not WKT (→ invalid, not empty).
    out.attrs["unparsed"] = set(frame.index[(text != "") & pd.isna(geoms)].tolist())
    return out


def _apply_field_map(
    frame: pd.DataFrame, field_map: Mapping[str, str], targets: Sequence[str] = IMPORT_FIELDS
) -> pd.DataFrame:
    bad_targets = sorted(set(field_map) - set(targets) - {"geometry"})
    if bad_targets:
        raise InputError(
            f"field mapping names unknown plot attributes {', '.join(bad_targets)}; "
            f"map to one of {', '.join(targets)}."
        )
    missing = sorted(
        src for tgt, src in field_map.items() if tgt != "geometry" and src not in frame
    )
    if missing:
        raise InputError(
            f"field mapping names columns the file does not have: {', '.join(missing)}; "
            f"it has {', '.join(str(c) for c in frame.columns if c != 'geometry')}."
        )
    renames = {src: tgt for tgt, src in field_map.items() if tgt != "geometry"}
    clashing = [tgt for src, tgt in renames.items() if tgt in frame.columns and tgt != src]
    return frame.drop(columns=clashing).rename(columns=renames)


def parse_field_map(pairs: Iterable[str]) -> dict[str, str]:
    """Parse ``plot_attribute=file_column`` pairs (the CLI's ``--field``)."""
    out: dict[str, str] = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        if not sep or not target.strip() or not source.strip():
            raise InputError(f"--field {pair!r}: write plot_attribute=file_column, e.g. name=NAME.")
        out[target.strip()] = source.strip()
    return out


@dataclass
class LoadedTable:
    """An import file read and mapped, not yet checked row by row (:func:`load_table`).

    Attributes
    ----------
    frame
        The attribute columns after the field mapping (the file's index).
    records
        The rows of ``frame`` as dicts, missing values as ``None``.
    work, web
        Each row's geometry in EPSG:25832 and in EPSG:4326 (``None`` where empty).
    unparsed
        Index labels of CSV rows whose WKT text cannot be read.
    source_crs
        The file's CRS (``"none"`` for a CSV without a WKT column).
    has_geometry
        Whether the file has a geometry column at all.
    """

    frame: pd.DataFrame
    records: list[dict[str, Any]]
    work: list[Any]
    web: list[Any]
    unparsed: set[Any]
    source_crs: str
    has_geometry: bool = True


def load_table(
    path: Path,
    *,
    crs: str | None = None,
    field_map: Mapping[str, str] | None = None,
    layer: str | None = None,
    targets: Sequence[str] = IMPORT_FIELDS,
    need_geometry: bool = True,
) -> LoadedTable:
    """Read an import file, take its CRS (or ``crs``), map its columns to ``targets``.

    Raises
    ------
    CRSError
        The file has geometries but no CRS and ``crs`` is not given, or they disagree.
    InputError
        The file cannot be read, or the field mapping does not fit it.
    """
    path = Path(path)
    field_map = dict(field_map or {})
    raw = _read_table(path, layer, field_map.get("geometry"), need_geometry)
    has_geometry = not raw.attrs.get("no_geometry", False)
    given = _parse_crs(crs)
    if raw.crs is None and has_geometry:
        if given is None:
            raise CRSError(
                f"{path.name} does not say its CRS; give it with --crs (e.g. --crs EPSG:25832)."
            )
        raw = raw.set_crs(given)
    elif (
        given is not None and raw.crs is not None and not CRS.from_user_input(raw.crs).equals(given)
    ):
        raise CRSError(
            f"{path.name} says its CRS is {raw.crs.to_string()}, but --crs says {crs}; "
            "leave out --crs for a file that names its CRS."
        )
    frame = _apply_field_map(pd.DataFrame(raw.drop(columns="geometry")), field_map, targets)
    records = [
        {str(k): v for k, v in r.items()}
        for r in frame.astype(object).where(frame.notna(), None).to_dict("records")
    ]
    if not has_geometry:
        empty: list[Any] = [None] * len(frame)
        return LoadedTable(frame, records, empty, list(empty), set(), "none", False)
    work = raw.geometry.copy()
    has_geom = ~work.isna() & ~work.is_empty
    if has_geom.any():
        work.loc[has_geom] = raw.geometry[has_geom].to_crs(WORK_CRS)
    unparsed: set[Any] = raw.attrs.get("unparsed", set())
    web = list(to_wgs84(raw.geometry))
    return LoadedTable(
        frame, records, list(work.to_numpy()), web, unparsed, raw.crs.to_string(), True
    )


#: Derived columns an import recomputes from the geometry.
RECOMPUTED: tuple[str, ...] = ("area_ha", "ags", "municipality")


def ignored_columns(columns: Iterable[Any], targets: Sequence[str] = IMPORT_FIELDS) -> list[str]:
    """The columns an import leaves alone, each with why where it helps."""

    def why(column: str) -> str:
        if column in RECOMPUTED:
            return f"{column} (derived: recomputed)"
        if column in DERIVED_FIELDS:
            return f"{column} (kept by the register)"
        if column == "published":
            return f"{column} (an import is never published: use plots publish / unpublish)"
        return column

    return sorted(why(str(c)) for c in columns if c not in targets)


__all__ = [
    "IMPORT_FIELDS",
    "WKT_COLUMNS",
    "LoadedTable",
    "ignored_columns",
    "load_table",
    "parse_field_map",
]
