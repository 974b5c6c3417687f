"""The evidence of territorial changes and the search for predecessors (see
:mod:`geo.region.territory`).

Pure functions: areas and boundaries of the 2016 geometries (with water parts, UTM scale
removed), the tolerance from the data's own spread, adjacency, centre points of codes
without 2016 geometry, and the subset search that proves a successor's territory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

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


@dataclass
class Evidence:
    """What :func:`find_changes` found, per model row and per change."""

    years: Any
    n: Any
    rs: Any
    names: Any
    ags: Any
    own: Any
    present: Any
    has_any: Any
    dest: Any
    area: Any
    boundary: Any
    orphans: Any
    ovals: Any
    oarea: Any
    opresent: Any
    early: Any
    absorbed: Any
    tol: Any
    figures: Any
    changes: Any
    carried: Any
    code_only: Any
    holder: Any


def find_changes(
    model: gpd.GeoDataFrame,
    population: pd.DataFrame,
    water: gpd.GeoDataFrame | None = None,
    tolerance: AreaTolerance | None = None,
) -> Evidence:
    """Gather the evidence and search every successor's predecessors.

    See :func:`geo.region.territory.detect_territory` for the parameters.
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

    return Evidence(
        years=years,
        n=n,
        rs=rs,
        names=names,
        ags=ags,
        own=own,
        present=present,
        has_any=has_any,
        dest=dest,
        area=area,
        boundary=boundary,
        orphans=orphans,
        ovals=ovals,
        oarea=oarea,
        opresent=opresent,
        early=early,
        absorbed=absorbed,
        tol=tol,
        figures=figures,
        changes=changes,
        carried=carried,
        code_only=code_only,
        holder=holder,
    )
