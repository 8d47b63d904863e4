"""run_crawl itself: the child process it runs in, and what it hands that child."""

from __future__ import annotations

import sqlite3
import threading

from tests.test_spiders_greenhouse import serve_board


def test_crawl_child_sees_the_callers_environment(server, crawl, monkeypatch):
    serve_board(server)
    entries = [{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}]
    crawl(entries)  # the first crawl starts the fork server with the environment of that moment
    monkeypatch.setenv("MAJOBS_USER_AGENT", "majobs-test/9 (+mailto:ops@example.org)")
    server.requests.clear()
    crawl(entries)
    agents = {r.headers.get("User-Agent") for r in server.requests}
    assert agents == {"majobs-test/9 (+mailto:ops@example.org)"}


def test_crawl_while_another_thread_uses_sqlite(server, crawl, db_path, rows):
    """A plain fork would copy SQLite's locks held by this thread and could hang the child."""
    serve_board(server)
    stop = threading.Event()

    def busy() -> None:
        conn = sqlite3.connect(":memory:")
        while not stop.is_set():
            conn.execute(
                "select count(*) from (with recursive n(i) as (select 1 union all select i + 1 "
                "from n where i < 2000) select i from n)"
            ).fetchall()
        conn.close()

    thread = threading.Thread(target=busy)
    thread.start()
    try:
        for _ in range(3):
            assert crawl([{"kind": "greenhouse", "board": "pinecrest", "base_url": f"{server.url}/gh"}]).run
    finally:
        stop.set()
        thread.join()
    assert rows("select count(*) n from crawl_runs where finished_at is not null")[0]["n"] == 3
