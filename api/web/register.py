"""The land-pool register pages: the table of plots, its exports and a plot's page.

``/register`` lists the plots the caller may see (filters, sorting, paging and counts as
GET parameters, every one declared: an unknown one is refused), with export buttons for
the filtered set. ``/register/{plot_id}`` shows a plot: its map, every attribute, the
derived site attributes, the history and, for the land-pool team, the forms
(:mod:`api.web.register_forms`). Planners read; public callers get the 403 page. Who may
open what is decided by :mod:`geo.usecases.register` and the store, from the viewer of
:func:`api.deps.get_viewer`; this module only parses and renders.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from api.deps import get_app_settings, get_store, get_viewer
from api.web.register_view import plot_page, show
from api.web.render import PageLang, href_for, page
from geo.access.roles import Viewer
from geo.landpool.plots import Category, Status
from geo.landpool.store import Store
from geo.settings import MAX_OFFSET, Settings
from geo.usecases import register as reg
from geo.usecases.landpool import PlotFilter
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

SortKey = Literal["name", "plot_id", "municipality", "area_ha", "status", "updated"]
YesNo = Literal["", "yes", "no"]
#: Columns of the table: (key, sort key or None).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("name", "name"),
    ("municipality", "municipality"),
    ("area_ha", "area_ha"),
    ("category", None),
    ("status", "status"),
    ("owner_type", None),
    ("published", None),
    ("confidential", None),
    ("updated_at", "updated"),
)
#: Export formats: (format, media type).
EXPORTS = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
}
PAGE_SIZES = (10, 25, 50, 100, reg.MAX_PAGE_SIZE)


def _flag(value: str | None) -> bool | None:
    return None if not value else value == "yes"


def plot_filter(
    status: Annotated[str | None, Query(max_length=32, description="Workflow status.")] = None,
    category: Annotated[str | None, Query(max_length=32, description="Plot category.")] = None,
    ags: Annotated[str | None, Query(pattern=r"^(\d{8})?$", description="Municipality.")] = None,
    published: Annotated[YesNo | None, Query(description="Published: yes or no.")] = None,
    confidential: Annotated[YesNo | None, Query(description="Confidential: yes or no.")] = None,
) -> PlotFilter:
    """The register's filter parameters (an empty value means any)."""
    return PlotFilter(
        status=status or None,
        category=category or None,
        ags=ags or None,
        published=_flag(published),
        confidential=_flag(confidential),
    )


FilterDep = Annotated[PlotFilter, Depends(plot_filter)]


def filter_params(f: PlotFilter) -> dict[str, str | None]:
    """A filter as the query parameters of :func:`plot_filter`."""

    def yn(v: bool | None) -> str | None:
        return None if v is None else ("yes" if v else "no")

    return {
        "status": f.status,
        "category": f.category,
        "ags": f.ags,
        "published": yn(f.published),
        "confidential": yn(f.confidential),
    }


@router.get("/register", response_class=HTMLResponse)
def register_list(
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    lang: PageLang,
    filters: FilterDep,
    sort: Annotated[SortKey, Query(description="Order of the table.")] = "name",
    order: Annotated[Literal["asc", "desc"], Query(description="Direction.")] = "asc",
    page_no: Annotated[int, Query(alias="page", ge=1, le=MAX_OFFSET)] = 1,
    page_size: Annotated[int, Query(ge=1, le=reg.MAX_PAGE_SIZE)] = reg.PAGE_SIZE,
) -> HTMLResponse:
    """The register table: the plots the caller may see, filtered, sorted and paged."""
    query = reg.RegisterQuery(filters, sort, order == "desc", page_no, page_size)
    result = reg.register_page(store, viewer, query)
    q = result.query
    params: dict[str, Any] = {**filter_params(filters), "page_size": page_size}
    if page_size == reg.PAGE_SIZE:
        params.pop("page_size")
    sorted_params = {**params, "sort": q.sort, "order": order}

    def link(**changes: Any) -> str:
        return href_for(lang, "/register", **{**sorted_params, **changes})

    columns: list[dict[str, Any]] = []
    for key, sort_key in COLUMNS:
        if key == "confidential" and not viewer.sees_confidential:
            continue
        if key == "published" and not viewer.sees_unpublished:
            continue
        current = sort_key is not None and sort_key == q.sort
        flip = "desc" if current and order == "asc" else "asc"
        columns.append(
            {
                "key": key,
                "label": word("register_field", key, lang),
                "href": link(sort=sort_key, order=flip, page=None) if sort_key else None,
                "aria_sort": ("descending" if q.descending else "ascending") if current else None,
                "numeric": key == "area_ha",
            }
        )
    rows = [
        {
            "plot_id": r["plot_id"],
            "href": href_for(lang, f"/register/{r['plot_id']}"),
            "cells": {c["key"]: show(c["key"], r.get(c["key"]), lang) for c in columns},
            "name": r.get("name"),
        }
        for r in result.rows
    ]
    counts = [
        {
            "status": s,
            "label": word("status", s, lang),
            "n": n,
            "href": link(status=s, page=None),
            "active": filters.status == s,
        }
        for s, n in result.status_counts.items()
    ]
    exports = [
        {
            "fmt": fmt,
            "label": word("register", f"export_{fmt}", lang),
            "href": href_for(lang, "/register/export", format=fmt, **filter_params(filters)),
        }
        for fmt in EXPORTS
    ]
    sort_label = word("register", f"sort_{q.sort}", lang)
    return page(
        request,
        viewer,
        "register_list.html",
        lang,
        title=word("register", "title", lang),
        result=result,
        filters=filters,
        flt=filter_params(filters),
        sort=q.sort,
        order=order,
        page_size=page_size,
        page_sizes=PAGE_SIZES,
        columns=columns,
        rows=rows,
        counts=counts,
        all_statuses_href=link(status=None, page=None),
        exports=exports,
        statuses=[(s.value, word("status", s.value, lang)) for s in Status],
        categories=[(c.value, word("category", c.value, lang)) for c in Category],
        sort_keys=[(k, word("register", f"sort_{k}", lang)) for k in get_args(SortKey)],
        caption=word("register", "table_caption", lang).format(
            sort=sort_label, order=word("register", order, lang)
        ),
        prev_href=link(page=q.page - 1) if q.page > 1 else None,
        next_href=link(page=q.page + 1) if q.page < result.pages else None,
        reset_href=href_for(lang, "/register"),
        attributions=result.attribution or None,
    )


def _download_name(fmt: str) -> str:
    return f"flaechenregister-{date.today():%Y%m%d}.{fmt}"


@router.get("/register/export")
def register_export(
    viewer: ViewerDep,
    store: StoreDep,
    lang: PageLang,
    filters: FilterDep,
    fmt: Annotated[Literal["gpkg", "geojson", "csv"], Query(alias="format")] = "gpkg",
) -> FileResponse:
    """The filtered plots the caller may see as a file, with attributions."""
    folder = Path(tempfile.mkdtemp(prefix="sr-export-"))
    path = folder / f"plots.{fmt}"

    def cleanup() -> None:
        for p in folder.iterdir():
            p.unlink()
        folder.rmdir()

    try:
        reg.export_register(store, viewer, path, fmt, filters)
    except BaseException:
        cleanup()
        raise
    return FileResponse(
        path,
        media_type=EXPORTS[fmt],
        filename=_download_name(fmt),
        background=BackgroundTask(cleanup),
        headers={"cache-control": "no-store"},
    )


_NOTICES = Literal["saved", "unchanged", "status", "published", "unpublished"]


@router.get("/register/{plot_id}", response_class=HTMLResponse)
def register_plot(
    plot_id: str,
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
    notice: Annotated[_NOTICES | None, Query(description="What the last form did.")] = None,
) -> HTMLResponse:
    """A plot's page: map, attributes, derived site attributes, history and the forms."""
    plot = reg.open_plot(settings, store, viewer, plot_id)
    text = word("register", f"notice_{notice}", lang) if notice else None
    return plot_page(request, viewer, lang, plot, notice=text)
