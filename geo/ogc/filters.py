"""CQL2 filters of OGC API – Features Part 3: parse with pygeofilter, evaluate on a frame.

:func:`parse_filter` reads CQL2 text or CQL2 JSON into pygeofilter's syntax tree;
:func:`evaluate` turns that tree into a boolean mask over a GeoDataFrame (EPSG:4326, x =
longitude), vectorised with pandas and shapely. Only the **queryables** of the collection
may be named (:func:`queryables`, built from the properties the caller may see): a name
outside them is refused with one message, whether the field does not exist or exists but
is hidden from the caller's role, so a refusal reveals nothing.

Supported (the conformance classes the API declares): basic CQL2 (``AND``/``OR``/``NOT``,
``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``, ``IS [NOT] NULL``), advanced comparison
operators (``LIKE``, ``BETWEEN``, ``IN``) and the spatial functions (``S_INTERSECTS``,
``S_DISJOINT``, ``S_CONTAINS``, ``S_WITHIN``, ``S_TOUCHES``, ``S_CROSSES``, ``S_OVERLAPS``,
``S_EQUALS``) with geometry literals in WKT/GeoJSON or ``BBOX(...)`` in ``filter-crs``.
Everything else (functions, arithmetic, temporal and array operators) answers 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.parsers.cql2_json import parse as parse_cql2_json
from pygeofilter.parsers.cql2_text import parse as parse_cql2_text
from shapely.geometry import shape

from geo.errors import QueryParameterError
from geo.ogc.crs import ApiCrs, to_web

#: The filter languages the API reads (``filter-lang``).
CQL2_TEXT = "cql2-text"
CQL2_JSON = "cql2-json"
#: The draft name of the text encoding, still sent by GDAL's OAPIF driver (3.12); read as
#: CQL2 text.
CQL_TEXT_DRAFT = "cql-text"
FILTER_LANGS = (CQL2_TEXT, CQL2_JSON, CQL_TEXT_DRAFT)
#: Name of the geometry queryable.
GEOMETRY = "geometry"
#: Longest filter text accepted (characters).
MAX_FILTER_CHARS = 8000

_SUPPORTED = (
    "AND, OR, NOT, =, <>, <, <=, >, >=, IS NULL, LIKE, BETWEEN, IN, S_INTERSECTS, "
    "S_DISJOINT, S_CONTAINS, S_WITHIN, S_TOUCHES, S_CROSSES, S_OVERLAPS, S_EQUALS"
)


@dataclass(frozen=True)
class Queryable:
    """One property a filter may name, with its JSON-Schema type."""

    name: str
    type: str  # "string" | "integer" | "number" | "boolean" | "geometry"
    title: str = ""


def _json_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    return "string"


def queryables(gdf: gpd.GeoDataFrame, properties: Sequence[str]) -> list[Queryable]:
    """The queryables of a collection: its published ``properties`` present in ``gdf``.

    ``gdf`` is the frame the caller may see (its columns are what the caller's role may
    read), so a hidden field never becomes a queryable. The geometry comes last.
    """
    out = [Queryable(c, _json_type(gdf[c])) for c in properties if c in gdf.columns]
    return [*out, Queryable(GEOMETRY, "geometry")]


def queryables_schema(items: Sequence[Queryable], schema_id: str, title: str) -> dict[str, Any]:
    """The queryables as the JSON Schema (draft 2020-12) Part 3 asks for."""
    props: dict[str, Any] = {}
    for q in items:
        if q.type == "geometry":
            props[q.name] = {"title": "Geometry", "format": "geometry-any"}
        else:
            props[q.name] = {"title": q.title or q.name, "type": q.type}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": schema_id,
        "type": "object",
        "title": title,
        "properties": props,
        "additionalProperties": False,
    }


def parse_filter(text: str | None, lang: str | None) -> ast.AstType | None:
    """Parse ``filter`` in ``filter-lang`` (default CQL2 text) into a syntax tree.

    Raises
    ------
    QueryParameterError
        When the language is unknown, the text too long, or it does not parse (the message
        says where).
    """
    if lang is not None and lang not in FILTER_LANGS:
        raise QueryParameterError(
            f"filter-lang {lang!r} is not supported; supported: {', '.join(FILTER_LANGS)}."
        )
    if text is None:
        return None
    if not text.strip():
        raise QueryParameterError(
            "filter is empty; give a CQL2 expression, e.g. population > 5000."
        )
    if len(text) > MAX_FILTER_CHARS:
        raise QueryParameterError(f"filter is longer than {MAX_FILTER_CHARS} characters.")
    if (lang or CQL2_TEXT) == CQL2_JSON:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as err:
            raise QueryParameterError(f"filter is not valid JSON (CQL2 JSON): {err}.") from None
        try:
            return parse_cql2_json(_bbox_to_polygon(doc))
        except Exception as err:  # pygeofilter raises KeyError, TypeError, ValueError, ...
            raise QueryParameterError(
                f"filter is not valid CQL2 JSON ({type(err).__name__}: {err})."
            ) from None
    try:
        return parse_cql2_text(text)
    except Exception as err:  # lark's parse errors carry a multi-line context
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise QueryParameterError(f"filter is not valid CQL2 text: {first}") from None


def _bbox_to_polygon(doc: Any) -> Any:
    """Replace CQL2 JSON ``{"bbox": [minx, miny, maxx, maxy]}`` by the same box as a Polygon.

    pygeofilter 0.4 reads the four numbers of a JSON bbox in the wrong order (as x1, x2,
    y1, y2); a GeoJSON polygon says the same thing and is read correctly.
    """
    if isinstance(doc, list):
        return [_bbox_to_polygon(v) for v in doc]
    if not isinstance(doc, dict):
        return doc
    box = doc.get("bbox")
    if set(doc) == {"bbox"} and isinstance(box, list) and len(box) in (4, 6):
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in box):
            raise QueryParameterError(f"filter bbox must be numbers, got {box!r}.")
        x0, y0, x1, y1 = (box[0], box[1], box[3], box[4]) if len(box) == 6 else box
        return {
            "type": "Polygon",
            "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
        }
    return {k: _bbox_to_polygon(v) for k, v in doc.items()}


# -- evaluation -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Column:
    name: str
    values: pd.Series
    type: str


def _like_regex(pattern: str) -> re.Pattern[str]:
    """A CQL2 LIKE pattern (``%`` any, ``_`` one character, ``\\`` escapes) as a regex."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


_SPATIAL = {
    "INTERSECTS": shapely.intersects,
    "DISJOINT": shapely.disjoint,
    "CONTAINS": shapely.contains,
    "WITHIN": shapely.within,
    "TOUCHES": shapely.touches,
    "CROSSES": shapely.crosses,
    "OVERLAPS": shapely.overlaps,
    "EQUALS": shapely.equals,
}


class _MaskEvaluator(Evaluator):
    """Evaluate a pygeofilter tree to a boolean :class:`pandas.Series` over ``gdf``."""

    def __init__(
        self, gdf: gpd.GeoDataFrame, allowed: dict[str, Queryable], filter_crs: ApiCrs
    ) -> None:
        self.gdf = gdf
        self.allowed = allowed
        self.filter_crs = filter_crs

    # -- operands
    @handle(ast.Attribute)
    def attribute(self, node: ast.Attribute) -> _Column:
        q = self.allowed.get(node.name)
        if q is None:
            raise QueryParameterError(
                f"filter names {node.name!r}, which is not a queryable of this collection; "
                f"queryables: {', '.join(self.allowed)}."
            )
        if q.type == "geometry":
            return _Column(q.name, self.gdf.geometry, "geometry")
        return _Column(q.name, self.gdf[q.name], q.type)

    @handle(*values.LITERALS)
    def literal(self, node: Any) -> Any:
        return node

    @handle(values.Geometry)
    def geometry(self, node: values.Geometry) -> shapely.Geometry:
        try:
            geom = shape(node.geometry)
        except Exception as err:
            raise QueryParameterError(f"filter holds an invalid geometry: {err}.") from None
        return to_web(geom, self.filter_crs)

    @handle(values.Envelope)
    def envelope(self, node: values.Envelope) -> shapely.Geometry:
        return to_web(shapely.box(node.x1, node.y1, node.x2, node.y2), self.filter_crs)

    @handle(ast.Function)
    def function(self, node: ast.Function, *args: Any) -> shapely.Geometry:
        # CQL2 text BBOX(minx, miny, maxx, maxy) arrives from pygeofilter as a function
        nums = [a for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        if node.name.lower() == "bbox" and len(args) in (4, 6) and len(nums) == len(args):
            x0, y0, x1, y1 = (nums[0], nums[1], nums[3], nums[4]) if len(nums) == 6 else nums
            if x0 > x1 or y0 > y1:
                raise QueryParameterError("filter BBOX lower corner lies above its upper corner.")
            return to_web(shapely.box(x0, y0, x1, y1), self.filter_crs)
        raise QueryParameterError(
            f"filter calls function {node.name!r}, which this API does not offer; "
            f"supported: {_SUPPORTED}, BBOX(minx, miny, maxx, maxy)."
        )

    # -- logic
    @handle(ast.Not)
    def not_(self, node: ast.Not, sub: Any) -> pd.Series:
        return ~self._mask(sub)

    @handle(ast.And, ast.Or)
    def combination(self, node: ast.Combination, lhs: Any, rhs: Any) -> pd.Series:
        a, b = self._mask(lhs), self._mask(rhs)
        return (a & b) if isinstance(node, ast.And) else (a | b)

    @handle(ast.Include)
    def include(self, node: ast.Include) -> pd.Series:
        return pd.Series(not node.not_, index=self.gdf.index)

    # -- comparison
    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node: ast.Comparison, lhs: Any, rhs: Any) -> pd.Series:
        op = node.op.value
        if isinstance(rhs, _Column) and not isinstance(lhs, _Column):
            lhs, rhs = rhs, lhs
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        col = self._scalar_column(lhs, op)
        other = rhs.values if isinstance(rhs, _Column) else self._literal_for(col, rhs, op)
        s = col.values
        known = s.notna() & (other.notna() if isinstance(other, pd.Series) else True)
        with np.errstate(invalid="ignore"):
            if op == "=":
                hit = s == other
            elif op == "<>":
                hit = s != other
            elif op == "<":
                hit = s < other
            elif op == "<=":
                hit = s <= other
            elif op == ">":
                hit = s > other
            else:
                hit = s >= other
        return (pd.Series(hit, index=self.gdf.index).fillna(False).astype(bool)) & known

    @handle(ast.Between)
    def between(self, node: ast.Between, lhs: Any, low: Any, high: Any) -> pd.Series:
        col = self._scalar_column(lhs, "BETWEEN")
        if col.type not in ("integer", "number"):
            raise QueryParameterError(f"BETWEEN needs a numeric queryable, {col.name!r} is not.")
        lo, hi = self._literal_for(col, low, "BETWEEN"), self._literal_for(col, high, "BETWEEN")
        hit = col.values.between(lo, hi).fillna(False).astype(bool)
        return (~hit & col.values.notna()) if node.not_ else hit

    @handle(ast.Like)
    def like(self, node: ast.Like, lhs: Any) -> pd.Series:
        col = self._scalar_column(lhs, "LIKE")
        if col.type != "string" or not isinstance(node.pattern, str):
            raise QueryParameterError(
                f"LIKE needs a text queryable and a text pattern, got {col.name!r}."
            )
        rx = _like_regex(node.pattern)
        text = col.values.astype("string")
        hit = text.str.fullmatch(rx).fillna(False).astype(bool)
        return (~hit & col.values.notna()) if node.not_ else hit

    @handle(ast.In)
    def in_(self, node: ast.In, lhs: Any, *options: Any) -> pd.Series:
        col = self._scalar_column(lhs, "IN")
        wanted = [self._literal_for(col, o, "IN") for o in options]
        hit = col.values.isin(wanted).fillna(False).astype(bool)
        return (~hit & col.values.notna()) if node.not_ else hit

    @handle(ast.IsNull)
    def null(self, node: ast.IsNull, lhs: Any) -> pd.Series:
        if not isinstance(lhs, _Column):
            raise QueryParameterError("IS NULL needs a queryable on its left.")
        isnull = lhs.values.isna()
        return ~isnull if node.not_ else isnull

    # -- spatial
    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial(self, node: ast.SpatialComparisonPredicate, lhs: Any, rhs: Any) -> pd.Series:
        func = _SPATIAL[node.op.name]
        geoms, other, swapped = self._spatial_operands(lhs, rhs, node.op.name)
        if swapped and node.op.name in ("CONTAINS", "WITHIN"):
            func = shapely.within if node.op.name == "CONTAINS" else shapely.contains
        shapely.prepare(other)
        hit = func(geoms, other)
        return pd.Series(np.asarray(hit, dtype=bool), index=self.gdf.index)

    @handle(ast.BBox)
    def bbox(self, node: ast.BBox, lhs: Any) -> pd.Series:
        box = to_web(shapely.box(node.minx, node.miny, node.maxx, node.maxy), self.filter_crs)
        geoms, _, _ = self._spatial_operands(lhs, box, "BBOX")
        return pd.Series(
            np.asarray(shapely.intersects(geoms, box), dtype=bool), index=self.gdf.index
        )

    def adopt(self, node: Any, *sub_args: Any) -> Any:
        what = type(node).__name__
        raise QueryParameterError(
            f"filter uses {what}, which this API does not support; supported: {_SUPPORTED}."
        )

    # -- helpers
    def _mask(self, value: Any) -> pd.Series:
        if isinstance(value, pd.Series):
            return value
        if isinstance(value, _Column) and value.type == "boolean":
            return value.values.fillna(False).astype(bool)
        raise QueryParameterError(f"filter has {value!r} where a condition belongs.")

    def _scalar_column(self, value: Any, op: str) -> _Column:
        if not isinstance(value, _Column):
            raise QueryParameterError(f"{op} needs a queryable on one side, got {value!r}.")
        if value.type == "geometry":
            raise QueryParameterError(f"{op} does not apply to the geometry; use S_INTERSECTS.")
        return value

    def _literal_for(self, col: _Column, value: Any, op: str) -> Any:
        numeric = col.type in ("integer", "number")
        ok = (
            (numeric and isinstance(value, int | float) and not isinstance(value, bool))
            or (col.type == "boolean" and isinstance(value, bool))
            or (col.type == "string" and isinstance(value, str))
        )
        if not ok:
            raise QueryParameterError(
                f"{col.name!r} is {col.type}; {op} compares it with {value!r}, which is not."
            )
        return value

    def _spatial_operands(
        self, lhs: Any, rhs: Any, op: str
    ) -> tuple[np.ndarray, shapely.Geometry, bool]:
        swapped = False
        if isinstance(rhs, _Column) and not isinstance(lhs, _Column):
            lhs, rhs, swapped = rhs, lhs, True
        if not (isinstance(lhs, _Column) and lhs.type == "geometry"):
            raise QueryParameterError(f"S_{op} needs the queryable {GEOMETRY!r} on one side.")
        if not isinstance(rhs, shapely.Geometry):
            raise QueryParameterError(f"S_{op} needs a geometry literal (WKT or BBOX(...)).")
        return np.asarray(lhs.values.values, dtype=object), rhs, swapped


def evaluate(
    gdf: gpd.GeoDataFrame,
    tree: ast.AstType,
    allowed: Sequence[Queryable],
    filter_crs: ApiCrs,
) -> gpd.GeoDataFrame:
    """Return the rows of ``gdf`` (EPSG:4326) that satisfy ``tree``, in their order.

    Parameters
    ----------
    gdf
        The features the caller may see.
    tree
        A parsed filter (:func:`parse_filter`).
    allowed
        The queryables of the collection for this caller (:func:`queryables`).
    filter_crs
        CRS of the geometry literals in the filter.

    Raises
    ------
    QueryParameterError
        When the filter names a property outside ``allowed`` (one message for unknown and
        hidden fields), compares values of the wrong type, or uses an unsupported operator.
    """
    ev = _MaskEvaluator(gdf, {q.name: q for q in allowed}, filter_crs)
    result = ev.evaluate(tree)
    mask = ev._mask(result)
    return gdf[mask.to_numpy(dtype=bool)]


# -- property filters (Part 1, /rec/core/fc-filters): ?district=Saale-Holzland-Kreis ---------
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}
_A = {"integer": "a whole number", "number": "a number"}


def _typed(q: Queryable, text: str) -> Any:
    """``text`` as the value of queryable ``q`` (400 naming the parameter when it is not)."""
    try:
        if q.type == "integer":
            return int(text)
        if q.type == "number":
            return float(text)
    except ValueError:
        raise QueryParameterError(f"{q.name}={text!r} is not {_A[q.type]}.") from None
    if q.type == "boolean":
        if text.lower() in _TRUE | _FALSE:
            return text.lower() in _TRUE
        raise QueryParameterError(f"{q.name}={text!r} is not true or false.")
    return text


def property_filter(
    pairs: Sequence[tuple[str, str]],
    allowed: Sequence[Queryable],
    takes: Sequence[str],
) -> ast.AstType | None:
    """The filter of query parameters named after queryables: each an equality, all AND-ed.

    Parameters
    ----------
    pairs
        ``(name, value)`` of the query parameters that are not the route's own.
    allowed
        The queryables of the caller (a field the caller may not see is not one).
    takes
        The route's own parameters, named in the error.

    Raises
    ------
    QueryParameterError
        For a name that is no queryable of the caller: worded like any unknown parameter,
        so it does not tell a hidden field from a made-up one.
    """
    if not pairs:
        return None
    by_name = {q.name: q for q in allowed if q.type != "geometry"}
    unknown = sorted({n for n, _ in pairs if n not in by_name})
    if unknown:
        raise QueryParameterError(
            f"unknown query parameter(s) {', '.join(map(repr, unknown))}; this resource takes "
            f"{', '.join(sorted(takes))} and the queryables {', '.join(sorted(by_name))}."
        )
    names = [n for n, _ in pairs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise QueryParameterError(f"query parameter {', '.join(map(repr, twice))} given twice.")
    tree: ast.AstType | None = None
    for name, text in pairs:
        node = ast.Equal(ast.Attribute(name), _typed(by_name[name], text))
        tree = node if tree is None else ast.And(tree, node)
    return tree


def combine(a: ast.AstType | None, b: ast.AstType | None) -> ast.AstType | None:
    """``a AND b`` (either may be missing)."""
    if a is None:
        return b
    if b is None:
        return a
    return ast.And(a, b)
