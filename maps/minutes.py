"""Car and rail minutes from Jena to every municipality, for popups and reachability layers.

Rail: :func:`geo.transit.reachable_for` from Jena on the default rail query (the
settings' ``rail_date``, a Wednesday of the 2019 timetable the shared feed holds; median
over departures every minute in ``rail_window``), up to :data:`MAX_MINUTES`. Car:
:func:`geo.modes.reachable` on the
loaded road network; a municipality whose centre that network does not cover gets no
number ("outside the loaded road network"), never a made-up one. Both are computed once
per process and settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import modes, sources, transit
from geo.settings import Settings
from geo.transit import io as transit_io

#: Origin of the minutes shown on the maps.
ORIGIN = "Jena"
#: Longest trip reported (minutes); longer or unreached is shown as "over N min".
MAX_MINUTES = 180.0


@dataclass(frozen=True)
class JenaMinutes:
    """Minutes from Jena per municipality (index: AGS; ``NaN`` = not reached / unknown).

    ``car_covered`` is False where the loaded road network does not cover the
    municipality's centre (its car time is unknown). ``car_network`` names the network;
    it is empty when no road network could be loaded (then every car time is unknown).
    """

    rail: pd.Series
    car: pd.Series
    car_covered: pd.Series
    rail_note: str
    rail_feed_notes: tuple[str, ...]
    car_network: str
    attribution: tuple[str, ...]


def jena_minutes(settings: Settings, region: gpd.GeoDataFrame) -> JenaMinutes:
    """Rail and car minutes from Jena to every municipality of ``region`` (cached)."""
    return _cached(settings.model_dump_json(), tuple(region["ags"].astype(str)))


@lru_cache(maxsize=4)
def _cached(settings_json: str, ags: tuple[str, ...]) -> JenaMinutes:
    from geo.region.build import load_region

    settings = Settings.model_validate_json(settings_json)
    region, _ = load_region(settings)
    region = region.set_index(region["ags"].astype(str), drop=False).loc[list(ags)]
    rail, rail_attr, feed_notes, note = _rail(settings, region)
    car, covered, network, car_attr = _car(settings, region)
    return JenaMinutes(
        rail=rail,
        car=car,
        car_covered=covered,
        rail_note=note,
        rail_feed_notes=tuple(feed_notes),
        car_network=network,
        attribution=tuple(dict.fromkeys([*rail_attr, *car_attr])),
    )


def _rail(
    settings: Settings, region: gpd.GeoDataFrame
) -> tuple[pd.Series, list[str], list[str], str]:
    tt = transit_io.get_timetable(settings)
    query = transit.parse_rail_query(settings, origin=ORIGIN, max_minutes=MAX_MINUTES)
    res = transit.reachable_for(tt, region.reset_index(drop=True), query)
    when = (
        f"Abfahrt {query.window[0]}–{query.window[1]} (Median)"
        if query.window
        else f"Abfahrt {query.depart}"
    )
    by_ags = pd.Series(res.table["minutes"].to_numpy(dtype=float), index=res.table["ags"])
    minutes = by_ags.reindex(region.index).astype(float)
    attr = sources.feed_attributions(res.summary["feeds"])
    note = f"{query.date.isoformat()}, {when}"
    return minutes, attr, list(res.summary.get("feed_notes", [])), note


def _car(
    settings: Settings, region: gpd.GeoDataFrame
) -> tuple[pd.Series, pd.Series, str, list[str]]:
    from geo.roads.io import cached_engine

    engine, _ = cached_engine(settings)
    res = modes.reachable(ORIGIN, "car", MAX_MINUTES, region=region, network=engine)
    by_ags = pd.Series(res.table["minutes"].to_numpy(dtype=float), index=res.table["ags"])
    minutes = by_ags.reindex(region.index).astype(float)
    xy = modes.centre_xy(region)
    inside = shapely.contains_xy(engine.coverage, xy[:, 0], xy[:, 1])
    dist, _ = engine.tree.query(xy)
    covered = pd.Series(inside & (dist <= engine.max_snap_m), index=region.index)
    return minutes, covered, str(res.summary.get("network", "")), [sources.ATTRIBUTIONS["osm"]]


LABELS: dict[str, dict[str, str]] = {
    "de": {
        "rail": "ÖV ab Jena (min)",
        "car": "Auto ab Jena (min)",
        "outside": "außerhalb des geladenen Straßennetzes",
        "over": "über {m} min / nicht erreicht",
        "note": "Minuten ab Jena – ÖV: {rail}{feeds}; Auto: Netz {car} (sonst außerhalb "
        "des geladenen Straßennetzes)",
        "no_network": "kein Straßennetz geladen",
        "inkar": "Veröffentlicht: BBSR INKAR, Gemeindeverband, 2020",
        "inkar_values": "Pkw-min: Oberzentrum {oz}, Mittel-/Oberzentrum {mz}, IC/ICE {ic}, "
        "Autobahn {bab}, Flughafen {fh}",
        "inkar_none": "– ({reason})",
    },
    "en": {
        "rail": "Rail from Jena (min)",
        "car": "Car from Jena (min)",
        "outside": "outside the loaded road network",
        "over": "over {m} min / not reached",
        "note": "Minutes from Jena – rail: {rail}{feeds}; car: network {car} (else outside "
        "the loaded road network)",
        "no_network": "no road network loaded",
        "inkar": "Published: BBSR INKAR, municipal association, 2020",
        "inkar_values": "car min: Oberzentrum {oz}, Mittel-/Oberzentrum {mz}, IC/ICE {ic}, "
        "motorway {bab}, airport {fh}",
        "inkar_none": "– ({reason})",
    },
}


def minute_texts(minutes: JenaMinutes, lang: str) -> tuple[list[str], list[str]]:
    """Display strings of the rail and car minutes, in the map's language."""
    lab = LABELS.get(lang, LABELS["de"])
    over = lab["over"].format(m=f"{MAX_MINUTES:g}")

    def fmt(v: Any) -> str:
        return f"{float(v):.0f}"

    rail = [over if pd.isna(v) else fmt(v) for v in minutes.rail]
    car = [
        lab["outside"] if not cov else (over if pd.isna(v) else fmt(v))
        for v, cov in zip(minutes.car, minutes.car_covered.to_numpy(dtype=bool), strict=True)
    ]
    return rail, car


def inkar_texts(region: pd.DataFrame, minutes: JenaMinutes, lang: str) -> list[str]:
    """Published INKAR car minutes for the popups, where the road network gives no car time.

    Where a car time is computed the text is ``–``. Elsewhere a joined municipality shows
    its published association values (labelled by the popup field: source, year,
    level); one without a joined value says why (:data:`geo.region.published.INKAR_REASON_LABELS`).
    """
    from geo.region.published import INKAR_COLUMNS, INKAR_REASON_LABELS

    lab = LABELS.get(lang, LABELS["de"])
    reasons = INKAR_REASON_LABELS.get(lang, INKAR_REASON_LABELS["de"])
    car = minutes.car.reindex(region["ags"].astype(str)).to_numpy(dtype=float)

    def num(v: Any) -> str:
        s = f"{float(v):.0f}"
        return s

    out: list[str] = []
    has = INKAR_COLUMNS["car_min_oberzentrum"] in region.columns
    for pos, (_, r) in enumerate(region.iterrows()):
        if np.isfinite(car[pos]):
            out.append("–")
        elif has and not pd.isna(r[INKAR_COLUMNS["car_min_oberzentrum"]]):
            out.append(
                lab["inkar_values"].format(
                    oz=num(r[INKAR_COLUMNS["car_min_oberzentrum"]]),
                    mz=num(r[INKAR_COLUMNS["car_min_mittelzentrum"]]),
                    ic=num(r[INKAR_COLUMNS["car_min_ic_station"]]),
                    bab=num(r[INKAR_COLUMNS["car_min_motorway"]]),
                    fh=num(r[INKAR_COLUMNS["car_min_airport"]]),
                )
            )
        else:
            code = str(r["inkar_match"]) if "inkar_match" in region.columns else "not_loaded"
            out.append(lab["inkar_none"].format(reason=reasons.get(code, code)))
    return out


def minutes_note(minutes: JenaMinutes, lang: str) -> str:
    """One line for a legend: what the minutes were computed from."""
    lab = LABELS.get(lang, LABELS["de"])
    rail = minutes.rail_note
    if lang == "en":
        rail = rail.replace("Abfahrt", "departures").replace("Median", "median")
    feeds = "".join(f" ({n})" for n in minutes.rail_feed_notes)
    return lab["note"].format(rail=rail, feeds=feeds, car=minutes.car_network or lab["no_network"])


def finite(values: pd.Series) -> np.ndarray:
    """Minutes as floats with unknowns as ``NaN``."""
    return values.to_numpy(dtype=float)
