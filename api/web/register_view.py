"""How the register pages show a plot: values in words, history rows, the map, the forms.

Pure formatting of what the use cases return (:mod:`geo.usecases.register`): nothing here
reads the store or decides what a viewer may see; a field the viewer may not see is not
in the data handed in, so it cannot be shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.web.render import href_for, page
from geo.access.roles import Viewer
from geo.landpool.plots import ENUM_FIELDS, TEXT_FIELDS
from geo.settings import Settings
from geo.usecases.register import Change, RegisterPlot
from geo.usecases.site import SiteAttributes
from geo.vocabulary import number, word

BERLIN = ZoneInfo("Europe/Berlin")

#: The order a plot's attributes are shown in (only those the viewer may see are there).
ATTRIBUTE_ORDER: tuple[str, ...] = (
    "plot_id",
    "name",
    "address",
    "municipality",
    "ags",
    "area_ha",
    "category",
    "status",
    "owner_type",
    "planning_status",
    "fnp_designation",
    "contamination",
    "current_use",
    "intended_use",
    "source",
    "notes",
    "confidential",
    "published",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "version",
)
#: Editable attributes in the order of the edit form.
FORM_ORDER: tuple[str, ...] = (
    "name",
    "address",
    "category",
    "owner_type",
    "planning_status",
    "fnp_designation",
    "contamination",
    "current_use",
    "intended_use",
    "source",
    "confidential",
    "notes",
)
_TIMES = frozenset({"created_at", "updated_at", "at"})
_FLAGS = frozenset({"confidential", "published"})


def when(value: str | None, lang: str) -> str:
    """An ISO 8601 time as Berlin local time (``01.12.2026 13:05`` / ``2026-12-01 13:05``)."""
    if not value:
        return word("text", "unknown", lang)
    local = datetime.fromisoformat(value).astimezone(BERLIN)
    return local.strftime("%Y-%m-%d %H:%M" if lang == "en" else "%d.%m.%Y %H:%M")


def show(key: str, value: Any, lang: str) -> str:
    """One attribute value in words: vocabulary words, yes/no, numbers, Berlin times;
    ``unbekannt`` / ``unknown`` for a value the register does not hold."""
    if key in _FLAGS:
        return word("register", "yes" if value else "no", lang)
    if value is None or value == "":
        return word("text", "unknown", lang)
    if key in ENUM_FIELDS:
        return word(key, str(value), lang)
    if key in _TIMES:
        return when(str(value), lang)
    if key == "area_ha":
        return number(float(value), 2, lang)
    return str(value)


def attribute_rows(props: Mapping[str, Any], lang: str) -> list[tuple[str, str, str]]:
    """``(key, label, value)`` of every attribute in ``props``, in :data:`ATTRIBUTE_ORDER`."""
    keys = [k for k in ATTRIBUTE_ORDER if k in props]
    return [(k, word("register_field", k, lang), show(k, props[k], lang)) for k in keys]


def change_text(key: str, value: Any, lang: str) -> str:
    """One entry of a history row's ``changes`` as text (``Eigentümer: unbekannt → Stadt``)."""
    label = word("register_field", key, lang)
    if key == "geometry":
        return word("register", "geometry_changed", lang)
    if isinstance(value, list) and len(value) == 2 and key != "notes":
        return f"{label}: {show(key, value[0], lang)} → {show(key, value[1], lang)}"
    if isinstance(value, list) and len(value) == 2:
        return f"{label}: {value[0] or '–'} → {value[1] or '–'}"
    if isinstance(value, list):
        return f"{label}: {'; '.join(str(v) for v in value)}"
    return f"{label}: {value}"


def history_rows(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """History rows (as the viewer may see them) for the page, newest first."""
    out = []
    for row in reversed(rows):
        what = word("register_event", str(row.get("event")), lang)
        if row.get("event") in ("status", "created") and row.get("to_status"):
            before = row.get("from_status")
            target = word("status", str(row["to_status"]), lang)
            what += f": {word('status', str(before), lang)} → {target}" if before else f": {target}"
        changes = row.get("changes") or {}
        out.append(
            {
                "when": when(row.get("at"), lang),
                "who": row.get("actor"),
                "what": what,
                "changes": [change_text(k, v, lang) for k, v in changes.items()],
                "why": row.get("reason"),
                "version": row.get("version"),
            }
        )
    return out


def site_rows(site: SiteAttributes, lang: str) -> list[dict[str, str]]:
    """The derived values with their units in words, unknown ones with the reason."""
    out = []
    threshold = number(site.steep_threshold_pct, 0, lang)
    for v in site.values:
        label = word("register_field", v.column, lang).replace("{threshold}", threshold)
        reason = ""
        if v.value is None:
            text = word("text", "unknown", lang)
            decided = word("decide", v.why or "", lang)
            if decided == v.why:
                decided = word("register_why", v.why or "", lang)
            reason = decided if decided != v.why else (v.note or "")
        elif v.unit == "m":
            text = f"{number(float(v.value), 0, lang)} m"
            if v.column.startswith("dist_"):
                text += f" ({word('register', 'straight_line', lang)})"
        elif v.unit == "pct":
            text = f"{number(float(v.value), 1, lang)} %"
        elif v.unit == "share":
            text = f"{number(100 * float(v.value), 1, lang)} %"
        elif v.unit == "min":
            text = f"{number(float(v.value), 1, lang)} min"
        else:
            text = str(v.value)
        out.append({"label": label, "value": text, "reason": reason, "column": v.column})
    return out


def map_data(feature: dict[str, Any], settings: Settings, lang: str) -> dict[str, Any]:
    """The page map's data block (see ``maps/static/web/map.js``): the plot in EPSG:4326."""
    props = feature["properties"]
    shape = {
        "type": "Feature",
        "geometry": feature["geometry"],
        "properties": {"name": props.get("name") or props["plot_id"]},
    }
    return {
        "tiles": settings.tiles_url,
        "attribution": settings.tiles_attribution,
        "layers": [
            {
                "name": word("register", "map_label", lang),
                "geojson": {"type": "FeatureCollection", "features": [shape]},
                "color": "#b35900",
                "popup": ["name"],
                "labels": {"name": word("register_field", "name", lang)},
            }
        ],
    }


@dataclass(frozen=True)
class FormField:
    """One input of the edit form."""

    name: str
    label: str
    kind: str  # "text", "textarea" or "select"
    value: str
    options: list[tuple[str, str]] = field(default_factory=list)


def form_value(key: str, value: Any) -> str:
    """A stored value as the form sends it back (``true``/``false`` for flags)."""
    if key == "confidential":
        return "true" if value else "false"
    return "" if value is None else str(value)


def edit_fields(
    props: Mapping[str, Any], lang: str, entered: Mapping[str, str] | None = None
) -> list[FormField]:
    """The edit form's inputs for the editable attributes in ``props``; ``entered`` (a
    refused form's values) takes the place of the stored ones."""
    out = []
    for key in FORM_ORDER:
        if key not in props:
            continue
        value = form_value(key, props[key])
        if entered is not None and key in entered:
            value = entered[key]
        label = word("register_field", key, lang)
        if key in ENUM_FIELDS:
            options = [(m.value, word(key, m.value, lang)) for m in ENUM_FIELDS[key]]
            out.append(FormField(key, label, "select", value, options))
        elif key == "confidential":
            options = [
                ("false", word("register", "no", lang)),
                ("true", word("register", "yes", lang)),
            ]
            out.append(FormField(key, label, "select", value, options))
        else:
            assert key in TEXT_FIELDS
            out.append(FormField(key, label, "textarea" if key == "notes" else "text", value))
    return out


@dataclass(frozen=True)
class Conflict:
    """A refused stale form: the version it was made from, the stored one, what changed."""

    yours: int
    now: int
    changes: list[Change]
    form: str  # which form was refused: edit, status, publish, unpublish


def conflict_rows(
    conflict: Conflict, entered: Mapping[str, str] | None, lang: str
) -> list[dict[str, str]]:
    """``field: value then -> value now`` (and the user's entry) of each change."""
    rows = []
    for c in conflict.changes:
        mine = (entered or {}).get(c.field)
        rows.append(
            {
                "field": word("register_field", c.field, lang),
                "then": show(c.field, c.then, lang) if c.field != "geometry" else "–",
                "now": show(c.field, c.now, lang)
                if c.field != "geometry"
                else word("register", "geometry_changed", lang),
                "yours": "" if mine is None else show(c.field, _typed(c.field, mine), lang),
            }
        )
    return rows


def _typed(key: str, text: str) -> Any:
    if key == "confidential":
        return text == "true"
    return text or None


def plot_page(
    request: Request,
    viewer: Viewer,
    lang: str,
    plot: RegisterPlot,
    *,
    status: int = 200,
    notice: str | None = None,
    conflict: Conflict | None = None,
    entered: Mapping[str, str] | None = None,
    error: str | None = None,
    error_form: str | None = None,
) -> HTMLResponse:
    """Render a plot's register page (after a refused form: its message and entries)."""
    settings: Settings = request.app.state.settings
    props = plot.properties
    plot_id = str(props["plot_id"])
    name = props.get("name")
    title = word("register", "plot_title", lang).format(plot_id=plot_id)
    if name:
        title = f"{name} · {title}"
    edit_entered = (
        entered if (conflict and conflict.form == "edit") or error_form == "edit" else None
    )
    version = int(props["version"])
    return page(
        request,
        viewer,
        "register_plot.html",
        lang,
        title=title,
        status=status,
        uses_map=True,
        plot_id=plot_id,
        props=props,
        version=version,
        attributes=attribute_rows(props, lang),
        site=None if plot.site is None else plot.site,
        site_rows=[] if plot.site is None or plot.site.missing else site_rows(plot.site, lang),
        history=history_rows(plot.history, lang),
        history_has_actor=any("actor" in r for r in plot.history),
        map_data=map_data(plot.detail.feature, settings, lang),
        fields=edit_fields(props, lang, edit_entered) if viewer.may_write else [],
        transitions=[(s, word("status", s, lang)) for s in plot.transitions],
        notice=notice,
        conflict=conflict,
        conflict_rows=conflict_rows(conflict, edit_entered, lang) if conflict else [],
        entered=entered or {},
        error=error,
        error_form=error_form,
        plot_href=href_for(lang, f"/register/{plot_id}"),
        attributions=list(dict.fromkeys([*plot.detail.attribution, *_site_sources(plot.site)])),
    )


def _site_sources(site: SiteAttributes | None) -> list[str]:
    return [] if site is None else list(site.attributions)
