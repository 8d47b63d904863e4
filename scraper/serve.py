"""``majobs serve``: Datasette over the store, on 127.0.0.1, read-only.

Datasette opens a database file it may not treat as immutable with ``mode=ro`` connections, and
runs only SELECTs from users; no canned query here writes and no write plugin is loaded. The
metadata (``data/metadata.yaml``) gives table and column descriptions, facets on stage / state /
source, full-text search on postings, and canned queries for the common questions — plus the
weekly report's own queries (``matcher.report_queries.canned_queries``) when the report is
installed, so Datasette shows the report's figures from the report's SQL.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import socket
import sqlite3
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from scraper.store import ensure_schema

logger = logging.getLogger(__name__)

METADATA = Path(__file__).resolve().parents[1] / "data" / "metadata.yaml"
METADATA_DB = "jobs"  # the database name data/metadata.yaml is written for
HOST = "127.0.0.1"
DEFAULT_PORT = 8001
SETTINGS = {
    "sql_time_limit_ms": 5000,  # a runaway ad hoc query is stopped (Datasette's default is 1 s)
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
    "allow_download": False,  # the whole file is not served (it can be gigabytes)
}


def _report_queries() -> dict[str, Any]:
    try:
        from matcher.report_queries import canned_queries
    except ImportError:
        return {}
    try:
        return dict(canned_queries())
    except Exception as exc:  # the report's guide unreadable: serve without its queries
        logger.warning("report queries not added: %s: %s", type(exc).__name__, exc)
        return {}


def load_metadata(
    db_name: str, path: str | Path = METADATA, *, report_queries: bool = True
) -> dict[str, Any]:
    """``metadata.yaml`` with its database entry filed under ``db_name`` (the served file's stem)."""
    metadata = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    databases = metadata.setdefault("databases", {})
    entry = copy.deepcopy(databases.pop(METADATA_DB, None) or databases.pop(db_name, None) or {})
    if report_queries:
        queries = entry.setdefault("queries", {})
        for name, query in _report_queries().items():
            queries.setdefault(name, query)
    databases[db_name] = entry
    return metadata


class NotAStore(ValueError):
    """The file to serve is not a majobs database."""


class PortUnavailable(OSError):
    """The port cannot be listened on (another server has it, or it needs privileges)."""


def check_port(port: int) -> None:
    """Bind the port once, as uvicorn will (SO_REUSEADDR: a recent connection's TIME_WAIT is no
    obstacle), so a port in use is one clear line before the "serving ..." announcement."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise PortUnavailable(f"cannot listen on {HOST}:{port}: {reason}; give another --port") from exc


def make_datasette(
    db_path: str | Path, *, metadata_path: str | Path = METADATA, report_queries: bool = True
) -> Any:
    """A Datasette instance over ``db_path`` with the majobs metadata (not started)."""
    from datasette.app import Datasette

    path = Path(db_path)
    if not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    # Our own schema upkeep (views added since the file was made); users' requests never write.
    # Only a majobs store gets it: any other file is refused untouched.
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            tables = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise NotAStore(f"{path} is not an SQLite database ({exc})") from exc
    if "postings" not in tables:
        raise NotAStore(f"{path} is not a majobs database (no postings table)")
    db = sqlite_utils.Database(path)
    try:
        db.execute("PRAGMA busy_timeout = 30000")
        ensure_schema(db)
    finally:
        db.close()
    metadata = load_metadata(path.stem, metadata_path, report_queries=report_queries)
    return Datasette([str(path)], metadata=metadata, settings=SETTINGS, cors=False)


def serve(
    db_path: str | Path,
    *,
    port: int = DEFAULT_PORT,
    metadata_path: str | Path = METADATA,
    announce: Any = print,
) -> None:
    """Serve until interrupted (Ctrl-C); ``announce`` gets one line once the database is accepted."""
    import uvicorn

    ds = make_datasette(db_path, metadata_path=metadata_path)
    asyncio.run(ds.invoke_startup())
    check_port(port)
    announce(f"serving {db_path} read-only at http://{HOST}:{port}/ (Ctrl-C to stop)")
    uvicorn.run(ds.app(), host=HOST, port=port, log_level="warning", lifespan="on")
