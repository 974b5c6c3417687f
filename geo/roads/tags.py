"""OSM tags of roads: speeds by class and ``maxspeed``, which ways a car may use, one-ways.

Pure functions of tag values (see :mod:`geo.roads.network` for where the default speeds
come from and how the graph is built from them).
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np
import pandas as pd

#: Default speed (km/h) per OSM road class, used where ``maxspeed`` is missing or
#: unreadable. See the module docstring for where they come from.
DEFAULT_SPEEDS_KPH: dict[str, float] = {
    "motorway": 130.0,
    "motorway_link": 60.0,
    "trunk": 100.0,
    "trunk_link": 60.0,
    "primary": 80.0,
    "primary_link": 50.0,
    "secondary": 70.0,
    "secondary_link": 50.0,
    "tertiary": 50.0,
    "tertiary_link": 40.0,
    "unclassified": 50.0,
    "residential": 30.0,
    "living_street": 7.0,
    "service": 20.0,
    "road": 40.0,
    "busway": 30.0,
}
#: Speed for a road class not listed in :data:`DEFAULT_SPEEDS_KPH`.
FALLBACK_SPEED_KPH = 30.0

#: Zone values of ``maxspeed`` (implicit limits) in km/h. ``none`` (no limit, German
#: motorways) is routed at the advisory 130 km/h; ``walk`` is walking pace.
ZONE_SPEEDS_KPH: dict[str, float] = {
    "de:urban": 50.0,
    "de:rural": 100.0,
    "de:motorway": 130.0,
    "de:trunk": 100.0,
    "de:living_street": 7.0,
    "de:bicycle_road": 30.0,
    "de:zone30": 30.0,
    "de:zone:30": 30.0,
    "de:zone20": 20.0,
    "de:zone:20": 20.0,
    "none": 130.0,
    "walk": 7.0,
    "de:walk": 7.0,
}

#: Highway classes a car may drive on.
CAR_HIGHWAYS = frozenset(
    {
        "motorway",
        "motorway_link",
        "trunk",
        "trunk_link",
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "road",
    }
)
_NO_ACCESS = frozenset({"no", "private"})
_MPH_KPH = 1.609344
_KNOTS_KPH = 1.852
_NUMBER = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")


# -- speeds ------------------------------------------------------------------


def parse_maxspeed(value: object) -> float | None:
    """Read an OSM ``maxspeed`` value as km/h.

    Understands plain numbers (``50``), units (``30 mph``, ``50 km/h``, ``5 knots``),
    German zone values (``DE:urban``, ``DE:rural``, ``DE:motorway``, ``DE:zone:30``;
    see :data:`ZONE_SPEEDS_KPH`), ``none`` and ``walk``, and lists (``50;30``, or a
    Python list after osmnx merged ways), which give the mean of their readable parts
    (as osmnx does).

    Returns
    -------
    float or None
        The speed in km/h, or ``None`` when the value is missing or unreadable
        (``signals``, ``variable``): the caller then uses the road-class default.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        parts = [parse_maxspeed(v) for v in value]
        good = [p for p in parts if p is not None]
        return float(np.mean(good)) if good else None
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else None
    s = str(value).strip()
    if not s or s.lower() in {"nan", "<na>"}:
        return None
    listed = _listed(s)
    if listed is not None:
        return parse_maxspeed(listed)
    if ";" in s or "|" in s:
        return parse_maxspeed(re.split(r"[;|]", s))
    low = s.lower()
    if low in ZONE_SPEEDS_KPH:
        return ZONE_SPEEDS_KPH[low]
    m = _NUMBER.match(low)
    if m is None:
        return None
    num = float(m.group(1).replace(",", "."))
    unit = m.group(2)
    if num <= 0:
        return None
    if unit == "mph":
        num *= _MPH_KPH
    elif unit == "knots":
        num *= _KNOTS_KPH
    return num


def road_class(highway: object) -> str:
    """Return one road class for an edge's ``highway`` value.

    Lists (osmnx merges ways of several classes into one edge) give their fastest
    class by :data:`DEFAULT_SPEEDS_KPH`.
    """
    if isinstance(highway, (list, tuple, set)):
        classes = [road_class(h) for h in highway]
        return max(classes, key=lambda c: DEFAULT_SPEEDS_KPH.get(c, FALLBACK_SPEED_KPH))
    if highway is None or _missing(highway):
        return "road"
    listed = _listed(str(highway))
    return road_class(listed) if listed is not None else str(highway)


def _listed(s: str) -> list[object] | None:
    """A list written as text (osmnx GraphML stores merged tags as ``"['50', '30']"``)."""
    s = s.strip()
    if not (s.startswith("[") and s.endswith("]")):
        return None
    try:
        value = ast.literal_eval(s)
    except (ValueError, SyntaxError):
        return None
    return list(value) if isinstance(value, (list, tuple)) else None


def edge_speeds_kph(edges: pd.DataFrame) -> pd.Series:
    """Speed (km/h) of each edge: the parsed ``maxspeed``, else its road-class default.

    Parameters
    ----------
    edges
        Frame with a ``highway`` column and optionally ``maxspeed``.
    """
    cls = edges["highway"].map(road_class)
    default = cls.map(lambda c: DEFAULT_SPEEDS_KPH.get(c, FALLBACK_SPEED_KPH)).astype(float)
    if "maxspeed" not in edges:
        return default.rename("speed_kph")
    posted = edges["maxspeed"].map(parse_maxspeed).astype(float)
    return posted.fillna(default).rename("speed_kph")


def _tag(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return str(value[0]) if value else ""
    s = str(value)
    return "" if s.lower() in {"nan", "<na>", "none"} else s.strip().lower()


def is_car_road(
    highway: object, access: object = None, motor_vehicle: object = None, area: object = None
) -> bool:
    """True when a way with these tags is a road a car may use (see :data:`CAR_HIGHWAYS`)."""
    hw = highway if isinstance(highway, (list, tuple)) else [highway]
    if not any(_tag(h) in CAR_HIGHWAYS for h in hw):
        return False
    if _tag(access) in _NO_ACCESS or _tag(motor_vehicle) in _NO_ACCESS:
        return False
    return _tag(area) != "yes"


def oneway_direction(oneway: object, highway: object = None, junction: object = None) -> int:
    """Direction a way may be driven: ``1`` forward only, ``-1`` backward only, ``0`` both.

    ``yes``/``true``/``1`` → 1; ``-1``/``reverse`` → -1; ``no``/``false``/``0`` → 0;
    missing: 1 for roundabouts and motorways (OSM's implied one-way), else 0.
    """
    o = _tag(oneway)
    if o in {"yes", "true", "1"}:
        return 1
    if o in {"-1", "reverse"}:
        return -1
    if o in {"no", "false", "0"}:
        return 0
    if _tag(junction) in {"roundabout", "circular"} or _tag(highway) == "motorway":
        return 1
    return 0


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, (list, tuple, np.ndarray)):
        return False
    return value is pd.NA or value is pd.NaT
