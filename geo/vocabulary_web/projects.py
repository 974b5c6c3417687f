"""Words of the cooperation-project pages of the forum (list, page, forms)."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "projects_page": {
        "title": ("Kooperationsprojekte des Forums", "Cooperation projects of the forum"),
        "intro": (
            "Die Kooperationsprojekte des Forums Stadt.Region.Jena: woran die Gemeinden "
            "gemeinsam arbeiten, in welchem Stand, mit welchen veröffentlichten Flächen und "
            "Beiträgen. Alle Projekte sind öffentlich; wer sie bearbeitet hat, wird nicht "
            "gezeigt.",
            "The cooperation projects of the forum Stadt.Region.Jena: what the municipalities "
            "work on together, at which stage, with which published plots and contributions. "
            "Every project is public; who edited it is not shown.",
        ),
        "filter": ("Filtern", "Filter"),
        "topic": ("Thema", "Topic"),
        "status": ("Stand", "Status"),
        "municipality": ("Gemeinde", "Municipality"),
        "municipalities": ("Beteiligte Gemeinden", "Municipalities involved"),
        "all": ("alle", "all"),
        "municipality_hint": (
            "AGS (8 Ziffern) oder Name, z. B. 16053000 oder Jena",
            "AGS (8 digits) or name, e.g. 16053000 or Jena",
        ),
        "count": ("{n} Projekte", "{n} projects"),
        "count_one": ("1 Projekt", "1 project"),
        "none": ("Keine Projekte zu dieser Auswahl.", "No projects match this selection."),
        "new": ("Neues Projekt anlegen", "Create a project"),
        "edit": ("Projekt bearbeiten", "Edit project"),
        "save": ("Speichern", "Save"),
        "create": ("Anlegen", "Create"),
        "project_id": ("Kennung", "Identifier"),
        "project_id_hint": (
            "Kleinbuchstaben, Ziffern und Bindestrich, z. B. radweg-saaletal; später nicht "
            "änderbar",
            "lower-case letters, digits and hyphens, e.g. radweg-saaletal; cannot change later",
        ),
        "project_title": ("Titel", "Title"),
        "description": ("Beschreibung", "Description"),
        "description_hint": ("höchstens {n} Zeichen", "at most {n} characters"),
        "municipalities_hint": (
            "AGS oder Namen, durch Komma getrennt, z. B. 16053000, Apolda",
            "AGS or names separated by commas, e.g. 16053000, Apolda",
        ),
        "contributions": ("Beiträge", "Contributions"),
        "contributions_hint": (
            "Kennungen von Forumsbeiträgen, durch Komma getrennt",
            "identifiers of forum contributions, separated by commas",
        ),
        "plots": ("Veröffentlichte Flächen", "Published plots"),
        "plots_hint": (
            "Kennungen veröffentlichter Flächen des Flächenpools, durch Komma getrennt",
            "identifiers of published plots of the land pool, separated by commas",
        ),
        "geometry": ("Kartengeometrie (GeoJSON, WGS 84)", "Map geometry (GeoJSON, WGS 84)"),
        "geometry_hint": (
            "optional: Punkt, Linie oder Fläche als GeoJSON in Längen-/Breitengrad; ohne "
            "Geometrie zeigt die Karte die beteiligten Gemeinden",
            "optional: a point, line or area as GeoJSON in longitude/latitude; without one "
            "the map shows the municipalities involved",
        ),
        "population": ("Einwohner", "Population"),
        "population_source": (
            "Einwohner: Destatis, Stand des Regionsmodells",
            "Population: Destatis, as in the region model",
        ),
        "no_plots": ("Keine veröffentlichten Flächen verknüpft.", "No published plots linked."),
        "no_contributions": ("Keine Beiträge verknüpft.", "No contributions linked."),
        "no_municipalities": ("Keine Gemeinden angegeben.", "No municipalities given."),
        "history": ("Verlauf", "History"),
        "when": ("Wann", "When"),
        "what": ("Was", "What"),
        "who": ("Wer", "Who"),
        "version": ("Version", "Version"),
        "event_created": ("angelegt", "created"),
        "event_updated": ("geändert", "changed"),
        "geometry_source_project": ("Kartengeometrie des Projekts", "the project's map geometry"),
        "geometry_source_municipalities": (
            "Umriss der beteiligten Gemeinden (VG250)",
            "outline of the municipalities involved (VG250)",
        ),
        "geometry_source_none": ("keine Kartengeometrie", "no map geometry"),
        "map": ("Karte", "Map"),
        "map_label": ("Karte der Kooperationsprojekte", "Map of the cooperation projects"),
        "on_map": ("Auf der Karte: {what}", "On the map: {what}"),
        "forum_map": ("Alle Projekte auf der Forumskarte", "Every project on the forum map"),
        "back_list": ("Zur Projektliste", "Back to the project list"),
        "done_created": ("Projekt „{title}“ angelegt.", "Project “{title}” created."),
        "done_updated": ("Änderungen gespeichert.", "Changes saved."),
        "done_nothing": ("Nichts geändert.", "Nothing changed."),
        "conflict": (
            "Jemand hat das Projekt inzwischen geändert (gespeichert ist Version {stored}, Sie "
            "haben Version {yours} bearbeitet). Nichts wurde überschrieben. Unten stehen der "
            "gespeicherte Stand und Ihre Eingaben; prüfen Sie sie und speichern Sie erneut.",
            "Someone changed the project meanwhile (version {stored} is stored, you edited "
            "version {yours}). Nothing was overwritten. Below are the stored state and your "
            "input; check them and save again.",
        ),
        "stored_value": ("Gespeichert", "Stored"),
        "your_value": ("Ihre Eingabe", "Your input"),
        "field": ("Feld", "Field"),
        "staff_only": ("Nur für Planung und Verwaltung sichtbar", "Visible to staff only"),
        "updated": ("Zuletzt geändert", "Last changed"),
    },
}
