"""The land-pool register on a real database: GeoPackage (embedded) or PostgreSQL/PostGIS.

:class:`Store` is the facade every caller uses; its parts are modules by concept:

* :mod:`geo.landpool.store_engine` – engines (GeoPackage via SpatiaLite, PostGIS) and the
  Alembic migrations run when a store is opened.
* :mod:`geo.landpool.store_schema` – the tables.
* :mod:`geo.landpool.store_reads` – what each viewer may read (lists, counts, histories).
* :mod:`geo.landpool.store_writes` – inserts, edits, workflow status, publication.
* :mod:`geo.landpool.store_updates` – many edits by ``plot_id`` at once (update imports).
* :mod:`geo.landpool.store_history` – the append-only, hash-chained history
  (:mod:`geo.landpool.history_chain`, :meth:`Store.verify_history`).
* :mod:`geo.landpool.store_profiles` and :mod:`geo.landpool.store_checks` – saved
  screening profiles and consistency checks.

QGIS opens the GeoPackage directly: ``plots`` is a registered feature table in EPSG:25832.
Every write is one transaction. Concurrent edits use optimistic locking on ``version``: a
write that names a version other than the stored one raises :class:`ConflictError` and
changes nothing. The history table is append-only (the database refuses UPDATE, DELETE and
REPLACE).

Confidentiality: every read takes a :class:`~geo.landpool.plots.Viewer`. A caller without the
land-pool role never learns that a confidential plot exists, a public caller never learns
of an unpublished one (:meth:`Store.publish`): it is missing from lists, counts and
exports, and asking for it by id raises the same :class:`NotFoundError` as a plot that does
not exist. History rows are filtered by the audience they were written for; which fields a
role sees is :mod:`geo.landpool.public`.

The store reads no data pack: the municipality polygons it derives each plot's AGS from
are handed in (:func:`geo.landpool.io.open_store` reads them from VG250).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import geopandas as gpd
from shapely.geometry.base import BaseGeometry
from sqlalchemy.engine import Connection

from geo.errors import InputError, RowProblem
from geo.landpool import store_reads as reads
from geo.landpool import store_writes as writes
from geo.landpool.history_chain import ChainReport
from geo.landpool.plots import (
    STATUS_EDIT_HINT,
    HistoryEntry,
    Plot,
    Status,
    Viewer,
    check_geometry,
    parse_attributes,
    parse_enum,
    plots_to_frame,
)
from geo.landpool.store_checks import has_history_hash, integrity_problems
from geo.landpool.store_engine import MIGRATIONS_DIR, create_engine, default_url, migrate
from geo.landpool.store_history import history_report
from geo.landpool.store_profiles import (
    SavedProfile,
    check_profile_name,
    profile_row,
    profile_rows,
    save_profile_row,
)
from geo.landpool.store_schema import history_table, now_ms, plots_table, profiles_table
from geo.landpool.store_updates import (
    GEOMETRY_TOLERANCE_M,
    PlotChange,
    PlotUpdate,
    UpdateOutcome,
    update_plots,
)
from geo.landpool.store_writes import BATCH_SIZE, NewPlot
from geo.settings import Settings


class Store:
    """The land-pool register.

    Parameters
    ----------
    url
        ``gpkg:///path.gpkg`` or ``postgresql://user:pw@host:port/db``.
    municipalities
        Municipality polygons (columns ``ags`` and ``gen``/``name``) for deriving each
        plot's AGS; without them the AGS of new plots stays unknown (``None``).
    """

    def __init__(self, url: str, *, municipalities: gpd.GeoDataFrame | None = None) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.municipalities = municipalities
        self.revision = migrate(self.engine)

    @classmethod
    def open(
        cls,
        settings: Settings | None = None,
        *,
        municipalities: gpd.GeoDataFrame | None = None,
    ) -> Store:
        """Open the store the settings name, deriving AGS from ``municipalities``.

        Reads no data pack: :func:`geo.landpool.io.open_store` hands in the VG250
        municipalities.
        """
        return cls(default_url(settings or Settings()), municipalities=municipalities)

    @property
    def backend(self) -> str:
        """``"geopackage"`` or ``"postgresql"``."""
        return "postgresql" if self.engine.dialect.name == "postgresql" else "geopackage"

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    # -- reads ----------------------------------------------------------------------
    def get(self, viewer: Viewer, plot_id: str) -> Plot:
        """Return one plot.

        Raises
        ------
        NotFoundError
            If there is no such plot, or it is confidential and ``viewer`` may not see it
            (the same message in both cases).
        """
        with self._read() as conn:
            return reads.get_plot(conn, viewer, plot_id)

    def list(
        self,
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
    ) -> builtins.list[Plot]:
        """Return the plots ``viewer`` may see, optionally filtered, ordered by ``sort``
        (one of :data:`geo.landpool.store_reads.SORT_KEYS`, ties by ``plot_id``)."""
        with self._read() as conn:
            return reads.list_plots(
                conn,
                viewer,
                status=status,
                category=category,
                ags=ags,
                published=published,
                confidential=confidential,
                sort=sort,
                descending=descending,
                limit=limit,
                offset=offset,
            )

    def count(
        self,
        viewer: Viewer,
        *,
        status: str | None = None,
        category: str | None = None,
        ags: str | None = None,
        published: bool | None = None,
        confidential: bool | None = None,
    ) -> int:
        """Count the plots ``viewer`` may see."""
        with self._read() as conn:
            return reads.count_plots(
                conn,
                viewer,
                status=status,
                category=category,
                ags=ags,
                published=published,
                confidential=confidential,
            )

    def count_by_status(self, viewer: Viewer, **filters: Any) -> dict[str, int]:
        """How many plots ``viewer`` may see per workflow status (filters as :meth:`count`,
        without ``status``)."""
        with self._read() as conn:
            return reads.count_by_status(conn, viewer, **filters)

    def municipality_counts(self, viewer: Viewer) -> builtins.list[tuple[str, str, int]]:
        """``(ags, name, plots)`` of each municipality with plots ``viewer`` may see."""
        with self._read() as conn:
            return reads.municipalities_of(conn, viewer)

    def history(self, viewer: Viewer, plot_id: str) -> builtins.list[HistoryEntry]:
        """Return the history of one plot, oldest first (NotFoundError as :meth:`get`).

        Only rows written at a level ``viewer`` belongs to (:mod:`geo.landpool.public`):
        nothing recorded while the plot was confidential or unpublished reaches a role
        that could not see it then. Show the rows with
        :func:`geo.landpool.public.project_history`.
        """
        with self._read() as conn:
            return reads.plot_history(conn, viewer, plot_id)

    def existing_ids(self, viewer: Viewer, plot_ids: Iterable[str]) -> set[str]:
        """Return which of ``plot_ids`` are stored (only for writers: it reveals them all)."""
        viewer.require_write()
        with self._read() as conn:
            return reads.stored_ids(conn, plot_ids)

    def frame(self, viewer: Viewer, **filters: Any) -> gpd.GeoDataFrame:
        """Return the visible plots as a GeoDataFrame in EPSG:25832 (for export)."""
        return plots_to_frame(self.list(viewer, **filters))

    # -- writes ---------------------------------------------------------------------
    def prepare(
        self,
        values: Mapping[str, Any],
        geometry: BaseGeometry,
        *,
        plot_id: Any,
        status: Any = None,
        repair: bool = False,
    ) -> NewPlot:
        """Check one new plot (attributes, geometry in EPSG:25832, id) without storing it."""
        return writes.prepare_plot(values, geometry, plot_id=plot_id, status=status, repair=repair)

    def create(
        self,
        viewer: Viewer,
        values: Mapping[str, Any],
        geometry: BaseGeometry,
        *,
        plot_id: str | None,
        status: str | None = None,
        reason: str | None = None,
    ) -> Plot:
        """Store one new plot (geometry in EPSG:25832) and return it.

        Raises
        ------
        PermissionDeniedError
            Unless ``viewer`` has the land-pool role.
        InputError
            For a bad attribute, id or geometry.
        ConflictError
            If ``plot_id`` is taken.
        """
        viewer.require_write()
        if status is not None and parse_enum("status", status) != Status.IDENTIFIED:
            raise InputError(
                f"a new plot starts at identified, not {status!r}; move it along the workflow "
                "afterwards (POST /plots/{id}/status, plots set-status) or import it with "
                "its status (the import records it in the history)."
            )
        new = self.prepare(values, geometry, plot_id=plot_id, status=status)
        new.reason = reason
        self.insert_many(viewer, [new])
        return self.get(viewer, new.plot_id)

    def insert_many(
        self,
        viewer: Viewer,
        plots: Sequence[NewPlot],
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Store checked plots in ONE transaction: all of them or, on any error, none.

        Parameters
        ----------
        viewer
            Needs the land-pool role.
        plots
            Plots from :meth:`prepare` (or :func:`geo.landpool.io.read_plots`).
        on_progress
            Called as ``on_progress(done, total)`` after each batch (inside the transaction).

        Raises
        ------
        ConflictError
            If a ``plot_id`` is already stored; nothing is stored then.
        """
        viewer.require_write()
        if not plots:
            return 0
        writes.check_new_plots(plots)
        places = writes.places_of(plots, self.municipalities)
        now = now_ms()
        with self._write() as conn:
            return writes.insert_plots(conn, viewer, plots, places, now, on_progress)

    def update(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        expected_version: int,
        values: Mapping[str, Any] | None = None,
        geometry: BaseGeometry | None = None,
        reason: str | None = None,
        repair: bool = False,
    ) -> Plot:
        """Change attributes and/or the geometry (EPSG:25832) of a plot.

        Parameters
        ----------
        expected_version
            The ``version`` the caller last read. If the stored plot has moved on, the
            update is refused with :class:`ConflictError` and nothing changes.

        Raises
        ------
        PermissionDeniedError, NotFoundError, InputError, ConflictError
        """
        viewer.require_write()
        values = dict(values or {})
        if "status" in values:
            raise InputError(STATUS_EDIT_HINT + ".")
        attrs = parse_attributes(values, partial=True)
        new_geom = check_geometry(geometry, repair=repair)[0] if geometry is not None else None
        now = now_ms()
        with self._write() as conn:
            writes.update_plot(
                conn,
                viewer,
                plot_id,
                expected_version=expected_version,
                attrs=attrs,
                geometry=new_geom,
                reason=reason,
                municipalities=self.municipalities,
                now=now,
            )
        return self.get(viewer, plot_id)

    def update_many(
        self,
        viewer: Viewer,
        updates: Sequence[PlotUpdate],
        *,
        reason: str | None,
        source: str,
        total: int | None = None,
        known_problems: Sequence[RowProblem] = (),
        tolerance_m: float = GEOMETRY_TOLERANCE_M,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> UpdateOutcome:
        """Change many plots by ``plot_id`` in ONE transaction: all rows or, if any is bad, none.

        Each update names the version it was read at; only values that differ from the
        stored plot are written (a geometry beyond ``tolerance_m`` metres); each changed
        plot gets its next version and a history row with ``reason``. See
        :func:`geo.landpool.store_updates.update_plots`.

        Raises
        ------
        PermissionDeniedError
            Unless ``viewer`` has the land-pool role.
        InputError
            Without a reason.
        ImportRefusedError
            Any row is bad (unknown ``plot_id``, stale version, a status change, or one of
            ``known_problems``); every bad row is listed and nothing is stored.
        """
        viewer.require_write()
        if reason is None or not reason.strip():
            raise InputError(
                "an update import needs a reason (--reason); it goes into the history of "
                "every plot it changes."
            )
        now = now_ms()
        with self._write() as conn:
            return update_plots(
                conn,
                viewer,
                updates,
                reason=reason.strip(),
                now=now,
                source=source,
                total=len(updates) if total is None else total,
                known_problems=known_problems,
                municipalities=self.municipalities,
                tolerance_m=tolerance_m,
                on_progress=on_progress,
            )

    def set_status(
        self,
        viewer: Viewer,
        plot_id: str,
        status: str,
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> Plot:
        """Move a plot to another workflow status and record it in the history.

        Raises
        ------
        TransitionError
            If the workflow does not allow the change from the stored status (HTTP 409).
        ConflictError
            If ``expected_version`` is given and the plot has moved on.
        """
        viewer.require_write()
        now = now_ms()
        with self._write() as conn:
            writes.change_status(
                conn,
                viewer,
                plot_id,
                status,
                reason=reason,
                expected_version=expected_version,
                now=now,
            )
        return self.get(viewer, plot_id)

    def publish(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Plot:
        """Publish a plot: from now on ``public`` callers see it (land-pool role).

        Recorded in the history with who, when and why.

        Raises
        ------
        InputError
            Without a reason.
        ConflictError
            If the plot is confidential (declassify it first), already published, or
            ``expected_version`` is stale.
        """
        return self._set_published(viewer, plot_id, True, reason, expected_version)

    def unpublish(
        self,
        viewer: Viewer,
        plot_id: str,
        *,
        reason: str | None,
        expected_version: int | None = None,
    ) -> Plot:
        """Withdraw a publication: the plot is internal again (land-pool role)."""
        return self._set_published(viewer, plot_id, False, reason, expected_version)

    def _set_published(
        self,
        viewer: Viewer,
        plot_id: str,
        published: bool,
        reason: str | None,
        expected_version: int | None,
    ) -> Plot:
        viewer.require_write()
        why = writes.check_reason(reason, "publish" if published else "unpublish")
        now = now_ms()
        with self._write() as conn:
            writes.set_published(
                conn,
                viewer,
                plot_id,
                published,
                reason=why,
                expected_version=expected_version,
                now=now,
            )
        return self.get(viewer, plot_id)

    # -- saved screening profiles ---------------------------------------------------
    def save_profile(
        self, viewer: Viewer, name: str, body: str, expected_version: int | None = None
    ) -> SavedProfile:
        """Save (or replace) a screening profile; land-pool role only.

        ``body`` is the validated profile as JSON. With ``expected_version`` a stale
        replacement is refused (:class:`ConflictError`), as for plots.
        """
        viewer.require_write()
        check_profile_name(name)
        with self._write() as conn:
            save_profile_row(conn, name, body, viewer.name, expected_version)
        return self.get_profile(name)

    def get_profile(self, name: str) -> SavedProfile:
        """A saved profile by name (:class:`NotFoundError` when there is none)."""
        with self._read() as conn:
            return profile_row(conn, name)

    def list_profiles(self) -> builtins.list[SavedProfile]:
        """All saved profiles, by name."""
        with self._read() as conn:
            return profile_rows(conn)

    # -- checks ---------------------------------------------------------------------
    def verify_history(self) -> ChainReport:
        """Recompute the hash chain of the whole history (rows, head id and hash, breaks)."""
        with self._read() as conn:
            return history_report(conn, history_table)

    def history_has(self, digest: str) -> bool:
        """Whether a history row carries this hash (an anchored chain head)."""
        with self._read() as conn:
            return has_history_hash(conn, digest)

    def check_integrity(self) -> builtins.list[str]:
        """Return every consistency problem found (empty list: the store is sound).

        See :func:`geo.landpool.store_checks.integrity_problems`.
        """
        with self._read() as conn:
            return integrity_problems(conn)


__all__ = [
    "BATCH_SIZE",
    "GEOMETRY_TOLERANCE_M",
    "MIGRATIONS_DIR",
    "NewPlot",
    "PlotChange",
    "PlotUpdate",
    "SavedProfile",
    "Store",
    "UpdateOutcome",
    "create_engine",
    "default_url",
    "history_table",
    "migrate",
    "plots_table",
    "profiles_table",
]
