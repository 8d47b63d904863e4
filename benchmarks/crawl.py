"""Crawl throughput: `majobs crawl` (our spiders + pipelines + store) vs a bare Scrapy spider.

    python benchmarks/crawl.py                 # scale 24 (~3,000 pages), best of 2 rounds
    python benchmarks/crawl.py --scale 12 --rounds 3
    python benchmarks/crawl.py --profile       # also cProfile our crawl process: where the time goes

Both run against the demo world (``data/demo/``, enlarged ``--scale`` times so a run lasts several
seconds) served on loopback by :class:`scraper.demo_site.DemoSite`, with the same Scrapy settings:
AutoThrottle off, no delay, the same concurrency, the same reactor. The bare spider replays exactly
the requests our crawl made (same methods, URLs, bodies and headers, the Workday POSTs and
robots.txt included), all at once, and does nothing with the responses. Each runs in a fresh Python
process, as `majobs crawl` runs its crawl. Pages per second = responses / the time from the first
request the server saw to the last (the crawl itself, without interpreter start-up and shutdown,
which are printed separately as end-to-end times).

Goal: ours >= 80% of bare.
"""

from __future__ import annotations

import argparse
import io
import os
import pickle
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.crawl import SPIDERS, parse_settings, run_crawl, scrapy_settings
from scraper.demo_site import DemoSite
from scraper.demo_world import crawl_days, crawl_time, load_world
from scraper.localserver import ServedRequest

GOAL = 0.80
SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 30,
    "LOG_LEVEL": "ERROR",
    "USAJOBS_API_KEY": "demo-usajobs-key",
    "USAJOBS_EMAIL": "demo@majobs.example",
}
OURS_EXTRA: dict[str, Any] = {}  # -s NAME=VALUE experiments, ours only
REPLAYED_HEADERS = ("content-type", "accept", "authorization-key", "user-agent", "host")


@dataclass
class Run:
    seconds: float  # wall time of the crawl process, start to end
    crawl_seconds: float  # first request to last request, as the server saw them
    cpu: float  # user + system CPU seconds of that process
    pages: int  # responses the server sent

    def rate(self) -> float:
        return self.pages / self.crawl_seconds

    def cpu_rate(self) -> float:
        return self.pages / self.cpu

    def __str__(self) -> str:
        return (
            f"{self.pages} pages in {self.crawl_seconds:.2f}s = {self.rate():.0f}/s "
            f"(process {self.seconds:.2f}s end to end, {self.cpu:.1f}s CPU)"
        )


def _served(site: DemoSite) -> tuple[int, float]:
    requests = list(site.server.requests)
    return len(requests), max(r.at for r in requests) - min(r.at for r in requests)


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- ours ---------------------------------------------------------------------------------------------


def run_ours(site: DemoSite, kinds: list[str], db_path: Path, profile_to: Path | None = None) -> Run:
    """One `majobs crawl` (scraper.crawl.run_crawl) of the demo site into a fresh database."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    site.server.requests.clear()  # the server's render cache stays warm: neither run pays for rendering
    if profile_to:
        os.environ["MAJOBS_PROFILE"] = str(profile_to)  # scraper.crawl's process profiles itself
    try:
        started = time.perf_counter()
        settings = {**SETTINGS, **OURS_EXTRA}
        result = run_crawl(site.sources(tuple(kinds)), db_path, settings=settings, now=crawl_time(site.day))
        seconds = time.perf_counter() - started
    finally:
        os.environ.pop("MAJOBS_PROFILE", None)
    if result.status not in ("ok", "partial"):
        raise SystemExit(f"our crawl {result.status}: {result.run.get('error')}")
    pages, crawl_seconds = _served(site)
    return Run(seconds, crawl_seconds, float(result.run["cpu_seconds"] or 0), pages)


# --- bare ---------------------------------------------------------------------------------------------


def _bare_child(base_url: str, requests: list[ServedRequest], settings: dict[str, Any]) -> None:
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"
        custom_settings: ClassVar[dict[str, Any]] = {"ITEM_PIPELINES": {}, "ROBOTSTXT_OBEY": False}

        async def start(self):  # type: ignore[override]
            for r in requests:
                query = "&".join(f"{k}={v}" for k, values in r.query.items() for v in values)
                headers = {k: v for k, v in r.headers.items() if k.lower() in REPLAYED_HEADERS}
                yield scrapy.Request(
                    f"{base_url}{r.path}{'?' + query if query else ''}",
                    method=r.method,
                    body=r.body or None,
                    headers=headers,
                    callback=self.parse,
                    errback=self.failed,
                    dont_filter=True,
                    meta={"handle_httpstatus_all": True},
                )

        def parse(self, response: Any) -> None:
            return None

        def failed(self, failure: Any) -> None:
            return None

    # Our project settings minus our middlewares and pipelines: Scrapy's defaults, same knobs.
    base = scrapy_settings({})
    process = CrawlerProcess(
        {
            "TWISTED_REACTOR": base.get("TWISTED_REACTOR"),
            "USER_AGENT": base.get("USER_AGENT"),
            "DOWNLOAD_MAXSIZE": base.getint("DOWNLOAD_MAXSIZE"),
            "CONCURRENT_ITEMS": base.getint("CONCURRENT_ITEMS"),  # the same knob (it yields nothing anyway)
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            **settings,
        }
    )
    process.crawl(BareSpider)
    process.start()


def run_bare(site: DemoSite, requests: list[ServedRequest]) -> Run:
    """The bare spider in a fresh Python process (``crawl.py --bare JOBFILE``), like ours."""
    site.server.requests.clear()
    with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as job:
        pickle.dump((site.url, requests, SETTINGS), job)
    try:
        cpu, started = _children_cpu(), time.perf_counter()
        code = subprocess.call([sys.executable, __file__, "--bare", job.name])
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    finally:
        os.unlink(job.name)
    if code != 0:
        raise SystemExit(f"bare crawl exited with {code}")
    pages, crawl_seconds = _served(site)
    return Run(seconds, crawl_seconds, cpu, pages)


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=int, default=24, help="enlarge the demo world this many times (24: ~3,000 pages)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each (best is kept)")
    parser.add_argument("--profile", action="store_true", help="cProfile our crawl process once")
    parser.add_argument("--bare", metavar="JOBFILE", help=argparse.SUPPRESS)  # the bare crawl process
    parser.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: an extra Scrapy setting for our crawl only (repeatable)",
    )
    args = parser.parse_args()
    if args.bare:
        with open(args.bare, "rb") as fh:
            _bare_child(*pickle.load(fh))
        return
    OURS_EXTRA.update(parse_settings(args.settings))

    world = load_world().scaled(args.scale)
    kinds = list(SPIDERS)
    day = crawl_days()[-1]
    listed = len(world.listed_on(day))
    print(f"world: {len(world.postings)} postings (demo x{args.scale}), {listed} listed on {day}")
    concurrency = SETTINGS["CONCURRENT_REQUESTS"]
    print(f"platforms: {', '.join(kinds)}; concurrency {concurrency}, no AutoThrottle, no delay")
    with DemoSite(world, day, faults=False) as site, tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.db"
        run_ours(site, kinds, db_path)  # warm-up (imports, first renders)
        recorded = list(site.server.requests)
        ours: list[Run] = []
        bare: list[Run] = []
        for _ in range(args.rounds):
            ours.append(run_ours(site, kinds, db_path))
            bare.append(run_bare(site, recorded))
        for name, runs in (("ours (majobs crawl)", ours), ("bare scrapy", bare)):
            print(f"{name:<20} " + ", ".join(str(r) for r in runs))
        best_ours, best_bare = max(ours, key=Run.rate), max(bare, key=Run.rate)
        ratio = best_ours.rate() / best_bare.rate()
        cpu_ratio = best_ours.cpu_rate() / best_bare.cpu_rate()
        print(f"best: ours {best_ours.rate():.0f} pages/s, bare {best_bare.rate():.0f} pages/s")
        print(
            f"ratio ours/bare: {ratio:.2f} ({'meets' if ratio >= GOAL else 'BELOW'} the goal of {GOAL:.2f})"
        )
        ours_cpu, bare_cpu = best_ours.cpu_rate(), best_bare.cpu_rate()
        print(
            f"per CPU second of the crawl process: ours {ours_cpu:.0f}, bare {bare_cpu:.0f} pages "
            f"(ratio {cpu_ratio:.2f}; steadier than wall time on a busy machine)"
        )
        end_to_end = min(r.seconds for r in ours) / min(r.seconds for r in bare)
        print(
            f"end to end (interpreter start to exit): ours {min(r.seconds for r in ours):.2f}s, "
            f"bare {min(r.seconds for r in bare):.2f}s (x{end_to_end:.2f})"
        )
        if args.profile:
            out = Path(os.environ.get("MAJOBS_BENCH_PROFILE", Path(tmp) / "ours.prof"))
            run_ours(site, kinds, db_path, profile_to=out)
            stream = io.StringIO()
            stats = pstats.Stats(str(out), stream=stream)
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            print(stream.getvalue())
    os.environ.pop("SCRAPY_SETTINGS_MODULE", None)


if __name__ == "__main__":
    main()
