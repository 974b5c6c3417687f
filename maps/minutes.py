"""Car and rail minutes from Jena to every municipality, for popups and reachability layers.

The data come from one use case, :func:`geo.usecases.reachability.origin_minutes`: rail
on the maps' query (:func:`geo.usecases.reachability.map_rail_query`: the settings'
``rail_date``, a Wednesday of the 2019 timetable the shared feed holds; median over
departures every minute in ``rail_day_window``, 06:00-20:00 by default, a weekday period
long enough for a two-hourly service), up to :data:`MAX_MINUTES`, with the trains behind
it (ride time, departures in the window and over the day, first and last); car on the
loaded road network, where a municipality whose centre that network does not cover gets
no number ("outside the loaded road network"), never a made-up one. This module turns
them into the maps' texts (German by default, English with ``lang="en"``); the data are
computed once per process and settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import sources
from geo.region.published import INKAR_COLUMNS, INKAR_REASON_LABELS
from geo.settings import Settings
from geo.usecases import reachability as usecase

#: Origin of the minutes shown on the maps.
ORIGIN = usecase.MAP_ORIGIN
#: Longest trip reported (minutes); longer or unreached is shown as "over N min".
MAX_MINUTES = usecase.MAP_MAX_MINUTES


@dataclass(frozen=True)
class JenaMinutes:
    """Minutes from Jena per municipality (index: AGS; ``NaN`` = not reached / unknown).

    ``rail_trains`` holds per municipality the rail ``status`` (``reached``,
    ``not_in_window``, ``no_train_that_day``) and the trains behind it
    (:data:`geo.transit.trains.TRAIN_COLUMNS`); ``rail_window`` the departure window
    (``("06:00", "20:00")``). ``car_covered`` is False where the loaded road network
    does not cover the municipality's centre (its car time is unknown). ``car_network``
    names the network; it is empty when no road network could be loaded (then every car
    time is unknown).
    """

    rail: pd.Series
    car: pd.Series
    car_covered: pd.Series
    rail_note: str
    rail_feed_notes: tuple[str, ...]
    car_network: str
    attribution: tuple[str, ...]
    rail_trains: pd.DataFrame | None = None
    rail_window: tuple[str, str] | None = None
    rail_feeds: tuple[str, ...] = ()


def jena_minutes(settings: Settings, region: gpd.GeoDataFrame) -> JenaMinutes:
    """Rail and car minutes from Jena to every municipality of ``region`` (cached)."""
    return _cached(settings.model_dump_json(), tuple(region["ags"].astype(str)))


@lru_cache(maxsize=4)
def _cached(settings_json: str, ags: tuple[str, ...]) -> JenaMinutes:
    settings = Settings.model_validate_json(settings_json)
    data = usecase.origin_minutes(settings, ags, origin=ORIGIN)
    query = data.rail_query
    when = (
        f"Abfahrt {query.window[0]}–{query.window[1]} (Median)"
        if query.window
        else f"Abfahrt {query.depart}"
    )
    attribution = [*sources.feed_attributions(list(data.rail_feeds)), sources.ATTRIBUTIONS["osm"]]
    return JenaMinutes(
        rail=data.rail,
        car=data.car,
        car_covered=data.car_covered,
        rail_note=f"{query.date.isoformat()}, {when}",
        rail_feed_notes=data.rail_feed_notes,
        car_network=data.car_network,
        attribution=tuple(dict.fromkeys(attribution)),
        rail_trains=data.rail_trains,
        rail_window=query.window,
        rail_feeds=data.rail_feeds,
    )


LABELS: dict[str, dict[str, Any]] = {
    "de": {
        "rail": "Bahn ab Jena",
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
        "ride": "Bahn: {ride} min, {trips}",
        "trips_one": "1 Fahrt am Tag ({first})",
        "trips_many": "{n} Fahrten am Tag ({first}–{last})",
        "no_train": "Bahn: kein Zug an diesem Tag innerhalb von {m} min",
        "no_ride": "Bahn: ohne Zugfahrt",
        "stat": "Median {window} Uhr: {value}",
        "stat_one": "Abfahrt {window} Uhr: {value}",
        "not_reached": "nicht erreicht",
        "feed_notes": {
            "db_fv_gtfs_2019.zip": "nur DB-Fernverkehr (ICE/IC/EC und Partner), Fahrplanjahr "
            "2019: keine Regionalzüge (RE/RB), keine Straßenbahnen, keine Busse",
        },
    },
    "en": {
        "rail": "Rail from Jena",
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
        "ride": "Rail: {ride} min, {trips}",
        "trips_one": "1 trip a day ({first})",
        "trips_many": "{n} trips a day ({first}–{last})",
        "no_train": "Rail: no train that day within {m} min",
        "no_ride": "Rail: no train ride needed",
        "stat": "median {window} h: {value}",
        "stat_one": "departure {window} h: {value}",
        "not_reached": "not reached",
        "feed_notes": {},
    },
}


def _hours(window: tuple[str, str] | None) -> str:
    """``("06:00", "20:00")`` as ``06–20``; minutes kept where not on the hour."""
    if window is None:
        return ""
    return "–".join(t[:2] if t.endswith(":00") else t for t in window)


def rail_text(
    trains: pd.Series | None,
    minutes: float,
    window: tuple[str, str] | None,
    lang: str = "de",
) -> str:
    """One municipality's rail answer in plain words, e.g. ``Bahn: 16 min, 3 Fahrten am
    Tag (06:44–18:44); Median 06–20 Uhr: nicht erreicht``.

    ``trains`` is the municipality's row of :attr:`JenaMinutes.rail_trains`; ``minutes``
    the window statistic (``NaN``: not reached within :data:`MAX_MINUTES`).
    """
    lab = LABELS.get(lang, LABELS["de"])
    value = lab["not_reached"] if pd.isna(minutes) else f"{float(minutes):.0f} min"
    stat = lab["stat" if window is not None else "stat_one"].format(
        window=_hours(window), value=value
    )
    if trains is None:
        return stat
    n = int(trains["departures_day"])
    if n == 0:
        if pd.isna(minutes):
            return lab["no_train"].format(m=f"{MAX_MINUTES:g}")
        return f"{lab['no_ride']}; {stat}"
    first, last = str(trains["first_departure"]), str(trains["last_departure"])
    trips = (
        lab["trips_one"].format(first=first)
        if n == 1
        else lab["trips_many"].format(n=n, first=first, last=last)
    )
    ride = f"{float(trains['ride_minutes_day']):.0f}"
    return f"{lab['ride'].format(ride=ride, trips=trips)}; {stat}"


def minute_texts(minutes: JenaMinutes, lang: str) -> tuple[list[str], list[str]]:
    """Display strings of the rail answers (:func:`rail_text`) and car minutes, in the
    map's language."""
    lab = LABELS.get(lang, LABELS["de"])
    over = lab["over"].format(m=f"{MAX_MINUTES:g}")

    def fmt(v: Any) -> str:
        return f"{float(v):.0f}"

    trains = minutes.rail_trains
    rows: list[pd.Series | None] = (
        [None] * len(minutes.rail)
        if trains is None
        else [row for _, row in trains.reindex(minutes.rail.index.astype(str)).iterrows()]
    )
    rail = [
        rail_text(row, v, minutes.rail_window, lang)
        for row, v in zip(rows, minutes.rail.to_numpy(dtype=float), strict=True)
    ]
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
    notes = lab["feed_notes"]
    german = [notes.get(f) for f in minutes.rail_feeds] if notes else []
    texts = [g for g in german if g] if german and all(german) else list(minutes.rail_feed_notes)
    feeds = "".join(f" ({n})" for n in texts)
    return lab["note"].format(rail=rail, feeds=feeds, car=minutes.car_network or lab["no_network"])


def finite(values: pd.Series) -> np.ndarray:
    """Minutes as floats with unknowns as ``NaN``."""
    return values.to_numpy(dtype=float)
