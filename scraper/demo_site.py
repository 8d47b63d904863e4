"""Serve the demo world on loopback, as each platform's real endpoints would on a given day.

One :class:`~scraper.localserver.LocalServer` holds every "host" under its own path prefix:

    /gh/v1/boards/{board}[/jobs[/{id}]]           Greenhouse Job Board API
    /lever/v0/postings/{site}[/{id}]              Lever Postings API
    /wd/{tenant}/wday/cxs/{tenant}/{site}/jobs    Workday CXS (POST list, GET details)
    /usajobs/api/search                           USAJOBS Search API (key headers checked)
    /hvh/...                                      Harbor Valley's career site (sitemap index)
    /sitemap.xml, /search/jobs/in/..., /jobs/...  Lone Star's career site, at the root because its
                                                  search pages link to job pages root-relative
    /robots.txt                                   shared: disallows /internal/ and /apply/

:meth:`DemoSite.sources` gives the sources (the employers' real, invented URLs, with ``base_url``
pointing here). :meth:`DemoSite.set_day` moves the world's clock between weekly crawls.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any
from urllib.parse import unquote

from scraper import demo_render as render
from scraper.demo_world import World, crawl_days, is_listed
from scraper.localserver import LocalServer, Reply, ServedRequest
from scraper.sources import Source, parse_sources

DEMO_USAJOBS_KEY = "demo-usajobs-key"
DEMO_USAJOBS_EMAIL = "demo@majobs.example"
WORKDAY_MAX_LIMIT = 20
ROOT_SITE = "lonestar"  # the career site served at the server's root (see module docstring)
SITE_PREFIX = {"harborvalley-site": "/hvh", ROOT_SITE: ""}
STALE_DAYS = 3  # a career-site sitemap lags: pages closed in the last few days are still listed (and 404)


def search_text(posting: dict[str, Any]) -> str:
    v = posting["versions"][-1]
    return " ".join(
        [posting["title"], posting["department"], *v["intro"], *v["duties"], *v["requirements"]]
    ).lower()


def _header(req: ServedRequest, name: str) -> str | None:
    for key, value in req.headers.items():
        if key.lower() == name.lower():
            return value
    return None


class DemoSite:
    """The demo world's endpoints on a free loopback port, for one day at a time."""

    def __init__(self, world: World, day: date | None = None, *, faults: bool = True) -> None:
        self.world = world
        self.day = day or crawl_days()[0]
        self.faults = faults
        self.server = LocalServer(robots_txt=None)
        self._cache: dict[tuple, Any] = {}
        self._lock = threading.Lock()
        self._faulted: set[tuple] = set()
        self._routes()

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> DemoSite:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def set_day(self, day: date) -> None:
        with self._lock:
            self.day = day
            self._cache.clear()

    # --- what to crawl ----------------------------------------------------------------------------
    def source_entries(self, kinds: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Sources-file entries for the demo employers, each with ``base_url`` pointing here."""
        base = self.url
        entries: list[dict[str, Any]] = []
        for emp in self.world.employers.values():
            p = emp["platform"]
            if p == "greenhouse":
                entries.append({"kind": p, "board": emp["board"], "base_url": f"{base}/gh"})
            elif p == "lever":
                entries.append(
                    {"kind": p, "site": emp["site_slug"], "company": emp["name"], "base_url": f"{base}/lever"}
                )
            elif p == "workday":
                host = f"https://{emp['tenant']}.{emp['wd']}.myworkdayjobs.com"
                entries.append(
                    {
                        "kind": p,
                        "url": f"{host}/wday/cxs/{emp['tenant']}/{emp['wd_site']}",
                        "search": "medical assistant",
                        "company": emp["name"],
                        "base_url": f"{base}/wd/{emp['tenant']}",
                    }
                )
            elif p == "jsonld":
                entry: dict[str, Any] = {
                    "kind": p,
                    "sitemap": f"{emp['jsonld_site']}/sitemap.xml",
                    "base_url": base + SITE_PREFIX[emp["key"]],
                }
                if emp["key"] != ROOT_SITE:
                    entry["sitemap_follow"] = "/sitemaps/jobs"  # a regex on child sitemap URLs
                entries.append(entry)
            elif p == "usajobs":
                entries.append({"kind": p, "keyword": "medical assistant", "base_url": f"{base}/usajobs"})
        return [e for e in entries if kinds is None or e["kind"] in kinds]

    def sources(self, kinds: tuple[str, ...] | None = None) -> list[Source]:
        return parse_sources({"sources": self.source_entries(kinds)}, origin="demo")

    # --- helpers --------------------------------------------------------------------------------
    def _cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        with self._lock:
            day = self.day
            hit = self._cache.get((day, *key))
        if hit is not None:
            return hit
        value = make()
        with self._lock:
            if self.day == day:
                self._cache[(day, *key)] = value
        return value

    def listed(self, employer: str) -> list[dict[str, Any]]:
        day = self.day
        return self._cached(("listed", employer), lambda: self.world.listed(employer, day))

    def _find(self, employer: str, **ids: str) -> dict[str, Any] | None:
        index = self._cached(
            ("index", employer, *sorted(ids)),
            lambda: {tuple(p["ids"].get(k) for k in sorted(ids)): p for p in self.listed(employer)},
        )
        return index.get(tuple(ids[k] for k in sorted(ids)))

    def _routes(self) -> None:
        s = self.server
        s.add("/robots.txt", handler=self.robots)
        for emp in self.world.employers.values():
            p = emp["platform"]
            if p == "greenhouse":
                b = emp["board"]
                s.add(f"/gh/v1/boards/{b}", handler=lambda r, e=emp: Reply.json(render.greenhouse_board(e)))
                s.add(f"/gh/v1/boards/{b}/jobs", handler=lambda r, e=emp: self.gh_jobs(r, e))
                s.add(f"/gh/v1/boards/{b}/jobs/", handler=lambda r, e=emp: self.gh_detail(r, e), prefix=True)
            elif p == "lever":
                slug = emp["site_slug"]
                s.add(f"/lever/v0/postings/{slug}", handler=lambda r, e=emp: self.lever_list(r, e))
                s.add(
                    f"/lever/v0/postings/{slug}/",
                    handler=lambda r, e=emp: self.lever_detail(r, e),
                    prefix=True,
                )
            elif p == "workday":
                root = f"/wd/{emp['tenant']}/wday/cxs/{emp['tenant']}/{emp['wd_site']}"
                s.add(f"{root}/jobs", method="POST", handler=lambda r, e=emp: self.wd_list(r, e))
                cut = len(root)
                detail = lambda r, e=emp, n=cut: self.wd_detail(r, e, n)  # noqa: E731
                s.add(f"{root}/job/", handler=detail, prefix=True)
            elif p == "usajobs":
                s.add("/usajobs/api/search", handler=lambda r, e=emp: self.usajobs(r, e))
            elif p == "jsonld":
                self._site_routes(emp)

    def _site_routes(self, emp: dict[str, Any]) -> None:
        s = self.server
        pre = SITE_PREFIX[emp["key"]]
        if emp["key"] == ROOT_SITE:
            s.add("/sitemap.xml", handler=lambda r, e=emp: self.search_sitemap(e))
            s.add("/search/jobs/in/", handler=lambda r, e=emp: self.search_page(r, e), prefix=True)
            s.add("/jobs/", handler=lambda r, e=emp: self.search_job_page(r, e), prefix=True)
        else:
            s.add(f"{pre}/sitemap.xml", handler=lambda r, e=emp: self.sitemap_index(e))
            for name in ("jobs-1", "jobs-2"):
                s.add(f"{pre}/sitemaps/{name}.xml", handler=lambda r, e=emp, n=name: self.job_sitemap(e, n))
            s.add(f"{pre}/sitemaps/pages.xml", handler=lambda r, e=emp: self.pages_sitemap(e))
            s.add(f"{pre}/job/", handler=lambda r, e=emp: self.index_job_page(r, e), prefix=True)
        for page in ("/benefits", "/about"):
            s.add(f"{pre}{page}", body=f"<html><body><h1>{page[1:].title()}</h1></body></html>")

    # --- robots ---------------------------------------------------------------------------------
    def robots(self, req: ServedRequest) -> Reply:
        sites = [e for e in self.world.employers.values() if e["platform"] == "jsonld"]
        lines = ["User-agent: *"]
        for emp in sites:
            lines += [
                f"Disallow: {SITE_PREFIX[emp['key']]}/internal/",
                f"Disallow: {SITE_PREFIX[emp['key']]}/apply/",
            ]
        lines.append("")
        lines += [f"Sitemap: {e['jsonld_site']}/sitemap.xml" for e in sites]
        return Reply("\n".join(lines) + "\n", content_type="text/plain")

    # --- Greenhouse -----------------------------------------------------------------------------
    def gh_jobs(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        content = req.arg("content") == "true"  # without it, content/departments/offices are absent
        day = self.day
        return self._cached(
            ("gh", emp["key"], content),
            lambda: Reply.json(render.greenhouse_jobs(self.listed(emp["key"]), emp, day, content=content)),
        )

    def gh_detail(self, req: ServedRequest, emp: dict[str, Any]) -> Reply | None:
        job_id = req.path.rstrip("/").rsplit("/", 1)[-1]
        posting = self._find(emp["key"], id=job_id)
        if posting is None:
            return Reply.json({"status": 404, "error": "Job not found"}, status=404)
        pay, day = req.arg("pay_transparency") == "true", self.day
        return self._cached(
            ("ghjob", posting["uid"], pay),
            lambda: Reply.json(render.greenhouse_detail(posting, emp, day, pay=pay)),
        )

    # --- Lever ----------------------------------------------------------------------------------
    def lever_list(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        day = self.day
        postings = self._cached(
            ("lever", emp["key"]),
            lambda: sorted(
                (render.lever_posting(p, emp, day) for p in self.listed(emp["key"])),
                key=lambda x: (-x["createdAt"], x["id"]),
            ),
        )
        skip = int(req.arg("skip") or 0)
        limit = int(req.arg("limit") or 0) or None
        page = postings[skip : skip + limit if limit else None]
        if req.arg("group"):
            return Reply.json(render.lever_grouped(page, req.arg("group") or ""))
        return Reply.json(page)

    def lever_detail(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        posting = self._find(emp["key"], id=req.path.rstrip("/").rsplit("/", 1)[-1])
        if posting is None:
            return Reply.json({"ok": False, "error": "Document not found"}, status=404)
        day = self.day
        return self._cached(
            ("lvjob", posting["uid"]), lambda: Reply.json(render.lever_posting(posting, emp, day))
        )

    # --- Workday ------------------------------------------------------------------------------------
    def wd_matches(self, emp: dict[str, Any], search: str) -> list[dict[str, Any]]:
        """Workday's fuzzy search: any word of the search text anywhere in the posting.

        So a "medical assistant" search brings physician assistants and nurses along (as the real
        one does) and misses a job whose text never says either word.
        """
        words = [w for w in search.lower().split() if len(w) > 1]
        out = [p for p in self.listed(emp["key"]) if not words or any(w in search_text(p) for w in words)]
        return sorted(out, key=lambda p: (p["opened"], p["ids"]["id"]), reverse=True)

    def wd_list(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        try:
            body = req.json()
            limit, offset = int(body.get("limit", 20)), int(body.get("offset", 0))
        except (ValueError, TypeError, AttributeError):
            return Reply.json({"errorCode": "HTTP_400", "message": "Bad request body"}, status=400)
        if limit > WORKDAY_MAX_LIMIT or limit < 1 or offset < 0:
            return Reply.json(
                {"errorCode": "HTTP_400", "message": f"limit must be 1-{WORKDAY_MAX_LIMIT}"}, status=400
            )
        if self._fault_once(("wd429", emp["key"]), offset == 20 and emp["key"] == "greatlakes"):
            return Reply.json({"errorCode": "HTTP_429"}, status=429, headers={"Retry-After": "1"})
        search = str(body.get("searchText") or "")
        day = self.day
        matches = self._cached(("wdmatch", emp["key"], search), lambda: self.wd_matches(emp, search))
        return self._cached(
            ("wdpage", emp["key"], search, offset, limit),
            lambda: Reply.json(render.workday_list(matches, emp, day, offset=offset, limit=limit)),
        )

    def wd_detail(self, req: ServedRequest, emp: dict[str, Any], root_len: int) -> Reply:
        path = unquote(req.path[root_len:])
        req_id = path.rsplit("_", 1)[-1]
        posting = self._find(emp["key"], id=req_id)
        if posting is None or render.workday_path(posting) != path:
            return Reply.json(
                {"errorCode": "HTTP_404", "message": "The page you are looking for doesn't exist."},
                status=404,
            )
        day = self.day
        return self._cached(
            ("wdjob", posting["uid"]), lambda: Reply.json(render.workday_detail(posting, emp, day))
        )

    def _fault_once(self, key: tuple, applies: bool) -> bool:
        """A transient fault, answered once per crawl day (the third week only) when faults are on."""
        if not (self.faults and applies and self.day == crawl_days()[2]):
            return False
        with self._lock:
            full = (self.day, *key)
            if full in self._faulted:
                return False
            self._faulted.add(full)
        return True

    # --- USAJOBS --------------------------------------------------------------------------------
    def usajobs(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        if (
            _header(req, "Authorization-Key") != DEMO_USAJOBS_KEY
            or _header(req, "User-Agent") != DEMO_USAJOBS_EMAIL
        ):
            return Reply.json(
                {"message": "Unauthorized: Authorization-Key and User-Agent (your e-mail) required"},
                status=401,
            )
        try:
            page = max(1, int(req.arg("Page") or 1))
            per_page = min(500, max(1, int(req.arg("ResultsPerPage") or 250)))
        except ValueError:
            return Reply.json({"message": "Bad Page or ResultsPerPage"}, status=400)
        keyword = (req.arg("Keyword") or "").lower().split()
        codes = [c for c in (req.arg("JobCategoryCode") or "").split(";") if c]
        matches = [
            p
            for p in self.listed(emp["key"])
            if (not codes or p["ids"]["series"] in codes)
            and (not keyword or any(w in p["title"].lower() + " medical" for w in keyword))
        ]
        matches.sort(key=lambda p: (p["opened"], p["ids"]["id"]), reverse=True)
        chunk = matches[(page - 1) * per_page : page * per_page]
        params = {k: v[0] for k, v in req.query.items()}
        return Reply.json(
            render.usajobs_page([render.usajobs_item(p, self.day) for p in chunk], len(matches), params)
        )

    # --- JSON-LD: Harbor Valley (sitemap index -> job sitemaps -> job pages) --------------------------
    def _site_postings(self, emp: dict[str, Any], *, stale: bool) -> list[dict[str, Any]]:
        """Listed postings, plus (``stale``) those closed in the past week the sitemap still names."""
        if not stale:
            return self.listed(emp["key"])
        since = self.day - timedelta(days=STALE_DAYS)
        return [
            p
            for p in self.world.of(emp["key"])
            if is_listed(p, self.day)
            or (p["closes"] and since.isoformat() < p["closes"] <= self.day.isoformat())
        ]

    def index_url(self, emp: dict[str, Any], posting: dict[str, Any]) -> str:
        return f"{emp['jsonld_site']}/job/{posting['ids']['id']}/{render.slugify(posting['title'])}"

    def sitemap_index(self, emp: dict[str, Any]) -> Reply:
        site, day = emp["jsonld_site"], self.day.isoformat()
        body = render.sitemap_index(
            [
                (f"{site}/sitemaps/jobs-1.xml", day),
                (f"{site}/sitemaps/jobs-2.xml", day),
                (f"{site}/sitemaps/pages.xml", "2026-06-01"),
            ]
        )
        return Reply(body, content_type="application/xml")

    def job_sitemap(self, emp: dict[str, Any], name: str) -> Reply:
        half = 0 if name == "jobs-1" else 1
        postings = [p for i, p in enumerate(self._site_postings(emp, stale=True)) if i % 2 == half]
        entries = [
            (
                self.index_url(emp, p),
                p["versions"][-1]["from"]
                if is_listed(p, self.day) and p["versions"][-1]["from"] <= self.day.isoformat()
                else p["opened"],
            )
            for p in postings
        ]
        return Reply(render.sitemap_urlset(entries), content_type="application/xml")

    def pages_sitemap(self, emp: dict[str, Any]) -> Reply:
        site = emp["jsonld_site"]
        return Reply(
            render.sitemap_urlset([(f"{site}/about", "2026-06-01"), (f"{site}/benefits", "2026-06-01")]),
            content_type="application/xml",
        )

    def index_job_page(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        parts = req.path.split("/job/", 1)[1].split("/")
        posting = self._find(emp["key"], id=unquote(parts[0]))
        if posting is None:
            return Reply.html("<html><body><h1>Page not found</h1></body></html>", status=404)
        url, day = self.index_url(emp, posting), self.day
        return self._cached(
            ("page", posting["uid"]), lambda: Reply.html(render.job_page_html(posting, emp, day, url))
        )

    # --- JSON-LD: Lone Star (sitemap of search pages -> job pages one hop away) ------------------------
    def _cities(self, emp: dict[str, Any]) -> list[tuple[str, str]]:
        return [(render.code(loc[1]).lower(), render.slugify(loc[0]).lower()) for loc in emp["locations"]]

    def search_url(self, emp: dict[str, Any], st: str, city: str) -> str:
        return f"{emp['jsonld_site']}/search/jobs/in/{st}/{city}"

    def job_path(self, posting: dict[str, Any]) -> str:
        return f"/jobs/{posting['ids']['page']}-{render.slugify(posting['title']).lower()}"

    def search_sitemap(self, emp: dict[str, Any]) -> Reply:
        day = self.day.isoformat()
        entries = [(self.search_url(emp, st, city), day) for st, city in self._cities(emp)]
        entries.append((f"{emp['jsonld_site']}/benefits", "2026-06-01"))
        return Reply(render.sitemap_urlset(entries), content_type="application/xml")

    def search_page(self, req: ServedRequest, emp: dict[str, Any]) -> Reply | None:
        rest = req.path.split("/search/jobs/in/", 1)[1].strip("/").split("/")
        if len(rest) != 2 or tuple(rest) not in self._cities(emp):
            return Reply.html("<html><body><h1>No such search</h1></body></html>", status=404)
        st, city = rest
        here = [p for p in self.listed(emp["key"]) if render.slugify(p["location"][0]).lower() == city]
        jobs = [
            (self.job_path(p), p["title"], f"{p['location'][0]}, {render.code(p['location'][1])}")
            for p in here
        ]
        extra = ""
        if here and st == "tx":  # an internal-only posting: linked, but robots.txt disallows it
            extra = (
                '<p class="staff">Current employees: <a href="/internal/jobs/90001-float-medical-assistant">'
                "Float Medical Assistant (internal)</a></p>"
            )
        return Reply.html(
            render.search_page_html(
                f"Jobs in {here[0]['location'][0] if here else city}",
                jobs,
                self.search_url(emp, st, city),
                extra,
            )
        )

    def search_job_page(self, req: ServedRequest, emp: dict[str, Any]) -> Reply:
        number = req.path.split("/jobs/", 1)[1].split("-", 1)[0]
        posting = self._find(emp["key"], page=number)
        if posting is None:
            return Reply.html(
                "<html><body><h1>This job is no longer available</h1></body></html>", status=404
            )
        url, day = emp["jsonld_site"] + self.job_path(posting), self.day
        return self._cached(
            ("page", posting["uid"]), lambda: Reply.html(render.job_page_html(posting, emp, day, url))
        )
