"""Run a crawl of a sources file into the store: the engine behind ``majobs crawl``.

One spider per platform runs in one Scrapy process, each with every source of its kind. The
crawl runs in a child process so that the parent can always close the ``crawl_runs`` row — also
when the crawl is killed — and so that one Python process can run several crawls (Twisted's
reactor cannot be restarted).
"""

from __future__ import annotations

import logging
import os
import pickle
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from scraper.sources import Source, load_sources
from scraper.store import finish_run, open_db, run_status, start_run

logger = logging.getLogger(__name__)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # so `python -m scraper.crawl` finds us

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
    _check_types(out)
    return out


def _check_types(overrides: dict[str, str]) -> None:
    """A value that cannot be read as its setting's type (DOWNLOAD_TIMEOUT=abc) is refused here,
    before a run starts, rather than crashing the crawl process."""
    defaults = scrapy_settings({})
    for name, value in overrides.items():
        default = defaults.get(name)
        try:
            if isinstance(default, bool):
                _as_bool(value)
            elif isinstance(default, int | float):
                float(value)
        except ValueError as exc:
            kind = "true/false" if isinstance(default, bool) else "number"
            raise ValueError(f"setting {name}={value!r}: not a {kind} ({exc})") from exc
        if name == "LOG_LEVEL" and value not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"setting LOG_LEVEL={value!r}: not a log level (DEBUG, INFO, WARNING, ERROR)")


def _as_bool(value: str) -> bool:
    words = {"1": True, "true": True, "0": False, "false": False}
    if value.strip().lower() not in words:
        raise ValueError("use true/false or 1/0")
    return words[value.strip().lower()]


def scrapy_settings(overrides: dict[str, Any]) -> Any:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "scraper.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    return settings


def crawl_here(sources: list[Source], overrides: dict[str, Any]) -> None:
    """Run the crawl in this process (the crawl process's entry point; also handy for profiling)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.misc import load_object

    settings = scrapy_settings(overrides)
    process = CrawlerProcess(settings)
    # Scrapy's handler drops records under LOG_LEVEL only after they are made, and it makes a DEBUG
    # one for every response and every item; let its loggers skip making them.
    logging.getLogger("scrapy").setLevel(settings.get("LOG_LEVEL"))
    by_kind: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_kind[source.kind].append(source)
    for kind, group in by_kind.items():
        process.crawl(load_object(SPIDERS[kind]), sources=group)
    from twisted.internet import reactor

    # Once the reactor runs (Scrapy's shutdown handlers are in place by then): see _sigterm_once.
    reactor.callWhenRunning(reactor.callLater, 0, _sigterm_once)
    process.start()
    # The crawl's own CPU time, for operators and benchmarks/crawl.py.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    db = open_db(overrides["MAJOBS_DB"])
    try:
        with db.conn:
            db.execute(
                "update crawl_runs set cpu_seconds = ? where id = ?",
                [round(usage.ru_utime + usage.ru_stime, 3), int(overrides["MAJOBS_RUN_ID"])],
            )
    finally:
        db.close()


def _sigterm_once() -> None:
    """Make a second SIGTERM change nothing: Scrapy takes any second shutdown signal as "stop now,
    uncleanly", but systemd signals every process of the service and ``majobs run`` passes its own
    SIGTERM on too, so the crawl may get two at once. A second Ctrl-C still forces the stop."""
    scrapy_handler = signal.getsignal(signal.SIGTERM)
    if not callable(scrapy_handler):
        return

    def graceful(signum: int, frame: Any) -> None:
        scrapy_handler(signum, frame)  # a graceful stop; it installs the forcing handler ...
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # ... which SIGTERM does not get

    signal.signal(signal.SIGTERM, graceful)


def main(argv: list[str]) -> int:
    """``python -m scraper.crawl JOBFILE``: the crawl process that :func:`run_crawl` starts."""
    with open(argv[0], "rb") as fh:
        sources, overrides = pickle.load(fh)
    profile_to = os.environ.get("MAJOBS_PROFILE")  # e.g. MAJOBS_PROFILE=/tmp/crawl.prof majobs crawl ...
    if profile_to:
        import cProfile

        cProfile.runctx("crawl_here(sources, overrides)", globals(), locals(), profile_to)
    else:
        crawl_here(sources, overrides)
    return 0


def _restore(previous: dict[int, Any], *, stopping: bool = False) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, signal.SIG_IGN if stopping and signum == signal.SIGTERM else handler)


def run_crawl(
    sources: list[Source] | str | Path,
    db_path: str | Path,
    *,
    settings: dict[str, Any] | None = None,
    now: datetime | None = None,
    pass_fds: tuple[int, ...] = (),
) -> CrawlResult:
    """Crawl ``sources`` (a list or a sources-file path) into the database at ``db_path``.

    ``pass_fds``: descriptors the crawl process keeps open, e.g. the run lock's, so that a parent
    killed alone does not free the lock while its crawl still writes.
    """
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

    # The crawl runs in a fresh interpreter: a fork would copy locks held by the caller's other
    # threads (one inside SQLite, say) and could hang on them. It inherits our environment,
    # stdout and stderr, but not our process group: Ctrl-C and SIGTERM reach it through us, once
    # each (Scrapy shuts down gracefully on the first; a second Ctrl-C forces it), and we wait
    # for it to finish and record the run as interrupted.
    with tempfile.NamedTemporaryFile(prefix=f"majobs-crawl-{run_id}-", suffix=".pickle", delete=False) as job:
        pickle.dump((sources, overrides), job)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
    child: subprocess.Popen | None = None
    early: list[int] = []  # signals that came while the crawl process was being started

    def forward(signum: int, _frame: Any) -> None:
        if child is None:
            early.append(signum)
        elif child.poll() is None:
            child.send_signal(signum)

    previous = {signum: signal.signal(signum, forward) for signum in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "scraper.crawl", job.name],
            env=env,
            pass_fds=pass_fds,
            start_new_session=True,
        )
        for signum in early:
            child.send_signal(signum)
        exitcode = child.wait()
    except BaseException:
        _restore(previous)
        raise
    finally:
        os.unlink(job.name)

    # ``forward`` stays until the run is recorded: a signal now reaches no child and changes nothing.
    status = "interrupted"
    try:
        db = open_db(db_path)
        try:
            source_rows = [dict(r) for r in db.table("crawl_run_sources").rows_where("run_id = ?", [run_id])]
            error = None
            status = run_status(db, run_id)
            if any(r["finish_reason"] == "shutdown" for r in source_rows):
                status = "interrupted"
            if exitcode != 0:
                error = f"crawl process ended with exit code {exitcode}"
                status = "interrupted" if exitcode in (-signal.SIGINT, -signal.SIGTERM) else "failed"
            missing = {s.key for s in sources} - {r["source_key"] for r in source_rows}
            if missing and error is None:
                error = f"no result for {len(missing)} sources: {', '.join(sorted(missing))}"
                status = "partial" if source_rows else "failed"
            finished_at = (now + timedelta(seconds=round(time.monotonic() - started))).isoformat()
            run = finish_run(db, run_id, status=status, error=error, finished_at=finished_at)
        finally:
            db.close()
    finally:
        # A stopped crawl leaves this process stopping too: a later SIGTERM (systemd signals every
        # process) is ignored rather than killing it before the caller reports; the CLI restores
        # the handlers on its way out.
        _restore(previous, stopping=status == "interrupted")
    if error:
        print(error, file=sys.stderr)
    return CrawlResult(run_id=run_id, status=status, run=run, sources=source_rows)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
