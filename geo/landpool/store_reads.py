"""Reads of the land-pool register, per viewer, inside a store transaction.

Which plots a viewer may see is decided here once, as a SQL condition
(:func:`visible`): the land-pool team sees every plot, staff every non-confidential one,
the public only published, non-confidential plots. A plot a viewer may not see answers
the same :class:`~geo.errors.NotFoundError` as one that does not exist. History rows are
filtered by the audience they were written for (:func:`geo.landpool.public.visible_levels`);
which *fields* each role sees is :mod:`geo.landpool.public`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from geoalchemy2.shape import to_shape
from shapely.geometry import MultiPolygon
from sqlalchemy.engine import Connection

from geo.errors import InputError, NotFoundError
from geo.landpool.plots import HistoryEntry, Plot, Status, Viewer, parse_enum
from geo.landpool.public import visible_levels
from geo.landpool.store_schema import PLOT_COLUMNS, history_table, plots_table, utc

#: Ids per ``IN (...)`` query (SQLite allows 999 bound parameters).
ID_CHUNK = 900


def not_found(plot_id: str) -> NotFoundError:
    """The one answer for a plot that does not exist or may not be seen."""
    return NotFoundError(f"plot {plot_id!r} not found.")


def visible(viewer: Viewer) -> sa.ColumnElement[bool]:
    """Confidential plots for the land-pool team; unpublished ones for staff too."""
    if viewer.sees_confidential:
        return sa.true()
    hidden = plots_table.c.confidential == sa.false()
    if viewer.sees_unpublished:
        return hidden
    return sa.and_(hidden, plots_table.c.published == sa.true())


def select_visible(viewer: Viewer) -> sa.Select[Any]:
    """``SELECT`` of the plot columns of every plot ``viewer`` may see."""
    return sa.select(*PLOT_COLUMNS).where(visible(viewer))


def row_to_plot(row: sa.Row[Any]) -> Plot:
    """A plot row (:data:`PLOT_COLUMNS`) as a :class:`Plot`."""
    data = dict(row._mapping)
    geom = to_shape(data.pop("geom"))
    if not isinstance(geom, MultiPolygon):
        geom = MultiPolygon([geom])
    data["created_at"] = utc(data["created_at"])
    data["updated_at"] = utc(data["updated_at"])
    data["confidential"] = bool(data["confidential"])
    data["published"] = bool(data["published"])
    return Plot(geometry=geom, **data)


def filtered(
    query: sa.Select[Any],
    status: str | None,
    category: str | None,
    ags: str | None,
    published: bool | None = None,
    confidential: bool | None = None,
) -> sa.Select[Any]:
    """``query`` narrowed to a status, category, municipality (AGS), publication state and
    confidentiality, each optional (the viewer's :func:`visible` condition still applies)."""
    if status:
        query = query.where(plots_table.c.status == parse_enum("status", status).value)
    if category:
        query = query.where(plots_table.c.category == parse_enum("category", category).value)
    if ags:
        query = query.where(plots_table.c.ags == ags)
    if published is not None:
        query = query.where(plots_table.c.published == (sa.true() if published else sa.false()))
    if confidential is not None:
        flag = sa.true() if confidential else sa.false()
        query = query.where(plots_table.c.confidential == flag)
    return query


#: Orders a list of plots can take (ties, and the default, by ``plot_id``).
SORT_KEYS: tuple[str, ...] = ("plot_id", "name", "municipality", "area_ha", "status", "updated")


def sort_order(sort: str, descending: bool = False) -> list[sa.ColumnElement[Any]]:
    """``ORDER BY`` terms for ``sort`` (:data:`SORT_KEYS`): unknown values last, whichever
    the direction, then ``plot_id``; ``status`` in workflow order, names case-blind."""
    c = plots_table.c
    if sort not in SORT_KEYS:
        raise InputError(f"sort {sort!r} is not possible; sort by one of {', '.join(SORT_KEYS)}.")
    keys: dict[str, sa.ColumnElement[Any]] = {
        "plot_id": c.plot_id,
        "name": sa.func.lower(c.name),
        "municipality": sa.func.lower(c.municipality),
        "area_ha": c.area_ha,
        "status": sa.case({s.value: i for i, s in enumerate(Status)}, value=c.status, else_=99),
        "updated": c.updated_at,
    }
    key = keys[sort]
    terms: list[sa.ColumnElement[Any]] = [] if sort == "plot_id" else [key.is_(None)]
    terms.append(key.desc() if descending else key.asc())
    if sort != "plot_id":
        terms.append(c.plot_id.asc())
    return terms


def get_plot(conn: Connection, viewer: Viewer, plot_id: str) -> Plot:
    """One plot ``viewer`` may see (:class:`NotFoundError` otherwise)."""
    row = conn.execute(select_visible(viewer).where(plots_table.c.plot_id == plot_id)).first()
    if row is None:
        raise not_found(plot_id)
    return row_to_plot(row)


def list_plots(
    conn: Connection,
    viewer: Viewer,
    *,
    status: str | None = None,
    category: str | None = None,
    ags: str | None = None,
    published: bool | None = None,
    confidential: bool | None = None,
    sort: str = "plot_id",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[Plot]:
    """The plots ``viewer`` may see, filtered, in ``sort`` order (:func:`sort_order`), paged."""
    if (limit is not None and limit < 0) or offset < 0:
        raise InputError("limit and offset must not be negative.")
    query = filtered(select_visible(viewer), status, category, ags, published, confidential)
    query = query.order_by(*sort_order(sort, descending)).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [row_to_plot(r) for r in conn.execute(query)]


def count_plots(
    conn: Connection,
    viewer: Viewer,
    *,
    status: str | None = None,
    category: str | None = None,
    ags: str | None = None,
    published: bool | None = None,
    confidential: bool | None = None,
) -> int:
    """How many plots ``viewer`` may see (with the same filters as :func:`list_plots`)."""
    query = sa.select(sa.func.count()).select_from(plots_table).where(visible(viewer))
    query = filtered(query, status, category, ags, published, confidential)
    return int(conn.execute(query).scalar_one())


def count_by_status(
    conn: Connection,
    viewer: Viewer,
    *,
    category: str | None = None,
    ags: str | None = None,
    published: bool | None = None,
    confidential: bool | None = None,
) -> dict[str, int]:
    """How many plots ``viewer`` may see in each workflow status (every status, 0 too)."""
    c = plots_table.c
    query = sa.select(c.status, sa.func.count()).where(visible(viewer)).group_by(c.status)
    query = filtered(query, None, category, ags, published, confidential)
    found = {str(s): int(n) for s, n in conn.execute(query)}
    return {s.value: found.get(s.value, 0) for s in Status}


def municipalities_of(conn: Connection, viewer: Viewer) -> list[tuple[str, str, int]]:
    """``(ags, name, plots)`` of every municipality holding a plot ``viewer`` may see."""
    c = plots_table.c
    query = (
        sa.select(c.ags, c.municipality, sa.func.count())
        .where(visible(viewer))
        .where(c.ags.is_not(None))
        .group_by(c.ags, c.municipality)
        .order_by(c.municipality, c.ags)
    )
    return [(str(a), str(m or a), int(n)) for a, m, n in conn.execute(query)]


def plot_history(conn: Connection, viewer: Viewer, plot_id: str) -> list[HistoryEntry]:
    """The history rows of one plot written for an audience ``viewer`` belongs to."""
    seen = conn.execute(
        sa.select(plots_table.c.plot_id)
        .where(plots_table.c.plot_id == plot_id)
        .where(visible(viewer))
    ).first()
    if seen is None:
        raise not_found(plot_id)
    rows = conn.execute(
        sa.select(history_table)
        .where(history_table.c.plot_id == plot_id)
        .where(history_table.c.visibility.in_(visible_levels(viewer)))
        .order_by(history_table.c.id)
    ).all()
    return [
        HistoryEntry(
            id=r.id,
            plot_id=r.plot_id,
            at=utc(r.at),
            actor=r.actor,
            event=r.event,
            from_status=r.from_status,
            to_status=r.to_status,
            reason=r.reason,
            changes=json.loads(r.changes) if r.changes else None,
            version=r.version,
            visibility=r.visibility,
            hash=r.hash,
        )
        for r in rows
    ]


def stored_ids(conn: Connection, plot_ids: Iterable[str]) -> set[str]:
    """Which of ``plot_ids`` are stored, whoever may see them (for writers only)."""
    ids = sorted(set(plot_ids))
    found: set[str] = set()
    for start in range(0, len(ids), ID_CHUNK):
        chunk = ids[start : start + ID_CHUNK]
        found.update(
            conn.execute(
                sa.select(plots_table.c.plot_id).where(plots_table.c.plot_id.in_(chunk))
            ).scalars()
        )
    return found


__all__ = [
    "SORT_KEYS",
    "count_by_status",
    "count_plots",
    "filtered",
    "get_plot",
    "list_plots",
    "municipalities_of",
    "not_found",
    "plot_history",
    "row_to_plot",
    "select_visible",
    "sort_order",
    "stored_ids",
    "visible",
]
