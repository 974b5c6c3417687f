"""A land pool for the register page tests: plots of every kind, tokens per role.

Five named plots (published, assessed in Kahla, internal, nameless and negotiating, one
confidential with distinctive name and notes) and 30 small filler plots, so that
filters, sorting and paging have something to show. Shared by the page tests and the
browser tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from shapely.geometry import box

from geo.access.tokens import TokenStore
from geo.landpool.io import open_store
from geo.landpool.plots import Viewer
from geo.landpool.store import Store
from geo.settings import WEB_CRS, WORK_CRS, Settings

LANDPOOL = Viewer("landpool", "Erika Registerpflege")

#: (plot_id, values, (lon, lat) of the centre, half side in m, statuses to walk, published)
NAMED: list[tuple[str, dict[str, Any], tuple[float, float], float, list[str], bool]] = [
    ("REG-A", {"name": "Alte Brauerei", "category": "brownfield"}, (11.585, 50.927), 100, [], True),
    (
        "REG-B",
        {"name": "Bahnhofsareal Kahla", "category": "greenfield", "owner_type": "city"},
        (11.587, 50.805),
        150,
        ["assessed"],
        False,
    ),
    ("REG-C", {"name": "Citygrund", "category": "vacant_lot"}, (11.600, 50.880), 50, [], False),
    ("REG-D", {"category": "reserve"}, (11.560, 50.890), 80, ["assessed", "negotiating"], False),
]
SECRET = {
    "plot_id": "REG-S",
    "name": "Geheimfläche Nordhang",
    "notes": "Verhandlung vertraulich mit Frau Quastwitz",
}
FILLERS = 30


def lonlat_box(lon: float, lat: float, half_m: float) -> Any:
    """A square of ``2 * half_m`` metres around a lon/lat point, in EPSG:25832."""
    pt = gpd.GeoSeries(gpd.points_from_xy([lon], [lat]), crs=WEB_CRS).to_crs(WORK_CRS).iloc[0]
    return box(pt.x - half_m, pt.y - half_m, pt.x + half_m, pt.y + half_m)


@dataclass
class RegisterStore:
    """The seeded land pool: settings, the open store and a header per role."""

    settings: Settings
    store: Store
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """The Authorization header of ``role`` (none for public)."""
        return {} if role == "public" else {"Authorization": f"Bearer {self.tokens[role]}"}

    @property
    def total(self) -> int:
        """Plots the land-pool team sees."""
        return len(NAMED) + 1 + FILLERS


def seed_register(settings: Settings, folder: Path) -> RegisterStore:
    """A new land pool and token store in ``folder``, filled, with one token per role."""
    app_settings = settings.model_copy(
        update={"landpool_gpkg": folder / "lp.gpkg", "tokens_db": folder / "tokens.sqlite"}
    )
    store = open_store(app_settings)
    new = [
        store.prepare(values, lonlat_box(*at, half), plot_id=pid)
        for pid, values, at, half, *_ in NAMED
    ]
    secret = {k: v for k, v in SECRET.items() if k != "plot_id"}
    new.append(
        store.prepare(
            {**secret, "confidential": True, "category": "brownfield"},
            lonlat_box(11.604, 50.941, 60),
            plot_id=SECRET["plot_id"],
        )
    )
    new += [
        store.prepare(
            {"name": f"Füllfläche {i:02d}", "category": "other"},
            lonlat_box(11.50 + i * 0.004, 50.95, 20 + i),
            plot_id=f"REG-F{i:02d}",
        )
        for i in range(1, FILLERS + 1)
    ]
    store.insert_many(LANDPOOL, new)  # one transaction
    for pid, _values, _at, _half, steps, published in NAMED:
        for step in steps:
            store.set_status(LANDPOOL, pid, step, reason=f"step to {step}")
        if published:
            store.publish(LANDPOOL, pid, reason="offered in the forum")
    tokens = TokenStore.open(app_settings)
    out = RegisterStore(app_settings, store)
    for role in ("planner", "landpool", "admin"):
        token, _ = tokens.create(f"{role}-tester", role)
        out.tokens[role] = token
    tokens.close()
    return out
