"""Shared test helpers: fixtures on disk, a loopback server, a scratch database, and a crawl
through the real Scrapy engine with test-speed settings (no throttling, no delays)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.crawl import CrawlResult, run_crawl
from scraper.localserver import LocalServer
from scraper.sources import parse_sources
from scraper.store import open_db

FIXTURES = Path(__file__).parent / "fixtures"

# The engine at test speed: politeness is tested where it matters, not paid on every test.
FAST_SETTINGS: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 2,
    "DOWNLOAD_TIMEOUT": 10,
    "MAJOBS_RETRY_AFTER_MAX": 5,
    "LOG_LEVEL": "WARNING",
    "USAJOBS_API_KEY": "test-key",
    "USAJOBS_EMAIL": "tests@example.org",
}

TEST_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def fixture_text(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


def fixture_json(*parts: str) -> Any:
    return json.loads(fixture_text(*parts))


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jobs.db"


@pytest.fixture
def crawl(db_path: Path):
    """crawl(entries, now=..., **settings) -> CrawlResult, through the real engine."""

    def _crawl(entries: list[dict], now: datetime = TEST_NOW, **settings: Any) -> CrawlResult:
        sources = parse_sources({"sources": entries})
        return run_crawl(sources, db_path, settings={**FAST_SETTINGS, **settings}, now=now)

    return _crawl


@pytest.fixture
def rows(db_path: Path):
    """rows(sql, params) -> list of dicts from the test database."""

    def _rows(sql: str, params: Any = ()) -> list[dict]:
        db = open_db(db_path)
        try:
            cursor = db.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            db.close()

    return _rows
