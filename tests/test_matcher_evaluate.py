"""Scoring as ../shared/eval/README.md reads it (matcher/evaluate.py)."""

from __future__ import annotations

from matcher.evaluate import format_side_by_side, headline, score
from matcher.model import empty_labels


def labels(**kw) -> dict:
    base = empty_labels()
    base.update(kw)
    return base


def test_certifications_pairs_keys_and_level_accuracy() -> None:
    gold = [labels(certifications={"CMA": "accepted", "RMA": "accepted", "BLS": "required"})]
    pred = [labels(certifications={"CMA": "required", "RMA": "accepted", "ACLS": "preferred"})]
    s = score(gold, pred)
    # pairs: tp RMA; fp CMA-required, ACLS; fn CMA-accepted, BLS
    assert s["certifications"]["micro"]["tp"] == 1
    assert s["certifications"]["micro"]["fp"] == 2
    assert s["certifications"]["micro"]["fn"] == 2
    # keys: tp CMA, RMA; fp ACLS; fn BLS
    assert s["certification_keys"]["micro"]["precision"] == round(2 / 3, 4)
    assert s["certification_level_accuracy"] == 0.5


def test_sets_micro_macro_and_exact_fields() -> None:
    gold = [
        labels(
            ehr=["Epic"],
            skills=["EKG", "vital signs"],
            stage="entry",
            is_ma_role=True,
            min_years_experience=1,
            pay={"min": 18.0, "max": 20.0, "unit": "HOUR"},
        ),
        labels(ehr=[], skills=["EKG"], min_years_experience=None, pay=None),
    ]
    pred = [
        labels(
            ehr=["Epic"],
            skills=["EKG"],
            stage="mid",
            is_ma_role=True,
            min_years_experience=1.0,
            pay={"min": 18, "max": 20, "unit": "HOUR"},
        ),
        labels(
            ehr=["NextGen"], skills=["EKG"], min_years_experience=0, pay={"min": 5, "max": 5, "unit": "HOUR"}
        ),
    ]
    s = score(gold, pred)
    assert s["ehr"]["micro"]["precision"] == 0.5 and s["ehr"]["micro"]["recall"] == 1.0
    assert s["skills"]["per_label"]["vital signs"]["recall"] == 0.0
    assert s["skills"]["macro"]["f1"] == round((1.0 + 0.0) / 2, 4)
    assert s["stage_accuracy"] == 0.5
    assert s["is_ma_role_accuracy"] == 1.0
    assert s["years_exact"] == 0.5
    assert s["pay_exact"] == 0.5
    table = format_side_by_side(s, s)
    assert "EHR micro-F1" in table and "vital signs" in table
    assert set(headline(s)) >= {"stage accuracy", "pay exact"}
