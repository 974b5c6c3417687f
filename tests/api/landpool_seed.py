"""A land pool with public and confidential plots, seeded through the API, and tokens.

Shared by the OGC plot tests and the leak crawler. Confidential plots carry distinctive
ids, names, addresses, notes and vertex coordinates, so any trace of them in an answer
can be found by plain text search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyproj import Transformer

from api.app import create_app
from geo.settings import Settings
from geo.tokens import TokenStore

#: Rectangles in Jena (lon, lat of two corners). Confidential corners have a 5 in the
#: sixth decimal, so rounding to 6 decimals keeps their first 5 decimals unchanged.
PUBLIC_PLOTS: list[dict[str, Any]] = [
    {
        "plot_id": "OFFEN-1",
        "name": "Brache am Saalbahnhof",
        "box": (11.5850, 50.9270, 11.5864, 50.9288),
    },
    {"plot_id": "OFFEN-2", "name": "Baulücke Lobeda", "box": (11.6000, 50.8800, 11.6012, 50.8810)},
    {"plot_id": "OFFEN-3", "name": "Reserve Winzerla", "box": (11.5600, 50.8900, 11.5615, 50.8912)},
]
CONFIDENTIAL_PLOTS: list[dict[str, Any]] = [
    {
        "plot_id": "GEHEIM-7731",
        "name": "Verdeckter Ankauf Nordhang",
        "address": "Geheimweg 13",
        "notes": "Verhandlung vertraulich: Eigentümerin Quastwitz",
        "box": (11.603915, 50.941165, 11.605285, 50.942375),
    },
    {
        "plot_id": "GEHEIM-8842",
        "name": "Stille Reserve Zwätzen",
        "address": "Verschwiegene Gasse 7",
        "notes": "Vorkaufsrecht geprüft, nicht öffentlich",
        "box": (11.611235, 50.953715, 11.612645, 50.954825),
    },
    {
        "plot_id": "GEHEIM-9953",
        "name": "Diskretes Gewerbeareal Göschwitz",
        "address": "Unbekannter Hof 2",
        "notes": "Ansiedlung Firma Xylotrax geplant",
        "box": (11.583345, 50.876655, 11.584755, 50.877865),
    },
]


def _feature(plot: dict[str, Any], confidential: bool) -> dict[str, Any]:
    x0, y0, x1, y1 = plot["box"]
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    props = {k: v for k, v in plot.items() if k != "box"}
    props["confidential"] = confidential
    props["category"] = "brownfield"
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    }


def secret_strings() -> list[str]:
    """Ids, names, addresses and notes of the confidential plots."""
    keys = ("plot_id", "name", "address", "notes")
    return [p[k] for p in CONFIDENTIAL_PLOTS for k in keys]


def secret_coordinate_patterns() -> list[re.Pattern[str]]:
    """Regexes that match a confidential vertex as a coordinate pair in any output.

    Longitude/latitude (EPSG:4326, at least 5 decimals, any separator as in GeoJSON, WKT
    or CSV) and easting/northing (EPSG:25832, to the metre).
    """
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25832", always_xy=True)
    patterns = []
    for plot in CONFIDENTIAL_PLOTS:
        x0, y0, x1, y1 = plot["box"]
        for lon, lat in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
            lon5, lat5 = f"{lon:.6f}"[:-1], f"{lat:.6f}"[:-1]
            patterns.append(re.compile(rf"{re.escape(lon5)}\d*[\s,;\"\]\[]+{re.escape(lat5)}"))
            e, n = to_utm.transform(lon, lat)
            patterns.append(re.compile(rf"{int(e) // 10}\d(\.\d+)?[\s,;]+{int(n) // 10}\d"))
    return patterns


@dataclass
class SeededApi:
    """A test client on an app whose land pool holds public and confidential plots."""

    client: TestClient
    settings: Settings
    #: Authorization headers by role (``public`` has none).
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def public_ids(self) -> list[str]:
        return [p["plot_id"] for p in PUBLIC_PLOTS]

    @property
    def secret_ids(self) -> list[str]:
        return [p["plot_id"] for p in CONFIDENTIAL_PLOTS]


def seed(settings: Settings, tmp_path: Path) -> SeededApi:
    """Create an app on stores in ``tmp_path``, one token per role, and the plots."""
    app_settings = settings.model_copy(update={"landpool_gpkg": tmp_path / "lp.gpkg"})
    tokens = TokenStore.open(app_settings)
    headers: dict[str, dict[str, str]] = {"public": {}}
    for role in ("planner", "landpool", "admin"):
        token, _ = tokens.create(f"{role}-tester", role)
        headers[role] = {"Authorization": f"Bearer {token}"}
    tokens.close()
    client = TestClient(create_app(app_settings))
    for plots, confidential in ((PUBLIC_PLOTS, False), (CONFIDENTIAL_PLOTS, True)):
        for plot in plots:
            r = client.post(
                "/plots", json=_feature(plot, confidential), headers=headers["landpool"]
            )
            assert r.status_code == 201, r.text
    return SeededApi(client=client, settings=app_settings, headers=headers)
