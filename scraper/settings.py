"""Scrapy settings for majobs. The only place the crawl reads environment variables.

Every setting can be overridden per run: ``majobs crawl -s NAME=VALUE`` or ``scrapy crawl -s``.
"""

import os

BOT_NAME = "majobs"
SPIDER_MODULES = ["scraper.spiders"]
NEWSPIDER_MODULE = "scraper.spiders"

# --- identify ourselves and be polite -------------------------------------------------------
MAJOBS_CONTACT = os.environ.get("MAJOBS_CONTACT", "https://github.com/majobs/majobs")
USER_AGENT = os.environ.get(
    "MAJOBS_USER_AGENT", f"majobs/0.1 (job-market research for medical assistants; +{MAJOBS_CONTACT})"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Scrapy starts this many worker tasks for *every* response's output; our pipelines are
# synchronous, so more than one buys nothing and the default (100) costs a third of the crawl's CPU
# (benchmarks/crawl.py).
CONCURRENT_ITEMS = 1
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# --- faults: retries, timeouts, size limits ---------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Retry-After is honoured up to this many seconds; a longer wait gives the request up (counted).
MAJOBS_RETRY_AFTER_MAX = float(os.environ.get("MAJOBS_RETRY_AFTER_MAX", "120"))
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # a career page or API answer larger than 10 MiB is refused
# The web only: a sitemap or page that links to file://, data:, ftp:// or s3:// gets a counted
# failure, not this machine's files (nor a download the size limit above would not bound).
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
REDIRECT_MAX_TIMES = 5

DOWNLOADER_MIDDLEWARES = {
    # Our retry replaces Scrapy's so that Retry-After is honoured.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.RetryAfterMiddleware": 550,
    "scraper.middlewares.OffsiteRedirectMiddleware": 610,
}

ITEM_PIPELINES = {
    "scraper.pipelines.ValidatePipeline": 100,
    "scraper.pipelines.MARoleFilterPipeline": 200,
    "scraper.pipelines.DedupePipeline": 300,
    "scraper.pipelines.StorePipeline": 900,
}

# --- majobs -----------------------------------------------------------------------------------
# The SQLite database the StorePipeline writes to (majobs crawl --db sets it).
MAJOBS_DB = os.environ.get("MAJOBS_DB", "data/jobs.db")
# crawl_runs.id this crawl belongs to; empty when run through bare `scrapy crawl` (one is made).
MAJOBS_RUN_ID = None
# The crawl's clock (ISO datetime, UTC). Empty means now; the demo and the tests set it.
MAJOBS_NOW = os.environ.get("MAJOBS_NOW", "")
# Postings are written in batches of this many (and at the end of the crawl).
MAJOBS_STORE_BATCH = 100

# USAJOBS needs a personal key and the e-mail it was registered with.
USAJOBS_API_KEY = os.environ.get("USAJOBS_API_KEY", "")
USAJOBS_EMAIL = os.environ.get("USAJOBS_EMAIL", "")

LOG_LEVEL = os.environ.get("MAJOBS_LOG_LEVEL", "INFO")
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
# Scrapy reads the source of every generator callback to warn about `return value`; our spiders
# never return values from generators, and the check costs measurable CPU per page.
WARN_ON_GENERATOR_RETURN_VALUE = False
FEED_EXPORT_ENCODING = "utf-8"
