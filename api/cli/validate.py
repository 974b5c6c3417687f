"""``stadtregion validate``: published figures beside computed ones, with the reason."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from api.cli import app
from geo.errors import InputError
from geo.region.validation import reason_counts
from geo.settings import get_settings

#: Formats of ``--format`` (json too, as the API serves it).
CLI_FORMATS = ("table", "csv", "html", "json")


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder, then rename.

    Raises
    ------
    InputError
        The folder does not exist, ``path`` is a folder, or the file cannot be written.
    """
    if path.is_dir():
        raise InputError(f"--out {path} is a folder; give a file name.")
    if not path.parent.is_dir():
        raise InputError(f"--out {path}: folder {path.parent} does not exist.")
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise InputError(f"--out {path} cannot be written: {exc.strerror or exc}.") from None
    finally:
        tmp.unlink(missing_ok=True)


@app.command()
def validate(
    fmt: str = typer.Option("table", "--format", help="table, csv, html or json."),
    out: Path = typer.Option(None, "--out", help="Write the report to this file."),
    lang: str = typer.Option("de", "--lang", help="Labels: de or en."),
) -> None:
    """Published figures (ISEK, INKAR) beside the computed ones: difference and reason."""
    # here, not at the top: the report's map modules load only for this command
    from maps import validation

    if fmt not in CLI_FORMATS:
        raise InputError(f"--format must be one of {', '.join(CLI_FORMATS)}, got {fmt!r}.")
    if lang not in ("de", "en"):
        raise InputError(f"--lang must be de or en, got {lang!r}.")
    if out is not None and (out.is_dir() or not out.parent.is_dir()):
        write_atomic(out, "")  # raises the InputError naming the problem
    report = validation.build_report(get_settings(), lang)
    text = validation.render(report, fmt)
    if out is None:
        typer.echo(text)
        return
    write_atomic(out, text)
    counts = reason_counts(report.table)
    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    typer.echo(f"wrote {out} ({len(report.table)} figures: {summary})")
