"""Lever Postings API payloads -> postings (``../shared/sources.md`` section 4).

    GET /v0/postings/{site}?mode=json[&skip=N&limit=M] -> a bare JSON array of postings (no total)

Never ``group=``: it turns the array into ``[{"title": ..., "postings": [...]}]``. The payload
carries no company name (it comes from the sources file) and the requirements usually live only
in ``lists``, so both description fields include the lists. Lever's HTML fields are plain HTML,
not entity-escaped, so they are used as sent (unescaping them would turn ``&lt;`` text into tags).
"""

from __future__ import annotations

import html
import logging
from typing import Any
from urllib.parse import urlencode

from scraper.items import Posting, new_posting
from scraper.parsers.normalize import (
    clean_text,
    country_code,
    employment_type,
    epoch_ms_to_date,
    html_to_text,
    parse_location,
    to_float,
)
from scraper.parsers.pay import salary_from_text

logger = logging.getLogger(__name__)

API_ORIGIN = "https://api.lever.co"
EU_API_ORIGIN = "https://api.eu.lever.co"

# salaryRange.interval -> our unit. bi-week-salary, semi-month-salary and one-time have no unit
# in our set: their figures are kept as sent, with the unit unknown.
INTERVAL_UNITS: dict[str, str | None] = {
    "per-hour-wage": "HOUR",
    "per-day-wage": "DAY",
    "per-week-salary": "WEEK",
    "per-month-salary": "MONTH",
    "per-year-salary": "YEAR",
    "bi-week-salary": None,
    "semi-month-salary": None,
    "one-time": None,
}


def postings_url(origin: str, site: str, *, skip: int | None = None, limit: int | None = None) -> str:
    """The list endpoint; ``skip``/``limit`` only when paging (never ``group=``)."""
    query: dict[str, Any] = {"mode": "json"}
    if limit is not None:
        query.update(skip=skip or 0, limit=limit)
    return f"{origin}/v0/postings/{site}?{urlencode(query)}"


def parse_postings_list(payload: Any) -> list[dict[str, Any]]:
    """The postings of one list page; any other shape is a structural error."""
    if isinstance(payload, dict):
        # {"ok": false, "error": "Document not found"} for an unknown site
        raise ValueError(
            f"Lever answered an object, not a list: {str(payload.get('error') or payload)[:200]}"
        )
    if not isinstance(payload, list):
        raise ValueError(f"Lever answered {type(payload).__name__}, not a list")
    postings = [p for p in payload if isinstance(p, dict)]
    if postings and all("postings" in p and "id" not in p for p in postings):
        raise ValueError("Lever answered grouped postings (was group= sent?)")
    return postings


def _location(
    posting: dict[str, Any],
) -> tuple[tuple[str | None, str | None, str | None], list[list[str | None]]]:
    categories = posting.get("categories") or {}
    primary = parse_location(categories.get("location"))
    everywhere = categories.get("allLocations")
    if not isinstance(everywhere, list) or not everywhere:
        everywhere = [categories.get("location")] if categories.get("location") else []
    places = [parse_location(str(loc)) for loc in everywhere if loc]
    all_locations = [[city, state] for city, state, _ in places if city or state]
    return primary, all_locations


def _salary(posting: dict[str, Any], text: str | None) -> dict[str, Any]:
    pay = posting.get("salaryRange")
    if isinstance(pay, dict):
        low, high = to_float(pay.get("min")), to_float(pay.get("max"))
        if low is not None or high is not None:
            interval = pay.get("interval")
            unit = INTERVAL_UNITS.get(str(interval)) if interval else None
            if unit is None:
                logger.info(
                    "lever %s: pay interval %r has no unit of ours; unit left unknown",
                    posting.get("id"),
                    interval,
                )
            return {
                "salary_min": low if low is not None else high,
                "salary_max": high if high is not None else low,
                "salary_unit": unit,
                "salary_currency": clean_text(pay.get("currency")),
                "salary_source": "structured",
            }
    # salaryRange is missing on many postings: fall back to a pay line in the text (the
    # salaryDescription field first, where employers put their pay-transparency note).
    return salary_from_text(html_to_text(posting.get("salaryDescriptionPlain")), text)


def _lists(posting: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    """(heading, content HTML) of each of ``lists``; the content is bare ``<li>`` elements."""
    out = []
    for item in posting.get("lists") or []:
        if isinstance(item, dict):
            heading = clean_text(item.get("text"))
            content = _html(item.get("content"))
            if heading or content:
                out.append((heading, content))
    return out


def _html(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _plain_as_html(value: Any) -> str | None:
    """A ``...Plain`` field as HTML, for a posting that came without the HTML twin."""
    if not isinstance(value, str) or not value.strip():
        return None
    lines = [html.escape(line.strip(), quote=False) for line in value.strip().splitlines()]
    return "<div>" + "<br>".join(lines) + "</div>"


def description_html(posting: dict[str, Any]) -> str | None:
    """``description`` + each list (heading + ``<ul>`` content) + ``additional``."""
    parts: list[str] = []
    if body := _html(posting.get("description")) or _plain_as_html(posting.get("descriptionPlain")):
        parts.append(body)
    for heading, content in _lists(posting):
        if heading:
            parts.append(f"<h3>{html.escape(heading, quote=False)}</h3>")
        if content:
            parts.append(f"<ul>{content}</ul>")
    if additional := _html(posting.get("additional")) or _plain_as_html(posting.get("additionalPlain")):
        parts.append(additional)
    return "\n".join(parts) or None


def _plain(posting: dict[str, Any], plain_key: str, html_key: str) -> str | None:
    """A ``...Plain`` field, or the text of its HTML twin when the plain one is absent."""
    plain = posting.get(plain_key)
    if isinstance(plain, str):
        return html_to_text(plain)
    return html_to_text(_html(posting.get(html_key)))


def description_text(posting: dict[str, Any]) -> str | None:
    """``descriptionPlain`` + each list's heading and the text of its content + ``additionalPlain``."""
    parts = [_plain(posting, "descriptionPlain", "description")]
    for heading, content in _lists(posting):
        parts.append(heading)
        parts.append(html_to_text(f"<ul>{content}</ul>") if content else None)
    parts.append(_plain(posting, "additionalPlain", "additional"))
    return "\n".join(part for part in parts if part) or None


def parse_posting(posting: dict[str, Any], *, site: str, company: str | None = None) -> Posting:
    """One Lever posting -> a posting; ``company`` from the sources file (else the site slug)."""
    if not posting.get("id") or not clean_text(posting.get("text")):
        raise ValueError("Lever posting without id or text")
    categories = posting.get("categories") or {}
    if not isinstance(categories, dict):
        raise ValueError(f"Lever posting {posting['id']}: categories is {type(categories).__name__}")
    (city, state, parsed_country), all_locations = _location(posting)
    text = description_text(posting)
    return new_posting(
        "lever",
        str(posting["id"]),
        clean_text(posting["text"]) or "",
        url=posting.get("hostedUrl"),
        company=clean_text(company) or site,
        city=city,
        state=state,
        country=country_code(posting.get("country")) or parsed_country,
        remote=str(posting.get("workplaceType") or "").lower() == "remote",
        employment_type=employment_type(categories.get("commitment")),
        date_posted=epoch_ms_to_date(posting.get("createdAt")),
        description_html=description_html(posting),
        description_text=text,
        all_locations=all_locations,
        department=clean_text(categories.get("department")) or clean_text(categories.get("team")),
        raw={"site": site, **posting},
        **_salary(posting, text),
    )
