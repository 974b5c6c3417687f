"""The validation report: every published figure beside the computed one, and why they differ.

Pure functions: the model and the computed minutes go in (see :class:`Computed`), a new
table comes out. What is compared:

* ISEK Jena 2030 (slide of 06.12.2016), per neighbour town: population, trend
  2008–2015, rail and car minutes to Jena;
* BBSR INKAR 2021 (reference year 2020): car minutes to the nearest IC/EC/ICE station,
  for every municipality with a joined INKAR value (:mod:`geo.region.published`) where the tool
  computes the same measure (its centre lies in the loaded road network and the timetable
  holds long-distance stations only). The other INKAR measures (motorway junction,
  airport, Ober-/Mittelzentrum, stop access) have no computed counterpart here.

Each row gets one reason class, the first that applies in this order:

``not_computable``
    the tool has no figure (no population under the code, centre outside the loaded road
    network, not reached on it);
``same``
    the difference is within the tolerance (:data:`TOLERANCES`);
``other_territory``
    the published figure refers to another territory: an association (the sum of the
    2016 members matches), a territory before/after a merger (the model records one), or
    an area average over the association against a centre point (INKAR);
``other_year``
    another reference year or period, and the figure lies within the municipality's own
    series (population) or the periods differ (trend);
``other_network``
    the timetable or network the tool routes on lacks what the published figure used (a
    feed with a stated gap, e.g. long-distance trains only);
``unexplained``
    none of these: highlighted when the difference exceeds :data:`HIGHLIGHT_PCT` %.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.region.model import population_years
from geo.region.published import INKAR_COLUMNS, known_territory_change, verbandsfrei_2016

#: Reason classes, in the order they are tested.
REASONS = (
    "not_computable",
    "same",
    "other_territory",
    "other_year",
    "other_network",
    "unexplained",
)
#: Unexplained differences above this (in % of the published figure) are highlighted.
HIGHLIGHT_PCT = 25.0
#: Minutes: same within max(absolute, relative × published).
MINUTES_TOLERANCE_MIN = 2.0
MINUTES_TOLERANCE_REL = 0.10
#: Trend: same within this many percentage points (ISEK gives whole per cent).
TREND_TOLERANCE_PP = 0.5
#: ISEK gives no year for its population; its trend ends in 2015 and the slide dates from
#: December 2016, so the figure is taken to refer to 2015 (compared with the nearest year).
ISEK_REFERENCE_YEAR = 2015
ISEK_TREND_PERIOD = (2008, 2015)

#: The tolerance of each measure, in words (shown with the report).
TOLERANCES: dict[str, dict[str, str]] = {
    "de": {
        "population": "Einwohner: halbe Rundungseinheit der veröffentlichten Zahl "
        "(22 400 → ±50, 7 000 → ±500)",
        "trend": f"Trend: ±{TREND_TOLERANCE_PP:g} Prozentpunkte".replace(".", ","),
        "minutes": f"Minuten: ±{MINUTES_TOLERANCE_MIN:g} min oder "
        f"±{MINUTES_TOLERANCE_REL * 100:g} %, das Größere",
        "highlight": f"hervorgehoben: ungeklärt und über {HIGHLIGHT_PCT:g} % Abweichung",
    },
    "en": {
        "population": "population: half the rounding unit of the published figure "
        "(22,400 → ±50, 7,000 → ±500)",
        "trend": f"trend: ±{TREND_TOLERANCE_PP:g} percentage points",
        "minutes": f"minutes: ±{MINUTES_TOLERANCE_MIN:g} min or "
        f"±{MINUTES_TOLERANCE_REL * 100:g} %, whichever is larger",
        "highlight": f"highlighted: unexplained and more than {HIGHLIGHT_PCT:g} % apart",
    },
}

#: Words of the report (German default, English).
LABELS: dict[str, dict[str, str]] = {
    "de": {
        "same": "gleich",
        "other_year": "anderes Bezugsjahr",
        "other_territory": "anderes Gebiet",
        "other_network": "anderes Netz / anderer Fahrplan",
        "not_computable": "hier nicht berechenbar",
        "unexplained": "ungeklärt",
        "population": "Einwohner",
        "trend": "Trend 2008–2015 (%)",
        "rail_minutes": "Bahn ab Jena (min)",
        "car_minutes": "Auto ab Jena (min)",
        "inkar_car_min_ic_station": "Pkw zum nächsten IC/EC/ICE-Bahnhof (min)",
        "isek": "ISEK Jena 2030, Lenkungsrunde Nr. 3 (06.12.2016)",
        "inkar": "BBSR, INKAR 2021 (Gemeindeverband, Gebietsstand 2020)",
        "col_name": "Gemeinde",
        "col_ags": "AGS",
        "col_source": "Quelle",
        "col_measure": "Größe",
        "col_published": "veröffentlicht",
        "col_published_basis": "Grundlage (veröffentlicht)",
        "col_computed": "berechnet",
        "col_computed_basis": "Grundlage (berechnet)",
        "col_difference": "Differenz",
        "col_difference_pct": "Differenz (%)",
        "col_reason": "Grund",
        "col_explanation": "Erläuterung",
        "col_highlight": "hervorgehoben",
        "title": "Abgleich: veröffentlichte und berechnete Zahlen",
        "isek_pop_basis": "ohne Jahresangabe (Trend bis 2015, Folie vom 06.12.2016)",
        "isek_trend_basis": "2008–2015",
        "isek_min_basis": "ISEK-Folie Stadt.Region.Jena",
        "inkar_basis": "Flächenmittel des Gemeindeverbands, Bezugsjahr 2020",
        "pop_basis": "Destatis {year}, Gebiet der Gemeinde (VG250 2016)",
        "trend_basis": "Destatis {first}–{last}",
        "car_basis": "Straßennetz {network}, ab Gemeindezentrum",
        "ic_basis": "Straßennetz {network}, ab Gemeindezentrum zur nächsten Fernverkehrs"
        "haltestelle des Fahrplans",
        "no_figure": "Destatis gibt unter dem Schlüssel für {year} keine Zahl",
        "no_trend": "weniger als zwei Jahre mit Einwohnerzahl",
        "outside": "Gemeindezentrum außerhalb des geladenen Straßennetzes ({network})",
        "not_reached_car": "auf dem geladenen Straßennetz ({network}) nicht erreicht",
        "no_stop": "keine Fernverkehrshaltestelle im geladenen Straßennetz erreicht",
        "within": "Abweichung innerhalb der Toleranz (±{tol})",
        "change": "Gebietsänderung: {note}",
        "association": "Summe der {k} Mitgliedsgemeinden des Gemeindeverbands {code} "
        "(Stand 2016) {year}: {sum}; Spanne {lo}–{hi} in den Jahren der Daten",
        "series": "liegt in der Spanne der eigenen Reihe ({years}: {lo}–{hi})",
        "periods": "anderer Zeitraum: veröffentlicht {pub}, berechnet {comp}",
        "feed_gap": "Fahrplan mit Lücke: {notes}",
        "feed_gap_unreached": "mit diesem Fahrplan nicht erreicht – {notes}",
        "unreached": "mit dem geladenen Fahrplan nicht erreicht",
        "area_mean": "INKAR: Flächenmittel über das Gebiet des Gemeindeverbands (BBSR-"
        "Straßenmodell 2020); berechnet: ab dem Gemeindezentrum auf {network}",
        "none": "kein Grund in den Daten gefunden",
    },
    "en": {
        "same": "same",
        "other_year": "other reference year",
        "other_territory": "other territory",
        "other_network": "other network or feed",
        "not_computable": "not computable here",
        "unexplained": "unexplained",
        "population": "population",
        "trend": "trend 2008–2015 (%)",
        "rail_minutes": "rail from Jena (min)",
        "car_minutes": "car from Jena (min)",
        "inkar_car_min_ic_station": "car to the nearest IC/EC/ICE station (min)",
        "isek": "ISEK Jena 2030, steering round no. 3 (6 Dec 2016)",
        "inkar": "BBSR, INKAR 2021 (municipal association, territory of 2020)",
        "col_name": "municipality",
        "col_ags": "AGS",
        "col_source": "source",
        "col_measure": "measure",
        "col_published": "published",
        "col_published_basis": "basis (published)",
        "col_computed": "computed",
        "col_computed_basis": "basis (computed)",
        "col_difference": "difference",
        "col_difference_pct": "difference (%)",
        "col_reason": "reason",
        "col_explanation": "explanation",
        "col_highlight": "highlighted",
        "title": "Validation: published and computed figures",
        "isek_pop_basis": "no year given (trend to 2015, slide of 6 Dec 2016)",
        "isek_trend_basis": "2008–2015",
        "isek_min_basis": "ISEK slide Stadt.Region.Jena",
        "inkar_basis": "area average over the association, reference year 2020",
        "pop_basis": "Destatis {year}, the municipality's territory (VG250 2016)",
        "trend_basis": "Destatis {first}–{last}",
        "car_basis": "road network {network}, from the municipality's centre",
        "ic_basis": "road network {network}, from the centre to the nearest long-distance "
        "stop of the timetable",
        "no_figure": "Destatis gives no figure under the code for {year}",
        "no_trend": "fewer than two years with a population figure",
        "outside": "centre outside the loaded road network ({network})",
        "not_reached_car": "not reached on the loaded road network ({network})",
        "no_stop": "no long-distance stop reached on the loaded road network",
        "within": "difference within the tolerance (±{tol})",
        "change": "territorial change: {note}",
        "association": "sum of the {k} member municipalities of association {code} "
        "(as of 2016) in {year}: {sum}; range {lo}–{hi} over the data's years",
        "series": "within the municipality's own series ({years}: {lo}–{hi})",
        "periods": "other period: published {pub}, computed {comp}",
        "feed_gap": "timetable with a gap: {notes}",
        "feed_gap_unreached": "not reached with this timetable – {notes}",
        "unreached": "not reached with the loaded timetable",
        "area_mean": "INKAR: area average over the association's territory (BBSR road model "
        "2020); computed: from the municipality's centre on {network}",
        "none": "no reason found in the data",
    },
}

#: German words for the stated gaps of known feeds (``geo.transit.FEED_NOTES`` is English).
FEED_GAPS_DE: dict[str, str] = {
    "db_fv_gtfs_2019.zip": "nur DB-Fernverkehr (ICE/IC/EC und Partner), Fahrplanjahr 2019: "
    "keine Regionalzüge (RE/RB), keine Straßenbahnen, keine Busse",
}

#: Columns of the report (codes; see :func:`labelled` for the display version).
COLUMNS = [
    "ags",
    "name",
    "source",
    "measure",
    "published",
    "published_basis",
    "computed",
    "computed_basis",
    "tolerance",
    "difference",
    "difference_pct",
    "reason",
    "reason_label",
    "explanation",
    "highlight",
]


@dataclass(frozen=True)
class Computed:
    """Computed figures the report compares with (every Series indexed by AGS).

    Attributes
    ----------
    rail_minutes
        Rail minutes from Jena (``NaN``: not reached).
    car_minutes
        Car minutes from Jena (``NaN``: not reached or not covered).
    car_covered
        Whether the loaded road network covers the municipality's centre.
    ic_car_minutes
        Car minutes from the centre to the nearest long-distance stop (``NaN``: not
        computed here); empty when the timetable is not long-distance only.
    rail_basis
        What the rail minutes are (feed, date, window, statistic).
    rail_feed_notes
        What the timetable lacks (one sentence per feed with a known gap).
    rail_feeds
        The feeds' file names (for German words of known gaps, :data:`FEED_GAPS_DE`).
    car_network
        Name of the loaded road network.
    """

    rail_minutes: pd.Series
    car_minutes: pd.Series
    car_covered: pd.Series
    ic_car_minutes: pd.Series
    rail_basis: str
    rail_feed_notes: tuple[str, ...]
    car_network: str
    rail_feeds: tuple[str, ...] = ()


def population_tolerance(published: float) -> float:
    """Half the rounding unit of a published whole number (22 400 → 50, 7 000 → 500)."""
    v = round(abs(published))
    if v == 0:
        return 0.5
    unit = 1
    while v % (unit * 10) == 0:
        unit *= 10
    return unit / 2


def minutes_tolerance(published: float) -> float:
    """Tolerance of a minutes figure: max(2 min, 10 % of it)."""
    return max(MINUTES_TOLERANCE_MIN, MINUTES_TOLERANCE_REL * abs(published))


def _fmt(v: float, lang: str, digits: int = 0) -> str:
    s = f"{v:,.{digits}f}"
    if lang == "de":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def _row(
    r: pd.Series, source: str, measure: str, published: float, published_basis: str
) -> dict[str, object]:
    return {
        "ags": str(r["ags"]),
        "name": str(r["name"]),
        "source": source,
        "measure": measure,
        "published": float(published),
        "published_basis": published_basis,
    }


def _finish(
    row: dict[str, object],
    computed: float,
    basis: str,
    tol: float,
    reason: str,
    explanation: str,
    lab: dict[str, str],
) -> dict[str, object]:
    pub = float(row["published"])  # type: ignore[arg-type]
    diff = computed - pub if np.isfinite(computed) else np.nan
    pct = diff / abs(pub) * 100 if np.isfinite(diff) and pub != 0 else np.nan
    if reason == "unexplained":
        big = not np.isfinite(diff) or (np.isfinite(pct) and abs(pct) > HIGHLIGHT_PCT)
        big = big or (pub == 0 and np.isfinite(diff) and abs(diff) > tol)
    else:
        big = False
    row.update(
        computed=computed,
        computed_basis=basis,
        tolerance=tol,
        difference=round(diff, 2) if np.isfinite(diff) else np.nan,
        difference_pct=round(pct, 1) if np.isfinite(pct) else np.nan,
        reason=reason,
        reason_label=lab[reason],
        explanation=explanation,
        highlight=bool(big),
    )
    return row


def _nearest_year(years: Sequence[int], target: int) -> int:
    return min(years, key=lambda y: (abs(y - target), y))


def _population_row(
    model: pd.DataFrame, i: int, change: str, lab: dict[str, str], lang: str
) -> dict[str, object]:
    r = model.iloc[i]
    years = population_years(model)
    year = _nearest_year(years, ISEK_REFERENCE_YEAR)
    pub = float(r["isek_population"])
    row = _row(r, lab["isek"], "population", pub, lab["isek_pop_basis"])
    tol = population_tolerance(pub)
    comp_v = r[f"population_{year}"]
    basis = lab["pop_basis"].format(year=year)
    if pd.isna(comp_v):
        return _finish(
            row, np.nan, basis, tol, "not_computable", lab["no_figure"].format(year=year), lab
        )
    comp = float(comp_v)
    if abs(comp - pub) <= tol:
        text = lab["within"].format(tol=_fmt(tol, lang))
        return _finish(row, comp, basis, tol, "same", text, lab)
    if change:
        text = lab["change"].format(note=change)
        return _finish(row, comp, basis, tol, "other_territory", text, lab)
    assoc = _association_evidence(model, i, pub, tol, year, lab, lang)
    if assoc:
        return _finish(row, comp, basis, tol, "other_territory", assoc, lab)
    series = [float(r[f"population_{y}"]) for y in years if not pd.isna(r[f"population_{y}"])]
    lo, hi = min(series), max(series)
    if lo - tol <= pub <= hi + tol:
        text = lab["series"].format(
            years=", ".join(map(str, years)), lo=_fmt(lo, lang), hi=_fmt(hi, lang)
        )
        return _finish(row, comp, basis, tol, "other_year", text, lab)
    return _finish(row, comp, basis, tol, "unexplained", lab["none"], lab)


def _association_evidence(
    model: pd.DataFrame,
    i: int,
    pub: float,
    tol: float,
    year: int,
    lab: dict[str, str],
    lang: str,
) -> str:
    """Evidence that ``pub`` is the 2016 association's population ('' when none)."""
    rs = model["rs"].astype(str).str.zfill(12)
    if bool(verbandsfrei_2016(rs.iloc[i : i + 1]).iloc[0]):
        return ""
    members = model[rs.str[:9] == rs.loc[i][:9]]
    years = population_years(model)
    sums = {y: members[f"population_{y}"].astype("Float64").sum(skipna=False) for y in years}
    known = {y: float(v) for y, v in sums.items() if not pd.isna(v)}
    if year not in known:
        return ""
    lo, hi = min(known.values()), max(known.values())
    if not (abs(known[year] - pub) <= tol or lo - tol <= pub <= hi + tol):
        return ""
    return lab["association"].format(
        k=len(members),
        code=rs.loc[i][:9],
        year=year,
        sum=_fmt(known[year], lang),
        lo=_fmt(lo, lang),
        hi=_fmt(hi, lang),
    )


def _trend_row(
    model: pd.DataFrame, i: int, change: str, lab: dict[str, str], lang: str
) -> dict[str, object]:
    r = model.iloc[i]
    pub = float(r["isek_trend_2008_2015_pct"])
    row = _row(r, lab["isek"], "trend", pub, lab["isek_trend_basis"])
    tol = TREND_TOLERANCE_PP
    # territorial-change columns, where the model has them: the trend's basis and note
    given_basis = str(r.get("trend_basis", "") or "").strip()
    note = str(r.get("trend_note", "") or "").strip()
    if pd.isna(r["change_pct"]) or pd.isna(r["first_year"]) or pd.isna(r["last_year"]):
        why = note or (lab["change"].format(note=change) if change else lab["no_trend"])
        return _finish(row, np.nan, given_basis, tol, "not_computable", why, lab)
    first, last = int(r["first_year"]), int(r["last_year"])
    comp = float(r["change_pct"])
    basis = given_basis or lab["trend_basis"].format(first=first, last=last)
    if abs(comp - pub) <= tol:
        text = lab["within"].format(tol=_fmt(tol, lang, 1))
        return _finish(row, comp, basis, tol, "same", text, lab)
    if change:
        text = lab["change"].format(note=change)
        return _finish(row, comp, basis, tol, "other_territory", text, lab)
    if (first, last) != ISEK_TREND_PERIOD:
        text = lab["periods"].format(pub="2008–2015", comp=f"{first}–{last}")
        return _finish(row, comp, basis, tol, "other_year", text, lab)
    return _finish(row, comp, basis, tol, "unexplained", lab["none"], lab)


def _rail_row(
    model: pd.DataFrame, i: int, computed: Computed, lab: dict[str, str], lang: str
) -> dict[str, object]:
    r = model.iloc[i]
    pub = float(r["isek_rail_minutes"])
    row = _row(r, lab["isek"], "rail_minutes", pub, lab["isek_min_basis"])
    tol = minutes_tolerance(pub)
    comp = float(computed.rail_minutes.get(str(r["ags"]), np.nan))
    notes = "; ".join(_feed_gaps(computed, lang))
    basis = computed.rail_basis
    if np.isfinite(comp) and abs(comp - pub) <= tol:
        text = lab["within"].format(tol=_fmt(tol, lang, 1) + " min")
        return _finish(row, comp, basis, tol, "same", text, lab)
    if notes:
        key = "feed_gap" if np.isfinite(comp) else "feed_gap_unreached"
        return _finish(row, comp, basis, tol, "other_network", lab[key].format(notes=notes), lab)
    text = lab["none"] if np.isfinite(comp) else lab["unreached"]
    return _finish(row, comp, basis, tol, "unexplained", text, lab)


def _feed_gaps(computed: Computed, lang: str) -> list[str]:
    """The stated gaps of the timetable, in German where the feed is known."""
    if lang != "de" or not computed.rail_feeds:
        return list(computed.rail_feed_notes)
    german = [FEED_GAPS_DE[f] for f in computed.rail_feeds if f in FEED_GAPS_DE]
    return (
        german if len(german) == len(computed.rail_feed_notes) else list(computed.rail_feed_notes)
    )


def _car_row(
    model: pd.DataFrame, i: int, computed: Computed, lab: dict[str, str], lang: str
) -> dict[str, object]:
    r = model.iloc[i]
    ags = str(r["ags"])
    pub = float(r["isek_car_minutes"])
    row = _row(r, lab["isek"], "car_minutes", pub, lab["isek_min_basis"])
    tol = minutes_tolerance(pub)
    network = computed.car_network or "–"
    basis = lab["car_basis"].format(network=network)
    if not bool(computed.car_covered.get(ags, False)):
        text = lab["outside"].format(network=network)
        return _finish(row, np.nan, basis, tol, "not_computable", text, lab)
    comp = float(computed.car_minutes.get(ags, np.nan))
    if not np.isfinite(comp):
        text = lab["not_reached_car"].format(network=network)
        return _finish(row, comp, basis, tol, "not_computable", text, lab)
    if abs(comp - pub) <= tol:
        text = lab["within"].format(tol=_fmt(tol, lang, 1) + " min")
        return _finish(row, comp, basis, tol, "same", text, lab)
    return _finish(row, comp, basis, tol, "unexplained", lab["none"], lab)


def _inkar_row(
    model: pd.DataFrame, i: int, computed: Computed, lab: dict[str, str], lang: str
) -> dict[str, object]:
    r = model.iloc[i]
    col = INKAR_COLUMNS["car_min_ic_station"]
    pub = float(r[col])
    row = _row(r, lab["inkar"], col, pub, lab["inkar_basis"])
    tol = minutes_tolerance(pub)
    comp = float(computed.ic_car_minutes.get(str(r["ags"]), np.nan))
    network = computed.car_network or "–"
    basis = lab["ic_basis"].format(network=network)
    if abs(comp - pub) <= tol:
        text = lab["within"].format(tol=_fmt(tol, lang, 1) + " min")
        return _finish(row, comp, basis, tol, "same", text, lab)
    return _finish(
        row, comp, basis, tol, "other_territory", lab["area_mean"].format(network=network), lab
    )


def validation_table(model: pd.DataFrame, computed: Computed, lang: str = "de") -> pd.DataFrame:
    """Every published figure of the model beside the computed one, with a reason class.

    Parameters
    ----------
    model
        The region model (with ``isek_*`` columns and, where joined, ``inkar_*``).
    computed
        Computed minutes (see :class:`Computed`).
    lang
        ``de`` (default) or ``en`` for the labels and explanations.

    Returns
    -------
    DataFrame
        One row per published figure, columns :data:`COLUMNS`; ISEK rows first (by town,
        then population, trend, rail, car), then INKAR rows by AGS.
    """
    lab = LABELS.get(lang, LABELS["de"])
    model = model.reset_index(drop=True)
    changes = known_territory_change(model, lang)
    rows: list[dict[str, object]] = []
    isek = model[model["isek_population"].notna()] if "isek_population" in model else model[:0]
    for i in isek.index.astype(int):
        r = model.iloc[i]
        change = str(changes.loc[i])
        rows.append(_population_row(model, i, change, lab, lang))
        if not pd.isna(r.get("isek_trend_2008_2015_pct")):
            rows.append(_trend_row(model, i, change, lab, lang))
        if "isek_rail_minutes" in model and not pd.isna(r["isek_rail_minutes"]):
            rows.append(_rail_row(model, i, computed, lab, lang))
        if "isek_car_minutes" in model and not pd.isna(r["isek_car_minutes"]):
            rows.append(_car_row(model, i, computed, lab, lang))
    col = INKAR_COLUMNS["car_min_ic_station"]
    if col in model.columns and len(computed.ic_car_minutes):
        ic = computed.ic_car_minutes.reindex(model["ags"].astype(str)).to_numpy(dtype=float)
        mask = model[col].notna().to_numpy() & np.isfinite(ic)
        for i in model.index[mask].astype(int):
            rows.append(_inkar_row(model, i, computed, lab, lang))
    return pd.DataFrame(rows, columns=COLUMNS)


def reason_counts(table: pd.DataFrame) -> dict[str, int]:
    """Rows per reason class (every class listed, zeros included) and highlighted rows."""
    counts = {r: int((table["reason"] == r).sum()) for r in REASONS}
    counts["highlighted"] = int(table["highlight"].sum())
    return counts


def labelled(table: pd.DataFrame, lang: str = "de") -> pd.DataFrame:
    """The report with display headers and measure names in ``lang`` (for tables, CSV, HTML)."""
    lab = LABELS.get(lang, LABELS["de"])
    out = table.drop(columns=["reason", "tolerance"]).copy()
    out["measure"] = out["measure"].map(lambda m: lab.get(str(m), str(m)))
    out["highlight"] = out["highlight"].map(
        lambda h: ("ja" if lang == "de" else "yes") if h else ""
    )
    names = {c: lab[f"col_{c}"] for c in out.columns if f"col_{c}" in lab}
    names["reason_label"] = lab["col_reason"]
    return out.rename(columns=names)
