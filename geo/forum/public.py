"""What the public sees of a contribution: the one projection of the forum.

Every page, map layer, export, OGC collection and report that shows contributions to
someone who is not moderating goes through this module.

* **Which contributions**: :data:`PUBLIC_STATUSES` only — approved, rejected (with the
  public reason, shown as "abgelehnt: …") and taken up (with the project reference).
  ``pending`` and ``hidden`` ones never, not even their existence (the same 404 as an
  unknown id).
* **Which fields**: :data:`PUBLIC_FIELDS`. Never the contact e-mail (it is in another
  table and no public read touches it), never the keyed client hash, never the internal
  version.
* **Which history**: the public steps (:data:`PUBLIC_EVENTS`) with date, step, status and
  the public reason or project; never who moderated (staff names are personal data),
  never the looking-up or deletion of a contact.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
from shapely.geometry import Point

from geo.errors import NotFoundError
from geo.forum.model import PUBLIC_STATUSES, Contribution, HistoryStep
from geo.settings import WEB_CRS, WORK_CRS

#: What anyone may read about a visible contribution, in this order.
PUBLIC_FIELDS: tuple[str, ...] = (
    "id",
    "topic",
    "title",
    "text",
    "status",
    "reason",
    "project_ref",
    "target_kind",
    "ags",
    "municipality",
    "plot_id",
    "created_at",
    "updated_at",
)
#: History steps the public sees.
PUBLIC_EVENTS: tuple[str, ...] = (
    "submitted",
    "approved",
    "rejected",
    "taken_up",
    "reopened",
    "edited",
)
#: Fields of a public history step.
PUBLIC_STEP_FIELDS: tuple[str, ...] = ("at", "event", "to_status", "reason", "project_ref")


def is_public(c: Contribution) -> bool:
    """Whether anyone may see ``c``."""
    return c.status in PUBLIC_STATUSES


def require_public(c: Contribution) -> Contribution:
    """``c`` if it is public, else the same :class:`NotFoundError` as an unknown id."""
    if not is_public(c):
        raise NotFoundError(f"contribution {c.id!r} not found.")
    return c


def public_record(c: Contribution) -> dict[str, Any]:
    """The public fields of a public contribution (reason only where it is public)."""
    require_public(c)
    out = {k: getattr(c, k) for k in PUBLIC_FIELDS}
    if c.status != "rejected":
        out["reason"] = None
    if c.status != "taken_up":
        out["project_ref"] = None
    return out


def public_steps(c: Contribution, steps: Iterable[HistoryStep]) -> list[dict[str, Any]]:
    """The public history of a public contribution (no actor, no contact steps).

    A reason is public only on a rejection (the reason given to the public); a reopening
    or an edit says that it happened, not why.
    """
    require_public(c)
    out = []
    for s in steps:
        if s.event not in PUBLIC_EVENTS:
            continue
        out.append(
            {
                "at": s.at,
                "event": s.event,
                "to_status": s.to_status,
                "reason": s.reason if s.event == "rejected" else None,
                "project_ref": s.project_ref if s.event == "taken_up" else None,
            }
        )
    return out


def public_frame(items: Iterable[Contribution], *, crs: str = WEB_CRS) -> gpd.GeoDataFrame:
    """Public contributions as a GeoDataFrame (:data:`PUBLIC_FIELDS`, points) in ``crs``.

    Contributions that are not public are left out (never raised): a caller that passes
    a mixed list still gets only public rows.
    """
    rows = [c for c in items if is_public(c)]
    records = [public_record(c) for c in rows]
    frame = gpd.GeoDataFrame(
        {k: [r[k] for r in records] for k in PUBLIC_FIELDS},
        geometry=[Point(c.x_m, c.y_m) for c in rows],
        crs=WORK_CRS,
    )
    return frame.to_crs(crs) if crs != WORK_CRS else frame


__all__ = [
    "PUBLIC_EVENTS",
    "PUBLIC_FIELDS",
    "PUBLIC_STATUSES",
    "PUBLIC_STEP_FIELDS",
    "is_public",
    "public_frame",
    "public_record",
    "public_steps",
    "require_public",
]
