"""Career pages with schema.org JobPosting markup, found through a sitemap or list pages.

A source gives ``sitemap`` (a sitemap, a sitemap index, or a robots.txt naming sitemaps) and/or
``start_urls``. Every page listed there is read; a page without a JobPosting of its own is taken
for a list or search page, and its job links (``follow``: a regex on the path, default
:data:`scraper.parsers.jsonld.DEFAULT_FOLLOW`) on the same host are followed **one** hop (HCA's
sitemap lists regional search pages, not jobs). Sitemap files are read with Scrapy's own
``scrapy.utils.sitemap`` (as ``SitemapSpider`` does); ``sitemap_follow`` (a regex) picks child
sitemaps of an index, and ``lastmod_since`` (a date) skips entries not modified since then.

Outcomes, per page, counted under ``majobs/source/<key>/<name>``:

- a page that 404s/410s (a job removed since the sitemap was written): logged, counted as a
  non-critical failure, the rest goes on; other failures (5xx after retries, timeouts) make the
  source incomplete, so no posting is closed on a guess;
- a page robots.txt disallows is not fetched (``robots_forbidden``; Scrapy's middleware);
- ``broken_blocks``: an ld+json block that no lenient step could read (the others still count);
- ``no_jsonld``: a page with no JobPosting. When it looks like JavaScript writes the markup, a
  warning says so and the source is marked incomplete (we cannot see its postings, so must not
  close them); an ordinary page without markup (an expired posting) is only logged;
- ``skipped_lastmod``: entries the ``lastmod_since`` filter left out; an incremental run did not
  see every posting, so the source is marked incomplete (nothing closed).

Ids: identifier-based ids are prefixed with the site key (``site_key``, default the host of the
sitemap or first start URL), because one spider reads many employers' sites whose short ids
collide; URL-based ids are globally unique and kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse, XmlResponse
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots
from twisted.python.failure import Failure

from scraper.parsers import jsonld
from scraper.parsers.normalize import iso_date
from scraper.parsers.title_filter import is_ma_family_title
from scraper.sources import Source
from scraper.spiders.base import MajobsSpider, stat_key

MAX_SITEMAP_DEPTH = 3  # index -> index -> urlset is already unusual


def _since(value: Any) -> str | None:
    """``lastmod_since`` from YAML (a date, a datetime or a string) -> ISO date."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return iso_date(str(value)) if value else None


class JsonLdSpider(MajobsSpider):
    name = "jsonld"
    kind = "jsonld"

    def start_source(self, source: Source) -> Iterable[Request]:
        if source.get("sitemap"):
            yield self.request(
                source, source.rebase(source.get("sitemap")), self.parse_sitemap, cb_kwargs={"depth": 0}
            )
        for url in source.get("start_urls") or []:
            yield self.page_request(source, source.rebase(url), hop=0, listed=False)

    def site_key(self, source: Source) -> str:
        return str(source.get("site_key") or urlsplit(source.real_origin or "").netloc or source.key)

    def mark_incomplete(self, source: Source) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value(stat_key(source.key, "incomplete"), 1)

    def page_request(self, source: Source, url: str, *, hop: int, listed: bool) -> Request:
        """``listed``: the URL came from a sitemap or a list page, so a 404 means the job is gone."""
        return self.request(
            source,
            url,
            self.parse_page,
            cb_kwargs={"hop": hop},
            meta={"listed": listed},
            errback=self.page_failed,
        )

    # --- sitemaps --------------------------------------------------------------------------------
    def sitemap_body(self, response: Response) -> bytes | None:
        """The XML of a sitemap response (gunzipped if need be), or None if it is not one."""
        if gzip_magic_number(response):
            try:
                return gunzip(response.body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except (ValueError, OSError, EOFError):  # corrupt, or larger than DOWNLOAD_MAXSIZE unpacked
                return None
        if isinstance(response, XmlResponse) or re.match(
            rb"\s*(<\?xml|<urlset|<sitemapindex)", response.body
        ):
            return response.body
        return None

    def parse_sitemap(self, response: Response, source: Source, depth: int) -> Iterable[Any]:
        self.count(source, "pages")
        public = source.public_url(response.url)
        if urlsplit(public).path.endswith("/robots.txt"):
            for url in sitemap_urls_from_robots(response.body, base_url=public):
                yield self.request(
                    source, source.rebase(url), self.parse_sitemap, cb_kwargs={"depth": depth + 1}
                )
            return
        body = self.sitemap_body(response)
        kind, entries = None, []
        if body:
            try:
                sitemap = Sitemap(body)
                kind = sitemap.type
                entries = list(sitemap) if kind in ("sitemapindex", "urlset") else []
            except (StopIteration, ValueError, SyntaxError):  # lxml's XMLSyntaxError is a SyntaxError
                kind = None
        if kind not in ("sitemapindex", "urlset"):
            self.fail(source, "not a sitemap (neither <urlset> nor <sitemapindex>)", url=response.url)
            return
        entries = list(self.filter_lastmod(source, entries))
        if kind == "sitemapindex":
            if depth >= MAX_SITEMAP_DEPTH:
                self.fail(
                    source, f"sitemap index nested deeper than {MAX_SITEMAP_DEPTH}: not followed", url=public
                )
                return
            follow = source.get("sitemap_follow")
            for entry in entries:
                if follow and not re.search(str(follow), entry["loc"]):
                    continue
                yield self.request(
                    source, source.rebase(entry["loc"]), self.parse_sitemap, cb_kwargs={"depth": depth + 1}
                )
            return
        for entry in entries:
            yield self.page_request(source, source.rebase(entry["loc"]), hop=0, listed=True)

    def filter_lastmod(self, source: Source, entries: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        since = _since(source.get("lastmod_since"))
        skipped = 0
        for entry in entries:
            if not entry.get("loc"):
                continue
            lastmod = iso_date(entry.get("lastmod"))
            if since and lastmod and lastmod < since:
                skipped += 1
                continue
            yield entry
        if skipped:
            # This run does not see the unchanged postings, so it must not close them.
            self.count(source, "skipped_lastmod", skipped)
            self.mark_incomplete(source)
            self.logger.info(
                "[%s] %d sitemap entries unchanged since %s: skipped", source.key, skipped, since
            )

    # --- pages ------------------------------------------------------------------------------------
    def parse_page(self, response: Response, source: Source, hop: int) -> Iterable[Any]:
        self.count(source, "pages")
        if not isinstance(response, TextResponse):
            self.fail(source, "not a text page", critical=False, url=response.url)
            return
        public = source.public_url(response.url)
        result = self.parse_safely(
            source, response, jsonld.parse_page, response.text, public, site_key=self.site_key(source)
        )
        if result is None:
            return
        for problem in result.broken_blocks:
            self.count(source, "broken_blocks")
            self.logger.warning("[%s] unreadable ld+json block skipped, %s (%s)", source.key, problem, public)
        for problem in result.skipped:
            self.count(source, "skipped_nodes")
            self.logger.warning("[%s] JobPosting skipped: %s (%s)", source.key, problem, public)
        if result.postings:
            yield from self.emit_postings(source, result.postings)
            return
        if result.syntax:  # JobPosting nodes were there, but none was usable (logged above)
            return
        if hop == 0:
            links = self.follow_links(source, response.text, public)
            if links:
                self.count(source, "list_pages")
                for url in links:
                    yield self.page_request(source, url, hop=1, listed=True)
                return
        self.count(source, "no_jsonld")
        if result.js_hint:
            self.logger.warning(
                "[%s] no JobPosting in the server HTML and it looks injected by JavaScript (%s): this site "
                "needs another strategy; source marked incomplete (%s)",
                source.key,
                result.js_hint,
                public,
            )
            self.mark_incomplete(source)
        else:
            self.logger.info(
                "[%s] no JobPosting markup (expired posting or not a job page): %s", source.key, public
            )

    def follow_links(self, source: Source, html: str, public: str) -> list[str]:
        """Job links on a list page, on the page's own host, ready to request (rebased)."""
        host = urlsplit(public).netloc.lower()
        pattern = source.get("follow") or jsonld.DEFAULT_FOLLOW
        links = jsonld.job_links(html, public, pattern)
        return [source.rebase(url) for url in links if urlsplit(url).netloc.lower() == host]

    def emit_postings(self, source: Source, postings: list[Any]) -> Iterable[Any]:
        kept = []
        for posting in postings:
            if source.title_filter and not is_ma_family_title(posting["title"]):
                self.count(source, "dropped")
                continue
            kept.append(posting)
        yield from self.emit(source, kept)

    def page_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        source: Source = request.meta["source"]
        if failure.check(IgnoreRequest) and "robots.txt" in str(failure.value):
            self.count(source, "robots_forbidden")  # internal-only postings: not ours to read
            self.logger.info("[%s] robots.txt disallows %s: not fetched", source.key, request.url)
            return
        response = getattr(failure.value, "response", None)
        if response is not None and response.status in (404, 410) and request.meta.get("listed"):
            self.fail(
                source,
                f"page gone (HTTP {response.status}): job removed since it was listed",
                critical=False,
                url=request.url,
            )
            self.count(source, "gone")
            return
        self.on_error(failure)
