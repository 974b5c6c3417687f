"""The FastAPI application: a thin layer over ``geo/`` and ``maps/``."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api import web
from api.errors import ERROR_RESPONSES, install_error_handlers
from api.middleware import install_middleware
from api.openapi_security import install as install_security_schemes
from api.params import refuse_unknown_query
from api.routers import (
    access,
    docs,
    maps,
    municipalities,
    ogc,
    ogc_api,
    plots,
    projects,
    screening,
    transit,
    travel,
    validation,
)
from geo.settings import Settings, get_settings
from maps.base import STATIC_DIR


def create_app(settings: Settings | None = None) -> FastAPI:
    """Create the API app for ``settings`` (default: from the environment)."""
    settings = settings or get_settings()
    app = FastAPI(
        title="stadtregion",
        version="0.1.0",
        description="Accessibility, demography and land offers across municipal borders "
        "in the city-region of Jena.",
        responses=ERROR_RESPONSES,
        # served by api/routers/docs.py with the scripts from our own server (no CDN)
        docs_url=None,
        redoc_url=None,
        # every route refuses query parameters it does not declare (400, api/params.py)
        dependencies=[Depends(refuse_unknown_query)],
    )
    app.state.settings = settings
    install_error_handlers(app)
    install_middleware(app, settings)

    @app.get("/health", tags=["meta"], summary="Liveness and data status")
    def health() -> dict[str, Any]:
        """Report that the service runs and where its data comes from."""
        return {
            "status": "ok",
            "data_dir": str(settings.data_dir),
            "data_dir_exists": settings.data_dir.is_dir(),
        }

    app.include_router(municipalities.router)
    app.include_router(travel.router)
    app.include_router(maps.router)
    app.include_router(screening.router)  # before /plots/{plot_id} routes
    app.include_router(plots.router)
    app.include_router(transit.router)
    app.include_router(ogc.router)
    app.include_router(ogc_api.router)  # /ogc/api: the OGC API definition for OGC clients
    app.include_router(access.router)
    app.include_router(docs.router)
    app.include_router(validation.router)
    app.include_router(projects.router)  # the forum's cooperation projects (public)
    web.install(app)  # the pages of the web app (start, login, register, screening, ...)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_security_schemes(app)  # bearer token in the OpenAPI document (Authorize)
    return app
