"""The land-pool plot: vocabulary, validation, derived attributes and the status workflow.

A plot of the municipal land pool (ISEK key measure *Effizienz.Flächen.Jena*) is modelled on
the registers planners already know: the UK Brownfield Land Register data standard and the
Flächenmanagement-Datenbank of the German Länder. This module holds no database code: it
turns raw values (from a file, a form or the API) into checked, typed values, derives what
must never be typed in (``area_ha``, the municipality AGS) and says which status changes
are allowed. :mod:`geo.landpool.store` persists the result.

Attributes the data does not hold are ``unknown``; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
import shapely.geometry
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

# Roles and the Viewer live with the other access rules; re-exported for the register.
from geo.access.roles import PUBLIC as PUBLIC
from geo.access.roles import Role as Role
from geo.access.roles import Viewer as Viewer
from geo.errors import GeometryError, InputError, TransitionError
from geo.settings import WEB_CRS, WORK_CRS


class Category(StrEnum):
    """What kind of land a plot is (Flächenkategorie of the Flächenmanagement-Datenbank)."""

    BROWNFIELD = "brownfield"  # Brachfläche: previously developed, now disused
    GREENFIELD = "greenfield"  # never built on, earmarked for development
    RESERVE = "reserve"  # Flächenreserve: land held for later development
    VACANT_LOT = "vacant_lot"  # Baulücke: single unbuilt lot inside built-up area
    UNDERUSED = "underused"  # geringfügig genutzt: used far below its potential
    FREED_PUBLIC_SITE = "freed_public_site"  # freed by university, hospital, Land, Bund ...
    OTHER = "other"
    UNKNOWN = "unknown"


class OwnerType(StrEnum):
    """Who owns a plot."""

    CITY = "city"
    MUNICIPAL_COMPANY = "municipal_company"
    STATE = "state"  # Land (Freistaat Thüringen)
    FEDERAL = "federal"  # Bund (e.g. BImA)
    CHURCH = "church"
    PRIVATE = "private"
    UNKNOWN = "unknown"


class PlanningStatus(StrEnum):
    """Planning law that applies to a plot (BauGB)."""

    FNP_ONLY = "fnp_only"  # designated in the Flächennutzungsplan, no B-Plan
    BPLAN_IN_FORCE = "bplan_in_force"  # §30 BauGB: qualified B-Plan in force
    BPLAN_IN_PREPARATION = "bplan_in_preparation"  # Aufstellungsbeschluss, §33 BauGB
    INNER_AREA_S34 = "s34"  # §34 BauGB: unplanned inner area
    OUTER_AREA_S35 = "s35"  # §35 BauGB: outer area
    UNKNOWN = "unknown"


class Contamination(StrEnum):
    """Soil contamination (Altlasten) state."""

    NONE = "none"
    SUSPECTED = "suspected"  # Altlastverdachtsfläche
    CONFIRMED = "confirmed"
    REMEDIATED = "remediated"
    UNKNOWN = "unknown"


class Status(StrEnum):
    """Where a plot is in the land-pool workflow."""

    IDENTIFIED = "identified"
    ASSESSED = "assessed"
    NEGOTIATING = "negotiating"
    ACQUIRED = "acquired"
    IN_DEVELOPMENT = "in_development"
    DEVELOPED = "developed"
    WITHDRAWN = "withdrawn"


#: The allowed status changes. ``developed`` is final; a withdrawn plot can be taken up
#: again (back to ``identified``); failed negotiations go back to ``assessed``.
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.IDENTIFIED: frozenset({Status.ASSESSED, Status.WITHDRAWN}),
    Status.ASSESSED: frozenset({Status.NEGOTIATING, Status.WITHDRAWN}),
    Status.NEGOTIATING: frozenset({Status.ACQUIRED, Status.ASSESSED, Status.WITHDRAWN}),
    Status.ACQUIRED: frozenset({Status.IN_DEVELOPMENT, Status.WITHDRAWN}),
    Status.IN_DEVELOPMENT: frozenset({Status.DEVELOPED, Status.WITHDRAWN}),
    Status.DEVELOPED: frozenset(),
    Status.WITHDRAWN: frozenset({Status.IDENTIFIED}),
}

#: Status changes that need a reason (the history must say why).
REASON_REQUIRED: frozenset[Status] = frozenset({Status.WITHDRAWN})

ENUM_FIELDS: dict[str, type[StrEnum]] = {
    "category": Category,
    "owner_type": OwnerType,
    "planning_status": PlanningStatus,
    "contamination": Contamination,
    "status": Status,
}

#: Free-text attributes (``None`` when not known).
TEXT_FIELDS: tuple[str, ...] = (
    "name",
    "address",
    "fnp_designation",
    "current_use",
    "intended_use",
    "notes",
    "source",
)

#: Attributes a caller may set (on create, import or update). ``plot_id`` is set once.
EDITABLE_FIELDS: tuple[str, ...] = (
    *TEXT_FIELDS,
    "category",
    "owner_type",
    "planning_status",
    "contamination",
    "confidential",
)

#: Attributes derived or kept by the store; a caller never types them in.
DERIVED_FIELDS: tuple[str, ...] = (
    "area_ha",
    "ags",
    "municipality",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "version",
)

PLOT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: Smallest area a plot may have; below 1 m² it is stored as 0 ha and refused.
MIN_AREA_M2 = 1.0

_TRUE = {"true", "1", "yes", "y", "ja", "t"}
_FALSE = {"false", "0", "no", "n", "nein", "f", ""}


# -- value parsing ----------------------------------------------------------------------
def parse_enum(field: str, value: Any, *, strict: bool = False) -> StrEnum:
    """Return the enum member of ``field`` for ``value``; empty means ``unknown``.

    Parameters
    ----------
    strict
        Take only the vocabulary's own codes (``None`` for ``unknown``), as a JSON API
        whose schema lists them must; otherwise case, ``-`` and spaces do not matter and
        an empty text is ``unknown`` (for files and the command line).

    Raises
    ------
    InputError
        If the value is not one of the allowed values (the message lists them).
    """
    enum = ENUM_FIELDS[field]
    if value is None or (not strict and _is_blank(value)):
        if field == "status":
            return Status.IDENTIFIED
        return enum("unknown")
    text = str(value) if strict else str(value).strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(m.value for m in enum)
        raise InputError(f"{field}: {value!r} is not allowed; use one of {allowed}.") from None


def parse_bool(field: str, value: Any) -> bool:
    """Parse a yes/no value (``true/false/1/0/yes/no/ja/nein``; empty is ``False``)."""
    if isinstance(value, bool):
        return value
    if _is_blank(value):
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"{field}: {value!r} is not a yes/no value; use true or false.")


def parse_plot_id(value: Any) -> str:
    """Check a ``plot_id``: 1–64 letters, digits, ``.``, ``_`` or ``-``, starting alphanumeric."""
    if _is_blank(value):
        raise InputError("plot_id is missing; every plot needs a stable id such as 'JENA-0042'.")
    text = str(value).strip()
    if not PLOT_ID_PATTERN.match(text):
        raise InputError(
            f"plot_id {text!r} is not usable; use 1–64 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit."
        )
    return text


def parse_text(field: str, value: Any) -> str | None:
    """Return stripped text, or ``None`` for an empty value."""
    if _is_blank(value):
        return None
    text = str(value).strip()
    if len(text) > 10_000:
        raise InputError(f"{field}: text is longer than 10,000 characters.")
    return text


#: Why ``status`` is not edited like the other attributes, and what to do instead.
STATUS_EDIT_HINT = (
    "status is not edited like an attribute: move the plot along the workflow "
    "(allowed transitions only) with `stadtregion plots set-status` or POST /plots/{id}/status"
)


def unknown_fields_message(unknown: Iterable[str], also: Iterable[str] = ()) -> str:
    """The refusal of attribute names that are not editable: each one, and what is.

    Parameters
    ----------
    unknown
        The refused names (read-only ones are said to be so).
    also
        Further names the caller's input takes besides the attributes (e.g. ``version``).
    """
    names = sorted(set(unknown))
    said = [f"{n} (read-only: kept by the register)" if n in DERIVED_FIELDS else n for n in names]
    text = f"unknown or read-only plot attributes: {', '.join(said)}; editable are "
    text += ", ".join(EDITABLE_FIELDS)
    extra = list(also)
    if extra:
        text += f" (and {', '.join(extra)})"
    if "status" in names:
        text += f"; {STATUS_EDIT_HINT}"
    return text + "."


def parse_attributes(
    values: Mapping[str, Any], *, partial: bool = False, strict: bool = False
) -> dict[str, Any]:
    """Check the editable attributes in ``values`` and return them typed.

    Parameters
    ----------
    values
        Raw attribute values; keys outside :data:`EDITABLE_FIELDS` are refused.
    partial
        For an update: only the given keys are returned. Otherwise every editable field
        is returned, missing ones as ``unknown``/``None``/``False``.
    strict
        Vocabulary fields take only their codes (see :func:`parse_enum`).

    Raises
    ------
    InputError
        Naming every bad field at once (a bad value with the allowed ones).
    """
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(unknown_fields_message(unknown))
    keys = list(values) if partial else list(EDITABLE_FIELDS)
    out: dict[str, Any] = {}
    problems: list[str] = []
    for key in keys:
        try:
            out[key] = parse_value(key, values.get(key), strict=strict)
        except InputError as exc:
            problems.append(str(exc))
    if problems:
        raise InputError("; ".join(problems))
    return out


def parse_value(key: str, value: Any, *, strict: bool = False) -> Any:
    """Check the value of one editable attribute and return it typed.

    Vocabulary fields give their code (:func:`parse_enum`), ``confidential`` a bool
    (:func:`parse_bool`), the others stripped text or ``None`` (:func:`parse_text`).
    """
    if key in ENUM_FIELDS:
        return parse_enum(key, value, strict=strict).value
    if key == "confidential":
        return parse_bool(key, value)
    return parse_text(key, value)


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and pd.isna(value):
        return True
    return isinstance(value, str) and not value.strip()


# -- geometry ---------------------------------------------------------------------------
def check_geometry(geom: BaseGeometry | None, *, repair: bool = False) -> tuple[MultiPolygon, str]:
    """Check a plot geometry (already in EPSG:25832) and return it as a 2-D MultiPolygon.

    Parameters
    ----------
    geom
        The geometry in the working CRS.
    repair
        Repair an invalid polygon with :func:`shapely.make_valid` (keeping its polygonal
        parts) instead of refusing it.

    Returns
    -------
    (MultiPolygon, note)
        ``note`` says what was repaired, or is empty.

    Raises
    ------
    GeometryError
        ``empty_geometry``, ``not_polygon``, ``zero_area`` or ``invalid_geometry``.
    """
    if geom is None or geom.is_empty:
        raise GeometryError("empty_geometry", "geometry is missing or empty.")
    if not isinstance(geom, Polygon | MultiPolygon):
        raise GeometryError(
            "not_polygon",
            f"geometry is a {geom.geom_type}; a plot must be a Polygon or MultiPolygon.",
        )
    geom = shapely.force_2d(geom)
    if geom.area < MIN_AREA_M2:
        raise GeometryError(
            "zero_area", f"geometry has an area of {geom.area:.3g} m², i.e. 0 ha (at least 1 m²)."
        )
    note = ""
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        if not repair:
            raise GeometryError(
                "invalid_geometry",
                f"geometry is invalid ({reason}); fix it or import with --repair.",
            )
        fixed = shapely.make_valid(geom)
        polys = [
            g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon | MultiPolygon)
        ]
        fixed = shapely.union_all(polys) if polys else None
        if fixed is None or fixed.is_empty or fixed.area < MIN_AREA_M2:
            raise GeometryError(
                "invalid_geometry", f"geometry is invalid ({reason}) and cannot be repaired."
            )
        note = (
            f"repaired invalid geometry ({reason}); area {geom.area / 1e4:.4f} ha → "
            f"{fixed.area / 1e4:.4f} ha"
        )
        geom = fixed
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    return geom, note


def area_ha(geom: BaseGeometry) -> float:
    """Planar area of a geometry in EPSG:25832, in hectares, rounded to 1 m²."""
    return round(float(geom.area) / 1e4, 4)


def derive_municipality(
    geoms: gpd.GeoSeries, municipalities: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """Return the municipality (``ags``, ``municipality``) each geometry lies in.

    A plot that straddles a boundary goes to the municipality holding the largest part of
    it. A plot outside every municipality (or when no municipality layer is given) gets
    ``None`` for both: the data does not say.

    Parameters
    ----------
    geoms
        Plot geometries in EPSG:25832.
    municipalities
        Municipalities with columns ``ags``, ``name`` (or ``gen``) and geometry.
    """
    out = pd.DataFrame(
        {"ags": [None] * len(geoms), "municipality": [None] * len(geoms)},
        index=geoms.index,
        dtype=object,
    )
    if municipalities is None or len(geoms) == 0:
        return out
    if geoms.crs is None or municipalities.crs is None:
        raise InputError("derive_municipality needs geometries with a CRS (EPSG:25832).")
    mun = municipalities.to_crs(WORK_CRS)
    name_col = "name" if "name" in mun.columns else "gen"
    left = gpd.GeoDataFrame(
        {"_i": range(len(geoms))}, geometry=geoms.to_crs(WORK_CRS).values, crs=WORK_CRS
    )
    pairs = gpd.sjoin(left, mun[["ags", name_col, "geometry"]], predicate="intersects")
    if pairs.empty:
        return out
    overlap = shapely.area(
        shapely.intersection(
            left.geometry.values[pairs["_i"].to_numpy()],
            mun.geometry.values[mun.index.get_indexer(pairs["index_right"])],
        )
    )
    pairs = pairs.assign(_overlap=overlap).sort_values("_overlap", ascending=False)
    best = pairs.drop_duplicates("_i")
    pos = best["_i"].to_numpy()
    ags = out["ags"].to_numpy(copy=True)
    names = out["municipality"].to_numpy(copy=True)
    ags[pos] = best["ags"].astype(str).to_numpy()
    names[pos] = best[name_col].astype(str).to_numpy()
    return pd.DataFrame({"ags": ags, "municipality": names}, index=geoms.index, dtype=object)


# -- status workflow --------------------------------------------------------------------
def check_transition(current: Status | str, target: Status | str, reason: str | None) -> Status:
    """Return ``target`` as :class:`Status` if the workflow allows ``current`` → ``target``.

    Raises
    ------
    InputError
        For an unknown status value, or a withdrawal without a reason.
    TransitionError
        For a change the workflow does not allow (a :class:`ConflictError`: HTTP 409).
    """
    cur = Status(parse_enum("status", current))
    tgt = Status(parse_enum("status", target))
    allowed = TRANSITIONS[cur]
    if tgt not in allowed:
        nxt = ", ".join(s.value for s in sorted(allowed)) or "none (final status)"
        raise TransitionError(
            f"status change {cur.value} → {tgt.value} is not allowed; from {cur.value} "
            f"the next status can be: {nxt}."
        )
    if tgt in REASON_REQUIRED and not (reason and reason.strip()):
        raise InputError(f"a change to {tgt.value} needs a reason (--reason).")
    return tgt


# -- records ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Plot:
    """One stored plot, as the store returns it (geometry in EPSG:25832)."""

    plot_id: str
    name: str | None
    address: str | None
    category: str
    owner_type: str
    planning_status: str
    fnp_designation: str | None
    contamination: str
    status: str
    current_use: str | None
    intended_use: str | None
    confidential: bool
    notes: str | None
    source: str | None
    published: bool
    area_ha: float
    ags: str | None
    municipality: str | None
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str
    version: int
    geometry: MultiPolygon

    def properties(self) -> dict[str, Any]:
        """All attributes but the geometry, JSON-ready (timestamps as ISO 8601 UTC)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "geometry":
                continue
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else value
        return out

    def to_feature(self, crs: str = WEB_CRS) -> dict[str, Any]:
        """Return the plot as a GeoJSON Feature (EPSG:4326 by default, as RFC 7946 asks)."""
        geom = self.geometry
        if crs != WORK_CRS:
            geom = gpd.GeoSeries([geom], crs=WORK_CRS).to_crs(crs).iloc[0]
        return {
            "type": "Feature",
            "id": self.plot_id,
            "geometry": shapely.geometry.mapping(geom),
            "properties": self.properties(),
        }


@dataclass(frozen=True)
class HistoryEntry:
    """One row of a plot's history: created, a status change, an edit, published or unpublished."""

    id: int
    plot_id: str
    at: datetime
    actor: str
    event: str
    from_status: str | None
    to_status: str | None
    reason: str | None
    changes: dict[str, Any] | None
    version: int
    #: Who could see the plot when the row was written: ``public``, ``internal`` or
    #: ``landpool`` (:mod:`geo.landpool.public`); a row is never shown to anyone else.
    visibility: str = "landpool"
    #: SHA-256 chained to the previous row's (:mod:`geo.landpool.history_chain`).
    hash: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form of the entry."""
        out = asdict(self)
        out["at"] = self.at.isoformat()
        return out


def plots_to_frame(plots: list[Plot]) -> gpd.GeoDataFrame:
    """Return plots as a GeoDataFrame in EPSG:25832 (one column per attribute)."""
    columns = [f.name for f in fields(Plot) if f.name != "geometry"]
    rows = [p.properties() for p in plots]
    frame = pd.DataFrame(rows, columns=columns)
    return gpd.GeoDataFrame(frame, geometry=[p.geometry for p in plots], crs=WORK_CRS)
