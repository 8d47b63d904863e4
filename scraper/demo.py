"""``majobs demo``: the whole job, offline, on the bundled demo world.

Serves ``data/demo/`` on loopback (:mod:`scraper.demo_site`), crawls it through the real engine
once a week for eight weeks (2026-W41 ... W48, each crawl on that Monday's clock so first_seen,
last_seen and closed_at follow the world), then runs the later stages — cross-source dedup,
tagging, the weekly report — and says where the report is. A stage that fails is reported, the
others still run, and the demo exits non-zero.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from scraper.crawl import SPIDERS, CrawlResult, run_crawl
from scraper.demo_site import DEMO_USAJOBS_EMAIL, DEMO_USAJOBS_KEY, DemoSite
from scraper.demo_world import World, crawl_days, crawl_time, iso_week, load_world
from scraper.store import open_db

logger = logging.getLogger(__name__)

Echo = Callable[[str], None]

# Loopback needs no politeness delays, but robots.txt is still obeyed (the demo site has one).
DEMO_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": True,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,  # every demo "host" is 127.0.0.1
    "RETRY_TIMES": 2,
    "MAJOBS_RETRY_AFTER_MAX": 5,
    "DOWNLOAD_TIMEOUT": 15,
    # The demo prints its own per-week lines (failures per source included); `majobs -v demo` shows
    # the crawl's warnings too.
    "LOG_LEVEL": "CRITICAL",
    "USAJOBS_API_KEY": DEMO_USAJOBS_KEY,
    "USAJOBS_EMAIL": DEMO_USAJOBS_EMAIL,
}


@dataclass
class WeekResult:
    day: date
    listed: int  # postings the world lists that day (all titles, all sources crawled)
    crawl: CrawlResult
    seconds: float

    @property
    def week(self) -> str:
        return iso_week(self.day)


@dataclass
class DemoResult:
    db_path: Path
    weeks: list[WeekResult] = field(default_factory=list)
    stages: dict[str, str] = field(default_factory=dict)  # stage -> "done ..." | "failed: ..."
    reports: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(v.startswith("failed") for v in self.stages.values())


def is_demo_db(db_path: Path) -> bool:
    """True when every crawl in the database ran on the demo's clock (or it is empty)."""
    if db_path.stat().st_size == 0:
        return True
    demo_runs = {crawl_time(day).isoformat() for day in crawl_days()}
    try:
        con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            started = [row[0] for row in con.execute("select started_at from crawl_runs")]
        finally:
            con.close()
    except sqlite3.DatabaseError:  # not SQLite, or not a majobs store
        return False
    return all(s in demo_runs for s in started)


def fresh_db(db_path: Path) -> None:
    """Remove an earlier demo database (and its WAL files): the demo always starts from nothing.

    A database with real crawls in it is refused, not removed: ``--db data/jobs.db`` by mistake
    must not cost anyone their data.
    """
    if db_path.exists() and not is_demo_db(db_path):
        raise RuntimeError(f"{db_path} is not a demo database (it holds other crawls); not removing it")
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def crawl_weeks(
    site: DemoSite,
    db_path: Path,
    days: list[date],
    *,
    kinds: list[str],
    settings: dict[str, Any] | None = None,
    echo: Echo = logger.info,
) -> list[WeekResult]:
    """One crawl per day, each on that day's clock and that day's world."""
    results = []
    sources = site.sources(tuple(kinds))
    merged = {**DEMO_SETTINGS, **(settings or {})}
    for day in days:
        site.set_day(day)
        listed = sum(len(site.world.listed_on(day, kind)) for kind in kinds)
        started = time.monotonic()
        with inherited_handlers_at(merged["LOG_LEVEL"]):
            crawl = run_crawl(sources, db_path, settings=merged, now=crawl_time(day))
        week = WeekResult(day, listed, crawl, time.monotonic() - started)
        results.append(week)
        echo(week_line(week))
    return results


@contextmanager
def inherited_handlers_at(level: str) -> Iterator[None]:
    """Hold the parent's root log handlers at the crawl's LOG_LEVEL while a crawl child runs.

    The forked crawl inherits them, and Scrapy opens the root logger to every level, so a CLI's
    handler would otherwise print each INFO line of the crawl.
    """
    handlers = list(logging.root.handlers)
    before = [h.level for h in handlers]
    named = logging.getLevelName(str(level).upper())
    floor = named if isinstance(named, int) else logging.WARNING
    for handler in handlers:
        handler.setLevel(max(handler.level, floor))
    try:
        yield
    finally:
        for handler, old in zip(handlers, before, strict=True):
            handler.setLevel(old)


def week_line(week: WeekResult) -> str:
    r = week.crawl.run
    line = (
        f"{week.week} ({week.day}): {week.listed} postings listed; crawl {week.crawl.status}: "
        f"{r.get('fetched') or 0} fetched ({r.get('new') or 0} new, {r.get('updated') or 0} updated, "
        f"{r.get('unchanged') or 0} unchanged), {r.get('dropped') or 0} dropped by title, "
        f"{r.get('closed') or 0} closed, {r.get('failed') or 0} failures [{week.seconds:.1f}s]"
    )
    trouble = [s for s in week.crawl.sources if s["failed"] or not s["complete"]]
    for s in trouble:
        line += (
            f"\n    {s['source_key']}: {s['pages']} pages, {s['failed']} failures"
            f"{' (complete: the rest went on)' if s['complete'] else ', incomplete (nothing closed)'}"
        )
    return line


# --- later stages ---------------------------------------------------------------------------------


def describe(outcome: Any) -> str:
    """A stage's returned summary (a dict or a dataclass) as " (name value, ...)"."""
    if dataclasses.is_dataclass(outcome) and not isinstance(outcome, type):
        outcome = dataclasses.asdict(outcome)
    if isinstance(outcome, dict):
        shown = [f"{k} {v}" for k, v in outcome.items() if isinstance(v, (int, float, str))]
        return f" ({', '.join(shown)})" if shown else ""
    return f" ({outcome})" if outcome is not None else ""


def run_stage(name: str, result: DemoResult, echo: Echo, body: Callable[[], str]) -> None:
    """Run one later stage; a stage that raises is noted as failed and the next still runs."""
    try:
        outcome = body()
    except Exception as exc:  # a stage's own bug must not hide the other stages' results
        logger.debug("%s failed", name, exc_info=True)
        result.stages[name] = f"failed: {type(exc).__name__}: {exc}"
        echo(f"{name} failed: {type(exc).__name__}: {exc}")
        return
    result.stages[name] = outcome
    echo(f"{name}: {outcome}")


def later_stages(result: DemoResult, out_dir: Path, week: str, echo: Echo, progress: bool) -> None:
    # Imported here: the matcher (scikit-learn) is not needed to crawl the demo world.
    from matcher.report import write_report
    from matcher.tag import tag_database
    from scraper.dedup import dedup_database

    db_path = result.db_path

    def dedup() -> str:
        db = open_db(db_path)
        try:
            return "done" + describe(dedup_database(db))
        finally:
            db.close()

    def tag() -> str:
        return "done" + describe(tag_database(db_path, progress=progress))

    def report() -> str:
        out_dir.mkdir(parents=True, exist_ok=True)
        result.reports = [Path(p) for p in write_report(db_path, week=week, out_dir=out_dir)]
        return f"done ({len(result.reports)} files)"

    run_stage("dedup", result, echo, dedup)
    run_stage("tagging", result, echo, tag)
    run_stage("reporting", result, echo, report)


# --- summary --------------------------------------------------------------------------------------


def summary_lines(db_path: Path) -> list[str]:
    """Postings per source (open/closed), how many are tagged, and dedup groups."""
    db = open_db(db_path)
    try:
        cols = set(db.table("postings").columns_dict)
        rows = db.execute(
            "select source, count(*), sum(closed_at is null), sum(closed_at is not null), "
            "sum(tag_model_version is not null) from postings group by source order by source"
        ).fetchall()
        lines = ["postings by source: open / closed, tagged"]
        total = [0, 0, 0, 0]
        for source, n, open_, closed, tagged in rows:
            lines.append(f"  {source:<11} {n:>4}: {open_:>4} open / {closed:>4} closed, {tagged:>4} tagged")
            total = [a + (b or 0) for a, b in zip(total, (n, open_, closed, tagged), strict=True)]
        lines.append(
            f"  {'all':<11} {total[0]:>4}: {total[1]:>4} open / {total[2]:>4} closed, {total[3]:>4} tagged"
        )
        if "dedup_group" in cols:
            groups = db.execute(
                "select count(*) from (select dedup_group from postings where dedup_group is not null "
                "group by dedup_group having count(*) > 1)"
            ).fetchone()[0]
            if groups:
                lines.append(f"  {groups} duplicate groups (one job on two sources, or reposted)")
        return lines
    finally:
        db.close()


def run_demo(
    db_path: str | Path = "data/demo.db",
    out_dir: str | Path = "reports",
    weeks: int = 8,
    *,
    echo: Echo = logger.info,
    world: World | None = None,
    settings: dict[str, Any] | None = None,
    kinds: list[str] | None = None,
    stages: bool = True,
    progress: bool = False,
) -> DemoResult:
    """Serve the demo world, crawl it week by week into ``db_path``, then dedup, tag and report."""
    db_path, out_dir = Path(db_path), Path(out_dir)
    days = crawl_days(weeks)
    world = world or load_world()
    kinds = kinds or list(SPIDERS)
    result = DemoResult(db_path)
    fresh_db(db_path)
    with DemoSite(world) as site:
        size = f"{len(world.postings)} postings from {len(world.employers)} employers"
        echo(f"demo world: {size}, served at {site.url}")
        result.weeks = crawl_weeks(site, db_path, days, kinds=kinds, settings=settings, echo=echo)
    if stages:
        later_stages(result, out_dir, iso_week(days[-1]), echo, progress)
    return result
