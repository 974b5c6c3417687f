"""Tests of geo.screening.criteria: pass/fail/unknown per criterion, reasons, scores, ranks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from geo.errors import InputError, ProfileError
from geo.landpool.plots import Viewer
from geo.screening.criteria import ranked, screen, screen_for_role, summary, visible_plots
from geo.screening.profile import Filters, Profile, parse_profile
from tests.geo.screening.common import X0, Y0, gdf, plots_frame, square

#: Every filter with a threshold that a passes and b fails, and what its reason shows.
FILTER_CASES: dict[str, tuple[Any, str, str]] = {
    "min_area_ha": (1.0, "area 2.00 ha ≥ min 1.00 ha", "area 0.30 ha < min 1.00 ha"),
    "max_area_ha": (0.5, "area 2.00 ha > max 0.50 ha", "area 0.30 ha ≤ max 0.50 ha"),
    "max_mean_slope_pct": (10, "mean slope 3.0 % ≤ max 10.0 %", "mean slope 14.0 % > max 10.0 %"),
    "max_slope_pct": (20, "max slope 6.0 % ≤ max 20.0 %", "max slope 40.0 % > max 20.0 %"),
    "max_steep_share": (0.25, "steep share 0.0 % ≤ max 25.0 %", "steep share 60.0 % > max 25.0 %"),
    "max_flood_share": (
        0.01,
        "share in flood zone 0.0 % ≤ max 1.0 %",
        "share in flood zone 50.0 % > max 1.0 %",
    ),
    "max_reserve_share": (
        0.0,
        "share in nature reserve 0.0 % ≤ max 0.0 %",
        "share in nature reserve 20.0 % > max 0.0 %",
    ),
    "max_dist_station_m": (
        1500,
        "distance to station 400 m ≤ max 1,500 m",
        "distance to station 6,000 m > max 1,500 m",
    ),
    "max_dist_tram_m": (
        500,
        "distance to tram 100 m ≤ max 500 m",
        "distance to tram 4,000 m > max 500 m",
    ),
    "max_car_minutes_to_centre": (
        20,
        "car to centre 8.0 min ≤ max 20.0 min",
        "car to centre 40.0 min > max 20.0 min",
    ),
    "max_car_minutes_to_station": (
        10,
        "car to station 3.0 min ≤ max 10.0 min",
        "car to station 30.0 min > max 10.0 min",
    ),
    "owner_types": (
        ["city", "municipal_company"],
        "owner city in [city, municipal company]",
        "owner private not in [city, municipal company]",
    ),
    "planning_status": (
        ["bplan_in_force", "s34"],
        "planning status development plan in force in "
        "[development plan in force, inner area (§ 34 BauGB)]",
        "planning status outer area (§ 35 BauGB) not in "
        "[development plan in force, inner area (§ 34 BauGB)]",
    ),
    "exclude_contamination": (
        ["confirmed", "suspected"],
        "contamination none not among excluded [confirmed, suspected]",
        "contamination confirmed is excluded [confirmed, suspected]",
    ),
    "statuses": (
        ["identified", "assessed"],
        "status identified in [assessed, identified]",
        "status withdrawn not in [assessed, identified]",
    ),
    "municipalities": (
        ["16053000"],
        "municipality (AGS) 16053000 in [16053000]",
        "municipality (AGS) 16074001 not in [16053000]",
    ),
    "exclude_current_uses": (
        ["Industrial"],
        "current use brownfield not among excluded [industrial]",
        "current use industrial is excluded [industrial]",
    ),
}


def test_every_filter_is_covered() -> None:
    assert set(FILTER_CASES) == set(Filters.model_fields)


@pytest.mark.parametrize("key", sorted(FILTER_CASES))
def test_each_filter_passes_fails_and_knows_unknown(key: str) -> None:
    threshold, reason_a, reason_b = FILTER_CASES[key]
    profile = Profile(name="t", filters=Filters(**{key: threshold}))
    out = screen(plots_frame(), profile, lang="en")
    states = out[f"pass_{key}"].tolist()
    reasons = out[f"reason_{key}"].tolist()
    if key == "max_area_ha":  # the one filter where the big plot fails
        assert states[:2] == ["fail", "pass"]
        assert reasons[:2] == [reason_a, reason_b]
    else:
        assert states[:2] == ["pass", "fail"]
        assert reasons[:2] == [reason_a, reason_b]
    if key == "statuses":  # c has a known status
        assert states[2] == "pass"
    else:
        assert states[2] == "unknown"
        assert "unknown" in reasons[2]
        assert out["passed"].iloc[2] is np.False_ or out["passed"].iloc[2] == False  # noqa: E712
        assert out["outcome"].iloc[2] == "open" and out["open_criteria"].iloc[2] == key
        assert out["decide"].iloc[2].startswith(out[f"reason_{key}"].iloc[2].split(" unknown")[0])


def test_unknown_reason_says_why_and_names_threshold() -> None:
    out = screen(plots_frame(), Profile(name="t", filters=Filters(max_mean_slope_pct=10)), "en")
    assert out["reason_max_mean_slope_pct"].iloc[2] == "mean slope unknown (max 10.0 %)"
    assert out["decide"].iloc[2] == (
        "mean slope unknown: plot outside the DEM or on voids; give another DEM (--dem)"
    )
    de = screen(plots_frame(), Profile(name="t", filters=Filters(max_mean_slope_pct=10)))
    assert de["reason_max_mean_slope_pct"].tolist() == [
        "Hangneigung Mittel 3,0 % ≤ max. 10,0 %",
        "Hangneigung Mittel 14,0 % > max. 10,0 %",
        "Hangneigung Mittel unbekannt (max. 10,0 %)",
    ]
    assert de["decide"].iloc[2].startswith("Hangneigung Mittel unbekannt: Fläche außerhalb des DEM")
    assert de["outcome_label"].tolist() == ["geeignet", "ungeeignet", "offen"]


def test_unknown_category_passes_when_the_profile_lists_it() -> None:
    profile = Profile(name="t", filters=Filters(owner_types=["city", "unknown"]))
    assert screen(plots_frame(), profile)["pass_owner_types"].tolist() == ["pass", "fail", "pass"]
    excl = Profile(name="t", filters=Filters(exclude_contamination=["unknown"]))
    states = screen(plots_frame(), excl)["pass_exclude_contamination"].tolist()
    assert states == ["pass", "pass", "fail"]


def test_on_unknown_policy() -> None:
    filters = Filters(max_mean_slope_pct=10)
    default = screen(plots_frame(), Profile(name="t", filters=filters))
    strict = screen(plots_frame(), Profile(name="t", filters=filters, on_unknown="fail"))
    lenient = screen(plots_frame(), Profile(name="t", filters=filters, on_unknown="pass"))
    assert default["outcome"].tolist() == ["passes", "fails", "open"]
    assert strict["outcome"].tolist() == ["passes", "fails", "fails"]
    assert lenient["outcome"].tolist() == ["passes", "fails", "passes"]
    assert lenient["passed"].tolist() == [True, False, True]
    assert lenient["open_criteria"].iloc[2] == "max_mean_slope_pct"  # still said


def test_overall_result_reasons_and_failed_keys() -> None:
    profile = Profile(
        name="t", filters=Filters(min_area_ha=1, max_mean_slope_pct=10, owner_types=["city"])
    )
    out = screen(plots_frame(), profile, lang="en")
    assert out["outcome"].tolist() == ["passes", "fails", "open"]
    assert out["reasons"].iloc[0] == "all criteria met" and out["decide"].iloc[0] == ""
    assert out["failed"].iloc[1] == "min_area_ha,max_mean_slope_pct,owner_types"
    assert out["reasons"].iloc[1] == (
        "area 0.30 ha < min 1.00 ha; mean slope 14.0 % > max 10.0 %; owner private not in [city]"
    )
    assert out["open_criteria"].iloc[2] == "min_area_ha,max_mean_slope_pct,owner_types"
    assert out["failed"].iloc[2] == ""
    assert out["decide"].iloc[2].split("; ")[-1] == "owner unknown: set owner_type"
    # a plot that fails one criterion and has another unknown: fails, failed reason first
    mixed = plots_frame().assign(owner_type=["city", "unknown", "unknown"])
    m = screen(mixed, profile, lang="en")
    assert (
        m["outcome"].iloc[1] == "fails" and m["failed"].iloc[1] == "min_area_ha,max_mean_slope_pct"
    )
    assert m["reasons"].iloc[1].endswith("owner unknown (required: city)")
    assert out["rank"].iloc[0] == 1 and out["rank"].iloc[2] == 1  # passes and open apart
    assert pd.isna(out["rank"].iloc[1])


def test_outcome_counts_add_up_and_ties_share_a_rank() -> None:
    nan = np.nan
    frame = gdf(
        [square(X0 + i * 200, Y0, 100) for i in range(7)],
        plot_id=["p1", "p2", "p3", "o1", "o2", "o3", "f1"],
        area_ha=[2.0, 2.0, 1.5, 2.0, 2.0, 3.0, 0.2],
        slope_mean_pct=[1.0, 1.0, 1.0, nan, nan, nan, 1.0],
        owner_type=["city", "city", "city", "unknown", "city", "unknown", "city"],
    )
    profile = Profile(
        name="t",
        filters=Filters(min_area_ha=1, max_mean_slope_pct=10, owner_types=["city"]),
        weights={"area_ha": {"weight": 1, "best": 3, "worst": 1}},
    )
    out = screen(frame, profile, lang="en")
    counts = summary(out)
    assert counts == {"passes": 3, "open": 3, "fails": 1, "total": 7}
    assert counts["passes"] + counts["open"] + counts["fails"] == counts["total"] == len(frame)
    by_id = out.set_index("plot_id")
    # passes: p1 and p2 tie (score 50) and share rank 1; p3 (25) is third, not second
    assert by_id.loc[["p1", "p2", "p3"], "rank"].tolist() == [1, 1, 3]
    # open is ranked apart: o3 (100) first, o1 and o2 tie (50) at 2
    assert by_id.loc[["o3", "o1", "o2"], "rank"].tolist() == [1, 2, 2]
    assert pd.isna(by_id.loc["f1", "rank"])
    assert ranked(out)["plot_id"].tolist() == ["p1", "p2", "p3", "o3", "o1", "o2", "f1"]
    assert by_id.loc["o1", "open_criteria"] == "max_mean_slope_pct,owner_types"


def test_current_use_excludes_or_penalises() -> None:
    frame = plots_frame()
    use = Profile(name="t", filters=Filters(exclude_current_uses=["industrial"]))
    out = screen(frame, use, lang="en")
    assert out["pass_exclude_current_uses"].tolist() == ["pass", "fail", "unknown"]
    assert out["decide"].iloc[2] == "current use unknown: set current_use"
    weights = {"area_ha": {"weight": 1, "best": 0.3, "worst": 0.2}}
    plain = screen(frame.assign(area_ha=1.0), Profile(name="t", weights=weights))
    penal = Profile(name="t", weights=weights, penalise_current_uses={"Industrial": 0.4})
    pen = screen(frame.assign(area_ha=1.0), penal)
    assert plain["score"].tolist() == [100.0, 100.0, 100.0]
    assert pen["score"].tolist() == [100.0, 60.0, 100.0]
    with pytest.raises(ProfileError, match="between 0 and 1"):
        parse_profile({"name": "x", "penalise_current_uses": {"industrial": 2}})


def test_score_order_follows_weights() -> None:
    frame = gdf(
        [square(X0 + i * 200, Y0, 100) for i in range(4)],
        area_ha=[1.0, 1.0, 1.0, 1.0],
        slope_mean_pct=[2.0, 8.0, 14.0, np.nan],
        dist_station_m=[4000.0, 1000.0, 0.0, 0.0],
    )
    slope_first = Profile(
        name="t",
        weights={"slope_mean_pct": 3, "dist_station_m": {"weight": 1, "best": 0, "worst": 4000}},
    )
    out = screen(frame, slope_first)
    # scores: 100*(3*(13/15)+0)/4, 100*(3*(7/15)+0.75)/4, 100*(3*(1/15)+1)/4, 100*(0+1)/4
    assert out["score"].tolist() == pytest.approx([65.0, 53.8, 30.0, 25.0], abs=0.05)
    assert out["rank"].tolist() == [1, 2, 3, 4]
    station_first = Profile(
        name="t",
        weights={"slope_mean_pct": 1, "dist_station_m": {"weight": 3, "best": 0, "worst": 4000}},
    )
    out2 = screen(frame, station_first)
    # 100*(13/15)/4, 100*(7/15+2.25)/4, 100*(1/15+3)/4, 100*3/4
    assert out2["score"].tolist() == pytest.approx([21.7, 67.9, 76.7, 75.0], abs=0.05)
    assert out2.sort_values("rank").index.tolist() == [2, 3, 1, 0]


def test_score_with_categories_and_ties() -> None:
    frame = plots_frame()
    profile = Profile(
        name="t",
        weights={"owner_type": {"weight": 1, "values": {"city": 1.0, "private": 0.5}}},
    )
    out = screen(frame, profile)
    assert out["score"].tolist() == [100.0, 50.0, 0.0]
    none = screen(frame, Profile(name="t"))
    assert none["score"].tolist() == [0.0, 0.0, 0.0]
    assert none["rank"].tolist() == [1, 1, 1]  # no filters: all pass and tie


def test_ranked_puts_passed_plots_first() -> None:
    profile = Profile(name="t", filters=Filters(min_area_ha=1), weights={"slope_mean_pct": 1})
    out = ranked(screen(plots_frame(), profile))
    assert out["plot_id"].tolist()[0] == "a"


def test_screen_needs_the_derived_columns() -> None:
    with pytest.raises(InputError, match="needs column 'flood_share'"):
        screen(gdf([square(X0, Y0, 1)]), Profile(name="t", filters=Filters(max_flood_share=0)))


def test_confidential_plots_only_for_the_land_pool_role() -> None:
    frame = plots_frame()
    assert visible_plots(frame, "landpool")["plot_id"].tolist() == ["a", "b", "c"]
    assert visible_plots(frame, Viewer("admin"))["plot_id"].tolist() == ["a", "b", "c"]
    assert visible_plots(frame, "planner")["plot_id"].tolist() == ["a"]
    out = screen_for_role(frame, Profile(name="t"), "public")
    assert out["plot_id"].tolist() == ["a"]
    with pytest.raises(InputError, match="confidential"):
        visible_plots(frame.drop(columns="confidential"), "public")
