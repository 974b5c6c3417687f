"""``/validation``: the validation report (published figures beside computed ones).

JSON by default; HTML for people with ``f=html`` or an ``Accept: text/html`` header (as
the OGC routes negotiate). Unknown query parameters are refused with 400.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from api.deps import get_app_settings
from api.routers.ogc import wants_html
from geo.errors import QueryParameterError
from geo.settings import Settings
from maps import validation

router = APIRouter(tags=["validation"])

#: Query parameters the route takes.
PARAMETERS = frozenset({"f", "lang"})


def _known_parameters(request: Request) -> None:
    """Refuse query parameters the route does not take (400, naming them)."""
    unknown = sorted(set(request.query_params) - PARAMETERS)
    if unknown:
        raise QueryParameterError(
            f"unknown query parameter(s) {', '.join(map(repr, unknown))}; "
            f"/validation takes {', '.join(sorted(PARAMETERS))}."
        )


@router.get(
    validation.REPORT_PATH,
    summary="Published figures beside computed ones, with the reason they differ",
    dependencies=[Depends(_known_parameters)],
    responses={200: {"content": {"application/json": {}, "text/html": {}}}},
)
def validation_report(
    request: Request,
    settings: Annotated[Settings, Depends(get_app_settings)],
    f: Annotated[
        Literal["json", "html"] | None,
        Query(description="Response format; without it the Accept header decides (JSON)."),
    ] = None,
    lang: Annotated[Literal["de", "en"], Query(description="Label language")] = "de",
) -> Response:
    """Every ISEK figure (population, trend, rail and car minutes to Jena) and every INKAR
    car time the tool computes too, beside the computed figure: the difference and a
    reason class (same, other reference year, other territory, other network or feed,
    not computable here, unexplained; unexplained differences over 25 % highlighted).
    """
    report = validation.build_report(settings, lang)
    if wants_html(request, f):
        return HTMLResponse(validation.to_html(report))
    body: dict[str, Any] = validation.to_json(report)
    return JSONResponse(body)
