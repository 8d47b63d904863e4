"""Workday candidate-experience (CXS) JSON -> postings (``../shared/sources.md`` section 5).

    POST {root}/jobs   {"appliedFacets": {...}, "limit": 20, "offset": N, "searchText": "..."}
                       -> {"total": T (first page only), "jobPostings": [...], "facets": [...]}
    GET  {root}{externalPath}
                       -> {"jobPostingInfo": {...}, "hiringOrganization": {"name"}, "similarJobs": [...]}

where ``root`` is ``https://{host}/wday/cxs/{tenant}/{site}``. The API is undocumented: every
field may be missing, so each has a small helper with its fallbacks. No clock here: the list's
relative ``postedOn`` ("Posted 4 Days Ago") is resolved against the run date passed in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from scraper.items import Posting, new_posting
from scraper.parsers.normalize import (
    clean_text,
    country_code,
    employment_type,
    html_to_text,
    iso_date,
    parse_location,
    relative_date,
)
from scraper.parsers.pay import salary_from_text

logger = logging.getLogger(__name__)

# Some tenants answer HTTP 400 to a larger limit.
PAGE_SIZE = 20

_PER_DIEM_TITLE = re.compile(r"per[\s_-]?diem|\bprn\b", re.I)


@dataclass(frozen=True)
class Board:
    """One Workday career site, from its CXS root URL."""

    host: str  # the REAL host ({tenant}.wd{N}.myworkdayjobs.com), never a test mirror's
    tenant: str
    site: str

    @property
    def public_origin(self) -> str:
        return f"https://{self.host}"


def board_from_url(url: str) -> Board:
    """``https://{host}/wday/cxs/{tenant}/{site}`` -> :class:`Board`; ValueError otherwise."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    try:
        i = segments.index("cxs")
        tenant, site = segments[i + 1], segments[i + 2]
    except (ValueError, IndexError):
        raise ValueError(
            f"not a Workday CXS root (https://{{host}}/wday/cxs/{{tenant}}/{{site}}): {url}"
        ) from None
    if not parts.netloc:
        raise ValueError(f"Workday URL without a host: {url}")
    return Board(host=parts.netloc, tenant=tenant, site=site)


def list_url(root: str) -> str:
    return f"{root.rstrip('/')}/jobs"


def list_body(
    offset: int, search: str | None, applied_facets: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The list POST body; ``limit`` stays at 20 (the documented maximum)."""
    return {
        "appliedFacets": dict(applied_facets or {}),
        "limit": PAGE_SIZE,
        "offset": int(offset),
        "searchText": search or "",
    }


def detail_url(root: str, external_path: str) -> str:
    return f"{root.rstrip('/')}{external_path}"


@dataclass(frozen=True)
class ListPage:
    total: int | None  # meaningful on the first page only; later pages may say 0
    postings: list[dict[str, Any]]


def parse_list_page(payload: Any) -> ListPage:
    """One list page; a payload without a ``jobPostings`` list is a structural error."""
    if not isinstance(payload, dict) or not isinstance(payload.get("jobPostings"), list):
        raise ValueError("Workday list payload has no 'jobPostings' list")
    total = payload.get("total")
    try:
        total_n = int(total) if total is not None and not isinstance(total, bool) else None
    except (TypeError, ValueError):
        total_n = None
    return ListPage(total=total_n, postings=[p for p in payload["jobPostings"] if isinstance(p, dict)])


def posting_info(detail: Any) -> dict[str, Any] | None:
    """``jobPostingInfo`` of a detail payload, or None when the payload is not a detail."""
    if isinstance(detail, dict) and isinstance(detail.get("jobPostingInfo"), dict):
        return detail["jobPostingInfo"]
    return None


def job_req_id(item: dict[str, Any], info: dict[str, Any] | None) -> str | None:
    """``jobReqId`` from the detail, else ``bulletFields[0]``, else the text after the last ``_``
    of ``externalPath`` (``.../Medical-Assistant_JR-55120`` -> ``JR-55120``)."""
    value = clean_text((info or {}).get("jobReqId"))
    if value:
        return value
    bullets = item.get("bulletFields")
    if isinstance(bullets, list) and bullets:
        value = clean_text(bullets[0])
        if value:
            return value
    path = str(item.get("externalPath") or (info or {}).get("externalPath") or "")
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    if "_" in tail:
        value = clean_text(tail.rsplit("_", 1)[-1])
        if value:
            return value
    return None


def _locations(
    item: dict[str, Any], info: dict[str, Any] | None
) -> tuple[tuple[str | None, str | None, str | None], list[list[str | None]]]:
    """Primary (city, state, country) and all (city, state) pairs.

    The detail ``location`` ("City, ST") comes first, then the list's ``locationsText`` in its
    tenant format. "N Locations" parses to nothing, so the detail ``location`` plus
    ``additionalLocations[]`` carry it. ``jobRequisitionLocation.descriptor`` is skipped: it is
    usually a facility name. A candidate that names a state wins over one that does not (a
    facility name is not a city).
    """
    info = info or {}
    candidates: list[str] = []
    for value in (info.get("location"), item.get("locationsText")):
        if isinstance(value, str) and value.strip():
            candidates.append(value)
    extra = info.get("additionalLocations")
    extras = [v for v in extra if isinstance(v, str) and v.strip()] if isinstance(extra, list) else []
    parsed = [parse_location(v) for v in candidates]
    with_state = [p for p in parsed if p[1]]
    with_city = [p for p in parsed if p[0]]
    with_country = [p for p in parsed if p[2]]  # "USA - Remote": no place, but a country
    primary = (with_state or with_city or with_country or [(None, None, None)])[0]
    places = [primary] if primary[0] or primary[1] else []
    for value in extras:
        place = parse_location(value)
        if (place[0] or place[1]) and place not in places:
            places.append(place)
    return primary, [[city, state] for city, state, _ in places]


def _country(info: dict[str, Any] | None, fallback: str | None) -> str | None:
    info = info or {}
    country = info.get("country")
    if isinstance(country, dict):
        code = country_code(country.get("alpha2Code")) or country_code(country.get("descriptor"))
        if code:
            return code
    req_loc = info.get("jobRequisitionLocation")
    if isinstance(req_loc, dict) and isinstance(req_loc.get("country"), dict):
        rc = req_loc["country"]
        code = country_code(rc.get("alpha2Code")) or country_code(rc.get("descriptor"))
        if code:
            return code
    return fallback


def _employment_type(title: str, item: dict[str, Any], info: dict[str, Any] | None) -> str | None:
    # Per-diem/PRN is usually only in the title, while timeType says "Part time".
    if _PER_DIEM_TITLE.search(title):
        return "PER_DIEM"
    return employment_type((info or {}).get("timeType") or item.get("timeType"))


def _is_remote(item: dict[str, Any], info: dict[str, Any] | None) -> bool:
    values = ((info or {}).get("remoteType"), item.get("remoteType"))
    return any(isinstance(v, str) and v.strip().lower() == "remote" for v in values)


def _date_posted(item: dict[str, Any], info: dict[str, Any] | None, today: date) -> str | None:
    info = info or {}
    return iso_date(info.get("startDate")) or relative_date(
        info.get("postedOn") or item.get("postedOn"), today
    )


def _pay(text: str | None) -> dict[str, Any]:
    # Workday has no structured pay: only the pay-transparency text.
    return salary_from_text(text)


def parse_job(
    item: dict[str, Any],
    detail: Any = None,
    *,
    board: Board,
    today: date,
    company: str | None = None,
) -> Posting:
    """One list entry (plus its detail payload when it was fetched) -> a posting.

    ``board`` names the real host: the fallback URL is public even when the crawl ran against a
    mirror. Without a detail the posting keeps what the list gave (no description, no pay).
    """
    info = posting_info(detail)
    title = clean_text((info or {}).get("title") or item.get("title"))
    if not title:
        raise ValueError("Workday posting without a title")
    req_id = job_req_id(item, info)
    if not req_id:
        raise ValueError(f"Workday posting without jobReqId: {item.get('externalPath')!r}")
    external_path = item.get("externalPath") or (info or {}).get("externalPath")
    url = (info or {}).get("externalUrl") or (
        f"{board.public_origin}/{board.site}{external_path}" if external_path else None
    )
    html = (info or {}).get("jobDescription") or None  # plain HTML, not entity-escaped
    text = html_to_text(html)
    (city, state, place_country), all_locations = _locations(item, info)
    org = detail.get("hiringOrganization") if isinstance(detail, dict) else None
    org_name = clean_text(org.get("name")) if isinstance(org, dict) else None
    raw: dict[str, Any] = {
        "tenant": board.tenant,
        "site": board.site,
        "externalPath": external_path,
        "list": item,
    }
    if isinstance(detail, dict):
        raw["detail"] = {k: v for k, v in detail.items() if k != "similarJobs"}
    return new_posting(
        "workday",
        f"{board.tenant}:{req_id}",
        title,
        url=url,
        company=org_name or company,
        city=city,
        state=state,
        country=_country(info, place_country),
        remote=_is_remote(item, info),
        employment_type=_employment_type(title, item, info),
        date_posted=_date_posted(item, info, today),
        description_html=html,
        description_text=text,
        all_locations=all_locations,
        raw=raw,
        **_pay(text),
    )
