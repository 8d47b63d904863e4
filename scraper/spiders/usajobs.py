"""USAJOBS Search API: pages of ``ResultsPerPage`` from ``Page=1`` until ``SearchResultCountAll``.

The API needs a personal key and the e-mail it was registered with, sent as ``Authorization-Key``
and ``User-Agent``. They come from the settings ``USAJOBS_API_KEY`` / ``USAJOBS_EMAIL`` (read
from the environment in ``scraper/settings.py``), or per source from ``api_key`` / ``email``.
Without them a source fails at once with a logged reason and a counted failure; the rest of the
crawl goes on. The ``Host`` header comes from the URL, as for any request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.crawler import Crawler
from scrapy.http import Request, Response

from scraper.parsers import usajobs as usa
from scraper.parsers.normalize import clean_text
from scraper.parsers.title_filter import is_ma_family_title
from scraper.sources import Source
from scraper.spiders.base import MajobsSpider


def search_params(source: Source) -> usa.SearchParams:
    """The search a source asks for; a bad option raises ValueError (the source fails to start)."""
    return usa.SearchParams(
        keyword=source.get("keyword"),
        job_category_codes=source.get("job_category_codes", usa.DEFAULT_JOB_CATEGORY_CODES),
        location=source.get("location"),
        results_per_page=source.get("results_per_page"),
        date_posted=source.get("date_posted"),
    )


class UsajobsSpider(MajobsSpider):
    name = "usajobs"
    kind = "usajobs"

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.api_key = ""
        self.email = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> UsajobsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, UsajobsSpider)
        spider.api_key = (crawler.settings.get("USAJOBS_API_KEY") or "").strip()
        spider.email = (crawler.settings.get("USAJOBS_EMAIL") or "").strip()
        return spider

    def origin(self, source: Source) -> str:
        return source.rebase(source.real_origin or usa.API_ORIGIN)

    def headers(self, source: Source) -> dict[str, str] | None:
        """The key headers, or ``None`` (logged and counted) when the key or e-mail is missing."""
        key = str(source.get("api_key") or self.api_key or "").strip()
        email = str(source.get("email") or self.email or "").strip()
        missing = [name for name, value in (("USAJOBS_API_KEY", key), ("USAJOBS_EMAIL", email)) if not value]
        if missing:
            self.fail(
                source,
                f"{' and '.join(missing)} not set: the USAJOBS API needs a personal key and the e-mail "
                "it was registered with (environment, or the source's api_key/email); source skipped",
            )
            return None
        return {"Authorization-Key": key, "User-Agent": email, "Accept": "application/json"}

    def start_source(self, source: Source) -> Iterable[Request]:
        params = search_params(source)
        if self.headers(source) is None:
            return
        yield self.page_request(source, params, page=1, collected=0, seen=set())

    def page_request(
        self, source: Source, params: usa.SearchParams, *, page: int, collected: int, seen: set[str]
    ) -> Request:
        return self.request(
            source,
            params.url(self.origin(source), page),
            self.parse_page,
            headers=self.headers(source),
            cb_kwargs={"params": params, "page": page, "collected": collected, "seen": seen},
        )

    def parse_page(
        self,
        response: Response,
        source: Source,
        params: usa.SearchParams,
        page: int,
        collected: int,
        seen: set[str],
    ) -> Iterable[Any]:
        result = self.parse_safely(
            source, response, lambda: usa.parse_search_page(self.load_json(source, response))
        )
        if result is None:  # counted and logged; no further pages
            return
        items, count_all = result
        collected += len(items)
        fresh = 0
        for item in items:
            control_number = clean_text(item.get("MatchedObjectId"))
            if control_number in seen:
                self.count(source, "duplicate")
                continue
            if control_number:
                seen.add(control_number)
                fresh += 1
            title = clean_text((item.get("MatchedObjectDescriptor") or {}).get("PositionTitle"))
            if source.title_filter and title and not is_ma_family_title(title):
                self.count(source, "dropped")  # physician and nursing assistants come back too
                continue
            yield from self.emit_item(source, response, item)
        # Page on while we have fewer than the total AND the last page was not empty.
        if items and collected < count_all:
            if fresh == 0:
                self.fail(source, f"page {page} only repeats earlier items; paging stopped", url=response.url)
                return
            yield self.page_request(source, params, page=page + 1, collected=collected, seen=seen)

    def emit_item(self, source: Source, response: Response, item: dict[str, Any]) -> Iterable[Any]:
        try:
            posting = usa.parse_item(item)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.fail(source, f"cannot parse item {item.get('MatchedObjectId')}: {exc}", url=response.url)
            return
        yield from self.emit(source, [posting])
