"""Words of the screening page (``/screening``): profiles, the profile form, the result."""

from __future__ import annotations

WORDS: dict[str, dict[str, tuple[str, str]]] = {
    "screening_page": {
        "title": ("Flächenprüfung", "Plot screening"),
    },
}
