"""Collection commands: ``majobs crawl`` and ``majobs demo``."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from scraper.cli_options import db_option, settings_option, sources_option
from scraper.crawl import parse_settings, run_crawl
from scraper.lock import AlreadyRunning, RunLock
from scraper.sources import SourcesError


@click.command()
@sources_option
@db_option
@settings_option
def crawl(sources_file: Path, db_path: Path, settings: tuple[str, ...]) -> None:
    """Crawl every source in a sources file into the database.

    \b
    Example:
        majobs crawl --sources data/sources.example.yaml --db data/jobs.db -s LOG_LEVEL=WARNING

    Exits 0 when every source was read completely without a failed page; 1 otherwise (a failed
    page, a source not read completely, an interrupted crawl: listed on stderr); 75 when another
    run or crawl holds the database's lock. `majobs run` has finer exit codes for monitoring.
    """
    try:
        overrides = parse_settings(settings)
        # Scrapy logs at the CLI's level (-v for INFO) unless -s LOG_LEVEL=... says otherwise.
        overrides.setdefault("LOG_LEVEL", logging.getLevelName(logging.getLogger().getEffectiveLevel()))
        # One writer at a time, as `majobs run`: the crawl process holds the lock too.
        with RunLock(db_path) as lock:
            result = run_crawl(sources_file, db_path, settings=overrides, pass_fds=(lock.fileno(),))
    except AlreadyRunning as exc:
        click.echo(f"majobs crawl: not started: {exc}", err=True)
        raise SystemExit(75) from exc
    except (SourcesError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(result.summary())
    for row in result.sources:
        if not row["complete"] or row["failed"]:
            click.echo(
                f"  {row['source_key']}: {row['pages']} pages, {row['fetched']} postings, "
                f"{row['failed']} failures{'' if row['complete'] else ', incomplete'}",
                err=True,
            )
    if result.status != "ok":
        raise SystemExit(1)


@click.command()
@click.option(
    "--db",
    "db_path",
    default="data/demo.db",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Demo database (removed and rebuilt on every run).",
)
@click.option(
    "--out",
    "out_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the report is written.",
)
@click.option(
    "--weeks",
    default=8,
    show_default=True,
    type=click.IntRange(1, 8),
    help="How many of the eight weekly crawls (2026-W41 ... W48) to run; the last N are used.",
)
def demo(db_path: Path, out_dir: Path, weeks: int) -> None:
    """Run everything offline on the bundled demo world (data/demo/).

    Serves invented employers' job boards (Greenhouse, Lever, Workday, USAJOBS and career sites
    with JSON-LD) on 127.0.0.1, crawls them once a week for eight weeks of the demo's clock, then
    finds cross-source duplicates, tags the postings and writes the week's report.

    \b
    Example:
        majobs demo                      # about a minute; prints the report path
        majobs demo --weeks 2 --db /tmp/demo.db --out /tmp/reports
    """
    from scraper.demo import run_demo, summary_lines

    # `majobs -v demo` shows the crawl's warnings, -vv its info lines.
    verbosity = logging.getLogger().getEffectiveLevel()
    settings = {}
    if verbosity < logging.WARNING:
        settings["LOG_LEVEL"] = "WARNING" if verbosity == logging.INFO else "INFO"
    try:
        result = run_demo(db_path, out_dir, weeks, echo=click.echo, progress=True, settings=settings)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in summary_lines(db_path):
        click.echo(line)
    click.echo(f"database: {db_path}")
    for path in result.reports:
        click.echo(f"report: {path}")
    if not result.reports:
        click.echo("no report written (see the reporting error above)")
    if not result.ok or any(w.crawl.status == "failed" for w in result.weeks):
        raise SystemExit(1)


COMMANDS: list[click.Command] = [crawl, demo]
