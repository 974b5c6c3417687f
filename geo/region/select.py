"""Looking up and selecting municipalities of a region model: by name or code, distance, district.

Pure functions on the region model (:func:`geo.region.model.build_region`); nothing is
read and no input is modified. Distances are straight lines between the municipalities'
centres (``centre_x``, ``centre_y`` in EPSG:25832).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import AmbiguousNameError, InputError, UnknownMunicipalityError
from geo.region.names import match_name
from geo.settings import WORK_CRS


def find_municipality(region: gpd.GeoDataFrame, query: str) -> pd.Series:
    """Return the row of one municipality by name, 8-digit AGS or 12-digit RS.

    Raises
    ------
    UnknownMunicipalityError
        With the closest names.
    AmbiguousNameError
        When a name fits several municipalities.
    """
    q = str(query).strip()
    if q.isdigit():
        col = {8: "ags", 12: "rs"}.get(len(q))
        if col is None:
            raise InputError(
                f"municipality code {q!r} has {len(q)} digits; give an 8-digit AGS or a "
                "12-digit Regionalschlüssel."
            )
        hit = region.index[region[col] == q]
        if len(hit) == 0:
            raise UnknownMunicipalityError(q)
        return region.loc[hit[0]]
    names = pd.Series(region["name"].to_numpy(), index=region.index)
    try:
        return region.loc[match_name(q, names)]
    except AmbiguousNameError as exc:
        hits = region.loc[exc.labels]
        raise AmbiguousNameError(
            q, [f"{r['name']} (AGS {r['ags']}, {r['district']})" for _, r in hits.iterrows()]
        ) from None


def centres(region: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the municipalities' centres as points (EPSG:25832), attributes kept."""
    pts = gpd.points_from_xy(region["centre_x"], region["centre_y"])
    return gpd.GeoDataFrame(region.drop(columns="geometry"), geometry=pts, crs=WORK_CRS)


def distance_km(region: gpd.GeoDataFrame, of: str) -> pd.Series:
    """Straight-line distance in km from the centre of municipality ``of`` to every centre."""
    origin = find_municipality(region, of)
    dx = region["centre_x"].astype(float) - float(origin["centre_x"])
    dy = region["centre_y"].astype(float) - float(origin["centre_y"])
    return np.round(np.hypot(dx, dy) / 1000.0, 2).rename("dist_km")


def select_within_km(region: gpd.GeoDataFrame, of: str, within_km: float) -> gpd.GeoDataFrame:
    """Municipalities whose centre lies within ``within_km`` of the centre of ``of``.

    The result has a ``dist_km`` column and is sorted by it.
    """
    if not np.isfinite(within_km) or within_km <= 0:
        raise InputError(f"within_km must be a positive number of kilometres, got {within_km}.")
    dist = distance_km(region, of)
    out = region.assign(dist_km=dist)
    return out[out["dist_km"] <= within_km].sort_values(["dist_km", "ags"])


def find_district(region: gpd.GeoDataFrame, name: str) -> str:
    """Return the district AGS for a district name or 5-digit code (forgiving look-up)."""
    q = str(name).strip()
    districts = region.drop_duplicates("district_ags").set_index("district_ags")["district"]
    if q.isdigit() and len(q) == 5:
        if q not in districts.index:
            raise UnknownMunicipalityError(q)
        return q
    try:
        return str(match_name(q, districts, what="district"))
    except UnknownMunicipalityError as exc:
        raise UnknownMunicipalityError(q, exc.suggestions) from None


def select_district(region: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    """Municipalities of one district (Landkreis or kreisfreie Stadt)."""
    code = find_district(region, name)
    return region[region["district_ags"] == code]


def select_names(region: gpd.GeoDataFrame, names: Iterable[str]) -> gpd.GeoDataFrame:
    """Municipalities given by names, AGS or RS (in the order given, no duplicates)."""
    labels: list[object] = []
    for n in names:
        label = find_municipality(region, n).name
        if label not in labels:
            labels.append(label)
    if not labels:
        raise InputError("names is empty; give at least one municipality name or code.")
    return region.loc[labels]


def select(
    region: gpd.GeoDataFrame,
    *,
    of: str | None = None,
    within_km: float | None = None,
    district: str | None = None,
    names: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Apply the region selections the CLI and the API offer, in one place.

    ``dist_km`` (to ``of``, default Jena) is always added. ``within_km`` keeps the
    municipalities within that distance of ``of``; ``district`` keeps one district;
    ``names`` keeps the listed municipalities. Filters combine with AND.
    """
    out = region.assign(dist_km=distance_km(region, of or "Jena"))
    if within_km is not None:
        out = select_within_km(out, of or "Jena", within_km)
    if district is not None:
        out = out[out["district_ags"] == find_district(region, district)]
    if names:
        keep = select_names(region, names).index
        out = out[out.index.isin(keep)]
    return out.sort_values(["dist_km", "ags"])
