"""Words of every page: header, navigation, footer, start page, error pages."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "web": {
        "site": ("stadtregion", "stadtregion"),
        "tagline": (
            "Erreichbarkeit, Bevölkerung und Flächen über Gemeindegrenzen in der Stadtregion Jena",
            "Accessibility, population and land across municipal borders in the city-region "
            "of Jena",
        ),
        "nav_start": ("Start", "Home"),
        "nav_forum": ("Forum", "Forum"),
        "nav_reach": ("Erreichbarkeit", "Reachability"),
        "nav_register": ("Flächenregister", "Land register"),
        "nav_screening": ("Flächenprüfung", "Plot screening"),
        "nav_validation": ("Prüfbericht", "Validation report"),
        "nav_api": ("API", "API"),
        "nav_admin": ("Benutzer", "Users"),
        "nav_login": ("Anmelden", "Log in"),
        "nav_logout": ("Abmelden", "Log out"),
        "nav_main": ("Hauptnavigation", "Main navigation"),
        "lang_switch": ("English", "Deutsch"),
        "signed_in_as": ("Angemeldet als", "Signed in as"),
        "public_visitor": ("Öffentlicher Zugang", "Public access"),
        "role": ("Rolle", "Role"),
        "sources": ("Datenquellen", "Data sources"),
        "privacy": ("Datenschutz", "Privacy"),
        "skip": ("Zum Inhalt springen", "Skip to content"),
        "back_start": ("Zur Startseite", "Back to the start page"),
        "error": ("Fehler", "Error"),
        "error_400": ("Ungültige Anfrage", "Bad request"),
        "error_401": ("Anmeldung nötig", "Login needed"),
        "error_403": ("Kein Zugriff", "Access denied"),
        "error_404": ("Nicht gefunden", "Not found"),
        "error_405": ("Methode nicht erlaubt", "Method not allowed"),
        "error_409": ("Konflikt mit dem gespeicherten Stand", "Conflict with the stored state"),
        "error_413": ("Anfrage zu groß", "Request too large"),
        "error_415": ("Dateityp nicht unterstützt", "Unsupported content type"),
        "error_422": ("Ungültige Eingabe", "Invalid input"),
        "error_429": ("Zu viele Anfragen", "Too many requests"),
        "error_500": ("Interner Fehler", "Internal error"),
        "error_503": ("Daten fehlen auf dem Server", "Data missing on the server"),
        "error_login_hint": (
            "Diese Seite ist Mitarbeitenden vorbehalten. Melden Sie sich mit einem Konto an, "
            "das die nötige Rolle hat.",
            "This page is for staff. Log in with an account that has the role it needs.",
        ),
        "details": ("Was fehlt oder falsch ist", "What is missing or wrong"),
        # start page
        "start_title": (
            "Stadtregion Jena: Erreichbarkeit, Bevölkerung, Flächen",
            "City-region of Jena: accessibility, population, land",
        ),
        "start_intro": (
            "Dieses Werkzeug dient dem Forum Stadt.Region.Jena und dem Flächenpool "
            "Effizienz.Flächen.Jena (ISEK Jena 2030): Welche Gemeinden sind in N Minuten mit "
            "Bahn oder Auto erreichbar, wie viele Menschen leben dort, wachsen oder schrumpfen "
            "sie, und welche Flächen kommen für Wohnen oder Gewerbe in Frage?",
            "This tool serves the Stadt.Region.Jena forum and the Effizienz.Flächen.Jena land "
            "pool (ISEK Jena 2030): which municipalities can be reached in N minutes by rail or "
            "by car, how many people live there, are they growing or shrinking, and which plots "
            "suit housing or commerce?",
        ),
        "start_pages": ("Seiten und Karten", "Pages and maps"),
        "start_for_you": ("Für Ihre Rolle", "For your role"),
        "start_staff": ("Für Mitarbeitende (nach Anmeldung)", "For staff (after login)"),
        "start_sources_intro": (
            "Alle Angaben stammen aus offenen Daten; jede Karte und jeder Export nennt ihre "
            "Quellen. Veröffentlichte Zahlen sind als veröffentlicht gekennzeichnet, mit Quelle "
            "und Jahr.",
            "All figures come from open data; every map and export names its sources. "
            "Published figures are labelled as published, with their source and year.",
        ),
        "page_region": ("Regionskarte", "Region map"),
        "page_region_text": (
            "Gemeinden der Region mit Bevölkerung, Entwicklung und Fahrzeit nach Jena.",
            "Municipalities of the region with population, trend and travel time to Jena.",
        ),
        "page_forum": ("Forumskarte", "Forum map"),
        "page_forum_text": (
            "Die öffentliche Karte des Forums mit veröffentlichten Flächenangeboten.",
            "The forum's public map with the published land offers.",
        ),
        "nav_reach_text": (
            "Was ist von einem Ort in N Minuten mit Bahn oder Auto erreichbar?",
            "What can be reached from a place in N minutes by rail or by car?",
        ),
        "page_transit": ("Bahnkarte", "Rail map"),
        "page_transit_text": (
            "Fahrzeiten mit der Bahn aus dem Fahrplan.",
            "Rail travel times from the timetable.",
        ),
        "nav_validation_text": (
            "Unsere Zahlen neben den veröffentlichten, mit Erklärung jeder Abweichung.",
            "Our figures beside the published ones, with each difference explained.",
        ),
        "nav_register_text": (
            "Flächen des Flächenpools: Liste, Bearbeitung, Import und Export.",
            "Plots of the land pool: list, edit, import and export.",
        ),
        "nav_screening_text": (
            "Flächen nach einem Prüfprofil bewerten und ordnen.",
            "Screen and rank plots against a profile.",
        ),
        "nav_forum_text": (
            "Die öffentlichen Karten des Forums Stadt.Region.Jena, beschrieben und verlinkt.",
            "The public maps of the Stadt.Region.Jena forum, described and linked.",
        ),
        "nav_admin_text": (
            "Konten der Mitarbeitenden anlegen, sperren und Passwörter zurücksetzen.",
            "Create and disable staff accounts and reset passwords.",
        ),
        "nav_projects": ("Kooperationsprojekte", "Cooperation projects"),
        "nav_projects_text": (
            "Die Kooperationsprojekte des Forums: Thema, Stand, beteiligte Gemeinden, "
            "veröffentlichte Flächen.",
            "The forum's cooperation projects: topic, status, municipalities involved, "
            "published plots.",
        ),
        "page_plots_map": ("Flächenkarte", "Plots map"),
        "page_plots_map_text": (
            "Alle Flächen des Registers auf der Karte, nach Status oder Eignung.",
            "All plots of the register on a map, by status or suitability.",
        ),
        "nav_api_text": (
            "Die Schnittstelle für Fachanwendungen (OpenAPI, OGC API – Features).",
            "The interface for GIS and other software (OpenAPI, OGC API – Features).",
        ),
        "page_ogc": ("OGC API – Features", "OGC API – Features"),
        "page_ogc_text": (
            "Gemeinden und veröffentlichte Flächen für QGIS und andere GIS.",
            "Municipalities and published plots for QGIS and other GIS software.",
        ),
    },
}

WORDS["forum_page"] = {
    "title": ("Forum Stadt.Region.Jena", "Stadt.Region.Jena forum"),
    "intro": (
        "Die öffentlichen Karten des Forums: Gemeinden der Region mit Bevölkerung und "
        "Entwicklung, Fahrzeiten mit Bahn und Auto und die veröffentlichten Flächenangebote.",
        "The forum's public maps: the region's municipalities with population and trend, "
        "travel times by rail and by car, and the published land offers.",
    ),
    "public_only": (
        "Diese Karten zeigen nur veröffentlichte Angaben; vertrauliche und interne Flächen "
        "und Namen von Mitarbeitenden erscheinen hier nicht.",
        "These maps show published information only; confidential and internal plots and "
        "staff names never appear here.",
    ),
}
WORDS["privacy_page"] = {
    "title": ("Datenschutz", "Privacy"),
    "cookies_h": ("Cookies", "Cookies"),
    "cookies": (
        "Diese Seiten setzen ein Sicherheits-Cookie (sr_csrf), das Formulare vor Fälschung "
        "durch andere Websites schützt, und nach einer Anmeldung ein Sitzungs-Cookie. Beide "
        "enthalten nur Zufallswerte, keine Angaben zur Person, und dienen keiner "
        "Nachverfolgung.",
        "These pages set a security cookie (sr_csrf) that protects forms against forgery by "
        "other sites, and after login a session cookie. Both hold random values only, nothing "
        "about a person, and are not used for tracking.",
    ),
    "third_h": ("Keine Dritten", "No third parties"),
    "third": (
        "Alle Skripte, Stile und Kartenbibliotheken kommen von diesem Server. Ihr Browser "
        "nimmt beim Aufruf keine Verbindung zu Dritten auf, außer ein Kartenhintergrund ist "
        "ausdrücklich eingerichtet.",
        "All scripts, styles and map libraries come from this server. Your browser contacts "
        "no third party, unless a map background is explicitly configured.",
    ),
    "staff_h": ("Angaben zu Mitarbeitenden und Eigentümern", "Staff and owner data"),
    "staff": (
        "Namen von Mitarbeitenden, Eigentümerangaben und vertrauliche Flächen erscheinen "
        "nie auf öffentlichen Seiten, Karten, Exporten oder Schnittstellen.",
        "Staff names, owner details and confidential plots never appear on public pages, "
        "maps, exports or interfaces.",
    ),
    "forum_h": ("Beiträge zum Forum", "Forum contributions"),
    "forum": (
        "Was gespeichert wird: Ort (Punkt, Gemeinde oder Fläche), Thema, Überschrift, Text "
        "und Zeitpunkt Ihres Beitrags, jeder Moderationsschritt in einem fälschungssicheren "
        "Verlauf (ohne E-Mail, ohne IP-Adresse; der Name der Moderatorin oder des "
        "Moderators nur intern) und, wenn Sie sie angeben, Ihre E-Mail-Adresse. Wozu: damit "
        "das Forum Stadt.Region.Jena Ihren Hinweis lesen, freigeben und beantworten kann "
        "(Art. 6 Abs. 1 lit. e DSGVO; die E-Mail auf Ihre Einwilligung, lit. a). Die "
        "E-Mail-Adresse liegt getrennt vom Beitrag, erscheint nie öffentlich und wird nur "
        "der Moderation gezeigt, die Ihnen antwortet (jeder Blick darauf wird protokolliert).",
        "What is stored: place (point, municipality or plot), topic, title, text and time of "
        "your contribution, every moderation step in a tamper-evident history (no e-mail, "
        "no IP address; the moderator's name internally only) and, if you give it, your "
        "e-mail address. Why: so the Stadt.Region.Jena forum can read, approve and answer "
        "your hint (GDPR art. 6(1)(e); the e-mail on your consent, (a)). The e-mail address "
        "is stored apart from the contribution, never shown publicly and only to the "
        "moderator answering you (every look-up is recorded).",
    ),
    "forum_keep_h": ("Wie lange, und wie Sie löschen", "How long, and how to delete"),
    "forum_keep": (
        "Die E-Mail-Adresse wird nach {days} Tagen automatisch gelöscht, früher auf Wunsch: "
        "über den Link, den Sie nach dem Absenden erhalten, oder durch die Verwaltung mit "
        "dem Befehl „stadtregion contributions forget ADRESSE“. Freigegebene Beiträge bleiben "
        "öffentlich, bis die Moderation sie verbirgt.",
        "The e-mail address is deleted automatically after {days} days, earlier on request: "
        "with the link you get after sending, or by the administration with the command "
        "'stadtregion contributions forget ADDRESS'. Approved contributions stay public "
        "until the moderators hide them.",
    ),
    "forum_ip_h": ("Keine IP-Adressen", "No IP addresses"),
    "forum_ip": (
        "Gegen Massenbeiträge zählt der Server Beiträge pro Anschluss. Ihre IP-Adresse wird "
        "dafür nicht gespeichert, sondern nur ein mit einem geheimen Schlüssel gebildeter "
        "Hashwert, dessen Schlüssel jeden Tag wechselt; die Zählung wird nach einer Stunde "
        "gelöscht, am Beitrag wird der Wert mit der Moderation gelöscht.",
        "Against floods the server counts contributions per connection. Your IP address is "
        "not stored for this, only a hash made with a secret key that changes every day; "
        "the count is deleted after an hour, the value at the contribution once it is "
        "moderated.",
    ),
}
