"""``/ogc``: OGC API – Features Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0), Part 2 (CRS by
reference) and Part 3 (CQL2 filtering, queryables) over the catalogue.

QGIS, GDAL (``OAPIF:``) and OWSLib read the collections of :mod:`geo.ogc.catalog` here. Every
resource answers JSON (GeoJSON for features) or HTML, chosen by ``f=json|html`` or else by
the ``Accept`` header. Each route parses its parameters, calls one use case of
:mod:`geo.usecases.ogc` and formats the answer; which collections and features a caller
sees is decided by the one access dependency (:func:`api.deps.get_viewer`) and the
catalogue's loaders.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.deps import get_app_settings, get_store, get_viewer
from api.params import accepted_query_names, extra_query, takes_property_filters
from api.responses import GeoJSONResponse
from geo.access.roles import Viewer
from geo.ogc import catalog, features, filters, geojson_text
from geo.ogc import crs as ogc_crs
from geo.settings import Settings
from geo.usecases import ogc as usecase

router = APIRouter(prefix="/ogc", tags=["ogc"])

_F1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf"
_F2 = "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf"
_F3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf"
_CQL2 = "http://www.opengis.net/spec/cql2/1.0/conf"
#: Conformance classes this API implements, each tested by the abstract tests named after
#: it (tests/api/test_ogc_ats_*.py).
CONFORMANCE = [
    f"{_F1}/core",
    f"{_F1}/geojson",
    f"{_F1}/html",
    f"{_F1}/oas30",
    f"{_F2}/crs",
    f"{_F3}/queryables",
    f"{_F3}/filter",
    f"{_F3}/features-filter",
    f"{_CQL2}/cql2-text",
    f"{_CQL2}/cql2-json",
    f"{_CQL2}/basic-cql2",
    f"{_CQL2}/advanced-comparison-operators",
    f"{_CQL2}/basic-spatial-functions",
    f"{_CQL2}/basic-spatial-functions-plus",
    f"{_CQL2}/spatial-functions",
]

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"

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
@router.get("/", summary="Landing page of the OGC API ({root}/)", responses=_JSON_OR_HTML)
def landing_page(request: Request, f: Format = None) -> Response:
    """Links to the API definition, the conformance declaration and the collections.

    Served at ``/ogc`` and at ``/ogc/`` alike (clients build ``{root}/`` from the base URL
    and need not follow a redirect).
    """
    base = _base(request)
    html = wants_html(request, f)
    root = str(request.base_url).rstrip("/")
    links = [
        *_self_links(base, "", html),
        # the OGC API's own definition: paths relative to this root (api/routers/ogc_api.py)
        _link(f"{base}/api", "service-desc", OPENAPI, "API definition (OpenAPI 3)"),
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
def _context(request: Request, settings: Settings) -> catalog.LoadContext:
    """What the catalogue's loaders may read (the land-pool store opened only if needed)."""
    return catalog.LoadContext(settings=settings, store=lambda: get_store(request))


def _collection_doc(base: str, view: usecase.CollectionView, html: bool) -> dict[str, Any]:
    spec = view.spec
    path = f"/collections/{spec.id}"
    bbox = view.extent
    doc: dict[str, Any] = {
        "id": spec.id,
        "title": spec.title,
        "description": spec.description,
        "keywords": list(spec.keywords),
        "itemType": "feature",
        "crs": ogc_crs.supported_uris(),
        "storageCrs": ogc_crs.CRS84.uri,
        "links": [
            *_self_links(base, path, html),
            _link(_href(base, f"{path}/items", f="json"), "items", GEOJSON, "Items as GeoJSON"),
            _link(_href(base, f"{path}/items", f="html"), "items", HTML, "Items as HTML"),
            _link(_href(base, f"{path}/queryables"), QUERYABLES_REL, SCHEMA, "Queryables"),
        ],
        "attribution": list(spec.attribution),
    }
    if bbox is not None:
        doc["extent"] = {"spatial": {"bbox": [bbox], "crs": ogc_crs.CRS84.uri}}
    return doc


@router.get(
    "/collections",
    summary="The feature collections",
    responses=_JSON_OR_HTML,
)
def collections(
    request: Request, viewer: Caller, settings: AppSettings, f: Format = None
) -> Response:
    """The collections this caller may read, with their extent, CRS and links."""
    base = _base(request)
    html = wants_html(request, f)
    views = usecase.list_collections(_context(request, settings), viewer)
    docs = [_collection_doc(base, v, html) for v in views]
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
    return JSONResponse({"collections": docs, "links": links, "crs": ogc_crs.supported_uris()})


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
    """Description, extent, CRS and links of one collection; unknown ids answer 404."""
    view = usecase.read_collection(_context(request, settings), viewer, collection_id)
    spec = view.spec
    html = wants_html(request, f)
    doc = _collection_doc(_base(request), view, html)
    if html:
        bbox = doc.get("extent", {}).get("spatial", {}).get("bbox", [None])[0]
        return _page(
            request,
            spec.title,
            description=spec.description,
            facts=[
                ("Identifier", spec.id),
                ("Extent (CRS84)", bbox or "empty"),
                ("CRS", ", ".join(doc["crs"])),
            ],
            links=doc["links"],
            attribution=spec.attribution,
            crumbs=[("Collections", "/collections"), (spec.title, f"/collections/{spec.id}")],
        )
    return JSONResponse(doc)


@router.get(
    "/collections/{collection_id}/queryables",
    summary="The properties a filter may name",
    responses={200: {"content": {SCHEMA: {}, HTML: {}}}},
)
def queryables(
    request: Request,
    collection_id: CollectionId,
    viewer: Caller,
    settings: AppSettings,
    f: Format = None,
) -> Response:
    """The queryables (JSON Schema): the published fields this caller may filter by."""
    view, items = usecase.read_queryables(_context(request, settings), viewer, collection_id)
    spec = view.spec
    base = _base(request)
    path = f"/collections/{spec.id}/queryables"
    if wants_html(request, f):
        return _page(
            request,
            f"{spec.title}: queryables",
            description="Properties a filter (CQL2) may name.",
            table={
                "headers": ["Queryable", "Type"],
                "rows": [[{"text": q.name}, {"text": q.type}] for q in items],
            },
            links=[_link(_href(base, path), "alternate", SCHEMA, "as JSON Schema")],
            crumbs=[
                ("Collections", "/collections"),
                (spec.title, f"/collections/{spec.id}"),
                ("Queryables", path),
            ],
        )
    doc = filters.queryables_schema(items, _href(base, path), f"{spec.title}: queryables")
    return JSONResponse(doc, media_type=SCHEMA)


def _crs_param(name: str, what: str) -> Any:
    return Query(
        alias=name,
        max_length=200,
        description=f"{what}; one of {', '.join(ogc_crs.supported_uris())} (default CRS84)",
    )


@router.get(
    "/collections/{collection_id}/items",
    summary="Features of a collection (paged; bbox, CQL2 filter, property filters, CRS)",
    response_class=GeoJSONResponse,
    responses=_GEOJSON_OR_HTML,
)
@takes_property_filters
def items(
    request: Request,
    collection_id: CollectionId,
    viewer: Caller,
    settings: AppSettings,
    bbox: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Box in bbox-crs (default CRS84: minlon,minlat,maxlon,maxlat; "
            "6 numbers with heights)",
            examples=["11.4,50.8,11.8,51.0"],
        ),
    ] = None,
    bbox_crs: Annotated[str | None, _crs_param("bbox-crs", "CRS of bbox")] = None,
    crs: Annotated[str | None, _crs_param("crs", "CRS of the returned coordinates")] = None,
    filter_: Annotated[
        str | None,
        Query(
            alias="filter",
            max_length=filters.MAX_FILTER_CHARS,
            description="CQL2 filter on the queryables, e.g. population > 5000 AND "
            "trend_class = 'growing'",
        ),
    ] = None,
    filter_lang: Annotated[
        Literal["cql2-text", "cql2-json", "cql-text"] | None,
        Query(
            alias="filter-lang",
            description="Language of filter (default cql2-text; cql-text, the draft name "
            "GDAL sends, is read as cql2-text)",
        ),
    ] = None,
    filter_crs: Annotated[
        str | None, _crs_param("filter-crs", "CRS of the geometries in filter")
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
    """A page of features as GeoJSON with ``numberMatched``, ``numberReturned`` and links.

    Besides its own parameters it takes one per queryable (``?district=Saalfeld-Rudolstadt``):
    equality filters, AND-ed with ``filter`` (OGC API – Features Part 1, 7.15.5).
    """
    route = request.scope["route"]
    props = tuple(extra_query(request))
    query = usecase.ItemsQuery(
        collection_id=collection_id,
        bbox=bbox,
        bbox_crs=bbox_crs,
        crs=crs,
        limit=limit,
        offset=offset,
        filter=filter_,
        filter_lang=filter_lang,
        filter_crs=filter_crs,
        properties=props,
        takes=tuple(accepted_query_names(route)),
    )
    result = usecase.read_items(_context(request, settings), viewer, query)
    spec, pg = result.collection.spec, result.page
    size, start = pg.limit, pg.offset
    base = _base(request)
    html = wants_html(request, f)
    path = f"/collections/{spec.id}/items"
    keep = {
        "bbox": bbox,
        "bbox-crs": bbox_crs,
        "crs": crs,
        "filter": filter_,
        "filter-lang": filter_lang,
        "filter-crs": filter_crs,
        **dict(props),
        "limit": size,
    }
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
    texts = geojson_text.feature_texts(
        result.collection.frame, spec.id_field, spec.properties, result.crs
    )
    headers = {"Content-Crs": ogc_crs.content_crs_header(result.crs)}
    if html:
        feats = [json.loads(texts[i]) for i in result.positions]
        columns = [c for c in spec.properties if c != spec.id_field]
        rows = [
            [
                {
                    "text": feat["id"],
                    "href": _href(base, f"{path}/{quote(feat['id'], safe='')}", f="html"),
                },
                *({"text": _cell(feat["properties"].get(c))} for c in columns),
            ]
            for feat in feats
        ]
        first, last = start + 1, start + pg.number_returned
        page = _page(
            request,
            f"{spec.title}: features",
            description=f"Features {first}–{last} of {pg.number_matched}."
            if feats
            else f"No features on this page ({pg.number_matched} match).",
            table={"headers": [spec.id_field, *columns], "rows": rows},
            links=links,
            attribution=spec.attribution,
            crumbs=[
                ("Collections", "/collections"),
                (spec.title, f"/collections/{spec.id}"),
                ("Items", path),
            ],
        )
        page.headers.update(headers)
        return page
    members = {
        "numberMatched": pg.number_matched,
        "numberReturned": pg.number_returned,
        "timeStamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": links,
        "attribution": list(spec.attribution),
    }
    text = geojson_text.feature_collection_text(texts, result.positions, members)
    return Response(text.encode("utf-8"), media_type=GEOJSON, headers=headers)


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
    crs: Annotated[str | None, _crs_param("crs", "CRS of the returned coordinates")] = None,
    f: Format = None,
) -> Response:
    """One feature as GeoJSON (or HTML); unknown ids answer 404."""
    result = usecase.read_item(_context(request, settings), viewer, collection_id, feature_id, crs)
    spec = result.collection.spec
    texts = geojson_text.feature_texts(
        result.collection.frame, spec.id_field, spec.properties, result.crs
    )
    pos = result.positions[0]
    feat = json.loads(texts[pos])
    base = _base(request)
    html = wants_html(request, f)
    path = f"/collections/{spec.id}/items/{quote(feat['id'], safe='')}"
    collection_fmt, collection_type = ("html", HTML) if html else ("json", JSON)
    links = [
        *_self_links(base, path, html, GEOJSON, crs=crs),
        _link(
            _href(base, f"/collections/{spec.id}", f=collection_fmt),
            "collection",
            collection_type,
            spec.title,
        ),
    ]
    headers = {"Content-Crs": ogc_crs.content_crs_header(result.crs)}
    if html:
        page = _page(
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
        page.headers.update(headers)
        return page
    members = {"links": links, "attribution": list(spec.attribution)}
    text = geojson_text.feature_text(texts, pos, members)
    return Response(text.encode("utf-8"), media_type=GEOJSON, headers=headers)


def _cell(value: Any) -> str:
    """A property value as table text (``–`` for null)."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)
