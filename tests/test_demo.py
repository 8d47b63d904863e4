"""The demo world, its payloads, a few weeks of it through the real engine, and `majobs demo`."""

from __future__ import annotations

import importlib.util
import json
import statistics
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scraper.crawl import SPIDERS
from scraper.demo import crawl_weeks
from scraper.demo_render import (
    greenhouse_detail,
    greenhouse_jobs,
    job_page_html,
    lever_posting,
    posted_on,
    usajobs_item,
    workday_detail,
    workday_list,
)
from scraper.demo_site import DEMO_USAJOBS_EMAIL, DEMO_USAJOBS_KEY, DemoSite
from scraper.demo_world import DEMO_DIR, crawl_days, crawl_time, is_listed, load_world, version_on
from scraper.items import new_posting
from scraper.parsers import jsonld, lever, usajobs, workday
from scraper.parsers.title_filter import is_ma_family_title
from scraper.store import open_db, save_postings, start_run


@pytest.fixture(scope="module")
def world():
    return load_world()


def load_builder():
    spec = importlib.util.spec_from_file_location("demo_build", DEMO_DIR / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the world ------------------------------------------------------------------------------------


def test_builder_is_deterministic_and_matches_the_committed_files(tmp_path):
    build = load_builder()
    first = build.build()
    assert build.build() == first
    build.write(*first, folder=tmp_path)
    for name in ("employers.json", "postings.jsonl"):
        assert (tmp_path / name).read_bytes() == (DEMO_DIR / name).read_bytes(), (
            f"{name}: run data/demo/build.py"
        )


def test_world_has_the_shape_the_demo_needs(world):
    postings = world.postings
    assert 300 <= len(postings) <= 450
    assert {p["platform"] for p in postings} == {"greenhouse", "lever", "workday", "usajobs", "jsonld"}
    non_ma = [p for p in postings if p["kind"] == "non_ma"]
    assert 0.10 <= len(non_ma) / len(postings) <= 0.16
    # some non-MA titles are cut by the crawl's title filter, some reach the matcher
    assert any(not is_ma_family_title(p["title"]) for p in non_ma)
    assert any(is_ma_family_title(p["title"]) for p in non_ma)
    assert any(p["title"] == "Medical Support Assistant" for p in non_ma)
    # lives: edits, reposts, a week unlisted, the same job on two sources
    assert sum(len(p["versions"]) > 1 for p in postings) >= 30
    assert sum(bool(p["repost_of"]) for p in postings) >= 8
    assert sum(bool(p["hidden"]) for p in postings) >= 5
    twins = [p for p in postings if p["job_key"]]
    assert {p["platform"] for p in twins} == {"workday", "jsonld"} and len(twins) >= 30
    listed = [len(world.listed_on(day)) for day in crawl_days()]
    assert min(listed) >= 100
    # descriptions differ: no two postings share a body unless they are twins or reposts
    bodies = {}
    for p in postings:
        v = p["versions"][0]
        bodies.setdefault(json.dumps([v["intro"], v["duties"], v["requirements"]]), []).append(p)
    copies = [group for group in bodies.values() if len(group) > 1]
    assert all(any(p["job_key"] or p["repost_of"] for p in g) for g in copies)


def test_world_holds_the_findings_the_report_should_show(world):
    """The world was written so that the report has something to find (the demo's point)."""
    ma = [p["versions"][-1]["facts"] for p in world.postings if p["kind"] == "ma"]
    hourly = [f for f in ma if f["pay"] and f["pay"]["unit"] == "HOUR" and f["stage"] == "entry"]

    def median(rows):
        return statistics.median(f["pay"]["min"] for f in rows)

    certified = [f for f in hourly if {"required", "accepted"} & set(f["certifications"].values()) - {"BLS"}]
    required = [
        f
        for f in hourly
        if any(v in ("required", "accepted") for k, v in f["certifications"].items() if k != "BLS")
    ]
    assert certified and median(required) > median([f for f in hourly if f not in required]) + 0.5
    primary = ("Primary Care", "Family Medicine", "Internal Medicine", "Pediatrics")
    specialty = [f for f in hourly if f["specialty"] not in primary]
    assert median(specialty) > median([f for f in hourly if f["specialty"] in primary]) + 0.5
    assert sum("BLS" in f["certifications"] for f in ma) / len(ma) > 0.6
    ehr = [e for f in ma for e in f["ehr"]]
    assert max(set(ehr), key=ehr.count) == "Epic"
    assert sum(not f["ehr"] for f in ma) / len(ma) > 0.2  # many name no EHR at all
    skills = [s for f in ma for s in f["skills"]]
    assert skills.count("bilingual Spanish") >= 15 and skills.count("prior authorization") >= 15
    assert {f["stage"] for f in ma} == {"entry", "mid", "senior"}


def test_lifecycle_helpers(world):
    posting = next(p for p in world.postings if p["hidden"])
    start = posting["hidden"][0][0]
    assert not is_listed(posting, date.fromisoformat(start))
    assert is_listed(posting, date.fromisoformat(start) - timedelta(days=1))
    edited = next(p for p in world.postings if len(p["versions"]) > 1)
    change = date.fromisoformat(edited["versions"][1]["from"])
    assert version_on(edited, change) is edited["versions"][1]
    assert version_on(edited, change - timedelta(days=1)) is edited["versions"][0]
    assert posted_on("2026-11-20", date(2026, 11, 23)) == "Posted 3 Days Ago"
    assert posted_on("2026-09-01", date(2026, 11, 23)) == "Posted 30+ Days Ago"
    bigger = world.scaled(3)
    assert len(bigger.postings) == 3 * len(world.postings)
    assert (
        len({(p["platform"], p["ids"]["id"]) for p in bigger.postings})
        == len({(p["platform"], p["ids"]["id"]) for p in world.postings}) * 3
    )


# --- payloads against the parsers ------------------------------------------------------------------


def first(world, platform, day, kind="ma"):
    return next(p for p in world.listed_on(day, platform) if p["kind"] == kind)


def test_greenhouse_payloads_parse(world):
    from scraper.parsers import greenhouse as gh

    day = crawl_days()[-1]
    emp = world.employer("baysidederm")
    postings = world.listed(emp["key"], day)
    listing = greenhouse_jobs(postings, emp, day, content=True)
    assert listing["meta"]["total"] == len(listing["jobs"]) == len(postings)
    assert "content" not in greenhouse_jobs(postings, emp, day, content=False)["jobs"][0]
    assert listing["jobs"][0]["content"].startswith("&lt;p&gt;")  # entity-encoded
    paid = next(p for p in postings if version_on(p, day)["pay"] and p["kind"] == "ma" and p["ids"]["id"])
    detail = greenhouse_detail(paid, emp, day, pay=True)
    record = gh.parse_job(detail, detail, board=emp["board"], board_name=emp["name"])
    pay = version_on(paid, day)["pay"]
    assert record["title"] == paid["title"] and record["company"] == emp["name"]
    assert record["state"] in ("NJ", "NY", "PA")
    if detail["pay_input_ranges"]:
        assert detail["pay_input_ranges"][0]["min_cents"] == round(pay["min"] * 100)
        assert (record["salary_min"], record["salary_max"], record["salary_unit"]) == (
            pay["min"],
            pay["max"],
            "HOUR",
        )
    assert "<" in record["description_html"] and "&lt;" not in record["description_html"]


def test_lever_workday_usajobs_payloads_parse(world):
    day = crawl_days()[-1]
    p = first(world, "lever", day)
    emp = world.employer(p["employer"])
    raw = lever_posting(p, emp, day)
    assert isinstance(raw["createdAt"], int) and raw["createdAt"] > 1_700_000_000_000
    record = lever.parse_posting(raw, site=emp["site_slug"], company=emp["name"])
    assert record["date_posted"] == p["opened"] and record["company"] == emp["name"]
    assert version_on(p, day)["requirements"][0] in record["description_text"]  # requirements live in lists

    p = first(world, "workday", day)
    emp = world.employer(p["employer"])
    page = workday_list(world.listed(emp["key"], day), emp, day, offset=0, limit=20)
    assert page["total"] == len(world.listed(emp["key"], day)) and len(page["jobPostings"]) <= 20
    assert workday_list(world.listed(emp["key"], day), emp, day, offset=20, limit=20)["total"] == 0
    item = next(i for i in page["jobPostings"] if i["bulletFields"] == [p["ids"]["id"]])
    board = workday.board_from_url(
        f"https://{emp['tenant']}.{emp['wd']}.myworkdayjobs.com/wday/cxs/{emp['tenant']}/x"
    )
    record = workday.parse_job(item, workday_detail(p, emp, day), board=board, today=day, company=emp["name"])
    pay = version_on(p, day)["pay"]
    assert record["source_id"].endswith(p["ids"]["id"]) and record["date_posted"] == p["opened"]
    if pay:
        assert (record["salary_min"], record["salary_max"]) == (pay["min"], pay["max"])

    p = first(world, "usajobs", day)
    raw = usajobs_item(p, day)
    assert isinstance(raw["MatchedObjectDescriptor"]["PositionRemuneration"][0]["MinimumRange"], str)
    record = usajobs.parse_item(raw)
    assert record["state"] and len(record["state"]) == 2 and record["city"] == p["location"][0]
    assert record["salary_min"] == version_on(p, day)["pay"]["min"]


def test_jsonld_pages_parse_every_variant(world):
    emp = world.employer("lonestar")
    seen = set()
    for p in world.of("lonestar")[:40]:
        url = f"{emp['jsonld_site']}/jobs/{p['ids']['page']}"
        page = job_page_html(p, emp, date.fromisoformat(p["opened"]), url)
        result = jsonld.parse_page(page, url, site_key="lonestar")
        assert len(result.postings) == 1, (p["uid"], result)
        record = result.postings[0]
        assert record["title"] == p["title"] and record["company"] == emp["name"]
        assert record["city"] == p["location"][0] and record["state"] in ("TX", "NM")
        assert record["date_posted"] == p["opened"]
        seen.add((result.syntax, len(result.broken_blocks) > 0))
    assert {("json-ld", False), ("json-ld", True), ("microdata", False)} <= seen


# --- the site ----------------------------------------------------------------------------------


def test_site_answers_like_the_real_apis(world):
    with DemoSite(world, crawl_days()[-1]) as site:
        base = site.url

        def get(path, data=None, headers=None):
            request = urllib.request.Request(base + path, data=data, headers=headers or {})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.read()
            except urllib.error.HTTPError as exc:
                return exc.code, exc.read()

        assert get("/usajobs/api/search?Keyword=medical+assistant")[0] == 401  # key headers required
        status, body = get(
            "/usajobs/api/search?Keyword=medical+assistant&JobCategoryCode=0640;0679",
            headers={"Authorization-Key": DEMO_USAJOBS_KEY, "User-Agent": DEMO_USAJOBS_EMAIL},
        )
        result = json.loads(body)["SearchResult"]
        assert status == 200 and result["SearchResultCount"] == len(result["SearchResultItems"]) > 0
        codes = {i["MatchedObjectDescriptor"]["JobCategory"][0]["Code"] for i in result["SearchResultItems"]}
        assert codes <= {"0640", "0679"}
        wd = "/wd/greatlakeshealth/wday/cxs/greatlakeshealth/GLHCareers/jobs"
        too_many = json.dumps(
            {"appliedFacets": {}, "limit": 50, "offset": 0, "searchText": "medical assistant"}
        )
        assert get(wd, data=too_many.encode(), headers={"Content-Type": "application/json"})[0] == 400
        assert isinstance(json.loads(get("/lever/v0/postings/sunrise-peds?mode=json")[1]), list)
        grouped = json.loads(get("/lever/v0/postings/sunrise-peds?mode=json&group=team")[1])
        assert "postings" in grouped[0]  # group= changes the shape (a trap)
        robots = get("/robots.txt")[1].decode()
        assert (
            "Disallow: /internal/" in robots
            and "Sitemap: https://careers.lonestarchc.example/sitemap.xml" in robots
        )


# --- through the real engine ------------------------------------------------------------------------


def served(site, world, source_key, kind, emp, day, requests):
    """What a source should store that day: the postings it lists whose title passes the filter."""
    key = (source_key, day)
    if key not in _SERVED:
        _SERVED[key] = _served(site, world, kind, emp, day, requests)
    return _SERVED[key]


_SERVED: dict = {}


def _served(site, world, kind, emp, day, requests):
    site.set_day(day)
    if kind == "workday":
        postings = site.wd_matches(emp, "medical assistant")
    elif kind == "usajobs":
        postings = world.listed(emp["key"], day)
        sent = [r.arg("JobCategoryCode") for r in requests if r.path.endswith("/api/search")]
        if sent and sent[0]:
            postings = [p for p in postings if p["ids"]["series"] in sent[0].split(";")]
    else:
        postings = world.listed(emp["key"], day)
    return {p["ids"]["id"] for p in postings if is_ma_family_title(p["title"])}


def test_three_weeks_through_the_real_engine(world, tmp_path, rows, db_path):
    kinds = list(SPIDERS)
    _SERVED.clear()
    # Three consecutive crawls around a week in which a posting was unlisted (so it closes, then reopens).
    days = crawl_days()
    hidden = next(
        p
        for p in world.postings
        if p["hidden"] and p["platform"] in kinds and is_ma_family_title(p["title"])
        and date.fromisoformat(p["hidden"][0][0]) + timedelta(days=2) in days[1:-1]
    )  # fmt: skip
    gap = days.index(date.fromisoformat(hidden["hidden"][0][0]) + timedelta(days=2))
    window = days[gap - 1 : gap + 2]
    with DemoSite(world) as site:
        results = crawl_weeks(site, db_path, window, kinds=kinds)
        requests = list(site.server.requests)
        assert all(r.crawl.status in ("ok", "partial") for r in results)
        by_key = {s.key: s for s in site.sources(tuple(kinds))}
        emp_of = {}
        for emp in world.employers.values():
            for source in by_key.values():
                if source.kind == emp["platform"] and _same_source(source, emp):
                    emp_of[source.key] = emp
        assert len(emp_of) == len(by_key)

        stored = rows("select * from postings")
        for week, result in zip(window, results, strict=True):
            per_source = {s["source_key"]: s for s in result.crawl.sources}
            for key, emp in emp_of.items():
                expected = served(site, world, key, by_key[key].kind, emp, week, requests)
                assert per_source[key]["fetched"] == len(expected), (week, key)
                assert per_source[key]["complete"] == 1, (week, key)

        # Every stored posting's life follows the world's clock.
        when = {d: f"{d.isoformat()}T06:00:00+00:00" for d in window}
        for row in stored:
            emp = emp_of[row["source_key"]]
            seen = [
                d
                for d in window
                if any(
                    _matches(row, i)
                    for i in served(site, world, row["source_key"], row["source"], emp, d, requests)
                )
            ]
            assert seen, row["id"]
            assert row["first_seen"] == when[seen[0]] and row["last_seen"] == when[seen[-1]], row["id"]
            if seen[-1] == window[-1]:
                assert row["closed_at"] is None, row["id"]
            else:
                assert row["closed_at"] == when[window[window.index(seen[-1]) + 1]], row["id"]

    # the unlisted posting closed in the gap week and was reopened the week after, same row
    (row,) = [r for r in stored if _matches(r, hidden["ids"]["id"]) and r["source"] == hidden["platform"]]
    assert row["closed_at"] is None and row["first_seen"] == when[window[0]]
    runs = rows("select * from crawl_run_sources order by run_id")
    assert sum(r["closed"] for r in runs if r["run_id"] == 2) >= 1
    assert sum(r["updated"] for r in runs) >= 1  # edits mid-life are seen as updates
    assert any(r.path == "/robots.txt" for r in requests)
    if "workday" in kinds:
        assert any(r.method == "POST" and r.json()["offset"] == 20 for r in requests)


def _same_source(source, emp) -> bool:
    params = source.params
    return (
        params.get("board") == emp.get("board") is not None
        or params.get("site") == emp.get("site_slug") is not None
        or (emp.get("tenant") and f"/cxs/{emp['tenant']}/" in str(params.get("url")))
        or (
            emp["platform"] == "jsonld"
            and str(params.get("sitemap", "")).startswith(emp.get("jsonld_site") or "-")
        )
        or (emp["platform"] == source.kind == "usajobs")
    )


def _matches(row: dict, world_id: str) -> bool:
    """Store ids may be prefixed (Workday ``tenant:``, JSON-LD ``site:``); the world's id ends them."""
    sid = row["source_id"]
    return sid == world_id or sid.endswith(f":{world_id}")


def test_majobs_demo_command(tmp_path):
    from matcher.cli import cli

    db = tmp_path / "demo.db"
    out = tmp_path / "reports"
    # An earlier demo's database is replaced; a database holding real crawls is refused.
    old = open_db(db)
    run = start_run(old, started_at=crawl_time(crawl_days()[0]).isoformat(), sources_file=None, pid=1)
    save_postings(old, [new_posting("greenhouse", "stale-1", "Medical Assistant", source_key="greenhouse:x")])
    old.close()
    real = tmp_path / "jobs.db"
    other = open_db(real)
    start_run(other, started_at="2026-11-27T10:00:00+00:00", sources_file=None, pid=1)
    other.close()
    refused = CliRunner().invoke(cli, ["demo", "--weeks", "1", "--db", str(real), "--out", str(out)])
    assert refused.exit_code == 1 and "not a demo database" in refused.output
    assert real.exists() and run == 1

    result = CliRunner().invoke(cli, ["demo", "--weeks", "1", "--db", str(db), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "2026-W48 (2026-11-23)" in result.output
    assert f"database: {db}" in result.output
    reports = [
        line.split("report: ", 1)[1] for line in result.output.splitlines() if line.startswith("report: ")
    ]
    assert reports and all(Path(p).exists() for p in reports)
    assert sorted(Path(p).name for p in reports) == ["2026-W48.html", "2026-W48.json", "2026-W48.md"]
    for stage in ("dedup: done", "tagging: done", "reporting: done (3 files)"):
        assert stage in result.output, stage
    assert "postings by source" in result.output and "duplicate groups" in result.output
    fresh = open_db(db)
    assert fresh.execute("select count(*) from postings where source_id = 'stale-1'").fetchone()[0] == 0
    assert fresh.execute("select count(*) from crawl_runs").fetchone()[0] == 1
    fresh.close()

    # A stage that fails is named, the others still run, and the demo exits 1.
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    failed = CliRunner().invoke(cli, ["demo", "--weeks", "1", "--db", str(db), "--out", str(blocker / "sub")])
    assert failed.exit_code == 1, failed.output
    assert "tagging: done" in failed.output and "reporting failed: " in failed.output
    assert "no report written (see the reporting error above)" in failed.output
