"""JobSpy CSV exports: the row parser against its expected output, and the import into the store
(bad rows counted, not fatal; a crawl_runs row; dedup and the matcher after it)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from subprocess import PIPE

import pytest
from click.testing import CliRunner

from matcher.cli import cli
from matcher.report.guide import load_guide
from scraper.jobspy import BATCH, JobSpyFileError, import_jobspy
from scraper.lock import RunLock
from scraper.parsers.jobspy import (
    PLAUSIBLE_ANNUAL_PAY,
    JobSpyRowError,
    markdown_to_text,
    parse_row,
    source_id,
)
from tests.conftest import FIXTURES, TEST_NOW, fixture_json
from tests.test_faults import _count, _integrity

EXPORT = FIXTURES / "jobspy" / "export.csv"


def export_rows() -> list[dict]:
    with EXPORT.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, escapechar="\\"))


COLUMNS = ["id", "site", "job_url", "title", "company", "date_posted"]
COLUMNS += ["interval", "min_amount", "max_amount", "currency"]


def ma_row(job_id: str, **values: object) -> dict:
    """One JobSpy row for a Medical Assistant job on Indeed; ``values`` override its cells."""
    row = {"id": job_id, "site": "indeed", "job_url": f"https://www.indeed.com/viewjob?jk={job_id}"}
    return {**row, "title": "Medical Assistant", "company": "Saguaro Family Health", **values}


def export_text(*rows: dict) -> str:
    """A CSV as JobSpy's README writes it (QUOTE_NONNUMERIC, backslash escapes)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, quoting=csv.QUOTE_NONNUMERIC, escapechar="\\")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_parser_matches_expected():
    rows = [r for r in export_rows() if None not in r and r["title"] and (r["id"] or r["job_url"])]
    parsed = [parse_row(r, fetched_at=TEST_NOW.isoformat()) for r in rows]
    assert [{k: v for k, v in p.items() if k != "raw"} for p in parsed] == fixture_json(
        "jobspy", "export.expected.json"
    )
    indeed = parsed[0]
    assert indeed["url"] == "https://saguaro.example/careers/4411"  # the employer's page over the board's
    assert indeed["raw"]["company_industry"] == "Hospitals and Health Care"  # the rest kept in raw
    assert "job_level" not in indeed["raw"]  # empty cells are not kept
    assert "\\" not in indeed["description_text"] and "**" not in indeed["description_text"]


def test_rows_that_cannot_be_postings():
    with pytest.raises(JobSpyRowError, match="no title"):
        parse_row({"id": "in-1", "site": "indeed", "title": "  "})
    with pytest.raises(JobSpyRowError, match="neither an id nor a job_url"):
        parse_row({"id": "", "site": "indeed", "title": "Medical Assistant", "job_url": ""})
    # Without an id the key is a hash of site + URL: the same every export, different per site.
    a = source_id({"site": "google", "job_url": "https://x/1"})
    assert (
        a
        == source_id({"site": "google", "job_url": "https://x/1"})
        != source_id({"site": "bing", "job_url": "https://x/1"})
    )
    odd = parse_row(
        {"id": "x", "title": "MA", "min_amount": "nan", "max_amount": "twenty", "is_remote": "nan"}
    )
    assert (odd["salary_min"], odd["salary_max"], odd["remote"]) == (None, None, False)


def test_markdown_to_text():
    md = (
        "## Duties\n\n* Take **vitals**\n* Draw blood \\*when trained\\*\n\n"
        "1\\. See [site](https://x.org), snake_case"
    )
    assert (
        markdown_to_text(md) == "Duties\n- Take vitals\n- Draw blood *when trained*\n1. See site, snake_case"
    )


def test_import_counts_bad_rows_and_records_a_run(db_path, rows):
    result = import_jobspy(EXPORT, db_path, now=TEST_NOW)
    assert (result.rows, result.bad, result.dropped, result.new) == (9, 3, 1, 5)
    assert result.status == "partial"
    (run,) = rows("select * from crawl_runs")
    assert run["sources_file"] == str(EXPORT) and run["status"] == "partial"
    assert (run["new"], run["failed"], run["dropped"], run["closed"]) == (5, 3, 1, 0)
    sites = {r["source_key"]: r for r in rows("select * from crawl_run_sources")}
    assert sites["jobspy:indeed"]["new"] == 2 and sites["jobspy:indeed"]["failed"] == 2
    assert sites["jobspy:zip_recruiter"]["dropped"] == 1
    stored = {r["id"]: r for r in rows("select * from postings")}
    assert set(stored) == {
        "jobspy:in-8c1f2a9d3e4b5c6d",
        "jobspy:li-4079918822",
        "jobspy:gd-1009533241337",
        "jobspy:url-393e993fb386f84d",
        "jobspy:in-0f0e0d0c0b0a",
    }
    assert stored["jobspy:gd-1009533241337"]["company"] == "Sonoran Skin & Laser, P.C."
    assert json.loads(stored["jobspy:li-4079918822"]["raw"])["job_level"] == "Entry level"
    fts = rows(
        "select p.id from postings_fts f join postings p on p.rowid = f.rowid where postings_fts match 'mohs'"
    )
    assert fts == [{"id": "jobspy:gd-1009533241337"}]

    # The same export again: nothing new, nothing closed (an export is not a whole listing).
    again = import_jobspy(EXPORT, db_path, now=TEST_NOW.replace(day=24))
    assert (again.new, again.unchanged) == (0, 5)
    assert rows("select count(*) n from postings where closed_at is not null")[0]["n"] == 0


def test_windows_1252_file(db_path, rows):
    result = import_jobspy(FIXTURES / "jobspy" / "excel-cp1252.csv", db_path, now=TEST_NOW)
    assert result.cp1252 == 1 and result.new == 5  # the one row with a byte past ASCII
    (row,) = rows("select company, title from postings where id = 'jobspy:gd-1009533241337'")
    assert row["company"] == "Señora Skin & Laser, P.C."
    assert row["title"] == "Certified Medical Assistant (CMA) – Dermatology"


def test_one_bad_byte_costs_its_own_row_only(tmp_path, db_path, rows):
    """A file of UTF-8 with one row in Windows-1252: that row is read as Windows-1252, the others
    stay UTF-8 (not all turned to mojibake), and the row is counted."""
    text = export_text(
        ma_row("in-1", company="Clínica Señora – Phoenix’s"),
        ma_row("in-2", company="Dr. Café Pediatrics"),
        ma_row("in-3", title="Medical Assistant – Pediatría"),
    )
    data = text.encode("utf-8").replace("Café".encode(), "Café".encode("cp1252"))
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    result = import_jobspy(path, db_path, now=TEST_NOW)
    stored = {r["id"]: r for r in rows("select id, title, company from postings")}
    assert stored["jobspy:in-1"]["company"] == "Clínica Señora – Phoenix’s"
    assert stored["jobspy:in-2"]["company"] == "Dr. Café Pediatrics"
    assert stored["jobspy:in-3"]["title"] == "Medical Assistant – Pediatría"
    assert (result.new, result.bad, result.cp1252) == (3, 0, 1)
    assert "1 rows read as Windows-1252" in result.summary()
    (site,) = rows("select other_counts from crawl_run_sources")
    assert json.loads(site["other_counts"]) == {"cp1252": 1}


def test_implausible_pay_and_dates_are_left_out(tmp_path, db_path, rows):
    """Pay outside the report's plausible yearly range for its unit, or no number at all, and
    dates before 2000 or after tomorrow: stored as null (the posting kept), counted."""
    path = tmp_path / "absurd.csv"
    hourly = {"interval": "hourly", "min_amount": 18.0, "max_amount": 22.0}
    path.write_text(
        export_text(
            ma_row("in-negative", **{**hourly, "min_amount": -5.0}),
            ma_row("in-zero", **{**hourly, "min_amount": 0.0, "max_amount": 0.0}),
            ma_row("in-huge", interval="yearly", min_amount=1e308, max_amount=1e308),
            ma_row("in-inf", interval="yearly", min_amount="inf", max_amount="-inf"),
            ma_row("in-nan", interval="yearly", min_amount="NaN", max_amount=45000.0),
            ma_row("in-reversed-absurdly", **{**hourly, "min_amount": 90000.0, "max_amount": 20.0}),
            ma_row("in-1900", date_posted="1900-01-01", **hourly),
            ma_row("in-2031", date_posted="2031-01-01"),
            ma_row("in-ok", date_posted="2026-11-24", **{**hourly, "min_amount": 22.0, "max_amount": 18.0}),
            # Yen are no implausible dollars: kept as given, and left out of the dollar pay views.
            ma_row("in-yen", interval="yearly", min_amount=3.5e6, max_amount=4e6, currency="JPY"),
            # "US$" is dollars, as the report reads it: judged against the dollar bounds.
            ma_row("in-us-dollars", interval="yearly", min_amount=4.5e6, max_amount=4.5e6, currency="US$"),
        ),
        encoding="utf-8",
    )
    result = import_jobspy(path, db_path, now=TEST_NOW)  # 2026-11-23: the 24th is tomorrow
    stored = {
        r["id"].removeprefix("jobspy:in-"): (
            r["salary_min"],
            r["salary_max"],
            r["salary_unit"],
            r["date_posted"],
        )
        for r in rows("select * from postings")
    }
    no_pay = (None, None, None)
    assert {k for k, v in stored.items() if v[:3] == no_pay} == {
        "negative", "zero", "huge", "inf", "reversed-absurdly", "us-dollars", "2031"  # (2031 has no pay)
    }  # fmt: skip
    assert stored["1900"] == (18.0, 22.0, "HOUR", None) and stored["2031"][3] is None
    assert stored["ok"] == (18.0, 22.0, "HOUR", "2026-11-24")  # a range merely reversed is kept
    assert stored["nan"] == (45000.0, 45000.0, "YEAR", None)  # NaN is pandas' empty cell: "up to"
    assert stored["yen"] == (3.5e6, 4e6, "YEAR", None)
    assert (result.new, result.pay_dropped, result.date_posted_dropped, result.status) == (11, 6, 2, "ok")
    summary = result.summary()
    assert "6 implausible pays left out" in summary and "2 impossible posting dates left out" in summary
    (site,) = rows("select other_counts from crawl_run_sources")
    assert json.loads(site["other_counts"]) == {"pay_dropped": 6, "date_posted_dropped": 2}
    # What Datasette's pay views show stays within the report's bounds.
    assert rows("select max(annual_max) m from posting_pay")[0]["m"] == 22.0 * 2080


def test_plausible_pay_is_the_reports():
    assert load_guide().rules.plausible_annual_pay == PLAUSIBLE_ANNUAL_PAY


@pytest.mark.parametrize("batch", [500, 2], ids=["same-batch", "a-later-batch"])
def test_an_id_twice_in_one_file(tmp_path, db_path, rows, monkeypatch, batch):
    """The last row with an id wins, as the last copy does in the store; the earlier one is
    counted as a repeat, not as a second posting, whether it was saved already or not."""
    monkeypatch.setattr("scraper.jobspy.BATCH", batch)
    path = tmp_path / "twice.csv"
    first, last = ma_row("in-1", company="Old Name Clinic"), ma_row("in-1", company="New Name Clinic")
    path.write_text(export_text(first, ma_row("in-2"), ma_row("in-3"), last), encoding="utf-8")
    result = import_jobspy(path, db_path, now=TEST_NOW)
    assert rows("select company from postings where id = 'jobspy:in-1'") == [{"company": "New Name Clinic"}]
    assert (result.rows, result.imported, result.new, result.repeated) == (4, 3, 3, 1)
    assert "1 repeated ids (the last row kept)" in result.summary()
    (run,) = rows("select new, updated, status from crawl_runs")
    assert (run["new"], run["updated"], run["status"]) == (3, 0, "ok")
    (site,) = rows("select other_counts from crawl_run_sources")
    assert json.loads(site["other_counts"]) == {"repeated_id": 1}


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda last: last.index("Saguaro") + 4, id="in-a-quoted-field"),
        pytest.param(lambda last: last.index('"Saguaro'), id="between-fields"),
        pytest.param(lambda last: last.index('"Saguaro') - 1, id="after-a-whole-field"),
    ],
)
def test_a_file_cut_mid_row(tmp_path, db_path, rows, cut):
    """A crawl killed while writing the CSV: the rows before the cut are imported; the cut one
    (a quote left open at the end, or fewer fields than the header) is a bad row, not a posting."""
    text = export_text(ma_row("in-1"), ma_row("in-2"), ma_row("in-3"))
    last = text.index('"in-3"')
    path = tmp_path / "cut.csv"
    path.write_text(text[: last + cut(text[last:])], encoding="utf-8")
    result = import_jobspy(path, db_path, now=TEST_NOW)
    assert [r["id"] for r in rows("select id from postings order by id")] == ["jobspy:in-1", "jobspy:in-2"]
    assert (result.rows, result.new, result.bad, result.cut_off, result.status) == (3, 2, 1, 1, "partial")
    assert "1 bad rows (1 cut off)" in result.summary()
    (site,) = rows("select failed, other_counts from crawl_run_sources")
    assert site["failed"] == 1 and json.loads(site["other_counts"]) == {"cut_off": 1}


@pytest.mark.parametrize("stop", ["sigterm", "ctrl-c"])
def test_an_import_stopped_midway(tmp_path, db_path, rows, stop):
    """`kill` or Ctrl-C mid-import (a real `majobs import-jobspy`): the run is recorded as
    interrupted at once (not left `running`), whole batches stay stored, exit 4 as `majobs run`;
    importing the file again stores the rest."""
    n = 10_000
    path = tmp_path / "big.csv"
    path.write_text(export_text(*(ma_row(f"in-{k}") for k in range(n))), encoding="utf-8")
    args = [sys.executable, "-c", "from matcher.cli import cli; cli()", "import-jobspy", str(path)]
    proc = subprocess.Popen([*args, "--db", str(db_path)], start_new_session=True, stdout=PIPE, stderr=PIPE)
    try:
        deadline = time.monotonic() + 60
        while _count(db_path) < BATCH:  # the first batch is in
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        if stop == "sigterm":
            os.kill(proc.pid, signal.SIGTERM)
        else:  # the terminal signals the foreground process group
            os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 4, err.decode()
    line = out.decode().strip()
    assert line.startswith("import run 1 interrupted: ") and line.endswith("dedup and tagging not run"), line
    stored = _count(db_path)
    assert stored % BATCH == 0 and BATCH <= stored < n  # whole batches, no half one
    _integrity(db_path)
    (run,) = rows("select status, error, new from crawl_runs")
    assert run["status"] == "interrupted" and run["new"] == stored and "stopped after" in run["error"]
    assert rows("select finish_reason from crawl_run_sources") == [{"finish_reason": "shutdown"}]
    again = import_jobspy(path, db_path)
    assert (again.new, again.unchanged, again.status) == (n - stored, stored, "ok")


def test_a_stop_right_after_a_batch_is_stored_still_counts_it(tmp_path, db_path, rows, monkeypatch):
    """SIGTERM in the instant between a batch's commit and its counting (the subprocess test above
    hit it now and then): the run row still counts every posting stored."""
    import scraper.jobspy as jobspy_module
    from scraper import runner

    n = BATCH * 2 + 7
    path = tmp_path / "big.csv"
    path.write_text(export_text(*(ma_row(f"in-{k}") for k in range(n))), encoding="utf-8")
    real_save = jobspy_module.save_postings

    def save_then_get_stopped(*args: object, **kwargs: object) -> object:
        saved = real_save(*args, **kwargs)
        if saved.new:  # the batch is committed; its counts are not taken yet
            os.kill(os.getpid(), signal.SIGTERM)
        return saved

    def not_handled(signum: int, frame: object) -> None:  # stands in for the default: kill pytest
        raise RuntimeError("SIGTERM reached the default handler")

    monkeypatch.setattr(jobspy_module, "save_postings", save_then_get_stopped)
    previous = signal.signal(signal.SIGTERM, not_handled)
    try:
        with runner.sigterm_as_interrupt():  # as `majobs import-jobspy` runs it
            result = import_jobspy(path, db_path)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert result.status == "interrupted"
    stored = _count(db_path)
    assert stored == BATCH  # the first batch, whole
    (run,) = rows("select status, new from crawl_runs")
    assert run == {"status": "interrupted", "new": stored} and result.new == stored


def test_held_signals_are_delivered_once_the_work_is_done():
    from scraper import runner

    done = []
    previous = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(KeyboardInterrupt), runner.sigterm_as_interrupt():
            with runner.interrupts_held():
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(0.05)
                done.append("all of it")  # not cut short
            time.sleep(1)  # the held SIGTERM arrives here
            done.append("after")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert done == ["all of it"]


def test_an_import_stopped_while_tagging(db_path, rows, monkeypatch):
    """SIGTERM after the rows are in, while the matcher tags: exit 4, the run interrupted, the
    postings kept (the next import or run tags them)."""

    def get_stopped(db: object, *, progress: bool = False) -> dict:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the import's SIGTERM handler ends this wait
        raise AssertionError("SIGTERM did not stop the import")

    def not_handled(signum: int, frame: object) -> None:  # stands in for the default: kill pytest
        raise RuntimeError("SIGTERM reached the default handler")

    monkeypatch.setattr("scraper.runner._tag_function", lambda: get_stopped)
    previous = signal.signal(signal.SIGTERM, not_handled)
    try:
        result = CliRunner().invoke(cli, ["import-jobspy", str(EXPORT), "--db", str(db_path)])
    finally:
        assert signal.signal(signal.SIGTERM, previous) is not_handled  # restored after the import
    assert result.exit_code == 4, result.output
    assert result.stdout.strip().endswith(
        "interrupted: 9 rows, 5 postings (5 new, 0 updated, 0 unchanged), "
        "1 dropped as not MA, 3 bad rows; stopped while deduplicating or tagging"
    )
    (run,) = rows("select status, error, new from crawl_runs")
    assert run["status"] == "interrupted" and run["new"] == 5
    assert "stopped while deduplicating or tagging" in run["error"]


def test_not_a_jobspy_file(tmp_path, db_path, rows):
    other = tmp_path / "other.csv"
    other.write_text("name,email\nAda,ada@example.org\n", encoding="utf-8")
    with pytest.raises(JobSpyFileError, match="not a JobSpy CSV"):
        import_jobspy(other, db_path, now=TEST_NOW)
    (run,) = rows("select status, error from crawl_runs")
    assert run["status"] == "failed" and "not a JobSpy CSV" in run["error"]
    assert run["error"].endswith("(found: name, email)")


def test_not_a_jobspy_file_names_its_first_line_briefly(tmp_path, db_path, rows):
    """A JSON-lines file given by mistake: its whole first line (a description of any length) was
    echoed as the 'columns found', making the one-line error as long as the posting."""
    other = tmp_path / "postings.jsonl"
    line = json.dumps({"id": "p1", "title": "Medical Assistant", "description": "Vitals, " * 5000})
    other.write_text(line + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import-jobspy", str(other), "--db", str(db_path)])
    assert result.exit_code == 1
    (message,) = result.output.splitlines()
    assert message.startswith(f"Error: {other} is not a JobSpy CSV: it needs the columns title")
    assert len(message) < 600 and message.endswith(" more))")
    (run,) = rows("select status, error from crawl_runs")
    assert run["status"] == "failed" and len(run["error"]) < 600


def test_cli_import_dedups_and_tags(db_path, rows):
    result = CliRunner().invoke(cli, ["import-jobspy", str(EXPORT), "--db", str(db_path)])
    assert result.exit_code == 0, result.output
    assert "5 postings (5 new" in result.output and "3 bad rows" in result.output
    # The same job on Indeed and LinkedIn (same employer, title, place and text): one group.
    groups = rows("select dedup_group, count(*) n from postings group by dedup_group having n > 1")
    assert groups == [{"dedup_group": "jobspy:in-8c1f2a9d3e4b5c6d", "n": 2}]
    # Every imported posting went through the matcher.
    untagged = rows("select count(*) n from postings where tag_model_version is null or is_ma_role is null")
    assert untagged[0]["n"] == 0
    (run,) = rows("select duplicates, tagged, status from crawl_runs")
    assert run["duplicates"] == 1 and run["tagged"] == 5
    missing = CliRunner().invoke(
        cli, ["import-jobspy", str(EXPORT.with_name("nope.csv")), "--db", str(db_path)]
    )
    assert missing.exit_code == 2 and "does not exist" in missing.output
    with RunLock(db_path):  # a scheduled run is writing: the import is for another time
        busy = CliRunner().invoke(cli, ["import-jobspy", str(EXPORT), "--db", str(db_path)])
    assert busy.exit_code == 75 and "not started" in busy.stderr
    assert len(rows("select id from crawl_runs")) == 1
