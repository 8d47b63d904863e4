"""USAJOBS Search API payloads -> postings (``../shared/sources.md`` section 6).

    GET /api/search?Keyword=...&JobCategoryCode=0640;0679&ResultsPerPage=N&Page=P
        -> {"SearchResult": {"SearchResultCount": n, "SearchResultCountAll": N,
                             "SearchResultItems": [{"MatchedObjectId", "MatchedObjectDescriptor"}]}}

Every request needs ``Authorization-Key: <key>`` and ``User-Agent: <the key's e-mail>``. Amounts
are strings ("$39,576.00"), ``CityName`` often carries the state and ``CountrySubDivisionCode``
is a full state name; the text fields are plain text with occasional HTML.
"""

from __future__ import annotations

import html
import logging
import re
from typing import Any
from urllib.parse import quote, urlencode

from scraper.items import Posting, new_posting
from scraper.parsers.normalize import (
    clean_text,
    country_code,
    decode_html,
    employment_type,
    html_to_text,
    iso_date,
    parse_location,
    state_code,
    to_float,
)

logger = logging.getLogger(__name__)

API_ORIGIN = "https://data.usajobs.gov"
SEARCH_PATH = "/api/search"
DEFAULT_JOB_CATEGORY_CODES = "0640;0679"  # Health Aid and Technician; Medical Support Assistance
DEFAULT_RESULTS_PER_PAGE = 250
MAX_RESULTS_PER_PAGE = 500

# RateIntervalCode -> unit; any other code (PM, PW, BW, WC, ...) keeps its figures, unit unknown.
# Older payloads spell the interval out ("Per Year"), as ``Description`` still does.
RATE_UNITS: dict[str, str] = {
    "PA": "YEAR",
    "PH": "HOUR",
    "PD": "DAY",
    "PER YEAR": "YEAR",
    "PER HOUR": "HOUR",
    "PER DAY": "DAY",
}


class SearchParams:
    """The query of one search, from a source's options (``keyword``, ``job_category_codes``...)."""

    def __init__(
        self,
        *,
        keyword: str | None = None,
        job_category_codes: str | list[str] | None = DEFAULT_JOB_CATEGORY_CODES,
        location: str | None = None,
        results_per_page: int | None = None,
        date_posted: int | None = None,
    ) -> None:
        if isinstance(job_category_codes, (list, tuple)):
            job_category_codes = ";".join(str(c).strip() for c in job_category_codes)
        self.keyword = keyword
        self.job_category_codes = job_category_codes
        self.location = location
        self.results_per_page = _bounded_int("results_per_page", results_per_page, 1, MAX_RESULTS_PER_PAGE)
        self.date_posted = _bounded_int("date_posted", date_posted, 0, 60)

    def url(self, origin: str, page: int) -> str:
        query: dict[str, Any] = {}
        if self.keyword:
            query["Keyword"] = self.keyword
        if self.job_category_codes:
            query["JobCategoryCode"] = self.job_category_codes  # several codes joined with ";"
        if self.location:
            query["LocationName"] = self.location
        if self.date_posted is not None:
            query["DatePosted"] = self.date_posted
        query["ResultsPerPage"] = self.results_per_page or DEFAULT_RESULTS_PER_PAGE
        query["Page"] = page
        return f"{origin}{SEARCH_PATH}?{urlencode(query, quote_via=quote)}"


def _bounded_int(name: str, value: Any, low: int, high: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high} (got {value!r})")
    return value


def parse_search_page(payload: Any) -> tuple[list[dict[str, Any]], int]:
    """(items, SearchResultCountAll) of one page; a payload without ``SearchResult`` is an error."""
    if not isinstance(payload, dict) or not isinstance(payload.get("SearchResult"), dict):
        raise ValueError("USAJOBS answer has no SearchResult object")
    result = payload["SearchResult"]
    items = result.get("SearchResultItems")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValueError(f"SearchResultItems is {type(items).__name__}, not a list")
    count_all = to_float(result.get("SearchResultCountAll"))
    return [i for i in items if isinstance(i, dict)], int(count_all or 0)


def _first(value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _place(location: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(city, state, country) of one ``PositionLocation`` entry."""
    city_name = clean_text(location.get("CityName")) or clean_text(location.get("LocationName")) or ""
    city, parsed_state, parsed_country = parse_location(city_name)
    if city and "," in city_name:
        city = clean_text(city_name.split(",", 1)[0])  # "Muskogee, Oklahoma" -> "Muskogee"
    state = state_code(location.get("CountrySubDivisionCode")) or parsed_state
    country = country_code(location.get("CountryCode")) or parsed_country or ("US" if state else None)
    return city, state, country


def _locations(
    mod: dict[str, Any],
) -> tuple[tuple[str | None, str | None, str | None], list[list[str | None]]]:
    entries = [loc for loc in mod.get("PositionLocation") or [] if isinstance(loc, dict)]
    places = [_place(loc) for loc in entries]
    # The primary is PositionLocation[0] even when it is "Location Negotiable After Selection":
    # the other places are where the job *may* be, kept in all_locations.
    primary = places[0] if places else (None, None, None)
    return primary, [[city, state] for city, state, _ in places if city or state]


def _salary(mod: dict[str, Any]) -> dict[str, Any]:
    pay = _first(mod.get("PositionRemuneration"))
    low, high = to_float(pay.get("MinimumRange")), to_float(pay.get("MaximumRange"))
    if low is None and high is None:
        return {}
    code = str(pay.get("RateIntervalCode") or pay.get("Description") or "").strip().upper()
    unit = RATE_UNITS.get(code)
    if unit is None:
        logger.info("usajobs: rate interval %r has no unit of ours; unit left unknown", code)
    return {
        "salary_min": low if low is not None else high,
        "salary_max": high if high is not None else low,
        "salary_unit": unit,
        "salary_currency": "USD",
        "salary_source": "structured",
    }


_TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def _as_html(value: Any) -> str | None:
    """A text field as HTML: HTML stays as sent, entity-escaped HTML is decoded (once, or twice
    when double-encoded), plain text is escaped with its line breaks kept."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    if _TAG.search(value):
        return value
    decoded = decode_html(value) or ""
    if _TAG.search(decoded):  # "&lt;p&gt;..." was HTML sent escaped
        return decoded
    lines = (html.escape(line.strip(), quote=False) for line in html.unescape(value).splitlines())
    return "<br>".join(line for line in lines if line) or None


def _sections(mod: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(heading, [HTML paragraphs]) for summary, duties, qualifications, education, requirements."""
    details = (mod.get("UserArea") or {}).get("Details") or {}
    if not isinstance(details, dict):
        details = {}

    def field(name: str) -> Any:
        value = details.get(name)
        return value if value not in (None, "", []) else mod.get(name)

    duties = field("MajorDuties")
    if not isinstance(duties, list):
        duties = [duties]
    out: list[tuple[str, list[str]]] = []
    for heading, values in (
        ("Summary", [field("JobSummary")]),
        ("Duties", duties),
        ("Qualifications", [field("QualificationSummary")]),
        ("Education", [field("Education")]),
        ("Requirements", [field("Requirements")]),
    ):
        paragraphs = [p for p in (_as_html(v) for v in values) if p]
        if paragraphs:
            out.append((heading, paragraphs))
    return out


def _descriptions(mod: dict[str, Any]) -> tuple[str | None, str | None]:
    """(description_html, description_text): one headed section per field, duties as a list."""
    parts: list[str] = []
    for heading, paragraphs in _sections(mod):
        parts.append(f"<h3>{heading}</h3>")
        if heading == "Duties" and len(paragraphs) > 1:
            parts.append("<ul>" + "".join(f"<li>{p}</li>" for p in paragraphs) + "</ul>")
        else:
            parts.extend(p if _TAG.match(p) else f"<p>{p}</p>" for p in paragraphs)
    description = "\n".join(parts) or None
    return description, html_to_text(description)


def _remote(mod: dict[str, Any]) -> bool:
    details = (mod.get("UserArea") or {}).get("Details") or {}
    flag = details.get("RemoteIndicator") if isinstance(details, dict) else None
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def parse_item(item: dict[str, Any]) -> Posting:
    """One ``SearchResultItems`` entry -> a posting (``raw`` keeps the whole item)."""
    mod = item.get("MatchedObjectDescriptor")
    if not isinstance(mod, dict):
        raise ValueError("USAJOBS item without MatchedObjectDescriptor")
    control_number = clean_text(item.get("MatchedObjectId"))
    title = clean_text(mod.get("PositionTitle"))
    if not control_number or not title:
        raise ValueError(f"USAJOBS item without MatchedObjectId or PositionTitle ({mod.get('PositionID')})")
    (city, state, country), all_locations = _locations(mod)
    description_html, description_text = _descriptions(mod)
    return new_posting(
        "usajobs",
        control_number,
        title,
        url=clean_text(mod.get("PositionURI")),
        company=clean_text(mod.get("OrganizationName")),
        city=city,
        state=state,
        country=country,
        remote=_remote(mod),
        employment_type=employment_type(clean_text(_first(mod.get("PositionSchedule")).get("Name"))),
        date_posted=iso_date(mod.get("PublicationStartDate")),
        valid_through=iso_date(mod.get("ApplicationCloseDate")),
        description_html=description_html,
        description_text=description_text,
        all_locations=all_locations,
        department=clean_text(mod.get("DepartmentName")),
        raw=item,
        **_salary(mod),
    )
