"""``/ogc/api``: the API definition of the OGC API alone, as OGC clients read it.

The app's ``/openapi.json`` describes every route from the server root. OGC API clients
resolve the paths of an API definition against the API's root (``{root}/collections/...``)
and look there for the parameters of each collection's items: GDAL's OAPIF driver, for
one, filters on the server only when the operation ``/collections/{id}/items`` lists
``filter-lang`` with ``cql-text`` and a parameter per queryable. This document is built
from the app's own (nothing described twice): the ``/ogc`` operations with their prefix
removed, ``servers`` set to the OGC root, and one items operation per collection the
caller may see, with its queryables as equality parameters (Part 1, 7.15.5).
"""

from __future__ import annotations

import copy
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import get_app_settings, get_store, get_viewer
from geo.access.roles import Viewer
from geo.ogc import catalog, filters
from geo.settings import Settings
from geo.usecases import ogc as usecase

router = APIRouter(prefix="/ogc", tags=["ogc"])

PREFIX = "/ogc"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
ITEMS = "/collections/{collection_id}/items"
#: filter-lang values offered (``cql-text`` is the draft name GDAL looks for).
FILTER_LANGS = ["cql2-text", "cql2-json", "cql-text"]


def ogc_definition(
    app_doc: dict[str, Any], root: str, collections: list[tuple[str, list[filters.Queryable]]]
) -> dict[str, Any]:
    """The OGC API's own definition from the app's OpenAPI document ``app_doc``.

    Parameters
    ----------
    root
        Absolute URL of the OGC API root (``https://host/ogc``), its ``servers`` entry.
    collections
        Each collection the caller may see with its queryables.
    """
    doc = copy.deepcopy(app_doc)
    paths: dict[str, Any] = {}
    for path, ops in doc["paths"].items():
        if path == PREFIX or not path.startswith(PREFIX + "/") or path == PREFIX + "/api":
            continue
        paths[path[len(PREFIX) :]] = ops
    template = paths[ITEMS]["get"]
    for param in template["parameters"]:
        if param.get("name") == "filter-lang":
            param["schema"] = {"type": "string", "enum": FILTER_LANGS, "default": "cql2-text"}
    for collection_id, queryables in collections:
        op = copy.deepcopy(template)
        op["operationId"] = f"getItems_{collection_id}"
        op["summary"] = f"Features of {collection_id}"
        op["parameters"] = [p for p in op["parameters"] if p.get("in") != "path"]
        for q in queryables:
            if q.type == "geometry":
                continue
            op["parameters"].append(
                {
                    "name": q.name,
                    "in": "query",
                    "required": False,
                    "schema": {"type": q.type},
                    "description": f"Only features whose {q.name} equals this value.",
                }
            )
        paths[f"/collections/{collection_id}/items"] = {"get": op}
    doc["paths"] = paths
    doc["servers"] = [{"url": root}]
    doc["info"] = {
        **doc.get("info", {}),
        "title": f"{doc.get('info', {}).get('title', 'stadtregion')} – OGC API – Features",
    }
    return doc


class OpenAPIResponse(JSONResponse):
    """A JSON answer typed as an OpenAPI 3.0 document (OGC API – Features Part 1, 7.3)."""

    media_type = OPENAPI


@router.get(
    "/api",
    summary="The API definition of the OGC API (OpenAPI)",
    response_class=OpenAPIResponse,
)
def api_definition(
    request: Request,
    viewer: Annotated[Viewer, Depends(get_viewer)],
    settings: Annotated[Settings, Depends(get_app_settings)],
) -> JSONResponse:
    """The OGC API's operations relative to its root, one items operation per collection."""
    ctx = catalog.LoadContext(settings=settings, store=lambda: get_store(request))
    collections = usecase.queryables_by_collection(ctx, viewer)
    root = str(request.base_url).rstrip("/") + PREFIX
    doc = ogc_definition(request.app.openapi(), root, collections)
    return OpenAPIResponse(doc)
