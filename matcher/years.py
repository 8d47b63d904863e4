"""Years of experience asked for (LABELS.md section 7).

Every experience statement becomes a :class:`YearsMention` with its number (ranges give the lower
bound, words and months converted), and what the sentence says about it: required, preferred,
only an alternative to something else ("graduate OR 1 year"), nested inside a larger figure
("3 years, including 1 in primary care"), or "new grads welcome" (0). :func:`min_years` applies
the rule: the smallest required figure, else the smallest preferred one, else null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from matcher.text import Doc
from scraper.parsers.lowered import lowered, same_fold

_WORD_NUMBERS = {
    "zero": 0,
    "one": 1,
    "a": 1,
    "an": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "half": 0.5,
    "one and a half": 1.5,
    "one-half": 0.5,
}
_NUM = (
    r"(?:\d+(?:\.\d+)?|one and a half|twenty-four|zero|one|two|three|four|five|six|seven|eight|nine|ten"
    r"|eleven"
    r"|twelve|fifteen|eighteen|twenty|thirty)"
)
_PAREN_NUM = r"(?:\s*\(\s*\d+(?:\.\d+)?\s*\))?"
# "3+ years", "1-3 years", "a minimum of two (2) years", "6 months", "two or more years", "1 yr"
_YEARS = re.compile(
    rf"(?<![\w$.])(?P<a>{_NUM}){_PAREN_NUM}\s*(?:\+|plus\b|or more\b|or greater\b)?\s*"
    rf"(?:(?:-|–|—|to|or)\s*(?P<b>{_NUM}){_PAREN_NUM}\s*\+?\s*)?"
    r"(?:full[- ]time\s+)?(?P<unit>years?|yrs?\.?|months?|mos?\.?)(?![\w])",
    re.I,
)
# "a year of ...", "at least one full year in ..."
_A_YEAR = re.compile(
    r"\b(?:at least |minimum of |a minimum of |must have )?(?P<a>a|one) (?:full )?(?P<unit>year)"
    r"(?=\s+(?:of|in|as|working|doing|with)\b|\s+(?:\w+\s+){0,3}experience)",
    re.I,
)
_EXPERIENCE = re.compile(
    r"experience|\bexp\b|background|working (?:in|as|at|with)|worked|work history|specialized|in (?:a"
    r"|an) (?:\w+ ){0,3}"
    r"(?:setting|office|clinic|practice|environment|role|capacity|position)|as an? |managing|leading"
    r"|supervising"
    r"|writing|doing|performing|providing|in (?:an? )?(?:\w+ ){0,2}(?:practice|clinic|office|setting|role)"
    r"|of (?:\w+ ){0,3}(?:leadership|management|supervision)|in (?:\w+ ){0,3}(?:care|medicine|surgery"
    r"|dermatology"
    r"|ophthalmology|optometry|pediatrics|health|healthcare|leadership|management)",
    re.I,
)
# Before a figure only plain experience words count ("experience: 2 years"); "as a" or "in a
# clinic" describe what follows a figure ("2 years as an MA"), not what precedes it.
_EXPERIENCE_BEFORE = re.compile(r"experience|\bexp\b|background|worked|working (?:in|as|at|with)", re.I)
_NOT_EXPERIENCE = re.compile(
    r"\b(?:years? old|of age|warranty|anniversary|in business|serving|since|founded|years? ago|tenure"
    r"|vesting|vest"
    r"|accrual|every|per year|a year\b|each year|annually|pto|vacation|holiday|contract|assignment|probation"
    r"|running|in a row|straight|recogni[sz]ed|award|top workplace|best place"
    r"|commitment|stay with|retention|bonus|renew|valid for|expire|apprenticeship lasts|track record of"
    r"|our team has"
    r"|we have been|has been|training (?:program|period)|of (?:paid |on-the-job |classroom )?training"
    r"|orientation"
    r"|program lasts|course|last(?:s|ed)|after (?:\w+ ){0,2}(?:completion|hire))",
    re.I,
)
_PREFERRED = re.compile(
    r"prefer|a plus|\bplus\b|desired|desirable|ideal|nice to have|helpful|bonus|advantage|encouraged"
    r"|is an asset|would be great|would love|love (?:someone|to see)|not a must|neither is a must"
    r"|bonus points",
    re.I,
)
_EDU = r"(?:graduat\w*|diploma|certificat\w*|completion|program|degree|school|education|GED|externship)"
_ALT_BEFORE = re.compile(rf"{_EDU}\W+(?:[\w'-]+\W+){{0,8}}or\s+(?:at least\s+|a minimum of\s+)?$", re.I)
_ALT_AFTER = re.compile(rf"^[^.;]{{0,40}}?\bor\s+(?:\w+\s+){{0,3}}{_EDU}", re.I)
_SUBSTITUTE = re.compile(r"in lieu of|substitut|equivalent combination|may be substituted|instead of", re.I)
_NO_EXPERIENCE = re.compile(
    r"new (?:grads?|graduates|\w+s)\b[^.;]{0,70}(?:welcome|encouraged|considered|apply)"
    r"|no (?:prior |previous )?(?:[\w-]+ ){0,3}(?:experience|exp)\b"
    r"(?:[^.;]{0,25}(?:required|necessary|needed)|\?)"
    # "You don't need experience", not "you don't need experience with Epic" (one system only).
    r"|(?:don[’']t|do not|won[’']t|will not) need (?:any )?(?:prior |previous )?experience"
    r"(?!\s+(?:with|in|on|using|of)\b)"
    # "We will consider new grads", not "we will not / are unable to consider new grads".
    r"|(?<!not )(?<!n[’']t )(?<!unable to )(?<!never )consider(?:s|ed|ing)? (?:\w+ ){0,2}"
    r"(?:new|recent) (?:\w+ )?grad"
    r"|no experience|entry[- ]level (?:candidates|applicants)\s+welcome|recent graduates welcome"
    r"|experience (?:is )?not required|without (?:prior )?experience|zero experience|never worked"
    r"|(?:0|zero)\s*(?:-|–|to)\s*\d+\s*years?",
    re.I,
)
_FEDERAL = re.compile(
    r"specialized experience|equivalent to (?:at least )?(?:the )?(?:next lower )?(?:grade )?GS-?\d", re.I
)
_NESTED_WORDS = re.compile(r"\b(?:including|of which|with at least|of that|within that|of those)\b", re.I)
# Career-ladder boilerplate: "MA III requires three years" is not an ask of this hire.
_LADDER = re.compile(
    r"\b(?:MA|medical assistant|level|tier|technician|tech)\s+(?:I{1,3}|[1-3])\b[^.;]{0,40}(?:requires?"
    r"|needs?|calls for)"
    r"|(?:promot\w*|advance\w*|move up|progress\w*) to\b",
    re.I,
)


@dataclass(frozen=True)
class YearsMention:
    value: float
    kind: str  # required | preferred | alternative | zero
    sentence: int
    evidence: str
    nested: bool = False


def _number(token: str) -> float | None:
    token = token.strip().lower()
    if token in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[token])
    try:
        return float(token)
    except ValueError:
        return None


def find_years(doc: Doc) -> list[YearsMention]:
    """Every experience statement of the description, in text order."""
    return [
        YearsMention(value, kind, idx, sent.text, nested)
        for idx, sent in enumerate(doc.sentences)
        for value, kind, nested in sentence_years(sent.text, sent.section)
    ]


_SKIPPED_SECTIONS = frozenset(("title", "company", "heading", "benefits", "about", "eeo", "pay"))


def sentence_years(text: str, section: str, low: str | None = None) -> list[tuple[float, str, bool]]:
    """The experience statements of one sentence: (value, kind, nested) in text order.

    ``low``: the sentence lower-cased (same length), when the caller has it. The regexes are
    case-insensitive; over lower-cased text their plain twins find the same (and run faster).
    """
    if section in _SKIPPED_SECTIONS:
        return []
    if low is None:
        low = text.lower()
    if len(low) == len(text) and same_fold(text):
        rx, src = _LOW, low
        # Most sentences say nothing of experience: cheap scans pick the ones to read. Every
        # statement needs a unit (year, yr, month, mo) or one of _NO_EXPERIENCE's words.
        if not _MAY_STATE_YEARS.search(low):
            return []
    else:
        rx, src = _CASED, text
    if not rx.worth.search(src):
        return []
    out: list[tuple[float, str, bool]] = []
    # A figure needs a unit, and a digit or a number word; without them only "no experience" is
    # left to find ("Epic experience" sentences are many, their figures "19 exam rooms").
    if (rx is _LOW and not _UNIT.search(src)) or (not _DIGIT.search(src) and not rx.word_number.search(src)):
        if rx.no_experience.search(src):
            out.append((0.0, "zero", False))
        return out
    if rx.no_experience.search(src):
        out.append((0.0, "zero", False))
    if rx.ladder.search(src):
        return out
    preferred = section == "preferred" or bool(rx.preferred.search(src))
    in_sentence: list[tuple[float, str, bool]] = []
    prev_end = 0
    matches = sorted([*rx.years.finditer(src), *rx.a_year.finditer(src)], key=lambda m: m.start())
    for m in matches:
        if m.start() < prev_end:
            continue
        a = _number(m.group("a"))
        if a is None:
            continue
        b = _number(m.group("b")) if "b" in m.groupdict() and m.group("b") else None
        value = min(a, b) if b is not None else a
        if m.group("unit").lower().startswith("m"):
            value = round(value / 12, 2)
        if rx.half.search(src[max(0, m.start() - 10) : m.start()]):
            value = round(value / 2, 2)  # "half a year"
        if value > 30:
            continue
        after = src[m.end() : m.end() + 70]
        before = src[max(0, m.start() - 70) : m.start()]
        if not (
            rx.experience.search(after)
            or rx.experience_before.search(before[-30:])
            or ("experience" in before.lower() and not _PUNCT_END.search(before[-3:]))
            or rx.experience_colon.search(before)
        ):
            continue
        if rx.not_experience.search(
            src[max(0, m.start() - 25) : m.end() + 30]
        ) and not rx.experience_word.search(after[:40]):
            continue
        kind = "preferred" if preferred else "required"
        if rx.alt_before.search(before) or rx.alt_after.search(after) or rx.substitute.search(src):
            kind = "alternative"
        nested = False
        if in_sentence:
            between = src[prev_end : m.start()]
            if not rx.or_word.search(between) or rx.nested_words.search(between):
                nested = True
        in_sentence.append((value, kind, nested))
        prev_end = m.end()
    if not in_sentence and rx.federal.search(src) and rx.one_year.search(src):
        in_sentence.append((1.0, "required", False))
    out.extend(in_sentence)
    return out


_DIGIT = re.compile(r"\d")
# Over lower-cased text (see text.FOLDS_ODDLY): what every unit of _YEARS, _A_YEAR and the
# federal "one year" holds ...
_UNIT = re.compile(r"year|yr|month|mos?(?!\w)")
# ... and those or one of _NO_EXPERIENCE's words.
_MAY_STATE_YEARS = re.compile(rf"{_UNIT.pattern}|welcome|encouraged|consider|apply|exp|never worked")
# A sentence can hold an experience statement only if it has one of these.
_WORTH_READING = re.compile(
    r"(?i)\b(?:experience|exp|background|worked|working|years?|yrs?|months?|mos|grads?|graduates|new|entry|recent)\b"
    r"|(?i:without|zero|never)\b"
)
_HAS_WORD_NUMBER = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twelve|eighteen|a|an) (?:\w+ ){0,2}(?:years?"
    r"|months?)\b",
    re.I,
)


def min_years(mentions: list[YearsMention]) -> float | None:
    """LABELS.md section 7 from the statements: required minimum, else preferred, else null."""
    counted = [m for m in mentions if not m.nested]
    required = [m.value for m in counted if m.kind == "required"]
    preferred = [m.value for m in counted if m.kind == "preferred"]
    zero = [m for m in counted if m.kind == "zero"]
    if required:
        return _clean(min(required))
    if zero:
        return 0.0
    if preferred:
        return _clean(min(preferred))
    return None


def required_years(mentions: list[YearsMention]) -> float | None:
    """The smallest *required* figure (stage rule 2 counts only required years)."""
    values = [m.value for m in mentions if m.kind == "required" and not m.nested]
    return _clean(min(values)) if values else None


def _clean(value: float) -> float:
    return float(int(value)) if value == int(value) else round(value, 2)


_PUNCT_END = re.compile(r"[.;]\s*$")


class _Regexes(NamedTuple):
    """What sentence_years matches with: case-insensitive, or their twins over lower-cased text."""

    worth: re.Pattern[str]
    word_number: re.Pattern[str]
    no_experience: re.Pattern[str]
    ladder: re.Pattern[str]
    preferred: re.Pattern[str]
    years: re.Pattern[str]
    a_year: re.Pattern[str]
    half: re.Pattern[str]
    experience: re.Pattern[str]
    experience_before: re.Pattern[str]
    experience_colon: re.Pattern[str]
    not_experience: re.Pattern[str]
    experience_word: re.Pattern[str]
    alt_before: re.Pattern[str]
    alt_after: re.Pattern[str]
    substitute: re.Pattern[str]
    or_word: re.Pattern[str]
    nested_words: re.Pattern[str]
    federal: re.Pattern[str]
    one_year: re.Pattern[str]


_CASED = _Regexes(
    worth=_WORTH_READING,
    word_number=_HAS_WORD_NUMBER,
    no_experience=_NO_EXPERIENCE,
    ladder=_LADDER,
    preferred=_PREFERRED,
    years=_YEARS,
    a_year=_A_YEAR,
    half=re.compile(r"\bhalf\s+(?:of\s+)?$", re.I),
    experience=_EXPERIENCE,
    experience_before=_EXPERIENCE_BEFORE,
    experience_colon=re.compile(r"experience\s*:\s*$", re.I),
    not_experience=_NOT_EXPERIENCE,
    experience_word=re.compile(r"experience", re.I),
    alt_before=_ALT_BEFORE,
    alt_after=_ALT_AFTER,
    substitute=_SUBSTITUTE,
    or_word=re.compile(r"\bor\b", re.I),
    nested_words=_NESTED_WORDS,
    federal=_FEDERAL,
    one_year=re.compile(r"\b(?:one|1|a)\s+(?:full\s+)?year\b", re.I),
)
_LOW = _Regexes(*(lowered(p) for p in _CASED))
