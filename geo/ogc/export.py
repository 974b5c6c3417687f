"""Serialising results at the edges: GeoJSON (EPSG:4326), CSV and text tables.

Every export carries the attributions of the data it was made from.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.errors import InputError
from geo.region.model import require_crs
from geo.settings import WEB_CRS

#: Output formats the CLI and API offer for tables of features.
FORMATS = ("table", "csv", "geojson")


def to_geojson(
    gdf: gpd.GeoDataFrame,
    attribution: Iterable[str] = (),
    precision: int = 6,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return a GeoJSON FeatureCollection (EPSG:4326) as a dict.

    Parameters
    ----------
    gdf
        Features in any CRS (refused without one).
    attribution
        Attribution strings, stored as the collection member ``attribution``.
    precision
        Decimal places of coordinates (6 ≈ 0.1 m).
    extra
        More top-level members (e.g. a summary).
    """
    require_crs(gdf, "gdf")
    web = gdf.to_crs(WEB_CRS)
    text = web.to_json(na="null", drop_id=True, to_wgs84=False)
    data: dict[str, Any] = json.loads(text)
    data.pop("crs", None)
    _round_coords(data, precision)
    data["attribution"] = list(attribution)
    if extra:
        data.update(extra)
    return data


def feature(gdf: gpd.GeoDataFrame, attribution: Iterable[str] = ()) -> dict[str, Any]:
    """Return the single feature of a one-row frame as a GeoJSON Feature (EPSG:4326)."""
    fc = to_geojson(gdf, attribution)
    if len(fc["features"]) != 1:
        raise InputError(f"gdf must hold one feature, it holds {len(fc['features'])}.")
    out: dict[str, Any] = fc["features"][0]
    out["attribution"] = fc["attribution"]
    return out


def _round_coords(obj: Any, precision: int) -> None:
    if isinstance(obj, dict):
        if "coordinates" in obj:
            obj["coordinates"] = _round(obj["coordinates"], precision)
        for v in obj.values():
            if isinstance(v, dict | list):
                _round_coords(v, precision)
    elif isinstance(obj, list):
        for v in obj:
            _round_coords(v, precision)


def _round(c: Any, precision: int) -> Any:
    if isinstance(c, list):
        return [_round(v, precision) for v in c]
    return round(c, precision) if isinstance(c, float) else c


def to_csv(df: pd.DataFrame, attribution: Iterable[str] = ()) -> str:
    """Return ``df`` as CSV text without geometry, attributions as leading ``#`` lines."""
    plain = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
    head = "".join(f"# {a}\n" for a in attribution)
    return head + plain.to_csv(index=False)


def to_table(df: pd.DataFrame, attribution: Iterable[str] = ()) -> str:
    """Return ``df`` as an aligned text table for people, attributions below it."""
    plain = pd.DataFrame(df.drop(columns="geometry", errors="ignore"))
    with pd.option_context("display.width", 250, "display.max_columns", 50):
        body = plain.to_string(index=False, na_rep="–")
    tail = "".join(f"\n{a}" for a in attribution)
    return body + "\n" + tail.lstrip("\n") if attribution else body


def render(gdf: gpd.GeoDataFrame, fmt: str, attribution: Iterable[str] = ()) -> str:
    """Render features as ``table``, ``csv`` or ``geojson`` text."""
    attribution = list(attribution)
    if fmt == "table":
        return to_table(gdf, attribution)
    if fmt == "csv":
        return to_csv(gdf, attribution)
    if fmt == "geojson":
        return json.dumps(to_geojson(gdf, attribution), ensure_ascii=False)
    raise InputError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}.")
