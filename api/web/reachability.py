"""The reachability page ``/reachability`` (everyone): what can I reach from a place?

The question is a GET form (bookmarkable, works without JavaScript): origin by name
(suggestions from a ``<datalist>`` of the region's municipalities) or a point (a click
on the map fills latitude and longitude; the car only, as
:func:`geo.usecases.reachability.reachable` takes a point only for the car), mode car or
rail, the time limit and, by rail, date, departure window and percentile, with the
settings' defaults in the form. The parameters have the names of ``/reachable``; the
rail options are parsed by :func:`geo.transit.parse_rail_query` and limited by
:func:`api.limits.check_rail_window`, as on every rail route.

Without any parameter the page shows the form and what queries are computed from
(nothing is loaded). With them it calls the same use case as ``GET /reachable``
(:func:`geo.usecases.reachability.reachable`) and shows the answer as a map, a table
and the population sums of the region model (every resident counted once); every
problem of the form is named next to its field (an unknown origin with the closest
names). ``/reachability/reachable.csv`` with the same parameters downloads the table;
the GeoJSON link is ``/reachable`` with the same query.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, fields
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import get_app_settings, get_viewer
from api.limits import check_rail_window
from api.web import reach_view
from api.web.problems import FormError, Problem, problem
from api.web.render import PageLang, href_for, page
from geo import modes, transit
from geo.access.roles import Viewer
from geo.errors import (
    InputError,
    NoServiceError,
    NotFoundError,
    StadtregionError,
    UnknownMunicipalityError,
)
from geo.roads.engine import check_minutes
from geo.settings import Settings
from geo.usecases import reachability as usecase
from geo.usecases.region import region as region_model
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AppSettings = Annotated[Settings, Depends(get_app_settings)]

#: Modes the page offers (those of the reachable map).
MODES = usecase.MAP_MODES
#: Rail options of the form (the names of ``/reachable`` and ``/transit/reachable``).
RAIL_FIELDS = ("date", "window", "percentile")


@dataclass(frozen=True)
class ReachInput:
    """The form as sent (text, stripped; empty: not given), under the API's names."""

    origin: str = ""
    lat: str = ""
    lon: str = ""
    mode: str = ""
    max_minutes: str = ""
    date: str = ""
    window: str = ""
    percentile: str = ""

    def asked(self) -> bool:
        """Whether anything was asked (else the page shows the form only)."""
        return any(getattr(self, f.name) for f in fields(self))

    def params(self) -> dict[str, str]:
        """The query of this question (rail options only by rail), for links."""
        out = {
            ("from" if f.name == "origin" else f.name): getattr(self, f.name) for f in fields(self)
        }
        if self.mode != "rail":
            for key in RAIL_FIELDS:
                out.pop(key)
        return {k: v for k, v in out.items() if v}


def _text(value: str | None) -> str:
    return (value or "").strip()


def reach_input(
    origin: Annotated[
        str | None,
        Query(alias="from", max_length=100, description="Municipality name, AGS or 'lon,lat'."),
    ] = None,
    lat: Annotated[str | None, Query(max_length=20, description="Origin latitude")] = None,
    lon: Annotated[str | None, Query(max_length=20, description="Origin longitude")] = None,
    mode: Annotated[str | None, Query(max_length=10, description="car or rail")] = None,
    max_minutes: Annotated[str | None, Query(max_length=10)] = None,
    date: Annotated[str | None, Query(max_length=10)] = None,
    window: Annotated[str | None, Query(max_length=20)] = None,
    percentile: Annotated[str | None, Query(max_length=10)] = None,
) -> ReachInput:
    """The page's query parameters (text, so that an empty form field is no error)."""
    return ReachInput(
        *(_text(v) for v in (origin, lat, lon, mode, max_minutes, date, window, percentile))
    )


Input = Annotated[ReachInput, Depends(reach_input)]


@dataclass(frozen=True)
class ReachQuery:
    """A checked question: origin (name or (lon, lat)), mode, limit, rail query."""

    origin: str | tuple[float, float]
    mode: str
    max_minutes: float | None
    rail: transit.RailQuery | None

    def api_params(self) -> dict[str, str]:
        """The same question as ``GET /reachable`` parameters (parsed values)."""
        out: dict[str, str] = {"mode": self.mode}
        if isinstance(self.origin, tuple):
            out.update(lon=f"{self.origin[0]:g}", lat=f"{self.origin[1]:g}")
        else:
            out["from"] = self.origin
        if self.max_minutes is not None:
            out["max_minutes"] = f"{self.max_minutes:g}"
        if self.rail is not None:
            described = self.rail.describe()
            out["date"] = str(described["date"])
            if described["window"]:
                out["window"] = str(described["window"])
            out["percentile"] = f"{self.rail.percentile:g}"
        return out


def _float(text: str, name: str) -> float:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise InputError(f"{name} {text!r} is not a number.") from None
    if not math.isfinite(value):
        raise InputError(f"{name} {text!r} is not a number.")
    return value


def _number(text: str, name: str, low: float, high: float) -> float:
    value = _float(text, name)
    if not low <= value <= high:
        raise InputError(f"{name} {text!r} must be a number from {low:g} to {high:g}.")
    return value


def _rail_field(message: str) -> str:
    """The rail field an error of :func:`geo.transit.parse_rail_query` is about."""
    return next((f for f in RAIL_FIELDS if message.startswith(f)), "window")


def parse(settings: Settings, given: ReachInput, lang: str = "de") -> ReachQuery:
    """Check the whole form; :class:`FormError` names every problem found.

    The origin name is looked up in the region model here, so that an unknown name is
    reported with the other problems, with the closest names.
    """
    problems: list[Problem] = []
    errors: list[StadtregionError] = []

    def fail(exc: StadtregionError, field: str | None) -> None:
        errors.append(exc)
        found = problem(exc, field)
        if isinstance(exc, UnknownMunicipalityError):  # the most common slip, in words
            text = word("reach", "unknown_origin", lang).format(name=exc.query)
            found = Problem(field, text, found.suggestions)
        problems.append(found)

    mode = given.mode or "car"  # the default mode of /reachable
    if mode not in MODES:
        fail(InputError(f"mode must be {' or '.join(MODES)}, not {mode!r}."), "mode")
    origin: str | tuple[float, float] | None = None
    if given.origin and (given.lat or given.lon):
        fail(InputError("give either a municipality or a point (lat and lon), not both."), "from")
    elif given.origin:
        try:
            origin = modes.parse_origin(given.origin)
            if isinstance(origin, str):
                modes.resolve_origin(region_model(settings).model, origin)
        except (InputError, NotFoundError) as exc:
            fail(exc, "from")
    elif given.lat or given.lon:
        point: dict[str, float] = {}
        for name, bound in (("lat", 90.0), ("lon", 180.0)):
            try:
                point[name] = _number(getattr(given, name), name, -bound, bound)
            except InputError as exc:
                fail(exc, name)
        if len(point) == 2:
            origin = (point["lon"], point["lat"])
    else:
        fail(InputError("give an origin: a municipality (name or AGS) or a point."), "from")
    limit: float | None = None
    if given.max_minutes:
        try:
            limit = check_minutes(_float(given.max_minutes, "max_minutes"))
        except InputError as exc:
            fail(exc, "max_minutes")
    rail: transit.RailQuery | None = None
    options = {k: getattr(given, k) for k in RAIL_FIELDS if getattr(given, k)}
    if mode == "rail" or options:  # given rail options are checked even when not used
        try:
            check_rail_window(options.get("window"), 1, settings.max_rail_window_min)
            rail = transit.parse_rail_query(settings, **options, require_origin=False)
        except InputError as exc:
            fail(exc, _rail_field(str(exc)))
    if problems:
        raise FormError(problems, errors)
    assert origin is not None
    return ReachQuery(origin, mode, limit, rail if mode == "rail" else None)


def answer(settings: Settings, query: ReachQuery) -> usecase.ReachableAnswer:
    """The use case of ``GET /reachable`` for ``query`` (its problems as form problems)."""
    try:
        return usecase.reachable(
            settings, query.origin, mode=query.mode, max_minutes=query.max_minutes, rail=query.rail
        )
    except (InputError, NotFoundError) as exc:
        if isinstance(exc, NoServiceError):
            field = "date"
        elif isinstance(query.origin, tuple):
            field = "lat"
        else:
            field = "from"
        raise FormError([problem(exc, field)], [exc]) from exc


_AGS = re.compile(r"\bAGS (\d{8})\b")


def suggestion_value(text: str) -> str:
    """What a suggested name is asked as: its AGS when it names one (a name several
    municipalities share is listed as "Bucha (AGS 16074008, Saale-Holzland-Kreis)")."""
    m = _AGS.search(text)
    return m.group(1) if m else text


@router.get("/reachability", response_class=HTMLResponse)
def reachability(
    request: Request, viewer: ViewerDep, settings: AppSettings, lang: PageLang, given: Input
) -> HTMLResponse:
    """The question form; with a question, its answer as map, table and sums."""
    data = usecase.travel_data(settings)
    names = reach_view.origin_options(region_model(settings).model)
    ctx: dict[str, Any] = {
        "given": given,
        "data": data,
        "names": names,
        "problems": [],
        "result": None,
        "modes": MODES,
        "planned_feeds": reach_view.feed_gaps(data.feeds, lang),
    }
    status = 200
    result = None
    if given.asked():
        try:
            query = parse(settings, given, lang)
            found = answer(settings, query)
        except FormError as exc:
            ctx["problems"] = exc.problems
            status = exc.status
        else:
            result = reach_view.result_view(settings, query, found, lang)
            result.csv_href = href_for(lang, "/reachability/reachable.csv", **given.params())
            result.geojson_href = href_for("de", "/reachable", **query.api_params())
            ctx["result"] = result
    ctx["map_data"] = result.map_data if result is not None else reach_view.pick_map(settings, lang)
    ctx["suggest_href"] = lambda name: href_for(
        lang, "/reachability", **{**given.params(), "from": suggestion_value(name)}
    )
    return page(
        request,
        viewer,
        "reach.html",
        lang,
        title=word("reach", "title", lang),
        status=status,
        uses_map=True,
        attributions=result.attribution if result is not None else None,
        **ctx,
    )


@router.get("/reachability/reachable.csv")
def reachability_csv(settings: AppSettings, lang: PageLang, given: Input) -> Response:
    """The table of the page for the same question, as CSV (with its sources)."""
    try:
        query = parse(settings, given, lang)
        found = answer(settings, query)
    except FormError as exc:  # the error page names the first problem
        raise exc.errors[0] from exc
    view = reach_view.result_view(settings, query, found, lang)
    name = reach_view.file_stem(query, found)
    return Response(
        reach_view.csv_text(view),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )
