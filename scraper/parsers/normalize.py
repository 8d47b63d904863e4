"""Shared pure helpers for turning source fields into the normalized posting record.

Everything here is payload in, value out: no Scrapy, no I/O, no clock (dates that depend on
"today" take it as an argument).
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, date, datetime, timedelta

from lxml import etree
from lxml import html as lxml_html

# One set of annualization constants for the whole project (JobSpy's): pay is stored in its own
# unit and multiplied by these only where a yearly figure is needed (the report).
ANNUAL_FACTORS: dict[str, int] = {"HOUR": 2080, "DAY": 260, "WEEK": 52, "MONTH": 12, "YEAR": 1}

US_STATES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "district of columbia": "DC",
    "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID", "illinois": "IL",
    "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR",
    "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC", "south dakota": "SD",
    "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT", "virginia": "VA",
    "washington": "WA", "west virginia": "WV", "wisconsin": "WI", "wyoming": "WY",
    "puerto rico": "PR", "guam": "GU", "virgin islands": "VI", "american samoa": "AS",
    "northern mariana islands": "MP", "washington dc": "DC", "washington d.c.": "DC",
}  # fmt: skip
STATE_CODES = frozenset(US_STATES.values())

COUNTRIES = {
    "us": "US", "usa": "US", "u.s.": "US", "u.s.a.": "US", "united states": "US",
    "united states of america": "US", "america": "US",
    "ca": "CA", "can": "CA", "canada": "CA", "pr": "PR", "puerto rico": "PR",
    "gb": "GB", "uk": "GB", "united kingdom": "GB", "mx": "MX", "mexico": "MX",
}  # fmt: skip

_WS = re.compile(r"\s+")


def clean_text(value: object) -> str | None:
    """Decode entities once, collapse whitespace, trim; ``None`` for empty."""
    if value is None:
        return None
    text = _WS.sub(" ", html.unescape(str(value))).strip()
    return text or None


def decode_html(value: str | None) -> str | None:
    """Decode entity-escaped HTML once; a second time only if it was double-encoded."""
    if not value:
        return None
    decoded = html.unescape(value)
    if "&lt;" in decoded:
        decoded = html.unescape(decoded)
    return decoded


_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
    "section", "article", "header", "footer", "blockquote", "pre", "dd", "dt",
)  # fmt: skip


def html_to_text(value: str | None) -> str | None:
    """Plain text from HTML: block elements become line breaks, list items get a bullet.

    lxml does the parsing (ten times BeautifulSoup's speed, and this runs on every posting of a
    crawl); BeautifulSoup takes the fragments lxml refuses.
    """
    if not value:
        return None
    if "<" not in value:
        text = value
    else:
        try:
            text = _lxml_text(value)
        except (etree.ParserError, ValueError):
            text = _soup_text(value)
    lines = (_WS.sub(" ", line).strip() for line in text.replace("\xa0", " ").splitlines())
    out = "\n".join(line for line in lines if line)
    return out or None


_DROP_TAGS = ("script", "style", "noscript", "template")
_BLOCK_SET = frozenset(_BLOCK_TAGS)


def _lxml_text(value: str) -> str:
    root = lxml_html.fragment_fromstring(value, create_parent="div")
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _DROP_TAGS:
            if node.tail:
                parts.append(node.tail)
            return
        if tag == "li":
            parts.append("\n- ")
        elif tag in _BLOCK_SET and tag != "br":
            parts.append("\n")
        if node.text and tag:  # comments and processing instructions carry no text
            parts.append(node.text)
        for child in node:
            walk(child)
        if tag in _BLOCK_SET:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(root)
    return "".join(parts)


def _soup_text(value: str) -> str:
    from bs4 import BeautifulSoup  # only for what lxml refuses: not worth its import on every crawl

    soup = BeautifulSoup(value, "html.parser")
    for bad in soup(list(_DROP_TAGS)):
        bad.decompose()
    for li in soup.find_all("li"):
        li.insert_before("\n- ")
    for tag in soup.find_all(_BLOCK_TAGS):
        if tag.name not in ("br", "li"):  # "two<div>d</div>": a block starts on its own line too
            tag.insert_before("\n")
        tag.insert_after("\n")
    return soup.get_text()


def state_code(value: object) -> str | None:
    """USPS code from a code or a full state name ("Oregon" -> "OR"); ``None`` if unknown."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip().strip(".").strip()
    if v.upper() in STATE_CODES and len(v) == 2:
        return v.upper()
    return US_STATES.get(v.lower())


def country_code(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name") or value.get("alpha2Code") or value.get("descriptor")
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    if len(v) == 2 and v.isalpha():
        return v.upper()
    return COUNTRIES.get(v.lower())


_USELESS_LOCATION = re.compile(
    r"^\s*(?:\d+\s+locations?|multiple\s+locations?|various\s+locations?|location negotiable.*|"
    r"anywhere\b.*|nationwide|tbd|n/?a)\s*$",
    re.I,
)
_REMOTE_WORD = re.compile(r"\b(?:remote|virtual|work from home|telecommute)\b", re.I)
# Workplace qualifiers around a place: "Hybrid - Boston, MA", "Boston, MA (Hybrid)".
_QUALIFIER = re.compile(
    r"^\s*(?:hybrid|on[\s-]?site|in[\s-]office)\s*[-:–]\s*|\s*\((?:hybrid|on[\s-]?site|in[\s-]office)\)\s*$",
    re.I,
)


def split_locations(value: str | None) -> list[str]:
    """A location string may list several places separated by ';' (or ' | ')."""
    if not value:
        return []
    return [part.strip() for part in re.split(r"\s*[;|]\s*", value) if part.strip()]


def parse_location(value: str | None) -> tuple[str | None, str | None, str | None]:
    """(city, state, country) from one free-text location.

    Forms: "City, ST"; "City, State"; "City, ST 12345"; "City, ST, United States";
    "ST - City - Site" (Workday); "US, Arizona, Chandler"; "USA.VA.Reston"; "USA - Remote";
    "Remote - Oregon"; "N Locations" (-> all None).
    """
    first = split_locations(value)  # "A, ST; B, ST": the first is the primary
    if not first or _USELESS_LOCATION.match(first[0]):
        return None, None, None
    text = _QUALIFIER.sub("", clean_text(first[0]) or "")
    country: str | None = None
    if re.fullmatch(r"[A-Za-z]{2,3}\.[A-Za-z]{2}\.[A-Za-z .'-]+", text):  # USA.VA.Reston
        c, st, city = text.split(".", 2)
        return city.strip() or None, state_code(st), country_code(c)
    if " - " in text and "," not in text:  # "OK - Broken Arrow - Site" / "USA - Remote"
        parts = [p.strip() for p in text.split(" - ") if p.strip()]
    else:
        parts = [p.strip() for p in text.split(",") if p.strip()]
    # Drop a trailing ZIP code from any part: "Salem, OR 97301".
    parts = [re.sub(r"\s+\d{5}(?:-\d{4})?$", "", p) for p in parts]
    # Pull the country out wherever it is ("US, Arizona, Chandler" or "..., United States").
    rest = []
    # "CA" is California after a city or beside another country ("CA, US"); alone it is Canada.
    other_country = any(COUNTRIES.get(p.lower()) not in (None, "CA") for p in parts)
    for p in parts:
        cc = COUNTRIES.get(p.lower())
        if cc and country is None and not (p.upper() == "CA" and (rest or other_country)):
            country = cc
        else:
            rest.append(p)
    rest = [p for p in rest if not _REMOTE_WORD.fullmatch(p)]
    city = state = None
    states = [(i, state_code(p)) for i, p in enumerate(rest) if state_code(p)]
    if states:
        # "Washington, District of Columbia", "New York, New York": in the comma form the state
        # comes last; in the Workday dash form ("OK - Broken Arrow - Site") it comes first.
        i, state = states[-1] if "," in text else states[0]
        others = [p for j, p in enumerate(rest) if j != i]
        if others:
            # "City, ST": the city is before the state; "ST - City - Site": after it.
            city = rest[i - 1] if i > 0 else others[0]
    elif rest:
        city = rest[0]
    if city and (_REMOTE_WORD.search(city) or (len(city) == 2 and state_code(city))):
        city = None  # "Remote, OR", "CA, US": no city (but "New York, NY" keeps its city)
    if state and country is None:
        country = "US"
    return city, state, country


_EMPLOYMENT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"per[\s_-]?diem|\bprn\b|as[\s-]needed|intermittent|on[\s-]call|casual", "PER_DIEM"),
    # Bare FT/PT only in capitals, and not "Ft. Worth".
    (r"part[\s_-]?time|(?-i:\bPT\b)", "PART_TIME"),
    (r"full[\s_-]?time|(?-i:\bFT\b)(?!\.)", "FULL_TIME"),
    (r"contract(?:or)?|1099|freelance", "CONTRACTOR"),
    (r"temp(?:orary)?\b|seasonal|locum", "TEMPORARY"),
    (r"intern(?:ship)?\b|extern(?:ship)?\b|apprentice", "INTERN"),
    (r"volunteer", "VOLUNTEER"),
)


def employment_type(value: object) -> str | None:
    """Map a source's employment type (an enum, prose, or a list: first wins) onto the enum."""
    if isinstance(value, (list, tuple)):
        for item in value:
            mapped = employment_type(item)
            if mapped:
                return mapped
        return None
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    if v.upper().replace("-", "_").replace(" ", "_") in {
        "FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER",
    }:  # fmt: skip
        return v.upper().replace("-", "_").replace(" ", "_")
    # Several types named ("Full-time / Part-time"): the first one written wins.
    found = [
        (m.start(), mapped) for pattern, mapped in _EMPLOYMENT_PATTERNS if (m := re.search(pattern, v, re.I))
    ]
    if found:
        return min(found)[1]
    if re.search(r"\bregular\b", v, re.I):  # "Regular" alone (never over "Regular Part-Time")
        return "FULL_TIME"
    return "OTHER"


_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def iso_date(value: object) -> str | None:
    """The date part of an ISO date or datetime *as written* (before any UTC conversion)."""
    if not value or not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def epoch_ms_to_date(value: object) -> str | None:
    """Milliseconds since the epoch (Lever ``createdAt``) -> UTC ISO date."""
    if value is None or isinstance(value, bool):
        return None
    try:
        ms = float(value)
    except (TypeError, ValueError):
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):  # not milliseconds (or not a date at all)
        return None


_RELATIVE = re.compile(r"posted\s+(today|yesterday|(\d+)\s+days?\s+ago|(\d+)\+\s+days?\s+ago)", re.I)


def relative_date(value: object, today: date) -> str | None:
    """Workday ``postedOn`` prose resolved against the run's date; "30+ Days Ago" is unknown."""
    if not value or not isinstance(value, str):
        return None
    m = _RELATIVE.search(value)
    if not m:
        return None
    word = m.group(1).lower()
    if m.group(3):  # "30+ Days Ago": could be any day before; never invent one
        return None
    if word == "today":
        return today.isoformat()
    if word == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    return (today - timedelta(days=int(m.group(2)))).isoformat()


def to_float(value: object) -> float | None:
    """A number from a number or a string ("$39,576.0") ; ``None`` when there is none."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        cleaned = re.sub(r"[,$\s]", "", value)
        try:
            number = float(cleaned)
        except ValueError:
            return None
        return number if math.isfinite(number) else None  # "nan", "inf" are not amounts
    return None


_HOUR_WORDS = re.compile(r"\b(?:hour|hourly|hr|per\s+hour)\b|/\s*h(?:ou)?r\b", re.I)
_YEAR_WORDS = re.compile(
    r"\b(?:annual|annually|annum|year|yearly|salary|salaried|yr)\b|/\s*y(?:ea)?r\b", re.I
)
_MONTH_WORDS = re.compile(r"\b(?:month|monthly)\b", re.I)
_WEEK_WORDS = re.compile(r"\b(?:week|weekly)\b", re.I)


def infer_salary_unit(amount: float | None, *hints: str | None) -> str | None:
    """Unit for an amount that came without one (Greenhouse pay ranges).

    Words first ("hourly", "/hr" -> HOUR; "annual", "salary" -> YEAR), then magnitude: under 350
    is HOUR, 1,000 or more is YEAR; in between stays unknown (``None``) for the caller to log.
    """
    text = " ".join(h for h in hints if h)
    by_size = None
    if amount is not None:
        by_size = "HOUR" if amount < 350 else "YEAR" if amount >= 1000 else None
    by_words = None
    if text:
        for pattern, unit in (
            (_HOUR_WORDS, "HOUR"),
            (_YEAR_WORDS, "YEAR"),
            (_MONTH_WORDS, "MONTH"),
            (_WEEK_WORDS, "WEEK"),
        ):
            if pattern.search(text):
                by_words = unit
                break
    # Words win, unless the size makes them absurd: a "Salary Range" of $17-$20 is hourly pay,
    # an "hourly" $52,000 is a year's.
    if by_words == "YEAR" and by_size == "HOUR":
        return "HOUR"
    if by_words == "HOUR" and by_size == "YEAR":
        return "YEAR"
    return by_words or by_size


def annualize(amount: float | None, unit: str | None) -> float | None:
    """A yearly figure for reports; ``None`` when the unit is unknown."""
    if amount is None or unit not in ANNUAL_FACTORS:
        return None
    return amount * ANNUAL_FACTORS[unit]
