"""Base pay from free text (scraper/parsers/pay.py), by LABELS.md section 8."""

from __future__ import annotations

import pytest

from scraper.parsers.pay import Pay, find_pay, pay_candidates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay: $18.50 - $22.00 per hour", (18.5, 22.0, "HOUR")),
        ("Compensation 19.00 to 23.00 hourly, DOE", (19.0, 23.0, "HOUR")),
        ("Salary: $41,600 - $49,920 annually", (41600.0, 49920.0, "YEAR")),
        ("$45K-$53K depending on experience", (45000.0, 53000.0, "YEAR")),
        ("Wage: $17.25 hourly", (17.25, 17.25, "HOUR")),
        ("Starting at $19/hr for new graduates", (19.0, None, "HOUR")),
        ("Up to $24 per hour depending on experience", (None, 24.0, "HOUR")),
        ("Pay: $18+ per hour", (18.0, None, "HOUR")),
        ("GS-5: $39,576 to $51,446 per year", (39576.0, 51446.0, "YEAR")),
    ],
)
def test_shapes_of_pay(text: str, expected: tuple) -> None:
    pay = find_pay(text)
    assert pay is not None
    assert (pay.min, pay.max, pay.unit) == expected


def test_sign_on_bonus_is_not_pay() -> None:
    pay = find_pay("$2,500 sign-on bonus! Base pay $20.00-$23.50/hr.")
    assert (pay.min, pay.max, pay.unit) == (20.0, 23.5, "HOUR")
    assert find_pay("Sign-on bonus of $3,000 for experienced MAs.") is None


def test_bonus_after_the_range_does_not_hide_it() -> None:
    pay = find_pay("Pay: $18.50 - $22.00 per hour plus a $1,000 signing bonus")
    assert (pay.min, pay.max) == (18.5, 22.0)


@pytest.mark.parametrize(
    "text",
    [
        "Shift differential: +$2.00/hr for evenings",
        "Bilingual differential of $1.25 per hour",
        "Tuition reimbursement up to $5,250 per year",
        "Mileage reimbursed at $0.67 per mile",
        "Relocation assistance up to $5,000",
        "$500 annual wellness stipend",
        "a $2,000 annual professional development allowance; paid parental leave",
        "$750 a year for continuing education",
        "Competitive pay, DOE",
        "Pay is based on experience.",
    ],
)
def test_not_base_pay(text: str) -> None:
    assert find_pay(text) is None


def test_hourly_wins_over_annualized() -> None:
    text = "Salary: $41,600 - $49,920 per year ($20.00 - $24.00 per hour)."
    assert find_pay(text) == Pay(20.0, 24.0, "HOUR", find_pay(text).evidence)
    later = "Annual equivalent $60,320 - $70,720. Hourly rate $29.00 - $34.00 per hour."
    assert (find_pay(later).min, find_pay(later).unit) == (29.0, "HOUR")


def test_step_up_pay_is_a_range() -> None:
    pay = find_pay("$16/hr during training, $18.50/hr after you pass the CCMA.")
    assert (pay.min, pay.max, pay.unit) == (16.0, 18.5, "HOUR")


def test_differential_beside_base_in_one_sentence() -> None:
    pay = find_pay("Earn $20/hr; weekend shift differential of $2/hr")
    assert (pay.min, pay.max) == (20.0, 20.0)


def test_candidates_mark_bonus_figures() -> None:
    cands = pay_candidates("Base $21/hr. $1,500 sign-on bonus.")
    assert [(c.low, c.base) for c in cands] == [(21.0, True), (1500.0, False)]


def test_empty_and_figureless_text() -> None:
    assert find_pay(None) is None
    assert find_pay("") is None
    assert find_pay("We offer 401(k), PTO and 3 weeks of vacation.") is None


def test_comma_after_an_amount_is_punctuation() -> None:
    pay = find_pay("The hourly range is $20.65 to $24.93, based on experience; elsewhere $41,600, or more.")
    assert (pay.min, pay.max, pay.unit) == (20.65, 24.93, "HOUR")
    assert find_pay("Salary $41,600, paid biweekly").min == 41600.0


def test_start_and_ceiling_in_one_sentence_is_a_range() -> None:
    pay = find_pay("Pay: $17.50/hr to start, up to $21/hr with experience.")
    assert (pay.min, pay.max, pay.unit) == (17.5, 21.0, "HOUR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hourly Rate: 17.50 - 21.00", (17.5, 21.0, "HOUR")),
        ("Pay range is 45,000 to 52,000", (45000.0, 52000.0, "YEAR")),
        ("Wage: 19.00", (19.0, 19.0, "HOUR")),
    ],
)
def test_bare_figures_after_a_pay_label(text: str, expected: tuple) -> None:
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == expected


def test_bare_numbers_without_a_pay_label_are_not_pay() -> None:
    assert find_pay("We have 24 locations and 300 staff.") is None


def test_salary_from_text_takes_the_first_text_that_states_pay() -> None:
    from scraper.parsers.pay import salary_from_text

    got = salary_from_text(None, "Great team, 401(k) match", "Pay: $18.50 - $22.00 per hour", "$30/hr")
    assert got == {
        "salary_min": 18.5,
        "salary_max": 22.0,
        "salary_unit": "HOUR",
        "salary_currency": "USD",
        "salary_source": "description",
    }
    assert salary_from_text("$2,000 sign-on bonus", "") == {}
    assert salary_from_text() == {}


@pytest.mark.parametrize(
    "text",
    [
        "$16.00/hr during training; $18.50/hr upon completion and CCMA certification.",
        "$16.00/hr during the apprenticeship; $18.50/hr after you pass the CCMA.",
    ],
)
def test_step_up_pay_over_a_semicolon_is_a_range(text: str) -> None:
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == (16.0, 18.5, "HOUR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$16/hr to start, $18/hr after 90 days.", (16.0, 18.0)),
        ("$16 an hour to start, moving to $18 once certified.", (16.0, 18.0)),
        ("$16.00/hr to start; $18.50/hr after certification.", (16.0, 18.5)),
        ("$15/hr in training; after 6 months $16/hr; after 1 year $17/hr.", (15.0, 17.0)),
        ("$15/hr during training, $16/hr after 6 months and $17/hr after a year.", (15.0, 17.0)),
        # A bilingual rate is a differential (LABELS.md 9.9), not the next step.
        ("$17/hr; bilingual staff earn $18/hr after passing the language test.", (17.0, 17.0)),
    ],
)
def test_step_up_from_a_start_and_to_the_top_step(text: str, expected: tuple) -> None:
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == (*expected, "HOUR")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pay: $20 - $23 per hour, well above the national average.", (20.0, 23.0)),
        ("We pay $22/hr, above the BLS median wage for MAs.", (22.0, 22.0)),
    ],
)
def test_an_offer_compared_with_a_statistic_is_still_the_offer(text: str, expected: tuple) -> None:
    pay = find_pay(text)
    assert (pay.min, pay.max) == expected


def test_figures_in_unrelated_clauses_are_no_step_up() -> None:
    # No step-up word, or something between: the first figure stands alone.
    assert find_pay("Pay: $16.00/hr; $18.50/hr at the Dover clinic.").max == 16.0
    text = "$16.00/hr during training; parking is free; $18.50/hr after the CCMA."
    assert find_pay(text).max == 16.0


def test_a_pay_scales_steps_are_a_range() -> None:
    text = "Step 1: $20.14   Step 2: $21.15   Step 3: $22.21   Step 4: $23.32   Step 5: $24.48 per hour"
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == (20.14, 24.48, "HOUR")


def test_a_market_statistic_is_not_the_offer() -> None:
    text = (
        "According to the Bureau of Labor Statistics, the median wage for medical assistants in "
        "Massachusetts is around $21 an hour; our range sits above it. Pay: $20 - $23 per hour."
    )
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == (20.0, 23.0, "HOUR")
    assert find_pay("The national average for MAs is $19.40 per hour.") is None


@pytest.mark.parametrize(
    "text", ["$14.50/hr to start, with raises at 90 days.", "$14.50 per hour to start; raises yearly."]
)
def test_a_figure_to_start_has_no_max(text: str) -> None:
    pay = find_pay(text)
    assert (pay.min, pay.max, pay.unit) == (14.5, None, "HOUR")
