"""USAJOBS through the real Scrapy engine against fixture responses on loopback."""

from __future__ import annotations

import copy

from scraper.localserver import Reply
from scraper.sources import parse_sources
from scraper.spiders.usajobs import UsajobsSpider
from tests.conftest import fixture_json

SEARCH = "/usa/api/search"


def item(n: int, title: str = "Medical Support Assistant") -> dict:
    """A search result item shaped like the fixture's first, with its own control number."""
    it = copy.deepcopy(fixture_json("usajobs", "search_page.json")["SearchResult"]["SearchResultItems"][0])
    it["MatchedObjectId"] = str(790100000 + n)
    it["MatchedObjectDescriptor"]["PositionTitle"] = title
    it["MatchedObjectDescriptor"]["PositionURI"] = f"https://www.usajobs.gov/job/{790100000 + n}"
    return it


def page(items: list[dict], total: int) -> dict:
    return {
        "LanguageCode": "EN",
        "SearchParameters": {},
        "SearchResult": {
            "SearchResultCount": len(items),
            "SearchResultCountAll": total,
            "SearchResultItems": items,
        },
    }


def by_page(pages: dict[int, Reply]):
    def handler(request):
        return pages.get(int(request.arg("Page", "0")))

    return handler


def entry(server, **extra) -> dict:
    return {"kind": "usajobs", "keyword": "medical assistant", "base_url": f"{server.url}/usa", **extra}


def stored_ids(rows) -> list[str]:
    return [r["source_id"] for r in rows("select source_id from postings order by source_id")]


def test_pages_until_the_total_with_key_headers(server, crawl, rows):
    pages = {
        1: Reply.json(page([item(1), item(2, "Physician Assistant")], total=5)),
        2: Reply.json(page([item(3, "Health Technician (Ophthalmology)"), item(4)], total=5)),
        3: Reply.json(page([item(5, "Nursing Assistant")], total=5)),
    }
    server.add(SEARCH, handler=by_page(pages))
    result = crawl([entry(server, results_per_page=2)])

    assert result.status == "ok"
    served = server.requests_to(SEARCH)
    assert [r.arg("Page") for r in served] == ["1", "2", "3"]
    for request in served:
        assert request.query == {
            "Keyword": ["medical assistant"],
            "JobCategoryCode": ["0640;0679"],
            "ResultsPerPage": ["2"],
            "Page": [request.arg("Page")],
        }
        assert request.headers["Authorization-Key"] == "test-key"
        assert request.headers["User-Agent"] == "tests@example.org"
        # no hand-made Host: the mirror gets its own host, the real endpoint gets data.usajobs.gov
        assert request.headers["Host"] == server.url.removeprefix("http://")
    assert stored_ids(rows) == ["790100001", "790100003", "790100004"]  # PA and nursing assistant dropped
    (msa,) = rows("select * from postings where source_id = '790100001'")
    assert (msa["company"], msa["city"], msa["state"]) == ("Veterans Health Administration", "Muskogee", "OK")
    assert (msa["salary_min"], msa["salary_unit"], msa["date_posted"]) == (39576.0, "YEAR", "2024-11-12")
    assert msa["source_key"] == "usajobs:medical assistant"
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["fetched"], src["new"], src["dropped"], src["failed"]) == (3, 3, 3, 2, 0)
    assert src["complete"] == 1


def test_a_short_page_does_not_end_the_paging(server, crawl, rows):
    pages = {
        1: Reply.json(page([item(1)], total=4)),  # asked for 3, got 1
        2: Reply.json(page([item(2), item(3)], total=4)),
        3: Reply.json(page([item(4)], total=4)),
    }
    server.add(SEARCH, handler=by_page(pages))
    result = crawl([entry(server, results_per_page=3)])
    assert result.status == "ok"
    assert [r.arg("Page") for r in server.requests_to(SEARCH)] == ["1", "2", "3"]
    assert stored_ids(rows) == ["790100001", "790100002", "790100003", "790100004"]


def test_an_empty_page_ends_the_paging_even_below_the_total(server, crawl, rows):
    pages = {1: Reply.json(page([item(1), item(2)], total=40)), 2: Reply.json(page([], total=40))}
    server.add(SEARCH, handler=by_page(pages))
    crawl([entry(server, results_per_page=2)])
    assert [r.arg("Page") for r in server.requests_to(SEARCH)] == ["1", "2"]
    assert stored_ids(rows) == ["790100001", "790100002"]


def test_missing_key_fails_cleanly_and_other_spiders_go_on(server, crawl, rows, capfd):
    server.add(SEARCH, json_body=page([item(1)], total=1))
    server.add("/lever/v0/postings/riverbend-derm", json_body=fixture_json("lever", "basic.json"))
    lever = {"kind": "lever", "site": "riverbend-derm", "base_url": f"{server.url}/lever"}
    result = crawl([entry(server), lever], USAJOBS_API_KEY="")

    assert result.status == "partial"
    assert server.requests_to(SEARCH) == []  # nothing sent without a key
    by_key = {s["source_key"]: s for s in rows("select * from crawl_run_sources")}
    usa = by_key["usajobs:medical assistant"]
    assert (usa["pages"], usa["failed"], usa["fetched"], usa["complete"]) == (0, 1, 0, 0)
    assert by_key["lever:riverbend-derm"]["fetched"] == 2 and by_key["lever:riverbend-derm"]["complete"] == 1
    assert len(stored_ids(rows)) == 2
    err = capfd.readouterr().err
    assert "USAJOBS_API_KEY not set" in err and "usajobs:medical assistant" in err


def test_missing_email_fails_too(server, crawl, rows):
    server.add(SEARCH, json_body=page([item(1)], total=1))
    result = crawl([entry(server)], USAJOBS_EMAIL="")
    assert result.status == "failed"
    assert server.requests_to(SEARCH) == []
    (src,) = rows("select * from crawl_run_sources")
    assert (src["failed"], src["complete"]) == (1, 0)


def test_per_source_key_and_email_override_the_settings(server, crawl, rows):
    server.add(SEARCH, json_body=page([item(1)], total=1))
    result = crawl(
        [entry(server, api_key="source-key", email="clinic@example.org")],
        USAJOBS_API_KEY="",
        USAJOBS_EMAIL="",
    )
    assert result.status == "ok"
    (request,) = server.requests_to(SEARCH)
    assert request.headers["Authorization-Key"] == "source-key"
    assert request.headers["User-Agent"] == "clinic@example.org"
    assert stored_ids(rows) == ["790100001"]


def flaky(first: Reply, then: Reply):
    """Answer ``first`` to the first request, ``then`` to every later one."""
    calls = []

    def handler(request):
        calls.append(request)
        return first if len(calls) == 1 else then

    return handler


def test_429_with_retry_after_then_success(server, crawl, rows):
    ok = Reply.json(page([item(1)], total=1))
    server.add(SEARCH, handler=flaky(Reply(b"slow down", status=429, headers={"Retry-After": "1"}), ok))
    result = crawl([entry(server)])

    assert result.status == "ok"
    assert len(server.requests_to(SEARCH)) == 2
    assert stored_ids(rows) == ["790100001"]
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["fetched"], src["new"], src["failed"], src["complete"]) == (1, 1, 1, 0, 1)


def test_500_recovers_on_retry(server, crawl, rows):
    ok = Reply.json(page([item(1), item(2)], total=2))
    server.add(SEARCH, handler=flaky(Reply(b"oops", status=500, content_type="text/plain"), ok))
    result = crawl([entry(server)])

    assert result.status == "ok"
    assert len(server.requests_to(SEARCH)) == 2
    assert stored_ids(rows) == ["790100001", "790100002"]
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["fetched"], src["failed"], src["complete"]) == (1, 2, 0, 1)


def test_500_that_never_recovers_is_a_counted_failure(server, crawl, rows):
    server.add(SEARCH, reply=Reply(b"oops", status=500, content_type="text/plain"))
    result = crawl([entry(server)])
    assert result.status == "failed"
    assert len(server.requests_to(SEARCH)) == 3  # the first try and RETRY_TIMES=2 retries
    (src,) = rows("select * from crawl_run_sources")
    assert (src["pages"], src["failed"], src["complete"]) == (0, 1, 0)


def test_unreadable_page_stops_paging(server, crawl, rows):
    pages = {
        1: Reply.json(page([item(1), item(2)], total=4)),
        2: Reply(b'{"SearchResult": {"SearchResultItems": [', content_type="application/json"),
    }
    server.add(SEARCH, handler=by_page(pages))
    result = crawl([entry(server, results_per_page=2)])
    assert result.status == "partial"
    assert [r.arg("Page") for r in server.requests_to(SEARCH)] == ["1", "2"]
    (src,) = rows("select * from crawl_run_sources")
    assert (src["fetched"], src["failed"], src["complete"]) == (2, 1, 0)


# --- the real endpoint, without a crawl -------------------------------------------------------------


def test_real_endpoint_and_options():
    (source,) = parse_sources(
        {
            "sources": [
                {
                    "kind": "usajobs",
                    "keyword": "medical assistant",
                    "location": "Tulsa, Oklahoma",
                    "results_per_page": 500,
                    "date_posted": 7,
                }
            ]
        }
    )
    spider = UsajobsSpider(sources=[source])
    spider.api_key, spider.email = "k", "me@example.org"
    (request,) = spider.start_source(source)
    assert request.url == (
        "https://data.usajobs.gov/api/search?Keyword=medical%20assistant&JobCategoryCode=0640%3B0679"
        "&LocationName=Tulsa%2C%20Oklahoma&DatePosted=7&ResultsPerPage=500&Page=1"
    )
    assert request.headers.get("Authorization-Key") == b"k"
    assert request.headers.get("User-Agent") == b"me@example.org"
    assert request.headers.get("Host") is None  # set from the URL by the HTTP client
