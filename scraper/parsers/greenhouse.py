"""Greenhouse Job Board API payloads -> postings (``../shared/sources.md`` section 3).

GET /v1/boards/{board}                 -> {"name", "content"}        (company name)
GET /v1/boards/{board}/jobs?content=true -> {"jobs": [...], "meta": {"total": N}}  (whole board)
GET /v1/boards/{board}/jobs/{id}?pay_transparency=true -> one job + "pay_input_ranges"
"""

from __future__ import annotations

import logging
from typing import Any

from scraper.items import Posting, new_posting
from scraper.parsers.normalize import (
    clean_text,
    decode_html,
    employment_type,
    html_to_text,
    infer_salary_unit,
    iso_date,
    parse_location,
    split_locations,
)
from scraper.parsers.pay import salary_from_text

logger = logging.getLogger(__name__)

API_ORIGIN = "https://boards-api.greenhouse.io"


def board_url(origin: str, board: str) -> str:
    return f"{origin}/v1/boards/{board}"


def jobs_url(origin: str, board: str) -> str:
    return f"{origin}/v1/boards/{board}/jobs?content=true"


def job_url(origin: str, board: str, job_id: str | int) -> str:
    return f"{origin}/v1/boards/{board}/jobs/{job_id}?pay_transparency=true"


def parse_board_name(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        raise ValueError("board payload is not an object")
    return clean_text(payload.get("name"))


def parse_jobs_list(payload: Any) -> list[dict[str, Any]]:
    """The list of job objects; a payload without a ``jobs`` list is a structural error."""
    if not isinstance(payload, dict) or not isinstance(payload.get("jobs"), list):
        raise ValueError("jobs payload has no 'jobs' list")
    return [job for job in payload["jobs"] if isinstance(job, dict)]


def _employment_type(job: dict[str, Any]) -> str | None:
    for field in job.get("metadata") or []:  # null in some responses, a list in others
        if not isinstance(field, dict):
            continue
        name = str(field.get("name") or "").lower()
        if "employment type" in name or "job type" in name or name in ("type", "schedule", "time type"):
            value = field.get("value")
            if isinstance(value, list):
                value = value[0] if value else None
            mapped = employment_type(value)
            if mapped:
                return mapped
    # Otherwise only what the title says plainly ("Medical Assistant - Part-Time").
    title = job.get("title") or ""
    mapped = employment_type(title)
    return mapped if mapped != "OTHER" else None


def _location(
    job: dict[str, Any],
) -> tuple[tuple[str | None, str | None, str | None], list[list[str | None]], bool]:
    name = clean_text((job.get("location") or {}).get("name")) or ""
    offices = [o for o in job.get("offices") or [] if isinstance(o, dict)]
    remote = name.lower().startswith("remote") or any(
        str(o.get("name") or "").strip().lower() == "remote" for o in offices
    )
    places = [parse_location(part) for part in split_locations(name)]
    places = [p for p in places if p[0] or p[1]]
    if not places:  # "Multiple Locations", "USA - Remote": fall back to the offices
        places = [parse_location(o.get("location")) for o in offices if o.get("location")]
        places = [p for p in places if p[0] or p[1]]
    primary = places[0] if places else (None, None, "US" if "usa" in name.lower() else None)
    return primary, [[city, state] for city, state, _ in places], remote


def _pay(detail: dict[str, Any] | None, text: str | None) -> dict[str, Any]:
    ranges = (detail or {}).get("pay_input_ranges") or []
    for pay in ranges:
        if not isinstance(pay, dict):
            continue
        low = pay.get("min_cents")
        high = pay.get("max_cents")
        if low is None and high is None:
            continue
        low_v = float(low) / 100 if low is not None else None
        high_v = float(high) / 100 if high is not None else None
        unit = infer_salary_unit(high_v or low_v, pay.get("title"), html_to_text(pay.get("blurb")))
        if unit is None:
            logger.warning(
                "greenhouse: pay %s-%s has no unit and an ambiguous size; unit left unknown", low_v, high_v
            )
        return {
            "salary_min": low_v if low_v is not None else high_v,
            "salary_max": high_v if high_v is not None else low_v,
            "salary_unit": unit,
            "salary_currency": pay.get("currency_type") or "USD",
            "salary_source": "structured",
        }
    return salary_from_text(text)


def parse_job(
    job: dict[str, Any],
    detail: dict[str, Any] | None = None,
    *,
    board: str,
    board_name: str | None = None,
) -> Posting:
    """One Greenhouse job (list entry, plus its detail when fetched) -> a posting."""
    merged = {**job, **(detail or {})}
    if merged.get("id") is None or not merged.get("title"):
        raise ValueError("Greenhouse job without id or title")
    html = decode_html(merged.get("content"))
    text = html_to_text(html)
    (city, state, country), all_locations, remote = _location(merged)
    departments = [
        d.get("name") for d in merged.get("departments") or [] if isinstance(d, dict) and d.get("name")
    ]
    return new_posting(
        "greenhouse",
        str(merged["id"]),
        clean_text(merged["title"]) or "",
        url=merged.get("absolute_url"),
        company=clean_text(merged.get("company_name")) or board_name,
        city=city,
        state=state,
        country=country,
        remote=remote,
        employment_type=_employment_type(merged),
        date_posted=iso_date(merged.get("first_published")) or iso_date(merged.get("updated_at")),
        description_html=html,
        description_text=text,
        all_locations=all_locations,
        department=", ".join(departments) or None,
        raw={"board": board, **merged},
        **_pay(detail, text),
    )
