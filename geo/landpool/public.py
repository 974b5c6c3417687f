"""What each role sees of a plot: the one projection of the land-pool register.

Every route, map, export, OGC collection and CLI command that shows plots to a caller
goes through this module, so two outputs can never disagree about what a role sees.

Which plots (decided by :meth:`geo.landpool.store.Store` with :func:`plot_level`):

* ``public`` (no credentials): published plots that are not confidential;
* ``planner``: every plot that is not confidential, published or not;
* ``landpool`` and ``admin``: every plot.

A new or imported plot is *unpublished* until a land-pool user publishes it
(:meth:`geo.landpool.store.Store.publish`); ``confidential`` is the stronger restriction: a
confidential plot cannot be published, and marking a published plot confidential
unpublishes it.

Which fields: :data:`PUBLIC_FIELDS` for ``public`` (no notes, no staff names, no
confidentiality flag), :data:`PLANNER_FIELDS` for ``planner`` (also whether the plot is
published and when it was entered; still no notes and no staff names: the notes are the
land-pool team's negotiation record and staff names are personal data), every field for
the land-pool team.

History: every row carries the level at which it was written (who could see the plot at
that moment, the stricter of before and after the change; a publication row is written at
the level it opens). A row is shown only to roles of that level, so nothing recorded while
a plot was confidential (or unpublished) reaches a role that could not see it then, even
after the plot is declassified (or published). ``public`` sees no actor and no reason;
``planner`` sees reasons but no actor; changes are cut to the fields the role sees.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from enum import StrEnum
from typing import Any

import geopandas as gpd
import shapely.geometry

from geo.access.roles import Viewer
from geo.landpool.plots import HistoryEntry, Plot, plots_to_frame
from geo.settings import WEB_CRS, WORK_CRS


class Level(StrEnum):
    """Who may see a plot (or a history row): the widest audience."""

    PUBLIC = "public"  # everyone: published and not confidential
    INTERNAL = "internal"  # planners and the land-pool team: not confidential
    LANDPOOL = "landpool"  # the land-pool team only: confidential


_RANK = {Level.PUBLIC: 0, Level.INTERNAL: 1, Level.LANDPOOL: 2}

#: What anyone may read about a published plot.
PUBLIC_FIELDS: tuple[str, ...] = (
    "plot_id",
    "name",
    "address",
    "municipality",
    "ags",
    "category",
    "status",
    "area_ha",
    "owner_type",
    "planning_status",
    "fnp_designation",
    "contamination",
    "current_use",
    "intended_use",
    "source",
    "updated_at",
    "version",
)
#: Planners also see whether a plot is published and when it was entered.
PLANNER_FIELDS: tuple[str, ...] = (*PUBLIC_FIELDS, "published", "created_at")
#: The land-pool team sees everything.
ALL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Plot) if f.name != "geometry")

#: History members by role (``changes`` is cut to the role's fields in any case).
PUBLIC_HISTORY: tuple[str, ...] = (
    "plot_id",
    "at",
    "event",
    "from_status",
    "to_status",
    "changes",
    "version",
)
PLANNER_HISTORY: tuple[str, ...] = (*PUBLIC_HISTORY, "reason")
ALL_HISTORY: tuple[str, ...] = tuple(f.name for f in fields(HistoryEntry))


def plot_level(confidential: bool, published: bool) -> Level:
    """The audience of a plot in this state."""
    if confidential:
        return Level.LANDPOOL
    return Level.PUBLIC if published else Level.INTERNAL


def stricter(a: Level | str, b: Level | str) -> Level:
    """The narrower of two audiences."""
    la, lb = Level(a), Level(b)
    return la if _RANK[la] >= _RANK[lb] else lb


def viewer_level(viewer: Viewer) -> Level:
    """The widest level a viewer belongs to (what the viewer may see up to)."""
    if viewer.sees_confidential:
        return Level.LANDPOOL
    return Level.INTERNAL if viewer.sees_unpublished else Level.PUBLIC


def visible_levels(viewer: Viewer) -> tuple[str, ...]:
    """The levels of the plots and history rows ``viewer`` may see."""
    top = _RANK[viewer_level(viewer)]
    return tuple(lv.value for lv, r in _RANK.items() if r <= top)


def plot_fields(viewer: Viewer) -> tuple[str, ...]:
    """The plot attributes ``viewer`` may see."""
    level = viewer_level(viewer)
    if level is Level.LANDPOOL:
        return ALL_FIELDS
    return PLANNER_FIELDS if level is Level.INTERNAL else PUBLIC_FIELDS


def history_fields(viewer: Viewer) -> tuple[str, ...]:
    """The history members ``viewer`` may see."""
    level = viewer_level(viewer)
    if level is Level.LANDPOOL:
        return ALL_HISTORY
    return PLANNER_HISTORY if level is Level.INTERNAL else PUBLIC_HISTORY


def project_properties(plot: Plot, viewer: Viewer) -> dict[str, Any]:
    """The plot's attributes ``viewer`` may see, JSON-ready."""
    props = plot.properties()
    return {k: props[k] for k in plot_fields(viewer)}


def project_feature(plot: Plot, viewer: Viewer, crs: str = WEB_CRS) -> dict[str, Any]:
    """The plot as a GeoJSON Feature with only what ``viewer`` may see."""
    feature = plot.to_feature(crs)
    feature["properties"] = project_properties(plot, viewer)
    return feature


def project_frame(frame: gpd.GeoDataFrame, viewer: Viewer) -> gpd.GeoDataFrame:
    """A copy of ``frame`` without the plot attributes ``viewer`` may not see.

    Columns that are not plot attributes (e.g. screening results) are kept.
    """
    hidden = set(ALL_FIELDS) - set(plot_fields(viewer))
    drop = [c for c in frame.columns if c in hidden]
    out = frame.drop(columns=drop)
    assert isinstance(out, gpd.GeoDataFrame)
    return out


def frame_for(plots: Iterable[Plot], viewer: Viewer) -> gpd.GeoDataFrame:
    """Plots as a GeoDataFrame in EPSG:25832 with the columns ``viewer`` may see."""
    return project_frame(plots_to_frame(list(plots)), viewer)


def project_history(entries: Iterable[HistoryEntry], viewer: Viewer) -> list[dict[str, Any]]:
    """History rows as ``viewer`` may see them (rows are already filtered by level).

    ``changes`` is cut to the fields the viewer sees; an edit that changed none of them
    is left out.
    """
    keep = history_fields(viewer)
    allowed = set(plot_fields(viewer)) | {"geometry"}
    full = viewer_level(viewer) is Level.LANDPOOL
    out: list[dict[str, Any]] = []
    for entry in entries:
        row = entry.to_dict()
        changes = row.get("changes")
        if not full and changes:
            changes = {k: v for k, v in changes.items() if k in allowed} or None
            if changes is None and entry.event == "updated":
                continue
            row["changes"] = changes
        out.append({k: row[k] for k in keep})
    return out


def geometry_web(plot: Plot) -> dict[str, Any]:
    """The plot's geometry as GeoJSON in EPSG:4326."""
    geom = gpd.GeoSeries([plot.geometry], crs=WORK_CRS).to_crs(WEB_CRS).iloc[0]
    return dict(shapely.geometry.mapping(geom))


__all__ = [
    "ALL_FIELDS",
    "PLANNER_FIELDS",
    "PUBLIC_FIELDS",
    "Level",
    "frame_for",
    "history_fields",
    "plot_fields",
    "plot_level",
    "project_feature",
    "project_frame",
    "project_history",
    "project_properties",
    "stricter",
    "viewer_level",
    "visible_levels",
]
