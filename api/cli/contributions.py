"""``stadtregion contributions``: moderate, forget, purge, verify and report forum contributions."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from api.cli import app
from api.cli.contributions_report import render_csv, render_html
from geo.access.roles import Role, Viewer
from geo.errors import InputError, IntegrityError
from geo.forum.schema import STATUS
from geo.forum.store import ContributionStore
from geo.settings import get_settings
from geo.usecases import forum as forum_uc
from geo.usecases import forum_report

contributions_app = typer.Typer(
    help="Forum contributions: list, approve, reject, hide, take-up, reopen, forget, purge, "
    "verify-history, topics, report.",
    no_args_is_help=True,
)
app.add_typer(contributions_app, name="contributions")
topics_app = typer.Typer(
    help="The forum's topics: list (default) and add.", invoke_without_command=True
)
contributions_app.add_typer(topics_app, name="topics")

#: Who the history names for a step taken on the command line.
CLI_ACTOR = "cli"


def _store() -> ContributionStore:
    return forum_uc.open_contributions(get_settings())


def _moderator(name: str) -> Viewer:
    name = name.strip()
    if not name or len(name) > 64:
        raise InputError("--by must name the moderator (1..64 characters).")
    return Viewer(Role.PLANNER, name)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} must be a date YYYY-MM-DD, got {value!r}.") from None


@contributions_app.command("list")
def list_(
    status: str = typer.Option("pending", "--status", help=f"One of {', '.join(STATUS)}."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
) -> None:
    """List contributions of a status (never an e-mail): id, date, topic, place, title."""
    if status not in STATUS:
        raise InputError(f"--status must be one of {', '.join(STATUS)}, got {status!r}.")
    with _store() as store:
        items = store.list(statuses=(status,), limit=limit)
    if not items:
        typer.echo(f"no {status} contributions")
        return
    for c in items:
        typer.echo(
            f"{c.id}  {c.created_at:%Y-%m-%d}  {c.topic:<10} {c.municipality[:24]:<24} {c.title}"
        )


@contributions_app.command("approve")
def approve(
    contribution_id: str = typer.Argument(..., help="Contribution id"),
    by: str = typer.Option(..., "--by", help="Moderator (recorded in the history)."),
) -> None:
    """Approve a contribution: it becomes public."""
    with _store() as store:
        c = forum_uc.moderate(store, _moderator(by), contribution_id, "approved")
    typer.echo(f"{c.id} approved")


@contributions_app.command("reject")
def reject(
    contribution_id: str = typer.Argument(..., help="Contribution id"),
    reason: str = typer.Option(..., "--reason", help="Public reason ('abgelehnt: …')."),
    by: str = typer.Option(..., "--by", help="Moderator (recorded in the history)."),
) -> None:
    """Reject a contribution with a public reason."""
    with _store() as store:
        c = forum_uc.moderate(store, _moderator(by), contribution_id, "rejected", reason=reason)
    typer.echo(f"{c.id} rejected: {c.reason}")


@contributions_app.command("hide")
def hide(
    contribution_id: str = typer.Argument(..., help="Contribution id"),
    by: str = typer.Option(..., "--by", help="Moderator (recorded in the history)."),
    reason: str = typer.Option(None, "--reason", help="Internal note (never shown publicly)."),
) -> None:
    """Hide a contribution entirely (spam): it never shows, not even as rejected."""
    with _store() as store:
        c = forum_uc.moderate(store, _moderator(by), contribution_id, "hidden", reason=reason)
    typer.echo(f"{c.id} hidden")


@contributions_app.command("take-up")
def take_up(
    contribution_id: str = typer.Argument(..., help="Contribution id (approved)"),
    project: str = typer.Option(
        ..., "--project", help="Id of the cooperation project that takes it up."
    ),
    by: str = typer.Option(..., "--by", help="Moderator (recorded in the history)."),
) -> None:
    """Mark an approved contribution as taken up by a cooperation project of the register."""
    with _store() as store:
        c = forum_uc.moderate(
            store, _moderator(by), contribution_id, "taken_up", project_ref=project
        )
    typer.echo(f"{c.id} taken up by project {c.project_ref}")


@contributions_app.command("reopen")
def reopen(
    contribution_id: str = typer.Argument(..., help="Contribution id"),
    by: str = typer.Option(..., "--by", help="Moderator (recorded in the history)."),
) -> None:
    """Put a moderated contribution back into the queue (it is not public meanwhile)."""
    with _store() as store:
        c = forum_uc.moderate(store, _moderator(by), contribution_id, "reopened")
    typer.echo(f"{c.id} back in the queue ({c.status})")


@contributions_app.command("forget")
def forget(email: str = typer.Argument(..., help="The e-mail address to delete")) -> None:
    """Delete every stored copy of a contact e-mail (a request under GDPR art. 17)."""
    with _store() as store:
        n = store.forget_email(email, CLI_ACTOR)
    typer.echo(f"deleted the e-mail of {n} contribution(s)")


@contributions_app.command("purge")
def purge() -> None:
    """Delete contact e-mails older than contact_retention_days."""
    settings = get_settings()
    with _store() as store:
        n = store.purge()
    typer.echo(f"deleted {n} contact e-mail(s) older than {settings.contact_retention_days:g} days")


@contributions_app.command("verify-history")
def verify_history(
    expect_head: str = typer.Option(None, "--expect-head", help="Chain head recorded earlier."),
) -> None:
    """Recompute the history's hash chain; exit 1 on any break."""
    with _store() as store:
        report = store.verify_history()
    for problem in report.problems:
        typer.echo(f"broken: {problem}", err=True)
    if expect_head and report.head_hash != expect_head:
        raise IntegrityError(f"chain head is {report.head_hash}, expected {expect_head}.")
    if report.problems:
        raise IntegrityError(
            f"the contribution history has {len(report.problems)} chain break(s); it was "
            "changed outside the application."
        )
    typer.echo(f"history intact: {report.rows} rows, head {report.head_hash}")


@topics_app.callback()
def topics(ctx: typer.Context) -> None:
    """List the topics (key, German, English)."""
    if ctx.invoked_subcommand is None:
        with _store() as store:
            for t in store.topics():
                typer.echo(f"{t.key:<12} {t.de:<20} {t.en}")


@topics_app.command("add")
def topics_add(
    key: str = typer.Argument(..., help="Key, e.g. energy"),
    de: str = typer.Option(..., "--de", help="German name"),
    en: str = typer.Option(..., "--en", help="English name"),
) -> None:
    """Add a topic (admins run the command line)."""
    with _store() as store:
        t = store.add_topic(key, de, en)
    typer.echo(f"topic {t.key} added: {t.de} / {t.en}")


@contributions_app.command("report")
def report(
    topic: str = typer.Option(None, "--topic", help="Topic key or name (e.g. Verkehr)."),
    since: str = typer.Option(None, "--since", help="From this date (YYYY-MM-DD)."),
    until: str = typer.Option(None, "--until", help="Before this date (YYYY-MM-DD)."),
    fmt: str = typer.Option("html", "--format", help="html or csv"),
    out: Path = typer.Option(None, "--out", help="File to write (default: stdout)."),
) -> None:
    """The round-table report: approved and taken-up contributions by topic and place."""
    if fmt not in ("html", "csv"):
        raise InputError(f"--format must be html or csv, got {fmt!r}.")
    start, end = _date(since, "--since"), _date(until, "--until")
    settings = get_settings()
    with _store() as store:
        rep = forum_report.build_report(settings, store, topic=topic, since=start, until=end)
    text = render_html(rep) if fmt == "html" else render_csv(rep)
    if out is None:
        typer.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {out}: {exc.strerror}.") from None
    typer.echo(f"{out}: {len(rep.rows)} contributions in {len(rep.groups)} groups", err=True)
