"""``/ogc``: OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) over the catalogue.

QGIS, GDAL (``OAPIF:``) and OWSLib read the collections of :mod:`geo.ogc.catalog` here. Every
resource answers JSON (GeoJSON for features) or HTML, chosen by ``f=json|html`` or else by
the ``Accept`` header. Paging, bounding-box filtering and lookups are the pure functions of
:mod:`geo.ogc.features`; which collections and features a caller sees is decided by the one
access dependency (:func:`api.deps.get_viewer`) and the catalogue's loaders.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import get_app_settings, get_store, get_viewer
from api.responses import GeoJSONResponse
from geo.access.roles import Viewer
from geo.ogc import catalog, features
from geo.settings import Settings

router = APIRouter(prefix="/ogc", tags=["ogc"])

#: Conformance classes of OGC API – Features – Part 1: Core that this API implements.
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

Format = Annotated[
    Literal["json", "html"] | None,
    Query(description="Response format; without it the Accept header decides (JSON default)."),
]
CollectionId = Annotated[
    str, PathParam(min_length=1, max_length=100, description="Collection identifier")
]
Caller = Annotated[Viewer, Depends(get_viewer)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]

_JSON_OR_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {JSON: {}, HTML: {}}}}
_GEOJSON_OR_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {GEOJSON: {}, HTML: {}}}}


# -- query parameters -----------------------------------------------------------------------
# Unknown query parameters are refused (400) for every route of the app, from the route's
# own declaration (api/params.py), as OGC API – Features Part 1 requires
# (/req/core/query-param-unknown).


# -- negotiation and links ------------------------------------------------------------------
def wants_html(request: Request, f: str | None) -> bool:
    """Whether to answer HTML: ``f`` decides, else the Accept header (JSON when tied)."""
    if f is not None:
        return f == "html"
    best_html, best_json = 0.0, 0.0
    for part in request.headers.get("accept", "").split(","):
        fields = [p.strip() for p in part.split(";")]
        media = fields[0].lower()
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in ("text/html", "application/xhtml+xml"):
            best_html = max(best_html, q)
        elif media in (JSON, GEOJSON, "application/*", "*/*"):
            best_json = max(best_json, q)
    return best_html > best_json


def _context(request: Request, settings: Settings) -> catalog.LoadContext:
    """What the catalogue's loaders may read (the land-pool store opened only if needed)."""
    return catalog.LoadContext(settings=settings, store=lambda: get_store(request))


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + router.prefix


def _href(base: str, path: str, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def _link(href: str, rel: str, type_: str, title: str) -> dict[str, str]:
    return {"href": href, "rel": rel, "type": type_, "title": title}


def _self_links(
    base: str, path: str, html: bool, json_type: str = JSON, **params: Any
) -> list[dict[str, str]]:
    """The ``self`` and ``alternate`` links of a resource in its two formats."""
    as_json = _link(_href(base, path, f="json", **params), "self", json_type, "this document")
    as_html = _link(_href(base, path, f="html", **params), "alternate", HTML, "as HTML")
    if html:
        as_json["rel"], as_json["title"] = "alternate", "as JSON"
        as_html["rel"], as_html["title"] = "self", "this document"
        return [as_html, as_json]
    return [as_json, as_html]


def _page(
    request: Request,
    title: str,
    *,
    description: str = "",
    links: list[dict[str, str]] | None = None,
    facts: list[tuple[str, Any]] | None = None,
    table: dict[str, Any] | None = None,
    attribution: list[str] | tuple[str, ...] = (),
    crumbs: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> HTMLResponse:
    base = _base(request)
    breadcrumbs = [{"title": "OGC API", "href": _href(base, "", f="html")}] + [
        {"title": t, "href": _href(base, p, f="html")} for t, p in crumbs
    ]
    body = _TEMPLATES.get_template("ogc.html").render(
        title=title,
        description=description,
        links=[link for link in links or [] if link["rel"] not in ("self",)],
        facts=facts,
        table=table,
        attribution=list(attribution),
        breadcrumbs=breadcrumbs,
    )
    return HTMLResponse(body)


# -- landing page and conformance ----------------------------------------------------------
@router.get("", summary="Landing page of the OGC API", responses=_JSON_OR_HTML)
def landing_page(request: Request, f: Format = None) -> Response:
    """Links to the API definition, the conformance declaration and the collections."""
    base = _base(request)
    html = wants_html(request, f)
    root = str(request.base_url).rstrip("/")
    links = [
        *_self_links(base, "", html),
        _link(f"{root}/openapi.json", "service-desc", OPENAPI, "API definition (OpenAPI 3)"),
        _link(f"{root}/docs", "service-doc", HTML, "API documentation"),
        _link(_href(base, "/conformance", f="json"), "conformance", JSON, "Conformance"),
        _link(_href(base, "/collections", f="json"), "data", JSON, "Collections"),
    ]
    title = "stadtregion – city-region of Jena"
    description = (
        "Public planning data of the city-region of Jena as OGC API – Features: "
        "municipalities with population and trend, railway stations and land offers."
    )
    if html:
        links.append(_link(_href(base, "/collections", f="html"), "data", HTML, "Collections"))
        return _page(request, title, description=description, links=links)
    return JSONResponse({"title": title, "description": description, "links": links})


@router.get(
    "/conformance",
    summary="Conformance classes implemented",
    responses=_JSON_OR_HTML,
)
def conformance(request: Request, f: Format = None) -> Response:
    """The conformance classes of OGC API – Features this API implements."""
    if wants_html(request, f):
        return _page(
            request,
            "Conformance",
            table={"headers": ["Conformance class"], "rows": [[{"text": c}] for c in CONFORMANCE]},
            crumbs=[("Conformance", "/conformance")],
        )
    return JSONResponse({"conformsTo": CONFORMANCE})


# -- collections ---------------------------------------------------------------------------
def _collection_doc(
    base: str, spec: catalog.CollectionSpec, frame: Any, html: bool
) -> dict[str, Any]:
    path = f"/collections/{spec.id}"
    bbox = features.extent(frame)
    doc: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "keywords": list(spec.keywords),
        "itemType": "feature",
        "crs": [features.CRS84],
        "links": [
            *_self_links(base, path, html),
            _link(_href(base, f"{path}/items", f="json"), "items", GEOJSON, "Items as GeoJSON"),
            _link(_href(base, f"{path}/items", f="html"), "items", HTML, "Items as HTML"),
        ],
        "attribution": list(spec.attribution),
    }
    if bbox is not None:
        doc["extent"] = {"spatial": {"bbox": [bbox], "crs": features.CRS84}}
    return doc


@router.get(
    "/collections",
    summary="The feature collections",
    responses=_JSON_OR_HTML,
)
def collections(
    request: Request, viewer: Caller, settings: AppSettings, f: Format = None
) -> Response:
    """The collections this caller may read, with their extent and links."""
    base = _base(request)
    html = wants_html(request, f)
    docs = [
        _collection_doc(base, spec, spec.load(_context(request, settings), viewer), html)
        for spec in catalog.visible_collections(viewer)
    ]
    links = _self_links(base, "/collections", html)
    if html:
        rows = [
            [
                {"text": d["title"], "href": _href(base, f"/collections/{d['id']}", f="html")},
                {"text": d["description"]},
            ]
            for d in docs
        ]
        return _page(
            request,
            "Collections",
            table={"headers": ["Collection", "Description"], "rows": rows},
            links=links,
            crumbs=[("Collections", "/collections")],
        )
    return JSONResponse({"collections": docs, "links": links})


@router.get(
    "/collections/{collection_id}",
    summary="One collection",
    responses=_JSON_OR_HTML,
)
def collection(
    request: Request,
    collection_id: CollectionId,
    viewer: Caller,
    settings: AppSettings,
    f: Format = None,
) -> Response:
    """Description, extent and links of one collection; unknown ids answer 404."""
    spec = catalog.get_collection(collection_id, viewer)
    html = wants_html(request, f)
    doc = _collection_doc(
        _base(request), spec, spec.load(_context(request, settings), viewer), html
    )
    if html:
        bbox = doc.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]
        return _page(
            request,
            spec.title,
            description=spec.description,
            facts=[("Identifier", spec.id), ("Extent (CRS84)", bbox or "empty")],
            links=doc["links"],
            attribution=spec.attribution,
            crumbs=[("Collections", "/collections"), (spec.title, f"/collections/{spec.id}")],
        )
    return JSONResponse(doc)


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection (paged, bbox filter)",
    response_class=GeoJSONResponse,
    responses=_GEOJSON_OR_HTML,
)
def items(
    request: Request,
    collection_id: CollectionId,
    viewer: Caller,
    settings: AppSettings,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            description="minlon,minlat,maxlon,maxlat in CRS84 (6 numbers with heights)",
            examples=["11.4,50.8,11.8,51.0"],
        ),
    ] = None,
    limit: Annotated[
        int | None,
        Query(
            description=f"Page size, 1..{features.MAX_LIMIT} (larger values are served as "
            f"{features.MAX_LIMIT}); default {features.DEFAULT_LIMIT}",
            json_schema_extra={
                "minimum": 1,
                "maximum": features.MAX_LIMIT,
                "default": features.DEFAULT_LIMIT,
            },
        ),
    ] = None,
    offset: Annotated[
        int | None,
        Query(
            description="Number of matching features to skip",
            json_schema_extra={"minimum": 0, "maximum": features.MAX_OFFSET, "default": 0},
        ),
    ] = None,
    f: Format = None,
) -> Response:
    """A page of features as GeoJSON with ``numberMatched``, ``numberReturned`` and links."""
    spec = catalog.get_collection(collection_id, viewer)
    box = features.parse_bbox(bbox)
    size, start = features.check_paging(limit, offset)
    matched = features.filter_bbox(spec.load(_context(request, settings), viewer), box)
    pg = features.page(matched, size, start)
    feats = features.to_features(pg.frame, spec.id_field, spec.properties)
    base = _base(request)
    html = wants_html(request, f)
    path = f"/collections/{spec.id}/items"
    keep = {"bbox": bbox, "limit": size}
    links = _self_links(base, path, html, GEOJSON, **keep, offset=start or None)
    fmt = "html" if html else "json"
    page_type = HTML if html else GEOJSON
    if pg.next_offset is not None:
        href = _href(base, path, f=fmt, **keep, offset=pg.next_offset)
        links.append(_link(href, "next", page_type, "next page"))
    if pg.prev_offset is not None:
        href = _href(base, path, f=fmt, **keep, offset=pg.prev_offset or None)
        links.append(_link(href, "prev", page_type, "previous page"))
    collection_fmt, collection_type = ("html", HTML) if html else ("json", JSON)
    links.append(
        _link(
            _href(base, f"/collections/{spec.id}", f=collection_fmt),
            "collection",
            collection_type,
            spec.title,
        )
    )
    if html:
        props = [c for c in spec.properties if c != spec.id_field]
        rows = [
            [
                {
                    "text": feat["id"],
                    "href": _href(base, f"{path}/{quote(feat['id'], safe='')}", f="html"),
                },
                *({"text": _cell(feat["properties"].get(c))} for c in props),
            ]
            for feat in feats
        ]
        first, last = start + 1, start + pg.number_returned
        return _page(
            request,
            f"{spec.title}: features",
            description=f"Features {first}–{last} of {pg.number_matched}."
            if feats
            else f"No features on this page ({pg.number_matched} match).",
            table={"headers": [spec.id_field, *props], "rows": rows},
            links=links,
            attribution=spec.attribution,
            crumbs=[
                ("Collections", "/collections"),
                (spec.title, f"/collections/{spec.id}"),
                ("Items", path),
            ],
        )
    body = {
        "type": "FeatureCollection",
        "features": feats,
        "numberMatched": pg.number_matched,
        "numberReturned": pg.number_returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
        "attribution": list(spec.attribution),
    }
    return GeoJSONResponse(body)


@router.get(
    "/collections/{collection_id}/items/{feature_id}",
    summary="One feature",
    response_class=GeoJSONResponse,
    responses=_GEOJSON_OR_HTML,
)
def item(
    request: Request,
    collection_id: CollectionId,
    feature_id: Annotated[str, PathParam(min_length=1, max_length=200)],
    viewer: Caller,
    settings: AppSettings,
    f: Format = None,
) -> Response:
    """One feature as GeoJSON (or HTML); unknown ids answer 404."""
    spec = catalog.get_collection(collection_id, viewer)
    hit = features.find_feature(
        spec.load(_context(request, settings), viewer), spec.id_field, feature_id, spec.id
    )
    feat = features.to_features(hit, spec.id_field, spec.properties)[0]
    base = _base(request)
    html = wants_html(request, f)
    path = f"/collections/{spec.id}/items/{quote(feat['id'], safe='')}"
    collection_fmt, collection_type = ("html", HTML) if html else ("json", JSON)
    links = [
        *_self_links(base, path, html, GEOJSON),
        _link(
            _href(base, f"/collections/{spec.id}", f=collection_fmt),
            "collection",
            collection_type,
            spec.title,
        ),
    ]
    if html:
        return _page(
            request,
            f"{spec.title}: {feat['properties'].get('name', feat['id'])}",
            facts=[(k, _cell(v)) for k, v in feat["properties"].items()],
            links=links,
            attribution=spec.attribution,
            crumbs=[
                ("Collections", "/collections"),
                (spec.title, f"/collections/{spec.id}"),
                ("Items", f"/collections/{spec.id}/items"),
                (str(feat["id"]), path),
            ],
        )
    feat["links"] = links
    feat["attribution"] = list(spec.attribution)
    return GeoJSONResponse(feat)


def _cell(value: Any) -> str:
    """A property value as table text (``–`` for null)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
