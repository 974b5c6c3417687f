"""The region model on the real shared data and on small frames with known answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo.errors import AmbiguousNameError, CRSError, InputError, UnknownMunicipalityError
from geo.region import model as region


def test_all_thuringian_municipalities_are_kept(region_model: gpd.GeoDataFrame) -> None:
    assert len(region_model) == 849
    assert region_model["ags"].is_unique
    assert region_model.crs.to_epsg() == 25832
    assert region_model["district"].notna().all()


def test_jena_figures(region_model: gpd.GeoDataFrame) -> None:
    jena = region.find_municipality(region_model, "Jena")
    assert jena["ags"] == "16053000"
    assert jena["district"] == "Jena"
    assert jena["district_type"] == "Kreisfreie Stadt"
    assert (jena["population_2013"], jena["population_2014"], jena["population_2018"]) == (
        107679,
        108207,
        111407,
    )
    assert jena["first_year"] == 2013 and jena["last_year"] == 2018
    assert jena["change_pct"] == pytest.approx((111407 / 107679 - 1) * 100, abs=0.01)
    rate = ((111407 / 107679) ** (1 / 5) - 1) * 100
    assert jena["change_pct_per_year"] == pytest.approx(rate, abs=0.001)
    assert jena["trend_class"] == "growing"
    assert jena["density_per_km2"] == pytest.approx(111407 / jena["area_km2"], abs=0.1)


def test_join_report_names_missing_years_and_orphans(
    region_model: gpd.GeoDataFrame, join_report: pd.DataFrame
) -> None:
    kinds = join_report["kind"].value_counts().to_dict()
    # 38 codes without a 2018 figure: 5 only changed their Regionalschlüssel (same AGS,
    # same territory) and continue under the new one; 5 more carry the 2018 figure of
    # the new municipality whose centre they hold (see geo.region.territory)
    assert kinds == {
        "missing_year": 28,
        "no_geometry": 10,
        "territory_change": 22,
        "code_change": 5,
        "tolerance": 1,
    }
    # A municipality merged before 2018 keeps its row, its 2018 value stays empty.
    gw = region.find_municipality(region_model, "Günthersleben-Wechmar")
    assert pd.isna(gw["population_2018"])
    assert gw["missing_years"] == "2018"
    assert gw["last_year"] == 2014
    assert "Günthersleben-Wechmar" in set(join_report["name"])
    # it merged with Drei Gleichen into a new municipality (16067089): Drei Gleichen's
    # row carries that 2018 figure, the trend compares the two towns' 2013 sum with it
    drei = region.find_municipality(region_model, "Drei Gleichen")
    assert drei["population_2018"] == 7931 and drei["successor"] == "16067089"
    assert gw["successor"] == "16067089" and drei["predecessors"] == gw["ags"]
    # Missing years in the model and in the report agree.
    missing = region_model[region_model["missing_years"] != ""]
    assert set(missing["rs"]) == set(join_report.loc[join_report.kind == "missing_year", "rs"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Jena", "Jena"),
        ("jena", "Jena"),
        ("JENA", "Jena"),
        ("Stadt Jena", "Jena"),
        ("16053000", "Jena"),
        ("160530000000", "Jena"),
        ("Saalfeld", "Saalfeld/Saale"),
        ("saalfeld saale", "Saalfeld/Saale"),
        ("Grossloebichau", "Großlöbichau"),
        ("großlöbichau", "Großlöbichau"),
        ("dornburg camburg", "Dornburg-Camburg"),
        ("Rudolstadt, Stadt", "Rudolstadt"),
    ],
)
def test_forgiving_name_lookup(region_model: gpd.GeoDataFrame, query: str, expected: str) -> None:
    assert region.find_municipality(region_model, query)["name"] == expected


def test_unknown_name_suggests_closest(region_model: gpd.GeoDataFrame) -> None:
    with pytest.raises(UnknownMunicipalityError) as info:
        region.find_municipality(region_model, "Jna")
    assert "Jena" in info.value.suggestions
    assert "Did you mean" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_ambiguous_name_lists_candidates(region_model: gpd.GeoDataFrame) -> None:
    with pytest.raises(AmbiguousNameError) as info:
        region.find_municipality(region_model, "Bucha")
    assert len(info.value.candidates) == 2
    assert any("Saale-Holzland-Kreis" in c for c in info.value.candidates)


def test_bad_code_length_is_input_error(region_model: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="8-digit AGS"):
        region.find_municipality(region_model, "1605")


def test_within_km(region_model: gpd.GeoDataFrame) -> None:
    sel = region.select_within_km(region_model, "Jena", 40)
    assert sel.iloc[0]["name"] == "Jena" and sel.iloc[0]["dist_km"] == 0
    assert (sel["dist_km"] <= 40).all()
    assert sel["dist_km"].is_monotonic_increasing
    names = set(sel["name"])
    assert {"Apolda", "Kahla", "Stadtroda", "Dornburg-Camburg", "Rudolstadt"} <= names
    # Everything outside is farther away.
    rest = region_model[~region_model.index.isin(sel.index)]
    assert (region.distance_km(region_model, "Jena")[rest.index] > 40).all()
    with pytest.raises(InputError, match="within_km"):
        region.select_within_km(region_model, "Jena", -5)


def test_district_selection_is_forgiving(region_model: gpd.GeoDataFrame) -> None:
    a = region.select_district(region_model, "Saale-Holzland-Kreis")
    b = region.select_district(region_model, "saale holzland kreis")
    c = region.select_district(region_model, "16074")
    assert len(a) == len(b) == len(c) > 50
    assert (a["district_ags"] == "16074").all()
    assert len(region.select_district(region_model, "Soemmerda")) > 10
    with pytest.raises(UnknownMunicipalityError):
        region.select_district(region_model, "Atlantis-Kreis")


def test_select_combines_filters(region_model: gpd.GeoDataFrame) -> None:
    sel = region.select(region_model, of="Jena", within_km=25, district="Saale-Holzland-Kreis")
    assert len(sel) > 0
    assert (sel["district_ags"] == "16074").all() and (sel["dist_km"] <= 25).all()
    named = region.select(region_model, names=["Apolda", "16074044"])
    assert set(named["name"]) == {"Apolda", "Kahla"}


def test_isek_facts_beside_computed_values(region_model: gpd.GeoDataFrame) -> None:
    saalfeld = region.find_municipality(region_model, "Saalfeld/Saale")
    assert saalfeld["isek_population"] == 25000
    assert saalfeld["isek_trend_2008_2015_pct"] == -8
    assert "Lenkungsrunde" in saalfeld["isek_source"]
    dc = region.find_municipality(region_model, "Dornburg-Camburg")
    assert dc["isek_population"] == 10400
    assert pd.isna(dc["isek_trend_2008_2015_pct"])
    assert dc["isek_note"] == "unreadable in the source"
    assert region_model["isek_population"].notna().sum() == 6


def _frame(pops: dict[str, list[float | None]]) -> gpd.GeoDataFrame:
    n = len(next(iter(pops.values())))
    data = {f"population_{y}": pd.array(v, dtype="Float64") for y, v in pops.items()}
    return gpd.GeoDataFrame(
        data, geometry=[box(i, 0, i + 1, 1) for i in range(n)], crs="EPSG:25832"
    )


def test_trend_math_and_classes_on_known_values() -> None:
    gdf = _frame(
        {
            "2010": [1000, 1000, 1000, None, 1000, None],
            "2012": [None, None, None, 500, None, None],
            "2020": [1105, 1010, 900, 600, None, 700],
        }
    )
    before = gdf.copy()
    out = region.add_trend(gdf)
    pd.testing.assert_frame_equal(gdf, before)  # input not mutated
    assert list(out["trend_class"]) == [
        "growing",
        "stable",
        "shrinking",
        "growing",
        "unknown",
        "unknown",
    ]
    assert out.loc[0, "change_pct"] == pytest.approx(10.5)
    assert out.loc[0, "change_pct_per_year"] == pytest.approx((1.105**0.1 - 1) * 100, abs=1e-3)
    assert out.loc[3, "first_year"] == 2012
    assert out.loc[3, "change_pct_per_year"] == pytest.approx((1.2**0.125 - 1) * 100, abs=1e-3)
    assert out.loc[2, "missing_years"] == "2012"
    # population is the reference-year (2020) figure: none for a row that ends before
    assert pd.isna(out.loc[4, "change_pct"]) and pd.isna(out.loc[4, "population"])
    assert out.loc[5, "first_year"] == 2020


def test_classify_thresholds() -> None:
    rates = pd.Series([0.25, 0.2499, -0.25, -0.2499, np.nan])
    assert list(region.classify_trend(rates)) == [
        "growing",
        "stable",
        "shrinking",
        "stable",
        "unknown",
    ]


def test_refuses_data_without_crs() -> None:
    gdf = gpd.GeoDataFrame({"rs": ["1"]}, geometry=[box(0, 0, 1, 1)])
    with pytest.raises(CRSError, match="no CRS"):
        region.join_population(gdf, pd.DataFrame({"rs": ["1"], "population_2013": [1.0]}))


def test_isek_minutes_to_jena(region_model: gpd.GeoDataFrame) -> None:
    by_name = region_model.set_index("name")
    for name, rail, car in (
        ("Apolda", 60, 26),
        ("Dornburg-Camburg", 17, 27),
        ("Rudolstadt", 30, 50),
        ("Saalfeld/Saale", 32, 60),
        ("Kahla", 12, 21),
        ("Stadtroda", 13, 22),
    ):
        assert by_name.loc[name, "isek_rail_minutes"] == rail
        assert by_name.loc[name, "isek_car_minutes"] == car
    assert region_model["isek_rail_minutes"].notna().sum() == 6
    assert region_model["isek_car_minutes"].notna().sum() == 6
