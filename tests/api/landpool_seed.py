"""A land pool with public and confidential plots, seeded through the API, and tokens.

Shared by the OGC plot tests and the leak crawler. Confidential plots carry distinctive
ids, names, addresses, notes and vertex coordinates, so any trace of them in an answer
can be found by plain text search.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from pyproj import Transformer

from api.app import create_app
from geo.access.tokens import TokenStore
from geo.settings import Settings

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


@functools.cache
def secret_coordinate_patterns() -> tuple[re.Pattern[str], ...]:
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
    return tuple(patterns)  # built once: a Transformer costs ~30 ms


@dataclass
class SeededApi:
    """A test client on an app whose land pool holds public and confidential plots."""

    client: TestClient
    settings: Settings
    #: Authorization headers by role (``public`` has none).
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Ids made while seeding that tests look up (e.g. ``linked_contribution``).
    made: dict[str, str] = field(default_factory=dict)

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
            if not confidential:  # new plots are internal: the offers are published explicitly
                publish(client, headers, plot["plot_id"], PUBLISH_REASON)
    return SeededApi(client=client, settings=app_settings, headers=headers)


#: Why the seed publishes its offers (public callers never see history reasons).
PUBLISH_REASON = "Freigabe für das Forum durch Frau Quendel"


def publish(
    client: TestClient, headers: dict[str, dict[str, str]], plot_id: str, reason: str
) -> None:
    """Publish a plot as the land-pool team."""
    r = client.post(
        f"/plots/{plot_id}/publish", json={"reason": reason}, headers=headers["landpool"]
    )
    assert r.status_code == 200, r.text


# -- a plot's life after the seed: declassification, notes, publish and unpublish ---------
#: Plots that go through a life: a confidential plot declassified and published (its
#: confidential-period name and notes must never reach public or planner), an internal
#: plot never published, and a plot published and then unpublished.
LIFECYCLE_PLOTS: list[dict[str, Any]] = [
    {
        "plot_id": "FREI-4",
        "name": "Vertraulicher Vorgang Ammerbach",
        "address": "Diskretionsweg 4",
        "notes": "price 1.2M EUR, owner willing",
        "box": (11.5700, 50.9100, 11.5712, 50.9110),
    },
    {
        "plot_id": "INTERN-5",
        "name": "Interne Prüffläche Burgau",
        "notes": "intern: Prüfung Lärmschutz",
        "box": (11.5900, 50.8950, 11.5912, 50.8960),
    },
    {
        "plot_id": "ZURUECK-6",
        "name": "Zurückgezogenes Angebot Kunitz",
        "box": (11.6200, 50.9500, 11.6212, 50.9510),
    },
]
#: The name FREI-4 gets before it is declassified (this one is public after publishing).
DECLASSIFIED_NAME = "Gewerbefläche Ammerbach"
#: A land-pool note written on a published plot: internal, never public.
INTERNAL_NOTE = "intern: Kaufpreisvorstellung 80 EUR/m²"
UNPUBLISH_REASON = "Eigentümer Herr Zwirbelmann zieht das Angebot zurück"


def _patch(lp: SeededApi, plot_id: str, props: dict[str, Any]) -> None:
    lp_headers = lp.headers["landpool"]
    version = lp.client.get(f"/plots/{plot_id}", headers=lp_headers).json()["properties"]
    r = lp.client.patch(
        f"/plots/{plot_id}",
        json={"version": version["version"], "properties": props},
        headers=lp_headers,
    )
    assert r.status_code == 200, r.text


def live(lp: SeededApi) -> None:
    """Run the plots of :data:`LIFECYCLE_PLOTS` through their lives, and note on OFFEN-1."""
    lp_headers = lp.headers["landpool"]
    free, internal, back = LIFECYCLE_PLOTS
    r = lp.client.post("/plots", json=_feature(free, True), headers=lp_headers)
    assert r.status_code == 201, r.text
    _patch(lp, "FREI-4", {"notes": free["notes"] + " (confirmed)"})
    _patch(lp, "FREI-4", {"name": DECLASSIFIED_NAME, "address": None, "notes": None})
    _patch(lp, "FREI-4", {"confidential": False})  # declassified ...
    publish(lp.client, lp.headers, "FREI-4", PUBLISH_REASON)  # ... and published
    r = lp.client.post("/plots", json=_feature(internal, False), headers=lp_headers)
    assert r.status_code == 201, r.text
    r = lp.client.post("/plots", json=_feature(back, False), headers=lp_headers)
    assert r.status_code == 201, r.text
    publish(lp.client, lp.headers, "ZURUECK-6", PUBLISH_REASON)
    r = lp.client.post(
        "/plots/ZURUECK-6/unpublish", json={"reason": UNPUBLISH_REASON}, headers=lp_headers
    )
    assert r.status_code == 200, r.text
    _patch(lp, "OFFEN-1", {"notes": INTERNAL_NOTE})
    profile = {"name": "team", "filters": {"owner_types": ["city"]}}
    r = lp.client.put("/plots/screen/profiles/team", json=profile, headers=lp_headers)
    assert r.status_code == 200, r.text  # saved_by is a staff name


def hidden_ids(role: str) -> list[str]:
    """Plot ids ``role`` must not learn of once :func:`live` ran."""
    ids = [p["plot_id"] for p in CONFIDENTIAL_PLOTS]
    if role == "public":
        ids += ["INTERN-5", "ZURUECK-6"]
    return ids


def visible_count(role: str) -> int:
    """How many plots ``role`` sees once :func:`live` ran."""
    n = len(PUBLIC_PLOTS) + 1  # and FREI-4
    if role in ("planner", "public"):
        return n + (2 if role == "planner" else 0)
    return n + 2 + len(CONFIDENTIAL_PLOTS)


def hidden_strings(role: str) -> list[str]:
    """What ``role`` must never read once :func:`live` ran: confidential plots, the
    confidential-period name, address and notes of FREI-4, internal notes, staff names,
    and for ``public`` the unpublished plots and every history reason."""
    free, internal, back = LIFECYCLE_PLOTS
    out = [*secret_strings(), free["name"], free["address"], free["notes"], INTERNAL_NOTE]
    out += [internal["notes"], "landpool-tester"]
    if role == "public":
        out += [internal["plot_id"], internal["name"], back["plot_id"], back["name"]]
        out += [PUBLISH_REASON, UNPUBLISH_REASON]
        out += ["planner-tester"]  # the editor of the forum's projects (tests.api.projects_seed)
    return out
