"""The body of ``PATCH /plots/{plot_id}``: flat properties, documented from the one vocabulary.

A change is a flat JSON object::

    {"contamination": "none", "version": 1}
    {"owner_type": "city", "reason": "Kauf durch die Stadt", "version": 3}
    {"geometry": {"type": "Polygon", "coordinates": [...]}, "version": 4}

Every editable attribute of :data:`geo.landpool.plots.EDITABLE_FIELDS` may stand at the
top level, with ``version`` (or the ``If-Match`` header), an optional ``reason`` for the
history and an optional ``geometry`` (GeoJSON, EPSG:4326). The GeoJSON-Feature form of
earlier versions, ``{"type": "Feature", "properties": {...}, "geometry": ..., "version":
1}``, is still accepted (a client may send back the Feature it read, cut to the fields it
changes); the two forms are not mixed in one body.

The schema in the OpenAPI document is made here from :mod:`geo.landpool.plots` (field
names and vocabularies), and the body is checked by the same module's
:func:`~geo.landpool.plots.parse_attributes` in strict mode (vocabulary codes exactly,
``null`` for ``unknown``), so the document and the answers cannot disagree. Unknown and
read-only fields are refused with a 422 that names them and lists the editable ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geo.errors import InputError
from geo.landpool.plots import (
    EDITABLE_FIELDS,
    ENUM_FIELDS,
    TEXT_FIELDS,
    parse_attributes,
    unknown_fields_message,
)
from geo.settings import MAX_VERSION
from geo.validate import check_property_types

#: Keys of a PATCH body besides the attributes.
CONTROL_KEYS: tuple[str, ...] = ("version", "reason", "geometry")
#: Keys of the GeoJSON-Feature form.
FEATURE_KEYS: tuple[str, ...] = ("type", "properties")
#: Longest reason (as for every text of the register).
MAX_REASON = 10_000


def attribute_schema(key: str) -> dict[str, Any]:
    """JSON Schema of one editable attribute (``null`` is ``unknown`` / no text)."""
    if key in ENUM_FIELDS:
        codes = [m.value for m in ENUM_FIELDS[key]]
        return {
            "type": ["string", "null"],
            "enum": [*codes, None],
            "description": f"One of {', '.join(codes)}; null is unknown.",
        }
    if key == "confidential":
        return {
            "type": ["boolean", "null"],
            "description": "Only the land-pool team sees a confidential plot; true "
            "unpublishes a published plot. null is false.",
        }
    assert key in TEXT_FIELDS
    return {"type": ["string", "null"], "maxLength": 10_000, "description": "Text; null clears it."}


_REASON = {
    "type": ["string", "null"],
    "maxLength": MAX_REASON,
    "description": "Why (recorded in the plot's history).",
}
_GEOMETRY = {
    "type": ["object", "null"],
    "description": "New outline as a GeoJSON Polygon or MultiPolygon in EPSG:4326 (RFC 7946); "
    "area_ha and the municipality are derived from it.",
    "required": ["type", "coordinates"],
    "properties": {
        "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
        "coordinates": {"type": "array"},
    },
}


def patch_schema() -> dict[str, Any]:
    """JSON Schema of the PATCH body, from the register's field definitions."""
    attributes = {k: attribute_schema(k) for k in EDITABLE_FIELDS}
    return {
        "title": "PlotPatch",
        "type": "object",
        "description": "The attributes to change at the top level, with the version last "
        "read (or If-Match), an optional reason and an optional geometry. Fields left out "
        "stay as they are; status changes go through POST /plots/{plot_id}/status. The "
        "GeoJSON-Feature form (attributes under properties) is accepted too.",
        "additionalProperties": False,
        "properties": {
            **attributes,
            "version": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": MAX_VERSION,
                "description": "The version you last read (or send If-Match); a stale one "
                "answers 409 and changes nothing.",
            },
            "reason": _REASON,
            "geometry": _GEOMETRY,
            "type": {
                "type": ["string", "null"],
                "enum": ["Feature", None],
                "description": "Only in the GeoJSON-Feature form.",
            },
            "properties": {
                "type": ["object", "null"],
                "description": "The GeoJSON-Feature form: the attributes (and reason) here "
                "instead of at the top level.",
                "additionalProperties": False,
                "properties": {**attributes, "reason": _REASON},
            },
        },
    }


#: A rectangle of about 1.4 ha in Jena (the example outline).
_SQUARE = [
    [11.5850, 50.9270],
    [11.5870, 50.9270],
    [11.5870, 50.9279],
    [11.5850, 50.9279],
    [11.5850, 50.9270],
]

#: Examples shown by /docs (OpenAPI ``examples`` of the request body).
PATCH_EXAMPLES: dict[str, dict[str, Any]] = {
    "contamination": {
        "summary": "Change the contamination",
        "value": {"contamination": "none", "version": 1},
    },
    "owner": {
        "summary": "Change the owner type, with a reason for the history",
        "value": {
            "owner_type": "city",
            "reason": "acquired by the city (council decision 2024/117)",
            "version": 3,
        },
    },
    "geometry": {
        "summary": "Change the outline (GeoJSON in EPSG:4326)",
        "value": {
            "geometry": {"type": "Polygon", "coordinates": [_SQUARE]},
            "reason": "outline corrected to the cadastral parcel",
            "version": 4,
        },
    },
    "several": {
        "summary": "Several attributes at once; null means unknown / no text",
        "value": {
            "planning_status": "bplan_in_preparation",
            "intended_use": "housing",
            "notes": None,
            "version": 5,
        },
    },
    "feature": {
        "summary": "The GeoJSON-Feature form (still accepted)",
        "value": {"type": "Feature", "properties": {"contamination": "suspected"}, "version": 2},
    },
}


@dataclass(frozen=True)
class PlotPatchRequest:
    """A checked PATCH body: attribute values (vocabulary codes), reason, version, geometry."""

    values: dict[str, Any]
    reason: str | None
    version: int | None
    geometry: dict[str, Any] | None


def parse_patch_body(body: Mapping[str, Any]) -> PlotPatchRequest:
    """Check a PATCH body (flat or Feature form) with the register's own rules.

    Raises
    ------
    InputError
        Naming each unknown or read-only field (and listing the editable ones), a value
        outside its vocabulary (listing the allowed ones), a value of the wrong JSON type,
        a bad ``version``, ``reason`` or ``type``, or a body that mixes both forms.
    """
    allowed = {*EDITABLE_FIELDS, *CONTROL_KEYS, *FEATURE_KEYS}
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise InputError(unknown_fields_message(unknown, also=CONTROL_KEYS))
    flat = {k: body[k] for k in EDITABLE_FIELDS if k in body}
    kind = body.get("type")
    if kind is not None and kind != "Feature":
        raise InputError(
            f"type must be 'Feature' (the GeoJSON-Feature form) or left out, not {kind!r}."
        )
    nested = body.get("properties")
    reason = body.get("reason")
    if nested is not None:
        if not isinstance(nested, Mapping):
            raise InputError("properties must be an object of plot attributes.")
        if flat:
            raise InputError(
                "give the attributes either at the top level or under properties (the "
                f"GeoJSON-Feature form), not both: {', '.join(sorted(flat))} at the top level."
            )
        values = dict(nested)
        inner = values.pop("reason", None)
        if inner is not None and reason is not None and inner != reason:
            raise InputError("reason is given twice with different texts; give it once.")
        reason = reason if reason is not None else inner
        where = "properties"
    else:
        values, where = flat, "body"
    unknown = sorted(set(values) - set(EDITABLE_FIELDS))
    if unknown:
        raise InputError(unknown_fields_message(unknown, also=CONTROL_KEYS))
    check_property_types(values, where)
    parsed = parse_attributes(values, partial=True, strict=True)
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_REASON):
        raise InputError(f"reason must be text of at most {MAX_REASON:,} characters.")
    version = body.get("version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION
    ):
        raise InputError(
            f"version must be a whole number from 1 to {MAX_VERSION}, not {version!r}."
        )
    geometry = body.get("geometry")
    if geometry is not None and not isinstance(geometry, Mapping):
        raise InputError("geometry must be a GeoJSON Polygon or MultiPolygon object (or null).")
    text = reason.strip() if isinstance(reason, str) else ""
    return PlotPatchRequest(
        parsed, text or None, version, dict(geometry) if geometry is not None else None
    )


__all__ = [
    "CONTROL_KEYS",
    "PATCH_EXAMPLES",
    "PlotPatchRequest",
    "attribute_schema",
    "parse_patch_body",
    "patch_schema",
]
