"""JSON-LD career sites through the real Scrapy engine against pages served on loopback.

Each site lives under a path prefix (``base_url``); its sitemaps and links name the real host,
as real ones do, and the spider maps them onto the test server and back.
"""

from __future__ import annotations

import re

from scraper.localserver import Reply
from tests.conftest import fixture_text

HARBOR = "https://careers.harborfamily.example"


def sitemap_index(*locs: str) -> str:
    items = "".join(f"<sitemap><loc>{loc}</loc><lastmod>2026-11-20</lastmod></sitemap>" for loc in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )


def urlset(*entries: str | tuple[str, str]) -> str:
    items = []
    for entry in entries:
        loc, lastmod = entry if isinstance(entry, tuple) else (entry, "2026-11-20")
        items.append(f"<url><loc>{loc}</loc><lastmod>{lastmod}</lastmod></url>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{"".join(items)}</urlset>'
    )


def xml(server, path: str, text: str) -> None:
    server.add(path, body=text, content_type="application/xml")


def page(server, path: str, fixture: str) -> None:
    server.add(path, body=fixture_text("jsonld", fixture))


def xray_page() -> str:
    return (
        '<html><head><script type="application/ld+json">{"@context": "https://schema.org",'
        ' "@type": "JobPosting", "title": "X-Ray Technologist", "identifier": "HF-9001"}</script>'
        "</head><body>X-ray</body></html>"
    )


def test_sitemap_index_to_detail_pages(server, crawl, rows, capfd):
    server.add("/robots.txt", body="User-agent: *\nDisallow: /hf/jobs/internal-\n", content_type="text/plain")
    xml(
        server,
        "/hf/sitemap.xml",
        sitemap_index(f"{HARBOR}/sitemaps/jobs-1.xml", f"{HARBOR}/sitemaps/jobs-2.xml"),
    )
    xml(
        server,
        "/hf/sitemaps/jobs-1.xml",
        urlset(f"{HARBOR}/jobs/clinical-ma-salem", f"{HARBOR}/jobs/removed-ma"),
    )
    xml(
        server,
        "/hf/sitemaps/jobs-2.xml",
        urlset(
            f"{HARBOR}/jobs/ma-pediatrics",  # a broken block beside the good one
            f"{HARBOR}/jobs/office-assistant-derm",  # microdata only
            f"{HARBOR}/jobs/xray-tech",  # not an MA title
            f"{HARBOR}/jobs/internal-ma-transfer",  # robots.txt says no
        ),
    )
    page(server, "/hf/jobs/clinical-ma-salem", "graph_org_ref.html")
    page(server, "/hf/jobs/ma-pediatrics", "broken_block.html")
    page(server, "/hf/jobs/office-assistant-derm", "microdata_only.html")
    server.add("/hf/jobs/xray-tech", body=xray_page())
    page(server, "/hf/jobs/internal-ma-transfer", "graph_org_ref.html")
    # /hf/jobs/removed-ma is not served: 404, a job removed since the sitemap was written

    result = crawl([{"kind": "jsonld", "sitemap": f"{HARBOR}/sitemap.xml", "base_url": f"{server.url}/hf"}])

    postings = {p["source_id"]: p for p in rows("select * from postings")}
    key = "careers.harborfamily.example"
    assert set(postings) == {f"{key}:HFC-0087", f"{key}:4471", f"{key}:CD-3310"}
    harbor = postings[f"{key}:HFC-0087"]
    assert (harbor["company"], harbor["city"], harbor["state"]) == ("Harbor Family Clinic", "Salem", "OR")
    assert (harbor["salary_min"], harbor["salary_max"], harbor["salary_unit"]) == (20.5, 24.0, "HOUR")
    assert harbor["source_key"] == "jsonld:careers.harborfamily.example"
    assert postings[f"{key}:4471"]["title"] == "Medical Assistant - Pediatrics"
    assert postings[f"{key}:CD-3310"]["description_text"].startswith("Check in patients")

    paths = [r.path for r in server.requests]
    assert "/hf/jobs/internal-ma-transfer" not in paths  # disallowed: never fetched
    assert "/hf/jobs/removed-ma" in paths
    (src,) = rows("select * from crawl_run_sources")
    assert src["failed"] == 1  # the 404, counted ...
    assert src["complete"] == 1  # ... but not critical: a removed job is not a broken listing
    assert src["dropped"] == 1 and src["fetched"] == 3
    assert result.status == "partial"  # a failure was counted
    err = capfd.readouterr().err
    assert "page gone (HTTP 404)" in err
    assert "unreadable ld+json block skipped" in err


def test_search_pages_one_hop_from_job_pages(server, crawl, rows):
    site = "https://careers.cumberland.example"
    # The sitemap is named in the site's robots.txt; it lists search pages, not jobs (HCA).
    server.add(
        "/cm/robots.txt", body=f"User-agent: *\nSitemap: {site}/sitemap.xml\n", content_type="text/plain"
    )
    xml(
        server,
        "/cm/sitemap.xml",
        urlset(
            f"{site}/search/jobs/in/tennessee",
            (f"{site}/search/jobs/in/kentucky", "2026-01-05"),  # unchanged since lastmod_since: skipped
        ),
    )
    search = fixture_text("jsonld", "search_page.html").replace(
        "careers.cumberlandhealth.example", "careers.cumberland.example"
    )
    server.add("/cm/search/jobs/in/tennessee", body=search)
    server.add("/cm/search/jobs/in/kentucky", body=search)
    job = fixture_text("jsonld", "graph_org_ref.html")
    # Each job page links to another job: detail pages are not followed further.
    job_a = job.replace("</body>", '<a href="/jobs/17519999-medical-assistant-float">Similar job</a></body>')
    job_b = job.replace("HFC-0087", "HFC-0090").replace("Clinical Medical Assistant", "Echo Technician")
    server.add("/cm/jobs/17513377-medical-assistant-primary-care", body=job_a)
    server.add("/cm/jobs/17513401-echo-technician", body=job_b)

    result = crawl(
        [
            {
                "kind": "jsonld",
                "sitemap": f"{site}/robots.txt",
                "lastmod_since": "2026-11-01",
                "company": "Cumberland Health",
                "base_url": f"{server.url}/cm",
            }
        ]
    )

    paths = [r.path for r in server.requests]
    assert "/cm/search/jobs/in/tennessee" in paths
    assert "/cm/search/jobs/in/kentucky" not in paths  # lastmod filter
    assert paths.count("/cm/jobs/17513377-medical-assistant-primary-care") == 1  # linked twice, fetched once
    assert "/cm/jobs/17519999-medical-assistant-float" not in paths  # one hop only
    assert not any("apply" in p for p in paths)  # the ATS link is on another host
    assert "/cm/search/jobs/in/tennessee?page=2" not in paths
    (posting,) = rows("select * from postings")
    assert posting["source_id"] == "careers.cumberland.example:HFC-0087"
    assert posting["url"] == "https://jobs.harborfamilyclinic.example/jobs/clinical-medical-assistant-salem/"
    (src,) = rows("select * from crawl_run_sources")
    assert src["dropped"] == 1 and src["fetched"] == 1 and src["failed"] == 0
    assert src["complete"] == 0  # an incremental run saw only part of the site: nothing closed
    assert result.status == "partial"


def test_fetched_url_stands_in_on_the_real_host(server, crawl, rows):
    site = "https://jobs.riverbendim.example"
    html = fixture_text("jsonld", "cdata_trailing_commas.html").replace(
        '<link rel="canonical" href="/careers/job/CMA-2291">', ""
    )
    server.add("/rb/careers/job/CMA-2291", body=html)
    result = crawl(
        [{"kind": "jsonld", "start_urls": [f"{site}/careers/job/CMA-2291"], "base_url": f"{server.url}/rb"}]
    )
    assert result.status == "ok"
    (posting,) = rows("select source_id, url, description_html from postings")
    # No url, no identifier, no canonical: the fetched URL, mapped back to the real site.
    assert posting["url"] == posting["source_id"] == f"{site}/careers/job/CMA-2291"
    assert posting["description_html"].startswith("<p>Room patients &amp; scribe")


def test_js_injected_pages_are_counted_and_warned(server, crawl, rows, capfd):
    site = "https://careers.summitortho.example"
    page(server, "/so/jobs/88", "js_injected.html")
    page(server, "/so/jobs/89", "app_shell.html")
    page(server, "/so/jobs/90", "expired_no_markup.html")
    result = crawl(
        [
            {
                "kind": "jsonld",
                "start_urls": [f"{site}/jobs/88", f"{site}/jobs/89", f"{site}/jobs/90"],
                "base_url": f"{server.url}/so",
            }
        ],
        LOG_LEVEL="INFO",
    )
    assert rows("select count(*) n from postings")[0]["n"] == 0
    (src,) = rows("select * from crawl_run_sources")
    assert src["pages"] == 3 and src["complete"] == 0  # cannot see its postings: close none
    assert result.status == "partial"
    err = capfd.readouterr().err
    assert "looks injected by JavaScript (a script writes the ld+json block" in err
    assert "looks injected by JavaScript (an empty app shell" in err
    assert "no JobPosting markup (expired posting or not a job page)" in err
    stats = dict(re.findall(r"'majobs/source/jsonld:careers\.summitortho\.example/(\w+)': (\d+)", err))
    assert stats["no_jsonld"] == "3"


def test_broken_sitemap_and_server_error_mark_incomplete(server, crawl, rows):
    site = "https://careers.lakeview.example"
    xml(server, "/lv/sitemap.xml", urlset(f"{site}/jobs/1", f"{site}/jobs/2"))
    page(server, "/lv/jobs/1", "broken_block.html")
    server.add("/lv/jobs/2", reply=Reply("down for maintenance", status=503, content_type="text/plain"))
    server.add("/lv2/sitemap.xml", body="<html><body>Sorry, not found</body></html>")
    result = crawl(
        [
            {"kind": "jsonld", "sitemap": f"{site}/sitemap.xml", "base_url": f"{server.url}/lv"},
            {"kind": "jsonld", "sitemap": "https://lv2.example/sitemap.xml", "base_url": f"{server.url}/lv2"},
        ]
    )
    assert result.status == "partial"
    srcs = {s["source_key"]: s for s in rows("select * from crawl_run_sources")}
    lakeview = srcs["jsonld:careers.lakeview.example"]
    assert (
        lakeview["fetched"] == 1 and lakeview["failed"] == 1 and lakeview["complete"] == 0
    )  # 503: not a 404
    broken = srcs["jsonld:lv2.example"]
    assert broken["failed"] == 1 and broken["complete"] == 0 and broken["fetched"] == 0


def test_same_identifier_on_two_sites_and_rerendered_date_posted(server, crawl, rows):
    html = fixture_text("jsonld", "graph_org_ref.html")
    server.add("/a/jobs/1", body=html)
    server.add("/b/jobs/1", body=html)  # another employer's site that happens to use the same id
    entries = [
        {
            "kind": "jsonld",
            "start_urls": ["https://careers.alpha.example/jobs/1"],
            "base_url": f"{server.url}/a",
        },
        {"kind": "jsonld", "start_urls": ["https://jobs.beta.example/jobs/1"], "base_url": f"{server.url}/b"},
    ]
    assert crawl(entries).status == "ok"
    ids = {r["source_id"] for r in rows("select source_id from postings")}
    assert ids == {"careers.alpha.example:HFC-0087", "jobs.beta.example:HFC-0087"}

    # The CMS re-stamps datePosted on every render: the earliest date seen is kept.
    server.add("/a/jobs/1", body=html.replace('"datePosted":"2024-11-04"', '"datePosted":"2024-11-21"'))
    assert crawl(entries).status == "ok"
    (row,) = rows("select date_posted from postings where source_id = 'careers.alpha.example:HFC-0087'")
    assert row["date_posted"] == "2024-11-04"


def test_a_sitemap_cannot_make_the_crawler_read_local_files(server, crawl, rows, tmp_path):
    secret = tmp_path / "job.html"
    secret.write_text(
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "JobPosting",'
        ' "title": "Medical Assistant", "identifier": "LOCAL-1", "description": "LOCAL-FILE"}</script>',
        encoding="utf-8",
    )
    site = "https://careers.lakeview.example"
    xml(server, "/lv/sitemap.xml", urlset(secret.as_uri(), "data:text/html,<p>x</p>"))
    result = crawl([{"kind": "jsonld", "sitemap": f"{site}/sitemap.xml", "base_url": f"{server.url}/lv"}])
    assert rows("select count(*) n from postings")[0]["n"] == 0
    (src,) = rows("select failed from crawl_run_sources")
    assert src["failed"] == 2 and result.status == "partial"


def test_sources_must_be_web_urls():
    from scraper.sources import SourcesError, parse_sources

    for entry in (
        {"kind": "jsonld", "start_urls": ["file:///etc/passwd"]},
        {"kind": "jsonld", "sitemap": "ftp://example.org/sitemap.xml"},
        {"kind": "jsonld", "start_urls": [123]},
        {"kind": "workday", "url": "file:///wday/cxs/a/b"},
    ):
        try:
            parse_sources({"sources": [entry]})
        except SourcesError as exc:
            assert "http" in str(exc)
        else:
            raise AssertionError(f"accepted {entry}")
