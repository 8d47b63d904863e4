"""The HTML report opened in a real headless browser (Debian's chromium, driven by Playwright):
it renders with no console error and makes no network request.

Skipped when chromium (or playwright) is absent, unless MAJOBS_REQUIRE_BROWSER=1 (set by .ci/run),
in which case it fails. Playwright never downloads a browser here: it is given /usr/bin/chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from matcher.report import write_report
from tests.report_db import crawl_run, new_db, posting

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    required = os.environ.get("MAJOBS_REQUIRE_BROWSER") == "1"
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        if required:
            pytest.fail("MAJOBS_REQUIRE_BROWSER=1 but chromium or playwright is missing")
        pytest.skip("chromium or playwright not installed (apt-get install -y chromium)")
    return path


@pytest.fixture
def report_html(tmp_path: Path) -> Path:
    db = new_db(tmp_path / "jobs.db")
    for i in range(30):
        posting(
            db,
            f"p{i}",
            stage=("entry", "mid", "senior")[i % 3],
            first_seen=f"2026-11-{10 + i % 15:02d}T08:00:00+00:00",
            title="<script>window.__pwned = 1</script>Medical Assistant" if i == 0 else "Medical Assistant",
            company='<img src="http://127.0.0.1:9/x.png">' if i == 1 else "Clinic",
            tags=[("certification", "CMA", "required"), ("ehr", ("Epic", "NextGen")[i % 2], None)],
            pay=(18 + i % 7, 22 + i % 7, "HOUR"),
            years=i % 7,
        )
    crawl_run(db, 1, "2026-11-23T06:00:00+00:00", {"greenhouse:board": 30})
    db.close()
    return write_report(tmp_path / "jobs.db", week="last", out_dir=tmp_path / "out")[0]


def test_report_renders_offline_without_errors(report_html: Path, tmp_path: Path):
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh --user-data-dir
            executable_path=executable,
            headless=True,
            args=CHROMIUM_FLAGS,
            offline=True,
        )
        try:
            page = context.new_page()
            page.on("request", lambda r: requests.append(r.url))
            page.on(
                "console",
                lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.goto(report_html.as_uri(), wait_until="load")
            page.wait_for_timeout(300)
            title = page.title()
            svg_count = page.locator("svg.chart").count()
            pwned = page.evaluate("() => window.__pwned === 1")
            heading = page.locator("h1").inner_text()
            shown = page.locator("text=<script>window.__pwned = 1</script>Medical Assistant").count()
        finally:
            context.close()
    assert requests == [report_html.as_uri()], f"unexpected requests: {requests}"
    assert problems == []
    assert "2026-W48" in title and "career guide" in heading
    assert svg_count >= 4
    assert not pwned, "posting text ran as script"
    assert shown == 1, "the posting's title is shown as text"
