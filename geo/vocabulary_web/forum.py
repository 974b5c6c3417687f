"""Words of the forum's contribution pages: submitting, the public list, moderation."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "forum_contrib": {
        "title": ("Beitrag zum Forum", "Contribute to the forum"),
        "intro": (
            "Hinweise, Ideen und Fragen zu Verkehr, Wohnen, Gewerbe und Landschaft in der "
            "Stadtregion: ohne Konto. Ihr Beitrag wird erst öffentlich, wenn die Moderation "
            "ihn freigegeben hat.",
            "Hints, ideas and questions on traffic, housing, commerce and landscape in the "
            "city-region: no account needed. Your contribution becomes public only once the "
            "moderators approve it.",
        ),
        "where": ("Wo?", "Where?"),
        "where_hint": (
            "Klicken Sie auf die Karte, oder wählen Sie eine Gemeinde oder eine "
            "veröffentlichte Fläche (genau eines).",
            "Click on the map, or choose a municipality or a published plot (exactly one).",
        ),
        "lat": ("Breite (Karte)", "Latitude (map)"),
        "lon": ("Länge (Karte)", "Longitude (map)"),
        "municipality": ("Gemeinde", "Municipality"),
        "plot": ("Veröffentlichte Fläche", "Published plot"),
        "none": ("– keine –", "– none –"),
        "topic": ("Thema", "Topic"),
        "title_field": ("Überschrift", "Title"),
        "text": ("Ihr Beitrag", "Your contribution"),
        "limits": ("{lo} bis {hi} Zeichen", "{lo} to {hi} characters"),
        "email": ("E-Mail für eine Antwort (freiwillig)", "E-mail for a reply (optional)"),
        "email_hint": (
            "Nur die Moderation sieht sie, wenn sie antwortet; nie öffentlich. Gelöscht auf "
            "Wunsch und spätestens nach {days} Tagen.",
            "Only the moderator answering sees it; never public. Deleted on request and "
            "after {days} days at the latest.",
        ),
        "honeypot": ("Bitte leer lassen", "Leave empty"),
        "submit": ("Beitrag absenden", "Send contribution"),
        "no_personal": (
            "Bitte nennen Sie keine Namen oder Adressen anderer Personen.",
            "Please do not name other people or give their addresses.",
        ),
        "thanks_title": ("Danke für Ihren Beitrag", "Thank you for your contribution"),
        "thanks": (
            "Ihr Beitrag ist eingegangen und wartet auf die Moderation. Er erscheint erst "
            "nach der Freigabe auf der Karte und in der Liste.",
            "Your contribution has arrived and awaits moderation. It appears on the map and "
            "in the list only once approved.",
        ),
        "thanks_id": ("Kennung Ihres Beitrags", "Your contribution's id"),
        "forget_offer": (
            "Sie haben eine E-Mail-Adresse angegeben. Mit diesem Link löschen Sie sie "
            "jederzeit (bitte aufbewahren):",
            "You gave an e-mail address. This link deletes it at any time (keep it):",
        ),
        "forget_title": ("E-Mail-Adresse löschen", "Delete e-mail address"),
        "forget_ask": (
            "Die zu diesem Beitrag gespeicherte E-Mail-Adresse löschen? Der Beitrag selbst bleibt.",
            "Delete the e-mail address stored with this contribution? The contribution stays.",
        ),
        "forget_button": ("E-Mail-Adresse löschen", "Delete e-mail address"),
        "forget_done": ("Die E-Mail-Adresse ist gelöscht.", "The e-mail address is deleted."),
        "forget_none": (
            "Zu diesem Beitrag ist keine E-Mail-Adresse (mehr) gespeichert.",
            "No e-mail address is stored (any more) with this contribution.",
        ),
        "link_contribute": ("Beitrag schreiben", "Write a contribution"),
        "link_list": ("Beiträge ansehen", "See the contributions"),
        "link_moderation": ("Moderation", "Moderation"),
        "forum_intro": (
            "Hinterlassen Sie einen Hinweis auf der Karte, oder lesen Sie die freigegebenen "
            "Beiträge und was aus ihnen wurde.",
            "Leave a hint on the map, or read the approved contributions and what became of them.",
        ),
    },
    "forum_list": {
        "title": ("Beiträge des Forums", "Forum contributions"),
        "intro": (
            "Freigegebene, abgelehnte und aufgegriffene Beiträge. Beiträge, die auf die "
            "Moderation warten, und als Spam verborgene erscheinen nicht.",
            "Approved, rejected and taken-up contributions. Contributions awaiting "
            "moderation and those hidden as spam do not appear.",
        ),
        "filter": ("Filtern", "Filter"),
        "all": ("alle", "all"),
        "status": ("Stand", "Status"),
        "count": ("{n} Beiträge", "{n} contributions"),
        "none": ("Keine Beiträge für diese Auswahl.", "No contributions for this choice."),
        "submitted": ("eingereicht", "submitted"),
        "map": ("Karte der Beiträge", "Map of the contributions"),
        "export": ("Herunterladen", "Download"),
        "history": ("Verlauf", "History"),
        "rejected_as": ("abgelehnt: {reason}", "rejected: {reason}"),
        "taken_up_as": ("aufgegriffen im Projekt {project}", "taken up by project {project}"),
        "target": ("Bezug", "Concerns"),
        "point": ("Punkt auf der Karte", "a point on the map"),
        "back": ("Zur Liste", "Back to the list"),
        "layer": ("Freigegebene Beiträge", "Approved contributions"),
        "cluster": ("{n} Beiträge in diesem Gebiet", "{n} contributions in this area"),
        "prev": ("Zurück", "Previous"),
        "next": ("Weiter", "Next"),
    },
    "forum_status": {
        "pending": ("wartet auf Moderation", "awaiting moderation"),
        "approved": ("freigegeben", "approved"),
        "rejected": ("abgelehnt", "rejected"),
        "hidden": ("verborgen (Spam)", "hidden (spam)"),
        "taken_up": ("aufgegriffen", "taken up"),
        "submitted": ("eingereicht", "submitted"),
        "reopened": ("wieder geöffnet", "reopened"),
        "edited": (
            "von der Moderation bearbeitet (personenbezogene Angaben entfernt)",
            "edited by the moderators (personal data removed)",
        ),
        "contact_viewed": ("Kontakt angesehen", "contact looked up"),
        "contact_deleted": ("Kontakt gelöscht", "contact deleted"),
    },
    "forum_mod": {
        "title": ("Moderation der Beiträge", "Moderating contributions"),
        "intro": (
            "Wartende Beiträge, abwechselnd nach Absender (verschlüsselte Kennung, täglich "
            "neu): eine Flut von einem Absender verdrängt die anderen nicht.",
            "Waiting contributions, taking turns by sender (keyed id, new every day): a "
            "flood from one sender does not push the others out.",
        ),
        "empty": ("Keine Beiträge warten.", "No contributions wait."),
        "client": ("Absender", "Sender"),
        "client_pending": ("{n} wartend von diesem Absender", "{n} waiting from this sender"),
        "approve": ("Freigeben", "Approve"),
        "reject": ("Ablehnen", "Reject"),
        "reason": ("Öffentliche Begründung", "Public reason"),
        "hide": ("Als Spam verbergen", "Hide as spam"),
        "take_up": ("Aufgegriffen von Projekt", "Taken up by project"),
        "project": ("Projekt", "Project"),
        "no_projects": (
            "Noch kein Kooperationsprojekt: legen Sie zuerst eines an, um Beiträge als "
            "aufgegriffen zu markieren.",
            "No cooperation project yet: create one first to mark contributions as taken up.",
        ),
        "new_project": ("Projekt anlegen", "Create a project"),
        "pending_total": ("{n} Beiträge warten", "{n} contributions wait"),
        "page_of": ("Seite {page} von {pages}", "page {page} of {pages}"),
        "edit": ("Personenbezogenes entfernen", "Remove personal data"),
        "save": ("Speichern", "Save"),
        "contact": ("E-Mail zum Antworten anzeigen", "Show e-mail to reply"),
        "contact_is": ("Kontakt (wird protokolliert)", "Contact (the look-up is recorded)"),
        "no_contact": ("keine E-Mail angegeben", "no e-mail given"),
        "recent": ("Zuletzt moderiert", "Recently moderated"),
        "reopen": ("Zurück in die Warteschlange", "Back to the queue"),
        "done": ("Gespeichert: {id} ist jetzt „{status}“.", "Saved: {id} is now “{status}”."),
    },
}
