"""The register's import page: upload a GeoPackage, GeoJSON, zipped Shapefile or CSV.

The upload is saved to a temporary file with the file's own suffix (and its name, which
the import report and the history name), at most ``settings.max_body_bytes`` (a larger
body is refused with the 413 page before it is read), imported by ONE use case
(:func:`geo.usecases.landpool.import_plots`, all rows or none) and removed afterwards.
A refused file shows every bad row on the page and leaves the store unchanged.

Two modes: new plots (no id may be stored yet), or with the *update* box ticked, changes
to stored plots by ``plot_id`` (a file from the register's export, edited elsewhere), each row
checked against the version it names, with a required reason.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api.deps import get_app_settings, get_store, get_viewer
from api.web.forms import read_form
from api.web.register_view import change_text
from api.web.render import PageLang, href_for, page
from geo.access.roles import Viewer
from geo.errors import ConflictError, ImportRefusedError, InputError
from geo.landpool.store import Store
from geo.settings import Settings
from geo.usecases import landpool as uc
from geo.vocabulary import word

router = APIRouter(include_in_schema=False)
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]

#: File suffixes the import reads (a Shapefile comes zipped).
SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".csv")
#: Fields of the import form.
IMPORT_FIELDS = frozenset({"file", "crs", "layer", "repair", "update", "reason"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 1 << 16


def upload_name(filename: str) -> str:
    """A safe local name for an uploaded file: its base name in plain characters, with
    one of :data:`SUFFIXES` (:class:`InputError` for any other kind of file)."""
    base = Path(filename.replace("\\", "/")).name
    suffix = Path(base).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            f"file {base!r} cannot be imported; upload a GeoPackage (.gpkg), GeoJSON "
            "(.geojson, .json), a zipped Shapefile (.zip) or a CSV file with a WKT column (.csv)."
        )
    stem = _UNSAFE.sub("_", Path(base).stem).strip("._")[:80] or "upload"
    return stem + suffix


async def save_upload(upload: UploadFile, folder: Path, max_bytes: int) -> Path:
    """Copy ``upload`` into ``folder`` (at most ``max_bytes``, else :class:`InputError`)."""
    path = folder / upload_name(upload.filename or "")
    size = 0
    with path.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise InputError(
                    f"the file is larger than {max_bytes} bytes; split it, or raise "
                    "STADTREGION_MAX_BODY_BYTES on the server."
                )
            out.write(chunk)
    if size == 0:
        raise InputError(f"the file {path.name!r} is empty.")
    return path


def _page(
    request: Request, viewer: Viewer, lang: str, settings: Settings, status: int = 200, **extra: Any
) -> HTMLResponse:
    return page(
        request,
        viewer,
        "register_import.html",
        lang,
        title=word("register_import", "title", lang),
        status=status,
        max_mb=f"{settings.max_body_bytes / 1e6:g}",
        **extra,
    )


@router.get("/register/import", response_class=HTMLResponse)
def import_form(
    request: Request, viewer: ViewerDep, settings: SettingsDep, lang: PageLang
) -> HTMLResponse:
    """The upload form (land-pool role)."""
    viewer.require_write()
    return _page(request, viewer, lang, settings)


@router.post("/register/import", response_class=HTMLResponse)
async def import_file(
    request: Request,
    viewer: ViewerDep,
    store: StoreDep,
    settings: SettingsDep,
    lang: PageLang,
) -> HTMLResponse:
    """Import the uploaded file: all its plots, or none and every bad row listed."""
    viewer.require_write()  # before the upload is read
    form = await read_form(request, allowed=IMPORT_FIELDS)
    entered = {k: form.get(k) or "" for k in ("crs", "layer", "reason")}
    entered["repair"] = "on" if form.get("repair") else ""
    entered["update"] = "on" if form.get("update") else ""
    upload = form.file("file")
    try:
        if upload is None:
            raise InputError("choose a file to import.")
        options = uc.ImportOptions(
            crs=form.get("crs"),
            layer=form.get("layer"),
            repair=bool(form.get("repair")),
            update=bool(form.get("update")),
            reason=form.get("reason"),
        )
        with tempfile.TemporaryDirectory(prefix="sr-import-") as tmp:
            path = await save_upload(upload, Path(tmp), settings.max_body_bytes)
            report = await run_in_threadpool(uc.import_plots, store, viewer, path, options)
    except ImportRefusedError as exc:
        rows = len({p.row for p in exc.problems})
        return _page(
            request,
            viewer,
            lang,
            settings,
            status=422,
            entered=entered,
            refused=exc,
            refused_rows=rows,
        )
    except (InputError, ConflictError) as exc:
        status = 409 if isinstance(exc, ConflictError) else 422
        return _page(
            request, viewer, lang, settings, status=status, entered=entered, error=str(exc)
        )
    finally:
        if upload is not None:
            await upload.close()
    changed = [
        {
            "plot_id": c.plot_id,
            "href": href_for(lang, f"/register/{c.plot_id}"),
            "version": c.version,
            "changes": [change_text(k, v, lang) for k, v in c.changes.items()],
        }
        for c in report.changed
    ]
    # done: the form starts afresh, so the same file is not sent again by mistake
    return _page(request, viewer, lang, settings, entered={}, report=report, changed=changed)
