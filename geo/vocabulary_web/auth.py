"""Words of the login, logout and user-administration pages (German, English)."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "auth": {
        "login_title": ("Anmelden", "Log in"),
        "login_intro": (
            "Für Mitarbeitende der Stadtplanung, des Flächenpools und die Verwaltung. Konten "
            "legt eine Administratorin oder ein Administrator an; eine Selbstregistrierung "
            "gibt es nicht.",
            "For staff of urban planning, the land-pool team and administrators. Accounts "
            "are created by an administrator; there is no self-registration.",
        ),
        "username": ("Benutzername", "Username"),
        "password": ("Passwort", "Password"),
        "submit": ("Anmelden", "Log in"),
        "refused": (
            "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch, oder das "
            "Konto ist gesperrt. Bitte erneut versuchen.",
            "Login failed: the username or password is wrong, or the account is disabled. "
            "Please try again.",
        ),
        "missing": (
            "Bitte Benutzername und Passwort angeben.",
            "Please enter your username and password.",
        ),
        "throttled": (
            "Zu viele fehlgeschlagene Anmeldungen. Neue Versuche werden erst wieder ab "
            "{time} Uhr angenommen (in {minutes} Minuten).",
            "Too many failed logins. New attempts are taken again from {time} (in {minutes} "
            "minutes).",
        ),
        "already": ("Sie sind angemeldet als", "You are signed in as"),
        "session_note": (
            "Eine Sitzung endet nach {hours} Stunden oder nach {minutes} Minuten ohne "
            "Aktivität. Nach {failures} Fehlversuchen wird die Anmeldung {lockout} Minuten "
            "lang gesperrt.",
            "A session ends after {hours} hours, or after {minutes} minutes without activity. "
            "After {failures} failed attempts, logging in is locked for {lockout} minutes.",
        ),
        "cookie_note": (
            "Die Anmeldung setzt ein Sitzungs-Cookie (sr_session) mit einem Zufallswert; "
            "siehe Datenschutz.",
            "Logging in sets a session cookie (sr_session) holding a random value; see Privacy.",
        ),
        "logout_title": ("Abmelden", "Log out"),
        "logout_intro": (
            "Abmelden beendet Ihre Sitzung auf dem Server; das Sitzungs-Cookie gilt danach "
            "nicht mehr, auch nicht in einer Kopie.",
            "Logging out ends your session on the server; the session cookie is then no "
            "longer valid, not even in a copy.",
        ),
        "logout_submit": ("Jetzt abmelden", "Log out now"),
        "logged_out": ("Sie sind abgemeldet.", "You are logged out."),
        "not_signed_in": ("Sie sind nicht angemeldet.", "You are not signed in."),
        "token_note": (
            "Sie greifen mit einem API-Token zu; ein Token wird nicht abgemeldet, sondern von "
            "einer Administratorin widerrufen.",
            "You are using an API token; a token is not logged out but revoked by an "
            "administrator.",
        ),
        "login_again": ("Erneut anmelden", "Log in again"),
    },
    "auth_admin": {
        "title": ("Benutzerkonten", "User accounts"),
        "intro": (
            "Konten für Stadtplanung (planner), Flächenpool (landpool) und Verwaltung (admin). "
            "Sperren und ein neues Passwort beenden sofort alle Sitzungen des Kontos.",
            "Accounts for planners (planner), the land-pool team (landpool) and administrators "
            "(admin). Disabling an account or giving it a new password ends all its sessions "
            "at once.",
        ),
        "list": ("Alle Konten", "All accounts"),
        "none": ("Noch keine Konten.", "No accounts yet."),
        "username": ("Benutzername", "Username"),
        "display_name": ("Anzeigename", "Display name"),
        "role": ("Rolle", "Role"),
        "state": ("Zustand", "State"),
        "active": ("aktiv", "active"),
        "disabled": ("gesperrt", "disabled"),
        "created": ("Angelegt", "Created"),
        "last_login": ("Letzte Anmeldung", "Last login"),
        "never": ("nie", "never"),
        "sessions": ("Offene Sitzungen", "Open sessions"),
        "password_changed": ("Passwort geändert", "Password changed"),
        "actions": ("Aktionen", "Actions"),
        "disable": ("Sperren", "Disable"),
        "enable": ("Entsperren", "Enable"),
        "new_password": ("Neues Passwort", "New password"),
        "reset": ("Passwort zurücksetzen", "Reset password"),
        "you": ("(Sie)", "(you)"),
        "create": ("Konto anlegen", "Create an account"),
        "create_submit": ("Anlegen", "Create"),
        "password": ("Passwort", "Password"),
        "password_hint": (
            "Mindestens 12 Zeichen, nicht der Benutzername. Leer lassen: ein zufälliges "
            "Passwort wird erzeugt und einmal angezeigt.",
            "At least 12 characters, not the username. Leave empty: a random password is "
            "generated and shown once.",
        ),
        "username_hint": (
            "2 bis 64 Zeichen: Kleinbuchstaben a–z, Ziffern und . _ - @",
            "2 to 64 characters: lower-case letters a–z, digits and . _ - @",
        ),
        "display_hint": (
            "Wie die Person heißt (nur für Administratoren sichtbar).",
            "The person's name (shown to administrators only).",
        ),
        "role_planner": ("Stadtplanung (planner)", "Planner (planner)"),
        "role_landpool": ("Flächenpool (landpool)", "Land-pool team (landpool)"),
        "role_admin": ("Verwaltung (admin)", "Administrator (admin)"),
        "done_created": ("Konto {user} angelegt.", "Account {user} created."),
        "done_disabled": (
            "Konto {user} gesperrt; seine Sitzungen sind beendet.",
            "Account {user} disabled; its sessions have ended.",
        ),
        "done_enabled": ("Konto {user} entsperrt.", "Account {user} enabled."),
        "done_password": (
            "Neues Passwort für {user} gesetzt; seine Sitzungen sind beendet.",
            "New password set for {user}; its sessions have ended.",
        ),
        "generated_title": ("Passwort einmalig anzeigen", "Password, shown once"),
        "generated": (
            "Das erzeugte Passwort für {user} lautet:",
            "The generated password for {user} is:",
        ),
        "generated_warning": (
            "Geben Sie es der Person auf sicherem Weg weiter. Es wird nicht gespeichert und "
            "nicht wieder angezeigt.",
            "Pass it on to the person by a safe way. It is not stored and not shown again.",
        ),
        "back": ("Zurück zu den Benutzerkonten", "Back to the user accounts"),
        "cli_hint": (
            "Dasselbe auf dem Server: stadtregion users create|list|disable|enable|reset-password.",
            "The same on the server: stadtregion users create|list|disable|enable|reset-password.",
        ),
    },
}
