"""Words the maps share: land-pool categories in German and English, counted nouns.

The maps' own label tables (one per map module) name layers and fields; this table holds
the words more than one map shows. The codes are those of :class:`geo.landpool.plots.Category`.
"""

from __future__ import annotations

#: Land-pool category code → label, per language (Flächenkategorien).
CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "brownfield": "Brachfläche",
        "greenfield": "bisher unbebaute Fläche",
        "reserve": "Flächenreserve",
        "vacant_lot": "Baulücke",
        "underused": "geringfügig genutzte Fläche",
        "freed_public_site": "frei gewordene Fläche öffentlicher Träger",
        "other": "sonstige Fläche",
        "unknown": "unbekannt",
    },
    "en": {
        "brownfield": "brownfield",
        "greenfield": "greenfield (never built on)",
        "reserve": "land reserve",
        "vacant_lot": "vacant lot",
        "underused": "underused site",
        "freed_public_site": "freed public site",
        "other": "other",
        "unknown": "unknown",
    },
}


def category_label(code: object, lang: str) -> str:
    """The label of a category code; an unlisted code is shown as it is, a missing one as –."""
    if code is None or (isinstance(code, float) and code != code) or str(code) == "":
        return "–"
    table = CATEGORY_LABELS.get(lang, CATEGORY_LABELS["de"])
    return table.get(str(code), str(code))


def counted(n: int, singular: str, plural: str) -> str:
    """``n`` with the noun in singular or plural: ``counted(1, "Gemeinde", "Gemeinden")``
    is "1 Gemeinde", 2 gives "2 Gemeinden"."""
    return f"{n} {singular if n == 1 else plural}"
