"""Import a JobSpy CSV export into the store: ``majobs import-jobspy FILE.csv --db FILE``.

JobSpy (speedyapply/JobSpy) scrapes aggregators (Indeed, LinkedIn, ZipRecruiter, Glassdoor,
Google) into a DataFrame; its README writes it out with
``jobs.to_csv("jobs.csv", quoting=csv.QUOTE_NONNUMERIC, escapechar="\\\\", index=False)``, which
is what this reads (a file written without the escape character reads the same, but for
backslashes). Rows become postings through :mod:`scraper.parsers.jobspy` with ``source="jobspy"``
and ``source_key="jobspy:<site>"``, pass the same MA title filter as a crawl, and are saved with
:func:`scraper.store.save_postings`. The import is a ``crawl_runs`` row (``sources_file`` = the
CSV) with a ``crawl_run_sources`` row per site. A bad row (a row cut off by a file cut mid-row
among them) is counted (``failed``), logged with its line number and not stored, never fatal.
Lines are decoded one by one (UTF-8, else Windows-1252), so one bad byte does not turn the whole
file's text to mojibake. An export is a snapshot, not a whole listing: an import closes nothing.
"""

from __future__ import annotations

import codecs
import csv
import logging
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scraper.items import Posting, posting_id
from scraper.parsers.jobspy import SOURCE, JobSpyRowError, drop_implausible, parse_row
from scraper.parsers.title_filter import is_ma_family_title
from scraper.store import COUNT_NAMES, finish_run, open_db, record_run_source, save_postings, start_run

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("title",)
ID_COLUMNS = ("id", "job_url", "job_url_direct")
MAX_FIELD = 10 * 1024 * 1024  # one description larger than 10 MiB is a bad row, not a crash
BATCH = 500


class JobSpyFileError(ValueError):
    """The file is not a JobSpy CSV at all (unreadable, or without its columns)."""


@dataclass
class ImportResult:
    run_id: int
    status: str
    rows: int = 0
    bad: int = 0
    dropped: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    cut_off: int = 0  # bad rows that end too early (a file cut mid-row)
    repeated: int = 0  # rows whose id an earlier row had: the later row wins
    pay_dropped: int = 0  # postings stored without their pay: no number, or implausible for its unit
    date_posted_dropped: int = 0  # ... without their date_posted: before 2000 or after tomorrow
    cp1252: int = 0  # rows with a line that is not UTF-8, read as Windows-1252
    by_site: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def imported(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        return (
            f"import run {self.run_id} {self.status}: {self.rows} rows, {self.imported} postings "
            f"({self.new} new, {self.updated} updated, {self.unchanged} unchanged), "
            f"{self.dropped} dropped as not MA, {self.bad} bad rows"
            + (f" ({self.cut_off} cut off)" if self.cut_off else "")
            + "".join(f", {n} {what}" for n, what in self._notes() if n)
        )

    def _notes(self) -> list[tuple[int, str]]:
        """What was read but not as written, each worth a look (shown when not 0)."""
        return [
            (self.repeated, "repeated ids (the last row kept)"),
            (self.cp1252, "rows read as Windows-1252 (not UTF-8)"),
            (self.pay_dropped, "implausible pays left out"),
            (self.date_posted_dropped, "impossible posting dates left out"),
        ]


class _Lines:
    """The file's lines for the CSV reader, each decoded on its own: UTF-8 (pandas' default), else
    Windows-1252 (an export re-saved by Excel). Per line, so one bad byte costs its own line, not
    the whole file's UTF-8 text."""

    def __init__(self, data: bytes) -> None:
        self._lines = iter(data.removeprefix(codecs.BOM_UTF8).splitlines(keepends=True))
        self.fallbacks = 0  # lines read as Windows-1252
        self.exhausted = False  # the reader asked past the last line: a row was cut off mid-field

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = next(self._lines)
        except StopIteration:
            self.exhausted = True
            raise
        try:
            return line.decode("utf-8")
        except UnicodeDecodeError:
            self.fallbacks += 1
            return line.decode("cp1252", errors="replace")


def _cut_off(row: dict[str, Any], lines: _Lines) -> str | None:
    """Why a row is a fragment (a file cut mid-row, a crawl killed while writing), or ``None``."""
    if lines.exhausted:  # the csv module takes a quote left open at the end as closed
        return "a quoted field still open at the end of the file"
    short = sum(value is None for value in row.values())  # DictReader's filler for missing fields
    return f"{short} of its {len(row)} fields missing" if short else None


def _site_key(row: dict[str, Any]) -> str:
    return f"{SOURCE}:{(row.get('site') or 'unknown').strip().lower() or 'unknown'}"


def import_jobspy(
    csv_path: str | Path,
    db_path: str | Path,
    *,
    now: datetime | None = None,
    title_filter: bool = True,
) -> ImportResult:
    """Read a JobSpy CSV into the store; returns the counts (the run row holds them too).

    A stop (Ctrl-C, or SIGTERM made one by the CLI) is not raised: it ends the import with the
    batches saved so far and ``status == "interrupted"``, which the caller checks (the CLI exits 4).
    """
    csv_path = Path(csv_path)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    db = open_db(db_path)
    run_id = start_run(db, started_at=now.isoformat(), sources_file=str(csv_path), pid=os.getpid())
    job = _Import(db, ImportResult(run_id=run_id, status="running"), csv_path.name, now, title_filter)
    field_limit = csv.field_size_limit(MAX_FIELD)
    try:
        lines, reader = _open(csv_path)
        while True:
            fallbacks = lines.fallbacks
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                job.result.rows += 1
                job.bad(SOURCE, reader.line_num, f"unreadable row: {exc}")
                continue
            job.take(row, reader.line_num, cp1252=lines.fallbacks > fallbacks, cut=_cut_off(row, lines))
        job.save()
        if job.result.cp1252:
            logger.warning("%s: %d rows not UTF-8, read as Windows-1252", csv_path.name, job.result.cp1252)
    except KeyboardInterrupt:
        # SIGTERM (``majobs import-jobspy`` makes it one) or Ctrl-C: the batches saved stay, the
        # one being read is dropped, and the run says so now rather than at the next run.
        r = job.result
        job.finish(
            f"stopped after {r.rows} rows; {r.imported} postings saved, the rest not read", interrupted=True
        )
    except Exception as exc:
        job.finish(f"{type(exc).__name__}: {exc}")
        raise
    else:
        job.finish(None)
    finally:
        csv.field_size_limit(field_limit)
        db.close()
    return job.result


def _shown_columns(columns: list[str], budget: int = 300, width: int = 40) -> str:
    """The header as read, kept to a readable line: the first line of some other file (a JSON
    line, a spreadsheet's bytes) can be megabytes long."""
    shown: list[str] = []
    for name in columns:
        cut = name if len(name) <= width else name[: width - 1] + "…"
        if sum(len(s) + 2 for s in shown) + len(cut) > budget:
            return ", ".join(shown) + f", … ({len(columns) - len(shown)} more)"
        shown.append(cut)
    return ", ".join(shown) or "none"


def _open(csv_path: Path) -> tuple[_Lines, csv.DictReader]:
    """The file's lines and a CSV reader over them, its header checked."""
    try:
        lines = _Lines(csv_path.read_bytes())
    except OSError as exc:
        raise JobSpyFileError(f"cannot read {csv_path}: {exc.strerror}") from exc
    reader = csv.DictReader(lines, escapechar="\\")
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing or not any(c in columns for c in ID_COLUMNS):
        raise JobSpyFileError(
            f"{csv_path} is not a JobSpy CSV: it needs the columns title and one of "
            f"{', '.join(ID_COLUMNS)} (found: {_shown_columns(columns)})"
        )
    return lines, reader


class _Import:
    """One import under way: its counts (the result's totals, and each site's for its
    ``crawl_run_sources`` row) and the postings waiting to be saved."""

    def __init__(self, db: Any, result: ImportResult, name: str, now: datetime, title_filter: bool) -> None:
        self.db, self.result, self.name, self.now, self.title_filter = db, result, name, now, title_filter
        self.counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.batch = _Batch()

    def bad(self, key: str, line: int, why: str, *, cut: bool = False) -> None:
        self.result.bad += 1
        self.counts[key]["failed"] += 1
        if cut:
            self.result.cut_off += 1
            self.counts[key]["cut_off"] += 1
        logger.warning("%s line %d: %s", self.name, line, why)

    def take(self, row: dict[str, Any], line: int, *, cp1252: bool, cut: str | None) -> None:
        """One CSV row: counted, and queued as a posting unless it is bad or not an MA job."""
        self.result.rows += 1
        key = _site_key(row)
        if cp1252:
            self.result.cp1252 += 1
            self.counts[key]["cp1252"] += 1
        if None in row:  # more fields than the header names: a broken line
            self.bad(key, line, f"{len(row[None])} fields too many")
        elif cut:
            self.bad(key, line, f"row cut off: {cut}", cut=True)
        else:
            try:
                posting = parse_row(row, fetched_at=self.now.isoformat())
            except JobSpyRowError as exc:
                self.bad(key, line, str(exc))
            else:
                self.counts[key]["fetched"] += 1
                self._queue(key, line, posting)

    def _queue(self, key: str, line: int, posting: Posting) -> None:
        if self.title_filter and not is_ma_family_title(posting["title"]):
            self.result.dropped += 1
            self.counts[key]["dropped"] += 1
            return
        dropped = drop_implausible(posting, self.now.date())
        self.result.pay_dropped += "pay" in dropped
        self.result.date_posted_dropped += "date_posted" in dropped
        for what in dropped:
            self.counts[key][f"{what}_dropped"] += 1
            logger.warning("%s line %d: implausible %s left out", self.name, line, what)
        if self.batch.add(dict(posting)):
            self.result.repeated += 1
            self.counts[key]["repeated_id"] += 1
            logger.info("%s line %d: id %s again; this row wins", self.name, line, posting["source_id"])
        if len(self.batch) >= BATCH:
            self.save()

    def save(self) -> None:
        """The batch in two transactions (repeats saved over, then the rest), each counted before a
        stop (SIGTERM, Ctrl-C) is let in: a stop between a commit and its counts left the run row
        saying 0 new of a batch stored."""
        from scraper.runner import interrupts_held  # here: the runner brings Scrapy in

        now, batch = self.now.isoformat(), self.batch
        with interrupts_held():
            # Saved over without counting: the posting was counted when its first copy was saved.
            save_postings(self.db, list(batch.again.values()), now=now)
            batch.again.clear()
            saved = save_postings(self.db, list(batch.pending.values()), now=now)
            batch.saved.update(batch.pending)
            batch.pending.clear()
            self.result.new += saved.new
            self.result.updated += saved.updated
            self.result.unchanged += saved.unchanged
            for key, bucket in saved.by_source_key.items():
                for name, n in bucket.items():
                    self.counts[key][name] += n

    def finish(self, error: str | None, *, interrupted: bool = False) -> None:
        """A ``crawl_run_sources`` row per site (extra counts in ``other_counts``), then the run's."""
        reason = "shutdown" if interrupted else "failed" if error else "finished"
        for key, c in sorted(self.counts.items()):
            record_run_source(
                self.db,
                self.result.run_id,
                key,
                SOURCE,
                pages=1,
                complete=not c.get("failed") and reason == "finished",
                finish_reason=reason,
                other_counts={k: v for k, v in c.items() if k not in COUNT_NAMES},
                **{k: v for k, v in c.items() if k in COUNT_NAMES and k != "pages"},
            )
        result = self.result
        result.by_site = {k: dict(v) for k, v in self.counts.items()}
        if interrupted:
            result.status = "interrupted"
        elif error or (result.bad and not result.imported and not result.dropped):
            result.status = "failed"
        else:
            result.status = "partial" if result.bad else "ok"
        finish_run(self.db, result.run_id, status=result.status, error=error)


@dataclass
class _Batch:
    """Postings waiting to be saved, one per id. A later row with an id the file had before wins,
    as the last copy does in :func:`save_postings`; it is counted as a repeat, not a posting."""

    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    again: dict[str, dict[str, Any]] = field(default_factory=dict)  # ids saved by an earlier batch
    saved: set[str] = field(default_factory=set)

    def add(self, posting: dict[str, Any]) -> bool:
        """Queue ``posting``; True when its id came earlier in the file."""
        key = posting_id(posting["source"], posting["source_id"])
        repeated = key in self.pending or key in self.saved
        (self.again if key in self.saved else self.pending)[key] = posting
        return repeated

    def __len__(self) -> int:
        return len(self.pending) + len(self.again)
