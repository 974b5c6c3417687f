"""Territorial changes: which territory each year's population figure refers to.

VG250 gives the municipalities' boundaries of 1 January 2016; the Destatis series gives
figures for 31.12.2013, 2014 and 2018 under the Regionalschlüssel of that time, with the
area (``area_km2``) published with the latest figure of each code. Municipal mergers
between those dates make a figure refer to another territory than the 2016 polygon.
This module finds out, from the data alone, where that is so, rebuilds the territory of a
successor where the data proves it, and gives every municipality a population series on
one common territory for its trend. Pure functions; nothing here reads files.

Evidence
--------
* **Codes**: a 2016 municipality with figures only in early years was *absorbed*; a code
  with figures only in late years and no 2016 geometry was *created* by a merger; a code
  without 2016 geometry and only early figures was absorbed before 2016.
* **Areas**: the Destatis area of a code's latest figure against the area of its 2016
  VG250 geometry, land parts (``gf`` = 4) *and* water parts (``gf`` = 2: the Wadden Sea
  of Helgoland, the Stettin Lagoon of Ueckermünde, the Flensburg Fjord of Glücksburg),
  which Destatis counts. Areas are computed in EPSG:25832 and corrected for the UTM
  scale factor (``k`` at the part's centroid), so eastern Germany (UTM zone 33) is not
  overstated by up to 0.4 %.
* **Adjacency**: absorbed municipalities must touch their successor or one another.
* **Centre points**: Destatis publishes a centre (main settlement) for every code; a code
  without 2016 geometry is placed by the 2016 polygon holding its centre.

Tolerance
---------
VG250 is generalised for 1:250 000, and Destatis areas follow the surveys: areas differ
a little everywhere, more for small and ragged municipalities, so the difference scales
with the boundary length rather than the area. The tolerance is the
:data:`TOLERANCE_QUANTILE` quantile of ``|area_destatis - area_vg250| / boundary_km``
over the *control* municipalities: figures in every year, no absorbed neighbour, no
other code's centre inside. It is derived per data pack, in km² per km of boundary
(a mean shift of the boundary), and reported by the build.

Reconstruction
--------------
A successor's territory is *proven* when a set of absorbed municipalities, connected to
it through shared boundaries, has 2016 areas that, added to its own, give its published
area within the tolerance (of the union's boundary), and no other such set does. The
search tries every subset of up to :data:`MAX_CANDIDATES` candidates (nearest first);
unique answers are taken first, and their members leave the other successors' pools.
The trend of a proven successor then compares the sum of the earlier figures of
successor and predecessors with its later figure. Where nothing or several sets fit, the
change is *unproven* and the trend is ``unknown`` with a note naming the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import InputError

#: Quantile of the control municipalities' area differences used as the tolerance.
TOLERANCE_QUANTILE = 0.99
#: Tolerance (km² per km of boundary) used only when a data set has fewer than 10
#: control municipalities to measure its own spread: the 99 % quantile measured on the
#: Germany pack (10,411 controls: 0.0348).
FALLBACK_KM2_PER_KM = 0.035
#: Most absorbed candidates tried per successor (2**N subsets).
MAX_CANDIDATES = 14
#: Scale factor of UTM on its central meridian.
_K0 = 0.9996
#: Earth radius (m) for the UTM scale factor.
_R_M = 6_381_000.0

#: Columns :func:`detect_territory` adds to the model.
TERRITORY_COLUMNS = (
    "territory_changed",
    "predecessors",
    "successor",
    "trend_basis",
    "trend_note",
)
#: Values of the territory columns for a municipality without any change.
TERRITORY_DEFAULTS: dict[str, object] = {
    "territory_changed": False,
    "predecessors": "",
    "successor": "",
    "trend_basis": "",
    "trend_note": "",
}


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


@dataclass(frozen=True)
class AreaTolerance:
    """The area tolerance derived from the data's own spread."""

    km2_per_km: float
    quantile: float
    n_control: int
    median_km2_per_km: float

    def describe(self) -> str:
        """The tolerance in plain words."""
        return (
            f"{self.km2_per_km * 1000:.1f} m mean boundary shift (km² per km of boundary "
            f"{self.km2_per_km:.4f}), the {self.quantile:.0%} quantile of "
            f"{self.n_control} municipalities without code changes (median "
            f"{self.median_km2_per_km * 1000:.1f} m)"
        )


@dataclass
class _Change:
    """One successor and what was found for it."""

    kind: str  # "geometry" (2016 row) or "new" (code without 2016 geometry)
    row: int  # model row (geometry) or orphan row (new)
    rs: str
    ags: str
    name: str
    area_destatis: float
    area_own: float  # VG250 area of the successor's own 2016 polygon (0 for new codes)
    seed: int = -1
    candidates: list[int] = field(default_factory=list)
    fits: list[tuple[int, ...]] = field(default_factory=list)
    found: tuple[int, ...] | None = None
    reason: str = ""


def ags_of_rs(rs: str) -> str:
    """The 8-digit AGS of a 12-digit Regionalschlüssel."""
    return rs[:5] + rs[9:]


def part_measures(geoms: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Area (km²) and boundary length (km) of EPSG:25832 geometries, UTM scale removed."""
    arr = np.asarray(geoms.values)
    cx = shapely.get_x(shapely.centroid(arr))
    e = cx - 500_000.0
    k = _K0 * (1.0 + e**2 / (2.0 * (_R_M * _K0) ** 2))
    return shapely.area(arr) / 1e6 / k**2, shapely.length(arr) / 1000.0 / k


def _values(df: pd.DataFrame, years: list[int]) -> np.ndarray:
    return np.column_stack(
        [pd.to_numeric(df[f"population_{y}"], errors="coerce").to_numpy(dtype=float) for y in years]
    ).reshape(len(df), len(years))


def common_years(successor: np.ndarray, predecessors: list[np.ndarray]) -> np.ndarray:
    """Years whose figures, summed, cover the successor's later territory exactly once.

    A year counts when every member has a figure in it, or has none yet (a successor
    created later) or none any more (a predecessor already absorbed), and one has a
    figure. ``successor`` and each predecessor are boolean presence rows over the years.
    """
    ny = len(successor)
    out = np.zeros(ny, dtype=bool)
    for t in range(ny):
        ok = bool(successor[t]) or not successor[: t + 1].any()
        for p in predecessors:
            ok = ok and (bool(p[t]) or not p[t:].any())
        out[t] = ok and (bool(successor[t]) or any(bool(p[t]) for p in predecessors))
    return out


def _fmt_km2(v: float) -> str:
    return f"{v:.2f}"


def area_tolerance(
    diff_km2: np.ndarray, boundary_km: np.ndarray, control: np.ndarray
) -> AreaTolerance:
    """Derive the tolerance from the control municipalities' area differences."""
    ok = control & (boundary_km > 0) & np.isfinite(diff_km2)
    w = np.abs(diff_km2[ok]) / boundary_km[ok]
    if len(w) < 10:
        # too few controls to measure a spread: the Germany-wide figure (see README)
        return AreaTolerance(FALLBACK_KM2_PER_KM, TOLERANCE_QUANTILE, len(w), float("nan"))
    return AreaTolerance(
        float(np.quantile(w, TOLERANCE_QUANTILE)),
        TOLERANCE_QUANTILE,
        len(w),
        float(np.median(w)),
    )


def detect_territory(
    model: gpd.GeoDataFrame,
    population: pd.DataFrame,
    water: gpd.GeoDataFrame | None = None,
    tolerance: AreaTolerance | None = None,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.DataFrame, AreaTolerance]:
    """Detect territorial changes and give every municipality a common-territory series.

    Parameters
    ----------
    model
        2016 municipalities (EPSG:25832) joined with their Destatis row: ``rs``, ``ags``,
        ``gen``, ``population_YYYY``, ``area_km2`` (Destatis), one row per code.
    population
        The whole Destatis table (also the codes without 2016 geometry).
    water
        VG250 water parts (``gf`` = 2) with ``rs`` and geometry, or ``None``.
    tolerance
        A given tolerance instead of the one derived from the data (for tests).

    Returns
    -------
    (DataFrame, ndarray, ndarray, DataFrame, AreaTolerance)
        Per model row (same index): :data:`TERRITORY_COLUMNS` plus ``vg250_area_km2``
        and ``trend_unknown``; the figures of each row (rows × years; a 2016
        municipality whose code only changed its Regionalschlüssel, with the same AGS
        and the same territory, continues under the new code); the series for the
        trend (NaN where a year's figure does not refer to the common territory); the
        change report (one row per change with its evidence); the tolerance used.
    """
    years = sorted(int(c[11:]) for c in population.columns if str(c).startswith("population_"))
    n = len(model)
    rs = model["rs"].astype(str).to_numpy()
    names = model["gen"].astype(str).to_numpy()
    ags = model["ags"].astype(str).to_numpy()
    own = _values(model, years)
    present = ~np.isnan(own)
    has_ref = present[:, -1]
    has_any = present.any(axis=1)
    dest = pd.to_numeric(model["area_km2"], errors="coerce").to_numpy(dtype=float)

    # -- 2016 areas (land + water parts) and boundaries
    area, boundary = part_measures(model.geometry)
    if water is not None and len(water):
        wa, wb = part_measures(water.geometry)
        w = pd.DataFrame({"rs": water["rs"].astype(str).to_numpy(), "a": wa, "b": wb})
        g = w.groupby("rs")[["a", "b"]].sum()
        pos = pd.Series(np.arange(n), index=rs)
        hit = g.index.intersection(pos.index)
        area[pos[hit].to_numpy()] += g.loc[hit, "a"].to_numpy()
        boundary[pos[hit].to_numpy()] += g.loc[hit, "b"].to_numpy()
    diff = dest - area

    # -- codes without 2016 geometry: place them by their centre point
    pop = population.copy()
    pop["rs"] = pop["rs"].astype(str).str.zfill(12)
    orphans = pop[~pop["rs"].isin(set(rs))].reset_index(drop=True)
    ovals = _values(orphans, years)
    oarea = pd.to_numeric(orphans["area_km2"], errors="coerce").to_numpy(dtype=float)
    opresent = ~np.isnan(ovals)
    tree = shapely.STRtree(np.asarray(model.geometry.values))
    if len(orphans):
        pts = gpd.GeoSeries(
            gpd.points_from_xy(orphans["center_lon"], orphans["center_lat"]), crs="EPSG:4326"
        ).to_crs(model.crs)
        oi, oj = tree.query(np.asarray(pts.values), predicate="within")
        holder = np.full(len(orphans), -1)
        holder[oi] = oj
    else:
        holder = np.zeros(0, dtype=int)
    late = np.where(opresent[:, -1])[0] if len(orphans) else np.zeros(0, dtype=int)
    early = np.where(~opresent[:, -1] & opresent.any(axis=1))[0] if len(orphans) else late

    # -- absorbable 2016 municipalities and their neighbours
    absorbed = np.where(~has_ref & has_any)[0]
    absorbable = np.where(~has_ref)[0]  # also territories without inhabitants
    is_absorbable = np.zeros(n, dtype=bool)
    is_absorbable[absorbable] = True
    neighbours: dict[int, set[int]] = {}
    if len(absorbable):
        ai, aj = tree.query(np.asarray(model.geometry.values)[absorbable], predicate="intersects")
        for a, b in zip(absorbable[ai], aj, strict=True):
            if a != b:
                neighbours.setdefault(int(a), set()).add(int(b))
                neighbours.setdefault(int(b), set()).add(int(a))
    touches_absorbed = np.zeros(n, dtype=bool)
    for a in absorbed:
        for b in neighbours.get(int(a), ()):
            touches_absorbed[b] = True
    holds_orphan = np.zeros(n, dtype=bool)
    holds_orphan[holder[holder >= 0]] = True
    control = present.all(axis=1) & ~touches_absorbed & ~holds_orphan & (dest > 0)
    tol = tolerance or area_tolerance(diff, boundary, control)
    within = np.abs(diff) <= tol.km2_per_km * boundary

    # -- successors
    changes: list[_Change] = []
    for i in np.where(has_ref & ~np.isnan(dest) & ~within)[0]:
        changes.append(_Change("geometry", int(i), rs[i], ags[i], names[i], dest[i], area[i]))
    for o in late:
        if opresent[o].all():
            continue
        r = str(orphans.at[o, "rs"])
        c = _Change("new", int(o), r, ags_of_rs(r), "", float(oarea[o]), 0.0)
        c.seed = int(holder[o])
        changes.append(c)
    centre_xy = np.column_stack(
        [
            shapely.get_x(shapely.centroid(np.asarray(model.geometry.values))),
            shapely.get_y(shapely.centroid(np.asarray(model.geometry.values))),
        ]
    )
    geoms = np.asarray(model.geometry.values)

    def candidates(c: _Change, taken: set[int]) -> list[int]:
        if c.kind == "new":
            if c.seed < 0 or not is_absorbable[c.seed] or c.seed in taken:
                return []
            start = {c.seed}
            origin = centre_xy[c.seed]
        else:
            start = {b for b in neighbours.get(c.row, ()) if is_absorbable[b] and b not in taken}
            origin = centre_xy[c.row]
        seen = set(start)
        frontier = set(start)
        for _ in range(3):
            nxt = {
                b
                for a in frontier
                for b in neighbours.get(a, ())
                if is_absorbable[b] and b not in seen and b not in taken
            }
            seen |= nxt
            frontier = nxt
        # only absorbed ones with inhabitants or territories without any figure
        cand = sorted(seen, key=lambda j: float(np.hypot(*(centre_xy[j] - origin))))
        if c.kind == "new":
            cand = [c.seed] + [j for j in cand if j != c.seed]
        return cand[:MAX_CANDIDATES]

    def connected(members: list[int]) -> bool:
        todo = [members[0]]
        seen = {members[0]}
        mset = set(members)
        while todo:
            a = todo.pop()
            for b in neighbours.get(a, ()):
                if b in mset and b not in seen:
                    seen.add(b)
                    todo.append(b)
        return seen == mset

    def solve(c: _Change, taken: set[int]) -> list[tuple[int, ...]]:
        cand = candidates(c, taken)
        c.candidates = cand
        if not cand:
            return []
        k = len(cand)
        a = area[cand]
        b = boundary[cand]
        masks = np.arange(1, 2**k, dtype=np.int64)
        if c.kind == "new":
            masks = masks[(masks & 1) == 1]
        bits = ((masks[:, None] >> np.arange(k)) & 1).astype(float)
        total = c.area_own + bits @ a
        bound = tol.km2_per_km * ((boundary[c.row] if c.kind == "geometry" else 0.0) + bits @ b)
        ok = np.abs(c.area_destatis - total) <= bound
        fits: list[tuple[int, ...]] = []
        for m in masks[ok]:
            members = [cand[t] for t in range(k) if (int(m) >> t) & 1]
            full = ([c.row] if c.kind == "geometry" else []) + members
            if not connected(full):
                continue
            union_len = float(part_measures(gpd.GeoSeries([shapely.union_all(geoms[full])]))[1][0])
            if abs(c.area_destatis - (c.area_own + float(area[members].sum()))) <= (
                tol.km2_per_km * union_len
            ):
                fits.append(tuple(members))
        return fits

    taken: set[int] = set()
    open_changes = list(changes)
    while open_changes:
        for c in open_changes:
            c.fits = solve(c, taken)
        unique = [c for c in open_changes if len(c.fits) == 1]
        claims: dict[int, int] = {}
        for c in unique:
            for j in c.fits[0]:
                claims[j] = claims.get(j, 0) + 1
        progress = False
        for c in unique:
            if all(claims[j] == 1 for j in c.fits[0]):
                c.found = c.fits[0]
                taken |= set(c.found)
                progress = True
        open_changes = [c for c in open_changes if c.found is None]
        if not progress:
            break
    for c in changes:
        if c.found is not None:
            continue
        if c.kind == "new" and (c.seed < 0 or not is_absorbable[c.seed]):
            c.reason = "centre point not in a dissolved 2016 municipality"
        elif len(c.fits) > 1:
            c.reason = f"{len(c.fits)} combinations of neighbours fit the area; none proven"
        elif not c.candidates:
            c.reason = "no dissolved 2016 municipality adjacent"
        else:
            c.reason = "no combination of adjacent dissolved municipalities gives the area"

    # -- a new code's figure is carried by one 2016 row: the one with the same AGS, else
    # the one holding its centre point (as a successor's row carries its later figure)
    figures = own.copy()
    carried: dict[int, int] = {}  # change index -> model row
    code_only: set[int] = set()
    for k, c in enumerate(changes):
        if c.kind != "new":
            continue
        if c.found is not None:
            same = [j for j in c.found if ags[j] == c.ags]
            i = same[0] if same else (c.seed if c.seed in c.found else c.found[0])
        elif c.seed >= 0 and is_absorbable[c.seed] and present[c.seed].any():
            i = c.seed
        else:
            continue
        if i in carried.values():
            continue
        take = ~present[i] & opresent[c.row]
        figures[i] = np.where(take, ovals[c.row], figures[i])
        carried[k] = i
        if c.found is not None:
            c.found = tuple(j for j in c.found if j != i)
            if not c.found:
                code_only.add(k)
    own = figures
    present = ~np.isnan(own)
    absorbed = np.array([j for j in absorbed if not present[j, -1]], dtype=int)

    # -- per-row results
    series = own.copy()
    changed = np.zeros(n, dtype=bool)
    unknown = np.zeros(n, dtype=bool)
    preds = np.full(n, "", dtype=object)
    succ = np.full(n, "", dtype=object)
    basis = np.full(n, "", dtype=object)
    note = np.full(n, "", dtype=object)
    succ_name = np.full(n, "", dtype=object)
    yr = np.array(years)

    def span(mask: np.ndarray) -> str:
        ys = yr[mask]
        return f"{ys[0]}–{ys[-1]}" if len(ys) >= 2 else (str(ys[0]) if len(ys) else "–")

    for i in range(n):
        if not has_any[i]:
            basis[i] = "keine Einwohnerzahl (Destatis)"
        elif present[i].sum() >= 2:
            basis[i] = f"{span(present[i])}, gleiches Gebiet (VG250 2016)"
        else:
            basis[i] = f"{span(present[i])}, nur ein Jahr"
    report: list[dict[str, object]] = []
    for k, c in enumerate(changes):
        members = list(c.found or ())
        pred_names = ", ".join(f"{names[j]} ({ags[j]})" for j in members)
        if k in code_only:
            i = carried[k]
            new_ags = "" if ags[i] == c.ags else f", AGS {c.ags}"
            basis[i] = (
                f"{span(present[i])}, gleiches Gebiet (VG250 2016); {years[-1]} unter "
                f"dem Regionalschlüssel {c.rs}{new_ags}"
            )
            succ[i] = c.ags if new_ags else ""
            report.append(
                {
                    "kind": "code_change",
                    "rs": c.rs,
                    "ags": c.ags,
                    "name": names[i],
                    "years": ";".join(
                        str(y) for y, p in zip(years, opresent[c.row], strict=True) if p
                    ),
                    "detail": (
                        f"{'same AGS' if not new_ags else 'new AGS'}, new Regionalschlüssel "
                        f"{c.rs} (2016: {rs[i]}); Destatis "
                        f"area {_fmt_km2(c.area_destatis)} km², VG250 2016 "
                        f"{_fmt_km2(area[i])} km²: same territory, series continued"
                    ),
                    "status": "code changed",
                    "predecessors": "",
                }
            )
            continue
        carrier = ""
        if k in carried:
            c.kind = "geometry"
            c.row = carried[k]
            c.area_own = float(area[c.row])
            if ags[c.row] != c.ags:
                succ[c.row] = c.ags
                carrier = (
                    f"; Zahl {years[-1]} der neuen Gemeinde {c.ags} (Regionalschlüssel "
                    f"{c.rs}) bei {names[c.row]}, deren Mittelpunkt hier liegt"
                )
            c.name = names[c.row] + (f" → {c.ags}" if ags[c.row] != c.ags else "")
        if c.kind == "geometry":
            i = c.row
            changed[i] = True
            if c.found is not None:
                preds[i] = ",".join(ags[j] for j in members)
                rows = [i, *members]
                comb = np.nansum(own[rows], axis=0)
                valid = common_years(present[i], [present[j] for j in members])
                series[i] = np.where(valid, comb, np.nan)
                first = yr[valid][0] if valid.any() else years[0]
                basis[i] = (
                    f"{span(valid)}, Gebiet von {years[-1]}: {names[i]} mit "
                    + ", ".join(names[j] for j in members)
                    + f" ({first}: {int(comb[valid][0]):,} Einwohner als Summe)".replace(",", ".")
                )
                note[i] = (
                    f"Gebietsänderung: {names[i]} hat vor {years[-1]} "
                    + ", ".join(names[j] for j in members)
                    + " aufgenommen; Trend auf dem gemeinsamen Gebiet"
                    + carrier
                )
                for j in members:
                    succ[j] = c.ags if carrier else ags[i]
                    succ_name[j] = f"mit {names[i]}" if carrier else names[i]
            else:
                series[i] = np.nan
                unknown[i] = True
                basis[i] = "kein gemeinsames Gebiet über alle Jahre nachweisbar"
                note[i] = (
                    f"Gebietsänderung: Fläche VG250 2016 {_fmt_km2(c.area_own)} km², "
                    f"Destatis {years[-1]} {_fmt_km2(c.area_destatis)} km²; Vorgänger nicht "
                    f"nachweisbar ({c.reason}) – Trend unbekannt" + carrier
                )
        else:
            for j in members:
                succ[j] = c.ags
        status = "reconstructed" if c.found is not None else "unproven"
        total = c.area_own + float(area[members].sum())
        report.append(
            {
                "kind": "territory_change",
                "rs": c.rs,
                "ags": c.ags,
                "name": c.name or "(neu, ohne Geometrie 2016)",
                "years": ";".join(str(y) for y in years),
                "detail": (
                    f"{status}: Destatis area {_fmt_km2(c.area_destatis)} km², own VG250 2016 "
                    f"area {_fmt_km2(c.area_own)} km²"
                    + (
                        f", + predecessors {pred_names} = {_fmt_km2(total)} km² "
                        f"(difference {_fmt_km2(c.area_destatis - total)} km²)"
                        if members
                        else f"; {c.reason}"
                    )
                    + f"; tolerance {tol.km2_per_km * 1000:.1f} m × boundary"
                ),
                "status": status,
                "predecessors": ",".join(ags[j] for j in members),
            }
        )
    # absorbed municipalities: their own figures, same territory, until they were dissolved
    for j in absorbed:
        changed[j] = True
        if succ[j]:
            called = (
                f"{succ_name[j]} ({succ[j]})"
                if succ_name[j] and not succ_name[j].startswith("mit ")
                else f"AGS {succ[j]}" + (f" ({succ_name[j]})" if succ_name[j] else "")
            )
            basis[j] = (
                f"{span(present[j])}, eigenes Gebiet (VG250 2016); {years[-1]} Teil von {called}"
            )
            note[j] = f"aufgelöst vor {years[-1]}, Einwohner {years[-1]} in {called} gezählt"
        else:
            basis[j] = f"{span(present[j])}, eigenes Gebiet (VG250 2016)"
            note[j] = (
                f"aufgelöst vor {years[-1]} (keine Zahl {years[-1]}); Nachfolger nicht nachweisbar"
            )
    # codes dissolved before 2016: their centre lies in a 2016 polygon
    by_holder: dict[int, list[int]] = {}
    for o in early:
        if holder[o] >= 0:
            by_holder.setdefault(int(holder[o]), []).append(int(o))
    for i, olist in by_holder.items():
        o_ags = [ags_of_rs(str(orphans.at[o, "rs"])) for o in olist]
        last_o = max(int(yr[opresent[o]][-1]) for o in olist)
        if changed[i]:
            # also changed after 2016: drop the figures from before the earlier change
            series[i] = np.where(yr > last_o, series[i], np.nan)
            note[i] += f"; vor 2016 eingegliedert: {', '.join(o_ags)}"
            continue
        changed[i] = True
        preds[i] = ",".join(o_ags)
        o_area = float(oarea[olist].sum())
        new_code = not present[i, 0]
        if new_code and abs(o_area - area[i]) <= tol.km2_per_km * boundary[i]:
            comb = np.nansum(np.vstack([own[i], *[ovals[o] for o in olist]]), axis=0)
            valid = common_years(present[i], [opresent[o] for o in olist])
            series[i] = np.where(valid, comb, np.nan)
            basis[i] = (
                f"{span(valid)}, Gebiet von 2016 ({names[i]}); bis {last_o} Summe von "
                + ", ".join(o_ags)
            )
            status = "reconstructed"
        else:
            keep = yr > last_o
            series[i] = np.where(keep, own[i], np.nan)
            basis[i] = (
                f"{span(keep & present[i])}, Gebiet von 2016; Zahlen bis {last_o} vor der "
                "Eingliederung von " + ", ".join(o_ags) + " nicht verwendet"
            )
            status = "reconstructed" if new_code else "trend after the change"
        note[i] = f"Gebietsänderung vor 2016: {', '.join(o_ags)} eingegliedert"
        report.append(
            {
                "kind": "territory_change",
                "rs": rs[i],
                "ags": ags[i],
                "name": names[i],
                "years": ";".join(str(y) for y in years),
                "detail": (
                    f"{status}: codes {', '.join(o_ags)} (figures until {last_o}, "
                    f"{_fmt_km2(o_area)} km² published) have their centre in the 2016 "
                    f"polygon ({_fmt_km2(area[i])} km², Destatis {_fmt_km2(dest[i])} km²)"
                ),
                "status": status,
                "predecessors": ",".join(o_ags),
            }
        )

    for j in np.where(~has_any & present.any(axis=1))[0]:
        basis[j] = f"{span(present[j])}, gleiches Gebiet (VG250 2016)"
    frame = pd.DataFrame(
        {
            "territory_changed": changed,
            "predecessors": preds,
            "successor": succ,
            "trend_basis": basis,
            "trend_note": note,
            "trend_unknown": unknown,
            "vg250_area_km2": np.round(area, 2),
        },
        index=model.index,
    )
    cols = ["kind", "rs", "ags", "name", "years", "detail", "status", "predecessors"]
    return frame, figures, series, pd.DataFrame(report, columns=cols), tol
