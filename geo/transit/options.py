"""Transit constants, walking and changing options, and how times and dates are read.

Times are seconds after midnight of the service date (GTFS "noon minus 12 h"), so
``25:10:00`` is 90600; :data:`INF` marks a stop or target not reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.errors import (
    InputError,
)

#: Unreachable (seconds); larger than any time in a feed.
INF = np.int64(2**40)


#: GTFS files and the columns routing needs. ``calendar`` / ``calendar_dates``: at least one.
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "stops": ("stop_id", "stop_lat", "stop_lon"),
    "routes": ("route_id",),
    "trips": ("route_id", "service_id", "trip_id"),
    "stop_times": ("trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"),
}


CALENDAR_COLUMNS: dict[str, tuple[str, ...]] = {
    "calendar": (
        "service_id",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "start_date",
        "end_date",
    ),
    "calendar_dates": ("service_id", "date", "exception_type"),
}


FREQUENCY_COLUMNS = ("trip_id", "start_time", "end_time", "headway_secs")


Tables = Mapping[str, pd.DataFrame | None]


#: What a known feed does not cover; every answer made with it says so.
FEED_NOTES: dict[str, str] = {
    "db_fv_gtfs_2019.zip": (
        "DB long-distance trains only (ICE/IC/EC and partners), timetable year 2019: "
        "no regional trains (RE/RB), no trams, no buses"
    ),
}


@dataclass(frozen=True)
class TransitOptions:
    """How walking and changing are counted.

    Attributes
    ----------
    walk_speed_m_s
        Walking speed (1.25 m/s = 4.5 km/h).
    detour_factor
        Walked distance per straight-line metre (1.3: streets are not straight).
    max_access_m
        Longest straight-line walk from an origin point to a stop, and from a stop to a
        destination point (metres).
    max_transfer_m
        Longest straight-line walk between two stops to change trains (metres).
    min_change_s
        Minimum time to change between two vehicles at the same stop (seconds).
    max_transfers
        Most changes in one journey (rides = ``max_transfers + 1``).
    """

    walk_speed_m_s: float = 1.25
    detour_factor: float = 1.3
    max_access_m: float = 1500.0
    max_transfer_m: float = 400.0
    min_change_s: int = 120
    max_transfers: int = 4

    def walk_s(self, dist_m: np.ndarray) -> np.ndarray:
        """Return walking seconds for straight-line distances in metres."""
        return np.ceil(np.asarray(dist_m) * self.detour_factor / self.walk_speed_m_s).astype(
            np.int64
        )

    def describe(self) -> str:
        """One line for answers: how walking was counted."""
        return (
            f"walking straight-line x {self.detour_factor} at {self.walk_speed_m_s} m/s, "
            f"access/egress up to {self.max_access_m:.0f} m, changes on foot up to "
            f"{self.max_transfer_m:.0f} m, {self.min_change_s} s to change at a stop, "
            f"at most {self.max_transfers} changes"
        )


def parse_clock(value: str | int, what: str = "time") -> int:
    """Return seconds after midnight for ``"HH:MM"``, ``"HH:MM:SS"`` or seconds.

    Raises
    ------
    InputError
        When the value is not a time of day.
    """
    if isinstance(value, int | np.integer):
        return int(value)
    parts = str(value).strip().split(":")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        nums = []
    if len(nums) not in (2, 3) or not all(0 <= n < 60 for n in nums[1:]) or nums[0] < 0:
        raise InputError(f"{what} {value!r} is not a time of day; give it as HH:MM.")
    return nums[0] * 3600 + nums[1] * 60 + (nums[2] if len(nums) == 3 else 0)


def parse_window(window: str | None) -> tuple[str, str] | None:
    """``"07:00-08:00"`` (or with an en dash) -> ``("07:00", "08:00")``; None stays None.

    Raises
    ------
    InputError
        When ``window`` is not two times joined by a dash.
    """
    if window is None:
        return None
    parts = window.replace("–", "-").split("-")
    if len(parts) != 2:
        raise InputError(f"window {window!r} must look like 07:00-08:00.")
    return parts[0].strip(), parts[1].strip()


def format_clock(seconds: int) -> str:
    """Return ``HH:MM:SS`` (hours may pass 24)."""
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _as_date(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise InputError(f"date {value!r} is not a date; give it as YYYY-MM-DD.") from exc
