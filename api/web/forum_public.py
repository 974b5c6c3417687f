"""The public side of the forum's contributions: list with filters, one page each, exports.

Everything here goes through :mod:`geo.forum.public` (via :mod:`geo.usecases.forum`):
approved, rejected (with the public reason) and taken-up contributions only; never a
pending or hidden one, never a contact e-mail, never who moderated. A pending or hidden
contribution's page answers 404 like an unknown id.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.web.forum_common import (
    ContribDep,
    SettingsDep,
    ViewerDep,
    contribution_layer,
    map_block,
    outline_layer,
)
from api.web.render import PageLang, href_for, page
from geo.forum.model import PUBLIC_STATUSES
from geo.usecases import forum as forum_uc
from geo.usecases import region as region_uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TopicQ = Annotated[str | None, Query(max_length=32, description="Topic key")]
AgsQ = Annotated[str | None, Query(max_length=8, description="Municipality (AGS)")]
StatusQ = Annotated[str | None, Query(max_length=16, description="approved|rejected|taken_up")]
ID_PATTERN = r"^[a-z2-7]{1,20}$"


@router.get("/forum/contributions", response_class=HTMLResponse)
def contributions(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    settings: SettingsDep,
    topic: TopicQ = None,
    municipality: AgsQ = None,
    status: StatusQ = None,
    page_no: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The public contributions, filtered by topic, municipality and status."""
    query = forum_uc.parse_public_query(store, topic, municipality, status)
    total = forum_uc.public_count(store, query)
    items = forum_uc.public_list(store, query, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    frame = forum_uc.public_frame(store, query)
    topics = store.topics()
    names = dict(
        zip(
            region_uc.region(settings).model["ags"].astype(str),
            region_uc.region(settings).model["name"],
            strict=True,
        )
    )
    shown_muns = sorted(
        {(c.ags, c.municipality) for c in forum_uc.public_list(store, forum_uc.PublicQuery())},
        key=lambda t: t[1],
    )
    if query.ags and query.ags not in dict(shown_muns):
        shown_muns.append((query.ags, names.get(query.ags, query.ags)))

    def href(path: str) -> str:
        return href_for(lang, path)

    layers = [outline_layer(settings, lang)]
    layers += [contribution_layer(frame, lang, href)] if len(frame) else []
    filters = {"topic": query.topic, "municipality": query.ags, "status": query.status}
    return page(
        request,
        viewer,
        "forum_list.html",
        lang,
        title=word("forum_list", "title", lang),
        uses_map=True,
        map_data=map_block(settings, layers),
        items=items,
        total=total,
        topics=[(t.key, t.label(lang)) for t in topics],
        topic_names={t.key: t.label(lang) for t in topics},
        municipalities=shown_muns,
        statuses=PUBLIC_STATUSES,
        filters=filters,
        page_no=page_no,
        pages=max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE),
    )


@router.get("/forum/contributions/{contribution_id}", response_class=HTMLResponse)
def contribution(
    request: Request,
    viewer: ViewerDep,
    lang: PageLang,
    store: ContribDep,
    settings: SettingsDep,
    contribution_id: Annotated[str, Path(pattern=ID_PATTERN, max_length=20)],
) -> HTMLResponse:
    """One public contribution and its public status history."""
    record, steps = forum_uc.public_contribution(store, contribution_id)
    frame = forum_uc.public_frame(store).query("id == @contribution_id")

    def href(path: str) -> str:
        return href_for(lang, path)

    layers = [outline_layer(settings, lang)]
    layers += [contribution_layer(frame, lang, href)] if len(frame) else []
    topics = {t.key: t.label(lang) for t in store.topics()}
    return page(
        request,
        viewer,
        "forum_item.html",
        lang,
        title=record["title"],
        uses_map=True,
        map_data=map_block(settings, layers),
        c=record,
        steps=steps,
        topic_names=topics,
    )


@router.get("/forum/export/contributions.geojson")
def export_geojson(
    store: ContribDep, topic: TopicQ = None, municipality: AgsQ = None, status: StatusQ = None
) -> Response:
    """The public contributions as GeoJSON (EPSG:4326; public fields only)."""
    query = forum_uc.parse_public_query(store, topic, municipality, status)
    return Response(
        forum_uc.export_geojson(store, query),
        media_type="application/geo+json",
        headers={"content-disposition": 'attachment; filename="contributions.geojson"'},
    )


@router.get("/forum/export/contributions.csv")
def export_csv(
    store: ContribDep, topic: TopicQ = None, municipality: AgsQ = None, status: StatusQ = None
) -> Response:
    """The public contributions as CSV (public fields, lon/lat)."""
    query = forum_uc.parse_public_query(store, topic, municipality, status)
    return Response(
        forum_uc.export_csv(store, query),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="contributions.csv"'},
    )
