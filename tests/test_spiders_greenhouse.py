"""Greenhouse through the real Scrapy engine against fixture responses on loopback."""

from __future__ import annotations

from scraper.localserver import Reply
from tests.conftest import fixture_json


def serve_board(server, board="pinecrest", jobs=None, detail=True):
    server.add(f"/gh/v1/boards/{board}", json_body=fixture_json("greenhouse", "board.json"))
    server.add(f"/gh/v1/boards/{board}/jobs", json_body=jobs or fixture_json("greenhouse", "jobs.json"))
    if detail:
        server.add(
            f"/gh/v1/boards/{board}/jobs/7012345001",
            json_body=fixture_json("greenhouse", "job_7012345001.json"),
        )


def test_crawl_stores_ma_postings_with_pay_from_detail(server, crawl, rows):
    serve_board(server)
    result = crawl([{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}])

    assert result.status == "partial"  # the 3rd job's detail is missing (404): counted, posting kept
    postings = {p["source_id"]: p for p in rows("select * from postings order by id")}
    assert set(postings) == {"7012345001", "7012345003"}  # the RN was filtered out by title
    ma = postings["7012345001"]
    assert ma["company"] == "Pinecrest Medical Group"  # from the board endpoint
    assert (ma["city"], ma["state"], ma["country"]) == ("Erie", "PA", "US")
    assert ma["employment_type"] == "PART_TIME"
    assert ma["date_posted"] == "2024-10-14"  # date as written, before any UTC conversion
    assert (ma["salary_min"], ma["salary_max"], ma["salary_unit"]) == (17.25, 20.5, "HOUR")
    assert ma["salary_source"] == "structured"
    assert ma["description_html"].startswith("<p>Join our urgent care team.</p>")
    assert "CMA or RMA required" in ma["description_text"]
    assert ma["source_key"] == "greenhouse:pinecrest"

    other = postings["7012345003"]
    assert other["title"] == "Certified Medical Assistant & Scribe"
    assert (other["city"], other["state"]) == ("Salem", "OR")  # "Multiple Locations" -> office
    assert (other["salary_min"], other["salary_max"], other["salary_unit"]) == (40000, 46000, "YEAR")
    assert other["salary_source"] == "description"

    (run,) = rows("select * from crawl_runs")
    (src,) = rows("select * from crawl_run_sources")
    assert src["fetched"] == 2 and src["new"] == 2 and src["dropped"] == 1 and src["failed"] == 1
    assert run["new"] == 2 and run["finished_at"]
    paths = [r.path for r in server.requests]
    assert "/robots.txt" in paths
    assert "/gh/v1/boards/pinecrest/jobs/7012345002" not in paths  # no detail for a non-MA title
    (list_request,) = server.requests_to("/gh/v1/boards/pinecrest/jobs")
    assert list_request.query == {"content": ["true"]}


def test_recrawl_is_idempotent(server, crawl, rows):
    serve_board(server)
    server.add(
        "/gh/v1/boards/pinecrest/jobs/7012345003", json_body={"id": 7012345003, "pay_input_ranges": []}
    )
    entries = [{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}]
    first = crawl(entries)
    second = crawl(entries)
    assert first.status == second.status == "ok"
    assert rows("select count(*) n from postings")[0]["n"] == 2
    runs = rows("select new, updated, unchanged, closed from crawl_runs order by id")
    assert runs == [
        {"new": 2, "updated": 0, "unchanged": 0, "closed": 0},
        {"new": 0, "updated": 0, "unchanged": 2, "closed": 0},
    ]


def test_truncated_list_fails_cleanly(server, crawl, rows):
    server.add("/gh/v1/boards/pinecrest", json_body={"name": "Pinecrest"})
    server.add("/gh/v1/boards/pinecrest/jobs", reply=Reply(b'{"jobs": [{"id": 1, "title": "Medical Ass'))
    result = crawl([{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}])
    assert result.status == "partial"
    (src,) = rows("select * from crawl_run_sources")
    assert src["failed"] == 1 and src["complete"] == 0 and src["fetched"] == 0
    assert rows("select count(*) n from postings")[0]["n"] == 0


def test_a_page_that_breaks_a_callback_closes_nothing(server, crawl, rows):
    """A listing whose job has a title that is a number (a TypeError the parsers do not expect):
    the page is a counted failure, the source incomplete, and no posting seen before is closed."""
    serve_board(server)
    server.add(
        "/gh/v1/boards/pinecrest/jobs/7012345003", json_body={"id": 7012345003, "pay_input_ranges": []}
    )
    entries = [{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}]
    assert crawl(entries).status == "ok"
    server.add("/gh/v1/boards/pinecrest/jobs", json_body={"jobs": [{"id": 1, "title": 42}]})
    result = crawl(entries)
    assert result.status == "partial"
    src = rows("select failed, complete from crawl_run_sources order by run_id desc limit 1")[0]
    assert src == {"failed": 1, "complete": 0}
    assert rows("select count(*) n from postings where closed_at is null")[0]["n"] == 2
