"""majobs run: crawl, dedup, tag under a lock; one summary line; an exit code per outcome; a
crawl_runs row for every run, the stages' results or failure on it."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from matcher.cli import cli
from scraper import runner
from scraper.localserver import Reply
from scraper.lock import RunLock, lock_path_for
from scraper.parsers import usajobs as usa
from scraper.sources import SourcesError, parse_sources
from scraper.store import open_db, start_run
from tests.conftest import FAST_SETTINGS, TEST_NOW
from tests.greenhouse_world import Board, gh_job

WD = "https://acme.wd1.myworkdayjobs.com/wday/cxs/acme/External"
SITEMAP = "https://careers.acme.example/sitemap.xml"


class FakeTagger:
    """Stands in for matcher.tag.tag_database (its contract: db, progress=... -> a summary dict)."""

    def __init__(self, error: Exception | None = None):
        self.calls: list[dict[str, Any]] = []
        self.error = error

    def __call__(self, db: Any, *, progress: bool = False) -> dict[str, Any]:
        self.calls.append({"progress": progress})
        if self.error:
            raise self.error
        ids = [r[0] for r in db.execute("select id from postings where tag_model_version is null")]
        db.execute("update postings set tag_model_version = 'fake', is_ma_role = 1")
        db.conn.commit()
        return {"model_version": "fake", "tagged": len(ids)}


@pytest.fixture
def tagger(monkeypatch) -> FakeTagger:
    fake = FakeTagger()
    monkeypatch.setattr(runner, "_tag_function", lambda: fake)
    return fake


def sources_file(tmp_path: Path, *boards: Board) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": [b.entry() for b in boards]}), encoding="utf-8")
    return path


def majobs_run(sources: Path, db_path: Path, now=TEST_NOW) -> Any:
    settings = [arg for name, value in FAST_SETTINGS.items() for arg in ("-s", f"{name}={value}")]
    args = [
        "run",
        "--sources",
        str(sources),
        "--db",
        str(db_path),
        "--now",
        now.strftime("%Y-%m-%dT%H:%M:%S"),
        *settings,
    ]
    return CliRunner().invoke(cli, args)


def test_run_crawls_dedups_tags_and_says_so_in_one_line(server, tmp_path, db_path, rows, tagger):
    text = "<p>Room patients, take vitals, draw blood and give injections. CMA required. Epic.</p>"
    acme = Board(server, "acme", [gh_job(1, text=text), gh_job(2, title="Registered Nurse")])
    # The same job on a second board of the same employer (a career site mirror, say).
    mirror = Board(server, "acmecareers", [gh_job(9, text=text)], company="Acme")
    result = majobs_run(sources_file(tmp_path, acme, mirror), db_path)
    assert result.exit_code == 0, result.output
    (line,) = result.stdout.splitlines()
    assert line.startswith("run 1 ok: 2 sources") and line.endswith("[exit 0]")
    assert (
        "2 new" in line
        and "dedup: 1 duplicate postings in 1 groups" in line
        and "tag: 2 postings tagged" in line
    )
    (run,) = rows("select * from crawl_runs")
    assert (run["status"], run["new"], run["duplicates"], run["tagged"]) == ("ok", 2, 1, 2)
    assert run["sources_file"].endswith("sources.yaml") and run["finished_at"]
    assert rows("select count(distinct dedup_group) n from postings")[0]["n"] == 1
    assert tagger.calls == [{"progress": False}]
    assert not lock_path_for(db_path).read_text().strip()  # released (and the pid cleared)


def test_second_run_while_one_is_going_exits_at_once(server, tmp_path, db_path, rows, tagger):
    board = Board(server, "acme", [gh_job(1)])
    sources = sources_file(tmp_path, board)
    with RunLock(db_path):
        result = majobs_run(sources, db_path)
    assert result.exit_code == runner.EXIT_LOCKED == 75
    assert f"another majobs run is using this database (pid {os.getpid()})" in result.stderr
    assert str(lock_path_for(db_path)) in result.stderr
    assert result.stdout == ""
    assert board.served == {} and tagger.calls == []
    assert not db_path.exists() or rows("select count(*) n from crawl_runs")[0]["n"] == 0
    # Once the lock is free, the next run goes ahead.
    assert majobs_run(sources, db_path).exit_code == 0


def test_a_source_failing_outright_is_exit_3_the_rest_is_stored(server, tmp_path, db_path, rows, tagger):
    good = Board(server, "acme", [gh_job(1)])
    dead = Board(server, "gone", [gh_job(5)])
    dead.always["board"] = dead.always["list"] = Reply(b"gone", status=404, content_type="text/plain")
    result = majobs_run(sources_file(tmp_path, good, dead), db_path)
    assert result.exit_code == runner.EXIT_SOURCE_FAILED == 3, result.output
    assert "1 sources failed outright (greenhouse:gone)" in result.stdout
    assert "greenhouse:gone: 0 pages" in result.stderr
    (run,) = rows("select status, new from crawl_runs")
    assert run == {"status": "partial", "new": 1}


def test_crawl_failing_as_a_whole_is_exit_4(server, tmp_path, db_path, rows, tagger):
    dead = Board(server, "gone", [gh_job(5)])
    dead.always["board"] = dead.always["list"] = Reply(reset=True)
    result = majobs_run(sources_file(tmp_path, dead), db_path)
    assert result.exit_code == runner.EXIT_CRAWL_FAILED == 4, result.output
    (run,) = rows("select status from crawl_runs")
    assert run["status"] == "failed"


def test_tag_stage_failing_leaves_a_trace_and_exit_5(server, tmp_path, db_path, rows, tagger):
    tagger.error = RuntimeError("model file unreadable")
    board = Board(server, "acme", [gh_job(1)])
    result = majobs_run(sources_file(tmp_path, board), db_path)
    assert result.exit_code == runner.EXIT_STAGE_FAILED == 5, result.output
    assert "FAILED tag: RuntimeError: model file unreadable" in result.stdout
    (run,) = rows("select status, error, duplicates, tagged, new from crawl_runs")
    assert run["status"] == "partial" and run["error"] == "tag: RuntimeError: model file unreadable"
    assert run["duplicates"] == 0 and run["tagged"] is None and run["new"] == 1  # dedup ran; postings kept


def test_once_stopped_a_later_sigterm_changes_nothing() -> None:
    """The first SIGTERM stops the work; later ones (systemd signals every process of the service)
    are ignored until the CLI exits, rather than killing the process while it records the run."""

    def not_handled(signum: int, frame: Any) -> None:  # stands in for the default: kill pytest
        raise RuntimeError("SIGTERM reached the default handler")

    previous = signal.signal(signal.SIGTERM, not_handled)
    try:
        with pytest.raises(KeyboardInterrupt), runner.sigterm_as_interrupt():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(10)  # the handler ends this wait
        os.kill(os.getpid(), signal.SIGTERM)  # a late one, while the run is being recorded
        time.sleep(0.05)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_sigterm_while_tagging_ends_the_run_as_interrupted(server, tmp_path, db_path, rows, monkeypatch):
    """systemd stopping the job (SIGTERM) after the crawl: the run stops as with Ctrl-C — exit 4,
    "interrupted" — and what was tagged before stays tagged."""

    def tag_one_then_get_stopped(db: Any, *, progress: bool = False) -> dict[str, Any]:
        with db.conn:
            db.execute("update postings set tag_model_version = 'fake' where source_id = '1'")
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)  # the run's SIGTERM handler ends this wait
        raise AssertionError("SIGTERM did not interrupt the run")

    def not_handled(signum: int, frame: Any) -> None:  # stands in for the default: kill pytest
        raise RuntimeError("SIGTERM reached the default handler")

    monkeypatch.setattr(runner, "_tag_function", lambda: tag_one_then_get_stopped)
    previous = signal.signal(signal.SIGTERM, not_handled)
    try:
        result = majobs_run(sources_file(tmp_path, Board(server, "acme", [gh_job(1), gh_job(2)])), db_path)
    finally:
        assert signal.signal(signal.SIGTERM, previous) is not_handled  # restored after the run
    assert result.exit_code == runner.EXIT_CRAWL_FAILED == 4, result.output
    assert " interrupted: " in result.stdout and result.stdout.strip().endswith("[exit 4]")
    (run,) = rows("select status, error from crawl_runs")
    assert run["status"] == "interrupted" and "stopped while deduplicating or tagging" in run["error"]
    tagged = rows("select source_id from postings where tag_model_version = 'fake'")
    assert tagged == [{"source_id": "1"}]


def test_bad_sources_file_is_exit_1_with_a_failed_run_row(tmp_path, db_path, rows, tagger):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - kind: monster\n", encoding="utf-8")
    result = majobs_run(bad, db_path)
    assert result.exit_code == 1
    assert "kind must be one of" in result.stdout
    (run,) = rows("select status, error, sources_file from crawl_runs")
    assert run["status"] == "failed" and "kind must be one of" in run["error"]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"kind": "greenhouse", "board": "a", "title_filter": "false"},
            "'title_filter' must be true or false",
        ),
        ({"kind": "greenhouse", "board": {"token": "a"}}, "'board' must be text (got a mapping)"),
        ({"kind": "greenhouse", "board": "a", "company": ["A", "B"]}, "'company' must be text (got a list)"),
        ({"kind": "greenhouse", "board": "a", "name": 7}, "'name' must be text (got 7)"),
        ({"kind": "lever", "site": "a", "region": "EU"}, "'region' must be us or eu (got 'EU')"),
        ({"kind": "jsonld", "sitemap": SITEMAP, "follow": "("}, "'follow' must be a regular expression"),
        (
            {"kind": "jsonld", "sitemap": SITEMAP, "lastmod_since": "last week"},
            "'lastmod_since' must be a date",
        ),
        ({"kind": "workday", "url": WD, "max_postings": "many"}, "'max_postings' must be a whole number"),
        ({"kind": "workday", "url": WD, "applied_facets": ["x"]}, "'applied_facets' must be a mapping"),
        (
            {"kind": "workday", "url": WD, "title_filter": None},
            "'title_filter' must be true or false (got None)",
        ),
        ({"kind": "usajobs", "job_category_codes": [416]}, "'job_category_codes' must be text or a list"),
        ({"kind": "usajobs", "results_per_page": "250"}, "results_per_page must be an integer from 1 to 500"),
    ],
)
def test_a_value_of_the_wrong_type_in_the_sources_file_is_refused(entry: dict, message: str) -> None:
    """Each key's value is checked when the file is read, the entry and key named; before, a
    `title_filter: "false"` (text, so true) kept only MA titles and a mapping became a board."""
    with pytest.raises(SourcesError) as refused:
        parse_sources({"sources": [{"kind": "greenhouse", "board": "ok"}, entry]}, origin="s.yaml")
    assert str(refused.value).startswith(f"s.yaml: entry 2 ({entry['kind']}): ")
    assert message in str(refused.value)


def test_a_key_left_empty_is_as_if_not_given() -> None:
    """`limit:` or `company:` with nothing after it (YAML null) is not given, as before the type
    checks came; they refused it and so stopped the run."""
    entries = [
        {"kind": "greenhouse", "board": "ok", "company": None, "limit": None, "name": None},
        {"kind": "workday", "url": WD, "search": None, "max_postings": None},
        {"kind": "lever", "site": "x", "region": None},
    ]
    greenhouse, workday, lever = parse_sources({"sources": entries}, origin="s.yaml")
    assert (
        greenhouse.key == "greenhouse:ok"
        and greenhouse.company is None
        and greenhouse.params == {"board": "ok"}
    )
    assert workday.params == {"url": WD} and lever.params == {"site": "x"}
    assert greenhouse.title_filter is True


@pytest.mark.parametrize("codes", [None, []])
def test_usajobs_without_a_category_filter(codes: Any) -> None:
    """null or [] is the way to search every job category (the default searches two)."""
    entries = [{"kind": "greenhouse", "board": "ok"}, {"kind": "usajobs", "job_category_codes": codes}]
    (_, source) = parse_sources({"sources": entries}, origin="s.yaml")
    # As the spider reads it: the default only when the key is absent.
    codes = source.get("job_category_codes", usa.DEFAULT_JOB_CATEGORY_CODES)
    params = usa.SearchParams(job_category_codes=codes)
    url = params.url("https://data.usajobs.gov", 1)
    assert "JobCategoryCode" not in url and "ResultsPerPage=" in url


def test_a_sources_file_with_a_bad_value_stops_the_run_before_any_crawl(tmp_path, db_path, rows, tagger):
    bad = tmp_path / "sources.yaml"
    bad.write_text('sources:\n  - kind: greenhouse\n    board: acme\n    title_filter: "false"\n')
    result = majobs_run(bad, db_path)
    assert result.exit_code == 1
    assert "entry 1 (greenhouse): 'title_filter' must be true or false (got 'false')" in result.stdout
    (run,) = rows("select status, error from crawl_runs")
    assert run["status"] == "failed" and "'title_filter' must be true or false" in run["error"]
    assert rows("select count(*) n from crawl_run_sources")[0]["n"] == 0 and not tagger.calls


def test_a_run_killed_earlier_is_marked_interrupted_by_the_next(server, tmp_path, db_path, rows, tagger):
    db = open_db(db_path)
    killed = start_run(db, started_at=TEST_NOW.isoformat(), sources_file="s.yaml", pid=2**22 + 4321)
    db.close()
    result = majobs_run(sources_file(tmp_path, Board(server, "acme", [gh_job(1)])), db_path)
    assert result.exit_code == 0, result.output
    runs = {r["id"]: r for r in rows("select id, status, error from crawl_runs")}
    assert runs[killed]["status"] == "interrupted" and "killed" in runs[killed]["error"]
    assert runs[killed + 1]["status"] == "ok"


def test_the_crawl_process_keeps_the_lock_when_its_parent_is_killed(server, tmp_path, db_path):
    """`majobs run` killed alone (not its process group): its crawl still writes, so the lock
    must stay taken until that crawl ends — a second run must not start beside it."""
    import json
    import signal
    import subprocess
    import sys
    import time

    from scraper.localserver import Reply
    from scraper.lock import AlreadyRunning

    n = 40
    board = Board(server, "slow", [gh_job(6000 + k) for k in range(n)])
    for k in range(n):  # slow details: the crawl takes a few seconds
        board.always[str(6000 + k)] = Reply(json.dumps({"id": 6000 + k}).encode(), delay=0.1)
    sources = sources_file(tmp_path, board)
    settings = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=ERROR"]
    args = [sys.executable, "-c", "from matcher.cli import cli; cli()", "run"]
    args += ["--sources", str(sources), "--db", str(db_path), *settings]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(r.path.endswith(f"/jobs/{6000 + k}") for r in list(server.requests) for k in range(n)):
        assert proc.poll() is None and time.monotonic() < deadline, "the crawl never started"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # the parent only: its crawl process goes on
    proc.wait(timeout=10)
    with pytest.raises(AlreadyRunning):
        RunLock(db_path).acquire()
    while True:  # the orphaned crawl finishes, and the lock is free again
        try:
            RunLock(db_path).acquire().release()
            break
        except AlreadyRunning:
            assert time.monotonic() < deadline + 60, "the lock was never released"
            time.sleep(0.2)


BAD_SETTINGS = ["DOWNLOAD_TIMEOUT=abc", "ROBOTSTXT_OBEY=maybe", "LOG_LEVEL=BOGUS", "NO_EQUALS", "=1"]


@pytest.mark.parametrize("setting", BAD_SETTINGS)
def test_a_bad_setting_is_refused_before_anything_runs(tmp_path, db_path, tagger, setting):
    board_file = tmp_path / "sources.yaml"
    entry = {"kind": "greenhouse", "board": "acme", "base_url": "http://127.0.0.1:9/gh"}
    board_file.write_text(yaml.safe_dump({"sources": [entry]}), encoding="utf-8")
    args = ["run", "--sources", str(board_file), "--db", str(db_path), "-s", setting]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert "setting" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert tagger.calls == []


def test_crawl_takes_the_run_lock_too(server, tmp_path, db_path):
    board = Board(server, "acme", [gh_job(1)])
    settings = [arg for name, value in FAST_SETTINGS.items() for arg in ("-s", f"{name}={value}")]
    args = ["crawl", "--sources", str(sources_file(tmp_path, board)), "--db", str(db_path), *settings]
    with RunLock(db_path):
        result = CliRunner().invoke(cli, args)
    assert result.exit_code == 75, result.output
    assert "another majobs run is using this database" in result.stderr
    assert board.served == {}
    assert CliRunner().invoke(cli, args).exit_code == 0  # once the lock is free
