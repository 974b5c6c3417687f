"""Limits on the work one API request may ask for (the limits are settings, geo/settings.py).

Each check answers 400 naming the limit and the setting that holds it, before any work
is done.
"""

from __future__ import annotations

from collections.abc import Sized

from geo import transit
from geo.errors import QueryParameterError


def check_items(name: str, values: Sized | None, limit: int, setting: str) -> None:
    """Refuse more than ``limit`` values of the repeated parameter ``name``."""
    if values is not None and len(values) > limit:
        raise QueryParameterError(
            f"{name}: {len(values)} values, at most {limit} per request "
            f"(STADTREGION_{setting.upper()})."
        )


def check_rail_window(window: str | None, origins: int, limit_min: int) -> None:
    """Refuse a departure window whose length × origins exceeds ``limit_min`` minutes.

    A rail answer runs the timetable search once per departure minute of the window and
    per origin, so this is the work the request asks for.
    """
    bounds = transit.parse_window(window)
    if bounds is None:
        return
    start = transit.parse_clock(bounds[0], "window start")
    end = transit.parse_clock(bounds[1], "window end")
    if end <= start:
        raise QueryParameterError(
            f"window {window!r}: the end {bounds[1]} must be after the start {bounds[0]}."
        )
    minutes = (end - start) // 60 * max(1, origins)
    if minutes > limit_min:
        raise QueryParameterError(
            f"window {window!r} asks for {minutes} departure minutes × origins; at most "
            f"{limit_min} per request (STADTREGION_MAX_RAIL_WINDOW_MIN)."
        )
