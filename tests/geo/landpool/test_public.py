"""The one projection of a plot per role (geo/landpool/public.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import geopandas as gpd
from shapely.geometry import MultiPolygon, box

from geo.landpool.plots import HistoryEntry, Plot, Viewer
from geo.landpool.public import (
    ALL_FIELDS,
    PLANNER_FIELDS,
    PUBLIC_FIELDS,
    Level,
    frame_for,
    plot_fields,
    plot_level,
    project_feature,
    project_history,
    stricter,
    visible_levels,
)

PUBLIC = Viewer("public")
PLANNER = Viewer("planner", "pat")
LANDPOOL = Viewer("landpool", "anna")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _plot() -> Plot:
    return Plot(
        plot_id="J-1", name="Brache", address="Weg 1", category="brownfield",
        owner_type="private", planning_status="s34", fnp_designation=None,
        contamination="unknown", status="identified", current_use=None, intended_use="Wohnen",
        confidential=False, notes="intern: 80 EUR/m²", source=None, published=True,
        area_ha=2.0, ags="16053000", municipality="Jena", created_at=NOW,
        created_by="anna", updated_at=NOW, updated_by="ben", version=3,
        geometry=MultiPolygon([box(681000, 5645000, 681100, 5645200)]),
    )  # fmt: skip


def test_field_sets_per_role() -> None:
    assert not {"notes", "created_by", "updated_by", "confidential"} & set(PUBLIC_FIELDS)
    assert not {"notes", "created_by", "updated_by"} & set(PLANNER_FIELDS)
    assert set(PUBLIC_FIELDS) < set(PLANNER_FIELDS) < set(ALL_FIELDS)
    assert plot_fields(Viewer("admin")) == ALL_FIELDS
    feature = project_feature(_plot(), PUBLIC)
    assert "80 EUR" not in repr(feature) and "anna" not in repr(feature)
    assert "ben" not in repr(project_feature(_plot(), PLANNER))
    assert project_feature(_plot(), LANDPOOL)["properties"]["notes"].startswith("intern")
    frame = frame_for([_plot()], PUBLIC)
    assert isinstance(frame, gpd.GeoDataFrame) and "notes" not in frame.columns


def test_levels() -> None:
    assert plot_level(True, True) is Level.LANDPOOL
    assert plot_level(False, False) is Level.INTERNAL
    assert plot_level(False, True) is Level.PUBLIC
    assert stricter("public", "landpool") is Level.LANDPOOL
    assert visible_levels(PUBLIC) == ("public",)
    assert visible_levels(PLANNER) == ("public", "internal")
    assert len(visible_levels(LANDPOOL)) == 3


def test_history_members_and_changes_are_cut_per_role() -> None:
    rows = [
        HistoryEntry(1, "J-1", NOW, "anna", "updated", "identified", "identified", "why",
                     {"notes": ["a", "b"]}, 2, "public", "h1"),
        HistoryEntry(2, "J-1", NOW, "anna", "updated", "identified", "identified", "why",
                     {"name": ["a", "b"], "notes": [None, "x"]}, 3, "public", "h2"),
    ]  # fmt: skip
    public = project_history(rows, PUBLIC)
    assert public == [
        {
            "plot_id": "J-1",
            "at": NOW.isoformat(),
            "event": "updated",
            "from_status": "identified",
            "to_status": "identified",
            "changes": {"name": ["a", "b"]},
            "version": 3,
        }
    ]  # the notes-only edit is left out
    assert project_history(rows, PLANNER)[0]["reason"] == "why"
    assert project_history(rows, LANDPOOL)[0]["actor"] == "anna"
