"""The land pool of the browser tests: demo plots, public offers across borders, secrets.

Public offers lie in four municipalities (Jena, Kahla, Hermsdorf, Stadtroda); the
confidential plots are those of :mod:`tests.api.landpool_seed` (distinctive ids, names,
addresses, notes and vertex coordinates), marked for housing so that they *would* be
offered if the forum ever read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import box

from geo.landpool.io import open_store, seed_demo
from geo.landpool.plots import Viewer
from geo.settings import WEB_CRS, WORK_CRS, Settings
from tests.api.landpool_seed import CONFIDENTIAL_PLOTS

LANDPOOL = Viewer("landpool", "browser-test seed")

#: Public plots: (id, name, intended use, category, (lon, lat) of the box centre).
PUBLIC_OFFERS: list[dict[str, Any]] = [
    {
        "plot_id": "FORUM-W1",
        "name": "Wohnen am Saaleufer Kahla",
        "intended_use": "Wohnen (WA)",
        "category": "brownfield",
        "at": (11.5870, 50.8050),
    },
    {
        "plot_id": "FORUM-G1",
        "name": "Gewerbegebiet Hermsdorf Ost",
        "intended_use": "Gewerbe",
        "category": "greenfield",
        "at": (11.8700, 50.8950),
    },
    {
        "plot_id": "FORUM-M1",
        "name": "Quartier am Bahnhof Stadtroda",
        "intended_use": "Mischgebiet (MI)",
        "category": "underused",
        "at": (11.7050, 50.8450),
    },
    {
        "plot_id": "FORUM-W2",
        "name": "Wohnquartier Lobeda-West",
        "intended_use": "Wohnen",
        "category": "vacant_lot",
        "at": (11.5880, 50.8900),
    },
]
#: Public plots that are not offered for housing or commerce.
PUBLIC_OTHER: list[dict[str, Any]] = [
    {
        "plot_id": "FORUM-P1",
        "name": "Parkfläche Ziegenhain",
        "intended_use": "Grünfläche, Park",
        "category": "greenfield",
        "at": (11.6300, 50.9200),
    },
]


def _box(lon: float, lat: float, half_m: float = 250.0) -> Any:
    pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WEB_CRS).to_crs(WORK_CRS).iloc[0]
    return box(pt.x - half_m, pt.y - half_m, pt.x + half_m, pt.y + half_m)


@dataclass
class SeededStore:
    """What the browser tests' land pool holds."""

    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    demo_plots: int = 0

    @property
    def secret_ids(self) -> list[str]:
        return [p["plot_id"] for p in CONFIDENTIAL_PLOTS]


def seed_store(settings: Settings, folder: Path) -> SeededStore:
    """Settings on a new land pool and token store in ``folder``, filled and with tokens."""
    from geo.access.tokens import TokenStore

    app_settings = settings.model_copy(
        update={"landpool_gpkg": folder / "lp.gpkg", "tokens_db": folder / "tokens.sqlite"}
    )
    with open_store(app_settings) as store:
        demo = seed_demo(store, LANDPOOL, app_settings.data_dir)
        for plot in [*PUBLIC_OFFERS, *PUBLIC_OTHER]:
            values = {k: plot[k] for k in ("name", "intended_use", "category")}
            store.create(LANDPOOL, values, _box(*plot["at"]), plot_id=plot["plot_id"])
            store.publish(LANDPOOL, plot["plot_id"], reason="offered in the forum")
        for plot in CONFIDENTIAL_PLOTS:
            x0, y0, x1, y1 = plot["box"]
            geom = gpd.GeoSeries([box(x0, y0, x1, y1)], crs=WEB_CRS).to_crs(WORK_CRS).iloc[0]
            values = {k: plot[k] for k in ("name", "address", "notes")}
            values.update(confidential=True, intended_use="Wohnen", category="brownfield")
            store.create(LANDPOOL, values, geom, plot_id=plot["plot_id"])
    tokens = TokenStore.open(app_settings)
    out = SeededStore(app_settings, demo_plots=demo)
    for role in ("planner", "landpool"):
        token, _ = tokens.create(f"browser-{role}", role)
        out.tokens[role] = token
    tokens.close()
    return out
