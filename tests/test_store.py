"""The store's own contract: idempotent upserts, first/last seen, and incomplete copies."""

from __future__ import annotations

import json
from datetime import timedelta

from scraper.items import new_posting
from scraper.store import PARTIAL, open_db, record_run_source, save_postings, start_run
from tests.conftest import TEST_NOW
from tests.test_spiders_greenhouse import serve_board


def _posting(**fields):
    base = dict(source_key="greenhouse:x", description_text="Room patients. CMA required.", salary_min=18.0)
    return new_posting("greenhouse", "1", "Medical Assistant", **{**base, **fields})


def test_upsert_counts_and_dates(db_path):
    db = open_db(db_path)
    assert save_postings(db, [_posting()], now="2026-11-02T06:00:00+00:00").new == 1
    again = save_postings(db, [_posting()], now="2026-11-09T06:00:00+00:00")
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    edited = save_postings(db, [_posting(salary_min=19.0)], now="2026-11-16T06:00:00+00:00")
    assert edited.updated == 1
    row = db.execute("select first_seen, last_seen, salary_min from postings").fetchone()
    assert row == ("2026-11-02T06:00:00+00:00", "2026-11-16T06:00:00+00:00", 19.0)


def test_partial_copy_marks_seen_but_keeps_stored_content(db_path):
    db = open_db(db_path)
    save_postings(db, [_posting()], now="2026-11-02T06:00:00+00:00")
    db.execute("update postings set closed_at = '2026-11-05T06:00:00+00:00'")
    db.conn.commit()
    thin = _posting(description_text=None, salary_min=None)
    thin[PARTIAL] = True
    counts = save_postings(db, [thin], now="2026-11-09T06:00:00+00:00")
    assert (counts.updated, counts.unchanged, counts.reopened) == (0, 1, 1)
    row = db.execute("select description_text, salary_min, last_seen, closed_at from postings").fetchone()
    assert row == ("Room patients. CMA required.", 18.0, "2026-11-09T06:00:00+00:00", None)
    # A partial copy of a posting never stored before is stored as it is.
    new = _posting(description_text=None)
    new["source_id"] = "2"
    new[PARTIAL] = True
    assert save_postings(db, [new], now="2026-11-09T06:00:00+00:00").new == 1


def test_failed_detail_on_recrawl_keeps_pay_and_description(server, crawl, rows):
    """A Greenhouse detail (the pay) that fails on the second crawl must not erase the first's."""
    serve_board(server)
    server.add(
        "/gh/v1/boards/pinecrest/jobs/7012345003", json_body={"id": 7012345003, "pay_input_ranges": []}
    )
    entries = [{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}]
    crawl(entries)
    server.add("/gh/v1/boards/pinecrest/jobs/7012345001", status=500, body="down")
    second = crawl(entries, now=TEST_NOW + timedelta(days=7))
    (ma,) = rows("select * from postings where source_id = '7012345001'")
    assert (ma["salary_min"], ma["salary_max"], ma["salary_unit"]) == (17.25, 20.5, "HOUR")
    assert ma["last_seen"] == (TEST_NOW + timedelta(days=7)).isoformat()
    assert ma["closed_at"] is None
    (src,) = [s for s in second.sources]
    assert src["failed"] >= 1 and src["unchanged"] == 2


def test_other_counters_reach_crawl_run_sources(db_path):
    db = open_db(db_path)
    run_id = start_run(db, started_at=TEST_NOW.isoformat(), sources_file=None, pid=1)
    record_run_source(db, run_id, "jsonld:x", "jsonld", pages=3, other_counts={"no_jsonld": 2})
    row = db.execute("select pages, other_counts from crawl_run_sources").fetchone()
    assert row[0] == 3 and json.loads(row[1]) == {"no_jsonld": 2}
