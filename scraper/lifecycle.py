"""The life of postings and of runs across crawls.

Postings (the rules; the code is in ``scraper/store.py`` and ``scraper/pipelines.py``):

- every posting a crawl stores gets ``last_seen`` = the run's clock (``first_seen`` once);
- when a source was crawled *completely* (its spider finished, no listing page or listed
  posting failed, at least one page read), its open postings that this run did not see get
  ``closed_at`` = the run's clock (:func:`scraper.store.close_unseen`, called by the store
  pipeline). A source that failed or was cut short closes nothing: a missing posting might
  just be on a page we did not read. A JobSpy import never closes anything (an export is a
  snapshot, not a whole listing);
- a closed posting that is listed again is reopened (``closed_at`` cleared by
  :func:`scraper.store.save_postings`, counted as ``reopened`` on the run);
- days open per posting: the ``posting_lifecycle`` view (``scraper/views.py``).

This relies on each run's clock being later than the one before (it is the wall clock, or
``MAJOBS_NOW`` for the demo and the tests).

Runs: a ``crawl_runs`` row is ``running`` until its run ends. A run killed outright (SIGKILL,
power loss) never gets to close its row; :func:`mark_abandoned_runs` marks such rows
``interrupted`` once their process is gone.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

import sqlite_utils

logger = logging.getLogger(__name__)


def pid_alive(pid: int | None) -> bool:
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def mark_abandoned_runs(db: sqlite_utils.Database, now: str) -> list[int]:
    """Runs still ``running`` whose process is gone -> ``interrupted``; returns their ids."""
    abandoned = [
        run_id
        for run_id, pid in db.execute("select id, pid from crawl_runs where status = 'running'").fetchall()
        if run_id is not None and pid != os.getpid() and not pid_alive(pid)
    ]
    if abandoned:
        with db.conn:
            db.conn.executemany(
                "update crawl_runs set status = 'interrupted', finished_at = coalesce(finished_at, ?), "
                "error = coalesce(error, 'the run ended without closing its record (killed?)') where id = ?",
                [(now, run_id) for run_id in abandoned],
            )
        logger.warning("marked %d abandoned run(s) interrupted: %s", len(abandoned), abandoned)
    return abandoned


@dataclass
class LifecycleCounts:
    open: int
    closed: int
    open_jobs: int  # open postings counted once per dedup group

    def summary(self) -> str:
        return f"{self.open} open postings ({self.open_jobs} jobs), {self.closed} closed"


def lifecycle_counts(db: sqlite_utils.Database) -> LifecycleCounts:
    open_, closed, jobs = db.execute(
        "select coalesce(sum(closed_at is null), 0), coalesce(sum(closed_at is not null), 0), "
        "count(distinct case when closed_at is null then coalesce(dedup_group, id) end) from postings"
    ).fetchone()
    return LifecycleCounts(open=int(open_), closed=int(closed), open_jobs=int(jobs))
