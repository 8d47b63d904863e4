"""The scheduled job behind ``majobs run``: crawl, then dedup, then tag, one run at a time.

Every run leaves a ``crawl_runs`` row: the crawl opens it, and the stages after it write their
results on it (``duplicates``, ``tagged``) — or their failure (``status`` becomes ``partial``
and ``error`` says which stage failed and why). A sources file that cannot be read still gets a
``failed`` row. A run refused because another holds the lock writes nothing.

Exit codes (for cron, systemd and monitoring), the first that applies:

====  ==========================================================================================
75    another run holds the lock on this database (EX_TEMPFAIL: nothing done, try later)
1     the command could not start: unreadable sources file, bad ``-s`` setting
4     the crawl as a whole failed or was interrupted (crash, SIGTERM/SIGINT, no source read)
3     at least one source failed outright (not one page read); the others were stored
5     the crawl was fine but dedup or tagging failed (postings stored; groups or tags stale)
0     ok — including sources with some failed pages (counted in the summary, nothing closed
      for a source that was not read completely)
====  ==========================================================================================
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scraper.crawl import CrawlResult, run_crawl
from scraper.dedup import DedupResult, dedup_database
from scraper.lifecycle import mark_abandoned_runs
from scraper.lock import RunLock
from scraper.sources import SourcesError, load_sources
from scraper.store import finish_run, open_db, start_run

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_SOURCE_FAILED = 3
EXIT_CRAWL_FAILED = 4
EXIT_STAGE_FAILED = 5
EXIT_LOCKED = 75

STOPPED_IN_STAGES = "stopped while deduplicating or tagging"


@dataclass
class StagesOutcome:
    dedup: DedupResult | None = None
    tag: dict[str, Any] | None = None
    tag_skipped: str | None = None  # why tagging did not run (no matcher installed)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.dedup is not None:
            parts.append(self.dedup.summary())
        if self.tag is not None:
            parts.append(
                f"tag: {self.tag.get('tagged', 0)} postings tagged ({self.tag.get('model_version', '?')})"
            )
        elif self.tag_skipped:
            parts.append(f"tag: skipped ({self.tag_skipped})")
        parts.extend(f"FAILED {e}" for e in self.errors)
        return "; ".join(parts)


@dataclass
class RunOutcome:
    run_id: int | None
    status: str
    exit_code: int
    crawl: CrawlResult | None = None
    stages: StagesOutcome | None = None
    error: str | None = None

    def summary(self) -> str:
        """One line for cron mail and logs."""
        if self.crawl is None:
            return f"run {self.run_id} {self.status}: {self.error} [exit {self.exit_code}]"
        r = self.crawl.run
        line = (
            f"run {self.run_id} {self.status}: {r.get('sources') or 0} sources, {r.get('pages') or 0} pages, "
            f"{r.get('fetched') or 0} postings ({r.get('new') or 0} new, {r.get('updated') or 0} updated, "
            f"{r.get('unchanged') or 0} unchanged), {r.get('closed') or 0} closed, "
            f"{r.get('reopened') or 0} reopened, {r.get('failed') or 0} failures"
        )
        failed = self.crawl.failed_sources
        if failed:
            line += f", {len(failed)} sources failed outright ({', '.join(failed)})"
        if self.stages is not None and self.stages.summary():
            line += f"; {self.stages.summary()}"
        return f"{line} [exit {self.exit_code}]"


def _tag_function() -> Callable[..., Any] | None:
    """``matcher.tag.tag_database`` if the matcher is installed; a broken matcher is an error."""
    try:
        from matcher import tag
    except ModuleNotFoundError as exc:
        if exc.name in ("matcher", "matcher.tag"):
            return None
        raise
    return getattr(tag, "tag_database", None)


def after_collect(db_path: str | Path, run_id: int, *, progress: bool = False) -> StagesOutcome:
    """Dedup, then tag, what a crawl or import stored; the outcome is written on run ``run_id``."""
    outcome = StagesOutcome()
    db = open_db(db_path)
    try:
        try:
            outcome.dedup = dedup_database(db, progress=progress)
        except Exception as exc:  # a stage's failure is recorded, and the next stage still runs
            logger.exception("dedup failed")
            outcome.errors.append(f"dedup: {type(exc).__name__}: {exc}")
        try:
            tag_database = _tag_function()
            if tag_database is None:
                outcome.tag_skipped = "matcher.tag not installed"
            else:
                outcome.tag = dict(tag_database(db, progress=progress) or {})
        except Exception as exc:
            logger.exception("tagging failed")
            outcome.errors.append(f"tag: {type(exc).__name__}: {exc}")
        _record_stages(db, run_id, outcome)
    finally:
        db.close()
    return outcome


def _record_stages(db: Any, run_id: int, outcome: StagesOutcome) -> None:
    run = dict(db.table("crawl_runs").get(run_id))
    update: dict[str, Any] = {
        "duplicates": outcome.dedup.duplicates if outcome.dedup else None,
        "tagged": int(outcome.tag.get("tagged") or 0) if outcome.tag else None,
    }
    if outcome.errors:
        update["error"] = "; ".join(filter(None, [run.get("error"), *outcome.errors]))
        if run.get("status") == "ok":
            update["status"] = "partial"
    with db.conn:
        db.table("crawl_runs").update(run_id, update)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (systemd stopping the job, ``kill``) ends the work inside as Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    fired = False

    def interrupt(_signum: int, _frame: Any) -> None:
        nonlocal fired
        fired = True
        # Stopping now: a later SIGTERM (systemd signals every process) must not kill the process
        # with the default action while it records the run as interrupted.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        if not fired:  # else stay stopping; the CLI restores its handlers on the way out
            signal.signal(signal.SIGTERM, previous)


@contextmanager
def interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back over work that must not be cut in two (a batch committed and
    counted): a stop asked for meanwhile is delivered, to the handler in place, once it is done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    asked: list[int] = []

    def hold(signum: int, _frame: Any) -> None:
        asked.append(signum)

    previous = {signum: signal.signal(signum, hold) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if asked:
        signal.raise_signal(asked[0])


def _mark_interrupted(db_path: str | Path, run_id: int, why: str) -> None:
    db = open_db(db_path)
    try:
        run = db.table("crawl_runs").get(run_id)
        error = "; ".join(filter(None, [run["error"], why]))
        with db.conn:
            db.table("crawl_runs").update(run_id, {"status": "interrupted", "error": error})
    finally:
        db.close()


def after_collect_unless_stopped(
    db_path: str | Path, run_id: int, *, progress: bool = False
) -> StagesOutcome | None:
    """:func:`after_collect`, which SIGTERM or Ctrl-C stops: then ``None``, the run marked
    interrupted. Each tagging batch is one transaction: what was tagged stays, the rest waits."""
    try:
        with sigterm_as_interrupt():
            return after_collect(db_path, run_id, progress=progress)
    except KeyboardInterrupt:
        _mark_interrupted(db_path, run_id, STOPPED_IN_STAGES)
        return None


def _failed_run(db_path: str | Path, now: datetime, sources_file: str, error: str) -> int:
    db = open_db(db_path)
    try:
        run_id = start_run(db, started_at=now.isoformat(), sources_file=sources_file, pid=os.getpid())
        finish_run(db, run_id, status="failed", finished_at=now.isoformat(), error=error)
        return run_id
    finally:
        db.close()


def run_job(
    sources_file: str | Path,
    db_path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    now: datetime | None = None,
    progress: bool = False,
) -> RunOutcome:
    """Crawl, dedup and tag under the database's run lock; raises ``AlreadyRunning`` if taken."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    with RunLock(db_path) as lock:
        db = open_db(db_path)
        try:
            mark_abandoned_runs(db, now.isoformat())
        finally:
            db.close()
        try:
            load_sources(sources_file)  # a bad file still gets its (failed) run row
        except SourcesError as exc:
            run_id = _failed_run(db_path, now, str(sources_file), str(exc))
            return RunOutcome(run_id, "failed", EXIT_ERROR, error=str(exc))
        # The crawl process holds the lock too: a parent killed alone does not free it mid-crawl.
        crawl = run_crawl(sources_file, db_path, settings=settings, now=now, pass_fds=(lock.fileno(),))
        stages = None
        interrupted = crawl.status == "interrupted"
        if not interrupted:
            stages = after_collect_unless_stopped(db_path, crawl.run_id, progress=progress)
            interrupted = stages is None
        db = open_db(db_path)
        try:
            status = db.table("crawl_runs").get(crawl.run_id)["status"]
        finally:
            db.close()
    if crawl.status == "failed" or interrupted:
        code = EXIT_CRAWL_FAILED
    elif crawl.failed_sources:
        code = EXIT_SOURCE_FAILED
    elif stages is not None and stages.errors:
        code = EXIT_STAGE_FAILED
    else:
        code = EXIT_OK
    return RunOutcome(crawl.run_id, status, code, crawl=crawl, stages=stages)
