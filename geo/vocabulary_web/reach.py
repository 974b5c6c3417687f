"""Words of the reachability page (``/reachability``): form, result, sources, downloads."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "reach": {
        "title": ("Erreichbarkeit", "Reachability"),
        "intro": (
            "Welche Gemeinden erreicht man von einem Ort in höchstens N Minuten mit der Bahn "
            "oder mit dem Auto, wie viele Menschen leben dort und wachsen oder schrumpfen "
            "sie? Gerechnet wird bis zum Zentrum jeder Gemeinde (Destatis-Mittelpunkt des "
            "Hauptorts).",
            "Which municipalities can be reached from a place within N minutes by rail or by "
            "car, how many people live there, and are they growing or shrinking? Times are "
            "to each municipality's centre (the Destatis point of its main settlement).",
        ),
        "form_h": ("Frage", "Question"),
        "origin": ("Start (Gemeinde)", "Origin (municipality)"),
        "origin_hint": (
            "Name oder Gemeindeschlüssel (AGS); beim Tippen erscheinen Vorschläge.",
            "Name or municipality code (AGS); suggestions appear as you type.",
        ),
        "or_point": ("… oder ein Punkt (nur Auto)", "… or a point (car only)"),
        "point_hint": (
            "Auf die Karte klicken füllt Breite und Länge; ein Punkt als Start geht nur mit "
            "dem Auto, die Bahn braucht eine Gemeinde (ihre Bahnhöfe sind der Start).",
            "Clicking the map fills latitude and longitude; a point as origin works by car "
            "only, rail needs a municipality (its stations are the start).",
        ),
        "lat": ("Breite (WGS84)", "Latitude (WGS84)"),
        "lon": ("Länge (WGS84)", "Longitude (WGS84)"),
        "pick_map": ("Karte zum Wählen eines Startpunkts", "Map to pick an origin point"),
        "mode": ("Verkehrsmittel", "Mode"),
        "mode_rail": ("Bahn", "Rail"),
        "mode_car": ("Auto", "Car"),
        "max_minutes": ("Höchstens (Minuten)", "At most (minutes)"),
        "minutes_hint": (
            "1 bis 240; leer: {car:g} min mit dem Auto, {rail:g} min mit der Bahn.",
            "1 to 240; empty: {car:g} min by car, {rail:g} min by rail.",
        ),
        "rail_h": ("Nur Bahn: Fahrplan", "Rail only: timetable"),
        "rail_hint": (
            "Voreingestellt ist, was der Server für jede Bahnabfrage ohne Angabe nimmt.",
            "Preset is what the server takes for every rail query that gives none.",
        ),
        "date": ("Verkehrstag", "Service date"),
        "date_hint": ("JJJJ-MM-TT, Voreinstellung {date}.", "YYYY-MM-DD, preset {date}."),
        "window": ("Abfahrtsfenster", "Departure window"),
        "window_hint": (
            "Abfahrt jede Minute in diesem Fenster, z. B. 07:00-08:00; Voreinstellung {window}.",
            "Departing every minute of this window, e.g. 07:00-08:00; preset {window}.",
        ),
        "percentile": ("Kennwert (Perzentil)", "Statistic (percentile)"),
        "percentile_hint": (
            "0 bis 100 über die Reisezeiten der Abfahrten im Fenster; 50 = Median "
            "(Voreinstellung {p:g}).",
            "0 to 100 over the travel times of the window's departures; 50 = median "
            "(preset {p:g}).",
        ),
        "submit": ("Erreichbarkeit berechnen", "Compute reachability"),
        "problems": ("Bitte prüfen", "Please check"),
        "suggest": ("Meinten Sie", "Did you mean"),
        "unknown_origin": (
            "Keine Gemeinde „{name}“ gefunden (Name wie in VG250, AGS oder Regionalschlüssel).",
            "No municipality “{name}” found (a name as in VG250, an AGS or a Regionalschlüssel).",
        ),
        "result_h": ("Ergebnis", "Result"),
        "to_result": ("Zum Ergebnis", "To the result"),
        "result_lead": (
            "Von {origin} {mode} in höchstens {minutes} min",
            "From {origin} {mode} within {minutes} min",
        ),
        "point_label": (
            "dem Punkt {lat} N, {lon} O",
            "the point {lat} N, {lon} E",
        ),
        "with_rail": ("mit der Bahn", "by rail"),
        "with_car": ("mit dem Auto", "by car"),
        "sum_h": ("Bevölkerung", "Population"),
        "sum_reached": (
            "{population} Einwohner ({year}) in {count} erreicht, jede Person einmal gezählt.",
            "{population} residents ({year}) in {count} reached, each person counted once.",
        ),
        "sum_unknown": (
            "Einwohnerzahl unbekannt: {n} (nicht mitgezählt).",
            "Population unknown: {n} (not counted).",
        ),
        "sum_successor": (
            "Aufgelöst vor dem Bezugsjahr, Einwohner in der Nachfolgegemeinde gezählt: {n}.",
            "Dissolved before the reference year, residents counted in the successor: {n}.",
        ),
        "mun_one": ("Gemeinde", "municipality"),
        "mun_many": ("Gemeinden", "municipalities"),
        "table_h": ("Erreichte Gemeinden", "Municipalities reached"),
        "table_caption": (
            "Erreichte Gemeinden, nach Minuten geordnet",
            "Municipalities reached, by minutes",
        ),
        "col_name": ("Gemeinde", "Municipality"),
        "col_district": ("Kreis", "District"),
        "col_minutes": ("Minuten", "Minutes"),
        "col_population": ("Einwohner", "Population"),
        "col_change": ("Veränderung pro Jahr", "Change per year"),
        "col_trend": ("Trend", "Trend"),
        "none_reached": ("Keine Gemeinde erreicht.", "No municipality reached."),
        "map_h": ("Karte", "Map"),
        "map_label": ("Karte der erreichten Gemeinden", "Map of the municipalities reached"),
        "legend": ("Minuten bis zum Gemeindezentrum", "Minutes to the municipality centre"),
        "legend_outside": (
            "außerhalb des geladenen Straßennetzes (Fahrzeit unbekannt)",
            "outside the loaded road network (time unknown)",
        ),
        "legend_context": (
            "weitere Gemeinden (nicht erreicht)",
            "other municipalities (not reached)",
        ),
        "legend_origin": ("Start", "Origin"),
        "layer_context": ("Gemeinden ringsum", "Municipalities around"),
        "layer_reached": ("Erreichte Gemeinden", "Municipalities reached"),
        "layer_outside": ("Außerhalb des Netzes", "Outside the network"),
        "layer_origin": ("Start", "Origin"),
        "outside_h": ("Fahrzeit unbekannt", "Time unknown"),
        "outside_text": (
            "{count} könnten in {minutes} min erreichbar sein (Luftlinie bei 130 km/h), "
            "liegen aber außerhalb des geladenen Straßennetzes: ihre Fahrzeit ist unbekannt, "
            "nicht „nicht erreichbar“.",
            "{count} could be within {minutes} min (straight line at 130 km/h) but lie "
            "outside the loaded road network: their time is unknown, not “not reached”.",
        ),
        "rail_counts": (
            "Gemeinden ohne Zug dorthin am Verkehrstag: {none}; mit Zügen nur außerhalb des "
            "Fensters (ein längeres Fenster oder ein anderer Kennwert zählt sie): {late}",
            "Municipalities without a train there on the date: {none}; with trains only "
            "outside the window (a longer window or another statistic counts them): {late}",
        ),
        "gap_warning": ("Der Fahrplan {feed} enthält", "The timetable {feed} holds"),
        "gap_consequence": (
            "Gemeinden, die nur Regionalzüge oder Busse haben, erscheinen deshalb nicht als "
            "erreicht, auch wenn sie es sind.",
            "Municipalities served only by regional trains or buses therefore do not show as "
            "reached, even where they are.",
        ),
        "network_warning": (
            "Das geladene Straßennetz ({network}) deckt nicht die ganze Region ab: Gemeinden "
            "außerhalb haben eine unbekannte Fahrzeit (grau auf der Karte, Liste unten).",
            "The loaded road network ({network}) does not cover the whole region: "
            "municipalities outside it have an unknown time (grey on the map, list below).",
        ),
        "downloads_h": ("Herunterladen", "Download"),
        "download_csv": ("Tabelle als CSV", "Table as CSV"),
        "download_geojson": ("Gemeinden als GeoJSON (API)", "Municipalities as GeoJSON (API)"),
        "downloads_text": (
            "Beide enthalten genau die Gemeinden der Tabelle, mit Quellenangaben.",
            "Both hold exactly the municipalities of the table, with their sources.",
        ),
        "data_h": ("Womit gerechnet wird", "What this is computed from"),
        "data_used_h": ("Womit gerechnet wurde", "What this was computed from"),
        "network": ("Straßennetz (Auto)", "Road network (car)"),
        "network_outside": (
            "Gemeinden, deren Zentrum das Netz nicht abdeckt, haben eine unbekannte Fahrzeit.",
            "Municipalities whose centre the network does not cover have an unknown time.",
        ),
        "timetable": ("Fahrplan (Bahn)", "Timetable (rail)"),
        "gap": ("Nicht enthalten", "Not covered"),
        "query": ("Abfrage", "Query"),
        "query_rail": (
            "Verkehrstag {date}, Abfahrt jede Minute {window}, Kennwert Perzentil {p:g} "
            "der Reisezeiten",
            "service date {date}, departing every minute {window}, statistic percentile "
            "{p:g} of the travel times",
        ),
        "query_depart": (
            "Verkehrstag {date}, Abfahrt {depart}",
            "service date {date}, departure {depart}",
        ),
        "dropped": (
            "Weggelassene Fahrten (Zeiten laufen rückwärts): {trips}",
            "Trips left out (times run backwards): {trips}",
        ),
        "snap": (
            "Start auf das Straßennetz gesetzt: {m} m vom Startpunkt.",
            "Origin snapped to the road network: {m} m from the origin point.",
        ),
        "centres": (
            "Zentren: Destatis-Mittelpunkte der Hauptorte.",
            "Centres: Destatis points of the main settlements.",
        ),
        "unit_min": ("min", "min"),
        "per_year": ("%/Jahr", "%/year"),
    },
    # the region model's trend classes (geo/region/model.py: classify_trend)
    "reach_trend": {
        "growing": ("wachsend", "growing"),
        "stable": ("stabil", "stable"),
        "shrinking": ("schrumpfend", "shrinking"),
        "unknown": ("unbekannt", "unknown"),
    },
}
