"""A cooperation project of the forum: its fields and the checks of every value (pure).

A project has a slug ``id``, a ``title``, a forum ``topic`` (vocabulary group
``forum_topic``), the municipalities involved (8-digit AGS), a ``status`` (vocabulary group
``project_status``), a ``description``, links to contributions (ids, checked for form only)
and to published plots (``plot_ids``), and an optional map geometry (EPSG:25832 stored).
:func:`parse_fields` checks a mapping of raw values (a form, a JSON body, the command
line) and returns typed ones; every problem names the field and the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import InputError
from geo.settings import WEB_CRS, WORK_CRS, Settings
from geo.validate import parse_geojson_geometry
from geo.vocabulary import WORDS

#: The forum topics (shared with the contributions of the forum).
TOPICS: tuple[str, ...] = tuple(WORDS["forum_topic"])
#: The stages of a project, in order.
STATUSES: tuple[str, ...] = tuple(WORDS["project_status"])
#: Fields a create or an edit may set.
EDITABLE_FIELDS: tuple[str, ...] = (
    "title",
    "topic",
    "status",
    "municipalities",
    "description",
    "contributions",
    "plot_ids",
    "geometry",
)
MAX_ID_LENGTH = 60
#: Ids that are page paths (``/forum/projects/new``).
RESERVED_IDS = frozenset({"new"})
MAX_TITLE_LENGTH = 200
MAX_DESCRIPTION_LENGTH = 4000
MAX_LINKS = 50
#: GeoJSON types a project's map geometry may have.
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
_LINK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
_AGS = re.compile(r"^\d{8}$")


@dataclass(frozen=True)
class Project:
    """A stored project (every field; :mod:`geo.projects.public` decides what is shown)."""

    id: str
    title: str
    topic: str
    status: str
    municipalities: tuple[str, ...]
    description: str
    contributions: tuple[str, ...]
    plot_ids: tuple[str, ...]
    geometry: BaseGeometry | None
    created_at: datetime
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class HistoryRow:
    """One edit of a project: who, when, the version it made, and ``field: [old, new]``."""

    project_id: str
    at: datetime
    actor: str
    event: str
    version: int
    changes: dict[str, Any] = field(default_factory=dict)


def check_id(value: Any) -> str:
    """A project id: a lower-case slug (``a-z``, ``0-9``, ``-``), 1..60 characters."""
    text = str(value or "").strip()
    if text in RESERVED_IDS:
        raise InputError(f"project id {text!r} is reserved (a page path); choose another.")
    if not text or len(text) > MAX_ID_LENGTH or not _SLUG.fullmatch(text):
        raise InputError(
            f"project id {text!r} is not a slug: use 1..{MAX_ID_LENGTH} lower-case letters, "
            "digits and '-' (not at the ends), e.g. radweg-saaletal."
        )
    return text


def _text(name: str, value: Any, limit: int, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InputError(f"{name} must be text, not {type(value).__name__}.")
    text = value.strip()
    if required and not text:
        raise InputError(f"{name} is required.")
    if len(text) > limit:
        raise InputError(f"{name} has {len(text)} characters; at most {limit} are allowed.")
    return text


def _choice(name: str, value: Any, allowed: tuple[str, ...], group: str) -> str:
    text = str(value or "").strip()
    if text in allowed:
        return text
    # the German (or English) word is taken too: "Verkehr" is traffic
    for key, (de, en) in WORDS[group].items():
        if text.lower() in (de.lower(), en.lower()):
            return key
    raise InputError(f"{name} {text!r} is unknown; use one of {', '.join(allowed)}.")


def split_list(value: Any) -> list[str]:
    """A list of ids from a list or from text separated by commas, semicolons or blanks."""
    if value is None:
        return []
    if isinstance(value, str):
        return [p for p in re.split(r"[\s,;]+", value) if p]
    if isinstance(value, list | tuple):
        out = []
        for v in value:
            if not isinstance(v, str):
                raise InputError(f"list entries must be text, not {type(v).__name__}.")
            out += split_list(v)
        return out
    raise InputError(f"expected a list of ids, not {type(value).__name__}.")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def check_municipalities(value: Any, known: Mapping[str, str]) -> tuple[str, ...]:
    """AGS of the municipalities involved: 8 digits each, every one in the region model.

    ``known`` maps AGS to name (the region model); a name of ``known`` is taken for its AGS.
    """
    by_name = {n.lower(): a for a, n in known.items()}
    out = []
    for item in split_list(value):
        ags = by_name.get(item.lower(), item)
        if not _AGS.fullmatch(ags):
            raise InputError(
                f"municipality {item!r} is no 8-digit AGS (e.g. 16053000 for Jena) and no "
                "name of the region model."
            )
        if ags not in known:
            raise InputError(f"municipality AGS {ags!r} is not in the region model.")
        out.append(ags)
    if len(out) > MAX_LINKS:
        raise InputError(f"at most {MAX_LINKS} municipalities, got {len(out)}.")
    return _unique(out)


def check_links(name: str, value: Any) -> tuple[str, ...]:
    """Ids linked from a project (contributions, plots): 1..80 safe characters each."""
    out = []
    for item in split_list(value):
        if not _LINK_ID.fullmatch(item):
            raise InputError(
                f"{name}: {item!r} is not an id (letters, digits, '_', '.', '-'; 1..80)."
            )
        out.append(item)
    if len(out) > MAX_LINKS:
        raise InputError(f"{name}: at most {MAX_LINKS} ids, got {len(out)}.")
    return _unique(out)


def parse_geometry(value: Any, settings: Settings) -> BaseGeometry | None:
    """A GeoJSON geometry (EPSG:4326; object or text) as a valid shapely geometry in 25832.

    Empty text or ``None`` means no geometry.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"geometry is not JSON ({exc.msg}, position {exc.pos}).") from None
    if isinstance(value, Mapping) and value.get("type") == "Feature":
        value = value.get("geometry")
    geom = parse_geojson_geometry(value, settings, types=GEOMETRY_TYPES, where="geometry")
    if not geom.is_valid:
        raise InputError(f"geometry is not valid ({shapely.is_valid_reason(geom)}).")
    return gpd.GeoSeries([geom], crs=WEB_CRS).to_crs(WORK_CRS).iloc[0]


def parse_fields(
    values: Mapping[str, Any],
    *,
    known_municipalities: Mapping[str, str],
    settings: Settings,
    partial: bool = False,
) -> dict[str, Any]:
    """Check raw project fields; return typed values (only those given when ``partial``).

    Raises
    ------
    InputError
        For an unknown field or the first bad value (naming field and value).
    """
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(
            f"unknown project field {', '.join(map(repr, unknown))}; fields: "
            f"{', '.join(EDITABLE_FIELDS)}."
        )
    out: dict[str, Any] = {}
    if not partial or "title" in values:
        out["title"] = _text("title", values.get("title"), MAX_TITLE_LENGTH, required=True)
    if not partial or "topic" in values:
        out["topic"] = _choice("topic", values.get("topic"), TOPICS, "forum_topic")
    if not partial or "status" in values:
        raw = values.get("status") or ("idea" if not partial else None)
        out["status"] = _choice("status", raw, STATUSES, "project_status")
    if not partial or "municipalities" in values:
        out["municipalities"] = check_municipalities(
            values.get("municipalities"), known_municipalities
        )
    if not partial or "description" in values:
        out["description"] = _text(
            "description", values.get("description"), MAX_DESCRIPTION_LENGTH, required=False
        )
    if not partial or "contributions" in values:
        out["contributions"] = check_links("contributions", values.get("contributions"))
    if not partial or "plot_ids" in values:
        out["plot_ids"] = check_links("plot_ids", values.get("plot_ids"))
    if not partial or "geometry" in values:
        out["geometry"] = parse_geometry(values.get("geometry"), settings)
    return out


__all__ = [
    "EDITABLE_FIELDS",
    "GEOMETRY_TYPES",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_TITLE_LENGTH",
    "STATUSES",
    "TOPICS",
    "HistoryRow",
    "Project",
    "check_id",
    "check_links",
    "check_municipalities",
    "parse_fields",
    "parse_geometry",
    "split_list",
]
