"""The region model: municipalities, their population series, trend and selection.

Pure functions on (Geo)DataFrames: nothing here reads files (see :mod:`geo.sources`)
and no input frame is modified. Everything metric happens in EPSG:25832.

Trend classes
-------------
The trend of a municipality is computed between the first and the last year for which
Destatis gives a population under its Regionalschlüssel:

* ``change_pct`` = (last / first - 1) * 100
* ``change_pct_per_year`` = ((last / first) ** (1 / years) - 1) * 100 (compound annual rate)
* ``trend_class``: ``growing`` when the annual rate is at least
  :data:`GROWING_MIN_PCT_PER_YEAR`, ``shrinking`` when it is at most
  :data:`SHRINKING_MAX_PCT_PER_YEAR`, ``stable`` in between, ``unknown`` when fewer than
  two years are present.

Trends are computed only on a common territory (see :mod:`geo.region.territory`): a successor
whose predecessors are proven compares the earlier figures summed over successor and
predecessors with its later figure; where a territorial change is not proven the trend
is ``unknown`` and ``trend_note`` names the change. ``trend_basis`` says in plain words
which years and which territory the trend rests on.

Population
----------
``population`` is the figure of one reference year, the latest year of the data
(:func:`geo.region.territory.reference_year`), under the municipality's own code; a
municipality dissolved before it has none (its residents are in its successor's
figure). Every sum of population goes through :func:`geo.region.territory.population_total`.

Centres
-------
A municipality's centre is the centre point Destatis publishes in its
Gemeindeverzeichnis (the main settlement), reprojected to EPSG:25832
(``centre_x``, ``centre_y`` in metres). Distances between municipalities are
straight-line distances between these centres.
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.errors import CRSError, InputError
from geo.region import territory

# re-exported: callers keep geo.region.model.find_municipality, .select, .normalize_name, ...
from geo.region.names import base_name as base_name
from geo.region.names import match_name as match_name
from geo.region.names import normalize_name as normalize_name
from geo.region.population import check_population_table
from geo.region.select import centres as centres
from geo.region.select import distance_km as distance_km
from geo.region.select import find_district as find_district
from geo.region.select import find_municipality as find_municipality
from geo.region.select import select as select
from geo.region.select import select_district as select_district
from geo.region.select import select_names as select_names
from geo.region.select import select_within_km as select_within_km
from geo.settings import WORK_CRS

#: Annual rate (in % per year) from which a municipality counts as growing.
GROWING_MIN_PCT_PER_YEAR = 0.25
#: Annual rate (in % per year) up to which a municipality counts as shrinking.
SHRINKING_MAX_PCT_PER_YEAR = -0.25

TREND_CLASSES = ("growing", "stable", "shrinking", "unknown")

_POP_COL = re.compile(r"^population_(\d{4})$")


# -- helpers -----------------------------------------------------------------


def require_crs(gdf: gpd.GeoDataFrame, name: str = "gdf") -> None:
    """Raise :class:`CRSError` when ``gdf`` has no CRS.

    Parameters
    ----------
    gdf
        The frame to check.
    name
        The argument name used in the message.
    """
    if gdf.crs is None:
        raise CRSError(
            f"{name} has no CRS; set one with .set_crs(...) before passing it "
            f"(the working CRS is {WORK_CRS})."
        )


def to_work_crs(gdf: gpd.GeoDataFrame, name: str = "gdf") -> gpd.GeoDataFrame:
    """Return ``gdf`` in the working CRS (EPSG:25832); refuse data without a CRS."""
    require_crs(gdf, name)
    return gdf.to_crs(WORK_CRS)


def population_years(df: pd.DataFrame) -> list[int]:
    """Return the years of the ``population_YYYY`` columns of ``df``, ascending."""
    years = [int(m.group(1)) for c in df.columns if (m := _POP_COL.match(str(c)))]
    return sorted(years)


# -- building the model ------------------------------------------------------


def join_population(
    municipalities: gpd.GeoDataFrame, population: pd.DataFrame
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Join the Destatis population series to municipality geometries by ``rs``.

    No municipality is dropped and no value is filled in: a year without a figure
    under a municipality's Regionalschlüssel (the code changed by a merger) stays
    empty and is reported.

    Parameters
    ----------
    municipalities
        VG250 ``gemeinden`` with columns ``ags``, ``rs``, ``gen``, ``bez``.
    population
        Destatis table with ``rs``, ``population_YYYY`` columns, ``area_km2``,
        ``center_lon`` and ``center_lat``.

    Returns
    -------
    (GeoDataFrame, DataFrame)
        The joined municipalities (EPSG:25832) and the join report with one row per
        finding: ``kind`` (``missing_year`` or ``no_geometry``), ``rs``, ``ags``,
        ``name``, ``years`` and ``detail``.
    """
    gdf = to_work_crs(municipalities, "municipalities")
    years = population_years(population)
    if not years:
        raise InputError("population has no population_YYYY columns; check the Destatis table.")
    pop = check_population_table(population)
    joined = gdf.merge(pop, on="rs", how="left", validate="one_to_one")
    for y in years:
        joined[f"population_{y}"] = joined[f"population_{y}"].round().astype("Int64")

    rows: list[dict[str, object]] = []
    for _, r in joined.iterrows():
        missing = [str(y) for y in years if pd.isna(r[f"population_{y}"])]
        if missing:
            rows.append(
                {
                    "kind": "missing_year",
                    "rs": r["rs"],
                    "ags": r["ags"],
                    "name": r["gen"],
                    "years": ";".join(missing),
                    "detail": "Destatis gives no population under this Regionalschlüssel "
                    f"in {', '.join(missing)} (municipal merger or code change); left empty",
                }
            )
    orphans = pop[~pop["rs"].isin(gdf["rs"])]
    for _, r in orphans.iterrows():
        present = [str(y) for y in years if not pd.isna(r[f"population_{y}"])]
        rows.append(
            {
                "kind": "no_geometry",
                "rs": r["rs"],
                "ags": r["rs"][:5] + r["rs"][9:],
                "name": "",
                "years": ";".join(present),
                "detail": "population row whose Regionalschlüssel has no VG250 2016 "
                "municipality (created by a later merger); not mapped",
            }
        )
    report = pd.DataFrame(rows, columns=["kind", "rs", "ags", "name", "years", "detail"])
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=gdf.crs), report


def add_trend(
    gdf: gpd.GeoDataFrame,
    series: np.ndarray | None = None,
    unknown: np.ndarray | None = None,
) -> gpd.GeoDataFrame:
    """Return a copy with trend columns computed from the ``population_YYYY`` columns.

    Adds ``first_year``, ``last_year``, ``population``, ``change_pct``,
    ``change_pct_per_year``, ``trend_class`` and ``missing_years``. See the module
    docstring for the definitions and thresholds.

    Parameters
    ----------
    gdf
        Municipalities with ``population_YYYY`` columns.
    series
        The figures on each row's common territory (rows × years, NaN where a year's
        figure does not refer to it), from :func:`geo.region.territory.detect_territory`;
        the rows' own figures when ``None``.
    unknown
        Rows whose trend is unknown (a territorial change not proven).
    """
    years = population_years(gdf)
    out = gdf.copy()
    own = np.column_stack(
        [
            out[f"population_{y}"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            for y in years
        ]
    )
    values = own if series is None else np.array(series, dtype=float)
    if unknown is not None:
        values = np.where(np.asarray(unknown, dtype=bool)[:, None], np.nan, values)
    present = ~np.isnan(values)
    n = len(out)
    first_idx = np.where(present.any(axis=1), present.argmax(axis=1), -1)
    last_idx = np.where(present.any(axis=1), len(years) - 1 - present[:, ::-1].argmax(axis=1), -1)
    yrs = np.array(years)
    first_year = np.where(first_idx >= 0, yrs[first_idx], -1)
    last_year = np.where(last_idx >= 0, yrs[last_idx], -1)
    rows = np.arange(n)
    first_val = np.where(first_idx >= 0, values[rows, first_idx], np.nan)
    last_val = np.where(last_idx >= 0, values[rows, last_idx], np.nan)
    span = (last_year - first_year).astype(float)
    valid = (span > 0) & (first_val > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = last_val / first_val
        change = np.where(valid, (ratio - 1) * 100, np.nan)
        rate = np.where(valid, (np.power(ratio, 1 / np.where(span > 0, span, 1)) - 1) * 100, np.nan)
    out["first_year"] = pd.array(np.where(first_year > 0, first_year, 0), dtype="Int64")
    out.loc[first_year < 0, "first_year"] = pd.NA
    out["last_year"] = pd.array(np.where(last_year > 0, last_year, 0), dtype="Int64")
    out.loc[last_year < 0, "last_year"] = pd.NA
    ref = own[:, -1]
    out["population"] = pd.array(np.where(np.isnan(ref), 0, ref), dtype="Int64")
    out.loc[np.isnan(ref), "population"] = pd.NA
    out["change_pct"] = np.round(change, 2)
    out["change_pct_per_year"] = np.round(rate, 3)
    out["trend_class"] = classify_trend(pd.Series(rate, index=out.index))
    out["missing_years"] = [
        ";".join(str(y) for y, p in zip(years, row, strict=True) if not p) for row in ~np.isnan(own)
    ]
    return out


def classify_trend(rate_pct_per_year: pd.Series) -> pd.Series:
    """Classify annual rates (% per year) as growing / stable / shrinking / unknown."""
    r = rate_pct_per_year.astype(float)
    cls = np.select(
        [r.isna(), r >= GROWING_MIN_PCT_PER_YEAR, r <= SHRINKING_MAX_PCT_PER_YEAR],
        ["unknown", "growing", "shrinking"],
        default="stable",
    )
    return pd.Series(cls, index=rate_pct_per_year.index, dtype=object)


def add_districts(gdf: gpd.GeoDataFrame, districts: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return a copy with ``district_ags``, ``district`` and ``district_type`` columns.

    The district (Landkreis or kreisfreie Stadt) is given by the first five digits of
    the AGS.
    """
    d = pd.DataFrame(
        {
            "district_ags": districts["ags"].astype(str),
            "district": districts["gen"].astype(str),
            "district_type": districts["bez"].astype(str),
        }
    )
    out = gdf.copy()
    out["district_ags"] = out["ags"].astype(str).str[:5]
    merged = out.merge(d, on="district_ags", how="left")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=gdf.crs)


def add_centres(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with ``centre_x``/``centre_y`` (EPSG:25832, metres) from Destatis centres.

    Where Destatis gives no centre, the point on the surface of the polygon is used.
    """
    out = gdf.copy()
    pts = gpd.GeoSeries(
        gpd.points_from_xy(out["center_lon"], out["center_lat"]), crs="EPSG:4326"
    ).to_crs(WORK_CRS)
    fallback = out.geometry.representative_point()
    xs = np.where(out["center_lon"].isna(), fallback.x, pts.x.to_numpy())
    ys = np.where(out["center_lat"].isna(), fallback.y, pts.y.to_numpy())
    out["centre_x"] = np.round(xs, 1)
    out["centre_y"] = np.round(ys, 1)
    return out


def add_density(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy with ``density_per_km2`` (latest population / Destatis area)."""
    out = gdf.copy()
    area = out["area_km2"].astype(float)
    pop = out["population"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["density_per_km2"] = np.round(np.where(area > 0, pop / area, np.nan), 1)
    return out


#: Numeric ISEK columns of the model.
ISEK_NUMBERS = ("isek_population", "isek_trend_2008_2015_pct")
#: ISEK minutes to Jena: model column -> column of ``data/raw/isek_umland.csv``.
ISEK_MINUTES = {
    "isek_rail_minutes": "rail_minutes_jena_isek",
    "isek_car_minutes": "car_minutes_jena_isek",
}


def attach_isek(gdf: gpd.GeoDataFrame, isek: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """Return a copy with the ISEK Jena 2030 neighbour-town facts beside computed values.

    Each ISEK town is found by the forgiving name look-up; its row gets
    ``isek_population``, ``isek_trend_2008_2015_pct`` (empty where the source is
    unreadable), ``isek_rail_minutes`` and ``isek_car_minutes`` (minutes to Jena the sheet
    gives, where the table has them), ``isek_note``, ``isek_infrastructure`` and
    ``isek_source``. Other rows stay empty.
    """
    out = gdf.copy()
    for col in (*ISEK_NUMBERS, *ISEK_MINUTES):
        out[col] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    for col in ("isek_note", "isek_infrastructure", "isek_source"):
        out[col] = pd.Series("", index=out.index, dtype=object)
    if isek is None:
        return out
    names = pd.Series(out["gen"].to_numpy(), index=out.index)
    for _, row in isek.iterrows():
        idx = match_name(row["town"], names)
        out.loc[idx, "isek_population"] = float(row["population_isek"])
        trend = str(row["trend_2008_2015_pct_isek"]).strip()
        if trend:
            out.loc[idx, "isek_trend_2008_2015_pct"] = float(trend)
        for col, src in ISEK_MINUTES.items():
            value = str(row.get(src, "")).strip()
            if value:
                out.loc[idx, col] = float(value)
        out.loc[idx, "isek_note"] = row.get("trend_note", "")
        out.loc[idx, "isek_infrastructure"] = row["infrastructure_isek"]
        out.loc[idx, "isek_source"] = row["source"]
    return out


#: Column order of the region model (geometry last).
MODEL_COLUMNS = [
    "ags",
    "rs",
    "name",
    "bez",
    "district_ags",
    "district",
    "district_type",
]


def build_region(
    municipalities: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    population: pd.DataFrame,
    isek: pd.DataFrame | None = None,
    water: gpd.GeoDataFrame | None = None,
    territorial: bool = True,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Build the region model from its sources (``isek`` only for the Jena region).

    Parameters
    ----------
    municipalities, districts, population, isek
        VG250 land parts and districts, the Destatis table, the ISEK facts.
    water
        VG250 water parts (``gf`` = 2), counted in the area comparison.
    territorial
        Detect territorial changes (:mod:`geo.region.territory`); ``False`` only to measure
        the step (every row then counts as unchanged).

    Returns
    -------
    (GeoDataFrame, DataFrame)
        Municipalities (EPSG:25832) with population series, trend, territory columns,
        density, centre, district and ISEK facts; and the join report (see
        :func:`join_population`; with one ``territory_change`` or ``code_change`` row
        per change and its evidence, and a ``tolerance`` row).
    """
    joined, report = join_population(municipalities, population)
    if territorial:
        joined, series, unknown, report = territory.attach_territory(
            joined, population, water, report
        )
        model = add_trend(joined, series, unknown)
    else:
        model = territory.unchanged(add_trend(joined))
    model = add_districts(model, districts)
    model = add_centres(model)
    model = add_density(model)
    model = attach_isek(model, isek)
    model = model.rename(columns={"gen": "name"})
    years = population_years(model)
    cols = [
        *MODEL_COLUMNS,
        *[f"population_{y}" for y in years],
        "first_year",
        "last_year",
        "population",
        "change_pct",
        "change_pct_per_year",
        "trend_class",
        "missing_years",
        *territory.TERRITORY_COLUMNS,
        "area_km2",
        "vg250_area_km2",
        "density_per_km2",
        "centre_x",
        "centre_y",
        "isek_population",
        "isek_trend_2008_2015_pct",
        "isek_rail_minutes",
        "isek_car_minutes",
        "isek_note",
        "isek_infrastructure",
        "isek_source",
        "geometry",
    ]
    model = model[cols].sort_values("ags").reset_index(drop=True)
    return gpd.GeoDataFrame(model, geometry="geometry", crs=WORK_CRS), report


#: Data files the region model is made of (keys of ``geo.sources.ATTRIBUTIONS``).
REGION_SOURCES = (
    "vg250_thueringen_2016.gpkg",
    "population_destatis_thueringen.csv",
    "isek_umland.csv",
    "inkar_erreichbarkeit_2020.csv",
)


def table_columns(region: gpd.GeoDataFrame) -> list[str]:
    """Columns of the planners' table: name, codes, population series, trend, distance."""
    years = population_years(region)
    cols = [
        "name",
        "ags",
        "district",
        *[f"population_{y}" for y in years],
        "change_pct",
        "change_pct_per_year",
        "trend_class",
        "dist_km",
        "missing_years",
        *territory.TERRITORY_COLUMNS,
    ]
    return [c for c in cols if c in region.columns]
