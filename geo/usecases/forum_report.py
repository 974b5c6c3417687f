"""The round-table report: a period's approved and taken-up contributions by topic and place.

For each municipality with contributions it adds the population of the region model's
reference year and the minutes from Jena of the maps' model
(:func:`geo.usecases.reachability.origin_minutes`): rail by the shared DB timetable
(median over the maps' departure window, long-distance feed of 2019), car over the loaded
road network (named in the report; unknown where it does not cover the centre).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from geo.errors import InputError
from geo.forum.public import public_record
from geo.forum.store import ContributionStore
from geo.settings import Settings
from geo.usecases import reachability
from geo.usecases import region as region_uc

#: Statuses in the report (a rejected contribution is public, but no material for a meeting).
REPORT_STATUSES = ("approved", "taken_up")


@dataclass(frozen=True)
class Report:
    """The report's rows, its groups and what the figures are."""

    rows: pd.DataFrame  # one row per contribution
    groups: pd.DataFrame  # topic, municipality, count, population, rail_min, car_min
    topic: str | None
    since: date | None
    until: date | None
    rail_note: str
    car_network: str
    population_year: str


def parse_topic(store: ContributionStore, value: str | None) -> str | None:
    """A topic given by key or by its German or English name."""
    if not value:
        return None
    for t in store.topics():
        if value.strip().lower() in (t.key, t.de.lower(), t.en.lower()):
            return t.key
    names = ", ".join(f"{t.de} ({t.key})" for t in store.topics())
    raise InputError(f"topic {value!r} is unknown; use one of {names}.")


def build_report(
    settings: Settings,
    store: ContributionStore,
    *,
    topic: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Report:
    """The approved and taken-up contributions of a period, grouped, with place figures."""
    if since and until and until <= since:
        raise InputError(f"--until {until} must come after --since {since}.")
    key = parse_topic(store, topic)
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since else None
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) if until else None
    items = store.list(statuses=REPORT_STATUSES, topic=key, since=start, until=end)
    labels = {t.key: t.de for t in store.topics()}
    records = [public_record(c) for c in items]
    rows = pd.DataFrame(
        records,
        columns=[
            "id",
            "topic",
            "title",
            "status",
            "project_ref",
            "ags",
            "municipality",
            "created_at",
        ],
    )
    rows["project_ref"] = (
        rows["project_ref"].astype(object).where(rows["project_ref"].notna(), None)
    )
    rows["topic_label"] = [labels.get(k, k) for k in rows["topic"]]
    model = region_uc.region(settings).model
    pop_year = str(model["last_year"].dropna().astype(int).max()) if "last_year" in model else ""
    ags = sorted(set(rows["ags"]))
    rail_note, network = "", ""
    figures = pd.DataFrame(index=pd.Index(ags, name="ags"))
    if ags:
        indexed = model.set_index(model["ags"].astype(str))
        figures["population"] = indexed["population"].reindex(ags).to_numpy()
        minutes = reachability.origin_minutes(settings, ags)
        figures["rail_min"] = minutes.rail.reindex(ags).to_numpy()
        car = minutes.car.reindex(ags).where(minutes.car_covered.reindex(ags).fillna(False))
        figures["car_min"] = car.to_numpy()
        q = minutes.rail_query
        q = minutes.rail_query
        window = "–".join(q.window) if q.window else str(q.depart)
        rail_note = (
            f"Bahn ab Jena: Perzentil {q.percentile:g} der Reisezeit bei Abfahrt {window} am "
            f"{q.date.isoformat()} (Fahrplan {', '.join(minutes.rail_feeds)}); leer = über "
            f"{q.max_minutes:g} min oder nicht erreicht."
        )
        network = minutes.car_network
    else:
        figures["population"] = pd.Series(dtype=float)
        figures["rail_min"] = pd.Series(dtype=float)
        figures["car_min"] = pd.Series(dtype=float)
    groups = (
        rows.groupby(["topic_label", "ags", "municipality"], as_index=False)
        .agg(count=("id", "size"), taken_up=("status", lambda s: int((s == "taken_up").sum())))
        .merge(figures.reset_index(), on="ags", how="left")
        .sort_values(["topic_label", "count", "municipality"], ascending=[True, False, True])
    )
    for col in ("rail_min", "car_min"):
        groups[col] = groups[col].astype(float).replace([np.inf], np.nan)
    return Report(
        rows, groups.reset_index(drop=True), key, since, until, rail_note, network, pop_year
    )
