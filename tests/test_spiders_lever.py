"""Lever through the real Scrapy engine against fixture responses on loopback."""

from __future__ import annotations

import copy

import pytest

from scraper.localserver import Reply
from scraper.sources import Source, SourcesError, parse_sources
from scraper.spiders.lever import LeverSpider, page_limit
from tests.conftest import fixture_json

SITE_PATH = "/lever/v0/postings/riverbend-derm"


def posting(n: int, title: str = "Medical Assistant", commitment: str = "Full-time") -> dict:
    """A Lever posting shaped like the basic fixture, with its own id and title."""
    p = copy.deepcopy(fixture_json("lever", "basic.json")[0])
    p["id"] = f"00000000-0000-4000-8000-{n:012d}"
    p["text"] = title
    p["categories"]["commitment"] = commitment
    p["hostedUrl"] = f"https://jobs.lever.co/riverbend-derm/{p['id']}"
    return p


def entry(server, **extra) -> dict:
    return {
        "kind": "lever",
        "site": "riverbend-derm",
        "company": "Riverbend Dermatology",
        "base_url": f"{server.url}/lever",
        **extra,
    }


def paged(pages: dict[int, Reply]):
    """A handler answering by the ``skip`` query parameter."""

    def handler(request):
        return pages.get(int(request.arg("skip", "-1")))

    return handler


def test_one_request_for_the_whole_site(server, crawl, rows):
    server.add(SITE_PATH, json_body=[*fixture_json("lever", "basic.json"), posting(9, "Registered Nurse")])
    result = crawl([entry(server)])

    assert result.status == "ok"
    (request,) = server.requests_to(SITE_PATH)
    assert request.query == {"mode": ["json"]}  # no paging asked for; never group=
    postings = {p["source_id"]: p for p in rows("select * from postings")}
    assert set(postings) == {"5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22", "8c41d7e0-93aa-4c0e-b1f5-2a6b0d9e4f10"}
    mohs = postings["5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"]
    assert mohs["company"] == "Riverbend Dermatology"
    assert mohs["source_key"] == "lever:riverbend-derm"
    assert mohs["url"] == "https://jobs.lever.co/riverbend-derm/5b0e2c1a-2f7d-4a8e-9c61-7d3e1f0a9b22"
    assert (mohs["city"], mohs["state"], mohs["date_posted"]) == ("Tacoma", "WA", "2024-11-05")
    assert (mohs["salary_min"], mohs["salary_max"], mohs["salary_unit"]) == (22.5, 27.0, "HOUR")
    assert "CMA or RMA" in mohs["description_text"]
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["fetched"], src["new"], src["dropped"], src["failed"]) == (1, 2, 2, 1, 0)
    assert src["complete"] == 1


def test_paging_filters_non_ma_and_dedups_ids_across_pages(server, crawl, rows):
    pages = {
        0: Reply.json([posting(1), posting(2, "Registered Nurse")]),
        2: Reply.json([posting(1), posting(3, "Medical Assistant - Float", "Per Diem")]),  # id 1 again
        4: Reply.json([posting(4, "Clinical Medical Assistant")]),  # shorter than limit: the last page
    }
    server.add(SITE_PATH, handler=paged(pages))
    result = crawl([entry(server, limit=2)])

    assert result.status == "ok"
    served = [(r.arg("skip"), r.arg("limit"), r.arg("mode")) for r in server.requests_to(SITE_PATH)]
    assert served == [("0", "2", "json"), ("2", "2", "json"), ("4", "2", "json")]
    assert all("group" not in r.query for r in server.requests_to(SITE_PATH))
    stored = rows("select source_id, title, employment_type from postings order by source_id")
    assert [(r["source_id"][-1], r["title"], r["employment_type"]) for r in stored] == [
        ("1", "Medical Assistant", "FULL_TIME"),
        ("3", "Medical Assistant - Float", "PER_DIEM"),
        ("4", "Clinical Medical Assistant", "FULL_TIME"),
    ]
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["fetched"], src["new"], src["dropped"], src["failed"]) == (3, 3, 3, 1, 0)
    assert src["complete"] == 1


def test_exact_multiple_of_limit_ends_on_an_empty_page(server, crawl, rows):
    pages = {0: Reply.json([posting(1), posting(2)]), 2: Reply.json([])}
    server.add(SITE_PATH, handler=paged(pages))
    result = crawl([entry(server, limit=2)])
    assert result.status == "ok"
    assert [r.arg("skip") for r in server.requests_to(SITE_PATH)] == ["0", "2"]
    assert rows("select count(*) n from postings")[0]["n"] == 2


def test_truncated_page_keeps_earlier_pages_and_marks_the_source_incomplete(server, crawl, rows):
    full = Reply.json([posting(3), posting(4)])
    pages = {
        0: Reply.json([posting(1), posting(2)]),
        2: Reply(full.body, truncate=True),  # the connection closes mid-body
    }
    server.add(SITE_PATH, handler=paged(pages))
    result = crawl([entry(server, limit=2)])

    assert result.status == "partial"
    assert [r["source_id"][-1] for r in rows("select source_id from postings order by source_id")] == [
        "1",
        "2",
    ]
    (src,) = rows("select * from crawl_run_sources")
    assert src["fetched"] == 2 and src["failed"] >= 1 and src["complete"] == 0
    assert [r.arg("skip") for r in server.requests_to(SITE_PATH)].count("4") == 0  # paging stopped


def test_truncated_json_body_is_a_counted_failure(server, crawl, rows):
    server.add(SITE_PATH, reply=Reply(b'[{"id": "00000000-0000-4000-8000-000000000001", "text": "Med'))
    result = crawl([entry(server)])
    assert result.status == "partial"  # a page came back, unreadable: counted, nothing stored
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["failed"], src["fetched"], src["complete"]) == (1, 1, 0, 0)
    assert rows("select count(*) n from postings")[0]["n"] == 0


def test_server_ignoring_skip_stops_paging(server, crawl, rows):
    server.add(SITE_PATH, json_body=[posting(1), posting(2)])  # same page whatever skip says
    result = crawl([entry(server, limit=2)])
    assert result.status == "partial"
    assert len(server.requests_to(SITE_PATH)) == 2
    (src,) = rows("select * from crawl_run_sources")
    assert (src["fetched"], src["failed"], src["complete"]) == (2, 1, 0)


def test_unknown_site_fails_cleanly_and_other_sites_go_on(server, crawl, rows):
    server.add("/lever/v0/postings/gone", json_body={"ok": False, "error": "Document not found"}, status=404)
    server.add(SITE_PATH, json_body=[posting(1)])
    result = crawl([entry(server, site="gone", company="Gone Clinic"), entry(server)])
    assert result.status == "partial"
    by_key = {s["source_key"]: s for s in rows("select * from crawl_run_sources")}
    assert by_key["lever:gone"]["failed"] == 1 and by_key["lever:gone"]["complete"] == 0
    assert by_key["lever:riverbend-derm"]["fetched"] == 1 and by_key["lever:riverbend-derm"]["complete"] == 1


def test_grouped_answer_is_a_counted_failure(server, crawl, rows):
    server.add(SITE_PATH, json_body=fixture_json("lever", "grouped.json"))
    crawl([entry(server)])
    (src,) = rows("select * from crawl_run_sources")
    assert (src["failed"], src["fetched"], src["complete"]) == (1, 0, 0)


# --- URLs without a crawl -------------------------------------------------------------------------


def start_urls(**params) -> list[str]:
    (source,) = parse_sources({"sources": [{"kind": "lever", "site": "acme", **params}]})
    return [r.url for r in LeverSpider(sources=[source]).start_source(source)]


def test_real_endpoints_us_and_eu():
    assert start_urls() == ["https://api.lever.co/v0/postings/acme?mode=json"]
    assert start_urls(region="eu") == ["https://api.eu.lever.co/v0/postings/acme?mode=json"]
    assert start_urls(limit=100) == ["https://api.lever.co/v0/postings/acme?mode=json&skip=0&limit=100"]
    assert start_urls(base_url="http://127.0.0.1:9/mirror") == [
        "http://127.0.0.1:9/mirror/v0/postings/acme?mode=json"
    ]


@pytest.mark.parametrize("bad", [0, -5, "100", 2.5, True])
def test_bad_limit_is_refused(bad):
    """By the sources file check, before any crawl; and by the spider, for a Source made without it."""
    with pytest.raises(SourcesError, match=r"entry 1 \(lever\): 'limit' must be a whole number, 1 or more"):
        parse_sources({"sources": [{"kind": "lever", "site": "acme", "limit": bad}]})
    with pytest.raises(ValueError, match="limit"):
        page_limit(Source(kind="lever", key="lever:acme", params={"site": "acme", "limit": bad}))
