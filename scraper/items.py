"""The one normalized posting record, used by every parser, pipeline, the store and the matcher.

Parsers return plain dicts made by :func:`new_posting`; field names follow schema.org
``JobPosting`` where one exists. See ``../shared/sources.md`` section 1 for the rule behind each
field. ``raw`` keeps the source's own JSON (or JSON-LD node) as-is, for debugging and the matcher.
"""

from __future__ import annotations

from typing import Any, TypedDict

SOURCES = ("jsonld", "greenhouse", "lever", "workday", "usajobs", "jobspy")
# ``salary_currency`` values that mean US dollars (sites write "$" or "US$" in JSON-LD, JobSpy
# exports "USD"); no currency at all also means dollars, as every source here is US.
USD_SPELLINGS = ("USD", "$", "US$", "US DOLLAR", "US DOLLARS")


def is_usd(currency: str | None) -> bool:
    return currency is None or currency.strip().upper() in USD_SPELLINGS


EMPLOYMENT_TYPES = (
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
)
SALARY_UNITS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")
SALARY_SOURCES = ("structured", "description")


class Posting(TypedDict):
    source: str  # one of SOURCES
    source_id: str  # stable id within the source; (source, source_id) is the key
    source_key: str | None  # which sources-file entry found it, e.g. "greenhouse:onemedical"
    url: str | None
    title: str
    company: str | None
    city: str | None
    state: str | None  # USPS code
    postal_code: str | None
    country: str | None  # ISO 3166-1 alpha-2
    remote: bool
    employment_type: str | None  # one of EMPLOYMENT_TYPES
    date_posted: str | None  # YYYY-MM-DD, as the source wrote it; never invented
    valid_through: str | None
    salary_min: float | None  # in the posting's own unit
    salary_max: float | None
    salary_unit: str | None  # one of SALARY_UNITS
    salary_currency: str | None
    salary_source: str | None  # "structured" or "description"
    description_html: str | None
    description_text: str | None
    all_locations: list[list[str | None]]  # [[city, state], ...]
    department: str | None
    raw: Any
    fetched_at: str | None  # ISO datetime (UTC) of the fetch


POSTING_FIELDS: tuple[str, ...] = tuple(Posting.__annotations__)

# Fields whose change means the posting itself changed (content_hash covers these).
CONTENT_FIELDS: tuple[str, ...] = tuple(
    f for f in POSTING_FIELDS if f not in ("raw", "fetched_at", "source_key", "date_posted")
)


def posting_id(source: str, source_id: str) -> str:
    """The stable key of a posting in the store: ``"<source>:<source_id>"``."""
    return f"{source}:{source_id}"


def new_posting(source: str, source_id: str, title: str, **fields: Any) -> Posting:
    """A posting with every field present (``None`` where unknown, never guessed)."""
    unknown = set(fields) - set(POSTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown posting fields: {sorted(unknown)}")
    record: dict[str, Any] = dict.fromkeys(POSTING_FIELDS)
    record.update(remote=False, all_locations=[])
    record.update(fields)
    record.update(source=source, source_id=str(source_id), title=title)
    return record  # type: ignore[return-value]
