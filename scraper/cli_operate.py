"""Operations commands: ``majobs run`` (the scheduled job), ``query``, ``serve``, ``import-jobspy``."""

from __future__ import annotations

import logging
import math
import sys
from datetime import datetime
from pathlib import Path

import click

from scraper.cli_options import db_option, settings_option, sources_option
from scraper.crawl import parse_settings
from scraper.lock import AlreadyRunning
from scraper.query import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)


class Seconds(click.FloatRange):
    """A time limit: more than 0 and finite (nan and inf pass FloatRange's comparisons)."""

    def __init__(self) -> None:
        super().__init__(min=0, min_open=True)

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        seconds = super().convert(value, param, ctx)
        if not math.isfinite(seconds):
            self.fail(f"{value!r} is not a finite number of seconds.", param, ctx)
        return seconds


def _progress() -> bool:
    """Progress bars only for a person at a terminal, not in cron mail."""
    return sys.stderr.isatty()


@click.command()
@sources_option
@db_option
@settings_option
@click.option(
    "--now", type=click.DateTime(), default=None, hidden=True, help="The run's clock (tests, demo)."
)
def run(sources_file: Path, db_path: Path, settings: tuple[str, ...], now: datetime | None) -> None:
    """The scheduled job: crawl every source, then dedup, then tag; one run at a time.

    Prints one summary line and exits with a code monitoring can act on:
    0 ok; 3 a source failed outright (not one page read); 4 the crawl failed or was
    interrupted; 5 dedup or tagging failed; 1 bad sources file or setting; 75 another run
    holds the lock on this database. Every run is a row in crawl_runs.

    \b
    Example (crontab, daily at 05:17):
        17 5 * * *  cd /srv/majobs && majobs run --sources data/sources.yaml --db data/jobs.db
    """
    from scraper.runner import EXIT_LOCKED, run_job

    try:
        overrides = parse_settings(settings)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        outcome = run_job(sources_file, db_path, settings=overrides, now=now, progress=_progress())
    except AlreadyRunning as exc:
        click.echo(f"majobs run: not started: {exc}", err=True)
        raise SystemExit(EXIT_LOCKED) from exc
    click.echo(outcome.summary())
    if outcome.crawl is not None:
        for row in outcome.crawl.sources:
            if not row["complete"] or row["failed"]:
                click.echo(
                    f"  {row['source_key']}: {row['pages']} pages, {row['fetched']} postings, "
                    f"{row['failed']} failures{'' if row['complete'] else ', incomplete (nothing closed)'}",
                    err=True,
                )
    if outcome.exit_code:
        raise SystemExit(outcome.exit_code)


@click.command()
@click.argument("sql")
@db_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--timeout",
    type=Seconds(),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Stop the query after this many seconds (running it and fetching its rows).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    help=f"Print at most this many rows (a note on stderr says when there were more). Default: "
    f"{DEFAULT_MAX_ROWS:,} for a table; csv and json print every row (an export must not lose any).",
)
@click.option(
    "-p", "--param", "params", multiple=True, nargs=2, metavar="NAME VALUE", help="A :name parameter."
)
def query(
    sql: str,
    db_path: Path,
    fmt: str,
    timeout: float,
    max_rows: int | None,
    params: tuple[tuple[str, str], ...],
) -> None:
    """Run one read-only SQL statement against the database.

    Writes, ATTACH and pragmas that change state are refused; the views active_postings,
    posting_lifecycle, cert_demand_by_stage, ehr_demand, posting_pay, pay_by_stage and
    dedup_groups answer the common questions. In JSON, numbers SQLite holds as infinite
    (select 1e999) are null.

    \b
    Examples:
        majobs query "select * from pay_by_stage" --db data/jobs.db
        majobs query "select state, count(distinct group_id) jobs from active_postings group by state" \\
            --db data/jobs.db --format csv
        majobs query "select title from postings where state = :st" -p st OR --db data/jobs.db
    """
    from scraper.query import QueryError, cap_sqlite_memory, format_result, run_query

    cap_sqlite_memory()  # this process runs one query: a row of huge values fails, not swaps
    if max_rows is None and fmt == "table":
        max_rows = DEFAULT_MAX_ROWS  # a stray cross join must not flood the terminal
    try:
        result = run_query(db_path, sql, dict(params), timeout=timeout, max_rows=max_rows)
    except QueryError as exc:
        hint = " (give it with -p NAME VALUE)" if "binding parameter" in str(exc) else ""
        raise click.ClickException(f"{exc}{hint}") from exc
    click.echo(format_result(result, fmt))
    if result.truncated:
        click.echo(f"note: only the first {max_rows:,} rows are shown; raise --max-rows for more", err=True)


@click.command()
@db_option
@click.option(
    "--port", type=click.IntRange(1, 65535), default=8001, show_default=True, help="Port on 127.0.0.1."
)
@click.option(
    "--metadata",
    "metadata_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Datasette metadata (default: data/metadata.yaml).",
)
def serve(db_path: Path, port: int, metadata_path: Path | None) -> None:
    """Browse the database with Datasette on 127.0.0.1, read-only.

    Tables and columns described, full-text search on postings, facets on stage, state and
    source, and canned queries for the common questions (and the weekly report's figures).

    \b
    Example:
        majobs serve --db data/jobs.db --port 8001     # then open http://127.0.0.1:8001/
    """
    from scraper import serve as serving

    if not db_path.exists():
        raise click.ClickException(f"no database at {db_path}")
    try:
        serving.serve(
            db_path, port=port, metadata_path=metadata_path or serving.METADATA, announce=click.echo
        )
    except (serving.NotAStore, serving.PortUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("import-jobspy")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@click.option("--all-titles", is_flag=True, help="Keep every title, not only the MA role family.")
def import_jobspy(csv_file: Path, db_path: Path, all_titles: bool) -> None:
    """Import postings exported by JobSpy (a CSV) into the database, then dedup and tag them.

    Rows go in with source "jobspy" (source_key "jobspy:<site>"); bad rows are counted and
    logged, not fatal. The import is a crawl_runs row. Exits 0 when the file was read (bad rows
    counted), 1 when it is not a JobSpy CSV or no row could be read, 4 when stopped (SIGTERM,
    Ctrl-C: the run is recorded as interrupted, whole batches kept), 5 when dedup or tagging
    failed, 75 when a `majobs run` holds the database.

    \b
    Example:
        python -c 'import csv, jobspy; jobspy.scrape_jobs(site_name=["indeed"],
            search_term="medical assistant", location="Phoenix, AZ").to_csv(
            "jobs.csv", quoting=csv.QUOTE_NONNUMERIC, escapechar="\\\\", index=False)'
        majobs import-jobspy jobs.csv --db data/jobs.db
    """
    from scraper import runner
    from scraper.jobspy import JobSpyFileError
    from scraper.jobspy import import_jobspy as do_import
    from scraper.lock import RunLock

    stages = None
    try:
        # Not while a scheduled run writes the same database; SIGTERM stops it as Ctrl-C does.
        with RunLock(db_path), runner.sigterm_as_interrupt():
            try:
                result = do_import(csv_file, db_path, title_filter=not all_titles)
            except JobSpyFileError as exc:
                raise click.ClickException(str(exc)) from exc
            if result.status != "interrupted":
                stages = runner.after_collect_unless_stopped(db_path, result.run_id, progress=_progress())
    except AlreadyRunning as exc:
        click.echo(f"majobs import-jobspy: not started: {exc}", err=True)
        raise SystemExit(runner.EXIT_LOCKED) from exc
    if stages is None:  # stopped: the run is recorded as interrupted, exit as `majobs run` does
        why = "dedup and tagging not run" if result.status == "interrupted" else runner.STOPPED_IN_STAGES
        result.status = "interrupted"
        click.echo(f"{result.summary()}; {why}")
        raise SystemExit(runner.EXIT_CRAWL_FAILED)
    click.echo(f"{result.summary()}; {stages.summary()}")
    if result.status == "failed":
        raise click.ClickException("no row of the file could be imported")
    if stages.errors:
        raise SystemExit(runner.EXIT_STAGE_FAILED)


@click.command()
@db_option
@click.option("--full", is_flag=True, help="Judge every posting again, not only those new or changed.")
def dedup(db_path: Path, full: bool) -> None:
    """Group duplicate postings (one job on two sources, or reposted), as `majobs run` does after
    its crawl; for a database filled by `majobs crawl` alone.

    
    Example:
        majobs crawl --sources data/sources.yaml --db data/jobs.db
        majobs dedup --db data/jobs.db

    Exits 75 while a run or crawl writes the database.
    """
    from scraper.dedup import dedup_database
    from scraper.lock import RunLock
    from scraper.runner import EXIT_LOCKED
    from scraper.store import open_db

    if not db_path.exists():
        raise click.ClickException(f"no database at {db_path}")
    try:
        with RunLock(db_path):
            db = open_db(db_path)
            try:
                result = dedup_database(db, full=full, progress=_progress())
            finally:
                db.close()
    except AlreadyRunning as exc:
        click.echo(f"majobs dedup: not started: {exc}", err=True)
        raise SystemExit(EXIT_LOCKED) from exc
    click.echo(result.summary())


COMMANDS: list[click.Command] = [run, dedup, query, serve, import_jobspy]
