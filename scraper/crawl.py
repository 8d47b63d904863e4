"""Run a crawl of a sources file into the store: the engine behind ``majobs crawl``.

One spider per platform runs in one Scrapy process, each with every source of its kind. The
crawl runs in a child process so that the parent can always close the ``crawl_runs`` row — also
when the crawl is killed — and so that one Python process can run several crawls (Twisted's
reactor cannot be restarted).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scraper.pipelines import run_status
from scraper.sources import Source, load_sources
from scraper.store import finish_run, open_db, start_run

logger = logging.getLogger(__name__)

SPIDERS: dict[str, str] = {
    "greenhouse": "scraper.spiders.greenhouse.GreenhouseSpider",
    "lever": "scraper.spiders.lever.LeverSpider",
    "jsonld": "scraper.spiders.jsonld.JsonLdSpider",
    "workday": "scraper.spiders.workday.WorkdaySpider",
    "usajobs": "scraper.spiders.usajobs.UsajobsSpider",
}


@dataclass
class CrawlResult:
    run_id: int
    status: str  # ok | partial | failed | interrupted
    run: dict[str, Any]
    sources: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failed_sources(self) -> list[str]:
        """Sources that got nowhere: not one page read."""
        return [s["source_key"] for s in self.sources if not s["pages"]]

    def summary(self) -> str:
        r = self.run
        return (
            f"crawl run {self.run_id} {self.status}: {r.get('sources') or 0} sources, "
            f"{r.get('pages') or 0} pages, {r.get('fetched') or 0} postings "
            f"({r.get('new') or 0} new, {r.get('updated') or 0} updated, "
            f"{r.get('unchanged') or 0} unchanged), "
            f"{r.get('dropped') or 0} dropped as not MA, {r.get('closed') or 0} closed, "
            f"{r.get('failed') or 0} failures"
        )


def parse_settings(pairs: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` pairs (as ``scrapy crawl -s``) -> a dict; raises ValueError on a bad pair."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"setting {pair!r} is not NAME=VALUE")
        out[name.strip()] = value
    return out


def scrapy_settings(overrides: dict[str, Any]) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


class _CallerFd:
    """One of the caller's file descriptors, handed to the crawl process when it starts.

    A fork server's children inherit the *server's* stdout/stderr, not the caller's; pickled while
    the child is being started, this passes the caller's descriptor along (multiprocessing's own
    DupFd mechanism), and the child puts it in place.
    """

    def __init__(self, fd: int):
        self.fd = fd

    def __reduce__(self) -> tuple[Any, ...]:
        from multiprocessing import reduction

        return (_adopt_fd, (reduction.DupFd(self.fd), self.fd))


def _adopt_fd(dup: Any, target: int) -> int:
    fd = dup.detach()
    if fd != target:
        os.dup2(fd, target)
        os.close(fd)
    return target


def _caller_fds() -> list[_CallerFd]:
    """The caller's descriptors 1 and 2 (what a plain fork would have inherited), where open."""
    fds = []
    for fd in (1, 2):
        try:
            os.fstat(fd)
        except OSError:  # closed (a daemon): the child keeps the server's
            continue
        fds.append(_CallerFd(fd))
    return fds


def _crawl_in_child(
    sources: list[Source], overrides: dict[str, Any], environ: dict[str, str], fds: list[int]
) -> None:
    # The fork server holds the environment of its own start; the crawl gets the caller's
    # (scraper/settings.py reads USAJOBS_API_KEY, MAJOBS_CONTACT... from it). The caller's
    # stdout/stderr were put in place when the arguments were unpickled (_CallerFd).
    os.environ.clear()
    os.environ.update(environ)
    del fds  # already in place
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.misc import load_object

    # Scrapy installs its own root handler (at LOG_LEVEL); one inherited from the parent CLI would
    # print every record a second time.
    for handler in list(logging.root.handlers):
        logging.root.removeHandler(handler)
    settings = scrapy_settings(overrides)
    process = CrawlerProcess(settings)
    by_kind: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_kind[source.kind].append(source)
    for kind, group in by_kind.items():
        process.crawl(load_object(SPIDERS[kind]), sources=group)
    process.start()


def _context() -> multiprocessing.context.BaseContext:
    """Where crawl processes come from: a fork server where there is one, else a fresh interpreter.

    Not a plain fork of the caller: a fork copies locks held by the caller's other threads (a
    reader thread inside SQLite, say) and the child can deadlock on them. The fork server is a
    clean single-threaded process started once, with the spiders' modules already imported, so
    each crawl still starts in a fraction of a second.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        ["scraper.crawl", *sorted({path.rsplit(".", 1)[0] for path in SPIDERS.values()})]
    )
    return context


def run_crawl(
    sources: list[Source] | str | Path,
    db_path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> CrawlResult:
    """Crawl ``sources`` (a list or a sources-file path) into the database at ``db_path``."""
    sources_file = None
    if not isinstance(sources, list):
        sources_file = str(sources)
        sources = load_sources(sources)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    db = open_db(db_path)
    run_id = start_run(db, started_at=now.isoformat(), sources_file=sources_file, pid=os.getpid())
    db.close()
    overrides = {
        **(settings or {}),
        "MAJOBS_DB": str(db_path),
        "MAJOBS_RUN_ID": run_id,
        "MAJOBS_NOW": now.isoformat(),
    }

    child = _context().Process(
        target=_crawl_in_child,
        args=(sources, overrides, dict(os.environ), _caller_fds()),
        name=f"majobs-crawl-{run_id}",
    )
    # Ctrl-C reaches the child too (same process group): it shuts down gracefully while we wait.
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    started = time.monotonic()
    try:
        child.start()
        child.join()
    finally:
        signal.signal(signal.SIGINT, previous)

    db = open_db(db_path)
    try:
        source_rows = [dict(r) for r in db.table("crawl_run_sources").rows_where("run_id = ?", [run_id])]
        error = None
        status = run_status(db, run_id)
        if any(r["finish_reason"] == "shutdown" for r in source_rows):
            status = "interrupted"
        if child.exitcode != 0:
            error = f"crawl process ended with exit code {child.exitcode}"
            status = "interrupted" if child.exitcode in (-signal.SIGINT, -signal.SIGTERM) else "failed"
        missing = {s.key for s in sources} - {r["source_key"] for r in source_rows}
        if missing and error is None:
            error = f"no result for {len(missing)} sources: {', '.join(sorted(missing))}"
            status = "partial" if source_rows else "failed"
        finished_at = (now + timedelta(seconds=round(time.monotonic() - started))).isoformat()
        run = finish_run(db, run_id, status=status, error=error, finished_at=finished_at)
    finally:
        db.close()
    if error:
        print(error, file=sys.stderr)
    return CrawlResult(run_id=run_id, status=status, run=run, sources=source_rows)
