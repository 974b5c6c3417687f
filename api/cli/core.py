"""Commands that set up and serve: ``build``, ``serve``, ``map``."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer

from api.cli import app
from geo.errors import InputError
from geo.landpool.plots import Viewer
from geo.region.build import build as build_region
from geo.settings import get_settings


@app.command()
def build(
    force: bool = typer.Option(False, "--force", help="Rebuild even when inputs are unchanged."),
    area: str = typer.Option("thuringia", "--area", help="thuringia or germany."),
) -> None:
    """Build data/processed/ from the shared data pack (only when inputs changed)."""
    result = build_region(get_settings(), force=force, area=area)
    state = "built" if result.rebuilt else "up to date"
    typer.echo(
        f"{result.path}: {state} ({result.municipalities} municipalities, "
        f"{result.report_rows} join-report rows, {result.seconds:.1f} s)"
    )


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default STADTREGION_HOST)."),
    port: int = typer.Option(None, help="Port (default STADTREGION_PORT)."),
    workers: int = typer.Option(
        None, min=1, max=64, help="Worker processes (default STADTREGION_WORKERS)."
    ),
) -> None:
    """Serve the HTTP API and the maps (several worker processes share the port)."""
    import uvicorn  # here, not at the top: every other command starts without the server

    from api.middleware import trusted_proxies

    settings = get_settings()
    trusted_proxies(settings)  # a bad proxy list is one line here, not in every worker
    h = host or settings.host
    p = port or settings.port
    n = workers or settings.workers
    typer.echo(
        f"stadtregion serving on http://{h}:{p}/  (map: http://{h}:{p}/maps/region.html, "
        f"{n} worker process{'es' if n > 1 else ''})"
    )
    if n == 1:
        from api.app import create_app  # start-up time: the app imports every router

        # proxy headers: the app's own middleware (STADTREGION_FORWARDED_ALLOW_IPS)
        uvicorn.run(create_app(settings), host=h, port=p, log_level="info", proxy_headers=False)
    else:
        # each worker builds its app from the environment (the same settings)
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=h,
            port=p,
            workers=n,
            log_level="info",
            proxy_headers=False,
            timeout_worker_healthcheck=settings.worker_healthcheck_s,
        )


@app.command("map")
def map_(
    name: str = typer.Argument(..., help="Map name, e.g. 'region'."),
    out: Path = typer.Option(..., "--out", help="HTML file to write."),
    lang: str = typer.Option("de", help="Label language: de or en."),
    role: str = typer.Option(
        "public",
        "--role",
        envvar="STADTREGION_ROLE",
        help="Whose map: public, planner, landpool or admin (the plots map needs landpool).",
    ),
    by: str = typer.Option(None, "--by", help="plots map: colour by status or score."),
    profile: str = typer.Option(None, "--profile", help="plots map: shipped screening profile."),
    tiles: str = typer.Option(None, "--tiles", help="'none' switches the base map off."),
    option: list[str] = typer.Option(
        None,
        "--option",
        "-o",
        help="A map option KEY=VALUE (repeatable), e.g. reachable: -o from=Weimar -o mode=rail.",
    ),
) -> None:
    """Export a map as one self-contained HTML file (scripts inlined, no CDN)."""
    # here, not at the top: folium and every map builder load only for this command
    from maps.registry import render_map

    options: dict[str, str | None] = {"by": by, "profile": profile}
    for item in option or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--option {item!r} must look like KEY=VALUE.")
        options[key.strip()] = value.strip()

    html = render_map(
        name,
        get_settings(),
        viewer=Viewer(role, getpass.getuser()),
        lang=lang,
        tiles=tiles,
        inline_assets=True,
        options=options,
    )
    out.write_text(html, encoding="utf-8")
    typer.echo(f"wrote {out} ({len(html.encode()) / 1e6:.2f} MB)")
