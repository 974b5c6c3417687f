"""Writes of the land-pool register inside one store transaction: insert, edit, workflow, publish.

Each function takes an open write connection (the store begins and commits it: all or
nothing), checks the stored row under a row lock and optimistic locking on ``version``
(a write naming another version raises :class:`~geo.errors.ConflictError` and changes
nothing), writes, and appends its history row (:mod:`geo.landpool.store_history`) at the
audience level :mod:`geo.landpool.public` decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import shapely
import sqlalchemy as sa
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from geo.errors import ConflictError, InputError
from geo.landpool.plots import (
    EDITABLE_FIELDS,
    Plot,
    Status,
    Viewer,
    area_ha,
    check_geometry,
    check_transition,
    derive_municipality,
    parse_attributes,
    parse_enum,
    parse_plot_id,
)
from geo.landpool.public import Level, plot_level, stricter
from geo.landpool.store_history import append_history
from geo.landpool.store_reads import not_found, row_to_plot, stored_ids
from geo.landpool.store_schema import PLOT_COLUMNS, history_table, plots_table
from geo.settings import WORK_CRS

#: Rows per INSERT batch of a bulk import (progress is reported after each).
BATCH_SIZE = 500


@dataclass
class NewPlot:
    """A checked plot ready to insert (what an import or a POST produces)."""

    plot_id: str
    attributes: dict[str, Any]
    geometry: MultiPolygon
    status: str = Status.IDENTIFIED.value
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


def prepare_plot(
    values: Mapping[str, Any],
    geometry: BaseGeometry,
    *,
    plot_id: Any,
    status: Any = None,
    repair: bool = False,
) -> NewPlot:
    """Check one new plot (attributes, geometry in EPSG:25832, id) without storing it."""
    pid = parse_plot_id(plot_id)
    attrs = parse_attributes(values)
    geom, note = check_geometry(geometry, repair=repair)
    st = parse_enum("status", status).value
    return NewPlot(pid, attrs, geom, status=st, notes=[note] if note else [])


def check_new_plots(plots: Sequence[NewPlot]) -> None:
    """Refuse a batch with an id given twice or a non-initial status without a reason."""
    ids = [p.plot_id for p in plots]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise ConflictError(f"plot_id given twice: {', '.join(dup[:10])}.")
    unexplained = [p.plot_id for p in plots if p.status != Status.IDENTIFIED and not p.reason]
    if unexplained:
        raise InputError(
            "a plot that does not start at identified needs a reason for the history: "
            + ", ".join(unexplained[:10])
        )


def places_of(
    plots: Sequence[NewPlot], municipalities: gpd.GeoDataFrame | None
) -> gpd.GeoDataFrame:
    """The municipality (``ags``, ``municipality``) of each plot; unknown without a lookup."""
    geoms = gpd.GeoSeries([p.geometry for p in plots], crs=WORK_CRS)
    return derive_municipality(geoms, municipalities)


def insert_plots(
    conn: Connection,
    viewer: Viewer,
    plots: Sequence[NewPlot],
    places: gpd.GeoDataFrame,
    now: datetime,
    on_progress: Callable[[int, int], None] | None = None,
) -> int:
    """Insert checked plots and their creation records; refuse ids already stored.

    ``places`` holds each plot's ``ags`` and ``municipality`` (:func:`places_of`).
    """
    place_ags = places["ags"].tolist()
    place_names = places["municipality"].tolist()
    taken = stored_ids(conn, [p.plot_id for p in plots])
    if taken:
        raise ConflictError(
            f"plot_id already in the register: {', '.join(sorted(taken)[:10])}; "
            "choose another id (plot ids are never reused)."
        )
    for start in range(0, len(plots), BATCH_SIZE):
        batch = plots[start : start + BATCH_SIZE]
        rows = []
        history = []
        for i, p in enumerate(batch, start=start):
            rows.append(
                {
                    **{k: p.attributes.get(k) for k in EDITABLE_FIELDS},
                    "plot_id": p.plot_id,
                    "status": p.status,
                    "area_ha": area_ha(p.geometry),
                    "ags": place_ags[i],
                    "municipality": place_names[i],
                    "created_at": now,
                    "created_by": viewer.name,
                    "updated_at": now,
                    "updated_by": viewer.name,
                    "version": 1,
                    "published": False,
                    "geom": from_shape(p.geometry, srid=25832),
                }
            )
            history.append(
                {
                    "plot_id": p.plot_id,
                    "at": now,
                    "actor": viewer.name,
                    "event": "created",
                    "from_status": None,
                    "to_status": p.status,
                    "reason": p.reason,
                    "changes": json.dumps({"notes": p.notes}) if p.notes else None,
                    "version": 1,
                    "visibility": plot_level(bool(p.attributes.get("confidential")), False).value,
                }
            )
        conn.execute(plots_table.insert(), rows)
        append_history(conn, history_table, history)
        if on_progress is not None:
            on_progress(min(start + BATCH_SIZE, len(plots)), len(plots))
    return len(plots)


def stale(plot_id: str, expected: int, stored: int | None) -> ConflictError:
    """The answer to a write that names a version the plot has moved on from."""
    now = f" (it is at version {stored})" if stored is not None else ""
    return ConflictError(
        f"plot {plot_id!r} was changed by someone else since version {expected}{now}; "
        "reload it and apply your change again."
    )


def lock_row(conn: Connection, plot_id: str, expected_version: int | None) -> Plot:
    """Read a plot for writing (row lock) and check the version the caller last read."""
    row = conn.execute(
        sa.select(*PLOT_COLUMNS).where(plots_table.c.plot_id == plot_id).with_for_update()
    ).first()
    if row is None:
        raise not_found(plot_id)
    plot = row_to_plot(row)
    if expected_version is not None and plot.version != expected_version:
        raise stale(plot_id, expected_version, plot.version)
    return plot


def apply_changes(
    conn: Connection, plot: Plot, changes: dict[str, Any], viewer: Viewer, now: datetime
) -> None:
    """Write ``changes`` and the next version, if the row is still at ``plot.version``."""
    result = conn.execute(
        plots_table.update()
        .where(plots_table.c.plot_id == plot.plot_id)
        .where(plots_table.c.version == plot.version)
        .values(**changes, version=plot.version + 1, updated_at=now, updated_by=viewer.name)
    )
    if result.rowcount != 1:  # lost a race after the read (should not pass the lock)
        raise stale(plot.plot_id, plot.version, None)


def event_row(
    plot: Plot,
    viewer: Viewer,
    now: datetime,
    event: str,
    to_status: str,
    reason: str | None,
    changes: dict[str, Any] | None,
    level: Level,
) -> dict[str, Any]:
    """The history row of one change of ``plot`` (its next version), not yet appended."""
    return {
        "plot_id": plot.plot_id,
        "at": now,
        "actor": viewer.name,
        "event": event,
        "from_status": plot.status,
        "to_status": to_status,
        "reason": reason,
        "changes": json.dumps(changes, ensure_ascii=False, default=str) if changes else None,
        "version": plot.version + 1,
        "visibility": level.value,
    }


def log_event(
    conn: Connection,
    plot: Plot,
    viewer: Viewer,
    now: datetime,
    event: str,
    to_status: str,
    reason: str | None,
    changes: dict[str, Any] | None,
    level: Level,
) -> None:
    """Append the history row of one change of ``plot`` (its next version)."""
    row = event_row(plot, viewer, now, event, to_status, reason, changes, level)
    append_history(conn, history_table, [row])


def geometry_differs(old: BaseGeometry, new: BaseGeometry, tolerance_m: float = 0.0) -> bool:
    """Whether ``new`` is another outline than ``old`` (both in EPSG:25832).

    Equal vertex by vertex (to 1 µm) is the same outline; with ``tolerance_m`` > 0, so is
    one whose (discrete) Hausdorff distance to ``old`` is at most that many metres: vertex
    order, start point, an extra vertex on an edge or rounding in a file do not count.
    """
    if new.equals_exact(old, 1e-6):
        return False
    return tolerance_m <= 0 or float(shapely.hausdorff_distance(old, new)) > tolerance_m


def diff_plot(
    plot: Plot,
    attrs: Mapping[str, Any],
    geometry: MultiPolygon | None,
    tolerance_m: float = 0.0,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The column changes and the history diff (``field: [old, new]``) of an edit.

    Only values that differ from the stored plot count; a new geometry also changes
    ``area_ha`` (the municipality is left to :func:`place_changes`).
    """
    changes: dict[str, Any] = {}
    diff: dict[str, Any] = {}
    for key, value in attrs.items():
        if getattr(plot, key) != value:
            changes[key] = value
            diff[key] = [getattr(plot, key), value]
    if geometry is not None and geometry_differs(plot.geometry, geometry, tolerance_m):
        changes["geom"] = from_shape(geometry, srid=25832)
        changes["area_ha"] = area_ha(geometry)
        diff["geometry"] = "changed"
        diff["area_ha"] = [plot.area_ha, changes["area_ha"]]
    return changes, diff


def place_changes(
    geometries: Sequence[MultiPolygon], municipalities: gpd.GeoDataFrame | None
) -> list[dict[str, Any]]:
    """The ``ags`` and ``municipality`` columns of each new geometry (one lookup for all)."""
    if not geometries:
        return []
    places = derive_municipality(gpd.GeoSeries(list(geometries), crs=WORK_CRS), municipalities)
    return [
        {"ags": a, "municipality": m}
        for a, m in zip(places["ags"].tolist(), places["municipality"].tolist(), strict=True)
    ]


def edit_row(
    plot: Plot,
    changes: dict[str, Any],
    diff: dict[str, Any],
    viewer: Viewer,
    now: datetime,
    reason: str | None,
) -> dict[str, Any]:
    """Apply the visibility rules to an edit and return its history row (not appended).

    Marking a published plot confidential ends the publication (confidential is the
    stronger restriction); the row is written at the stricter level of before and after.
    Call :func:`apply_changes` with the (possibly extended) ``changes`` afterwards.
    """
    if changes.get("confidential") and plot.published:
        changes["published"] = False
        diff["published"] = [True, False]
    after = plot_level(
        bool(changes.get("confidential", plot.confidential)),
        bool(changes.get("published", plot.published)),
    )
    level = stricter(plot_level(plot.confidential, plot.published), after)
    return event_row(plot, viewer, now, "updated", plot.status, reason, diff, level)


def update_plot(
    conn: Connection,
    viewer: Viewer,
    plot_id: str,
    *,
    expected_version: int,
    attrs: Mapping[str, Any],
    geometry: MultiPolygon | None,
    reason: str | None,
    municipalities: gpd.GeoDataFrame | None,
    now: datetime,
) -> bool:
    """Change checked attributes and/or geometry; whether anything changed (if nothing
    differs from the stored plot there is no new version and no history row)."""
    plot = lock_row(conn, plot_id, expected_version)
    changes, diff = diff_plot(plot, attrs, geometry)
    if not changes:
        return False
    if geometry is not None and "geom" in changes:
        changes.update(place_changes([geometry], municipalities)[0])
    row = edit_row(plot, changes, diff, viewer, now, reason)
    apply_changes(conn, plot, changes, viewer, now)
    append_history(conn, history_table, [row])
    return True


def change_status(
    conn: Connection,
    viewer: Viewer,
    plot_id: str,
    status: str,
    *,
    reason: str | None,
    expected_version: int | None,
    now: datetime,
) -> None:
    """Move a plot along the workflow (allowed transitions only) and record it."""
    plot = lock_row(conn, plot_id, expected_version)
    target = check_transition(plot.status, status, reason)
    apply_changes(conn, plot, {"status": target.value}, viewer, now)
    level = plot_level(plot.confidential, plot.published)
    log_event(conn, plot, viewer, now, "status", target.value, reason, None, level)


def check_reason(reason: str | None, what: str) -> str:
    """The stripped reason of a publication change (:class:`InputError` without one)."""
    if reason is None or not str(reason).strip():
        raise InputError(f"to {what} a plot give a reason (--reason); it goes into the history.")
    return str(reason).strip()


def set_published(
    conn: Connection,
    viewer: Viewer,
    plot_id: str,
    published: bool,
    *,
    reason: str,
    expected_version: int | None,
    now: datetime,
) -> None:
    """Publish or withdraw a plot; a confidential plot is never published."""
    plot = lock_row(conn, plot_id, expected_version)
    if plot.published == published:
        state = "published" if published else "not published"
        raise ConflictError(f"plot {plot_id!r} is already {state}.")
    if published and plot.confidential:
        raise ConflictError(
            f"plot {plot_id!r} is confidential and cannot be published; "
            "set confidential to false first."
        )
    before = plot_level(plot.confidential, plot.published)
    after = plot_level(plot.confidential, published)
    # a publication row is shown to the audience it opens; a withdrawal is not
    level = after if published else stricter(before, after)
    apply_changes(conn, plot, {"published": published}, viewer, now)
    diff = {"published": [plot.published, published]}
    event = "published" if published else "unpublished"
    log_event(conn, plot, viewer, now, event, plot.status, reason, diff, level)


__all__ = [
    "BATCH_SIZE",
    "NewPlot",
    "change_status",
    "check_new_plots",
    "check_reason",
    "diff_plot",
    "edit_row",
    "event_row",
    "geometry_differs",
    "insert_plots",
    "place_changes",
    "places_of",
    "prepare_plot",
    "set_published",
    "update_plot",
]
