"""What anyone sees of a cooperation project: the one projection (pure functions).

Projects are public by design (the forum shows them), so every field of a project is
public with two exceptions decided here:

* **linked plots**: only plots a ``public`` viewer may see (published, not
  confidential) are shown; a plot linked while published and unpublished later
  disappears from every output (lists, pages, GeoJSON, OGC, maps, the history);
* **editors' names**: the history's ``actor`` reaches only staff
  (:data:`geo.access.roles.INTERNAL_ROLES`); everyone else sees when and what, not who.

The map geometry is the project's own (EPSG:25832 stored, 4326 here) or, without one,
the outline of the municipalities involved (``geometry_source`` says which).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from shapely.geometry.base import BaseGeometry

from geo.access.roles import INTERNAL_ROLES, Viewer
from geo.projects.model import HistoryRow, Project
from geo.settings import WEB_CRS, WORK_CRS

#: Properties of a project anyone may read (GeoJSON, OGC, pages).
PUBLIC_FIELDS: tuple[str, ...] = (
    "project_id",
    "title",
    "topic",
    "status",
    "municipalities",
    "description",
    "contributions",
    "plot_ids",
    "geometry_source",
    "updated_at",
    "version",
)
#: History members anyone may read; staff also see ``actor``.
PUBLIC_HISTORY: tuple[str, ...] = ("at", "event", "version", "changes")
STAFF_HISTORY: tuple[str, ...] = (*PUBLIC_HISTORY, "actor")
#: Tolerance (m) of the simplified municipality outlines drawn for a project.
OUTLINE_TOLERANCE_M = 50.0


@dataclass(frozen=True)
class PublicProject:
    """A project as the public sees it.

    Attributes
    ----------
    municipalities
        ``{"ags", "name", "population"}`` of each municipality involved (region model;
        population ``None`` where the model has none).
    plot_ids
        The linked plots a public viewer may see, in the stored order.
    geometry
        The map geometry in EPSG:4326 (project geometry or municipalities' outline).
    """

    project_id: str
    title: str
    topic: str
    status: str
    municipalities: list[dict[str, Any]]
    description: str
    contributions: list[str]
    plot_ids: list[str]
    geometry: BaseGeometry | None
    geometry_source: str
    own_geometry: BaseGeometry | None
    #: The outline of the municipalities involved (EPSG:4326), context on page maps.
    area: BaseGeometry | None
    updated_at: str
    version: int
    history: list[dict[str, Any]] = field(default_factory=list)

    def properties(self) -> dict[str, Any]:
        """The public properties (JSON-ready)."""
        return {
            "project_id": self.project_id,
            "title": self.title,
            "topic": self.topic,
            "status": self.status,
            "municipalities": self.municipalities,
            "description": self.description,
            "contributions": self.contributions,
            "plot_ids": self.plot_ids,
            "geometry_source": self.geometry_source,
            "updated_at": self.updated_at,
            "version": self.version,
        }

    def feature(self) -> dict[str, Any]:
        """The project as a GeoJSON Feature (EPSG:4326)."""
        geom = None if self.geometry is None else dict(shapely.geometry.mapping(self.geometry))
        return {
            "type": "Feature",
            "id": self.project_id,
            "geometry": geom,
            "properties": self.properties(),
        }


def _web(geom: BaseGeometry | None) -> BaseGeometry | None:
    if geom is None:
        return None
    out: BaseGeometry = gpd.GeoSeries([geom], crs=WORK_CRS).to_crs(WEB_CRS).iloc[0]
    return shapely.set_precision(out, 1e-6)


def municipality_rows(region: gpd.GeoDataFrame, ags: Iterable[str]) -> list[dict[str, Any]]:
    """``ags``, ``name`` and ``population`` of each AGS from the region model."""
    by_ags = region.set_index(region["ags"].astype(str))
    out = []
    for a in ags:
        if a in by_ags.index:
            row = by_ags.loc[a]
            pop = row.get("population")
            out.append(
                {
                    "ags": a,
                    "name": str(row["name"]),
                    "population": None if pop is None or pd.isna(pop) else int(pop),
                }
            )
        else:
            out.append({"ags": a, "name": None, "population": None})
    return out


def outline(region: gpd.GeoDataFrame, ags: Iterable[str]) -> BaseGeometry | None:
    """The simplified union of the municipalities ``ags`` (EPSG:25832), ``None`` if none."""
    wanted = set(ags)
    if not wanted:
        return None
    rows = region[region["ags"].astype(str).isin(wanted)]
    if rows.empty:
        return None
    union = shapely.union_all(rows.geometry.to_numpy())
    return union.simplify(OUTLINE_TOLERANCE_M, preserve_topology=True)


def project_history(
    rows: Iterable[HistoryRow],
    viewer: Viewer,
    public_plots: Set[str],
    public_contributions: Set[str] | None = None,
) -> list[dict[str, Any]]:
    """History rows as ``viewer`` may see them: no actor for non-staff, no hidden plot or
    contribution ids (``public_contributions`` ``None``: contribution links unfiltered)."""
    keep = STAFF_HISTORY if viewer.role in INTERNAL_ROLES else PUBLIC_HISTORY
    visible: dict[str, Set[str]] = {"plot_ids": public_plots}
    if public_contributions is not None:
        visible["contributions"] = public_contributions
    out = []
    for r in rows:
        changes = dict(r.changes)
        for name, shown in visible.items():
            if name in changes and isinstance(changes[name], list):
                changes[name] = [
                    [p for p in side if p in shown] if isinstance(side, list) else side
                    for side in changes[name]
                ]
                if changes[name][0] == changes[name][1]:
                    del changes[name]
        if not changes and r.event == "updated":
            continue
        row = {
            "at": r.at.isoformat(timespec="seconds"),
            "event": r.event,
            "version": r.version,
            "changes": changes,
            "actor": r.actor,
        }
        out.append({k: row[k] for k in keep})
    return out


def project_public(
    project: Project,
    region: gpd.GeoDataFrame,
    public_plots: Set[str],
    *,
    history: Iterable[HistoryRow] | None = None,
    viewer: Viewer | None = None,
    outlines: Mapping[str, BaseGeometry | None] | None = None,
    public_contributions: Set[str] | None = None,
    taken_up: Iterable[str] = (),
) -> PublicProject:
    """The public view of ``project``.

    Parameters
    ----------
    public_plots
        Ids of the plots a ``public`` viewer may see now (the landpool projection).
    public_contributions, taken_up
        Ids of the forum contributions the public may see now, and those a moderator
        marked as taken up by this project (listed after the linked ones). A linked
        contribution that is not public (any more) is left out; ``None``: no filter.
    history, viewer
        The project's history rows and who reads them (actor for staff only).
    outlines
        Precomputed outlines by project id (optional, for many projects).
    """
    own = project.geometry
    area = (outlines or {}).get(project.id) or outline(region, project.municipalities)
    if own is not None:
        geom, source = own, "project"
    else:
        geom = area
        source = "municipalities" if geom is not None else "none"
    rows: list[dict[str, Any]] = []
    if history is not None and viewer is not None:
        rows = project_history(history, viewer, public_plots, public_contributions)
    return PublicProject(
        project_id=project.id,
        title=project.title,
        topic=project.topic,
        status=project.status,
        municipalities=municipality_rows(region, project.municipalities),
        description=project.description,
        contributions=list(
            dict.fromkeys(
                [
                    *(
                        c
                        for c in project.contributions
                        if public_contributions is None or c in public_contributions
                    ),
                    *taken_up,
                ]
            )
        ),
        plot_ids=[p for p in project.plot_ids if p in public_plots],
        geometry=_web(geom),
        geometry_source=source,
        own_geometry=_web(own),
        area=_web(area),
        updated_at=project.updated_at.isoformat(timespec="seconds"),
        version=project.version,
        history=rows,
    )


def public_frame(projects: Iterable[PublicProject]) -> gpd.GeoDataFrame:
    """Projects as a GeoDataFrame in EPSG:4326 with flat public columns (OGC, maps).

    Lists become text: ``municipalities`` the AGS, ``municipality_names`` the names,
    ``contributions`` and ``plot_ids`` the ids, each joined by ``", "``.
    """
    items = [p for p in projects if p.geometry is not None]
    data = {
        "project_id": [p.project_id for p in items],
        "title": [p.title for p in items],
        "topic": [p.topic for p in items],
        "status": [p.status for p in items],
        "municipalities": [", ".join(m["ags"] for m in p.municipalities) for p in items],
        "municipality_names": [
            ", ".join(str(m["name"]) for m in p.municipalities if m["name"]) for p in items
        ],
        "description": [p.description for p in items],
        "contributions": [", ".join(p.contributions) for p in items],
        "plot_ids": [", ".join(p.plot_ids) for p in items],
        "geometry_source": [p.geometry_source for p in items],
        "updated_at": [p.updated_at for p in items],
        "version": [p.version for p in items],
    }
    return gpd.GeoDataFrame(data, geometry=[p.geometry for p in items], crs=WEB_CRS)


#: Columns of :func:`public_frame` (the OGC collection's properties).
FRAME_FIELDS: tuple[str, ...] = (
    "project_id",
    "title",
    "topic",
    "status",
    "municipalities",
    "municipality_names",
    "description",
    "contributions",
    "plot_ids",
    "geometry_source",
    "updated_at",
    "version",
)

__all__ = [
    "FRAME_FIELDS",
    "PUBLIC_FIELDS",
    "PublicProject",
    "municipality_rows",
    "outline",
    "project_history",
    "project_public",
    "public_frame",
]
