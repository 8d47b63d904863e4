"""Options shared by the crawl-side commands (crawl, run, import-jobspy, query, serve)."""

from __future__ import annotations

from pathlib import Path

import click

sources_option = click.option(
    "--sources",
    "sources_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML sources file (see data/sources.example.yaml).",
)
db_option = click.option(
    "--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite database."
)
settings_option = click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting for this run, as `scrapy crawl -s` does (repeatable).",
)
