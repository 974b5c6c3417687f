"""The options of a rail query as HTTP query parameters, declared once for every route that
takes them (``/transit/reachable`` and its scenario and map routes, ``/reachable?mode=rail``,
``/maps/reachable.html?mode=rail``); parsed by :func:`geo.transit.parse_rail_query`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from api.deps import get_app_settings
from api.limits import check_rail_window
from geo.settings import Settings


@dataclass(frozen=True)
class RailOptions:
    """The rail options a request gave (``None``: not given, the query's default)."""

    date: str | None = None
    window: str | None = None
    depart: str | None = None
    percentile: float | None = None
    planned: bool | None = None

    def given(self) -> dict[str, Any]:
        """The options given, by name (for :func:`geo.transit.parse_rail_query`)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


def rail_options(
    date: Annotated[
        str | None,
        Query(
            max_length=10, description="Rail: service date YYYY-MM-DD (default: setting rail_date)"
        ),
    ] = None,
    window: Annotated[
        str | None,
        Query(
            max_length=20,
            description="Rail: departure window, e.g. 07:00-08:00 (default: setting rail_window)",
        ),
    ] = None,
    depart: Annotated[
        str | None, Query(max_length=8, description="Rail: one departure HH:MM instead of a window")
    ] = None,
    percentile: Annotated[
        float | None,
        Query(ge=0, le=100, description="Rail: statistic over the window, 0–100 (default 50)"),
    ] = None,
    planned: Annotated[
        bool | None, Query(description="Rail: count from the first departure (default false)")
    ] = None,
    *,
    settings: Annotated[Settings, Depends(get_app_settings)],
) -> RailOptions:
    """A FastAPI dependency: the rail options of a request (a window longer than the
    setting ``max_rail_window_min`` is refused before any work)."""
    check_rail_window(window, 1, settings.max_rail_window_min)
    return RailOptions(date, window, depart, percentile, planned)


Rail = Annotated[RailOptions, Depends(rail_options)]
