"""Candidate labels: every place a taxonomy alias shows up in a prepared posting.

An alias only *proposes* a label ("CPT" may be the phlebotomy credential or procedure codes;
"Epic" may be the EHR or an adjective); the model in :mod:`matcher.model` decides.

Every sentence of every posting is searched, and one big alternation of hundreds of aliases
tried at every character is slow in Python's ``re``. So aliases are indexed by their first three
letters (two for short aliases such as "RN"): one scan (in C) finds the word starts that begin
some alias, and at each such place only that bucket's aliases are tried, anchored. Aliases with
no literal prefix go into a fallback regex scanned the ordinary way.

Most word starts that begin some alias begin none that matches ("pat" of "patient" in a sentence
naming no patient-something alias); each costs a bucket lookup and a match in Python. So the scan
over lower-cased text also checks, in the same regex, that one of the aliases could match there: a
lookahead shaped as a trie of the aliases' first letters, each leaf holding the rest of its aliases
lower-cased. The check only ever passes more places than those with a hit (an alias it cannot take
apart passes every place its prefix starts), so the hits are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any, NamedTuple

from matcher.dispatch import Undispatchable, close_group, heads, split_top
from matcher.taxonomy import CATEGORIES, Taxonomy, load_taxonomy
from matcher.text import Doc, folds_oddly
from scraper.parsers.lowered import lowered_source

_END = r"(?![\w])"
_START = r"(?<![\w-])"
_META = set("\\()[]{}?*+|.^$")


class Mention(NamedTuple):  # a tuple: made for every alias hit
    label: str
    sentence: int  # index into Doc.sentences
    start: int  # offsets within that sentence's text
    end: int
    surface: str


def prefixes(pattern: str, need: int = 2, depth: int = 0) -> set[str] | None:
    """Every lower-cased string of ``need`` characters a match of ``pattern`` can start with.

    ``None`` when that cannot be told simply (a character class, a wildcard): such aliases go to
    the fallback regex. Handles literals, escapes, optional characters and ``(?:a|b)`` groups.
    """
    if need == 0:
        return {""}
    if depth > 6 or not pattern:
        return None
    ch = pattern[0]
    if pattern.startswith("(?:") or pattern.startswith("(?i:"):
        try:
            end = close_group(pattern, 0)
        except Undispatchable:  # unbalanced
            return None
        inner = pattern[pattern.index(":") + 1 : end]
        rest = pattern[end + 1 :]
        optional = rest[:1] == "?"
        if optional:
            rest = rest[1:]
        if rest[:1] in ("*", "+", "{"):
            return None
        out: set[str] = set()
        for alt in split_top(inner):
            got = prefixes(alt + rest, need, depth + 1)
            if got is None:
                return None
            out |= got
        if optional:
            got = prefixes(rest, need, depth + 1)
            if got is None:
                return None
            out |= got
        return out
    if ch == "\\":
        if len(pattern) < 2 or pattern[1] not in "()[].-/&'$ ":
            return None
        lit, rest = pattern[1], pattern[2:]
    elif ch in _META:
        return None
    else:
        lit, rest = ch, pattern[1:]
    if rest[:1] == "?":
        rest = rest[1:]
        with_it = prefixes(rest, need - 1, depth + 1)
        without = prefixes(rest, need, depth + 1)
        if with_it is None or without is None:
            return None
        return {lit.lower() + x for x in with_it} | without
    if rest[:1] in ("*", "{"):
        return None
    if rest[:1] == "+":
        rest = lit + "*" + rest[1:]  # one, then any: the next character may repeat it
        if need == 1:
            return {lit.lower()}
        tail = prefixes(rest[2:], need - 1, depth + 1)
        return None if tail is None else {lit.lower() + x for x in tail} | {lit.lower() * 2}
    tail = prefixes(rest, need - 1, depth + 1)
    return None if tail is None else {lit.lower() + x for x in tail}


@dataclass
class _Bucket:
    pattern: re.Pattern[str]
    labels: dict[str, tuple[str, str]]  # group name -> (category, label)
    # The same aliases split into groups that may match at one place: categories ("CPT" the
    # credential and "CPT" the codes), and within skills and specialties each label ("log fridge
    # temperatures" is compliance and inventory work; "Med-Peds" is two specialties).
    by_category: dict[tuple[str, str], _Bucket] | None = None
    # ``pattern`` again, faster: its case-sensitive aliases over the text, its case-insensitive ones
    # (lower-cased) over the lower-cased text; each alias closed by an empty group, so the
    # alternatives start with a literal ``re`` can check before trying them. Group index -> alias
    # index in ``pattern``; the alias that ``pattern`` picks is the one of lower index.
    cased: tuple[re.Pattern[str], list[int]] | None = None
    folded: tuple[re.Pattern[str], list[int]] | None = None
    by_index: list[tuple[str, str]] = field(default_factory=list)  # alias index -> (category, label)

    def match_at(self, text: str, low: str, pos: int) -> tuple[int, int] | None:
        """(end, alias index) of what ``pattern.match(text, pos)`` finds; ``low`` as in find_in."""
        best = None
        if self.cased is not None:
            m = self.cased[0].match(text, pos)
            if m is not None:
                best = (m.end(), self.cased[1][m.lastindex])  # type: ignore[index]
        if self.folded is not None:
            m = self.folded[0].match(low, pos)
            if m is not None:
                index = self.folded[1][m.lastindex]  # type: ignore[index]
                if best is None or index < best[1]:
                    best = (m.end(), index)
        return best


class Matcher:
    """Finds every alias of every category in one pass over a posting."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        long_items: dict[str, list[tuple[str, str, str]]] = {}  # 3-letter prefix -> aliases
        short_items: dict[str, list[tuple[str, str, str]]] = {}  # 2-letter prefix (short aliases: "RN", "GI")
        fallback: list[tuple[str, str, str]] = []
        rests: dict[str, list[str | None]] = {}  # prefix -> its aliases lower-cased, after it (None: any)
        for category in CATEGORIES:
            for entry in taxonomy.entries[category]:
                for alias in entry.aliases:
                    body = alias if alias in entry.case_sensitive else f"(?i:{alias})"
                    item = (category, entry.id, body)
                    starts3 = prefixes(alias, 3)
                    if starts3 and all(len(x) == 3 and x[0].isalnum() for x in starts3):
                        for key in starts3:
                            long_items.setdefault(key, []).append(item)
                        _add_rests(rests, alias, starts3, cased=alias in entry.case_sensitive)
                        continue
                    starts2 = prefixes(alias, 2)
                    if starts2 and all(len(x) == 2 and x[0].isalnum() for x in starts2):
                        for key in starts2:
                            short_items.setdefault(key, []).append(item)
                        _add_rests(rests, alias, starts2, cased=alias in entry.case_sensitive)
                    else:
                        fallback.append(item)
        self._buckets: dict[str, _Bucket] = {}
        for key, items in long_items.items():
            # A 3-letter place may also start a 2-letter alias ("GI" in "GI lab" starts "gi ").
            self._buckets[key] = self._bucket(items + short_items.get(key[:2], []))
        for key, items in short_items.items():
            self._buckets[key] = self._bucket(items)
        self._fallback = self._compile(fallback, anchored=False) if fallback else None
        # One scan finds the word starts that begin some alias: a trie-shaped regex, longest key first.
        trie = _trie_regex(list(self._buckets))
        self._starts = re.compile(rf"{_START}(?i:{trie})")
        # The same scan over lower-cased text, without case folding (faster), passing only the places
        # where some alias could match (see the module docstring). Equal except on the few characters
        # whose case folding differs from str.lower(): texts with those use the first.
        self._starts_lower = re.compile(rf"{_START}(?={_rests_regex(rests)})(?:{trie})")

    def _bucket(self, items: list[tuple[str, str, str]]) -> _Bucket:
        bucket = self._compile(items, anchored=True)
        groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for item in items:
            groups.setdefault(_group(item[0], item[1]), []).append(item)
        if len(groups) > 1:
            bucket.by_category = {g: self._compile(its, anchored=True) for g, its in sorted(groups.items())}
        return bucket

    @staticmethod
    def _compile(items: list[tuple[str, str, str]], *, anchored: bool) -> _Bucket:
        # Longest alias first, so "Epic Ambulatory" wins over "Epic" at the same place.
        items = sorted(items, key=lambda it: len(it[2]), reverse=True)
        labels: dict[str, tuple[str, str]] = {}
        parts = []
        for i, (category, label, body) in enumerate(items):
            labels[f"a{i}"] = (category, label)
            parts.append(f"(?P<a{i}>{body}){_END}")
        joined = "|".join(parts)
        bucket = _Bucket(re.compile(joined if anchored else f"{_START}(?:{joined})"), labels)
        if anchored:
            bucket.by_index = [(category, label) for category, label, _ in items]
            cased = [(i, body) for i, (_, _, body) in enumerate(items) if not body.startswith("(?i:")]
            folded = [
                (i, lowered_source(body[4:-1]))
                for i, (_, _, body) in enumerate(items)
                if body.startswith("(?i:")
            ]
            for which, alts in (("cased", cased), ("folded", folded)):
                if alts:
                    rx = re.compile("|".join(f"{body}{_END}()" for _, body in alts))
                    setattr(bucket, which, (rx, [-1] + [i for i, _ in alts]))
        return bucket

    def find_in(self, text: str, low: str | None = None) -> list[tuple[int, int, str, str, str]]:
        """Alias hits in one sentence: ``(start, end, category, label, surface)`` in text order.

        ``low`` is ``text`` lower-cased with the same length, when the caller has it. Aliases never
        match across a line break, so a posting's hits are its sentences' hits, sentence by sentence.
        """
        hits: list[tuple[int, int, str, str, str]] = []
        buckets = self._buckets
        if low is None or folds_oddly(text):
            for s in self._starts.finditer(text):
                pos = s.start()
                bucket = buckets[s.group().lower()]
                m = bucket.pattern.match(text, pos)
                if m is None:
                    continue  # no alias of the bucket here, so none of its groups' either
                if bucket.by_category is None:
                    category, label = bucket.labels[m.lastgroup]  # type: ignore[index]
                    hits.append((pos, m.end(), category, label, m.group()))
                    continue
                for sub in bucket.by_category.values():
                    m = sub.pattern.match(text, pos)
                    if m is not None:
                        category, label = sub.labels[m.lastgroup]  # type: ignore[index]
                        hits.append((pos, m.end(), category, label, m.group()))
        else:
            for s in self._starts_lower.finditer(low):
                pos = s.start()
                bucket = buckets[s.group()]
                got = bucket.match_at(text, low, pos)
                if got is None:
                    continue  # no alias of the bucket here, so none of its groups' either
                if bucket.by_category is None:
                    category, label = bucket.by_index[got[1]]
                    hits.append((pos, got[0], category, label, text[pos : got[0]]))
                    continue
                for sub in bucket.by_category.values():
                    got = sub.match_at(text, low, pos)
                    if got is not None:
                        category, label = sub.by_index[got[1]]
                        hits.append((pos, got[0], category, label, text[pos : got[0]]))
        if self._fallback is not None:
            for m in self._fallback.pattern.finditer(text):
                category, label = self._fallback.labels[m.lastgroup]  # type: ignore[index]
                hits.append((m.start(), m.end(), category, label, m.group()))
        if not hits:
            return hits
        hits.sort()
        kept = []
        last_end: dict[tuple[str, str], int] = {}
        for hit in hits:
            group = (hit[2], "") if hit[2] in _EXCLUSIVE else (hit[2], hit[3])
            if hit[0] < last_end.get(group, -1):
                continue
            last_end[group] = hit[1]
            kept.append(hit)
        return kept

    def find_all(self, doc: Doc) -> dict[str, dict[str, list[Mention]]]:
        """category -> label -> mentions (in text order); see ``_EXCLUSIVE`` for overlaps."""
        found: dict[str, dict[str, list[Mention]]] = {c: {} for c in CATEGORIES}
        for idx, sent in enumerate(doc.sentences):
            text = sent.text
            for start, end, category, label, surface in self.find_in(text, _lower_or_none(text)):
                found[category].setdefault(label, []).append(Mention(label, idx, start, end, surface))
        return found

    def find(self, doc: Doc, category: str) -> dict[str, list[Mention]]:
        return self.find_all(doc)[category]


# Certifications and EHRs name one thing per place ("Nationally Registered Certified Medical
# Assistant" is NRCMA, not also CMA); skills and specialties may overlap.
_EXCLUSIVE = frozenset({"certifications", "ehr"})


# Characters whose case folding in ``re`` differs from ``str.lower()`` (dotted and dotless i, long s),
# for the alias alphabet; tests/test_matcher_text.py recomputes the list from Unicode.
FOLDS_ODDLY = "\u0130\u0131\u017f"
_FOLDS_ODDLY = re.compile(f"[{FOLDS_ODDLY}]")


def _lower_or_none(text: str) -> str | None:
    low = text.lower()
    return low if len(low) == len(text) else None


def _group(category: str, label: str) -> tuple[str, str]:
    return (category, "") if category in _EXCLUSIVE else (category, label)


def _char_trie(leaves: dict[str, Any]) -> dict:
    """A trie of the keys of ``leaves``, a character a level; a key's node holds its value at ""."""
    trie: dict = {}
    for key, value in leaves.items():
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = value
    return trie


def _trie_regex(keys: list[str]) -> str:
    """A regex matching any of ``keys``, shaped as a trie so each place is tried in a few steps."""
    trie = _char_trie({key: {} for key in keys})

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


def _starts_and_rests(alternative: str, n: int) -> list[tuple[str, str]]:
    """(first ``n`` characters, the rest) of each way ``alternative`` can start."""
    if n == 0:
        return [("", alternative)]
    out = []
    for head in heads(alternative):
        if head.before:
            raise Undispatchable(f"\\b in {alternative!r}")
        out.extend((head.char + key, rest) for key, rest in _starts_and_rests(head.rest, n - 1))
    return out


def _add_rests(rests: dict[str, list[str | None]], alias: str, keys: set[str], *, cased: bool) -> None:
    """Record what follows each of the ``keys`` (prefixes) of ``alias`` for the lookahead check."""
    try:
        if cased and _NEGATED.search(alias):
            # Lower-cased, "[^A-Z]" or "(?!A)" would refuse places the alias matches.
            raise Undispatchable(f"negation in a case-sensitive alias {alias!r}")
        low = lowered_source(alias)
        found = [got for alt in split_top(low) for got in _starts_and_rests(alt, len(next(iter(keys))))]
    except (Undispatchable, ValueError):
        found = []
    if {key for key, _ in found} != keys:  # not taken apart as prefixes() did: any place passes
        found = [(key, None) for key in keys]
    for key, rest in found:
        rests.setdefault(key, []).append(rest)


_NEGATED = re.compile(r"\[\^|\(\?<?!")


def _rests_regex(rests: dict[str, list[str | None]]) -> str:
    """A trie-shaped regex matching where some alias could: a prefix, then one of its rests."""
    trie = _char_trie(rests)

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        after = node.get("")
        if after is not None:
            if None in after:
                branches.append("")
            else:
                branches.append("(?:" + "|".join(dict.fromkeys(after)) + f"){_END}")
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)


def build_matcher(taxonomy: Taxonomy) -> Matcher:
    return Matcher(taxonomy)


@cache
def default_matcher() -> Matcher:
    return build_matcher(load_taxonomy())
