"""Use cases of the register pages: the staff's table of plots, one plot's page, exports.

The web pages of the land-pool register (``/register``) call these; the writes on those
pages call :mod:`geo.usecases.landpool` (edit, status, publish, import) like the API and
the CLI. Who may open the register is decided here, from the viewer's role
(:data:`REGISTER_ROLES`: planners read, the land-pool team and admins also write); which
plots and fields each of them sees is decided by the store and
:mod:`geo.landpool.public`, as for every other output.

- :func:`register_page` – one page of the filtered, sorted table with its counts.
- :func:`open_plot` – one plot with its history, the allowed status changes and its
  derived site attributes.
- :func:`export_register` – the filtered set as GeoPackage, GeoJSON or CSV.
- :func:`changes_since` – what changed since a version (for a refused stale edit).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from geo.access.roles import INTERNAL_ROLES, Viewer
from geo.errors import InputError, PermissionDeniedError
from geo.landpool.io import attributions_for
from geo.landpool.plots import TRANSITIONS, Status
from geo.landpool.public import project_properties
from geo.landpool.store import Store
from geo.landpool.store_reads import SORT_KEYS
from geo.settings import Settings
from geo.usecases.landpool import PlotDetail, PlotFilter, export_plots, get_plot
from geo.usecases.site import SiteAttributes, plot_site

#: Roles that may open the register pages (planners read non-confidential plots only).
REGISTER_ROLES = INTERNAL_ROLES
#: Largest page of the register table.
MAX_PAGE_SIZE = 200
#: Default page size of the register table.
PAGE_SIZE = 25


def require_register(viewer: Viewer) -> None:
    """Refuse (:class:`PermissionDeniedError`) a viewer who may not open the register."""
    viewer.require_role(REGISTER_ROLES, "open the land-pool register")


def _check_filters(viewer: Viewer, filters: PlotFilter) -> None:
    require_register(viewer)
    if filters.confidential is not None and not viewer.sees_confidential:
        raise PermissionDeniedError(
            "filtering by confidentiality needs the 'landpool' role; confidential plots "
            "are the land-pool team's."
        )


@dataclass(frozen=True)
class RegisterQuery:
    """One page of the register table: filters, order and paging.

    Attributes
    ----------
    filters
        Status, category, municipality (AGS), published, confidential.
    sort
        One of :data:`geo.landpool.store_reads.SORT_KEYS` (ties by ``plot_id``).
    descending
        Reverse order (unknown values stay last).
    page
        Page number, from 1.
    page_size
        Plots per page (1 to :data:`MAX_PAGE_SIZE`).
    """

    filters: PlotFilter = field(default_factory=PlotFilter)
    sort: str = "name"
    descending: bool = False
    page: int = 1
    page_size: int = PAGE_SIZE

    def __post_init__(self) -> None:
        if self.sort not in SORT_KEYS:
            raise InputError(
                f"sort {self.sort!r} is not possible; sort by one of {', '.join(SORT_KEYS)}."
            )
        if self.page < 1:
            raise InputError("page must be 1 or more.")
        if not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise InputError(f"page_size must be between 1 and {MAX_PAGE_SIZE}.")


@dataclass(frozen=True)
class RegisterPage:
    """One page of the register table as the viewer may see it.

    Attributes
    ----------
    rows
        The plots of this page: their attributes as the viewer may see them.
    matched
        Plots matching the filters (all pages).
    total
        Plots the viewer may see (no filter).
    status_counts
        Plots per workflow status among those matching the filters other than status
        (every status, in workflow order).
    municipalities
        ``(ags, name, plots)`` of each municipality with plots the viewer may see.
    query
        The query answered (its page clamped to the last page).
    attribution
        Sources behind the listed plots.
    """

    rows: list[dict[str, Any]]
    matched: int
    total: int
    status_counts: dict[str, int]
    municipalities: list[tuple[str, str, int]]
    query: RegisterQuery
    attribution: list[str]

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, math.ceil(self.matched / self.query.page_size))

    @property
    def first(self) -> int:
        """Position (from 1) of the first row of this page; 0 when it is empty."""
        return (self.query.page - 1) * self.query.page_size + 1 if self.rows else 0

    @property
    def last(self) -> int:
        """Position of the last row of this page."""
        return self.first + len(self.rows) - 1 if self.rows else 0


def register_page(store: Store, viewer: Viewer, query: RegisterQuery) -> RegisterPage:
    """One page of the plots ``viewer`` may see, filtered and sorted, with the counts.

    Raises
    ------
    PermissionDeniedError
        For a viewer without a register role, or a confidentiality filter from a
        viewer who may not see confidential plots.
    InputError
        An unknown status or category.
    """
    _check_filters(viewer, query.filters)
    kwargs = query.filters.as_kwargs()
    matched = store.count(viewer, **kwargs)
    pages = max(1, math.ceil(matched / query.page_size))
    if query.page > pages:
        query = replace(query, page=pages)
    plots = store.list(
        viewer,
        sort=query.sort,
        descending=query.descending,
        limit=query.page_size,
        offset=(query.page - 1) * query.page_size,
        **kwargs,
    )
    others = {k: v for k, v in kwargs.items() if k != "status"}
    return RegisterPage(
        rows=[project_properties(p, viewer) for p in plots],
        matched=matched,
        total=store.count(viewer),
        status_counts=store.count_by_status(viewer, **others),
        municipalities=store.municipality_counts(viewer),
        query=query,
        attribution=attributions_for(plots),
    )


def export_register(store: Store, viewer: Viewer, path: Path, fmt: str, filters: PlotFilter) -> int:
    """Write the filtered plots ``viewer`` may see to ``path`` (see
    :func:`geo.usecases.landpool.export_plots`: the fields of the viewer, attributions)."""
    _check_filters(viewer, filters)
    return export_plots(store, viewer, path, fmt, filters)


@dataclass(frozen=True)
class RegisterPlot:
    """One plot of the register as the viewer may see it.

    Attributes
    ----------
    detail
        The plot (GeoJSON Feature in EPSG:4326, the viewer's fields) and its history as
        the viewer may see it (oldest first).
    transitions
        The statuses the workflow allows next (empty for a viewer who may not write).
    site
        Derived site attributes (``None`` when not asked for).
    """

    detail: PlotDetail
    transitions: list[str]
    site: SiteAttributes | None

    @property
    def properties(self) -> dict[str, Any]:
        """The plot's attributes the viewer may see."""
        return self.detail.properties

    @property
    def history(self) -> list[dict[str, Any]]:
        """The history rows the viewer may see, oldest first."""
        return self.detail.history or []


def next_statuses(status: str) -> list[str]:
    """The statuses the workflow allows after ``status``, in workflow order."""
    allowed = TRANSITIONS[Status(status)]
    return [s.value for s in Status if s in allowed]


def open_plot(
    settings: Settings, store: Store, viewer: Viewer, plot_id: str, *, site: bool = True
) -> RegisterPlot:
    """One plot for its register page: attributes, history, next statuses, site values.

    Raises
    ------
    PermissionDeniedError
        For a viewer without a register role.
    NotFoundError
        No such plot, or one ``viewer`` may not see (the same answer).
    """
    require_register(viewer)
    detail = get_plot(store, viewer, plot_id, history=True)
    transitions = next_statuses(detail.properties["status"]) if viewer.may_write else []
    site_values = plot_site(settings, store, viewer, plot_id) if site else None
    return RegisterPlot(detail, transitions, site_values)


@dataclass(frozen=True)
class Change:
    """One attribute changed since a version: its value then and the stored value now."""

    field: str
    then: Any
    now: Any


def changes_since(
    history: Iterable[Mapping[str, Any]], current: Mapping[str, Any], version: int
) -> list[Change]:
    """What changed after ``version``, from the history rows the viewer may see.

    Parameters
    ----------
    history
        History rows (:func:`geo.landpool.public.project_history`), oldest first.
    current
        The plot's attributes now.
    version
        The version the caller's form was made from.

    Returns
    -------
    list of Change
        Per field, in the order first changed: its value at ``version`` and now
        (``geometry``: ``"changed"`` both ways; the viewer's fields only).
    """
    then: dict[str, Any] = {}
    for row in history:
        if int(row.get("version") or 0) <= version:
            continue
        if row.get("event") == "status":
            then.setdefault("status", row.get("from_status"))
        for key, value in (row.get("changes") or {}).items():
            if key == "geometry":
                then.setdefault("geometry", None)
            elif isinstance(value, list) and len(value) == 2:
                then.setdefault(key, value[0])
    out = []
    for key, old in then.items():
        if key == "geometry":
            out.append(Change("geometry", None, "changed"))
        elif key in current and current[key] != old:
            out.append(Change(key, old, current[key]))
    return out


__all__ = [
    "MAX_PAGE_SIZE",
    "PAGE_SIZE",
    "REGISTER_ROLES",
    "Change",
    "RegisterPage",
    "RegisterPlot",
    "RegisterQuery",
    "changes_since",
    "export_register",
    "next_statuses",
    "open_plot",
    "register_page",
    "require_register",
]
