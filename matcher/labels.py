"""Labelled postings (``data/labels/*.jsonl``, ``../shared/eval/*.jsonl``): loading and checks.

A labelled posting is one JSON object per line::

    {"id", "title", "company", "location", "description", "labels": {...}, "notes"}

where ``labels`` has exactly the shape of LABELS.md. ``check_record`` finds the mistakes a
tired labeller makes: names outside the vocabulary, a single ``accepted`` key, a pay figure
that is not in the text, a certification or EHR with no surface form in the text.

Run ``python -m matcher.labels data/labels/*.jsonl`` to check files.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from matcher.jsonl import is_number, is_text, json_kind, numbered_lines, text_field_problems
from matcher.taxonomy import LEVELS, PAY_UNITS, STAGES, Taxonomy, load_taxonomy

LABEL_KEYS = (
    "certifications",
    "ehr",
    "specialties",
    "skills",
    "stage",
    "is_ma_role",
    "min_years_experience",
    "pay",
)
RECORD_KEYS = ("id", "title", "company", "location", "description", "labels")


class LabelsError(ValueError):
    """Labelled postings that cannot be used; the message names the file, the line and the problem."""


def read_jsonl(path: str | Path) -> Iterator[dict]:
    for lineno, rec, problem in numbered_lines(path):
        if problem:
            raise ValueError(f"{path}:{lineno}: {problem}")
        yield rec


def load_labelled(paths: list[str | Path]) -> list[dict]:
    records: list[dict] = []
    for path in paths:
        records.extend(read_jsonl(path))
    return records


def load_checked(paths: Iterable[str | Path], taxonomy: Taxonomy | None = None) -> list[dict]:
    """The labelled postings of ``paths``, every line a well-formed one (:func:`label_problems`).

    Raises :class:`LabelsError` naming the first bad line (``file:line: id: problem``) and how many
    more problems there are: nothing is used from a partly bad file (scores or a model from it
    would mislead).
    """
    tax = taxonomy or load_taxonomy()
    records: list[dict] = []
    problems: list[str] = []
    for path in paths:
        for lineno, rec, problem in numbered_lines(path):
            found = [problem] if problem else label_problems(rec, tax)
            problems.extend(f"{_where(path, lineno, rec)}{p}" for p in found)
            records.append(rec)
    if problems:
        more = len(problems) - 1
        hint = f" (and {more} more; `python -m matcher.labels FILE` lists them)" if more else ""
        raise LabelsError(problems[0] + hint)
    return records


def _where(path: str | Path, lineno: int, rec: Any) -> str:
    rid = rec.get("id") if isinstance(rec, dict) else None
    return f"{path}:{lineno}: {rid}: " if is_text(rid) else f"{path}:{lineno}: "


def _number_forms(value: float) -> set[str]:
    forms = {f"{value:,.2f}", f"{value:.2f}", f"{value:,.0f}", f"{value:.0f}", f"{value:g}", f"{value:,g}"}
    if value >= 1000 and value % 1000 == 0:
        forms.add(f"{value / 1000:g}k")
        forms.add(f"{value / 1000:g}K")
    if value % 1 != 0:
        forms.add(f"{value:.1f}")
    return forms


def check_record(rec: Any, taxonomy: Taxonomy | None = None) -> list[str]:
    """Return the problems found in one labelled posting (empty when it is fine)."""
    tax = taxonomy or load_taxonomy()
    return label_problems(rec, tax) or evidence_problems(rec, tax)


def label_problems(rec: Any, taxonomy: Taxonomy | None = None) -> list[str]:
    """What makes a line unusable as a labelled posting: not an object, a missing field, a value of
    the wrong type, a name outside the vocabulary, labels that break LABELS.md's rules."""
    if not isinstance(rec, dict):
        return [f"not a JSON object but {json_kind(rec)}"]
    tax = taxonomy or load_taxonomy()
    errors = [f"missing field {key!r}" for key in RECORD_KEYS if key not in rec]
    errors += text_field_problems(rec, ("id", "title", "description"), nullable=False)
    errors += text_field_problems(rec, ("company", "location"), nullable=True)
    if "labels" not in rec:
        return errors
    labels = rec["labels"]
    if not isinstance(labels, dict):
        return [*errors, f"labels must be an object, not {json_kind(labels)}"]
    if set(labels) != set(LABEL_KEYS):
        return [*errors, f"labels keys {sorted(labels)} != {sorted(LABEL_KEYS)}"]
    errors += _certification_problems(labels["certifications"], tax)
    for category in ("ehr", "specialties", "skills"):
        errors += _list_problems(category, labels[category], tax)
    errors += _role_problems(labels["is_ma_role"], labels["stage"])
    years = labels["min_years_experience"]
    if years is not None and not (is_number(years) and years >= 0):
        errors.append(f"min_years_experience must be a non-negative number or null, not {json_kind(years)}")
    return errors + _pay_problems(labels["pay"])


def _certification_problems(certs: Any, tax: Taxonomy) -> list[str]:
    if not isinstance(certs, dict):
        return [f"certifications must be an object, not {json_kind(certs)}"]
    errors = []
    for key, level in certs.items():
        if not tax.is_valid_label("certifications", key):
            errors.append(f"unknown certification {key!r}")
        if level not in LEVELS:
            errors.append(f"certification {key}: bad level {json_kind(level)} (one of {', '.join(LEVELS)})")
    if list(certs.values()).count("accepted") == 1:
        errors.append("exactly one certification is 'accepted' (accepted needs two or more keys)")
    return errors


def _list_problems(category: str, values: Any, tax: Taxonomy) -> list[str]:
    if not isinstance(values, list):
        return [f"{category} must be a list of names, not {json_kind(values)}"]
    odd = [v for v in values if not is_text(v)]
    if odd:
        return [f"{category} must be a list of names, but holds {json_kind(odd[0])}"]
    if len(set(values)) != len(values):
        return [f"{category} must be a list without repeats"]
    return [f"unknown {category} label {v!r}" for v in values if not tax.is_valid_label(category, v)]


def _role_problems(is_ma: Any, stage: Any) -> list[str]:
    if not isinstance(is_ma, bool):
        return [f"is_ma_role must be true or false, not {json_kind(is_ma)}"]
    if not is_ma and stage is not None:
        return ["stage must be null when is_ma_role is false"]
    if is_ma and stage not in STAGES:
        return [f"stage {stage!r} not one of {STAGES}"]
    return []


def _pay_problems(pay: Any) -> list[str]:
    if pay is None:
        return []
    if not isinstance(pay, dict) or set(pay) != {"min", "max", "unit"}:
        return [f"pay must be null or {{min, max, unit}}, not {json_kind(pay)}"]
    errors = []
    if pay["unit"] not in PAY_UNITS:
        errors.append(f"pay unit {json_kind(pay['unit'])} not one of {PAY_UNITS}")
    ends = {end: pay[end] for end in ("min", "max")}
    bad = [end for end, value in ends.items() if value is not None and not is_number(value)]
    errors += [f"pay {end} must be a number or null, not {json_kind(ends[end])}" for end in bad]
    if bad:
        return errors
    if ends["min"] is None and ends["max"] is None:
        errors.append("pay has neither min nor max (use null)")
    elif ends["min"] is not None and ends["max"] is not None and ends["min"] > ends["max"]:
        errors.append("pay min > max")
    return errors


def evidence_problems(rec: dict, taxonomy: Taxonomy | None = None) -> list[str]:
    """Labels the text does not bear out (for a posting without :func:`label_problems`): a
    certification or EHR with no surface form in the text, a pay figure not in the description."""
    tax = taxonomy or load_taxonomy()
    labels = rec["labels"]
    text = " ".join(str(rec.get(k) or "") for k in ("title", "company", "description"))
    errors = []
    for category, keys in (("certifications", list(labels["certifications"])), ("ehr", labels["ehr"])):
        entries = {e.id: e for e in tax.entries[category]}
        for key in keys:
            entry = entries.get(key)
            if entry and key != "MA_CERT_ANY" and not entry.pattern().search(text):
                errors.append(f"{category} {key!r} has no surface form in the text (add an alias?)")
    pay = labels["pay"]
    if pay is not None:
        flat = re.sub(r"\s+", " ", rec.get("description") or "")
        for end in ("min", "max"):
            value = pay[end]
            if value is not None and not any(form in flat for form in _number_forms(float(value))):
                errors.append(f"pay {end} {value} does not appear in the text")
    return errors


def main(argv: list[str]) -> int:
    """``python -m matcher.labels FILE.jsonl ...``: every labelling problem, then a count."""
    parser = argparse.ArgumentParser(
        prog="python -m matcher.labels",
        description="Check labelled postings against LABELS.md's vocabulary and rules.",
    )
    parser.add_argument("files", nargs="+", help="labelled JSONL files (data/labels/*.jsonl, eval format)")
    args = parser.parse_args(argv)
    tax = load_taxonomy()
    postings = bad = 0
    seen: set[str] = set()
    for path in args.files:
        try:
            lines = list(numbered_lines(path))
        except OSError as exc:
            lines, bad = [], bad + 1
            print(f"{path}: cannot read: {exc.strerror}")
        for lineno, rec, problem in lines:
            postings += 1
            problems = [problem] if problem else check_record(rec, tax)
            rid = rec.get("id") if isinstance(rec, dict) else None
            if is_text(rid):
                if rid in seen:
                    problems.append("duplicate id")
                seen.add(rid)
            for found in problems:
                bad += 1
                print(f"{_where(path, lineno, rec)}{found}")
    print(f"{postings} postings, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
