"""min_years_experience by LABELS.md section 7 (matcher/years.py)."""

from __future__ import annotations

import pytest

from matcher.text import prepare
from matcher.years import find_years, min_years, required_years


def years(text: str) -> float | None:
    return min_years(find_years(prepare("Medical Assistant", "Clinic", text)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Requirements:\n- A minimum of three years of MA experience", 3),
        ("Two (2) years of clinical experience required", 2),
        ("1-3 years of experience in a medical office", 1),
        ("3–5 years of ophthalmic experience", 3),
        ("0-2 years of experience", 0),
        ("6 months of medical assistant experience required", 0.5),
        ("Eighteen months of clinical experience required", 1.5),
        ("Half a year of clinic experience required", 0.5),
        ("New grads welcome — we will train you.", 0),
        ("No prior experience required.", 0),
        ("No eye care experience required - we train!", 0),
        ("No medical office experience necessary - we train", 0),
        ("You don't need experience - our 3-week training covers Epic.", 0),
        ("Urology experience a plus. Will consider new MA graduates.", 0),
        ("No weekends, and experience is what we value most.", None),
        ("MA experience preferred. We will not consider new grads.", None),
        ("MA experience preferred; we are unable to consider new graduates at this time.", None),
        ("MA experience preferred.\nYou don't need experience with Epic; we train on the job.", None),
        ("One year of specialized experience equivalent to at least the GS-04 grade level.", 1),
        ("Must have 3+ years managing a medical office.", 3),
        ("Minimum of 2 years working as an ophthalmic technician", 2),
        ("Experience preferred.", None),
    ],
)
def test_years_forms(text: str, expected: float | None) -> None:
    assert years(text) == expected


def test_required_beats_preferred_and_preferred_counts_alone() -> None:
    assert years("1 year of experience required. 3 years preferred.") == 1
    assert years("Three years of experience preferred.") == 3


def test_alternative_to_education_is_null() -> None:
    assert years("Graduate of an accredited MA program or 1 year of experience as an MA.") is None
    assert years("Medical assistant certificate OR six months of experience") is None


def test_nested_years_take_the_overall_figure() -> None:
    assert years("3 years of MA experience, including 1 year in dermatology") == 3
    assert years("Four years as an MA with at least one in oncology") == 4


def test_career_ladder_years_are_not_asks() -> None:
    text = "MA I is our entry role. MA III requires three years of experience and the preceptor course."
    assert years(text) is None


def test_required_years_ignore_preferred() -> None:
    mentions = find_years(prepare("MA", "Clinic", "3+ years of experience preferred"))
    assert required_years(mentions) is None
    assert min_years(mentions) == 3


def test_non_experience_durations_are_ignored() -> None:
    text = "We have served the valley for 30 years. PTO accrues after 90 days. Must be 18 years old."
    assert years(text) is None
    assert years("We are proud to be recognized as a Top Workplace for five years running.") is None
    assert years("Voted best clinic 3 years in a row.") is None
