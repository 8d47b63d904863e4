"""Load and validate ``data/taxonomy.yaml``: the label vocabulary of LABELS.md plus the
surface forms that propose candidates to the matcher."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TAXONOMY_PATH = DATA_DIR / "taxonomy.yaml"

CATEGORIES = ("certifications", "ehr", "specialties", "skills")
LEVELS = ("required", "preferred", "accepted")
STAGES = ("entry", "mid", "senior")
PAY_UNITS = ("HOUR", "YEAR")
# "bilingual <Language>" is an open family in LABELS.md section 4.
BILINGUAL_RE = re.compile(r"^bilingual [A-Z][A-Za-z' -]+$")


class TaxonomyError(ValueError):
    """The taxonomy file is malformed (duplicate ids, colliding aliases, bad regex)."""


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    aliases: tuple[str, ...]
    case_sensitive: frozenset[str] = field(default_factory=frozenset)
    label: str = ""

    def pattern(self) -> re.Pattern[str]:
        """One regex matching any alias at word boundaries."""
        return compile_aliases(self.aliases, self.case_sensitive)


def compile_aliases(aliases: tuple[str, ...], case_sensitive: frozenset[str]) -> re.Pattern[str]:
    parts = []
    for alias in sorted(aliases, key=len, reverse=True):
        body = alias if alias in case_sensitive else f"(?i:{alias})"
        parts.append(body)
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w])")


@dataclass(frozen=True)
class Taxonomy:
    entries: dict[str, tuple[Entry, ...]]

    def ids(self, category: str) -> list[str]:
        return [e.id for e in self.entries[category]]

    def is_valid_label(self, category: str, label: str) -> bool:
        if category == "skills" and BILINGUAL_RE.match(label):
            return True
        return label in self.ids(category)


def parse_taxonomy(raw: dict) -> Taxonomy:
    entries: dict[str, tuple[Entry, ...]] = {}
    for category in CATEGORIES:
        items = raw.get(category)
        if not isinstance(items, list) or not items:
            raise TaxonomyError(f"taxonomy: '{category}' must be a non-empty list")
        seen_ids: set[str] = set()
        seen_aliases: dict[str, str] = {}
        out = []
        for item in items:
            eid = item.get("id")
            if not eid or eid in seen_ids:
                raise TaxonomyError(f"taxonomy: {category}: missing or duplicate id {eid!r}")
            seen_ids.add(eid)
            aliases = tuple(item.get("aliases") or [eid])
            case_sensitive = frozenset(item.get("case_sensitive_aliases") or [])
            for alias in aliases:
                key = alias if alias in case_sensitive else alias.lower()
                if seen_aliases.get(key, eid) != eid:
                    raise TaxonomyError(
                        f"taxonomy: {category}: alias {alias!r} claimed by both "
                        f"{seen_aliases[key]!r} and {eid!r}"
                    )
                seen_aliases[key] = eid
                try:
                    re.compile(alias)
                except re.error as exc:
                    raise TaxonomyError(f"taxonomy: {category}/{eid}: bad alias {alias!r}: {exc}") from exc
            out.append(Entry(eid, category, aliases, case_sensitive, item.get("label", "")))
        entries[category] = tuple(out)
    return Taxonomy(entries)


@cache
def load_taxonomy(path: Path = TAXONOMY_PATH) -> Taxonomy:
    with open(path, encoding="utf-8") as fh:
        return parse_taxonomy(yaml.safe_load(fh))
