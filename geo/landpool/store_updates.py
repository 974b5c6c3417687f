"""Changing many stored plots by ``plot_id`` in one store transaction (update imports).

:func:`update_plots` is the store side of ``stadtregion plots import --update``: every row
names a plot and the ``version`` it was read at. Under a row lock it checks them all
(unknown or invisible ``plot_id``, a version the plot has moved on from, a status the file
changes) and, if any row is bad, raises :class:`~geo.errors.ImportRefusedError` listing
every bad row (with the problems the file reader found before), so the transaction rolls
back and nothing is stored. Otherwise it writes only the values that differ from the
stored plot, gives each changed plot its next version and one history row with the
import's reason, and leaves plots whose row holds nothing new untouched (no new version,
no history row).

Geometries count as changed only beyond :data:`GEOMETRY_TOLERANCE_M`
(:func:`geo.landpool.store_writes.geometry_differs`): a plot exported and read back
(GeoPackage in EPSG:25832 exactly, GeoJSON through EPSG:4326, CSV with WKT rounded to
1 mm) is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import sqlalchemy as sa
from shapely.geometry import MultiPolygon
from sqlalchemy.engine import Connection

from geo.errors import ImportRefusedError, InputError, RowProblem
from geo.landpool.plots import Plot, Viewer
from geo.landpool.store_history import append_history
from geo.landpool.store_reads import ID_CHUNK, row_to_plot, visible
from geo.landpool.store_schema import PLOT_COLUMNS, history_table, plots_table
from geo.landpool.store_writes import (
    apply_changes,
    diff_plot,
    edit_row,
    place_changes,
)

#: Largest (discrete Hausdorff) distance, in metres, at which a geometry of an update
#: import still counts as the stored one: 1 cm, ten times the 1 mm rounding of a CSV
#: export, far below any real edit of a plot outline.
GEOMETRY_TOLERANCE_M = 0.01


@dataclass
class PlotUpdate:
    """One checked row of an update import.

    Attributes
    ----------
    row
        Row number in the file (1 = first data row), for the report.
    plot_id, version
        The stored plot the row changes and the version it was read at.
    attributes
        Checked values of the editable columns the file has (only those).
    geometry
        The row's outline in EPSG:25832, or ``None`` to keep the stored one.
    status
        The file's ``status`` (compared: an update import does not change it), or ``None``.
    """

    row: int
    plot_id: str
    version: int
    attributes: dict[str, Any] = field(default_factory=dict)
    geometry: MultiPolygon | None = None
    status: str | None = None


@dataclass(frozen=True)
class PlotChange:
    """What an update changed in one plot: its new version and ``field: [old, new]``
    (``geometry: "changed"``), as its history row records it."""

    plot_id: str
    version: int
    changes: dict[str, Any]

    def text(self) -> str:
        """The changes on one line: ``field old → new; …``."""
        return changes_text(self.changes)


def changes_text(changes: Mapping[str, Any]) -> str:
    """``field old → new`` for each change (``geometry changed``), ``;``-separated.

    ``changes`` is a history row's ``changes`` (``field: [old, new]``).
    """
    parts = []
    for key, value in changes.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            old, new = ("–" if v is None else v for v in value)
            parts.append(f"{key} {old} → {new}")
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts) or "nothing changed"


@dataclass(frozen=True)
class UpdateOutcome:
    """The plots an update import changed, and the ids of those it left as they were."""

    changed: list[PlotChange]
    unchanged: list[str]


def locked_plots(conn: Connection, viewer: Viewer, plot_ids: Sequence[str]) -> dict[str, Plot]:
    """The stored plots among ``plot_ids`` that ``viewer`` may see, locked for writing."""
    ids = sorted(set(plot_ids))
    out: dict[str, Plot] = {}
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        rows = conn.execute(
            sa.select(*PLOT_COLUMNS)
            .where(plots_table.c.plot_id.in_(chunk))
            .where(visible(viewer))
            .order_by(plots_table.c.plot_id)
            .with_for_update()
        )
        for row in rows:
            plot = row_to_plot(row)
            out[plot.plot_id] = plot
    return out


def row_problems(update: PlotUpdate, stored: Plot | None) -> list[RowProblem]:
    """Why one row cannot be applied to the stored plot (empty: it can)."""
    out: list[RowProblem] = []
    pid, row = update.plot_id, update.row
    if stored is None:
        return [
            RowProblem(
                row,
                pid,
                "unknown_plot_id",
                "no plot with this plot_id in the register; an update import changes "
                "existing plots only (import new plots without --update).",
            )
        ]
    if stored.version != update.version:
        out.append(
            RowProblem(
                row,
                pid,
                "stale_version",
                f"the file has version {update.version}, the register version "
                f"{stored.version}: the plot was changed since this file was exported; "
                "export it again and redo the change there.",
            )
        )
    if update.status is not None and update.status != stored.status:
        out.append(
            RowProblem(
                row,
                pid,
                "status_change",
                f"status {stored.status} → {update.status} is not imported; move the plot "
                "along the workflow with `stadtregion plots set-status` (allowed transitions "
                "only, with a reason), or keep the stored status in the file.",
            )
        )
    return out


def update_plots(
    conn: Connection,
    viewer: Viewer,
    updates: Sequence[PlotUpdate],
    *,
    reason: str,
    now: datetime,
    source: str,
    total: int,
    known_problems: Sequence[RowProblem] = (),
    municipalities: gpd.GeoDataFrame | None = None,
    tolerance_m: float = GEOMETRY_TOLERANCE_M,
    on_progress: Callable[[int, int], None] | None = None,
) -> UpdateOutcome:
    """Check every update against the stored plots and apply all of them, or none.

    Parameters
    ----------
    conn
        An open write transaction (the store commits it; an exception rolls it back).
    updates
        Checked rows, each ``plot_id`` once.
    reason
        Recorded in the history row of every changed plot.
    source, total
        Name of the file and its number of data rows, for the refusal.
    known_problems
        Bad rows the reader already found; with any, nothing is written either, but the
        refusal also lists what the store finds.

    Raises
    ------
    ImportRefusedError
        Any row is bad (all of them listed); nothing is written.
    """
    ids = [u.plot_id for u in updates]
    if len(set(ids)) != len(ids):
        raise InputError("an update names a plot_id twice; give each plot once.")
    stored = locked_plots(conn, viewer, ids)
    problems = list(known_problems)
    for update in updates:
        problems.extend(row_problems(update, stored.get(update.plot_id)))
    if problems:
        problems.sort(key=lambda p: p.row)
        raise ImportRefusedError(source, total, problems)
    edits: list[tuple[Plot, dict[str, Any], dict[str, Any]]] = []
    unchanged: list[str] = []
    for update in updates:
        plot = stored[update.plot_id]
        changes, diff = diff_plot(plot, update.attributes, update.geometry, tolerance_m)
        if changes:
            edits.append((plot, changes, diff))
        else:
            unchanged.append(plot.plot_id)
    # a new outline may lie in another municipality: one lookup for all moved plots
    by_id = {u.plot_id: u for u in updates}
    moved = [c for p, c, _ in edits if "geom" in c]
    outlines = [by_id[p.plot_id].geometry for p, c, _ in edits if "geom" in c]
    for changes, place in zip(
        moved, place_changes([g for g in outlines if g is not None], municipalities), strict=True
    ):
        changes.update(place)
    history: list[dict[str, Any]] = []
    changed: list[PlotChange] = []
    for done, (plot, changes, diff) in enumerate(edits, start=1):
        history.append(edit_row(plot, changes, diff, viewer, now, reason))
        apply_changes(conn, plot, changes, viewer, now)
        changed.append(PlotChange(plot.plot_id, plot.version + 1, diff))
        if on_progress is not None and (done % 500 == 0 or done == len(edits)):
            on_progress(done, len(edits))
    append_history(conn, history_table, history)
    return UpdateOutcome(changed, sorted(unchanged))


__all__ = [
    "GEOMETRY_TOLERANCE_M",
    "PlotChange",
    "PlotUpdate",
    "UpdateOutcome",
    "changes_text",
    "locked_plots",
    "row_problems",
    "update_plots",
]
