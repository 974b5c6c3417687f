"""Population sums that count every resident once, for one named reference year.

Every sum of population in the toolkit (reachable summaries, batch ``pop_within_*``,
legends, validation) goes through :func:`population_total` or
:func:`reference_population`. The region model's ``population`` column is the figure
of the reference year (the latest year of the data) under each municipality's own
code; a municipality dissolved before it has none: its residents are in the figure of
its successor (:mod:`geo.region.territory`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import InputError


def reference_year(region: pd.DataFrame) -> int:
    """The one reference year of population sums: the latest ``population_YYYY`` column.

    Raises
    ------
    InputError
        When the frame has no population series.
    """
    years = [int(str(c)[11:]) for c in region.columns if re.fullmatch(r"population_\d{4}", str(c))]
    if not years:
        raise InputError("the region has no population_YYYY columns; rebuild the model.")
    return max(years)


def population_total(rows: pd.DataFrame) -> dict[str, Any]:
    """Sum the population of region-model ``rows`` so that every resident is counted once.

    Only figures of one reference year (:func:`reference_year`) are added: the
    ``population`` column, the reference-year figure under each municipality's own
    code. A municipality dissolved before the reference year adds nothing: its residents
    are in its successor's figure (counted where the successor is among ``rows``).

    Returns
    -------
    dict
        ``population_reached`` (the sum), ``population_year`` (``None`` for a frame
        without ``population_YYYY`` columns), ``population_unknown``
        (rows without a figure that were not dissolved into a known successor) and
        ``population_in_successor`` (dissolved rows, their residents counted with the
        successor).
    """
    if "population" not in rows.columns:
        raise InputError("rows have no 'population' column; give a region model's rows.")
    pop = pd.to_numeric(rows["population"], errors="coerce")
    missing = pop.isna().to_numpy()
    if "successor" in rows.columns:
        dissolved = missing & rows["successor"].fillna("").astype(str).ne("").to_numpy()
    else:
        dissolved = np.zeros(len(rows), dtype=bool)
    return {
        "population_reached": int(pop.sum(skipna=True)),
        "population_year": _year_or_none(rows),
        "population_unknown": int((missing & ~dissolved).sum()),
        "population_in_successor": int(dissolved.sum()),
    }


def _year_or_none(rows: pd.DataFrame) -> int | None:
    try:
        return reference_year(rows)
    except InputError:  # a frame with only the reference figure (``population``)
        return None


def reference_population(region: pd.DataFrame) -> np.ndarray:
    """Per row, the reference-year figure (0 where none) as floats, for vector sums."""
    return pd.to_numeric(region["population"], errors="coerce").fillna(0).to_numpy(dtype=float)


def check_population_table(population: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of a Destatis table with 12-digit ``rs``; refuse one that cannot be used.

    Raises
    ------
    InputError
        Naming the missing columns, a repeated Regionalschlüssel or an area that is not
        a number.
    """
    need = ["rs", "area_km2", "center_lon", "center_lat"]
    missing = [c for c in need if c not in population.columns]
    if missing:
        raise InputError(
            f"population lacks the column(s) {', '.join(missing)}; the Destatis table needs "
            f"{', '.join(need)} and population_YYYY."
        )
    pop = population.copy()
    pop["rs"] = pop["rs"].astype(str).str.zfill(12)
    dup = pop.loc[pop["rs"].duplicated(), "rs"].unique()
    if len(dup):
        raise InputError(
            f"population has {len(dup)} repeated Regionalschlüssel (e.g. {dup[0]}); each code "
            "must appear once."
        )
    numeric = ["area_km2", *[c for c in pop.columns if re.fullmatch(r"population_\d{4}", str(c))]]
    for col in numeric:
        bad = pd.to_numeric(pop[col], errors="coerce").isna() & pop[col].notna()
        if bad.any():
            raise InputError(
                f"population column {col} holds {int(bad.sum())} value(s) that are not "
                f"numbers (e.g. {pop.loc[bad, col].iloc[0]!r} for {pop.loc[bad, 'rs'].iloc[0]})."
            )
        pop[col] = pd.to_numeric(pop[col])
    return pop
