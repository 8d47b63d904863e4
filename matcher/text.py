"""Posting text made ready for matching: clean-up, lines, sentences and section types.

A posting arrives as a title, a company and a description that may be plain text, HTML,
entity-escaped HTML or text with mojibake ("Â·", "â€™"). :func:`prepare` turns it into a
:class:`Doc`: one string per sentence, each with the *section* it sits in (requirements,
preferred, duties, benefits, ...), because where a sentence stands decides much of what it means
("CMA" under *Preferred* is a preference; "CPR" under *Benefits* is not an ask).

Pure functions, no I/O.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from scraper.parsers.normalize import html_to_text

# Mojibake from UTF-8 read as cp1252, the common kinds in scraped postings.
_MOJIBAKE = {
    "â€™": "'",
    "â€˜": "'",
    "â€œ": '"',
    "â€\x9d": '"',
    "â€“": "–",
    "â€”": "—",
    "â€¦": "...",
    "â€¢": "•",
    "Â·": "·",
    "Â ": " ",
    "Â\xa0": " ",
    "Â®": "®",
    "Â©": "©",
    "Ã©": "é",
    "Ã±": "ñ",
    "Ã³": "ó",
    "Ã¡": "á",
    "Ã­": "í",
    "â„¢": "™",
}
_MOJIBAKE_RE = re.compile("|".join(re.escape(k) for k in sorted(_MOJIBAKE, key=len, reverse=True)))
_HTML_HINT = re.compile(r"<\s*(?:p|br|li|ul|ol|div|span|h[1-6]|strong|b|em|table|tr|td)\b[^>]*>", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·▪◦●○■□➢✓✔–—>]+|\d{1,2}[.)]|[a-z][.)])\s+")
_INLINE_BULLET = re.compile(r"\s+[•·▪●■]\s+")
_WS = re.compile(r"[ \t\r\f\v\xa0\u2000-\u200b]+")
# Sentence ends: ". " before a capital/digit/quote/bracket, "?" "!" and ";" (clauses that stack asks).
_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[A-Z0-9$])|(?<=;)\s+")

# Section headings -> section type. Order matters: the first pattern that matches wins.
SECTION_TYPES = (
    "title",
    "company",
    "heading",
    "summary",
    "duties",
    "requirements",
    "preferred",
    "benefits",
    "pay",
    "about",
    "eeo",
    "other",
)
_HEADINGS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.I))
    for name, pattern in (
        (
            "preferred",
            r"prefer|nice[- ]to[- ]have|bonus points|desired|a plus|plus if|extra credit|ideal(?:ly)?\b"
            r"|would be great|helpful|what sets you apart|stand out",
        ),
        ("pay", r"compensation|\bpay\b|salary|wages?\b|pay range|rate of pay|hourly rate|earnings"),
        (
            "benefits",
            r"benefits?|perks|what we offer|we offer|why (?:join|work)|our offer|total rewards|in return"
            r"|what you(?:'ll| will) get|you(?:'ll| will) (?:get|enjoy)",
        ),
        (
            "eeo",
            r"equal (?:employment )?opportunity|\beeo\b|e-verify|accommodation|non-?discrimination"
            r"|drug[- ]free"
            r"|disclaimer|legal|fair chance",
        ),
        (
            # Not asks of the hire, though they sit among the requirements.
            "other",
            r"physical (?:demands|requirements)|work(?:ing)? (?:environment|conditions)|how to apply"
            r"|additional information|application process|selection process",
        ),
        (
            "requirements",
            r"requirement|qualifications?|must[- ]haves?|what you(?:'ll)? (?:need|bring)|you have"
            r"|skills|education|experience|licens|certific|credential|minimum|required|knowledge"
            r"|who you are|about you|eligibility|conditions of employment|specialized experience"
            r"|competenc|you bring|to be considered|what we(?:'re| are) looking for|we need|ideal candidate"
            r"|who should apply|who (?:we're|we are) looking for",
        ),
        (
            "duties",
            r"responsibilit|duties|what you(?:'ll| will) do|essential functions|day[- ]to[- ]day|the role"
            r"|the job|role|position|a typical day|your day|key functions|job functions|scope|tasks|overview"
            r"|job summary|summary|description|major duties|you will|in this role"
            r"|what you(?:'ll| will) (?:own|be doing)",
        ),
        (
            "about",
            r"about|who we are|our (?:practice|clinic|team|company|mission|story)|company|mission|culture"
            r"|why us|location|schedule|hours|shift",
        ),
    )
)
_MAX_HEADING_WORDS = 8
_MAX_HEADING_CHARS = 60  # a sentence-case heading has at most 6 words

# Characters whose case folding in ``re`` (re.I) differs from str.lower() for ASCII letters, digits
# and the punctuation aliases use: dotted capital I, dotless i, long s. A case-insensitive regex
# over a text equals a case-sensitive one over its lower-cased copy unless the text holds one of
# these (tests/test_matcher_text.py recomputes the list from Unicode).
FOLDS_ODDLY = "\u0130\u0131\u017f"
_FOLDS_ODDLY = re.compile(f"[{FOLDS_ODDLY}]")


def folds_oddly(text: str) -> bool:
    return _FOLDS_ODDLY.search(text) is not None


class Sentence(NamedTuple):  # a tuple: dozens per posting, made in the hot loop
    text: str
    section: str  # one of SECTION_TYPES
    line: int  # index of the source line (bullets and headings are lines)
    bullet: bool = False


@dataclass
class Doc:
    """A prepared posting: sentences in order, their sections, and one joined text for regexes."""

    title: str
    company: str
    sentences: list[Sentence]
    text: str = ""  # sentences joined by "\n" (title and company first)
    starts: list[int] = field(default_factory=list)  # offset of each sentence in ``text``

    def sentence_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1


def fix_text(value: str | None) -> str:
    """Plain text from whatever a source sent: HTML, escaped HTML, mojibake, odd bullets."""
    if not value:
        return ""
    text = value
    if "&" in text:
        text = html.unescape(text)
        if "&" in text and re.search(r"&(?:amp|lt|gt|nbsp|#\d+);", text):
            text = html.unescape(text)  # double-encoded
    if _HTML_HINT.search(text):
        text = html_to_text(text) or ""
    if "Â" in text or "â€" in text or "Ã" in text:
        text = _MOJIBAKE_RE.sub(lambda m: _MOJIBAKE[m.group(0)], text)
    text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\r", "\n")
    # "• a • b" on one line -> one bullet per line.
    if "•" in text or "·" in text or "▪" in text:
        text = _INLINE_BULLET.sub("\n• ", text)
    return text


@lru_cache(maxsize=8192)  # boilerplate lines repeat across an employer's postings
def heading_type(line: str) -> str | None:
    """The section type a heading line opens, or None when the line is not a heading."""
    if _BULLET.match(line):
        return None
    stripped = line.strip().strip("*#_=:- ").strip()
    if not stripped or len(stripped) > 80 or ":" in stripped:
        return None
    words = stripped.split()
    if len(words) > _MAX_HEADING_WORDS:
        return None
    looks_heading = (
        line.rstrip().endswith(":")
        or (stripped.isupper() and len(stripped) > 3)
        or line.strip().startswith(("#", "**"))
        or (
            len(words) <= 5
            and all(w[:1].isupper() or len(w) <= 3 or not w[:1].isalpha() for w in words)
            and not stripped.endswith((".", ",", "!"))
        )
    )
    if not looks_heading:
        return None
    named = _section_named(stripped)
    if named is not None:
        return named
    return "other" if line.rstrip().endswith(":") or stripped.isupper() else None


def _section_named(heading: str) -> str | None:
    """The section type a heading's words name (the first of _HEADINGS that matches), or None."""
    for name, pattern in _HEADINGS:
        if pattern.search(heading):
            return name
    return None


# Headings in sentence case ("What you'll do", "About the role", "Pay and benefits"): a short line
# with no punctuation that opens a paragraph (a blank line before it, text right after) or a list
# (bullets right after), opens with a word headings open with and names a section. A line that
# ends on an ask ("Clinical skills preferred", "Epic experience required") is a requirement.
_HEADING_STARTS = frozenset((
    "what", "about", "who", "why", "how", "the", "key", "your", "our", "position", "job", "minimum",
    "required", "preferred", "essential", "additional", "physical", "work", "working", "pay",
    "compensation", "salary", "benefits", "schedule", "nice", "you", "primary", "basic", "general",
    "core", "role", "summary", "duties", "responsibilities", "qualifications", "requirements",
    "education", "skills", "conditions", "desired", "bonus", "ideal", "equal", "clinical",
))  # fmt: skip
# A figure or a span of time: "Minimum two years experience" is an ask, not a heading.
_A_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|years?|months?)\b", re.I
)
_ASK_END = re.compile(r"\b(?:required|preferred|a plus|plus|needed|necessary|welcome|desired|helpful)$", re.I)


@lru_cache(maxsize=8192)
def sentence_case_heading(line: str) -> str | None:
    """The section a sentence-case heading line opens (see above), or None; the caller checks
    the blank line before and the text after."""
    words = line.split()
    if not (
        0 < len(words) <= 6
        and line[:1].isupper()
        and words[0].lower() in _HEADING_STARTS
        and not any(c in line for c in ".,;:!?")
        and not _ASK_END.search(line)
        and not _A_FIGURE.search(line)
        and not _BULLET.match(line)
    ):
        return None
    return _section_named(line)


_INLINE_HEAD = re.compile(r"^\s*([A-Z][A-Za-z /&'()-]{2,40}):\s+(\S.*)$")


@lru_cache(maxsize=32768)  # headings, bullets and boilerplate lines repeat across postings
def _read_line(raw_line: str) -> tuple[str | None, str | None, bool, tuple[str, ...]]:
    """One description line: (heading type or None, inline section or None, bullet, sentences).

    A heading comes back as ``(type, None, False, (line,))``.
    """
    line = _WS.sub(" ", raw_line.replace("**", "")).strip()
    if not line:
        return None, None, False, ()
    kind = heading_type(line)
    if kind is not None:
        return kind, None, False, (line,)
    line_section = None
    m = _INLINE_HEAD.match(line)
    if m:
        inline = heading_type(m.group(1) + ":")
        if inline is not None and inline != "other":
            line_section = inline
    bullet = bool(_BULLET.match(line))
    if bullet:
        line = _BULLET.sub("", line, count=1)
    parts = tuple(part for part in (p.strip() for p in _SENT_SPLIT.split(line)) if part)
    return None, line_section, bullet, parts


def prepare(title: str | None, company: str | None, description: str | None) -> Doc:
    """Split a posting into typed sentences (title and company are sentences 0 and 1)."""
    title = _WS.sub(" ", fix_text(title)).strip()
    company = _WS.sub(" ", fix_text(company)).strip()
    sentences = [Sentence(title, "title", -2), Sentence(company, "company", -1)]
    section = "summary"
    lines = fix_text(description).split("\n")
    last = len(lines) - 1
    for lineno, raw_line in enumerate(lines):
        kind, line_section, bullet, parts = _read_line(raw_line)
        if (
            kind is None
            and len(parts) == 1
            and len(parts[0]) <= _MAX_HEADING_CHARS  # most lines: too long to be one (a cheap test first)
            and not bullet
            and lineno < last
            and lines[lineno + 1].strip()
            # A paragraph's first line, or (text made from HTML has no blank lines) a list's opener.
            and (lineno == 0 or not lines[lineno - 1].strip() or _BULLET.match(lines[lineno + 1]))
        ):
            kind = sentence_case_heading(parts[0])
        if kind is not None:
            section = kind
            sentences.append(Sentence(parts[0], "heading", lineno))
            continue
        for part in parts:
            sentences.append(Sentence(part, line_section or section, lineno, bullet))
    starts = []
    pos = 0
    for s in sentences:
        starts.append(pos)
        pos += len(s.text) + 1
    text = "\n".join([s.text for s in sentences])
    return Doc(title, company, sentences, text, starts)
