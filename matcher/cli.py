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

import errno
import logging
import os
import signal
import sqlite3
import threading
from pathlib import Path

import click

from matcher import cli_match, cli_report
from matcher.labels import LabelsError
from scraper import cli_collect, cli_operate

# A full or read-only disk: trouble with where output goes, whichever file (stdout too).
_DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
# Trouble with a path the user gave (no such folder, a file where a folder should be), if named.
# FileExistsError: mkdir(exist_ok=True), the only way this code meets it, found a file of that name.
_PATH_ERRORS = (PermissionError, FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError)


def _os_error_line(exc: OSError) -> str | None:
    """One line for an OSError about a path or the disk; None for any other (a bug keeps its
    traceback)."""
    reason = (exc.strerror or "").lower()
    if exc.errno in _DISK_ERRNOS:
        return f"cannot write {os.fsdecode(exc.filename) if exc.filename else 'the output'}: {reason}"
    if not isinstance(exc, _PATH_ERRORS) or not exc.filename:
        return None
    path = Path(os.fsdecode(exc.filename))
    if isinstance(exc, FileNotFoundError) and not path.parent.is_dir():
        return f"{path}: folder {path.parent} does not exist"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):  # name the file where a folder should be
        file = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if file is not None:
            where = "" if file == path else f"{path}: "
            return f"{where}{file} is a file, not a folder"
    return f"{path}: {reason}"


class Majobs(click.Group):
    """Database trouble any command can meet (a file that is not SQLite, a corrupt one, one locked
    by another writer, a read-only one), a path or disk that cannot be written (permission denied,
    no such folder, disk full), and a bad training label met while training a missing model end in
    one clear line and exit 1, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        # A stopped run ignores later SIGTERMs until it exits (scraper.runner): put the handlers
        # back, so that a process running several commands (the tests) does not go on ignoring.
        handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            raise click.ClickException(f"database error: {exc}") from exc
        except LabelsError as exc:  # a command that trains first (no current model) met a bad label
            raise click.ClickException(f"cannot train the model: {exc}") from exc
        except OSError as exc:
            line = _os_error_line(exc)
            if line is None:
                raise
            raise click.ClickException(line) from exc
        finally:
            if threading.current_thread() is threading.main_thread():
                for signum, handler in handlers.items():
                    if handler is not None:  # None: not set from Python, nothing to put back
                        signal.signal(signum, handler)


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
