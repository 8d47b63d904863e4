"""Downloader middlewares: polite retries and refusing redirects that leave the site."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, but a 429/503 with ``Retry-After`` waits as long as the server asks.

    A wait longer than ``MAJOBS_RETRY_AFTER_MAX`` seconds is not worth holding the crawl for:
    the request is given up (the spider's errback counts it as a failed page).
    """

    def __init__(self, settings):  # type: ignore[no-untyped-def]
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("MAJOBS_RETRY_AFTER_MAX", 120.0)

    @classmethod
    def from_crawler(cls, crawler: Crawler):  # type: ignore[no-untyped-def]
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is not None:
            if wait > self.retry_after_max:
                logger.warning(
                    "Giving up %s: server asks to retry after %.0fs (limit %.0fs)",
                    request.url,
                    wait,
                    self.retry_after_max,
                )
                self.crawler.stats.inc_value("majobs/retry_after_too_long")
                return response
            retry = self._retry(request, response_status_message(response.status))
            if retry is None:
                return response
            self.crawler.stats.inc_value("majobs/retry_after_waits")
            logger.info(
                "%s answered %s; waiting %.1fs as Retry-After asks", request.url, response.status, wait
            )
            await asyncio.sleep(wait)
            return retry
        return self._retry(request, response_status_message(response.status)) or response


def _site(host: str) -> str:
    """The registrable part of a host, roughly: its last two labels (``careers.x.org`` -> ``x.org``)."""
    labels = host.lower().split(":")[0].rstrip(".").split(".")
    return ".".join(labels[-2:])


class OffsiteRedirectMiddleware:
    """Refuse a redirect that leaves the site (a login wall, a parked domain, an ad network).

    Runs before Scrapy's RedirectMiddleware sees the 3xx. Same-site moves (http -> https,
    careers.x.org -> x.org) are fine; set ``meta['allow_offsite_redirect']`` to allow others.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or request.meta.get("allow_offsite_redirect"):
            return response
        location = response.headers.get("Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        src, dst = urlsplit(request.url).hostname or "", urlsplit(target).hostname or ""
        if _site(src) != _site(dst):
            self.crawler.stats.inc_value("majobs/offsite_redirect")
            raise IgnoreRequest(f"redirect from {request.url} to another site ({target}) refused")
        return response
