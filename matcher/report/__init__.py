"""The weekly demand report: the market of MA postings held against the career guide.

    from matcher.report import write_report
    write_report("data/jobs.db", week="last", out_dir="reports")  # -> [html, md, json] paths

Numbers come from the SQL of :mod:`matcher.report_queries` (also Datasette's canned queries); the
guide comes only from ``data/guide.yaml``; the pages are rendered by ``matcher/templates/``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import sqlite_utils

from matcher.report.figures import ReportDataError, compute_figures
from matcher.report.guide import GUIDE_PATH, GuideError, load_guide
from matcher.report.render import write_files
from matcher.report.weeks import Week, WeekError, parse_week, resolve_week
from matcher.taxonomy import DATA_DIR

__all__ = ["GuideError", "ReportDataError", "Week", "WeekError", "parse_week", "write_report"]

logger = logging.getLogger(__name__)

MODELS_DIR = DATA_DIR / "models"


def write_report(
    db_path_or_db: str | Path | sqlite_utils.Database,
    week: str | Week = "last",
    out_dir: str | Path = "reports",
    *,
    guide_path: str | Path = GUIDE_PATH,
    models_dir: str | Path | None = MODELS_DIR,
) -> list[Path]:
    """Write ``<week>.html``, ``<week>.md`` and ``<week>.json`` into ``out_dir``; return their paths.

    ``week`` is ``"last"`` (the ISO week of the latest crawl run, else of the latest sighting) or
    ``"YYYY-Www"``. The database is only read (the report's working tables are TEMP tables).
    """
    guide = load_guide(guide_path)
    if isinstance(db_path_or_db, sqlite_utils.Database):
        db, owned = db_path_or_db, False
    else:
        path = Path(db_path_or_db)
        if not path.exists():
            raise ReportDataError(f"no database at {path}")
        db, owned = sqlite_utils.Database(path), True
        db.execute("PRAGMA busy_timeout = 30000")
    try:
        resolved = resolve_week(db, week)
        logger.info("report for %s from %s", resolved.label, db_path_or_db)
        figures = compute_figures(db, guide, resolved, models_dir=Path(models_dir) if models_dir else None)
    finally:
        if owned:
            db.close()
    if not figures["headline"]["crawl_runs"]:
        logger.warning(
            "no crawl ran in %s: its figures are those of the postings last seen open before it",
            resolved.label,
        )
    return write_files(figures, Path(out_dir))
