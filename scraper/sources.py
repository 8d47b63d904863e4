"""The sources file: what to crawl, as reviewed data (``data/sources.example.yaml``).

Each entry names a platform (``kind``) and the employer's board on it. Every entry also takes:

- ``base_url``: replaces the scheme and host of the real endpoint (and may add a path prefix),
  so the same code runs against a mirror or a local test server:
  ``https://boards-api.greenhouse.io/v1/...`` -> ``http://127.0.0.1:9000/greenhouse/v1/...``;
- ``company``: a display name for sources whose payloads carry none (Lever);
- ``name``: the source key used in ``crawl_runs`` and for closing vanished postings
  (default: derived from the entry, e.g. ``greenhouse:onemedical``);
- ``title_filter``: keep only MA-family titles (default true).

Every key's value is checked (``KEY_TYPES``) before anything is crawled: ``title_filter: "false"``
(text, which is truthy) or a board given as a mapping is refused, naming the entry and the key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from scraper.parsers import usajobs as usa
from scraper.parsers.normalize import iso_date

KINDS = ("greenhouse", "lever", "jsonld", "workday", "usajobs")

# What each kind needs, and the real endpoint origin that base_url replaces.
REQUIRED: dict[str, tuple[str, ...]] = {
    "greenhouse": ("board",),
    "lever": ("site",),
    "jsonld": (),  # sitemap or start_urls, checked below
    "workday": ("url",),
    "usajobs": (),
}
DEFAULT_ORIGINS: dict[str, str] = {
    "greenhouse": "https://boards-api.greenhouse.io",
    "lever": "https://api.lever.co",
    "usajobs": "https://data.usajobs.gov",
}
COMMON_KEYS = {"kind", "base_url", "company", "name", "title_filter"}
KNOWN_KEYS: dict[str, set[str]] = {
    "greenhouse": {"board", "region"},
    "lever": {"site", "region", "limit"},
    "jsonld": {"sitemap", "start_urls", "follow", "sitemap_follow", "lastmod_since", "site_key"},
    "workday": {"url", "search", "applied_facets", "max_postings"},
    "usajobs": {
        "keyword",
        "job_category_codes",
        "location",
        "results_per_page",
        "date_posted",
        "api_key",
        "email",
    },
}


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _web_url(value: Any) -> bool:
    return _text(value) and value.startswith(("http://", "https://"))


def _web_urls(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(_web_url(v) for v in value)


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _regex(value: Any) -> bool:
    if not _text(value):
        return False
    try:
        re.compile(value)
    except re.error:
        return False
    return True


def _date(value: Any) -> bool:
    return isinstance(value, date) or iso_date(value) is not None


def _codes(value: Any) -> bool:
    # null or [] asks for no category filter (every federal job the keyword finds).
    return value is None or _text(value) or (isinstance(value, list) and all(_text(v) for v in value))


def _facets(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, list) and all(_text(x) for x in v) for k, v in value.items()
    )


TEXT = (_text, "text")
# What each key's value must be; checked before anything is crawled. (usajobs' results_per_page
# and date_posted: usa.SearchParams checks them, with their ranges.)
KEY_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "base_url": (_web_url, "an http:// or https:// URL"),
    "company": TEXT,
    "name": TEXT,
    "title_filter": (lambda v: isinstance(v, bool), "true or false"),
    "board": TEXT,
    "site": TEXT,
    "region": (lambda v: v in ("us", "eu"), "us or eu"),
    "limit": (_positive_int, "a whole number, 1 or more"),
    "sitemap": (_web_url, "an http:// or https:// URL"),
    "start_urls": (_web_urls, "a list of http:// or https:// URLs"),
    "follow": (_regex, "a regular expression"),
    "sitemap_follow": (_regex, "a regular expression"),
    "lastmod_since": (_date, "a date (YYYY-MM-DD)"),
    "site_key": TEXT,
    "url": (_web_url, "an http:// or https:// URL"),
    "search": TEXT,
    "applied_facets": (_facets, "a mapping of facet names to lists of values"),
    "max_postings": (_positive_int, "a whole number, 1 or more"),
    "keyword": TEXT,
    "job_category_codes": (_codes, 'text or a list of text (quote codes: "0640"); null for no filter'),
    "location": TEXT,
    "api_key": TEXT,
    "email": TEXT,
}


def _got(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


class SourcesError(ValueError):
    """The sources file is malformed; the message says which entry and why."""


@dataclass(frozen=True)
class Source:
    kind: str
    key: str  # unique within a run, e.g. "greenhouse:onemedical"
    params: dict[str, Any] = field(default_factory=dict)
    base_url: str | None = None
    company: str | None = None
    title_filter: bool = True

    def get(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    def rebase(self, url: str, real_origin: str | None = None) -> str:
        """``url`` on the real endpoint -> the same path under ``base_url`` (if one is set).

        Only URLs on ``real_origin`` (default: the kind's API origin, or the origin of the
        sitemap / Workday URL) are moved; links to other hosts are left alone.
        """
        if not self.base_url:
            return url
        origin = real_origin or self.real_origin
        parts = urlsplit(url)
        if origin and f"{parts.scheme}://{parts.netloc}".lower() != origin.lower():
            return url
        base = urlsplit(self.base_url.rstrip("/"))
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def public_url(self, url: str) -> str:
        """The inverse of :meth:`rebase`: a fetched mirror URL back on the real origin."""
        if not self.base_url or not self.real_origin:
            return url
        base = self.base_url.rstrip("/")
        if not url.startswith(base):
            return url
        return self.real_origin + url[len(base) :]

    @property
    def real_origin(self) -> str | None:
        if self.kind in DEFAULT_ORIGINS:
            region = self.params.get("region")
            origin = DEFAULT_ORIGINS[self.kind]
            if region == "eu" and self.kind == "greenhouse":
                origin = "https://boards-api.eu.greenhouse.io"
            if region == "eu" and self.kind == "lever":
                origin = "https://api.eu.lever.co"
            return origin
        url = (
            self.params.get("url")
            or self.params.get("sitemap")
            or (self.params.get("start_urls") or [None])[0]
        )
        if not url:
            return None
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"


def _default_key(kind: str, params: dict[str, Any]) -> str:
    if kind == "greenhouse":
        return f"greenhouse:{params['board']}"
    if kind == "lever":
        return f"lever:{params['site']}"
    if kind == "workday":
        # .../wday/cxs/{tenant}/{site}
        path = urlsplit(params["url"]).path.rstrip("/").split("/")
        return f"workday:{'/'.join(path[-2:])}"
    if kind == "jsonld":
        url = params.get("sitemap") or params["start_urls"][0]
        return f"jsonld:{urlsplit(url).netloc}"
    return f"usajobs:{params.get('keyword') or 'all'}"


# title_filter: null would read as false (every title kept): refused, not guessed. job_category_codes:
# null asks for no category filter.
_NULL_MEANS_SOMETHING = frozenset({"title_filter", "job_category_codes"})


def parse_sources(raw: Any, *, origin: str = "sources") -> list[Source]:
    """Validate the parsed YAML and return the entries; raises :class:`SourcesError`."""
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list):
        raise SourcesError(f"{origin}: expected a mapping with a 'sources' list")
    out: list[Source] = []
    keys: set[str] = set()
    for i, entry in enumerate(raw["sources"], 1):
        where = f"{origin}: entry {i}"
        if not isinstance(entry, dict):
            raise SourcesError(f"{where}: expected a mapping, got {type(entry).__name__}")
        # A key left empty (YAML null) is as good as not given, unless null says something.
        entry = {k: v for k, v in entry.items() if v is not None or k in _NULL_MEANS_SOMETHING}
        kind = entry.get("kind")
        if kind not in KINDS:
            raise SourcesError(f"{where}: kind must be one of {', '.join(KINDS)} (got {kind!r})")
        unknown = set(entry) - COMMON_KEYS - KNOWN_KEYS[kind]
        if unknown:
            raise SourcesError(f"{where} ({kind}): unknown keys {sorted(unknown)}")
        for req in REQUIRED[kind]:
            if not entry.get(req):
                raise SourcesError(f"{where} ({kind}): '{req}' is required")
        if kind == "jsonld" and not entry.get("sitemap") and not entry.get("start_urls"):
            raise SourcesError(f"{where} (jsonld): give 'sitemap' or 'start_urls'")
        _check_values(entry, f"{where} ({kind})")
        if kind == "workday" and "/wday/cxs/" not in entry["url"]:
            raise SourcesError(
                f"{where} (workday): url must be the CXS API root, "
                "https://{host}/wday/cxs/{tenant}/{site}"
            )
        params = {k: v for k, v in entry.items() if k not in COMMON_KEYS}
        key = str(entry.get("name") or _default_key(kind, params))
        if key in keys:
            raise SourcesError(f"{where}: duplicate source {key!r} (give one of them a 'name')")
        keys.add(key)
        out.append(
            Source(
                kind=kind,
                key=key,
                params=params,
                base_url=entry.get("base_url"),
                company=entry.get("company"),
                title_filter=entry.get("title_filter", True),
            )
        )
    return out


def _check_values(entry: dict[str, Any], where: str) -> None:
    """Every key's value is of its type (``KEY_TYPES``); usajobs' search options are in range."""
    for key, value in entry.items():
        if key in KEY_TYPES:
            check, what = KEY_TYPES[key]
            if not check(value):
                raise SourcesError(f"{where}: '{key}' must be {what} (got {_got(value)})")
    if entry["kind"] == "usajobs":
        options = {k: entry[k] for k in ("results_per_page", "date_posted") if k in entry}
        try:
            usa.SearchParams(**options)
        except ValueError as exc:
            raise SourcesError(f"{where}: {exc}") from exc


def load_sources(path: str | Path) -> list[Source]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"cannot read sources file {path}: {exc.strerror}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    return parse_sources(raw, origin=str(path))
