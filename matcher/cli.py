"""``majobs``: one click group over the library. Each area keeps its commands in its own module.

Examples::

    majobs demo                                     # the whole job on the bundled demo data
    majobs crawl --sources data/sources.example.yaml --db data/jobs.db
    majobs tag --db data/jobs.db
    majobs report --db data/jobs.db --week last
    majobs query "select title, company from active_postings limit 5" --db data/jobs.db
    majobs serve --db data/jobs.db
"""

from __future__ import annotations

import logging
import sqlite3

import click

from matcher import cli_match, cli_report
from scraper import cli_collect, cli_operate


class Majobs(click.Group):
    """Database trouble any command can meet (a file that is not SQLite, a corrupt one, one locked
    by another writer, a read-only one) ends in one clear line and exit 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            raise click.ClickException(f"database error: {exc}") from exc
        except PermissionError as exc:
            raise click.ClickException(f"cannot write {exc.filename}: permission denied") from exc


@click.group(cls=Majobs, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="majobs")
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
def cli(verbose: int) -> None:
    """majobs: what US employers ask of Medical Assistants, held against a career guide.

    Collect postings (crawl), tag them (tag), compare them with the guide (report), and query
    the database (query, serve). `majobs demo` runs it all on bundled demo data, offline.
    """
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


for module in (cli_collect, cli_match, cli_report, cli_operate):
    for command in module.COMMANDS:
        cli.add_command(command)
