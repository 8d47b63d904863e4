"""Lever Postings API: one list request per site, or pages of ``limit`` when the source asks.

Paging (source option ``limit``) follows ``skip``/``limit`` and stops at the first page shorter
than ``limit``. A posting id seen earlier in the run of a site is skipped (Lever repeats postings
across filtered queries); a full page holding only repeats means the server ignored ``skip``,
and paging stops there with the source marked incomplete.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Request, Response

from scraper.parsers import lever as lv
from scraper.parsers.normalize import clean_text
from scraper.parsers.title_filter import is_ma_family_title
from scraper.sources import Source
from scraper.spiders.base import MajobsSpider


def page_limit(source: Source) -> int | None:
    """The source's ``limit`` option: ``None`` (one request for the whole site) or a positive int."""
    value = source.get("limit")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"limit must be a positive integer (got {value!r})")
    return value


class LeverSpider(MajobsSpider):
    name = "lever"
    kind = "lever"

    def origin(self, source: Source) -> str:
        return source.rebase(source.real_origin or lv.API_ORIGIN)

    def start_source(self, source: Source) -> Iterable[Request]:
        yield self.page_request(source, skip=0, limit=page_limit(source), seen=set())

    def page_request(self, source: Source, *, skip: int, limit: int | None, seen: set[str]) -> Request:
        url = lv.postings_url(self.origin(source), source.get("site"), skip=skip, limit=limit)
        return self.request(
            source, url, self.parse_page, cb_kwargs={"skip": skip, "limit": limit, "seen": seen}
        )

    def parse_page(
        self, response: Response, source: Source, skip: int, limit: int | None, seen: set[str]
    ) -> Iterable[Any]:
        postings = self.parse_safely(
            source, response, lambda: lv.parse_postings_list(self.load_json(source, response))
        )
        if postings is None:  # counted and logged; no further pages of this site
            return
        fresh = 0
        for posting in postings:
            pid = posting.get("id")
            if not pid:
                self.fail(source, "posting without id in list", url=response.url)
                continue
            if pid in seen:
                self.count(source, "duplicate")
                self.logger.debug("[%s] posting %s listed again; skipped", source.key, pid)
                continue
            seen.add(pid)
            fresh += 1
            if source.title_filter and not is_ma_family_title(clean_text(posting.get("text"))):
                self.count(source, "dropped")
                continue
            yield from self.emit_posting(source, response, posting)
        if limit is not None and len(postings) >= limit:
            if fresh == 0:
                self.fail(
                    source, f"page at skip={skip} repeats earlier postings; paging stopped", url=response.url
                )
                return
            yield self.page_request(source, skip=skip + limit, limit=limit, seen=seen)

    def emit_posting(self, source: Source, response: Response, posting: dict[str, Any]) -> Iterable[Any]:
        try:
            record = lv.parse_posting(posting, site=source.get("site"), company=source.company)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            self.fail(source, f"cannot parse posting {posting.get('id')}: {exc}", url=response.url)
            return
        yield from self.emit(source, [record])
