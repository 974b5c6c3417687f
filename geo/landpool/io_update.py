"""Update imports: change stored plots by ``plot_id`` from a file, with version checks.

The file is what the register's own export wrote (``plots export``, any format), edited
elsewhere, e.g. in QGIS: every row names a stored ``plot_id`` and the ``version`` it was
exported at. :func:`read_updates` checks each row as the import of new plots does (same
field mapping, CRS handling and value checks); :func:`update_from_file` hands the rows to
:meth:`geo.landpool.store.Store.update_many`, which compares them with the stored plots in
one transaction. All or nothing: any bad row and the whole file is refused with every bad
row listed (:class:`~geo.errors.ImportRefusedError`).

What an update changes:

* only the editable columns the file has, and of those only the values that differ from
  the stored plot; a column the file lacks is left alone (so a CSV of ``plot_id``,
  ``version`` and ``contamination`` changes just that);
* the geometry only where the file has one that lies farther than
  :data:`~geo.landpool.store_updates.GEOMETRY_TOLERANCE_M` (1 cm) from the stored outline;
  a row without a geometry (or a CSV without a WKT column) keeps the stored one;
* an empty ``confidential`` cell keeps the stored flag (write ``true`` or ``false`` to
  change it: an empty cell never declassifies a plot); other empty cells mean
  ``unknown`` / no text, as in a new import.

``status`` is never changed by an import: a row whose status differs from the stored one
is refused (``status_change``); statuses move along the workflow with ``plots set-status``.
Derived and publication columns (``area_ha``, ``ags``, ``published``, ``updated_by``, …)
are ignored and reported as such.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import GeometryError, InputError, RowProblem
from geo.landpool.import_files import ignored_columns, load_table
from geo.landpool.io import ImportReport
from geo.landpool.plots import (
    EDITABLE_FIELDS,
    ENUM_FIELDS,
    Viewer,
    check_geometry,
    parse_enum,
    parse_plot_id,
    parse_value,
)
from geo.landpool.store import PlotUpdate, Store
from geo.settings import MAX_VERSION, Settings, get_settings
from geo.validate import extent_problem

#: Columns an update file may carry (after the field mapping).
UPDATE_FIELDS: tuple[str, ...] = ("plot_id", "version", "status", *EDITABLE_FIELDS)


@dataclass
class UpdatePlan:
    """The checked rows of an update file (stored plots not yet compared).

    ``problems`` holds the bad rows found in the file itself; rows whose ``plot_id`` and
    ``version`` could be read are in ``updates`` even when another value is bad, so the
    store can also report a stale version for them.
    """

    source: str
    source_crs: str
    total: int
    updates: list[PlotUpdate]
    problems: list[RowProblem] = field(default_factory=list)
    repaired: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


def parse_version(value: Any) -> int:
    """A plot version from a file cell: a whole number from 1 to ``MAX_VERSION``.

    Raises
    ------
    InputError
        For an empty cell or anything else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError("version is empty; give the version the plot was exported at.")
    number: float | int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    elif hasattr(value, "item"):  # a numpy integer
        return parse_version(value.item())
    if number is None or not 1 <= number <= MAX_VERSION:
        raise InputError(
            f"version {value!r} is not a plot version (a whole number from 1 to {MAX_VERSION})."
        )
    return int(number)


def read_updates(
    path: Path,
    *,
    crs: str | None = None,
    field_map: Mapping[str, str] | None = None,
    layer: str | None = None,
    repair: bool = False,
    settings: Settings | None = None,
) -> UpdatePlan:
    """Read and check every row of an update file; compare nothing, store nothing.

    Parameters are those of :func:`geo.landpool.io.read_plots`; the field mapping may
    also name ``version``.

    Raises
    ------
    InputError
        The file lacks a ``plot_id`` or ``version`` column, or cannot be read.
    CRSError
        As for :func:`geo.landpool.io.read_plots` (a file without geometries needs none).
    """
    path = Path(path)
    table = load_table(
        path, crs=crs, field_map=field_map, layer=layer, targets=UPDATE_FIELDS, need_geometry=False
    )
    columns = {str(c) for c in table.frame.columns}
    for needed, why in (
        ("plot_id", "which stored plot each row changes"),
        ("version", "the version each plot was exported at (the register's export writes it)"),
    ):
        if needed not in columns:
            raise InputError(
                f"{path.name} has no {needed} column; an update import needs {why}. Export "
                "the plots with `stadtregion plots export`, edit that file and import it "
                "again, or map your column with --field "
                f"{needed}=COLUMN."
            )
    editable = [k for k in EDITABLE_FIELDS if k in columns]
    settings = settings or get_settings()
    plan = UpdatePlan(
        path.name,
        table.source_crs,
        len(table.frame),
        [],
        ignored_columns=ignored_columns(table.frame.columns, UPDATE_FIELDS),
    )
    first_row: dict[str, int] = {}
    for pos, (idx, values) in enumerate(zip(table.frame.index, table.records, strict=True)):
        row = pos + 1
        found: list[tuple[str, str]] = []
        pid: str | None = None
        raw_id = values.get("plot_id")
        try:
            pid = parse_plot_id(raw_id)
        except InputError as exc:
            blank = raw_id is None or not str(raw_id).strip()
            found.append(("missing_plot_id" if blank else "invalid_plot_id", str(exc)))
        if pid is not None and pid in first_row:
            found.append(
                ("duplicate_plot_id", f"plot_id also in row {first_row[pid]}; give each plot once.")
            )
            pid = None
        elif pid is not None:
            first_row[pid] = row
        version: int | None = None
        try:
            version = parse_version(values.get("version"))
        except InputError as exc:
            blank = values.get("version") is None or not str(values.get("version")).strip()
            found.append(("missing_version" if blank else "invalid_version", str(exc)))
        attrs: dict[str, Any] = {}
        for key in editable:
            value = values.get(key)
            if key == "confidential" and (value is None or not str(value).strip()):
                continue  # an empty cell keeps the stored flag
            try:
                attrs[key] = parse_value(key, value)
            except InputError as exc:
                code = "unknown_value" if key in ENUM_FIELDS else "invalid_value"
                found.append((code, str(exc)))
        status: str | None = None
        raw_status = values.get("status")
        if raw_status is not None and str(raw_status).strip():
            try:
                status = parse_enum("status", raw_status).value
            except InputError as exc:
                found.append(("unknown_value", str(exc)))
        geometry = None
        work = table.work[pos]
        if idx in table.unparsed:
            found.append(("invalid_geometry", "the WKT text cannot be parsed."))
        elif work is not None and not work.is_empty:
            try:
                geometry, note = check_geometry(work, repair=repair)
                if note:
                    plan.repaired.append(RowProblem(row, pid, "repaired", note))
            except GeometryError as exc:
                found.append((exc.code, str(exc)))
            outside = extent_problem(table.web[pos], settings)
            if outside is not None:
                found.append(("outside_extent", outside))
        plan.problems.extend(RowProblem(row, pid, c, m) for c, m in found)
        if pid is not None and version is not None:
            plan.updates.append(PlotUpdate(row, pid, version, attrs, geometry, status))
    return plan


def update_from_file(
    store: Store,
    viewer: Viewer,
    path: Path,
    *,
    reason: str | None,
    crs: str | None = None,
    field_map: Mapping[str, str] | None = None,
    layer: str | None = None,
    repair: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Change the stored plots a file names, all in one transaction, or refuse it whole.

    Each changed plot gets its next version and a history row whose reason is ``reason``
    and the file's name; plots whose row holds nothing new are reported unchanged.

    Raises
    ------
    PermissionDeniedError
        Unless ``viewer`` has the land-pool role (before the file is read).
    InputError
        Without a reason (before the file is read), or for a file that is not an update.
    ImportRefusedError
        Any row is bad: every bad row is listed (unknown ``plot_id``, ``stale_version``,
        ``status_change``, a plot_id twice, a bad value or geometry); nothing is stored.
    """
    viewer.require_write()
    if reason is None or not reason.strip():
        raise InputError(
            "an update import needs a reason (--reason); it goes into the history of every "
            "plot it changes."
        )
    plan = read_updates(path, crs=crs, field_map=field_map, layer=layer, repair=repair)
    outcome = store.update_many(
        viewer,
        plan.updates,
        reason=f"{reason.strip()} (update import from {plan.source})",
        source=plan.source,
        total=plan.total,
        known_problems=plan.problems,
        on_progress=on_progress,
    )
    return ImportReport(
        plan.source,
        plan.source_crs,
        len(outcome.changed),
        plan.repaired,
        plan.ignored_columns,
        update=True,
        changed=outcome.changed,
        unchanged=outcome.unchanged,
    )


__all__ = ["UPDATE_FIELDS", "UpdatePlan", "parse_version", "read_updates", "update_from_file"]
