"""Use case: the derived site attributes of one plot, as plot screening derives them.

The register's plot page shows, beside the attributes the team types in, what
:func:`geo.screening.attributes.derive_attributes` computes for the plot from real
layers: terrain (DEM), flood share (only with an HQ100 layer), nature reserves, water,
stations, tram, car minutes to the centre and to a station. A value the layers cannot
give stays unknown, with the reason (no layer loaded, plot outside its coverage, not
reachable), never a made-up 0.

The plot is read *as the viewer* (:meth:`geo.landpool.store.Store.get`): a plot the
viewer may not see answers :class:`~geo.errors.NotFoundError` as elsewhere.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geo.errors import DataSourceError
from geo.landpool.plots import Viewer, plots_to_frame
from geo.landpool.store import Store
from geo.screening.attributes import derive_attributes
from geo.screening.io import RESULT_ATTRIBUTIONS, load_layers
from geo.settings import Settings


@dataclass(frozen=True)
class SiteColumn:
    """One derived value: its column, unit (``m``, ``pct``, ``share``, ``min`` or ``""``
    for text) and the group of its reason keys (``geo.vocabulary`` group ``decide``)."""

    column: str
    unit: str
    why_group: str


#: The derived values of a plot, in the order a page shows them.
SITE_COLUMNS: tuple[SiteColumn, ...] = (
    SiteColumn("elev_mean_m", "m", "terrain"),
    SiteColumn("slope_mean_pct", "pct", "terrain"),
    SiteColumn("slope_max_pct", "pct", "terrain"),
    SiteColumn("steep_share", "share", "terrain"),
    SiteColumn("flood_share", "share", "flood_share"),
    SiteColumn("reserve_share", "share", "reserve_share"),
    SiteColumn("water_proximity_m", "m", "water_proximity_m"),
    SiteColumn("dist_station_m", "m", "dist_station_m"),
    SiteColumn("nearest_station", "", "dist_station_m"),
    SiteColumn("dist_tram_m", "m", "dist_tram_m"),
    SiteColumn("car_min_centre", "min", "car"),
    SiteColumn("car_min_station", "min", "car"),
)

#: Keys of ``derive_notes`` that explain a column's missing value (default: the column).
_NOTE_KEYS: dict[str, tuple[str, ...]] = {
    "terrain": ("terrain",),
    "car": ("car minutes", "car_min_centre", "car_min_station"),
    "dist_station_m": ("dist_station_m", "car_min_station"),
}


@dataclass(frozen=True)
class SiteValue:
    """One derived value of a plot.

    Attributes
    ----------
    column
        Its column (see :data:`SITE_COLUMNS`).
    unit
        ``m``, ``pct``, ``share`` (0–1), ``min`` or ``""`` (text).
    value
        The value, ``None`` when the layers do not give it (unknown).
    why
        For an unknown value, the ``decide`` word key saying why (``terrain.outside``).
    note
        For an unknown value, the note :func:`derive_attributes` left (English).
    """

    column: str
    unit: str
    value: float | str | None
    why: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class SiteAttributes:
    """What the layers say about one plot.

    ``missing`` is set (and ``values`` empty) when the layers could not be read at all
    (the data pack is not set up on this server).
    """

    plot_id: str
    values: list[SiteValue] = field(default_factory=list)
    steep_threshold_pct: float | None = None
    layer_versions: dict[str, str] = field(default_factory=dict)
    attributions: list[str] = field(default_factory=list)
    missing: str | None = None


def _plain(value: Any) -> float | str | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str):
        return value or None
    number = float(value)
    return None if math.isnan(number) else number


def _why(notes: str, group: str, column: str) -> tuple[str, str | None]:
    """The ``decide`` key and the note that explain an unknown value of ``column``."""
    keys = _NOTE_KEYS.get(group, (column,))
    pattern = "|".join(re.escape(k) for k in keys)
    found = re.search(rf"(?:^|; )((?:{pattern}): [^;]*)", notes)
    if found is None:
        return f"{group}.no_layer", None
    text = found.group(1)
    kind = (
        "unreachable"
        if "reachable" in text
        else "outside"
        if re.search("outside|not inside", text)
        else "no_layer"
    )
    return f"{group}.{kind}", text


def plot_site(settings: Settings, store: Store, viewer: Viewer, plot_id: str) -> SiteAttributes:
    """Derive the site attributes of one plot ``viewer`` may see.

    Raises
    ------
    NotFoundError
        No such plot, or one ``viewer`` may not see.
    """
    plot = store.get(viewer, plot_id)
    frame = plots_to_frame([plot])
    try:
        layers = load_layers(settings, bounds=tuple(frame.total_bounds))
    except DataSourceError as exc:
        return SiteAttributes(plot.plot_id, missing=str(exc))
    row = derive_attributes(frame, layers).iloc[0]
    notes = str(row.get("derive_notes") or "")
    values = []
    for col in SITE_COLUMNS:
        value = _plain(row.get(col.column))
        why, note = _why(notes, col.why_group, col.column) if value is None else (None, None)
        values.append(SiteValue(col.column, col.unit, value, why, note))
    versions = json.loads(str(row.get("layer_versions") or "{}"))
    attributions = list(RESULT_ATTRIBUTIONS)
    if layers.flood is not None:
        attributions.append(f"HQ100: {layers.flood.version}")
    threshold = _plain(row.get("steep_threshold_pct"))
    return SiteAttributes(
        plot.plot_id,
        values,
        threshold if isinstance(threshold, float) else None,
        {str(k): str(v) for k, v in versions.items()},
        attributions,
    )


__all__ = ["SITE_COLUMNS", "SiteAttributes", "SiteColumn", "SiteValue", "plot_site"]
