"""Lifecycle: postings close after a complete crawl that no longer lists them, never after a failed
or cut-short one, reopen when they come back; days open through the posting_lifecycle view."""

from __future__ import annotations

import os
from datetime import timedelta

from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from scraper.items import new_posting
from scraper.lifecycle import lifecycle_counts, mark_abandoned_runs
from scraper.localserver import Reply
from scraper.pipelines import ValidatePipeline
from scraper.spiders.base import stat_key
from scraper.store import close_unseen, open_db, save_postings, start_run
from tests.conftest import TEST_NOW
from tests.greenhouse_world import Board, gh_job

DAY = timedelta(days=1)


def test_close_after_complete_crawl_reopen_when_back(server, crawl, rows):
    board = Board(server, "acme", [gh_job(1), gh_job(2), gh_job(3)])
    first = crawl([board.entry()], now=TEST_NOW)
    assert first.status == "ok"

    board.jobs = [gh_job(1), gh_job(3)]  # job 2 taken down
    second = crawl([board.entry()], now=TEST_NOW + DAY)
    assert second.status == "ok" and second.run["closed"] == 1
    state = {r["id"]: r for r in rows("select id, closed_at, last_seen, first_seen from postings")}
    assert state["greenhouse:2"]["closed_at"] == (TEST_NOW + DAY).isoformat()
    assert state["greenhouse:1"]["closed_at"] is None
    assert state["greenhouse:1"]["last_seen"] == (TEST_NOW + DAY).isoformat()
    assert state["greenhouse:1"]["first_seen"] == TEST_NOW.isoformat()

    board.jobs = [gh_job(1), gh_job(2), gh_job(3)]  # job 2 back under the same id
    third = crawl([board.entry()], now=TEST_NOW + 3 * DAY)
    assert third.run["closed"] == 0 and third.run["reopened"] == 1
    (src,) = rows("select reopened from crawl_run_sources where run_id = ?", [third.run_id])
    assert src["reopened"] == 1
    (two,) = rows("select * from posting_lifecycle where id = 'greenhouse:2'")
    assert two["status"] == "open" and two["first_seen"] == TEST_NOW.isoformat()


def test_failed_or_cut_short_crawl_closes_nothing(server, crawl, rows):
    board = Board(server, "acme", [gh_job(1), gh_job(2)])
    other = Board(server, "beta", [gh_job(11), gh_job(12)])
    assert crawl([board.entry(), other.entry()], now=TEST_NOW).status == "ok"

    # acme's list fails (500 on every try): nothing of acme may close. beta is complete and
    # really lost job 12: that one closes.
    board.always["list"] = Reply(b"oops", status=500, content_type="text/plain")
    other.jobs = [gh_job(11)]
    result = crawl([board.entry(), other.entry()], now=TEST_NOW + DAY)
    sources = {s["source_key"]: s for s in result.sources}
    assert sources["greenhouse:acme"]["complete"] == 0 and sources["greenhouse:acme"]["closed"] == 0
    assert sources["greenhouse:beta"]["complete"] == 1 and sources["greenhouse:beta"]["closed"] == 1
    closed = {r["id"] for r in rows("select id from postings where closed_at is not null")}
    assert closed == {"greenhouse:12"}

    # A list that is truncated JSON (the body cut short): also incomplete, nothing closed.
    board.always["list"] = Reply(b'{"jobs": [{"id": 1, "title": "Medical Ass')
    result = crawl([board.entry()], now=TEST_NOW + 2 * DAY)
    assert result.sources[0]["complete"] == 0
    still_open = "select count(*) n from postings where closed_at is null and source_key = 'greenhouse:acme'"
    assert rows(still_open)[0]["n"] == 2


def test_days_open_view(db_path, rows):
    db = open_db(db_path)
    base = TEST_NOW.replace(hour=6)
    posting = new_posting("lever", "a", "Medical Assistant", source_key="lever:x", date_posted="2026-11-01")
    late = new_posting("lever", "b", "Medical Assistant", source_key="lever:x", date_posted="2026-12-30")
    save_postings(db, [posting, late], now=base.isoformat())
    save_postings(db, [posting], now=(base + 4 * DAY).isoformat())
    assert close_unseen(db, "lever:x", (base + 4 * DAY).isoformat()) == 1
    db.close()
    views = {r["id"]: r for r in rows("select * from posting_lifecycle")}
    # open: from the posting's own date (before we first saw it) to the last run that saw it
    assert views["lever:a"]["status"] == "open"
    assert views["lever:a"]["opened_on"] == "2026-11-01"
    assert views["lever:a"]["days_open"] == 26  # 2026-11-01 .. 2026-11-27
    # closed: a date_posted after our first sighting is not believed; ends at closed_at
    assert views["lever:b"]["status"] == "closed"
    assert views["lever:b"]["opened_on"] == "2026-11-23"
    assert views["lever:b"]["days_open"] == 4


def test_close_unseen_is_per_source_and_spares_what_this_run_saw(db_path):
    db = open_db(db_path)
    t0, t1 = TEST_NOW.isoformat(), (TEST_NOW + DAY).isoformat()
    save_postings(
        db,
        [
            new_posting("lever", "a", "MA", source_key="lever:x"),
            new_posting("lever", "b", "MA", source_key="lever:x"),
            new_posting("lever", "c", "MA", source_key="lever:y"),
        ],
        now=t0,
    )
    save_postings(db, [new_posting("lever", "a", "MA", source_key="lever:x")], now=t1)
    assert close_unseen(db, "lever:x", t1) == 1
    assert close_unseen(db, "lever:x", t1) == 0  # idempotent
    status = dict(db.execute("select id, closed_at is not null from postings").fetchall())
    assert status == {"lever:a": 0, "lever:b": 1, "lever:c": 0}
    counts = lifecycle_counts(db)
    assert (counts.open, counts.closed, counts.open_jobs) == (2, 1, 2)


def test_a_posting_refused_by_validation_marks_its_source_incomplete():
    crawler = get_crawler(settings_dict={})
    assert crawler.stats is not None
    pipeline = ValidatePipeline(crawler)
    item = dict(new_posting("greenhouse", "1", "", source_key="greenhouse:acme"))
    try:
        pipeline.process_item(item)
    except DropItem:
        pass
    else:
        raise AssertionError("a posting without a title must be dropped")
    assert crawler.stats.get_value(stat_key("greenhouse:acme", "incomplete")) == 1
    assert crawler.stats.get_value(stat_key("greenhouse:acme", "failed")) == 1


def test_abandoned_runs_are_marked_interrupted(db_path):
    db = open_db(db_path)
    dead = start_run(db, started_at=TEST_NOW.isoformat(), sources_file=None, pid=2**22 + 12345)
    alive = start_run(db, started_at=TEST_NOW.isoformat(), sources_file=None, pid=os.getppid())
    assert mark_abandoned_runs(db, (TEST_NOW + DAY).isoformat()) == [dead]
    runs = dict(db.execute("select id, status from crawl_runs").fetchall())
    assert runs == {dead: "interrupted", alive: "running"}
