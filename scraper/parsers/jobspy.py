"""JobSpy CSV rows -> postings (speedyapply/JobSpy ``scrape_jobs(...).to_csv(...)``).

JobSpy's columns (``jobspy/util.py`` ``desired_order``; the ones read here): ``id`` (site-prefixed,
e.g. ``in-…``, ``li-…``), ``site`` (indeed, linkedin, zip_recruiter, glassdoor, google, …),
``job_url``, ``job_url_direct`` (the employer's own page), ``title``, ``company``, ``location``
("City, ST, Country" from ``Location.display_location``), ``date_posted`` (ISO date),
``job_type`` ("fulltime, parttime": comma-joined ``JobType`` values), ``salary_source``
(``direct_data`` or ``description``), ``interval`` (yearly, monthly, weekly, daily, hourly),
``min_amount``, ``max_amount``, ``currency``, ``is_remote``, ``description`` (Markdown by default,
or HTML with ``description_format="html"``). The rest (company_*, emails, skills, …) stays in
``raw``. Pure: a row (dict of strings) in, a posting out; a row that cannot be a posting raises
:class:`JobSpyRowError`. :func:`drop_implausible` then nulls pay and dates that cannot be right
(given today's date: the import's clock).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from scraper.items import Posting, is_usd, new_posting
from scraper.parsers.normalize import (
    ANNUAL_FACTORS,
    annualize,
    clean_text,
    decode_html,
    employment_type,
    html_to_text,
    infer_salary_unit,
    iso_date,
    parse_location,
    to_float,
)

SOURCE = "jobspy"
INTERVALS = {"hourly": "HOUR", "daily": "DAY", "weekly": "WEEK", "monthly": "MONTH", "yearly": "YEAR"}
SALARY_SOURCES = {"direct_data": "structured", "description": "description"}
TRUE = {"true", "1", "yes", "y", "t"}
# data/guide.yaml's rules.plausible_annual_pay, the bounds the report keeps pay within (a test holds
# the two together): pay outside them once annualized is a slip, not a wage.
PLAUSIBLE_ANNUAL_PAY = (10_000.0, 300_000.0)
EARLIEST_DATE = date(2000, 1, 1)  # job boards' postings are not older
SALARY_FIELDS = ("salary_min", "salary_max", "salary_unit", "salary_currency", "salary_source")
AMOUNT_COLUMNS = ("min_amount", "max_amount")


class JobSpyRowError(ValueError):
    """A row without what makes a posting (a title; an id or a URL)."""


def _value(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    if value is None:
        return None
    text = str(value).strip()
    return None if text == "" or text.lower() in ("nan", "none", "null") else text


def source_id(row: Mapping[str, Any]) -> str:
    """JobSpy's own id; without one, a hash of site and job URL (stable across exports)."""
    given = _value(row, "id")
    if given:
        return given
    url = _value(row, "job_url") or _value(row, "job_url_direct")
    if not url:
        raise JobSpyRowError("row has neither an id nor a job_url")
    site = _value(row, "site") or ""
    return "url-" + hashlib.sha1(f"{site}|{url}".encode()).hexdigest()[:16]


_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w))")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*", re.M)
_MD_BULLET = re.compile(r"^\s*[*+]\s+", re.M)


def markdown_to_text(value: str | None) -> str | None:
    """Plain text from JobSpy's Markdown: escapes, emphasis, headings and link syntax dropped."""
    if not value:
        return None
    # Escaped characters are set aside first, so "\\*" is not taken for emphasis.
    text = _MD_ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), value)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_BULLET.sub("- ", text)
    text = _MD_EMPHASIS.sub("", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - 0xE000), text)
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line) or None


def _description(value: str | None) -> tuple[str | None, str | None]:
    """(html, text): HTML when JobSpy was asked for it, else Markdown or plain text."""
    if not value:
        return None, None
    if re.search(r"</?(?:p|div|br|li|ul|ol|h\d|strong|b|span)\b[^>]*>", value, re.I):
        html = decode_html(value)
        return html, html_to_text(html)
    return None, markdown_to_text(value)


def _salary(row: Mapping[str, Any]) -> dict[str, Any]:
    low, high = to_float(_value(row, "min_amount")), to_float(_value(row, "max_amount"))
    if low is None and high is None:
        return {}
    low, high = (low if low is not None else high), (high if high is not None else low)
    if low is not None and high is not None and low > high:
        low, high = high, low
    unit = INTERVALS.get((_value(row, "interval") or "").lower()) or infer_salary_unit(low)
    source = SALARY_SOURCES.get((_value(row, "salary_source") or "").lower(), "structured")
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_unit": unit,
        "salary_currency": (_value(row, "currency") or "USD").upper(),
        "salary_source": source,
    }


def parse_row(row: Mapping[str, Any], *, fetched_at: str | None = None) -> Posting:
    """One JobSpy CSV row (column name -> text) -> a posting with ``source="jobspy"``."""
    title = clean_text(_value(row, "title"))
    if not title:
        raise JobSpyRowError("row has no title")
    site = (_value(row, "site") or "unknown").lower()
    city, state, country = parse_location(_value(row, "location"))
    description_html, description_text = _description(_value(row, "description"))
    return new_posting(
        SOURCE,
        source_id(row),
        title,
        source_key=f"{SOURCE}:{site}",
        url=_value(row, "job_url_direct") or _value(row, "job_url"),
        company=clean_text(_value(row, "company")),
        city=city,
        state=state,
        country=country,
        remote=(_value(row, "is_remote") or "").lower() in TRUE,
        employment_type=employment_type(_value(row, "job_type")),
        date_posted=iso_date(_value(row, "date_posted")),
        description_html=description_html,
        description_text=description_text,
        all_locations=[[city, state]] if city or state else [],
        raw={k: v for k, v in row.items() if k and _value(row, k) is not None},
        fetched_at=fetched_at,
        **_salary(row),
    )


def _implausible_pay(posting: Mapping[str, Any]) -> bool:
    """An amount cell that is no number (inf, "twenty"), or a dollar amount outside the plausible
    yearly pay once annualized for its unit (0, negative, 1e308; a range in mixed units)."""
    raw = posting.get("raw") or {}
    if any(to_float(raw[c]) is None for c in AMOUNT_COLUMNS if c in raw):
        return True
    unit = posting.get("salary_unit")
    if unit not in ANNUAL_FACTORS:  # no unit to judge by (views and report leave such pay out)
        return False
    if not is_usd(posting.get("salary_currency")):  # dollar bounds do not apply (nor is it read as pay)
        return False
    low, high = PLAUSIBLE_ANNUAL_PAY
    amounts = (posting.get("salary_min"), posting.get("salary_max"))
    return any(not low <= (annualize(a, unit) or 0) <= high for a in amounts if a is not None)


def _impossible_date(value: str | None, today: date) -> bool:
    return value is not None and not EARLIEST_DATE <= date.fromisoformat(value) <= today + timedelta(days=1)


def drop_implausible(posting: Posting, today: date) -> list[str]:
    """Null the pay and ``date_posted`` that cannot be right, keeping the posting; returns what was
    dropped (``"pay"``, ``"date_posted"``). All of the pay goes: one end of a slip is no wage either."""
    dropped = []
    if _implausible_pay(posting):
        for name in SALARY_FIELDS:
            posting[name] = None  # type: ignore[literal-required]
        dropped.append("pay")
    if _impossible_date(posting.get("date_posted"), today):
        posting["date_posted"] = None
        dropped.append("date_posted")
    return dropped
