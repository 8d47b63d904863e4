"""``majobs report``: the weekly demand report (HTML, Markdown and the JSON behind both)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from matcher.report.weeks import Week

# The report's modules (scipy, matplotlib) load only when a report is made: `majobs --help` and
# the other commands should not pay seconds for them.
GUIDE_PATH = Path(__file__).resolve().parent.parent / "data" / "guide.yaml"


def _week_option(ctx: click.Context, param: click.Parameter, value: str) -> object:
    """A named week is checked before anything is read: one that cannot be reported on (2026-W54,
    0001-W01) is a usage error, like any bad option. 'last' is resolved from the database."""
    if value.strip().lower() == "last":
        return value
    from matcher.report.weeks import WeekError, parse_week

    try:
        return parse_week(value)
    except WeekError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc


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
    callback=_week_option,
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
def report(db_path: str, week: Week | str, out_dir: str, guide_path: str) -> None:
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
