"""Base pay parsed out of free text ("$16.40 - $21.90 per hour", "$45k–$53k", "19.00 to 23.00 hourly").

Follows LABELS.md section 8: base pay only (sign-on/retention/referral bonuses, shift, weekend
and bilingual differentials, stipends, tuition, mileage, relocation and the like are skipped);
hourly beats an annualized figure given beside it; "starting at $X" has no max and "up to $X"
no min; step-up pay ("$16/hr in training, $18.50 after") is a range; a figure with "DOE"
attached is kept, while "DOE"/"competitive" alone is no pay.

:func:`pay_candidates` lists every figure with what its context says; :func:`choose_pay` picks
the one that is the base pay; :func:`find_pay` does both. The crawl uses it for sources with no
structured pay (``salary_source = "description"``); the matcher uses it for the ``pay`` tag.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from scraper.parsers.lowered import lowered, same_fold

# A comma right after an amount is punctuation ("$24.93, based on"); only ",ddd" continues a number.
_AMOUNT = r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*([kK])?(?!\d|,\d)"
_DOLLAR = re.compile(
    r"(?P<plus>\+\s*)?\$\s?"
    + _AMOUNT.replace("(", "(?P<a1>", 1)
    .replace("(?:\\.(", "(?:\\.(?P<a2>", 1)
    .replace("([kK])", "(?P<a3>[kK])", 1)
    + r"(?P<tail>\s*(?:\+|/\s*(?:hr|hour|h|yr|year)\b|(?:per|an|a)\s+(?:hour|hr|year|yr)\b|hourly|annually)?)"
    + r"(?:\s*(?:-|–|—|to|and|through)\s*(?:\$\s?)?"
    + _AMOUNT.replace("(", "(?P<b1>", 1)
    .replace("(?:\\.(", "(?:\\.(?P<b2>", 1)
    .replace("([kK])", "(?P<b3>[kK])", 1)
    + r")?"
)
# Figures written without "$" count only with a pay unit right after them.
_BARE = re.compile(
    r"(?<![\w$.,])(?P<a1>\d{1,3}(?:,\d{3})+|\d{2,3})(?:\.(?P<a2>\d{2}))?(?P<a3>)(?P<tail>)"
    r"(?:\s*(?:-|–|—|to)\s*(?P<b1>\d{1,3}(?:,\d{3})+|\d{2,3})(?:\.(?P<b2>\d{2}))?(?P<b3>))?"
    r"(?=\s*(?:/\s*(?:hr|hour|h|yr|year)\b|(?:per|an|a)\s+(?:hour|hr|year)\b|hourly|annually|USD\s+(?:per|an"
    r"|a)\b))",
    re.I,
)
# ... or right after a pay label ("Hourly Rate: 17.50 - 21.00").
_LABELLED = re.compile(
    r"(?:hourly (?:rate|pay|wage)|pay (?:rate|range)|wage(?: range)?|rate of pay|salary(?: range)?"
    r"|starting (?:wage|rate)|base pay)\s*(?:range)?\s*(?:is|of)?\s*:?\s*"
    r"(?P<a1>\d{1,3}(?:,\d{3})+|\d{2,6})(?:\.(?P<a2>\d{2}))?(?P<a3>)(?P<tail>)"
    r"(?:\s*(?:-|–|—|to)\s*(?P<b1>\d{1,3}(?:,\d{3})+|\d{2,6})(?:\.(?P<b2>\d{2}))?(?P<b3>))?(?![\d$])",
    re.I,
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:\+\s*)?(?:USD\s*)?(?:/\s*|per\s+|an?\s+|each\s+)?(hour|hr|h|hourly|year|yr|annual(?:ly)?|annum"
    r"|salary"
    r"|month|monthly|mo|week|weekly|wk|day|daily)\b",
    re.I,
)
_UNIT_WORDS = {
    "hour": "HOUR",
    "hr": "HOUR",
    "h": "HOUR",
    "hourly": "HOUR",
    "year": "YEAR",
    "yr": "YEAR",
    "annual": "YEAR",
    "annually": "YEAR",
    "annum": "YEAR",
    "salary": "YEAR",
    "month": "MONTH",
    "monthly": "MONTH",
    "mo": "MONTH",
    "week": "WEEK",
    "weekly": "WEEK",
    "wk": "WEEK",
    "day": "DAY",
    "daily": "DAY",
}
# Words that make a nearby figure something other than base pay.
_NOT_BASE = re.compile(
    r"bonus|sign[\s-]?on|signing|differential|\bdiffs?\b|relocation|tuition|reimburs|stipend|allowance|"
    r"referral|retention|incentive|commission|mileage|certification pay|premium|401|\bmatch|\bpto\b|"
    r"\bcredit\b|per\s+diem\s+rate|gift card|scholarship|loan repayment|student loan|uniform|\bfee\b"
    r"|\bfees\b|"
    r"extra\s+\$|additional\s+\$|on top|raise|increase|weekend|night shift|evening|overtime|on-call pay|"
    r"call pay|\bmeal|\bcost\b|worth|value|revenue|budget|fund|grant|award|\bprize|paid out|wellness|"
    r"lifestyle|childcare|educational assistance|assistance of|professional development"
    r"|continuing education|up to\s+\$?\d[\d,]*\s+(?:in|for"
    r"|per year for)\s",
    re.I,
)
_STEP_UP = re.compile(
    r"\bafter\b|\bonce\b|\bthen\b|upon|in training|during training|while training|increas|moves? to|bumps?",
    re.I,
)
_NO_FIGURE = re.compile(r"\b(?:DOE|competitive|commensurate|negotiable|based on experience)\b", re.I)
# A pay scale's steps listed in one line ("Step 1: $20.14  Step 2: $21.15 ... Step 5: $24.48").
_SCALE_STEP = re.compile(r"\bstep\s*\d+\s*:", re.I)
# A market statistic quoted before a figure ("the BLS median wage is $21 an hour") makes it no offer.
_STATISTIC = re.compile(
    r"bureau of labor|median (?:wage|pay|salary|hourly|income|annual)|national (?:average|median)", re.I
)
# What a bilingual or language rate says: a differential (LABELS.md 9.9), never a step of the pay.
_NOT_STEP = re.compile(r"bilingual|language|spanish|interpret", re.I)
# "$14.50/hr to start": a starting figure, like "starting at $14.50".
_TO_START = re.compile(r"\s*(?:(?:/|per\s|an?\s)\s*\w+\s*)?to start\b", re.I)


@dataclass(frozen=True)
class Pay:
    min: float | None
    max: float | None
    unit: str | None
    evidence: str = ""


@dataclass(frozen=True)
class PayCandidate:
    low: float
    high: float | None
    unit: str | None
    kind: str  # range | single | starting | upto
    base: bool  # False when bonus/differential words sit next to it
    sentence: int
    position: int
    evidence: str


def _amount(whole: str, cents: str | None, k: str | None) -> float:
    value = float(whole.replace(",", "") + (f".{cents}" if cents else ""))
    return value * 1000 if k else value


def _unit_for(amount: float, after: str, sentence: str) -> str | None:
    m = _UNIT_AFTER.match(after)
    if m:
        return _UNIT_WORDS[m.group(1).lower()]
    low = sentence.lower()
    if amount < 350 and re.search(r"\bhourly\b|per hour|/\s*hr\b|an hour|/\s*hour", low):
        return "HOUR"
    if amount >= 1000 and re.search(r"\bannual|per year|salary|/\s*yr\b|a year|yearly|per annum", low):
        return "YEAR"
    if amount >= 1000 and re.search(r"\bmonth|/\s*mo\b", low):
        return "MONTH"
    if amount < 350:
        return "HOUR"
    if amount >= 1000:
        return "YEAR"
    return None


_DIGIT = re.compile(r"\d")
# Over lower-cased text: what _BARE needs after a figure and _LABELLED before one.
_PAY_WORD = re.compile(
    r"/\s*[hy]|\s(?:hour|hr|year)|hourly|annually|usd|wage|rate of|salary|pay |starting rate|base pay"
)
_MAYBE_PAY = re.compile(
    r"\d\s*(?:/\s*h|per hour|hourly|an hour|annually)|(?:rate|pay|wage|salary|range)\s*(?:is|of)?\s*:?\s*\d",
    re.I,
)
_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[•·|]\s+")


def pay_candidates(text: str | None) -> list[PayCandidate]:
    """Every pay-like figure in ``text``, with its unit, shape and whether it looks like base pay."""
    out: list[PayCandidate] = []
    if not text or ("$" not in text and not _MAYBE_PAY.search(text)):
        return out
    for idx, sentence in enumerate(_SPLIT.split(text)):
        _part_candidates(sentence, idx, out)
    return out


def sentence_pay_candidates(text: str) -> list[PayCandidate]:
    """:func:`pay_candidates` of one line of text without the whole-text gate, ``sentence`` numbering
    the parts of this line. A text's candidates are its lines' (parts never cross a line break);
    the caller applies the gate (``"$"`` or :func:`may_hold_pay` on the whole text)."""
    out: list[PayCandidate] = []
    # _part_candidates' pay-word gate, once for the whole line: a part holds "$" or a pay word
    # only if the line does (most lines with a digit have neither: "across 19 exam rooms").
    if "$" not in text and same_fold(text):
        low = text.lower()
        if len(low) == len(text) and not _PAY_WORD.search(low):
            return out
    for idx, sentence in enumerate(_SPLIT.split(text)):
        _part_candidates(sentence, idx, out)
    return out


def may_hold_pay(text: str) -> bool:
    """The whole-text gate of :func:`pay_candidates`."""
    return bool(text) and ("$" in text or bool(_MAYBE_PAY.search(text)))


class _Regexes(NamedTuple):
    """The case-insensitive regexes of _part_candidates, or their twins over lower-cased text."""

    bare: re.Pattern[str]
    labelled: re.Pattern[str]
    not_base: re.Pattern[str]
    per_visit: re.Pattern[str]
    up_to: re.Pattern[str]
    starting: re.Pattern[str]


_CASED = _Regexes(
    bare=_BARE,
    labelled=_LABELLED,
    not_base=_NOT_BASE,
    per_visit=re.compile(r"\b(?:per|each)\s+(?:visit|patient|procedure|mile|shift|referral)\b", re.I),
    up_to=re.compile(r"up\s+to\s*$|max(?:imum)?(?: of)?\s*:?\s*$", re.I),
    starting=re.compile(
        r"(?:starting|starts|start|beginning|begins)(?:\s+(?:pay|rate|wage|salary))?\s*(?:at"
        r"|from|of)?\s*:?\s*$"
        r"|minimum(?: of)?\s*:?\s*$|from\s*$|as low as\s*$",
        re.I,
    ),
)
_LOW = _Regexes(*(lowered(p) for p in _CASED))
_AFTER_END = re.compile(r"\bplus\b|;|\band\s+(?:a|an)\b|\bwith\b|\(|,\s+(?!\d)")
_AND_UP = re.compile(r"\s*\+|\s*(?:/\s*\w+\s*)?(?:and|&)\s+up\b|\s*(?:/\s*\w+\s*)?or more\b")


def _part_candidates(sentence: str, idx: int, out: list[PayCandidate]) -> None:
    if not sentence or ("$" not in sentence and not _DIGIT.search(sentence)):
        return
    # The case-insensitive regexes run as their plain twins over the lower-cased part when that
    # finds the same (scraper.parsers.lowered); case-sensitive ones always see the part itself.
    low_part = sentence.lower()
    if len(low_part) == len(sentence) and same_fold(sentence):
        rx, src = _LOW, low_part
        # A figure counts only after "$" (_DOLLAR), before a pay unit (_BARE) or after a pay label
        # (_LABELLED): a part with none of their words holds none.
        if "$" not in sentence and not _PAY_WORD.search(low_part):
            return
    else:
        rx, src = _CASED, sentence
    found = [*_DOLLAR.finditer(sentence), *rx.bare.finditer(src)]  # _DOLLAR is case-sensitive
    if not found:
        found = list(rx.labelled.finditer(src))
    matches = sorted(found, key=lambda m: m.start())
    prev_end = 0
    for i, m in enumerate(matches):
        if i and m.start() < matches[i - 1].end():
            continue  # a bare figure inside a "$" match
        next_start = matches[i + 1].start() if i + 1 < len(matches) else len(sentence)
        low = _amount(m.group("a1"), m.group("a2"), m.group("a3"))
        high = (
            _amount(m.group("b1"), m.group("b2"), m.group("b3") or m.group("a3")) if m.group("b1") else None
        )
        # A figure too long for a float (400 digits reads as inf) is no pay, and JSON cannot hold it.
        if low < 7 or math.isinf(low) or (high is not None and (high < low or high > low * 4)):
            prev_end = m.end()
            continue
        before = src[max(prev_end, m.start() - 45) : m.start()]
        after_full = sentence[m.end() :]
        after = _AFTER_END.split(sentence[m.end() : next_start])[0]
        after = src[m.end() : m.end() + min(len(after), 35)]
        base = not (rx.not_base.search(before) or rx.not_base.search(after) or m.groupdict().get("plus"))
        # A statistic named just before the figure ("the BLS median wage ... is around $21"), not
        # one the offer is compared with after it ("$22/hr, above the national average").
        if rx.per_visit.search(after) or _STATISTIC.search(sentence, max(0, m.start() - 80), m.start()):
            base = False
        tail = sentence[m.start("tail") : m.end("tail")] if m.group("tail") else ""
        unit = _unit_for(high or low, tail + after_full, sentence)
        kind = "range" if high is not None else "single"
        if high is None:
            if rx.up_to.search(before):
                kind = "upto"
            elif (
                rx.starting.search(before)
                or _AND_UP.match(tail + after_full)
                or _TO_START.match(tail + after_full)
            ):
                kind = "starting"
        out.append(PayCandidate(low, high, unit, kind, base, idx, m.start(), sentence.strip()))
        prev_end = m.end()


def choose_pay(candidates: list[PayCandidate]) -> Pay | None:
    """The base pay among the candidates: hourly over annual, the first figure of that unit."""
    base = [c for c in candidates if c.base and c.unit in ("HOUR", "YEAR", "MONTH", "WEEK", "DAY")]
    if not base:
        return None
    for unit in ("HOUR", "YEAR", "MONTH", "WEEK", "DAY"):
        of_unit = [c for c in base if c.unit == unit]
        if not of_unit:
            continue
        first = of_unit[0]
        same = [c for c in of_unit if c.sentence == first.sentence and c.kind in ("single", "starting")]
        if first.kind in ("single", "starting"):  # "$16/hr to start, $18/hr after 90 days" steps up too
            # Step-up pay: single figures in one sentence ("$16 in training, $18.50 after") -> a range
            # to the top step.
            if len(same) >= 2 and _STEP_UP.search(first.evidence) and same[1].low > first.low:
                return Pay(first.low, max(c.low for c in same[1:]), unit, first.evidence)
            # ... or in clauses joined by semicolons ("$16/hr in training; $18.50/hr after"), which
            # are parts of their own (sentences for the matcher): each next figure, nothing between.
            top, step = first, _next_clause_figure(first, candidates)
            while step is not None and step.unit == unit and step.low > top.low:
                top, step = step, _next_clause_figure(step, candidates)
            if top is not first:
                return Pay(first.low, top.low, unit, first.evidence)
        # A pay scale's steps in one line: its lowest to its highest step.
        if first.kind == "single" and len(same) >= 2 and len(_SCALE_STEP.findall(first.evidence)) >= 2:
            return Pay(first.low, max(c.low for c in same), unit, first.evidence)
        # "$17.50 to start, up to $21 with experience": a start and a ceiling in one sentence -> a range.
        if first.kind in ("single", "starting"):
            ceiling = [
                c for c in of_unit if c.sentence == first.sentence and c.kind == "upto" and c.low > first.low
            ]
            if ceiling:
                return Pay(first.low, ceiling[0].low, unit, first.evidence)
        if first.kind == "upto":
            return Pay(None, first.low, unit, first.evidence)
        if first.kind == "starting":
            return Pay(first.low, None, unit, first.evidence)
        return Pay(first.low, first.high if first.high is not None else first.low, unit, first.evidence)
    return None


def _next_clause_figure(first: PayCandidate, candidates: list[PayCandidate]) -> PayCandidate | None:
    """The step-up figure of ``first`` when ``first`` ends a clause with a semicolon and the next
    candidate, a single base figure, opens the next one, with a step-up word in either clause."""
    if not first.evidence.endswith(";"):
        return None
    at = candidates.index(first)
    if at + 1 >= len(candidates) or any(c.sentence == first.sentence for c in candidates[at + 1 :]):
        return None  # first is not the last figure of its clause
    nxt = candidates[at + 1]
    # The next part of the text, or (matcher.model numbers parts (sentence << 20) | part) the first
    # part of the next sentence.
    if nxt.sentence not in (first.sentence + 1, ((first.sentence >> 20) + 1) << 20):
        return None
    if not nxt.base or nxt.kind not in ("single", "starting") or _NOT_STEP.search(nxt.evidence):
        return None
    if not (_STEP_UP.search(first.evidence) or _STEP_UP.search(nxt.evidence)):
        return None
    return nxt


def find_pay(text: str | None) -> Pay | None:
    """The base pay stated in ``text`` (``None`` when there is none)."""
    return choose_pay(pay_candidates(text))


def salary_from_text(*texts: str | None) -> dict[str, Any]:
    """A posting's salary fields from the first of ``texts`` that states a base pay (``{}`` if none):
    how every source without structured pay (or with none on this posting) fills them."""
    for text in texts:
        found = find_pay(text)
        if found:
            return {
                "salary_min": found.min,
                "salary_max": found.max,
                "salary_unit": found.unit,
                "salary_currency": "USD",  # figures in text are read as US dollars
                "salary_source": "description",
            }
    return {}
