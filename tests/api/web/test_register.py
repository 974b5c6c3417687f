"""The land-pool register pages: table, plot page, forms, import and export, per role."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Polygon

from api.app import create_app
from geo.settings import WEB_CRS, WORK_CRS, Settings
from geo.usecases import landpool as uc
from tests.api.web.html_forms import HtmlForm, forms_of
from tests.api.web.register_seed import (
    FILLERS,
    LANDPOOL,
    SECRET,
    RegisterStore,
    lonlat_box,
    seed_register,
)
from tests.geo.conftest import fingerprint

HTML = {"accept": "text/html"}


@dataclass
class Reg:
    """A client on an app over the seeded register."""

    client: TestClient
    seeded: RegisterStore

    def get(self, url: str, role: str = "landpool", **kw: Any) -> Any:
        return self.client.get(url, headers={**HTML, **self.seeded.headers(role)}, **kw)

    def post(
        self, url: str, fields: dict[str, str], role: str = "landpool", files: Any = None
    ) -> Any:
        """Post ``fields`` as the pages' forms do (multipart/form-data)."""
        parts: dict[str, Any] = {k: (None, v) for k, v in fields.items()}
        parts.update(files or {})
        return self.client.post(
            url, files=parts, headers={**HTML, **self.seeded.headers(role)}, follow_redirects=False
        )

    def form(self, url: str, form_id: str, role: str = "landpool") -> HtmlForm:
        r = self.get(url, role)
        assert r.status_code == 200, r.text
        return forms_of(r.text)[form_id]

    @property
    def store(self) -> Any:
        return self.seeded.store


@pytest.fixture
def reg(settings: Settings, tmp_path: Path) -> Iterator[Reg]:
    seeded = seed_register(settings, tmp_path)
    app = create_app(seeded.settings)
    app.state.store = seeded.store
    with TestClient(app) as client:
        yield Reg(client, seeded)
    seeded.store.close()


def _ids(html: str) -> list[str]:
    return re.findall(r'<tr data-plot-id="([^"]+)"', html)


def _count(html: str, status: str) -> int:
    m = re.search(rf'data-status="{status}"[^>]*>[^<]*<span class="sr-n">(\d+)</span>', html)
    assert m, status
    return int(m.group(1))


def _history(reg: Reg, plot_id: str) -> list[dict[str, Any]]:
    return uc.plot_history(reg.store, LANDPOOL, plot_id)


# -- the table ------------------------------------------------------------------------------
def test_table_filters_sorting_paging_and_counts(reg: Reg) -> None:
    total = reg.seeded.total
    page = reg.get("/register").text
    assert len(_ids(page)) == 25 and f"1–25 von {total} Flächen" in page
    assert _count(page, "identified") == total - 2 and _count(page, "assessed") == 1
    assert _count(page, "negotiating") == 1 and _count(page, "developed") == 0
    # sorted by name: unknown names (REG-D) last, whichever the direction
    names = _ids(reg.get("/register?page_size=200").text)
    assert names[:3] == ["REG-A", "REG-B", "REG-C"] and names[-1] == "REG-D"
    assert _ids(reg.get("/register?order=desc&page_size=200").text)[-1] == "REG-D"
    # paging
    two = reg.get("/register?page=2&page_size=10").text
    assert _ids(two) == names[10:20] and "11–20 von 35 Flächen" in two
    assert "Seite 2 von 4" in two and 'rel="prev"' in two and 'rel="next"' in two
    last = reg.get("/register?page=9&page_size=10").text  # beyond the end: the last page
    assert _ids(last) == names[30:] and "Seite 4 von 4" in last
    # sorting by area, largest first
    by_area = _ids(reg.get("/register?sort=area_ha&order=desc").text)
    assert by_area[:2] == ["REG-B", "REG-A"]
    assert 'aria-sort="descending"' in reg.get("/register?sort=area_ha&order=desc").text
    # filters
    assert _ids(reg.get("/register?status=assessed").text) == ["REG-B"]
    assert _ids(reg.get("/register?published=yes").text) == ["REG-A"]
    assert _ids(reg.get("/register?confidential=yes").text) == [SECRET["plot_id"]]
    assert _ids(reg.get("/register?category=vacant_lot").text) == ["REG-C"]
    kahla = re.search(r'<option value="(\d{8})">Kahla \(1\)</option>', page)
    assert kahla, "the municipality filter offers Kahla"
    assert _ids(reg.get(f"/register?ags={kahla.group(1)}").text) == ["REG-B"]
    both = reg.get("/register?category=other&published=no&page_size=5").text
    assert f"1–5 von {FILLERS} Flächen" in both and _count(both, "identified") == FILLERS
    # empty values of the filter form mean "any"
    empty = reg.get("/register?status=&category=&ags=&published=&confidential=").text
    assert len(_ids(empty)) == 25
    # every parameter is declared: unknown names and bad values are refused readably
    r = reg.get("/register?colour=red")
    assert (
        r.status_code == 400 and "colour" in r.text and r.headers["content-type"][:9] == "text/html"
    )
    assert reg.get("/register?status=sleeping").status_code == 422
    assert reg.get("/register?page_size=5000").status_code == 400
    assert reg.get("/register?sort=notes").status_code == 400


def test_table_in_english_and_its_filter_form(reg: Reg) -> None:
    r = reg.get("/register?lang=en&status=assessed")
    assert r.status_code == 200 and "<title>Land register" in r.text
    assert "1–1 of 1 plots" in r.text and "assessed" in r.text
    form = forms_of(r.text)["form0"]
    assert form.method == "get" and form.values["lang"] == "en"
    assert form.values["status"] == "assessed"
    assert {"status", "category", "ags", "published", "confidential", "sort"} <= form.labelled


# -- roles ----------------------------------------------------------------------------------
def test_planner_reads_no_confidential_plot_and_every_write_is_refused(reg: Reg) -> None:
    page = reg.get("/register?page_size=200", "planner").text
    assert SECRET["plot_id"] not in page and SECRET["name"] not in page
    assert len(_ids(page)) == reg.seeded.total - 1
    assert 'name="confidential"' not in page  # no confidentiality filter offered
    assert reg.get("/register?confidential=no", "planner").status_code == 403
    # the confidential plot answers exactly like one that does not exist
    secret = reg.get(f"/register/{SECRET['plot_id']}", "planner")
    missing = reg.get("/register/NOPE-1", "planner")
    assert secret.status_code == missing.status_code == 404
    assert secret.text.replace(SECRET["plot_id"], "X") == missing.text.replace("NOPE-1", "X")
    # a plot page without forms, notes or staff names
    plot = reg.get("/register/REG-B", "planner").text
    assert "Bahnhofsareal Kahla" in plot and "step to assessed" in plot  # reasons are shown
    assert "<form" not in plot.split("</header>")[1] and "Erika" not in plot
    assert "Nur lesen" in plot
    token = forms_of(reg.get("/register/REG-B").text)["sr-edit-form"].values["csrf_token"]
    before = fingerprint(reg.store)
    for action, fields in [
        ("edit", {"name": "x", "version": "2"}),
        ("status", {"status": "negotiating", "reason": "x", "version": "2"}),
        ("publish", {"reason": "x", "version": "2"}),
        ("unpublish", {"reason": "x", "version": "2"}),
    ]:
        r = reg.post(f"/register/REG-B/{action}", {"csrf_token": token, **fields}, "planner")
        assert r.status_code == 403, action
        assert r.headers["content-type"].startswith("text/html") and "landpool" in r.text
    assert reg.get("/register/import", "planner").status_code == 403
    upload = {"file": ("p.geojson", b'{"type": "FeatureCollection", "features": []}')}
    r = reg.post("/register/import", {"csrf_token": token}, "planner", files=upload)
    assert r.status_code == 403
    assert fingerprint(reg.store) == before


@pytest.mark.parametrize(
    "url", ["/register", "/register/REG-A", "/register/import", "/register/export?format=csv"]
)
def test_public_gets_the_403_page_with_a_login_hint(reg: Reg, url: str) -> None:
    r = reg.get(url, "public")
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "<title>Kein Zugriff" in r.text and 'href="/login' in r.text
    assert "Alte Brauerei" not in r.text


def test_public_post_is_refused_and_nothing_changes(reg: Reg) -> None:
    before = fingerprint(reg.store)
    r = reg.post("/register/REG-A/unpublish", {"reason": "x", "version": "2"}, "public")
    assert r.status_code == 403 and fingerprint(reg.store) == before


# -- the plot page and its forms -------------------------------------------------------------
def test_plot_page_shows_every_attribute_site_values_history_and_map(reg: Reg) -> None:
    r = reg.get("/register/REG-B")
    page = r.text
    assert r.status_code == 200 and "<title>Bahnhofsareal Kahla · Fläche REG-B" in page
    assert "Kahla" in page and "Stadt" in page and "unbekannt" in page  # owner city, no FNP
    for label in ("Eigentümer", "Planungsrecht", "Altlasten", "Erfasst von", "Notizen (intern)"):
        assert label in page
    # derived site attributes: values from the layers, unknown with the reason
    site = page.split('id="sr-site"')[1].split("</table>")[0]
    assert "Hangneigung (Mittel)" in site and re.search(r"\d+,\d %", site)
    assert 'data-column="flood_share"' in site and "kein HQ100-Layer geladen" in site
    assert "Auto zum Zentrum Jena" in site
    # history: who, when, what, why
    history = page.split('id="sr-history"')[1].split("</table>")[0]
    assert "Erika Registerpflege" in history and "erfasst → bewertet" in history
    assert "step to assessed" in history
    # the map data block: the plot in EPSG:4326, a data block (never run)
    block = re.search(r'<script type="application/json" id="sr-plot-map">(.*?)</script>', page)
    assert block
    geom = json.loads(block.group(1))["layers"][0]["geojson"]["features"][0]["geometry"]
    lon, lat = geom["coordinates"][0][0][0]
    assert 11.5 < lon < 11.7 and 50.7 < lat < 50.9
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", page)
    assert " style=" not in page
    # every input of every form is labelled
    for form in forms_of(page).values():
        visible = set(form.ids) - {"csrf_token", "version"}
        assert visible <= form.labelled, (form.id, visible - form.labelled)
    en = reg.get("/register/REG-B?lang=en").text
    assert "Owner" in en and "city" in en and "Site attributes (derived)" in en


def test_edit_changes_the_plot_and_adds_a_history_row(reg: Reg) -> None:
    form = reg.form("/register/REG-C", "sr-edit-form")
    assert form.enctype == "multipart/form-data" and form.values["version"] == "1"
    assert form.options["owner_type"][0] == "city" and "unknown" in form.options["contamination"]
    rows = len(_history(reg, "REG-C"))
    values = {
        **form.values,
        "owner_type": "city",
        "contamination": "suspected",
        "notes": "Zeile 1\r\nZeile 2",
        "reason": "Grundbuch geprüft",
    }
    r = reg.post(form.action, values)
    assert r.status_code == 303 and r.headers["location"] == "/register/REG-C?notice=saved"
    plot = uc.get_plot(reg.store, LANDPOOL, "REG-C").properties
    assert (plot["owner_type"], plot["contamination"], plot["version"]) == ("city", "suspected", 2)
    assert plot["notes"] == "Zeile 1\nZeile 2" and plot["name"] == "Citygrund"
    history = _history(reg, "REG-C")
    assert len(history) == rows + 1 and history[-1]["reason"] == "Grundbuch geprüft"
    assert history[-1]["changes"]["owner_type"] == ["unknown", "city"]
    page = reg.get(r.headers["location"]).text
    assert "Gespeichert." in page and "Eigentümer: unbekannt → Stadt" in page
    assert "Grundbuch geprüft" in page
    # the same form sent again changes nothing: no new version, no history row
    again = reg.form("/register/REG-C", "sr-edit-form")
    r = reg.post(again.action, again.values)
    assert r.headers["location"] == "/register/REG-C?notice=unchanged"
    assert len(_history(reg, "REG-C")) == rows + 1


def test_stale_edit_shows_what_changed_keeps_the_entries_and_stores_nothing(reg: Reg) -> None:
    mine = reg.form("/register/REG-C", "sr-edit-form")  # read at version 1
    # meanwhile a colleague renames the plot and sets its owner
    uc.edit_plot(
        reg.store,
        LANDPOOL,
        "REG-C",
        version=1,
        values={"name": "Citygrund Nord", "owner_type": "private"},
        reason="Kataster",
    )
    before = fingerprint(reg.store)
    entered = {**mine.values, "owner_type": "city", "intended_use": "Wohnen (WA)"}
    r = reg.post(mine.action, entered)
    assert r.status_code == 409 and fingerprint(reg.store) == before
    page = r.text
    conflict = page.split('id="sr-conflict"')[1].split("</div>")[0]
    assert "Sie haben Version 1 bearbeitet; gespeichert ist jetzt Version 2" in conflict
    assert re.search(r"Name</th><td>Citygrund</td><td><strong>Citygrund Nord</strong>", conflict)
    assert re.search(
        r"Eigentümer</th><td>unbekannt</td><td><strong>privat</strong></td><td>Stadt", conflict
    )
    # the form keeps what the user typed and is now based on the stored version
    redo = forms_of(page)["sr-edit-form"]
    assert redo.values["version"] == "2"
    assert redo.values["owner_type"] == "city" and redo.values["intended_use"] == "Wohnen (WA)"
    assert redo.values["name"] == "Citygrund"  # their entry, not silently the colleague's
    # sending it again is a conscious decision: it now goes through
    redo.values["name"] = "Citygrund Nord"
    r = reg.post(redo.action, redo.values)
    assert r.status_code == 303
    plot = uc.get_plot(reg.store, LANDPOOL, "REG-C").properties
    assert (plot["owner_type"], plot["intended_use"], plot["version"]) == ("city", "Wohnen (WA)", 3)


def test_bad_edit_value_shows_the_page_again_and_stores_nothing(reg: Reg) -> None:
    form = reg.form("/register/REG-C", "sr-edit-form")
    before = fingerprint(reg.store)
    r = reg.post(form.action, {**form.values, "contamination": "radioactive", "name": "Neu"})
    assert r.status_code == 422 and fingerprint(reg.store) == before
    assert "radioactive" in r.text and "Nicht gespeichert" in r.text
    assert forms_of(r.text)["sr-edit-form"].values["name"] == "Neu"
    # forms refuse fields they do not have, and posts without their CSRF token
    r = reg.post(form.action, {**form.values, "published": "true"})
    assert r.status_code == 400 and "published" in r.text
    no_token = {k: v for k, v in form.values.items() if k != "csrf_token"}
    assert reg.post(form.action, no_token).status_code == 403
    assert reg.post(form.action, {**form.values, "version": "x"}).status_code == 422
    assert fingerprint(reg.store) == before


def test_status_form_offers_only_the_allowed_transitions(reg: Reg) -> None:
    assert reg.form("/register/REG-C", "sr-status-form").options["status"] == [
        "assessed",
        "withdrawn",
    ]
    form = reg.form("/register/REG-D", "sr-status-form")  # negotiating
    assert form.options["status"] == ["assessed", "acquired", "withdrawn"]
    assert {"status", "reason"} <= form.required
    before = fingerprint(reg.store)
    r = reg.post(form.action, {**form.values, "status": "developed", "reason": "skip ahead"})
    assert r.status_code == 409 and "negotiating → developed is not allowed" in r.text
    r = reg.post(form.action, {**form.values, "status": "acquired", "reason": ""})
    assert r.status_code == 422 and "needs a reason" in r.text
    assert fingerprint(reg.store) == before
    r = reg.post(form.action, {**form.values, "status": "acquired", "reason": "Kaufvertrag"})
    assert r.status_code == 303 and r.headers["location"] == "/register/REG-D?notice=status"
    assert uc.get_plot(reg.store, LANDPOOL, "REG-D").properties["status"] == "acquired"
    page = reg.get("/register/REG-D").text
    assert "in Verhandlung → erworben" in page and "Kaufvertrag" in page
    assert forms_of(page)["sr-status-form"].options["status"] == ["in_development", "withdrawn"]
    # a stale status form is refused like a stale edit
    r = reg.post(form.action, {**form.values, "status": "assessed", "reason": "zurück"})
    assert r.status_code == 409 and "gespeichert ist jetzt Version" in r.text
    assert "in Verhandlung" in r.text.split('id="sr-conflict"')[1].split("</div>")[0]


def test_publish_and_unpublish_with_a_reason(reg: Reg) -> None:
    public = {"accept": "application/json"}
    assert reg.client.get("/plots/REG-C", headers=public).status_code == 404
    form = reg.form("/register/REG-C", "sr-publish-form")
    assert form.action == "/register/REG-C/publish" and "reason" in form.required
    before = fingerprint(reg.store)
    assert reg.post(form.action, {**form.values, "reason": ""}).status_code == 422
    assert fingerprint(reg.store) == before
    r = reg.post(form.action, {**form.values, "reason": "Angebot für das Forum"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=published")
    assert reg.client.get("/plots/REG-C", headers=public).status_code == 200
    forum = reg.client.get("/maps/forum.html").text
    assert "Citygrund" in forum
    form = reg.form("/register/REG-C", "sr-publish-form")
    assert form.action == "/register/REG-C/unpublish"
    r = reg.post(form.action, {**form.values, "reason": "Eigentümer zieht zurück"})
    assert r.status_code == 303 and r.headers["location"].endswith("notice=unpublished")
    assert reg.client.get("/plots/REG-C", headers=public).status_code == 404
    assert "Citygrund" not in reg.client.get("/maps/forum.html").text
    events = [h["event"] for h in _history(reg, "REG-C")]
    assert events[-2:] == ["published", "unpublished"]
    # a confidential plot offers no publication
    secret = reg.get(f"/register/{SECRET['plot_id']}").text
    assert "sr-publish-form" not in secret and "vertrauliche Fläche kann nicht" in secret


# -- import ---------------------------------------------------------------------------------
def _frame(rows: list[dict[str, Any]], geoms: list[Any]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geoms, crs=WORK_CRS)


def _import(reg: Reg, name: str, data: bytes, **fields: str) -> Any:
    token = reg.form("/register/import", "sr-import-form").values["csrf_token"]
    return reg.post(
        "/register/import", {"csrf_token": token, **fields}, files={"file": (name, data)}
    )


def test_bad_import_lists_every_bad_row_and_leaves_the_store_unchanged(
    reg: Reg, tmp_path: Path
) -> None:
    bowtie = Polygon([(681000, 5645000), (681300, 5645300), (681300, 5645000), (681000, 5645100)])
    good = lonlat_box(11.59, 50.93, 40)
    frame = _frame(
        [
            {"plot_id": "NEU-1", "category": "brownfield"},
            {"plot_id": None, "category": "reserve"},
            {"plot_id": "NEU-3", "category": "castle"},
            {"plot_id": "REG-A", "category": "reserve"},
            {"plot_id": "NEU-5", "category": "reserve"},
        ],
        [good, good, good, good, bowtie],
    ).to_crs(WEB_CRS)
    form = reg.form("/register/import", "sr-import-form")
    assert "update" not in form.values and "repair" not in form.values  # boxes start empty
    assert {"file", "crs", "layer", "repair", "update", "reason"} <= form.labelled
    before = fingerprint(reg.store)
    r = _import(reg, "bad plots.geojson", frame.to_json().encode())
    assert r.status_code == 422 and fingerprint(reg.store) == before
    table = r.text.split('id="sr-import-problems"')[1].split("</table>")[0]
    assert re.findall(r'data-row="(\d+)"', table) == ["2", "3", "4", "5"]
    for word in (
        "Kennung fehlt",
        "unbekannter Wert",
        "castle",
        "Kennung doppelt",
        "ungültige Geometrie",
    ):
        assert word in table
    assert "4 von 5 Zeilen sind fehlerhaft. Nichts wurde gespeichert." in r.text
    assert "bad_plots.geojson" in r.text  # the upload's own name, made safe
    # a file the import cannot read: a readable message, nothing stored
    r = _import(reg, "plots.csv", b"plot_id,wkt\nX-1,POLYGON((0 0,1 0,1 1,0 0))\n")
    assert r.status_code == 422 and "does not say its CRS" in r.text
    r = _import(reg, "notes.txt", b"hello")
    assert r.status_code == 422 and "cannot be imported" in r.text
    assert fingerprint(reg.store) == before


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "zip", "csv"])
def test_good_import_of_every_format_shows_the_report(reg: Reg, tmp_path: Path, fmt: str) -> None:
    frame = _frame(
        [{"plot_id": "IMP-1", "name": "Importfläche Eins", "owner_type": "city"}],
        [lonlat_box(11.59, 50.93, 40)],
    )
    fields: dict[str, str] = {}
    if fmt == "gpkg":
        frame.to_file(tmp_path / "p.gpkg", layer="plots", driver="GPKG")
        data = (tmp_path / "p.gpkg").read_bytes()
    elif fmt == "geojson":
        data = frame.to_crs(WEB_CRS).to_json().encode()
    elif fmt == "zip":
        frame.to_file(tmp_path / "p.shp")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            for part in tmp_path.glob("p.*"):
                if part.suffix != ".gpkg":
                    z.write(part, part.name)
        data = buf.getvalue()
    else:
        table = pd.DataFrame(frame.drop(columns="geometry"))
        table["wkt"] = frame.geometry.to_wkt()
        data = table.to_csv(index=False).encode()
        fields["crs"] = "EPSG:25832"
    n = reg.store.count(LANDPOOL)
    r = _import(reg, f"neu.{fmt}", data, **fields)
    assert r.status_code == 200, r.text
    report = r.text.split('id="sr-import-report"')[1]
    assert "Importiert: 1 Flächen aus neu." in report and "EPSG:" in report
    assert reg.store.count(LANDPOOL) == n + 1
    plot = uc.get_plot(reg.store, LANDPOOL, "IMP-1", history=True)
    assert plot.properties["owner_type"] == "city" and not plot.properties["published"]
    assert plot.history and plot.history[0]["reason"] == f"imported from neu.{fmt}"


def test_update_import_changes_exactly_the_listed_plots(reg: Reg, tmp_path: Path) -> None:
    # the team exports the register, edits two plots elsewhere (as in QGIS) and imports it
    r = reg.get("/register/export?format=gpkg")
    exported = tmp_path / "register.gpkg"
    exported.write_bytes(r.content)
    frame = gpd.read_file(exported, layer="plots")
    frame.loc[frame["plot_id"] == "REG-B", "contamination"] = "suspected"
    frame.loc[frame["plot_id"] == "REG-C", "owner_type"] = "church"
    frame.loc[frame["plot_id"] == "REG-C", "intended_use"] = "Kita"
    edited = tmp_path / "edited.gpkg"
    frame.to_file(edited, layer="plots", driver="GPKG")
    versions = {p["plot_id"]: p["version"] for p in _all(reg)}
    rows = reg.store.verify_history().rows
    # without a reason an update is refused; nothing changes
    before = fingerprint(reg.store)
    r = _import(reg, "edited.gpkg", edited.read_bytes(), update="on")
    assert r.status_code == 422 and "reason" in r.text and fingerprint(reg.store) == before
    r = _import(reg, "edited.gpkg", edited.read_bytes(), update="on", reason="QGIS-Abgleich")
    assert r.status_code == 200, r.text
    report = r.text.split('id="sr-import-report"')[1]
    assert "Aktualisiert: 2 Flächen aus edited.gpkg" in report
    assert f"{reg.seeded.total - 2} unverändert" in report
    changed = report.split('id="sr-import-changed"')[1].split("</table>")[0]
    assert re.findall(r'data-plot-id="([^"]+)"', changed) == ["REG-B", "REG-C"]
    assert (
        "Altlasten: unbekannt → Verdacht" in changed and "Eigentümer: unbekannt → Kirche" in changed
    )
    after = {p["plot_id"]: p["version"] for p in _all(reg)}
    assert {k for k in after if after[k] != versions[k]} == {"REG-B", "REG-C"}
    assert after["REG-B"] == versions["REG-B"] + 1
    assert reg.store.verify_history().rows == rows + 2
    assert _history(reg, "REG-C")[-1]["reason"].startswith("QGIS-Abgleich")
    # the same file again: every row names a version that has moved on for REG-B and REG-C
    before = fingerprint(reg.store)
    r = _import(reg, "edited.gpkg", edited.read_bytes(), update="on", reason="nochmal")
    assert r.status_code == 422 and fingerprint(reg.store) == before
    table = r.text.split('id="sr-import-problems"')[1].split("</table>")[0]
    assert table.count("Version veraltet") == 2 and "REG-B" in table and "REG-C" in table


def _all(reg: Reg) -> list[dict[str, Any]]:
    return [f["properties"] for f in uc.list_plots(reg.store, LANDPOOL).features]


def test_upload_over_the_body_limit_gets_the_413_page(settings: Settings, tmp_path: Path) -> None:
    seeded = seed_register(settings, tmp_path)
    small = seeded.settings.model_copy(update={"max_body_bytes": 20_000})
    app = create_app(small)
    app.state.store = seeded.store
    with TestClient(app) as client:
        reg = Reg(client, seeded)
        before = fingerprint(seeded.store)
        r = _import(reg, "big.geojson", b" " * 50_000)
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        assert "<title>Anfrage zu groß" in r.text and "20000 bytes" in r.text
        assert fingerprint(seeded.store) == before
        # the API keeps its JSON answer
        r = client.post("/plots", content=b"{" + b" " * 50_000, headers=seeded.headers("landpool"))
        assert r.status_code == 413 and r.json()["error"] == "BodyTooLargeError"
    seeded.store.close()


# -- export ---------------------------------------------------------------------------------
def test_export_buttons_give_valid_files_of_the_filtered_set(reg: Reg, tmp_path: Path) -> None:
    page = reg.get("/register?category=other&published=no").text
    links = dict(
        re.findall(r'<a class="sr-button" href="([^"]+)" download data-format="(\w+)"', page)
    )
    by_fmt = {fmt: href.replace("&amp;", "&") for href, fmt in links.items()}
    assert set(by_fmt) == {"gpkg", "geojson", "csv"}
    for fmt, href in by_fmt.items():
        assert "category=other" in href and "published=no" in href
        r = reg.get(href)
        assert r.status_code == 200, r.text
        assert f".{fmt}" in r.headers["content-disposition"]
        path = tmp_path / f"export.{fmt}"
        path.write_bytes(r.content)
        if fmt == "geojson":
            doc = json.loads(r.content)
            assert len(doc["features"]) == FILLERS and doc["attribution"]
        elif fmt == "gpkg":
            frame = gpd.read_file(path, layer="plots")
            assert len(frame) == FILLERS and frame.crs.to_epsg() == 25832
            credits = gpd.read_file(path, layer="attributions")
            assert any("GeoBasis-DE" in a for a in credits["attribution"])
        else:
            table = pd.read_csv(path)
            assert len(table) == FILLERS and table["crs"].iloc[0] == WORK_CRS
            assert table["attribution"].str.contains("GeoBasis-DE").all()
    # a planner exports only what a planner sees: no confidential plot, no notes
    r = reg.get("/register/export?format=geojson", "planner")
    doc = json.loads(r.content)
    ids = {f["properties"]["plot_id"] for f in doc["features"]}
    assert SECRET["plot_id"] not in ids and len(ids) == reg.seeded.total - 1
    assert "notes" not in doc["features"][0]["properties"]
    assert reg.get("/register/export?format=geojson&confidential=yes", "planner").status_code == 403
    assert reg.get("/register/export?format=shp").status_code == 400
