"""Plot screening: derived site attributes, profiles, criteria with reasons, scores and ranks.

- :mod:`geo.screening.attributes`: :func:`derive_attributes` from real layers
  (:class:`ScreeningLayers`), :func:`share_inside`, :func:`subdivide`.
- :mod:`geo.screening.profile`: :class:`Profile`, :class:`Filters`, :func:`parse_profile`.
- :mod:`geo.screening.criteria`: :func:`screen`, :func:`score`, :func:`ranked`,
  :func:`visible_plots`.
- :mod:`geo.screening.raster` / :mod:`geo.screening.raster_io`: terrain from a DEM.
- :mod:`geo.screening.io`: layers, profiles (shipped, saved, files) and results on disk.

The use case that strings these together for a viewer is :mod:`geo.usecases.screening`.
"""

from geo.screening.attributes import (
    DERIVED_COLUMNS,
    CarEngine,
    CarMinutes,
    Layer,
    ScreeningLayers,
    derive_attributes,
    share_inside,
    subdivide,
)
from geo.screening.criteria import ranked, score, screen, screen_for_role, visible_plots
from geo.screening.profile import (
    CONTAMINATION,
    OWNER_TYPES,
    PLANNING_STATUS,
    STATUSES,
    Filters,
    Profile,
    parse_profile,
)

__all__ = [
    "CONTAMINATION",
    "DERIVED_COLUMNS",
    "OWNER_TYPES",
    "PLANNING_STATUS",
    "STATUSES",
    "CarEngine",
    "CarMinutes",
    "Filters",
    "Layer",
    "Profile",
    "ScreeningLayers",
    "derive_attributes",
    "parse_profile",
    "ranked",
    "score",
    "screen",
    "screen_for_role",
    "share_inside",
    "subdivide",
    "visible_plots",
]
