"""Item pipelines, in the order set in settings: validate -> MA title filter -> dedupe -> store.

Each does one thing. Drops carry a reason and are counted per source; nothing half-made is stored.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from scraper.items import EMPLOYMENT_TYPES, SALARY_UNITS, SOURCES, posting_id
from scraper.parsers.title_filter import is_ma_family_title
from scraper.spiders.base import run_clock, stat_key
from scraper.store import (
    Checkpointer,
    close_unseen,
    finish_run,
    open_db,
    record_run_source,
    run_status,
    save_postings,
    start_run,
)

logger = logging.getLogger(__name__)


class _CountingPipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        return cls(crawler)

    def drop(self, item: dict, name: str, reason: str) -> DropItem:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat_key(item.get("source_key") or "", name))
        if name == "failed":  # a listed posting we could not store: the source's crawl is not whole,
            # so none of its postings may be closed as vanished this run
            self.crawler.stats.set_value(stat_key(item.get("source_key") or "", "incomplete"), 1)
        return DropItem(reason)


class ValidatePipeline(_CountingPipeline):
    """Refuse records missing what makes a posting (source, id, title) or with bad enum values."""

    def process_item(self, item: dict) -> dict:
        for required in ("source", "source_id", "title"):
            if not item.get(required):
                raise self.drop(item, "failed", f"posting without {required}: {item.get('url')}")
        if item["source"] not in SOURCES:
            raise self.drop(item, "failed", f"unknown source {item['source']!r}")
        if item.get("employment_type") not in (None, *EMPLOYMENT_TYPES):
            item["employment_type"] = "OTHER"
        if item.get("salary_unit") not in (None, *SALARY_UNITS):
            logger.warning(
                "%s: salary unit %r not in %s; stored as unknown",
                item["source_id"],
                item["salary_unit"],
                SALARY_UNITS,
            )
            item["salary_unit"] = None
        if item.get("state") and len(item["state"]) != 2:
            item["state"] = None
        return item


class MARoleFilterPipeline(_CountingPipeline):
    """Keep MA-family titles only (the matcher decides precisely later); per source opt-out."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._unfiltered: set[str] | None = None

    def process_item(self, item: dict) -> dict:
        if self._unfiltered is None:
            sources = getattr(self.crawler.spider, "sources", [])
            self._unfiltered = {s.key for s in sources if not s.title_filter}
        if item.get("source_key") in self._unfiltered:
            return item
        if not is_ma_family_title(item.get("title")):
            raise self.drop(item, "dropped", f"not an MA-family title: {item.get('title')!r}")
        return item


class DedupePipeline(_CountingPipeline):
    """The same posting twice in one run (Lever under two filters, a page linked twice): keep one."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self.seen: set[str] = set()

    def process_item(self, item: dict) -> dict:
        pid = posting_id(item["source"], item["source_id"])
        if pid in self.seen:
            raise self.drop(item, "duplicate", f"already seen this run: {pid}")
        self.seen.add(pid)
        return item


class StorePipeline:
    """Upsert postings into SQLite in batches; at the end, record the run's per-source counts.

    Under ``majobs crawl`` the run row exists already (``MAJOBS_RUN_ID``); under a bare
    ``scrapy crawl`` this pipeline opens and closes one itself.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("MAJOBS_DB")
        self.batch_size = settings.getint("MAJOBS_STORE_BATCH", 100)
        self.now = run_clock(settings.get("MAJOBS_NOW")).isoformat()
        run_id = settings.get("MAJOBS_RUN_ID")
        self.run_id: int | None = int(run_id) if run_id else None
        self.own_run = self.run_id is None
        self.buffer: list[dict] = []
        self.db: Any = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.db = open_db(self.db_path)
        self.checkpointer = Checkpointer(self.db).start()
        if self.own_run:
            self.run_id = start_run(self.db, started_at=self.now, sources_file=None, pid=os.getpid())

    def process_item(self, item: dict) -> dict:
        self.buffer.append(item)
        if len(self.buffer) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.buffer:
            return
        batch, self.buffer = self.buffer, []
        counts = save_postings(self.db, batch, now=self.now)
        stats = self.crawler.stats
        assert stats is not None
        for key, bucket in counts.by_source_key.items():
            for name, n in bucket.items():
                if n:
                    stats.inc_value(stat_key(key, name), n)

    def close_spider(self) -> None:
        self.flush()

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Write one ``crawl_run_sources`` row per source; close what a complete source no longer lists."""
        if self.db is None:
            return
        try:
            self._close_run(spider, reason)
        finally:
            self.checkpointer.stop()

    def _close_run(self, spider: Spider, reason: str) -> None:
        self.flush()
        stats = self.crawler.stats
        assert stats is not None
        for source in getattr(spider, "sources", []):
            names = ("pages", "fetched", "new", "updated", "unchanged", "failed", "dropped", "reopened")
            counts = {name: stats.get_value(stat_key(source.key, name), 0) for name in names}
            incomplete = stats.get_value(stat_key(source.key, "incomplete"), 0)
            complete = reason == "finished" and not incomplete and counts["pages"] > 0
            if complete:
                counts["closed"] = close_unseen(self.db, source.key, self.now)
            prefix = stat_key(source.key, "")
            other = {
                key[len(prefix) :]: value
                for key, value in stats.get_stats().items()
                if key.startswith(prefix) and key[len(prefix) :] not in (*names, "incomplete")
            }
            record_run_source(
                self.db,
                self.run_id,
                source.key,
                source.kind,
                complete=complete,
                finish_reason=reason,
                other_counts=other,
                **counts,
            )
            logger.info("[%s] %s", source.key, ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.own_run:
            assert self.run_id is not None
            finish_run(self.db, self.run_id, status=run_status(self.db, self.run_id))
