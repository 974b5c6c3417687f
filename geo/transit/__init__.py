"""Public-transport travel times from GTFS timetables.

The steps, in the order a query uses them (one module each; all pure but :mod:`.io`):

1. :mod:`.options`: :class:`TransitOptions` (walking and changing), clock and date parsing.
2. :mod:`.feed`: :func:`validate_feed` refuses a broken feed with a named error from
   :mod:`geo.errors` before anything is built or cached.
3. :mod:`.timetable`: :func:`build_timetable` indexes the tables into a :class:`Timetable`
   (compact numpy arrays, picklable, so a parallel batch sends it to its workers once).
4. :mod:`.day`: :func:`day_timetable` selects the trips of one service date (with those of
   the day before that pass 24:00) and groups them into RAPTOR routes.
5. :mod:`.kernel`: :func:`raptor`, round-based public-transit routing (Delling, Pajor,
   Werneck 2012), compiled with numba; :func:`earliest_arrival` from one stop.
6. :mod:`.windows`: :func:`window_times` for every departure minute of a window and
   :func:`window_stats` (minimum, nearest-rank percentiles, as Conveyal R5 does).
7. :mod:`.access`: access and egress on foot, :func:`link_region` for municipalities.
8. :mod:`.query`: :class:`RailQuery`, the one value object of a rail query, parsed once
   (:func:`parse_rail_query`), with the default feed day and window from the settings.
9. :mod:`.reachability`: :func:`reachable_rail`, :func:`reachable_many`, :func:`rail_matrix`
   per municipality; :func:`reachable_for` and :func:`matrix_for` answer a :class:`RailQuery`.
10. :mod:`.scenarios`: :class:`ServiceScenario` writes a planned service as GTFS trips,
    merged with the real feed by :func:`merge_tables`, named in every answer.
11. :mod:`.io` (``from geo.transit import io as transit_io``): reading, writing and
    downloading feeds, and the timetable cache. Not imported here: the rest is pure.

Times are seconds after midnight of the service date (GTFS "noon minus 12 h"), so
``25:10:00`` is 90600. Travel times beyond the cutoff count as not reachable.
"""

from geo.transit.access import (
    Access,
    Egress,
    RegionLinks,
    access_on_graph,
    link_region,
    point_access,
)
from geo.transit.day import active_trips, day_timetable, restrict_to_day
from geo.transit.feed import parse_gtfs_time, validate_feed
from geo.transit.kernel import earliest_arrival, raptor, warm_up
from geo.transit.options import (
    CALENDAR_COLUMNS,
    FEED_NOTES,
    FREQUENCY_COLUMNS,
    INF,
    REQUIRED_COLUMNS,
    Tables,
    TransitOptions,
    format_clock,
    parse_clock,
    parse_window,
)
from geo.transit.query import (
    RailQuery,
    matrix_for,
    parse_rail_query,
    reachable_for,
)
from geo.transit.reachability import (
    RailReachability,
    rail_areas,
    rail_matrix,
    reachable_many,
    reachable_rail,
    reached_minutes,
)
from geo.transit.scenarios import (
    ServiceScenario,
    find_station,
    merge_tables,
    rail_distance_m,
    rail_graph,
    scenario_from_dict,
    scenario_tables,
    with_options,
    with_scenario,
)
from geo.transit.timetable import DayTimetable, Timetable, build_timetable
from geo.transit.windows import (
    WindowResult,
    candidate_departures,
    nearest_rank,
    window_stats,
    window_times,
)

__all__ = [
    "CALENDAR_COLUMNS",
    "FEED_NOTES",
    "FREQUENCY_COLUMNS",
    "INF",
    "REQUIRED_COLUMNS",
    "Access",
    "DayTimetable",
    "Egress",
    "RailQuery",
    "RailReachability",
    "RegionLinks",
    "ServiceScenario",
    "Tables",
    "Timetable",
    "TransitOptions",
    "WindowResult",
    "access_on_graph",
    "active_trips",
    "build_timetable",
    "candidate_departures",
    "day_timetable",
    "earliest_arrival",
    "find_station",
    "format_clock",
    "link_region",
    "matrix_for",
    "merge_tables",
    "nearest_rank",
    "parse_clock",
    "parse_gtfs_time",
    "parse_rail_query",
    "parse_window",
    "point_access",
    "rail_areas",
    "rail_distance_m",
    "rail_graph",
    "rail_matrix",
    "raptor",
    "reachable_for",
    "reachable_many",
    "reachable_rail",
    "reached_minutes",
    "restrict_to_day",
    "scenario_from_dict",
    "scenario_tables",
    "validate_feed",
    "warm_up",
    "window_stats",
    "window_times",
    "with_options",
    "with_scenario",
]
