"""Words of the screening page (``/screening``): profiles, the profile form, the result.

Criteria, outcomes, states, categories and statuses are domain words of
:mod:`geo.vocabulary` (groups ``criterion``, ``outcome``, ``state``, ``column``,
``owner_type``, ...); this module holds the page's own headings, labels and help texts.
"""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "screening_page": {
        "title": ("Flächenprüfung", "Plot screening"),
        "intro": (
            "Prüft die Flächen des Registers gegen ein Profil: harte Kriterien (erfüllt, "
            "nicht erfüllt, unbekannt) und Gewichte für den Score. Jede Fläche ist geeignet "
            "(alle Kriterien bekannt und erfüllt), offen (nichts Bekanntes schließt sie aus, "
            "aber Angaben fehlen) oder ungeeignet.",
            "Screens the register's plots against a profile: hard criteria (pass, fail, "
            "unknown) and weights for the score. Each plot passes (every criterion known and "
            "met), is open (nothing known rules it out, but data is missing) or fails.",
        ),
        "pick_h": ("Profil wählen", "Choose a profile"),
        "profile": ("Profil", "Profile"),
        "shipped": ("mitgelieferte Profile", "shipped profiles"),
        "saved": ("gespeicherte Profile", "saved profiles"),
        "run": ("Prüfen", "Screen"),
        "edit": ("Bearbeiten", "Edit"),
        "new": ("Neues Profil", "New profile"),
        "profiles_h": ("Profile", "Profiles"),
        "saved_meta": (
            "Version {version}, gespeichert {at} von {by}",
            "version {version}, saved {at} by {by}",
        ),
        "run_get": (
            "Ein benanntes Profil wird per Link geprüft (die Adresse lässt sich als Lesezeichen "
            "speichern); ein bearbeitetes Profil wird mit dem Formular geprüft und lässt sich "
            "unter einem Namen speichern.",
            "A named profile is screened by link (the address can be bookmarked); an edited "
            "profile is screened with the form and can be saved under a name.",
        ),
        "saved_notice": (
            "Profil „{name}“ gespeichert (Version {version}).",
            "Profile “{name}” saved (version {version}).",
        ),
        "problems": ("Bitte prüfen", "Please check"),
        "result_h": ("Ergebnis: {profile}", "Result: {profile}"),
        "summary": (
            "{total} geprüft: {passes} geeignet, {open} offen, {fails} ungeeignet.",
            "{total} screened: {passes} pass, {open} open, {fails} fail.",
        ),
        "no_plots": (
            "Das Register enthält keine Flächen, die Sie sehen dürfen.",
            "The register holds no plot you may see.",
        ),
        "table_caption": (
            "Flächen nach Ergebnis und Rang: geeignet, dann offen, dann ungeeignet",
            "Plots by outcome and rank: passes, then open, then fails",
        ),
        "col_rank": ("Rang", "Rank"),
        "col_plot": ("Fläche", "Plot"),
        "col_municipality": ("Gemeinde", "Municipality"),
        "col_area": ("Fläche (ha)", "Area (ha)"),
        "col_score": ("Score", "Score"),
        "col_outcome": ("Ergebnis", "Outcome"),
        "decide": ("Entscheiden würde", "Would decide"),
        "map_h": ("Karte", "Map"),
        "map_label": (
            "Karte der geprüften Flächen nach Ergebnis",
            "Map of the screened plots by outcome",
        ),
        "layer_plots": ("Geprüfte Flächen", "Screened plots"),
        "layer_context": ("Gemeindegrenzen", "Municipal borders"),
        "legend": ("Ergebnis der Prüfung", "Outcome of the screening"),
        "export_h": ("Export", "Export"),
        "export_csv": ("Tabelle als CSV", "Table as CSV"),
        "export_geojson": ("Flächen als GeoJSON", "Plots as GeoJSON"),
        "export_text": (
            "Der Export enthält das Ergebnis dieser Prüfung mit den Quellenangaben; das "
            "GeoJSON ist die Antwort von POST /plots/screen.",
            "The export holds the result of this screening with its sources; the GeoJSON is "
            "the answer of POST /plots/screen.",
        ),
        "sources_h": ("Quellen der abgeleiteten Angaben", "Sources of the derived attributes"),
        # the profile form
        "form_h": ("Profil bearbeiten", "Edit the profile"),
        "form_intro": (
            "Leere Felder setzen kein Kriterium. Anteile von 0 bis 1 (0,01 = 1 %). Ein "
            "Kriterium mit Auswahl gilt, sobald etwas angekreuzt ist.",
            "Empty fields set no criterion. Shares from 0 to 1 (0.01 = 1 %). A criterion with "
            "choices applies as soon as something is ticked.",
        ),
        "name": ("Name des Profils", "Profile name"),
        "description": ("Beschreibung", "Description"),
        "on_unknown": ("Wenn eine Angabe fehlt", "When a value is missing"),
        "on_unknown_open": (
            "Fläche bleibt offen (Voreinstellung)",
            "the plot stays open (default)",
        ),
        "on_unknown_fail": ("zählt als nicht erfüllt", "counts as failed"),
        "on_unknown_pass": (
            "zählt als erfüllt (der Grund nennt es)",
            "counts as met (the reason says so)",
        ),
        "filters_h": ("Harte Kriterien", "Hard criteria"),
        "choices_h": ("Kriterien mit Auswahl", "Criteria with choices"),
        "lists_h": ("Listen", "Lists"),
        "list_hint": ("durch Komma getrennt", "separated by commas"),
        "ags_hint": (
            "8-stellige Gemeindeschlüssel, durch Komma getrennt",
            "8-digit municipality codes, separated by commas",
        ),
        "uses_hint": (
            "erstes Wort der aktuellen Nutzung, z. B. industrial, commercial",
            "first word of the current use, e.g. industrial, commercial",
        ),
        "weights_h": ("Gewichte (Score)", "Weights (score)"),
        "weights_intro": (
            "Score 0–100: gewichtetes Mittel; ein Messwert zählt 1 bei „bestes“ und 0 bei "
            "„schlechtestes“ (linear), eine Kategorie mit ihrem Wert 0–1. Leeres Gewicht: "
            "zählt nicht.",
            "Score 0–100: weighted mean; a measured value counts 1 at “best” and 0 at "
            "“worst” (linear), a category with its value 0–1. Empty weight: not counted.",
        ),
        "weight": ("Gewicht", "Weight"),
        "best": ("bestes", "best"),
        "worst": ("schlechtestes", "worst"),
        "criterion_col": ("Angabe", "Attribute"),
        "values": ("Wert je Kategorie (0–1)", "Value per category (0–1)"),
        "penalties": ("Abzug für aktuelle Nutzung", "Penalty for current use"),
        "penalties_hint": (
            "Nutzung=Abzug 0–1, durch Komma getrennt, z. B. industrial=0.5",
            "use=penalty 0–1, separated by commas, e.g. industrial=0.5",
        ),
        "run_form": ("Dieses Profil prüfen", "Screen with this profile"),
        "save_h": ("Speichern", "Save"),
        "save_as": ("Speichern unter dem Namen", "Save under the name"),
        "save_hint": (
            "1–64 Buchstaben, Ziffern, _, - oder .; mitgelieferte Namen sind vergeben.",
            "1–64 letters, digits, _, - or .; shipped names are taken.",
        ),
        "save": ("Profil speichern", "Save the profile"),
        "overwrite": (
            "Sie bearbeiten das gespeicherte Profil „{name}“ (Version {version}); unter "
            "demselben Namen gespeichert ersetzt es diese Version.",
            "You are editing the saved profile “{name}” (version {version}); saved under the "
            "same name it replaces that version.",
        ),
        "unit_ha": ("ha", "ha"),
        "unit_pct": ("%", "%"),
        "unit_share": ("Anteil 0–1", "share 0–1"),
        "unit_m": ("m", "m"),
        "unit_min": ("min", "min"),
        "col_elev_mean_m": ("mittlere Höhe", "mean elevation"),
        "col_water_proximity_m": ("Entfernung zum Gewässer", "distance to water"),
    },
}
