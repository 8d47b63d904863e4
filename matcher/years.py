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

from matcher.text import Doc

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "twenty-four": 24, "thirty": 30, "half": 0.5, "one and a half": 1.5, "one-half": 0.5,
}  # fmt: skip
_NUM = (
    r"(?:\d+(?:\.\d+)?|one and a half|twenty-four|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven"
    r"|twelve|fifteen|eighteen|twenty|thirty)"
)
_PAREN_NUM = r"(?:\s*\(\s*\d+(?:\.\d+)?\s*\))?"
# "3+ years", "1-3 years", "a minimum of two (2) years", "6 months", "one year", "at least 1 yr"
_YEARS = re.compile(
    rf"(?<![\w$.])(?P<a>{_NUM}){_PAREN_NUM}\s*(?:\+|plus)?\s*"
    rf"(?:(?:-|–|—|to|or)\s*(?P<b>{_NUM}){_PAREN_NUM}\s*\+?\s*)?"
    r"(?P<unit>years?|yrs?\.?|months?|mos?\.?)(?![\w])",
    re.I,
)
_A_YEAR = re.compile(
    r"\b(?:(?:at least|minimum of|a minimum of)\s+)?(?:a|one)\s+(?:full\s+)?(?P<unit>year)\b", re.I
)
_EXPERIENCE = re.compile(
    r"experience|exp\b|background|working (?:in|as)|worked|work history|specialized|in (?:a|an) (?:\w+ ){0,3}"
    r"(?:setting|office|clinic|practice|environment)|as an? (?:MA|medical assistant)",
    re.I,
)
_NOT_EXPERIENCE = re.compile(
    r"\b(?:old|of age|age|warranty|anniversary|in business|serving|since|founded|history of|tenure|vesting|vest"
    r"|accrual|after (?:\d|one|two|three|six)|every|per year|a year\b.*(?:pto|vacation|paid)|pto|vacation|holiday"
    r"|contract|term|assignment|probation|commitment|retention|bonus|within|renew|valid|expire|school|program"
    r"|degree|course|apprenticeship lasts|track record of|our team has|we have been|has been)",
    re.I,
)
_PREFERRED = re.compile(
    r"prefer|a plus|\bplus\b|desired|desirable|ideal|nice to have|helpful|bonus|advantage|welcome|encouraged"
    r"|is an asset|would be great",
    re.I,
)
_REQUIRED = re.compile(r"requir|must|minimum|at least|mandatory|need|necessary", re.I)
_ALTERNATIVE = re.compile(
    r"\bor\b[^.;]{0,60}(?:graduat|diploma|certificat|completion|program|degree|school|training|education)"
    r"|(?:graduat|diploma|certificat|completion|program|degree|school|training|education)\w*[^.;]{0,60}\bor\b"
    r"|in lieu of|substitut|equivalent combination|may be substituted|instead of",
    re.I,
)
_NO_EXPERIENCE = re.compile(
    r"new (?:grads?|graduates)\b[^.;]{0,30}(?:welcome|encouraged|considered|apply)|no (?:prior |previous )?"
    r"(?:experience|exp)\b[^.;]{0,20}(?:required|necessary|needed)|no experience|entry[- ]level (?:candidates|applicants)"
    r"\s+welcome|(?:will|we) train(?: the right)?(?: candidate)?[^.;]{0,20}no experience|recent graduates welcome"
    r"|experience (?:is )?not required|without experience|zero experience",
    re.I,
)
_FEDERAL = re.compile(
    r"specialized experience|equivalent to (?:at least )?(?:the )?(?:next lower )?(?:grade )?GS-?\d", re.I
)
_NESTED = re.compile(
    r"\b(?:including|of which|with at least|at least \S+ of (?:which|those)|of that|within that)\b", re.I
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


def _context_kind(sentence: str, prev_heading_section: str) -> str:
    if _ALTERNATIVE.search(sentence):
        return "alternative"
    if prev_heading_section == "preferred" or _PREFERRED.search(sentence):
        # "required ... preferred" in one sentence: whichever the sentence leans on first is ambiguous;
        # an explicit requirement word wins only when no preference word is there.
        return "preferred"
    return "required"


def find_years(doc: Doc) -> list[YearsMention]:
    """Every experience statement of the description, in text order."""
    out: list[YearsMention] = []
    for idx, sent in enumerate(doc.sentences):
        if sent.section in ("title", "company", "heading", "benefits", "about", "eeo"):
            continue
        text = sent.text
        low = text.lower()
        if "experience" not in low and "exp" not in low and "background" not in low and "worked" not in low:
            if not _NO_EXPERIENCE.search(text):
                continue
        if _NO_EXPERIENCE.search(text):
            out.append(YearsMention(0.0, "zero", idx, text))
        found = False
        for m in _YEARS.finditer(text):
            a = _number(m.group("a"))
            if a is None:
                continue
            b = _number(m.group("b")) if m.group("b") else None
            value = min(a, b) if b is not None else a
            if m.group("unit").lower().startswith("m"):
                value = round(value / 12, 2)
            if value > 30:
                continue
            window = text[max(0, m.start() - 60) : m.end() + 80]
            if not _EXPERIENCE.search(window):
                continue
            near = text[max(0, m.start() - 25) : m.end() + 25]
            if _NOT_EXPERIENCE.search(near) and not re.search(r"experience", near, re.I):
                continue
            before = text[max(0, m.start() - 30) : m.start()]
            nested = bool(_NESTED.search(before)) and bool(out) and out[-1].sentence == idx
            kind = _context_kind(text, sent.section)
            if (
                re.search(r"^\s*\bor\b|\bor\s+(?:at least\s+)?$", before, re.I)
                and "requir" not in before.lower()
            ):
                kind = "alternative"
            out.append(YearsMention(value, kind, idx, text, nested))
            found = True
        if not found and _FEDERAL.search(text):
            m2 = _A_YEAR.search(text)
            if m2:
                out.append(YearsMention(1.0, "required", idx, text))
    return out


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
