"""Workday through the real Scrapy engine against an invented tenant served on loopback.

The tenant ("acme" on wd5, site "AcmeCareers") is built from templates below: a list of
postings paged 20 at a time with ``total`` on the first page only, and a detail per posting.
"""

from __future__ import annotations

from typing import Any

from scraper.localserver import Reply, ServedRequest

REAL_ROOT = "https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/AcmeCareers"
API = "/wd/wday/cxs/acme/AcmeCareers"

# Titles the MA pre-filter keeps, and look-alikes a fuzzy "medical assistant" search returns too.
MA_TITLES = ("Medical Assistant - Family Medicine", "Certified Medical Assistant", "Medical Assistant PRN")
OTHER_TITLES = ("Physician Assistant - Orthopedics", "Registered Nurse - ICU")


def make_item(i: int) -> dict[str, Any]:
    title = (MA_TITLES + OTHER_TITLES)[i % 5]
    slug = title.replace(" ", "-")
    item = {
        "title": title,
        "externalPath": f"/job/Tulsa-OK/{slug}_JR-{1000 + i}",
        "locationsText": "Tulsa, OK",
        "postedOn": "Posted 3 Days Ago",
        "bulletFields": [f"JR-{1000 + i}"],
    }
    if i == 21:  # one multi-location posting: the list only says how many
        item["locationsText"] = "3 Locations"
    return item


def make_detail(item: dict[str, Any]) -> dict[str, Any]:
    req = item["bulletFields"][0]
    info: dict[str, Any] = {
        "title": item["title"],
        "jobReqId": req,
        "jobDescription": f"<p>{item['title']} at Acme Health.</p><p>Pay range: $18.00 - $24.50 per hour</p>",
        "location": "Tulsa, OK",
        "postedOn": item["postedOn"],
        "timeType": "Full time",
        "country": {"descriptor": "United States of America"},
    }
    if item["locationsText"] == "3 Locations":
        info.update(location="Broken Arrow, OK", additionalLocations=["Owasso, OK", "Bixby, Oklahoma"])
    return {"jobPostingInfo": info, "hiringOrganization": {"name": "Acme Health"}, "similarJobs": []}


class Tenant:
    """Serves the list (POST) and the details (GET) of ``n`` postings; faults are set per test."""

    def __init__(self, server, n: int, *, clamp_at: int | None = None, total: int | None = None):
        self.items = [make_item(i) for i in range(n)]
        self.clamp_at = clamp_at  # offsets at or past this answer the page at clamp_at - 20
        self.total = len(self.items) if total is None else total
        self.page_faults: dict[int, list[Reply]] = {}  # offset -> replies to give before the real one
        self.detail_faults: dict[str, Reply] = {}
        server.add(f"{API}/jobs", method="POST", handler=self.list_page)
        server.add(f"{API}/job/", handler=self.detail, prefix=True)

    def list_page(self, req: ServedRequest) -> Reply:
        body = req.json()
        offset = body["offset"]
        faults = self.page_faults.get(offset)
        if faults:
            return faults.pop(0) if len(faults) > 1 else faults[0]
        if self.clamp_at is not None and offset >= self.clamp_at:
            offset = self.clamp_at - 20
        page = self.items[offset : offset + body["limit"]]
        return Reply.json({"total": self.total if offset == 0 else 0, "jobPostings": page, "facets": []})

    def detail(self, req: ServedRequest) -> Reply | None:
        path = req.path.removeprefix(API)
        if path in self.detail_faults:
            return self.detail_faults[path]
        for item in self.items:
            if item["externalPath"] == path:
                return Reply.json(make_detail(item))
        return None


def entry(server, **extra) -> list[dict]:
    return [
        {
            "kind": "workday",
            "url": REAL_ROOT,
            "search": "medical assistant",
            "company": "Acme (config)",
            "base_url": f"{server.url}/wd",
            **extra,
        }
    ]


def list_bodies(server) -> list[dict]:
    return [r.json() for r in server.requests_to(f"{API}/jobs", "POST")]


def test_pages_three_times_with_total_from_first_page(server, crawl, rows):
    tenant = Tenant(server, 45)
    # A 429 with Retry-After on page 3 is waited out, not counted as a failure.
    served = {"n": 0}
    real_list_page = tenant.list_page

    def list_page_once_429(req: ServedRequest) -> Reply:
        if req.json()["offset"] == 40 and served["n"] == 0:
            served["n"] += 1
            return Reply.json({"error": "slow down"}, status=429, headers={"Retry-After": "1"})
        return real_list_page(req)

    server.add(f"{API}/jobs", method="POST", handler=list_page_once_429)

    result = crawl(entry(server))

    assert result.status == "ok"
    bodies = list_bodies(server)
    assert [b["offset"] for b in bodies] == [0, 20, 40, 40]  # the 429 answer was retried once
    assert all(
        b == {"appliedFacets": {}, "limit": 20, "offset": b["offset"], "searchText": "medical assistant"}
        for b in bodies
    )
    (first,) = [r for r in server.requests_to(f"{API}/jobs", "POST")][:1]
    assert first.headers["Content-Type"] == "application/json"
    assert first.headers["Accept"] == "application/json"

    ma = [it for it in tenant.items if it["title"] in MA_TITLES]
    postings = {p["source_id"]: p for p in rows("select * from postings")}
    assert set(postings) == {f"acme:{it['bulletFields'][0]}" for it in ma}  # 27 of 45
    details = [r.path for r in server.requests if r.method == "GET" and r.path.startswith(f"{API}/job/")]
    assert len(details) == len(ma)  # no detail for physician assistants and nurses

    p = postings["acme:JR-1000"]
    assert p["company"] == "Acme Health"  # from the detail, not the config
    assert (
        p["url"]
        == "https://acme.wd5.myworkdayjobs.com/AcmeCareers/job/Tulsa-OK/Medical-Assistant---Family-Medicine_JR-1000"
    )
    assert p["date_posted"] == "2026-11-20"  # "Posted 3 Days Ago" on the run date 2026-11-23
    assert (p["salary_min"], p["salary_max"], p["salary_unit"], p["salary_source"]) == (
        18.0,
        24.5,
        "HOUR",
        "description",
    )
    assert p["source_key"] == "workday:acme/AcmeCareers"

    multi = postings["acme:JR-1021"]  # "3 Locations" in the list
    assert (multi["city"], multi["state"]) == ("Broken Arrow", "OK")
    assert multi["all_locations"] == '[["Broken Arrow", "OK"], ["Owasso", "OK"], ["Bixby", "OK"]]'
    assert (
        postings["acme:JR-1002"]["employment_type"] == "PER_DIEM"
    )  # PRN in the title, "Full time" in timeType

    (src,) = rows("select * from crawl_run_sources")
    assert src["complete"] == 1 and src["failed"] == 0
    assert src["fetched"] == 27 and src["dropped"] == 18


def test_offset_clamping_stops_with_truncation_and_closes_nothing(server, crawl, rows, capfd):
    # The tenant claims 100 postings but answers every offset from 40 on with the page at 20.
    Tenant(server, 60, clamp_at=40, total=100)
    result = crawl(entry(server))

    assert result.status == "partial"
    assert [b["offset"] for b in list_bodies(server)] == [0, 20, 40]  # the page at 40 repeats 20: stop
    (src,) = rows("select * from crawl_run_sources")
    assert src["complete"] == 0 and src["closed"] == 0  # a truncated listing closes nothing
    ids = {r["source_id"] for r in rows("select source_id from postings")}
    assert ids == {f"acme:JR-{1000 + i}" for i in range(40) if i % 5 < 3}  # the first 40, MA titles
    assert "clamps the offset" in capfd.readouterr().err


def test_failed_mid_run_page_is_partial_and_detail_failure_keeps_list_data(server, crawl, rows):
    tenant = Tenant(server, 45)
    assert crawl(entry(server)).status == "ok"
    assert rows("select count(*) n from postings")[0]["n"] == 27

    server.requests.clear()
    tenant.page_faults[20] = [Reply("upstream error", status=500, content_type="text/plain")]
    tenant.detail_faults["/job/Tulsa-OK/Certified-Medical-Assistant_JR-1001"] = Reply("oops", status=503)
    result = crawl(entry(server))

    assert result.status == "partial"
    assert [b["offset"] for b in list_bodies(server)] == [0, 20, 20, 20]  # 2 retries, then given up
    (_, src) = rows("select * from crawl_run_sources order by run_id")
    assert src["complete"] == 0 and src["closed"] == 0
    assert src["failed"] == 2  # the list page and the detail
    assert rows("select count(*) n from postings where closed_at is not null")[0]["n"] == 0
    kept = rows("select * from postings where source_id = 'acme:JR-1001'")[0]
    assert kept["title"] == "Certified Medical Assistant"
    assert (kept["city"], kept["state"], kept["date_posted"]) == ("Tulsa", "OK", "2026-11-20")
    # The failed detail's thin copy only marks the posting seen: the first crawl's content stays.
    assert kept["description_html"].startswith("<p>Certified Medical Assistant at Acme Health.</p>")
    assert kept["salary_min"] == 18.0
    assert kept["last_seen"] == rows("select max(started_at) t from crawl_runs")[0]["t"]


def test_empty_page_stops_paging(server, crawl, rows):
    # A few postings removed during the run: the empty page ends a complete listing.
    tenant = Tenant(server, 38, total=41)
    result = crawl(entry(server))
    assert [b["offset"] for b in list_bodies(server)] == [0, 20, 38]
    assert result.status == "ok"

    # Far short of the total: the listing is not trusted to close anything.
    server.requests.clear()
    tenant.items = tenant.items[:25]
    tenant.total = 90
    result = crawl(entry(server))
    assert [b["offset"] for b in list_bodies(server)] == [0, 20, 25]
    (_, src) = rows("select * from crawl_run_sources order by run_id")
    assert src["complete"] == 0 and src["closed"] == 0
    assert result.status == "partial"


def test_pages_shifted_by_a_new_posting_are_not_truncation(server, crawl, rows):
    # A posting added at the top during the run: each later page starts with the previous page's last.
    tenant = Tenant(server, 45)

    def shifted(req: ServedRequest) -> Reply:
        offset = req.json()["offset"]
        start = max(0, offset - 1)
        page = tenant.items[start : start + 20]
        return Reply.json({"total": 45 if offset == 0 else 0, "jobPostings": page})

    server.add(f"{API}/jobs", method="POST", handler=shifted)
    result = crawl(entry(server))
    assert result.status == "ok"
    assert [b["offset"] for b in list_bodies(server)] == [0, 20, 40]
    details = [r.path for r in server.requests if r.method == "GET" and r.path.startswith(f"{API}/job/")]
    assert len(details) == len(set(details)) == 27  # each repeat fetched once
