"""``majobs report``: the weekly demand report (HTML, Markdown and the JSON behind both)."""

from __future__ import annotations

from pathlib import Path

import click

# The report's modules (scipy, matplotlib) load only when a report is made: `majobs --help` and
# the other commands should not pay seconds for them.
GUIDE_PATH = Path(__file__).resolve().parent.parent / "data" / "guide.yaml"


@click.command("report")
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False),
    default="data/jobs.db",
    show_default=True,
    help="The majobs SQLite database (only read).",
)
@click.option(
    "--week",
    default="last",
    show_default=True,
    help="ISO week YYYY-Www, or 'last' (the week of the latest crawl run).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default="reports",
    show_default=True,
    help="Folder for <week>.html, <week>.md and <week>.json.",
)
@click.option(
    "--guide",
    "guide_path",
    type=click.Path(dir_okay=False, exists=True),
    default=str(GUIDE_PATH),
    show_default=False,
    help="The guide as data (default: data/guide.yaml).",
)
def report(db_path: str, week: str, out_dir: str, guide_path: str) -> None:
    """Hold one week of MA postings against the career guide.

    Writes <week>.html (one self-contained page), <week>.md and <week>.json, and prints their
    paths. Example:

        majobs report --db data/jobs.db --week 2026-W48 --out reports/
    """
    from matcher.report import GuideError, ReportDataError, WeekError, write_report

    try:
        paths = write_report(db_path, week=week, out_dir=out_dir, guide_path=guide_path)
    except (GuideError, WeekError, ReportDataError) as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(str(path))


COMMANDS: list[click.Command] = [report]
