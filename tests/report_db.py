"""Hand-built report databases: postings and tags written straight into the real schema."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils

from scraper.store import open_db

MODEL = "rules-test-1"


def new_db(path: Path) -> sqlite_utils.Database:
    return open_db(path)


def posting(
    db: sqlite_utils.Database,
    pid: str,
    *,
    first_seen: str,
    closed_at: str | None = None,
    is_ma_role: int | None = 1,
    stage: str | None = "entry",
    source: str = "greenhouse",
    state: str | None = "OR",
    title: str = "Medical Assistant",
    company: str = "Acme Clinic",
    tags: Iterable[tuple[str, str, str | None]] = (),
    pay: tuple[float | None, float | None, str] | None = None,
    salary: tuple[float | None, float | None, str] | None = None,
    salary_source: str | None = None,
    years: float | None = None,
    dedup_group: str | None = None,
) -> None:
    """One posting (id ``greenhouse:<pid>``) and its tags (category, label, level)."""
    row: dict[str, Any] = {
        "id": f"{source}:{pid}",
        "source": source,
        "source_id": pid,
        "source_key": f"{source}:board",
        "title": title,
        "company": company,
        "state": state,
        "first_seen": first_seen,
        "last_seen": first_seen,
        "closed_at": closed_at,
        "is_ma_role": is_ma_role,
        "stage": stage if is_ma_role == 1 else None,
        "min_years_experience": years,
        "dedup_group": dedup_group,
        "tag_model_version": MODEL if is_ma_role is not None else None,
    }
    if pay:
        row.update(pay_min=pay[0], pay_max=pay[1], pay_unit=pay[2])
    if salary:
        row.update(salary_min=salary[0], salary_max=salary[1], salary_unit=salary[2])
        row["salary_source"] = salary_source or "structured"
    db.table("postings").insert(row, alter=False)
    tag_rows = [
        {"posting_id": row["id"], "category": c, "label": label, "level": level, "model_version": MODEL}
        for c, label, level in tags
    ]
    if tag_rows:
        db.table("tags").insert_all(tag_rows, alter=False)


def crawl_run(db: sqlite_utils.Database, run_id: int, started_at: str, sources: dict[str, int]) -> None:
    db.table("crawl_runs").insert(
        {
            "id": run_id,
            "started_at": started_at,
            "finished_at": started_at,
            "status": "ok",
            "sources": len(sources),
            "fetched": sum(sources.values()),
        }
    )
    for key, fetched in sources.items():
        db.table("crawl_run_sources").insert(
            {
                "run_id": run_id,
                "source_key": key,
                "kind": key.split(":")[0],
                "fetched": fetched,
                "complete": 1,
            }
        )
