"""Which plots the forum counts as offered for housing or commerce."""

from __future__ import annotations

import pandas as pd

from geo.landpool.offers import offer_kind, use_kind


def test_use_kind_reads_german_and_english_uses() -> None:
    assert use_kind("Wohnen (WA)") == "housing"
    assert use_kind("residential") == "housing"
    assert use_kind("Gewerbe / Büro") == "commerce"
    assert use_kind("GE") == "commerce"
    assert use_kind("Mischgebiet (MI)") == "mixed"
    assert use_kind("Wohnen und Gewerbe") == "mixed"
    assert use_kind("Grünfläche, Park") is None
    assert use_kind(None) is None and use_kind("  ") is None


def test_offer_kind_needs_an_open_status_and_a_use_or_development_land() -> None:
    plots = pd.DataFrame(
        {
            "status": [
                "identified",
                "developed",
                "assessed",
                "identified",
                "withdrawn",
                "acquired",
            ],
            "intended_use": ["Wohnen", "Wohnen", None, None, "Gewerbe", "Park"],
            "category": ["unknown", "brownfield", "brownfield", "unknown", "greenfield", "reserve"],
        }
    )
    assert list(offer_kind(plots)) == ["housing", None, "open", None, None, None]
