"""schema.org ``JobPosting`` markup on career pages -> postings (``../shared/sources.md`` section 2).

Extraction, in order:

1. every ``<script type="application/ld+json">`` is parsed **on its own** and leniently
   (``strict=False``; then without a CDATA/comment wrapper and trailing commas), so one broken
   block never hides a good one beside it (``extruct.extract(errors='ignore')`` over the whole
   page would drop them all);
2. the parsed data is flattened (top-level lists, ``@graph``) and indexed by ``@id`` so that
   references such as ``"hiringOrganization": {"@id": "...#org"}`` resolve to their node;
3. nodes whose ``@type`` is (or lists) ``JobPosting``, in any spelling (``schema:JobPosting``,
   ``https://schema.org/JobPosting``), are picked, nested ones included (``mainEntity``);
4. only when no JSON-LD JobPosting exists, microdata is read with extruct
   (``syntaxes=['microdata'], uniform=True``: the JSON-LD dict shape, plain-text values).

A page with no JobPosting is reported with a hint when it looks like JavaScript builds the
markup (a script writing an ld+json block, or an empty app shell): the caller must say so
rather than return nothing silently.

Identity: ``identifier.value`` (or a string ``identifier``) prefixed with the caller's site key
(one spider reads many employers' sites, and short ids like "10234" collide across them); else
the posting's own ``url``; else (one posting on the page only) the canonical link or the
fetched URL. A page listing several postings never lends its own URL to one of them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from scraper.items import Posting, new_posting
from scraper.parsers.normalize import (
    clean_text,
    country_code,
    decode_html,
    employment_type,
    html_to_text,
    infer_salary_unit,
    iso_date,
    parse_location,
    state_code,
    to_float,
)
from scraper.parsers.pay import salary_from_text

logger = logging.getLogger(__name__)

# Links worth one hop from a list or search page: a /job/ or /jobs/ path with a digit in a later
# segment (HCA "/jobs/17513377-echo-technician", iCIMS "/jobs/351999/medical-assistant/job",
# TalentBrew "/job/nashville/medical-assistant/1234/5678"); "/search/jobs/in/tennessee" is not.
DEFAULT_FOLLOW = r"/jobs?/(?:[^/?#]+/)*[^/?#]*\d"

# --- reading the blocks ---------------------------------------------------------------------------
_WRAPPER_HEAD = re.compile(r"^\s*(?://\s*|/\*\s*)?(?:<!\[CDATA\[|<!--)(?:\s*\*/)?[ \t]*\n?")
_WRAPPER_TAIL = re.compile(r"\n?[ \t]*(?://\s*|/\*\s*)?(?:\]\]>|-->)(?:\s*\*/)?\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def loads_lenient(text: str) -> Any:
    """One ld+json block -> data; ValueError when even the lenient steps cannot read it.

    First ``json.loads(strict=False)`` (raw newlines and tabs inside strings); then once more
    without a ``//<![CDATA[`` / ``<!--`` head line, a ``//]]>`` / ``-->`` tail line, and
    trailing commas before ``}`` or ``]`` (or at the very end).
    """
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    cleaned = _WRAPPER_TAIL.sub("", _WRAPPER_HEAD.sub("", text))
    cleaned = _TRAILING_COMMA.sub(r"\1", cleaned).strip().rstrip(",;")
    return json.loads(cleaned, strict=False)


def _document(html: str) -> Any | None:
    if not html or not html.strip():
        return None
    try:
        return lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def _is_ld_json(script: Any) -> bool:
    return "ld+json" in (script.get("type") or "").lower()


def ld_json_blocks(doc: Any) -> list[str]:
    """The text of every ``application/ld+json`` script, in page order."""
    if doc is None:
        return []
    return [script.text or "" for script in doc.iter("script") if _is_ld_json(script)]


def flatten(data: Any) -> list[dict[str, Any]]:
    """Top-level nodes: a list gives its items, ``{"@graph": [...]}`` its graph, an object itself."""
    if isinstance(data, list):
        return [node for item in data for node in flatten(item)]
    if not isinstance(data, dict):
        return []
    if "@graph" in data:
        nodes = flatten(data["@graph"])
        if "@type" in data:  # a typed node that also carries a graph
            nodes.insert(0, data)
        return nodes
    return [data]


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every dict inside ``value``, depth first."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(reversed(list(current.values())))
        elif isinstance(current, list):
            stack.extend(reversed(current))


def build_index(nodes: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``@id`` -> the fullest node carrying it (a bare ``{"@id"}`` is a reference, not a node)."""
    index: dict[str, dict[str, Any]] = {}
    for node in _walk(list(nodes)):
        node_id = node.get("@id")
        if isinstance(node_id, str) and len(node) > 1 and len(node) > len(index.get(node_id, {})):
            index[node_id] = node
    return index


def resolve(value: Any, index: dict[str, dict[str, Any]]) -> Any:
    """A ``{"@id": ...}`` reference replaced by its node (lists element-wise); others unchanged."""
    if isinstance(value, list):
        return [resolve(v, index) for v in value]
    if isinstance(value, dict) and set(value) == {"@id"}:
        return index.get(str(value["@id"]), value)
    return value


def _type_names(node: dict[str, Any]) -> list[str]:
    types = node.get("@type")
    if isinstance(types, str):
        types = [types]
    if not isinstance(types, list):
        return []
    # "JobPosting", "schema:JobPosting", "http://schema.org/JobPosting" all name the same type.
    return [re.split(r"[/:#]", t.strip())[-1] for t in types if isinstance(t, str)]


def is_type(node: Any, name: str) -> bool:
    return isinstance(node, dict) and name in _type_names(node)


def find_job_postings(nodes: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """JobPosting nodes among ``nodes`` and anywhere inside them (``WebPage.mainEntity``)."""
    found: list[dict[str, Any]] = []
    seen: set[int] = set()
    stack = list(reversed(list(nodes)))
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
            continue
        if not isinstance(current, dict) or id(current) in seen:
            continue
        seen.add(id(current))
        if is_type(current, "JobPosting"):
            found.append(current)  # a posting's own values are not searched for more postings
            continue
        stack.extend(reversed(list(current.values())))
    return found


def microdata_nodes(html: str, page_url: str) -> list[dict[str, Any]]:
    """Microdata items as JSON-LD-shaped dicts (extruct, ``uniform=True``); [] when none."""
    if "itemtype" not in html.lower():
        return []
    # Imported here: extruct pulls in rdflib and friends (~1 s), needed only for microdata pages.
    import extruct

    try:
        data = extruct.extract(html, base_url=page_url, syntaxes=["microdata"], uniform=True)
    except (ValueError, TypeError, AttributeError, KeyError, lxml.etree.LxmlError) as exc:
        logger.warning("microdata unreadable on %s: %s", page_url, exc)
        return []
    return [node for node in data.get("microdata") or [] if isinstance(node, dict)]


def canonical_url(doc: Any, page_url: str) -> str | None:
    if doc is None:
        return None
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            return urljoin(page_url, href)
    return None


_APP_ROOT = re.compile(
    r"""<(?:div|main)[^>]+id=["'](?:root|app|__next|__nuxt|ember-app)["']|<app-root""", re.I
)


def js_injection_hint(doc: Any, html: str) -> str | None:
    """Why this page (with no JobPosting in its HTML) looks like JavaScript adds the markup."""
    if doc is None:
        return "empty page"
    scripts = [s for s in doc.iter("script") if not _is_ld_json(s)]
    code = "\n".join(s.text or "" for s in scripts)
    if "ld+json" in code:
        return "a script writes the ld+json block at run time"
    if "JobPosting" in code:
        return "JobPosting data only inside a script"
    body = doc.find("body") if doc.tag != "body" else doc
    text = ""
    if body is not None:
        for bad in body.xpath(".//script|.//style|.//noscript|.//template"):
            bad.drop_tree()
        text = " ".join(body.text_content().split())
    if len(text) < 200 and (scripts or _APP_ROOT.search(html)):
        return f"an empty app shell ({len(text)} characters of text, {len(scripts)} scripts)"
    return None


def job_links(html: str, page_url: str, pattern: str = DEFAULT_FOLLOW) -> list[str]:
    """Absolute links on the page whose path matches ``pattern`` (one hop to detail pages)."""
    doc = _document(html)
    if doc is None:
        return []
    wanted = re.compile(pattern)
    out: list[str] = []
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page_url, href).split("#", 1)[0]
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or url == page_url or url in out:
            continue
        if wanted.search(parts.path + (f"?{parts.query}" if parts.query else "")):
            out.append(url)
    return out


# --- one JobPosting node -> a posting ----------------------------------------------------------------
def _get(mapping: Any, key: str) -> Any:
    """``mapping[key]``, accepting other letter cases of the key ("addresslocality")."""
    if not isinstance(mapping, dict):
        return None
    if key in mapping:
        return mapping[key]
    lower = key.lower()
    for k, v in mapping.items():
        if isinstance(k, str) and k.lower() == lower:
            return v
    return None


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v not in (None, "", {}, [])), None)
    return value


def _text(value: Any) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or value.get("value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    return clean_text(value) if isinstance(value, str) else None


def _identifier(node: dict[str, Any]) -> str | None:
    ident = _first(node.get("identifier"))
    if isinstance(ident, dict):
        ident = ident.get("value") if ident.get("value") is not None else ident.get("@value")
        ident = _first(ident)
    if isinstance(ident, (int, float)) and not isinstance(ident, bool):
        ident = str(int(ident)) if float(ident).is_integer() else str(ident)
    return clean_text(ident) if isinstance(ident, str) else None


def _company(node: dict[str, Any], index: dict[str, dict[str, Any]]) -> str | None:
    org = _first(resolve(node.get("hiringOrganization"), index))
    if isinstance(org, dict):
        return _text(org.get("name") or org.get("legalName"))
    return _text(org)


Place = tuple[str | None, str | None, str | None, str | None]  # city, state, postal code, country


def _address_place(address: Any) -> Place:
    if isinstance(address, str):
        city, state, country = parse_location(address)
        return city, state, None, country
    if not isinstance(address, dict):
        return None, None, None, None
    country = country_code(_first(_get(address, "addressCountry")))
    locality = _text(_get(address, "addressLocality"))
    region = _text(_get(address, "addressRegion"))
    postal = _text(_get(address, "postalCode"))
    us = country in (None, "US")
    state = state_code(region) if us else None
    city = locality
    if locality and "," in locality:  # "Salem, OR" written into the locality
        p_city, p_state, p_country = parse_location(locality)
        city, state, country = p_city or city, state or p_state, country or p_country
    if state and country is None:
        country = "US"
    return city, state, postal, country


def _places(node: dict[str, Any], index: dict[str, dict[str, Any]]) -> list[Place]:
    locations = resolve(node.get("jobLocation"), index)
    out: list[Place] = []
    for place in locations if isinstance(locations, list) else [locations]:
        place = resolve(place, index)
        if isinstance(place, str):
            out.append(_address_place(place))
            continue
        if not isinstance(place, dict):
            continue
        address = resolve(_get(place, "address"), index)
        if isinstance(address, list):
            address = _first([resolve(a, index) for a in address])
        if address is None and _get(place, "addressLocality") is not None:
            address = place  # address fields written on the Place itself
        out.append(_address_place(address))
    return [p for p in out if any(p)]


def _remote(node: dict[str, Any], places: list[Place]) -> bool:
    kinds = node.get("jobLocationType")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if any(isinstance(k, str) and k.strip().upper() == "TELECOMMUTE" for k in kinds):
        return True
    has_address = any(city or state or postal for city, state, postal, _ in places)
    return bool(node.get("applicantLocationRequirements")) and not has_address


def _employment_type(node: dict[str, Any]) -> str | None:
    value = node.get("employmentType")
    if isinstance(value, str) and re.search(r"[,;/]", value):  # "FULL_TIME, PART_TIME"
        value = [v for v in re.split(r"\s*[,;/]\s*", value) if v]
    return employment_type(value)


_UNITS = {
    "HOUR": "HOUR", "HOURLY": "HOUR", "PER_HOUR": "HOUR", "HR": "HOUR", "H": "HOUR",
    "DAY": "DAY", "DAILY": "DAY", "PER_DAY": "DAY",
    "WEEK": "WEEK", "WEEKLY": "WEEK", "PER_WEEK": "WEEK", "WK": "WEEK",
    "MONTH": "MONTH", "MONTHLY": "MONTH", "PER_MONTH": "MONTH", "MO": "MONTH",
    "YEAR": "YEAR", "YEARLY": "YEAR", "ANNUAL": "YEAR", "ANNUALLY": "YEAR", "PER_YEAR": "YEAR", "YR": "YEAR",
}  # fmt: skip


def _unit(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _UNITS.get(re.sub(r"[\s-]+", "_", value.strip().upper()))


def _salary(node: dict[str, Any], text: str | None) -> dict[str, Any]:
    """``baseSalary`` in its shapes; else pay parsed out of the description. ``estimatedSalary``
    is a third party's estimate, not the employer's pay: never read."""
    base = _first(node.get("baseSalary"))
    low = high = None
    unit_text: Any = None
    currency: Any = None
    if isinstance(base, dict):
        currency = base.get("currency")
        unit_text = base.get("unitText")
        value = _first(base.get("value"))
        if isinstance(value, dict):
            unit_text = value.get("unitText") or unit_text
            currency = currency or value.get("currency")
            low, high = to_float(value.get("minValue")), to_float(value.get("maxValue"))
            if low is None and high is None:
                low = high = to_float(value.get("value"))
        elif value is not None:
            low = high = to_float(value)
        elif base.get("minValue") is not None or base.get("maxValue") is not None:
            low, high = to_float(base.get("minValue")), to_float(base.get("maxValue"))
    elif base is not None:  # a bare number (or numeric string): the unit is unknown
        low = high = to_float(base)
    if low is not None or high is not None:
        if low is not None and high is not None and low > high:
            low, high = high, low
        unit = _unit(unit_text) or infer_salary_unit(high if high is not None else low)
        if unit is None:
            logger.warning(
                "jsonld: pay %s-%s has no unit and an ambiguous size; unit left unknown", low, high
            )
        return {
            "salary_min": low,
            "salary_max": high,
            "salary_unit": unit,
            "salary_currency": clean_text(currency) if isinstance(currency, str) else None,
            "salary_source": "structured",
        }
    return salary_from_text(text)


_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


def _description(value: Any, syntax: str) -> tuple[str | None, str | None]:
    """(html, text). HTML escaped inside the JSON (``&lt;p&gt;``) is unescaped once (twice only
    when double-encoded); real markup is kept as written. Microdata gives plain text."""
    value = _first(value)
    if not isinstance(value, str) or not value.strip():
        return None, None
    if syntax == "microdata":
        return None, html_to_text(value)
    html = value if _HTML_TAG.search(value) else decode_html(value)
    return html, html_to_text(html)


def _url(value: Any, page_url: str) -> str | None:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(page_url, value.strip())
    return url if urlsplit(url).scheme in ("http", "https") else None


def parse_job_posting(
    node: dict[str, Any],
    *,
    index: dict[str, dict[str, Any]],
    page_url: str,
    canonical: str | None,
    alone: bool,
    site_key: str | None = None,
    syntax: str = "json-ld",
) -> Posting:
    """One JobPosting node -> a posting. ``alone``: the only posting on its page, so the page's
    canonical (or fetched) URL may stand in for a missing ``url``. ValueError when the node has no
    title, or nothing to identify it by."""
    title = _text(node.get("title")) or _text(node.get("name"))
    if not title:
        raise ValueError("JobPosting without title or name")
    own_url = _url(node.get("url"), page_url)
    url = own_url or (canonical or page_url if alone else None)
    ident = _identifier(node)
    if ident:
        source_id = f"{site_key}:{ident}" if site_key else ident
    elif url:
        source_id = url
    else:
        raise ValueError(f"JobPosting {title!r} has no identifier or url on a page listing several postings")
    html, text = _description(node.get("description"), syntax)
    places = _places(node, index)
    city, state, postal, country = places[0] if places else (None, None, None, None)
    if not places:  # remote, no place: the required country may still be named
        requirements = _first(resolve(node.get("applicantLocationRequirements"), index))
        country = country_code(_text(requirements))
    # The node as-is: educationRequirements, experienceRequirements, qualifications, skills and
    # occupationalCategory stay in it for the classifier.
    raw = dict(node)
    raw["_page_url"] = page_url
    raw["_syntax"] = syntax
    return new_posting(
        "jsonld",
        source_id,
        title,
        url=url,
        company=_company(node, index),
        city=city,
        state=state,
        postal_code=postal,
        country=country,
        remote=_remote(node, places),
        employment_type=_employment_type(node),
        date_posted=iso_date(_first(node.get("datePosted"))),
        valid_through=iso_date(_first(node.get("validThrough"))),
        description_html=html,
        description_text=text,
        all_locations=[[c, s] for c, s, _, _ in places],
        raw=raw,
        **_salary(node, text),
    )


# --- one page -----------------------------------------------------------------------------------
@dataclass
class PageResult:
    postings: list[Posting] = field(default_factory=list)
    syntax: str | None = None  # "json-ld" or "microdata" when JobPosting markup was found
    blocks: int = 0  # ld+json blocks on the page
    broken_blocks: list[str] = field(default_factory=list)  # why each unreadable block failed
    skipped: list[str] = field(default_factory=list)  # JobPosting nodes that could not be used
    js_hint: str | None = None  # no JobPosting, and the page looks built by JavaScript

    @property
    def found(self) -> int:
        return len(self.postings) + len(self.skipped)


def _distinct(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same posting marked up twice (two plugins, two blocks) counts once: the fuller node."""
    by_key: dict[Any, dict[str, Any]] = {}
    for node in nodes:
        key = (
            _identifier(node),
            _text(node.get("title")) or _text(node.get("name")),
            _url(node.get("url"), ""),
        )
        if key not in by_key or len(node) > len(by_key[key]):
            by_key[key] = node
    return list(by_key.values())


def parse_page(html: str, page_url: str, *, site_key: str | None = None) -> PageResult:
    """Every JobPosting on one fetched page. ``page_url`` is the page's public URL (a mirror's
    URL mapped back to the real site); ``site_key`` prefixes identifier-based ids."""
    result = PageResult()
    doc = _document(html)
    nodes: list[dict[str, Any]] = []
    for i, block in enumerate(ld_json_blocks(doc), 1):
        result.blocks += 1
        try:
            nodes.extend(flatten(loads_lenient(block)))
        except ValueError as exc:  # this block only; the others still count
            result.broken_blocks.append(f"block {i}: {exc}")
    index = build_index(nodes)
    postings = find_job_postings(nodes)
    syntax = "json-ld"
    if not postings:
        micro = microdata_nodes(html, page_url)
        postings = find_job_postings(micro)
        if postings:
            syntax = "microdata"
            index = build_index(micro)
    if not postings:
        result.js_hint = js_injection_hint(doc, html)
        return result
    result.syntax = syntax
    postings = _distinct(postings)
    canonical = canonical_url(doc, page_url)
    for node in postings:
        try:
            result.postings.append(
                parse_job_posting(
                    node,
                    index=index,
                    page_url=page_url,
                    canonical=canonical,
                    alone=len(postings) == 1,
                    site_key=site_key,
                    syntax=syntax,
                )
            )
        except ValueError as exc:
            result.skipped.append(str(exc))
    return result
