"""majobs serve: Datasette over the store, tested through Datasette's own API (no port opened)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from scraper.items import new_posting
from scraper.serve import METADATA, SETTINGS, load_metadata, make_datasette
from scraper.store import finish_run, open_db, save_postings, start_run
from scraper.views import VIEWS
from tests.conftest import TEST_NOW


@pytest.fixture
def jobs_db(tmp_path: Path) -> Path:
    path = tmp_path / "jobs.db"
    db = open_db(path)
    save_postings(
        db,
        [
            new_posting(
                "greenhouse",
                "1",
                "Medical Assistant",
                company="Acme",
                state="AZ",
                source_key="greenhouse:acme",
                description_text="Phlebotomy, vital signs, CMA required.",
                salary_min=40000.0,
                salary_max=44000.0,
                salary_unit="YEAR",
                salary_source="structured",
            ),
            new_posting(
                "workday",
                "R9",
                "Lead Medical Assistant",
                company="Beta",
                state="TX",
                source_key="workday:beta/External",
                description_text="Lead the team; Epic; RMA.",
            ),
            new_posting(
                "lever",
                "x",
                "Medical Assistant <script>alert(1)</script>",
                company="Gamma",
                state="AZ",
                source_key="lever:gamma",
                description_html="<p onclick=x>hi</p>",
                description_text="hi",
            ),
        ],
        now=TEST_NOW.isoformat(),
    )
    db.execute(
        "update postings set is_ma_role = 1, "
        "stage = case when title like 'Lead%' then 'senior' else 'entry' end"
    )
    db.execute(
        "insert into tags (posting_id, category, label, level) values "
        "('greenhouse:1', 'certification', 'CMA', 'required'), "
        "('workday:R9', 'certification', 'RMA', 'required'), ('workday:R9', 'ehr', 'Epic', null)"
    )
    db.conn.commit()
    run = start_run(db, started_at=TEST_NOW.isoformat(), sources_file="s.yaml", pid=1)
    finish_run(db, run, status="ok", finished_at=TEST_NOW.isoformat())
    db.close()
    return path


def get(ds: Any, *paths: str) -> list[Any]:
    async def fetch() -> list[Any]:
        await ds.invoke_startup()
        return [await ds.client.get(p) for p in paths]

    return asyncio.run(fetch())


def test_search_facets_and_descriptions(jobs_db):
    ds = make_datasette(jobs_db)
    search, facets, meta, table = get(
        ds,
        "/jobs/postings.json?_search=phlebotomy&_shape=objects",
        "/jobs/postings.json?_shape=objects&_size=0",
        "/-/metadata.json",
        "/jobs/postings",
    )
    assert search.status_code == 200
    assert [r["id"] for r in search.json()["rows"]] == ["greenhouse:1"]
    assert set(facets.json()["facet_results"]) == {"stage", "state", "source"}
    by_state = {f["value"]: f["count"] for f in facets.json()["facet_results"]["state"]["results"]}
    assert by_state == {"AZ": 2, "TX": 1}
    tables = meta.json()["databases"]["jobs"]["tables"]
    assert "first_seen" in tables["postings"]["description"]
    assert tables["postings"]["columns"]["closed_at"].startswith("The run that found it gone")
    assert tables["dedup_state"]["hidden"] is True
    # Untrusted posting text is escaped in the HTML page.
    assert "<script>alert(1)</script>" not in table.text and "&lt;script&gt;" in table.text


def test_canned_queries_and_views_answer_the_common_questions(jobs_db):
    ds = make_datasette(jobs_db)
    own = [name for name in load_metadata("jobs", report_queries=False)["databases"]["jobs"]["queries"]]
    assert {"days_open_by_source", "search_postings", "open_jobs_by_stage", "recent_runs"} <= set(own)
    # A canned query named as a view would hide the view's own page (filters, sorting, facets).
    assert not set(own) & set(VIEWS)
    responses = get(ds, *(f"/jobs/{name}.json?_shape=objects&q=vitals" for name in own))
    for name, response in zip(own, responses, strict=True):
        assert response.status_code == 200, (name, response.text[:300])
        assert response.json().get("ok", True), (name, response.json())
    by_name = dict(zip(own, (r.json()["rows"] for r in responses), strict=True))
    assert [r["id"] for r in by_name["search_postings"]] == ["greenhouse:1"]
    assert by_name["recent_runs"][0]["status"] == "ok"
    views = ("cert_demand_by_stage", "ehr_demand", "pay_by_stage")
    pages = get(ds, *(f"/jobs/{view}.json?_shape=array" for view in views))
    assert all(page.status_code == 200 for page in pages), [p.text[:300] for p in pages]
    certs, ehr, pay = (page.json() for page in pages)
    assert [(r["stage"], r["certification"]) for r in certs] == [("entry", "CMA"), ("senior", "RMA")]
    assert ehr == [{"ehr": "Epic", "postings": 1, "ma_postings": 3, "pct_of_ma_postings": 33.3}]
    assert pay[0]["annual_median"] == 42000.0
    (html,) = get(ds, "/jobs/ehr_demand")  # the view's page, not a canned query's form
    assert "_sort=" in html.text or "_sort_desc=" in html.text


def test_canned_search_opened_blank_shows_no_rows_not_an_error(jobs_db):
    """The canned search's page as first opened (no q) or with a blank q: FTS5 called '' a syntax
    error, so the page answered 400 with 'fts5: syntax error near ""'."""
    ds = make_datasette(jobs_db)
    for response in get(
        ds,
        "/jobs/search_postings.json?_shape=objects",
        "/jobs/search_postings.json?_shape=objects&q=+",
        "/jobs/search_postings",
    ):
        assert response.status_code == 200, response.text[:300]
        assert "syntax error" not in response.text
    (found,) = get(ds, "/jobs/search_postings.json?_shape=objects&q=phlebotomy")
    assert [r["id"] for r in found.json()["rows"]] == ["greenhouse:1"]


def test_read_only(jobs_db):
    ds = make_datasette(jobs_db)
    (write,) = get(ds, "/jobs.json?sql=update+postings+set+title+%3D+%27x%27&_shape=objects")
    assert write.status_code == 400
    assert "SELECT" in write.json()["error"]
    database = ds.get_database("jobs")
    conn = database.connect()
    try:
        with pytest.raises(Exception, match="readonly"):
            conn.execute("update postings set title = 'x'")
    finally:
        conn.close()
    queries = load_metadata("jobs")["databases"]["jobs"]["queries"]
    assert not any(q.get("write") for q in queries.values())
    assert SETTINGS["allow_download"] is False
    db = open_db(jobs_db)
    assert db.execute("select count(*) from postings where title = 'x'").fetchone()[0] == 0
    db.close()


def test_metadata_follows_the_served_file_and_adds_the_report_queries(tmp_path, jobs_db):
    other = tmp_path / "weekly.db"
    other.write_bytes(jobs_db.read_bytes())
    meta = load_metadata("weekly")
    assert set(meta["databases"]) == {"weekly"}
    assert "postings" in meta["databases"]["weekly"]["tables"]
    raw = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    assert set(raw["databases"]) == {"jobs"}
    assert any(name.startswith("report_") for name in meta["databases"]["weekly"]["queries"])
    ds = make_datasette(other)
    (page,) = get(ds, "/weekly/postings.json?_search=epic&_shape=array")
    assert [r["id"] for r in page.json()] == ["workday:R9"]


def test_serve_command_binds_loopback_only(jobs_db, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from matcher.cli import cli

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--db", str(jobs_db), "--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "read-only at http://127.0.0.1:8765/" in result.output
    assert calls and calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8765
    missing = CliRunner().invoke(cli, ["serve", "--db", str(jobs_db.with_name("nope.db"))])
    assert missing.exit_code == 1 and "no database" in missing.output
    assert not jobs_db.with_name("nope.db").exists()


def test_serve_on_a_port_in_use_says_so_before_announcing(jobs_db, monkeypatch):
    """It printed 'serving ... at http://127.0.0.1:PORT/', then uvicorn's own error, exit 3."""
    import socket

    import uvicorn
    from click.testing import CliRunner

    from matcher.cli import cli

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--db", str(jobs_db), "--port", str(port)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; give another --port\n"
    )
    assert calls == []


@pytest.mark.parametrize("port", ["-1", "0", "65536", "70000", "http"])
def test_serve_port_out_of_range_is_a_usage_error(jobs_db, monkeypatch, port):
    import uvicorn
    from click.testing import CliRunner

    from matcher.cli import cli

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    result = CliRunner().invoke(cli, ["serve", "--db", str(jobs_db), f"--port={port}"])
    assert result.exit_code == 2 and "Invalid value for '--port'" in result.output
    assert calls == []  # refused before a server was started


def test_serve_refuses_other_files_untouched(tmp_path):
    """Read-only means it: a database that is not a majobs store (or not SQLite) is refused and
    left exactly as it was."""
    from click.testing import CliRunner

    from matcher.cli import cli

    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("create table foo (x)")
    con.commit()
    con.close()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    for path, why in ((foreign, "not a majobs database"), (junk, "not an SQLite database")):
        before = path.read_bytes()
        result = CliRunner().invoke(cli, ["serve", "--db", str(path)])
        assert result.exit_code == 1 and why in result.output, result.output
        assert path.read_bytes() == before


def test_report_pay_queries_through_datasette_form_values(jobs_db):
    """Datasette passes a canned query's parameters as text; the pay bounds still count."""
    ds = make_datasette(jobs_db)
    week = "week_start=2026-11-23&week_end=2026-11-30&previous_start=2026-11-16&trend_start=2026-10-05"
    summary, sources = get(
        ds,
        f"/jobs/report_pay_summary.json?_shape=objects&{week}&pay_low=20000&pay_high=200000",
        f"/jobs/report_pay_sources.json?_shape=objects&{week}&pay_low=20000&pay_high=200000",
    )
    assert summary.status_code == 200, summary.text[:300]
    assert [(r["stage"], r["n"], r["mean"]) for r in summary.json()["rows"]] == [("entry", 1, 42000.0)]
    assert {r["pay_source"]: r["implausible"] for r in sources.json()["rows"]}.get("structured") == 0
