"""The forum map shows only published, non-confidential plots with their public fields."""

from __future__ import annotations

import re
from pathlib import Path

from shapely.geometry import Point, box

import maps.plots  # noqa: F401  (imports rasterio before the store loads SpatiaLite)
from geo.forum.model import Target, check_draft
from geo.landpool.io import open_store
from geo.landpool.plots import Viewer
from geo.settings import Settings
from geo.usecases import forum as forum_uc
from geo.usecases.region import public_offers
from maps.registry import render_map

LANDPOOL = Viewer("landpool", "Frau Quendel")


def test_forum_shows_published_offers_only(settings: Settings, tmp_path: Path) -> None:
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    with open_store(s) as store:
        for i, (pid, extra) in enumerate(
            [
                ("PUB-1", {}),
                ("INTERN-1", {"name": "Unpublished Intern Site"}),
                ("SECRET-1", {"name": "Secret Geheim Site", "confidential": True}),
                ("BACK-1", {"name": "Withdrawn Back Site"}),
            ]
        ):
            values = {"name": f"Offer {pid}", "intended_use": "Wohnen", **extra}
            values["category"] = "brownfield"
            values["notes"] = "intern: Kaufpreis 80 EUR/m2"
            geom = box(681000 + 300 * i, 5645000, 681100 + 300 * i, 5645100)
            store.create(LANDPOOL, values, geom, plot_id=pid)
        store.publish(LANDPOOL, "PUB-1", reason="Forum")
        store.publish(LANDPOOL, "BACK-1", reason="Forum")
        store.unpublish(LANDPOOL, "BACK-1", reason="zurückgezogen")
        offers = public_offers(store)
        assert list(offers["plot_id"]) == ["PUB-1"]
        assert not {"notes", "created_by", "updated_by", "confidential"} & set(offers.columns)
        for role in ("public", "planner", "landpool"):  # the same public page for everyone
            page = render_map("forum", s, viewer=Viewer(role), store=lambda: store)
            assert "PUB-1" in page or "Wohnfläche PUB-1" in page
            for hidden in (
                "Unveröffentlichte",
                "Geheime",
                "Zurückgezogene",
                "Kaufpreis",
                "Quendel",
            ):
                assert hidden not in page, (role, hidden)


def test_forum_words_are_german_and_counted(settings: Settings, tmp_path: Path) -> None:
    """One offer in one municipality reads "1 öffentliches Flächenangebot in 1 Gemeinde";
    its category is the German word, in the popup of the polygon and of its dot."""
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    with open_store(s) as store:
        values = {"name": "Brache am Bahnhof", "intended_use": "Wohnen", "category": "brownfield"}
        store.create(LANDPOOL, values, box(681000, 5645000, 681100, 5645100), plot_id="B-1")
        store.publish(LANDPOOL, "B-1", reason="Forum")
        page = render_map("forum", s, store=lambda: store)
        en = render_map("forum", s, lang="en", store=lambda: store)
    assert "1 öffentliches Flächenangebot in 1 Gemeinde ·" in page
    assert "Gemeinden ·" not in page
    # the polygon and its dot (GeoJSON escapes the umlaut)
    assert page.count('"category": "Brachfl\\u00e4che"') == 2
    assert '"brownfield"' not in page
    assert "1 public land offer in 1 municipality ·" in en


def _overlays_defined_before_the_layer_list(page: str) -> list[str]:
    """Names of the layer list's overlays whose variable is defined only after the list
    (Leaflet then fails on ``undefined`` and the list stays incomplete)."""
    start = page.index("_layers = {")
    block = page[start : page.index("};", start)]
    late = []
    for name, var in re.findall(r'"([^"]+)"\s*:\s*(\w+),', block):
        defined = re.search(rf"var {var} = ", page)
        if defined is None or defined.start() > start:
            late.append(name)
    return late


def test_approved_contributions_are_a_layer_of_the_layer_list(
    settings: Settings, tmp_path: Path
) -> None:
    s = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    with forum_uc.open_contributions(s) as contributions:
        keys = contributions.topic_keys()
        draft = check_draft("traffic", "Ampel am Holzmarkt", "Bitte eine Ampel bauen.", None, keys)
        target = Target("point", Point(681000.0, 5644000.0), "16053000", "Jena")
        c = contributions.submit(target, draft, "192.0.2.90")
        contributions.moderate(c.id, "approved", "pia")
    with open_store(s) as store:
        page = render_map("forum", s, store=lambda: store)
    assert "Ampel am Holzmarkt" in page
    assert "Freigegebene Beitr\\u00e4ge des Forums" in page[page.index("_layers = {") :]
    assert _overlays_defined_before_the_layer_list(page) == []
