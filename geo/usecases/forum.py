"""Use cases of the forum's contributions: submit, moderate, read what is public, export.

Pages, the API and the CLI call these; they open the store with
:func:`open_contributions` and hand it in (one per app, like the land-pool store). A
target is resolved here against the region model (which municipality a point lies in)
and the land pool (a plot must be published and visible to the public *when submitted*)
before :class:`geo.forum.store.ContributionStore` stores it.

Everything that leaves for someone who is not moderating goes through
:mod:`geo.forum.public`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import geopandas as gpd
import numpy as np
from pyproj import Transformer
from shapely.geometry import Point

from geo.access.roles import PUBLIC, Viewer
from geo.access.secret import server_secret
from geo.errors import InputError, NotFoundError
from geo.forum import public
from geo.forum.clients import Limits, check_forget_token
from geo.forum.model import (
    MODERATOR_ROLES,
    PUBLIC_STATUSES,
    Contribution,
    Target,
    check_draft,
    check_project_ref,
    check_status,
)
from geo.forum.store import ContributionStore, QueueEntry
from geo.landpool.store import Store
from geo.landpool.store_engine import default_url
from geo.ogc.export import to_geojson
from geo.projects.store import ProjectStore
from geo.settings import Settings
from geo.usecases import region as region_uc

#: First characters a spreadsheet reads as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_TO_WORK = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)


def open_contributions(settings: Settings) -> ContributionStore:
    """The contribution store of ``settings`` (land-pool database, server secret, limits)."""
    return ContributionStore(
        default_url(settings), server_secret(settings), Limits.from_settings(settings)
    )


def _municipality_at(model: gpd.GeoDataFrame, point: Point) -> tuple[str, str]:
    hits = model.sindex.query(point, predicate="intersects")
    if len(hits) == 0:
        raise InputError(
            "the point lies outside the municipalities of the region; click inside Thuringia."
        )
    row = model.iloc[int(np.sort(hits)[0])]
    return str(row["ags"]), str(row["name"])


def resolve_target(
    settings: Settings,
    land: Store,
    *,
    lat: float | None = None,
    lon: float | None = None,
    ags: str | None = None,
    plot_id: str | None = None,
) -> Target:
    """The target of a contribution from exactly one of: a point, an AGS, a plot id.

    Raises
    ------
    InputError
        For none or several targets, a point outside the region, an unknown AGS, or a
        plot that is not published (or does not exist: the same answer).
    """
    point_given = lat is not None or lon is not None
    given = [
        k
        for k, v in (("point", point_given), ("municipality", bool(ags)), ("plot", bool(plot_id)))
        if v
    ]
    if len(given) != 1:
        raise InputError(
            "choose where the contribution belongs: click a point on the map, or choose a "
            f"municipality, or a published plot (exactly one; got {len(given)})."
        )
    model = region_uc.region(settings).model
    kind = given[0]
    if kind == "point":
        if lat is None or lon is None:
            raise InputError("a point needs both lat and lon (click on the map).")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not np.isfinite([lat, lon]).all():
            raise InputError(f"lat {lat} / lon {lon} is no position on Earth.")
        x, y = _TO_WORK.transform(lon, lat)
        point = Point(round(x, 1), round(y, 1))
        found_ags, name = _municipality_at(model, point)
        return Target("point", point, found_ags, name)
    if kind == "municipality":
        code = (ags or "").strip()
        rows = model[model["ags"].astype(str) == code]
        if not len(rows):
            raise InputError(f"municipality {code!r} is not an AGS of the region (8 digits).")
        row = rows.iloc[0]
        p = row.geometry.representative_point()
        return Target("municipality", Point(round(p.x, 1), round(p.y, 1)), code, str(row["name"]))
    pid = (plot_id or "").strip()
    try:
        plot = land.get(PUBLIC, pid)
    except NotFoundError:
        raise InputError(
            f"plot {pid!r} is not a published plot; choose one from the list."
        ) from None
    p = plot.geometry.representative_point()
    point = Point(round(p.x, 1), round(p.y, 1))
    if plot.ags and plot.municipality:
        return Target("plot", point, str(plot.ags), str(plot.municipality), plot.plot_id)
    found_ags, name = _municipality_at(model, point)
    return Target("plot", point, found_ags, name, plot.plot_id)


def submit(
    settings: Settings,
    store: ContributionStore,
    land: Store,
    form: dict[str, Any],
    client: str,
) -> Contribution:
    """A visitor's contribution, checked and stored as ``pending``.

    ``form`` holds ``topic``, ``title``, ``text``, optional ``email`` and the target
    (``lat``/``lon``, ``ags`` or ``plot_id``).
    """
    draft = check_draft(
        form.get("topic"),
        form.get("title"),
        form.get("text"),
        form.get("email"),
        store.topic_keys(),
    )
    target = resolve_target(
        settings,
        land,
        lat=_float(form.get("lat"), "lat"),
        lon=_float(form.get("lon"), "lon"),
        ags=form.get("ags"),
        plot_id=form.get("plot_id"),
    )
    return store.submit(target, draft, client)


def _float(value: Any, name: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(str(value).replace(",", "."))
    except ValueError:
        raise InputError(f"{name} must be a number (degrees), got {str(value)[:20]!r}.") from None
    if not np.isfinite(out):
        raise InputError(f"{name} must be a finite number, got {value!r}.")
    return out


def require_moderator(viewer: Viewer) -> None:
    """Refuse (403) anyone who is not a planner or an admin."""
    viewer.require_role(MODERATOR_ROLES, "moderate forum contributions")


#: Contributions per page of the moderation queue.
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class QueuePage:
    """One page of the fair moderation queue: its entries, which page, how many wait."""

    entries: list[QueueEntry]
    page: int
    pages: int
    pending: int


def moderation_queue(store: ContributionStore, viewer: Viewer, page: int = 1) -> QueuePage:
    """Page ``page`` (1-based) of the fair moderation queue (moderators only).

    A page beyond the last (the queue shrinks while moderators work) shows the last one.
    """
    require_moderator(viewer)
    if page < 1:
        raise InputError(f"page must be 1 or more, got {page}.")
    pending = store.count(statuses=("pending",))
    pages = max(1, -(-pending // QUEUE_PAGE_SIZE))
    page = min(page, pages)
    entries = store.queue(QUEUE_PAGE_SIZE, (page - 1) * QUEUE_PAGE_SIZE)
    return QueuePage(entries, page, pages, pending)


def moderate(
    store: ContributionStore, viewer: Viewer, contribution_id: str, event: str, **kw: Any
) -> Contribution:
    """One moderation step by ``viewer`` (moderators only; the name goes into the history).

    ``taken_up`` names the cooperation project (``project_ref``) that took the
    contribution up; it must be a project of the register (:class:`InputError` naming
    the known ones otherwise).
    """
    require_moderator(viewer)
    if event == "taken_up":
        kw["project_ref"] = check_project(store, kw.get("project_ref"))
    return store.moderate(contribution_id, event, viewer.name, **kw)


def project_choices(store: ContributionStore) -> list[tuple[str, str]]:
    """The cooperation projects a contribution can be taken up by: ``(id, title)``."""
    return [(p.id, p.title) for p in ProjectStore(store.engine).list()]


def check_project(store: ContributionStore, project_ref: str | None) -> str:
    """``project_ref`` checked against the project register (same database)."""
    ref = check_project_ref(project_ref)
    try:
        return ProjectStore(store.engine).get(ref).id
    except NotFoundError:
        known = [pid for pid, _ in project_choices(store)]
        listed = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
        raise InputError(
            f"project {ref!r} is no cooperation project of the register; "
            + (f"choose one of {listed}." if known else "create the project first.")
        ) from None


def edit(store: ContributionStore, viewer: Viewer, contribution_id: str, **kw: Any) -> Contribution:
    """Edit personal data out of a contribution (moderators only)."""
    require_moderator(viewer)
    return store.edit(contribution_id, viewer.name, **kw)


def contact(store: ContributionStore, viewer: Viewer, contribution_id: str) -> str | None:
    """The contact e-mail for the moderator answering (recorded in the history)."""
    require_moderator(viewer)
    return store.contact(contribution_id, viewer.name)


def check_forget_link(settings: Settings, token: str | None) -> str:
    """The contribution id of a signed forget link (:class:`InputError` when forged)."""
    return check_forget_token(server_secret(settings), token)


def forget_by_token(settings: Settings, store: ContributionStore, token: str | None) -> bool:
    """The signed forget link: delete that contribution's contact e-mail."""
    cid = check_forget_token(server_secret(settings), token)
    return store.forget_contribution(cid)


@dataclass(frozen=True)
class PublicQuery:
    """Filters of the public list (parsed once)."""

    topic: str | None = None
    ags: str | None = None
    status: str | None = None


def parse_public_query(
    store: ContributionStore, topic: str | None, ags: str | None, status: str | None
) -> PublicQuery:
    """Check the public list's filters (status: only the public ones)."""
    if topic and topic not in store.topic_keys():
        raise InputError(f"topic {topic!r} is unknown; use one of {sorted(store.topic_keys())}.")
    if status:
        check_status(status)
        if status not in PUBLIC_STATUSES:
            raise InputError(f"status must be one of {', '.join(PUBLIC_STATUSES)}, got {status!r}.")
    if ags and not (ags.isdigit() and len(ags) == 8):
        raise InputError(f"municipality must be an 8-digit AGS, got {ags!r}.")
    return PublicQuery(topic or None, ags or None, status or None)


def public_list(
    store: ContributionStore, query: PublicQuery, *, limit: int | None = None, offset: int = 0
) -> list[Contribution]:
    """The public contributions matching ``query`` (newest first)."""
    statuses = (query.status,) if query.status else PUBLIC_STATUSES
    items = store.list(
        statuses=statuses, topic=query.topic, ags=query.ags, limit=limit, offset=offset
    )
    return [c for c in items if public.is_public(c)]


def public_count(store: ContributionStore, query: PublicQuery) -> int:
    """How many public contributions match ``query``."""
    statuses = (query.status,) if query.status else PUBLIC_STATUSES
    return store.count(statuses=statuses, topic=query.topic, ags=query.ags)


def public_contribution(
    store: ContributionStore, contribution_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A public contribution and its public history (404 for pending, hidden, unknown)."""
    c = public.require_public(store.get(contribution_id))
    return public.public_record(c), public.public_steps(c, store.history(c.id))


def public_frame(store: ContributionStore, query: PublicQuery | None = None) -> gpd.GeoDataFrame:
    """The public contributions as points in EPSG:4326 (map layer, exports, OGC API)."""
    return public.public_frame(public_list(store, query or PublicQuery()))


def export_geojson(store: ContributionStore, query: PublicQuery) -> str:
    """The public contributions as GeoJSON text (EPSG:4326)."""
    frame = public_frame(store, query)
    frame = frame.assign(
        created_at=[v.isoformat() for v in frame["created_at"]],
        updated_at=[v.isoformat() for v in frame["updated_at"]],
    )
    return json.dumps(to_geojson(frame, precision=6), ensure_ascii=False)


def export_csv(store: ContributionStore, query: PublicQuery) -> str:
    """The public contributions as CSV (public fields, lon/lat in EPSG:4326)."""
    frame = public_frame(store, query)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*public.PUBLIC_FIELDS, "lon", "lat"])
    for _, row in frame.iterrows():
        values = []
        for k in public.PUBLIC_FIELDS:
            v = row[k]
            if isinstance(v, datetime):
                v = v.isoformat()
            elif isinstance(v, str) and v[:1] in _FORMULA:
                v = "'" + v  # a spreadsheet never runs a visitor's text as a formula
            values.append("" if v is None else v)
        writer.writerow([*values, f"{row.geometry.x:.6f}", f"{row.geometry.y:.6f}"])
    return out.getvalue()


def public_map_frame(settings: Settings) -> gpd.GeoDataFrame:
    """The public contributions for a map (the store opened and closed here)."""
    with open_contributions(settings) as store:
        return public_frame(store)
