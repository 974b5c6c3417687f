"""Published figures beside computed ones: joining the BBSR INKAR accessibility table.

Pure functions (no file access: see :mod:`geo.region.published_io`); no input is modified.

INKAR publishes car minutes (nearest motorway junction, IC/EC/ICE station, Oberzentrum,
Mittel- or Oberzentrum, airport; reference year 2020) and public-transport stop access
(2018) per **Gemeindeverband** on the territory of 2020, while the region model holds the
municipalities of VG250 as of 1 January 2016. A value is joined to a municipality only
where the key proves that both mean the same territory:

1. the municipality is not a gemeindefreies Gebiet;
2. INKAR has a row whose ``gv_key`` equals the municipality's 8-digit AGS (for an
   Einheitsgemeinde the association key is its AGS);
3. that row's name is the municipality's name (case, umlauts and the ", Stadt"-style
   suffix folded; no fuzzy match);
4. the municipality was verbandsfrei in 2016 (its Regionalschlüssel's association part
   is ``0000`` or ``0`` + its municipality number), so it was not part of an
   association that may have been merged into it;
5. the model knows no territorial change of it (``territory_changed``, ``predecessors``
   or ``successor`` where those columns exist; a code without a figure in a year);
6. no adjacent municipality that was verbandsfrei in 2016 is missing from INKAR 2020
   (it may have been merged into this one after 2016).

Every other municipality is left without values, with a reason code
(:data:`INKAR_REASONS`) and a sentence naming the evidence. Nothing is guessed: a VG
member never gets its association's value, and no name is matched approximately.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.region.model import normalize_name

#: Value columns of the INKAR table (see the Germany pack's README).
INKAR_VALUE_COLUMNS = (
    "car_min_motorway",
    "car_min_airport",
    "car_min_ic_station",
    "car_min_oberzentrum",
    "car_min_mittelzentrum",
    "pt_stop_dist_m",
    "pt_stop_within_1km_pct",
)
#: Model column of each INKAR value (``inkar_`` + the table's name).
INKAR_COLUMNS = {c: f"inkar_{c}" for c in INKAR_VALUE_COLUMNS}
#: Reference year of the car minutes and of the stop-access figures.
INKAR_YEAR = 2020
INKAR_PT_YEAR = 2018
#: The label every INKAR value carries (source, year, level).
INKAR_SOURCE = (
    "veröffentlicht: BBSR, INKAR 2021 – Wert des Gemeindeverbands (Gebietsstand 2020), "
    f"Bezugsjahr {INKAR_YEAR} (ÖV-Haltestellen {INKAR_PT_YEAR}); © BBSR Bonn, dl-de/by-2.0"
)
INKAR_SOURCE_EN = (
    "published: BBSR, INKAR 2021 – value of the municipal association (territory of 2020), "
    f"reference year {INKAR_YEAR} (public-transport stops {INKAR_PT_YEAR}); © BBSR Bonn, "
    "dl-de/by-2.0"
)

#: Labels of the INKAR values (German, English).
INKAR_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "car_min_motorway": "Pkw-Minuten zur nächsten Autobahnanschlussstelle",
        "car_min_airport": "Pkw-Minuten zum nächsten internationalen Flughafen",
        "car_min_ic_station": "Pkw-Minuten zum nächsten IC/EC/ICE-Bahnhof",
        "car_min_oberzentrum": "Pkw-Minuten zum nächsten Oberzentrum",
        "car_min_mittelzentrum": "Pkw-Minuten zum nächsten Mittel- oder Oberzentrum",
        "pt_stop_dist_m": "Entfernung zur nächsten ÖV-Haltestelle (m, ≥ 20 Abfahrten/Tag)",
        "pt_stop_within_1km_pct": "Anteil der Einwohner ≤ 1 km von einer ÖV-Haltestelle (%)",
    },
    "en": {
        "car_min_motorway": "car minutes to the nearest motorway junction",
        "car_min_airport": "car minutes to the nearest international airport",
        "car_min_ic_station": "car minutes to the nearest IC/EC/ICE station",
        "car_min_oberzentrum": "car minutes to the nearest Oberzentrum",
        "car_min_mittelzentrum": "car minutes to the nearest Mittel- or Oberzentrum",
        "pt_stop_dist_m": "distance to the nearest public-transport stop (m, ≥ 20 departures/day)",
        "pt_stop_within_1km_pct": "share of residents within 1 km of such a stop (%)",
    },
}

#: Why a municipality has (or has not) INKAR values.
INKAR_REASONS: dict[str, str] = {
    "matched": "Einheitsgemeinde: INKAR key = AGS, same name, territory unchanged as far as known",
    "unincorporated": "gemeindefreies Gebiet: INKAR has no row for it",
    "association_member": "member of a Gemeindeverband in 2016: INKAR gives only the "
    "association's value",
    "no_key": "no INKAR 2020 row under its AGS: merged or joined an association after 2016",
    "name_differs": "the INKAR row under its AGS bears another name",
    "was_member": "its AGS is a 2020 association key, but in 2016 it was a member of an "
    "association: the 2020 territory may be larger",
    "territory_changed": "the model records a territorial change",
    "neighbour_gone": "an adjacent municipality has no INKAR 2020 row: it may have been "
    "merged into this one after 2016",
    "not_loaded": "no INKAR table loaded",
}

#: Short user-facing words for each reason (map popups; the full sentence is ``inkar_note``).
INKAR_REASON_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "matched": "Einheitsgemeinde",
        "unincorporated": "gemeindefrei",
        "association_member": "nur Verbandswert",
        "no_key": "kein Schlüssel 2020",
        "name_differs": "anderer Name",
        "was_member": "Gebiet 2020 unsicher",
        "territory_changed": "Gebietsänderung",
        "neighbour_gone": "Gebiet 2020 unsicher",
        "not_loaded": "nicht geladen",
    },
    "en": {
        "matched": "Einheitsgemeinde",
        "unincorporated": "unincorporated",
        "association_member": "association value only",
        "no_key": "no 2020 key",
        "name_differs": "other name",
        "was_member": "2020 territory uncertain",
        "territory_changed": "territorial change",
        "neighbour_gone": "2020 territory uncertain",
        "not_loaded": "not loaded",
    },
}

#: Columns the join adds to the model.
INKAR_META_COLUMNS = ("inkar_key", "inkar_name", "inkar_match", "inkar_note", "inkar_source")
#: What the public outputs (OGC collection) show of the join: values, key, label, reason.
INKAR_PROPERTIES = (
    *INKAR_COLUMNS.values(),
    "inkar_key",
    "inkar_name",
    "inkar_match",
    "inkar_source",
)
REPORT_COLUMNS = ["ags", "name", "status", "reason", "detail", "inkar_key", "inkar_name"]


def inkar_name_key(name: str) -> str:
    """Fold an INKAR or VG250 name for comparison: the part before ``,`` normalised.

    "Saalfeld/Saale, Stadt" and "Saalfeld/Saale" agree; "Jena, Stadt" and "Jena" agree.
    """
    return normalize_name(str(name).split(",", 1)[0])


def verbandsfrei_2016(rs: pd.Series) -> pd.Series:
    """Whether the 12-digit Regionalschlüssel says "no member of a Gemeindeverband".

    Its association part (digits 6–9) is ``0000`` or ``0`` followed by the municipality
    number (digits 10–12) for municipalities outside any association.
    """
    s = rs.astype(str).str.zfill(12)
    part, number = s.str[5:9], s.str[9:12]
    return (part == "0000") | (part == "0" + number)


def known_territory_change(model: pd.DataFrame, lang: str = "en") -> pd.Series:
    """A sentence naming each municipality's known territorial change ('' when none known),
    in English (``lang="en"``, the join report's language) or German (``lang="de"``).

    Reads ``territory_changed``, ``predecessors`` and ``successor`` where the model has
    them (absent columns mean no known change), and ``missing_years`` (a code without a
    population figure in a year: Destatis lists its people under another code then).
    """
    notes = pd.Series("", index=model.index, dtype=object)

    def add(mask: pd.Series, texts: pd.Series) -> None:
        sel = mask.fillna(False).astype(bool)
        prefix = notes[sel].where(notes[sel] == "", notes[sel] + "; ")
        notes[sel] = prefix + texts[sel]

    de = lang == "de"
    changed = (
        "Gebiet geändert (Erkennung von Gebietsänderungen)"
        if de
        else "territory changed (territorial-change detection)"
    )
    if "territory_changed" in model.columns:
        flag = model["territory_changed"].map(_truthy)
        add(flag, pd.Series(changed, index=model.index))
    texts = (
        (("predecessors", "Vorgänger {}"), ("successor", "aufgegangen in {}"))
        if de
        else (("predecessors", "predecessors {}"), ("successor", "merged into {}"))
    )
    for col, text in texts:
        if col in model.columns:
            vals = model[col].fillna("").astype(str).str.strip()
            add(vals != "", vals.map(lambda v, t=text: t.format(v)))
    if "missing_years" in model.columns:
        miss = model["missing_years"].fillna("").astype(str).str.strip()
        missing = (
            "keine Einwohnerzahl unter ihrem Schlüssel in {}"
            if de
            else "no population figure under its code in {}"
        )
        add(miss != "", miss.map(lambda v: missing.format(v)))
    return notes


def _truthy(v: object) -> bool:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return False
    if isinstance(v, str):
        return v.strip().lower() in ("1", "true", "yes", "ja")
    return bool(v)


def _gone_neighbours(model: gpd.GeoDataFrame, gone: np.ndarray) -> dict[int, list[int]]:
    """Positions of municipalities adjacent to each 'gone' municipality (position → gone)."""
    out: dict[int, list[int]] = {}
    if not gone.any():
        return out
    geoms = model.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    src = np.flatnonzero(gone)
    q_idx, t_idx = tree.query(geoms[src], predicate="intersects")
    for qi, ti in zip(q_idx, t_idx, strict=True):
        g = int(src[qi])
        if int(ti) != g:
            out.setdefault(int(ti), []).append(g)
    return out


def join_inkar(
    model: gpd.GeoDataFrame, inkar: pd.DataFrame | None
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Join INKAR values to the municipalities where the key proves it (module docstring).

    Parameters
    ----------
    model
        The region model (columns ``ags``, ``rs``, ``name``, ``bez``, geometry; optional
        territorial-change columns).
    inkar
        The table of :func:`geo.region.published_io.read_inkar`; ``None`` when none is loaded
        (every municipality then has the reason ``not_loaded``).

    Returns
    -------
    (GeoDataFrame, DataFrame)
        A copy of the model with the ``inkar_*`` value columns, ``inkar_key``,
        ``inkar_name``, ``inkar_match`` (a reason code of :data:`INKAR_REASONS`),
        ``inkar_note`` (the evidence) and ``inkar_source`` (the label, on joined rows);
        and the report, one row per municipality (``status`` matched / unmatched).
    """
    out = model.copy()
    n = len(out)
    values = {col: np.full(n, np.nan) for col in INKAR_COLUMNS.values()}
    key_col = np.full(n, "", dtype=object)
    name_col = np.full(n, "", dtype=object)
    reason = np.full(n, "not_loaded", dtype=object)
    detail = np.full(n, INKAR_REASONS["not_loaded"], dtype=object)
    if inkar is not None:
        by_key = inkar.set_index("gv_key")
        by_src = {src: by_key[src].astype(float).to_dict() for src in INKAR_COLUMNS}
        ags = out["ags"].astype(str).to_numpy()
        names = out["name"].astype(str).to_numpy()
        rs = out["rs"].astype(str)
        free = verbandsfrei_2016(rs).to_numpy()
        unincorporated = out["bez"].astype(str).str.casefold().str.startswith("gemeindefrei")
        unincorporated = unincorporated.to_numpy()
        known_keys = set(by_key.index)
        in_keys = np.array([a in known_keys for a in ags], dtype=bool)
        change = known_territory_change(out).to_numpy()
        gone = free & ~in_keys & ~unincorporated
        near_gone = _gone_neighbours(out, gone)
        district_rows: dict[tuple[str, str], list[str]] = {}
        for k, nm in zip(inkar["gv_key"], inkar["name"], strict=True):
            district_rows.setdefault((k[:5], inkar_name_key(nm)), []).append(f"{k} {nm!r}")
        for i in range(n):
            r, d = _decide(
                i,
                ags,
                names,
                rs,
                free,
                unincorporated,
                in_keys,
                change,
                near_gone,
                by_key,
                district_rows,
            )
            reason[i], detail[i] = r, d
            if in_keys[i]:
                key_col[i] = ags[i]
                name_col[i] = str(by_key.at[ags[i], "name"])
            if r == "matched":
                for src, col in INKAR_COLUMNS.items():
                    values[col][i] = by_src[src][ags[i]]
    for col, arr in values.items():
        out[col] = arr
    out["inkar_key"] = key_col
    out["inkar_name"] = name_col
    out["inkar_match"] = reason
    out["inkar_note"] = detail
    out["inkar_source"] = np.where(reason == "matched", INKAR_SOURCE, "")
    report = pd.DataFrame(
        {
            "ags": out["ags"].astype(str).to_numpy(),
            "name": out["name"].astype(str).to_numpy(),
            "status": np.where(reason == "matched", "matched", "unmatched"),
            "reason": reason,
            "detail": detail,
            "inkar_key": key_col,
            "inkar_name": name_col,
        },
        columns=REPORT_COLUMNS,
    )
    return gpd.GeoDataFrame(out, geometry="geometry", crs=model.crs), report


def _decide(
    i: int,
    ags: np.ndarray,
    names: np.ndarray,
    rs: pd.Series,
    free: np.ndarray,
    unincorporated: np.ndarray,
    in_keys: np.ndarray,
    change: np.ndarray,
    near_gone: dict[int, list[int]],
    by_key: pd.DataFrame,
    district_rows: dict[tuple[str, str], list[str]],
) -> tuple[str, str]:
    """Reason code and evidence sentence of municipality ``i`` (see the module docstring)."""
    a = ags[i]
    if unincorporated[i]:
        return "unincorporated", INKAR_REASONS["unincorporated"]
    if not in_keys[i]:
        if not free[i]:
            assoc = str(rs.iloc[i]).zfill(12)[:9]
            text = (
                f"member of Gemeindeverband {assoc} (Regionalschlüssel) in 2016; INKAR gives "
                "only the association's value, not joined"
            )
            same = ", ".join(district_rows.get((a[:5], inkar_name_key(names[i])), []))
            if same:
                text += f"; INKAR association(s) bearing its name: {same}"
            return "association_member", text
        return "no_key", (
            f"no INKAR 2020 row under AGS {a}: merged or joined an association after 2016"
        )
    inkar_name = str(by_key.at[a, "name"])
    if inkar_name_key(inkar_name) != inkar_name_key(names[i]):
        return "name_differs", (
            f"the INKAR row under {a} is named {inkar_name!r}, not {names[i]!r}: another "
            "territory or a renamed one, not joined"
        )
    if not free[i]:
        assoc = str(rs.iloc[i]).zfill(12)[:9]
        return "was_member", (
            f"member of Gemeindeverband {assoc} in 2016, an association of its own in 2020: "
            "the 2020 territory may include former members, not joined"
        )
    if change[i]:
        return "territory_changed", f"known territorial change: {change[i]}; not joined"
    if i in near_gone:
        gone = ", ".join(f"{names[g]} ({ags[g]})" for g in near_gone[i])
        return "neighbour_gone", (
            f"adjacent without an association in 2016 and without an INKAR 2020 row: {gone}; "
            "may have been merged into this municipality, not joined"
        )
    return "matched", f"Einheitsgemeinde: INKAR key {a} = AGS, name {inkar_name!r}"


def inkar_counts(report: pd.DataFrame) -> dict[str, int]:
    """Municipalities per reason code of a join report (``matched`` included)."""
    counts = report["reason"].value_counts()
    return {str(k): int(v) for k, v in counts.items()}
