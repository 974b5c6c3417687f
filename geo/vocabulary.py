"""The project's user-facing words, German (default) and English, in one table.

CLI output, API answers, maps and web pages take labels of categories, statuses,
screening criteria, outcomes and reasons from here, so that one word means one thing
everywhere. :data:`WORDS` maps a *group* (``category``, ``status``, ``owner_type``,
``planning_status``, ``contamination``, ``outcome``, ``state``, ``criterion``,
``column``, ``decide``, ``text``) and a key to the German and the English word.

:func:`word` looks one up (an unknown key comes back as itself, never an error, so a
new code shows up readable rather than crashing a page); :func:`number` formats a
number the way the language writes it (``7,82`` / ``7.82``); :func:`plural` picks
singular or plural; :func:`check_lang` refuses a language the table does not hold.
"""

from __future__ import annotations

import math

from geo.errors import InputError
from geo.vocabulary_web import page_words

#: Languages of the table; the first is the default.
LANGS = ("de", "en")
DEFAULT_LANG = "de"

#: group -> key -> (German, English).
WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "category": {
        "brownfield": ("Brachfläche", "brownfield"),
        "greenfield": ("unbebaute Fläche", "greenfield"),
        "reserve": ("Flächenreserve", "reserve"),
        "vacant_lot": ("Baulücke", "vacant lot"),
        "underused": ("geringfügig genutzt", "underused"),
        "freed_public_site": ("frei werdende öffentliche Fläche", "freed public site"),
        "other": ("sonstige", "other"),
        "unknown": ("unbekannt", "unknown"),
    },
    "status": {
        "identified": ("erfasst", "identified"),
        "assessed": ("bewertet", "assessed"),
        "negotiating": ("in Verhandlung", "negotiating"),
        "acquired": ("erworben", "acquired"),
        "in_development": ("in Entwicklung", "in development"),
        "developed": ("entwickelt", "developed"),
        "withdrawn": ("zurückgezogen", "withdrawn"),
    },
    "owner_type": {
        "city": ("Stadt", "city"),
        "municipal_company": ("kommunales Unternehmen", "municipal company"),
        "state": ("Land", "state"),
        "federal": ("Bund", "federal"),
        "church": ("Kirche", "church"),
        "private": ("privat", "private"),
        "unknown": ("unbekannt", "unknown"),
    },
    "planning_status": {
        "fnp_only": ("nur im FNP dargestellt", "in the land-use plan only"),
        "bplan_in_force": ("B-Plan rechtskräftig (§ 30 BauGB)", "development plan in force"),
        "bplan_in_preparation": ("B-Plan in Aufstellung (§ 33 BauGB)", "plan in preparation"),
        "s34": ("Innenbereich (§ 34 BauGB)", "inner area (§ 34 BauGB)"),
        "s35": ("Außenbereich (§ 35 BauGB)", "outer area (§ 35 BauGB)"),
        "unknown": ("unbekannt", "unknown"),
    },
    "contamination": {
        "none": ("keine", "none"),
        "suspected": ("Verdacht", "suspected"),
        "confirmed": ("bestätigt", "confirmed"),
        "remediated": ("saniert", "remediated"),
        "unknown": ("unbekannt", "unknown"),
    },
    # current uses (first word of the register's free-text current_use)
    "current_use": {
        "industrial": ("Industrie", "industrial"),
        "commercial": ("Gewerbe", "commercial"),
        "residential": ("Wohnen", "residential"),
        "retail": ("Einzelhandel", "retail"),
        "brownfield": ("Brache", "brownfield"),
        "greenfield": ("unbebaut", "greenfield"),
        "farmland": ("Landwirtschaft", "farmland"),
        "unknown": ("unbekannt", "unknown"),
    },
    # the three screening outcomes of a plot
    "outcome": {
        "passes": ("geeignet", "passes"),
        "open": ("offen", "open"),
        "fails": ("ungeeignet", "fails"),
    },
    # the state of one criterion for one plot
    "state": {
        "pass": ("erfüllt", "pass"),
        "fail": ("nicht erfüllt", "fail"),
        "unknown": ("unbekannt", "unknown"),
    },
    # screening filters (profile keys) as a person reads them
    "criterion": {
        "min_area_ha": ("Mindestfläche", "minimum area"),
        "max_area_ha": ("Höchstfläche", "maximum area"),
        "max_mean_slope_pct": ("Hangneigung (Mittel)", "mean slope"),
        "max_slope_pct": ("Hangneigung (Maximum)", "maximum slope"),
        "max_steep_share": ("Anteil steil", "steep share"),
        "max_flood_share": ("Anteil im Überschwemmungsgebiet", "share in flood zone"),
        "max_reserve_share": ("Anteil im Naturschutzgebiet", "share in nature reserve"),
        "max_dist_station_m": ("Entfernung zum Bahnhof", "distance to station"),
        "max_dist_tram_m": ("Entfernung zur Straßenbahn", "distance to tram"),
        "max_car_minutes_to_centre": ("Auto zum Zentrum", "car to centre"),
        "max_car_minutes_to_station": ("Auto zum Bahnhof", "car to station"),
        "owner_types": ("Eigentümer", "owner"),
        "planning_status": ("Planungsrecht", "planning status"),
        "exclude_contamination": ("Altlasten", "contamination"),
        "statuses": ("Status", "status"),
        "municipalities": ("Gemeinde (AGS)", "municipality (AGS)"),
        "exclude_current_uses": ("aktuelle Nutzung", "current use"),
    },
    # attribute columns as measured values are named in reasons
    "column": {
        "area_ha": ("Fläche", "area"),
        "slope_mean_pct": ("Hangneigung Mittel", "mean slope"),
        "slope_max_pct": ("Hangneigung Maximum", "max slope"),
        "steep_share": ("Anteil steil", "steep share"),
        "flood_share": ("Anteil HQ100", "share in flood zone"),
        "reserve_share": ("Anteil Naturschutzgebiet", "share in nature reserve"),
        "dist_station_m": ("Entfernung Bahnhof", "distance to station"),
        "dist_tram_m": ("Entfernung Straßenbahn", "distance to tram"),
        "car_min_centre": ("Auto zum Zentrum", "car to centre"),
        "car_min_station": ("Auto zum Bahnhof", "car to station"),
        "owner_type": ("Eigentümer", "owner"),
        "planning_status": ("Planungsrecht", "planning status"),
        "contamination": ("Altlasten", "contamination"),
        "status": ("Status", "status"),
        "ags": ("Gemeinde (AGS)", "municipality (AGS)"),
        "current_use": ("aktuelle Nutzung", "current use"),
        "municipality": ("Gemeinde", "municipality"),
        "name": ("Name", "name"),
        "score": ("Score", "score"),
        "rank": ("Rang", "rank"),
    },
    # which data would decide an unknown criterion: "<column>.<why>"
    "decide": {
        "flood_share.no_layer": (
            "kein HQ100-Layer geladen; HQ100-Flächen angeben (--flood / flood)",
            "no HQ100 layer loaded; give HQ100 polygons (--flood / flood)",
        ),
        "flood_share.outside": (
            "Fläche außerhalb des HQ100-Layers; einen Layer angeben, der sie abdeckt",
            "plot outside the HQ100 layer; give a layer that covers it",
        ),
        "reserve_share.no_layer": (
            "kein Naturschutzgebiets-Layer geladen",
            "no nature-reserve layer loaded",
        ),
        "reserve_share.outside": (
            "Naturschutzgebiete nur für die Stadt Jena erfasst (OSM 2014); "
            "Schutzgebiete des Landes laden",
            "nature reserves cover the city of Jena only (OSM 2014); load the Land's layer",
        ),
        "terrain.no_layer": ("kein DEM geladen; DEM angeben (--dem)", "no DEM loaded; give one"),
        "terrain.outside": (
            "Fläche außerhalb des DEM oder auf Datenlücken; anderes DEM angeben (--dem)",
            "plot outside the DEM or on voids; give another DEM (--dem)",
        ),
        "dist_station_m.no_layer": ("kein Bahnhofs-Layer geladen", "no station layer loaded"),
        "dist_station_m.outside": (
            "Fläche außerhalb des Bahnhofs-Layers",
            "plot outside the station layer",
        ),
        "dist_tram_m.no_layer": ("kein Straßenbahn-Layer geladen", "no tram layer loaded"),
        "dist_tram_m.outside": (
            "Straßenbahnnetz nur für die Stadt Jena erfasst (OSM 2014)",
            "tram lines cover the city of Jena only (OSM 2014)",
        ),
        "car.no_layer": (
            "kein Straßennetz geladen (stadtregion network build)",
            "no road network loaded (stadtregion network build)",
        ),
        "car.unreachable": (
            "im geladenen Straßennetz nicht erreichbar",
            "not reachable on the loaded road network",
        ),
        "ags.outside": (
            "Fläche außerhalb der Gemeindegrenzen (VG250)",
            "plot outside the municipal borders (VG250)",
        ),
        "owner_type.register": ("owner_type im Register setzen", "set owner_type"),
        "planning_status.register": ("planning_status setzen", "set planning_status"),
        "contamination.register": (
            "contamination setzen (Altlastenkataster)",
            "set contamination (contaminated-sites register)",
        ),
        "status.register": ("status setzen", "set status"),
        "current_use.register": ("current_use setzen", "set current_use"),
    },
    # topics of the forum Stadt.Region.Jena (contributions and cooperation projects)
    "forum_topic": {
        "traffic": ("Verkehr", "traffic"),
        "housing": ("Wohnen", "housing"),
        "commerce": ("Gewerbe", "commerce"),
        "landscape": ("Landschaft", "landscape"),
        "other": ("Sonstiges", "other"),
    },
    # the stage of a cooperation project of the forum
    "project_status": {
        "idea": ("Idee", "idea"),
        "agreed": ("vereinbart", "agreed"),
        "in_progress": ("in Umsetzung", "in progress"),
        "done": ("abgeschlossen", "done"),
    },
    "text": {
        "all_met": ("alle Kriterien erfüllt", "all criteria met"),
        "unknown": ("unbekannt", "unknown"),
        "min": ("min.", "min"),
        "max": ("max.", "max"),
        "required": ("verlangt", "required"),
        "excluded": ("ausgeschlossen", "excluded"),
        "is_excluded": ("ist ausgeschlossen", "is excluded"),
        "not_excluded": ("nicht ausgeschlossen", "not among excluded"),
        "in": ("zulässig", "in"),
        "not_in": ("nicht zulässig", "not in"),
        "penalised": ("Abzug für aktuelle Nutzung", "penalty for current use"),
        "plot": ("Fläche", "plot"),
        "plots": ("Flächen", "plots"),
        "profile": ("Profil", "profile"),
        "outcome": ("Ergebnis", "outcome"),
        "reasons": ("Gründe / was fehlt", "reasons / what is missing"),
        "area_ha": ("Fläche (ha)", "area (ha)"),
    },
}


# The page words (headings, labels, buttons) live in their own modules, one per page area.
WORDS.update(page_words())


def check_lang(lang: str | None) -> str:
    """The language code to use: ``None`` gives the default; an unknown one is refused.

    Raises
    ------
    InputError
        For a language the table does not hold.
    """
    if lang is None or lang == "":
        return DEFAULT_LANG
    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}.")
    return lang


def word(group: str, key: str, lang: str = DEFAULT_LANG) -> str:
    """The word for ``key`` of ``group`` in ``lang`` (``key`` itself if the table lacks it)."""
    pair = WORDS.get(group, {}).get(str(key))
    if pair is None:
        return str(key)
    return pair[1] if lang == "en" else pair[0]


def words(group: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """Every key of ``group`` with its word in ``lang``."""
    return {k: (v[1] if lang == "en" else v[0]) for k, v in WORDS.get(group, {}).items()}


def number(value: float | None, decimals: int, lang: str = DEFAULT_LANG) -> str:
    """``value`` rounded to ``decimals`` places as the language writes it.

    German: decimal comma and a dot between thousands (``1.234,5``); English: ``1,234.5``.
    A missing value is the word for unknown.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return word("text", "unknown", lang)
    s = f"{float(value):,.{decimals}f}"
    if lang != "en":
        s = s.replace(",", "_").replace(".", ",").replace("_", ".")
    return s


def plural(n: int, one: str, many: str) -> str:
    """``"1 Fläche"`` / ``"3 Flächen"``: the count with the right form of the noun."""
    return f"{n} {one if n == 1 else many}"
