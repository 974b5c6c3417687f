"""Screening plots against a profile: per-criterion pass/fail/unknown with reasons, scores, ranks.

Pure functions on GeoDataFrames (EPSG:25832) that carry the derived attributes of
:mod:`geo.screening.attributes`; profiles are :mod:`geo.screening.profile`.

A :class:`Profile` has hard filters and weights. Each filter is one criterion; per plot
it is ``pass``, ``fail`` or ``unknown`` (the measured value is missing, or a register
attribute is ``unknown`` and the profile did not list ``unknown`` itself), with a
reason that names the measured value and the threshold, in German or English
(:mod:`geo.vocabulary`).

Outcomes
--------
Every plot gets exactly one of three outcomes, so the counts add up to the plots
screened (:func:`summary`):

``passes``
    every criterion is known and met;
``open``
    nothing known fails, but some criteria are unknown: ``open_criteria`` names them and
    ``decide`` says which data would decide each ("Eigentümer unbekannt: owner_type im
    Register setzen", "Anteil im Überschwemmungsgebiet unbekannt: kein HQ100-Layer
    geladen");
``fails``
    a criterion fails: ``failed`` names them, ``reasons`` gives measured value against
    threshold.

A profile may set ``on_unknown: fail`` (an unknown counts as failed) or ``pass`` (as
met); the default is ``open``. ``exclude_current_uses`` rules out plots by what they are
used for now (an industrial estate in use is no housing reserve);
``penalise_current_uses`` lowers their score instead.

Score and rank
--------------
Score: 0–100, the weighted mean of criteria normalised to 0–1 between a *worst* and a
*best* value (linear, clipped) or, for categories, a value per category. Fixed ranges,
not the min and max of the screened set, so a plot's score does not change when other
plots are added. An unknown value scores 0 (no credit for what is not known).
``rank`` orders the plots by score within *passes* and, apart, within *open* (1 = best);
ties share the best rank of their group and the next rank skips (1, 2, 2, 4: standard
competition ranking on the score rounded to 0.1); *fails* have no rank.

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
from geo.vocabulary import check_lang, number, word


@dataclass(frozen=True)
class _Numeric:
    column: str
    unit: str
    decimals: int
    op: Literal["min", "max"]
    scale: float = 1.0  # display factor (shares shown in %)


_NUMERIC: dict[str, _Numeric] = {
    "min_area_ha": _Numeric("area_ha", " ha", 2, "min"),
    "max_area_ha": _Numeric("area_ha", " ha", 2, "max"),
    "max_mean_slope_pct": _Numeric("slope_mean_pct", " %", 1, "max"),
    "max_slope_pct": _Numeric("slope_max_pct", " %", 1, "max"),
    "max_steep_share": _Numeric("steep_share", " %", 1, "max", 100.0),
    "max_flood_share": _Numeric("flood_share", " %", 1, "max", 100.0),
    "max_reserve_share": _Numeric("reserve_share", " %", 1, "max", 100.0),
    "max_dist_station_m": _Numeric("dist_station_m", " m", 0, "max"),
    "max_dist_tram_m": _Numeric("dist_tram_m", " m", 0, "max"),
    "max_car_minutes_to_centre": _Numeric("car_min_centre", " min", 1, "max"),
    "max_car_minutes_to_station": _Numeric("car_min_station", " min", 1, "max"),
}


@dataclass(frozen=True)
class _Category:
    column: str
    op: Literal["in", "not_in"]


_CATEGORICAL: dict[str, _Category] = {
    "owner_types": _Category("owner_type", "in"),
    "planning_status": _Category("planning_status", "in"),
    "exclude_contamination": _Category("contamination", "not_in"),
    "statuses": _Category("status", "in"),
    "municipalities": _Category("ags", "in"),
    "exclude_current_uses": _Category("current_use", "not_in"),
}

#: Criterion states, in the order of their codes (0, 1, 2).
PASS, FAIL, UNKNOWN = "pass", "fail", "unknown"
STATES = (PASS, FAIL, UNKNOWN)
#: Plot outcomes, in the order of their codes (0, 1, 2) and of :func:`ranked`.
PASSES, OPEN, FAILS = "passes", "open", "fails"
OUTCOMES = (PASSES, OPEN, FAILS)


def criteria_of(profile: Profile) -> list[str]:
    """The filter keys of ``profile`` that are set, in the order of :class:`Filters`."""
    values = profile.filters.values()
    return [k for k in Filters.model_fields if k in values]


_REGISTER_COLUMNS = frozenset(
    {"owner_type", "planning_status", "contamination", "status", "current_use"}
)


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


#: Per derived column: the keys in ``derive_notes`` that explain a missing value, and
#: the group of :data:`geo.vocabulary.WORDS` ``decide`` entries that say what decides it.
_NOTE_KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "slope_mean_pct": (("terrain",), "terrain"),
    "slope_max_pct": (("terrain",), "terrain"),
    "steep_share": (("terrain",), "terrain"),
    "car_min_centre": (("car_min_centre", "car minutes"), "car"),
    "car_min_station": (("car_min_station", "car minutes"), "car"),
}


def _why_unknown(df: pd.DataFrame, column: str, unknown: np.ndarray) -> np.ndarray:
    """Per plot, the ``decide`` key of :mod:`geo.vocabulary` saying why a value is unknown.

    Read from the note :func:`~geo.screening.attributes.derive_attributes` left
    (``no ... given`` → ``no_layer``; outside a layer's coverage → ``outside``; not
    reachable → ``unreachable``); ``no_layer`` where no note explains it.
    """
    keys, group = _NOTE_KEYS.get(column, ((column,), column))
    why = np.full(len(df), f"{group}.no_layer", dtype=object)
    if "derive_notes" not in df.columns or not unknown.any():
        return why
    pattern = "|".join(keys)
    notes = df["derive_notes"].astype("str").fillna("")[unknown]
    found = notes.str.extract(rf"(?:^|; )(?:{pattern}): ([^;]*)", expand=False).fillna("")
    kind = np.where(
        found.str.contains("reachable"),
        "unreachable",
        np.where(found.str.contains("outside|not inside"), "outside", "no_layer"),
    )
    why[unknown] = np.char.add(f"{group}.", kind.astype(str)).astype(object)
    return why


@dataclass(frozen=True)
class _Outcome:
    """One criterion over all plots: state codes and reasons as codes into ``texts``.

    ``decide`` holds, for unknown plots, the code of the text saying what data would
    decide the criterion (``-1`` elsewhere).
    """

    state: np.ndarray  # int8: 0 pass, 1 fail, 2 unknown
    codes: np.ndarray  # int64 positions in texts
    texts: np.ndarray  # object array of distinct reason texts
    decide: np.ndarray  # int64 positions in decide_texts, -1 where known
    decide_texts: np.ndarray


def _decide(column: str, why_keys: np.ndarray, unknown: np.ndarray, lang: str) -> tuple[Any, Any]:
    label = word("column", column, lang)
    unk = word("text", "unknown", lang)
    codes = np.full(len(unknown), -1, dtype="int64")
    if not unknown.any():
        return codes, np.array([], dtype=object)
    uniq, inv = np.unique(why_keys[unknown].astype(str), return_inverse=True)
    texts = [f"{label} {unk}: {word('decide', w, lang)}" for w in uniq]
    codes[unknown] = inv
    return codes, np.asarray(texts, dtype=object)


def _numeric_outcome(df: pd.DataFrame, key: str, threshold: float, lang: str) -> _Outcome:
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
    label = word("column", spec.column, lang)
    thr = number(threshold * spec.scale, spec.decimals, lang) + spec.unit
    bound = word("text", spec.op, lang)
    good, bad = ("≥", "<") if spec.op == "min" else ("≤", ">")
    u = [number(float(v), spec.decimals, lang) + spec.unit for v in uniq]
    texts = [f"{label} {v} {good} {bound} {thr}" for v in u]
    texts += [f"{label} {v} {bad} {bound} {thr}" for v in u]
    codes = np.where(ok, inv, len(u) + inv)
    if unknown.any():
        codes[unknown] = len(texts)
        texts.append(f"{label} {word('text', 'unknown', lang)} ({bound} {thr})")
    decide, decide_texts = _decide(
        spec.column, _why_unknown(df, spec.column, unknown), unknown, lang
    )
    return _Outcome(
        state, codes.astype("int64"), np.asarray(texts, dtype=object), decide, decide_texts
    )


def _first_word(values: pd.Series) -> pd.Series:
    """``"industrial (OSM landuse=industrial)"`` → ``"industrial"``; empty → ``unknown``."""
    text = values.astype("str").fillna("").str.strip().str.lower()
    first = text.str.extract(r"^([^\s(,;]+)", expand=False)
    return first.fillna("unknown").astype("str")


def _category_outcome(df: pd.DataFrame, key: str, allowed: Sequence[str], lang: str) -> _Outcome:
    """Pass/fail/unknown of a category filter; ``unknown`` is a state of its own."""
    spec = _CATEGORICAL[key]
    if spec.column == "current_use":  # free text, often missing in plot files: unknown
        uses = df["current_use"] if "current_use" in df.columns else pd.Series(pd.NA, df.index)
        raw = _first_word(uses)
        listed = sorted({str(a).strip().lower() for a in allowed})
    else:
        raw = _column(df, spec.column, key).astype("str").fillna("unknown")
        listed = sorted(set(allowed))
    inv, uniq_idx = pd.factorize(raw)  # hash-based, faster than sorting strings
    uniq = np.asarray(uniq_idx, dtype=object)
    member_u = np.isin(uniq, listed)
    unknown_u = (uniq == "unknown") & ~member_u
    ok_u = member_u if spec.op == "in" else ~member_u
    state_u = np.where(unknown_u, 2, np.where(ok_u, 0, 1)).astype("int8")
    label = word("column", spec.column, lang)
    shown = ", ".join(word(spec.column, v, lang) for v in listed)
    texts = []
    for v, unk, ok in zip(uniq, unknown_u, ok_u, strict=True):
        w = word(spec.column, v, lang)
        if unk:
            verb = word("text", "required" if spec.op == "in" else "excluded", lang)
            texts.append(f"{label} {word('text', 'unknown', lang)} ({verb}: {shown})")
        elif spec.op == "in":
            texts.append(f"{label} {w} {word('text', 'in' if ok else 'not_in', lang)} [{shown}]")
        else:
            verb = word("text", "not_excluded" if ok else "is_excluded", lang)
            texts.append(f"{label} {w} {verb} [{shown}]")
    state = state_u[inv]
    unknown = state == 2
    why = np.full(len(df), f"{spec.column}.register", dtype=object)
    if spec.column == "ags":
        why[:] = "ags.outside"
    decide, decide_texts = _decide(spec.column, why, unknown, lang)
    return _Outcome(
        state, inv.astype("int64"), np.asarray(texts, dtype=object), decide, decide_texts
    )


def score(df: pd.DataFrame, profile: Profile) -> pd.Series:
    """Weighted 0–100 score of every plot (see module docstring); 0 without weights.

    A current use the profile penalises (``penalise_current_uses``) multiplies the
    score by ``1 - penalty``.
    """
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
    if profile.penalise_current_uses:
        uses = df["current_use"] if "current_use" in df.columns else pd.Series(pd.NA, df.index)
        use = _first_word(uses)
        penalty = use.map(profile.penalise_current_uses).to_numpy(dtype="float64", na_value=0.0)
        out = out * (1.0 - np.nan_to_num(penalty, nan=0.0))
    return pd.Series(np.round(out, 1), index=df.index, dtype="float64")


def _categorical(codes: np.ndarray, categories: Sequence[str] | np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(
        codes, categories=pd.Index(list(categories), dtype="str"), validate=False
    )


def _join(columns: list[tuple[np.ndarray, np.ndarray, np.ndarray]], empty: str) -> pd.Series:
    """Per plot, texts ``texts[codes]`` where ``mask`` joined by "; " (``empty`` if none).

    One pyarrow join over all criteria (C++), each criterion's texts taken from its few
    distinct texts by code.
    """
    n = len(columns[0][0]) if columns else 0
    any_set = np.zeros(n, dtype=bool)
    arrays = []
    for mask, codes, texts in columns:
        safe = np.where(mask, codes, 0)
        arrays.append(pc.take(pa.array(texts, type=pa.string()), pa.array(safe, mask=~mask)))
        any_set |= mask
    if not columns:
        return pd.Series([], dtype="str")
    # a last column holds the empty text where nothing was set, so that no row is all
    # null (pyarrow drops such rows from a join that skips nulls)
    arrays.append(pa.array(np.full(n, empty, dtype=object), type=pa.string(), mask=any_set))
    joined = pc.binary_join_element_wise(*arrays, "; ", null_handling="skip")
    if len(joined) != n:  # never expected; guards against a changed pyarrow behaviour
        raise RuntimeError("joining the reasons of the criteria lost rows")
    return pd.Series(joined, dtype="str")


def screen(plots: gpd.GeoDataFrame, profile: Profile, lang: str = "de") -> gpd.GeoDataFrame:
    """Screen derived plots against a profile (vectorised over all plots).

    Parameters
    ----------
    plots
        Output of :func:`~geo.screening.attributes.derive_attributes` with the register
        columns. Pass only what the caller's role may see (:func:`visible_plots`).
    profile
        Filters, weights, current-use penalties and unknown policy.
    lang
        Language of reasons and labels (:mod:`geo.vocabulary`): ``de`` or ``en``.

    Returns
    -------
    GeoDataFrame
        A copy of ``plots`` (same index and order) plus, per criterion ``<key>`` of the
        profile, ``pass_<key>`` (pass / fail / unknown) and ``reason_<key>``; then
        ``outcome`` (passes / open / fails), ``outcome_label`` (its word in ``lang``),
        ``passed`` (bool: outcome is passes), ``failed`` (comma-separated keys that
        failed), ``open_criteria`` (keys that are unknown), ``reasons`` (the reasons of
        the failed and unknown criteria, or "all criteria met"), ``decide`` (per unknown
        criterion, which data would decide it), ``score`` (0–100) and ``rank`` (1 = best
        within its outcome, passes and open ranked apart; ties share the best rank of
        their group: 1, 2, 2, 4; ``NA`` for fails). Text columns with few distinct
        values are pandas categoricals.
    """
    lang = check_lang(lang)
    n = len(plots)
    keys = criteria_of(profile)
    if len(keys) > 30:
        raise InputError("a profile has at most 30 filters.")
    filters = profile.filters.values()
    any_fail = np.zeros(n, dtype=bool)
    any_unknown = np.zeros(n, dtype=bool)
    fail_bits = np.zeros(n, dtype="int64")
    unknown_bits = np.zeros(n, dtype="int64")
    reasons: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # failed first
    unknown_reasons: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    decides: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    new: dict[str, Any] = {}
    for k, key in enumerate(keys):
        if key in _NUMERIC:
            res = _numeric_outcome(plots, key, float(filters[key]), lang)
        else:
            res = _category_outcome(plots, key, filters[key], lang)
        new[f"pass_{key}"] = _categorical(res.state, STATES)
        new[f"reason_{key}"] = _categorical(res.codes, res.texts)
        failed, unknown = res.state == 1, res.state == 2
        any_fail |= failed
        any_unknown |= unknown
        fail_bits |= failed.astype("int64") << k
        unknown_bits |= unknown.astype("int64") << k
        reasons.append((failed, res.codes, res.texts))
        unknown_reasons.append((unknown, res.codes, res.texts))
        decides.append((unknown, res.decide, res.decide_texts))
    if profile.on_unknown == "fail":
        outcome = np.where(any_fail | any_unknown, 2, 0)
    elif profile.on_unknown == "pass":
        outcome = np.where(any_fail, 2, 0)
    else:
        outcome = np.where(any_fail, 2, np.where(any_unknown, 1, 0))
    outcome = outcome.astype("int8")
    new["outcome"] = _categorical(outcome, OUTCOMES)
    new["outcome_label"] = _categorical(outcome, [word("outcome", o, lang) for o in OUTCOMES])
    new["passed"] = outcome == 0
    new["failed"] = _key_lists(fail_bits, keys)
    new["open_criteria"] = _key_lists(unknown_bits, keys)
    all_met = word("text", "all_met", lang)
    new["reasons"] = (
        _join(reasons + unknown_reasons, all_met) if keys else pd.Series([all_met] * n)
    ).to_numpy()
    new["decide"] = (_join(decides, "") if keys else pd.Series([""] * n)).to_numpy()
    extra = pd.DataFrame(new, index=plots.index)
    extra["score"] = score(plots, profile)
    extra["rank"] = ranks(extra["score"], extra["outcome"])
    kept = plots.drop(columns=[c for c in extra.columns if c in plots.columns])
    out = pd.concat([kept, extra], axis=1)
    out = gpd.GeoDataFrame(out, geometry=plots.geometry.name, crs=plots.crs)
    out.attrs = {**plots.attrs, "profile": profile.name, "lang": lang}
    return out


def _key_lists(bits: np.ndarray, keys: list[str]) -> pd.Categorical:
    combos, inv = np.unique(bits, return_inverse=True)
    text = [",".join(key for k, key in enumerate(keys) if c >> k & 1) for c in combos]
    return _categorical(inv.reshape(-1).astype("int64"), text)


def ranks(scores: pd.Series, outcome: pd.Series) -> pd.Series:
    """Rank by score within *passes* and within *open* (1 = best); fails get ``NA``.

    Tie rule (standard competition ranking): plots with the same score (0.1 points)
    share the best rank of their group and the next rank skips, e.g. 1, 2, 2, 4.
    """
    out = pd.Series(pd.NA, index=scores.index, dtype="Int64")
    for group in (PASSES, OPEN):
        inside = (outcome == group).to_numpy(dtype=bool)
        if inside.any():
            r = scores[inside].rank(method="min", ascending=False)
            out[inside] = r.astype("int64").to_numpy()
    return out


def summary(result: pd.DataFrame) -> dict[str, int]:
    """Plots per outcome: ``passes + open + fails == total`` (the plots screened)."""
    counts = result["outcome"].astype("str").value_counts()
    out = {o: int(counts.get(o, 0)) for o in OUTCOMES}
    out["total"] = len(result)
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
    """A screening result sorted for reading: passes, then open, then fails; within each
    by rank (best first), then score, then the plot id (or the original order)."""
    outcome = pd.Categorical(result["outcome"].astype("str"), categories=list(OUTCOMES)).codes
    rank = result["rank"].astype("Float64").fillna(np.inf).to_numpy(dtype="float64")
    ident_col = next((c for c in ("plot_id", "name") if c in result.columns), None)
    ident = (
        pd.factorize(result[ident_col].astype("str"), sort=True)[0]
        if ident_col
        else np.arange(len(result))
    )
    order = np.lexsort((ident, -result["score"].to_numpy(dtype="float64"), rank, outcome))
    return result.iloc[order]
