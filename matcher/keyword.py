"""The plain keyword matcher: the honest baseline printed beside the model.

Taxonomy aliases decide presence; simple cue words in the sentence decide the certification
level ("preferred"/"plus" -> preferred, two or more keys joined by "or" -> accepted, else
required); the title decides is_ma_role and stage; the first experience figure gives the years;
the first dollar figure gives the pay. Nothing is learnt and no context is weighed.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.candidates import Matcher, default_matcher
from matcher.features import title_classes
from matcher.text import prepare
from scraper.parsers.pay import pay_candidates

_PREF = re.compile(r"prefer|a plus|\bplus\b|desired|nice to have|helpful|encouraged", re.I)
_YEARS = re.compile(r"(\d+(?:\.\d+)?)\s*\+?\s*(?:-\s*\d+\s*)?(years?|months?)", re.I)
_SENIOR = re.compile(r"supervis|manager|administrator|director", re.I)
_MID = re.compile(r"\blead\b|senior|\bsr\b|coordinator|specialist|educator|\biii\b", re.I)
_NOT_MA = ("nurse", "cna", "med_aide", "phleb", "front", "coder", "it", "provider", "scribe", "support_asst")


def keyword_labels(record: dict[str, Any], matcher: Matcher | None = None) -> dict[str, Any]:
    matcher = matcher or default_matcher()
    doc = prepare(record.get("title"), record.get("company"), record.get("description"))
    labels: dict[str, Any] = {"certifications": {}, "ehr": [], "specialties": [], "skills": []}
    found = matcher.find_all(doc)
    certs = found["certifications"]
    for key, mentions in certs.items():
        levels = []
        for m in mentions:
            sent = doc.sentences[m.sentence]
            if sent.section in ("title", "company"):
                continue
            keys_here = {k for k, ms in certs.items() for x in ms if x.sentence == m.sentence}
            if _PREF.search(sent.text) or sent.section == "preferred":
                levels.append("preferred")
            elif len(keys_here) >= 2 and re.search(r"\bor\b", sent.text, re.I):
                levels.append("accepted")
            else:
                levels.append("required")
        if levels:
            labels["certifications"][key] = (
                "required" if "required" in levels else "accepted" if "accepted" in levels else "preferred"
            )
    for category in ("ehr", "specialties", "skills"):
        labels[category] = sorted(found[category])
    classes = set(title_classes(doc.title))
    is_ma = bool(classes & {"ma", "ophth", "health_tech", "office_mgr"}) and not (
        classes & {"nurse", "support_asst"}
    )
    if not is_ma and not (classes & set(_NOT_MA)) and classes & {"manager", "supervisor"}:
        is_ma = True
    labels["is_ma_role"] = is_ma
    years = None
    for sent in doc.sentences[2:]:
        if "experience" in sent.text.lower():
            m = _YEARS.search(sent.text)
            if m:
                value = float(m.group(1))
                years = round(value / 12, 2) if m.group(2).lower().startswith("m") else value
                break
    labels["min_years_experience"] = years
    stage = None
    if is_ma:
        if _SENIOR.search(doc.title):
            stage = "senior"
        elif _MID.search(doc.title) or (years is not None and years >= 3):
            stage = "mid"
        else:
            stage = "entry"
    labels["stage"] = stage
    pay = None
    for c in pay_candidates("\n".join(s.text for s in doc.sentences[2:])):
        if c.unit in ("HOUR", "YEAR"):
            pay = {"min": c.low, "max": c.high if c.high is not None else c.low, "unit": c.unit}
            break
    labels["pay"] = pay
    return labels
