"""The validation table: every published figure beside the computed one, with a reason."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.region import validation
from geo.region.validation import Computed, population_tolerance, validation_table

LD_NOTE = "DB long-distance trains only (ICE/IC/EC and partners), timetable year 2019"


def computed(
    model: gpd.GeoDataFrame,
    *,
    rail: dict[str, float] | None = None,
    car: dict[str, float] | None = None,
    ic: dict[str, float] | None = None,
    notes: tuple[str, ...] = (LD_NOTE,),
) -> Computed:
    """Computed figures for the test: NaN everywhere except what is given."""
    ags = model["ags"].astype(str).to_numpy()
    car = car or {}
    return Computed(
        rail_minutes=pd.Series(rail or {}, dtype=float).reindex(ags),
        car_minutes=pd.Series(car, dtype=float).reindex(ags),
        car_covered=pd.Series(np.isin(ags, list(car)), index=ags),
        ic_car_minutes=pd.Series(ic or {}, dtype=float),
        rail_basis="test feed",
        rail_feed_notes=notes,
        car_network="test network",
        rail_feeds=("db_fv_gtfs_2019.zip",) if notes else (),
    )


def _one(table: pd.DataFrame, name: str, measure: str) -> pd.Series:
    hit = table[(table["name"] == name) & (table["measure"] == measure)]
    assert len(hit) == 1, (name, measure)
    return hit.iloc[0]


def test_every_isek_figure_is_listed_with_a_reason(region_model: gpd.GeoDataFrame) -> None:
    table = validation_table(region_model, computed(region_model))
    isek = region_model[region_model["isek_population"].notna()]
    expected = 0
    for _, r in isek.iterrows():
        for col, measure in (
            ("isek_population", "population"),
            ("isek_trend_2008_2015_pct", "trend"),
            ("isek_rail_minutes", "rail_minutes"),
            ("isek_car_minutes", "car_minutes"),
        ):
            if pd.isna(r[col]):
                continue  # Dornburg-Camburg's trend is unreadable in the source
            row = _one(table, r["name"], measure)
            assert row["published"] == pytest.approx(float(r[col]))
            assert row["reason"] in validation.REASONS
            assert row["reason_label"] == validation.LABELS["de"][row["reason"]]
            assert row["explanation"]
            expected += 1
    assert expected == 23
    assert (table["source"].str.startswith("ISEK")).sum() == 23
    assert list(table.columns) == validation.COLUMNS


def test_reason_classes_on_the_real_figures(region_model: gpd.GeoDataFrame) -> None:
    table = validation_table(region_model, computed(region_model))
    # ISEK rounds Kahla to 7 000 (±500): Destatis 2014 6 909 is the same
    kahla = _one(table, "Kahla", "population")
    assert kahla["reason"] == "same" and kahla["computed"] == 6909 and kahla["tolerance"] == 500
    # Dornburg-Camburg's 10 400 is its 2016 association's sum, not the town's 5 497
    dc = _one(table, "Dornburg-Camburg", "population")
    assert dc["reason"] == "other_territory" and "160745015" in dc["explanation"]
    assert dc["difference_pct"] == pytest.approx(-47.1, abs=0.1) and not dc["highlight"]
    # Apolda 22 400 (±50) lies outside its own series 21 738–22 012: no reason in the data
    apolda = _one(table, "Apolda", "population")
    assert apolda["reason"] == "unexplained" and not apolda["highlight"]
    # 2008–2015 against 2013–2018
    assert _one(table, "Kahla", "trend")["reason"] == "other_year"
    # Saalfeld absorbed two neighbours (territorial-change detection): another territory
    saalfeld = _one(table, "Saalfeld/Saale", "trend")
    assert saalfeld["reason"] == "other_territory" and "16073108" in saalfeld["explanation"]
    # not reached by the long-distance feed: another feed; outside the network: not computable
    assert _one(table, "Kahla", "rail_minutes")["reason"] == "other_network"
    car = _one(table, "Kahla", "car_minutes")
    assert car["reason"] == "not_computable" and np.isnan(car["computed"])


def test_unexplained_differences_over_25_percent_are_highlighted(
    region_model: gpd.GeoDataFrame,
) -> None:
    kahla = str(region_model.loc[region_model["name"] == "Kahla", "ags"].iloc[0])
    apolda = str(region_model.loc[region_model["name"] == "Apolda", "ags"].iloc[0])
    c = computed(region_model, rail={kahla: 13.0}, car={kahla: 40.0, apolda: 27.0}, notes=())
    table = validation_table(region_model, c)
    rail = _one(table, "Kahla", "rail_minutes")  # 13 vs 12: within ±2 min
    assert rail["reason"] == "same" and rail["difference"] == 1
    car = _one(table, "Kahla", "car_minutes")  # 40 vs 21: +90 %
    assert car["reason"] == "unexplained" and car["highlight"]
    assert car["difference_pct"] == pytest.approx(90.5, abs=0.1)
    assert _one(table, "Apolda", "car_minutes")["reason"] == "same"
    # without a stated gap of the feed, "not reached" is unexplained and highlighted
    unreached = _one(table, "Apolda", "rail_minutes")
    assert unreached["reason"] == "unexplained" and unreached["highlight"]
    counts = validation.reason_counts(table)
    assert sum(counts[r] for r in validation.REASONS) == len(table)
    assert counts["highlighted"] == int(table["highlight"].sum()) >= 2


def test_territorial_change_columns_are_used_when_present(
    region_model: gpd.GeoDataFrame,
) -> None:
    model = region_model.assign(
        territory_changed=False, predecessors="", successor="", trend_note=""
    )
    saalfeld = model.index[model["name"] == "Saalfeld/Saale"][0]
    model.loc[saalfeld, "territory_changed"] = True
    model.loc[saalfeld, "predecessors"] = "16073036"
    table = validation_table(model, computed(model))
    trend = _one(table, "Saalfeld/Saale", "trend")
    assert trend["reason"] == "other_territory" and "16073036" in trend["explanation"]
    # a figure within tolerance stays "same" whatever the territory
    assert _one(table, "Saalfeld/Saale", "population")["reason"] == "same"
    # a trend left unknown across an unproven change says so instead of a number
    unknown = model.copy()
    unknown.loc[saalfeld, "change_pct"] = np.nan
    unknown["trend_note"] = ""
    unknown.loc[saalfeld, "trend_note"] = "territory changed by a merger; no common territory"
    trend = _one(validation_table(unknown, computed(unknown)), "Saalfeld/Saale", "trend")
    assert trend["reason"] == "not_computable" and "merger" in trend["explanation"]
    # without the columns (a model built without the territorial step): no known change
    bare = region_model.drop(
        columns=["territory_changed", "predecessors", "successor", "trend_basis", "trend_note"]
    )
    assert _one(validation_table(bare, computed(bare)), "Saalfeld/Saale", "trend")["reason"] == (
        "other_year"
    )


def test_inkar_rows_only_where_the_tool_computes_the_measure(
    region_model: gpd.GeoDataFrame,
) -> None:
    jena = str(region_model.loc[region_model["name"] == "Jena", "ags"].iloc[0])
    stadtroda = str(region_model.loc[region_model["name"] == "Stadtroda", "ags"].iloc[0])
    table = validation_table(region_model, computed(region_model, ic={jena: 1.1, stadtroda: 9.0}))
    inkar = table[table["measure"] == "inkar_car_min_ic_station"]
    # Stadtroda has no joined INKAR value (association member): no row, no guess
    assert list(inkar["name"]) == ["Jena"]
    row = inkar.iloc[0]
    assert row["published"] == pytest.approx(1.71) and row["reason"] == "same"
    assert "INKAR" in row["source"]
    far = validation_table(region_model, computed(region_model, ic={jena: 9.0}))
    assert _one(far, "Jena", "inkar_car_min_ic_station")["reason"] == "other_territory"
    assert (
        validation_table(region_model, computed(region_model))
        .query("measure == 'inkar_car_min_ic_station'")
        .empty
    )


def test_english_labels_and_input_untouched(region_model: gpd.GeoDataFrame) -> None:
    before = region_model.copy()
    table = validation_table(region_model, computed(region_model), lang="en")
    pd.testing.assert_frame_equal(region_model, before)
    assert set(table["reason_label"]) <= set(validation.LABELS["en"].values())
    shown = validation.labelled(table, "en")
    assert {"municipality", "published", "computed", "reason"} <= set(shown.columns)
    assert "Einwohner" in set(
        validation.labelled(validation_table(region_model, computed(region_model)))["Größe"]
    )


@pytest.mark.parametrize(
    ("value", "tol"), [(22400, 50), (7000, 500), (10400, 50), (25000, 500), (12, 0.5), (60, 5)]
)
def test_population_tolerance(value: float, tol: float) -> None:
    assert population_tolerance(value) == tol
