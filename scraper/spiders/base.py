"""What every majobs spider shares: its sources, its clock, counting, and failing per page.

A spider decides what to request next and hands each payload to a pure parser
(``scraper/parsers/<platform>.py``). Errors are caught per page: the URL is logged, the source's
``failed`` counter goes up, the source is marked incomplete (so no posting of it is closed as
vanished this run) and the crawl goes on.

Per-source counters live in the crawler's stats as ``majobs/source/<key>/<name>``; the store
pipeline turns them into ``crawl_run_sources`` rows.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scraper.items import Posting
from scraper.sources import Source, load_sources


class ParseError(ValueError):
    """A payload did not have the structure its parser expects (truncated JSON, HTML error page…)."""


def stat_key(source_key: str, name: str) -> str:
    return f"majobs/source/{source_key}/{name}"


def run_clock(value: str | None) -> datetime:
    """The crawl's clock: ``MAJOBS_NOW`` when set (demo, tests), else now (UTC)."""
    if value:
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return datetime.now(UTC).replace(microsecond=0)


class MajobsSpider(scrapy.Spider):
    """Base class: one spider per platform, one or more sources (employers' boards) per run."""

    kind: str = ""

    def __init__(
        self,
        *args: Any,
        sources: Iterable[Source] | None = None,
        sources_file: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if sources is None and sources_file:
            sources = [s for s in load_sources(sources_file) if s.kind == self.kind]
        self.sources: list[Source] = list(sources or [])
        self.now = run_clock(None)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MajobsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.now = run_clock(crawler.settings.get("MAJOBS_NOW"))
        crawler.signals.connect(spider._on_opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._on_spider_error, signal=signals.spider_error)
        return spider

    def _on_spider_error(self, failure: Failure, response: Response, spider: scrapy.Spider) -> None:
        """Anything a callback raises that ``parse_safely`` did not catch (a title that is a number,
        JSON nested too deep): the page failed like any other, so its source is incomplete and
        closes nothing. Without this Scrapy only logs it, and the source would count as complete."""
        source = response.meta.get("source") if spider is self else None
        if source is None:
            return
        self.fail(
            source,
            f"error processing the page: {type(failure.value).__name__}: {failure.value}",
            critical=response.meta.get("critical", True),
            url=response.url,
        )

    def _on_opened(self, spider: scrapy.Spider) -> None:
        if not self.sources:
            self.logger.warning("%s: no sources to crawl (pass sources_file=...)", self.name)

    # --- the clock ------------------------------------------------------------------------------
    @property
    def today(self) -> date:
        return self.now.date()

    @property
    def fetched_at(self) -> str:
        return self.now.isoformat()

    # --- crawling -----------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        for source in self.sources:
            try:
                for request in self.start_source(source):
                    yield request
            except Exception as exc:  # a bad entry must not stop the others
                self.fail(source, f"cannot start: {exc}")

    def start_source(self, source: Source) -> Iterable[Request]:
        raise NotImplementedError

    def request(
        self,
        source: Source,
        url: str,
        callback: Callable[..., Any],
        *,
        critical: bool = True,
        cb_kwargs: dict[str, Any] | None = None,
        meta: dict[str, Any] | None = None,
        errback: Callable[[Failure], Any] | None = None,
        **kwargs: Any,
    ) -> Request:
        """A request on behalf of ``source``; failures are counted against it.

        ``critical`` requests are the ones a complete listing depends on (list pages, and details
        of postings we mean to keep). A non-critical failure (a sitemap URL that now 404s) is
        counted but does not mark the source incomplete.
        """
        meta = {**(meta or {}), "source": source, "critical": critical}
        return Request(
            url,
            callback=callback,
            errback=errback or self.on_error,
            cb_kwargs={"source": source, **(cb_kwargs or {})},
            meta=meta,
            **kwargs,
        )

    def json_request(
        self, source: Source, url: str, callback: Callable[..., Any], data: Any, **kwargs: Any
    ) -> Request:
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            **kwargs.pop("headers", {}),
        }
        return self.request(
            source, url, callback, method="POST", body=json.dumps(data), headers=headers, **kwargs
        )

    # --- counting and failing -----------------------------------------------------------------
    def count(self, source: Source, name: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat_key(source.key, name), n)

    def fail(self, source: Source, message: str, *, critical: bool = True, url: str | None = None) -> None:
        self.logger.error("[%s] %s%s", source.key, message, f" ({url})" if url else "")
        self.count(source, "failed")
        if critical:
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(stat_key(source.key, "incomplete"), 1)

    def on_error(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source: Source = request.meta["source"]
        response = getattr(failure.value, "response", None)
        what = (
            f"HTTP {response.status}"
            if response is not None
            else failure.getErrorMessage() or repr(failure.value)
        )
        self.fail(
            source, f"request failed: {what}", critical=request.meta.get("critical", True), url=request.url
        )

    def load_json(self, source: Source, response: Response) -> Any:
        """The response's JSON; a truncated or non-JSON body raises :class:`ParseError`."""
        self.count(source, "pages")
        try:
            return json.loads(response.text)
        except (ValueError, AttributeError) as exc:
            raise ParseError(f"not JSON ({exc})") from exc

    def parse_safely(
        self, source: Source, response: Response, parser: Callable[..., Any], *args: Any, **kwargs: Any
    ) -> Any:
        """Run a parser; on a structural surprise log, count, mark incomplete and return None."""
        try:
            return parser(*args, **kwargs)
        except (ParseError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self.fail(
                source,
                f"cannot parse: {type(exc).__name__}: {exc}",
                critical=response.meta.get("critical", True),
                url=response.url,
            )
            return None

    def emit(self, source: Source, postings: Iterable[Posting]) -> Iterable[Posting]:
        """Stamp and count postings on their way to the pipelines."""
        for posting in postings:
            posting["source_key"] = source.key
            posting["fetched_at"] = posting.get("fetched_at") or self.fetched_at
            if source.company and not posting.get("company"):
                posting["company"] = source.company
            self.count(source, "fetched")
            yield posting
