"""Collection commands: ``majobs crawl`` and ``majobs demo``."""

from __future__ import annotations

from pathlib import Path

import click

from scraper.crawl import parse_settings, run_crawl
from scraper.sources import SourcesError


@click.command()
@click.option(
    "--sources",
    "sources_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML sources file (see data/sources.example.yaml).",
)
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite database.")
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting for this run, as `scrapy crawl -s` does (repeatable).",
)
def crawl(sources_file: Path, db_path: Path, settings: tuple[str, ...]) -> None:
    """Crawl every source in a sources file into the database.

    \b
    Example:
        majobs crawl --sources data/sources.example.yaml --db data/jobs.db -s LOG_LEVEL=WARNING

    Exits 0 when every source was crawled, 1 when a source failed or was cut short.
    """
    try:
        overrides = parse_settings(settings)
        result = run_crawl(sources_file, db_path, settings=overrides)
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


COMMANDS: list[click.Command] = [crawl]
