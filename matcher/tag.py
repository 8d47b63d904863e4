"""Apply the matcher to postings: in the database (``tag_database``) or in a JSONL file (``tag_file``).

``tag_database`` tags every posting whose ``tag_model_version`` is not the current model's
(new postings, edited ones — ``scraper/store.py`` nulls the version when content changes — and
all of them after a new model). Each batch is one transaction: a posting's old tags are deleted
and its new ones inserted together with its posting-level fields, so re-tagging is idempotent
and a killed run leaves every posting either fully tagged or untouched.
"""

from __future__ import annotations

import gc
import json
import logging
import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils
from tqdm import tqdm

from matcher.jsonl import is_number, is_text, json_kind, numbered_lines, text_field_problems
from matcher.model import Extracted, MatcherModel, extract
from matcher.train import load_model
from scraper.parsers.normalize import html_to_text
from scraper.store import open_db, utcnow

logger = logging.getLogger(__name__)

DB_CATEGORY = {"certifications": "certification", "ehr": "ehr", "specialties": "specialty", "skills": "skill"}
BATCH_SIZE = 1000
TOO_LARGE = "its tags hold a number too large for JSON"  # inf: strict JSON has no way to write it


def _safe_extract(record: dict[str, Any]) -> Extracted | None:
    try:
        return extract(record)
    except Exception:  # one bad posting must not stop the run; it stays untagged and is counted
        logger.exception("tag: posting %s could not be read; left untagged", record.get("id"))
        return None


def tag_records(
    records: list[dict[str, Any]], model: MatcherModel | None = None
) -> list[dict[str, Any] | None]:
    """``{"labels": {...}, "tags": [...]}`` per record (``None`` for a record that failed)."""
    model = model or load_model()
    with _gc_paused():
        extracted = [_safe_extract(r) for r in records]
        predicted = iter(model.predict([e for e in extracted if e is not None]))
        results = [next(predicted) if e is not None else None for e in extracted]
        # Freed before the collector is back: else its first pass walks every object of the batch.
        del extracted, predicted
    return results


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection during a batch. Tagging makes tens of thousands of short-lived
    objects per batch and no reference cycles; the collector would walk every live object (the
    model, the sentence cache) again and again for nothing. It runs again after the batch."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def labels_for(record: dict[str, Any], model: MatcherModel | None = None) -> dict[str, Any]:
    """The LABELS.md-shaped tags of one posting (a convenience for tests and notebooks)."""
    result = tag_records([record], model)[0]
    if result is None:
        raise ValueError(f"posting {record.get('id')!r} could not be tagged")
    return result["labels"]


# --- several processes ----------------------------------------------------------------------------

_WORKER_MODEL: MatcherModel | None = None


def _init_worker(model: MatcherModel) -> None:
    global _WORKER_MODEL
    _WORKER_MODEL = model


def _worker_tag(records: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
    return tag_records(records, _WORKER_MODEL)


def tag_batches(
    batches: Iterable[list[dict[str, Any]]], model: MatcherModel, workers: int = 1
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any] | None]]]:
    """``(records, tag_records(records))`` per batch, in order; with ``workers`` > 1 the batches are
    tagged by that many processes (tagging is pure CPU work: one process uses one core). At most two
    batches per worker are read ahead, so memory stays bounded however many postings there are."""
    if workers <= 1:
        for records in batches:
            yield records, tag_records(records, model)
        return
    # "spawn": a fresh interpreter per worker, not a fork of this one with its open database and threads.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(model,))
    pending: deque[tuple[list[dict[str, Any]], Future]] = deque()
    try:
        for records in batches:
            pending.append((records, pool.submit(_worker_tag, records)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, _result(future)
        while pending:
            done, future = pending.popleft()
            yield done, _result(future)
    finally:
        # Stopped early (an error while writing, Ctrl-C): batches not yet started are dropped.
        pool.shutdown(cancel_futures=True)


class WorkerDied(RuntimeError):
    """A tagging process ended without answering (killed, or out of memory)."""


def _result(future: Future) -> list[dict[str, Any] | None]:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise WorkerDied(
            "a tagging worker process died (killed, or out of memory?); what was tagged before is "
            "kept: run the command again to tag the rest, with fewer --workers if memory is short"
        ) from exc


# --- files ----------------------------------------------------------------------------------------


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


POSTING_FIELDS = ("id", "title", "company", "location", "description")


def posting_problem(rec: Any) -> str | None:
    """Why a JSON line cannot be tagged as a posting (``None`` when it can): not an object, an id
    that is not text or a finite number (NaN would make the output line invalid JSON), or a text
    field holding something else."""
    if not isinstance(rec, dict):
        return f"not a JSON object but {json_kind(rec)}"
    rid = rec.get("id")
    if rid is not None and not is_text(rid) and not is_number(rid):
        return f"id must be text or a number, not {json_kind(rid)}"
    problems = text_field_problems(rec, POSTING_FIELDS[1:], nullable=True)
    return "; ".join(problems) or None


def read_postings_jsonl(path: str | Path, skipped: Callable[[str], None]) -> Iterator[dict[str, Any]]:
    """The postings of a JSON-lines file; a line that is not one is passed to ``skipped`` as
    ``file:line: problem`` and left out. Each posting carries its line number as ``_line``."""
    for lineno, rec, problem in numbered_lines(path):
        problem = problem or posting_problem(rec)
        if problem:
            skipped(f"{path}:{lineno}: {problem}")
            continue
        yield {**{k: rec.get(k) for k in POSTING_FIELDS}, "_line": lineno}


def tag_file(
    in_path: str | Path,
    out: Any,
    *,
    model: MatcherModel | None = None,
    workers: int = 1,
    skipped: Callable[[str], None] = logger.error,
) -> dict[str, int]:
    """Write ``{"id": ..., "tags": {...}}`` per posting of ``in_path`` to the text stream ``out``.

    Only postings that were tagged get a line. A line that is not a posting, and a posting the
    matcher could not read or whose tags strict JSON cannot hold, is reported through ``skipped``
    (``file:line: problem``) and counted: returns ``{"tagged", "bad", "failed"}``.
    """
    model = model or load_model()
    counts = {"tagged": 0, "bad": 0, "failed": 0}

    def bad_line(message: str) -> None:
        counts["bad"] += 1
        skipped(message)

    postings = read_postings_jsonl(in_path, bad_line)
    for batch, results in tag_batches(_batches(postings, BATCH_SIZE), model, workers):
        for rec, result in zip(batch, results, strict=True):
            # A posting that failed (logged by _safe_extract) gets no line: an empty one would read
            # as "no tags".
            line = None if result is None else _json_line({"id": rec["id"], "tags": result["labels"]})
            if line is None:
                counts["failed"] += 1
                why = "could not be tagged" if result is None else "could not be written: " + TOO_LARGE
                skipped(f"{in_path}:{rec['_line']}: posting {rec['id']!r} {why}")
                continue
            out.write(line)
            counts["tagged"] += 1
    return counts


def _json_line(value: dict[str, Any]) -> str | None:
    """``value`` as one line of strict JSON; ``None`` when it holds inf or NaN, which JSON cannot
    write (the pay parser no longer yields them; this is the net under any that still come)."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False) + "\n"
    except ValueError:
        return None


# --- database -------------------------------------------------------------------------------------


def _tag_rows(posting_id: str, result: dict[str, Any], version: str) -> list[tuple]:
    rows = []
    seen = set()
    for tag in result["tags"]:
        category = DB_CATEGORY[tag["category"]]
        key = (category, tag["label"])
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            (
                posting_id,
                category,
                tag["label"],
                tag.get("level"),
                tag["confidence"],
                tag["evidence"],
                version,
            )
        )
    return rows


def tag_database(
    db_path_or_db: str | Path | sqlite_utils.Database,
    *,
    progress: bool = True,
    model: MatcherModel | None = None,
    batch_size: int = BATCH_SIZE,
    retag_all: bool = False,
    workers: int = 1,
) -> dict[str, Any]:
    """Tag the postings not yet tagged by the current model; returns a summary of the run.

    Takes a path (opened and closed here) or an open ``sqlite_utils.Database`` (left open).
    ``workers`` > 1 tags in that many processes; this one still does all reading and writing.
    """
    options = {
        "progress": progress,
        "model": model,
        "batch_size": batch_size,
        "retag_all": retag_all,
        "workers": workers,
    }
    if isinstance(db_path_or_db, sqlite_utils.Database):
        return _tag_db(db_path_or_db, **options)
    db = open_db(db_path_or_db)
    try:
        return _tag_db(db, **options)
    finally:
        db.close()


def _read_batches(db: sqlite_utils.Database, ids: list[str], size: int) -> Iterator[list[dict[str, Any]]]:
    """The postings ``ids``, ``size`` at a time, as tagging records."""
    for chunk in _batches(ids, size):
        marks = ",".join("?" * len(chunk))
        rows = db.execute(
            "select id, title, company, description_text, description_html from postings "
            f"where id in ({marks})",
            chunk,
        ).fetchall()
        yield [
            {"id": r[0], "title": r[1], "company": r[2], "description": r[3] or html_to_text(r[4]) or ""}
            for r in rows
        ]


def _tag_db(
    db: sqlite_utils.Database,
    *,
    progress: bool,
    model: MatcherModel | None,
    batch_size: int,
    retag_all: bool,
    workers: int,
) -> dict[str, Any]:
    model = model or load_model()
    version = str(getattr(model, "version", "unversioned"))
    started = time.perf_counter()
    where = "1 = 1" if retag_all else "tag_model_version is null or tag_model_version != ?"
    params = [] if retag_all else [version]
    ids = [
        r[0] for r in db.execute(f"select id from postings where {where} order by rowid", params).fetchall()
    ]
    total = db.execute("select count(*) from postings").fetchone()[0]
    summary = {
        "model_version": version,
        "postings": total,
        "to_tag": len(ids),
        "tagged": 0,
        "failed": 0,
        "tags": 0,
    }
    bar = tqdm(total=len(ids), unit="posting", desc="tagging", disable=not progress or not ids, leave=False)
    # No more workers than batches (an idle one would only cost its start-up); one batch stays here.
    workers = max(1, min(workers, -(-len(ids) // batch_size)))
    try:
        for records, results in tag_batches(_read_batches(db, ids, batch_size), model, workers):
            now = utcnow()
            tag_rows: list[tuple] = []
            updates: list[tuple] = []
            done: list[str] = []
            for rec, result in zip(records, results, strict=True):
                if result is None:
                    summary["failed"] += 1
                    continue
                labels = result["labels"]
                pay = labels["pay"] or {}
                tag_rows.extend(_tag_rows(rec["id"], result, version))
                updates.append(
                    (
                        1 if labels["is_ma_role"] else 0,
                        labels["stage"],
                        labels["min_years_experience"],
                        pay.get("min"),
                        pay.get("max"),
                        pay.get("unit"),
                        version,
                        now,
                        rec["id"],
                    )
                )
                done.append(rec["id"])
            with db.conn:  # one transaction: old tags out, new tags and fields in
                if done:
                    db.conn.execute(
                        f"delete from tags where posting_id in ({','.join('?' * len(done))})", done
                    )
                db.conn.executemany(
                    "insert into tags (posting_id, category, label, level, confidence, evidence, "
                    "model_version) "
                    "values (?, ?, ?, ?, ?, ?, ?)",
                    tag_rows,
                )
                db.conn.executemany(
                    "update postings set is_ma_role = ?, stage = ?, min_years_experience = ?, pay_min = ?, "
                    "pay_max = ?, pay_unit = ?, tag_model_version = ?, tagged_at = ? where id = ?",
                    updates,
                )
            summary["tagged"] += len(done)
            summary["tags"] += len(tag_rows)
            bar.update(len(records))
    finally:
        bar.close()
    summary["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("tag: %s", summary)
    return summary
