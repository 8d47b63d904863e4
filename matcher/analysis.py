"""Everything the matcher reads from one sentence, computed once per distinct sentence.

Tagging a posting is mostly per-sentence work: alias hits, the features of each hit (its cues,
markers, neighbour words), experience figures, pay figures, role words. None of it depends on
the rest of the posting, so :func:`analyze` computes a :class:`SentenceInfo` per sentence and
:mod:`matcher.model` assembles the posting from them. Employers repeat sentences (boilerplate
intros, benefits, EEO text, the same requirement lines on every post of a board), so the infos
are remembered across postings in a bounded cache keyed by the sentence's text, section and
bullet flag: a repeated sentence costs a dictionary lookup.

One subtlety keeps this exact. The original scans ran over the whole posting (sentences joined
by line breaks), and three patterns can run over a line break: the "staffteach" cue
(``train ... [^.;]{0,80} staff``), the "person" cue (``dr.\\s``) and the ladder marker
(``level II\\s+requires``). Where one of them could, the sentences on both sides are scanned
together, as the whole posting was, and are not cached.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import islice
from typing import NamedTuple

from matcher.candidates import Matcher
from matcher.features import (
    CUES,
    ROLE_KIND,
    ROLE_WORDS,
    SentenceContext,
    candidate_key,
    lower_per_char,
    mention_features,
    mention_negated,
    scan_cues,
    scan_markers,
    title_mention_features,
)
from matcher.text import Doc
from matcher.years import sentence_years
from scraper.parsers.pay import PayCandidate, sentence_pay_candidates


class MentionInfo(NamedTuple):
    category: str
    label: str
    start: int
    end: int
    surface: str
    features: tuple[str, ...]
    negated: bool  # directly negated (C5); set for body certifications outside headings only


class SentenceInfo(NamedTuple):
    mentions: tuple[MentionInfo, ...]  # alias hits, in the order Matcher.find_all lists them
    languages: tuple[MentionInfo, ...]  # "bilingual <language>" hits (skills)
    years: tuple[tuple[float, str, bool], ...]  # (value, kind, nested), see matcher.years
    specialty_years: bool  # a specialty named next to a figure (stage rule 2); only with years
    pay: tuple[PayCandidate, ...]  # ``sentence`` is the part's index within this sentence
    dollar: bool
    role: tuple[int, int, bool, bool]  # "MA" words, nurse words, VA MSA, ophthalmic words


_EMPTY = SentenceInfo((), (), (), False, (), False, (0, 0, False, False))

# --- across line breaks ---------------------------------------------------------------------------
# A cue or marker match that could run past the end of a sentence (see the module docstring):
# "dr.\s" (the person cue) and "level II\s+requires" (the ladder marker) over a line break...
_LADDER_BEFORE = re.compile(r"(?:ii|iv|level \w+|tier \w+)$")
_LADDER_AFTER = ("require", "need", "calls for")
# ... and "train ... [^.;]{0,80} staff" (the staffteach cue): found where it starts, then tried.
_STAFFTEACH_START = re.compile(
    r"teach|train|orient|precept|validat|competenc|academy|skills? lab|onboard|in-?service|curricul"
)
_STAFFTEACH = re.compile(CUES["staffteach"].pattern)
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _joined_breaks(doc: Doc, low: str) -> set[int]:
    """Indices i whose sentences i and i + 1 must be scanned together."""
    starts = doc.starts
    joined: set[int] = set()
    for i in range(len(starts) - 1):
        end = starts[i + 1] - 1  # the line break after sentence i
        if (
            low.startswith("dr", end - 2)
            or low.startswith("dr.", end - 3)
            or (low.startswith(_LADDER_AFTER, end + 1) and _LADDER_BEFORE.search(low, starts[i], end))
        ):
            joined.add(i)
    if len(starts) > 1:
        for m in _STAFFTEACH_START.finditer(low):
            at = m.start()
            if at and low[at - 1] in _ALNUM:
                continue  # the cue starts words only
            # Where the cue would match here, the regex's own (greedy) match: the farthest it reaches.
            got = _STAFFTEACH.match(low, at)
            if got is None:
                continue
            first = bisect_right(starts, at) - 1
            last = bisect_right(starts, got.end() - 1) - 1
            joined.update(range(first, last))
    return joined


def _scan_together(lows: list[str]) -> tuple[list[list[str]], list[list[tuple[int, int, str]]]]:
    """Cues and markers of consecutive sentences scanned as one text joined by line breaks."""
    text = "\n".join(lows)
    starts = []
    pos = 0
    for low in lows:
        starts.append(pos)
        pos += len(low) + 1
    cues: list[list[str]] = [[] for _ in lows]
    for at, name in scan_cues(text):
        names = cues[bisect_right(starts, at) - 1]
        if name not in names:
            names.append(name)
    markers: list[list[tuple[int, int, str]]] = [[] for _ in lows]
    for ms, me, kind in scan_markers(text):
        i = bisect_right(starts, ms) - 1
        markers[i].append((ms - starts[i], me - starts[i], kind))
    return cues, markers


# --- one sentence ---------------------------------------------------------------------------------

_BODY_ONLY = ("title", "company")
# --- other languages (skills) ---

_LANGUAGES = (
    "Spanish|Vietnamese|Portuguese|Cape Verdean Creole|Haitian Creole|Creole|Mandarin|Cantonese|Chinese"
    "|Korean|"
    "Tagalog|Filipino|Russian|Ukrainian|Arabic|Somali|Hmong|French|American Sign Language|ASL|Japanese"
    "|Polish|"
    "Punjabi|Hindi|Urdu|Farsi|Persian|Amharic|Navajo|Khmer|Lao|Bengali|Gujarati|Nepali|Karen|Burmese|Swahili|"
    "Oromo|Tigrinya|Marshallese|Samoan|Tongan|Hawaiian|Ilocano|Italian|German|Greek|Armenian|Albanian"
    "|Bosnian|"
    "Serbian|Croatian|Romanian|Turkish|Hebrew|Yiddish|Dari|Pashto|Kurdish|Thai|Indonesian|Malay|Lakota|"
    "Ojibwe|Cherokee|Yupik|Inupiaq|Chamorro|Zuni|Apache|Hopi|Tewa|Keres|Mixteco|Mixtec|Quiche|K'iche'|Mam|"
    "Chuukese|Kinyarwanda|Nepali|Tamil|Telugu|Malayalam|Haitian|Cape Verdean"
)
_LANGUAGE_FIRST_WORDS = frozenset(name.split()[0] for name in _LANGUAGES.split("|"))
_CAPITALIZED = re.compile(r"\b[A-Z][A-Za-z']+")
_LANG_RE = re.compile(rf"\b(?:{_LANGUAGES})\b")
_LANGUAGE_NAMES = {
    "ASL": "American Sign Language",
    "Filipino": "Tagalog",
    "Persian": "Farsi",
    "Haitian": "Haitian Creole",
    "Creole": "Haitian Creole",
    "Cape Verdean": "Cape Verdean Creole",
    "Mixteco": "Mixtec",
    "Quiche": "K'iche'",
}
_LANG_CONTEXT = re.compile(
    r"bilingual|fluen|speak|language|proficien|multilingual|communicat|translat|interpret"
    r"|a plus|preferred|required|helpful|desired|differential",
    re.I,
)
_SPECIALTY_YEARS = re.compile(
    r"(?:\d+|two|three|four|five)\+?\s*(?:\(\d\)\s*)?(?:or more\s+)?years?(?:'"
    r"|’)?\s+(?:of\s+)?(?:\w+\s+){0,3}"
    r"(?:ophthalm\w*|optometr\w*|eye ?care|dermatolog\w*|orthop\w*|cardiolog\w*|specialty|oncolog\w*|surgical"
    r"|retina\w*|urolog\w*|gastro\w*|ent|allergy|podiatr\w*|neurolog\w*|pediatric|ob/?gyn)",
    re.I,
)


# Any language name as a substring: sentences without one need no closer look.
_LANGUAGE_GATE = re.compile("|".join(re.escape(w) for w in sorted(_LANGUAGE_FIRST_WORDS)))


def _language_hits(text: str) -> list[tuple[int, int, str, str]]:
    """``bilingual <Language>`` hits for languages other than Spanish (an open family) in a body
    sentence: (start, end, surface, label)."""
    # Language names are capitalized words: a cheap test finds the sentences worth the full regex.
    if not any(m.group(0) in _LANGUAGE_FIRST_WORDS for m in _CAPITALIZED.finditer(text)):
        return []
    if not _LANG_CONTEXT.search(text):
        return []
    out = []
    for m in _LANG_RE.finditer(text):
        lang = m.group(0)
        if lang == "Spanish":
            continue
        lang = _LANGUAGE_NAMES.get(lang, lang)
        out.append((m.start(), m.end(), m.group(0), f"bilingual {lang}"))
    return out


def analyze_sentence(
    matcher: Matcher,
    text: str,
    section: str,
    bullet: bool,
    low: str,
    cues: list[str] | None = None,
    markers: list[tuple[int, int, str]] | None = None,
    *,
    plain_lower: bool = True,
) -> SentenceInfo:
    """The :class:`SentenceInfo` of one sentence.

    ``low`` is its lower-cased text, same length; ``plain_lower`` says it is ``text.lower()``.
    """
    body = section not in _BODY_ONLY
    hits = matcher.find_in(text, low)
    langs = _language_hits(text) if body and _LANGUAGE_GATE.search(text) else ()
    mentions: tuple[MentionInfo, ...] = ()
    languages: tuple[MentionInfo, ...] = ()
    if hits or langs:
        if body:
            ctx = SentenceContext(text, low, section, bullet, cues, markers)
            siblings = [
                (label, start, end) for start, end, category, label, _ in hits if category == "certifications"
            ]
            negatable = section != "heading"

            def info(category: str, label: str, start: int, end: int, surface: str) -> MentionInfo:
                feats = mention_features(
                    ctx, start, end, surface, candidate_key(label), category, siblings, label
                )
                negated = category == "certifications" and negatable and mention_negated(text, start, end)
                return MentionInfo(category, label, start, end, surface, tuple(feats), negated)

            mentions = tuple(
                info(category, label, start, end, surface) for start, end, category, label, surface in hits
            )
            # Languages ("bilingual Vietnamese") are skills found outside the taxonomy's aliases.
            languages = tuple(
                info("skills", label, start, end, surface) for start, end, surface, label in langs
            )
        else:
            mentions = tuple(
                MentionInfo(
                    category,
                    label,
                    start,
                    end,
                    surface,
                    tuple(title_mention_features(candidate_key(label), section, surface)),
                    False,
                )
                for start, end, category, label, surface in hits
            )
    if not body:
        return (
            SentenceInfo(mentions, languages, (), False, (), False, (0, 0, False, False))
            if mentions
            else _EMPTY
        )
    years = tuple(sentence_years(text, section, low))
    specialty_years = bool(years) and bool(_SPECIALTY_YEARS.search(text))
    dollar = "$" in text
    pay = tuple(sentence_pay_candidates(text)) if dollar or _DIGIT.search(text) else ()
    plain = low if plain_lower else text.lower()
    role = _NO_ROLE_WORDS
    counts = None
    for m in ROLE_WORDS.finditer(plain):
        if counts is None:
            counts = [0, 0, 0, 0]
        counts[ROLE_KIND[m.lastindex]] += 1  # type: ignore[index]
    if counts is not None:
        role = (counts[0], counts[1], counts[2] > 0, counts[3] > 0)
    if not (mentions or languages or years or pay or dollar or any(role)):
        return _EMPTY
    return SentenceInfo(mentions, languages, years, specialty_years, pay, dollar, role)


_DIGIT = re.compile(r"\d")
_NO_ROLE_WORDS = (0, 0, False, False)


# --- a posting ------------------------------------------------------------------------------------

CACHE_SIZE = 50_000  # sentences remembered across postings (tens of MB at most)


class SentenceCache:
    """Bounded memory of :class:`SentenceInfo` by (text, section, bullet); oldest entries go first."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.infos: dict[tuple[str, str, bool], SentenceInfo] = {}
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        self.infos.clear()
        self.hits = self.misses = 0

    def _make_room(self) -> None:
        for key in list(islice(self.infos, max(1, self.size // 10))):
            del self.infos[key]


_CACHES: dict[int, tuple[Matcher, SentenceCache]] = {}


def sentence_cache(matcher: Matcher) -> SentenceCache:
    """The cache of sentences analysed with ``matcher``."""
    got = _CACHES.get(id(matcher))
    if got is None or got[0] is not matcher:
        got = _CACHES[id(matcher)] = (matcher, SentenceCache())
    return got[1]


def analyze(doc: Doc, matcher: Matcher, *, use_cache: bool = True) -> list[SentenceInfo]:
    """One :class:`SentenceInfo` per sentence of ``doc``."""
    sentences = doc.sentences
    doc_low = doc.text.lower()
    plain = len(doc_low) == len(doc.text)
    if not plain:
        # A character that lower-cases to two ("İ"): the original lowered the whole posting
        # character by character; do the same, sentence by sentence, and leave the cache alone.
        doc_low = lower_per_char(doc.text)
        use_cache = False
    joined = _joined_breaks(doc, doc_low)
    cache = sentence_cache(matcher)
    use_cache = use_cache and cache.size > 0
    infos = cache.infos
    out: list[SentenceInfo] = []
    i = 0
    n = len(sentences)
    starts = doc.starts
    while i < n:
        if i not in joined:
            sent = sentences[i]
            key = (sent.text, sent.section, sent.bullet)
            info = infos.get(key) if use_cache else None
            if info is None:
                start = starts[i]
                info = analyze_sentence(
                    matcher,
                    sent.text,
                    sent.section,
                    sent.bullet,
                    doc_low[start : start + len(sent.text)],
                    plain_lower=plain,
                )
                if use_cache:
                    cache.misses += 1
                    if len(infos) >= cache.size:
                        cache._make_room()
                    infos[key] = info
            else:
                cache.hits += 1
            out.append(info)
            i += 1
            continue
        j = i
        while j in joined:
            j += 1
        group = range(i, j + 1)  # sentences i..j, scanned together
        lows = [doc_low[starts[k] : starts[k] + len(sentences[k].text)] for k in group]
        cues, markers = _scan_together(lows)
        for k, low, c, mk in zip(group, lows, cues, markers, strict=True):
            sent = sentences[k]
            out.append(
                analyze_sentence(matcher, sent.text, sent.section, sent.bullet, low, c, mk, plain_lower=plain)
            )
        i = j + 1
    return out
