"""Screening plots against a profile: per-criterion pass/fail/unknown with reasons, scores, ranks.

Pure functions on GeoDataFrames (EPSG:25832) that carry the derived attributes of
:mod:`geo.screening.attributes`; profiles are :mod:`geo.screening.profile`.

A :class:`Profile` has hard filters and weights. Each filter is one criterion; per plot
it is ``pass``, ``fail`` or ``unknown`` (the measured value is missing, or a register
attribute is ``unknown`` and the profile did not list ``unknown`` itself), with a
reason that names the measured value and the threshold. Unknown policy: an unknown
criterion never passes silently and never crashes; it counts against the plot unless
the profile sets ``on_unknown: pass``. ``result`` is ``fail`` if any criterion fails,
``unknown`` if none fails but one is unknown, else ``pass``; ``passed`` applies the
unknown policy.

Score: 0–100, the weighted mean of criteria normalised to 0–1 between a *worst* and a
*best* value (linear, clipped) or, for categories, a value per category. Fixed ranges,
not the min and max of the screened set, so a plot's score does not change when other
plots are added. An unknown value scores 0 (no credit for what is not known).
``rank`` orders the plots that passed by score (1 = best); plots that did not pass have
no rank.

Confidential plots
------------------
:func:`screen` screens the plots it is given. The caller (store, API, CLI) must pass
only what the caller's role may see: :func:`visible_plots` (or :func:`screen_for_role`)
keeps confidential plots for the land-pool role only, and treats a missing
``confidential`` flag as confidential.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.errors import InputError
from geo.landpool.plots import Role, Viewer
from geo.screening.profile import Filters, Profile


@dataclass(frozen=True)
class _Numeric:
    column: str
    label: str
    unit: str
    decimals: int
    op: Literal["min", "max"]
    scale: float = 1.0  # display factor (shares shown in %)


_NUMERIC: dict[str, _Numeric] = {
    "min_area_ha": _Numeric("area_ha", "area", " ha", 2, "min"),
    "max_area_ha": _Numeric("area_ha", "area", " ha", 2, "max"),
    "max_mean_slope_pct": _Numeric("slope_mean_pct", "mean slope", " %", 1, "max"),
    "max_slope_pct": _Numeric("slope_max_pct", "max slope", " %", 1, "max"),
    "max_steep_share": _Numeric("steep_share", "steep share", " %", 1, "max", 100.0),
    "max_flood_share": _Numeric("flood_share", "share in flood zone", " %", 1, "max", 100.0),
    "max_reserve_share": _Numeric(
        "reserve_share", "share in nature reserve", " %", 1, "max", 100.0
    ),
    "max_dist_station_m": _Numeric("dist_station_m", "distance to station", " m", 0, "max"),
    "max_dist_tram_m": _Numeric("dist_tram_m", "distance to tram", " m", 0, "max"),
    "max_car_minutes_to_centre": _Numeric("car_min_centre", "car to centre", " min", 1, "max"),
    "max_car_minutes_to_station": _Numeric("car_min_station", "car to station", " min", 1, "max"),
}


@dataclass(frozen=True)
class _Category:
    column: str
    label: str
    op: Literal["in", "not_in"]


_CATEGORICAL: dict[str, _Category] = {
    "owner_types": _Category("owner_type", "owner", "in"),
    "planning_status": _Category("planning_status", "planning status", "in"),
    "exclude_contamination": _Category("contamination", "contamination", "not_in"),
    "statuses": _Category("status", "status", "in"),
    "municipalities": _Category("ags", "municipality (AGS)", "in"),
}

#: Criterion states, in the order of their codes (0, 1, 2).
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
STATES = (PASS, FAIL, UNKNOWN)


def criteria_of(profile: Profile) -> list[str]:
    """The filter keys of ``profile`` that are set, in the order of :class:`Filters`."""
    values = profile.filters.values()
    return [k for k in Filters.model_fields if k in values]


def _fmt_one(value: float, decimals: int) -> str:
    return str(round(value)) if decimals == 0 else str(round(value, decimals))


_REGISTER_COLUMNS = frozenset({"owner_type", "planning_status", "contamination", "status"})


def _column(df: pd.DataFrame, col: str, key: str) -> pd.Series:
    if col not in df.columns:
        hint = (
            "it is a register attribute: screen the register's plots, or add the column "
            "to the plot file"
            if col in _REGISTER_COLUMNS
            else "derive the attributes first (geo.screening.attributes.derive_attributes)"
        )
        raise InputError(
            f"profile filter {key!r} needs column {col!r}, which the plots lack; {hint}."
        )
    return df[col]


#: Keys in ``derive_notes`` that explain a missing value of a derived column.
_NOTE_KEYS: dict[str, tuple[str, ...]] = {
    "slope_mean_pct": ("terrain",),
    "slope_max_pct": ("terrain",),
    "steep_share": ("terrain",),
    "elev_mean_m": ("terrain",),
    "car_min_centre": ("car_min_centre", "car minutes"),
    "car_min_station": ("car_min_station", "car minutes"),
}


def _why_unknown(df: pd.DataFrame, column: str, unknown: np.ndarray) -> np.ndarray:
    """The note of ``derive_notes`` explaining each unknown value ('' where there is none)."""
    why = np.full(len(df), "", dtype=object)
    if "derive_notes" not in df.columns or not unknown.any():
        return why
    keys = "|".join(_NOTE_KEYS.get(column, (column,)))
    notes = df["derive_notes"].astype("str").fillna("")[unknown]
    found = notes.str.extract(rf"(?:^|; )(?:{keys}): (?:unknown, )?([^;]*)", expand=False)
    why[unknown] = found.fillna("").to_numpy(dtype=object)
    return why


@dataclass(frozen=True)
class _Outcome:
    """One criterion over all plots: state codes and reasons as codes into ``texts``."""

    state: np.ndarray  # int8: 0 pass, 1 fail, 2 unknown
    codes: np.ndarray  # int64 positions in texts
    texts: np.ndarray  # object array of distinct reason texts


def _numeric_outcome(df: pd.DataFrame, key: str, threshold: float) -> _Outcome:
    """Pass/fail/unknown of a numeric filter with its reason.

    Reasons are formatted once per distinct shown value, not once per plot, and
    referenced by code: 100,000 plots share a few thousand distinct reasons.
    """
    spec = _NUMERIC[key]
    values = pd.to_numeric(_column(df, spec.column, key), errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    unknown = np.isnan(values)
    ok = values >= threshold if spec.op == "min" else values <= threshold
    state = np.where(unknown, 2, np.where(ok, 0, 1)).astype("int8")
    shown = np.round(np.where(unknown, 0.0, values) * spec.scale, spec.decimals)
    uniq, inv = np.unique(shown, return_inverse=True)
    thr = _fmt_one(threshold * spec.scale, spec.decimals) + spec.unit
    word = "min" if spec.op == "min" else "max"
    good, bad = ("≥", "<") if spec.op == "min" else ("≤", ">")
    u = [_fmt_one(float(v), spec.decimals) + spec.unit for v in uniq]
    texts = [f"{spec.label} {v} {good} {word} {thr}" for v in u]
    texts += [f"{spec.label} {v} {bad} {word} {thr}" for v in u]
    codes = np.where(ok, inv, len(u) + inv)
    if unknown.any():
        why = _why_unknown(df, spec.column, unknown)[unknown].astype(str)
        why_u, why_inv = np.unique(why, return_inverse=True)
        base = len(texts)
        texts += [
            f"{spec.label} unknown: {w} ({word} {thr})"
            if w
            else f"{spec.label} unknown ({word} {thr})"
            for w in why_u
        ]
        codes[unknown] = base + why_inv
    return _Outcome(state, codes.astype("int64"), np.asarray(texts, dtype=object))


def _category_outcome(df: pd.DataFrame, key: str, allowed: Sequence[str]) -> _Outcome:
    """Pass/fail/unknown of a category filter; ``unknown`` is a state of its own."""
    spec = _CATEGORICAL[key]
    raw = _column(df, spec.column, key).astype("str").fillna("unknown")
    listed = sorted(set(allowed))
    inv, uniq_idx = pd.factorize(raw)  # hash-based, faster than sorting strings
    uniq = np.asarray(uniq_idx, dtype=object)
    member_u = np.isin(uniq, listed)
    unknown_u = (uniq == "unknown") & ~member_u
    ok_u = member_u if spec.op == "in" else ~member_u
    state_u = np.where(unknown_u, 2, np.where(ok_u, 0, 1)).astype("int8")
    shown = ", ".join(listed)
    texts = []
    for v, unk, ok in zip(uniq, unknown_u, ok_u, strict=True):
        if unk:
            verb = "required" if spec.op == "in" else "excluded"
            texts.append(f"{spec.label} unknown ({verb}: {shown})")
        elif spec.op == "in":
            texts.append(f"{spec.label} {v} {'in' if ok else 'not in'} [{shown}]")
        else:
            texts.append(
                f"{spec.label} {v} {'not among excluded' if ok else 'is excluded'} [{shown}]"
            )
    return _Outcome(state_u[inv], inv.astype("int64"), np.asarray(texts, dtype=object))


def score(df: pd.DataFrame, profile: Profile) -> pd.Series:
    """Weighted 0–100 score of every plot (see module docstring); 0 without weights."""
    specs = profile.score_specs()
    total = sum(w for _, w, _ in specs)
    acc = np.zeros(len(df))
    for key, weight, spec in specs:
        if isinstance(spec, dict):
            col = _column(df, key, f"weights.{key}").astype("str").fillna("unknown")
            s = col.map(spec).to_numpy(dtype="float64", na_value=0.0)
            s = np.nan_to_num(s, nan=0.0)
        else:
            best, worst = spec
            v = pd.to_numeric(_column(df, key, f"weights.{key}"), errors="coerce").to_numpy(
                dtype="float64", na_value=np.nan
            )
            s = np.nan_to_num(np.clip((v - worst) / (best - worst), 0.0, 1.0), nan=0.0)
        acc += weight * s
    out = 100.0 * acc / total if total > 0 else acc
    return pd.Series(np.round(out, 1), index=df.index, dtype="float64")


def _categorical(codes: np.ndarray, categories: Sequence[str] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(
        codes, categories=pd.Index(list(categories), dtype="str"), validate=False
    )


ALL_MET = "all criteria met"


def _join_reasons(flagged: list[tuple[np.ndarray, _Outcome]], started: np.ndarray) -> pd.Series:
    """Per plot, the reasons of its failed or unknown criteria joined by "; ".

    One pyarrow join over all criteria (C++), each criterion's reasons taken from its
    few distinct texts by code.
    """
    n = len(started)
    columns = [
        pc.take(pa.array(res.texts, type=pa.string()), pa.array(res.codes, mask=~mask))
        for mask, res in flagged
    ]
    # a last column holds "all criteria met" where nothing was flagged, so that no row is
    # all null (pyarrow drops such rows from a join that skips nulls)
    columns.append(pa.array(np.full(n, ALL_MET, dtype=object), type=pa.string(), mask=started))
    joined = pc.binary_join_element_wise(*columns, "; ", null_handling="skip")
    if len(joined) != n:  # never expected; guards against a changed pyarrow behaviour
        raise RuntimeError("joining the reasons of the criteria lost rows")
    return pd.Series(joined, dtype="str")


def screen(plots: gpd.GeoDataFrame, profile: Profile) -> gpd.GeoDataFrame:
    """Screen derived plots against a profile (vectorised over all plots).

    Parameters
    ----------
    plots
        Output of :func:`derive_attributes` with the register columns. Pass only what
        the caller's role may see (:func:`visible_plots`).
    profile
        Filters, weights and unknown policy.

    Returns
    -------
    GeoDataFrame
        A copy of ``plots`` (same index and order) plus, per criterion ``<key>`` of the
        profile, ``pass_<key>`` (pass / fail / unknown) and ``reason_<key>``; then
        ``result`` (pass / fail / unknown), ``passed`` (bool, unknown policy applied),
        ``failed`` (comma-separated keys that failed or were unknown), ``reasons`` (their
        reasons, or "all criteria met"), ``score`` (0–100) and ``rank`` (1 = best among
        the passed plots, ``NA`` otherwise). Text columns with few distinct values
        (states, per-criterion reasons, ``failed``) are pandas categoricals.
    """
    n = len(plots)
    keys = criteria_of(profile)
    if len(keys) > 30:
        raise InputError("a profile has at most 30 filters.")
    filters = profile.filters.values()
    any_fail = np.zeros(n, dtype=bool)
    any_unknown = np.zeros(n, dtype=bool)
    flags = np.zeros(n, dtype="int64")  # bit k: criterion k failed or is unknown
    flagged_reasons: list[tuple[np.ndarray, _Outcome]] = []
    started = np.zeros(n, dtype=bool)
    new: dict[str, Any] = {}
    for k, key in enumerate(keys):
        if key in _NUMERIC:
            res = _numeric_outcome(plots, key, float(filters[key]))
        else:
            res = _category_outcome(plots, key, filters[key])
        new[f"pass_{key}"] = _categorical(res.state, STATES)
        new[f"reason_{key}"] = _categorical(res.codes, res.texts)
        any_fail |= res.state == 1
        any_unknown |= res.state == 2
        flagged = res.state != 0
        flags |= flagged.astype("int64") << k
        flagged_reasons.append((flagged, res))
        started |= flagged
    worst = np.where(any_fail, 1, np.where(any_unknown, 2, 0)).astype("int8")
    passed = (worst == 0) | ((worst == 2) & (profile.on_unknown == "pass"))
    combos, combo_inv = np.unique(flags, return_inverse=True)
    combo_text = [",".join(key for k, key in enumerate(keys) if c >> k & 1) for c in combos]
    reasons = _join_reasons(flagged_reasons, started).set_axis(plots.index)
    new["result"] = _categorical(worst, STATES)
    new["passed"] = passed
    new["failed"] = _categorical(combo_inv, combo_text)
    new["reasons"] = reasons
    extra = pd.DataFrame(new, index=plots.index)
    extra["score"] = score(plots, profile)
    extra["rank"] = extra["score"].where(passed).rank(method="min", ascending=False).astype("Int64")
    kept = plots.drop(columns=[c for c in extra.columns if c in plots.columns])
    out = pd.concat([kept, extra], axis=1)
    out = gpd.GeoDataFrame(out, geometry=plots.geometry.name, crs=plots.crs)
    out.attrs = {**plots.attrs, "profile": profile.name}
    return out


def visible_plots(plots: pd.DataFrame, role: Viewer | Role | str) -> pd.DataFrame:
    """Return the plots ``role`` may see: all for the land-pool team (and admins), else
    the non-confidential ones (:attr:`geo.landpool.plots.Viewer.sees_confidential`).

    A plot whose ``confidential`` flag is missing counts as confidential.
    """
    viewer = role if isinstance(role, Viewer) else Viewer(role)
    if viewer.sees_confidential:
        return plots
    if "confidential" not in plots.columns:
        raise InputError("plots lack the 'confidential' column; cannot tell what a role may see.")
    flag = plots["confidential"].astype("boolean").fillna(True)
    return plots[~flag.to_numpy(dtype=bool)]


def screen_for_role(
    plots: gpd.GeoDataFrame, profile: Profile, role: Viewer | Role | str
) -> gpd.GeoDataFrame:
    """:func:`screen` of the plots ``role`` may see (see :func:`visible_plots`)."""
    visible = visible_plots(plots, role)
    assert isinstance(visible, gpd.GeoDataFrame)
    return screen(visible, profile)


def ranked(result: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a screening result sorted for reading: passed plots by rank, then by score."""
    order = np.lexsort((-result["score"].to_numpy(), ~result["passed"].to_numpy(dtype=bool)))
    return result.iloc[order]
