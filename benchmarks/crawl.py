"""Crawl throughput: `majobs crawl` (our spiders + pipelines + store) vs a bare Scrapy spider.

    python benchmarks/crawl.py                 # scale 8, best of 2 rounds
    python benchmarks/crawl.py --scale 12 --rounds 3
    python benchmarks/crawl.py --profile       # also cProfile our crawl process: where the time goes

Both run against the demo world (``data/demo/``, enlarged ``--scale`` times so a run lasts several
seconds) served on loopback by :class:`scraper.demo_site.DemoSite`, with the same Scrapy settings:
AutoThrottle off, no delay, the same concurrency, the same reactor. The bare spider replays exactly
the requests our crawl made (same methods, URLs, bodies and headers, the Workday POSTs and
robots.txt included), all at once, and does nothing with the responses. Each is timed from start to
end of its crawl process (fork, engine start, crawl, shutdown). Pages per second = responses / time.

Goal: ours >= 80% of bare.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import multiprocessing
import os
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper import crawl as crawl_module
from scraper.crawl import parse_settings, run_crawl, scrapy_settings
from scraper.demo import available_kinds
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
    cpu: float  # user + system CPU seconds of that process
    pages: int  # responses the server sent

    def rate(self) -> float:
        return self.pages / self.seconds

    def cpu_rate(self) -> float:
        return self.pages / self.cpu

    def __str__(self) -> str:
        return f"{self.pages} pages in {self.seconds:.2f}s = {self.rate():.0f}/s ({self.cpu:.1f}s CPU)"


def _children_cpu() -> float:
    """CPU seconds used so far by finished child processes (the crawls run in forked children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- ours ---------------------------------------------------------------------------------------------


def run_ours(site: DemoSite, kinds: list[str], db_path: Path, profile_to: Path | None = None) -> Run:
    """One `majobs crawl` of the demo site into a fresh database: (seconds, responses)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    site.server.requests.clear()  # the server's render cache stays warm: neither run pays for rendering
    original = crawl_module._crawl_in_child
    if profile_to:
        crawl_module._crawl_in_child = _profiled(original, profile_to)  # the forked child runs this
    try:
        cpu, started = _children_cpu(), time.perf_counter()
        settings = {**SETTINGS, **OURS_EXTRA}
        result = run_crawl(site.sources(tuple(kinds)), db_path, settings=settings, now=crawl_time(site.day))
        seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    finally:
        crawl_module._crawl_in_child = original
    if result.status not in ("ok", "partial"):
        raise SystemExit(f"our crawl {result.status}: {result.run.get('error')}")
    return Run(seconds, cpu, len(site.server.requests))


def _profiled(target: Callable[..., None], out: Path) -> Callable[..., None]:
    def run(*args: Any) -> None:
        profiler = cProfile.Profile()
        try:
            profiler.runcall(target, *args)
        finally:
            profiler.dump_stats(str(out))

    return run


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
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            **settings,
        }
    )
    process.crawl(BareSpider)
    process.start()


def run_bare(site: DemoSite, requests: list[ServedRequest]) -> Run:
    site.server.requests.clear()
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    child = multiprocessing.get_context(method).Process(
        target=_bare_child, args=(site.url, requests, SETTINGS)
    )
    cpu, started = _children_cpu(), time.perf_counter()
    child.start()
    child.join()
    seconds, cpu = time.perf_counter() - started, _children_cpu() - cpu
    if child.exitcode != 0:
        raise SystemExit(f"bare crawl exited with {child.exitcode}")
    return Run(seconds, cpu, len(site.server.requests))


# --- experiment: html_to_text on lxml -----------------------------------------------------------------


def lxml_html_to_text(value: str | None) -> str | None:
    """``normalize.html_to_text`` on lxml directly instead of BeautifulSoup (same rules)."""
    import lxml.html

    from scraper.parsers.normalize import _BLOCK_TAGS, _WS

    if not value:
        return None
    text = value
    if "<" in value:
        try:
            root = lxml.html.fragment_fromstring(value, create_parent="div")
        except Exception:  # lxml refuses some inputs (control characters): fall back to the original
            return original_html_to_text(value)
        for bad in root.xpath("//script|//style|//noscript|//template"):
            bad.drop_tree()
        for li in root.iter("li"):
            li.text = "\n- " + (li.text or "")
        for element in root.iter(*_BLOCK_TAGS):
            element.tail = "\n" + (element.tail or "")
        text = root.text_content()
    lines = (_WS.sub(" ", line).strip() for line in text.replace("\xa0", " ").splitlines())
    return "\n".join(line for line in lines if line) or None


def use_lxml_html_to_text() -> None:
    """Swap it in for every parser module that imported it (before the crawl process forks)."""
    import importlib

    global original_html_to_text
    from scraper.parsers import normalize

    original_html_to_text = normalize.html_to_text
    for name in ("normalize", "greenhouse", "lever", "workday", "usajobs", "jsonld"):
        module = importlib.import_module(f"scraper.parsers.{name}")
        if hasattr(module, "html_to_text"):
            module.html_to_text = lxml_html_to_text
    print("experiment: html_to_text runs on lxml in our crawl")


original_html_to_text: Callable[[str | None], str | None]


# --- main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=8, help="enlarge the demo world this many times")
    parser.add_argument("--rounds", type=int, default=2, help="timed rounds of each (best is kept)")
    parser.add_argument("--profile", action="store_true", help="cProfile our crawl process once")
    parser.add_argument(
        "--lxml-text",
        action="store_true",
        help="experiment: run ours with an lxml html_to_text (what a fix in normalize.py would give)",
    )
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
    OURS_EXTRA.update(parse_settings(args.settings))
    if args.lxml_text:
        use_lxml_html_to_text()

    world = load_world().scaled(args.scale)
    kinds = available_kinds()
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
