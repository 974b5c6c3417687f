"""Use cases of the land-pool register: what a user does with plots, for every front end.

The HTTP routes (:mod:`api.routers.plots`), the CLI (``stadtregion plots``) and the coming
web pages call these functions and only format their answers. Each one takes the store,
the viewer (who asks) and parsed values, and returns data:

- :func:`list_plots` – the plots a viewer may see, filtered and paged, with the count.
- :func:`get_plot` / :func:`plot_history` – one plot (optionally with its history).
- :func:`create_plot`, :func:`edit_plot`, :func:`change_status` – writes (land-pool role);
  :func:`parse_assignments` reads the command line's ``--set field=value`` pairs.
- :func:`publish_plot`, :func:`unpublish_plot` – the publication step.
- :func:`import_plots` – a file, all rows or none (the refusal lists every bad row); with
  ``ImportOptions(update=True, reason=…)`` it changes stored plots by ``plot_id`` with
  version checks instead of adding new ones.
- :func:`export_plots` – the visible plots as GeoPackage, GeoJSON or CSV.
- :func:`seed_demo_plots`, :func:`verify_history` – demo content and the integrity check.

What a viewer sees is decided in one place: which plots by the store
(:mod:`geo.landpool.store_reads`), which fields by :mod:`geo.landpool.public`. The answers
here hold only projected data (GeoJSON Features and history rows cut to the viewer's
fields), so no front end can show more than the projection allows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from geo.errors import InputError, IntegrityError
from geo.landpool import io as landpool_io
from geo.landpool.history_chain import ChainReport
from geo.landpool.io import (
    EXPORT_FORMATS,
    ImportReport,
    attributions_for,
    open_store,
    parse_field_map,
)
from geo.landpool.io_update import update_from_file
from geo.landpool.plots import EDITABLE_FIELDS, Plot, Viewer, parse_attributes
from geo.landpool.public import plot_fields, project_feature, project_history
from geo.landpool.store import PlotChange, Store
from geo.landpool.store_updates import changes_text
from geo.landpool.store_writes import geometry_differs
from geo.settings import Settings

#: The viewer the demo content is written as (recorded in its history).
DEMO_SEEDER = Viewer("landpool", "stadtregion demo seed")


@dataclass(frozen=True)
class PlotFilter:
    """Which plots to list: by workflow status, category, municipality (AGS), publication
    and confidentiality (``None``: either). The store still applies the viewer's rule."""

    status: str | None = None
    category: str | None = None
    ags: str | None = None
    published: bool | None = None
    confidential: bool | None = None

    def as_kwargs(self) -> dict[str, Any]:
        """The filter as keyword arguments of :meth:`Store.list` / :meth:`Store.count`."""
        return {
            "status": self.status,
            "category": self.category,
            "ags": self.ags,
            "published": self.published,
            "confidential": self.confidential,
        }


@dataclass(frozen=True)
class PlotList:
    """One page of plots as the viewer may see them.

    Attributes
    ----------
    features
        GeoJSON Features (EPSG:4326) with the viewer's fields, ordered by ``plot_id``.
    matched
        How many plots match the filter for this viewer (all pages).
    attribution
        Attributions of the data behind the listed plots.
    """

    features: list[dict[str, Any]]
    matched: int
    attribution: list[str]

    @property
    def returned(self) -> int:
        """How many plots this page holds."""
        return len(self.features)


@dataclass(frozen=True)
class PlotDetail:
    """One plot as the viewer may see it (and its history when asked for)."""

    feature: dict[str, Any]
    attribution: list[str]
    history: list[dict[str, Any]] | None = None
    #: What the call that returned this changed, ``field: [old, new]`` (``geometry:
    #: "changed"``), cut to the viewer's fields; empty when nothing differed, ``None``
    #: for reads.
    changes: dict[str, Any] | None = None

    @property
    def plot_id(self) -> str:
        """The plot's id."""
        return str(self.feature["properties"]["plot_id"])

    @property
    def version(self) -> int:
        """The stored version (what an edit must name)."""
        return int(self.feature["properties"]["version"])

    @property
    def properties(self) -> dict[str, Any]:
        """The plot's attributes the viewer may see."""
        props: dict[str, Any] = self.feature["properties"]
        return props


@dataclass(frozen=True)
class ImportOptions:
    """How to read an import file (see :func:`geo.landpool.io.read_plots`).

    Attributes
    ----------
    update
        Change stored plots by ``plot_id`` instead of adding new ones: every row names a
        stored plot and the ``version`` it was exported at (:mod:`geo.landpool.io_update`).
    reason
        Why: required for an update (it goes into the history of every changed plot);
        added to the creation records of a new import.
    """

    crs: str | None = None
    field_map: Mapping[str, str] = field(default_factory=dict)
    layer: str | None = None
    repair: bool = False
    update: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class SeedReport:
    """What seeding the demo content did."""

    added: int
    total: int
    backend: str


@dataclass(frozen=True)
class HistoryCheck:
    """The hash chain and consistency of a store."""

    report: ChainReport
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Whether the chain is intact and the store consistent."""
        return not self.problems


def _detail(plot: Plot, viewer: Viewer, history: list[dict[str, Any]] | None = None) -> PlotDetail:
    return PlotDetail(project_feature(plot, viewer), attributions_for([plot]), history)


#: Stored values an edit can change (directly or as a consequence), compared before/after.
_EDIT_RESULT_FIELDS = (*EDITABLE_FIELDS, "published", "area_ha", "ags", "municipality")


def _changes(before: Plot, after: Plot, viewer: Viewer) -> dict[str, Any]:
    """``field: [old, new]`` of what differs between two states of a plot (viewer's fields)."""
    seen = set(plot_fields(viewer))
    out: dict[str, Any] = {}
    if after.version == before.version:
        return out
    if geometry_differs(before.geometry, after.geometry):
        out["geometry"] = "changed"
    for key in _EDIT_RESULT_FIELDS:
        old, new = getattr(before, key), getattr(after, key)
        if key in seen and old != new:
            out[key] = [old, new]
    return out


# -- reads --------------------------------------------------------------------------------
def list_plots(
    store: Store,
    viewer: Viewer,
    filters: PlotFilter | None = None,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> PlotList:
    """The plots ``viewer`` may see, filtered, ordered by ``plot_id`` and paged.

    Raises
    ------
    InputError
        An unknown status or category, or a negative limit or offset.
    """
    kwargs = (filters or PlotFilter()).as_kwargs()
    plots = store.list(viewer, limit=limit, offset=offset, **kwargs)
    matched = store.count(viewer, **kwargs)
    return PlotList([project_feature(p, viewer) for p in plots], matched, attributions_for(plots))


def get_plot(store: Store, viewer: Viewer, plot_id: str, *, history: bool = False) -> PlotDetail:
    """One plot, with its history (oldest first) when ``history`` is true.

    Raises
    ------
    NotFoundError
        No such plot, or one ``viewer`` may not see (the same answer).
    """
    plot = store.get(viewer, plot_id)
    rows = project_history(store.history(viewer, plot_id), viewer) if history else None
    return _detail(plot, viewer, rows)


def plot_history(store: Store, viewer: Viewer, plot_id: str) -> list[dict[str, Any]]:
    """The history rows of one plot as ``viewer`` may see them, oldest first."""
    return project_history(store.history(viewer, plot_id), viewer)


# -- writes -------------------------------------------------------------------------------
def create_plot(
    store: Store,
    viewer: Viewer,
    values: Mapping[str, Any],
    geometry: BaseGeometry,
    *,
    plot_id: str | None,
    status: str | None = None,
    reason: str | None = None,
) -> PlotDetail:
    """Store a new plot (geometry in EPSG:25832); it starts at ``identified``, unpublished.

    Raises
    ------
    PermissionDeniedError, InputError, ConflictError
        See :meth:`Store.create`.
    """
    viewer.require_write()
    plot = store.create(viewer, values, geometry, plot_id=plot_id, status=status, reason=reason)
    return _detail(plot, viewer)


def edit_plot(
    store: Store,
    viewer: Viewer,
    plot_id: str,
    *,
    version: int | None,
    values: Mapping[str, Any] | None = None,
    geometry: BaseGeometry | None = None,
    reason: str | None = None,
) -> PlotDetail:
    """Change attributes and/or the geometry (EPSG:25832) of the plot at ``version``.

    Parameters
    ----------
    version
        The version the caller last read; a stale one raises :class:`ConflictError` and
        changes nothing. ``None`` takes the version stored now (the command line's edit
        without ``--version``): a write by someone else between that read and this
        write is still refused, never overwritten.
    values
        Editable attributes (:data:`geo.landpool.plots.EDITABLE_FIELDS`), checked by
        :func:`geo.landpool.plots.parse_attributes`; a ``reason`` key is taken as the
        reason.

    Returns
    -------
    PlotDetail
        The plot after the edit, with ``changes`` (empty if nothing differed: then there
        is no new version and no history row).
    """
    viewer.require_write()
    props = dict(values or {})
    given = props.pop("reason", None)
    reason = given if reason is None else reason
    parse_attributes(props, partial=True)  # a bad field or value: refused before any read
    before = store.get(viewer, plot_id)
    expected = before.version if version is None else version
    plot = store.update(
        viewer, plot_id, expected_version=expected, values=props, geometry=geometry, reason=reason
    )
    detail = _detail(plot, viewer)
    return replace(detail, changes=_changes(before, plot, viewer))


def parse_assignments(pairs: Iterable[str]) -> dict[str, str]:
    """Parse ``field=value`` pairs (the command line's ``--set``) into raw values.

    The values are checked by :func:`edit_plot` like any other input; an empty value
    (``notes=``) clears a text and sets a vocabulary field to ``unknown``.

    Raises
    ------
    InputError
        A pair without ``=`` or a field given twice.
    """
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InputError(
                f"--set {pair!r}: write field=value, e.g. --set contamination=suspected; "
                f"editable are {', '.join(EDITABLE_FIELDS)}."
            )
        if key in out:
            raise InputError(f"--set {key} is given twice; give each field once.")
        out[key] = value
    if not out:
        raise InputError(
            "nothing to change: give at least one --set field=value; editable are "
            f"{', '.join(EDITABLE_FIELDS)}."
        )
    return out


def change_status(
    store: Store,
    viewer: Viewer,
    plot_id: str,
    status: str,
    *,
    reason: str | None = None,
    version: int | None = None,
) -> PlotDetail:
    """Move a plot along the workflow (allowed transitions only; TransitionError else)."""
    viewer.require_write()
    plot = store.set_status(viewer, plot_id, status, reason=reason, expected_version=version)
    return _detail(plot, viewer)


def publish_plot(
    store: Store, viewer: Viewer, plot_id: str, *, reason: str | None, version: int | None = None
) -> PlotDetail:
    """Publish a plot with a reason: public callers see it from now on."""
    viewer.require_write()
    return _detail(store.publish(viewer, plot_id, reason=reason, expected_version=version), viewer)


def unpublish_plot(
    store: Store, viewer: Viewer, plot_id: str, *, reason: str | None, version: int | None = None
) -> PlotDetail:
    """Withdraw a plot's publication with a reason: it is internal again."""
    viewer.require_write()
    return _detail(
        store.unpublish(viewer, plot_id, reason=reason, expected_version=version), viewer
    )


# -- files --------------------------------------------------------------------------------
def import_plots(
    store: Store,
    viewer: Viewer,
    path: Path,
    options: ImportOptions | None = None,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import a file: all its plots in one transaction, or none.

    With ``options.update`` the file changes stored plots instead: each row names a
    stored ``plot_id`` and the ``version`` it was exported at; only the columns present
    and different are changed, each changed plot gets its next version and a history row
    with ``options.reason`` (required), and ``status`` is not changed (a row that would is
    refused: use :func:`change_status`). The report then lists ``changed`` (old → new)
    and ``unchanged`` plots.

    Raises
    ------
    PermissionDeniedError
        Unless ``viewer`` has the land-pool role (before the file is read).
    ImportRefusedError
        Any row is bad; its ``problems`` list every bad row and why (for an update also
        ``unknown_plot_id``, ``stale_version``, ``status_change``). Nothing is stored.
    CRSError, InputError
        The file cannot be read as a plot table; an update without a reason.
    """
    viewer.require_write()
    opts = options or ImportOptions()
    if opts.update:
        return update_from_file(
            store,
            viewer,
            path,
            reason=opts.reason,
            crs=opts.crs,
            field_map=opts.field_map,
            layer=opts.layer,
            repair=opts.repair,
            on_progress=on_progress,
        )
    return landpool_io.import_plots(
        store,
        viewer,
        path,
        crs=opts.crs,
        field_map=opts.field_map,
        layer=opts.layer,
        repair=opts.repair,
        on_progress=on_progress,
        reason=opts.reason,
    )


def export_plots(
    store: Store,
    viewer: Viewer,
    path: Path,
    fmt: str | None = None,
    filters: PlotFilter | None = None,
) -> int:
    """Write the plots ``viewer`` may see (its fields only) to ``path``; return how many.

    ``fmt`` is one of :data:`EXPORT_FORMATS` (default: the file suffix).
    """
    kwargs = (filters or PlotFilter()).as_kwargs()
    return landpool_io.export_plots(store, viewer, path, fmt, **kwargs)


# -- maintenance --------------------------------------------------------------------------
def seed_demo_plots(store: Store, settings: Settings) -> SeedReport:
    """Add the demo plots (OSM landuse polygons of Jena) that are missing; idempotent."""
    added = landpool_io.seed_demo(store, DEMO_SEEDER, settings.data_dir)
    return SeedReport(added, store.count(DEMO_SEEDER), store.backend)


def verify_history(store: Store, expect_head: str | None = None) -> HistoryCheck:
    """Check the history's hash chain and the store's consistency.

    ``expect_head`` is a head hash kept from an earlier run: it must still be in the chain,
    or rows were removed or the chain recomputed. Problems are returned, not raised
    (:func:`require_intact` raises).
    """
    report = store.verify_history()
    problems = store.check_integrity()
    if expect_head and not store.history_has(expect_head.strip().lower()):
        problems.append(
            f"expected head {expect_head} is not in the history: rows were removed "
            "or the chain was recomputed"
        )
    return HistoryCheck(report, problems)


def require_intact(check: HistoryCheck) -> None:
    """Raise :class:`IntegrityError` if ``check`` found problems."""
    if check.problems:
        raise IntegrityError(
            f"{len(check.problems)} problems: the history or the store was changed outside "
            "stadtregion."
        )


__all__ = [
    "DEMO_SEEDER",
    "EXPORT_FORMATS",
    "HistoryCheck",
    "ImportOptions",
    "ImportReport",
    "PlotChange",
    "PlotDetail",
    "PlotFilter",
    "PlotList",
    "SeedReport",
    "change_status",
    "changes_text",
    "create_plot",
    "edit_plot",
    "export_plots",
    "get_plot",
    "import_plots",
    "list_plots",
    "open_store",
    "parse_assignments",
    "parse_field_map",
    "plot_history",
    "publish_plot",
    "require_intact",
    "seed_demo_plots",
    "unpublish_plot",
    "verify_history",
]
