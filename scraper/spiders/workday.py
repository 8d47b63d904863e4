"""Workday CXS: list pages by POST (20 a page), then a detail GET for each MA-family title.

Paging rules (``../shared/sources.md`` section 5):

- ``total`` is read from the first page only (later pages may say 0);
- paging stops on an empty page, once ``total`` postings were listed, or (when no total was
  given) after a short page; an empty page more than a page short of ``total`` marks the
  source incomplete (a few postings removed during the run are normal; dozens are not);
- a page that brings no new ``externalPath`` means the tenant clamps the offset (big tenants stop
  at 2000): paging stops with a truncation warning and the source is marked incomplete, because a
  cut listing must not close the postings it did not reach;
- a list page that fails (after retries) ends the listing there: a partial run, nothing closed.

A detail that fails keeps the posting with what the list gave (title, id, list location and
date; no description or pay): it is still a posting, and dropping it would lose a new one for
a week. The failure is counted and the source marked incomplete, so nothing is closed this run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from scrapy.http import Request, Response
from twisted.python.failure import Failure

from scraper.parsers import workday as wd
from scraper.parsers.title_filter import is_ma_family_title
from scraper.sources import Source
from scraper.spiders.base import MajobsSpider, ParseError, stat_key
from scraper.store import PARTIAL

# Without a total to stop at, never page past this many postings.
MAX_LISTED_WITHOUT_TOTAL = 5000


@dataclass
class Listing:
    """One source's walk through its list pages (pages are fetched one after another)."""

    board: wd.Board
    root: str  # the CXS root to request: the real one, or rebased onto base_url
    total: int | None = None
    listed: int = 0
    seen: set[str] = field(default_factory=set)


class WorkdaySpider(MajobsSpider):
    name = "workday"
    kind = "workday"

    def start_source(self, source: Source) -> Iterable[Request]:
        url = str(source.get("url")).rstrip("/")
        listing = Listing(board=wd.board_from_url(url), root=source.rebase(url))
        yield self.page_request(source, listing, 0)

    def page_request(self, source: Source, listing: Listing, offset: int) -> Request:
        body = wd.list_body(offset, source.get("search"), source.get("applied_facets"))
        return self.json_request(
            source,
            wd.list_url(listing.root),
            self.parse_page,
            body,
            cb_kwargs={"listing": listing, "offset": offset},
        )

    def mark_incomplete(self, source: Source, reason: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(stat_key(source.key, "incomplete"), 1)
        self.count(source, reason)

    # --- list pages ------------------------------------------------------------------------------
    def parse_page(self, response: Response, source: Source, listing: Listing, offset: int) -> Iterable[Any]:
        page = self.parse_safely(
            source, response, lambda: wd.parse_list_page(self.load_json(source, response))
        )
        if page is None:
            return
        if offset == 0:
            listing.total = page.total  # later pages may say 0: only the first is believed
        if not page.postings:
            short = (listing.total or 0) - listing.listed
            if short > wd.PAGE_SIZE:
                # More than a page missing is not a few postings removed meanwhile: do not trust it.
                self.logger.warning(
                    "[%s] empty page at offset %d, %d postings short of the total %d (marked incomplete)",
                    source.key,
                    offset,
                    short,
                    listing.total,
                )
                self.mark_incomplete(source, "short")
            elif short > 0:
                self.logger.info(
                    "[%s] empty page %d short of the total (removed meanwhile)", source.key, short
                )
            return
        fresh = []
        repeats = 0
        for item in page.postings:
            path = item.get("externalPath")
            if not isinstance(path, str) or not path:
                self.fail(source, f"list entry without externalPath: {item.get('title')!r}", url=response.url)
                continue
            if path in listing.seen:
                repeats += 1  # a posting added meanwhile shifts the pages by one: skip the repeat
                continue
            listing.seen.add(path)
            fresh.append(item)
        listing.listed += len(page.postings)
        for item in fresh:
            yield from self.handle_item(source, listing, item)

        if repeats and not fresh:
            self.logger.warning(
                "[%s] page at offset %d repeats earlier postings: the tenant clamps the offset; "
                "listing truncated after %d of %s postings (source marked incomplete)",
                source.key,
                offset,
                len(listing.seen),
                listing.total if listing.total else "an unknown number of",
            )
            self.mark_incomplete(source, "truncated")
            return
        next_offset = offset + len(page.postings)
        if listing.total:
            if next_offset >= listing.total:
                return
        elif len(page.postings) < wd.PAGE_SIZE:
            return  # no total to go by: a short page is the last one
        cap = source.get("max_postings")
        if cap and listing.listed >= int(cap):
            self.logger.info("[%s] stopped at max_postings=%s (source marked incomplete)", source.key, cap)
            self.mark_incomplete(source, "capped")
            return
        if not listing.total and listing.listed >= MAX_LISTED_WITHOUT_TOTAL:
            self.logger.warning("[%s] no total and %d postings listed: stopping", source.key, listing.listed)
            self.mark_incomplete(source, "capped")
            return
        yield self.page_request(source, listing, next_offset)

    def handle_item(self, source: Source, listing: Listing, item: dict[str, Any]) -> Iterable[Any]:
        if source.title_filter and not is_ma_family_title(item.get("title")):
            self.count(source, "dropped")
            return
        yield self.request(
            source,
            wd.detail_url(listing.root, item["externalPath"]),
            self.parse_detail,
            cb_kwargs={"listing": listing, "item": item},
            headers={"Accept": "application/json"},
            errback=self.detail_failed,
        )

    # --- details ---------------------------------------------------------------------------------
    def parse_detail(self, response: Response, source: Source, listing: Listing, item: dict) -> Iterable[Any]:
        detail: Any
        try:
            detail = self.load_json(source, response)
            if wd.posting_info(detail) is None:
                raise ParseError("no jobPostingInfo in the detail")
        except ParseError as exc:
            self.fail(source, f"detail unreadable, posting kept from the list: {exc}", url=response.url)
            detail = None
        yield from self.emit_job(source, listing, item, detail, response.url)

    def detail_failed(self, failure: Failure) -> Iterable[Any]:
        self.on_error(failure)  # counted; the source is marked incomplete (the request is critical)
        request = failure.request  # type: ignore[attr-defined]
        kw = request.cb_kwargs
        yield from self.emit_job(kw["source"], kw["listing"], kw["item"], None, request.url)

    def emit_job(
        self, source: Source, listing: Listing, item: dict, detail: Any, url: str | None
    ) -> Iterable[Any]:
        try:
            posting = wd.parse_job(
                item, detail, board=listing.board, today=self.today, company=source.company
            )
        except (ValueError, KeyError, TypeError) as exc:
            self.fail(source, f"cannot parse posting {item.get('externalPath')!r}: {exc}", url=url)
            return
        if detail is None:
            posting[PARTIAL] = True  # type: ignore[literal-required]  # never overwrites a stored copy
        yield from self.emit(source, [posting])
