"""Import and export of land-pool plots: GeoPackage, GeoJSON, zipped Shapefile, CSV with WKT.

Import is all-or-nothing. :func:`read_plots` reads a file, maps its column names, takes
the CRS from the file (``crs`` only for a file without one), reprojects to EPSG:25832 and
checks every row; a file with any bad row raises :class:`ImportRefusedError` listing each
bad row and why, before anything touches the database. :func:`import_plots` then stores
the checked plots in one transaction (:meth:`geo.landpool.store.Store.insert_many`).

Export writes what the caller may see (confidential plots only for the land-pool role)
with the attributions of the data the plots came from.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo.errors import (
    DataSourceError,
    GeometryError,
    ImportRefusedError,
    InputError,
    RowProblem,
)
from geo.landpool.import_files import (
    IMPORT_FIELDS,
    WKT_COLUMNS,
    ignored_columns,
    load_table,
    parse_field_map,
)
from geo.landpool.plots import (
    EDITABLE_FIELDS,
    ENUM_FIELDS,
    Plot,
    Viewer,
    check_geometry,
    parse_enum,
    parse_plot_id,
    parse_value,
)
from geo.landpool.public import frame_for, project_feature
from geo.landpool.store import NewPlot, PlotChange, Store
from geo.settings import WEB_CRS, WORK_CRS, Settings, get_settings
from geo.sources import ATTRIBUTIONS, VG250_FILE, read_vector, read_vg250
from geo.validate import extent_problem

EXPORT_FORMATS: tuple[str, ...] = ("gpkg", "geojson", "csv")
LANDUSE_FILE = "jena_landuse_osm2014.geojson"
#: OSM landuse values the demo register is made of.
DEMO_LANDUSE: tuple[str, ...] = ("brownfield", "greenfield", "industrial", "commercial")


@dataclass
class ImportPlan:
    """The checked content of an import file, ready for :meth:`Store.insert_many`."""

    source: str
    source_crs: str
    plots: list[NewPlot]
    repaired: list[RowProblem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What an import stored."""

    source: str
    source_crs: str
    stored: int
    repaired: list[RowProblem]
    ignored_columns: list[str]
    #: An update import (``--update``): the plots it changed and those it left as they were.
    update: bool = False
    changed: list[PlotChange] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """Human-readable summary (an update import: each changed plot, old → new)."""
        if self.update:
            out = [
                f"updated {len(self.changed)} plots from {self.source} (CRS "
                f"{self.source_crs}); {len(self.unchanged)} unchanged"
            ]
            out += [f"  {c.plot_id} (version {c.version}): {c.text()}" for c in self.changed]
        else:
            out = [f"imported {self.stored} plots from {self.source} (CRS {self.source_crs})"]
        out += [f"  repaired {p}" for p in self.repaired]
        if self.ignored_columns:
            out.append(f"  ignored columns: {', '.join(self.ignored_columns)}")
        return out


# -- opening the store ------------------------------------------------------------------
def load_municipalities(settings: Settings) -> gpd.GeoDataFrame | None:
    """The VG250 municipalities new plots take their AGS from; ``None`` without the pack."""
    try:
        return read_vg250(settings.data_dir)
    except DataSourceError:
        return None  # AGS of new plots stays unknown


def open_store(settings: Settings | None = None) -> Store:
    """Open the store the settings name, with the VG250 municipality lookup handed in."""
    settings = settings or Settings()
    return Store.open(settings, municipalities=load_municipalities(settings))


def read_plots(
    path: Path,
    *,
    crs: str | None = None,
    field_map: Mapping[str, str] | None = None,
    layer: str | None = None,
    repair: bool = False,
    existing: Callable[[Iterable[str]], set[str]] | None = None,
    settings: Settings | None = None,
) -> ImportPlan:
    """Read and check every row of an import file; store nothing.

    Parameters
    ----------
    path
        ``.gpkg``, ``.geojson``, ``.zip`` (Shapefile) or ``.csv`` (WKT column).
    crs
        CRS of a file that has none (CSV always, a Shapefile without ``.prj``). A file
        with a CRS is read in its own CRS; a different ``crs`` is refused.
    field_map
        ``{plot_attribute: file_column}`` for files with other column names.
    layer
        Layer of a multi-layer GeoPackage or zip.
    repair
        Repair invalid geometries (reported) instead of refusing them.
    existing
        Returns which of the given ids are already stored (duplicates of the register).
    settings
        The region extent every vertex must lie in (:mod:`geo.validate`); default the
        process settings.

    Raises
    ------
    CRSError
        The file has no CRS and ``crs`` is not given, or they disagree.
    ImportRefusedError
        Any row is bad; its ``problems`` list each bad row and why.
    """
    path = Path(path)
    table = load_table(path, crs=crs, field_map=field_map, layer=layer)
    frame, records, unparsed = table.frame, table.records, table.unparsed
    work_geoms, web_geoms = table.work, table.web
    problems: list[RowProblem] = []
    repaired: list[RowProblem] = []
    plots: list[NewPlot] = []
    first_row: dict[str, int] = {}
    settings = settings or get_settings()
    for pos, (idx, values) in enumerate(zip(frame.index, records, strict=True)):
        row_no = pos + 1
        row_problems: list[tuple[str, str]] = []
        pid: str | None = None
        raw_id = values.get("plot_id")
        try:
            pid = parse_plot_id(raw_id)
        except InputError as exc:
            code = (
                "missing_plot_id"
                if raw_id is None or not str(raw_id).strip()
                else "invalid_plot_id"
            )
            row_problems.append((code, str(exc)))
        if pid is not None:
            if pid in first_row:
                row_problems.append(
                    ("duplicate_plot_id", f"plot_id also used in row {first_row[pid]}.")
                )
            else:
                first_row[pid] = row_no
        attrs: dict[str, Any] = {}
        for key in EDITABLE_FIELDS:
            value = values.get(key)
            try:
                attrs[key] = parse_value(key, value)
            except InputError as exc:
                row_problems.append(
                    ("unknown_value" if key in ENUM_FIELDS else "invalid_value", str(exc))
                )
        status = "identified"
        try:
            status = parse_enum("status", values.get("status")).value
        except InputError as exc:
            row_problems.append(("unknown_value", str(exc)))
        geom = None
        note = ""
        if idx in unparsed:
            row_problems.append(("invalid_geometry", "the WKT text cannot be parsed."))
        else:
            try:
                geom, note = check_geometry(work_geoms[pos], repair=repair)
            except GeometryError as exc:
                row_problems.append((exc.code, str(exc)))
            outside = extent_problem(web_geoms[pos], settings)
            if outside is not None:
                row_problems.append(("outside_extent", outside))
        if row_problems:
            problems.extend(RowProblem(row_no, pid, c, m) for c, m in row_problems)
            continue
        assert pid is not None and geom is not None
        if note:
            repaired.append(RowProblem(row_no, pid, "repaired", note))
        plots.append(NewPlot(pid, attrs, geom, status=status, notes=[note] if note else []))
    if existing is not None and first_row:
        for pid in sorted(existing(first_row)):
            problems.append(
                RowProblem(
                    first_row[pid],
                    pid,
                    "duplicate_plot_id",
                    "plot_id is already in the register (plot ids are never reused); to "
                    "change stored plots, import the file with --update.",
                )
            )
    if problems:
        problems.sort(key=lambda p: p.row)
        raise ImportRefusedError(path.name, len(frame), problems)
    return ImportPlan(path.name, table.source_crs, plots, repaired, ignored_columns(frame.columns))


def import_plots(
    store: Store,
    viewer: Viewer,
    path: Path,
    *,
    crs: str | None = None,
    field_map: Mapping[str, str] | None = None,
    layer: str | None = None,
    repair: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
    reason: str | None = None,
) -> ImportReport:
    """Check a file and store all its plots in one transaction, or refuse it whole.

    Each creation record says ``imported from FILE`` (and ``reason`` when given).

    Raises
    ------
    PermissionDeniedError
        Unless ``viewer`` has the land-pool role (checked before the file is read).
    CRSError, ImportRefusedError, InputError
        See :func:`read_plots`; nothing is stored.
    """
    viewer.require_write()
    plan = read_plots(
        path,
        crs=crs,
        field_map=field_map,
        layer=layer,
        repair=repair,
        existing=lambda ids: store.existing_ids(viewer, ids),
    )
    for plot in plan.plots:
        plot.reason = f"imported from {plan.source}"
        if reason and reason.strip():
            plot.reason += f": {reason.strip()}"
        if plot.status != "identified":
            plot.reason += f"; status {plot.status} as given in the file"
    stored = store.insert_many(viewer, plan.plots, on_progress=on_progress)
    return ImportReport(plan.source, plan.source_crs, stored, plan.repaired, plan.ignored_columns)


# -- export -----------------------------------------------------------------------------
def attributions_for(plots: Iterable[Plot]) -> list[str]:
    """Attributions of the data behind ``plots``: OSM for OSM-derived plots, BKG for AGS."""
    out: list[str] = []
    plots = list(plots)
    if any((p.source or "").lower().startswith("openstreetmap") for p in plots):
        out.append(ATTRIBUTIONS["osm"])
    if any(p.ags for p in plots):
        out.append(ATTRIBUTIONS[VG250_FILE])
    return out


def _atomic_path(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    os.unlink(tmp)
    return Path(tmp)


def export_plots(
    store: Store,
    viewer: Viewer,
    path: Path,
    fmt: str | None = None,
    **filters: Any,
) -> int:
    """Write the plots ``viewer`` may see, with the fields the viewer may see
    (:mod:`geo.landpool.public`), to ``path``; return how many.

    Parameters
    ----------
    fmt
        ``gpkg`` (EPSG:25832, layer ``plots`` plus an ``attributions`` table), ``geojson``
        (EPSG:4326 as RFC 7946 asks, with an ``attribution`` member) or ``csv`` (WKT in
        EPSG:25832 and an ``attribution`` column). Taken from the suffix when not given.
    filters
        ``status``, ``category``, ``ags``, ``published``, ``confidential`` as for
        :meth:`Store.list`.
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt == "json":
        fmt = "geojson"
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"export format {fmt!r} is not supported; use gpkg, geojson or csv.")
    plots = store.list(viewer, **filters)
    credits = attributions_for(plots)
    tmp = _atomic_path(path)
    try:
        if fmt == "geojson":
            doc = {
                "type": "FeatureCollection",
                "name": "plots",
                "attribution": credits,
                "features": [project_feature(p, viewer, WEB_CRS) for p in plots],
            }
            tmp.write_text(json.dumps(doc, ensure_ascii=False))
        else:
            frame = frame_for(plots, viewer)
            if fmt == "csv":
                table = pd.DataFrame(frame.drop(columns="geometry"))
                table["wkt"] = shapely.to_wkt(frame.geometry.values, rounding_precision=3)
                table["crs"] = WORK_CRS
                table["attribution"] = "; ".join(credits)
                table.to_csv(tmp, index=False)
            else:
                description = "Land-pool plots (stadtregion). " + "; ".join(credits)
                frame.to_file(
                    tmp,
                    layer="plots",
                    driver="GPKG",
                    geometry_type="MultiPolygon",
                    layer_options={"DESCRIPTION": description},
                )
                gpd.GeoDataFrame({"attribution": credits or ["(none)"]}).to_file(
                    tmp, layer="attributions", driver="GPKG"
                )
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(plots)


# -- demo content -----------------------------------------------------------------------
def demo_plots(data_dir: Path) -> list[NewPlot]:
    """Plots made from the real OSM landuse polygons of Jena (2014 extract).

    Kept as in the data: ``landuse=brownfield``/``greenfield`` give the category of the same
    name; ``industrial``/``commercial`` are what the land is used for now (``current_use``),
    which says nothing about its land-pool category, so that stays ``unknown``. Owner,
    planning status and contamination are not in the data: ``unknown``. Every plot starts
    at ``identified``, the register's entry status.
    """
    gdf = read_vector(data_dir / LANDUSE_FILE, "Jena OSM landuse polygons")
    gdf = gdf[gdf["landuse"].isin(DEMO_LANDUSE)]
    out: list[NewPlot] = []
    for row in gdf.itertuples():
        kind, _, num = str(row.osm_id).partition("/")
        landuse = str(row.landuse)
        geom, note = check_geometry(row.geometry, repair=True)
        notes = []
        if isinstance(row.operator, str) and row.operator:
            notes.append(f"OSM operator: {row.operator}")
        if note:
            notes.append(note)
        attrs = {
            "name": row.name if isinstance(row.name, str) and row.name else None,
            "category": landuse if landuse in ("brownfield", "greenfield") else "unknown",
            "current_use": f"{landuse} (OSM landuse={landuse})",
            "owner_type": "unknown",
            "planning_status": "unknown",
            "contamination": "unknown",
            "confidential": False,
            "notes": "; ".join(notes) or None,
            "source": f"OpenStreetMap {kind}/{num} (landuse={landuse}), Jena extract 2014",
        }
        for key in EDITABLE_FIELDS:
            attrs.setdefault(key, None)
        pid = f"OSM-{kind[:1].upper()}{num}"
        out.append(
            NewPlot(
                pid,
                attrs,
                geom,
                reason="demo content: OSM landuse polygon of Jena",
                notes=[note] if note else [],
            )
        )
    return out


def seed_demo(store: Store, viewer: Viewer, data_dir: Path) -> int:
    """Add the demo plots that are not yet stored (idempotent); return how many were added.

    The demo plots are real OSM landuse polygons, public data: each one is published
    explicitly (recorded in its history), as the land-pool team would publish an offer,
    unless it was published or withdrawn before.
    """
    plots = demo_plots(data_dir)
    have = store.existing_ids(viewer, [p.plot_id for p in plots])
    new = [p for p in plots if p.plot_id not in have]
    added = store.insert_many(viewer, new)
    for p in plots:
        # publish each demo plot that was never published or withdrawn (new ones, and the
        # ones migration 0004 made unpublished); a withdrawn one stays withdrawn
        events = {h.event for h in store.history(viewer, p.plot_id)}
        if not events & {"published", "unpublished"}:
            store.publish(viewer, p.plot_id, reason="demo content: public OpenStreetMap data")
    return added


__all__ = [
    "IMPORT_FIELDS",
    "WKT_COLUMNS",
    "ImportPlan",
    "ImportReport",
    "attributions_for",
    "demo_plots",
    "export_plots",
    "import_plots",
    "load_municipalities",
    "open_store",
    "parse_field_map",
    "read_plots",
    "seed_demo",
]
