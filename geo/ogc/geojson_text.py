"""GeoJSON text of feature pages, built from per-feature pieces kept per frame and CRS.

Serialising 849 municipality polygons (96,000 vertices) through dicts takes over a
second; the geometry of a feature does not change between requests, so its GeoJSON text
is made once per frame object and CRS (:func:`feature_texts`) and a page is the join of
the texts of its rows (:func:`feature_collection_text`). Pure apart from that cache.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.ogc.crs import ApiCrs, to_output

_CACHE: OrderedDict[tuple[int, str, tuple[str, ...]], tuple[gpd.GeoDataFrame, list[str]]] = (
    OrderedDict()
)
_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _build(
    gdf: gpd.GeoDataFrame, id_field: str, properties: Sequence[str], crs: ApiCrs
) -> list[str]:
    out = to_output(gdf, crs)
    geoms = shapely.to_geojson(np.asarray(out.geometry.values, dtype=object))
    cols = [c for c in properties if c in gdf.columns]
    records = json.loads(gdf[cols].to_json(orient="records", force_ascii=False))
    ids = gdf[id_field].astype(str).tolist()
    texts = []
    for fid, geom, props in zip(ids, geoms, records, strict=True):
        texts.append(
            '{"type":"Feature","id":'
            + json.dumps(fid, ensure_ascii=False)
            + ',"geometry":'
            + (geom if geom is not None else "null")
            + ',"properties":'
            + json.dumps(props, ensure_ascii=False, allow_nan=False)
            + "}"
        )
    return texts


def feature_texts(
    gdf: gpd.GeoDataFrame, id_field: str, properties: Sequence[str], crs: ApiCrs
) -> list[str]:
    """The GeoJSON text of each row of ``gdf`` (EPSG:4326) written in ``crs``, in order.

    Remembered for the same frame object (the cache holds the frame itself, so a hit is
    only ever for that very object).
    """
    key = (id(gdf), crs.uri, (id_field, *properties))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is gdf:
            _CACHE.move_to_end(key)
            return hit[1]
    texts = _build(gdf, id_field, properties, crs)
    with _LOCK:
        _CACHE[key] = (gdf, texts)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return texts


def feature_collection_text(
    texts: Sequence[str], positions: Sequence[int], members: dict[str, Any]
) -> str:
    """A FeatureCollection of the features at ``positions`` with the other ``members``."""
    head = json.dumps(members, ensure_ascii=False, allow_nan=False)
    feats = ",".join(texts[i] for i in positions)
    return '{"type":"FeatureCollection","features":[' + feats + "]," + head[1:]


def feature_text(texts: Sequence[str], position: int, members: dict[str, Any]) -> str:
    """One feature's text with more top-level ``members`` (links, attribution)."""
    extra = json.dumps(members, ensure_ascii=False, allow_nan=False)
    return texts[position][:-1] + "," + extra[1:]
