"""Labelled postings: the training files pass the checks, and the checks catch real mistakes."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from matcher.labels import check_record, load_labelled, main

LABELS_DIR = Path(__file__).resolve().parent.parent / "data" / "labels"

GOOD = {
    "id": "t1",
    "title": "Medical Assistant",
    "company": "Birch Clinic",
    "location": "Salem, OR",
    "description": "CMA or RMA required. BLS required. Chart in Epic. Pay $18.00 - $21.00 per hour.",
    "labels": {
        "certifications": {"CMA": "accepted", "RMA": "accepted", "BLS": "required"},
        "ehr": ["Epic"],
        "specialties": [],
        "skills": ["EHR documentation"],
        "stage": "entry",
        "is_ma_role": True,
        "min_years_experience": None,
        "pay": {"min": 18, "max": 21, "unit": "HOUR"},
    },
    "notes": "",
}


def test_every_training_file_is_clean() -> None:
    files = sorted(LABELS_DIR.glob("*.jsonl"))
    assert files, "no training data"
    records = load_labelled(files)
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate ids across label files"
    problems = {r["id"]: check_record(r) for r in records}
    assert {k: v for k, v in problems.items() if v} == {}


def test_good_record_passes() -> None:
    assert check_record(GOOD) == []


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("certifications",), {"CMA": "accepted", "BLS": "required"}, "exactly one certification"),
        (("certifications",), {"CMAX": "required"}, "unknown certification"),
        (("certifications",), {"CMA": "maybe"}, "bad level"),
        (("ehr",), ["Epic", "Cerner"], "unknown ehr"),
        (("ehr",), ["NextGen"], "no surface form"),
        (("pay",), {"min": 19, "max": 21, "unit": "HOUR"}, "does not appear"),
        (("pay",), {"min": 18, "max": 21, "unit": "WEEK"}, "pay unit"),
        (("stage",), None, "stage None"),
        (("min_years_experience",), -1, "non-negative"),
    ],
)
def test_checks_catch_mistakes(path: tuple, value: object, message: str) -> None:
    rec = copy.deepcopy(GOOD)
    rec["labels"][path[0]] = value
    assert any(message in p for p in check_record(rec)), check_record(rec)


def test_non_ma_with_a_stage_is_flagged() -> None:
    rec = copy.deepcopy(GOOD)
    rec["labels"]["is_ma_role"] = False
    assert any("stage must be null" in p for p in check_record(rec))


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:
    import json

    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(GOOD) + "\n", encoding="utf-8")
    assert main([str(good)]) == 0
    bad_rec = copy.deepcopy(GOOD)
    bad_rec["labels"]["ehr"] = ["Nope"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(bad_rec) + "\n", encoding="utf-8")
    assert main([str(bad)]) == 1
    assert "unknown ehr" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("pay",),
            {"min": "18", "max": 21, "unit": "HOUR"},
            "pay min must be a number or null, not the text '18'",
        ),
        (("pay",), {"min": float("nan"), "max": 21, "unit": "HOUR"}, "pay min must be a number or null"),
        (("ehr",), [["Epic"]], "ehr must be a list of names, but holds a list"),
        (("ehr",), "Epic", "ehr must be a list of names, not the text 'Epic'"),
        (("certifications",), {"CMA": ["required"]}, "certification CMA: bad level a list"),
        (("stage",), ["entry"], "stage ['entry'] not one of"),
        (("is_ma_role",), "yes", "is_ma_role must be true or false, not the text 'yes'"),
        (("min_years_experience",), float("inf"), "min_years_experience must be a non-negative number"),
    ],
)
def test_values_of_the_wrong_type_are_named_not_raised(path: tuple, value: object, message: str) -> None:
    rec = copy.deepcopy(GOOD)
    rec["labels"][path[0]] = value
    assert any(p.startswith(message) for p in check_record(rec)), check_record(rec)


def test_record_fields_of_the_wrong_type_are_named() -> None:
    rec = dict(copy.deepcopy(GOOD), title=5, company=["Birch"])
    assert check_record(rec) == [
        "title must be text, not the number 5",
        "company must be text or null, not a list",
    ]
    assert check_record(["not", "a", "record"]) == ["not a JSON object but a list"]


def test_cli_names_the_file_and_line_of_every_problem(tmp_path: Path, capsys) -> None:
    """Lines that are not JSON or not objects are problems like any other, not a traceback."""
    import json

    bad_rec = copy.deepcopy(GOOD)
    bad_rec["labels"]["pay"]["min"] = "18"
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([json.dumps(GOOD), "{not json", "[1, 2]", "", json.dumps(bad_rec)]) + "\n", encoding="utf-8"
    )
    assert main([str(path), str(tmp_path / "missing.jsonl")]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"{path}:2: not JSON")
    assert out[1:] == [
        f"{path}:3: not a JSON object but a list",
        f"{path}:5: t1: pay min must be a number or null, not the text '18'",
        f"{path}:5: t1: duplicate id",
        f"{tmp_path / 'missing.jsonl'}: cannot read: No such file or directory",
        "4 postings, 5 problems",
    ]
