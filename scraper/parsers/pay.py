"""Pay figures parsed out of free text ("$16.40 - $21.90 per hour", "$45k–$53k").

Base pay only: amounts tied to bonus, sign-on, differential, relocation, tuition or
certification words are skipped. Used at crawl time for sources with no structured pay
(Workday always; others when their structured field is empty), marked
``salary_source = "description"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUM = r"\$\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*([kK])?"
_RANGE = re.compile(
    _NUM
    + r"(?:\s*(?:/\s*(?:hr|hour|h|yr|year))?\s*(?:-|–|—|to|and)\s*"  # separator, maybe after a unit
    + r"(?:\$\s?)?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*([kK])?)?"
)
_UNIT_AFTER = re.compile(
    r"^\s*(?:/\s*|per\s+|an?\s+|each\s+)?(hour|hr|h|hourly|year|yr|annual(?:ly)?|annum|salary|month|monthly|week|weekly|day|daily)\b",
    re.I,
)
_NOT_BASE = re.compile(
    r"bonus|sign[\s-]?on|signing|differential|diff\b|relocation|tuition|reimburs|stipend|allowance|"
    r"referral|retention|incentive|commission|mileage|per\s+diem\s+rate|certification\s+pay|premium|"
    r"401|match|pto|\bcredit\b|up\s+to\s+\$?\d[\d,]*\s+(?:in|for)\s",
    re.I,
)
_UNIT_WORDS = {
    "hour": "HOUR", "hr": "HOUR", "h": "HOUR", "hourly": "HOUR",
    "year": "YEAR", "yr": "YEAR", "annual": "YEAR", "annually": "YEAR", "annum": "YEAR", "salary": "YEAR",
    "month": "MONTH", "monthly": "MONTH", "week": "WEEK", "weekly": "WEEK", "day": "DAY", "daily": "DAY",
}  # fmt: skip


@dataclass(frozen=True)
class Pay:
    min: float | None
    max: float | None
    unit: str | None
    evidence: str = ""


def _amount(whole: str, cents: str | None, k: str | None) -> float:
    value = float(whole.replace(",", "") + (f".{cents}" if cents else ""))
    return value * 1000 if k else value


def _unit_for(amount: float, after: str, sentence: str) -> str | None:
    m = _UNIT_AFTER.match(after)
    if m:
        return _UNIT_WORDS[m.group(1).lower()]
    low = sentence.lower()
    if re.search(r"\bhourly\b|per hour|/\s*hr\b|an hour", low):
        return "HOUR"
    if re.search(r"\bannual|per year|salary|/\s*yr\b|a year", low):
        return "YEAR"
    if amount < 350:
        return "HOUR"
    if amount >= 1000:
        return "YEAR"
    return None


def find_pay(text: str | None) -> Pay | None:
    """The first base-pay figure or range in ``text`` (``None`` when there is none)."""
    if not text:
        return None
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", text):
        for m in _RANGE.finditer(sentence):
            # Look at the words around this figure, not the whole sentence, for bonus words.
            window = sentence[max(0, m.start() - 40) : m.end() + 25]
            if _NOT_BASE.search(window):
                continue
            low = _amount(m.group(1), m.group(2), m.group(3))
            high = _amount(m.group(4), m.group(5), m.group(6) or m.group(3)) if m.group(4) else None
            if low < 7 or (high is not None and high < low):
                continue
            unit = _unit_for(high or low, sentence[m.end() :], sentence)
            before = sentence[max(0, m.start() - 25) : m.start()].lower()
            if high is None and re.search(r"up to\s*$", before):
                return Pay(None, low, unit, sentence.strip())
            if high is None and re.search(r"(?:starting|starts|start)\s+(?:at|from)\s*$", before):
                return Pay(low, None, unit, sentence.strip())
            return Pay(low, high if high is not None else low, unit, sentence.strip())
    return None
