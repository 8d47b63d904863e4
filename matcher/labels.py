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
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

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


def read_jsonl(path: str | Path) -> Iterator[dict]:
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not JSON: {exc}") from exc


def load_labelled(paths: list[str | Path]) -> list[dict]:
    records: list[dict] = []
    for path in paths:
        records.extend(read_jsonl(path))
    return records


def _number_forms(value: float) -> set[str]:
    forms = {f"{value:,.2f}", f"{value:.2f}", f"{value:,.0f}", f"{value:.0f}", f"{value:g}", f"{value:,g}"}
    if value >= 1000 and value % 1000 == 0:
        forms.add(f"{value / 1000:g}k")
        forms.add(f"{value / 1000:g}K")
    if value % 1 != 0:
        forms.add(f"{value:.1f}")
    return forms


def check_record(rec: dict, taxonomy: Taxonomy | None = None) -> list[str]:
    """Return the problems found in one labelled posting (empty when it is fine)."""
    tax = taxonomy or load_taxonomy()
    errors: list[str] = []
    for key in RECORD_KEYS:
        if key not in rec:
            errors.append(f"missing field {key!r}")
    labels = rec.get("labels")
    if not isinstance(labels, dict):
        return [*errors, "labels is not an object"]
    if set(labels) != set(LABEL_KEYS):
        errors.append(f"labels keys {sorted(labels)} != {sorted(LABEL_KEYS)}")
        return errors
    text = " ".join(str(rec.get(k) or "") for k in ("title", "company", "description"))

    certs = labels["certifications"]
    if not isinstance(certs, dict):
        errors.append("certifications must be an object")
        certs = {}
    for key, level in certs.items():
        if not tax.is_valid_label("certifications", key):
            errors.append(f"unknown certification {key!r}")
        if level not in LEVELS:
            errors.append(f"certification {key}: bad level {level!r}")
    if list(certs.values()).count("accepted") == 1:
        errors.append("exactly one certification is 'accepted' (accepted needs two or more keys)")

    for category in ("ehr", "specialties", "skills"):
        values = labels[category]
        if not isinstance(values, list) or len(set(values)) != len(values):
            errors.append(f"{category} must be a list without repeats")
            continue
        for value in values:
            if not tax.is_valid_label(category, value):
                errors.append(f"unknown {category} label {value!r}")

    # Surface forms: every labelled certification and EHR must show in the text.
    for category, keys in (("certifications", list(certs)), ("ehr", labels["ehr"])):
        entries = {e.id: e for e in tax.entries[category]}
        for key in keys:
            entry = entries.get(key)
            if entry and key != "MA_CERT_ANY" and not entry.pattern().search(text):
                errors.append(f"{category} {key!r} has no surface form in the text (add an alias?)")

    is_ma = labels["is_ma_role"]
    if not isinstance(is_ma, bool):
        errors.append("is_ma_role must be true or false")
    stage = labels["stage"]
    if is_ma is False and stage is not None:
        errors.append("stage must be null when is_ma_role is false")
    if is_ma is True and stage not in STAGES:
        errors.append(f"stage {stage!r} not one of {STAGES}")

    years = labels["min_years_experience"]
    if years is not None and (not isinstance(years, (int, float)) or isinstance(years, bool) or years < 0):
        errors.append(f"min_years_experience {years!r} must be a non-negative number or null")

    pay = labels["pay"]
    if pay is not None:
        if not isinstance(pay, dict) or set(pay) != {"min", "max", "unit"}:
            errors.append("pay must be null or {min, max, unit}")
        else:
            if pay["unit"] not in PAY_UNITS:
                errors.append(f"pay unit {pay['unit']!r} not one of {PAY_UNITS}")
            if pay["min"] is None and pay["max"] is None:
                errors.append("pay has neither min nor max (use null)")
            flat = re.sub(r"\s+", " ", rec.get("description") or "")
            for end in ("min", "max"):
                value = pay[end]
                if value is None:
                    continue
                if not any(form in flat for form in _number_forms(float(value))):
                    errors.append(f"pay {end} {value} does not appear in the text")
            if pay["min"] is not None and pay["max"] is not None and pay["min"] > pay["max"]:
                errors.append("pay min > max")
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
    bad = 0
    seen: set[str] = set()
    for path in args.files:
        for rec in read_jsonl(path):
            rid = rec.get("id")
            problems = check_record(rec, tax)
            if rid in seen:
                problems.append("duplicate id")
            seen.add(rid)
            for problem in problems:
                bad += 1
                print(f"{path}: {rid}: {problem}")
    print(f"{len(seen)} postings, {bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
