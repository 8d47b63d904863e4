"""Ad hoc SQL, read-only: ``majobs query "SQL" --db FILE``.

Three locks on the door, because the SQL comes from a user:

1. the database is opened with the ``mode=ro`` URI, so SQLite itself refuses any write;
2. an authorizer allows only reading (SELECT, reading columns, functions, recursive CTEs and a
   short list of pragmas that only report) — a write, ATTACH, DETACH or a pragma that changes
   state is refused *before* it runs, with a message saying what was refused;
3. a progress handler stops a query that runs longer than its time limit, and no value it makes
   may exceed ``MAX_VALUE_BYTES`` (``zeroblob(1e9)`` is refused, not built); the command also caps
   SQLite's memory (``cap_sqlite_memory``), as one step makes a whole row of such values.

Reading works while a crawl writes (the store runs in WAL mode): the query sees the database as
of its start.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT = 10.0  # seconds
DEFAULT_MAX_ROWS = 10_000  # what the command prints at most: a stray cross join cannot flood the terminal
# The largest string or blob one query may make (SQLite's default is 1 GB). One huge value is built
# inside a single SQLite step, which neither the time limit nor the row cap can stop.
MAX_VALUE_BYTES = 100_000_000
# What SQLite may hold in all while ``majobs query`` runs: a row is also made in one step, so six
# columns of zeroblob(99e6) made 600 MB (and Python a copy) that the cap on one value let through.
MAX_QUERY_MEMORY = 300_000_000

# Pragmas that only report; called without a value they change nothing.
READ_ONLY_PRAGMAS = frozenset(
    {
        "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
        "foreign_key_list", "database_list", "collation_list", "function_list", "module_list",
        "pragma_list", "compile_options", "user_version", "schema_version", "page_count",
        "page_size", "freelist_count", "journal_mode", "encoding", "integrity_check", "quick_check",
        "foreign_key_check", "data_version",
    }
)  # fmt: skip
# These take a table or index name as their argument, and still only report.
_PRAGMAS_WITH_NAME = frozenset(
    {"table_info", "table_xinfo", "index_list", "index_info", "index_xinfo", "foreign_key_list",
     "foreign_key_check", "integrity_check", "quick_check"}
)  # fmt: skip

_ALLOWED = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
_REFUSED = (
    "INSERT", "UPDATE", "DELETE", "ATTACH", "DETACH", "PRAGMA", "TRANSACTION", "SAVEPOINT", "ANALYZE",
    "REINDEX", "ALTER_TABLE", "CREATE_TABLE", "CREATE_INDEX", "CREATE_VIEW", "CREATE_TRIGGER",
    "CREATE_TEMP_TABLE", "CREATE_TEMP_INDEX", "CREATE_TEMP_VIEW", "CREATE_TEMP_TRIGGER", "CREATE_VTABLE",
    "DROP_TABLE", "DROP_INDEX", "DROP_VIEW", "DROP_TRIGGER", "DROP_TEMP_TABLE", "DROP_TEMP_INDEX",
    "DROP_TEMP_VIEW", "DROP_TEMP_TRIGGER", "DROP_VTABLE",
)  # fmt: skip
# Authorizer action codes -> words for the refusal message ("create table", "attach").
_ACTION_NAMES = {
    getattr(sqlite3, f"SQLITE_{name}"): name.lower().replace("_", " ")
    for name in _REFUSED
    if hasattr(sqlite3, f"SQLITE_{name}")
}
_SCHEMA_TABLES = frozenset({"sqlite_master", "sqlite_temp_master", "sqlite_schema", "sqlite_temp_schema"})
# VACUUM has no authorizer action of its own: SQLite asks only for the ATTACH it runs inside.
_VACUUM = re.compile(r"(?:\s|--[^\n]*|/\*.*?\*/)*vacuum\b", re.IGNORECASE | re.DOTALL)


class QueryError(Exception):
    """The query was refused, failed, or ran out of time; the message says which and why."""


class QueryRefused(QueryError):
    pass


class QueryTimeout(QueryError):
    pass


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    elapsed: float
    truncated: bool = False  # the query had more rows than max_rows


def _authorizer(refusals: list[str], schema_writes: list[str]):  # type: ignore[no-untyped-def]
    """Refused actions go to ``refusals``. A top-level write to sqlite_master is let through into
    ``schema_writes``: SQLite asks it before the statement's own action (DROP TABLE asks "delete
    sqlite_master" first), which is then refused and named; a direct write to sqlite_master is
    refused by SQLite itself (and mode=ro), and then named from ``schema_writes``."""

    def authorize(
        action: int, arg1: str | None, arg2: str | None, db_name: str | None, source: str | None
    ) -> int:
        if action in _ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA:
            name = (arg1 or "").lower()
            if name in READ_ONLY_PRAGMAS and (arg2 is None or name in _PRAGMAS_WITH_NAME):
                return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_UPDATE and arg1 == "sqlite_master" and source is None:
            # SQLite asks this of itself when it loads a virtual table's schema (the FTS index);
            # nothing is written (mode=ro), and a user cannot write sqlite_master anyway.
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, f"action {action}")
        target = " ".join(
            x for x in (arg1, f"= {arg2}" if action == sqlite3.SQLITE_PRAGMA and arg2 else arg2) if x
        )
        described = f"{what}{f' ({target})' if target else ''}"
        schema_write = action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_DELETE) and arg1 in _SCHEMA_TABLES
        if schema_write and source is None:
            schema_writes.append(described)
            return sqlite3.SQLITE_OK
        refusals.append(described)
        return sqlite3.SQLITE_DENY

    return authorize


def connect_read_only(db_path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write: ``mode=ro``, plus ``query_only`` for good measure."""
    path = Path(db_path)
    if not path.exists():
        raise QueryError(f"no database at {path}")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def cap_sqlite_memory(limit: int = MAX_QUERY_MEMORY) -> None:
    """Cap SQLite's memory for the rest of this process (``hard_heap_limit`` is process-wide and
    can only be lowered): for a one-shot command such as ``majobs query``, not a library call."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA hard_heap_limit = {int(limit)}")
    finally:
        conn.close()


def run_query(
    db_path: str | Path,
    sql: str,
    params: Sequence[Any] | dict[str, Any] = (),
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int | None = None,
) -> QueryResult:
    """Run one read-only statement; raises :class:`QueryRefused`, :class:`QueryTimeout` or
    :class:`QueryError` with a message fit for the user. The time limit covers fetching the
    rows too (the progress handler stays until the connection closes); ``max_rows`` stops
    fetching after that many and sets ``truncated`` when there were more."""
    conn = connect_read_only(db_path)
    refusals: list[str] = []
    schema_writes: list[str] = []
    conn.set_authorizer(_authorizer(refusals, schema_writes))
    started = time.monotonic()
    deadline = started + timeout

    def over_time() -> int:
        return 1 if time.monotonic() > deadline else 0

    conn.set_progress_handler(over_time, 1000)
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    try:
        cursor = conn.execute(sql, params)
        rows = cursor.fetchall() if max_rows is None else cursor.fetchmany(max_rows + 1)
        columns = [d[0] for d in cursor.description or []]
    except sqlite3.DatabaseError as exc:
        asked = ["vacuum"] if _VACUUM.match(sql) else refusals or schema_writes
        if asked:
            raise QueryRefused(
                f"refused: this command only reads; the query asks for {', '.join(dict.fromkeys(asked))}"
            ) from exc
        if "interrupted" in str(exc) and time.monotonic() > deadline:
            raise QueryTimeout(f"stopped after {timeout:g}s (raise the limit with --timeout)") from exc
        if "too big" in str(exc):
            raise QueryError(
                f"query failed: a value would exceed {MAX_VALUE_BYTES // 1_000_000} MB ({exc})"
            ) from exc
        if "readonly" in str(exc) or "read-only" in str(exc):
            raise QueryRefused(f"refused: this command only reads ({exc})") from exc
        raise QueryError(f"query failed: {exc}") from exc
    except (sqlite3.Warning, sqlite3.ProgrammingError) as exc:  # e.g. two statements at once
        raise QueryError(f"query failed: {exc}") from exc
    except MemoryError as exc:  # SQLite over cap_sqlite_memory's limit (a row too big to make)
        raise QueryError(
            f"query failed: out of memory (a query may use at most {MAX_QUERY_MEMORY // 1_000_000} MB)"
        ) from exc
    finally:
        conn.close()
    truncated = max_rows is not None and len(rows) > max_rows
    return QueryResult(
        columns=columns,
        rows=rows[:max_rows] if truncated else rows,
        elapsed=time.monotonic() - started,
        truncated=truncated,
    )


def _cell(value: Any) -> Any:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _json_cell(value: Any) -> Any:
    # JSON has no Infinity or NaN (``select 1e999``): null, as JSON tools expect for "no number".
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return _cell(value)


def format_result(result: QueryResult, fmt: str = "table") -> str:
    """The rows as an aligned table, CSV, or a JSON list of objects."""
    if fmt == "json":
        objects = [dict(zip(result.columns, map(_json_cell, row), strict=True)) for row in result.rows]
        return json.dumps(objects, ensure_ascii=False, indent=2, allow_nan=False)
    rows = [[_cell(v) for v in row] for row in result.rows]
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(rows)
        return buf.getvalue().rstrip("\n")
    if fmt == "table":
        from tabulate import tabulate

        return tabulate(rows, headers=result.columns, tablefmt="simple", missingval="")
    raise ValueError(f"unknown format {fmt!r}: table, csv or json")
