"""The SQLite store: plain functions over a ``sqlite_utils.Database``.

Tables (see ``ensure_schema``):

- ``postings``: one row per posting, keyed by ``id = "<source>:<source_id>"``. Upserts are
  idempotent; ``first_seen``/``last_seen``/``closed_at`` track each posting's life across crawls
  and ``content_hash`` tells an edited posting from an unchanged one. The matcher's per-posting
  results (``stage``, ``is_ma_role``, years, pay, model version) live here too.
- ``tags``: the matcher's labels, one row per (posting, category, label).
- ``crawl_runs`` and ``crawl_run_sources``: every crawl, with per-source counts.
- ``postings_fts``: full-text search over title and description, kept by ``save_postings``
  (triggers only guard other writers; see ``_FTS_UPDATE_TRIGGER``).

The database runs in WAL mode so reads (queries, Datasette, the report) proceed during a crawl.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.items import CONTENT_FIELDS, POSTING_FIELDS, posting_id

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1

POSTING_COLUMNS: dict[str, Any] = {
    "id": str,
    "source": str,
    "source_id": str,
    "source_key": str,
    "url": str,
    "title": str,
    "company": str,
    "city": str,
    "state": str,
    "postal_code": str,
    "country": str,
    "remote": int,
    "employment_type": str,
    "date_posted": str,
    "valid_through": str,
    "salary_min": float,
    "salary_max": float,
    "salary_unit": str,
    "salary_currency": str,
    "salary_source": str,
    "description_html": str,
    "description_text": str,
    "all_locations": str,  # JSON list of [city, state]
    "department": str,
    "raw": str,  # JSON, as the source sent it
    "fetched_at": str,
    # life across crawls
    "first_seen": str,
    "last_seen": str,
    "closed_at": str,
    "content_hash": str,
    "dedup_group": str,
    # the matcher's results (matcher/tag.py)
    "is_ma_role": int,
    "stage": str,
    "min_years_experience": float,
    "pay_min": float,
    "pay_max": float,
    "pay_unit": str,
    "tag_model_version": str,
    "tagged_at": str,
}

TAG_COLUMNS: dict[str, Any] = {
    "posting_id": str,
    "category": str,  # certification | ehr | specialty | skill
    "label": str,
    "level": str,  # required | preferred | accepted (certifications only)
    "confidence": float,
    "evidence": str,
    "model_version": str,
}

COUNT_NAMES = ("pages", "fetched", "new", "updated", "unchanged", "failed", "dropped", "closed", "reopened")

RUN_COLUMNS: dict[str, Any] = {
    "id": int,
    "started_at": str,
    "finished_at": str,
    "status": str,  # running | ok | partial | failed | interrupted
    "sources_file": str,
    "sources": int,
    **dict.fromkeys(COUNT_NAMES, int),  # pages, fetched, new, updated, ... (per run, per source)
    "error": str,
    "pid": int,
    "cpu_seconds": float,  # CPU time of the crawl process
    # after the crawl (majobs run / import-jobspy): postings merged as duplicates, postings tagged
    "duplicates": int,
    "tagged": int,
}

RUN_SOURCE_COLUMNS: dict[str, Any] = {
    "run_id": int,
    "source_key": str,
    "kind": str,
    **dict.fromkeys(COUNT_NAMES, int),  # pages, fetched, new, updated, ... (per run, per source)
    "complete": int,  # 1 when every page of the source's listing was read (lifecycle may close)
    "finish_reason": str,
    "other_counts": str,  # JSON: the spider's own counters (no_jsonld, truncated, gone, retries...)
}


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and, unless ``create`` is false, set up) the store at ``path``."""
    path = Path(path)
    if not create and not path.exists():
        raise FileNotFoundError(f"no database at {path}")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite_utils.Database(path)
    db.execute("PRAGMA busy_timeout = 30000")
    if create:
        ensure_schema(db)
    return db


def ensure_schema(db: sqlite_utils.Database) -> None:
    """Create or migrate the tables; safe to call on every start."""
    if db.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    postings = db.table("postings")
    if not postings.exists():
        postings.create(POSTING_COLUMNS, pk="id", not_null={"source", "source_id", "title"})
    else:
        _add_missing_columns(db, "postings", POSTING_COLUMNS)
    for columns in (
        ["source", "source_id"],
        ["source_key", "closed_at"],
        ["first_seen"],
        ["closed_at"],
        ["state"],
        ["stage", "is_ma_role"],
        ["dedup_group"],
        ["tag_model_version"],
    ):
        postings.create_index(columns, if_not_exists=True, unique=columns == ["source", "source_id"])

    # (source_key, last_seen) was rewritten for every posting a crawl saw again; close_unseen only
    # needs a source's open postings.
    db.execute("DROP INDEX IF EXISTS idx_postings_source_key_last_seen")

    tags = db.table("tags")
    if not tags.exists():
        tags.create(TAG_COLUMNS, pk=("posting_id", "category", "label"))
    else:
        _add_missing_columns(db, "tags", TAG_COLUMNS)
    tags.create_index(["category", "label", "level"], if_not_exists=True)

    runs = db.table("crawl_runs")
    if not runs.exists():
        runs.create(RUN_COLUMNS, pk="id")
    else:
        _add_missing_columns(db, "crawl_runs", RUN_COLUMNS)
    run_sources = db.table("crawl_run_sources")
    if not run_sources.exists():
        run_sources.create(RUN_SOURCE_COLUMNS, pk=("run_id", "source_key"))
    else:
        _add_missing_columns(db, "crawl_run_sources", RUN_SOURCE_COLUMNS)

    if not db.table("postings_fts").exists():
        postings.enable_fts(["title", "description_text"], create_triggers=True, tokenize="porter")
    _ensure_fts_triggers(db)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    from scraper.views import ensure_views  # views read these tables; imported here to avoid a cycle

    ensure_views(db)


# The full-text index is kept by save_postings, a batch per statement (see _index_postings). The
# triggers sqlite-utils makes feed FTS5 row by row, and FTS5 writes out (and later merges) an index
# segment at every statement inside a trigger: ~0.5 ms a posting on a large store, 5-10 times the
# rest of the upsert. Its update trigger also re-indexed a posting on *any* update (last_seen, tags,
# dedup). What remains is a guard for writers other than save_postings: an update that changes the
# text but not content_hash (which only save_postings computes) is re-indexed here; deletes too.
_FTS_UPDATE_TRIGGER = """CREATE TRIGGER [postings_au] AFTER UPDATE OF title, description_text ON [postings]
WHEN (old.title IS NOT new.title OR old.description_text IS NOT new.description_text)
  AND old.content_hash IS new.content_hash
BEGIN
  INSERT INTO [postings_fts] ([postings_fts], rowid, [title], [description_text])
    VALUES('delete', old.rowid, old.[title], old.[description_text]);
  INSERT INTO [postings_fts] (rowid, [title], [description_text])
    VALUES (new.rowid, new.[title], new.[description_text]);
END"""


def _ensure_fts_triggers(db: sqlite_utils.Database) -> None:
    """Full-text index upkeep: save_postings does it; the remaining triggers guard other writers."""
    sql = "select sql from sqlite_master where type = 'trigger' and name = 'postings_au'"
    row = db.execute(sql).fetchone()
    with db.conn:
        if not row or row[0] != _FTS_UPDATE_TRIGGER:
            db.execute("DROP TRIGGER IF EXISTS [postings_au]")
            db.execute(_FTS_UPDATE_TRIGGER)
        db.execute("DROP TRIGGER IF EXISTS [postings_ai]")
        # Catch up rows inserted by other writers (new rows get the highest rowids).
        indexed = db.execute("select max(id) from postings_fts_docsize").fetchone()[0] or 0
        if (db.execute("select max(rowid) from postings").fetchone()[0] or 0) > indexed:
            db.execute(
                "insert into postings_fts (rowid, title, description_text) "
                "select rowid, title, description_text from postings where rowid > ?",
                [indexed],
            )


def _add_missing_columns(db: sqlite_utils.Database, table: str, columns: Mapping[str, Any]) -> None:
    have = set(db.table(table).columns_dict)
    for name, col_type in columns.items():
        if name not in have:
            db.table(table).add_column(name, col_type)


# Set on a posting dict (not a column) when it was made from incomplete data, e.g. a list entry
# whose detail request failed.
PARTIAL = "_partial"


def content_hash(posting: Mapping[str, Any]) -> str:
    """A hash of the fields whose change means the posting changed (not fetch times, not raw)."""
    digest = hashlib.sha1()
    for name in CONTENT_FIELDS:
        value = posting.get(name)
        digest.update((value if isinstance(value, str) else repr(value)).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass
class SaveCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    reopened: int = 0
    by_source_key: dict[str, dict[str, int]] = field(default_factory=dict)

    def _bump(self, key: str | None, name: str) -> None:
        setattr(self, name, getattr(self, name) + 1)
        bucket = self.by_source_key.setdefault(
            key or "", {"new": 0, "updated": 0, "unchanged": 0, "reopened": 0}
        )
        bucket[name] += 1


def save_postings(
    db: sqlite_utils.Database, postings: Iterable[Mapping[str, Any]], *, now: str | None = None
) -> SaveCounts:
    """Upsert postings in one transaction; returns how many were new, updated or unchanged.

    ``first_seen`` is kept from the first time a posting was stored, ``last_seen`` is set to
    ``now``, a closed posting that shows up again is reopened, and ``date_posted`` keeps the
    earliest value seen (some CMSs re-stamp it on every render). A posting marked
    ``posting[PARTIAL] = True`` (made without its detail page) is stored when new, but never
    overwrites a stored copy: it only counts as seen.

    Speed (benchmarks/ingest.py): a posting seen again unchanged — most of a daily crawl — only
    gets ``last_seen``/``fetched_at`` written (its ``raw`` stays that of its last content change);
    new and edited postings are (re-)indexed for full-text search a batch per statement, not row
    by row through triggers (see ``_FTS_UPDATE_TRIGGER``).
    """
    now = now or utcnow()
    rows = []
    partial: set[str] = set()
    for p in postings:
        row = {k: p.get(k) for k in POSTING_FIELDS}
        row["id"] = posting_id(row["source"], row["source_id"])
        if p.get(PARTIAL):
            partial.add(row["id"])
        row["remote"] = 1 if row.get("remote") else 0
        row["content_hash"] = content_hash(row)
        rows.append(row)
    counts = SaveCounts()
    if not rows:
        return counts
    # Within one batch the last copy of a posting wins.
    by_id = {row["id"]: row for row in rows}
    rows = list(by_id.values())
    with db.conn:
        # Read and write under one write lock, so a concurrent writer cannot slip in between.
        if not db.conn.in_transaction:
            db.execute("BEGIN IMMEDIATE")
        existing: dict[str, tuple] = {}
        for chunk in _chunks(list(by_id)):
            for r in db.execute(
                "select id, content_hash, first_seen, date_posted, closed_at, source_key from postings "
                f"where id in ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall():
                existing[r[0]] = r
        retag: list[str] = []
        regroup: list[str] = []  # reopened: listed again, so its dedup group is judged again
        full: list[dict[str, Any]] = []  # new or changed: every column written
        seen_again: list[tuple[str, str | None, str]] = []  # unchanged: last_seen and fetched_at only
        seen_partial: list[tuple[str, str | None, str]] = []  # incomplete copies: seen, content kept
        for row in rows:
            row["last_seen"] = now
            row["closed_at"] = None
            old = existing.get(row["id"])
            if old is None:
                row["first_seen"] = now
                counts._bump(row["source_key"], "new")
                full.append(row)
                continue
            _, old_hash, first_seen, old_date, closed_at, old_key = old
            if row["id"] in partial:
                # Known to be listed, but fetched incompletely (its detail failed): keep the
                # stored content, only mark it seen (and open).
                counts._bump(row["source_key"], "unchanged")
                if closed_at:
                    counts._bump(row["source_key"], "reopened")
                    regroup.append(row["id"])
                seen_partial.append((now, row["fetched_at"], row["id"]))
                continue
            row["first_seen"] = first_seen or now
            if old_date and (not row["date_posted"] or old_date < row["date_posted"]):
                row["date_posted"] = old_date
            if closed_at:
                counts._bump(row["source_key"], "reopened")
                regroup.append(row["id"])
            if old_hash != row["content_hash"]:
                retag.append(row["id"])
                counts._bump(row["source_key"], "updated")
                full.append(row)
                continue
            counts._bump(row["source_key"], "unchanged")
            if closed_at or old_key != row["source_key"] or old_date != row["date_posted"] or not first_seen:
                full.append(row)
            else:
                seen_again.append((now, row["fetched_at"], row["id"]))
        if full:
            _index_postings(db, retag, "delete")  # edited: the old text out of the index before it goes
            for row in full:  # serialized only for the rows written in full (not the seen-again ones)
                for json_field in ("raw", "all_locations"):
                    if row[json_field] is not None and not isinstance(row[json_field], str):
                        row[json_field] = json.dumps(row[json_field], ensure_ascii=False, default=str)
            columns = list(full[0])
            names = ", ".join(f"[{c}]" for c in columns)
            updates = ", ".join(f"[{c}] = excluded.[{c}]" for c in columns if c != "id")
            db.conn.executemany(
                f"insert into postings ({names}) values ({', '.join('?' * len(columns))}) "
                f"on conflict(id) do update set {updates}",
                [[row[c] for c in columns] for row in full],
            )
            _index_postings(db, retag + [row["id"] for row in full if row["id"] not in existing])
        if seen_again:
            db.conn.executemany("update postings set last_seen = ?, fetched_at = ? where id = ?", seen_again)
        if seen_partial:
            db.conn.executemany(
                "update postings set last_seen = ?, fetched_at = ?, closed_at = null where id = ?",
                seen_partial,
            )
        for chunk in _chunks(retag):
            # An edited posting loses its tags' version so the matcher looks at it again, and its
            # dedup group so scraper/dedup.py does.
            db.execute(
                "update postings set tag_model_version = null, dedup_group = null "
                f"where id in ({','.join('?' * len(chunk))})",
                chunk,
            )
        for chunk in _chunks(regroup):
            marks = ",".join("?" * len(chunk))
            db.execute(f"update postings set dedup_group = null where id in ({marks})", chunk)
    return counts


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _index_postings(db: sqlite_utils.Database, ids: list[str], command: str | None = None) -> None:
    """Add postings to the full-text index (or, with ``command="delete"``, take their current text
    out of it): a batch per statement, in rowid order — FTS5 writes out a new index segment each
    time a rowid comes out of order. Rows added by other means are caught up by ensure_schema."""
    target = "[postings_fts], rowid, title, description_text" if command else "rowid, title, description_text"
    select = "?, rowid, title, description_text" if command else "rowid, title, description_text"
    for chunk in _chunks(ids):
        db.execute(
            f"insert into postings_fts ({target}) select {select} from postings "
            f"where id in ({','.join('?' * len(chunk))}) order by rowid",
            ([command] if command else []) + chunk,
        )


def close_unseen(db: sqlite_utils.Database, source_key: str, now: str) -> int:
    """Mark closed the open postings of a completely crawled source that this run did not see.

    Call only after the source was crawled *completely*: a failed or cut-short crawl closes
    nothing. A closed posting that shows up again is reopened by :func:`save_postings`.
    """
    with db.conn:
        cursor = db.execute(
            "update postings set closed_at = ? where source_key = ? and closed_at is null and last_seen < ?",
            [now, source_key, now],
        )
    return cursor.rowcount


class Checkpointer:
    """WAL checkpoints in a thread of their own, so that a writer never waits on the disk.

    SQLite's automatic checkpoint runs inside the writer's commit: it copies the WAL into the
    database and fsyncs it, which on a large store is half of an ingest's wall time
    (benchmarks/ingest.py). While a Checkpointer runs, the writer's automatic checkpoints are off
    and a second connection checkpoints (PASSIVE: never blocking the writer or readers) every
    ``interval`` seconds. Durability is unchanged: commits stay in the WAL until checkpointed.

        with Checkpointer(db):
            save_postings(db, ...)
    """

    def __init__(self, db: sqlite_utils.Database, interval: float = 0.5):
        self.db = db
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        row = db.execute("PRAGMA database_list").fetchone()
        self.path = row[2] if row else ""  # "" for an in-memory database: nothing to do

    def start(self) -> Checkpointer:
        if self.path and self._thread is None:
            self.db.execute("PRAGMA wal_autocheckpoint = 0")
            self._thread = threading.Thread(target=self._run, name="majobs-checkpointer", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        conn = sqlite3.connect(self.path, timeout=30)
        try:
            while not self._stop.wait(self.interval):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:  # a checkpoint is an optimisation: the writer carries on
            logger.warning("background WAL checkpoint stopped: %s", exc)
        finally:
            conn.close()

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        self.db.execute("PRAGMA wal_autocheckpoint = 1000")
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def __enter__(self) -> Checkpointer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- crawl runs ---------------------------------------------------------------------------------


def start_run(db: sqlite_utils.Database, *, started_at: str, sources_file: str | None, pid: int) -> int:
    table = db.table("crawl_runs")
    with db.conn:
        table.insert(
            {"started_at": started_at, "status": "running", "sources_file": sources_file, "pid": pid}
        )
    return int(table.last_pk)


def record_run_source(
    db: sqlite_utils.Database, run_id: int, source_key: str, kind: str, **counts: Any
) -> None:
    row = {"run_id": run_id, "source_key": source_key, "kind": kind}
    row.update({k: int(counts.get(k) or 0) for k in COUNT_NAMES})
    row["complete"] = 1 if counts.get("complete") else 0
    row["finish_reason"] = counts.get("finish_reason")
    other = counts.get("other_counts")
    row["other_counts"] = json.dumps(other, sort_keys=True) if other else None
    with db.conn:
        db.table("crawl_run_sources").upsert(row, pk=("run_id", "source_key"), alter=False)


def finish_run(
    db: sqlite_utils.Database,
    run_id: int,
    *,
    status: str,
    finished_at: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """Close a run: totals summed from its sources, its status and end time. Returns the row."""
    sums = db.execute(
        "select count(*), "
        + ", ".join(f"coalesce(sum({c}), 0)" for c in COUNT_NAMES)
        + " from crawl_run_sources where run_id = ?",
        [run_id],
    ).fetchone()
    update = {"sources": sums[0], **dict(zip(COUNT_NAMES, sums[1:], strict=True))}
    update.update(status=status, finished_at=finished_at or utcnow(), error=error)
    with db.conn:
        db.table("crawl_runs").update(run_id, update)
    return dict(db.table("crawl_runs").get(run_id))


def run_status(db: sqlite_utils.Database, run_id: int) -> str:
    """ok: every source complete with no failures; failed: no source got anywhere; else partial."""
    sql = "select complete, failed, pages from crawl_run_sources where run_id = ?"
    rows = list(db.execute(sql, [run_id]))
    if not rows:
        return "failed"
    if all(complete and not failed for complete, failed, _ in rows):
        return "ok"
    if all(not pages for _, _, pages in rows):
        return "failed"
    return "partial"
