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

New codes
---------
A code created after 2016 has no geometry; its figure is carried by one 2016 row, as a
successor's row carries its later figure: the row with the same AGS (a code that only
changed its Regionalschlüssel continues the series when the areas agree), else the
row holding the new code's centre point. So every 2018 figure is in exactly one row and
:func:`geo.region.population.population_total` counts every resident once. Codes dissolved
before 2016 lie in the 2016 polygon holding their centre; that municipality's trend
starts after the change (or sums them where it was created from them alone).
"""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.region.territory_search import (
    FALLBACK_KM2_PER_KM,
    MAX_CANDIDATES,
    TOLERANCE_QUANTILE,
    AreaTolerance,
    ags_of_rs,
    area_tolerance,
    find_changes,
    part_measures,
)

__all__ = [
    "FALLBACK_KM2_PER_KM",
    "MAX_CANDIDATES",
    "TERRITORY_COLUMNS",
    "TERRITORY_DEFAULTS",
    "TOLERANCE_QUANTILE",
    "AreaTolerance",
    "ags_of_rs",
    "area_tolerance",
    "attach_territory",
    "common_years",
    "detect_territory",
    "part_measures",
    "unchanged",
]

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
    ev = find_changes(model, population, water, tolerance)
    years = ev.years
    n = ev.n
    rs = ev.rs
    names = ev.names
    ags = ev.ags
    own = ev.own
    present = ev.present
    has_any = ev.has_any
    dest = ev.dest
    area = ev.area
    boundary = ev.boundary
    orphans = ev.orphans
    ovals = ev.ovals
    oarea = ev.oarea
    opresent = ev.opresent
    early = ev.early
    absorbed = ev.absorbed
    tol = ev.tol
    figures = ev.figures
    changes = ev.changes
    carried = ev.carried
    code_only = ev.code_only
    holder = ev.holder

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


def _years(df: pd.DataFrame) -> list[int]:
    return sorted(int(str(c)[11:]) for c in df.columns if re.fullmatch(r"population_\d{4}", str(c)))


def attach_territory(
    joined: gpd.GeoDataFrame,
    population: pd.DataFrame,
    water: gpd.GeoDataFrame | None,
    report: pd.DataFrame,
) -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray, pd.DataFrame]:
    """Attach the territory columns to the joined model (a new frame; input untouched).

    Parameters
    ----------
    joined
        The 2016 municipalities joined with their Destatis rows.
    population
        The whole Destatis table.
    water
        VG250 water parts (``gf`` = 2), or ``None``.
    report
        The join report of :func:`geo.region.model.join_population`.

    Returns
    -------
    (GeoDataFrame, ndarray, ndarray, DataFrame)
        The model with the figures carried over and the territory columns; the series
        for the trend; the rows whose trend is unknown; the join report completed by the
        changes and the tolerance (findings settled here are dropped from it).
    """
    frame, figures, series, changes, tol = detect_territory(joined, population, water)
    out = joined.copy()
    for k, y in enumerate(_years(out)):
        values = pd.array(np.where(np.isnan(figures[:, k]), 0, figures[:, k]), dtype="Int64")
        out[f"population_{y}"] = values
        out.loc[np.isnan(figures[:, k]), f"population_{y}"] = pd.NA
    for name in [*TERRITORY_COLUMNS, "vg250_area_km2"]:
        out[name] = frame[name].to_numpy()
    # findings settled by the territorial step: continued codes are no longer missing
    keep = ~(
        report["kind"].eq("missing_year")
        & report["rs"].isin(out.loc[~pd.isna(figures).any(axis=1), "rs"])
    )
    report = report[keep].copy()
    continued = set(changes.loc[changes["kind"].eq("code_change"), "rs"])
    status = changes.drop_duplicates("rs").set_index("rs")["status"]
    orphan = report["kind"].eq("no_geometry")
    report.loc[orphan, "detail"] = [
        "population row under a new code of a 2016 municipality (same territory, see its "
        "code_change row): joined to it"
        if r in continued
        else f"population row whose Regionalschlüssel has no VG250 2016 municipality "
        f"(created by a later merger); not mapped; territory {status.get(r, 'unproven')}, "
        "see its territory_change row"
        for r in report.loc[orphan, "rs"]
    ]
    tol_row = pd.DataFrame(
        [
            {
                "kind": "tolerance",
                "rs": "",
                "ags": "",
                "name": "",
                "years": "",
                "detail": "area tolerance: " + tol.describe(),
            }
        ]
    )
    report = pd.concat([report, changes, tol_row], ignore_index=True).fillna("")
    return out, series, frame["trend_unknown"].to_numpy(), report


def unchanged(model: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """A copy with the territory columns of a model built without the territorial step."""
    out = model.copy()
    for col, default in TERRITORY_DEFAULTS.items():
        out[col] = default
    out["vg250_area_km2"] = np.round(part_measures(out.geometry)[0], 2)
    return out
