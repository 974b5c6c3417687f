"""The registry gathers a map's inputs; builders only draw; one route serves every map."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from geo.errors import InputError, NotFoundError
from geo.settings import Settings
from maps.labels import category_label, counted
from maps.registry import MAPS, render_map

MAPS_DIR = Path(__file__).resolve().parents[2] / "maps"
#: Modules that read data (files, stores, networks, timetables, the region build).
LOADERS = (
    "geo.region.build",
    "geo.roads.io",
    "geo.transit.io",
    "geo.landpool.store",
    "geo.landpool.io",
    "geo.screening.io",
    "geo.sources",
    "maps.registry",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("name", ["region", "forum", "reachable", "transit"])
def test_builders_do_not_load_data(name: str) -> None:
    """The region, forum, reachable and transit builders import no module that reads data,
    and none imports the registry (the registry imports them)."""
    imported = _imports(MAPS_DIR / f"{name}.py")
    loading = sorted(m for m in imported if m in LOADERS or m.endswith(".load_region"))
    assert not loading, f"maps/{name}.py imports {loading}"


def test_map_request_has_its_own_module() -> None:
    """MapRequest lives in maps/request.py, which imports no map module: no circle."""
    imported = _imports(MAPS_DIR / "request.py")
    assert not [m for m in imported if m.startswith("maps")]
    for name in ("plots", "forum"):
        assert "maps.registry" not in _imports(MAPS_DIR / f"{name}.py")


def test_one_route_serves_every_map(settings: Settings) -> None:
    """No other router declares a map path, so the routers' order cannot matter."""
    app = create_app(settings)
    paths = [p for p in app.openapi()["paths"] if p.startswith("/maps/")]
    assert paths == ["/maps/{name}.html"]
    client = TestClient(app)
    r = client.get("/maps/region.html", params={"mode": "rail"})  # an HTML error page
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert "map &#39;region&#39; does not take mode" in r.text
    r = client.get("/maps/reachable.html", params={"from": "Jena", "max_minutes": 15})
    assert r.status_code == 200 and "Erreichbarkeit mit dem Auto" in r.text


def test_render_map_refuses_unknown_maps_and_options(settings: Settings) -> None:
    with pytest.raises(NotFoundError, match="unknown map 'nope'"):
        render_map("nope", settings)
    with pytest.raises(InputError, match="does not take by"):
        render_map("forum", settings, options={"by": "status"})
    assert set(MAPS) == {"region", "plots", "forum", "reachable"}


def test_base_map_switch_only_where_tiles_are_configured(settings: Settings) -> None:
    tiled = settings.model_copy(
        update={"tiles_url": "http://127.0.0.1:9/{z}/{x}/{y}.png", "tiles_attribution": "T"}
    )
    page = render_map("forum", tiled)
    overlays = page[page.index("overlays :") :]
    assert '"Basiskarte"' in overlays[: overlays.index("};")]
    assert '"Base map"' in render_map("forum", tiled, lang="en")
    assert "Basiskarte" not in render_map("forum", tiled, tiles="none")
    assert "Basiskarte" not in render_map("forum", settings)


def test_counted_and_category_words() -> None:
    assert counted(1, "Gemeinde", "Gemeinden") == "1 Gemeinde"
    assert counted(0, "Gemeinde", "Gemeinden") == "0 Gemeinden"
    assert counted(2, "Gemeinde", "Gemeinden") == "2 Gemeinden"
    assert category_label("vacant_lot", "de") == "Baulücke"
    assert category_label("brownfield", "en") == "brownfield"
    assert category_label(None, "de") == "–"
    assert category_label("new_code", "de") == "new_code"
