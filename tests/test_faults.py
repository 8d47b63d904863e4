"""Faults: each one a test; the database stays whole and nothing is lost.

"Lost" is measured per fault as the postings that should be in the store and are not:
  - stored before (a fault-free crawl) but gone, or closed though still listed;
  - served by a fault-free list page during the faulty crawl but not stored (or not marked seen);
and, after a last fault-free crawl, any listed posting missing. Goal: 0 for every fault.

Most faults share one world, crawled three times (fault-free, faulty, fault-free again): each
fault has its own Greenhouse board of four MA jobs; between the first and second crawl every
board drops job 3 and adds job 4, so a board the faulty crawl read completely must close job 3
and store job 4, and a board it could not read must close nothing. Then a crawl is killed
with SIGKILL mid-write (a real `majobs crawl` subprocess), and a query runs while a crawl writes.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from scraper.crawl import CrawlResult, run_crawl
from scraper.localserver import LocalServer, Reply
from scraper.query import run_query
from scraper.sources import parse_sources
from tests.conftest import FAST_SETTINGS, TEST_NOW
from tests.greenhouse_world import Board, gh_job

DAY = timedelta(days=1)
FAULT_SETTINGS = {**FAST_SETTINGS, "DOWNLOAD_TIMEOUT": 3, "RETRY_TIMES": 2, "MAJOBS_RETRY_AFTER_MAX": 5}
BIG = 20 * 1024 * 1024  # settings refuse more than 10 MiB


def big_json(jobs: list[dict[str, Any]]) -> bytes:
    return json.dumps({"jobs": jobs, "padding": "x" * BIG}).encode("utf-8")


@dataclass
class Fault:
    name: str
    where: str  # "list" (the board's listing: a failure makes it incomplete) or "detail" (pay only)
    recovers: bool  # the retries get through in the end
    apply: Any  # (board, server) -> None, sets the fault replies up


def _list_fault(*replies: Reply, always: Reply | None = None):
    def apply(board: Board, server: LocalServer) -> None:
        board.fault("list", *replies)
        if always is not None:
            board.always["list"] = always

    return apply


def _detail_fault(reply: Reply):
    def apply(board: Board, server: LocalServer) -> None:
        board.always[str(board.jobs[0]["id"])] = reply

    return apply


def _offsite_list(board: Board, server: LocalServer) -> None:
    port = server.url.rsplit(":", 1)[1]
    # The same server under another name: reachable, so only the middleware can stop it.
    board.always["list"] = Reply(status=302, headers={"Location": f"http://localhost:{port}/elsewhere/jobs"})


def _wrong_charset_list(board: Board, server: LocalServer) -> None:
    jobs = [dict(job, title=job["title"] + " – Clínica Señora") for job in board.jobs]
    body = json.dumps({"jobs": jobs}, ensure_ascii=False).encode("cp1252")
    board.always["list"] = Reply(body, content_type="application/json; charset=utf-8")


def _robots(board: Board, server: LocalServer) -> None:
    server.robots_disallow.append(f"{board.prefix}/v1/boards/{board.name}/jobs")


TOO_MANY = Reply(b"slow down", status=429, headers={"Retry-After": "1"})
TOMORROW = Reply(b"come back tomorrow", status=429, headers={"Retry-After": "3600"})
ERROR_PAGE = Reply(b"<html><body>Service Unavailable</body></html>", content_type="text/html")
CUT_JSON = Reply(b'{"jobs": [{"id": 1, "title": "Medical Ass')
CUT_TRANSFER = Reply(json.dumps({"jobs": [gh_job(1)] * 3}).encode(), truncate=True)

FAULTS = [
    Fault("429-retry-after", "list", True, _list_fault(TOO_MANY)),
    Fault("429-retry-after-too-long", "list", False, _list_fault(always=TOMORROW)),
    Fault("500-then-ok", "list", True, _list_fault(Reply(b"oops", status=500), Reply(b"oops", status=502))),
    Fault("500-always", "list", False, _list_fault(always=Reply(b"oops", status=500))),
    Fault("timeout-once", "list", True, _list_fault(Reply(b"{}", delay=6))),
    Fault("connection-reset-once", "list", True, _list_fault(Reply(reset=True))),
    Fault("connection-reset-always", "list", False, _list_fault(always=Reply(reset=True))),
    Fault("truncated-transfer-once", "list", True, _list_fault(CUT_TRANSFER)),
    Fault("truncated-json", "list", False, _list_fault(always=CUT_JSON)),
    Fault("malformed-json", "list", False, _list_fault(always=ERROR_PAGE)),
    Fault("20mb-list", "list", False, None),  # set up in the fixture (needs the jobs)
    Fault("wrong-charset", "list", True, _wrong_charset_list),
    Fault("offsite-redirect", "list", False, _offsite_list),
    Fault("robots-disallow", "list", False, _robots),
    Fault("detail-500", "detail", True, _detail_fault(Reply(b"oops", status=500))),
    Fault("detail-timeout", "detail", True, _detail_fault(Reply(b"{}", delay=6))),
    Fault("detail-reset", "detail", True, _detail_fault(Reply(reset=True))),
    Fault("detail-malformed-json", "detail", True, _detail_fault(Reply(b"{'id': 1,}"))),
    Fault("detail-20mb", "detail", True, _detail_fault(Reply(big_json([])))),
]

# fault name -> {"lost": n, "detail": "..."}; the last test reads it.
LEDGER: dict[str, dict[str, Any]] = {}


@dataclass
class World:
    server: LocalServer
    db: Path
    boards: dict[str, Board]
    runs: list[CrawlResult] = field(default_factory=list)
    after_fault: Path = Path()

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def postings(self, board: Board) -> dict[str, dict[str, Any]]:
        return {r["id"]: r for r in self.rows("select * from postings where source_key = ?", [board.key])}

    def snapshot(self) -> None:
        """Keep a copy of the store as it is now (after the faulty crawl)."""
        self.after_fault = self.db.with_name("after-fault.db")
        src, dst = sqlite3.connect(self.db), sqlite3.connect(self.after_fault)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()

    def rows_at_fault(self, board: Board) -> list[dict[str, Any]]:
        conn = sqlite3.connect(self.after_fault)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute("select * from postings where source_key = ?", [board.key])]
        finally:
            conn.close()

    def source_row(self, run: CrawlResult, board: Board) -> dict[str, Any]:
        return next(s for s in run.sources if s["source_key"] == board.key)


def crawl(world: World, boards: list[Board], now) -> CrawlResult:
    sources = parse_sources({"sources": [b.entry() for b in boards]})
    result = run_crawl(sources, world.db, settings=FAULT_SETTINGS, now=now)
    world.runs.append(result)
    return result


class RobotsServer(LocalServer):
    """A LocalServer whose robots.txt can disallow paths from one crawl to the next."""

    def __init__(self) -> None:
        super().__init__(robots_txt=None)
        self.robots_disallow: list[str] = []
        self.add("/robots.txt", handler=self._robots)

    def _robots(self, _: Any) -> Reply:
        lines = ["User-agent: *", *(f"Disallow: {p}" for p in self.robots_disallow), "Allow: /"]
        return Reply("\n".join(lines) + "\n", content_type="text/plain")


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    server = RobotsServer().start()
    db = tmp_path_factory.mktemp("faults") / "jobs.db"
    boards = {}
    for i, fault in enumerate(FAULTS):
        base = 1000 * (i + 1)
        jobs = [gh_job(base + k, location="Erie, PA") for k in (1, 2, 3)]
        boards[fault.name] = Board(server, f"f{i}-{fault.name}", jobs)
    w = World(server, db, boards)
    everything = list(boards.values())
    first = crawl(w, everything, TEST_NOW)
    assert first.status == "ok", first.sources
    # Between the crawls every board drops job 3 and adds job 4; then the faults.
    for fault, board in zip(FAULTS, everything, strict=True):
        base = int(board.jobs[0]["id"]) - 1
        board.jobs = [gh_job(base + k, location="Erie, PA") for k in (1, 2, 4)]
        if fault.name == "20mb-list":
            board.always["list"] = Reply(big_json(board.jobs))
        else:
            fault.apply(board, server)
    crawl(w, everything, TEST_NOW + DAY)
    w.snapshot()
    for board in everything:  # faults off
        board.queued.clear()
        board.always.clear()
    server.robots_disallow.clear()
    last = crawl(w, everything, TEST_NOW + 2 * DAY)
    assert last.status == "ok", last.sources
    yield w
    server.stop()


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_fault(world, fault):
    board = world.boards[fault.name]
    _, faulty, last = world.runs
    base = int(board.jobs[0]["id"]) - 1
    job = {k: f"greenhouse:{base + k}" for k in (1, 2, 3, 4)}
    t0, t1, t2 = (TEST_NOW + n * DAY for n in range(3))
    complete = fault.where == "detail" or fault.recovers
    during = {r["id"]: r for r in world.rows_at_fault(board)}  # the store right after the faulty crawl
    after = world.postings(board)  # after the last, fault-free crawl

    # Lost: stored before and gone (or closed though still listed); served by a fault-free list
    # page and not stored as seen; or, once the faults are gone, listed and not stored.
    lost = [j for j in (job[1], job[2]) if j not in during or during[j]["closed_at"] is not None]
    if complete:
        lost += [
            j for j in (job[1], job[2], job[4]) if j not in during or during[j]["last_seen"] != t1.isoformat()
        ]
    lost += [j for j in (job[1], job[2], job[4]) if j not in after or after[j]["closed_at"] is not None]
    LEDGER[fault.name] = {"lost": len(lost), "detail": ", ".join(lost) or ("read" if complete else "kept")}
    assert not lost

    source = world.source_row(faulty, board)
    assert source["complete"] == int(complete), source
    if complete:
        # The listing got through: job 4 stored, job 3 closed by that very run.
        assert (source["new"], source["closed"]) == (1, 1)
        assert during[job[3]]["closed_at"] == t1.isoformat()
    else:
        # Not read completely: counted as a failure; nothing closed, nothing invented.
        assert source["failed"] >= 1 and (source["new"], source["closed"]) == (0, 0)
        assert during[job[3]]["closed_at"] is None and job[4] not in during
        assert {during[j]["last_seen"] for j in (job[1], job[2])} == {t0.isoformat()}
        assert after[job[3]]["closed_at"] == t2.isoformat()  # closed once a crawl could tell
    assert world.source_row(last, board)["complete"] == 1  # whole again without the fault

    times = board.times.get("list", [])
    if fault.name == "429-retry-after":
        assert len(times) == 4  # first crawl; the 429 and its retry; last crawl
        assert 1.0 <= times[2] - times[1] < 5  # waited as Retry-After asked
    if fault.name == "429-retry-after-too-long":
        assert len(times) == 3  # one try in the faulty crawl: no hour-long wait, no retry
    if fault.name == "500-then-ok":
        assert len(times) == 5  # 500, 502, then the answer
    if fault.name == "offsite-redirect":
        assert not [r for r in world.server.requests if r.path.startswith("/elsewhere")]
    if fault.name == "robots-disallow":
        assert len(times) == 2  # the first and the last crawl only: never asked while disallowed
    if fault.name == "wrong-charset":
        # Mis-declared bytes decode with replacement characters; the posting is kept.
        assert during[job[4]]["title"].startswith("Medical Assistant") and "\ufffd" in during[job[4]]["title"]
    if fault.where == "detail":
        assert source["failed"] >= 1  # the detail failure is counted; the posting kept without pay


def test_database_whole_after_all_faults(world):
    conn = sqlite3.connect(world.db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        conn.execute("insert into postings_fts(postings_fts, rank) values ('integrity-check', 1)")
        (n,) = conn.execute("select count(*) from postings").fetchone()
        assert n == 4 * len(FAULTS)
    finally:
        conn.close()


def _integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        # The full-text index agrees with the table (FTS5's own check, against the content).
        conn.execute("insert into postings_fts(postings_fts, rank) values ('integrity-check', 1)")
    finally:
        conn.close()


def _count(db: Path) -> int:
    try:
        return run_query(db, "select count(*) from postings").rows[0][0]
    except Exception:
        return 0


@dataclass
class SlowCrawl:
    """A `majobs crawl` or `majobs run` subprocess (its own process group) over a board whose
    detail pages answer slowly, caught while it writes."""

    board: Board
    first_id: int
    n: int
    sources: Path
    db: Path
    log: Path
    proc: subprocess.Popen

    def next_run_completes(self, monkeypatch) -> Any:
        """The slow pages healed, a `run_job` in this process completes the board (no crawl left
        holding the lock) and leaves the database whole."""
        from scraper import runner

        for k in range(self.n):
            self.board.always.pop(str(self.first_id + k))
        monkeypatch.setattr(runner, "_tag_function", lambda: None)
        outcome = runner.run_job(self.sources, self.db, settings=FAST_SETTINGS)  # the wall clock
        assert outcome.exit_code == 0 and outcome.status == "ok", outcome.summary()
        _integrity(self.db)
        assert _count(self.db) == self.n
        return outcome


def _slow_crawl(server: LocalServer, tmp_path: Path, command: str, first_id: int, n: int = 120) -> SlowCrawl:
    board = Board(server, f"slow{first_id}", [gh_job(first_id + k) for k in range(n)])
    for k in range(n):  # slow details: the crawl writes for a while
        board.always[str(first_id + k)] = Reply(json.dumps({"id": first_id + k}).encode(), delay=0.05)
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": [board.entry()]}), encoding="utf-8")
    db = tmp_path / "jobs.db"
    settings = {**FAST_SETTINGS, "MAJOBS_STORE_BATCH": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 4}
    args = [sys.executable, "-c", "from matcher.cli import cli; cli()", command]
    args += ["--sources", str(sources), "--db", str(db)]
    args += [a for k, v in settings.items() for a in ("-s", f"{k}={v}")]
    log = tmp_path / f"{command}.log"
    tmp = tmp_path / "tmp"  # the run's own temporary directory: what it leaves there is its own
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    with log.open("wb") as err:
        proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE, stderr=err, env=env)
    crawl = SlowCrawl(board, first_id, n, sources, db, log, proc)
    deadline = time.monotonic() + 90
    while _count(db) < 10:
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            raise AssertionError(f"the crawl never started writing: {log.read_text(errors='replace')}")
        time.sleep(0.05)
    return crawl


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:  # already gone
        return []


def _stop(proc: subprocess.Popen) -> None:
    """SIGKILL to the CLI and its crawl process (in a session of its own), as systemd's last resort
    or a power cut would end them; then wait for both."""
    if proc.poll() is None:
        crawls = _children(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in crawls:
            os.killpg(pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def test_sigkill_mid_write_then_next_run_completes(tmp_path, monkeypatch):
    with LocalServer() as server:
        crawl = _slow_crawl(server, tmp_path, "crawl", 5000)
        _stop(crawl.proc)  # mid-write
        stored = _count(crawl.db)
        assert 10 <= stored < crawl.n  # killed part-way
        _integrity(crawl.db)
        (run,) = run_query(crawl.db, "select id, status from crawl_runs").rows
        assert run[1] == "running"  # nobody left to close it
        outcome = crawl.next_run_completes(monkeypatch)
    statuses = dict(run_query(crawl.db, "select id, status from crawl_runs").rows)
    assert statuses == {run[0]: "interrupted", outcome.run_id: "ok"}
    lost = crawl.n - _count(crawl.db)
    LEDGER["sigkill-mid-write"] = {"lost": lost, "detail": f"{stored} stored when killed"}


STOPS = {
    "sigterm-to-run": (signal.SIGTERM, "run"),  # kill PID
    "sigterm-to-group": (signal.SIGTERM, "group"),  # kill -TERM -PGID
    "sigterm-to-all": (signal.SIGTERM, "all"),  # systemd's default: every process of the service
    "ctrl-c": (signal.SIGINT, "group"),  # the terminal signals the foreground process group
    # The crawl stops and is gone before the run's own SIGTERM comes: the run is stopping already
    # and must still record it and exit 4, not die of the late signal.
    "sigterm-after-crawl-ended": (signal.SIGTERM, "late"),
}


@pytest.mark.parametrize("name", list(STOPS))
def test_a_run_stopped_mid_crawl_stops_cleanly(tmp_path, monkeypatch, name):
    """`kill`, `kill -TERM -pgid` or Ctrl-C mid-crawl: the crawl shuts down gracefully, the run is
    recorded as interrupted with exit 4, no crawl process is left holding the lock, and the next
    run completes."""
    signum, target = STOPS[name]
    with LocalServer() as server:
        crawl = _slow_crawl(server, tmp_path, "run", 6000)
        proc = crawl.proc
        try:
            if target == "run":
                os.kill(proc.pid, signum)
            else:
                if target == "all":  # the crawl first, then the run, which passes its own on
                    for pid in _children(proc.pid):
                        os.kill(pid, signum)
                    time.sleep(0.5)
                elif target == "late":
                    crawls = _children(proc.pid)
                    for pid in crawls:
                        os.kill(pid, signum)
                    deadline = time.monotonic() + 30
                    while (
                        any(Path(f"/proc/{pid}").exists() for pid in crawls) and time.monotonic() < deadline
                    ):
                        time.sleep(0.005)
                os.killpg(proc.pid, signum)
            out, _ = proc.communicate(timeout=60)
        finally:
            _stop(proc)
        line = out.decode().strip()
        assert proc.returncode == 4, (line, crawl.log.read_text(errors="replace")[-2000:])
        assert " interrupted: " in line and line.endswith("[exit 4]"), line
        stored = _count(crawl.db)
        assert 10 <= stored < crawl.n
        _integrity(crawl.db)
        (run,) = run_query(crawl.db, "select id, status from crawl_runs").rows
        assert run[1] == "interrupted"
        assert list((tmp_path / "tmp").iterdir()) == []  # the crawl's job file is gone
        crawl.next_run_completes(monkeypatch)
    lost = crawl.n - _count(crawl.db)
    LEDGER[name] = {"lost": lost, "detail": f"{stored} stored when stopped; run interrupted, exit 4"}


def test_query_while_a_crawl_writes(server, db_path):
    n = 120
    board = Board(server, "busy", [gh_job(7000 + k) for k in range(n)])
    for k in range(n):
        board.always[str(7000 + k)] = Reply(json.dumps({"id": 7000 + k}).encode(), delay=0.03)
    counts: list[int] = []
    errors: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            if db_path.exists():
                try:
                    counts.append(
                        run_query(db_path, "select count(*) from active_postings", timeout=5).rows[0][0]
                    )
                except Exception as exc:  # any error while the crawl writes is a failure
                    if "no such table" not in str(exc):  # the store is being created
                        errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        settings = {**FAST_SETTINGS, "MAJOBS_STORE_BATCH": 5, "CONCURRENT_REQUESTS_PER_DOMAIN": 4}
        result = run_crawl(
            parse_sources({"sources": [board.entry()]}), db_path, settings=settings, now=TEST_NOW
        )
    finally:
        done.set()
        thread.join()
    assert result.status == "ok"
    assert errors == []
    assert counts == sorted(counts)  # each read saw a consistent, growing store
    assert any(0 < c < n for c in counts), counts  # some reads really ran during the writes
    assert run_query(db_path, "select count(*) from postings").rows[0][0] == n
    LEDGER["query-during-crawl"] = {"lost": 0, "detail": f"{len(counts)} reads, none failed"}


def test_fault_ledger():
    """Faults tried and postings lost, in one table (run with -s to see it)."""
    if not LEDGER:
        pytest.skip("no fault test ran")
    lines = [f"{'fault':<28} lost  notes"] + [
        f"{k:<28} {v['lost']:>4}  {v['detail']}" for k, v in LEDGER.items()
    ]
    lines.append(f"{len(LEDGER)} faults tried, {sum(v['lost'] for v in LEDGER.values())} postings lost")
    print("\n" + "\n".join(lines))
    assert sum(v["lost"] for v in LEDGER.values()) == 0
