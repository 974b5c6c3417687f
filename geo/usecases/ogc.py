"""Use cases of the OGC API – Features: collections, queryables, pages and single features.

The HTTP routes of ``api/routers/ogc.py`` parse the request into an :class:`ItemsQuery`
(or a collection id), call one function here and format what it returns. Which
collections and fields a caller sees is the catalogue's decision (:mod:`geo.ogc.catalog`,
whose loaders apply the one public projection); CRS handling is :mod:`geo.ogc.crs`, CQL2
filtering :mod:`geo.ogc.filters`, paging :mod:`geo.ogc.features`.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.access.roles import Viewer
from geo.ogc import catalog, features, filters
from geo.ogc.crs import CRS84, ApiCrs, parse_bbox_in, parse_crs


@dataclass(frozen=True)
class ItemsQuery:
    """The parameters of ``/collections/{id}/items`` as the client sent them (text)."""

    collection_id: str
    bbox: str | None = None
    bbox_crs: str | None = None
    crs: str | None = None
    limit: int | None = None
    offset: int | None = None
    filter: str | None = None
    filter_lang: str | None = None
    filter_crs: str | None = None
    #: Query parameters named after queryables (equality filters), as sent.
    properties: tuple[tuple[str, str], ...] = ()
    #: The route's own parameter names (for the error naming what it takes).
    takes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CollectionView:
    """A collection the caller may see, with the frame of what they see (EPSG:4326)."""

    spec: catalog.CollectionSpec
    frame: gpd.GeoDataFrame

    @property
    def extent(self) -> list[float] | None:
        """``[minlon, minlat, maxlon, maxlat]`` (CRS84), ``None`` when empty."""
        return features.extent(self.frame)


@dataclass(frozen=True)
class ItemsResult:
    """One page of a collection: the rows (EPSG:4326) and how to write them."""

    collection: CollectionView
    page: features.Page
    crs: ApiCrs
    #: Positions of the page's rows in ``collection.frame``.
    positions: list[int]


def list_collections(ctx: catalog.LoadContext, viewer: Viewer) -> list[CollectionView]:
    """The collections ``viewer`` may see, each with what the viewer sees of it."""
    return [CollectionView(s, s.load(ctx, viewer)) for s in catalog.visible_collections(viewer)]


def read_collection(ctx: catalog.LoadContext, viewer: Viewer, collection_id: str) -> CollectionView:
    """One collection (``NotFoundError`` when unknown or hidden from ``viewer``)."""
    spec = catalog.get_collection(collection_id, viewer)
    return CollectionView(spec, spec.load(ctx, viewer))


def read_queryables(
    ctx: catalog.LoadContext, viewer: Viewer, collection_id: str
) -> tuple[CollectionView, list[filters.Queryable]]:
    """The collection and the properties ``viewer`` may filter it by."""
    view = read_collection(ctx, viewer, collection_id)
    return view, filters.queryables(view.frame, view.spec.properties)


def queryables_by_collection(
    ctx: catalog.LoadContext, viewer: Viewer
) -> list[tuple[str, list[filters.Queryable]]]:
    """Each collection ``viewer`` may see with its queryables (for the API definition)."""
    return [
        (view.spec.id, filters.queryables(view.frame, view.spec.properties))
        for view in list_collections(ctx, viewer)
    ]


def read_items(ctx: catalog.LoadContext, viewer: Viewer, query: ItemsQuery) -> ItemsResult:
    """The page of features ``query`` asks for, filtered by bbox and CQL2, in its CRS.

    Every parameter is checked before any data is read, so a bad request never opens
    the store. Filters see only the rows and fields ``viewer`` may see.

    Raises
    ------
    NotFoundError
        Unknown (or hidden) collection.
    QueryParameterError
        Bad bbox, CRS, paging or filter (the message names the problem).
    """
    out_crs = parse_crs(query.crs, "crs")
    bbox_crs = parse_crs(query.bbox_crs, "bbox-crs")
    filter_crs = parse_crs(query.filter_crs, "filter-crs")
    if bbox_crs is CRS84:
        box4 = features.parse_bbox(query.bbox)
        box = None if box4 is None else features.bbox_polygons(box4)
    else:
        poly = parse_bbox_in(query.bbox, bbox_crs)
        box = None if poly is None else [poly]
    size, start = features.check_paging(query.limit, query.offset)
    tree = filters.parse_filter(query.filter, query.filter_lang)
    view = read_collection(ctx, viewer, query.collection_id)
    matched = features.positions_in(view.frame, box)
    allowed = filters.queryables(view.frame, view.spec.properties)
    tree = filters.combine(filters.property_filter(query.properties, allowed, query.takes), tree)
    if tree is not None:
        hits = filters.evaluate(view.frame.iloc[matched], tree, allowed, filter_crs)
        matched = [int(i) for i in view.frame.index.get_indexer(hits.index)]
    positions = matched[start : start + size]
    pg = features.Page(
        frame=view.frame.iloc[positions],
        number_matched=len(matched),
        offset=start,
        limit=size,
    )
    return ItemsResult(view, pg, out_crs, positions)


def read_item(
    ctx: catalog.LoadContext,
    viewer: Viewer,
    collection_id: str,
    feature_id: str,
    crs: str | None = None,
) -> ItemsResult:
    """One feature (``NotFoundError`` when the collection or the feature is unknown)."""
    out_crs = parse_crs(crs, "crs")
    view = read_collection(ctx, viewer, collection_id)
    hit = features.find_feature(view.frame, view.spec.id_field, feature_id, view.spec.id)
    pos = int(view.frame.index.get_loc(hit.index[0]))
    return ItemsResult(view, features.Page(hit, 1, 0, 1), out_crs, [pos])
