"""Words of the land-pool register pages: the table, a plot's page, its forms, the import."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "register": {
        "title": ("Flächenregister", "Land register"),
        "intro": (
            "Die Flächen des Flächenpools, die Ihre Rolle sehen darf. Filtern, sortieren und "
            "exportieren Sie die Liste; der Name öffnet eine Fläche.",
            "The plots of the land pool your role may see. Filter, sort and export the "
            "list; a plot's name opens it.",
        ),
        "intro_planner": (
            "Als Planer:in sehen Sie jede nicht vertrauliche Fläche, veröffentlicht oder nicht. "
            "Ändern kann sie nur das Flächenpool-Team.",
            "As a planner you see every plot that is not confidential, published or not. Only "
            "the land-pool team can change them.",
        ),
        "filters": ("Filter", "Filters"),
        "filter_status": ("Status", "Status"),
        "filter_category": ("Kategorie", "Category"),
        "filter_municipality": ("Gemeinde", "Municipality"),
        "filter_published": ("Veröffentlicht", "Published"),
        "filter_confidential": ("Vertraulich", "Confidential"),
        "any": ("alle", "any"),
        "yes": ("ja", "yes"),
        "no": ("nein", "no"),
        "apply": ("Filter anwenden", "Apply filters"),
        "reset": ("Filter zurücksetzen", "Reset filters"),
        "page_size": ("Flächen je Seite", "Plots per page"),
        "sort": ("Sortierung", "Sort by"),
        "order": ("Reihenfolge", "Order"),
        "asc": ("aufsteigend", "ascending"),
        "desc": ("absteigend", "descending"),
        "sort_name": ("Name", "Name"),
        "sort_plot_id": ("Kennung", "Id"),
        "sort_municipality": ("Gemeinde", "Municipality"),
        "sort_area_ha": ("Fläche", "Area"),
        "sort_status": ("Status", "Status"),
        "sort_updated": ("zuletzt geändert", "last changed"),
        "sort_link": ("sortieren nach", "sort by"),
        "shown": (
            "{first}–{last} von {matched} Flächen",
            "{first}–{last} of {matched} plots",
        ),
        "shown_none": ("0 von {matched} Flächen", "0 of {matched} plots"),
        "of_total": ("({total} Flächen insgesamt sichtbar)", "({total} plots visible in all)"),
        "none_found": (
            "Keine Fläche passt zu diesen Filtern.",
            "No plot matches these filters.",
        ),
        "per_status": (
            "Flächen je Status (bei den übrigen Filtern)",
            "Plots per status (with the other filters)",
        ),
        "all_statuses": ("alle Status", "all statuses"),
        "table_caption": (
            "Flächen, sortiert nach {sort} ({order})",
            "Plots, sorted by {sort} ({order})",
        ),
        "export": ("Export der gefilterten Flächen", "Export the filtered plots"),
        "export_hint": (
            "Mit Quellenangaben; jede Rolle exportiert nur die Flächen und Felder, die sie sehen "
            "darf.",
            "With attributions; every role exports only the plots and fields it may see.",
        ),
        "export_gpkg": ("GeoPackage", "GeoPackage"),
        "export_geojson": ("GeoJSON", "GeoJSON"),
        "export_csv": ("CSV", "CSV"),
        "pager": ("Seiten", "Pages"),
        "page_of": ("Seite {page} von {pages}", "Page {page} of {pages}"),
        "prev": ("← vorige Seite", "← previous page"),
        "next": ("nächste Seite →", "next page →"),
        "import_link": ("Flächen importieren", "Import plots"),
        "published": ("veröffentlicht", "published"),
        "unpublished": ("nicht veröffentlicht", "not published"),
        "confidential": ("vertraulich", "confidential"),
        # the plot page
        "plot_title": ("Fläche {plot_id}", "Plot {plot_id}"),
        "back": ("← zurück zum Register", "← back to the register"),
        "map_label": ("Karte der Fläche", "Map of the plot"),
        "attributes": ("Angaben", "Attributes"),
        "unknown_hint": (
            "„unbekannt“ heißt: das Register enthält den Wert (noch) nicht.",
            "'unknown' means: the register does not hold the value (yet).",
        ),
        "site": ("Standortmerkmale (abgeleitet)", "Site attributes (derived)"),
        "site_intro": (
            "Aus Geländemodell, OpenStreetMap-Layern, Bahnhöfen und Straßennetz berechnet, wie "
            "die Flächenprüfung es tut. Was die Daten nicht hergeben, steht als unbekannt mit "
            "dem Grund.",
            "Computed from the terrain model, OpenStreetMap layers, stations and the road "
            "network, as plot screening does. What the data does not give is unknown, with "
            "the reason.",
        ),
        "site_missing": (
            "Standortmerkmale nicht verfügbar: die Daten fehlen auf dem Server.",
            "Site attributes not available: the data is missing on the server.",
        ),
        "site_value": ("Wert", "Value"),
        "site_feature": ("Merkmal", "Attribute"),
        "site_why": ("Warum unbekannt", "Why unknown"),
        "site_sources": ("Grundlagen", "Sources"),
        "site_versions": ("Datenstände", "Data versions"),
        "straight_line": ("Luftlinie", "straight line"),
        "history": ("Verlauf", "History"),
        "history_intro": (
            "Jede Änderung mit Zeitpunkt, Art, Inhalt und Grund; der Verlauf wird nie geändert. "
            "Zeiten in Berliner Zeit.",
            "Every change with its time, kind, content and reason; the history is never "
            "changed. Times in Berlin time.",
        ),
        "history_empty": (
            "Kein Eintrag, den Ihre Rolle sehen darf.",
            "No entry your role may see.",
        ),
        "h_when": ("Wann", "When"),
        "h_who": ("Wer", "Who"),
        "h_what": ("Was", "What"),
        "h_changes": ("Änderung", "Change"),
        "h_why": ("Grund", "Reason"),
        "h_version": ("Version", "Version"),
        "geometry_changed": ("Geometrie geändert", "geometry changed"),
        "readonly": (
            "Nur lesen: ändern kann diese Fläche das Flächenpool-Team (Rolle landpool).",
            "Read only: the land-pool team (role landpool) can change this plot.",
        ),
        # edit form
        "edit": ("Angaben bearbeiten", "Edit the attributes"),
        "edit_hint": (
            "Gespeichert wird nur, was Sie ändern. Hat jemand die Fläche inzwischen geändert, "
            "wird nichts überschrieben: Sie sehen, was sich geändert hat, und entscheiden neu.",
            "Only what you change is stored. If someone changed the plot meanwhile nothing is "
            "overwritten: you see what changed and decide again.",
        ),
        "reason": ("Grund", "Reason"),
        "reason_optional": ("optional, steht im Verlauf", "optional, goes into the history"),
        "reason_required": ("Pflichtfeld, steht im Verlauf", "required, goes into the history"),
        "save": ("Speichern", "Save"),
        "based_on": ("Bearbeitet wird Version {version}.", "Editing version {version}."),
        "geometry_hint": (
            "Die Geometrie ändern Sie mit einem Import im Aktualisierungsmodus oder über die API.",
            "Change the geometry with an update import or through the API.",
        ),
        # status
        "status_change": ("Status ändern", "Change the status"),
        "status_current": ("Aktueller Status", "Current status"),
        "status_next": ("Neuer Status", "New status"),
        "status_final": (
            "Dieser Status ist endgültig; es gibt keinen nächsten Schritt.",
            "This status is final; there is no next step.",
        ),
        "status_allowed": (
            "Angeboten werden nur die Schritte, die der Ablauf von hier aus erlaubt.",
            "Only the steps the workflow allows from here are offered.",
        ),
        "status_submit": ("Status ändern", "Change status"),
        # publication
        "publication": ("Veröffentlichung", "Publication"),
        "is_published": (
            "Die Fläche ist veröffentlicht: das Forum sieht sie auf der Forumskarte.",
            "The plot is published: the forum sees it on the forum map.",
        ),
        "not_published": (
            "Die Fläche ist nicht veröffentlicht: nur Mitarbeitende sehen sie.",
            "The plot is not published: only staff see it.",
        ),
        "no_publish_confidential": (
            "Eine vertrauliche Fläche kann nicht veröffentlicht werden; setzen Sie zuerst "
            "„Vertraulich“ auf nein.",
            "A confidential plot cannot be published; set 'Confidential' to no first.",
        ),
        "publish": ("Veröffentlichen", "Publish"),
        "unpublish": ("Veröffentlichung zurücknehmen", "Withdraw the publication"),
        # notices after a form
        "notice_saved": (
            "Gespeichert. Die Änderung steht im Verlauf.",
            "Saved. The change is in the history.",
        ),
        "notice_unchanged": (
            "Nichts geändert: die Angaben waren schon so gespeichert.",
            "Nothing changed: the attributes were already stored like this.",
        ),
        "notice_status": (
            "Status geändert. Der Schritt steht im Verlauf.",
            "Status changed. The step is in the history.",
        ),
        "notice_published": (
            "Veröffentlicht: die Fläche erscheint auf der Forumskarte.",
            "Published: the plot appears on the forum map.",
        ),
        "notice_unpublished": (
            "Veröffentlichung zurückgenommen: die Fläche ist wieder intern.",
            "Publication withdrawn: the plot is internal again.",
        ),
        # a stale form
        "conflict_title": (
            "Nicht gespeichert: die Fläche wurde inzwischen geändert",
            "Not saved: the plot was changed meanwhile",
        ),
        "conflict_text": (
            "Sie haben Version {yours} bearbeitet; gespeichert ist jetzt Version {now}. "
            "Ihre Änderung wurde nicht gespeichert, nichts wurde überschrieben.",
            "You edited version {yours}; version {now} is stored now. Your change was not "
            "saved and nothing was overwritten.",
        ),
        "conflict_changes": ("Seit Ihrer Version geändert", "Changed since your version"),
        "conflict_field": ("Feld", "Field"),
        "conflict_then": ("Stand Ihrer Version", "In your version"),
        "conflict_now": ("Jetzt gespeichert", "Stored now"),
        "conflict_yours": ("Ihre Eingabe", "Your entry"),
        "conflict_redo": (
            "Ihre Eingaben stehen unten im Formular, das jetzt auf Version {now} beruht. "
            "Prüfen Sie sie und senden Sie das Formular erneut.",
            "Your entries are kept in the form below, which is now based on version {now}. "
            "Check them and send the form again.",
        ),
        "conflict_hidden": (
            "Geändert wurden Angaben, die Ihre Rolle nicht sieht.",
            "What changed are attributes your role does not see.",
        ),
        "form_error": ("Nicht gespeichert", "Not saved"),
    },
    # plot attributes and derived site attributes as a person reads them
    "register_field": {
        "plot_id": ("Kennung", "Id"),
        "name": ("Name", "Name"),
        "address": ("Adresse", "Address"),
        "municipality": ("Gemeinde", "Municipality"),
        "ags": ("Gemeindeschlüssel (AGS)", "Municipality key (AGS)"),
        "category": ("Kategorie", "Category"),
        "status": ("Status", "Status"),
        "area_ha": ("Fläche (ha)", "Area (ha)"),
        "owner_type": ("Eigentümer", "Owner"),
        "planning_status": ("Planungsrecht", "Planning status"),
        "fnp_designation": ("Darstellung im FNP", "Land-use plan designation"),
        "contamination": ("Altlasten", "Contamination"),
        "current_use": ("Aktuelle Nutzung", "Current use"),
        "intended_use": ("Vorgesehene Nutzung", "Intended use"),
        "source": ("Quelle", "Source"),
        "notes": ("Notizen (intern)", "Notes (internal)"),
        "confidential": ("Vertraulich", "Confidential"),
        "published": ("Veröffentlicht", "Published"),
        "created_at": ("Erfasst am", "Entered on"),
        "created_by": ("Erfasst von", "Entered by"),
        "updated_at": ("Zuletzt geändert", "Last changed"),
        "updated_by": ("Geändert von", "Changed by"),
        "version": ("Version", "Version"),
        "geometry": ("Geometrie", "Geometry"),
        "elev_mean_m": ("Mittlere Höhe", "Mean elevation"),
        "slope_mean_pct": ("Hangneigung (Mittel)", "Slope (mean)"),
        "slope_max_pct": ("Hangneigung (Maximum)", "Slope (maximum)"),
        "steep_share": ("Anteil steiler als {threshold} %", "Share steeper than {threshold} %"),
        "flood_share": (
            "Anteil im Überschwemmungsgebiet (HQ100)",
            "Share in the flood zone (HQ100)",
        ),
        "reserve_share": ("Anteil in Naturschutzgebieten", "Share in nature reserves"),
        "water_proximity_m": (
            "Entfernung zum nächsten Gewässer (kein Hochwassermaß)",
            "Distance to the nearest water (not a flood measure)",
        ),
        "dist_station_m": ("Entfernung zum nächsten Bahnhof", "Distance to the nearest station"),
        "nearest_station": ("Nächster Bahnhof", "Nearest station"),
        "dist_tram_m": ("Entfernung zur Straßenbahn", "Distance to the tram"),
        "car_min_centre": ("Auto zum Zentrum Jena", "Car to Jena centre"),
        "car_min_station": ("Auto zum nächsten Bahnhof", "Car to the nearest station"),
    },
    # why a derived site value is unknown, where geo.vocabulary's "decide" has no word
    "register_why": {
        "water_proximity_m.outside": (
            "Gewässer nur für die Stadt Jena erfasst (OSM 2014)",
            "water bodies cover the city of Jena only (OSM 2014)",
        ),
        "water_proximity_m.no_layer": ("kein Gewässer-Layer geladen", "no water layer loaded"),
        "car.outside": (
            "Fläche außerhalb des geladenen Straßennetzes",
            "plot outside the loaded road network",
        ),
    },
    # history events
    "register_event": {
        "created": ("angelegt", "created"),
        "status": ("Status geändert", "status changed"),
        "updated": ("bearbeitet", "edited"),
        "published": ("veröffentlicht", "published"),
        "unpublished": ("Veröffentlichung zurückgenommen", "publication withdrawn"),
    },
    # the import page
    "register_import": {
        "title": ("Flächen importieren", "Import plots"),
        "intro": (
            "Laden Sie eine GeoPackage-, GeoJSON-, gezippte Shapefile- oder CSV-Datei hoch. "
            "Jede Zeile wird geprüft: ist eine fehlerhaft, wird nichts gespeichert, und der "
            "Bericht nennt jede fehlerhafte Zeile.",
            "Upload a GeoPackage, GeoJSON, zipped Shapefile or CSV file. Every row is "
            "checked: if any is bad nothing is stored, and the report lists every bad row.",
        ),
        "new_internal": (
            "Neue Flächen sind nicht veröffentlicht; veröffentlichen Sie jede einzeln auf "
            "ihrer Seite.",
            "New plots are not published; publish each on its page.",
        ),
        "file": ("Datei", "File"),
        "file_hint": (
            "GeoPackage (.gpkg), GeoJSON (.geojson, .json), Shapefile als .zip, CSV mit "
            "WKT-Spalte (.csv); höchstens {mb} MB.",
            "GeoPackage (.gpkg), GeoJSON (.geojson, .json), Shapefile as .zip, CSV with a "
            "WKT column (.csv); at most {mb} MB.",
        ),
        "crs": ("Koordinatensystem", "Coordinate reference system"),
        "crs_hint": (
            "nur wenn die Datei keins nennt (CSV immer), z. B. EPSG:25832",
            "only when the file names none (CSV always), e.g. EPSG:25832",
        ),
        "layer": ("Layer", "Layer"),
        "layer_hint": (
            "nur bei Dateien mit mehreren Layern",
            "only for files with several layers",
        ),
        "repair": (
            "Ungültige Geometrien reparieren (der Bericht nennt jede Reparatur)",
            "Repair invalid geometries (the report names each repair)",
        ),
        "submit": ("Prüfen und importieren", "Check and import"),
        "refused": (
            "Import abgelehnt: {rows} von {total} Zeilen sind fehlerhaft. Nichts wurde "
            "gespeichert.",
            "Import refused: {rows} of {total} rows are bad. Nothing was stored.",
        ),
        "unreadable": (
            "Die Datei wurde nicht importiert. Nichts wurde gespeichert.",
            "The file was not imported. Nothing was stored.",
        ),
        "problems": ("Fehlerhafte Zeilen", "Bad rows"),
        "h_row": ("Zeile", "Row"),
        "h_plot_id": ("Kennung", "Id"),
        "h_code": ("Problem", "Problem"),
        "h_message": ("Beschreibung", "Description"),
        "done": (
            "Importiert: {n} Flächen aus {source} (Koordinatensystem {crs}).",
            "Imported: {n} plots from {source} (CRS {crs}).",
        ),
        "repaired": ("Reparierte Geometrien", "Repaired geometries"),
        "ignored": ("Nicht übernommene Spalten", "Columns not taken"),
        "to_register": ("Zum Register", "To the register"),
        "update_legend": ("Aktualisierung", "Update"),
        "mode_update": (
            "Vorhandene Flächen ändern (Aktualisierung per Kennung, mit Versionsprüfung)",
            "Change stored plots (update by id, with version checks)",
        ),
        "update_hint": (
            "Für eine Datei aus dem Export des Registers, z. B. in QGIS bearbeitet: jede Zeile "
            "nennt Kennung (plot_id) und Version. Geändert wird nur, was sich vom gespeicherten "
            "Stand unterscheidet; hat sich eine Fläche seit dem Export geändert, wird die ganze "
            "Datei abgelehnt. Den Status ändert ein Import nie.",
            "For a file from the register's export, e.g. edited in QGIS: every row names the id "
            "(plot_id) and the version. Only what differs from the stored plot is changed; if a "
            "plot changed since the export the whole file is refused. An import never changes "
            "the status.",
        ),
        "reason": ("Grund", "Reason"),
        "reason_hint": (
            "steht im Verlauf jeder geänderten oder neuen Fläche; Pflicht beim Aktualisieren",
            "goes into the history of every changed or new plot; required for an update",
        ),
        "updated": (
            "Aktualisiert: {n} Flächen aus {source} (Koordinatensystem {crs}); {same} unverändert.",
            "Updated: {n} plots from {source} (CRS {crs}); {same} unchanged.",
        ),
        "changed": ("Geänderte Flächen", "Changed plots"),
        "unchanged": ("Unverändert", "Unchanged"),
        "h_changes": ("Änderung", "Change"),
        "h_version": ("Neue Version", "New version"),
    },
    # problems of an import row (RowProblem codes)
    "register_problem": {
        "missing_plot_id": ("Kennung fehlt", "id missing"),
        "invalid_plot_id": ("Kennung unbrauchbar", "id not usable"),
        "duplicate_plot_id": ("Kennung doppelt", "id taken twice"),
        "unknown_value": ("unbekannter Wert", "unknown value"),
        "invalid_value": ("ungültiger Wert", "invalid value"),
        "empty_geometry": ("Geometrie fehlt", "geometry missing"),
        "not_polygon": ("keine Fläche", "not a polygon"),
        "zero_area": ("Fläche 0 ha", "area 0 ha"),
        "invalid_geometry": ("ungültige Geometrie", "invalid geometry"),
        "outside_extent": ("außerhalb der Region", "outside the region"),
        "repaired": ("repariert", "repaired"),
        "unknown_plot_id": ("Kennung nicht im Register", "id not in the register"),
        "stale_version": ("Version veraltet", "version out of date"),
        "status_change": ("Statusänderung nicht per Import", "status change not by import"),
        "missing_version": ("Version fehlt", "version missing"),
        "invalid_version": ("Version unbrauchbar", "version not usable"),
    },
}
